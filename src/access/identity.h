/* identity.h - who the acting identity is, as the page header names it.
 *
 * The layout of every page says who is logged in: a person by their given
 * and family name, a member of staff by their name. That is the principal's
 * own name, shown to the principal, so it asks the policy nothing and
 * audits nothing; it names the one logged in (who->person_id), not the
 * person they act for. */
#ifndef STIPEND_IDENTITY_H
#define STIPEND_IDENTITY_H

#include "access/access.h"

struct arena;
struct err;
struct store;

/* The display name of who: "Kari Nordmann" for a person, the staff
 * record's name for a member of staff. Returns 0 with *name (allocated in
 * a), 1 when who has no name to show (an anonymous visitor, or a record
 * that is gone), or -1 with e filled when the store failed. Thread-safe. */
int access_identity_name(struct store *s, const struct principal *who, const char **name, struct arena *a,
			 struct err *e);

#endif
