/* payout.c - "Utbetaling" on Dine sider: each decision's payout conditions
 * (agreement signed, account, school year confirmed) as met or not, the
 * plan month by month (paid, on its way, held, planned), claims, and the
 * form to register another account of one's own. The handlers parse, call
 * one function of payout/ with the acting identity (which asks the gate),
 * and render. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "payout/payout.h"
#include "web/form.h"
#include "web/handlers.h"

static const char *const summary_fields[][2] = {{"account", "account"}};

static date_t today_of(const struct req *r)
{
	return (date_t)(r->now >= 0 ? r->now / 86400 : (r->now - 86399) / 86400);
}

static void show(struct req *r, struct resp *w, const char *typed, const char *error_key, const char *flash)
{
	json_t *d;
	struct err e;
	if (payout_view(r->app->store, &r->who, 0, today_of(r), r->now, &d, r->a, &e) != 0) {
		resp_failure(w, r, &e, "payouts");
		return;
	}
	json_t *errors = json_object();
	if (error_key) {
		json_object_set_new(errors, "account", json_string(error_key));
		json_object_set_new(d, "error_summary", form_error_summary(errors, summary_fields, 1));
		w->status = 422;
	}
	json_object_set_new(d, "errors", errors);
	json_object_set_new(d, "typed", json_string(typed ? typed : ""));
	if (flash)
		json_object_set_new(d, "flash_key", json_string(flash));
	resp_page(w, r, "payout", "payout.title", d);
}

void mypages_payout(struct req *r, struct resp *w)
{
	const char *q = req_query(r, "status");
	show(r, w, NULL, NULL, q && strcmp(q, "konto-lagret") == 0 ? "payout.account.saved" : NULL);
}

void mypages_payout_account(struct req *r, struct resp *w)
{
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	static const struct payout_env none = {0};
	const struct payout_env *env = r->app->payout ? r->app->payout : &none;
	struct payout_env with_store = *env;
	with_store.store = r->app->store;
	const char *account = req_form(r, "account");
	enum payout_account_problem problem;
	struct err e;
	if (payout_account_register(&with_store, &r->who, account ? account : "", r->now, &problem, &e) != 0) {
		if (e.code == ERR_INVALID) {
			show(r, w, account, problem == PAYOUT_ACCOUNT_NOT_OWN ? "payout.account.error.owner"
					    : problem == PAYOUT_ACCOUNT_CHECK_DIGIT ? "payout.account.error.check"
										   : "payout.account.error.format",
			     NULL);
			return;
		}
		if (e.code == ERR_IO) {
			show(r, w, account, "payout.account.error.register", NULL);
			w->status = 503;
			return;
		}
		resp_failure(w, r, &e, "payout account");
		return;
	}
	resp_redirect(w, r, "/mine-sider/utbetaling?status=konto-lagret");
}

/* The workbench: a case worker's view of the case's person's payouts. */
void workbench_payout(struct req *r, struct resp *w)
{
	json_t *d;
	struct err e;
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	if (payout_view_case(r->app->store, &r->who, id, today_of(r), r->now, &d, r->a, &e) != 0) {
		resp_failure(w, r, &e, "payouts");
		return;
	}
	json_object_set_new(d, "errors", json_object());
	resp_page(w, r, "payout", "payout.title", d);
}
