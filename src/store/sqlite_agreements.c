/* sqlite_agreements.c - the support agreements, visits to the signing
 * service, guardians, powers of attorney and the person a session acts for,
 * in the SQLite store; see agreements.h (migration 0013).
 *
 * The PDF and the signature are BLOBs read only when asked for, so that a
 * list of agreements never carries their bytes. */
#include "store/agreements.h"

#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/sqlite_internal.h"

/* ---- the current decision ---- */

static int decision_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct decision_ref *d = (struct decision_ref *)out + i;
	d->id = sqlite3_column_int64(st, 0);
	d->case_id = sqlite3_column_int64(st, 1);
	d->decided_at = sqlite3_column_int64(st, 2);
	d->outcome = sq_col_str(st, 3, a);
	d->decision_json = sq_col_str(st, 4, a);
	return 0;
}

int store_case_current_decision(struct store *s, int64_t case_id, struct decision_ref *out, struct arena *a,
				struct err *e)
{
	memset(out, 0, sizeof(*out));
	int n = sq_query(s, "SELECT id, case_id, decided_at, outcome, decision_json FROM decisions "
			    "WHERE case_id = ? AND superseded_at IS NULL ORDER BY id DESC LIMIT 1",
			 sq_bind_id, &case_id, decision_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

/* ---- agreements ---- */

#define AG_COLS "id, person_id, case_id, decision_id, school_year, scheme, loan, grants, created_at, state, " \
		"pdf_sha256, coalesce(signed_at, 0), coalesce(signer_person_id, 0), signed_as, verification, " \
		"coalesce(paper_requested_at, 0), coalesce(paper_batch, 0), coalesce(paper_received_at, 0), " \
		"coalesce(paper_received_by, 0)"

static const unsigned char *col_blob(sqlite3_stmt *st, int i, size_t *len, struct arena *a)
{
	const void *blob = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	*len = 0;
	if (blob == NULL)
		return NULL;
	unsigned char *copy = arena_alloc(a, (size_t)n + 1);
	memcpy(copy, blob, (size_t)n);
	*len = (size_t)n;
	return copy;
}

static int ag_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct agreement *g = (struct agreement *)out + i;
	memset(g, 0, sizeof(*g));
	g->id = sqlite3_column_int64(st, 0);
	g->person_id = sqlite3_column_int64(st, 1);
	g->case_id = sqlite3_column_int64(st, 2);
	g->decision_id = sqlite3_column_int64(st, 3);
	g->school_year = sq_col_str(st, 4, a);
	g->scheme = sq_col_str(st, 5, a);
	g->loan = sqlite3_column_int64(st, 6);
	g->grants = sqlite3_column_int64(st, 7);
	g->created_at = sqlite3_column_int64(st, 8);
	g->state = sq_col_str(st, 9, a);
	g->pdf_sha256 = sq_col_str(st, 10, a);
	g->signed_at = sqlite3_column_int64(st, 11);
	g->signer_person_id = sqlite3_column_int64(st, 12);
	g->signed_as = sq_col_str(st, 13, a);
	g->verification = sq_col_str(st, 14, a);
	g->paper_requested_at = sqlite3_column_int64(st, 15);
	g->paper_batch = sqlite3_column_int64(st, 16);
	g->paper_received_at = sqlite3_column_int64(st, 17);
	g->paper_received_by = sqlite3_column_int64(st, 18);
	return 0;
}

static int ag_blob_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct agreement *g = (struct agreement *)out + i;
	ag_row(st, out, i, a);
	g->pdf = col_blob(st, 19, &g->pdf_len, a);
	g->signature = col_blob(st, 20, &g->signature_len, a);
	return 0;
}

