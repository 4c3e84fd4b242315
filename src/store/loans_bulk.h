/* loans_bulk.h - what the loan account's batch runs read in bulk, beyond
 * ledger.h.
 *
 * Conventions as store.h. Implemented in sqlite_loans_bulk.c (#11, the
 * speed the issue asks for). */
#ifndef STIPEND_STORE_LOANS_BULK_H
#define STIPEND_STORE_LOANS_BULK_H

#include <stdint.h>

#include "core/date.h"

struct arena;
struct err;
struct store;

/* An invoice not paid in full and not cancelled: what is left of it. */
struct loan_open_invoice {
	int64_t id, person_id;
	const char *kid;
	int64_t rest; /* amount + fee - paid, øre */
	date_t due;
};

/* Every person's open invoices by person and due day after (after_person,
 * after_due) (start with 0, 0), at most max, into *out (arena). Count or
 * -1. */
int store_loan_invoices_open_page(struct store *s, int64_t after_person, date_t after_due,
				  struct loan_open_invoice **out, int max, struct arena *a, struct err *e);

#endif
