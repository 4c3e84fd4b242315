/* registers.c - the register simulator: four registers over HTTP and JSON,
 * answering from the synthetic population, with failure injection.
 *
 * A small libmicrohttpd server of its own (thread pool on epoll). Every
 * answer is computed from (seed, size) on the spot, so it holds no state but
 * the failure modes. As in web/server.c, libmicrohttpd calls the access
 * handler at least twice per request: the first call only sets up the
 * request's state, the response is queued on a later call, never the first
 * (queuing on the first closes keep-alive connections). A "slow" register
 * suspends the connection and a timer thread resumes it when its delay has
 * passed, so a slow answer never holds up an event loop. The simulator logs
 * no personal data. */
#include "sim/registers.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/nin.h"
#include "sim/accounts.h"
#include "sim/bank.h"
#include "sim/changes.h"
#include "sim/oidc.h" /* the test OpenID provider (tracker #13, real login) */
#include "sim/signing.h"
#include "sim/sms.h"
#include "sim/giro.h"
#include "sim/synth.h"

/* The registers, in the order /_control lists them. */
enum reg { REG_POPULATION, REG_TAX, REG_SCHOOLS, REG_WELFARE, REG_N };

static const char *reg_names[REG_N] = {"population", "tax", "schools", "welfare"};

enum mode { MODE_OK, MODE_ERROR, MODE_SLOW, MODE_MALFORMED, MODE_DOWN, MODE_N };

static const char *mode_names[MODE_N] = {"ok", "error", "slow", "malformed", "down"};

#define MAX_BODY 4096         /* a /_control request */
#define MAX_ANSWER (16 << 20) /* 1 000 persons take about half a megabyte */
#define MAX_DELAY_MS 600000

/* One request between libmicrohttpd's calls. */
struct call {
	int delayed; /* suspended by a slow register; answer when called again */
	struct buf body;
	struct MHD_Connection *c;
	int64_t due_ms;
	struct call *next; /* in the timer's list */
};

static struct {
	struct MHD_Daemon *d;
	int64_t persons;
	uint64_t seed;
	atomic_int mode[REG_N], delay_ms[REG_N];
	pthread_mutex_t mu; /* the timer's list and stopping */
	pthread_cond_t cv;
	struct call *delayed;
	int stopping;
	pthread_t timer;
	int running;
} sim = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the timer that resumes slow answers ---- */

static void *timer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sim.mu);
	for (;;) {
		int64_t now = now_ms(), next = -1;
		for (struct call **p = &sim.delayed; *p;) {
			struct call *c = *p;
			if (sim.stopping || c->due_ms <= now) {
				*p = c->next;
				MHD_resume_connection(c->c);
			} else {
				if (next < 0 || c->due_ms < next)
					next = c->due_ms;
				p = &c->next;
			}
		}
		if (sim.stopping)
			break;
		if (next < 0) {
			pthread_cond_wait(&sim.cv, &sim.mu);
		} else {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			int64_t wait = next - now_ms();
			if (wait > 0) {
				ts.tv_sec += wait / 1000;
				ts.tv_nsec += (wait % 1000) * 1000000;
				if (ts.tv_nsec >= 1000000000) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000;
				}
				pthread_cond_timedwait(&sim.cv, &sim.mu, &ts);
			}
		}
	}
	pthread_mutex_unlock(&sim.mu);
	return NULL;
}

/* Suspend the call's connection for delay_ms. Returns 0, or -1 when the
 * simulator is stopping (then answer at once). */
static int delay(struct call *c, struct MHD_Connection *conn, int delay_ms)
{
	pthread_mutex_lock(&sim.mu);
	if (sim.stopping) {
		pthread_mutex_unlock(&sim.mu);
		return -1;
	}
	c->c = conn;
	c->due_ms = now_ms() + delay_ms;
	c->delayed = 1;
	MHD_suspend_connection(conn);
	c->next = sim.delayed;
	sim.delayed = c;
	pthread_cond_signal(&sim.cv);
	pthread_mutex_unlock(&sim.mu);
	return 0;
}

/* ---- answers ---- */

struct answer {
	int status;
	struct buf b;
	int failed; /* an append passed MAX_ANSWER */
	const char *ctype; /* NULL: application/json (the bank answers XML) */
};

static void put(struct answer *w, const char *s)
{
	w->failed |= buf_puts(&w->b, s);
}

static void putf(struct answer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct answer *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	w->failed |= buf_vprintf(&w->b, fmt, ap);
	va_end(ap);
}

static void put_str(struct answer *w, const char *s)
{
	w->failed |= buf_put_json_string(&w->b, s);
}

static void put_date(struct answer *w, date_t d)
{
	char day[11];
	putf(w, "\"%s\"", date_format(d, day));
}

/* Tenths as a JSON number: 123 -> 12.3. */
static void put_tenths(struct answer *w, int tenths)
{
	putf(w, "%d.%d", tenths / 10, tenths % 10);
}

