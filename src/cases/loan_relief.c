/* loan_relief.c - payment deferral and interest relief applied for from
 * "Min gjeld" (#11, helper A); see loan_relief.h.
 *
 * The agency's page "Betalingsutsettelse"
 * (lanekassen.no/nb-NO/gjeld-og-betaling/betalingsutsettelse/) says a
 * borrower may defer "36 ganger totalt" without giving a reason, and that a
 * month with interest relief uses none of them ("De månedene du får slettet
 * renter kan du utsette betalingen uten å bruke av" the quota): the months
 * used are the ledger's deferred months less those with relief
 * (store/loan_relief.h). The rule pack's own limits decide the rest
 * (rules/deferral.c, rules/interest_relief.c). */
#include "cases/loan_relief.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "rules/params.h"
#include "store/loan_relief.h"
#include "store/store.h"

const char *const cases_relief_grounds[] = {"unemployment",    "illness", "work-assessment-allowance",
					    "part-time-study", "low-income-full-time", NULL};

int cases_relief_ground_ok(const char *g)
{
	for (const char *const *k = cases_relief_grounds; g != NULL && *k; k++)
		if (strcmp(g, *k) == 0)
			return 1;
	return 0;
}

/* The decision date of an application made at now (application.c: the
 * day of now, UTC): the ledger is read as of it, and its school year is
 * the one the rules decide for. */
static date_t decision_day(int64_t now)
{
	return (date_t)(now / 86400);
}

const char *cases_loan_school_year(int64_t now, struct arena *a)
{
	int y, m, d;
	date_to_ymd(decision_day(now), &y, &m, &d);
	int first = m >= 8 ? y : y - 1;
	return arena_printf(a, "%04d-%04d", first, first + 1);
}

/* A parameter on day, else the one in force last before it: the form
 * states a limit even on a day the parameters do not reach yet (the rules
 * then send the case to a person, naming the parameter). 0 when never. */
static int64_t param_or_last(const struct params *p, const char *key, date_t day)
{
	const struct param *v = params_get(p, key, day), *best = NULL;
	if (v != NULL)
		return v->value;
	for (size_t i = 0; i < params_count(p); i++) {
		const struct param *x = params_at(p, i);
		if (strcmp(x->key, key) == 0 && x->valid_from <= day && (best == NULL || x->valid_from > best->valid_from))
			best = x;
	}
	return best ? best->value : 0;
}

int cases_loan_months_max(const struct params *p, int grant, date_t day)
{
	if (grant == CASES_GRANT_RELIEF)
		return CASES_RELIEF_MAX_MONTHS;
	return (int)param_or_last(p, "deferral.max_months_per_application", day);
}

int cases_loan_fill(const struct cases_env *env, int64_t person_id, struct cases_answers *a, int64_t now,
		    struct err *e)
{
	struct store_loan_relief_facts f;
	date_t day = decision_day(now);
	int rc = store_loan_relief_facts(env->store, person_id, day, NULL, &f, e);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return err_set(e, ERR_CONFLICT, "loan", "the person has no student loan to defer or relieve");
	a->loan_balance = f.balance > 0 ? f.balance : 0;
	a->deferrals_used = f.deferral_months;
	a->relief_months_used = f.low_income_months;
	a->loan_months_max = cases_loan_months_max(env->params, a->grant, day);
	return 0;
}

json_t *cases_loan_build(const struct cases_answers *a, struct err *e)
{
	char decision_date[11], birth[11];
	json_t *app = json_pack("{s:s,s:s,s:s,s:{s:s,s:b},s:{s:I,s:i,s:i,s:i}}", "scheme", cases_answers_scheme(a),
				"school_year", a->school_year, "decision_date", date_format(a->decision_date, decision_date),
				"applicant", "birth_date", date_format(a->birth_date, birth), "married", a->married,
				"loan", "balance", (json_int_t)a->loan_balance, "deferrals_used", a->deferrals_used,
				"relief_months_used", a->relief_months_used, "months_requested", a->loan_months);
	if (app != NULL && a->grant == CASES_GRANT_RELIEF)
		json_object_set_new(app, "relief_ground", json_string(a->relief_ground));
	if (app == NULL)
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
	return app;
}

