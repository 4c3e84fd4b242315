/* sqlite_ledger.c - the ledger's storage on SQLite (see ledger.h): entries
 * and legs appended (triggers refuse an update or a delete), balances summed
 * from the legs on demand, and the invariants checked in SQL.
 *
 * A leg repeats its entry's person (on a person's account only) and
 * effective day, so that a person's debt on a day is one sum over the
 * partial index ledger_legs_person; the check proves the copies agree. */
#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/ledger.h"
#include "store/sqlite_internal.h"

int store_ledger_entry_insert(struct store_tx *tx, int64_t person_id, const char *kind, const char *cause,
			      date_t effective, int64_t *id, struct err *e)
{
	char day[11];
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO ledger_entries(person_id, kind, cause, effective) "
				       "VALUES (?1, ?2, ?3, ?4)", e);
	if (st == NULL)
		return -1;
	if (person_id > 0)
		sqlite3_bind_int64(st, 1, person_id);
	else
		sqlite3_bind_null(st, 1);
	sq_bind_str(st, 2, kind);
	sq_bind_str(st, 3, cause);
	sqlite3_bind_text(st, 4, date_format(effective, day), -1, SQLITE_TRANSIENT);
	return sq_step_insert(tx, st, id, "insert ledger entry", e);
}

int store_ledger_leg_insert(struct store_tx *tx, int64_t entry_id, const char *account, int personal,
			    int64_t person_id, date_t effective, int64_t amount, struct err *e)
{
	char day[11];
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO ledger_legs(entry_id, account, person_id, effective, amount) "
				       "VALUES (?1, ?2, ?3, ?4, ?5)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, entry_id);
	sq_bind_str(st, 2, account);
	if (personal && person_id > 0)
		sqlite3_bind_int64(st, 3, person_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, date_format(effective, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, amount);
	return sq_step_insert(tx, st, NULL, "insert ledger leg", e);
}

struct sum_args {
	int64_t person_id;
	const char *account, *kind;
	char from[11], to[11];
};

static void bind_sum(sqlite3_stmt *st, const void *arg)
{
	const struct sum_args *q = arg;
	sqlite3_bind_int64(st, 1, q->person_id);
	sq_bind_str(st, 2, q->account);
	sqlite3_bind_text(st, 3, q->to, -1, SQLITE_STATIC);
	sq_bind_str(st, 4, q->kind);
	sqlite3_bind_text(st, 5, q->from, -1, SQLITE_STATIC);
}

/* Only personal accounts carry a person, so "every personal account" needs
 * no list of names. */
#define SUM_SQL "SELECT coalesce(sum(amount), 0) FROM ledger_legs WHERE person_id = ?1 " \
		"AND (?2 IS NULL OR account = ?2) AND effective <= ?3"

int store_ledger_person_sum(struct store *s, int64_t person_id, const char *account, date_t d, int64_t *ore,
			    struct err *e)
{
	struct sum_args q = {.person_id = person_id, .account = account};
	date_format(d, q.to);
	q.from[0] = '\0';
	*ore = 0;
	return sq_query(s, SUM_SQL, bind_sum, &q, sq_count_row, ore, 1, NULL, e) < 0 ? -1 : 0;
}

int store_ledger_person_sum_tx(struct store_tx *tx, int64_t person_id, const char *account, date_t d,
			       int64_t *ore, struct err *e)
{
	struct sum_args q = {.person_id = person_id, .account = account};
	date_format(d, q.to);
	q.from[0] = '\0';
	sqlite3_stmt *st = sq_prep(tx->c, SUM_SQL, e);
	if (st == NULL)
		return -1;
	bind_sum(st, &q);
	if (sqlite3_step(st) != SQLITE_ROW)
		return sq_db_error(e, tx->c->db, "ledger sum");
	*ore = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int store_ledger_person_flow(struct store *s, int64_t person_id, const char *account, const char *kind,
			     date_t from, date_t to, int64_t *ore, struct err *e)
{
	struct sum_args q = {.person_id = person_id, .account = account, .kind = kind};
	date_format(from, q.from);
	date_format(to, q.to);
	*ore = 0;
	return sq_query(s,
			"SELECT coalesce(sum(l.amount), 0) FROM ledger_legs l JOIN ledger_entries en ON en.id = l.entry_id "
			"WHERE l.person_id = ?1 AND (?2 IS NULL OR l.account = ?2) AND l.effective <= ?3 "
			"AND (?4 IS NULL OR en.kind = ?4) AND l.effective >= ?5",
			bind_sum, &q, sq_count_row, ore, 1, NULL, e) < 0
		       ? -1
		       : 0;
}

int store_ledger_cause_exists(struct store_tx *tx, const char *cause, const char *kind, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT 1 FROM ledger_entries WHERE cause = ?1 AND kind = ?2 LIMIT 1", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, cause);
	sq_bind_str(st, 2, kind);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_db_error(e, tx->c->db, "ledger cause");
}

/* ---- the invariants ---- */

static int problem_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct ledger_problem *p = (struct ledger_problem *)out + i;
	p->what = sq_col_str(st, 0, a);
	p->entry_id = sqlite3_column_int64(st, 1);
	p->person_id = sqlite3_column_int64(st, 2);
	p->a = sqlite3_column_int64(st, 3);
	p->b = sqlite3_column_int64(st, 4);
	return 0;
}

static void bind_max(sqlite3_stmt *st, const void *arg)
{
	sqlite3_bind_int(st, 1, *(const int *)arg);
}

/* Each invariant is one SELECT of (what, entry, person, a, b); the debt
 * compares the legs' own copy of the person with the entry's. */
#define CHECK_SQL                                                                                                  \
	"SELECT * FROM ("                                                                                          \
	"SELECT 'unbalanced', en.id, coalesce(en.person_id, 0), coalesce(sum(l.amount), 0), count(l.id) "          \
	"FROM ledger_entries en LEFT JOIN ledger_legs l ON l.entry_id = en.id GROUP BY en.id "                     \
	"HAVING coalesce(sum(l.amount), 0) <> 0 OR count(l.id) < 2 "                                              \
	"UNION ALL "                                                                                               \
	"SELECT 'leg-person', en.id, coalesce(en.person_id, 0), coalesce(l.person_id, 0), l.id "                   \
	"FROM ledger_legs l JOIN ledger_entries en ON en.id = l.entry_id JOIN ledger_accounts ac ON ac.name = l.account " \
	"WHERE (ac.personal = 1 AND (en.person_id IS NULL OR l.person_id IS NOT en.person_id)) "                   \
	"OR (ac.personal = 0 AND l.person_id IS NOT NULL) "                                                        \
	"UNION ALL "                                                                                               \
	"SELECT 'leg-date', en.id, coalesce(en.person_id, 0), l.id, 0 "                                            \
	"FROM ledger_legs l JOIN ledger_entries en ON en.id = l.entry_id WHERE l.effective <> en.effective "      \
	"UNION ALL "                                                                                               \
	"SELECT 'debt-mismatch', 0, p, by_leg, by_entry FROM ("                                                    \
	" SELECT p, sum(by_leg) AS by_leg, sum(by_entry) AS by_entry FROM ("                                       \
	"  SELECT l.person_id AS p, l.amount AS by_leg, 0 AS by_entry FROM ledger_legs l WHERE l.person_id IS NOT NULL " \
	"  UNION ALL SELECT en.person_id, 0, l.amount FROM ledger_legs l JOIN ledger_entries en ON en.id = l.entry_id " \
	"  JOIN ledger_accounts ac ON ac.name = l.account WHERE ac.personal = 1 AND en.person_id IS NOT NULL"       \
	" ) GROUP BY p) WHERE by_leg <> by_entry "                                                                 \
	"UNION ALL "                                                                                               \
	"SELECT 'negative-debt', 0, person_id, sum(amount), 0 FROM ledger_legs WHERE person_id IS NOT NULL "       \
	"GROUP BY person_id HAVING sum(amount) < 0 "                                                               \
	"UNION ALL "                                                                                               \
	"SELECT 'ledger-total', 0, 0, coalesce(sum(amount), 0), count(*) FROM ledger_legs HAVING coalesce(sum(amount), 0) <> 0" \
	") LIMIT ?1"

int store_ledger_check(struct store *s, struct ledger_problem **out, int max, int64_t *entries, int64_t *legs,
		       struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	int n = sq_query(s, CHECK_SQL, bind_max, &max, problem_row, *out, max, a, e);
	if (n < 0)
		return -1;
	*entries = *legs = 0;
	if (sq_query(s, "SELECT count(*) FROM ledger_entries", sq_bind_none, NULL, sq_count_row, entries, 1, NULL, e) < 0 ||
	    sq_query(s, "SELECT count(*) FROM ledger_legs", sq_bind_none, NULL, sq_count_row, legs, 1, NULL, e) < 0)
		return -1;
	return n;
}
