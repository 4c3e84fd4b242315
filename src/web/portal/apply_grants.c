/* apply_grants.c - the sickness grant (sykestipend) and the parental grant
 * (foreldrestipend) on the application form (#9), beside the support for
 * an education of apply.c, behind the same route /soknad.
 *
 * The scheme is chosen on the form's first step like the others
 * (GET /soknad?scheme=sickness-grant, without JavaScript), and the form then
 * asks exactly the decision contract's "sickness" or "parental" keys
 * (docs/decide.md): for an illness the period (dd.mm.åååå, as every date
 * field reads it), how far the person was unable to study, whether a doctor
 * has confirmed it, whether support was applied for before the illness and
 * whether the person had work assessment allowance (AAP) in the period; for
 * a birth or adoption its date, the months in education before, whether the
 * person lives with the child, the partner's parental benefit from NAV, and
 * whether the school has documented the leave. The form says what
 * documentation each needs (the doctor's confirmation; the school's
 * confirmation of the leave): stipend takes documents when a case worker
 * asks for them (cases/documents.h), and the rules send a case without it
 * to a case worker (sickness-documentation-missing,
 * parental-leave-documentation-missing), who asks; the person then sends
 * it from the case's page.
 *
 * Submitting goes the one way every application goes: cases_apply_once()
 * (one application per person, scheme and school year, the form's
 * idempotency key) or cases_apply_change() for a change application; each
 * answer the builder refuses is shown next to its field with a message
 * naming it. */
#include <stdio.h>
#include <string.h>

#include "cases/application.h"
#include "cases/cases.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/portal/apply.h"
#include "web/portal/view.h"

/* A question of a grant's form: its input's id, the contract's path it
 * fills, its label and help, and whether it is a yes/no question (radio
 * buttons) or typed text (inputmode). */
struct question {
	const char *id, *path, *label, *help;
	int yes_no;
	const char *inputmode;
};

static const struct question sickness[] = {
    {"sick_from", "sickness.from", "apply.grant.sick_from", "apply.date_help", 0, "numeric"},
    {"sick_to", "sickness.to", "apply.grant.sick_to", "apply.date_help", 0, "numeric"},
    {"percent_unable", "sickness.percent_unable", "apply.grant.percent_unable", "apply.grant.percent_unable_help", 0,
     "numeric"},
    {"doctor_confirmed", "sickness.doctor_confirmed", "apply.grant.doctor_confirmed",
     "apply.grant.doctor_confirmed_help", 1, NULL},
    {"applied_before_ill", "sickness.applied_before_ill", "apply.grant.applied_before_ill",
     "apply.grant.applied_before_ill_help", 1, NULL},
    {"work_assessment_allowance", "sickness.work_assessment_allowance", "apply.grant.work_assessment_allowance",
     "apply.grant.work_assessment_allowance_help", 1, NULL}};

static const struct question parental[] = {
    {"child_date", "parental.child_date", "apply.grant.child_date", "apply.grant.child_date_help", 0, "numeric"},
    {"months_in_education_before", "parental.months_in_education_before", "apply.grant.months_before",
     "apply.grant.months_before_help", 0, "numeric"},
    {"lives_with_child", "parental.lives_with_child", "apply.grant.lives_with_child",
     "apply.grant.lives_with_child_help", 1, NULL},
    {"partner_benefit_percent", "parental.partner_benefit_percent", "apply.grant.partner_percent",
     "apply.grant.partner_percent_help", 0, "numeric"},
    {"leave_documented", "parental.leave_documented", "apply.grant.leave_documented",
     "apply.grant.leave_documented_help", 1, NULL}};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct question *questions(int grant, size_t *n)
{
	*n = grant == CASES_GRANT_SICKNESS ? N_OF(sickness) : N_OF(parental);
	return grant == CASES_GRANT_SICKNESS ? sickness : parental;
}

static const char *scheme_name(int grant)
{
	return grant == CASES_GRANT_SICKNESS ? "sickness-grant" : "parental-grant";
}

int apply_grant_of(const char *scheme)
{
	if (scheme == NULL)
		return CASES_GRANT_NONE;
	return strcmp(scheme, "sickness-grant") == 0   ? CASES_GRANT_SICKNESS
	       : strcmp(scheme, "parental-grant") == 0 ? CASES_GRANT_PARENTAL
	                                               : CASES_GRANT_NONE;
}

