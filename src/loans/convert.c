/* convert.c - conversion of loan to grant (omgjøring, forskrift om
 * utdanningsstøtte kapittel 12): the batch `stipend convert --year Y`.
 *
 * The year Y is a CALENDAR year: the pages test income and wealth "per
 * kalenderår, siden skatteoppgjøret vi får informasjonen fra gjelder per
 * kalenderår, og ikke studieår (høstsemester-vårsemester)" (lanekassen.no,
 * "Slik fungerer omgjøring"), and convert "for eitt og eitt kalenderår,
 * ikkje for kvart studieår" ("Omgjering av basislån til stipend"). So a
 * run converts the two semesters that lie in Y: first the spring of the
 * school year (Y-1)-Y, then the autumn of Y-(Y+1) (the oldest period
 * first, as the page "Eksamensresultater og omgjøring" says the agency
 * does). For each decided higher-education case of those school years
 * whose basic loan has a convertible part, the same rule pack decides the
 * application again with the tax authority's income and wealth for Y
 * (from the registers; the income and wealth limits of Y), for that
 * semester only (struct application's conv_*): the semester's share of the
 * basic loan is what was paid for its months, and the reduction over the
 * limits is for its months of support.
 *
 * How the year is split: the decision gives the basic loan as a monthly
 * amount for a number of months from the education's first month in the
 * school year, and the payout plan pays them one a month in that order
 * (payout/plan.c), so the autumn (August to December) holds the first of
 * them and the spring (January to June) the rest: a full-time year of 11
 * months is 5 in the autumn and 6 in the spring
 * (rules_semester_months()). Splitting by the months paid, not by half
 * the year, keeps the June month, which only the spring has, in the
 * spring, and gives nothing to a semester without support. Which limit
 * holds (support in seven months or fewer in the year, or more) counts
 * the months of support in Y from both school years: the case's semester
 * and the person's case of the other school year, if decided.
 *
 * The convertible part the rules then allow for the semester is converted
 * in proportion to the semester's credits passed of those it expected
 * (30 at full load, times the load; the schools' register's semester
 * "Y-spring" or "Y-autumn"), at most the loan still owed. The conversion
 * posts debit agency.conversion, credit loan.principal, and the person
 * gets a letter naming the semester and the income year, with the figures
 * and the decision's trace. One conversion a case and semester (migration
 * 0027): a run again converts nothing twice, and a case converted as a
 * whole school year before 0027 is not converted again. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/metrics.h"
#include "ledger/ledger.h"
#include "loans/convert.h"
#include "mailbox/mailbox.h"
#include "registers/registers.h"
#include "rules/rules.h"
#include "store/ledger.h"
#include "store/loans_bulk.h"
#include "store/store.h"

struct conv_tx {
	struct loan_conversion c;
	date_t on;
	int64_t now;
	struct ledger_pending *pending; /* a page's: the legs written at its end; NULL: at once */
	int no_loan;                    /* set by record(): nothing owed when it came to write */
	int64_t *principal;             /* the page's reading of the person's principal in the
					   transaction, kept current by record(); NULL: record() reads it */
};

static int record(struct store_tx *tx, void *arg, struct err *e)
{
	struct conv_tx *x = arg;
	char cause[48], object[32], detail[96];
	snprintf(cause, sizeof(cause), "run:convert-%d", x->c.year);
	/* Never more than is owed when the entry is written: the person's legs
	 * kept for the page's end are written first, so that the balance holds
	 * them. Nothing owed now is no loan, as when the page was read: the
	 * page before may have been written since (loans_convert() writes a
	 * page while it reads and decides the next). */
	int64_t principal;
	x->no_loan = 0;
	if (x->principal != NULL)
		principal = *x->principal;
	else if ((x->pending && ledger_pending_has(x->pending, x->c.person_id) &&
		  ledger_pending_flush(tx, x->pending, e) != 0) ||
		 ledger_balance_tx(tx, x->c.person_id, "loan.principal", x->on, &principal, e) != 0)
		return -1;
	if (principal <= 0) {
		x->no_loan = 1;
		return 0;
	}
	if (x->c.converted > principal)
		x->c.converted = principal;
	if (x->principal != NULL && x->c.converted > 0)
		*x->principal = principal - x->c.converted;
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
	snprintf(detail, sizeof(detail), "%s, income year %d: %lld øre converted of %lld", x->c.semester, x->c.year,
		 (long long)x->c.converted, (long long)x->c.convertible);
	return audit_append(tx, x->now, "system", "loan.converted", object, detail, e);
}

/* A run's half: the semester of the calendar year, the school year whose
 * cases hold it, and the school year of the year's other semester. */
