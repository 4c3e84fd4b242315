/* deferral.c - payment deferral (betalingsutsettelse) on a student loan.
 *
 * forskrift om tilbakebetaling av utdanningslån: a borrower may defer
 * payments without giving a reason for up to 36 months in all, at most 6
 * due dates (months) in one application; each month deferred moves the end
 * of repayment a month later. There must be a loan to defer. A borrower
 * past the 36 months is told that interest relief (sletting av renter) may
 * still apply when the income is low, rather than given a bare no. */
#include "rules/internal.h"

#define REF_DEFERRAL "forskrift om tilbakebetaling av utdanningslån, betalingsutsettelse"
#define REF_RELIEF "forskrift om tilbakebetaling av utdanningslån, sletting av renter"

void decide_payment_deferral(struct ctx *c)
{
	const struct application *app = c->app;
	struct trace_step *s = step_begin(c, "deferral.balance", REF_DEFERRAL, "rule.deferral.balance");
	step_int(s, "balance", TV_MONEY, app->loan_balance);
	step_value(s, TV_BOOL, app->loan_balance > 0);
	if (app->loan_balance == 0)
		return;

	s = step_begin(c, "deferral.months", REF_DEFERRAL, "rule.deferral.months");
	step_int(s, "months_requested", TV_INT, app->months_requested);
	step_int(s, "deferrals_used", TV_INT, app->deferrals_used);
	int64_t per_application = step_param(c, s, "deferral.max_months_per_application");
	int64_t total = step_param(c, s, "deferral.max_months_total");
	if (c->missing)
		return;
	int64_t left = total > app->deferrals_used ? total - app->deferrals_used : 0;
	int64_t granted = app->months_requested;
	if (granted > per_application)
		granted = per_application;
	if (granted > left)
		granted = left;
	step_int(s, "months_left", TV_INT, left);
	step_value(s, TV_INT, granted);
	if (left < app->months_requested && left < per_application) {
		/* Past the 36 months, low income may still lift the interest:
		 * the decision says where to turn rather than stop at no. */
		struct trace_step *r =
		    step_begin(c, "deferral.interest-relief-instead", REF_RELIEF, "rule.deferral.interest-relief-instead");
		step_int(r, "months_left", TV_INT, left);
		step_value(r, TV_BOOL, 1);
	}
	if (granted <= 0)
		return;

	s = step_begin(c, "deferral.repayment-extended", REF_DEFERRAL, "rule.deferral.extended");
	step_int(s, "months", TV_INT, granted);
	step_value(s, TV_INT, granted);
	struct award *a = award_add(c, "deferral", "loan", REF_DEFERRAL);
	a->months = (int)granted;
	if (granted < app->months_requested)
		c->d->outcome = OUTCOME_PARTLY;
}
