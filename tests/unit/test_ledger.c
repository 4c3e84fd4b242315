/* test_ledger.c - unit tests of src/ledger: balanced entries on the fixed
 * chart of accounts, a person's debt as the sum of their postings on a day,
 * and the check that finds an entry or a debt that does not add up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "loans/account.h"
#include "loans/interest.h"
#include "loans/later.h"
#include "rules/params.h"
#include "store/ledger.h"
#include "store/loans2.h"
#include "store/store.h"
#include "tests/unit/testdb.h"

#define KR(x) ((int64_t)(x)*100)

struct fixture {
	struct testdb db;
	struct store *s;
	int64_t p1, p2;
	struct arena a;
};

static int add_people(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixture *f = arg;
	struct person p = {0, "17050400500", "Kari", "Nordmann", date_from_ymd(2004, 5, 17), "Storgata 1", "0150", "Oslo",
			   0, NULL, NULL};
	struct person q = {0, "01020300600", "Ola", "Hansen", date_from_ymd(2003, 2, 1), "Bygata 2", "5003", "Bergen",
			   0, NULL, NULL};
	if (store_person_insert(tx, &p, &f->p1, e) != 0)
		return -1;
	return store_person_insert(tx, &q, &f->p2, e);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (testdb_open(&f->db, "ledger") != 0)
		return -1;
	f->s = f->db.s;
	if (store_write(f->s, add_people, f, &e) != 0)
		return -1;
	arena_init(&f->a, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_cleanup(&f->a);
	testdb_close(&f->db);
	free(f);
	return 0;
}

struct post_arg {
	const struct ledger_entry *en;
	int64_t id;
};

static int post_fn(struct store_tx *tx, void *arg, struct err *e)
{
	struct post_arg *p = arg;
	return ledger_post(tx, p->en, &p->id, e);
}

static int post(struct fixture *f, const struct ledger_entry *en, struct err *e)
{
	struct post_arg p = {en, 0};
	err_clear(e);
	return store_write(f->s, post_fn, &p, e);
}

static int64_t debt(struct fixture *f, int64_t person, date_t d)
{
	int64_t ore = -1;
	struct err e;
	assert_int_equal(ledger_debt(f->s, person, d, &ore, &e), 0);
	return ore;
}

static void a_loan_payout_raises_the_debt_and_a_grant_payout_does_not(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct ledger_leg loan[] = {{"loan.principal", KR(10000)}, {"agency.bank", -KR(10000)}};
	struct ledger_leg grant[] = {{"agency.grant-expense", KR(4000)}, {"agency.bank", -KR(4000)}};
	struct ledger_entry l = {f->p1, "disbursement", "payout:1", date_from_ymd(2024, 8, 15), 2, loan};
	struct ledger_entry g = {f->p1, "grant", "payout:2", date_from_ymd(2024, 8, 15), 2, grant};
	assert_int_equal(post(f, &l, &e), 0);
	assert_int_equal(post(f, &g, &e), 0);
	assert_int_equal(debt(f, f->p1, date_from_ymd(2024, 8, 14)), 0);
	assert_int_equal(debt(f, f->p1, date_from_ymd(2024, 8, 15)), KR(10000));
	assert_int_equal(debt(f, f->p2, date_from_ymd(2024, 8, 15)), 0);
	struct ledger_report r;
	assert_int_equal(ledger_check(f->s, &r, &f->a, &e), 0);
	assert_int_equal(r.n_problems, 0);
	assert_int_equal(r.entries, 2);
	assert_int_equal(r.legs, 4);
}

static void an_entry_that_does_not_balance_is_refused_and_nothing_is_written(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct ledger_leg legs[] = {{"loan.principal", KR(100)}, {"agency.bank", -KR(100) + 1}};
	struct ledger_entry en = {f->p1, "disbursement", "payout:3", date_from_ymd(2024, 9, 15), 2, legs};
	assert_int_equal(post(f, &en, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "legs");
	assert_int_equal(debt(f, f->p1, date_from_ymd(2030, 1, 1)), 0);
	struct ledger_report r;
	assert_int_equal(ledger_check(f->s, &r, &f->a, &e), 0);
	assert_int_equal(r.entries, 0);
}

static void an_unknown_account_or_kind_or_a_personal_leg_without_a_person_is_refused(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct ledger_leg bad[] = {{"loan.principal", KR(100)}, {"agency.cash", -KR(100)}};
	struct ledger_entry en = {f->p1, "disbursement", "payout:4", date_from_ymd(2024, 9, 15), 2, bad};
	assert_int_equal(post(f, &en, &e), -1);
	assert_string_equal(e.field, "legs.account");
	struct ledger_leg ok[] = {{"loan.principal", KR(100)}, {"agency.bank", -KR(100)}};
	struct ledger_entry nokind = {f->p1, "gift", "payout:4", date_from_ymd(2024, 9, 15), 2, ok};
	assert_int_equal(post(f, &nokind, &e), -1);
	assert_string_equal(e.field, "kind");
	struct ledger_entry noone = {0, "disbursement", "payout:4", date_from_ymd(2024, 9, 15), 2, ok};
	assert_int_equal(post(f, &noone, &e), -1);
	assert_string_equal(e.field, "legs.account");
	struct ledger_leg overflow[] = {{"agency.bank", INT64_MAX}, {"agency.fees", INT64_MAX}, {"agency.claims", 2}};
	struct ledger_entry wrap = {0, "fee", "run:x", date_from_ymd(2024, 9, 15), 3, overflow};
	assert_int_equal(post(f, &wrap, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
}

static void the_debt_on_a_day_counts_only_postings_effective_by_then(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct ledger_leg pay1[] = {{"loan.principal", KR(50000)}, {"agency.bank", -KR(50000)}};
	struct ledger_leg interest[] = {{"loan.interest", 12345}, {"agency.interest-income", -12345}};
	struct ledger_leg paid[] = {{"agency.bank", KR(1000)}, {"loan.interest", -12345}, {"loan.principal", -(KR(1000) - 12345)}};
	struct ledger_entry a = {f->p2, "disbursement", "payout:5", date_from_ymd(2024, 1, 15), 2, pay1};
	struct ledger_entry b = {f->p2, "interest", "run:interest-2024-02", date_from_ymd(2024, 2, 29), 2, interest};
	struct ledger_entry c = {f->p2, "payment", "payment:1", date_from_ymd(2024, 3, 20), 3, paid};
	assert_int_equal(post(f, &a, &e), 0);
	assert_int_equal(post(f, &b, &e), 0);
	assert_int_equal(post(f, &c, &e), 0);
	assert_int_equal(debt(f, f->p2, date_from_ymd(2024, 2, 28)), KR(50000));
	assert_int_equal(debt(f, f->p2, date_from_ymd(2024, 2, 29)), KR(50000) + 12345);
	assert_int_equal(debt(f, f->p2, date_from_ymd(2024, 3, 20)), KR(49000) + 12345);
	assert_int_equal(debt(f, f->p1, date_from_ymd(2024, 3, 20)), 0);
}

/* The check reads the database, not the code that wrote it: a leg added
 * behind the ledger's back is found, and the table refuses to lose one. */
