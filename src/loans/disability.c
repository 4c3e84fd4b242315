/* disability.c - a case worker's write-off of debt at permanent disability
 * (sletting av gjeld ved uførhet); see disability.h for the rule and its
 * sources.
 *
 * The proposal and the decision read the same facts the same way (one
 * function, facts()), so that what the case worker confirms is what the
 * page showed; the decision's transaction then posts the interest of the
 * days up to its day before it writes anything off, so that the debt left
 * is exactly the table's new debt on that day. */
#include "loans/disability.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/money.h"
#include "ledger/ledger.h"
#include "loans/account.h"
#include "loans/interest.h"
#include "mailbox/mailbox.h"
#include "registers/registers.h"
#include "rules/params.h"
#include "store/ledger.h"
#include "store/loans_disability.h"
#include "store/store.h"

const char *loans_disability_outcome_name(enum loans_disability_outcome o)
{
	switch (o) {
	case LOANS_DISABILITY_WHOLE:
		return "whole";
	case LOANS_DISABILITY_PARTIAL:
		return "partial";
	case LOANS_DISABILITY_REFUSED_DEGREE:
		return "refused-degree";
	case LOANS_DISABILITY_REFUSED_INCOME:
		return "refused-income";
	case LOANS_DISABILITY_MANUAL:
		return "manual";
	}
	return "manual";
}

/* ---- the rule ---- */

static void trace_add(struct loans_disability_assessment *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void trace_add(struct loans_disability_assessment *out, const char *fmt, ...)
{
	size_t used = strlen(out->trace);
	if (used + 1 >= sizeof(out->trace))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->trace + used, sizeof(out->trace) - used, fmt, ap);
	va_end(ap);
	used = strlen(out->trace);
	if (used + 1 < sizeof(out->trace)) {
		out->trace[used] = '\n';
		out->trace[used + 1] = '\0';
	}
}

/* The value of key on day d, or -1 (and the first such key named in
 * out->missing) when the set holds none. */
static int64_t figure(const struct params *p, const char *key, date_t d, struct loans_disability_assessment *out)
{
	const struct param *v = params_get(p, key, d);
	if (v == NULL) {
		if (out->missing[0] == '\0')
			snprintf(out->missing, sizeof(out->missing), "%s %d", key, out->year);
		return -1;
	}
	return v->value;
}

