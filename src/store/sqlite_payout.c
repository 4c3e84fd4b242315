/* sqlite_payout.c - the payout's storage on SQLite (see payout.h): plans
 * as monthly lines, conditions as rows, and a run bound in set-based SQL so
 * that half a million payments cost a few statements, not a million.
 *
 * A run's payments are chosen once, by DUE_FROM below: the payments are
 * inserted grouped per person, then the same lines are bound to them; both
 * statements run in one transaction in which nothing else changes the
 * lines, so they see the same set. */
#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/payout.h"
#include "store/sqlite_internal.h"

/* ---- cases to plan ---- */

static int case_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct payout_case *c = (struct payout_case *)out + i;
	c->case_id = sqlite3_column_int64(st, 0);
	c->person_id = sqlite3_column_int64(st, 1);
	c->decided_at = sqlite3_column_int64(st, 2);
	c->scheme = sq_col_str(st, 3, a);
	c->school_year = sq_col_str(st, 4, a);
	c->status = sq_col_str(st, 5, a);
	c->outcome = sq_col_str(st, 6, a);
	c->decision_json = sq_col_str(st, 7, a);
	c->application_json = sq_col_str(st, 8, a);
	c->had_plan = sqlite3_column_int(st, 9);
	return 0;
}

struct after_limit {
	int64_t after;
	int limit;
};

static void bind_after_limit(sqlite3_stmt *st, const void *arg)
{
	const struct after_limit *x = arg;
	sqlite3_bind_int64(st, 1, x->after);
	sqlite3_bind_int(st, 2, x->limit);
}

int store_payout_cases_to_plan(struct store *s, int64_t after, int limit, struct payout_case **out,
			       struct arena *a, struct err *e)
{
	struct after_limit x = {after, limit};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
	return sq_query(s,
			"SELECT c.id, c.person_id, coalesce(c.decided_at, 0), c.scheme, c.school_year, c.status, "
			"c.outcome, d.decision_json, c.application_json, p.case_id IS NOT NULL FROM cases c "
			"LEFT JOIN payout_plans p ON p.case_id = c.id "
			"LEFT JOIN decisions d ON d.case_id = c.id AND d.superseded_at IS NULL "
			"WHERE c.id > ?1 AND c.decided_at IS NOT NULL "
			"AND ((p.case_id IS NULL AND c.status = 'decided') OR p.decided_at <> c.decided_at) "
			"ORDER BY c.id LIMIT ?2",
			bind_after_limit, &x, case_row, *out, limit, a, e);
}

/* One case, when it needs planning (the same test as above): the
 * decision-payout job's question. */
int store_payout_case_to_plan(struct store *s, int64_t case_id, struct payout_case *out, struct arena *a,
			      struct err *e)
{
	int n = sq_query(s,
			 "SELECT c.id, c.person_id, coalesce(c.decided_at, 0), c.scheme, c.school_year, c.status, "
			 "c.outcome, d.decision_json, c.application_json, p.case_id IS NOT NULL FROM cases c "
			 "LEFT JOIN payout_plans p ON p.case_id = c.id "
			 "LEFT JOIN decisions d ON d.case_id = c.id AND d.superseded_at IS NULL "
			 "WHERE c.id = ? AND c.decided_at IS NOT NULL "
			 "AND ((p.case_id IS NULL AND c.status = 'decided') OR p.decided_at <> c.decided_at)",
			 sq_bind_id, &case_id, case_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

/* ---- lines ---- */

#define LINE_COLS "l.id, l.case_id, l.person_id, l.decided_at, l.school_year, l.month, l.due, l.kind, " \
		  "l.amount_ore, l.state, coalesce(l.payment_id, 0), p.state, r.run_date, p.booked_on"
#define LINE_FROM "payout_lines l LEFT JOIN payout_payments p ON p.id = l.payment_id " \
		  "LEFT JOIN payout_runs r ON r.id = p.run_id"

static int line_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct payout_line *l = (struct payout_line *)out + i;
	l->id = sqlite3_column_int64(st, 0);
	l->case_id = sqlite3_column_int64(st, 1);
	l->person_id = sqlite3_column_int64(st, 2);
	l->decided_at = sqlite3_column_int64(st, 3);
	l->school_year = sq_col_str(st, 4, a);
	l->month = sq_col_str(st, 5, a);
	l->due = sq_col_str(st, 6, a);
	l->kind = sq_col_str(st, 7, a);
	l->amount_ore = sqlite3_column_int64(st, 8);
	l->state = sq_col_str(st, 9, a);
	l->payment_id = sqlite3_column_int64(st, 10);
	l->payment_state = sq_col_str(st, 11, a);
	l->run_date = sq_col_str(st, 12, a);
	l->booked_on = sq_col_str(st, 13, a);
	return 0;
}

int store_payout_lines_of_case_tx(struct store_tx *tx, int64_t case_id, struct payout_line *out, int max,
				  struct arena *a, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " LINE_COLS " FROM " LINE_FROM " WHERE l.case_id = ?1 "
					  "ORDER BY l.month, l.id", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n >= max) {
			sqlite3_reset(st);
			return err_set(e, ERR_INVALID, "case", "case %lld has more than %d payout lines",
				       (long long)case_id, max);
		}
		line_row(st, out, n++, a);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "read payout lines");
	return n;
}

