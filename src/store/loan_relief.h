/* loan_relief.h - what the agency's own ledger holds for an application of
 * payment deferral or interest relief (#11, helper A: applying from "Min
 * gjeld"): the debt, and the months of deferral and relief already had.
 *
 * Read only; the tables are loan_accounts, ledger_legs, loan_months,
 * decisions and cases. Thread-safe. Implemented in sqlite_loan_relief.c. */
#ifndef STIPEND_STORE_LOAN_RELIEF_H
#define STIPEND_STORE_LOAN_RELIEF_H

#include <stdint.h>

#include "core/date.h"

struct err;
struct store;

struct store_loan_relief_facts {
	int64_t balance;        /* principal and interest owed on the day, øre */
	int deferral_months;    /* months deferred, less those that also had relief
				 * (the agency's page: a month of relief uses no
				 * deferral) */
	int relief_months;      /* months of interest relief, on any ground */
	int low_income_months;  /* of those, granted on the ground of low income
				 * from full-time work (the 36 months' limit) */
};

/* person_id's facts as of day into *out. With own_scheme
 * ("payment-deferral", "interest-relief") the months granted by decisions
 * of the person's case of that scheme applied for on day are left out:
 * deciding that application again (a re-decision) does not count its own
 * months as used. NULL counts every month. Returns 0 found, 1 when the
 * person has no loan account (out zeroed), -1 with e filled. */
int store_loan_relief_facts(struct store *s, int64_t person_id, date_t day, const char *own_scheme,
			    struct store_loan_relief_facts *out, struct err *e);

#endif
