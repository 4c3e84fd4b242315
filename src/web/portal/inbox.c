/* inbox.c - the mailbox in the portal: the inbox with its search and
 * filters, writing to the agency about a case (e-henvendelse, "Skriv til
 * oss"), sending documentation when a case worker asked for it, and what
 * the case page and the letter page show of letters, the conversation and
 * documentation.
 *
 * The inbox filters by sender (the unit), case, type (the letter's kind)
 * and read state in SQL (store_letters_find), paged. Free text searches
 * what the reader sees of a letter in their own language: its title and
 * its sender. Both are catalogue texts chosen by the letter's kind and
 * unit, so the search is done by matching the text against the few titles
 * and senders there are, here, and asking SQL for the letters of the kinds
 * and units that matched: exact, in either language, and still paged in
 * SQL. Letters of a kind this list does not know carry the general title,
 * and are found when that title matches.
 *
 * Every page asks the policy before it shows anything: a case through
 * cases_read, a letter through mbox_open (both audit the reading, or the
 * refusal, and answer a refusal as if the thing did not exist). */
#include "web/portal/inbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/documents.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "mailbox/mailbox.h"
#include "mailbox/messages.h"
#include "store/messages.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/multipart.h"
#include "web/portal/view.h"

/* The kinds of letter the mailbox knows, and the units that send them. */
static const char *const kinds[] = {"decision", "documentation-request", "answer", "reminder", "information"};
static const char *const units[] = {"student-support", "case-processing", "customer-service"};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))
#define N_UNITS (sizeof(units) / sizeof(units[0]))

#define PAGE_SIZE 20
#define PAGE_MAX 1000
#define QUERY_MAX 100 /* characters of the free text */

_Static_assert(PORTAL_UPLOAD_MAX_BODY >= (size_t)DOC_MAX_FILES * DOC_MAX_BYTES + 64 * 1024,
	       "the upload's body must hold every file the form may carry");

/* ---- small helpers ---- */

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

/* "2024-11-22" and "14:05" (UTC) of a Unix time, into o. */
static void put_when(json_t *o, int64_t unix_seconds)
{
	char ts[21];
	date_format_timestamp(unix_seconds, ts);
	json_object_set_new(o, "day", json_stringn(ts, 10));
	json_object_set_new(o, "time", json_stringn(ts + 11, 5));
}

static int in_list(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return 1;
	return 0;
}

/* The catalogue key naming a kind of letter in lists ("Vedtak"). */
static const char *kind_key(struct arena *a, const char *kind)
{
	return in_list(kind, kinds, N_KINDS) ? arena_printf(a, "mailbox.kind.%s", kind) : "mailbox.kind.other";
}

/* A letter for a list: view_letter with its type, and the day it went on
 * paper when it did. */
static json_t *letter_item(struct arena *a, const struct letter *l)
{
	json_t *j = view_letter(l);
	json_object_set_new(j, "kind_key", json_string(kind_key(a, l->kind)));
	if (l->paper_at > 0 && json_object_get(j, "paper_day") == NULL) {
		char ts[21];
		json_object_set_new(j, "paper_day", json_stringn(date_format_timestamp(l->paper_at, ts), 10));
	}
	return j;
}

/* Append s percent-encoded for a query string. */
/* Lower-case UTF-8 for matching: ASCII and the Latin-1 letters (Æ Ø Å É
 * ...), which is every letter of the catalogues' two languages. Other
 * bytes stay as they are. A copy in a. */
static char *fold(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s);
	for (unsigned char *p = (unsigned char *)out; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (unsigned char)(*p + 32);
		else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97)
			p[1] = (unsigned char)(p[1] + 0x20), p++;
	}
	return out;
}

static int text_matches(struct req *r, const char *needle, const char *key)
{
	return strstr(fold(r->a, i18n_get(r->lang, key)), needle) != NULL;
}

