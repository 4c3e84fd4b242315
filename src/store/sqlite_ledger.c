/* sqlite_ledger.c - the ledger's storage on SQLite (see ledger.h): entries
 * and legs appended (triggers refuse an update or a delete), balances summed
 * from the legs on demand, and the invariants checked in SQL.
 *
 * A leg repeats its entry's person (on a person's account only) and
 * effective day, so that a person's debt on a day is one sum over the
 * partial index ledger_legs_person; the check proves the copies agree. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/ledger.h"
#include "store/loans_bulk.h"
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

int store_ledger_legs_insert_many(struct store_tx *tx, const struct store_leg *legs, int n, struct err *e)
{
	/* The legs as one JSON array of [entry, account, person, day, amount]
	 * rows, read back by json_each in order: one statement, however many
	 * legs (the chart's names and the digits need no escaping, but are
	 * escaped all the same). */
	struct buf b;
	char day[11];
	int rc = 0;
	buf_init(&b, (size_t)n * 128 + 64);
	buf_putc(&b, '[');
	for (int i = 0; i < n && rc == 0; i++) {
		buf_puts(&b, i ? ",[" : "[");
		buf_put_i64(&b, legs[i].entry_id);
		buf_putc(&b, ',');
		buf_put_json_string(&b, legs[i].account ? legs[i].account : "");
		buf_putc(&b, ',');
		if (legs[i].person_id > 0)
			buf_put_i64(&b, legs[i].person_id);
		else
			buf_puts(&b, "null");
		buf_puts(&b, ",\"");
		buf_puts(&b, date_format(legs[i].effective, day));
		buf_puts(&b, "\",");
		buf_put_i64(&b, legs[i].amount);
		rc = buf_putc(&b, ']');
	}
	if (rc != 0 || buf_putc(&b, ']') != 0) {
		buf_cleanup(&b);
		return err_set(e, ERR_INTERNAL, NULL, "insert ledger legs: out of memory");
	}
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO ledger_legs(entry_id, account, person_id, effective, amount) "
				       "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 "
				       "FROM json_each(?1) ORDER BY key", e);
	if (st == NULL) {
		buf_cleanup(&b);
		return -1;
	}
	sqlite3_bind_text(st, 1, buf_str(&b), (int)b.len, SQLITE_STATIC);
	rc = sq_step_insert(tx, st, NULL, "insert ledger legs", e);
	sqlite3_reset(st); /* the statement lets go of the text before it is freed */
	sqlite3_clear_bindings(st);
	buf_cleanup(&b);
	return rc;
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

#define SUM_MARKED_SQL                                                                                            \
	"SELECT coalesce((SELECT CASE WHEN ?2 IS NULL THEN principal + interest WHEN ?2 = 'loan.principal' "      \
	"THEN principal WHEN ?2 = 'loan.interest' THEN interest ELSE 0 END FROM loan_balance_marks "               \
	"WHERE person_id = ?1 AND through <= ?3), 0) + (SELECT coalesce(sum(amount), 0) FROM ledger_legs "         \
	"WHERE person_id = ?1 AND (?2 IS NULL OR account = ?2) AND effective <= ?3 AND effective > "               \
	"coalesce((SELECT through FROM loan_balance_marks WHERE person_id = ?1 AND through <= ?3), ''))"

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
	/* #11, speed: from the person's balance mark (0021) when it lies on
	 * or before the day, only the legs after it are read. */
	sqlite3_stmt *st = sq_prep(tx->c, SUM_MARKED_SQL, e);
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

/* The invariants in SQL: the reference that store_ledger_check (one pass
 * in C, sqlite_loans_bulk.c) is tested against. */
