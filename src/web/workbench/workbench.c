/* workbench.c - the case worker's workbench: the queue of cases the rules
 * sent to a person, a case with everything it was decided on, and the case
 * worker's two actions on it: decide it, or ask the applicant for
 * documentation.
 *
 * Every page and action asks the one policy (access_allowed) first and
 * audits a refusal. A case is read through cases_read(), which audits the
 * reading as the case worker ("staff:N"); the applicant's confidential
 * address is shown only to a case worker authorised to see it, and that
 * reading is audited too. A case worker's decision supersedes the rules'
 * (both are kept): it is the rules' decision with the outcome and awards
 * the case worker chose, no manual reasons left, and the rules' trace with
 * the case worker's steps after it, the last one carrying the
 * justification the letter must give (forvaltningsloven § 25). The
 * decision, its letter and its audit record are committed in one
 * transaction; so are a request for documentation, its letter and its
 * audit record. A case is decided once: two case workers deciding at the
 * same moment get one decision and one refusal (409). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/money.h"
#include "mailbox/paper.h"
#include "rules/params.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/portal/view.h"
#include "web/workbench/messages.h"

#define TEXT_MIN 10 /* characters of a justification or request */
#define TEXT_MAX 2000
#define DEADLINE_MIN_DAYS 1
#define DEADLINE_MAX_DAYS 60
#define DEADLINE_DEFAULT_DAYS 14
#define REF_CASEWORKER "forvaltningsloven § 25"
#define LIST_ROWS 200

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

/* ---- audit records the workbench writes itself ---- */

struct record {
	int64_t at;
	const char *actor, *action, *object, *detail;
};

static int append_record(struct store_tx *tx, void *arg, struct err *e)
{
	struct record *rec = arg;
	return audit_append(tx, rec->at, rec->actor, rec->action, rec->object, rec->detail, e);
}

static void audit_now(struct req *r, const char *action, const char *object, const char *detail)
{
	char actor[32];
	struct err e;
	struct record rec = {r->now, access_actor(&r->who, actor, sizeof(actor)), action, object, detail};
	if (store_write(r->app->store, append_record, &rec, &e) != 0)
		log_error("workbench audit %s: %s", action, e.message);
}

/* Answer a visitor who may not do act: to the login when not logged in,
 * else 403, audited as action on object. Returns 1 when it answered. */
static int refuse_unless(struct req *r, struct resp *w, enum action act, int64_t owner, const char *action,
                         const char *object)
{
	if (access_allowed(&r->who, act, owner))
		return 0;
	if (r->who.role == ROLE_ANONYMOUS) {
		resp_redirect(w, r, r->app->test_login ? "/login" : "/");
		return 1;
	}
	audit_now(r, action, object, NULL);
	resp_error(w, r, 403, "error.forbidden");
	return 1;
}

/* ---- small helpers ---- */

/* "2024-11-22" and "14:05" (UTC) of a Unix time, into the object. */
static void put_when(json_t *o, int64_t unix_seconds)
{
	char ts[21];
	date_format_timestamp(unix_seconds, ts);
	json_object_set_new(o, "day", json_stringn(ts, 10));
	json_object_set_new(o, "time", json_stringn(ts + 11, 5));
}

/* 1 when s is well-formed UTF-8; *chars receives its code points. */
static int utf8_chars(const char *s, size_t *chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p) {
		int len = *p < 0x80             ? 1
		          : (*p & 0xE0) == 0xC0 ? 2
		          : (*p & 0xF0) == 0xE0 ? 3
		          : (*p & 0xF8) == 0xF0 ? 4
		                                : 0;
		if (len == 0 || (len == 2 && *p < 0xC2))
			return 0;
		for (int i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += len;
		n++;
	}
	*chars = n;
	return 1;
}

/* The text of a textarea: surrounding white space trimmed, CRLF made LF.
 * NULL when absent; "" when blank. */
