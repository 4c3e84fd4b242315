/* sqlite_paper.c - print batches and withheld letters in the SQLite store;
 * see paper.h.
 *
 * Which letters are due is one condition, PAPER_DUE, put into each
 * statement that needs it (SQL is always a literal here): a decision
 * letter unread since the cut-off, or a letter about the loan of a
 * borrower who has chosen paper; not on paper yet, in no batch. The
 * partial index letters_unread (migration 0005) serves both ranges of
 * kinds (the loan's letters as the range 'loan-' to 'loan.'). */
#include "store/paper.h"

#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/sqlite_internal.h"

/* The letters due on paper, unread and not yet printed: a decision letter
 * delivered at or before `before` (the fallback's days), and at once every
 * letter about the loan (kinds "loan-...") to a borrower who has chosen
 * paper (the account's paper flag: the invoices that carry the paper fee,
 * and the annual statement "by paper when the person has not chosen
 * digital", #11). Two searches of the index letters_unread, one a range. */
#define PAPER_DUE(before)                                                                                      \
	"l.id IN (SELECT u.id FROM letters u WHERE u.first_read_at IS NULL AND u.paper_at IS NULL "              \
	"AND u.kind = 'decision' AND u.created_at <= " before " UNION ALL SELECT u.id FROM letters u "          \
	"WHERE u.first_read_at IS NULL AND u.paper_at IS NULL AND u.kind >= 'loan-' AND u.kind < 'loan.' "       \
	"AND EXISTS (SELECT 1 FROM loan_accounts a WHERE a.person_id = u.person_id AND a.paper = 1))"

int store_paper_claim(struct store_tx *tx, int64_t now, int64_t unread_before, int forwarding, int max,
                      int64_t *batch_id, int *count, struct err *e)
{
	*batch_id = 0;
	*count = 0;
	sqlite3_stmt *st =
	    sq_prep(tx->c, "INSERT INTO print_batches(created_at, unread_before, state) VALUES (?, ?, 'open')", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, unread_before);
	int64_t id;
	if (sq_step_insert(tx, st, &id, "create a print batch", e) != 0)
		return -1;
	st = sq_prep(
	    tx->c,
	    "INSERT INTO print_batch_letters(batch_id, seq, letter_id) "
	    "SELECT ?1, row_number() OVER (ORDER BY l.id), l.id FROM letters l JOIN persons p ON p.id = l.person_id "
	    "WHERE " PAPER_DUE("?2") " AND (p.confidential_address = 0 OR ?3) "
	    "AND NOT EXISTS (SELECT 1 FROM print_batch_letters b WHERE b.letter_id = l.id) "
	    "ORDER BY l.id LIMIT ?4",
	    e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, unread_before);
	sqlite3_bind_int(st, 3, forwarding != 0);
	sqlite3_bind_int(st, 4, max);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "claim letters for a print batch");
	int n = sqlite3_changes(tx->c->db);
	if (n == 0) {
		/* Nothing due: no empty batch. */
		st = sq_prep(tx->c, "DELETE FROM print_batches WHERE id = ?", e);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		return sq_step_insert(tx, st, NULL, "drop an empty print batch", e);
	}
	st = sq_prep(tx->c, "UPDATE print_batches SET letter_count = ? WHERE id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, n);
	sqlite3_bind_int64(st, 2, id);
	if (sq_step_insert(tx, st, NULL, "count a print batch", e) != 0)
		return -1;
	*batch_id = id;
	*count = n;
	return 0;
}

int store_paper_withhold_due(struct store_tx *tx, int64_t now, int64_t unread_before, int max, int64_t **ids,
                             struct arena *a, struct err *e)
{
	*ids = arena_zalloc(a, sizeof(**ids) * (size_t)(max > 0 ? max : 1));
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "SELECT l.id FROM letters l JOIN persons p ON p.id = l.person_id "
	                           "WHERE " PAPER_DUE("?1") " AND p.confidential_address <> 0 "
	                           "AND NOT EXISTS (SELECT 1 FROM print_batch_letters b WHERE b.letter_id = l.id) "
	                           "AND NOT EXISTS (SELECT 1 FROM paper_withheld w WHERE w.letter_id = l.id) "
	                           "ORDER BY l.id LIMIT ?2",
	                           e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, unread_before);
	sqlite3_bind_int(st, 2, max);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		(*ids)[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "find letters to withhold");
	st = sq_prep(tx->c,
	             "INSERT INTO paper_withheld(letter_id, withheld_at, reason) VALUES (?, ?, 'confidential-address')",
	             e);
	if (st == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (*ids)[i]);
		sqlite3_bind_int64(st, 2, now);
		if (sq_step_insert(tx, st, NULL, "withhold a letter from paper", e) != 0)
			return -1;
	}
	return n;
}

static int id_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	((int64_t *)out)[i] = sqlite3_column_int64(st, 0);
	return 0;
}

int store_paper_open_batches(struct store *s, int max, int64_t **ids, struct arena *a, struct err *e)
{
	*ids = arena_zalloc(a, sizeof(**ids) * (size_t)(max > 0 ? max : 1));
	return sq_query(s, "SELECT id FROM print_batches WHERE state = 'open' ORDER BY id", sq_bind_none, NULL, id_row,
	                *ids, max, a, e);
}

