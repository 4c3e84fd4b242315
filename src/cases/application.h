/* application.h - the one application builder, the application form's
 * reading and the portal's submission, on the domain floor.
 *
 * An application for upper secondary school or higher education is built
 * in the decision contract's shape (what rules_parse_application() reads)
 * from a plain C struct of answers, whoever gives them: the portal's form
 * (the person), the support calculator (anyone, to see what the rules
 * would say) and the mass intake from the registers (cases/intake.c). Each caller fills the
 * parts it has; the builder checks each answer and names the contract's
 * path of one it refuses ("education.load_percent"), so that the form shows
 * the message next to its field and the intake names the field it refused.
 *
 * The form and its submission go through the gate: cases_application_form()
 * reads what the agency and the registers hold about the person for the
 * form and audits the reading; cases_apply() checks, builds and submits. */
#ifndef STIPEND_CASES_APPLICATION_H
#define STIPEND_CASES_APPLICATION_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "cases/cases.h"
#include "core/date.h"

struct arena;
struct err;

/* A date the person wrote that is no date: the check refuses it. */
#define CASES_DATE_INVALID INT32_MIN

/* The ranges the builder accepts (the form and the calculator say so). */
#define CASES_MAX_CHILDREN 10
#define CASES_MAX_MONTHS 11
#define CASES_MAX_DISTANCE_KM 50000
#define CASES_MAX_WALKING_KM 1000
#define CASES_MAX_TRAVEL_MINUTES 1440
#define CASES_MAX_EQUIPMENT_RATE 5
#define CASES_MAX_PARENTS 2

/* The answers an application is built from. A whole number that the person
 * wrote and that is no number is given as -1, a date as CASES_DATE_INVALID,
 * a yes/no question not answered (or answered otherwise) as -1: the check
 * then refuses it by its path. The with_* flags say which optional parts
 * the caller has; a part not given is left out of the application, so that
 * the rules (or the registers at submit) fill it. */
struct cases_answers {
	int upper;               /* upper secondary school, else higher education */
	const char *school_year; /* "2024-2025" */
	date_t decision_date;
	date_t birth_date;
	int lives_with_parents; /* 1, 0, -1 */
	int married;            /* 1, 0, -1 */
	int with_children;      /* write applicant.children (may be empty) */
	int n_children;         /* 0..CASES_MAX_CHILDREN, -1 */
	const date_t *children; /* n_children birth dates */
	int load_percent;       /* 1..100 */
	date_t start, end;      /* the education's period */
	int with_equipment_rate;
	int equipment_rate;                        /* 0..CASES_MAX_EQUIPMENT_RATE */
	int with_loan;                             /* higher education: the loan's months */
	int months_requested;                      /* 1..CASES_MAX_MONTHS */
	int with_travel;                           /* upper secondary: the day's travel */
	double distance_km;                        /* 0..CASES_MAX_DISTANCE_KM, -1 */
	int daily_travel_minutes;                  /* 0..CASES_MAX_TRAVEL_MINUTES, -1 */
	double walking_km;                         /* 0..CASES_MAX_WALKING_KM, -1 */
	int with_special;                          /* write special_circumstances */
	int special_circumstances;                 /* 1, 0, -1 */
	int n_parents;                             /* 0..CASES_MAX_PARENTS: parents[i].income written */
	int64_t parents_income[CASES_MAX_PARENTS]; /* øre, >= 0 */
	/* #15: the place of study the person names (the portal requires it):
	 * education.institution and education.programme, 1 to 200 bytes. */
	int with_place;
	const char *institution, *programme;
	/* #9: the grant schemes a person applies for on the portal. With grant
	 * set the application is for that scheme (upper, the education, the
	 * place, the loan and the travel are not asked and not written) and
	 * carries the contract's "sickness" or "parental" part from these
	 * answers (whole numbers, dates and yes/no as above). */
	int grant;                      /* enum cases_grant */
	date_t sick_from, sick_to;      /* within the school year */
	int percent_unable;             /* 0..100 */
	int doctor_confirmed;           /* 1, 0, -1 */
	int applied_before_ill;         /* 1, 0, -1 */
	int work_assessment_allowance;  /* 1, 0, -1 */
	date_t child_date;              /* the birth or adoption, not after decision_date */
	int months_in_education_before; /* 0..CASES_MAX_MONTHS_BEFORE */
	int lives_with_child;           /* 1, 0, -1 */
	int partner_benefit_percent;    /* 0..100 */
	int leave_documented;           /* 1, 0, -1 */
	/* #11 (helper A): payment deferral and interest relief applied for
	 * from "Min gjeld" (grant CASES_GRANT_DEFERRAL or CASES_GRANT_RELIEF).
	 * The person gives the months and, for relief, the ground; the loan's
	 * facts are the agency's own, filled at submit by cases_loan_fill()
	 * (cases/loan_relief.h), never asked of the person. school_year is
	 * the one the decision date falls in (cases_loan_school_year()). */
	int loan_months;            /* 1..loan_months_max */
	int loan_months_max;        /* set by cases_loan_fill() */
	const char *relief_ground;  /* relief: one of CASES_RELIEF_GROUNDS */
	int64_t loan_balance;       /* øre, the agency's ledger */
	int deferrals_used;         /* the agency's ledger */
	int relief_months_used;     /* the agency's ledger: low income from full-time work */
};

