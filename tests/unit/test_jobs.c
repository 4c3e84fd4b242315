/* test_jobs.c - the durable job table and its runner: enqueueing is
 * idempotent, a failing job comes back after a growing delay, a job whose
 * worker died is run again when its lease runs out, a job that keeps
 * failing is marked failed, and worker threads drain a queue. The clock is
 * an input, so no test waits for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <cmocka.h>

#include "cases/jobs.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/nin.h"
#include "store/store.h"
#include "testdb.h"

struct fixture {
	struct testdb db;
	struct store *s;
	int64_t case_ids[64];
};

static int add_cases(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixture *f = arg;
	char nin[12];
	int individual = 100;
	while (nin_make(date_from_ymd(2004, 5, 17), individual, 1, nin) != 0)
		individual++;
	struct person p = {0, nin, "Kari", "Nordmann", date_from_ymd(2004, 5, 17), "Storgata 1", "0150", "Oslo", 0, NULL, NULL};
	int64_t pid;
	if (store_person_insert(tx, &p, &pid, e) != 0)
		return -1;
	for (int i = 0; i < 64; i++) {
		struct case_rec c = {0, pid, "higher-education", "2024-2025", "received", NULL, 1000, 0, "{}", NULL, NULL, NULL};
		if (store_case_insert(tx, &c, &f->case_ids[i], e) != 0)
			return -1;
	}
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (testdb_open(&f->db, "jobs") != 0)
		return -1;
	f->s = f->db.s;
	if (store_write(f->s, add_cases, f, &e) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	testdb_close(&f->db);
	free(f);
	return 0;
}

struct enq {
	const char *kind;
	int64_t case_id, run_after;
};

static int enqueue(struct store_tx *tx, void *arg, struct err *e)
{
	struct enq *q = arg;
	return store_job_enqueue(tx, q->kind, q->case_id, q->run_after, 1000, e);
}

/* A job kind that fails until its case has been tried `fail_times`, and
 * counts the runs; finishing marks the job done in a transaction. */
struct counter {
	pthread_mutex_t mu;
	int runs, fail_times;
};

struct finish {
	int64_t id;
};

static int finish_job(struct store_tx *tx, void *arg, struct err *e)
{
	return store_job_done(tx, ((struct finish *)arg)->id, e);
}

static int flaky(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	(void)now;
	struct counter *c = ctx;
	pthread_mutex_lock(&c->mu);
	c->runs++;
	pthread_mutex_unlock(&c->mu);
	if (job->attempts <= c->fail_times)
		return err_set(e, ERR_IO, NULL, "register down");
	struct finish fin = {job->id};
	return store_write(s, finish_job, &fin, e);
}

static const struct job_kind kinds[] = {{"decide", flaky}, {NULL, NULL}};

static int64_t count(struct store *s, const char *state)
{
	struct err e;
	int64_t n = -1;
	assert_int_equal(store_jobs_count(s, state, &n, NULL, &e), 0);
	return n;
}

static void enqueueing_a_job_twice_keeps_one(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct enq q = {"decide", f->case_ids[0], 1000};
	assert_int_equal(store_write(f->s, enqueue, &q, &e), 0);
	assert_int_equal(store_write(f->s, enqueue, &q, &e), 0);
	assert_int_equal(count(f->s, "ready"), 1);
}

static void failing_job_comes_back_after_a_growing_delay(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct counter c = {PTHREAD_MUTEX_INITIALIZER, 0, 2};
	struct enq q = {"decide", f->case_ids[1], 1000};
	int ran;
	assert_int_equal(store_write(f->s, enqueue, &q, &e), 0);

	assert_int_equal(jobs_run_due(f->s, kinds, &c, NULL, 1000, 10, &ran, &e), 0);
	assert_int_equal(ran, 1); /* attempt 1 fails: back after 1 s */
	int64_t n, due;
	assert_int_equal(store_jobs_count(f->s, "ready", &n, &due, &e), 0);
	assert_int_equal(due, 1001);
	assert_int_equal(jobs_run_due(f->s, kinds, &c, NULL, 1000, 10, &ran, &e), 0);
	assert_int_equal(ran, 0); /* not due yet */
	assert_int_equal(jobs_run_due(f->s, kinds, &c, NULL, 1001, 10, &ran, &e), 0);
	assert_int_equal(ran, 1); /* attempt 2 fails: back after 2 s */
	assert_int_equal(store_jobs_count(f->s, "ready", &n, &due, &e), 0);
	assert_int_equal(due, 1003);
	assert_int_equal(jobs_run_due(f->s, kinds, &c, NULL, 1003, 10, &ran, &e), 0);
	assert_int_equal(ran, 1); /* attempt 3 succeeds */
	assert_int_equal(count(f->s, "done"), 1);
	assert_int_equal(count(f->s, "ready"), 0);
	assert_int_equal(c.runs, 3);
}

