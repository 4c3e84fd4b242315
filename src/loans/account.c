/* account.c - the loan account after the studies: support ended, the
 * monthly run (interest, invoices), payments booked by KID, the fixed rate;
 * see account.h for the rules and their sources.
 *
 * Each account's month is one transaction: its interest entry, the new
 * interest_through, its invoice, fee and letter commit together, so a run
 * killed half-way leaves every account either before or after its month,
 * and the next run goes on from there. */
#include "loans/account.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "ledger/ledger.h"
#include "loans/fixedpost.h"
#include "loans/interest.h"
#include "loans/repayment.h"
#include "loans/resolve.h"
#include "mailbox/mailbox.h"
#include "rules/params.h"
#include "store/ledger.h"
#include "store/loans2.h"
#include "store/loans_bulk.h"
#include "store/store.h"

/* ---- dates ---- */

/* Whole months from a's month to b's: 0 for the same month. */
static int months_between(date_t a, date_t b)
{
	int y1, m1, d1, y2, m2, d2;
	date_to_ymd(a, &y1, &m1, &d1);
	date_to_ymd(b, &y2, &m2, &d2);
	return (y2 * 12 + m2) - (y1 * 12 + m1);
}

int loans_account_tx(struct store_tx *tx, int64_t person_id, struct loan_account *acct, struct arena *a,
		     struct err *e)
{
	int got = store_loan_account_get_tx(tx, person_id, acct, a, e);
	if (got > 0)
		err_set(e, ERR_CONFLICT, "person_id", "the person has no loan account");
	return got == 0 ? 0 : -1;
}

/* ---- the rate ---- */

int loans_rate_on(const struct params *p, const struct loan_account *acct, date_t d, int32_t *rate, struct err *e)
{
	if (acct->fixed_years && acct->fixed_from <= d && d <= acct->fixed_until) {
		*rate = acct->fixed_rate;
		return 0;
	}
	const struct param *v = params_get(p, "loan.rate.floating", d);
	if (v == NULL) {
		char day[11];
		return err_set(e, ERR_CONFLICT, "loan.rate.floating", "loan.rate.floating %s", date_format(d, day));
	}
	*rate = (int32_t)v->value;
	return 0;
}

struct rate_ctx {
	const struct params *p;
	const struct loan_account *acct;
};

static int rate_fn(void *ctx, date_t d, int32_t *rate, struct err *e)
{
	struct rate_ctx *c = ctx;
	return loans_rate_on(c->p, c->acct, d, rate, e);
}

/* ---- opening, payouts, support ended ---- */

int loans_account_ensure(struct store_tx *tx, int64_t person_id, int64_t now, struct err *e)
{
	struct arena a;
	struct loan_account acct;
	arena_init(&a, 0);
	int rc = store_loan_account_get_tx(tx, person_id, &acct, &a, e);
	arena_cleanup(&a);
	if (rc <= 0)
		return rc;
	char kid[LOANS_KID_LEN + 1];
	if (loans_kid(person_id, kid) != 0)
		return err_set(e, ERR_INVALID, "person_id", "no KID for person %lld", (long long)person_id);
	struct loan_account n = {.person_id = person_id,
				 .kid = kid,
				 .support_ended = LOAN_NO_DATE,
				 .interest_through = LOAN_NO_DATE,
				 .fixed_from = LOAN_NO_DATE,
				 .fixed_until = LOAN_NO_DATE,
				 .first_due = LOAN_NO_DATE,
				 .last_due = LOAN_NO_DATE};
	return store_loan_account_put(tx, &n, now, e);
}

int loans_disburse(struct store_tx *tx, int64_t person_id, int64_t amount, const char *cause, date_t on, int64_t now,
		   struct err *e)
{
	if (amount <= 0)
		return err_set(e, ERR_INVALID, "amount", "a payout is more than 0 øre");
	struct ledger_leg legs[] = {{"loan.principal", amount}, {"agency.bank", -amount}};
	struct ledger_entry en = {person_id, "disbursement", cause, on, 2, legs};
	if (loans_account_ensure(tx, person_id, now, e) != 0)
		return -1;
	return ledger_post(tx, &en, NULL, e);
}

struct ended {
	int64_t person_id;
	date_t last_day, birth;
	int64_t now;
};

