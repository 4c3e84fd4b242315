/* sqlite_calendar.c - the calendar's storage on SQLite: deadlines, the view
 * of every deadline a person has (calendar_entries: the deadlines table and
 * requests for documentation), the feed, reminder settings, the reminders
 * sent and the mobile code's tries; see store/calendar.h. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/calendar.h"
#include "store/sqlite_internal.h"

/* ---- deadlines ---- */

int store_deadline_put(struct store_tx *tx, const struct deadline *d, int64_t now, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO deadlines(person_id, case_id, kind, due, what, source, created_at) "
				       "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET "
				       "case_id = excluded.case_id, kind = excluded.kind, due = excluded.due, "
				       "what = excluded.what, done_at = NULL RETURNING id", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, d->person_id);
	if (d->case_id)
		sqlite3_bind_int64(st, 2, d->case_id);
	sq_bind_str(st, 3, d->kind);
	sq_bind_str(st, 4, d->due);
	sq_bind_str(st, 5, d->what);
	sq_bind_str(st, 6, d->source);
	sqlite3_bind_int64(st, 7, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && id)
		*id = sqlite3_column_int64(st, 0);
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "store deadline");
	return 0;
}

int store_deadline_done(struct store_tx *tx, const char *source, int64_t at, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE deadlines SET done_at = ? WHERE source = ?", e);
	if (st == NULL)
		return -1;
	if (at)
		sqlite3_bind_int64(st, 1, at);
	sq_bind_str(st, 2, source);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "finish deadline");
	return sqlite3_changes(tx->c->db) > 0 ? 0 : 1;
}

#define ENTRY_COLS "e.ref, e.person_id, coalesce(e.case_id, 0), e.kind, e.due, e.what, e.source, e.done, " \
		   "coalesce(c.scheme, 'other')"

static void entry_cols(sqlite3_stmt *st, struct cal_entry *x, struct arena *a)
{
	x->ref = sq_col_str(st, 0, a);
	x->person_id = sqlite3_column_int64(st, 1);
	x->case_id = sqlite3_column_int64(st, 2);
	x->kind = sq_col_str(st, 3, a);
	x->due = sq_col_str(st, 4, a);
	x->what = sq_col_str(st, 5, a);
	x->source = sq_col_str(st, 6, a);
	x->done = sqlite3_column_int(st, 7);
	x->case_type = sq_col_str(st, 8, a);
}

static int entry_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	entry_cols(st, (struct cal_entry *)out + i, a);
	return 0;
}

int store_calendar_of_person(struct store *s, int64_t person_id, struct cal_entry **out, struct arena *a,
			     struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " ENTRY_COLS " FROM calendar_entries e LEFT JOIN cases c ON c.id = e.case_id "
			   "WHERE e.person_id = ? ORDER BY e.due, e.ref",
			sq_bind_id, &person_id, entry_row, *out, LIST_MAX, a, e);
}

struct range {
	const char *from, *to, *after;
};

static void bind_range(sqlite3_stmt *st, const void *arg)
{
	const struct range *r = arg;
	sqlite3_bind_text(st, 1, r->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->after, -1, SQLITE_STATIC);
}

static int due_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct cal_due *d = (struct cal_due *)out + i;
	entry_cols(st, &d->entry, a);
	d->offsets = sq_col_str(st, 9, a);
	d->recorded = sq_col_str(st, 10, a);
	return 0;
}

int store_calendar_due(struct store *s, const char *from, const char *to, const char *after, struct cal_due *out,
		       int max, struct arena *a, struct err *e)
{
	struct range r = {from, to, after};
	/* Written per source rather than through the view, so that each part
	 * reads its own index: open deadlines by due date, and the cases that
	 * wait for documentation by status. */
	return sq_query(s,
			"WITH open (ref, person_id, case_id, kind, due, what, source, done) AS ("
			" SELECT 'deadline:' || d.id, d.person_id, d.case_id, d.kind, d.due, d.what, d.source, 0"
			" FROM deadlines d WHERE d.done_at IS NULL AND d.due BETWEEN ?1 AND ?2"
			" UNION ALL"
			" SELECT 'documentation-request:' || r.id, k.person_id, r.case_id, 'documentation', r.deadline,"
			" r.text, 'documentation-request:' || r.id, 0"
			" FROM cases k JOIN documentation_requests r ON r.case_id = k.id"
			" WHERE k.status = 'awaiting-documentation' AND r.deadline BETWEEN ?1 AND ?2)"
			" SELECT " ENTRY_COLS ", rs.offsets,"
			" (SELECT group_concat(offset_days) FROM reminders_sent x WHERE x.ref = e.ref)"
			" FROM open e LEFT JOIN cases c ON c.id = e.case_id"
			" LEFT JOIN reminder_settings rs ON rs.person_id = e.person_id"
			" AND rs.case_type = coalesce(c.scheme, 'other')"
			" WHERE e.ref > ?3 ORDER BY e.ref",
			bind_range, &r, due_row, out, max, a, e);
}

