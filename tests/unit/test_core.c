/* test_core.c - unit tests of src/core: arena, buf, date, money, nin, i18n.
 *
 * Each test is named for the behaviour it shows. Expected values are worked
 * out by hand (or by an independent computation in the test itself), never
 * taken from the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/money.h"
#include "core/nin.h"
#include "core/stop.h"

#define NBSP "\xc2\xa0"

/* ---- arena ---------------------------------------------------------- */

static void arena_many_allocations_across_chunks_keep_their_content(void **state)
{
	(void)state;
	struct arena a;
	enum { N = 2000, SZ = 40 };
	unsigned char *p[N];
	arena_init(&a, 256);
	for (int i = 0; i < N; i++) {
		p[i] = arena_alloc(&a, SZ);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % _Alignof(max_align_t), 0);
		memset(p[i], i & 0xff, SZ);
	}
	/* Had two allocations overlapped, a later memset would show. */
	for (int i = 0; i < N; i++)
		for (int j = 0; j < SZ; j++)
			assert_int_equal(p[i][j], i & 0xff);
	arena_cleanup(&a);
}

static void arena_big_allocation_beyond_chunk_size_is_usable(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1024);
	char *small1 = arena_strdup(&a, "before");
	size_t big_n = 1u << 20;
	unsigned char *big = arena_alloc(&a, big_n);
	memset(big, 0xab, big_n);
	char *small2 = arena_strdup(&a, "after");
	assert_string_equal(small1, "before");
	assert_string_equal(small2, "after");
	for (size_t i = 0; i < big_n; i += 4093)
		assert_int_equal(big[i], 0xab);
	assert_int_equal(big[big_n - 1], 0xab);
	/* A second big one, after the first chunk is partly used. */
	unsigned char *big2 = arena_zalloc(&a, 3 * 1024);
	for (size_t i = 0; i < 3 * 1024; i++)
		assert_int_equal(big2[i], 0);
	assert_string_equal(small1, "before");
	arena_cleanup(&a);
}

static void arena_strdup_and_printf_copy_into_the_arena(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	char src[] = "hello";
	char *copy = arena_strdup(&a, src);
	src[0] = 'j';
	assert_string_equal(copy, "hello");
	assert_null(arena_strdup(&a, NULL));
	assert_null(arena_strndup(&a, NULL, 3));
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	assert_string_equal(arena_strdup(&a, ""), "");
	assert_string_equal(arena_printf(&a, "%d-%s-%05.1f", 42, "x", 3.5), "42-x-003.5");
	/* Longer than a whole default chunk. */
	char *long_text = arena_printf(&a, "%20000d|", 7);
	assert_int_equal(strlen(long_text), 20001);
	assert_int_equal(long_text[19999], '7');
	arena_cleanup(&a);
}

static void arena_reset_keeps_working_for_new_allocations(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 512);
	for (int round = 0; round < 5; round++) {
		char *s[300];
		for (int i = 0; i < 300; i++)
			s[i] = arena_printf(&a, "round %d string %d", round, i);
		(void)arena_alloc(&a, 10000); /* a big one in every round */
		for (int i = 0; i < 300; i++) {
			char want[64];
			snprintf(want, sizeof(want), "round %d string %d", round, i);
			assert_string_equal(s[i], want);
		}
		unsigned char *z = arena_zalloc(&a, 200);
		for (int i = 0; i < 200; i++)
			assert_int_equal(z[i], 0);
		arena_reset(&a);
	}
	/* A reset arena that was never used, and cleanup twice, are harmless. */
	arena_cleanup(&a);
	arena_reset(&a);
	arena_cleanup(&a);
}

/* ---- buf ------------------------------------------------------------ */

static void buf_append_past_max_fails_and_leaves_content_unaltered(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 10);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "hello"), 0);
	assert_int_equal(buf_puts(&b, "world!"), -1);
	assert_string_equal(buf_str(&b), "hello");
	assert_int_equal(b.len, 5);
	assert_int_equal(buf_puts(&b, "world"), 0); /* exactly max */
	assert_string_equal(buf_str(&b), "helloworld");
	assert_int_equal(buf_putc(&b, 'x'), -1);
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	assert_int_equal(buf_append(&b, "x", 1), -1);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_string_equal(buf_str(&b), "helloworld");
	assert_int_equal(b.len, 10);

	/* Escaping writers that run out halfway restore the content too. */
	buf_reset(&b);
	assert_int_equal(buf_puts(&b, "ab"), 0);
	assert_int_equal(buf_put_html(&b, "x<y<z", 5), -1);
	assert_string_equal(buf_str(&b), "ab");
	assert_int_equal(buf_put_json_string(&b, "a\"b\"c\"d"), -1);
	assert_string_equal(buf_str(&b), "ab");
	assert_int_equal(b.len, 2);
	buf_cleanup(&b);
}

static void buf_with_limit_size_max_grows_without_overflow(void **state)
{
	(void)state;
	/* SIZE_MAX as "no practical limit": max + 1 wraps to 0, and the
   * capacity must not be clamped to it. */
	struct buf b;
	buf_init(&b, SIZE_MAX);
	for (int i = 0; i < 100; i++)
		assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_int_equal(b.len, 1000);
	assert_true(b.cap > b.len);
	assert_memory_equal(b.p + 990, "0123456789", 11);
	buf_cleanup(&b);
}

static void buf_printf_and_take_hand_over_the_text(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%03d,", i), 0);
	assert_int_equal(b.len, 4000);
	assert_memory_equal(b.p + 3996, "999,", 4);
	char *s = buf_take(&b);
	assert_int_equal(strlen(s), 4000);
	free(s);
	assert_string_equal(buf_str(&b), "");
	s = buf_take(&b); /* never appended to: an empty string, still free()able */
	assert_string_equal(s, "");
	free(s);
	buf_cleanup(&b);
}

