/* nin.c - Norwegian national identity numbers; see nin.h.
 *
 * The century comes from the individual number (digits 7-9) together with
 * the two-digit year, as the population register assigns them:
 * 000-499 1900-1999; 500-749 with year 54-99 1854-1899; 500-999 with year
 * 00-39 2000-2039; 900-999 with year 40-99 1940-1999. */
#include "core/nin.h"

#include <string.h>

static const int w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
static const int w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};

/* Check digit over n digits with weights w, or -1 when none exists. */
static int check_digit(const int *d, const int *w, int n)
{
	int sum = 0;
	for (int i = 0; i < n; i++)
		sum += d[i] * w[i];
	int k = 11 - sum % 11;
	if (k == 11)
		k = 0;
	return k == 10 ? -1 : k;
}

static int century(int yy, int individual)
{
	if (individual <= 499)
		return 1900;
	if (individual <= 749 && yy >= 54)
		return 1800;
	if (yy <= 39)
		return 2000;
	if (individual >= 900)
		return 1900;
	return -1;
}

int nin_parse(const char *s, date_t *birth, enum nin_kind *kind)
{
	int d[11];
	if (s == NULL || strlen(s) != 11)
		return -1;
	for (int i = 0; i < 11; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d[i] = s[i] - '0';
	}
	if (check_digit(d, w1, 9) != d[9] || check_digit(d, w2, 10) != d[10])
		return -1;
	int day = d[0] * 10 + d[1], month = d[2] * 10 + d[3], yy = d[4] * 10 + d[5];
	int individual = d[6] * 100 + d[7] * 10 + d[8];
	enum nin_kind k = NIN_ORDINARY;
	if (day > 40) {
		day -= 40;
		k = NIN_D_NUMBER;
	}
	if (month > 80) {
		month -= 80;
		k = NIN_SYNTHETIC;
	}
	int c = century(yy, individual);
	if (c < 0 || !date_valid(c + yy, month, day))
		return -1;
	if (birth != NULL)
		*birth = date_from_ymd(c + yy, month, day);
	if (kind != NULL)
		*kind = k;
	return 0;
}

int nin_make(date_t birth, int individual, int synthetic, char out[12])
{
	int y, m, dd;
	date_to_ymd(birth, &y, &m, &dd);
	if (individual < 0 || individual > 999 || century(y % 100, individual) != y - y % 100)
		return -1;
	int d[11] = {dd / 10, dd % 10, (m + (synthetic ? 80 : 0)) / 10, (m + (synthetic ? 80 : 0)) % 10,
		     (y % 100) / 10, y % 10, individual / 100, individual / 10 % 10, individual % 10};
	d[9] = check_digit(d, w1, 9);
	if (d[9] < 0)
		return -1;
	d[10] = check_digit(d, w2, 10);
	if (d[10] < 0)
		return -1;
	for (int i = 0; i < 11; i++)
		out[i] = (char)('0' + d[i]);
	out[11] = '\0';
	return 0;
}
