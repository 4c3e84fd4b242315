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

/* A leg to insert with others: person_id 0 stores none. */
struct store_leg {
	int64_t entry_id;
	const char *account;
	int64_t person_id;
	date_t effective;
	int64_t amount;
};
/* Insert n legs in one statement, in their order. */
int store_ledger_legs_insert_many(struct store_tx *tx, const struct store_leg *legs, int n, struct err *e);

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
	const char *what; /* "unbalanced", "leg-person", "leg-date", "debt-mismatch", "negative-debt", "ledger-total",
			    * "balance-mark" (#11: a balance mark that is not its legs' sum) */
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

/* ---- loan accounts (the state beside the sums) ---- */

/* A date not set (support not ended, no plan, no fixed rate). */
#define LOAN_NO_DATE INT32_MIN

struct loan_account {
	int64_t person_id;
	const char *kid;
	date_t support_ended;    /* last day of support, or LOAN_NO_DATE */
	date_t interest_through; /* interest posted through this day, or LOAN_NO_DATE */
	int32_t fixed_rate;      /* thousandths of a percent; 0 with fixed_years 0: floating */
	int fixed_years;         /* 3, 5, 10, or 0 */
	date_t fixed_from, fixed_until;
	date_t first_due, last_due; /* the plan's terms, or LOAN_NO_DATE: no plan yet */
	int paper;                  /* invoices on paper (with the fee) */
	int64_t fixed_term;         /* øre a term fixed by a decision (the write-off at
				     * disability's "Nytt terminbeløp"), paid until the
				     * debt is repaid; 0: the annuity */
};

/* person_id's account into *out (strings in a). 0 found, 1 none, -1. */
int store_loan_account_get(struct store *s, int64_t person_id, struct loan_account *out, struct arena *a,
			   struct err *e);
int store_loan_account_get_tx(struct store_tx *tx, int64_t person_id, struct loan_account *out, struct arena *a,
			      struct err *e);
/* Insert or replace the account's state. */
int store_loan_account_put(struct store_tx *tx, const struct loan_account *acct, int64_t now, struct err *e);
/* The persons whose support has ended, by id after after_id, at most max,
 * into ids. Returns the count or -1. */
int store_loan_accounts_repaying(struct store *s, int64_t after_id, int64_t *ids, int max, struct err *e);
/* Every account, by id after after_id, at most max. Count or -1. */
int store_loan_accounts_all(struct store *s, int64_t after_id, int64_t *ids, int max, struct err *e);
/* The person of the account with this KID: 0 found, 1 none, -1. */
int store_loan_account_by_kid_tx(struct store_tx *tx, const char *kid, int64_t *person_id, struct err *e);

/* A day's change of a person's debt: the sum of their legs on the loan
 * accounts effective that day. */
struct ledger_day {
	date_t day;
	int64_t amount;
};
/* person_id's debt before day from into *opening, and the changes of each
 * day from..to (ascending, days without postings left out) into *out
 * (arena). Read in the transaction. Returns the count or -1. */
int store_ledger_person_days_tx(struct store_tx *tx, int64_t person_id, date_t from, date_t to, int64_t *opening,
				struct ledger_day **out, struct arena *a, struct err *e);

struct loan_invoice {
	int64_t id, person_id;
	date_t due;
	int64_t amount;             /* the term, øre */
	int64_t interest, principal; /* its parts as the debt stood */
	int64_t fee;                /* the paper invoice's fee, 0 electronic */
	const char *kid;
	int64_t letter_id;
	int64_t paid; /* so far, of amount + fee */
	date_t paid_at;
	int64_t created_at;
	int reminders;       /* 0, 1 (reminder), 2 (notice of termination) */
	date_t reminded_at;  /* the last reminder's day, or LOAN_NO_DATE */
	int cancelled;       /* the debt was written off: no longer owed */
};
/* Cancel person_id's open invoices on day on (the debt written off). */
int store_loan_invoices_cancel(struct store_tx *tx, int64_t person_id, date_t on, struct err *e);
/* A second invoice of the same person and due day fails with ERR_CONFLICT. */
int store_loan_invoice_insert(struct store_tx *tx, const struct loan_invoice *inv, int64_t *id, struct err *e);
int store_loan_invoice_set_letter(struct store_tx *tx, int64_t id, int64_t letter_id, struct err *e);
/* Add paid to the invoice's payments; paid_at set when it is paid in full. */
int store_loan_invoice_add_paid(struct store_tx *tx, int64_t id, int64_t paid, date_t on, struct err *e);
/* person_id's invoices newest first (at most max) into *out. Count or -1. */
int store_loan_invoices_of(struct store *s, int64_t person_id, struct loan_invoice **out, int max, struct arena *a,
			   struct err *e);
/* person_id's invoices not paid in full, oldest first, in the transaction. */
int store_loan_invoices_open_tx(struct store_tx *tx, int64_t person_id, struct loan_invoice **out, int max,
				struct arena *a, struct err *e);
/* Record reminder n (1 or 2) of invoice id on day, its fee added to the
 * invoice's and its letter. */
int store_loan_invoice_remind(struct store_tx *tx, int64_t id, int n, date_t day, int64_t fee, int64_t letter_id,
			      struct err *e);
/* The invoice a letter carries (the invoice's own or a reminder's):
 * 0 found, 1 none, -1. */
int store_loan_invoice_by_letter(struct store *s, int64_t letter_id, struct loan_invoice *out, struct arena *a,
				 struct err *e);
/* The due day of person_id's latest invoice into *due: 0 found, 1 none, -1. */
int store_loan_invoice_latest_tx(struct store_tx *tx, int64_t person_id, date_t *due, struct err *e);
/* One invoice by id: 0 found, 1 none, -1. */
int store_loan_invoice_get(struct store *s, int64_t id, struct loan_invoice *out, struct arena *a, struct err *e);

