/* figures.c - management's dashboard (GET /ledelse) and the operators'
 * /metrics (issue #14).
 *
 * Each figure is given three ways: a bar chart drawn here as SVG (role
 * "img" with a title and a description, every text escaped), the table
 * beside it that is the chart's text equivalent, and a CSV
 * (?csv=automation|duration|queue|online|paper|inquiries). The figures come
 * from one domain call (support_figures_read, ACT_DASHBOARD_READ). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/money.h"
#include "support/support.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/support/support_view.h"

#define CHART_MAX (256 * 1024)

struct bar {
	const char *label;
	int64_t value; /* scaled against max */
	const char *text;
};

/* A horizontal bar chart of n bars. */
static int bars(struct buf *b, struct req *r, const char *id, const char *title_key, const struct bar *x, int n,
		int64_t max)
{
	int label_w = 230, span = 330, bh = 14, gap = 6, h = 16 + n * (bh + gap) + 8;
	const char *title = i18n_get(r->lang, title_key);
	const char *desc = i18n_get(r->lang, "support.dash.chart.desc");
	int rc = buf_printf(b,
			    "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"stats-chart\" role=\"img\" viewBox=\"0 0 %d %d\" "
			    "width=\"%d\" height=\"%d\" aria-labelledby=\"%s-title %s-desc\"><title id=\"%s-title\">",
			    label_w + span + 90, h, label_w + span + 90, h, id, id, id);
	rc |= buf_put_html(b, title, strlen(title));
	rc |= buf_printf(b, "</title><desc id=\"%s-desc\">", id);
	rc |= buf_put_html(b, desc, strlen(desc));
	rc |= buf_puts(b, "</desc><g font-family=\"sans-serif\" font-size=\"12\" fill=\"#1a1a1a\">");
	for (int i = 0; i < n; i++) {
		int y = 10 + i * (bh + gap);
		int len = max > 0 ? (int)(x[i].value * span / max) : 0;
		rc |= buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 8, y + 11);
		rc |= buf_put_html(b, x[i].label, strlen(x[i].label));
		rc |= buf_printf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#0b5c8c\"/><text x=\"%d\" y=\"%d\">",
				 label_w, y, len, bh, label_w + len + 4, y + 11);
		rc |= buf_put_html(b, x[i].text, strlen(x[i].text));
		rc |= buf_puts(b, "</text>");
	}
	rc |= buf_puts(b, "</g></svg>");
	return rc;
}

static const char *chart_of(struct req *r, const char *id, const char *title_key, const struct bar *x, int n,
			    int64_t max)
{
	if (n == 0)
		return NULL;
	struct buf b;
	buf_init(&b, CHART_MAX);
	const char *out = bars(&b, r, id, title_key, x, n, max) == 0 ? arena_strdup(r->a, buf_str(&b)) : NULL;
	buf_cleanup(&b);
	return out;
}

static const char *tenths(struct req *r, int64_t t)
{
	return arena_printf(r->a, "%lld%c%lld", (long long)(t / 10), r->lang == LANG_NB ? ',' : '.', (long long)(t % 10));
}

static int64_t share_tenths(int64_t part, int64_t all)
{
	return all > 0 ? (part * 1000 + all / 2) / all : 0;
}

static const char *days_text(struct req *r, int64_t seconds)
{
	return tenths(r, (seconds * 10 + 43200) / 86400);
}

/* Øre as the page writes kroner ("1 234,50 kr"). */
static const char *kroner(struct req *r, int64_t ore)
{
	char out[64];
	return arena_strdup(r->a, money_format(ore, r->lang, out, sizeof(out)));
}

