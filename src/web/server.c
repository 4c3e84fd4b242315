/* server.c - libmicrohttpd glue: builds requests, finds the session and the
 * language, calls the router's handler and sends its response with the
 * house's security headers.
 *
 * libmicrohttpd calls the access handler several times per request: the
 * first call only sets up our per-request state, later calls deliver the
 * body, and the last one (no more body) runs the handler. The response is
 * queued on that later call, never the first: queuing on the first call
 * makes libmicrohttpd close keep-alive connections. */
#include "web/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "access/identity.h"
#include "access/oidc.h"
#include "cases/documents.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "mailbox/unread.h"
#include "web/handlers.h"
#include "web/router.h"
#include "web/tmpl.h"

struct server {
	struct MHD_Daemon *d;
	struct app *app;
	pthread_mutex_t mu;
	pthread_cond_t work;
	struct pending *head, *tail;
	int stopping;
	pthread_t *workers;
	int n_workers;
	/* The documentation uploads whose bodies are being received: one slot
	 * each, with the person and the bytes reserved (see upload_begin). */
	pthread_mutex_t up_mu;
	struct upload_slot {
		int64_t person_id; /* 0: free */
		size_t bytes;
	} uploads[SERVER_UPLOADS_MAX];
};

enum pending_state { RECEIVING, RUNNING, ANSWERED };

/* Per-request state between libmicrohttpd's calls. */
struct pending {
	struct arena a;
	struct buf body;
	int too_large;
	/* An upload's body goes to a temporary file, not memory: its
	 * descriptor (-1: none), the bytes reserved and received, its slot in
	 * the server's uploads (-1: none), and the file mapped for the
	 * handler. */
	int body_fd;
	size_t body_cap, body_got;
	int upload_slot;
	void *body_map;
	size_t body_map_len;
	struct server *srv;
	enum pending_state state;
	int inline_ok; /* answered on libmicrohttpd's thread */
	struct MHD_Connection *c;
	struct req r;
	struct resp w;
	const char *cookie_sid, *cookie_pre, *cookie_lang, *accept_language;
	struct pending *next; /* in the workers' queue */
};

static const char csp[] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
			  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

const char *req_query(const struct req *r, const char *key)
{
	for (int i = 0; i < r->n_query; i++)
		if (strcmp(r->query[i].key, key) == 0)
			return r->query[i].value;
	return NULL;
}

const char *req_form(const struct req *r, const char *key)
{
	for (int i = 0; i < r->n_form; i++)
		if (strcmp(r->form[i].key, key) == 0)
			return r->form[i].value;
	return NULL;
}

int req_csrf_ok(const struct req *r)
{
	return access_csrf_ok(r->token, req_form(r, "csrf"));
}

void resp_header(struct resp *w, const char *key, const char *value)
{
	if (w->n_headers < RESP_MAX_HEADERS) {
		w->headers[w->n_headers].key = key;
		w->headers[w->n_headers].value = value;
		w->n_headers++;
	}
}

void resp_redirect(struct resp *w, struct req *r, const char *location)
{
	w->status = 303;
	resp_header(w, "Location", arena_strdup(r->a, location));
}

void resp_json(struct resp *w, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	w->status = status;
	w->content_type = "application/json";
	buf_puts(&w->body, s ? s : "{\"error\":\"internal\"}");
	buf_putc(&w->body, '\n');
	free(s);
	json_decref(j);
}

void resp_cookie(struct resp *w, struct req *r, const char *name, const char *value, long max_age)
{
	char age[32] = "";
	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
	resp_header(w, "Set-Cookie", arena_printf(r->a, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name, value,
						  age, r->app->secure_cookies ? "; Secure" : ""));
}

/* Append s percent-encoded for a query string. */
void http_url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' || *p == '.' || *p == '~') {
			buf_putc(b, (char)*p);
		} else {
			char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_append(b, esc, 3);
		}
	}
}

