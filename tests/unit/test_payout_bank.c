/* test_payout_bank.c - the simulated bank books a credit two or three
 * banking days after the payment date (#10), skipping weekends and
 * Norway's public holidays, and stipend reads each booking's day from the
 * camt.054 it reports. The bank (sim/bank.c) runs in-process; the
 * notifications are parsed by the payout room's own reader (bank_parse).
 *
 * Expected days are counted on the almanac: Easter 2025 is 20 April, so
 * Maundy Thursday 17, Good Friday 18 and Easter Monday 21 April are
 * holidays; 2 September 2024 is a Monday. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "payout/internal.h"
#include "sim/bank.h"
#include "sim/synth.h"

#define PERSONS 60
#define SEED 7

/* A pain.001.001.03 file of n transfers executed on exec, each to an open
 * account of the simulated population, with end-to-end ids P<base+i>. */
static void payment_file(struct buf *b, const char *msg_id, const char *exec, int base, int n)
{
	buf_reset(b);
	buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
		      "pain.001.001.03\"><CstmrCdtTrfInitn><GrpHdr><MsgId>%s</MsgId><CreDtTm>2024-01-01T00:00:00"
		      "</CreDtTm><NbOfTxs>%d</NbOfTxs></GrpHdr><PmtInf><PmtInfId>%s</PmtInfId><PmtMtd>TRF</PmtMtd>"
		      "<ReqdExctnDt>%s</ReqdExctnDt>",
		   msg_id, n, msg_id, exec);
	int made = 0;
	for (int64_t i = 0; i < PERSONS && made < n; i++) {
		struct synth_person p;
		assert_int_equal(synth_person(SEED, i, &p), 0);
		if (p.account[0] == '\0')
			continue;
		buf_printf(b, "<CdtTrfTxInf><PmtId><EndToEndId>P%d</EndToEndId></PmtId><Amt><InstdAmt Ccy=\"NOK\">"
			      "100.00</InstdAmt></Amt><CdtrAcct><Id><Othr><Id>%s</Id></Othr></Id></CdtrAcct>"
			      "</CdtTrfTxInf>",
			   base + made, p.account);
		made++;
	}
	assert_int_equal(made, n);
	buf_puts(b, "</PmtInf></CstmrCdtTrfInitn></Document>\n");
}

/* The bookings the bank reports up to day whose ids lie in [base, base+n). */
static int booked_by(const char *day, int base, int n, const char **days, struct arena *a)
{
	struct buf out;
	struct err e;
	struct bank_status *st;
	buf_init(&out, 1 << 24);
	assert_int_equal(bank_answer("GET", "/bank/v1/notifications", day, NULL, 0, &out, PERSONS, SEED, 0), 200);
	int k = bank_parse("camt.054", out.p, out.len, &st, a, &e);
	assert_true(k >= 0);
	int found = 0;
	for (int i = 0; i < k; i++) {
		int id = (int)strtol(st[i].end_to_end + 1, NULL, 10);
		if (id < base || id >= base + n)
			continue;
		assert_string_equal(st[i].status, "BOOK");
		assert_non_null(st[i].booked);
		days[id - base] = arena_strdup(a, st[i].booked);
		found++;
	}
	buf_cleanup(&out);
	return found;
}

static void send(const char *msg_id, const char *exec, int base, int n)
{
	struct buf file, out;
	buf_init(&file, 1 << 24);
	buf_init(&out, 1 << 24);
	payment_file(&file, msg_id, exec, base, n);
	assert_int_equal(bank_answer("POST", "/bank/v1/payments", NULL, file.p, file.len, &out, PERSONS, SEED, 0), 200);
	assert_non_null(strstr(out.p, "<GrpSts>ACCP</GrpSts>"));
	buf_cleanup(&file);
	buf_cleanup(&out);
}

static void a_credit_is_booked_two_or_three_banking_days_after_the_payment_date(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1 << 16);
	const char *days[20] = {0};
	send("T-MONDAY", "2024-09-02", 1000, 20);
	/* Nothing on the account on the day, nor the day after. */
	assert_int_equal(booked_by("2024-09-03", 1000, 20, days, &a), 0);
	/* By Thursday the 5th every one is there, each on the 4th or the 5th,
	 * and both happen. */
	assert_int_equal(booked_by("2024-09-05", 1000, 20, days, &a), 20);
	int two = 0, three = 0;
	for (int i = 0; i < 20; i++) {
		two += strcmp(days[i], "2024-09-04") == 0;
		three += strcmp(days[i], "2024-09-05") == 0;
	}
	assert_int_equal(two + three, 20);
	assert_true(two > 0 && three > 0);
	arena_cleanup(&a);
}

static void easter_holds_a_credit_back_over_the_holidays(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1 << 16);
	const char *days[20] = {0};
	/* Tuesday 15 April 2025: Wednesday 16th is the first banking day
	 * after it; Thursday, Friday, the weekend and Easter Monday are none;
	 * Tuesday 22nd is the second and Wednesday 23rd the third. */
	send("T-EASTER", "2025-04-15", 2000, 20);
	assert_int_equal(booked_by("2025-04-21", 2000, 20, days, &a), 0);
	assert_int_equal(booked_by("2025-04-23", 2000, 20, days, &a), 20);
	for (int i = 0; i < 20; i++)
		assert_true(strcmp(days[i], "2025-04-22") == 0 || strcmp(days[i], "2025-04-23") == 0);
	arena_cleanup(&a);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_credit_is_booked_two_or_three_banking_days_after_the_payment_date),
	    cmocka_unit_test(easter_holds_a_credit_back_over_the_holidays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
