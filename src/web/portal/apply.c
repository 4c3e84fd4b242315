/* apply.c - "Søk om stipend og lån": the application form for higher
 * education or upper secondary school, prefilled with what the agency
 * holds, and its submission.
 *
 * The scheme is chosen first (GET /soknad?scheme=upper-secondary, so the
 * choice works without JavaScript), and the form then asks that scheme's
 * questions. For upper secondary it asks the distance and the day's travel
 * between the parents' home and school and whether special personal or
 * social reasons make living away necessary; the equipment grant's rate
 * group is not asked, as the school's register gives it.
 *
 * With registers (serve --registers) the form starts from what they hold
 * now (cases_application_form(), which asks the gate and audits the
 * reading). The form asks only what the person alone knows. The handlers
 * parse and render: cases_apply() asks the gate, checks each answer (a
 * problem is shown with a message next to its field), builds the
 * application in the decision contract's shape and submits it, deciding it
 * at once and committing case, decision and letter durably before the
 * person is sent to the decision. */
#include <stdio.h>
#include <string.h>

#include "cases/application.h"
#include "cases/cases.h"
#include "core/arena.h"
#include "core/err.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/portal/view.h"

/* The form's fields, the contract paths they fill, and the message for a
 * problem the builder finds there. */
static const struct {
	const char *field, *path, *key;
} fields[] = {{"lives_with_parents", "applicant.lives_with_parents", "apply.error.lives_with_parents"},
	      {"load_percent", "education.load_percent", "apply.error.load_percent"},
	      {"start", "education.start", "apply.error.date"},
	      {"end", "education.end", "apply.error.date"},
	      {"months_requested", "loan.months_requested", "apply.error.months"}};

/* The upper-secondary form's fields, as above. */
static const struct {
	const char *field, *path, *key;
} upper_fields[] = {{"lives_with_parents", "applicant.lives_with_parents", "apply.error.lives_with_parents"},
		    {"start", "education.start", "apply.error.date"},
		    {"end", "education.end", "apply.error.date"},
		    {"distance_km", "travel.distance_km", "apply.us.error.distance_km"},
		    {"daily_travel_minutes", "travel.daily_travel_minutes", "apply.us.error.travel_minutes"},
		    {"walking_km", "travel.walking_km", "apply.us.error.walking_km"},
		    {"special_circumstances", "special_circumstances", "apply.us.error.special"}};

#define N_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* 1 for the upper-secondary form, from ?scheme= or the form's field. */
static int upper_scheme(const char *scheme)
{
	return scheme != NULL && strcmp(scheme, "upper-secondary") == 0;
}

/* What the agency (and the registers) hold, as the form shows it. */
static json_t *held_data(struct req *r, const struct cases_application_form *f)
{
	char day[11];
	json_t *held = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "name",
				 arena_printf(r->a, "%s %s", f->given_name, f->family_name), "birth_date",
				 date_format(f->birth_date, day), "address", f->address, "postal",
				 arena_printf(r->a, "%s %s", f->postcode, f->city), "institution", f->institution,
				 "programme", f->programme, "confidential", f->confidential_address);
	if (held != NULL && f->from_registers)
		json_object_set_new(held, "from_registers", json_true());
	if (held != NULL && f->registers_unavailable)
		json_object_set_new(held, "registers_unavailable", json_true());
	return held;
}

/* The text inputs of the form: id, label, help, type, inputmode. */
static const struct {
	const char *id, *label, *help, *type, *inputmode;
} inputs[] = {{"load_percent", "apply.load_percent", "apply.load_percent_help", "text", "numeric"},
	      {"start", "apply.start", "apply.date_help", "date", NULL},
	      {"end", "apply.end", "apply.date_help", "date", NULL},
	      {"months_requested", "apply.months", "apply.months_help", "text", "numeric"}};

static const struct {
	const char *id, *label, *help, *type, *inputmode;
} upper_inputs[] = {{"start", "apply.us.start", "apply.date_help", "date", NULL},
		    {"end", "apply.us.end", "apply.date_help", "date", NULL},
		    {"distance_km", "apply.us.distance_km", "apply.us.distance_km_help", "text", "decimal"},
		    {"daily_travel_minutes", "apply.us.travel_minutes", "apply.us.travel_minutes_help", "text", "numeric"},
		    {"walking_km", "apply.us.walking_km", "apply.us.walking_km_help", "text", "decimal"}};

/* The first showing starts from what the registers suggest (the person
 * may still correct any answer; the registers' facts are fetched again at
 * submit and decided on). */
