/* workspace.c - the institutions' workspace (/larested): a school's or an
 * institution of higher education's own students who have applied, with
 * their status; confirming a selection of them (or all, with select-all);
 * one student's page with what the institution has reported and a form to
 * report more (a confirmation, credits, an interruption); a CSV file of
 * reports; and for the administrator, colleagues and the student system's
 * public key.
 *
 * Each handler parses, calls one function of institution/ (which asks the
 * gate) and renders. A batch is all or nothing: with any problem the page
 * lists every one, by line and column, and nothing is stored. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "institution/institution.h"
#include "web/handlers.h"
#include "web/multipart.h"

#define CSV_MAX_FILE (60 * 1024)

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

/* The catalogue key of a kind of report. */
static const char *kind_key(const char *kind)
{
	static const struct {
		const char *kind, *key;
	} keys[] = {{"admission", "institution.kind.admission"},
	            {"semester-registration", "institution.kind.semester-registration"},
	            {"attendance", "institution.kind.attendance"},
	            {"credits", "institution.kind.credits"},
	            {"interruption", "institution.kind.interruption"}};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(kind, keys[i].kind) == 0)
			return keys[i].key;
	return kind;
}

/* The kinds of confirmation an institution of level gives. */
static json_t *confirm_kinds(const char *level, const char *selected)
{
	static const char *const upper[] = {"attendance", NULL};
	static const char *const higher[] = {"admission", "semester-registration", NULL};
	const char *const *k = strcmp(level, "upper-secondary") == 0 ? upper : higher;
	json_t *out = json_array();
	for (; *k; k++)
		json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", *k, "key", kind_key(*k), "selected",
		                                     selected && strcmp(selected, *k) == 0));
	return out;
}

/* Every kind an institution of level reports, for one student's form. */
static json_t *report_kinds(const char *level, const char *selected)
{
	json_t *out = confirm_kinds(level, selected);
	if (strcmp(level, "higher") == 0)
		json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", "credits", "key", kind_key("credits"),
		                                     "selected", selected && strcmp(selected, "credits") == 0));
	json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", "interruption", "key", kind_key("interruption"),
	                                     "selected", selected && strcmp(selected, "interruption") == 0));
	return out;
}

static json_t *problems_json(struct req *r, const struct inst_result *res)
{
	json_t *out = json_array();
	for (int i = 0; i < res->n_problems; i++) {
		const struct inst_problem *p = &res->problems[i];
		json_array_append_new(out, json_pack("{s:i,s:s,s:s,s:s}", "line", p->line, "column", p->column, "key",
		                                     arena_printf(r->a, "institution.error.%s", p->code), "message",
		                                     p->message));
	}
	return out;
}

static json_t *student_json(struct req *r, const struct inst_student_row *s)
{
	char day[11];
	json_t *o =
	    json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "person_id", (json_int_t)s->person_id, "nin", s->nin, "name",
	              s->name, "birth_date", date_format(s->birth_date, day), "case_id", (json_int_t)s->case_id,
	              "scheme", s->scheme, "school_year", s->school_year, "status", s->status);
	json_object_set_new(o, "programme", json_string(s->programme ? s->programme : ""));
	json_object_set_new(o, "status_key", json_string(arena_printf(r->a, "status.%s", s->status)));
	json_object_set_new(o, "scheme_key", json_string(arena_printf(r->a, "scheme.%s", s->scheme)));
	/* Every key is set, null when there is none: the list is rendered
	 * inside {{#students.0}}, whose first student is on the context stack
	 * beneath each row, and a missing key would be found there. */
	json_object_set_new(o, "outcome_key",
	                    s->outcome ? json_string(arena_printf(r->a, "outcome.%s", s->outcome)) : json_null());
	json_object_set_new(o, "confirmed", s->confirmed ? json_string(s->confirmed) : json_null());
	json_object_set_new(o, "confirmed_key", s->confirmed ? json_string(kind_key(s->confirmed)) : json_null());
	json_object_set_new(o, "interrupted", s->interrupted ? json_string(s->interrupted) : json_null());
	return o;
}

/* The default period of a kind for the workspace's forms. */
static const char *default_period(struct req *r, const char *level)
{
	if (strcmp(level, "higher") == 0)
		return arena_printf(r->a, "%.4s-autumn", r->app->school_year);
	return r->app->school_year;
}