int store_reminder_record(struct store_tx *tx, const char *ref, int offset_days, int64_t person_id, int64_t at,
			  int *fresh, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO reminders_sent(ref, offset_days, person_id, at) VALUES (?, ?, ?, ?) "
				       "ON CONFLICT (ref, offset_days) DO NOTHING", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, ref);
	sqlite3_bind_int(st, 2, offset_days);
	sqlite3_bind_int64(st, 3, person_id);
	sqlite3_bind_int64(st, 4, at);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "record reminder");
	*fresh = sqlite3_changes(tx->c->db) > 0;
	return 0;
}

int store_reminder_set_letter(struct store_tx *tx, const char *ref, int offset_days, int64_t letter_id,
			      struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE reminders_sent SET letter_id = ? WHERE ref = ? AND offset_days = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, letter_id);
	sq_bind_str(st, 2, ref);
	sqlite3_bind_int(st, 3, offset_days);
	return sq_step_insert(tx, st, NULL, "reminder letter", e);
}

struct reminder_of {
	const char **ref;
	int *offset;
};

static int reminder_of_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	struct reminder_of *r = out;
	*r->ref = sq_col_str(st, 0, a);
	*r->offset = sqlite3_column_int(st, 1);
	return 0;
}

int store_reminder_of_letter(struct store *s, int64_t letter_id, struct cal_entry *out, int *offset_days,
			     struct arena *a, struct err *e)
{
	const char *ref = NULL;
	struct reminder_of r = {&ref, offset_days};
	int n = sq_query(s, "SELECT ref, offset_days FROM reminders_sent WHERE letter_id = ?", sq_bind_id, &letter_id,
			 reminder_of_row, &r, 1, a, e);
	if (n <= 0)
		return n < 0 ? -1 : 1;
	return store_calendar_entry(s, ref, out, a, e);
}

int store_calendar_entry(struct store *s, const char *ref, struct cal_entry *out, struct arena *a, struct err *e)
{
	/* The ref names its table and row: read that row by its key. */
	static const char deadline[] = "deadline:", request[] = "documentation-request:";
	int64_t id;
	char *end;
	int n;
	if (strncmp(ref, deadline, sizeof(deadline) - 1) == 0) {
		id = strtoll(ref + sizeof(deadline) - 1, &end, 10);
		if (*end != '\0')
			return 1;
		n = sq_query(s, "SELECT 'deadline:' || e.id, e.person_id, coalesce(e.case_id, 0), e.kind, e.due, e.what, "
				"e.source, e.done_at IS NOT NULL, coalesce(c.scheme, 'other') "
				"FROM deadlines e LEFT JOIN cases c ON c.id = e.case_id WHERE e.id = ?",
			     sq_bind_id, &id, entry_row, out, 1, a, e);
	} else if (strncmp(ref, request, sizeof(request) - 1) == 0) {
		id = strtoll(ref + sizeof(request) - 1, &end, 10);
		if (*end != '\0')
			return 1;
		n = sq_query(s, "SELECT 'documentation-request:' || r.id, c.person_id, r.case_id, 'documentation', "
				"r.deadline, r.text, 'documentation-request:' || r.id, c.status <> 'awaiting-documentation', "
				"c.scheme FROM documentation_requests r JOIN cases c ON c.id = r.case_id WHERE r.id = ?",
			     sq_bind_id, &id, entry_row, out, 1, a, e);
	} else {
		return 1;
	}
	return n < 0 ? -1 : n == 0;
}

static int setting_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct reminder_setting *r = (struct reminder_setting *)out + i;
	r->case_type = sq_col_str(st, 0, a);
	r->offsets = sq_col_str(st, 1, a);
	return 0;
}

int store_reminder_settings(struct store *s, int64_t person_id, struct reminder_setting **out, struct arena *a,
			    struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * 32);
	return sq_query(s, "SELECT case_type, offsets FROM reminder_settings WHERE person_id = ? ORDER BY case_type",
			sq_bind_id, &person_id, setting_row, *out, 32, a, e);
}