int store_agreement_get(struct store *s, int64_t id, int with_blobs, struct agreement *out, struct arena *a,
			struct err *e)
{
	memset(out, 0, sizeof(*out));
	int n = with_blobs ? sq_query(s, "SELECT " AG_COLS ", pdf, signature FROM agreements WHERE id = ?", sq_bind_id,
				      &id, ag_blob_row, out, 1, a, e)
			   : sq_query(s, "SELECT " AG_COLS " FROM agreements WHERE id = ?", sq_bind_id, &id, ag_row, out,
				      1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_agreements_of_person(struct store *s, int64_t person_id, struct agreement **out, struct arena *a,
			       struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " AG_COLS " FROM agreements WHERE person_id = ? ORDER BY id DESC", sq_bind_id,
			&person_id, ag_row, *out, LIST_MAX, a, e);
}

struct covering {
	int64_t person_id;
	const char *school_year;
	int64_t loan;
	int signed_only;
};

static void bind_covering(sqlite3_stmt *st, const void *arg)
{
	const struct covering *c = arg;
	sqlite3_bind_int64(st, 1, c->person_id);
	sq_bind_str(st, 2, c->school_year);
	sqlite3_bind_int64(st, 3, c->loan);
	sqlite3_bind_int(st, 4, c->signed_only != 0);
}

int store_agreement_covering(struct store *s, int64_t person_id, const char *school_year, int64_t loan,
			     int signed_only, struct agreement *out, struct arena *a, struct err *e)
{
	struct covering c = {person_id, school_year, loan, signed_only};
	memset(out, 0, sizeof(*out));
	int n = sq_query(s,
			 "SELECT " AG_COLS " FROM agreements WHERE person_id = ?1 "
			 "AND (?3 = 0 OR (school_year = ?2 AND loan >= ?3)) "
			 "AND (?4 = 0 OR state IN ('signed', 'paper-received')) "
			 "ORDER BY state IN ('signed', 'paper-received') DESC, loan DESC, id DESC LIMIT 1",
			 bind_covering, &c, ag_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_agreement_insert(struct store_tx *tx, const struct agreement *g, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO agreements(person_id, case_id, decision_id, school_year, scheme, "
					  "loan, grants, created_at, pdf, pdf_sha256) VALUES (?,?,?,?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, g->person_id);
	sqlite3_bind_int64(st, 2, g->case_id);
	sqlite3_bind_int64(st, 3, g->decision_id);
	sq_bind_str(st, 4, g->school_year);
	sq_bind_str(st, 5, g->scheme);
	sqlite3_bind_int64(st, 6, g->loan);
	sqlite3_bind_int64(st, 7, g->grants);
	sqlite3_bind_int64(st, 8, g->created_at);
	sqlite3_bind_blob64(st, 9, g->pdf, (sqlite3_uint64)g->pdf_len, SQLITE_STATIC);
	sq_bind_str(st, 10, g->pdf_sha256);
	int rc = sqlite3_step(st);
	sqlite3_clear_bindings(st); /* the statement is cached, the bytes are not ours */
	if (rc == SQLITE_CONSTRAINT)
		return err_set(e, ERR_CONFLICT, NULL, "the decision has an agreement already");
	if (rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "insert agreement");
	if (id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	return 0;
}

static int changed_one(struct store_tx *tx, const char *what, struct err *e)
{
	if (sqlite3_changes(tx->c->db) != 1)
		return err_set(e, ERR_CONFLICT, NULL, "%s", what);
	return 0;
}

int store_agreement_sign(struct store_tx *tx, int64_t id, int64_t at, int64_t signer_person_id, const char *signed_as,
			 const unsigned char *sig, size_t sig_len, const char *verification, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE agreements SET state = 'signed', signed_at = ?, signer_person_id = ?, "
					  "signed_as = ?, signature = ?, verification = ? "
					  "WHERE id = ? AND state IN ('unsigned', 'paper')", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, signer_person_id);
	sq_bind_str(st, 3, signed_as);
	sqlite3_bind_blob64(st, 4, sig, (sqlite3_uint64)sig_len, SQLITE_STATIC);
	sq_bind_str(st, 5, verification);
	sqlite3_bind_int64(st, 6, id);
	int rc = sq_step_insert(tx, st, NULL, "sign agreement", e);
	sqlite3_clear_bindings(st);
	return rc != 0 ? -1 : changed_one(tx, "the agreement is signed already", e);
}

int store_agreement_to_paper(struct store_tx *tx, int64_t id, int64_t at, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE agreements SET state = 'paper', paper_requested_at = ? "
					  "WHERE id = ? AND state = 'unsigned'", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	if (sq_step_insert(tx, st, NULL, "agreement to paper", e) != 0)
		return -1;
	return changed_one(tx, "the agreement is not waiting for a signature", e);
}

int store_agreements_paper_due(struct store *s, int max, struct agreement **out, struct arena *a, struct err *e)
{
	if (max < 1 || max > LIST_MAX)
		max = LIST_MAX;
	*out = arena_zalloc(a, sizeof(**out) * (size_t)max);
	return sq_query(s, "SELECT " AG_COLS ", pdf, signature FROM agreements WHERE state = 'paper' AND paper_batch IS NULL "
			   "ORDER BY id",
			sq_bind_none, NULL, ag_blob_row, *out, max, a, e);
}

int store_agreements_on_paper(struct store *s, struct agreement **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " AG_COLS " FROM agreements WHERE state = 'paper' ORDER BY id", sq_bind_none, NULL,
			ag_row, *out, LIST_MAX, a, e);
}

int store_agreement_paper_sent(struct store_tx *tx, int64_t id, int64_t batch, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE agreements SET paper_batch = ? WHERE id = ? AND state = 'paper' "
					  "AND paper_batch IS NULL", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, batch);
	sqlite3_bind_int64(st, 2, id);
	if (sq_step_insert(tx, st, NULL, "agreement sent on paper", e) != 0)
		return -1;
	return changed_one(tx, "the agreement is not due on paper", e);
}

int store_agreement_paper_received(struct store_tx *tx, int64_t id, int64_t at, int64_t staff_id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE agreements SET state = 'paper-received', paper_received_at = ?, "
					  "paper_received_by = ? WHERE id = ? AND state = 'paper'", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, staff_id);
	sqlite3_bind_int64(st, 3, id);
	if (sq_step_insert(tx, st, NULL, "paper agreement received", e) != 0)
		return -1;
	return changed_one(tx, "the agreement was not sent on paper, or its paper copy is registered already", e);
}

/* ---- visits to the signing service ---- */

int store_signing_request_insert(struct store_tx *tx, const struct signing_request *r, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO signing_requests(ref, agreement_id, signer_person_id, actor, "
					  "created_at, expires_at) VALUES (?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, r->ref);
	sqlite3_bind_int64(st, 2, r->agreement_id);
	sqlite3_bind_int64(st, 3, r->signer_person_id);
	sq_bind_str(st, 4, r->actor);
	sqlite3_bind_int64(st, 5, r->created_at);
	sqlite3_bind_int64(st, 6, r->expires_at);
	return sq_step_insert(tx, st, NULL, "insert signing request", e);
}

int store_signing_request_take(struct store_tx *tx, const char *ref, int64_t at, struct signing_request *out,
			       struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE signing_requests SET used_at = ?1 WHERE ref = ?2 AND used_at IS NULL "
					  "AND expires_at > ?1 "
					  "RETURNING ref, agreement_id, signer_person_id, actor, created_at, expires_at", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sq_bind_str(st, 2, ref);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->ref = sq_col_str(st, 0, a);
		out->agreement_id = sqlite3_column_int64(st, 1);
		out->signer_person_id = sqlite3_column_int64(st, 2);
		out->actor = sq_col_str(st, 3, a);
		out->created_at = sqlite3_column_int64(st, 4);
		out->expires_at = sqlite3_column_int64(st, 5);
		out->used_at = at;
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return sq_db_error(e, tx->c->db, "take signing request");
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "take signing request");
	return 1;
}

int store_signing_request_outcome(struct store_tx *tx, const char *ref, const char *outcome, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE signing_requests SET outcome = ? WHERE ref = ?", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, outcome);
	sq_bind_str(st, 2, ref);
	return sq_step_insert(tx, st, NULL, "signing request outcome", e);
}

/* ---- guardians ---- */

int store_guardianships_put(struct store_tx *tx, int64_t guardian_id, const int64_t *children, int n, int64_t at,
			    struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "DELETE FROM guardianships WHERE guardian_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, guardian_id);
	if (sq_step_insert(tx, st, NULL, "forget guardianships", e) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		st = sq_prep(tx->c, "INSERT OR IGNORE INTO guardianships(guardian_id, child_id, checked_at) VALUES (?,?,?)",
			     e);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, guardian_id);
		sqlite3_bind_int64(st, 2, children[i]);
		sqlite3_bind_int64(st, 3, at);
		if (sq_step_insert(tx, st, NULL, "insert guardianship", e) != 0)
			return -1;
	}
	return 0;
}