/* The layout's data: who is logged in, the unread count, the language
 * switch. */
static json_t *layout_data(struct req *r, const char *title_key)
{
	json_t *d = json_object();
	json_object_set_new(d, "title_key", json_string(title_key));
	json_object_set_new(d, "lang", json_string(i18n_lang_code(r->lang)));
	json_object_set_new(d, "other_lang", json_string(r->lang == LANG_NB ? "en" : "nb"));
	json_object_set_new(d, "other_lang_name", json_string(r->lang == LANG_NB ? "English" : "Norsk (bokmål)"));
	/* The language link keeps the page's own query (a calculator's
	 * answers), with lang replaced. */
	struct buf url;
	buf_init(&url, 4096);
	buf_puts(&url, r->path);
	for (int i = 0; i < r->n_query; i++) {
		if (strcmp(r->query[i].key, "lang") == 0)
			continue;
		buf_putc(&url, url.len == strlen(r->path) ? '?' : '&');
		http_url_encode(&url, r->query[i].key);
		buf_putc(&url, '=');
		http_url_encode(&url, r->query[i].value);
	}
	buf_puts(&url, url.len == strlen(r->path) ? "?lang=" : "&lang=");
	buf_puts(&url, r->lang == LANG_NB ? "en" : "nb");
	json_object_set_new(d, "lang_url", json_string(buf_str(&url)));
	buf_cleanup(&url);
	json_object_set_new(d, "csrf", json_string(r->csrf));
	json_object_set_new(d, "logged_in", json_boolean(r->who.role != ROLE_ANONYMOUS));
	/* A case worker's menu leads to the workbench, not to a person's pages. */
	json_object_set_new(d, "staff", json_boolean(r->who.role >= ROLE_CASEWORKER));
	/* Staff see the menu entries their role may open, no more. */
	json_object_set_new(d, "nav_queue", json_boolean(access_allowed(&r->who, ACT_QUEUE_READ, 0)));
	json_object_set_new(d, "nav_messages", json_boolean(access_allowed(&r->who, ACT_MESSAGES_QUEUE, 0)));
	json_object_set_new(d, "nav_stats", json_boolean(access_allowed(&r->who, ACT_STATS_READ, 0)));
	/* The support centre's and management's pages (#14). */
	json_object_set_new(d, "nav_support", json_boolean(access_allowed(&r->who, ACT_INQUIRY_LOG, 0)));
	json_object_set_new(d, "nav_dashboard", json_boolean(access_allowed(&r->who, ACT_DASHBOARD_READ, 0)));
	json_object_set_new(d, "nav_institution", json_boolean(access_allowed(&r->who, ACT_INSTITUTION_WORKSPACE, 0)));
	json_object_set_new(d, "test_login", json_boolean(r->app->test_login));
	json_object_set_new(d, "login_offered", json_boolean(r->app->test_login || (r->app->oidc && r->app->oidc->person)));
	json_object_set_new(d, "staff_login", json_boolean(r->app->oidc && r->app->oidc->staff)); /* real login, #13 */
	/* The header's name and unread count: a failure to find them costs
	 * the page nothing but the header's detail. */
	const char *name;
	int unread = 0;
	struct err e;
	if (access_identity_name(r->app->store, &r->who, &name, r->a, &e) == 0)
		json_object_set_new(d, "user_name", json_string(name));
	if (mbox_unread_count(r->app->store, &r->who, &unread, &e) == 0)
		json_object_set_new(d, "unread", json_integer(unread));
	/* Guardians and proxies (access/relations.c): whom the person acts
	 * for, on every page, and the menu's entries for it. */
	const char *acting, *grant_key;
	if (access_acting_name(r->app->store, &r->who, &acting, &grant_key, r->a, &e) == 0) {
		json_object_set_new(d, "acting_for_name", json_string(acting));
		json_object_set_new(d, "acting_grant_key", json_string(grant_key));
	}
	json_object_set_new(d, "nav_agreements",
			    json_boolean(access_allowed(&r->who, ACT_AGREEMENT_READ, access_subject(&r->who))));
	json_object_set_new(d, "nav_paper", json_boolean(access_allowed(&r->who, ACT_AGREEMENTS_PAPER_QUEUE, 0)));
	return d;
}

