/* test_payout.c - unit tests of the payout's pure parts: Norway's public
 * holidays and the payday rule (core/holidays.h), the account number's
 * MOD11 check, and the plan's split of awards into months, which must sum
 * to the awards to the øre for every decision.
 *
 * The pain.001 file is checked against the schema while it is written
 * (a thread reading a pipe): a file of many payments passes, and one with a
 * creditor's name longer than the schema's 140 characters is refused by
 * line, whatever the writer wrote after it.
 *
 * Expected dates are from the almanac (Easter 2025 on 20 April, 2022 on
 * 17 April), not from the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/date.h"
#include "core/err.h"
#include "core/holidays.h"
#include "payout/internal.h"
#include "payout/payout.h"

static date_t d(int y, int m, int day)
{
	return date_from_ymd(y, m, day);
}

static void easter_falls_on_the_almanacs_sundays(void **state)
{
	(void)state;
	assert_int_equal(holiday_easter(2025), d(2025, 4, 20));
	assert_int_equal(holiday_easter(2024), d(2024, 3, 31));
	assert_int_equal(holiday_easter(2022), d(2022, 4, 17));
	assert_int_equal(holiday_easter(2026), d(2026, 4, 5));
	assert_int_equal(holiday_easter(2000), d(2000, 4, 23));
	assert_int_equal(holiday_easter(2038), d(2038, 4, 25)); /* the latest it comes this century */
	assert_int_equal(holiday_easter(2008), d(2008, 3, 23));
}

static void the_public_holidays_of_2025_are_the_laws_list(void **state)
{
	(void)state;
	const date_t holidays[] = {d(2025, 1, 1),  d(2025, 4, 17), d(2025, 4, 18), d(2025, 4, 20),
				   d(2025, 4, 21), d(2025, 5, 1),  d(2025, 5, 17), d(2025, 5, 29),
				   d(2025, 6, 8),  d(2025, 6, 9),  d(2025, 12, 25), d(2025, 12, 26)};
	int n = 0;
	for (date_t t = d(2025, 1, 1); t <= d(2025, 12, 31); t++)
		if (holiday_is_public(t)) {
			assert_true(n < 12);
			assert_int_equal(t, holidays[n]);
			n++;
		}
	assert_int_equal(n, 12);
	assert_false(holiday_is_public(d(2025, 12, 24))); /* Christmas Eve is no public holiday */
	assert_false(holiday_is_public(d(2025, 4, 16)));
}

static void a_banking_day_is_a_weekday_that_is_no_holiday(void **state)
{
	(void)state;
	assert_true(holiday_is_banking_day(d(2025, 5, 16)));  /* Friday */
	assert_false(holiday_is_banking_day(d(2025, 5, 17))); /* Saturday and Constitution Day */
	assert_false(holiday_is_banking_day(d(2025, 5, 18))); /* Sunday */
	assert_false(holiday_is_banking_day(d(2025, 5, 29))); /* Ascension, a Thursday */
	assert_true(holiday_is_banking_day(d(2025, 5, 30)));
	assert_false(holiday_is_banking_day(d(2025, 12, 25)));
}

static void payday_is_the_15th_or_the_banking_day_before(void **state)
{
	(void)state;
	assert_int_equal(holiday_payday(2025, 5), d(2025, 5, 15));   /* a Thursday */
	assert_int_equal(holiday_payday(2025, 3), d(2025, 3, 14));   /* the 15th a Saturday */
	assert_int_equal(holiday_payday(2025, 6), d(2025, 6, 13));   /* the 15th a Sunday */
	assert_int_equal(holiday_payday(2024, 12), d(2024, 12, 13)); /* Sunday: Friday before */
	/* 2022: Good Friday on the 15th, Maundy Thursday on the 14th. */
	assert_int_equal(holiday_payday(2022, 4), d(2022, 4, 13));
	assert_int_equal(holiday_payday(2025, 4), d(2025, 4, 15)); /* Tuesday before Easter */
}

