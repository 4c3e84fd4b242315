/* stats.c - GET /saksbehandling/statistikk: for management, how soon
 * letters are opened, by type of letter and by the channel their notice
 * went by (e-mail, SMS, none), within 1, 3 and 7 days of delivery.
 *
 * The figures come from one SQL query (store_notice_stats); a share counts
 * only letters delivered at least its span before the request's time, and
 * is shown with the counts behind it. The page gives them twice: as an SVG
 * bar chart drawn here on the server (role="img" with a title and a
 * description) and as the table that is the chart's text equivalent. The
 * chart is built with every text escaped and handed to the template as
 * trusted markup. The figures are read through the gate
 * (notify_stats_read, ACT_STATS_READ): anyone the policy does not allow is
 * refused there, audited once (a person 403; a visitor is sent to the
 * login). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "notify/notify.h"
#include "notify/stats.h"
#include "web/handlers.h"

#define CHART_MAX (256 * 1024)
#define LABEL_W 250 /* the row labels' column */
#define BAR_W 400   /* 100 % */
#define BAR_H 14
#define BAR_GAP 3
#define GROUP_GAP 14
#define TOP 34    /* the legend */
#define BOTTOM 28 /* the axis labels */

/* The three spans' colours: dark enough on white for graphics (WCAG 1.4.11). */
static const char *const bar_colours[NOTICE_STAT_SPANS] = {"#0b5c8c", "#1f7a4d", "#a3480a"};

/* A catalogue key's text, or fallback when the catalogue has no such key. */
static const char *label(enum lang lang, struct arena *a, const char *prefix, const char *name)
{
	const char *key = arena_printf(a, "%s%s", prefix, name);
	const char *text = i18n_get(lang, key);
	return strcmp(text, key) == 0 ? name : text;
}

/* "42,9" or "42.9" for tenths of a per cent. */
static const char *percent_text(enum lang lang, struct arena *a, int64_t tenths)
{
	return arena_printf(a, "%lld%c%lld", (long long)(tenths / 10), lang == LANG_NB ? ',' : '.',
	                    (long long)(tenths % 10));
}

static int put_text(struct buf *b, const char *s)
{
	return buf_put_html(b, s, strlen(s));
}

/* The bar chart of rows (n of them) as SVG. */
static int chart(struct buf *b, enum lang lang, struct arena *a, const struct notice_stat *rows, int n)
{
	int group_h = NOTICE_STAT_SPANS * (BAR_H + BAR_GAP) + GROUP_GAP;
	int width = LABEL_W + BAR_W + 70, height = TOP + n * group_h + BOTTOM;
	int rc = buf_printf(b,
	                    "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"stats-chart\" role=\"img\" "
	                    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	                    "aria-labelledby=\"stats-chart-title stats-chart-desc\"><title id=\"stats-chart-title\">",
	                    width, height, width, height);
	rc |= put_text(b, i18n_get(lang, "notify.stats.chart.title"));
	rc |= buf_puts(b, "</title><desc id=\"stats-chart-desc\">");
	rc |= put_text(b, i18n_get(lang, "notify.stats.chart.desc"));
	rc |= buf_puts(b, "</desc><g font-family=\"sans-serif\" font-size=\"12\" fill=\"#1a1a1a\">");
	/* The legend. */
	for (int k = 0; k < NOTICE_STAT_SPANS; k++) {
		int x = LABEL_W + k * 110;
		rc |= buf_printf(
		    b, "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"18\">", x,
		    bar_colours[k], x + 16);
		rc |= put_text(b, i18n_get(lang, arena_printf(a, "notify.stats.days.%d", notice_stat_days[k])));
		rc |= buf_puts(b, "</text>");
	}
	/* The grid at 0, 50 and 100 %. */
	for (int p = 0; p <= 100; p += 50) {
		int x = LABEL_W + BAR_W * p / 100;
		rc |= buf_printf(b,
		                 "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#767676\" stroke-width=\"1\"/>"
		                 "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d %%</text>",
		                 x, TOP - 4, x, TOP + n * group_h, x, TOP + n * group_h + 18, p);
	}
	for (int i = 0; i < n; i++) {
		const struct notice_stat *s = &rows[i];
		int y = TOP + i * group_h;
		rc |= buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8,
		                 y + (NOTICE_STAT_SPANS * (BAR_H + BAR_GAP)) / 2 + 4);
		rc |= put_text(b, label(lang, a, "notify.kind.", s->kind));
		rc |= buf_puts(b, " · ");
		rc |= put_text(b, label(lang, a, "notify.channel.", s->channel));
		rc |= buf_puts(b, "</text>");
		for (int k = 0; k < NOTICE_STAT_SPANS; k++) {
			int64_t t = notify_share_tenths(s->opened[k], s->eligible[k]);
			int by = y + k * (BAR_H + BAR_GAP), len = t < 0 ? 0 : (int)(t * BAR_W / 1000);
			rc |= buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", LABEL_W,
			                 by, len, BAR_H, bar_colours[k]);
			rc |= buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\">", LABEL_W + len + 4,
			                 by + BAR_H - 3);
			rc |= t < 0 ? buf_puts(b, "–") : buf_printf(b, "%s %%", percent_text(lang, a, t));
			rc |= buf_puts(b, "</text>");
		}
	}
	rc |= buf_puts(b, "</g></svg>");
	return rc;
}

void workbench_stats(struct req *r, struct resp *w)
{
	struct err e;
	struct notice_stat *rows;
	char day[11];
	int n = notify_stats_read(r->app->store, &r->who, r->now, &rows, r->a, &e);
	if (n < 0) {
		resp_failure(w, r, &e, "notice statistics");
		return;
	}
	int64_t today = r->now >= 0 ? r->now / 86400 : (r->now - 86399) / 86400;
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *spans = json_array();
		for (int k = 0; k < NOTICE_STAT_SPANS; k++) {
			int64_t t = notify_share_tenths(rows[i].opened[k], rows[i].eligible[k]);
			json_t *span =
			    json_pack("{s:i,s:I,s:I}", "days", notice_stat_days[k], "eligible",
			              (json_int_t)rows[i].eligible[k], "opened", (json_int_t)rows[i].opened[k]);
			if (t >= 0)
				json_object_set_new(span, "percent", json_string(percent_text(r->lang, r->a, t)));
			json_array_append_new(spans, span);
		}
		json_array_append_new(
		    list, json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "kind", rows[i].kind, "channel", rows[i].channel,
		                    "kind_label", label(r->lang, r->a, "notify.kind.", rows[i].kind), "channel_label",
		                    label(r->lang, r->a, "notify.channel.", rows[i].channel), "letters",
		                    (json_int_t)rows[i].letters, "spans", spans));
	}
	struct buf svg;
	buf_init(&svg, CHART_MAX);
	if (n > 0 && chart(&svg, r->lang, r->a, rows, n) != 0) {
		buf_cleanup(&svg);
		json_decref(list);
		log_error("notice statistics: the chart does not fit");
		resp_error(w, r, 500, "error.internal");
		return;
	}
	json_t *d =
	    json_pack("{s:o,s:s,s:s}", "rows", list, "now", date_format((date_t)today, day), "chart", buf_str(&svg));
	buf_cleanup(&svg);
	resp_page(w, r, "workbench_stats", "notify.stats.title", d);
}