/* A date as the form shows it: dd.mm.åååå. */
static const char *form_day(struct req *r, date_t d)
{
	int y, m, day;
	if (d == CASES_DATE_INVALID)
		return "";
	date_to_ymd(d, &y, &m, &day);
	return arena_printf(r->a, "%02d.%02d.%04d", day, m, y);
}

/* Show the grant's form with values (strings) and errors (id -> message
 * key); takes both references. */
static void show(struct req *r, struct resp *w, int grant, json_t *values, json_t *errors, int64_t change_of)
{
	struct cases_application_form form;
	struct err e;
	json_t *held = NULL;
	err_clear(&e);
	/* The gate and the audited reading of what the agency holds; the
	 * registers are asked at submit, where their facts are decided on. */
	if (cases_application_form(r->app->cases, &r->who, 0, r->app->school_year, 0, r->now, &form, r->a, &e) != 0 ||
	    (held = apply_held_data(r, &form)) == NULL) {
		if (e.code == ERR_NONE)
			err_set(&e, ERR_INTERNAL, NULL, "out of memory");
		json_decref(values);
		json_decref(errors);
		resp_failure(w, r, &e, "application form");
		return;
	}
	const char *key = json_string_value(json_object_get(values, "key"));
	int sick = grant == CASES_GRANT_SICKNESS;
	json_t *d = json_pack("{s:o,s:s,s:s,s:s,s:b,s:b,s:s,s:s}", "held", held, "school_year", r->app->school_year,
	                      "scheme", scheme_name(grant), "key", key && *key ? key : apply_new_key(r), "is_sickness",
	                      sick, "is_parental", !sick, "intro_key",
	                      sick ? "apply.grant.sickness.intro" : "apply.grant.parental.intro", "docs_key",
	                      sick ? "apply.grant.sickness.docs" : "apply.grant.parental.docs");
	if (change_of > 0) {
		json_object_set_new(d, "change_of", json_integer(change_of));
		json_object_set_new(d, "change", json_true());
	}
	size_t n;
	const struct question *q = questions(grant, &n);
	json_t *list = json_array(), *summary = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *v = json_string_value(json_object_get(values, q[i].id));
		json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", q[i].id, "label_key", q[i].label, "help_key",
		                      q[i].help, "type", "text", "value", v ? v : "", "yes_no", q[i].yes_no);
		if (q[i].inputmode)
			json_object_set_new(f, "inputmode", json_string(q[i].inputmode));
		if (q[i].yes_no) {
			json_object_set_new(f, "yes", json_boolean(v && strcmp(v, "yes") == 0));
			json_object_set_new(f, "no", json_boolean(v && strcmp(v, "no") == 0));
		}
		json_t *m = json_object_get(errors, q[i].id);
		if (m != NULL) {
			json_object_set(f, "error", m);
			/* The summary links to the input: a yes/no question's first. */
			json_array_append_new(summary,
			                      json_pack("{s:s,s:O}", "field",
			                                q[i].yes_no ? arena_printf(r->a, "%s-yes", q[i].id) : q[i].id,
			                                "key", m));
		}
		json_array_append_new(list, f);
	}
	json_object_set_new(d, "questions", list);
	if (json_array_size(summary) > 0) {
		json_object_set_new(d, "error_summary", summary);
		w->status = 422;
	} else {
		json_decref(summary);
	}
	json_decref(values);
	json_decref(errors);
	resp_page(w, r, "apply_grant", "apply.title", d);
}

void apply_grant_form_new(struct req *r, struct resp *w, int grant)
{
	/* No partner on parental benefit is the common answer; the rest is
	 * the person's to give. */
	json_t *values = json_object();
	if (grant == CASES_GRANT_PARENTAL)
		json_object_set_new(values, "partner_benefit_percent", json_string("0"));
	show(r, w, grant, values, json_object(), 0);
}

static const char *yes_no_text(int v)
{
	return v == 1 ? "yes" : v == 0 ? "no" : "";
}

void apply_grant_form(struct req *r, struct resp *w, const struct cases_answers *a, int64_t change_of)
{
	json_t *v;
	if (a->grant == CASES_GRANT_SICKNESS)
		v = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "sick_from", form_day(r, a->sick_from), "sick_to",
		              form_day(r, a->sick_to), "percent_unable", arena_printf(r->a, "%d", a->percent_unable),
		              "doctor_confirmed", yes_no_text(a->doctor_confirmed), "applied_before_ill",
		              yes_no_text(a->applied_before_ill), "work_assessment_allowance",
		              yes_no_text(a->work_assessment_allowance));
	else
		v = json_pack("{s:s,s:s,s:s,s:s,s:s}", "child_date", form_day(r, a->child_date),
		              "months_in_education_before", arena_printf(r->a, "%d", a->months_in_education_before),
		              "lives_with_child", yes_no_text(a->lives_with_child), "partner_benefit_percent",
		              arena_printf(r->a, "%d", a->partner_benefit_percent), "leave_documented",
		              yes_no_text(a->leave_documented));
	show(r, w, a->grant, v, json_object(), change_of);
}