static int record_ended(struct store_tx *tx, void *arg, struct err *e)
{
	struct ended *x = arg;
	struct arena a;
	struct loan_account acct;
	int rc = -1;
	arena_init(&a, 0);
	if (loans_account_ensure(tx, x->person_id, x->now, e) != 0 ||
	    store_loan_account_get_tx(tx, x->person_id, &acct, &a, e) != 0)
		goto out;
	if (acct.support_ended != LOAN_NO_DATE) {
		err_set(e, ERR_CONFLICT, "support_ended", "support had already ended for this account");
		goto out;
	}
	acct.support_ended = x->last_day;
	acct.interest_through = x->last_day;
	acct.first_due = date_months_on(x->last_day, LOANS_PAUSE_MONTHS, LOANS_DUE_DAY);
	int terms = LOANS_PLAN_MAX_YEARS * 12;
	date_t seventy = date_months_on(x->birth, LOANS_LAST_AGE * 12, 1);
	int before_seventy = months_between(acct.first_due, seventy); /* terms in the months before */
	if (before_seventy < terms)
		terms = before_seventy < 1 ? 1 : before_seventy;
	acct.last_due = date_months_on(acct.first_due, terms - 1, LOANS_DUE_DAY);
	if (store_loan_account_put(tx, &acct, x->now, e) != 0)
		goto out;
	char object[32], detail[96], day[11], first[11], last[11];
	snprintf(object, sizeof(object), "person:%lld", (long long)x->person_id);
	snprintf(detail, sizeof(detail), "support ended %s; terms %s..%s", date_format(x->last_day, day),
		 date_format(acct.first_due, first), date_format(acct.last_due, last));
	rc = audit_append(tx, x->now, "system", "loan.support-ended", object, detail, e);
out:
	arena_cleanup(&a);
	return rc;
}

int loans_support_ended(struct store *s, int64_t person_id, date_t last_day, int64_t now, struct err *e)
{
	struct arena a;
	struct person p;
	/* The person's birth date bounds the plan: repaid before 70. */
	arena_init(&a, 0);
	int got = store_person_get(s, person_id, &p, &a, e);
	arena_cleanup(&a);
	if (got != 0)
		return got > 0 ? err_set(e, ERR_NOT_FOUND, "person_id", "no such person") : -1;
	struct ended x = {person_id, last_day, p.birth_date, now};
	return store_write(s, record_ended, &x, e);
}

/* ---- the monthly run ---- */

struct month_run {
	const struct params *p;
	int64_t person_id;
	date_t through;
	int64_t now;
	struct loans_run_summary *sum;
	int waiting; /* set when a rate was missing */
};

/* Post the interest of each whole month ended by through. */
static int post_interest(struct store_tx *tx, struct month_run *r, struct loan_account *acct, struct arena *a,
			 struct err *e)
{
	struct rate_ctx rc = {r->p, acct};
	while (acct->interest_through != LOAN_NO_DATE) {
		date_t from = acct->interest_through + 1;
		date_t to = date_month_last(from);
		if (to > r->through)
			return 0;
		int64_t opening, interest;
		struct ledger_day *days;
		int n = store_ledger_person_days_tx(tx, r->person_id, from, to, &opening, &days, a, e);
		if (n < 0)
			return -1;
		struct loans_change *ch = arena_zalloc(a, sizeof(*ch) * (size_t)(n > 0 ? n : 1));
		for (int i = 0; i < n; i++)
			ch[i] = (struct loans_change){days[i].day, days[i].amount};
		struct err why;
		err_clear(&why);
		if (loans_interest(opening, ch, n, from, to, rate_fn, &rc, &interest, &why) != 0) {
			if (why.code != ERR_CONFLICT) {
				*e = why;
				return -1;
			}
			r->waiting = 1;
			if (r->sum->missing_rate[0] == '\0')
				snprintf(r->sum->missing_rate, sizeof(r->sum->missing_rate), "%.63s", why.message);
			return 0;
		}
		if (interest > 0) {
			char cause[32], ym[11];
			date_format(to, ym);
			ym[7] = '\0';
			snprintf(cause, sizeof(cause), "interest:%s", ym);
			struct ledger_leg legs[] = {{"loan.interest", interest}, {"agency.interest-income", -interest}};
			struct ledger_entry en = {r->person_id, "interest", cause, to, 2, legs};
			if (ledger_post(tx, &en, NULL, e) != 0)
				return -1;
			r->sum->interest_entries++;
			r->sum->interest += interest;
			/* A month of interest relief: the month's interest is
			 * cancelled as it is charged. */
			int relief = store_loan_month_marked_tx(tx, r->person_id, ym, "relief", e);
			if (relief < 0)
				return -1;
			if (relief) {
				char rcause[32];
				snprintf(rcause, sizeof(rcause), "relief:%s", ym);
				struct ledger_leg rl[] = {{"agency.interest-income", interest}, {"loan.interest", -interest}};
				struct ledger_entry re = {r->person_id, "relief", rcause, to, 2, rl};
				if (ledger_post(tx, &re, NULL, e) != 0)
					return -1;
			}
		}
		acct->interest_through = to;
	}
	return 0;
}

/* The unpaid rest of the open invoices, and how many there are. */
static int open_rest(struct store_tx *tx, int64_t person_id, int64_t *rest, struct arena *a, struct err *e)
{
	struct loan_invoice *open;
	int n = store_loan_invoices_open_tx(tx, person_id, &open, 240, a, e);
	if (n < 0)
		return -1;
	*rest = 0;
	for (int i = 0; i < n; i++)
		*rest += open[i].amount + open[i].fee - open[i].paid;
	return 0;
}