static char *form_text(struct req *r, const char *field)
{
	const char *v = req_form(r, field);
	if (v == NULL)
		return NULL;
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	char *out = arena_strdup(r->a, v), *o = out;
	for (const char *p = out; *p; p++)
		if (*p != '\r')
			*o++ = *p;
	*o = '\0';
	while (o > out && (o[-1] == ' ' || o[-1] == '\t' || o[-1] == '\n'))
		*--o = '\0';
	return out;
}

/* 1 when a text of the form has TEXT_MIN to TEXT_MAX characters of UTF-8
 * and no control characters but line breaks and tabs. */
static int text_ok(const char *s)
{
	size_t chars;
	if (s == NULL || !utf8_chars(s, &chars) || chars < TEXT_MIN || chars > TEXT_MAX)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F)
			return 0;
	return 1;
}

/* A reason code as the rules write them ("special-circumstances"). */
static int reason_code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
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

static json_t *queue_list(struct req *r, const char *status, const char *reason, int64_t *total)
{
	struct queue_entry *q;
	struct err e;
	int n = store_case_queue(r->app->store, status, reason, &q, total, r->a, &e);
	if (n < 0) {
		log_error("workbench queue: %s", e.message);
		return NULL;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *c = view_case(&q[i].c);
		json_object_set_new(c, "reasons", reason_tags(r, q[i].c.decision_json));
		if (q[i].deadline)
			json_object_set_new(c, "deadline", json_string(q[i].deadline));
		wb_mailbox_queue_mark(r, c, q[i].c.id);
		json_array_append_new(list, c);
	}
	return list;
}

void workbench_queue(struct req *r, struct resp *w)
{
	struct err e;
	const char **codes;
	int64_t n_manual = 0, n_awaiting = 0;
	if (refuse_unless(r, w, ACT_QUEUE_READ, 0, "queue.read.denied", "queue:caseworker"))
		return;
	const char *reason = req_query(r, "reason");
	if (!reason_code_ok(reason))
		reason = NULL; /* "all reasons", also for a code no rule writes */
	json_t *manual = queue_list(r, "manual", reason, &n_manual);
	json_t *awaiting = queue_list(r, "awaiting-documentation", reason, &n_awaiting);
	int n = store_case_queue_reasons(r->app->store, &codes, r->a, &e);
	if (manual == NULL || awaiting == NULL || n < 0) {
		if (n < 0)
			log_error("workbench reasons: %s", e.message);
		json_decref(manual);
		json_decref(awaiting);
		resp_error(w, r, 500, "error.internal");
		return;
	}
	json_t *options = json_array();
	int listed = 0;
	for (int i = 0; i < n; i++) {
		int selected = reason && strcmp(reason, codes[i]) == 0;
		listed |= selected;
		json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "code", codes[i], "label_key",
		                                         reason_label(r, codes[i]), "selected", selected));
	}
	/* A filter no waiting case matches still shows as chosen. */
	if (reason && !listed)
		json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "code", reason, "label_key",
		                                         reason_label(r, reason), "selected", 1));
	json_t *d = json_pack("{s:o,s:o,s:o,s:I,s:I}", "manual", manual, "awaiting", awaiting, "reasons", options,
	                      "manual_count", (json_int_t)n_manual, "awaiting_count", (json_int_t)n_awaiting);
	if (reason) {
		json_object_set_new(d, "reason", json_string(reason));
		json_object_set_new(d, "reason_label", json_string(reason_label(r, reason)));
	}
	resp_page(w, r, "workbench_queue", "workbench.title", d);
}

/* ---- what a case offers a case worker ---- */

struct casework {
	json_t *decision; /* the current decision, parsed (owned) */
	int open;         /* waits for a case worker */
	int special;      /* the rules stopped at special circumstances */
	int months;       /* the months of the decision (support.months) */
	const struct param *boarding_rate;
	int boarding_offered; /* a boarding grant the case worker may give */
};