/* A yes/no answer: 1, 0, or -1 when answered otherwise (or not). */
static int yes_no(const char *v)
{
	return v == NULL ? -1 : strcmp(v, "yes") == 0 ? 1 : strcmp(v, "no") == 0 ? 0 : -1;
}

/* A date as every date field reads it (dd.mm.åååå or ISO). */
static date_t form_date(const char *v)
{
	date_t d;
	return date_parse_input(v, &d) == 0 ? d : CASES_DATE_INVALID;
}

static void read_answers(struct req *r, int grant, struct cases_answers *a)
{
	memset(a, 0, sizeof(*a));
	a->grant = grant;
	a->school_year = r->app->school_year;
	a->married = 0; /* the population register gives it at submit */
	if (grant == CASES_GRANT_SICKNESS) {
		a->sick_from = form_date(req_form(r, "sick_from"));
		a->sick_to = form_date(req_form(r, "sick_to"));
		a->percent_unable = (int)form_int(req_form(r, "percent_unable"), 0, 100);
		a->doctor_confirmed = yes_no(req_form(r, "doctor_confirmed"));
		a->applied_before_ill = yes_no(req_form(r, "applied_before_ill"));
		a->work_assessment_allowance = yes_no(req_form(r, "work_assessment_allowance"));
		return;
	}
	a->child_date = form_date(req_form(r, "child_date"));
	a->months_in_education_before =
	    (int)form_int(req_form(r, "months_in_education_before"), 0, CASES_MAX_MONTHS_BEFORE);
	a->lives_with_child = yes_no(req_form(r, "lives_with_child"));
	a->partner_benefit_percent = (int)form_int(req_form(r, "partner_benefit_percent"), 0, 100);
	a->leave_documented = yes_no(req_form(r, "leave_documented"));
}

/* The message for a problem the builder found at a question. */
static const char *message_of(struct req *r, const struct question *q, const char *reason)
{
	if (strcmp(reason, "before-start") == 0)
		return "apply.grant.error.sick_to_before";
	if (strcmp(reason, "outside-year") == 0)
		return "apply.grant.error.outside_year";
	if (strcmp(reason, "in-future") == 0)
		return "apply.grant.error.child_date_future";
	return arena_printf(r->a, "apply.grant.error.%s", q->id);
}

void apply_grant_submit(struct req *r, struct resp *w, int grant)
{
	struct err e;
	struct cases_answers answers;
	struct cases_problems problems;
	long change_of = 0;
	const char *change = req_form(r, "change_of");
	if (change != NULL && *change != '\0' && (change_of = form_int(change, 1, 999999999999L)) < 1) {
		resp_error(w, r, 404, "error.not-found");
		return;
	}
	size_t n;
	const struct question *q = questions(grant, &n);
	json_t *values = json_object(), *errors = json_object();
	for (size_t i = 0; i < n; i++) {
		const char *v = req_form(r, q[i].id);
		json_object_set_new(values, q[i].id, json_string(v ? v : ""));
	}
	const char *key = req_form(r, "key");
	if (key != NULL)
		json_object_set_new(values, "key", json_string(key));
	read_answers(r, grant, &answers);
	if (apply_submit(r, w, scheme_name(grant), &answers, key, change_of, &problems, &e)) {
		json_decref(values);
		json_decref(errors);
		return;
	}
	for (int i = 0; i < problems.n; i++) {
		for (size_t k = 0; k < n; k++)
			if (strcmp(problems.items[i].path, q[k].path) == 0 && json_object_get(errors, q[k].id) == NULL)
				json_object_set_new(errors, q[k].id,
				                    json_string(message_of(r, &q[k], problems.items[i].reason)));
	}
	if (json_object_size(errors) == 0) {
		/* The rules refused an answer: show it next to its question. */
		const char *id = q[0].id;
		for (size_t k = 0; k < n; k++)
			if (strcmp(q[k].path, e.field) == 0)
				id = q[k].id;
		json_object_set_new(errors, id, json_string("apply.error.rules"));
	}
	show(r, w, grant, values, errors, change_of);
}
