/* institution.h - the institutions' workspace's own storage: the schools
 * and institutions of higher education by organisation number, the facts
 * they report about their students (dated, with their source), and the
 * student systems that report through the API (public keys, used
 * assertion ids, access tokens).
 *
 * Conventions as store.h: reads take the store and an arena (results live
 * in the arena) and return 0 found, 1 not found, -1 with e filled, or for
 * lists the count; writes take a transaction of store_write(). Thread-safe.
 * Implemented in sqlite_institution.c (migration 0016). */
#ifndef STIPEND_STORE_INSTITUTION_H
#define STIPEND_STORE_INSTITUTION_H

#include <stdint.h>

#include "store/store.h"

struct arena;
struct err;

struct institution {
	const char *orgnr; /* 9 digits */
	const char *name;
	const char *level; /* "upper-secondary" or "higher" */
};

/* Add or rename the institution orgnr (the schools register is the
 * authority: a name it changes is changed here). */
int store_institution_put(struct store_tx *tx, const struct institution *in, struct err *e);
int store_institution_get(struct store *s, const char *orgnr, struct institution *out, struct arena *a, struct err *e);

/* 1 when the person person_id has applied (has a case) and the place of
 * study the agency holds for them is the institution orgnr; 0 when not;
 * -1 with e filled. What the policy's institution relation asks. */
int store_institution_has_student(struct store *s, const char *orgnr, int64_t person_id, struct err *e);

/* A student of an institution who has applied: their newest case, and what
 * the institution has reported for its school year. */
struct institution_student {
	int64_t person_id;
	const char *nin, *given_name, *family_name;
	date_t birth_date;
	const char *programme;
	int64_t case_id;
	const char *scheme, *school_year, *status, *outcome;
	const char *confirmed;   /* the newest confirmation's kind, NULL when none */
	const char *interrupted; /* the day an interruption was reported from, NULL when none */
};

#define INSTITUTION_STUDENTS_MAX 5000

/* The students of orgnr who have applied, by family and given name, at most
 * INSTITUTION_STUDENTS_MAX. Returns the count or -1. */
int store_institution_students(struct store *s, const char *orgnr, struct institution_student **out, struct arena *a,
                               struct err *e);
/* One of them: 0 found, 1 when person_id is not a student of orgnr who has
 * applied, -1. */
int store_institution_student(struct store *s, const char *orgnr, int64_t person_id, struct institution_student *out,
                              struct arena *a, struct err *e);

/* A fact an institution reports. */
struct institution_fact {
	int64_t id;
	const char *orgnr;
	int64_t person_id, case_id; /* case_id 0: none */
	const char *kind;           /* admission, semester-registration, attendance, credits, interruption */
	const char *period;         /* "2024-2025" or "2024-autumn" */
	const char *effective;      /* ISO date */
	int half_credits;           /* credits: credits passed times two; else -1 */
	const char *source;         /* "institution:<orgnr>" */
	int64_t staff_id;           /* 0 when a student system reported it */
	const char *client_id;      /* NULL when a member of staff did */
	int64_t reported_at;
};

/* Store f (id ignored). A confirmation (admission, semester-registration,
 * attendance) already given for the person, institution, kind and period
 * stores nothing: *added (may be NULL) is 0 then, else 1. */
int store_institution_fact_insert(struct store_tx *tx, const struct institution_fact *f, int *added, struct err *e);
/* A student's facts from orgnr, newest first, at most 200. */
int store_institution_facts_of(struct store *s, const char *orgnr, int64_t person_id, struct institution_fact **out,
                               struct arena *a, struct err *e);

/* Shorten the education of case_id to end on `end` (ISO date) when it ends
 * later: the application's education.end, so that deciding it again pays no
 * month after an interruption. Returns 0 or -1. */
int store_institution_case_end(struct store_tx *tx, int64_t case_id, const char *end, struct err *e);

/* Staff of orgnr by name. Returns the count (at most 200) or -1. */
int store_institution_staff(struct store *s, const char *orgnr, struct staff **out, struct arena *a, struct err *e);

/* ---- student systems (the API) ---- */

struct institution_client {
	const char *client_id, *orgnr, *public_key_pem;
	int64_t registered_at, registered_by, revoked_at; /* revoked_at 0: in use */
};

int store_institution_client_insert(struct store_tx *tx, const struct institution_client *c, struct err *e);
int store_institution_client_get(struct store *s, const char *client_id, struct institution_client *out,
                                 struct arena *a, struct err *e);
/* The clients of orgnr, newest first, at most 50. Returns the count or -1. */
int store_institution_clients(struct store *s, const char *orgnr, struct institution_client **out, struct arena *a,
                              struct err *e);
/* Revoke client_id of orgnr at now: its key signs no more assertions and
 * its access tokens open nothing. Returns 0, 1 when orgnr has no such
 * client in use, -1. */
int store_institution_client_revoke(struct store_tx *tx, const char *orgnr, const char *client_id, int64_t now,
                                    struct err *e);

/* Take the assertion id jti of client_id, kept until expires_at (when its
 * assertion could no longer be used anyway; older ones are forgotten here).
 * Fails with ERR_CONFLICT, changing nothing, when jti was taken before. */
int store_institution_jti_take(struct store_tx *tx, const char *client_id, const char *jti, int64_t expires_at,
                               int64_t now, struct err *e);

/* Keep the access token whose hash is hash for client_id of orgnr until
 * expires_at. */
int store_institution_token_put(struct store_tx *tx, const char *hash, const char *client_id, const char *orgnr,
                                int64_t expires_at, struct err *e);
/* The token of hash, if it has not expired by now and its client is not
 * revoked: 0 with client_id and orgnr filled, 1 when not, -1. */
int store_institution_token_get(struct store *s, const char *hash, int64_t now, const char **client_id,
                                const char **orgnr, struct arena *a, struct err *e);

#endif
