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
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"
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
};

enum pending_state { RECEIVING, RUNNING, ANSWERED };

/* Per-request state between libmicrohttpd's calls. */
struct pending {
	struct arena a;
	struct buf body;
	int too_large;
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
	json_object_set_new(d, "logged_in", json_boolean(r->who.role == ROLE_PERSON || r->who.role == ROLE_CASEWORKER));
	/* A case worker's menu leads to the workbench, not to a person's pages. */
	json_object_set_new(d, "staff", json_boolean(r->who.role == ROLE_CASEWORKER));
	if (r->who.role == ROLE_CASEWORKER) {
		struct staff st;
		struct err e;
		if (store_staff_get(r->app->store, r->who.staff_id, &st, r->a, &e) == 0)
			json_object_set_new(d, "user_name", json_string(st.name));
	}
	json_object_set_new(d, "test_login", json_boolean(r->app->test_login));
	if (r->who.role == ROLE_PERSON) {
		struct person p;
		struct letter *letters;
		int unread = 0;
		struct err e;
		if (store_person_get(r->app->store, r->who.person_id, &p, r->a, &e) == 0)
			json_object_set_new(d, "user_name", json_string(arena_printf(r->a, "%s %s", p.given_name, p.family_name)));
		if (store_letters_of_person(r->app->store, r->who.person_id, &letters, &unread, r->a, &e) >= 0)
			json_object_set_new(d, "unread", json_integer(unread));
	}
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
		resp_redirect(w, r, r->app->test_login ? "/login" : "/");
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
static void dispatch(struct pending *p)
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

static const char *copy_value(struct arena *a, const char *v)
{
	return v ? arena_strdup(a, v) : NULL;
}

/* 1 when the request carries the session of a person logged in. Asked on
 * the event loop before the body is read, for the upload route only. */
static int person_session(struct server *srv, struct MHD_Connection *c, struct arena *a)
{
	const char *sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "sid");
	struct principal who;
	struct err e;
	return sid != NULL && access_session_find(srv->app->store, sid, date_now_unix(), &who, a, &e) == 0 &&
	       who.role == ROLE_PERSON;
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
		/* Only the documentation upload may send more than the usual,
		 * and only from a person logged in: nobody else makes the
		 * server hold a large body (theirs is refused as too large). */
		buf_init(&p->body, portal_upload_route(method, url) && person_session(srv, c, &p->a)
					   ? PORTAL_UPLOAD_MAX_BODY
					   : SERVER_MAX_BODY);
		buf_init(&p->w.body, 8 << 20);
		*con_cls = p;
		return MHD_YES;
	}
	if (p->state == ANSWERED) {
		if (p->w.status == 0)
			p->w.status = 200;
		return send_resp(c, &p->w, srv->app);
	}
	if (*upload_data_size > 0) {
		if (!p->too_large && buf_append(&p->body, upload_data, *upload_data_size) != 0)
			p->too_large = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}

	/* The whole request is here: take what the handler needs from the
	 * connection now, since the handler may run on another thread. */
	struct req *r = &p->r;
	r->app = srv->app;
	r->a = &p->a;
	r->method = copy_value(r->a, method);
	r->path = copy_value(r->a, url);
	r->now = date_now_unix();
	r->body = buf_str(&p->body);
	r->body_len = p->body.len;
	r->content_type = copy_value(r->a, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE));
	r->query = arena_alloc(r->a, sizeof(*r->query) * 32);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, r);
	p->cookie_sid = copy_value(r->a, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "sid"));
	p->cookie_pre = copy_value(r->a, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "pre"));
	p->cookie_lang = copy_value(r->a, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "lang"));
	p->accept_language = copy_value(r->a, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
									  MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	p->c = c;
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
	free(s->workers);
	free(s);
}
