/* months.c - months of payment deferral or interest relief on the loan
 * account: granted by a decision (loans_grant_months()), and taken back by
 * a later decision granting fewer (loans_withdraw_months()); see
 * account.h. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "loans/account.h"
#include "store/ledger.h"
#include "store/loans2.h"
#include "store/store.h"

/* ---- deferral and interest relief ---- */

struct granting {
	int64_t person_id;
	const char *kind, *cause;
	date_t from;
	int months;
	int64_t now;
};

static int grant_months(struct store_tx *tx, void *arg, struct err *e)
{
	struct granting *g = arg;
	struct arena a;
	struct loan_account acct;
	int rc = -1, extend = 0;
	arena_init(&a, 0);
	if (loans_account_tx(tx, g->person_id, &acct, &a, e) != 0)
		goto out;
	int relief = strcmp(g->kind, "relief") == 0, granted = 0;
	for (int i = 0; i < g->months; i++) {
		date_t m = date_months_on(g->from, i, 1);
		char ym[11];
		date_format(m, ym);
		ym[7] = '\0';
		int marked = store_loan_month_mark(tx, g->person_id, ym, g->kind, g->cause, g->now, e);
		if (marked < 0)
			goto out;
		if (marked > 0)
			continue; /* granted before */
		granted++;
		if (!relief) {
			/* A deferred term moves to the end of the plan. */
			if (acct.first_due != LOAN_NO_DATE && date_month_first(acct.first_due) <= m &&
			    m <= date_month_first(acct.last_due))
				extend++;
			continue;
		}
		/* Interest already charged for the month is cancelled now. */
		if (acct.interest_through != LOAN_NO_DATE && date_month_last(m) <= acct.interest_through) {
			char icause[32], rcause[32];
			int64_t charged;
			snprintf(icause, sizeof(icause), "interest:%s", ym);
			snprintf(rcause, sizeof(rcause), "relief:%s", ym);
			if (store_ledger_cause_sum_tx(tx, g->person_id, icause, "loan.interest", &charged, e) != 0)
				goto out;
			if (charged > 0) {
				struct ledger_leg legs[] = {{"agency.interest-income", charged}, {"loan.interest", -charged}};
				struct ledger_entry en = {g->person_id, "relief", rcause, date_month_last(m), 2, legs};
				if (ledger_post(tx, &en, NULL, e) != 0)
					goto out;
			}
		}
	}
	if (extend > 0) {
		acct.last_due = date_months_on(acct.last_due, extend, LOANS_DUE_DAY);
		if (store_loan_account_put(tx, &acct, g->now, e) != 0)
			goto out;
	}
	rc = 0;
	if (granted > 0) { /* the job runs again: only a month newly granted is news */
		char object[32], detail[96], day[11];
		snprintf(object, sizeof(object), "person:%lld", (long long)g->person_id);
		snprintf(detail, sizeof(detail), "%d months from %.7s by %.40s", g->months, date_format(g->from, day),
			 g->cause);
		rc = audit_append(tx, g->now, "system", relief ? "loan.relief" : "loan.deferral", object, detail, e);
	}
out:
	arena_cleanup(&a);
	return rc;
}

int loans_grant_months(struct store *s, int64_t person_id, const char *kind, date_t from, int months,
		       const char *cause, int64_t now, struct err *e)
{
	if (kind == NULL || (strcmp(kind, "deferral") != 0 && strcmp(kind, "relief") != 0))
		return err_set(e, ERR_INVALID, "kind", "deferral or relief");
	if (months < 1 || months > 36)
		return err_set(e, ERR_INVALID, "months", "1 to 36 months");
	if (cause == NULL || cause[0] == '\0')
		return err_set(e, ERR_INVALID, "cause", "the decision that grants it");
	struct granting g = {person_id, kind, cause, date_month_first(from), months, now};
	return store_write(s, grant_months, &g, e);
}

/* ---- a lower decision takes months back ---- */

struct withdrawing {
	int64_t person_id, case_id;
	const char *kind;
	date_t from, today;
	int64_t now;
	int taken;
};