static void error_answer(struct answer *w, int status, const char *code, const char *field)
{
	w->status = status;
	buf_reset(&w->b);
	put(w, "{\"error\":");
	put_str(w, code);
	if (field) {
		put(w, ",\"field\":");
		put_str(w, field);
	}
	put(w, "}\n");
}

static int in_population(int64_t index)
{
	return index < sim.persons;
}

static void person_json(struct answer *w, const struct synth_person *p, int may_see_confidential)
{
	put(w, "{\"nin\":");
	put_str(w, p->nin);
	put(w, ",\"given_name\":");
	put_str(w, p->given_name);
	put(w, ",\"family_name\":");
	put_str(w, p->family_name);
	put(w, ",\"birth_date\":");
	put_date(w, p->birth_date);
	put(w, ",\"address\":");
	if (p->confidential_address && !may_see_confidential) {
		put(w, "null");
	} else {
		put(w, "{\"line\":");
		put_str(w, p->address_line);
		put(w, ",\"postcode\":");
		put_str(w, p->place->postcode);
		put(w, ",\"city\":");
		put_str(w, p->place->city);
		put(w, "}");
	}
	putf(w, ",\"confidential_address\":%s,\"lives_with_parents\":%s,\"parents\":[",
	     p->confidential_address ? "true" : "false", p->lives_with_parents ? "true" : "false");
	int n = 0;
	for (int i = 0; i < p->n_parents; i++)
		if (in_population(p->parents[i].index)) {
			put(w, n++ ? "," : "");
			put_str(w, p->parents[i].nin);
		}
	put(w, "],\"children\":[");
	n = 0;
	for (int i = 0; i < p->n_children; i++)
		if (in_population(p->children[i].index)) {
			put(w, n++ ? ",{\"nin\":" : "{\"nin\":");
			put_str(w, p->children[i].nin);
			put(w, ",\"birth_date\":");
			put_date(w, p->children[i].birth_date);
			put(w, "}");
		}
	putf(w, "],\"married\":%s", p->married ? "true" : "false");
	/* The loan account (#11): a death recorded by a correction. */
	date_t died;
	if (simchg_death(p->index, &died)) {
		put(w, ",\"date_of_death\":");
		put_date(w, died);
	}
	put(w, "}");
}

/* The scope header may list several scopes, separated by spaces or commas. */
static int has_scope(struct MHD_Connection *c, const char *scope)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Scope");
	size_t n = strlen(scope);
	while (v && *v) {
		while (*v == ' ' || *v == ',')
			v++;
		size_t len = strcspn(v, " ,");
		if (len == n && strncmp(v, scope, n) == 0)
			return 1;
		v += len;
	}
	return 0;
}

/* A query parameter as a whole number in [lo, hi]; def when absent.
 * Returns 0, or -1 when present but not such a number. */
static int query_int(struct MHD_Connection *c, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	char *end;
	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (*v < '0' || *v > '9')
		return -1;
	long long n = strtoll(v, &end, 10);
	if (*end || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static void population_list(struct answer *w, struct MHD_Connection *c)
{
	int64_t offset, limit;
	if (query_int(c, "offset", 0, INT64_MAX / 2, 0, &offset) != 0) {
		error_answer(w, 400, "invalid", "offset");
		return;
	}
	if (query_int(c, "limit", 1, 1000, 100, &limit) != 0) {
		error_answer(w, 400, "invalid", "limit");
		return;
	}
	int scope = has_scope(c, "confidential-address");
	put(w, "{\"persons\":[");
	for (int64_t i = offset; i < offset + limit && i < sim.persons; i++) {
		struct synth_person p;
		synth_person(sim.seed, i, &p);
		if (i > offset)
			put(w, ",");
		person_json(w, &p, scope);
	}
	putf(w, "],\"total\":%lld}\n", (long long)sim.persons);
	w->status = 200;
}

/* A person's income and wealth as assessed for year, corrections laid
 * over: 0 with the answer written, 1 when the year is not assessed. */
static int income_json(struct answer *w, const struct synth_person *p, int year)
{
	int64_t inc, wealth;
	if (synth_income(p, year, &inc, &wealth) != 0)
		return 1;
	simchg_income(p->index, year, &inc);
	put(w, "{\"nin\":");
	put_str(w, p->nin);
	putf(w, ",\"year\":%d,\"income\":%lld,\"wealth\":%lld}\n", year, (long long)inc, (long long)wealth);
	return 0;
}

static void income(struct answer *w, struct MHD_Connection *c, const struct synth_person *p)
{
	int64_t year;
	if (MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "year") == NULL ||
	    query_int(c, "year", 1800, 2999, 0, &year) != 0) {
		error_answer(w, 400, "invalid", "year");
		return;
	}
	if (income_json(w, p, (int)year) != 0) {
		error_answer(w, 404, "not-found", NULL);
		return;
	}
	w->status = 200;
}

static const char *level_name(enum synth_level l)
{
	return l == SYNTH_UPPER_SECONDARY ? "upper-secondary" : "higher";
}

/* The enrolments of a valid school year. */
static void enrolments_json(struct answer *w, const struct synth_person *p, const char *year)
{
	put(w, "{\"enrolments\":[");
	if (p->level != SYNTH_NOT_ENROLLED && strcmp(year, SYNTH_SCHOOL_YEAR) == 0) {
		put(w, "{\"institution\":");
		put_str(w, p->institution->name);
		put(w, ",\"orgnr\":");
		put_str(w, p->institution->orgnr);
		put(w, ",\"programme\":");
		put_str(w, p->programme);
		putf(w, ",\"level\":\"%s\",\"equipment_rate\":%d,\"load_percent\":%d,\"start\":", level_name(p->level),
		     p->equipment_rate, p->load_percent);
		put_date(w, p->start);
		put(w, ",\"end\":");
		put_date(w, p->end);
		put(w, ",\"admitted\":true,\"travel\":{\"distance_km\":");
		put_tenths(w, p->distance_dm);
		putf(w, ",\"daily_travel_minutes\":%d,\"walking_km\":", p->daily_travel_minutes);
		put_tenths(w, p->walking_dm);
		put(w, "}}");
	}
	put(w, "]}\n");
}

static void enrolments(struct answer *w, struct MHD_Connection *c, const struct synth_person *p)
{
	const char *year = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "school_year");
	date_t first, last;
	if (year == NULL || date_school_year(year, &first, &last) != 0) {
		error_answer(w, 400, "invalid", "school_year");
		return;
	}
	enrolments_json(w, p, year);
	w->status = 200;
}

