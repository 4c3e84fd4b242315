/* batch.c - `stipend batch`: a whole intake through the pipeline the portal
 * uses, with a progress bar, a summary, and a run that can be killed and
 * started again without losing or doubling a case.
 *
 * The engine (threads, queue, chunks, restart safety by intake tags, the
 * tallies) is cases_intake_run() (cases/intake.h); this command parses the
 * options, opens the database, the parameters and the registers, shows the
 * progress (a bar on a terminal, else a line every tenth) and prints the
 * summary as text or JSON. SIGINT and SIGTERM stop the run at the next
 * progress report: what is stored stays stored, and the same command goes
 * on from there.
 *
 * Nothing personal is printed or logged: a refused line is named by its
 * number (a person by the register's index) and the field. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cases/cases.h"
#include "cases/intake.h"
#include "cli/cli.h"
#include "core/date.h"
#include "core/err.h"
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

#define MAX_PERSONS 100000000

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
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
	double seconds; /* when the run's work was done */
};

/* The engine's progress function: on a terminal one line rewritten in
 * place; otherwise a line at each tenth of the way. A signal stops the
 * run. */
static int show_progress(void *ctx, int64_t done, int64_t total, int last)
{
	struct progress *pr = ctx;
	if (last)
		pr->seconds = seconds_since(&pr->t0);
	if (pr->quiet || total <= 0)
		return interrupted;
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
		return interrupted;
	}
	int tenths = (int)(10 * done / total);
	if (tenths > pr->tenths_shown) {
		pr->tenths_shown = tenths;
		fprintf(stderr, "batch: %3d %% (%lld of %lld), %.0f/s, %s left\n", tenths * 10, (long long)done,
			(long long)total, rate, left);
	}
	return interrupted;
}

struct summary {
	const char *source;
	double seconds;
	int from_registers;
};

static void print_text(const struct cases_intake_outcome *t, const struct summary *o)
{
	int64_t autos = t->granted + t->partly + t->rejected, accepted = autos + t->manual + t->waiting;
	printf("batch: %s\n", o->source);
	if (o->from_registers) {
		printf("  persons examined           %lld of %lld\n", (long long)t->examined, (long long)t->to_examine);
		/* #9: a register smaller than the run asked for is said, not
		 * hidden in a smaller total. */
		if (t->register_holds >= 0)
			printf("  persons asked for          %lld: the population register holds only %lld\n",
			       (long long)t->persons_asked, (long long)t->register_holds);
		printf("  without an enrolment       %lld\n", (long long)t->not_enrolled);
		if (t->unreached)
			printf("  schools did not answer     %lld (the next run asks again)\n", (long long)t->unreached);
	} else {
		printf("  lines                      %lld\n", (long long)t->lines);
	}
	printf("  stored before (skipped)    %lld\n", (long long)t->already);
	printf("  already applied (skipped)  %lld\n", (long long)t->applied);
	printf("  accepted                   %lld\n", (long long)accepted);
	printf("    decided automatically    %lld (granted %lld, partly granted %lld, rejected %lld)\n",
	       (long long)autos, (long long)t->granted, (long long)t->partly, (long long)t->rejected);
	printf("    manual                   %lld%s\n", (long long)t->manual,
	       t->n_reasons ? ", by reason (a case may have several):" : "");
	for (int i = 0; i < t->n_reasons; i++)
		printf("      %-24s %lld\n", t->reasons[i].code, (long long)t->reasons[i].n);
	printf("    waiting for registers    %lld%s\n", (long long)t->waiting,
	       t->waiting ? " (stipend work --registers URL decides them)" : "");
	printf("  refused                    %lld\n", (long long)t->refused);
	if (accepted > 0)
		printf("  automation rate            %.1f %% (decided automatically / accepted)\n",
		       100.0 * (double)autos / (double)accepted);
	else
		printf("  automation rate            - (nothing accepted)\n");
	printf("  time                       %.2f s, %.0f applications/s\n", o->seconds,
	       o->seconds > 0 ? (double)accepted / o->seconds : 0.0);
	printf("  stored for this intake     %lld in all (%s)\n", (long long)t->stored_in_all, t->intake);
}

