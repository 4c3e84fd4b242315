/* loans.c - `stipend loans`: the operator's tools for the loan account:
 * the monthly run (interest, invoices), importing the bank's camt.054
 * report, and for the demo and the tests a loan payout and the end of
 * support. Every command that posts checks the ledger afterwards and fails
 * when it does not hold. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "loans/account.h"
#include "loans/repayment.h"
#include "loans/statement.h"
#include "store/ledger.h"
#include "rules/params.h"
#include "store/store.h"

static const char loans_help[] =
	"Usage: stipend loans COMMAND --db FILE [OPTIONS]\n\n"
	"  run --through DAY [--params DIR] [--registers URL] [--handover-dir DIR]\n"
	"      [--bank URL]                   (eFaktura and AvtaleGiro through the bank)\n"
	"                                     post interest for every month ended by DAY\n"
	"                                     and make the invoices whose month has begun;\n"
	"                                     end support by the decisions; call in the\n"
	"                                     loans left unpaid and hand them to the\n"
	"                                     collection agency (their lines to a file in\n"
	"                                     DIR, docs/loans-collection.md); with\n"
	"                                     --registers, write off on death\n"
	"  run --from M --through M [--bench-bank]\n"
	"                                     the months in turn (stipend loans run --from\n"
	"                                     2025-01 --help)\n"
	"  import --camt FILE | --bank URL [--date DAY] [--params DIR]\n"
	"                                     book the credits of the bank's camt.054\n"
	"                                     report (a file, or fetched from the bank,\n"
	"                                     of the credits booked by DAY)\n"
	"  disburse --person ID|--nin NIN --amount KR --date DAY [--cause C]\n"
	"                                     post a loan payout (the payouts do this)\n"
	"  grant --kind deferral|relief --person ID|--nin NIN --date DAY --months N --cause C\n"
	"                                     a decision of payment deferral or interest\n"
	"                                     relief for N months from DAY's month\n"
	"  statement --year Y [--out FILE]     the annual statement of every account: a\n"
	"                                     letter each, and the tax authority's file\n"
	"                                     (JSON lines: nin, year, debt, interest_paid,\n"
	"                                     interest_charged, principal_paid)\n"
	"  write-off --person ID|--nin NIN --date DAY --cause C\n"
	"                                     cancel the whole debt (death, disability)\n"
	"  support-ended --person ID|--nin NIN --date DAY\n"
	"                                     support ended on DAY: interest from the next\n"
	"                                     day, and the payment plan\n"
	"  --now TIME                         as of TIME (default now)\n\n"
	"Each command proves the ledger afterwards (stipend ledger check).\n"
	"Exit status: 0, 1 when the store failed or the ledger does not hold, 2 bad\n"
	"usage or input.\n";

struct opts {
	const char *db, *params_dir, *camt, *bank, *nin, *cause, *kind, *out;
	const char *registers, *handover_dir; /* run: the death feed, the collection file */
	int months, year;
	int64_t person, amount, now;
	date_t day;
	int have_day;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"params", required_argument, NULL, 'p'},
					     {"through", required_argument, NULL, 't'},
					     {"date", required_argument, NULL, 't'},
					     {"camt", required_argument, NULL, 'c'},
					     {"bank", required_argument, NULL, 'b'},
					     {"person", required_argument, NULL, 'P'},
					     {"nin", required_argument, NULL, 'N'},
					     {"amount", required_argument, NULL, 'a'},
					     {"cause", required_argument, NULL, 'C'},
					     {"now", required_argument, NULL, 'n'},
					     {"kind", required_argument, NULL, 'k'},
					     {"year", required_argument, NULL, 'y'},
					     {"out", required_argument, NULL, 'o'},
					     {"months", required_argument, NULL, 'm'},
					     {"registers", required_argument, NULL, 'R'},
					     {"handover-dir", required_argument, NULL, 'H'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'p': o->params_dir = optarg; break;
		case 'c': o->camt = optarg; break;
		case 'b': o->bank = optarg; break;
		case 'N': o->nin = optarg; break;
		case 'C': o->cause = optarg; break;
		case 'k': o->kind = optarg; break;
		case 'o': o->out = optarg; break;
		case 'R': o->registers = optarg; break;
		case 'H': o->handover_dir = optarg; break;
		case 'y':
			o->year = (int)strtol(optarg, &end, 10);
			if (*end || o->year < 1900 || o->year > 2999) {
				fprintf(stderr, "stipend loans: --year must be a year such as 2025\n");
				return 2;
			}
			break;
		case 'm':
			o->months = (int)strtol(optarg, &end, 10);
			if (*end || o->months < 1 || o->months > 36) {
				fprintf(stderr, "stipend loans: --months must be 1 to 36\n");
				return 2;
			}
			break;
		case 't':
			if (date_parse(optarg, &o->day) != 0) {
				fprintf(stderr, "stipend loans: the day must be YYYY-MM-DD\n");
				return 2;
			}
			o->have_day = 1;
			break;
		case 'P':
			o->person = strtoll(optarg, &end, 10);
			if (*end || o->person <= 0) {
				fprintf(stderr, "stipend loans: --person must be a person's id\n");
				return 2;
			}
			break;
		case 'a':
			if (loans_parse_kroner(optarg, LOANS_MAX_PRINCIPAL, &o->amount) != 0 || o->amount <= 0) {
				fprintf(stderr, "stipend loans: --amount must be whole kroner above 0\n");
				return 2;
			}
			break;
		case 'n':
			if (date_parse_timestamp(optarg, &o->now) != 0) {
				fprintf(stderr, "stipend loans: --now must be 2025-09-01 or 2025-09-01T12:00:00Z\n");
				return 2;
			}
			break;
		case 'h': fputs(loans_help, stdout); return 0;
		default: fputs(loans_help, stderr); return 2;
		}
	}
	if (o->db == NULL || access(o->db, F_OK) != 0) {
		fprintf(stderr, "stipend loans: --db FILE is required and must exist\n");
		return 2;
	}
	if (o->now == 0)
		o->now = date_now_unix();
	return -1;
}

