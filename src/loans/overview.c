/* overview.c - the loan account as its borrower reads it ("Min gjeld"),
 * and the invoice a letter carries; see account.h.
 *
 * Every figure is read afresh from the ledger (the debt, its interest, the
 * payments) and the account's state; the plan ahead is the calculator's
 * annuity over the terms left at the rate in force, drawn by the same
 * builder (loans/plan.h). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "loans/account.h"
#include "loans/convert.h"
#include "loans/fixedpost.h"
#include "loans/later.h"
#include "loans/plan.h"
#include "loans/repayment.h"
#include "rules/params.h"
#include "store/loans2.h"
#include "store/ledger.h"
#include "store/store.h"

static json_t *day_json(date_t d)
{
	char day[11];
	return d == LOAN_NO_DATE ? json_null() : json_string(date_format(d, day));
}

/* 5128 as "5,128 %" (bokmål) or "5.128 %". */
static json_t *rate_text(int32_t rate, enum lang lang)
{
	char out[32];
	snprintf(out, sizeof(out), "%d%s%03d %%", (int)(rate / 1000), lang == LANG_EN ? "." : ",", (int)(rate % 1000));
	return json_string(out);
}

static json_t *invoice_json(const struct loan_invoice *v)
{
	return json_pack("{s:I,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:b,s:o,s:I,s:i}", "id", (json_int_t)v->id, "due",
			 day_json(v->due), "amount", (json_int_t)v->amount, "interest", (json_int_t)v->interest,
			 "principal", (json_int_t)v->principal, "fee", (json_int_t)v->fee, "total",
			 (json_int_t)(v->amount + v->fee), "paid", (json_int_t)v->paid, "kid", v->kid ? v->kid : "",
			 "settled", v->paid >= v->amount + v->fee, "paid_at", day_json(v->paid_at), "letter_id",
			 (json_int_t)v->letter_id, "reminders", v->reminders);
}

json_t *loans_invoice_letter(struct store *s, int64_t letter_id, enum lang lang, struct arena *a)
{
	(void)lang;
	struct loan_invoice v;
	struct err e;
	if (store_loan_invoice_by_letter(s, letter_id, &v, a, &e) != 0)
		return NULL;
	json_t *j = invoice_json(&v);
	json_object_set_new(j, "account", json_string(LOANS_AGENCY_ACCOUNT));
	/* The reminder's letter says so, above the same figures. */
	if (v.letter_id != letter_id && v.reminders > 0)
		json_object_set_new(j, "reminder_key",
				    json_string(v.reminders == 1 ? "loans.letter.reminder_1" : "loans.letter.reminder_2"));
	return j;
}

