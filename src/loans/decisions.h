/* decisions.h - decisions of payment deferral and interest relief act on
 * the loan account by themselves (#11, "Deferral and interest relief
 * decisions (#3, #6) act on the account").
 *
 * Called by the durable job 'decision-payout' (payout/decision.c), which
 * migration 0019's trigger enqueues for every decision stored, by any path
 * (the intake, a re-decision, a case worker). Thread-safe. */
#ifndef STIPEND_LOANS_DECISIONS_H
#define STIPEND_LOANS_DECISIONS_H

#include <stdint.h>

struct err;
struct store;

/* What applying a case's decision did. */
enum loans_decision_effect {
	LOANS_DECISION_NONE,       /* not a deferral or relief decision that grants or takes back months */
	LOANS_DECISION_APPLIED,    /* months granted, or taken back */
	LOANS_DECISION_NO_ACCOUNT  /* it grants months, but the person has no loan account */
};

/* Apply case_id's decision in force to the person's loan account, when
 * the case's scheme is payment-deferral (kind "deferral") or
 * interest-relief (kind "relief"). The months run from the month of the
 * case's first decision that granted months (the Oslo day it was made: a
 * re-decision of the same application keeps its start; a manual receipt
 * before a case worker's decision does not count). A granted or
 * partly-granted decision's months (its award "deferral" or
 * "interest-relief") go to loans_grant_months(), cause "decision:<decision
 * id>": running it again grants nothing twice, and a later decision
 * granting more adds the months after. A later decision granting fewer,
 * or rejecting, takes back the case's months after its own through
 * loans_withdraw_months() (a deferred month that has begun stays). A
 * decision for a case worker changes nothing. A person without an account
 * is no error: *effect says so and nothing is written. Returns 0 with
 * *effect, or -1 (store failure, or a decision whose JSON does not
 * parse). */
int loans_decision_apply(struct store *s, int64_t case_id, int64_t now, enum loans_decision_effect *effect,
			 struct err *e);

#endif