static void an_account_number_needs_eleven_digits_and_its_mod11_check_digit(void **state)
{
	(void)state;
	struct err e;
	/* 1 2 3 4 5 6 7 8 9 0 weighted 5 4 3 2 7 6 5 4 3 2 sum to 195;
	 * 195 mod 11 = 8, 11 - 8 = 3. */
	assert_int_equal(payout_account_check("12345678903", &e), 0);
	assert_int_equal(payout_account_check("12345678904", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "account");
	assert_int_equal(payout_account_check("1234567890", &e), -1);
	assert_int_equal(payout_account_check("1234567890a", &e), -1);
	assert_int_equal(payout_account_check(NULL, &e), -1);
	/* A remainder of 1 leaves no digit: such a number is never valid. */
	int rejected_all = 1;
	for (int last = 0; last <= 9; last++) {
		char n[12];
		snprintf(n, sizeof(n), "0000000001%d", last); /* weight 2: sum 2, 11 - 2 = 9 */
		if (last != 9)
			rejected_all &= payout_account_check(n, &e) == -1;
		else
			assert_int_equal(payout_account_check(n, &e), 0);
	}
	assert_true(rejected_all);
}

static void a_split_sums_to_the_amount_with_the_remainder_last(void **state)
{
	(void)state;
	int64_t parts[PAYOUT_MAX_MONTHS];
	payout_split(15169000, 11, parts);
	for (int i = 0; i < 10; i++)
		assert_int_equal(parts[i], 1379000);
	assert_int_equal(parts[10], 1379000);
	payout_split(100, 3, parts);
	assert_int_equal(parts[0], 33);
	assert_int_equal(parts[1], 33);
	assert_int_equal(parts[2], 34);
}

/* The property: for many generated decisions, every award paid monthly or
 * at once, the plan sums exactly to the awards, per kind, and never plans
 * a negative month. */
static void every_plan_sums_to_its_awards_to_the_ore(void **state)
{
	(void)state;
	srand(20250420);
	for (int round = 0; round < 5000; round++) {
		json_t *awards = json_array();
		int64_t loan = 0, grant = 0;
		int n = rand() % 5;
		for (int i = 0; i < n; i++) {
			int is_loan = rand() % 2;
			int64_t amount = (int64_t)(rand() % 20000000) + (rand() % 3 == 0 ? 0 : 1);
			int months = rand() % 13; /* 0: paid at once */
			json_t *aw = json_pack("{s:s,s:s,s:I}", "name", is_loan ? "basic-loan" : "boarding-grant", "kind",
					       is_loan ? "loan" : "grant", "amount", (json_int_t)amount);
			if (months)
				json_object_set_new(aw, "months", json_integer(months));
			json_array_append_new(awards, aw);
			(is_loan ? &loan : &grant)[0] += amount;
		}
		json_array_append_new(awards, json_pack("{s:s,s:s,s:i}", "name", "deferral", "kind", "deferral", "months", 3));
		json_t *decision = json_pack("{s:o}", "awards", awards);
		struct payout_plan p;
		struct err e;
		assert_int_equal(payout_plan_decision(decision, d(2024, 8, 15), &p, &e), 0);
		int64_t sl = 0, sg = 0;
		for (int m = 0; m < p.n; m++) {
			assert_true(p.loan[m] >= 0 && p.grant[m] >= 0);
			sl += p.loan[m];
			sg += p.grant[m];
		}
		assert_int_equal(sl, loan);
		assert_int_equal(sg, grant);
		assert_int_equal(p.loan_total, loan);
		assert_int_equal(p.grant_total, grant);
		assert_int_equal(p.first_month, 8);
		json_decref(decision);
	}
}

static void a_malformed_award_is_refused_naming_the_field(void **state)
{
	(void)state;
	struct payout_plan p;
	struct err e;
	json_t *dec = json_loads("{\"awards\":[{\"kind\":\"loan\",\"amount\":-1}]}", 0, NULL);
	assert_int_equal(payout_plan_decision(dec, d(2024, 8, 15), &p, &e), -1);
	assert_string_equal(e.field, "awards.amount");
	json_decref(dec);
	dec = json_loads("{\"awards\":[{\"kind\":\"grant\",\"amount\":100,\"months\":99}]}", 0, NULL);
	assert_int_equal(payout_plan_decision(dec, d(2024, 8, 15), &p, &e), -1);
	assert_string_equal(e.field, "awards.months");
	json_decref(dec);
}

/* Write n payments with the check reading along; name_at gets a name one
 * character over the schema's limit when it is >= 0. Returns the check's
 * verdict, e filled. */
static int write_checked(const char *path, int n, int name_at, struct err *e)
{
	char sha[65], long_name[142];
	memset(long_name, 'K', 141);
	long_name[141] = '\0';
	struct pain001_check *c = pain001_check_start(e);
	assert_non_null(c);
	struct pain001_writer *w =
	    pain001_open(path, "LK20240902-test", 1725253200, n, (int64_t)n * 150000, d(2024, 9, 2), pain001_check_fd(c), e);
	assert_non_null(w);
	for (int i = 0; i < n; i++) {
		char id[24];
		snprintf(id, sizeof(id), "P%d", i + 1);
		assert_int_equal(pain001_add(w, id, i == name_at ? long_name : "Kari Nordmann & co <test>", "15030012345",
					     150000, "Utbetaling fra Lanekassen 2024-09-02", e),
				 0);
	}
	assert_int_equal(pain001_close(w, sha, e), 0);
	assert_int_equal((int)strlen(sha), 64);
	int rc = pain001_check_finish(c, e);
	unlink(path);
	return rc;
}

static void the_file_is_checked_against_the_schema_as_it_is_written(void **state)
{
	(void)state;
	struct err e;
	char path[] = "/tmp/stipend-pain001-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* Twenty thousand payments: megabytes through the pipe, so the writer
	 * waits on the reader many times over. */
	assert_int_equal(write_checked(path, 20000, -1, &e), 0);
	assert_int_equal(write_checked(path, 20000, 7, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "file");
	assert_non_null(strstr(e.message, "not valid pain.001.001.03 (line"));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(easter_falls_on_the_almanacs_sundays),
	    cmocka_unit_test(the_public_holidays_of_2025_are_the_laws_list),
	    cmocka_unit_test(a_banking_day_is_a_weekday_that_is_no_holiday),
	    cmocka_unit_test(payday_is_the_15th_or_the_banking_day_before),
	    cmocka_unit_test(an_account_number_needs_eleven_digits_and_its_mod11_check_digit),
	    cmocka_unit_test(a_split_sums_to_the_amount_with_the_remainder_last),
	    cmocka_unit_test(every_plan_sums_to_its_awards_to_the_ore),
	    cmocka_unit_test(a_malformed_award_is_refused_naming_the_field),
	    cmocka_unit_test(the_file_is_checked_against_the_schema_as_it_is_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