struct pass {
	int semester; /* CONV_SPRING, CONV_AUTUMN */
	const char *name;
	char school_year[16], other_year[16];
};

/* The credits of the semester ("2024-spring") in tenths. */
static int credits_of(const struct reg_credits *cr, int year, const struct pass *ps)
{
	char sem[24];
	snprintf(sem, sizeof(sem), "%d-%s", year, ps->name);
	int tenths = 0;
	for (int i = 0; i < cr->n; i++)
		if (strcmp(cr->items[i].semester, sem) == 0)
			tenths += (int)(cr->items[i].credits * 10 + 0.5);
	return tenths;
}

/* The months of support in the calendar year `year` from the person's
 * case of the other school year (its semester in that year), from its
 * education's start and its basic loan's months. */
static int other_months(const struct loan_conv_case *k, int year, const struct pass *ps)
{
	if (k->other_months <= 0)
		return 0;
	/* The other school year begins in the autumn of year (the spring's
	 * pass) or of year - 1 (the autumn's). */
	date_t first = date_from_ymd(ps->semester == CONV_SPRING ? year : year - 1, 8, 1), start = first;
	if (k->other_start != NULL && k->other_start[0] != '\0' && date_parse(k->other_start, &start) != 0)
		start = first;
	int autumn, spring;
	rules_semester_months(start, first, k->other_months, &autumn, &spring);
	return ps->semester == CONV_SPRING ? autumn : spring;
}

/* The convertible part a case's decision gave (its basic loan's: the last
 * award "basic-loan" with an integer "convertible"), or -1. */
static int64_t convertible_of(const struct loan_conv_case *k)
{
	json_error_t je;
	json_t *awards = k->awards_json ? json_loads(k->awards_json, 0, &je) : NULL;
	int64_t was = -1;
	size_t i;
	json_t *aw;
	json_array_foreach(awards, i, aw)
	{
		const char *name = json_string_value(json_object_get(aw, "name"));
		if (name != NULL && strcmp(name, "basic-loan") == 0 && json_is_integer(json_object_get(aw, "convertible")))
			was = json_integer_value(json_object_get(aw, "convertible"));
	}
	json_decref(awards);
	return was;
}

/* One case on the year's facts: 1 with *x ready to record, 0 when it is
 * counted in sum already (the rules did not settle it). */
static int decide_case(const struct params *p, int year, const struct pass *ps, date_t on, int64_t now,
		       const struct loan_conv_case *k, const struct reg_income *inc, const struct reg_credits *cr,
		       struct loans_convert_summary *sum, struct conv_tx *x, struct decision *d, struct buf *b,
		       struct arena *a)
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
	struct err de;
	err_clear(&de);
	int ok = rules_parse_application(app, &ap, a, &de) == 0;
	if (ok) {
		ap.conv_semester = ps->semester;
		ap.conv_income_year = year;
		ap.conv_other_months = other_months(k, year, ps);
		ok = rules_decide(&ap, p, d, &de) == 0;
	}
	json_decref(app);
	const struct award *bl = ok ? rules_award(d, "basic-loan") : NULL;
	if (!ok || d->outcome == OUTCOME_MANUAL || bl == NULL) {
		/* A person must judge it: the case workers see the log. */
		sum->manual++;
		log_warn("convert: case %lld needs a case worker: %s", (long long)k->case_id,
			 !ok ? de.message : d->n_reasons > 0 ? d->reasons[0].code : "the rules did not settle the basic loan");
		return 0;
	}
	int autumn, spring;
	rules_semester_months(ap.edu_start, ap.year_first, bl->months, &autumn, &spring);
	if ((ps->semester == CONV_AUTUMN ? autumn : spring) == 0) {
		sum->not_convertible++; /* no support in this semester: nothing of it to convert */
		return 0;
	}
	int64_t allowed = bl->convertible > 0 ? bl->convertible : 0;
	/* 30 credits a semester at full load ("30 studiepoeng per semester"). */
	int credits = credits_of(cr, year, ps), expected = (int)(300 * load / 100);
	int passed = credits < expected ? credits : expected;
	/* In proportion to the credits passed; rounding.ore: down. */
	int64_t converted = expected > 0 ? allowed * passed / expected : 0;
	buf_reset(b);
	rules_decision_json(b, d, LANG_NB);
	*x = (struct conv_tx){{0, k->case_id, k->person_id, year, allowed, inc->income, inc->wealth, credits, expected,
			       converted, arena_strndup(a, buf_str(b), b->len), 0, 0, now, ps->name},
			      on, now, NULL, 0, NULL};
	return 1;
}

