/* workbench.c - the case worker's workbench: the queue of cases the rules
 * sent to a person, a case with everything it was decided on, and the case
 * worker's acts on it: decide it, ask the applicant for documentation, or
 * have it decided again on the registers' facts.
 *
 * The handlers parse, call one domain function of cases/casework.h, and
 * render. The domain functions ask the gate (and audit a refusal, once),
 * audit every reading of a case as the case worker ("staff:N"), build the
 * case worker's decision with its trace and store each act in one
 * transaction; a refusal comes back as an error that resp_failure()
 * answers (a visitor who is not logged in is sent to the login). A form's
 * CSRF token is checked first of all; a form with errors shows the case
 * again with every field's error (422). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/casework.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/money.h"
#include "mailbox/letter.h"
#include "mailbox/messages.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/portal/view.h"
#include "web/workbench/messages.h"

#define LIST_ROWS 200

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

/* ---- small helpers ---- */

/* "2024-11-22" and "14:05" of a Unix time, into the object. */
static void put_when(json_t *o, int64_t unix_seconds)
{
	/* #15: in Norwegian time, as people read it. */
	char day[11], hm[8];
	date_t d;
	int minute;
	date_oslo(unix_seconds, &d, &minute);
	snprintf(hm, sizeof(hm), "%02d:%02d", minute / 60 % 24, minute % 60);
	json_object_set_new(o, "day", json_string(date_format(d, day)));
	json_object_set_new(o, "time", json_string(hm));
}

static const char *reason_label(struct req *r, const char *code)
{
	return arena_printf(r->a, "workbench.reason.%s", code);
}

/* The codes of a stored decision's manual reasons, as tags for a list. */
static json_t *reason_tags(struct req *r, const char *decision_json)
{
	json_t *tags = json_array(), *m;
	json_t *d = decision_json ? json_loads(decision_json, 0, NULL) : NULL;
	size_t i;
	json_array_foreach(json_object_get(d, "manual_reasons"), i, m) {
		const char *code = json_string_value(json_object_get(m, "code"));
		if (code)
			json_array_append_new(tags,
			                      json_pack("{s:s,s:s}", "code", code, "label_key", reason_label(r, code)));
	}
	json_decref(d);
	return tags;
}

/* ---- the queue ---- */

static json_t *queue_list(struct req *r, const struct casework_queue_entry *q, int n)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *c = view_case(&q[i].c);
		json_object_set_new(c, "reasons", reason_tags(r, q[i].c.decision_json));
		if (q[i].deadline)
			json_object_set_new(c, "deadline", json_string(q[i].deadline));
		wb_mailbox_queue_mark(c, q[i].docs_state);
		json_array_append_new(list, c);
	}
	return list;
}

void workbench_queue(struct req *r, struct resp *w)
{
	struct err e;
	struct casework_queue q;
	if (casework_queue(r->app->cases, &r->who, req_query(r, "reason"), r->now, &q, r->a, &e) != 0) {
		resp_failure(w, r, &e, "workbench queue");
		return;
	}
	const char *reason = q.reason;
	json_t *options = json_array();
	int listed = 0;
	for (int i = 0; i < q.n_reasons; i++) {
		int selected = reason && strcmp(reason, q.reasons[i]) == 0;
		listed |= selected;
		json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "code", q.reasons[i], "label_key",
		                                         reason_label(r, q.reasons[i]), "selected", selected));
	}
	/* A filter no waiting case matches still shows as chosen. */
	if (reason && !listed)
		json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "code", reason, "label_key",
		                                         reason_label(r, reason), "selected", 1));
	json_t *d = json_pack("{s:o,s:o,s:o,s:I,s:I}", "manual", queue_list(r, q.manual, q.n_manual), "awaiting",
	                      queue_list(r, q.awaiting, q.n_awaiting), "reasons", options, "manual_count",
	                      (json_int_t)q.manual_total, "awaiting_count", (json_int_t)q.awaiting_total);
	if (reason) {
		json_object_set_new(d, "reason", json_string(reason));
		json_object_set_new(d, "reason_label", json_string(reason_label(r, reason)));
	}
	resp_page(w, r, "workbench_queue", "workbench.title", d);
}

/* ---- the case page ---- */

