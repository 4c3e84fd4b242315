/* internal.h - what the payout room's files share: the day of a moment,
 * planning a batch of cases, the HTTP calls to the bank and the registers,
 * and the ISO 20022 messages. Only src/payout/ includes it. */
#ifndef STIPEND_PAYOUT_INTERNAL_H
#define STIPEND_PAYOUT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "store/payout.h"

struct arena;
struct buf;
struct err;
struct payout_run_result;
struct store;

/* The bank books a credit on the account at most this many banking days
 * after the payment date (two or three). */
#define PAYOUT_BANK_DAYS_MAX 3

/* The UTC day of a Unix time. */
date_t payout_day(int64_t now);

/* Plan n cases of store_payout_cases_to_plan(): first plans in one
 * transaction, plans made again one by one. */
int payout_plan_batch(struct store *s, struct payout_case *cases, int n, int64_t now, struct arena *a,
		      struct payout_run_result *out, struct err *e);

/* One HTTP exchange: method to url with body (may be NULL) of content
 * type ctype; the answer's body into out (bounded by its max) and its
 * status into *status. Returns 0 when an answer came (any status), -1 with
 * ERR_IO when none did. */
int payout_http(const char *method, const char *url, const char *ctype, const void *body, size_t len,
		struct buf *out, long *status, struct err *e);

/* ---- ISO 20022 (iso20022.c) ---- */

/* The agency as debtor, and its account. */
#define PAYOUT_DEBTOR_NAME "Statens laanekasse for utdanning"
#define PAYOUT_DEBTOR_ACCOUNT "76940512057"

struct pain001_writer;

/* Start a pain.001.001.03 file at path (created, truncated) for n payments
 * summing to total_ore, executed on exec_date. The SHA-256 of what is
 * written is kept as it goes; every byte is also written to tee when it is
 * not -1 (a check's pipe). Returns NULL with e filled. */
struct pain001_writer *pain001_open(const char *path, const char *msg_id, int64_t created_at, int64_t n,
				    int64_t total_ore, date_t exec_date, int tee, struct err *e);
/* One credit transfer: end_to_end "P<payment id>". */
int pain001_add(struct pain001_writer *w, const char *end_to_end, const char *name, const char *account,
		int64_t amount_ore, const char *remittance, struct err *e);
/* Finish, flush and fsync the file; sha256 (65 bytes) receives its
 * digest. The writer is freed either way. */
int pain001_close(struct pain001_writer *w, char sha256[65], struct err *e);
/* Free a writer that failed, leaving the file for the caller to remove. */
void pain001_abort(struct pain001_writer *w);

/* The schema's check of a file while it is written: start it, give
 * pain001_check_fd() to pain001_open() as its tee, and after
 * pain001_close() (or _abort) ask pain001_check_finish() for the verdict:
 * 0 when the bytes written are valid pain.001.001.03, else -1 with
 * ERR_INVALID naming the first problem and its line. Finish frees the
 * check; it must be called once for each check started. */
struct pain001_check;
struct pain001_check *pain001_check_start(struct err *e);
int pain001_check_fd(const struct pain001_check *c);
int pain001_check_finish(struct pain001_check *c, struct err *e);

/* A status per transaction from a pain.002 or an entry of a camt.054. */
struct bank_status {
	const char *end_to_end; /* "P<payment id>" */
	const char *status;     /* pain.002: "ACCP" or "RJCT"; camt.054: "BOOK" */
	const char *reason;     /* RJCT: the reason code (AC01, AC04, ...), else NULL */
	const char *booked;     /* camt.054: the entry's booking day (YYYY-MM-DD), else NULL */
};

/* Parse a pain.002.001.03 (kind "pain.002") or camt.054.001.02 (kind
 * "camt.054") message: its transactions' statuses into *out (arena).
 * Returns the count, or -1 with ERR_INVALID. */
int bank_parse(const char *kind, const char *xml, size_t len, struct bank_status **out, struct arena *a,
	       struct err *e);

#endif
