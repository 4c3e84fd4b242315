/* test_apply_grants.c - #9: the sickness and parental grants built from the
 * application form's answers. The one builder (cases/application.c) makes
 * the contract's application that the rules read and decide; each answer
 * the form cannot take is named by the contract's path, with the reason a
 * message can name ("before-start", "outside-year", "in-future"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cases/application.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "rules/params.h"
#include "rules/rules.h"

static struct cases_answers sickness(void)
{
	struct cases_answers a;
	memset(&a, 0, sizeof(a));
	a.grant = CASES_GRANT_SICKNESS;
	a.school_year = "2024-2025";
	a.decision_date = date_from_ymd(2025, 1, 10);
	a.birth_date = date_from_ymd(2002, 3, 4);
	a.sick_from = date_from_ymd(2024, 9, 2);
	a.sick_to = date_from_ymd(2024, 11, 30);
	a.percent_unable = 100;
	a.doctor_confirmed = 1;
	a.applied_before_ill = 1;
	a.work_assessment_allowance = 0;
	return a;
}

static struct cases_answers parental(void)
{
	struct cases_answers a;
	memset(&a, 0, sizeof(a));
	a.grant = CASES_GRANT_PARENTAL;
	a.school_year = "2024-2025";
	a.decision_date = date_from_ymd(2025, 2, 1);
	a.birth_date = date_from_ymd(2000, 6, 1);
	a.child_date = date_from_ymd(2025, 1, 10);
	a.months_in_education_before = 10;
	a.lives_with_child = 1;
	a.partner_benefit_percent = 0;
	a.leave_documented = 1;
	return a;
}

/* Build, parse and decide a's application: the decision's manual reason
 * codes joined by ",", or the outcome's name when there are none. */
static const char *decided(const struct cases_answers *a, char *out, size_t n)
{
	struct err e;
	struct arena ar;
	struct application app;
	struct decision *d = calloc(1, sizeof(*d));
	struct params *p = params_load_builtin(&e);
	assert_non_null(p);
	json_t *j = cases_application_build(a, &e);
	assert_non_null(j);
	arena_init(&ar, 0);
	assert_int_equal(rules_parse_application(j, &app, &ar, &e), 0);
	assert_int_equal(rules_decide(&app, p, d, &e), 0);
	out[0] = '\0';
	for (int i = 0; i < d->n_reasons; i++)
		snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", d->reasons[i].code);
	if (d->n_reasons == 0)
		snprintf(out, n, "%s", rules_outcome_name(d->outcome));
	arena_cleanup(&ar);
	json_decref(j);
	params_free(p);
	free(d);
	return out;
}

static void the_sickness_answers_make_the_contracts_application(void **state)
{
	(void)state;
	struct err e;
	struct cases_answers a = sickness();
	json_t *app = cases_application_build(&a, &e);
	assert_non_null(app);
	assert_string_equal(json_string_value(json_object_get(app, "scheme")), "sickness-grant");
	assert_null(json_object_get(app, "education"));
	assert_null(json_object_get(app, "loan"));
	char *s = json_dumps(json_object_get(app, "sickness"), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"applied_before_ill\":true,\"doctor_confirmed\":true,\"from\":\"2024-09-02\","
	                       "\"percent_unable\":100,\"to\":\"2024-11-30\",\"work_assessment_allowance\":false}");
	free(s);
	json_decref(app);
	assert_string_equal(cases_answers_scheme(&a), "sickness-grant");
}

static void
an_entitled_sickness_grant_goes_to_a_person_for_the_amount_and_one_without_a_doctor_for_documentation(void **state)
{
	(void)state;
	char buf[128];
	struct cases_answers a = sickness();
	assert_string_equal(decided(&a, buf, sizeof(buf)), "sickness-grant-amount");
	a.doctor_confirmed = 0;
	assert_string_equal(decided(&a, buf, sizeof(buf)), "sickness-documentation-missing");
	/* Fourteen days of illness give nothing (the grant runs from day 15). */
	a = sickness();
	a.sick_to = a.sick_from + 13;
	assert_string_equal(decided(&a, buf, sizeof(buf)), "rejected");
	a.sick_to = a.sick_from + 14;
	assert_string_equal(decided(&a, buf, sizeof(buf)), "sickness-grant-amount");
}