static void credits(struct answer *w, const struct synth_person *p)
{
	put(w, "{\"credits\":[");
	for (int i = 0; i < p->n_semesters; i++) {
		const struct synth_semester *s = &p->semesters[i];
		putf(w, "%s{\"semester\":\"%d-%s\",\"credits\":%d%s}", i ? "," : "", s->year,
		     s->autumn ? "autumn" : "spring", s->half_credits / 2, s->half_credits % 2 ? ".5" : "");
	}
	put(w, "]}\n");
	w->status = 200;
}

static void benefits(struct answer *w, const struct synth_person *p)
{
	put(w, "{\"benefits\":[");
	for (int i = 0; i < p->n_benefits; i++) {
		const struct synth_benefit *b = &p->benefits[i];
		putf(w, "%s{\"kind\":\"%s\",\"from\":", i ? "," : "",
		     b->kind == SYNTH_UNEMPLOYMENT ? "unemployment" : "work-assessment-allowance");
		put_date(w, b->from);
		put(w, ",\"to\":");
		put_date(w, b->to);
		put(w, "}");
	}
	put(w, "]}\n");
	w->status = 200;
}

/* The account payments go to: 0 written, 1 when the person has none. */
static int account_json(struct answer *w, const struct synth_person *p)
{
	if (p->account[0] == '\0')
		return 1;
	put(w, "{\"account\":");
	put_str(w, p->account);
	put(w, "}\n");
	return 0;
}

static void institutions(struct answer *w)
{
	int n;
	const struct synth_institution *in = synth_institutions(&n);
	put(w, "{\"institutions\":[");
	for (int i = 0; i < n; i++) {
		int np;
		const struct synth_place *pl = &synth_places(&np)[in[i].place];
		put(w, i ? ",{\"name\":" : "{\"name\":");
		put_str(w, in[i].name);
		put(w, ",\"orgnr\":");
		put_str(w, in[i].orgnr);
		putf(w, ",\"level\":\"%s\",\"city\":", level_name(in[i].level));
		put_str(w, pl->city);
		putf(w, ",\"x_km\":%d,\"y_km\":%d}", pl->x_km, pl->y_km);
	}
	put(w, "]}\n");
	w->status = 200;
}

/* "/{nin}" or "/{nin}/rest": the person, and the rest ("" when none).
 * Returns 0 found, 1 not found (answered), -1 bad number (answered). */
static int person_path(struct answer *w, const char *s, struct synth_person *p, const char **rest)
{
	char nin[12];
	if (s[0] != '/' || strlen(s) < 12 || (s[12] != '\0' && s[12] != '/')) {
		error_answer(w, 404, "not-found", NULL);
		return 1;
	}
	memcpy(nin, s + 1, 11);
	nin[11] = '\0';
	*rest = s + 12;
	if (nin_parse(nin, NULL, NULL) != 0) {
		error_answer(w, 400, "invalid", "nin");
		return -1;
	}
	if (synth_find(sim.seed, sim.persons, nin, p) != 0) {
		error_answer(w, 404, "not-found", NULL);
		return 1;
	}
	return 0;
}

