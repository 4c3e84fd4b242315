/* repayment.h - repayment plans for a student loan: the annuity, period by
 * period, in whole øre.
 *
 * An annuity repays a loan with equal payments: each covers the period's
 * interest on what is still owed and repays the rest. The payment is worked
 * out in exact integer arithmetic (no floating point touches money) and
 * rounded up to whole kroner, as Lånekassen's invoices are; the last payment
 * takes whatever the rounding left, so the balance ends at exactly 0.
 * Everything here is pure: no I/O, no clock, no allocation; thread-safe. */
#ifndef STIPEND_LOANS_REPAYMENT_H
#define STIPEND_LOANS_REPAYMENT_H

#include <stdint.h>

struct err;

#define LOANS_MAX_YEARS 30
/* The largest loan a plan is made for: 100 million kroner, in øre. */
#define LOANS_MAX_PRINCIPAL (INT64_C(100000000) * 100)
/* The highest yearly rate, in thousandths of a percent (30.000 %). */
#define LOANS_MAX_RATE 30000

struct loans_terms {
	int64_t principal; /* øre, 1 kr .. LOANS_MAX_PRINCIPAL */
	int32_t rate;      /* nominal yearly rate in thousandths of a percent:
	                    * 5.212 % is 5212; 0 .. LOANS_MAX_RATE */
	int years;         /* 1 .. LOANS_MAX_YEARS */
	int per_year;      /* payments a year: 1, 2, 4 or 12 */
};

/* One year of a plan; money in øre. */
struct loans_year {
	int year;     /* 1 for the first year of repayment */
	int payments; /* payments made in the year */
	int64_t paid; /* interest + principal */
	int64_t interest;
	int64_t principal; /* the part of paid that repaid the loan */
	int64_t balance;   /* still owed at the year's end */
};

struct loans_plan {
	int64_t payment;      /* every payment but the last */
	int64_t last_payment; /* the last, which takes the rounding: at most payment */
	int n_payments;       /* payments until the balance is 0 */
	int64_t total_paid;   /* = principal + total_interest, exactly */
	int64_t total_interest;
	int n_years; /* years with payments, the entries of years[] */
	struct loans_year years[LOANS_MAX_YEARS];
};

/* Make the annuity plan for t into plan.
 *
 * Interest is the period's rate (rate / per_year) on the balance, rounded to
 * whole øre half away from zero. The payment is the smallest whole-kroner
 * amount that, paid every period, repays the loan within years * per_year
 * periods (the annuity rounded up to whole kroner); the last payment is the
 * balance then owed with its interest, so it may be smaller than the others.
 * Because the payment is rounded up, a small loan over many periods can be
 * repaid a few periods early: n_payments then falls short of
 * years * per_year, never beyond it.
 *
 * Returns 0, or -1 with e filled (ERR_INVALID, field "amount", "rate",
 * "years" or "per_year") when a term is out of range; plan is then left
 * unaltered. */
int loans_annuity(const struct loans_terms *t, struct loans_plan *plan, struct err *e);

/* The plan of paying `payment` (øre) every period until the loan is
 * repaid, by the same arithmetic, the last payment taking the rest: for
 * terms fixed by a decision (the write-off at disability's "Nytt
 * terminbeløp"). t->years is the longest the plan may run. Returns 0, or
 * -1 with e filled: ERR_INVALID for terms out of range, a payment below 1
 * øre, or one that does not repay the loan within t->years (field
 * "payment"). */
int loans_plan_with_payment(const struct loans_terms *t, int64_t payment, struct loans_plan *plan, struct err *e);

/* The term a loan account invoices: the smallest whole-kroner payment that,
 * paid every period, repays balance (øre) at rate (thousandths of a percent)
 * within n_periods periods of 1/per_year year, by the same arithmetic as
 * loans_annuity(); for the last period (n_periods 1) the whole balance with
 * the period's interest, in øre. A balance of 0 or less gives 0, one below
 * a krone itself. Worked
 * out afresh for every invoice, so that an extra payment or a new rate
 * changes the following terms and the plan still ends on time.
 * Returns 0, or -1 with e filled (ERR_INVALID) for terms out of range. */
int loans_term_payment(int64_t balance, int32_t rate, int n_periods, int per_year, int64_t *payment, struct err *e);

/* Parse a yearly interest rate written as a percent with at most three
 * decimals, point or comma ("5", "5.212", "4,5"; an optional trailing "%"
 * and surrounding spaces are allowed) into thousandths of a percent.
 * Returns 0, or -1 for any other text or a rate above LOANS_MAX_RATE. */
int loans_parse_rate(const char *s, int32_t *out);

/* Parse an amount of whole kroner as people write it ("450000",
 * "450 000", with no-break or thin spaces between the groups, an optional
 * trailing "kr") into øre. Returns 0, or -1 for other text or an amount
 * above max_ore. */
int loans_parse_kroner(const char *s, int64_t max_ore, int64_t *out);

#endif