/* A JSON array of strings, as the store's free-text lists want it. */
static const char *json_list(const char *const *items, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* ---- the inbox ---- */

struct filters {
	const char *sender, *type, *read, *q;
	int64_t case_id;
	long page;
};

/* The query string of f with page p ("?sender=...&page=2"). */
static const char *filters_url(struct req *r, const struct filters *f, long p)
{
	struct buf b;
	buf_init(&b, 4096);
	buf_puts(&b, "/innboks?");
	if (f->sender) {
		buf_puts(&b, "sender=");
		http_url_encode(&b, f->sender);
		buf_putc(&b, '&');
	}
	if (f->case_id) {
		buf_printf(&b, "case=%lld&", (long long)f->case_id);
	}
	if (f->type) {
		buf_puts(&b, "type=");
		http_url_encode(&b, f->type);
		buf_putc(&b, '&');
	}
	if (f->read) {
		buf_puts(&b, "read=");
		http_url_encode(&b, f->read);
		buf_putc(&b, '&');
	}
	if (f->q) {
		buf_puts(&b, "q=");
		http_url_encode(&b, f->q);
		buf_putc(&b, '&');
	}
	buf_printf(&b, "page=%ld", p);
	const char *s = arena_strdup(r->a, buf_str(&b));
	buf_cleanup(&b);
	return s;
}

/* A query value, NULL when absent or empty. */
static const char *query_value(struct req *r, const char *key)
{
	const char *v = req_query(r, key);
	return v && *v ? v : NULL;
}

static json_t *options(struct req *r, const char *prefix, const char *const *values, size_t n, const char *chosen)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "value", values[i], "label_key",
						       arena_printf(r->a, "%s%s", prefix, values[i]), "selected",
						       chosen && strcmp(chosen, values[i]) == 0));
	return list;
}