/* Make each invoice whose due month has begun by through. */
static int make_invoices(struct store_tx *tx, struct month_run *r, struct loan_account *acct, struct arena *a,
			 struct err *e)
{
	if (acct->first_due == LOAN_NO_DATE)
		return 0;
	/* The due day the borrower chose (5th, 15th or 25th), for the
	 * invoices made from now on (loans/later.h). */
	int due_day = LOANS_DUE_DAY;
	if (store_loan_due_day_tx(tx, r->person_id, &due_day, e) < 0)
		return -1;
	for (;;) {
		date_t latest, due;
		int got = store_loan_invoice_latest_tx(tx, r->person_id, &latest, e);
		if (got < 0)
			return -1;
		due = got == 1 ? date_months_on(acct->first_due, 0, due_day) : date_months_on(latest, 1, due_day);
		/* A deferred month has no term: the next month's is due. */
		for (int guard = 0; guard < 1200; guard++) {
			char ym[11];
			date_format(due, ym);
			ym[7] = '\0';
			int deferred = store_loan_month_marked_tx(tx, r->person_id, ym, "deferral", e);
			if (deferred < 0)
				return -1;
			if (!deferred)
				break;
			due = date_months_on(due, 1, due_day);
		}
		date_t issue = date_month_first(due);
		/* The invoice needs the month before with its interest. */
		if (issue > r->through || acct->interest_through == LOAN_NO_DATE || acct->interest_through < issue - 1)
			return 0;
		int64_t debt, rest, interest_owed;
		if (ledger_balance_tx(tx, r->person_id, NULL, issue - 1, &debt, e) != 0 ||
		    ledger_balance_tx(tx, r->person_id, "loan.interest", issue - 1, &interest_owed, e) != 0 ||
		    open_rest(tx, r->person_id, &rest, a, e) != 0)
			return -1;
		int64_t base = debt - rest;
		if (base <= 0)
			return 0; /* nothing left to invoice: repaid, or all invoiced */
		int terms_left = due > acct->last_due ? 1 : months_between(due, acct->last_due) + 1;
		int32_t rate;
		struct err why;
		err_clear(&why);
		if (loans_rate_on(r->p, acct, due, &rate, &why) != 0) {
			r->waiting = 1;
			if (r->sum->missing_rate[0] == '\0')
				snprintf(r->sum->missing_rate, sizeof(r->sum->missing_rate), "%.63s", why.message);
			return 0;
		}
		int64_t term;
		if (loans_term_payment(base, rate, terms_left, 12, &term, e) != 0)
			return -1;
		/* A write-off at disability may fix the term amount (the
		 * table's "Nytt terminbeløp", loans/disability.h). */
		int64_t fixed_term = acct->fixed_term;
		if (fixed_term > 0)
			term = fixed_term;
		/* The term's interest is what the plan's arithmetic charges; the
		 * ledger's daily interest comes on top in the last invoices. The
		 * last term is the debt not yet invoiced, exactly; a fixed term
		 * runs until the debt is repaid, the plan's last due day making
		 * no lump of the rest. */
		int64_t amount = (terms_left == 1 && fixed_term <= 0) || term > base ? base : term;
		/* eFaktura or AvtaleGiro (loans/later.h): the invoice goes to
		 * the bank, and costs no paper fee. */
		const char *giro = NULL;
		int has_giro = store_loan_giro_kind_tx(tx, r->person_id, &giro, e);
		if (has_giro < 0)
			return -1;
		int64_t fee = 0;
		if (acct->paper && has_giro != 0) {
			const struct param *f = r->p ? params_get(r->p, "loan.invoice.paper_fee", issue) : NULL;
			fee = f ? f->value : 0;
		}
		int64_t ipart = interest_owed < 0 ? 0 : interest_owed > amount ? amount : interest_owed;
		struct loan_invoice inv = {.person_id = r->person_id,
					   .due = due,
					   .amount = amount,
					   .interest = ipart,
					   .principal = amount - ipart,
					   .fee = fee,
					   .kid = acct->kid,
					   .created_at = r->now};
		int64_t id, letter;
		if (store_loan_invoice_insert(tx, &inv, &id, e) != 0 ||
		    (has_giro == 0 && store_loan_invoice_channel_insert(tx, id, giro, e) != 0))
			return -1;
		if (fee > 0) {
			char cause[32];
			snprintf(cause, sizeof(cause), "invoice:%lld", (long long)id);
			struct ledger_leg legs[] = {{"loan.principal", fee}, {"agency.fees", -fee}};
			struct ledger_entry en = {r->person_id, "fee", cause, issue, 2, legs};
			if (ledger_post(tx, &en, NULL, e) != 0)
				return -1;
		}
		if (mbox_deliver(tx, r->person_id, 0, "loan-invoice", r->now, &letter, e) != 0 ||
		    store_loan_invoice_set_letter(tx, id, letter, e) != 0)
			return -1;
		r->sum->invoices++;
		r->sum->invoiced += amount;
	}
}