static void the_check_finds_a_leg_written_behind_the_ledgers_back(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct ledger_leg loan[] = {{"loan.principal", KR(700)}, {"agency.bank", -KR(700)}};
	struct ledger_entry l = {f->p1, "disbursement", "payout:6", date_from_ymd(2025, 1, 15), 2, loan};
	assert_int_equal(post(f, &l, &e), 0);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db.path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO ledger_legs(entry_id, account, person_id, effective, amount) "
				      "SELECT id, 'loan.principal', person_id, effective, 1 FROM ledger_entries",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM ledger_legs", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE ledger_legs SET amount = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct ledger_report r;
	assert_int_equal(ledger_check(f->s, &r, &f->a, &e), 0);
	assert_int_equal(r.n_problems, 2);
	assert_non_null(strstr(r.problems[0], "sum to 1 øre, not 0"));
	assert_non_null(strstr(r.problems[1], "legs sum to 1 øre"));
	assert_int_equal(debt(f, f->p1, date_from_ymd(2025, 1, 15)), KR(700) + 1);
}

/* ---- interest, day by day ---- */

struct test_rates {
	date_t change;      /* from this day the second rate */
	int32_t before, after;
	date_t missing_from; /* no rate from this day (0: always one) */
};

static int test_rate(void *ctx, date_t d, int32_t *rate, struct err *e)
{
	const struct test_rates *t = ctx;
	if (t->missing_from && d >= t->missing_from)
		return err_set(e, ERR_CONFLICT, "loan.rate.floating", "no rate");
	*rate = d < t->change ? t->before : t->after;
	return 0;
}

/* February 2024 has 29 days and its year 366: 100 000 kr at 4 % for the
 * 1st-14th (14 days), at 5 % from the 15th, 10 000 kr repaid on the 20th.
 * 14 x 10 000 000 x 4000 + 5 x 10 000 000 x 5000 + 10 x 9 000 000 x 5000
 * = 1 260 000 000 000, over 100 000 x 366: 34 426.23 øre, so 34 426. */
static void interest_across_a_rate_change_in_a_leap_february(void **state)
{
	(void)state;
	struct err e;
	struct test_rates r = {date_from_ymd(2024, 2, 15), 4000, 5000, 0};
	struct loans_change paid[] = {{date_from_ymd(2024, 2, 20), -1000000}};
	int64_t interest = -1;
	assert_int_equal(loans_interest(10000000, paid, 1, date_from_ymd(2024, 2, 1), date_from_ymd(2024, 2, 29), test_rate,
					&r, &interest, &e),
			 0);
	assert_int_equal(interest, 34426);
	/* A day of a leap year earns 1/366 of the yearly rate: 100 000 kr at
	 * 3.65 % for one day is exactly 10 kr in 2023 and 9.97 kr in 2024. */
	struct test_rates flat = {0, 3650, 3650, 0};
	assert_int_equal(loans_interest(10000000, NULL, 0, date_from_ymd(2023, 3, 1), date_from_ymd(2023, 3, 1), test_rate,
					&flat, &interest, &e),
			 0);
	assert_int_equal(interest, 1000);
	assert_int_equal(loans_interest(10000000, NULL, 0, date_from_ymd(2024, 3, 1), date_from_ymd(2024, 3, 1), test_rate,
					&flat, &interest, &e),
			 0);
	assert_int_equal(interest, 997);
	assert_int_equal(loans_days_in_year(date_from_ymd(2100, 6, 1)), 365);
	assert_int_equal(loans_days_in_year(date_from_ymd(2000, 6, 1)), 366);
}