/* The application's fields a case worker reads, in order, and how. */
enum show { SHOW_TEXT, SHOW_NUMBER, SHOW_DATE, SHOW_BOOL, SHOW_MONEY, SHOW_KEY, SHOW_COUNT, SHOW_PARENTS };

static const struct {
	const char *path, *label;
	enum show show;
	const char *key_prefix; /* SHOW_KEY: the value's catalogue key */
} app_fields[] = {
    {"scheme", "workbench.app.scheme", SHOW_KEY, "scheme."},
    {"school_year", "workbench.app.school_year", SHOW_TEXT, NULL},
    {"decision_date", "workbench.app.decision_date", SHOW_DATE, NULL},
    {"applicant.birth_date", "workbench.app.birth_date", SHOW_DATE, NULL},
    {"applicant.lives_with_parents", "workbench.app.lives_with_parents", SHOW_BOOL, NULL},
    {"applicant.married", "workbench.app.married", SHOW_BOOL, NULL},
    {"applicant.children", "workbench.app.children", SHOW_COUNT, NULL},
    {"applicant.income", "workbench.app.income", SHOW_MONEY, NULL},
    {"applicant.wealth", "workbench.app.wealth", SHOW_MONEY, NULL},
    {"education.level", "workbench.app.level", SHOW_KEY, "workbench.level."},
    {"education.load_percent", "workbench.app.load_percent", SHOW_NUMBER, NULL},
    {"education.start", "workbench.app.start", SHOW_DATE, NULL},
    {"education.end", "workbench.app.end", SHOW_DATE, NULL},
    {"education.equipment_rate", "workbench.app.equipment_rate", SHOW_NUMBER, NULL},
    {"travel.distance_km", "workbench.app.distance_km", SHOW_NUMBER, NULL},
    {"travel.daily_travel_minutes", "workbench.app.daily_travel_minutes", SHOW_NUMBER, NULL},
    {"travel.walking_km", "workbench.app.walking_km", SHOW_NUMBER, NULL},
    {"parents", "workbench.app.parents_income", SHOW_PARENTS, NULL},
    {"special_circumstances", "workbench.app.special_circumstances", SHOW_BOOL, NULL},
    {"loan.months_requested", "workbench.app.months_requested", SHOW_NUMBER, NULL},
    {"loan.balance", "workbench.app.loan_balance", SHOW_MONEY, NULL},
    {"relief_ground", "workbench.app.relief_ground", SHOW_TEXT, NULL},
};

/* The value at a dotted path ("travel.distance_km"), or NULL. */
static json_t *at_path(json_t *o, const char *path)
{
	char part[64];
	while (o != NULL && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		o = json_object_get(o, part);
		path += n + (path[n] == '.');
	}
	return o;
}

/* A number as the language writes it: 12,5 (nb) or 12.5 (en). */
static const char *number_text(struct req *r, json_t *v)
{
	if (json_is_integer(v))
		return arena_printf(r->a, "%lld", (long long)json_integer_value(v));
	char *s = arena_printf(r->a, "%.2f", json_real_value(v));
	char *end = s + strlen(s);
	while (end > s && end[-1] == '0')
		*--end = '\0';
	if (end > s && end[-1] == '.')
		*--end = '\0';
	char *dot = strchr(s, '.');
	if (dot && r->lang == LANG_NB)
		*dot = ',';
	return s;
}

static const char *money_text(struct req *r, int64_t ore)
{
	char *out = arena_alloc(r->a, 64);
	return money_format(ore, r->lang, out, 64);
}

