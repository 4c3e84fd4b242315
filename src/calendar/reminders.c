/* reminders.c - reminders before a deadline: which one is due, the
 * recurring job that delivers them as letters, and a reminder letter's
 * content; see calendar.h.
 *
 * Exactly once: each reminder is a row keyed by the deadline's ref and the
 * offset (reminders_sent), inserted in the same transaction as the letter
 * that carries it. A job that runs twice, or two runners at once, find the
 * row and deliver nothing more. */
#include "calendar/calendar.h"

#include <stdio.h>
#include <string.h>

#include "cases/jobs.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "mailbox/mailbox.h"

/* Due entries read at a time by the job. */
#define DUE_PAGE 500

static int has(const int *list, int n, int k)
{
	for (int i = 0; i < n; i++)
		if (list[i] == k)
			return 1;
	return 0;
}

int cal_reminder_pick(date_t due, date_t today, const int *offsets, int n, const int *recorded, int n_recorded,
		      int *skip, int *n_skip)
{
	int pick = -1;
	*n_skip = 0;
	if (today > due)
		return -1;
	for (int i = 0; i < n; i++)
		if (due - offsets[i] <= today && (pick < 0 || offsets[i] < pick))
			pick = offsets[i];
	for (int i = 0; i < n; i++)
		if (offsets[i] != pick && due - offsets[i] <= today && !has(recorded, n_recorded, offsets[i]) &&
		    *n_skip < CAL_MAX_OFFSETS)
			skip[(*n_skip)++] = offsets[i];
	return pick >= 0 && !has(recorded, n_recorded, pick) ? pick : -1;
}

int64_t cal_reminders_next_run(int64_t now)
{
	int64_t day = now >= 0 ? now / 86400 : (now - 86399) / 86400;
	int64_t t = day * 86400 + CAL_REMINDER_HOUR * 3600;
	return t > now ? t : t + 86400;
}

/* The offsets recorded for an entry, "7,1" from the store (any order, any
 * value: they were valid choices when recorded). */
static int parse_recorded(const char *text, int out[CAL_MAX_OFFSETS * 2])
{
	int n = 0, k = 0, digits = 0;
	for (const char *p = text ? text : ""; n < CAL_MAX_OFFSETS * 2; p++) {
		if (*p >= '0' && *p <= '9') {
			k = k * 10 + (*p - '0');
			digits++;
			continue;
		}
		if (digits)
			out[n++] = k;
		k = digits = 0;
		if (*p == '\0')
			break;
	}
	return n;
}

struct deliver {
	const struct cal_entry *entry;
	int pick;
	const int *skip;
	int n_skip;
	int64_t now;
	int delivered;
};

static int deliver_one(struct store_tx *tx, void *arg, struct err *e)
{
	struct deliver *d = arg;
	int fresh = 0;
	for (int i = 0; i < d->n_skip; i++)
		if (store_reminder_record(tx, d->entry->ref, d->skip[i], d->entry->person_id, d->now, &fresh, e) != 0)
			return -1;
	d->delivered = 0;
	if (d->pick < 0)
		return 0;
	if (store_reminder_record(tx, d->entry->ref, d->pick, d->entry->person_id, d->now, &fresh, e) != 0)
		return -1;
	if (!fresh)
		return 0; /* another run delivered it */
	int64_t letter_id;
	if (mbox_deliver(tx, d->entry->person_id, d->entry->case_id, "reminder", d->now, &letter_id, e) != 0 ||
	    store_reminder_set_letter(tx, d->entry->ref, d->pick, letter_id, e) != 0)
		return -1;
	d->delivered = 1;
	return 0;
}

struct finish {
	int64_t job_id, now;
};

static int finish(struct store_tx *tx, void *arg, struct err *e)
{
	struct finish *f = arg;
	if (store_job_done(tx, f->job_id, e) != 0)
		return -1;
	return store_job_enqueue(tx, "reminders", 0, cal_reminders_next_run(f->now), f->now, e);
}

int cal_reminders_run(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	(void)ctx;
	struct arena a;
	char from[11], to[11], after[64] = "";
	date_t today = (date_t)(now >= 0 ? now / 86400 : (now - 86399) / 86400);
	int sent = 0, rc = 0;
	date_format(today, from);
	date_format(today + CAL_OFFSET_MAX, to);
	arena_init(&a, 0);
	struct cal_due *due = arena_alloc(&a, sizeof(*due) * DUE_PAGE);
	for (;;) {
		int n = store_calendar_due(s, from, to, after, due, DUE_PAGE, &a, e);
		if (n < 0) {
			rc = -1;
			break;
		}
		for (int i = 0; i < n && rc == 0; i++) {
			int offsets[CAL_MAX_OFFSETS], recorded[CAL_MAX_OFFSETS * 2], skip[CAL_MAX_OFFSETS], n_skip;
			date_t day;
			if (date_parse(due[i].entry.due, &day) != 0)
				continue;
			int n_off = due[i].offsets ? cal_offsets_parse(due[i].offsets, offsets) : -1;
			if (n_off < 0)
				n_off = cal_default_offsets(offsets);
			int n_rec = parse_recorded(due[i].recorded, recorded);
			int pick = cal_reminder_pick(day, today, offsets, n_off, recorded, n_rec, skip, &n_skip);
			if (pick < 0 && n_skip == 0)
				continue;
			struct deliver d = {&due[i].entry, pick, skip, n_skip, now, 0};
			if (store_write(s, deliver_one, &d, e) != 0)
				rc = -1;
			sent += d.delivered;
		}
		if (rc != 0 || n < DUE_PAGE)
			break;
		snprintf(after, sizeof(after), "%s", due[n - 1].entry.ref);
		/* The rows of the page are no longer needed; the refs are copied. */
		arena_reset(&a);
		due = arena_alloc(&a, sizeof(*due) * DUE_PAGE);
	}
	arena_cleanup(&a);
	if (rc != 0)
		return -1;
	if (sent > 0)
		log_info("reminders: %d delivered for %s", sent, from);
	struct finish f = {job->id, now};
	return store_write(s, finish, &f, e);
}

static int arm(struct store_tx *tx, void *arg, struct err *e)
{
	int64_t now = *(int64_t *)arg;
	return store_job_enqueue(tx, "reminders", 0, now, now, e);
}

int cal_reminders_arm(struct store *s, int64_t now, struct err *e)
{
	return store_write(s, arm, &now, e);
}

json_t *cal_reminder_view(struct store *s, struct arena *a, int64_t letter_id)
{
	struct cal_entry x;
	struct err e;
	int offset = 0;
	if (store_reminder_of_letter(s, letter_id, &x, &offset, a, &e) != 0)
		return NULL;
	json_t *j = json_pack("{s:s,s:s,s:s,s:I,s:i,s:b}", "kind", x.kind, "kind_key",
			      arena_printf(a, "mypages.kind.%s", x.kind), "due", x.due, "case_id", (json_int_t)x.case_id,
			      "offset", offset, "done", x.done);
	if (x.what != NULL)
		json_object_set_new(j, "what", json_string(x.what));
	if (offset == 0)
		json_object_set_new(j, "today", json_true());
	return j;
}
