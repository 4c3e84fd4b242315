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

#endif
