/* repayment.c - the annuity repayment plan of a loan; see repayment.h.
 *
 * The annuity formula P = B r / (1 - (1 + r)^-n) needs a real rate. Rather
 * than trust a floating-point power, the payment is found by exact integer
 * iteration: a payment p is enough when paying p every period, with each
 * period's interest rounded to whole øre, leaves at most p owed (interest
 * included) in the last period. Being enough only grows with p, so a
 * binary search over whole kroner finds the smallest such payment in about
 * 35 runs of at most 360 periods. That is the annuity rounded up to whole
 * kroner (rounding.kroner-up), computed on the very schedule the plan then
 * follows, so the last payment can never exceed the others. */
#include "loans/repayment.h"

#include <math.h>
#include <string.h>

#include "core/err.h"
#include "core/money.h"

/* The period's interest on balance: rate is thousandths of a percent a
 * year, so the period's rate is rate / (100 000 * per_year).
 * rounding.ore: interest is rounded to whole øre, half away from zero. */
static int64_t period_interest(const struct loans_terms *t, int64_t balance)
{
	return money_muldiv_round(balance, t->rate, INT64_C(100000) * t->per_year);
}

/* 1 when paying `payment` each period repays the loan within n periods. */
static int enough(const struct loans_terms *t, int n, int64_t payment)
{
	int64_t balance = t->principal;
	for (int k = 1; k <= n; k++) {
		int64_t interest = period_interest(t, balance);
		if (balance + interest <= payment)
			return 1;
		/* A payment that does not beat the interest lets the debt
		 * grow, and the interest with it: it never repays. */
		if (payment <= interest)
			return 0;
		balance -= payment - interest;
	}
	return 0;
}

static int check_terms(const struct loans_terms *t, struct err *e)
{
	if (t->principal < 100 || t->principal > LOANS_MAX_PRINCIPAL)
		return err_set(e, ERR_INVALID, "amount", "must be from 1 to %lld kroner",
		               (long long)(LOANS_MAX_PRINCIPAL / 100));
	if (t->rate < 0 || t->rate > LOANS_MAX_RATE)
		return err_set(e, ERR_INVALID, "rate", "must be from 0 to %d.%03d percent", LOANS_MAX_RATE / 1000,
		               LOANS_MAX_RATE % 1000);
	if (t->years < 1 || t->years > LOANS_MAX_YEARS)
		return err_set(e, ERR_INVALID, "years", "must be a whole number from 1 to %d", LOANS_MAX_YEARS);
	if (t->per_year != 1 && t->per_year != 2 && t->per_year != 4 && t->per_year != 12)
		return err_set(e, ERR_INVALID, "per_year", "must be 1, 2, 4 or 12");
	return 0;
}

/* The smallest whole-kroner payment that repays t->principal within n
 * periods: the one search behind the calculator's plan and the loan
 * account's terms. The annuity formula in floating point guesses where it
 * lies; the search then gallops out from the guess until it brackets the
 * answer and halves the bracket, every step decided by the exact integer
 * enough(). Being enough only grows with the payment, so the answer is the
 * same as a search over the whole range, in a handful of runs instead of
 * about twenty (the monthly run makes a term for every account). */
static int64_t smallest_payment(const struct loans_terms *t, int n)
{
	/* Whole kroner: at least 1, and at most the whole debt with one
	 * period's interest, which repays it at once (always enough). */
	int64_t lo = 1;
	int64_t hi = (t->principal + period_interest(t, t->principal) + 99) / 100;
	double r = (double)t->rate / (100000.0 * t->per_year);
	double guess = r > 0 ? (double)t->principal * r / (1.0 - pow(1.0 + r, -n)) : (double)t->principal / n;
	int64_t x = (int64_t)(guess / 100.0) + 1;
	if (x < lo || x > hi || guess != guess)
		x = lo + (hi - lo) / 2;
	/* Bracket: lo..hi holds the answer, hi is enough, lo - 1 is not. */
	if (enough(t, n, x * 100)) {
		hi = x;
		for (int64_t step = 1; hi - step >= lo; step *= 2) {
			if (!enough(t, n, (hi - step) * 100)) {
				lo = hi - step + 1;
				break;
			}
			hi -= step;
		}
	} else {
		lo = x + 1;
		for (int64_t step = 1; lo + step - 1 < hi; step *= 2) {
			if (enough(t, n, (lo + step - 1) * 100)) {
				hi = lo + step - 1;
				break;
			}
			lo += step;
		}
	}
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (enough(t, n, mid * 100))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo * 100;
}

