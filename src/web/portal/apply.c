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
 * person is sent to the decision.
 *
 * #15 (applying right): the scheme is never guessed at submit (a post
 * without one is answered with the form and a message), the form names the
 * institution (from the schools register's list) and the programme, and
 * carries an idempotency key made when it is shown: the domain keeps one
 * application per person, scheme and school year, answers a repeated
 * submission with the first's result and refuses another with 409 and a
 * link to the first, from where a change application ("endringssøknad",
 * /soknad?endring=N) is made. Dates are written dd.mm.åååå (ISO is taken
 * too), the same with and without JavaScript. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/application.h"
#include "cases/cases.h"
#include "cases/loan_relief.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/i18n.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/portal/apply.h"
#include "web/portal/view.h"

/* The form's fields, the contract paths they fill, and the message for a
 * problem the builder finds there. */
struct field_def {
	const char *field, *path, *key;
};

static const struct field_def fields[] = {
    {"institution", "education.institution", "apply.error.institution"},
    {"programme", "education.programme", "apply.error.programme"},
    {"lives_with_parents", "applicant.lives_with_parents", "apply.error.lives_with_parents"},
    {"load_percent", "education.load_percent", "apply.error.load_percent"},
    {"start", "education.start", "apply.error.start"},
    {"end", "education.end", "apply.error.end"},
    {"months_requested", "loan.months_requested", "apply.error.months"}};

/* The upper-secondary form's fields, as above. */
static const struct field_def upper_fields[] = {
    {"institution", "education.institution", "apply.us.error.institution"},
    {"programme", "education.programme", "apply.us.error.programme"},
    {"lives_with_parents", "applicant.lives_with_parents", "apply.error.lives_with_parents"},
    {"start", "education.start", "apply.us.error.start"},
    {"end", "education.end", "apply.us.error.end"},
    {"distance_km", "travel.distance_km", "apply.us.error.distance_km"},
    {"daily_travel_minutes", "travel.daily_travel_minutes", "apply.us.error.travel_minutes"},
    {"walking_km", "travel.walking_km", "apply.us.error.walking_km"},
    {"special_circumstances", "special_circumstances", "apply.us.error.special"}};

#define N_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* 1 upper secondary, 0 higher education, -1 none chosen. */
static int scheme_of(const char *scheme)
{
	if (scheme == NULL)
		return -1;
	return strcmp(scheme, "upper-secondary") == 0 ? 1 : strcmp(scheme, "higher-education") == 0 ? 0 : -1;
}

/* What the agency (and the registers) hold, as the form shows it. */
json_t *apply_held_data(struct req *r, const struct cases_application_form *f)
{
	char day[11];
	json_t *held = json_pack("{s:s,s:s,s:s,s:s,s:b}", "name",
				 arena_printf(r->a, "%s %s", f->given_name, f->family_name), "birth_date",
				 date_format(f->birth_date, day), "address", f->address, "postal",
				 arena_printf(r->a, "%s %s", f->postcode, f->city), "confidential", f->confidential_address);
	if (held != NULL && f->from_registers)
		json_object_set_new(held, "from_registers", json_true());
	if (held != NULL && f->registers_unavailable)
		json_object_set_new(held, "registers_unavailable", json_true());
	return held;
}

/* The text inputs of the form: id, label, help, inputmode, autocomplete. */
struct input_def {
	const char *id, *label, *help, *inputmode;
};

static const struct input_def inputs[] = {{"load_percent", "apply.load_percent", "apply.load_percent_help", "numeric"},
					  {"start", "apply.start", "apply.date_help", "numeric"},
					  {"end", "apply.end", "apply.date_help", "numeric"},
					  {"months_requested", "apply.months", "apply.months_help", "numeric"}};

static const struct input_def upper_inputs[] = {
    {"start", "apply.us.start", "apply.date_help", "numeric"},
    {"end", "apply.us.end", "apply.date_help", "numeric"},
    {"distance_km", "apply.us.distance_km", "apply.us.distance_km_help", "decimal"},
    {"daily_travel_minutes", "apply.us.travel_minutes", "apply.us.travel_minutes_help", "numeric"},
    {"walking_km", "apply.us.walking_km", "apply.us.walking_km_help", "decimal"}};

/* A date as the form shows it: dd.mm.åååå, as Norwegians write it. */
static const char *form_day(struct req *r, date_t d)
{
	int y, m, day;
	date_to_ymd(d, &y, &m, &day);
	return arena_printf(r->a, "%02d.%02d.%04d", day, m, y);
}

/* Set key in values unless it is there already. */
static void fill(json_t *values, const char *key, const char *v)
{
	if (json_object_get(values, key) == NULL)
		json_object_set_new(values, key, json_string(v));
}

/* The first showing starts from what the registers (or the agency's own
 * record) suggest, else from the school year's ordinary days; the person
 * may still correct any answer, and the registers' facts are fetched again
 * at submit and decided on. */
static void prefill_values(struct req *r, const struct cases_application_form *f, int upper, json_t *values)
{
	char num[32];
	const char *year = r->app->school_year;
	fill(values, "institution", f->institution);
	fill(values, "programme", f->programme);
	if (f->from_registers)
		fill(values, "lives_with_parents", f->lives_with_parents ? "yes" : "no");
	if (f->from_registers && f->enrolled) {
		fill(values, "start", form_day(r, f->start));
		fill(values, "end", form_day(r, f->end));
		if (!upper) {
			snprintf(num, sizeof(num), "%d", f->load_percent);
			fill(values, "load_percent", num);
		} else if (f->has_travel) {
			snprintf(num, sizeof(num), "%.1f", f->distance_km);
			fill(values, "distance_km", num);
			snprintf(num, sizeof(num), "%d", f->daily_travel_minutes);
			fill(values, "daily_travel_minutes", num);
			snprintf(num, sizeof(num), "%.1f", f->walking_km);
			fill(values, "walking_km", num);
		}
	}
	/* Defaults: the school year's ordinary days. */
	fill(values, "start", arena_printf(r->a, "%s.08.%.4s", upper ? "19" : "15", year));
	fill(values, "end", arena_printf(r->a, "%s.06.%.4s", upper ? "20" : "15", year + 5));
	if (!upper) {
		fill(values, "load_percent", "100");
		fill(values, "months_requested", "11");
	}
}

/* A new idempotency key for a form shown: 32 hex digits. */
const char *apply_new_key(struct req *r)
{
	unsigned char raw[16];
	char *hex = arena_alloc(r->a, 33);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, 33, raw, sizeof(raw));
	return hex;
}

