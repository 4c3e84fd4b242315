/* sqlite_loans2.c - the loan account's later life in SQLite: support ended
 * by the decisions, the account's status, the handover lines; see
 * store/loans2.h. Migration 0020. */
#include "store/loans2.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/sqlite_internal.h"

/* ---- support ended ---- */

struct ends_args {
	int64_t after;
	const char *month;
	int max;
};

static void bind_ends(sqlite3_stmt *st, const void *arg)
{
	const struct ends_args *x = arg;
	sqlite3_bind_int64(st, 1, x->after);
	sqlite3_bind_text(st, 2, x->month, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, x->max);
}

static int end_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	struct loan_support_end *r = (struct loan_support_end *)out + i;
	r->person_id = sqlite3_column_int64(st, 0);
	const unsigned char *m = sqlite3_column_text(st, 1);
	snprintf(r->last_month, sizeof(r->last_month), "%s", m ? (const char *)m : "");
	return 0;
}

int store_loan_support_ends(struct store *s, int64_t after_id, const char *month, struct loan_support_end *out,
			    int max, struct err *e)
{
	struct ends_args x = {after_id, month, max};
	/* The borrowers: a loan paid out, no end of support recorded. Their
	 * last month: the latest line of a plan in force (a line cancelled
	 * when a decision was superseded is no support), paid or not. A case
	 * not yet decided may give more support: not yet. */
	return sq_query(s,
			"SELECT l.person_id, max(l.month) FROM payout_lines l "
			"WHERE l.person_id > ?1 AND (l.state = 'planned' OR l.payment_id IS NOT NULL) "
			"GROUP BY l.person_id HAVING max(l.month) < ?2 "
			"AND EXISTS (SELECT 1 FROM ledger_entries d WHERE d.person_id = l.person_id AND d.kind = 'disbursement') "
			"AND NOT EXISTS (SELECT 1 FROM loan_accounts a WHERE a.person_id = l.person_id "
			"AND a.support_ended IS NOT NULL) "
			"AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.person_id = l.person_id AND c.status <> 'decided') "
			"ORDER BY l.person_id LIMIT ?3",
			bind_ends, &x, end_row, out, max, NULL, e);
}

/* ---- the status ---- */

#define STATUS_COLS "person_id, status, called_in, coalesce(called_in_amount, 0), coalesce(called_in_letter, 0), " \
		    "handed_over, coalesce(handover_amount, 0), coalesce(handover_letter, 0), handover_file, died, " \
		    "coalesce(written_off, 0)"

static int status_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_status *r = (struct loan_status *)out + i;
	r->person_id = sqlite3_column_int64(st, 0);
	r->status = sq_col_str(st, 1, a);
	r->called_in = sq_col_day(st, 2);
	r->called_in_amount = sqlite3_column_int64(st, 3);
	r->called_in_letter = sqlite3_column_int64(st, 4);
	r->handed_over = sq_col_day(st, 5);
	r->handover_amount = sqlite3_column_int64(st, 6);
	r->handover_letter = sqlite3_column_int64(st, 7);
	r->handover_file = sq_col_str(st, 8, a);
	r->died = sq_col_day(st, 9);
	r->written_off = sqlite3_column_int64(st, 10);
	return 0;
}

