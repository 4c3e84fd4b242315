/* interest.c - interest computed daily on a loan account's balance, and
 * the borrower's KID; see interest.h.
 *
 * A day's interest is balance * rate / (100 000 * 365 or 366): a fraction
 * of an øre. Rather than round each day, the days are summed as numerators
 * over their one common denominator (a period lies within one year) in
 * 128-bit arithmetic and the total rounded once, so that a month's interest
 * is the exact sum of its days, rounded to whole øre. */
#include "loans/interest.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"

int loans_days_in_year(date_t d)
{
	int y, m, day;
	date_to_ymd(d, &y, &m, &day);
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 366 : 365;
}

int loans_interest(int64_t opening, const struct loans_change *changes, int n, date_t from, date_t to,
		   loans_rate_fn rate, void *ctx, int64_t *interest, struct err *e)
{
	int y1, y2, m, d;
	date_to_ymd(from, &y1, &m, &d);
	date_to_ymd(to, &y2, &m, &d);
	if (to < from || y1 != y2)
		return err_set(e, ERR_INVALID, "period", "interest is worked out within one calendar year");
	__int128 num = 0;
	int64_t balance = opening;
	int k = 0;
	while (k < n && changes[k].day < from)
		k++;
	for (date_t day = from; day <= to; day++) {
		/* The closing balance: the day's own postings count. */
		while (k < n && changes[k].day <= day)
			balance += changes[k++].amount;
		if (balance <= 0)
			continue;
		int32_t r;
		if (rate(ctx, day, &r, e) != 0)
			return -1;
		num += (__int128)balance * r;
	}
	__int128 den = (__int128)100000 * loans_days_in_year(from);
	/* rounding.ore: half away from zero; num is never negative here. */
	*interest = (int64_t)((num * 2 + den) / (den * 2));
	return 0;
}

int loans_mod10(const char *s, size_t n)
{
	int sum = 0, dbl = 1;
	for (size_t i = n; i-- > 0;) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		int v = s[i] - '0';
		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	return '0' + (10 - sum % 10) % 10;
}

int loans_kid(int64_t person_id, char out[LOANS_KID_LEN + 1])
{
	if (person_id <= 0 || person_id > 99999999)
		return -1;
	snprintf(out, LOANS_KID_LEN + 1, "1%08lld", (long long)person_id);
	out[9] = (char)loans_mod10(out, 9);
	out[10] = '\0';
	return 0;
}

int loans_kid_valid(const char *kid)
{
	size_t n = kid ? strlen(kid) : 0;
	if (n < 2 || n > 25)
		return 0;
	int c = loans_mod10(kid, n - 1);
	return c >= 0 && c == kid[n - 1];
}

int64_t loans_kid_person(const char *kid)
{
	if (!loans_kid_valid(kid) || strlen(kid) != LOANS_KID_LEN || kid[0] != '1')
		return 0;
	int64_t id = 0;
	for (int i = 1; i < 9; i++)
		id = id * 10 + (kid[i] - '0');
	return id;
}
