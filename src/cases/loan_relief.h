/* loan_relief.h - payment deferral (betalingsutsettelse) and interest
 * relief (sletting av renter) applied for from "Min gjeld" (#11, helper A),
 * on the domain floor.
 *
 * The person gives only what the person alone knows: the months applied
 * for and, for relief, the ground. What the agency holds is not asked: the
 * debt and the months of deferral and relief already had come from the
 * agency's own ledger (store/loan_relief.h), the income and the children
 * from the registers as the other schemes gather them (facts.c). The
 * application goes the one way every application goes (cases_apply_once():
 * one per person, scheme and school year, the form's idempotency key), with
 * struct cases_answers' grant CASES_GRANT_DEFERRAL or CASES_GRANT_RELIEF. */
#ifndef STIPEND_CASES_LOAN_RELIEF_H
#define STIPEND_CASES_LOAN_RELIEF_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "cases/application.h"
#include "cases/cases.h"

struct arena;
struct err;
struct params;

/* The rule pack's grounds of interest relief (docs/decide.md,
 * relief_ground), NULL-terminated, in the order the form offers them. */
extern const char *const cases_relief_grounds[];

/* The relief table gives one month to twelve of a year's income
 * (interest_relief.income_limit.months_01 .. _12): at most twelve months
 * are applied for at once. */
#define CASES_RELIEF_MAX_MONTHS 12

/* 1 when g is one of cases_relief_grounds. */
int cases_relief_ground_ok(const char *g);

/* The school year ("2026-2027") the day of now (UTC, the decision date
 * application.c gives) falls in, 1 August
 * to 31 July, in a: a deferral or relief is decided for its decision date,
 * and the one application per person and school year counts by it. */
const char *cases_loan_school_year(int64_t now, struct arena *a);

/* The most months one application takes for grant (CASES_GRANT_DEFERRAL:
 * deferral.max_months_per_application on day, else the last value in
 * force before it; CASES_GRANT_RELIEF: CASES_RELIEF_MAX_MONTHS). 0 when
 * the parameters never held it. */
int cases_loan_months_max(const struct params *p, int grant, date_t day);

/* Fill a's loan facts for person_id from the agency's ledger as of now's
 * day (UTC, the decision date), and a->loan_months_max. A person without a loan account fails with
 * ERR_CONFLICT, field "loan" (nothing to defer: no case is made). Returns
 * 0 or -1 with e. Thread-safe. */
int cases_loan_fill(const struct cases_env *env, int64_t person_id, struct cases_answers *a, int64_t now,
		    struct err *e);

/* The application of a deferral or relief in the decision contract's
 * shape from checked answers (a->birth_date and a->decision_date set):
 * scheme, decision date, school year, applicant, loan {balance,
 * deferrals_used, relief_months_used, months_requested} and relief_ground.
 * A new reference, or NULL with e (out of memory). Pure. */
json_t *cases_loan_build(const struct cases_answers *a, struct err *e);

/* The gathering's step for a deferral or relief (cases.c gather(), after
 * the registers): when the person has a loan account, the loan's facts in
 * application are the ledger's as of its decision date, and for relief the
 * applicant's income is the tax authority's that the registers gave (facts
 * "income"); both are written into *facts_json as the group "loan" with
 * their sources ("agency", "tax"), for the decision's trace (review.c). An
 * application of another scheme, or of a person without an account (the
 * file intake's, which states its own figures), is left as it is. Returns
 * 0 or -1 with e. */
int cases_loan_facts(const struct cases_env *env, int64_t person_id, json_t *application, char **facts_json,
		     struct err *e);

/* What the form of a deferral or relief shows. */
struct cases_loan_form {
	const char *given_name, *family_name;
	int has_loan;          /* 0: the form refuses, no fields */
	int64_t balance;       /* øre */
	int deferrals_used;    /* months */
	int deferrals_total;   /* deferral.max_months_total, 0 when unknown */
	int relief_months;     /* months of relief had, any ground */
	int low_income_months; /* of those, on low income from full-time work */
	int max_months;        /* cases_loan_months_max() for the grant */
};

/* Read the form of grant for who: the gate first (ACT_APPLY on the person
 * acted for, access_subject(who); a refusal audited there, ERR_NOT_FOUND),
 * then the person's record and the ledger's facts. The reading is audited
 * as person.read on person:N with the detail "loan-relief-form". Returns 0
 * with *out filled (strings in a), or -1 with e. Thread-safe. */
int cases_loan_form(const struct cases_env *env, const struct principal *who, int grant, int64_t now,
		    struct cases_loan_form *out, struct arena *a, struct err *e);

#endif
