/* test_access.c - the one authorisation policy (src/access/policy.c) and
 * its gate: every action has a name of its own, who holds which relation,
 * an action about a person is never allowed without the person, and the
 * gate audits a refusal exactly once and looks like a missing thing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "access/access.h"
#include "core/arena.h"
#include "core/err.h"
#include "testdb.h"

static const struct principal kari = {ROLE_PERSON, 7, 0, 0, 0, GRANT_SELF};
static const struct principal anon = {ROLE_ANONYMOUS, 0, 0, 0, 0, GRANT_SELF};
static const struct principal per = {ROLE_CASEWORKER, 0, 3, 0, 0, GRANT_STAFF};
static const struct principal sara = {ROLE_CASEWORKER, 0, 4, 1, 0, GRANT_STAFF};

static void every_action_has_a_name_of_its_own(void **state)
{
	(void)state;
	for (int i = 0; i < ACT_N; i++) {
		const char *name = access_action_name((enum action)i);
		assert_non_null(name);
		assert_string_not_equal(name, "unknown");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(name, access_action_name((enum action)j));
	}
	assert_string_equal(access_action_name(ACT_N), "unknown");
}

static void a_person_acts_on_their_own_things_only(void **state)
{
	(void)state;
	assert_true(access_allowed(&kari, ACT_CASE_READ, 7));
	assert_true(access_allowed(&kari, ACT_LETTER_READ, 7));
	assert_true(access_allowed(&kari, ACT_PREFERENCES_WRITE, 7));
	assert_false(access_allowed(&kari, ACT_CASE_READ, 8));
	assert_false(access_allowed(&kari, ACT_LETTER_READ, 8));
	assert_false(access_allowed(&kari, ACT_QUEUE_READ, 0));
	assert_false(access_allowed(&kari, ACT_CASE_EXAMINE, 7));
	assert_false(access_allowed(&kari, ACT_STATS_READ, 0));
	/* Acting for someone else needs a grant the policy knows. */
	struct principal for_other = kari;
	for_other.acting_for = 8;
	assert_false(access_allowed(&for_other, ACT_CASE_READ, 8));
	assert_false(access_allowed(&for_other, ACT_CASE_READ, 7));
	assert_int_equal(access_subject(&for_other), 8);
	assert_int_equal(access_subject(&kari), 7);
	assert_int_equal(access_subject(&per), 0);
}

static void an_anonymous_visitor_may_do_only_what_is_public(void **state)
{
	(void)state;
	assert_true(access_allowed(&anon, ACT_PUBLIC, 0));
	for (int i = 1; i < ACT_N; i++) {
		assert_false(access_allowed(&anon, (enum action)i, 0));
		assert_false(access_allowed(&anon, (enum action)i, 7));
	}
}

static void case_workers_work_cases_but_never_act_as_the_person(void **state)
{
	(void)state;
	assert_true(access_allowed(&per, ACT_QUEUE_READ, 0));
	assert_true(access_allowed(&per, ACT_CASE_EXAMINE, 7));
	assert_true(access_allowed(&per, ACT_CASE_DECIDE, 7));
	assert_true(access_allowed(&per, ACT_MESSAGE_ANSWER, 7));
	assert_true(access_allowed(&per, ACT_DOCUMENT_READ, 7));
	assert_false(access_allowed(&per, ACT_APPLY, 7));
	assert_false(access_allowed(&per, ACT_LETTER_READ, 7));
	assert_false(access_allowed(&per, ACT_MESSAGE_WRITE, 7));
	assert_false(access_allowed(&per, ACT_DOCUMENT_UPLOAD, 7));
	assert_false(access_allowed(&per, ACT_PREFERENCES_WRITE, 7));
	/* The confidential address: its owner and the authorised only. */
	assert_false(access_allowed(&per, ACT_SEE_CONFIDENTIAL_ADDRESS, 7));
	assert_true(access_allowed(&sara, ACT_SEE_CONFIDENTIAL_ADDRESS, 7));
	assert_true(access_allowed(&kari, ACT_SEE_CONFIDENTIAL_ADDRESS, 7));
	assert_false(access_allowed(&kari, ACT_SEE_CONFIDENTIAL_ADDRESS, 8));
}

static void an_action_about_a_person_needs_the_person(void **state)
{
	(void)state;
	for (int i = 1; i < ACT_N; i++) {
		if (!access_action_about_person((enum action)i))
			continue;
		assert_false(access_allowed(&per, (enum action)i, 0));
		assert_false(access_allowed(&sara, (enum action)i, 0));
		assert_false(access_allowed(&kari, (enum action)i, 0));
	}
}

struct count {
	const char *action;
	int n;
};

static int count_action(const struct audit_rec *r, void *arg)
{
	struct count *c = arg;
	if (strcmp(r->action, c->action) == 0)
		c->n++;
	return 0;
}

static void the_gate_audits_a_refusal_once_and_hides_the_thing(void **state)
{
	(void)state;
	struct testdb t;
	struct err e;
	assert_int_equal(testdb_open(&t, "access"), 0);
	assert_int_equal(access_check(t.s, &kari, ACT_CASE_READ, 7, "case:1", "case", 100, &e), 0);
	assert_int_equal(access_check(t.s, &kari, ACT_CASE_READ, 8, "case:2", "case", 100, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_string_equal(e.message, "no such case");
	assert_int_equal(access_check(t.s, &kari, ACT_QUEUE_READ, 0, NULL, NULL, 100, &e), -1);
	assert_int_equal(e.code, ERR_FORBIDDEN);
	struct count denied = {"case.read.denied", 0}, queue = {"queue.read.denied", 0}, read = {"case.read", 0};
	assert_int_equal(store_audit_each(t.s, count_action, &denied, &e), 0);
	assert_int_equal(store_audit_each(t.s, count_action, &queue, &e), 0);
	assert_int_equal(store_audit_each(t.s, count_action, &read, &e), 0);
	assert_int_equal(denied.n, 1);
	assert_int_equal(queue.n, 1);
	assert_int_equal(read.n, 0); /* the gate audits refusals; readings are the domain's */
	testdb_close(&t);
}

static void the_policy_as_json_lists_every_action(void **state)
{
	(void)state;
	json_t *p = access_policy_json();
	assert_int_equal(json_array_size(json_object_get(p, "actions")), ACT_N);
	json_t *first = json_array_get(json_object_get(p, "actions"), ACT_STATS_READ);
	assert_string_equal(json_string_value(json_object_get(first, "name")), "stats.read");
	json_decref(p);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_action_has_a_name_of_its_own),
	    cmocka_unit_test(a_person_acts_on_their_own_things_only),
	    cmocka_unit_test(an_anonymous_visitor_may_do_only_what_is_public),
	    cmocka_unit_test(case_workers_work_cases_but_never_act_as_the_person),
	    cmocka_unit_test(an_action_about_a_person_needs_the_person),
	    cmocka_unit_test(the_gate_audits_a_refusal_once_and_hides_the_thing),
	    cmocka_unit_test(the_policy_as_json_lists_every_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
