/* account.h - a borrower's loan account after the studies: interest from
 * the day after support ends, the payment pause, the payment plan, monthly
 * invoices with the borrower's KID, payments from the bank matched by KID,
 * a fixed rate chosen for 3, 5 or 10 years, and the account as "Min gjeld"
 * shows it.
 *
 * The debt is always the ledger's sum (ledger/ledger.h); the account keeps
 * only what the ledger cannot: the KID, when support ended, how far interest
 * is posted, the rate agreement and the plan's first and last due day.
 *
 * Interest (forskrift om renter og tilbakebetaling av utdanningslån): none
 * while the person receives support; from the day after it ends, daily on
 * each day's closing debt at the rate in force that day (the fixed rate
 * within its agreement, else the floating rate, loan.rate.floating), posted
 * as one "interest" entry on the month's last day (debit loan.interest,
 * credit agency.interest-income).
 *
 * Repayment (Lånekassen's "Betalingsplan"): the first term falls due about
 * seven months after support ended (LOANS_PAUSE_MONTHS: the 15th, LOANS_DUE_DAY, of
 * the seventh month after the month it ended); monthly terms for at most 20
 * years, and never after the month before the borrower turns 70. Each
 * term is the annuity (loans_term_payment(), the calculator's arithmetic)
 * of the debt not yet invoiced over the terms left, worked out afresh for
 * every invoice: an extra payment, or a new floating rate, lowers or raises
 * the following terms and the plan still ends on its last due day. An
 * invoice is made on the first day of its due month, once the month before
 * has its interest; interest of the days between the last invoice and its
 * payment is invoiced afterwards ("you may get an invoice for a small
 * amount", as the agency's page warns), until the debt is exactly 0.
 *
 * Every function here is thread-safe. */
#ifndef STIPEND_LOANS_ACCOUNT_H
#define STIPEND_LOANS_ACCOUNT_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "core/date.h"
#include "core/i18n.h"
#include "loans/later.h"
#include "store/ledger.h"

struct arena;
struct err;
struct params;
struct store;
struct store_tx;

/* The agency's account for repayments, as its pages give it
 * (lanekassen.no, "Avtalegiro og e-faktura"). */
#define LOANS_AGENCY_ACCOUNT "7694.05.20300"
/* The due day when the borrower has chosen none: "Du får 15. som standard"
 * (lanekassen.no, "Fått første regning fra Lånekassen? Her er ti ting å
 * vite"; "Forfallsdato på rekningane er i utgangspunktet den 15. kvar
 * månad", "Når du skal begynne å betale på lånet"). */
#define LOANS_DUE_DAY 15
#define LOANS_PAUSE_MONTHS 7
#define LOANS_PLAN_MAX_YEARS 20
#define LOANS_LAST_AGE 70

/* A loan payout into the ledger (debit loan.principal, credit agency.bank)
 * within tx, opening the person's account (with its KID) when they have
 * none. cause names the payout ("payout:7"). For the payouts and the
 * tests. Returns 0 or -1. */
int loans_disburse(struct store_tx *tx, int64_t person_id, int64_t amount, const char *cause, date_t on, int64_t now,
		   struct err *e);

/* Open person_id's account within tx when they have none (KID by
 * loans_kid()). Returns 0 or -1. */
int loans_account_ensure(struct store_tx *tx, int64_t person_id, int64_t now, struct err *e);

/* Record that person_id's support ended on last_day (interest from the next
 * day) and make the payment plan: first term LOANS_PAUSE_MONTHS months on,
 * monthly for at most LOANS_PLAN_MAX_YEARS years and before the month of
 * the borrower's 70th birthday. Opens the account when missing. Fails with
 * ERR_CONFLICT when support had already ended for the account, ERR_NOT_FOUND
 * for no such person. */
int loans_support_ended(struct store *s, int64_t person_id, date_t last_day, int64_t now, struct err *e);

/* What one run did. */
struct loans_run_summary {
	int accounts;            /* accounts looked at */
	int interest_entries;    /* interest postings */
	int64_t interest;        /* their sum, øre */
	int invoices;            /* invoices made */
	int64_t invoiced;        /* their terms, øre */
	int reminders;           /* reminders and notices of termination sent */
	int waiting_for_rate;    /* accounts stopped for want of a rate */
	char missing_rate[64];   /* the first day a rate was missing, "loan.rate.floating 2024-07-01" */
	int failed;              /* accounts whose transaction failed */
	struct loans_later_summary later; /* the later steps (loans/later.h) */
};

/* The monthly run through day `through`: for every account whose support
 * has ended, post interest for each whole month ended by then, and make
 * each invoice whose due month has begun (with its letter in the mailbox,
 * and the paper fee when the borrower has paper invoices), and remind of
 * each invoice left unpaid (the reminder the day after its due day, the
 * notice of termination when the reminder's deadline has passed, each
 * with its fee and letter). The accounts go 64 to a transaction (one
 * commit); when one of them fails, that page is undone and run again an
 * account a transaction, so that only the failing account is left out. A
 * run again does nothing twice. An account
 * for whose days no rate is in force stops there and is counted in
 * waiting_for_rate. Returns 0 with sum filled, or -1 when the store failed. */
