/* test_loans_disability.c - unit tests of the rule for writing off debt at
 * permanent disability (loans/disability.h) on the compiled-in parameters,
 * with exact øre from the agency's own tables:
 *
 *  - 2020: forskrift om tilbakebetaling av utdanningslån 2020 § 13-1,
 *    https://lanekassen.no/nb-NO/Toppmeny/Forskrifter/tilbakebetaling-2020/tredje-delen-sletting-av-gjeld/sletting-av-gjeld-for-lantakarar-som-er-ufore/rett-til-sletting-av-gjeld-for-lantakarar-som-far-uforetrygd/
 *    and "Inntektsgrenser for tidligere år",
 *    https://www.lanekassen.no/nn-NO/gjeld-og-betaling/ufor/inntektsgrenser-for-tidligere-ar/
 *    whole write-off at 330 520 kr or less; bands 330 521-366 926 (new debt
 *    66 798, term 713), 366 927-402 194 (77 900, 856), 402 195-439 412
 *    (89 163, 1 009), 439 413-476 580 (100 265, 1 150); +15 561 kr a child.
 *  - 2024: "Når du er ufør", https://lanekassen.no/nn-NO/gjeld-og-betaling/ufor/
 *    at most 548 362 kr, +17 904 kr a child; 50 %, or 40 % with AAP. The
 *    page's 2024 table is not held: the rule names the missing figure.
 *
 * The figures are typed here from the pages, never read from the code
 * under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/date.h"
#include "core/err.h"
#include "loans/disability.h"
#include "rules/params.h"

#define KR(x) ((int64_t)(x)*100)

static struct params *p;

static struct loans_disability_assessment assess(int y, int degree, int aap, int64_t income, int children)
{
	struct loans_disability_assessment a;
	struct err e;
	err_clear(&e);
	assert_int_equal(loans_disability_assess(p, date_from_ymd(y, 3, 1), degree, aap, income, children, &a, &e), 0);
	return a;
}

/* 2020 (forskrift 2020 § 13-1): at the lower limit the whole debt goes;
 * one krone over, the first band. */
static void whole_write_off_at_the_lower_limit_2020(void **state)
{
	(void)state;
	struct loans_disability_assessment a = assess(2020, 60, 0, KR(330520), 0);
	assert_int_equal(a.outcome, LOANS_DISABILITY_WHOLE);
	assert_int_equal(a.new_debt, 0);
	assert_int_equal(a.whole_limit, KR(330520));
	a = assess(2020, 60, 0, KR(330521), 0);
	assert_int_equal(a.outcome, LOANS_DISABILITY_PARTIAL);
	assert_int_equal(a.band, 1);
	assert_int_equal(a.new_debt, KR(66798));
	assert_int_equal(a.new_term, KR(713));
	/* Øre count: 330 520,01 kr is over the limit. */
	a = assess(2020, 60, 0, KR(330520) + 1, 0);
	assert_int_equal(a.outcome, LOANS_DISABILITY_PARTIAL);
}

/* 2020's table: just under and just over each band's upper limit. */
static void each_band_of_2020_from_just_under_to_just_over(void **state)
{
	(void)state;
	static const struct {
		int64_t to, debt, term;
	} bands[] = {{KR(366926), KR(66798), KR(713)},
		     {KR(402194), KR(77900), KR(856)},
		     {KR(439412), KR(89163), KR(1009)},
		     {KR(476580), KR(100265), KR(1150)}};
	for (int i = 0; i < 4; i++) {
		struct loans_disability_assessment a = assess(2020, 100, 0, bands[i].to, 0);
		assert_int_equal(a.outcome, LOANS_DISABILITY_PARTIAL);
		assert_int_equal(a.band, i + 1);
		assert_int_equal(a.new_debt, bands[i].debt);
		assert_int_equal(a.new_term, bands[i].term);
		assert_int_equal(a.band_to, bands[i].to);
		a = assess(2020, 100, 0, bands[i].to + KR(1), 0);
		if (i < 3) {
			assert_int_equal(a.outcome, LOANS_DISABILITY_PARTIAL);
			assert_int_equal(a.band, i + 2);
			assert_int_equal(a.band_from, bands[i].to + KR(1));
			assert_int_equal(a.new_debt, bands[i + 1].debt);
		} else {
			/* Over 476 580 kr: refused. */
			assert_int_equal(a.outcome, LOANS_DISABILITY_REFUSED_INCOME);
			assert_int_equal(a.income_limit, KR(476580));
		}
	}
}

