/* test_cases.c - the case life cycle: an application whose facts come in
 * time is decided at once; one whose register does not answer waits,
 * durably, with a job that decides it when the register answers; deciding
 * is idempotent, so a job run twice issues one decision and one letter; a
 * changed fact has the case decided again (the new decision supersedes the
 * old, both kept), but never a case worker's decision. The one application
 * builder gives the form, the calculator and the intake the same
 * application for the same answers; the application form and its
 * submission go through the gate; the intake engine stores each line of a
 * file once, however often it runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "cases/application.h"
#include "cases/cases.h"
#include "cases/casework.h"
#include "cases/intake.h"
#include "cases/jobs.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/nin.h"
#include "rules/params.h"
#include "rules/rules.h"
#include "store/store.h"
#include "testdb.h"

struct fixture {
	struct testdb db;
	struct store *s;
	struct params *p;
	struct cases_env env;
	int register_down; /* the gather function's register does not answer */
	int gathered;
	int64_t person_id;
	int load_percent; /* the study load the school reports (0: as applied) */
	int conflict;     /* the registers contradict each other */
};

/* The registers' part in these tests: the tax register gives the income. */
static int fake_gather(void *ctx, const struct person *who, json_t *application, char **facts_json,
		       const char **waiting_for, struct err *e)
{
	struct fixture *f = ctx;
	(void)who;
	if (f->register_down) {
		*waiting_for = "tax";
		return err_set(e, ERR_IO, NULL, "the tax register did not answer");
	}
	f->gathered++;
	json_object_set_new(json_object_get(application, "applicant"), "income", json_integer(0));
	if (f->load_percent)
		json_object_set_new(json_object_get(application, "education"), "load_percent",
				    json_integer(f->load_percent));
	if (f->conflict)
		json_object_set_new(application, "conflicting_facts", json_true());
	*facts_json = strdup("{\"income\":{\"source\":\"tax\"}}");
	return 0;
}

