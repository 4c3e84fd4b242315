/* jobs.h - the job runner: work that follows an acknowledged request runs
 * from the durable job table, on worker threads, retried with back-off.
 *
 * A job kind is a function that does its work and, in the same transaction
 * as its effect, finishes the job (store_job_done); it must be idempotent,
 * since a worker that dies after the effect's commit leaves nothing to redo
 * but one that dies before it leaves the job to run again once its lease
 * runs out. A function that fails (returns -1) has the job put back with a
 * delay that doubles with each attempt, up to a ceiling; after
 * JOBS_MAX_ATTEMPTS the job is marked failed for an operator to see. */
#ifndef STIPEND_JOBS_H
#define STIPEND_JOBS_H

#include <stdint.h>

#include "store/store.h"

struct err;

typedef int (*job_fn)(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e);

struct job_kind {
	const char *kind;
	job_fn run;
	void *ctx; /* passed to run; NULL: the runner's ctx */
};

#define JOBS_MAX_ATTEMPTS 50

struct jobs_options {
	int threads;       /* worker threads (default 2) */
	int64_t lease;     /* seconds a claimed job is a worker's (default 60) */
	int64_t delay_max; /* the longest wait between attempts, seconds (default 600) */
	int batch;         /* jobs claimed at once by a worker (default 16) */
};

struct jobs;

/* Start worker threads running the kinds (an array ended by {NULL, NULL})
 * with ctx passed to each kind that has none of its own. Returns NULL with e filled. */
struct jobs *jobs_start(struct store *s, const struct job_kind *kinds, void *ctx, const struct jobs_options *o,
			struct err *e);

/* Wake the workers: new work was enqueued. Thread-safe; NULL is a no-op. */
void jobs_notify(struct jobs *j);

/* Stop the workers once the jobs they hold are finished. NULL is a no-op. */
void jobs_stop(struct jobs *j);

/* Run the due jobs once on the calling thread, at most max; *ran receives
 * how many ran (may be NULL). For `stipend work --once` and tests, with
 * now given so that back-off can be tested without waiting. */
int jobs_run_due(struct store *s, const struct job_kind *kinds, void *ctx, const struct jobs_options *o, int64_t now,
		 int max, int *ran, struct err *e);

/* The delay before attempt n+1 after n failed attempts: 2^(n-1) seconds,
 * at most delay_max. */
int64_t jobs_backoff(int attempts, int64_t delay_max);

#endif
