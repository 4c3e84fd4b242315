/* access.h - who may see or do what, sessions, and CSRF tokens.
 *
 * One authorisation policy: every handler asks access_allowed() before it
 * shows or changes anything, and audits a refusal. Today a person sees only
 * their own cases and letters, and a case worker works the queue of manual
 * cases; guardians, proxies, schools, support and administrators join the
 * same table of rules later.
 *
 * A session is a random 256-bit token in a cookie; the database keeps only
 * its hash, so a stolen database opens no session. CSRF tokens are derived
 * from the session token with the installation's secret key, so they need
 * no storage and a form from another site can never carry a valid one. */
#ifndef STIPEND_ACCESS_H
#define STIPEND_ACCESS_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct err;
struct store;

enum role { ROLE_ANONYMOUS, ROLE_PERSON, ROLE_CASEWORKER };

struct principal {
	enum role role;
	int64_t person_id; /* 0 when anonymous or staff */
	int64_t staff_id;  /* a case worker's staff id, else 0 */
	int may_see_confidential; /* a case worker authorised to see confidential addresses */
};

enum action {
	ACT_APPLY,       /* submit an application for oneself */
	ACT_CASE_READ,   /* see a case, its decision and trace */
	ACT_LETTER_READ, /* open a letter in the mailbox */
	ACT_PERSON_READ, /* see the data held about a person */
	ACT_QUEUE_READ,  /* see the case workers' queue of manual cases */
	ACT_CASE_DECIDE, /* decide a case the rules sent to a case worker */
	ACT_CASE_REQUEST_DOCS,       /* ask the applicant for documentation */
	ACT_SEE_CONFIDENTIAL_ADDRESS, /* see a person's strictly confidential address */
	ACT_MESSAGE_WRITE,   /* write to the agency about one's own case */
	ACT_MESSAGE_ANSWER,  /* answer a person's message */
	ACT_DOCUMENT_UPLOAD, /* send documentation for one's own case */
	ACT_DOCUMENT_READ    /* download documentation a person sent */
};

/* 1 when who may do act on a thing owned by owner_person_id, else 0.
 * A person acts on their own things only: applies, reads their letters,
 * writes to the agency and sends documentation. A case worker reads any
 * case and the person it concerns, sees the queue, decides cases, asks for
 * documentation, answers messages and reads the documentation sent, but
 * sees a confidential address only when authorised; a case worker never
 * applies, writes as a person or opens a person's letters. */
int access_allowed(const struct principal *who, enum action act, int64_t owner_person_id);

/* Audit that who was refused `action` ("letter.read.denied") on object
 * ("case:7"), and fail as a missing thing would (ERR_NOT_FOUND, "no such
 * <what>"), so that a refusal reveals nothing. Returns -1 (with the
 * store's error when the audit record could not be written). */
int access_refuse(struct store *s, const struct principal *who, int64_t now, const char *action, const char *object,
		  const char *what, struct err *e);

/* "person:17", "staff:2" or "anonymous", for audit records. Returns out. */
char *access_actor(const struct principal *who, char *out, size_t len);

#define ACCESS_TOKEN_LEN 43 /* base64url of 32 random bytes, no padding */

/* Load the installation's secret (creating it on first use). Call once
 * after the store is migrated and before sessions are used. */
int access_init(struct store *s, struct err *e);

/* A fresh random token (ACCESS_TOKEN_LEN characters and a NUL). */
void access_new_token(char out[ACCESS_TOKEN_LEN + 1]);

/* Start a session for person with role; the token to put in the cookie is
 * written to token. Returns 0 or -1. */
int access_session_start(struct store *s, int64_t person_id, enum role role, int64_t now, int64_t ttl,
			 char token[ACCESS_TOKEN_LEN + 1], struct err *e);

/* Start a session for the member of staff staff_id in their role (today
 * always ROLE_CASEWORKER), as access_session_start does. */
int access_session_start_staff(struct store *s, int64_t staff_id, int64_t now, int64_t ttl,
			       char token[ACCESS_TOKEN_LEN + 1], struct err *e);

/* Find the principal of a session token. A staff session's authorisations
 * (may_see_confidential) are read afresh from the staff record, so that a
 * withdrawn authorisation takes effect at once. Returns 0 (who filled), 1 when the
 * token is unknown or expired, -1 on failure. */
int access_session_find(struct store *s, const char *token, int64_t now, struct principal *who,
			struct arena *a, struct err *e);

/* End a session. */
int access_session_end(struct store *s, const char *token, struct err *e);

/* The CSRF token for forms shown to the holder of a session (or anonymous
 * visitor) token: 64 hex digits and a NUL. */
void access_csrf(const char *token, char out[65]);

/* 1 when csrf is the right token for token, compared in constant time. */
int access_csrf_ok(const char *token, const char *csrf);

#endif
