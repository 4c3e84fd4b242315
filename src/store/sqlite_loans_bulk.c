/* sqlite_loans_bulk.c - the loan account's bulk reads on SQLite (see
 * loans_bulk.h). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
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
	/* The planner takes the partial index of open invoices (0011's
	 * loan_invoices_open; its WHERE is this one's): only those are visited,
	 * however many invoices were paid before. */
	return sq_query(s, "SELECT id, kid, amount + fee - paid, due, person_id FROM loan_invoices "
			   "WHERE paid < amount + fee AND cancelled_at IS NULL "
			   "AND (person_id, due) > (?1, ?2) ORDER BY person_id, due LIMIT ?3",
			bind_open_page, &p, open_row, *out, max, a, e);
}

int store_writer_cache(struct store_tx *tx, int big, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, big ? "PRAGMA cache_size = -262144" : "PRAGMA cache_size = -2000", e);
	if (st == NULL)
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq_db_error(e, tx->c->db, "writer cache");
}

int store_writer_autocheckpoint(struct store_tx *tx, int on, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, on ? "PRAGMA wal_autocheckpoint = 1000" : "PRAGMA wal_autocheckpoint = 0", e);
	if (st == NULL)
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq_db_error(e, tx->c->db, "writer checkpoints");
}

int store_checkpoint(struct store *s, struct err *e)
{
	struct conn *c = sq_reader(s, e);
	if (c == NULL)
		return -1;
	int rc = sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		sq_db_error(e, c->db, "checkpoint");
	sq_reader_done(s, c);
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : -1;
}