#define PERSON_LINES_MAX 400

int store_payout_lines_of_person(struct store *s, int64_t person_id, struct payout_line **out, struct arena *a,
				 struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * PERSON_LINES_MAX);
	return sq_query(s, "SELECT " LINE_COLS " FROM " LINE_FROM " WHERE l.person_id = ? "
			   "AND (l.state = 'planned' OR l.payment_id IS NOT NULL) ORDER BY l.month, l.case_id, l.kind",
			sq_bind_id, &person_id, line_row, *out, PERSON_LINES_MAX, a, e);
}

int store_payout_line_insert(struct store_tx *tx, const struct payout_line *l, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO payout_lines(case_id, person_id, school_year, decided_at, "
					  "month, due, kind, amount_ore) VALUES (?,?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, l->case_id);
	sqlite3_bind_int64(st, 2, l->person_id);
	sq_bind_str(st, 3, l->school_year);
	sqlite3_bind_int64(st, 4, l->decided_at);
	sq_bind_str(st, 5, l->month);
	sq_bind_str(st, 6, l->due);
	sq_bind_str(st, 7, l->kind);
	sqlite3_bind_int64(st, 8, l->amount_ore);
	return sq_step_insert(tx, st, NULL, "insert payout line", e);
}

int store_payout_lines_cancel_open(struct store_tx *tx, int64_t case_id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE payout_lines SET state = 'cancelled' WHERE case_id = ? "
					  "AND state = 'planned' AND payment_id IS NULL", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	return sq_step_insert(tx, st, NULL, "cancel payout lines", e);
}

int store_payout_plan_put(struct store_tx *tx, int64_t case_id, int64_t person_id, int64_t decided_at, int64_t now,
			  struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR REPLACE INTO payout_plans(case_id, person_id, decided_at, "
					  "planned_at) VALUES (?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, person_id);
	sqlite3_bind_int64(st, 3, decided_at);
	sqlite3_bind_int64(st, 4, now);
	return sq_step_insert(tx, st, NULL, "payout plan", e);
}

/* ---- claims ---- */

#define CLAIM_COLS "id, case_id, person_id, kind, amount_ore, decided_at, coalesce(letter_id, 0), created_at"

static int claim_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct payout_claim *c = (struct payout_claim *)out + i;
	c->id = sqlite3_column_int64(st, 0);
	c->case_id = sqlite3_column_int64(st, 1);
	c->person_id = sqlite3_column_int64(st, 2);
	c->kind = sq_col_str(st, 3, a);
	c->amount_ore = sqlite3_column_int64(st, 4);
	c->decided_at = sqlite3_column_int64(st, 5);
	c->letter_id = sqlite3_column_int64(st, 6);
	c->created_at = sqlite3_column_int64(st, 7);
	return 0;
}

int store_payout_claim_insert(struct store_tx *tx, const struct payout_claim *c, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO payout_claims(case_id, person_id, kind, amount_ore, "
					  "decided_at, letter_id, created_at) VALUES (?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->case_id);
	sqlite3_bind_int64(st, 2, c->person_id);
	sq_bind_str(st, 3, c->kind);
	sqlite3_bind_int64(st, 4, c->amount_ore);
	sqlite3_bind_int64(st, 5, c->decided_at);
	if (c->letter_id)
		sqlite3_bind_int64(st, 6, c->letter_id);
	sqlite3_bind_int64(st, 7, c->created_at);
	return sq_step_insert(tx, st, id, "insert claim", e);
}

int store_payout_claims_of_person(struct store *s, int64_t person_id, struct payout_claim **out, struct arena *a,
				  struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " CLAIM_COLS " FROM payout_claims WHERE person_id = ? ORDER BY id DESC",
			sq_bind_id, &person_id, claim_row, *out, LIST_MAX, a, e);
}

int store_payout_claim_of_letter(struct store *s, int64_t letter_id, struct payout_claim *out, struct arena *a,
				 struct err *e)
{
	int n = sq_query(s, "SELECT " CLAIM_COLS " FROM payout_claims WHERE letter_id = ?", sq_bind_id, &letter_id,
			 claim_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

/* ---- accounts ---- */

static int account_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct payout_account *x = (struct payout_account *)out + i;
	x->person_id = sqlite3_column_int64(st, 0);
	x->account = sq_col_str(st, 1, a);
	x->source = sq_col_str(st, 2, a);
	x->state = sq_col_str(st, 3, a);
	x->checked_at = sqlite3_column_int64(st, 4);
	return 0;
}

int store_payout_account_get(struct store *s, int64_t person_id, struct payout_account *out, struct arena *a,
			     struct err *e)
{
	int n = sq_query(s, "SELECT person_id, account, source, state, checked_at FROM payout_accounts "
			    "WHERE person_id = ?",
			 sq_bind_id, &person_id, account_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_payout_account_put(struct store_tx *tx, const struct payout_account *x, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR REPLACE INTO payout_accounts(person_id, account, source, state, "
					  "checked_at) VALUES (?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, x->person_id);
	sq_bind_str(st, 2, x->account);
	sq_bind_str(st, 3, x->source);
	sq_bind_str(st, 4, x->state ? x->state : "ok");
	sqlite3_bind_int64(st, 5, x->checked_at);
	return sq_step_insert(tx, st, NULL, "payout account", e);
}

int store_payout_account_reject(struct store_tx *tx, int64_t person_id, const char *account, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE payout_accounts SET state = 'rejected' WHERE person_id = ? "
					  "AND account = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, account);
	return sq_step_insert(tx, st, NULL, "reject account", e);
}

int store_payout_account_from_register(struct store_tx *tx, int64_t person_id, const char *account, int64_t now,
				       struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO payout_accounts(person_id, account, source, state, checked_at) "
					  "VALUES (?1, ?2, 'register', 'ok', ?3) ON CONFLICT (person_id) DO UPDATE SET "
					  "account = excluded.account, source = 'register', state = 'ok', "
					  "checked_at = excluded.checked_at WHERE payout_accounts.account <> excluded.account",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, account);
	sqlite3_bind_int64(st, 3, now);
	return sq_step_insert(tx, st, NULL, "register account", e);
}

struct needing {
	int64_t *ids;
	const char **nins;
};

static int needing_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct needing *x = out;
	x->ids[i] = sqlite3_column_int64(st, 0);
	x->nins[i] = sq_col_str(st, 1, a);
	return 0;
}

int store_payout_persons_needing_account(struct store *s, int64_t after, int limit, int64_t *ids, const char **nins,
					 struct arena *a, struct err *e)
{
	struct after_limit x = {after, limit};
	struct needing out = {ids, nins};
	return sq_query(s,
			"SELECT p.id, p.nin FROM persons p WHERE p.id > ?1 "
			"AND EXISTS (SELECT 1 FROM payout_lines l WHERE l.person_id = p.id AND l.state = 'planned' "
			"AND l.payment_id IS NULL) "
			"AND NOT EXISTS (SELECT 1 FROM payout_accounts x WHERE x.person_id = p.id AND x.state = 'ok') "
			"ORDER BY p.id LIMIT ?2",
			bind_after_limit, &x, needing_row, &out, limit, a, e);
}

/* ---- confirmations and signatures ---- */

int store_payout_confirmation_put(struct store_tx *tx, int64_t person_id, const char *school_year, const char *kind,
				  const char *source, int64_t at, int *inserted, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR IGNORE INTO payout_confirmations(person_id, school_year, kind, "
					  "source, at) VALUES (?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, school_year);
	sq_bind_str(st, 3, kind);
	sq_bind_str(st, 4, source);
	sqlite3_bind_int64(st, 5, at);
	if (sq_step_insert(tx, st, NULL, "payout confirmation", e) != 0)
		return -1;
	if (inserted)
		*inserted = sqlite3_changes(tx->c->db) == 1;
	return 0;
}

struct confirmed_out {
	int64_t at;
	const char *kind;
};

static int confirmed_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	struct confirmed_out *x = out;
	x->at = sqlite3_column_int64(st, 0);
	x->kind = sq_col_str(st, 1, a);
	return 0;
}

struct person_year {
	int64_t person_id;
	const char *school_year;
};

static void bind_person_year(sqlite3_stmt *st, const void *arg)
{
	const struct person_year *x = arg;
	sqlite3_bind_int64(st, 1, x->person_id);
	sq_bind_str(st, 2, x->school_year);
}

int store_payout_confirmed(struct store *s, int64_t person_id, const char *school_year, int64_t *at,
			   const char **kind, struct arena *a, struct err *e)
{
	struct person_year q = {person_id, school_year};
	struct confirmed_out x = {0, NULL};
	int n = sq_query(s, "SELECT at, kind FROM payout_confirmations WHERE person_id = ?1 AND school_year = ?2",
			 bind_person_year, &q, confirmed_row, &x, 1, a, e);
	if (n < 0)
		return -1;
	if (at)
		*at = x.at;
	if (kind)
		*kind = x.kind;
	return n == 0;
}

int store_payout_signature_put(struct store_tx *tx, int64_t case_id, int64_t at, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR IGNORE INTO payout_signatures(case_id, signed_at) VALUES (?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, at);
	return sq_step_insert(tx, st, NULL, "payout signature", e);
}

int store_payout_signature_forget(struct store_tx *tx, int64_t case_id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "DELETE FROM payout_signatures WHERE case_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	return sq_step_insert(tx, st, NULL, "forget payout signature", e);
}

static int id_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	((int64_t *)out)[i] = sqlite3_column_int64(st, 0);
	return 0;
}

int store_payout_cases_unsigned(struct store *s, int64_t after, int limit, int64_t *ids, struct err *e)
{
	struct after_limit x = {after, limit};
	return sq_query(s, "SELECT p.case_id FROM payout_plans p WHERE p.case_id > ?1 "
			   "AND NOT EXISTS (SELECT 1 FROM payout_signatures g WHERE g.case_id = p.case_id) "
			   "AND EXISTS (SELECT 1 FROM payout_lines l WHERE l.case_id = p.case_id AND l.state = 'planned' "
			   "AND l.payment_id IS NULL) ORDER BY p.case_id LIMIT ?2",
			bind_after_limit, &x, id_row, ids, limit, NULL, e);
}

int store_payout_signed(struct store *s, int64_t case_id, int64_t *at, struct err *e)
{
	int64_t x = 0;
	int n = sq_query(s, "SELECT signed_at FROM payout_signatures WHERE case_id = ?", sq_bind_id, &case_id,
			 sq_count_row, &x, 1, NULL, e);
	if (n < 0)
		return -1;
	if (at)
		*at = x;
	return n == 0;
}

/* ---- runs ---- */

/* The lines due in run ?1 on day ?2 of month ?3: planned, not in a
 * payment, of a case decided, whose person has an account not rejected
 * and a confirmation for the line's school year, whose agreement is
 * signed; due by payday, or for a first payout by month. */
#define DUE_FROM "payout_lines l INDEXED BY payout_lines_open JOIN cases c ON c.id = l.case_id AND c.status = 'decided' " \
		 "JOIN payout_accounts a ON a.person_id = l.person_id AND a.state = 'ok' " \
		 "JOIN payout_confirmations f ON f.person_id = l.person_id AND f.school_year = l.school_year " \
		 "JOIN payout_signatures g ON g.case_id = l.case_id " \
		 "WHERE l.state = 'planned' AND l.payment_id IS NULL AND l.month <= ?3 AND (l.due <= ?2 " \
		 "OR NOT EXISTS (SELECT 1 FROM payout_lines x WHERE x.case_id = l.case_id AND x.payment_id IS NOT NULL))"

static int exec_run(struct store_tx *tx, sqlite3_stmt *st, int64_t run_id, const char *run_date, const char *month,
		    int64_t now, const char *what, struct err *e)
{
	sqlite3_bind_int64(st, 1, run_id);
	sq_bind_str(st, 2, run_date);
	sq_bind_str(st, 3, month);
	sqlite3_bind_int64(st, 4, now);
	return sq_step_insert(tx, st, NULL, what, e);
}

int store_payout_run_bind(struct store_tx *tx, const char *run_date, const char *month, const char *msg_id,
			  const char *file, int64_t now, int64_t *run_id, int64_t *payments, int64_t *total_ore,
			  struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO payout_runs(run_date, msg_id, file, sha256, payments, "
					  "total_ore, state, created_at) VALUES (?,?,?,'',0,0,'written',?)", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, run_date);
	sq_bind_str(st, 2, msg_id);
	sq_bind_str(st, 3, file);
	sqlite3_bind_int64(st, 4, now);
	if (sq_step_insert(tx, st, run_id, "insert payout run", e) != 0)
		return -1;
	/* Binding half a million persons' lines touches far more pages than
	 * the default cache holds: a cache of its own for the run (measured
	 * on 100 000 persons: the binding's time halved), given back after. */
	st = sq_prep(tx->c, "PRAGMA cache_size = -262144", e);
	if (st == NULL || sq_step_insert(tx, st, NULL, "payout run cache", e) != 0)
		return -1;
	/* The due lines once, into a table of the writer's connection; the
	 * payments and the lines' binding are made from it. The run goes by
	 * store_write_bulk(), without SQLite's foreign-key checks: every
	 * reference written here holds by construction (a payment's run is
	 * the run inserted above and its person a due line's person; a line's
	 * payment is one of this run's, or NULL). */
	st = sq_prep(tx->c, "CREATE TEMP TABLE IF NOT EXISTS payout_due(id INTEGER PRIMARY KEY, person_id INTEGER, "
			    "kind TEXT, amount_ore INTEGER, account TEXT)", e);
	if (st == NULL || sq_step_insert(tx, st, NULL, "payout due table", e) != 0)
		return -1;
	st = sq_prep(tx->c, "DELETE FROM temp.payout_due", e);
	if (st == NULL || sq_step_insert(tx, st, NULL, "payout due table", e) != 0)
		return -1;
	st = sq_prep(tx->c, "INSERT INTO temp.payout_due(id, person_id, kind, amount_ore, account) "
			    "SELECT l.id, l.person_id, l.kind, l.amount_ore, a.account FROM " DUE_FROM " AND ?1 = ?1 AND ?4 = ?4",
		     e);
	if (st == NULL || exec_run(tx, st, *run_id, run_date, month, now, "due payout lines", e) != 0)
		return -1;
	st = sq_prep(tx->c, "INSERT INTO payout_payments(run_id, person_id, account, loan_ore, grant_ore, state, "
			    "updated_at) SELECT ?1, person_id, min(account), "
			    "sum(CASE WHEN kind = 'loan' THEN amount_ore ELSE 0 END), "
			    "sum(CASE WHEN kind = 'grant' THEN amount_ore ELSE 0 END), 'sent', ?4 FROM temp.payout_due "
			    "WHERE ?2 = ?2 AND ?3 = ?3 GROUP BY person_id HAVING sum(amount_ore) > 0",
		     e);
	if (st == NULL || exec_run(tx, st, *run_id, run_date, month, now, "insert payments", e) != 0)
		return -1;
	st = sq_prep(tx->c, "UPDATE payout_lines SET payment_id = (SELECT p.id FROM payout_payments p "
			    "WHERE p.run_id = ?1 AND p.person_id = payout_lines.person_id) "
			    "WHERE id IN (SELECT id FROM temp.payout_due) AND ?2 = ?2 AND ?3 = ?3 AND ?4 = ?4",
		     e);
	if (st == NULL || exec_run(tx, st, *run_id, run_date, month, now, "bind payout lines", e) != 0)
		return -1;
	st = sq_prep(tx->c, "UPDATE payout_runs SET payments = (SELECT count(*) FROM payout_payments WHERE run_id = ?1), "
			    "total_ore = (SELECT coalesce(sum(loan_ore + grant_ore), 0) FROM payout_payments "
			    "WHERE run_id = ?1) WHERE id = ?1 RETURNING payments, total_ore",
		     e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, *run_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*payments = sqlite3_column_int64(st, 0);
		*total_ore = sqlite3_column_int64(st, 1);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "count payout run");
	st = sq_prep(tx->c, "PRAGMA cache_size = -2000", e); /* SQLite's default */
	return st == NULL ? -1 : sq_step_insert(tx, st, NULL, "payout run cache", e);
}

#define PAYMENT_COLS "p.id, p.run_id, p.person_id, ps.nin, ps.given_name || ' ' || ps.family_name, p.account, " \
		     "p.loan_ore, p.grant_ore, p.state, p.reason, r.run_date"
#define PAYMENT_FROM "payout_payments p JOIN persons ps ON ps.id = p.person_id JOIN payout_runs r ON r.id = p.run_id"

static void payment_cols(sqlite3_stmt *st, struct payout_payment *p)
{
	p->id = sqlite3_column_int64(st, 0);
	p->run_id = sqlite3_column_int64(st, 1);
	p->person_id = sqlite3_column_int64(st, 2);
	p->nin = (const char *)sqlite3_column_text(st, 3);
	p->name = (const char *)sqlite3_column_text(st, 4);
	p->account = (const char *)sqlite3_column_text(st, 5);
	p->loan_ore = sqlite3_column_int64(st, 6);
	p->grant_ore = sqlite3_column_int64(st, 7);
	p->state = (const char *)sqlite3_column_text(st, 8);
	p->reason = (const char *)sqlite3_column_text(st, 9);
	p->run_date = (const char *)sqlite3_column_text(st, 10);
}

static const char *dup(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static int payment_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct payout_payment *p = (struct payout_payment *)out + i;
	payment_cols(st, p);
	p->nin = dup(a, p->nin);
	p->name = dup(a, p->name);
	p->account = dup(a, p->account);
	p->state = dup(a, p->state);
	p->reason = dup(a, p->reason);
	p->run_date = dup(a, p->run_date);
	return 0;
}

int store_payout_run_each_payment_tx(struct store_tx *tx, int64_t run_id, store_payment_fn fn, void *arg,
				     struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " PAYMENT_COLS " FROM " PAYMENT_FROM " WHERE p.run_id = ? ORDER BY p.id",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct payout_payment p;
		payment_cols(st, &p);
		if (fn(&p, arg) != 0) {
			sqlite3_reset(st);
			return 0;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "read payments");
	return 0;
}

int store_payout_run_digest(struct store_tx *tx, int64_t run_id, const char *sha256, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE payout_runs SET sha256 = ? WHERE id = ?", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, sha256);
	sqlite3_bind_int64(st, 2, run_id);
	return sq_step_insert(tx, st, NULL, "payout run digest", e);
}

#define RUN_COLS "id, run_date, msg_id, file, sha256, state, payments, total_ore, created_at, coalesce(answered_at, 0)"

static int run_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct payout_run *r = (struct payout_run *)out + i;
	r->id = sqlite3_column_int64(st, 0);
	r->run_date = sq_col_str(st, 1, a);
	r->msg_id = sq_col_str(st, 2, a);
	r->file = sq_col_str(st, 3, a);
	r->sha256 = sq_col_str(st, 4, a);
	r->state = sq_col_str(st, 5, a);
	r->payments = sqlite3_column_int64(st, 6);
	r->total_ore = sqlite3_column_int64(st, 7);
	r->created_at = sqlite3_column_int64(st, 8);
	r->answered_at = sqlite3_column_int64(st, 9);
	return 0;
}

int store_payout_runs_unanswered(struct store *s, struct payout_run **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " RUN_COLS " FROM payout_runs WHERE state = 'written' ORDER BY id", sq_bind_none,
			NULL, run_row, *out, LIST_MAX, a, e);
}

