/* sqlite_loans_decisions.c - a case's decision in force, for the loan
 * account (see loans_decisions.h). */
#include <sqlite3.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/loans_decisions.h"
#include "store/sqlite_internal.h"

static int decision_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loans_case_decision *d = (struct loans_case_decision *)out + i;
	d->decision_id = sqlite3_column_int64(st, 0);
	d->case_id = sqlite3_column_int64(st, 1);
	d->person_id = sqlite3_column_int64(st, 2);
	d->decided_at = sqlite3_column_int64(st, 3);
	d->scheme = sq_col_str(st, 4, a);
	d->outcome = sq_col_str(st, 5, a);
	d->decision_json = sq_col_str(st, 6, a);
	d->first_at = sqlite3_column_int64(st, 7);
	return 0;
}

int store_loans_case_decision(struct store *s, int64_t case_id, struct loans_case_decision *out, struct arena *a,
			      struct err *e)
{
	int n = sq_query(s,
			 "SELECT d.id, c.id, c.person_id, d.decided_at, c.scheme, d.outcome, d.decision_json, "
			 "(SELECT min(f.decided_at) FROM decisions f WHERE f.case_id = c.id "
			 "AND f.outcome IN ('granted', 'partly-granted')) "
			 "FROM decisions d JOIN cases c ON c.id = d.case_id "
			 "WHERE d.case_id = ? AND d.superseded_at IS NULL ORDER BY d.id DESC LIMIT 1",
			 sq_bind_id, &case_id, decision_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}
