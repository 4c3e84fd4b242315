/* test_loans_bulk.c - unit tests of the loan account's speed (#11): the
 * ledger check's one pass against the same invariants in SQL, on a ledger
 * broken in every way the check knows; the balance mark that a person's
 * sums start from, removed by a back-dated posting and proved by the check;
 * and the months run in one process with the benchmark's bank, which ends
 * a whole plan at exactly 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "loans/account.h"
#include "loans/monthly.h"
#include "rules/params.h"
#include "store/ledger.h"
#include "store/loans_bulk.h"
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
	struct person p = {0, "17050400500", "Kari", "Nordmann", date_from_ymd(1996, 5, 17), "Storgata 1", "0150", "Oslo",
			   0, NULL, NULL};
	struct person q = {0, "01020300600", "Ola", "Hansen", date_from_ymd(1997, 2, 1), "Bygata 2", "5003", "Bergen",
			   0, NULL, NULL};
	if (store_person_insert(tx, &p, &f->p1, e) != 0)
		return -1;
	return store_person_insert(tx, &q, &f->p2, e);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (testdb_open(&f->db, "loans_bulk") != 0)
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
};

static int post_fn(struct store_tx *tx, void *arg, struct err *e)
{
	struct post_arg *p = arg;
	return ledger_post(tx, p->en, NULL, e);
}

static void post(struct fixture *f, const struct ledger_entry *en)
{
	struct post_arg p = {en};
	struct err e;
	assert_int_equal(store_write(f->s, post_fn, &p, &e), 0);
}

static void sql(struct fixture *f, const char *q)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db.path, &db), SQLITE_OK);
	char *msg = NULL;
	int rc = sqlite3_exec(db, q, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", q, msg ? msg : "");
	sqlite3_free(msg);
	sqlite3_close(db);
	assert_int_equal(rc, SQLITE_OK);
}

/* Both checks give the same problems, in the same order. */
static int same_problems(struct fixture *f)
{
	struct ledger_problem *fast, *ref;
	int64_t fe, fl, re, rl;
	struct err e;
	int n = store_ledger_check(f->s, &fast, 50, &fe, &fl, &f->a, &e);
	int m = store_ledger_check_sql(f->s, &ref, 50, &re, &rl, &f->a, &e);
	assert_true(n >= 0);
	assert_int_equal(n, m);
	assert_int_equal(fe, re);
	assert_int_equal(fl, rl);
	for (int i = 0; i < n; i++) {
		assert_string_equal(fast[i].what, ref[i].what);
		assert_int_equal(fast[i].entry_id, ref[i].entry_id);
		assert_int_equal(fast[i].person_id, ref[i].person_id);
		assert_int_equal(fast[i].a, ref[i].a);
		assert_int_equal(fast[i].b, ref[i].b);
	}
	return n;
}

static void the_one_pass_check_finds_what_the_sql_check_finds(void **state)
{
	struct fixture *f = *state;
	struct ledger_leg loan[] = {{"loan.principal", KR(1000)}, {"agency.bank", -KR(1000)}};
	struct ledger_leg interest[] = {{"loan.interest", 4321}, {"agency.interest-income", -4321}};
	struct ledger_entry a = {f->p1, "disbursement", "payout:1", date_from_ymd(2024, 8, 15), 2, loan};
	struct ledger_entry b = {f->p2, "disbursement", "payout:2", date_from_ymd(2024, 8, 15), 2, loan};
	struct ledger_entry c = {f->p1, "interest", "interest:2024-09", date_from_ymd(2024, 9, 30), 2, interest};
	post(f, &a);
	post(f, &b);
	post(f, &c);
	assert_int_equal(same_problems(f), 0);
	/* Broken behind the ledger's back, each way the check knows: a leg
	 * that unbalances its entry, a leg on another person, a leg on another
	 * day, an agency leg with a person, an entry with no legs, and a debt
	 * below 0. */
	sql(f, "INSERT INTO ledger_legs(entry_id, account, person_id, effective, amount) VALUES "
	       "(1, 'loan.principal', 1, '2024-08-15', 5), (2, 'loan.principal', 1, '2024-08-15', -7), "
	       "(3, 'loan.interest', 1, '2024-10-01', 9), (3, 'agency.fees', 2, '2024-09-30', -9);"
	       "INSERT INTO ledger_entries(person_id, kind, cause, effective) VALUES (2, 'fee', 'forged', '2024-11-01');"
	       "INSERT INTO ledger_entries(person_id, kind, cause, effective) VALUES (2, 'claim', 'forged', '2024-11-02');"
	       "INSERT INTO ledger_legs(entry_id, account, person_id, effective, amount) VALUES "
	       "(5, 'loan.principal', 2, '2024-11-02', -200000), (5, 'agency.claims', NULL, '2024-11-02', 200000);");
	int n = same_problems(f);
	assert_true(n >= 6);
	struct ledger_report r;
	struct err e;
	assert_int_equal(ledger_check(f->s, &r, &f->a, &e), 0);
	assert_int_equal(r.n_problems, n);
}

/* The benchmark's rate: 4 % from the day after support ended. */
static struct params *rate_4(struct fixture *f)
{
	char dir[160], path[200];
	snprintf(dir, sizeof(dir), "%s/params", f->db.dir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/loan.yaml", dir);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fputs("loan.rate.floating:\n  value: 4000\n  unit: thousandths-percent\n  valid_from: 2024-07-01\n"
	      "  valid_to: 2030-12-31\n  reference: test\n  source: test\n",
	      out);
	fclose(out);
	struct err e;
	struct params *p = params_load_dir(dir, &e);
	if (p == NULL)
		fail_msg("params: %s", e.message);
	unlink(path);
	rmdir(dir);
	return p;
}

