/* bank.h - the simulated bank the agency pays through (internal to sim/):
 * it takes ISO 20022 payment files and answers as a bank does.
 *
 *   POST /bank/v1/payments      a pain.001.001.03 file: answers 200 with a
 *                               pain.002.001.03 status report, one status
 *                               per transfer: ACCP, or RJCT with reason
 *                               AC04 (the account is closed) or AC01 (no
 *                               such account). A file whose MsgId the bank
 *                               has taken is answered as the first time,
 *                               and pays nothing again.
 *   GET  /bank/v1/notifications?date=YYYY-MM-DD
 *                               a camt.054.001.02 debit notification of the
 *                               agency's account: every transfer booked on
 *                               or before the day, each entry with its
 *                               booking day (BookgDt): a transfer is booked
 *                               two or three banking days after its
 *                               requested execution date (weekends and
 *                               Norway's public holidays skipped).
 *
 * Which accounts exist and are open it learns from the account register
 * (sim/accounts.h). State is kept in memory. Thread-safe. */
#ifndef STIPEND_SIM_BANK_H
#define STIPEND_SIM_BANK_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define BANK_MAX_BODY (1u << 30) /* a file of a million transfers fits */

/* 1 when url is the bank's. */
int bank_handles(const char *url);

/* Answer method on url (date: the query's "date", may be NULL), body the
 * request body; the answer into out. Returns the HTTP status. */
int bank_answer(const char *method, const char *url, const char *date, const char *body, size_t len,
		struct buf *out, int64_t persons, uint64_t seed, int64_t now);

#endif