static int add_person(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixture *f = arg;
	char nin[12];
	int individual = 500;
	while (nin_make(date_from_ymd(2004, 5, 17), individual, 1, nin) != 0)
		individual++;
	struct person p = {0, nin, "Kari", "Nordmann", date_from_ymd(2004, 5, 17), "Storgata 1", "0150", "Oslo", 0, NULL, NULL};
	return store_person_insert(tx, &p, &f->person_id, e);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (i18n_init(&e) != 0 || testdb_open(&f->db, "cases") != 0)
		return -1;
	f->s = f->db.s;
	f->p = params_load_builtin(&e);
	if (f->p == NULL || store_write(f->s, add_person, f, &e) != 0)
		return -1;
	f->env = (struct cases_env){f->s, f->p, fake_gather, f, NULL};
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

static json_t *application(void)
{
	return json_pack("{s:s,s:s,s:s,s:{s:s,s:b},s:{s:s,s:i,s:s,s:s}}", "scheme", "higher-education", "school_year",
			 "2024-2025", "decision_date", "2024-07-01", "applicant", "birth_date", "2004-05-17",
			 "lives_with_parents", 0, "education", "level", "higher", "load_percent", 100, "start",
			 "2024-08-15", "end", "2025-06-15");
}

static int letters_of(struct fixture *f)
{
	struct arena a;
	struct letter *l;
	struct err e;
	arena_init(&a, 0);
	int n = store_letters_of_person(f->s, f->person_id, &l, NULL, &a, &e);
	arena_cleanup(&a);
	return n;
}

static void facts_in_time_give_the_instant_decision(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct err e;
	json_t *app = application();
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	json_decref(app);
	assert_string_equal(out.outcome, "granted");
	assert_null(out.waiting_for);
	assert_true(out.letter_id > 0);
	struct arena a;
	struct case_rec c;
	arena_init(&a, 0);
	assert_int_equal(store_case_get(f->s, out.case_id, &c, &a, &e), 0);
	assert_string_equal(c.status, "decided");
	assert_non_null(strstr(c.facts_json, "\"tax\""));
	arena_cleanup(&a);
}

static int add_older_pupil(struct store_tx *tx, void *arg, struct err *e)
{
	int64_t *id = arg;
	char nin[12];
	int individual = 500;
	while (nin_make(date_from_ymd(2003, 3, 3), individual, 1, nin) != 0)
		individual++;
	struct person p = {0, nin, "Ola", "Nordmann", date_from_ymd(2003, 3, 3), "Storgata 2", "0150", "Oslo", 0, NULL, NULL};
	return store_person_insert(tx, &p, id, e);
}

/* A pupil living away, 55 km from school, in school_year. */
static json_t *pupil_away(const char *school_year, const char *start, const char *end)
{
	return json_pack("{s:s,s:s,s:s,s:{s:s,s:b},s:{s:s,s:i,s:s,s:s},s:{s:f,s:i,s:f}}", "scheme", "upper-secondary",
			 "school_year", school_year, "decision_date", start, "applicant", "birth_date", "2003-03-03",
			 "lives_with_parents", 0, "education", "level", "upper-secondary", "load_percent", 100, "start",
			 start, "end", end, "travel", "distance_km", 55.0, "daily_travel_minutes", 120, "walking_km", 0.0);
}

/* A pupil of 20 in 2023 who had the boarding grant in 2023-2024 turns 21 in
 * 2024: the agency's own records put them in the transition scheme, so
 * 2024-2025 is decided under the rules for ordinary upper secondary school
 * again (the boarding grant), not under those for higher education. */
static void the_agencys_records_keep_a_pupil_in_the_transition_scheme(void **state)
{
	struct fixture *f = *state;
	int64_t pid = 0;
	struct err e;
	assert_int_equal(store_write(f->s, add_older_pupil, &pid, &e), 0);
	struct principal who = {ROLE_PERSON, pid};
	struct submitted out;
	json_t *app = pupil_away("2023-2024", "2023-08-21", "2024-06-20");
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	json_decref(app);
	assert_string_equal(out.outcome, "granted");
	app = pupil_away("2024-2025", "2024-08-19", "2025-06-20");
	assert_int_equal(cases_submit(&f->env, &who, app, 2000, &out, &e), 0);
	json_decref(app);
	struct arena a;
	struct case_rec c;
	arena_init(&a, 0);
	assert_int_equal(store_case_get(f->s, out.case_id, &c, &a, &e), 0);
	assert_non_null(strstr(c.decision_json, "\"boarding-grant\""));
	assert_null(strstr(c.decision_json, "\"basic-loan\""));
	assert_non_null(strstr(c.decision_json, "\"youth.transition\""));
	arena_cleanup(&a);
}

static void case_waits_for_a_silent_register_and_is_decided_when_it_answers(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct err e;
	struct arena a;
	struct case_rec c;
	int ran;
	arena_init(&a, 0);
	f->register_down = 1;
	json_t *app = application();
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	json_decref(app);
	assert_null(out.outcome);
	assert_string_equal(out.waiting_for, "tax");
	assert_int_equal(store_case_get(f->s, out.case_id, &c, &a, &e), 0);
	assert_string_equal(c.status, "collecting-facts");
	assert_string_equal(c.waiting_for, "tax");
	assert_null(c.decision_json);
	assert_int_equal(letters_of(f), 0);

	/* The register is still down: the job fails and comes back later. */
	assert_int_equal(jobs_run_due(f->s, cases_job_kinds, &f->env, NULL, 1000, 10, &ran, &e), 0);
	assert_int_equal(ran, 1);
	assert_int_equal(letters_of(f), 0);

	/* It answers: the job decides the case and issues the letter. */
	f->register_down = 0;
	assert_int_equal(jobs_run_due(f->s, cases_job_kinds, &f->env, NULL, 1001, 10, &ran, &e), 0);
	assert_int_equal(ran, 1);
	arena_reset(&a);
	assert_int_equal(store_case_get(f->s, out.case_id, &c, &a, &e), 0);
	assert_string_equal(c.status, "decided");
	assert_string_equal(c.outcome, "granted");
	assert_null(c.waiting_for);
	assert_non_null(strstr(c.decision_json, "15169000"));
	assert_int_equal(letters_of(f), 1);
	int64_t done = 0;
	assert_int_equal(store_jobs_count(f->s, "done", &done, NULL, &e), 0);
	assert_int_equal(done, 1);

	char object[32];
	struct audit_rec *recs;
	snprintf(object, sizeof(object), "case:%lld", (long long)out.case_id);
	int n = store_audit_of(f->s, object, &recs, &a, &e);
	assert_int_equal(n, 3);
	assert_string_equal(recs[0].action, "case.received");
	assert_string_equal(recs[1].action, "case.collecting-facts");
	assert_string_equal(recs[2].action, "case.decided");
	arena_cleanup(&a);
}

static void deciding_twice_issues_one_decision_and_one_letter(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct err e;
	int ran;
	f->register_down = 1;
	json_t *app = application();
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	json_decref(app);
	f->register_down = 0;
	assert_int_equal(jobs_run_due(f->s, cases_job_kinds, &f->env, NULL, 1000, 10, &ran, &e), 0);
	assert_int_equal(letters_of(f), 1);
	/* The same job run again, as a worker whose lease ran out while its
	 * commit was already on disk would run it. */
	struct job_rec j;
	struct arena a;
	arena_init(&a, 0);
	const struct job_kind *k = &cases_job_kinds[0];
	assert_int_equal(store_job_get(f->s, 1, &j, &a, &e), 0);
	assert_int_equal(k->run(f->s, &j, 2000, &f->env, &e), 0);
	assert_int_equal(letters_of(f), 1);
	struct case_rec *decisions;
	assert_int_equal(store_decisions_of_case(f->s, out.case_id, &decisions, &a, &e), 1);
	arena_cleanup(&a);
}

static void invalid_application_stores_nothing(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct err e;
	int64_t cases = -1;
	json_t *app = application();
	json_object_set_new(json_object_get(app, "education"), "load_percent", json_integer(150));
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), -1);
	json_decref(app);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "education.load_percent");
	assert_int_equal(store_case_count(f->s, &cases, &e), 0);
	assert_int_equal(cases, 0);
	assert_int_equal(f->gathered, 0); /* not even the registers were asked */
}

struct queue {
	int64_t case_id, now;
};

static int queue_redecide(struct store_tx *tx, void *arg, struct err *e)
{
	struct queue *q = arg;
	return cases_redecide(tx, q->case_id, q->now, "system", "test", e);
}

static int decisions_of(struct fixture *f, int64_t case_id)
{
	struct arena a;
	struct case_rec *d;
	struct err e;
	arena_init(&a, 0);
	int n = store_decisions_of_case(f->s, case_id, &d, &a, &e);
	arena_cleanup(&a);
	return n;
}

