/* agreements.c - the person's side of the support agreement ("Avtaler":
 * the list, the PDF, "Signer avtalen", the way back from the signing
 * service, paper), "Handle for" (choosing to act for a child or a grantor)
 * and "Fullmakter" (powers of attorney). Each handler parses, calls one
 * domain function (signing/, access/relations.c) and renders. */
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "cases/cases.h"
#include "core/arena.h"
#include "core/err.h"
#include "signing/signing.h"
#include "web/handlers.h"

static int64_t param_id(const struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

/* The codes a refusal or verdict may carry in the address ("?feil=..."):
 * only these are shown, each by its catalogue key. */
static const char *const codes[] = {"bytes", "signer", "ca", "expired", "malformed", "cancelled", "unsigned",
				    "unknown", "guardian-signs", "self-signs", "signed-already", "no-service",
				    "not-unsigned", "paper-confidential", "not-on-paper", "service", NULL};

static const char *known_code(const char *c)
{
	for (int i = 0; c && codes[i]; i++)
		if (strcmp(c, codes[i]) == 0)
			return codes[i];
	return NULL;
}

/* A domain refusal's code: its message is "signing.refused.<code>". */
static const char *refusal_code(const struct err *e)
{
	const char *p = strncmp(e->message, "signing.refused.", 16) == 0 ? e->message + 16 : NULL;
	return known_code(p);
}

void portal_agreements(struct req *r, struct resp *w)
{
	struct err e;
	json_t *d = signing_agreements_page(r->app->store, &r->who, r->lang, r->now, r->a, &e);
	if (d == NULL) {
		resp_failure(w, r, &e, "agreements");
		return;
	}
	const char *status = req_query(r, "status"), *code = known_code(req_query(r, "feil"));
	if (status && strcmp(status, "signert") == 0)
		json_object_set_new(d, "flash_key", json_string("signing.flash.signed"));
	else if (status && strcmp(status, "papir") == 0)
		json_object_set_new(d, "flash_key", json_string("signing.flash.paper"));
	if (code)
		json_object_set_new(d, "error_key", json_string(arena_printf(r->a, "signing.verdict.%s", code)));
	resp_page(w, r, "agreements", "signing.title", d);
}

void portal_agreement_pdf(struct req *r, struct resp *w)
{
	struct err e;
	const unsigned char *pdf;
	size_t len;
	int64_t id = param_id(r);
	if (signing_agreement_pdf(r->app->store, &r->who, id, r->now, &pdf, &len, r->a, &e) != 0) {
		resp_failure(w, r, &e, "agreement pdf");
		return;
	}
	buf_reset(&w->body);
	buf_append(&w->body, pdf, len);
	w->status = 200;
	w->content_type = "application/pdf";
	resp_header(w, "Content-Disposition", arena_printf(r->a, "inline; filename=\"avtale-%lld.pdf\"", (long long)id));
}

void portal_agreement_sign(struct req *r, struct resp *w)
{
	struct err e;
	const char *to;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (signing_start(r->app->store, &r->who, param_id(r), r->now, &to, r->a, &e) != 0) {
		if (e.code == ERR_CONFLICT && refusal_code(&e))
			resp_redirect(w, r, arena_printf(r->a, "/avtaler?feil=%s", refusal_code(&e)));
		else if (e.code == ERR_IO)
			resp_redirect(w, r, "/avtaler?feil=service");
		else
			resp_failure(w, r, &e, "agreement signing");
		return;
	}
	resp_redirect(w, r, to);
}

void portal_agreement_return(struct req *r, struct resp *w)
{
	struct err e;
	struct signing_verdict v;
	int64_t id;
	int rc = signing_finish(r->app->store, &r->who, req_query(r, "ref"), r->now, &id, &v, r->a, &e);
	if (rc != 0) {
		/* The gate refused (audited): as any refusal. An unknown, used
		 * or expired reference: said on the list. */
		if (e.code == ERR_NOT_FOUND && strcmp(e.message, "no such signing request") == 0)
			resp_redirect(w, r, "/avtaler?feil=unknown");
		else if (e.code == ERR_CONFLICT && refusal_code(&e))
			resp_redirect(w, r, arena_printf(r->a, "/avtaler?feil=%s", refusal_code(&e)));
		else if (e.code == ERR_IO)
			resp_redirect(w, r, "/avtaler?feil=service");
		else
			resp_failure(w, r, &e, "agreement signature");
		return;
	}
	resp_redirect(w, r, v.ok ? "/avtaler?status=signert"
				 : arena_printf(r->a, "/avtaler?feil=%s", known_code(v.code) ? v.code : "malformed"));
}

void portal_agreement_paper(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (signing_choose_paper(r->app->store, &r->who, param_id(r), r->now, &e) != 0) {
		if (e.code == ERR_CONFLICT && refusal_code(&e))
			resp_redirect(w, r, arena_printf(r->a, "/avtaler?feil=%s", refusal_code(&e)));
		else
			resp_failure(w, r, &e, "agreement on paper");
		return;
	}
	resp_redirect(w, r, "/avtaler?status=papir");
}

/* ---- acting for another ---- */

void portal_actfor(struct req *r, struct resp *w)
{
	struct err e;
	json_t *d = access_actfor_page(r->app->store, r->app->cases ? r->app->cases->registers : NULL, &r->who, r->now,
				       r->a, &e);
	if (d == NULL) {
		resp_failure(w, r, &e, "act for");
		return;
	}
	resp_page(w, r, "actfor", "actfor.title", d);
}

void portal_actfor_choose(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *person = req_form(r, "person"), *grant = req_form(r, "grant"), *proxy = req_form(r, "proxy");
	char *end = NULL;
	int64_t id = person ? strtoll(person, &end, 10) : -1;
	if (person == NULL || *person == '\0' || *end != '\0' || id < 0) {
		/* Whom to act for must be said: 0 is oneself. The gate first,
		 * so that a refused user learns nothing from the field. */
		if (access_actfor_choose(r->app->store, &r->who, NULL, -1, NULL, 0, r->now, &e) != 0 &&
		    e.code != ERR_INVALID) {
			resp_failure(w, r, &e, "act for");
			return;
		}
		resp_error(w, r, 422, "error.bad-request");
		return;
	}
	if (access_actfor_choose(r->app->store, &r->who, r->token, id, grant, proxy ? strtoll(proxy, NULL, 10) : 0,
				 r->now, &e) != 0) {
		resp_failure(w, r, &e, "act for");
		return;
	}
	resp_redirect(w, r, id ? "/mine-sider" : "/handle-for");
}

/* ---- powers of attorney ---- */

static void show_proxies(struct req *r, struct resp *w, json_t *values, json_t *errors, const char *flash)
{
	struct err e;
	json_t *d = access_proxies_page(r->app->store, &r->who, r->now, r->a, &e);
	if (d == NULL) {
		json_decref(values);
		json_decref(errors);
		resp_failure(w, r, &e, "powers of attorney");
		return;
	}
	json_object_set_new(d, "values", values ? values : json_object());
	if (errors && json_object_size(errors) > 0) {
		json_object_set_new(d, "errors", errors);
		w->status = 422;
	} else {
		json_decref(errors);
	}
	if (flash)
		json_object_set_new(d, "flash_key", json_string(flash));
	resp_page(w, r, "proxies", "proxy.title", d);
}

void portal_proxies(struct req *r, struct resp *w)
{
	const char *s = req_query(r, "status");
	show_proxies(r, w, NULL, NULL,
		     s && strcmp(s, "gitt") == 0	  ? "proxy.flash.given"
		     : s && strcmp(s, "tilbakekalt") == 0 ? "proxy.flash.revoked"
							  : NULL);
}

void portal_proxy_give(struct req *r, struct resp *w)
{
	struct err e;
	int64_t id;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *nin = req_form(r, "nin"), *until = req_form(r, "valid_until");
	unsigned scopes = (req_form(r, "letters") ? ACCESS_SCOPE_LETTERS : 0) |
			  (req_form(r, "apply") ? ACCESS_SCOPE_APPLY : 0) | (req_form(r, "write") ? ACCESS_SCOPE_WRITE : 0);
	if (access_proxy_give(r->app->store, &r->who, nin, scopes, until, r->now, &id, &e) != 0) {
		if (e.code != ERR_INVALID) {
			resp_failure(w, r, &e, "power of attorney");
			return;
		}
		json_t *values = json_pack("{s:s,s:s,s:b,s:b,s:b}", "nin", nin ? nin : "", "valid_until", until ? until : "",
					   "letters", (scopes & ACCESS_SCOPE_LETTERS) != 0, "apply",
					   (scopes & ACCESS_SCOPE_APPLY) != 0, "write", (scopes & ACCESS_SCOPE_WRITE) != 0);
		json_t *errors = json_object();
		json_object_set_new(errors, e.field[0] ? e.field : "nin",
				    json_string(arena_printf(r->a, "proxy.error.%s", e.field[0] ? e.field : "nin")));
		show_proxies(r, w, values, errors, NULL);
		return;
	}
	resp_redirect(w, r, "/fullmakter?status=gitt");
}

void portal_proxy_revoke(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (access_proxy_revoke(r->app->store, &r->who, param_id(r), r->now, &e) != 0) {
		if (e.code == ERR_CONFLICT)
			resp_redirect(w, r, "/fullmakter");
		else
			resp_failure(w, r, &e, "power of attorney");
		return;
	}
	resp_redirect(w, r, "/fullmakter?status=tilbakekalt");
}

/* ---- the case worker: agreements on paper ---- */

void workbench_agreements(struct req *r, struct resp *w)
{
	struct err e;
	json_t *d = signing_paper_queue(r->app->store, &r->who, r->now, r->a, &e);
	if (d == NULL) {
		resp_failure(w, r, &e, "agreements on paper");
		return;
	}
	const char *s = req_query(r, "status");
	if (s && strcmp(s, "mottatt") == 0)
		json_object_set_new(d, "flash_key", json_string("signing.wb.flash.received"));
	if (s && strcmp(s, "ikke-papir") == 0)
		json_object_set_new(d, "error_key", json_string("signing.verdict.not-on-paper"));
	resp_page(w, r, "wb_agreements", "signing.wb.title", d);
}

void workbench_agreement_received(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (signing_paper_received(r->app->store, &r->who, param_id(r), r->now, &e) != 0) {
		if (e.code == ERR_CONFLICT)
			resp_redirect(w, r, "/saksbehandling/avtaler?status=ikke-papir");
		else
			resp_failure(w, r, &e, "paper agreement received");
		return;
	}
	resp_redirect(w, r, "/saksbehandling/avtaler?status=mottatt");
}
