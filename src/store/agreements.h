/* agreements.h - storage of the support agreements and their signing, the
 * guardians the population register names, powers of attorney, and the
 * person a session acts for.
 *
 * Conventions as store.h: reads take the store and an arena (results live
 * in the arena) and return 0 found, 1 not found, -1 with e filled, or for
 * lists the count; writes take a transaction of store_write(). Thread-safe.
 * Implemented in sqlite_agreements.c (migration 0013). */
#ifndef STIPEND_STORE_AGREEMENTS_H
#define STIPEND_STORE_AGREEMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct arena;
struct err;

/* ---- the decision an agreement is made for ---- */

struct decision_ref {
	int64_t id;       /* the decision's id */
	int64_t case_id;
	int64_t decided_at;
	const char *outcome;
	const char *decision_json;
};

/* The case's current decision (the one not superseded). 0, 1 (undecided or
 * no such case), -1. */
int store_case_current_decision(struct store *s, int64_t case_id, struct decision_ref *out, struct arena *a,
				struct err *e);

/* ---- agreements ---- */

struct agreement {
	int64_t id, person_id, case_id, decision_id;
	const char *school_year, *scheme;
	int64_t loan, grants; /* øre */
	int64_t created_at;
	const char *state; /* unsigned, paper, signed, paper-received */
	const unsigned char *pdf; /* only from store_agreement_get(with_blobs); else NULL */
	size_t pdf_len;
	const char *pdf_sha256;
	int64_t signed_at, signer_person_id;
	const char *signed_as; /* "self", "guardian" or NULL */
	const unsigned char *signature; /* DER, only with blobs */
	size_t signature_len;
	const char *verification; /* JSON or NULL */
	int64_t paper_requested_at, paper_batch, paper_received_at, paper_received_by;
};

/* One agreement; with_blobs also reads the PDF and the signature. */
int store_agreement_get(struct store *s, int64_t id, int with_blobs, struct agreement *out, struct arena *a,
			struct err *e);

/* A person's agreements, newest first, without their blobs (at most 200).
 * Returns the count or -1. */
int store_agreements_of_person(struct store *s, int64_t person_id, struct agreement **out, struct arena *a,
			       struct err *e);

/* The agreement that covers a loan of `loan` øre for the person's school
 * year: the one with the largest loan of that year when it is at least
 * `loan` (loan 0: a pupil's grant, covered by any agreement of the
 * person's, whatever the year). signed_only: only a signed one (signed or
 * paper-received). 0 found, 1 none, -1. */
int store_agreement_covering(struct store *s, int64_t person_id, const char *school_year, int64_t loan,
			     int signed_only, struct agreement *out, struct arena *a, struct err *e);

/* Insert an agreement (state unsigned; a's id ignored); *id receives its
 * id. A second agreement for the same decision fails with ERR_CONFLICT. */
int store_agreement_insert(struct store_tx *tx, const struct agreement *ag, int64_t *id, struct err *e);

/* Record a verified electronic signature. Only an agreement that is
 * unsigned or on paper (not yet received) takes it; otherwise ERR_CONFLICT
 * and nothing changes. */
int store_agreement_sign(struct store_tx *tx, int64_t id, int64_t at, int64_t signer_person_id, const char *signed_as,
			 const unsigned char *sig, size_t sig_len, const char *verification, struct err *e);

/* Send on paper: an unsigned agreement becomes 'paper' (ERR_CONFLICT
 * otherwise). */
int store_agreement_to_paper(struct store_tx *tx, int64_t id, int64_t at, struct err *e);

/* The paper agreements not yet in a print batch, oldest first (at most
 * max, without blobs). Returns the count or -1. */
int store_agreements_paper_due(struct store *s, int max, struct agreement **out, struct arena *a, struct err *e);

/* Every agreement on paper not yet received (sent or not), oldest first,
 * without blobs. Returns the count or -1. */
int store_agreements_on_paper(struct store *s, struct agreement **out, struct arena *a, struct err *e);

