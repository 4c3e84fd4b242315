/* store.h - the storage interface: everything stipend keeps, behind one set
 * of functions, so that a PostgreSQL backend can follow the SQLite one
 * without touching a caller.
 *
 * Reads take the store and an arena: what they return lives in the arena.
 * Writes happen only inside store_write(), which runs the caller's function
 * in a transaction and returns once that transaction is durably committed
 * (SQLite: WAL with synchronous=FULL). Concurrent writers are grouped into
 * one commit (group commit): each caller's function runs in a savepoint of
 * its own, so one caller's failure never undoes another's work, and every
 * caller learns its own result only after the shared commit is on disk.
 * All functions are thread-safe. */
#ifndef STIPEND_STORE_H
#define STIPEND_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"

struct arena;
struct err;
struct store;
struct store_tx;

/* Open (creating when absent) the database at path: a SQLite file. The
 * schema is not touched: see store_migrate(). Returns NULL with e filled. */
struct store *store_open(const char *path, struct err *e);

/* Finish pending writes and close. store_close(NULL) is a no-op. */
void store_close(struct store *s);

/* Apply the migrations not yet applied, in order, each in its own
 * transaction. *applied (may be NULL) receives how many ran. */
int store_migrate(struct store *s, int *applied, struct err *e);

/* The schema version the database has, and the one this binary expects. */
int store_schema_version(struct store *s, int *version, struct err *e);
int store_schema_expected(void);

/* Run fn(tx, arg, e) in a transaction and commit it durably. Returns what fn
 * returned when fn failed (its work undone, e filled by fn), -1 with
 * ERR_STORE when the commit failed, 0 when fn's work is committed. fn may
 * run on another thread than the caller's, and must not call store_write. */
typedef int (*store_tx_fn)(struct store_tx *tx, void *arg, struct err *e);
int store_write(struct store *s, store_tx_fn fn, void *arg, struct err *e);

/* store_write() for a bulk write whose references hold by construction:
 * fn runs in a transaction of its own with SQLite's foreign-key checks off
 * (on 2 million rows they cost a third of a statement's time). fn must only
 * write references it has just read from rows that exist in the same
 * transaction, and say so where it does. */
int store_write_bulk(struct store *s, store_tx_fn fn, void *arg, struct err *e);

/* ---- records ---- */

struct person {
	int64_t id;
	const char *nin;
	const char *given_name, *family_name;
	date_t birth_date;
	const char *address, *postcode, *city;
	int confidential_address; /* never shown to anyone but the owner */
	const char *institution;  /* place of study as the registers hold it */
	const char *programme;
};

struct case_rec {
	int64_t id;
	int64_t person_id;
	const char *scheme;
	const char *school_year;
	const char *status;  /* received, collecting-facts, decided, manual, awaiting-documentation */
	const char *outcome; /* NULL until decided */
	int64_t received_at, decided_at;
	const char *application_json;
	const char *decision_json;
	const char *facts_json;  /* the facts decided on, with their sources */
	const char *waiting_for; /* why an undecided case waits, or NULL */
	/* Where a mass intake took it from ("batch:<key>:<line>"), or NULL;
	 * written by store_case_insert only, never read back into a case. */
	const char *intake;
};

struct job_rec {
	int64_t id;
	const char *kind;   /* "decide", "notice", ... */
	int64_t subject_id; /* what the kind works on: a case, a letter, ... */
	const char *state; /* ready, running, done, failed */
	int attempts;
	int64_t run_after;
	const char *last_error;
};

struct letter {
	int64_t id;
	int64_t person_id;
	int64_t case_id;
	const char *kind; /* decision, documentation-request, ... */
	int64_t created_at;
	int64_t first_read_at;      /* 0: unread */
	const char *sender_unit;    /* the agency's unit that sent it, or NULL */
	int64_t paper_at;           /* when it joined a print batch, 0: not on paper */
	int64_t paper_batch;        /* the print batch, 0: none */
	const char *notice_channel; /* "email", "sms", or NULL: no notice */
	const char *notice_status;  /* pending, sent, failed, bounced, none; or NULL */
};

/* How a person wants to hear from the agency. */
struct contact_prefs {
	int64_t person_id;
	const char *email;  /* or NULL */
	const char *mobile; /* a verified number, or NULL */
	int64_t mobile_verified_at;
	const char *mobile_pending;   /* a number waiting for its code, or NULL */
	const char *mobile_code_hash; /* hex hash of the code sent to it */
	int64_t mobile_code_expires;
	const char *channel;  /* "email", "sms" or "none" */
	const char *language; /* "nb" or "en" */
	int64_t updated_at;
};

struct session {
	int64_t person_id; /* 0: not logged in */
	const char *role;  /* "person" or "caseworker" */
	int64_t expires_at;
	int64_t staff_id; /* a member of staff's session, else 0 */
	const char *acr;  /* the level of assurance of its login (real login, #13), or NULL */
};