/* Reminders of the invoices left unpaid (the agency's page "Purringer"):
 * the reminder the day after the due day, with its fee
 * (loan.reminder.fee_1); the notice of termination when the reminder's
 * deadline has passed (loan.reminder.deadline_days after it, inkassoloven
 * § 9), with its fee (loan.reminder.fee_2). Each a letter in the mailbox
 * and a "fee" entry. Calling the loan in is a case worker's decision. */
static int send_reminders(struct store_tx *tx, struct month_run *r, struct arena *a, struct err *e)
{
	struct loan_invoice *open;
	int n = store_loan_invoices_open_tx(tx, r->person_id, &open, 240, a, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct loan_invoice *v = &open[i];
		int next = v->reminders + 1;
		date_t day;
		if (next == 1) {
			day = v->due + 1;
		} else if (next == 2 && v->reminded_at != LOAN_NO_DATE) {
			const struct param *dl = r->p ? params_get(r->p, "loan.reminder.deadline_days", v->reminded_at) : NULL;
			if (dl == NULL)
				continue; /* the deadline is not known: no notice */
			day = v->reminded_at + (date_t)dl->value;
		} else {
			continue;
		}
		if (day > r->through)
			continue;
		const struct param *f =
			r->p ? params_get(r->p, next == 1 ? "loan.reminder.fee_1" : "loan.reminder.fee_2", day) : NULL;
		int64_t fee = f ? f->value : 0, letter;
		if (fee > 0) {
			char cause[48];
			snprintf(cause, sizeof(cause), "reminder:%lld:%d", (long long)v->id, next);
			struct ledger_leg legs[] = {{"loan.principal", fee}, {"agency.fees", -fee}};
			struct ledger_entry en = {r->person_id, "fee", cause, day, 2, legs};
			if (ledger_post(tx, &en, NULL, e) != 0)
				return -1;
		}
		if (mbox_deliver(tx, r->person_id, 0, next == 1 ? "loan-reminder" : "loan-termination-notice", r->now,
				 &letter, e) != 0 ||
		    store_loan_invoice_remind(tx, v->id, next, day, fee, letter, e) != 0)
			return -1;
		r->sum->reminders++;
	}
	return 0;
}

static int run_account(struct store_tx *tx, void *arg, struct err *e)
{
	struct month_run *r = arg;
	struct arena a;
	struct loan_account acct;
	int rc = -1;
	arena_init(&a, 0);
	r->waiting = 0;
	int got = store_loan_account_get_tx(tx, r->person_id, &acct, &a, e);
	if (got != 0) {
		rc = got > 0 ? 0 : -1;
		goto out;
	}
	date_t was = acct.interest_through;
	/* A loan called in or handed over is no longer invoiced or reminded
	 * of; a debt written off on death has no interest either
	 * (loans/later.h). */
	struct loan_status status;
	int open = store_loan_status_get_tx(tx, r->person_id, &status, &a, e);
	int deceased = open == 0 && strcmp(status.status, "deceased") == 0;
	if (open < 0 || (!deceased && post_interest(tx, r, &acct, &a, e) != 0) ||
	    (open == 1 && (make_invoices(tx, r, &acct, &a, e) != 0 || send_reminders(tx, r, &a, e) != 0)))
		goto out;
	rc = acct.interest_through != was ? store_loan_account_put(tx, &acct, r->now, e) : 0;
	/* #11, speed: the next month's sums start from the balances here. */
	if (rc == 0 && acct.interest_through != was)
		rc = store_loan_balance_mark(tx, r->person_id, acct.interest_through, e);
out:
	arena_cleanup(&a);
	return rc;
}

/* The run takes the accounts a page at a time, and each page is one
 * transaction of the store's writer (one commit, one fsync): per account
 * transactions handed over between threads spent more on the hand-over
 * than on the account, and a savepoint per account within the page costs
 * as much again (SQLite journals every page it touches anew). The page is
 * small: each statement within the writer's savepoint ends by truncating
 * the in-memory sub-journal, which walks it from its start, so the cost of
 * a statement grows with the pages the transaction touched before it (64
 * accounts cost a fifth of 512 in CPU, measured at the third year of
 * bench/loans.sh; 8 to 64 cost the same). So a page is
 * tried whole; when one of its accounts fails, the page is undone and run
 * again an account a transaction, so that only that account fails. */
enum { RUN_PAGE = 64 };

struct run_page {
	const struct params *p;
	date_t through;
	int64_t now;
	const int64_t *ids;
	int n;
	struct loans_run_summary sum;
};

static int run_page_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct run_page *pg = arg;
	for (int i = 0; i < pg->n; i++) {
		struct month_run r = {pg->p, pg->ids[i], pg->through, pg->now, &pg->sum, 0};
		pg->sum.accounts++;
		if (run_account(tx, &r, e) != 0)
			return -1;
		if (r.waiting)
			pg->sum.waiting_for_rate++;
	}
	return 0;
}

