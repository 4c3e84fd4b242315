/* jobs.c - the job runner; see jobs.h.
 *
 * Each worker claims a batch of due jobs in one transaction (a lease that
 * runs out if the worker dies), runs them one by one outside any
 * transaction (a job may wait for a register), and sleeps when none are
 * due: until notified, or until the next one falls due, or a second. */
#include "cases/jobs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"

struct jobs {
	struct store *store;
	const struct job_kind *kinds;
	void *ctx;
	struct jobs_options o;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	int stopping;
	unsigned notified;
	pthread_t *threads;
	int n_threads;
};

static void defaults(struct jobs_options *o, const struct jobs_options *given)
{
	struct jobs_options d = {2, 60, 600, 16};
	if (given != NULL)
		d = *given;
	if (d.threads < 1)
		d.threads = 2;
	if (d.lease < 1)
		d.lease = 60;
	if (d.delay_max < 1)
		d.delay_max = 600;
	if (d.batch < 1)
		d.batch = 16;
	*o = d;
}

int64_t jobs_backoff(int attempts, int64_t delay_max)
{
	int64_t d = 1;
	for (int i = 1; i < attempts && d < delay_max; i++)
		d *= 2;
	return d < delay_max ? d : delay_max;
}

struct claim {
	int64_t now, lease;
	int max;
	struct job_rec *jobs;
	struct arena *a;
	int n;
};

static int claim(struct store_tx *tx, void *arg, struct err *e)
{
	struct claim *c = arg;
	c->n = store_jobs_claim(tx, c->now, c->lease, c->max, c->jobs, c->a, e);
	return c->n < 0 ? -1 : 0;
}

struct retry {
	const struct job_rec *job;
	int64_t run_after;
	const char *error;
	int give_up;
};

static int put_back(struct store_tx *tx, void *arg, struct err *e)
{
	struct retry *r = arg;
	return store_job_retry(tx, r->job->id, r->run_after, r->error, r->give_up, e);
}

static const struct job_kind *find_kind(const struct job_kind *kinds, const char *kind)
{
	for (const struct job_kind *k = kinds; k->kind != NULL; k++)
		if (strcmp(k->kind, kind) == 0)
			return k;
	return NULL;
}

/* Run one claimed job, and put it back with a delay when it fails. */
static void run_one(struct store *s, const struct job_kind *kinds, void *ctx, const struct jobs_options *o,
		    const struct job_rec *job, int64_t now)
{
	struct err e;
	err_clear(&e);
	const struct job_kind *k = find_kind(kinds, job->kind);
	int rc = k ? k->run(s, job, now, k->ctx ? k->ctx : ctx, &e) : err_set(&e, ERR_INTERNAL, NULL, "no job kind %s", job->kind);
	if (rc == 0)
		return;
	struct retry r = {job, now + jobs_backoff(job->attempts, o->delay_max), e.message,
			  job->attempts >= JOBS_MAX_ATTEMPTS || k == NULL};
	log_warn("job %lld (%s, subject %lld) attempt %d failed: %s", (long long)job->id, job->kind,
		 (long long)job->subject_id, job->attempts, e.message);
	struct err e2;
	if (store_write(s, put_back, &r, &e2) != 0)
		log_error("job %lld: cannot put it back: %s (its lease will free it)", (long long)job->id, e2.message);
}

int jobs_run_due(struct store *s, const struct job_kind *kinds, void *ctx, const struct jobs_options *given,
		 int64_t now, int max, int *ran, struct err *e)
{
	struct jobs_options o;
	defaults(&o, given);
	struct arena a;
	arena_init(&a, 0);
	int total = 0, rc = 0;
	while (total < max) {
		int want = max - total < o.batch ? max - total : o.batch;
		struct job_rec *batch = arena_alloc(&a, sizeof(*batch) * (size_t)want);
		struct claim c = {now, o.lease, want, batch, &a, 0};
		if (store_write(s, claim, &c, e) != 0) {
			rc = -1;
			break;
		}
		for (int i = 0; i < c.n; i++)
			run_one(s, kinds, ctx, &o, &batch[i], now);
		total += c.n;
		arena_reset(&a);
		if (c.n < want)
			break;
	}
	arena_cleanup(&a);
	if (ran)
		*ran = total;
	return rc;
}

static void *worker(void *arg)
{
	struct jobs *j = arg;
	struct arena a;
	arena_init(&a, 0);
	struct job_rec *batch = calloc((size_t)j->o.batch, sizeof(*batch));
	pthread_mutex_lock(&j->mu);
	while (!j->stopping && batch != NULL) {
		unsigned seen = j->notified;
		pthread_mutex_unlock(&j->mu);

		struct err e;
		int64_t now = date_now_unix();
		struct claim c = {now, j->o.lease, j->o.batch, batch, &a, 0};
		if (store_write(j->store, claim, &c, &e) != 0) {
			log_error("jobs: claim: %s", e.message);
			c.n = 0;
		}
		for (int i = 0; i < c.n; i++)
			run_one(j->store, j->kinds, j->ctx, &j->o, &batch[i], date_now_unix());
		arena_reset(&a);

		pthread_mutex_lock(&j->mu);
		if (c.n == 0 && !j->stopping && j->notified == seen) {
			/* Nothing due: sleep until notified or a second passes
			 * (jobs put back with a delay fall due by the clock). */
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&j->wake, &j->mu, &until);
		}
	}
	pthread_mutex_unlock(&j->mu);
	free(batch);
	arena_cleanup(&a);
	return NULL;
}

struct jobs *jobs_start(struct store *s, const struct job_kind *kinds, void *ctx, const struct jobs_options *o,
			struct err *e)
{
	struct jobs *j = calloc(1, sizeof(*j));
	if (j == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	defaults(&j->o, o);
	j->store = s;
	j->kinds = kinds;
	j->ctx = ctx;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->wake, NULL);
	j->threads = calloc((size_t)j->o.threads, sizeof(*j->threads));
	for (; j->threads && j->n_threads < j->o.threads; j->n_threads++)
		if (pthread_create(&j->threads[j->n_threads], NULL, worker, j) != 0)
			break;
	if (j->n_threads < j->o.threads) {
		jobs_stop(j);
		err_set(e, ERR_INTERNAL, NULL, "cannot start the job workers");
		return NULL;
	}
	return j;
}

void jobs_notify(struct jobs *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->notified++;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->mu);
}

void jobs_stop(struct jobs *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->stopping = 1;
	pthread_cond_broadcast(&j->wake);
	pthread_mutex_unlock(&j->mu);
	for (int i = 0; i < j->n_threads; i++)
		pthread_join(j->threads[i], NULL);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->wake);
	free(j->threads);
	free(j);
}