int store_loan_status_get(struct store *s, int64_t person_id, struct loan_status *out, struct arena *a,
			  struct err *e)
{
	int n = sq_query(s, "SELECT " STATUS_COLS " FROM loan_account_status WHERE person_id = ?", sq_bind_id, &person_id,
			 status_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0 ? 1 : 0;
}

int store_loan_status_by_letter(struct store *s, int64_t letter_id, struct loan_status *out, struct arena *a,
				struct err *e)
{
	int n = sq_query(s,
			 "SELECT " STATUS_COLS " FROM loan_account_status WHERE called_in_letter = ?1 "
			 "OR handover_letter = ?1",
			 sq_bind_id, &letter_id, status_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0 ? 1 : 0;
}

int store_loan_status_get_tx(struct store_tx *tx, int64_t person_id, struct loan_status *out, struct arena *a,
			     struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " STATUS_COLS " FROM loan_account_status WHERE person_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		status_row(st, out, 0, a);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : sq_db_error(e, tx->c->db, "loan status");
}

int store_loan_status_put(struct store_tx *tx, const struct loan_status *r, int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
				   "INSERT OR REPLACE INTO loan_account_status(person_id, status, called_in, "
				   "called_in_amount, called_in_letter, handed_over, handover_amount, handover_letter, "
				   "handover_file, died, written_off, updated_at) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->person_id);
	sq_bind_str(st, 2, r->status);
	sq_bind_day(st, 3, r->called_in);
	if (r->called_in != LOAN_NO_DATE)
		sqlite3_bind_int64(st, 4, r->called_in_amount);
	else
		sqlite3_bind_null(st, 4);
	sq_bind_id_or_null(st, 5, r->called_in_letter);
	sq_bind_day(st, 6, r->handed_over);
	if (r->handed_over != LOAN_NO_DATE)
		sqlite3_bind_int64(st, 7, r->handover_amount);
	else
		sqlite3_bind_null(st, 7);
	sq_bind_id_or_null(st, 8, r->handover_letter);
	sq_bind_str(st, 9, r->handover_file);
	sq_bind_day(st, 10, r->died);
	if (r->died != LOAN_NO_DATE)
		sqlite3_bind_int64(st, 11, r->written_off);
	else
		sqlite3_bind_null(st, 11);
	sqlite3_bind_int64(st, 12, now);
	return sq_step_insert(tx, st, NULL, "store loan status", e);
}

/* ---- call-in and handover ---- */

struct page {
	int64_t after;
	int max;
};

static void bind_page2(sqlite3_stmt *st, const void *arg)
{
	const struct page *p = arg;
	sqlite3_bind_int64(st, 1, p->after);
	sqlite3_bind_int(st, 2, p->max);
}

static int id_row2(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	((int64_t *)out)[i] = sqlite3_column_int64(st, 0);
	return 0;
}

int store_loan_callin_candidates(struct store *s, int64_t after_id, int64_t *ids, int max, struct err *e)
{
	struct page p = {after_id, max};
	return sq_query(s,
			"SELECT DISTINCT i.person_id FROM loan_invoices i WHERE i.person_id > ?1 AND i.reminders >= 2 "
			"AND i.paid_at IS NULL AND i.cancelled_at IS NULL "
			"AND NOT EXISTS (SELECT 1 FROM loan_account_status t WHERE t.person_id = i.person_id) "
			"ORDER BY i.person_id LIMIT ?2",
			bind_page2, &p, id_row2, ids, max, NULL, e);
}

int store_loan_called_in(struct store *s, int64_t after_id, int64_t *ids, int max, struct err *e)
{
	struct page p = {after_id, max};
	return sq_query(s,
			"SELECT person_id FROM loan_account_status WHERE status = 'called-in' AND person_id > ?1 "
			"ORDER BY person_id LIMIT ?2",
			bind_page2, &p, id_row2, ids, max, NULL, e);
}

static int handover_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_handover *h = *(struct loan_handover **)out + i;
	h->person_id = sqlite3_column_int64(st, 0);
	h->nin = sq_col_str(st, 1, a);
	h->kid = sq_col_str(st, 2, a);
	h->called_in = sq_col_day(st, 3);
	h->handed_over = sq_col_day(st, 4);
	h->amount = sqlite3_column_int64(st, 5);
	return 0;
}

int store_loan_handovers_unwritten(struct store *s, int64_t after_id, struct loan_handover **out, int max,
				   struct arena *a, struct err *e)
{
	struct page p = {after_id, max};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	return sq_query(s,
			"SELECT t.person_id, p.nin, a.kid, t.called_in, t.handed_over, t.handover_amount "
			"FROM loan_account_status t JOIN persons p ON p.id = t.person_id "
			"JOIN loan_accounts a ON a.person_id = t.person_id "
			"WHERE t.status = 'collection' AND t.handover_file IS NULL AND t.person_id > ?1 "
			"ORDER BY t.person_id LIMIT ?2",
			bind_page2, &p, handover_row, out, max, a, e);
}

int store_loan_handover_written(struct store_tx *tx, int64_t person_id, const char *file, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
				   "UPDATE loan_account_status SET handover_file = ?2 WHERE person_id = ?1 "
				   "AND status = 'collection' AND handover_file IS NULL",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, file);
	return sq_step_insert(tx, st, NULL, "mark handover written", e);
}

