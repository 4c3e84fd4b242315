/* messages.h - e-henvendelse: the person writes to the agency about a case
 * in the secure channel, a case worker answers, and the answer reaches the
 * person's mailbox as a letter of kind "answer". The whole conversation is
 * kept with the case (store/messages.h).
 *
 * Each act is one transaction with its audit record: the person's message
 * ("message.received"), the answer with its letter ("message.answered",
 * "letter.issued"). Only the person whose case it is may write about it,
 * and only a case worker may answer; anyone else meets ERR_NOT_FOUND, the
 * refusal audited, so that a refusal reveals nothing. */
#ifndef STIPEND_MAILBOX_MESSAGES_H
#define STIPEND_MAILBOX_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "store/messages.h"

struct arena;
struct err;
struct store;

#define MSG_TEXT_MAX 4000 /* characters of a message or an answer */

/* A text as a form sent it, made ready to store: surrounding white space
 * trimmed, CR LF made LF. NULL for NULL; a copy in a. */
char *msg_text_clean(struct arena *a, const char *text);

/* 1 when s is well-formed UTF-8 of min to max characters (code points)
 * with no control characters but line feeds and tabs. */
int msg_text_ok(const char *s, size_t min, size_t max);

/* who (a person) writes text about case_id: stored as an incoming message
 * with its audit record, *id (may be NULL) receiving its id. ERR_INVALID
 * (field "text") for a text msg_text_ok refuses (1 to MSG_TEXT_MAX
 * characters); ERR_NOT_FOUND, audited, when the case does not exist or is
 * not who's. */
int msg_write(struct store *s, const struct principal *who, int64_t case_id, const char *text, int64_t now,
	      int64_t *id, struct err *e);

/* who (a case worker) answers the incoming message message_id with text:
 * the answer is stored in the conversation, the message (and any earlier
 * one of the case still waiting) marked answered, and a letter of kind
 * "answer" delivered to the person, in one transaction; *letter_id (may
 * be NULL) receives the letter. Asks, in this order: ERR_NOT_FOUND when
 * there is no such incoming message or who may not answer (audited by the
 * gate, "message.answer.denied"); ERR_CONFLICT, changing nothing, when it
 * was answered already (whatever the text); ERR_INVALID (field "text") as
 * msg_write. */
int msg_answer(struct store *s, const struct principal *who, int64_t message_id, const char *text, int64_t now,
	       int64_t *letter_id, struct err *e);

/* The conversation about case_id (owned by owner_person_id) for who:
 * its messages oldest first into *out. The caller has read the case or
 * letter through cases_read or mbox_open, which audit the reading; this
 * asks the policy again and fails with ERR_NOT_FOUND when who may not read
 * it. Returns the count or -1. */
int msg_conversation(struct store *s, const struct principal *who, int64_t case_id, int64_t owner_person_id,
		     struct message **out, struct arena *a, struct err *e);

#endif