void portal_inbox(struct req *r, struct resp *w)
{
	struct err e;
	struct case_rec *cases;
	if (view_require_login(r, w))
		return;
	if (!access_allowed(&r->who, ACT_LETTER_READ, r->who.person_id)) {
		resp_error(w, r, 403, "error.forbidden");
		return;
	}
	int n_cases = store_cases_of_person(r->app->store, r->who.person_id, &cases, r->a, &e);
	if (n_cases < 0) {
		resp_failure(w, r, &e, "inbox");
		return;
	}
	/* Read and check the filters; a value we do not offer is a field
	 * error, never a guess. */
	struct filters f = {query_value(r, "sender"), query_value(r, "type"), query_value(r, "read"), NULL, 0, 1};
	json_t *errors = json_object();
	if (f.sender && !in_list(f.sender, units, N_UNITS))
		json_object_set_new(errors, "sender", json_string("mailbox.filter.error.sender"));
	if (f.type && !in_list(f.type, kinds, N_KINDS))
		json_object_set_new(errors, "type", json_string("mailbox.filter.error.type"));
	if (f.read && strcmp(f.read, "unread") != 0 && strcmp(f.read, "read") != 0)
		json_object_set_new(errors, "read", json_string("mailbox.filter.error.read"));
	const char *case_v = query_value(r, "case");
	if (case_v) {
		long id = form_int(case_v, 1, 999999999999L);
		for (int i = 0; id > 0 && i < n_cases; i++)
			if (cases[i].id == id)
				f.case_id = id;
		if (f.case_id == 0)
			json_object_set_new(errors, "case", json_string("mailbox.filter.error.case"));
	}
	const char *q = msg_text_clean(r->a, req_query(r, "q"));
	if (q && *q) {
		if (!msg_text_ok(q, 1, QUERY_MAX) || strchr(q, '\n') != NULL)
			json_object_set_new(errors, "q", json_string("mailbox.filter.error.q"));
		f.q = q;
	}
	const char *page_v = query_value(r, "page");
	if (page_v && (f.page = form_int(page_v, 1, PAGE_MAX)) < 1) {
		json_object_set_new(errors, "page", json_string("mailbox.filter.error.page"));
		f.page = 1;
	}

	json_t *d = json_object();
	json_t *case_opts = json_array();
	for (int i = 0; i < n_cases; i++) {
		char scheme_key[64];
		snprintf(scheme_key, sizeof(scheme_key), "scheme.%s", cases[i].scheme);
		json_array_append_new(case_opts, json_pack("{s:I,s:s,s:s,s:b}", "value", (json_int_t)cases[i].id,
							   "scheme_key", scheme_key, "school_year",
							   cases[i].school_year, "selected", cases[i].id == f.case_id));
	}
	static const char *const reads[] = {"unread", "read"};
	json_object_set_new(d, "filters",
			    json_pack("{s:o,s:o,s:o,s:o,s:s,s:b,s:b}", "senders", options(r, "unit.", units, N_UNITS, f.sender),
				      "types", options(r, "mailbox.kind.", kinds, N_KINDS, f.type), "cases", case_opts,
				      "reads", options(r, "mailbox.filter.read.", reads, 2, f.read), "q",
				      req_query(r, "q") ? req_query(r, "q") : "", "active",
				      f.sender || f.type || f.read || f.q || f.case_id, "any_read", f.read == NULL));
	json_object_set_new(d, "errors", errors);

	/* The unread count is the person's, whatever the filters. */
	struct letter *letters;
	int64_t unread = 0, total = 0;
	struct letter_query uq = {r->who.person_id, 0, NULL, NULL, LETTERS_UNREAD, 0, NULL, NULL, NULL, 0, 0, 1};
	if (store_letters_find(r->app->store, &uq, &letters, &unread, r->a, &e) < 0) {
		json_decref(d);
		resp_failure(w, r, &e, "inbox");
		return;
	}
	json_object_set_new(d, "unread_count", json_integer(unread));

	if (json_object_size(errors) > 0) {
		static const char *const order[][2] = {{"sender", "sender"}, {"case", "case"}, {"type", "type"}, {"read", "read"}, {"q", "q"}, {"page", "page"}};
		json_object_set_new(d, "error_summary", form_error_summary(errors, order, sizeof(order) / sizeof(order[0])));
		json_object_set_new(d, "letters", json_array());
		w->status = 422;
		resp_page(w, r, "inbox", "inbox.title", d);
		return;
	}

	struct letter_query lq = {r->who.person_id, f.case_id, f.type, f.sender,
				  f.read == NULL ? LETTERS_ANY : strcmp(f.read, "unread") == 0 ? LETTERS_UNREAD : LETTERS_READ,
				  0, NULL, NULL, NULL, 0, (int)((f.page - 1) * PAGE_SIZE), PAGE_SIZE};
	char *to_free[3] = {NULL, NULL, NULL};
	if (f.q) {
		const char *needle = fold(r->a, f.q);
		const char *kind_hits[N_KINDS], *unit_hits[N_UNITS];
		size_t nk = 0, nu = 0;
		for (size_t i = 0; i < N_KINDS; i++)
			if (text_matches(r, needle, view_letter_title_key(kinds[i])) ||
			    text_matches(r, needle, kind_key(r->a, kinds[i])))
				kind_hits[nk++] = kinds[i];
		for (size_t i = 0; i < N_UNITS; i++)
			if (text_matches(r, needle, arena_printf(r->a, "unit.%s", units[i])))
				unit_hits[nu++] = units[i];
		lq.text = 1;
		lq.text_kinds = to_free[0] = (char *)json_list(kind_hits, nk);
		lq.text_units = to_free[1] = (char *)json_list(unit_hits, nu);
		lq.known_kinds = to_free[2] = (char *)json_list(kinds, N_KINDS);
		lq.text_other = text_matches(r, needle, view_letter_title_key("other")) ||
				text_matches(r, needle, "mailbox.kind.other");
	}
	int n = store_letters_find(r->app->store, &lq, &letters, &total, r->a, &e);
	for (int i = 0; i < 3; i++)
		free(to_free[i]);
	if (n < 0) {
		json_decref(d);
		resp_failure(w, r, &e, "inbox");
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, letter_item(r->a, &letters[i]));
	json_object_set_new(d, "letters", list);
	long pages = total > 0 ? (long)((total + PAGE_SIZE - 1) / PAGE_SIZE) : 1;
	json_object_set_new(d, "pager", json_pack("{s:I,s:i,s:i}", "total", (json_int_t)total, "page", (int)f.page,
						  "pages", (int)pages));
	if (f.page > 1)
		json_object_set_new(json_object_get(d, "pager"), "prev_url", json_string(filters_url(r, &f, f.page - 1)));
	if (f.page < pages)
		json_object_set_new(json_object_get(d, "pager"), "next_url", json_string(filters_url(r, &f, f.page + 1)));
	resp_page(w, r, "inbox", "inbox.title", d);
}

