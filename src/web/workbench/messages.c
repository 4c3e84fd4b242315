/* messages.c - the case workers' side of the mailbox: the messages
 * (e-henvendelser) waiting for an answer, oldest first; one message with
 * its case's whole conversation and the answer form; the answer, which
 * goes to the person's mailbox as a letter (mailbox/messages.c); and the
 * documents a person sent, downloaded one by one, each reading audited.
 *
 * Like the rest of the workbench, every page asks the policy first. A
 * message page or a document answers anyone but a case worker as if it
 * did not exist (404), the refusal audited, so that it reveals nothing;
 * the list answers 403 as the queue does, since it names no one. */
#include "web/workbench/messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "cases/documents.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "mailbox/messages.h"
#include "store/messages.h"
#include "web/handlers.h"
#include "web/portal/view.h"

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

static void put_when(json_t *o, int64_t unix_seconds)
{
	char ts[21];
	date_format_timestamp(unix_seconds, ts);
	json_object_set_new(o, "day", json_stringn(ts, 10));
	json_object_set_new(o, "time", json_stringn(ts + 11, 5));
}

struct record {
	int64_t at;
	const char *actor, *action, *object;
};

static int append_record(struct store_tx *tx, void *arg, struct err *e)
{
	struct record *rec = arg;
	return audit_append(tx, rec->at, rec->actor, rec->action, rec->object, NULL, e);
}

/* Answer anyone but a case worker: the login for a visitor, else 404
 * (or 403 when as_forbidden), the refusal audited. Returns 1 when it
 * answered. */
static int refuse_unless_caseworker(struct req *r, struct resp *w, const char *action, const char *object,
				    int as_forbidden)
{
	if (access_allowed(&r->who, ACT_QUEUE_READ, 0))
		return 0;
	if (r->who.role == ROLE_ANONYMOUS) {
		resp_redirect(w, r, r->app->test_login ? "/login" : "/");
		return 1;
	}
	char actor[32];
	struct err e;
	struct record rec = {r->now, access_actor(&r->who, actor, sizeof(actor)), action, object};
	if (store_write(r->app->store, append_record, &rec, &e) != 0)
		log_error("workbench audit %s: %s", action, e.message);
	if (as_forbidden)
		resp_error(w, r, 403, "error.forbidden");
	else
		resp_error(w, r, 404, "error.not-found");
	return 1;
}

/* ---- the conversation as a case worker sees it ---- */

static json_t *conversation_view(struct req *r, const struct message *m, int n)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		int in = strcmp(m[i].direction, "in") == 0;
		json_t *o = json_pack("{s:I,s:b,s:s,s:b}", "id", (json_int_t)m[i].id, "from_person", in, "text", m[i].text,
				      "waiting", in && m[i].answered_at == 0);
		if (in) {
			json_object_set_new(o, "from_key", json_string("mailbox.conversation.applicant"));
			if (m[i].answered_at == 0)
				json_object_set_new(o, "answer_url", json_string(arena_printf(
									 r->a, "/saksbehandling/henvendelser/%lld", (long long)m[i].id)));
		} else {
			struct staff st;
			struct err e;
			json_object_set_new(o, "from_key", json_string("unit.case-processing"));
			if (m[i].staff_id && store_staff_get(r->app->store, m[i].staff_id, &st, r->a, &e) == 0)
				json_object_set_new(o, "from_name", json_string(st.name));
		}
		put_when(o, m[i].created_at);
		json_array_append_new(list, o);
	}
	return list;
}

