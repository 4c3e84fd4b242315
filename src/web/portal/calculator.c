/* calculator.c - "Min kalkyl": the support calculator and the repayment
 * calculator, open to anyone, without login; they store nothing.
 *
 * Both are GET forms, so that a result has an address that can be shared
 * and the pages work without JavaScript: the form's fields come back in the
 * query, each is checked with a message next to it (422 when one is wrong),
 * and the result is shown below the form. static/calculator.js only
 * fetches the same address when a field changes and swaps in the result.
 *
 * The support calculator builds an application in the decision contract's
 * shape with the one application builder (cases/application.h), as the
 * form and the intake do, and decides it with rules_decide(), the
 * very core that decides real applications, so the estimate is what a
 * decision on the same facts would say; the result is shown with the case
 * page's partial. The repayment calculator asks loans_annuity() for the
 * plan and draws it as a table and a server-side SVG chart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/application.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/money.h"
#include "loans/plan.h"
#include "loans/repayment.h"
#include "rules/rules.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/portal/view.h"

void portal_calculators(struct req *r, struct resp *w)
{
	resp_page(w, r, "calculators", "calc.title", NULL);
}

/* ---- helpers shared by both calculators ---- */

/* The field's value from the query, trimmed of surrounding spaces, or
 * NULL when absent. */
static const char *query_value(struct req *r, const char *name)
{
	const char *v = req_query(r, name);
	if (v == NULL)
		return NULL;
	while (*v == ' ')
		v++;
	size_t n = strlen(v);
	while (n > 0 && v[n - 1] == ' ')
		n--;
	return arena_strndup(r->a, v, n);
}

/* Keep a field's value for the form; text that is not UTF-8 is kept as
 * empty, which every check then refuses. */
static void keep_value(json_t *values, const char *name, const char *v)
{
	json_t *s = json_string(v ? v : "");
	json_object_set_new(values, name, s ? s : json_string(""));
}

/* A text input for the _field partial. Every key the partial reads is set,
 * null when unused, so that none is looked up in the page around it. */
static json_t *text_input(const char *id, const char *label, const char *help, const char *type, const char *inputmode,
                          json_t *values, json_t *errors)
{
	const char *value = json_string_value(json_object_get(values, id));
	json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "label_key", label, "help_key", help, "type", type,
	                      "value", value ? value : "");
	json_object_set_new(f, "inputmode", inputmode ? json_string(inputmode) : json_null());
	json_object_set_new(f, "autocomplete", json_null());
	json_t *err = json_object_get(errors, id);
	json_object_set(f, "error", err ? err : json_null());
	return f;
}

/* A select for the _calc_select partial: options are value/label pairs. */
static json_t *select_input(const char *id, const char *label, const char *help, const char *const *opts,
                            const char *const *labels, size_t n, struct req *r, json_t *values, json_t *errors)
{
	const char *value = json_string_value(json_object_get(values, id));
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "value", opts[i], "label",
		                                      labels ? i18n_get(r->lang, labels[i]) : opts[i], "selected",
		                                      value && strcmp(value, opts[i]) == 0));
	json_t *f = json_pack("{s:s,s:s,s:s,s:o}", "id", id, "label_key", label, "help_key", help, "options", list);
	json_t *err = json_object_get(errors, id);
	json_object_set(f, "error", err ? err : json_null());
	return f;
}

/* A yes/no or either/or question for the _calc_radios partial. */
static json_t *radio_group(const char *name, const char *legend, const char *help, const char *const *opts,
                           const char *const *labels, size_t n, json_t *values, json_t *errors)
{
	const char *value = json_string_value(json_object_get(values, name));
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		/* The radios' ids are the group's name and the value: level-higher. */
		char id[64];
		snprintf(id, sizeof(id), "%s-%s", name, opts[i]);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:b}", "id", id, "value", opts[i], "label_key",
		                                      labels[i], "checked", value && strcmp(value, opts[i]) == 0));
	}
	json_t *g =
	    json_pack("{s:s,s:s,s:s,s:o}", "name", name, "legend_key", legend, "help_key", help, "options", list);
	json_t *err = json_object_get(errors, name);
	json_object_set(g, "error", err ? err : json_null());
	return g;
}

