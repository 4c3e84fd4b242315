/* fixedpost.c - the fixed rate's interest loss or gain on the loan
 * account: on an extra payment, on ending the agreement, and when the
 * rates a waiting one needed are known; see fixedpost.h.
 *
 * The computation, its ledger entry, its letter and its record are one
 * transaction with what caused it (the payment's booking, the ending), so
 * a process killed half-way leaves either all of them or none. */
#include "loans/fixedpost.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "ledger/ledger.h"
#include "loans/fixedrate.h"
#include "mailbox/mailbox.h"
#include "rules/params.h"
#include "store/fixedrate.h"
#include "store/ledger.h"
#include "store/loans2.h"
#include "store/store.h"

/* The months from day d's month before the plan's first term (the
 * payment pause: nothing is repaid), at most LOANS_FIXED_MAX_MONTHS. */
static int pause_months(const struct loan_account *acct, date_t d)
{
	if (acct->first_due == LOAN_NO_DATE || acct->first_due <= d)
		return 0;
	int n = loans_fixed_months_left(d, acct->first_due) - 1;
	return n < 0 ? 0 : n > LOANS_FIXED_MAX_MONTHS ? LOANS_FIXED_MAX_MONTHS : n;
}

/* The plan's monthly terms left from day d's month (or its first term's,
 * when later) through its last due day; at least 1 (the plan's arithmetic
 * needs a term). */
static int terms_left(const struct loan_account *acct, date_t d)
{
	if (acct->last_due == LOAN_NO_DATE)
		return 1;
	date_t from = acct->first_due != LOAN_NO_DATE && acct->first_due > d ? acct->first_due : d;
	int n = loans_fixed_months_left(from, acct->last_due);
	return n < 1 ? 1 : n;
}

/* Compute x's loss or gain with the rates offered on x->day, post it and
 * deliver its letter, and fill x (state, rate120, adjustment, entry_id,
 * letter_id); or, when the rates are not known, leave x waiting with the
 * missing figure. Returns 0 or -1 (store). */
static int compute_and_post(struct store_tx *tx, const struct params *p, struct loan_fixed_adjustment *x,
			    int64_t now, struct arena *a, struct err *e)
{
	struct loans_fixed_offer offer;
	struct err why;
	err_clear(&why);
	if (loans_fixed_offered(p, x->day, &offer, &why) != 0) {
		x->state = "waiting";
		x->missing = arena_printf(a, "%s", why.message);
		return 0;
	}
	int64_t rate120, adj;
	if (loans_fixed_comparison(&offer, x->months_left, &rate120, e) != 0 ||
	    loans_fixed_adjustment(x->amount, x->agreement_rate, rate120, x->months_left, x->pause_months, x->terms_left,
				   &adj, e) != 0)
		return -1;
	x->state = "posted";
	x->missing = NULL;
	x->rate120 = rate120;
	if (adj < 0) {
		/* A gain is deducted from the principal, never below 0: the
		 * ledger's check proves no debt is below 0. */
		int64_t principal;
		date_t through = x->day;
		if (ledger_balance_tx(tx, x->person_id, "loan.principal", through, &principal, e) != 0)
			return -1;
		if (-adj > principal)
			adj = principal > 0 ? -principal : 0;
	}
	x->adjustment = adj;
	x->entry_id = 0;
	if (adj != 0) {
		int64_t v = adj > 0 ? adj : -adj;
		struct ledger_leg loss[] = {{"loan.principal", v}, {"agency.interest-income", -v}};
		struct ledger_leg gain[] = {{"agency.interest-income", v}, {"loan.principal", -v}};
		struct ledger_entry en = {x->person_id, adj > 0 ? "fixed-rate-loss" : "fixed-rate-gain", x->cause, x->day,
					  2, adj > 0 ? loss : gain};
		if (ledger_post(tx, &en, &x->entry_id, e) != 0)
			return -1;
	}
	return mbox_deliver(tx, x->person_id, 0, "loan-fixed-rate", now, &x->letter_id, e);
}

