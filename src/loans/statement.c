/* statement.c - the annual statement (årsoppgave) of every loan account:
 * the debt at the year's end, the interest charged (less relief) and the
 * interest and principal paid in the year, as the ledger holds them; a
 * letter to the person and a record the tax authority's file is written
 * from. One statement a person and year: a run again makes none twice. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "loans/statement.h"
#include "mailbox/mailbox.h"
#include "store/ledger.h"
#include "store/store.h"

struct stmt_tx {
	struct loan_statement st;
	int64_t now;
};

static int record(struct store_tx *tx, void *arg, struct err *e)
{
	struct stmt_tx *x = arg;
	if (mbox_deliver(tx, x->st.person_id, 0, "loan-statement", x->now, &x->st.letter_id, e) != 0 ||
	    store_loan_statement_insert(tx, &x->st, e) != 0)
		return -1;
	char object[32], detail[64];
	snprintf(object, sizeof(object), "person:%lld", (long long)x->st.person_id);
	snprintf(detail, sizeof(detail), "year %d", x->st.year);
	return audit_append(tx, x->now, "system", "loan.statement", object, detail, e);
}

int loans_statements(struct store *s, int year, int64_t now, struct loans_statement_summary *sum, struct err *e)
{
	int64_t ids[200], after = 0;
	date_t from = date_from_ymd(year, 1, 1), to = date_from_ymd(year, 12, 31);
	memset(sum, 0, sizeof(*sum));
	for (;;) {
		int n = store_loan_accounts_all(s, after, ids, 200, e);
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		for (int i = 0; i < n; i++) {
			struct stmt_tx x = {{.person_id = ids[i], .year = year, .created_at = now}, now};
			int64_t charged, relief, ipaid, ppaid;
			if (ledger_debt(s, ids[i], to, &x.st.debt, e) != 0 ||
			    store_ledger_person_flow(s, ids[i], "loan.interest", "interest", from, to, &charged, e) != 0 ||
			    store_ledger_person_flow(s, ids[i], "loan.interest", "relief", from, to, &relief, e) != 0 ||
			    store_ledger_person_flow(s, ids[i], "loan.interest", "payment", from, to, &ipaid, e) != 0 ||
			    store_ledger_person_flow(s, ids[i], "loan.principal", "payment", from, to, &ppaid, e) != 0)
				return -1;
			x.st.interest_charged = charged + relief;
			x.st.interest_paid = -ipaid;
			x.st.principal_paid = -ppaid;
			sum->accounts++;
			if (x.st.debt == 0 && charged == 0 && ipaid == 0 && ppaid == 0) {
				sum->empty++;
				continue;
			}
			struct err we;
			err_clear(&we);
			if (store_write(s, record, &x, &we) != 0) {
				if (we.code == ERR_CONFLICT) {
					sum->already++;
					continue;
				}
				*e = we;
				return -1;
			}
			sum->made++;
		}
		after = ids[n - 1];
	}
}

json_t *loans_statement_letter(struct store *s, int64_t letter_id, struct arena *a)
{
	struct loan_statement v;
	struct err e;
	if (store_loan_statement_by_letter(s, letter_id, &v, a, &e) != 0)
		return NULL;
	return json_pack("{s:i,s:I,s:I,s:I,s:I}", "year", v.year, "debt", (json_int_t)v.debt, "interest_charged",
			 (json_int_t)v.interest_charged, "interest_paid", (json_int_t)v.interest_paid, "principal_paid",
			 (json_int_t)v.principal_paid);
}
