/* student_family.c - what a student (part 3: higher education and the
 * like) gets beside the basic loan: the child grant (barnestipend) for
 * children under the age limit, and the extra loan (tilleggslån), which
 * is for students with children and for students 30 or older.
 *
 * From the agency's pages ("Student med barn", "Lån og stipend til vaksne
 * studentar", "Inntekt og formue"), school year 2024-2025:
 * - the child grant is a monthly amount per child through the calendar
 *   year the child turns 16, for the months the student has support, in
 *   proportion to the study load; it is decided on application without an
 *   income test of the student's own: the test against the student's own
 *   income and wealth comes the year after, when the tax figures are in
 *   (a grant over the limits then becomes a loan). A spouse's or partner's
 *   income is tested first, against a limit the pages held here do not give
 *   for 2024: a married student's child grant waits for that figure;
 * - the extra loan is what the student asks for, at most a year's amount
 *   (57 940 kr with a child under 16 and 18 or older; 115 880 kr for a
 *   full-time student in higher education who is 30 or older, in
 *   proportion to the load) and at most what is left of its total limit
 *   (115 880 kr and 231 760 kr). It is not means-tested and never becomes a
 *   grant. */
#include "core/money.h"
#include "rules/internal.h"

#define REF_FAMILY "forskrift om utdanningsstøtte del 3 kapittel 11"

static int year_of(date_t d)
{
	int y, m, day;
	date_to_ymd(d, &y, &m, &day);
	return y;
}

/* Whole years of age on date on. */
static int age_on(date_t birth, date_t on)
{
	int by, bm, bd, y, m, d;
	date_to_ymd(birth, &by, &bm, &bd);
	date_to_ymd(on, &y, &m, &d);
	int age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

/* The children who count: born in the year the school year ends less the
 * age limit, or later (2009 or later for 2024-2025). */
static int children_counted(const struct application *app, int64_t last_age)
{
	int n = 0;
	for (size_t i = 0; i < app->n_children; i++)
		if (year_of(app->children[i]) + last_age >= year_of(app->year_last))
			n++;
	return n;
}

static void child_grant(struct ctx *c, int months)
{
	const struct application *app = c->app;
	int gaps = c->missing;
	struct trace_step *s = step_begin(c, "child-grant.student", REF_FAMILY, "rule.child-grant.student");
	int64_t last_age = step_param(c, s, "child_grant.last_year_age");
	int64_t rate = step_param(c, s, "child_grant.student.monthly");
	if (c->missing != gaps)
		return;
	int counted = children_counted(app, last_age);
	/* rounding.ore: the month's amount per child in proportion to the
	 * load, rounded to whole øre, half up. */
	int64_t per_child = money_muldiv_round(rate, app->load_percent, 100);
	int64_t monthly = per_child * counted;
	step_int(s, "children", TV_INT, counted);
	step_int(s, "load_percent", TV_INT, app->load_percent);
	step_int(s, "months", TV_INT, months);
	step_value(s, TV_MONEY, monthly * months);
	if (counted == 0)
		return;
	if (app->married) {
		/* A spouse's or partner's income is tested before the grant is
		 * paid: each month's grant falls by a share of the spouse's
		 * income over the limit. The limit for 2024 is not on the pages
		 * held here, so a married student's grant waits for it. */
		s = step_begin(c, "child-grant.spouse-income", REF_FAMILY, "rule.child-grant.spouse-income");
		step_int(s, "married", TV_BOOL, 1);
		int64_t limit = step_param(c, s, "child_grant.student.spouse_income_limit");
		int64_t percent = step_param(c, s, "child_grant.student.spouse_reduction_percent");
		if (c->missing != gaps)
			return;
		if (app->family_income < 0) {
			manual_add(c, "family-income-missing", "reason.family-income-missing", REF_FAMILY);
			return;
		}
		int64_t spouse = app->family_income > app->income ? app->family_income - app->income : 0;
		int64_t over = spouse > limit ? spouse - limit : 0;
		step_int(s, "spouse_income", TV_MONEY, spouse);
		/* rounding.ore: the month's reduction, half up. */
		int64_t cut = money_muldiv_round(over, percent, 100);
		monthly = monthly > cut ? monthly - cut : 0;
		step_value(s, TV_MONEY, monthly * months);
		if (monthly == 0) {
			c->refused = 1;
			return;
		}
	}
	struct award *a = award_add(c, "child-grant", "grant", REF_FAMILY);
	a->months = months;
	a->monthly = monthly;
	a->amount = monthly * months;
}

static void extra_loan(struct ctx *c)
{
	const struct application *app = c->app;
	if (app->extra_loan_requested <= 0)
		return;
	int gaps = c->missing;
	int age = age_on(app->birth_date, app->decision_date);
	struct trace_step *s = step_begin(c, "extra-loan.amount", REF_FAMILY, "rule.extra-loan.amount");
	step_int(s, "requested", TV_MONEY, app->extra_loan_requested);
	step_int(s, "age", TV_INT, age);
	step_int(s, "extra_loan_used", TV_MONEY, app->extra_loan_used);
	int64_t last_age = step_param(c, s, "child_grant.last_year_age");
	if (c->missing != gaps)
		return;
	int with_children = children_counted(app, last_age) > 0;
	step_int(s, "children", TV_INT, with_children);
	int64_t most = 0, total = 0;
	const char *which = NULL;
	if (age >= 30 && app->level == LEVEL_HIGHER) {
		int64_t year = step_param(c, s, "extra_loan.adult.annual");
		int64_t cap = step_param(c, s, "extra_loan.adult.total");
		if (c->missing != gaps)
			return;
		/* rounding.ore: in proportion to the load, half up. */
		most = money_muldiv_round(year, app->load_percent, 100);
		total = cap;
		which = "adult";
	}
	if (which == NULL && with_children && age >= 18) {
		int64_t year = step_param(c, s, "extra_loan.children.annual");
		int64_t cap = step_param(c, s, "extra_loan.children.total");
		if (c->missing != gaps)
			return;
		most = year;
		total = cap;
		which = "children";
	}
	if (which == NULL) {
		/* Neither 30 or older in higher education nor a parent of a
		 * child under the limit: no extra loan. */
		step_value(s, TV_MONEY, 0);
		c->refused = 1;
		return;
	}
	int64_t left = total > app->extra_loan_used ? total - app->extra_loan_used : 0;
	int64_t amount = app->extra_loan_requested;
	if (amount > most)
		amount = most;
	if (amount > left)
		amount = left;
	step_value(s, TV_MONEY, amount);
	if (amount < app->extra_loan_requested)
		c->refused = 1; /* more asked than the limits give */
	if (amount == 0)
		return;
	award_add(c, "extra-loan", "loan", REF_FAMILY)->amount = amount;
}

void decide_student_family(struct ctx *c, int months)
{
	if (c->app->n_children > 0)
		child_grant(c, months);
	extra_loan(c);
}