static date_t day_of(int64_t t)
{
	return (date_t)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

static void csv(struct req *r, struct resp *w, const struct support_figures *f, const char *which)
{
	struct buf *b = &w->body;
	buf_reset(b);
	if (strcmp(which, "automation") == 0) {
		buf_puts(b, "week,scheme,decided,automatic,automatic_percent\r\n");
		for (int i = 0; i < f->n_automation; i++) {
			int64_t t = share_tenths(f->automation[i].automatic, f->automation[i].decided);
			buf_printf(b, "%s,%s,%lld,%lld,%lld.%lld\r\n", f->automation[i].week, f->automation[i].scheme,
				   (long long)f->automation[i].decided, (long long)f->automation[i].automatic,
				   (long long)(t / 10), (long long)(t % 10));
		}
	} else if (strcmp(which, "duration") == 0) {
		buf_puts(b, "decided,median_seconds,p90_seconds,norm_weeks,norm_days,within_norm\r\n");
		buf_printf(b, "%lld,%lld,%lld,%d,%d,%lld\r\n", (long long)f->decided, (long long)f->median,
			   (long long)f->p90, f->norm_weeks, f->norm_days, (long long)f->within_norm);
	} else if (strcmp(which, "queue") == 0) {
		buf_puts(b, "reason,cases,oldest_age_days\r\n");
		for (int i = 0; i < f->n_queue; i++)
			buf_printf(b, "%s,%lld,%lld\r\n", f->queue[i].reason, (long long)f->queue[i].count,
				   (long long)((r->now - f->queue[i].oldest_received) / 86400));
	} else if (strcmp(which, "online") == 0) {
		buf_puts(b, "applications,online\r\n");
		buf_printf(b, "%lld,%lld\r\n", (long long)f->applications, (long long)f->online);
	} else if (strcmp(which, "paper") == 0) {
		buf_puts(b, "kind,letters_on_paper\r\n");
		for (int i = 0; i < f->n_paper; i++)
			buf_printf(b, "%s,%lld\r\n", f->paper[i].kind, (long long)f->paper[i].count);
	} else if (strcmp(which, "payouts") == 0) {
		/* Both figures of the payouts in one file: made by week, then
		 * held now by reason (week empty). */
		buf_puts(b, "week,payments_made,made_nok,held_reason,cases_held,held_nok\r\n");
		for (int i = 0; i < f->n_payout_weeks; i++)
			buf_printf(b, "%s,%lld,%lld.%02lld,,,\r\n", f->payout_weeks[i].week,
				   (long long)f->payout_weeks[i].payments, (long long)(f->payout_weeks[i].ore / 100),
				   (long long)(f->payout_weeks[i].ore % 100));
		for (int i = 0; i < PAYOUT_HELD_REASONS; i++)
			buf_printf(b, ",,,%s,%lld,%lld.%02lld\r\n", f->held[i].reason, (long long)f->held[i].cases,
				   (long long)(f->held[i].ore / 100), (long long)(f->held[i].ore % 100));
	} else {
		buf_puts(b, "topic,inquiries,per_thousand_applications\r\n");
		for (int i = 0; i < f->n_topics; i++) {
			int64_t t = support_per_thousand_tenths(f->topics[i].count, f->applications);
			buf_printf(b, "%s,%lld,", f->topics[i].topic_code, (long long)f->topics[i].count);
			if (t >= 0)
				buf_printf(b, "%lld.%lld", (long long)(t / 10), (long long)(t % 10));
			buf_puts(b, "\r\n");
		}
	}
	w->status = 200;
	w->content_type = "text/csv; charset=utf-8";
	resp_header(w, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"ledelse-%s.csv\"", which));
}

static int parse_day(const char *s, int64_t *out)
{
	date_t d;
	if (s == NULL || date_parse_input(s, &d) != 0)
		return -1;
	*out = (int64_t)d * 86400;
	return 0;
}

