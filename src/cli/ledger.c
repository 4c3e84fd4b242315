/* ledger.c - `stipend ledger check`: prove the ledger's invariants (every
 * entry balances, every person's debt equals their postings, the whole
 * ledger sums to 0) and print each one that does not hold. Run in the tests
 * and after every batch that posts. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "store/store.h"

static const char ledger_help[] = "Usage: stipend ledger check --db FILE\n\n"
				  "Prove the ledger's invariants: every entry has two legs or more that sum to\n"
				  "0, every leg carries its entry's person and effective day, every person's\n"
				  "debt by their legs equals their debt by their entries and is not below 0,\n"
				  "and all legs together sum to 0. Prints what is wrong, one line each.\n\n"
				  "  --db FILE   the database\n\n"
				  "Exit status: 0 all hold, 1 something is wrong (or the database cannot be\n"
				  "read), 2 bad usage.\n";

static int ledger_check_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *db = NULL;
	int c, rc = 1, version;
	struct err e;
	struct store *s = NULL;
	struct arena a;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': fputs(ledger_help, stdout); return 0;
		default: fputs(ledger_help, stderr); return 2;
		}
	}
	if (db == NULL || access(db, F_OK) != 0) {
		fprintf(stderr, "stipend ledger check: --db FILE is required and must exist\n");
		return 2;
	}
	arena_init(&a, 0);
	struct ledger_report r;
	if ((s = store_open(db, &e)) == NULL || store_schema_version(s, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend ledger check: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n",
			db, version, store_schema_expected(), db);
		rc = 2;
		goto out;
	}
	if (ledger_check(s, &r, &a, &e) != 0)
		goto fail;
	for (int i = 0; i < r.n_problems; i++)
		printf("%s\n", r.problems[i]);
	if (r.n_problems == 0)
		printf("ledger: %lld entries, %lld legs: every entry balances, every debt equals its postings\n",
		       (long long)r.entries, (long long)r.legs);
	else
		printf("ledger: %d problem%s%s in %lld entries, %lld legs\n", r.n_problems, r.n_problems == 1 ? "" : "s",
		       r.n_problems >= LEDGER_CHECK_MAX ? " (or more)" : "", (long long)r.entries, (long long)r.legs);
	rc = r.n_problems == 0 ? 0 : 1;
	goto out;
fail:
	fprintf(stderr, "stipend ledger check: %s\n", e.message);
out:
	store_close(s);
	arena_cleanup(&a);
	return rc;
}

int cli_ledger(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return ledger_check_cmd(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(ledger_help, stdout);
		return 0;
	}
	fputs(ledger_help, stderr);
	return 2;
}
