/* giro.h - the simulated bank: it takes payments to the agency's account
 * with a KID, as a payer's online bank would (refusing a KID whose MOD10
 * check digit is wrong, as Norwegian banks do), and reports the booked
 * credits to the agency as an ISO 20022 camt.054 notification:
 *
 *   POST /giro/v1/payments {"kid", "amount_ore", "booked": "YYYY-MM-DD",
 *        "debtor"?, "account"?}            -> 201 {"id", "ref"}
 *   GET  /giro/v1/reports/camt054[?account=76940520300]
 *                                          -> 200 camt.054.001.08 XML of
 *                                             every credit booked, oldest first
 *
 *   POST /giro/v1/agreements {"kid", "kind": "efaktura"|"avtalegiro"}
 *                                          -> 201 (the payer's online bank sets
 *                                             one up; one a KID)
 *   GET  /giro/v1/agreements               -> 200 {"agreements": [{"kid", "kind"}]}
 *   POST /giro/v1/efaktura {"kid", "amount_ore", "due", "ref"}
 *                                          -> 201 {"id"} (200 for a ref seen
 *                                             before; 422 kid without an
 *                                             eFaktura agreement)
 *   GET  /giro/v1/efaktura[?kid=K]         -> 200 {"invoices": [...]}
 *   POST /giro/v1/avtalegiro/claims {"kid", "amount_ore", "due", "ref"}
 *                                          -> 201 {"id"}: paid by the bank on
 *                                             its due day (a credit booked that
 *                                             day, debtor "AvtaleGiro")
 *   GET  /giro/v1/reports/camt054?to=DAY   -> the credits booked by DAY only
 *
 * Credits are kept in memory (the newest GIRO_KEEP). All functions are
 * thread-safe. */
#ifndef STIPEND_SIM_GIRO_H
#define STIPEND_SIM_GIRO_H

#include <stddef.h>

struct buf;

#define GIRO_KEEP 100000
#define GIRO_ACCOUNT "76940520300"

/* 1 when url is one of the bank's. */
int giro_handles(const char *url);

/* Answer method on url with body; appends the answer (JSON, or the XML
 * report) to out, sets *xml when it is XML, and returns the HTTP status. */
int giro_answer(const char *method, const char *url, const char *body, size_t len, struct buf *out, int *xml);

/* giro_answer() with the query's kid and to (NULL when absent): the
 * agreements, eFaktura and AvtaleGiro (#11), and the report up to a day. */
int giro_answer2(const char *method, const char *url, const char *query_kid, const char *query_to, const char *body,
		 size_t len, struct buf *out, int *xml);

#endif