/* ---- writing to the agency ---- */

/* The write page, with the values and errors of a refused try (both
 * references taken, may be NULL). */
static void show_write(struct req *r, struct resp *w, int64_t chosen, const char *text, json_t *errors)
{
	struct case_rec *cases;
	struct err e;
	int n = store_cases_of_person(r->app->store, r->who.person_id, &cases, r->a, &e);
	if (n < 0) {
		json_decref(errors);
		resp_failure(w, r, &e, "write");
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		char scheme_key[64];
		snprintf(scheme_key, sizeof(scheme_key), "scheme.%s", cases[i].scheme);
		json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:b}", "value", (json_int_t)cases[i].id, "scheme_key",
						      scheme_key, "school_year", cases[i].school_year, "selected",
						      cases[i].id == chosen));
	}
	json_t *d = json_pack("{s:o,s:s,s:i}", "cases", list, "text", text ? text : "", "max", MSG_TEXT_MAX);
	if (errors && json_object_size(errors) > 0) {
		static const char *const order[][2] = {{"case", "case"}, {"text", "text"}};
		json_object_set_new(d, "error_summary", form_error_summary(errors, order, sizeof(order) / sizeof(order[0])));
		json_object_set(d, "errors", errors);
		w->status = 422;
	}
	json_decref(errors);
	resp_page(w, r, "inbox_write", "mailbox.write.title", d);
}

void portal_write_form(struct req *r, struct resp *w)
{
	if (view_require_login(r, w))
		return;
	const char *c = req_query(r, "case");
	long chosen = c ? form_int(c, 1, 999999999999L) : 0;
	show_write(r, w, chosen > 0 ? chosen : 0, NULL, NULL);
}

void portal_write(struct req *r, struct resp *w)
{
	struct err e;
	if (view_require_login(r, w))
		return;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	json_t *errors = json_object();
	const char *c = req_form(r, "case");
	long case_id = c && *c ? form_int(c, 1, 999999999999L) : 0;
	if (case_id < 1)
		json_object_set_new(errors, "case", json_string("mailbox.write.error.case"));
	char *text = msg_text_clean(r->a, req_form(r, "text"));
	if (!msg_text_ok(text, 1, MSG_TEXT_MAX))
		json_object_set_new(errors, "text", json_string(text && *text ? "mailbox.write.error.text_long"
									       : "mailbox.write.error.text"));
	if (json_object_size(errors) > 0) {
		show_write(r, w, case_id > 0 ? case_id : 0, text, errors);
		return;
	}
	json_decref(errors);
	if (msg_write(r->app->store, &r->who, case_id, text, r->now, NULL, &e) != 0) {
		if (e.code == ERR_INVALID) {
			show_write(r, w, case_id, text, json_pack("{s:s}", "text", "mailbox.write.error.text"));
			return;
		}
		resp_failure(w, r, &e, "write");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/saker/%ld?sent=1#conversation", case_id));
}

/* ---- the conversation, as the person sees it ---- */

static json_t *conversation_view(const struct message *m, int n)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		int in = strcmp(m[i].direction, "in") == 0;
		json_t *o = json_pack("{s:I,s:b,s:s,s:s,s:b}", "id", (json_int_t)m[i].id, "from_person", in, "from_key",
				      in ? "mailbox.conversation.you" : "unit.case-processing", "text", m[i].text,
				      "waiting", in && m[i].answered_at == 0);
		put_when(o, m[i].created_at);
		if (m[i].letter_id)
			json_object_set_new(o, "letter_id", json_integer(m[i].letter_id));
		json_array_append_new(list, o);
	}
	return list;
}