/* Show the form with the values given (all strings) and the errors found
 * (field -> catalogue key); takes both references. upper -1 lets the
 * schools register choose the scheme. The first showing (prefill) starts
 * from the registers when the server has them. change_of is the case a
 * change application changes (0: a new application). The form's reading
 * goes through the gate: a visitor who may not apply is sent to log in, or
 * refused. */
static void show_form_as(struct req *r, struct resp *w, int upper, json_t *values, json_t *errors, int prefill,
			 int64_t change_of)
{
	struct cases_application_form form;
	struct err e;
	json_t *held = NULL;
	err_clear(&e);
	if (cases_application_form(r->app->cases, &r->who, upper, r->app->school_year, prefill,
				   r->now, &form, r->a, &e) != 0 ||
	    (held = apply_held_data(r, &form)) == NULL) {
		if (e.code == ERR_NONE)
			err_set(&e, ERR_INTERNAL, NULL, "out of memory");
		json_decref(values);
		json_decref(errors);
		resp_failure(w, r, &e, "application form");
		return;
	}
	upper = form.upper;
	if (prefill)
		prefill_values(r, &form, upper, values);
	const char *key = json_string_value(json_object_get(values, "key"));
	json_t *d = json_pack("{s:o,s:s,s:b,s:s,s:s,s:s,s:s}", "held", held, "school_year", r->app->school_year, "upper",
			      upper, "scheme", upper ? "upper-secondary" : "higher-education", "lwp_legend_key",
			      upper ? "apply.us.lives_with_parents" : "apply.lives_with_parents", "lwp_help_key",
			      upper ? "apply.us.lives_with_parents_help" : "apply.lives_with_parents_help", "key",
			      key && *key ? key : apply_new_key(r));
	/* #9: the scheme chooser (_apply_scheme.html) marks the one shown. */
	json_object_set_new(d, "is_higher", json_boolean(!upper));
	json_object_set_new(d, "is_upper", json_boolean(upper));
	if (change_of > 0) {
		json_object_set_new(d, "change_of", json_integer(change_of));
		json_object_set_new(d, "change", json_true());
	}
	const char *lwp = json_string_value(json_object_get(values, "lives_with_parents"));
	json_object_set_new(d, "lwp_no", json_boolean(lwp && strcmp(lwp, "no") == 0));
	json_object_set_new(d, "lwp_yes", json_boolean(lwp && strcmp(lwp, "yes") == 0));
	json_object_set(d, "lwp_error", json_object_get(errors, "lives_with_parents"));
	json_object_set(d, "scheme_error", json_object_get(errors, "scheme"));

	/* The place of study: the schools register's list when it can be
	 * read (the one named first, even if the list lacks it), else text. */
	const char *inst = json_string_value(json_object_get(values, "institution"));
	const char *prog = json_string_value(json_object_get(values, "programme"));
	json_t *place = json_pack("{s:s,s:s,s:s,s:s}", "label_key", upper ? "apply.us.institution" : "apply.institution",
				  "help_key", upper ? "apply.us.institution_help" : "apply.institution_help", "value",
				  inst ? inst : "", "programme", prog ? prog : "");
	json_object_set(place, "error", json_object_get(errors, "institution"));
	json_object_set(place, "programme_error", json_object_get(errors, "programme"));
	json_object_set_new(place, "programme_label_key",
			    json_string(upper ? "apply.us.programme" : "apply.programme"));
	json_object_set_new(place, "programme_help_key",
			    json_string(upper ? "apply.us.programme_help" : "apply.programme_help"));
	if (form.n_institutions > 0) {
		json_t *options = json_array();
		int listed = 0;
		for (int i = 0; i < form.n_institutions; i++) {
			int sel = inst && strcmp(inst, form.institutions[i]) == 0;
			listed |= sel;
			json_array_append_new(options, json_pack("{s:s,s:b}", "name", form.institutions[i], "selected", sel));
		}
		json_object_set_new(place, "options", options);
		json_object_set_new(place, "none_selected", json_boolean(!listed));
	}
	json_object_set_new(d, "place", place);

	json_t *list = json_array();
	const struct input_def *defs = upper ? upper_inputs : inputs;
	size_t n_inputs = upper ? N_FIELDS(upper_inputs) : N_FIELDS(inputs);
	for (size_t i = 0; i < n_inputs; i++) {
		const char *value = json_string_value(json_object_get(values, defs[i].id));
		json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", defs[i].id, "label_key", defs[i].label, "help_key",
				      defs[i].help, "type", "text", "value", value ? value : "");
		if (defs[i].inputmode)
			json_object_set_new(f, "inputmode", json_string(defs[i].inputmode));
		json_object_set(f, "error", json_object_get(errors, defs[i].id));
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
		json_t *m = json_object_get(errors, "scheme");
		if (m)
			json_array_append_new(summary, json_pack("{s:s,s:O}", "field", "scheme-higher", "key", m));
		const struct field_def *fd = upper ? upper_fields : fields;
		size_t n_fields = upper ? N_FIELDS(upper_fields) : N_FIELDS(fields);
		for (size_t i = 0; i < n_fields; i++) {
			m = json_object_get(errors, fd[i].field);
			const char *anchor = strcmp(fd[i].field, "lives_with_parents") == 0 ? "lwp-no" : fd[i].field;
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

/* The answers of a case as the form's values (strings), for a change
 * application. */
static json_t *values_of(struct req *r, const struct cases_answers *a)
{
	char num[32];
	json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:s}", "institution", a->institution, "programme", a->programme,
			      "lives_with_parents", a->lives_with_parents ? "yes" : "no", "start",
			      form_day(r, a->start), "end", form_day(r, a->end));
	if (!a->upper) {
		snprintf(num, sizeof(num), "%d", a->load_percent);
		json_object_set_new(v, "load_percent", json_string(num));
		snprintf(num, sizeof(num), "%d", a->months_requested);
		json_object_set_new(v, "months_requested", json_string(num));
	} else {
		if (a->with_travel) {
			snprintf(num, sizeof(num), "%g", a->distance_km);
			json_object_set_new(v, "distance_km", json_string(num));
			snprintf(num, sizeof(num), "%d", a->daily_travel_minutes);
			json_object_set_new(v, "daily_travel_minutes", json_string(num));
			snprintf(num, sizeof(num), "%g", a->walking_km);
			json_object_set_new(v, "walking_km", json_string(num));
		}
		json_object_set_new(v, "special_circumstances", json_string(a->special_circumstances ? "yes" : ""));
	}
	return v;
}

