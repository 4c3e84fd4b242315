/* test_loan_relief.c - #11 (helper A): payment deferral and interest relief
 * built from the "Min gjeld" forms' answers and the agency's loan facts.
 * The one builder (cases/application.c, cases/loan_relief.c) makes the
 * contract's application the rules read and decide; the months beyond the
 * parameters' per-application maximum and a ground the rule pack does not
 * know are named by their contract paths. The agency's facts come from its
 * ledger (store_loan_relief_facts()): the debt on the day, the deferred
 * months less those with relief, the relief months on low income from
 * full-time work, and none of an application's own months. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "cases/application.h"
#include "cases/loan_relief.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "rules/params.h"
#include "rules/rules.h"
#include "store/loan_relief.h"
#include "store/store.h"
#include "tests/unit/testdb.h"

static struct cases_answers deferral(void)
{
	struct cases_answers a;
	memset(&a, 0, sizeof(a));
	a.grant = CASES_GRANT_DEFERRAL;
	a.school_year = "2024-2025";
	a.decision_date = date_from_ymd(2025, 3, 10);
	a.birth_date = date_from_ymd(1990, 4, 4);
	a.loan_months = 3;
	a.loan_months_max = 6;
	a.loan_balance = 10000000;
	a.deferrals_used = 0;
	return a;
}

static struct cases_answers relief(void)
{
	struct cases_answers a = deferral();
	a.grant = CASES_GRANT_RELIEF;
	a.decision_date = date_from_ymd(2024, 9, 2);
	a.loan_months = 2;
	a.loan_months_max = CASES_RELIEF_MAX_MONTHS;
	a.relief_ground = "unemployment";
	return a;
}

/* Build, parse and decide a's application into *d (the caller frees). */
static void decide(const struct cases_answers *a, struct decision *d, json_t **app)
{
	struct err e;
	struct arena ar;
	struct application parsed;
	struct params *p = params_load_builtin(&e);
	assert_non_null(p);
	*app = cases_application_build(a, &e);
	assert_non_null(*app);
	arena_init(&ar, 0);
	assert_int_equal(rules_parse_application(*app, &parsed, &ar, &e), 0);
	assert_int_equal(rules_decide(&parsed, p, d, &e), 0);
	arena_cleanup(&ar);
	params_free(p);
}

static void a_deferral_is_built_with_the_agencys_facts_and_granted_for_its_months(void **state)
{
	(void)state;
	struct decision *d = calloc(1, sizeof(*d));
	json_t *app;
	struct cases_answers a = deferral();
	assert_string_equal(cases_answers_scheme(&a), "payment-deferral");
	decide(&a, d, &app);
	char *s = json_dumps(json_object_get(app, "loan"), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"balance\":10000000,\"deferrals_used\":0,\"months_requested\":3,\"relief_months_used\":0}");
	free(s);
	assert_null(json_object_get(app, "relief_ground"));
	assert_null(json_object_get(app, "education"));
	assert_string_equal(rules_outcome_name(d->outcome), "granted");
	assert_int_equal(d->n_awards, 1);
	assert_int_equal(d->awards[0].months, 3);
	json_decref(app);
	/* 34 of the 36 used: two are left, partly granted. */
	a.deferrals_used = 34;
	decide(&a, d, &app);
	assert_string_equal(rules_outcome_name(d->outcome), "partly-granted");
	assert_int_equal(d->awards[0].months, 2);
	json_decref(app);
	free(d);
}

static void interest_relief_carries_its_ground_and_is_decided_on_the_income(void **state)
{
	(void)state;
	struct decision *d = calloc(1, sizeof(*d));
	json_t *app;
	struct cases_answers a = relief();
	assert_string_equal(cases_answers_scheme(&a), "interest-relief");
	decide(&a, d, &app);
	assert_string_equal(json_string_value(json_object_get(app, "relief_ground")), "unemployment");
	/* No income given: within every limit, the months asked for. */
	assert_string_equal(rules_outcome_name(d->outcome), "granted");
	assert_int_equal(d->awards[0].months, 2);
	json_decref(app);
	free(d);
}

