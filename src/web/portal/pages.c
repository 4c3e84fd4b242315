/* pages.c - the portal's pages: the front page, the test login, "Mine
 * saker" and the case page, a letter of the mailbox (Innboks), and "Mine
 * opplysninger". Each page with personal data calls one domain function
 * (cases/person.h, mailbox/inbox.h), which asks the gate and audits, and
 * renders what it returns; a refusal is answered by resp_failure. */
#include <stdlib.h>
#include <string.h>

#include "access/oidc.h"
#include "cases/person.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/nin.h"
#include "mailbox/inbox.h"
#include "web/handlers.h"
#include "web/portal/inbox.h"
#include "web/portal/view.h"

void portal_home(struct req *r, struct resp *w)
{
	resp_page(w, r, "home", "home.title", NULL);
}

/* The test login lists the first persons of the synthetic population. */
#define TEST_LOGIN_LIST 12

void portal_login_page(struct req *r, struct resp *w)
{
	if (portal_login_real(r, w))
		return;
	if (!r->app->test_login) {
		resp_error(w, r, 404, "error.no-login");
		return;
	}
	struct person *people = NULL;
	struct staff *staff = NULL;
	int n_people = 0, n_staff = 0;
	struct err e;
	json_t *d = json_object(), *list = json_array(), *workers = json_array();
	if (access_test_login_people(r->app->store, TEST_LOGIN_LIST, &people, &n_people, &staff, &n_staff, r->a,
				     &e) != 0)
		log_error("login: %s", e.message);
	/* #15: what the agency's record (taken from the registers) holds of
	 * each, so that a tester picks a student, a pupil or a parent. */
	int ty, tm, td;
	date_to_ymd(date_oslo_day(r->now), &ty, &tm, &td);
	for (int i = 0; i < n_people; i++) {
		char day[11];
		int by, bm, bd;
		date_to_ymd(people[i].birth_date, &by, &bm, &bd);
		int age = ty - by - (tm < bm || (tm == bm && td < bd));
		json_t *p = json_pack("{s:s,s:s,s:s,s:i,s:s}", "nin", people[i].nin, "name",
				      arena_printf(r->a, "%s %s", people[i].given_name, people[i].family_name),
				      "birth_date", date_format(people[i].birth_date, day), "age", age, "id",
				      arena_printf(r->a, "person-%d", i));
		if (people[i].institution && *people[i].institution)
			json_object_set_new(p, "school", json_string(arena_printf(r->a, "%s%s%s", people[i].institution,
									       people[i].programme && *people[i].programme ? ", " : "",
									       people[i].programme ? people[i].programme : "")));
		json_array_append_new(list, p);
	}
	json_object_set_new(d, "persons", list);
	/* The test case workers, each with what they are authorised to see. */
	for (int i = 0; i < n_staff; i++)
		json_array_append_new(workers, json_pack("{s:s,s:s,s:s,s:b}", "username", staff[i].username, "name",
							 staff[i].name, "role_key",
							 arena_printf(r->a, "login.role.%s", staff[i].role),
							 "may_see_confidential", staff[i].may_see_confidential));
	json_object_set_new(d, "staff", workers);
	/* Real login beside the test login, when configured (#13). */
	json_object_set_new(d, "oidc_person", json_boolean(r->app->oidc && r->app->oidc->person));
	json_object_set_new(d, "oidc_staff", json_boolean(r->app->oidc && r->app->oidc->staff));
	/* #15: the page to return to after the login, when it is ours. */
	const char *next = req_query(r, "next");
	if (portal_local_path(next))
		json_object_set_new(d, "next", json_string(next));
	const char *err = req_query(r, "error");
	if (err && strcmp(err, "unknown") == 0)
		json_object_set_new(d, "error_key", json_string("login.error.unknown"));
	else if (err && strcmp(err, "invalid") == 0)
		json_object_set_new(d, "error_key", json_string("login.error.invalid"));
	resp_page(w, r, "login", "login.title", d);
}

int portal_local_path(const char *p)
{
	if (p == NULL || p[0] != '/' || p[1] == '/' || p[1] == '\\' || strlen(p) > 1024)
		return 0;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\')
			return 0;
	return 1;
}

/* A test login: a test case worker to the workbench, a person to their
 * cases, or (#15) back to the local page asked for (next). The session the request came with (a first login in the same
 * browser) ends as the new one starts. */
