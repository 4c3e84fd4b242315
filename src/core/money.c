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

/* Digits of v grouped by threes with sep between groups; by hand, as this
 * runs for every amount of every trace. */
static void grouped(uint64_t v, const char *sep, char *out, size_t len)
{
	char digits[24];
	int n = 0;
	do {
		digits[sizeof(digits) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	const char *d = digits + sizeof(digits) - n;
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
		out[o++] = d[i];
	}
	out[o] = '\0';
}

/* Append s to out[*o], within len (one byte kept for the NUL). */
static void put(char *out, size_t len, size_t *o, const char *s)
{
	size_t n = strlen(s);
	if (*o + n >= len)
		n = len - 1 - *o;
	memcpy(out + *o, s, n);
	*o += n;
}

char *money_format(int64_t ore, enum lang lang, char *out, size_t len)
{
	uint64_t a = ore < 0 ? (uint64_t)(-(ore + 1)) + 1 : (uint64_t)ore;
	char whole[40];
	unsigned frac = (unsigned)(a % 100);
	char cents[4] = {lang == LANG_EN ? '.' : ',', (char)('0' + frac / 10), (char)('0' + frac % 10), '\0'};
	size_t o = 0;
	if (len == 0)
		return out;
	if (ore < 0)
		put(out, len, &o, "-");
	if (lang == LANG_EN) {
		grouped(a / 100, ",", whole, sizeof(whole));
		put(out, len, &o, "NOK ");
		put(out, len, &o, whole);
		if (frac)
			put(out, len, &o, cents);
	} else {
		/* U+00A0 no-break space keeps "151 690 kr" on one line. */
		grouped(a / 100, "\xc2\xa0", whole, sizeof(whole));
		put(out, len, &o, whole);
		if (frac)
			put(out, len, &o, cents);
		put(out, len, &o, "\xc2\xa0kr");
	}
	out[o] = '\0';
	return out;
}