static const char *size_text(struct req *r, int64_t bytes)
{
	if (bytes < 1024)
		return arena_printf(r->a, "%lld B", (long long)bytes);
	if (bytes < 1024 * 1024)
		return arena_printf(r->a, "%lld KiB", (long long)((bytes + 1023) / 1024));
	char *s = arena_printf(r->a, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
	char *dot = strchr(s, '.');
	if (dot && r->lang == LANG_NB)
		*dot = ',';
	return s;
}

void wb_mailbox_case(struct req *r, json_t *d, const struct case_rec *c)
{
	struct err e;
	struct message *m;
	struct document *docs;
	json_t *mb = json_object();
	int n = msg_conversation(r->app->store, &r->who, c->id, c->person_id, &m, r->a, &e);
	if (n >= 0)
		json_object_set_new(mb, "conversation", conversation_view(r, m, n));
	n = store_documents_of_case(r->app->store, c->id, &docs, r->a, &e);
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)docs[i].id, "name", docs[i].name,
				      "media_type", docs[i].media_type, "size", size_text(r, docs[i].size), "sha256",
				      docs[i].sha256);
		if (docs[i].note)
			json_object_set_new(o, "note", json_string(docs[i].note));
		put_when(o, docs[i].received_at);
		json_array_append_new(list, o);
	}
	if (n < 0)
		log_error("workbench documents: %s", e.message);
	json_object_set_new(mb, "documents", list);
	struct doc_request_state st;
	if (store_doc_request_state_of_case(r->app->store, c->id, &st, r->a, &e) == 0 && strcmp(st.state, "open") != 0) {
		json_t *o = json_pack("{s:s,s:s}", "state_key",
				      strcmp(st.state, "received") == 0 ? "mailbox.queue.docs_received"
									: "mailbox.queue.deadline_passed",
				      "deadline", st.deadline);
		put_when(o, st.closed_at);
		json_object_set_new(mb, "docs_state", o);
	}
	json_object_set_new(d, "mailbox", mb);
}

void wb_mailbox_queue_mark(struct req *r, json_t *item, int64_t case_id)
{
	struct doc_request_state st;
	struct err e;
	const char *status = json_string_value(json_object_get(item, "status"));
	if (status == NULL || strcmp(status, "manual") != 0 ||
	    store_doc_request_state_of_case(r->app->store, case_id, &st, r->a, &e) != 0)
		return;
	int received = strcmp(st.state, "received") == 0;
	if (!received && strcmp(st.state, "expired") != 0)
		return;
	json_object_set_new(item, "docs_key",
			    json_string(received ? "mailbox.queue.docs_received" : "mailbox.queue.deadline_passed"));
	json_object_set_new(item, "docs_color", json_string(received ? "success" : "warning"));
}

/* ---- the messages waiting ---- */

void workbench_messages(struct req *r, struct resp *w)
{
	struct message *m;
	struct err e;
	int64_t total = 0;
	if (refuse_unless_caseworker(r, w, "messages.read.denied", "messages:waiting", 1))
		return;
	int n = store_messages_waiting(r->app->store, &m, &total, r->a, &e);
	if (n < 0) {
		resp_failure(w, r, &e, "workbench messages");
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I,s:I}", "id", (json_int_t)m[i].id, "case_id", (json_int_t)m[i].case_id);
		put_when(o, m[i].created_at);
		json_array_append_new(list, o);
	}
	json_t *d = json_pack("{s:o,s:I}", "messages", list, "total", (json_int_t)total);
	const char *done = req_query(r, "done");
	if (done && strcmp(done, "answered") == 0)
		json_object_set_new(d, "done_key", json_string("mailbox.answer.done"));
	resp_page(w, r, "wb_messages", "mailbox.wb.title", d);
}

/* ---- one message and its answer ---- */

/* The page of message id with a refused answer's text and error (may be
 * NULL; the error's reference is taken). */
static void show_message(struct req *r, struct resp *w, int64_t id, const char *text, json_t *error)
{
	struct message msg, *conv;
	struct case_rec c;
	struct err e;
	const char *object = arena_printf(r->a, "message:%lld", (long long)id);
	int rc = store_message_get(r->app->store, id, &msg, r->a, &e);
	if (rc < 0) {
		json_decref(error);
		resp_failure(w, r, &e, "workbench message");
		return;
	}
	if (rc > 0 || strcmp(msg.direction, "in") != 0) {
		json_decref(error);
		resp_error(w, r, 404, "error.not-found");
		return;
	}
	/* Reading the conversation is reading the case: audited. */
	if (cases_read(r->app->store, &r->who, msg.case_id, r->now, &c, r->a, &e) != 0) {
		json_decref(error);
		resp_failure(w, r, &e, object);
		return;
	}
	int n = msg_conversation(r->app->store, &r->who, c.id, c.person_id, &conv, r->a, &e);
	if (n < 0) {
		json_decref(error);
		resp_failure(w, r, &e, "workbench message");
		return;
	}
	json_t *mj = json_pack("{s:I,s:I,s:b}", "id", (json_int_t)msg.id, "case_id", (json_int_t)msg.case_id, "waiting",
			       msg.answered_at == 0);
	put_when(mj, msg.created_at);
	json_t *d = json_pack("{s:o,s:o,s:o}", "message", mj, "case", view_case(&c), "conversation",
			      conversation_view(r, conv, n));
	if (msg.answered_at == 0) {
		json_t *f = json_pack("{s:s,s:i}", "text", text ? text : "", "max", MSG_TEXT_MAX);
		if (error) {
			json_object_set(f, "error", error);
			json_object_set_new(d, "error_summary", json_pack("[{s:s,s:O}]", "field", "text", "key", error));
			w->status = 422;
		}
		json_object_set_new(d, "answer", f);
	}
	json_decref(error);
	resp_page(w, r, "wb_message", "mailbox.wb.message.title", d);
}

