/* sqlite_messages.c - the mailbox's storage on SQLite (see messages.h):
 * letters found by filters in SQL, the conversation about a case, the
 * state of requests for documentation, and the documents sent, kept as
 * BLOBs beside their SHA-256.
 *
 * The free-text filter arrives already turned into lists of kinds and
 * units (JSON arrays, read with json_each), so that one prepared statement
 * serves every combination of filters and the paging stays in SQL. */
#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/messages.h"
#include "store/sqlite_internal.h"

/* ---- finding letters ---- */

/* The same columns, in the same order, as sqlite.c reads a letter. */
#define FIND_WHERE "person_id = ?1 AND (?2 = 0 OR case_id = ?2) AND (?3 IS NULL OR kind = ?3) " \
		   "AND (?4 IS NULL OR sender_unit = ?4) " \
		   "AND (?5 = 0 OR (?5 = 1 AND first_read_at IS NULL) OR (?5 = 2 AND first_read_at IS NOT NULL)) " \
		   "AND (?6 = 0 OR kind IN (SELECT value FROM json_each(?7)) " \
		   "OR sender_unit IN (SELECT value FROM json_each(?8)) " \
		   "OR (?9 <> 0 AND kind NOT IN (SELECT value FROM json_each(?10))))"

static void bind_find(sqlite3_stmt *st, const void *arg)
{
	const struct letter_query *q = arg;
	sqlite3_bind_int64(st, 1, q->person_id);
	sqlite3_bind_int64(st, 2, q->case_id);
	sq_bind_str(st, 3, q->kind);
	sq_bind_str(st, 4, q->sender_unit);
	sqlite3_bind_int(st, 5, q->read == LETTERS_UNREAD ? 1 : q->read == LETTERS_READ ? 2 : 0);
	sqlite3_bind_int(st, 6, q->text != 0);
	sq_bind_str(st, 7, q->text_kinds ? q->text_kinds : "[]");
	sq_bind_str(st, 8, q->text_units ? q->text_units : "[]");
	sqlite3_bind_int(st, 9, q->text_other != 0);
	sq_bind_str(st, 10, q->known_kinds ? q->known_kinds : "[]");
	/* Only the listing has these two; binding past the last parameter
	 * of the count is a harmless SQLITE_RANGE. */
	sqlite3_bind_int(st, 11, q->limit);
	sqlite3_bind_int(st, 12, q->offset);
}

int store_letters_find(struct store *s, const struct letter_query *q, struct letter **out, int64_t *total,
		       struct arena *a, struct err *e)
{
	if (q->limit < 1 || q->limit > LETTERS_FIND_MAX || q->offset < 0)
		return err_set(e, ERR_INVALID, "page", "a page of 1 to %d letters", LETTERS_FIND_MAX);
	*out = arena_zalloc(a, sizeof(**out) * (size_t)q->limit);
	int n = sq_query(s, "SELECT " SQ_LETTER_COLS " FROM letters WHERE " FIND_WHERE " ORDER BY id DESC LIMIT ?11 OFFSET ?12",
			 bind_find, q, sq_letter_row, *out, q->limit, a, e);
	if (n < 0 || total == NULL)
		return n;
	*total = 0;
	if (sq_query(s, "SELECT count(*) FROM letters WHERE " FIND_WHERE, bind_find, q, sq_count_row, total, 1, NULL, e) < 0)
		return -1;
	return n;
}

/* ---- the conversation ---- */

#define MESSAGE_COLS "id, case_id, person_id, direction, coalesce(staff_id, 0), text, created_at, " \
		     "coalesce(answered_at, 0), coalesce(answer_id, 0), coalesce(letter_id, 0)"

static int message_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct message *m = (struct message *)out + i;
	m->id = sqlite3_column_int64(st, 0);
	m->case_id = sqlite3_column_int64(st, 1);
	m->person_id = sqlite3_column_int64(st, 2);
	m->direction = sq_col_str(st, 3, a);
	m->staff_id = sqlite3_column_int64(st, 4);
	m->text = sq_col_str(st, 5, a);
	m->created_at = sqlite3_column_int64(st, 6);
	m->answered_at = sqlite3_column_int64(st, 7);
	m->answer_id = sqlite3_column_int64(st, 8);
	m->letter_id = sqlite3_column_int64(st, 9);
	return 0;
}

