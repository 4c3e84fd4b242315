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
#include <sqlite3.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "ledger/ledger.h"
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
