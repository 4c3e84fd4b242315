/* serve.c - `stipend serve`: the portal and the API over HTTP until SIGINT
 * or SIGTERM, then a clean stop (requests under way finish, pending writes
 * commit). */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "access/oidc.h"
#include "audit/audit.h"
#include "calendar/calendar.h"
#include "cases/cases.h"
#include "cases/jobs.h"
#include "cli/cli.h"
#include "core/err.h"
#include "core/log.h"
#include "core/stop.h"
#include "notify/notify.h"
#include "payout/payout.h"
#include "registers/registers.h"
#include "rules/params.h"
#include "signing/signing.h"
#include "store/store.h"
#include "web/server.h"
#include "web/tmpl.h"

static const char serve_help[] =
	"Usage: stipend serve --db FILE [--listen HOST:PORT] [--threads N] [--io-threads N]\n"
	"                     [--public-url URL] [--test-login] [--params DIR] [--registers URL]\n"
	"                     [--smtp URL] [--mail-from ADDR] [--sms URL]\n"
	"                     [--audit-key FILE --checkpoints FILE]\n"
	"                     [--oidc-issuer URL --oidc-client-id ID --oidc-client-secret S]\n"
	"                     [--staff-oidc-issuer URL --staff-oidc-client-id ID\n"
	"                      --staff-oidc-client-secret S]\n"
	"                     [--bank URL --payout-dir DIR] [--signing-url URL --signing-ca FILE]\n\n"
	"Serve the portal and the JSON API.\n\n"
	"  --db FILE          the database (create it with stipend init)\n"
	"  --listen HOST:PORT address to listen on (default 127.0.0.1:8080)\n"
	"  --threads N        handler threads (default 64): a handler may wait for the\n"
	"                     group commit, so more threads than cores pays\n"
	"  --io-threads N     connection event loops (default 2)\n"
	"  --public-url URL   the address people use; with https:// cookies are\n"
	"                     marked Secure and every answer carries\n"
	"                     Strict-Transport-Security (default http://HOST:PORT)\n"
	"  --test-login       offer the test login (pick a synthetic person or type\n"
	"                     a test national identity number); for test and demo\n"
	"                     installations only, and shown as such on every page\n"
	"  --params DIR       decide under this parameter set instead of the\n"
	"                     built-in Norwegian one\n"
	"  --registers URL    fetch applicants' facts from the registers at URL (the\n"
	"                     register simulator, stipend-sim serve, or an\n"
	"                     agency's gateway speaking its API); without it an\n"
	"                     application carries its facts itself\n"
	"  --smtp URL         send e-mail notices through this SMTP server\n"
	"                     (smtp://host:port, smtps:// for TLS); without it an\n"
	"                     e-mail notice is recorded as failed, never faked\n"
	"  --mail-from ADDR   the notices' sender (default \"" NOTIFY_DEFAULT_FROM "\")\n"
	"  --sms URL          send SMS notices through this gateway (the register\n"
	"                     simulator's: http://127.0.0.1:8090/sms/v1/messages)\n"
	CLI_AUDIT_ANCHOR_HELP
	"  --oidc-issuer URL  log citizens in with this OpenID provider (ID-porten,\n"
	"                     or the simulator's: http://127.0.0.1:8090/oidc/idporten);\n"
	"                     its client is --oidc-client-id and --oidc-client-secret\n"
	"                     (or $STIPEND_OIDC_CLIENT_SECRET), and its redirect URI\n"
	"                     is the public URL + /login/callback\n"
	"  --staff-oidc-issuer URL, --staff-oidc-client-id ID, --staff-oidc-client-secret S\n"
	"                     log staff in with the agency's own provider (secret also\n"
	"                     $STIPEND_STAFF_OIDC_CLIENT_SECRET); the role comes from\n"
	"                     its claim and must be the staff record's\n"
	"  --bank URL         pay through the bank at URL (the simulator's: its base URL)\n"
	"  --payout-dir DIR   run the daily payout as a job, its files in DIR\n"
	"                     (stipend payout --help); Dine sider's account form asks\n"
	"                     the account register at --registers\n"
	"  --signing-url URL  the signing service people sign their support agreement\n"
	"                     at (the simulator's: http://127.0.0.1:8090/signing/v1);\n"
	"                     without it agreements are signed on paper only\n"
	"  --signing-ca FILE  the CA certificates (PEM) whose signers stipend trusts;\n"
	"                     required with --signing-url\n";

