/* higher_education.c - support for higher education (universitet og
 * høyskole): the basic loan and the part of it that can become a grant.
 *
 * forskrift om utdanningsstøtte (15 April 2020) part 3: the basic loan is a
 * year's amount for 11 months of full-time study, paid monthly for the months
 * of the school year in which the applicant studies; part-time study from 50 %
 * load gives a proportional share. Up to 40 % of the basic loan is a
 * conversion loan that becomes a grant when the applicant has lived away
 * from the parents, passes the education, and has income and wealth under
 * the limits (part 3 chapter 12); living with the parents gives no
 * conversion loan unless the applicant is married or has children. Above a
 * limit the conversion loan falls by 5 % of the income over it and 2 % of
 * the wealth over it for each month of support. Amounts come from the
 * parameter set, never from this file. */
#include "core/money.h"
#include "rules/internal.h"

#define REF_BASIC_LOAN "forskrift om utdanningsstøtte § 72"
#define REF_CONVERSION "forskrift om utdanningsstøtte kapittel 12"
#define REF_MONTHS "forskrift om utdanningsstøtte § 72"
#define REF_LOAD "forskrift om utdanningsstøtte § 72"
/* Progression: the agency's page "Forsinkelse i utdanningen" (faglig
 * forsinkelse); the exception for illness, birth or reduced functional
 * ability is § 9-3 (the page "Forseinka i utdanninga"). No page held names
 * the paragraph of the 60-credit limit itself: the chapter is cited. */
#define REF_PROGRESSION "forskrift om utdanningsstøtte kapittel 9, faglig progresjon"
#define REF_DELAY_EXCEPTION "forskrift om utdanningsstøtte § 9-3"

void rules_semester_months(date_t edu_start, date_t year_first, int months, int *autumn, int *spring)
{
	date_t from = edu_start > year_first ? edu_start : year_first;
	int y, m, d, first_year;
	date_to_ymd(year_first, &first_year, &m, &d);
	date_to_ymd(from, &y, &m, &d);
	int left = y == first_year ? 13 - m : 0; /* the autumn's months from the first */
	if (left < 0)
		left = 0;
	*autumn = months < left ? months : left;
	*spring = months - *autumn;
}

int study_months(const struct application *app, int max)
{
	date_t from = app->edu_start > app->year_first ? app->edu_start : app->year_first;
	date_t to = app->edu_end < app->year_last ? app->edu_end : app->year_last;
	int months = date_months_touched(from, to);
	return months > max ? max : months;
}

/* 1 when the education gives the 11th month (June): full-time higher
 * education through the whole spring term, January to June. Part-time
 * study, programmes that are not higher education (folk high school,
 * level "other") and study that ends before June get no June support. */
static int gives_june(const struct application *app)
{
	int y, m, d;
	date_to_ymd(app->year_last, &y, &m, &d);
	return app->load_percent == 100 && app->level == LEVEL_HIGHER && app->edu_start <= date_from_ymd(y, 1, 31) &&
	       app->edu_end >= date_from_ymd(y, 6, 1);
}

/* 1 when the education touches June of the school year. */
static int touches_june(const struct application *app)
{
	int y, m, d;
	date_to_ymd(app->year_last, &y, &m, &d);
	return app->edu_start <= date_from_ymd(y, 6, 30) && app->edu_end >= date_from_ymd(y, 6, 1);
}

/* The months of the school year the education touches, at most a school
 * year's months of support, at most those applied for; June only for
 * full-time study through the whole spring term. */
