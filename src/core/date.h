/* date.h - calendar dates as day numbers, strictly parsed ISO 8601.
 *
 * A date is an int32_t counting days from 1970-01-01 (negative before), so
 * that comparing and subtracting dates is integer arithmetic. Proleptic
 * Gregorian calendar. The functions here never read the clock except
 * date_today(), which only main and the job runner may call. */
#ifndef STIPEND_DATE_H
#define STIPEND_DATE_H

#include <stdint.h>

typedef int32_t date_t;

/* Day number of a calendar date. y, m, d must form a valid date. */
date_t date_from_ymd(int y, int m, int d);

/* Calendar date of a day number. */
void date_to_ymd(date_t t, int *y, int *m, int *d);

/* 1 when y-m-d exists in the calendar, else 0. */
int date_valid(int y, int m, int d);

/* Parse exactly "YYYY-MM-DD" (years 1800..2999). Returns 0, or -1 for any
 * other text or a date that does not exist (2025-02-29). */
int date_parse(const char *s, date_t *out);

/* #15: a date as a person types it in a form field: "dd.mm.åååå" as
 * Norwegians write it (also "d.m.åååå"), or ISO 8601 "YYYY-MM-DD" (what a
 * browser's date field or an API client sends), with spaces around it
 * allowed. Every date field of the program reads its value through this
 * one function, so that one way of writing a date works everywhere.
 * Returns 0 and sets *out, or -1 for NULL, empty or other text, or a date
 * that does not exist (29.02.2025); *out is then left unaltered. */
int date_parse_input(const char *s, date_t *out);

/* Write "dd.mm.åååå" into out (11 bytes): the way a form field shows a
 * date back to the person, which date_parse_input() reads. Returns out. */
char *date_format_input(date_t t, char out[11]);

/* Write "YYYY-MM-DD" into out (11 bytes). Returns out. */
char *date_format(date_t t, char out[11]);

/* Whole years of age on date `on` for a person born on `birth`. A person
 * born on 29 February becomes a year older on 1 March in common years. */
int date_age(date_t birth, date_t on);

/* Months touched by [from, to] inclusive, counting a calendar month when at
 * least one day of it is inside: 2024-08-15..2025-06-15 gives 11. 0 when
 * to < from. */
int date_months_touched(date_t from, date_t to);

/* The day `day` (clamped to the month's last) of the month k months after
 * d's (k may be negative): date_months_on(31 Jan, 1, 31) is 28 or 29 Feb. */
date_t date_months_on(date_t d, int k, int day);

/* The first and the last day of d's month. */
date_t date_month_first(date_t d);
date_t date_month_last(date_t d);

/* Parse a school year "2024-2025" (second year the first plus one) into its
 * first day (1 August) and last day (31 July). Returns 0 or -1. */
int date_school_year(const char *s, date_t *first, date_t *last);

/* Today in UTC. Only main and the job runner may ask. */
date_t date_today(void);

/* Seconds since the epoch, UTC, now. Only main, the web layer and the job
 * runner may ask. */
int64_t date_now_unix(void);

/* ISO 8601 UTC timestamp "YYYY-MM-DDTHH:MM:SSZ" of a Unix time (21 bytes). */
char *date_format_timestamp(int64_t unix_seconds, char out[21]);

/* Parse a moment given as input (a command's --now): "YYYY-MM-DD" (its
 * midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ". Returns 0, or -1 for any other
 * text. */
int date_parse_timestamp(const char *s, int64_t *out);

/* #15: Norwegian time. The offset from UTC in Europe/Oslo at the instant
 * unix_seconds: 7200 in summer time (from 01:00 UTC on the last Sunday of
 * March to 01:00 UTC on the last Sunday of October, the EU rule Norway
 * follows), else 3600. Pure and thread-safe. */
int64_t date_oslo_offset(int64_t unix_seconds);

/* The calendar day in Oslo at the instant unix_seconds. */
date_t date_oslo_day(int64_t unix_seconds);

/* The instant as Oslo's wall clock reads it: *day, and minutes since
 * midnight in *minute. */
void date_oslo(int64_t unix_seconds, date_t *day, int *minute);

#endif
