/* ledger.c - posting balanced entries on the fixed chart of accounts, a
 * person's debt as a sum, and the check of the ledger's invariants.
 *
 * ledger_post() refuses an entry before it writes anything: an unknown
 * account, a leg of 0, a kind that is not one of the twelve, a person's account
 * on an entry without a person, or legs that do not sum to 0. Sums are
 * checked for overflow, so that a hostile amount cannot wrap round to a
 * balanced entry. */
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "ledger/ledger.h"
#include "store/ledger.h"
#include "store/store.h"

static const struct {
	const char *name;
	int personal;
} chart[] = {
	{"loan.principal", 1},       {"loan.interest", 1},          {"agency.bank", 0},
	{"agency.grant-expense", 0}, {"agency.interest-income", 0}, {"agency.conversion", 0},
	{"agency.claims", 0},        {"agency.write-off", 0},       {"agency.fees", 0},
	{"agency.suspense", 0}, /* payments no account took, until resolved (migration 0020) */
};

static const char *const kinds[] = {"disbursement", "grant", "conversion", "interest", "payment",
				    "deferral",     "relief", "write-off",  "fee",      "claim",
				    /* #11, the fixed rate's loss or gain on an extra payment or on
				     * ending the agreement (loans/fixedrate.h; migration 0026) */
				    "fixed-rate-loss", "fixed-rate-gain"};

int ledger_account_known(const char *account, int *personal)
{
	for (size_t i = 0; account != NULL && i < sizeof(chart) / sizeof(chart[0]); i++)
		if (strcmp(account, chart[i].name) == 0) {
			if (personal)
				*personal = chart[i].personal;
			return 1;
		}
	return 0;
}