/* The application as a readable list of label and value. */
static json_t *application_view(struct req *r, const char *application_json)
{
	json_t *list = json_array();
	json_t *app = application_json ? json_loads(application_json, 0, NULL) : NULL;
	for (size_t i = 0; app && i < sizeof(app_fields) / sizeof(app_fields[0]); i++) {
		json_t *v = at_path(app, app_fields[i].path);
		if (v == NULL || json_is_null(v))
			continue;
		json_t *item = json_pack("{s:s}", "label_key", app_fields[i].label);
		switch (app_fields[i].show) {
		case SHOW_TEXT:
			if (json_is_string(v))
				json_object_set_new(item, "text", json_string(json_string_value(v)));
			break;
		case SHOW_NUMBER:
			if (json_is_number(v))
				json_object_set_new(item, "text", json_string(number_text(r, v)));
			break;
		case SHOW_DATE:
			if (json_is_string(v))
				json_object_set_new(item, "date", json_string(json_string_value(v)));
			break;
		case SHOW_BOOL:
			json_object_set_new(item, "word", json_string(json_is_true(v) ? "word.yes" : "word.no"));
			break;
		case SHOW_MONEY:
			if (json_is_integer(v))
				json_object_set_new(item, "text", json_string(money_text(r, json_integer_value(v))));
			break;
		case SHOW_KEY:
			if (json_is_string(v))
				json_object_set_new(item, "word",
				                    json_string(arena_printf(r->a, "%s%s", app_fields[i].key_prefix,
				                                             json_string_value(v))));
			break;
		case SHOW_COUNT:
			if (json_is_array(v))
				json_object_set_new(item, "text",
				                    json_string(arena_printf(r->a, "%zu", json_array_size(v))));
			break;
		case SHOW_PARENTS: {
			int64_t sum = 0;
			size_t k;
			json_t *p;
			json_array_foreach(v, k, p) {
				sum += json_integer_value(json_object_get(p, "income"));
			}
			if (json_array_size(v) > 0)
				json_object_set_new(item, "text", json_string(money_text(r, sum)));
			break;
		}
		}
		if (json_object_size(item) > 1)
			json_array_append_new(list, item);
		else
			json_decref(item);
	}
	json_decref(app);
	return list;
}

/* A facts group's source as a reader sees it: a string as it is, or
 * {"register": "tax", "fetched_at": unix} as "Skatteetaten, 22.11.2026
 * 14:05". NULL when there is none. */
static const char *source_text(struct req *r, json_t *src)
{
	if (json_is_string(src))
		return json_string_value(src);
	const char *reg = json_string_value(json_object_get(src, "register"));
	if (reg == NULL)
		return NULL;
	struct buf b;
	char ts[21];
	buf_init(&b, 256);
	buf_puts(&b, i18n_get(r->lang, arena_printf(r->a, "register.%s", reg)));
	json_t *at = json_object_get(src, "fetched_at");
	if (json_is_integer(at) && json_integer_value(at) > 0) {
		/* #15: in Norwegian time, as the case worker's clock reads. */
		buf_puts(&b, ", ");
		i18n_put_date(&b, r->lang, date_format_timestamp(json_integer_value(at), ts));
	}
	const char *out = arena_strdup(r->a, buf_str(&b));
	buf_cleanup(&b);
	return out;
}

/* The facts a case was decided on, each with its source: the shape is the
 * registers' (cases_gather_fn), read here without assuming more than that
 * a "source" names where the values beside and below it came from. */
static void facts_rows(struct req *r, json_t *v, const char *path, const char *source, json_t *rows)
{
	if (json_array_size(rows) >= LIST_ROWS)
		return;
	if (json_is_object(v)) {
		const char *k;
		json_t *child;
		const char *here = source_text(r, json_object_get(v, "source"));
		json_object_foreach(v, k, child) {
			if (strcmp(k, "source") == 0)
				continue;
			facts_rows(r, child, *path ? arena_printf(r->a, "%s.%s", path, k) : k, here ? here : source,
			           rows);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *child;
		json_array_foreach(v, i, child) {
			facts_rows(r, child, arena_printf(r->a, "%s[%zu]", path, i), source, rows);
		}
	} else {
		const char *text = json_is_string(v)    ? json_string_value(v)
		                   : json_is_number(v)  ? number_text(r, v)
		                   : json_is_boolean(v) ? i18n_get(r->lang, json_is_true(v) ? "word.yes" : "word.no")
		                                        : "";
		/* #15: the case worker reads a label and kroner, not the key and
		 * øre: "fact.parents.incomes.income" names parents.incomes[0].income,
		 * with the parent's number; an unknown key shows as it is. */
		struct buf generic;
		int index = -1;
		buf_init(&generic, 256);
		for (const char *c = path; *c; c++) {
			if (*c == '[') {
				index = (int)strtol(c + 1, NULL, 10);
				while (*c && *c != ']')
					c++;
				if (!*c)
					break;
				continue;
			}
			buf_putc(&generic, *c);
		}
		const char *key = arena_printf(r->a, "fact.%s", buf_str(&generic));
		const char *label = i18n_has(key) ? (index >= 0 ? arena_printf(r->a, "%s (%d)", i18n_get(r->lang, key), index + 1)
								: i18n_get(r->lang, key))
						  : path;
		const char *last = strrchr(buf_str(&generic), '.');
		last = last ? last + 1 : buf_str(&generic);
		if (json_is_integer(v) && (strcmp(last, "income") == 0 || strcmp(last, "wealth") == 0)) {
			char money[64];
			text = arena_strdup(r->a, money_format(json_integer_value(v), r->lang, money, sizeof(money)));
		}
		buf_cleanup(&generic);
		json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s}", "path", path, "label", label, "value", text,
						      "source", source ? source : ""));
	}
}