/* A child raises every limit of the table by 15 561 kr (2020). */
static void a_child_raises_every_limit_2020(void **state)
{
	(void)state;
	struct loans_disability_assessment a = assess(2020, 50, 0, KR(330520 + 15561), 1);
	assert_int_equal(a.outcome, LOANS_DISABILITY_WHOLE);
	a = assess(2020, 50, 0, KR(330520 + 15561) + 1, 1);
	assert_int_equal(a.outcome, LOANS_DISABILITY_PARTIAL);
	assert_int_equal(a.band, 1);
	a = assess(2020, 50, 0, KR(476580 + 2 * 15561), 2);
	assert_int_equal(a.outcome, LOANS_DISABILITY_PARTIAL);
	assert_int_equal(a.band, 4);
	assert_int_equal(a.new_debt, KR(100265));
	a = assess(2020, 50, 0, KR(476580 + 2 * 15561) + 1, 2);
	assert_int_equal(a.outcome, LOANS_DISABILITY_REFUSED_INCOME);
	assert_int_equal(a.income_limit, KR(476580 + 2 * 15561));
}

/* 2024 ("Når du er ufør"): 548 362 kr and less is within the limit, one
 * øre more is refused; a child adds 17 904 kr. */
static void income_limit_2024_with_and_without_a_child(void **state)
{
	(void)state;
	struct loans_disability_assessment a = assess(2024, 50, 0, KR(548362), 0);
	assert_int_not_equal(a.outcome, LOANS_DISABILITY_REFUSED_INCOME);
	assert_int_equal(a.income_limit, KR(548362));
	a = assess(2024, 50, 0, KR(548362) + 1, 0);
	assert_int_equal(a.outcome, LOANS_DISABILITY_REFUSED_INCOME);
	a = assess(2024, 50, 0, KR(548362 + 17904), 1);
	assert_int_not_equal(a.outcome, LOANS_DISABILITY_REFUSED_INCOME);
	assert_int_equal(a.income_limit, KR(566266));
	a = assess(2024, 50, 0, KR(566266) + 1, 1);
	assert_int_equal(a.outcome, LOANS_DISABILITY_REFUSED_INCOME);
}

/* 2024's table of bands is not on the pages held: within the limit, the
 * rule names the missing figure and leaves the new debt to the case
 * worker; it invents none. */
static void missing_2024_table_is_named_not_invented(void **state)
{
	(void)state;
	struct loans_disability_assessment a = assess(2024, 80, 0, KR(400000), 0);
	assert_int_equal(a.outcome, LOANS_DISABILITY_MANUAL);
	assert_string_equal(a.missing, "loan.disability.whole_limit 2024");
	assert_int_equal(a.new_debt, 0);
	assert_non_null(strstr(a.trace, "missing: loan.disability.whole_limit 2024"));
	/* A year with no figures at all (2022): nothing is decided by rule. */
	a = assess(2022, 80, 0, KR(100000), 0);
	assert_int_equal(a.outcome, LOANS_DISABILITY_MANUAL);
	assert_non_null(strstr(a.missing, "2022"));
}

/* 45 % disabled: enough with AAP right up to the decision (40 %), not
 * without it (50 %), in 2020 and in 2024. */
