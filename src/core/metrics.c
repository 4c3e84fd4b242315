/* metrics.c - counters and histograms for /metrics (see metrics.h).
 *
 * Fixed tables of slots: a slot is claimed once (mutex) and never given
 * back, and every count in it is an atomic, so the hot path (a request
 * answered) is a scan of the claimed slots and a few relaxed increments. */
#include "core/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"

#define ROUTES 128
#define STATUSES 16
#define REGISTERS 16

/* The latency buckets' upper bounds, in seconds. */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define BUCKETS (sizeof(bounds) / sizeof(bounds[0]))

struct histogram {
	atomic_uint_fast64_t bucket[BUCKETS]; /* not cumulative: rendered so */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_us; /* microseconds */
};

struct route_slot {
	const char *route, *method;
	atomic_int n_status;
	int status[STATUSES];
	atomic_uint_fast64_t by_status[STATUSES];
	struct histogram latency;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct route_slot routes[ROUTES];
static atomic_int n_routes;
static struct histogram commits;
static struct {
	const char *name;
	atomic_uint_fast64_t failures;
} registers[REGISTERS];
static atomic_int n_registers;

double metrics_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void observe(struct histogram *h, double seconds)
{
	if (seconds < 0)
		seconds = 0;
	size_t i = 0;
	while (i < BUCKETS && seconds > bounds[i])
		i++;
	if (i < BUCKETS)
		atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_us, (uint_fast64_t)(seconds * 1e6 + 0.5), memory_order_relaxed);
}

static struct route_slot *route_slot(const char *route, const char *method)
{
	int n = atomic_load_explicit(&n_routes, memory_order_acquire);
	for (int i = 0; i < n; i++)
		if (routes[i].route == route && strcmp(routes[i].method, method) == 0)
			return &routes[i];
	pthread_mutex_lock(&mu);
	n = atomic_load_explicit(&n_routes, memory_order_relaxed);
	struct route_slot *s = NULL;
	for (int i = 0; i < n && s == NULL; i++)
		if (routes[i].route == route && strcmp(routes[i].method, method) == 0)
			s = &routes[i];
	if (s == NULL && n < ROUTES - 1) {
		s = &routes[n];
		s->route = route;
		s->method = method;
		atomic_store_explicit(&n_routes, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&mu);
	return s;
}

static void count_status(struct route_slot *s, int status)
{
	int n = atomic_load_explicit(&s->n_status, memory_order_acquire);
	for (int i = 0; i < n; i++)
		if (s->status[i] == status) {
			atomic_fetch_add_explicit(&s->by_status[i], 1, memory_order_relaxed);
			return;
		}
	pthread_mutex_lock(&mu);
	n = atomic_load_explicit(&s->n_status, memory_order_relaxed);
	int i = 0;
	while (i < n && s->status[i] != status)
		i++;
	if (i == n && n < STATUSES) {
		s->status[n] = status;
		atomic_store_explicit(&s->n_status, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&mu);
	if (i < STATUSES)
		atomic_fetch_add_explicit(&s->by_status[i], 1, memory_order_relaxed);
}

void metrics_request(const char *route, const char *method, int status, double seconds)
{
	static const char other[] = "other";
	if (method == NULL || (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0 && strcmp(method, "HEAD") != 0))
		method = "other";
	else
		method = method[0] == 'G' ? "GET" : method[0] == 'P' ? "POST" : "HEAD";
	struct route_slot *s = route_slot(route ? route : other, method);
	if (s == NULL)
		return;
	count_status(s, status >= 100 && status <= 599 ? status : 0);
	observe(&s->latency, seconds);
}

void metrics_commit(double seconds)
{
	observe(&commits, seconds);
}

void metrics_register_failure(const char *name)
{
	int n = atomic_load_explicit(&n_registers, memory_order_acquire);
	for (int i = 0; i < n; i++)
		if (strcmp(registers[i].name, name) == 0) {
			atomic_fetch_add_explicit(&registers[i].failures, 1, memory_order_relaxed);
			return;
		}
	pthread_mutex_lock(&mu);
	n = atomic_load_explicit(&n_registers, memory_order_relaxed);
	int i = 0;
	while (i < n && strcmp(registers[i].name, name) != 0)
		i++;
	if (i == n && n < REGISTERS) {
		registers[n].name = name;
		atomic_store_explicit(&n_registers, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&mu);
	if (i < REGISTERS)
		atomic_fetch_add_explicit(&registers[i].failures, 1, memory_order_relaxed);
}

/* A label value with \, " and line feeds escaped, as the format asks. */
static int put_label(struct buf *b, const char *v)
{
	int rc = 0;
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			rc |= buf_putc(b, '\\') | buf_putc(b, *v);
		else if (*v == '\n')
			rc |= buf_puts(b, "\\n");
		else
			rc |= buf_putc(b, *v);
	}
	return rc;
}

static int put_histogram(struct buf *b, const char *name, const char *labels, struct histogram *h)
{
	int rc = 0;
	uint_fast64_t cum = 0;
	for (size_t i = 0; i < BUCKETS; i++) {
		cum += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
		rc |= buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, *labels ? "," : "", bounds[i],
				 (unsigned long long)cum);
	}
	/* Read count after the buckets: a request recorded meanwhile is in
	 * count (or not in either), so +Inf is never below a bucket. */
	uint_fast64_t count = atomic_load_explicit(&h->count, memory_order_relaxed);
	if (count < cum)
		count = cum;
	rc |= buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, *labels ? "," : "",
			 (unsigned long long)count);
	uint_fast64_t us = atomic_load_explicit(&h->sum_us, memory_order_relaxed);
	if (*labels) {
		rc |= buf_printf(b, "%s_sum{%s} %llu.%06llu\n", name, labels, (unsigned long long)(us / 1000000),
				 (unsigned long long)(us % 1000000));
		rc |= buf_printf(b, "%s_count{%s} %llu\n", name, labels, (unsigned long long)count);
	} else {
		rc |= buf_printf(b, "%s_sum %llu.%06llu\n", name, (unsigned long long)(us / 1000000),
				 (unsigned long long)(us % 1000000));
		rc |= buf_printf(b, "%s_count %llu\n", name, (unsigned long long)count);
	}
	return rc;
}

