/* loans.c - the case workers' list of the payments the bank reported that
 * no loan account took (an unknown KID, or more than the debt), with what
 * the bank said of each, and what may be done with each: book it to a
 * borrower's account (by national identity number or KID) or refund it to
 * the payer (loan account, #11). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "loans/account.h"
#include "loans/resolve.h"
#include "web/handlers.h"

static int64_t param_id(const struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

static date_t today_of(const struct req *r)
{
	return (date_t)(r->now >= 0 ? r->now / 86400 : (r->now - 86399) / 86400);
}

static void render(struct req *r, struct resp *w, int status, const char *error_key, const char *field)
{
	struct err e;
	json_t *d = loans_payments_waiting(r->app->store, &r->who, r->now, r->a, &e);
	if (d == NULL) {
		resp_failure(w, r, &e, "payments");
		return;
	}
	const char *done = req_query(r, "status");
	if (done && strcmp(done, "bokfort") == 0)
		json_object_set_new(d, "flash_key", json_string("loans.wb.booked_done"));
	else if (done && strcmp(done, "tilbakebetalt") == 0)
		json_object_set_new(d, "flash_key", json_string("loans.wb.refund_done"));
	if (error_key)
		json_object_set_new(d, "error_key", json_string(error_key));
	if (field)
		json_object_set_new(d, "error_field", json_string(field));
	json_object_set_new(d, "csrf", json_string(r->csrf));
	resp_page(w, r, "wb_loan_payments", "loans.wb.title", d);
	if (status != 200)
		w->status = status;
}

void workbench_loan_payments(struct req *r, struct resp *w)
{
	render(r, w, 200, NULL, NULL);
}

/* A failed resolution: the list again with what was wrong. */
static void failed(struct req *r, struct resp *w, struct err *e)
{
	if (e->code == ERR_INVALID || e->code == ERR_CONFLICT || e->code == ERR_NOT_FOUND) {
		const char *key = e->code == ERR_NOT_FOUND				? "loans.wb.error.payment"
				  : e->code == ERR_CONFLICT && !strcmp(e->field, "amount") ? "loans.wb.error.amount"
				  : e->code == ERR_CONFLICT				? "loans.wb.error.resolved"
				  : !strcmp(e->field, "account")			? "loans.wb.error.account"
											: "loans.wb.error.borrower";
		render(r, w, e->code == ERR_INVALID ? 422 : e->code == ERR_NOT_FOUND ? 404 : 409, key, e->field);
		return;
	}
	resp_failure(w, r, e, "payment");
}

void workbench_loan_payment_book(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (loans_payment_book_to(r->app->store, r->app->params, &r->who, param_id(r), req_form(r, "nin"), req_form(r, "kid"),
				  today_of(r), r->now, NULL, &e) != 0) {
		failed(r, w, &e);
		return;
	}
	resp_redirect(w, r, "/saksbehandling/innbetalinger?status=bokfort");
}

void workbench_loan_payment_refund(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	if (loans_payment_refund(r->app->store, &r->who, param_id(r), req_form(r, "account"), today_of(r), r->now,
				 &e) != 0) {
		failed(r, w, &e);
		return;
	}
	resp_redirect(w, r, "/saksbehandling/innbetalinger?status=tilbakebetalt");
}
