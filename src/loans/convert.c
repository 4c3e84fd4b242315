/* convert.c - conversion of loan to grant (omgjøring, forskrift om
 * utdanningsstøtte kapittel 12): the batch `stipend convert --year Y`.
 *
 * For each decided higher-education case of the school year Y-(Y+1) whose
 * basic loan has a convertible part, the same rule pack decides the
 * application again with the tax authority's income and wealth for the
 * calendar year Y (from the registers); the convertible part it then allows
 * is converted in proportion to the credits passed of those the studies
 * expected (60 a year at full load, from the schools' register for the
 * semesters Y-autumn and (Y+1)-spring), at most the loan still owed. The
 * conversion posts debit agency.conversion, credit loan.principal, and the
 * person gets a letter with the figures and the decision's trace. One
 * conversion a case: a run again converts nothing twice.
 *
 * Simplification (README: "The loan account"): both semesters are tested
 * against the income of the year Y; the pages test the spring against the
 * year after. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "ledger/ledger.h"
#include "loans/convert.h"
#include "mailbox/mailbox.h"
#include "registers/registers.h"
#include "rules/rules.h"
#include "store/ledger.h"
#include "store/store.h"

struct conv_tx {
	struct loan_conversion c;
	date_t on;
	int64_t now;
	struct ledger_pending *pending; /* a page's: the legs written at its end; NULL: at once */
};

