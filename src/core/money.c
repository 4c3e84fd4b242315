/* money.c - integer money arithmetic and display; see money.h. */
#include "core/money.h"

#include <stdio.h>
#include <string.h>

int64_t money_muldiv_round(int64_t value, int64_t num, int64_t den)
{
	__int128 p = (__int128)value * num;
	__int128 q = p / den, r = p % den;
	if (r < 0)
		r = -r;
	if (2 * r >= den)
		q += p < 0 ? -1 : 1;
	return (int64_t)q;
}

int64_t money_muldiv_floor(int64_t value, int64_t num, int64_t den)
{
	__int128 p = (__int128)value * num;
	__int128 q = p / den;
	if (p % den != 0 && p < 0)
		q--;
	return (int64_t)q;
}

/* Digits of v grouped by threes with sep between groups. */
static void grouped(uint64_t v, const char *sep, char *out, size_t len)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	size_t seplen = strlen(sep), o = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0) {
			if (o + seplen + 1 >= len)
				break;
			memcpy(out + o, sep, seplen);
			o += seplen;
		}
		if (o + 2 >= len)
			break;
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

char *money_format(int64_t ore, enum lang lang, char *out, size_t len)
{
	uint64_t a = ore < 0 ? (uint64_t)(-(ore + 1)) + 1 : (uint64_t)ore;
	char whole[40];
	const char *sign = ore < 0 ? "-" : "";
	unsigned frac = (unsigned)(a % 100);
	if (lang == LANG_EN) {
		grouped(a / 100, ",", whole, sizeof(whole));
		if (frac)
			snprintf(out, len, "%sNOK %s.%02u", sign, whole, frac);
		else
			snprintf(out, len, "%sNOK %s", sign, whole);
	} else {
		/* U+00A0 no-break space keeps "151 690 kr" on one line. */
		grouped(a / 100, "\xc2\xa0", whole, sizeof(whole));
		if (frac)
			snprintf(out, len, "%s%s,%02u\xc2\xa0kr", sign, whole, frac);
		else
			snprintf(out, len, "%s%s\xc2\xa0kr", sign, whole);
	}
	return out;
}
