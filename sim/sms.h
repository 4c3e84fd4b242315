/* sms.h - the test SMS gateway that the register simulator serves
 * beside the registers: it accepts messages as an operator's gateway would
 * (POST /sms/v1/messages {"to": "+4791234567", "text": "..."} -> 202
 * {"id": n}) and, unlike one, lets tests and the demo read what arrived
 * (GET /sms/v1/messages?to=+4791234567 -> {"messages": [{id, to, text,
 * received_at}]}, oldest first). Messages are kept in memory, the newest
 * SMS_GATEWAY_KEEP only. Its failure mode is set like a register's, through
 * the simulator's /_control with register "sms". All functions are
 * thread-safe. */
#ifndef STIPEND_SIM_SMS_H
#define STIPEND_SIM_SMS_H

#include <stddef.h>

struct buf;
struct err;

#define SMS_GATEWAY_KEEP 1000
#define SMS_GATEWAY_PATH "/sms/v1/messages"

/* 1 when url is the gateway's. */
int sms_gateway_handles(const char *url);

/* Answer method on the gateway's path: to is the query's "to" (may be
 * NULL; a "+" decoded to a blank is read as "+"), body the request body.
 * Appends the JSON answer to out and returns the HTTP status, or 0 when the
 * connection is to be closed without an answer (mode "down"). The failure
 * modes apply to sending (POST) only: reading what arrived always works. */
int sms_gateway_answer(const char *method, const char *to, const char *body, size_t len, struct buf *out);

/* Set how sending answers: "ok", "error" (500) or "down" (the connection
 * closed). Returns 0, or -1 with ERR_INVALID and field "mode". */
int sms_gateway_set_mode(const char *mode, struct err *e);

/* Forget every message and answer "ok" again. */
void sms_gateway_reset(void);

#endif