int loans_disability_assess(const struct params *p, date_t received, int degree, int aap, int64_t income,
			    int children, struct loans_disability_assessment *out, struct err *e)
{
	if (degree < 0 || degree > 100)
		return err_set(e, ERR_INVALID, "degree", "a degree of disability from 0 to 100 percent");
	if (income < 0)
		return err_set(e, ERR_INVALID, "income", "an income of 0 kroner or more");
	if (children < 0 || children > 30)
		return err_set(e, ERR_INVALID, "children", "0 to 30 children");
	memset(out, 0, sizeof(*out));
	int y, m, d;
	date_to_ymd(received, &y, &m, &d);
	out->year = y;
	out->income_limit = out->whole_limit = -1;
	/* The application is judged by the figures of the year it was
	 * received: each is looked up on that day. */
	int64_t need = figure(p, aap ? "loan.disability.degree_min_aap" : "loan.disability.degree_min", received, out);
	int64_t limit = figure(p, "loan.disability.income_limit", received, out);
	int64_t add = figure(p, "loan.disability.child_addition", received, out);
	if (need < 0 || limit < 0 || add < 0) {
		out->outcome = LOANS_DISABILITY_MANUAL;
		trace_add(out, "missing: %s", out->missing);
		return 0;
	}
	out->degree_min = (int)need;
	out->child_addition = add;
	int64_t raise = add * children;
	out->income_limit = limit + raise;
	trace_add(out, "%s %d: %lld %% (degree %d %%)", aap ? "loan.disability.degree_min_aap" : "loan.disability.degree_min",
		  y, (long long)need, degree);
	trace_add(out, "loan.disability.income_limit %d: %lld + %d x loan.disability.child_addition %lld = %lld øre (income %lld)",
		  y, (long long)limit, children, (long long)add, (long long)out->income_limit, (long long)income);
	if (degree < need) {
		out->outcome = LOANS_DISABILITY_REFUSED_DEGREE;
		return 0;
	}
	if (income > out->income_limit) {
		out->outcome = LOANS_DISABILITY_REFUSED_INCOME;
		return 0;
	}
	int64_t whole = figure(p, "loan.disability.whole_limit", received, out);
	if (whole < 0) {
		out->outcome = LOANS_DISABILITY_MANUAL;
		trace_add(out, "missing: %s", out->missing);
		return 0;
	}
	out->whole_limit = whole + raise;
	trace_add(out, "loan.disability.whole_limit %d: %lld + %lld = %lld øre", y, (long long)whole, (long long)raise,
		  (long long)out->whole_limit);
	if (income <= out->whole_limit) {
		out->outcome = LOANS_DISABILITY_WHOLE;
		out->band_to = out->whole_limit;
		return 0;
	}
	/* A band begins a krone over the last, as the table writes it; an
	 * income is in the band when it is at most the band's "to". */
	int64_t from = out->whole_limit + 100;
	for (int band = 1; band <= LOANS_DISABILITY_BANDS_MAX; band++) {
		char kto[48], kdebt[48], kterm[48];
		snprintf(kto, sizeof(kto), "loan.disability.band.%d.to", band);
		snprintf(kdebt, sizeof(kdebt), "loan.disability.band.%d.debt", band);
		snprintf(kterm, sizeof(kterm), "loan.disability.band.%d.term", band);
		const struct param *vto = params_get(p, kto, received);
		if (vto == NULL)
			break;
		int64_t to = vto->value + raise;
		if (income > to) {
			from = to + 100;
			continue;
		}
		int64_t debt = figure(p, kdebt, received, out);
		if (debt < 0)
			break;
		const struct param *vterm = params_get(p, kterm, received);
		out->outcome = LOANS_DISABILITY_PARTIAL;
		out->band = band;
		out->band_from = from;
		out->band_to = to;
		out->new_debt = debt;
		out->new_term = vterm ? vterm->value : 0;
		trace_add(out, "loan.disability.band.%d %d: %lld..%lld øre: new debt %lld, new term %lld", band, y,
			  (long long)from, (long long)to, (long long)debt, (long long)out->new_term);
		return 0;
	}
	/* Under the limit but in no band the set holds: the table is not
	 * complete for the year. */
	out->outcome = LOANS_DISABILITY_MANUAL;
	if (out->missing[0] == '\0')
		snprintf(out->missing, sizeof(out->missing), "loan.disability.band %d", y);
	trace_add(out, "missing: %s", out->missing);
	return 0;
}

/* ---- the form ---- */