void resp_page(struct resp *w, struct req *r, const char *name, const char *title_key, json_t *data)
{
	struct buf inner;
	struct err e;
	buf_init(&inner, 4 << 20);
	if (data == NULL)
		data = json_object();
	json_object_set_new(data, "csrf", json_string(r->csrf));
	json_object_set_new(data, "lang", json_string(i18n_lang_code(r->lang)));
	if (tmpl_render(&inner, name, data, r->lang, &e) != 0) {
		log_error("render %s: %s", name, e.message);
		json_decref(data);
		buf_cleanup(&inner);
		resp_error(w, r, 500, "error.internal");
		return;
	}
	json_decref(data);
	json_t *l = layout_data(r, title_key);
	json_object_set_new(l, "body", json_string(buf_str(&inner)));
	buf_cleanup(&inner);
	buf_reset(&w->body);
	if (tmpl_render(&w->body, "layout", l, r->lang, &e) != 0) {
		log_error("render layout: %s", e.message);
		buf_reset(&w->body);
		buf_puts(&w->body, "internal error");
		w->status = 500;
	}
	json_decref(l);
	w->content_type = "text/html; charset=utf-8";
	if (w->status == 0)
		w->status = 200;
}

void resp_error(struct resp *w, struct req *r, int status, const char *message_key)
{
	json_t *d = json_object();
	json_object_set_new(d, "status", json_integer(status));
	json_object_set_new(d, "message_key", json_string(message_key));
	w->status = status;
	resp_page(w, r, "error", "error.title", d);
	w->status = status;
}

void resp_failure(struct resp *w, struct req *r, const struct err *e, const char *what)
{
	/* A visitor who is not logged in is asked to log in: the gate has
	 * audited the refusal already. */
	if ((e->code == ERR_NOT_FOUND || e->code == ERR_FORBIDDEN) && r->who.role == ROLE_ANONYMOUS) {
		/* #15: back to the page asked for after the login (a GET only:
		 * a form posted while logged out is not sent again). */
		if (r->app->test_login && strcmp(r->method, "GET") == 0 && r->path != NULL) {
			struct buf next;
			buf_init(&next, 2048);
			buf_puts(&next, r->path);
			for (int i = 0; i < r->n_query; i++) {
				buf_putc(&next, i == 0 ? '?' : '&');
				http_url_encode(&next, r->query[i].key);
				buf_putc(&next, '=');
				http_url_encode(&next, r->query[i].value);
			}
			struct buf loc;
			buf_init(&loc, 4096);
			buf_puts(&loc, "/login?next=");
			http_url_encode(&loc, buf_str(&next));
			resp_redirect(w, r, arena_strdup(r->a, buf_str(&loc)));
			buf_cleanup(&loc);
			buf_cleanup(&next);
			return;
		}
		resp_redirect(w, r, r->app->test_login ? "/login" : "/");
		return;
	}
	/* Allowed, but the login was not strong enough (real login, #13):
	 * a step-up to a login at high assurance, back to this page; after a
	 * form (a POST), back to the nearest page above it ("/avtaler" for
	 * "/avtaler/7/signer"), where the person sends the form again. */
	if (e->code == ERR_FORBIDDEN && strcmp(e->field, "acr") == 0) {
		struct buf url;
		char *back = arena_strdup(r->a, r->path);
		if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
			char *slash;
			while (!router_page_exists(r, back) && (slash = strrchr(back, '/')) != NULL && slash != back)
				*slash = '\0';
			if (!router_page_exists(r, back))
				back = "/";
		}
		buf_init(&url, 4096);
		buf_puts(&url, r->app->oidc && r->app->oidc->person ? "/login/idporten?acr=high&next=" : "/login?next=");
		http_url_encode(&url, back);
		resp_redirect(w, r, buf_str(&url));
		buf_cleanup(&url);
		return;
	}
	if (e->code == ERR_NOT_FOUND) {
		resp_error(w, r, 404, "error.not-found");
	} else if (e->code == ERR_FORBIDDEN) {
		resp_error(w, r, 403, "error.forbidden");
	} else {
		log_error("%s: %s", what, e->message);
		resp_error(w, r, 500, "error.internal");
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one urlencoded component of n bytes into the arena. */
static char *decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return NULL;
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	/* A NUL byte inside a value is refused: C strings would cut it. */
	return (size_t)(o - out) == strlen(out) ? out : NULL;
}

