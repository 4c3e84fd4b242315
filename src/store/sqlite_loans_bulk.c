/* sqlite_loans_bulk.c - the loan account's bulk reads on SQLite (see
 * loans_bulk.h). */
#include <sqlite3.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/loans_bulk.h"
#include "store/sqlite_internal.h"

struct open_page {
	int64_t after_person;
	char after_due[11];
	int max;
};

static void bind_open_page(sqlite3_stmt *st, const void *arg)
{
	const struct open_page *p = arg;
	sqlite3_bind_int64(st, 1, p->after_person);
	sqlite3_bind_text(st, 2, p->after_due, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, p->max);
}

static int open_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct loan_open_invoice *v = (struct loan_open_invoice *)out + i;
	v->id = sqlite3_column_int64(st, 0);
	v->kid = sq_col_str(st, 1, a);
	v->rest = sqlite3_column_int64(st, 2);
	v->person_id = sqlite3_column_int64(st, 4);
	const unsigned char *t = sqlite3_column_text(st, 3);
	if (t == NULL || date_parse((const char *)t, &v->due) != 0)
		v->due = 0;
	return 0;
}

int store_loan_invoices_open_page(struct store *s, int64_t after_person, date_t after_due,
				  struct loan_open_invoice **out, int max, struct arena *a, struct err *e)
{
	struct open_page p = {.after_person = after_person, .max = max};
	date_format(after_due, p.after_due);
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
	/* On the partial index of open invoices: only those are visited, however
	 * many invoices were paid before. */
	return sq_query(s, "SELECT id, kid, amount + fee - paid, due, person_id FROM loan_invoices "
			   "INDEXED BY loan_invoices_open WHERE paid < amount + fee AND cancelled_at IS NULL "
			   "AND (person_id, due) > (?1, ?2) ORDER BY person_id, due LIMIT ?3",
			bind_open_page, &p, open_row, *out, max, a, e);
}
