/* sqlite_fixedrate.c - the fixed rate's interest loss or gain in SQLite;
 * see store/fixedrate.h. Migration 0026. */
#include "store/fixedrate.h"

#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/ledger.h"
#include "store/sqlite_internal.h"

#define COLS                                                                                                   \
	"id, person_id, cause, event, day, amount, agreement_rate, fixed_until, months_left, terms_left, state, " \
	"coalesce(comparison_rate120, 0), coalesce(adjustment, 0), missing, coalesce(entry_id, 0), "            \
	"coalesce(letter_id, 0), created_at, pause_months"

static void read_row(sqlite3_stmt *st, struct loan_fixed_adjustment *r, struct arena *a)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->person_id = sqlite3_column_int64(st, 1);
	r->cause = sq_col_str(st, 2, a);
	r->event = sq_col_str(st, 3, a);
	r->day = sq_col_day(st, 4);
	r->amount = sqlite3_column_int64(st, 5);
	r->agreement_rate = (int32_t)sqlite3_column_int64(st, 6);
	r->fixed_until = sq_col_day(st, 7);
	r->months_left = sqlite3_column_int(st, 8);
	r->terms_left = sqlite3_column_int(st, 9);
	r->state = sq_col_str(st, 10, a);
	r->rate120 = sqlite3_column_int64(st, 11);
	r->adjustment = sqlite3_column_int64(st, 12);
	r->missing = sq_col_str(st, 13, a);
	r->entry_id = sqlite3_column_int64(st, 14);
	r->letter_id = sqlite3_column_int64(st, 15);
	r->created_at = sqlite3_column_int64(st, 16);
	r->pause_months = sqlite3_column_int(st, 17);
}

static int row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	read_row(st, (struct loan_fixed_adjustment *)out + i, a);
	return 0;
}

int store_loan_fixed_insert(struct store_tx *tx, const struct loan_fixed_adjustment *x, int64_t *id,
			    struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
				   "INSERT INTO loan_fixed_adjustments(person_id, cause, event, day, amount, agreement_rate, "
				   "fixed_until, months_left, terms_left, state, comparison_rate120, adjustment, missing, "
				   "entry_id, letter_id, created_at, posted_at, pause_months) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
				   "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, CASE WHEN ?10 = 'posted' THEN ?16 END, ?17)",
				   e);
	if (st == NULL)
		return -1;
	int posted = strcmp(x->state, "posted") == 0;
	sqlite3_bind_int64(st, 1, x->person_id);
	sq_bind_str(st, 2, x->cause);
	sq_bind_str(st, 3, x->event);
	sq_bind_day(st, 4, x->day);
	sqlite3_bind_int64(st, 5, x->amount);
	sqlite3_bind_int64(st, 6, x->agreement_rate);
	sq_bind_day(st, 7, x->fixed_until);
	sqlite3_bind_int(st, 8, x->months_left);
	sqlite3_bind_int(st, 9, x->terms_left);
	sq_bind_str(st, 10, x->state);
	if (posted) {
		sqlite3_bind_int64(st, 11, x->rate120);
		sqlite3_bind_int64(st, 12, x->adjustment);
	}
	sq_bind_str(st, 13, x->missing);
	sq_bind_id_or_null(st, 14, x->entry_id);
	sq_bind_id_or_null(st, 15, x->letter_id);
	sqlite3_bind_int64(st, 16, x->created_at);
	sqlite3_bind_int(st, 17, x->pause_months);
	if (sqlite3_step(st) != SQLITE_DONE) {
		int ext = sqlite3_extended_errcode(tx->c->db);
		sqlite3_reset(st);
		if (ext == SQLITE_CONSTRAINT_UNIQUE)
			return err_set(e, ERR_CONFLICT, "cause", "the loss or gain of %s is computed already", x->cause);
		return sq_db_error(e, tx->c->db, "insert fixed-rate adjustment");
	}
	sqlite3_reset(st);
	if (id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	return 0;
}

int store_loan_fixed_posted(struct store_tx *tx, int64_t id, int64_t rate120, int64_t adjustment, int64_t entry_id,
			    int64_t letter_id, int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
				   "UPDATE loan_fixed_adjustments SET state = 'posted', comparison_rate120 = ?2, "
				   "adjustment = ?3, missing = NULL, entry_id = ?4, letter_id = ?5, posted_at = ?6 "
				   "WHERE id = ?1 AND state = 'waiting'",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, rate120);
	sqlite3_bind_int64(st, 3, adjustment);
	sq_bind_id_or_null(st, 4, entry_id);
	sq_bind_id_or_null(st, 5, letter_id);
	sqlite3_bind_int64(st, 6, now);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "post fixed-rate adjustment");
	if (sqlite3_changes(tx->c->db) != 1)
		return err_set(e, ERR_CONFLICT, "adjustment", "the loss or gain is posted already");
	return 0;
}

struct list_args {
	int64_t person_id;
	int max;
};

static void bind_list(sqlite3_stmt *st, const void *arg)
{
	const struct list_args *x = arg;
	if (x->person_id > 0) {
		sqlite3_bind_int64(st, 1, x->person_id);
		sqlite3_bind_int(st, 2, x->max);
	} else {
		sqlite3_bind_int(st, 1, x->max);
	}
}

int store_loan_fixed_list(struct store *s, int64_t person_id, struct loan_fixed_adjustment **out, int max,
			  struct arena *a, struct err *e)
{
	if (max > LIST_MAX)
		max = LIST_MAX;
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	struct list_args x = {person_id, max};
	if (person_id > 0)
		return sq_query(s, "SELECT " COLS " FROM loan_fixed_adjustments WHERE person_id = ?1 "
				   "ORDER BY day DESC, id DESC LIMIT ?2",
				bind_list, &x, row, *out, max, a, e);
	return sq_query(s, "SELECT " COLS " FROM loan_fixed_adjustments WHERE state = 'waiting' ORDER BY id LIMIT ?1",
			bind_list, &x, row, *out, max, a, e);
}

int store_loan_fixed_get_tx(struct store_tx *tx, int64_t id, struct loan_fixed_adjustment *out, struct arena *a,
			    struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " COLS " FROM loan_fixed_adjustments WHERE id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, out, a);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : sq_db_error(e, tx->c->db, "fixed-rate adjustment");
}

int store_loan_fixed_by_letter(struct store *s, int64_t letter_id, struct loan_fixed_adjustment *out,
			       struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " COLS " FROM loan_fixed_adjustments WHERE letter_id = ?", sq_bind_id, &letter_id,
			 row, out, 1, a, e);
	return n < 0 ? -1 : n == 0 ? 1 : 0;
}
