/* paper.h - the paper fallback: a decision letter still unread some days
 * after it was delivered, and at once a letter about the loan to a
 * borrower who has chosen paper (#11), goes on paper, in a print batch for
 * the print house (one PDF, each letter from a new page with its address
 * in the envelope window, and a manifest JSON beside it).
 *
 * A run (paper_run) first completes any batch an earlier run left open,
 * then claims the letters now due into new batches and writes each. A
 * batch is claimed in one transaction (a letter is never in two batches),
 * its files are written to temporary names, synced and renamed (the
 * manifest last: a print house takes a batch only when its manifest is
 * there), and then one transaction records on every letter that it went on
 * paper (letters.paper_at, paper_batch), audited "letter.paper", and marks
 * the batch written. Killed anywhere, the next run writes the open batch
 * again from the same stored data, under the same names; run twice, the
 * second finds nothing due. A letter opened before the run is not due.
 *
 * A person with a confidential address is never printed with their
 * address: their letter goes to the forwarding address an installation
 * configures (setting PAPER_FORWARDING_SETTING, the population register's
 * forwarding service), or, when none is configured, is withheld from paper,
 * recorded and audited ("letter.paper.withheld"), counted in every run's
 * summary and shown to case workers, until one is. No address reaches a
 * log or the audit trail. */
#ifndef STIPEND_PAPER_H
#define STIPEND_PAPER_H

#include <jansson.h>
#include <stdint.h>

#include "core/i18n.h"
#include "store/store.h"

struct arena;
struct err;

/* Days a decision letter may stay unread before it goes on paper. */
#define PAPER_AFTER_DAYS 7

/* At most this many letters in one print batch; more due make more
 * batches. */
#define PAPER_BATCH_MAX 1000

/* The installation setting naming the forwarding address for persons with
 * a confidential address: its lines separated by newlines. */
#define PAPER_FORWARDING_SETTING "paper.forwarding_address"

/* At most this many lines in a forwarding address, and characters a line. */
#define PAPER_FORWARDING_LINES 4
#define PAPER_LINE_MAX 80

/* The model of a letter in lang, as its page gets it (mbox_letter_model,
 * mailbox/letter.h): new reference, or NULL when it cannot be made. */
typedef json_t *(*paper_model_fn)(struct store *s, enum lang lang, struct arena *a, const struct letter *l);

struct paper_options {
	const char *out_dir;  /* where the PDFs and manifests go (must exist) */
	int64_t now;          /* the run's moment */
	int after_days;       /* PAPER_AFTER_DAYS unless asked otherwise */
	paper_model_fn model; /* NULL: mbox_letter_model; tests may put their own */
	int batch_max;        /* 0: PAPER_BATCH_MAX */
};

/* A batch written by a run. */
struct paper_batch_done {
	int64_t id;
	int letters, pages;
	int completed;              /* left open by an earlier run, completed by this one */
	char pdf[64], manifest[64]; /* file names in out_dir */
};

#define PAPER_RUN_BATCHES 64

struct paper_summary {
	int letters, pages; /* on paper by this run */
	int withheld;       /* withheld letters waiting (all, not only this run's) */
	int withheld_new;   /* withheld by this run */
	int n_batches;      /* batches written; the first PAPER_RUN_BATCHES in batches */
	struct paper_batch_done batches[PAPER_RUN_BATCHES];
};

/* Run the paper fallback as described above. Returns 0 with sum filled, or
 * -1 with e filled: ERR_CONFLICT when another run holds out_dir, ERR_IO
 * when a file cannot be written, ERR_STORE; what was committed before the
 * failure stays, and the next run completes the rest. Only one run per
 * out_dir at a time (a lock file there). */
int paper_run(struct store *s, const struct paper_options *o, struct paper_summary *sum, struct err *e);

/* The first step alone, for tests that stop a run half-way: claim letters
 * due at o->now into a new batch (*batch_id 0 when none) and record those
 * withheld. */
int paper_claim(struct store *s, const struct paper_options *o, int64_t *batch_id, int *withheld_new, struct err *e);

/* Set the forwarding address: lines separated by newlines or ";", 2 to
 * PAPER_FORWARDING_LINES non-empty lines of at most PAPER_LINE_MAX bytes.
 * Audited ("paper.forwarding-address.set", without the address) as done by
 * actor ("operator"). Returns 0, or -1 with ERR_INVALID and field
 * "forwarding_address" for a bad address. */
int paper_set_forwarding(struct store *s, const char *lines, const char *actor, int64_t now, struct err *e);

/* Mark, in letters (an array of mbox_letter_json() objects of person_id's), the
 * ones withheld from paper: "paper_withheld": true. For the case worker's
 * view. Returns 0 or -1 with e. */
int paper_mark_withheld(struct store *s, int64_t person_id, json_t *letters, struct err *e);

#endif