static int batch_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct paper_batch *b = (struct paper_batch *)out + i;
	b->id = sqlite3_column_int64(st, 0);
	b->created_at = sqlite3_column_int64(st, 1);
	b->unread_before = sqlite3_column_int64(st, 2);
	b->state = sq_col_str(st, 3, a);
	b->letter_count = sqlite3_column_int(st, 4);
	b->page_count = sqlite3_column_int(st, 5);
	return 0;
}

int store_paper_batch_get(struct store *s, int64_t id, struct paper_batch *out, struct arena *a, struct err *e)
{
	int n = sq_query(s,
	                 "SELECT id, created_at, unread_before, state, letter_count, coalesce(page_count, 0) "
	                 "FROM print_batches WHERE id = ?",
	                 sq_bind_id, &id, batch_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_paper_batch_letters(struct store *s, int64_t batch_id, int max, int64_t **letter_ids, struct arena *a,
                              struct err *e)
{
	*letter_ids = arena_zalloc(a, sizeof(**letter_ids) * (size_t)(max > 0 ? max : 1));
	return sq_query(s, "SELECT letter_id FROM print_batch_letters WHERE batch_id = ? ORDER BY seq", sq_bind_id,
	                &batch_id, id_row, *letter_ids, max, a, e);
}

int store_paper_letter_written(struct store_tx *tx, int64_t batch_id, int64_t letter_id, const char *address_kind,
                               int first_page, int page_count, int64_t paper_at, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "UPDATE print_batch_letters SET address_kind = ?, first_page = ?, page_count = ? "
	                           "WHERE batch_id = ? AND letter_id = ?",
	                           e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, address_kind);
	sqlite3_bind_int(st, 2, first_page);
	sqlite3_bind_int(st, 3, page_count);
	sqlite3_bind_int64(st, 4, batch_id);
	sqlite3_bind_int64(st, 5, letter_id);
	if (sq_step_insert(tx, st, NULL, "record a letter written", e) != 0)
		return -1;
	st = sq_prep(tx->c, "UPDATE letters SET paper_at = ?, paper_batch = ? WHERE id = ? AND paper_at IS NULL", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, paper_at);
	sqlite3_bind_int64(st, 2, batch_id);
	sqlite3_bind_int64(st, 3, letter_id);
	return sq_step_insert(tx, st, NULL, "record a letter on paper", e);
}

int store_paper_letter_withdraw(struct store_tx *tx, int64_t batch_id, int64_t letter_id, int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "DELETE FROM print_batch_letters WHERE batch_id = ? AND letter_id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, batch_id);
	sqlite3_bind_int64(st, 2, letter_id);
	if (sq_step_insert(tx, st, NULL, "take a letter out of its batch", e) != 0)
		return -1;
	st = sq_prep(tx->c,
	             "INSERT OR IGNORE INTO paper_withheld(letter_id, withheld_at, reason) "
	             "VALUES (?, ?, 'confidential-address')",
	             e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, letter_id);
	sqlite3_bind_int64(st, 2, now);
	return sq_step_insert(tx, st, NULL, "withhold a letter from paper", e);
}

int store_paper_batch_written(struct store_tx *tx, int64_t batch_id, int letters, int pages, const char *sha256,
                              int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "UPDATE print_batches SET state = 'written', letter_count = ?, page_count = ?, "
	                           "pdf_sha256 = ?, written_at = ? WHERE id = ?",
	                           e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, letters);
	sqlite3_bind_int(st, 2, pages);
	sq_bind_str(st, 3, sha256);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, batch_id);
	return sq_step_insert(tx, st, NULL, "finish a print batch", e);
}

int store_paper_withheld_count(struct store *s, int64_t *count, struct err *e)
{
	*count = 0;
	return sq_query(s,
	                "SELECT count(*) FROM paper_withheld w JOIN letters l ON l.id = w.letter_id "
	                "WHERE l.first_read_at IS NULL AND l.paper_at IS NULL "
	                "AND NOT EXISTS (SELECT 1 FROM print_batch_letters b WHERE b.letter_id = l.id)",
	                sq_bind_none, NULL, sq_count_row, count, 1, NULL, e) < 0
	           ? -1
	           : 0;
}

int store_paper_withheld_of_person(struct store *s, int64_t person_id, int max, int64_t **letter_ids, struct arena *a,
                                   struct err *e)
{
	*letter_ids = arena_zalloc(a, sizeof(**letter_ids) * (size_t)(max > 0 ? max : 1));
	return sq_query(s,
	                "SELECT l.id FROM paper_withheld w JOIN letters l ON l.id = w.letter_id "
	                "WHERE l.person_id = ? AND l.paper_at IS NULL "
	                "AND NOT EXISTS (SELECT 1 FROM print_batch_letters b WHERE b.letter_id = l.id) ORDER BY l.id",
	                sq_bind_id, &person_id, id_row, *letter_ids, max, a, e);
}

int store_paper_setting_put(struct store_tx *tx, const char *name, const char *value, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "INSERT INTO settings(name, value) VALUES (?, ?) "
	                           "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
	                           e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, name);
	sq_bind_str(st, 2, value);
	return sq_step_insert(tx, st, NULL, "store a setting", e);
}
