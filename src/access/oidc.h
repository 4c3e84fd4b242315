/* oidc.h - real login: the OpenID Connect client of ID-porten (citizens)
 * and of the agency's own provider (staff).
 *
 * The authorization code flow with PKCE (S256), state and nonce. The login
 * begins (oidc_login_begin) by storing a random state, nonce and code
 * verifier tied to the browser's own token (the `pre` cookie, or its
 * session), and sends the browser to the provider; the callback
 * (oidc_login_finish) takes that login once by its state, only for the same
 * browser, exchanges the code over the back channel with the client's
 * secret and the verifier, verifies the ID token (RS256 against the
 * provider's JWKS, fetched and cached, fetched again for an unknown key
 * id; iss, aud, exp and iat with a small skew, nonce) and starts the
 * session: a person's by the `pid` claim, at the level of assurance of the
 * `acr` claim; a member of staff's by the username claim, with the role
 * the provider vouches for, which must be the staff record's. Logout ends
 * the session and sends the browser to the provider's end-session
 * endpoint with the ID token as a hint.
 *
 * Every refusal is audited ("login.refused", object "oidc:person" or
 * "oidc:staff", the reason as detail; never the identity number). */
#ifndef STIPEND_ACCESS_OIDC_H
#define STIPEND_ACCESS_OIDC_H

#include <stdint.h>

#include <jansson.h>

#include "access/access.h"

struct arena;
struct err;
struct store;

/* How one provider is reached. Strings are copied. */
struct oidc_config {
	const char *kind;   /* "person" (ID-porten) or "staff" (the agency's) */
	const char *issuer; /* the issuer URL; discovery at issuer + /.well-known/openid-configuration */
	const char *client_id;
	const char *client_secret;
	const char *redirect_uri;             /* this server's callback: public URL + /login/callback */
	const char *post_logout_redirect_uri; /* where the provider sends the browser after logout */
};

struct oidc_provider;

/* A provider (its discovery document and keys are fetched on first use).
 * Returns NULL with ERR_INVALID naming the option when the configuration
 * is incomplete. Free with oidc_provider_free (NULL: no-op). Thread-safe
 * once made. */
struct oidc_provider *oidc_provider_new(const struct oidc_config *c, struct err *e);
void oidc_provider_free(struct oidc_provider *p);

/* The back channel's time limit, in milliseconds (default 5000). */
void oidc_provider_timeout(struct oidc_provider *p, long ms);

/* Begin a login at p for the browser whose token is visitor_token (its
 * `pre` token or session token), asking for acr (ACR_HIGH for a step-up;
 * NULL: the provider's default) and going to next afterwards (a local path
 * "/..."; anything else is replaced by "/"). Returns 0 with *url the
 * authorization request to redirect to (in a), or -1 (ERR_IO when the
 * provider's discovery document cannot be had). */
int oidc_login_begin(struct store *s, struct oidc_provider *p, const char *visitor_token, const char *acr,
                     const char *next, int64_t now, const char **url, struct arena *a, struct err *e);

/* The providers a callback may answer for (either may be NULL). */
struct oidc_providers {
	struct oidc_provider *person, *staff;
};

/* Finish the login the callback's state names: state, code, iss and error
 * are the callback's parameters (error: the provider's refusal, or NULL;
 * iss, when the provider sends it (RFC 9207), must be its issuer, against
 * a mix-up of providers).
 * visitor_token is the browser's token as at the begin; old_session the
 * session to end as the new one starts (or NULL). Returns 0 with token (the
 * new session's), *next and *role filled; or -1 with e: ERR_INVALID (field
 * "state", "code", "iss", "id_token" or "error") for a refused login, ERR_NOT_FOUND
 * when the provider's identity is no person or member of staff the agency
 * knows, ERR_IO when the provider cannot be reached, ERR_STORE. Refusals
 * are audited. */
int oidc_login_finish(struct store *s, const struct oidc_providers *ps, const char *visitor_token,
                      const char *old_session, const char *state, const char *code, const char *iss, const char *error,
                      int64_t now, int64_t ttl, char token[ACCESS_TOKEN_LEN + 1], const char **next, enum role *role,
                      struct arena *a, struct err *e);

/* End the session token and find where the browser goes next: *url is the
 * provider's end-session request when the session came from one of ps, else
 * NULL (in a). Returns 0 or -1. */
int oidc_logout(struct store *s, const struct oidc_providers *ps, const char *token, const char **url, struct arena *a,
                struct err *e);

/* ---- the ID token (pure; for the tests and the fuzz target) ---- */

/* What an ID token must say. */
struct oidc_expect {
	const char *issuer;
	const char *client_id; /* the audience */
	const char *nonce;
	int64_t now;
	int64_t skew; /* seconds of clock difference tolerated */
};

/* What it said (strings in the arena; NULL when absent). */
struct oidc_claims {
	const char *iss, *sub, *nonce, *acr;
	const char *pid;      /* ID-porten: the national identity number */
	const char *username; /* the agency: preferred_username */
	const char *role;     /* the agency: the first of "roles" */
	int64_t exp, iat;
};

#define OIDC_DEFAULT_SKEW 30

/* Verify jwt (compact JWS) against jwks ({"keys": [...]}) and x: the header
 * must say alg RS256 and name a kid; the signature must verify under that
 * key; iss must be x->issuer, aud x->client_id (or an array holding it,
 * with azp then the client), nonce x->nonce, exp after now - skew and iat
 * before now + skew. Returns 0 with out filled, 1 when no key of jwks has
 * the kid (the caller may fetch the JWKS again), or -1 with ERR_INVALID
 * (field "id_token", the message saying what was wrong). Thread-safe. */
int oidc_verify(const char *jwt, const json_t *jwks, const struct oidc_expect *x, struct oidc_claims *out,
                struct arena *a, struct err *e);

/* The PKCE S256 challenge of verifier: BASE64URL(SHA-256(verifier)), 43
 * characters and a NUL. */
void oidc_pkce_challenge(const char *verifier, char out[44]);

#endif
