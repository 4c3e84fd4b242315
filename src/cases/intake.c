/* intake.c - the mass intake engine: a whole intake through the portal's
 * pipeline, many applications at once, restart-safe; see intake.h.
 *
 * Each application goes through cases_submit_intake(), the portal's
 * cases_submit() with an intake tag: validation, facts from the registers
 * when the environment gathers them, the decision, and case, decision,
 * letter and audit records in one transaction, or the case stored waiting
 * with a job. Many worker threads submit at once (`stipend batch` starts
 * 64), so that the store's group commit shares each fsync among many cases:
 * a thread spends most of a case waiting for the commit, not computing.
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
 * per_person still runs, as the peer the bulk path is measured against.
 * A register that fails a chunk's facts has each of its cases stored
 * waiting for that register, as the per-person path does.
 *
 * Nothing personal is printed or logged: a refused line is named by its
 * number (a person by the register's index) and the field. */
#include "cases/intake.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
#include "cases/application.h"
#include "cases/cases.h"
#include "cases/facts.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/nin.h"
#include "registers/registers.h"
#include "store/store.h"

#define CHUNK 16   /* lines a worker claims at once, their persons found in one read */
#define PAGE 1000  /* persons a page of the population register */
#define QUEUE 4096 /* persons listed and not yet taken by a worker, at least */
/* Persons a worker takes at once from the registers. Smaller chunks let
 * fetching and committing overlap sooner; from 32 to 256 the cost is the
 * same, and 64 was quickest at 10 000 persons (bench/batch.sh). */
#define BULK 64
#define MAX_CHILDREN 8                     /* children carried from the population list */
#define MAX_CODES CASES_INTAKE_MAX_REASONS /* distinct manual reason codes counted */
#define MAX_PERSONS 100000000

struct reason {
	const char *code; /* static: the rules' own strings */
	int64_t n;
};

/* What a worker saw; the workers' tallies are added up at the end, so
 * that counting takes no lock. */
struct tally {
	int64_t granted, partly, rejected, manual, waiting, already, not_enrolled, unreached;
	int64_t applied; /* #15: the person had applied already (one application rule) */
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
	date_t decision_date;
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
	atomic_int register_ended; /* the register listed fewer persons than asked */
	atomic_int stop;
	atomic_int workers_left;

	/* Refusals and the first failure, under mu. */
	pthread_mutex_t mu;
	struct cases_intake_refusal *refusals;
	size_t n_refusals, cap_refusals;
	int64_t refused;
	int failed;
	struct err failure;
	int stopped; /* the progress function asked to stop */

	struct tally total; /* the workers' tallies added up */
};

struct worker {
	struct batch *b;
	pthread_t thread;
	struct tally t;
	struct arena a;
};

