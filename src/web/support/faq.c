/* faq.c - the FAQ's pages (issue #14): public search and answers in
 * bokmål and English with "Did this help?", and the support agents' editor
 * (drafts, versions, publishing) with the topics that bring most inquiries
 * and the answers that fail to help. Each handler calls one function of
 * support/faq.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/i18n.h"
#include "mailbox/messages.h"
#include "support/support.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/support/support_view.h"

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

static json_t *entry_public(struct req *r, const struct faq_entry *f)
{
	int en = r->lang == LANG_EN;
	json_t *o = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)f->id, "question",
			      en ? f->v.question_en : f->v.question_nb, "answer", en ? f->v.answer_en : f->v.answer_nb);
	if (f->v.source)
		json_object_set_new(o, "source", json_string(f->v.source));
	return o;
}

void faq_public(struct req *r, struct resp *w)
{
	struct err e;
	struct faq_entry *list;
	const char *q = req_query(r, "q");
	int searched = q && *q;
	int n = searched ? faq_search(r->app->store, q, 20, &list, r->a, &e) : faq_published(r->app->store, &list, r->a, &e);
	if (n < 0) {
		resp_failure(w, r, &e, "faq");
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(items, entry_public(r, &list[i]));
	json_t *d = json_pack("{s:o,s:s,s:b,s:i}", "items", items, "q", q ? q : "", "searched", searched, "count", n);
	resp_page(w, r, "faq", "support.faq.title", d);
}

void faq_public_entry(struct req *r, struct resp *w)
{
	struct err e;
	struct faq_entry f;
	int rc = faq_read(r->app->store, param_id(r), &f, r->a, &e);
	if (rc < 0) {
		resp_failure(w, r, &e, "faq entry");
		return;
	}
	if (rc > 0) {
		resp_error(w, r, 404, "error.not-found");
		return;
	}
	json_t *d = json_pack("{s:o}", "entry", entry_public(r, &f));
	const char *thanks = req_query(r, "takk");
	if (thanks && strcmp(thanks, "1") == 0)
		json_object_set_new(d, "thanks", json_true());
	resp_page(w, r, "faq_entry", "support.faq.title", d);
}

void faq_vote(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	int64_t id = param_id(r);
	const char *h = req_form(r, "helped");
	if (h == NULL || (strcmp(h, "yes") != 0 && strcmp(h, "no") != 0)) {
		resp_error(w, r, 422, "support.error.helped");
		return;
	}
	if (faq_feedback(r->app->store, id, strcmp(h, "yes") == 0, r->now, &e) != 0) {
		if (e.code == ERR_NOT_FOUND)
			resp_error(w, r, 404, "error.not-found");
		else
			resp_failure(w, r, &e, "faq vote");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/faq/%lld?takk=1", (long long)id));
}

/* ---- the editor ---- */

static json_t *topic_options(struct req *r, const char *chosen)
{
	struct support_topic *tp;
	struct err e;
	int n = support_topics(r->app->store, &tp, r->a, &e);
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		if (tp[i].active)
			json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", tp[i].code, "name",
							   r->lang == LANG_EN ? tp[i].name_en : tp[i].name_nb, "selected",
							   chosen && strcmp(chosen, tp[i].code) == 0));
	return a;
}

static json_t *form_view(struct req *r, const struct faq_form *f)
{
	return json_pack("{s:o,s:s,s:s,s:s,s:s,s:s}", "topics", topic_options(r, f ? f->topic : NULL), "question_nb",
			 f && f->question_nb ? f->question_nb : "", "answer_nb", f && f->answer_nb ? f->answer_nb : "",
			 "question_en", f && f->question_en ? f->question_en : "", "answer_en",
			 f && f->answer_en ? f->answer_en : "", "source", f && f->source ? f->source : "");
}

static void put_errors(struct resp *w, json_t *d, json_t *errors)
{
	static const char *const order[][2] = {{"topic", "topic"},         {"question_nb", "question_nb"},
					       {"answer_nb", "answer_nb"}, {"question_en", "question_en"},
					       {"answer_en", "answer_en"}, {"source", "source"}};
	json_object_set_new(d, "error_summary", form_error_summary(errors, order, sizeof(order) / sizeof(order[0])));
	json_object_set(d, "errors", errors);
	w->status = 422;
}

/* The editor's list, with the new answer's form (f and errors: a refused
 * try; errors' reference taken). */