static int support_months(struct ctx *c)
{
	const struct application *app = c->app;
	int june = gives_june(app), without_june = !june && touches_june(app);
	struct trace_step *s = step_begin(c, "support.months", REF_MONTHS,
					  without_june ? "rule.support.months-no-june" : "rule.support.months");
	step_int(s, "start", TV_DATE, app->edu_start);
	step_int(s, "end", TV_DATE, app->edu_end);
	step_int(s, "load_percent", TV_INT, app->load_percent);
	step_int(s, "months_requested", TV_INT, app->months_requested);
	int64_t max = step_param(c, s, june ? "basic_loan.months" : "support.months_without_june");
	int64_t months = study_months(app, 12);
	if (without_june)
		months--; /* June gives no support to this education */
	if (months > max)
		months = max;
	if (app->months_requested > 0 && months > app->months_requested)
		months = app->months_requested;
	if (app->months_requested > months)
		c->refused = 1; /* more months asked than the law gives */
	step_value(s, TV_INT, months);
	return (int)months;
}

/* Support follows the study load, whatever it is: the 50 % minimum was
 * removed from the school year 2020-2021. No load, no support. */
static int load_sufficient(struct ctx *c)
{
	struct trace_step *s = step_begin(c, "support.load", REF_LOAD, "rule.support.load");
	step_int(s, "load_percent", TV_INT, c->app->load_percent);
	int ok = c->app->load_percent > 0;
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

/* The day the income and wealth limits are read for: the pages give them
 * by calendar year ("vi kontrollerer inntekt og formue per kalenderår"),
 * so a semester's conversion (#11) reads those of its income year; a
 * decision on an application reads them for the school year's first day. */
static date_t limits_on(const struct ctx *c)
{
	return c->app->conv_semester ? date_from_ymd(c->app->conv_income_year, 1, 1) : c->on;
}

/* step_param() for a value of a calendar year (limits_on()). */
static int64_t step_limit(struct ctx *c, struct trace_step *s, const char *key)
{
	date_t on = c->on;
	c->on = limits_on(c);
	int64_t v = step_param(c, s, key);
	c->on = on;
	return v;
}

/* step_has_param() for a value of a calendar year (limits_on()). */
static int has_limit(struct ctx *c, const char *key)
{
	date_t on = c->on;
	c->on = limits_on(c);
	int has = step_has_param(c, key);
	c->on = on;
	return has;
}

/* The income over the limit: the higher limit for support in seven months
 * or fewer, the lower one for more ("Inntektsgrense ved støtte i sju
 * måneder eller mindre"). The higher limit is always above the lower (the
 * pages' table, every year), so an income under the lower limit is under
 * both, and a year whose higher limit is not held needs it only above. */
static int64_t excess_income(struct ctx *c, int months)
{
	if (c->app->income == 0)
		return 0; /* no income is under any limit: none to read */
	const char *limit_key = "conversion.income_limit.full_year";
	const struct param *max = params_get(c->params, "conversion.part_year_max_months", c->on);
	const struct param *low = params_get(c->params, limit_key, limits_on(c));
	if (max != NULL && months <= max->value && low != NULL && c->app->income <= low->value &&
	    !has_limit(c, "conversion.income_limit.part_year")) {
		struct trace_step *s =
		    step_begin(c, "conversion.income", REF_CONVERSION, "rule.conversion.income-under-both");
		step_int(s, "income", TV_MONEY, c->app->income);
		step_int(s, "months", TV_INT, months);
		step_param(c, s, "conversion.part_year_max_months");
		int64_t limit = step_limit(c, s, limit_key);
		step_int(s, "limit", TV_MONEY, limit);
		step_value(s, TV_MONEY, 0);
		return 0;
	}
	struct trace_step *s = step_begin(c, "conversion.income", REF_CONVERSION, "rule.conversion.income");
	step_int(s, "income", TV_MONEY, c->app->income);
	step_int(s, "months", TV_INT, months);
	int64_t most = step_param(c, s, "conversion.part_year_max_months");
	int64_t limit = step_limit(c, s, months <= most ? "conversion.income_limit.part_year" : limit_key);
	int64_t excess = c->app->income > limit ? c->app->income - limit : 0;
	step_int(s, "limit", TV_MONEY, limit);
	step_value(s, TV_MONEY, excess);
	return excess;
}

/* The wealth over the limit; no wealth means no limit to read. */
static int64_t excess_wealth(struct ctx *c)
{
	if (c->app->wealth == 0)
		return 0;
	struct trace_step *s = step_begin(c, "conversion.wealth", REF_CONVERSION, "rule.conversion.wealth");
	step_int(s, "wealth", TV_MONEY, c->app->wealth);
	step_int(s, "married", TV_BOOL, c->app->married);
	/* A married applicant (or one with a partner and a child in common)
	 * is held against the couple's limit ("Formuegrense for gifte"). */
	int64_t limit = step_limit(c, s, c->app->married ? "conversion.wealth_limit.married"
							 : "conversion.wealth_limit.single");
	int64_t excess = c->app->wealth > limit ? c->app->wealth - limit : 0;
	step_value(s, TV_MONEY, excess);
	return excess;
}

/* The part of the basic loan that can become a grant (kapittel 12). */
static void convertible_part(struct ctx *c, struct award *a, int64_t amount, int months)
{
	struct trace_step *s;
	if (!lives_away(c)) {
		s = step_begin(c, "basic-loan.convertible", REF_CONVERSION, "rule.basic-loan.not-convertible");
		step_int(s, "amount", TV_MONEY, amount);
		step_value(s, TV_MONEY, 0);
		a->convertible = 0;
		return;
	}
	/* A semester's conversion (#11): the semester's share of the basic
	 * loan is what was paid for its months (the award's monthly amount
	 * times them), its income limit chosen by the months of support in
	 * the income year (this semester's and the other school year's in
	 * that year: "Inntektsgrense ved støtte i sju måneder eller
	 * mindre"), and reduced for the semester's months of support. */
	int year_months = months;
	if (c->app->conv_semester) {
		int autumn, spring;
		rules_semester_months(c->app->edu_start, c->app->year_first, months, &autumn, &spring);
		months = c->app->conv_semester == CONV_AUTUMN ? autumn : spring;
		amount = a->monthly * months;
		year_months = months + c->app->conv_other_months;
	}
	int64_t over_income = excess_income(c, year_months);
	int64_t over_wealth = excess_wealth(c);
	s = step_begin(c, "basic-loan.convertible", REF_CONVERSION,
		       over_income || over_wealth ? "rule.basic-loan.convertible-reduced" : "rule.basic-loan.convertible");
	if (c->app->conv_semester) {
		step_str(s, "semester", c->app->conv_semester == CONV_AUTUMN ? "autumn" : "spring");
		step_int(s, "income_year", TV_INT, c->app->conv_income_year);
	}
	step_int(s, "amount", TV_MONEY, amount);
	step_int(s, "months", TV_INT, months);
	step_int(s, "excess_income", TV_MONEY, over_income);
	step_int(s, "excess_wealth", TV_MONEY, over_wealth);
	int64_t percent = step_param(c, s, "conversion.max_percent");
	int64_t reduction = 0;
	if (over_income || over_wealth) {
		int64_t pi = step_param(c, s, "conversion.income_reduction_percent");
		/* 2 % of the wealth over the limit a month; 1 % when married. */
		int64_t pw = step_param(c, s, c->app->married ? "conversion.wealth_reduction_percent.married"
							      : "conversion.wealth_reduction_percent");
		/* rounding.ore: each month's reduction is rounded to whole øre,
		 * half up, before it is multiplied by the months. */
		reduction = (money_muldiv_round(over_income, pi, 100) + money_muldiv_round(over_wealth, pw, 100)) * months;
	}
	if (c->missing) {
		a->convertible = -1; /* a person settles it */
		return;
	}
	/* rounding.ore: the conversion loan is rounded to whole øre, half up. */
	int64_t base = money_muldiv_round(amount, percent, 100);
	a->convertible = base > reduction ? base - reduction : 0;
	step_value(s, TV_MONEY, a->convertible);
}

/* Progression (lanekassen.no, "Forsinkelse i utdanningen"): an applicant
 * whose credits passed since first getting support fall more than 60
 * credits (a year of full-time study) behind the credits supported gets
 * no more loan or grant until the delay is 60 or less again; a delay
 * caused by illness, birth or reduced functional ability, documented,
 * does not count (§ 9-3): a person weighs the documentation. Support for
 * upper secondary school with youth entitlement does not count; its
 * applicant reaches here only as an adult (part 3). Returns 1 when
 * support may be given. */
static int progression(struct ctx *c)
{
	const struct application *app = c->app;
	if (!app->has_progression)
		return 1;
	int gaps = c->missing;
	struct trace_step *s = step_begin(c, "progression.delay", REF_PROGRESSION, "rule.progression.delay");
	step_real(s, "credits_supported", (double)app->credits_supported_tenths / 10.0);
	step_real(s, "credits_passed", (double)app->credits_passed_tenths / 10.0);
	int64_t max = step_param(c, s, "progression.max_delay_credits");
	if (c->missing != gaps)
		return 0;
	int64_t delay = app->credits_supported_tenths - app->credits_passed_tenths;
	if (delay < 0)
		delay = 0;
	step_real(s, "delay", (double)delay / 10.0);
	int ok = delay <= max * 10;
	step_value(s, TV_BOOL, ok);
	if (ok)
		return 1;
	s = step_begin(c, "progression.catch-up", REF_PROGRESSION, "rule.progression.catch-up");
	step_real(s, "to_catch_up", (double)(delay - max * 10) / 10.0);
	step_int(s, "delay_reason", TV_BOOL, app->delay_reason);
	step_value(s, TV_BOOL, 0);
	if (app->delay_reason)
		manual_add(c, "delay-reason", "reason.delay-reason", REF_DELAY_EXCEPTION);
	return 0;
}

void decide_higher_education(struct ctx *c)
{
	if (!progression(c))
		return;
	int months = support_months(c);
	if (c->missing)
		return;
	if (months == 0) {
		struct trace_step *s = step_begin(c, "support.period", REF_BASIC_LOAN, "rule.support.no-months");
		step_str(s, "school_year", c->app->school_year);
		step_value(s, TV_BOOL, 0);
		return;
	}
	if (!load_sufficient(c) || c->missing)
		return;

	struct trace_step *s = step_begin(c, "basic-loan.amount", REF_BASIC_LOAN,
					  c->app->load_percent == 100 ? "rule.basic-loan.full" : "rule.basic-loan.part");
	step_int(s, "load_percent", TV_INT, c->app->load_percent);
	step_int(s, "months", TV_INT, months);
	int64_t annual = step_param(c, s, "basic_loan.annual");
	int64_t year_months = step_param(c, s, "basic_loan.months");
	if (c->missing)
		return;
	/* rounding.ore: the monthly amount is rounded to whole øre, half up. */
	int64_t monthly = money_muldiv_round(annual, c->app->load_percent, 100 * year_months);
	int64_t amount = monthly * months;
	step_value(s, TV_MONEY, amount);
	/* #9: an adult student over the age limit at the education's end
	 * gets what the debt ceiling leaves (adult.c); a figure it lacks
	 * leaves the basic loan to a person, the rest is still decided. */
	int64_t allowed = adult_loan_limit(c, amount);
	if (allowed < 0) {
		if (!c->failed)
			decide_student_family(c, months);
		return;
	}
	if (allowed == 0) {
		/* No room left under the ceiling: no basic loan this year. */
		if (!c->failed)
			decide_student_family(c, months);
		return;
	}
	if (allowed < amount) {
		/* Paid monthly: whole øre a month, so the year is a multiple. */
		monthly = allowed / months;
		amount = monthly * months;
	}

	struct award *a = award_add(c, "basic-loan", "loan", REF_BASIC_LOAN);
	a->months = months;
	a->monthly = monthly;
	a->amount = amount;

	convertible_part(c, a, amount, months);
	/* The child grant and the extra loan: their own gaps never hold the
	 * basic loan back, nor the other way round. */
	if (!c->failed)
		decide_student_family(c, months);
}
