/* desk.c - the support centre's pages (issue #14): the agent's desk, where
 * a caller is identified and an inquiry logged in a few keystrokes; one
 * communication history per person, the same page for the person (Mine
 * sider), a case worker and a support agent; and the monthly cost report
 * with its CSV and chart.
 *
 * Each handler parses, calls one domain function of support/ (which asks
 * the gate and audits), and renders. A refused form keeps every value and
 * names the field (422). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/money.h"
#include "mailbox/messages.h"
#include "support/support.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/portal/view.h"
#include "web/support/support_view.h"

static int64_t param_id(struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

/* Every time on the support pages is Norway's wall clock, as the rest of
 * the portal shows it (the agents, the person and the case worker read the
 * same time), not the UTC the database keeps. */
void sv_put_when(json_t *o, int64_t t)
{
	char day[11], hm[8];
	date_t d;
	int minute;
	date_oslo(t, &d, &minute);
	snprintf(hm, sizeof(hm), "%02d:%02d", minute / 60 % 24, minute % 60);
	json_object_set_new(o, "day", json_string(date_format(d, day)));
	json_object_set_new(o, "time", json_string(hm));
	char iso[21]; /* the instant itself, for <time datetime> */
	json_object_set_new(o, "iso", json_string(date_format_timestamp(t, iso)));
}

const char *sv_topic_name(struct req *r, const struct support_topic *t, int n, const char *code)
{
	for (int i = 0; i < n; i++)
		if (strcmp(t[i].code, code) == 0)
			return r->lang == LANG_EN ? t[i].name_en : t[i].name_nb;
	return code;
}

/* The value a form gave for a topic: its code, or a topic's name in
 * either language (what the searchable list shows), as its code. */
static const char *topic_code_of(const struct support_topic *t, int n, const char *v)
{
	if (v == NULL)
		return NULL;
	for (int i = 0; i < n; i++)
		if (strcasecmp(t[i].code, v) == 0 || strcasecmp(t[i].name_nb, v) == 0 || strcasecmp(t[i].name_en, v) == 0)
			return t[i].code;
	return v;
}

/* An inquiry as the lists show it. */
static json_t *inquiry_view(struct req *r, const struct inquiry *q, const struct support_topic *t, int nt)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)q->id, "channel_key",
			      arena_printf(r->a, "support.channel.%s", q->channel), "outcome_key",
			      arena_printf(r->a, "support.outcome.%s", q->outcome), "service_key",
			      arena_printf(r->a, "support.service.%s", q->service), "topic",
			      sv_topic_name(r, t, nt, q->topic_code), "agency", q->agency, "minutes",
			      (json_int_t)((q->ended_at - q->started_at + 59) / 60));
	sv_put_when(o, q->started_at);
	if (q->note)
		json_object_set_new(o, "note", json_string(q->note));
	if (q->link)
		json_object_set_new(o, "link", json_string(q->link));
	if (q->person_id)
		json_object_set_new(o, "person_id", json_integer((json_int_t)q->person_id));
	if (q->case_id)
		json_object_set_new(o, "case_id", json_integer((json_int_t)q->case_id));
	if (q->sent_to) /* #14: an FAQ link sent with it, and where */
		json_object_set_new(o, "sent_key", json_string(strchr(q->sent_to, ',') ? "support.desk.sent.both"
							  : arena_printf(r->a, "support.desk.sent.%s", q->sent_to)));
	if (q->message_id) {
		json_object_set_new(o, "handed", json_true());
		json_object_set_new(o, "closed", json_boolean(q->answered_at != 0));
	}
	return o;
}

static json_t *options(struct req *r, const char *const *list, const char *prefix, const char *chosen)
{
	json_t *a = json_array();
	for (int i = 0; list[i]; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", list[i], "key",
						   arena_printf(r->a, "%s%s", prefix, list[i]), "selected",
						   chosen && strcmp(chosen, list[i]) == 0));
	return a;
}

/* The desk: the caller (when identified), the log form with f's values
 * (NULL: a fresh form), errors (reference taken, may be NULL), the FAQ
 * search, and the agent's recent inquiries. */
