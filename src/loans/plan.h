/* plan.h - a repayment plan (loans_annuity()) as template data, for the
 * repayment calculator and "Min gjeld" alike. Pure; thread-safe. */
#ifndef STIPEND_LOANS_PLAN_H
#define STIPEND_LOANS_PLAN_H

#include <jansson.h>

#include "loans/repayment.h"

/* {principal, payment, last_payment, n_payments, n_years, total_paid,
 * total_interest, term_payments, early, years: [{year, payments, paid,
 * interest, repaid, balance}], chart: {width, height, ticks, bars, ...}}:
 * the plan p of terms t, money in øre, the chart's coordinates in SVG user
 * units (640 x 320) for templates/calc_repayment.html's <svg>. New
 * reference. */
json_t *loans_plan_json(const struct loans_terms *t, const struct loans_plan *p);

#endif
