/* metrics.h - the operators' figures for Prometheus (issue #14): requests
 * by route and status with a latency histogram, commit latency, and
 * failures of the register clients. Counters are C11 atomics, so that any
 * thread records without a lock; a new route or register takes a slot
 * once, under a mutex. metrics_render() writes them in the text exposition
 * format 0.0.4 (HELP and TYPE lines, cumulative histogram buckets ending
 * in +Inf, _sum and _count). Gauges read from the database (the job
 * queue) are added by the caller (support/figures.c). Thread-safe. */
#ifndef STIPEND_CORE_METRICS_H
#define STIPEND_CORE_METRICS_H

struct buf;

/* A request answered: route is the router's pattern ("/saker/:id", a
 * string that lives as long as the program; NULL: no route), method
 * "GET" or "POST", status the HTTP status, seconds the time handling it
 * took. More than 128 routes, or a status outside 100-599, is counted
 * under route "other" or status 0. */
void metrics_request(const char *route, const char *method, int status, double seconds);

/* A group commit of the store took seconds. */
void metrics_commit(double seconds);

/* A try against register name ("population", ...; a string that lives as
 * long as the program) failed. */
void metrics_register_failure(const char *name);

/* Append every metric to b. Returns 0, or -1 when b is full. */
int metrics_render(struct buf *b);

/* Seconds on a monotonic clock, for measuring a span. */
double metrics_clock(void);

#endif
