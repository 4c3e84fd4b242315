/* messages.c - e-henvendelse: the person's messages about a case and the
 * case workers' answers, delivered as letters; see messages.h.
 *
 * The policy decides: writing about one's own case is ACT_MESSAGE_WRITE (a
 * person for themself, never a case worker), answering ACT_MESSAGE_ANSWER
 * (case workers), and reading the conversation goes with reading the case
 * (ACT_CASE_READ). */
#include "mailbox/messages.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/arena.h"
#include "core/err.h"
#include "mailbox/mailbox.h"

char *msg_text_clean(struct arena *a, const char *text)
{
	if (text == NULL)
		return NULL;
	while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
		text++;
	char *out = arena_strdup(a, text), *o = out;
	for (const char *p = out; *p; p++)
		if (!(p[0] == '\r' && p[1] == '\n'))
			*o++ = *p == '\r' ? '\n' : *p;
	*o = '\0';
	while (o > out && (o[-1] == ' ' || o[-1] == '\t' || o[-1] == '\n'))
		*--o = '\0';
	return out;
}

int msg_text_ok(const char *s, size_t min, size_t max)
{
	if (s == NULL)
		return 0;
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;
	while (*p) {
		unsigned c = *p;
		int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (len == 0 || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
			return 0;
		for (int i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		/* Overlong three-byte forms and UTF-16 surrogates are not text. */
		if (len == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)))
			return 0;
		if (len == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)))
			return 0;
		if (len == 1 && ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F))
			return 0;
		if (len == 2 && c == 0xC2 && p[1] < 0xA0)
			return 0; /* C1 controls */
		p += len;
		chars++;
	}
	return chars >= min && chars <= max;
}


/* ---- the person writes ---- */

struct writing {
	struct message m;
	char actor[64];
	int64_t id;
};

static int store_writing(struct store_tx *tx, void *arg, struct err *e)
{
	struct writing *w = arg;
	char object[32], detail[48];
	snprintf(object, sizeof(object), "case:%lld", (long long)w->m.case_id);
	if (store_message_insert(tx, &w->m, &w->id, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "message=%lld", (long long)w->id);
	return audit_append(tx, w->m.created_at, w->actor, "message.received", object, detail, e);
}

int msg_write(struct store *s, const struct principal *who, int64_t case_id, const char *text, int64_t now,
	      int64_t *id, struct err *e)
{
	struct case_rec c;
	struct arena a;
	arena_init(&a, 0);
	int rc = cases_gate(s, who, ACT_MESSAGE_WRITE, case_id, now, &c, &a, e);
	int64_t owner = c.person_id;
	arena_cleanup(&a);
	if (rc != 0)
		return -1;
	if (!msg_text_ok(text, 1, MSG_TEXT_MAX))
		return err_set(e, ERR_INVALID, "text", "a message is 1 to %d characters of text", MSG_TEXT_MAX);
	struct writing w = {{0, case_id, owner, "in", 0, text, now, 0, 0, 0}, "", 0};
	access_actor(who, w.actor, sizeof(w.actor));
	if (store_write(s, store_writing, &w, e) != 0)
		return -1;
	if (id)
		*id = w.id;
	return 0;
}

/* ---- a case worker answers ---- */

struct answering {
	int64_t message_id;
	const char *text;
	int64_t now, staff_id;
	char actor[64];
	int found; /* the message is an incoming one */
	int64_t letter_id;
	struct arena *a;
};

static int store_answer(struct store_tx *tx, void *arg, struct err *e)
{
	struct answering *q = arg;
	struct message in;
	int rc = store_message_get_tx(tx, q->message_id, &in, q->a, e);
	if (rc < 0)
		return -1;
	q->found = rc == 0 && strcmp(in.direction, "in") == 0;
	if (!q->found)
		return err_set(e, ERR_NOT_FOUND, NULL, "no such message");
	struct message out = {0, in.case_id, in.person_id, "out", q->staff_id, q->text, q->now, 0, 0, 0};
	int64_t answer_id;
	char object[32], detail[96];
	if (store_message_insert(tx, &out, &answer_id, e) != 0 ||
	    store_message_answered(tx, in.id, answer_id, q->now, e) != 0 ||
	    mbox_deliver(tx, in.person_id, in.case_id, "answer", q->now, &q->letter_id, e) != 0 ||
	    store_message_set_letter(tx, answer_id, q->letter_id, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "case:%lld", (long long)in.case_id);
	snprintf(detail, sizeof(detail), "message=%lld answer=%lld letter=%lld", (long long)in.id, (long long)answer_id,
		 (long long)q->letter_id);
	return audit_append(tx, q->now, q->actor, "message.answered", object, detail, e);
}

int msg_answer(struct store *s, const struct principal *who, int64_t message_id, const char *text, int64_t now,
	       int64_t *letter_id, struct err *e)
{
	char object[32];
	snprintf(object, sizeof(object), "message:%lld", (long long)message_id);
	/* The policy asks about the person the message is from. */
	struct message m;
	struct arena a;
	arena_init(&a, 0);
	int rc = store_message_get(s, message_id, &m, &a, e);
	int64_t owner = rc == 0 ? m.person_id : 0;
	if (rc < 0) {
		arena_cleanup(&a);
		return -1;
	}
	if (rc > 0 || strcmp(m.direction, "in") != 0)
		owner = 0; /* only a person's message is answered */
	if (access_check(s, who, ACT_MESSAGE_ANSWER, owner, object, "message", now, e) != 0) {
		arena_cleanup(&a);
		return -1;
	}
	/* An answered message is answered whatever the text: 409 before any
	 * 422, so that an empty second answer is no page of the message. */
	if (m.answered_at != 0) {
		arena_cleanup(&a);
		return err_set(e, ERR_CONFLICT, NULL, "message %lld is answered already", (long long)message_id);
	}
	if (!msg_text_ok(text, 1, MSG_TEXT_MAX)) {
		arena_cleanup(&a);
		return err_set(e, ERR_INVALID, "text", "an answer is 1 to %d characters of text", MSG_TEXT_MAX);
	}
	struct answering q = {message_id, text, now, who->staff_id, "", 0, 0, &a};
	access_actor(who, q.actor, sizeof(q.actor));
	rc = store_write(s, store_answer, &q, e);
	arena_cleanup(&a);
	if (rc != 0)
		return -1;
	if (letter_id)
		*letter_id = q.letter_id;
	return 0;
}

int msg_conversation(struct store *s, const struct principal *who, int64_t case_id, int64_t owner_person_id,
		     struct message **out, struct arena *a, struct err *e)
{
	if (!access_allowed(who, ACT_CASE_READ, owner_person_id) && !access_allowed(who, ACT_MESSAGE_READ, owner_person_id))
		return err_set(e, ERR_NOT_FOUND, NULL, "no such case");
	int n = store_messages_of_case(s, case_id, out, a, e);
	/* A conversation is one person's: never show another's messages,
	 * even if a case were ever to change hands. */
	int kept = 0;
	for (int i = 0; i < n; i++)
		if ((*out)[i].person_id == owner_person_id)
			(*out)[kept++] = (*out)[i];
	return n < 0 ? -1 : kept;
}