int store_ledger_check_sql(struct store *s, struct ledger_problem **out, int max, int64_t *entries, int64_t *legs,
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

/* ---- loan accounts ---- */

#define ACCOUNT_COLS "person_id, kid, support_ended, interest_through, coalesce(fixed_rate, 0), " \
		     "coalesce(fixed_years, 0), fixed_from, fixed_until, first_due, last_due, paper, fixed_term"

static int account_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_account *l = (struct loan_account *)out + i;
	l->person_id = sqlite3_column_int64(st, 0);
	l->kid = sq_col_str(st, 1, a);
	l->support_ended = sq_col_day(st, 2);
	l->interest_through = sq_col_day(st, 3);
	l->fixed_rate = sqlite3_column_int(st, 4);
	l->fixed_years = sqlite3_column_int(st, 5);
	l->fixed_from = sq_col_day(st, 6);
	l->fixed_until = sq_col_day(st, 7);
	l->first_due = sq_col_day(st, 8);
	l->last_due = sq_col_day(st, 9);
	l->paper = sqlite3_column_int(st, 10);
	l->fixed_term = sqlite3_column_int64(st, 11);
	return 0;
}

int store_loan_account_get(struct store *s, int64_t person_id, struct loan_account *out, struct arena *a,
			   struct err *e)
{
	int n = sq_query(s, "SELECT " ACCOUNT_COLS " FROM loan_accounts WHERE person_id = ?", sq_bind_id, &person_id,
			 account_row, out, 1, a, e);
	return n < 0 ? -1 : n == 1 ? 0 : 1;
}

int store_loan_account_get_tx(struct store_tx *tx, int64_t person_id, struct loan_account *out, struct arena *a,
			      struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " ACCOUNT_COLS " FROM loan_accounts WHERE person_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		account_row(st, out, 0, a);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 1 : sq_db_error(e, tx->c->db, "loan account");
}

int store_loan_account_put(struct store_tx *tx, const struct loan_account *l, int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR REPLACE INTO loan_accounts(person_id, kid, support_ended, "
				       "interest_through, fixed_rate, fixed_years, fixed_from, fixed_until, first_due, "
				       "last_due, paper, updated_at, fixed_term) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, l->person_id);
	sq_bind_str(st, 2, l->kid);
	sq_bind_day(st, 3, l->support_ended);
	sq_bind_day(st, 4, l->interest_through);
	if (l->fixed_years) {
		sqlite3_bind_int(st, 5, l->fixed_rate);
		sqlite3_bind_int(st, 6, l->fixed_years);
	} else {
		sqlite3_bind_null(st, 5);
		sqlite3_bind_null(st, 6);
	}
	sq_bind_day(st, 7, l->fixed_years ? l->fixed_from : LOAN_NO_DATE);
	sq_bind_day(st, 8, l->fixed_years ? l->fixed_until : LOAN_NO_DATE);
	sq_bind_day(st, 9, l->first_due);
	sq_bind_day(st, 10, l->last_due);
	sqlite3_bind_int(st, 11, l->paper != 0);
	sqlite3_bind_int64(st, 12, now);
	sqlite3_bind_int64(st, 13, l->fixed_term > 0 ? l->fixed_term : 0);
	return sq_step_insert(tx, st, NULL, "store loan account", e);
}

struct page_args {
	int64_t after;
	int max;
};

static void bind_page(sqlite3_stmt *st, const void *arg)
{
	const struct page_args *p = arg;
	sqlite3_bind_int64(st, 1, p->after);
	sqlite3_bind_int(st, 2, p->max);
}

static int id_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	((int64_t *)out)[i] = sqlite3_column_int64(st, 0);
	return 0;
}

int store_loan_accounts_repaying(struct store *s, int64_t after_id, int64_t *ids, int max, struct err *e)
{
	struct page_args p = {after_id, max};
	return sq_query(s, "SELECT person_id FROM loan_accounts WHERE support_ended IS NOT NULL AND person_id > ?1 "
			   "ORDER BY person_id LIMIT ?2",
			bind_page, &p, id_row, ids, max, NULL, e);
}

int store_loan_account_by_kid_tx(struct store_tx *tx, const char *kid, int64_t *person_id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT person_id FROM loan_accounts WHERE kid = ?", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, kid);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*person_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : sq_db_error(e, tx->c->db, "loan account by KID");
}