void management_dashboard(struct req *r, struct resp *w)
{
	struct err e;
	int64_t to = (int64_t)(day_of(r->now) + 1) * 86400, from = to - 91 * 86400;
	const char *fq = req_query(r, "from"), *tq = req_query(r, "to");
	const char *which = req_query(r, "csv");
	json_t *errors = json_object();
	if (fq && *fq && parse_day(fq, &from) != 0)
		json_object_set_new(errors, "from", json_string("support.dash.error.from"));
	if (tq && *tq && parse_day(tq, &to) != 0)
		json_object_set_new(errors, "to", json_string("support.dash.error.to"));
	else if (tq && *tq)
		to += 86400; /* the last day counts whole */
	static const char *const kinds[] = {"automation", "duration", "queue", "online", "paper", "inquiries", "payouts", NULL};
	if (which && !support_in(kinds, which))
		json_object_set_new(errors, "csv", json_string("support.dash.error.csv"));
	struct support_figures f;
	int rc = support_figures_read(r->app->store, &r->who, from, to, r->app->params, r->now, &f, r->a, &e);
	if (rc != 0 && e.code != ERR_INVALID) {
		json_decref(errors);
		resp_failure(w, r, &e, "dashboard");
		return;
	}
	if (rc != 0)
		json_object_set_new(errors, "to", json_string("support.dash.error.to"));
	/* #15: a date is shown back as people write it (dd.mm.åååå); one
	 * that was refused, as it was typed. */
	char fd[11], td[11];
	json_t *d = json_pack("{s:s,s:s}", "from",
			      json_object_get(errors, "from") && fq ? fq : date_format_input(day_of(from), fd), "to",
			      json_object_get(errors, "to") && tq ? tq : date_format_input(day_of(to - 1), td));
	if (json_object_size(errors) > 0) {
		static const char *const order[][2] = {{"from", "from"}, {"to", "to"}, {"csv", "from"}};
		json_object_set_new(d, "error_summary", form_error_summary(errors, order, 3));
		json_object_set(d, "errors", errors);
		json_decref(errors);
		w->status = 422;
		resp_page(w, r, "mgmt_dashboard", "support.dash.title", d);
		return;
	}
	json_decref(errors);
	if (which) {
		json_decref(d);
		csv(r, w, &f, which);
		return;
	}
	const char *query = arena_printf(r->a, "from=%s&to=%s", json_string_value(json_object_get(d, "from")),
					 json_string_value(json_object_get(d, "to")));
	json_object_set_new(d, "query", json_string(query));
	/* Automation by week and scheme. */
	struct bar *x = arena_zalloc(r->a, sizeof(*x) * (size_t)(f.n_automation + f.n_queue + f.n_paper + f.n_topics +
								     f.n_payout_weeks + PAYOUT_HELD_REASONS + 1));
	json_t *rows = json_array();
	for (int i = 0; i < f.n_automation; i++) {
		const struct week_automation *a = &f.automation[i];
		int64_t t = share_tenths(a->automatic, a->decided);
		const char *scheme = i18n_get(r->lang, arena_printf(r->a, "scheme.%s", a->scheme));
		x[i] = (struct bar){arena_printf(r->a, "%s · %s", a->week, scheme), t, arena_printf(r->a, "%s %%", tenths(r, t))};
		json_array_append_new(rows, json_pack("{s:s,s:s,s:I,s:I,s:s}", "week", a->week, "scheme", scheme, "decided",
						      (json_int_t)a->decided, "automatic", (json_int_t)a->automatic,
						      "percent", tenths(r, t)));
	}
	json_object_set_new(d, "automation", rows);
	const char *c = chart_of(r, "chart-automation", "support.dash.automation.heading", x, f.n_automation, 1000);
	if (c)
		json_object_set_new(d, "automation_chart", json_string(c));
	/* Time to decision. */
	json_t *dur = json_pack("{s:I,s:s,s:s}", "decided", (json_int_t)f.decided, "median", days_text(r, f.median),
				"p90", days_text(r, f.p90));
	if (f.norm_days > 0) {
		json_object_set_new(dur, "norm", json_integer(f.norm_days));
		json_object_set_new(dur, "norm_weeks", json_integer(f.norm_weeks));
		if (f.norm_source)
			json_object_set_new(dur, "norm_source", json_string(f.norm_source));
		json_object_set_new(dur, "within", json_integer((json_int_t)f.within_norm));
		json_object_set_new(dur, "within_percent", json_string(tenths(r, share_tenths(f.within_norm, f.decided))));
		json_object_set_new(dur, "p90_over", json_boolean(f.p90 > (int64_t)f.norm_days * 86400));
	}
	json_object_set_new(d, "duration", dur);
	if (f.decided > 0) {
		struct bar db[2] = {{i18n_get(r->lang, "support.dash.duration.median"), f.median,
				     arena_printf(r->a, "%s d", days_text(r, f.median))},
				    {i18n_get(r->lang, "support.dash.duration.p90"), f.p90,
				     arena_printf(r->a, "%s d", days_text(r, f.p90))}};
		c = chart_of(r, "chart-duration", "support.dash.duration.heading", db, 2, f.p90 > 0 ? f.p90 : 1);
		if (c)
			json_object_set_new(d, "duration_chart", json_string(c));
	}
	/* The manual queue. */
	rows = json_array();
	int64_t qmax = 0;
	for (int i = 0; i < f.n_queue; i++) {
		const char *reason = f.queue[i].reason; /* the code: the reasons' texts are sentences */
		int64_t age = (r->now - f.queue[i].oldest_received) / 86400;
		x[i] = (struct bar){reason, f.queue[i].count, arena_printf(r->a, "%lld", (long long)f.queue[i].count)};
		qmax = f.queue[i].count > qmax ? f.queue[i].count : qmax;
		json_array_append_new(rows, json_pack("{s:s,s:I,s:I}", "reason", reason, "count", (json_int_t)f.queue[i].count,
						      "oldest_days", (json_int_t)age));
	}
	json_object_set_new(d, "queue", rows);
	if ((c = chart_of(r, "chart-queue", "support.dash.queue.heading", x, f.n_queue, qmax)))
		json_object_set_new(d, "queue_chart", json_string(c));
	/* Online share. */
	json_object_set_new(d, "online", json_pack("{s:I,s:I,s:s}", "applications", (json_int_t)f.applications, "online",
						   (json_int_t)f.online, "percent",
						   tenths(r, share_tenths(f.online, f.applications))));
	/* Paper. */
	rows = json_array();
	int64_t pmax = 0;
	for (int i = 0; i < f.n_paper; i++) {
		const char *kind = i18n_get(r->lang, arena_printf(r->a, "mailbox.kind.%s", f.paper[i].kind));
		x[i] = (struct bar){kind, f.paper[i].count, arena_printf(r->a, "%lld", (long long)f.paper[i].count)};
		pmax = f.paper[i].count > pmax ? f.paper[i].count : pmax;
		json_array_append_new(rows, json_pack("{s:s,s:I}", "kind", kind, "count", (json_int_t)f.paper[i].count));
	}
	json_object_set_new(d, "paper", rows);
	if ((c = chart_of(r, "chart-paper", "support.dash.paper.heading", x, f.n_paper, pmax)))
		json_object_set_new(d, "paper_chart", json_string(c));
	/* Inquiries per thousand applications by topic. */
	struct support_topic *tp;
	int n_tp = support_topics(r->app->store, &tp, r->a, &e);
	rows = json_array();
	int64_t tmax = 0;
	for (int i = 0; i < f.n_topics; i++) {
		int64_t t = support_per_thousand_tenths(f.topics[i].count, f.applications);
		const char *name = sv_topic_name(r, tp, n_tp > 0 ? n_tp : 0, f.topics[i].topic_code);
		const char *text = t >= 0 ? tenths(r, t) : "–";
		x[i] = (struct bar){name, t >= 0 ? t : 0, text};
		tmax = t > tmax ? t : tmax;
		json_array_append_new(rows, json_pack("{s:s,s:I,s:s}", "topic", name, "count", (json_int_t)f.topics[i].count,
						      "per_thousand", text));
	}
	json_object_set_new(d, "inquiries", rows);
	if ((c = chart_of(r, "chart-inquiries", "support.dash.inquiries.heading", x, f.n_topics, tmax)))
		json_object_set_new(d, "inquiries_chart", json_string(c));
	/* #10's payouts: made by week (the bars are kroner), held now by reason. */
	rows = json_array();
	int64_t wmax = 0;
	for (int i = 0; i < f.n_payout_weeks; i++) {
		const struct payout_week *pw = &f.payout_weeks[i];
		const char *week = pw->week ? pw->week : "";
		x[i] = (struct bar){arena_printf(r->a, "%s (%lld)", week, (long long)pw->payments), pw->ore, kroner(r, pw->ore)};
		wmax = pw->ore > wmax ? pw->ore : wmax;
		json_array_append_new(rows, json_pack("{s:s,s:I,s:s}", "week", week, "payments", (json_int_t)pw->payments,
						      "amount", kroner(r, pw->ore)));
	}
	json_object_set_new(d, "payouts_made", rows);
	json_object_set_new(d, "payouts_total", json_pack("{s:I,s:s}", "payments", (json_int_t)f.payments_made, "amount",
							  kroner(r, f.payments_made_ore)));
	if ((c = chart_of(r, "chart-payouts-made", "support.dash.payouts.made_heading", x, f.n_payout_weeks, wmax)))
		json_object_set_new(d, "payouts_made_chart", json_string(c));
	rows = json_array();
	int64_t hmax = 0, held_any = 0;
	for (int i = 0; i < PAYOUT_HELD_REASONS; i++) {
		const struct payout_held *h = &f.held[i];
		const char *reason = i18n_get(r->lang, arena_printf(r->a, "support.dash.payouts.held.%s", h->reason));
		x[i] = (struct bar){reason, h->cases, arena_printf(r->a, "%lld", (long long)h->cases)};
		hmax = h->cases > hmax ? h->cases : hmax;
		held_any += h->cases;
		json_array_append_new(rows, json_pack("{s:s,s:s,s:I,s:s}", "code", h->reason, "reason", reason, "cases",
						      (json_int_t)h->cases, "amount", kroner(r, h->ore)));
	}
	json_object_set_new(d, "payouts_held", rows);
	if (held_any > 0 &&
	    (c = chart_of(r, "chart-payouts-held", "support.dash.payouts.held_heading", x, PAYOUT_HELD_REASONS, hmax)))
		json_object_set_new(d, "payouts_held_chart", json_string(c));
	resp_page(w, r, "mgmt_dashboard", "support.dash.title", d);
}

void metrics_page(struct req *r, struct resp *w)
{
	struct err e;
	buf_reset(&w->body);
	if (support_metrics_text(r->app->store, r->now, &w->body, &e) != 0) {
		buf_reset(&w->body);
		resp_failure(w, r, &e, "metrics");
		return;
	}
	w->status = 200;
	w->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
