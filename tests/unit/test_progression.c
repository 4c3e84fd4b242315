/* test_progression.c - #9: an application's progression filled from the
 * agency's own decisions (the credits supported) and the schools' reported
 * credits (the credits passed), through cases_submit() with a gathering
 * that reports the credits as the schools register's facts do
 * (cases/progression.c). The page "Forsinkelse i utdanningen": a full-time
 * year is 60 credits; what counts is the semesters with loan and grant
 * against the credits passed since support was first given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cases/cases.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/nin.h"
#include "rules/params.h"
#include "store/store.h"
#include "testdb.h"

struct fixture {
	struct testdb db;
	struct params *p;
	struct cases_env env;
	int64_t person_id;
	const char *credits; /* the schools' "semesters" as JSON, or NULL: no schools' report */
	int conflict;        /* the registers contradict each other: the decision is manual */
};

/* The registers' part: the schools' credits, as facts.c records them. */
static int gather(void *ctx, const struct person *who, json_t *application, char **facts_json, const char **waiting_for,
                  struct err *e)
{
	struct fixture *f = ctx;
	(void)who;
	(void)waiting_for;
	(void)e;
	json_object_set_new(json_object_get(application, "applicant"), "income", json_integer(0));
	if (f->conflict)
		json_object_set_new(application, "conflicting_facts", json_true());
	char buf[1024];
	if (f->credits != NULL)
		snprintf(buf, sizeof(buf), "{\"credits\":{\"semesters\":%s,\"source\":{\"register\":\"schools\"}}}",
		         f->credits);
	else
		snprintf(buf, sizeof(buf), "{}");
	*facts_json = strdup(buf);
	return 0;
}

static int add_person(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixture *f = arg;
	char nin[12];
	int individual = 500;
	while (nin_make(date_from_ymd(2001, 5, 17), individual, 1, nin) != 0)
		individual++;
	struct person p = {0,      nin, "Kari", "Nordmann", date_from_ymd(2001, 5, 17), "Storgata 1", "0150",
	                   "Oslo", 0,   NULL,   NULL};
	return store_person_insert(tx, &p, &f->person_id, e);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (i18n_init(&e) != 0 || testdb_open(&f->db, "progression") != 0)
		return -1;
	f->p = params_load_builtin(&e);
	if (f->p == NULL || store_write(f->db.s, add_person, f, &e) != 0)
		return -1;
	f->env = (struct cases_env){f->db.s, f->p, gather, f, NULL};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	testdb_close(&f->db);
	params_free(f->p);
	free(f);
	return 0;
}

/* A student's application for the school year starting in year, with the
 * education's period and load. */
static json_t *student(int year, const char *start, const char *end, int load)
{
	char sy[16], dd[16];
	snprintf(sy, sizeof(sy), "%d-%d", year, year + 1);
	snprintf(dd, sizeof(dd), "%d-07-01", year);
	return json_pack("{s:s,s:s,s:s,s:{s:s,s:b},s:{s:s,s:i,s:s,s:s},s:{s:i}}", "scheme", "higher-education",
	                 "school_year", sy, "decision_date", dd, "applicant", "birth_date", "2001-05-17",
	                 "lives_with_parents", 0, "education", "level", "higher", "load_percent", load, "start", start,
	                 "end", end, "loan", "months_requested", 11);
}

/* Submit app (taking it) and return the decision's JSON (in a). */
static json_t *submit(struct fixture *f, json_t *app)
{
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct case_rec c;
	struct arena a;
	struct err e;
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	json_decref(app);
	arena_init(&a, 0);
	assert_int_equal(store_case_get(f->db.s, out.case_id, &c, &a, &e), 0);
	json_t *d = json_loads(c.decision_json, 0, NULL);
	arena_cleanup(&a);
	assert_non_null(d);
	return d;
}

/* The trace step of rule, or NULL. */
static json_t *step(json_t *d, const char *rule)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(d, "trace"), i, s)
	{
		if (strcmp(json_string_value(json_object_get(s, "rule")), rule) == 0)
			return s;
	}
	return NULL;
}

static double input(json_t *s, const char *key)
{
	return json_number_value(json_object_get(json_object_get(s, "inputs"), key));
}