static void each_bad_sickness_answer_is_named_by_its_path(void **state)
{
	(void)state;
	struct cases_problems p;
	struct cases_answers a = sickness();
	assert_int_equal(cases_answers_check(&a, &p), 0);
	a.percent_unable = 101;
	a.doctor_confirmed = -1;
	a.sick_to = a.sick_from - 1;
	assert_int_equal(cases_answers_check(&a, &p), 3);
	assert_string_equal(cases_problem_at(&p, "sickness.to")->reason, "before-start");
	assert_string_equal(cases_problem_at(&p, "sickness.percent_unable")->reason, "invalid");
	assert_non_null(cases_problem_at(&p, "sickness.doctor_confirmed"));
	a = sickness();
	a.sick_from = date_from_ymd(2024, 7, 31); /* the day before the school year */
	assert_int_equal(cases_answers_check(&a, &p), 1);
	assert_string_equal(cases_problem_at(&p, "sickness.from")->reason, "outside-year");
	a = sickness();
	a.sick_to = date_from_ymd(2025, 8, 1);
	assert_int_equal(cases_answers_check(&a, &p), 1);
	assert_string_equal(cases_problem_at(&p, "sickness.to")->reason, "outside-year");
	a.sick_to = date_from_ymd(2025, 7, 31); /* the school year's last day is in it */
	assert_int_equal(cases_answers_check(&a, &p), 0);
	a.sick_from = CASES_DATE_INVALID;
	a.applied_before_ill = -1;
	a.work_assessment_allowance = 2;
	assert_int_equal(cases_answers_check(&a, &p), 3);
	struct err e;
	assert_null(cases_application_build(&a, &e));
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "sickness.from");
}

static void a_parental_grant_is_built_and_decided_and_its_bad_answers_named(void **state)
{
	(void)state;
	char buf[128];
	struct cases_problems p;
	struct cases_answers a = parental();
	assert_string_equal(cases_answers_scheme(&a), "parental-grant");
	assert_string_equal(decided(&a, buf, sizeof(buf)), "parental-grant-amount");
	a.leave_documented = 0;
	assert_string_equal(decided(&a, buf, sizeof(buf)), "parental-leave-documentation-missing");
	/* A partner on full parental benefit: no grant. */
	a = parental();
	a.partner_benefit_percent = 100;
	assert_string_equal(decided(&a, buf, sizeof(buf)), "rejected");
	a = parental();
	a.child_date = a.decision_date; /* the day of the birth is not after it */
	assert_int_equal(cases_answers_check(&a, &p), 0);
	a.child_date = a.decision_date + 1;
	a.months_in_education_before = -1;
	a.partner_benefit_percent = 101;
	a.lives_with_child = -1;
	assert_int_equal(cases_answers_check(&a, &p), 4);
	assert_string_equal(cases_problem_at(&p, "parental.child_date")->reason, "in-future");
	assert_non_null(cases_problem_at(&p, "parental.months_in_education_before"));
	assert_non_null(cases_problem_at(&p, "parental.partner_benefit_percent"));
	assert_non_null(cases_problem_at(&p, "parental.lives_with_child"));
	assert_null(cases_problem_at(&p, "parental.leave_documented"));
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
	    cmocka_unit_test(the_sickness_answers_make_the_contracts_application),
	    cmocka_unit_test(
	        an_entitled_sickness_grant_goes_to_a_person_for_the_amount_and_one_without_a_doctor_for_documentation),
	    cmocka_unit_test(each_bad_sickness_answer_is_named_by_its_path),
	    cmocka_unit_test(a_parental_grant_is_built_and_decided_and_its_bad_answers_named),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