int store_ledger_person_days_tx(struct store_tx *tx, int64_t person_id, date_t from, date_t to, int64_t *opening,
				struct ledger_day **out, struct arena *a, struct err *e)
{
	if (store_ledger_person_sum_tx(tx, person_id, NULL, from - 1, opening, e) != 0)
		return -1;
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT effective, sum(amount) FROM ledger_legs WHERE person_id = ?1 "
				       "AND effective >= ?2 AND effective <= ?3 GROUP BY effective ORDER BY effective",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_day(st, 2, from);
	sq_bind_day(st, 3, to);
	int n = 0, cap = 0, rc;
	*out = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			int ncap = cap ? cap * 2 : 16;
			struct ledger_day *g = arena_zalloc(a, sizeof(*g) * (size_t)ncap);
			if (n)
				memcpy(g, *out, sizeof(*g) * (size_t)n);
			*out = g;
			cap = ncap;
		}
		(*out)[n].day = sq_col_day(st, 0);
		(*out)[n].amount = sqlite3_column_int64(st, 1);
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : sq_db_error(e, tx->c->db, "ledger days");
}

/* ---- invoices ---- */

#define INVOICE_COLS "id, person_id, due, amount, interest, principal, fee, kid, coalesce(letter_id, 0), paid, " \
		     "paid_at, created_at, reminders, reminded_at, cancelled_at IS NOT NULL"

static int invoice_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_invoice *v = (struct loan_invoice *)out + i;
	v->id = sqlite3_column_int64(st, 0);
	v->person_id = sqlite3_column_int64(st, 1);
	v->due = sq_col_day(st, 2);
	v->amount = sqlite3_column_int64(st, 3);
	v->interest = sqlite3_column_int64(st, 4);
	v->principal = sqlite3_column_int64(st, 5);
	v->fee = sqlite3_column_int64(st, 6);
	v->kid = sq_col_str(st, 7, a);
	v->letter_id = sqlite3_column_int64(st, 8);
	v->paid = sqlite3_column_int64(st, 9);
	v->paid_at = sq_col_day(st, 10);
	v->created_at = sqlite3_column_int64(st, 11);
	v->reminders = sqlite3_column_int(st, 12);
	v->reminded_at = sq_col_day(st, 13);
	v->cancelled = sqlite3_column_int(st, 14);
	return 0;
}

int store_loan_invoice_insert(struct store_tx *tx, const struct loan_invoice *v, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO loan_invoices(person_id, due, amount, interest, principal, fee, "
				       "kid, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, v->person_id);
	sq_bind_day(st, 2, v->due);
	sqlite3_bind_int64(st, 3, v->amount);
	sqlite3_bind_int64(st, 4, v->interest);
	sqlite3_bind_int64(st, 5, v->principal);
	sqlite3_bind_int64(st, 6, v->fee);
	sq_bind_str(st, 7, v->kid);
	sqlite3_bind_int64(st, 8, v->created_at);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(tx->c->db) == SQLITE_CONSTRAINT_UNIQUE)
			return err_set(e, ERR_CONFLICT, "due", "an invoice for that day exists");
		return sq_db_error(e, tx->c->db, "insert invoice");
	}
	if (id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	return 0;
}

int store_loan_invoice_set_letter(struct store_tx *tx, int64_t id, int64_t letter_id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE loan_invoices SET letter_id = ?2 WHERE id = ?1", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, letter_id);
	return sq_step_insert(tx, st, NULL, "invoice letter", e);
}

int store_loan_invoice_add_paid(struct store_tx *tx, int64_t id, int64_t paid, date_t on, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE loan_invoices SET paid = paid + ?2, paid_at = CASE WHEN "
				       "paid + ?2 >= amount + fee THEN ?3 ELSE paid_at END WHERE id = ?1",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, paid);
	sq_bind_day(st, 3, on);
	return sq_step_insert(tx, st, NULL, "invoice paid", e);
}

struct list_args {
	int64_t id;
	int max;
};

static void bind_list(sqlite3_stmt *st, const void *arg)
{
	const struct list_args *l = arg;
	sqlite3_bind_int64(st, 1, l->id);
	sqlite3_bind_int(st, 2, l->max);
}