static void show_desk(struct req *r, struct resp *w, int64_t person_id, const struct inquiry_form *f,
		      json_t *errors, const char *nin, const char *topic_value)
{
	struct err e;
	struct support_agency *ag;
	struct support_topic *tp;
	struct inquiry *mine;
	int n_mine = support_my_inquiries(r->app->store, &r->who, 15, r->now, &mine, r->a, &e);
	if (n_mine < 0) {
		json_decref(errors);
		resp_failure(w, r, &e, "support desk");
		return;
	}
	int n_ag = support_agencies(r->app->store, &ag, r->a, &e);
	int n_tp = n_ag < 0 ? -1 : support_topics(r->app->store, &tp, r->a, &e);
	if (n_ag < 0 || n_tp < 0) {
		json_decref(errors);
		resp_failure(w, r, &e, "support desk");
		return;
	}
	json_t *d = json_object();
	if (person_id > 0) {
		struct support_caller c;
		if (support_caller(r->app->store, &r->who, person_id, r->now, &c, r->a, &e) != 0) {
			json_decref(errors);
			json_decref(d);
			resp_failure(w, r, &e, "support caller");
			return;
		}
		json_t *cases = json_array(), *recent = json_array();
		for (int i = 0; i < c.n_cases; i++) {
			json_t *cv = view_case(&c.cases[i]);
			json_object_set_new(cv, "selected", json_boolean(f && f->case_id == c.cases[i].id));
			json_array_append_new(cases, cv);
		}
		for (int i = 0; i < c.n_recent; i++)
			json_array_append_new(recent, inquiry_view(r, &c.recent[i], tp, n_tp));
		char birth[11];
		json_object_set_new(d, "caller",
				    json_pack("{s:I,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)c.p.id, "given_name",
					      c.p.given_name, "family_name", c.p.family_name, "birth_date",
					      date_format(c.p.birth_date, birth), "cases", cases, "recent", recent));
	}
	const char *agency = f && f->agency ? f->agency : NULL;
	json_t *agencies = json_array();
	for (int i = 0; i < n_ag; i++)
		if (ag[i].active) /* a retired agency is no longer offered */
			json_array_append_new(agencies, json_pack("{s:s,s:s,s:b}", "value", ag[i].code, "name",
								  r->lang == LANG_EN && ag[i].name_en[0] ? ag[i].name_en : ag[i].name,
							  "selected", agency ? strcmp(agency, ag[i].code) == 0
									     : strcmp(ag[i].code, "lanekassen") == 0));
	json_t *topics = json_array();
	for (int i = 0; i < n_tp; i++)
		if (tp[i].active)
			json_array_append_new(topics, json_pack("{s:s,s:s}", "value", tp[i].code, "name",
								r->lang == LANG_EN ? tp[i].name_en : tp[i].name_nb));
	/* The start as the agent's clock reads it: Norwegian time, which
	 * support_log reads the fields as. */
	char start[21];
	date_format_timestamp(r->now + date_oslo_offset(r->now), start);
	start[16] = '\0';
	const char *link = f && f->link ? f->link : req_query(r, "link");
	const char *outcome = f && f->outcome ? f->outcome : (link && *link ? "self-service" : "answered");
	json_t *form = json_pack("{s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:i}", "agencies", agencies, "topics", topics,
				 "channels", options(r, support_channels, "support.channel.", f ? f->channel : "phone"),
				 "services", options(r, support_services, "support.service.", f ? f->service : "application"),
				 "outcomes", options(r, support_outcomes, "support.outcome.", outcome), "topic",
				 topic_value ? topic_value : "", "start", f && f->start ? f->start : start, "end",
				 f && f->end ? f->end : "", "link", link ? link : "", "max", SUPPORT_NOTE_MAX);
	if (f && f->note)
		json_object_set_new(form, "note", json_string(f->note));
	json_object_set_new(d, "form", form);
	json_object_set_new(d, "nin", json_string(nin ? nin : ""));
	/* The FAQ, searched from the desk: a result's link can be given. */
	const char *faq_q = req_query(r, "faq");
	if (faq_q == NULL || *faq_q == '\0')
		faq_q = req_form(r, "faq_q"); /* the send form, refused: its search again */
	if (faq_q && *faq_q) {
		struct faq_entry *hits;
		int n = faq_search(r->app->store, faq_q, 8, &hits, r->a, &e);
		const char *chosen = req_form(r, "faq");
		json_t *list = json_array();
		for (int i = 0; i < n; i++) {
			char id[24];
			snprintf(id, sizeof(id), "%lld", (long long)hits[i].id);
			json_array_append_new(list, json_pack("{s:I,s:s,s:b}", "id", (json_int_t)hits[i].id, "question",
							      r->lang == LANG_EN ? hits[i].v.question_en
										 : hits[i].v.question_nb,
							      "chosen", chosen ? strcmp(chosen, id) == 0 : i == 0));
		}
		json_object_set_new(d, "faq", json_pack("{s:s,s:o,s:b}", "q", faq_q, "hits", list, "searched", 1));
		/* Sending a hit's link: an anonymous caller's address and
		 * language as given (kept when refused). */
		const char *email = req_form(r, "email"), *lang = req_form(r, "lang");
		int en = lang ? strcmp(lang, "en") == 0 : r->lang == LANG_EN;
		json_object_set_new(d, "send", json_pack("{s:s,s:b,s:b}", "email", email ? email : "", "nb", !en, "en", en));
	}
	json_t *ml = json_array();
	for (int i = 0; i < n_mine; i++)
		json_array_append_new(ml, inquiry_view(r, &mine[i], tp, n_tp));
	json_object_set_new(d, "mine", ml);
	if (person_id > 0)
		json_object_set_new(d, "person_id", json_integer((json_int_t)person_id));
	const char *done = req_query(r, "done");
	if (done && strcmp(done, "logged") == 0)
		json_object_set_new(d, "done_key", json_string("support.desk.logged"));
	else if (done && (strcmp(done, "faq-mailbox") == 0 || strcmp(done, "faq-email") == 0))
		json_object_set_new(d, "done_key", json_string(strcmp(done, "faq-email") == 0 ? "support.faqsend.done.email"
											      : "support.faqsend.done.mailbox"));
	if (errors && json_object_size(errors) > 0) {
		static const char *const order[][2] = {
		    {"nin", "nin"},         {"confirmed", "confirmed"}, {"agency", "agency"}, {"channel", "channel"},
		    {"topic", "topic"},     {"service", "service"},     {"outcome", "outcome-answered"},
		    {"start", "start"},     {"end", "end"},             {"link", "link"},     {"note", "note"},
		    {"person", "nin"},      {"case", "case"},             {"send_faq", "send-faq"},
		    {"send_channel", "send-channel"}, {"send_agency", "send-faq"}, {"send_email", "send-email"},
		    {"send_lang", "send-lang-nb"}};
		json_object_set_new(d, "error_summary", form_error_summary(errors, order, sizeof(order) / sizeof(order[0])));
		json_object_set(d, "errors", errors);
		w->status = 422;
	}
	json_decref(errors);
	resp_page(w, r, "support_desk", "support.desk.title", d);
}