static void print_json(const struct cases_intake_outcome *t, const struct summary *o)
{
	int64_t autos = t->granted + t->partly + t->rejected, accepted = autos + t->manual + t->waiting;
	json_t *reasons = json_object(), *refused = json_array();
	for (int i = 0; i < t->n_reasons; i++)
		json_object_set_new(reasons, t->reasons[i].code, json_integer(t->reasons[i].n));
	for (size_t i = 0; i < t->n_refusals; i++) {
		const struct cases_intake_refusal *r = &t->refusals[i];
		json_array_append_new(refused, json_pack("{s:I,s:s,s:s,s:s}", o->from_registers ? "person" : "line",
							 (json_int_t)r->key, "error", err_code_name(r->code), "field",
							 r->field, "message", r->message));
	}
	json_t *j = json_pack("{s:s,s:s}", "source", o->source, "intake", t->intake);
	if (o->from_registers) {
		json_object_set_new(j, "persons", json_integer(t->examined));
		json_object_set_new(j, "persons_asked", json_integer(t->persons_asked));
		json_object_set_new(j, "register_holds",
				    t->register_holds >= 0 ? json_integer(t->register_holds) : json_null());
		json_object_set_new(j, "not_enrolled", json_integer(t->not_enrolled));
		json_object_set_new(j, "unreached", json_integer(t->unreached));
	} else {
		json_object_set_new(j, "lines", json_integer(t->lines));
	}
	json_t *counts = json_pack("{s:I,s:I,s:{s:I,s:I,s:I,s:I},s:{s:I,s:o},s:I,s:I,s:o,s:o,s:f,s:f,s:I}",
					"stored_before", (json_int_t)t->already, "accepted", (json_int_t)accepted,
					"decided", "total", (json_int_t)autos, "granted", (json_int_t)t->granted,
					"partly-granted", (json_int_t)t->partly, "rejected", (json_int_t)t->rejected,
					"manual", "total", (json_int_t)t->manual, "reasons", reasons, "waiting",
					(json_int_t)t->waiting, "refused", (json_int_t)t->refused, "refused_lines", refused,
					"automation_rate",
					accepted > 0 ? json_real((double)autos / (double)accepted) : json_null(), "seconds",
					o->seconds, "per_second", o->seconds > 0 ? (double)accepted / o->seconds : 0.0,
					"stored_in_all", (json_int_t)t->stored_in_all);
	json_object_update(j, counts);
	json_decref(counts);
	/* #15: persons with an application for the scheme and year already
	 * (made in the portal, or by an earlier intake), skipped. */
	json_object_set_new(j, "already_applied", json_integer(t->applied));
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	if (s != NULL)
		puts(s);
	free(s);
	json_decref(j);
}

/* ---- the command ---- */

struct options {
	const char *db, *params_dir, *registers_url, *path;
	int threads, json;
	long long persons;
	int from_registers, per_person;
	const char *school_year;
	date_t decision_date;
};

/* Parse the options into o and pr. Returns -1 to go on, or the exit
 * status. */
static int parse_options(int argc, char **argv, struct options *o, struct progress *pr)
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
		case 'F': o->from_registers = 1; break;
		case 'P': o->per_person = 1; break;
		case 'n':
			o->persons = strtoll(optarg, &end, 10);
			if (*end || o->persons < 1 || o->persons > MAX_PERSONS) {
				fprintf(stderr, "stipend batch: --persons must be a number from 1 to %d\n", MAX_PERSONS);
				return 2;
			}
			break;
		case 'y': o->school_year = optarg; break;
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
	if (o->from_registers ? (o->path != NULL || o->registers_url == NULL || o->persons == 0)
			      : (o->path == NULL || optind + 1 < argc || o->persons != 0 || o->per_person)) {
		fprintf(stderr, "stipend batch: give FILE.jsonl, or --from-registers with --persons N and "
				"--registers URL\n\n");
		fputs(batch_help, stderr);
		return 2;
	}
	if (date_school_year(o->school_year, &first, &last) != 0) {
		fprintf(stderr, "stipend batch: --school-year must be a school year written 2024-2025\n");
		return 2;
	}
	/* Decided as of today, inside the school year applied for: the
	 * parameters of the year are in force on its days. */
	date_t today = date_today();
	o->decision_date = today < first ? first : today > last ? last : today;
	return -1;
}