static const char *after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* The register a path belongs to, or -1. */
static int register_of(const char *url)
{
	static const char *prefixes[REG_N] = {"/population/", "/tax/", "/schools/", "/welfare/"};
	for (int r = 0; r < REG_N; r++)
		if (after(url, prefixes[r]))
			return r;
	return -1;
}

/* GET /{register}/v1/events?after=N&limit=M: the register's changes. */
static void events(struct answer *w, struct MHD_Connection *c, const char *reg)
{
	int64_t after, limit;
	if (query_int(c, "after", 0, INT64_MAX / 2, 0, &after) != 0) {
		error_answer(w, 400, "invalid", "after");
		return;
	}
	if (query_int(c, "limit", 1, 1000, 100, &limit) != 0) {
		error_answer(w, 400, "invalid", "limit");
		return;
	}
	if (simchg_events(&w->b, reg, after, (int)limit) != 0)
		w->failed = 1;
	w->status = 200;
}

static void route_register(struct answer *w, struct MHD_Connection *c, const char *url)
{
	struct synth_person p;
	const char *s, *rest;
	for (int r = 0; r < REG_N; r++) {
		char path[32];
		snprintf(path, sizeof(path), "/%s/v1/events", reg_names[r]);
		if (strcmp(url, path) == 0) {
			events(w, c, reg_names[r]);
			return;
		}
	}
	if (strcmp(url, "/population/v1/persons") == 0) {
		population_list(w, c);
		return;
	}
	if (strcmp(url, "/schools/v1/institutions") == 0) {
		institutions(w);
		return;
	}
	/* Payouts (#10): the schools register's confirmation feed. */
	if (strcmp(url, "/schools/v1/confirmations") == 0) {
		int64_t after, limit;
		if (query_int(c, "after", 0, INT64_MAX / 2, 0, &after) != 0 ||
		    query_int(c, "limit", 1, 1000, 100, &limit) != 0) {
			error_answer(w, 400, "invalid", "after");
			return;
		}
		if (simconf_events(&w->b, after, (int)limit) != 0)
			w->failed = 1;
		w->status = 200;
		return;
	}
	if ((s = after(url, "/population/v1/persons")) != NULL) {
		if (person_path(w, s, &p, &rest) == 0) {
			if (*rest) {
				error_answer(w, 404, "not-found", NULL);
				return;
			}
			person_json(w, &p, has_scope(c, "confidential-address"));
			put(w, "\n");
			w->status = 200;
		}
		return;
	}
	const char *reg = (s = after(url, "/tax/v1/persons"))       ? "tax"
	                  : (s = after(url, "/schools/v1/persons")) ? "schools"
	                  : (s = after(url, "/welfare/v1/persons")) ? "welfare"
	                                                            : NULL;
	if (reg == NULL || person_path(w, s, &p, &rest) != 0) {
		if (reg == NULL)
			error_answer(w, 404, "not-found", NULL);
		return;
	}
	simchg_apply(&p);
	if (strcmp(reg, "tax") == 0 && strcmp(rest, "/income") == 0) {
		income(w, c, &p);
	} else if (strcmp(reg, "tax") == 0 && strcmp(rest, "/account") == 0) {
		if (account_json(w, &p) != 0) {
			error_answer(w, 404, "not-found", NULL);
			return;
		}
		w->status = 200;
	} else if (strcmp(reg, "tax") == 0 && strncmp(rest, "/accounts/", 10) == 0) {
		/* Payouts (#10): is this account the person's own? */
		if (!simacc_owned(p.nin, p.account, rest + 10)) {
			error_answer(w, 404, "not-found", NULL);
			return;
		}
		put(w, "{\"account\":");
		put_str(w, rest + 10);
		putf(w, ",\"owner\":true,\"state\":\"%s\"}\n", simacc_state(rest + 10, sim.persons, sim.seed)
									 ? simacc_state(rest + 10, sim.persons, sim.seed)
									 : "open");
		w->status = 200;
	} else if (strcmp(reg, "schools") == 0 && strcmp(rest, "/enrolments") == 0) {
		enrolments(w, c, &p);
	} else if (strcmp(reg, "schools") == 0 && strcmp(rest, "/credits") == 0) {
		credits(w, &p);
	} else if (strcmp(reg, "welfare") == 0 && strcmp(rest, "/benefits") == 0) {
		benefits(w, &p);
	} else {
		error_answer(w, 404, "not-found", NULL);
	}
}