/* The applicant: name, birth date and address, the address withheld
 * when the case worker may not see it. NULL when there is none to show. */
static json_t *applicant_view(struct req *r, const struct casework_case *k)
{
	const struct person *p = &k->applicant;
	char day[11];
	if (!k->has_applicant)
		return NULL;
	json_t *o = json_pack("{s:s,s:s,s:b}", "name", arena_printf(r->a, "%s %s", p->given_name, p->family_name),
	                      "birth_date", date_format(p->birth_date, day), "confidential", p->confidential_address);
	if (k->address_withheld) {
		json_object_set_new(o, "withheld", json_true());
		return o;
	}
	json_object_set_new(o, "address", json_string(p->address ? p->address : ""));
	json_object_set_new(o, "postal", json_string(arena_printf(r->a, "%s %s", p->postcode ? p->postcode : "",
	                                                          p->city ? p->city : "")));
	return o;
}

/* The case's decisions, oldest first, with who made each. */
static json_t *history_view(struct req *r, const struct casework_case *k)
{
	json_t *list = json_array();
	for (int i = 0; i < k->n_history; i++) {
		const struct case_rec *d = &k->history[i].d;
		json_t *h = json_pack("{s:s,s:s,s:b}", "outcome_key",
		                      arena_printf(r->a, "outcome.%s", d->outcome ? d->outcome : ""), "by_key",
		                      k->history[i].by_caseworker ? "workbench.history.by_caseworker"
		                                                  : "workbench.history.by_rules",
		                      "current", d->received_at == 0);
		put_when(h, d->decided_at);
		if (d->received_at != 0) {
			json_t *sup = json_object();
			put_when(sup, d->received_at); /* when it was superseded */
			json_object_set_new(h, "superseded", sup);
		}
		json_array_append_new(list, h);
	}
	return list;
}

/* The case's audit trail, staff named by name beside their id. */
static json_t *audit_view(struct req *r, const struct casework_case *k)
{
	json_t *list = json_array();
	for (int i = 0; i < k->n_audit; i++) {
		const struct audit_rec *rec = &k->audit[i].rec;
		const char *actor = k->audit[i].staff_name
		                        ? arena_printf(r->a, "%s (%s)", k->audit[i].staff_name, rec->actor)
		                        : rec->actor;
		json_t *a = json_pack("{s:s,s:s,s:s}", "actor", actor, "action", rec->action, "detail",
		                      rec->detail ? rec->detail : "");
		put_when(a, rec->at);
		json_array_append_new(list, a);
	}
	return list;
}

/* The decide form's data: outcomes, the awards the rules settled, the
 * boarding grant on offer, and the values and errors of an earlier try. */