int store_loan_person_by_nin(struct store *s, const char *nin, int64_t *person_id, struct err *e)
{
	int64_t id = 0;
	int n = sq_query(s, "SELECT p.id FROM persons p JOIN loan_accounts a ON a.person_id = p.id WHERE p.nin = ?",
			 sq_bind_text, nin, id_row2, &id, 1, NULL, e);
	if (n < 0)
		return -1;
	if (n == 0)
		return 1;
	*person_id = id;
	return 0;
}

/* ---- eFaktura and AvtaleGiro ---- */

static const char *kind_static(const unsigned char *t)
{
	return t && strcmp((const char *)t, "avtalegiro") == 0 ? "avtalegiro" : "efaktura";
}

int store_loan_giro_replace(struct store_tx *tx, const char *const *kids, const char *const *kinds, int n,
			    int64_t now, int *taken, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "DELETE FROM loan_giro_agreements", e);
	if (st == NULL || sq_step_insert(tx, st, NULL, "clear giro agreements", e) != 0)
		return -1;
	*taken = 0;
	for (int i = 0; i < n; i++) {
		st = sq_prep(tx->c,
			     "INSERT OR REPLACE INTO loan_giro_agreements(person_id, kind, updated_at) "
			     "SELECT person_id, ?2, ?3 FROM loan_accounts WHERE kid = ?1",
			     e);
		if (st == NULL)
			return -1;
		sq_bind_str(st, 1, kids[i]);
		sq_bind_str(st, 2, kinds[i]);
		sqlite3_bind_int64(st, 3, now);
		if (sq_step_insert(tx, st, NULL, "store giro agreement", e) != 0)
			return -1;
		*taken += sqlite3_changes(tx->c->db) > 0;
	}
	return 0;
}

int store_loan_giro_kind_tx(struct store_tx *tx, int64_t person_id, const char **kind, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT kind FROM loan_giro_agreements WHERE person_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*kind = kind_static(sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : sq_db_error(e, tx->c->db, "giro agreement");
}

static int kind_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	(void)i;
	*(const char **)out = kind_static(sqlite3_column_text(st, 0));
	return 0;
}

int store_loan_giro_kind(struct store *s, int64_t person_id, const char **kind, struct err *e)
{
	int n = sq_query(s, "SELECT kind FROM loan_giro_agreements WHERE person_id = ?", sq_bind_id, &person_id,
			 kind_row, kind, 1, NULL, e);
	return n < 0 ? -1 : n == 0 ? 1 : 0;
}

int store_loan_invoice_channel_insert(struct store_tx *tx, int64_t invoice_id, const char *channel, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO loan_invoice_channels(invoice_id, channel) VALUES (?, ?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, invoice_id);
	sq_bind_str(st, 2, channel);
	return sq_step_insert(tx, st, NULL, "store invoice channel", e);
}

static int unsent_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_unsent *u = *(struct loan_unsent **)out + i;
	u->invoice_id = sqlite3_column_int64(st, 0);
	u->channel = kind_static(sqlite3_column_text(st, 1));
	u->kid = sq_col_str(st, 2, a);
	u->due = sq_col_day(st, 3);
	u->amount = sqlite3_column_int64(st, 4);
	return 0;
}

int store_loan_invoices_unsent(struct store *s, int64_t after_id, struct loan_unsent **out, int max, struct arena *a,
			       struct err *e)
{
	struct page p = {after_id, max};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	return sq_query(s,
			"SELECT c.invoice_id, c.channel, i.kid, i.due, i.amount + i.fee FROM loan_invoice_channels c "
			"JOIN loan_invoices i ON i.id = c.invoice_id WHERE c.sent_at IS NULL AND c.invoice_id > ?1 "
			"AND i.cancelled_at IS NULL ORDER BY c.invoice_id LIMIT ?2",
			bind_page2, &p, unsent_row, out, max, a, e);
}