int store_payout_runs_of_date(struct store *s, const char *run_date, struct payout_run **out, struct arena *a,
			      struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " RUN_COLS " FROM payout_runs WHERE run_date = ? ORDER BY id", sq_bind_text,
			run_date, run_row, *out, LIST_MAX, a, e);
}

int store_payout_run_answered(struct store_tx *tx, int64_t run_id, int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE payout_runs SET state = 'answered', answered_at = ? WHERE id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, run_id);
	return sq_step_insert(tx, st, NULL, "payout run answered", e);
}

int store_payout_payment_get_tx(struct store_tx *tx, int64_t id, struct payout_payment *out, struct arena *a,
				struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " PAYMENT_COLS " FROM " PAYMENT_FROM " WHERE p.id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		payment_row(st, out, 0, a);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "read payment");
	return rc == SQLITE_ROW ? 0 : 1;
}

int store_payout_payment_answer(struct store_tx *tx, int64_t id, const char *state, const char *reason,
				int64_t now, int *changed, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE payout_payments SET state = ?1, reason = ?2, updated_at = ?3 "
					  "WHERE id = ?4 AND state = 'sent'", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, state);
	sq_bind_str(st, 2, reason);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	if (sq_step_insert(tx, st, NULL, "answer payment", e) != 0)
		return -1;
	*changed = sqlite3_changes(tx->c->db) == 1;
	if (!*changed || strcmp(state, "rejected") != 0)
		return 0;
	st = sq_prep(tx->c, "UPDATE payout_lines SET payment_id = NULL, state = 'planned' WHERE payment_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return sq_step_insert(tx, st, NULL, "release payout lines", e);
}

