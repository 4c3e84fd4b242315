/* loans_decisions.h - what the loan account reads of a case's decision
 * (#11: deferral and interest relief decisions act on the account). Read
 * only; the tables are cases and decisions. Thread-safe. */
#ifndef STIPEND_STORE_LOANS_DECISIONS_H
#define STIPEND_STORE_LOANS_DECISIONS_H

#include <stdint.h>

struct arena;
struct err;
struct store;

/* A case's decision in force (the newest, not superseded), with what the
 * account needs of the case. Strings in the arena. */
struct loans_case_decision {
	int64_t decision_id;
	int64_t case_id, person_id;
	int64_t decided_at; /* unix seconds */
	int64_t first_at;   /* the case's first granting (or partly granting)
			     * decision's, unix seconds; 0 when none grants */
	const char *scheme;
	const char *outcome;
	const char *decision_json;
};

/* case_id's decision in force into *out. Returns 0 found, 1 when the case
 * has none (or does not exist), -1 on a store error. */
int store_loans_case_decision(struct store *s, int64_t case_id, struct loans_case_decision *out, struct arena *a,
			      struct err *e);

#endif
