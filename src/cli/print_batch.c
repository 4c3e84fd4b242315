/* print_batch.c - `stipend print-batch`: the paper fallback's run. Decision
 * letters still unread PAPER_AFTER_DAYS (or --after-days) days after they
 * were delivered, and the loan's letters to borrowers who chose paper, go
 * into print batches for the print house: one PDF and
 * one manifest JSON per batch in --out. The letters are drawn from the very
 * model their page uses (mbox_letter_model). See mailbox/paper.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "mailbox/letter.h"
#include "mailbox/paper.h"
#include "signing/signing.h"
#include "store/store.h"

static const char help[] =
    "Usage: stipend print-batch --db FILE --out DIR [--now TIME] [--after-days N]\n"
    "                           [--forwarding-address LINES] [--json]\n\n"
    "Send on paper the decision letters still unread N days after they were\n"
    "delivered, and at once the loan's letters to borrowers who chose paper:\n"
    "each print batch is one PDF (every letter from a new page, its\n"
    "address in the envelope window) and a manifest JSON beside it for the print\n"
    "house, print-batch-NNNNNN.pdf and .json in DIR, and every letter in it\n"
    "records that it went on paper. A batch an earlier run left half-done is\n"
    "completed first; a letter is never in two batches, and a second run finds\n"
    "nothing more to send.\n\n"
    "A person with a confidential address is never sent paper to their address:\n"
    "their letter goes to the forwarding address when one is configured, else it\n"
    "is withheld (counted below, shown to case workers) until one is.\n\n"
    "  --db FILE        the database\n"
    "  --out DIR        where the batches go (created when missing)\n"
    "  --now TIME       run as if it were TIME (2025-09-01 or 2025-09-01T12:00:00Z);\n"
    "                   default: now\n"
    "  --after-days N   days a decision letter may stay unread (default 7)\n"
    "  --forwarding-address LINES\n"
    "                   first store the population register's forwarding address\n"
    "                   for persons with a confidential address (setting\n"
    "                   paper.forwarding_address): 2 to 4 lines separated by \";\",\n"
    "                   e.g. \"Skatteetaten, Folkeregisteret;Postboks 9200 Grønland;0134 Oslo\"\n"
    "  --json           print the summary as JSON\n\n"
    "Prints one line per batch and a summary: letters, pages, withheld.\n"
    "Exit status: 0, 1 when the database or a file fails (what was finished\n"
    "stays; the next run completes the rest), 2 bad usage.\n";

static int ensure_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -1;
	return mkdir(dir, 0755);
}

int cli_print_batch(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
	                                     {"out", required_argument, NULL, 'o'},
	                                     {"now", required_argument, NULL, 'n'},
	                                     {"after-days", required_argument, NULL, 'a'},
	                                     {"forwarding-address", required_argument, NULL, 'f'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *db = NULL, *forwarding = NULL;
	struct paper_options o = {NULL, 0, PAPER_AFTER_DAYS, mbox_letter_model, 0};
	int c, json = 0, rc = 1, version;
	struct err e;
	struct store *s = NULL;
	err_clear(&e);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		long v;
		switch (c) {
		case 'd': db = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'n':
			if (date_parse_timestamp(optarg, &o.now) != 0) {
				fprintf(stderr,
				        "stipend print-batch: --now must be 2025-09-01 or 2025-09-01T12:00:00Z\n");
				return 2;
			}
			break;
		case 'a':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 0 || v > 365) {
				fprintf(stderr, "stipend print-batch: --after-days must be a number from 0 to 365\n");
				return 2;
			}
			o.after_days = (int)v;
			break;
		case 'f': forwarding = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(help, stdout); return 0;
		default: fputs(help, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stipend print-batch: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (db == NULL || access(db, F_OK) != 0) {
		fprintf(stderr,
		        "stipend print-batch: --db FILE is required and must exist (create it with stipend init)\n");
		return 2;
	}
	if (o.out_dir == NULL) {
		fprintf(stderr, "stipend print-batch: --out DIR is required\n");
		return 2;
	}
	if (ensure_dir(o.out_dir) != 0) {
		char msg[128];
		fprintf(stderr, "stipend print-batch: %s is no folder that can be made: %s\n", o.out_dir,
		        log_errno(errno, msg, sizeof(msg)));
		return 1;
	}
	if (o.now == 0)
		o.now = date_now_unix();
	if ((s = store_open(db, &e)) == NULL || store_schema_version(s, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr,
		        "stipend print-batch: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n",
		        db, version, store_schema_expected(), db);
		rc = 2;
		goto out;
	}
	if (forwarding != NULL && paper_set_forwarding(s, forwarding, "operator", o.now, &e) != 0) {
		if (e.code == ERR_INVALID) {
			cli_print_error(&e);
			rc = 2;
			goto out;
		}
		goto fail;
	}
	struct paper_summary sum;
	if (paper_run(s, &o, &sum, &e) != 0)
		goto fail;
	/* Support agreements the person chose to sign on paper
	 * (src/signing/): agreement-N.pdf beside the batches. */
	int agreements = signing_paper_batch(s, o.out_dir, o.now, &e);
	if (agreements < 0)
		goto fail;
	if (json) {
		json_t *batches = json_array();
		for (int i = 0; i < sum.n_batches && i < PAPER_RUN_BATCHES; i++) {
			const struct paper_batch_done *d = &sum.batches[i];
			json_array_append_new(batches,
			                      json_pack("{s:I,s:i,s:i,s:b,s:s,s:s}", "batch_id", (json_int_t)d->id,
			                                "letters", d->letters, "pages", d->pages, "completed",
			                                d->completed, "pdf", d->pdf, "manifest", d->manifest));
		}
		json_t *j = json_pack("{s:o,s:i,s:i,s:i,s:i,s:i}", "batches", batches, "letters", sum.letters, "pages",
		                      sum.pages, "withheld", sum.withheld, "withheld_new", sum.withheld_new, "agreements",
		                      agreements);
		char *text = json_dumps(j, JSON_COMPACT);
		puts(text ? text : "{}");
		free(text);
		json_decref(j);
	} else {
		for (int i = 0; i < sum.n_batches && i < PAPER_RUN_BATCHES; i++) {
			const struct paper_batch_done *d = &sum.batches[i];
			printf("batch %lld%s: %d letter%s, %d page%s: %s/%s, %s/%s\n", (long long)d->id,
			       d->completed ? " (left open by an earlier run, completed)" : "", d->letters,
			       d->letters == 1 ? "" : "s", d->pages, d->pages == 1 ? "" : "s", o.out_dir, d->pdf,
			       o.out_dir, d->manifest);
		}
		printf("letters: %d, pages: %d, withheld: %d", sum.letters, sum.pages, sum.withheld);
		if (sum.withheld > 0)
			printf(" (%d new; a confidential address and no forwarding address: see --forwarding-address)",
			       sum.withheld_new);
		putchar('\n');
		if (agreements > 0)
			printf("support agreements on paper: %d (agreement-N.pdf)\n", agreements);
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "stipend print-batch: %s\n", e.message);
out:
	store_close(s);
	return rc;
}