void portal_login_test(struct req *r, struct resp *w)
{
	struct err e;
	char token[ACCESS_TOKEN_LEN + 1];
	if (!r->app->test_login) {
		resp_error(w, r, 404, "error.no-login");
		return;
	}
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *old = r->who.role != ROLE_ANONYMOUS ? r->token : NULL;
	const char *username = req_form(r, "staff");
	int rc = username != NULL
			 ? access_login_test_staff(r->app->store, username, old, r->now, r->app->session_ttl, token, &e)
			 : access_login_test_person(r->app->store, req_form(r, "nin"), old, r->now, r->app->session_ttl,
						    token, &e);
	if (rc < 0 && e.code == ERR_INVALID) {
		resp_redirect(w, r, "/login?error=invalid");
		return;
	}
	if (rc != 0) {
		if (rc < 0) {
			log_error("login: %s", e.message);
			resp_error(w, r, 500, "error.internal");
			return;
		}
		resp_redirect(w, r, "/login?error=unknown");
		return;
	}
	resp_cookie(w, r, "sid", arena_strdup(r->a, token), -1);
	/* #15: back to the page asked for, when it is ours. */
	const char *next = req_form(r, "next");
	if (portal_local_path(next)) {
		resp_redirect(w, r, next);
		return;
	}
	struct principal who;
	const char *home = "/saksbehandling";
	if (username != NULL && access_session_find(r->app->store, token, r->now, &who, r->a, &e) == 0)
		home = portal_staff_home(who.role);
	resp_redirect(w, r, username != NULL ? home : "/saker");
}

const char *portal_staff_home(enum role role)
{
	switch (role) {
	case ROLE_SUPPORT:
		return "/kundesenter";
	case ROLE_MANAGEMENT:
		return "/ledelse";
	case ROLE_INSTITUTION:
		return "/larested";
	default:
		return "/saksbehandling";
	}
}

void portal_logout(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (portal_logout_oidc(r, w))
		return;
	if (r->who.role != ROLE_ANONYMOUS && access_session_end(r->app->store, r->token, &e) != 0)
		log_error("logout: %s", e.message);
	resp_cookie(w, r, "sid", "", 0);
	resp_redirect(w, r, "/");
}

void portal_cases(struct req *r, struct resp *w)
{
	struct case_rec *cases;
	struct err e;
	int n = cases_of_person(r->app->store, &r->who, r->now, &cases, r->a, &e);
	if (n < 0) {
		resp_failure(w, r, &e, "cases");
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, view_case(&cases[i]));
	resp_page(w, r, "cases", "cases.title", json_pack("{s:o}", "cases", list));
}

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

void portal_case(struct req *r, struct resp *w)
{
	struct case_view v;
	struct err e;
	if (cases_person_case(r->app->store, &r->who, param_id(r), r->now, &v, r->a, &e) != 0) {
		resp_failure(w, r, &e, "case");
		return;
	}
	/* Its decision, letters, conversation and documentation (portal/inbox.c). */
	resp_page(w, r, "case", "case.title", inbox_case_data(r, &v));
}

/* portal_inbox: the inbox with its search and filters is in portal/inbox.c. */

void portal_letter(struct req *r, struct resp *w)
{
	struct mbox_letter_view v;
	struct err e;
	if (mbox_letter_view(r->app->store, &r->who, r->lang, param_id(r), r->now, &v, r->a, &e) != 0) {
		resp_failure(w, r, &e, "letter");
		return;
	}
	resp_page(w, r, "letter", view_letter_title_key(v.l.kind), inbox_letter_data(r, &v));
}

/* One group of facts for "Mine opplysninger": its register and time, and
 * its rows (label key, and a text or an amount). */
static json_t *facts_group(struct req *r, const char *title_key, const json_t *src)
{
	char at[21];
	const char *reg = json_string_value(json_object_get(src, "register"));
	json_int_t when = json_integer_value(json_object_get(src, "fetched_at"));
	return json_pack("{s:s,s:s,s:s,s:[]}", "title_key", title_key, "register_key",
			 arena_printf(r->a, "register.%s", reg ? reg : "registers"), "fetched",
			 date_format_timestamp((int64_t)when, at), "rows");
}

static void fact_text(json_t *group, const char *label_key, const char *text)
{
	json_array_append_new(json_object_get(group, "rows"), json_pack("{s:s,s:s}", "label_key", label_key, "text", text));
}

