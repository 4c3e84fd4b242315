/* test_convert_semesters.c - #11, conversion to grant by calendar year:
 * the rule pack's semester mode (struct application's conv_*), through
 * rules/rules.h, with the compiled-in parameters.
 *
 * The figures are worked out by hand from params/no: the basic loan of
 * 2024-2025 is 151 690 kr over 11 months, 13 790 kr a month; 40 % of it
 * can be converted; 2024's income limits are 214 213 kr (support all
 * year) and 535 532 kr (support in seven months or fewer), 2025's are not
 * held; the reduction is 5 % of the income over the limit for each month
 * of support. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "rules/params.h"
#include "rules/rules.h"

static struct params *builtin;

static int group_setup(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	if (i18n_init(&e) != 0 || (builtin = params_load_builtin(&e)) == NULL) {
		fprintf(stderr, "setup: %s\n", e.message);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	params_free(builtin);
	return 0;
}

/* A full-time school year 2024-2025 from 15 August to 15 June (11 months),
 * living away from the parents, with income (øre) and no wealth. */
static const char APP[] = "{\"scheme\": \"higher-education\", \"school_year\": \"2024-2025\", \"decision_date\": "
			  "\"2024-07-01\", \"applicant\": {\"birth_date\": \"2002-05-17\", \"lives_with_parents\": "
			  "false, \"married\": false, \"children\": [], \"income\": %lld, \"wealth\": 0}, "
			  "\"education\": {\"level\": \"higher\", \"load_percent\": 100, \"start\": \"2024-08-15\", "
			  "\"end\": \"2025-06-15\"}, \"loan\": {\"months_requested\": 11}}";

struct run {
	struct arena a;
	struct application app;
	struct decision d;
	struct err e;
};

/* Decide the application for a semester (0: the whole year as an
 * application is decided) against income_year, with other months of
 * support in that year. Returns the basic loan's award. */
static const struct award *decide(struct run *r, long long income, int semester, int income_year, int other)
{
	char text[1024];
	snprintf(text, sizeof(text), APP, income);
	json_error_t je;
	json_t *in = json_loads(text, 0, &je);
	assert_non_null(in);
	arena_init(&r->a, 0);
	err_clear(&r->e);
	assert_int_equal(rules_parse_application(in, &r->app, &r->a, &r->e), 0);
	json_decref(in);
	r->app.conv_semester = semester;
	r->app.conv_income_year = income_year;
	r->app.conv_other_months = other;
	assert_int_equal(rules_decide(&r->app, builtin, &r->d, &r->e), 0);
	return rules_award(&r->d, "basic-loan");
}

/* The trace step of a rule, or NULL. */
static const struct trace_step *step(const struct decision *d, const char *rule)
{
	for (int i = 0; i < d->n_steps; i++)
		if (strcmp(d->steps[i].rule, rule) == 0)
			return &d->steps[i];
	return NULL;
}

static int64_t input(const struct trace_step *s, const char *name)
{
	for (int i = 0; i < s->n_inputs; i++)
		if (strcmp(s->inputs[i].name, name) == 0)
			return s->inputs[i].i;
	fail_msg("no input %s in %s", name, s->rule);
	return -1;
}

static void semester_months_follow_the_awards_months_from_the_first(void **state)
{
	(void)state;
	int au, sp;
	date_t y23 = date_from_ymd(2023, 8, 1);
	/* 11 months from August: 5 in the autumn, 6 (June too) in the spring. */
	rules_semester_months(date_from_ymd(2023, 8, 15), y23, 11, &au, &sp);
	assert_int_equal(au, 5);
	assert_int_equal(sp, 6);
	/* 10 (no June): 5 and 5. */
	rules_semester_months(date_from_ymd(2023, 8, 15), y23, 10, &au, &sp);
	assert_int_equal(au, 5);
	assert_int_equal(sp, 5);
	/* From October: 3 in the autumn. */
	rules_semester_months(date_from_ymd(2023, 10, 1), y23, 9, &au, &sp);
	assert_int_equal(au, 3);
	assert_int_equal(sp, 6);
	/* A spring-only education: nothing in the autumn. */
	rules_semester_months(date_from_ymd(2024, 1, 6), y23, 5, &au, &sp);
	assert_int_equal(au, 0);
	assert_int_equal(sp, 5);
	/* An autumn-only one: nothing in the spring. */
	rules_semester_months(date_from_ymd(2023, 8, 20), y23, 4, &au, &sp);
	assert_int_equal(au, 4);
	assert_int_equal(sp, 0);
	/* A start before the school year counts from 1 August, as the rules'
	 * months do. */
	rules_semester_months(date_from_ymd(2023, 6, 1), y23, 11, &au, &sp);
	assert_int_equal(au, 5);
	assert_int_equal(sp, 6);
}