int store_message_insert(struct store_tx *tx, const struct message *m, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO messages(case_id, person_id, direction, staff_id, text, "
					  "created_at, letter_id) VALUES (?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	if (m->case_id) /* 0: a message about no case (the support centre, #14) */
		sqlite3_bind_int64(st, 1, m->case_id);
	sqlite3_bind_int64(st, 2, m->person_id);
	sq_bind_str(st, 3, m->direction);
	if (m->staff_id)
		sqlite3_bind_int64(st, 4, m->staff_id);
	sq_bind_str(st, 5, m->text);
	sqlite3_bind_int64(st, 6, m->created_at);
	if (m->letter_id)
		sqlite3_bind_int64(st, 7, m->letter_id);
	return sq_step_insert(tx, st, id, "insert message", e);
}

int store_message_get(struct store *s, int64_t id, struct message *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " MESSAGE_COLS " FROM messages WHERE id = ?", sq_bind_id, &id, message_row, out, 1,
			 a, e);
	return n < 0 ? -1 : n == 0;
}

int store_message_get_tx(struct store_tx *tx, int64_t id, struct message *out, struct arena *a, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " MESSAGE_COLS " FROM messages WHERE id = ?1", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		message_row(st, out, 0, a);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "read message");
	return rc == SQLITE_ROW ? 0 : 1;
}

int store_messages_of_case(struct store *s, int64_t case_id, struct message **out, struct arena *a,
			   struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " MESSAGE_COLS " FROM messages WHERE case_id = ? ORDER BY id", sq_bind_id, &case_id,
			message_row, *out, LIST_MAX, a, e);
}

int store_messages_waiting(struct store *s, struct message **out, int64_t *total, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	int n = sq_query(s, "SELECT " MESSAGE_COLS " FROM messages WHERE direction = 'in' AND answered_at IS NULL "
			 "ORDER BY created_at, id", sq_bind_none, NULL, message_row, *out, LIST_MAX, a, e);
	if (n < 0 || total == NULL)
		return n;
	*total = 0;
	if (sq_query(s, "SELECT count(*) FROM messages WHERE direction = 'in' AND answered_at IS NULL", sq_bind_none,
		     NULL, sq_count_row, total, 1, NULL, e) < 0)
		return -1;
	return n;
}

int store_message_answered(struct store_tx *tx, int64_t id, int64_t answer_id, int64_t at, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE messages SET answered_at = ?1, answer_id = ?2 WHERE id = ?3 "
					  "AND direction = 'in' AND answered_at IS NULL", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, answer_id);
	sqlite3_bind_int64(st, 3, id);
	if (sq_step_insert(tx, st, NULL, "answer message", e) != 0)
		return -1;
	if (sqlite3_changes(tx->c->db) != 1)
		return err_set(e, ERR_CONFLICT, NULL, "message %lld does not wait for an answer", (long long)id);
	/* The answer covers what the person wrote before it, too. */
	st = sq_prep(tx->c, "UPDATE messages SET answered_at = ?1, answer_id = ?2 WHERE direction = 'in' "
			    "AND answered_at IS NULL AND id < ?3 AND case_id = (SELECT case_id FROM messages WHERE id = ?3)",
		     e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, answer_id);
	sqlite3_bind_int64(st, 3, id);
	return sq_step_insert(tx, st, NULL, "answer earlier messages", e);
}

int store_message_set_letter(struct store_tx *tx, int64_t id, int64_t letter_id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE messages SET letter_id = ? WHERE id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, letter_id);
	sqlite3_bind_int64(st, 2, id);
	return sq_step_insert(tx, st, NULL, "message letter", e);
}

/* ---- requests for documentation ---- */

#define STATE_COLS "dr.id, dr.case_id, coalesce(dr.state, 'open'), coalesce(dr.closed_at, 0), " \
		   "dr.id = (SELECT max(id) FROM documentation_requests x WHERE x.case_id = dr.case_id), " \
		   "c.status, c.person_id, dr.deadline"
#define STATE_FROM "documentation_requests dr JOIN cases c ON c.id = dr.case_id"

static int state_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct doc_request_state *r = (struct doc_request_state *)out + i;
	r->id = sqlite3_column_int64(st, 0);
	r->case_id = sqlite3_column_int64(st, 1);
	r->state = sq_col_str(st, 2, a);
	r->closed_at = sqlite3_column_int64(st, 3);
	r->latest = sqlite3_column_int(st, 4);
	r->case_status = sq_col_str(st, 5, a);
	r->person_id = sqlite3_column_int64(st, 6);
	r->deadline = sq_col_str(st, 7, a);
	return 0;
}

int store_doc_request_state_tx(struct store_tx *tx, int64_t request_id, struct doc_request_state *out,
			       struct arena *a, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " STATE_COLS " FROM " STATE_FROM " WHERE dr.id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, request_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		state_row(st, out, 0, a);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "read request");
	return rc == SQLITE_ROW ? 0 : 1;
}