static json_t *decide_form(struct req *r, const struct casework_offer *offer, json_t *values, json_t *errors)
{
	static const char *const outcomes[] = {"granted", "partly-granted", "rejected"};
	const char *chosen = json_string_value(json_object_get(values, "outcome"));
	json_t *f = json_object(), *list = json_array();
	json_t *outcome_error = json_object_get(errors, "outcome");
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		json_t *o = json_pack("{s:s,s:s,s:b}", "value", outcomes[i], "label_key",
		                      arena_printf(r->a, "outcome.%s", outcomes[i]), "checked",
		                      chosen && strcmp(chosen, outcomes[i]) == 0);
		if (outcome_error)
			json_object_set(o, "error", outcome_error);
		json_array_append_new(list, o);
	}
	json_object_set_new(f, "outcomes", list);
	json_object_set(f, "outcome_error", outcome_error);

	/* Each award the rules settled, kept unless an earlier try of this
	 * form left it out. */
	json_t *awards = json_array();
	int tried = json_object_get(values, "justification") != NULL;
	for (int i = 0; i < offer->n_awards; i++) {
		const char *name = offer->awards[i].name;
		const char *field = arena_printf(r->a, "keep_%s", name);
		int checked = !tried || json_object_get(values, field) != NULL;
		json_array_append_new(awards, json_pack("{s:s,s:s,s:s,s:I,s:b}", "name", name, "field", field,
		                                        "name_key", arena_printf(r->a, "award.%s", name), "amount",
		                                        (json_int_t)offer->awards[i].amount, "checked", checked));
	}
	json_object_set_new(f, "awards", awards);
	if (offer->boarding_offered) {
		int64_t monthly = offer->boarding_monthly;
		json_object_set_new(f, "boarding",
		                    json_pack("{s:i,s:I,s:I,s:b}", "months", offer->months, "monthly",
		                              (json_int_t)monthly, "amount", (json_int_t)(monthly * offer->months),
		                              "checked", json_object_get(values, "grant_boarding") != NULL));
	}
	json_object_set(f, "justification", json_object_get(values, "justification"));
	json_object_set(f, "justification_error", json_object_get(errors, "justification"));
	return f;
}

static json_t *request_form(struct req *r, json_t *values, json_t *errors)
{
	char fallback[11], min[11], max[11];
	int64_t today = r->now / 86400;
	const char *deadline = json_string_value(json_object_get(values, "deadline"));
	if (deadline == NULL)
		deadline = date_format_input((date_t)(today + CASEWORK_DEADLINE_DEFAULT_DAYS), fallback);
	json_t *f = json_pack("{s:s,s:s,s:s}", "deadline", deadline, "min",
	                      date_format((date_t)(today + CASEWORK_DEADLINE_MIN_DAYS), min), "max",
	                      date_format((date_t)(today + CASEWORK_DEADLINE_MAX_DAYS), max));
	json_object_set(f, "doc_text", json_object_get(values, "doc_text"));
	json_object_set(f, "doc_text_error", json_object_get(errors, "doc_text"));
	json_object_set(f, "deadline_error", json_object_get(errors, "deadline"));
	return f;
}

/* Show case id to the case worker, with the values and errors of a form
 * that was refused (both may be NULL; both references are taken). Every
 * showing is a reading of the case, audited by cases_examine. */