static void forty_five_percent_with_and_without_aap(void **state)
{
	(void)state;
	struct loans_disability_assessment a = assess(2020, 45, 1, KR(300000), 0);
	assert_int_equal(a.outcome, LOANS_DISABILITY_WHOLE);
	assert_int_equal(a.degree_min, 40);
	a = assess(2020, 45, 0, KR(300000), 0);
	assert_int_equal(a.outcome, LOANS_DISABILITY_REFUSED_DEGREE);
	assert_int_equal(a.degree_min, 50);
	a = assess(2024, 45, 1, KR(300000), 0);
	assert_int_not_equal(a.outcome, LOANS_DISABILITY_REFUSED_DEGREE);
	a = assess(2024, 45, 0, KR(300000), 0);
	assert_int_equal(a.outcome, LOANS_DISABILITY_REFUSED_DEGREE);
	/* 40 % with AAP is enough; 39 % is not. */
	assert_int_equal(assess(2024, 40, 1, KR(300000), 0).outcome == LOANS_DISABILITY_REFUSED_DEGREE, 0);
	assert_int_equal(assess(2024, 39, 1, KR(300000), 0).outcome, LOANS_DISABILITY_REFUSED_DEGREE);
}

/* The trace names each parameter used, with the year. */
static void trace_names_the_parameters_and_the_band(void **state)
{
	(void)state;
	struct loans_disability_assessment a = assess(2020, 70, 0, KR(420000), 0);
	assert_int_equal(a.band, 3);
	assert_non_null(strstr(a.trace, "loan.disability.degree_min 2020: 50 %"));
	assert_non_null(strstr(a.trace, "loan.disability.income_limit 2020: 47658000"));
	assert_non_null(strstr(a.trace, "loan.disability.whole_limit 2020: 33052000"));
	assert_non_null(strstr(a.trace, "loan.disability.band.3 2020: 40219500..43941200 øre: new debt 8916300, new term 100900"));
}

static void bad_input_is_refused_with_the_field(void **state)
{
	(void)state;
	struct loans_disability_assessment a;
	struct err e;
	err_clear(&e);
	assert_int_equal(loans_disability_assess(p, date_from_ymd(2020, 1, 1), 101, 0, 0, 0, &a, &e), -1);
	assert_string_equal(e.field, "degree");
	err_clear(&e);
	assert_int_equal(loans_disability_assess(p, date_from_ymd(2020, 1, 1), 50, 0, -1, 0, &a, &e), -1);
	assert_string_equal(e.field, "income");
	err_clear(&e);
	assert_int_equal(loans_disability_assess(p, date_from_ymd(2020, 1, 1), 50, 0, 0, 31, &a, &e), -1);
	assert_string_equal(e.field, "children");
}

/* The figures are of calendar years: they do not make the set cover a
 * school year it otherwise does not (2020-2021 has no support rules). */
static void disability_figures_do_not_cover_a_school_year(void **state)
{
	(void)state;
	assert_int_equal(params_covers(p, date_from_ymd(2020, 8, 1)), 0);
	assert_non_null(params_get(p, "loan.disability.income_limit", date_from_ymd(2020, 8, 1)));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct err e;
	err_clear(&e);
	p = params_load_builtin(&e);
	if (p == NULL) {
		fprintf(stderr, "params_load_builtin: %s\n", e.message);
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(whole_write_off_at_the_lower_limit_2020),
	    cmocka_unit_test(each_band_of_2020_from_just_under_to_just_over),
	    cmocka_unit_test(a_child_raises_every_limit_2020),
	    cmocka_unit_test(income_limit_2024_with_and_without_a_child),
	    cmocka_unit_test(missing_2024_table_is_named_not_invented),
	    cmocka_unit_test(forty_five_percent_with_and_without_aap),
	    cmocka_unit_test(trace_names_the_parameters_and_the_band),
	    cmocka_unit_test(bad_input_is_refused_with_the_field),
	    cmocka_unit_test(disability_figures_do_not_cover_a_school_year),
	};
	int rc = cmocka_run_group_tests_name("loans_disability", tests, NULL, NULL);
	params_free(p);
	return rc;
}