int store_loan_invoices_of(struct store *s, int64_t person_id, struct loan_invoice **out, int max, struct arena *a,
			   struct err *e)
{
	struct list_args l = {person_id, max};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	return sq_query(s, "SELECT " INVOICE_COLS " FROM loan_invoices WHERE person_id = ?1 ORDER BY due DESC LIMIT ?2",
			bind_list, &l, invoice_row, *out, max, a, e);
}

int store_loan_invoice_get(struct store *s, int64_t id, struct loan_invoice *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " INVOICE_COLS " FROM loan_invoices WHERE id = ?", sq_bind_id, &id, invoice_row, out,
			 1, a, e);
	return n < 0 ? -1 : n == 1 ? 0 : 1;
}

int store_loan_invoices_open_tx(struct store_tx *tx, int64_t person_id, struct loan_invoice **out, int max,
				struct arena *a, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " INVOICE_COLS " FROM loan_invoices WHERE person_id = ?1 "
				       "AND paid < amount + fee AND cancelled_at IS NULL ORDER BY due LIMIT ?2",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int(st, 2, max);
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		invoice_row(st, *out, n++, a);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : sq_db_error(e, tx->c->db, "open invoices");
}

/* ---- payments ---- */

#define PAYMENT_COLS "id, bank_ref, kid, amount, booked, debtor, coalesce(person_id, 0), state, " \
		     "coalesce(entry_id, 0), received_at"

static int payment_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_payment *p = (struct loan_payment *)out + i;
	p->id = sqlite3_column_int64(st, 0);
	p->bank_ref = sq_col_str(st, 1, a);
	p->kid = sq_col_str(st, 2, a);
	p->amount = sqlite3_column_int64(st, 3);
	p->booked = sq_col_day(st, 4);
	p->debtor = sq_col_str(st, 5, a);
	p->person_id = sqlite3_column_int64(st, 6);
	p->state = sq_col_str(st, 7, a);
	p->entry_id = sqlite3_column_int64(st, 8);
	p->received_at = sqlite3_column_int64(st, 9);
	return 0;
}

int store_loan_payment_insert(struct store_tx *tx, const struct loan_payment *p, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO loan_payments(bank_ref, kid, amount, booked, debtor, state, "
				       "received_at) VALUES (?1, ?2, ?3, ?4, ?5, 'unmatched', ?6) "
				       "ON CONFLICT (bank_ref) DO NOTHING",
				   e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, p->bank_ref);
	sq_bind_str(st, 2, p->kid);
	sqlite3_bind_int64(st, 3, p->amount);
	sq_bind_day(st, 4, p->booked);
	sq_bind_str(st, 5, p->debtor);
	sqlite3_bind_int64(st, 6, p->received_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "insert payment");
	if (sqlite3_changes(tx->c->db) == 0)
		return 1;
	if (id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	return 0;
}

int store_loan_payment_settle(struct store_tx *tx, int64_t id, int64_t person_id, const char *state, int64_t entry_id,
			      struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE loan_payments SET person_id = nullif(?2, 0), state = ?3, "
				       "entry_id = nullif(?4, 0) WHERE id = ?1",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, person_id);
	sq_bind_str(st, 3, state);
	sqlite3_bind_int64(st, 4, entry_id);
	return sq_step_insert(tx, st, NULL, "settle payment", e);
}

int store_loan_payments_list(struct store *s, int64_t person_id, struct loan_payment **out, int max, struct arena *a,
			     struct err *e)
{
	struct list_args l = {person_id, max};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	if (person_id > 0)
		return sq_query(s, "SELECT " PAYMENT_COLS " FROM loan_payments WHERE person_id = ?1 ORDER BY id DESC LIMIT ?2",
				bind_list, &l, payment_row, *out, max, a, e);
	return sq_query(s, "SELECT " PAYMENT_COLS " FROM loan_payments WHERE state = 'unmatched' AND ?1 = 0 "
			   "ORDER BY id LIMIT ?2",
			bind_list, &l, payment_row, *out, max, a, e);
}