/* Mark a paper agreement as sent in batch. */
int store_agreement_paper_sent(struct store_tx *tx, int64_t id, int64_t batch, struct err *e);

/* A case worker (staff_id) registers the signed paper's arrival: 'paper'
 * becomes 'paper-received' (ERR_CONFLICT otherwise). */
int store_agreement_paper_received(struct store_tx *tx, int64_t id, int64_t at, int64_t staff_id, struct err *e);

/* ---- visits to the signing service ---- */

struct signing_request {
	const char *ref;
	int64_t agreement_id, signer_person_id;
	const char *actor;
	int64_t created_at, expires_at, used_at;
	const char *outcome;
};

int store_signing_request_insert(struct store_tx *tx, const struct signing_request *r, struct err *e);

/* Take the request ref once: fills out and marks it used at `at`. 0 taken,
 * 1 unknown, used already or expired (nothing changes), -1. */
int store_signing_request_take(struct store_tx *tx, const char *ref, int64_t at, struct signing_request *out,
			       struct arena *a, struct err *e);

/* Record what became of a taken request ("signed", or the refusal's code). */
int store_signing_request_outcome(struct store_tx *tx, const char *ref, const char *outcome, struct err *e);

/* ---- guardians ---- */

/* Replace what the register said about guardian's children: exactly
 * children[0..n-1] (person ids), checked at `at`. */
int store_guardianships_put(struct store_tx *tx, int64_t guardian_id, const int64_t *children, int n, int64_t at,
			    struct err *e);

/* 1 when guardian_id is a registered guardian of child_id, 0 when not, -1. */
int store_is_guardian(struct store *s, int64_t guardian_id, int64_t child_id, struct err *e);

/* The guardians of child (person ids, at most max). Returns the count or -1. */
int store_guardians_of(struct store *s, int64_t child_id, int64_t *out, int max, struct err *e);

/* The children guardian_id is a registered guardian of (person ids, at
 * most max). Returns the count or -1. */
int store_children_of(struct store *s, int64_t guardian_id, int64_t *out, int max, struct err *e);

/* ---- powers of attorney ---- */

struct proxy_rec {
	int64_t id, grantor_id, proxy_id;
	const char *scopes;      /* "letters,apply,write" */
	const char *valid_until; /* YYYY-MM-DD, inclusive */
	int64_t created_at, revoked_at;
	const char *revoked_by;
};

int store_proxy_insert(struct store_tx *tx, const struct proxy_rec *p, int64_t *id, struct err *e);
int store_proxy_get(struct store *s, int64_t id, struct proxy_rec *out, struct arena *a, struct err *e);
/* Revoke a power not yet revoked; ERR_CONFLICT when it is. */
int store_proxy_revoke(struct store_tx *tx, int64_t id, int64_t at, const char *by, struct err *e);
/* The powers a person gave (as_proxy 0) or holds (1), newest first. */
int store_proxies_of(struct store *s, int64_t person_id, int as_proxy, struct proxy_rec **out, struct arena *a,
		     struct err *e);

/* What others did for person_id under a guardian's or proxy's grant: the
 * audit records whose actor is "person:G for person:<person_id>", newest
 * first (at most 100; seq, at, actor, action, object filled). Returns the
 * count or -1. */
int store_audit_acted_for(struct store *s, int64_t person_id, struct audit_rec **out, struct arena *a,
			  struct err *e);

/* ---- acting for another ---- */

/* The session's chosen person and grant ("guardian", "proxy"; NULL with
 * acting_for 0 when it acts for itself). 0, 1 (no such session), -1. */
int store_session_acting_get(struct store *s, const char *key_hash, int64_t *acting_for, const char **grant,
			     int64_t *proxy_id, struct arena *a, struct err *e);

/* Set them (acting_for 0: back to oneself). */
int store_session_acting_put(struct store_tx *tx, const char *key_hash, int64_t acting_for, const char *grant,
			     int64_t proxy_id, struct err *e);

#endif