static void casework_init(struct req *r, const struct case_rec *c, struct casework *cw)
{
	size_t i;
	json_t *v;
	memset(cw, 0, sizeof(*cw));
	cw->open = strcmp(c->status, "manual") == 0 || strcmp(c->status, "awaiting-documentation") == 0;
	cw->decision = c->decision_json ? json_loads(c->decision_json, 0, NULL) : NULL;
	if (cw->decision == NULL) {
		cw->open = 0; /* nothing the rules decided to build on */
		return;
	}
	json_array_foreach(json_object_get(cw->decision, "manual_reasons"), i, v) {
		const char *code = json_string_value(json_object_get(v, "code"));
		cw->special |= code && strcmp(code, "special-circumstances") == 0;
	}
	json_array_foreach(json_object_get(cw->decision, "trace"), i, v) {
		const char *rule = json_string_value(json_object_get(v, "rule"));
		if (rule && strcmp(rule, "support.months") == 0 && json_is_integer(json_object_get(v, "value")))
			cw->months = (int)json_integer_value(json_object_get(v, "value"));
	}
	int has_boarding = 0;
	json_array_foreach(json_object_get(cw->decision, "awards"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		has_boarding |= name && strcmp(name, "boarding-grant") == 0;
	}
	date_t first, last;
	if (strcmp(c->scheme, "upper-secondary") == 0 && cw->special && !has_boarding && cw->months > 0 &&
	    date_school_year(c->school_year, &first, &last) == 0)
		cw->boarding_rate = params_get(r->app->params, "boarding_grant.monthly", first);
	cw->boarding_offered = cw->open && cw->boarding_rate != NULL;
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
		date_format_timestamp(json_integer_value(at), ts);
		ts[10] = '\0';
		buf_puts(&b, ", ");
		i18n_put_date(&b, r->lang, ts);
		buf_putc(&b, ' ');
		buf_append(&b, ts + 11, 5);
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
		json_array_append_new(
		    rows, json_pack("{s:s,s:s,s:s}", "path", path, "value", text, "source", source ? source : ""));
	}
}

/* The applicant: name, birth date and address, the address withheld
 * unless who may see it; an authorised reading of a confidential address
 * is audited. NULL when who may not read the person. */
static json_t *applicant_view(struct req *r, int64_t case_id, int64_t person_id)
{
	struct person p;
	struct err e;
	char day[11];
	if (!access_allowed(&r->who, ACT_PERSON_READ, person_id) ||
	    store_person_get(r->app->store, person_id, &p, r->a, &e) != 0)
		return NULL;
	json_t *o = json_pack("{s:s,s:s,s:b}", "name", arena_printf(r->a, "%s %s", p.given_name, p.family_name),
	                      "birth_date", date_format(p.birth_date, day), "confidential", p.confidential_address);
	if (p.confidential_address && !access_allowed(&r->who, ACT_SEE_CONFIDENTIAL_ADDRESS, p.id)) {
		json_object_set_new(o, "withheld", json_true());
		return o;
	}
	json_object_set_new(o, "address", json_string(p.address));
	json_object_set_new(o, "postal", json_string(arena_printf(r->a, "%s %s", p.postcode, p.city)));
	if (p.confidential_address)
		audit_now(r, "person.confidential-address.read", arena_printf(r->a, "person:%lld", (long long)p.id),
		          arena_printf(r->a, "case=%lld", (long long)case_id));
	return o;
}