static void the_months_beyond_the_maximum_and_an_unknown_ground_are_named(void **state)
{
	(void)state;
	struct cases_problems p;
	struct cases_answers a = deferral();
	assert_int_equal(cases_answers_check(&a, &p), 0);
	a.loan_months = 7;
	assert_int_equal(cases_answers_check(&a, &p), 1);
	assert_string_equal(cases_problem_at(&p, "loan.months_requested")->reason, "invalid");
	a.loan_months = 0;
	assert_int_equal(cases_answers_check(&a, &p), 1);
	a.loan_months = -1; /* not a number */
	assert_int_equal(cases_answers_check(&a, &p), 1);
	a = relief();
	a.relief_ground = "holiday";
	a.loan_months = 13;
	assert_int_equal(cases_answers_check(&a, &p), 2);
	assert_non_null(cases_problem_at(&p, "relief_ground"));
	assert_non_null(cases_problem_at(&p, "loan.months_requested"));
	a.relief_ground = NULL;
	a.loan_months = 12;
	assert_int_equal(cases_answers_check(&a, &p), 1);
	struct err e;
	assert_null(cases_application_build(&a, &e));
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "relief_ground");
	for (const char *const *g = cases_relief_grounds; *g; g++)
		assert_true(cases_relief_ground_ok(*g));
	assert_false(cases_relief_ground_ok(""));
}

static void the_school_year_and_the_maximum_come_from_the_day_and_the_parameters(void **state)
{
	(void)state;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	/* 31 July and 1 August 2025, noon UTC. */
	assert_string_equal(cases_loan_school_year(1753963200, &a), "2024-2025");
	assert_string_equal(cases_loan_school_year(1754049600, &a), "2025-2026");
	arena_cleanup(&a);
	struct params *p = params_load_builtin(&e);
	assert_non_null(p);
	assert_int_equal(cases_loan_months_max(p, CASES_GRANT_DEFERRAL, date_from_ymd(2025, 3, 10)), 6);
	/* After the parameters end, the last value in force. */
	assert_int_equal(cases_loan_months_max(p, CASES_GRANT_DEFERRAL, date_from_ymd(2027, 3, 10)), 6);
	assert_int_equal(cases_loan_months_max(p, CASES_GRANT_DEFERRAL, date_from_ymd(1990, 1, 1)), 0);
	assert_int_equal(cases_loan_months_max(p, CASES_GRANT_RELIEF, date_from_ymd(2025, 3, 10)), 12);
	params_free(p);
}

/* ---- the agency's facts from the ledger ---- */

static int add_person(struct store_tx *tx, void *arg, struct err *e)
{
	struct person p = {0, "17050400500", "Kari", "Nordmann", date_from_ymd(1990, 5, 17), "Storgata 1", "0150", "Oslo",
			   0, NULL, NULL};
	return store_person_insert(tx, &p, arg, e);
}

