/* internal.h - what the scheme files share with the decision core: building
 * trace steps, awards and manual reasons. Not part of the rules module's
 * public face (rules.h). */
#ifndef STIPEND_RULES_INTERNAL_H
#define STIPEND_RULES_INTERNAL_H

#include "rules/rules.h"

/* Everything a scheme needs while deciding. */
struct ctx {
	const struct application *app;
	const struct params *params;
	struct decision *d;
	date_t on; /* the date parameter values are read for */
	struct err *e;
	int failed;  /* the trace overflowed: a defect of the rules */
	int missing; /* parameters not in force so far: the case is manual;
		      * a rule compares the count before and after it reads
		      * its own, so one grant's gap never stops another */
	int missing_reported;
	int refused; /* something claimed was refused: granted becomes partly */
	struct trace_step spare; /* written to when the trace is full */
};

/* Start a trace step. Never NULL: a decision whose trace is full fails
 * (ctx.failed) rather than drop a step.
 *
 * rule, reference and message here, an input's name (step_int, step_real,
 * step_str), an award's name, kind and reference (award_add) and a
 * reason's message (manual_add), and the key of step_param and
 * step_has_param, must be string literals: the JSON
 * written for them and the catalogue's texts are remembered by their
 * addresses (#9, speed; decide.c). */
struct trace_step *step_begin(struct ctx *c, const char *rule, const char *reference, const char *message);

void step_int(struct trace_step *s, const char *name, enum tv_type type, int64_t v);
void step_real(struct trace_step *s, const char *name, double v);
void step_str(struct trace_step *s, const char *name, const char *v);

/* Read the parameter key in force, record it on the step and return its
 * value. A value not in force on the date sends the case to a person
 * (manual reason parameter-not-in-force), sets c->missing and returns 0:
 * a rule checks c->missing before it awards anything from the value. */
int64_t step_param(struct ctx *c, struct trace_step *s, const char *key);

/* 1 when key has a value in force, without recording anything. */
int step_has_param(struct ctx *c, const char *key);

void step_value(struct trace_step *s, enum tv_type type, int64_t v);

struct award *award_add(struct ctx *c, const char *name, const char *kind, const char *reference);

void manual_add(struct ctx *c, const char *code, const char *message, const char *reference);

/* The schemes, one file each. */
void decide_higher_education(struct ctx *c);
void decide_upper_secondary(struct ctx *c);
void decide_payment_deferral(struct ctx *c);
void decide_interest_relief(struct ctx *c);
void decide_sickness_grant(struct ctx *c); /* sickness.c */
void decide_parental_grant(struct ctx *c); /* parental.c */

/* A student's child grant and extra loan, for the months of support
 * (student_family.c). */
void decide_student_family(struct ctx *c, int months);

/* #9 (adult.c): the basic loan of amount øre as the age limit leaves it:
 * amount for a student under the limit at the education's end, less when
 * the debt ceiling leaves less room, or -1 when a figure is not in force
 * (the case is manual). */
int64_t adult_loan_limit(struct ctx *c, int64_t amount);

/* Months of the school year that the education touches, at most max. */
int study_months(const struct application *app, int max);

#endif
