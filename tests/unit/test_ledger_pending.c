/* test_ledger_pending.c - unit tests of the ledger's postings whose legs are
 * written together (ledger_post_pending, #11's conversion speed): the same
 * entries and legs, with the same ids, as ledger_post() one by one; a
 * person's balance holds the kept legs once flushed; an entry refused
 * keeps nothing. */
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
#include "store/ledger.h"
#include "store/store.h"
#include "tests/unit/testdb.h"

#define KR(x) ((int64_t)(x)*100)

struct fixture {
	struct testdb one, many;
	int64_t p1[2], p2[2];
	struct arena a;
};

struct people {
	int64_t *p1, *p2;
};

static int add_people(struct store_tx *tx, void *arg, struct err *e)
{
	struct people *pp = arg;
	struct person p = {0, "17050400500", "Kari", "Nordmann", date_from_ymd(2004, 5, 17), "Storgata 1", "0150", "Oslo",
			   0, NULL, NULL};
	struct person q = {0, "01020300600", "Ola", "Hansen", date_from_ymd(2003, 2, 1), "Bygata 2", "5003", "Bergen",
			   0, NULL, NULL};
	if (store_person_insert(tx, &p, pp->p1, e) != 0)
		return -1;
	return store_person_insert(tx, &q, pp->p2, e);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (testdb_open(&f->one, "ledger_pending_one") != 0 || testdb_open(&f->many, "ledger_pending_many") != 0)
		return -1;
	struct people a = {&f->p1[0], &f->p2[0]}, b = {&f->p1[1], &f->p2[1]};
	if (store_write(f->one.s, add_people, &a, &e) != 0 || store_write(f->many.s, add_people, &b, &e) != 0)
		return -1;
	arena_init(&f->a, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_cleanup(&f->a);
	testdb_close(&f->one);
	testdb_close(&f->many);
	free(f);
	return 0;
}

/* A page of postings: two disbursements, then conversions, two for p1. */
struct page {
	int64_t p1, p2;
	int pending;     /* through ledger_post_pending, else ledger_post */
	int64_t ids[5];  /* the entries' ids */
	int64_t seen_p1; /* p1's principal read before p1's second conversion */
	int had_before_flush;
};

static int post_page(struct store_tx *tx, void *arg, struct err *e)
{
	struct page *pg = arg;
	date_t aug = date_from_ymd(2024, 8, 20), nov = date_from_ymd(2025, 11, 1);
	struct ledger_leg l1[] = {{"loan.principal", KR(60000)}, {"agency.bank", -KR(60000)}};
	struct ledger_leg l2[] = {{"loan.principal", KR(40000)}, {"agency.bank", -KR(40000)}};
	struct ledger_leg c1[] = {{"agency.conversion", KR(20000)}, {"loan.principal", -KR(20000)}};
	struct ledger_leg c2[] = {{"agency.conversion", KR(15000)}, {"loan.principal", -KR(15000)}};
	struct ledger_leg c3[] = {{"agency.conversion", KR(5000)}, {"loan.principal", -KR(5000)}};
	struct ledger_entry en[] = {{pg->p1, "disbursement", "decision:1", aug, 2, l1},
				    {pg->p2, "disbursement", "decision:2", aug, 2, l2},
				    {pg->p1, "conversion", "run:convert-2024", nov, 2, c1},
				    {pg->p2, "conversion", "run:convert-2024", nov, 2, c2},
				    {pg->p1, "conversion", "run:convert-2024", nov, 2, c3}};
	struct arena a;
	arena_init(&a, 0);
	struct ledger_pending p = {&a, NULL, 0, 0};
	int rc = 0;
	for (int i = 0; i < 5 && rc == 0; i++) {
		if (i == 4) {
			/* p1's legs are kept: they go first, then the balance holds them. */
			if (pg->pending) {
				pg->had_before_flush = ledger_pending_has(&p, pg->p1);
				rc = ledger_pending_flush(tx, &p, e);
			}
			if (rc == 0)
				rc = ledger_balance_tx(tx, pg->p1, "loan.principal", nov, &pg->seen_p1, e);
		}
		if (rc == 0)
			rc = pg->pending ? ledger_post_pending(tx, &en[i], &p, &pg->ids[i], e)
					 : ledger_post(tx, &en[i], &pg->ids[i], e);
	}
	if (rc == 0 && pg->pending)
		rc = ledger_pending_flush(tx, &p, e);
	arena_cleanup(&a);
	return rc;
}

static char *dump(struct testdb *db, struct arena *a)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(db->path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT group_concat(l.id || '/' || l.entry_id || '/' || l.account || '/' || "
					    "coalesce(l.person_id, '-') || '/' || l.effective || '/' || l.amount || '/' || "
					    "e.kind || '/' || e.cause, ';') FROM (SELECT * FROM ledger_legs ORDER BY id) l "
					    "JOIN ledger_entries e ON e.id = l.entry_id",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	char *s = arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return s;
}

static void kept_legs_are_written_as_ledger_post_writes_them_one_by_one(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct page one = {f->p1[0], f->p2[0], 0, {0}, 0, 0}, many = {f->p1[1], f->p2[1], 1, {0}, 0, 0};
	assert_int_equal(store_write(f->one.s, post_page, &one, &e), 0);
	assert_int_equal(store_write(f->many.s, post_page, &many, &e), 0);
	assert_memory_equal(one.ids, many.ids, sizeof(one.ids));
	/* Before p1's second conversion its first is in the balance. */
	assert_true(many.had_before_flush);
	assert_int_equal(one.seen_p1, KR(40000));
	assert_int_equal(many.seen_p1, KR(40000));
	char *a = dump(&f->one, &f->a), *b = dump(&f->many, &f->a);
	assert_true(strlen(a) > 100);
	assert_string_equal(a, b);
	int64_t d1, d2;
	assert_int_equal(ledger_debt(f->many.s, f->p1[1], date_from_ymd(2025, 12, 1), &d1, &e), 0);
	assert_int_equal(ledger_debt(f->many.s, f->p2[1], date_from_ymd(2025, 12, 1), &d2, &e), 0);
	assert_int_equal(d1, KR(35000));
	assert_int_equal(d2, KR(25000));
	struct ledger_report r;
	assert_int_equal(ledger_check(f->many.s, &r, &f->a, &e), 0);
	assert_int_equal(r.n_problems, 0);
	assert_int_equal(r.entries, 5);
	assert_int_equal(r.legs, 10);
}

struct refused {
	int64_t person;
	int kept;
};

static int post_refused(struct store_tx *tx, void *arg, struct err *e)
{
	struct refused *x = arg;
	struct ledger_leg bad[] = {{"loan.principal", KR(100)}, {"agency.bank", -KR(99)}};
	struct ledger_entry en = {x->person, "disbursement", "decision:9", date_from_ymd(2024, 8, 20), 2, bad};
	struct arena a;
	arena_init(&a, 0);
	struct ledger_pending p = {&a, NULL, 0, 0};
	int rc = ledger_post_pending(tx, &en, &p, NULL, e);
	x->kept = p.n;
	arena_cleanup(&a);
	return rc;
}

static void an_entry_refused_keeps_no_leg_and_writes_nothing(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct refused x = {f->p1[0], -1};
	assert_int_equal(store_write(f->one.s, post_refused, &x, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "legs");
	assert_int_equal(x.kept, 0);
	struct ledger_report r;
	assert_int_equal(ledger_check(f->one.s, &r, &f->a, &e), 0);
	assert_int_equal(r.n_problems, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(kept_legs_are_written_as_ledger_post_writes_them_one_by_one, setup, teardown),
		cmocka_unit_test_setup_teardown(an_entry_refused_keeps_no_leg_and_writes_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
