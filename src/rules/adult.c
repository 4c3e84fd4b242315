/* adult.c - the loan reduction by age for adult students (#9).
 *
 * The agency's pages: "Stipend og lån til vaksne studentar" (15 April 2021)
 * and "Enklare for eldre studentar og studentar med barn" (3 July 2020):
 * from the school year 2021-2022 a student gets the full loan until 50
 * (45 before), and the loan is to be repaid before 70 (65 before). How the
 * loan is reduced is on the page "Alder" (utdanning i utlandet): a student
 * who is older than the age limit when the education ends can owe the
 * agency at most a ceiling, less 1/20 of it for every year of age over the
 * limit at the end (the twenty years from the age limit to the repayment
 * age); the room left under that ceiling, after the debt already had, is
 * shared over the years of the education left. The page's example (the
 * old limits 45 and 65, a ceiling of 500 000 kr): a four-year education
 * ending at 50 with 100 000 kr owed gives 500 000 x 15/20 - 100 000 =
 * 275 000 kr, 68 750 kr a year.
 *
 * The ages are dated parameters; the ceiling after the 2021 change is on
 * no page held here, so a student this old goes to a case worker naming
 * `adult_loan.max_debt` (README: the gaps). The education's end is the
 * application's `education.end`, and the years left `education.years_left`
 * (1 when not given: this year is the last). */
#include "core/money.h"
#include "rules/internal.h"

#define REF_ADULT "forskrift om utdanningsstøtte, aldersgrense for lån"

/* Whole years of age on date on. */
static int years_on(date_t birth, date_t on)
{
	int by, bm, bd, y, m, d;
	date_to_ymd(birth, &by, &bm, &bd);
	date_to_ymd(on, &y, &m, &d);
	int age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

int64_t adult_loan_limit(struct ctx *c, int64_t amount)
{
	const struct application *app = c->app;
	int age = years_on(app->birth_date, app->edu_end);
	const struct param *from = params_get(c->params, "adult_loan.reduction_age", c->on);
	/* Under the age limit at the end (or the limit not dated for the
	 * year): nothing to reduce, and no step, as for every young student. */
	if (from == NULL || age < from->value)
		return amount;
	int gaps = c->missing;
	struct trace_step *s = step_begin(c, "basic-loan.age", REF_ADULT, "rule.basic-loan.age");
	step_int(s, "end", TV_DATE, app->edu_end);
	step_int(s, "age_at_end", TV_INT, age);
	step_int(s, "balance", TV_MONEY, app->loan_balance);
	step_int(s, "years_left", TV_INT, app->years_left > 0 ? app->years_left : 1);
	int64_t limit_age = step_param(c, s, "adult_loan.reduction_age");
	int64_t repay_age = step_param(c, s, "adult_loan.repaid_by_age");
	int64_t ceiling = step_param(c, s, "adult_loan.max_debt");
	if (c->missing != gaps || repay_age <= limit_age)
		return -1; /* a person settles the basic loan */
	/* 1/20 less for each year over the limit: (repay - age) / (repay - limit). */
	int64_t left_years = repay_age - age > 0 ? repay_age - age : 0;
	if (left_years > repay_age - limit_age)
		left_years = repay_age - limit_age;
	/* rounding.ore: the ceiling's share is rounded to whole øre, half up. */
	int64_t most = money_muldiv_round(ceiling, left_years, repay_age - limit_age);
	int64_t room = most > app->loan_balance ? most - app->loan_balance : 0;
	int64_t years = app->years_left > 0 ? app->years_left : 1;
	/* rounding.ore: the room is shared over the years left, rounded down
	 * to whole øre so that the years together never pass it. */
	int64_t this_year = room / years;
	int64_t value = amount < this_year ? amount : this_year;
	step_int(s, "debt_ceiling", TV_MONEY, most);
	step_value(s, TV_MONEY, value);
	if (value < amount)
		c->refused = 1; /* less than a full loan: partly granted */
	return value;
}
