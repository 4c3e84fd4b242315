/* batch.c - `stipend batch`: a whole intake through the pipeline the portal
 * uses, with a progress bar, a summary, and a run that can be killed and
 * started again without losing or doubling a case.
 *
 * The applications come from a JSONL file ({"nin", "application"} a line)
 * or from the registers (--from-registers: every student among the
 * population register's first N persons gets an application built from the
 * schools' enrolment). Each goes through cases_submit_intake(), the
 * portal's cases_submit() with an intake tag: validation, facts from the
 * registers when --registers is given, the decision, and case, decision,
 * letter and audit records in one transaction, or the case stored waiting
 * with a job. Many worker threads submit at once (default 64), so that the
 * store's group commit shares each fsync among many cases: a thread spends
 * most of a case waiting for the commit, not computing.
 *
 * Restart safety. A file's run is keyed by a hash of its content, and each
 * case records its intake tag "batch:<key>:<line>" in the same transaction
 * as the case, under a unique index (migration 0004). A run first reads the
 * tags of its key and skips those lines; a line that another run stored
 * meanwhile fails its insert with ERR_CONFLICT and counts as stored before.
 * So a run killed at any moment and started again on the same file stores
 * each line exactly once. From the registers the tag is
 * "registers:<school year>:<person id>": one application a person a school
 * year, however often the command runs. A file whose content changes is a
 * new intake, and its lines are stored again.
 *
 * From the registers the facts are fetched in bulk: a worker takes the
 * listed persons BULK at a time, asks the schools which of them are
 * enrolled in one request, fetches all the students' facts with
 * reg_gather_many() (about seven requests for the lot, where one person
 * alone takes about ten), and then submits each application through
 * cases_submit_intake() with a gather function that serves that person's
 * prefetched facts (cases_gather_prefetched()): the decision, its facts,
 * their sources and the letter are those the per-person path gives, which
 * --per-person still runs, as the peer the bulk path is measured against.
 * A register that fails a chunk's facts has each of its cases stored
 * waiting for that register, as the per-person path does.
 *
 * Nothing personal is printed or logged: a refused line is named by its
 * number (a person by the register's index) and the field. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "access/access.h"
#include "cases/cases.h"
#include "cases/facts.h"
#include "cli/cli.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/nin.h"
#include "registers/registers.h"
#include "rules/params.h"
#include "store/store.h"

static const char batch_help[] =
	"Usage: stipend batch --db FILE [--threads N] [--registers URL] [--params DIR]\n"
	"                     [--quiet] [--json] FILE.jsonl\n"
	"       stipend batch --db FILE --from-registers --persons N --registers URL\n"
	"                     [--school-year 2024-2025] [--per-person] [--threads N]\n"
	"                     [--quiet] [--json]\n\n"
	"Take a whole intake through the portal's pipeline: each application is\n"
	"validated, completed from the registers (with --registers), decided, and\n"
	"stored with its decision, letter and audit records in one transaction, or\n"
	"stored waiting for the registers with a job for `stipend work`.\n\n"
	"  FILE.jsonl       one application a line: {\"nin\": \"<11 digits>\",\n"
	"                   \"application\": {the decision contract's application}};\n"
	"                   the person must be in the database\n"
	"  --from-registers the students among the population register's first\n"
	"                   --persons N persons, each with an application built from\n"
	"                   the schools' enrolment in --school-year (decided as of\n"
	"                   today, or the school year's last day once it has ended);\n"
	"                   their facts come from the registers' bulk lookups,\n"
	"                   many persons a request\n"
	"  --per-person     with --from-registers: ask the registers one person at a\n"
	"                   time, as the portal does (slower; to compare with)\n"
	"  --db FILE        the database (stipend init; the persons must be in it)\n"
	"  --threads N      worker threads (default 64): many more than the cores,\n"
	"                   so that the store's group commit shares its fsyncs\n"
	"  --registers URL  fetch each applicant's facts from the registers at URL\n"
	"  --params DIR     decide under this parameter set instead of the built-in one\n"
	"  --quiet          no progress (a bar on a terminal, else a line every 10 %)\n"
	"  --json           print the summary as JSON\n\n"
	"A run killed and started again with the same command on the same file\n"
	"skips the lines already stored and stores each line exactly once.\n\n"
	"Exit status: 0 every line stored (now or before), 2 a line was refused\n"
	"(each named on standard error by its number and field) or bad usage, 1\n"
	"the database, the file or the registers failed, or the run was stopped.\n";

#define CHUNK 16           /* lines a worker claims at once, their persons found in one read */
#define PAGE 1000          /* persons a page of the population register */
#define QUEUE 4096         /* persons listed and not yet taken by a worker, at least */
/* Persons a worker takes at once from the registers. Smaller chunks let
 * fetching and committing overlap sooner; from 32 to 256 the cost is the
 * same, and 64 was quickest at 10 000 persons (bench/batch.sh). */
#define BULK 64
#define MAX_CHILDREN 8     /* children carried from the population list */
#define MAX_CODES 32       /* distinct manual reason codes counted */
#define MAX_PERSONS 100000000

/* A line (or person) refused: where and why, never what it said. */
struct refusal {
	int64_t key;
	enum err_code code;
	char field[112];
	char message[160];
};

struct reason {
	const char *code; /* static: the rules' own strings */
	int64_t n;
};

/* What a worker saw; the workers' tallies are added up at the end, so
 * that counting takes no lock. */
struct tally {
	int64_t granted, partly, rejected, manual, waiting, already, not_enrolled, unreached;
	struct reason reasons[MAX_CODES];
	int n_reasons;
};

/* A person the population register listed, waiting for a worker. */
struct listed {
	int64_t index;
	char nin[12];
	date_t birth;
	int lives_with_parents, married, n_children;
	date_t children[MAX_CHILDREN];
};