static void interest_stops_where_no_rate_is_known_and_never_spans_a_year(void **state)
{
	(void)state;
	struct err e;
	int64_t interest;
	struct test_rates r = {0, 5000, 5000, date_from_ymd(2024, 7, 1)};
	assert_int_equal(loans_interest(10000000, NULL, 0, date_from_ymd(2024, 6, 1), date_from_ymd(2024, 7, 31), test_rate,
					&r, &interest, &e),
			 -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_string_equal(e.field, "loan.rate.floating");
	assert_int_equal(loans_interest(10000000, NULL, 0, date_from_ymd(2024, 12, 1), date_from_ymd(2025, 1, 31), test_rate,
					&r, &interest, &e),
			 -1);
	assert_int_equal(e.code, ERR_INVALID);
	/* No debt, no interest, and no rate asked for. */
	assert_int_equal(loans_interest(0, NULL, 0, date_from_ymd(2024, 7, 1), date_from_ymd(2024, 7, 31), test_rate, &r,
					&interest, &e),
			 0);
	assert_int_equal(interest, 0);
}

/* ---- KID ---- */

static void kid_check_digits_are_mod10_as_banks_check_them(void **state)
{
	(void)state;
	/* The textbook Luhn number and a Norwegian KID of the same rule. */
	assert_int_equal(loans_mod10("7992739871", 10), '3');
	assert_true(loans_kid_valid("79927398713"));
	assert_false(loans_kid_valid("79927398710"));
	assert_true(loans_kid_valid("1234567897"));
	assert_false(loans_kid_valid("1234567898"));
	assert_false(loans_kid_valid("12345a7897"));
	assert_int_equal(loans_mod10("12a", 3), -1);
	char kid[LOANS_KID_LEN + 1];
	/* 1 and the id in 8 digits: 100000001; doubled from the right:
	 * 2 + 0 + ... + 2 = 4, so the check digit is 6. */
	assert_int_equal(loans_kid(1, kid), 0);
	assert_string_equal(kid, "1000000016");
	assert_int_equal(loans_kid(4711, kid), 0);
	assert_true(loans_kid_valid(kid));
	assert_int_equal(loans_kid_person(kid), 4711);
	assert_int_equal(loans_kid_person("1000000017"), 0);
	assert_int_equal(loans_kid(100000000, kid), -1);
}

/* ---- the account over its life ---- */

static struct params *test_params(struct fixture *f, const char *yaml)
{
	char dir[160], path[200];
	snprintf(dir, sizeof(dir), "%s/params", f->db.dir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/loan.yaml", dir);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fputs(yaml, out);
	fclose(out);
	struct err e;
	struct params *p = params_load_dir(dir, &e);
	if (p == NULL)
		fail_msg("params: %s", e.message);
	unlink(path);
	rmdir(dir);
	return p;
}

static const char rates_5[] = "loan.rate.floating:\n  value: 5000\n  unit: thousandths-percent\n"
			      "  valid_from: 2024-05-01\n  valid_to: 2030-12-31\n  reference: test\n  source: test\n"
			      "loan.rate.fixed.3:\n  value: 4000\n  unit: thousandths-percent\n"
			      "  valid_from: 2024-05-01\n  valid_to: 2030-12-31\n  reference: test\n  source: test\n"
			      "loan.invoice.paper_fee:\n  value: 1800\n  unit: ore\n"
			      "  valid_from: 2024-05-01\n  valid_to: 2030-12-31\n  reference: test\n  source: test\n"
			      "loan.reminder.fee_1:\n  value: 28000\n  unit: ore\n"
			      "  valid_from: 2024-05-01\n  valid_to: 2030-12-31\n  reference: test\n  source: test\n"
			      "loan.reminder.fee_2:\n  value: 49000\n  unit: ore\n"
			      "  valid_from: 2024-05-01\n  valid_to: 2030-12-31\n  reference: test\n  source: test\n"
			      "loan.reminder.deadline_days:\n  value: 14\n  unit: days\n"
			      "  valid_from: 2024-05-01\n  valid_to: 2030-12-31\n  reference: test\n  source: test\n";

struct payout_arg {
	int64_t person, amount;
};

static int payout_fn(struct store_tx *tx, void *arg, struct err *e)
{
	struct payout_arg *p = arg;
	return loans_disburse(tx, p->person, p->amount, "payout:test", date_from_ymd(2023, 8, 15), 1, e);
}

static int add_old(struct store_tx *tx, void *arg, struct err *e)
{
	int64_t *ids = arg;
	/* Born 1 March 1955: 70 on 1 March 2025, so a plan from 20 November
	 * 2024 has four terms (November to February). */
	struct person p = {0, "01035500100", "Eldre", "Student", date_from_ymd(1955, 3, 1), "Vei 1", "0150", "Oslo", 0, NULL, NULL};
	struct person q = {0, "01035500200", "Annen", "Student", date_from_ymd(1955, 3, 1), "Vei 2", "0150", "Oslo", 0, NULL, NULL};
	return store_person_insert(tx, &p, &ids[0], e) || store_person_insert(tx, &q, &ids[1], e) ? -1 : 0;
}

static int64_t pay(struct fixture *f, int64_t person, int64_t amount, date_t on, const char *ref)
{
	char kid[LOANS_KID_LEN + 1];
	assert_int_equal(loans_kid(person, kid), 0);
	struct loan_payment p = {.bank_ref = ref, .kid = kid, .amount = amount, .booked = on};
	enum loans_payment_outcome o;
	struct err e;
	if (loans_book_payment(f->s, NULL, &p, 1, &o, &e) != 0)
		fail_msg("payment: %s", e.message);
	assert_int_equal(o, LOANS_PAYMENT_MATCHED);
	return amount;
}

static int64_t open_left(struct fixture *f, int64_t person, date_t *due)
{
	struct loan_invoice *v;
	struct err e;
	int n = store_loan_invoices_of(f->s, person, &v, 50, &f->a, &e);
	int64_t left = 0;
	for (int i = 0; i < n; i++)
		if (v[i].paid < v[i].amount + v[i].fee) {
			left = v[i].amount + v[i].fee - v[i].paid;
			*due = v[i].due;
		}
	return left;
}

static void run(struct fixture *f, const struct params *p, date_t through)
{
	struct loans_run_summary sum;
	struct err e;
	if (loans_run(f->s, p, through, 1, &sum, &e) != 0)
		fail_msg("run: %s", e.message);
	assert_int_equal(sum.failed, 0);
}

/* Interest from the day after support ended, compounded month by month as
 * the run posts it: worked out here on its own, as the ledger should hold
 * it, for the pause from May to October 2024 (366 days a year). */
static int64_t pause_debt(int64_t debt)
{
	static const int days[] = {31, 30, 31, 31, 30, 31};
	for (int i = 0; i < 6; i++) {
		int64_t num = debt * 5000 * days[i], den = INT64_C(100000) * 366;
		debt += (num * 2 + den) / (den * 2);
	}
	return debt;
}

/* Pay every invoice on its due day, month by month, with an extra payment
 * from the second borrower in December: both accounts end at exactly 0;
 * the extra payment makes the second borrower's following terms lower. */
static void a_plan_is_repaid_to_exactly_zero_and_an_extra_payment_lowers_the_terms(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct params *p = test_params(f, rates_5);
	int64_t ids[2];
	assert_int_equal(store_write(f->s, add_old, ids, &e), 0);
	for (int i = 0; i < 2; i++) {
		struct payout_arg pa = {ids[i], KR(100000)};
		assert_int_equal(store_write(f->s, payout_fn, &pa, &e), 0);
		assert_int_equal(loans_support_ended(f->s, ids[i], date_from_ymd(2024, 4, 30), 1, &e), 0);
	}
	assert_int_equal(loans_support_ended(f->s, ids[0], date_from_ymd(2024, 5, 30), 1, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	struct loan_account acct;
	assert_int_equal(store_loan_account_get(f->s, ids[0], &acct, &f->a, &e), 0);
	assert_int_equal(acct.first_due, date_from_ymd(2024, 11, 15));
	assert_int_equal(acct.last_due, date_from_ymd(2025, 2, 15));

	int64_t paid[2] = {0, 0}, terms[2][8] = {{0}};
	int n_terms[2] = {0, 0};
	char ref[32];
	int k = 0;
	for (date_t month = date_from_ymd(2024, 5, 1); month <= date_from_ymd(2025, 8, 1);) {
		int y, m, d;
		date_to_ymd(month, &y, &m, &d);
		date_t next = m == 12 ? date_from_ymd(y + 1, 1, 1) : date_from_ymd(y, m + 1, 1);
		run(f, p, month); /* the month's invoice */
		for (int i = 0; i < 2; i++) {
			date_t due;
			int64_t left = open_left(f, ids[i], &due);
			if (left > 0) {
				terms[i][n_terms[i]++] = left;
				snprintf(ref, sizeof(ref), "T-%d", ++k);
				paid[i] += pay(f, ids[i], left, due, ref);
			}
		}
		if (month == date_from_ymd(2024, 12, 1))
			paid[1] += pay(f, ids[1], KR(20000), date_from_ymd(2024, 12, 5), "EXTRA-1");
		run(f, p, next - 1); /* the month's interest */
		month = next;
	}
	/* The pause's interest, as worked out above, is the first invoice's
	 * base: the debt on 31 October. */
	int64_t oct;
	assert_int_equal(ledger_debt(f->s, ids[0], date_from_ymd(2024, 10, 31), &oct, &e), 0);
	assert_int_equal(oct, pause_debt(KR(100000)));
	for (int i = 0; i < 2; i++) {
		int64_t debt, interest;
		assert_int_equal(ledger_debt(f->s, ids[i], date_from_ymd(2025, 8, 31), &debt, &e), 0);
		assert_int_equal(debt, 0);
		assert_int_equal(store_ledger_person_flow(f->s, ids[i], NULL, "interest", date_from_ymd(2024, 1, 1),
							  date_from_ymd(2025, 12, 31), &interest, &e),
				 0);
		/* Every krone paid repaid the loan or its interest. */
		assert_int_equal(paid[i], KR(100000) + interest);
		/* Four terms and the small invoices of the interest left. */
		assert_true(n_terms[i] >= 5);
	}
	/* November and December alike; the extra 20 000 kr in December makes
	 * January and February lower for the second borrower. */
	assert_int_equal(terms[0][0], terms[1][0]);
	assert_int_equal(terms[0][1], terms[1][1]);
	assert_true(terms[1][2] < terms[0][2]);
	assert_true(terms[1][3] < terms[0][3]);
	/* The first term is the annuity of the October debt over four months
	 * at 5 %, rounded up to whole kroner. */
	long double r = 0.05L / 12, ann = (long double)oct * r / (1 - powl(1 + r, -4));
	assert_int_equal(terms[0][0], (int64_t)ceill(ann / 100) * 100);
	struct ledger_report rep;
	assert_int_equal(ledger_check(f->s, &rep, &f->a, &e), 0);
	assert_int_equal(rep.n_problems, 0);
	params_free(p);
}

/* A deferral of December and January: no term falls due in those months,
 * the plan grows by two months (to April), and it still ends at exactly 0. */
static void a_deferral_moves_the_terms_and_lengthens_the_plan(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct params *p = test_params(f, rates_5);
	int64_t ids[2];
	assert_int_equal(store_write(f->s, add_old, ids, &e), 0);
	struct payout_arg pa = {ids[0], KR(100000)};
	assert_int_equal(store_write(f->s, payout_fn, &pa, &e), 0);
	assert_int_equal(loans_support_ended(f->s, ids[0], date_from_ymd(2024, 4, 30), 1, &e), 0);
	assert_int_equal(loans_grant_months(f->s, ids[0], "deferral", date_from_ymd(2024, 12, 1), 2, "decision:1", 1, &e), 0);
	/* Granted again: nothing more. */
	assert_int_equal(loans_grant_months(f->s, ids[0], "deferral", date_from_ymd(2024, 12, 1), 2, "decision:1", 1, &e), 0);
	assert_int_equal(loans_grant_months(f->s, ids[0], "holiday", date_from_ymd(2024, 12, 1), 2, "decision:1", 1, &e), -1);
	assert_string_equal(e.field, "kind");
	struct loan_account acct;
	assert_int_equal(store_loan_account_get(f->s, ids[0], &acct, &f->a, &e), 0);
	assert_int_equal(acct.last_due, date_from_ymd(2025, 4, 15));
	char ref[32];
	int k = 0;
	for (date_t month = date_from_ymd(2024, 5, 1); month <= date_from_ymd(2025, 9, 1);) {
		int y, m, d;
		date_to_ymd(month, &y, &m, &d);
		date_t next = m == 12 ? date_from_ymd(y + 1, 1, 1) : date_from_ymd(y, m + 1, 1);
		run(f, p, month);
		date_t due;
		int64_t left = open_left(f, ids[0], &due);
		if (left > 0) {
			snprintf(ref, sizeof(ref), "D-%d", ++k);
			pay(f, ids[0], left, due, ref);
		}
		run(f, p, next - 1);
		month = next;
	}
	struct loan_invoice *v;
	int n = store_loan_invoices_of(f->s, ids[0], &v, 20, &f->a, &e);
	assert_true(n >= 4);
	/* Newest first: the four terms are the last four, oldest at n - 1. */
	assert_int_equal(v[n - 1].due, date_from_ymd(2024, 11, 15));
	assert_int_equal(v[n - 2].due, date_from_ymd(2025, 2, 15));
	assert_int_equal(v[n - 3].due, date_from_ymd(2025, 3, 15));
	assert_int_equal(v[n - 4].due, date_from_ymd(2025, 4, 15));
	int64_t left;
	assert_int_equal(ledger_debt(f->s, ids[0], date_from_ymd(2025, 9, 30), &left, &e), 0);
	assert_int_equal(left, 0);
	params_free(p);
}

/* Interest relief for June (already charged) cancels June's interest at
 * once; for August (to come) the run charges and cancels it alike. */
static void interest_relief_cancels_the_months_granted(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct params *p = test_params(f, rates_5);
	int64_t ids[2];
	assert_int_equal(store_write(f->s, add_old, ids, &e), 0);
	struct payout_arg pa = {ids[1], KR(100000)};
	assert_int_equal(store_write(f->s, payout_fn, &pa, &e), 0);
	assert_int_equal(loans_support_ended(f->s, ids[1], date_from_ymd(2024, 4, 30), 1, &e), 0);
	run(f, p, date_from_ymd(2024, 6, 30));
	/* May: 10 000 000 x 5000 x 31 / (100 000 x 366) = 42 349.7, so 42 350;
	 * June on 10 042 350: x 5000 x 30 / 36 600 000 = 41 157.2, so 41 157. */
	assert_int_equal(debt(f, ids[1], date_from_ymd(2024, 6, 30)), KR(100000) + 42350 + 41157);
	assert_int_equal(loans_grant_months(f->s, ids[1], "relief", date_from_ymd(2024, 6, 1), 1, "decision:2", 1, &e), 0);
	assert_int_equal(debt(f, ids[1], date_from_ymd(2024, 6, 30)), KR(100000) + 42350);
	assert_int_equal(loans_grant_months(f->s, ids[1], "relief", date_from_ymd(2024, 8, 1), 1, "decision:3", 1, &e), 0);
	run(f, p, date_from_ymd(2024, 8, 31));
	int64_t july = debt(f, ids[1], date_from_ymd(2024, 7, 31)) - (KR(100000) + 42350);
	/* July on 10 042 350: x 5000 x 31 / 36 600 000 = 42 529.1, so 42 529. */
	assert_int_equal(july, 42529);
	assert_int_equal(debt(f, ids[1], date_from_ymd(2024, 8, 31)), KR(100000) + 42350 + 42529);
	int64_t relieved;
	assert_int_equal(store_ledger_person_flow(f->s, ids[1], "loan.interest", "relief", date_from_ymd(2024, 1, 1),
						  date_from_ymd(2024, 12, 31), &relieved, &e),
			 0);
	assert_true(relieved < -41157); /* June's and August's */
	struct ledger_report rep;
	assert_int_equal(ledger_check(f->s, &rep, &f->a, &e), 0);
	assert_int_equal(rep.n_problems, 0);
	params_free(p);
}

/* An invoice due 15 November (the due day the agency gives by default)
 * left unpaid: the reminder on the 16th (not the 15th) with its fee, the
 * notice of termination 14 days later (30 November, not the 29th) with its
 * own; each a letter, each fee owed. */
static void reminders_come_on_the_right_days_with_their_fees(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct params *p = test_params(f, rates_5);
	int64_t ids[2];
	assert_int_equal(store_write(f->s, add_old, ids, &e), 0);
	struct payout_arg pa = {ids[0], KR(100000)};
	assert_int_equal(store_write(f->s, payout_fn, &pa, &e), 0);
	assert_int_equal(loans_support_ended(f->s, ids[0], date_from_ymd(2024, 4, 30), 1, &e), 0);
	struct loans_run_summary sum;
	struct loan_invoice *v;
	int steps[][4] = {{2024, 11, 15, 0}, {2024, 11, 16, 1}, {2024, 11, 29, 1}, {2024, 11, 30, 2}, {2024, 12, 29, 2}};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(loans_run(f->s, p, date_from_ymd(steps[i][0], steps[i][1], steps[i][2]), 1, &sum, &e), 0);
		int n = store_loan_invoices_of(f->s, ids[0], &v, 10, &f->a, &e);
		assert_true(n >= 1);
		assert_int_equal(v[n - 1].due, date_from_ymd(2024, 11, 15));
		assert_int_equal(v[n - 1].reminders, steps[i][3]);
	}
	int n = store_loan_invoices_of(f->s, ids[0], &v, 10, &f->a, &e);
	assert_int_equal(v[n - 1].fee, 28000 + 49000);
	assert_int_equal(v[n - 1].reminded_at, date_from_ymd(2024, 11, 30));
	int64_t fees;
	assert_int_equal(store_ledger_person_flow(f->s, ids[0], "loan.principal", "fee", date_from_ymd(2024, 1, 1),
						  date_from_ymd(2024, 12, 31), &fees, &e),
			 0);
	/* And December's invoice, unpaid too, had its reminder on 16 December
	 * (its notice would come on the 30th, after the last run). */
	assert_int_equal(fees, 77000 + 28000);
	assert_int_equal(v[n - 2].reminders, 1);
	/* Paid with its fees, the invoice is settled. */
	pay(f, ids[0], v[n - 1].amount + v[n - 1].fee, date_from_ymd(2024, 12, 6), "R-1");
	n = store_loan_invoices_of(f->s, ids[0], &v, 10, &f->a, &e);
	assert_int_equal(v[n - 1].paid_at, date_from_ymd(2024, 12, 6));
	struct ledger_report rep;
	assert_int_equal(ledger_check(f->s, &rep, &f->a, &e), 0);
	assert_int_equal(rep.n_problems, 0);
	params_free(p);
}

/* Death cancels the debt: the whole of it, interest included, is written
 * off; the open invoice is cancelled and no term, reminder or interest
 * follows, not even the interest of November's days before the write-off,
 * which November's end would otherwise post. */
static void a_write_off_cancels_the_whole_debt_and_what_would_follow(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct params *p = test_params(f, rates_5);
	int64_t ids[2];
	assert_int_equal(store_write(f->s, add_old, ids, &e), 0);
	struct payout_arg pa = {ids[0], KR(100000)};
	assert_int_equal(store_write(f->s, payout_fn, &pa, &e), 0);
	assert_int_equal(loans_support_ended(f->s, ids[0], date_from_ymd(2024, 4, 30), 1, &e), 0);
	run(f, p, date_from_ymd(2024, 11, 25));
	int64_t owed = debt(f, ids[0], date_from_ymd(2024, 11, 25)), amount;
	assert_true(owed > KR(100000));
	assert_int_equal(loans_write_off(f->s, ids[0], date_from_ymd(2024, 11, 20), "", 1, &amount, &e), -1);
	assert_string_equal(e.field, "cause");
	assert_int_equal(loans_write_off(f->s, ids[0], date_from_ymd(2024, 11, 20), "death:register", 1, &amount, &e), 0);
	assert_int_equal(amount, owed);
	assert_int_equal(debt(f, ids[0], date_from_ymd(2024, 11, 25)), 0);
	run(f, p, date_from_ymd(2025, 3, 31));
	assert_int_equal(debt(f, ids[0], date_from_ymd(2025, 3, 31)), 0);
	struct loan_invoice *v;
	int n = store_loan_invoices_of(f->s, ids[0], &v, 10, &f->a, &e);
	assert_int_equal(n, 1); /* November's, cancelled; none after */
	assert_true(v[0].cancelled);
	assert_int_equal(v[0].reminders, 1); /* the reminder of 16 November, before */
	struct ledger_report rep;
	assert_int_equal(ledger_check(f->s, &rep, &f->a, &e), 0);
	assert_int_equal(rep.n_problems, 0);
	params_free(p);
}

/* Call-in and collection (loans/later.h), each on its day exactly: the
 * notice of 30 November left unpaid calls the loan in on 14 December (14
 * days, not the 13th), and it is handed to the collection agency 3 days
 * later (17 December, not the 16th); no invoice follows the call-in; the
 * handover file gets its line once. */
static void an_unpaid_notice_calls_the_loan_in_and_hands_it_over_on_the_days(void **state)
{
	struct fixture *f = *state;
	struct err e;
	char yaml[4096];
	snprintf(yaml, sizeof(yaml), "%s%s", rates_5,
		 "loan.callin.deadline_days:\n  value: 14\n  unit: days\n"
		 "  valid_from: 2024-05-01\n  valid_to: 2030-12-31\n  reference: test\n  source: test\n"
		 "loan.collection.handover_days:\n  value: 3\n  unit: days\n"
		 "  valid_from: 2024-05-01\n  valid_to: 2030-12-31\n  reference: test\n  source: test\n");
	struct params *p = test_params(f, yaml);
	int64_t ids[2];
	assert_int_equal(store_write(f->s, add_old, ids, &e), 0);
	struct payout_arg pa = {ids[0], KR(100000)};
	assert_int_equal(store_write(f->s, payout_fn, &pa, &e), 0);
	assert_int_equal(loans_support_ended(f->s, ids[0], date_from_ymd(2024, 4, 30), 1, &e), 0);
	struct loan_status st;
	struct loans_run_summary sum;
	const struct {
		int y, m, d;
		const char *status; /* NULL: open */
	} steps[] = {{2024, 11, 30, NULL},	   {2024, 12, 13, NULL},	 {2024, 12, 14, "called-in"},
		     {2024, 12, 16, "called-in"}, {2024, 12, 17, "collection"}, {2025, 2, 28, "collection"}};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(loans_run(f->s, p, date_from_ymd(steps[i].y, steps[i].m, steps[i].d), 1, &sum, &e), 0);
		int got = store_loan_status_get(f->s, ids[0], &st, &f->a, &e);
		if (steps[i].status == NULL) {
			assert_int_equal(got, 1);
			continue;
		}
		assert_int_equal(got, 0);
		assert_string_equal(st.status, steps[i].status);
	}
	assert_int_equal(st.called_in, date_from_ymd(2024, 12, 14));
	assert_int_equal(st.called_in_amount, debt(f, ids[0], date_from_ymd(2024, 12, 14)));
	assert_int_equal(st.handed_over, date_from_ymd(2024, 12, 17));
	assert_int_equal(st.handover_amount, debt(f, ids[0], date_from_ymd(2024, 12, 17)));
	/* November's and December's invoices; none in January or February. */
	struct loan_invoice *v;
	assert_int_equal(store_loan_invoices_of(f->s, ids[0], &v, 10, &f->a, &e), 2);
	/* The handover file: one line, once. */
	char path[200];
	snprintf(path, sizeof(path), "%s/si.jsonl", f->db.dir);
	struct loans_later_summary later = {0};
	assert_int_equal(loans_handover_file(f->s, path, &later, &e), 0);
	assert_int_equal(later.handover_lines, 1);
	FILE *in = fopen(path, "r");
	assert_non_null(in);
	char line[512];
	assert_non_null(fgets(line, sizeof(line), in));
	assert_non_null(strstr(line, "\"nin\":\"01035500100\""));
	assert_non_null(strstr(line, "\"called_in\":\"2024-12-14\",\"handed_over\":\"2024-12-17\""));
	assert_null(fgets(line, sizeof(line), in));
	fclose(in);
	unlink(path);
	assert_int_equal(loans_handover_file(f->s, path, &later, &e), 0);
	assert_int_equal(later.handover_lines, 1);
	assert_int_equal(access(path, F_OK), -1); /* nothing new: no file */
	struct ledger_report rep;
	assert_int_equal(ledger_check(f->s, &rep, &f->a, &e), 0);
	assert_int_equal(rep.n_problems, 0);
	params_free(p);
}

/* ---- the bank's report ---- */

static const char camt[] =
	"<?xml version=\"1.0\"?>\n"
	"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\"><BkToCstmrDbtCdtNtfctn>"
	"<GrpHdr><MsgId>1</MsgId></GrpHdr><Ntfctn>"
	/* a credit with the borrower's KID */
	"<Ntry><Amt Ccy=\"NOK\">1500.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
	"<BookgDt><Dt>2024-06-10</Dt></BookgDt><AcctSvcrRef>A1</AcctSvcrRef><NtryDtls><TxDtls>"
	"<Refs><AcctSvcrRef>A1-1</AcctSvcrRef></Refs><Amt Ccy=\"NOK\">1500.50</Amt>"
	"<RltdPties><Dbtr><Nm>Kari Nordmann</Nm></Dbtr></RltdPties>"
	"<RmtInf><Strd><CdtrRefInf><Ref>KID1</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>"
	/* a credit with a KID no account has */
	"<Ntry><Amt Ccy=\"NOK\">200</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
	"<BookgDt><Dt>2024-06-11</Dt></BookgDt><AcctSvcrRef>A2</AcctSvcrRef><NtryDtls><TxDtls>"
	"<RmtInf><Strd><CdtrRefInf><Ref>1234567897</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>"
	/* a debit and a pending credit: not booked */
	"<Ntry><Amt Ccy=\"NOK\">99</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-06-11</Dt></BookgDt>"
	"<AcctSvcrRef>A3</AcctSvcrRef></Ntry>"
	"<Ntry><Amt Ccy=\"NOK\">99</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts><BookgDt><Dt>2024-06-11</Dt></BookgDt>"
	"<AcctSvcrRef>A4</AcctSvcrRef></Ntry>"
	"</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n";

static void camt054_credits_are_matched_by_kid_and_booked_once(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct payout_arg pa = {f->p1, KR(50000)};
	assert_int_equal(store_write(f->s, payout_fn, &pa, &e), 0);
	char kid[LOANS_KID_LEN + 1];
	loans_kid(f->p1, kid);
	char *xml = arena_strdup(&f->a, camt), *at = strstr(xml, "KID1");
	char *report = arena_printf(&f->a, "%.*s%s%s", (int)(at - xml), xml, kid, at + 4);
	struct loan_payment *pays;
	assert_int_equal(loans_camt054_parse(report, strlen(report), &pays, &f->a, &e), 2);
	assert_string_equal(pays[0].bank_ref, "A1-1");
	assert_int_equal(pays[0].amount, 150050);
	assert_int_equal(pays[0].booked, date_from_ymd(2024, 6, 10));
	assert_string_equal(pays[0].debtor, "Kari Nordmann");
	assert_string_equal(pays[1].bank_ref, "A2/0");
	assert_int_equal(pays[1].amount, 20000);
	struct loans_import_summary sum;
	assert_int_equal(loans_import_camt054(f->s, NULL, report, strlen(report), 1, &sum, &e), 0);
	assert_int_equal(sum.credits, 2);
	assert_int_equal(sum.matched, 1);
	assert_int_equal(sum.matched_ore, 150050);
	assert_int_equal(sum.unknown_kid, 1);
	assert_int_equal(debt(f, f->p1, date_from_ymd(2024, 6, 10)), KR(50000) - 150050);
	/* The same report again books nothing. */
	assert_int_equal(loans_import_camt054(f->s, NULL, report, strlen(report), 1, &sum, &e), 0);
	assert_int_equal(sum.duplicates, 2);
	assert_int_equal(sum.matched, 0);
	assert_int_equal(debt(f, f->p1, date_from_ymd(2024, 6, 10)), KR(50000) - 150050);
	/* The unknown KID waits for a case worker. */
	struct loan_payment *waiting;
	assert_int_equal(store_loan_payments_list(f->s, 0, &waiting, 10, &f->a, &e), 1);
	assert_string_equal(waiting[0].kid, "1234567897");
	/* Its money is in the bank, waiting on agency.suspense. */
	assert_int_equal(waiting[0].state[0], 'u');
	assert_true(waiting[0].entry_id > 0);
	/* Not a report, and a report with an amount that is no amount. */
	assert_int_equal(loans_camt054_parse("<x/>", 4, &pays, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	const char *bad = "<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Ntry><Amt Ccy=\"NOK\">1,5</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			  "<Sts>BOOK</Sts><BookgDt><Dt>2024-06-11</Dt></BookgDt><AcctSvcrRef>B</AcctSvcrRef></Ntry></Ntfctn>"
			  "</BkToCstmrDbtCdtNtfctn></Document>";
	assert_int_equal(loans_camt054_parse(bad, strlen(bad), &pays, &f->a, &e), -1);
	assert_string_equal(e.field, "Amt");
	struct ledger_report rep;
	assert_int_equal(ledger_check(f->s, &rep, &f->a, &e), 0);
	assert_int_equal(rep.n_problems, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_loan_payout_raises_the_debt_and_a_grant_payout_does_not, setup, teardown),
		cmocka_unit_test_setup_teardown(an_entry_that_does_not_balance_is_refused_and_nothing_is_written, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_unknown_account_or_kind_or_a_personal_leg_without_a_person_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(the_debt_on_a_day_counts_only_postings_effective_by_then, setup, teardown),
		cmocka_unit_test_setup_teardown(the_check_finds_a_leg_written_behind_the_ledgers_back, setup, teardown),
		cmocka_unit_test(interest_across_a_rate_change_in_a_leap_february),
		cmocka_unit_test(interest_stops_where_no_rate_is_known_and_never_spans_a_year),
		cmocka_unit_test(kid_check_digits_are_mod10_as_banks_check_them),
		cmocka_unit_test_setup_teardown(a_plan_is_repaid_to_exactly_zero_and_an_extra_payment_lowers_the_terms, setup,
						teardown),
		cmocka_unit_test_setup_teardown(camt054_credits_are_matched_by_kid_and_booked_once, setup, teardown),
		cmocka_unit_test_setup_teardown(a_deferral_moves_the_terms_and_lengthens_the_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(interest_relief_cancels_the_months_granted, setup, teardown),
		cmocka_unit_test_setup_teardown(reminders_come_on_the_right_days_with_their_fees, setup, teardown),
		cmocka_unit_test_setup_teardown(a_write_off_cancels_the_whole_debt_and_what_would_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(an_unpaid_notice_calls_the_loan_in_and_hands_it_over_on_the_days, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
