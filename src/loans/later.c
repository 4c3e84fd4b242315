/* later.c - the loan account's later life: support ended by the
 * decisions, call-in and collection, death; see later.h for the rules and
 * their sources. */
#include "loans/later.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "ledger/ledger.h"
#include "loans/account.h"
#include "mailbox/mailbox.h"
#include "registers/registers.h"
#include "rules/params.h"
#include "store/ledger.h"
#include "store/loans2.h"
#include "store/store.h"

#define PAGE 200

/* ---- support ends ---- */

int loans_support_ends(struct store *s, date_t through, int64_t now, struct loans_later_summary *sum, struct err *e)
{
	char day[11], month[8];
	date_format(through, day);
	snprintf(month, sizeof(month), "%.7s", day);
	struct loan_support_end ends[PAGE];
	int64_t after = 0;
	for (;;) {
		int n = store_loan_support_ends(s, after, month, ends, PAGE, e);
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			int y, m;
			struct err pe;
			err_clear(&pe);
			/* "2025-06": the month's first day parses as a date. */
			char first[11];
			date_t d;
			snprintf(first, sizeof(first), "%.7s-01", ends[i].last_month);
			if (date_parse(first, &d) != 0)
				continue;
			int dd;
			date_to_ymd(d, &y, &m, &dd);
			/* Support ended on the last day of its last month. */
			if (loans_support_ended(s, ends[i].person_id, date_month_last(date_from_ymd(y, m, 1)), now, &pe) != 0) {
				if (pe.code == ERR_STORE) {
					*e = pe;
					return -1;
				}
				log_warn("loans: support ended of %lld: %s", (long long)ends[i].person_id, pe.message);
				continue;
			}
			sum->support_ended++;
		}
		if (n < PAGE)
			return 0;
		after = ends[n - 1].person_id;
	}
}

/* ---- call-in and collection ---- */

struct step {
	const struct params *p;
	int64_t person_id;
	date_t through;
	int64_t now;
	int done; /* set when the step acted */
};

/* The day a dated rule of `days` after `from` falls on, or LOAN_NO_DATE
 * when the figure is not in force on from. */
static date_t rule_day(const struct params *p, const char *key, date_t from)
{
	const struct param *v = p ? params_get(p, key, from) : NULL;
	return v ? from + (date_t)v->value : LOAN_NO_DATE;
}

static int call_in(struct store_tx *tx, void *arg, struct err *e)
{
	struct step *x = arg;
	struct arena a;
	struct loan_status st;
	struct loan_invoice *open;
	int rc = -1;
	arena_init(&a, 0);
	int got = store_loan_status_get_tx(tx, x->person_id, &st, &a, e);
	if (got <= 0) {
		rc = got < 0 ? -1 : 0; /* called in, handed over or deceased before */
		goto out;
	}
	int n = store_loan_invoices_open_tx(tx, x->person_id, &open, 240, &a, e);
	if (n < 0)
		goto out;
	/* The oldest invoice with a notice whose deadline has passed. */
	date_t day = LOAN_NO_DATE;
	for (int i = 0; i < n && day == LOAN_NO_DATE; i++) {
		if (open[i].reminders < 2 || open[i].reminded_at == LOAN_NO_DATE)
			continue;
		date_t d = rule_day(x->p, "loan.callin.deadline_days", open[i].reminded_at);
		if (d != LOAN_NO_DATE && d <= x->through)
			day = d;
	}
	if (day == LOAN_NO_DATE) {
		rc = 0;
		goto out;
	}
	/* The whole debt falls due on the day. */
	int64_t debt;
	if (ledger_balance_tx(tx, x->person_id, NULL, day, &debt, e) != 0)
		goto out;
	memset(&st, 0, sizeof(st));
	st.person_id = x->person_id;
	st.status = "called-in";
	st.called_in = day;
	st.called_in_amount = debt;
	st.handed_over = LOAN_NO_DATE;
	st.died = LOAN_NO_DATE;
	if (mbox_deliver(tx, x->person_id, 0, "loan-called-in", x->now, &st.called_in_letter, e) != 0 ||
	    store_loan_status_put(tx, &st, x->now, e) != 0)
		goto out;
	char object[32], detail[64], d10[11];
	snprintf(object, sizeof(object), "person:%lld", (long long)x->person_id);
	snprintf(detail, sizeof(detail), "called in %s: %lld øre", date_format(day, d10), (long long)debt);
	rc = audit_append(tx, x->now, "system", "loan.call-in", object, detail, e);
	x->done = rc == 0;
out:
	arena_cleanup(&a);
	return rc;
}

