/* payout.h - the payout's own storage: the accounts payments go to, the
 * institutions' confirmations, the signatures as payout sees them, each
 * decision's payout plan in monthly lines, the payout runs with their
 * payments, and claims for what was paid too much.
 *
 * Conventions as store.h: reads take the store and an arena (results live
 * in the arena) and return 0 found, 1 not found, -1 with e filled, or for
 * lists the count; writes take a transaction of store_write(). Thread-safe.
 * Implemented in sqlite_payout.c (migration 0012). */
#ifndef STIPEND_STORE_PAYOUT_H
#define STIPEND_STORE_PAYOUT_H

#include <stdint.h>

#include "store/store.h"

struct arena;
struct err;

/* ---- cases to plan ---- */

/* A decided case whose plan is missing or made from an older decision. */
struct payout_case {
	int64_t case_id, person_id, decided_at;
	int had_plan; /* planned before, from an older decision */
	const char *scheme, *school_year, *status, *outcome;
	const char *decision_json, *application_json;
};

/* Up to limit cases with id > after whose current decision (status
 * "decided") has no plan made from it, or which had a plan and were
 * decided again (whatever their status now), by id. Returns the count. */
int store_payout_cases_to_plan(struct store *s, int64_t after, int limit, struct payout_case **out,
			       struct arena *a, struct err *e);

/* The same for one case: 0 (it needs planning; *out filled), 1 (it does
 * not: planned from its current decision, or undecided, or no such case),
 * -1. */
int store_payout_case_to_plan(struct store *s, int64_t case_id, struct payout_case *out, struct arena *a,
			      struct err *e);

/* ---- plan lines ---- */

struct payout_line {
	int64_t id, case_id, person_id, decided_at;
	const char *school_year;
	const char *month; /* "2024-08" */
	const char *due;   /* "2024-08-15": the payday of the month */
	const char *kind;  /* "loan" or "grant" */
	int64_t amount_ore;
	const char *state; /* "planned" or "cancelled" */
	int64_t payment_id;        /* 0: not in a payment */
	const char *payment_state; /* the payment's state, or NULL */
	const char *run_date;      /* the run that carried it, or NULL */
	const char *booked_on;     /* the day the bank booked it on the account, or NULL */
};

/* A line is paid when it is in a payment the bank did not reject. */
#define PAYOUT_LINE_PAID(l) ((l)->payment_id != 0)

/* A case's lines (every state), by month then id, within tx; at most max. */
int store_payout_lines_of_case_tx(struct store_tx *tx, int64_t case_id, struct payout_line *out, int max,
				  struct arena *a, struct err *e);
/* A person's lines that are planned or paid, by month, at most 400. */
int store_payout_lines_of_person(struct store *s, int64_t person_id, struct payout_line **out, struct arena *a,
				 struct err *e);
int store_payout_line_insert(struct store_tx *tx, const struct payout_line *l, struct err *e);
/* Cancel every planned line of case_id not in a payment. */
int store_payout_lines_cancel_open(struct store_tx *tx, int64_t case_id, struct err *e);
/* Record that case_id's plan is made from its decision of decided_at. */
int store_payout_plan_put(struct store_tx *tx, int64_t case_id, int64_t person_id, int64_t decided_at, int64_t now,
			  struct err *e);

/* ---- claims ---- */

struct payout_claim {
	int64_t id, case_id, person_id;
	const char *kind;
	int64_t amount_ore, decided_at, letter_id, created_at;
};

int store_payout_claim_insert(struct store_tx *tx, const struct payout_claim *c, int64_t *id, struct err *e);
/* A person's claims, newest first, at most 200. */
int store_payout_claims_of_person(struct store *s, int64_t person_id, struct payout_claim **out, struct arena *a,
				  struct err *e);
/* The claim a letter tells of: 0 found, 1 none. */
int store_payout_claim_of_letter(struct store *s, int64_t letter_id, struct payout_claim *out, struct arena *a,
				 struct err *e);

/* ---- accounts ---- */

struct payout_account {
	int64_t person_id;
	const char *account; /* 11 digits */
	const char *source;  /* "register" or "person" */
	const char *state;   /* "ok" or "rejected" */
	int64_t checked_at;
};

int store_payout_account_get(struct store *s, int64_t person_id, struct payout_account *out, struct arena *a,
			     struct err *e);
/* Insert or replace a person's account. */
int store_payout_account_put(struct store_tx *tx, const struct payout_account *acct, struct err *e);
/* Mark the person's account rejected, when it still is account. */
int store_payout_account_reject(struct store_tx *tx, int64_t person_id, const char *account, struct err *e);
/* The register's account for a person: taken unless the person has that
 * same account already (ok, or rejected by the bank: the register still
 * naming it is no new account). */
int store_payout_account_from_register(struct store_tx *tx, int64_t person_id, const char *account, int64_t now,
				       struct err *e);
/* Up to limit persons (id > after, by id) with a planned line not paid and
 * no account or a rejected one: ids and NINs into the arrays. */