/* ---- documentation ---- */

/* What became of the latest request on case c, for a page: "waits" (the
 * upload may be made), or "received"/"expired" with its day. NULL when
 * the case has no request. */
static json_t *docs_state(struct req *r, const struct case_rec *c, struct doc_request_state *st)
{
	struct err e;
	if (store_doc_request_state_of_case(r->app->store, c->id, st, r->a, &e) != 0)
		return NULL;
	json_t *o = json_pack("{s:I,s:s}", "request_id", (json_int_t)st->id, "deadline", st->deadline);
	if (strcmp(st->state, "open") == 0) {
		json_object_set_new(o, "waits", json_boolean(strcmp(c->status, "awaiting-documentation") == 0));
	} else {
		char ts[21];
		json_object_set_new(o, st->state, json_true()); /* "received" or "expired" */
		json_object_set_new(o, "closed_day", json_stringn(date_format_timestamp(st->closed_at, ts), 10));
	}
	return o;
}

/* The upload form's data for case c whose latest request st waits. */
static json_t *upload_form(const struct case_rec *c, const struct doc_request_state *st, const char *note,
			   json_t *errors)
{
	json_t *f = json_pack("{s:I,s:s,s:s,s:i,s:i}", "case_id", (json_int_t)c->id, "deadline", st->deadline, "note",
			      note ? note : "", "max_files", DOC_MAX_FILES, "max_mib", DOC_MAX_BYTES / (1024 * 1024));
	if (errors) {
		json_object_set(f, "files_error", json_object_get(errors, "files"));
		json_object_set(f, "note_error", json_object_get(errors, "note"));
	}
	return f;
}

void inbox_case_extras(struct req *r, json_t *d, const struct case_rec *c)
{
	struct err e;
	struct letter *letters;
	struct message *m;
	/* The case's letters, newest first. */
	struct letter_query q = {c->person_id, c->id, NULL, NULL, LETTERS_ANY, 0, NULL, NULL, NULL, 0, 0, LETTERS_FIND_MAX};
	int n = store_letters_find(r->app->store, &q, &letters, NULL, r->a, &e);
	if (n >= 0) {
		json_t *list = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(list, letter_item(r->a, &letters[i]));
		json_object_set_new(d, "letters", list);
	} else {
		log_error("case letters: %s", e.message);
	}
	n = msg_conversation(r->app->store, &r->who, c->id, c->person_id, &m, r->a, &e);
	if (n >= 0)
		json_object_set_new(d, "conversation", conversation_view(m, n));
	else
		log_error("case conversation: %s", e.message);
	json_object_set_new(d, "write", json_pack("{s:I,s:i}", "case_id", (json_int_t)c->id, "max", MSG_TEXT_MAX));
	struct doc_request_state st;
	json_t *docs = docs_state(r, c, &st);
	if (docs) {
		if (json_is_true(json_object_get(docs, "waits")))
			json_object_set_new(d, "upload", upload_form(c, &st, NULL, NULL));
		json_object_set_new(d, "docs_state", docs);
	}
	const char *sent = req_query(r, "sent"), *received = req_query(r, "received");
	if (sent && strcmp(sent, "1") == 0)
		json_object_set_new(d, "mailbox_done_key", json_string("mailbox.write.sent"));
	else if (received && strcmp(received, "1") == 0)
		json_object_set_new(d, "mailbox_done_key", json_string("mailbox.upload.received"));
}