static int withdraw_months(struct store_tx *tx, void *arg, struct err *e)
{
	struct withdrawing *w = arg;
	struct arena a;
	struct loan_account acct;
	int rc = -1, shorten = 0;
	arena_init(&a, 0);
	if (loans_account_tx(tx, w->person_id, &acct, &a, e) != 0)
		goto out;
	char from[11], months[36][8];
	date_format(w->from, from);
	from[7] = '\0';
	int n = store_loan_case_months_tx(tx, w->person_id, w->kind, w->case_id, from, months, 36, e);
	if (n < 0)
		goto out;
	int relief = strcmp(w->kind, "relief") == 0;
	/* A posting now: on today, or the day after the interest already
	 * posted when that is later (as a payment is). */
	date_t on = acct.interest_through != LOAN_NO_DATE && acct.interest_through >= w->today ? acct.interest_through + 1
											       : w->today;
	for (int i = 0; i < n; i++) {
		char day[11];
		date_t m;
		snprintf(day, sizeof(day), "%.7s-01", months[i]);
		if (date_parse(day, &m) != 0)
			continue;
		if (!relief) {
			/* A deferred month that has begun has had its term
			 * left out: it stays deferred. */
			if (m <= date_month_first(w->today))
				continue;
			if (acct.first_due != LOAN_NO_DATE && date_month_first(acct.first_due) <= m &&
			    m <= date_month_first(acct.last_due))
				shorten++;
		} else {
			/* The relief in force for the month (cancelled
			 * interest, less any withdrawn before) is charged
			 * again. */
			char rcause[32], wcause[40];
			int64_t cancelled, restored;
			snprintf(rcause, sizeof(rcause), "relief:%.7s", months[i]);
			snprintf(wcause, sizeof(wcause), "relief-withdrawn:%.7s", months[i]);
			if (store_ledger_cause_sum_tx(tx, w->person_id, rcause, "loan.interest", &cancelled, e) != 0 ||
			    store_ledger_cause_sum_tx(tx, w->person_id, wcause, "loan.interest", &restored, e) != 0)
				goto out;
			int64_t net = -cancelled - restored;
			if (net > 0) {
				struct ledger_leg legs[] = {{"loan.interest", net}, {"agency.interest-income", -net}};
				struct ledger_entry en = {w->person_id, "relief", wcause, on, 2, legs};
				if (ledger_post(tx, &en, NULL, e) != 0)
					goto out;
			}
		}
		if (store_loan_month_unmark(tx, w->person_id, months[i], w->kind, e) != 0)
			goto out;
		w->taken++;
	}
	if (shorten > 0) {
		acct.last_due = date_months_on(acct.last_due, -shorten, LOANS_DUE_DAY);
		if (store_loan_account_put(tx, &acct, w->now, e) != 0)
			goto out;
	}
	rc = 0;
	if (w->taken > 0) {
		char object[32], detail[96];
		snprintf(object, sizeof(object), "person:%lld", (long long)w->person_id);
		snprintf(detail, sizeof(detail), "%d months from %s taken back (case %lld)", w->taken, from,
			 (long long)w->case_id);
		rc = audit_append(tx, w->now, "system", relief ? "loan.relief.withdrawn" : "loan.deferral.withdrawn", object,
				  detail, e);
	}
out:
	arena_cleanup(&a);
	return rc;
}

int loans_withdraw_months(struct store *s, int64_t person_id, int64_t case_id, const char *kind, date_t from,
			  date_t today, int64_t now, int *taken, struct err *e)
{
	if (kind == NULL || (strcmp(kind, "deferral") != 0 && strcmp(kind, "relief") != 0))
		return err_set(e, ERR_INVALID, "kind", "deferral or relief");
	struct withdrawing w = {person_id, case_id, kind, date_month_first(from), today, now, 0};
	if (store_write(s, withdraw_months, &w, e) != 0)
		return -1;
	if (taken)
		*taken = w.taken;
	return 0;
}
