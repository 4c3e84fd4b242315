/* main.c - the stipend command line: one binary for the server, the
 * decision core, the database and the operator's tools.
 *
 * Each command is a function with its own --help. Exit status: 0 success,
 * 1 failure of the machine (database, file, network), 2 bad usage or input
 * that was not understood (with a JSON error naming the field). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "rules/params.h"
#include "rules/rules.h"
#include "cli/cli.h"

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{"serve", "serve the portal and the API over HTTP", cli_serve},
	{"init", "create a database with its schema, optionally with a demo population", cli_init},
	{"migrate", "bring a database's schema up to date", cli_migrate},
	{"decide", "decide applications given as JSON, print decisions", cli_decide},
	{"verify", "verify the audit log's hash chain, and against signed checkpoints", cli_verify},
	{"audit-key", "make the key that signs checkpoints of the audit chain", cli_audit_key},
	{"work", "run the jobs that follow acknowledged requests", cli_work},
	{"params", "check a parameter folder, show a value in force on a day", cli_params},
	{"test-rules", "run rule case files (tests/rules), print failing cases", cli_test_rules},
	{"batch", "take a whole intake (a JSONL file, or the registers) through the pipeline", cli_batch},
	{"stats", "the share of letters opened within 1, 3 and 7 days, by type and notice", cli_stats},
	{"print-batch", "send unread decision letters on paper: a PDF and manifest for the print house", cli_print_batch},
	{"simulate", "decide one intake under two parameter sets: what a change costs, whom it touches", cli_simulate},
	{"policy", "print who may do what: the policy table and every route's action", cli_policy},
	{"support", "the support centre: the month's cost report by agency and service, agencies", cli_support},
	/* The loan account (#11). */
	{"ledger", "check the ledger: every entry balances, every debt equals its postings", cli_ledger},
	/* #10: the money goes out */
	{"payout", "the daily payout run: due payments into one ISO 20022 file for the bank", cli_payout},
	{"loans", "the loan account: the monthly run, payments from the bank, payouts", cli_loans},
	{"convert", "convert a calendar year's convertible loans (its two semesters) to grant on the registers' figures", cli_convert},
	{NULL, NULL, NULL}};

static void usage(FILE *f)
{
	fputs("Usage: stipend COMMAND [OPTIONS]\n\n"
	      "stipend runs a student-finance agency: applications, instant decisions by\n"
	      "rules as code, the secure mailbox, and the tools around them.\n\nCommands:\n",
	      f);
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-11s %s\n", c->name, c->summary);
	fputs("\nRun \"stipend COMMAND --help\" for a command's options.\n", f);
}

int main(int argc, char **argv)
{
	struct err e;
	err_clear(&e);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("stipend " STIPEND_VERSION);
		return 0;
	}
	if (i18n_init(&e) != 0) {
		fprintf(stderr, "stipend: %s\n", e.message);
		return 1;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "stipend: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}