/* The case's decisions, oldest first, with who made each. */
static json_t *history_view(struct req *r, int64_t case_id)
{
	struct case_rec *ds;
	struct err e;
	json_t *list = json_array();
	int n = store_decisions_of_case(r->app->store, case_id, &ds, r->a, &e);
	for (int i = 0; i < n; i++) {
		json_t *d = json_loads(ds[i].decision_json, 0, NULL);
		json_t *trace = json_object_get(d, "trace");
		const char *last =
		    json_string_value(json_object_get(json_array_get(trace, json_array_size(trace) - 1), "rule"));
		int by_caseworker = last && strcmp(last, "caseworker.decision") == 0;
		json_decref(d);
		json_t *h = json_pack("{s:s,s:s,s:b}", "outcome_key",
		                      arena_printf(r->a, "outcome.%s", ds[i].outcome ? ds[i].outcome : ""), "by_key",
		                      by_caseworker ? "workbench.history.by_caseworker" : "workbench.history.by_rules",
		                      "current", ds[i].received_at == 0);
		put_when(h, ds[i].decided_at);
		if (ds[i].received_at != 0) {
			json_t *s = json_object();
			put_when(s, ds[i].received_at); /* when it was superseded */
			json_object_set_new(h, "superseded", s);
		}
		json_array_append_new(list, h);
	}
	return list;
}

/* The case's audit trail, staff named by name beside their id. */
static json_t *audit_view(struct req *r, int64_t case_id)
{
	struct audit_rec *recs;
	struct err e;
	json_t *list = json_array();
	int n = store_audit_of(r->app->store, arena_printf(r->a, "case:%lld", (long long)case_id), &recs, r->a, &e);
	for (int i = 0; i < n; i++) {
		const char *actor = recs[i].actor;
		long long staff_id;
		char *end;
		if (strncmp(actor, "staff:", 6) == 0 && (staff_id = strtoll(actor + 6, &end, 10)) > 0 && *end == '\0') {
			struct staff st;
			if (store_staff_get(r->app->store, staff_id, &st, r->a, &e) == 0)
				actor = arena_printf(r->a, "%s (%s)", st.name, recs[i].actor);
		}
		json_t *a = json_pack("{s:s,s:s,s:s}", "actor", actor, "action", recs[i].action, "detail",
		                      recs[i].detail ? recs[i].detail : "");
		put_when(a, recs[i].at);
		json_array_append_new(list, a);
	}
	return list;
}

/* The decide form's data: outcomes, the awards the rules settled, the
 * boarding grant on offer, and the values and errors of an earlier try. */
static json_t *decide_form(struct req *r, const struct casework *cw, json_t *values, json_t *errors)
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

	/* Each award the rules settled, kept unless the case worker said
	 * otherwise in an earlier try. */
	json_t *awards = json_array(), *a;
	size_t i;
	json_array_foreach(json_object_get(cw->decision, "awards"), i, a) {
		const char *name = json_string_value(json_object_get(a, "name"));
		if (name == NULL)
			continue;
		const char *field = arena_printf(r->a, "keep_%s", name);
		/* Kept unless an earlier try of this form left it out. */
		int tried = json_object_get(values, "justification") != NULL;
		int checked = !tried || json_object_get(values, field) != NULL;
		json_array_append_new(awards, json_pack("{s:s,s:s,s:s,s:O,s:b}", "name", name, "field", field,
		                                        "name_key", arena_printf(r->a, "award.%s", name), "amount",
		                                        json_object_get(a, "amount"), "checked", checked));
	}
	json_object_set_new(f, "awards", awards);
	if (cw->boarding_offered) {
		int64_t monthly = cw->boarding_rate->value;
		json_object_set_new(f, "boarding",
		                    json_pack("{s:i,s:I,s:I,s:b}", "months", cw->months, "monthly", (json_int_t)monthly,
		                              "amount", (json_int_t)(monthly * cw->months), "checked",
		                              json_object_get(values, "grant_boarding") != NULL));
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
		deadline = date_format((date_t)(today + DEADLINE_DEFAULT_DAYS), fallback);
	json_t *f = json_pack("{s:s,s:s,s:s}", "deadline", deadline, "min",
	                      date_format((date_t)(today + DEADLINE_MIN_DAYS), min), "max",
	                      date_format((date_t)(today + DEADLINE_MAX_DAYS), max));
	json_object_set(f, "doc_text", json_object_get(values, "doc_text"));
	json_object_set(f, "doc_text_error", json_object_get(errors, "doc_text"));
	json_object_set(f, "deadline_error", json_object_get(errors, "deadline"));
	return f;
}

