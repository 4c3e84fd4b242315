/* ledger.h - the ledger's own storage: entries and their legs, the sums
 * that are every balance, and the invariants `stipend ledger check` proves.
 *
 * Conventions as store.h: reads take the store (and an arena for lists) and
 * return 0, or for lists the count, or -1 with e filled; writes take a
 * transaction of store_write(). Nothing here checks that an entry balances:
 * src/ledger/ does, before it writes. Thread-safe. Implemented in
 * sqlite_ledger.c (migration 0011). */
#ifndef STIPEND_STORE_LEDGER_H
#define STIPEND_STORE_LEDGER_H

#include <stdint.h>

#include "core/date.h"
#include "store/store.h"

struct arena;
struct err;

/* Insert an entry's head; *id receives its id. person_id 0 stores none. */
int store_ledger_entry_insert(struct store_tx *tx, int64_t person_id, const char *kind, const char *cause,
			      date_t effective, int64_t *id, struct err *e);

/* Insert one leg of entry entry_id. person_id is stored only when personal
 * is set (a person's account). */
int store_ledger_leg_insert(struct store_tx *tx, int64_t entry_id, const char *account, int personal,
			    int64_t person_id, date_t effective, int64_t amount, struct err *e);

/* The sum of person_id's legs on account (NULL: every personal account)
 * effective on or before d, into *ore. */
int store_ledger_person_sum(struct store *s, int64_t person_id, const char *account, date_t d, int64_t *ore,
			    struct err *e);
/* The same, read in the caller's write transaction (sees its own writes). */
int store_ledger_person_sum_tx(struct store_tx *tx, int64_t person_id, const char *account, date_t d,
			       int64_t *ore, struct err *e);

/* The sum of person_id's legs on account (NULL: every personal account) of
 * entries of kind (NULL: any) effective in [from, to], into *ore. */
int store_ledger_person_flow(struct store *s, int64_t person_id, const char *account, const char *kind,
			     date_t from, date_t to, int64_t *ore, struct err *e);

/* 1 when an entry with this cause and kind exists (a run posts once), 0 when
 * none, -1 on failure. */
int store_ledger_cause_exists(struct store_tx *tx, const char *cause, const char *kind, struct err *e);

/* One broken invariant. */
struct ledger_problem {
	const char *what; /* "unbalanced", "leg-person", "leg-date", "debt-mismatch", "negative-debt", "ledger-total" */
	int64_t entry_id; /* the entry, or 0 */
	int64_t person_id; /* the person, or 0 */
	int64_t a, b;      /* the figures that disagree (see ledger_check) */
};

/* Every broken invariant of the ledger, at most max, into *out (arena):
 *  - unbalanced: entry a's legs sum to a (b legs) instead of 0, or it has
 *    fewer than two legs;
 *  - leg-person: a leg's person is not its entry's (a personal account
 *    without the entry's person, or an agency account with a person);
 *  - leg-date: a leg's effective day is not its entry's;
 *  - debt-mismatch: the person's legs on the loan accounts sum to a, their
 *    entries' legs to b;
 *  - negative-debt: the person's loan accounts sum to a < 0;
 *  - ledger-total: all legs together sum to a instead of 0.
 * *entries and *legs receive the counts checked. Returns the count of
 * problems or -1. */
int store_ledger_check(struct store *s, struct ledger_problem **out, int max, int64_t *entries, int64_t *legs,
		       struct arena *a, struct err *e);

#endif
