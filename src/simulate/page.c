/* page.c - the case workers' policy simulation (see simulate.h): a value
 * of the parameter set in force changed, and the stored applications
 * decided under both. The gate (ACT_RULES_SIMULATE) is asked before
 * anything is read; the applications are read in one query and decided in
 * memory; nothing is written, so a simulation leaves no case, decision,
 * job or audit record behind (a refusal is audited, by the gate). The page
 * shows figures only, never a person. */
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "rules/params.h"
#include "simulate/simulate.h"
#include "store/simulate.h"

/* The applications of one run may take this much memory as text. */
#define SIM_PAGE_BYTES ((size_t)256 * 1024 * 1024)
/* The first and last school years a set is looked at for. */
#define FIRST_YEAR 2000
#define LAST_YEAR 2100

/* The 1 August of school_year ("2024-2025"), or -1 when it is no school year. */
static int year_start(const char *school_year, date_t *on)
{
	date_t last;
	return school_year && date_school_year(school_year, on, &last) == 0 ? 0 : -1;
}

/* The school years params covers, newest first, and the parameters in
 * force in the one asked for (else the newest). */
static void fill_choices(const struct params *params, const char *school_year, struct sim_page *out,
			 struct arena *a)
{
	int years = (int)(sizeof(out->school_years) / sizeof(out->school_years[0]));
	for (int y = LAST_YEAR; y >= FIRST_YEAR && out->n_years < years; y--)
		if (params_covers(params, date_from_ymd(y, 8, 1)))
			out->school_years[out->n_years++] = arena_printf(a, "%d-%d", y, y + 1);
	out->school_year = out->n_years ? out->school_years[0] : NULL;
	for (int i = 0; i < out->n_years; i++)
		if (school_year && strcmp(school_year, out->school_years[i]) == 0)
			out->school_year = out->school_years[i];
	date_t on;
	if (year_start(out->school_year, &on) != 0)
		return;
	size_t n = params_count(params);
	out->choices = arena_zalloc(a, sizeof(*out->choices) * (n ? n : 1));
	for (size_t i = 0; i < n; i++) {
		const struct param *p = params_at(params, i);
		if (p->valid_from <= on && on <= p->valid_to)
			out->choices[out->n_choices++] =
			    (struct sim_choice){p->key, p->unit, p->reference, p->source, p->value};
	}
}

int sim_page_form(struct store *s, const struct params *params, const struct principal *who, const char *school_year,
		  int64_t now, struct sim_page *out, struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (access_check(s, who, ACT_RULES_SIMULATE, 0, NULL, "simulation", now, e) != 0)
		return -1;
	fill_choices(params, school_year, out, a);
	return 0;
}

/* A whole number of digits (spaces between groups allowed) with at most
 * decimals digits after a point or comma, scaled by 10^decimals, in
 * [0, max]; else -1. */
static int parse_amount(const char *s, int decimals, int64_t max, int64_t *out)
{
	int64_t v = 0;
	int digits = 0, after = -1;
	if (s == NULL)
		return -1;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (after >= 0 && ++after > decimals)
				return -1;
			if (v > max)
				return -1;
			v = v * 10 + (*s - '0');
			digits++;
		} else if ((*s == ',' || *s == '.') && after < 0 && decimals > 0 && digits > 0) {
			after = 0;
		} else if (*s == ' ' && digits > 0 && after < 0 && s[1] >= '0' && s[1] <= '9') {
			continue;
		} else {
			return -1;
		}
	}
	if (digits == 0 || after == 0)
		return -1;
	for (int k = after < 0 ? 0 : after; k < decimals; k++)
		v *= 10;
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int sim_page_run(struct store *s, const struct params *params, const struct principal *who, const struct sim_form *f,
		 int64_t now, struct sim_page *out, struct sim_form_errors *x, struct arena *a, struct err *e)
{
	memset(x, 0, sizeof(*x));
	if (sim_page_form(s, params, who, f->school_year, now, out, a, e) != 0)
		return -1;
	/* The form: every field checked, every error named. */
	if (f->school_year == NULL || out->school_year == NULL || strcmp(f->school_year, out->school_year) != 0)
		x->school_year = "rules.sim.error.school_year";
	const struct sim_choice *c = NULL;
	for (int i = 0; f->parameter && i < out->n_choices; i++)
		if (strcmp(out->choices[i].key, f->parameter) == 0)
			c = &out->choices[i];
	if (c == NULL && x->school_year == NULL)
		x->parameter = "rules.sim.error.parameter";
	int64_t value = 0;
	if (c != NULL) {
		int money = strcmp(c->unit, "ore") == 0;
		if (parse_amount(f->value, money ? 2 : 0, money ? INT64_C(10000000000) : INT64_C(10000000), &value) != 0)
			x->value = money ? "rules.sim.error.value_money" : "rules.sim.error.value_whole";
	}
	int scope_year = f->scope && strcmp(f->scope, "year") == 0;
	int64_t count = SIM_PAGE_MAX;
	if (!scope_year && (f->scope == NULL || strcmp(f->scope, "last") != 0))
		x->scope = "rules.sim.error.scope";
	else if (!scope_year && (parse_amount(f->count, 0, SIM_PAGE_MAX, &count) != 0 || count < 1))
		x->count = "rules.sim.error.count";
	if (x->school_year || x->parameter || x->value || x->scope || x->count)
		return err_set(e, ERR_INVALID,
			       x->school_year ? "school_year" : x->parameter ? "parameter" : x->value ? "value"
			       : x->scope ? "scope" : "count",
			       "the simulation's form has errors");

	date_t on;
	year_start(out->school_year, &on);
	struct params *b = params_with_value(params, c->key, on, value, e);
	if (b == NULL)
		return -1;
	struct buf lines;
	buf_init(&lines, SIM_PAGE_BYTES);
	int n = store_sim_applications(s, scope_year ? out->school_year : NULL, (int)count, &lines, e);
	int rc = -1;
	if (n >= 0 && sim_run(buf_str(&lines), lines.len, 2, params, b, &out->report, e) == 0) {
		out->changed = c;
		out->new_value = value;
		out->applications = n;
		rc = 0;
	}
	buf_cleanup(&lines);
	params_free(b);
	return rc;
}