/* The page an account a transaction, after the page failed whole. Returns
 * -1 only when the store failed. */
static int run_page_alone(struct store *s, struct run_page *pg, struct err *e)
{
	struct loans_run_summary *sum = &pg->sum;
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < pg->n; i++) {
		struct month_run r = {pg->p, pg->ids[i], pg->through, pg->now, sum, 0};
		struct loans_run_summary before = *sum;
		struct err ae;
		err_clear(&ae);
		sum->accounts++;
		if (store_write(s, run_account, &r, &ae) != 0) {
			/* Undone: the figures of the undone work go too. */
			int accounts = sum->accounts;
			char missing[64];
			memcpy(missing, sum->missing_rate, sizeof(missing));
			*sum = before;
			sum->accounts = accounts;
			memcpy(sum->missing_rate, missing, sizeof(missing));
			sum->failed++;
			log_error("loans: account of %lld: %s", (long long)pg->ids[i], ae.message);
			if (ae.code == ERR_STORE) {
				*e = ae;
				return -1;
			}
			continue;
		}
		if (r.waiting)
			sum->waiting_for_rate++;
	}
	return 0;
}

int loans_run(struct store *s, const struct params *p, date_t through, int64_t now, struct loans_run_summary *sum,
	      struct err *e)
{
	int64_t ids[RUN_PAGE], after = 0;
	memset(sum, 0, sizeof(*sum));
	/* Whose support has ended by their decisions: in repayment from now. */
	if (loans_support_ends(s, through, now, &sum->later, e) != 0)
		return -1;
	/* #11: the fixed rate's losses and gains that waited for the rates
	 * of their day, posted once the parameters hold them. */
	if (loans_fixed_settle_waiting(s, p, now, NULL, e) != 0)
		return -1;
	for (;;) {
		int n = store_loan_accounts_repaying(s, after, ids, RUN_PAGE, e);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		after = ids[n - 1];
		struct run_page pg = {.p = p, .through = through, .now = now, .ids = ids, .n = n};
		struct err pe;
		if (store_write(s, run_page_tx, &pg, &pe) != 0 && run_page_alone(s, &pg, e) != 0)
			return -1;
		sum->accounts += pg.sum.accounts;
		sum->interest_entries += pg.sum.interest_entries;
		sum->interest += pg.sum.interest;
		sum->invoices += pg.sum.invoices;
		sum->invoiced += pg.sum.invoiced;
		sum->reminders += pg.sum.reminders;
		sum->waiting_for_rate += pg.sum.waiting_for_rate;
		sum->failed += pg.sum.failed;
		if (sum->missing_rate[0] == '\0' && pg.sum.missing_rate[0] != '\0')
			memcpy(sum->missing_rate, pg.sum.missing_rate, sizeof(sum->missing_rate));
	}
	/* The notices left unpaid: call-in, then the collection agency. */
	return loans_collection(s, p, through, now, &sum->later, e);
}

/* ---- payments ---- */

struct booking {
	const struct loan_payment *p;
	int64_t now;
	enum loans_payment_outcome outcome;
	/* #11, the fixed rate's loss or gain on an extra payment
	 * (loans/fixedpost.h): the rates of new agreements, and what
	 * became of the computation. */
	const struct params *params;
	enum loans_fixed_outcome fixed;
};