static int blank(const char *s)
{
	if (s == NULL)
		return 1;
	while (*s && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

/* A whole number 0..max as typed (spaces around allowed). */
static int parse_count(const char *s, int max, int *out)
{
	if (blank(s))
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	char *end;
	long v = strtol(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (end == s || *end != '\0' || v < 0 || v > max || !isdigit((unsigned char)*s))
		return -1;
	*out = (int)v;
	return 0;
}

/* Kroner as typed ("89 163", "89163", "89 163,50") into øre. */
static int parse_kroner(const char *s, int64_t *ore)
{
	if (blank(s))
		return -1;
	int64_t kr = 0, frac = 0;
	int digits = 0, fdigits = -1;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (isdigit(*c)) {
			if (fdigits >= 0) {
				if (++fdigits > 2)
					return -1;
				frac = frac * 10 + (*c - '0');
			} else {
				if (++digits > 12)
					return -1;
				kr = kr * 10 + (*c - '0');
			}
		} else if ((*c == ',' || *c == '.') && fdigits < 0 && digits > 0) {
			fdigits = 0;
		} else if (*c == ' ' || *c == '\t') {
			continue;
		} else if (*c == 0xC2 && c[1] == 0xA0) { /* a no-break space */
			c++;
		} else {
			return -1;
		}
	}
	if (digits == 0)
		return -1;
	if (fdigits == 1)
		frac *= 10;
	*ore = kr * 100 + frac;
	return 0;
}

/* The form's own fields, checked. */
struct form {
	date_t received;
	int degree, aap;
	int64_t income;   /* -1: not typed */
	int children;     /* -1: not typed */
	int64_t new_debt; /* -1: not typed */
	int64_t new_term; /* 0: not typed */
};

struct form_errors {
	int n;
	const char *field[8], *key[8];
};

static void bad(struct form_errors *fe, const char *field, const char *key)
{
	if (fe->n < 8) {
		fe->field[fe->n] = field;
		fe->key[fe->n] = key;
		fe->n++;
	}
}

static void read_form(const struct loans_disability_input *in, date_t today, struct form *f, struct form_errors *fe)
{
	memset(f, 0, sizeof(*f));
	f->income = f->new_debt = -1;
	f->children = -1;
	if (date_parse_input(in->received, &f->received) != 0)
		bad(fe, "received", "disability.error.received");
	else if (f->received > today)
		bad(fe, "received", "disability.error.received_future");
	if (parse_count(in->degree, 100, &f->degree) != 0)
		bad(fe, "degree", "disability.error.degree");
	if (in->aap && (!strcmp(in->aap, "ja") || !strcmp(in->aap, "yes")))
		f->aap = 1;
	else if (in->aap && (!strcmp(in->aap, "nei") || !strcmp(in->aap, "no")))
		f->aap = 0;
	else
		bad(fe, "aap", "disability.error.aap");
	if (!blank(in->income) && parse_kroner(in->income, &f->income) != 0)
		bad(fe, "income", "disability.error.income");
	if (!blank(in->children) && parse_count(in->children, 30, &f->children) != 0)
		bad(fe, "children", "disability.error.children");
	if (!blank(in->new_debt) && parse_kroner(in->new_debt, &f->new_debt) != 0)
		bad(fe, "new_debt", "disability.error.new_debt");
	if (!blank(in->new_term) && parse_kroner(in->new_term, &f->new_term) != 0)
		bad(fe, "new_term", "disability.error.new_term");
}

/* ---- the facts ---- */

struct facts {
	int64_t income;
	const char *income_source; /* "register" or "caseworker" */
	int children;
	const char *children_source;
	struct loans_disability_assessment as;
	int64_t new_debt, new_term; /* what the decision sets: the table's, or the case worker's for MANUAL */
};

/* The income of the year received and the children under 16 in it, from
 * the registers where they answer, else from the form; then the rule.
 * Errors go to fe (the field the case worker must fill). Returns 0, or -1
 * with e when the rule refused its input. */
static int facts(struct store *s, const struct params *p, struct reg_client *reg, int64_t person_id, const struct form *f,
		 struct facts *x, struct form_errors *fe, struct arena *a, struct err *e)
{
	struct person per;
	int y, m, d;
	date_to_ymd(f->received, &y, &m, &d);
	memset(x, 0, sizeof(*x));
	x->income = -1;
	x->children = -1;
	if (store_person_get(s, person_id, &per, a, e) != 0)
		return err_set(e, ERR_NOT_FOUND, NULL, "no such person");
	if (reg != NULL) {
		struct reg_income inc;
		struct err re;
		err_clear(&re);
		if (reg_tax_income(reg, per.nin, y, &inc, &re) == 0) {
			x->income = inc.income;
			x->income_source = "register";
		}
		struct reg_person rp;
		err_clear(&re);
		if (reg_population_person(reg, per.nin, &rp, a, &re) == 0) {
			int n = 0;
			for (int i = 0; i < rp.n_children; i++) {
				int cy, cm, cd;
				date_to_ymd(rp.children[i].birth_date, &cy, &cm, &cd);
				/* Every child to the end of the year it turns 16, born by then. */
				if (cy <= y && cy + 16 >= y)
					n++;
			}
			if (n > 0) {
				x->children = n;
				x->children_source = "register";
			}
		}
	}
	if (x->income < 0) {
		if (f->income < 0)
			bad(fe, "income", "disability.error.income_needed");
		x->income = f->income;
		x->income_source = "caseworker";
	}
	if (x->children < 0) {
		x->children = f->children < 0 ? 0 : f->children;
		x->children_source = "caseworker";
	}
	if (fe->n > 0)
		return 0;
	if (loans_disability_assess(p, f->received, f->degree, f->aap, x->income, x->children, &x->as, e) != 0)
		return -1;
	x->new_debt = x->as.new_debt;
	x->new_term = x->as.new_term;
	if (x->as.outcome == LOANS_DISABILITY_MANUAL) {
		x->new_debt = f->new_debt;
		x->new_term = f->new_term;
	}
	return 0;
}

/* ---- interest up to the day ---- */

struct rate_ctx {
	const struct params *p;
	const struct loan_account *acct;
};

static int rate_fn(void *ctx, date_t d, int32_t *rate, struct err *e)
{
	struct rate_ctx *c = ctx;
	return loans_rate_on(c->p, c->acct, d, rate, e);
}

/* For the proposal, which writes nothing: the interest the decision would
 * post for the days after acct->interest_through up to `to`, worked out as
 * interest_upto() posts it (a piece a month, each piece's interest in the
 * next piece's balance, relief months cancelled), into *sum. Returns 0, or
 * -1 with e (a rate missing: ERR_CONFLICT naming it). */
static int interest_due(struct store *s, const struct params *p, int64_t person_id, const struct loan_account *acct,
			date_t to, int64_t *sum, struct arena *a, struct err *e)
{
	struct rate_ctx rc = {p, acct};
	*sum = 0;
	if (acct->interest_through == LOAN_NO_DATE)
		return 0;
	for (date_t from = acct->interest_through + 1; from <= to;) {
		date_t last = date_month_last(from) < to ? date_month_last(from) : to;
		int64_t opening, interest;
		struct ledger_day *days;
		if (ledger_debt(s, person_id, from - 1, &opening, e) != 0)
			return -1;
		int n = store_loan_disability_days(s, person_id, from, last, &days, 32, a, e);
		if (n < 0)
			return -1;
		struct loans_change *ch = arena_zalloc(a, sizeof(*ch) * (size_t)(n > 0 ? n : 1));
		for (int i = 0; i < n; i++)
			ch[i] = (struct loans_change){days[i].day, days[i].amount};
		/* The pieces before are not posted: their interest is in this
		 * piece's balance as it would be. */
		if (loans_interest(opening + *sum, ch, n, from, last, rate_fn, &rc, &interest, e) != 0)
			return -1;
		char ym[11];
		date_format(last, ym);
		ym[7] = '\0';
		int relief = store_loan_disability_month_marked(s, person_id, ym, "relief", e);
		if (relief < 0)
			return -1;
		if (!relief)
			*sum += interest;
		from = last + 1;
	}
	return 0;
}

/* ---- the page ---- */

static json_t *errors_json(const struct form_errors *fe)
{
	json_t *list = json_array();
	for (int i = 0; i < fe->n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s}", "field", fe->field[i], "key", fe->key[i]));
	return list;
}

static json_t *decision_json(const struct loan_disability *dd, struct arena *a)
{
	char received[11], effective[11];
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I}", "id", (json_int_t)dd->id, "received",
			 date_format(dd->received, received), "effective", date_format(dd->effective, effective),
			 "outcome", dd->outcome, "outcome_key", arena_printf(a, "disability.outcome.%s", dd->outcome), "debt_before",
			 (json_int_t)dd->debt_before, "written_off", (json_int_t)dd->written_off, "new_debt",
			 (json_int_t)dd->new_debt, "letter_id", (json_int_t)dd->letter_id);
}