/* #9: the schemes besides support for an education that a person applies
 * for through the application form. */
enum cases_grant {
	CASES_GRANT_NONE,
	CASES_GRANT_SICKNESS,
	CASES_GRANT_PARENTAL,
	/* #11 (helper A): the loan's schemes, applied for from "Min gjeld". */
	CASES_GRANT_DEFERRAL,
	CASES_GRANT_RELIEF
};

#define CASES_MAX_MONTHS_BEFORE 600

/* The contract's name of the scheme the answers apply for
 * ("higher-education", "upper-secondary", "sickness-grant",
 * "parental-grant", and #11 "payment-deferral", "interest-relief"): a
 * static string. */
const char *cases_answers_scheme(const struct cases_answers *a);

/* An answer refused: the contract's path and why, as a short code:
 * "invalid" (not an answer the question takes) or "before-start" (the
 * education ends before it starts; an illness before it began); #9:
 * "outside-year" (an illness outside the school year applied for),
 * "in-future" (a birth or adoption after the decision date). Both static
 * strings. */
struct cases_problem {
	const char *path;
	const char *reason;
};

#define CASES_MAX_PROBLEMS 16

struct cases_problems {
	struct cases_problem items[CASES_MAX_PROBLEMS];
	int n;
};

/* Check every answer of a, in the contract's order, into *out (emptied
 * first). Returns the number of problems: 0 when the application can be
 * built. Pure and thread-safe. */
int cases_answers_check(const struct cases_answers *a, struct cases_problems *out);

/* The problem found at path, or NULL: for a caller that shows each
 * problem next to its own field. */
const struct cases_problem *cases_problem_at(const struct cases_problems *p, const char *path);

/* Build the application the answers make, in the decision contract's
 * shape. Returns a new reference, or NULL with e filled: ERR_INVALID with
 * the contract's path of the first answer refused (cases_answers_check),
 * or ERR_INTERNAL when out of memory. Pure and thread-safe. */
json_t *cases_application_build(const struct cases_answers *a, struct err *e);

/* What the application form shows a person: what the agency holds and,
 * with registers, what they hold now. The strings live in the arena. */
struct cases_application_form {
	const char *given_name, *family_name;
	date_t birth_date;
	const char *address, *postcode, *city; /* the registers' when they answered */
	int confidential_address;
	const char *institution, *programme; /* "" when none is known */
	int from_registers;                  /* the registers answered: the suggestions below hold */
	int registers_unavailable;           /* registers are used but did not answer */
	/* What the registers suggest, when from_registers. */
	int lives_with_parents;
	int enrolled; /* an enrolment at the scheme's level: the period below */
	date_t start, end;
	int load_percent; /* higher education */
	int has_travel;   /* upper secondary: the school's travel facts */
	double distance_km, walking_km;
	int daily_travel_minutes;
	/* #15: the scheme the form is for: the one asked for, or (asked with
	 * upper -1) the one the schools register points to, higher education
	 * when it points nowhere. */
	int upper;
	/* The schools register's schools or institutions at the form's level,
	 * n_institutions 0 when its list could not be read (the form then
	 * takes the name as text). */
	const char **institutions;
	int n_institutions;
};

