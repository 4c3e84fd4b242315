/* loans2.h - the loan account's later life in the store (issue #11, the
 * open features): when support ended by the person's decisions, the
 * account's status beside it (called in, with the collection agency,
 * deceased) and the handover lines for Statens innkrevingssentral.
 *
 * Conventions as store.h: reads take the store (and an arena for lists)
 * and return 0, or for lists the count, or -1 with e filled; writes take a
 * transaction of store_write(). Thread-safe. Implemented in
 * sqlite_loans2.c (migration 0020). */
#ifndef STIPEND_STORE_LOANS2_H
#define STIPEND_STORE_LOANS2_H

#include <stdint.h>

#include "core/date.h"
#include "store/ledger.h"
#include "store/store.h"

struct arena;
struct err;

/* A person whose last month of support is known from their decisions. */
struct loan_support_end {
	int64_t person_id;
	char last_month[8]; /* "2025-06": the last month with a payout line */
};

/* The persons after after_id (by id, at most max) who have had a loan
 * paid out (a "disbursement" entry), whose account has no end of support
 * yet, whose every case is decided, and whose last month of support (the
 * latest month of their payout lines not cancelled: the last decided month
 * of the last school year) is before month ("2025-07"). Into out. Count or
 * -1. */
int store_loan_support_ends(struct store *s, int64_t after_id, const char *month, struct loan_support_end *out,
			    int max, struct err *e);

struct loan_status {
	int64_t person_id;
	const char *status; /* "called-in", "collection", "deceased" */
	date_t called_in;   /* LOAN_NO_DATE when not */
	int64_t called_in_amount, called_in_letter;
	date_t handed_over;
	int64_t handover_amount, handover_letter;
	const char *handover_file; /* NULL until written */
	date_t died;
	int64_t written_off;
};

/* person_id's status into *out (strings in a): 0 found, 1 none (an open
 * account), -1. */
int store_loan_status_get(struct store *s, int64_t person_id, struct loan_status *out, struct arena *a,
			  struct err *e);
int store_loan_status_get_tx(struct store_tx *tx, int64_t person_id, struct loan_status *out, struct arena *a,
			     struct err *e);
/* The status whose call-in or handover letter is letter_id: 0 found, 1
 * none, -1. */
int store_loan_status_by_letter(struct store *s, int64_t letter_id, struct loan_status *out, struct arena *a,
				struct err *e);
/* Insert or replace person_id's status. */
int store_loan_status_put(struct store_tx *tx, const struct loan_status *st, int64_t now, struct err *e);

/* The persons after after_id (at most max) with an invoice that got its
 * notice of termination (reminders = 2), is neither paid nor cancelled,
 * and whose account is not yet called in, handed over or deceased. Count
 * or -1. */
int store_loan_callin_candidates(struct store *s, int64_t after_id, int64_t *ids, int max, struct err *e);
/* The persons called in but not yet handed over, after after_id. */
int store_loan_called_in(struct store *s, int64_t after_id, int64_t *ids, int max, struct err *e);

/* One line of the handover to the collection agency. */
struct loan_handover {
	int64_t person_id;
	const char *nin, *kid;
	date_t called_in, handed_over;
	int64_t amount;
};
/* The handovers not yet written to a file, after after_id by person, at
 * most max, into *out (arena). Count or -1. */
int store_loan_handovers_unwritten(struct store *s, int64_t after_id, struct loan_handover **out, int max,
				   struct arena *a, struct err *e);
/* Mark person_id's handover as written to file. */
int store_loan_handover_written(struct store_tx *tx, int64_t person_id, const char *file, struct err *e);

/* The person whose number is nin, with a loan account: 0 (id set), 1 none,
 * -1. */
int store_loan_person_by_nin(struct store *s, const char *nin, int64_t *person_id, struct err *e);

/* ---- eFaktura and AvtaleGiro ---- */

/* Replace the agreements with the bank's list: kids[i] of kind kinds[i]
 * ("efaktura", "avtalegiro"); a KID no account has is skipped. *taken
 * receives how many were kept. */
int store_loan_giro_replace(struct store_tx *tx, const char *const *kids, const char *const *kinds, int n,
			    int64_t now, int *taken, struct err *e);
/* person_id's agreement kind into *kind (a static string): 0 found, 1
 * none, -1. */
int store_loan_giro_kind_tx(struct store_tx *tx, int64_t person_id, const char **kind, struct err *e);
int store_loan_giro_kind(struct store *s, int64_t person_id, const char **kind, struct err *e);
/* Record that invoice_id goes by channel ("efaktura", "avtalegiro"). */
int store_loan_invoice_channel_insert(struct store_tx *tx, int64_t invoice_id, const char *channel, struct err *e);

/* An invoice for the bank, not yet taken by it. */
struct loan_unsent {
	int64_t invoice_id;
	const char *channel, *kid;
	date_t due;
	int64_t amount; /* the term and its fee */
};
/* The invoices not yet sent to the bank, by id after after_id, at most
 * max, into *out (arena). Count or -1. */
int store_loan_invoices_unsent(struct store *s, int64_t after_id, struct loan_unsent **out, int max, struct arena *a,
			       struct err *e);
/* Mark invoice_id as taken by the bank (its id there). */
int store_loan_invoice_sent(struct store_tx *tx, int64_t invoice_id, int64_t bank_id, int64_t now, struct err *e);
/* The channel invoice_id went by into *channel (static): 0 found, 1 none
 * (the mailbox), -1. */
int store_loan_invoice_channel(struct store *s, int64_t invoice_id, const char **channel, struct err *e);

/* ---- resolving the payments no account took ---- */

/* Payment id into *out (strings in a), read in the transaction: 0 found,
 * 1 none, -1. */
int store_loan_payment_get_tx(struct store_tx *tx, int64_t id, struct loan_payment *out, struct arena *a,
			      struct err *e);
/* Record a refund of payment_id (a second fails with ERR_CONFLICT). */
int store_loan_refund_insert(struct store_tx *tx, int64_t payment_id, int64_t amount, const char *account,
			     const char *actor, int64_t entry_id, date_t day, int64_t now, struct err *e);

/* ---- the due day ---- */

/* person_id's chosen due day into *day: 0 found, 1 none, -1. */
int store_loan_due_day_tx(struct store_tx *tx, int64_t person_id, int *day, struct err *e);
int store_loan_due_day(struct store *s, int64_t person_id, int *day, struct err *e);
/* Set person_id's due day (5, 15 or 25). */
int store_loan_due_day_put(struct store_tx *tx, int64_t person_id, int day, int64_t now, struct err *e);

#endif