void support_desk(struct req *r, struct resp *w)
{
	const char *p = req_query(r, "person");
	long person = p && *p ? form_int(p, 1, 999999999999L) : 0;
	show_desk(r, w, person > 0 ? person : 0, NULL, NULL, NULL, NULL);
}

void support_identify_caller(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *nin = req_form(r, "nin");
	const char *conf = req_form(r, "confirmed");
	int64_t person = 0;
	char *clean = NULL;
	if (nin) { /* spaces as the caller reads it out: "010203 12345" */
		clean = arena_strdup(r->a, nin);
		char *o = clean;
		for (const char *q = nin; *q; q++)
			if (*q != ' ')
				*o++ = *q;
		*o = '\0';
	}
	if (support_identify(r->app->store, &r->who, clean, conf && strcmp(conf, "yes") == 0, r->now, &person, &e) != 0) {
		if (e.code != ERR_INVALID) {
			resp_failure(w, r, &e, "identify caller");
			return;
		}
		const char *key = strcmp(e.field, "confirmed") == 0 ? "support.error.confirmed"
				  : strstr(e.message, "no person") ? "support.error.nin_unknown"
								     : "support.error.nin";
		show_desk(r, w, 0, NULL, json_pack("{s:s}", e.field, key), nin, NULL);
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "/kundesenter?person=%lld", (long long)person));
}

