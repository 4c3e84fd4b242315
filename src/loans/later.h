/* later.h - the loan account's later life (issue #11, the open features),
 * steps the monthly run (loans_run(), `stipend loans run`) takes beside
 * its loop over the accounts in repayment:
 *
 *  - Support ends, interest starts: a borrower whose every case is decided
 *    and whose last month of support (the latest month of their payout
 *    plans in force: the last decided month of the last school year) has
 *    ended has support ended on that month's last day (loans_support_ended():
 *    interest from the next day, the pause, the plan). Lånekassen:
 *    "Studielånet er rentefritt under utdanningen så lenge du får støtte
 *    ... blir det regnet renter fra første månedsskifte" (lanekassen.no,
 *    "Flytende studielånsrente stabilt lav", 2015).
 *  - Call-in and collection (lanekassen.no, "Oppseiing av lån" and
 *    "Overført til Statens innkrevingssentral"): an invoice whose notice of
 *    termination's deadline (loan.callin.deadline_days after the notice)
 *    has passed unpaid calls the loan in: the whole debt falls due, no more
 *    invoices or reminders, a letter. loan.collection.handover_days after
 *    the call-in the loan is handed to Statens innkrevingssentral: a status,
 *    a letter, and a line in the run's handover file
 *    (docs/loans-collection.md).
 *  - Death cancels the debt: the population register's event feed names
 *    the persons whose facts changed; a person it gives a date of death
 *    for has the whole debt written off (cause "death:register"), the open
 *    invoices cancelled, and the account shows it.
 *
 * Each step's accounts each in a transaction of their own; a step run
 * again does nothing twice. Thread-safe. */
#ifndef STIPEND_LOANS_LATER_H
#define STIPEND_LOANS_LATER_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "access/access.h"
#include "core/date.h"

struct arena;
struct err;
struct params;
struct store;

/* What the later steps did in one run. */
struct loans_later_summary {
	int support_ended; /* borrowers whose support was found ended */
	int called_in;     /* loans called in */
	int handed_over;   /* loans handed to the collection agency */
	int deaths;        /* debts written off on death */
	int64_t written_off; /* their sum, øre */
	int handover_lines;  /* lines written to the handover file */
};

/* Support ended for every borrower whose last month of support ended
 * before through's month. Adds to sum->support_ended. 0 or -1 (store). */
int loans_support_ends(struct store *s, date_t through, int64_t now, struct loans_later_summary *sum, struct err *e);

/* Call in the loans whose notice's deadline passed by through, and hand
 * the called-in loans whose day has come to the collection agency. A rule
 * whose figure is not in force (p) on its day waits. 0 or -1. */
int loans_collection(struct store *s, const struct params *p, date_t through, int64_t now,
		     struct loans_later_summary *sum, struct err *e);

/* Write every handover not yet written, as JSON lines (docs/loans-collection.md)
 * to path (created; written whole, flushed to disk, then renamed into
 * place), and mark them written. Nothing is written, and no file made,
 * when there is none. Adds to sum->handover_lines. 0 or -1 (ERR_IO). */
int loans_handover_file(struct store *s, const char *path, struct loans_later_summary *sum, struct err *e);

/* Read the population register's event feed at registers_url from where
 * the last read stopped; for each person it names who has a loan account
 * and a date of death, write the whole debt off on that day. 0, or -1 with
 * e (ERR_IO when the register did not answer: nothing is lost, the next
 * run reads on from the same place). */
int loans_deaths(struct store *s, const char *registers_url, int64_t now, struct loans_later_summary *sum,
		 struct err *e);

/* eFaktura and AvtaleGiro (lanekassen.no, "Avtalegiro og e-faktura"): the
 * borrower sets up an agreement with their KID in their own bank; the bank
 * tells the agency. An invoice made while the borrower has one goes to the
 * bank (no paper fee): an eFaktura the bank shows, or an AvtaleGiro claim
 * the bank pays on the due day and reports in camt.054 like any payment
 * (matched by KID). */

/* Replace the agreements held with the bank's list (GET
 * bank_url/giro/v1/agreements); *taken (may be NULL) receives how many
 * belong to an account. 0, or -1 (ERR_IO: the bank did not answer). */
int loans_giro_sync(struct store *s, const char *bank_url, int64_t now, int *taken, struct err *e);

/* Send each invoice made for eFaktura or AvtaleGiro and not yet taken to
 * the bank (POST .../efaktura or .../avtalegiro/claims, ref "invoice:ID":
 * the bank takes a ref once, so a send repeated after a crash is
 * harmless). *sent (may be NULL) receives the count. 0, or -1. */
int loans_giro_send(struct store *s, const char *bank_url, int64_t now, int *sent, struct err *e);

/* Choose the due day of who's own invoices: the 5th, 15th or 25th of the
 * month ("Du kan velge forfallsdato den 5., 15. eller 25. i måneden":
 * lanekassen.no, "Fått første regning fra Lånekassen? Her er ti ting å
 * vite"), for the invoices made from now on; the plan keeps its months.
 * Asks the gate (loan.due-day). Fails with ERR_INVALID (field "day"),
 * ERR_CONFLICT without a loan account or when the account is called in,
 * handed over or closed. Audited. */
int loans_choose_due_day(struct store *s, const struct principal *who, int day, int64_t now, struct err *e);

/* The call-in or handover a letter of kind "loan-called-in" or
 * "loan-collection" carries, as template data: {kind ("called-in" or
 * "collection"), day, amount, kid, account}; NULL when letter_id carries
 * none. For the letter's page (templates/_loan_status.html). */
json_t *loans_status_letter(struct store *s, int64_t letter_id, struct arena *a);

/* The account's status for "Min gjeld": {status, called_in?, handed_over?,
 * died?, amount?}, or NULL for an open account (or on a store failure). */
json_t *loans_status_view(struct store *s, int64_t person_id, struct arena *a);

#endif
