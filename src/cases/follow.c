/* follow.c - following the registers' event feeds: when a register
 * announces that something it holds about a person changed (a school
 * reports a changed study load or new credits, the tax authority corrects
 * an income), the cases of that person are decided again with the facts as
 * they are now (cases_redecide). The recurring "register-events" job reads
 * each register's feed after the last sequence it has seen; the position
 * and the jobs it enqueues are stored in one transaction, so that a crash
 * neither skips an event nor acts on one twice (a second redecide of the
 * same case finds the decision stands). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "registers/registers.h"

#define EVENTS_AT_ONCE 500

static void position_name(enum reg_register r, char out[48])
{
	snprintf(out, 48, "registers.events.%s", reg_register_name(r));
}

/* One feed's events as the work they make. */
struct feed_tx {
	struct store *s;
	enum reg_register r;
	const struct reg_events *ev;
	int64_t now;
	struct arena *a;
	int queued;
};

static int take_events(struct store_tx *tx, void *arg, struct err *e)
{
	struct feed_tx *f = arg;
	char name[48], value[24], why[96];
	f->queued = 0;
	for (int i = 0; i < f->ev->n; i++) {
		const struct reg_event *ev = &f->ev->items[i];
		struct person p;
		struct case_rec *cases;
		int rc = store_person_by_nin(f->s, ev->nin, &p, f->a, e);
		if (rc < 0)
			return -1;
		if (rc == 1)
			continue; /* not one of ours */
		int n = store_cases_of_person(f->s, p.id, &cases, f->a, e);
		if (n < 0)
			return -1;
		snprintf(why, sizeof(why), "register=%s change=%s sequence=%lld", reg_register_name(f->r), ev->change,
			 (long long)ev->sequence);
		for (int k = 0; k < n; k++) {
			if (strcmp(cases[k].status, "decided") != 0 && strcmp(cases[k].status, "manual") != 0)
				continue;
			if (cases_redecide(tx, cases[k].id, f->now, "system", why, e) != 0)
				return -1;
			f->queued++;
		}
	}
	position_name(f->r, name);
	snprintf(value, sizeof(value), "%lld", (long long)f->ev->items[f->ev->n - 1].sequence);
	return store_setting_put(tx, name, value, e);
}

struct rearm {
	int64_t job_id, at, now;
};

static int finish_and_rearm(struct store_tx *tx, void *arg, struct err *e)
{
	struct rearm *r = arg;
	if (r->job_id && store_job_done(tx, r->job_id, e) != 0)
		return -1;
	return store_job_enqueue(tx, "register-events", 0, r->at, r->now, e);
}

int cases_events_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	const struct cases_env *env = ctx;
	struct arena a;
	int queued = 0;
	arena_init(&a, 0);
	for (int r = 0; env->registers != NULL && r < REG_N; r++) {
		char name[48];
		const char *value = NULL;
		position_name((enum reg_register)r, name);
		if (store_setting_get(s, name, &value, &a, e) < 0)
			goto fail;
		int64_t after = value ? strtoll(value, NULL, 10) : 0;
		for (;;) {
			struct reg_events ev;
			struct err re;
			if (reg_events(env->registers, (enum reg_register)r, after, EVENTS_AT_ONCE, &ev, &a, &re) != 0) {
				/* One register's feed failing holds up no other:
				 * its events wait for the next run. */
				log_warn("register-events: %s: %s", reg_register_name((enum reg_register)r), re.message);
				break;
			}
			if (ev.n == 0)
				break;
			struct feed_tx f = {s, (enum reg_register)r, &ev, now, &a, 0};
			if (store_write(s, take_events, &f, e) != 0)
				goto fail;
			queued += f.queued;
			after = ev.items[ev.n - 1].sequence;
			if (ev.n < EVENTS_AT_ONCE)
				break;
		}
	}
	if (queued > 0) {
		log_info("register-events: %d case%s to decide again", queued, queued == 1 ? "" : "s");
		jobs_notify(env->jobs);
	}
	arena_cleanup(&a);
	struct rearm r = {job->id, now + CASES_FOLLOW_INTERVAL, now};
	return store_write(s, finish_and_rearm, &r, e);
fail:
	arena_cleanup(&a);
	return -1;
}

int cases_follow_registers(const struct cases_env *env, int64_t now, struct err *e)
{
	if (env->registers == NULL)
		return 0;
	struct rearm r = {0, now, now};
	return store_write(env->store, finish_and_rearm, &r, e);
}
