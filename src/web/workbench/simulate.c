/* simulate.c - GET and POST /saksbehandling/simulering: the case workers'
 * policy simulation. GET shows the form (a school year, a parameter of the
 * set in force then, its new value, and which stored applications: the
 * newest N or the school year's); POST runs it and shows what the change
 * costs and whom it touches, as a table beside the chart `stipend
 * simulate --svg` draws. The handler parses and renders; the work, the
 * gate (rules.simulate) and the reading are sim_page_form() and
 * sim_page_run(), which write nothing. */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/money.h"
#include "simulate/simulate.h"
#include "web/form.h"
#include "web/handlers.h"

#define CHART_MAX (256 * 1024)

/* The catalogue's name of a parameter, or its key when it has none. */
static const char *param_label(enum lang lang, struct arena *a, const char *key)
{
	const char *k = arena_printf(a, "parameter.%s", key);
	return i18n_has(k) ? i18n_get(lang, k) : key;
}

/* A parameter's value as a person reads it: money, or a number and unit. */
static json_t *value_json(struct req *r, const char *unit, int64_t v)
{
	char m[48];
	if (strcmp(unit, "ore") == 0)
		return json_string(money_format(v, r->lang, m, sizeof(m)));
	const char *k = arena_printf(r->a, "rules.sim.unit.%s", unit);
	return json_string(arena_printf(r->a, "%lld %s", (long long)v, i18n_has(k) ? i18n_get(r->lang, k) : unit));
}

/* The form's data: the years, the parameters with the one chosen, the
 * values typed and the errors. */
static json_t *form_json(struct req *r, const struct sim_page *p, const struct sim_form *f)
{
	json_t *years = json_array(), *choices = json_array();
	for (int i = 0; i < p->n_years; i++)
		json_array_append_new(years, json_pack("{s:s,s:b}", "value", p->school_years[i], "selected",
						       p->school_year && strcmp(p->school_years[i], p->school_year) == 0));
	for (int i = 0; i < p->n_choices; i++) {
		const struct sim_choice *c = &p->choices[i];
		json_array_append_new(choices,
				      json_pack("{s:s,s:s,s:o,s:b}", "key", c->key, "label", param_label(r->lang, r->a, c->key),
						"current", value_json(r, c->unit, c->value), "selected",
						f && f->parameter && strcmp(f->parameter, c->key) == 0));
	}
	int year = f && f->scope && strcmp(f->scope, "year") == 0;
	return json_pack("{s:s?,s:o,s:o,s:s,s:s,s:b,s:b}", "school_year", p->school_year, "years", years, "choices",
			 choices, "value", f && f->value && strlen(f->value) <= 40 ? f->value : "", "count",
			 f && f->count && strlen(f->count) <= 12 ? f->count : "1000", "scope_year", year, "scope_last",
			 !year);
}

static json_t *row(const char *label_key, int64_t a, int64_t b, int money)
{
	return json_pack("{s:s,s:I,s:I,s:I,s:b,s:b}", "label_key", label_key, "a", (json_int_t)a, "b", (json_int_t)b,
			 "change", (json_int_t)(b - a), "up", b > a, "money", money);
}

static const char *percent(struct req *r, double share)
{
	char *s = arena_printf(r->a, "%.1f", 100.0 * share);
	if (r->lang == LANG_NB)
		for (char *c = s; *c; c++)
			*c = *c == '.' ? ',' : *c;
	return s;
}