/* ---- bulk lookups ----
 *
 * POST /{register}/v1/bulk/{what} with {"nins": [...]} (at most BULK_MAX
 * distinct valid numbers) and the parameter the single route takes ("year"
 * for incomes, "school_year" for enrolments) answers, for mass consumers
 * as the real registers' bulk extracts do,
 *   {"results": {"<nin>": <the single route's answer>, ...},
 *    "not_found": ["<nin>", ...]}
 * where each number asked for is in exactly one of the two: "not_found"
 * holds those the single route answers 404 (unknown, a year not assessed,
 * no account). The confidential-address scope and the corrections apply
 * exactly as to the single routes; so do the failure modes, by the
 * register's path. A number that is not valid, a duplicate, or a bad
 * parameter answers 400 naming it ("nins[3]", "year"). */

#define BULK_MAX 1000
#define MAX_BULK_BODY 32768 /* 1 000 numbers of 14 bytes written, spacing and a parameter */

enum bulk_what { BULK_PERSONS, BULK_INCOME, BULK_ACCOUNT, BULK_ENROLMENTS, BULK_CREDITS, BULK_BENEFITS, BULK_N };

static const char *bulk_paths[BULK_N] = {"/population/v1/bulk/persons", "/tax/v1/bulk/income",
					  "/tax/v1/bulk/account",        "/schools/v1/bulk/enrolments",
					  "/schools/v1/bulk/credits",    "/welfare/v1/bulk/benefits"};

/* The bulk route of a path, or -1. */
static int bulk_of(const char *url)
{
	for (int i = 0; i < BULK_N; i++)
		if (strcmp(url, bulk_paths[i]) == 0)
			return i;
	return -1;
}

struct bulk_nin {
	const char *nin;
	int at; /* its place in the request */
};

static int cmp_bulk_nin(const void *x, const void *y)
{
	const struct bulk_nin *a = x, *b = y;
	int c = strcmp(a->nin, b->nin);
	return c ? c : (a->at > b->at) - (a->at < b->at);
}

static void bulk_invalid_at(struct answer *w, int at)
{
	char field[32];
	snprintf(field, sizeof(field), "nins[%d]", at);
	error_answer(w, 400, "invalid", field);
}

static void route_bulk(struct answer *w, struct MHD_Connection *c, enum bulk_what what, const struct buf *body)
{
	json_t *j = json_loadb(body->p ? body->p : "", body->len, JSON_REJECT_DUPLICATES, NULL), *list, *v;
	const char *key, *school_year = NULL;
	struct bulk_nin *nins = NULL;
	int64_t year = 0;
	int n = 0, listed = 0, *not_found = NULL, n_not_found = 0;
	date_t first, last;

	if (!json_is_object(j)) {
		error_answer(w, 400, "invalid", "body");
		goto out;
	}
	json_object_foreach(j, key, v) {
		if (strcmp(key, "nins") != 0 && !(what == BULK_INCOME && strcmp(key, "year") == 0) &&
		    !(what == BULK_ENROLMENTS && strcmp(key, "school_year") == 0)) {
			error_answer(w, 400, "invalid", key);
			goto out;
		}
	}
	list = json_object_get(j, "nins");
	if (!json_is_array(list) || json_array_size(list) > BULK_MAX) {
		error_answer(w, 400, "invalid", "nins");
		goto out;
	}
	if (what == BULK_INCOME) {
		v = json_object_get(j, "year");
		if (!json_is_integer(v) || json_integer_value(v) < 1800 || json_integer_value(v) > 2999) {
			error_answer(w, 400, "invalid", "year");
			goto out;
		}
		year = json_integer_value(v);
	}
	if (what == BULK_ENROLMENTS) {
		school_year = json_string_value(json_object_get(j, "school_year"));
		if (school_year == NULL || date_school_year(school_year, &first, &last) != 0) {
			error_answer(w, 400, "invalid", "school_year");
			goto out;
		}
	}
	n = (int)json_array_size(list);
	if (n > 0 && ((nins = calloc((size_t)n, sizeof(*nins))) == NULL ||
		      (not_found = calloc((size_t)n, sizeof(*not_found))) == NULL)) {
		w->failed = 1;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		v = json_array_get(list, (size_t)i);
		if (!json_is_string(v) || json_string_length(v) != 11 || nin_parse(json_string_value(v), NULL, NULL) != 0) {
			bulk_invalid_at(w, i);
			goto out;
		}
		nins[i] = (struct bulk_nin){json_string_value(v), i};
	}
	/* Each number once: the answer is keyed by number. */
	if (n > 1)
		qsort(nins, (size_t)n, sizeof(*nins), cmp_bulk_nin);
	for (int i = 1; i < n; i++)
		if (strcmp(nins[i].nin, nins[i - 1].nin) == 0) {
			bulk_invalid_at(w, nins[i].at);
			goto out;
		}

	int scope = what == BULK_PERSONS && has_scope(c, "confidential-address");
	put(w, "{\"results\":{");
	for (int i = 0; i < n; i++) {
		struct synth_person p;
		size_t mark = w->b.len;
		int absent = synth_find(sim.seed, sim.persons, nins[i].nin, &p) != 0;
		if (!absent) {
			put(w, listed ? "," : "");
			put_str(w, p.nin);
			put(w, ":");
			if (what != BULK_PERSONS)
				simchg_apply(&p);
			switch (what) {
			case BULK_PERSONS: person_json(w, &p, scope); break;
			case BULK_INCOME: absent = income_json(w, &p, (int)year); break;
			case BULK_ACCOUNT: absent = account_json(w, &p); break;
			case BULK_ENROLMENTS: enrolments_json(w, &p, school_year); break;
			case BULK_CREDITS: credits(w, &p); break;
			case BULK_BENEFITS: benefits(w, &p); break;
			case BULK_N: break;
			}
		}
		if (absent) {
			w->b.len = mark; /* the key written for it, if any */
			not_found[n_not_found++] = i;
		} else {
			if (w->b.p[w->b.len - 1] == '\n') /* the single route's line end */
				w->b.len--;
			listed++;
		}
		if (w->b.p)
			w->b.p[w->b.len] = '\0';
	}
	put(w, "},\"not_found\":[");
	for (int i = 0; i < n_not_found; i++) {
		put(w, i ? "," : "");
		put_str(w, nins[not_found[i]].nin);
	}
	put(w, "]}\n");
	w->status = 200;
out:
	free(nins);
	free(not_found);
	json_decref(j);
}