static int hand_over(struct store_tx *tx, void *arg, struct err *e)
{
	struct step *x = arg;
	struct arena a;
	struct loan_status st;
	int rc = -1;
	arena_init(&a, 0);
	int got = store_loan_status_get_tx(tx, x->person_id, &st, &a, e);
	if (got != 0 || strcmp(st.status, "called-in") != 0) {
		rc = got < 0 ? -1 : 0;
		goto out;
	}
	date_t day = rule_day(x->p, "loan.collection.handover_days", st.called_in);
	if (day == LOAN_NO_DATE || day > x->through) {
		rc = 0;
		goto out;
	}
	int64_t debt;
	if (ledger_balance_tx(tx, x->person_id, NULL, day, &debt, e) != 0)
		goto out;
	st.status = "collection";
	st.handed_over = day;
	st.handover_amount = debt;
	st.handover_file = NULL;
	if (mbox_deliver(tx, x->person_id, 0, "loan-collection", x->now, &st.handover_letter, e) != 0 ||
	    store_loan_status_put(tx, &st, x->now, e) != 0)
		goto out;
	char object[32], detail[80], d10[11];
	snprintf(object, sizeof(object), "person:%lld", (long long)x->person_id);
	snprintf(detail, sizeof(detail), "handed to Statens innkrevingssentral %s: %lld øre", date_format(day, d10),
		 (long long)debt);
	rc = audit_append(tx, x->now, "system", "loan.collection", object, detail, e);
	x->done = rc == 0;
out:
	arena_cleanup(&a);
	return rc;
}

typedef int (*page_fn)(struct store *s, int64_t after, int64_t *ids, int max, struct err *e);

static int each(struct store *s, page_fn page, store_tx_fn fn, struct step *x, int *count, struct err *e)
{
	int64_t ids[PAGE], after = 0;
	for (;;) {
		int n = page(s, after, ids, PAGE, e);
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			x->person_id = ids[i];
			x->done = 0;
			if (store_write(s, fn, x, e) != 0)
				return -1;
			*count += x->done;
		}
		if (n < PAGE)
			return 0;
		after = ids[n - 1];
	}
}

int loans_collection(struct store *s, const struct params *p, date_t through, int64_t now,
		     struct loans_later_summary *sum, struct err *e)
{
	struct step x = {p, 0, through, now, 0};
	if (each(s, store_loan_callin_candidates, call_in, &x, &sum->called_in, e) != 0)
		return -1;
	return each(s, store_loan_called_in, hand_over, &x, &sum->handed_over, e);
}

/* ---- the handover file ---- */

struct marking {
	const struct loan_handover *h;
	int n;
	const char *file;
};

static int mark_written(struct store_tx *tx, void *arg, struct err *e)
{
	struct marking *m = arg;
	for (int i = 0; i < m->n; i++)
		if (store_loan_handover_written(tx, m->h[i].person_id, m->file, e) != 0)
			return -1;
	return 0;
}

