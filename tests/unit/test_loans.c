/* test_loans.c - unit tests of src/loans: the annuity repayment plan and the
 * parsing of rates and amounts as people write them.
 *
 * Expected plans are worked out by hand in the comments, or checked against
 * an independent computation in the test itself (the annuity formula in
 * long double), never taken from the code under test. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "loans/repayment.h"

#define KR(x) ((int64_t)(x)*100)

static void make_plan(int64_t principal, int32_t rate, int years, int per_year, struct loans_plan *p)
{
	struct loans_terms t = {principal, rate, years, per_year};
	struct err e;
	err_clear(&e);
	assert_int_equal(loans_annuity(&t, p, &e), 0);
}

/* The invariants every plan keeps: the years add up to the totals, the
 * principal parts to the loan, the balance ends at 0 and no payment is
 * larger than the ordinary one. */
static void assert_plan_consistent(const struct loans_terms *t, const struct loans_plan *p)
{
	int64_t paid = 0, interest = 0, principal = 0;
	int payments = 0;
	assert_true(p->n_years >= 1 && p->n_years <= t->years);
	for (int i = 0; i < p->n_years; i++) {
		const struct loans_year *y = &p->years[i];
		assert_int_equal(y->year, i + 1);
		assert_int_equal(y->paid, y->interest + y->principal);
		if (i + 1 < p->n_years) {
			assert_int_equal(y->payments, t->per_year);
			assert_true(y->balance > 0);
		}
		paid += y->paid;
		interest += y->interest;
		principal += y->principal;
		payments += y->payments;
	}
	assert_int_equal(p->years[p->n_years - 1].balance, 0);
	assert_int_equal(principal, t->principal);
	assert_int_equal(paid, p->total_paid);
	assert_int_equal(interest, p->total_interest);
	assert_int_equal(p->total_paid, t->principal + p->total_interest);
	assert_int_equal(payments, p->n_payments);
	assert_true(p->n_payments <= t->years * t->per_year);
	assert_int_equal(p->total_paid, (int64_t)(p->n_payments - 1) * p->payment + p->last_payment);
	assert_true(p->last_payment > 0 && p->last_payment <= p->payment);
	assert_int_equal(p->payment % 100, 0);
}

/* A term fixed by a decision (the write-off at disability's "Nytt
 * terminbeløp") is paid until the loan is repaid, the last payment taking
 * the rest. 1 000 kr at 12 % a year, 600 kr a month: month 1's interest is
 * 10 kr (balance 410 kr after), month 2's 4.10 kr, so the last payment is
 * 414.10 kr and the interest 14.10 kr in all. */