int loans_term_payment(int64_t balance, int32_t rate, int n_periods, int per_year, int64_t *payment, struct err *e)
{
	struct loans_terms t = {balance, rate, 1, per_year};
	if (n_periods < 1 || n_periods > LOANS_MAX_YEARS * 12)
		return err_set(e, ERR_INVALID, "periods", "must be from 1 to %d", LOANS_MAX_YEARS * 12);
	if (balance <= 0) {
		*payment = 0;
		return 0;
	}
	/* Less than a krone is paid at once: no annuity is made of it. */
	if (balance < 100) {
		*payment = balance;
		return 0;
	}
	if (check_terms(&t, e) != 0)
		return -1;
	/* The last period takes the whole balance with its interest. */
	*payment = n_periods == 1 ? balance + period_interest(&t, balance) : smallest_payment(&t, n_periods);
	return 0;
}

/* The plan of paying `payment` every period, for at most n periods: the
 * balance left at its end (0 when repaid) into *left. */
static void run_plan(const struct loans_terms *t, int64_t payment, int n, struct loans_plan *p, int64_t *left)
{
	memset(p, 0, sizeof(*p));
	p->payment = payment;
	int64_t balance = t->principal;
	for (int k = 1; k <= n && balance > 0; k++) {
		int64_t interest = period_interest(t, balance);
		int64_t due = balance + interest;
		/* The last payment takes the rest, rounding included. */
		int64_t paid = due <= payment ? due : payment;
		balance -= paid - interest;
		struct loans_year *y = &p->years[(k - 1) / t->per_year];
		y->year = (k - 1) / t->per_year + 1;
		y->payments++;
		y->paid += paid;
		y->interest += interest;
		y->principal += paid - interest;
		y->balance = balance;
		p->n_years = y->year;
		p->n_payments = k;
		p->last_payment = paid;
		p->total_paid += paid;
		p->total_interest += interest;
	}
	*left = balance;
}

int loans_annuity(const struct loans_terms *t, struct loans_plan *plan, struct err *e)
{
	if (check_terms(t, e) != 0)
		return -1;
	struct loans_plan p;
	int64_t left;
	run_plan(t, smallest_payment(t, t->years * t->per_year), t->years * t->per_year, &p, &left);
	/* enough() promised this; a failure here is a bug, not bad input. */
	if (left != 0)
		return err_set(e, ERR_INTERNAL, NULL, "repayment plan left %lld øre owed", (long long)left);
	*plan = p;
	return 0;
}

int loans_plan_with_payment(const struct loans_terms *t, int64_t payment, struct loans_plan *plan, struct err *e)
{
	if (check_terms(t, e) != 0)
		return -1;
	if (payment < 1)
		return err_set(e, ERR_INVALID, "payment", "a payment of at least 1 øre");
	struct loans_plan p;
	int64_t left;
	run_plan(t, payment, t->years * t->per_year, &p, &left);
	if (left != 0)
		return err_set(e, ERR_INVALID, "payment", "%lld øre a period does not repay the loan within %d years",
			       (long long)payment, t->years);
	*plan = p;
	return 0;
}

static const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int loans_parse_rate(const char *s, int32_t *out)
{
	if (s == NULL)
		return -1;
	s = skip_spaces(s);
	int64_t whole = 0, frac = 0;
	int digits = 0, decimals = 0;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		whole = whole * 10 + (*s - '0');
		if (whole > LOANS_MAX_RATE)
			return -1;
	}
	if (digits == 0)
		return -1;
	if (*s == '.' || *s == ',') {
		s++;
		for (; *s >= '0' && *s <= '9'; s++, decimals++) {
			if (decimals == 3)
				return -1;
			frac = frac * 10 + (*s - '0');
		}
		if (decimals == 0)
			return -1;
	}
	for (int i = decimals; i < 3; i++)
		frac *= 10;
	s = skip_spaces(s);
	if (*s == '%')
		s = skip_spaces(s + 1);
	if (*s != '\0')
		return -1;
	int64_t v = whole * 1000 + frac;
	if (v > LOANS_MAX_RATE)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* The length of a group separator at s: a space, a no-break space (U+00A0)
 * or a narrow no-break space (U+202F); 0 for anything else. */
static size_t separator(const char *s)
{
	if (*s == ' ')
		return 1;
	if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
		return 2;
	if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0xaf)
		return 3;
	return 0;
}

int loans_parse_kroner(const char *s, int64_t max_ore, int64_t *out)
{
	if (s == NULL)
		return -1;
	s = skip_spaces(s);
	int64_t kr = 0;
	int digits = 0;
	for (;;) {
		if (*s >= '0' && *s <= '9') {
			kr = kr * 10 + (*s - '0');
			if (kr > max_ore / 100)
				return -1;
			digits++;
			s++;
			continue;
		}
		size_t n = separator(s);
		/* A separator only between digits. */
		if (n > 0 && digits > 0 && s[n] >= '0' && s[n] <= '9') {
			s += n;
			continue;
		}
		break;
	}
	if (digits == 0)
		return -1;
	s = skip_spaces(s);
	if (strncmp(s, "kr", 2) == 0)
		s = skip_spaces(s + 2);
	if (*s != '\0')
		return -1;
	*out = kr * 100;
	return 0;
}
