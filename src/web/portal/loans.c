/* loans.c - "Min gjeld" on Mine sider: the borrower's debt, rate, next
 * invoice with the KID and account to pay to, the plan ahead as a table
 * beside a chart drawn on the server, invoices and payments; and the form
 * that chooses a fixed rate. Each handler parses, calls one domain
 * function of loans/ (which asks the gate), and renders. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "loans/account.h"
#include "loans/fixedpost.h"
#include "loans/later.h"
#include "web/handlers.h"

static date_t today_of(const struct req *r)
{
	return (date_t)(r->now >= 0 ? r->now / 86400 : (r->now - 86399) / 86400);
}

static void render(struct req *r, struct resp *w, int status, const char *error_key)
{
	struct err e;
	json_t *d = loans_overview(r->app->store, r->app->params, &r->who, today_of(r), r->now, r->lang, r->a, &e);
	if (d == NULL) {
		resp_failure(w, r, &e, "loan");
		return;
	}
	const char *flash = req_query(r, "rente");
	if (flash && strcmp(flash, "fast") == 0)
		json_object_set_new(d, "flash_key", json_string("loans.fixed.done"));
	const char *due = req_query(r, "forfall");
	if (due && strcmp(due, "endret") == 0)
		json_object_set_new(d, "flash_key", json_string("loans.due.done"));
	/* #11: the fixed-rate agreement ended (loans/fixedpost.h). */
	const char *ended = req_query(r, "fastrente");
	if (ended && strcmp(ended, "avsluttet") == 0)
		json_object_set_new(d, "flash_key", json_string("loans.fixedrate.end.done"));
	else if (ended && strcmp(ended, "avbrutt") == 0)
		json_object_set_new(d, "flash_key", json_string("loans.fixedrate.end.cancelled"));
	const char *plan = req_query(r, "plan");
	if (plan && strcmp(plan, "endret") == 0)
		json_object_set_new(d, "flash_key", json_string("loans.replan.done"));
	if (error_key)
		json_object_set_new(d, "error_key", json_string(error_key));
	json_object_set_new(d, "csrf", json_string(r->csrf));
	resp_page(w, r, "loan", "loans.title", d);
	if (status)
		w->status = status;
}

/* The whole number in form field NAME, or 0 when it is missing or not a
 * number: the domain refuses 0 with the field named. */
static long form_number(struct req *r, const char *name)
{
	const char *v = req_form(r, name);
	char *end = NULL;
	long n = v ? strtol(v, &end, 10) : 0;
	return v == NULL || *v == '\0' || *end != '\0' ? 0 : n;
}

void loans_page(struct req *r, struct resp *w)
{
	render(r, w, 0, NULL);
}

void loans_fixed_rate(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	long years = form_number(r, "years");
	if (loans_choose_fixed(r->app->store, r->app->params, &r->who, (int)years, today_of(r), r->now, &e) != 0) {
		if (e.code == ERR_INVALID || e.code == ERR_CONFLICT) {
			render(r, w, e.code == ERR_INVALID ? 422 : 409,
			       e.code == ERR_INVALID ? "loans.fixed.error_years" : "loans.fixed.error_conflict");
			return;
		}
		resp_failure(w, r, &e, "loan");
		return;
	}
	resp_redirect(w, r, "/mine-sider/gjeld?rente=fast");
}

void loans_plan_change(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	long years = form_number(r, "years");
	if (loans_change_plan(r->app->store, &r->who, (int)years, today_of(r), r->now, &e) != 0) {
		if (e.code == ERR_INVALID || e.code == ERR_CONFLICT) {
			render(r, w, e.code == ERR_INVALID ? 422 : 409, "loans.replan.error");
			return;
		}
		resp_failure(w, r, &e, "loan");
		return;
	}
	resp_redirect(w, r, "/mine-sider/gjeld?plan=endret");
}

/* #11, helper D: the due day of the invoices to come. */
void loans_due_day(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	long day = form_number(r, "day");
	if (loans_choose_due_day(r->app->store, &r->who, (int)day, r->now, &e) != 0) {
		if (e.code == ERR_INVALID || e.code == ERR_CONFLICT) {
			render(r, w, e.code == ERR_INVALID ? 422 : 409, "loans.due.error");
			return;
		}
		resp_failure(w, r, &e, "loan");
		return;
	}
	resp_redirect(w, r, "/mine-sider/gjeld?forfall=endret");
}

/* #11, helper C: end the fixed-rate agreement from next month, with its
 * interest loss or gain (loans/fixedpost.h). */
void loans_fixed_rate_end(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	struct loans_fixed_end_result res;
	if (loans_fixed_end(r->app->store, r->app->params, &r->who, today_of(r), r->now, &res, &e) != 0) {
		if (e.code == ERR_CONFLICT) {
			render(r, w, 409,
			       strcmp(e.field, "rates") == 0 ? "loans.fixedrate.end.error_rates" : "loans.fixedrate.end.error");
			return;
		}
		resp_failure(w, r, &e, "loan");
		return;
	}
	resp_redirect(w, r, res.cancelled ? "/mine-sider/gjeld?fastrente=avbrutt" : "/mine-sider/gjeld?fastrente=avsluttet");
}
