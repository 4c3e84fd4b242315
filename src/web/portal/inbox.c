/* inbox.c - the mailbox in the portal: the inbox with its search and
 * filters, writing to the agency about a case (e-henvendelse, "Skriv til
 * oss"), sending documentation when a case worker asked for it, and what
 * the case page and the letter page show of letters, the conversation and
 * documentation.
 *
 * Handlers parse, call one domain function and render: the inbox is
 * mbox_inbox (mailbox/inbox.h), writing msg_write, the upload page
 * cases_upload_view (cases/person.h) and the upload documents_receive
 * (cases/documents.h). Each asks the gate first, which audits a refusal,
 * and a failure is answered by resp_failure (a visitor who is not logged
 * in is sent to log in). */
#include "web/portal/inbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/documents.h"
#include "cases/person.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "mailbox/inbox.h"
#include "mailbox/messages.h"
#include "support/support.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/multipart.h"
#include "web/portal/view.h"

_Static_assert(PORTAL_UPLOAD_MAX_BODY >= (size_t)DOC_MAX_FILES * DOC_MAX_BYTES + 64 * 1024,
	       "the upload's body must hold every file the form may carry");

/* ---- small helpers ---- */

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

/* "2024-11-22" and "14:05" of a Unix time in Norwegian time (#15), into o. */
static void put_when(json_t *o, int64_t unix_seconds)
{
	char day[11], hm[8];
	date_t d;
	int minute;
	date_oslo(unix_seconds, &d, &minute);
	snprintf(hm, sizeof(hm), "%02d:%02d", minute / 60 % 24, minute % 60);
	json_object_set_new(o, "day", json_string(date_format(d, day)));
	json_object_set_new(o, "time", json_string(hm));
}

/* A letter for a list: view_letter with its type, and the day it went on
 * paper when it did. */
static json_t *letter_item(struct arena *a, const struct letter *l)
{
	json_t *j = view_letter(l);
	json_object_set_new(j, "kind_key", json_string(mbox_kind_key(a, l->kind)));
	if (l->paper_at > 0 && json_object_get(j, "paper_day") == NULL) {
		char day[11];
		json_object_set_new(j, "paper_day", json_string(date_format(date_oslo_day(l->paper_at), day)));
	}
	return j;
}

/* The cases as choices of a select: value, scheme_key, school_year,
 * selected (the one chosen). */
static json_t *case_options(const struct case_rec *cases, int n, int64_t chosen)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		char scheme_key[64];
		snprintf(scheme_key, sizeof(scheme_key), "scheme.%s", cases[i].scheme);
		json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:b}", "value", (json_int_t)cases[i].id, "scheme_key",
						      scheme_key, "school_year", cases[i].school_year, "selected",
						      cases[i].id == chosen));
	}
	return list;
}

/* ---- the inbox ---- */

/* The query string of the inbox's filters with page p ("?sender=...&page=2"). */
static const char *filters_url(struct req *r, const struct mbox_inbox *f, long p)
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
	struct mbox_inbox in;
	struct mbox_inbox_query q = {req_query(r, "sender"), req_query(r, "case"), req_query(r, "type"),
				     req_query(r, "read"),   req_query(r, "q"),    req_query(r, "page")};
	if (mbox_inbox(r->app->store, &r->who, r->lang, &q, r->now, &in, r->a, &e) != 0) {
		/* #15: a member of staff (who acts for no person) is told the
		 * inbox is the applicants', not sent to a login or a 404. */
		if (e.code == ERR_NOT_FOUND && r->who.role != ROLE_ANONYMOUS && access_subject(&r->who) == 0) {
			resp_error(w, r, 403, "error.inbox_staff");
			return;
		}
		resp_failure(w, r, &e, "inbox");
		return;
	}
	json_t *d = json_object();
	static const char *const reads[] = {"unread", "read"};
	json_object_set_new(d, "filters",
			    json_pack("{s:o,s:o,s:o,s:o,s:s,s:b,s:b}", "senders",
				      options(r, "unit.", mbox_units, MBOX_N_UNITS, in.sender), "types",
				      options(r, "mailbox.kind.", mbox_kinds, MBOX_N_KINDS, in.type), "cases",
				      case_options(in.cases, in.n_cases, in.case_id), "reads",
				      options(r, "mailbox.filter.read.", reads, 2, in.read), "q",
				      req_query(r, "q") ? req_query(r, "q") : "", "active",
				      in.sender || in.type || in.read || in.q || in.case_id, "any_read", in.read == NULL));
	json_t *errors = json_object();
	for (int i = 0; i < in.n_errors; i++)
		json_object_set_new(errors, in.errors[i].field, json_string(in.errors[i].key));
	json_object_set_new(d, "errors", errors);
	json_object_set_new(d, "unread_count", json_integer(in.unread));
	if (in.n_errors > 0) {
		static const char *const order[][2] = {{"sender", "sender"}, {"case", "case"}, {"type", "type"},
						       {"read", "read"},     {"q", "q"},       {"page", "page"}};
		json_object_set_new(d, "error_summary", form_error_summary(errors, order, sizeof(order) / sizeof(order[0])));
		json_object_set_new(d, "letters", json_array());
		w->status = 422;
		resp_page(w, r, "inbox", "inbox.title", d);
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < in.n_letters; i++)
		json_array_append_new(list, letter_item(r->a, &in.letters[i]));
	json_object_set_new(d, "letters", list);
	json_t *pager = json_pack("{s:I,s:i,s:i}", "total", (json_int_t)in.total, "page", (int)in.page, "pages",
				  (int)in.pages);
	if (in.page > 1)
		json_object_set_new(pager, "prev_url", json_string(filters_url(r, &in, in.page - 1)));
	if (in.page < in.pages)
		json_object_set_new(pager, "next_url", json_string(filters_url(r, &in, in.page + 1)));
	json_object_set_new(d, "pager", pager);
	resp_page(w, r, "inbox", "inbox.title", d);
}