int store_loan_invoice_by_letter(struct store *s, int64_t letter_id, struct loan_invoice *out, struct arena *a,
				 struct err *e)
{
	int n = sq_query(s, "SELECT " INVOICE_COLS " FROM loan_invoices WHERE letter_id = ?1 OR reminder_letter_id = ?1",
			 sq_bind_id, &letter_id, invoice_row, out, 1, a, e);
	return n < 0 ? -1 : n == 1 ? 0 : 1;
}

int store_loan_invoice_latest_tx(struct store_tx *tx, int64_t person_id, date_t *due, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT max(due) FROM loan_invoices WHERE person_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return sq_db_error(e, tx->c->db, "latest invoice");
	}
	*due = sq_col_day(st, 0);
	sqlite3_reset(st);
	return *due == LOAN_NO_DATE ? 1 : 0;
}

/* ---- conversion to grant ---- */

struct conv_args {
	const char *school_year, *other_year;
	int64_t after;
	int max;
	char on[11];
};

static void bind_conv(sqlite3_stmt *st, const void *arg)
{
	const struct conv_args *c = arg;
	sq_bind_str(st, 1, c->school_year);
	sqlite3_bind_int64(st, 2, c->after);
	sqlite3_bind_int(st, 3, c->max);
	sqlite3_bind_text(st, 4, c->on, -1, SQLITE_STATIC);
	if (c->other_year)
		sq_bind_str(st, 5, c->other_year);
	else
		sqlite3_bind_null(st, 5);
}

static int conv_case_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_conv_case *c = (struct loan_conv_case *)out + i;
	c->case_id = sqlite3_column_int64(st, 0);
	c->person_id = sqlite3_column_int64(st, 1);
	c->nin = sq_col_str(st, 2, a);
	c->application_json = sq_col_str(st, 3, a);
	c->awards_json = sq_col_str(st, 4, a);
	c->principal = sqlite3_column_int64(st, 5);
	/* "YYYY-MM-DD months" of the other school year's case, or NULL. */
	const char *o = (const char *)sqlite3_column_text(st, 6);
	c->other_start = NULL;
	c->other_months = 0;
	if (o != NULL && strlen(o) > 11 && o[10] == ' ') {
		c->other_start = arena_strndup(a, o, 10);
		long m = strtol(o + 11, NULL, 10);
		c->other_months = m > 0 && m < 100 ? (int)m : 0;
	}
	return 0;
}

int store_loan_conv_cases(struct store *s, const char *school_year, const char *other_year, int64_t after_id,
			  date_t on, struct loan_conv_case **out, int max, struct arena *a, struct err *e)
{
	struct conv_args c = {school_year, other_year, after_id, max, ""};
	date_format(on, c.on);
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	/* The page is a range of 0023's cases_scheme_year in id order. Only
	 * the decision's awards come back, cut out by SQLite (its parse is
	 * several times cheaper than parsing each whole decision in C, which
	 * took a quarter of a run's time). The principal is read from
	 * ledger_legs_person_day's entries alone. The other school year's
	 * case (#11, the months of support in the calendar year) is found on
	 * cases_person; most persons have none, and then no decision is
	 * read. */
	return sq_query(s,
			"SELECT c.id, c.person_id, p.nin, c.application_json, "
			"CASE WHEN json_valid(d.decision_json) AND json_type(d.decision_json, '$.awards') = 'array' "
			"THEN json_extract(d.decision_json, '$.awards') END, "
			"(SELECT coalesce(sum(l.amount), 0) FROM ledger_legs l WHERE l.person_id = c.person_id "
			"AND l.effective <= ?4 AND l.account = 'loan.principal'), "
			"(SELECT coalesce(json_extract(c2.application_json, '$.education.start'), '') || ' ' || "
			"coalesce((SELECT json_extract(aw.value, '$.months') FROM decisions d2, "
			"json_each(d2.decision_json, '$.awards') aw WHERE d2.case_id = c2.id AND d2.superseded_at IS NULL "
			"AND json_valid(d2.decision_json) AND json_extract(aw.value, '$.name') = 'basic-loan'), 0) "
			"FROM cases c2 INDEXED BY cases_person_year WHERE c2.person_id = c.person_id AND c2.scheme = 'higher-education' "
			"AND c2.school_year = ?5 AND c2.status = 'decided' AND c2.outcome IN ('granted', 'partly-granted') "
			"ORDER BY c2.id DESC LIMIT 1) "
			"FROM cases c JOIN decisions d ON d.case_id = c.id AND d.superseded_at IS NULL "
			"JOIN persons p ON p.id = c.person_id "
			"WHERE c.scheme = 'higher-education' AND c.school_year = ?1 AND c.status = 'decided' "
			"AND c.outcome IN ('granted', 'partly-granted') AND c.id > ?2 ORDER BY c.id LIMIT ?3",
			bind_conv, &c, conv_case_row, *out, max, a, e);
}