static void prefill_values(const struct cases_application_form *f, int upper, json_t *values)
{
	char day[11], num[32];
	if (!f->from_registers)
		return;
	json_object_set_new(values, "lives_with_parents", json_string(f->lives_with_parents ? "yes" : "no"));
	if (!f->enrolled)
		return;
	json_object_set_new(values, "start", json_string(date_format(f->start, day)));
	json_object_set_new(values, "end", json_string(date_format(f->end, day)));
	if (!upper) {
		snprintf(num, sizeof(num), "%d", f->load_percent);
		json_object_set_new(values, "load_percent", json_string(num));
	} else if (f->has_travel) {
		snprintf(num, sizeof(num), "%.1f", f->distance_km);
		json_object_set_new(values, "distance_km", json_string(num));
		snprintf(num, sizeof(num), "%d", f->daily_travel_minutes);
		json_object_set_new(values, "daily_travel_minutes", json_string(num));
		snprintf(num, sizeof(num), "%.1f", f->walking_km);
		json_object_set_new(values, "walking_km", json_string(num));
	}
}

/* Show the form with the values given (all strings) and the errors found
 * (field -> catalogue key); takes both references. The first showing
 * (prefill) starts from the registers when the server has them. The form's
 * reading goes through the gate: a visitor who may not apply is sent to log
 * in, or refused. */
static void show_form_as(struct req *r, struct resp *w, int upper, json_t *values, json_t *errors, int prefill)
{
	struct cases_application_form form;
	struct err e;
	json_t *held = NULL;
	err_clear(&e);
	if (cases_application_form(r->app->cases, &r->who, upper, r->app->school_year, prefill, r->now, &form, r->a,
				   &e) != 0 ||
	    (held = held_data(r, &form)) == NULL) {
		if (e.code == ERR_NONE)
			err_set(&e, ERR_INTERNAL, NULL, "out of memory");
		json_decref(values);
		json_decref(errors);
		resp_failure(w, r, &e, "application form");
		return;
	}
	if (prefill)
		prefill_values(&form, upper, values);
	json_t *d = json_pack("{s:o,s:s,s:b,s:s,s:s,s:s}", "held", held, "school_year", r->app->school_year, "upper",
			      upper, "scheme", upper ? "upper-secondary" : "higher-education", "lwp_legend_key",
			      upper ? "apply.us.lives_with_parents" : "apply.lives_with_parents", "lwp_help_key",
			      upper ? "apply.us.lives_with_parents_help" : "apply.lives_with_parents_help");
	const char *lwp = json_string_value(json_object_get(values, "lives_with_parents"));
	json_object_set_new(d, "lwp_no", json_boolean(lwp && strcmp(lwp, "no") == 0));
	json_object_set_new(d, "lwp_yes", json_boolean(lwp && strcmp(lwp, "yes") == 0));
	json_object_set(d, "lwp_error", json_object_get(errors, "lives_with_parents"));
	json_t *list = json_array();
	size_t n_inputs = upper ? N_FIELDS(upper_inputs) : N_FIELDS(inputs);
	for (size_t i = 0; i < n_inputs; i++) {
		const char *id = upper ? upper_inputs[i].id : inputs[i].id;
		const char *inputmode = upper ? upper_inputs[i].inputmode : inputs[i].inputmode;
		const char *value = json_string_value(json_object_get(values, id));
		json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "label_key",
				      upper ? upper_inputs[i].label : inputs[i].label, "help_key",
				      upper ? upper_inputs[i].help : inputs[i].help, "type",
				      upper ? upper_inputs[i].type : inputs[i].type, "value", value ? value : "");
		if (inputmode)
			json_object_set_new(f, "inputmode", json_string(inputmode));
		json_object_set(f, "error", json_object_get(errors, id));
		json_array_append_new(list, f);
	}
	json_object_set_new(d, "inputs", list);
	if (upper) {
		const char *special = json_string_value(json_object_get(values, "special_circumstances"));
		json_object_set_new(d, "special", json_boolean(special && strcmp(special, "yes") == 0));
		json_object_set(d, "special_error", json_object_get(errors, "special_circumstances"));
	}
	if (json_object_size(errors) > 0) {
		/* The summary links each message to its field, in form order. */
		json_t *summary = json_array();
		size_t n_fields = upper ? N_FIELDS(upper_fields) : N_FIELDS(fields);
		for (size_t i = 0; i < n_fields; i++) {
			const char *field = upper ? upper_fields[i].field : fields[i].field;
			json_t *m = json_object_get(errors, field);
			const char *anchor = strcmp(field, "lives_with_parents") == 0 ? "lwp-no" : field;
			if (m)
				json_array_append_new(summary, json_pack("{s:s,s:O}", "field", anchor, "key", m));
		}
		json_object_set_new(d, "error_summary", summary);
		w->status = 422;
	}
	json_decref(values);
	json_decref(errors);
	resp_page(w, r, "apply", "apply.title", d);
}

static void show_form(struct req *r, struct resp *w, int upper, json_t *values, json_t *errors)
{
	show_form_as(r, w, upper, values, errors, 0);
}