static int book(struct store_tx *tx, void *arg, struct err *e)
{
	struct booking *b = arg;
	struct arena a;
	struct loan_account acct;
	int64_t id, person = 0, entry = 0;
	int rc = -1;
	arena_init(&a, 0);
	int ins = store_loan_payment_insert(tx, b->p, &id, e);
	if (ins != 0) {
		b->outcome = LOANS_PAYMENT_DUPLICATE;
		rc = ins > 0 ? 0 : -1;
		goto out;
	}
	int got = b->p->kid ? store_loan_account_by_kid_tx(tx, b->p->kid, &person, e) : 1;
	if (got < 0)
		goto out;
	if (got > 0 || store_loan_account_get_tx(tx, person, &acct, &a, e) != 0) {
		b->outcome = LOANS_PAYMENT_UNKNOWN_KID;
		/* Stays unmatched, for the case workers' queue; the money is in
		 * the bank, on agency.suspense until resolved (loans/resolve.h). */
		rc = loans_payment_suspend(tx, id, 0, b->p->amount, b->p->booked, e);
		goto out;
	}
	/* Interest already posted for a day counts the balance of that day:
	 * a payment booked within such a month counts from the day after. */
	date_t on = b->p->booked;
	if (acct.interest_through != LOAN_NO_DATE && on <= acct.interest_through)
		on = acct.interest_through + 1;
	int64_t debt, interest;
	if (ledger_balance_tx(tx, person, NULL, on, &debt, e) != 0 ||
	    ledger_balance_tx(tx, person, "loan.interest", on, &interest, e) != 0)
		goto out;
	if (b->p->amount > debt) {
		b->outcome = LOANS_PAYMENT_OVERPAID;
		rc = loans_payment_suspend(tx, id, person, b->p->amount, b->p->booked, e);
		goto out;
	}
	int64_t to_interest = interest < 0 ? 0 : interest < b->p->amount ? interest : b->p->amount;
	int64_t to_principal = b->p->amount - to_interest;
	struct ledger_leg legs[3];
	int n = 0;
	legs[n++] = (struct ledger_leg){"agency.bank", b->p->amount};
	if (to_interest > 0)
		legs[n++] = (struct ledger_leg){"loan.interest", -to_interest};
	if (to_principal > 0)
		legs[n++] = (struct ledger_leg){"loan.principal", -to_principal};
	char cause[32];
	snprintf(cause, sizeof(cause), "payment:%lld", (long long)id);
	struct ledger_entry en = {person, "payment", cause, on, n, legs};
	if (ledger_post(tx, &en, &entry, e) != 0)
		goto out;
	/* The open invoices, oldest first; the rest is an extra payment. */
	struct loan_invoice *open;
	int k = store_loan_invoices_open_tx(tx, person, &open, 240, &a, e);
	if (k < 0)
		goto out;
	int64_t left = b->p->amount;
	for (int i = 0; i < k && left > 0; i++) {
		int64_t want = open[i].amount + open[i].fee - open[i].paid;
		int64_t take = want < left ? want : left;
		if (store_loan_invoice_add_paid(tx, open[i].id, take, b->p->booked, e) != 0)
			goto out;
		left -= take;
	}
	/* #11: what is left is an extra payment; within a fixed-rate
	 * agreement it has its interest loss or gain, in this transaction. */
	if (left > 0 &&
	    loans_fixed_on_extra_tx(tx, b->params, &acct, id, left, on, b->now, &b->fixed, NULL, e) != 0)
		goto out;
	if (store_loan_payment_settle(tx, id, person, "matched", entry, e) != 0)
		goto out;
	b->outcome = LOANS_PAYMENT_MATCHED;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

int loans_book_payment(struct store *s, const struct params *params, const struct loan_payment *p, int64_t now,
		       enum loans_payment_outcome *outcome, struct err *e)
{
	if (p->amount <= 0 || p->bank_ref == NULL || p->bank_ref[0] == '\0')
		return err_set(e, ERR_INVALID, "payment", "a payment has a reference and an amount above 0");
	struct booking b = {p, now, LOANS_PAYMENT_DUPLICATE, params, LOANS_FIXED_NONE};
	if (store_write(s, book, &b, e) != 0)
		return -1;
	*outcome = b.outcome;
	return 0;
}

/* A report's credits a page to a transaction (one commit for the page,
 * not one for each credit; small for the reason RUN_PAGE is); a page in
 * which a credit fails is undone and booked again a credit a transaction,
 * so that only that credit fails. */
enum { BOOK_PAGE = 64 };

struct book_page {
	struct loan_payment *pays;
	enum loans_payment_outcome *outcomes;
	int n;
	int64_t now;
	const struct params *params;
	enum loans_fixed_outcome *fixed;
};

static int book_page_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct book_page *pg = arg;
	for (int i = 0; i < pg->n; i++) {
		struct booking b = {&pg->pays[i], pg->now, LOANS_PAYMENT_DUPLICATE, pg->params, LOANS_FIXED_NONE};
		if (book(tx, &b, e) != 0)
			return -1;
		pg->outcomes[i] = b.outcome;
		pg->fixed[i] = b.fixed;
	}
	return 0;
}

