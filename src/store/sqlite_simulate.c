/* sqlite_simulate.c - the policy simulation's reading (see simulate.h): the
 * newest stored applications, straight into one buffer of lines, so that a
 * hundred thousand of them take one query and no copy per row. */
#include <sqlite3.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/simulate.h"
#include "store/sqlite_internal.h"

struct sim_query {
	const char *school_year;
	int limit;
};

static void bind_sim(sqlite3_stmt *st, const void *arg)
{
	const struct sim_query *q = arg;
	sq_bind_str(st, 1, q->school_year);
	sqlite3_bind_int(st, 2, q->limit);
}

struct sim_lines {
	struct buf *b;
	int full;
};

/* One application a line; a full buffer stops the reading (row != 0). */
static int sim_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	(void)a;
	struct sim_lines *l = out;
	const void *text = sqlite3_column_text(st, 0);
	int n = sqlite3_column_bytes(st, 0);
	if (text == NULL || n <= 0)
		return 0;
	if (buf_append(l->b, text, (size_t)n) != 0 || buf_putc(l->b, '\n') != 0) {
		l->full = 1;
		return 1;
	}
	return 0;
}

int store_sim_applications(struct store *s, const char *school_year, int limit, struct buf *out, struct err *e)
{
	if (limit < 1)
		return err_set(e, ERR_INVALID, "count", "at least one application");
	struct sim_query q = {school_year, limit};
	struct sim_lines l = {out, 0};
	int n = sq_query(s,
			 "SELECT application_json FROM cases WHERE (?1 IS NULL OR school_year = ?1) "
			 "ORDER BY id DESC LIMIT ?2",
			 bind_sim, &q, sim_row, &l, limit, NULL, e);
	if (n >= 0 && l.full)
		return err_set(e, ERR_INTERNAL, NULL, "the applications do not fit in memory");
	return n;
}
