/* resolve.c - the payments no loan account took, booked to a borrower or
 * refunded by a case worker; see resolve.h. */
#include "loans/resolve.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "loans/account.h"
#include "loans/fixedpost.h"
#include "loans/interest.h"
#include "registers/registers.h"
#include "store/ledger.h"
#include "store/loans2.h"
#include "store/store.h"

int loans_payment_suspend(struct store_tx *tx, int64_t payment_id, int64_t person_id, int64_t amount, date_t booked,
			  struct err *e)
{
	char cause[32];
	int64_t entry;
	snprintf(cause, sizeof(cause), "payment:%lld", (long long)payment_id);
	struct ledger_leg legs[] = {{"agency.bank", amount}, {"agency.suspense", -amount}};
	struct ledger_entry en = {0, "payment", cause, booked, 2, legs};
	if (ledger_post(tx, &en, &entry, e) != 0)
		return -1;
	return store_loan_payment_settle(tx, payment_id, person_id, "unmatched", entry, e);
}

/* The payment, unmatched, with its receipt on agency.suspense (posted now
 * for a payment taken before the receipt was posted). 0 or -1. */
static int waiting_payment(struct store_tx *tx, int64_t id, struct loan_payment *p, struct arena *a, struct err *e)
{
	int got = store_loan_payment_get_tx(tx, id, p, a, e);
	if (got != 0)
		return got < 0 ? -1 : err_set(e, ERR_NOT_FOUND, "payment", "no such payment");
	if (strcmp(p->state, "unmatched") != 0)
		return err_set(e, ERR_CONFLICT, "payment", "the payment has been resolved already");
	if (p->entry_id == 0 && loans_payment_suspend(tx, id, p->person_id, p->amount, p->booked, e) != 0)
		return -1;
	return 0;
}

struct booking_to {
	int64_t payment_id, person_id;
	date_t today;
	int64_t now;
	const char *actor;
	const struct params *params; /* #11: the rates of new agreements */
};

static int book_to(struct store_tx *tx, void *arg, struct err *e)
{
	struct booking_to *x = arg;
	struct arena a;
	struct loan_payment p;
	struct loan_account acct;
	int rc = -1;
	int64_t entry;
	arena_init(&a, 0);
	if (waiting_payment(tx, x->payment_id, &p, &a, e) != 0)
		goto out;
	if (store_loan_account_get_tx(tx, x->person_id, &acct, &a, e) != 0) {
		err_set(e, ERR_INVALID, "nin", "the borrower has no loan account");
		goto out;
	}
	/* As any payment: counted from its booking day, or the day after the
	 * interest already posted; interest first, then principal. */
	date_t on = p.booked;
	if (acct.interest_through != LOAN_NO_DATE && on <= acct.interest_through)
		on = acct.interest_through + 1;
	int64_t debt, interest;
	if (ledger_balance_tx(tx, x->person_id, NULL, on, &debt, e) != 0 ||
	    ledger_balance_tx(tx, x->person_id, "loan.interest", on, &interest, e) != 0)
		goto out;
	if (p.amount > debt) {
		err_set(e, ERR_CONFLICT, "amount", "the payment is more than the borrower's debt: refund it");
		goto out;
	}
	int64_t to_interest = interest < 0 ? 0 : interest < p.amount ? interest : p.amount;
	int64_t to_principal = p.amount - to_interest;
	struct ledger_leg legs[3];
	int n = 0;
	legs[n++] = (struct ledger_leg){"agency.suspense", p.amount};
	if (to_interest > 0)
		legs[n++] = (struct ledger_leg){"loan.interest", -to_interest};
	if (to_principal > 0)
		legs[n++] = (struct ledger_leg){"loan.principal", -to_principal};
	char cause[32];
	snprintf(cause, sizeof(cause), "payment:%lld", (long long)p.id);
	struct ledger_entry en = {x->person_id, "payment", cause, on, n, legs};
	if (ledger_post(tx, &en, &entry, e) != 0)
		goto out;
	struct loan_invoice *open;
	int k = store_loan_invoices_open_tx(tx, x->person_id, &open, 240, &a, e);
	if (k < 0)
		goto out;
	int64_t left = p.amount;
	for (int i = 0; i < k && left > 0; i++) {
		int64_t want = open[i].amount + open[i].fee - open[i].paid;
		int64_t take = want < left ? want : left;
		if (store_loan_invoice_add_paid(tx, open[i].id, take, p.booked, e) != 0)
			goto out;
		left -= take;
	}
	/* #11: what is left is an extra payment, with its interest loss or
	 * gain within a fixed-rate agreement (loans/fixedpost.h). */
	enum loans_fixed_outcome fixed;
	if (left > 0 && loans_fixed_on_extra_tx(tx, x->params, &acct, p.id, left, on, x->now, &fixed, NULL, e) != 0)
		goto out;
	if (store_loan_payment_settle(tx, p.id, x->person_id, "resolved", entry, e) != 0)
		goto out;
	char object[32], detail[64];
	snprintf(object, sizeof(object), "payment:%lld", (long long)p.id);
	snprintf(detail, sizeof(detail), "%lld øre to person:%lld", (long long)p.amount, (long long)x->person_id);
	rc = audit_append(tx, x->now, x->actor, "loan.payment.book", object, detail, e);
out:
	arena_cleanup(&a);
	return rc;
}