static int record(struct store_tx *tx, void *arg, struct err *e)
{
	struct conv_tx *x = arg;
	char cause[48], object[32], detail[96];
	snprintf(cause, sizeof(cause), "run:convert-%d", x->c.year);
	if (x->c.converted > 0) {
		/* Never more than is owed when the entry is written: the person's
		 * legs kept for the page's end are written first, so that the
		 * balance holds them. */
		int64_t principal;
		if ((x->pending && ledger_pending_has(x->pending, x->c.person_id) &&
		     ledger_pending_flush(tx, x->pending, e) != 0) ||
		    ledger_balance_tx(tx, x->c.person_id, "loan.principal", x->on, &principal, e) != 0)
			return -1;
		if (x->c.converted > principal)
			x->c.converted = principal > 0 ? principal : 0;
	}
	if (x->c.converted > 0) {
		struct ledger_leg legs[] = {{"agency.conversion", x->c.converted}, {"loan.principal", -x->c.converted}};
		struct ledger_entry en = {x->c.person_id, "conversion", cause, x->on, 2, legs};
		if ((x->pending ? ledger_post_pending(tx, &en, x->pending, &x->c.entry_id, e)
				: ledger_post(tx, &en, &x->c.entry_id, e)) != 0)
			return -1;
	}
	if (mbox_deliver(tx, x->c.person_id, x->c.case_id, "loan-conversion", x->now, &x->c.letter_id, e) != 0 ||
	    store_loan_conversion_insert(tx, &x->c, NULL, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "case:%lld", (long long)x->c.case_id);
	snprintf(detail, sizeof(detail), "year %d: %lld øre converted of %lld", x->c.year, (long long)x->c.converted,
		 (long long)x->c.convertible);
	return audit_append(tx, x->now, "system", "loan.converted", object, detail, e);
}

/* The credits of the school year Y-(Y+1) in tenths. */
static int credits_of(const struct reg_credits *cr, int year)
{
	char autumn[24], spring[24];
	snprintf(autumn, sizeof(autumn), "%d-autumn", year);
	snprintf(spring, sizeof(spring), "%d-spring", year + 1);
	int tenths = 0;
	for (int i = 0; i < cr->n; i++)
		if (strcmp(cr->items[i].semester, autumn) == 0 || strcmp(cr->items[i].semester, spring) == 0)
			tenths += (int)(cr->items[i].credits * 10 + 0.5);
	return tenths;
}

/* One case on the year's facts: 1 with *x ready to record, 0 when it is
 * counted in sum already (the rules did not settle it). */
static int decide_case(const struct params *p, int year, date_t on, int64_t now, const struct loan_conv_case *k,
		       const struct reg_income *inc, const struct reg_credits *cr, struct loans_convert_summary *sum,
		       struct conv_tx *x, struct arena *a)
{
	json_error_t je;
	json_t *app = json_loads(k->application_json ? k->application_json : "", 0, &je);
	json_t *applicant = json_object_get(app, "applicant");
	if (!json_is_object(applicant)) {
		json_decref(app);
		sum->manual++;
		return 0;
	}
	json_object_set_new(applicant, "income", json_integer(inc->income));
	json_object_set_new(applicant, "wealth", json_integer(inc->wealth));
	json_t *edu = json_object_get(app, "education");
	int64_t load = json_is_integer(json_object_get(edu, "load_percent"))
			       ? json_integer_value(json_object_get(edu, "load_percent"))
			       : 100;
	struct application ap;
	struct decision *d = arena_zalloc(a, sizeof(*d));
	struct err de;
	err_clear(&de);
	int ok = rules_parse_application(app, &ap, a, &de) == 0 && rules_decide(&ap, p, d, &de) == 0;
	json_decref(app);
	const struct award *bl = ok ? rules_award(d, "basic-loan") : NULL;
	if (!ok || d->outcome == OUTCOME_MANUAL || bl == NULL) {
		/* A person must judge it: the case workers see the log. */
		sum->manual++;
		log_warn("convert: case %lld needs a case worker: %s", (long long)k->case_id,
			 !ok ? de.message : d->n_reasons > 0 ? d->reasons[0].code : "the rules did not settle the basic loan");
		return 0;
	}
	int64_t allowed = bl->convertible > 0 ? bl->convertible : 0;
	int credits = credits_of(cr, year), expected = (int)(600 * load / 100);
	int passed = credits < expected ? credits : expected;
	/* In proportion to the credits passed; rounding.ore: down. */
	int64_t converted = expected > 0 ? allowed * passed / expected : 0;
	struct buf b;
	buf_init(&b, 1 << 20);
	rules_decision_json(&b, d, LANG_NB);
	*x = (struct conv_tx){{0, k->case_id, k->person_id, year, allowed, inc->income, inc->wealth, credits, expected,
			       converted, arena_strdup(a, buf_str(&b)), 0, 0, now},
			      on, now, NULL};
	buf_cleanup(&b);
	return 1;
}

static void count_recorded(const struct conv_tx *x, struct loans_convert_summary *sum)
{
	if (x->c.converted > 0) {
		sum->converted++;
		sum->converted_ore += x->c.converted;
	} else {
		sum->none_passed++;
	}
}

/* A page's conversions in one transaction (one commit for the page). */
struct record_page {
	struct conv_tx *xs;
	int n;
};

static int record_page_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct record_page *pg = arg;
	struct arena a;
	arena_init(&a, 0);
	struct ledger_pending pending = {&a, NULL, 0, 0};
	int rc = 0;
	for (int i = 0; i < pg->n && rc == 0; i++) {
		pg->xs[i].pending = &pending;
		rc = record(tx, &pg->xs[i], e);
		pg->xs[i].pending = NULL;
	}
	if (rc == 0)
		rc = ledger_pending_flush(tx, &pending, e);
	arena_cleanup(&a);
	return rc;
}

/* One page of cases (at most REG_BULK_MAX): the decisions read, the
 * registers asked once for the page's incomes and once for its credits,
 * the rules run here, and the conversions written in one transaction; when
 * that fails (a case converted meanwhile), a transaction a case, as
 * before. 0, or -1 when the store failed. */