/* What the run found, for the table and the chart. */
static json_t *result_json(struct req *r, const struct sim_page *p, const char *chart)
{
	const struct sim_report *t = &p->report;
	json_t *rows = json_array();
	json_array_append_new(rows, row("rules.sim.row.grants", t->a.grants, t->b.grants, 1));
	json_array_append_new(rows, row("rules.sim.row.loans", t->a.loans, t->b.loans, 1));
	json_array_append_new(rows, row("rules.sim.row.convertible", t->a.convertible, t->b.convertible, 1));
	for (int k = 0; k < SIM_N_AWARDS; k++)
		if (t->a.award_count[k] || t->b.award_count[k])
			json_array_append_new(rows, row(arena_printf(r->a, "rules.sim.award.%s", sim_award_names[k]),
							t->a.award_amount[k], t->b.award_amount[k],
							k < SIM_N_AWARDS - SIM_MONTH_AWARDS));
	json_t *buckets = json_array();
	for (int i = 0; i < SIM_N_BUCKETS; i++) {
		char label[48];
		json_array_append_new(buckets, json_pack("{s:s,s:I}", "kr", sim_bucket_label(i, label, sizeof(label)),
							 "people", (json_int_t)t->buckets[i]));
	}
	json_t *res = json_pack(
	    "{s:I,s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:s}", "applications",
	    (json_int_t)p->applications, "key", p->changed->key, "label", param_label(r->lang, r->a, p->changed->key),
	    "old", value_json(r, p->changed->unit, p->changed->value), "new", value_json(r, p->changed->unit, p->new_value),
	    "rows", rows, "buckets", buckets, "better", (json_int_t)t->better, "worse", (json_int_t)t->worse,
	    "unchanged", (json_int_t)t->unchanged, "median_gain", (json_int_t)t->median_gain, "largest_gain",
	    (json_int_t)t->largest_gain, "median_loss", (json_int_t)t->median_loss, "largest_loss",
	    (json_int_t)t->largest_loss, "automation_a", percent(r, sim_automation(&t->a)), "automation_b",
	    percent(r, sim_automation(&t->b)), "to_manual", (json_int_t)t->to_manual, "from_manual",
	    (json_int_t)t->from_manual, "not_understood", (json_int_t)t->not_understood, "undecided_a",
	    (json_int_t)t->a.undecided, "undecided_b", (json_int_t)t->b.undecided, "chart", chart);
	json_object_set_new(res, "school_year", json_string(p->school_year));
	return res;
}

static void show(struct req *r, struct resp *w, const struct sim_page *p, const struct sim_form *f,
		 const struct sim_form_errors *x, int ran)
{
	json_t *d = json_pack("{s:o}", "form", form_json(r, p, f));
	if (x != NULL) {
		static const char *const order[][2] = {{"school_year", "school_year"}, {"parameter", "parameter"},
						       {"value", "value"},	     {"scope", "scope-last"},
						       {"count", "count"}};
		json_t *errors = json_object();
		const char *const keys[] = {x->school_year, x->parameter, x->value, x->scope, x->count};
		for (size_t i = 0; i < 5; i++)
			if (keys[i])
				json_object_set_new(errors, order[i][0], json_string(keys[i]));
		json_object_set_new(d, "error_summary", form_error_summary(errors, order, 5));
		json_object_set_new(d, "errors", errors);
		w->status = 422;
	}
	if (ran) {
		struct buf svg;
		buf_init(&svg, CHART_MAX);
		if (sim_chart_svg(&svg, &p->report, r->lang, "sim-chart-") != 0) {
			buf_cleanup(&svg);
			json_decref(d);
			log_error("simulation: the chart does not fit");
			resp_error(w, r, 500, "error.internal");
			return;
		}
		json_object_set_new(d, "result", result_json(r, p, buf_str(&svg)));
		buf_cleanup(&svg);
	}
	resp_page(w, r, "workbench_simulate", "rules.sim.title", d);
}

void workbench_simulate_form(struct req *r, struct resp *w)
{
	struct err e;
	struct sim_page p;
	if (sim_page_form(r->app->store, r->app->params, &r->who, req_query(r, "school_year"), r->now, &p, r->a, &e) != 0) {
		resp_failure(w, r, &e, "simulation form");
		return;
	}
	struct sim_form f = {p.school_year, NULL, NULL, "last", NULL};
	show(r, w, &p, &f, NULL, 0);
}

void workbench_simulate(struct req *r, struct resp *w)
{
	struct err e;
	struct sim_page p;
	struct sim_form_errors x;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	struct sim_form f = {req_form(r, "school_year"), req_form(r, "parameter"), req_form(r, "value"),
			     req_form(r, "scope"), req_form(r, "count")};
	if (sim_page_run(r->app->store, r->app->params, &r->who, &f, r->now, &p, &x, r->a, &e) != 0) {
		if (e.code == ERR_INVALID && p.school_years[0] != NULL)
			show(r, w, &p, &f, &x, 0);
		else
			resp_failure(w, r, &e, "simulation");
		return;
	}
	show(r, w, &p, &f, NULL, 1);
}