int loans_payment_book_to(struct store *s, const struct params *params, const struct principal *who,
			  int64_t payment_id, const char *nin, const char *kid, date_t today, int64_t now, int64_t *person,
			  struct err *e)
{
	char object[32], actor[64];
	snprintf(object, sizeof(object), "payment:%lld", (long long)payment_id);
	if (access_check(s, who, ACT_LOAN_PAYMENT_RESOLVE, 0, object, "payment", now, e) != 0)
		return -1;
	int64_t id = 0;
	if (nin != NULL && nin[0] != '\0') {
		int got = store_loan_person_by_nin(s, nin, &id, e);
		if (got != 0)
			return got < 0 ? -1 : err_set(e, ERR_INVALID, "nin", "no borrower with a loan account has that number");
	} else if (kid != NULL && kid[0] != '\0') {
		struct arena a;
		arena_init(&a, 0);
		struct loan_account acct;
		/* The KID names the person (loans_kid()); the account must exist. */
		char want[LOANS_KID_LEN + 1];
		int64_t guess = 0;
		for (const char *c = kid + 1; *c && c < kid + 9; c++)
			guess = guess * 10 + (*c - '0');
		int ok = strlen(kid) == LOANS_KID_LEN && strspn(kid, "0123456789") == LOANS_KID_LEN && guess > 0 &&
			 loans_kid(guess, want) == 0 && strcmp(want, kid) == 0;
		int got = ok ? store_loan_account_get(s, guess, &acct, &a, e) : 1;
		arena_cleanup(&a);
		if (got < 0)
			return -1;
		if (got != 0)
			return err_set(e, ERR_INVALID, "kid", "no loan account has that KID");
		id = guess;
	} else {
		return err_set(e, ERR_INVALID, "nin", "give the borrower's national identity number or KID");
	}
	struct booking_to x = {payment_id, id, today, now, access_actor(who, actor, sizeof(actor)), params};
	if (store_write(s, book_to, &x, e) != 0)
		return -1;
	if (person)
		*person = id;
	return 0;
}

struct refunding {
	int64_t payment_id;
	const char *account, *actor;
	date_t today;
	int64_t now;
};

static int refund(struct store_tx *tx, void *arg, struct err *e)
{
	struct refunding *x = arg;
	struct arena a;
	struct loan_payment p;
	int rc = -1;
	int64_t entry;
	arena_init(&a, 0);
	if (waiting_payment(tx, x->payment_id, &p, &a, e) != 0)
		goto out;
	char cause[32];
	snprintf(cause, sizeof(cause), "refund:%lld", (long long)p.id);
	struct ledger_leg legs[] = {{"agency.suspense", p.amount}, {"agency.bank", -p.amount}};
	struct ledger_entry en = {0, "payment", cause, x->today, 2, legs};
	if (ledger_post(tx, &en, &entry, e) != 0 ||
	    store_loan_refund_insert(tx, p.id, p.amount, x->account, x->actor, entry, x->today, x->now, e) != 0 ||
	    store_loan_payment_settle(tx, p.id, p.person_id, "resolved", entry, e) != 0)
		goto out;
	char object[32], detail[64];
	snprintf(object, sizeof(object), "payment:%lld", (long long)p.id);
	snprintf(detail, sizeof(detail), "%lld øre refunded", (long long)p.amount);
	rc = audit_append(tx, x->now, x->actor, "loan.payment.refund", object, detail, e);
out:
	arena_cleanup(&a);
	return rc;
}

int loans_payment_refund(struct store *s, const struct principal *who, int64_t payment_id, const char *account,
			 date_t today, int64_t now, struct err *e)
{
	char object[32], actor[64], digits[16];
	snprintf(object, sizeof(object), "payment:%lld", (long long)payment_id);
	if (access_check(s, who, ACT_LOAN_PAYMENT_RESOLVE, 0, object, "payment", now, e) != 0)
		return -1;
	/* The account as written ("1503.12.34567" or digits). */
	size_t k = 0;
	for (const char *c = account ? account : ""; *c && k < sizeof(digits) - 1; c++)
		if (*c != '.' && *c != ' ')
			digits[k++] = *c;
	digits[k] = '\0';
	if (!reg_account_valid(digits))
		return err_set(e, ERR_INVALID, "account", "an account number of 11 digits with a valid check digit");
	struct refunding x = {payment_id, digits, access_actor(who, actor, sizeof(actor)), today, now};
	return store_write(s, refund, &x, e);
}