static void show_case(struct req *r, struct resp *w, int64_t id, json_t *values, json_t *errors)
{
	struct casework_case k;
	struct err e;
	if (cases_examine(r->app->cases, &r->who, id, r->now, &k, r->a, &e) != 0) {
		json_decref(values);
		json_decref(errors);
		resp_failure(w, r, &e, "workbench case");
		return;
	}
	const struct case_rec *c = &k.c;
	json_t *d = json_pack("{s:o,s:o,s:o,s:o,s:b}", "case", view_case(c), "application",
	                      application_view(r, c->application_json), "history", history_view(r, &k), "audit",
	                      audit_view(r, &k), "open", k.offer.open);
	json_t *applicant = applicant_view(r, &k);
	if (applicant)
		json_object_set_new(d, "applicant", applicant);
	/* The applicant's communication history (#14), for who may read it. */
	if (access_allowed(&r->who, ACT_TIMELINE_READ, c->person_id))
		json_object_set_new(d, "history_url", json_string(arena_printf(
							  r->a, "/kundesenter/personer/%lld/historikk", (long long)c->person_id)));
	/* #11, helper B: the applicant's loan account, with the write-off at
	 * permanent disability. */
	if (access_allowed(&r->who, ACT_LOAN_WRITE_OFF, c->person_id))
		json_object_set_new(d, "loan_url", json_string(arena_printf(r->a, "/saksbehandling/personer/%lld/gjeld",
									    (long long)c->person_id)));

	json_t *facts = json_array();
	json_t *fj = c->facts_json ? json_loads(c->facts_json, 0, NULL) : NULL;
	if (fj)
		facts_rows(r, fj, "", NULL, facts);
	json_decref(fj);
	json_object_set_new(d, "facts", facts);

	json_t *decision = view_decision_staff(r, c->decision_json);
	if (decision) {
		/* The reasons get a section of their own, with their codes. */
		json_object_del(decision, "reasons");
		json_object_set_new(decision, "decision_heading_key", json_string("workbench.rules_heading"));
		json_object_set_new(decision, "decision_why_key", json_string("workbench.trace_heading"));
		json_object_set_new(d, "decision", decision);
	}
	json_t *reasons = json_array(), *m;
	json_t *stored = c->decision_json ? json_loads(c->decision_json, 0, NULL) : NULL;
	size_t i;
	json_array_foreach(json_object_get(stored, "manual_reasons"), i, m) {
		const char *code = json_string_value(json_object_get(m, "code"));
		if (code == NULL)
			continue;
		json_t *reason = json_pack("{s:s,s:s,s:s,s:O}", "code", code, "label_key", reason_label(r, code),
		                           "text_key",
		                           mbox_audience_key(MBOX_FOR_STAFF, arena_printf(r->a, "reason.%s", code), r->a),
		                           "reference",
		                           json_object_get(m, "reference"));
		mbox_reason_parameter(reason, m, r->a);
		/* #15: a case worker's wording, with the fact and both figures. */
		const char *fact = json_string_value(json_object_get(m, "fact"));
		if (fact != NULL) {
			struct buf t;
			buf_init(&t, 512);
			json_t *args = json_pack("{s:s,s:O,s:O}", "fact", i18n_get(r->lang, arena_printf(r->a, "answers.fact.%s", fact)),
						 "stated", json_object_get(m, "stated"), "register", json_object_get(m, "register"));
			i18n_render(&t, r->lang, arena_printf(r->a, "workbench.reason_text.%s", code), args);
			json_decref(args);
			json_object_set_new(reason, "detail", json_string(buf_str(&t)));
			buf_cleanup(&t);
		}
		json_array_append_new(reasons, reason);
	}
	json_decref(stored);
	json_object_set_new(d, "stop_reasons", reasons);

	json_t *letters = json_array();
	for (int n = 0; n < k.n_letters; n++) {
		json_t *l = view_letter(&k.letters[n].l);
		if (k.letters[n].paper_withheld) /* kept off paper: confidential address */
			json_object_set_new(l, "paper_withheld", json_true());
		json_array_append_new(letters, l);
	}
	json_object_set_new(d, "letters", letters);
	wb_mailbox_case(r, d, &k);
	if (k.has_request) {
		json_t *o = json_pack("{s:s,s:s}", "text", k.request.text, "deadline", k.request.deadline);
		put_when(o, k.request.requested_at);
		json_object_set_new(d, "request", o);
	}

	if (k.offer.open) {
		json_object_set_new(d, "decide", decide_form(r, &k.offer, values, errors));
		json_object_set_new(d, "docs", request_form(r, values, errors));
	}
	if (json_object_size(errors) > 0) {
		static const char *const order[][2] = {{"outcome", "outcome-granted"},
		                                       {"justification", "justification"},
		                                       {"doc_text", "doc_text"},
		                                       {"deadline", "deadline"}};
		json_object_set_new(d, "error_summary", form_error_summary(errors, order, sizeof(order) / sizeof(order[0])));
		w->status = 422;
	}
	json_object_set_new(d, "redecide", json_boolean(k.redecidable));
	const char *done = req_query(r, "done");
	if (done && strcmp(done, "decided") == 0)
		json_object_set_new(d, "done_key", json_string("workbench.done.decided"));
	else if (done && strcmp(done, "requested") == 0)
		json_object_set_new(d, "done_key", json_string("workbench.done.requested"));
	else if (done && strcmp(done, "redecide") == 0)
		json_object_set_new(d, "done_key", json_string("workbench.done.redecide"));
	json_decref(values);
	json_decref(errors);
	resp_page(w, r, "workbench_case", "workbench.case.title", d);
}

void workbench_case(struct req *r, struct resp *w)
{
	show_case(r, w, param_id(r), NULL, NULL);
}

/* ---- acting on a case ---- */

