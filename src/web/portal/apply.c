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
 * now: see prefill_from_registers(). The form asks only what the person
 * alone knows. Each field is checked
 * here with a message next to it; the application is then built in the
 * decision contract's shape and handed to cases_submit(), which decides it
 * at once and commits case, decision and letter durably before the person
 * is sent to the decision. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "registers/registers.h"
#include "web/form.h"
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

/* The upper-secondary form's fields and the contract paths they fill. */
static const struct {
	const char *field, *path;
} upper_fields[] = {{"lives_with_parents", "applicant.lives_with_parents"},
		    {"start", "education.start"},
		    {"end", "education.end"},
		    {"distance_km", "travel.distance_km"},
		    {"daily_travel_minutes", "travel.daily_travel_minutes"},
		    {"walking_km", "travel.walking_km"},
		    {"special_circumstances", "special_circumstances"}};

#define N_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* 1 for the upper-secondary form, from ?scheme= or the form's field. */
static int upper_scheme(const char *scheme)
{
	return scheme != NULL && strcmp(scheme, "upper-secondary") == 0;
}

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

static const struct {
	const char *id, *label, *help, *type, *inputmode;
} upper_inputs[] = {{"start", "apply.us.start", "apply.date_help", "date", NULL},
		    {"end", "apply.us.end", "apply.date_help", "date", NULL},
		    {"distance_km", "apply.us.distance_km", "apply.us.distance_km_help", "text", "decimal"},
		    {"daily_travel_minutes", "apply.us.travel_minutes", "apply.us.travel_minutes_help", "text", "numeric"},
		    {"walking_km", "apply.us.walking_km", "apply.us.walking_km_help", "text", "decimal"}};

/* "Don't ask for what the state already knows": with registers, the form
 * starts from what they hold now. The population register says whether the
 * person lives with the parents and where (an address withheld for
 * confidentiality keeps the agency's record); the school's enrolment gives
 * the place of study, the period, the load and, for upper secondary, the
 * travel. The person may still correct any answer, and the registers'
 * facts are fetched again at submit and decided on. A register that does
 * not answer leaves the form as the agency's record fills it, saying so. */
static void prefill_from_registers(struct req *r, const struct person *p, int upper, json_t *values, json_t *held)
{
	struct reg_client *rc = r->app->cases ? r->app->cases->registers : NULL;
	struct reg_person rp;
	struct reg_enrolments en;
	struct err e;
	char day[11], num[32];
	if (rc == NULL)
		return;
	if (reg_population_person(rc, p->nin, &rp, r->a, &e) != 0 ||
	    reg_school_enrolments(rc, p->nin, r->app->school_year, &en, r->a, &e) < 0) {
		json_object_set_new(held, "registers_unavailable", json_true());
		return;
	}
	json_object_set_new(held, "from_registers", json_true());
	json_object_set_new(values, "lives_with_parents", json_string(rp.lives_with_parents ? "yes" : "no"));
	if (rp.address != NULL) {
		json_object_set_new(held, "address", json_string(rp.address->line));
		json_object_set_new(held, "postal",
				    json_string(arena_printf(r->a, "%s %s", rp.address->postcode, rp.address->city)));
	}
	for (int i = 0; i < en.n; i++) {
		const struct reg_enrolment *x = &en.items[i];
		if ((x->level == REG_UPPER_SECONDARY) != upper)
			continue;
		json_object_set_new(held, "institution", json_string(x->institution));
		json_object_set_new(held, "programme", json_string(x->programme));
		json_object_set_new(values, "start", json_string(date_format(x->start, day)));
		json_object_set_new(values, "end", json_string(date_format(x->end, day)));
		if (!upper) {
			snprintf(num, sizeof(num), "%d", x->load_percent);
			json_object_set_new(values, "load_percent", json_string(num));
		} else if (x->has_travel) {
			snprintf(num, sizeof(num), "%.1f", x->travel.distance_km);
			json_object_set_new(values, "distance_km", json_string(num));
			snprintf(num, sizeof(num), "%d", x->travel.daily_travel_minutes);
			json_object_set_new(values, "daily_travel_minutes", json_string(num));
			snprintf(num, sizeof(num), "%.1f", x->travel.walking_km);
			json_object_set_new(values, "walking_km", json_string(num));
		}
		break;
	}
}

/* Show the form with the values given (all strings) and the errors found
 * (field -> catalogue key); takes both references. The first showing
 * (prefill) starts from the registers when the server has them. */