static int run_months(struct fixture *f, date_t from, date_t through, struct loans_months_summary *sum)
{
	struct err e;
	struct params *p = rate_4(f);
	int rc = loans_run_months(f->s, p, from, through, 1735689600, loans_bench_bank, NULL, NULL, NULL, sum, &e);
	if (rc != 0)
		fprintf(stderr, "months: %s\n", e.message);
	params_free(p);
	return rc;
}

static int disburse_fn(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixture *f = arg;
	return loans_disburse(tx, f->p1, KR(150000), "payout:1", date_from_ymd(2023, 8, 15), 1700000000, e) ||
	       loans_disburse(tx, f->p2, KR(200000), "payout:2", date_from_ymd(2023, 8, 15), 1700000000, e);
}

static void months_in_one_process_repay_a_whole_plan_to_exactly_zero(void **state)
{
	struct fixture *f = *state;
	struct err e;
	assert_int_equal(store_write(f->s, disburse_fn, f, &e), 0);
	assert_int_equal(loans_support_ended(f->s, f->p1, date_from_ymd(2024, 6, 30), 1700000000, &e), 0);
	assert_int_equal(loans_support_ended(f->s, f->p2, date_from_ymd(2024, 6, 30), 1700000000, &e), 0);
	/* A shorter plan for the test: two years of terms. */
	sql(f, "UPDATE loan_accounts SET last_due = '2026-12-20'");
	struct loans_months_summary sum;
	assert_int_equal(run_months(f, date_from_ymd(2024, 7, 1), date_from_ymd(2027, 3, 31), &sum), 0);
	assert_int_equal(sum.months, 33);
	assert_int_equal(sum.failed, 0);
	assert_int_equal(sum.paid.matched, sum.invoices);
	assert_true(sum.invoices >= 48);
	assert_int_equal(sum.paid.matched_ore, sum.invoiced);
	int64_t d1, d2;
	assert_int_equal(ledger_debt(f->s, f->p1, date_from_ymd(2027, 3, 31), &d1, &e), 0);
	assert_int_equal(ledger_debt(f->s, f->p2, date_from_ymd(2027, 3, 31), &d2, &e), 0);
	assert_int_equal(d1, 0);
	assert_int_equal(d2, 0);
	/* The marks the sums started from are the legs' sums. */
	assert_int_equal(same_problems(f), 0);
}

static int mark_fn(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixture *f = arg;
	return store_loan_balance_mark(tx, f->p1, date_from_ymd(2024, 12, 31), e);
}

struct sum_arg {
	int64_t person;
	date_t d;
	int64_t ore;
};

static int sum_fn(struct store_tx *tx, void *arg, struct err *e)
{
	struct sum_arg *s = arg;
	return store_ledger_person_sum_tx(tx, s->person, NULL, s->d, &s->ore, e);
}

static int64_t sum_tx(struct fixture *f, date_t d)
{
	struct sum_arg s = {f->p1, d, -1};
	struct err e;
	assert_int_equal(store_write(f->s, sum_fn, &s, &e), 0);
	return s.ore;
}

static void a_backdated_posting_removes_the_balance_mark_it_falls_under(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct ledger_leg loan[] = {{"loan.principal", KR(1000)}, {"agency.bank", -KR(1000)}};
	struct ledger_leg later[] = {{"loan.principal", KR(10)}, {"agency.bank", -KR(10)}};
	struct ledger_entry a = {f->p1, "disbursement", "payout:1", date_from_ymd(2024, 8, 15), 2, loan};
	struct ledger_entry b = {f->p1, "disbursement", "payout:2", date_from_ymd(2025, 2, 1), 2, later};
	struct ledger_entry back = {f->p1, "disbursement", "payout:3", date_from_ymd(2024, 9, 1), 2, later};
	post(f, &a);
	assert_int_equal(store_write(f->s, mark_fn, f, &e), 0);
	post(f, &b);
	assert_int_equal(sum_tx(f, date_from_ymd(2025, 2, 1)), KR(1010));
	assert_int_equal(sum_tx(f, date_from_ymd(2024, 12, 1)), KR(1000)); /* before the mark: the legs */
	/* A forged mark is found by the check (the SQL reference knows no
	 * marks). */
	sql(f, "UPDATE loan_balance_marks SET principal = principal + 1");
	struct ledger_report r;
	assert_int_equal(ledger_check(f->s, &r, &f->a, &e), 0);
	assert_int_equal(r.n_problems, 1);
	assert_non_null(strstr(r.problems[0], "balance mark"));
	/* A posting back-dated under the mark removes it: the sums stay true. */
	post(f, &back);
	assert_int_equal(sum_tx(f, date_from_ymd(2025, 2, 1)), KR(1020));
	assert_int_equal(ledger_check(f->s, &r, &f->a, &e), 0);
	assert_int_equal(r.n_problems, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_one_pass_check_finds_what_the_sql_check_finds, setup, teardown),
		cmocka_unit_test_setup_teardown(months_in_one_process_repay_a_whole_plan_to_exactly_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(a_backdated_posting_removes_the_balance_mark_it_falls_under, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
