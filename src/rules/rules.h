/* rules.h - the decision core: an application in, a decision with its legal
 * trace out (../shared/spec/decide.md).
 *
 * rules_decide() is pure: no I/O, no clock (the decision date is part of the
 * application), every allocation from the caller's arena. The portal, the
 * calculators, batch runs, the case worker's re-run and `stipend decide` all
 * call it, so that each of them gets the very same answer. Thread-safe: any
 * number of threads may decide at once with the same parameter set. */
#ifndef STIPEND_RULES_H
#define STIPEND_RULES_H

#include <jansson.h>
#include <stdint.h>

#include "core/date.h"
#include "core/i18n.h"
#include "rules/params.h"

struct arena;
struct buf;
struct err;

enum scheme {
	SCHEME_HIGHER_EDUCATION,
	SCHEME_UPPER_SECONDARY,
	SCHEME_PAYMENT_DEFERRAL,
	SCHEME_INTEREST_RELIEF,
	SCHEME_SICKNESS_GRANT, /* #9: sykestipend, loan for a period of illness made a grant */
	SCHEME_PARENTAL_GRANT  /* #9: foreldrestipend, at a birth or adoption */
};

enum edu_level { LEVEL_NONE, LEVEL_UPPER_SECONDARY, LEVEL_HIGHER, LEVEL_OTHER };

/* An application as the contract describes it. "has_*" tells whether an
 * optional part was given. */
struct application {
	enum scheme scheme;
	char school_year[10];
	date_t year_first, year_last; /* 1 August .. 31 July */
	date_t decision_date;

	date_t birth_date;
	int has_lives_with_parents, lives_with_parents;
	int married;
	int qualification;        /* holds a study or vocational qualification already */
	int youth_support_last_year; /* had support under the rules for ordinary upper
				      * secondary school in the previous school year */
	size_t n_children;
	date_t *children; /* birth dates */
	int64_t income, wealth;
	int64_t family_income; /* the applicant's and a spouse's or partner's; -1 when not given */

	int has_education;
	enum edu_level level;
	int load_percent;
	date_t edu_start, edu_end;
	int equipment_rate;

	int has_travel;
	double distance_km, walking_km;
	int daily_travel_minutes;

	size_t n_parents;
	int64_t parent_income[2];

	int special_circumstances;
	int conflicting_facts; /* the registers contradict each other */

	int64_t loan_balance;
	int deferrals_used;
	int months_requested;
	int relief_months_used; /* interest relief for low income, so far */
	/* The pupil's household for the means-tested grant: siblings, and
	 * whether the parents live together (table A) or not (table B). */
	int has_household;
	int siblings;
	int parents_live_together;
	int64_t extra_loan_requested; /* extra loan (tilleggslån) asked for this year; 0: none */
	/* Progression (higher education): the credits the applicant has had
	 * support for and passed since first getting support, in tenths of
	 * a credit, and whether the applicant gives illness, birth or reduced
	 * functional ability as the cause of a delay. */
	int has_progression;
	int64_t credits_supported_tenths, credits_passed_tenths;
	int delay_reason;
	/* A sickness grant's illness: the period, how far unable to study
	 * (percent), and what the application says of the documentation a
	 * doctor (or another who may write sick notes) gives, of support
	 * applied for before the illness, and of work assessment allowance
	 * (AAP) from NAV in the period. */
	int has_sickness;
	date_t sick_from, sick_to;
	int percent_unable;
	int doctor_confirmed, applied_before_ill, work_assessment_allowance;
	/* A parental grant's birth or adoption: its date, the months in
	 * education with a right to support right before it, whether the
	 * applicant lives with the child, the grading of parental benefit a
	 * spouse or partner has from NAV at the same time (percent), and
	 * whether the school has documented the leave. */
	int has_parental;
	date_t child_date;
	int months_in_education_before;
	int lives_with_child, partner_benefit_percent, leave_documented;
	int64_t extra_loan_used;      /* extra loan had in earlier years */
	int years_left;               /* #9: years of the education left, this one included; 0 not given */

	/* The ground of an interest-relief application: unemployment, illness,
	 * work-assessment-allowance, part-time-study or low-income-full-time;
	 * "" when not given. */
	char relief_ground[32];

	/* Conversion to grant by calendar year (#11, loans/convert.c; never
	 * read from an application's JSON: the conversion run sets them after
	 * reading it). conv_semester 0: the whole school year against the
	 * income of its first calendar year, as a decision on an application
	 * does. CONV_AUTUMN or CONV_SPRING: only that semester's months of the
	 * basic loan, against the income and wealth of conv_income_year (their
	 * limits read in force on that year's 1 January: the pages give them
	 * by calendar year), the limit for support in seven months or fewer
	 * chosen by the months of support in that year: the semester's and
	 * conv_other_months (the other school year's months in that year). */
	int conv_semester;
	int conv_income_year;
	int conv_other_months;
};