void inbox_letter_extras(struct req *r, json_t *d, const struct letter *l)
{
	struct err e;
	struct case_rec c;
	if (l->case_id == 0 || store_case_get(r->app->store, l->case_id, &c, r->a, &e) != 0)
		return;
	json_object_set_new(d, "write", json_pack("{s:I,s:i}", "case_id", (json_int_t)c.id, "max", MSG_TEXT_MAX));
	if (strcmp(l->kind, "answer") == 0) {
		struct message *m;
		int n = msg_conversation(r->app->store, &r->who, c.id, c.person_id, &m, r->a, &e);
		if (n >= 0)
			json_object_set_new(d, "conversation", conversation_view(m, n));
	} else if (strcmp(l->kind, "documentation-request") == 0) {
		struct doc_request dr;
		struct doc_request_state st;
		json_t *docs = docs_state(r, &c, &st);
		if (docs == NULL || store_doc_request_of_letter(r->app->store, l->id, &dr, r->a, &e) != 0) {
			json_decref(docs);
			return;
		}
		if (dr.id != st.id) {
			/* A newer request replaced this one. */
			json_decref(docs);
			docs = json_pack("{s:b}", "replaced", 1);
		} else if (json_is_true(json_object_get(docs, "waits"))) {
			json_object_set_new(d, "upload", upload_form(&c, &st, NULL, NULL));
		}
		json_object_set_new(d, "docs_state", docs);
	}
}

/* ---- sending documentation ---- */

int portal_upload_route(const char *method, const char *path)
{
	const char *prefix = "/saker/", *suffix = "/dokumentasjon";
	size_t n = strlen(prefix), digits;
	if (strcmp(method, "POST") != 0 || strncmp(path, prefix, n) != 0)
		return 0;
	digits = strspn(path + n, "0123456789");
	return digits > 0 && digits <= 18 && strcmp(path + n + digits, suffix) == 0;
}

/* The upload page of case id with a refused try's note and errors (the
 * errors' reference is taken, may be NULL); status 422 when there are
 * errors. The case is read through cases_read, audited. */
static void show_upload(struct req *r, struct resp *w, int64_t id, const char *note, json_t *errors)
{
	struct case_rec c;
	struct err e;
	struct doc_request dr;
	if (cases_read(r->app->store, &r->who, id, r->now, &c, r->a, &e) != 0) {
		json_decref(errors);
		resp_failure(w, r, &e, "upload");
		return;
	}
	json_t *d = json_pack("{s:o}", "case", view_case(&c));
	struct doc_request_state st;
	json_t *docs = docs_state(r, &c, &st);
	if (docs && json_is_true(json_object_get(docs, "waits"))) {
		json_object_set_new(d, "upload", upload_form(&c, &st, note, errors));
		if (store_doc_request_latest(r->app->store, c.id, &dr, r->a, &e) == 0)
			json_object_set_new(d, "request", json_pack("{s:s,s:I}", "text", dr.text, "letter_id",
								   (json_int_t)dr.letter_id));
	}
	if (docs)
		json_object_set_new(d, "docs_state", docs);
	if (errors && json_object_size(errors) > 0) {
		static const char *const order[][2] = {{"files", "files"}, {"note", "note"}};
		json_object_set_new(d, "error_summary", form_error_summary(errors, order, sizeof(order) / sizeof(order[0])));
		w->status = 422;
	}
	json_decref(errors);
	resp_page(w, r, "upload", "mailbox.upload.title", d);
}

void portal_upload_form(struct req *r, struct resp *w)
{
	if (view_require_login(r, w))
		return;
	show_upload(r, w, param_id(r), NULL, NULL);
}

static const char *fault_key(enum doc_fault f)
{
	switch (f) {
	case DOC_FILE_EMPTY: return "mailbox.upload.error.empty";
	case DOC_FILE_TOO_LARGE: return "mailbox.upload.error.too_large";
	case DOC_FILE_TYPE: return "mailbox.upload.error.type";
	case DOC_FILE_OK: break;
	}
	return "mailbox.upload.error.files";
}