struct audit_rec {
	int64_t seq;
	int64_t at;
	const char *actor, *action, *object, *detail;
	const char *prev_hash, *hash; /* hex */
};

/* Read functions return 0 when found, 1 when not found, -1 with e filled on
 * failure. List functions return the count (>= 0) or -1. */

int store_person_by_nin(struct store *s, const char *nin, struct person *out, struct arena *a, struct err *e);
int store_person_get(struct store *s, int64_t id, struct person *out, struct arena *a, struct err *e);
/* The first `limit` persons by id: the test login lists them. */
int store_persons_list(struct store *s, int limit, struct person **out, struct arena *a, struct err *e);
int store_person_insert(struct store_tx *tx, const struct person *p, int64_t *id, struct err *e);
/* The ids of the persons whose numbers are nins[0..n-1] (11 digits each,
 * at most STORE_NINS_AT_ONCE), in one read: ids[i] is 0 for a number no
 * person has. Returns 0, or -1 with e filled. For a mass intake. */
#define STORE_NINS_AT_ONCE 256
int store_person_ids_by_nin(struct store *s, const char *const *nins, int n, int64_t *ids, struct err *e);

int store_case_get(struct store *s, int64_t id, struct case_rec *out, struct arena *a, struct err *e);
/* A person's cases, newest first. */
int store_cases_of_person(struct store *s, int64_t person_id, struct case_rec **out, struct arena *a, struct err *e);
/* A case with an intake tag already stored fails with ERR_CONFLICT and
 * field "intake", storing nothing: a mass intake run again skips it. */
int store_case_insert(struct store_tx *tx, const struct case_rec *c, int64_t *id, struct err *e);
int store_case_count(struct store *s, int64_t *count, struct err *e);
/* Record a (new) decision of a case: the case takes its status, outcome and
 * decision, the decisions table keeps it beside the ones it supersedes. */
int store_case_decide(struct store_tx *tx, int64_t case_id, const char *status, const char *outcome,
		      int64_t decided_at, const char *decision_json, const char *facts_json, struct err *e);
/* Decide a case again (a fact changed): as store_case_decide, but only
 * while the case is as `was` read it (same status and decided_at); else
 * ERR_CONFLICT and nothing changes, so that a case worker's decision made
 * meanwhile is never overwritten. */
int store_case_redecide(struct store_tx *tx, const struct case_rec *was, const char *status, const char *outcome,
			int64_t decided_at, const char *decision_json, const char *facts_json, struct err *e);
/* Say why a case waits (NULL: it no longer does). */
int store_case_set_waiting(struct store_tx *tx, int64_t case_id, const char *waiting_for, struct err *e);
/* The facts the newest decision about a person was made on (JSON with each
 * group's register and time), and when: 0 found, 1 none, -1 error. */
int store_person_latest_facts(struct store *s, int64_t person_id, const char **facts_json, int64_t *decided_at,
			      struct arena *a, struct err *e);

/* A case's decisions, oldest first. */
int store_decisions_of_case(struct store *s, int64_t case_id, struct case_rec **out, struct arena *a,
			    struct err *e);

/* ---- jobs ---- */

/* Enqueue kind for subject_id, due at run_after. A job of that kind for that
 * subject already queued or running is left as it is (enqueueing is
 * idempotent); one done or failed is armed again, to run once more. */
int store_job_enqueue(struct store_tx *tx, const char *kind, int64_t subject_id, int64_t run_after, int64_t now,
		      struct err *e);
/* Claim up to max due jobs (ready with run_after <= now, or running with a
 * lease run out: their worker died) for lease seconds, background jobs
 * (migration 0019) after all others. Returns the count. */
int store_jobs_claim(struct store_tx *tx, int64_t now, int64_t lease, int max, struct job_rec *out,
		     struct arena *a, struct err *e);
/* Finish a job: call it in the same transaction as the job's effect. */
int store_job_done(struct store_tx *tx, int64_t id, struct err *e);
/* Put a job back to run again after run_after, with the error; give_up
 * marks it failed for an operator instead. */
int store_job_retry(struct store_tx *tx, int64_t id, int64_t run_after, const char *error, int give_up,
		    struct err *e);
int store_job_get(struct store *s, int64_t id, struct job_rec *out, struct arena *a, struct err *e);
/* How many jobs are in state, and when the next ready one is due (0: none). */
int store_jobs_count(struct store *s, const char *state, int64_t *count, int64_t *next_due, struct err *e);

int store_letter_get(struct store *s, int64_t id, struct letter *out, struct arena *a, struct err *e);
/* A person's letters, newest first; *unread (may be NULL) counts the unread. */
int store_letters_of_person(struct store *s, int64_t person_id, struct letter **out, int *unread,
			    struct arena *a, struct err *e);
int store_letter_insert(struct store_tx *tx, const struct letter *l, int64_t *id, struct err *e);
/* Record the first reading; a later reading leaves it. *first (may be NULL)
 * is set to 1 when this was the first. */
int store_letter_mark_read(struct store_tx *tx, int64_t id, int64_t at, int *first, struct err *e);