/* Show case id to the case worker, with the values and errors of a form
 * that was refused (both may be NULL; both references are taken). Every
 * showing is a reading of the case, audited by cases_read. */
static void show_case(struct req *r, struct resp *w, int64_t id, json_t *values, json_t *errors)
{
	struct case_rec c;
	struct err e;
	struct casework cw;
	if (cases_read(r->app->store, &r->who, id, r->now, &c, r->a, &e) != 0) {
		json_decref(values);
		json_decref(errors);
		resp_failure(w, r, &e, "workbench case");
		return;
	}
	casework_init(r, &c, &cw);
	json_t *d = json_pack("{s:o,s:o,s:o,s:o,s:b}", "case", view_case(&c), "application",
	                      application_view(r, c.application_json), "history", history_view(r, c.id), "audit",
	                      audit_view(r, c.id), "open", cw.open);
	json_t *applicant = applicant_view(r, c.id, c.person_id);
	if (applicant)
		json_object_set_new(d, "applicant", applicant);

	json_t *facts = json_array();
	json_t *fj = c.facts_json ? json_loads(c.facts_json, 0, NULL) : NULL;
	if (fj)
		facts_rows(r, fj, "", NULL, facts);
	json_decref(fj);
	json_object_set_new(d, "facts", facts);

	json_t *decision = view_decision(r, c.decision_json);
	if (decision) {
		/* The reasons get a section of their own, with their codes. */
		json_object_del(decision, "reasons");
		json_object_set_new(decision, "decision_heading_key", json_string("workbench.rules_heading"));
		json_object_set_new(decision, "decision_why_key", json_string("workbench.trace_heading"));
		json_object_set_new(d, "decision", decision);
	}
	json_t *reasons = json_array(), *m;
	size_t i;
	json_array_foreach(json_object_get(cw.decision, "manual_reasons"), i, m) {
		const char *code = json_string_value(json_object_get(m, "code"));
		if (code)
			json_array_append_new(reasons, json_pack("{s:s,s:s,s:s,s:O}", "code", code, "label_key",
			                                         reason_label(r, code), "text_key",
			                                         arena_printf(r->a, "reason.%s", code), "reference",
			                                         json_object_get(m, "reference")));
	}
	json_object_set_new(d, "stop_reasons", reasons);

	struct letter *letters;
	int n = store_letters_of_person(r->app->store, c.person_id, &letters, NULL, r->a, &e);
	json_t *mine = json_array();
	for (int k = n - 1; k >= 0; k--)
		if (letters[k].case_id == c.id)
			json_array_append_new(mine, view_letter(&letters[k]));
	paper_mark_withheld(r->app->store, c.person_id, mine, &e); /* kept off paper: confidential address */
	json_object_set_new(d, "letters", mine);
	wb_mailbox_case(r, d, &c);
	struct doc_request dr;
	if (store_doc_request_latest(r->app->store, c.id, &dr, r->a, &e) == 0) {
		json_t *o = json_pack("{s:s,s:s}", "text", dr.text, "deadline", dr.deadline);
		put_when(o, dr.requested_at);
		json_object_set_new(d, "request", o);
	}

	if (cw.open) {
		json_object_set_new(d, "decide", decide_form(r, &cw, values, errors));
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
	/* The rules' decision (or a case waiting for a case worker) can be
	 * made again on the registers' facts as they are now. */
	int rules_decided = (strcmp(c.status, "decided") == 0 &&
	                     !json_is_true(json_object_get(decision, "by_caseworker"))) ||
	                    strcmp(c.status, "manual") == 0;
	json_object_set_new(d, "redecide", json_boolean(rules_decided));
	const char *done = req_query(r, "done");
	if (done && strcmp(done, "decided") == 0)
		json_object_set_new(d, "done_key", json_string("workbench.done.decided"));
	else if (done && strcmp(done, "requested") == 0)
		json_object_set_new(d, "done_key", json_string("workbench.done.requested"));
	else if (done && strcmp(done, "redecide") == 0)
		json_object_set_new(d, "done_key", json_string("workbench.done.redecide"));
	json_decref(cw.decision);
	json_decref(values);
	json_decref(errors);
	resp_page(w, r, "workbench_case", "workbench.case.title", d);
}

void workbench_case(struct req *r, struct resp *w)
{
	if (refuse_unless(r, w, ACT_QUEUE_READ, 0, "case.read.denied",
	                  arena_printf(r->a, "case:%lld", (long long)param_id(r))))
		return;
	show_case(r, w, param_id(r), NULL, NULL);
}

/* ---- acting on a case ---- */

/* The start of both actions: a case worker, a form from us, a case that
 * waits for a case worker. Returns 1 when it answered; else c and cw are
 * filled (cw->decision to be released by the caller). */
static int begin_action(struct req *r, struct resp *w, enum action act, const char *denied, struct case_rec *c,
                        struct casework *cw)
{
	struct err e;
	int64_t id = param_id(r);
	const char *object = arena_printf(r->a, "case:%lld", (long long)id);
	if (refuse_unless(r, w, ACT_QUEUE_READ, 0, denied, object))
		return 1;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return 1;
	}
	int rc = store_case_get(r->app->store, id, c, r->a, &e);
	if (rc != 0) {
		if (rc > 0)
			err_set(&e, ERR_NOT_FOUND, NULL, "no such case");
		resp_failure(w, r, &e, "workbench action");
		return 1;
	}
	if (refuse_unless(r, w, act, c->person_id, denied, object))
		return 1;
	casework_init(r, c, cw);
	if (!cw->open) {
		json_decref(cw->decision);
		resp_error(w, r, 409, "workbench.error.not_open");
		return 1;
	}
	return 0;
}

