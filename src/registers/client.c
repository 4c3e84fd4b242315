/* client.c - the register clients: HTTP with libcurl, strict validation with
 * jansson, retries with back-off, and each register's health.
 *
 * A client keeps a small pool of curl easy handles; a call borrows one for
 * its tries and gives it back, so each thread in turn reuses a kept-alive
 * connection and no handle is ever used by two threads at once. A try
 * fails when the register cannot be reached, takes longer than the timeout
 * or answers 5xx (or 429): the call then waits backoff x 2^(try-1) plus a
 * random jitter of up to as much again and tries again. An answer that
 * arrives but is malformed is not retried: the call fails with ERR_INVALID
 * naming what was wrong, and no fact is made of it. */
#include "registers/registers.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/nin.h"
#include "core/metrics.h"

#define MAX_ANSWER (8 << 20)

struct handle {
	CURL *curl;
	struct handle *next;
};

struct reg_client {
	char *base;
	char *scope_header; /* "X-Scope: ..." or NULL */
	struct reg_options o;
	pthread_mutex_t mu; /* the pool and the health */
	struct handle *pool;
	struct reg_health health[REG_N];
};

static const char *register_names[REG_N] = {"population", "tax", "schools", "welfare"};

const char *reg_register_name(enum reg_register r)
{
	return r < REG_N ? register_names[r] : "?";
}

const char *reg_state_name(enum reg_state s)
{
	return s == REG_OK ? "ok" : s == REG_DEGRADED ? "degraded" : "down";
}

/* ---- bank account numbers ---- */

int reg_account_check_digit(const char ten[10])
{
	static const int w[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
	int sum = 0;
	for (int i = 0; i < 10; i++) {
		if (ten[i] < '0' || ten[i] > '9')
			return -1;
		sum += (ten[i] - '0') * w[i];
	}
	int k = 11 - sum % 11;
	if (k == 11)
		k = 0;
	return k == 10 ? -1 : k;
}

int reg_account_valid(const char *s)
{
	if (s == NULL || strlen(s) != 11 || s[10] < '0' || s[10] > '9')
		return 0;
	return reg_account_check_digit(s) == s[10] - '0';
}

/* ---- the client ---- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_ok;

static void global_init(void)
{
	global_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK && sodium_init() >= 0;
}

struct reg_client *reg_client_new(const char *base_url, const struct reg_options *o)
{
	pthread_once(&global_once, global_init);
	if (!global_ok)
		return NULL;
	struct reg_client *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	size_t n = strlen(base_url);
	while (n > 0 && base_url[n - 1] == '/')
		n--;
	c->base = strndup(base_url, n);
	if (o)
		c->o = *o;
	c->o.timeout_ms = c->o.timeout_ms > 0 ? c->o.timeout_ms : 2000;
	c->o.tries = c->o.tries > 0 ? c->o.tries : 3;
	c->o.backoff_ms = c->o.backoff_ms > 0 ? c->o.backoff_ms : 50;
	c->o.down_after = c->o.down_after > 0 ? c->o.down_after : 3;
	c->o.scope = NULL;
	if (o && o->scope) {
		size_t len = strlen(o->scope) + 10;
		if ((c->scope_header = malloc(len)) != NULL)
			snprintf(c->scope_header, len, "X-Scope: %s", o->scope);
	}
	if (c->base == NULL || (o && o->scope && c->scope_header == NULL)) {
		reg_client_free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void reg_client_free(struct reg_client *c)
{
	if (c == NULL)
		return;
	while (c->pool) {
		struct handle *h = c->pool;
		c->pool = h->next;
		curl_easy_cleanup(h->curl);
		free(h);
	}
	pthread_mutex_destroy(&c->mu);
	free(c->scope_header);
	free(c->base);
	free(c);
}

void reg_health(struct reg_client *c, enum reg_register r, struct reg_health *out)
{
	pthread_mutex_lock(&c->mu);
	*out = c->health[r];
	pthread_mutex_unlock(&c->mu);
}

static void note_try(struct reg_client *c, enum reg_register r, int ok)
{
	struct reg_health *h = &c->health[r];
	int64_t now = date_now_unix();
	pthread_mutex_lock(&c->mu);
	if (ok) {
		h->consecutive_failures = 0;
		h->last_success = now;
		h->state = REG_OK;
	} else {
		metrics_register_failure(reg_register_name(r)); /* #14: /metrics */
		h->consecutive_failures++;
		h->last_failure = now;
		h->state = h->consecutive_failures >= c->o.down_after ? REG_DOWN : REG_DEGRADED;
	}
	pthread_mutex_unlock(&c->mu);
}

static struct handle *borrow(struct reg_client *c)
{
	pthread_mutex_lock(&c->mu);
	struct handle *h = c->pool;
	if (h)
		c->pool = h->next;
	pthread_mutex_unlock(&c->mu);
	if (h)
		return h;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->curl = curl_easy_init()) == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

static void give_back(struct reg_client *c, struct handle *h)
{
	pthread_mutex_lock(&c->mu);
	h->next = c->pool;
	c->pool = h;
	pthread_mutex_unlock(&c->mu);
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	return buf_append(b, p, size * n) == 0 ? size * n : 0;
}

static void pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* GET base + path from register r, or POST body (a JSON object of len
 * bytes) there when body is not NULL. Returns 0 with *out the parsed answer
 * (a new reference) on 200, 1 on 404, -1 with e filled. */