int store_doc_request_state_of_case(struct store *s, int64_t case_id, struct doc_request_state *out,
				    struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " STATE_COLS " FROM " STATE_FROM " WHERE dr.case_id = ? ORDER BY dr.id DESC LIMIT 1",
			 sq_bind_id, &case_id, state_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_doc_request_close(struct store_tx *tx, int64_t request_id, const char *state, int64_t at, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE documentation_requests SET state = ?, closed_at = ? "
					  "WHERE id = ? AND state IS NULL", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, state);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int64(st, 3, request_id);
	if (sq_step_insert(tx, st, NULL, "close request", e) != 0)
		return -1;
	if (sqlite3_changes(tx->c->db) != 1)
		return err_set(e, ERR_CONFLICT, NULL, "request %lld is closed already", (long long)request_id);
	return 0;
}

/* ---- documents ---- */

int store_documents_insert(struct store_tx *tx, int64_t case_id, int64_t person_id, int64_t request_id,
			   const char *note, int64_t at, const struct document *docs, int n, int64_t *submission_id,
			   struct err *e)
{
	int64_t sub;
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO document_submissions(case_id, person_id, request_id, note, "
					  "received_at) VALUES (?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, person_id);
	sqlite3_bind_int64(st, 3, request_id);
	sq_bind_str(st, 4, note);
	sqlite3_bind_int64(st, 5, at);
	if (sq_step_insert(tx, st, &sub, "insert submission", e) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		st = sq_prep(tx->c, "INSERT INTO documents(submission_id, case_id, name, media_type, size, sha256, "
				    "content) VALUES (?,?,?,?,?,?,?)", e);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, sub);
		sqlite3_bind_int64(st, 2, case_id);
		sq_bind_str(st, 3, docs[i].name);
		sq_bind_str(st, 4, docs[i].media_type);
		sqlite3_bind_int64(st, 5, docs[i].size);
		sq_bind_str(st, 6, docs[i].sha256);
		sqlite3_bind_blob64(st, 7, docs[i].content, (sqlite3_uint64)docs[i].size, SQLITE_STATIC);
		int rc = sq_step_insert(tx, st, NULL, "insert document", e);
		/* Unbind at once: the statement is cached, the bytes are not ours. */
		sqlite3_clear_bindings(st);
		if (rc != 0)
			return -1;
	}
	if (submission_id)
		*submission_id = sub;
	return 0;
}

#define DOCUMENT_COLS "d.id, d.submission_id, d.case_id, d.name, d.media_type, d.size, d.sha256, " \
		      "s.person_id, s.request_id, s.received_at, s.note"
#define DOCUMENT_FROM "documents d JOIN document_submissions s ON s.id = d.submission_id"

static int document_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct document *d = (struct document *)out + i;
	d->id = sqlite3_column_int64(st, 0);
	d->submission_id = sqlite3_column_int64(st, 1);
	d->case_id = sqlite3_column_int64(st, 2);
	d->name = sq_col_str(st, 3, a);
	d->media_type = sq_col_str(st, 4, a);
	d->size = sqlite3_column_int64(st, 5);
	d->sha256 = sq_col_str(st, 6, a);
	d->person_id = sqlite3_column_int64(st, 7);
	d->request_id = sqlite3_column_int64(st, 8);
	d->received_at = sqlite3_column_int64(st, 9);
	d->note = sq_col_str(st, 10, a);
	d->content = NULL;
	return 0;
}

static int document_content_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct document *d = (struct document *)out + i;
	document_row(st, out, i, a);
	const void *blob = sqlite3_column_blob(st, 11);
	int n = sqlite3_column_bytes(st, 11);
	if (n != d->size)
		return -1; /* the table's CHECK makes this impossible */
	void *copy = arena_alloc(a, (size_t)n + 1);
	if (n > 0)
		memcpy(copy, blob, (size_t)n);
	d->content = copy;
	return 0;
}

int store_documents_of_case(struct store *s, int64_t case_id, struct document **out, struct arena *a,
			    struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " DOCUMENT_COLS " FROM " DOCUMENT_FROM " WHERE d.case_id = ? ORDER BY d.id",
			sq_bind_id, &case_id, document_row, *out, LIST_MAX, a, e);
}

int store_document_get(struct store *s, int64_t id, struct document *out, struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	int n = sq_query(s, "SELECT " DOCUMENT_COLS ", d.content FROM " DOCUMENT_FROM " WHERE d.id = ?", sq_bind_id, &id,
			 document_content_row, out, 1, a, e);
	if (n < 0)
		return -1;
	if (n == 0 && out->id != 0)
		return err_set(e, ERR_STORE, NULL, "document %lld has a damaged content", (long long)id);
	return n == 0;
}