static int audited(struct fixture *f, int64_t case_id, const char *action)
{
	struct arena a;
	struct audit_rec *r;
	struct err e;
	char object[32];
	arena_init(&a, 0);
	snprintf(object, sizeof(object), "case:%lld", (long long)case_id);
	int n = store_audit_of(f->s, object, &r, &a, &e), found = 0;
	for (int i = 0; i < n; i++)
		found += strcmp(r[i].action, action) == 0;
	arena_cleanup(&a);
	return found;
}

static void a_changed_fact_gives_a_new_decision_that_supersedes_the_old(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct err e;
	int ran;
	json_t *app = application();
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	json_decref(app);
	assert_string_equal(out.outcome, "granted");
	/* The school reports half the load. */
	f->load_percent = 50;
	struct queue q = {out.case_id, 2000};
	assert_int_equal(store_write(f->s, queue_redecide, &q, &e), 0);
	/* One job: each decision also queues the payout room's background job
	 * (#10, migration 0019), claimed after this one and not this test's. */
	assert_int_equal(jobs_run_due(f->s, cases_job_kinds, &f->env, NULL, 2000, 1, &ran, &e), 0);
	assert_int_equal(ran, 1);
	assert_int_equal(decisions_of(f, out.case_id), 2);
	assert_int_equal(letters_of(f), 2);
	assert_int_equal(audited(f, out.case_id, "case.redecided"), 1);
	/* Asked again with the same facts: the decision stands, no letter. */
	assert_int_equal(store_write(f->s, queue_redecide, &q, &e), 0);
	assert_int_equal(jobs_run_due(f->s, cases_job_kinds, &f->env, NULL, 3000, 1, &ran, &e), 0);
	assert_int_equal(ran, 1);
	assert_int_equal(decisions_of(f, out.case_id), 2);
	assert_int_equal(letters_of(f), 2);
	assert_int_equal(audited(f, out.case_id, "case.rechecked"), 1);
}

static void a_case_workers_decision_is_never_overturned_by_the_rules(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct principal worker = {ROLE_CASEWORKER, 0, 7, 0};
	struct submitted out;
	struct err e;
	int ran;
	f->conflict = 1;
	json_t *app = application();
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	json_decref(app);
	assert_string_equal(out.outcome, "manual");
	struct casework_decision_form d = {"rejected", NULL, 0, 0, "Opplysningene strider mot hverandre."};
	assert_int_equal(cases_decide_by_caseworker(&f->env, &worker, out.case_id, &d, 1500, NULL, NULL, &e), 0);
	/* The contradiction is cleared up in the registers afterwards. */
	f->conflict = 0;
	struct queue q = {out.case_id, 2000};
	assert_int_equal(store_write(f->s, queue_redecide, &q, &e), 0);
	/* One job: each decision also queues the payout room's background job
	 * (#10, migration 0019), claimed after this one and not this test's. */
	assert_int_equal(jobs_run_due(f->s, cases_job_kinds, &f->env, NULL, 2000, 1, &ran, &e), 0);
	assert_int_equal(decisions_of(f, out.case_id), 2);
	assert_int_equal(audited(f, out.case_id, "case.redecide.skipped"), 1);
	struct case_rec c;
	struct arena a;
	arena_init(&a, 0);
	assert_int_equal(store_case_get(f->s, out.case_id, &c, &a, &e), 0);
	assert_string_equal(c.outcome, "rejected");
	arena_cleanup(&a);
}

static void a_manual_case_whose_facts_are_cleared_up_is_decided_by_the_rules(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct err e;
	int ran;
	f->conflict = 1;
	json_t *app = application();
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	json_decref(app);
	assert_string_equal(out.outcome, "manual");
	f->conflict = 0;
	struct queue q = {out.case_id, 2000};
	assert_int_equal(store_write(f->s, queue_redecide, &q, &e), 0);
	/* One job: each decision also queues the payout room's background job
	 * (#10, migration 0019), claimed after this one and not this test's. */
	assert_int_equal(jobs_run_due(f->s, cases_job_kinds, &f->env, NULL, 2000, 1, &ran, &e), 0);
	struct case_rec c;
	struct arena a;
	arena_init(&a, 0);
	assert_int_equal(store_case_get(f->s, out.case_id, &c, &a, &e), 0);
	assert_string_equal(c.status, "decided");
	assert_string_equal(c.outcome, "granted");
	arena_cleanup(&a);
	assert_int_equal(letters_of(f), 2);
}

static int add_staff(struct store_tx *tx, void *arg, struct err *e)
{
	struct staff st = {0, "sara.berg", "Sara Berg", "caseworker", 0};
	return store_staff_insert(tx, &st, arg, e);
}

/* A case the rules sent to a case worker (the registers contradict each
 * other), for the case worker's tests. */
static int64_t manual_case(struct fixture *f)
{
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct err e;
	f->conflict = 1;
	json_t *app = application();
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	json_decref(app);
	assert_string_equal(out.outcome, "manual");
	f->conflict = 0;
	return out.case_id;
}

