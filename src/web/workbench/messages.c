/* messages.c - the case workers' side of the mailbox: the messages
 * (e-henvendelser) waiting for an answer, oldest first; one message with
 * its case's whole conversation and the answer form; the answer, which
 * goes to the person's mailbox as a letter (mailbox/messages.c); and the
 * documents a person sent, downloaded one by one, each reading audited.
 *
 * Each handler calls one domain function (cases/casework.h,
 * mailbox/messages.h, cases/documents.h), which asks the gate: a message
 * page or a document answers anyone but a case worker as if it did not
 * exist (404), the list 403 as the queue does, since it names no one; the
 * refusal is audited there, once. */
#include "web/workbench/messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/casework.h"
#include "cases/documents.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "mailbox/messages.h"
#include "web/handlers.h"
#include "web/portal/view.h"

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

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

/* ---- the conversation as a case worker sees it ---- */

static json_t *conversation_view(struct req *r, const struct casework_message *m, int n)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		const struct message *x = &m[i].m;
		int in = strcmp(x->direction, "in") == 0;
		json_t *o = json_pack("{s:I,s:b,s:s,s:b}", "id", (json_int_t)x->id, "from_person", in, "text", x->text,
				      "waiting", in && x->answered_at == 0);
		if (in) {
			json_object_set_new(o, "from_key", json_string("mailbox.conversation.applicant"));
			if (x->answered_at == 0)
				json_object_set_new(o, "answer_url", json_string(arena_printf(
									 r->a, "/saksbehandling/henvendelser/%lld", (long long)x->id)));
		} else {
			json_object_set_new(o, "from_key", json_string("unit.case-processing"));
			if (m[i].staff_name)
				json_object_set_new(o, "from_name", json_string(m[i].staff_name));
		}
		put_when(o, x->created_at);
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

void wb_mailbox_case(struct req *r, json_t *d, const struct casework_case *k)
{
	json_t *mb = json_object();
	json_object_set_new(mb, "conversation", conversation_view(r, k->conversation, k->n_conversation));
	json_t *list = json_array();
	for (int i = 0; i < k->n_documents; i++) {
		const struct document *doc = &k->documents[i];
		json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)doc->id, "name", doc->name,
				      "media_type", doc->media_type, "size", size_text(r, doc->size), "sha256",
				      doc->sha256);
		if (doc->note)
			json_object_set_new(o, "note", json_string(doc->note));
		put_when(o, doc->received_at);
		json_array_append_new(list, o);
	}
	json_object_set_new(mb, "documents", list);
	if (k->has_docs_state) {
		const struct doc_request_state *st = &k->docs_state;
		json_t *o = json_pack("{s:s,s:s}", "state_key",
				      strcmp(st->state, "received") == 0 ? "mailbox.queue.docs_received"
									 : "mailbox.queue.deadline_passed",
				      "deadline", st->deadline);
		put_when(o, st->closed_at);
		json_object_set_new(mb, "docs_state", o);
	}
	json_object_set_new(d, "mailbox", mb);
}

void wb_mailbox_queue_mark(json_t *item, const char *docs_state)
{
	if (docs_state == NULL)
		return;
	int received = strcmp(docs_state, "received") == 0;
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
	int n = casework_messages_waiting(r->app->cases, &r->who, r->now, &m, &total, r->a, &e);
	if (n < 0) {
		resp_failure(w, r, &e, "workbench messages");
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I,s:I}", "id", (json_int_t)m[i].id, "case_id", (json_int_t)m[i].case_id);
		if (m[i].case_id == 0) /* a general question or the support centre's hand-over (#14) */
			json_object_set_new(o, "person_id", json_integer((json_int_t)m[i].person_id));
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
 * NULL; the error's reference is taken): 422 when there is an error. */
static void show_message(struct req *r, struct resp *w, int64_t id, const char *text, json_t *error)
{
	struct casework_message_view v;
	struct err e;
	if (casework_message_read(r->app->cases, &r->who, id, r->now, &v, r->a, &e) != 0) {
		json_decref(error);
		resp_failure(w, r, &e, "workbench message");
		return;
	}
	const struct message *msg = &v.message;
	json_t *mj = json_pack("{s:I,s:I,s:b}", "id", (json_int_t)msg->id, "case_id", (json_int_t)msg->case_id,
			       "waiting", msg->answered_at == 0);
	put_when(mj, msg->created_at);
	json_t *d = json_pack("{s:o,s:o,s:o}", "message", mj, "case", msg->case_id ? view_case(&v.c) : json_null(),
			      "conversation", conversation_view(r, v.conversation, v.n_conversation));
	if (msg->case_id == 0) /* no case (#14): the person's history instead */
		json_object_set_new(mj, "person_id", json_integer((json_int_t)msg->person_id));
	if (error) {
		json_object_set_new(d, "error_summary", json_pack("[{s:s,s:O}]", "field", "text", "key", error));
		w->status = 422;
	}
	if (msg->answered_at == 0) {
		json_t *f = json_pack("{s:s,s:i}", "text", text ? text : "", "max", MSG_TEXT_MAX);
		if (error)
			json_object_set(f, "error", error);
		json_object_set_new(d, "answer", f);
	}
	json_decref(error);
	resp_page(w, r, "wb_message", "mailbox.wb.message.title", d);
}

void workbench_message(struct req *r, struct resp *w)
{
	show_message(r, w, param_id(r), NULL, NULL);
}

void workbench_message_answer(struct req *r, struct resp *w)
{
	struct err e;
	int64_t id = param_id(r);
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	char *text = msg_text_clean(r->a, req_form(r, "text"));
	if (msg_answer(r->app->store, &r->who, id, text, r->now, NULL, &e) != 0) {
		if (e.code == ERR_CONFLICT)
			resp_error(w, r, 409, "mailbox.answer.error.answered");
		else if (e.code == ERR_INVALID)
			show_message(r, w, id, text,
				     json_string(text && *text ? "mailbox.answer.error.text_long"
							       : "mailbox.answer.error.text"));
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
