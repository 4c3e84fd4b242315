/* test_fixedrate.c - unit tests of src/loans/fixedrate.c: the fixed rate's
 * interest loss or gain (rentetap/rentegevinst) on an extra payment or on
 * ending the agreement.
 *
 * The expected figures are worked out by hand in the comments, or checked
 * against an independent computation in the test itself (the closed-form
 * annuity balance and discount in long double), never taken from the code
 * under test. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/date.h"
#include "core/err.h"
#include "loans/fixedrate.h"
#include "rules/params.h"

static int64_t comparison(int32_t r3, int32_t r5, int32_t r10, int months)
{
	struct loans_fixed_offer o = {r3, r5, r10};
	int64_t r = -1;
	struct err e;
	err_clear(&e);
	assert_int_equal(loans_fixed_comparison(&o, months, &r, &e), 0);
	return r;
}

static int64_t adjustment_paused(int64_t amount, int32_t rate, int64_t rate120, int months, int pause, int terms)
{
	int64_t out = INT64_MIN;
	struct err e;
	err_clear(&e);
	assert_int_equal(loans_fixed_adjustment(amount, rate, rate120, months, pause, terms, &out, &e), 0);
	return out;
}

static int64_t adjustment(int64_t amount, int32_t rate, int64_t rate120, int months, int terms)
{
	return adjustment_paused(amount, rate, rate120, months, 0, terms);
}

/* lanekassen.no, "Rentetap og rentegevinst": "Hvis du for eksempel har
 * fire år igjen av fastrenteavtalen, legger vi til grunn en rentesats som
 * er gjennomsnittet av en ny 3-årsavtale og en ny 5-årsavtale." With the
 * rates offered from 1 May 2024 (the compiled-in parameters: 3 years
 * 4.678 %, 5 years 4.525 %), four years left compare with
 * (4.678 + 4.525) / 2 = 4.6015 %, which is 552 180 in 1/120 thousandths. */
