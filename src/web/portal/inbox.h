/* inbox.h - what the mailbox adds to the portal's pages (portal/inbox.c):
 * the data the case page and the letter page show about letters, the
 * conversation and documentation, and the model of an answer letter.
 * The mailbox's own pages are handlers (handlers.h). */
#ifndef STIPEND_PORTAL_INBOX_H
#define STIPEND_PORTAL_INBOX_H

#include <jansson.h>

#include "core/i18n.h"
#include "store/store.h"
#include "web/http.h"

/* view_letter_page() for every kind of letter: for an answer ("answer")
 * the model has the answer ("answer": text, day) and the messages it
 * answers ("questions") instead of the case's decision, so that the page,
 * a PDF and a paper copy say what the case worker wrote. New reference.
 * Same signature as view_letter_page. */
json_t *inbox_letter_page(struct store *s, enum lang lang, struct arena *a, const struct letter *l);

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
