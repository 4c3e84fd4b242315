/* inbox.h - what the mailbox adds to the portal's pages (portal/inbox.c):
 * the data the case page and the letter page show about letters, the
 * conversation and documentation.
 * The mailbox's own pages are handlers (handlers.h). */
#ifndef STIPEND_PORTAL_INBOX_H
#define STIPEND_PORTAL_INBOX_H

#include <jansson.h>

#include "core/i18n.h"
#include "store/store.h"
#include "web/http.h"

/* Add to the case page's data d (case c, already read through cases_read,
 * which audited it): the case's letters ("letters", found in SQL), its
 * conversation ("conversation") with the form to write more ("write"),
 * the upload form while the case awaits documentation ("upload"), and
 * what became of the latest request ("docs_state"). */
void inbox_case_extras(struct req *r, json_t *d, const struct case_rec *c);

/* Add to the letter page's data d (letter l, opened through mbox_open,
 * which audited it): on a request for documentation the upload form while
 * it waits, or what became of it; on an answer the conversation of its
 * case. */
void inbox_letter_extras(struct req *r, json_t *d, const struct letter *l);

#endif