int metrics_render(struct buf *b)
{
	int rc = 0;
	int n = atomic_load_explicit(&n_routes, memory_order_acquire);
	rc |= buf_puts(b, "# HELP stipend_http_requests_total HTTP requests answered, by route, method and status.\n"
			  "# TYPE stipend_http_requests_total counter\n");
	for (int i = 0; i < n; i++) {
		struct route_slot *s = &routes[i];
		int ns = atomic_load_explicit(&s->n_status, memory_order_acquire);
		for (int k = 0; k < ns; k++) {
			rc |= buf_puts(b, "stipend_http_requests_total{route=\"");
			rc |= put_label(b, s->route);
			rc |= buf_printf(b, "\",method=\"%s\",status=\"%d\"} %llu\n", s->method, s->status[k],
					 (unsigned long long)atomic_load_explicit(&s->by_status[k], memory_order_relaxed));
		}
	}
	rc |= buf_puts(b, "# HELP stipend_http_request_duration_seconds Time spent handling a request, by route and method.\n"
			  "# TYPE stipend_http_request_duration_seconds histogram\n");
	for (int i = 0; i < n; i++) {
		struct buf lb;
		buf_init(&lb, 1024);
		buf_puts(&lb, "route=\"");
		put_label(&lb, routes[i].route);
		buf_printf(&lb, "\",method=\"%s\"", routes[i].method);
		rc |= put_histogram(b, "stipend_http_request_duration_seconds", buf_str(&lb), &routes[i].latency);
		buf_cleanup(&lb);
	}
	rc |= buf_puts(b, "# HELP stipend_store_commit_duration_seconds Time a group commit of the store took.\n"
			  "# TYPE stipend_store_commit_duration_seconds histogram\n");
	rc |= put_histogram(b, "stipend_store_commit_duration_seconds", "", &commits);
	rc |= buf_puts(b, "# HELP stipend_register_failures_total Failed tries against a register, by register.\n"
			  "# TYPE stipend_register_failures_total counter\n");
	int nr = atomic_load_explicit(&n_registers, memory_order_acquire);
	for (int i = 0; i < nr; i++) {
		rc |= buf_puts(b, "stipend_register_failures_total{register=\"");
		rc |= put_label(b, registers[i].name);
		rc |= buf_printf(b, "\"} %llu\n",
				 (unsigned long long)atomic_load_explicit(&registers[i].failures, memory_order_relaxed));
	}
	return rc ? -1 : 0;
}
