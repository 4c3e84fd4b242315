/* view.c - what a person (or a case worker) sees of payouts: each
 * decision's conditions as met or not, the account, the plan month by
 * month with each month paid, on its way, held or planned, and any claim.
 * Letters of the payout (a rejected account, a claim) are drawn from here
 * too. */
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/i18n.h"
#include "core/err.h"
#include "core/holidays.h"
#include "payout/internal.h"
#include "payout/payout.h"
#include "signing/signing.h"
#include "store/payout.h"

/* "****.**.*8903": enough for a person to know their account, no more. */
static const char *masked(struct arena *a, const char *account)
{
	size_t n = account ? strlen(account) : 0;
	return n == 11 ? arena_printf(a, "****.**.*%.4s", account + 7) : "";
}

/* A line is paid ("Utbetalt") once the bank accepted its payment, and on
 * the person's account once the bank booked it; until the bank answers it
 * is sent. */
static const char *line_state(const struct payout_line *l, const char *today)
{
	if (l->payment_state &&
	    (strcmp(l->payment_state, "booked") == 0 || strcmp(l->payment_state, "accepted") == 0))
		return "paid";
	if (l->payment_state)
		return "sent";
	return strcmp(l->due, today) <= 0 ? "held" : "planned";
}

/* The worse of two states for a month that has a loan and a grant. */
static const char *worse(const char *x, const char *y)
{
	static const char *const order[] = {"held", "planned", "sent", "paid"};
	for (int i = 0; i < 4; i++)
		if (strcmp(x, order[i]) == 0 || strcmp(y, order[i]) == 0)
			return order[i];
	return x;
}

static int view_of(struct store *s, int64_t person_id, date_t today, json_t **out, struct arena *a, struct err *e);

/* When a payment sent on run_date is on the account at the latest: three
 * banking days later (the bank books in two or three). */
static const char *expected_on(const char *run_date, char out[11])
{
	date_t d;
	if (date_parse(run_date, &d) != 0)
		return NULL;
	for (int left = PAYOUT_BANK_DAYS_MAX; left > 0;)
		if (holiday_is_banking_day(++d))
			left--;
	return date_format(d, out);
}

int payout_view(struct store *s, const struct principal *who, int64_t person_id, date_t today, int64_t now,
		json_t **out, struct arena *a, struct err *e)
{
	(void)person_id;
	if (access_check_subject(s, who, ACT_PAYOUT_READ, "payouts", now, e) != 0)
		return -1;
	int64_t subject = access_subject(who);
	if (view_of(s, subject, today, out, a, e) != 0)
		return -1;
	/* A guardian reads the pupil's payouts; the account is the pupil's to
	 * register (the policy says who may). */
	json_object_set_new(*out, "may_change_account",
			    json_boolean(access_allowed(who, ACT_PAYOUT_ACCOUNT_WRITE, subject)));
	json_object_set_new(*out, "acting", json_boolean(subject != who->person_id));
	return 0;
}

struct examined {
	const struct principal *who;
	int64_t person_id, case_id, now;
};

static int audit_examined(struct store_tx *tx, void *arg, struct err *e)
{
	struct examined *x = arg;
	char actor[64], object[32], detail[32];
	access_actor(x->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "person:%lld", (long long)x->person_id);
	snprintf(detail, sizeof(detail), "case=%lld", (long long)x->case_id);
	return audit_append(tx, x->now, actor, "payout.examine", object, detail, e);
}

int payout_view_case(struct store *s, const struct principal *who, int64_t case_id, date_t today, int64_t now,
		     json_t **out, struct arena *a, struct err *e)
{
	struct case_rec c;
	char object[32];
	int found = store_case_get(s, case_id, &c, a, e);
	if (found < 0)
		return -1;
	snprintf(object, sizeof(object), "case:%lld", (long long)case_id);
	if (access_check(s, who, ACT_PAYOUT_EXAMINE, found == 0 ? c.person_id : 0, object, "payouts", now, e) != 0)
		return -1;
	struct examined x = {who, c.person_id, case_id, now};
	if (store_write(s, audit_examined, &x, e) != 0 || view_of(s, c.person_id, today, out, a, e) != 0)
		return -1;
	json_object_set_new(*out, "staff", json_true());
	json_object_set_new(*out, "case_id", json_integer((json_int_t)case_id));
	return 0;
}

