/* inbox.h - the person's side of the mailbox: the inbox with its search
 * and filters, one letter with what its page shows beside it, the letter
 * as a PDF, and the cases a person may write to the agency about.
 *
 * Each function takes the acting identity and asks the one gate
 * (access_check) before it reads: anyone but the letters' owner is refused
 * with ERR_NOT_FOUND, as a missing letter is, and the refusal is audited.
 * Opening a letter (its page or its PDF) goes through mbox_open(), which
 * records the first reading and audits every reading ("letter.read"). */
#ifndef STIPEND_MAILBOX_INBOX_H
#define STIPEND_MAILBOX_INBOX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "core/i18n.h"
#include "store/messages.h"
#include "store/store.h"

struct arena;
struct buf;
struct err;

/* The kinds of letter the mailbox knows and the units that send them, as
 * the filters offer them (catalogue keys "mailbox.kind.<kind>" and
 * "unit.<unit>"). */
extern const char *const mbox_kinds[];
extern const char *const mbox_units[];
#define MBOX_N_KINDS 6
#define MBOX_N_UNITS 3

#define MBOX_PAGE_SIZE 20
#define MBOX_PAGE_MAX 1000
#define MBOX_QUERY_MAX 100 /* characters of the free text */

/* The catalogue key naming a kind of letter in lists ("Vedtak"); strings
 * in a. */
const char *mbox_kind_key(struct arena *a, const char *kind);

/* The inbox's filters as the query string gave them (NULL or "" when
 * absent): sender (a unit), case (an id), type (a kind), read ("unread" or
 * "read"), q (free text), page. */
struct mbox_inbox_query {
	const char *sender, *case_id, *type, *read, *q, *page;
};

/* One filter the inbox refused: its field ("sender", ...) and the
 * catalogue key of the message. */
struct mbox_field_error {
	const char *field, *key;
};

/* One page of the inbox. */
struct mbox_inbox {
	/* The filters taken (NULL: not filtered by it). */
	const char *sender, *type, *read, *q;
	int64_t case_id;
	long page, pages;
	struct case_rec *cases; /* the person's, for the case filter */
	int n_cases;
	struct mbox_field_error errors[6]; /* in the form's order */
	int n_errors;
	struct letter *letters; /* the page's, newest first; none when there are errors */
	int n_letters;
	int64_t total;  /* letters matching the filters */
	int64_t unread; /* the person's unread letters, whatever the filters */
};

/* The inbox of the person who acts for, filtered by q as the reader sees
 * the letters in lang (free text matches a letter's title and sender in
 * either catalogue text of lang), paged in SQL. ACT_LETTER_READ; the gate
 * is asked before the filters are checked. A filter that is not one
 * offered is a field error in out (no letters listed), never a guess.
 * Returns 0 (out filled, in a), -1 with ERR_NOT_FOUND (audited) for anyone
 * but a person, or the store's error. */
int mbox_inbox(struct store *s, const struct principal *who, enum lang lang, const struct mbox_inbox_query *q,
	       int64_t now, struct mbox_inbox *out, struct arena *a, struct err *e);

/* One letter with what its page shows. */
struct mbox_letter_view {
	struct letter l;
	json_t *model;    /* mbox_letter_model in lang: the caller owns the reference */
	int64_t case_id;  /* the letter's case, 0 when none (or gone) */
	int conversation; /* an answer: messages is its case's conversation */
	struct message *messages;
	int n_messages;
	/* A request for documentation: what became of it. */
	int request;  /* the letter carries a request and its case's state was read */
	int replaced; /* a newer request replaced this one */
	int request_waits; /* it is open and the case awaits documentation */
	struct doc_request_state request_state;
};

/* Open letter_id for who (mbox_open: the first reading recorded, every
 * reading audited, a refusal ERR_NOT_FOUND and audited) and gather what
 * its page shows: the model in lang and, by kind, the conversation or the
 * state of the request. Returns 0 or -1 with e. */
int mbox_letter_view(struct store *s, const struct principal *who, enum lang lang, int64_t letter_id, int64_t now,
		     struct mbox_letter_view *out, struct arena *a, struct err *e);

/* Open letter_id for who as mbox_letter_view does, and draw it as a PDF
 * into out (pdf_letter) in lang; *id_out (may be NULL) receives the
 * letter's id. Returns 0, or -1 with e (ERR_NOT_FOUND for a refusal, the
 * PDF's error otherwise). */
int mbox_letter_pdf(struct store *s, const struct principal *who, enum lang lang, int64_t letter_id, int64_t now,
		    struct buf *out, struct arena *a, struct err *e);

/* The cases the person who acts for may write about (ACT_MESSAGE_WRITE),
 * newest first, into *out. Returns the count, or -1 with ERR_NOT_FOUND
 * (audited) for anyone but a person, or the store's error. */
int mbox_write_cases(struct store *s, const struct principal *who, int64_t now, struct case_rec **out,
		     struct arena *a, struct err *e);

#endif