void portal_apply_form(struct req *r, struct resp *w)
{
	char start[16], end[16];
	if (upper_scheme(req_query(r, "scheme"))) {
		/* Defaults: the school year's ordinary school days. */
		snprintf(start, sizeof(start), "%.4s-08-19", r->app->school_year);
		snprintf(end, sizeof(end), "%.4s-06-20", r->app->school_year + 5);
		show_form_as(r, w, 1, json_pack("{s:s,s:s}", "start", start, "end", end), json_object(), 1);
		return;
	}
	/* Defaults: the school year's ordinary study period. */
	snprintf(start, sizeof(start), "%.4s-08-15", r->app->school_year);
	snprintf(end, sizeof(end), "%.4s-06-15", r->app->school_year + 5);
	show_form_as(r, w, 0, json_pack("{s:s,s:s,s:s,s:s}", "load_percent", "100", "start", start, "end", end,
					"months_requested", "11"), json_object(), 1);
}

/* A yes/no question: 1, 0, or -1 when answered otherwise (or not). */
static int yes_no(const char *v)
{
	return v == NULL ? -1 : strcmp(v, "yes") == 0 ? 1 : strcmp(v, "no") == 0 ? 0 : -1;
}

static date_t form_date(const char *v)
{
	date_t d;
	return date_parse(v, &d) == 0 ? d : CASES_DATE_INVALID;
}

/* The person's answers from the form (the checks are the builder's). */
static void read_answers(struct req *r, int upper, struct cases_answers *a)
{
	memset(a, 0, sizeof(*a));
	a->upper = upper;
	a->school_year = r->app->school_year;
	a->lives_with_parents = yes_no(req_form(r, "lives_with_parents"));
	a->married = 0;
	a->load_percent = upper ? 100 : (int)form_int(req_form(r, "load_percent"), 1, 100);
	a->start = form_date(req_form(r, "start"));
	a->end = form_date(req_form(r, "end"));
	if (!upper) {
		a->with_loan = 1;
		a->months_requested = (int)form_int(req_form(r, "months_requested"), 1, CASES_MAX_MONTHS);
		return;
	}
	a->with_travel = 1;
	a->distance_km = form_decimal(req_form(r, "distance_km"), CASES_MAX_DISTANCE_KM);
	a->daily_travel_minutes = (int)form_int(req_form(r, "daily_travel_minutes"), 0, CASES_MAX_TRAVEL_MINUTES);
	a->walking_km = form_decimal(req_form(r, "walking_km"), CASES_MAX_WALKING_KM);
	/* Not ticked is no: only a value other than yes is refused. */
	const char *sc = req_form(r, "special_circumstances");
	a->with_special = 1;
	a->special_circumstances = sc == NULL || *sc == '\0' ? 0 : strcmp(sc, "yes") == 0 ? 1 : -1;
}

void portal_apply_submit(struct req *r, struct resp *w)
{
	struct err e;
	struct cases_answers answers;
	struct cases_problems problems;
	struct submitted out;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	int upper = upper_scheme(req_form(r, "scheme"));
	size_t n_fields = upper ? N_FIELDS(upper_fields) : N_FIELDS(fields);
	read_answers(r, upper, &answers);
	if (cases_apply(r->app->cases, &r->who, &answers, r->now, &out, &problems, &e) == 0) {
		resp_redirect(w, r, arena_printf(r->a, "/saker/%lld", (long long)out.case_id));
		return;
	}
	if (e.code != ERR_INVALID) {
		resp_failure(w, r, &e, "apply");
		return;
	}
	json_t *values = json_object(), *errors = json_object();
	for (size_t i = 0; i < n_fields; i++) {
		const char *field = upper ? upper_fields[i].field : fields[i].field;
		const char *v = req_form(r, field);
		json_object_set_new(values, field, json_string(v ? v : ""));
	}
	if (problems.n > 0) {
		/* Each problem next to its field. */
		for (size_t i = 0; i < n_fields; i++) {
			const struct cases_problem *p =
				cases_problem_at(&problems, upper ? upper_fields[i].path : fields[i].path);
			if (p == NULL)
				continue;
			json_object_set_new(errors, upper ? upper_fields[i].field : fields[i].field,
					    json_string(strcmp(p->reason, "before-start") == 0
							    ? "apply.error.end_before_start"
							    : upper ? upper_fields[i].key : fields[i].key));
		}
	}
	if (json_object_size(errors) == 0) {
		/* The rules refused a field: show it next to that field. */
		const char *field = NULL;
		for (size_t i = 0; i < n_fields; i++)
			if (strcmp(upper ? upper_fields[i].path : fields[i].path, e.field) == 0)
				field = upper ? upper_fields[i].field : fields[i].field;
		json_object_set_new(errors, field ? field : "start", json_string("apply.error.rules"));
	}
	show_form(r, w, upper, values, errors);
}