/* The explanation of record (bokmål) of a step from its catalogue key. */
static const char *explain(struct req *r, const char *key, const json_t *args)
{
	struct buf b;
	buf_init(&b, 16384);
	i18n_render(&b, LANG_NB, key, args);
	const char *s = arena_strdup(r->a, buf_str(&b));
	buf_cleanup(&b);
	return s;
}

/* The case worker's boarding grant for special circumstances: its award
 * and its trace step, at the rate in force on the school year's first day
 * for the months of the decision. */
static void add_boarding(struct req *r, const struct casework *cw, json_t *awards, json_t *trace)
{
	const struct param *p = cw->boarding_rate;
	int64_t amount = p->value * cw->months;
	char from[11], to[11];
	json_array_append_new(awards, json_pack("{s:s,s:s,s:i,s:I,s:I,s:s}", "name", "boarding-grant", "kind", "grant",
	                                        "months", cw->months, "monthly", (json_int_t)p->value, "amount",
	                                        (json_int_t)amount, "reference", p->reference));
	json_t *step = json_pack(
	    "{s:s,s:s,s:{s:b,s:i},s:{s:I},s:{s:{s:s,s:s}},s:I,s:s}", "rule", "boarding-grant.special-circumstances",
	    "reference", p->reference, "inputs", "special_circumstances", 1, "months", cw->months, "parameters",
	    "boarding_grant.monthly", (json_int_t)p->value, "parameter_validity", "boarding_grant.monthly",
	    "valid_from", date_format(p->valid_from, from), "valid_to", date_format(p->valid_to, to), "value",
	    (json_int_t)amount, "message", "rule.caseworker.boarding-grant");
	json_t *args = json_pack("{s:i,s:I,s:I}", "months", cw->months, "boarding_grant.monthly", (json_int_t)p->value,
	                         "value", (json_int_t)amount);
	json_object_set_new(step, "explanation", json_string(explain(r, "rule.caseworker.boarding-grant", args)));
	json_decref(args);
	json_array_append_new(trace, step);
}

