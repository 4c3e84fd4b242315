/* report.c - the support centre's monthly cost report (see support.h): the
 * month's inquiries by agency and digital service, by channel, the time
 * spent and its share, and the centre's monthly cost shared by that time.
 *
 * The cost is shared exactly, in øre: each line gets the floor of its
 * proportional share, and the øre left over go one each to the lines with
 * the largest remainders (Hamilton's largest remainder method), a tie to
 * the line that comes first in the report (agency, then service, by code).
 * The shares therefore always sum to the cost, and the same data always
 * shares it the same way. Products are taken in 128 bits, so a cost of
 * up to 10^12 kr over any month's seconds cannot overflow. */
#include "support/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"

void support_share(int64_t total, const int64_t *weights, int n, int64_t *shares)
{
	if (n <= 0)
		return;
	__int128 sum = 0;
	for (int i = 0; i < n; i++)
		sum += weights[i];
	int equal = sum == 0;
	if (equal)
		sum = n;
	int64_t given = 0;
	/* The remainders, in units of 1/sum øre. */
	__int128 *rem = calloc((size_t)n, sizeof(*rem));
	for (int i = 0; i < n; i++) {
		__int128 w = equal ? 1 : weights[i];
		__int128 p = (__int128)total * w;
		shares[i] = (int64_t)(p / sum);
		if (rem)
			rem[i] = p % sum;
		given += shares[i];
	}
	int64_t left = total - given; /* fewer than n */
	while (left > 0 && rem) {
		int best = -1;
		for (int i = 0; i < n; i++)
			if (rem[i] >= 0 && (best < 0 || rem[i] > rem[best]))
				best = i;
		if (best < 0)
			break;
		shares[best]++;
		rem[best] = -1; /* one øre each at most */
		left--;
	}
	free(rem);
}

int support_month(const char *month, int64_t *from, int64_t *to, struct err *e)
{
	date_t d;
	char day[11];
	if (month == NULL || strlen(month) != 7 || month[4] != '-')
		return err_set(e, ERR_INVALID, "month", "a month is YYYY-MM");
	snprintf(day, sizeof(day), "%s-01", month);
	if (date_parse(day, &d) != 0)
		return err_set(e, ERR_INVALID, "month", "a month is YYYY-MM");
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	date_t next = m == 12 ? date_from_ymd(y + 1, 1, 1) : date_from_ymd(y, m + 1, 1);
	*from = (int64_t)d * 86400;
	*to = (int64_t)next * 86400;
	return 0;
}

static int channel_index(const char *c)
{
	for (int i = 0; support_channels[i]; i++)
		if (strcmp(support_channels[i], c) == 0)
			return i;
	return -1;
}

int support_report(struct store *s, const struct principal *who, const char *month, int64_t total_cost,
		   int64_t now, struct support_report *out, struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (who && access_check(s, who, ACT_SUPPORT_REPORT, 0, "support:report", "report", now, e) != 0)
		return -1;
	if (support_month(month, &out->from, &out->to, e) != 0)
		return -1;
	if (total_cost < 0)
		return err_set(e, ERR_INVALID, "cost", "the cost is an amount of kroner, not below 0");
	snprintf(out->month, sizeof(out->month), "%s", month);
	out->total_cost = total_cost;
	struct inquiry_tally *t;
	int n = store_inquiry_tallies(s, out->from, out->to, &t, a, e);
	if (n < 0)
		return -1;
	out->lines = arena_zalloc(a, sizeof(*out->lines) * (size_t)(n > 0 ? n : 1));
	for (int i = 0; i < n; i++) {
		struct report_line *l = out->n > 0 ? &out->lines[out->n - 1] : NULL;
		if (l == NULL || strcmp(l->agency, t[i].agency) != 0 || strcmp(l->service, t[i].service) != 0) {
			l = &out->lines[out->n++];
			l->agency = t[i].agency;
			l->service = t[i].service;
		}
		int c = channel_index(t[i].channel);
		if (c >= 0)
			l->by_channel[c] += t[i].count;
		l->count += t[i].count;
		l->seconds += t[i].seconds;
		out->count += t[i].count;
		out->seconds += t[i].seconds;
	}
	int64_t *weights = arena_zalloc(a, sizeof(int64_t) * (size_t)(out->n + 1));
	int64_t *shares = arena_zalloc(a, sizeof(int64_t) * (size_t)(out->n + 1));
	int64_t *ppm_w = arena_zalloc(a, sizeof(int64_t) * (size_t)(out->n + 1));
	for (int i = 0; i < out->n; i++)
		weights[i] = out->lines[i].seconds;
	support_share(total_cost, weights, out->n, shares);
	support_share(out->n > 0 ? 1000000 : 0, weights, out->n, ppm_w);
	for (int i = 0; i < out->n; i++) {
		out->lines[i].cost = shares[i];
		out->lines[i].share_ppm = ppm_w[i];
	}
	return 0;
}