struct pair {
	int64_t a, b;
};

static void bind_pair(sqlite3_stmt *st, const void *arg)
{
	const struct pair *p = arg;
	sqlite3_bind_int64(st, 1, p->a);
	sqlite3_bind_int64(st, 2, p->b);
}

int store_is_guardian(struct store *s, int64_t guardian_id, int64_t child_id, struct err *e)
{
	struct pair p = {guardian_id, child_id};
	int64_t count = 0;
	if (sq_query(s, "SELECT count(*) FROM guardianships WHERE guardian_id = ? AND child_id = ?", bind_pair, &p,
		     sq_count_row, &count, 1, NULL, e) < 0)
		return -1;
	return count > 0;
}

static int id_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	((int64_t *)out)[i] = sqlite3_column_int64(st, 0);
	return 0;
}

int store_guardians_of(struct store *s, int64_t child_id, int64_t *out, int max, struct err *e)
{
	return sq_query(s, "SELECT guardian_id FROM guardianships WHERE child_id = ? ORDER BY guardian_id", sq_bind_id,
			&child_id, id_row, out, max, NULL, e);
}

int store_children_of(struct store *s, int64_t guardian_id, int64_t *out, int max, struct err *e)
{
	return sq_query(s, "SELECT child_id FROM guardianships WHERE guardian_id = ? ORDER BY child_id", sq_bind_id,
			&guardian_id, id_row, out, max, NULL, e);
}

