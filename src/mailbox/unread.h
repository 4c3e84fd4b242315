/* unread.h - how many of a person's letters are unread, for the page
 * header's "Innboks (2)".
 *
 * The count is shown only to whom the policy lets read the letters
 * (access_allowed with ACT_LETTER_READ on access_subject(who)): it decides
 * what to show, so it refuses nothing and audits nothing. A case worker or
 * a visitor has no mailbox to count. */
#ifndef STIPEND_UNREAD_H
#define STIPEND_UNREAD_H

#include "access/access.h"

struct err;
struct store;

/* The number of unread letters of the person who acts on
 * (access_subject(who)). Returns 0 with *count, 1 when who has no mailbox
 * to show (*count 0), or -1 with e filled when the store failed.
 * Thread-safe. */
int mbox_unread_count(struct store *s, const struct principal *who, int *count, struct err *e);

#endif