static int request_json(struct reg_client *c, enum reg_register r, const char *path, const char *body_in, size_t len,
			json_t **out, struct err *e)
{
	const char *name = register_names[r];
	char url[1024], reason[CURL_ERROR_SIZE + 64] = "";
	struct buf body;
	struct curl_slist *headers = NULL, *h1;
	int rc = -1;
	*out = NULL;
	if ((size_t)snprintf(url, sizeof(url), "%s%s", c->base, path) >= sizeof(url))
		return err_set(e, ERR_INVALID, name, "the register's address is too long");
	struct handle *hd = borrow(c);
	if (hd == NULL)
		return err_set(e, ERR_INTERNAL, name, "out of memory");
	headers = curl_slist_append(NULL, "Accept: application/json");
	if (headers && r == REG_POPULATION && c->scope_header &&
	    (h1 = curl_slist_append(headers, c->scope_header)) != NULL)
		headers = h1;
	/* A bulk request's body goes at once: no "Expect: 100-continue" round
	 * trip before it. */
	if (headers && body_in && (h1 = curl_slist_append(headers, "Content-Type: application/json")) != NULL)
		headers = h1;
	if (headers && body_in && (h1 = curl_slist_append(headers, "Expect:")) != NULL)
		headers = h1;
	buf_init(&body, MAX_ANSWER);
	for (int try = 1; try <= c->o.tries; try++) {
		CURL *k = hd->curl;
		char cerr[CURL_ERROR_SIZE] = "";
		long status = 0;
		if (try > 1) {
			int wait = c->o.backoff_ms << (try - 2 < 16 ? try - 2 : 16);
			pause_ms(wait + (int)randombytes_uniform((uint32_t)wait + 1));
		}
		buf_reset(&body);
		curl_easy_setopt(k, CURLOPT_URL, url);
		curl_easy_setopt(k, CURLOPT_HTTPHEADER, headers);
		if (body_in) {
			curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE, (long)len);
			curl_easy_setopt(k, CURLOPT_POSTFIELDS, body_in);
		} else {
			curl_easy_setopt(k, CURLOPT_HTTPGET, 1L); /* the handle may have posted before */
		}
		curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(k, CURLOPT_WRITEDATA, &body);
		curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, (long)c->o.timeout_ms);
		curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, (long)c->o.timeout_ms);
		curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(k, CURLOPT_ERRORBUFFER, cerr);
		curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(k, CURLOPT_FOLLOWLOCATION, 0L);
		CURLcode res = curl_easy_perform(k);
		curl_easy_setopt(k, CURLOPT_ERRORBUFFER, NULL);
		if (res == CURLE_WRITE_ERROR) {
			note_try(c, r, 0);
			err_set(e, ERR_INVALID, name, "the %s register's answer is larger than %d bytes", name,
			        MAX_ANSWER);
			goto out;
		}
		if (res != CURLE_OK) {
			snprintf(reason, sizeof(reason), "%s", cerr[0] ? cerr : curl_easy_strerror(res));
			note_try(c, r, 0);
			continue;
		}
		curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 500 || status == 429) {
			snprintf(reason, sizeof(reason), "answered %ld", status);
			note_try(c, r, 0);
			continue;
		}
		json_error_t je;
		json_t *j = NULL;
		if (status == 200 || status == 404)
			j = json_loadb(body.p ? body.p : "", body.len, JSON_REJECT_DUPLICATES, &je);
		if (status == 200 && json_is_object(j)) {
			note_try(c, r, 1);
			*out = j;
			rc = 0;
		} else if (status == 404 && json_is_string(json_object_get(j, "error"))) {
			note_try(c, r, 1);
			json_decref(j);
			rc = 1;
		} else if (status == 200 || status == 404) {
			/* An answer, but not one a register gives: a fault of the
			 * register, so it counts against its health. */
			note_try(c, r, 0);
			json_decref(j);
			err_set(e, ERR_INVALID, name,
			        "the %s register answered %ld with a body that is not a JSON %s%s%s", name, status,
			        status == 200 ? "object" : "error", j ? "" : ": ", j ? "" : je.text);
		} else {
			/* It works, but refused what we asked: our fault. */
			note_try(c, r, 1);
			err_set(e, ERR_INVALID, name, "the %s register refused the request with %ld", name, status);
		}
		goto out;
	}
	err_set(e, ERR_IO, name, "the %s register failed %d time%s: %s", name, c->o.tries, c->o.tries == 1 ? "" : "s",
	        reason);
out:
	buf_cleanup(&body);
	curl_slist_free_all(headers);
	give_back(c, hd);
	return rc;
}

static int get_json(struct reg_client *c, enum reg_register r, const char *path, json_t **out, struct err *e)
{
	return request_json(c, r, path, NULL, 0, out, e);
}

/* ---- validation ---- */

/* A field of an answer that is not what the register promised. */
static int bad(struct err *e, const char *reg, const char *path, const char *what)
{
	char field[96];
	snprintf(field, sizeof(field), "%s.%s", reg, path);
	return err_set(e, ERR_INVALID, field, "the %s register answered an invalid %s: %s", reg, path, what);
}

static int want_string(json_t *o, const char *key, const char *reg, const char *path, int nonempty, const char **out,
                       struct arena *a, struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return bad(e, reg, path, "must be a string");
	if (nonempty && json_string_length(v) == 0)
		return bad(e, reg, path, "must not be empty");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(e, reg, path, "must not hold a NUL character");
	*out = arena_strdup(a, json_string_value(v));
	return 0;
}

static int want_int(json_t *o, const char *key, const char *reg, const char *path, int64_t lo, int64_t hi, int64_t *out,
                    struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return bad(e, reg, path, "must be a whole number");
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return bad(e, reg, path, "is out of range");
	*out = json_integer_value(v);
	return 0;
}

static int want_number(json_t *o, const char *key, const char *reg, const char *path, double lo, double hi, double *out,
                       struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_number(v))
		return bad(e, reg, path, "must be a number");
	double d = json_number_value(v);
	if (!(d >= lo && d <= hi))
		return bad(e, reg, path, "is out of range");
	*out = d;
	return 0;
}

static int want_bool(json_t *o, const char *key, const char *reg, const char *path, int *out, struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_boolean(v))
		return bad(e, reg, path, "must be true or false");
	*out = json_is_true(v);
	return 0;
}

static int want_date(json_t *o, const char *key, const char *reg, const char *path, date_t *out, struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v) || date_parse(json_string_value(v), out) != 0)
		return bad(e, reg, path, "must be a date that exists, YYYY-MM-DD");
	return 0;
}

static int want_nin(json_t *v, const char *reg, const char *path, const char **out, date_t *birth, struct arena *a,
                    struct err *e)
{
	if (!json_is_string(v) || nin_parse(json_string_value(v), birth, NULL) != 0)
		return bad(e, reg, path, "must be a valid national identity number");
	*out = arena_strdup(a, json_string_value(v));
	return 0;
}

static int want_array(json_t *o, const char *key, const char *reg, size_t most, json_t **out, struct err *e)
{
	*out = json_object_get(o, key);
	if (!json_is_array(*out))
		return bad(e, reg, key, "must be an array");
	if (json_array_size(*out) > most)
		return bad(e, reg, key, "has too many elements");
	return 0;
}

static int parse_address(json_t *v, const struct reg_address **out, struct arena *a, struct err *e)
{
	static const char *R = "population";
	struct reg_address *ad = arena_zalloc(a, sizeof(*ad));
	if (!json_is_object(v))
		return bad(e, R, "address", "must be an object or null");
	if (want_string(v, "line", R, "address.line", 1, &ad->line, a, e) ||
	    want_string(v, "postcode", R, "address.postcode", 1, &ad->postcode, a, e) ||
	    want_string(v, "city", R, "address.city", 1, &ad->city, a, e))
		return -1;
	if (strlen(ad->postcode) != 4 || strspn(ad->postcode, "0123456789") != 4)
		return bad(e, R, "address.postcode", "must be four digits");
	*out = ad;
	return 0;
}