void support_log_inquiry(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	struct support_topic *tp;
	int n_tp = support_topics(r->app->store, &tp, r->a, &e);
	if (n_tp < 0) {
		resp_failure(w, r, &e, "log inquiry");
		return;
	}
	const char *p = req_form(r, "person"), *c = req_form(r, "case");
	long person = p && *p ? form_int(p, 1, 999999999999L) : 0;
	long case_id = c && *c ? form_int(c, 1, 999999999999L) : 0;
	const char *topic_value = req_form(r, "topic");
	struct inquiry_form f = {req_form(r, "agency"), req_form(r, "channel"), topic_code_of(tp, n_tp, topic_value),
				 req_form(r, "service"), req_form(r, "outcome"), req_form(r, "start"), req_form(r, "end"),
				 req_form(r, "link"), msg_text_clean(r->a, req_form(r, "note")), person > 0 ? person : 0,
				 case_id > 0 ? case_id : 0};
	if (f.link) {
		char *l = msg_text_clean(r->a, f.link);
		f.link = l;
	}
	int64_t id;
	if (support_log(r->app->store, &r->who, &f, r->now, &id, &e) != 0) {
		if (e.code != ERR_INVALID) {
			resp_failure(w, r, &e, "log inquiry");
			return;
		}
		show_desk(r, w, f.person_id, &f,
			  json_pack("{s:s}", e.field, arena_printf(r->a, "support.error.%s", e.field)), NULL, topic_value);
		return;
	}
	log_info("inquiry %lld logged", (long long)id);
	resp_redirect(w, r, f.person_id ? arena_printf(r->a, "/kundesenter?person=%lld&done=logged", (long long)f.person_id)
					: "/kundesenter?done=logged");
}

/* An agent sends an FAQ answer's link to the caller (#14): to the
 * identified caller's mailbox, or by e-mail to an anonymous one. */
void support_send_faq(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *p = req_form(r, "person"), *fq = req_form(r, "faq");
	long person = p && *p ? form_int(p, 1, 999999999999L) : 0;
	long faq = fq && *fq ? form_int(fq, 1, 999999999999L) : 0;
	char *email = msg_text_clean(r->a, req_form(r, "email"));
	struct faq_send_form f = {faq > 0 ? faq : 0, person > 0 ? person : 0, email, req_form(r, "lang"),
				  req_form(r, "channel"), req_form(r, "agency")};
	int64_t id;
	if (support_faq_send(r->app->store, &r->who, r->app->notify, &f, r->now, &id, &e) != 0) {
		if (e.code != ERR_INVALID) {
			resp_failure(w, r, &e, "send faq link");
			return;
		}
		show_desk(r, w, f.person_id, NULL,
			  json_pack("{s:s}", arena_printf(r->a, "send_%s", e.field[0] ? e.field : "faq"),
				    arena_printf(r->a, "support.faqsend.error.%s", e.field[0] ? e.field : "faq")),
			  NULL, NULL);
		return;
	}
	log_info("inquiry %lld: faq %lld sent to the %s", (long long)id, (long long)f.faq_id,
		 f.person_id ? "mailbox" : "e-mail address given");
	resp_redirect(w, r, f.person_id ? arena_printf(r->a, "/kundesenter?person=%lld&done=faq-mailbox",
						       (long long)f.person_id)
					: "/kundesenter?done=faq-email");
}

/* ---- the communication history ---- */

