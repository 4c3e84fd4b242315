/* plan.c - each decision's payout plan: the awards split into the
 * decision's months, dated on the month's payday, and planned again when
 * the case is decided again.
 *
 * Splitting: an award of amount A over n months pays A/n (rounded down)
 * each month and the remainder in the last, so the plan sums to the awards
 * to the øre. Deciding again: what was paid stays paid; for each kind
 * (loan, grant) the months already paid are compared with what the new
 * decision gives for those same months. Paid too little is caught up in
 * the first unpaid month (or now, when every month is paid); paid too
 * much becomes a claim on the person with a letter and a ledger entry,
 * never a silent deduction from later months, which are paid as the new
 * decision says. So paid + still planned - claimed = the new awards. */
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/holidays.h"
#include "core/log.h"
#include "ledger/ledger.h"
#include "mailbox/mailbox.h"
#include "payout/internal.h"
#include "payout/payout.h"
#include "store/payout.h"

void payout_split(int64_t amount_ore, int n, int64_t *out)
{
	int64_t each = amount_ore / n;
	for (int i = 0; i < n; i++)
		out[i] = each;
	out[n - 1] = amount_ore - each * (n - 1);
}

int payout_plan_decision(const json_t *decision, date_t start, struct payout_plan *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	int d;
	date_to_ymd(start, &out->first_year, &out->first_month, &d);
	const json_t *awards = json_object_get(decision, "awards");
	if (awards == NULL)
		return 0;
	if (!json_is_array(awards))
		return err_set(e, ERR_INVALID, "awards", "must be a list");
	size_t i;
	const json_t *aw;
	json_array_foreach(awards, i, aw) {
		const char *kind = json_string_value(json_object_get(aw, "kind"));
		const json_t *amount = json_object_get(aw, "amount"), *months = json_object_get(aw, "months");
		if (kind == NULL || (strcmp(kind, "loan") != 0 && strcmp(kind, "grant") != 0))
			continue; /* deferral, interest relief: nothing to pay */
		if (amount == NULL)
			continue;
		if (!json_is_integer(amount) || json_integer_value(amount) < 0)
			return err_set(e, ERR_INVALID, "awards.amount", "must be a whole number of øre >= 0");
		int64_t a = json_integer_value(amount);
		int n = 1;
		if (months != NULL && !json_is_null(months)) {
			if (!json_is_integer(months) || json_integer_value(months) < 0 ||
			    json_integer_value(months) > PAYOUT_MAX_MONTHS)
				return err_set(e, ERR_INVALID, "awards.months", "must be 0 to %d", PAYOUT_MAX_MONTHS);
			n = json_integer_value(months) > 0 ? (int)json_integer_value(months) : 1;
		}
		if (a == 0)
			continue;
		int64_t parts[PAYOUT_MAX_MONTHS];
		payout_split(a, n, parts);
		int loan = strcmp(kind, "loan") == 0;
		for (int m = 0; m < n; m++)
			(loan ? out->loan : out->grant)[m] += parts[m];
		(loan ? &out->loan_total : &out->grant_total)[0] += a;
		if (n > out->n)
			out->n = n;
	}
	return 0;
}

/* "YYYY-MM" of the plan's month i, and its payday. */
static void month_of(const struct payout_plan *p, int i, char month[16], char due[11])
{
	int y = p->first_year + (p->first_month - 1 + i) / 12, m = (p->first_month - 1 + i) % 12 + 1;
	snprintf(month, 16, "%04d-%02d", y, m);
	date_format(holiday_payday(y, m), due);
}

/* Where the education starts: the application's education.start, else
 * the school year's first day. */
static date_t start_of(const struct payout_case *c)
{
	date_t d, last;
	json_t *app = c->application_json ? json_loads(c->application_json, 0, NULL) : NULL;
	const char *s = json_string_value(json_object_get(json_object_get(app, "education"), "start"));
	int ok = s && date_parse(s, &d) == 0;
	json_decref(app);
	if (ok)
		return d;
	if (date_school_year(c->school_year, &d, &last) == 0)
		return d;
	return 0;
}

#define CASE_LINES_MAX 200
#define PLAN_MONTHS_MAX 64

/* What a kind's paid lines and new plan hold per month. */
struct kind_months {
	int n;
	char month[PLAN_MONTHS_MAX][8];
	char due[PLAN_MONTHS_MAX][11];
	int64_t paid[PLAN_MONTHS_MAX], planned[PLAN_MONTHS_MAX];
};

static int slot(struct kind_months *k, const char *month, const char *due)
{
	for (int i = 0; i < k->n; i++)
		if (strcmp(k->month[i], month) == 0)
			return i;
	if (k->n >= PLAN_MONTHS_MAX)
		return -1;
	int i = k->n++;
	snprintf(k->month[i], sizeof(k->month[i]), "%s", month);
	snprintf(k->due[i], sizeof(k->due[i]), "%s", due);
	k->paid[i] = k->planned[i] = 0;
	return i;
}