/* A person's contact preferences: 0 found, 1 none stored, -1 error. */
int store_contact_get(struct store *s, int64_t person_id, struct contact_prefs *out, struct arena *a,
		      struct err *e);
/* Store them whole (insert or replace). */
int store_contact_put(struct store_tx *tx, const struct contact_prefs *p, struct err *e);

/* Sessions are keyed by a hash of their secret token, never the token. */
int store_session_get(struct store *s, const char *key_hash, struct session *out, struct arena *a, struct err *e);
int store_session_put(struct store_tx *tx, const char *key_hash, const struct session *ss, struct err *e);
int store_session_delete(struct store_tx *tx, const char *key_hash, struct err *e);

/* Installation settings: 0 found (value in the arena), 1 absent, -1 error. */
int store_setting_get(struct store *s, const char *name, const char **value, struct arena *a, struct err *e);
/* Set name to value, replacing what it had. */
int store_setting_put(struct store_tx *tx, const char *name, const char *value, struct err *e);
/* Set name to value unless it already has one. */
int store_setting_init(struct store_tx *tx, const char *name, const char *value, struct err *e);

/* The last audit record's sequence number and hash (0 and "" when empty). */
int store_audit_last(struct store_tx *tx, int64_t *seq, char hash[65], struct err *e);
int store_audit_insert(struct store_tx *tx, const struct audit_rec *r, struct err *e);
/* Call fn for each record in order until it returns non-zero. */
typedef int (*store_audit_fn)(const struct audit_rec *r, void *arg);
int store_audit_each(struct store *s, store_audit_fn fn, void *arg, struct err *e);
/* Records about one object ("case:7"), oldest first. */
int store_audit_of(struct store *s, const char *object, struct audit_rec **out, struct arena *a, struct err *e);

/* ---- staff and the case worker's workbench ---- */

struct staff {
	int64_t id;
	const char *username;
	const char *name;
	const char *role; /* "caseworker", "support", "management" or "institution" */
	int may_see_confidential;
	const char *institution; /* institution staff: their institution's id, else NULL */
	int admin;               /* institution staff: the institution's administrator */
};

int store_staff_insert(struct store_tx *tx, const struct staff *st, int64_t *id, struct err *e);
int store_staff_get(struct store *s, int64_t id, struct staff *out, struct arena *a, struct err *e);
int store_staff_by_username(struct store *s, const char *username, struct staff *out, struct arena *a,
			    struct err *e);
/* Every member of staff by id (the test login lists them). */
int store_staff_list(struct store *s, struct staff **out, struct arena *a, struct err *e);

/* A case in a case worker's queue: the case with its current decision, and
 * for a case awaiting documentation the deadline of the latest request. */
struct queue_entry {
	struct case_rec c;
	const char *deadline; /* "2025-01-31", or NULL */
};

/* The cases with status ("manual", "awaiting-documentation"), oldest first
 * (received_at, then id), at most 200; reason (may be NULL: all) keeps only
 * those whose current decision names that code among its manual_reasons.
 * *total (may be NULL) receives how many match in all. Returns the count
 * listed or -1. */
int store_case_queue(struct store *s, const char *status, const char *reason, struct queue_entry **out,
		     int64_t *total, struct arena *a, struct err *e);
/* The reason codes the current decisions of the waiting cases (manual or
 * awaiting documentation) name, sorted. Returns the count or -1. */
int store_case_queue_reasons(struct store *s, const char ***out, struct arena *a, struct err *e);
/* Move a case that waits for a case worker (status manual or
 * awaiting-documentation) to status. Fails with ERR_CONFLICT, changing
 * nothing, when the case no longer waits: a case is decided once. */
int store_case_from_manual(struct store_tx *tx, int64_t case_id, const char *status, struct err *e);

struct doc_request {
	int64_t id;
	int64_t case_id, letter_id, staff_id;
	const char *text;
	const char *deadline; /* "2025-01-31" */
	int64_t requested_at;
};

int store_doc_request_insert(struct store_tx *tx, const struct doc_request *r, int64_t *id, struct err *e);
/* The request a letter carried: 0 found, 1 none, -1 error. */
int store_doc_request_of_letter(struct store *s, int64_t letter_id, struct doc_request *out, struct arena *a,
				struct err *e);
/* A case's latest request: 0 found, 1 none, -1 error. */
int store_doc_request_latest(struct store *s, int64_t case_id, struct doc_request *out, struct arena *a,
			     struct err *e);

/* ---- mass intake ---- */

/* Call fn(tag, arg) for each stored case whose intake tag starts with
 * prefix ("batch:<key>:"), in the tags' order, until fn returns non-zero;
 * fn may be NULL to count only. tag lives only during the call. Returns
 * how many tags were seen, or -1 with e filled. */
typedef int (*store_intake_fn)(const char *tag, void *arg);
int64_t store_intake_each(struct store *s, const char *prefix, store_intake_fn fn, void *arg, struct err *e);

#endif
