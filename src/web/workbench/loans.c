/* loans.c - the case workers' list of the payments the bank reported that
 * no loan account took (an unknown KID, or more than the debt), with what
 * the bank said of each (loan account, #11). */
#include "core/err.h"
#include "loans/account.h"
#include "web/handlers.h"

void workbench_loan_payments(struct req *r, struct resp *w)
{
	struct err e;
	json_t *d = loans_payments_waiting(r->app->store, &r->who, r->now, r->a, &e);
	if (d == NULL) {
		resp_failure(w, r, &e, "payments");
		return;
	}
	resp_page(w, r, "wb_loan_payments", "loans.wb.title", d);
}