int store_reminder_setting_put(struct store_tx *tx, int64_t person_id, const char *case_type, const char *offsets,
			       int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR REPLACE INTO reminder_settings(person_id, case_type, offsets, updated_at) "
				       "VALUES (?, ?, ?, ?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, case_type);
	sq_bind_str(st, 3, offsets);
	sqlite3_bind_int64(st, 4, now);
	return sq_step_insert(tx, st, NULL, "store reminder setting", e);
}

/* ---- the feed ---- */

#define FEED_COLS "person_id, secret, generation, token_hash, created_at, coalesce(revoked_at, 0)"

static int feed_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct feed_rec *f = (struct feed_rec *)out + i;
	f->person_id = sqlite3_column_int64(st, 0);
	f->secret = sq_col_str(st, 1, a);
	f->generation = sqlite3_column_int64(st, 2);
	f->token_hash = sq_col_str(st, 3, a);
	f->created_at = sqlite3_column_int64(st, 4);
	f->revoked_at = sqlite3_column_int64(st, 5);
	return 0;
}

int store_feed_get(struct store *s, int64_t person_id, struct feed_rec *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " FEED_COLS " FROM calendar_feeds WHERE person_id = ?", sq_bind_id, &person_id,
			 feed_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_feed_get_tx(struct store_tx *tx, int64_t person_id, struct feed_rec *out, struct arena *a,
		      struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " FEED_COLS " FROM calendar_feeds WHERE person_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		feed_row(st, out, 0, a);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "read feed");
	return rc == SQLITE_ROW ? 0 : 1;
}

static int id_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	(void)a;
	*(int64_t *)out = sqlite3_column_int64(st, 0);
	return 0;
}

int store_feed_by_hash(struct store *s, const char *token_hash, int64_t *person_id, struct err *e)
{
	int n = sq_query(s, "SELECT person_id FROM calendar_feeds WHERE token_hash = ?", sq_bind_text, token_hash,
			 id_row, person_id, 1, NULL, e);
	return n < 0 ? -1 : n == 0;
}

int store_feed_put(struct store_tx *tx, const struct feed_rec *f, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR REPLACE INTO calendar_feeds(person_id, secret, generation, token_hash, "
				       "created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->person_id);
	sq_bind_str(st, 2, f->secret);
	sqlite3_bind_int64(st, 3, f->generation);
	sq_bind_str(st, 4, f->token_hash);
	sqlite3_bind_int64(st, 5, f->created_at);
	if (f->revoked_at)
		sqlite3_bind_int64(st, 6, f->revoked_at);
	return sq_step_insert(tx, st, NULL, "store feed", e);
}

/* ---- mobile verification ---- */

int store_contact_get_tx(struct store_tx *tx, int64_t person_id, struct contact_prefs *out, struct arena *a,
			 struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT person_id, email, mobile, coalesce(mobile_verified_at, 0), mobile_pending, "
				       "mobile_code_hash, coalesce(mobile_code_expires, 0), channel, language, updated_at "
				       "FROM contact_preferences WHERE person_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->person_id = sqlite3_column_int64(st, 0);
		out->email = sq_col_str(st, 1, a);
		out->mobile = sq_col_str(st, 2, a);
		out->mobile_verified_at = sqlite3_column_int64(st, 3);
		out->mobile_pending = sq_col_str(st, 4, a);
		out->mobile_code_hash = sq_col_str(st, 5, a);
		out->mobile_code_expires = sqlite3_column_int64(st, 6);
		out->channel = sq_col_str(st, 7, a);
		out->language = sq_col_str(st, 8, a);
		out->updated_at = sqlite3_column_int64(st, 9);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "read contact preferences");
	return rc == SQLITE_ROW ? 0 : 1;
}

int store_mobile_verif_get_tx(struct store_tx *tx, int64_t person_id, struct mobile_verif *out, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT tries, codes_sent, window_start FROM mobile_verification WHERE person_id = ?", e);
	if (st == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(st, 1, person_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->tries = sqlite3_column_int(st, 0);
		out->codes_sent = sqlite3_column_int(st, 1);
		out->window_start = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "read mobile verification");
	return rc == SQLITE_ROW ? 0 : 1;
}

int store_mobile_verif_put(struct store_tx *tx, int64_t person_id, const struct mobile_verif *v, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR REPLACE INTO mobile_verification(person_id, tries, codes_sent, window_start) "
				       "VALUES (?, ?, ?, ?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int(st, 2, v->tries);
	sqlite3_bind_int(st, 3, v->codes_sent);
	sqlite3_bind_int64(st, 4, v->window_start);
	return sq_step_insert(tx, st, NULL, "store mobile verification", e);
}