json_t *loans_disability_page(struct store *s, const struct params *p, struct reg_client *reg,
			      const struct principal *who, int64_t person_id, const struct loans_disability_input *in,
			      date_t today, int64_t now, enum lang lang, struct arena *a, struct err *e)
{
	(void)lang;
	struct person per;
	char object[32];
	snprintf(object, sizeof(object), "person:%lld", (long long)person_id);
	int got = store_person_get(s, person_id, &per, a, e);
	if (got < 0)
		return NULL;
	if (access_check(s, who, ACT_LOAN_WRITE_OFF, got == 0 ? person_id : 0, object, "person", now, e) != 0)
		return NULL;
	struct loan_account acct;
	int has = store_loan_account_get(s, person_id, &acct, a, e);
	if (has < 0)
		return NULL;
	/* The debt as the decision would find it: on its day (today, or the
	 * last day the run charged, when later), the interest up to it
	 * included. A rate missing for those days leaves the interest out, and
	 * says so. */
	date_t on = has == 0 && acct.interest_through != LOAN_NO_DATE && acct.interest_through > today ? acct.interest_through
												      : today;
	int64_t debt = 0, due = 0;
	if (ledger_debt(s, person_id, on, &debt, e) != 0)
		return NULL;
	struct err why;
	err_clear(&why);
	int interest_unknown = 0;
	if (has == 0 && interest_due(s, p, person_id, &acct, on, &due, a, &why) != 0) {
		if (why.code != ERR_CONFLICT) {
			*e = why;
			return NULL;
		}
		interest_unknown = 1;
		due = 0;
	}
	debt += due;
	json_t *d = json_pack("{s:{s:I,s:s},s:b,s:I,s:I,s:b}", "person", "id", (json_int_t)person_id, "name",
			      arena_printf(a, "%s %s", per.given_name, per.family_name), "has_account", has == 0, "debt",
			      (json_int_t)debt, "interest_due", (json_int_t)due, "interest_unknown", interest_unknown);
	struct loan_disability *list;
	int n = store_loan_disability_list(s, person_id, &list, 20, a, e);
	if (n < 0) {
		json_decref(d);
		return NULL;
	}
	json_t *made = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(made, decision_json(&list[i], a));
	json_object_set_new(d, "decisions", made);
	/* The form as typed, shown back. */
	json_t *form = json_object();
	if (in) {
		const char *const fields[][2] = {{"received", in->received}, {"degree", in->degree},   {"aap", in->aap},
						 {"income", in->income},     {"children", in->children}, {"new_debt", in->new_debt},
						 {"new_term", in->new_term}};
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			json_object_set_new(form, fields[i][0], json_string(fields[i][1] ? fields[i][1] : ""));
		json_object_set_new(form, in->aap && !strcmp(in->aap, "ja") ? "aap_yes" : in->aap && !strcmp(in->aap, "nei") ? "aap_no" : "aap_none", json_true());
	}
	json_object_set_new(d, "form", form);
	if (in == NULL)
		return d;
	struct form f;
	struct form_errors fe = {0};
	read_form(in, today, &f, &fe);
	/* The new debt and term belong to the proposal's own step: an error
	 * there leaves the proposal shown, with the error beside it. */
	int blocking = 0;
	for (int i = 0; i < fe.n; i++)
		if (strncmp(fe.field[i], "new_", 4) != 0)
			blocking = 1;
	if (interest_unknown)
		bad(&fe, "received", "disability.error.rate");
	struct facts x;
	if (!blocking && !interest_unknown && facts(s, p, reg, person_id, &f, &x, &fe, a, e) != 0) {
		json_decref(d);
		return NULL;
	}
	for (int i = 0; i < fe.n; i++)
		if (strncmp(fe.field[i], "new_", 4) != 0)
			blocking = 1;
	if (fe.n > 0 && !blocking) {
		json_object_set_new(d, "errors", errors_json(&fe));
		json_object_set_new(d, "invalid", json_true());
	}
	if (blocking) {
		json_object_set_new(d, "errors", errors_json(&fe));
		json_object_set_new(d, "invalid", json_true());
		/* The field the register could not fill is offered. */
		for (int i = 0; i < fe.n; i++)
			if (!strcmp(fe.field[i], "income"))
				json_object_set_new(d, "ask_income", json_true());
		return d;
	}
	const char *outcome = loans_disability_outcome_name(x.as.outcome);
	int refused = x.as.outcome == LOANS_DISABILITY_REFUSED_DEGREE || x.as.outcome == LOANS_DISABILITY_REFUSED_INCOME;
	int64_t after = refused ? debt : x.new_debt >= 0 && x.new_debt < debt ? x.new_debt : debt;
	json_t *prop = json_pack("{s:s,s:s,s:i,s:i,s:b,s:I,s:s,s:i,s:s,s:I,s:I,s:i,s:I,s:I,s:I,s:I,s:s,s:b,s:b}",
				 "outcome", outcome, "outcome_key", arena_printf(a, "disability.outcome.%s", outcome),
				 "year", x.as.year, "degree", f.degree, "aap", f.aap, "income", (json_int_t)x.income,
				 "income_source_key", arena_printf(a, "disability.source.%s", x.income_source),
				 "children", x.children, "children_source_key",
				 arena_printf(a, "disability.source.%s", x.children_source), "income_limit",
				 (json_int_t)x.as.income_limit, "whole_limit", (json_int_t)x.as.whole_limit, "band",
				 x.as.band, "debt", (json_int_t)debt, "new_debt", (json_int_t)(x.new_debt < 0 ? 0 : x.new_debt),
				 "new_term", (json_int_t)x.new_term, "written_off", (json_int_t)(debt - after), "trace",
				 x.as.trace, "manual", x.as.outcome == LOANS_DISABILITY_MANUAL, "refused", refused);
	if (x.as.outcome == LOANS_DISABILITY_MANUAL)
		json_object_set_new(prop, "missing", json_string(x.as.missing));
	if (x.as.band > 0)
		json_object_set_new(prop, "band_text",
				    json_string(arena_printf(a, "%d", x.as.band)));
	json_object_set_new(prop, "needs_new_debt", json_boolean(x.as.outcome == LOANS_DISABILITY_MANUAL && x.new_debt < 0));
	json_object_set_new(d, "proposal", prop);
	if (has != 0)
		json_object_set_new(d, "no_account", json_true());
	return d;
}