int loans_run(struct store *s, const struct params *p, date_t through, int64_t now, struct loans_run_summary *sum,
	      struct err *e);
/* The run first finds whose support has ended by their decisions
 * (loans_support_ends()), and after its accounts calls in and hands over
 * the loans left unpaid (loans_collection()); an account called in,
 * handed over or deceased gets no invoice or reminder from the loop. */

/* What became of a payment the bank reported. */
enum loans_payment_outcome {
	LOANS_PAYMENT_MATCHED,   /* booked on the borrower's account */
	LOANS_PAYMENT_DUPLICATE, /* its bank reference was booked before */
	LOANS_PAYMENT_UNKNOWN_KID, /* no account has the KID: a case worker's queue */
	LOANS_PAYMENT_OVERPAID   /* more than the debt: a case worker's queue */
};

/* Book one credit the bank reported (p: bank_ref, kid, amount, booked,
 * debtor): matched by KID, posted as a "payment" entry (debit agency.bank,
 * credit loan.interest first, then loan.principal), effective on its
 * booking day (or the day after the interest already posted, when that is
 * later), and applied to the open invoices oldest first; what is left is an
 * extra payment, which lowers the following terms. A reference seen before
 * books nothing. #11: an extra payment within a fixed-rate agreement has
 * its interest loss or gain posted in the same transaction, with the
 * rates of new agreements in params (NULL: none known, so it waits; see
 * loans/fixedpost.h). Returns 0 with *outcome, or -1. */
int loans_book_payment(struct store *s, const struct params *params, const struct loan_payment *p, int64_t now,
		       enum loans_payment_outcome *outcome, struct err *e);

/* The credits of a camt.054 report (BkToCstmrDbtCdtNtfctn) into *out
 * (arena): each credit entry's transaction with its reference (AcctSvcrRef,
 * else NtryRef with the index), the structured KID (CdtrRefInf/Ref),
 * amount in NOK as øre, booking day and debtor's name. Returns the count,
 * or -1 with e filled (ERR_INVALID) for XML that is not such a report. */
int loans_camt054_parse(const char *xml, size_t len, struct loan_payment **out, struct arena *a, struct err *e);

/* What an import did. */
struct loans_import_summary {
	int credits, matched, duplicates, unknown_kid, overpaid;
	int64_t matched_ore;
	/* #11: extra payments within a fixed-rate agreement whose loss or
	 * gain was posted, or waits for the rates of its day. */
	int fixed_rate_posted, fixed_rate_waiting;
};

/* Read a camt.054 report and book each credit, 64 credits to a
 * transaction (a page in which one fails is booked again a credit a
 * transaction); params as loans_book_payment(). Returns 0 with sum, or -1
 * (nothing booked when the report does not parse). */
int loans_import_camt054(struct store *s, const struct params *params, const char *xml, size_t len, int64_t now,
			 struct loans_import_summary *sum, struct err *e);

/* Fetch the bank's camt.054 report of the credits to the agency's account
 * (GET base_url/giro/v1/reports/camt054?account=...) into *xml (arena).
 * Returns 0, or -1 with ERR_IO. */
int loans_bank_fetch(const char *base_url, char **xml, size_t *len, struct arena *a, struct err *e);
/* The same, of the credits booked by day `to` only (an AvtaleGiro claim is
 * paid on its due day). */
int loans_bank_fetch_to(const char *base_url, date_t to, char **xml, size_t *len, struct arena *a, struct err *e);
/* One call to the bank: GET base_url+path, or POST json_body when not
 * NULL; *status and the answer's body (arena, NUL-terminated) filled.
 * Returns 0 when the bank answered (any status), -1 with ERR_IO when not. */
int loans_bank_call(const char *base_url, const char *path, const char *json_body, long *status, char **body,
		    size_t *len, struct arena *a, struct err *e);

/* Choose a fixed rate for years (3, 5 or 10) for who's own account, from
 * the first day of the month after today, at the rate offered for that
 * day (loan.rate.fixed.<years>). Asks the gate (loan.fixed-rate). Fails
 * with ERR_INVALID (field "years"), ERR_CONFLICT when the account is not in
 * repayment, already has a fixed rate, or no rate is offered for that day.
 * Audited as loan.fixed-rate. */
int loans_choose_fixed(struct store *s, const struct params *p, const struct principal *who, int years, date_t today,
		       int64_t now, struct err *e);

