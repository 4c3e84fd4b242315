/* loans_bulk.h - what the loan account's batch runs read in bulk, beyond
 * ledger.h.
 *
 * Conventions as store.h. Implemented in sqlite_loans_bulk.c (#11, the
 * speed the issue asks for). */
#ifndef STIPEND_STORE_LOANS_BULK_H
#define STIPEND_STORE_LOANS_BULK_H

#include <stdint.h>

#include "core/date.h"
#include "store/ledger.h"
#include "store/store.h"

struct arena;
struct err;
struct store;

/* An invoice not paid in full and not cancelled: what is left of it. */
struct loan_open_invoice {
	int64_t id, person_id;
	const char *kid;
	int64_t rest; /* amount + fee - paid, øre */
	date_t due;
};

/* Every person's open invoices by person and due day after (after_person,
 * after_due) (start with 0, 0), at most max, into *out (arena). Count or
 * -1. */
int store_loan_invoices_open_page(struct store *s, int64_t after_person, date_t after_due,
				  struct loan_open_invoice **out, int max, struct arena *a, struct err *e);

/* Set person_id's balance mark (migration 0021) at day through: the sums
 * of their legs on loan.principal and loan.interest effective on or before
 * it, as the ledger holds them in tx. Later sums in a transaction
 * (store_ledger_person_sum_tx) start from it; a leg posted on or before the
 * day removes it. */
int store_loan_balance_mark(struct store_tx *tx, int64_t person_id, date_t through, struct err *e);

/* The writer's page cache for a batch run that touches more of the
 * database than SQLite's default cache (2 MB) holds: big set, a cache of
 * 256 MB; big 0, the default again. The run gives it back at its end. */
int store_writer_cache(struct store_tx *tx, int big, struct err *e);

/* A batch run's checkpoints on a thread of its own (#11): on, the
 * writer no longer copies the write-ahead log into the database at its
 * commits (SQLite's automatic checkpoint); off, it does again. */
int store_writer_autocheckpoint(struct store_tx *tx, int on, struct err *e);
/* Copy what the write-ahead log holds into the database, as far as no
 * reader needs it, beside the writer (a passive checkpoint, on a
 * connection of its own). 0 or -1. */
int store_checkpoint(struct store *s, struct err *e);

/* The loan.principal of each of the n persons on day d, as
 * store_ledger_person_sum_tx() gives them one by one (from the balance
 * mark on or before d, and the legs after it), into out[i], in one
 * statement inside tx. A person may be named more than once. 0 or -1. */
int store_loan_principals_tx(struct store_tx *tx, const int64_t *persons, int n, date_t d, int64_t *out,
			     struct err *e);

/* store_ledger_check() (ledger.h) proves the invariants in one pass over
 * the entries and their legs in C (sqlite_loans_bulk.c); this is the same
 * check in SQL (sqlite_ledger.c), a join and a grouping for each invariant:
 * the reference the tests hold the pass to, and the slower one on a ledger
 * of millions of legs. Same contract. */
int store_ledger_check_sql(struct store *s, struct ledger_problem **out, int max, int64_t *entries, int64_t *legs,
			   struct arena *a, struct err *e);

#endif