int http_parse_urlencoded(struct arena *a, const char *s, size_t len, struct kv **out)
{
	int n = 1;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '&';
	*out = arena_alloc(a, sizeof(**out) * (size_t)n);
	int count = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '&')
			continue;
		if (i > start) {
			const char *eq = memchr(s + start, '=', i - start);
			size_t klen = eq ? (size_t)(eq - (s + start)) : i - start;
			char *k = decode(a, s + start, klen);
			char *v = eq ? decode(a, eq + 1, i - start - klen - 1) : arena_strdup(a, "");
			if (k == NULL || v == NULL)
				return -1;
			(*out)[count].key = k;
			(*out)[count].value = v;
			count++;
		}
		start = i + 1;
	}
	return count;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct req *r = cls;
	if (r->n_query < 32) {
		r->query[r->n_query].key = arena_strdup(r->a, key);
		r->query[r->n_query].value = arena_strdup(r->a, value ? value : "");
		r->n_query++;
	}
	return MHD_YES;
}

/* The request's language: ?lang= (remembered in a cookie), the cookie,
 * Accept-Language, else bokmål. */
static void pick_language(struct pending *p)
{
	struct req *r = &p->r;
	const char *q = req_query(r, "lang");
	enum lang l;
	if (q && i18n_lang_parse(q, &l) == 0) {
		r->lang = l;
		resp_cookie(&p->w, r, "lang", i18n_lang_code(l), 365L * 86400);
		return;
	}
	r->lang = LANG_NB;
	if (p->cookie_lang && i18n_lang_parse(p->cookie_lang, &l) == 0)
		r->lang = l;
	else if (p->accept_language && i18n_lang_parse(p->accept_language, &l) == 0)
		r->lang = l;
}

/* Find the session; give an anonymous visitor a token of their own so that
 * forms before login carry a CSRF token too. The visitor's token is one the
 * server issued (access_pre_ok); any other value, such as one another site
 * planted, is replaced, so that nobody can know a visitor's CSRF token in
 * advance. */
static void find_session(struct pending *p)
{
	struct req *r = &p->r;
	struct err e;
	if (p->cookie_sid && access_session_find(r->app->store, p->cookie_sid, r->now, &r->who, r->a, &e) == 0) {
		r->token = p->cookie_sid;
	} else if (p->cookie_pre && access_pre_ok(p->cookie_pre)) {
		r->token = p->cookie_pre;
	} else {
		char *t = arena_alloc(r->a, ACCESS_TOKEN_LEN + 1);
		access_pre_token(t);
		r->token = t;
		resp_cookie(&p->w, r, "pre", t, -1);
	}
	access_csrf(r->token, r->csrf);
}

/* The house's headers on every answer. Strict-Transport-Security only when
 * the public address is https (the same knowledge that marks cookies
 * Secure): sent over plain http it would be ignored at best, and would lock
 * out a test installation's http at worst. */