int cli_serve(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"listen", required_argument, NULL, 'l'},
					     {"threads", required_argument, NULL, 't'},
					     {"io-threads", required_argument, NULL, 'i'},
					     {"public-url", required_argument, NULL, 'u'},
					     {"test-login", no_argument, NULL, 'T'},
					     {"params", required_argument, NULL, 'p'},
					     {"registers", required_argument, NULL, 'r'},
					     {"smtp", required_argument, NULL, 'S'},
					     {"mail-from", required_argument, NULL, 'F'},
					     {"sms", required_argument, NULL, 'M'},
					     {"audit-key", required_argument, NULL, 'K'},
					     {"checkpoints", required_argument, NULL, 'C'},
					     {"oidc-issuer", required_argument, NULL, 1001},
					     {"oidc-client-id", required_argument, NULL, 1002},
					     {"oidc-client-secret", required_argument, NULL, 1003},
					     {"staff-oidc-issuer", required_argument, NULL, 1004},
					     {"staff-oidc-client-id", required_argument, NULL, 1005},
					     {"staff-oidc-client-secret", required_argument, NULL, 1006},
					     {"bank", required_argument, NULL, 'B'},
					     {"payout-dir", required_argument, NULL, 'P'},
					     {"signing-url", required_argument, NULL, 'G'},
					     {"signing-ca", required_argument, NULL, 'A'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *db = NULL, *listen = "127.0.0.1:8080", *public_url = NULL, *params_dir = NULL;
	const char *registers_url = NULL, *bank_url = NULL, *payout_dir = NULL;
	struct reg_client *registers = NULL;
	struct payout_env payout = {0};
	int threads = 64, io_threads = 2, c, version, rc = 1;
	struct app app = {0};
	struct err e;
	struct store *s = NULL;
	struct params *p = NULL;
	struct server *srv = NULL;
	struct cases_env env = {0};
	struct jobs *jobs = NULL;
	struct jobs_options job_opts = {2, 60, 600, 16};
	struct notify_config notify = {NULL, NULL, NULL, NULL};
	char default_url[96], from_addr[256];
	const char *audit_key_path = NULL, *checkpoints = NULL;
	struct audit_key audit_key;
	struct audit_anchor anchor = {NULL, NULL, AUDIT_CHECKPOINT_EVERY};
	struct signing_config signing = {NULL, NULL, NULL};

	/* Real login (#13): ID-porten for citizens, the agency's for staff. */
	struct oidc_config oidc_person = {"person", NULL, NULL, getenv("STIPEND_OIDC_CLIENT_SECRET"), NULL, NULL};
	struct oidc_config oidc_staff = {"staff", NULL, NULL, getenv("STIPEND_STAFF_OIDC_CLIENT_SECRET"), NULL, NULL};
	struct oidc_providers providers = {NULL, NULL};
	char callback_url[1024], home_url[1024];

	app.school_year = "2024-2025";
	app.session_ttl = 8 * 3600;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': db = optarg; break;
		case 'l': listen = optarg; break;
		case 't':
			threads = (int)strtol(optarg, &end, 10);
			if (*end || threads < 1 || threads > 1024) {
				fprintf(stderr, "stipend serve: --threads must be a number from 1 to 1024\n");
				return 2;
			}
			break;
		case 'i':
			io_threads = (int)strtol(optarg, &end, 10);
			if (*end || io_threads < 1 || io_threads > 64) {
				fprintf(stderr, "stipend serve: --io-threads must be a number from 1 to 64\n");
				return 2;
			}
			break;
		case 'u': public_url = optarg; break;
		case 'T': app.test_login = 1; break;
		case 'p': params_dir = optarg; break;
		case 'r': registers_url = optarg; break;
		case 'S': notify.smtp_url = optarg; break;
		case 'F': notify.mail_from = optarg; break;
		case 'M': notify.sms_url = optarg; break;
		case 'K': audit_key_path = optarg; break;
		case 'C': checkpoints = optarg; break;
		case 1001: oidc_person.issuer = optarg; break;
		case 1002: oidc_person.client_id = optarg; break;
		case 1003: oidc_person.client_secret = optarg; break;
		case 1004: oidc_staff.issuer = optarg; break;
		case 1005: oidc_staff.client_id = optarg; break;
		case 1006: oidc_staff.client_secret = optarg; break;
		case 'B': bank_url = optarg; break;
		case 'P': payout_dir = optarg; break;
		case 'G': signing.service_url = optarg; break;
		case 'A': signing.ca_file = optarg; break;
		case 'h': fputs(serve_help, stdout); return 0;
		default: fputs(serve_help, stderr); return 2;
		}
	}
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (colon == NULL || *end || port < 1 || port > 65535 || (size_t)(colon - listen) >= sizeof(host)) {
		fprintf(stderr, "stipend serve: --listen must be HOST:PORT, e.g. 127.0.0.1:8080\n");
		return 2;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	app.secure_cookies = public_url != NULL && strncmp(public_url, "https://", 8) == 0;
	snprintf(default_url, sizeof(default_url), "http://%s:%ld", host, port);
	notify.public_url = public_url ? public_url : default_url;
	if (notify.mail_from != NULL && notify_mail_address(notify.mail_from, from_addr, sizeof(from_addr)) != 0) {
		fprintf(stderr, "stipend serve: --mail-from must be an address, or a name and <address>\n");
		return 2;
	}
	snprintf(callback_url, sizeof(callback_url), "%s/login/callback", notify.public_url);
	snprintf(home_url, sizeof(home_url), "%s/", notify.public_url);
	oidc_person.redirect_uri = oidc_staff.redirect_uri = callback_url;
	oidc_person.post_logout_redirect_uri = oidc_staff.post_logout_redirect_uri = home_url;
	if ((signing.service_url == NULL) != (signing.ca_file == NULL)) {
		fprintf(stderr, "stipend serve: --signing-url and --signing-ca go together\n");
		return 2;
	}
	signing.public_url = notify.public_url;
	if (signing_configure(&signing, &e) != 0) {
		fprintf(stderr, "stipend serve: %s\n", e.message);
		return 2;
	}
	if (db == NULL) {
		fprintf(stderr, "stipend serve: --db FILE is required (create one with stipend init)\n");
		return 2;
	}
	if (access(db, F_OK) != 0) {
		fprintf(stderr, "stipend serve: %s does not exist (create it with stipend init)\n", db);
		return 2;
	}
	if ((rc = cli_audit_anchor("serve", audit_key_path, checkpoints, &audit_key, &anchor)) != 0)
		return rc;
	if (oidc_person.issuer != NULL || oidc_person.client_id != NULL) {
		if ((providers.person = oidc_provider_new(&oidc_person, &e)) == NULL) {
			fprintf(stderr, "stipend serve: %s\n", e.message);
			rc = 2;
			goto out;
		}
	}
	if (oidc_staff.issuer != NULL || oidc_staff.client_id != NULL) {
		if ((providers.staff = oidc_provider_new(&oidc_staff, &e)) == NULL) {
			/* The message names the option without its staff- prefix. */
			fprintf(stderr, "stipend serve: %s (the --staff-oidc-* options)\n", e.message);
			rc = 2;
			goto out;
		}
	}
	app.oidc = &providers;
	rc = 1;
	if (tmpl_init(&e) != 0)
		goto fail;
	p = params_dir ? params_load_dir(params_dir, &e) : params_load_builtin(&e);
	if (p == NULL)
		goto fail;
	app.params = p;
	/* SIGINT and SIGTERM wait for the main thread, blocked before the
	 * store's writer or any other thread starts (core/stop.h). */
	if (stop_signals_block() != 0) {
		err_set(&e, ERR_INTERNAL, NULL, "cannot block the stop signals");
		goto fail;
	}
	if ((s = store_open(db, &e)) == NULL || store_schema_version(s, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend serve: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n",
			db, version, store_schema_expected(), db);
		rc = 2;
		goto out;
	}
	app.store = s;
	if (access_init(s, &e) != 0)
		goto fail;
	/* The job runner decides the cases that wait for their facts. */
	env.store = s;
	env.params = p;
	if (registers_url != NULL) {
		/* An instant decision waits at most about two seconds for a
		 * register; after that the case waits and a job retries. */
		struct reg_options ro = {.timeout_ms = 1000, .tries = 2};
		if ((registers = cases_use_registers(&env, registers_url, &ro, &e)) == NULL ||
		    cases_follow_registers(&env, date_now_unix(), &e) != 0)
			goto fail;
	}
	app.cases = &env;
	app.notify = &notify;
	/* Payouts (#10): the account register for Dine sider's account form;
	 * with --payout-dir the daily run is a job. */
	payout = (struct payout_env){s, registers, registers_url, bank_url, payout_dir, 1};
	app.payout = &payout;
	if (payout_dir != NULL) {
		cli_job_kinds_payout(&payout);
		if (payout_arm(s, date_now_unix(), &e) != 0)
			goto fail;
	}
	/* The daily reminders before deadlines re-arm themselves once queued. */
	if (cal_reminders_arm(s, date_now_unix(), &e) != 0)
		goto fail;
	/* A checkpoint of the audit chain at start, then every few minutes. */
	if (anchor.key != NULL && audit_checkpoint_arm(s, date_now_unix(), &e) != 0)
		goto fail;
	if ((jobs = jobs_start(s, cli_job_kinds(&env, &notify, &anchor), &env, &job_opts, &e)) == NULL)
		goto fail;
	env.jobs = jobs;
	if ((srv = server_start(&app, host, (int)port, io_threads, threads, &e)) == NULL)
		goto fail;
	log_info("serving http://%s:%ld/ with %d handler threads%s", host, port, threads,
		 app.test_login ? " (test login enabled)" : "");
	stop_signals_wait();
	log_info("stopping");
	rc = 0;
	/* A clean stop signs the head as it is once the last requests and jobs
	 * are done. */
	server_stop(srv);
	srv = NULL;
	jobs_stop(jobs);
	jobs = NULL;
	if (anchor.key != NULL && audit_checkpoint(s, anchor.key, anchor.path, date_now_unix(), NULL, &e) != 0) {
		fprintf(stderr, "stipend serve: %s\n", e.message);
		rc = 1;
	}
	goto out;
fail:
	fprintf(stderr, "stipend serve: %s\n", e.message);
out:
	sodium_memzero(&audit_key, sizeof(audit_key));
	server_stop(srv);
	jobs_stop(jobs);
	reg_client_free(registers);
	store_close(s);
	params_free(p);
	tmpl_cleanup();
	oidc_provider_free(providers.person);
	oidc_provider_free(providers.staff);
	return rc;
}