void portal_apply_form(struct req *r, struct resp *w)
{
	const char *change = req_query(r, "endring");
	if (change != NULL) {
		/* A change application starts from the first one's answers. */
		struct cases_answers a;
		struct err e;
		long id = form_int(change, 1, 999999999999L);
		if (id < 1) {
			resp_error(w, r, 404, "error.not-found");
			return;
		}
		if (cases_application_answers(r->app->cases, &r->who, id, r->now, &a, r->a, &e) != 0) {
			resp_failure(w, r, &e, "change application");
			return;
		}
		if (a.grant != CASES_GRANT_NONE) { /* #9: a sickness or parental grant */
			apply_grant_form(r, w, &a, id);
			return;
		}
		show_form_as(r, w, a.upper, values_of(r, &a), json_object(), 0, id);
		return;
	}
	int grant = apply_grant_of(req_query(r, "scheme"));
	if (grant != CASES_GRANT_NONE) { /* #9 */
		apply_grant_form_new(r, w, grant);
		return;
	}
	show_form_as(r, w, scheme_of(req_query(r, "scheme")), json_object(), json_object(), 1, 0);
}

/* A yes/no question: 1, 0, or -1 when answered otherwise (or not). */
static int yes_no(const char *v)
{
	return v == NULL ? -1 : strcmp(v, "yes") == 0 ? 1 : strcmp(v, "no") == 0 ? 0 : -1;
}