static int kind_known(const char *kind)
{
	for (size_t i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

/* What ledger_post() refuses, before anything is written. */
static int entry_valid(const struct ledger_entry *en, struct err *e)
{
	if (!kind_known(en->kind))
		return err_set(e, ERR_INVALID, "kind", "unknown ledger entry kind \"%s\"", en->kind ? en->kind : "");
	if (en->cause == NULL || en->cause[0] == '\0')
		return err_set(e, ERR_INVALID, "cause", "an entry needs its cause");
	if (en->person_id < 0)
		return err_set(e, ERR_INVALID, "person_id", "no such person");
	if (en->n_legs < 2 || en->n_legs > LEDGER_MAX_LEGS || en->legs == NULL)
		return err_set(e, ERR_INVALID, "legs", "an entry has 2 to %d legs", LEDGER_MAX_LEGS);
	int64_t sum = 0;
	for (int i = 0; i < en->n_legs; i++) {
		int personal;
		const struct ledger_leg *l = &en->legs[i];
		if (!ledger_account_known(l->account, &personal))
			return err_set(e, ERR_INVALID, "legs.account", "unknown account \"%s\"",
				       l->account ? l->account : "");
		if (personal && en->person_id == 0)
			return err_set(e, ERR_INVALID, "legs.account", "account %s needs the entry's person", l->account);
		if (l->amount_ore == 0)
			return err_set(e, ERR_INVALID, "legs.amount_ore", "a leg of 0 on %s", l->account);
		if (__builtin_add_overflow(sum, l->amount_ore, &sum))
			return err_set(e, ERR_INVALID, "legs.amount_ore", "the legs overflow");
	}
	if (sum != 0)
		return err_set(e, ERR_INVALID, "legs", "the legs sum to %lld øre, not 0", (long long)sum);
	return 0;
}

int ledger_post(struct store_tx *tx, const struct ledger_entry *en, int64_t *id, struct err *e)
{
	if (entry_valid(en, e) != 0)
		return -1;
	int64_t entry_id;
	if (store_ledger_entry_insert(tx, en->person_id, en->kind, en->cause, en->effective, &entry_id, e) != 0)
		return -1;
	for (int i = 0; i < en->n_legs; i++) {
		int personal = 0;
		ledger_account_known(en->legs[i].account, &personal);
		if (store_ledger_leg_insert(tx, entry_id, en->legs[i].account, personal, en->person_id, en->effective,
					    en->legs[i].amount_ore, e) != 0)
			return -1;
	}
	if (id)
		*id = entry_id;
	return 0;
}

/* ---- postings whose legs are written together (#11's speed) ---- */

int ledger_post_pending(struct store_tx *tx, const struct ledger_entry *en, struct ledger_pending *p, int64_t *id,
			struct err *e)
{
	if (entry_valid(en, e) != 0)
		return -1;
	if (p->n + en->n_legs > p->cap) {
		int cap = p->cap ? p->cap * 2 : 256;
		while (cap < p->n + en->n_legs)
			cap *= 2;
		struct store_leg *g = arena_zalloc(p->a, sizeof(*g) * (size_t)cap);
		if (p->n)
			memcpy(g, p->legs, sizeof(*g) * (size_t)p->n);
		p->legs = g;
		p->cap = cap;
	}
	int64_t entry_id;
	if (store_ledger_entry_insert(tx, en->person_id, en->kind, en->cause, en->effective, &entry_id, e) != 0)
		return -1;
	for (int i = 0; i < en->n_legs; i++) {
		int personal = 0;
		ledger_account_known(en->legs[i].account, &personal);
		p->legs[p->n++] = (struct store_leg){entry_id, en->legs[i].account, personal && en->person_id > 0 ? en->person_id : 0,
						     en->effective, en->legs[i].amount_ore};
	}
	if (id)
		*id = entry_id;
	return 0;
}

int ledger_pending_has(const struct ledger_pending *p, int64_t person_id)
{
	for (int i = p->n - 1; i >= 0; i--)
		if (p->legs[i].person_id == person_id)
			return 1;
	return 0;
}

int ledger_pending_flush(struct store_tx *tx, struct ledger_pending *p, struct err *e)
{
	if (p->n > 0 && store_ledger_legs_insert_many(tx, p->legs, p->n, e) != 0)
		return -1;
	p->n = 0;
	return 0;
}

int ledger_debt(struct store *s, int64_t person_id, date_t d, int64_t *ore, struct err *e)
{
	return store_ledger_person_sum(s, person_id, NULL, d, ore, e);
}

int ledger_balance_tx(struct store_tx *tx, int64_t person_id, const char *account, date_t d, int64_t *ore,
		      struct err *e)
{
	return store_ledger_person_sum_tx(tx, person_id, account, d, ore, e);
}

int ledger_check(struct store *s, struct ledger_report *r, struct arena *a, struct err *e)
{
	struct ledger_problem *p;
	memset(r, 0, sizeof(*r));
	int n = store_ledger_check(s, &p, LEDGER_CHECK_MAX, &r->entries, &r->legs, a, e);
	if (n < 0)
		return -1;
	r->n_problems = n;
	r->problems = arena_zalloc(a, sizeof(*r->problems) * (size_t)(n > 0 ? n : 1));
	for (int i = 0; i < n; i++) {
		char line[256];
		const char *w = p[i].what;
		if (strcmp(w, "unbalanced") == 0)
			snprintf(line, sizeof(line), "entry %lld (person %lld): its %lld legs sum to %lld øre, not 0",
				 (long long)p[i].entry_id, (long long)p[i].person_id, (long long)p[i].b, (long long)p[i].a);
		else if (strcmp(w, "leg-person") == 0)
			snprintf(line, sizeof(line), "entry %lld: leg %lld is on person %lld, the entry on person %lld",
				 (long long)p[i].entry_id, (long long)p[i].b, (long long)p[i].a, (long long)p[i].person_id);
		else if (strcmp(w, "leg-date") == 0)
			snprintf(line, sizeof(line), "entry %lld: leg %lld has another effective day than its entry",
				 (long long)p[i].entry_id, (long long)p[i].a);
		else if (strcmp(w, "debt-mismatch") == 0)
			snprintf(line, sizeof(line), "person %lld: debt by legs %lld øre, by entries %lld øre",
				 (long long)p[i].person_id, (long long)p[i].a, (long long)p[i].b);
		else if (strcmp(w, "negative-debt") == 0)
			snprintf(line, sizeof(line), "person %lld: debt %lld øre is below 0", (long long)p[i].person_id,
				 (long long)p[i].a);
		else if (strcmp(w, "balance-mark") == 0) /* #11, speed: the marks the sums start from */
			snprintf(line, sizeof(line), "person %lld: balance mark %lld øre, the legs it covers %lld øre",
				 (long long)p[i].person_id, (long long)p[i].a, (long long)p[i].b);
		else
			snprintf(line, sizeof(line), "the ledger's %lld legs sum to %lld øre, not 0", (long long)p[i].b,
				 (long long)p[i].a);
		r->problems[i] = arena_strdup(a, line);
	}
	return 0;
}