static int stopping(struct batch *b)
{
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
	struct cases_intake_refusal r = {key, code, "", ""};
	va_list ap;
	snprintf(r.field, sizeof(r.field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(r.message, sizeof(r.message), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&b->mu);
	if (b->n_refusals == b->cap_refusals) {
		size_t cap = b->cap_refusals ? 2 * b->cap_refusals : 64;
		struct cases_intake_refusal *grown = realloc(b->refusals, cap * sizeof(*grown));
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
	to->applied += t->applied;
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
		} else if (e.code == ERR_CONFLICT && strcmp(e.field, "application") == 0) {
			w->t.applied++; /* #15: the person has applied already */
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
	json_object_foreach(j, key, v)
	{
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
		refuse(b, line, ERR_INVALID, "application",
		       "is required: the application as the decision contract writes it");
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
		return err_set(e, ERR_INVALID, "FILE", "%s: must be a regular file (a run is resumed by its content)",
		               path);
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
			/* The register holds fewer: the progress shrinks to them,
			 * and the summary says so. */
			atomic_store(&b->to_examine, offset);
			atomic_store(&b->register_ended, 1);
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

/* The application a student's enrolment makes, by the one application
 * builder: the scheme by its level, its load and dates; marriage, children
 * and living with the parents as the population register has them. The
 * registers complete the rest at submit (the parents' incomes, the travel
 * where the school does not report it). NULL with e filled: ERR_INVALID
 * naming the answer refused, or out of memory. */
static json_t *application_of(const struct batch *b, const struct listed *p, const struct reg_enrolment *en,
                              struct err *e)
{
	struct cases_answers a;
	memset(&a, 0, sizeof(a));
	a.upper = en->level == REG_UPPER_SECONDARY;
	a.school_year = b->school_year;
	a.decision_date = b->decision_date;
	a.birth_date = p->birth;
	a.lives_with_parents = p->lives_with_parents != 0;
	a.married = p->married != 0;
	a.with_children = 1;
	a.n_children = p->n_children;
	a.children = p->children;
	a.load_percent = en->load_percent;
	a.start = en->start;
	a.end = en->end;
	a.with_equipment_rate = 1;
	a.equipment_rate = en->equipment_rate;
	if (a.upper) {
		a.with_travel = en->has_travel;
		a.distance_km = en->travel.distance_km;
		a.daily_travel_minutes = en->travel.daily_travel_minutes;
		a.walking_km = en->travel.walking_km;
		a.with_special = 1;
		a.special_circumstances = 0;
	} else {
		int months = date_months_touched(en->start, en->end);
		a.with_loan = 1;
		a.months_requested = months < 1 ? 1 : months > CASES_MAX_MONTHS ? CASES_MAX_MONTHS : months;
	}
	return cases_application_build(&a, e);
}

/* An application the builder could not make: refused by the answer it
 * names, or the run stops (out of memory). */
static void not_built(struct batch *b, int64_t key, const struct err *e)
{
	if (e->code != ERR_INVALID) {
		fail(b, e);
		return;
	}
	char field[112];
	snprintf(field, sizeof(field), "application%s%s", e->field[0] ? "." : "", e->field);
	refuse(b, key, e->code, field, "%s", e->message);
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
	json_t *app = application_of(b, p, &ens.items[0], &e);
	if (app == NULL) {
		not_built(b, p->index, &e);
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
		json_t *app = application_of(b, who[i], &ens[i].items[0], &e);
		if (app == NULL) {
			not_built(b, who[i]->index, &e);
			atomic_fetch_add(&b->examined, 1);
			continue;
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

/* ---- the run ---- */

/* Tell the progress function how far the run is; it may stop the run. */
static void progress(struct batch *b, const struct cases_intake_options *o, int last)
{
	if (o->progress != NULL &&
	    o->progress(o->progress_ctx, atomic_load(&b->examined), atomic_load(&b->to_examine), last) != 0 && !last) {
		b->stopped = 1;
		atomic_store(&b->stop, 1);
	}
}

/* Start the workers and the lister, report the progress until they are
 * done, and add up their tallies. */
static void run(struct batch *b, const struct cases_intake_options *o)
{
	int threads = o->threads;
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
		struct timespec tick = {o->interval_ms / 1000, (long)(o->interval_ms % 1000) * 1000000};
		nanosleep(&tick, NULL);
		progress(b, o, 0);
	}
	for (int i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
		add_tally(&b->total, &workers[i].t);
		arena_cleanup(&workers[i].a);
	}
	if (listing)
		pthread_join(lister, NULL);
	progress(b, o, 1);
	free(workers);
}

static int cmp_refusal(const void *x, const void *y)
{
	const struct cases_intake_refusal *a = x, *b = y;
	return (a->key > b->key) - (a->key < b->key);
}

static int cmp_reason(const void *x, const void *y)
{
	const struct reason *a = x, *b = y;
	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return strcmp(a->code, b->code);
}

static void batch_free(struct batch *b)
{
	if (b->data != NULL)
		munmap((void *)b->data, b->size);
	free(b->starts);
	free(b->stored_before);
	free(b->done_ids);
	free(b->queue);
	free(b->refusals);
	pthread_mutex_destroy(&b->mu);
	pthread_mutex_destroy(&b->q_mu);
	pthread_cond_destroy(&b->q_put);
	pthread_cond_destroy(&b->q_take);
	free(b);
}

/* What the runs before this one stored is skipped: read their tags. */
static int prepare(struct batch *b, const struct cases_intake_options *o, struct err *e)
{
	struct store *s = o->env->store;
	if (b->from_registers) {
		if (b->reg == NULL)
			return err_set(e, ERR_INVALID, "registers", "an intake from the registers needs the registers");
		snprintf(b->prefix, sizeof(b->prefix), "registers:%s:", b->school_year);
		b->persons = o->persons;
		atomic_store(&b->to_examine, o->persons);
		/* Room for a chunk for every worker. */
		b->q_cap = (size_t)o->threads * BULK > QUEUE ? (size_t)o->threads * BULK : QUEUE;
		b->queue = malloc(b->q_cap * sizeof(*b->queue));
		if (b->queue == NULL)
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		if (store_intake_each(s, b->prefix, add_done_id, b, e) < 0)
			return -1;
		if (b->n_done_ids > 0)
			qsort(b->done_ids, b->n_done_ids, sizeof(int64_t), cmp_id);
		return 0;
	}
	if (open_intake(b, o->path, e) != 0 || key_of_content(b, e) != 0)
		return -1;
	b->stored_before = calloc((size_t)(b->lines / 8 + 1), 1);
	if (b->stored_before == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	int64_t before = store_intake_each(s, b->prefix, mark_line, b, e);
	if (before < 0)
		return -1;
	b->total.already = before;
	atomic_store(&b->to_examine, b->applications - before);
	return 0;
}

int cases_intake_run(const struct cases_intake_options *o, struct cases_intake_outcome *out, struct err *e)
{
	struct batch *b = calloc(1, sizeof(*b));
	memset(out, 0, sizeof(*out));
	if (b == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	pthread_mutex_init(&b->mu, NULL);
	pthread_mutex_init(&b->q_mu, NULL);
	pthread_cond_init(&b->q_put, NULL);
	pthread_cond_init(&b->q_take, NULL);
	b->env = o->env;
	b->from_registers = o->from_registers;
	b->per_person = o->per_person;
	b->school_year = o->school_year;
	b->decision_date = o->decision_date;
	b->reg = o->env->registers;
	if (prepare(b, o, e) != 0) {
		batch_free(b);
		return -1;
	}

	run(b, o);

	struct err ce;
	out->stored_in_all = store_intake_each(o->env->store, b->prefix, NULL, NULL, &ce);
	if (out->stored_in_all < 0)
		fail(b, &ce);

	/* Refused lines by number, the manual cases' reasons most frequent
	 * first. */
	if (b->n_refusals > 0)
		qsort(b->refusals, b->n_refusals, sizeof(*b->refusals), cmp_refusal);
	qsort(b->total.reasons, (size_t)b->total.n_reasons, sizeof(*b->total.reasons), cmp_reason);
	const struct tally *t = &b->total;
	snprintf(out->intake, sizeof(out->intake), "%s", b->prefix);
	out->lines = b->applications;
	out->examined = atomic_load(&b->examined);
	out->to_examine = atomic_load(&b->to_examine);
	out->persons_asked = b->from_registers ? b->persons : 0;
	out->register_holds = b->from_registers && b->register_ended ? out->to_examine : -1;
	out->granted = t->granted;
	out->partly = t->partly;
	out->rejected = t->rejected;
	out->manual = t->manual;
	out->waiting = t->waiting;
	out->already = t->already;
	out->applied = t->applied;
	out->not_enrolled = t->not_enrolled;
	out->unreached = t->unreached;
	for (int i = 0; i < t->n_reasons; i++) {
		out->reasons[i].code = t->reasons[i].code;
		out->reasons[i].n = t->reasons[i].n;
	}
	out->n_reasons = t->n_reasons;
	out->refusals = b->refusals;
	out->n_refusals = b->n_refusals;
	b->refusals = NULL;
	out->refused = b->refused;
	out->failed = b->failed;
	out->failure = b->failure;
	out->stopped = b->stopped;
	batch_free(b);
	return 0;
}

void cases_intake_outcome_cleanup(struct cases_intake_outcome *out)
{
	free(out->refusals);
	out->refusals = NULL;
	out->n_refusals = 0;
}
