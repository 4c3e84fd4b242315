/* accounts.c - the account register's added and closed accounts, the
 * reverse index the bank needs (which account is whose), and the schools
 * register's confirmation feed (see accounts.h).
 *
 * The population's own accounts are a pure function of (seed, index); the
 * bank must know whether an account number belongs to anyone, so the first
 * question builds a sorted index of every adult's account (once per
 * process: a second or two for the largest population). */
#include "sim/accounts.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/nin.h"
#include "sim/synth.h"

#define MAX_ADDED 100000
#define MAX_CONFIRMATIONS 2000000

struct added {
	char nin[12], account[12];
	int closed;
};

struct confirmation {
	char nin[12], school_year[10];
	const char *kind;
	int64_t at;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct added *added;
static int n_added;
static struct confirmation *confs;
static int64_t n_confs;
static char (*index_accounts)[12];
static int64_t n_index;
static int index_built;

static int parse_person(json_t *j, int64_t persons, uint64_t seed, struct synth_person *p, struct err *e)
{
	const char *nin = json_string_value(json_object_get(j, "nin"));
	if (nin == NULL || nin_parse(nin, NULL, NULL) != 0)
		return err_set(e, ERR_INVALID, "nin", "must be a valid national identity number");
	if (synth_find(seed, persons, nin, p) != 0)
		return err_set(e, ERR_NOT_FOUND, "nin", "no such person");
	return 0;
}

static int account_digits_ok(const char *a)
{
	return a && strlen(a) == 11 && strspn(a, "0123456789") == 11;
}

int simacc_post(const char *body, size_t len, int64_t persons, uint64_t seed, struct err *e)
{
	json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	struct synth_person p;
	int rc = -1;
	if (!json_is_object(j)) {
		err_set(e, ERR_INVALID, NULL, "must be a JSON object");
		goto out;
	}
	if (parse_person(j, persons, seed, &p, e) != 0)
		goto out;
	const char *account = json_string_value(json_object_get(j, "account"));
	const char *state = json_string_value(json_object_get(j, "state"));
	if (!account_digits_ok(account)) {
		err_set(e, ERR_INVALID, "account", "must be 11 digits");
		goto out;
	}
	if (state == NULL || (strcmp(state, "open") != 0 && strcmp(state, "closed") != 0)) {
		err_set(e, ERR_INVALID, "state", "must be open or closed");
		goto out;
	}
	pthread_mutex_lock(&mu);
	int i;
	for (i = 0; i < n_added; i++)
		if (strcmp(added[i].account, account) == 0)
			break;
	if (i < n_added && strcmp(added[i].nin, p.nin) != 0) {
		pthread_mutex_unlock(&mu);
		err_set(e, ERR_CONFLICT, "account", "the account is another person's");
		goto out;
	}
	if (i == n_added) {
		if (added == NULL)
			added = calloc(MAX_ADDED, sizeof(*added));
		if (added == NULL || n_added >= MAX_ADDED) {
			pthread_mutex_unlock(&mu);
			err_set(e, ERR_CONFLICT, NULL, "the register is full");
			goto out;
		}
		n_added++;
		snprintf(added[i].nin, sizeof(added[i].nin), "%s", p.nin);
		snprintf(added[i].account, sizeof(added[i].account), "%s", account);
	}
	added[i].closed = strcmp(state, "closed") == 0;
	pthread_mutex_unlock(&mu);
	rc = 0;
out:
	json_decref(j);
	return rc;
}

int simacc_owned(const char *nin, const char *primary, const char *account)
{
	if (primary && primary[0] && strcmp(primary, account) == 0)
		return 1;
	int owned = 0;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < n_added && !owned; i++)
		owned = strcmp(added[i].account, account) == 0 && strcmp(added[i].nin, nin) == 0;
	pthread_mutex_unlock(&mu);
	return owned;
}

static int cmp_account(const void *x, const void *y)
{
	return memcmp(x, y, 12);
}

