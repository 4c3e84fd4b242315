/* convert.c - `stipend convert --year Y`: the yearly conversion of loan to
 * grant (omgjøring) for the calendar year Y (the spring of (Y-1)-Y and the
 * autumn of Y-(Y+1)), on the registers' income, wealth and credits; a progress line, a summary,
 * and the ledger proved at the end (loans/convert.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/metrics.h"
#include "ledger/ledger.h"
#include "loans/convert.h"
#include "registers/registers.h"
#include "rules/params.h"
#include "store/store.h"

static const char convert_help[] =
	"Usage: stipend convert --db FILE --year Y --registers URL [--params DIR] [--date DAY] [--now TIME]\n\n"
	"Convert loan to grant for the CALENDAR year Y, as the agency does: income and\n"
	"wealth are checked per calendar year (the tax assessment's year), not per\n"
	"school year. Y's two semesters are converted: the spring of the school year\n"
	"(Y-1)-Y, then the autumn of Y-(Y+1). For each decided higher-education case of\n"
	"those school years, for those who lived away from home, the semester is decided\n"
	"again by the same rules with the tax authority's income and wealth for Y (and\n"
	"Y's limits); the semester's share of the convertible part (what was paid for\n"
	"its months: August-December, January-June) is converted in proportion to the\n"
	"semester's credits passed (30 at full load). Each case and semester gets a\n"
	"letter naming the semester and the income year, with the decision's trace, and\n"
	"a conversion entry in the ledger, effective DAY (default today). A run again\n"
	"converts nothing twice. The ledger is checked at the end.\n\n"
	"Exit status: 0, 1 when the store failed or the ledger does not hold, 2 bad usage.\n";

static void progress(void *ctx, int done)
{
	int *tty = ctx;
	if (*tty)
		fprintf(stderr, "\rconvert: %d cases", done);
	else if (done % 1000 == 0)
		fprintf(stderr, "convert: %d cases\n", done);
}

int cli_convert(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"year", required_argument, NULL, 'y'},
					     {"registers", required_argument, NULL, 'r'},
					     {"params", required_argument, NULL, 'p'},
					     {"date", required_argument, NULL, 'D'},
					     {"now", required_argument, NULL, 'n'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *db = NULL, *reg_url = NULL, *params_dir = NULL;
	long year = 0;
	int64_t now = 0;
	date_t on = 0;
	int have_on = 0, c, rc = 1, version;
	char *end;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'r': reg_url = optarg; break;
		case 'p': params_dir = optarg; break;
		case 'y':
			year = strtol(optarg, &end, 10);
			if (*end || year < 1900 || year > 2999) {
				fprintf(stderr, "stipend convert: --year must be a year such as 2024\n");
				return 2;
			}
			break;
		case 'D':
			if (date_parse(optarg, &on) != 0) {
				fprintf(stderr, "stipend convert: --date must be YYYY-MM-DD\n");
				return 2;
			}
			have_on = 1;
			break;
		case 'n':
			if (date_parse_timestamp(optarg, &now) != 0) {
				fprintf(stderr, "stipend convert: --now must be 2025-09-01 or 2025-09-01T12:00:00Z\n");
				return 2;
			}
			break;
		case 'h': fputs(convert_help, stdout); return 0;
		default: fputs(convert_help, stderr); return 2;
		}
	}
	if (db == NULL || access(db, F_OK) != 0 || year == 0 || reg_url == NULL) {
		fprintf(stderr, "stipend convert: --db FILE (existing), --year Y and --registers URL are required\n");
		return 2;
	}
	if (now == 0)
		now = date_now_unix();
	if (!have_on)
		on = (date_t)(now / 86400);
	struct err e;
	struct store *s = NULL;
	struct params *p = NULL;
	struct reg_client *reg = NULL;
	struct arena a;
	arena_init(&a, 0);
	if ((s = store_open(db, &e)) == NULL || store_schema_version(s, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend convert: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n", db,
			version, store_schema_expected(), db);
		rc = 2;
		goto out;
	}
	if ((p = params_dir ? params_load_dir(params_dir, &e) : params_load_builtin(&e)) == NULL)
		goto fail;
	if ((reg = reg_client_new(reg_url, NULL)) == NULL) {
		err_set(&e, ERR_INTERNAL, NULL, "out of memory");
		goto fail;
	}
	int tty = isatty(STDERR_FILENO);
	struct loans_convert_summary sum;
	if (loans_convert(s, p, reg, (int)year, on, now, progress, &tty, &sum, &e) != 0)
		goto fail;
	if (tty)
		fputc('\n', stderr);
	printf("calendar year %ld (the spring of %ld-%ld, the autumn of %ld-%ld): %d cases\n"
	       "converted: %d, %lld øre\nnothing to convert on the year's figures: %d\n"
	       "not convertible: %d\nno loan owed: %d\nconverted before: %d\nfor a case worker: %d\n"
	       "waiting for the registers: %d\n",
	       year, year - 1, year, year, year + 1, sum.cases, sum.converted, (long long)sum.converted_ore, sum.none_passed,
	       sum.not_convertible, sum.no_loan, sum.already, sum.manual, sum.waiting);
	struct ledger_report r;
	double t0 = metrics_clock();
	if (ledger_check(s, &r, &a, &e) != 0)
		goto fail;
	/* Where the time went (#11: a million in under two minutes). */
	fprintf(stderr,
		"convert: seconds: reading %.2f, registers %.2f, rules %.2f, writing %.2f (beside the others; waited "
		"for %.2f), ledger check %.2f\n",
		sum.t_read, sum.t_registers, sum.t_rules, sum.t_write, sum.t_wait, metrics_clock() - t0);
	for (int i = 0; i < r.n_problems; i++)
		fprintf(stderr, "ledger: %s\n", r.problems[i]);
	if (r.n_problems == 0)
		printf("ledger: %lld entries, %lld legs: every entry balances, every debt equals its postings\n",
		       (long long)r.entries, (long long)r.legs);
	rc = r.n_problems == 0 ? 0 : 1;
	goto out;
fail:
	fprintf(stderr, "stipend convert: %s\n", e.message);
	rc = e.code == ERR_INVALID ? 2 : 1;
out:
	reg_client_free(reg);
	params_free(p);
	store_close(s);
	arena_cleanup(&a);
	return rc;
}