/* The catalogue keys of what the domain found wrong with a form. */
static json_t *error_keys(const struct casework_errors *x)
{
	json_t *errors = json_object();
	if (x->outcome)
		json_object_set_new(errors, "outcome",
		                    json_string(strcmp(x->outcome, "no-awards") == 0 ? "workbench.error.no_awards"
		                                                                     : "workbench.error.outcome"));
	if (x->justification)
		json_object_set_new(errors, "justification", json_string("workbench.error.justification"));
	if (x->doc_text)
		json_object_set_new(errors, "doc_text", json_string("workbench.error.doc_text"));
	if (x->deadline)
		json_object_set_new(errors, "deadline", json_string("workbench.error.deadline"));
	return errors;
}

/* Answer a failed act on case id: the form again with its errors (422),
 * 409 when the case no longer waits, else as resp_failure does. Takes the
 * reference to values. */
static void act_failed(struct req *r, struct resp *w, int64_t id, const struct err *e,
                       const struct casework_errors *x, json_t *values, const char *what)
{
	if (e->code == ERR_INVALID && x->n > 0) {
		show_case(r, w, id, values, error_keys(x));
		return;
	}
	json_decref(values);
	if (e->code == ERR_CONFLICT)
		resp_error(w, r, 409, "workbench.error.not_open");
	else
		resp_failure(w, r, e, what);
}

void workbench_decide(struct req *r, struct resp *w)
{
	struct err e;
	struct casework_errors x;
	int64_t id = param_id(r);
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	/* The form as it came: the awards to keep are its keep_<name>=yes. */
	struct casework_decision_form f = {req_form(r, "outcome"), NULL, 0, 0,
	                                   msg_text_clean(r->a, req_form(r, "justification"))};
	const char **keep = arena_zalloc(r->a, sizeof(*keep) * (size_t)(r->n_form > 0 ? r->n_form : 1));
	json_t *values = json_object();
	for (int i = 0; i < r->n_form; i++) {
		const struct kv *kv = &r->form[i];
		if (strncmp(kv->key, "keep_", 5) == 0 && kv->key[5] != '\0' && strcmp(kv->value, "yes") == 0) {
			keep[f.n_keep++] = kv->key + 5;
			json_object_set_new(values, kv->key, json_string("yes"));
		}
	}
	f.keep = keep;
	const char *gb = req_form(r, "grant_boarding");
	f.grant_boarding = gb && strcmp(gb, "yes") == 0;
	if (f.grant_boarding)
		json_object_set_new(values, "grant_boarding", json_string("yes"));
	json_object_set_new(values, "justification", json_string(f.justification ? f.justification : ""));
	if (cases_decide_by_caseworker(r->app->cases, &r->who, id, &f, r->now, NULL, &x, &e) != 0) {
		/* An outcome of ours stays chosen. */
		if (f.outcome && (x.outcome == NULL || strcmp(x.outcome, "no-awards") == 0))
			json_object_set_new(values, "outcome", json_string(f.outcome));
		act_failed(r, w, id, &e, &x, values, "workbench decide");
		return;
	}
	json_decref(values);
	resp_redirect(w, r, arena_printf(r->a, "/saksbehandling/saker/%lld?done=decided", (long long)id));
}

void workbench_request_docs(struct req *r, struct resp *w)
{
	struct err e;
	struct casework_errors x;
	int64_t id = param_id(r);
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	struct casework_request_form f = {msg_text_clean(r->a, req_form(r, "doc_text")), req_form(r, "deadline")};
	if (cases_request_documentation(r->app->cases, &r->who, id, &f, r->now, NULL, &x, &e) != 0) {
		json_t *values = json_pack("{s:s,s:s}", "doc_text", f.text ? f.text : "", "deadline",
		                           f.deadline && strlen(f.deadline) <= 10 ? f.deadline : "");
		act_failed(r, w, id, &e, &x, values, "workbench request");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/saksbehandling/saker/%lld?done=requested", (long long)id));
}

void workbench_redecide(struct req *r, struct resp *w)
{
	struct err e;
	int64_t id = param_id(r);
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (cases_redecide_by_caseworker(r->app->cases, &r->who, id, r->now, &e) != 0) {
		resp_failure(w, r, &e, "workbench redecide");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/saksbehandling/saker/%lld?done=redecide", (long long)id));
}