enum { CONV_AUTUMN = 1, CONV_SPRING = 2 };

/* The months of a school year's award of `months` months in its autumn
 * (August to December) and its spring (January to July): the award's
 * months run one after another from the education's first month in the
 * school year (study_months(), and the payout plan pays them so,
 * payout/plan.c), so the autumn holds the first of them. */
void rules_semester_months(date_t edu_start, date_t year_first, int months, int *autumn, int *spring);

/* Read an application from JSON. Unknown keys, missing or ill-typed fields,
 * dates that do not exist and negative amounts are refused with e naming the
 * field ("travel.distance_km"). Returns 0 or -1. */
int rules_parse_application(const json_t *in, struct application *app, struct arena *a,
			    struct err *e);

/* Read an application from JSON text (len bytes) as
 * rules_parse_application() reads it parsed, without jansson when the text
 * is of the plain kind applications are (#9, speed: see jv.h). Returns 0, or
 * -1 with e filled as rules_parse_application() fills it, or 1 when the
 * text is not of that kind (an escape, a byte outside ASCII, a syntax
 * error ...): then the caller reads it with jansson, which also gives the
 * error of text that is not JSON. */
int rules_read_application(const char *text, size_t len, struct application *app, struct arena *a,
			   struct err *e);

/* A value in a trace: an input, a parameter or a result. */
enum tv_type { TV_INT, TV_MONEY, TV_BOOL, TV_REAL, TV_STR, TV_DATE };
struct tval {
	const char *name;
	enum tv_type type;
	int64_t i; /* TV_INT, TV_MONEY, TV_BOOL, TV_DATE */
	double r;
	const char *s;
};

#define TRACE_MAX_INPUTS 6
#define TRACE_MAX_PARAMS 4

struct trace_step {
	const char *rule;      /* "basic-loan.amount" */
	const char *reference; /* the paragraph it implements */
	struct tval inputs[TRACE_MAX_INPUTS];
	int n_inputs;
	const struct param *params[TRACE_MAX_PARAMS];
	int n_params;
	struct tval value;
	const char *message; /* catalogue key of the explanation; its {names}
			      * are the inputs, parameters ("basic_loan.annual")
			      * and "value" */
};

struct award {
	const char *name; /* "basic-loan" */
	const char *kind; /* "loan" or "grant" */
	int months;       /* 0 when not paid monthly */
	int64_t monthly;
	int64_t amount;
	int64_t convertible; /* -1 when the award has no convertible part */
	const char *reference;
};

struct manual_reason {
	const char *code;
	const char *message; /* catalogue key */
	const char *reference;
	const char *parameter; /* parameter-not-in-force: the first value lacked, else NULL */
};

enum outcome { OUTCOME_GRANTED, OUTCOME_PARTLY, OUTCOME_REJECTED, OUTCOME_MANUAL };

#define DECISION_MAX_AWARDS 8
#define DECISION_MAX_REASONS 8
#define DECISION_MAX_STEPS 32

struct decision {
	enum scheme scheme;
	enum outcome outcome;
	struct award awards[DECISION_MAX_AWARDS];
	int n_awards;
	struct manual_reason reasons[DECISION_MAX_REASONS];
	int n_reasons;
	struct trace_step steps[DECISION_MAX_STEPS];
	int n_steps;
	char rules_version[48];
};

/* Decide app under the parameter set. Fills d, which points into app and p
 * (names, parameter records): both must outlive d. Returns 0, or -1 with e filled
 * when the set holds no parameters for the application's school year (field
 * "school_year") or lacks a value a rule needs (a defect of the set). */
int rules_decide(const struct application *app, const struct params *p, struct decision *d,
		 struct err *e);

/* Append the decision as the contract's JSON, explanations in lang.
 * Returns 0 or -1 when out is full. */
int rules_decision_json(struct buf *out, const struct decision *d, enum lang lang);

/* Append the explanation of one step in lang. */
int rules_step_explain(struct buf *out, const struct trace_step *s, enum lang lang);

/* Names as the contract writes them. */
const char *rules_scheme_name(enum scheme s);
const char *rules_outcome_name(enum outcome o);

/* The award called name in d, or NULL. */
const struct award *rules_award(const struct decision *d, const char *name);

#endif
