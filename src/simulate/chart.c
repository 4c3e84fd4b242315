/* chart.c - the distribution of the change per person as an SVG bar chart,
 * drawn on the server for `stipend simulate --svg` and the case workers'
 * page alike: one bar a bucket (losses red, unchanged grey, gains green,
 * each dark enough on white for graphics, WCAG 1.4.11), the count above
 * each bar, the bucket's kroner below. The title and the description (the
 * chart's text equivalent in one sentence) come from the catalogue; every
 * text is escaped. */
#include <jansson.h>
#include <string.h>

#include "core/buf.h"
#include "core/i18n.h"
#include "simulate/simulate.h"

/* Append the catalogue's text of key with args, escaped for markup. */
static int put_message(struct buf *b, enum lang lang, const char *key, const json_t *args)
{
	struct buf t;
	buf_init(&t, 4096);
	int rc = i18n_render(&t, lang, key, args);
	if (rc == 0)
		rc = buf_put_html(b, buf_str(&t), strlen(buf_str(&t)));
	buf_cleanup(&t);
	return rc;
}

int sim_chart_svg(struct buf *b, const struct sim_report *r, enum lang lang, const char *id_prefix)
{
	int64_t most = 1;
	for (int i = 0; i < SIM_N_BUCKETS; i++)
		if (r->buckets[i] > most)
			most = r->buckets[i];
	const int w = 720, h = 320, left = 60, bottom = 60, top = 30, bar = (w - left - 20) / SIM_N_BUCKETS;
	json_t *args = json_pack("{s:I,s:I,s:I,s:I}", "better", (json_int_t)r->better, "worse", (json_int_t)r->worse,
				 "unchanged", (json_int_t)r->unchanged, "decided",
				 (json_int_t)(r->better + r->worse + r->unchanged));
	int rc = buf_printf(b,
			    "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"stats-chart\" viewBox=\"0 0 %d %d\" "
			    "role=\"img\" aria-labelledby=\"%st %sd\">\n<title id=\"%st\">",
			    w, h, id_prefix, id_prefix, id_prefix);
	rc |= put_message(b, lang, "rules.sim.chart.title", NULL);
	rc |= buf_printf(b, "</title>\n<desc id=\"%sd\">", id_prefix);
	rc |= put_message(b, lang, "rules.sim.chart.desc", args);
	json_decref(args);
	rc |= buf_puts(b, "</desc>\n");
	rc |= buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>\n", left, h - bottom,
			 w - 10, h - bottom);
	for (int i = 0; i < SIM_N_BUCKETS; i++) {
		char label[48];
		int bh = (int)((double)r->buckets[i] / (double)most * (h - bottom - top));
		int x = left + i * bar;
		const char *colour = i < SIM_ZERO_BUCKET ? "#b3261e" : i == SIM_ZERO_BUCKET ? "#6b6b6b" : "#1e6b3a";
		rc |= buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", x + 2,
				 h - bottom - bh, bar - 4, bh, colour);
		rc |= buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%lld</text>\n",
				 x + bar / 2, h - bottom - bh - 4, (long long)r->buckets[i]);
		rc |= buf_printf(b,
				 "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\" "
				 "transform=\"rotate(-35 %d %d)\">",
				 x + bar / 2, h - bottom + 14, x + bar / 2, h - bottom + 14);
		sim_bucket_label(i, label, sizeof(label));
		rc |= buf_put_html(b, label, strlen(label));
		rc |= buf_puts(b, "</text>\n");
	}
	rc |= buf_puts(b, "</svg>\n");
	return rc ? -1 : 0;
}