static void fact_money(json_t *group, const char *label_key, json_int_t ore)
{
	json_array_append_new(json_object_get(group, "rows"),
			      json_pack("{s:s,s:I,s:b}", "label_key", label_key, "money", ore, "is_money", 1));
}

void portal_my_data(struct req *r, struct resp *w)
{
	struct person p;
	struct err e;
	const char *facts_json = NULL;
	int64_t decided_at = 0;
	char day[11];
	if (cases_person_data(r->app->store, &r->who, r->now, &p, &facts_json, &decided_at, r->a, &e) != 0) {
		resp_failure(w, r, &e, "my data");
		return;
	}
	json_t *d = json_pack("{s:{s:s,s:s,s:s,s:s,s:b}}", "person", "name",
			      arena_printf(r->a, "%s %s", p.given_name, p.family_name), "birth_date",
			      date_format(p.birth_date, day), "address", p.address, "postal",
			      arena_printf(r->a, "%s %s", p.postcode, p.city), "confidential", p.confidential_address);
	json_t *facts = facts_json ? json_loads(facts_json, 0, NULL) : NULL;
	json_t *groups = json_array();
	if (facts != NULL) {
		json_t *ap = json_object_get(facts, "applicant");
		if (ap) {
			json_t *g = facts_group(r, "mydata.family", json_object_get(ap, "source"));
			fact_text(g, "mydata.married", i18n_get(r->lang, json_is_true(json_object_get(ap, "married")) ? "word.yes" : "word.no"));
			fact_text(g, "mydata.children", arena_printf(r->a, "%lld", (long long)json_integer_value(json_object_get(ap, "children"))));
			json_array_append_new(groups, g);
		}
		json_t *inc = json_object_get(facts, "income");
		if (inc) {
			json_t *g = facts_group(r, "mydata.income", json_object_get(inc, "source"));
			fact_text(g, "mydata.income_year", arena_printf(r->a, "%lld", (long long)json_integer_value(json_object_get(inc, "year"))));
			fact_money(g, "mydata.income_amount", json_integer_value(json_object_get(inc, "income")));
			fact_money(g, "mydata.wealth", json_integer_value(json_object_get(inc, "wealth")));
			json_array_append_new(groups, g);
		}
		json_t *en = json_object_get(facts, "enrolment");
		if (en) {
			json_t *g = facts_group(r, "mydata.enrolment", json_object_get(en, "source"));
			fact_text(g, "apply.institution", json_string_value(json_object_get(en, "institution")) ?: "");
			fact_text(g, "apply.programme", json_string_value(json_object_get(en, "programme")) ?: "");
			json_t *tr = json_object_get(en, "travel");
			if (tr) {
				fact_text(g, "mydata.distance", arena_printf(r->a, "%g km", json_number_value(json_object_get(tr, "distance_km"))));
				fact_text(g, "mydata.travel_minutes", arena_printf(r->a, "%lld", (long long)json_integer_value(json_object_get(tr, "daily_travel_minutes"))));
			}
			json_array_append_new(groups, g);
		}
		/* #9 (progression): the credits the schools report passed. */
		json_t *cr = json_object_get(facts, "credits");
		json_t *sems = json_object_get(cr, "semesters");
		if (json_array_size(sems) > 0) {
			json_t *g = facts_group(r, "mydata.credits", json_object_get(cr, "source"));
			double sum = 0;
			size_t i;
			json_t *sem;
			json_array_foreach(sems, i, sem) sum += json_number_value(json_object_get(sem, "credits"));
			char *total = arena_printf(r->a, "%g", sum), *dot = strchr(total, '.');
			if (dot != NULL && r->lang == LANG_NB)
				*dot = ','; /* 37,5 as Norwegians write it */
			fact_text(g, "mydata.credits_passed", total);
			fact_text(g, "mydata.credits_semesters", arena_printf(r->a, "%zu", json_array_size(sems)));
			json_array_append_new(groups, g);
		}
		json_t *be = json_object_get(facts, "benefits");
		if (be) {
			json_t *g = facts_group(r, "mydata.benefits", json_object_get(be, "source"));
			fact_text(g, "mydata.benefit_periods", arena_printf(r->a, "%lld", (long long)json_integer_value(json_object_get(be, "periods"))));
			json_array_append_new(groups, g);
		}
		json_decref(facts);
	}
	json_object_set_new(d, "groups", groups);
	resp_page(w, r, "my_data", "mydata.title", d);
}
