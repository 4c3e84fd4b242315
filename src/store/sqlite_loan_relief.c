/* sqlite_loan_relief.c - the agency's own facts for an application of
 * payment deferral or interest relief (see loan_relief.h). */
#include <sqlite3.h>
#include <string.h>

#include "core/err.h"
#include "store/loan_relief.h"
#include "store/sqlite_internal.h"

struct facts_args {
	int64_t person_id;
	char day[11];
	const char *own_scheme;
};

static void bind_facts(sqlite3_stmt *st, const void *arg)
{
	const struct facts_args *q = arg;
	sqlite3_bind_int64(st, 1, q->person_id);
	sqlite3_bind_text(st, 2, q->day, -1, SQLITE_STATIC);
	if (q->own_scheme != NULL)
		sqlite3_bind_text(st, 3, q->own_scheme, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
}

struct facts_row {
	int has_account;
	struct store_loan_relief_facts *out;
};

static int facts_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	(void)a;
	struct facts_row *r = out;
	r->has_account = sqlite3_column_int(st, 0) > 0;
	r->out->balance = sqlite3_column_int64(st, 1);
	r->out->deferral_months = sqlite3_column_int(st, 2);
	r->out->relief_months = sqlite3_column_int(st, 3);
	r->out->low_income_months = sqlite3_column_int(st, 4);
	return 0;
}

/* A month is the application's own when the decision that granted it (the
 * cause "decision:<id>", loans/decisions.c) is of a case of the scheme ?3
 * applied for on the day ?2: one application per person, scheme and school
 * year makes it this one. A relief month's ground is its decision's
 * application's. */
#define NOT_OWN(m)                                                                                              \
	"NOT (?3 IS NOT NULL AND EXISTS (SELECT 1 FROM decisions od JOIN cases oc ON oc.id = od.case_id "        \
	"WHERE " m ".cause = 'decision:' || od.id AND oc.scheme = ?3 "                                             \
	"AND json_extract(oc.application_json, '$.decision_date') = ?2))"

#define FACTS_SQL                                                                                               \
	"SELECT (SELECT count(*) FROM loan_accounts WHERE person_id = ?1), "                                      \
	"(SELECT coalesce(sum(amount), 0) FROM ledger_legs WHERE person_id = ?1 "                                 \
	"AND account IN ('loan.principal', 'loan.interest') AND effective <= ?2), "                               \
	"(SELECT count(*) FROM loan_months m WHERE m.person_id = ?1 AND m.kind = 'deferral' AND NOT EXISTS "      \
	"(SELECT 1 FROM loan_months r WHERE r.person_id = ?1 AND r.kind = 'relief' AND r.month = m.month) AND "   \
	NOT_OWN("m") "), "                                                                                        \
	"(SELECT count(*) FROM loan_months m WHERE m.person_id = ?1 AND m.kind = 'relief' AND " NOT_OWN("m") "), " \
	"(SELECT count(*) FROM loan_months m JOIN decisions d ON m.cause = 'decision:' || d.id "                  \
	"JOIN cases c ON c.id = d.case_id WHERE m.person_id = ?1 AND m.kind = 'relief' "                          \
	"AND json_extract(c.application_json, '$.relief_ground') = 'low-income-full-time' AND " NOT_OWN("m") ")"

int store_loan_relief_facts(struct store *s, int64_t person_id, date_t day, const char *own_scheme,
			    struct store_loan_relief_facts *out, struct err *e)
{
	struct facts_args q = {.person_id = person_id, .own_scheme = own_scheme};
	struct facts_row r = {0, out};
	memset(out, 0, sizeof(*out));
	date_format(day, q.day);
	if (sq_query(s, FACTS_SQL, bind_facts, &q, facts_row, &r, 1, NULL, e) < 0)
		return -1;
	if (!r.has_account) {
		memset(out, 0, sizeof(*out));
		return 1;
	}
	return 0;
}
