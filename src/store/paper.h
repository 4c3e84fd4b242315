/* paper.h - the store's part of the paper fallback: print batches, the
 * letters in them, the letters withheld from paper, and the installation
 * setting that names a forwarding address (migration 0006).
 *
 * The conventions are store.h's: reads take the store and an arena, writes
 * a transaction of store_write(); reads return 0 found, 1 not found, -1
 * with e filled, lists the count or -1. */
#ifndef STIPEND_STORE_PAPER_H
#define STIPEND_STORE_PAPER_H

#include <stdint.h>

#include "store/store.h"

struct paper_batch {
	int64_t id;
	int64_t created_at;    /* the run that made it; its letters' paper_at */
	int64_t unread_before; /* letters delivered at or before were due */
	const char *state;     /* open, written */
	int letter_count, page_count;
};

/* Claim, for a new batch created at now, up to max decision letters due:
 * unread, not on paper, delivered at or before unread_before, in no batch;
 * those of persons with a confidential address only when forwarding is
 * non-zero. *batch_id receives the new batch, or 0 when nothing was due
 * (no batch is made); *count the letters claimed. */
int store_paper_claim(struct store_tx *tx, int64_t now, int64_t unread_before, int forwarding, int max,
                      int64_t *batch_id, int *count, struct err *e);

/* Record as withheld (reason confidential-address) the letters due as
 * above whose person has a confidential address and that are not yet
 * recorded. *ids (in a) receives those newly recorded, up to max; returns
 * their count or -1. */
int store_paper_withhold_due(struct store_tx *tx, int64_t now, int64_t unread_before, int max, int64_t **ids,
                             struct arena *a, struct err *e);

/* The batches still open (left by a run that did not finish), oldest
 * first, up to max; returns the count or -1. */
int store_paper_open_batches(struct store *s, int max, int64_t **ids, struct arena *a, struct err *e);

int store_paper_batch_get(struct store *s, int64_t id, struct paper_batch *out, struct arena *a, struct err *e);

/* A batch's letters in their order, up to max; returns the count or -1. */
int store_paper_batch_letters(struct store *s, int64_t batch_id, int max, int64_t **letter_ids, struct arena *a,
                              struct err *e);

/* A letter written into its batch: where it went (address_kind registered
 * or forwarding) and its pages; the letter records paper_at and
 * paper_batch (unless it already has them). */
int store_paper_letter_written(struct store_tx *tx, int64_t batch_id, int64_t letter_id, const char *address_kind,
                               int first_page, int page_count, int64_t paper_at, struct err *e);

/* Take a letter out of a batch it could not be written into (its person's
 * address became confidential with no forwarding address) and record it
 * as withheld at now. */
int store_paper_letter_withdraw(struct store_tx *tx, int64_t batch_id, int64_t letter_id, int64_t now, struct err *e);

/* The batch is written: its counts and the PDF's SHA-256 (hex; NULL when
 * no letter was left to write). */
int store_paper_batch_written(struct store_tx *tx, int64_t batch_id, int letters, int pages, const char *sha256,
                              int64_t now, struct err *e);

/* How many letters are withheld and still waiting (unread, not on paper,
 * in no batch). */
int store_paper_withheld_count(struct store *s, int64_t *count, struct err *e);

/* The letters of person_id withheld and still waiting, up to max; returns
 * the count or -1. */
int store_paper_withheld_of_person(struct store *s, int64_t person_id, int max, int64_t **letter_ids, struct arena *a,
                                   struct err *e);

/* Set an installation setting, replacing its value (store_setting_init
 * keeps an existing one). */
int store_paper_setting_put(struct store_tx *tx, const char *name, const char *value, struct err *e);

#endif