/* The case worker's decision in the contract's shape: the rules' decision
 * with the outcome and awards chosen, no manual reasons left, and the
 * case worker's steps after the rules' trace. New reference. */
static json_t *caseworker_decision(struct req *r, const struct casework *cw, const char *outcome, json_t *kept,
                                   int boarding, const char *justification)
{
	json_t *d = json_deep_copy(cw->decision);
	json_t *awards = json_array();
	if (strcmp(outcome, "rejected") != 0) {
		json_array_extend(awards, kept);
		if (boarding)
			add_boarding(r, cw, awards, json_object_get(d, "trace"));
	}
	json_object_set_new(d, "outcome", json_string(outcome));
	json_object_set_new(d, "awards", awards);
	json_object_set_new(d, "manual_reasons", json_array());
	if (!json_is_array(json_object_get(d, "trace")))
		json_object_set_new(d, "trace", json_array());
	json_t *step = json_pack("{s:s,s:s,s:{s:s},s:{},s:s,s:s}", "rule", "caseworker.decision", "reference",
	                         REF_CASEWORKER, "inputs", "justification", justification, "parameters", "value",
	                         outcome, "message", "rule.caseworker.decision");
	/* The explanation of record carries the justification too, so the
	 * stored decision reads whole without the catalogue. */
	json_object_set_new(
	    step, "explanation",
	    json_string(arena_printf(r->a, "%s %s", explain(r, "rule.caseworker.decision", NULL), justification)));
	json_array_append_new(json_object_get(d, "trace"), step);
	return d;
}