int loans_fixed_on_extra_tx(struct store_tx *tx, const struct params *p, const struct loan_account *acct,
			    int64_t payment_id, int64_t extra, date_t on, int64_t now, enum loans_fixed_outcome *outcome,
			    int64_t *adjustment, struct err *e)
{
	*outcome = LOANS_FIXED_NONE;
	if (adjustment)
		*adjustment = 0;
	if (extra <= 0 || !acct->fixed_years || acct->fixed_from == LOAN_NO_DATE || on < acct->fixed_from ||
	    on > acct->fixed_until)
		return 0;
	struct arena a;
	arena_init(&a, 0);
	int months = loans_fixed_months_left(on, acct->fixed_until);
	struct loan_fixed_adjustment x = {
		.person_id = acct->person_id,
		.cause = arena_printf(&a, "payment:%lld", (long long)payment_id),
		.event = "extra-payment",
		.day = on,
		.amount = extra,
		.agreement_rate = acct->fixed_rate,
		.fixed_until = acct->fixed_until,
		.months_left = months > LOANS_FIXED_MAX_MONTHS ? LOANS_FIXED_MAX_MONTHS : months,
		.pause_months = pause_months(acct, on),
		.terms_left = terms_left(acct, on),
		.created_at = now,
	};
	int rc = -1;
	if (compute_and_post(tx, p, &x, now, &a, e) != 0 || store_loan_fixed_insert(tx, &x, NULL, e) != 0)
		goto out;
	*outcome = strcmp(x.state, "posted") == 0 ? LOANS_FIXED_POSTED : LOANS_FIXED_WAITING;
	if (adjustment)
		*adjustment = x.adjustment;
	if (*outcome == LOANS_FIXED_WAITING)
		log_info("loans: the fixed rate's loss or gain of payment %lld waits for %s", (long long)payment_id,
			 x.missing);
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

/* ---- ending the agreement ---- */

struct ending {
	const struct params *p;
	int64_t person_id;
	date_t today;
	int64_t now;
	const char *actor;
	struct loans_fixed_end_result r;
};

static int end_agreement(struct store_tx *tx, void *arg, struct err *e)
{
	struct ending *x = arg;
	struct arena a;
	struct loan_account acct;
	int rc = -1;
	arena_init(&a, 0);
	int got = store_loan_account_get_tx(tx, x->person_id, &acct, &a, e);
	if (got != 0) {
		if (got > 0)
			err_set(e, ERR_CONFLICT, "end", "you have no loan account");
		goto out;
	}
	/* A loan called in, handed over or written off has no plan left
	 * to leave (loans/later.h). */
	struct loan_status status;
	int closed = store_loan_status_get_tx(tx, x->person_id, &status, &a, e);
	if (closed < 0)
		goto out;
	if (closed == 0) {
		err_set(e, ERR_CONFLICT, "end", "the loan is %s", status.status);
		goto out;
	}
	date_t from = date_months_on(x->today, 1, 1);
	memset(&x->r, 0, sizeof(x->r));
	x->r.floating_from = from;
	if (!acct.fixed_years || acct.fixed_until < from) {
		err_set(e, ERR_CONFLICT, "end", "the loan has no fixed-rate agreement running into next month");
		goto out;
	}
	char object[32], detail[128], day[11];
	snprintf(object, sizeof(object), "person:%lld", (long long)x->person_id);
	if (acct.fixed_from >= from) {
		/* Chosen, not begun: cancelled, nothing to compensate. */
		acct.fixed_years = 0;
		acct.fixed_rate = 0;
		acct.fixed_from = LOAN_NO_DATE;
		acct.fixed_until = LOAN_NO_DATE;
		x->r.cancelled = 1;
		if (store_loan_account_put(tx, &acct, x->now, e) != 0)
			goto out;
		rc = audit_append(tx, x->now, x->actor, "loan.fixed-rate.end", object, "cancelled before it began", e);
		goto out;
	}
	int64_t principal;
	if (ledger_balance_tx(tx, x->person_id, "loan.principal", x->today, &principal, e) != 0)
		goto out;
	int months = loans_fixed_months_left(from, acct.fixed_until);
	struct loan_fixed_adjustment adj = {
		.person_id = x->person_id,
		.cause = arena_printf(&a, "fixed-rate-end:%lld:%s", (long long)x->person_id, date_format(from, day)),
		.event = "end",
		.day = from,
		.amount = principal,
		.agreement_rate = acct.fixed_rate,
		.fixed_until = acct.fixed_until,
		.months_left = months > LOANS_FIXED_MAX_MONTHS ? LOANS_FIXED_MAX_MONTHS : months,
		.pause_months = pause_months(&acct, from),
		.terms_left = terms_left(&acct, from),
		.created_at = x->now,
	};
	if (principal > 0) {
		if (compute_and_post(tx, x->p, &adj, x->now, &a, e) != 0)
			goto out;
		if (strcmp(adj.state, "posted") != 0) {
			err_set(e, ERR_CONFLICT, "rates", "the rates of new agreements from %s are not known yet: %s",
				date_format(from, day), adj.missing);
			goto out;
		}
		if (store_loan_fixed_insert(tx, &adj, NULL, e) != 0)
			goto out;
	}
	acct.fixed_until = from - 1;
	if (store_loan_account_put(tx, &acct, x->now, e) != 0)
		goto out;
	x->r.amount = principal > 0 ? principal : 0;
	x->r.months_left = adj.months_left;
	x->r.adjustment = adj.adjustment;
	x->r.letter_id = adj.letter_id;
	snprintf(detail, sizeof(detail), "floating from %s; %d months left; %lld øre on %lld øre",
		 date_format(from, day), adj.months_left, (long long)adj.adjustment, (long long)x->r.amount);
	rc = audit_append(tx, x->now, x->actor, "loan.fixed-rate.end", object, detail, e);
out:
	arena_cleanup(&a);
	return rc;
}

int loans_fixed_end(struct store *s, const struct params *p, const struct principal *who, date_t today, int64_t now,
		    struct loans_fixed_end_result *r, struct err *e)
{
	if (access_check_subject(s, who, ACT_LOAN_FIXED_RATE, "loan", now, e) != 0)
		return -1;
	char actor[64];
	struct ending x = {p, access_subject(who), today, now, access_actor(who, actor, sizeof(actor)), {0}};
	if (store_write(s, end_agreement, &x, e) != 0)
		return -1;
	if (r)
		*r = x.r;
	return 0;
}

/* ---- the waiting ones ---- */

struct settling {
	const struct params *p;
	int64_t id, now;
	int posted;
};

static int settle_one(struct store_tx *tx, void *arg, struct err *e)
{
	struct settling *x = arg;
	struct arena a;
	struct loan_fixed_adjustment adj;
	int rc = -1;
	arena_init(&a, 0);
	int got = store_loan_fixed_get_tx(tx, x->id, &adj, &a, e);
	if (got != 0 || strcmp(adj.state, "waiting") != 0) {
		rc = got < 0 ? -1 : 0;
		goto out;
	}
	if (compute_and_post(tx, x->p, &adj, x->now, &a, e) != 0)
		goto out;
	if (strcmp(adj.state, "posted") != 0) {
		rc = 0; /* still unknown */
		goto out;
	}
	if (store_loan_fixed_posted(tx, adj.id, adj.rate120, adj.adjustment, adj.entry_id, adj.letter_id, x->now, e) != 0)
		goto out;
	char object[32], detail[96], day[11];
	snprintf(object, sizeof(object), "person:%lld", (long long)adj.person_id);
	snprintf(detail, sizeof(detail), "%s on %s: %lld øre", adj.cause, date_format(adj.day, day),
		 (long long)adj.adjustment);
	rc = audit_append(tx, x->now, "system", "loan.fixed-rate.adjustment", object, detail, e);
	x->posted = rc == 0;
out:
	arena_cleanup(&a);
	return rc;
}

int loans_fixed_settle_waiting(struct store *s, const struct params *p, int64_t now, int *posted, struct err *e)
{
	struct arena a;
	struct loan_fixed_adjustment *w;
	int done = 0, rc = -1;
	arena_init(&a, 0);
	int n = store_loan_fixed_list(s, 0, &w, 200, &a, e);
	if (n < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		struct loans_fixed_offer offer;
		struct err why;
		if (loans_fixed_offered(p, w[i].day, &offer, &why) != 0)
			continue; /* not yet: the next run tries again */
		struct settling x = {p, w[i].id, now, 0};
		if (store_write(s, settle_one, &x, e) != 0)
			goto out;
		done += x.posted;
	}
	rc = 0;
	if (done > 0)
		log_info("loans: posted %d fixed-rate losses or gains that waited for the rates of their day", done);
out:
	arena_cleanup(&a);
	if (posted)
		*posted = done;
	return rc;
}

/* ---- what the borrower and the case workers read ---- */

static json_t *day_json(date_t d)
{
	char day[11];
	return d == LOAN_NO_DATE ? json_null() : json_string(date_format(d, day));
}

/* A comparison rate (1/120 thousandths) as "4,6015 %" (bokmål) or
 * "4.6015 %": four decimals, rounded half up. */
static json_t *rate120_text(int64_t rate120, enum lang lang)
{
	int64_t tenk = (rate120 * 10 + LOANS_FIXED_RATE_SCALE / 2) / LOANS_FIXED_RATE_SCALE;
	char out[32];
	snprintf(out, sizeof(out), "%lld%s%04lld %%", (long long)(tenk / 10000), lang == LANG_EN ? "." : ",",
		 (long long)(tenk % 10000));
	return json_string(out);
}

static json_t *rate_text(int32_t rate, enum lang lang)
{
	char out[32];
	snprintf(out, sizeof(out), "%d%s%03d %%", (int)(rate / 1000), lang == LANG_EN ? "." : ",", (int)(rate % 1000));
	return json_string(out);
}

static json_t *adjustment_json(const struct loan_fixed_adjustment *x, enum lang lang)
{
	int posted = strcmp(x->state, "posted") == 0;
	json_t *o = json_pack("{s:I,s:o,s:s,s:I,s:I,s:I,s:b,s:b,s:b,s:b,s:i,s:o,s:o}", "id", (json_int_t)x->id, "day",
			      day_json(x->day), "event", x->event, "amount", (json_int_t)x->amount, "adjustment",
			      (json_int_t)x->adjustment, "abs", (json_int_t)(x->adjustment < 0 ? -x->adjustment : x->adjustment),
			      "loss", posted && x->adjustment > 0, "gain", posted && x->adjustment < 0, "zero",
			      posted && x->adjustment == 0, "waiting", !posted, "months_left", x->months_left,
			      "agreement_text", rate_text(x->agreement_rate, lang), "fixed_until", day_json(x->fixed_until));
	json_object_set_new(o, "end", json_boolean(strcmp(x->event, "end") == 0));
	if (posted)
		json_object_set_new(o, "comparison_text", rate120_text(x->rate120, lang));
	if (x->letter_id)
		json_object_set_new(o, "letter_id", json_integer(x->letter_id));
	return o;
}

json_t *loans_fixed_list_json(struct store *s, int64_t person_id, enum lang lang, struct arena *a, struct err *e)
{
	struct loan_fixed_adjustment *x;
	int n = store_loan_fixed_list(s, person_id, &x, 24, a, e);
	if (n < 0)
		return NULL;
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, adjustment_json(&x[i], lang));
	return list;
}

json_t *loans_fixed_waiting_json(struct store *s, struct arena *a, struct err *e)
{
	struct loan_fixed_adjustment *x;
	int n = store_loan_fixed_list(s, 0, &x, 200, a, e);
	if (n < 0)
		return NULL;
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:I,s:I,s:o,s:I,s:s,s:s}", "id", (json_int_t)x[i].id, "person_id",
						      (json_int_t)x[i].person_id, "day", day_json(x[i].day), "amount",
						      (json_int_t)x[i].amount, "missing", x[i].missing ? x[i].missing : "",
						      "cause", x[i].cause));
	return list;
}

json_t *loans_fixed_letter(struct store *s, int64_t letter_id, enum lang lang, struct arena *a)
{
	struct loan_fixed_adjustment x;
	struct err e;
	if (store_loan_fixed_by_letter(s, letter_id, &x, a, &e) != 0)
		return NULL;
	return adjustment_json(&x, lang);
}