struct batch {
	const struct cases_env *env;
	int from_registers;
	char prefix[64]; /* of the intake tags: "batch:<key>:" */

	/* A file: its content mapped, where each line starts, and the lines a
	 * run before this one stored (a bit each). */
	const char *data;
	size_t size;
	size_t *starts;
	int64_t lines, applications;
	unsigned char *stored_before;
	atomic_llong next_line;

	/* The registers: the persons listed for the workers, and the person
	 * ids a run before this one stored (sorted). */
	struct reg_client *reg;
	int per_person; /* --per-person: single lookups, as the portal */
	const char *school_year;
	char decision_date[11];
	int64_t persons;
	int64_t *done_ids;
	size_t n_done_ids, cap_done_ids;
	pthread_mutex_t q_mu;
	pthread_cond_t q_put, q_take;
	struct listed *queue;
	size_t q_cap, q_head, q_len;
	int q_closed;

	atomic_llong examined;   /* items done this run, for the progress */
	atomic_llong to_examine; /* the lister lowers it to what the register holds */
	atomic_int stop;
	atomic_int workers_left;

	/* Refusals and the first failure, under mu. */
	pthread_mutex_t mu;
	struct refusal *refusals;
	size_t n_refusals, cap_refusals;
	int64_t refused;
	int failed;
	struct err failure;

	struct tally total; /* the workers' tallies added up */
};

