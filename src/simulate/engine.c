/* engine.c - the policy simulation's engine (see simulate.h): one range of
 * lines a thread, each thread with its own tallies, merged at the end, so
 * that the answer does not depend on the number of threads. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "rules/rules.h"
#include "simulate/simulate.h"

const char *const sim_award_names[SIM_N_AWARDS] = {"basic-loan",  "boarding-grant", "means-tested-grant",
						     "equipment-grant", "child-grant", "travel-grant", "deferral",
						     "interest-relief"};

/* The bucket edges in kroner; SIM_ZERO_BUCKET comes after the edges
 * below 0 and 0 itself. */
static const int64_t edges_kr[] = {-20000, -10000, -5000, -1000, 0, 1000, 5000, 10000, 20000};
#define N_EDGES (sizeof(edges_kr) / sizeof(edges_kr[0]))
_Static_assert(N_EDGES + 2 == SIM_N_BUCKETS, "one bucket more than the edges on each side");
_Static_assert(N_EDGES / 2 + 1 == SIM_ZERO_BUCKET, "the zero bucket follows the edges up to 0");

struct tally {
	struct sim_report r;
	int64_t *deltas; /* øre, of those whose support changed */
	size_t n_deltas, cap_deltas;
	int failed;      /* memory ran out: the run fails rather than miscount */
};

struct job {
	const char *start, *end;
	int64_t first_line;
	const struct params *pa, *pb;
	struct tally t;
};

/* The bucket of a change of delta øre. */
static int bucket_of(int64_t delta)
{
	int i = 0;
	if (delta == 0)
		return SIM_ZERO_BUCKET;
	if (delta < 0) {
		for (size_t k = 0; k < SIM_ZERO_BUCKET; k++)
			i += delta >= edges_kr[k] * 100;
		return i;
	}
	i = SIM_ZERO_BUCKET + 1;
	for (size_t k = SIM_ZERO_BUCKET; k < N_EDGES; k++)
		i += delta > edges_kr[k] * 100;
	return i;
}

const char *sim_bucket_label(int i, char *out, size_t len)
{
	if (i == SIM_ZERO_BUCKET)
		snprintf(out, len, "0");
	else if (i == 0)
		snprintf(out, len, "< %lld", (long long)edges_kr[0]);
	else if (i == SIM_N_BUCKETS - 1)
		snprintf(out, len, "> %lld", (long long)edges_kr[N_EDGES - 1]);
	else if (i < SIM_ZERO_BUCKET)
		snprintf(out, len, "%lld..%lld", (long long)edges_kr[i - 1], (long long)edges_kr[i]);
	else
		snprintf(out, len, "%lld..%lld", (long long)edges_kr[i - 2], (long long)edges_kr[i - 1]);
	return out;
}

/* Support a decision gives, grants and loans, in øre, into *total. */
static void add_side(struct sim_side *s, const struct decision *d, int64_t *total)
{
	*total = 0;
	s->outcomes[d->outcome]++;
	for (int i = 0; i < d->n_awards; i++) {
		const struct award *w = &d->awards[i];
		if (strcmp(w->kind, "grant") == 0)
			s->grants += w->amount;
		else
			s->loans += w->amount;
		if (w->convertible > 0)
			s->convertible += w->convertible;
		*total += w->amount;
		for (size_t k = 0; k < SIM_N_AWARDS; k++)
			if (strcmp(w->name, sim_award_names[k]) == 0) {
				/* Deferral and interest relief are months, not money. */
				s->award_amount[k] += w->amount ? w->amount : w->months;
				s->award_count[k]++;
			}
	}
}

static void keep_delta(struct tally *t, int64_t delta)
{
	if (t->n_deltas == t->cap_deltas) {
		size_t cap = t->cap_deltas ? 2 * t->cap_deltas : 4096;
		int64_t *p = realloc(t->deltas, cap * sizeof(*p));
		if (p == NULL) {
			t->failed = 1;
			return;
		}
		t->deltas = p;
		t->cap_deltas = cap;
	}
	t->deltas[t->n_deltas++] = delta;
}