/* ---- powers of attorney ---- */

#define PROXY_COLS "id, grantor_id, proxy_id, scopes, valid_until, created_at, coalesce(revoked_at, 0), revoked_by"

static int proxy_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct proxy_rec *p = (struct proxy_rec *)out + i;
	p->id = sqlite3_column_int64(st, 0);
	p->grantor_id = sqlite3_column_int64(st, 1);
	p->proxy_id = sqlite3_column_int64(st, 2);
	p->scopes = sq_col_str(st, 3, a);
	p->valid_until = sq_col_str(st, 4, a);
	p->created_at = sqlite3_column_int64(st, 5);
	p->revoked_at = sqlite3_column_int64(st, 6);
	p->revoked_by = sq_col_str(st, 7, a);
	return 0;
}

int store_proxy_insert(struct store_tx *tx, const struct proxy_rec *p, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO proxies(grantor_id, proxy_id, scopes, valid_until, created_at) "
					  "VALUES (?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->grantor_id);
	sqlite3_bind_int64(st, 2, p->proxy_id);
	sq_bind_str(st, 3, p->scopes);
	sq_bind_str(st, 4, p->valid_until);
	sqlite3_bind_int64(st, 5, p->created_at);
	return sq_step_insert(tx, st, id, "insert power of attorney", e);
}