/* The ledger's invariants after a command that posted: 0 or 1. */
static int check(struct store *s)
{
	struct arena a;
	struct ledger_report r;
	struct err e;
	int rc = 1;
	arena_init(&a, 0);
	if (ledger_check(s, &r, &a, &e) != 0) {
		fprintf(stderr, "stipend loans: ledger check: %s\n", e.message);
	} else {
		for (int i = 0; i < r.n_problems; i++)
			fprintf(stderr, "ledger: %s\n", r.problems[i]);
		if (r.n_problems == 0) {
			printf("ledger: %lld entries, %lld legs: every entry balances, every debt equals its postings\n",
			       (long long)r.entries, (long long)r.legs);
			rc = 0;
		}
	}
	arena_cleanup(&a);
	return rc;
}

static int person_of(struct store *s, struct opts *o, struct err *e)
{
	if (o->person > 0)
		return 0;
	if (o->nin == NULL)
		return err_set(e, ERR_INVALID, "person", "--person ID or --nin NIN is required");
	struct arena a;
	struct person p;
	arena_init(&a, 0);
	int got = store_person_by_nin(s, o->nin, &p, &a, e);
	arena_cleanup(&a);
	if (got != 0)
		return got > 0 ? err_set(e, ERR_NOT_FOUND, "nin", "no person has that number") : -1;
	o->person = p.id;
	return 0;
}

struct payout {
	struct opts *o;
};

static int do_disburse(struct store_tx *tx, void *arg, struct err *e)
{
	struct opts *o = arg;
	char cause[64];
	snprintf(cause, sizeof(cause), "%s", o->cause ? o->cause : "payout:manual");
	return loans_disburse(tx, o->person, o->amount, cause, o->day, o->now, e);
}