static void add_headers(struct MHD_Response *m, const struct resp *w, const struct app *app)
{
	MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, w->content_type ? w->content_type : "text/plain; charset=utf-8");
	MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(m, "X-Frame-Options", "DENY");
	MHD_add_response_header(m, "Referrer-Policy", "same-origin");
	MHD_add_response_header(m, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(m, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
	MHD_add_response_header(m, "Content-Security-Policy", csp);
	if (app != NULL && app->secure_cookies)
		MHD_add_response_header(m, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
	MHD_add_response_header(m, MHD_HTTP_HEADER_CACHE_CONTROL, w->cacheable ? "public, max-age=3600" : "no-store");
	for (int i = 0; i < w->n_headers; i++)
		MHD_add_response_header(m, w->headers[i].key, w->headers[i].value);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct resp *w, const struct app *app)
{
	struct MHD_Response *m = MHD_create_response_from_buffer(w->body.len, w->body.p ? w->body.p : (char *)"",
								 MHD_RESPMEM_MUST_COPY);
	if (m == NULL)
		return MHD_NO;
	add_headers(m, w, app);
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)w->status, m);
	MHD_destroy_response(m);
	return rc;
}

/* Run the request's handler (on a worker thread, or inline for the few
 * that touch no storage) and leave the response in p->w. */
static void dispatch_request(struct pending *p)
{
	struct req *r = &p->r;
	struct resp *w = &p->w;
	int mismatch = 0;
	handler_fn h = router_find(r, &mismatch);
	int api = strncmp(r->path, "/api/", 5) == 0;

	pick_language(p);
	if (p->too_large) {
		w->status = 413;
		buf_puts(&w->body, "request body too large\n");
		return;
	}
	if (h == NULL && api) {
		resp_json(w, mismatch ? 405 : 404,
			  json_pack("{s:s,s:s}", "error", mismatch ? "method-not-allowed" : "not-found", "message",
				    mismatch ? "method not allowed" : "no such endpoint"));
		return;
	}
	if (!api && !p->inline_ok)
		find_session(p);
	if (h == NULL) {
		resp_error(w, r, mismatch ? 405 : 404, mismatch ? "error.method" : "error.not-found");
		return;
	}
	const char *ct = r->content_type;
	if (strcmp(r->method, "POST") == 0 && ct && strncmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		r->n_form = http_parse_urlencoded(r->a, r->body, r->body_len, &r->form);
		if (r->n_form < 0) {
			r->n_form = 0;
			resp_error(w, r, 400, "error.bad-request");
			return;
		}
	}
	h(r, w);
}

/* The route's pattern for the metrics (#14): the router's own string, so
 * that a path's ids never become labels; NULL when no route matched. */
static const char *route_pattern(struct req *r)
{
	int mismatch = 0;
	handler_fn h = router_find(r, &mismatch);
	for (const struct route *rt = router_routes(); h && rt->method; rt++)
		if (rt->handler == h && strcmp(rt->method, r->method) == 0)
			return rt->pattern;
	return NULL;
}

static void dispatch(struct pending *p)
{
	double t0 = metrics_clock();
	dispatch_request(p);
	metrics_request(route_pattern(&p->r), p->r.method, p->w.status, metrics_clock() - t0);
}

/* ---- the handler workers ----
 *
 * Handlers may wait for a durable commit. They run on a pool of worker
 * threads, not on libmicrohttpd's: the connection is suspended while its
 * handler runs and resumed when the response is ready, so a connection
 * waiting for the disk never holds up another connection served by the
 * same event loop. */

static void *worker_main(void *arg)
{
	struct server *srv = arg;
	pthread_mutex_lock(&srv->mu);
	for (;;) {
		while (srv->head == NULL && !srv->stopping)
			pthread_cond_wait(&srv->work, &srv->mu);
		if (srv->head == NULL)
			break;
		struct pending *p = srv->head;
		srv->head = p->next;
		if (srv->head == NULL)
			srv->tail = NULL;
		pthread_mutex_unlock(&srv->mu);
		dispatch(p);
		p->state = ANSWERED;
		MHD_resume_connection(p->c);
		pthread_mutex_lock(&srv->mu);
	}
	pthread_mutex_unlock(&srv->mu);
	return NULL;
}

