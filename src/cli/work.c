/* work.c - `stipend work`: the job runner alone, beside (or instead of) the
 * one inside `stipend serve`, until SIGINT or SIGTERM; or, with --once, the
 * jobs due now and no more. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit/audit.h"
#include "calendar/calendar.h"
#include "cases/cases.h"
#include "cases/jobs.h"
#include "cli/cli.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/stop.h"
#include "notify/notify.h"
#include "payout/payout.h"
#include "registers/registers.h"
#include "rules/params.h"
#include "store/store.h"

static const char work_help[] =
	"Usage: stipend work --db FILE [--threads N] [--once [--now TIME]] [--params DIR] [--registers URL]\n"
	"                    [--smtp URL] [--mail-from ADDR] [--sms URL] [--public-url URL]\n"
	"                    [--audit-key FILE --checkpoints FILE] [--bank URL --payout-dir DIR]\n\n"
	"Run the jobs that follow acknowledged requests (deciding cases that\n"
	"waited for their facts), retrying with back-off, until stopped.\n\n"
	"  --db FILE      the database\n"
	"  --threads N    worker threads (default 2)\n"
	"  --once         run the jobs due now, print how many ran, and stop\n"
	"  --now TIME     with --once: run as if it were TIME (2025-09-01 or\n"
	"                 2025-09-01T12:00:00Z), for tests and replays\n"
	"  --params DIR   decide under this parameter set instead of the built-in one\n"
	"  --registers URL  fetch applicants' facts from the registers at URL\n"
	"  --smtp URL       send e-mail notices through this SMTP server (smtp://host:port)\n"
	"  --mail-from ADDR the notices' sender (default \"" NOTIFY_DEFAULT_FROM "\")\n"
	"  --sms URL        send SMS notices through this gateway\n"
	"  --public-url URL the portal's address, for the link in a notice\n"
	"                   (default http://127.0.0.1:8080)\n"
	CLI_AUDIT_ANCHOR_HELP
	"                     With --once, a checkpoint when the run ends.\n"
	"  --bank URL       with --payout-dir: the bank the daily payout pays through\n"
	"  --payout-dir DIR run the daily payout job, its files in DIR (a runner\n"
	"                   without it hands the job back for one that has it)\n\n"
	"Exit status: 0, 1 when the database or parameters cannot be opened, 2 bad usage.\n";

int cli_work(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"threads", required_argument, NULL, 't'},
					     {"once", no_argument, NULL, 'o'},
					     {"now", required_argument, NULL, 'n'},
					     {"params", required_argument, NULL, 'p'},
					     {"registers", required_argument, NULL, 'r'},
					     {"smtp", required_argument, NULL, 'S'},
					     {"mail-from", required_argument, NULL, 'F'},
					     {"sms", required_argument, NULL, 'M'},
					     {"public-url", required_argument, NULL, 'u'},
					     {"audit-key", required_argument, NULL, 'K'},
					     {"checkpoints", required_argument, NULL, 'C'},
					     {"bank", required_argument, NULL, 'B'},
					     {"payout-dir", required_argument, NULL, 'P'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *db = NULL, *params_dir = NULL, *registers_url = NULL, *bank_url = NULL, *payout_dir = NULL;
	struct reg_client *registers = NULL;
	struct payout_env payout = {0};
	int once = 0, c, rc = 1, version;
	int64_t now = 0;
	struct jobs_options o = {2, 60, 600, 16};
	struct err e;
	struct store *s = NULL;
	struct params *p = NULL;
	struct jobs *jobs = NULL;
	struct notify_config notify = {NULL, NULL, NULL, "http://127.0.0.1:8080"};
	char from_addr[256];
	const char *audit_key_path = NULL, *checkpoints = NULL;
	struct audit_key audit_key;
	struct audit_anchor anchor = {NULL, NULL, AUDIT_CHECKPOINT_EVERY};
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': db = optarg; break;
		case 't':
			o.threads = (int)strtol(optarg, &end, 10);
			if (*end || o.threads < 1 || o.threads > 256) {
				fprintf(stderr, "stipend work: --threads must be a number from 1 to 256\n");
				return 2;
			}
			break;
		case 'o': once = 1; break;
		case 'n':
			if (date_parse_timestamp(optarg, &now) != 0) {
				fprintf(stderr, "stipend work: --now must be 2025-09-01 or 2025-09-01T12:00:00Z\n");
				return 2;
			}
			break;
		case 'p': params_dir = optarg; break;
		case 'r': registers_url = optarg; break;
		case 'S': notify.smtp_url = optarg; break;
		case 'F':
			if (notify_mail_address(optarg, from_addr, sizeof(from_addr)) != 0) {
				fprintf(stderr, "stipend work: --mail-from must be an address, or a name and <address>\n");
				return 2;
			}
			notify.mail_from = optarg;
			break;
		case 'M': notify.sms_url = optarg; break;
		case 'u': notify.public_url = optarg; break;
		case 'K': audit_key_path = optarg; break;
		case 'C': checkpoints = optarg; break;
		case 'B': bank_url = optarg; break;
		case 'P': payout_dir = optarg; break;
		case 'h': fputs(work_help, stdout); return 0;
		default: fputs(work_help, stderr); return 2;
		}
	}
	if (now != 0 && !once) {
		fprintf(stderr, "stipend work: --now goes with --once\n");
		return 2;
	}
	if (db == NULL || access(db, F_OK) != 0) {
		fprintf(stderr, "stipend work: --db FILE is required and must exist (create it with stipend init)\n");
		return 2;
	}
	if ((rc = cli_audit_anchor("work", audit_key_path, checkpoints, &audit_key, &anchor)) != 0)
		return rc;
	rc = 1;
	p = params_dir ? params_load_dir(params_dir, &e) : params_load_builtin(&e);
	/* A runner that keeps going stops on SIGINT or SIGTERM, taken by the
	 * main thread: blocked before any thread starts (core/stop.h). A run
	 * --once keeps the signals' default: Ctrl-C ends it. */
	if (!once && stop_signals_block() != 0) {
		fprintf(stderr, "stipend work: cannot block the stop signals\n");
		return 1;
	}
	if (p == NULL || (s = store_open(db, &e)) == NULL || store_schema_version(s, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend work: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n", db,
			version, store_schema_expected(), db);
		rc = 2;
		goto out;
	}
	struct cases_env env = {s, p, NULL, NULL, NULL};
	if (registers_url != NULL) {
		if ((registers = cases_use_registers(&env, registers_url, NULL, &e)) == NULL ||
		    cases_follow_registers(&env, now ? now : date_now_unix(), &e) != 0)
			goto fail;
	}
	/* Payouts (#10): the daily run, where this runner is told where files go. */
	if (payout_dir != NULL) {
		payout = (struct payout_env){s, registers, registers_url, bank_url, payout_dir, 1};
		cli_job_kinds_payout(&payout);
		if (payout_arm(s, now ? now : date_now_unix(), &e) != 0)
			goto fail;
	}
	/* The daily reminders before deadlines re-arm themselves once queued. */
	if (cal_reminders_arm(s, now ? now : date_now_unix(), &e) != 0)
		goto fail;
	/* A checkpoint of the audit chain at start, then every few minutes. */
	if (anchor.key != NULL && audit_checkpoint_arm(s, now ? now : date_now_unix(), &e) != 0)
		goto fail;
	if (once) {
		int ran = 0;
		if (jobs_run_due(s, cli_job_kinds(&env, &notify, &anchor), &env, &o, now ? now : date_now_unix(), 1 << 30,
				 &ran, &e) != 0)
			goto fail;
		/* A run that ends signs the head as it leaves it. */
		if (anchor.key != NULL &&
		    audit_checkpoint(s, anchor.key, anchor.path, now ? now : date_now_unix(), NULL, &e) != 0)
			goto fail;
		printf("%d job%s run\n", ran, ran == 1 ? "" : "s");
		rc = 0;
		goto out;
	}
	if ((jobs = jobs_start(s, cli_job_kinds(&env, &notify, &anchor), &env, &o, &e)) == NULL)
		goto fail;
	log_info("working on %s with %d threads", db, o.threads);
	stop_signals_wait();
	rc = 0;
	/* A clean stop signs the head once the jobs under way are done. */
	jobs_stop(jobs);
	jobs = NULL;
	if (anchor.key != NULL && audit_checkpoint(s, anchor.key, anchor.path, date_now_unix(), NULL, &e) != 0) {
		rc = 1;
		goto fail;
	}
	goto out;
fail:
	fprintf(stderr, "stipend work: %s\n", e.message);
out:
	sodium_memzero(&audit_key, sizeof(audit_key));
	jobs_stop(jobs);
	reg_client_free(registers);
	store_close(s);
	params_free(p);
	return rc;
}
