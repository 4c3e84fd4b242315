/* view.h - template data for the portal's pages, in the request's
 * language. The summaries themselves are the mailbox's (mailbox/letter.h),
 * shared with the letter's PDF and its paper copy; these are the portal's
 * names for them. Nothing here reads the store. */
#ifndef STIPEND_PORTAL_VIEW_H
#define STIPEND_PORTAL_VIEW_H

#include <jansson.h>

#include "core/i18n.h"
#include "mailbox/letter.h"
#include "web/http.h"

/* The decision decision_json as template data in the request's language
 * (mbox_decision_json). New reference; NULL when there is none. */
json_t *view_decision(struct req *r, const char *decision_json);
/* The same in lang, with the arena for the keys it builds. */
json_t *view_decision_in(enum lang lang, struct arena *a, const char *decision_json);

/* #15: the decision as staff read it, about the applicant
 * (mbox_decision_json_for MBOX_FOR_STAFF), in the request's language. */
json_t *view_decision_staff(struct req *r, const char *decision_json);

/* A case's summary for lists (mbox_case_json). */
json_t *view_case(const struct case_rec *c);

/* A letter's summary for the inbox (mbox_letter_json). */
json_t *view_letter(const struct letter *l);

/* The catalogue key of the title of a letter of kind. */
const char *view_letter_title_key(const char *kind);

#endif