int store_payout_persons_needing_account(struct store *s, int64_t after, int limit, int64_t *ids, const char **nins,
					 struct arena *a, struct err *e);

/* ---- confirmations and signatures ---- */

/* Record a confirmation; *inserted (may be NULL) is 0 when the person had
 * one for the year already (kept as it was). */
int store_payout_confirmation_put(struct store_tx *tx, int64_t person_id, const char *school_year, const char *kind,
				  const char *source, int64_t at, int *inserted, struct err *e);
/* When (Unix seconds) the person's year was confirmed: 0 found, 1 not. */
int store_payout_confirmed(struct store *s, int64_t person_id, const char *school_year, int64_t *at,
			   const char **kind, struct arena *a, struct err *e);
int store_payout_signature_put(struct store_tx *tx, int64_t case_id, int64_t at, struct err *e);
/* Forget that case_id was signed: its new decision may need a new agreement. */
int store_payout_signature_forget(struct store_tx *tx, int64_t case_id, struct err *e);
/* Up to limit cases (id > after, by id) with a planned line not paid and
 * not known to be signed, into ids. Returns the count. */
int store_payout_cases_unsigned(struct store *s, int64_t after, int limit, int64_t *ids, struct err *e);
/* When the case's agreement was signed: 0 found, 1 not. */
int store_payout_signed(struct store *s, int64_t case_id, int64_t *at, struct err *e);

/* ---- runs and payments ---- */

/* Bind every line due on run_date (month its month) whose conditions hold
 * into one payment per person of a new run: a line is due when its payday
 * is on or before run_date, or, for a case none of whose lines is paid
 * yet (the first payout), when its month has begun. The run is recorded
 * as "written" with msg_id and file; *run_id, *payments and *total_ore
 * receive what was bound (a run of no payments is still returned, and is
 * for the caller to undo). Its references hold by construction, so it may
 * run in store_write_bulk(). */
int store_payout_run_bind(struct store_tx *tx, const char *run_date, const char *month, const char *msg_id,
			  const char *file, int64_t now, int64_t *run_id, int64_t *payments, int64_t *total_ore,
			  struct err *e);

struct payout_payment {
	int64_t id, run_id, person_id;
	const char *nin, *name;
	const char *account;
	int64_t loan_ore, grant_ore;
	const char *state, *reason;
	const char *run_date;
};

/* Call fn for each payment of run_id (by id) within tx, until it returns
 * non-zero; the strings live until fn returns. */
typedef int (*store_payment_fn)(const struct payout_payment *p, void *arg);
int store_payout_run_each_payment_tx(struct store_tx *tx, int64_t run_id, store_payment_fn fn, void *arg,
				     struct err *e);
/* Set the run's file digest. */
int store_payout_run_digest(struct store_tx *tx, int64_t run_id, const char *sha256, struct err *e);

struct payout_run {
	int64_t id;
	const char *run_date, *msg_id, *file, *sha256, *state;
	int64_t payments, total_ore, created_at, answered_at;
};

/* Runs not yet answered by the bank, oldest first (at most 200). */
int store_payout_runs_unanswered(struct store *s, struct payout_run **out, struct arena *a, struct err *e);
/* Runs of run_date, oldest first (at most 200). */
int store_payout_runs_of_date(struct store *s, const char *run_date, struct payout_run **out, struct arena *a,
			      struct err *e);
int store_payout_run_answered(struct store_tx *tx, int64_t run_id, int64_t now, struct err *e);

/* A payment within tx by its id: 0 found, 1 not. */
int store_payout_payment_get_tx(struct store_tx *tx, int64_t id, struct payout_payment *out, struct arena *a,
				struct err *e);
/* A payment "sent" becomes "accepted" or "rejected" (with the bank's
 * reason); a rejected payment's lines are released to be paid again (a
 * line of a plan superseded meanwhile is planned again: the new plan
 * counted it as paid). *changed is 0 when it was no longer "sent". */
int store_payout_payment_answer(struct store_tx *tx, int64_t id, const char *state, const char *reason,
				int64_t now, int *changed, struct err *e);
/* An "accepted" payment is "booked" on booked_on (the bank's booking day,
 * "YYYY-MM-DD", or NULL when the bank named none): *changed 0 when it was
 * not accepted. */
int store_payout_payment_booked(struct store_tx *tx, int64_t id, const char *booked_on, int64_t now, int *changed,
				struct err *e);
/* The letter that asked for a valid account after a rejection. */
int store_payout_payment_set_letter(struct store_tx *tx, int64_t id, int64_t letter_id, struct err *e);
/* The payment a letter tells of: 0 found, 1 none. */
int store_payout_payment_of_letter(struct store *s, int64_t letter_id, struct payout_payment *out, struct arena *a,
				   struct err *e);
/* A person's payments, newest first, at most 200. */
int store_payout_payments_of_person(struct store *s, int64_t person_id, struct payout_payment **out,
				    struct arena *a, struct err *e);

#endif
