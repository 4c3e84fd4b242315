/* router.c - the routes of the portal and the API. */
#include "web/router.h"

#include <string.h>

#include "core/arena.h"
#include "web/handlers.h"

static const struct route routes[] = {
	{"GET", "/", portal_home},
	{"GET", "/login", portal_login_page},
	{"POST", "/login/test", portal_login_test},
	{"POST", "/logout", portal_logout},
	{"GET", "/soknad", portal_apply_form},
	{"POST", "/soknad", portal_apply_submit},
	{"GET", "/saker", portal_cases},
	{"GET", "/saker/:id", portal_case},
	{"GET", "/saker/:id/dokumentasjon", portal_upload_form},
	{"POST", "/saker/:id/dokumentasjon", portal_upload},
	{"GET", "/innboks", portal_inbox},
	{"GET", "/innboks/skriv", portal_write_form},
	{"POST", "/innboks/skriv", portal_write},
	{"GET", "/innboks/:id", portal_letter},
	{"GET", "/innboks/:id/pdf", portal_letter_pdf},
	{"GET", "/mine-opplysninger", portal_my_data},
	{"GET", "/mine-sider", mypages_overview},
	{"GET", "/mine-sider/kalender", mypages_calendar},
	{"POST", "/mine-sider/kalender/adresse", mypages_feed_address},
	{"GET", "/mine-sider/paminnelser", mypages_reminders},
	{"POST", "/mine-sider/paminnelser", mypages_reminders_save},
	{"GET", "/mine-sider/varsling", mypages_contact},
	{"POST", "/mine-sider/varsling", mypages_contact_save},
	{"GET", "/kalender/*", mypages_feed},
	{"GET", "/kalkulator", portal_calculators},
	{"GET", "/kalkulator/stotte", portal_calc_support},
	{"GET", "/kalkulator/nedbetaling", portal_calc_repayment},
	{"GET", "/saksbehandling", workbench_queue},
	{"GET", "/saksbehandling/saker/:id", workbench_case},
	{"POST", "/saksbehandling/saker/:id/vedtak", workbench_decide},
	{"POST", "/saksbehandling/saker/:id/dokumentasjon", workbench_request_docs},
	{"GET", "/saksbehandling/henvendelser", workbench_messages},
	{"GET", "/saksbehandling/henvendelser/:id", workbench_message},
	{"POST", "/saksbehandling/henvendelser/:id/svar", workbench_message_answer},
	{"GET", "/saksbehandling/dokumenter/:id", workbench_document},
	{"GET", "/saksbehandling/statistikk", workbench_stats},
	{"POST", "/saksbehandling/saker/:id/ny-vurdering", workbench_redecide},
	{"POST", "/api/v1/decide", api_decide},
	{"GET", "/static/*", static_asset},
	{"GET", "/healthz", health},
	{NULL, NULL, NULL}};

/* Match path against pattern, capturing ":id" segments (1-18 digits). */
static int match(const char *pattern, const char *path, struct req *r)
{
	int n = 0;
	while (*pattern && *path) {
		if (*pattern == '*')
			return 1;
		if (*pattern == ':') {
			size_t len = strspn(path, "0123456789");
			if (len == 0 || len > 18 || n == 4)
				return 0;
			r->params[n++] = arena_strndup(r->a, path, len);
			path += len;
			while (*pattern && *pattern != '/')
				pattern++;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	if (*pattern == '\0' && *path == '\0') {
		r->n_params = n;
		return 1;
	}
	return 0;
}

handler_fn router_find(struct req *r, int *method_mismatch)
{
	*method_mismatch = 0;
	for (const struct route *rt = routes; rt->method; rt++) {
		if (!match(rt->pattern, r->path, r))
			continue;
		if (strcmp(rt->method, r->method) == 0 || (strcmp(rt->method, "GET") == 0 && strcmp(r->method, "HEAD") == 0))
			return rt->handler;
		*method_mismatch = 1;
	}
	return NULL;
}