/* A decision of payment deferral or interest relief acting on the account
 * (kind "deferral" or "relief"), for `months` calendar months from the
 * month of from, granted by cause ("decision:12"). A deferred month has no
 * term, and the plan grows by a month for each deferred term within it
 * (forskrift om tilbakebetaling: a deferral moves the term to the end); a
 * relief month's interest is cancelled (a "relief" entry: debit
 * agency.interest-income, credit loan.interest), at once for interest
 * already charged and by the run for interest to come. A month granted
 * before is not granted again. Fails with ERR_INVALID for a bad kind,
 * months outside 1..36 or no cause, ERR_CONFLICT when the person has no
 * loan account. Audited as loan.deferral or loan.relief when a month is newly
 * granted. */
int loans_grant_months(struct store *s, int64_t person_id, const char *kind, date_t from, int months,
		       const char *cause, int64_t now, struct err *e);

/* A later decision of case case_id granting fewer months than before (or
 * none) takes back the months from the month of `from` on that the
 * case's decisions marked as kind ("deferral" or "relief"): a deferred
 * month not yet begun on `today` (its term comes back and the plan is a
 * month shorter when the month was within it; one begun has had its term
 * left out and stays), and any relief month, whose cancelled interest is
 * charged again (a "relief" entry, cause "relief-withdrawn:<month>":
 * debit loan.interest, credit agency.interest-income, on today or the day
 * after the interest posted). *taken (may be NULL) receives the months
 * taken back. ERR_CONFLICT without a loan account. Audited as
 * loan.deferral.withdrawn or loan.relief.withdrawn when any is taken. */
int loans_withdraw_months(struct store *s, int64_t person_id, int64_t case_id, const char *kind, date_t from,
			  date_t today, int64_t now, int *taken, struct err *e);

/* Change who's own plan to end after `years` years of terms from the next
 * month's (1..20; pay faster, or slower again): the following invoices'
 * terms are worked out over the terms then left. At most 20 years from the
 * first term and before the month of the 70th birthday, else ERR_INVALID
 * (field "years"); ERR_CONFLICT without a plan. Asks the gate
 * (loan.plan-change); audited. */
int loans_change_plan(struct store *s, const struct principal *who, int years, date_t today, int64_t now,
		      struct err *e);

/* Cancel person_id's whole debt (death, as the population register says,
 * or a case worker's decision on disability): a "write-off" entry (debit
 * agency.write-off, credit what is owed of loan.principal and
 * loan.interest, interest posted after `on` included) and the open
 * invoices cancelled, so that no term, reminder or interest follows.
 * *amount (may be NULL) receives what was written off. Fails with
 * ERR_INVALID without a cause, ERR_CONFLICT without a loan account.
 * Audited as loan.write-off. */
int loans_write_off(struct store *s, int64_t person_id, date_t on, const char *cause, int64_t now, int64_t *amount,
		    struct err *e);

/* loans_write_off() inside the caller's write transaction (the death
 * feed writes the status and its feed position in the same one). */
int loans_write_off_tx(struct store_tx *tx, int64_t person_id, date_t on, const char *cause, int64_t now,
		       int64_t *amount, struct err *e);

/* "Min gjeld" for who's own account on day today, as template data in
 * lang: debt, principal, interest (øre and text), rate (kind, percent text,
 * fixed_until), kid, account, status ("studying", "pause", "repaying",
 * "repaid", "none"), next (the next open invoice), invoices, payments, the
 * plan by year (loans_annuity over the terms left) and its chart (an SVG
 * drawn here, escaped by the template), and what may be chosen
 * (fixed_offers). Asks the gate (loan.read). New reference, or NULL with e. */
json_t *loans_overview(struct store *s, const struct params *p, const struct principal *who, date_t today,
		       int64_t now, enum lang lang, struct arena *a, struct err *e);

/* The payments no account took, oldest first (at most 200), for the case
 * workers: {payments: [{id, bank_ref, kid, amount, booked, debtor?,
 * why_key}], count}. Asks the gate (loan.payments.queue). New reference, or
 * NULL with e. */
json_t *loans_payments_waiting(struct store *s, const struct principal *who, int64_t now, struct arena *a,
			       struct err *e);

/* The invoice a letter of kind "loan-invoice" carries, as template data in
 * lang (due, amount, interest, principal, fee, total, kid, account), or NULL
 * when letter_id carries none. For the letter's page and PDF. */
json_t *loans_invoice_letter(struct store *s, int64_t letter_id, enum lang lang, struct arena *a);

/* person_id's account in tx into *acct (strings in a). Returns 0, or -1
 * with e: ERR_CONFLICT (field "person_id") when the person has none. */
int loans_account_tx(struct store_tx *tx, int64_t person_id, struct loan_account *acct, struct arena *a,
		     struct err *e);

/* The rate in force on day d for acct (the fixed rate within its agreement,
 * else loan.rate.floating) into *rate. 0, or -1 with e naming the missing
 * figure. */
int loans_rate_on(const struct params *p, const struct loan_account *acct, date_t d, int32_t *rate, struct err *e);

#endif
