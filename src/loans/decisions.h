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
	LOANS_DECISION_NONE,       /* not a deferral or relief decision that grants months */
	LOANS_DECISION_APPLIED,    /* the months are granted (those granted before are left) */
	LOANS_DECISION_NO_ACCOUNT  /* it grants months, but the person has no loan account */
};

/* Apply case_id's decision in force to the person's loan account: when
 * the case's scheme is payment-deferral or interest-relief and its
 * outcome granted or partly-granted, each award "deferral" (kind
 * "deferral") or "interest-relief" (kind "relief") with months > 0 goes to
 * loans_grant_months() for its months from the month of the case's first
 * decision that granted months (the Oslo day it was made: a re-decision of
 * the same application keeps its start; a manual receipt before a case
 * worker's decision does not count), cause "decision:<decision id>". Running it again,
 * or for a later decision granting fewer months, grants nothing twice and
 * takes nothing back (there is no reversal: a case worker handles a
 * lowered decision; see the README). A person without an account is no
 * error: *effect says so and nothing is written. Returns 0 with *effect,
 * or -1 (store failure, or a decision whose JSON does not parse). */
int loans_decision_apply(struct store *s, int64_t case_id, int64_t now, enum loans_decision_effect *effect,
			 struct err *e);

#endif