static int parse_person(json_t *o, struct reg_person *p, struct arena *a, struct err *e)
{
	static const char *R = "population";
	json_t *parents, *children, *addr;
	date_t nin_birth;
	memset(p, 0, sizeof(*p));
	if (!json_is_object(o))
		return bad(e, R, "person", "must be an object");
	if (want_nin(json_object_get(o, "nin"), R, "nin", &p->nin, &nin_birth, a, e) ||
	    want_string(o, "given_name", R, "given_name", 1, &p->given_name, a, e) ||
	    want_string(o, "family_name", R, "family_name", 1, &p->family_name, a, e) ||
	    want_date(o, "birth_date", R, "birth_date", &p->birth_date, e) ||
	    want_bool(o, "confidential_address", R, "confidential_address", &p->confidential_address, e) ||
	    want_bool(o, "lives_with_parents", R, "lives_with_parents", &p->lives_with_parents, e) ||
	    want_bool(o, "married", R, "married", &p->married, e) || want_array(o, "parents", R, 2, &parents, e) ||
	    want_array(o, "children", R, 20, &children, e))
		return -1;
	if (p->birth_date != nin_birth)
		return bad(e, R, "birth_date", "differs from the national identity number's");
	/* The loan account (#11): a date of death, when the register has one. */
	json_t *died = json_object_get(o, "date_of_death");
	if (died != NULL && !json_is_null(died)) {
		if (want_date(o, "date_of_death", R, "date_of_death", &p->date_of_death, e))
			return -1;
		if (p->date_of_death < p->birth_date)
			return bad(e, R, "date_of_death", "is before the birth date");
		p->deceased = 1;
	}
	addr = json_object_get(o, "address");
	if (addr == NULL)
		return bad(e, R, "address", "is missing");
	if (json_is_null(addr)) {
		if (!p->confidential_address)
			return bad(e, R, "address", "is null for an address that is not confidential");
	} else if (parse_address(addr, &p->address, a, e) != 0) {
		return -1;
	}
	p->n_parents = (int)json_array_size(parents);
	p->parents = arena_zalloc(a, sizeof(*p->parents) * (size_t)(p->n_parents + 1));
	for (int i = 0; i < p->n_parents; i++)
		if (want_nin(json_array_get(parents, (size_t)i), R, "parents[]", &p->parents[i], NULL, a, e))
			return -1;
	p->n_children = (int)json_array_size(children);
	p->children = arena_zalloc(a, sizeof(*p->children) * (size_t)(p->n_children + 1));
	for (int i = 0; i < p->n_children; i++) {
		json_t *ch = json_array_get(children, (size_t)i);
		struct reg_child *k = &p->children[i];
		if (!json_is_object(ch))
			return bad(e, R, "children[]", "must be an object");
		if (want_nin(json_object_get(ch, "nin"), R, "children[].nin", &k->nin, &nin_birth, a, e) ||
		    want_date(ch, "birth_date", R, "children[].birth_date", &k->birth_date, e))
			return -1;
		if (k->birth_date != nin_birth)
			return bad(e, R, "children[].birth_date", "differs from the national identity number's");
	}
	return 0;
}

/* The number the caller asked about must be a valid one. */
static int check_nin(const char *nin, struct err *e)
{
	if (nin_parse(nin, NULL, NULL) != 0)
		return err_set(e, ERR_INVALID, "nin", "not a valid national identity number");
	return 0;
}

/* ---- the answers, parsed ----
 *
 * One parser per answer, shared by the single calls and the bulk calls, so
 * that a fact is the same whichever way it was asked for. */

/* A person, who must be the one asked for. */
static int parse_person_of(json_t *j, const char *nin, struct reg_person *out, struct arena *a, struct err *e)
{
	if (parse_person(j, out, a, e) != 0)
		return -1;
	if (strcmp(out->nin, nin) != 0)
		return bad(e, "population", "nin", "is not the number asked for");
	return 0;
}

static int parse_income(json_t *j, const char *nin, int year, struct reg_income *out, struct err *e)
{
	static const char *R = "tax";
	json_t *answered = json_object_get(j, "nin");
	int64_t y, inc, wea;
	if (!json_is_object(j))
		return bad(e, R, "income", "must be an object");
	if (!json_is_string(answered) || nin_parse(json_string_value(answered), NULL, NULL) != 0)
		return bad(e, R, "nin", "must be a valid national identity number");
	if (want_int(j, "year", R, "year", 1800, 2999, &y, e) || want_int(j, "income", R, "income", 0, INT64_MAX, &inc, e) ||
	    want_int(j, "wealth", R, "wealth", 0, INT64_MAX, &wea, e))
		return -1;
	if (strcmp(json_string_value(answered), nin) != 0 || y != year)
		return bad(e, R, strcmp(json_string_value(answered), nin) ? "nin" : "year", "is not the one asked for");
	out->year = year;
	out->income = inc;
	out->wealth = wea;
	return 0;
}

static int parse_account(json_t *j, const char **account, struct arena *a, struct err *e)
{
	const char *s;
	if (!json_is_object(j))
		return bad(e, "tax", "account", "must be an object");
	if (want_string(j, "account", "tax", "account", 1, &s, a, e) != 0)
		return -1;
	if (!reg_account_valid(s))
		return bad(e, "tax", "account", "must be 11 digits with a valid check digit");
	*account = s;
	return 0;
}

static int parse_enrolment(json_t *o, struct reg_enrolment *en, struct arena *a, struct err *e)
{
	static const char *R = "schools";
	const char *level;
	int64_t rate, load, minutes;
	if (!json_is_object(o))
		return bad(e, R, "enrolments[]", "must be an object");
	if (want_string(o, "institution", R, "enrolments[].institution", 1, &en->institution, a, e) ||
	    want_string(o, "programme", R, "enrolments[].programme", 1, &en->programme, a, e) ||
	    want_string(o, "level", R, "enrolments[].level", 1, &level, a, e) ||
	    want_int(o, "equipment_rate", R, "enrolments[].equipment_rate", 0, 5, &rate, e) ||
	    want_int(o, "load_percent", R, "enrolments[].load_percent", 0, 100, &load, e) ||
	    want_date(o, "start", R, "enrolments[].start", &en->start, e) ||
	    want_date(o, "end", R, "enrolments[].end", &en->end, e) ||
	    want_bool(o, "admitted", R, "enrolments[].admitted", &en->admitted, e))
		return -1;
	if (strcmp(level, "upper-secondary") == 0)
		en->level = REG_UPPER_SECONDARY;
	else if (strcmp(level, "higher") == 0)
		en->level = REG_HIGHER;
	else
		return bad(e, R, "enrolments[].level", "must be upper-secondary or higher");
	if (en->end < en->start)
		return bad(e, R, "enrolments[].end", "is before the start");
	en->equipment_rate = (int)rate;
	en->load_percent = (int)load;
	en->orgnr = NULL;
	if (json_object_get(o, "orgnr") != NULL) {
		if (want_string(o, "orgnr", R, "enrolments[].orgnr", 1, &en->orgnr, a, e))
			return -1;
		if (!reg_orgnr_valid(en->orgnr))
			return bad(e, R, "enrolments[].orgnr", "must be 9 digits with a valid check digit");
	}
	json_t *t = json_object_get(o, "travel");
	if (t != NULL && !json_is_null(t)) {
		if (!json_is_object(t))
			return bad(e, R, "enrolments[].travel", "must be an object or null");
		if (want_number(t, "distance_km", R, "enrolments[].travel.distance_km", 0, 5000,
		                &en->travel.distance_km, e) ||
		    want_int(t, "daily_travel_minutes", R, "enrolments[].travel.daily_travel_minutes", 0, 1440,
		             &minutes, e) ||
		    want_number(t, "walking_km", R, "enrolments[].travel.walking_km", 0, 100, &en->travel.walking_km,
		                e))
			return -1;
		en->travel.daily_travel_minutes = (int)minutes;
		en->has_travel = 1;
	}
	return 0;
}