int cases_loan_facts(const struct cases_env *env, int64_t person_id, json_t *application, char **facts_json,
		     struct err *e)
{
	const char *scheme = json_string_value(json_object_get(application, "scheme"));
	int relief = scheme != NULL && strcmp(scheme, "interest-relief") == 0;
	if (scheme == NULL || (!relief && strcmp(scheme, "payment-deferral") != 0))
		return 0;
	date_t day;
	if (date_parse(json_string_value(json_object_get(application, "decision_date")), &day) != 0)
		return 0; /* the rules refuse it, naming the field */
	struct store_loan_relief_facts f;
	/* A re-decision reads the ledger as of the same day, without the
	 * months this application's earlier decision granted. */
	int rc = store_loan_relief_facts(env->store, person_id, day, scheme, &f, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	json_t *loan = json_object_get(application, "loan");
	if (!json_is_object(loan)) {
		loan = json_object();
		json_object_set_new(application, "loan", loan);
	}
	int64_t balance = f.balance > 0 ? f.balance : 0;
	json_object_set_new(loan, "balance", json_integer(balance));
	json_object_set_new(loan, "deferrals_used", json_integer(f.deferral_months));
	json_object_set_new(loan, "relief_months_used", json_integer(f.low_income_months));
	char as_of[11];
	json_t *group = json_pack("{s:I,s:i,s:i,s:s,s:s}", "balance", (json_int_t)balance, "deferrals_used",
				  f.deferral_months, "relief_months_used", f.low_income_months, "source", "agency",
				  "as_of", date_format(day, as_of));
	json_t *facts = *facts_json ? json_loads(*facts_json, 0, NULL) : json_object();
	if (group == NULL || facts == NULL) {
		json_decref(group);
		json_decref(facts);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	/* Relief is decided on the year's income: the tax authority's, as the
	 * registers gave it (facts.c keeps it as the fact "income"). */
	const json_t *income = json_object_get(json_object_get(facts, "income"), "income");
	if (relief && json_is_integer(income)) {
		json_t *ap = json_object_get(application, "applicant");
		if (json_is_object(ap))
			json_object_set(ap, "income", (json_t *)income);
		json_object_set(group, "income", (json_t *)income);
	}
	json_object_set_new(facts, "loan", group);
	char *out = json_dumps(facts, JSON_COMPACT);
	json_decref(facts);
	if (out == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	free(*facts_json);
	*facts_json = out;
	return 0;
}

struct form_reading {
	const struct principal *who;
	int64_t person_id, now;
};

static int audit_reading(struct store_tx *tx, void *arg, struct err *e)
{
	const struct form_reading *fr = arg;
	char actor[64], object[32];
	access_actor(fr->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "person:%lld", (long long)fr->person_id);
	return audit_append(tx, fr->now, actor, "person.read", object, "loan-relief-form", e);
}

int cases_loan_form(const struct cases_env *env, const struct principal *who, int grant, int64_t now,
		    struct cases_loan_form *out, struct arena *a, struct err *e)
{
	struct person p;
	struct store_loan_relief_facts f;
	memset(out, 0, sizeof(*out));
	if (access_check_subject(env->store, who, ACT_APPLY, "person", now, e) != 0)
		return -1;
	int64_t person_id = access_subject(who);
	int rc = store_person_get(env->store, person_id, &p, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such person");
	out->given_name = p.given_name;
	out->family_name = p.family_name;
	date_t day = decision_day(now);
	rc = store_loan_relief_facts(env->store, person_id, day, NULL, &f, e);
	if (rc < 0)
		return -1;
	out->has_loan = rc == 0;
	out->balance = f.balance > 0 ? f.balance : 0;
	out->deferrals_used = f.deferral_months;
	out->deferrals_total = (int)param_or_last(env->params, "deferral.max_months_total", day);
	out->relief_months = f.relief_months;
	out->low_income_months = f.low_income_months;
	out->max_months = cases_loan_months_max(env->params, grant, day);
	struct form_reading fr = {who, person_id, now};
	return store_write(env->store, audit_reading, &fr, e);
}