static void sql(const struct testdb *db, const char *q)
{
	sqlite3 *c;
	char *msg = NULL;
	assert_int_equal(sqlite3_open(db->path, &c), SQLITE_OK);
	int rc = sqlite3_exec(c, q, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", q, msg ? msg : "");
	sqlite3_free(msg);
	sqlite3_close(c);
	assert_int_equal(rc, SQLITE_OK);
}

static void the_ledger_gives_the_debt_and_the_months_used_without_an_applications_own(void **state)
{
	(void)state;
	struct testdb db;
	struct err e;
	struct store_loan_relief_facts f;
	int64_t person = 0;
	char q[2048];
	assert_int_equal(testdb_open(&db, "loan_relief"), 0);
	assert_int_equal(store_write(db.s, add_person, &person, &e), 0);
	/* No account: nothing to defer. */
	assert_int_equal(store_loan_relief_facts(db.s, person, date_from_ymd(2025, 3, 10), NULL, &f, &e), 1);
	assert_int_equal(f.balance, 0);
	snprintf(q, sizeof(q),
		 "INSERT INTO loan_accounts(person_id, kid, updated_at) VALUES (%1$lld, '1000000024', 0);"
		 "INSERT INTO ledger_entries(id, person_id, kind, cause, effective) VALUES (1, %1$lld, 'disbursement', 'p', '2023-08-15');"
		 "INSERT INTO ledger_legs(entry_id, account, person_id, effective, amount) VALUES "
		 "(1, 'loan.principal', %1$lld, '2023-08-15', 10000000), (1, 'agency.bank', NULL, '2023-08-15', -10000000);"
		 "INSERT INTO ledger_entries(id, person_id, kind, cause, effective) VALUES (2, %1$lld, 'interest', 'i', '2025-04-30');"
		 "INSERT INTO ledger_legs(entry_id, account, person_id, effective, amount) VALUES "
		 "(2, 'loan.interest', %1$lld, '2025-04-30', 30000), (2, 'agency.interest-income', NULL, '2025-04-30', -30000);"
		 /* A low-income relief case (decision 1) and a deferral case applied for on 10 March 2025 (decision 2). */
		 "INSERT INTO cases(id, person_id, scheme, school_year, status, outcome, received_at, application_json) VALUES "
		 "(1, %1$lld, 'interest-relief', '2024-2025', 'decided', 'granted', 0, "
		 "'{\"relief_ground\":\"low-income-full-time\",\"decision_date\":\"2024-09-02\"}'),"
		 "(2, %1$lld, 'payment-deferral', '2024-2025', 'decided', 'granted', 0, '{\"decision_date\":\"2025-03-10\"}');"
		 "INSERT INTO decisions(id, case_id, decided_at, outcome, decision_json) VALUES "
		 "(1, 1, 0, 'granted', '{}'), (2, 2, 0, 'granted', '{}');"
		 /* Deferred Jan-Mar 2024 by another decision (February also relieved), Oct 2024 by relief
		  * only, and Mar-Apr 2025 by case 2. */
		 "INSERT INTO loan_months(person_id, month, kind, cause, created_at) VALUES "
		 "(%1$lld, '2024-01', 'deferral', 'decision:99', 0), (%1$lld, '2024-02', 'deferral', 'decision:99', 0),"
		 "(%1$lld, '2024-03', 'deferral', 'decision:99', 0), (%1$lld, '2024-02', 'relief', 'decision:1', 0),"
		 "(%1$lld, '2024-10', 'relief', 'decision:1', 0), (%1$lld, '2024-11', 'relief', 'decision:98', 0),"
		 "(%1$lld, '2025-03', 'deferral', 'decision:2', 0), (%1$lld, '2025-04', 'deferral', 'decision:2', 0);",
		 (long long)person);
	sql(&db, q);
	assert_int_equal(store_loan_relief_facts(db.s, person, date_from_ymd(2025, 3, 10), NULL, &f, &e), 0);
	assert_int_equal(f.balance, 10000000); /* the interest of 30 April is later */
	assert_int_equal(f.deferral_months, 4); /* Jan, Mar 2024 and Mar, Apr 2025: February had relief */
	assert_int_equal(f.relief_months, 3);
	assert_int_equal(f.low_income_months, 2); /* decision 1's */
	/* Deciding case 2 again: its own months are not used. */
	assert_int_equal(store_loan_relief_facts(db.s, person, date_from_ymd(2025, 3, 10), "payment-deferral", &f, &e), 0);
	assert_int_equal(f.deferral_months, 2);
	assert_int_equal(f.low_income_months, 2);
	/* Another day, or another scheme: they count. */
	assert_int_equal(store_loan_relief_facts(db.s, person, date_from_ymd(2025, 5, 1), "payment-deferral", &f, &e), 0);
	assert_int_equal(f.balance, 10030000);
	assert_int_equal(f.deferral_months, 4);
	assert_int_equal(store_loan_relief_facts(db.s, person, date_from_ymd(2024, 9, 2), "interest-relief", &f, &e), 0);
	assert_int_equal(f.relief_months, 1);
	assert_int_equal(f.low_income_months, 0);
	testdb_close(&db);
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
	    cmocka_unit_test(a_deferral_is_built_with_the_agencys_facts_and_granted_for_its_months),
	    cmocka_unit_test(interest_relief_carries_its_ground_and_is_decided_on_the_income),
	    cmocka_unit_test(the_months_beyond_the_maximum_and_an_unknown_ground_are_named),
	    cmocka_unit_test(the_school_year_and_the_maximum_come_from_the_day_and_the_parameters),
	    cmocka_unit_test(the_ledger_gives_the_debt_and_the_months_used_without_an_applications_own),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