static void set_error(json_t *errors, const char *field, const char *key)
{
	if (json_object_get(errors, field) == NULL)
		json_object_set_new(errors, field, json_string(key));
}

/* ---- the support calculator ---- */

/* Query name and the id the error summary links to. */
static const char *const support_fields[][2] = {
    {"year", "year"},
    {"level", "level-higher"},
    {"birth_date", "birth_date"},
    {"lives_with_parents", "lives_with_parents-no"},
    {"married", "married-no"},
    {"children", "children"},
    {"load_percent", "load_percent"},
    {"months", "months"},
    {"distance_km", "distance_km"},
    {"travel_minutes", "travel_minutes"},
    {"parents_income", "parents_income"},
    {"equipment_rate", "equipment_rate"},
};
#define N_SUPPORT_FIELDS (sizeof(support_fields) / sizeof(support_fields[0]))

static const char *const school_years[] = {"2023-2024", "2024-2025"};

/* Which contract field an error of the core concerns, as a form field. */
static const char *form_field_of(const char *path)
{
	static const char *const map[][2] = {
	    {"school_year", "year"},
	    {"decision_date", "year"},
	    {"applicant.birth_date", "birth_date"},
	    {"applicant.children", "children"},
	    {"education.load_percent", "load_percent"},
	    {"education.start", "months"},
	    {"education.end", "months"},
	    {"education.equipment_rate", "equipment_rate"},
	    {"travel.distance_km", "distance_km"},
	    {"travel.daily_travel_minutes", "travel_minutes"},
	    {"parents", "parents_income"},
	    {"loan.months_requested", "months"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(path, map[i][0], strlen(map[i][0])) == 0)
			return map[i][1];
	return "year";
}

/* Which form field and message a problem the builder finds concerns. */
static const char *const problem_fields[][3] = {
    {"school_year", "year", "calc.error.year"},
    {"decision_date", "year", "calc.error.year"},
    {"applicant.birth_date", "birth_date", "calc.error.birth_date"},
    {"applicant.lives_with_parents", "lives_with_parents", "calc.error.lives_with_parents"},
    {"applicant.married", "married", "calc.error.married"},
    {"applicant.children", "children", "calc.error.children"},
    {"education.load_percent", "load_percent", "apply.error.load_percent"},
    {"education.start", "months", "apply.error.months"},
    {"education.end", "months", "apply.error.months"},
    {"education.equipment_rate", "equipment_rate", "calc.error.equipment_rate"},
    {"travel.distance_km", "distance_km", "calc.error.distance_km"},
    {"travel.daily_travel_minutes", "travel_minutes", "calc.error.travel_minutes"},
    {"parents", "parents_income", "calc.error.parents_income"},
    {"loan.months_requested", "months", "apply.error.months"},
};

static int yes_no(const char *v)
{
	return strcmp(v, "yes") == 0 ? 1 : strcmp(v, "no") == 0 ? 0 : -1;
}

/* The application the calculator's answers make, built by the one
 * application builder (cases/application.h); NULL with errors filled (field
 * -> message key) when an answer is refused. What only the calculator asks
 * is checked here: the school years it offers, the level, and a birth date
 * before the school year; it derives the period from the months asked and
 * the children's birth dates from their number. */
static json_t *support_application(json_t *v, json_t *errors)
{
	const char *year = json_string_value(json_object_get(v, "year"));
	const char *level = json_string_value(json_object_get(v, "level"));
	date_t first = 0, last = 0, birth = 0;
	int year_ok = 0;
	struct cases_answers a;
	memset(&a, 0, sizeof(a));

	for (size_t i = 0; i < sizeof(school_years) / sizeof(school_years[0]); i++)
		if (strcmp(year, school_years[i]) == 0)
			year_ok = date_school_year(year, &first, &last) == 0;
	if (!year_ok)
		set_error(errors, "year", "calc.error.year");
	a.upper = strcmp(level, "upper-secondary") == 0;
	if (!a.upper && strcmp(level, "higher") != 0)
		set_error(errors, "level", "calc.error.level");
	if (date_parse_input(json_string_value(json_object_get(v, "birth_date")), &birth) != 0)
		birth = CASES_DATE_INVALID;
	else if (year_ok && birth > first)
		set_error(errors, "birth_date", "calc.error.birth_date_late");
	long months = form_int(json_string_value(json_object_get(v, "months")), 1, CASES_MAX_MONTHS);
	if (months < 0)
		set_error(errors, "months", "apply.error.months");

	/* The school year's first day decides; education runs from 15 August
	 * to 15 June, cut to the months asked: the 15th of the last month.
	 * Each child's birth date is not asked: five years before the school
	 * year starts, young enough for every rule about children. */
	int y, m, d;
	date_t children[CASES_MAX_CHILDREN];
	date_to_ymd(first, &y, &m, &d);
	int end_month = 8 + (int)months - 1;
	a.school_year = year;
	a.decision_date = first;
	a.birth_date = birth;
	a.lives_with_parents = yes_no(json_string_value(json_object_get(v, "lives_with_parents")));
	a.married = yes_no(json_string_value(json_object_get(v, "married")));
	a.with_children = 1;
	a.n_children = (int)form_int(json_string_value(json_object_get(v, "children")), 0, CASES_MAX_CHILDREN);
	for (int i = 0; i < a.n_children; i++)
		children[i] = date_from_ymd(y - 5, 8, 1);
	a.children = children;
	a.load_percent = (int)form_int(json_string_value(json_object_get(v, "load_percent")), 1, 100);
	a.start = date_from_ymd(y, 8, 15);
	a.end = months < 0 ? a.start : date_from_ymd(end_month > 12 ? y + 1 : y, (end_month - 1) % 12 + 1, 15);
	a.with_special = 1;
	a.special_circumstances = 0;
	if (a.upper) {
		/* The upper-secondary questions count only for upper secondary. */
		int64_t income = 0;
		if (loans_parse_kroner(json_string_value(json_object_get(v, "parents_income")), INT64_C(100000000000),
		                       &income) != 0)
			set_error(errors, "parents_income", "calc.error.parents_income");
		a.with_equipment_rate = 1;
		a.equipment_rate =
		    (int)form_int(json_string_value(json_object_get(v, "equipment_rate")), 0, CASES_MAX_EQUIPMENT_RATE);
		a.with_travel = 1;
		a.distance_km = form_decimal(json_string_value(json_object_get(v, "distance_km")), CASES_MAX_DISTANCE_KM);
		a.daily_travel_minutes =
		    (int)form_int(json_string_value(json_object_get(v, "travel_minutes")), 0, CASES_MAX_TRAVEL_MINUTES);
		a.walking_km = 0.0;
		a.n_parents = 1;
		a.parents_income[0] = income;
	} else {
		a.with_loan = 1;
		a.months_requested = (int)months;
	}

	struct cases_problems problems;
	cases_answers_check(&a, &problems);
	for (int i = 0; i < problems.n; i++)
		for (size_t k = 0; k < sizeof(problem_fields) / sizeof(problem_fields[0]); k++)
			if (strncmp(problems.items[i].path, problem_fields[k][0], strlen(problem_fields[k][0])) == 0) {
				set_error(errors, problem_fields[k][1], problem_fields[k][2]);
				break;
			}
	if (json_object_size(errors) > 0)
		return NULL;
	struct err e;
	return cases_application_build(&a, &e);
}

/* Decide the application with the core and give the result as the case
 * page's partial shows it; NULL with errors filled for an input the core
 * refused, NULL with e set for a failure of the machine. */
static json_t *support_decide(struct req *r, json_t *app, json_t *errors, struct err *e)
{
	struct application parsed;
	struct decision *d = arena_alloc(r->a, sizeof(*d));
	err_clear(e);
	if (rules_parse_application(app, &parsed, r->a, e) != 0 || rules_decide(&parsed, r->app->params, d, e) != 0) {
		if (e->code == ERR_INVALID) {
			const char *field = form_field_of(e->field);
			set_error(errors, field,
			          strcmp(e->field, "school_year") == 0 ? "calc.error.year_rules" : "apply.error.rules");
			err_clear(e);
		}
		return NULL;
	}
	struct buf json;
	buf_init(&json, 1 << 20);
	json_t *view = NULL;
	if (rules_decision_json(&json, d, r->lang) == 0)
		view = view_decision(r, buf_str(&json));
	buf_cleanup(&json);
	if (view == NULL)
		err_set(e, ERR_INTERNAL, NULL, "calculator: the decision could not be shown");
	return view;
}

void portal_calc_support(struct req *r, struct resp *w)
{
	json_t *values = json_object(), *errors = json_object();
	int asked = 0;
	for (size_t i = 0; i < N_SUPPORT_FIELDS; i++)
		asked |= req_query(r, support_fields[i][0]) != NULL;
	/* The first visit shows the ordinary case: the current school year,
	 * full-time higher education for eleven months, no children. */
	const char *defaults[][2] = {
	    {"year", r->app->school_year}, {"level", "higher"},    {"married", "no"},    {"children", "0"},
	    {"load_percent", "100"},       {"months", "11"},       {"distance_km", "0"}, {"travel_minutes", "0"},
	    {"parents_income", "0"},       {"equipment_rate", "0"}};
	for (size_t i = 0; i < N_SUPPORT_FIELDS; i++) {
		const char *name = support_fields[i][0];
		const char *v = asked ? query_value(r, name) : NULL;
		if (!asked)
			for (size_t k = 0; k < sizeof(defaults) / sizeof(defaults[0]); k++)
				if (strcmp(defaults[k][0], name) == 0)
					v = defaults[k][1];
		keep_value(values, name, v);
	}

	json_t *result = json_pack("{s:b}", "asked", asked);
	if (asked) {
		struct err e;
		json_t *app = support_application(values, errors);
		json_t *decision = app ? support_decide(r, app, errors, &e) : NULL;
		json_decref(app);
		if (app && decision == NULL && json_object_size(errors) == 0) {
			log_error("calculator: %s", e.message);
			json_decref(result);
			json_decref(values);
			json_decref(errors);
			resp_error(w, r, 500, "error.internal");
			return;
		}
		if (decision) {
			const char *outcome = json_string_value(json_object_get(decision, "outcome"));
			int manual = outcome && strcmp(outcome, "manual") == 0;
			json_object_set_new(result, "manual", json_boolean(manual));
			/* #15: an estimate is no decision: "partly estimated", and
			 * an amount the rules could not settle (nothing) is named
			 * as what the calculator cannot estimate, never "0 kr". */
			if (manual) {
				json_object_set_new(decision, "outcome_key", json_string("calc.outcome.manual"));
				json_t *awards = json_object_get(decision, "awards"), *kept = json_array(), *x;
				json_t *unknown = json_array();
				size_t k;
				json_array_foreach(awards, k, x) {
					if (json_integer_value(json_object_get(x, "amount")) == 0)
						json_array_append(unknown, json_object_get(x, "name_key"));
					else
						json_array_append(kept, x);
				}
				json_object_set_new(decision, "awards", kept);
				if (json_array_size(unknown) > 0)
					json_object_set_new(result, "not_estimated", unknown);
				else
					json_decref(unknown);
			}
			json_object_set_new(result, "decision", decision);
		}
	}
	json_object_set_new(result, "has_errors", json_boolean(json_object_size(errors) > 0));

	static const char *const levels[] = {"higher", "upper-secondary"};
	static const char *const level_labels[] = {"calc.level.higher", "calc.level.upper-secondary"};
	static const char *const yes_no[] = {"no", "yes"};
	static const char *const lwp_labels[] = {"apply.lives_away", "apply.lives_home"};
	static const char *const married_labels[] = {"calc.married.no", "calc.married.yes"};
	static const char *const rates[] = {"0", "1", "2", "3", "4", "5"};
	static const char *const rate_labels[] = {"calc.equipment.0", "calc.equipment.1", "calc.equipment.2",
	                                          "calc.equipment.3", "calc.equipment.4", "calc.equipment.5"};
	json_t *d = json_object();
	json_object_set_new(
	    d, "year_select",
	    select_input("year", "calc.year", "calc.year_help", school_years, NULL, 2, r, values, errors));
	json_object_set_new(
	    d, "level_radios",
	    radio_group("level", "calc.level", "calc.level_help", levels, level_labels, 2, values, errors));
	/* #15: the birth date is typed as every date field takes it
	 * (dd.mm.åååå, date_parse_input), not the browser's date picker. */
	json_t *birth_f = text_input("birth_date", "calc.birth_date", "calc.birth_date_help", "text", "numeric", values, errors);
	json_object_set_new(birth_f, "autocomplete", json_string("bday"));
	json_object_set_new(d, "birth_input", birth_f);
	json_object_set_new(d, "lwp_radios",
	                    radio_group("lives_with_parents", "apply.lives_with_parents",
	                                "calc.lives_with_parents_help", yes_no, lwp_labels, 2, values, errors));
	json_object_set_new(
	    d, "married_radios",
	    radio_group("married", "calc.married", "calc.married_help", yes_no, married_labels, 2, values, errors));
	json_t *study = json_array();
	json_array_append_new(
	    study, text_input("children", "calc.children", "calc.children_help", "text", "numeric", values, errors));
	json_array_append_new(study, text_input("load_percent", "apply.load_percent", "apply.load_percent_help", "text",
	                                        "numeric", values, errors));
	json_array_append_new(
	    study, text_input("months", "calc.months", "apply.months_help", "text", "numeric", values, errors));
	json_object_set_new(d, "study_inputs", study);
	json_t *upper = json_array();
	json_array_append_new(upper, text_input("distance_km", "calc.distance_km", "calc.distance_km_help", "text",
	                                        "decimal", values, errors));
	json_array_append_new(upper, text_input("travel_minutes", "calc.travel_minutes", "calc.travel_minutes_help",
	                                        "text", "numeric", values, errors));
	json_array_append_new(upper, text_input("parents_income", "calc.parents_income", "calc.parents_income_help",
	                                        "text", "numeric", values, errors));
	json_object_set_new(d, "upper_inputs", upper);
	json_object_set_new(d, "equipment_select",
	                    select_input("equipment_rate", "calc.equipment_rate", "calc.equipment_rate_help", rates,
	                                 rate_labels, 6, r, values, errors));
	/* The case page's partial shows the result, headed as an estimate. */
	json_object_set_new(d, "decision_heading_key", json_string("calc.decision.heading"));
	json_object_set_new(d, "decision_why_key", json_string("calc.decision.why"));
	json_object_set_new(d, "result", result);
	if (json_object_size(errors) > 0) {
		json_object_set_new(d, "error_summary", form_error_summary(errors, support_fields, N_SUPPORT_FIELDS));
		w->status = 422;
	}
	json_decref(values);
	json_decref(errors);
	resp_page(w, r, "calc_support", "calc.support.title", d);
}

/* ---- the repayment calculator ---- */

static const char *const repayment_fields[][2] = {
    {"amount", "amount"}, {"rate", "rate"}, {"years", "years"}, {"per_year", "per_year"}};
#define N_REPAYMENT_FIELDS (sizeof(repayment_fields) / sizeof(repayment_fields[0]))

void portal_calc_repayment(struct req *r, struct resp *w)
{
	json_t *values = json_object(), *errors = json_object();
	int asked = 0;
	for (size_t i = 0; i < N_REPAYMENT_FIELDS; i++)
		asked |= req_query(r, repayment_fields[i][0]) != NULL;
	for (size_t i = 0; i < N_REPAYMENT_FIELDS; i++) {
		const char *name = repayment_fields[i][0];
		const char *v = asked ? query_value(r, name) : strcmp(name, "per_year") == 0 ? "12" : "";
		keep_value(values, name, v);
	}

	json_t *result = json_pack("{s:b}", "asked", asked);
	if (asked) {
		struct loans_terms t = {0, 0, 0, 0};
		if (loans_parse_kroner(json_string_value(json_object_get(values, "amount")), LOANS_MAX_PRINCIPAL,
		                       &t.principal) != 0 ||
		    t.principal < 100)
			set_error(errors, "amount", "calc.error.amount");
		if (loans_parse_rate(json_string_value(json_object_get(values, "rate")), &t.rate) != 0)
			set_error(errors, "rate", "calc.error.rate");
		long years = form_int(json_string_value(json_object_get(values, "years")), 1, LOANS_MAX_YEARS);
		if (years < 0)
			set_error(errors, "years", "calc.error.years");
		long per_year = form_int(json_string_value(json_object_get(values, "per_year")), 1, 12);
		if (per_year != 1 && per_year != 2 && per_year != 4 && per_year != 12)
			set_error(errors, "per_year", "calc.error.per_year");
		t.years = (int)years;
		t.per_year = (int)per_year;
		if (json_object_size(errors) == 0) {
			struct loans_plan *plan = arena_alloc(r->a, sizeof(*plan));
			struct err e;
			err_clear(&e);
			if (loans_annuity(&t, plan, &e) == 0) {
				json_object_set_new(result, "plan", loans_plan_json(&t, plan));
			} else if (e.code == ERR_INVALID) {
				set_error(errors, e.field, "apply.error.rules");
			} else {
				log_error("repayment calculator: %s", e.message);
				json_decref(result);
				json_decref(values);
				json_decref(errors);
				resp_error(w, r, 500, "error.internal");
				return;
			}
		}
	}
	json_object_set_new(result, "has_errors", json_boolean(json_object_size(errors) > 0));

	static const char *const per_year_opts[] = {"12", "4", "2", "1"};
	static const char *const per_year_labels[] = {"calc.per_year.12", "calc.per_year.4", "calc.per_year.2",
	                                              "calc.per_year.1"};
	json_t *inputs = json_array();
	json_array_append_new(
	    inputs, text_input("amount", "calc.amount", "calc.amount_help", "text", "numeric", values, errors));
	json_array_append_new(inputs,
	                      text_input("rate", "calc.rate", "calc.rate_help", "text", "decimal", values, errors));
	json_array_append_new(inputs,
	                      text_input("years", "calc.years", "calc.years_help", "text", "numeric", values, errors));
	json_t *d = json_object();
	json_object_set_new(d, "inputs", inputs);
	json_object_set_new(d, "per_year_select",
	                    select_input("per_year", "calc.per_year", "calc.per_year_help", per_year_opts,
	                                 per_year_labels, 4, r, values, errors));
	json_object_set_new(d, "result", result);
	if (json_object_size(errors) > 0) {
		json_object_set_new(d, "error_summary", form_error_summary(errors, repayment_fields, N_REPAYMENT_FIELDS));
		w->status = 422;
	}
	json_decref(values);
	json_decref(errors);
	resp_page(w, r, "calc_repayment", "calc.repayment.title", d);
}