static int parse_enrolments(json_t *j, struct reg_enrolments *out, struct arena *a, struct err *e)
{
	json_t *list;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (want_array(j, "enrolments", "schools", 20, &list, e) != 0)
		return -1;
	int n = (int)json_array_size(list);
	out->items = arena_zalloc(a, sizeof(*out->items) * (size_t)(n + 1));
	for (int i = 0; i < n && rc == 0; i++)
		rc = parse_enrolment(json_array_get(list, (size_t)i), &out->items[i], a, e);
	out->n = rc == 0 ? n : 0;
	return rc;
}

/* "2024-autumn" or "2025-spring". */
static int semester_ok(const char *s)
{
	return strlen(s) >= 10 && strspn(s, "0123456789") == 4 && s[4] == '-' &&
	       (strcmp(s + 5, "autumn") == 0 || strcmp(s + 5, "spring") == 0);
}

static int parse_credits(json_t *j, struct reg_credits *out, struct arena *a, struct err *e)
{
	static const char *R = "schools";
	json_t *list;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (want_array(j, "credits", R, 100, &list, e) != 0)
		return -1;
	int n = (int)json_array_size(list);
	out->items = arena_zalloc(a, sizeof(*out->items) * (size_t)(n + 1));
	for (int i = 0; i < n && rc == 0; i++) {
		json_t *o = json_array_get(list, (size_t)i);
		struct reg_credit *cr = &out->items[i];
		if (!json_is_object(o)) {
			rc = bad(e, R, "credits[]", "must be an object");
		} else if (want_string(o, "semester", R, "credits[].semester", 1, &cr->semester, a, e) ||
		           want_number(o, "credits", R, "credits[].credits", 0, 60, &cr->credits, e)) {
			rc = -1;
		} else if (!semester_ok(cr->semester)) {
			rc = bad(e, R, "credits[].semester", "must be YYYY-autumn or YYYY-spring");
		} else if (cr->credits * 2 != (double)(int)(cr->credits * 2)) {
			rc = bad(e, R, "credits[].credits", "must be a multiple of 0.5");
		}
	}
	out->n = rc == 0 ? n : 0;
	return rc;
}

static int parse_benefits(json_t *j, struct reg_benefits *out, struct arena *a, struct err *e)
{
	static const char *R = "welfare";
	json_t *list;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (want_array(j, "benefits", R, 100, &list, e) != 0)
		return -1;
	int n = (int)json_array_size(list);
	out->items = arena_zalloc(a, sizeof(*out->items) * (size_t)(n + 1));
	for (int i = 0; i < n && rc == 0; i++) {
		json_t *o = json_array_get(list, (size_t)i), *kind = json_object_get(o, "kind");
		struct reg_benefit *b = &out->items[i];
		if (!json_is_object(o)) {
			rc = bad(e, R, "benefits[]", "must be an object");
		} else if (want_date(o, "from", R, "benefits[].from", &b->from, e) ||
		           want_date(o, "to", R, "benefits[].to", &b->to, e)) {
			rc = -1;
		} else if (json_is_string(kind) && strcmp(json_string_value(kind), "work-assessment-allowance") == 0) {
			b->kind = REG_WORK_ASSESSMENT_ALLOWANCE;
		} else if (json_is_string(kind) && strcmp(json_string_value(kind), "unemployment") == 0) {
			b->kind = REG_UNEMPLOYMENT;
		} else {
			rc = bad(e, R, "benefits[].kind", "must be work-assessment-allowance or unemployment");
		}
		if (rc == 0 && b->to < b->from)
			rc = bad(e, R, "benefits[].to", "is before from");
	}
	out->n = rc == 0 ? n : 0;
	return rc;
}

static int parse_person_list(json_t *j, int limit, struct reg_person_list *out, struct arena *a, struct err *e)
{
	json_t *persons;
	int64_t t;
	memset(out, 0, sizeof(*out));
	if (want_array(j, "persons", "population", (size_t)limit, &persons, e) ||
	    want_int(j, "total", "population", "total", 0, INT64_MAX, &t, e))
		return -1;
	int n = (int)json_array_size(persons);
	out->items = arena_zalloc(a, sizeof(*out->items) * (size_t)(n + 1));
	for (int i = 0; i < n; i++)
		if (parse_person(json_array_get(persons, (size_t)i), &out->items[i], a, e) != 0)
			return -1;
	out->n = n;
	out->total = t;
	return 0;
}

/* The events after `after`, each numbered above the one before it and at
 * most the feed's last. */
static int parse_events(json_t *j, enum reg_register r, int64_t after, int limit, struct reg_events *out,
			struct arena *a, struct err *e)
{
	const char *R = reg_register_name(r);
	json_t *list;
	memset(out, 0, sizeof(*out));
	if (want_array(j, "events", R, (size_t)limit, &list, e) != 0 ||
	    want_int(j, "last", R, "last", 0, INT64_MAX / 2, &out->last, e) != 0)
		return -1;
	int n = (int)json_array_size(list), rc = 0;
	out->items = arena_zalloc(a, sizeof(*out->items) * (size_t)(n + 1));
	int64_t prev = after;
	for (int i = 0; i < n && rc == 0; i++) {
		json_t *o = json_array_get(list, (size_t)i);
		struct reg_event *ev = &out->items[i];
		if (!json_is_object(o)) {
			rc = bad(e, R, "events[]", "must be an object");
		} else if (want_int(o, "sequence", R, "events[].sequence", prev + 1, out->last, &ev->sequence, e) ||
			   want_nin(json_object_get(o, "nin"), R, "events[].nin", &ev->nin, NULL, a, e) ||
			   want_string(o, "change", R, "events[].change", 1, &ev->change, a, e)) {
			rc = -1;
		}
		prev = ev->sequence;
	}
	out->n = rc == 0 ? n : 0;
	return rc;
}

