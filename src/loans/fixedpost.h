/* fixedpost.h - the fixed rate's interest loss or gain on the loan account
 * (rentetap and rentegevinst, issue #11): posted when a borrower within a
 * fixed-rate agreement pays extra, and when they end the agreement; the
 * letter with the figures, the list "Min gjeld" shows, and the
 * computations waiting for the rates of new agreements.
 *
 * The arithmetic is loans/fixedrate.h (the pages give the rule and the
 * page's 4-year example, not the formula: the formula there is ours). A
 * loss is a "fixed-rate-loss" ledger entry (debit loan.principal, credit
 * agency.interest-income), a gain a "fixed-rate-gain" entry (debit
 * agency.interest-income, credit loan.principal, at most the principal
 * owed), effective on the payment's day or on the day the agreement ends,
 * caused by the payment ("payment:9") or the ending
 * ("fixed-rate-end:<person>:<day>"). Each is recorded in
 * loan_fixed_adjustments (store/fixedrate.h) with its figures, and the
 * borrower gets a letter (kind "loan-fixed-rate") with them.
 *
 * The rates of new agreements are those offered for the day
 * (loan.rate.fixed.3, .5, .10). On an extra payment made on a day for
 * which no rate is known (the compiled-in parameters hold May-June 2024
 * only) nothing is guessed: the payment is booked as always, and the loss
 * or gain is recorded as waiting, named with the missing figure on the
 * case workers' payments page; the monthly run posts it, effective on the
 * payment's day, once the parameters hold that day's rates. Ending the
 * agreement is refused while the rates for the day it would end are not
 * known (the agency publishes them before the window to choose or end).
 *
 * Thread-safe. */
#ifndef STIPEND_LOANS_FIXEDPOST_H
#define STIPEND_LOANS_FIXEDPOST_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "core/date.h"
#include "core/i18n.h"

struct arena;
struct err;
struct loan_account;
struct params;
struct store;
struct store_tx;

/* What happened to the agreement's loss or gain. */
enum loans_fixed_outcome {
	LOANS_FIXED_NONE,    /* no agreement ran that day: nothing to compute */
	LOANS_FIXED_POSTED,  /* computed and posted (0 øre posts no entry) */
	LOANS_FIXED_WAITING  /* no rate of new agreements known for the day */
};

/* Within tx, after payment_id's `extra` øre beyond the open invoices was
 * booked on acct's loan effective on day on: when acct's fixed agreement
 * runs on that day, compute and post the loss or gain, deliver its letter
 * and record it (or record it waiting). *outcome and *adjustment (øre,
 * > 0 loss; may be NULL) are filled. Returns 0, or -1 with e filled (the
 * store failed). */
int loans_fixed_on_extra_tx(struct store_tx *tx, const struct params *p, const struct loan_account *acct,
			    int64_t payment_id, int64_t extra, date_t on, int64_t now, enum loans_fixed_outcome *outcome,
			    int64_t *adjustment, struct err *e);

/* What ending the agreement did. */
struct loans_fixed_end_result {
	date_t floating_from; /* the first day at the floating rate */
	int cancelled;        /* 1: the agreement had not begun, so it is simply cancelled */
	int64_t amount;       /* the principal it was computed on, øre */
	int months_left;
	int64_t adjustment;   /* øre, > 0 a loss added, < 0 a gain deducted */
	int64_t letter_id;
};

/* End who's own fixed-rate agreement: floating from the first day of the
 * month after today, the loss or gain on the whole principal then owed
 * computed with the rates of new agreements offered for that day and
 * posted effective on it, with a letter and an audit record
 * (loan.fixed-rate.end). An agreement that has not begun is cancelled
 * without a computation. Asks the gate (loan.fixed-rate). Fails with
 * ERR_CONFLICT (field "end") when the account has no agreement running
 * into next month, or (field "rates") when the rates for that day are not
 * known. r may be NULL. */
int loans_fixed_end(struct store *s, const struct params *p, const struct principal *who, date_t today, int64_t now,
		    struct loans_fixed_end_result *r, struct err *e);

/* Post each waiting loss or gain whose day's rates p now holds, one
 * transaction each; *posted (may be NULL) receives how many. The monthly
 * run calls it. Returns 0, or -1 when the store failed. */
int loans_fixed_settle_waiting(struct store *s, const struct params *p, int64_t now, int *posted, struct err *e);

/* The borrower's losses and gains for "Min gjeld", newest first: a JSON
 * array of {day, event, amount, adjustment, loss (bool), gain (bool),
 * waiting (bool), months_left, comparison_text, letter_id}. New reference,
 * or NULL with e. The caller asked the gate. */
json_t *loans_fixed_list_json(struct store *s, int64_t person_id, enum lang lang, struct arena *a, struct err *e);

/* The waiting ones of everyone, for the case workers' payments page:
 * [{id, person_id, day, amount, missing, cause}]. New reference or NULL.
 * The caller asked the gate. */
json_t *loans_fixed_waiting_json(struct store *s, struct arena *a, struct err *e);

/* The figures a letter of kind "loan-fixed-rate" carries, as template
 * data, or NULL when letter_id carries none. */
json_t *loans_fixed_letter(struct store *s, int64_t letter_id, enum lang lang, struct arena *a);

#endif