/* The run's checkpoints, beside the writer: after each page's commit the
 * write-ahead log is copied into the database on a thread of their own,
 * not by the writer at its next commit (a tenth of the writer's work). */
struct checkpointer {
	struct store *s;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pending, stop, running;
	pthread_t thread;
};

static void *checkpoint_main(void *arg)
{
	struct checkpointer *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->pending && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (!c->pending)
			break;
		c->pending = 0;
		pthread_mutex_unlock(&c->mu);
		struct err e;
		if (store_checkpoint(c->s, &e) != 0)
			log_warn("convert: checkpoint: %s", e.message);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static void checkpoint_soon(struct checkpointer *c)
{
	if (c == NULL || !c->running)
		return;
	pthread_mutex_lock(&c->mu);
	c->pending = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

/* A page's conversions, decided, on their way to the store. */
struct page_job {
	struct store *s;
	struct checkpointer *cp; /* NULL: the writer checkpoints as SQLite does */
	struct conv_tx *xs;
	int ready;                           /* conversions in xs */
	int n;                               /* the page's cases */
	struct loans_convert_summary counts; /* what the write counted */
	int rc;
	struct err e;
	struct arena a; /* the page's cases, registers' answers and conversions */
	pthread_t thread;
	int running;  /* written or being written, not yet counted */
	int threaded; /* on thread */
};

static void count_recorded(const struct conv_tx *x, struct loans_convert_summary *sum)
{
	if (x->no_loan)
		sum->no_loan++;
	else if (x->c.converted > 0) {
		sum->converted++;
		sum->converted_ore += x->c.converted;
	} else {
		sum->none_passed++;
	}
}

/* order[0..n) sorted by the person of xs[order[i]], then by place. */
static int cmp_person(const void *a, const void *b, void *arg)
{
	const struct conv_tx *xs = arg;
	int i = *(const int *)a, j = *(const int *)b;
	int64_t x = xs[i].c.person_id, y = xs[j].c.person_id;
	return x < y ? -1 : x > y ? 1 : i - j;
}

static void sort_by_person(int *order, int n, struct conv_tx *xs)
{
	qsort_r(order, (size_t)n, sizeof(*order), cmp_person, xs);
}

/* A page's conversions in one transaction (one commit for the page). */
static int record_page_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct page_job *pg = arg;
	struct arena a;
	arena_init(&a, 0);
	struct ledger_pending pending = {&a, NULL, 0, 0};
	/* A run touches more of the indexes than the default cache holds. */
	int rc = store_writer_cache(tx, 1, e);
	if (rc == 0 && pg->cp != NULL)
		rc = store_writer_autocheckpoint(tx, 0, e);
	/* The page's principals read in one statement; a person with two
	 * cases in the page is read once, and the second case sees what the
	 * first converted (one slot a person, by a sort of the cases). */
	int n = pg->ready;
	int64_t *persons = arena_zalloc(&a, sizeof(int64_t) * (size_t)(n + 1));
	int64_t *principals = arena_zalloc(&a, sizeof(int64_t) * (size_t)(n + 1));
	int *order = arena_zalloc(&a, sizeof(int) * (size_t)(n + 1));
	int *slot = arena_zalloc(&a, sizeof(int) * (size_t)(n + 1));
	int m = 0;
	for (int i = 0; i < n; i++)
		order[i] = i;
	sort_by_person(order, n, pg->xs);
	for (int i = 0; i < n; i++) {
		if (i == 0 || pg->xs[order[i]].c.person_id != pg->xs[order[i - 1]].c.person_id)
			persons[m++] = pg->xs[order[i]].c.person_id;
		slot[order[i]] = m - 1;
	}
	if (rc == 0)
		rc = store_loan_principals_tx(tx, persons, m, n > 0 ? pg->xs[0].on : 0, principals, e);
	for (int i = 0; i < n && rc == 0; i++) {
		pg->xs[i].pending = &pending;
		pg->xs[i].principal = &principals[slot[i]];
		rc = record(tx, &pg->xs[i], e);
		pg->xs[i].pending = NULL;
		pg->xs[i].principal = NULL;
	}
	if (rc == 0)
		rc = ledger_pending_flush(tx, &pending, e);
	arena_cleanup(&a);
	return rc;
}

/* Write a page: one transaction; when that fails (a case converted
 * meanwhile), a transaction a case, as before. Runs on a thread of its
 * own while the next page is read and decided. */
static void *write_page(void *arg)
{
	struct page_job *pg = arg;
	struct err pe;
	double t = metrics_clock();
	pg->rc = 0;
	if (pg->ready > 0 && store_write(pg->s, record_page_tx, pg, &pe) == 0) {
		checkpoint_soon(pg->cp);
		for (int j = 0; j < pg->ready; j++)
			count_recorded(&pg->xs[j], &pg->counts);
	} else {
		for (int j = 0; j < pg->ready; j++) {
			struct err we;
			err_clear(&we);
			if (store_write(pg->s, record, &pg->xs[j], &we) != 0) {
				if (we.code == ERR_CONFLICT) {
					pg->counts.already++;
					continue;
				}
				pg->e = we;
				pg->rc = -1;
				break;
			}
			count_recorded(&pg->xs[j], &pg->counts);
		}
	}
	pg->counts.t_write = metrics_clock() - t;
	return NULL;
}

/* Read and decide one page of cases (at most REG_BULK_MAX) into pg: the
 * cases and their loans in one statement, the registers asked once for the
 * page's incomes and once for its credits, the rules run here. Returns
 * the cases read (0: no more), or -1 when the store failed. */
static int prepare_page(struct store *s, const struct params *p, struct reg_client *reg, int year, date_t on,
			int64_t now, const struct pass *ps, int64_t *after, struct page_job *pg,
			struct loans_convert_summary *sum, struct err *e)
{
	struct arena *a = &pg->a;
	struct loan_conv_case *k;
	double t = metrics_clock(), t1;
	int n = store_loan_conv_cases(s, ps->school_year, ps->other_year, *after, on, &k, REG_BULK_MAX, a, e);
	if (n <= 0)
		return n;
	*after = k[n - 1].case_id;
	const char **nins = arena_zalloc(a, sizeof(*nins) * (size_t)n);
	int *at = arena_zalloc(a, sizeof(*at) * (size_t)n), m = 0;
	for (int i = 0; i < n; i++) {
		if (convertible_of(&k[i]) <= 0) {
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
	pg->xs = arena_zalloc(a, sizeof(*pg->xs) * (size_t)(m + 1));
	pg->ready = 0;
	/* One decision and one buffer for the page: a decision is large, and
	 * a fresh one a case was fresh memory a case. */
	struct decision *d = arena_zalloc(a, sizeof(*d));
	struct buf b;
	buf_init(&b, 1 << 20);
	for (int j = 0; j < m; j++) {
		if (!inc_found[j] || !cr_found[j]) {
			sum->waiting++;
			log_warn("convert: case %lld waits for the registers: not found", (long long)k[at[j]].case_id);
			continue;
		}
		pg->ready +=
		    decide_case(p, year, ps, on, now, &k[at[j]], &inc[j], &cr[j], sum, &pg->xs[pg->ready], d, &b, a);
	}
	buf_cleanup(&b);
	sum->t_rules += metrics_clock() - t;
	return n;
}

static int default_cache(struct store_tx *tx, void *arg, struct err *e)
{
	(void)arg;
	return store_writer_cache(tx, 0, e) != 0 || store_writer_autocheckpoint(tx, 1, e) != 0 ? -1 : 0;
}

/* Wait for a page's write and count it. 0, or -1 with e when it failed. */
static int finish_page(struct page_job *pg, struct loans_convert_summary *sum, loans_progress_fn progress,
		       void *pctx, struct err *e)
{
	if (!pg->running)
		return 0;
	double t = metrics_clock();
	if (pg->threaded)
		pthread_join(pg->thread, NULL);
	pg->running = 0;
	sum->t_wait += metrics_clock() - t;
	sum->converted += pg->counts.converted;
	sum->converted_ore += pg->counts.converted_ore;
	sum->none_passed += pg->counts.none_passed;
	sum->no_loan += pg->counts.no_loan;
	sum->already += pg->counts.already;
	sum->t_write += pg->counts.t_write;
	if (pg->rc != 0) {
		*e = pg->e;
		return -1;
	}
	for (int i = 0; i < pg->n; i++) {
		sum->cases++;
		if (progress)
			progress(pctx, sum->cases);
	}
	return 0;
}

int loans_convert(struct store *s, const struct params *p, struct reg_client *reg, int year, date_t on, int64_t now,
		  loans_progress_fn progress, void *pctx, struct loans_convert_summary *sum, struct err *e)
{
	int rc = 0, cur = 0;
	memset(sum, 0, sizeof(*sum));
	/* The calendar year's two semesters, the older first. */
	struct pass passes[2] = {{CONV_SPRING, "spring", "", ""}, {CONV_AUTUMN, "autumn", "", ""}};
	snprintf(passes[0].school_year, sizeof(passes[0].school_year), "%d-%d", year - 1, year);
	snprintf(passes[0].other_year, sizeof(passes[0].other_year), "%d-%d", year, year + 1);
	snprintf(passes[1].school_year, sizeof(passes[1].school_year), "%d-%d", year, year + 1);
	snprintf(passes[1].other_year, sizeof(passes[1].other_year), "%d-%d", year - 1, year);
	/* Two pages: one written (on its thread, through the store's writer)
	 * while the other is read and decided. The writes keep the pages'
	 * order: a page's write starts when the one before has ended. */
	struct checkpointer cp = {.s = s};
	pthread_mutex_init(&cp.mu, NULL);
	pthread_cond_init(&cp.cv, NULL);
	cp.running = pthread_create(&cp.thread, NULL, checkpoint_main, &cp) == 0;
	struct page_job pages[2];
	memset(pages, 0, sizeof(pages));
	for (int i = 0; i < 2; i++) {
		pages[i].s = s;
		pages[i].cp = cp.running ? &cp : NULL;
		arena_init(&pages[i].a, 0);
	}
	int pass = 0;
	int64_t after = 0;
	for (;;) {
		struct page_job *pg = &pages[cur];
		arena_cleanup(&pg->a);
		arena_init(&pg->a, 0);
		memset(&pg->counts, 0, sizeof(pg->counts));
		int n = prepare_page(s, p, reg, year, on, now, &passes[pass], &after, pg, sum, e);
		if (n == 0 && pass == 0) {
			pass = 1; /* the spring's cases done: the autumn's */
			after = 0;
			continue;
		}
		if (n <= 0) {
			rc = n;
			break;
		}
		pg->n = n;
		if (finish_page(&pages[1 - cur], sum, progress, pctx, e) != 0) {
			rc = -1;
			break;
		}
		pg->running = 1;
		pg->threaded = pthread_create(&pg->thread, NULL, write_page, pg) == 0;
		if (!pg->threaded)
			write_page(pg); /* no thread to be had: written here, counted as any */
		cur = 1 - cur;
	}
	struct err fe;
	for (int i = 0; i < 2; i++) {
		struct page_job *pg = &pages[(cur + i) % 2];
		if (finish_page(pg, sum, progress, pctx, &fe) != 0 && rc == 0) {
			*e = fe;
			rc = -1;
		}
	}
	for (int i = 0; i < 2; i++)
		arena_cleanup(&pages[i].a);
	if (cp.running) {
		pthread_mutex_lock(&cp.mu);
		cp.stop = 1;
		pthread_cond_signal(&cp.cv);
		pthread_mutex_unlock(&cp.mu);
		pthread_join(cp.thread, NULL);
	}
	pthread_mutex_destroy(&cp.mu);
	pthread_cond_destroy(&cp.cv);
	store_write(s, default_cache, NULL, NULL);
	return rc < 0 ? -1 : 0;
}

/* "høstsemesteret 2024", "the spring term 2025", or (a row from before
 * migration 0027) the school year that began in the autumn of the year. */
static const char *period_text(const struct loan_conversion *c, enum lang lang, struct arena *a)
{
	char key[48];
	snprintf(key, sizeof(key), "loans.conversion.period.%s", c->semester ? c->semester : "school-year");
	json_t *args = json_pack("{s:i}", "year", c->year);
	struct buf b;
	buf_init(&b, 64);
	const char *out = i18n_render(&b, lang, key, args) == 0 ? arena_strndup(a, buf_str(&b), b.len) : "";
	buf_cleanup(&b);
	json_decref(args);
	return out;
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
	return json_pack("{s:i,s:I,s:I,s:I,s:I,s:s,s:s,s:b,s:s,s:s,s:s}", "year", c.year, "convertible",
			 (json_int_t)c.convertible, "converted", (json_int_t)c.converted, "income", (json_int_t)c.income,
			 "wealth", (json_int_t)c.wealth, "credits", credits, "expected", expected, "none",
			 c.converted == 0, "decision_json", c.decision_json, "semester",
			 c.semester ? c.semester : "school-year", "period", period_text(&c, lang, a));
}

json_t *loans_conversions_view(struct store *s, int64_t person_id, enum lang lang, struct arena *a, struct err *e)
{
	struct loan_conversion *c;
	int n = store_loan_conversions_of(s, person_id, &c, 40, a, e);
	if (n < 0)
		return NULL;
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:i,s:I,s:I,s:I}", "semester",
						      c[i].semester ? c[i].semester : "school-year", "period",
						      period_text(&c[i], lang, a), "income_year", c[i].year, "converted",
						      (json_int_t)c[i].converted, "convertible", (json_int_t)c[i].convertible,
						      "letter_id", (json_int_t)c[i].letter_id));
	return list;
}
