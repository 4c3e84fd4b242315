/* letter.h - one letter as its reader sees it: the model its page, its PDF
 * (mailbox/pdf.h) and its paper copy (mailbox/paper.h) are all drawn from,
 * and the summaries of cases, decisions and letters that lists show.
 *
 * The model is template data (JSON) in the reader's language: catalogue
 * keys where the text depends on the language, the stored values where it
 * does not. It is built from the store as the letter was issued (a
 * decision letter keeps saying what it said after the case was decided
 * again). Building it asks no policy: the caller has opened the letter
 * through mbox_open() (which asks and audits) or is the paper run, which
 * acts for the agency. */
#ifndef STIPEND_MAILBOX_LETTER_H
#define STIPEND_MAILBOX_LETTER_H

#include <jansson.h>

#include "core/i18n.h"
#include "store/store.h"

struct arena;

/* The decision decision_json (the contract's JSON) as template data in
 * lang: outcome, awards with names and amounts, each rule's explanation
 * re-rendered from its catalogue key, manual reasons, and when a case
 * worker made it (its last step is "caseworker.decision") by_caseworker
 * and the justification. Keys it builds come from a. New reference; NULL
 * when decision_json is NULL or no JSON. Touches no store; thread-safe. */
json_t *mbox_decision_json(enum lang lang, struct arena *a, const char *decision_json);

/* #15: who reads a decision. The applicant is spoken to ("Du oppga",
 * "Foreldrene dine"); staff read the same decision about the applicant
 * ("Søkeren oppga", "Foreldrene"). */
enum mbox_audience { MBOX_FOR_APPLICANT, MBOX_FOR_STAFF };

/* The catalogue key that says key to audience: for staff "staff.<key>"
 * when the catalogues hold it, else key itself (a sentence with no person
 * in it reads the same to both); for the applicant key. The one place the
 * choice is made, so a staff wording is added in the catalogue alone.
 * Returns key or a string from a. Thread-safe. */
const char *mbox_audience_key(enum mbox_audience who, const char *key, struct arena *a);

/* mbox_decision_json worded for audience: every explanation, reason,
 * condition and the discrepancies (with "discrepancies_key" for their
 * heading and each one's "more_key") through mbox_audience_key(). */
json_t *mbox_decision_json_for(enum lang lang, struct arena *a, const char *decision_json,
			       enum mbox_audience who);

/* Name the figure a parameter-not-in-force reason waits for: when the
 * stored reason (the decision JSON's) names a parameter the catalogues
 * have a label for ("parameter.<key>"), set "parameter_label_key" on the
 * template data reason. Keys come from a. */
void mbox_reason_parameter(json_t *reason, const json_t *stored, struct arena *a);

/* A case's summary for lists: id, scheme_key, school_year, status,
 * status_key, outcome, outcome_key, received, received_day, and
 * waiting_key while it waits for a register. New reference. */
json_t *mbox_case_json(const struct case_rec *c);

/* A letter's summary for lists: id, case_id, kind, title_key, sender_key
 * (the unit that sent it), created, day, unread, and notice_key when a
 * notice was sent or tried (notify_status_key); paper_day when it went on
 * paper as well. New reference. */
json_t *mbox_letter_json(const struct letter *l);

/* The catalogue key of the title of a letter of kind ("decision",
 * "documentation-request", ...; any other kind: the general title). */
const char *mbox_letter_title_key(const char *kind);

/* The whole letter l as template data in lang, for its page, its PDF and
 * its paper copy alike: "letter" (mbox_letter_json), "recipient" (name,
 * address, postal, confidential: the letter's owner is its reader, so even
 * a confidential address is theirs to see), "request" (a documentation
 * request's text and deadline), "reminder" (cal_reminder_view), "answer"
 * (a case worker's answer with the questions it answers), "case"
 * (mbox_case_json) and, on a decision letter, "decision" (the decision in
 * force when the letter was issued, mbox_decision_json). Reads the store;
 * what cannot be read is left out. New reference; strings in a. */
json_t *mbox_letter_model(struct store *s, enum lang lang, struct arena *a, const struct letter *l);

#endif