static void control_state(struct answer *w)
{
	put(w, "{");
	for (int r = 0; r < REG_N; r++)
		putf(w, "%s\"%s\":{\"mode\":\"%s\",\"delay_ms\":%d}", r ? "," : "",
		     reg_names[r], mode_names[atomic_load(&sim.mode[r])],
		     atomic_load(&sim.delay_ms[r]));
	put(w, "}\n");
	w->status = 200;
}

int sim_control(const char *reg, const char *mode, int delay_ms, struct err *e)
{
	int r = -1, m = -1;
	if (reg && strcmp(reg, "sms") == 0)
		return sms_gateway_set_mode(mode, e);
	for (int i = 0; i < REG_N; i++)
		if (reg && strcmp(reg, reg_names[i]) == 0)
			r = i;
	if (r < 0 && !(reg && strcmp(reg, "all") == 0))
		return err_set(e, ERR_INVALID, "register", "must be population, tax, schools, welfare or all");
	for (int i = 0; i < MODE_N; i++)
		if (mode && strcmp(mode, mode_names[i]) == 0)
			m = i;
	if (m < 0)
		return err_set(e, ERR_INVALID, "mode", "must be ok, error, slow, malformed or down");
	if (delay_ms < 0 || delay_ms > MAX_DELAY_MS)
		return err_set(e, ERR_INVALID, "delay_ms", "must be a whole number from 0 to %d", MAX_DELAY_MS);
	for (int i = 0; i < REG_N; i++)
		if (r < 0 || i == r) {
			atomic_store(&sim.delay_ms[i], delay_ms);
			atomic_store(&sim.mode[i], m);
		}
	return 0;
}

static void control_post(struct answer *w, const struct buf *body)
{
	json_error_t je;
	struct err e;
	json_t *j = json_loadb(body->p ? body->p : "", body->len, JSON_REJECT_DUPLICATES, &je);
	json_t *delay_j = json_object_get(j, "delay_ms");
	const char *reg = json_string_value(json_object_get(j, "register"));
	const char *mode = json_string_value(json_object_get(j, "mode"));
	int rc;
	if (!json_is_object(j)) {
		rc = err_set(&e, ERR_INVALID, "body", "must be a JSON object");
	} else if (delay_j && (!json_is_integer(delay_j) || json_integer_value(delay_j) < 0 ||
	                       json_integer_value(delay_j) > MAX_DELAY_MS)) {
		rc = err_set(&e, ERR_INVALID, "delay_ms", "must be a whole number from 0 to %d", MAX_DELAY_MS);
	} else {
		rc = sim_control(reg, mode, delay_j ? (int)json_integer_value(delay_j) : 0, &e);
	}
	if (rc == 0)
		log_info("registers: %s set to %s", reg, mode);
	json_decref(j);
	if (rc != 0)
		error_answer(w, 400, "invalid", e.field);
	else
		control_state(w);
}

/* POST /_control/corrections: a register corrects a fact about a person
 * (see sim/changes.h); the answer names the event's sequence number. */
static void correction_post(struct answer *w, const struct buf *body)
{
	struct err e;
	int64_t seq = simchg_post(body->p, body->len, sim.persons, sim.seed, (int64_t)time(NULL), &e);
	if (seq < 0) {
		error_answer(w, e.code == ERR_NOT_FOUND ? 404 : e.code == ERR_CONFLICT ? 409 : 400,
			     e.code == ERR_NOT_FOUND ? "not-found" : "invalid", e.field);
		return;
	}
	log_info("registers: correction %lld taken", (long long)seq);
	putf(w, "{\"sequence\":%lld}\n", (long long)seq);
	w->status = 201;
}

