/* sqlite_oidc.c - the storage of real login on SQLite (see oidc.h): the
 * logins under way, taken once by their state, and the ID token of each
 * session that came from an OpenID provider. */
#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/oidc.h"
#include "store/sqlite_internal.h"

int store_oidc_login_put(struct store_tx *tx, const struct oidc_login *l, int64_t stale, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "DELETE FROM oidc_logins WHERE created_at < ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, stale);
	if (sq_step_insert(tx, st, NULL, "forget stale logins", e) != 0)
		return -1;
	st = sq_prep(tx->c,
	             "INSERT INTO oidc_logins(state, visitor_hash, provider, nonce, verifier, acr, next, created_at) "
	             "VALUES (?,?,?,?,?,?,?,?)",
	             e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, l->state);
	sq_bind_str(st, 2, l->visitor_hash);
	sq_bind_str(st, 3, l->provider);
	sq_bind_str(st, 4, l->nonce);
	sq_bind_str(st, 5, l->verifier);
	sq_bind_str(st, 6, l->acr);
	sq_bind_str(st, 7, l->next);
	sqlite3_bind_int64(st, 8, l->created_at);
	return sq_step_insert(tx, st, NULL, "store login", e);
}

int store_oidc_login_take(struct store_tx *tx, const char *state, struct oidc_login *out, struct arena *a,
                          struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "SELECT state, visitor_hash, provider, nonce, verifier, acr, next, created_at "
	                           "FROM oidc_logins WHERE state = ?",
	                           e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, state);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 1;
	}
	if (rc != SQLITE_ROW) {
		sq_db_error(e, tx->c->db, "read login");
		sqlite3_reset(st);
		return -1;
	}
	out->state = sq_col_str(st, 0, a);
	out->visitor_hash = sq_col_str(st, 1, a);
	out->provider = sq_col_str(st, 2, a);
	out->nonce = sq_col_str(st, 3, a);
	out->verifier = sq_col_str(st, 4, a);
	out->acr = sq_col_str(st, 5, a);
	out->next = sq_col_str(st, 6, a);
	out->created_at = sqlite3_column_int64(st, 7);
	sqlite3_reset(st);
	st = sq_prep(tx->c, "DELETE FROM oidc_logins WHERE state = ?", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, state);
	return sq_step_insert(tx, st, NULL, "take login", e);
}

int store_oidc_session_put(struct store_tx *tx, const char *key_hash, const char *provider, const char *id_token,
                           struct err *e)
{
	sqlite3_stmt *st =
	    sq_prep(tx->c, "INSERT OR REPLACE INTO oidc_sessions(key_hash, provider, id_token) VALUES (?,?,?)", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, key_hash);
	sq_bind_str(st, 2, provider);
	sq_bind_str(st, 3, id_token);
	return sq_step_insert(tx, st, NULL, "store the session's ID token", e);
}

struct two {
	const char **a, **b;
};

static int two_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	struct two *t = out;
	*t->a = sq_col_str(st, 0, a);
	*t->b = sq_col_str(st, 1, a);
	return 0;
}

int store_oidc_session_get(struct store *s, const char *key_hash, const char **provider, const char **id_token,
                           struct arena *a, struct err *e)
{
	struct two t = {provider, id_token};
	int n = sq_query(s, "SELECT provider, id_token FROM oidc_sessions WHERE key_hash = ?", sq_bind_text, key_hash,
	                 two_row, &t, 1, a, e);
	return n < 0 ? -1 : n == 0;
}