json_t *loans_overview(struct store *s, const struct params *p, const struct principal *who, date_t today,
		       int64_t now, enum lang lang, struct arena *a, struct err *e)
{
	if (access_check_subject(s, who, ACT_LOAN_READ, "loan", now, e) != 0)
		return NULL;
	int64_t person = access_subject(who);
	struct loan_account acct;
	int got = store_loan_account_get(s, person, &acct, a, e);
	if (got < 0)
		return NULL;
	json_t *o = json_object();
	if (got > 0) {
		json_object_set_new(o, "status", json_string("none"));
		return o;
	}
	int64_t debt, principal, interest;
	if (ledger_debt(s, person, today, &debt, e) != 0 ||
	    store_ledger_person_sum(s, person, "loan.principal", today, &principal, e) != 0 ||
	    store_ledger_person_sum(s, person, "loan.interest", today, &interest, e) != 0) {
		json_decref(o);
		return NULL;
	}
	const char *status = acct.support_ended == LOAN_NO_DATE || acct.support_ended >= today ? "studying"
			     : debt <= 0							? "repaid"
			     : today < acct.first_due						? "pause"
											: "repaying";
	/* Called in, with the collection agency, or written off on death
	 * (loans/later.h): the account says so, and offers no choices. */
	json_t *later = loans_status_view(s, person, a);
	int closed = later != NULL;
	if (later) {
		status = arena_printf(a, "%s", json_string_value(json_object_get(later, "status")));
		json_object_set_new(o, "later", later);
	}
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "status_key", json_string(arena_printf(a, "loans.status.%s", status)));
	json_object_set_new(o, "debt", json_integer(debt));
	json_object_set_new(o, "principal", json_integer(principal));
	json_object_set_new(o, "interest", json_integer(interest));
	json_object_set_new(o, "kid", json_string(acct.kid));
	/* eFaktura or AvtaleGiro, as the bank says (loans/later.h). */
	const char *giro;
	if (store_loan_giro_kind(s, person, &giro, e) == 0)
		json_object_set_new(o, "giro_key", json_string(arena_printf(a, "loans.giro.%s", giro)));
	json_object_set_new(o, "account", json_string(LOANS_AGENCY_ACCOUNT));
	json_object_set_new(o, "support_ended", day_json(acct.support_ended));
	json_object_set_new(o, "first_due", day_json(acct.first_due));
	json_object_set_new(o, "last_due", day_json(acct.last_due));

	/* The rate: fixed within its agreement, else floating. */
	int fixed_now = acct.fixed_years && acct.fixed_until >= today;
	json_t *rate = json_object();
	json_object_set_new(rate, "fixed", json_boolean(fixed_now));
	if (acct.fixed_years) {
		json_object_set_new(rate, "fixed_years", json_integer(acct.fixed_years));
		json_object_set_new(rate, "fixed_from", day_json(acct.fixed_from));
		json_object_set_new(rate, "fixed_until", day_json(acct.fixed_until));
		json_object_set_new(rate, "fixed_text", rate_text(acct.fixed_rate, lang));
		json_object_set_new(rate, "starts_later", json_boolean(acct.fixed_from > today));
	}
	int32_t r = 0;
	struct err why;
	err_clear(&why);
	int have_rate = loans_rate_on(p, &acct, today, &r, &why) == 0;
	if (have_rate)
		json_object_set_new(rate, "text", rate_text(r, lang));
	json_object_set(o, "rate", rate);
	json_decref(rate);

	/* #11: a fixed-rate borrower is told that an extra payment or ending
	 * the agreement gives an interest loss or gain, and may end it from
	 * next month (loans/fixedpost.h); the losses and gains posted are
	 * listed among the payments. */
	if (fixed_now && !closed) {
		int fy, fm, fd;
		date_to_ymd(today, &fy, &fm, &fd);
		date_t next_month = fm == 12 ? date_from_ymd(fy + 1, 1, 1) : date_from_ymd(fy, fm + 1, 1);
		json_object_set_new(o, "fixed_note", json_true());
		if (acct.fixed_until >= next_month)
			json_object_set_new(o, "fixed_end", json_pack("{s:o}", "from", day_json(next_month)));
	}
	json_t *adjustments = loans_fixed_list_json(s, person, lang, a, e);
	if (adjustments == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "fixed_adjustments", adjustments);

	/* A fixed rate may be chosen in repayment, when none runs. */
	if (!closed && strcmp(status, "studying") != 0 && strcmp(status, "repaid") != 0 && !fixed_now) {
		json_t *offers = json_array();
		int years[] = {3, 5, 10};
		int yy, mm, dd;
		date_to_ymd(today, &yy, &mm, &dd);
		date_t from = mm == 12 ? date_from_ymd(yy + 1, 1, 1) : date_from_ymd(yy, mm + 1, 1);
		for (int i = 0; i < 3; i++) {
			char key[32];
			snprintf(key, sizeof(key), "loan.rate.fixed.%d", years[i]);
			const struct param *v = params_get(p, key, from);
			if (v)
				json_array_append_new(offers, json_pack("{s:i,s:o,s:o}", "years", years[i], "text",
									rate_text((int32_t)v->value, lang), "from",
									day_json(from)));
		}
		json_object_set_new(o, "fixed_offers", offers);
		json_object_set_new(o, "can_fix", json_boolean(json_array_size(offers) > 0));
	}

	json_object_set_new(o, "can_replan", json_boolean(strcmp(status, "pause") == 0 || strcmp(status, "repaying") == 0));
	/* The due day (loans/later.h): chosen, or the house's. */
	int due_day = LOANS_DUE_DAY;
	if (store_loan_due_day(s, person, &due_day, e) < 0) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "due_day", json_integer(due_day));
	if (!closed && strcmp(status, "repaid") != 0) {
		json_t *days = json_array();
		for (int d = 5; d <= 25; d += 10)
			json_array_append_new(days, json_pack("{s:i,s:b}", "day", d, "chosen", d == due_day));
		json_object_set_new(o, "due_days", days);
		/* The choice's section: a boolean keeps the page's context, so
		 * that its text can name the due day. */
		json_object_set_new(o, "can_choose_due_day", json_true());
	}
	/* Invoices, the next open one, and payments. */
	struct loan_invoice *inv;
	int n = store_loan_invoices_of(s, person, &inv, 24, a, e);
	if (n < 0) {
		json_decref(o);
		return NULL;
	}
	json_t *invoices = json_array();
	const struct loan_invoice *next = NULL;
	for (int i = 0; i < n; i++) {
		json_array_append_new(invoices, invoice_json(&inv[i]));
		if (inv[i].paid < inv[i].amount + inv[i].fee && !inv[i].cancelled)
			next = &inv[i]; /* newest first: the last open one is the oldest */
	}
	json_object_set_new(o, "invoices", invoices);
	if (next) {
		json_t *nj = invoice_json(next);
		json_object_set_new(nj, "overdue", json_boolean(next->due < today));
		json_object_set_new(nj, "left", json_integer(next->amount + next->fee - next->paid));
		json_object_set_new(o, "next", nj);
	}
	struct loan_payment *pays;
	int k = store_loan_payments_list(s, person, &pays, 24, a, e);
	if (k < 0) {
		json_decref(o);
		return NULL;
	}
	json_t *payments = json_array();
	for (int i = 0; i < k; i++)
		json_array_append_new(payments, json_pack("{s:o,s:I,s:s}", "booked", day_json(pays[i].booked), "amount",
							  (json_int_t)pays[i].amount, "state", pays[i].state));
	json_object_set_new(o, "payments", payments);
	/* Loan converted to grant (#11): each semester with the income year
	 * it was tested against. */
	json_t *conv = loans_conversions_view(s, person, lang, a, e);
	if (conv == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "conversions", conv);

	/* The plan ahead: the annuity of the debt over the terms left. */
	if (!closed && debt >= 100 && have_rate && acct.last_due != LOAN_NO_DATE) {
		date_t from = today > acct.first_due ? today : acct.first_due;
		int y1, m1, d1, y2, m2, d2;
		date_to_ymd(from, &y1, &m1, &d1);
		date_to_ymd(acct.last_due, &y2, &m2, &d2);
		int terms = (y2 * 12 + m2) - (y1 * 12 + m1) + 1;
		if (terms < 1)
			terms = 1;
		int years = (terms + 11) / 12;
		if (years > LOANS_MAX_YEARS)
			years = LOANS_MAX_YEARS;
		struct loans_terms t = {debt > LOANS_MAX_PRINCIPAL ? LOANS_MAX_PRINCIPAL : debt, r, years, 12};
		struct loans_plan *plan = arena_alloc(a, sizeof(*plan));
		struct err pe;
		err_clear(&pe);
		/* A term fixed by a write-off at disability runs until the debt
		 * is repaid, as the invoices do (loans/disability.h). */
		int64_t fixed_term = acct.fixed_term;
		if (fixed_term > 0)
			t.years = LOANS_MAX_YEARS;
		if ((fixed_term > 0 ? loans_plan_with_payment(&t, fixed_term, plan, &pe) : loans_annuity(&t, plan, &pe)) == 0)
			json_object_set_new(o, "plan", loans_plan_json(&t, plan));
	}
	return o;
}