static void show_editor(struct req *r, struct resp *w, const struct faq_form *f, json_t *errors)
{
	struct err e;
	struct faq_entry *list;
	int n = faq_all(r->app->store, &r->who, r->now, &list, r->a, &e);
	if (n < 0) {
		json_decref(errors);
		resp_failure(w, r, &e, "faq editor");
		return;
	}
	struct topic_tally *tt;
	int nt = support_topic_tallies(r->app->store, &r->who, r->now - 30 * 86400, r->now + 1, r->now, &tt, r->a, &e);
	struct support_topic *tp;
	int n_tp = support_topics(r->app->store, &tp, r->a, &e);
	json_t *entries = json_array(), *failing = json_array(), *topics = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I,s:s,s:s,s:i,s:i,s:I,s:I}", "id", (json_int_t)list[i].id, "question",
				      r->lang == LANG_EN ? list[i].v.question_en : list[i].v.question_nb, "topic",
				      sv_topic_name(r, tp, n_tp > 0 ? n_tp : 0, list[i].topic_code), "published",
				      list[i].published_version, "latest", list[i].latest_version, "helped",
				      (json_int_t)list[i].helped, "not_helped", (json_int_t)list[i].not_helped);
		json_object_set_new(o, "draft", json_boolean(list[i].published_version != list[i].latest_version));
		if (list[i].not_helped > list[i].helped)
			json_array_append_new(failing, json_incref(o));
		json_array_append_new(entries, o);
	}
	for (int i = 0; i < nt; i++)
		json_array_append_new(topics, json_pack("{s:s,s:I,s:I}", "topic",
							 sv_topic_name(r, tp, n_tp > 0 ? n_tp : 0, tt[i].topic_code), "count",
							 (json_int_t)tt[i].count, "handed_over", (json_int_t)tt[i].handed_over));
	json_t *d = json_pack("{s:o,s:o,s:o,s:o}", "entries", entries, "failing", failing, "topics", topics, "form",
			      form_view(r, f));
	const char *done = req_query(r, "done");
	if (done && strcmp(done, "saved") == 0)
		json_object_set_new(d, "done_key", json_string("support.faq.saved"));
	if (errors && json_object_size(errors) > 0)
		put_errors(w, d, errors);
	json_decref(errors);
	resp_page(w, r, "faq_editor", "support.faq.editor.title", d);
}

void faq_editor(struct req *r, struct resp *w)
{
	show_editor(r, w, NULL, NULL);
}

static void read_form(struct req *r, struct faq_form *f)
{
	f->topic = req_form(r, "topic");
	f->question_nb = msg_text_clean(r->a, req_form(r, "question_nb"));
	f->answer_nb = msg_text_clean(r->a, req_form(r, "answer_nb"));
	f->question_en = msg_text_clean(r->a, req_form(r, "question_en"));
	f->answer_en = msg_text_clean(r->a, req_form(r, "answer_en"));
	f->source = msg_text_clean(r->a, req_form(r, "source"));
	const char *a = req_form(r, "action");
	f->publish = a && strcmp(a, "publish") == 0;
}

static void show_entry(struct req *r, struct resp *w, int64_t id, const struct faq_form *f, json_t *errors)
{
	struct err e;
	struct faq_entry cur;
	struct faq_version *v;
	int nv;
	if (faq_edit_read(r->app->store, &r->who, id, r->now, &cur, &v, &nv, r->a, &e) != 0) {
		json_decref(errors);
		resp_failure(w, r, &e, "faq entry editor");
		return;
	}
	struct faq_form now = {cur.topic_code, cur.v.question_nb, cur.v.answer_nb, cur.v.question_en,
			       cur.v.answer_en, cur.v.source, 0};
	json_t *versions = json_array();
	for (int i = 0; i < nv; i++) {
		json_t *o = json_pack("{s:i,s:s,s:s,s:b}", "version", v[i].version, "question",
				      r->lang == LANG_EN ? v[i].question_en : v[i].question_nb, "by",
				      v[i].staff_name ? v[i].staff_name : i18n_get(r->lang, "support.faq.by_system"),
				      "published", v[i].version == cur.published_version);
		sv_put_when(o, v[i].created_at);
		json_array_append_new(versions, o);
	}
	json_t *d = json_pack("{s:I,s:i,s:i,s:I,s:I,s:o,s:o}", "id", (json_int_t)id, "published", cur.published_version,
			      "latest", cur.latest_version, "helped", (json_int_t)cur.helped, "not_helped",
			      (json_int_t)cur.not_helped, "versions", versions, "form", form_view(r, f ? f : &now));
	const char *done = req_query(r, "done");
	if (done && strcmp(done, "saved") == 0)
		json_object_set_new(d, "done_key", json_string("support.faq.saved"));
	if (errors && json_object_size(errors) > 0)
		put_errors(w, d, errors);
	json_decref(errors);
	resp_page(w, r, "faq_edit", "support.faq.editor.title", d);
}

void faq_editor_entry(struct req *r, struct resp *w)
{
	show_entry(r, w, param_id(r), NULL, NULL);
}

void faq_editor_create(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	struct faq_form f;
	read_form(r, &f);
	int64_t id;
	if (faq_save(r->app->store, &r->who, 0, &f, r->now, &id, &e) != 0) {
		if (e.code == ERR_INVALID)
			show_editor(r, w, &f, json_pack("{s:s}", e.field, arena_printf(r->a, "support.faq.error.%s", e.field)));
		else
			resp_failure(w, r, &e, "faq save");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/kundesenter/faq/%lld?done=saved", (long long)id));
}

void faq_editor_save(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	int64_t id = param_id(r);
	const char *a = req_form(r, "action");
	if (a && strcmp(a, "publish-version") == 0) {
		const char *v = req_form(r, "version");
		long version = v ? form_int(v, 1, 1000000) : 0;
		if (faq_publish(r->app->store, &r->who, id, (int)(version > 0 ? version : 0), r->now, &e) != 0) {
			resp_failure(w, r, &e, "faq publish");
			return;
		}
		resp_redirect(w, r, arena_printf(r->a, "/kundesenter/faq/%lld?done=saved", (long long)id));
		return;
	}
	struct faq_form f;
	read_form(r, &f);
	if (faq_save(r->app->store, &r->who, id, &f, r->now, NULL, &e) != 0) {
		if (e.code == ERR_INVALID)
			show_entry(r, w, id, &f, json_pack("{s:s}", e.field, arena_printf(r->a, "support.faq.error.%s", e.field)));
		else
			resp_failure(w, r, &e, "faq save");
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/kundesenter/faq/%lld?done=saved", (long long)id));
}