int cli_batch(int argc, char **argv)
{
	struct options o = {NULL, NULL, NULL, NULL, 64, 0, 0, 0, 0, "2024-2025", 0};
	struct progress pr = {isatty(STDERR_FILENO), 0, 0, 0, {0, 0}, 0};
	struct cases_intake_outcome out;
	struct params *p = NULL;
	struct store *s = NULL;
	struct reg_client *reg = NULL;
	struct cases_env env = {0};
	struct err e;
	int rc, version;
	char source[512];

	clock_gettime(CLOCK_MONOTONIC, &pr.t0);
	err_clear(&e);
	memset(&out, 0, sizeof(out));
	if ((rc = parse_options(argc, argv, &o, &pr)) >= 0)
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
		if ((reg = cases_use_registers(&env, o.registers_url, NULL, &e)) == NULL)
			goto fail;
	}
	if (o.from_registers)
		snprintf(source, sizeof(source), "the registers' first %lld persons, school year %s", o.persons,
			 o.school_year);
	else
		snprintf(source, sizeof(source), "%s", o.path);

	struct cases_intake_options io = {&env,
					  o.from_registers ? NULL : o.path,
					  o.from_registers,
					  o.per_person,
					  o.persons,
					  o.school_year,
					  o.decision_date,
					  o.threads,
					  pr.tty ? 200 : 100,
					  show_progress,
					  &pr};
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (cases_intake_run(&io, &out, &e) != 0) {
		if (e.code != ERR_INVALID)
			goto fail;
		fprintf(stderr, "stipend batch: %s\n", e.message);
		rc = 2;
		goto out;
	}

	/* Refused lines by number, then the summary. */
	struct summary sum = {source, pr.seconds, o.from_registers};
	for (size_t i = 0; i < out.n_refusals; i++) {
		const struct cases_intake_refusal *r = &out.refusals[i];
		fprintf(stderr, "stipend batch: %s %lld: %s%s%s\n", o.from_registers ? "person" : "line",
			(long long)r->key, r->field, r->field[0] ? ": " : "", r->message);
	}
	if (o.json)
		print_json(&out, &sum);
	else
		print_text(&out, &sum);
	fflush(stdout);
	if (o.from_registers && out.register_holds >= 0)
		fprintf(stderr,
			"stipend batch: asked for %lld persons, but the population register holds only %lld: "
			"examined those (a larger population: stipend-sim serve --persons N)\n",
			(long long)out.persons_asked, (long long)out.register_holds);
	if (out.failed) {
		fprintf(stderr, "stipend batch: stopped: %s; what is stored stays stored: run the same command again "
				"to go on\n",
			out.failure.message);
		rc = 1;
	} else if (interrupted) {
		fprintf(stderr, "stipend batch: interrupted; what is stored stays stored: run the same command again "
				"to go on\n");
		rc = 1;
	} else if (out.unreached > 0) {
		fprintf(stderr, "stipend batch: the schools did not answer for %lld persons: run the same command "
				"again to take them\n",
			(long long)out.unreached);
		rc = 1;
	} else {
		rc = out.refused > 0 ? 2 : 0;
	}
	goto out;
fail:
	fprintf(stderr, "stipend batch: %s\n", e.message);
	rc = 1;
out:
	cases_intake_outcome_cleanup(&out);
	reg_client_free(reg);
	store_close(s);
	params_free(p);
	return rc;
}