static void home(struct req *r, struct resp *w, int status, const struct inst_result *res, const char *kind,
                 const char *period)
{
	struct err e;
	struct inst_overview ov;
	if (inst_overview(r->app->store, &r->who, r->now, &ov, r->a, &e) != 0) {
		resp_failure(w, r, &e, "institution workspace");
		return;
	}
	json_t *d = json_pack("{s:s,s:s,s:s,s:b,s:i}", "orgnr", ov.orgnr, "name", ov.name, "level", ov.level, "admin",
	                      ov.admin, "count", ov.n_students);
	json_object_set_new(d, "higher", json_boolean(strcmp(ov.level, "higher") == 0));
	json_t *list = json_array();
	for (int i = 0; i < ov.n_students; i++)
		json_array_append_new(list, student_json(r, &ov.students[i]));
	json_object_set_new(d, "students", list);
	json_object_set_new(d, "kinds", confirm_kinds(ov.level, kind));
	json_object_set_new(d, "period", json_string(period ? period : default_period(r, ov.level)));
	const char *done = req_query(r, "confirmed"), *same = req_query(r, "unchanged");
	if (done && same && strspn(done, "0123456789") == strlen(done) && strspn(same, "0123456789") == strlen(same))
		json_object_set_new(d, "done", json_pack("{s:s,s:s}", "applied", done, "unchanged", same));
	if (res && res->n_problems > 0)
		json_object_set_new(d, "problems", problems_json(r, res));
	w->status = status;
	resp_page(w, r, "inst_home", "institution.title", d);
}

void inst_home(struct req *r, struct resp *w)
{
	home(r, w, 200, NULL, NULL, NULL);
}

void inst_confirm_selected(struct req *r, struct resp *w)
{
	struct err e;
	struct inst_result res;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *kind = req_form(r, "kind"), *period = req_form(r, "period");
	int all = req_form(r, "all") != NULL;
	int n = 0;
	struct inst_report *items;
	if (all) {
		/* Select-all without a script: every student on the list. */
		struct inst_overview ov;
		if (inst_overview(r->app->store, &r->who, r->now, &ov, r->a, &e) != 0) {
			resp_failure(w, r, &e, "institution confirm");
			return;
		}
		items = arena_zalloc(r->a, sizeof(*items) * (size_t)(ov.n_students + 1));
		for (int i = 0; i < ov.n_students; i++)
			items[n++] = (struct inst_report){ov.students[i].nin, kind, period, NULL, NULL, 0};
	} else {
		items = arena_zalloc(r->a, sizeof(*items) * (size_t)(r->n_form + 1));
		for (int i = 0; i < r->n_form; i++)
			if (strcmp(r->form[i].key, "nin") == 0)
				items[n++] = (struct inst_report){r->form[i].value, kind, period, NULL, NULL, 0};
	}
	if (inst_apply(r->app->cases, &r->who, items, n, 1, r->now, &res, r->a, &e) != 0) {
		resp_failure(w, r, &e, "institution confirm");
		return;
	}
	if (res.n_problems > 0) {
		home(r, w, 422, &res, kind, period);
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/larested?confirmed=%d&unchanged=%d", res.applied, res.unchanged));
}

static void student_page(struct req *r, struct resp *w, int status, const struct inst_result *res,
                         const struct inst_report *form)
{
	struct err e;
	struct inst_student_row s;
	struct inst_fact_row *facts;
	int n;
	int64_t id = param_id(r);
	if (inst_student(r->app->store, &r->who, id, r->now, &s, &facts, &n, r->a, &e) != 0) {
		resp_failure(w, r, &e, "institution student");
		return;
	}
	const char *level = strcmp(s.scheme, "upper-secondary") == 0 ? "upper-secondary" : "higher";
	json_t *d = json_pack("{s:o}", "student", student_json(r, &s));
	json_t *fs = json_array();
	for (int i = 0; i < n; i++) {
		char ts[21];
		json_t *f =
		    json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", kind_key(facts[i].kind), "period", facts[i].period,
		              "effective", facts[i].effective, "reported_by", facts[i].reported_by, "reported_at",
		              date_format_timestamp(facts[i].reported_at, ts));
		/* Always set: a missing key would be found beneath the row. */
		json_object_set_new(f, "credits",
		                    json_string(facts[i].half_credits < 0
		                                    ? ""
		                                    : arena_printf(r->a, "%d%s", facts[i].half_credits / 2,
		                                                   facts[i].half_credits % 2 ? ",5" : "")));
		json_array_append_new(fs, f);
	}
	json_object_set_new(d, "facts", fs);
	json_object_set_new(d, "kinds", report_kinds(level, form ? form->kind : NULL));
	json_object_set_new(d, "period", json_string(form && form->period ? form->period : s.school_year));
	json_object_set_new(d, "date", json_string(form && form->date ? form->date : ""));
	json_object_set_new(d, "credits", json_string(form && form->credits ? form->credits : ""));
	if (res && res->n_problems > 0)
		json_object_set_new(d, "problems", problems_json(r, res));
	if (req_query(r, "saved"))
		json_object_set_new(d, "saved", json_true());
	w->status = status;
	resp_page(w, r, "inst_student", "institution.student.title", d);
}

