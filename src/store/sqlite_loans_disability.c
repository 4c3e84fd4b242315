/* sqlite_loans_disability.c - the disability write-off decisions on SQLite
 * (see loans_disability.h, migration 0025). */
#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/ledger.h"
#include "store/loans_disability.h"
#include "store/sqlite_internal.h"

#define COLS "id, person_id, coalesce(staff_id, 0), received, effective, degree, aap, income, income_source, " \
	     "children, children_source, outcome, income_limit, band, debt_before, new_debt, new_term, " \
	     "written_off, trace, coalesce(letter_id, 0), created_at"

static date_t col_date(sqlite3_stmt *st, int i)
{
	date_t d = 0;
	const unsigned char *t = sqlite3_column_text(st, i);
	if (t != NULL)
		date_parse((const char *)t, &d);
	return d;
}

static int row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_disability *d = (struct loan_disability *)out + i;
	d->id = sqlite3_column_int64(st, 0);
	d->person_id = sqlite3_column_int64(st, 1);
	d->staff_id = sqlite3_column_int64(st, 2);
	d->received = col_date(st, 3);
	d->effective = col_date(st, 4);
	d->degree = sqlite3_column_int(st, 5);
	d->aap = sqlite3_column_int(st, 6);
	d->income = sqlite3_column_int64(st, 7);
	d->income_source = sq_col_str(st, 8, a);
	d->children = sqlite3_column_int(st, 9);
	d->children_source = sq_col_str(st, 10, a);
	d->outcome = sq_col_str(st, 11, a);
	d->income_limit = sqlite3_column_int64(st, 12);
	d->band = sqlite3_column_int(st, 13);
	d->debt_before = sqlite3_column_int64(st, 14);
	d->new_debt = sqlite3_column_int64(st, 15);
	d->new_term = sqlite3_column_int64(st, 16);
	d->written_off = sqlite3_column_int64(st, 17);
	d->trace = sq_col_str(st, 18, a);
	d->letter_id = sqlite3_column_int64(st, 19);
	d->created_at = sqlite3_column_int64(st, 20);
	return 0;
}

int store_loan_disability_insert(struct store_tx *tx, const struct loan_disability *d, int64_t *id, struct err *e)
{
	char received[11], effective[11];
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO loan_disability_decisions(person_id, staff_id, received, "
				       "effective, degree, aap, income, income_source, children, children_source, outcome, "
				       "income_limit, band, debt_before, new_debt, new_term, written_off, trace, letter_id, "
				       "created_at) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
				       "?13, ?14, ?15, ?16, ?17, ?18, nullif(?19, 0), ?20)",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, d->person_id);
	sqlite3_bind_int64(st, 2, d->staff_id);
	sqlite3_bind_text(st, 3, date_format(d->received, received), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, date_format(d->effective, effective), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, d->degree);
	sqlite3_bind_int(st, 6, d->aap);
	sqlite3_bind_int64(st, 7, d->income);
	sq_bind_str(st, 8, d->income_source);
	sqlite3_bind_int(st, 9, d->children);
	sq_bind_str(st, 10, d->children_source);
	sq_bind_str(st, 11, d->outcome);
	sqlite3_bind_int64(st, 12, d->income_limit);
	sqlite3_bind_int(st, 13, d->band);
	sqlite3_bind_int64(st, 14, d->debt_before);
	sqlite3_bind_int64(st, 15, d->new_debt);
	sqlite3_bind_int64(st, 16, d->new_term);
	sqlite3_bind_int64(st, 17, d->written_off);
	sq_bind_str(st, 18, d->trace ? d->trace : "");
	sqlite3_bind_int64(st, 19, d->letter_id);
	sqlite3_bind_int64(st, 20, d->created_at);
	int rc = sqlite3_step(st);
	int unique = rc != SQLITE_DONE && sqlite3_extended_errcode(tx->c->db) == SQLITE_CONSTRAINT_UNIQUE;
	if (rc != SQLITE_DONE && !unique)
		sq_db_error(e, tx->c->db, "insert disability decision");
	sqlite3_reset(st);
	if (unique)
		return err_set(e, ERR_CONFLICT, "received", "the application received that day is decided already");
	if (rc != SQLITE_DONE)
		return -1;
	if (id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	return 0;
}

int store_loan_disability_find_tx(struct store_tx *tx, int64_t person_id, date_t received, struct loan_disability *out,
				  struct arena *a, struct err *e)
{
	char day[11];
	sqlite3_stmt *st =
		sq_prep(tx->c, "SELECT " COLS " FROM loan_disability_decisions WHERE person_id = ?1 AND received = ?2", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_text(st, 2, date_format(received, day), -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row(st, out, 0, a);
	else if (rc != SQLITE_DONE)
		sq_db_error(e, tx->c->db, "find disability decision");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int store_loan_disability_by_letter(struct store *s, int64_t letter_id, struct loan_disability *out, struct arena *a,
				    struct err *e)
{
	int n = sq_query(s, "SELECT " COLS " FROM loan_disability_decisions WHERE letter_id = ?", sq_bind_id, &letter_id,
			 row, out, 1, a, e);
	return n < 0 ? -1 : n == 0 ? 1 : 0;
}

int store_loan_disability_list(struct store *s, int64_t person_id, struct loan_disability **out, int max,
			       struct arena *a, struct err *e)
{
	if (max < 1 || max > LIST_MAX)
		max = LIST_MAX;
	*out = arena_zalloc(a, sizeof(**out) * (size_t)max);
	return sq_query(s, "SELECT " COLS " FROM loan_disability_decisions WHERE person_id = ? ORDER BY id DESC",
			sq_bind_id, &person_id, row, *out, max, a, e);
}

struct days_q {
	int64_t person_id;
	char from[11], to[11];
};

static void bind_days(sqlite3_stmt *st, const void *arg)
{
	const struct days_q *q = arg;
	sqlite3_bind_int64(st, 1, q->person_id);
	sqlite3_bind_text(st, 2, q->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, q->to, -1, SQLITE_STATIC);
}

static int day_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	struct ledger_day *d = (struct ledger_day *)out + i;
	d->day = col_date(st, 0);
	d->amount = sqlite3_column_int64(st, 1);
	return 0;
}

int store_loan_disability_days(struct store *s, int64_t person_id, date_t from, date_t to, struct ledger_day **out,
			       int max, struct arena *a, struct err *e)
{
	struct days_q q = {.person_id = person_id};
	date_format(from, q.from);
	date_format(to, q.to);
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	return sq_query(s, "SELECT effective, sum(amount) FROM ledger_legs WHERE person_id = ?1 AND effective >= ?2 "
			   "AND effective <= ?3 GROUP BY effective ORDER BY effective",
			bind_days, &q, day_row, *out, max, a, e);
}

struct month_q {
	int64_t person_id;
	const char *month, *kind;
};

static void bind_month(sqlite3_stmt *st, const void *arg)
{
	const struct month_q *q = arg;
	sqlite3_bind_int64(st, 1, q->person_id);
	sq_bind_str(st, 2, q->month);
	sq_bind_str(st, 3, q->kind);
}

int store_loan_disability_month_marked(struct store *s, int64_t person_id, const char *month, const char *kind,
				       struct err *e)
{
	struct month_q q = {person_id, month, kind};
	int64_t n = 0;
	if (sq_query(s, "SELECT count(*) FROM loan_months WHERE person_id = ?1 AND month = ?2 AND kind = ?3", bind_month,
		     &q, sq_count_row, &n, 1, NULL, e) < 0)
		return -1;
	return n > 0;
}