static void one(struct job *j, const char *text, size_t len, int64_t line, struct arena *a)
{
	struct sim_report *t = &j->t.r;
	struct err e;
	t->read++;
	struct application app;
	/* The fast road first; jansson reads what it declines. */
	int rc = rules_read_application(text, len, &app, a, &e);
	if (rc == 1) {
		json_t *in = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
		rc = in == NULL ? -1 : rules_parse_application(in, &app, a, &e);
		json_decref(in);
	}
	if (rc != 0) {
		t->not_understood++;
		if (t->first_bad_line == 0)
			t->first_bad_line = line;
		return;
	}
	struct decision *da = arena_alloc(a, sizeof(*da)), *db = arena_alloc(a, sizeof(*db));
	int ok_a = rules_decide(&app, j->pa, da, &e) == 0;
	int ok_b = rules_decide(&app, j->pb, db, &e) == 0;
	int64_t sa = 0, sb = 0;
	if (ok_a)
		add_side(&t->a, da, &sa);
	else
		t->a.undecided++;
	if (ok_b)
		add_side(&t->b, db, &sb);
	else
		t->b.undecided++;
	if (!ok_a || !ok_b)
		return;
	int64_t delta = sb - sa;
	t->buckets[bucket_of(delta)]++;
	if (delta > 0)
		t->better++;
	else if (delta < 0)
		t->worse++;
	else
		t->unchanged++;
	if (delta != 0)
		keep_delta(&j->t, delta);
	int manual_a = da->outcome == OUTCOME_MANUAL, manual_b = db->outcome == OUTCOME_MANUAL;
	t->to_manual += !manual_a && manual_b;
	t->from_manual += manual_a && !manual_b;
}

static void *work(void *arg)
{
	struct job *j = arg;
	struct arena a;
	arena_init(&a, 65536);
	int64_t line = j->first_line;
	for (const char *p = j->start; p < j->end;) {
		const char *nl = memchr(p, '\n', (size_t)(j->end - p));
		const char *stop = nl ? nl : j->end;
		if (stop > p) {
			arena_reset(&a);
			one(j, p, (size_t)(stop - p), line, &a);
		}
		line++;
		p = stop + 1;
	}
	arena_cleanup(&a);
	return NULL;
}

static void merge_side(struct sim_side *to, const struct sim_side *s)
{
	to->grants += s->grants;
	to->loans += s->loans;
	to->convertible += s->convertible;
	to->undecided += s->undecided;
	for (size_t k = 0; k < SIM_N_AWARDS; k++) {
		to->award_amount[k] += s->award_amount[k];
		to->award_count[k] += s->award_count[k];
	}
	for (int i = 0; i < 4; i++)
		to->outcomes[i] += s->outcomes[i];
}

