/* http.h - requests and responses as the handlers see them, and the
 * server's shared state.
 *
 * The server (server.c) builds a struct req from libmicrohttpd's connection,
 * finds the session, the language and the CSRF token, and passes it with an
 * empty struct resp to the handler the router chose. Everything a handler
 * allocates comes from req->a, freed when the response is queued. */
#ifndef STIPEND_HTTP_H
#define STIPEND_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "core/buf.h"
#include "core/i18n.h"

struct arena;
struct cases_env;
struct notify_config;
struct oidc_providers;
struct params;
struct payout_env;
struct store;

/* What every request may need: set up once by `stipend serve`. */
struct app {
	struct store *store;
	const struct params *params;
	const struct cases_env *cases; /* the case life cycle's environment */
	const struct notify_config *notify; /* e-mail and SMS (notify/notify.h) */
	int test_login;       /* --test-login: the TestID-like login is offered */
	int secure_cookies;   /* cookies carry Secure (public URL is https) */
	const char *school_year; /* the year the application form applies for */
	int64_t session_ttl;  /* seconds */
	const struct oidc_providers *oidc; /* real login (#13): ID-porten and the staff provider, or NULL */
	/* Payouts (#10): the account register and the bank; NULL: none. */
	const struct payout_env *payout;
};

struct kv {
	const char *key, *value;
};

struct req {
	struct app *app;
	struct arena *a;
	const char *method;
	const char *path;
	struct kv *query;
	int n_query;
	struct kv *form; /* an application/x-www-form-urlencoded body */
	int n_form;
	const char *body;
	size_t body_len;
	const char *content_type;
	const char *params[4]; /* the router's captures, ":id" */
	int n_params;
	enum lang lang;
	struct principal who;
	const char *token; /* session token, or the anonymous visitor's */
	char csrf[65];     /* the token forms must carry */
	int64_t now;       /* Unix seconds at the request's start */
	const char *authorization; /* the Authorization header, or NULL (#13: the institutions' API) */
	const char *accept; /* #15: the Accept header, or NULL (a JSON answer for a client that asks) */
};

#define RESP_MAX_HEADERS 8

struct resp {
	int status;
	const char *content_type;
	struct buf body;
	struct kv headers[RESP_MAX_HEADERS];
	int n_headers;
	int cacheable; /* static assets: may be cached; pages never */
};

typedef void (*handler_fn)(struct req *r, struct resp *w);

/* A query or form value, or NULL. */
const char *req_query(const struct req *r, const char *key);
const char *req_form(const struct req *r, const char *key);

/* 1 when the form carries the right CSRF token. */
int req_csrf_ok(const struct req *r);

void resp_header(struct resp *w, const char *key, const char *value);
void resp_redirect(struct resp *w, struct req *r, const char *location);
/* A page of plain status text (errors), in the request's language. */
void resp_error(struct resp *w, struct req *r, int status, const char *message_key);
/* The page for a failed call: 404 for ERR_NOT_FOUND (also what a refusal
 * looks like, so that it reveals nothing), 403 for ERR_FORBIDDEN, else 500
 * with e logged under `what`. A visitor who is not logged in is sent to log
 * in instead of a 403 or 404 (the gate audited the refusal). */
void resp_failure(struct resp *w, struct req *r, const struct err *e, const char *what);

/* A JSON body; takes the reference. */
void resp_json(struct resp *w, int status, json_t *j);
/* Set-Cookie with the house attributes (Path=/, HttpOnly, SameSite=Lax,
 * Secure when configured); max_age < 0 makes a session cookie, 0 deletes. */
void resp_cookie(struct resp *w, struct req *r, const char *name, const char *value, long max_age);

/* Render templates/<name>.html with data inside the layout; takes the
 * reference to data. */
void resp_page(struct resp *w, struct req *r, const char *name, const char *title_key, json_t *data);

/* Append s percent-encoded for a URL's query (RFC 3986 unreserved kept). */
void http_url_encode(struct buf *b, const char *s);

/* Parse "a=1&b=x%20y" into kv pairs in the arena. Returns the count, or -1
 * for a malformed escape. */
int http_parse_urlencoded(struct arena *a, const char *s, size_t len, struct kv **out);

#endif