/* ---- writing to the agency ---- */

/* The write page with the cases to choose from, and the values and errors
 * of a refused try (errors' reference taken, may be NULL). */
static void show_write(struct req *r, struct resp *w, const struct case_rec *cases, int n, int64_t chosen,
		       const char *text, json_t *errors)
{
	json_t *d = json_pack("{s:o,s:s,s:i}", "cases", case_options(cases, n, chosen), "text", text ? text : "", "max",
			      MSG_TEXT_MAX);
	/* #15: the help names the limit; the form sits in a section whose
	 * context has no "max", so the text is made here. */
	struct buf help;
	buf_init(&help, 1024);
	i18n_render(&help, r->lang, "mailbox.write.text_help", d);
	json_object_set_new(d, "text_help", json_string(buf_str(&help)));
	buf_cleanup(&help);
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
	struct case_rec *cases;
	struct err e;
	int n = mbox_write_cases(r->app->store, &r->who, r->now, &cases, r->a, &e);
	if (n < 0) {
		resp_failure(w, r, &e, "write");
		return;
	}
	const char *c = req_query(r, "case");
	long chosen = c ? form_int(c, 1, 999999999999L) : 0;
	show_write(r, w, cases, n, chosen > 0 ? chosen : 0, NULL, NULL);
}