static void a_spring_term_at_half_load_counts_15_credits_against_what_was_passed_since(void **state)
{
	struct fixture *f = *state;
	f->credits = "[{\"semester\":\"2023-autumn\",\"credits\":30},{\"semester\":\"2024-spring\",\"credits\":7.5},"
	             "{\"semester\":\"2024-autumn\",\"credits\":30}]";
	json_t *d = submit(f, student(2023, "2024-01-05", "2024-06-15", 50));
	assert_non_null(json_object_get(d, "awards"));
	assert_null(step(d, "progression.delay")); /* never supported before */
	json_decref(d);
	d = submit(f, student(2024, "2024-08-15", "2025-06-15", 100));
	json_t *s = step(d, "progression.delay");
	assert_non_null(s);
	/* One semester at half load: 15 supported. The autumn of 2023 lies in
	 * the year supported (2023-2024) and counts; the autumn of 2024 is in
	 * the year applied for and does not. */
	assert_true(input(s, "credits_supported") == 15.0);
	assert_true(input(s, "credits_passed") == 37.5);
	assert_true(input(s, "delay") == 0.0);
	json_decref(d);
}

static void semesters_before_the_first_year_supported_do_not_count(void **state)
{
	struct fixture *f = *state;
	f->credits = "[{\"semester\":\"2022-autumn\",\"credits\":30},{\"semester\":\"2023-spring\",\"credits\":30},"
	             "{\"semester\":\"2023-autumn\",\"credits\":0},{\"semester\":\"2024-spring\",\"credits\":0}]";
	json_decref(submit(f, student(2023, "2023-08-15", "2024-06-15", 100)));
	json_t *d = submit(f, student(2024, "2024-08-15", "2025-06-15", 100));
	json_t *s = step(d, "progression.delay");
	assert_true(input(s, "credits_supported") == 60.0);
	assert_true(input(s, "credits_passed") == 0.0);
	/* 60 behind is still within the limit. */
	assert_true(json_is_true(json_object_get(s, "value")));
	json_decref(d);
}

static void a_year_not_decided_by_the_rules_is_no_year_supported(void **state)
{
	struct fixture *f = *state;
	f->credits = "[]";
	f->conflict = 1;
	json_t *d = submit(f, student(2023, "2023-08-15", "2024-06-15", 100));
	assert_string_equal(json_string_value(json_object_get(d, "outcome")), "manual");
	json_decref(d);
	f->conflict = 0;
	d = submit(f, student(2024, "2024-08-15", "2025-06-15", 100));
	assert_null(step(d, "progression.delay"));
	json_decref(d);
}

static void without_the_schools_report_nothing_is_filled(void **state)
{
	struct fixture *f = *state;
	f->credits = NULL;
	json_decref(submit(f, student(2023, "2023-08-15", "2024-06-15", 100)));
	json_t *d = submit(f, student(2024, "2024-08-15", "2025-06-15", 100));
	assert_null(step(d, "progression.delay"));
	json_decref(d);
}

static void the_persons_own_progression_is_kept(void **state)
{
	struct fixture *f = *state;
	f->credits = "[{\"semester\":\"2023-autumn\",\"credits\":30},{\"semester\":\"2024-spring\",\"credits\":30}]";
	json_decref(submit(f, student(2023, "2023-08-15", "2024-06-15", 100)));
	json_t *app = student(2024, "2024-08-15", "2025-06-15", 100);
	json_object_set_new(
	    app, "progression",
	    json_pack("{s:i,s:i,s:b}", "credits_supported", 180, "credits_passed", 110, "delay_reason", 1));
	json_t *d = submit(f, app);
	json_t *s = step(d, "progression.delay");
	assert_true(input(s, "credits_supported") == 180.0);
	assert_true(input(s, "credits_passed") == 110.0);
	assert_string_equal(json_string_value(json_object_get(d, "outcome")), "manual"); /* delay-reason */
	json_decref(d);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(a_spring_term_at_half_load_counts_15_credits_against_what_was_passed_since,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(semesters_before_the_first_year_supported_do_not_count, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_year_not_decided_by_the_rules_is_no_year_supported, setup, teardown),
	    cmocka_unit_test_setup_teardown(without_the_schools_report_nothing_is_filled, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_persons_own_progression_is_kept, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
