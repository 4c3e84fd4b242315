/* test_institution.c - unit tests of the institutions' workspace's pure
 * parts: the organisation number's MOD11 check digit (worked by hand in the
 * comments, as Brønnøysundregistrene define it), and reading a CSV file of
 * reports (header in any order, commas or semicolons, quotes, CRLF, a
 * byte-order mark, empty lines counted, broken lines named by number). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "institution/institution.h"
#include "registers/registers.h"

/* 97460000x: 9*3 + 7*2 + 4*7 + 6*6 + 0*5 + 0*4 + 0*3 + 0*2 = 27 + 14 + 28 +
 * 36 = 105; 105 mod 11 = 6; 11 - 6 = 5, so 974600005. 97460137x: 27 + 14 +
 * 28 + 36 + 0 + 4 + 9 + 14 = 132 = 12 * 11, remainder 0: the check digit is
 * 0 (11 - 0 = 11 becomes 0). */
static void orgnr_check_digit_as_bronnoysund(void **state)
{
	(void)state;
	assert_true(inst_orgnr_valid("974600005"));
	assert_false(inst_orgnr_valid("974600006"));
	assert_true(reg_orgnr_valid("974601370"));
	assert_false(reg_orgnr_valid("974601371"));
	assert_false(inst_orgnr_valid("97460000"));
	assert_false(inst_orgnr_valid("9746000050"));
	assert_false(inst_orgnr_valid("97460000a"));
	assert_false(inst_orgnr_valid(NULL));
}

/* 97460001x: 105 + 1*2 = 107, 107 mod 11 = 8, 11 - 8 = 3 (974600013);
 * 97460005x: 105 + 10 = 115, mod 11 = 5, digit 6; 97460004x: 105 + 8 = 113,
 * mod 11 = 3, digit 8; 97460009x: 105 + 18 = 123, mod 11 = 2, digit 9. And
 * 97460003x: 105 + 6 = 111, mod 11 = 1, so the digit would be 10: no
 * organisation number begins 97460003. */
static void orgnr_without_a_check_digit_is_never_valid(void **state)
{
	(void)state;
	assert_true(inst_orgnr_valid("974600013"));
	assert_true(inst_orgnr_valid("974600056"));
	assert_true(inst_orgnr_valid("974600048"));
	assert_true(inst_orgnr_valid("974600099"));
	for (char d = '0'; d <= '9'; d++) {
		char s[10] = "97460003x";
		s[8] = d;
		assert_false(inst_orgnr_valid(s));
	}
}

static void csv_reads_the_header_in_any_order_with_semicolons_quotes_and_crlf(void **state)
{
	(void)state;
	struct arena a;
	struct inst_report *items;
	struct inst_result res;
	arena_init(&a, 0);
	const char text[] = "\xEF\xBB\xBF"
	                    "period;credits;nin;kind\r\n"
	                    "2024-autumn;\"7,5\";01010812345;credits\r\n"
	                    "\r\n"
	                    "\"2024-2025\" ; ; 01010812346 ;\"atten\"\"dance\"\r\n";
	int n = inst_csv_read(text, sizeof(text) - 1, &items, &res, &a);
	assert_int_equal(n, 2);
	assert_int_equal(res.n_problems, 0);
	assert_string_equal(items[0].nin, "01010812345");
	assert_string_equal(items[0].kind, "credits");
	assert_string_equal(items[0].period, "2024-autumn");
	assert_string_equal(items[0].credits, "7,5");
	assert_null(items[0].date);
	assert_int_equal(items[0].line, 2);
	assert_string_equal(items[1].nin, "01010812346");
	assert_string_equal(items[1].kind, "atten\"dance");
	assert_string_equal(items[1].period, "2024-2025");
	assert_string_equal(items[1].credits, "");
	assert_int_equal(items[1].line, 4); /* the empty line is counted */
	arena_cleanup(&a);
}

static void csv_names_each_broken_line_and_reads_the_rest(void **state)
{
	(void)state;
	struct arena a;
	struct inst_report *items;
	struct inst_result res;
	arena_init(&a, 0);
	const char text[] = "nin,kind,period\n"
	                    "01010812345,attendance,2024-2025\n"
	                    "01010812345,attendance\n"
	                    "\"01010812345,attendance,2024-2025\n"
	                    "01010812346,attendance,2024-2025,extra\n"
	                    "01010812347,attendance,2024-2025";
	int n = inst_csv_read(text, sizeof(text) - 1, &items, &res, &a);
	assert_int_equal(n, 2);
	assert_int_equal(items[1].line, 6);
	assert_int_equal(res.n_problems, 3);
	assert_int_equal(res.problems[0].line, 3);
	assert_string_equal(res.problems[0].code, "csv.fields");
	assert_int_equal(res.problems[1].line, 4);
	assert_string_equal(res.problems[1].code, "csv.quote");
	assert_int_equal(res.problems[2].line, 5);
	assert_string_equal(res.problems[2].column, "line");
	arena_cleanup(&a);
}

static void csv_without_a_required_header_column_is_refused_whole(void **state)
{
	(void)state;
	struct arena a;
	struct inst_report *items;
	struct inst_result res;
	arena_init(&a, 0);
	const char text[] = "nin,date\n01010812345,2024-08-19\n";
	assert_int_equal(inst_csv_read(text, sizeof(text) - 1, &items, &res, &a), -1);
	assert_int_equal(res.n_problems, 2);
	assert_string_equal(res.problems[0].column, "kind");
	assert_string_equal(res.problems[1].column, "period");
	assert_int_equal(res.problems[0].line, 1);
	assert_int_equal(inst_csv_read("\n\n", 2, &items, &res, &a), -1);
	assert_string_equal(res.problems[0].code, "csv.empty");
	arena_cleanup(&a);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(orgnr_check_digit_as_bronnoysund),
	    cmocka_unit_test(orgnr_without_a_check_digit_is_never_valid),
	    cmocka_unit_test(csv_reads_the_header_in_any_order_with_semicolons_quotes_and_crlf),
	    cmocka_unit_test(csv_names_each_broken_line_and_reads_the_rest),
	    cmocka_unit_test(csv_without_a_required_header_column_is_refused_whole),
	};
	return cmocka_run_group_tests_name("institution", tests, NULL, NULL);
}
