/* test_apply.c - unit tests of applying right (#15): Norwegian time for
 * every date and time shown, and the place of study an application names.
 *
 * The instants of the changes to and from summer time are worked out by
 * hand from the EU rule (01:00 UTC on the last Sunday of March and of
 * October): in 2024 on 31 March and 27 October, in 2026 on 29 March and 25
 * October. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cases/application.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"

static int64_t at(const char *iso)
{
	int64_t t;
	assert_int_equal(date_parse_timestamp(iso, &t), 0);
	return t;
}

static void oslo_is_one_hour_ahead_in_winter_and_two_in_summer_changing_at_0100_utc(void **state)
{
	(void)state;
	assert_int_equal(date_oslo_offset(at("2024-01-15T12:00:00Z")), 3600);
	assert_int_equal(date_oslo_offset(at("2024-07-15T12:00:00Z")), 7200);
	assert_int_equal(date_oslo_offset(at("2024-03-31T00:59:59Z")), 3600);
	assert_int_equal(date_oslo_offset(at("2024-03-31T01:00:00Z")), 7200);
	assert_int_equal(date_oslo_offset(at("2024-10-27T00:59:59Z")), 7200);
	assert_int_equal(date_oslo_offset(at("2024-10-27T01:00:00Z")), 3600);
	assert_int_equal(date_oslo_offset(at("2026-03-29T01:00:00Z")), 7200);
	assert_int_equal(date_oslo_offset(at("2026-03-28T01:00:00Z")), 3600);
	assert_int_equal(date_oslo_offset(at("2026-10-25T00:30:00Z")), 7200);
	assert_int_equal(date_oslo_offset(at("2026-10-25T01:30:00Z")), 3600);
}

static void an_instant_late_in_the_evening_utc_is_the_next_day_in_oslo(void **state)
{
	(void)state;
	char day[11];
	assert_string_equal(date_format(date_oslo_day(at("2024-12-31T23:30:00Z")), day), "2025-01-01");
	assert_string_equal(date_format(date_oslo_day(at("2024-06-30T22:30:00Z")), day), "2024-07-01");
	assert_string_equal(date_format(date_oslo_day(at("2024-06-30T21:30:00Z")), day), "2024-06-30");
}

static void an_instant_is_shown_as_the_clock_in_norway_reads_in_each_language(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 256);
	assert_int_equal(i18n_put_date(&b, LANG_NB, "2026-12-04T19:15:56Z"), 0);
	assert_string_equal(buf_str(&b), "04.12.2026 kl. 20.15");
	buf_reset(&b);
	i18n_put_date(&b, LANG_EN, "2026-12-04T19:15:56Z");
	assert_string_equal(buf_str(&b), "4 December 2026, 20:15");
	/* Across the change to summer time: a second apart, an hour more. */
	buf_reset(&b);
	i18n_put_date(&b, LANG_NB, "2024-03-31T00:59:59Z");
	assert_string_equal(buf_str(&b), "31.03.2024 kl. 01.59");
	buf_reset(&b);
	i18n_put_date(&b, LANG_NB, "2024-03-31T01:00:00Z");
	assert_string_equal(buf_str(&b), "31.03.2024 kl. 03.00");
	/* A day stays a day. */
	buf_reset(&b);
	i18n_put_date(&b, LANG_NB, "2024-08-15");
	assert_string_equal(buf_str(&b), "15.08.2024");
	buf_cleanup(&b);
}

static struct cases_answers answers(void)
{
	struct cases_answers a;
	memset(&a, 0, sizeof(a));
	a.school_year = "2024-2025";
	a.decision_date = date_from_ymd(2024, 7, 1);
	a.birth_date = date_from_ymd(2004, 5, 17);
	a.lives_with_parents = 0;
	a.load_percent = 100;
	a.start = date_from_ymd(2024, 8, 15);
	a.end = date_from_ymd(2025, 6, 15);
	a.with_loan = 1;
	a.months_requested = 11;
	a.with_place = 1;
	a.institution = "Universitetet i Oslo";
	a.programme = "Bachelor i informatikk";
	return a;
}

static void an_application_without_a_place_of_study_is_refused_by_its_field(void **state)
{
	(void)state;
	struct cases_problems p;
	struct cases_answers a = answers();
	assert_int_equal(cases_answers_check(&a, &p), 0);
	a.institution = "";
	a.programme = NULL;
	assert_int_equal(cases_answers_check(&a, &p), 2);
	assert_non_null(cases_problem_at(&p, "education.institution"));
	assert_non_null(cases_problem_at(&p, "education.programme"));
}

static void the_place_of_study_is_carried_in_the_application(void **state)
{
	(void)state;
	struct err e;
	struct cases_answers a = answers();
	json_t *app = cases_application_build(&a, &e);
	assert_non_null(app);
	json_t *ed = json_object_get(app, "education");
	assert_string_equal(json_string_value(json_object_get(ed, "institution")), "Universitetet i Oslo");
	assert_string_equal(json_string_value(json_object_get(ed, "programme")), "Bachelor i informatikk");
	json_decref(app);
}

static int setup(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	return i18n_init(&e) == 0 ? 0 : -1;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(oslo_is_one_hour_ahead_in_winter_and_two_in_summer_changing_at_0100_utc),
	    cmocka_unit_test(an_instant_late_in_the_evening_utc_is_the_next_day_in_oslo),
	    cmocka_unit_test(an_instant_is_shown_as_the_clock_in_norway_reads_in_each_language),
	    cmocka_unit_test(an_application_without_a_place_of_study_is_refused_by_its_field),
	    cmocka_unit_test(the_place_of_study_is_carried_in_the_application),
	};
	return cmocka_run_group_tests_name("apply", tests, setup, NULL);
}