void workbench_decide(struct req *r, struct resp *w)
{
	struct case_rec c;
	struct casework cw;
	struct err e;
	if (begin_action(r, w, ACT_CASE_DECIDE, "case.decide.denied", &c, &cw))
		return;
	json_t *values = json_object(), *errors = json_object(), *kept = json_array(), *a;
	const char *outcome = req_form(r, "outcome");
	int valid_outcome = outcome && (strcmp(outcome, "granted") == 0 || strcmp(outcome, "partly-granted") == 0 ||
	                                strcmp(outcome, "rejected") == 0);
	if (valid_outcome)
		json_object_set_new(values, "outcome", json_string(outcome));
	else
		json_object_set_new(errors, "outcome", json_string("workbench.error.outcome"));
	size_t i;
	json_array_foreach(json_object_get(cw.decision, "awards"), i, a) {
		const char *name = json_string_value(json_object_get(a, "name"));
		const char *field = name ? arena_printf(r->a, "keep_%s", name) : NULL;
		const char *v = field ? req_form(r, field) : NULL;
		if (v && strcmp(v, "yes") == 0) {
			json_object_set_new(values, field, json_string("yes"));
			json_array_append(kept, a);
		}
	}
	const char *gb = req_form(r, "grant_boarding");
	int boarding = cw.boarding_offered && gb && strcmp(gb, "yes") == 0;
	if (boarding)
		json_object_set_new(values, "grant_boarding", json_string("yes"));
	char *justification = form_text(r, "justification");
	json_object_set_new(values, "justification", json_string(justification ? justification : ""));
	if (!text_ok(justification))
		json_object_set_new(errors, "justification", json_string("workbench.error.justification"));
	/* A grant gives something: with nothing kept or added, the case
	 * worker must choose what, or reject. */
	if (valid_outcome && strcmp(outcome, "rejected") != 0 && json_array_size(kept) == 0 && !boarding)
		json_object_set_new(errors, "outcome", json_string("workbench.error.no_awards"));
	if (json_object_size(errors) > 0) {
		json_decref(kept);
		json_decref(cw.decision);
		show_case(r, w, c.id, values, errors);
		return;
	}
	json_t *d = caseworker_decision(r, &cw, outcome, kept, boarding, justification);
	char *dj = json_dumps(d, JSON_COMPACT);
	struct caseworker_decision cd = {
	    c.id, c.person_id, outcome, dj, c.facts_json,
	    arena_printf(r->a, "outcome=%s awards=%zu", outcome, json_array_size(json_object_get(d, "awards")))};
	int rc = dj ? cases_decide_by_caseworker(r->app->store, &r->who, &cd, r->now, NULL, &e)
	            : err_set(&e, ERR_INTERNAL, NULL, "out of memory");
	free(dj);
	json_decref(d);
	json_decref(kept);
	json_decref(cw.decision);
	json_decref(values);
	json_decref(errors);
	if (rc != 0) {
		if (e.code == ERR_CONFLICT)
			resp_error(w, r, 409, "workbench.error.not_open");
		else
			resp_failure(w, r, &e, "workbench decide");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/saksbehandling/saker/%lld?done=decided", (long long)c.id));
}

void workbench_request_docs(struct req *r, struct resp *w)
{
	struct case_rec c;
	struct casework cw;
	struct err e;
	date_t deadline;
	if (begin_action(r, w, ACT_CASE_REQUEST_DOCS, "case.request-docs.denied", &c, &cw))
		return;
	json_decref(cw.decision);
	json_t *values = json_object(), *errors = json_object();
	char *text = form_text(r, "doc_text");
	const char *day = req_form(r, "deadline");
	json_object_set_new(values, "doc_text", json_string(text ? text : ""));
	json_object_set_new(values, "deadline", json_string(day && strlen(day) <= 10 ? day : ""));
	if (!text_ok(text))
		json_object_set_new(errors, "doc_text", json_string("workbench.error.doc_text"));
	int64_t today = r->now / 86400;
	if (date_parse(day, &deadline) != 0 || deadline < today + DEADLINE_MIN_DAYS ||
	    deadline > today + DEADLINE_MAX_DAYS)
		json_object_set_new(errors, "deadline", json_string("workbench.error.deadline"));
	if (json_object_size(errors) > 0) {
		show_case(r, w, c.id, values, errors);
		return;
	}
	json_decref(values);
	json_decref(errors);
	char iso[11];
	if (cases_request_documentation(r->app->store, &r->who, c.id, c.person_id, text, date_format(deadline, iso),
	                                r->now, NULL, &e) != 0) {
		if (e.code == ERR_CONFLICT)
			resp_error(w, r, 409, "workbench.error.not_open");
		else
			resp_failure(w, r, &e, "workbench request");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/saksbehandling/saker/%lld?done=requested", (long long)c.id));
}

struct redecide_tx {
	int64_t case_id, now;
	const char *actor;
};

static int queue_redecide(struct store_tx *tx, void *arg, struct err *e)
{
	struct redecide_tx *q = arg;
	return cases_redecide(tx, q->case_id, q->now, q->actor, "asked by a case worker", e);
}

void workbench_redecide(struct req *r, struct resp *w)
{
	struct case_rec c;
	struct err e;
	char actor[32];
	int64_t id = param_id(r);
	const char *object = arena_printf(r->a, "case:%lld", (long long)id);
	if (refuse_unless(r, w, ACT_QUEUE_READ, 0, "case.redecide.denied", object))
		return;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	int rc = store_case_get(r->app->store, id, &c, r->a, &e);
	if (rc != 0) {
		if (rc > 0)
			err_set(&e, ERR_NOT_FOUND, NULL, "no such case");
		resp_failure(w, r, &e, "workbench redecide");
		return;
	}
	if (refuse_unless(r, w, ACT_CASE_REDECIDE, c.person_id, "case.redecide.denied", object))
		return;
	struct redecide_tx q = {c.id, r->now, access_actor(&r->who, actor, sizeof(actor))};
	if (store_write(r->app->store, queue_redecide, &q, &e) != 0) {
		resp_failure(w, r, &e, "workbench redecide");
		return;
	}
	jobs_notify(r->app->cases->jobs);
	resp_redirect(w, r, arena_printf(r->a, "/saksbehandling/saker/%lld?done=redecide", (long long)c.id));
}