struct worker {
	struct batch *b;
	pthread_t thread;
	struct tally t;
	struct arena a;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int stopping(struct batch *b)
{
	if (interrupted)
		atomic_store(&b->stop, 1);
	return atomic_load(&b->stop);
}

/* The machine failed (database, registers): keep the first failure, stop. */
static void fail(struct batch *b, const struct err *e)
{
	pthread_mutex_lock(&b->mu);
	if (!b->failed) {
		b->failed = 1;
		b->failure = *e;
	}
	pthread_mutex_unlock(&b->mu);
	atomic_store(&b->stop, 1);
}

static void refuse(struct batch *b, int64_t key, enum err_code code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void refuse(struct batch *b, int64_t key, enum err_code code, const char *field, const char *fmt, ...)
{
	struct refusal r = {key, code, "", ""};
	va_list ap;
	snprintf(r.field, sizeof(r.field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(r.message, sizeof(r.message), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&b->mu);
	if (b->n_refusals == b->cap_refusals) {
		size_t cap = b->cap_refusals ? 2 * b->cap_refusals : 64;
		struct refusal *grown = realloc(b->refusals, cap * sizeof(*grown));
		if (grown != NULL) {
			b->refusals = grown;
			b->cap_refusals = cap;
		}
	}
	if (b->n_refusals < b->cap_refusals)
		b->refusals[b->n_refusals++] = r;
	b->refused++;
	pthread_mutex_unlock(&b->mu);
}

static void count_reason(struct tally *t, const char *code, int64_t n)
{
	int i;
	for (i = 0; i < t->n_reasons; i++)
		if (strcmp(t->reasons[i].code, code) == 0)
			break;
	if (i == t->n_reasons) {
		if (t->n_reasons == MAX_CODES)
			i = MAX_CODES - 1; /* more codes than the rules have: lump the rest */
		else
			t->reasons[t->n_reasons++] = (struct reason){code, 0};
	}
	t->reasons[i].n += n;
}

static void add_tally(struct tally *to, const struct tally *t)
{
	to->granted += t->granted;
	to->partly += t->partly;
	to->rejected += t->rejected;
	to->manual += t->manual;
	to->waiting += t->waiting;
	to->already += t->already;
	to->not_enrolled += t->not_enrolled;
	to->unreached += t->unreached;
	for (int i = 0; i < t->n_reasons; i++)
		count_reason(to, t->reasons[i].code, t->reasons[i].n);
}

/* Take one application through the pipeline under its intake tag, with
 * env's facts (the run's, or one person's prefetched). */
static void submit(struct worker *w, const struct cases_env *env, int64_t key, int64_t person_id,
		   const json_t *application, const char *tag)
{
	struct principal who = {ROLE_PERSON, person_id, 0, 0};
	struct submitted out;
	struct err e;
	err_clear(&e);
	if (cases_submit_intake(env, &who, application, tag, date_now_unix(), &out, &e) != 0) {
		if (e.code == ERR_CONFLICT && strcmp(e.field, "intake") == 0) {
			w->t.already++; /* another run stored it meanwhile */
		} else if (e.code == ERR_INVALID) {
			char field[112];
			snprintf(field, sizeof(field), "application%s%s", e.field[0] ? "." : "", e.field);
			refuse(w->b, key, e.code, field, "%s", e.message);
		} else {
			fail(w->b, &e);
		}
		return;
	}
	if (out.outcome == NULL) {
		w->t.waiting++;
	} else if (strcmp(out.outcome, "manual") == 0) {
		w->t.manual++;
		for (int i = 0; i < out.n_manual_reasons; i++)
			count_reason(&w->t, out.manual_reasons[i], 1);
		if (out.n_manual_reasons == 0)
			count_reason(&w->t, "unknown", 1);
	} else if (strcmp(out.outcome, "granted") == 0) {
		w->t.granted++;
	} else if (strcmp(out.outcome, "partly-granted") == 0) {
		w->t.partly++;
	} else {
		w->t.rejected++;
	}
}

/* The person of a number: 0 with *id, 1 refused (not in the database), -1
 * the database failed. */
static int person_of(struct worker *w, int64_t key, const char *nin, int64_t *id)
{
	struct person p;
	struct err e;
	int rc = store_person_by_nin(w->b->env->store, nin, &p, &w->a, &e);
	if (rc < 0) {
		fail(w->b, &e);
		return -1;
	}
	if (rc == 1) {
		refuse(w->b, key, ERR_NOT_FOUND, "nin", "no person with this number in the database");
		return 1;
	}
	*id = p.id;
	return 0;
}

/* ---- applications from a file ---- */

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* A line read: its number, the whole JSON and the application in it. */
struct parsed {
	int64_t line;
	json_t *j;
	const char *nin;
	json_t *application;
};

/* Read one line into *p; a line that cannot be taken is refused (and
 * p->j left NULL). */
static void parse_line(struct worker *w, int64_t line, const char *text, size_t len, struct parsed *p)
{
	struct batch *b = w->b;
	json_error_t jerr;
	const char *key;
	json_t *v, *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	memset(p, 0, sizeof(*p));
	p->line = line;
	/* jansson's message may quote the line: only the column is shown. */
	if (j == NULL) {
		refuse(b, line, ERR_INVALID, "", "not valid JSON (column %d)", jerr.column);
		return;
	}
	if (!json_is_object(j)) {
		refuse(b, line, ERR_INVALID, "", "must be an object with nin and application");
		goto refused;
	}
	json_object_foreach(j, key, v) {
		if (strcmp(key, "nin") != 0 && strcmp(key, "application") != 0) {
			refuse(b, line, ERR_INVALID, "", "a field other than nin and application");
			goto refused;
		}
	}
	p->nin = json_string_value(json_object_get(j, "nin"));
	if (p->nin == NULL || strlen(p->nin) != 11 || nin_parse(p->nin, NULL, NULL) != 0) {
		refuse(b, line, ERR_INVALID, "nin", "must be a valid national identity number of 11 digits");
		goto refused;
	}
	p->application = json_object_get(j, "application");
	if (!json_is_object(p->application)) {
		refuse(b, line, ERR_INVALID, "application", "is required: the application as the decision contract writes it");
		goto refused;
	}
	p->j = j;
	return;
refused:
	json_decref(j);
}

/* Take a claimed chunk of lines: read them, find their persons in one
 * query, and submit each. */
static void take_lines(struct worker *w, int64_t first, int64_t last)
{
	struct batch *b = w->b;
	struct parsed lines[CHUNK];
	const char *nins[CHUNK];
	int64_t ids[CHUNK];
	int n = 0, k = 0;
	for (int64_t i = first; i < last && !stopping(b); i++) {
		const char *text = b->data + b->starts[i];
		size_t len = b->starts[i + 1] - b->starts[i] - 1;
		if (blank(text, len) || (b->stored_before[i >> 3] & (1u << (i & 7))))
			continue;
		parse_line(w, i + 1, text, len, &lines[n]);
		atomic_fetch_add(&b->examined, lines[n].j == NULL);
		if (lines[n].j != NULL) {
			nins[n] = lines[n].nin;
			n++;
		}
	}
	struct err e;
	if (n > 0 && store_person_ids_by_nin(b->env->store, nins, n, ids, &e) != 0) {
		fail(b, &e);
		n = 0; /* the run stops; what was not stored is taken by the next */
	}
	for (k = 0; k < n; k++) {
		char tag[96];
		if (ids[k] == 0) {
			refuse(b, lines[k].line, ERR_NOT_FOUND, "nin", "no person with this number in the database");
		} else if (!stopping(b)) {
			snprintf(tag, sizeof(tag), "%s%lld", b->prefix, (long long)lines[k].line);
			submit(w, b->env, lines[k].line, ids[k], lines[k].application, tag);
		}
		arena_reset(&w->a);
		atomic_fetch_add(&b->examined, 1);
	}
	for (k = 0; k < n; k++)
		json_decref(lines[k].j);
}

static void *file_worker(void *arg)
{
	struct worker *w = arg;
	struct batch *b = w->b;
	while (!stopping(b)) {
		int64_t first = atomic_fetch_add(&b->next_line, CHUNK);
		if (first >= b->lines)
			break;
		take_lines(w, first, first + CHUNK < b->lines ? first + CHUNK : b->lines);
	}
	atomic_fetch_sub(&b->workers_left, 1);
	return NULL;
}

static int mark_line(const char *tag, void *arg)
{
	struct batch *b = arg;
	char *end;
	long long line = strtoll(tag + strlen(b->prefix), &end, 10);
	if (*end == '\0' && line >= 1 && line <= b->lines)
		b->stored_before[(line - 1) >> 3] |= (unsigned char)(1u << ((line - 1) & 7));
	return 0;
}

/* Map the file and find its lines. Returns 0, or -1 with e filled
 * (ERR_INVALID when FILE is not a regular file). */
static int open_intake(struct batch *b, const char *path, struct err *e)
{
	struct stat st;
	char why[96];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		int errnum = errno;
		if (fd >= 0)
			close(fd);
		return err_set(e, ERR_IO, NULL, "%s: %s", path, log_errno(errnum, why, sizeof(why)));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_INVALID, "FILE", "%s: must be a regular file (a run is resumed by its content)", path);
	}
	b->size = (size_t)st.st_size;
	if (b->size > 0) {
		void *m = mmap(NULL, b->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			int errnum = errno;
			close(fd);
			return err_set(e, ERR_IO, NULL, "%s: %s", path, log_errno(errnum, why, sizeof(why)));
		}
		b->data = m;
	}
	close(fd);

	/* starts[i] is where line i (from 0) begins; starts[lines] is one
	 * past the end, as if a newline followed the last line. */
	size_t cap = 1024;
	b->starts = malloc(cap * sizeof(*b->starts));
	if (b->starts == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	b->starts[0] = 0;
	for (size_t at = 0; at < b->size;) {
		const char *nl = memchr(b->data + at, '\n', b->size - at);
		size_t end = nl ? (size_t)(nl - b->data) : b->size;
		if (!blank(b->data + at, end - at))
			b->applications++;
		if ((size_t)b->lines + 2 > cap) {
			size_t *grown = realloc(b->starts, 2 * cap * sizeof(*grown));
			if (grown == NULL)
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			b->starts = grown;
			cap *= 2;
		}
		at = end + 1;
		b->starts[++b->lines] = at;
	}
	return 0;
}

/* The run's key: 16 hex digits of a BLAKE2b hash of the file's content. */
static int key_of_content(struct batch *b, struct err *e)
{
	unsigned char hash[crypto_generichash_BYTES_MIN];
	char hex[2 * sizeof(hash) + 1];
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)b->data, b->size, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, 8);
	snprintf(b->prefix, sizeof(b->prefix), "batch:%s:", hex);
	return 0;
}

/* ---- applications from the registers ---- */

static void queue_close(struct batch *b)
{
	pthread_mutex_lock(&b->q_mu);
	b->q_closed = 1;
	pthread_cond_broadcast(&b->q_take);
	pthread_cond_broadcast(&b->q_put);
	pthread_mutex_unlock(&b->q_mu);
}

/* Returns 0, or -1 when the run stops. */
static int queue_put(struct batch *b, const struct listed *p)
{
	pthread_mutex_lock(&b->q_mu);
	while (b->q_len == b->q_cap && !b->q_closed && !atomic_load(&b->stop))
		pthread_cond_wait(&b->q_put, &b->q_mu);
	int rc = -1;
	if (b->q_len < b->q_cap && !b->q_closed && !atomic_load(&b->stop)) {
		b->queue[(b->q_head + b->q_len++) % b->q_cap] = *p;
		pthread_cond_signal(&b->q_take);
		rc = 0;
	}
	pthread_mutex_unlock(&b->q_mu);
	return rc;
}

/* Take most persons into p[]: as many once the lister has listed them
 * (the queue holds threads x BULK, so it can), fewer only at the end.
 * Returns how many, 0 when no person is left. */
static int queue_take(struct batch *b, struct listed *p, int most)
{
	int n = 0;
	pthread_mutex_lock(&b->q_mu);
	while (b->q_len < (size_t)most && !b->q_closed)
		pthread_cond_wait(&b->q_take, &b->q_mu);
	for (; n < most && b->q_len > 0; n++) {
		p[n] = b->queue[b->q_head];
		b->q_head = (b->q_head + 1) % b->q_cap;
		b->q_len--;
	}
	if (n > 0)
		pthread_cond_signal(&b->q_put);
	pthread_mutex_unlock(&b->q_mu);
	return n;
}

/* List persons 0..persons-1, a page at a time, for the workers. */
static void *list_persons(void *arg)
{
	struct batch *b = arg;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	for (int64_t offset = 0; offset < b->persons && !stopping(b);) {
		struct reg_person_list page;
		int64_t want = b->persons - offset < PAGE ? b->persons - offset : PAGE;
		int rc = reg_population_list(b->reg, offset, (int)want, &page, &a, &e);
		if (rc != 0) {
			if (rc == 1)
				err_set(&e, ERR_IO, "population", "the population register offers no list of persons");
			fail(b, &e);
			break;
		}
		if (page.n == 0) {
			/* The register holds fewer: the progress shrinks to them. */
			atomic_store(&b->to_examine, offset);
			break;
		}
		for (int i = 0; i < page.n; i++) {
			const struct reg_person *rp = &page.items[i];
			struct listed p = {offset + i, "", rp->birth_date, rp->lives_with_parents, rp->married, 0, {0}};
			snprintf(p.nin, sizeof(p.nin), "%s", rp->nin);
			for (int c = 0; c < rp->n_children && c < MAX_CHILDREN; c++)
				p.children[p.n_children++] = rp->children[c].birth_date;
			if (queue_put(b, &p) != 0)
				break;
		}
		offset += page.n;
		arena_reset(&a);
	}
	arena_cleanup(&a);
	queue_close(b);
	return NULL;
}

/* The application a student's enrolment makes: the scheme by its level,
 * its load and dates; marriage, children and living with the parents as
 * the population register has them. The registers complete the rest at
 * submit (the parents' incomes, the equipment-rate group, the travel). */
static json_t *application_of(const struct batch *b, const struct listed *p, const struct reg_enrolment *en)
{
	char birth[11], start[11], end[11], day[11];
	int upper = en->level == REG_UPPER_SECONDARY;
	json_t *children = json_array();
	for (int i = 0; i < p->n_children; i++)
		json_array_append_new(children, json_pack("{s:s}", "birth_date", date_format(p->children[i], day)));
	json_t *app = json_pack("{s:s,s:s,s:s,s:{s:s,s:b,s:b,s:o},s:{s:s,s:i,s:s,s:s,s:i}}", "scheme",
				upper ? "upper-secondary" : "higher-education", "school_year", b->school_year,
				"decision_date", b->decision_date, "applicant", "birth_date", date_format(p->birth, birth),
				"lives_with_parents", p->lives_with_parents, "married", p->married, "children", children,
				"education", "level", upper ? "upper-secondary" : "higher", "load_percent", en->load_percent,
				"start", date_format(en->start, start), "end", date_format(en->end, end), "equipment_rate",
				en->equipment_rate);
	if (app == NULL)
		return NULL;
	if (upper) {
		if (en->has_travel)
			json_object_set_new(app, "travel", json_pack("{s:f,s:i,s:f}", "distance_km", en->travel.distance_km,
								     "daily_travel_minutes", en->travel.daily_travel_minutes,
								     "walking_km", en->travel.walking_km));
		json_object_set_new(app, "special_circumstances", json_false());
	} else {
		int months = date_months_touched(en->start, en->end);
		json_object_set_new(app, "loan",
				    json_pack("{s:i}", "months_requested", months < 1 ? 1 : months > 11 ? 11 : months));
	}
	return app;
}

static int cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* The person's id when an application of theirs is to be taken: 0, or 1
 * when not (refused: not in the database; or stored by a run before), -1
 * the database failed. */
static int to_take(struct worker *w, const struct listed *p, int64_t *person_id)
{
	struct batch *b = w->b;
	int rc = person_of(w, p->index, p->nin, person_id);
	if (rc != 0)
		return rc;
	if (b->n_done_ids > 0 && bsearch(person_id, b->done_ids, b->n_done_ids, sizeof(int64_t), cmp_id) != NULL) {
		w->t.already++;
		return 1;
	}
	return 0;
}

/* One person with single lookups, as the portal does (--per-person). */
static void take_person(struct worker *w, const struct listed *p)
{
	struct batch *b = w->b;
	struct reg_enrolments ens;
	struct err e;
	int64_t person_id;
	char tag[96];

	if (to_take(w, p, &person_id) != 0)
		return;
	int rc = reg_school_enrolments(b->reg, p->nin, b->school_year, &ens, &w->a, &e);
	if (rc < 0) {
		/* Nothing is stored, so the next run asks again. */
		w->t.unreached++;
		return;
	}
	if (rc == 1 || ens.n == 0) {
		w->t.not_enrolled++;
		return;
	}
	json_t *app = application_of(b, p, &ens.items[0]);
	if (app == NULL) {
		err_set(&e, ERR_INTERNAL, NULL, "out of memory");
		fail(b, &e);
		return;
	}
	snprintf(tag, sizeof(tag), "%s%lld", b->prefix, (long long)person_id);
	submit(w, b->env, p->index, person_id, app, tag);
	json_decref(app);
}

/* n listed persons with bulk lookups: the schools are asked about all of
 * them in one request (as take_person() asks about one: a failure leaves
 * them all for the next run), the students' facts are fetched together
 * with reg_gather_many(), and each student's application is submitted with
 * its own facts, or waits with the rest of the chunk for a register that
 * failed them. Each person is counted examined once done with. */
static void take_chunk(struct worker *w, const struct listed *ps, int n)
{
	struct batch *b = w->b;
	struct arena *a = &w->a;
	struct err e;
	const struct listed **who = arena_alloc(a, sizeof(*who) * (size_t)n);
	const char **nins = arena_alloc(a, sizeof(*nins) * (size_t)n);
	int64_t *ids = arena_alloc(a, sizeof(*ids) * (size_t)n);
	struct reg_enrolments *ens = arena_alloc(a, sizeof(*ens) * (size_t)n);
	int *found = arena_alloc(a, sizeof(*found) * (size_t)n);
	int m = 0, k = 0;

	for (int i = 0; i < n && !stopping(b); i++) {
		if (to_take(w, &ps[i], &ids[m]) != 0) {
			atomic_fetch_add(&b->examined, 1);
			continue;
		}
		who[m] = &ps[i];
		nins[m++] = ps[i].nin;
	}
	if (m == 0 || stopping(b))
		return;
	if (reg_school_enrolments_many(b->reg, nins, m, b->school_year, ens, found, a, &e) != 0) {
		/* Nothing is stored, so the next run asks again. */
		w->t.unreached += m;
		atomic_fetch_add(&b->examined, m);
		return;
	}
	/* The students, kept in the same arrays. */
	for (int i = 0; i < m; i++) {
		if (!found[i] || ens[i].n == 0) {
			w->t.not_enrolled++;
			atomic_fetch_add(&b->examined, 1);
			continue;
		}
		who[k] = who[i];
		nins[k] = nins[i];
		ids[k] = ids[i];
		ens[k++] = ens[i];
	}
	if (k == 0)
		return;

	struct reg_facts *facts = arena_alloc(a, sizeof(*facts) * (size_t)k);
	struct cases_prefetched pf = {b->school_year, 0, {0}, 0, NULL};
	err_clear(&pf.failure);
	if (reg_gather_many(b->reg, nins, k, b->school_year, facts, found, a, &pf.failure) != 0)
		pf.failed = 1;
	struct cases_env env = *b->env;
	env.gather = cases_gather_prefetched;
	env.gather_ctx = &pf;
	for (int i = 0; i < k && !stopping(b); i++) {
		char tag[96];
		json_t *app = application_of(b, who[i], &ens[i].items[0]);
		if (app == NULL) {
			err_set(&e, ERR_INTERNAL, NULL, "out of memory");
			fail(b, &e);
			return;
		}
		pf.found = !pf.failed && found[i];
		pf.facts = &facts[i];
		snprintf(tag, sizeof(tag), "%s%lld", b->prefix, (long long)ids[i]);
		submit(w, &env, who[i]->index, ids[i], app, tag);
		json_decref(app);
		atomic_fetch_add(&b->examined, 1);
	}
}

static void *person_worker(void *arg)
{
	struct worker *w = arg;
	struct batch *b = w->b;
	struct listed *ps = malloc(sizeof(*ps) * BULK);
	int n;
	if (ps == NULL) {
		struct err e;
		err_set(&e, ERR_INTERNAL, NULL, "out of memory");
		fail(b, &e);
	}
	while (ps != NULL && !stopping(b) && (n = queue_take(b, ps, b->per_person ? 1 : BULK)) > 0) {
		if (b->per_person) {
			take_person(w, &ps[0]);
			atomic_fetch_add(&b->examined, 1);
		} else {
			take_chunk(w, ps, n);
		}
		arena_reset(&w->a);
	}
	free(ps);
	/* The lister may wait for room that no worker will make now. */
	if (atomic_fetch_sub(&b->workers_left, 1) == 1)
		queue_close(b);
	return NULL;
}

static int add_done_id(const char *tag, void *arg)
{
	struct batch *b = arg;
	char *end;
	long long id = strtoll(tag + strlen(b->prefix), &end, 10);
	if (*end != '\0' || id <= 0)
		return 0;
	if (b->n_done_ids == b->cap_done_ids) {
		size_t cap = b->cap_done_ids ? 2 * b->cap_done_ids : 1024;
		int64_t *grown = realloc(b->done_ids, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		b->done_ids = grown;
		b->cap_done_ids = cap;
	}
	b->done_ids[b->n_done_ids++] = id;
	return 0;
}

/* ---- progress and summary ---- */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void clock_text(double s, char *out, size_t n)
{
	long t = s < 0 ? 0 : s > 359999 ? 359999 : (long)(s + 0.5);
	if (t >= 3600)
		snprintf(out, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
}

struct progress {
	int tty, quiet;
	int tenths_shown;
	int width; /* of the last bar written */
	struct timespec t0;
};

/* On a terminal one line rewritten in place; otherwise a line at each
 * tenth of the way. */
static void show_progress(struct batch *b, struct progress *pr, int last)
{
	int64_t done = atomic_load(&b->examined), total = atomic_load(&b->to_examine);
	if (pr->quiet || total <= 0)
		return;
	double s = seconds_since(&pr->t0), rate = s > 0 ? (double)done / s : 0;
	double pct = 100.0 * (double)done / (double)total;
	char left[32];
	clock_text(rate > 0 && done < total ? (double)(total - done) / rate : 0, left, sizeof(left));
	if (pr->tty) {
		char bar[21];
		int filled = (int)(pct / 5);
		for (int i = 0; i < 20; i++)
			bar[i] = i < filled ? '#' : '.';
		bar[20] = '\0';
		int w = fprintf(stderr, "\r[%s] %lld/%lld %5.1f %% %7.0f/s %s left", bar, (long long)done,
				(long long)total, pct, rate, left);
		for (int i = w; i < pr->width; i++)
			fputc(' ', stderr);
		pr->width = w;
		if (last)
			fputc('\n', stderr);
		fflush(stderr);
		return;
	}
	int tenths = (int)(10 * done / total);
	if (tenths > pr->tenths_shown) {
		pr->tenths_shown = tenths;
		fprintf(stderr, "batch: %3d %% (%lld of %lld), %.0f/s, %s left\n", tenths * 10, (long long)done,
			(long long)total, rate, left);
	}
}

static int cmp_refusal(const void *x, const void *y)
{
	const struct refusal *a = x, *b = y;
	return (a->key > b->key) - (a->key < b->key);
}

static int cmp_reason(const void *x, const void *y)
{
	const struct reason *a = x, *b = y;
	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return strcmp(a->code, b->code);
}

struct outcome {
	const char *source;
	double seconds;
	int64_t stored_in_all; /* cases the intake's tags hold after the run */
};

static void print_text(const struct batch *b, const struct outcome *o)
{
	const struct tally *t = &b->total;
	int64_t autos = t->granted + t->partly + t->rejected, accepted = autos + t->manual + t->waiting;
	printf("batch: %s\n", o->source);
	if (b->from_registers) {
		printf("  persons examined           %lld of %lld\n", (long long)atomic_load(&b->examined),
		       (long long)atomic_load(&b->to_examine));
		printf("  without an enrolment       %lld\n", (long long)t->not_enrolled);
		if (t->unreached)
			printf("  schools did not answer     %lld (the next run asks again)\n", (long long)t->unreached);
	} else {
		printf("  lines                      %lld\n", (long long)b->applications);
	}
	printf("  stored before (skipped)    %lld\n", (long long)t->already);
	printf("  accepted                   %lld\n", (long long)accepted);
	printf("    decided automatically    %lld (granted %lld, partly granted %lld, rejected %lld)\n",
	       (long long)autos, (long long)t->granted, (long long)t->partly, (long long)t->rejected);
	printf("    manual                   %lld%s\n", (long long)t->manual,
	       t->n_reasons ? ", by reason (a case may have several):" : "");
	for (int i = 0; i < t->n_reasons; i++)
		printf("      %-24s %lld\n", t->reasons[i].code, (long long)t->reasons[i].n);
	printf("    waiting for registers    %lld%s\n", (long long)t->waiting,
	       t->waiting ? " (stipend work --registers URL decides them)" : "");
	printf("  refused                    %lld\n", (long long)b->refused);
	if (accepted > 0)
		printf("  automation rate            %.1f %% (decided automatically / accepted)\n",
		       100.0 * (double)autos / (double)accepted);
	else
		printf("  automation rate            - (nothing accepted)\n");
	printf("  time                       %.2f s, %.0f applications/s\n", o->seconds,
	       o->seconds > 0 ? (double)accepted / o->seconds : 0.0);
	printf("  stored for this intake     %lld in all (%s)\n", (long long)o->stored_in_all, b->prefix);
}

static void print_json(const struct batch *b, const struct outcome *o)
{
	const struct tally *t = &b->total;
	int64_t autos = t->granted + t->partly + t->rejected, accepted = autos + t->manual + t->waiting;
	json_t *reasons = json_object(), *refused = json_array();
	for (int i = 0; i < t->n_reasons; i++)
		json_object_set_new(reasons, t->reasons[i].code, json_integer(t->reasons[i].n));
	for (size_t i = 0; i < b->n_refusals; i++) {
		const struct refusal *r = &b->refusals[i];
		json_array_append_new(refused, json_pack("{s:I,s:s,s:s,s:s}", b->from_registers ? "person" : "line",
							 (json_int_t)r->key, "error", err_code_name(r->code), "field",
							 r->field, "message", r->message));
	}
	json_t *j = json_pack("{s:s,s:s}", "source", o->source, "intake", b->prefix);
	if (b->from_registers) {
		json_object_set_new(j, "persons", json_integer(atomic_load(&b->examined)));
		json_object_set_new(j, "not_enrolled", json_integer(t->not_enrolled));
		json_object_set_new(j, "unreached", json_integer(t->unreached));
	} else {
		json_object_set_new(j, "lines", json_integer(b->applications));
	}
	json_t *counts = json_pack("{s:I,s:I,s:{s:I,s:I,s:I,s:I},s:{s:I,s:o},s:I,s:I,s:o,s:o,s:f,s:f,s:I}",
					"stored_before", (json_int_t)t->already, "accepted", (json_int_t)accepted,
					"decided", "total", (json_int_t)autos, "granted", (json_int_t)t->granted,
					"partly-granted", (json_int_t)t->partly, "rejected", (json_int_t)t->rejected,
					"manual", "total", (json_int_t)t->manual, "reasons", reasons, "waiting",
					(json_int_t)t->waiting, "refused", (json_int_t)b->refused, "refused_lines", refused,
					"automation_rate",
					accepted > 0 ? json_real((double)autos / (double)accepted) : json_null(), "seconds",
					o->seconds, "per_second", o->seconds > 0 ? (double)accepted / o->seconds : 0.0,
					"stored_in_all", (json_int_t)o->stored_in_all);
	json_object_update(j, counts);
	json_decref(counts);
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	if (s != NULL)
		puts(s);
	free(s);
	json_decref(j);
}

/* ---- the command ---- */

/* Start the workers and the lister, show the progress until they are
 * done, and add up their tallies. */
static void run(struct batch *b, int threads, struct progress *pr)
{
	struct worker *workers = calloc((size_t)threads, sizeof(*workers));
	pthread_t lister;
	int started = 0, listing = 0;
	struct err e;
	if (workers == NULL) {
		err_set(&e, ERR_INTERNAL, NULL, "out of memory");
		fail(b, &e);
		return;
	}
	atomic_store(&b->workers_left, threads);
	if (b->from_registers) {
		listing = pthread_create(&lister, NULL, list_persons, b) == 0;
		if (!listing) {
			err_set(&e, ERR_INTERNAL, NULL, "cannot start a thread");
			fail(b, &e);
		}
	}
	for (; started < threads && !atomic_load(&b->stop); started++) {
		workers[started].b = b;
		arena_init(&workers[started].a, 0);
		if (pthread_create(&workers[started].thread, NULL, b->from_registers ? person_worker : file_worker,
				   &workers[started]) != 0) {
			arena_cleanup(&workers[started].a);
			err_set(&e, ERR_INTERNAL, NULL, "cannot start a thread");
			fail(b, &e);
			break;
		}
	}
	if (started < threads && atomic_fetch_sub(&b->workers_left, threads - started) == threads - started)
		queue_close(b);
	while (atomic_load(&b->workers_left) > 0) {
		struct timespec tick = {0, pr->tty ? 200000000 : 100000000};
		nanosleep(&tick, NULL);
		stopping(b);
		show_progress(b, pr, 0);
	}
	for (int i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
		add_tally(&b->total, &workers[i].t);
		arena_cleanup(&workers[i].a);
	}
	if (listing)
		pthread_join(lister, NULL);
	show_progress(b, pr, 1);
	free(workers);
}

/* Parse the options into b and the locals of cli_batch. Returns -1 to go
 * on, or the exit status. */
struct options {
	const char *db, *params_dir, *registers_url, *path;
	int threads, json;
	long long persons;
};

static int parse_options(int argc, char **argv, struct batch *b, struct options *o, struct progress *pr)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"threads", required_argument, NULL, 't'},
					     {"registers", required_argument, NULL, 'r'},
					     {"params", required_argument, NULL, 'p'},
					     {"from-registers", no_argument, NULL, 'F'},
					     {"per-person", no_argument, NULL, 'P'},
					     {"persons", required_argument, NULL, 'n'},
					     {"school-year", required_argument, NULL, 'y'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	date_t first, last;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': o->db = optarg; break;
		case 't':
			o->threads = (int)strtol(optarg, &end, 10);
			if (*end || o->threads < 1 || o->threads > 1024) {
				fprintf(stderr, "stipend batch: --threads must be a number from 1 to 1024\n");
				return 2;
			}
			break;
		case 'r': o->registers_url = optarg; break;
		case 'p': o->params_dir = optarg; break;
		case 'F': b->from_registers = 1; break;
		case 'P': b->per_person = 1; break;
		case 'n':
			o->persons = strtoll(optarg, &end, 10);
			if (*end || o->persons < 1 || o->persons > MAX_PERSONS) {
				fprintf(stderr, "stipend batch: --persons must be a number from 1 to %d\n", MAX_PERSONS);
				return 2;
			}
			break;
		case 'y': b->school_year = optarg; break;
		case 'q': pr->quiet = 1; break;
		case 'j': o->json = 1; break;
		case 'h': fputs(batch_help, stdout); return 0;
		default: fputs(batch_help, stderr); return 2;
		}
	}
	if (optind < argc)
		o->path = argv[optind];
	if (o->db == NULL || access(o->db, F_OK) != 0) {
		fprintf(stderr, "stipend batch: --db FILE is required and must exist (create it with stipend init)\n");
		return 2;
	}
	if (b->from_registers ? (o->path != NULL || o->registers_url == NULL || o->persons == 0)
			      : (o->path == NULL || optind + 1 < argc || o->persons != 0 || b->per_person)) {
		fprintf(stderr, "stipend batch: give FILE.jsonl, or --from-registers with --persons N and "
				"--registers URL\n\n");
		fputs(batch_help, stderr);
		return 2;
	}
	if (date_school_year(b->school_year, &first, &last) != 0) {
		fprintf(stderr, "stipend batch: --school-year must be a school year written 2024-2025\n");
		return 2;
	}
	/* Decided as of today, inside the school year applied for: the
	 * parameters of the year are in force on its days. */
	date_t today = date_today();
	date_format(today < first ? first : today > last ? last : today, b->decision_date);
	return -1;
}

