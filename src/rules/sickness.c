/* sickness.c - the sickness grant (sykestipend): the loan for a period of
 * illness made a grant (lanekassen.no, "Sykdom",
 * https://lanekassen.no/nb-NO/stipend-og-lan/sykdom/).
 *
 * The page's conditions: ill for more than two weeks (the grant runs from
 * day 15), at least 50 % unable to study, confirmed by a doctor or another
 * who may write sick notes; no work assessment allowance (AAP) from NAV at
 * the same time; support applied for before the illness; at most 4 months
 * and 15 days in a school year. What is missing is for a person: without
 * the doctor's confirmation the case worker asks for it; an illness that
 * began before the application may still qualify by an exception a person
 * weighs. The grant is the loan paid for the period: the loan account holds
 * what was paid, and no page held says how a month's support is divided
 * into days, so the case goes to a person with the entitlement and the
 * period decided (reason sickness-grant-amount). Sick pay from an employer
 * or NAV lowers it (the page), which that person settles too. */
#include "rules/internal.h"

#define REF_SICKNESS "forskrift om utdanningsstøtte, sykestipend (lanekassen.no, \"Sykdom\")"

/* The last day of the longest grant from first: max_months calendar
 * months and then max_days days. */
static date_t cap_end(date_t first, int64_t max_months, int64_t max_days)
{
	int y, m, d;
	date_to_ymd(first, &y, &m, &d);
	int total = m - 1 + (int)max_months;
	y += total / 12;
	m = total % 12 + 1;
	/* The same day of the month, or the month's last when it has none. */
	while (d > 28 && !date_valid(y, m, d))
		d--;
	return date_from_ymd(y, m, d) + (date_t)max_days - 1;
}

void decide_sickness_grant(struct ctx *c)
{
	const struct application *app = c->app;
	struct trace_step *s = step_begin(c, "sickness-grant.documentation", REF_SICKNESS,
					  "rule.sickness-grant.documentation");
	step_int(s, "doctor_confirmed", TV_BOOL, app->doctor_confirmed);
	step_value(s, TV_BOOL, app->doctor_confirmed);
	if (!app->doctor_confirmed) {
		manual_add(c, "sickness-documentation-missing", "reason.sickness-documentation-missing", REF_SICKNESS);
		return;
	}
	s = step_begin(c, "sickness-grant.no-aap", REF_SICKNESS, "rule.sickness-grant.no-aap");
	step_int(s, "work_assessment_allowance", TV_BOOL, app->work_assessment_allowance);
	step_value(s, TV_BOOL, !app->work_assessment_allowance);
	if (app->work_assessment_allowance)
		return;
	s = step_begin(c, "sickness-grant.percent", REF_SICKNESS, "rule.sickness-grant.percent");
	step_int(s, "percent_unable", TV_INT, app->percent_unable);
	int64_t least = step_param(c, s, "sickness_grant.min_percent_unable");
	if (c->missing)
		return;
	step_value(s, TV_BOOL, app->percent_unable >= least);
	if (app->percent_unable < least)
		return;
	s = step_begin(c, "sickness-grant.period", REF_SICKNESS, "rule.sickness-grant.period");
	step_int(s, "from", TV_DATE, app->sick_from);
	step_int(s, "to", TV_DATE, app->sick_to);
	int64_t waiting = step_param(c, s, "sickness_grant.waiting_days");
	int64_t max_months = step_param(c, s, "sickness_grant.max_months");
	int64_t max_days = step_param(c, s, "sickness_grant.max_extra_days");
	if (c->missing)
		return;
	int64_t days = (int64_t)(app->sick_to - app->sick_from) + 1;
	step_int(s, "days", TV_INT, days);
	if (days <= waiting) {
		step_value(s, TV_INT, 0);
		return;
	}
	date_t first = app->sick_from + (date_t)waiting, last = cap_end(first, max_months, max_days);
	if (last > app->sick_to)
		last = app->sick_to;
	step_int(s, "grant_from", TV_DATE, first);
	step_int(s, "grant_to", TV_DATE, last);
	step_value(s, TV_INT, (int64_t)(last - first) + 1);
	s = step_begin(c, "sickness-grant.applied-first", REF_SICKNESS, "rule.sickness-grant.applied-first");
	step_int(s, "applied_before_ill", TV_BOOL, app->applied_before_ill);
	step_value(s, TV_BOOL, app->applied_before_ill);
	if (!app->applied_before_ill) {
		manual_add(c, "sickness-before-application", "reason.sickness-before-application", REF_SICKNESS);
		return;
	}
	/* The amount is the loan paid for these days: the loan account holds
	 * what was paid, and no page held says how a month's support is
	 * divided into days, so a person converts it (the period is decided). */
	s = step_begin(c, "sickness-grant.amount", REF_SICKNESS, "rule.sickness-grant.amount");
	step_int(s, "grant_days", TV_INT, (int64_t)(last - first) + 1);
	step_value(s, TV_BOOL, 0);
	manual_add(c, "sickness-grant-amount", "reason.sickness-grant-amount", REF_SICKNESS);
}
