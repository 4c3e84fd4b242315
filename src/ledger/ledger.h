/* ledger.h - the agency's double-entry ledger in integer øre: every krone
 * lent, converted, charged as interest, paid or written off is an entry of
 * balanced legs on a fixed chart of accounts, with its cause and effective
 * day. A balance is always a sum of postings, never a stored total.
 *
 * The chart (names are the accounts' whole identity):
 *   loan.principal          a person's loan; a debit raises the debt
 *   loan.interest           a person's accrued interest owed
 *   agency.bank             the agency's payout and collection account
 *   agency.grant-expense    grants paid out (the debt does not rise)
 *   agency.interest-income  interest charged
 *   agency.conversion       loan converted to grant
 *   agency.claims           claims for overpaid support
 *   agency.write-off        debt written off (death, disability)
 *   agency.fees             fees charged (the paper invoice)
 *   agency.suspense         payments received that no account took yet
 * A loan payout: debit loan.principal, credit agency.bank. A grant payout:
 * debit agency.grant-expense, credit agency.bank.
 *
 * The ledger sits on the domain floor below the rooms that post into it
 * (loans/, payouts): it asks no gate, since its callers have. Thread-safe. */
#ifndef STIPEND_LEDGER_H
#define STIPEND_LEDGER_H

#include <stdint.h>

#include "core/date.h"

struct arena;
struct err;
struct store;
struct store_leg;
struct store_tx;

struct ledger_leg { const char *account; int64_t amount_ore; }; /* debit > 0, credit < 0; an entry's legs sum to 0 */
struct ledger_entry {
	int64_t person_id;       /* whose loan account (0 for the agency's own accounts only) */
	const char *kind;        /* "disbursement", "grant", "conversion", "interest", "payment", "deferral",
	                            "relief", "write-off", "fee", "claim", "fixed-rate-loss", "fixed-rate-gain" */
	const char *cause;       /* what caused it: "decision:12", "payout:7", "payout-run:3", "payment:9", "run:convert-2025" */
	date_t effective;        /* the effective date (core/date.h) */
	int n_legs;
	const struct ledger_leg *legs;
};
/* Post one balanced entry inside the caller's write transaction. Returns 0 (id filled, may be NULL) or -1
 * with ERR_INVALID when the legs do not sum to 0 or an account is unknown. */
int ledger_post(struct store_tx *tx, const struct ledger_entry *entry, int64_t *id, struct err *e);
/* Postings whose legs are written together, in one statement (#11's
 * speed: a statement a leg walks SQLite's sub-journal of the whole
 * transaction). ledger_post_pending() checks and inserts the entry as
 * ledger_post() does and keeps its legs; ledger_pending_flush() writes the
 * legs kept, in the order posted (so their ids are those ledger_post()
 * would give). Until the flush, the entries' legs are not in the ledger: a
 * balance must not be read for a person ledger_pending_has() names. The
 * legs live in arena a; flush before the transaction ends. */
struct ledger_pending {
	struct arena *a;
	struct store_leg *legs;
	int n, cap;
};
int ledger_post_pending(struct store_tx *tx, const struct ledger_entry *entry, struct ledger_pending *p, int64_t *id,
			struct err *e);
/* 1 when a leg kept names person_id. */
int ledger_pending_has(const struct ledger_pending *p, int64_t person_id);
int ledger_pending_flush(struct store_tx *tx, struct ledger_pending *p, struct err *e);
/* A person's debt in øre on day d: the sum of their legs on the loan accounts. */
int ledger_debt(struct store *s, int64_t person_id, date_t d, int64_t *ore, struct err *e);

/* ---- beyond the core ---- */

#define LEDGER_MAX_LEGS 16

/* 1 when account is on the chart, and *personal (may be NULL) says whether
 * it is a person's (loan.*); 0 when unknown. */
int ledger_account_known(const char *account, int *personal);

/* The balance of one of person_id's accounts ("loan.principal" or
 * "loan.interest") on day d, in øre, inside a write transaction (it sees
 * the transaction's own postings). */
int ledger_balance_tx(struct store_tx *tx, int64_t person_id, const char *account, date_t d, int64_t *ore,
		      struct err *e);

/* What `stipend ledger check` found: the counts checked and each problem
 * as a line of text (arena). */
struct ledger_report {
	int64_t entries, legs;
	int n_problems; /* at most LEDGER_CHECK_MAX listed */
	const char **problems;
};
#define LEDGER_CHECK_MAX 100

/* Prove the invariants: every entry balances (two legs or more summing to
 * 0), every leg carries its entry's person and day, every person's debt by
 * their legs equals their debt by their entries, no debt is below 0, and the
 * whole ledger sums to 0. Returns 0 with r filled (n_problems 0: all hold),
 * or -1 with e filled when the store failed. */
int ledger_check(struct store *s, struct ledger_report *r, struct arena *a, struct err *e);

#endif