json_t *loans_payments_waiting(struct store *s, const struct principal *who, int64_t now, struct arena *a,
			       struct err *e)
{
	if (access_check(s, who, ACT_LOAN_PAYMENTS_QUEUE, 0, NULL, "payments", now, e) != 0)
		return NULL;
	struct loan_payment *p;
	int n = store_loan_payments_list(s, 0, &p, 200, a, e);
	if (n < 0)
		return NULL;
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:o}", "id", (json_int_t)p[i].id, "bank_ref", p[i].bank_ref, "kid",
				      p[i].kid ? p[i].kid : "", "amount", (json_int_t)p[i].amount, "booked",
				      day_json(p[i].booked));
		json_object_set_new(o, "why_key", json_string(p[i].person_id ? "loans.wb.why.overpaid" : "loans.wb.why.kid"));
		if (p[i].debtor)
			json_object_set_new(o, "debtor", json_string(p[i].debtor));
		json_array_append_new(list, o);
	}
	json_t *o = json_pack("{s:o,s:i}", "payments", list, "count", n);
	/* #11: extra payments booked within a fixed-rate agreement whose
	 * interest loss or gain waits for the rates of its day
	 * (loans/fixedpost.h). */
	json_t *fixed = loans_fixed_waiting_json(s, a, e);
	if (fixed == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "fixed_waiting", fixed);
	return o;
}
