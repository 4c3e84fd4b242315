/* payout.c - `stipend payout`: the daily payout run for a day, by hand or
 * from cron; the job runner runs the same function (payout/payout.h). It
 * prints what it did as one JSON object. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/date.h"
#include "core/err.h"
#include "payout/payout.h"
#include "registers/registers.h"
#include "store/store.h"

static const char payout_help[] =
    "Usage: stipend payout --db FILE [--date YYYY-MM-DD] [--dir DIR] [--registers URL]\n"
    "                      [--bank URL] [--now TIME] [--no-validate] [--plan]\n\n"
    "The daily payout run for a day: plan every decision decided since it was\n"
    "last planned (paid too much under an earlier decision becomes a claim with\n"
    "a letter), take the schools register's confirmations and the account\n"
    "register's accounts, then gather every payment due on the day whose\n"
    "conditions hold (agreement signed, account of the person's own, school\n"
    "year confirmed) into one ISO 20022 pain.001.001.03 file in DIR, validated,\n"
    "send it to the bank and take its answers (pain.002) and booked credits\n"
    "(camt.054). Running a day again pays nothing twice; a run killed before it\n"
    "recorded its file has paid nothing, and one killed after is sent by the\n"
    "next run.\n\n"
    "  --db FILE         the database\n"
    "  --date DAY        the run's day (default today, UTC)\n"
    "  --dir DIR         where payment files are written (default .)\n"
    "  --registers URL   the registers: accounts and confirmations (optional)\n"
    "  --bank URL        the bank; without it files are written and wait\n"
    "  --now TIME        the moment recorded (default now; for tests)\n"
    "  --no-validate     skip the schema validation of the file\n"
    "  --plan            only plan: make the payout plan of every decision not\n"
    "                    yet planned, in batches (each decision's job does it\n"
    "                    when the decision is stored; this catches up a bulk\n"
    "                    load), and pay nothing\n\n"
    "Exit status: 0 done, 1 the machine failed (what was committed stays), 2 bad usage.\n";

int cli_payout(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},        {"date", required_argument, NULL, 't'},
	    {"dir", required_argument, NULL, 'o'},       {"registers", required_argument, NULL, 'r'},
	    {"bank", required_argument, NULL, 'b'},      {"now", required_argument, NULL, 'n'},
	    {"no-validate", no_argument, NULL, 'V'},     {"help", no_argument, NULL, 'h'},
	    {"plan", no_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0}};
	const char *db = NULL;
	struct payout_env env = {0};
	date_t date = date_today();
	int64_t now = date_now_unix();
	int c, version, rc = 1, plan_only = 0;
	struct err e;
	err_clear(&e);
	env.dir = ".";
	env.validate = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 't':
			if (date_parse(optarg, &date) != 0) {
				fprintf(stderr, "stipend payout: --date must be a date, YYYY-MM-DD\n");
				return 2;
			}
			break;
		case 'o': env.dir = optarg; break;
		case 'r': env.registers_url = optarg; break;
		case 'b': env.bank_url = optarg; break;
		case 'n':
			if (date_parse_timestamp(optarg, &now) != 0) {
				fprintf(stderr, "stipend payout: --now must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ\n");
				return 2;
			}
			break;
		case 'V': env.validate = 0; break;
		case 'p': plan_only = 1; break;
		case 'h': fputs(payout_help, stdout); return 0;
		default: fputs(payout_help, stderr); return 2;
		}
	}
	struct stat st;
	if (db == NULL || access(db, F_OK) != 0) {
		fprintf(stderr, "stipend payout: --db FILE is required and must exist\n");
		return 2;
	}
	if (stat(env.dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "stipend payout: --dir must be a directory\n");
		return 2;
	}
	if ((env.store = store_open(db, &e)) == NULL || store_schema_version(env.store, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend payout: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n",
			db, version, store_schema_expected(), db);
		rc = 2;
		goto out;
	}
	if (env.registers_url && (env.registers = reg_client_new(env.registers_url, NULL)) == NULL) {
		err_set(&e, ERR_INTERNAL, NULL, "out of memory");
		goto fail;
	}
	struct payout_run_result r;
	memset(&r, 0, sizeof(r));
	if (plan_only) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (payout_plan_all(&env, now, &r, &e) != 0)
			goto fail;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r.ms_plan = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	} else if (payout_run(&env, date, now, &r, &e) != 0) {
		goto fail;
	}
	char day[11];
	printf("{\"date\":\"%s\",\"planned\":%lld,\"claims\":%lld,\"accounts\":%lld,\"run_id\":%lld,"
	       "\"payments\":%lld,\"total_ore\":%lld,\"file\":\"%s\",\"accepted\":%lld,\"rejected\":%lld,"
	       "\"booked\":%lld,\"ms\":{\"plan\":%.0f,\"bind\":%.0f,\"file\":%.0f,\"validate\":%.0f,"
	       "\"commit\":%.0f}}\n",
	       date_format(date, day), (long long)r.planned, (long long)r.claims, (long long)r.accounts,
	       (long long)r.run_id, (long long)r.payments, (long long)r.total_ore, r.file, (long long)r.accepted,
	       (long long)r.rejected, (long long)r.booked, r.ms_plan, r.ms_bind, r.ms_file, r.ms_validate, r.ms_commit);
	rc = 0;
	goto out;
fail:
	cli_print_error(&e);
out:
	reg_client_free(env.registers);
	store_close(env.store);
	return rc;
}