int loans_handover_file(struct store *s, const char *path, struct loans_later_summary *sum, struct err *e)
{
	struct arena a;
	struct loan_handover *h;
	arena_init(&a, 0);
	int n = store_loan_handovers_unwritten(s, 0, &h, 100000, &a, e);
	if (n <= 0) {
		arena_cleanup(&a);
		return n;
	}
	char *tmp = arena_printf(&a, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		arena_cleanup(&a);
		return err_set(e, ERR_IO, "handover", "%s: cannot write (errno %d)", tmp, errno);
	}
	for (int i = 0; i < n; i++) {
		char c10[11], h10[11];
		fprintf(f,
			"{\"nin\":\"%s\",\"kid\":\"%s\",\"creditor\":\"Statens lånekasse for utdanning\","
			"\"called_in\":\"%s\",\"handed_over\":\"%s\",\"amount_ore\":%lld}\n",
			h[i].nin, h[i].kid, date_format(h[i].called_in, c10), date_format(h[i].handed_over, h10),
			(long long)h[i].amount);
	}
	int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		unlink(tmp);
		arena_cleanup(&a);
		return err_set(e, ERR_IO, "handover", "%s: cannot write", path);
	}
	/* Marked once the file is in place: a run killed between the two
	 * writes the lines again in its next file (the receiver takes a line
	 * once by nin and called_in; docs/loans-collection.md). */
	struct marking m = {h, n, path};
	int rc = store_write(s, mark_written, &m, e);
	if (rc == 0)
		sum->handover_lines += n;
	arena_cleanup(&a);
	return rc;
}

/* ---- death ---- */

#define DEATH_FEED "loans.population-feed"

struct dying {
	int64_t person_id; /* 0: only the feed position */
	date_t died;
	int64_t position, now;
	int64_t amount;
	int done;
};

static int record_death(struct store_tx *tx, void *arg, struct err *e)
{
	struct dying *x = arg;
	char pos[24];
	snprintf(pos, sizeof(pos), "%lld", (long long)x->position);
	x->done = 0;
	if (x->person_id > 0) {
		struct arena a;
		struct loan_status st;
		arena_init(&a, 0);
		int got = store_loan_status_get_tx(tx, x->person_id, &st, &a, e);
		int dead = got == 0 && strcmp(st.status, "deceased") == 0;
		arena_cleanup(&a);
		if (got < 0)
			return -1;
		if (!dead) {
			if (loans_write_off_tx(tx, x->person_id, x->died, "death:register", x->now, &x->amount, e) != 0)
				return -1;
			struct loan_status n = {.person_id = x->person_id,
						.status = "deceased",
						.called_in = LOAN_NO_DATE,
						.handed_over = LOAN_NO_DATE,
						.died = x->died,
						.written_off = x->amount};
			if (store_loan_status_put(tx, &n, x->now, e) != 0)
				return -1;
			x->done = 1;
		}
	}
	return store_setting_put(tx, DEATH_FEED, pos, e);
}