int store_loan_conversion_insert(struct store_tx *tx, const struct loan_conversion *c, int64_t *id, struct err *e)
{
	/* A whole school year converted before migration 0027 holds both its
	 * semesters, and a semester's row holds the school year's: one search
	 * of the key (case_id, semester). */
	const char *semester = c->semester ? c->semester : "school-year";
	sqlite3_stmt *q = sq_prep(tx->c, "SELECT 1 FROM loan_conversions WHERE case_id = ?1 AND (semester = 'school-year' "
				      "OR ?2 = 'school-year') LIMIT 1",
				  e);
	if (q == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, c->case_id);
	sq_bind_str(q, 2, semester);
	int found = sqlite3_step(q);
	sqlite3_reset(q);
	if (found == SQLITE_ROW)
		return err_set(e, ERR_CONFLICT, "case_id", "the case's loan was converted before");
	if (found != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "conversion before");
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO loan_conversions(case_id, person_id, year, convertible, income, "
				       "wealth, credits_tenths, expected_tenths, converted, decision_json, entry_id, "
				       "letter_id, created_at, semester) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
				       "nullif(?11, 0), nullif(?12, 0), ?13, ?14)",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->case_id);
	sqlite3_bind_int64(st, 2, c->person_id);
	sqlite3_bind_int(st, 3, c->year);
	sqlite3_bind_int64(st, 4, c->convertible);
	sqlite3_bind_int64(st, 5, c->income);
	sqlite3_bind_int64(st, 6, c->wealth);
	sqlite3_bind_int(st, 7, c->credits_tenths);
	sqlite3_bind_int(st, 8, c->expected_tenths);
	sqlite3_bind_int64(st, 9, c->converted);
	sq_bind_str(st, 10, c->decision_json);
	sqlite3_bind_int64(st, 11, c->entry_id);
	sqlite3_bind_int64(st, 12, c->letter_id);
	sqlite3_bind_int64(st, 13, c->created_at);
	sq_bind_str(st, 14, semester);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(tx->c->db) == SQLITE_CONSTRAINT_UNIQUE)
			return err_set(e, ERR_CONFLICT, "case_id", "the case's loan was converted before");
		return sq_db_error(e, tx->c->db, "insert conversion");
	}
	if (id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	return 0;
}

static int conversion_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_conversion *c = (struct loan_conversion *)out + i;
	c->id = sqlite3_column_int64(st, 0);
	c->case_id = sqlite3_column_int64(st, 1);
	c->person_id = sqlite3_column_int64(st, 2);
	c->year = sqlite3_column_int(st, 3);
	c->convertible = sqlite3_column_int64(st, 4);
	c->income = sqlite3_column_int64(st, 5);
	c->wealth = sqlite3_column_int64(st, 6);
	c->credits_tenths = sqlite3_column_int(st, 7);
	c->expected_tenths = sqlite3_column_int(st, 8);
	c->converted = sqlite3_column_int64(st, 9);
	c->decision_json = sq_col_str(st, 10, a);
	c->entry_id = sqlite3_column_int64(st, 11);
	c->letter_id = sqlite3_column_int64(st, 12);
	c->created_at = sqlite3_column_int64(st, 13);
	c->semester = sq_col_str(st, 14, a);
	return 0;
}