int reg_answer_parse(enum reg_answer kind, const struct reg_question *q, json_t *answer, void *out,
		     struct arena *a, struct err *e)
{
	switch (kind) {
	case REG_ANSWER_PERSON: return parse_person_of(answer, q->nin, out, a, e);
	case REG_ANSWER_PERSONS: return parse_person_list(answer, q->limit, out, a, e);
	case REG_ANSWER_INCOME: return parse_income(answer, q->nin, q->year, out, e);
	case REG_ANSWER_ACCOUNT: return parse_account(answer, out, a, e);
	case REG_ANSWER_ENROLMENTS: return parse_enrolments(answer, out, a, e);
	case REG_ANSWER_CREDITS: return parse_credits(answer, out, a, e);
	case REG_ANSWER_BENEFITS: return parse_benefits(answer, out, a, e);
	case REG_ANSWER_EVENTS: return parse_events(answer, q->reg, q->after, q->limit, out, a, e);
	}
	return err_set(e, ERR_INTERNAL, NULL, "no such answer");
}

/* ---- the typed calls ---- */

/* GET path from register r and validate its answer as kind into out.
 * Returns 0, 1 when the register does not know what was asked (404), or -1
 * with e filled. */
static int ask(struct reg_client *c, enum reg_register r, const char *path, enum reg_answer kind,
	       const struct reg_question *q, void *out, struct arena *a, struct err *e)
{
	json_t *j;
	int rc = get_json(c, r, path, &j, e);
	if (rc != 0)
		return rc;
	rc = reg_answer_parse(kind, q, j, out, a, e);
	json_decref(j);
	return rc;
}

int reg_population_person(struct reg_client *c, const char *nin, struct reg_person *out, struct arena *a, struct err *e)
{
	char path[64];
	struct reg_question q = {.nin = nin};
	if (check_nin(nin, e) != 0)
		return -1;
	snprintf(path, sizeof(path), "/population/v1/persons/%s", nin);
	return ask(c, REG_POPULATION, path, REG_ANSWER_PERSON, &q, out, a, e);
}

int reg_population_list(struct reg_client *c, int64_t offset, int limit, struct reg_person_list *out, struct arena *a,
                        struct err *e)
{
	char path[96];
	struct reg_question q = {.limit = limit};
	if (offset < 0 || limit < 1 || limit > 1000)
		return err_set(e, ERR_INVALID, "limit", "offset must be >= 0 and limit from 1 to 1000");
	snprintf(path, sizeof(path), "/population/v1/persons?offset=%lld&limit=%d", (long long)offset, limit);
	memset(out, 0, sizeof(*out));
	return ask(c, REG_POPULATION, path, REG_ANSWER_PERSONS, &q, out, a, e);
}

int reg_tax_income(struct reg_client *c, const char *nin, int year, struct reg_income *out, struct err *e)
{
	char path[96];
	struct reg_question q = {.nin = nin, .year = year};
	if (check_nin(nin, e) != 0)
		return -1;
	snprintf(path, sizeof(path), "/tax/v1/persons/%s/income?year=%d", nin, year);
	return ask(c, REG_TAX, path, REG_ANSWER_INCOME, &q, out, NULL, e);
}

int reg_tax_account(struct reg_client *c, const char *nin, const char **account, struct arena *a, struct err *e)
{
	char path[64];
	struct reg_question q = {.nin = nin};
	if (check_nin(nin, e) != 0)
		return -1;
	snprintf(path, sizeof(path), "/tax/v1/persons/%s/account", nin);
	return ask(c, REG_TAX, path, REG_ANSWER_ACCOUNT, &q, (void *)account, a, e);
}

int reg_school_enrolments(struct reg_client *c, const char *nin, const char *school_year, struct reg_enrolments *out,
                          struct arena *a, struct err *e)
{
	char path[96];
	struct reg_question q = {.nin = nin};
	date_t first, last;
	if (check_nin(nin, e) != 0)
		return -1;
	if (date_school_year(school_year, &first, &last) != 0)
		return err_set(e, ERR_INVALID, "school_year", "must be a school year such as 2024-2025");
	snprintf(path, sizeof(path), "/schools/v1/persons/%s/enrolments?school_year=%s", nin, school_year);
	memset(out, 0, sizeof(*out));
	return ask(c, REG_SCHOOLS, path, REG_ANSWER_ENROLMENTS, &q, out, a, e);
}

int reg_school_credits(struct reg_client *c, const char *nin, struct reg_credits *out, struct arena *a, struct err *e)
{
	char path[64];
	struct reg_question q = {.nin = nin};
	if (check_nin(nin, e) != 0)
		return -1;
	snprintf(path, sizeof(path), "/schools/v1/persons/%s/credits", nin);
	memset(out, 0, sizeof(*out));
	return ask(c, REG_SCHOOLS, path, REG_ANSWER_CREDITS, &q, out, a, e);
}

int reg_welfare_benefits(struct reg_client *c, const char *nin, struct reg_benefits *out, struct arena *a,
                         struct err *e)
{
	char path[64];
	struct reg_question q = {.nin = nin};
	if (check_nin(nin, e) != 0)
		return -1;
	snprintf(path, sizeof(path), "/welfare/v1/persons/%s/benefits", nin);
	memset(out, 0, sizeof(*out));
	return ask(c, REG_WELFARE, path, REG_ANSWER_BENEFITS, &q, out, a, e);
}

/* ---- bulk lookups ----
 *
 * The numbers asked for are checked, sorted and made distinct, and sent
 * REG_BULK_MAX at a time as {"nins": [...], <params>}; the answer must
 * hold each number sent exactly once, in "results" or in "not_found", and
 * nothing else. Each result is then parsed by the single call's parser for
 * every place the number had in the caller's list. A request goes through
 * request_json() like a single call: the same tries, back-off and health. */

struct bulk_nin {
	const char *nin;
	int at; /* its place in the caller's list */
};

static int cmp_bulk_nin(const void *x, const void *y)
{
	const struct bulk_nin *a = x, *b = y;
	return strcmp(a->nin, b->nin);
}

/* Takes the answer about the number at place `at` of the caller's list:
 * answer is NULL when the register does not know it (404 for a single
 * call). Returns 0, or -1 with e filled. */
typedef int (*bulk_take_fn)(void *ctx, int at, json_t *answer, struct err *e);

/* The answer to one request must name each of the m numbers sent exactly
 * once. Returns 0 with *results, or -1. */