int loans_deaths(struct store *s, const char *registers_url, int64_t now, struct loans_later_summary *sum,
		 struct err *e)
{
	struct arena a;
	const char *value = NULL;
	int rc = -1;
	arena_init(&a, 0);
	struct reg_client *c = reg_client_new(registers_url, NULL);
	if (c == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	if (store_setting_get(s, DEATH_FEED, &value, &a, e) < 0)
		goto out;
	int64_t after = value ? strtoll(value, NULL, 10) : 0;
	for (;;) {
		struct reg_events ev;
		if (reg_events(c, REG_POPULATION, after, 500, &ev, &a, e) != 0) {
			e->code = ERR_IO;
			goto out;
		}
		for (int i = 0; i < ev.n; i++) {
			struct dying x = {0, LOAN_NO_DATE, ev.items[i].sequence, now, 0, 0};
			int64_t person;
			int got = strcmp(ev.items[i].change, "death") == 0
					  ? store_loan_person_by_nin(s, ev.items[i].nin, &person, e)
					  : 1;
			if (got < 0)
				goto out;
			if (got == 0) {
				struct reg_person rp;
				if (reg_population_person(c, ev.items[i].nin, &rp, &a, e) != 0) {
					e->code = ERR_IO;
					goto out;
				}
				if (rp.deceased) {
					x.person_id = person;
					x.died = rp.date_of_death;
				}
			}
			if (store_write(s, record_death, &x, e) != 0)
				goto out;
			if (x.done) {
				sum->deaths++;
				sum->written_off += x.amount;
			}
			after = ev.items[i].sequence;
		}
		if (ev.n < 500)
			break;
	}
	rc = 0;
out:
	reg_client_free(c);
	arena_cleanup(&a);
	return rc;
}

/* ---- letters and the account's page ---- */

json_t *loans_status_letter(struct store *s, int64_t letter_id, struct arena *a)
{
	struct loan_status st;
	struct loan_account acct;
	struct err e;
	if (store_loan_status_by_letter(s, letter_id, &st, a, &e) != 0 ||
	    store_loan_account_get(s, st.person_id, &acct, a, &e) != 0)
		return NULL;
	int handover = st.handover_letter == letter_id;
	char day[11];
	return json_pack("{s:s,s:b,s:b,s:s,s:I,s:s,s:s}", "kind", handover ? "collection" : "called-in", "called_in",
			 !handover, "collection", handover, "day",
			 date_format(handover ? st.handed_over : st.called_in, day), "amount",
			 (json_int_t)(handover ? st.handover_amount : st.called_in_amount), "kid", acct.kid, "account",
			 LOANS_AGENCY_ACCOUNT);
}

json_t *loans_status_view(struct store *s, int64_t person_id, struct arena *a)
{
	struct loan_status st;
	struct err e;
	if (store_loan_status_get(s, person_id, &st, a, &e) != 0)
		return NULL;
	json_t *v = json_pack("{s:s}", "status", st.status);
	char day[11];
	if (st.called_in != LOAN_NO_DATE) {
		json_object_set_new(v, "called_in", json_string(date_format(st.called_in, day)));
		json_object_set_new(v, "called_in_amount", json_integer(st.called_in_amount));
	}
	if (st.handed_over != LOAN_NO_DATE)
		json_object_set_new(v, "handed_over", json_string(date_format(st.handed_over, day)));
	if (st.died != LOAN_NO_DATE) {
		json_object_set_new(v, "died", json_string(date_format(st.died, day)));
		json_object_set_new(v, "written_off", json_integer(st.written_off));
	}
	json_object_set_new(v, strcmp(st.status, "deceased") == 0 ? "deceased" : "collection_status", json_true());
	return v;
}

/* ---- eFaktura and AvtaleGiro ---- */

struct giro_list {
	const char *const *kids, *const *kinds;
	int n, taken;
	int64_t now;
};

static int replace_giro(struct store_tx *tx, void *arg, struct err *e)
{
	struct giro_list *g = arg;
	return store_loan_giro_replace(tx, g->kids, g->kinds, g->n, g->now, &g->taken, e);
}

int loans_giro_sync(struct store *s, const char *bank_url, int64_t now, int *taken, struct err *e)
{
	struct arena a;
	char *body;
	size_t len;
	long status;
	int rc = -1;
	json_t *j = NULL;
	arena_init(&a, 0);
	if (loans_bank_call(bank_url, "/giro/v1/agreements", NULL, &status, &body, &len, &a, e) != 0)
		goto out;
	j = json_loadb(body, len, 0, NULL);
	json_t *list = json_object_get(j, "agreements");
	if (status != 200 || !json_is_array(list)) {
		err_set(e, ERR_IO, "bank", "the bank's list of agreements is not one (HTTP %ld)", status);
		goto out;
	}
	size_t n = json_array_size(list);
	const char **kids = arena_zalloc(&a, sizeof(*kids) * (n + 1));
	const char **kinds = arena_zalloc(&a, sizeof(*kinds) * (n + 1));
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(list, i);
		const char *kid = json_string_value(json_object_get(it, "kid"));
		const char *kind = json_string_value(json_object_get(it, "kind"));
		if (kid == NULL || kind == NULL || (strcmp(kind, "efaktura") != 0 && strcmp(kind, "avtalegiro") != 0))
			continue; /* not one the agency knows */
		kids[k] = arena_strdup(&a, kid);
		kinds[k++] = arena_strdup(&a, kind);
	}
	struct giro_list g = {kids, kinds, k, 0, now};
	if (store_write(s, replace_giro, &g, e) != 0)
		goto out;
	if (taken)
		*taken = g.taken;
	rc = 0;
out:
	json_decref(j);
	arena_cleanup(&a);
	return rc;
}