int cli_batch(int argc, char **argv)
{
	struct options o = {NULL, NULL, NULL, NULL, 64, 0, 0};
	struct progress pr = {isatty(STDERR_FILENO), 0, 0, 0, {0, 0}};
	struct batch *b = calloc(1, sizeof(*b));
	struct params *p = NULL;
	struct store *s = NULL;
	struct cases_env env = {0};
	struct err e;
	int rc, version;
	char source[512];

	clock_gettime(CLOCK_MONOTONIC, &pr.t0);
	err_clear(&e);
	if (b == NULL) {
		fprintf(stderr, "stipend batch: out of memory\n");
		return 1;
	}
	b->school_year = "2024-2025";
	pthread_mutex_init(&b->mu, NULL);
	pthread_mutex_init(&b->q_mu, NULL);
	pthread_cond_init(&b->q_put, NULL);
	pthread_cond_init(&b->q_take, NULL);
	if ((rc = parse_options(argc, argv, b, &o, &pr)) >= 0)
		goto out;
	rc = 1;

	p = o.params_dir ? params_load_dir(o.params_dir, &e) : params_load_builtin(&e);
	if (p == NULL || (s = store_open(o.db, &e)) == NULL || store_schema_version(s, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend batch: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n",
			o.db, version, store_schema_expected(), o.db);
		rc = 2;
		goto out;
	}
	env.store = s;
	env.params = p;
	if (o.registers_url != NULL) {
		if ((b->reg = cases_use_registers(&env, o.registers_url, NULL, &e)) == NULL)
			goto fail;
	}
	b->env = &env;

	/* What the runs before this one stored is skipped. */
	if (b->from_registers) {
		snprintf(b->prefix, sizeof(b->prefix), "registers:%s:", b->school_year);
		snprintf(source, sizeof(source), "the registers' first %lld persons, school year %s", o.persons,
			 b->school_year);
		b->persons = o.persons;
		atomic_store(&b->to_examine, o.persons);
		/* Room for a chunk for every worker. */
		b->q_cap = (size_t)o.threads * BULK > QUEUE ? (size_t)o.threads * BULK : QUEUE;
		b->queue = malloc(b->q_cap * sizeof(*b->queue));
		if (b->queue == NULL) {
			err_set(&e, ERR_INTERNAL, NULL, "out of memory");
			goto fail;
		}
		if (store_intake_each(s, b->prefix, add_done_id, b, &e) < 0)
			goto fail;
		if (b->n_done_ids > 0)
			qsort(b->done_ids, b->n_done_ids, sizeof(int64_t), cmp_id);
	} else {
		if (open_intake(b, o.path, &e) != 0) {
			if (e.code != ERR_INVALID)
				goto fail;
			fprintf(stderr, "stipend batch: %s\n", e.message);
			rc = 2;
			goto out;
		}
		if (key_of_content(b, &e) != 0)
			goto fail;
		snprintf(source, sizeof(source), "%s", o.path);
		b->stored_before = calloc((size_t)(b->lines / 8 + 1), 1);
		if (b->stored_before == NULL) {
			err_set(&e, ERR_INTERNAL, NULL, "out of memory");
			goto fail;
		}
		int64_t before = store_intake_each(s, b->prefix, mark_line, b, &e);
		if (before < 0)
			goto fail;
		b->total.already = before;
		atomic_store(&b->to_examine, b->applications - before);
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	run(b, o.threads, &pr);

	struct outcome out = {source, seconds_since(&pr.t0), 0};
	out.stored_in_all = store_intake_each(s, b->prefix, NULL, NULL, &e);
	if (out.stored_in_all < 0)
		fail(b, &e);

	/* Refused lines by number, then the summary. */
	if (b->n_refusals > 0)
		qsort(b->refusals, b->n_refusals, sizeof(*b->refusals), cmp_refusal);
	qsort(b->total.reasons, (size_t)b->total.n_reasons, sizeof(*b->total.reasons), cmp_reason);
	for (size_t i = 0; i < b->n_refusals; i++) {
		const struct refusal *r = &b->refusals[i];
		fprintf(stderr, "stipend batch: %s %lld: %s%s%s\n", b->from_registers ? "person" : "line",
			(long long)r->key, r->field, r->field[0] ? ": " : "", r->message);
	}
	if (o.json)
		print_json(b, &out);
	else
		print_text(b, &out);
	fflush(stdout);
	if (b->failed) {
		fprintf(stderr, "stipend batch: stopped: %s; what is stored stays stored: run the same command again "
				"to go on\n",
			b->failure.message);
		rc = 1;
	} else if (interrupted) {
		fprintf(stderr, "stipend batch: interrupted; what is stored stays stored: run the same command again "
				"to go on\n");
		rc = 1;
	} else if (b->total.unreached > 0) {
		fprintf(stderr, "stipend batch: the schools did not answer for %lld persons: run the same command "
				"again to take them\n",
			(long long)b->total.unreached);
		rc = 1;
	} else {
		rc = b->refused > 0 ? 2 : 0;
	}
	goto out;
fail:
	fprintf(stderr, "stipend batch: %s\n", e.message);
	rc = 1;
out:
	if (b->data != NULL)
		munmap((void *)b->data, b->size);
	free(b->starts);
	free(b->stored_before);
	free(b->done_ids);
	free(b->queue);
	free(b->refusals);
	reg_client_free(b->reg);
	pthread_mutex_destroy(&b->mu);
	pthread_mutex_destroy(&b->q_mu);
	pthread_cond_destroy(&b->q_put);
	pthread_cond_destroy(&b->q_take);
	free(b);
	store_close(s);
	params_free(p);
	return rc;
}