void workbench_message(struct req *r, struct resp *w)
{
	int64_t id = param_id(r);
	if (refuse_unless_caseworker(r, w, "message.read.denied", arena_printf(r->a, "message:%lld", (long long)id), 0))
		return;
	show_message(r, w, id, NULL, NULL);
}

void workbench_message_answer(struct req *r, struct resp *w)
{
	struct err e;
	int64_t id = param_id(r);
	if (refuse_unless_caseworker(r, w, "message.answer.denied", arena_printf(r->a, "message:%lld", (long long)id),
				     0))
		return;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	char *text = msg_text_clean(r->a, req_form(r, "text"));
	if (!msg_text_ok(text, 1, MSG_TEXT_MAX)) {
		show_message(r, w, id, text,
			     json_string(text && *text ? "mailbox.answer.error.text_long" : "mailbox.answer.error.text"));
		return;
	}
	if (msg_answer(r->app->store, &r->who, id, text, r->now, NULL, &e) != 0) {
		if (e.code == ERR_CONFLICT)
			resp_error(w, r, 409, "mailbox.answer.error.answered");
		else if (e.code == ERR_INVALID)
			show_message(r, w, id, text, json_string("mailbox.answer.error.text"));
		else
			resp_failure(w, r, &e, "workbench answer");
		return;
	}
	resp_redirect(w, r, "/saksbehandling/henvendelser?done=answered");
}

/* ---- documents ---- */

/* Append s percent-encoded as RFC 8187 wants a filename* value. */
static void ext_value(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("!#$&+-.^_`|~", *p) != NULL) {
			buf_putc(b, (char)*p);
		} else {
			char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_append(b, esc, 3);
		}
	}
}

void workbench_document(struct req *r, struct resp *w)
{
	struct document d;
	struct err e;
	int64_t id = param_id(r);
	if (r->who.role == ROLE_ANONYMOUS) {
		resp_redirect(w, r, r->app->test_login ? "/login" : "/");
		return;
	}
	if (documents_read(r->app->store, &r->who, id, r->now, &d, r->a, &e) != 0) {
		resp_failure(w, r, &e, "workbench document");
		return;
	}
	const char *ext = strcmp(d.media_type, "application/pdf") == 0 ? "pdf"
			  : strcmp(d.media_type, "image/jpeg") == 0    ? "jpg"
								       : "png";
	struct buf cd;
	buf_init(&cd, 2048);
	buf_printf(&cd, "attachment; filename=\"dokument-%lld.%s\"; filename*=UTF-8''", (long long)id, ext);
	ext_value(&cd, d.name);
	resp_header(w, "Content-Disposition", arena_strdup(r->a, buf_str(&cd)));
	buf_cleanup(&cd);
	/* The response buffer is sized for pages; a document may be larger. */
	buf_cleanup(&w->body);
	buf_init(&w->body, (size_t)DOC_MAX_BYTES + 1);
	if (buf_append(&w->body, d.content, (size_t)d.size) != 0) {
		log_error("document %lld: %lld bytes do not fit the response", (long long)id, (long long)d.size);
		buf_cleanup(&w->body);
		buf_init(&w->body, 8 << 20);
		resp_error(w, r, 500, "error.internal");
		return;
	}
	w->content_type = d.media_type;
	w->status = 200;
}