void portal_upload(struct req *r, struct resp *w)
{
	struct err e;
	struct multipart mp;
	char boundary[MULTIPART_BOUNDARY_MAX + 1];
	int64_t id = param_id(r);
	if (view_require_login(r, w))
		return;
	if (multipart_boundary(r->content_type, boundary, &e) != 0) {
		resp_error(w, r, 400, "error.bad-request");
		return;
	}
	/* Room for the files, the token and the note, and a few parts more
	 * so that one file too many is told as such. */
	const struct mp_limits lim = {DOC_MAX_FILES + 8, 4096, DOC_MAX_BYTES, 16 * 1024};
	json_t *errors = json_object();
	int parsed = multipart_parse(&mp, r->a, r->body, r->body_len, boundary, &lim, &e);
	if (parsed != 0 && mp.fault == MP_MALFORMED) {
		json_decref(errors);
		resp_error(w, r, 400, "error.bad-request");
		return;
	}
	/* The plain fields become the request's form, so that the CSRF check
	 * and the note read as for any form. */
	r->form = arena_alloc(r->a, sizeof(*r->form) * (size_t)(mp.n > 0 ? mp.n : 1));
	r->n_form = 0;
	struct doc_upload files[DOC_MAX_FILES];
	int n_files = 0, too_many = 0;
	for (int i = 0; i < mp.n; i++) {
		const struct mp_part *p = &mp.parts[i];
		if (p->filename == NULL) {
			if (memchr(p->data, '\0', p->len) == NULL) {
				r->form[r->n_form].key = p->name;
				r->form[r->n_form].value = arena_strndup(r->a, p->data, p->len);
				r->n_form++;
			}
			continue;
		}
		if (strcmp(p->name, "files") != 0 || (p->filename[0] == '\0' && p->len == 0))
			continue; /* another file field, or a file input left empty */
		if (n_files == DOC_MAX_FILES) {
			too_many = 1;
			continue;
		}
		files[n_files++] = (struct doc_upload){p->filename, p->data, p->len};
	}
	if (!req_csrf_ok(r)) {
		json_decref(errors);
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	char *note = msg_text_clean(r->a, req_form(r, "note"));
	if (parsed != 0) {
		if (mp.fault == MP_TOO_MANY_PARTS || (mp.fault_field && strcmp(mp.fault_field, "files") == 0))
			json_object_set_new(errors, "files", json_string(mp.fault == MP_TOO_LARGE ? "mailbox.upload.error.too_large"
												  : "mailbox.upload.error.count"));
		else
			json_object_set_new(errors, "note", json_string("mailbox.upload.error.note"));
	} else if (too_many) {
		json_object_set_new(errors, "files", json_string("mailbox.upload.error.count"));
	} else if (n_files == 0) {
		json_object_set_new(errors, "files", json_string("mailbox.upload.error.none"));
	} else {
		for (int i = 0; i < n_files; i++) {
			enum doc_fault f = documents_check_file(files[i].data, files[i].len);
			if (f != DOC_FILE_OK) {
				json_object_set_new(errors, "files", json_string(fault_key(f)));
				break;
			}
		}
	}
	if (note && *note && !msg_text_ok(note, 1, DOC_NOTE_MAX))
		json_object_set_new(errors, "note", json_string("mailbox.upload.error.note"));
	if (json_object_size(errors) > 0) {
		show_upload(r, w, id, note, errors);
		return;
	}
	json_decref(errors);
	if (documents_receive(r->app->store, &r->who, id, files, n_files, note, r->now, NULL, &e) != 0) {
		if (e.code == ERR_INVALID) {
			show_upload(r, w, id, note,
				    json_pack("{s:s}", strcmp(e.field, "note") == 0 ? "note" : "files",
					      strcmp(e.field, "note") == 0 ? "mailbox.upload.error.note"
									  : "mailbox.upload.error.files"));
		} else if (e.code == ERR_CONFLICT) {
			resp_error(w, r, 409, "mailbox.upload.error.closed");
		} else {
			resp_failure(w, r, &e, "upload");
		}
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/saker/%lld?received=1", (long long)id));
}