static void backoff_doubles_up_to_its_ceiling(void **state)
{
	(void)state;
	assert_int_equal(jobs_backoff(1, 600), 1);
	assert_int_equal(jobs_backoff(2, 600), 2);
	assert_int_equal(jobs_backoff(5, 600), 16);
	assert_int_equal(jobs_backoff(30, 600), 600);
}

static int claim_and_die(struct store_tx *tx, void *arg, struct err *e)
{
	struct arena *a = arg;
	struct job_rec jobs[4];
	return store_jobs_claim(tx, 1000, 60, 4, jobs, a, e) == 1 ? 0 : err_set(e, ERR_INTERNAL, NULL, "claim");
}

static void job_of_a_dead_worker_runs_again_when_its_lease_runs_out(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct arena a;
	arena_init(&a, 0);
	struct counter c = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
	struct enq q = {"decide", f->case_ids[2], 1000};
	int ran;
	assert_int_equal(store_write(f->s, enqueue, &q, &e), 0);
	/* A worker claims the job and dies without finishing it. */
	assert_int_equal(store_write(f->s, claim_and_die, &a, &e), 0);
	assert_int_equal(count(f->s, "running"), 1);
	struct jobs_options o = {1, 60, 600, 16};
	assert_int_equal(jobs_run_due(f->s, kinds, &c, &o, 1059, 10, &ran, &e), 0);
	assert_int_equal(ran, 0); /* the lease still holds */
	assert_int_equal(jobs_run_due(f->s, kinds, &c, &o, 1060, 10, &ran, &e), 0);
	assert_int_equal(ran, 1);
	assert_int_equal(count(f->s, "done"), 1);
	assert_int_equal(c.runs, 1);
	arena_cleanup(&a);
}

static void job_that_keeps_failing_is_marked_failed(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct counter c = {PTHREAD_MUTEX_INITIALIZER, 0, 1000};
	struct enq q = {"decide", f->case_ids[3], 1000};
	int ran;
	assert_int_equal(store_write(f->s, enqueue, &q, &e), 0);
	int64_t now = 1000;
	for (int i = 0; i < JOBS_MAX_ATTEMPTS; i++) {
		assert_int_equal(jobs_run_due(f->s, kinds, &c, NULL, now, 10, &ran, &e), 0);
		assert_int_equal(ran, 1);
		now += 1000;
	}
	assert_int_equal(count(f->s, "failed"), 1);
	assert_int_equal(jobs_run_due(f->s, kinds, &c, NULL, now + 100000, 10, &ran, &e), 0);
	assert_int_equal(ran, 0);
}

static void workers_drain_the_queue(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct counter c = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
	for (int i = 10; i < 64; i++) {
		struct enq q = {"decide", f->case_ids[i], 0};
		assert_int_equal(store_write(f->s, enqueue, &q, &e), 0);
	}
	struct jobs_options o = {3, 60, 600, 4};
	struct jobs *j = jobs_start(f->s, kinds, &c, &o, &e);
	assert_non_null(j);
	jobs_notify(j);
	for (int i = 0; i < 500 && count(f->s, "done") < 54; i++)
		usleep(10000);
	jobs_stop(j);
	assert_int_equal(count(f->s, "done"), 54);
	assert_int_equal(c.runs, 54); /* each exactly once */
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(enqueueing_a_job_twice_keeps_one, setup, teardown),
		cmocka_unit_test_setup_teardown(failing_job_comes_back_after_a_growing_delay, setup, teardown),
		cmocka_unit_test(backoff_doubles_up_to_its_ceiling),
		cmocka_unit_test_setup_teardown(job_of_a_dead_worker_runs_again_when_its_lease_runs_out, setup, teardown),
		cmocka_unit_test_setup_teardown(job_that_keeps_failing_is_marked_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(workers_drain_the_queue, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