/* ---- the decision ---- */

/* Post the interest of the days after acct->interest_through up to and
 * including `to`, a piece a month (as the run would, cause
 * "interest:YYYY-MM", relief months cancelled alike), and move
 * interest_through to `to`: the run goes on from the next day. */
static int interest_upto(struct store_tx *tx, const struct params *p, int64_t person_id, struct loan_account *acct,
			 date_t to, struct arena *a, struct err *e)
{
	struct rate_ctx rc = {p, acct};
	while (acct->interest_through != LOAN_NO_DATE && acct->interest_through < to) {
		date_t from = acct->interest_through + 1;
		date_t last = date_month_last(from) < to ? date_month_last(from) : to;
		int64_t opening, interest;
		struct ledger_day *days;
		int n = store_ledger_person_days_tx(tx, person_id, from, last, &opening, &days, a, e);
		if (n < 0)
			return -1;
		struct loans_change *ch = arena_zalloc(a, sizeof(*ch) * (size_t)(n > 0 ? n : 1));
		for (int i = 0; i < n; i++)
			ch[i] = (struct loans_change){days[i].day, days[i].amount};
		if (loans_interest(opening, ch, n, from, last, rate_fn, &rc, &interest, e) != 0)
			return -1;
		if (interest > 0) {
			char cause[32], ym[11];
			date_format(last, ym);
			ym[7] = '\0';
			snprintf(cause, sizeof(cause), "interest:%s", ym);
			struct ledger_leg legs[] = {{"loan.interest", interest}, {"agency.interest-income", -interest}};
			struct ledger_entry en = {person_id, "interest", cause, last, 2, legs};
			if (ledger_post(tx, &en, NULL, e) != 0)
				return -1;
			int relief = store_loan_month_marked_tx(tx, person_id, ym, "relief", e);
			if (relief < 0)
				return -1;
			if (relief) {
				char rcause[32];
				snprintf(rcause, sizeof(rcause), "relief:%s", ym);
				struct ledger_leg rl[] = {{"agency.interest-income", interest}, {"loan.interest", -interest}};
				struct ledger_entry re = {person_id, "relief", rcause, last, 2, rl};
				if (ledger_post(tx, &re, NULL, e) != 0)
					return -1;
			}
		}
		acct->interest_through = last;
	}
	return 0;
}

