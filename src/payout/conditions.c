/* conditions.c - the three payout conditions as they are recorded: the
 * account (checked by MOD11 and against the tax authority's account
 * register for ownership), the institution's confirmation (from the
 * schools register's event feed, or an institution through
 * payout_confirmation_record()). The third, the signed agreement, is the
 * signing room's (signing_agreement_signed()), which the run asks.
 *
 * Never an account the person does not own: a number the person types is
 * taken only when the register says it is theirs, and one from the
 * register is theirs by the register's word. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/nin.h"
#include "payout/internal.h"
#include "payout/payout.h"
#include "registers/registers.h"
#include "store/payout.h"

date_t payout_day(int64_t now)
{
	return (date_t)(now >= 0 ? now / 86400 : (now - 86399) / 86400);
}

/* ---- the account ---- */

int payout_account_check(const char *account, struct err *e)
{
	if (account == NULL || strlen(account) != 11 || strspn(account, "0123456789") != 11)
		return err_set(e, ERR_INVALID, "account", "an account number has 11 digits");
	if (!reg_account_valid(account))
		return err_set(e, ERR_INVALID, "account", "the account number's check digit is wrong");
	return 0;
}

/* The digits of s, allowing blanks and dots between them (the way account
 * numbers are written: 1234 56 78903). NULL when anything else is in it. */
static char *digits_of(const char *s, struct arena *a)
{
	size_t n = s ? strlen(s) : 0;
	char *out = arena_alloc(a, n + 1), *p = out;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			*p++ = s[i];
		else if (s[i] != ' ' && s[i] != '.')
			return NULL;
	}
	*p = '\0';
	return out;
}

struct account_arg {
	const struct principal *who;
	struct payout_account acct;
	int64_t now;
};

static int account_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct account_arg *x = arg;
	char actor[64], object[32];
	access_actor(x->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "person:%lld", (long long)x->acct.person_id);
	if (store_payout_account_put(tx, &x->acct, e) != 0)
		return -1;
	return audit_append(tx, x->now, actor, "payout.account.registered", object, "owner confirmed by the register", e);
}

int payout_account_register(const struct payout_env *env, const struct principal *who, const char *account,
			    int64_t now, enum payout_account_problem *problem, struct err *e)
{
	enum payout_account_problem ignored;
	if (problem == NULL)
		problem = &ignored;
	*problem = PAYOUT_ACCOUNT_FINE;
	/* Registering an account redirects money: it will need high assurance
	 * (ID-porten level "high") once the login tells the level; the policy
	 * row ACT_PAYOUT_ACCOUNT_WRITE is where that requirement belongs. */
	if (access_check_subject(env->store, who, ACT_PAYOUT_ACCOUNT_WRITE, "account", now, e) != 0)
		return -1;
	struct arena a;
	arena_init(&a, 4096);
	int rc = -1;
	int64_t person_id = access_subject(who);
	struct person p;
	char *digits = digits_of(account, &a);
	if (digits == NULL || payout_account_check(digits, e) != 0) {
		*problem = digits && strlen(digits) == 11 ? PAYOUT_ACCOUNT_CHECK_DIGIT : PAYOUT_ACCOUNT_FORMAT;
		if (digits == NULL)
			err_set(e, ERR_INVALID, "account", "an account number has 11 digits");
		goto out;
	}
	if (store_person_get(env->store, person_id, &p, &a, e) != 0) {
		if (e->code == ERR_NONE)
			err_set(e, ERR_NOT_FOUND, NULL, "no such person");
		goto out;
	}
	if (env->registers_url == NULL) {
		err_set(e, ERR_IO, NULL, "no account register is configured to confirm the owner");
		goto out;
	}
	struct buf body;
	long status = 0;
	buf_init(&body, 1 << 16);
	char *url = arena_printf(&a, "%s/tax/v1/persons/%s/accounts/%s", env->registers_url, p.nin, digits);
	int got = payout_http("GET", url, NULL, NULL, 0, &body, &status, e);
	buf_cleanup(&body);
	if (got != 0)
		goto out;
	if (status == 404) {
		*problem = PAYOUT_ACCOUNT_NOT_OWN;
		err_set(e, ERR_INVALID, "account", "the account register does not name this account as yours");
		goto out;
	}
	if (status != 200) {
		err_set(e, ERR_IO, NULL, "the account register answered %ld", status);
		goto out;
	}
	struct account_arg x = {who, {person_id, digits, "person", "ok", now}, now};
	rc = store_write(env->store, account_tx, &x, e);
out:
	arena_cleanup(&a);
	return rc;
}

/* ---- the institution's confirmation ---- */

struct confirmation {
	int64_t person_id;
	const char *school_year, *kind, *source;
};

struct confirm_arg {
	const struct confirmation *c;
	int n;
	int64_t now;
	const char *after; /* the feed's position to store, or NULL */
	int taken;
};

