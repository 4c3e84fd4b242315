/* mailbox.h - the secure digital mailbox: letters delivered to a person,
 * opened by them, with the first reading recorded and audited.
 *
 * A letter's content is rendered from the case it belongs to, in the
 * reader's language, so that one letter serves bokmål and English alike;
 * the stored decision is the legal record. */
#ifndef STIPEND_MAILBOX_H
#define STIPEND_MAILBOX_H

#include <stdint.h>

#include "access/access.h"
#include "store/store.h"

struct arena;
struct err;

/* The unit of the agency that sends letters of kind, as a catalogue key's
 * last part: "student-support" (decisions), "case-processing" (requests for
 * documentation, answers), "customer-service" (reminders, information);
 * the page shows it as i18n key "unit.<unit>". */
const char *mbox_sender_unit(const char *kind);

/* Deliver a letter of kind ("decision") about case_id to person_id, within
 * tx, with its audit record. When the person has a channel for notices
 * (store_notice_channel) the letter's notice is pending and the "notice"
 * job is enqueued in tx; otherwise its notice_status is "none". */
int mbox_deliver(struct store_tx *tx, int64_t person_id, int64_t case_id, const char *kind, int64_t now,
		 int64_t *letter_id, struct err *e);

/* Open a letter for who: records the first reading, audits the reading
 * (or the refusal), and fills out. Returns 0, or -1 with ERR_NOT_FOUND when
 * the letter does not exist or is not who's. */
int mbox_open(struct store *s, const struct principal *who, int64_t letter_id, int64_t now, struct letter *out,
	      struct arena *a, struct err *e);

#endif