static unsigned types_of(const char *t)
{
	if (t == NULL || *t == '\0' || strcmp(t, "all") == 0)
		return TIMELINE_ALL;
	if (strcmp(t, "letter") == 0)
		return TIMELINE_LETTERS;
	if (strcmp(t, "message") == 0)
		return TIMELINE_MESSAGES;
	if (strcmp(t, "inquiry") == 0)
		return TIMELINE_INQUIRIES;
	if (strcmp(t, "decision") == 0)
		return TIMELINE_DECISIONS;
	return 0;
}

static json_t *timeline_item_view(struct req *r, const struct timeline_item *x, const struct support_topic *tp,
				  int n_tp)
{
	json_t *o = json_pack("{s:s,s:I}", "type", x->type, "id", (json_int_t)x->id);
	sv_put_when(o, x->at);
	if (x->case_id)
		json_object_set_new(o, "case_id", json_integer((json_int_t)x->case_id));
	if (strcmp(x->type, "letter") == 0) {
		json_object_set_new(o, "letter", json_true());
		json_object_set_new(o, "title_key", json_string(view_letter_title_key(x->sub)));
		const char *st = x->status ? x->status : "none";
		if (x->channel && strcmp(st, "none") != 0)
			json_object_set_new(o, "notice_key",
					    json_string(strcmp(st, "failed") == 0
							    ? "notify.status.failed"
							    : arena_printf(r->a, "notify.status.%s.%s", st, x->channel)));
		else
			json_object_set_new(o, "notice_key", json_string("support.timeline.no_notice"));
		if (x->opened_at) {
			json_t *op = json_object();
			sv_put_when(op, x->opened_at);
			json_object_set_new(o, "opened", op);
		}
		if (x->paper_at) {
			json_t *pp = json_object();
			sv_put_when(pp, x->paper_at);
			json_object_set_new(o, "paper", pp);
		}
	} else if (strcmp(x->type, "message") == 0) {
		int in = strcmp(x->sub, "in") == 0;
		json_object_set_new(o, "message", json_true());
		json_object_set_new(o, "title_key", json_string(in ? "support.timeline.message_in" : "support.timeline.message_out"));
		json_object_set_new(o, "text", json_string(x->text ? x->text : ""));
		if (in)
			json_object_set_new(o, "waiting", json_boolean(x->answered_at == 0));
	} else if (strcmp(x->type, "inquiry") == 0) {
		json_object_set_new(o, "inquiry", json_true());
		json_object_set_new(o, "title_key", json_string("support.timeline.inquiry"));
		json_object_set_new(o, "channel_key", json_string(arena_printf(r->a, "support.channel.%s", x->channel)));
		json_object_set_new(o, "topic", json_string(sv_topic_name(r, tp, n_tp, x->status ? x->status : "")));
		json_object_set_new(o, "outcome_key", json_string(arena_printf(r->a, "support.outcome.%s", x->sub)));
		if (x->link)
			json_object_set_new(o, "link", json_string(x->link));
		if (x->text)
			json_object_set_new(o, "text", json_string(x->text));
		if (strcmp(x->sub, "handed-over") == 0)
			json_object_set_new(o, "closed_key", json_string(x->answered_at ? "support.timeline.answered"
											: "support.timeline.waiting"));
	} else {
		json_object_set_new(o, "decision", json_true());
		json_object_set_new(o, "title_key", json_string("support.timeline.decision"));
		json_object_set_new(o, "outcome_key", json_string(arena_printf(r->a, "outcome.%s", x->sub)));
	}
	return o;
}

