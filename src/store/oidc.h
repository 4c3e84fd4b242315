/* oidc.h - the storage of real login (OpenID Connect): the logins under
 * way between the redirect to the provider and its callback, and the ID
 * token each session began with (for logout at the provider).
 *
 * Conventions as store.h: reads take the store and an arena and return 0
 * found, 1 not found, -1 with e filled; writes take a transaction of
 * store_write(). Thread-safe. Implemented in sqlite_oidc.c (migration
 * 0015). */
#ifndef STIPEND_STORE_OIDC_H
#define STIPEND_STORE_OIDC_H

#include <stdint.h>

#include "store/store.h"

struct arena;
struct err;

struct oidc_login {
	const char *state;        /* the key: random, in the authorization request */
	const char *visitor_hash; /* the hash of the browser's token that began it */
	const char *provider;     /* "person" or "staff" */
	const char *nonce;
	const char *verifier; /* the PKCE code verifier */
	const char *acr;      /* the level asked for, or NULL */
	const char *next;     /* the local path to go to afterwards */
	int64_t created_at;
};

/* Record a login under way, and forget those begun before `stale`. */
int store_oidc_login_put(struct store_tx *tx, const struct oidc_login *l, int64_t stale, struct err *e);

/* Take the login of state: fill out (strings in a) and delete it, so that
 * a state serves one callback only. Returns 0, 1 when there is none, or
 * -1. */
int store_oidc_login_take(struct store_tx *tx, const char *state, struct oidc_login *out, struct arena *a,
                          struct err *e);

/* Keep the ID token of the session key_hash (the session must exist). */
int store_oidc_session_put(struct store_tx *tx, const char *key_hash, const char *provider, const char *id_token,
                           struct err *e);

/* The provider and ID token of the session key_hash. Returns 0, 1 when the
 * session did not come from an OpenID login, or -1. */
int store_oidc_session_get(struct store *s, const char *key_hash, const char **provider, const char **id_token,
                           struct arena *a, struct err *e);

#endif