int store_payout_payment_booked(struct store_tx *tx, int64_t id, const char *booked_on, int64_t now, int *changed,
				struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE payout_payments SET state = 'booked', updated_at = ?, booked_on = ? "
					  "WHERE id = ? AND state = 'accepted'", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sq_bind_str(st, 2, booked_on);
	sqlite3_bind_int64(st, 3, id);
	if (sq_step_insert(tx, st, NULL, "book payment", e) != 0)
		return -1;
	*changed = sqlite3_changes(tx->c->db) == 1;
	return 0;
}

int store_payout_payments_of_person(struct store *s, int64_t person_id, struct payout_payment **out,
				    struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " PAYMENT_COLS " FROM " PAYMENT_FROM " WHERE p.person_id = ? ORDER BY p.id DESC",
			sq_bind_id, &person_id, payment_row, *out, LIST_MAX, a, e);
}

int store_payout_payment_set_letter(struct store_tx *tx, int64_t id, int64_t letter_id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE payout_payments SET letter_id = ? WHERE id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, letter_id);
	sqlite3_bind_int64(st, 2, id);
	return sq_step_insert(tx, st, NULL, "payment letter", e);
}

int store_payout_payment_of_letter(struct store *s, int64_t letter_id, struct payout_payment *out, struct arena *a,
				   struct err *e)
{
	int n = sq_query(s, "SELECT " PAYMENT_COLS " FROM " PAYMENT_FROM " WHERE p.letter_id = ?", sq_bind_id,
			 &letter_id, payment_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}