int store_loan_conversion_by_letter(struct store *s, int64_t letter_id, struct loan_conversion *out, struct arena *a,
				    struct err *e)
{
	int n = sq_query(s,
			 "SELECT id, case_id, person_id, year, convertible, income, wealth, credits_tenths, expected_tenths, "
			 "converted, decision_json, coalesce(entry_id, 0), coalesce(letter_id, 0), created_at, semester "
			 "FROM loan_conversions WHERE letter_id = ?",
			 sq_bind_id, &letter_id, conversion_row, out, 1, a, e);
	return n < 0 ? -1 : n == 1 ? 0 : 1;
}

int store_loan_conversions_of(struct store *s, int64_t person_id, struct loan_conversion **out, int max,
			      struct arena *a, struct err *e)
{
	struct list_args l = {person_id, max};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	return sq_query(s,
			"SELECT id, case_id, person_id, year, convertible, income, wealth, credits_tenths, expected_tenths, "
			"converted, NULL, coalesce(entry_id, 0), coalesce(letter_id, 0), created_at, semester "
			"FROM loan_conversions WHERE person_id = ?1 ORDER BY id DESC LIMIT ?2",
			bind_list, &l, conversion_row, *out, max, a, e);
}

/* ---- deferral and interest relief ---- */

int store_loan_month_mark(struct store_tx *tx, int64_t person_id, const char *month, const char *kind,
			  const char *cause, int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO loan_months(person_id, month, kind, cause, created_at) "
				       "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, month);
	sq_bind_str(st, 3, kind);
	sq_bind_str(st, 4, cause);
	sqlite3_bind_int64(st, 5, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "mark loan month");
	return sqlite3_changes(tx->c->db) == 0 ? 1 : 0;
}

int store_loan_month_unmark(struct store_tx *tx, int64_t person_id, const char *month, const char *kind,
			    struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "DELETE FROM loan_months WHERE person_id = ?1 AND month = ?2 AND kind = ?3", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, month);
	sq_bind_str(st, 3, kind);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "unmark loan month");
	return 0;
}

int store_loan_case_months_tx(struct store_tx *tx, int64_t person_id, const char *kind, int64_t case_id,
			      const char *from, char (*months)[8], int max, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT month FROM loan_months WHERE person_id = ?1 AND kind = ?2 AND month >= ?3 "
				       "AND cause IN (SELECT 'decision:' || id FROM decisions WHERE case_id = ?4) "
				       "ORDER BY month",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, kind);
	sq_bind_str(st, 3, from);
	sqlite3_bind_int64(st, 4, case_id);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		const unsigned char *m = sqlite3_column_text(st, 0);
		snprintf(months[n++], 8, "%s", m ? (const char *)m : "");
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : sq_db_error(e, tx->c->db, "loan months of a case");
}

int store_loan_month_marked_tx(struct store_tx *tx, int64_t person_id, const char *month, const char *kind,
			       struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT 1 FROM loan_months WHERE person_id = ?1 AND month = ?2 AND kind = ?3", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, month);
	sq_bind_str(st, 3, kind);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : sq_db_error(e, tx->c->db, "loan month");
}

int store_ledger_cause_sum_tx(struct store_tx *tx, int64_t person_id, const char *cause, const char *account,
			      int64_t *ore, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT coalesce(sum(l.amount), 0) FROM ledger_legs l JOIN ledger_entries en "
				       "ON en.id = l.entry_id WHERE en.cause = ?1 AND l.person_id = ?2 AND l.account = ?3",
				   e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, cause);
	sqlite3_bind_int64(st, 2, person_id);
	sq_bind_str(st, 3, account);
	int rc = sqlite3_step(st);
	*ore = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : sq_db_error(e, tx->c->db, "ledger cause sum");
}

int store_loan_invoice_remind(struct store_tx *tx, int64_t id, int n, date_t day, int64_t fee, int64_t letter_id,
			      struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE loan_invoices SET reminders = ?2, reminded_at = ?3, fee = fee + ?4, "
				       "reminder_letter_id = ?5 WHERE id = ?1",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, n);
	sq_bind_day(st, 3, day);
	sqlite3_bind_int64(st, 4, fee);
	sqlite3_bind_int64(st, 5, letter_id);
	return sq_step_insert(tx, st, NULL, "invoice reminder", e);
}

