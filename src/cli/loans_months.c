/* loans_months.c - `stipend loans run --from MONTH --through MONTH`: the
 * loan account's months in turn in one process (loans/monthly.h), with the
 * benchmark's bank when asked (--bench-bank), and the ledger proved once at
 * the end. For catching up months and for the whole-life benchmark
 * (bench/loans.sh); `stipend loans run --through DAY` is the one run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "loans/monthly.h"
#include "rules/params.h"
#include "store/store.h"

static const char months_help[] =
	"Usage: stipend loans run --db FILE --from YYYY-MM --through YYYY-MM [OPTIONS]\n\n"
	"Run the loan accounts' months in turn: for each month the invoices due in it\n"
	"(the run through its first day), the bank's payments when a bank is given,\n"
	"and the month's interest and reminders (the run through its last day). The\n"
	"ledger is proved once at the end (stipend ledger check).\n\n"
	"  --params DIR        the parameters (default: the compiled-in ones)\n"
	"  --bench-bank        the benchmark's bank: every open invoice is paid in\n"
	"                      full on its due day, reported as camt.054 and booked\n"
	"                      as `stipend loans import` books a report\n"
	"  --bank-dir DIR      with --bench-bank: keep each month's report there\n"
	"  --now TIME          as of TIME (default now)\n\n"
	"Exit status: 0, 1 when the store failed, an account failed or the ledger\n"
	"does not hold, 2 bad usage.\n";

static int parse_month(const char *s, date_t *d)
{
	char day[16];
	if (strlen(s) != 7)
		return -1;
	snprintf(day, sizeof(day), "%s-01", s);
	return date_parse(day, d);
}

struct progress {
	int tty;
	double t0;
};

static double clock_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(void *ctx, date_t month, const struct loans_months_summary *sum)
{
	struct progress *pr = ctx;
	char day[11];
	date_format(month, day);
	day[7] = '\0';
	if (pr->tty)
		fprintf(stderr, "\rloans: %s, %d months, %lld account-months", day, sum->months,
			(long long)sum->account_months);
	else if (sum->months % 12 == 0)
		fprintf(stderr, "loans: %s, %d months, %lld account-months, %.1f s\n", day, sum->months,
			(long long)sum->account_months, clock_s() - pr->t0);
}

int cli_loans_months(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"params", required_argument, NULL, 'p'},
					     {"from", required_argument, NULL, 'f'},
					     {"through", required_argument, NULL, 't'},
					     {"bench-bank", no_argument, NULL, 'b'},
					     {"bank-dir", required_argument, NULL, 'B'},
					     {"now", required_argument, NULL, 'n'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *db = NULL, *params_dir = NULL, *bank_dir = NULL;
	date_t from = 0, through = 0;
	int have_from = 0, have_through = 0, bench_bank = 0, c;
	int64_t now = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'p': params_dir = optarg; break;
		case 'b': bench_bank = 1; break;
		case 'B': bank_dir = optarg; break;
		case 'f':
			if (parse_month(optarg, &from) != 0) {
				fprintf(stderr, "stipend loans run: --from must be a month such as 2025-01\n");
				return 2;
			}
			have_from = 1;
			break;
		case 't':
			if (parse_month(optarg, &through) != 0) {
				fprintf(stderr, "stipend loans run: --through must be a month such as 2049-12 with --from\n");
				return 2;
			}
			have_through = 1;
			break;
		case 'n':
			if (date_parse_timestamp(optarg, &now) != 0) {
				fprintf(stderr, "stipend loans run: --now must be 2025-09-01 or 2025-09-01T12:00:00Z\n");
				return 2;
			}
			break;
		case 'h': fputs(months_help, stdout); return 0;
		default: fputs(months_help, stderr); return 2;
		}
	}
	if (db == NULL || access(db, F_OK) != 0 || !have_from || !have_through || through < from ||
	    (bank_dir && !bench_bank)) {
		fputs(months_help, stderr);
		return 2;
	}
	if (now == 0)
		now = date_now_unix();
	struct err e;
	struct arena a;
	struct params *p = NULL;
	struct store *s = NULL;
	int rc = 1, version;
	err_clear(&e);
	arena_init(&a, 0);
	if ((s = store_open(db, &e)) == NULL || store_schema_version(s, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend loans run: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n",
			db, version, store_schema_expected(), db);
		rc = 2;
		goto out;
	}
	p = params_dir ? params_load_dir(params_dir, &e) : params_load_builtin(&e);
	if (p == NULL)
		goto fail;
	struct progress pr = {isatty(STDERR_FILENO), clock_s()};
	struct loans_months_summary sum;
	/* through is the month's first day: its last is the month's end. */
	int y, m, d;
	date_to_ymd(through, &y, &m, &d);
	date_t last = (m == 12 ? date_from_ymd(y + 1, 1, 1) : date_from_ymd(y, m + 1, 1)) - 1;
	int ran = loans_run_months(s, p, from, last, now, bench_bank ? loans_bench_bank : NULL, (void *)bank_dir,
				   progress, &pr, &sum, &e);
	double secs = clock_s() - pr.t0;
	if (pr.tty)
		fputc('\n', stderr);
	printf("months: %d\naccount-months: %lld (%.0f a second)\ninterest: %lld entries, %lld øre\n"
	       "invoices: %lld, %lld øre\nreminders: %lld\n",
	       sum.months, (long long)sum.account_months, secs > 0 ? (double)sum.account_months / secs : 0.0,
	       (long long)sum.interest_entries, (long long)sum.interest, (long long)sum.invoices,
	       (long long)sum.invoiced, (long long)sum.reminders);
	if (bench_bank)
		printf("payments: %d credits, %d matched (%lld øre), %d already booked, %d unknown KID, %d more than the debt\n",
		       sum.paid.credits, sum.paid.matched, (long long)sum.paid.matched_ore, sum.paid.duplicates,
		       sum.paid.unknown_kid, sum.paid.overpaid);
	if (sum.waiting_for_rate)
		printf("waiting for a rate: %lld account-runs (first missing: %s)\n", (long long)sum.waiting_for_rate,
		       sum.missing_rate);
	if (sum.failed)
		printf("failed: %lld account-runs (see the log)\n", (long long)sum.failed);
	printf("seconds: %.1f\n", secs);
	if (ran != 0)
		goto fail;
	struct ledger_report r;
	if (ledger_check(s, &r, &a, &e) != 0)
		goto fail;
	for (int i = 0; i < r.n_problems; i++)
		fprintf(stderr, "ledger: %s\n", r.problems[i]);
	if (r.n_problems == 0)
		printf("ledger: %lld entries, %lld legs: every entry balances, every debt equals its postings\n",
		       (long long)r.entries, (long long)r.legs);
	rc = r.n_problems || sum.failed ? 1 : 0;
	goto out;
fail:
	fprintf(stderr, "stipend loans run: %s\n", e.message);
	rc = e.code == ERR_INVALID ? 2 : 1;
out:
	params_free(p);
	store_close(s);
	arena_cleanup(&a);
	return rc;
}
