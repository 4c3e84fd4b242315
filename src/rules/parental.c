/* parental.c - the parental grant (foreldrestipend) at a birth or an
 * adoption (lanekassen.no, "Vilkår for foreldrestipend" and "Er du
 * gravid?"): for up to 49 weeks, 3 before the birth and 46 after, the
 * support is given as a grant. The conditions: in education with a right
 * to support for at least four months right before the birth or adoption
 * (a person may make an exception, for a premature birth, and the summer
 * counts after a spring term: so a shorter time goes to a person, not to a
 * refusal); living with the child; a spouse or partner's parental benefit
 * from NAV at the same time lowers it (full benefit: none; 50-99 %: half;
 * under 50 %: the whole grant). The school documents the leave. The grant
 * is the average of what was paid the last four months before the leave,
 * which the loan account holds: an entitled applicant's case goes to a
 * person with the period and the share decided. */
#include "rules/internal.h"

#define REF_PARENTAL "forskrift om utdanningsstøtte, foreldrestipend (lanekassen.no, \"Vilkår for foreldrestipend\")"

void decide_parental_grant(struct ctx *c)
{
	const struct application *app = c->app;
	struct trace_step *s = step_begin(c, "parental-grant.lives-with-child", REF_PARENTAL,
					  "rule.parental-grant.lives-with-child");
	step_int(s, "lives_with_child", TV_BOOL, app->lives_with_child);
	step_value(s, TV_BOOL, app->lives_with_child);
	if (!app->lives_with_child)
		return;
	s = step_begin(c, "parental-grant.partner-benefit", REF_PARENTAL, "rule.parental-grant.partner-benefit");
	step_int(s, "partner_benefit_percent", TV_INT, app->partner_benefit_percent);
	int64_t half_from = step_param(c, s, "parental_grant.partner_half_from_percent");
	int64_t none_from = step_param(c, s, "parental_grant.partner_none_from_percent");
	if (c->missing)
		return;
	int64_t share = app->partner_benefit_percent >= none_from ? 0 : app->partner_benefit_percent >= half_from ? 50 : 100;
	step_value(s, TV_INT, share);
	if (share == 0)
		return;
	s = step_begin(c, "parental-grant.qualifying", REF_PARENTAL, "rule.parental-grant.qualifying");
	step_int(s, "months_in_education_before", TV_INT, app->months_in_education_before);
	int64_t months = step_param(c, s, "parental_grant.qualifying_months");
	if (c->missing)
		return;
	int qualifies = app->months_in_education_before >= months;
	step_value(s, TV_BOOL, qualifies);
	if (!qualifies) {
		manual_add(c, "parental-qualifying-period", "reason.parental-qualifying-period", REF_PARENTAL);
		return;
	}
	s = step_begin(c, "parental-grant.period", REF_PARENTAL, "rule.parental-grant.period");
	step_int(s, "child_date", TV_DATE, app->child_date);
	int64_t before = step_param(c, s, "parental_grant.weeks_before");
	int64_t after = step_param(c, s, "parental_grant.weeks_after");
	if (c->missing)
		return;
	step_int(s, "from", TV_DATE, app->child_date - (date_t)(7 * before));
	step_int(s, "to", TV_DATE, app->child_date + (date_t)(7 * after) - 1);
	step_value(s, TV_INT, before + after);
	s = step_begin(c, "parental-grant.documentation", REF_PARENTAL, "rule.parental-grant.documentation");
	step_int(s, "leave_documented", TV_BOOL, app->leave_documented);
	step_value(s, TV_BOOL, app->leave_documented);
	if (!app->leave_documented) {
		manual_add(c, "parental-leave-documentation-missing", "reason.parental-leave-documentation-missing",
			   REF_PARENTAL);
		return;
	}
	/* The amount is the average paid the last four months before the
	 * leave, which the loan account holds: a person converts it. */
	s = step_begin(c, "parental-grant.amount", REF_PARENTAL, "rule.parental-grant.amount");
	step_int(s, "share_percent", TV_INT, share);
	step_value(s, TV_BOOL, 0);
	manual_add(c, "parental-grant-amount", "reason.parental-grant-amount", REF_PARENTAL);
}
