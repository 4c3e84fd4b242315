/* apply.c - "Søk om stipend og lån": the application form for higher
 * education, prefilled with what the agency holds, and its submission.
 *
 * The form asks only what the person alone knows. Each field is checked
 * here with a message next to it; the application is then built in the
 * decision contract's shape and handed to cases_submit(), which decides it
 * at once and commits case, decision and letter durably before the person
 * is sent to the decision. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "web/handlers.h"
#include "web/portal/view.h"

/* The form's fields and the contract paths they fill. */
static const struct {
	const char *field, *path;
} fields[] = {{"lives_with_parents", "applicant.lives_with_parents"},
	      {"load_percent", "education.load_percent"},
	      {"start", "education.start"},
	      {"end", "education.end"},
	      {"months_requested", "loan.months_requested"}};

static json_t *held_data(struct req *r, struct person *p)
{
	struct err e;
	if (store_person_get(r->app->store, r->who.person_id, p, r->a, &e) != 0)
		return NULL;
	char day[11];
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "name",
			 arena_printf(r->a, "%s %s", p->given_name, p->family_name), "birth_date",
			 date_format(p->birth_date, day), "address", p->address, "postal",
			 arena_printf(r->a, "%s %s", p->postcode, p->city), "institution",
			 p->institution ? p->institution : "", "programme", p->programme ? p->programme : "",
			 "confidential", p->confidential_address);
}

/* The text inputs of the form: id, label, help, type, inputmode. */
static const struct {
	const char *id, *label, *help, *type, *inputmode;
} inputs[] = {{"load_percent", "apply.load_percent", "apply.load_percent_help", "text", "numeric"},
	      {"start", "apply.start", "apply.date_help", "date", NULL},
	      {"end", "apply.end", "apply.date_help", "date", NULL},
	      {"months_requested", "apply.months", "apply.months_help", "text", "numeric"}};

/* Show the form with the values given (all strings) and the errors found
 * (field -> catalogue key); takes both references. */
static void show_form(struct req *r, struct resp *w, json_t *values, json_t *errors)
{
	struct person p;
	json_t *held = held_data(r, &p);
	if (held == NULL) {
		json_decref(values);
		json_decref(errors);
		resp_error(w, r, 500, "error.internal");
		return;
	}
	json_t *d = json_pack("{s:o,s:s}", "held", held, "school_year", r->app->school_year);
	const char *lwp = json_string_value(json_object_get(values, "lives_with_parents"));
	json_object_set_new(d, "lwp_no", json_boolean(lwp && strcmp(lwp, "no") == 0));
	json_object_set_new(d, "lwp_yes", json_boolean(lwp && strcmp(lwp, "yes") == 0));
	json_object_set(d, "lwp_error", json_object_get(errors, "lives_with_parents"));
	json_t *list = json_array();
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		const char *value = json_string_value(json_object_get(values, inputs[i].id));
		json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", inputs[i].id, "label_key", inputs[i].label,
				      "help_key", inputs[i].help, "type", inputs[i].type, "value", value ? value : "");
		if (inputs[i].inputmode)
			json_object_set_new(f, "inputmode", json_string(inputs[i].inputmode));
		json_object_set(f, "error", json_object_get(errors, inputs[i].id));
		json_array_append_new(list, f);
	}
	json_object_set_new(d, "inputs", list);
	if (json_object_size(errors) > 0) {
		/* The summary links each message to its field, in form order. */
		json_t *summary = json_array();
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			json_t *m = json_object_get(errors, fields[i].field);
			const char *anchor = strcmp(fields[i].field, "lives_with_parents") == 0 ? "lwp-no" : fields[i].field;
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

void portal_apply_form(struct req *r, struct resp *w)
{
	if (view_require_login(r, w))
		return;
	char start[16], end[16];
	/* Defaults: the school year's ordinary study period. */
	snprintf(start, sizeof(start), "%.4s-08-15", r->app->school_year);
	snprintf(end, sizeof(end), "%.4s-06-15", r->app->school_year + 5);
	show_form(r, w, json_pack("{s:s,s:s,s:s,s:s}", "load_percent", "100", "start", start, "end", end,
				  "months_requested", "11"), json_object());
}

/* A whole number in [min, max] from a form field, else -1. */
static long form_int(const char *s, long min, long max)
{
	char *end;
	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

void portal_apply_submit(struct req *r, struct resp *w)
{
	struct err e;
	date_t start = 0, end = 0;
	if (view_require_login(r, w))
		return;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	json_t *values = json_object(), *errors = json_object();
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *v = req_form(r, fields[i].field);
		json_object_set_new(values, fields[i].field, json_string(v ? v : ""));
	}
	const char *lwp = req_form(r, "lives_with_parents");
	if (lwp == NULL || (strcmp(lwp, "yes") != 0 && strcmp(lwp, "no") != 0))
		json_object_set_new(errors, "lives_with_parents", json_string("apply.error.lives_with_parents"));
	long load = form_int(req_form(r, "load_percent"), 1, 100);
	if (load < 0)
		json_object_set_new(errors, "load_percent", json_string("apply.error.load_percent"));
	if (date_parse(req_form(r, "start"), &start) != 0)
		json_object_set_new(errors, "start", json_string("apply.error.date"));
	if (date_parse(req_form(r, "end"), &end) != 0)
		json_object_set_new(errors, "end", json_string("apply.error.date"));
	else if (json_object_get(errors, "start") == NULL && end < start)
		json_object_set_new(errors, "end", json_string("apply.error.end_before_start"));
	long months = form_int(req_form(r, "months_requested"), 1, 11);
	if (months < 0)
		json_object_set_new(errors, "months_requested", json_string("apply.error.months"));
	if (json_object_size(errors) > 0) {
		show_form(r, w, values, errors);
		return;
	}

	struct person p;
	if (store_person_get(r->app->store, r->who.person_id, &p, r->a, &e) != 0) {
		json_decref(values);
		json_decref(errors);
		resp_error(w, r, 500, "error.internal");
		return;
	}
	char birth[11], today[11];
	int64_t days = r->now / 86400;
	json_t *app = json_pack("{s:s,s:s,s:s,s:{s:s,s:b,s:b},s:{s:s,s:i,s:s,s:s},s:{s:i}}", "scheme",
				"higher-education", "school_year", r->app->school_year, "decision_date",
				date_format((date_t)days, today), "applicant", "birth_date",
				date_format(p.birth_date, birth), "lives_with_parents", strcmp(lwp, "yes") == 0,
				"married", 0, "education", "level", "higher", "load_percent", (int)load, "start",
				req_form(r, "start"), "end", req_form(r, "end"), "loan", "months_requested",
				(int)months);
	struct submitted out;
	int rc = cases_submit(r->app->cases, &r->who, app, r->now, &out, &e);
	json_decref(app);
	if (rc != 0) {
		if (e.code == ERR_INVALID) {
			/* The rules refused a field: show it next to that field. */
			const char *field = NULL;
			for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
				if (strcmp(fields[i].path, e.field) == 0)
					field = fields[i].field;
			json_object_set_new(errors, field ? field : "start", json_string("apply.error.rules"));
			show_form(r, w, values, errors);
			return;
		}
		json_decref(values);
		json_decref(errors);
		log_error("apply: %s", e.message);
		resp_error(w, r, 500, "error.internal");
		return;
	}
	json_decref(values);
	json_decref(errors);
	resp_redirect(w, r, arena_printf(r->a, "/saker/%lld", (long long)out.case_id));
}
