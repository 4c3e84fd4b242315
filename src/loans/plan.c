/* plan.c - a repayment plan as template data: the table by year and the
 * bar chart of the balance and the interest, drawn on the server as
 * numbers an inline <svg> places. One builder for the repayment calculator
 * and the borrower's own plan on "Min gjeld"; see plan.h. */
#include "loans/plan.h"

#include "core/money.h"

/* The chart's frame in SVG user units. */
enum { CHART_W = 640, CHART_H = 320, CHART_LEFT = 104, CHART_RIGHT = 8, CHART_TOP = 16, CHART_BOTTOM = 56 };

/* A round step for the value axis: 1, 2 or 5 times a power of ten kroner,
 * so that about four steps reach max_kr. */
static int64_t axis_step(int64_t max_kr)
{
	int64_t raw = (max_kr + 3) / 4, p = 1;
	if (raw < 1)
		raw = 1;
	while (p <= raw / 10)
		p *= 10;
	return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

/* The bar chart of the balance at each year's end and the year's interest,
 * as numbers the template places in an inline <svg>. */
static json_t *repayment_chart(const struct loans_terms *t, const struct loans_plan *p)
{
	const int plot_w = CHART_W - CHART_LEFT - CHART_RIGHT, plot_h = CHART_H - CHART_TOP - CHART_BOTTOM;
	const int base = CHART_TOP + plot_h;
	int64_t max = t->principal;
	for (int i = 0; i < p->n_years; i++)
		if (p->years[i].interest > max)
			max = p->years[i].interest;
	int64_t step = axis_step((max + 99) / 100);
	int64_t top_kr = (max + 99) / 100;
	top_kr = (top_kr + step - 1) / step * step;

	json_t *ticks = json_array();
	for (int64_t k = 0; k * step <= top_kr; k++) {
		int y = base - (int)money_muldiv_round(plot_h, k * step, top_kr);
		json_array_append_new(ticks, json_pack("{s:i,s:i,s:i,s:i,s:i,s:I}", "x1", CHART_LEFT, "x2",
		                                       CHART_W - CHART_RIGHT, "tx", CHART_LEFT - 6, "y", y, "ty", y + 4,
		                                       "value", (json_int_t)(k * step * 100)));
	}
	json_t *bars = json_array();
	int g = plot_w / p->n_years;
	int bw = g * 45 / 100 > 0 ? g * 45 / 100 : 1, iw = g * 30 / 100 > 0 ? g * 30 / 100 : 1;
	for (int i = 0; i < p->n_years; i++) {
		const struct loans_year *y = &p->years[i];
		int x0 = CHART_LEFT + i * g;
		int bh = (int)money_muldiv_round(y->balance, plot_h, top_kr * 100);
		int ih = (int)money_muldiv_round(y->interest, plot_h, top_kr * 100);
		int labelled = p->n_years <= 15 || y->year == 1 || y->year % 5 == 0;
		json_array_append_new(bars,
		                      json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:b,s:i}", "bx", x0 + g / 10,
		                                "by", base - bh, "bw", bw, "bh", bh, "ix", x0 + g / 10 + bw + g / 20,
		                                "iy", base - ih, "iw", iw, "ih", ih, "lx", x0 + g / 2, "ly", base + 18,
		                                "labelled", labelled, "year", y->year));
	}
	/* The legend sits below the year labels. */
	return json_pack("{s:i,s:i,s:o,s:o,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "width", CHART_W, "height", CHART_H,
	                 "ticks", ticks, "bars", bars, "base", base, "left", CHART_LEFT, "right", CHART_W - CHART_RIGHT,
	                 "legend_y", CHART_H - 6, "legend_rect_y", CHART_H - 16, "legend_text_x", CHART_LEFT + 18,
	                 "legend_x2", CHART_LEFT + 220, "legend_text_x2", CHART_LEFT + 238);
}

json_t *loans_plan_json(const struct loans_terms *t, const struct loans_plan *p)
{
	json_t *years = json_array();
	for (int i = 0; i < p->n_years; i++) {
		const struct loans_year *y = &p->years[i];
		json_array_append_new(years,
		                      json_pack("{s:i,s:i,s:I,s:I,s:I,s:I}", "year", y->year, "payments", y->payments,
		                                "paid", (json_int_t)y->paid, "interest", (json_int_t)y->interest,
		                                "repaid", (json_int_t)y->principal, "balance", (json_int_t)y->balance));
	}
	return json_pack("{s:I,s:I,s:I,s:i,s:i,s:I,s:I,s:i,s:b,s:o,s:o}", "principal", (json_int_t)t->principal,
	                 "payment", (json_int_t)p->payment, "last_payment", (json_int_t)p->last_payment, "n_payments",
	                 p->n_payments, "n_years", p->n_years, "total_paid", (json_int_t)p->total_paid,
	                 "total_interest", (json_int_t)p->total_interest, "term_payments", t->years * t->per_year,
	                 "early", p->n_payments < t->years * t->per_year, "years", years, "chart",
	                 repayment_chart(t, p));
}