static void buf_put_html_escapes_the_five_special_characters(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	const char *s = "<a href=\"x\">Tom & Jerry's</a>";
	assert_int_equal(buf_put_html(&b, s, strlen(s)), 0);
	assert_string_equal(buf_str(&b),
	                    "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
	/* Only the first n bytes are written. */
	buf_reset(&b);
	assert_int_equal(buf_put_html(&b, "a&bcd", 2), 0);
	assert_string_equal(buf_str(&b), "a&amp;");
	/* Text without specials, UTF-8 included, passes as it is. */
	buf_reset(&b);
	assert_int_equal(buf_put_html(&b,
	                              "bl\xc3\xa5"
	                              "b\xc3\xa6"
	                              "r",
	                              8),
	                 0);
	assert_string_equal(buf_str(&b), "bl\xc3\xa5"
	                                 "b\xc3\xa6"
	                                 "r");
	buf_cleanup(&b);
}

static void buf_put_json_string_escapes_quotes_backslash_and_control_chars(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	const char *s = "say \"hi\" \\ \n\t\r\x01\x1f bl\xc3\xa5";
	assert_int_equal(buf_put_json_string(&b, s), 0);
	assert_string_equal(buf_str(&b),
	                    "\"say \\\"hi\\\" \\\\ \\n\\t\\r\\u0001\\u001f bl\xc3\xa5\"");
	/* A JSON reader gets the very same string back. */
	json_error_t jerr;
	json_t *j = json_loads(buf_str(&b), JSON_DECODE_ANY, &jerr);
	assert_non_null(j);
	assert_true(json_is_string(j));
	assert_string_equal(json_string_value(j), s);
	json_decref(j);

	buf_reset(&b);
	assert_int_equal(buf_put_json_string(&b, ""), 0);
	assert_string_equal(buf_str(&b), "\"\"");
	buf_cleanup(&b);
}

static void buf_put_json_real_writes_the_shortest_text(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	assert_int_equal(buf_put_json_real(&b, 55.0), 0);
	assert_string_equal(buf_str(&b), "55");
	buf_reset(&b);
	assert_int_equal(buf_put_json_real(&b, 39.9), 0);
	assert_string_equal(buf_str(&b), "39.9");
	buf_reset(&b);
	assert_int_equal(buf_put_json_real(&b, 0.1), 0);
	assert_string_equal(buf_str(&b), "0.1");
	buf_reset(&b);
	assert_int_equal(buf_put_json_real(&b, -2.5), 0);
	assert_string_equal(buf_str(&b), "-2.5");
	/* A number that needs all 17 digits still reads back exactly. */
	buf_reset(&b);
	double third = 1.0 / 3.0;
	assert_int_equal(buf_put_json_real(&b, third), 0);
	assert_true(strtod(buf_str(&b), NULL) == third);
	buf_cleanup(&b);
}

/* ---- date ----------------------------------------------------------- */

static void date_parse_timestamp_takes_a_day_or_a_moment_in_utc(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(date_parse_timestamp("1970-01-02", &t), 0);
	assert_int_equal(t, 86400);
	assert_int_equal(date_parse_timestamp("2025-09-01T12:30:05Z", &t), 0);
	assert_int_equal(t, (int64_t)date_from_ymd(2025, 9, 1) * 86400 + 12 * 3600 + 30 * 60 + 5);
	assert_int_equal(date_parse_timestamp("2025-09-01T24:00:00Z", &t), -1);
	assert_int_equal(date_parse_timestamp("2025-09-01 12:00:00Z", &t), -1);
	assert_int_equal(date_parse_timestamp("2025-09-01T12:00:00", &t), -1);
	assert_int_equal(date_parse_timestamp("2025-02-29", &t), -1);
}

static void date_parse_accepts_leap_day_and_rejects_malformed_text(void **state)
{
	(void)state;
	date_t t = 12345;
	assert_int_equal(date_parse("2024-02-29", &t), 0);
	assert_int_equal(t, date_from_ymd(2024, 2, 29));
	assert_int_equal(date_parse("1970-01-01", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(date_parse("2000-02-29", &t), 0); /* divisible by 400 */

	const char *bad[] = {"2025-02-29", "1900-02-29", "2024-2-1",   "2024-02-01x",
	                     "",           "2024-13-01", "2024-00-10", "2024-04-31",
	                     "2024-01-00", "2024/01/01", "24-01-01",   " 2024-01-01",
	                     "2024-01-1",  "1799-12-31", "3000-01-01", "2024-0a-01"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 777;
		if (date_parse(bad[i], &t) != -1)
			fail_msg("date_parse accepted \"%s\"", bad[i]);
		assert_int_equal(t, 777); /* out untouched on failure */
	}
	assert_int_equal(date_parse(NULL, &t), -1);
}

/* #15: every date field reads dd.mm.åååå as Norwegians write it, and ISO. */
static void date_parse_input_reads_a_norwegian_date_or_iso(void **state)
{
	(void)state;
	date_t t = 0;
	assert_int_equal(date_parse_input("15.08.2024", &t), 0);
	assert_int_equal(t, date_from_ymd(2024, 8, 15));
	assert_int_equal(date_parse_input("1.3.2008", &t), 0);
	assert_int_equal(t, date_from_ymd(2008, 3, 1));
	assert_int_equal(date_parse_input(" 29.02.2024 ", &t), 0);
	assert_int_equal(t, date_from_ymd(2024, 2, 29));
	assert_int_equal(date_parse_input("2025-06-15", &t), 0);
	assert_int_equal(t, date_from_ymd(2025, 6, 15));
	assert_int_equal(date_parse_input(" 2025-06-15 ", &t), 0);
	assert_int_equal(t, date_from_ymd(2025, 6, 15));

	const char *bad[] = {"29.02.2025", "31.04.2024", "00.01.2024", "01.13.2024", "15.08.24",   "15.08.20245",
	                     "15/08/2024", "15.08.2024x", "150.8.2024", "15..2024",  "",           "   ",
	                     ".08.2024",   "15.08.",      "2025-02-29", "2025-6-15", "01.01.1799", "aa.bb.cccc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 777;
		if (date_parse_input(bad[i], &t) != -1)
			fail_msg("date_parse_input accepted \"%s\"", bad[i]);
		assert_int_equal(t, 777); /* out untouched on failure */
	}
	assert_int_equal(date_parse_input(NULL, &t), -1);
}

static void date_format_input_writes_what_date_parse_input_reads(void **state)
{
	(void)state;
	char out[11];
	assert_string_equal(date_format_input(date_from_ymd(2024, 8, 5), out), "05.08.2024");
	for (date_t t = date_from_ymd(1999, 12, 25); t < date_from_ymd(2001, 3, 5); t++) {
		date_t back = -1;
		assert_int_equal(date_parse_input(date_format_input(t, out), &back), 0);
		assert_int_equal(back, t);
	}
}

static void date_from_ymd_and_to_ymd_round_trip_over_a_wide_range(void **state)
{
	(void)state;
	/* Known anchors, worked out by hand from 1970-01-01 = day 0. */
	assert_int_equal(date_from_ymd(1970, 1, 1), 0);
	assert_int_equal(date_from_ymd(1969, 12, 31), -1);
	assert_int_equal(date_from_ymd(2000, 3, 1), 11017);
	assert_int_equal(date_from_ymd(2024, 7, 1), 19905);

	/* Walk day by day from 1 January 1600 to 31 December 2400 and check
   * that each day is the day after the one before in the calendar. */
	date_t first = date_from_ymd(1600, 1, 1), last = date_from_ymd(2400, 12, 31);
	int py = 1599, pm = 12, pd = 31;
	for (date_t t = first; t <= last; t++) {
		int y, m, d;
		date_to_ymd(t, &y, &m, &d);
		assert_true(date_valid(y, m, d));
		int next_day = d == pd + 1 && m == pm && y == py;
		int next_month = d == 1 && m == pm + 1 && y == py;
		int next_year = d == 1 && m == 1 && pm == 12 && y == py + 1;
		if (!(next_day || next_month || next_year))
			fail_msg("day %d is %04d-%02d-%02d after %04d-%02d-%02d", (int)t, y, m, d,
			         py, pm, pd);
		if (date_from_ymd(y, m, d) != t)
			fail_msg("day %d does not round trip", (int)t);
		py = y, pm = m, pd = d;
	}
	assert_int_equal(last - first + 1, 801 * 365 + 195); /* 195 leap days in 1600..2400 */

	/* Far outside, including before year 0. */
	for (date_t t = -2000000; t <= 2000000; t += 997) {
		int y, m, d;
		date_to_ymd(t, &y, &m, &d);
		assert_int_equal(date_from_ymd(y, m, d), t);
	}

	char out[11];
	assert_string_equal(date_format(date_from_ymd(2024, 8, 15), out), "2024-08-15");
	assert_string_equal(date_format(-1, out), "1969-12-31");
}

static void date_age_turns_on_the_birthday_not_the_day_before(void **state)
{
	(void)state;
	date_t birth = date_from_ymd(2004, 5, 17);
	assert_int_equal(date_age(birth, date_from_ymd(2024, 5, 17)), 20);
	assert_int_equal(date_age(birth, date_from_ymd(2024, 5, 16)), 19);
	assert_int_equal(date_age(birth, date_from_ymd(2024, 12, 31)), 20);
	assert_int_equal(date_age(birth, birth), 0);
}

static void date_age_of_29_february_birthday_turns_on_1_march_in_common_years(void **state)
{
	(void)state;
	date_t birth = date_from_ymd(2004, 2, 29);
	assert_int_equal(date_age(birth, date_from_ymd(2005, 2, 28)), 0);
	assert_int_equal(date_age(birth, date_from_ymd(2005, 3, 1)), 1);
	assert_int_equal(date_age(birth, date_from_ymd(2022, 2, 28)), 17);
	assert_int_equal(date_age(birth, date_from_ymd(2022, 3, 1)), 18);
	assert_int_equal(date_age(birth, date_from_ymd(2024, 2, 28)), 19);
	assert_int_equal(date_age(birth, date_from_ymd(2024, 2, 29)), 20);
}

static void date_months_touched_counts_calendar_months_with_a_day_inside(void **state)
{
	(void)state;
	assert_int_equal(
	    date_months_touched(date_from_ymd(2024, 8, 15), date_from_ymd(2025, 6, 15)), 11);
	assert_int_equal(
	    date_months_touched(date_from_ymd(2024, 8, 15), date_from_ymd(2024, 8, 20)), 1);
	assert_int_equal(
	    date_months_touched(date_from_ymd(2024, 8, 15), date_from_ymd(2024, 8, 15)), 1);
	assert_int_equal(date_months_touched(date_from_ymd(2024, 8, 31), date_from_ymd(2024, 9, 1)),
	                 2);
	assert_int_equal(date_months_touched(date_from_ymd(2024, 8, 1), date_from_ymd(2025, 7, 31)),
	                 12);
	assert_int_equal(
	    date_months_touched(date_from_ymd(2025, 6, 15), date_from_ymd(2024, 8, 15)), 0);
}

static void date_months_on_clamps_the_day_and_crosses_years_both_ways(void **state)
{
	(void)state;
	assert_int_equal(date_months_on(date_from_ymd(2024, 1, 31), 1, 31), date_from_ymd(2024, 2, 29));
	assert_int_equal(date_months_on(date_from_ymd(2025, 1, 31), 1, 31), date_from_ymd(2025, 2, 28));
	assert_int_equal(date_months_on(date_from_ymd(2024, 11, 3), 2, 15), date_from_ymd(2025, 1, 15));
	assert_int_equal(date_months_on(date_from_ymd(2025, 2, 10), -3, 15), date_from_ymd(2024, 11, 15));
	assert_int_equal(date_months_on(date_from_ymd(2044, 12, 15), 0, 15), date_from_ymd(2044, 12, 15));
	assert_int_equal(date_month_first(date_from_ymd(2024, 2, 17)), date_from_ymd(2024, 2, 1));
	assert_int_equal(date_month_last(date_from_ymd(2024, 2, 17)), date_from_ymd(2024, 2, 29));
	assert_int_equal(date_month_last(date_from_ymd(2024, 12, 1)), date_from_ymd(2024, 12, 31));
}

static void date_school_year_runs_from_1_august_to_31_july(void **state)
{
	(void)state;
	date_t first = 0, last = 0;
	assert_int_equal(date_school_year("2024-2025", &first, &last), 0);
	assert_int_equal(first, date_from_ymd(2024, 8, 1));
	assert_int_equal(last, date_from_ymd(2025, 7, 31));

	const char *bad[] = {"2024-2026",  "2024-2024", "2025-2024", "2024/2025", "2024-25",
	                     "2024-2025 ", "",          "24-25",     "abcd-abce"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (date_school_year(bad[i], &first, &last) != -1)
			fail_msg("date_school_year accepted \"%s\"", bad[i]);
	assert_int_equal(date_school_year(NULL, &first, &last), -1);
}

static void date_format_timestamp_writes_iso_utc(void **state)
{
	(void)state;
	char out[21];
	assert_string_equal(date_format_timestamp(0, out), "1970-01-01T00:00:00Z");
	/* 19905 days and 12:50:45. */
	assert_string_equal(date_format_timestamp(INT64_C(19905) * 86400 + 46245, out),
	                    "2024-07-01T12:50:45Z");
	assert_string_equal(date_format_timestamp(-1, out), "1969-12-31T23:59:59Z");
}

/* ---- money ---------------------------------------------------------- */

static void money_muldiv_round_rounds_half_away_from_zero_both_signs(void **state)
{
	(void)state;
	assert_int_equal(money_muldiv_round(5, 1, 2), 3);   /* 2.5 */
	assert_int_equal(money_muldiv_round(-5, 1, 2), -3); /* -2.5 */
	assert_int_equal(money_muldiv_round(7, 1, 2), 4);   /* 3.5 */
	assert_int_equal(money_muldiv_round(-7, 1, 2), -4);
	assert_int_equal(money_muldiv_round(1, 1, 2), 1);
	assert_int_equal(money_muldiv_round(-1, 1, 2), -1);
	assert_int_equal(money_muldiv_round(4, 1, 3), 1); /* 1.33 */
	assert_int_equal(money_muldiv_round(5, 1, 3), 2); /* 1.67 */
	assert_int_equal(money_muldiv_round(-4, 1, 3), -1);
	assert_int_equal(money_muldiv_round(-5, 1, 3), -2);
	assert_int_equal(money_muldiv_round(6, 1, 3), 2);
	assert_int_equal(money_muldiv_round(0, 7, 3), 0);
	assert_int_equal(money_muldiv_round(15169000, 40, 100), 6067600);
	assert_int_equal(money_muldiv_round(15169000, 100, 1100), 1379000);
	/* 128-bit intermediate: INT64_MAX * 3 / 3 does not overflow. */
	assert_true(money_muldiv_round(INT64_MAX, 3, 3) == INT64_MAX);
	assert_true(money_muldiv_round(INT64_MIN, 2, 2) == INT64_MIN);
}

static void money_muldiv_floor_rounds_toward_minus_infinity(void **state)
{
	(void)state;
	assert_int_equal(money_muldiv_floor(5, 1, 2), 2);
	assert_int_equal(money_muldiv_floor(-5, 1, 2), -3);
	assert_int_equal(money_muldiv_floor(-4, 1, 2), -2);
	assert_int_equal(money_muldiv_floor(-1, 1, 3), -1);
	assert_int_equal(money_muldiv_floor(2, 1, 3), 0);
}

static void money_format_groups_thousands_per_language(void **state)
{
	(void)state;
	char out[64];
	assert_string_equal(money_format(15169000, LANG_NB, out, sizeof(out)),
	                    "151" NBSP "690" NBSP "kr");
	assert_string_equal(money_format(15169000, LANG_EN, out, sizeof(out)), "NOK 151,690");
	assert_string_equal(money_format(0, LANG_NB, out, sizeof(out)), "0" NBSP "kr");
	assert_string_equal(money_format(99900, LANG_NB, out, sizeof(out)), "999" NBSP "kr");
	assert_string_equal(money_format(100000, LANG_NB, out, sizeof(out)),
	                    "1" NBSP "000" NBSP "kr");
	assert_string_equal(money_format(INT64_C(100000000000), LANG_EN, out, sizeof(out)),
	                    "NOK 1,000,000,000");
	assert_string_equal(money_format(-15169000, LANG_NB, out, sizeof(out)),
	                    "-151" NBSP "690" NBSP "kr");
	assert_string_equal(money_format(-15169000, LANG_EN, out, sizeof(out)), "-NOK 151,690");
}

static void money_format_shows_ore_only_when_not_whole(void **state)
{
	(void)state;
	char out[64];
	assert_string_equal(money_format(50, LANG_NB, out, sizeof(out)), "0,50" NBSP "kr");
	assert_non_null(strstr(out, ",50"));
	assert_string_equal(money_format(50, LANG_EN, out, sizeof(out)), "NOK 0.50");
	assert_string_equal(money_format(15169005, LANG_NB, out, sizeof(out)),
	                    "151" NBSP "690,05" NBSP "kr");
	assert_string_equal(money_format(15169005, LANG_EN, out, sizeof(out)), "NOK 151,690.05");
	/* The most negative amount has no positive counterpart in int64_t. */
	assert_string_equal(money_format(INT64_MIN, LANG_EN, out, sizeof(out)),
	                    "-NOK 92,233,720,368,547,758.08");
}

static void money_format_into_a_small_buffer_truncates_safely(void **state)
{
	(void)state;
	char out[8];
	memset(out, 'x', sizeof(out));
	money_format(15169000, LANG_NB, out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
}

/* ---- nin ------------------------------------------------------------ */

/* The mod-11 check digit as the population register defines it, written
 * here independently of nin.c: -1 when the remainder gives 10. */
static int check_digit(const char *digits, const int *weights, int n)
{
	int sum = 0;
	for (int i = 0; i < n; i++)
		sum += (digits[i] - '0') * weights[i];
	int k = 11 - sum % 11;
	return k == 11 ? 0 : k == 10 ? -1 : k;
}

static const int W1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
static const int W2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};

/* Complete nine digits with both check digits; -1 when none exist. */
static int complete(const char *nine, char out[12])
{
	memcpy(out, nine, 9);
	int k1 = check_digit(out, W1, 9);
	if (k1 < 0)
		return -1;
	out[9] = (char)('0' + k1);
	int k2 = check_digit(out, W2, 10);
	if (k2 < 0)
		return -1;
	out[10] = (char)('0' + k2);
	out[11] = '\0';
	return 0;
}

static void nin_check_digits_follow_the_published_weights(void **state)
{
	(void)state;
	/* 17 05 04 501: born 17 May 2004, individual number 501.
   * k1: 1*3 + 7*7 + 0*6 + 5*1 + 0*8 + 4*9 + 5*4 + 0*5 + 1*2 = 115;
   *     115 mod 11 = 5, 11 - 5 = 6.
   * k2: 1*5 + 7*4 + 0*3 + 5*2 + 0*7 + 4*6 + 5*5 + 0*4 + 1*3 + 6*2 = 107;
   *     107 mod 11 = 8, 11 - 8 = 3. */
	char out[12];
	assert_int_equal(nin_make(date_from_ymd(2004, 5, 17), 501, 0, out), 0);
	assert_string_equal(out, "17050450163");
	date_t birth;
	enum nin_kind kind;
	assert_int_equal(nin_parse("17050450163", &birth, &kind), 0);
	assert_int_equal(birth, date_from_ymd(2004, 5, 17));
	assert_int_equal(kind, NIN_ORDINARY);

	/* The synthetic (Tenor) form adds 80 to the month: 17 85 04 565. */
	assert_int_equal(complete("178504565", out), 0);
	assert_string_equal(out, "17850456585");
	assert_int_equal(nin_parse(out, &birth, &kind), 0);
	assert_int_equal(birth, date_from_ymd(2004, 5, 17));
	assert_int_equal(kind, NIN_SYNTHETIC);
	char made[12];
	assert_int_equal(nin_make(date_from_ymd(2004, 5, 17), 565, 1, made), 0);
	assert_string_equal(made, out);

	/* 17 05 04 565 has no first check digit (remainder gives 10). */
	assert_int_equal(complete("170504565", out), -1);
	assert_int_equal(nin_make(date_from_ymd(2004, 5, 17), 565, 0, made), -1);
}

static void nin_make_then_parse_round_trips_for_ordinary_and_synthetic(void **state)
{
	(void)state;
	static const int years[] = {1950, 1999, 2004, 2010};
	for (size_t yi = 0; yi < sizeof(years) / sizeof(years[0]); yi++) {
		int y = years[yi];
		int made = 0, refused = 0;
		for (date_t t = date_from_ymd(y, 1, 1); t <= date_from_ymd(y, 12, 31); t += 11) {
			for (int ind = 0; ind <= 999; ind += 7) {
				/* 1900s take 000-499 and, from 1940, 900-999; 2000s
         * take 500-999. */
				int fits = y < 2000 ? ind <= 499 || ind >= 900 : ind >= 500;
				for (int synthetic = 0; synthetic <= 1; synthetic++) {
					char out[12];
					int rc = nin_make(t, ind, synthetic, out);
					if (!fits) {
						assert_int_equal(rc, -1);
						continue;
					}
					/* Whether check digits exist is the register's
           * arithmetic, computed here independently. */
					char nine[32], want[12];
					int yy, mm, dd;
					date_to_ymd(t, &yy, &mm, &dd);
					snprintf(nine, sizeof(nine), "%02d%02d%02d%03d", dd,
					         mm + (synthetic ? 80 : 0), yy % 100, ind);
					int exists = complete(nine, want) == 0;
					assert_int_equal(rc, exists ? 0 : -1);
					if (rc != 0) {
						refused++;
						continue;
					}
					made++;
					assert_string_equal(out, want);
					date_t birth;
					enum nin_kind kind;
					assert_int_equal(nin_parse(out, &birth, &kind), 0);
					assert_int_equal(birth, t);
					assert_int_equal(kind,
					                 synthetic ? NIN_SYNTHETIC : NIN_ORDINARY);
				}
			}
		}
		assert_true(made > 0);
		assert_true(refused > 0);
	}
}

static void nin_parse_rejects_any_changed_digit(void **state)
{
	(void)state;
	char good[12];
	assert_int_equal(nin_make(date_from_ymd(1999, 11, 5), 123, 0, good), 0);
	assert_int_equal(nin_parse(good, NULL, NULL), 0);
	for (int i = 0; i < 11; i++)
		for (int dgt = 0; dgt <= 9; dgt++) {
			char bad[12];
			memcpy(bad, good, sizeof(bad));
			if (bad[i] == '0' + dgt)
				continue;
			bad[i] = (char)('0' + dgt);
			if (nin_parse(bad, NULL, NULL) != -1)
				fail_msg("nin_parse accepted %s (changed from %s)", bad, good);
		}
}

static void nin_parse_accepts_d_number_with_day_plus_40(void **state)
{
	(void)state;
	/* Born 5 November 1999, individual 123: day 05 + 40 = 45. */
	char d[12];
	assert_int_equal(complete("451199123", d), 0);
	assert_string_equal(d, "45119912346");
	date_t birth;
	enum nin_kind kind;
	assert_int_equal(nin_parse(d, &birth, &kind), 0);
	assert_int_equal(birth, date_from_ymd(1999, 11, 5));
	assert_int_equal(kind, NIN_D_NUMBER);
}

static void nin_parse_rejects_wrong_length_and_non_digits(void **state)
{
	(void)state;
	const char *bad[] = {"",
	                     "1705045016",
	                     "170504501630",
	                     "1705045016a",
	                     "17050 50163",
	                     "17050450163 ",
	                     "-7050450163",
	                     "1705045o163"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (nin_parse(bad[i], NULL, NULL) != -1)
			fail_msg("nin_parse accepted \"%s\"", bad[i]);
	assert_int_equal(nin_parse(NULL, NULL, NULL), -1);
	/* Valid check digits on a date that does not exist (31 February). */
	char out[12];
	assert_int_equal(complete("310299123", out), 0);
	assert_string_equal(out, "31029912370");
	assert_int_equal(nin_parse(out, NULL, NULL), -1);
}

/* ---- i18n ----------------------------------------------------------- */

static int i18n_setup(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	if (i18n_init(&e) != 0) {
		fprintf(stderr, "i18n_init: %s\n", e.message);
		return -1;
	}
	return 0;
}

/* #9, speed: the split texts (i18n_text_of, i18n_render_text) against
 * the walk of the text (i18n_render_with). Both callbacks write the same
 * thing for a placeholder: its name and format, a count with its noun in
 * agreement (1 and 2 by turns), and leave names beginning with 'v' or 'y'
 * unfilled, so that a placeholder as written shows too. */
static int split_count;

static int render_cb_with(struct buf *b, enum lang lang, const char *name, const char *fmt, void *ctx)
{
	(void)ctx;
	if (name[0] == 'v' || name[0] == 'y')
		return 1;
	if (strncmp(fmt, "count=", 6) == 0)
		return i18n_put_count(b, lang, fmt + 6, 1 + (split_count++ % 2));
	return buf_printf(b, "<%s|%s>", name, fmt);
}

static int render_cb_text(struct buf *b, enum lang lang, const struct i18n_piece *pc, void *ctx)
{
	(void)ctx;
	if (pc->name[0] == 'v' || pc->name[0] == 'y')
		return 1;
	if (pc->fmt == I18N_FMT_COUNT) {
		int n = 1 + (split_count++ % 2);
		if (buf_put_i64(b, n) != 0 || buf_putc(b, ' ') != 0)
			return -1;
		return n == 1 ? buf_append(b, pc->one[lang], pc->one_len[lang])
			      : buf_append(b, pc->other[lang], pc->other_len[lang]);
	}
	return buf_printf(b, "<%s|%s>", pc->name, pc->format);
}

static void i18n_split_texts_render_as_the_texts_do(void **state)
{
	(void)state;
	struct buf with, text;
	buf_init(&with, 1 << 16);
	buf_init(&text, 1 << 16);
	size_t keys = 0, placeholders = 0;
	for (int cl = 0; cl < LANG_COUNT; cl++) {
		const char *key;
		for (size_t i = 0; (key = i18n_key_at((enum lang)cl, i)) != NULL; i++) {
			for (int l = 0; l < LANG_COUNT; l++) {
				const struct i18n_text *t = i18n_text_of((enum lang)l, key);
				assert_non_null(t);
				assert_ptr_equal(t->text, i18n_get((enum lang)l, key));
				assert_int_equal(t->len, strlen(t->text));
				buf_reset(&with);
				buf_reset(&text);
				split_count = 0;
				assert_int_equal(i18n_render_with(&with, (enum lang)l, key, render_cb_with, NULL), 0);
				split_count = 0;
				assert_int_equal(i18n_render_text(&text, (enum lang)l, t, render_cb_text, NULL), 0);
				if (strcmp(buf_str(&with), buf_str(&text)) != 0)
					fail_msg("%s (%s): \"%s\" split gives \"%s\"", key, i18n_lang_code((enum lang)l),
						 buf_str(&with), buf_str(&text));
				for (size_t k = 0; k < t->n; k++)
					placeholders += t->pieces[k].raw != NULL;
				keys++;
			}
		}
	}
	/* The catalogues hold many texts with placeholders. */
	assert_true(keys > 500);
	assert_true(placeholders > 100);
	assert_null(i18n_text_of(LANG_EN, "no.such.key"));
	buf_cleanup(&with);
	buf_cleanup(&text);
}

static void i18n_put_day_writes_what_i18n_put_date_writes(void **state)
{
	(void)state;
	struct buf a, b;
	buf_init(&a, 256);
	buf_init(&b, 256);
	/* Every day from 1795 to 3005 (both edges of date_parse's years), and
	 * days far outside them. */
	date_t from = date_from_ymd(1795, 1, 1), to = date_from_ymd(3005, 12, 31);
	date_t far[] = {date_from_ymd(-5, 3, 1), date_from_ymd(12000, 1, 1), 0, -1};
	for (date_t t = from; t <= to + 4; t++) {
		date_t d = t <= to ? t : far[t - to - 1];
		for (int l = 0; l < LANG_COUNT; l++) {
			char iso[11];
			buf_reset(&a);
			buf_reset(&b);
			assert_int_equal(i18n_put_date(&a, (enum lang)l, date_format(d, iso)), 0);
			assert_int_equal(i18n_put_day(&b, (enum lang)l, d), 0);
			if (strcmp(buf_str(&a), buf_str(&b)) != 0)
				fail_msg("%s: \"%s\" against \"%s\"", iso, buf_str(&a), buf_str(&b));
		}
	}
	buf_cleanup(&a);
	buf_cleanup(&b);
}

static void i18n_init_succeeds_and_is_idempotent(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	assert_int_equal(i18n_init(&e), 0);
	assert_int_equal(i18n_init(&e), 0);
}

static void i18n_get_gives_each_language_its_own_text(void **state)
{
	(void)state;
	const char *nb = i18n_get(LANG_NB, "outcome.granted");
	const char *en = i18n_get(LANG_EN, "outcome.granted");
	assert_string_equal(nb, "Innvilget");
	assert_string_equal(en, "Granted");
	assert_string_not_equal(nb, en);
}

static void i18n_get_of_a_missing_key_returns_the_key(void **state)
{
	(void)state;
	assert_string_equal(i18n_get(LANG_NB, "no.such.key"), "no.such.key");
	assert_string_equal(i18n_get(LANG_EN, "no.such.key"), "no.such.key");
}

static void i18n_lang_parse_maps_tags_to_catalogues(void **state)
{
	(void)state;
	enum lang l = LANG_COUNT;
	assert_int_equal(i18n_lang_parse("nb-NO", &l), 0);
	assert_int_equal(l, LANG_NB);
	assert_int_equal(i18n_lang_parse("en-GB", &l), 0);
	assert_int_equal(l, LANG_EN);
	assert_int_equal(i18n_lang_parse("nb", &l), 0);
	assert_int_equal(l, LANG_NB);
	assert_int_equal(i18n_lang_parse("no", &l), 0);
	assert_int_equal(l, LANG_NB);
	assert_int_equal(i18n_lang_parse("en", &l), 0);
	assert_int_equal(l, LANG_EN);
	assert_int_equal(i18n_lang_parse("de", &l), -1);
	assert_int_equal(i18n_lang_parse("eng", &l), -1);
	assert_int_equal(i18n_lang_parse("", &l), -1);
	assert_int_equal(i18n_lang_parse(NULL, &l), -1);
	assert_string_equal(i18n_lang_code(LANG_NB), "nb");
	assert_string_equal(i18n_lang_code(LANG_EN), "en");
}

static void i18n_render_fills_names_and_formats_money(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	json_t *args =
	    json_pack("{s:s, s:I, s:i}", "name", "Kari", "x", (json_int_t)15169000, "months", 11);
	/* A key missing from the catalogues is its own text, so a key can
   * carry a template of its own. */
	assert_int_equal(i18n_render(&b, LANG_NB, "Hei {name}, du får {x:money}.", args), 0);
	assert_string_equal(buf_str(&b), "Hei Kari, du får 151" NBSP "690" NBSP "kr.");
	buf_reset(&b);
	assert_int_equal(i18n_render(&b, LANG_EN, "{name} gets {x:money}", args), 0);
	assert_string_equal(buf_str(&b), "Kari gets NOK 151,690");

	/* And a catalogue text. */
	json_t *step = json_pack("{s:i, s:I}", "months", 11, "value", (json_int_t)15169000);
	buf_reset(&b);
	assert_int_equal(i18n_render(&b, LANG_NB, "rule.basic-loan.full", step), 0);
	assert_string_equal(buf_str(&b), "Fulltidsstudier i 11 måneder gir fullt basislån: 151" NBSP
	                                 "690" NBSP "kr.");
	buf_reset(&b);
	assert_int_equal(i18n_render(&b, LANG_EN, "rule.basic-loan.full", step), 0);
	assert_string_equal(
	    buf_str(&b), "Full-time study for 11 months gives the full basic loan: NOK 151,690.");
	json_decref(step);
	json_decref(args);
	buf_cleanup(&b);
}

static void i18n_render_leaves_an_unknown_placeholder_visible(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	json_t *args = json_pack("{s:s}", "name", "Kari");
	assert_int_equal(i18n_render(&b, LANG_NB, "{name} {unknown} {amount:money} end", args), 0);
	assert_string_equal(buf_str(&b), "Kari {unknown} {amount:money} end");
	buf_reset(&b);
	assert_int_equal(i18n_render(&b, LANG_NB, "no args {name}", NULL), 0);
	assert_string_equal(buf_str(&b), "no args {name}");
	json_decref(args);
	buf_cleanup(&b);
}

static void i18n_render_agrees_counts_and_words_codes(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	json_t *one = json_pack("{s:i,s:s}", "n", 1, "relief_ground", "work-assessment-allowance");
	json_t *two = json_pack("{s:i}", "n", 2);
	assert_int_equal(i18n_render(&b, LANG_EN, "{n:count=month}, {n:count=child}", one), 0);
	assert_string_equal(buf_str(&b), "1 month, 1 child");
	buf_reset(&b);
	assert_int_equal(i18n_render(&b, LANG_EN, "{n:count=month}, {n:count=child}", two), 0);
	assert_string_equal(buf_str(&b), "2 months, 2 children");
	buf_reset(&b);
	assert_int_equal(i18n_render(&b, LANG_NB, "{n:count=month}", two), 0);
	assert_string_equal(buf_str(&b), "2 måneder");
	buf_reset(&b);
	/* A code is shown in words, never as the code. */
	assert_int_equal(i18n_render(&b, LANG_NB, "{relief_ground:label}", one), 0);
	assert_string_equal(buf_str(&b), "arbeidsavklaringspenger");
	buf_reset(&b);
	assert_int_equal(i18n_render(&b, LANG_EN, "{relief_ground:label}", one), 0);
	assert_string_equal(buf_str(&b), "work assessment allowance");
	json_decref(one);
	json_decref(two);
	buf_cleanup(&b);
}

static void i18n_put_date_writes_the_date_as_each_language_does(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 256);
	assert_int_equal(i18n_put_date(&b, LANG_NB, "2024-08-15"), 0);
	assert_string_equal(buf_str(&b), "15.08.2024");
	buf_reset(&b);
	assert_int_equal(i18n_put_date(&b, LANG_EN, "2024-08-15"), 0);
	assert_string_equal(buf_str(&b), "15 August 2024");
	buf_reset(&b);
	assert_int_equal(i18n_put_date(&b, LANG_EN, "soon"), 0);
	assert_string_equal(buf_str(&b), "soon");
	buf_cleanup(&b);
}

/* A stop signal sent to the process while other threads run (a server's
 * writer, workers, job runners) is taken by the waiting main thread: the
 * others block it, having been started after stop_signals_block(). With a
 * handler and pause() the signal could go to another thread and leave main
 * paused for ever. Run many times: the kernel picks a thread each time. */
static void *busy(void *arg)
{
	volatile int *done = arg;
	while (!*done)
		usleep(100);
	return NULL;
}

static void a_stop_signal_wakes_the_main_thread_whatever_other_threads_run(void **state)
{
	(void)state;
	assert_int_equal(stop_signals_block(), 0);
	for (int round = 0; round < 50; round++) {
		volatile int done = 0;
		pthread_t t[4];
		for (int i = 0; i < 4; i++)
			assert_int_equal(pthread_create(&t[i], NULL, busy, (void *)&done), 0);
		int sig = round % 2 ? SIGINT : SIGTERM;
		assert_int_equal(kill(getpid(), sig), 0);
		assert_int_equal(stop_signals_wait(), sig);
		done = 1;
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(arena_many_allocations_across_chunks_keep_their_content),
	    cmocka_unit_test(arena_big_allocation_beyond_chunk_size_is_usable),
	    cmocka_unit_test(arena_strdup_and_printf_copy_into_the_arena),
	    cmocka_unit_test(arena_reset_keeps_working_for_new_allocations),
	    cmocka_unit_test(buf_append_past_max_fails_and_leaves_content_unaltered),
	    cmocka_unit_test(buf_with_limit_size_max_grows_without_overflow),
	    cmocka_unit_test(buf_printf_and_take_hand_over_the_text),
	    cmocka_unit_test(buf_put_html_escapes_the_five_special_characters),
	    cmocka_unit_test(buf_put_json_string_escapes_quotes_backslash_and_control_chars),
	    cmocka_unit_test(buf_put_json_real_writes_the_shortest_text),
	    cmocka_unit_test(date_parse_accepts_leap_day_and_rejects_malformed_text),
	    cmocka_unit_test(date_parse_timestamp_takes_a_day_or_a_moment_in_utc),
	    cmocka_unit_test(date_parse_input_reads_a_norwegian_date_or_iso),
	    cmocka_unit_test(date_format_input_writes_what_date_parse_input_reads),
	    cmocka_unit_test(date_from_ymd_and_to_ymd_round_trip_over_a_wide_range),
	    cmocka_unit_test(date_age_turns_on_the_birthday_not_the_day_before),
	    cmocka_unit_test(date_age_of_29_february_birthday_turns_on_1_march_in_common_years),
	    cmocka_unit_test(date_months_touched_counts_calendar_months_with_a_day_inside),
	    cmocka_unit_test(date_months_on_clamps_the_day_and_crosses_years_both_ways),
	    cmocka_unit_test(date_school_year_runs_from_1_august_to_31_july),
	    cmocka_unit_test(date_format_timestamp_writes_iso_utc),
	    cmocka_unit_test(money_muldiv_round_rounds_half_away_from_zero_both_signs),
	    cmocka_unit_test(money_muldiv_floor_rounds_toward_minus_infinity),
	    cmocka_unit_test(money_format_groups_thousands_per_language),
	    cmocka_unit_test(money_format_shows_ore_only_when_not_whole),
	    cmocka_unit_test(money_format_into_a_small_buffer_truncates_safely),
	    cmocka_unit_test(nin_check_digits_follow_the_published_weights),
	    cmocka_unit_test(nin_make_then_parse_round_trips_for_ordinary_and_synthetic),
	    cmocka_unit_test(nin_parse_rejects_any_changed_digit),
	    cmocka_unit_test(nin_parse_accepts_d_number_with_day_plus_40),
	    cmocka_unit_test(nin_parse_rejects_wrong_length_and_non_digits),
	    cmocka_unit_test(i18n_init_succeeds_and_is_idempotent),
	    cmocka_unit_test(i18n_split_texts_render_as_the_texts_do),
	    cmocka_unit_test(i18n_put_day_writes_what_i18n_put_date_writes),
	    cmocka_unit_test(i18n_get_gives_each_language_its_own_text),
	    cmocka_unit_test(i18n_get_of_a_missing_key_returns_the_key),
	    cmocka_unit_test(i18n_lang_parse_maps_tags_to_catalogues),
	    cmocka_unit_test(i18n_render_fills_names_and_formats_money),
	    cmocka_unit_test(i18n_render_leaves_an_unknown_placeholder_visible),
	    cmocka_unit_test(i18n_render_agrees_counts_and_words_codes),
	    cmocka_unit_test(i18n_put_date_writes_the_date_as_each_language_does),
	    cmocka_unit_test(a_stop_signal_wakes_the_main_thread_whatever_other_threads_run),
	};
	return cmocka_run_group_tests_name("core", tests, i18n_setup, NULL);
}