static int bulk_answer_ok(json_t *j, const char *reg, const struct bulk_nin *sent, int m, json_t **results,
			  struct err *e)
{
	json_t *nf = json_object_get(j, "not_found"), *seen, *v;
	size_t i;
	int rc = 0;
	*results = json_object_get(j, "results");
	if (!json_is_object(*results))
		return bad(e, reg, "results", "must be an object");
	if (!json_is_array(nf))
		return bad(e, reg, "not_found", "must be an array");
	if ((seen = json_object()) == NULL)
		return err_set(e, ERR_INTERNAL, reg, "out of memory");
	json_array_foreach(nf, i, v) {
		if (!json_is_string(v) || json_object_get(*results, json_string_value(v)) != NULL ||
		    json_object_get(seen, json_string_value(v)) != NULL) {
			rc = bad(e, reg, "not_found[]", "must be numbers asked for, each once and not among the results");
			break;
		}
		json_object_set(seen, json_string_value(v), json_true());
	}
	if (rc == 0 && json_object_size(*results) + json_object_size(seen) != (size_t)m)
		rc = bad(e, reg, "results", "must answer for exactly the numbers asked for");
	for (int k = 0; rc == 0 && k < m; k++)
		if (json_object_get(*results, sent[k].nin) == NULL && json_object_get(seen, sent[k].nin) == NULL)
			rc = bad(e, reg, "results", "must answer for exactly the numbers asked for");
	json_decref(seen);
	return rc;
}

/* Ask register r at path about the n numbers nins, with params (JSON
 * members to add to the body, "\"year\":2022", or NULL), and hand each
 * answer to take. Returns 0, or -1 with e filled: ERR_INVALID naming
 * "nins[i]" for a number that is not valid (nothing is sent), or as a
 * single call fails. */