/* Called with mu held. */
static void build_index(int64_t persons, uint64_t seed)
{
	index_built = 1;
	index_accounts = calloc((size_t)persons, 12);
	if (index_accounts == NULL)
		return;
	for (int64_t i = 0; i < persons; i++) {
		struct synth_person p;
		if (synth_person(seed, i, &p) == 0 && p.account[0])
			memcpy(index_accounts[n_index++], p.account, 12);
	}
	qsort(index_accounts, (size_t)n_index, 12, cmp_account);
}

const char *simacc_state(const char *account, int64_t persons, uint64_t seed)
{
	char key[12] = {0};
	if (!account_digits_ok(account))
		return NULL;
	memcpy(key, account, 11);
	const char *state = NULL;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < n_added; i++)
		if (strcmp(added[i].account, account) == 0)
			state = added[i].closed ? "closed" : "open";
	if (state == NULL) {
		if (!index_built)
			build_index(persons, seed);
		if (index_accounts && bsearch(key, index_accounts, (size_t)n_index, 12, cmp_account))
			state = "open";
	}
	pthread_mutex_unlock(&mu);
	return state;
}

/* ---- confirmations ---- */

int64_t simconf_post(const char *body, size_t len, int64_t persons, uint64_t seed, int64_t now, struct err *e)
{
	json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	struct synth_person p;
	int64_t seq = -1;
	if (!json_is_object(j)) {
		err_set(e, ERR_INVALID, NULL, "must be a JSON object");
		goto out;
	}
	if (parse_person(j, persons, seed, &p, e) != 0)
		goto out;
	const char *year = json_string_value(json_object_get(j, "school_year"));
	const char *kind = json_string_value(json_object_get(j, "kind"));
	if (year == NULL || strlen(year) != 9 || year[4] != '-') {
		err_set(e, ERR_INVALID, "school_year", "a school year is written 2024-2025");
		goto out;
	}
	static const char *const kinds[] = {"semester-registration", "attendance"};
	const char *k = NULL;
	for (int i = 0; i < 2; i++)
		if (kind && strcmp(kind, kinds[i]) == 0)
			k = kinds[i];
	if (k == NULL) {
		err_set(e, ERR_INVALID, "kind", "must be semester-registration or attendance");
		goto out;
	}
	pthread_mutex_lock(&mu);
	if (confs == NULL)
		confs = calloc(MAX_CONFIRMATIONS, sizeof(*confs));
	if (confs == NULL || n_confs >= MAX_CONFIRMATIONS) {
		pthread_mutex_unlock(&mu);
		err_set(e, ERR_CONFLICT, NULL, "the feed is full");
		goto out;
	}
	struct confirmation *c = &confs[n_confs++];
	snprintf(c->nin, sizeof(c->nin), "%s", p.nin);
	snprintf(c->school_year, sizeof(c->school_year), "%s", year);
	c->kind = k;
	c->at = now;
	seq = n_confs;
	pthread_mutex_unlock(&mu);
out:
	json_decref(j);
	return seq;
}

int simconf_events(struct buf *b, int64_t after, int limit)
{
	int rc = 0;
	pthread_mutex_lock(&mu);
	rc |= buf_puts(b, "{\"events\":[");
	int64_t i = after < 0 ? 0 : after;
	for (int k = 0; i < n_confs && k < limit; i++, k++)
		rc |= buf_printf(b, "%s{\"sequence\":%lld,\"nin\":\"%s\",\"school_year\":\"%s\",\"kind\":\"%s\",\"at\":%lld}",
				 k ? "," : "", (long long)(i + 1), confs[i].nin, confs[i].school_year, confs[i].kind,
				 (long long)confs[i].at);
	rc |= buf_printf(b, "],\"last\":%lld}\n", (long long)n_confs);
	pthread_mutex_unlock(&mu);
	return rc ? -1 : 0;
}
