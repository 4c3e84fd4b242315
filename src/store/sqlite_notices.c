/* sqlite_notices.c - notices in the SQLite store; see notices.h.
 *
 * The attempts live in notice_attempts (migration 0007); the outcome lives
 * on the letter (letters.notice_channel, notice_status, migration 0005).
 * The statistics are one grouped scan of the letters. */
#include "store/notices.h"

#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/sqlite_internal.h"

const int notice_stat_days[NOTICE_STAT_SPANS] = {1, 3, 7};

int store_notice_channel(struct store_tx *tx, int64_t person_id, const char **channel, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "SELECT channel FROM contact_preferences WHERE person_id = ? AND "
	                           "((channel = 'email' AND coalesce(email, '') <> '') OR (channel = 'sms' AND "
	                           "coalesce(mobile, '') <> '' AND mobile_verified_at IS NOT NULL))",
	                           e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	*channel = NULL;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		*channel = c && strcmp(c, "sms") == 0 ? "sms" : "email";
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "read the notice channel");
	return 0;
}

int store_notice_attempt_count(struct store *s, int64_t letter_id, int *count, struct err *e)
{
	int64_t n = 0;
	if (sq_query(s, "SELECT count(*) FROM notice_attempts WHERE letter_id = ?", sq_bind_id, &letter_id,
	             sq_count_row, &n, 1, NULL, e) < 0)
		return -1;
	*count = (int)n;
	return 0;
}

int store_notice_record(struct store_tx *tx, const struct notice_attempt *a, const char *status, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "INSERT INTO notice_attempts(letter_id, attempt, at, channel, result, error) "
	                           "VALUES (?,?,?,?,?,?)",
	                           e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a->letter_id);
	sqlite3_bind_int(st, 2, a->attempt);
	sqlite3_bind_int64(st, 3, a->at);
	sq_bind_str(st, 4, a->channel);
	sq_bind_str(st, 5, a->result);
	sq_bind_str(st, 6, a->error);
	if (sq_step_insert(tx, st, NULL, "record a notice attempt", e) != 0)
		return -1;
	if (status == NULL)
		return 0;
	st = sq_prep(tx->c, "UPDATE letters SET notice_status = ? WHERE id = ? AND notice_status = 'pending'", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, status);
	sqlite3_bind_int64(st, 2, a->letter_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "set the notice status");
	return 0;
}

static int attempt_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct notice_attempt *n = (struct notice_attempt *)out + i;
	n->letter_id = sqlite3_column_int64(st, 0);
	n->attempt = sqlite3_column_int(st, 1);
	n->at = sqlite3_column_int64(st, 2);
	n->channel = sq_col_str(st, 3, a);
	n->result = sq_col_str(st, 4, a);
	n->error = sq_col_str(st, 5, a);
	return 0;
}

int store_notice_attempts(struct store *s, int64_t letter_id, struct notice_attempt **out, struct arena *a,
                          struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s,
	                "SELECT letter_id, attempt, at, channel, result, error FROM notice_attempts "
	                "WHERE letter_id = ? ORDER BY attempt",
	                sq_bind_id, &letter_id, attempt_row, *out, LIST_MAX, a, e);
}

static void bind_stats(sqlite3_stmt *st, const void *arg)
{
	sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
	for (int i = 0; i < NOTICE_STAT_SPANS; i++)
		sqlite3_bind_int64(st, 2 + i, (int64_t)notice_stat_days[i] * 86400);
}

static int stat_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct notice_stat *n = (struct notice_stat *)out + i;
	n->kind = sq_col_str(st, 0, a);
	n->channel = sq_col_str(st, 1, a);
	n->letters = sqlite3_column_int64(st, 2);
	for (int k = 0; k < NOTICE_STAT_SPANS; k++) {
		n->eligible[k] = sqlite3_column_int64(st, 3 + 2 * k);
		n->opened[k] = sqlite3_column_int64(st, 4 + 2 * k);
	}
	return 0;
}

/* Letters delivered at least a span before now, and those of them first
 * read within the span and by now (a reading after now has not happened
 * yet for a report made as of now). */
#define SPAN(p)                                                                                                        \
	", coalesce(sum(created_at <= ?1 - " p "), 0), coalesce(sum(created_at <= ?1 - " p " AND first_read_at IS "    \
	"NOT NULL AND first_read_at <= ?1 AND first_read_at - created_at <= " p "), 0)"

int store_notice_stats(struct store *s, int64_t now, struct notice_stat **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s,
	                "SELECT kind, coalesce(notice_channel, 'none') AS channel, count(*)" SPAN("?2") SPAN("?3")
	                    SPAN("?4") " FROM letters WHERE created_at <= ?1 GROUP BY kind, channel "
	                               "ORDER BY kind, CASE channel WHEN 'email' THEN 0 WHEN 'sms' THEN 1 ELSE 2 END",
	                bind_stats, &now, stat_row, *out, LIST_MAX, a, e);
}
