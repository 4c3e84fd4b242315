/* messages.h - the mailbox's own storage: finding letters by sender, case,
 * kind, read state and free text; the conversation about a case
 * (e-henvendelse); documents sent in answer to a request for
 * documentation, and what became of each request.
 *
 * Conventions as store.h: reads take the store and an arena (results live
 * in the arena) and return 0 found, 1 not found, -1 with e filled, or for
 * lists the count; writes take a transaction of store_write(). Thread-safe.
 * Implemented in sqlite_messages.c (migration 0009). */
#ifndef STIPEND_STORE_MESSAGES_H
#define STIPEND_STORE_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct arena;
struct err;

/* ---- finding letters ---- */

enum letter_read { LETTERS_ANY, LETTERS_UNREAD, LETTERS_READ };

/* Which of a person's letters to find. Free text is matched by the caller
 * against what the reader sees (titles by kind, senders by unit, in the
 * reader's language): it passes the kinds and units whose text matched. */
struct letter_query {
	int64_t person_id;       /* required: only this person's letters */
	int64_t case_id;         /* 0: any case */
	const char *kind;        /* NULL: any kind */
	const char *sender_unit; /* NULL: any sender */
	enum letter_read read;
	/* Free text: when text is set, only letters whose kind is among
	 * text_kinds, whose sender is among text_units, or (text_other) whose
	 * kind is not among known_kinds. Each list is a JSON array of strings
	 * ("[\"decision\"]"); NULL is the empty list. */
	int text;
	const char *text_kinds, *text_units, *known_kinds;
	int text_other;
	int offset, limit; /* limit 1..LETTERS_FIND_MAX */
};

#define LETTERS_FIND_MAX 100

/* The letters q finds, newest first, from q->offset, at most q->limit, into
 * *out (arena); *total (may be NULL) receives how many match in all.
 * Returns the count listed or -1. */
int store_letters_find(struct store *s, const struct letter_query *q, struct letter **out, int64_t *total,
		       struct arena *a, struct err *e);

/* ---- the conversation about a case ---- */

struct message {
	int64_t id;
	int64_t case_id, person_id;
	const char *direction; /* "in": from the person, "out": from a case worker */
	int64_t staff_id;      /* "out": who answered; else 0 */
	const char *text;
	int64_t created_at;
	int64_t answered_at; /* "in": when it was answered, 0 while it waits */
	int64_t answer_id;   /* "in": the answer, 0 while it waits */
	int64_t letter_id;   /* "out": the letter that carried it, else 0 */
};

/* Store m (id ignored); *id (may be NULL) receives its id. */
int store_message_insert(struct store_tx *tx, const struct message *m, int64_t *id, struct err *e);
int store_message_get(struct store *s, int64_t id, struct message *out, struct arena *a, struct err *e);
/* The same within tx, for a writer that must see its own transaction. */
int store_message_get_tx(struct store_tx *tx, int64_t id, struct message *out, struct arena *a, struct err *e);
/* A case's conversation, oldest first, at most 200. Returns the count. */
int store_messages_of_case(struct store *s, int64_t case_id, struct message **out, struct arena *a,
			   struct err *e);
/* The incoming messages nobody has answered, oldest first (created_at,
 * then id), at most 200; *total (may be NULL) counts them all. */
int store_messages_waiting(struct store *s, struct message **out, int64_t *total, struct arena *a, struct err *e);
/* Record that answer_id answers message id and every earlier message of
 * the same case still waiting. Fails with ERR_CONFLICT, changing nothing,
 * when id is not an incoming message that waits: a message is answered
 * once. */
int store_message_answered(struct store_tx *tx, int64_t id, int64_t answer_id, int64_t at, struct err *e);
/* Set the letter that carried an answer. */
int store_message_set_letter(struct store_tx *tx, int64_t id, int64_t letter_id, struct err *e);

/* ---- requests for documentation and the documents sent ---- */

/* What became of a request: "open", "received" or "expired". */
struct doc_request_state {
	int64_t id;      /* the request */
	int64_t case_id;
	const char *state;
	int64_t closed_at; /* 0 while open */
	const char *deadline; /* "2025-01-31" */
	int latest;        /* the newest request of its case */
	const char *case_status;
	int64_t person_id; /* the case's */
};

/* A request's state within tx: 0 found, 1 no such request, -1 error. A
 * request "waits" when it is open, the latest of its case, and the case
 * awaits documentation. */
int store_doc_request_state_tx(struct store_tx *tx, int64_t request_id, struct doc_request_state *out,
			       struct arena *a, struct err *e);
/* The state of a case's latest request: 0 found, 1 none, -1 error. */
int store_doc_request_state_of_case(struct store *s, int64_t case_id, struct doc_request_state *out,
				    struct arena *a, struct err *e);
/* Close an open request as "received" or "expired" at at. ERR_CONFLICT,
 * changing nothing, when it was closed already. */
int store_doc_request_close(struct store_tx *tx, int64_t request_id, const char *state, int64_t at, struct err *e);

struct document {
	int64_t id;
	int64_t submission_id, case_id;
	const char *name;       /* as the person named the file */
	const char *media_type; /* application/pdf, image/jpeg, image/png */
	int64_t size;
	const char *sha256; /* 64 hex digits */
	const void *content; /* size bytes; NULL in lists */
	/* From the submission: */
	int64_t person_id, request_id, received_at;
	const char *note; /* or NULL */
};

/* Store one upload: the submission (person, case, request, note, time)
 * and its n documents with their content, in tx. *submission_id (may be
 * NULL) receives its id. */
int store_documents_insert(struct store_tx *tx, int64_t case_id, int64_t person_id, int64_t request_id,
			   const char *note, int64_t at, const struct document *docs, int n, int64_t *submission_id,
			   struct err *e);
/* A case's documents without their content, oldest first, at most 200. */
int store_documents_of_case(struct store *s, int64_t case_id, struct document **out, struct arena *a,
			    struct err *e);
/* One document with its content (copied into the arena). */
int store_document_get(struct store *s, int64_t id, struct document *out, struct arena *a, struct err *e);

#endif