static void show_form_as(struct req *r, struct resp *w, int upper, json_t *values, json_t *errors, int prefill)
{
	struct person p;
	json_t *held = held_data(r, &p);
	if (held == NULL) {
		json_decref(values);
		json_decref(errors);
		resp_error(w, r, 500, "error.internal");
		return;
	}
	if (prefill)
		prefill_from_registers(r, &p, upper, values, held);
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
	if (view_require_login(r, w))
		return;
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

/* Check the upper-secondary questions into errors; fill the travel. */
static void check_upper(struct req *r, json_t *errors, double *km, long *minutes, double *walking, int *special)
{
	*km = form_decimal(req_form(r, "distance_km"), 50000);
	if (*km < 0)
		json_object_set_new(errors, "distance_km", json_string("apply.us.error.distance_km"));
	*minutes = form_int(req_form(r, "daily_travel_minutes"), 0, 1440);
	if (*minutes < 0)
		json_object_set_new(errors, "daily_travel_minutes", json_string("apply.us.error.travel_minutes"));
	*walking = form_decimal(req_form(r, "walking_km"), 1000);
	if (*walking < 0)
		json_object_set_new(errors, "walking_km", json_string("apply.us.error.walking_km"));
	const char *sc = req_form(r, "special_circumstances");
	*special = sc != NULL && strcmp(sc, "yes") == 0;
	if (sc != NULL && *sc != '\0' && !*special)
		json_object_set_new(errors, "special_circumstances", json_string("apply.us.error.special"));
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
	int upper = upper_scheme(req_form(r, "scheme"));
	json_t *values = json_object(), *errors = json_object();
	size_t n_fields = upper ? N_FIELDS(upper_fields) : N_FIELDS(fields);
	for (size_t i = 0; i < n_fields; i++) {
		const char *field = upper ? upper_fields[i].field : fields[i].field;
		const char *v = req_form(r, field);
		json_object_set_new(values, field, json_string(v ? v : ""));
	}
	const char *lwp = req_form(r, "lives_with_parents");
	if (lwp == NULL || (strcmp(lwp, "yes") != 0 && strcmp(lwp, "no") != 0))
		json_object_set_new(errors, "lives_with_parents", json_string("apply.error.lives_with_parents"));
	long load = upper ? 100 : form_int(req_form(r, "load_percent"), 1, 100);
	if (load < 0)
		json_object_set_new(errors, "load_percent", json_string("apply.error.load_percent"));
	if (date_parse(req_form(r, "start"), &start) != 0)
		json_object_set_new(errors, "start", json_string("apply.error.date"));
	if (date_parse(req_form(r, "end"), &end) != 0)
		json_object_set_new(errors, "end", json_string("apply.error.date"));
	else if (json_object_get(errors, "start") == NULL && end < start)
		json_object_set_new(errors, "end", json_string("apply.error.end_before_start"));
	long months = upper ? 0 : form_int(req_form(r, "months_requested"), 1, 11);
	if (months < 0)
		json_object_set_new(errors, "months_requested", json_string("apply.error.months"));
	double km = 0, walking = 0;
	long minutes = 0;
	int special = 0;
	if (upper)
		check_upper(r, errors, &km, &minutes, &walking, &special);
	if (json_object_size(errors) > 0) {
		show_form(r, w, upper, values, errors);
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
	json_t *app = json_pack("{s:s,s:s,s:s,s:{s:s,s:b,s:b},s:{s:s,s:i,s:s,s:s}}", "scheme",
				upper ? "upper-secondary" : "higher-education", "school_year", r->app->school_year,
				"decision_date", date_format((date_t)days, today), "applicant", "birth_date",
				date_format(p.birth_date, birth), "lives_with_parents", strcmp(lwp, "yes") == 0,
				"married", 0, "education", "level", upper ? "upper-secondary" : "higher",
				"load_percent", (int)load, "start", req_form(r, "start"), "end", req_form(r, "end"));
	if (upper) {
		json_object_set_new(app, "travel", json_pack("{s:f,s:i,s:f}", "distance_km", km, "daily_travel_minutes",
							     (int)minutes, "walking_km", walking));
		json_object_set_new(app, "special_circumstances", json_boolean(special));
	} else {
		json_object_set_new(app, "loan", json_pack("{s:i}", "months_requested", (int)months));
	}
	struct submitted out;
	int rc = cases_submit(r->app->cases, &r->who, app, r->now, &out, &e);
	json_decref(app);
	if (rc != 0) {
		if (e.code == ERR_INVALID) {
			/* The rules refused a field: show it next to that field. */
			const char *field = NULL;
			for (size_t i = 0; i < n_fields; i++)
				if (strcmp(upper ? upper_fields[i].path : fields[i].path, e.field) == 0)
					field = upper ? upper_fields[i].field : fields[i].field;
			json_object_set_new(errors, field ? field : "start", json_string("apply.error.rules"));
			show_form(r, w, upper, values, errors);
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