static int view_of(struct store *s, int64_t person_id, date_t today, json_t **out, struct arena *a, struct err *e)
{
	char day[11];
	date_format(today, day);
	json_t *v = json_object();
	/* The account. */
	struct payout_account acct;
	int got = store_payout_account_get(s, person_id, &acct, a, e);
	if (got < 0)
		goto fail;
	int account_ok = got == 0 && strcmp(acct.state, "ok") == 0;
	json_object_set_new(v, "account_ok", json_boolean(account_ok));
	if (got == 0)
		json_object_set_new(v, "account", json_pack("{s:s,s:s,s:b,s:b}", "masked", masked(a, acct.account), "source",
							  acct.source, "rejected", strcmp(acct.state, "rejected") == 0,
							  "own", strcmp(acct.source, "person") == 0));
	/* The conditions per case, and the plan per month. */
	struct case_rec *cases;
	int nc = store_cases_of_person(s, person_id, &cases, a, e);
	if (nc < 0)
		goto fail;
	struct payout_line *lines;
	int nl = store_payout_lines_of_person(s, person_id, &lines, a, e);
	if (nl < 0)
		goto fail;
	json_t *conds = json_array();
	json_object_set_new(v, "conditions", conds);
	for (int i = 0; i < nc; i++) {
		int has_lines = 0;
		for (int k = 0; k < nl && !has_lines; k++)
			has_lines = lines[k].case_id == cases[i].id;
		if (!has_lines)
			continue;
		int64_t confirmed_at = 0;
		int is_signed = 0;
		if (signing_agreement_signed(s, cases[i].id, &is_signed, e) != 0)
			goto fail;
		int conf = store_payout_confirmed(s, person_id, cases[i].school_year, &confirmed_at, NULL, a, e);
		if (conf < 0)
			goto fail;
		json_array_append_new(conds, json_pack("{s:I,s:s,s:b,s:b,s:b,s:b}", "case_id", (json_int_t)cases[i].id,
						       "school_year", cases[i].school_year, "signed", is_signed,
						       "confirmed", conf == 0, "account", account_ok,
						       "all", is_signed && conf == 0 && account_ok));
	}
	json_t *months = json_array();
	json_object_set_new(v, "months", months);
	int64_t paid = 0, total = 0;
	json_t *row = NULL;
	const char *row_month = NULL;
	for (int k = 0; k < nl; k++) {
		const struct payout_line *l = &lines[k];
		const char *st = line_state(l, day);
		total += l->amount_ore;
		if (strcmp(st, "paid") == 0)
			paid += l->amount_ore;
		if (row == NULL || strcmp(row_month, l->month) != 0 ||
		    (l->run_date && json_string_value(json_object_get(row, "run_date")) &&
		     strcmp(l->run_date, json_string_value(json_object_get(row, "run_date"))) != 0)) {
			row = json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}", "month", l->month, "due", l->due, "loan", (json_int_t)0,
					"grant", (json_int_t)0, "amount", (json_int_t)0, "state", st);
			if (l->run_date)
				json_object_set_new(row, "run_date", json_string(l->run_date));
			if (l->run_date && strcmp(st, "paid") == 0) {
				char exp[11];
				json_object_set_new(row, "sent_on", json_string(l->run_date));
				if (l->booked_on)
					json_object_set_new(row, "booked_on", json_string(l->booked_on));
				else if (expected_on(l->run_date, exp))
					json_object_set_new(row, "expected", json_string(exp));
			}
			json_array_append_new(months, row);
			row_month = l->month;
		}
		const char *key = strcmp(l->kind, "loan") == 0 ? "loan" : "grant";
		json_object_set_new(row, key, json_integer(json_integer_value(json_object_get(row, key)) + l->amount_ore));
		json_object_set_new(row, "amount",
				    json_integer(json_integer_value(json_object_get(row, "amount")) + l->amount_ore));
		json_object_set_new(row, "state", json_string(worse(json_string_value(json_object_get(row, "state")), st)));
	}
	size_t i;
	json_t *m;
	json_array_foreach(months, i, m) {
		const char *st = json_string_value(json_object_get(m, "state"));
		json_object_set_new(m, "state_key", json_string(arena_printf(a, "payout.state.%s", st)));
		json_object_set_new(m, "paid", json_boolean(strcmp(st, "paid") == 0));
		/* A paid month shows the day it went, the others their payday. */
		const char *rd = json_string_value(json_object_get(m, "run_date"));
		json_object_set_new(m, "date", json_string(rd ? rd : json_string_value(json_object_get(m, "due"))));
	}
	json_object_set_new(v, "paid", json_integer(paid));
	json_object_set_new(v, "total", json_integer(total));
	json_object_set_new(v, "has_plan", json_boolean(nl > 0));
	struct payout_claim *claims;
	int ncl = store_payout_claims_of_person(s, person_id, &claims, a, e);
	if (ncl < 0)
		goto fail;
	json_t *cl = json_array();
	for (int k = 0; k < ncl; k++)
		json_array_append_new(cl, json_pack("{s:I,s:s,s:I,s:I}", "case_id", (json_int_t)claims[k].case_id,
						    "payout_kind", claims[k].kind, "amount",
						    (json_int_t)claims[k].amount_ore, "letter_id", (json_int_t)claims[k].letter_id));
	json_object_set_new(v, "claims", cl);
	*out = v;
	return 0;