static void four_years_left_compare_with_the_average_of_3_and_5_years(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct params *p = params_load_builtin(&e);
	assert_non_null(p);
	struct loans_fixed_offer o;
	assert_int_equal(loans_fixed_offered(p, date_from_ymd(2024, 5, 15), &o, &e), 0);
	assert_int_equal(o.r3, 4678);
	assert_int_equal(o.r5, 4525);
	int64_t r = -1;
	assert_int_equal(loans_fixed_comparison(&o, 48, &r, &e), 0);
	assert_int_equal(r, (4678 + 4525) * LOANS_FIXED_RATE_SCALE / 2);
	assert_int_equal(r, 552180);
	/* No rate is offered from 1 July 2024 in the compiled-in set: the
	 * missing figure is named, nothing is guessed. */
	err_clear(&e);
	assert_int_equal(loans_fixed_offered(p, date_from_ymd(2024, 7, 1), &o, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_string_equal(e.message, "loan.rate.fixed.3 2024-07-01");
	params_free(p);
}

static void comparison_rate_is_the_3_year_rate_below_3_years_and_linear_between_terms(void **state)
{
	(void)state;
	/* Rates 3.000 %, 4.200 %, 5.400 %. */
	assert_int_equal(comparison(3000, 4200, 5400, 1), 3000 * 120);
	assert_int_equal(comparison(3000, 4200, 5400, 36), 3000 * 120);
	/* 42 months: a quarter of the way from 36 to 60: 3.3 %. */
	assert_int_equal(comparison(3000, 4200, 5400, 42), 3300 * 120);
	assert_int_equal(comparison(3000, 4200, 5400, 60), 4200 * 120);
	/* 90 months: half way from 60 to 120: 4.8 %. */
	assert_int_equal(comparison(3000, 4200, 5400, 90), 4800 * 120);
	assert_int_equal(comparison(3000, 4200, 5400, 120), 5400 * 120);
	/* 37 months: 1/24 of 1.2 points above 3 %: 3.05 %, exact in 1/120. */
	assert_int_equal(comparison(3000, 4200, 5400, 37), 3050 * 120);
	struct loans_fixed_offer o = {3000, 4200, 5400};
	int64_t r = 7;
	struct err e;
	err_clear(&e);
	assert_int_equal(loans_fixed_comparison(&o, 0, &r, &e), -1);
	assert_string_equal(e.field, "months_left");
	assert_int_equal(loans_fixed_comparison(&o, 121, &r, &e), -1);
	assert_int_equal(r, 7);
}

/* Agreement 6 % against 3 % today, one month left, the plan's last term:
 * the whole 10 000 kr would have earned 3 points more for one month:
 * 1 000 000 øre x 0.03 / 12 = 2 500 øre, discounted one month at 3 %:
 * 2 500 / 1.0025 = 2 493.765... øre, rounded: 2 494 øre, a loss added to
 * the debt. */
static void agreement_above_the_comparison_is_a_loss_hand_worked(void **state)
{
	(void)state;
	assert_int_equal(adjustment(1000000, 6000, 3000 * 120, 1, 1), 2494);
}

/* Agreement 0 % against 1.2 % today, two months left, a plan of two terms
 * left at 0 %: month 1 the whole amount is owed, month 2 half of it
 * (B(1)/B(0) = (2-1)/2). The monthly difference is -0.1 %:
 * month 1: -1 000 000 x 0.001 = -1 000 øre, / 1.001   = -999.000 999
 * month 2:   -500 000 x 0.001 =   -500 øre, / 1.001^2 = -499.001 497
 * sum -1 498.002 496 øre, rounded: -1 498 øre, a gain deducted. */
static void agreement_below_the_comparison_is_a_gain_hand_worked(void **state)
{
	(void)state;
	assert_int_equal(adjustment(1000000, 0, 1200 * 120, 2, 2), -1498);
}

/* In the payment pause nothing is repaid: the whole amount is owed until
 * the first term. Agreement 0 % against 1.2 %, two months left, one month
 * of pause and then a plan of one term: both months count the whole
 * 1 000 000 øre (month 2 is the first term's month, owing B(0)):
 * -1 000 / 1.001 - 1 000 / 1.001^2 = -999.000 999 - 998.002 995
 * = -1 997.003 994 øre, rounded: -1 997 øre (without the pause the plan
 * would have halved month 2's part: -1 498, as above). */
static void the_payment_pause_owes_the_whole_amount(void **state)
{
	(void)state;
	assert_int_equal(adjustment_paused(1000000, 0, 1200 * 120, 2, 1, 1), -1997);
	assert_int_equal(adjustment_paused(1000000, 0, 1200 * 120, 2, 0, 2), -1498);
}

static void equal_rates_give_nothing(void **state)
{
	(void)state;
	assert_int_equal(adjustment(12345678, 4678, 4678 * 120, 48, 180), 0);
	assert_int_equal(adjustment(1, 0, 0, 1, 1), 0);
}

/* The same formula, computed independently in long double from the closed
 * forms: B(j)/B(0) = ((1+i)^T - (1+i)^j) / ((1+i)^T - 1), discount
 * (1+c)^-k. The code sums in exact integers; they agree to the øre. */
static long double reference(long double amount, long double rate, long double rate120, int months, int pause,
			     int terms)
{
	long double i = rate / 1200000.0L, c = rate120 / (1200000.0L * 120), d = (rate * 120 - rate120) / (1200000.0L * 120);
	long double gT = powl(1 + i, terms), sum = 0;
	for (int k = 1; k <= months && k <= pause + terms; k++) {
		int j = k - 1 - pause;
		long double share = j < 0 ? 1 : i == 0 ? (long double)(terms - j) / terms : (gT - powl(1 + i, j)) / (gT - 1);
		sum += amount * share * d / powl(1 + c, k);
	}
	return sum;
}

static void agrees_with_the_closed_form_to_the_ore(void **state)
{
	(void)state;
	struct {
		int64_t amount;
		int32_t rate;
		int64_t rate120;
		int months, pause, terms;
	} cases[] = {
	    {10000000, 5000, 552180, 48, 0, 120},   /* 100 000 kr, 5 % against 4.6015 %, 4 years */
	    {45000000, 4458, 4678 * 120, 117, 0, 240}, /* 450 000 kr, 10 years at 4.458 % against 4.678 % */
	    {300000, 6123, 2000 * 120, 36, 0, 12},     /* the plan ends before the agreement */
	    {999999999, 30000, 0, 120, 0, 360},
	    {20000000, 2000, 255000, 57, 5, 234},      /* 200 000 kr in the pause, 5 months before the first term */
	};
	for (size_t n = 0; n < sizeof(cases) / sizeof(cases[0]); n++) {
		int64_t got = adjustment_paused(cases[n].amount, cases[n].rate, cases[n].rate120, cases[n].months,
						cases[n].pause, cases[n].terms);
		long double want = reference(cases[n].amount, cases[n].rate, cases[n].rate120, cases[n].months,
					     cases[n].pause, cases[n].terms);
		assert_true(fabsl((long double)got - want) <= 0.5L + 1e-6L);
		assert_true(cases[n].rate * 120 > cases[n].rate120 ? got > 0 : got < 0);
	}
}

static void the_months_left_count_the_day_s_month_whole(void **state)
{
	(void)state;
	assert_int_equal(loans_fixed_months_left(date_from_ymd(2024, 6, 10), date_from_ymd(2027, 5, 31)), 36);
	assert_int_equal(loans_fixed_months_left(date_from_ymd(2024, 6, 1), date_from_ymd(2027, 5, 31)), 36);
	assert_int_equal(loans_fixed_months_left(date_from_ymd(2027, 5, 31), date_from_ymd(2027, 5, 31)), 1);
	assert_int_equal(loans_fixed_months_left(date_from_ymd(2027, 6, 1), date_from_ymd(2027, 5, 31)), 0);
}

static void out_of_range_is_refused_with_the_field(void **state)
{
	(void)state;
	int64_t out = 42;
	struct err e;
	err_clear(&e);
	assert_int_equal(loans_fixed_adjustment(0, 4000, 4000 * 120, 12, 0, 12, &out, &e), -1);
	assert_string_equal(e.field, "amount");
	assert_int_equal(loans_fixed_adjustment(100, -1, 4000 * 120, 12, 0, 12, &out, &e), -1);
	assert_string_equal(e.field, "rate");
	assert_int_equal(loans_fixed_adjustment(100, 4000, 4000 * 120, 0, 0, 12, &out, &e), -1);
	assert_string_equal(e.field, "months_left");
	assert_int_equal(loans_fixed_adjustment(100, 4000, 4000 * 120, 12, 0, 0, &out, &e), -1);
	assert_string_equal(e.field, "terms_left");
	assert_int_equal(loans_fixed_adjustment(100, 4000, 4000 * 120, 12, -1, 12, &out, &e), -1);
	assert_string_equal(e.field, "pause_months");
	assert_int_equal(out, 42);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(four_years_left_compare_with_the_average_of_3_and_5_years),
	    cmocka_unit_test(comparison_rate_is_the_3_year_rate_below_3_years_and_linear_between_terms),
	    cmocka_unit_test(agreement_above_the_comparison_is_a_loss_hand_worked),
	    cmocka_unit_test(agreement_below_the_comparison_is_a_gain_hand_worked),
	    cmocka_unit_test(the_payment_pause_owes_the_whole_amount),
	    cmocka_unit_test(equal_rates_give_nothing),
	    cmocka_unit_test(agrees_with_the_closed_form_to_the_ore),
	    cmocka_unit_test(the_months_left_count_the_day_s_month_whole),
	    cmocka_unit_test(out_of_range_is_refused_with_the_field),
	};
	return cmocka_run_group_tests_name("fixedrate", tests, NULL, NULL);
}
