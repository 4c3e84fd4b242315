/* statement.h - the annual statement (årsoppgave) of the loan accounts:
 * a letter to each borrower and the figures the tax authority's file is
 * written from (store_loan_statements_of_year). Thread-safe. */
#ifndef STIPEND_LOANS_STATEMENT_H
#define STIPEND_LOANS_STATEMENT_H

#include <jansson.h>
#include <stdint.h>

struct arena;
struct err;
struct store;

struct loans_statement_summary {
	int accounts; /* looked at */
	int made;     /* statements made, each with its letter */
	int empty;    /* nothing owed, charged or paid in the year: none */
	int already;  /* made by an earlier run */
};

/* Make the statement of the calendar year for every loan account: the debt
 * on 31 December, the interest charged less relief, the interest and the
 * principal paid in the year; each in a transaction with its letter
 * ("loan-statement") and audit record (loan.statement). Returns 0 with sum,
 * or -1 when the store failed. */
int loans_statements(struct store *s, int year, int64_t now, struct loans_statement_summary *sum, struct err *e);

/* The statement a letter of kind "loan-statement" carries as template data
 * (year, debt, interest_charged, interest_paid, principal_paid), or NULL. */
json_t *loans_statement_letter(struct store *s, int64_t letter_id, struct arena *a);

#endif