/* The history of person for the page at base ("/mine-sider/historikk"). */
static void show_timeline(struct req *r, struct resp *w, int64_t person, const char *base, int own)
{
	struct err e;
	const char *t = req_query(r, "type");
	unsigned types = types_of(t);
	if (types == 0) {
		resp_error(w, r, 422, "support.error.type");
		return;
	}
	struct timeline_item *items;
	int n = support_timeline(r->app->store, &r->who, person, types, r->now, &items, r->a, &e);
	if (n < 0) {
		resp_failure(w, r, &e, "timeline");
		return;
	}
	struct support_topic *tp;
	int n_tp = support_topics(r->app->store, &tp, r->a, &e);
	if (n_tp < 0)
		n_tp = 0;
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, timeline_item_view(r, &items[i], tp, n_tp));
	static const char *const kinds[] = {"all", "letter", "message", "inquiry", "decision", NULL};
	json_t *filters = json_array();
	for (int i = 0; kinds[i]; i++)
		json_array_append_new(filters, json_pack("{s:s,s:s,s:b}", "value", kinds[i], "key",
							 arena_printf(r->a, "support.timeline.filter.%s", kinds[i]),
							 "selected", (t && strcmp(t, kinds[i]) == 0) || (!t && i == 0)));
	json_t *d = json_pack("{s:o,s:o,s:s,s:b,s:I}", "items", list, "filters", filters, "base", base, "own", own,
			      "person_id", (json_int_t)person);
	const char *sent = req_query(r, "sent");
	if (own && sent && strcmp(sent, "1") == 0)
		json_object_set_new(d, "sent", json_true());
	resp_page(w, r, "support_timeline", "support.timeline.title", d);
}

void mypages_timeline(struct req *r, struct resp *w)
{
	show_timeline(r, w, access_subject(&r->who), "/mine-sider/historikk", 1);
}

void support_person_timeline(struct req *r, struct resp *w)
{
	int64_t id = param_id(r);
	show_timeline(r, w, id, arena_printf(r->a, "/kundesenter/personer/%lld/historikk", (long long)id), 0);
}

/* ---- the cost report ---- */

#define CHART_W 640
#define CHART_LABEL 220
#define CHART_BAR 16

static int report_chart(struct buf *b, struct req *r, const struct support_report *rep)
{
	int h = 40 + rep->n * (CHART_BAR + 8) + 24, rc = 0;
	rc |= buf_printf(b,
			 "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"stats-chart\" role=\"img\" viewBox=\"0 0 %d %d\" "
			 "width=\"%d\" height=\"%d\" aria-labelledby=\"report-chart-title report-chart-desc\">"
			 "<title id=\"report-chart-title\">",
			 CHART_W, h, CHART_W, h);
	rc |= buf_put_html(b, i18n_get(r->lang, "support.report.chart.title"), strlen(i18n_get(r->lang, "support.report.chart.title")));
	rc |= buf_puts(b, "</title><desc id=\"report-chart-desc\">");
	const char *desc = i18n_get(r->lang, "support.report.chart.desc");
	rc |= buf_put_html(b, desc, strlen(desc));
	rc |= buf_puts(b, "</desc><g font-family=\"sans-serif\" font-size=\"12\" fill=\"#1a1a1a\">");
	int span = CHART_W - CHART_LABEL - 90;
	for (int i = 0; i < rep->n; i++) {
		const struct report_line *l = &rep->lines[i];
		int y = 20 + i * (CHART_BAR + 8), len = (int)(l->share_ppm * span / 1000000);
		const char *label = arena_printf(r->a, "%s · %s", l->agency,
						 i18n_get(r->lang, arena_printf(r->a, "support.service.%s", l->service)));
		rc |= buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", CHART_LABEL - 8, y + 12);
		rc |= buf_put_html(b, label, strlen(label));
		rc |= buf_printf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#0b5c8c\"/>"
				    "<text x=\"%d\" y=\"%d\">%lld,%02lld %%</text>",
				 CHART_LABEL, y, len, CHART_BAR, CHART_LABEL + len + 4, y + 12,
				 (long long)(l->share_ppm / 10000), (long long)(l->share_ppm % 10000 / 100));
	}
	rc |= buf_puts(b, "</g></svg>");
	return rc;
}

static const char *kroner_text(struct req *r, int64_t ore)
{
	char out[64];
	return arena_strdup(r->a, money_format(ore, r->lang, out, sizeof(out)));
}

