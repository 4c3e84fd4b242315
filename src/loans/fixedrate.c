/* fixedrate.c - the fixed rate's interest loss or gain on an extra payment
 * or on ending the agreement; see fixedrate.h for the rule, its source and
 * the formula (ours: the pages give none).
 *
 * The arithmetic runs in __int128 on fixed-point factors of 10^15 (the
 * plan's growth and the discount, month by month) and sums the months in
 * pico-øre (10^-12 øre), so that the one rounding to whole øre at the end
 * is the only one that matters: the truncations on the way are at most a
 * few pico-øre a month. */
#include "loans/fixedrate.h"

#include <stdio.h>

#include "core/err.h"
#include "loans/repayment.h"
#include "rules/params.h"

typedef __int128 wide;

#define ONE ((wide)1000000000000000) /* 10^15: a factor of 1 */
#define PICO ((wide)1000000000000)   /* pico-øre to the øre */
/* The monthly rate is rate / (12 * 100 000) for a rate in thousandths of a
 * percent, and rate120 / (12 * 100 000 * 120) for a comparison rate. */
#define MONTH_DIV 1200000
#define MONTH_DIV120 ((wide)MONTH_DIV * LOANS_FIXED_RATE_SCALE)

int loans_fixed_offered(const struct params *p, date_t d, struct loans_fixed_offer *out, struct err *e)
{
	static const int years[3] = {3, 5, 10};
	int32_t r[3];
	for (int i = 0; i < 3; i++) {
		char key[32], day[11];
		snprintf(key, sizeof(key), "loan.rate.fixed.%d", years[i]);
		const struct param *v = p ? params_get(p, key, d) : NULL;
		if (v == NULL)
			return err_set(e, ERR_CONFLICT, key, "%s %s", key, date_format(d, day));
		r[i] = (int32_t)v->value;
	}
	out->r3 = r[0];
	out->r5 = r[1];
	out->r10 = r[2];
	return 0;
}

int loans_fixed_months_left(date_t d, date_t until)
{
	int y1, m1, d1, y2, m2, d2;
	date_to_ymd(d, &y1, &m1, &d1);
	date_to_ymd(until, &y2, &m2, &d2);
	int n = (y2 * 12 + m2) - (y1 * 12 + m1) + 1;
	return n < 0 ? 0 : n;
}

int loans_fixed_comparison(const struct loans_fixed_offer *o, int months_left, int64_t *rate120, struct err *e)
{
	if (months_left < 1 || months_left > LOANS_FIXED_MAX_MONTHS)
		return err_set(e, ERR_INVALID, "months_left", "1 to %d months left", LOANS_FIXED_MAX_MONTHS);
	const int64_t s = LOANS_FIXED_RATE_SCALE;
	/* Linear by months between the terms offered: 24 months from 3 to 5
	 * years (a month is 5/120 of the step), 60 from 5 to 10 (2/120). */
	if (months_left <= 36)
		*rate120 = (int64_t)o->r3 * s;
	else if (months_left <= 60)
		*rate120 = (int64_t)o->r3 * s + (int64_t)(o->r5 - o->r3) * (months_left - 36) * (s / 24);
	else
		*rate120 = (int64_t)o->r5 * s + (int64_t)(o->r10 - o->r5) * (months_left - 60) * (s / 60);
	return 0;
}

int loans_fixed_adjustment(int64_t amount, int32_t agreement_rate, int64_t rate120, int months_left,
			   int pause_months, int plan_terms_left, int64_t *out, struct err *e)
{
	if (amount < 1 || amount > LOANS_MAX_PRINCIPAL)
		return err_set(e, ERR_INVALID, "amount", "an amount of 1 øre to 100 million kroner");
	if (agreement_rate < 0 || agreement_rate > LOANS_MAX_RATE)
		return err_set(e, ERR_INVALID, "rate", "a rate of 0 to 30 %%");
	if (rate120 < 0 || rate120 > (int64_t)LOANS_MAX_RATE * LOANS_FIXED_RATE_SCALE)
		return err_set(e, ERR_INVALID, "comparison_rate", "a rate of 0 to 30 %%");
	if (months_left < 1 || months_left > LOANS_FIXED_MAX_MONTHS)
		return err_set(e, ERR_INVALID, "months_left", "1 to %d months left", LOANS_FIXED_MAX_MONTHS);
	if (pause_months < 0 || pause_months > LOANS_FIXED_MAX_MONTHS)
		return err_set(e, ERR_INVALID, "pause_months", "0 to %d months before the first term",
			       LOANS_FIXED_MAX_MONTHS);
	if (plan_terms_left < 1 || plan_terms_left > LOANS_MAX_YEARS * 12)
		return err_set(e, ERR_INVALID, "terms_left", "1 to %d terms left", LOANS_MAX_YEARS * 12);

	const int T = plan_terms_left;
	/* The plan's growth (1 + i)^T at the agreement's rate: the annuity's
	 * balance after j terms is B(0) ((1+i)^T - (1+i)^j) / ((1+i)^T - 1),
	 * or B(0) (T - j) / T at 0 %. */
	wide gT = ONE;
	for (int j = 0; j < T; j++)
		gT = gT * (MONTH_DIV + agreement_rate) / MONTH_DIV;

	const wide diff120 = (wide)agreement_rate * LOANS_FIXED_RATE_SCALE - rate120;
	wide g = ONE;        /* (1 + i)^j */
	wide discount = ONE; /* (1 + c)^-k */
	wide sum = 0;        /* pico-øre */
	for (int k = 1; k <= months_left && k <= pause_months + T; k++) {
		/* B(j) / B(0), a factor of ONE, j the terms paid before month
		 * k: none in the months before the first term. */
		int j = k - 1 - pause_months;
		wide share = j < 0		   ? ONE
			     : agreement_rate == 0 ? (wide)(T - j) * ONE / T
						   : (gT - g) * ONE / (gT - ONE);
		discount = discount * MONTH_DIV120 / (MONTH_DIV120 + rate120);
		wide part = (wide)amount * share / (ONE / PICO); /* pico-øre */
		wide month = part * diff120 / MONTH_DIV120;
		sum += month * discount / ONE;
		if (j >= 0)
			g = g * (MONTH_DIV + agreement_rate) / MONTH_DIV;
	}
	/* rounding.ore: half away from zero, once. */
	wide half = PICO / 2;
	wide ore = sum >= 0 ? (sum + half) / PICO : -((-sum + half) / PICO);
	*out = (int64_t)ore;
	return 0;
}