static void a_fixed_payment_runs_until_repaid_the_last_taking_the_rest(void **state)
{
	(void)state;
	struct loans_terms t = {KR(1000), 12000, 30, 12};
	struct loans_plan p;
	struct err e;
	err_clear(&e);
	assert_int_equal(loans_plan_with_payment(&t, KR(600), &p, &e), 0);
	assert_int_equal(p.n_payments, 2);
	assert_int_equal(p.payment, KR(600));
	assert_int_equal(p.last_payment, 41410);
	assert_int_equal(p.total_interest, 1410);
	assert_int_equal(p.total_paid, KR(1000) + 1410);
	assert_int_equal(p.years[0].balance, 0);

	struct loans_terms flat = {KR(10000), 0, 30, 12};
	assert_int_equal(loans_plan_with_payment(&flat, KR(3000), &p, &e), 0);
	assert_int_equal(p.n_payments, 4);
	assert_int_equal(p.last_payment, KR(1000));

	/* A payment that only meets the interest never repays: refused. */
	err_clear(&e);
	assert_int_equal(loans_plan_with_payment(&t, KR(10), &p, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "payment");
}

static void zero_interest_gives_equal_payments_summing_exactly_to_the_loan(void **state)
{
	(void)state;
	struct loans_plan p;
	struct loans_terms t = {KR(100000), 0, 10, 12};
	/* 100 000 kr / 120 = 833.33 kr, rounded up: 834 kr. 119 payments of
	 * 834 kr are 99 246 kr, so the last is 754 kr. */
	make_plan(t.principal, t.rate, t.years, t.per_year, &p);
	assert_int_equal(p.payment, KR(834));
	assert_int_equal(p.n_payments, 120);
	assert_int_equal(p.last_payment, KR(754));
	assert_int_equal(p.total_paid, KR(100000));
	assert_int_equal(p.total_interest, 0);
	assert_int_equal(p.n_years, 10);
	assert_int_equal(p.years[0].paid, KR(12 * 834));
	assert_int_equal(p.years[0].balance, KR(100000 - 12 * 834));
	assert_int_equal(p.years[9].paid, KR(11 * 834 + 754));
	assert_plan_consistent(&t, &p);
}

static void hand_worked_annuity_of_1000_kr_at_10_percent_over_two_years(void **state)
{
	(void)state;
	struct loans_plan p;
	struct loans_terms t = {KR(1000), 10000, 2, 1};
	/* P = 1000 * 0.1 / (1 - 1.1^-2) = 576.19 kr, rounded up: 577 kr.
	 * Year 1: interest 100 kr, principal 477 kr, balance 523 kr.
	 * Year 2: interest 52.30 kr, the last payment 575.30 kr.
	 * (576 kr would leave 576.40 kr due in year 2: not enough.) */
	make_plan(t.principal, t.rate, t.years, t.per_year, &p);
	assert_int_equal(p.payment, KR(577));
	assert_int_equal(p.n_payments, 2);
	assert_int_equal(p.years[0].interest, KR(100));
	assert_int_equal(p.years[0].principal, KR(477));
	assert_int_equal(p.years[0].balance, KR(523));
	assert_int_equal(p.years[1].interest, 5230);
	assert_int_equal(p.years[1].paid, 57530);
	assert_int_equal(p.last_payment, 57530);
	assert_int_equal(p.total_interest, 15230);
	assert_int_equal(p.total_paid, 115230);
	assert_plan_consistent(&t, &p);
}

static void hand_worked_plan_rounds_the_interest_to_whole_ore_half_away_from_zero(void **state)
{
	(void)state;
	struct loans_plan p;
	struct loans_terms t = {KR(1375), 5212, 2, 1};
	/* 1 375 kr at 5.212 % a year, paid once a year for two years; each
	 * year's interest is rounded to whole øre, half away from zero
	 * (repayment.h), so every year's figure has a fraction to round:
	 *
	 * Year 1: 137 500 øre x 0.05212 = 7 166.5 øre: exactly half an øre,
	 *   rounded up to 7 167 øre (truncating, or rounding half to even,
	 *   would give 7 166).
	 * The payment: P = 137 500 x 0.05212 / (1 - 1.05212^-2)
	 *   = 7 166.5 x 1.1069564944 / 0.1069564944 = 74 170.38 øre,
	 *   rounded up to whole kroner: 742 kr.
	 *   Principal repaid in year 1: 74 200 - 7 167 = 67 033 øre;
	 *   balance 137 500 - 67 033 = 70 467 øre.
	 * Year 2: 70 467 øre x 0.05212 = 3 672.740 04 øre, rounded to 3 673
	 *   (truncating gives 3 672). Due: 70 467 + 3 673 = 74 140 øre, at
	 *   most 742 kr: the last payment is 741.40 kr.
	 * Interest in all: 7 167 + 3 673 = 10 840 øre; paid 74 200 + 74 140 =
	 *   148 340 øre = 137 500 + 10 840.
	 * (741 kr would not do: year 1 leaves 137 500 - (74 100 - 7 167) =
	 *   70 567 øre, whose year-2 interest 3 677.95 rounds to 3 678, so
	 *   74 245 øre would be due, more than 741 kr.) */
	make_plan(t.principal, t.rate, t.years, t.per_year, &p);
	assert_int_equal(p.years[0].interest, 7167);
	assert_int_equal(p.payment, KR(742));
	assert_int_equal(p.years[0].principal, 67033);
	assert_int_equal(p.years[0].balance, 70467);
	assert_int_equal(p.years[1].interest, 3673);
	assert_int_equal(p.years[1].paid, 74140);
	assert_int_equal(p.last_payment, 74140);
	assert_int_equal(p.n_payments, 2);
	assert_int_equal(p.total_interest, 10840);
	assert_int_equal(p.total_paid, 148340);
	assert_plan_consistent(&t, &p);
}

/* The annuity formula in long double, in øre. */
static long double formula(const struct loans_terms *t)
{
	long double r = (long double)t->rate / (100000.0L * t->per_year);
	int n = t->years * t->per_year;
	if (r == 0)
		return (long double)t->principal / n;
	return (long double)t->principal * r / (1.0L - powl(1.0L + r, -n));
}

static void payment_is_the_annuity_formula_rounded_up_to_whole_kroner(void **state)
{
	(void)state;
	static const struct loans_terms cases[] = {
	    {KR(250000), 5212, 20, 12}, {KR(100000), 12000, 1, 12},  {KR(531234), 4750, 25, 4},
	    {KR(75000), 3000, 10, 2},   {KR(1000000), 6125, 30, 12}, {KR(98765), 999, 7, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loans_plan p;
		make_plan(cases[i].principal, cases[i].rate, cases[i].years, cases[i].per_year, &p);
		long double exact = formula(&cases[i]);
		/* Rounded up to whole kroner: at least the exact annuity, less
		 * than a krone (and the øre rounding of the interest) above. */
		assert_true((long double)p.payment >= exact - 1.0L);
		assert_true((long double)p.payment < exact + 101.0L);
		assert_int_equal(p.n_payments, cases[i].years * cases[i].per_year);
		assert_plan_consistent(&cases[i], &p);
	}
	/* 100 000 kr at 1 % a month for 12 months: 8 884.88 kr by the formula. */
	struct loans_plan p;
	make_plan(KR(100000), 12000, 1, 12, &p);
	assert_int_equal(p.payment, KR(8885));
}

static void balance_ends_at_exactly_zero_for_every_term(void **state)
{
	(void)state;
	static const int per_year[] = {1, 2, 4, 12};
	static const int32_t rates[] = {0, 1, 2500, 5212, 29999};
	static const int64_t amounts[] = {KR(1), KR(999), KR(100000), KR(1234567)};
	for (size_t a = 0; a < 4; a++)
		for (size_t r = 0; r < 5; r++)
			for (size_t q = 0; q < 4; q++)
				for (int years = 1; years <= 30; years += 29) {
					struct loans_terms t = {amounts[a], rates[r], years, per_year[q]};
					struct loans_plan p;
					make_plan(t.principal, t.rate, t.years, t.per_year, &p);
					assert_plan_consistent(&t, &p);
				}
}

static void small_loan_over_many_periods_ends_early_never_late(void **state)
{
	(void)state;
	struct loans_plan p;
	struct loans_terms t = {KR(10000), 0, 30, 12};
	/* 10 000 kr / 360 = 27.78 kr, rounded up: 28 kr (27 kr a month pays
	 * only 9 720 kr). 357 payments of 28 kr are 9 996 kr: the 358th is
	 * the last, 4 kr, two months before the term ends. */
	make_plan(t.principal, t.rate, t.years, t.per_year, &p);
	assert_int_equal(p.payment, KR(28));
	assert_int_equal(p.n_payments, 358);
	assert_int_equal(p.last_payment, KR(4));
	assert_int_equal(p.n_years, 30);
	assert_int_equal(p.years[29].payments, 10);
	assert_plan_consistent(&t, &p);
}

static void largest_loan_at_the_highest_rate_stays_exact(void **state)
{
	(void)state;
	struct loans_terms t = {LOANS_MAX_PRINCIPAL, LOANS_MAX_RATE, 30, 1};
	struct loans_plan p;
	make_plan(t.principal, t.rate, t.years, t.per_year, &p);
	assert_plan_consistent(&t, &p);
	assert_true(p.total_interest > t.principal);
}

static void invalid_terms_are_refused_with_the_field_name(void **state)
{
	(void)state;
	static const struct {
		struct loans_terms t;
		const char *field;
	} bad[] = {
	    {{0, 5000, 10, 12}, "amount"},
	    {{99, 5000, 10, 12}, "amount"},
	    {{LOANS_MAX_PRINCIPAL + 100, 5000, 10, 12}, "amount"},
	    {{KR(1000), -1, 10, 12}, "rate"},
	    {{KR(1000), LOANS_MAX_RATE + 1, 10, 12}, "rate"},
	    {{KR(1000), 5000, 0, 12}, "years"},
	    {{KR(1000), 5000, 31, 12}, "years"},
	    {{KR(1000), 5000, 10, 3}, "per_year"},
	    {{KR(1000), 5000, 10, 0}, "per_year"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct loans_plan p;
		struct err e;
		memset(&p, 0x5a, sizeof(p));
		err_clear(&e);
		assert_int_equal(loans_annuity(&bad[i].t, &p, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		assert_string_equal(e.field, bad[i].field);
		/* The plan is left as it was. */
		assert_int_equal(p.n_payments, 0x5a5a5a5a);
	}
}

static void parse_rate_takes_up_to_three_decimals_with_point_or_comma(void **state)
{
	(void)state;
	int32_t r = -1;
	assert_int_equal(loans_parse_rate("5.212", &r), 0);
	assert_int_equal(r, 5212);
	assert_int_equal(loans_parse_rate("4,5", &r), 0);
	assert_int_equal(r, 4500);
	assert_int_equal(loans_parse_rate("0", &r), 0);
	assert_int_equal(r, 0);
	assert_int_equal(loans_parse_rate(" 5 % ", &r), 0);
	assert_int_equal(r, 5000);
	assert_int_equal(loans_parse_rate("30.000", &r), 0);
	assert_int_equal(r, 30000);
	static const char *const bad[] = {
	    "", " ", "5.2121", "abc", "-1", "5.", ".5", "30.001", "5,2.1", "99999999999999999999", "5 5", "5%%"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = 7;
		assert_int_equal(loans_parse_rate(bad[i], &r), -1);
		assert_int_equal(r, 7);
	}
	assert_int_equal(loans_parse_rate(NULL, &r), -1);
}

static void parse_kroner_takes_whole_kroner_grouped_as_people_write_them(void **state)
{
	(void)state;
	int64_t v = -1;
	const int64_t max = KR(100000000);
	assert_int_equal(loans_parse_kroner("450000", max, &v), 0);
	assert_int_equal(v, KR(450000));
	assert_int_equal(loans_parse_kroner("450 000", max, &v), 0);
	assert_int_equal(v, KR(450000));
	assert_int_equal(loans_parse_kroner("1\xc2\xa0"
	                                    "234\xc2\xa0"
	                                    "567 kr",
	                                    max, &v),
	                 0);
	assert_int_equal(v, KR(1234567));
	assert_int_equal(loans_parse_kroner("12\xe2\x80\xaf"
	                                    "000",
	                                    max, &v),
	                 0);
	assert_int_equal(v, KR(12000));
	assert_int_equal(loans_parse_kroner("0", max, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(loans_parse_kroner("100000000", max, &v), 0);
	assert_int_equal(v, max);
	assert_int_equal(loans_parse_kroner(" 12 ", max, &v), 0);
	assert_int_equal(v, KR(12));
	static const char *const bad[] = {"",
	                                  "kr",
	                                  "12,5",
	                                  "-3",
	                                  "1.000",
	                                  ("\xc2\xa0"
	                                   "000"),
	                                  "100000001",
	                                  "99999999999999999999999",
	                                  "1  000",
	                                  "x",
	                                  "12 kr kr"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		assert_int_equal(loans_parse_kroner(bad[i], max, &v), -1);
		assert_int_equal(v, 7);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(zero_interest_gives_equal_payments_summing_exactly_to_the_loan),
	    cmocka_unit_test(a_fixed_payment_runs_until_repaid_the_last_taking_the_rest),
	    cmocka_unit_test(hand_worked_annuity_of_1000_kr_at_10_percent_over_two_years),
	    cmocka_unit_test(hand_worked_plan_rounds_the_interest_to_whole_ore_half_away_from_zero),
	    cmocka_unit_test(payment_is_the_annuity_formula_rounded_up_to_whole_kroner),
	    cmocka_unit_test(balance_ends_at_exactly_zero_for_every_term),
	    cmocka_unit_test(small_loan_over_many_periods_ends_early_never_late),
	    cmocka_unit_test(largest_loan_at_the_highest_rate_stays_exact),
	    cmocka_unit_test(invalid_terms_are_refused_with_the_field_name),
	    cmocka_unit_test(parse_rate_takes_up_to_three_decimals_with_point_or_comma),
	    cmocka_unit_test(parse_kroner_takes_whole_kroner_grouped_as_people_write_them),
	};
	return cmocka_run_group_tests_name("loans", tests, NULL, NULL);
}
