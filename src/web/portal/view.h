/* view.h - turning stored records into template data for the portal. */
#ifndef STIPEND_PORTAL_VIEW_H
#define STIPEND_PORTAL_VIEW_H

#include <jansson.h>

#include "core/i18n.h"

#include "store/store.h"
#include "web/http.h"

/* The decision stored with a case, as template data in the request's
 * language: outcome, awards with names and amounts, each rule's
 * explanation re-rendered from its catalogue key, manual reasons, and
 * when a case worker made it (its last step is "caseworker.decision")
 * by_caseworker and the justification. New reference; NULL when the case
 * has no decision. */
json_t *view_decision(struct req *r, const char *decision_json);
/* The same in lang, with the arena for the keys it builds. */
json_t *view_decision_in(enum lang lang, struct arena *a, const char *decision_json);

/* A case's summary for lists: id, scheme, school year, status, dates. */
json_t *view_case(const struct case_rec *c);

/* A letter's summary for the inbox: id, case_id, kind, title_key,
 * sender_key (the unit that sent it), created, day, unread, and
 * notice_key when a notice was sent or tried (notify_status_key);
 * paper_day when it went on paper as well (its print batch's day). */
json_t *view_letter(const struct letter *l);

/* A whole letter as template data, for its page, its PDF and its paper
 * copy alike: "letter" (view_letter), "recipient" (name, address, postal,
 * confidential), "request" (a documentation request's text and deadline),
 * "case" (view_case) and "decision" (view_decision_in). New reference. */
json_t *view_letter_page(struct store *s, enum lang lang, struct arena *a, const struct letter *l);

/* The catalogue key of the title of a letter of kind ("decision",
 * "documentation-request"). */
const char *view_letter_title_key(const char *kind);

/* Ask a visitor who is not logged in to log in; returns 1 when it did. */
int view_require_login(struct req *r, struct resp *w);

#endif