/* A date from the form, read as every date field reads it
 * (date_parse_input: dd.mm.åååå or ISO); CASES_DATE_INVALID otherwise. */
static date_t form_date(const char *v)
{
	date_t d;
	return date_parse_input(v, &d) == 0 ? d : CASES_DATE_INVALID;
}

/* The person's answers from the form (the checks are the builder's). */
static void read_answers(struct req *r, int upper, struct cases_answers *a)
{
	memset(a, 0, sizeof(*a));
	a->upper = upper;
	a->school_year = r->app->school_year;
	a->lives_with_parents = yes_no(req_form(r, "lives_with_parents"));
	a->married = 0;
	a->with_place = 1;
	a->institution = req_form(r, "institution");
	a->programme = req_form(r, "programme");
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

/* A client that asks for JSON (Accept: application/json) gets the API's
 * answer instead of a page. */
int apply_wants_json(const struct req *r)
{
	return r->accept != NULL && strstr(r->accept, "application/json") != NULL;
}

/* The second application for a scheme and school year: 409, with a link
 * to the first and to a change application of it. */
void apply_already_applied(struct req *r, struct resp *w, const char *scheme, int64_t first)
{
	const char *link = arena_printf(r->a, "/saker/%lld", (long long)first);
	/* #11 (helper A): a deferral or relief is applied for anew from "Min
	 * gjeld", never changed: no link to a change application. */
	int changeable = strcmp(scheme, "payment-deferral") != 0 && strcmp(scheme, "interest-relief") != 0;
	if (apply_wants_json(r)) {
		resp_json(w, 409,
			  json_pack("{s:s,s:s,s:s,s:I,s:s,s:s?}", "error", "already-applied", "field", "application",
				    "message", "an application for this scheme and school year is made already",
				    "case_id", (json_int_t)first, "case", link, "change",
				    changeable ? arena_printf(r->a, "/soknad?endring=%lld", (long long)first) : NULL));
		return;
	}
	json_t *d = json_pack("{s:I,s:s,s:s,s:s,s:b}", "case_id", (json_int_t)first, "school_year",
			      changeable ? r->app->school_year : cases_loan_school_year(r->now, r->a),
			      "scheme", i18n_get(r->lang, arena_printf(r->a, "scheme.%s", scheme)),
			      "case", link, "changeable", changeable);
	w->status = 409;
	resp_page(w, r, "apply_exists", "apply.exists.title", d);
}

int apply_submit(struct req *r, struct resp *w, const char *scheme, struct cases_answers *a, const char *key,
		 long change_of, struct cases_problems *problems, struct err *e)
{
	struct submitted out;
	int repeated = 0, rc;
	if (change_of > 0)
		rc = cases_apply_change(r->app->cases, &r->who, change_of, a, r->now, &out, problems, e);
	else
		rc = cases_apply_once(r->app->cases, &r->who, a, key, r->now, &out, &repeated, problems, e);
	if (rc == 0) {
		const char *link = arena_printf(r->a, "/saker/%lld", (long long)out.case_id);
		if (apply_wants_json(r))
			resp_json(w, repeated ? 200 : 201,
				  json_pack("{s:I,s:s,s:s?,s:b}", "case_id", (json_int_t)out.case_id, "case", link,
					    "outcome", out.outcome, "repeated", repeated));
		else
			resp_redirect(w, r, link);
		return 1;
	}
	if (e->code == ERR_CONFLICT && strcmp(e->field, "application") == 0) {
		apply_already_applied(r, w, scheme, out.case_id);
		return 1;
	}
	/* #11 (helper A): no loan account to defer or relieve: the loan's
	 * form says so (loan_relief.c). */
	if (e->code == ERR_CONFLICT && strcmp(e->field, "loan") == 0)
		return 0;
	if (e->code != ERR_INVALID) {
		resp_failure(w, r, e, "apply");
		return 1;
	}
	if (apply_wants_json(r)) {
		resp_json(w, 422, json_pack("{s:s,s:s,s:s}", "error", "invalid", "field", e->field, "message", e->message));
		return 1;
	}
	return 0;
}

void portal_apply_submit(struct req *r, struct resp *w)
{
	struct err e;
	struct cases_answers answers;
	struct cases_problems problems;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	/* #9: the sickness and parental grants have their own questions. */
	int grant = apply_grant_of(req_form(r, "scheme"));
	if (grant != CASES_GRANT_NONE) {
		apply_grant_submit(r, w, grant);
		return;
	}
	/* The scheme is never guessed: a form posted without one (or with one
	 * we do not know) is shown again, asking for it. */
	int upper = scheme_of(req_form(r, "scheme"));
	const struct field_def *fd = upper > 0 ? upper_fields : fields;
	size_t n_fields = upper > 0 ? N_FIELDS(upper_fields) : N_FIELDS(fields);
	long change_of = 0;
	const char *change = req_form(r, "change_of");
	if (change != NULL && *change != '\0' && (change_of = form_int(change, 1, 999999999999L)) < 1) {
		resp_error(w, r, 404, "error.not-found");
		return;
	}
	json_t *values = json_object(), *errors = json_object();
	for (size_t i = 0; i < n_fields; i++) {
		const char *v = req_form(r, fd[i].field);
		json_object_set_new(values, fd[i].field, json_string(v ? v : ""));
	}
	const char *key = req_form(r, "key");
	if (key != NULL)
		json_object_set_new(values, "key", json_string(key));
	if (upper < 0) {
		json_object_set_new(errors, "scheme", json_string("apply.error.scheme"));
		if (apply_wants_json(r)) {
			json_decref(values);
			json_decref(errors);
			resp_json(w, 422, json_pack("{s:s,s:s,s:s}", "error", "invalid", "field", "scheme", "message",
						    "must be higher-education, upper-secondary, sickness-grant or parental-grant"));
			return;
		}
		show_form_as(r, w, 0, values, errors, 0, 0);
		return;
	}
	read_answers(r, upper, &answers);
	if (apply_submit(r, w, upper ? "upper-secondary" : "higher-education", &answers, key, change_of, &problems, &e)) {
		json_decref(values);
		json_decref(errors);
		return;
	}
	for (int i = 0; i < problems.n; i++) {
		/* Each problem next to its field. */
		for (size_t k = 0; k < n_fields; k++) {
			if (strcmp(problems.items[i].path, fd[k].path) != 0 || json_object_get(errors, fd[k].field))
				continue;
			const char *reason = problems.items[i].reason;
			json_object_set_new(errors, fd[k].field,
					    json_string(strcmp(reason, "before-start") == 0 ? "apply.error.end_before_start"
							: strcmp(reason, "not-listed") == 0 ? "apply.error.not_listed"
											    : fd[k].key));
		}
	}
	if (json_object_size(errors) == 0) {
		/* The rules refused a field: show it next to that field. */
		const char *field = NULL;
		for (size_t i = 0; i < n_fields; i++)
			if (strcmp(fd[i].path, e.field) == 0)
				field = fd[i].field;
		json_object_set_new(errors, field ? field : "start", json_string("apply.error.rules"));
	}
	show_form_as(r, w, upper, values, errors, 0, change_of);
}