fail:
	json_decref(v);
	return -1;
}

/* The letter's text rendered, for the PDF and the paper copy, which draw
 * "sections" (mailbox/pdf.c) rather than the page's template. */
static void add_sections(json_t *v, enum lang lang, const char *body_key)
{
	struct buf b;
	buf_init(&b, 4096);
	i18n_render(&b, lang, body_key, v);
	json_t *paras = json_array();
	json_array_append_new(paras, json_string(buf_str(&b)));
	json_array_append_new(paras, json_string(i18n_get(lang, "payout.heading")));
	json_array_append_new(paras, json_string(i18n_get(lang, "payout.letter.signature")));
	json_object_set_new(v, "sections", json_pack("[{s:s,s:o}]", "heading", "", "paragraphs", paras));
	buf_cleanup(&b);
}

json_t *payout_letter_view(struct store *s, int64_t letter_id, const char *kind, enum lang lang, struct arena *a)
{
	struct err e;
	json_t *v = NULL;
	if (strcmp(kind, "payout-account-rejected") == 0) {
		struct payout_payment p;
		if (store_payout_payment_of_letter(s, letter_id, &p, a, &e) != 0)
			return NULL;
		const char *reason = p.reason && (strcmp(p.reason, "AC04") == 0 || strcmp(p.reason, "AC01") == 0) ? p.reason
																  : "other";
		v = json_pack("{s:b,s:s,s:I,s:s,s:s}", "rejected", 1, "account", masked(a, p.account), "amount",
			      (json_int_t)(p.loan_ore + p.grant_ore), "payout_reason", reason, "run_date", p.run_date);
		add_sections(v, lang, "payout.letter.rejected.body");
		return v;
	}
	if (strcmp(kind, "payout-claim") == 0) {
		struct payout_claim c;
		if (store_payout_claim_of_letter(s, letter_id, &c, a, &e) != 0)
			return NULL;
		v = json_pack("{s:b,s:s,s:I}", "claim", 1, "payout_kind", c.kind, "amount", (json_int_t)c.amount_ore);
		add_sections(v, lang, "payout.letter.claim.body");
		return v;
	}
	return NULL;
}