int store_loan_invoice_sent(struct store_tx *tx, int64_t invoice_id, int64_t bank_id, int64_t now, struct err *e)
{
	sqlite3_stmt *st =
		sq_prep(tx->c, "UPDATE loan_invoice_channels SET sent_at = ?2, bank_id = ?3 WHERE invoice_id = ?1", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, invoice_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, bank_id);
	return sq_step_insert(tx, st, NULL, "mark invoice sent", e);
}

int store_loan_invoice_channel(struct store *s, int64_t invoice_id, const char **channel, struct err *e)
{
	int n = sq_query(s, "SELECT channel FROM loan_invoice_channels WHERE invoice_id = ?", sq_bind_id, &invoice_id,
			 kind_row, channel, 1, NULL, e);
	return n < 0 ? -1 : n == 0 ? 1 : 0;
}

/* ---- resolving the payments no account took ---- */

int store_loan_payment_get_tx(struct store_tx *tx, int64_t id, struct loan_payment *out, struct arena *a,
			      struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
				   "SELECT id, bank_ref, kid, amount, booked, debtor, coalesce(person_id, 0), state, "
				   "coalesce(entry_id, 0), received_at FROM loan_payments WHERE id = ?",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		out->bank_ref = sq_col_str(st, 1, a);
		out->kid = sq_col_str(st, 2, a);
		out->amount = sqlite3_column_int64(st, 3);
		out->booked = sq_col_day(st, 4);
		out->debtor = sq_col_str(st, 5, a);
		out->person_id = sqlite3_column_int64(st, 6);
		out->state = sq_col_str(st, 7, a);
		out->entry_id = sqlite3_column_int64(st, 8);
		out->received_at = sqlite3_column_int64(st, 9);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : sq_db_error(e, tx->c->db, "loan payment");
}

int store_loan_refund_insert(struct store_tx *tx, int64_t payment_id, int64_t amount, const char *account,
			     const char *actor, int64_t entry_id, date_t day, int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
				   "INSERT INTO loan_refunds(payment_id, amount, account, actor, entry_id, refund_day, "
				   "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, payment_id);
	sqlite3_bind_int64(st, 2, amount);
	sq_bind_str(st, 3, account);
	sq_bind_str(st, 4, actor);
	sqlite3_bind_int64(st, 5, entry_id);
	sq_bind_day(st, 6, day);
	sqlite3_bind_int64(st, 7, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		int ext = sqlite3_extended_errcode(tx->c->db);
		if (ext == SQLITE_CONSTRAINT_UNIQUE)
			return err_set(e, ERR_CONFLICT, "payment", "the payment has been refunded before");
		return sq_db_error(e, tx->c->db, "insert refund");
	}
	return 0;
}

/* ---- the due day ---- */

int store_loan_due_day_tx(struct store_tx *tx, int64_t person_id, int *day, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT day FROM loan_due_days WHERE person_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*day = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : sq_db_error(e, tx->c->db, "due day");
}

static int int_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	(void)i;
	*(int *)out = sqlite3_column_int(st, 0);
	return 0;
}

int store_loan_due_day(struct store *s, int64_t person_id, int *day, struct err *e)
{
	int n = sq_query(s, "SELECT day FROM loan_due_days WHERE person_id = ?", sq_bind_id, &person_id, int_row, day, 1,
			 NULL, e);
	return n < 0 ? -1 : n == 0 ? 1 : 0;
}

int store_loan_due_day_put(struct store_tx *tx, int64_t person_id, int day, int64_t now, struct err *e)
{
	sqlite3_stmt *st =
		sq_prep(tx->c, "INSERT OR REPLACE INTO loan_due_days(person_id, day, updated_at) VALUES (?, ?, ?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int(st, 2, day);
	sqlite3_bind_int64(st, 3, now);
	return sq_step_insert(tx, st, NULL, "store due day", e);
}