static void the_whole_year_is_decided_as_before(void **state)
{
	(void)state;
	struct run r;
	const struct award *a = decide(&r, 0, 0, 0, 0);
	assert_non_null(a);
	assert_int_equal(a->amount, 15169000);
	assert_int_equal(a->convertible, 6067600); /* 40 % */
	arena_cleanup(&r.a);
}

static void the_autumn_over_the_full_year_limit_with_11_months_in_the_year(void **state)
{
	(void)state;
	struct run r;
	/* 2024: 216 213 kr, 2 000 kr over 214 213 kr; 5 months of the autumn
	 * and 6 of the spring of 2023-2024 in the year: the full-year limit.
	 * 5 x 13 790 kr x 40 % = 27 580 kr, less 5 % of 2 000 kr x 5 months. */
	const struct award *a = decide(&r, 21621300, CONV_AUTUMN, 2024, 6);
	assert_non_null(a);
	assert_int_equal(a->convertible, 2758000 - 50000);
	const struct trace_step *inc = step(&r.d, "conversion.income");
	assert_non_null(inc);
	assert_int_equal(input(inc, "months"), 11);
	assert_int_equal(input(inc, "limit"), 21421300);
	const struct trace_step *c = step(&r.d, "basic-loan.convertible");
	assert_int_equal(input(c, "months"), 5);
	assert_int_equal(input(c, "income_year"), 2024);
	assert_int_equal(input(c, "amount"), 6895000);
	arena_cleanup(&r.a);
}

static void the_autumn_alone_in_its_year_has_the_higher_limit(void **state)
{
	(void)state;
	struct run r;
	/* Only 5 months of support in 2024: the limit for seven months or
	 * fewer, 535 532 kr: 216 213 kr is under it. */
	const struct award *a = decide(&r, 21621300, CONV_AUTUMN, 2024, 0);
	assert_int_equal(a->convertible, 2758000);
	assert_int_equal(input(step(&r.d, "conversion.income"), "limit"), 53553200);
	arena_cleanup(&r.a);
	/* 1 000 kr over it: 5 % of 1 000 kr for each of the 5 months. */
	a = decide(&r, 53653200, CONV_AUTUMN, 2024, 0);
	assert_int_equal(a->convertible, 2758000 - 25000);
	arena_cleanup(&r.a);
}

static void the_spring_against_a_year_whose_limits_are_not_held_goes_to_a_person(void **state)
{
	(void)state;
	struct run r;
	/* The spring of 2024-2025 lies in 2025, whose limits the parameters
	 * do not hold: nothing guessed. */
	const struct award *a = decide(&r, 10000000, CONV_SPRING, 2025, 5);
	assert_int_equal(r.d.outcome, OUTCOME_MANUAL);
	assert_true(a == NULL || a->convertible < 0);
	assert_true(r.d.n_reasons > 0);
	assert_string_equal(r.d.reasons[0].code, "parameter-not-in-force");
	arena_cleanup(&r.a);
	/* Without income no limit is read: 6 x 13 790 kr x 40 %. */
	a = decide(&r, 0, CONV_SPRING, 2025, 5);
	assert_non_null(a);
	assert_int_equal(a->convertible, 3309600);
	arena_cleanup(&r.a);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(semester_months_follow_the_awards_months_from_the_first),
	    cmocka_unit_test(the_whole_year_is_decided_as_before),
	    cmocka_unit_test(the_autumn_over_the_full_year_limit_with_11_months_in_the_year),
	    cmocka_unit_test(the_autumn_alone_in_its_year_has_the_higher_limit),
	    cmocka_unit_test(the_spring_against_a_year_whose_limits_are_not_held_goes_to_a_person),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
