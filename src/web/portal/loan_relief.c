/* loan_relief.c - applying for payment deferral (betalingsutsettelse) or
 * interest relief (sletting av renter) from "Min gjeld" (#11, helper A).
 *
 * Two forms, reached from the loan page without JavaScript:
 * /mine-sider/gjeld/utsettelse asks the months to defer (1 to the most one
 * application takes, deferral.max_months_per_application), and
 * /mine-sider/gjeld/rentefritak the ground of relief (the rule pack's
 * relief_ground) and its months, saying what each ground must document
 * (lanekassen.no, "Dokumentasjonskrav når du søker om sletting av
 * renter"). What the agency holds is shown, not asked: the debt and the
 * months already used come from its ledger, the income and the children
 * from the registers at submit (cases/loan_relief.h).
 *
 * Submitting goes the one way every application goes: apply_submit() and
 * cases_apply_once() (one application per person, scheme and school year,
 * the form's idempotency key); the person lands on the case and its
 * decision, a JSON client gets the API's answer. A person without a loan
 * account is told so on the form, and no case is made. */
#include <string.h>

#include "cases/application.h"
#include "cases/loan_relief.h"
#include "core/arena.h"
#include "core/err.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/portal/apply.h"

static const char *path_of(int grant)
{
	return grant == CASES_GRANT_DEFERRAL ? "/mine-sider/gjeld/utsettelse" : "/mine-sider/gjeld/rentefritak";
}

/* Show grant's form with the values given (strings: months, ground, key)
 * and the errors found (field -> catalogue key), or the refusal when the
 * person has no loan; takes both references. */
static void show(struct req *r, struct resp *w, int grant, json_t *values, json_t *errors, int status)
{
	struct cases_loan_form f;
	struct err e;
	if (cases_loan_form(r->app->cases, &r->who, grant, r->now, &f, r->a, &e) != 0) {
		json_decref(values);
		json_decref(errors);
		resp_failure(w, r, &e, "loan relief form");
		return;
	}
	int deferral = grant == CASES_GRANT_DEFERRAL;
	const char *key = json_string_value(json_object_get(values, "key"));
	const char *months = json_string_value(json_object_get(values, "months"));
	const char *ground = json_string_value(json_object_get(values, "ground"));
	json_t *d = json_pack("{s:b,s:b,s:b,s:s,s:s,s:s,s:I,s:i,s:i,s:i,s:i,s:i}", "is_deferral", deferral, "is_relief",
			      !deferral, "has_loan", f.has_loan, "action", path_of(grant), "key",
			      key && *key ? key : apply_new_key(r), "months", months ? months : "", "balance",
			      (json_int_t)f.balance, "deferrals_used", f.deferrals_used, "deferrals_total",
			      f.deferrals_total, "relief_months", f.relief_months, "low_income_months",
			      f.low_income_months, "max", f.max_months);
	if (f.deferrals_total > 0)
		json_object_set_new(d, "deferrals_left",
				    json_integer(f.deferrals_total > f.deferrals_used ? f.deferrals_total - f.deferrals_used
										      : 0));
	json_object_set_new(d, "name", json_string(arena_printf(r->a, "%s %s", f.given_name, f.family_name)));
	json_t *grounds = json_array();
	for (const char *const *g = cases_relief_grounds; *g; g++)
		json_array_append_new(grounds,
				      json_pack("{s:s,s:s,s:s,s:b}", "value", *g, "label_key",
						arena_printf(r->a, "loan_relief.ground.%s", *g), "docs_key",
						arena_printf(r->a, "loan_relief.docs.%s", *g), "checked",
						ground != NULL && strcmp(ground, *g) == 0));
	json_object_set_new(d, "grounds", grounds);
	json_t *summary = json_array();
	json_t *m = json_object_get(errors, "ground");
	if (m != NULL) {
		json_object_set(d, "ground_error", m);
		json_array_append_new(summary, json_pack("{s:s,s:O}", "field", "ground-unemployment", "key", m));
	}
	m = json_object_get(errors, "months");
	if (m != NULL) {
		json_object_set_new(d, "months_error", json_pack("{s:O,s:i}", "key", m, "max", f.max_months));
		json_array_append_new(summary, json_pack("{s:s,s:O}", "field", "months", "key", m));
	}
	m = json_object_get(errors, "loan");
	if (m != NULL)
		json_object_set(d, "loan_error", m);
	if (json_array_size(summary) > 0)
		json_object_set_new(d, "error_summary", summary);
	else
		json_decref(summary);
	json_decref(values);
	json_decref(errors);
	resp_page(w, r, "loan_relief", deferral ? "loan_relief.deferral.title" : "loan_relief.relief.title", d);
	if (status)
		w->status = status;
	else if (!f.has_loan)
		w->status = 409;
}

void loan_relief_deferral_form(struct req *r, struct resp *w)
{
	show(r, w, CASES_GRANT_DEFERRAL, json_object(), json_object(), 0);
}

void loan_relief_relief_form(struct req *r, struct resp *w)
{
	show(r, w, CASES_GRANT_RELIEF, json_object(), json_object(), 0);
}

static void submit(struct req *r, struct resp *w, int grant)
{
	struct err e;
	struct cases_answers a;
	struct cases_problems problems;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *months = req_form(r, "months"), *ground = req_form(r, "ground"), *key = req_form(r, "key");
	memset(&a, 0, sizeof(a));
	a.grant = grant;
	a.school_year = cases_loan_school_year(r->now, r->a);
	a.married = 0; /* the population register gives it at submit */
	/* Not a whole number is -1: the check names the field. */
	a.loan_months = (int)form_int(months, 0, 1000);
	if (grant == CASES_GRANT_RELIEF)
		a.relief_ground = ground ? ground : "";
	json_t *values = json_pack("{s:s,s:s,s:s}", "months", months ? months : "", "ground", ground ? ground : "",
				   "key", key ? key : "");
	json_t *errors = json_object();
	if (apply_submit(r, w, grant == CASES_GRANT_DEFERRAL ? "payment-deferral" : "interest-relief", &a, key, 0,
			 &problems, &e)) {
		json_decref(values);
		json_decref(errors);
		return;
	}
	if (e.code == ERR_CONFLICT) { /* no loan account: no case */
		if (apply_wants_json(r)) {
			json_decref(values);
			json_decref(errors);
			resp_json(w, 409, json_pack("{s:s,s:s,s:s}", "error", "no-loan", "field", "loan", "message",
						    "you have no student loan to defer or relieve"));
			return;
		}
		json_object_set_new(errors, "loan", json_string("loan_relief.error.no_loan"));
		show(r, w, grant, values, errors, 409);
		return;
	}
	for (int i = 0; i < problems.n; i++) {
		if (strcmp(problems.items[i].path, "loan.months_requested") == 0)
			json_object_set_new(errors, "months", json_string("loan_relief.error.months_range"));
		else if (strcmp(problems.items[i].path, "relief_ground") == 0)
			json_object_set_new(errors, "ground", json_string("loan_relief.error.ground"));
	}
	if (json_object_size(errors) == 0) /* the rules refused an answer */
		json_object_set_new(errors, strcmp(e.field, "relief_ground") == 0 ? "ground" : "months",
				    json_string("apply.error.rules"));
	show(r, w, grant, values, errors, 422);
}

void loan_relief_deferral_submit(struct req *r, struct resp *w)
{
	submit(r, w, CASES_GRANT_DEFERRAL);
}

void loan_relief_relief_submit(struct req *r, struct resp *w)
{
	submit(r, w, CASES_GRANT_RELIEF);
}