static enum MHD_Result send_answer(struct MHD_Connection *c, struct answer *w)
{
	if (w->failed)
		error_answer(w, 500, "internal", NULL);
	size_t len = w->b.len;
	char *p = buf_take(&w->b);
	struct MHD_Response *r = p ? MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE)
	                           : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		free(p);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, w->ctype ? w->ctype : "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)w->status, r);
	MHD_destroy_response(r);
	return rc;
}

/* ---- the test signing service (sim/signing.c) ---- */

static const char *query_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result signing_route(struct MHD_Connection *c, const char *url, const char *method, struct call *call)
{
	struct signing_answer sa = {0};
	buf_init(&sa.body, MAX_ANSWER);
	signing_service_answer(method, url, query_arg, c, call->body.len ? call->body.p : "", call->body.len, &sa);
	size_t len = sa.body.len;
	char *p = buf_take(&sa.body);
	struct MHD_Response *r = p ? MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE)
	                           : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		free(p);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, sa.content_type ? sa.content_type : "text/plain");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (sa.location[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, sa.location);
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)sa.status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
	(void)cls;
	(void)version;
	struct call *call = *con_cls;
	if (call == NULL) {
		call = calloc(1, sizeof(*call));
		if (call == NULL)
			return MHD_NO;
		buf_init(&call->body, signing_service_handles(url) ? SIGNING_MAX_BODY /* the signing service (sim/signing.c) */
				     : bulk_of(url) >= 0 ? MAX_BULK_BODY : bank_handles(url) ? BANK_MAX_BODY : MAX_BODY);
		*con_cls = call;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		int too_large = buf_append(&call->body, upload_data, *upload_data_size) != 0;
		*upload_data_size = 0;
		return too_large ? MHD_NO : MHD_YES;
	}

	struct answer w = {0};
	buf_init(&w.b, MAX_ANSWER);
	int reg = register_of(url), get = strcmp(method, "GET") == 0;
	enum MHD_Result rc;
	if (reg >= 0 && !call->delayed) {
		int mode = atomic_load(&sim.mode[reg]);
		if (mode == MODE_DOWN)
			return MHD_NO;
		if (mode == MODE_SLOW && delay(call, c, atomic_load(&sim.delay_ms[reg])) == 0)
			return MHD_YES;
	}
	if (reg >= 0) {
		int bulk = bulk_of(url);
		if (bulk >= 0 && strcmp(method, "POST") == 0)
			route_bulk(&w, c, (enum bulk_what)bulk, &call->body);
		else if (!get || bulk >= 0)
			error_answer(&w, 405, "method-not-allowed", NULL);
		else
			route_register(&w, c, url);
		int mode = atomic_load(&sim.mode[reg]);
		if (mode == MODE_ERROR) {
			error_answer(&w, 500, "injected-failure", NULL);
		} else if (mode == MODE_MALFORMED && w.b.len > 1) {
			/* Half of the promised answer: never valid JSON. */
			w.status = 200;
			w.b.len /= 2;
			w.b.p[w.b.len] = '\0';
		}
	} else if (strcmp(url, "/health") == 0 && get) {
		put(&w, "{\"status\":\"ok\"}\n");
		w.status = 200;
	} else if (strcmp(url, "/_control") == 0 && get) {
		control_state(&w);
	} else if (strcmp(url, "/_control") == 0 && strcmp(method, "POST") == 0) {
		control_post(&w, &call->body);
	} else if (strcmp(url, "/_control/corrections") == 0 && strcmp(method, "POST") == 0) {
		correction_post(&w, &call->body);
	} else if (oidc_handles(url)) {
		/* The test OpenID provider answers in its own way (pages,
		 * redirects): tracker #13, real login. */
		buf_cleanup(&w.b);
		return (enum MHD_Result)oidc_serve(c, url, method, buf_str(&call->body), call->body.len);
	} else if (strcmp(url, "/_control/accounts") == 0 && strcmp(method, "POST") == 0) {
		/* Payouts (#10): the account register's added and closed accounts. */
		struct err e;
		if (simacc_post(buf_str(&call->body), call->body.len, sim.persons, sim.seed, &e) != 0) {
			error_answer(&w, e.code == ERR_NOT_FOUND ? 404 : e.code == ERR_CONFLICT ? 409 : 400,
				     e.code == ERR_NOT_FOUND ? "not-found" : "invalid", e.field);
		} else {
			put(&w, "{\"status\":\"ok\"}\n");
			w.status = 200;
		}
	} else if (strcmp(url, "/_control/confirmations") == 0 && strcmp(method, "POST") == 0) {
		struct err e;
		int64_t seq = simconf_post(buf_str(&call->body), call->body.len, sim.persons, sim.seed, (int64_t)time(NULL), &e);
		if (seq < 0) {
			error_answer(&w, e.code == ERR_NOT_FOUND ? 404 : 400, e.code == ERR_NOT_FOUND ? "not-found" : "invalid",
				     e.field);
		} else {
			putf(&w, "{\"sequence\":%lld}\n", (long long)seq);
			w.status = 201;
		}
	} else if (bank_handles(url)) {
		buf_cleanup(&w.b);
		buf_init(&w.b, BANK_MAX_BODY);
		w.status = bank_answer(method, url, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "date"),
				       buf_str(&call->body), call->body.len, &w.b, sim.persons, sim.seed, (int64_t)time(NULL));
		if (w.status == 200 || w.status == 201)
			w.ctype = "application/xml";
	} else if (signing_service_handles(url)) {
		/* The test signing service (sim/signing.c) answers pages, PDFs
		 * and redirects of its own. */
		buf_cleanup(&w.b);
		return signing_route(c, url, method, call);
	} else if (sms_gateway_handles(url)) {
		w.status = sms_gateway_answer(method, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to"),
					      buf_str(&call->body), call->body.len, &w.b);
		if (w.status == 0) { /* the gateway is "down" */
			buf_cleanup(&w.b);
			return MHD_NO;
		}
	} else if (giro_handles(url)) {
		/* The bank (#11): payments with a KID, and the camt.054 report. */
		int xml;
		w.status = giro_answer2(method, url, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "kid"),
					MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to"), buf_str(&call->body),
					call->body.len, &w.b, &xml);
		if (xml)
			w.ctype = "application/xml";
	} else if (strcmp(url, "/health") == 0 || strcmp(url, "/_control") == 0) {
		error_answer(&w, 405, "method-not-allowed", NULL);
	} else {
		error_answer(&w, 404, "not-found", NULL);
	}
	rc = send_answer(c, &w);
	buf_cleanup(&w.b);
	return rc;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct call *call = *con_cls;
	if (call == NULL)
		return;
	buf_cleanup(&call->body);
	free(call);
	*con_cls = NULL;
}

