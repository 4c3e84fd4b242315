/* inbox.h - what the mailbox adds to the portal's pages (portal/inbox.c):
 * the template data of the case page and the letter page, rendered from
 * what their domain functions returned (cases_person_case,
 * mbox_letter_view). Nothing here reads the store.
 * The mailbox's own pages are handlers (handlers.h). */
#ifndef STIPEND_PORTAL_INBOX_H
#define STIPEND_PORTAL_INBOX_H

#include <jansson.h>

#include "cases/person.h"
#include "mailbox/inbox.h"
#include "web/http.h"

/* The case page's data: the case, its decision, its letters, its
 * conversation with the form to write more ("write"), the upload form
 * while the case awaits documentation ("upload"), what became of the
 * latest request ("docs_state") and the notice of a message sent or
 * documents received (?sent=1, ?received=1). New reference. */
json_t *inbox_case_data(struct req *r, const struct case_view *v);

/* The letter page's data: the letter's model (taking v->model's
 * reference) and below it, on a request for documentation, the upload
 * form while it waits or what became of it; on an answer the conversation
 * of its case. New reference. */
json_t *inbox_letter_data(struct req *r, const struct mbox_letter_view *v);

#endif
