/* login_oidc.c - real login (tracker #13): the redirect to ID-porten or to
 * the agency's own provider, the callback that starts the session, and the
 * step-up to a login at high assurance. Each calls one function of
 * access/oidc.h and renders what it returns.
 *
 * GET /login itself stays the test login's page when the server runs with
 * --test-login (with links to the real logins beside it when they are
 * configured); without it, /login goes straight to ID-porten. */
#include <string.h>

#include "access/oidc.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "web/handlers.h"

static void begin(struct req *r, struct resp *w, struct oidc_provider *p, const char *default_next)
{
	struct err e;
	const char *url = NULL, *acr = req_query(r, "acr"), *next = req_query(r, "next");
	if (p == NULL) {
		resp_error(w, r, 404, "error.no-login");
		return;
	}
	if (acr != NULL)
		acr = strcmp(acr, "high") == 0 ? ACR_HIGH : strcmp(acr, "substantial") == 0 ? ACR_SUBSTANTIAL : NULL;
	if (oidc_login_begin(r->app->store, p, r->token, acr, next ? next : default_next, r->now, &url, r->a, &e) !=
	    0) {
		log_error("login: %s", e.message);
		resp_error(w, r, 502, "oidc.unavailable");
		return;
	}
	resp_redirect(w, r, url);
}

void portal_login_oidc(struct req *r, struct resp *w)
{
	begin(r, w, r->app->oidc ? r->app->oidc->person : NULL, "/saker");
}

void portal_login_staff(struct req *r, struct resp *w)
{
	begin(r, w, r->app->oidc ? r->app->oidc->staff : NULL, "/"); /* "/": the role's home, below */
}

/* GET /login without the test login: straight to ID-porten. Returns 1 when
 * it answered. */
int portal_login_real(struct req *r, struct resp *w)
{
	if (r->app->test_login || r->app->oidc == NULL || r->app->oidc->person == NULL)
		return 0;
	portal_login_oidc(r, w);
	return 1;
}

void portal_login_callback(struct req *r, struct resp *w)
{
	struct err e;
	char token[ACCESS_TOKEN_LEN + 1];
	const char *next = NULL;
	enum role role = ROLE_ANONYMOUS;
	static const struct oidc_providers none = {NULL, NULL};
	const char *old = r->who.role != ROLE_ANONYMOUS ? r->token : NULL;
	if (oidc_login_finish(r->app->store, r->app->oidc ? r->app->oidc : &none, r->token, old, req_query(r, "state"),
	                      req_query(r, "code"), req_query(r, "iss"), req_query(r, "error"), r->now,
	                      r->app->session_ttl, token, &next, &role, r->a, &e) != 0) {
		json_t *d = json_object();
		int status = e.code == ERR_INVALID ? 400 : e.code == ERR_NOT_FOUND ? 403 : e.code == ERR_IO ? 502 : 500;
		if (status == 500 || status == 502)
			log_error("login: %s", e.message);
		json_object_set_new(d, "message_key",
		                    json_string(e.code == ERR_INVALID     ? "oidc.refused"
		                                : e.code == ERR_NOT_FOUND ? "oidc.unknown"
		                                : e.code == ERR_IO        ? "oidc.unavailable"
		                                                          : "error.internal"));
		json_object_set_new(d, "status", json_integer(status));
		w->status = status;
		resp_page(w, r, "oidc_refused", "oidc.refused_title", d);
		w->status = status;
		return;
	}
	resp_cookie(w, r, "sid", arena_strdup(r->a, token), -1);
	/* Staff land where their role works unless they were on their way somewhere. */
	resp_redirect(w, r, role != ROLE_PERSON && strcmp(next, "/") == 0 ? portal_staff_home(role) : next);
}

int portal_logout_oidc(struct req *r, struct resp *w)
{
	struct err e;
	const char *url = NULL;
	static const struct oidc_providers none = {NULL, NULL};
	if (r->who.role == ROLE_ANONYMOUS)
		return 0;
	if (oidc_logout(r->app->store, r->app->oidc ? r->app->oidc : &none, r->token, &url, r->a, &e) != 0) {
		log_error("logout: %s", e.message);
		return 0;
	}
	resp_cookie(w, r, "sid", "", 0);
	resp_redirect(w, r, url ? url : "/");
	return 1;
}
