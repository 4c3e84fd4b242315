/* resolve.h - the payments no loan account took (an unknown KID, or more
 * than the borrower's debt), resolved by a case worker (issue #11):
 * booked to a borrower's account chosen by national identity number or
 * KID, or refunded to the payer's account. Each a ledger entry and an
 * audit record.
 *
 * Such a payment is in the agency's bank from the day it was booked, so it
 * is posted at once on agency.suspense ("payment" entry, no person: debit
 * agency.bank, credit agency.suspense). Booking it to a borrower moves it
 * from agency.suspense to their loan (interest first, then principal, the
 * open invoices oldest first, as any payment); a refund takes it from
 * agency.suspense back out of agency.bank, with a refund record for the
 * bank (loan_refunds). Thread-safe. */
#ifndef STIPEND_LOANS_RESOLVE_H
#define STIPEND_LOANS_RESOLVE_H

#include <stdint.h>

#include "access/access.h"
#include "core/date.h"

struct err;
struct params;
struct store;
struct store_tx;

/* Within tx: post payment_id's receipt on agency.suspense (booked on
 * booked) and leave it unmatched (person_id: the account whose debt it
 * exceeded, or 0). Returns 0 or -1. */
int loans_payment_suspend(struct store_tx *tx, int64_t payment_id, int64_t person_id, int64_t amount, date_t booked,
			  struct err *e);

/* Book unmatched payment_id to the account of the borrower with national
 * identity number nin, or (nin NULL or empty) with KID kid. Asks the gate
 * (loan.payment.resolve). Fails with ERR_INVALID (field "nin" or "kid")
 * when neither names an account, ERR_NOT_FOUND (field "payment") for no
 * such payment, ERR_CONFLICT when it is resolved already, or (field
 * "amount") when it is more than the borrower's debt (refund it instead).
 * *person (may be NULL) receives the borrower. What is left after the
 * open invoices is an extra payment: within a fixed-rate agreement its
 * interest loss or gain is posted with it, with the rates of new
 * agreements in params (#11, loans/fixedpost.h). Audited as
 * loan.payment.book. */
int loans_payment_book_to(struct store *s, const struct params *params, const struct principal *who,
			  int64_t payment_id, const char *nin, const char *kid, date_t today, int64_t now, int64_t *person,
			  struct err *e);

/* Refund unmatched payment_id to the payer's account (11 digits, MOD11),
 * on day today. Asks the gate (loan.payment.resolve). Fails with
 * ERR_INVALID (field "account"), ERR_NOT_FOUND, ERR_CONFLICT as above.
 * Audited as loan.payment.refund. */
int loans_payment_refund(struct store *s, const struct principal *who, int64_t payment_id, const char *account,
			 date_t today, int64_t now, struct err *e);

#endif
