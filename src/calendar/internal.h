/* internal.h - what the calendar's files share and no one else sees. */
#ifndef STIPEND_CALENDAR_INTERNAL_H
#define STIPEND_CALENDAR_INTERNAL_H

#include <stdint.h>

#include "access/access.h"

struct err;
struct store;

/* Ask the gate whether who may do act on the things of the person who acts
 * on (access_subject(who)), object "person:N" ("-" when there is no such
 * person: an anonymous visitor or a member of staff). what names the
 * thing in the refusal's message. Returns 0 when allowed, else -1 as
 * access_check (the refusal audited). */
int cal_gate(struct store *s, const struct principal *who, enum action act, const char *what, int64_t now,
	     struct err *e);

#endif
