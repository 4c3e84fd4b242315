/* interest_relief.c - interest relief (sletting av renter) on a student
 * loan.
 *
 * forskrift om tilbakebetaling av utdanningslån: interest is removed for
 * the months a borrower had low income because of unemployment, illness,
 * work assessment allowance or part-time study, when the own income is at
 * most a limit plus an allowance per child aged 16 or under; or because of
 * low income from full-time work, when the average monthly income is at
 * most a limit, for at most 36 months in all. The ground must be stated;
 * without it a person decides. */
#include <string.h>

#include "core/money.h"
#include "rules/internal.h"

#define REF_RELIEF "forskrift om tilbakebetaling av utdanningslån, sletting av renter"

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
	int low_income_work = strcmp(app->relief_ground, "low-income-full-time") == 0;
	int64_t max_months = app->months_requested;
	int eligible;
	if (low_income_work) {
		s = step_begin(c, "interest-relief.low-income", REF_RELIEF, "rule.interest-relief.low-income");
		step_int(s, "income", TV_MONEY, app->income);
		int64_t limit = step_param(c, s, "interest_relief.low_income_monthly_max");
		/* The average is compared exactly (income <= 12 x limit); the
		 * average shown is rounded down to whole øre (rounding.ore). */
		step_int(s, "monthly_average", TV_MONEY, money_muldiv_floor(app->income, 1, 12));
		eligible = app->income <= limit * 12;
		step_value(s, TV_BOOL, eligible);
		s = step_begin(c, "interest-relief.months-left", REF_RELIEF, "rule.interest-relief.months-left");
		step_int(s, "relief_months_used", TV_INT, app->relief_months_used);
		int64_t total = step_param(c, s, "interest_relief.low_income_max_months");
		int64_t left = total > app->relief_months_used ? total - app->relief_months_used : 0;
		step_value(s, TV_INT, left);
		if (left < max_months)
			max_months = left;
	} else {
		s = step_begin(c, "interest-relief.income", REF_RELIEF, "rule.interest-relief.income");
		int64_t base = step_param(c, s, "interest_relief.income_limit");
		int64_t per_child = step_param(c, s, "interest_relief.child_allowance");
		int64_t child_age = step_param(c, s, "interest_relief.child_max_age");
		int children = 0;
		for (size_t i = 0; i < app->n_children; i++)
			children += date_age(app->children[i], app->year_first) <= child_age;
		int64_t limit = base + per_child * children;
		step_int(s, "income", TV_MONEY, app->income);
		step_int(s, "children", TV_INT, children);
		step_int(s, "limit", TV_MONEY, limit);
		eligible = app->income <= limit;
		step_value(s, TV_BOOL, eligible);
	}
	if (c->missing || !eligible || max_months <= 0)
		return;
	s = step_begin(c, "interest-relief.months", REF_RELIEF, "rule.interest-relief.months");
	step_int(s, "months_requested", TV_INT, app->months_requested);
	step_value(s, TV_INT, max_months);
	struct award *a = award_add(c, "interest-relief", "loan", REF_RELIEF);
	a->months = (int)max_months;
	if (max_months < app->months_requested)
		c->d->outcome = OUTCOME_PARTLY;
}
