/* higher_education.c - support for higher education (universitet og
 * høyskole): the basic loan and the part of it that can become a grant.
 *
 * forskrift om utdanningsstøtte (15 April 2020) part 3: the basic loan is a
 * year's amount for 11 months of full-time study, paid monthly for the months
 * of the school year in which the applicant studies; part-time study from 50 %
 * load gives a proportional share. Up to 40 % of the basic loan is a
 * conversion loan that becomes a grant when the applicant has lived away
 * from the parents and passes the education (chapter 12); living with the
 * parents gives no conversion loan unless the applicant is married or has
 * children. Amounts come from the parameter set, never from this file. */
#include "core/money.h"
#include "rules/internal.h"

#define REF_BASIC_LOAN "forskrift om utdanningsstøtte § 72"
#define REF_CONVERSION "forskrift om utdanningsstøtte kapittel 12"

/* The months of the school year the education touches, at most a school
 * year's months of support, at most those applied for. */
static int support_months(struct ctx *c)
{
	const struct application *app = c->app;
	struct trace_step *s = step_begin(c, "support.months", REF_BASIC_LOAN, "rule.support.months");
	date_t from = app->edu_start > app->year_first ? app->edu_start : app->year_first;
	date_t to = app->edu_end < app->year_last ? app->edu_end : app->year_last;
	step_int(s, "start", TV_DATE, app->edu_start);
	step_int(s, "end", TV_DATE, app->edu_end);
	step_int(s, "months_requested", TV_INT, app->months_requested);
	int64_t max = step_param(c, s, "basic_loan.months");
	int64_t months = date_months_touched(from, to);
	if (months > max)
		months = max;
	if (app->months_requested > 0 && months > app->months_requested)
		months = app->months_requested;
	step_value(s, TV_INT, months);
	return (int)months;
}

/* Study below the lowest load gives no support. */
static int load_sufficient(struct ctx *c)
{
	struct trace_step *s = step_begin(c, "support.load", REF_BASIC_LOAN, "rule.support.load");
	step_int(s, "load_percent", TV_INT, c->app->load_percent);
	int64_t min = step_param(c, s, "support.min_load_percent");
	int ok = c->app->load_percent >= min;
	step_value(s, TV_BOOL, ok);
	return ok;
}

/* The applicant counts as living away from the parents when not living
 * with them, and also when married or living with own children. */
static int lives_away(struct ctx *c)
{
	const struct application *app = c->app;
	struct trace_step *s = step_begin(c, "conversion.lives-away", REF_CONVERSION, "rule.conversion.lives-away");
	step_int(s, "lives_with_parents", TV_BOOL, app->lives_with_parents);
	step_int(s, "married", TV_BOOL, app->married);
	step_int(s, "children", TV_INT, (int64_t)app->n_children);
	int away = !app->lives_with_parents || app->married || app->n_children > 0;
	step_value(s, TV_BOOL, away);
	return away;
}

void decide_higher_education(struct ctx *c)
{
	int months = support_months(c);
	if (months == 0) {
		struct trace_step *s = step_begin(c, "support.period", REF_BASIC_LOAN, "rule.support.no-months");
		step_str(s, "school_year", c->app->school_year);
		step_value(s, TV_BOOL, 0);
		return;
	}
	if (!load_sufficient(c))
		return;

	struct trace_step *s = step_begin(c, "basic-loan.amount", REF_BASIC_LOAN,
					  c->app->load_percent == 100 ? "rule.basic-loan.full" : "rule.basic-loan.part");
	step_int(s, "load_percent", TV_INT, c->app->load_percent);
	step_int(s, "months", TV_INT, months);
	int64_t annual = step_param(c, s, "basic_loan.annual");
	int64_t year_months = step_param(c, s, "basic_loan.months");
	if (c->failed)
		return;
	/* rounding.ore: the monthly amount is rounded to whole øre, half up. */
	int64_t monthly = money_muldiv_round(annual, c->app->load_percent, 100 * year_months);
	int64_t amount = monthly * months;
	step_value(s, TV_MONEY, amount);

	struct award *a = award_add(c, "basic-loan", "loan", REF_BASIC_LOAN);
	a->months = months;
	a->monthly = monthly;
	a->amount = amount;

	int away = lives_away(c);
	s = step_begin(c, "basic-loan.convertible", REF_CONVERSION,
		       away ? "rule.basic-loan.convertible" : "rule.basic-loan.not-convertible");
	step_int(s, "amount", TV_MONEY, amount);
	step_int(s, "lives_away", TV_BOOL, away);
	int64_t percent = step_param(c, s, "conversion.max_percent");
	/* rounding.ore: the conversion loan is rounded to whole øre, half up. */
	a->convertible = away ? money_muldiv_round(amount, percent, 100) : 0;
	step_value(s, TV_MONEY, a->convertible);
}