struct deciding {
	const struct params *p;
	int64_t person_id, staff_id;
	const struct form *f;
	const struct facts *x;
	date_t today;
	int64_t now;
	const char *actor;
	int64_t id;
	int again; /* decided before: nothing posted */
};

static int decide_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct deciding *k = arg;
	struct arena a;
	struct loan_account acct;
	struct loan_disability dd;
	int rc = -1;
	arena_init(&a, 0);
	int got = store_loan_disability_find_tx(tx, k->person_id, k->f->received, &dd, &a, e);
	if (got < 0)
		goto out;
	if (got == 0) {
		/* The same application decided again: the first decision stands. */
		k->id = dd.id;
		k->again = 1;
		rc = 0;
		goto out;
	}
	if (loans_account_tx(tx, k->person_id, &acct, &a, e) != 0)
		goto out;
	enum loans_disability_outcome o = k->x->as.outcome;
	int refused = o == LOANS_DISABILITY_REFUSED_DEGREE || o == LOANS_DISABILITY_REFUSED_INCOME;
	/* The decision's day; when the run has charged interest past it, the
	 * last day charged (the debt is known there), as at death. */
	date_t on = acct.interest_through != LOAN_NO_DATE && acct.interest_through > k->today ? acct.interest_through
												: k->today;
	if (!refused && interest_upto(tx, k->p, k->person_id, &acct, on, &a, e) != 0)
		goto out;
	int64_t principal, interest;
	if (ledger_balance_tx(tx, k->person_id, "loan.principal", on, &principal, e) != 0 ||
	    ledger_balance_tx(tx, k->person_id, "loan.interest", on, &interest, e) != 0)
		goto out;
	if (principal < 0)
		principal = 0;
	if (interest < 0)
		interest = 0;
	int64_t debt = principal + interest;
	int64_t new_debt = refused ? debt : k->x->new_debt < debt ? k->x->new_debt : debt;
	int64_t w = debt - new_debt;
	dd = (struct loan_disability){.person_id = k->person_id,
				      .staff_id = k->staff_id,
				      .received = k->f->received,
				      .effective = on,
				      .degree = k->f->degree,
				      .aap = k->f->aap,
				      .income = k->x->income,
				      .income_source = k->x->income_source,
				      .children = k->x->children,
				      .children_source = k->x->children_source,
				      .outcome = loans_disability_outcome_name(o),
				      .income_limit = k->x->as.income_limit < 0 ? 0 : k->x->as.income_limit,
				      .band = k->x->as.band,
				      .debt_before = debt,
				      .new_debt = new_debt,
				      .new_term = refused ? 0 : k->x->new_term,
				      .written_off = w,
				      .trace = k->x->as.trace,
				      .created_at = k->now};
	if (mbox_deliver(tx, k->person_id, 0, "loan-disability", k->now, &dd.letter_id, e) != 0 ||
	    store_loan_disability_insert(tx, &dd, &k->id, e) != 0)
		goto out;
	if (w > 0) {
		/* ONE entry: the interest owed goes first, then the principal,
		 * so that what is left is principal on which interest runs. */
		int64_t ci = interest < w ? interest : w;
		int64_t cp = w - ci;
		struct ledger_leg legs[3];
		int n = 0;
		legs[n++] = (struct ledger_leg){"agency.write-off", w};
		if (ci > 0)
			legs[n++] = (struct ledger_leg){"loan.interest", -ci};
		if (cp > 0)
			legs[n++] = (struct ledger_leg){"loan.principal", -cp};
		char cause[40];
		snprintf(cause, sizeof(cause), "disability:%lld", (long long)k->id);
		struct ledger_entry en = {k->person_id, "write-off", cause, on, n, legs};
		if (ledger_post(tx, &en, NULL, e) != 0)
			goto out;
		/* The open invoices were terms of the old debt: the next run
		 * invoices the new one. */
		if (store_loan_invoices_cancel(tx, k->person_id, on, e) != 0)
			goto out;
	}
	acct.fixed_term = k->x->new_term > 0 ? k->x->new_term : 0;
	if (!refused && store_loan_account_put(tx, &acct, k->now, e) != 0)
		goto out;
	char object[32], detail[128];
	snprintf(object, sizeof(object), "person:%lld", (long long)k->person_id);
	/* No income or other figure of the person's own in the record: the
	 * outcome and the amount written off only. */
	snprintf(detail, sizeof(detail), "disability %s: %lld øre written off by disability:%lld", dd.outcome,
		 (long long)w, (long long)k->id);
	rc = audit_append(tx, k->now, k->actor, "loan.write-off", object, detail, e);
