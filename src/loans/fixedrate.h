/* fixedrate.h - the fixed rate's interest loss or gain (rentetap and
 * rentegevinst, also called underkurs and overkurs) when a borrower with a
 * fixed-rate agreement pays extra or ends the agreement: the pure
 * arithmetic, with no store, no clock and no I/O.
 *
 * The rule (lanekassen.no, "Rentetap og rentegevinst", and "Ekstra
 * innbetalinger når du har fast rente"): the agreement's rate is compared
 * with the rate of NEW agreements with a term as long as what is left of
 * the agreement; when that differs from the 3, 5 and 10 years offered, "we
 * use the rate that fits best" (four years left: the average of a new
 * 3-year and a new 5-year agreement). When the agreement's rate is higher,
 * the agency loses interest income and the loss is added to the debt; when
 * it is lower, the gain is deducted from the debt.
 *
 * The pages give no formula; this one is OURS, the standard reading of
 * such a compensation: the present value, discounted monthly at the
 * comparison rate, of the interest difference (agreement rate - comparison
 * rate) over the months left of the agreement, on the part of the amount
 * that would still have been owed each month under the agreement's plan.
 * The plan is an annuity that keeps its end date, so the amount shrinks
 * with the scheduled balance: month k's part (k = 1..months left) is
 * amount x B(j) / B(0), j the terms of the plan paid before month k (none
 * in the payment pause before the first term, so the whole amount then),
 * B(j) the plan's balance after j terms at the agreement's rate over the
 * plan's terms left (0 once the plan has ended). Less than 3 years left
 * compares with the 3-year rate; between two
 * offered terms the rate is interpolated linearly by months (4 years: the
 * average of 3 and 5, as the page says). Everything is exact integer
 * arithmetic in fine units; the result is rounded to whole øre once, at the
 * end, half away from zero. Positive is a loss (added to the debt), negative
 * a gain (deducted). Thread-safe. */
#ifndef STIPEND_LOANS_FIXEDRATE_H
#define STIPEND_LOANS_FIXEDRATE_H

#include <stdint.h>

#include "core/date.h"

struct err;
struct params;

/* A comparison rate is held in 1/120 of a thousandth of a percent a year,
 * so that a rate interpolated by months between 3, 5 and 10 years (the
 * steps are 24 and 60 months) is exact: 4.6015 % is 552180. */
#define LOANS_FIXED_RATE_SCALE 120
/* The longest agreement, and so the most months that can be left. */
#define LOANS_FIXED_MAX_MONTHS 120

/* The rates of new agreements offered on a day, in thousandths of a
 * percent (loan.rate.fixed.3, .5, .10). */
struct loans_fixed_offer {
	int32_t r3, r5, r10;
};

/* The rates of new agreements offered on day d (loan.rate.fixed.3, .5 and
 * .10 in p) into *out. Returns 0, or -1 with ERR_CONFLICT and a message
 * naming the first missing figure ("loan.rate.fixed.3 2024-07-01"). */
int loans_fixed_offered(const struct params *p, date_t d, struct loans_fixed_offer *out, struct err *e);

/* The months left of an agreement that lasts through `until`, counted from
 * day d's month (which counts whole) through until's: 36 from 2024-06-10
 * to 2027-05-31. 0 when until is before d's month. */
int loans_fixed_months_left(date_t d, date_t until);

/* The comparison rate for months_left (1..LOANS_FIXED_MAX_MONTHS) months,
 * in LOANS_FIXED_RATE_SCALE units, into *rate120: up to 36 months the
 * 3-year rate; to 60 linear between the 3- and 5-year rates; to 120
 * linear between the 5- and 10-year rates. Returns 0, or -1 with
 * ERR_INVALID (field "months_left"). */
int loans_fixed_comparison(const struct loans_fixed_offer *offer, int months_left, int64_t *rate120, struct err *e);

/* The loss (> 0) or gain (< 0) in øre of taking `amount` øre (1 ..
 * 100 million kroner) out of an agreement at agreement_rate (thousandths of
 * a percent, 0..30 000) with months_left months left (1..120), compared at
 * rate120 (LOANS_FIXED_RATE_SCALE units), the agreement's plan having
 * pause_months months (0..120) before its first term and then
 * plan_terms_left monthly terms (>= 1; the two may together be fewer or
 * more than the months left). See above for the formula. Returns 0 with
 * *out, or -1 with ERR_INVALID naming the field out of range; *out is then
 * unaltered. */
int loans_fixed_adjustment(int64_t amount, int32_t agreement_rate, int64_t rate120, int months_left,
			   int pause_months, int plan_terms_left, int64_t *out, struct err *e);

#endif