struct sent_mark {
	int64_t invoice_id, bank_id, now;
};

static int mark_sent(struct store_tx *tx, void *arg, struct err *e)
{
	struct sent_mark *m = arg;
	return store_loan_invoice_sent(tx, m->invoice_id, m->bank_id, m->now, e);
}

int loans_giro_send(struct store *s, const char *bank_url, int64_t now, int *sent, struct err *e)
{
	struct arena a;
	int count = 0, rc = -1;
	int64_t after = 0;
	arena_init(&a, 0);
	for (;;) {
		struct loan_unsent *u;
		int n = store_loan_invoices_unsent(s, after, &u, PAGE, &a, e);
		if (n < 0)
			goto out;
		for (int i = 0; i < n; i++) {
			char due[11], json[256], *body;
			size_t len;
			long status;
			snprintf(json, sizeof(json), "{\"kid\":\"%s\",\"amount_ore\":%lld,\"due\":\"%s\",\"ref\":\"invoice:%lld\"}",
				 u[i].kid, (long long)u[i].amount, date_format(u[i].due, due), (long long)u[i].invoice_id);
			const char *path = strcmp(u[i].channel, "avtalegiro") == 0 ? "/giro/v1/avtalegiro/claims"
										   : "/giro/v1/efaktura";
			if (loans_bank_call(bank_url, path, json, &status, &body, &len, &a, e) != 0)
				goto out;
			if (status != 200 && status != 201) {
				/* The agreement ended at the bank: the invoice is
				 * in the mailbox, and the next sync knows. */
				log_warn("loans: the bank refused invoice %lld by %s (HTTP %ld)", (long long)u[i].invoice_id,
					 u[i].channel, status);
				continue;
			}
			json_t *j = json_loads(body, 0, NULL);
			struct sent_mark m = {u[i].invoice_id, json_integer_value(json_object_get(j, "id")), now};
			json_decref(j);
			if (store_write(s, mark_sent, &m, e) != 0)
				goto out;
			count++;
		}
		if (n < PAGE)
			break;
		after = u[n - 1].invoice_id;
	}
	if (sent)
		*sent = count;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

/* ---- the due day ---- */

struct due_choice {
	int64_t person_id, now;
	int day;
	const char *actor;
};

static int choose_due(struct store_tx *tx, void *arg, struct err *e)
{
	struct due_choice *x = arg;
	struct arena a;
	struct loan_account acct;
	struct loan_status st;
	int rc = -1;
	arena_init(&a, 0);
	int got = store_loan_account_get_tx(tx, x->person_id, &acct, &a, e);
	if (got != 0) {
		if (got > 0)
			err_set(e, ERR_CONFLICT, "day", "you have no student loan");
		goto out;
	}
	got = store_loan_status_get_tx(tx, x->person_id, &st, &a, e);
	if (got <= 0) {
		if (got == 0)
			err_set(e, ERR_CONFLICT, "day", "the loan is no longer invoiced");
		goto out;
	}
	char object[32], detail[32];
	snprintf(object, sizeof(object), "person:%lld", (long long)x->person_id);
	snprintf(detail, sizeof(detail), "due day %d", x->day);
	if (store_loan_due_day_put(tx, x->person_id, x->day, x->now, e) != 0)
		goto out;
	rc = audit_append(tx, x->now, x->actor, "loan.due-day", object, detail, e);
out:
	arena_cleanup(&a);
	return rc;
}

int loans_choose_due_day(struct store *s, const struct principal *who, int day, int64_t now, struct err *e)
{
	if (access_check_subject(s, who, ACT_LOAN_DUE_DAY, "loan", now, e) != 0)
		return -1;
	if (day != 5 && day != 15 && day != 25)
		return err_set(e, ERR_INVALID, "day", "choose the 5th, 15th or 25th");
	char actor[64];
	struct due_choice x = {access_subject(who), now, day, access_actor(who, actor, sizeof(actor))};
	return store_write(s, choose_due, &x, e);
}