/* Read the application form for who (upper: 1 upper secondary, 0 higher
 * education, -1 the scheme the schools register points to): the gate first (ACT_APPLY on the
 * person who acts for, access_subject(who); a refusal is audited there and
 * fails with ERR_NOT_FOUND), then the person's record and, when
 * ask_registers and env has registers, what the population register and
 * the schools hold now for school_year at the scheme's level (upper). The
 * reading is audited as person.read on person:N with the detail
 * "application-form". Returns 0 with *out filled (strings in a), or -1 with
 * e filled. A register that does not answer is no failure: the form then
 * says so (registers_unavailable). Thread-safe. */
int cases_application_form(const struct cases_env *env, const struct principal *who, int upper, const char *school_year,
                           int ask_registers, int64_t now, struct cases_application_form *out, struct arena *a,
                           struct err *e);

/* Apply for who with the form's answers: the gate first (as above), then
 * the answers are checked (ERR_INVALID, with every problem in *problems and
 * the first one's path in e), completed with the person's birth date and
 * the decision date (the day of now, UTC), built and handed to
 * cases_submit(). An answer the rules refuse fails with ERR_INVALID naming
 * its path and no problem listed. Returns 0 once the case is durably
 * committed, *out filled. a->birth_date and a->decision_date are set here. */
int cases_apply(const struct cases_env *env, const struct principal *who, struct cases_answers *a, int64_t now,
                struct submitted *out, struct cases_problems *problems, struct err *e);

/* #15: one application per person, scheme and school year.
 *
 * cases_apply_once() is cases_apply() under the rule: the case is stored
 * with the tag "application:<person>:<scheme>:<school year>#<key>" (key:
 * the form's idempotency key, made when the form was shown; NULL or ""
 * makes one), which the store keeps unique up to '#' in the same
 * transaction. When the person has applied for the scheme and school year
 * before, nothing is stored: a submission with the same key (a double
 * click, a retried POST) returns 0 with out->case_id the first case and
 * *repeated 1; another key fails with ERR_CONFLICT (field "application")
 * and out->case_id the first case, for the link to it. With registers, the
 * institution named must be one the schools register lists at the
 * scheme's level (problem "education.institution", reason "not-listed");
 * a list that cannot be read is no failure. */
int cases_apply_once(const struct cases_env *env, const struct principal *who, struct cases_answers *a,
		     const char *key, int64_t now, struct submitted *out, int *repeated, struct cases_problems *problems,
		     struct err *e);

/* A change application ("endringssøknad") to case_id, who's own
 * application for the same scheme and school year as a: the answers are
 * checked as cases_apply() checks them, replace the case's application,
 * and the case is decided again against them ("redecide" job, as
 * cases_redecide(): the new decision supersedes the first, both kept), in
 * one transaction audited "case.change-applied". A case that is not who's
 * fails with ERR_NOT_FOUND (audited by the gate), one of another scheme or
 * year with ERR_INVALID (field "change_of"). Returns 0, out->case_id
 * filled. */
int cases_apply_change(const struct cases_env *env, const struct principal *who, int64_t case_id,
		       struct cases_answers *a, int64_t now, struct submitted *out, struct cases_problems *problems,
		       struct err *e);

/* The answers of case_id's application as the form shows them, for a
 * change application (who's own case: ACT_CASE_READ, audited). Returns 0
 * with *a filled (strings in ar), or -1 with e. */
int cases_application_answers(const struct cases_env *env, const struct principal *who, int64_t case_id, int64_t now,
			      struct cases_answers *a, struct arena *ar, struct err *e);

#endif
