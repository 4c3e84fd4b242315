/* interest_relief.c - interest relief (sletting av renter) on a student
 * loan.
 *
 * forskrift om tilbakebetaling av utdanningslån: interest is removed for
 * the months a borrower had low income because of unemployment, illness,
 * work assessment allowance or part-time study, or low income from
 * full-time work. How many months the year's income gives is the agency's
 * table ("Inntektsgrenser for sletting av renter"): 403 782 kr gives one
 * month in 2024, 330 428 kr or less all twelve, each limit raised by an
 * allowance per child aged 16 or under. Low income from full-time work
 * also needs an average monthly income at most a limit, the family's
 * income (the applicant's and a spouse's or partner's) at most a limit
 * plus an allowance per child, and gives at most 36 months in all. The
 * ground must be stated; without it a person decides. */
#include <string.h>

#include "core/money.h"
#include "rules/internal.h"

#define REF_RELIEF "forskrift om tilbakebetaling av utdanningslån, sletting av renter"

/* The table's limits, for one month of relief to twelve. */
static const char *const month_limits[12] = {
	"interest_relief.income_limit.months_01", "interest_relief.income_limit.months_02",
	"interest_relief.income_limit.months_03", "interest_relief.income_limit.months_04",
	"interest_relief.income_limit.months_05", "interest_relief.income_limit.months_06",
	"interest_relief.income_limit.months_07", "interest_relief.income_limit.months_08",
	"interest_relief.income_limit.months_09", "interest_relief.income_limit.months_10",
	"interest_relief.income_limit.months_11", "interest_relief.income_limit.months_12"};

/* Children aged child_max_age or younger on the school year's first day
 * (or the decision date when no school year is given). */
static int young_children(struct ctx *c, int64_t child_max_age)
{
	const struct application *app = c->app;
	date_t on = app->year_first ? app->year_first : app->decision_date;
	int n = 0;
	for (size_t i = 0; i < app->n_children; i++)
		n += date_age(app->children[i], on) <= child_max_age;
	return n;
}

/* The months of relief the year's income gives, by the table: the most
 * months whose limit (with the children's allowance) the income is within.
 * 0 when it is over the limit for one month; -1 when a limit it needs is
 * not in force (the case goes to a person). */
static int months_by_income(struct ctx *c)
{
	const struct application *app = c->app;
	int gaps = c->missing;
	struct trace_step *s = step_begin(c, "interest-relief.income", REF_RELIEF, "rule.interest-relief.income-months");
	int64_t per_child = step_param(c, s, "interest_relief.child_allowance");
	int64_t child_age = step_param(c, s, "interest_relief.child_max_age");
	if (c->missing != gaps)
		return -1;
	int children = young_children(c, child_age);
	int allowed = 0;
	/* The limit that decided: the last one met, or the one missed. */
	const char *decisive = month_limits[0];
	for (int m = 0; m < 12; m++) {
		const struct param *p = params_get(c->params, month_limits[m], c->on);
		if (p == NULL) {
			decisive = month_limits[m];
			allowed = -1;
			break;
		}
		if (app->income > p->value + per_child * children) {
			if (m == 0)
				decisive = month_limits[0];
			break;
		}
		decisive = month_limits[m];
		allowed = m + 1;
	}
	int64_t limit = step_param(c, s, decisive);
	step_int(s, "income", TV_MONEY, app->income);
	step_int(s, "children", TV_INT, children);
	step_int(s, "limit", TV_MONEY, limit + per_child * children);
	if (allowed < 0 || c->missing != gaps)
		return -1;
	if (allowed == 0)
		s->message = "rule.interest-relief.income-over";
	step_value(s, TV_INT, allowed);
	return allowed;
}

/* Low income from full-time work: the average a month and the family's
 * income. Returns 1 when both are within, 0 when not, -1 when a person
 * must settle it (a limit not in force, or a married applicant's family
 * income not given). */
