/* interest.h - the loan account's pure arithmetic: interest computed daily
 * on the balance across rate changes and leap years, and the KID number a
 * borrower pays with (MOD10, as Norwegian banks check it).
 *
 * Nothing here reads the clock, the store or the parameters itself: the
 * rate of each day comes from the caller. Thread-safe. */
#ifndef STIPEND_LOANS_INTEREST_H
#define STIPEND_LOANS_INTEREST_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"

struct err;

/* A change of the balance on a day (a posting on the loan accounts). */
struct loans_change {
	date_t day;
	int64_t amount; /* øre; > 0 raises the debt */
};

/* The yearly rate in force on day d in thousandths of a percent (5.128 %
 * is 5128), into *rate; 0, or -1 with e filled when no rate is in force. */
typedef int (*loans_rate_fn)(void *ctx, date_t d, int32_t *rate, struct err *e);

/* Interest for the days from..to (inclusive, within one calendar year) on
 * each day's closing balance: opening plus the changes with day <= that day
 * (changes sorted by day; those before from are already in opening). Each
 * day earns balance * rate / (100 000 * days of its year), so a leap year's
 * day earns 1/366 of the yearly rate; the days are summed exactly and the
 * total rounded once to whole øre, half away from zero (rounding.ore). A
 * day whose balance is 0 or less earns nothing. Returns 0 with *interest
 * filled, or -1 with e filled (a rate missing, from..to across a year). */
int loans_interest(int64_t opening, const struct loans_change *changes, int n, date_t from, date_t to,
		   loans_rate_fn rate, void *ctx, int64_t *interest, struct err *e);

/* Days in the calendar year of d: 365 or 366. */
int loans_days_in_year(date_t d);

#define LOANS_KID_LEN 10

/* The fixed KID of a borrower: "1", the person's id in 8 digits, and the
 * MOD10 check digit, into out (LOANS_KID_LEN + 1 bytes). Returns 0, or -1
 * for an id that does not fit. */
int loans_kid(int64_t person_id, char out[LOANS_KID_LEN + 1]);

/* The MOD10 (Luhn) check digit of the digits s[0..n-1]: from the right,
 * every other digit is doubled (beginning with the rightmost), the digits
 * of the products summed, and the check digit brings the sum to a multiple
 * of 10. Returns '0'..'9', or -1 when s holds anything but digits. */
int loans_mod10(const char *s, size_t n);

/* 1 when kid is 2..25 digits whose last is its MOD10 check digit, else 0. */
int loans_kid_valid(const char *kid);

/* The person id a KID made by loans_kid() names, or 0 when it is not one. */
int64_t loans_kid_person(const char *kid);

#endif