int store_loan_principals_tx(struct store_tx *tx, const int64_t *persons, int n, date_t d, int64_t *out,
			     struct err *e)
{
	struct buf b;
	char day[11];
	int rc = 0, got = 0;
	if (n <= 0)
		return 0;
	buf_init(&b, (size_t)n * 24 + 16);
	buf_putc(&b, '[');
	for (int i = 0; i < n && rc == 0; i++) {
		if (i)
			buf_putc(&b, ',');
		rc = buf_put_i64(&b, persons[i]);
	}
	if (rc != 0 || buf_putc(&b, ']') != 0) {
		buf_cleanup(&b);
		return err_set(e, ERR_INTERNAL, NULL, "principals: out of memory");
	}
	/* SUM_MARKED_SQL (sqlite_ledger.c) for each person of the array. */
	sqlite3_stmt *st = sq_prep(tx->c,
				   "SELECT j.key, coalesce((SELECT principal FROM loan_balance_marks WHERE person_id = j.value "
				   "AND through <= ?2), 0) + (SELECT coalesce(sum(amount), 0) FROM ledger_legs WHERE "
				   "person_id = j.value AND account = 'loan.principal' AND effective <= ?2 AND effective > "
				   "coalesce((SELECT through FROM loan_balance_marks WHERE person_id = j.value AND through <= ?2), "
				   "'')) FROM json_each(?1) j",
				   e);
	if (st == NULL) {
		buf_cleanup(&b);
		return -1;
	}
	sqlite3_bind_text(st, 1, buf_str(&b), (int)b.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date_format(d, day), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(st, 0);
		if (k >= 0 && k < n) {
			out[k] = sqlite3_column_int64(st, 1);
			got++;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	buf_cleanup(&b);
	if (rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "principals");
	return got == n ? 0 : err_set(e, ERR_INTERNAL, NULL, "principals: %d of %d read", got, n);
}

/* ---- balance marks ---- */

int store_loan_balance_mark(struct store_tx *tx, int64_t person_id, date_t through, struct err *e)
{
	int64_t principal, interest;
	char day[11];
	if (store_ledger_person_sum_tx(tx, person_id, "loan.principal", through, &principal, e) != 0 ||
	    store_ledger_person_sum_tx(tx, person_id, "loan.interest", through, &interest, e) != 0)
		return -1;
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO loan_balance_marks(person_id, through, principal, interest) "
				       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (person_id) DO UPDATE SET "
				       "through = excluded.through, principal = excluded.principal, interest = excluded.interest",
				   e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_text(st, 2, date_format(through, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, principal);
	sqlite3_bind_int64(st, 4, interest);
	return sq_step_insert(tx, st, NULL, "balance mark", e);
}

/* ---- the ledger's invariants in one pass ---- */

/* What the pass keeps of a person: the legs that carry them, and the legs
 * on personal accounts of the entries that name them. */
struct person_sums {
	int64_t by_leg, by_entry;
	unsigned char seen, marked;
	char through[11];                /* the balance mark's day, when marked */
	int64_t mark_principal, mark_interest; /* the mark's figures */
	int64_t sum_principal, sum_interest;   /* the legs it covers */
};

struct check_state {
	struct person_sums *people;
	int64_t n_people;
	/* the problems of each kind in the order the SQL check gives them */
	struct ledger_problem *kind[6];
	int n[6], max;
	int failed; /* out of memory */
	struct arena *a;
};

enum { P_UNBALANCED, P_LEG_PERSON, P_LEG_DATE, P_DEBT, P_NEGATIVE, P_MARK };

static struct person_sums *person_at(struct check_state *c, int64_t p)
{
	if (p <= 0 || c->failed)
		return NULL;
	if (p >= c->n_people) {
		int64_t n = c->n_people ? c->n_people : 1024;
		while (n <= p)
			n *= 2;
		struct person_sums *g = realloc(c->people, sizeof(*g) * (size_t)n);
		if (g == NULL) {
			c->failed = 1;
			return NULL;
		}
		memset(g + c->n_people, 0, sizeof(*g) * (size_t)(n - c->n_people));
		c->people = g;
		c->n_people = n;
	}
	return &c->people[p];
}

static void problem(struct check_state *c, int k, const char *what, int64_t entry, int64_t person, int64_t x,
		    int64_t y)
{
	if (c->n[k] >= c->max)
		return;
	c->kind[k][c->n[k]++] = (struct ledger_problem){what, entry, person, x, y};
}

/* The chart's personal accounts, read from the database's own chart. */
struct chart {
	char names[16][64];
	int personal[16], n;
};

static int chart_personal(const struct chart *ch, const char *account)
{
	for (int i = 0; i < ch->n; i++)
		if (strcmp(ch->names[i], account) == 0)
			return ch->personal[i];
	return -1; /* not in the chart: the foreign key refuses it; such a leg is no one's */
}

int store_ledger_check(struct store *s, struct ledger_problem **out, int max, int64_t *entries, int64_t *legs,
		       struct arena *a, struct err *e)
{
	struct conn *c = sq_reader(s, e);
	if (c == NULL)
		return -1;
	struct check_state cs = {.max = max > 0 ? max : 1, .a = a};
	struct chart ch = {.n = 0};
	sqlite3_stmt *en = NULL, *lg = NULL, *acc = NULL, *mk = NULL;
	int rc = -1, r;
	int64_t total = 0, n_legs = 0, n_entries = 0;
	for (int k = 0; k < 6; k++)
		cs.kind[k] = arena_zalloc(a, sizeof(struct ledger_problem) * (size_t)cs.max);
	/* One read transaction: both walks see the same ledger. */
	if (sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sq_db_error(e, c->db, "ledger check");
		goto out_nobegin;
	}
	if (sqlite3_prepare_v2(c->db, "SELECT name, personal FROM ledger_accounts", -1, &acc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT id, coalesce(person_id, 0), effective FROM ledger_entries ORDER BY id", -1,
			       &en, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db,
			       "SELECT entry_id, id, account, coalesce(person_id, 0), effective, amount FROM ledger_legs "
			       "ORDER BY entry_id, id",
			       -1, &lg, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT person_id, through, principal, interest FROM loan_balance_marks", -1, &mk,
			       NULL) != SQLITE_OK) {
		sq_db_error(e, c->db, "ledger check");
		goto out;
	}
	while ((r = sqlite3_step(acc)) == SQLITE_ROW && ch.n < 16) {
		snprintf(ch.names[ch.n], sizeof(ch.names[0]), "%s", (const char *)sqlite3_column_text(acc, 0));
		ch.personal[ch.n++] = sqlite3_column_int(acc, 1);
	}
	while ((r = sqlite3_step(mk)) == SQLITE_ROW) {
		struct person_sums *ps = person_at(&cs, sqlite3_column_int64(mk, 0));
		const unsigned char *t = sqlite3_column_text(mk, 1);
		if (ps == NULL)
			continue;
		ps->marked = 1;
		snprintf(ps->through, sizeof(ps->through), "%s", t ? (const char *)t : "");
		ps->mark_principal = sqlite3_column_int64(mk, 2);
		ps->mark_interest = sqlite3_column_int64(mk, 3);
	}
	if (r != SQLITE_DONE)
		goto db_fail;
	/* Walk the entries by id and their legs by entry side by side: a leg
	 * whose entry is missing cannot be (the foreign key and the
	 * append-only triggers), so each leg meets its entry. */
	int have_leg = (r = sqlite3_step(lg)) == SQLITE_ROW;
	if (!have_leg && r != SQLITE_DONE)
		goto db_fail;
	while ((r = sqlite3_step(en)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(en, 0), person = sqlite3_column_int64(en, 1);
		const char *eff = (const char *)sqlite3_column_text(en, 2);
		int64_t sum = 0, count = 0;
		n_entries++;
		while (have_leg && sqlite3_column_int64(lg, 0) < id) /* no such entry: cannot be; skipped */
			if (!(have_leg = sqlite3_step(lg) == SQLITE_ROW))
				break;
		while (have_leg && sqlite3_column_int64(lg, 0) == id) {
			int64_t leg = sqlite3_column_int64(lg, 1), lp = sqlite3_column_int64(lg, 3),
				amount = sqlite3_column_int64(lg, 5);
			const char *account = (const char *)sqlite3_column_text(lg, 2);
			const char *leff = (const char *)sqlite3_column_text(lg, 4);
			int personal = chart_personal(&ch, account ? account : "");
			sum += amount;
			count++;
			n_legs++;
			total += amount;
			if ((personal == 1 && (person == 0 || lp != person)) || (personal == 0 && lp != 0))
				problem(&cs, P_LEG_PERSON, "leg-person", id, person, lp, leg);
			if (eff == NULL || leff == NULL || strcmp(eff, leff) != 0)
				problem(&cs, P_LEG_DATE, "leg-date", id, person, leg, 0);
			struct person_sums *ps;
			if (lp != 0 && (ps = person_at(&cs, lp)) != NULL) {
				ps->by_leg += amount;
				ps->seen = 1;
				if (ps->marked && leff != NULL && strcmp(leff, ps->through) <= 0 && account != NULL) {
					if (strcmp(account, "loan.principal") == 0)
						ps->sum_principal += amount;
					else if (strcmp(account, "loan.interest") == 0)
						ps->sum_interest += amount;
				}
			}
			if (personal == 1 && person != 0 && (ps = person_at(&cs, person)) != NULL) {
				ps->by_entry += amount;
				ps->seen = 1;
			}
			have_leg = (r = sqlite3_step(lg)) == SQLITE_ROW;
			if (!have_leg && r != SQLITE_DONE)
				goto db_fail;
		}
		if (sum != 0 || count < 2)
			problem(&cs, P_UNBALANCED, "unbalanced", id, person, sum, count);
	}
	if (r != SQLITE_DONE)
		goto db_fail;
	/* Legs after the last entry: none can be, but count them all. */
	while (have_leg) {
		n_legs++;
		total += sqlite3_column_int64(lg, 5);
		have_leg = sqlite3_step(lg) == SQLITE_ROW;
	}
	if (cs.failed) {
		err_set(e, ERR_STORE, NULL, "ledger check: out of memory");
		goto out;
	}
	for (int64_t p = 1; p < cs.n_people; p++) {
		const struct person_sums *ps = &cs.people[p];
		if (ps->marked && (ps->mark_principal != ps->sum_principal || ps->mark_interest != ps->sum_interest))
			problem(&cs, P_MARK, "balance-mark", 0, p, ps->mark_principal + ps->mark_interest,
				ps->sum_principal + ps->sum_interest);
		if (!ps->seen)
			continue;
		if (ps->by_leg != ps->by_entry)
			problem(&cs, P_DEBT, "debt-mismatch", 0, p, ps->by_leg, ps->by_entry);
		if (ps->by_leg < 0)
			problem(&cs, P_NEGATIVE, "negative-debt", 0, p, ps->by_leg, 0);
	}
	*out = arena_zalloc(a, sizeof(**out) * (size_t)cs.max);
	int n = 0;
	for (int k = 0; k < 6; k++)
		for (int i = 0; i < cs.n[k] && n < max; i++)
			(*out)[n++] = cs.kind[k][i];
	if (total != 0 && n < max)
		(*out)[n++] = (struct ledger_problem){"ledger-total", 0, 0, total, n_legs};
	*entries = n_entries;
	*legs = n_legs;
	rc = n;
	goto out;
db_fail:
	sq_db_error(e, c->db, "ledger check");
out:
	sqlite3_finalize(acc);
	sqlite3_finalize(en);
	sqlite3_finalize(lg);
	sqlite3_finalize(mk);
	sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
out_nobegin:
	free(cs.people);
	sq_reader_done(s, c);
	return rc;
}