struct plan_arg {
	const struct payout_case *c;
	struct payout_plan plan;
	int64_t now;
	struct arena *a;
	int claims;
};

static int post_claim(struct store_tx *tx, struct plan_arg *x, const char *kind, int64_t amount, struct err *e)
{
	const struct payout_case *c = x->c;
	struct payout_claim cl = {0, c->case_id, c->person_id, kind, amount, c->decided_at, 0, x->now};
	if (mbox_deliver(tx, c->person_id, c->case_id, "payout-claim", x->now, &cl.letter_id, e) != 0)
		return -1;
	int64_t claim_id;
	if (store_payout_claim_insert(tx, &cl, &claim_id, e) != 0)
		return -1;
	const struct ledger_leg legs[2] = {
	    {"agency.claims", amount},
	    {strcmp(kind, "loan") == 0 ? "loan.principal" : "agency.grant-expense", -amount}};
	const struct ledger_entry en = {c->person_id, "claim", arena_printf(x->a, "claim:%lld", (long long)claim_id),
					payout_day(x->now), 2, legs};
	if (ledger_post(tx, &en, NULL, e) != 0)
		return -1;
	x->claims++;
	return audit_append(tx, x->now, "system", "payout.claim", arena_printf(x->a, "case:%lld", (long long)c->case_id),
			    arena_printf(x->a, "%s %lld øre", kind, (long long)amount), e);
}

/* Plan one kind again: lines for the unpaid months, the difference on the
 * months paid caught up or claimed. */
static int replan_kind(struct store_tx *tx, struct plan_arg *x, const char *kind, struct kind_months *k,
		       struct err *e)
{
	const struct payout_case *c = x->c;
	int64_t entitled = 0, paid = 0;
	int first_unpaid = -1;
	for (int i = 0; i < k->n; i++) {
		if (k->paid[i] > 0) {
			entitled += k->planned[i];
			paid += k->paid[i];
		} else if (k->planned[i] > 0 && first_unpaid < 0) {
			first_unpaid = i;
		}
	}
	int64_t diff = entitled - paid;
	if (diff > 0) {
		if (first_unpaid >= 0) {
			k->planned[first_unpaid] += diff;
		} else {
			/* Every month is paid: the catch-up is due now. */
			char month[16], due[11];
			date_t today = payout_day(x->now);
			date_format(today, due);
			memcpy(month, due, 7);
			month[7] = '\0';
			int i = slot(k, month, due);
			if (i < 0)
				return err_set(e, ERR_INVALID, "awards", "too many months");
			if (k->paid[i] > 0) { /* this month was paid: a line of its own */
				struct payout_line l = {0, c->case_id, c->person_id, c->decided_at, c->school_year,
							month, due, kind, diff, "planned", 0, NULL, NULL};
				if (store_payout_line_insert(tx, &l, e) != 0)
					return -1;
			} else {
				k->planned[i] += diff;
			}
		}
	} else if (diff < 0 && post_claim(tx, x, kind, -diff, e) != 0) {
		return -1;
	}
	for (int i = 0; i < k->n; i++) {
		if (k->paid[i] > 0 || k->planned[i] == 0)
			continue;
		struct payout_line l = {0, c->case_id, c->person_id, c->decided_at, c->school_year, k->month[i],
					k->due[i], kind, k->planned[i], "planned", 0, NULL, NULL};
		if (store_payout_line_insert(tx, &l, e) != 0)
			return -1;
	}
	return 0;
}

static int plan_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct plan_arg *x = arg;
	const struct payout_case *c = x->c;
	struct payout_line *lines = arena_zalloc(x->a, sizeof(*lines) * CASE_LINES_MAX);
	int n = store_payout_lines_of_case_tx(tx, c->case_id, lines, CASE_LINES_MAX, x->a, e);
	if (n < 0)
		return -1;
	struct kind_months *loan = arena_zalloc(x->a, sizeof(*loan)), *grant = arena_zalloc(x->a, sizeof(*grant));
	for (int i = 0; i < n; i++) {
		if (!PAYOUT_LINE_PAID(&lines[i]))
			continue;
		struct kind_months *k = strcmp(lines[i].kind, "loan") == 0 ? loan : grant;
		int s = slot(k, lines[i].month, lines[i].due);
		if (s < 0)
			return err_set(e, ERR_INVALID, "case", "too many months paid");
		k->paid[s] += lines[i].amount_ore;
	}
	for (int i = 0; i < x->plan.n; i++) {
		char month[16], due[11];
		month_of(&x->plan, i, month, due);
		int sl = slot(loan, month, due), sg = slot(grant, month, due);
		if (sl < 0 || sg < 0)
			return err_set(e, ERR_INVALID, "awards", "too many months");
		loan->planned[sl] += x->plan.loan[i];
		grant->planned[sg] += x->plan.grant[i];
	}
	/* A new decision may need a new agreement (a larger loan): asked again. */
	if (store_payout_signature_forget(tx, c->case_id, e) != 0 || store_payout_lines_cancel_open(tx, c->case_id, e) != 0 ||
	    replan_kind(tx, x, "loan", loan, e) != 0 ||
	    replan_kind(tx, x, "grant", grant, e) != 0)
		return -1;
	return store_payout_plan_put(tx, c->case_id, c->person_id, c->decided_at, x->now, e);
}