int store_proxy_get(struct store *s, int64_t id, struct proxy_rec *out, struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	int n = sq_query(s, "SELECT " PROXY_COLS " FROM proxies WHERE id = ?", sq_bind_id, &id, proxy_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_proxy_revoke(struct store_tx *tx, int64_t id, int64_t at, const char *by, struct err *e)
{
	sqlite3_stmt *st =
	    sq_prep(tx->c, "UPDATE proxies SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sq_bind_str(st, 2, by);
	sqlite3_bind_int64(st, 3, id);
	if (sq_step_insert(tx, st, NULL, "revoke power of attorney", e) != 0)
		return -1;
	return changed_one(tx, "the power of attorney is revoked already", e);
}

int store_proxies_of(struct store *s, int64_t person_id, int as_proxy, struct proxy_rec **out, struct arena *a,
		     struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	if (as_proxy)
		return sq_query(s, "SELECT " PROXY_COLS " FROM proxies WHERE proxy_id = ? ORDER BY id DESC", sq_bind_id,
				&person_id, proxy_row, *out, LIST_MAX, a, e);
	return sq_query(s, "SELECT " PROXY_COLS " FROM proxies WHERE grantor_id = ? ORDER BY id DESC", sq_bind_id,
			&person_id, proxy_row, *out, LIST_MAX, a, e);
}

static int acted_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct audit_rec *r = (struct audit_rec *)out + i;
	memset(r, 0, sizeof(*r));
	r->seq = sqlite3_column_int64(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	r->actor = sq_col_str(st, 2, a);
	r->action = sq_col_str(st, 3, a);
	r->object = sq_col_str(st, 4, a);
	return 0;
}

int store_audit_acted_for(struct store *s, int64_t person_id, struct audit_rec **out, struct arena *a,
			  struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * 100);
	return sq_query(s, "SELECT seq, at, actor, action, object FROM audit WHERE actor LIKE '% for person:' || ? "
			   "ORDER BY seq DESC LIMIT 100",
			sq_bind_id, &person_id, acted_row, *out, 100, a, e);
}

/* ---- acting for another ---- */

struct acting {
	int64_t acting_for, proxy_id;
	const char *grant;
};

static int acting_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct acting *x = (struct acting *)out + i;
	x->acting_for = sqlite3_column_int64(st, 0);
	x->grant = sq_col_str(st, 1, a);
	x->proxy_id = sqlite3_column_int64(st, 2);
	return 0;
}

int store_session_acting_get(struct store *s, const char *key_hash, int64_t *acting_for, const char **grant,
			     int64_t *proxy_id, struct arena *a, struct err *e)
{
	struct acting x = {0, 0, NULL};
	int n = sq_query(s, "SELECT coalesce(acting_for, 0), acting_grant, coalesce(acting_proxy, 0) FROM sessions "
			    "WHERE key_hash = ?",
			 sq_bind_text, key_hash, acting_row, &x, 1, a, e);
	*acting_for = x.acting_for;
	*grant = x.grant;
	*proxy_id = x.proxy_id;
	return n < 0 ? -1 : n == 0;
}

int store_session_acting_put(struct store_tx *tx, const char *key_hash, int64_t acting_for, const char *grant,
			     int64_t proxy_id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE sessions SET acting_for = ?, acting_grant = ?, acting_proxy = ? "
					  "WHERE key_hash = ?", e);
	if (st == NULL)
		return -1;
	if (acting_for > 0)
		sqlite3_bind_int64(st, 1, acting_for);
	else
		sqlite3_bind_null(st, 1);
	sq_bind_str(st, 2, acting_for > 0 ? grant : NULL);
	if (acting_for > 0 && proxy_id > 0)
		sqlite3_bind_int64(st, 3, proxy_id);
	else
		sqlite3_bind_null(st, 3);
	sq_bind_str(st, 4, key_hash);
	if (sq_step_insert(tx, st, NULL, "set acting for", e) != 0)
		return -1;
	return changed_one(tx, "no such session", e);
}