struct loan_payment {
	int64_t id;
	const char *bank_ref, *kid;
	int64_t amount;
	date_t booked;
	const char *debtor;
	int64_t person_id; /* 0: not matched */
	const char *state; /* matched, unmatched, resolved */
	int64_t entry_id;
	int64_t received_at;
};
/* Insert a reported credit. Returns 0 (id filled), 1 when its bank_ref is
 * already booked (nothing written), -1. */
int store_loan_payment_insert(struct store_tx *tx, const struct loan_payment *p, int64_t *id, struct err *e);
/* Set a payment's person, state and entry. */
int store_loan_payment_settle(struct store_tx *tx, int64_t id, int64_t person_id, const char *state, int64_t entry_id,
			      struct err *e);
/* person_id's payments newest first, or (person_id 0) the payments waiting
 * for a case worker oldest first; at most max. Count or -1. */
int store_loan_payments_list(struct store *s, int64_t person_id, struct loan_payment **out, int max, struct arena *a,
			     struct err *e);

/* ---- conversion to grant ---- */

/* A decided case that may hold a convertible loan. */
struct loan_conv_case {
	int64_t case_id, person_id;
	const char *nin, *application_json;
	/* The decision's "awards" array as JSON text, or NULL when the
	 * decision does not read as JSON or holds no such array. */
	const char *awards_json;
	/* The person's loan.principal summed over their legs through the day
	 * asked (as store_ledger_person_sum). */
	int64_t principal;
	/* The person's decided higher-education case of other_year (the
	 * school year whose other semester lies in the same calendar year):
	 * its education's start ("YYYY-MM-DD") and its basic loan's months,
	 * or NULL and 0 when there is none. */
	const char *other_start;
	int other_months;
};
/* The decided higher-education cases of school_year after after_id, by id,
 * at most max, into *out (arena), each with its decision's awards, its
 * person's principal on day on, and the person's case of other_year (see
 * above; NULL: not asked): one statement a page (#11's speed). Count or
 * -1. */
int store_loan_conv_cases(struct store *s, const char *school_year, const char *other_year, int64_t after_id,
			  date_t on, struct loan_conv_case **out, int max, struct arena *a, struct err *e);

struct loan_conversion {
	int64_t id, case_id, person_id;
	int year;
	int64_t convertible, income, wealth;
	int credits_tenths, expected_tenths;
	int64_t converted;
	const char *decision_json;
	int64_t entry_id, letter_id, created_at;
	/* "autumn" or "spring" (#11, migration 0027: year is the income year
	 * the semester was tested against), or "school-year": a whole school
	 * year converted before 0027, against the income of its first year. */
	const char *semester;
};
/* Insert; a second for the same case and semester, or any beside a
 * school year's, fails with ERR_CONFLICT. */
int store_loan_conversion_insert(struct store_tx *tx, const struct loan_conversion *c, int64_t *id, struct err *e);
/* The conversion a letter carries: 0 found, 1 none, -1. */
int store_loan_conversion_by_letter(struct store *s, int64_t letter_id, struct loan_conversion *out, struct arena *a,
				    struct err *e);
/* person_id's conversions, newest first, at most max (decision_json not
 * read: NULL). Count or -1. */
int store_loan_conversions_of(struct store *s, int64_t person_id, struct loan_conversion **out, int max,
			      struct arena *a, struct err *e);

/* ---- deferral and interest relief ---- */

/* Mark person_id's month ("2025-03") as kind ("deferral", "relief").
 * Returns 0, or 1 when it was marked before (nothing written), -1. */
int store_loan_month_mark(struct store_tx *tx, int64_t person_id, const char *month, const char *kind,
			  const char *cause, int64_t now, struct err *e);
/* Unmark person_id's month as kind. Returns 0 (also when it was not
 * marked), -1. */
int store_loan_month_unmark(struct store_tx *tx, int64_t person_id, const char *month, const char *kind,
			    struct err *e);
/* The months ("2025-03", oldest first, at most max) from `from` on that
 * person_id has as kind by a decision of case case_id (cause
 * "decision:<id>" of any of the case's decisions), into months. Returns
 * the count, or -1. */
int store_loan_case_months_tx(struct store_tx *tx, int64_t person_id, const char *kind, int64_t case_id,
			      const char *from, char (*months)[8], int max, struct err *e);
/* 1 when the month is marked as kind, 0 when not, -1. */
int store_loan_month_marked_tx(struct store_tx *tx, int64_t person_id, const char *month, const char *kind,
			       struct err *e);
/* The sum of person_id's legs on account of the entries with this cause,
 * in the transaction, into *ore. */
int store_ledger_cause_sum_tx(struct store_tx *tx, int64_t person_id, const char *cause, const char *account,
			      int64_t *ore, struct err *e);

/* ---- the annual statement ---- */

struct loan_statement {
	int64_t id, person_id;
	int year;
	int64_t debt, interest_charged, interest_paid, principal_paid;
	int64_t letter_id, created_at;
	const char *nin; /* read back only */
};
/* Insert; a second for the same person and year fails with ERR_CONFLICT. */
int store_loan_statement_insert(struct store_tx *tx, const struct loan_statement *st, struct err *e);
/* The statement a letter carries: 0 found, 1 none, -1. */
int store_loan_statement_by_letter(struct store *s, int64_t letter_id, struct loan_statement *out, struct arena *a,
				   struct err *e);
/* The statements of year after after_id (by id), at most max, with the
 * person's number. Count or -1. */
int store_loan_statements_of_year(struct store *s, int year, int64_t after_id, struct loan_statement **out, int max,
				  struct arena *a, struct err *e);

#endif