out:
	arena_cleanup(&a);
	return rc;
}

int loans_disability_decide(struct store *s, const struct params *p, struct reg_client *reg,
			    const struct principal *who, int64_t person_id, const struct loans_disability_input *in,
			    date_t today, int64_t now, int64_t *id, struct err *e)
{
	struct arena a;
	struct person per;
	char object[32], actor[64];
	snprintf(object, sizeof(object), "person:%lld", (long long)person_id);
	arena_init(&a, 0);
	int rc = -1;
	int got = store_person_get(s, person_id, &per, &a, e);
	if (got < 0)
		goto out;
	if (access_check(s, who, ACT_LOAN_WRITE_OFF, got == 0 ? person_id : 0, object, "person", now, e) != 0)
		goto out;
	struct form f;
	struct form_errors fe = {0};
	struct facts x;
	read_form(in, today, &f, &fe);
	if (fe.n == 0 && facts(s, p, reg, person_id, &f, &x, &fe, &a, e) != 0)
		goto out;
	if (fe.n == 0 && x.as.outcome == LOANS_DISABILITY_MANUAL && x.new_debt < 0)
		bad(&fe, "new_debt", "disability.error.new_debt_needed");
	if (fe.n > 0) {
		err_set(e, ERR_INVALID, fe.field[0], "%s", fe.key[0]);
		goto out;
	}
	struct deciding k = {p, person_id, who->staff_id, &f, &x, today, now, access_actor(who, actor, sizeof(actor)), 0, 0};
	if (store_write(s, decide_tx, &k, e) != 0)
		goto out;
	if (id)
		*id = k.id;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

/* ---- the letter ---- */

json_t *loans_disability_letter(struct store *s, int64_t letter_id, enum lang lang, struct arena *a)
{
	(void)lang;
	struct loan_disability dd;
	struct err e;
	if (store_loan_disability_by_letter(s, letter_id, &dd, a, &e) != 0)
		return NULL;
	char received[11], effective[11];
	int y, m, d;
	date_to_ymd(dd.received, &y, &m, &d);
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:b,s:I,s:i,s:I,s:i,s:I,s:I,s:I,s:I,s:b,s:b,s:b}", "outcome",
			 dd.outcome, "text_key", arena_printf(a, "disability.letter.%s", dd.outcome), "received",
			 date_format(dd.received, received), "effective", date_format(dd.effective, effective), "year", y,
			 "degree", dd.degree, "aap", dd.aap != 0, "income", (json_int_t)dd.income, "children", dd.children,
			 "income_limit", (json_int_t)dd.income_limit, "band", dd.band, "debt_before",
			 (json_int_t)dd.debt_before, "written_off", (json_int_t)dd.written_off, "new_debt",
			 (json_int_t)dd.new_debt, "new_term", (json_int_t)dd.new_term, "annuity",
			 dd.new_term == 0 && dd.new_debt > 0, "fixed_term", dd.new_term > 0, "refused",
			 !strncmp(dd.outcome, "refused", 7));
	if (j == NULL)
		return NULL;
	/* One flag for the outcome, so that a template picks its text. */
	char flag[32];
	snprintf(flag, sizeof(flag), "is_%s", dd.outcome);
	for (char *c = flag; *c; c++)
		if (*c == '-')
			*c = '_';
	json_object_set_new(j, flag, json_true());
	return j;
}