static int low_income_work(struct ctx *c)
{
	const struct application *app = c->app;
	int gaps = c->missing;
	struct trace_step *s = step_begin(c, "interest-relief.low-income", REF_RELIEF, "rule.interest-relief.low-income");
	step_int(s, "income", TV_MONEY, app->income);
	int64_t limit = step_param(c, s, "interest_relief.low_income_monthly_max");
	/* The average is compared exactly (income <= 12 x limit); the average
	 * shown is rounded down to whole øre (rounding.ore). */
	step_int(s, "monthly_average", TV_MONEY, money_muldiv_floor(app->income, 1, 12));
	int ok = app->income <= limit * 12;
	step_value(s, TV_BOOL, ok);
	if (c->missing != gaps || !ok)
		return c->missing != gaps ? -1 : 0;

	/* The family's income: the applicant's alone unless married; a married
	 * applicant's spouse's income must be given. */
	if (app->married && app->family_income < 0) {
		s = step_begin(c, "interest-relief.family-income", REF_RELIEF, "rule.interest-relief.family-missing");
		step_int(s, "married", TV_BOOL, 1);
		step_value(s, TV_BOOL, 0);
		manual_add(c, "family-income-missing", "reason.family-income-missing", REF_RELIEF);
		return -1;
	}
	int64_t family = app->family_income >= 0 ? app->family_income : app->income;
	s = step_begin(c, "interest-relief.family-income", REF_RELIEF, "rule.interest-relief.family-income");
	int64_t base = step_param(c, s, "interest_relief.family_income_limit");
	int64_t per_child = step_param(c, s, "interest_relief.family_child_allowance");
	int64_t child_age = step_param(c, s, "interest_relief.child_max_age");
	if (c->missing != gaps)
		return -1;
	int children = young_children(c, child_age);
	step_int(s, "family_income", TV_MONEY, family);
	step_int(s, "children", TV_INT, children);
	step_int(s, "limit", TV_MONEY, base + per_child * children);
	ok = family <= base + per_child * children;
	step_value(s, TV_BOOL, ok);
	return ok;
}

void decide_interest_relief(struct ctx *c)
{
	const struct application *app = c->app;
	struct trace_step *s = step_begin(c, "interest-relief.ground", REF_RELIEF, "rule.interest-relief.ground");
	step_str(s, "relief_ground", app->relief_ground[0] ? app->relief_ground : "-");
	step_value(s, TV_BOOL, app->relief_ground[0] != '\0');
	if (app->relief_ground[0] == '\0') {
		manual_add(c, "relief-ground-missing", "reason.relief-ground-missing", REF_RELIEF);
		return;
	}
	int64_t max_months = app->months_requested;
	if (strcmp(app->relief_ground, "low-income-full-time") == 0) {
		int ok = low_income_work(c);
		if (ok <= 0)
			return;
		s = step_begin(c, "interest-relief.months-left", REF_RELIEF, "rule.interest-relief.months-left");
		step_int(s, "relief_months_used", TV_INT, app->relief_months_used);
		int64_t total = step_param(c, s, "interest_relief.low_income_max_months");
		int64_t left = total > app->relief_months_used ? total - app->relief_months_used : 0;
		step_value(s, TV_INT, left);
		if (left < max_months)
			max_months = left;
	}
	int by_income = months_by_income(c);
	if (by_income < 0 || c->missing)
		return;
	if (by_income < max_months)
		max_months = by_income;
	if (max_months <= 0)
		return;
	s = step_begin(c, "interest-relief.months", REF_RELIEF, "rule.interest-relief.months");
	step_int(s, "months_requested", TV_INT, app->months_requested);
	step_value(s, TV_INT, max_months);
	struct award *a = award_add(c, "interest-relief", "loan", REF_RELIEF);
	a->months = (int)max_months;
	if (max_months < app->months_requested)
		c->d->outcome = OUTCOME_PARTLY;
}