static void a_case_worker_decides_through_the_gate_once(void **state)
{
	struct fixture *f = *state;
	struct principal person = {ROLE_PERSON, f->person_id};
	struct principal worker = {ROLE_CASEWORKER, 0, 7, 0};
	struct casework_errors x;
	struct err e;
	int64_t id = manual_case(f), letter = 0;
	int letters = letters_of(f);
	const char *keep[] = {"basic-loan"};
	struct casework_decision_form good = {"granted", keep, 1, 0, "Opplysningene er kontrollert og stemmer."};

	/* The person is refused by the gate, audited, before the form is
	 * looked at: a refusal reveals nothing, not even a 422. */
	struct casework_decision_form empty = {NULL, NULL, 0, 0, NULL};
	assert_int_equal(cases_decide_by_caseworker(&f->env, &person, id, &empty, 1500, NULL, &x, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(x.n, 0);
	assert_int_equal(audited(f, id, "case.decide.denied"), 1);
	/* A missing case looks the same, and is audited alike. */
	assert_int_equal(cases_decide_by_caseworker(&f->env, &worker, 999999, &good, 1500, NULL, &x, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audited(f, 999999, "case.decide.denied"), 1);

	/* Every field's error at once, the first named; nothing stored. */
	assert_int_equal(cases_decide_by_caseworker(&f->env, &worker, id, &empty, 1500, NULL, &x, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "outcome");
	assert_int_equal(x.n, 2);
	assert_string_equal(x.outcome, "required");
	assert_string_equal(x.justification, "length");
	struct casework_decision_form nothing = {"granted", NULL, 0, 0, "Opplysningene er kontrollert og stemmer."};
	assert_int_equal(cases_decide_by_caseworker(&f->env, &worker, id, &nothing, 1500, NULL, &x, &e), -1);
	assert_string_equal(x.outcome, "no-awards");
	assert_null(x.justification);
	struct casework_decision_form short_text = {"rejected", NULL, 0, 0, "Nei."};
	assert_int_equal(cases_decide_by_caseworker(&f->env, &worker, id, &short_text, 1500, NULL, &x, &e), -1);
	assert_string_equal(e.field, "justification");
	assert_int_equal(decisions_of(f, id), 1);
	assert_int_equal(letters_of(f), letters);

	/* Decided: the case worker's step ends the trace, with the
	 * justification; the rules' decision is kept under it. */
	assert_int_equal(cases_decide_by_caseworker(&f->env, &worker, id, &good, 1500, &letter, &x, &e), 0);
	assert_true(letter > 0);
	assert_int_equal(decisions_of(f, id), 2);
	assert_int_equal(letters_of(f), letters + 1);
	assert_int_equal(audited(f, id, "case.decided-by-caseworker"), 1);
	struct case_rec c;
	struct arena a;
	arena_init(&a, 0);
	assert_int_equal(store_case_get(f->s, id, &c, &a, &e), 0);
	assert_string_equal(c.status, "decided");
	assert_string_equal(c.outcome, "granted");
	json_t *d = json_loads(c.decision_json, 0, NULL);
	json_t *trace = json_object_get(d, "trace");
	json_t *last = json_array_get(trace, json_array_size(trace) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "rule")), "caseworker.decision");
	assert_string_equal(json_string_value(json_object_get(json_object_get(last, "inputs"), "justification")),
			    good.justification);
	assert_int_equal(json_array_size(json_object_get(d, "manual_reasons")), 0);
	assert_int_equal(json_array_size(json_object_get(d, "awards")), 1);
	json_decref(d);
	arena_cleanup(&a);

	/* Once: a second case worker meets a conflict, changing nothing. */
	assert_int_equal(cases_decide_by_caseworker(&f->env, &worker, id, &good, 1600, NULL, &x, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(decisions_of(f, id), 2);
}

static void a_request_for_documentation_checks_text_and_deadline(void **state)
{
	struct fixture *f = *state;
	struct principal person = {ROLE_PERSON, f->person_id};
	struct casework_errors x;
	struct err e;
	int64_t staff_id = 0;
	assert_int_equal(store_write(f->s, add_staff, &staff_id, &e), 0);
	struct principal worker = {ROLE_CASEWORKER, 0, staff_id, 0};
	int64_t id = manual_case(f);
	int64_t now = (int64_t)date_from_ymd(2025, 1, 10) * 86400 + 3600;
	struct casework_request_form good = {"Send en bekreftelse fra lærestedet.", "2025-01-11"};
	assert_int_equal(cases_request_documentation(&f->env, &person, id, &good, now, NULL, &x, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audited(f, id, "case.request-docs.denied"), 1);
	/* Today, or more than 60 days ahead, is no deadline; a short text no
	 * request. */
	/* #15: written as dd.mm.åååå or ISO; other text is no date. */
	const char *wrong[] = {"2025-01-10", "2025-03-12", "10.01.2025", "12.03.2025", "11/01/2025", "31.02.2025", NULL};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		struct casework_request_form form = {good.text, wrong[i]};
		assert_int_equal(cases_request_documentation(&f->env, &worker, id, &form, now, NULL, &x, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		assert_string_equal(e.field, "deadline");
		assert_string_equal(x.deadline, "range");
		assert_null(x.doc_text);
	}
	struct casework_request_form both = {"Send.", "2025-01-10"};
	assert_int_equal(cases_request_documentation(&f->env, &worker, id, &both, now, NULL, &x, &e), -1);
	assert_string_equal(e.field, "doc_text");
	assert_int_equal(x.n, 2);
	assert_int_equal(audited(f, id, "case.documentation-requested"), 0);
	struct casework_request_form last = {good.text, "11.03.2025"};
	struct doc_request dr;
	assert_int_equal(cases_request_documentation(&f->env, &worker, id, &last, now, &dr, &x, &e), 0);
	assert_true(dr.id > 0 && dr.letter_id > 0);
	assert_int_equal(audited(f, id, "case.documentation-requested"), 1);
}

static void a_case_is_the_persons_to_read_and_the_case_workers_to_examine(void **state)
{
	struct fixture *f = *state;
	struct principal person = {ROLE_PERSON, f->person_id};
	struct principal other = {ROLE_PERSON, f->person_id + 1};
	struct principal worker = {ROLE_CASEWORKER, 0, 7, 0};
	struct principal anonymous = {ROLE_ANONYMOUS, 0};
	struct casework_case k;
	struct case_rec c;
	struct arena a;
	struct err e;
	int64_t id = manual_case(f);
	arena_init(&a, 0);

	/* cases_read is the person's own: a case worker no longer gets in by
	 * it (they examine), and the refusal is audited by the gate. */
	assert_int_equal(cases_read(f->s, &person, id, 1100, &c, &a, &e), 0);
	assert_int_equal(audited(f, id, "case.read"), 1);
	assert_int_equal(cases_read(f->s, &worker, id, 1100, &c, &a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(cases_read(f->s, &other, id, 1100, &c, &a, &e), -1);
	assert_int_equal(audited(f, id, "case.read.denied"), 2);

	/* The workbench examines: persons and visitors are refused alike. */
	assert_int_equal(cases_examine(&f->env, &person, id, 1200, &k, &a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(cases_examine(&f->env, &anonymous, id, 1200, &k, &a, &e), -1);
	assert_int_equal(audited(f, id, "case.examine.denied"), 2);
	assert_int_equal(audited(f, id, "case.read"), 1);

	assert_int_equal(cases_examine(&f->env, &worker, id, 1200, &k, &a, &e), 0);
	assert_int_equal(audited(f, id, "case.read"), 2);
	assert_int_equal(k.c.id, id);
	assert_true(k.has_applicant);
	assert_string_equal(k.applicant.given_name, "Kari");
	assert_false(k.address_withheld);
	assert_int_equal(k.n_history, 1);
	assert_false(k.history[0].by_caseworker);
	assert_int_equal(k.n_letters, 1);
	assert_true(k.offer.open);
	assert_int_equal(k.offer.n_awards, 1);
	assert_false(k.offer.boarding_offered);
	assert_true(k.redecidable);
	/* The audit trail shown holds this reading, by the case worker. */
	assert_string_equal(k.audit[k.n_audit - 1].rec.action, "case.read");
	assert_string_equal(k.audit[k.n_audit - 1].rec.actor, "staff:7");
	assert_int_equal(k.n_conversation, 0);
	assert_int_equal(k.n_documents, 0);
	arena_cleanup(&a);
}

/* ---- the one application builder ---- */

/* One set of answers, as a pupil would give them. */
static struct cases_answers pupil_answers(void)
{
	static const date_t children[] = {0};
	struct cases_answers a;
	memset(&a, 0, sizeof(a));
	a.upper = 1;
	a.school_year = "2024-2025";
	a.decision_date = date_from_ymd(2024, 8, 1);
	a.birth_date = date_from_ymd(2008, 3, 1);
	a.lives_with_parents = 0;
	a.married = 0;
	a.children = children;
	a.load_percent = 100;
	a.start = date_from_ymd(2024, 8, 19);
	a.end = date_from_ymd(2025, 6, 20);
	a.equipment_rate = 2;
	a.distance_km = 45.5;
	a.daily_travel_minutes = 200;
	a.walking_km = 0;
	a.special_circumstances = 0;
	a.parents_income[0] = 45000000;
	return a;
}

static json_t *built(const struct cases_answers *a)
{
	struct err e;
	json_t *j = cases_application_build(a, &e);
	assert_non_null(j);
	return j;
}

static void the_same_answers_give_the_same_application_to_form_calculator_and_intake(void **state)
{
	(void)state;
	/* What each caller gives: the form leaves the children, the equipment
	 * rate and the parents to the registers; the calculator gives them
	 * all; the intake gives what the population register and the schools
	 * hold, leaving the parents' incomes to the registers at submit. */
	struct cases_answers form = pupil_answers(), calc = pupil_answers(), intake = pupil_answers();
	form.with_travel = form.with_special = 1;
	calc.with_children = calc.with_equipment_rate = calc.with_travel = calc.with_special = 1;
	calc.n_parents = 1;
	intake.with_children = intake.with_equipment_rate = intake.with_travel = intake.with_special = 1;
	json_t *f = built(&form), *c = built(&calc), *i = built(&intake);

	json_error_t jerr;
	json_t *want = json_loads("{\"scheme\":\"upper-secondary\",\"school_year\":\"2024-2025\","
				  "\"decision_date\":\"2024-08-01\",\"applicant\":{\"birth_date\":\"2008-03-01\","
				  "\"lives_with_parents\":false,\"married\":false},\"education\":{\"level\":"
				  "\"upper-secondary\",\"load_percent\":100,\"start\":\"2024-08-19\",\"end\":"
				  "\"2025-06-20\"},\"travel\":{\"distance_km\":45.5,\"daily_travel_minutes\":200,"
				  "\"walking_km\":0.0},\"special_circumstances\":false}",
				  0, &jerr);
	assert_non_null(want);
	assert_true(json_equal(f, want));
	/* The calculator's and the intake's are the form's with their own
	 * parts added, and those parts are alike where both give them. */
	json_object_set_new(json_object_get(want, "applicant"), "children", json_array());
	json_object_set_new(json_object_get(want, "education"), "equipment_rate", json_integer(2));
	assert_true(json_equal(i, want));
	json_object_set_new(want, "parents", json_pack("[{s:I}]", "income", (json_int_t)45000000));
	assert_true(json_equal(c, want));

	/* Building is pure: the same answers, the same application. */
	json_t *again = built(&form);
	assert_true(json_equal(f, again));

	/* And the rules read each as the same application. */
	struct arena a;
	struct application pf, pc, pi;
	struct err e;
	arena_init(&a, 0);
	assert_int_equal(rules_parse_application(f, &pf, &a, &e), 0);
	assert_int_equal(rules_parse_application(c, &pc, &a, &e), 0);
	assert_int_equal(rules_parse_application(i, &pi, &a, &e), 0);
	assert_int_equal(pf.edu_start, pc.edu_start);
	assert_int_equal(pf.edu_end, pi.edu_end);
	assert_true(pf.distance_km == pc.distance_km && pc.distance_km == pi.distance_km);
	assert_int_equal(pf.daily_travel_minutes, pi.daily_travel_minutes);
	arena_cleanup(&a);
	json_decref(f);
	json_decref(c);
	json_decref(i);
	json_decref(again);
	json_decref(want);
}

static void higher_education_asks_the_loan_months_and_no_travel(void **state)
{
	(void)state;
	struct cases_answers a = pupil_answers();
	a.upper = 0;
	a.load_percent = 75;
	a.with_loan = 1;
	a.months_requested = 11;
	json_t *j = built(&a);
	assert_string_equal(json_string_value(json_object_get(j, "scheme")), "higher-education");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "education"), "level")), "higher");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "loan"), "months_requested")), 11);
	assert_null(json_object_get(j, "travel"));
	assert_null(json_object_get(j, "special_circumstances"));
	json_decref(j);
}

static void every_refused_answer_is_named_by_its_contract_path(void **state)
{
	(void)state;
	struct cases_answers a = pupil_answers();
	struct cases_problems p;
	struct err e;
	assert_int_equal(cases_answers_check(&a, &p), 0);
	a.lives_with_parents = -1;     /* not answered */
	a.load_percent = 150;
	a.start = CASES_DATE_INVALID;  /* "2024-02-30" */
	a.with_travel = 1;
	a.distance_km = -1;            /* "12 km" */
	a.daily_travel_minutes = 2000;
	a.with_special = 1;
	a.special_circumstances = -1;
	assert_int_equal(cases_answers_check(&a, &p), 6);
	const char *paths[] = {"applicant.lives_with_parents", "education.load_percent", "education.start",
			       "travel.distance_km", "travel.daily_travel_minutes", "special_circumstances"};
	for (int i = 0; i < 6; i++) {
		assert_string_equal(p.items[i].path, paths[i]);
		assert_string_equal(p.items[i].reason, "invalid");
	}
	assert_null(cases_application_build(&a, &e));
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "applicant.lives_with_parents");

	/* An end before the start is its own reason, at the end's path. */
	a = pupil_answers();
	a.end = date_from_ymd(2024, 8, 1);
	a.with_loan = 1;
	a.months_requested = 12;
	assert_int_equal(cases_answers_check(&a, &p), 2);
	assert_non_null(cases_problem_at(&p, "education.end"));
	assert_string_equal(cases_problem_at(&p, "education.end")->reason, "before-start");
	assert_non_null(cases_problem_at(&p, "loan.months_requested"));
	assert_null(cases_problem_at(&p, "education.start"));
}

/* ---- the application form and its submission through the gate ---- */

struct audit_count {
	const char *actor, *action, *object, *detail;
	int n;
};

static int count_audit(const struct audit_rec *r, void *arg)
{
	struct audit_count *c = arg;
	if (strcmp(r->actor, c->actor) == 0 && strcmp(r->action, c->action) == 0 &&
	    (c->object == NULL || strcmp(r->object, c->object) == 0) &&
	    (c->detail == NULL || strcmp(r->detail, c->detail) == 0))
		c->n++;
	return 0;
}

static int audited_by(struct fixture *f, const char *actor, const char *action, const char *object, const char *detail)
{
	struct audit_count c = {actor, action, object, detail, 0};
	struct err e;
	assert_int_equal(store_audit_each(f->s, count_audit, &c, &e), 0);
	return c.n;
}

static int cases_of(struct fixture *f)
{
	struct arena a;
	struct case_rec *c;
	struct err e;
	arena_init(&a, 0);
	int n = store_cases_of_person(f->s, f->person_id, &c, &a, &e);
	arena_cleanup(&a);
	return n;
}

static void the_application_form_asks_the_gate_and_audits_the_reading(void **state)
{
	struct fixture *f = *state;
	struct principal anonymous = {ROLE_ANONYMOUS, 0};
	struct principal staff = {ROLE_CASEWORKER, 0, 3};
	struct principal person = {ROLE_PERSON, f->person_id};
	struct cases_application_form form;
	struct arena a;
	struct err e;
	char object[32];
	snprintf(object, sizeof(object), "person:%lld", (long long)f->person_id);
	arena_init(&a, 0);

	assert_int_equal(cases_application_form(&f->env, &anonymous, 0, "2024-2025", 1, 1000, &form, &a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audited_by(f, "anonymous", "apply.denied", NULL, NULL), 1);
	assert_int_equal(cases_application_form(&f->env, &staff, 0, "2024-2025", 1, 1000, &form, &a, &e), -1);
	assert_int_equal(audited_by(f, "staff:3", "apply.denied", NULL, NULL), 1);
	assert_int_equal(audited_by(f, "anonymous", "person.read", NULL, NULL) + audited_by(f, "staff:3", "person.read", NULL, NULL), 0);

	assert_int_equal(cases_application_form(&f->env, &person, 0, "2024-2025", 1, 1000, &form, &a, &e), 0);
	assert_string_equal(form.given_name, "Kari");
	assert_string_equal(form.address, "Storgata 1");
	assert_string_equal(form.institution, "");
	assert_false(form.from_registers);
	assert_false(form.registers_unavailable); /* no registers in this environment */
	char actor[32];
	snprintf(actor, sizeof(actor), "person:%lld", (long long)f->person_id);
	assert_int_equal(audited_by(f, actor, "person.read", object, "application-form"), 1);
	arena_cleanup(&a);
}

static void applying_asks_the_gate_before_the_answers_are_checked(void **state)
{
	struct fixture *f = *state;
	struct principal anonymous = {ROLE_ANONYMOUS, 0};
	struct principal person = {ROLE_PERSON, f->person_id};
	struct cases_answers a = pupil_answers();
	struct cases_problems p;
	struct submitted out;
	struct err e;
	a.upper = 0;
	a.with_loan = 1;
	a.months_requested = 11;

	/* Refused before anything is checked: no problem is told. */
	a.load_percent = 0;
	assert_int_equal(cases_apply(&f->env, &anonymous, &a, 1000, &out, &p, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(p.n, 0);
	assert_int_equal(audited_by(f, "anonymous", "apply.denied", NULL, NULL), 1);
	/* cases_submit's own gate audits its refusal too. */
	json_t *app = application();
	assert_int_equal(cases_submit(&f->env, &anonymous, app, 1000, &out, &e), -1);
	json_decref(app);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audited_by(f, "anonymous", "apply.denied", NULL, NULL), 2);

	/* Let in, the answers are checked; nothing is stored. */
	assert_int_equal(cases_apply(&f->env, &person, &a, 1000, &out, &p, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "education.load_percent");
	assert_int_equal(p.n, 1);
	assert_int_equal(cases_of(f), 0);

	/* Good answers are built with the person's birth date and decided. */
	a.load_percent = 100;
	a.decision_date = CASES_DATE_INVALID; /* not the person's answer: set from now */
	assert_int_equal(cases_apply(&f->env, &person, &a, (int64_t)date_from_ymd(2024, 7, 1) * 86400, &out, &p, &e), 0);
	assert_string_equal(out.outcome, "granted");
	struct arena ar;
	struct case_rec c;
	arena_init(&ar, 0);
	assert_int_equal(store_case_get(f->s, out.case_id, &c, &ar, &e), 0);
	assert_non_null(strstr(c.application_json, "\"birth_date\":\"2004-05-17\""));
	assert_non_null(strstr(c.application_json, "\"decision_date\":\"2024-07-01\""));
	arena_cleanup(&ar);
}

/* #15: one application per person, scheme and school year on every path
 * that takes applications in, whichever came first; a file's own lines may
 * repeat a person, and a case without a tag is no application. */
static void a_second_application_is_refused_on_every_intake_path(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct err e;
	char portal[96], registers[96];
	json_t *app = application();
	snprintf(portal, sizeof(portal), "application:%lld:higher-education:2024-2025#abc", (long long)f->person_id);
	snprintf(registers, sizeof(registers), "registers:2024-2025:%lld", (long long)f->person_id);

	/* Not an application: decided, not counted. */
	assert_int_equal(cases_submit(&f->env, &who, app, 1000, &out, &e), 0);
	/* A file's lines may repeat the person. */
	assert_int_equal(cases_submit_intake(&f->env, &who, app, "batch:k:1", 1000, &out, &e), 0);
	int64_t file_first = out.case_id;
	assert_int_equal(cases_submit_intake(&f->env, &who, app, "batch:k:2", 1000, &out, &e), 0);
	assert_int_equal(cases_of(f), 3);
	/* The portal's application counts the file's first as the first. */
	assert_int_equal(cases_submit_intake(&f->env, &who, app, portal, 1000, &out, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_string_equal(e.field, "application");
	assert_int_equal(out.case_id, file_first);
	assert_int_equal(cases_of(f), 3);
	json_decref(app);
}

static void the_registers_intake_skips_a_person_who_applied_in_the_portal(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct submitted out;
	struct err e;
	char portal[96], registers[96];
	json_t *app = application();
	snprintf(portal, sizeof(portal), "application:%lld:higher-education:2024-2025#abc", (long long)f->person_id);
	snprintf(registers, sizeof(registers), "registers:2024-2025:%lld", (long long)f->person_id);
	assert_int_equal(cases_submit_intake(&f->env, &who, app, portal, 1000, &out, &e), 0);
	int64_t first = out.case_id;
	assert_int_equal(cases_submit_intake(&f->env, &who, app, registers, 1000, &out, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_string_equal(e.field, "application");
	assert_int_equal(out.case_id, first);
	/* Nor a file's line beside it. */
	assert_int_equal(cases_submit_intake(&f->env, &who, app, "batch:k:1", 1000, &out, &e), -1);
	assert_string_equal(e.field, "application");
	assert_int_equal(cases_of(f), 1);
	/* Another school year is another application. */
	json_object_set_new(app, "school_year", json_string("2023-2024"));
	json_object_set_new(app, "decision_date", json_string("2023-07-01"));
	json_t *ed = json_object_get(app, "education");
	json_object_set_new(ed, "start", json_string("2023-08-15"));
	json_object_set_new(ed, "end", json_string("2024-06-15"));
	snprintf(registers, sizeof(registers), "registers:2023-2024:%lld", (long long)f->person_id);
	assert_int_equal(cases_submit_intake(&f->env, &who, app, registers, 1000, &out, &e), 0);
	assert_int_equal(cases_of(f), 2);
	json_decref(app);
}

/* ---- the intake engine ---- */

static int last_seen;

static int note_progress(void *ctx, int64_t done, int64_t total, int last)
{
	(void)ctx;
	if (last)
		last_seen = done == total ? 1 : -1;
	return 0;
}

static void an_intake_stores_each_line_once_however_often_it_runs(void **state)
{
	struct fixture *f = *state;
	struct arena a;
	struct person p;
	struct err e;
	char path[128], *aj;
	arena_init(&a, 0);
	assert_int_equal(store_person_get(f->s, f->person_id, &p, &a, &e), 0);
	snprintf(path, sizeof(path), "%s/intake.jsonl", f->db.dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	json_t *app = application();
	aj = json_dumps(app, JSON_COMPACT);
	json_decref(app);
	fprintf(fp, "{\"nin\":\"%s\",\"application\":%s}\n\n", p.nin, aj);
	fprintf(fp, "{\"nin\":\"%s\",\"application\":{\"scheme\":\"x\"}}\n", p.nin);
	fprintf(fp, "{\"nin\":\"%s\",\"application\":%s}\n", p.nin, aj);
	fclose(fp);
	free(aj);

	struct cases_intake_options o = {&f->env, path, 0, 0, 0, NULL, 0, 4, 10, note_progress, NULL};
	struct cases_intake_outcome out;
	assert_int_equal(cases_intake_run(&o, &out, &e), 0);
	assert_int_equal(last_seen, 1);
	assert_int_equal(out.lines, 3);
	assert_int_equal(out.granted, 2);
	assert_int_equal(out.refused, 1);
	assert_int_equal(out.n_refusals, 1);
	assert_int_equal(out.refusals[0].key, 3);
	assert_string_equal(out.refusals[0].field, "application.scheme");
	assert_int_equal(out.stored_in_all, 2);
	assert_false(out.failed);
	assert_int_equal(strncmp(out.intake, "batch:", 6), 0);
	cases_intake_outcome_cleanup(&out);

	/* Again: the lines stored are skipped, the refused one refused again. */
	assert_int_equal(cases_intake_run(&o, &out, &e), 0);
	assert_int_equal(out.already, 2);
	assert_int_equal(out.granted, 0);
	assert_int_equal(out.refused, 1);
	assert_int_equal(out.stored_in_all, 2);
	cases_intake_outcome_cleanup(&out);
	assert_int_equal(cases_of(f), 2);

	/* A path that is no regular file is refused before anything runs. */
	o.path = f->db.dir;
	assert_int_equal(cases_intake_run(&o, &out, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	cases_intake_outcome_cleanup(&out);
	unlink(path);
	arena_cleanup(&a);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(facts_in_time_give_the_instant_decision, setup, teardown),
		cmocka_unit_test_setup_teardown(the_agencys_records_keep_a_pupil_in_the_transition_scheme, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_case_worker_decides_through_the_gate_once, setup, teardown),
		cmocka_unit_test_setup_teardown(a_request_for_documentation_checks_text_and_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(a_case_is_the_persons_to_read_and_the_case_workers_to_examine, setup,
						teardown),
		cmocka_unit_test_setup_teardown(case_waits_for_a_silent_register_and_is_decided_when_it_answers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(deciding_twice_issues_one_decision_and_one_letter, setup, teardown),
		cmocka_unit_test_setup_teardown(invalid_application_stores_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(a_changed_fact_gives_a_new_decision_that_supersedes_the_old, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_case_workers_decision_is_never_overturned_by_the_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_manual_case_whose_facts_are_cleared_up_is_decided_by_the_rules, setup,
						teardown),
		cmocka_unit_test(the_same_answers_give_the_same_application_to_form_calculator_and_intake),
		cmocka_unit_test(higher_education_asks_the_loan_months_and_no_travel),
		cmocka_unit_test(every_refused_answer_is_named_by_its_contract_path),
		cmocka_unit_test_setup_teardown(the_application_form_asks_the_gate_and_audits_the_reading, setup,
						teardown),
		cmocka_unit_test_setup_teardown(applying_asks_the_gate_before_the_answers_are_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(a_second_application_is_refused_on_every_intake_path, setup, teardown),
		cmocka_unit_test_setup_teardown(the_registers_intake_skips_a_person_who_applied_in_the_portal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_intake_stores_each_line_once_however_often_it_runs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