void inst_student_page(struct req *r, struct resp *w)
{
	student_page(r, w, 200, NULL, NULL);
}

void inst_student_report(struct req *r, struct resp *w)
{
	struct err e;
	struct inst_result res;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	int64_t id = param_id(r);
	struct inst_report rep = {
	    NULL, req_form(r, "kind"), req_form(r, "period"), req_form(r, "date"), req_form(r, "credits"), 0};
	if (inst_report_one(r->app->cases, &r->who, id, &rep, r->now, &res, r->a, &e) != 0) {
		resp_failure(w, r, &e, "institution report");
		return;
	}
	if (res.n_problems > 0) {
		student_page(r, w, 422, &res, &rep);
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/larested/studenter/%lld?saved=1", (long long)id));
}

static void upload_page(struct req *r, struct resp *w, int status, const struct inst_result *res, int applied)
{
	json_t *d = json_object();
	json_object_set_new(d, "max_kib", json_integer(CSV_MAX_FILE / 1024));
	if (res && res->n_problems > 0) {
		json_object_set_new(d, "problems", problems_json(r, res));
		json_object_set_new(d, "problem_count", json_integer(res->n_problems));
	}
	if (applied >= 0)
		json_object_set_new(d, "applied", json_integer(applied));
	w->status = status;
	resp_page(w, r, "inst_upload", "institution.upload.title", d);
}

void inst_upload_form(struct req *r, struct resp *w)
{
	struct err e;
	/* The gate first: the form is the workspace's. */
	if (inst_gate(r->app->store, &r->who, ACT_INSTITUTION_WORKSPACE, r->now, &e) != 0) {
		resp_failure(w, r, &e, "institution upload");
		return;
	}
	const char *done = req_query(r, "applied");
	int applied = -1;
	if (done && *done && strlen(done) < 7 && strspn(done, "0123456789") == strlen(done))
		applied = (int)strtol(done, NULL, 10);
	upload_page(r, w, 200, NULL, applied);
}

void inst_upload(struct req *r, struct resp *w)
{
	struct err e;
	struct multipart mp;
	struct inst_result res;
	char boundary[MULTIPART_BOUNDARY_MAX + 1];
	if (multipart_boundary(r->content_type, boundary, &e) != 0) {
		/* Not a file upload at all: still the token first, then the gate. */
		if (!req_csrf_ok(r))
			resp_error(w, r, 403, "error.csrf");
		else if (inst_gate(r->app->store, &r->who, ACT_INSTITUTION_WORKSPACE, r->now, &e) != 0)
			resp_failure(w, r, &e, "institution upload");
		else
			resp_error(w, r, 400, "error.bad-request");
		return;
	}
	const struct mp_limits lim = {8, 4096, CSV_MAX_FILE, 1024};
	int parsed = multipart_parse(&mp, r->a, r->body, r->body_len, boundary, &lim, &e);
	if (parsed != 0 && mp.fault == MP_MALFORMED) {
		resp_error(w, r, 400, "error.bad-request");
		return;
	}
	/* The plain fields become the form, so that the token reads as any. */
	r->form = arena_alloc(r->a, sizeof(*r->form) * (size_t)(mp.n > 0 ? mp.n : 1));
	r->n_form = 0;
	const struct mp_part *file = NULL;
	for (int i = 0; i < mp.n; i++) {
		const struct mp_part *p = &mp.parts[i];
		if (p->filename == NULL && memchr(p->data, '\0', p->len) == NULL) {
			r->form[r->n_form].key = p->name;
			r->form[r->n_form].value = arena_strndup(r->a, p->data, p->len);
			r->n_form++;
		} else if (p->filename != NULL && strcmp(p->name, "file") == 0 && file == NULL) {
			file = p;
		}
	}
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (inst_gate(r->app->store, &r->who, ACT_INSTITUTION_WORKSPACE, r->now, &e) != 0) {
		resp_failure(w, r, &e, "institution upload");
		return;
	}
	static struct inst_problem too_large = {0, "file", "csv.too_large", "the file is too large"};
	static struct inst_problem none = {0, "file", "csv.none", "choose a file"};
	static struct inst_problem binary = {0, "file", "csv.binary", "the file is not text"};
	memset(&res, 0, sizeof(res));
	if (parsed != 0) {
		res.problems = &too_large;
		res.n_problems = 1;
	} else if (file == NULL || file->len == 0) {
		res.problems = &none;
		res.n_problems = 1;
	} else if (memchr(file->data, '\0', file->len) != NULL) {
		res.problems = &binary;
		res.n_problems = 1;
	} else if (inst_csv_apply(r->app->cases, &r->who, file->data, file->len, r->now, &res, r->a, &e) != 0) {
		resp_failure(w, r, &e, "institution upload");
		return;
	}
	if (res.n_problems > 0) {
		upload_page(r, w, 422, &res, -1);
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/larested/fil?applied=%d", res.applied + res.unchanged));
}

/* ---- the administrator ---- */

static void staff_page(struct req *r, struct resp *w, int status, const char *field, const char *message_key,
                       const char *client_id)
{
	struct err e;
	struct inst_colleague *staff;
	struct inst_client_row *clients;
	int n_staff, n_clients;
	if (inst_staff(r->app->store, &r->who, r->now, &staff, &n_staff, &clients, &n_clients, r->a, &e) != 0) {
		resp_failure(w, r, &e, "institution staff");
		return;
	}
	json_t *d = json_object(), *ss = json_array(), *cs = json_array();
	for (int i = 0; i < n_staff; i++)
		json_array_append_new(ss, json_pack("{s:s,s:s,s:b}", "username", staff[i].username, "name",
		                                    staff[i].name, "admin", staff[i].admin));
	for (int i = 0; i < n_clients; i++) {
		char ts[21];
		json_array_append_new(cs, json_pack("{s:s,s:s,s:b}", "client_id", clients[i].client_id, "registered_at",
		                                    date_format_timestamp(clients[i].registered_at, ts), "revoked",
		                                    clients[i].revoked));
	}
	json_object_set_new(d, "staff", ss);
	json_object_set_new(d, "clients", cs);
	if (field) {
		json_object_set_new(d, "error_field", json_string(field));
		json_object_set_new(d, "error_key", json_string(message_key));
		json_object_set_new(d, "error_summary", json_pack("[{s:s,s:s}]", "field", field, "key", message_key));
		json_object_set_new(d, arena_printf(r->a, "error_%s", field), json_string(message_key));
		json_object_set_new(d, "username", json_string(req_form(r, "username") ? req_form(r, "username") : ""));
		json_object_set_new(d, "staff_name", json_string(req_form(r, "name") ? req_form(r, "name") : ""));
	}
	const char *added = client_id ? client_id : req_query(r, "client");
	if (added && strlen(added) < 64)
		json_object_set_new(d, "client_added", json_string(added));
	if (req_query(r, "added"))
		json_object_set_new(d, "staff_added", json_true());
	if (req_query(r, "revoked"))
		json_object_set_new(d, "client_revoked", json_true());
	w->status = status;
	resp_page(w, r, "inst_staff", "institution.staff.title", d);
}

void inst_staff_page(struct req *r, struct resp *w)
{
	staff_page(r, w, 200, NULL, NULL, NULL);
}

void inst_staff_add_post(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *admin = req_form(r, "admin");
	if (inst_staff_add(r->app->store, &r->who, req_form(r, "username"), req_form(r, "name"),
	                   admin && strcmp(admin, "yes") == 0, r->now, &e) != 0) {
		if (e.code == ERR_INVALID || e.code == ERR_CONFLICT) {
			const char *field = strcmp(e.field, "name") == 0 ? "name" : "username";
			staff_page(r, w, 422, field,
			           e.code == ERR_CONFLICT       ? "institution.error.username.taken"
			           : strcmp(field, "name") == 0 ? "institution.error.name"
			                                        : "institution.error.username",
			           NULL);
			return;
		}
		resp_failure(w, r, &e, "institution staff");
		return;
	}
	resp_redirect(w, r, "/larested/kolleger?added=1");
}

void inst_key_register(struct req *r, struct resp *w)
{
	struct err e;
	const char *client_id;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (inst_client_register(r->app->store, &r->who, req_form(r, "public_key"), r->now, &client_id, r->a, &e) !=
	    0) {
		if (e.code == ERR_INVALID) {
			staff_page(r, w, 422, "public_key", "institution.error.public_key", NULL);
			return;
		}
		resp_failure(w, r, &e, "institution key");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/larested/kolleger?client=%s", client_id));
}

void inst_key_revoke(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (inst_client_revoke(r->app->store, &r->who, req_form(r, "client_id"), r->now, &e) != 0) {
		if (e.code == ERR_NOT_FOUND && strcmp(e.field, "client_id") == 0) {
			staff_page(r, w, 422, "client_id", "institution.error.client_id", NULL);
			return;
		}
		resp_failure(w, r, &e, "institution key revoke");
		return;
	}
	resp_redirect(w, r, "/larested/kolleger?revoked=1");
}