static void merge(struct tally *to, struct tally *t)
{
	struct sim_report *x = &to->r;
	const struct sim_report *y = &t->r;
	x->read += y->read;
	x->not_understood += y->not_understood;
	if (x->first_bad_line == 0 || (y->first_bad_line && y->first_bad_line < x->first_bad_line))
		x->first_bad_line = y->first_bad_line;
	merge_side(&x->a, &y->a);
	merge_side(&x->b, &y->b);
	x->better += y->better;
	x->worse += y->worse;
	x->unchanged += y->unchanged;
	x->to_manual += y->to_manual;
	x->from_manual += y->from_manual;
	for (size_t i = 0; i < SIM_N_BUCKETS; i++)
		x->buckets[i] += y->buckets[i];
	to->failed |= t->failed;
	for (size_t i = 0; i < t->n_deltas; i++)
		keep_delta(to, t->deltas[i]);
	free(t->deltas);
	t->deltas = NULL;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* The middle of a sorted run of m values (m > 0): the middle one, or the
 * mean of the two middle ones rounded half away from zero. */
static int64_t middle(const int64_t *x, size_t m)
{
	int64_t lo = x[(m - 1) / 2], hi = x[m / 2], sum = lo + hi;
	return sum >= 0 ? (sum + 1) / 2 : (sum - 1) / 2;
}

/* The median and the extreme of the changes of one sign, in øre. */
static void spread(const int64_t *sorted, size_t n, int positive, int64_t *median, int64_t *extreme)
{
	size_t lo = 0; /* the first gain */
	while (lo < n && sorted[lo] < 0)
		lo++;
	if (positive) {
		*median = lo < n ? middle(sorted + lo, n - lo) : 0;
		*extreme = lo < n ? sorted[n - 1] : 0;
	} else {
		*median = lo > 0 ? middle(sorted, lo) : 0;
		*extreme = lo > 0 ? sorted[0] : 0;
	}
}

double sim_automation(const struct sim_side *s)
{
	int64_t decided = 0;
	for (int i = 0; i < 4; i++)
		decided += s->outcomes[i];
	return decided ? (double)(decided - s->outcomes[OUTCOME_MANUAL]) / (double)decided : 0.0;
}

static int finish(struct job *jobs, int n, struct sim_report *out, struct err *e);

int sim_run(const char *data, size_t size, int threads, const struct params *pa, const struct params *pb,
	    struct sim_report *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (threads < 1 || threads > 64)
		return err_set(e, ERR_INVALID, "threads", "threads must be 1 to 64");
	struct job *jobs = calloc((size_t)threads, sizeof(*jobs));
	pthread_t *tids = calloc((size_t)threads, sizeof(*tids));
	int *started = calloc((size_t)threads, sizeof(*started));
	if (jobs == NULL || tids == NULL || started == NULL) {
		free(jobs);
		free(tids);
		free(started);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	/* One range a thread, each starting at a line's start. */
	const char *p = data, *end = data + size;
	int64_t line = 1;
	for (int i = 0; i < threads; i++) {
		const char *stop = i == threads - 1 ? end : data + size / (size_t)threads * (size_t)(i + 1);
		if (stop < p)
			stop = p;
		while (stop < end && stop > data && stop[-1] != '\n')
			stop++;
		jobs[i] = (struct job){p, stop, line, pa, pb, {{0}, NULL, 0, 0, 0}};
		for (const char *q = p; q < stop; q++)
			line += *q == '\n';
		p = stop;
	}
	/* A thread that cannot be started does its range here instead. */
	for (int i = 1; i < threads; i++)
		started[i] = pthread_create(&tids[i], NULL, work, &jobs[i]) == 0;
	work(&jobs[0]);
	for (int i = 1; i < threads; i++)
		if (started[i])
			pthread_join(tids[i], NULL);
		else
			work(&jobs[i]);
	int rc = finish(jobs, threads, out, e);
	free(jobs);
	free(tids);
	free(started);
	return rc;
}

/* Merge the threads' tallies into out, with the medians and extremes of
 * the changes. Returns 0, or -1 with e filled when memory ran out. */
static int finish(struct job *jobs, int n, struct sim_report *out, struct err *e)
{
	struct tally t = {{0}, NULL, 0, 0, 0};
	for (int i = 0; i < n; i++)
		merge(&t, &jobs[i].t);
	if (t.failed) {
		free(t.deltas);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	qsort(t.deltas, t.n_deltas, sizeof(*t.deltas), cmp_i64);
	int64_t med_down, max_down;
	spread(t.deltas, t.n_deltas, 1, &t.r.median_gain, &t.r.largest_gain);
	spread(t.deltas, t.n_deltas, 0, &med_down, &max_down);
	t.r.median_loss = -med_down;
	t.r.largest_loss = -max_down;
	free(t.deltas);
	*out = t.r;
	return 0;
}

/* The streaming run (#9: a million applications in bounded memory): the
 * caller's thread reads blocks of whole lines into a ring of slots, the
 * workers decide the blocks they take into their own tallies. Tallies are
 * sums, the changes are sorted at the end and the first bad line is the
 * least, so the answer is that of sim_run() on the whole text. */
#define SIM_SLOTS 8
#define SIM_BLOCK (1024 * 1024)

enum slot_state { SLOT_FREE, SLOT_FILLED, SLOT_TAKEN };

struct stream {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct {
		char *p;
		size_t len, cap;
		int64_t first_line;
		enum slot_state state;
	} slot[SIM_SLOTS];
	unsigned long next_take;
	int eof;
};

struct stream_worker {
	struct stream *s;
	struct job j;
};

static void *stream_work(void *arg)
{
	struct stream_worker *w = arg;
	struct stream *s = w->s;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		unsigned long seq = s->next_take;
		if (s->slot[seq % SIM_SLOTS].state == SLOT_FILLED) {
			s->slot[seq % SIM_SLOTS].state = SLOT_TAKEN;
			s->next_take++;
			pthread_mutex_unlock(&s->mu);
			w->j.start = s->slot[seq % SIM_SLOTS].p;
			w->j.end = w->j.start + s->slot[seq % SIM_SLOTS].len;
			w->j.first_line = s->slot[seq % SIM_SLOTS].first_line;
			work(&w->j);
			pthread_mutex_lock(&s->mu);
			s->slot[seq % SIM_SLOTS].state = SLOT_FREE;
			pthread_cond_broadcast(&s->cv);
			continue;
		}
		if (s->eof)
			break;
		pthread_cond_wait(&s->cv, &s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Grow a slot's buffer to hold n more bytes. */
static int slot_reserve(char **p, size_t len, size_t *cap, size_t n)
{
	if (len + n <= *cap)
		return 0;
	size_t c = *cap ? *cap : SIM_BLOCK * 2;
	while (c < len + n)
		c *= 2;
	char *q = realloc(*p, c);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

int sim_run_stream(FILE *in, int threads, const struct params *pa, const struct params *pb,
		   struct sim_report *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (threads < 1 || threads > 64)
		return err_set(e, ERR_INVALID, "threads", "threads must be 1 to 64");
	struct stream *s = calloc(1, sizeof(*s));
	struct stream_worker *w = calloc((size_t)threads, sizeof(*w));
	pthread_t *tids = calloc((size_t)threads, sizeof(*tids));
	struct job *jobs = calloc((size_t)threads, sizeof(*jobs));
	char *carry = NULL;
	size_t carry_len = 0, carry_cap = 0;
	int started = 0, oom = 0, rc = -1;
	if (s == NULL || w == NULL || tids == NULL || jobs == NULL)
		goto out;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	json_object_seed(0); /* before the workers could race to seed jansson */
	for (int i = 0; i < threads; i++) {
		w[i].s = s;
		w[i].j = (struct job){NULL, NULL, 1, pa, pb, {{0}, NULL, 0, 0, 0}};
	}
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&tids[i], NULL, stream_work, &w[i]) != 0)
			break;
		started++;
	}
	if (started == 0) {
		err_set(e, ERR_INTERNAL, NULL, "cannot start a thread");
		goto out_sync;
	}
	int64_t line = 1;
	int at_eof = 0;
	for (unsigned long fill = 0; !(at_eof && carry_len == 0); fill++) {
		pthread_mutex_lock(&s->mu);
		while (s->slot[fill % SIM_SLOTS].state != SLOT_FREE)
			pthread_cond_wait(&s->cv, &s->mu);
		pthread_mutex_unlock(&s->mu);
		char **p = &s->slot[fill % SIM_SLOTS].p;
		size_t *cap = &s->slot[fill % SIM_SLOTS].cap, len = 0;
		if (slot_reserve(p, 0, cap, carry_len + SIM_BLOCK) != 0) {
			oom = 1;
			break;
		}
		memcpy(*p, carry, carry_len);
		len = carry_len;
		carry_len = 0;
		/* Read until the block holds SIM_BLOCK bytes and a newline, or
		 * the input ends; the bytes after the last newline wait. */
		for (;;) {
			if (!at_eof) {
				if (slot_reserve(p, len, cap, SIM_BLOCK) != 0) {
					oom = 1;
					break;
				}
				size_t got = fread(*p + len, 1, *cap - len, in);
				len += got;
				at_eof = got == 0;
			}
			const char *nl = NULL;
			if (!at_eof && len >= SIM_BLOCK)
				for (size_t k = len; k > 0 && nl == NULL; k--)
					if ((*p)[k - 1] == '\n')
						nl = *p + k;
			if (at_eof || nl != NULL) {
				size_t keep = at_eof ? len : (size_t)(nl - *p);
				if (len - keep > carry_cap) {
					char *c = realloc(carry, len - keep);
					if (c == NULL) {
						oom = 1;
						break;
					}
					carry = c;
					carry_cap = len - keep;
				}
				memcpy(carry, *p + keep, len - keep);
				carry_len = len - keep;
				len = keep;
				break;
			}
		}
		if (oom)
			break;
		s->slot[fill % SIM_SLOTS].len = len;
		s->slot[fill % SIM_SLOTS].first_line = line;
		for (const char *q = *p; (q = memchr(q, '\n', (size_t)(*p + len - q))) != NULL; q++)
			line++;
		pthread_mutex_lock(&s->mu);
		s->slot[fill % SIM_SLOTS].state = SLOT_FILLED;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	if (ferror(in))
		err_set(e, ERR_INVALID, "intake", "the intake could not be read");
out_sync:
	pthread_mutex_lock(&s->mu);
	s->eof = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	for (int i = 0; i < threads; i++)
		jobs[i] = w[i].j;
	if (started > 0 && !oom && !ferror(in))
		rc = finish(jobs, threads, out, e);
	else
		for (int i = 0; i < threads; i++)
			free(jobs[i].t.deltas);
	if (oom)
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
	for (int i = 0; i < SIM_SLOTS; i++)
		free(s->slot[i].p);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
out:
	if (s == NULL || w == NULL || tids == NULL || jobs == NULL)
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
	free(carry);
	free(s);
	free(w);
	free(tids);
	free(jobs);
	return rc;
}