int loans_import_camt054(struct store *s, const struct params *params, const char *xml, size_t len, int64_t now,
			 struct loans_import_summary *sum, struct err *e)
{
	struct arena a;
	struct loan_payment *pays;
	int rc = -1;
	memset(sum, 0, sizeof(*sum));
	arena_init(&a, 0);
	int n = loans_camt054_parse(xml, len, &pays, &a, e);
	if (n < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		pays[i].received_at = now;
		if (pays[i].amount <= 0 || pays[i].bank_ref == NULL || pays[i].bank_ref[0] == '\0') {
			err_set(e, ERR_INVALID, "payment", "a payment has a reference and an amount above 0");
			goto out;
		}
	}
	enum loans_payment_outcome *outcomes = arena_zalloc(&a, sizeof(*outcomes) * (size_t)(n > 0 ? n : 1));
	enum loans_fixed_outcome *fixed = arena_zalloc(&a, sizeof(*fixed) * (size_t)(n > 0 ? n : 1));
	for (int at = 0; at < n; at += BOOK_PAGE) {
		struct book_page pg = {pays + at, outcomes + at, n - at < BOOK_PAGE ? n - at : BOOK_PAGE, now, params,
				       fixed + at};
		struct err pe;
		if (store_write(s, book_page_tx, &pg, &pe) != 0) {
			for (int i = 0; i < pg.n; i++) {
				struct booking b = {&pg.pays[i], now, LOANS_PAYMENT_DUPLICATE, params, LOANS_FIXED_NONE};
				if (store_write(s, book, &b, e) != 0)
					goto out;
				pg.outcomes[i] = b.outcome;
				pg.fixed[i] = b.fixed;
			}
		}
		for (int i = 0; i < pg.n; i++) {
			sum->fixed_rate_posted += pg.fixed[i] == LOANS_FIXED_POSTED;
			sum->fixed_rate_waiting += pg.fixed[i] == LOANS_FIXED_WAITING;
			sum->credits++;
			switch (pg.outcomes[i]) {
			case LOANS_PAYMENT_MATCHED:
				sum->matched++;
				sum->matched_ore += pg.pays[i].amount;
				break;
			case LOANS_PAYMENT_DUPLICATE: sum->duplicates++; break;
			case LOANS_PAYMENT_UNKNOWN_KID: sum->unknown_kid++; break;
			case LOANS_PAYMENT_OVERPAID: sum->overpaid++; break;
			}
		}
	}
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

/* ---- the fixed rate ---- */

struct fixing {
	const struct params *p;
	int64_t person_id;
	int years;
	date_t today;
	int64_t now;
};

static int fix_rate(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixing *f = arg;
	struct arena a;
	struct loan_account acct;
	int rc = -1;
	arena_init(&a, 0);
	int got = store_loan_account_get_tx(tx, f->person_id, &acct, &a, e);
	if (got != 0) {
		if (got > 0)
			err_set(e, ERR_CONFLICT, "years", "you have no loan in repayment");
		goto out;
	}
	if (acct.support_ended == LOAN_NO_DATE || acct.support_ended >= f->today) {
		err_set(e, ERR_CONFLICT, "years", "a fixed rate can be chosen once repayment has begun");
		goto out;
	}
	if (acct.fixed_years && acct.fixed_until >= f->today) {
		err_set(e, ERR_CONFLICT, "years", "the loan already has a fixed rate");
		goto out;
	}
	date_t from = date_months_on(f->today, 1, 1);
	char key[32], day[11];
	snprintf(key, sizeof(key), "loan.rate.fixed.%d", f->years);
	const struct param *v = params_get(f->p, key, from);
	if (v == NULL) {
		err_set(e, ERR_CONFLICT, "years", "no fixed rate for %d years is offered from %s", f->years,
			date_format(from, day));
		goto out;
	}
	acct.fixed_rate = (int32_t)v->value;
	acct.fixed_years = f->years;
	acct.fixed_from = from;
	acct.fixed_until = date_months_on(from, f->years * 12, 1) - 1;
	if (store_loan_account_put(tx, &acct, f->now, e) != 0)
		goto out;
	char object[32], detail[64];
	snprintf(object, sizeof(object), "person:%lld", (long long)f->person_id);
	snprintf(detail, sizeof(detail), "%d years at %d from %s", f->years, (int)acct.fixed_rate, date_format(from, day));
	rc = audit_append(tx, f->now, object, "loan.fixed-rate", object, detail, e);
out:
	arena_cleanup(&a);
	return rc;
}

int loans_choose_fixed(struct store *s, const struct params *p, const struct principal *who, int years, date_t today,
		       int64_t now, struct err *e)
{
	if (access_check_subject(s, who, ACT_LOAN_FIXED_RATE, "loan", now, e) != 0)
		return -1;
	if (years != 3 && years != 5 && years != 10)
		return err_set(e, ERR_INVALID, "years", "choose 3, 5 or 10 years");
	struct fixing f = {p, access_subject(who), years, today, now};
	return store_write(s, fix_rate, &f, e);
}

/* ---- write-off ---- */

struct writing_off {
	int64_t person_id;
	date_t on;
	const char *cause;
	int64_t now;
	int64_t amount;
};

static int write_off(struct store_tx *tx, void *arg, struct err *e)
{
	struct writing_off *w = arg;
	struct arena a;
	struct loan_account acct;
	int rc = -1;
	arena_init(&a, 0);
	if (loans_account_tx(tx, w->person_id, &acct, &a, e) != 0)
		goto out;
	/* Whatever is owed, interest posted after the day included: the debt
	 * is cancelled whole, effective on the day. */
	date_t upto = acct.interest_through != LOAN_NO_DATE && acct.interest_through > w->on ? acct.interest_through : w->on;
	int64_t principal, interest;
	if (ledger_balance_tx(tx, w->person_id, "loan.principal", upto, &principal, e) != 0 ||
	    ledger_balance_tx(tx, w->person_id, "loan.interest", upto, &interest, e) != 0)
		goto out;
	struct ledger_leg legs[3];
	int n = 0;
	w->amount = (principal > 0 ? principal : 0) + (interest > 0 ? interest : 0);
	if (w->amount > 0) {
		legs[n++] = (struct ledger_leg){"agency.write-off", w->amount};
		if (principal > 0)
			legs[n++] = (struct ledger_leg){"loan.principal", -principal};
		if (interest > 0)
			legs[n++] = (struct ledger_leg){"loan.interest", -interest};
		struct ledger_entry en = {w->person_id, "write-off", w->cause, upto, n, legs};
		if (ledger_post(tx, &en, NULL, e) != 0)
			goto out;
	}
	/* The month's interest is posted at its end: of the days before the
	 * write-off, none is charged afterwards (death stops interest and
	 * cancels what it would have added), so the debt stays 0. */
	if (acct.interest_through != LOAN_NO_DATE && acct.interest_through < date_month_last(upto)) {
		acct.interest_through = date_month_last(upto);
		if (store_loan_account_put(tx, &acct, w->now, e) != 0)
			goto out;
	}
	if (store_loan_invoices_cancel(tx, w->person_id, w->on, e) != 0)
		goto out;
	char object[32], detail[96];
	snprintf(object, sizeof(object), "person:%lld", (long long)w->person_id);
	snprintf(detail, sizeof(detail), "%lld øre by %.60s", (long long)w->amount, w->cause);
	rc = audit_append(tx, w->now, "system", "loan.write-off", object, detail, e);
out:
	arena_cleanup(&a);
	return rc;
}

int loans_write_off(struct store *s, int64_t person_id, date_t on, const char *cause, int64_t now, int64_t *amount,
		    struct err *e)
{
	if (cause == NULL || cause[0] == '\0')
		return err_set(e, ERR_INVALID, "cause", "what cancels the debt (\"death:register\", \"decision:12\")");
	struct writing_off w = {person_id, on, cause, now, 0};
	if (store_write(s, write_off, &w, e) != 0)
		return -1;
	if (amount)
		*amount = w.amount;
	return 0;
}

int loans_write_off_tx(struct store_tx *tx, int64_t person_id, date_t on, const char *cause, int64_t now,
		       int64_t *amount, struct err *e)
{
	if (cause == NULL || cause[0] == '\0')
		return err_set(e, ERR_INVALID, "cause", "what cancels the debt");
	struct writing_off w = {person_id, on, cause, now, 0};
	if (write_off(tx, &w, e) != 0)
		return -1;
	if (amount)
		*amount = w.amount;
	return 0;
}

/* ---- changing the plan ---- */

struct replanning {
	int64_t person_id;
	int years;
	date_t today, birth;
	int64_t now;
};

static int replan(struct store_tx *tx, void *arg, struct err *e)
{
	struct replanning *x = arg;
	struct arena a;
	struct loan_account acct;
	int rc = -1;
	arena_init(&a, 0);
	int got = store_loan_account_get_tx(tx, x->person_id, &acct, &a, e);
	if (got != 0 || acct.first_due == LOAN_NO_DATE) {
		if (got >= 0)
			err_set(e, ERR_CONFLICT, "years", "the loan has no payment plan yet");
		goto out;
	}
	/* The terms from the next month's on: at most 20 years from the
	 * first term, and before the month of the 70th birthday. */
	date_t from = date_month_first(x->today) < date_month_first(acct.first_due) ? acct.first_due
									   : date_months_on(x->today, 1, LOANS_DUE_DAY);
	date_t last = date_months_on(from, x->years * 12 - 1, LOANS_DUE_DAY);
	date_t most = date_months_on(acct.first_due, LOANS_PLAN_MAX_YEARS * 12 - 1, LOANS_DUE_DAY);
	date_t seventy = date_months_on(x->birth, LOANS_LAST_AGE * 12, 1);
	if (last > most || last >= date_month_first(seventy)) {
		err_set(e, ERR_INVALID, "years", "the plan may run at most 20 years and must end before you turn 70");
		goto out;
	}
	acct.last_due = last;
	if (store_loan_account_put(tx, &acct, x->now, e) != 0)
		goto out;
	char object[32], detail[48], day[11];
	snprintf(object, sizeof(object), "person:%lld", (long long)x->person_id);
	snprintf(detail, sizeof(detail), "last term %s", date_format(last, day));
	rc = audit_append(tx, x->now, object, "loan.plan-change", object, detail, e);
out:
	arena_cleanup(&a);
	return rc;
}

int loans_change_plan(struct store *s, const struct principal *who, int years, date_t today, int64_t now,
		      struct err *e)
{
	if (access_check_subject(s, who, ACT_LOAN_PLAN_CHANGE, "loan", now, e) != 0)
		return -1;
	if (years < 1 || years > LOANS_PLAN_MAX_YEARS)
		return err_set(e, ERR_INVALID, "years", "choose 1 to %d years", LOANS_PLAN_MAX_YEARS);
	struct arena a;
	struct person p;
	int64_t person = access_subject(who);
	arena_init(&a, 0);
	int got = store_person_get(s, person, &p, &a, e);
	arena_cleanup(&a);
	if (got != 0)
		return got > 0 ? err_set(e, ERR_NOT_FOUND, NULL, "no such person") : -1;
	struct replanning x = {person, years, today, p.birth_date, now};
	return store_write(s, replan, &x, e);
}