static int confirm_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct confirm_arg *x = arg;
	for (int i = 0; i < x->n; i++) {
		const struct confirmation *c = &x->c[i];
		int inserted = 0;
		char object[32];
		if (store_payout_confirmation_put(tx, c->person_id, c->school_year, c->kind, c->source, x->now, &inserted,
						  e) != 0)
			return -1;
		if (!inserted)
			continue;
		x->taken++;
		snprintf(object, sizeof(object), "person:%lld", (long long)c->person_id);
		if (audit_append(tx, x->now, c->source, "payout.confirmation", object, c->school_year, e) != 0)
			return -1;
	}
	if (x->after && store_setting_put(tx, "payout.confirmations_after", x->after, e) != 0)
		return -1;
	return 0;
}

static int confirmation_valid(const char *school_year, const char *kind, const char *source, struct err *e)
{
	date_t first, last;
	if (school_year == NULL || date_school_year(school_year, &first, &last) != 0)
		return err_set(e, ERR_INVALID, "school_year", "a school year is written 2024-2025");
	if (kind == NULL || (strcmp(kind, "semester-registration") != 0 && strcmp(kind, "attendance") != 0))
		return err_set(e, ERR_INVALID, "kind", "must be semester-registration or attendance");
	if (source == NULL || *source == '\0' || strlen(source) > 64)
		return err_set(e, ERR_INVALID, "source", "must name who confirmed");
	return 0;
}

int payout_confirmation_record(struct store *s, int64_t person_id, const char *school_year, const char *kind,
			       const char *source, int64_t now, int *inserted, struct err *e)
{
	if (confirmation_valid(school_year, kind, source, e) != 0)
		return -1;
	if (person_id <= 0)
		return err_set(e, ERR_INVALID, "person", "no such person");
	struct confirmation c = {person_id, school_year, kind, source};
	struct confirm_arg x = {&c, 1, now, NULL, 0};
	if (store_write(s, confirm_tx, &x, e) != 0)
		return -1;
	if (inserted)
		*inserted = x.taken;
	return 0;
}

#define FEED_LIMIT 1000

int payout_follow_confirmations(const struct payout_env *env, int64_t now, int *taken, struct err *e)
{
	if (taken)
		*taken = 0;
	if (env->registers_url == NULL)
		return 0;
	struct arena a;
	arena_init(&a, 1 << 16);
	int rc = -1;
	for (;;) {
		arena_reset(&a);
		const char *after = "0";
		int got = store_setting_get(env->store, "payout.confirmations_after", &after, &a, e);
		if (got < 0)
			break;
		if (got == 1)
			after = "0";
		struct buf body;
		long status = 0;
		buf_init(&body, 8 << 20);
		char *url = arena_printf(&a, "%s/schools/v1/confirmations?after=%s&limit=%d", env->registers_url, after,
					 FEED_LIMIT);
		if (payout_http("GET", url, NULL, NULL, 0, &body, &status, e) != 0) {
			buf_cleanup(&body);
			break;
		}
		json_t *j = status == 200 ? json_loadb(body.p ? body.p : "", body.len, 0, NULL) : NULL;
		buf_cleanup(&body);
		json_t *events = json_object_get(j, "events");
		if (!json_is_array(events)) {
			json_decref(j);
			err_set(e, ERR_IO, NULL, "the schools register's confirmation feed answered %ld", status);
			break;
		}
		size_t n = json_array_size(events), i;
		struct confirmation *c = arena_zalloc(&a, sizeof(*c) * (n ? n : 1));
		int k = 0;
		long long last = 0;
		json_t *ev;
		json_array_foreach(events, i, ev) {
			json_t *seq = json_object_get(ev, "sequence");
			const char *nin = json_string_value(json_object_get(ev, "nin"));
			const char *year = json_string_value(json_object_get(ev, "school_year"));
			const char *kind = json_string_value(json_object_get(ev, "kind"));
			if (!json_is_integer(seq) || json_integer_value(seq) <= last) {
				json_decref(j);
				err_set(e, ERR_IO, NULL, "the confirmation feed's sequence is out of order");
				goto out;
			}
			last = json_integer_value(seq);
			struct person p;
			struct err pe;
			if (nin == NULL || confirmation_valid(year, kind, "schools-register", &pe) != 0 ||
			    store_person_by_nin(env->store, nin, &p, &a, &pe) != 0)
				continue; /* not a person the agency knows, or not understood */
			c[k++] = (struct confirmation){p.id, arena_strdup(&a, year), arena_strdup(&a, kind),
						       "schools-register"};
		}
		json_decref(j);
		if (n == 0) {
			rc = 0;
			break;
		}
		struct confirm_arg x = {c, k, now, arena_printf(&a, "%lld", last), 0};
		if (store_write(env->store, confirm_tx, &x, e) != 0)
			break;
		if (taken)
			*taken += x.taken;
		if (n < FEED_LIMIT) {
			rc = 0;
			break;
		}
	}
out:
	arena_cleanup(&a);
	return rc;
}
