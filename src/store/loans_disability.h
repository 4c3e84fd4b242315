/* loans_disability.h - the storage of the case workers' decisions on
 * writing off debt at permanent disability (#11, loans/disability.h):
 * each decision with its facts, outcome and letter, and the fixed term
 * amount the latest one set for the monthly run.
 *
 * Conventions as store.h: reads return 0 found, 1 not found, -1 with e
 * filled; writes take a transaction of store_write(). Thread-safe.
 * Implemented in sqlite_loans_disability.c (migration 0025). */
#ifndef STIPEND_STORE_LOANS_DISABILITY_H
#define STIPEND_STORE_LOANS_DISABILITY_H

#include <stdint.h>

#include "core/date.h"
#include "store/store.h"

struct arena;
struct err;

struct loan_disability {
	int64_t id, person_id, staff_id;
	date_t received, effective;
	int degree, aap;
	int64_t income;
	const char *income_source;   /* "register" or "caseworker" */
	int children;
	const char *children_source; /* "register" or "caseworker" */
	const char *outcome;         /* "whole", "partial", "refused-degree", "refused-income", "manual" */
	int64_t income_limit;        /* øre, children's additions included */
	int band;                    /* 1.. for "partial", else 0 */
	int64_t debt_before, new_debt, new_term, written_off; /* øre */
	const char *trace;           /* the parameters used, one a line */
	int64_t letter_id, created_at;
};

/* Insert d (id filled). Returns 0, or -1 with ERR_CONFLICT when the
 * person already has a decision on the application received that day. */
int store_loan_disability_insert(struct store_tx *tx, const struct loan_disability *d, int64_t *id, struct err *e);

/* The decision on person_id's application received on day received, in
 * tx, into *out (strings in a): 0 found, 1 none, -1. */
int store_loan_disability_find_tx(struct store_tx *tx, int64_t person_id, date_t received, struct loan_disability *out,
				  struct arena *a, struct err *e);

/* The decision a letter carries: 0 found, 1 none, -1. */
int store_loan_disability_by_letter(struct store *s, int64_t letter_id, struct loan_disability *out, struct arena *a,
				    struct err *e);

/* person_id's decisions, newest first, at most max, into *out (arena).
 * Returns the count or -1. */
int store_loan_disability_list(struct store *s, int64_t person_id, struct loan_disability **out, int max,
			       struct arena *a, struct err *e);

/* For the proposal, which writes nothing (read outside a transaction, as
 * store_ledger_person_days_tx() and store_loan_month_marked_tx() read
 * inside one): the sum of person_id's legs effective on each day
 * from..to that has any, ascending, at most max, into *out (arena).
 * Returns the count or -1. */
struct ledger_day;
int store_loan_disability_days(struct store *s, int64_t person_id, date_t from, date_t to, struct ledger_day **out,
			       int max, struct arena *a, struct err *e);
/* 1 when person_id's month ("2025-03") is marked kind ("relief"), 0 when
 * not, -1. */
int store_loan_disability_month_marked(struct store *s, int64_t person_id, const char *month, const char *kind,
				       struct err *e);

#endif
