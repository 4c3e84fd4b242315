/* sqlite_applications.c - one application per person, scheme and school
 * year, on SQLite (see applications.h). */
#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/applications.h"
#include "store/sqlite_internal.h"

struct first_row {
	int64_t case_id;
	const char *tag;
};

static int first_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct first_row *r = out;
	(void)i;
	r->case_id = sqlite3_column_int64(st, 0);
	r->tag = sq_col_str(st, 1, a);
	return 0;
}

struct range {
	const char *lo, *hi;
};

static void bind_range(sqlite3_stmt *st, const void *arg)
{
	const struct range *r = arg;
	sq_bind_str(st, 1, r->lo);
	sq_bind_str(st, 2, r->hi);
}

int store_application_first(struct store *s, const char *once, int64_t *case_id, const char **key, struct arena *a,
			    struct err *e)
{
	/* Every tag of once is once + '#' + key: they sort between once"#"
	 * and once"$" ('$' follows '#'), so the index on intake serves it. */
	struct range r = {arena_printf(a, "%s#", once), arena_printf(a, "%s$", once)};
	struct first_row row = {0, NULL};
	int n = sq_query(s, "SELECT id, intake FROM cases WHERE intake >= ?1 AND intake < ?2 ORDER BY id LIMIT 1",
			 bind_range, &r, first_row, &row, 1, a, e);
	if (n < 0)
		return -1;
	if (n == 0 || row.tag == NULL)
		return 1;
	*case_id = row.case_id;
	const char *hash = strchr(row.tag, '#');
	*key = hash ? hash + 1 : "";
	return 0;
}

int store_application_of(struct store_tx *tx, int64_t person_id, const char *scheme, const char *school_year,
			 int with_files, int64_t *case_id, struct err *e)
{
	/* cases_person (person_id, id) finds the person's few cases. */
	sqlite3_stmt *st = sq_prep(tx->c,
				   "SELECT id FROM cases WHERE person_id = ?1 AND scheme = ?2 AND school_year = ?3 "
				   "AND (intake LIKE 'application:%' OR intake LIKE 'registers:%' "
				   "OR (?4 AND intake LIKE 'batch:%')) ORDER BY id LIMIT 1",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sq_bind_str(st, 2, scheme);
	sq_bind_str(st, 3, school_year);
	sqlite3_bind_int(st, 4, with_files != 0);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*case_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "find the first application");
	return rc == SQLITE_ROW ? 0 : 1;
}

int store_case_set_application(struct store_tx *tx, int64_t case_id, const char *application_json, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE cases SET application_json = ?1 WHERE id = ?2", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, application_json);
	sqlite3_bind_int64(st, 2, case_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "case application");
	if (sqlite3_changes(tx->c->db) == 0)
		return err_set(e, ERR_NOT_FOUND, NULL, "no case %lld", (long long)case_id);
	return 0;
}