void support_report_page(struct req *r, struct resp *w)
{
	struct err e;
	char month[8];
	date_t today = (date_t)(r->now / 86400);
	int y, m, dd;
	date_to_ymd(today, &y, &m, &dd);
	snprintf(month, sizeof(month), "%04d-%02d", y, m);
	const char *mq = req_query(r, "month"), *cq = req_query(r, "cost"), *fmt = req_query(r, "format");
	int64_t cost = 0;
	json_t *errors = json_object();
	if (cq && *cq && support_parse_kroner(cq, &cost) != 0)
		json_object_set_new(errors, "cost", json_string("support.error.cost"));
	struct support_report rep;
	int rc = support_report(r->app->store, &r->who, mq && *mq ? mq : month, cost, r->now, &rep, r->a, &e);
	if (rc != 0 && e.code != ERR_INVALID) {
		json_decref(errors);
		resp_failure(w, r, &e, "support report");
		return;
	}
	if (rc != 0)
		json_object_set_new(errors, "month", json_string("support.error.month"));
	if (json_object_size(errors) == 0 && fmt && strcmp(fmt, "csv") == 0) {
		json_decref(errors);
		buf_reset(&w->body);
		if (support_report_csv(&rep, &w->body) != 0) {
			resp_error(w, r, 500, "error.internal");
			return;
		}
		w->status = 200;
		w->content_type = "text/csv; charset=utf-8";
		resp_header(w, "Content-Disposition",
			    arena_printf(r->a, "attachment; filename=\"kundesenter-%s.csv\"", rep.month));
		return;
	}
	json_t *d = json_pack("{s:s,s:s}", "month", mq && *mq ? mq : month, "cost", cq ? cq : "");
	if (json_object_size(errors) > 0) {
		static const char *const order[][2] = {{"month", "month"}, {"cost", "cost"}};
		json_object_set_new(d, "error_summary", form_error_summary(errors, order, 2));
		json_object_set(d, "errors", errors);
		json_decref(errors);
		w->status = 422;
		resp_page(w, r, "support_report", "support.report.title", d);
		return;
	}
	json_decref(errors);
	json_t *lines = json_array();
	for (int i = 0; i < rep.n; i++) {
		const struct report_line *l = &rep.lines[i];
		json_t *ch = json_array();
		for (int c = 0; support_channels[c]; c++)
			json_array_append_new(ch, json_integer((json_int_t)l->by_channel[c]));
		json_array_append_new(
		    lines, json_pack("{s:s,s:s,s:o,s:I,s:I,s:s,s:s}", "agency", l->agency, "service_key",
				     arena_printf(r->a, "support.service.%s", l->service), "channels", ch, "count",
				     (json_int_t)l->count, "minutes", (json_int_t)((l->seconds + 30) / 60), "share",
				     arena_printf(r->a, "%lld,%02lld", (long long)(l->share_ppm / 10000),
						  (long long)(l->share_ppm % 10000 / 100)),
				     "cost", kroner_text(r, l->cost)));
	}
	json_t *heads = json_array();
	for (int c = 0; support_channels[c]; c++)
		json_array_append_new(heads, json_pack("{s:s}", "key", arena_printf(r->a, "support.channel.%s", support_channels[c])));
	json_object_set_new(d, "lines", lines);
	json_object_set_new(d, "channel_heads", heads);
	json_object_set_new(d, "total", json_pack("{s:I,s:I,s:s}", "count", (json_int_t)rep.count, "minutes",
						  (json_int_t)((rep.seconds + 30) / 60), "cost",
						  kroner_text(r, rep.n > 0 ? rep.total_cost : 0)));
	json_object_set_new(d, "month", json_string(rep.month));
	json_object_set_new(d, "csv_url", json_string(arena_printf(r->a, "/kundesenter/rapport?month=%s&cost=%lld.%02lld&format=csv",
								    rep.month, (long long)(cost / 100), (long long)(cost % 100))));
	struct buf svg;
	buf_init(&svg, 256 * 1024);
	if (rep.n > 0 && report_chart(&svg, r, &rep) == 0)
		json_object_set_new(d, "chart", json_string(buf_str(&svg)));
	buf_cleanup(&svg);
	resp_page(w, r, "support_report", "support.report.title", d);
}