static void hand_to_worker(struct server *srv, struct pending *p)
{
	pthread_mutex_lock(&srv->mu);
	p->next = NULL;
	if (srv->tail)
		srv->tail->next = p;
	else
		srv->head = p;
	srv->tail = p;
	pthread_cond_signal(&srv->work);
	pthread_mutex_unlock(&srv->mu);
}

/* ---- the documentation upload ----
 *
 * The upload is the one route with a large body. Its gate is asked on the
 * event loop as soon as the request's headers have come (the route's case
 * and the session are known then), before a byte of the body is read: a
 * refusal is audited by the gate and answered at once (404, or the login
 * for a visitor who is not logged in), and libmicrohttpd then closes the
 * connection without reading the body. An accepted body is streamed to an
 * unlinked temporary file, within SERVER_UPLOAD_QUOTA bytes in flight per
 * person and SERVER_UPLOADS_MAX uploads in flight in all (past either the
 * answer is at once: 429 or 503, with Retry-After), and the handler parses
 * it from the file mapped read-only, so that no upload's body sits on the
 * heap. */

/* The acting identity of the request's session cookie: a person, a case
 * worker, or the anonymous visitor (who zeroed). */
static void person_session(struct server *srv, struct MHD_Connection *c, struct principal *who, struct arena *a)
{
	const char *sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "sid");
	struct err e;
	memset(who, 0, sizeof(*who));
	if (sid == NULL || access_session_find(srv->app->store, sid, date_now_unix(), who, a, &e) != 0)
		memset(who, 0, sizeof(*who));
}

/* Take a slot for person's upload of bytes: the slot's index, -1 when
 * SERVER_UPLOADS_MAX uploads are in flight, -2 when the person's would pass
 * SERVER_UPLOAD_QUOTA. */
static int upload_begin(struct server *srv, int64_t person_id, size_t bytes)
{
	int slot = -1;
	size_t mine = 0;
	pthread_mutex_lock(&srv->up_mu);
	for (int i = 0; i < SERVER_UPLOADS_MAX; i++) {
		if (srv->uploads[i].person_id == person_id)
			mine += srv->uploads[i].bytes;
		else if (srv->uploads[i].person_id == 0 && slot < 0)
			slot = i;
	}
	if (slot >= 0 && mine + bytes > SERVER_UPLOAD_QUOTA)
		slot = -2;
	if (slot >= 0)
		srv->uploads[slot] = (struct upload_slot){person_id, bytes};
	pthread_mutex_unlock(&srv->up_mu);
	return slot;
}

static void upload_end(struct server *srv, int slot)
{
	if (slot < 0)
		return;
	pthread_mutex_lock(&srv->up_mu);
	srv->uploads[slot] = (struct upload_slot){0, 0};
	pthread_mutex_unlock(&srv->up_mu);
}

/* An unlinked temporary file for a body, in $TMPDIR or /tmp: its
 * descriptor, or -1. */
static int body_file(void)
{
	const char *dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	/* A file system without O_TMPFILE: a named file, unlinked at once. */
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/stipend-upload-XXXXXX", dir) >= sizeof(path))
		return -1;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* Append n bytes to the body file; -1 when it cannot be written. */
static int body_write(int fd, const char *data, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		n -= (size_t)w;
	}
	return 0;
}

static const char *copy_value(struct arena *a, const char *v)
{
	return v ? arena_strdup(a, v) : NULL;
}

/* Take from the connection what the handler (or an answer given at once)
 * needs, since the handler may run on another thread. */