void portal_write(struct req *r, struct resp *w)
{
	struct err e;
	struct case_rec *cases;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	/* The gate first, so that a refused visitor learns nothing from the
	 * form's errors. */
	int n = mbox_write_cases(r->app->store, &r->who, r->now, &cases, r->a, &e);
	if (n < 0) {
		resp_failure(w, r, &e, "write");
		return;
	}
	json_t *errors = json_object();
	const char *c = req_form(r, "case");
	/* "none": a general question without a case (#14), which lands in
	 * the support centre's log and the case workers' queue. */
	int general = c && strcmp(c, "none") == 0;
	long case_id = c && *c && !general ? form_int(c, 1, 999999999999L) : 0;
	if (case_id < 1 && !general)
		json_object_set_new(errors, "case", json_string("mailbox.write.error.case"));
	char *text = msg_text_clean(r->a, req_form(r, "text"));
	if (!msg_text_ok(text, 1, MSG_TEXT_MAX))
		json_object_set_new(errors, "text", json_string(text && *text ? "mailbox.write.error.text_long"
									       : "mailbox.write.error.text"));
	if (json_object_size(errors) > 0) {
		show_write(r, w, cases, n, case_id > 0 ? case_id : 0, text, errors);
		return;
	}
	json_decref(errors);
	if (general) {
		if (support_secure_message(r->app->store, &r->who, NULL, text, r->now, NULL, &e) != 0) {
			if (e.code == ERR_INVALID)
				show_write(r, w, cases, n, 0, text, json_pack("{s:s}", "text", "mailbox.write.error.text"));
			else
				resp_failure(w, r, &e, "write");
			return;
		}
		resp_redirect(w, r, "/mine-sider/historikk?sent=1");
		return;
	}
	if (msg_write(r->app->store, &r->who, case_id, text, r->now, NULL, &e) != 0) {
		if (e.code == ERR_INVALID) {
			show_write(r, w, cases, n, case_id, text, json_pack("{s:s}", "text", "mailbox.write.error.text"));
			return;
		}
		resp_failure(w, r, &e, "write");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/saker/%ld?sent=1#conversation", case_id));
}

/* ---- the conversation and documentation, as the person sees them ---- */

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

/* What became of a request st, for a page: "waits" (the upload may be
 * made), or "received"/"expired" with its day. */
static json_t *docs_state(const struct doc_request_state *st, int waits)
{
	json_t *o = json_pack("{s:I,s:s}", "request_id", (json_int_t)st->id, "deadline", st->deadline);
	if (strcmp(st->state, "open") == 0) {
		json_object_set_new(o, "waits", json_boolean(waits));
	} else {
		char ts[21];
		json_object_set_new(o, st->state, json_true()); /* "received" or "expired" */
		json_object_set_new(o, "closed_day", json_stringn(date_format_timestamp(st->closed_at, ts), 10));
	}
	return o;
}

/* The upload form's data for case case_id whose latest request waits
 * until deadline. */
static json_t *upload_form(int64_t case_id, const char *deadline, const char *note, json_t *errors)
{
	json_t *f = json_pack("{s:I,s:s,s:s,s:i,s:i}", "case_id", (json_int_t)case_id, "deadline", deadline, "note",
			      note ? note : "", "max_files", DOC_MAX_FILES, "max_mib", DOC_MAX_BYTES / (1024 * 1024));
	if (errors) {
		json_object_set(f, "files_error", json_object_get(errors, "files"));
		json_object_set(f, "note_error", json_object_get(errors, "note"));
	}
	return f;
}

json_t *inbox_case_data(struct req *r, const struct case_view *v)
{
	const struct case_rec *c = &v->c;
	json_t *d = json_pack("{s:o}", "case", view_case(c));
	json_t *decision = view_decision(r, c->decision_json);
	if (decision)
		json_object_set_new(d, "decision", decision);
	json_t *list = json_array();
	for (int i = 0; i < v->n_letters; i++)
		json_array_append_new(list, letter_item(r->a, &v->letters[i]));
	json_object_set_new(d, "letters", list);
	json_object_set_new(d, "conversation", conversation_view(v->messages, v->n_messages));
	json_object_set_new(d, "write", json_pack("{s:I,s:i}", "case_id", (json_int_t)c->id, "max", MSG_TEXT_MAX));
	if (v->has_request) {
		if (v->request_waits)
			json_object_set_new(d, "upload", upload_form(c->id, v->request_state.deadline, NULL, NULL));
		json_object_set_new(d, "docs_state", docs_state(&v->request_state, v->request_waits));
		if (strcmp(c->status, "awaiting-documentation") == 0)
			json_object_set_new(d, "documentation",
					    json_pack("{s:s,s:I}", "deadline", v->request.deadline, "letter_id",
						      (json_int_t)v->request.letter_id));
	}
	const char *sent = req_query(r, "sent"), *received = req_query(r, "received");
	if (sent && strcmp(sent, "1") == 0)
		json_object_set_new(d, "mailbox_done_key", json_string("mailbox.write.sent"));
	else if (received && strcmp(received, "1") == 0)
		json_object_set_new(d, "mailbox_done_key", json_string("mailbox.upload.received"));
	return d;
}

json_t *inbox_letter_data(struct req *r, const struct mbox_letter_view *v)
{
	(void)r;
	json_t *d = v->model ? v->model : json_object();
	if (v->case_id == 0)
		return d;
	json_object_set_new(d, "write", json_pack("{s:I,s:i}", "case_id", (json_int_t)v->case_id, "max", MSG_TEXT_MAX));
	if (v->conversation) {
		json_object_set_new(d, "conversation", conversation_view(v->messages, v->n_messages));
	} else if (v->request) {
		if (v->replaced) {
			json_object_set_new(d, "docs_state", json_pack("{s:b}", "replaced", 1));
		} else {
			if (v->request_waits)
				json_object_set_new(d, "upload", upload_form(v->case_id, v->request_state.deadline, NULL, NULL));
			json_object_set_new(d, "docs_state", docs_state(&v->request_state, v->request_waits));
		}
	}
	return d;
}

/* ---- sending documentation ---- */

int64_t portal_upload_route(const char *method, const char *path)
{
	const char *prefix = "/saker/", *suffix = "/dokumentasjon";
	size_t n = strlen(prefix), digits;
	if (strcmp(method, "POST") != 0 || strncmp(path, prefix, n) != 0)
		return 0;
	digits = strspn(path + n, "0123456789");
	if (digits == 0 || digits > 18 || strcmp(path + n + digits, suffix) != 0)
		return 0;
	int64_t id = strtoll(path + n, NULL, 10);
	return id > 0 ? id : 0;
}

/* The upload page of case id with a refused try's note and errors (the
 * errors' reference is taken, may be NULL); status 422 when there are
 * errors. The case is read through cases_upload_view: gated, audited. */
static void show_upload(struct req *r, struct resp *w, int64_t id, const char *note, json_t *errors)
{
	struct case_view v;
	struct err e;
	if (cases_upload_view(r->app->store, &r->who, id, r->now, &v, r->a, &e) != 0) {
		json_decref(errors);
		resp_failure(w, r, &e, "upload");
		return;
	}
	json_t *d = json_pack("{s:o}", "case", view_case(&v.c));
	if (v.has_request) {
		if (v.request_waits) {
			json_object_set_new(d, "upload", upload_form(v.c.id, v.request_state.deadline, note, errors));
			json_object_set_new(d, "request", json_pack("{s:s,s:I}", "text", v.request.text, "letter_id",
								   (json_int_t)v.request.letter_id));
		}
		json_object_set_new(d, "docs_state", docs_state(&v.request_state, v.request_waits));
	}
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
	/* The server asked the gate (documents_upload_gate) before it read the
	 * body; documents_receive asks it again before it stores anything. */
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