/* Plan one case in its own transaction. */
static int plan_case(struct store *s, const struct payout_case *c, int64_t now, struct arena *a, int *claims,
		     struct err *e)
{
	struct plan_arg x = {c, {0}, now, a, 0};
	json_t *decision = c->decision_json ? json_loads(c->decision_json, 0, NULL) : NULL;
	/* A case decided but rejected plans nothing: what it paid is claimed. */
	int rc = strcmp(c->status, "decided") == 0 && decision
			 ? payout_plan_decision(decision, start_of(c), &x.plan, e)
			 : 0;
	json_decref(decision);
	if (rc != 0)
		return -1;
	rc = store_write(s, plan_tx, &x, e);
	*claims += x.claims;
	return rc;
}

#define PLAN_BATCH 2048

int payout_plan_all(const struct payout_env *env, int64_t now, struct payout_run_result *out, struct err *e)
{
	struct arena a;
	arena_init(&a, 1 << 16);
	int64_t after = 0;
	int rc = 0;
	for (;;) {
		struct payout_case *cases;
		arena_reset(&a);
		int n = store_payout_cases_to_plan(env->store, after, PLAN_BATCH, &cases, &a, e);
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		rc = payout_plan_batch(env->store, cases, n, now, &a, out, e);
		if (rc != 0)
			break;
		after = cases[n - 1].case_id;
	}
	arena_cleanup(&a);
	return rc;
}

/* A case decided again (not "decided" now: sent to a case worker) keeps
 * its plan until it is decided; a plain first plan goes in one shared
 * transaction with the others of its batch, since nothing was paid. */
struct batch_arg {
	struct payout_case *cases;
	int n;
	int64_t now;
	struct arena *a;
	int64_t planned;
};

static int batch_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct batch_arg *b = arg;
	for (int i = 0; i < b->n; i++) {
		struct payout_case *c = &b->cases[i];
		if (c->case_id == 0)
			continue;
		struct plan_arg x = {c, {0}, b->now, b->a, 0};
		json_t *decision = c->decision_json ? json_loads(c->decision_json, 0, NULL) : NULL;
		int rc = decision ? payout_plan_decision(decision, start_of(c), &x.plan, e) : 0;
		json_decref(decision);
		if (rc != 0) {
			/* A decision payout cannot read: planned as nothing, and
			 * said so, rather than stopping everyone's payouts. */
			char pseudo[16];
			log_pseudonym(arena_printf(b->a, "case:%lld", (long long)c->case_id), pseudo);
			log_warn("payout: case %s not planned: %s", pseudo, e->message);
			memset(&x.plan, 0, sizeof(x.plan));
		}
		for (int m = 0; m < x.plan.n; m++) {
			char month[16], due[11];
			month_of(&x.plan, m, month, due);
			for (int k = 0; k < 2; k++) {
				int64_t amount = k == 0 ? x.plan.loan[m] : x.plan.grant[m];
				if (amount == 0)
					continue;
				struct payout_line l = {0, c->case_id, c->person_id, c->decided_at, c->school_year,
							month, due, k == 0 ? "loan" : "grant", amount, "planned", 0,
							NULL, NULL};
				if (store_payout_line_insert(tx, &l, e) != 0)
					return -1;
			}
		}
		if (store_payout_plan_put(tx, c->case_id, c->person_id, c->decided_at, b->now, e) != 0)
			return -1;
		b->planned++;
	}
	return 0;
}

int payout_plan_batch(struct store *s, struct payout_case *cases, int n, int64_t now, struct arena *a,
		      struct payout_run_result *out, struct err *e)
{
	/* First plans together; plans made again one by one (each may claim). */
	struct batch_arg b = {arena_zalloc(a, sizeof(*cases) * (size_t)n), 0, now, a, 0};
	for (int i = 0; i < n; i++) {
		if (strcmp(cases[i].status, "decided") == 0 && !cases[i].had_plan)
			b.cases[b.n++] = cases[i];
	}
	if (b.n > 0 && store_write(s, batch_tx, &b, e) != 0)
		return -1;
	out->planned += b.planned;
	for (int i = 0; i < n; i++) {
		if (!cases[i].had_plan)
			continue;
		if (strcmp(cases[i].status, "decided") != 0 && strcmp(cases[i].status, "manual") != 0 &&
		    strcmp(cases[i].status, "awaiting-documentation") != 0)
			continue;
		if (strcmp(cases[i].status, "decided") != 0)
			continue; /* waits for the case worker's decision */
		int claims = 0;
		if (plan_case(s, &cases[i], now, a, &claims, e) != 0)
			return -1;
		out->planned++;
		out->claims += claims;
	}
	return 0;
}