static void take_request(struct server *srv, struct pending *p, struct MHD_Connection *c, const char *method,
			 const char *url)
{
	struct req *r = &p->r;
	r->app = srv->app;
	r->a = &p->a;
	r->method = copy_value(r->a, method);
	r->path = copy_value(r->a, url);
	r->now = date_now_unix();
	r->body = "";
	r->body_len = 0;
	r->content_type = copy_value(r->a, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE));
	r->accept = copy_value(r->a, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	r->query = arena_alloc(r->a, sizeof(*r->query) * 32);
	r->n_query = 0;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, r);
	r->authorization = copy_value(r->a, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
									 MHD_HTTP_HEADER_AUTHORIZATION));
	p->cookie_sid = copy_value(r->a, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "sid"));
	p->cookie_pre = copy_value(r->a, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "pre"));
	p->cookie_lang = copy_value(r->a, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "lang"));
	p->accept_language = copy_value(r->a, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
									  MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	p->c = c;
}

/* Answer p at once, before its body is read: libmicrohttpd sends it and
 * closes the connection without reading the rest. */
static enum MHD_Result answer_now(struct pending *p, struct MHD_Connection *c)
{
	p->state = ANSWERED;
	if (p->w.status == 0)
		p->w.status = 200;
	return send_resp(c, &p->w, p->r.app);
}

/* An answer of status with Retry-After, at once: too many uploads. */
static enum MHD_Result answer_busy(struct pending *p, struct MHD_Connection *c, int status)
{
	struct req *r = &p->r;
	find_session(p);
	pick_language(p);
	resp_error(&p->w, r, status, "mailbox.upload.error.busy");
	resp_header(&p->w, "Retry-After", "30");
	return answer_now(p, c);
}

/* The upload's first call: ask the gate, reserve the quota, open the file.
 * Returns MHD_YES to read the body, or the result of an answer given at
 * once. */
static enum MHD_Result upload_start(struct server *srv, struct pending *p, struct MHD_Connection *c,
				    const char *method, const char *url, int64_t case_id)
{
	struct req *r = &p->r;
	struct principal who;
	struct err e;
	take_request(srv, p, c, method, url);
	person_session(srv, c, &who, &p->a);
	if (documents_upload_gate(srv->app->store, &who, case_id, r->now, &e) != 0) {
		find_session(p);
		pick_language(p);
		resp_failure(&p->w, r, &e, "upload");
		return answer_now(p, c);
	}
	/* The body's size as announced; without one (chunked), the most an
	 * upload may be. */
	size_t cap = PORTAL_UPLOAD_MAX_BODY;
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno != 0 || *end != '\0' || n > PORTAL_UPLOAD_MAX_BODY) {
			find_session(p);
			pick_language(p);
			resp_error(&p->w, r, 413, "mailbox.upload.error.body_too_large");
			return answer_now(p, c);
		}
		cap = (size_t)n;
	}
	int slot = upload_begin(srv, access_subject(&who), cap);
	if (slot < 0)
		return answer_busy(p, c, slot == -1 ? 503 : 429);
	p->upload_slot = slot;
	p->body_cap = cap;
	p->body_fd = body_file();
	if (p->body_fd < 0) {
		char msg[128];
		log_error("upload: no temporary file: %s", log_errno(errno, msg, sizeof(msg)));
		find_session(p);
		pick_language(p);
		resp_error(&p->w, r, 500, "error.internal");
		return answer_now(p, c);
	}
	return MHD_YES;
}