static int convert_page(struct store *s, const struct params *p, struct reg_client *reg, int year, date_t on,
			int64_t now, const struct loan_conv_case *k, int n, struct loans_convert_summary *sum,
			loans_progress_fn progress, void *pctx, struct arena *a, struct err *e)
{
	const char **nins = arena_zalloc(a, sizeof(*nins) * (size_t)n);
	int *at = arena_zalloc(a, sizeof(*at) * (size_t)n), m = 0;
	double t = metrics_clock(), t1;
	for (int i = 0; i < n; i++) {
		if (k[i].convertible <= 0) {
			sum->not_convertible++;
			continue;
		}
		if (k[i].principal <= 0) {
			sum->no_loan++;
			continue;
		}
		at[m] = i;
		nins[m++] = k[i].nin;
	}
	sum->t_read += (t1 = metrics_clock()) - t;
	t = t1;
	struct reg_income *inc = arena_zalloc(a, sizeof(*inc) * (size_t)(m + 1));
	struct reg_credits *cr = arena_zalloc(a, sizeof(*cr) * (size_t)(m + 1));
	int *inc_found = arena_zalloc(a, sizeof(int) * (size_t)(m + 1));
	int *cr_found = arena_zalloc(a, sizeof(int) * (size_t)(m + 1));
	struct err re;
	err_clear(&re);
	if (m > 0 && (reg_tax_income_many(reg, nins, m, year, inc, inc_found, &re) != 0 ||
		      reg_school_credits_many(reg, nins, m, cr, cr_found, a, &re) != 0)) {
		sum->waiting += m;
		log_warn("convert: %d cases wait for the registers: %s", m, re.message);
		m = 0;
	}
	sum->t_registers += (t1 = metrics_clock()) - t;
	t = t1;
	struct conv_tx *xs = arena_zalloc(a, sizeof(*xs) * (size_t)(m + 1));
	int ready = 0;
	for (int j = 0; j < m; j++) {
		if (!inc_found[j] || !cr_found[j]) {
			sum->waiting++;
			log_warn("convert: case %lld waits for the registers: not found", (long long)k[at[j]].case_id);
			continue;
		}
		ready += decide_case(p, year, on, now, &k[at[j]], &inc[j], &cr[j], sum, &xs[ready], a);
	}
	sum->t_rules += (t1 = metrics_clock()) - t;
	t = t1;
	struct record_page pg = {xs, ready};
	struct err pe;
	if (ready > 0 && store_write(s, record_page_tx, &pg, &pe) == 0) {
		for (int j = 0; j < ready; j++)
			count_recorded(&xs[j], sum);
	} else {
		for (int j = 0; j < ready; j++) {
			struct err we;
			err_clear(&we);
			if (store_write(s, record, &xs[j], &we) != 0) {
				if (we.code == ERR_CONFLICT) {
					sum->already++;
					continue;
				}
				*e = we;
				return -1;
			}
			count_recorded(&xs[j], sum);
		}
	}
	sum->t_write += metrics_clock() - t;
	for (int i = 0; i < n; i++) {
		sum->cases++;
		if (progress)
			progress(pctx, sum->cases);
	}
	return 0;
}

int loans_convert(struct store *s, const struct params *p, struct reg_client *reg, int year, date_t on, int64_t now,
		  loans_progress_fn progress, void *pctx, struct loans_convert_summary *sum, struct err *e)
{
	char school_year[16];
	int64_t after = 0;
	memset(sum, 0, sizeof(*sum));
	snprintf(school_year, sizeof(school_year), "%d-%d", year, year + 1);
	for (;;) {
		struct arena a;
		struct loan_conv_case *k;
		arena_init(&a, 0);
		double t = metrics_clock();
		int n = store_loan_conv_cases(s, school_year, after, on, &k, REG_BULK_MAX, &a, e);
		sum->t_read += metrics_clock() - t;
		if (n <= 0) {
			arena_cleanup(&a);
			return n < 0 ? -1 : 0;
		}
		if (convert_page(s, p, reg, year, on, now, k, n, sum, progress, pctx, &a, e) != 0) {
			arena_cleanup(&a);
			return -1;
		}
		after = k[n - 1].case_id;
		arena_cleanup(&a);
	}
}

json_t *loans_conversion_letter(struct store *s, int64_t letter_id, enum lang lang, struct arena *a)
{
	struct loan_conversion c;
	struct err e;
	if (store_loan_conversion_by_letter(s, letter_id, &c, a, &e) != 0)
		return NULL;
	char credits[16], expected[16];
	snprintf(credits, sizeof(credits), "%d%s%d", c.credits_tenths / 10, lang == LANG_EN ? "." : ",",
		 c.credits_tenths % 10);
	snprintf(expected, sizeof(expected), "%d%s%d", c.expected_tenths / 10, lang == LANG_EN ? "." : ",",
		 c.expected_tenths % 10);
	return json_pack("{s:i,s:I,s:I,s:I,s:I,s:s,s:s,s:b,s:s}", "year", c.year, "convertible",
			 (json_int_t)c.convertible, "converted", (json_int_t)c.converted, "income", (json_int_t)c.income,
			 "wealth", (json_int_t)c.wealth, "credits", credits, "expected", expected, "none",
			 c.converted == 0, "decision_json", c.decision_json);
}
