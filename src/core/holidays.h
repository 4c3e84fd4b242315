/* holidays.h - Norway's public holidays and banking days, computed.
 *
 * The public holidays (lov om 1. og 17. mai som høgtidsdager, lov om
 * helgedagsfred § 2): New Year's Day, Maundy Thursday, Good Friday, Easter
 * Sunday and Monday, 1 May, 17 May, Ascension Day, Whit Sunday and Monday,
 * Christmas Day and Boxing Day. Easter comes from the Gregorian computus
 * (the anonymous algorithm of Meeus/Jones/Butcher), the movable feasts from
 * Easter. A banking day is a weekday that is no public holiday; Christmas
 * Eve and New Year's Eve are not public holidays and count as banking
 * days here (the banks' own closing on them is not modelled). Pure: no
 * clock, no state; thread-safe. */
#ifndef STIPEND_HOLIDAYS_H
#define STIPEND_HOLIDAYS_H

#include "core/date.h"

/* Easter Sunday of year y (Gregorian calendar, 1800..2999). */
date_t holiday_easter(int y);

/* 1 when d is a Norwegian public holiday, else 0. */
int holiday_is_public(date_t d);

/* 1 when d is a banking day: Monday to Friday and no public holiday. */
int holiday_is_banking_day(date_t d);

/* The nearest banking day on or before d. */
date_t holiday_banking_day_on_or_before(date_t d);

/* The agency's payout date in month m of year y: the 15th, or the banking
 * day before it when the 15th is a weekend day or a public holiday. */
date_t holiday_payday(int y, int m);

#endif