static void put_ore(struct buf *b, int64_t ore)
{
	buf_printf(b, "%s%lld.%02lld", ore < 0 ? "-" : "", (long long)(llabs(ore) / 100), (long long)(llabs(ore) % 100));
}

int support_report_csv(const struct support_report *r, struct buf *b)
{
	int rc = buf_puts(b, "month,agency,service");
	for (int c = 0; support_channels[c]; c++)
		rc |= buf_printf(b, ",%s", support_channels[c]);
	rc |= buf_puts(b, ",inquiries,seconds,share_percent,cost_nok\r\n");
	for (int i = 0; i < r->n; i++) {
		const struct report_line *l = &r->lines[i];
		/* Codes are [a-z0-9-] (the schema's checks): no quoting needed. */
		rc |= buf_printf(b, "%s,%s,%s", r->month, l->agency, l->service);
		for (int c = 0; support_channels[c]; c++)
			rc |= buf_printf(b, ",%lld", (long long)l->by_channel[c]);
		rc |= buf_printf(b, ",%lld,%lld,%lld.%04lld,", (long long)l->count, (long long)l->seconds,
				 (long long)(l->share_ppm / 10000), (long long)(l->share_ppm % 10000));
		put_ore(b, l->cost);
		rc |= buf_puts(b, "\r\n");
	}
	rc |= buf_printf(b, "%s,all,all", r->month);
	for (int c = 0; support_channels[c]; c++) {
		int64_t sum = 0;
		for (int i = 0; i < r->n; i++)
			sum += r->lines[i].by_channel[c];
		rc |= buf_printf(b, ",%lld", (long long)sum);
	}
	rc |= buf_printf(b, ",%lld,%lld,%s,", (long long)r->count, (long long)r->seconds,
			 r->n > 0 ? "100.0000" : "0.0000");
	put_ore(b, r->n > 0 ? r->total_cost : 0);
	rc |= buf_puts(b, "\r\n");
	return rc ? -1 : 0;
}

int support_parse_kroner(const char *s, int64_t *ore)
{
	if (s == NULL)
		return -1;
	int64_t kr = 0, frac = 0;
	int digits = 0, fdigits = 0, in_frac = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (in_frac) {
				if (++fdigits > 2)
					return -1;
				frac = frac * 10 + (*p - '0');
			} else {
				if (++digits > 13)
					return -1;
				kr = kr * 10 + (*p - '0');
			}
		} else if ((*p == ',' || *p == '.') && !in_frac && digits > 0) {
			in_frac = 1;
		} else if (*p == ' ' && !in_frac && digits > 0 && p[1] >= '0' && p[1] <= '9') {
			continue; /* "1 234" */
		} else {
			return -1;
		}
	}
	if (digits == 0 || (in_frac && fdigits == 0) || kr > 1000000000000LL)
		return -1;
	if (fdigits == 1)
		frac *= 10;
	*ore = kr * 100 + frac;
	return 0;
}