static int run_cmd(const char *cmd, struct opts *o)
{
	struct err e;
	struct store *s = NULL;
	struct params *p = NULL;
	struct arena a;
	int rc = 1, version;
	err_clear(&e);
	arena_init(&a, 0);
	if ((s = store_open(o->db, &e)) == NULL || store_schema_version(s, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend loans: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n",
			o->db, version, store_schema_expected(), o->db);
		rc = 2;
		goto out;
	}
	if (strcmp(cmd, "run") == 0) {
		if (!o->have_day) {
			fprintf(stderr, "stipend loans run: --through DAY is required\n");
			rc = 2;
			goto out;
		}
		p = o->params_dir ? params_load_dir(o->params_dir, &e) : params_load_builtin(&e);
		if (p == NULL)
			goto fail;
		struct loans_run_summary sum;
		struct loans_later_summary deaths = {0};
		/* Death cancels the debt (the population register's feed):
		 * before the month's interest, which a dead borrower's debt
		 * no longer bears. */
		if (o->registers && loans_deaths(s, o->registers, o->now, &deaths, &e) != 0)
			goto fail;
		/* eFaktura and AvtaleGiro: the bank's agreements before the
		 * invoices are made, the invoices to the bank after. */
		int agreements = 0, sent = 0;
		if (o->bank && loans_giro_sync(s, o->bank, o->now, &agreements, &e) != 0)
			goto fail;
		if (loans_run(s, p, o->day, o->now, &sum, &e) != 0)
			goto fail;
		if (o->bank && loans_giro_send(s, o->bank, o->now, &sent, &e) != 0)
			goto fail;
		if (o->bank)
			printf("eFaktura and AvtaleGiro: %d agreements, %d invoices sent to the bank\n", agreements, sent);
		sum.later.deaths = deaths.deaths;
		sum.later.written_off = deaths.written_off;
		if (o->handover_dir) {
			char path[4096], day[11];
			snprintf(path, sizeof(path), "%s/si-handover-%s-%lld.jsonl", o->handover_dir,
				 date_format(o->day, day), (long long)o->now);
			if (loans_handover_file(s, path, &sum.later, &e) != 0)
				goto fail;
			if (sum.later.handover_lines)
				printf("handover file: %s, %d lines\n", path, sum.later.handover_lines);
		}
		printf("accounts: %d\ninterest: %d entries, %lld øre\ninvoices: %d, %lld øre\n", sum.accounts,
		       sum.interest_entries, (long long)sum.interest, sum.invoices, (long long)sum.invoiced);
		printf("support ended: %d\ncalled in: %d\nhanded to the collection agency: %d\n"
		       "written off on death: %d, %lld øre\n",
		       sum.later.support_ended, sum.later.called_in, sum.later.handed_over, sum.later.deaths,
		       (long long)sum.later.written_off);
		if (sum.waiting_for_rate)
			printf("waiting for a rate: %d accounts (first missing: %s)\n", sum.waiting_for_rate,
			       sum.missing_rate);
		if (sum.failed)
			printf("failed: %d accounts (see the log)\n", sum.failed);
		rc = check(s) || sum.failed ? 1 : 0;
		goto out;
	}
	if (strcmp(cmd, "import") == 0) {
		char *xml = NULL;
		size_t len = 0;
		if ((o->camt == NULL) == (o->bank == NULL)) {
			fprintf(stderr, "stipend loans import: give --camt FILE or --bank URL\n");
			rc = 2;
			goto out;
		}
		if (o->camt) {
			FILE *f = fopen(o->camt, "rb");
			if (f == NULL) {
				err_set(&e, ERR_IO, "camt", "%s: cannot open", o->camt);
				goto fail;
			}
			size_t cap = 1 << 16;
			xml = arena_alloc(&a, cap);
			size_t k;
			while ((k = fread(xml + len, 1, cap - len, f)) > 0) {
				len += k;
				if (len == cap) {
					char *g = arena_alloc(&a, cap * 2);
					memcpy(g, xml, len);
					xml = g;
					cap *= 2;
				}
			}
			fclose(f);
		} else if (o->have_day ? loans_bank_fetch_to(o->bank, o->day, &xml, &len, &a, &e) != 0
				       : loans_bank_fetch(o->bank, &xml, &len, &a, &e) != 0) {
			goto fail;
		}
		/* #11: an extra payment within a fixed-rate agreement has its
		 * loss or gain computed with the rates of new agreements. */
		p = o->params_dir ? params_load_dir(o->params_dir, &e) : params_load_builtin(&e);
		if (p == NULL)
			goto fail;
		struct loans_import_summary sum;
		if (loans_import_camt054(s, p, xml, len, o->now, &sum, &e) != 0) {
			if (e.code == ERR_INVALID) {
				fprintf(stderr, "stipend loans import: %s\n", e.message);
				rc = 2;
				goto out;
			}
			goto fail;
		}
		printf("credits: %d\nmatched: %d, %lld øre\nalready booked: %d\nunknown KID: %d\nmore than the debt: %d\n",
		       sum.credits, sum.matched, (long long)sum.matched_ore, sum.duplicates, sum.unknown_kid, sum.overpaid);
		if (sum.fixed_rate_posted || sum.fixed_rate_waiting)
			printf("fixed rate's loss or gain: %d posted, %d waiting for the rates of their day\n",
			       sum.fixed_rate_posted, sum.fixed_rate_waiting);
		rc = check(s);
		goto out;
	}
	if (strcmp(cmd, "statement") == 0) {
		if (o->year == 0) {
			fprintf(stderr, "stipend loans statement: --year Y is required\n");
			rc = 2;
			goto out;
		}
		struct loans_statement_summary sum;
		if (loans_statements(s, o->year, o->now, &sum, &e) != 0)
			goto fail;
		printf("accounts: %d\nstatements: %d\nnothing in the year: %d\nmade before: %d\n", sum.accounts, sum.made,
		       sum.empty, sum.already);
		if (o->out) {
			FILE *f = fopen(o->out, "w");
			if (f == NULL) {
				err_set(&e, ERR_IO, "out", "%s: cannot write", o->out);
				goto fail;
			}
			int64_t after = 0;
			int n, lines = 0;
			struct loan_statement *st;
			while ((n = store_loan_statements_of_year(s, o->year, after, &st, 200, &a, &e)) > 0) {
				for (int i = 0; i < n; i++)
					fprintf(f,
						"{\"nin\":\"%s\",\"year\":%d,\"debt\":%lld,\"interest_paid\":%lld,"
						"\"interest_charged\":%lld,\"principal_paid\":%lld}\n",
						st[i].nin, st[i].year, (long long)st[i].debt, (long long)st[i].interest_paid,
						(long long)st[i].interest_charged, (long long)st[i].principal_paid);
				lines += n;
				after = st[n - 1].id;
			}
			if (fclose(f) != 0 || n < 0) {
				if (n >= 0)
					err_set(&e, ERR_IO, "out", "%s: cannot write", o->out);
				goto fail;
			}
			printf("tax authority's file: %s, %d lines\n", o->out, lines);
		}
		rc = check(s);
		goto out;
	}
	if (person_of(s, o, &e) != 0) {
		rc = e.code == ERR_STORE ? 1 : 2;
		fprintf(stderr, "stipend loans %s: %s\n", cmd, e.message);
		goto out;
	}
	if (!o->have_day) {
		fprintf(stderr, "stipend loans %s: --date DAY is required\n", cmd);
		rc = 2;
		goto out;
	}
	if (strcmp(cmd, "disburse") == 0) {
		if (o->amount <= 0) {
			fprintf(stderr, "stipend loans disburse: --amount KR is required\n");
			rc = 2;
			goto out;
		}
		if (store_write(s, do_disburse, o, &e) != 0)
			goto fail;
	} else if (strcmp(cmd, "write-off") == 0) {
		int64_t amount;
		if (loans_write_off(s, o->person, o->day, o->cause, o->now, &amount, &e) != 0)
			goto fail;
		printf("written off: %lld øre\n", (long long)amount);
	} else if (strcmp(cmd, "grant") == 0) {
		if (loans_grant_months(s, o->person, o->kind, o->day, o->months, o->cause, o->now, &e) != 0)
			goto fail;
	} else if (loans_support_ended(s, o->person, o->day, o->now, &e) != 0) {
		goto fail;
	}
	rc = check(s);
	goto out;
fail:
	fprintf(stderr, "stipend loans %s: %s\n", cmd, e.message);
	rc = e.code == ERR_STORE || e.code == ERR_IO || e.code == ERR_INTERNAL ? 1 : 2;
out:
	params_free(p);
	store_close(s);
	arena_cleanup(&a);
	return rc;
}

int cli_loans(int argc, char **argv)
{
	static const char *const cmds[] = {"run", "import", "disburse", "grant", "statement", "write-off", "support-ended"};
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(loans_help, stdout);
		return 0;
	}
	/* #11, speed: a run of months (--from) is loans_months.c's. */
	for (int i = 2; argc >= 2 && strcmp(argv[1], "run") == 0 && i < argc; i++)
		if (strncmp(argv[i], "--from", 6) == 0)
			return cli_loans_months(argc - 1, argv + 1);
	for (size_t i = 0; argc >= 2 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i]) == 0) {
			struct opts o;
			memset(&o, 0, sizeof(o));
			int rc = parse(argc - 1, argv + 1, &o);
			return rc >= 0 ? rc : run_cmd(cmds[i], &o);
		}
	fputs(loans_help, stderr);
	return 2;
}