static int bulk(struct reg_client *c, enum reg_register r, const char *path, const char *params,
		const char *const *nins, int n, bulk_take_fn take, void *ctx, struct err *e)
{
	const char *reg = register_names[r];
	struct bulk_nin *s;
	struct buf body;
	int rc = 0;
	if (n <= 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (nins[i] == NULL || nin_parse(nins[i], NULL, NULL) != 0) {
			char field[32];
			snprintf(field, sizeof(field), "nins[%d]", i);
			return err_set(e, ERR_INVALID, field, "not a valid national identity number");
		}
	if ((s = malloc(sizeof(*s) * (size_t)n)) == NULL)
		return err_set(e, ERR_INTERNAL, reg, "out of memory");
	for (int i = 0; i < n; i++)
		s[i] = (struct bulk_nin){nins[i], i};
	qsort(s, (size_t)n, sizeof(*s), cmp_bulk_nin);
	/* A number is 11 digits, 14 bytes written; the whole body fits. */
	buf_init(&body, (size_t)REG_BULK_MAX * 14 + 256);
	for (int from = 0; from < n && rc == 0;) {
		/* s[from..to) holds at most REG_BULK_MAX distinct numbers; sent[]
		 * is the first place of each, m of them. */
		struct bulk_nin sent[REG_BULK_MAX];
		int to = from, m = 0;
		json_t *j, *results;
		buf_reset(&body);
		buf_puts(&body, "{\"nins\":[");
		for (; to < n; to++) {
			if (to > from && strcmp(s[to].nin, s[to - 1].nin) == 0)
				continue; /* asked for already */
			if (m == REG_BULK_MAX)
				break;
			buf_puts(&body, m ? ",\"" : "\"");
			buf_puts(&body, s[to].nin);
			buf_putc(&body, '"');
			sent[m++] = s[to];
		}
		buf_putc(&body, ']');
		if (params) {
			buf_putc(&body, ',');
			buf_puts(&body, params);
		}
		if (buf_puts(&body, "}") != 0) {
			rc = err_set(e, ERR_INTERNAL, reg, "a bulk request's body is too large");
			break;
		}
		int got = request_json(c, r, path, body.p, body.len, &j, e);
		if (got != 0) {
			if (got == 1)
				rc = err_set(e, ERR_INVALID, reg, "the %s register offers no bulk lookup at %s", reg, path);
			else
				rc = -1;
			break;
		}
		rc = bulk_answer_ok(j, reg, sent, m, &results, e);
		for (int k = from; k < to && rc == 0; k++)
			rc = take(ctx, s[k].at, json_object_get(results, s[k].nin), e);
		json_decref(j);
		from = to;
	}
	buf_cleanup(&body);
	free(s);
	return rc;
}

struct take_ctx {
	const char *const *nins;
	void *out;
	int *found;
	int year;
	struct arena *a;
};

static int take_person(void *ctx, int at, json_t *j, struct err *e)
{
	struct take_ctx *t = ctx;
	struct reg_person *p = (struct reg_person *)t->out + at;
	t->found[at] = j != NULL;
	if (j == NULL) {
		memset(p, 0, sizeof(*p));
		return 0;
	}
	return parse_person_of(j, t->nins[at], p, t->a, e);
}

static int take_income(void *ctx, int at, json_t *j, struct err *e)
{
	struct take_ctx *t = ctx;
	struct reg_income *inc = (struct reg_income *)t->out + at;
	t->found[at] = j != NULL;
	if (j == NULL) {
		memset(inc, 0, sizeof(*inc));
		return 0;
	}
	return parse_income(j, t->nins[at], t->year, inc, e);
}

static int take_account(void *ctx, int at, json_t *j, struct err *e)
{
	struct take_ctx *t = ctx;
	const char **account = (const char **)t->out + at;
	t->found[at] = j != NULL;
	*account = NULL;
	return j == NULL ? 0 : parse_account(j, account, t->a, e);
}

static int take_enrolments(void *ctx, int at, json_t *j, struct err *e)
{
	struct take_ctx *t = ctx;
	struct reg_enrolments *en = (struct reg_enrolments *)t->out + at;
	t->found[at] = j != NULL;
	memset(en, 0, sizeof(*en));
	return j == NULL ? 0 : parse_enrolments(j, en, t->a, e);
}

static int take_credits(void *ctx, int at, json_t *j, struct err *e)
{
	struct take_ctx *t = ctx;
	struct reg_credits *cr = (struct reg_credits *)t->out + at;
	t->found[at] = j != NULL;
	memset(cr, 0, sizeof(*cr));
	return j == NULL ? 0 : parse_credits(j, cr, t->a, e);
}

static int take_benefits(void *ctx, int at, json_t *j, struct err *e)
{
	struct take_ctx *t = ctx;
	struct reg_benefits *b = (struct reg_benefits *)t->out + at;
	t->found[at] = j != NULL;
	memset(b, 0, sizeof(*b));
	return j == NULL ? 0 : parse_benefits(j, b, t->a, e);
}

int reg_population_person_many(struct reg_client *c, const char *const *nins, int n, struct reg_person *out,
			       int *found, struct arena *a, struct err *e)
{
	struct take_ctx t = {nins, out, found, 0, a};
	return bulk(c, REG_POPULATION, "/population/v1/bulk/persons", NULL, nins, n, take_person, &t, e);
}

int reg_tax_income_many(struct reg_client *c, const char *const *nins, int n, int year, struct reg_income *out,
			int *found, struct err *e)
{
	struct take_ctx t = {nins, out, found, year, NULL};
	char params[32];
	snprintf(params, sizeof(params), "\"year\":%d", year);
	return bulk(c, REG_TAX, "/tax/v1/bulk/income", params, nins, n, take_income, &t, e);
}

int reg_tax_account_many(struct reg_client *c, const char *const *nins, int n, const char **accounts, int *found,
			 struct arena *a, struct err *e)
{
	struct take_ctx t = {nins, (void *)accounts, found, 0, a};
	return bulk(c, REG_TAX, "/tax/v1/bulk/account", NULL, nins, n, take_account, &t, e);
}

int reg_school_enrolments_many(struct reg_client *c, const char *const *nins, int n, const char *school_year,
			       struct reg_enrolments *out, int *found, struct arena *a, struct err *e)
{
	struct take_ctx t = {nins, out, found, 0, a};
	char params[64];
	date_t first, last;
	if (date_school_year(school_year, &first, &last) != 0)
		return err_set(e, ERR_INVALID, "school_year", "must be a school year such as 2024-2025");
	snprintf(params, sizeof(params), "\"school_year\":\"%s\"", school_year);
	return bulk(c, REG_SCHOOLS, "/schools/v1/bulk/enrolments", params, nins, n, take_enrolments, &t, e);
}

int reg_school_credits_many(struct reg_client *c, const char *const *nins, int n, struct reg_credits *out, int *found,
			    struct arena *a, struct err *e)
{
	struct take_ctx t = {nins, out, found, 0, a};
	return bulk(c, REG_SCHOOLS, "/schools/v1/bulk/credits", NULL, nins, n, take_credits, &t, e);
}

int reg_welfare_benefits_many(struct reg_client *c, const char *const *nins, int n, struct reg_benefits *out,
			      int *found, struct arena *a, struct err *e)
{
	struct take_ctx t = {nins, out, found, 0, a};
	return bulk(c, REG_WELFARE, "/welfare/v1/bulk/benefits", NULL, nins, n, take_benefits, &t, e);
}

/* ---- changes the registers announce ---- */

int reg_events(struct reg_client *c, enum reg_register r, int64_t after, int limit, struct reg_events *out,
	       struct arena *a, struct err *e)
{
	const char *R = reg_register_name(r);
	char path[96];
	struct reg_question q = {.reg = r, .after = after, .limit = limit};
	if (after < 0 || limit < 1 || limit > 1000)
		return err_set(e, ERR_INVALID, "limit", "must be from 1 to 1000");
	snprintf(path, sizeof(path), "/%s/v1/events?after=%lld&limit=%d", R, (long long)after, limit);
	memset(out, 0, sizeof(*out));
	int rc = ask(c, r, path, REG_ANSWER_EVENTS, &q, out, a, e);
	return rc <= 0 ? rc : err_set(e, ERR_INVALID, R, "%s has no event feed", R);
}

/* ---- everything one application needs ---- */

static void stamp(struct reg_source *s, enum reg_register r)
{
	s->source = register_names[r];
	s->fetched_at = date_now_unix();
}

static int same_address(const struct reg_address *x, const struct reg_address *y)
{
	return strcmp(x->line, y->line) == 0 && strcmp(x->postcode, y->postcode) == 0;
}

/* Incomes are those of the last year the tax authority has assessed when
 * applications for the school year open: the year two years before the
 * school year's first calendar year (2022 for 2024-2025), as Lånekassen
 * uses for the parents' income. */
static int income_year_of(date_t first)
{
	int y, m, d;
	date_to_ymd(first, &y, &m, &d);
	return y - 2;
}

/* Registered at the parents' dwelling, yet at an address that no parent
 * whose address we may see has. */
static int address_conflict(const struct reg_facts *f)
{
	int known = 0, matches = 0;
	if (!f->person.lives_with_parents || f->person.address == NULL)
		return 0;
	for (int i = 0; i < f->n_parents; i++)
		if (f->parents[i].address) {
			known++;
			matches += same_address(f->parents[i].address, f->person.address);
		}
	return known > 0 && matches == 0;
}

int reg_gather(struct reg_client *c, const char *nin, const char *school_year, struct reg_facts *out, struct arena *a,
               struct err *e)
{
	date_t first, last;
	int rc;
	memset(out, 0, sizeof(*out));
	if (date_school_year(school_year, &first, &last) != 0)
		return err_set(e, ERR_INVALID, "school_year", "must be a school year such as 2024-2025");
	out->nin = arena_strdup(a, nin);
	if ((rc = reg_population_person(c, nin, &out->person, a, e)) != 0)
		return rc;
	stamp(&out->identity, REG_POPULATION);
	out->income_year = income_year_of(first);

	out->n_parents = out->person.n_parents;
	out->parents = arena_zalloc(a, sizeof(*out->parents) * (size_t)(out->n_parents + 1));
	for (int i = 0; i < out->n_parents; i++) {
		struct reg_parent_facts *pf = &out->parents[i];
		struct reg_person parent;
		pf->nin = out->person.parents[i];
		if ((rc = reg_population_person(c, pf->nin, &parent, a, e)) < 0)
			return -1;
		pf->found = rc == 0;
		pf->address = rc == 0 ? parent.address : NULL;
		if ((rc = reg_tax_income(c, pf->nin, out->income_year, &pf->income, e)) < 0)
			return -1;
		pf->income_found = rc == 0;
	}
	stamp(&out->parents_source, REG_TAX);
	out->address_conflict = address_conflict(out);

	if ((rc = reg_tax_income(c, nin, out->income_year, &out->own, e)) < 0)
		return -1;
	out->own_income_found = rc == 0;
	stamp(&out->income, REG_TAX);
	if ((rc = reg_tax_account(c, nin, &out->account, a, e)) < 0)
		return -1;
	if (rc == 1)
		out->account = NULL;
	stamp(&out->account_source, REG_TAX);

	/* A person the schools or the welfare agency do not know (404) has
	 * no enrolments, credits or benefits there. */
	if (reg_school_enrolments(c, nin, school_year, &out->enrolments, a, e) < 0 ||
	    reg_school_credits(c, nin, &out->credits, a, e) < 0)
		return -1;
	stamp(&out->schools, REG_SCHOOLS);
	if (reg_welfare_benefits(c, nin, &out->benefits, a, e) < 0)
		return -1;
	stamp(&out->welfare, REG_WELFARE);
	return 0;
}

/* reg_gather() for many persons with the bulk lookups, register by
 * register in the same order: the applicants' identities, their parents'
 * (all parents in one list), the incomes of applicants and parents (one
 * list: the year is the same), then accounts, enrolments, credits and
 * benefits of the applicants the population register knows. */
int reg_gather_many(struct reg_client *c, const char *const *nins, int n, const char *school_year,
		    struct reg_facts *out, int *found, struct arena *a, struct err *e)
{
	date_t first, last;
	if (date_school_year(school_year, &first, &last) != 0)
		return err_set(e, ERR_INVALID, "school_year", "must be a school year such as 2024-2025");
	if (n <= 0)
		return 0;
	size_t sz = (size_t)n;
	struct reg_person *persons = arena_zalloc(a, sizeof(*persons) * sz);
	int *pfound = arena_zalloc(a, sizeof(*pfound) * sz);
	if (reg_population_person_many(c, nins, n, persons, pfound, a, e) != 0)
		return -1;
	int income_year = income_year_of(first), m = 0, n_parents = 0;
	for (int i = 0; i < n; i++) {
		struct reg_facts *f = &out[i];
		memset(f, 0, sizeof(*f));
		f->nin = arena_strdup(a, nins[i]);
		found[i] = pfound[i];
		if (!found[i])
			continue;
		f->person = persons[i];
		stamp(&f->identity, REG_POPULATION);
		f->income_year = income_year;
		f->n_parents = f->person.n_parents;
		f->parents = arena_zalloc(a, sizeof(*f->parents) * (size_t)(f->n_parents + 1));
		for (int k = 0; k < f->n_parents; k++)
			f->parents[k].nin = f->person.parents[k];
		n_parents += f->n_parents;
		m++;
	}
	if (m == 0)
		return 0;

	/* The applicants the population register knows, then their parents:
	 * one list for the incomes, whose first m are the applicants'. */
	const char **who = arena_zalloc(a, sizeof(*who) * (size_t)(m + n_parents));
	int *of = arena_zalloc(a, sizeof(*of) * (size_t)m);
	struct reg_parent_facts **parent = arena_zalloc(a, sizeof(*parent) * (size_t)(n_parents + 1));
	int k = 0, np = 0;
	for (int i = 0; i < n; i++)
		if (found[i]) {
			of[k] = i;
			who[k++] = nins[i];
		}
	for (int i = 0; i < n; i++)
		for (int p = 0; found[i] && p < out[i].n_parents; p++) {
			parent[np] = &out[i].parents[p];
			who[m + np++] = out[i].parents[p].nin;
		}

	struct reg_person *pp = arena_zalloc(a, sizeof(*pp) * (size_t)(n_parents + 1));
	int *ok = arena_zalloc(a, sizeof(*ok) * (size_t)(m + n_parents));
	struct reg_income *inc = arena_zalloc(a, sizeof(*inc) * (size_t)(m + n_parents));
	if (reg_population_person_many(c, who + m, n_parents, pp, ok, a, e) != 0)
		return -1;
	for (int p = 0; p < n_parents; p++) {
		parent[p]->found = ok[p];
		parent[p]->address = ok[p] ? pp[p].address : NULL;
	}
	if (reg_tax_income_many(c, who, m + n_parents, income_year, inc, ok, e) != 0)
		return -1;
	for (int p = 0; p < n_parents; p++) {
		parent[p]->income_found = ok[m + p];
		if (ok[m + p])
			parent[p]->income = inc[m + p];
	}
	for (k = 0; k < m; k++) {
		struct reg_facts *f = &out[of[k]];
		stamp(&f->parents_source, REG_TAX);
		f->address_conflict = address_conflict(f);
		f->own_income_found = ok[k];
		if (ok[k])
			f->own = inc[k];
		stamp(&f->income, REG_TAX);
	}

	const char **accounts = arena_zalloc(a, sizeof(*accounts) * (size_t)m);
	if (reg_tax_account_many(c, who, m, accounts, ok, a, e) != 0)
		return -1;
	for (k = 0; k < m; k++) {
		out[of[k]].account = accounts[k];
		stamp(&out[of[k]].account_source, REG_TAX);
	}

	struct reg_enrolments *ens = arena_zalloc(a, sizeof(*ens) * (size_t)m);
	struct reg_credits *crs = arena_zalloc(a, sizeof(*crs) * (size_t)m);
	if (reg_school_enrolments_many(c, who, m, school_year, ens, ok, a, e) != 0 ||
	    reg_school_credits_many(c, who, m, crs, ok, a, e) != 0)
		return -1;
	for (k = 0; k < m; k++) {
		out[of[k]].enrolments = ens[k];
		out[of[k]].credits = crs[k];
		stamp(&out[of[k]].schools, REG_SCHOOLS);
	}

	struct reg_benefits *bes = arena_zalloc(a, sizeof(*bes) * (size_t)m);
	if (reg_welfare_benefits_many(c, who, m, bes, ok, a, e) != 0)
		return -1;
	for (k = 0; k < m; k++) {
		out[of[k]].benefits = bes[k];
		stamp(&out[of[k]].welfare, REG_WELFARE);
	}
	return 0;
}

/* ---- the schools register's institutions (#13) ---- */

int reg_orgnr_valid(const char *s)
{
	static const int w[8] = {3, 2, 7, 6, 5, 4, 3, 2};
	int sum = 0;
	if (s == NULL || strlen(s) != 9 || strspn(s, "0123456789") != 9)
		return 0;
	for (int i = 0; i < 8; i++)
		sum += (s[i] - '0') * w[i];
	int check = 11 - sum % 11;
	if (check == 11)
		check = 0;
	return check != 10 && check == s[8] - '0';
}

int reg_school_institutions(struct reg_client *c, struct reg_institutions *out, struct arena *a, struct err *e)
{
	static const char *R = "schools";
	json_t *j;
	memset(out, 0, sizeof(*out));
	int rc = get_json(c, REG_SCHOOLS, "/schools/v1/institutions", &j, e);
	if (rc != 0)
		return rc;
	json_t *list = json_object_get(j, "institutions");
	rc = -1;
	if (!json_is_array(list) || json_array_size(list) > 100000) {
		bad(e, R, "institutions", "must be an array");
		goto out;
	}
	out->items = arena_zalloc(a, sizeof(*out->items) * (json_array_size(list) + 1));
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) {
		struct reg_institution *in = &out->items[i];
		const char *level;
		if (!json_is_object(o)) {
			bad(e, R, "institutions[]", "must be an object");
			goto out;
		}
		if (want_string(o, "name", R, "institutions[].name", 1, &in->name, a, e) ||
		    want_string(o, "orgnr", R, "institutions[].orgnr", 1, &in->orgnr, a, e) ||
		    want_string(o, "level", R, "institutions[].level", 1, &level, a, e) ||
		    want_string(o, "city", R, "institutions[].city", 0, &in->city, a, e))
			goto out;
		if (in->city == NULL)
			in->city = "";
		if (!reg_orgnr_valid(in->orgnr)) {
			bad(e, R, "institutions[].orgnr", "must be 9 digits with a valid check digit");
			goto out;
		}
		if (strcmp(level, "upper-secondary") == 0)
			in->level = REG_UPPER_SECONDARY;
		else if (strcmp(level, "higher") == 0)
			in->level = REG_HIGHER;
		else {
			bad(e, R, "institutions[].level", "must be upper-secondary or higher");
			goto out;
		}
		out->n++;
	}
	rc = 0;
out:
	json_decref(j);
	return rc;
}
