/* audit.h - the append-only, hash-chained audit log.
 *
 * Every decision and every read of personal data is recorded inside the
 * same transaction as the work it describes, so that an audit record exists
 * exactly when the work does. Each record's hash is SHA-256 over the
 * previous record's hash and the record's own fields; audit_verify() walks
 * the chain and finds the first record that was changed, removed or
 * inserted. Actors and objects are internal names ("person:17", "case:3"),
 * never a national identity number. */
#ifndef STIPEND_AUDIT_H
#define STIPEND_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct store;
struct store_tx;

/* Append one record within tx. detail is free text without personal data
 * (may be NULL). Returns 0 or -1 with e filled. */
int audit_append(struct store_tx *tx, int64_t at, const char *actor, const char *action, const char *object,
		 const char *detail, struct err *e);

/* Walk the whole chain. Returns 0 when intact (count receives the number of
 * records), 1 when broken (bad_seq receives the first bad record), -1 when
 * the log could not be read. */
int audit_verify(struct store *s, int64_t *count, int64_t *bad_seq, struct err *e);

/* ---- anchoring the chain: signed checkpoints (checkpoint.c) ----
 *
 * A hash chain alone shows that no record was changed in the middle, not
 * that the tail was not cut off or the whole log rewritten with fresh
 * hashes: whoever can write the database can do both. So the head of the
 * chain (its last record's number and hash, and the time) is signed with
 * Ed25519 by a key kept outside the database and appended, periodically and
 * at a clean stop, to a checkpoint file outside the database. Verifying
 * against the checkpoints then finds a removed tail (the chain ends before
 * a checkpoint's record) and a rewrite (the record's hash differs). What it
 * cannot see is a change to the records written after the newest
 * checkpoint, so checkpoints come every few minutes.
 *
 * The checkpoint file has one line a checkpoint, fields separated by one
 * space: the record's number, its hash (64 hex digits; 64 zeros for an
 * empty log), the time (2026-01-31T12:00:00Z) and the signature (128 hex
 * digits) of "stipend audit checkpoint v1\n<seq>\n<hash>\n<unix time>".
 * Lines starting with '#' are comments. */

/* The checkpoints' signing key (Ed25519). */
struct audit_key {
	unsigned char sk[64]; /* crypto_sign_SECRETKEYBYTES */
	unsigned char pk[32]; /* crypto_sign_PUBLICKEYBYTES */
};

/* Make a new key in path (which must not exist), readable by its owner
 * only (mode 0600), and its public key in "<path>.pub" (mode 0644).
 * Returns 0, or -1: ERR_CONFLICT when path exists, ERR_IO when a file
 * cannot be written. */
int audit_key_create(const char *path, struct audit_key *k, struct err *e);

/* Load the key in path. A file that others than its owner may read or
 * write is refused (ERR_INVALID), as ssh refuses one. With create, an
 * absent file is made as audit_key_create() does and *created (may be
 * NULL) is set to 1. Returns 0 or -1. */
int audit_key_load(const char *path, int create, struct audit_key *k, int *created, struct err *e);

/* The public key as 64 hex digits and a NUL. Returns out. */
char *audit_public_key_hex(const unsigned char pk[32], char out[65]);

/* A public key given as its 64 hex digits or as a file holding them (the
 * "<key>.pub" that audit_key_create() writes). Returns 0 or -1 (ERR_INVALID
 * or ERR_IO). */
int audit_public_key_parse(const char *arg, unsigned char pk[32], struct err *e);

struct audit_checkpoint {
	int64_t seq;   /* the head record's number; 0 when the log was empty */
	char hash[65]; /* its hash, hex */
	int64_t at;    /* when, Unix seconds */
	int line;      /* the line of the file it was read from (1-based) */
};

/* Sign the log's head as of now and append the checkpoint to the file
 * path (made, mode 0644, when absent), on disk (fsync) before returning.
 * Only committed records are signed. out (may be NULL) receives the
 * checkpoint. Returns 0 or -1 (e filled). Thread-safe; processes on one
 * machine may share the file (each line is one append). */
int audit_checkpoint(struct store *s, const struct audit_key *k, const char *path, int64_t now,
		     struct audit_checkpoint *out, struct err *e);

/* Parse one line of a checkpoint file (no newline; the text is cut up in
 * place) into cp and check its signature against pk. Returns 0, or 1 with
 * problem (len bytes) saying why the line is no good checkpoint. */
int audit_checkpoint_parse(char *text, int lineno, const unsigned char pk[32], struct audit_checkpoint *cp,
			   char *problem, size_t len);

/* What audit_verify_anchored() found. */
struct audit_report {
	int64_t count;   /* records in the chain walked */
	int64_t bad_seq; /* the first record where the chain breaks, 0 when none */
	int checkpoints; /* checkpoints read, each with a good signature */
	struct audit_checkpoint newest; /* the one with the highest record number */
	char problem[512]; /* when not intact: what is wrong, for a person */
};

/* Check every checkpoint in path against the public key pk, walk the chain
 * as audit_verify() does, and check that the chain holds each checkpoint's
 * record with the same hash. Returns 0 when all holds, 1 when not (a bad
 * signature, a malformed line, no checkpoint at all, a broken chain, a
 * checkpoint's record missing (the tail removed) or different (rewritten);
 * rep->problem says which), -1 when the file or the log cannot be read. */
int audit_verify_anchored(struct store *s, const char *path, const unsigned char pk[32], struct audit_report *rep,
			  struct err *e);

/* audit_verify() that also finds the checkpoints cps[0..n_cps-1] (sorted
 * by seq) in the chain. Returns 0 when the chain is intact and holds each
 * with its hash; 1 when the chain breaks (bad_seq); 2 when cps[*bad_cp] is
 * not in it: its record is missing (seq > *count: the tail was removed)
 * or has another hash (rewritten); -1 when the log cannot be read. */
int audit_verify_against(struct store *s, const struct audit_checkpoint *cps, int n_cps, int64_t *count,
			 int64_t *bad_seq, int *bad_cp, struct err *e);

/* The job kind "audit-checkpoint" (ctx: a struct audit_anchor): writes a
 * checkpoint and runs again `every` seconds later. A runner without a key
 * (key NULL) writes none and only keeps the job going for one that has. */
#define AUDIT_CHECKPOINT_KIND "audit-checkpoint"
#define AUDIT_CHECKPOINT_EVERY 300

struct audit_anchor {
	const struct audit_key *key; /* NULL: this runner writes no checkpoints */
	const char *path;            /* the checkpoint file */
	int64_t every;               /* seconds between checkpoints */
};

struct job_rec;
int audit_checkpoint_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e);

/* Queue the checkpoint job to run at now (at once), unless it is queued. */
int audit_checkpoint_arm(struct store *s, int64_t now, struct err *e);

#endif