/* ---- the annual statement ---- */

int store_loan_statement_insert(struct store_tx *tx, const struct loan_statement *v, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO loan_statements(person_id, year, debt, interest_charged, "
				       "interest_paid, principal_paid, letter_id, created_at) "
				       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0), ?8)",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, v->person_id);
	sqlite3_bind_int(st, 2, v->year);
	sqlite3_bind_int64(st, 3, v->debt);
	sqlite3_bind_int64(st, 4, v->interest_charged);
	sqlite3_bind_int64(st, 5, v->interest_paid);
	sqlite3_bind_int64(st, 6, v->principal_paid);
	sqlite3_bind_int64(st, 7, v->letter_id);
	sqlite3_bind_int64(st, 8, v->created_at);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(tx->c->db) == SQLITE_CONSTRAINT_UNIQUE)
			return err_set(e, ERR_CONFLICT, "year", "the statement of that year was made before");
		return sq_db_error(e, tx->c->db, "insert statement");
	}
	return 0;
}

#define STATEMENT_COLS "s.id, s.person_id, s.year, s.debt, s.interest_charged, s.interest_paid, s.principal_paid, " \
		       "coalesce(s.letter_id, 0), s.created_at, p.nin"

static int statement_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_statement *v = (struct loan_statement *)out + i;
	v->id = sqlite3_column_int64(st, 0);
	v->person_id = sqlite3_column_int64(st, 1);
	v->year = sqlite3_column_int(st, 2);
	v->debt = sqlite3_column_int64(st, 3);
	v->interest_charged = sqlite3_column_int64(st, 4);
	v->interest_paid = sqlite3_column_int64(st, 5);
	v->principal_paid = sqlite3_column_int64(st, 6);
	v->letter_id = sqlite3_column_int64(st, 7);
	v->created_at = sqlite3_column_int64(st, 8);
	v->nin = sq_col_str(st, 9, a);
	return 0;
}

int store_loan_statement_by_letter(struct store *s, int64_t letter_id, struct loan_statement *out, struct arena *a,
				   struct err *e)
{
	int n = sq_query(s, "SELECT " STATEMENT_COLS " FROM loan_statements s JOIN persons p ON p.id = s.person_id "
			    "WHERE s.letter_id = ?",
			 sq_bind_id, &letter_id, statement_row, out, 1, a, e);
	return n < 0 ? -1 : n == 1 ? 0 : 1;
}

struct year_args {
	int year;
	int64_t after;
	int max;
};

static void bind_year(sqlite3_stmt *st, const void *arg)
{
	const struct year_args *y = arg;
	sqlite3_bind_int(st, 1, y->year);
	sqlite3_bind_int64(st, 2, y->after);
	sqlite3_bind_int(st, 3, y->max);
}

int store_loan_statements_of_year(struct store *s, int year, int64_t after_id, struct loan_statement **out, int max,
				  struct arena *a, struct err *e)
{
	struct year_args y = {year, after_id, max};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	return sq_query(s, "SELECT " STATEMENT_COLS " FROM loan_statements s JOIN persons p ON p.id = s.person_id "
			   "WHERE s.year = ?1 AND s.id > ?2 ORDER BY s.id LIMIT ?3",
			bind_year, &y, statement_row, *out, max, a, e);
}

int store_loan_accounts_all(struct store *s, int64_t after_id, int64_t *ids, int max, struct err *e)
{
	struct page_args p = {after_id, max};
	return sq_query(s, "SELECT person_id FROM loan_accounts WHERE person_id > ?1 ORDER BY person_id LIMIT ?2", bind_page,
			&p, id_row, ids, max, NULL, e);
}

int store_loan_invoices_cancel(struct store_tx *tx, int64_t person_id, date_t on, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE loan_invoices SET cancelled_at = ?2 WHERE person_id = ?1 "
				       "AND paid < amount + fee AND cancelled_at IS NULL",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_day(st, 2, on);
	return sq_step_insert(tx, st, NULL, "cancel invoices", e);
}