/* The whole upload is in its file: map it for the handler. */
static int upload_map(struct pending *p)
{
	if (p->body_got == 0)
		return 0;
	void *m = mmap(NULL, p->body_got, PROT_READ, MAP_PRIVATE, p->body_fd, 0);
	if (m == MAP_FAILED)
		return -1;
	p->body_map = m;
	p->body_map_len = p->body_got;
	p->r.body = m;
	p->r.body_len = p->body_got;
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)version;
	struct server *srv = cls;
	struct pending *p = *con_cls;
	if (p == NULL) {
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			return MHD_NO;
		arena_init(&p->a, 16384);
		p->srv = srv;
		p->body_fd = -1;
		p->upload_slot = -1;
		buf_init(&p->body, SERVER_MAX_BODY);
		buf_init(&p->w.body, 8 << 20);
		*con_cls = p;
		/* Only the documentation upload may send more than the usual,
		 * and only once its gate let it in. */
		int64_t case_id = portal_upload_route(method, url);
		if (case_id > 0)
			return upload_start(srv, p, c, method, url, case_id);
		return MHD_YES;
	}
	if (p->state == ANSWERED) {
		if (p->w.status == 0)
			p->w.status = 200;
		return send_resp(c, &p->w, srv->app);
	}
	if (*upload_data_size > 0) {
		if (p->body_fd >= 0) {
			if (!p->too_large) {
				if (*upload_data_size > p->body_cap - p->body_got)
					p->too_large = 1;
				else if (body_write(p->body_fd, upload_data, *upload_data_size) != 0)
					p->too_large = 1; /* the disk is full: refused as too large */
				else
					p->body_got += *upload_data_size;
			}
		} else if (!p->too_large && buf_append(&p->body, upload_data, *upload_data_size) != 0) {
			p->too_large = 1;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}

	/* The whole request is here. */
	struct req *r = &p->r;
	take_request(srv, p, c, method, url);
	r->body = buf_str(&p->body);
	r->body_len = p->body.len;
	if (p->body_fd >= 0 && !p->too_large && upload_map(p) != 0) {
		char msg[128];
		log_error("upload: cannot map the body: %s", log_errno(errno, msg, sizeof(msg)));
		p->too_large = 1;
	}
	/* Static assets and the health check touch no storage: answer them
	 * on the spot. */
	p->inline_ok = strncmp(r->path, "/static/", 8) == 0 || strcmp(r->path, "/healthz") == 0;
	if (p->inline_ok) {
		dispatch(p);
		p->state = ANSWERED;
		if (p->w.status == 0)
			p->w.status = 200;
		return send_resp(c, &p->w, srv->app);
	}
	p->state = RUNNING;
	MHD_suspend_connection(c);
	hand_to_worker(srv, p);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct pending *p = *con_cls;
	if (p == NULL)
		return;
	if (p->body_map != NULL)
		munmap(p->body_map, p->body_map_len);
	if (p->body_fd >= 0)
		close(p->body_fd);
	upload_end(p->srv, p->upload_slot);
	arena_cleanup(&p->a);
	buf_cleanup(&p->body);
	buf_cleanup(&p->w.body);
	free(p);
	*con_cls = NULL;
}

struct server *server_start(struct app *app, const char *host, int port, int io_threads, int workers,
			    struct err *e)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		err_set(e, ERR_INVALID, "listen", "%s is not an IPv4 address", host);
		return NULL;
	}
	struct server *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->workers = calloc((size_t)workers, sizeof(*s->workers))) == NULL) {
		free(s);
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	s->app = app;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_mutex_init(&s->up_mu, NULL);
	for (; s->n_workers < workers; s->n_workers++)
		if (pthread_create(&s->workers[s->n_workers], NULL, worker_main, s) != 0)
			break;
	if (s->n_workers < workers) {
		err_set(e, ERR_INTERNAL, NULL, "cannot start %d handler threads", workers);
		server_stop(s);
		return NULL;
	}
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
					MHD_USE_ERROR_LOG,
				(uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned)io_threads, MHD_OPTION_NOTIFY_COMPLETED,
				on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
				MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
				MHD_OPTION_END);
	if (s->d == NULL) {
		err_set(e, ERR_IO, "listen", "cannot listen on %s:%d", host, port);
		server_stop(s);
		return NULL;
	}
	return s;
}

void server_stop(struct server *s)
{
	if (s == NULL)
		return;
	/* Let the workers finish what is queued (each resumes its connection),
	 * then stop libmicrohttpd, which must find no connection suspended. */
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < s->n_workers; i++)
		pthread_join(s->workers[i], NULL);
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work);
	pthread_mutex_destroy(&s->up_mu);
	free(s->workers);
	free(s);
}