/* libmicrohttpd's complaints, but not the one a "down" register causes on
 * purpose by closing the connection. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (strstr(line, "Application reported internal error") == NULL)
		log_warn("registers: %.*s", (int)strcspn(line, "\n"), line);
}

int sim_listen(const char *host, int port, int64_t persons, uint64_t seed, int threads, struct err *e)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return err_set(e, ERR_INVALID, "listen", "%s is not an IPv4 address", host);
	if (port < 0 || port > 65535)
		return err_set(e, ERR_INVALID, "listen", "the port must be from 0 to 65535");
	if (persons < 1 || persons > SYNTH_MAX_PERSONS)
		return err_set(e, ERR_INVALID, "persons", "must be a number from 1 to %d", SYNTH_MAX_PERSONS);
	if (threads < 1 || threads > 64)
		return err_set(e, ERR_INVALID, "threads", "must be a number from 1 to 64");
	if (sim.running)
		return err_set(e, ERR_CONFLICT, NULL, "a register simulator runs already");
	sim.persons = persons;
	sim.seed = seed;
	oidc_init(persons, seed); /* the test OpenID provider's login page lists them */
	sim.stopping = 0;
	sim.delayed = NULL;
	for (int r = 0; r < REG_N; r++) {
		atomic_store(&sim.mode[r], MODE_OK);
		atomic_store(&sim.delay_ms[r], 0);
	}
	if (signing_service_ready() == 0 && signing_service_init(NULL, NULL, seed, persons, e) != 0)
		return -1;
	if (pthread_create(&sim.timer, NULL, timer_main, NULL) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "cannot start the timer thread");
	sim.d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
	    (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (sim.d == NULL) {
		pthread_mutex_lock(&sim.mu);
		sim.stopping = 1;
		pthread_cond_signal(&sim.cv);
		pthread_mutex_unlock(&sim.mu);
		pthread_join(sim.timer, NULL);
		return err_set(e, ERR_IO, "listen", "cannot listen on %s:%d", host, port);
	}
	sim.running = 1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(sim.d, MHD_DAEMON_INFO_BIND_PORT);
	return info && info->port ? info->port : port;
}

int sim_start(int port, int64_t persons, uint64_t seed, struct err *e)
{
	return sim_listen("127.0.0.1", port, persons, seed, 2, e);
}

void sim_stop(void)
{
	if (!sim.running)
		return;
	/* Resume every slow answer and let no new one wait, then stop
	 * libmicrohttpd, which must find no connection suspended. */
	pthread_mutex_lock(&sim.mu);
	sim.stopping = 1;
	pthread_cond_signal(&sim.cv);
	pthread_mutex_unlock(&sim.mu);
	pthread_join(sim.timer, NULL);
	MHD_stop_daemon(sim.d);
	sim.d = NULL;
	sim.running = 0;
}
