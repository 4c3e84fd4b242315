/* date.c - calendar dates as day numbers (days from 1970-01-01).
 *
 * The conversions are the well-known civil-from-days algorithms on eras of
 * 400 years, exact for the proleptic Gregorian calendar. */
#include "core/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int date_valid(int y, int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

date_t date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void date_to_ymd(date_t t, int *y, int *m, int *d)
{
	int z = t + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int dd = doy - (153 * mp + 2) / 5 + 1;
	int mm = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (mm <= 2);
	*m = mm;
	*d = dd;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int date_parse(const char *s, date_t *out)
{
	int y, m, d;
	if (s == NULL || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || s[10] != '\0')
		return -1;
	if (y < 1800 || y > 2999 || !date_valid(y, m, d))
		return -1;
	*out = date_from_ymd(y, m, d);
	return 0;
}

char *date_format(date_t t, char out[11])
{
	int y, m, d;
	date_to_ymd(t, &y, &m, &d);
	if (y < 0 || y > 9999) {
		/* Out of ISO 8601's four digits: never a date we parsed. */
		memcpy(out, "0000-00-00", 11);
		return out;
	}
	/* By hand: this runs for every date of every trace. */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return out;
}

/* Up to `max` digits at s: their value, or -1 when there are none or more. */
static int run_of_digits(const char **s, int max)
{
	int v = 0, n = 0;
	while (**s >= '0' && **s <= '9') {
		if (++n > max)
			return -1;
		v = v * 10 + (**s - '0');
		(*s)++;
	}
	return n == 0 ? -1 : v;
}

int date_parse_input(const char *s, date_t *out)
{
	char iso[11];
	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 10 && s[4] == '-') {
		memcpy(iso, s, 10);
		iso[10] = '\0';
		return date_parse(iso, out);
	}
	const char *p = s, *end = s + n;
	int d = run_of_digits(&p, 2);
	if (d < 0 || *p != '.')
		return -1;
	p++;
	int m = run_of_digits(&p, 2);
	if (m < 0 || *p != '.')
		return -1;
	p++;
	const char *y0 = p;
	int y = run_of_digits(&p, 4);
	if (y < 0 || p - y0 != 4 || p != end)
		return -1;
	if (y < 1800 || y > 2999 || !date_valid(y, m, d))
		return -1;
	*out = date_from_ymd(y, m, d);
	return 0;
}

char *date_format_input(date_t t, char out[11])
{
	int y, m, d;
	date_to_ymd(t, &y, &m, &d);
	if (y < 0 || y > 9999) {
		memcpy(out, "00.00.0000", 11);
		return out;
	}
	snprintf(out, 11, "%02d.%02d.%04d", d, m, y);
	return out;
}

int date_age(date_t birth, date_t on)
{
	int by, bm, bd, y, m, d;
	date_to_ymd(birth, &by, &bm, &bd);
	date_to_ymd(on, &y, &m, &d);
	int age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

int date_months_touched(date_t from, date_t to)
{
	if (to < from)
		return 0;
	int y1, m1, d1, y2, m2, d2;
	date_to_ymd(from, &y1, &m1, &d1);
	date_to_ymd(to, &y2, &m2, &d2);
	return (y2 - y1) * 12 + (m2 - m1) + 1;
}

int date_school_year(const char *s, date_t *first, date_t *last)
{
	int y1, y2;
	if (s == NULL || digits(s, 4, &y1) || s[4] != '-' || digits(s + 5, 4, &y2) || s[9] != '\0')
		return -1;
	if (y1 < 1800 || y2 != y1 + 1)
		return -1;
	*first = date_from_ymd(y1, 8, 1);
	*last = date_from_ymd(y2, 7, 31);
	return 0;
}

int64_t date_now_unix(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

date_t date_today(void)
{
	int64_t s = date_now_unix();
	return (date_t)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
}

char *date_format_timestamp(int64_t unix_seconds, char out[21])
{
	int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
	int secs = (int)(unix_seconds - days * 86400);
	int y, m, d;
	date_to_ymd((date_t)days, &y, &m, &d);
	/* The compiler cannot know y has four digits: format roomily, then copy. */
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, secs / 3600, secs / 60 % 60,
		 secs % 60);
	memcpy(out, tmp, 20);
	out[20] = '\0';
	return out;
}

int date_parse_timestamp(const char *s, int64_t *out)
{
	char day[11];
	date_t d;
	size_t n = strlen(s);
	if (n != 10 && n != 20)
		return -1;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (date_parse(day, &d) != 0)
		return -1;
	int64_t secs = 0;
	if (n == 20) {
		const char *t = s + 10;
		if (t[0] != 'T' || t[3] != ':' || t[6] != ':' || t[9] != 'Z')
			return -1;
		int parts[3];
		for (int i = 0; i < 3; i++) {
			const char *p = t + 1 + 3 * i;
			if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
				return -1;
			parts[i] = (p[0] - '0') * 10 + (p[1] - '0');
		}
		if (parts[0] > 23 || parts[1] > 59 || parts[2] > 59)
			return -1;
		secs = parts[0] * 3600 + parts[1] * 60 + parts[2];
	}
	*out = (int64_t)d * 86400 + secs;
	return 0;
}

/* ---- Norwegian time (#15) ---- */

/* The last Sunday of month m of year y, at 01:00 UTC. */
static int64_t last_sunday_0100(int y, int m)
{
	date_t last = date_from_ymd(y, m + 1, 1) - 1;
	/* Day 0 (1970-01-01) was a Thursday: (d + 4) % 7 is 0 on Sundays. */
	int64_t dow = ((int64_t)last + 4) % 7;
	if (dow < 0)
		dow += 7;
	return ((int64_t)(last - dow)) * 86400 + 3600;
}

int64_t date_oslo_offset(int64_t unix_seconds)
{
	int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
	int y, m, d;
	date_to_ymd((date_t)days, &y, &m, &d);
	return unix_seconds >= last_sunday_0100(y, 3) && unix_seconds < last_sunday_0100(y, 10) ? 7200 : 3600;
}

void date_oslo(int64_t unix_seconds, date_t *day, int *minute)
{
	int64_t local = unix_seconds + date_oslo_offset(unix_seconds);
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	*day = (date_t)days;
	*minute = (int)((local - days * 86400) / 60);
}

date_t date_oslo_day(int64_t unix_seconds)
{
	date_t day;
	int minute;
	date_oslo(unix_seconds, &day, &minute);
	return day;
}

date_t date_months_on(date_t d, int k, int day)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	int idx = y * 12 + (m - 1) + k;
	y = idx / 12;
	m = idx % 12 + 1;
	while (day > 1 && !date_valid(y, m, day))
		day--;
	return date_from_ymd(y, m, day);
}

date_t date_month_first(date_t d)
{
	return date_months_on(d, 0, 1);
}

date_t date_month_last(date_t d)
{
	return date_months_on(d, 1, 1) - 1;
}
