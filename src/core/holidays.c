/* holidays.c - Norway's public holidays and banking days (see holidays.h).
 *
 * Easter by the anonymous Gregorian algorithm (Meeus, "Astronomical
 * Algorithms", ch. 8), valid for every Gregorian year; the movable holidays
 * are fixed offsets from it: Maundy Thursday -3, Good Friday -2, Easter
 * Monday +1, Ascension +39, Whit Sunday +49, Whit Monday +50. */
#include "core/holidays.h"

date_t holiday_easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
	return date_from_ymd(y, month, day);
}

int holiday_is_public(date_t d)
{
	int y, m, day;
	date_to_ymd(d, &y, &m, &day);
	if ((m == 1 && day == 1) || (m == 5 && (day == 1 || day == 17)) || (m == 12 && (day == 25 || day == 26)))
		return 1;
	static const int offsets[] = {-3, -2, 0, 1, 39, 49, 50};
	date_t easter = holiday_easter(y);
	for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		if (d == easter + offsets[i])
			return 1;
	return 0;
}

/* 1970-01-01 was a Thursday: day 0 is weekday 3 counting Monday as 0. */
static int weekday(date_t d)
{
	int w = (int)((d + 3) % 7);
	return w < 0 ? w + 7 : w;
}

int holiday_is_banking_day(date_t d)
{
	return weekday(d) < 5 && !holiday_is_public(d);
}

date_t holiday_banking_day_on_or_before(date_t d)
{
	while (!holiday_is_banking_day(d))
		d--;
	return d;
}

date_t holiday_payday(int y, int m)
{
	return holiday_banking_day_on_or_before(date_from_ymd(y, m, 15));
}
