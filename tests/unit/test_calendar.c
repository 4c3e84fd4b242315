/* test_calendar.c - "Mine sider"'s calendar: the iCalendar feed read back
 * with libical (events, all-day dates, alarms from the person's reminder
 * settings, nothing personal), the secret address and its revocation,
 * requests for documentation as deadlines, which reminder is due by its
 * offsets and that each is delivered exactly once, and the contact
 * preferences' checks and the mobile code's lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libical/ical.h>
#include <sodium.h>

#include "calendar/calendar.h"
#include "calendar/contact.h"
#include "cases/cases.h"
#include "cases/casework.h"
#include "cases/jobs.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/nin.h"
#include "store/calendar.h"
#include "store/store.h"
#include "testdb.h"

struct fixture {
	struct testdb db;
	struct store *s;
	int64_t person_id, case_id;
};

struct seed {
	int64_t person_id, case_id;
	const char *status;
};

static int add_person_and_case(struct store_tx *tx, void *arg, struct err *e)
{
	struct seed *sd = arg;
	char nin[12];
	int individual = 100;
	while (nin_make(date_from_ymd(2003, 2, 11), individual, 0, nin) != 0)
		individual++;
	struct person p = {0, nin, "Ola", "Testesen", date_from_ymd(2003, 2, 11), "Hemmeligveien 9", "0150", "Oslo",
			   0, NULL, NULL};
	if (store_person_insert(tx, &p, &sd->person_id, e) != 0)
		return -1;
	struct case_rec c = {0};
	c.person_id = sd->person_id;
	c.scheme = "higher-education";
	c.school_year = "2024-2025";
	c.status = sd->status;
	c.received_at = 1000;
	c.application_json = "{}";
	return store_case_insert(tx, &c, &sd->case_id, e);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (f == NULL || testdb_open(&f->db, "calendar") != 0 || i18n_init(&e) != 0 || sodium_init() < 0)
		return -1;
	f->s = f->db.s;
	struct seed sd = {0, 0, "manual"};
	if (store_write(f->s, add_person_and_case, &sd, &e) != 0)
		return -1;
	f->person_id = sd.person_id;
	f->case_id = sd.case_id;
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

static int64_t at(const char *when)
{
	int64_t t;
	assert_int_equal(date_parse_timestamp(when, &t), 0);
	return t;
}

struct put {
	struct deadline d;
	int64_t done_at;
};

static int put_deadline(struct store_tx *tx, void *arg, struct err *e)
{
	struct put *p = arg;
	if (cal_deadline_put(tx, &p->d, 1000, NULL, e) != 0)
		return -1;
	return p->done_at ? cal_deadline_done(tx, p->d.source, p->done_at, e) : 0;
}

static void deadline(struct fixture *f, int64_t case_id, const char *kind, const char *due, const char *source,
		     int64_t done_at)
{
	struct err e;
	struct put p = {{f->person_id, case_id, kind, due, "Signer innen fristen", source}, done_at};
	assert_int_equal(store_write(f->s, put_deadline, &p, &e), 0);
}

/* The feed as text, and parsed. */
static icalcomponent *feed(struct fixture *f, struct buf *text)
{
	struct err e;
	buf_init(text, 1 << 20);
	assert_int_equal(cal_feed_render(f->s, f->person_id, "https://stipend.example/", at("2025-03-01T10:00:00Z"),
					 text, &e),
			 0);
	icalcomponent *cal = icalparser_parse_string(buf_str(text));
	assert_non_null(cal);
	return cal;
}

static icalcomponent *event_with_uid(icalcomponent *cal, const char *uid_prefix)
{
	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev != NULL;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		if (strncmp(icalcomponent_get_uid(ev), uid_prefix, strlen(uid_prefix)) == 0)
			return ev;
	return NULL;
}

/* The triggers of an event's alarms, in seconds, in order. */
static int alarms(icalcomponent *ev, int out[8])
{
	int n = 0;
	for (icalcomponent *al = icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT); al != NULL && n < 8;
	     al = icalcomponent_get_next_component(ev, ICAL_VALARM_COMPONENT)) {
		icalproperty *tp = icalcomponent_get_first_property(al, ICAL_TRIGGER_PROPERTY);
		assert_non_null(tp);
		assert_non_null(icalcomponent_get_first_property(al, ICAL_ACTION_PROPERTY));
		out[n++] = icaldurationtype_as_int(icalproperty_get_trigger(tp).duration);
	}
	return n;
}

static void feed_with_two_deadlines_parses_back_with_dates_and_alarms(void **state)
{
	struct fixture *f = *state;
	struct buf text;
	char uid[64];
	deadline(f, f->case_id, "signing", "2025-03-20", "loan-document:1", 0);
	deadline(f, 0, "invoice", "2025-04-30", "invoice:1", 0);
	deadline(f, 0, "appointment", "2025-03-05", "appointment:1", 900); /* done: not in the feed */
	icalcomponent *cal = feed(f, &text);

	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 2);
	assert_non_null(icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY));
	assert_non_null(strstr(buf_str(&text), "X-WR-CALNAME:Lånekassen – frister"));
	/* Nothing about the person but the deadlines' titles and case. */
	assert_null(strstr(buf_str(&text), "Testesen"));
	assert_null(strstr(buf_str(&text), "Hemmeligveien"));
	assert_null(strstr(buf_str(&text), "Signer innen fristen"));

	icalcomponent *signing = event_with_uid(cal, "deadline-");
	assert_non_null(signing);
	struct icaltimetype start = icalcomponent_get_dtstart(signing);
	assert_true(start.is_date);
	assert_int_equal(start.year, 2025);
	assert_int_equal(start.month, 3);
	assert_int_equal(start.day, 20);
	snprintf(uid, sizeof(uid), "Signer gjeldsbrevet (sak %lld)", (long long)f->case_id);
	assert_string_equal(icalcomponent_get_summary(signing), uid);
	assert_non_null(strstr(icalcomponent_get_description(signing), "https://stipend.example/mine-sider/kalender"));
	/* The defaults: 7 days and 1 day before, at 09:00 on that day. */
	int t[8];
	assert_int_equal(alarms(signing, t), 2);
	assert_int_equal(t[0], -7 * 86400 + 9 * 3600);
	assert_int_equal(t[1], -1 * 86400 + 9 * 3600);

	/* The UID stays the same from one fetch to the next. */
	char first_uid[128];
	snprintf(first_uid, sizeof(first_uid), "%s", icalcomponent_get_uid(signing));
	icalcomponent_free(cal);
	buf_cleanup(&text);
	cal = feed(f, &text);
	icalcomponent *again = event_with_uid(cal, "deadline-");
	int found = 0;
	for (; again != NULL; again = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		found |= strcmp(icalcomponent_get_uid(again), first_uid) == 0;
	assert_true(found);
	icalcomponent_free(cal);
	buf_cleanup(&text);
}

static void feed_alarms_follow_the_persons_settings(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct cal_settings st;
	struct buf text;
	struct err e;
	int t[8];
	deadline(f, f->case_id, "signing", "2025-03-20", "loan-document:1", 0);
	deadline(f, 0, "invoice", "2025-04-30", "invoice:1", 0);
	assert_int_equal(cal_settings_load(f->s, f->person_id, &st, &e), 0);
	st.n[0] = 1; /* higher-education: 3 days before only */
	st.offsets[0][0] = 3;
	assert_string_equal(cal_case_types[0], "higher-education");
	assert_int_equal(cal_settings_save(f->s, &who, &st, 2000, &e), 0);

	icalcomponent *cal = feed(f, &text);
	icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	int checked = 0;
	for (; ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct icaltimetype start = icalcomponent_get_dtstart(ev);
		if (start.month == 3) {
			assert_int_equal(alarms(ev, t), 1);
			assert_int_equal(t[0], -3 * 86400 + 9 * 3600);
		} else {
			assert_int_equal(alarms(ev, t), 2); /* "other": the defaults */
		}
		checked++;
	}
	assert_int_equal(checked, 2);
	icalcomponent_free(cal);
	buf_cleanup(&text);
	struct audit_rec *recs;
	struct arena a;
	char object[32];
	arena_init(&a, 0);
	snprintf(object, sizeof(object), "person:%lld", (long long)f->person_id);
	int n = store_audit_of(f->s, object, &recs, &a, &e);
	assert_int_equal(n, 1);
	assert_string_equal(recs[0].action, "reminders.settings.updated");
	assert_string_equal(recs[0].detail, "types=higher-education");
	arena_cleanup(&a);
}

/* How many records of action by actor the audit log holds about the
 * fixture's person, or about no one ("-": a refusal of someone who has no
 * person of their own to act on). */
static int audited(struct fixture *f, const char *actor, const char *action)
{
	struct audit_rec *recs;
	struct arena a;
	struct err e;
	char object[32];
	int count = 0;
	arena_init(&a, 0);
	snprintf(object, sizeof(object), "person:%lld", (long long)f->person_id);
	const char *objects[] = {"-", object};
	for (int k = 0; k < 2; k++) {
		int n = store_audit_of(f->s, objects[k], &recs, &a, &e);
		assert_true(n >= 0);
		for (int i = 0; i < n; i++)
			count += strcmp(recs[i].actor, actor) == 0 && strcmp(recs[i].action, action) == 0;
	}
	arena_cleanup(&a);
	return count;
}

static void feed_address_is_revoked_and_renewed(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct err e;
	char first[CAL_TOKEN_LEN + 1], second[CAL_TOKEN_LEN + 1];
	int64_t pid = 0;

	assert_int_equal(cal_feed_token(f->s, f->person_id, first, &e), 1); /* none yet */
	assert_int_equal(cal_feed_create(f->s, &who, 1000, &e), 0);
	assert_int_equal(cal_feed_token(f->s, f->person_id, first, &e), 0);
	assert_int_equal(strlen(first), CAL_TOKEN_LEN);
	assert_int_equal(cal_feed_lookup(f->s, first, &pid, &e), 0);
	assert_int_equal(pid, f->person_id);
	/* The address shown again is the same one. */
	assert_int_equal(cal_feed_token(f->s, f->person_id, second, &e), 0);
	assert_string_equal(first, second);

	assert_int_equal(cal_feed_revoke(f->s, &who, 1100, &e), 0);
	assert_int_equal(cal_feed_lookup(f->s, first, &pid, &e), 1);
	assert_int_equal(cal_feed_token(f->s, f->person_id, second, &e), 1);
	assert_int_equal(cal_feed_revoke(f->s, &who, 1150, &e), 1); /* nothing left to revoke */

	assert_int_equal(cal_feed_create(f->s, &who, 1200, &e), 0);
	assert_int_equal(cal_feed_token(f->s, f->person_id, second, &e), 0);
	assert_string_not_equal(first, second);
	assert_int_equal(cal_feed_lookup(f->s, first, &pid, &e), 1);
	assert_int_equal(cal_feed_lookup(f->s, second, &pid, &e), 0);
	/* Making another replaces it. */
	char third[CAL_TOKEN_LEN + 1];
	assert_int_equal(cal_feed_create(f->s, &who, 1300, &e), 0);
	assert_int_equal(cal_feed_token(f->s, f->person_id, third, &e), 0);
	assert_int_equal(cal_feed_lookup(f->s, second, &pid, &e), 1);
	assert_int_equal(cal_feed_lookup(f->s, third, &pid, &e), 0);
	/* Malformed tokens find nothing. */
	assert_int_equal(cal_feed_lookup(f->s, "short", &pid, &e), 1);
	third[5] = '%';
	assert_int_equal(cal_feed_lookup(f->s, third, &pid, &e), 1);
	/* A case worker has no address of their own: the gate refuses, as
	 * for a missing thing, and audits it. */
	struct principal staff = {ROLE_CASEWORKER, 0, 1, 0};
	assert_int_equal(cal_feed_create(f->s, &staff, 1400, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audited(f, "staff:1", "calendar.feed.manage.denied"), 1);

	/* Creation and revocation are audited, never with the token. */
	struct audit_rec *recs;
	struct arena a;
	char object[32];
	arena_init(&a, 0);
	snprintf(object, sizeof(object), "person:%lld", (long long)f->person_id);
	int n = store_audit_of(f->s, object, &recs, &a, &e);
	assert_int_equal(n, 4);
	assert_string_equal(recs[0].action, "calendar.feed.created");
	assert_string_equal(recs[0].detail, "generation=1");
	assert_string_equal(recs[1].action, "calendar.feed.revoked");
	assert_string_equal(recs[2].action, "calendar.feed.created");
	assert_string_equal(recs[3].detail, "generation=3 replaces");
	for (int i = 0; i < n; i++) {
		assert_null(strstr(recs[i].detail, first));
		assert_null(strstr(recs[i].detail, second));
	}
	arena_cleanup(&a);
}

static int add_staff(struct store_tx *tx, void *arg, struct err *e)
{
	struct staff st = {0, "kari.saks", "Kari Saks", "caseworker", 0};
	return store_staff_insert(tx, &st, arg, e);
}

static int back_to_manual(struct store_tx *tx, void *arg, struct err *e)
{
	return store_case_from_manual(tx, *(int64_t *)arg, "manual", e);
}

static int reminders_of(struct fixture *f, int offsets[8]);
static void run(struct fixture *f, const char *when, int expect_ran);

static void documentation_request_is_a_deadline_while_the_case_waits(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct arena a;
	struct cal_entry *entries;
	struct doc_request dr;
	struct buf text;
	int64_t staff_id;
	int got[8];
	char ref[64], summary[64];
	const char *asked = "Send en bekreftelse fra lærestedet om studieprogresjon.";
	arena_init(&a, 0);
	assert_int_equal(store_write(f->s, add_staff, &staff_id, &e), 0);
	struct principal worker = {ROLE_CASEWORKER, 0, staff_id, 0};
	struct cases_env env = {f->s, NULL, NULL, NULL, NULL, NULL};
	struct casework_request_form form = {asked, "2025-03-20"};
	assert_int_equal(cases_request_documentation(&env, &worker, f->case_id, &form, at("2025-03-01"), &dr, NULL, &e), 0);
	assert_int_equal(store_calendar_of_person(f->s, f->person_id, &entries, &a, &e), 1);
	snprintf(ref, sizeof(ref), "documentation-request:%lld", (long long)dr.id);
	assert_string_equal(entries[0].ref, ref);
	assert_string_equal(entries[0].kind, "documentation");
	assert_string_equal(entries[0].due, "2025-03-20");
	assert_string_equal(entries[0].what, asked);
	assert_string_equal(entries[0].case_type, "higher-education");
	assert_int_equal(entries[0].case_id, f->case_id);
	assert_false(entries[0].done);

	/* In the feed by its title and case, without the case worker's text. */
	icalcomponent *cal = feed(f, &text);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 1);
	snprintf(summary, sizeof(summary), "Send dokumentasjon (sak %lld)", (long long)f->case_id);
	assert_string_equal(icalcomponent_get_summary(icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT)),
			    summary);
	assert_null(strstr(buf_str(&text), "bekreftelse"));
	icalcomponent_free(cal);
	buf_cleanup(&text);

	/* Reminded 7 days before. */
	assert_int_equal(cal_reminders_arm(f->s, at("2025-03-13"), &e), 0);
	run(f, "2025-03-13", 1);
	assert_int_equal(reminders_of(f, got), 1);

	/* Once the case no longer waits for documentation, the request is done:
	 * out of the feed, reminded no more. */
	assert_int_equal(store_write(f->s, back_to_manual, &f->case_id, &e), 0);
	arena_reset(&a);
	assert_int_equal(store_calendar_of_person(f->s, f->person_id, &entries, &a, &e), 1);
	assert_true(entries[0].done);
	cal = feed(f, &text);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 0);
	icalcomponent_free(cal);
	buf_cleanup(&text);
	run(f, "2025-03-19T07:00:00Z", 1);
	assert_int_equal(reminders_of(f, got), 1);
	arena_cleanup(&a);
}

static void reminder_pick_follows_the_offsets(void **state)
{
	(void)state;
	date_t due = date_from_ymd(2025, 3, 20);
	int offsets[] = {7, 1}, skip[CAL_MAX_OFFSETS], n_skip, none[1] = {0};
	int seven[] = {7}, both[] = {7, 1};
	assert_int_equal(cal_reminder_pick(due, due - 8, offsets, 2, none, 0, skip, &n_skip), -1);
	assert_int_equal(n_skip, 0);
	assert_int_equal(cal_reminder_pick(due, due - 7, offsets, 2, none, 0, skip, &n_skip), 7);
	assert_int_equal(n_skip, 0);
	assert_int_equal(cal_reminder_pick(due, due - 7, offsets, 2, seven, 1, skip, &n_skip), -1);
	assert_int_equal(cal_reminder_pick(due, due - 2, offsets, 2, seven, 1, skip, &n_skip), -1);
	assert_int_equal(cal_reminder_pick(due, due - 1, offsets, 2, seven, 1, skip, &n_skip), 1);
	assert_int_equal(n_skip, 0);
	assert_int_equal(cal_reminder_pick(due, due - 1, offsets, 2, both, 2, skip, &n_skip), -1);
	assert_int_equal(cal_reminder_pick(due, due, offsets, 2, both, 2, skip, &n_skip), -1);
	/* The job did not run for a week: only the latest-due one goes, the
	 * earlier one is passed over, never sent late. */
	assert_int_equal(cal_reminder_pick(due, due - 1, offsets, 2, none, 0, skip, &n_skip), 1);
	assert_int_equal(n_skip, 1);
	assert_int_equal(skip[0], 7);
	/* A deadline that has passed reminds no more. */
	assert_int_equal(cal_reminder_pick(due, due + 1, offsets, 2, none, 0, skip, &n_skip), -1);
	assert_int_equal(n_skip, 0);
	/* On the day. */
	int day[] = {0};
	assert_int_equal(cal_reminder_pick(due, due - 1, day, 1, none, 0, skip, &n_skip), -1);
	assert_int_equal(cal_reminder_pick(due, due, day, 1, none, 0, skip, &n_skip), 0);
	/* No reminders chosen. */
	assert_int_equal(cal_reminder_pick(due, due, offsets, 0, none, 0, skip, &n_skip), -1);
}

static void offsets_parse_and_the_next_run(void **state)
{
	(void)state;
	int o[CAL_MAX_OFFSETS];
	char text[32];
	assert_int_equal(cal_offsets_parse("1,7", o), 2);
	assert_int_equal(o[0], 7);
	assert_int_equal(o[1], 1);
	assert_string_equal(cal_offsets_format(o, 2, text, sizeof(text)), "7,1");
	assert_int_equal(cal_offsets_parse("", o), 0);
	assert_int_equal(cal_offsets_parse("14,3,0", o), 3);
	assert_int_equal(cal_offsets_parse("5", o), -1);  /* not a choice */
	assert_int_equal(cal_offsets_parse("7,7", o), -1);
	assert_int_equal(cal_offsets_parse("7,", o), -1);
	assert_int_equal(cal_offsets_parse("-1", o), -1);
	assert_int_equal(cal_reminders_next_run(at("2025-03-13")), at("2025-03-13T06:00:00Z"));
	assert_int_equal(cal_reminders_next_run(at("2025-03-13T06:00:00Z")), at("2025-03-14T06:00:00Z"));
	assert_int_equal(cal_reminders_next_run(at("2025-03-13T23:00:00Z")), at("2025-03-14T06:00:00Z"));
}

static const struct job_kind reminder_kinds[] = {{"reminders", cal_reminders_run, NULL}, {NULL, NULL, NULL}};

/* The reminder letters the person has, and the offsets they were for. */
static int reminders_of(struct fixture *f, int offsets[8])
{
	struct letter *letters;
	struct arena a;
	struct err e;
	int n = 0;
	arena_init(&a, 0);
	int count = store_letters_of_person(f->s, f->person_id, &letters, NULL, &a, &e);
	for (int i = count - 1; i >= 0; i--) {
		if (strcmp(letters[i].kind, "reminder") != 0)
			continue;
		json_t *v = cal_reminder_view(f->s, &a, letters[i].id);
		assert_non_null(v);
		if (n < 8)
			offsets[n] = (int)json_integer_value(json_object_get(v, "offset"));
		n++;
		json_decref(v);
	}
	arena_cleanup(&a);
	return n;
}

static void run(struct fixture *f, const char *when, int expect_ran)
{
	struct err e;
	int ran = -1;
	assert_int_equal(jobs_run_due(f->s, reminder_kinds, NULL, NULL, at(when), 100, &ran, &e), 0);
	assert_int_equal(ran, expect_ran);
}

static void reminders_are_delivered_at_the_offsets_exactly_once(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int got[8];
	deadline(f, f->case_id, "signing", "2025-03-20", "loan-document:1", 0);
	assert_int_equal(cal_reminders_arm(f->s, at("2025-03-01"), &e), 0);
	assert_int_equal(cal_reminders_arm(f->s, at("2025-03-01"), &e), 0); /* armed once */

	run(f, "2025-03-12", 1); /* 8 days before: nothing yet */
	assert_int_equal(reminders_of(f, got), 0);
	run(f, "2025-03-13", 1); /* 7 days before */
	assert_int_equal(reminders_of(f, got), 1);
	assert_int_equal(got[0], 7);
	run(f, "2025-03-13", 0); /* the job waits for its next run */
	run(f, "2025-03-13T12:00:00Z", 1);
	run(f, "2025-03-14T12:00:00Z", 1);
	assert_int_equal(reminders_of(f, got), 1);
	run(f, "2025-03-19T07:00:00Z", 1); /* 1 day before */
	assert_int_equal(reminders_of(f, got), 2);
	assert_int_equal(got[1], 1);
	/* The job run again, as by a worker whose lease ran out after the
	 * commit, delivers nothing more. */
	struct job_rec job = {0, "reminders", 0, "running", 1, 0, NULL};
	assert_int_equal(cal_reminders_run(f->s, &job, at("2025-03-19T08:00:00Z"), NULL, &e), 0);
	run(f, "2025-03-20T07:00:00Z", 1);
	run(f, "2025-03-21T07:00:00Z", 1);
	assert_int_equal(reminders_of(f, got), 2);

	/* The letter says what the deadline is. */
	struct letter *letters;
	struct arena a;
	arena_init(&a, 0);
	assert_true(store_letters_of_person(f->s, f->person_id, &letters, NULL, &a, &e) >= 2);
	assert_string_equal(letters[0].kind, "reminder");
	assert_int_equal(letters[0].case_id, f->case_id);
	json_t *v = cal_reminder_view(f->s, &a, letters[0].id);
	assert_string_equal(json_string_value(json_object_get(v, "due")), "2025-03-20");
	assert_string_equal(json_string_value(json_object_get(v, "kind_key")), "mypages.kind.signing");
	json_decref(v);
	arena_cleanup(&a);
}

static void reminders_passed_over_while_the_job_was_away_are_not_sent_late(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int got[8];
	deadline(f, f->case_id, "signing", "2025-03-20", "loan-document:1", 0);
	deadline(f, f->case_id, "signing", "2025-03-25", "loan-document:2", 900); /* done: never reminded */
	assert_int_equal(cal_reminders_arm(f->s, at("2025-03-19T07:00:00Z"), &e), 0);
	run(f, "2025-03-19T07:00:00Z", 1);
	assert_int_equal(reminders_of(f, got), 1);
	assert_int_equal(got[0], 1);
	run(f, "2025-03-20T07:00:00Z", 1);
	assert_int_equal(reminders_of(f, got), 1);
}

static void contact_checks_email_and_mobile(void **state)
{
	(void)state;
	char out[300], m[16];
	assert_int_equal(contact_email_check("  kari@example.no ", out, sizeof(out)), 0);
	assert_string_equal(out, "kari@example.no");
	assert_int_equal(contact_email_check("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(contact_email_check("kari", out, sizeof(out)), -1);
	assert_int_equal(contact_email_check("kari@example", out, sizeof(out)), -1);
	assert_int_equal(contact_email_check("ka ri@example.no", out, sizeof(out)), -1);
	assert_int_equal(contact_email_check("a@b@example.no", out, sizeof(out)), -1);
	assert_int_equal(contact_email_check("@example.no", out, sizeof(out)), -1);
	assert_int_equal(contact_email_check("kari@example..no", out, sizeof(out)), -1);
	assert_int_equal(contact_email_check("kari@example.no<script>", out, sizeof(out)), -1);

	assert_int_equal(contact_mobile_normalise("912 34 567", m), 0);
	assert_string_equal(m, "+4791234567");
	assert_int_equal(contact_mobile_normalise("+47 412-34-567", m), 0);
	assert_string_equal(m, "+4741234567");
	assert_int_equal(contact_mobile_normalise("0047 91234567", m), 0);
	assert_string_equal(m, "+4791234567");
	assert_int_equal(contact_mobile_normalise("", m), 0);
	assert_string_equal(m, "");
	assert_int_equal(contact_mobile_normalise("22 33 44 55", m), -1); /* a landline */
	assert_int_equal(contact_mobile_normalise("9123456", m), -1);
	assert_int_equal(contact_mobile_normalise("+46 91234567", m), -1);
	assert_int_equal(contact_mobile_normalise("912345678", m), -1);
	assert_int_equal(contact_mobile_normalise("91234567a", m), -1);
	assert_int_equal(contact_mobile_normalise("+", m), -1);
}

static void wrong_code_five_times_locks_and_a_new_code_verifies(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct contact_saved saved;
	struct contact_prefs p;
	struct arena a;
	struct err e;
	enum contact_verify_result res;
	int left;
	arena_init(&a, 0);

	/* SMS without a verified number is refused, storing nothing. */
	struct contact_change c = {"ola@example.no", "+4791234567", "sms", "nb", 0};
	assert_int_equal(contact_save(f->s, &who, &c, 1000, &saved, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "channel");
	assert_int_equal(store_contact_get(f->s, f->person_id, &p, &a, &e), 1);

	c.channel = "email";
	assert_int_equal(contact_save(f->s, &who, &c, 1000, &saved, &e), 0);
	assert_true(saved.code_needed);
	assert_string_equal(saved.number, "+4791234567");
	char code[7], wrong[7];
	snprintf(code, sizeof(code), "%s", saved.code);
	snprintf(wrong, sizeof(wrong), "%s", code);
	wrong[0] = wrong[0] == '9' ? '0' : (char)(wrong[0] + 1);
	assert_int_equal(store_contact_get(f->s, f->person_id, &p, &a, &e), 0);
	assert_null(p.mobile);
	assert_string_equal(p.mobile_pending, "+4791234567");
	assert_null(strstr(p.mobile_code_hash, code));

	for (int i = 1; i <= CONTACT_CODE_TRIES; i++) {
		assert_int_equal(contact_verify(f->s, &who, wrong, 1010, &res, &left, &e), 0);
		assert_int_equal(res, i < CONTACT_CODE_TRIES ? CONTACT_WRONG : CONTACT_LOCKED);
		assert_int_equal(left, CONTACT_CODE_TRIES - i);
	}
	/* Locked: even the right code is refused now. */
	assert_int_equal(contact_verify(f->s, &who, code, 1020, &res, &left, &e), 0);
	assert_int_equal(res, CONTACT_LOCKED);
	assert_int_equal(store_contact_get(f->s, f->person_id, &p, &a, &e), 0);
	assert_null(p.mobile);

	/* A new code for the same number. */
	c.new_code = 1;
	assert_int_equal(contact_save(f->s, &who, &c, 1030, &saved, &e), 0);
	assert_true(saved.code_needed);
	/* Too late. */
	assert_int_equal(contact_verify(f->s, &who, saved.code, 1030 + CONTACT_CODE_TTL + 1, &res, &left, &e), 0);
	assert_int_equal(res, CONTACT_EXPIRED);
	assert_int_equal(contact_save(f->s, &who, &c, 1040, &saved, &e), 0);
	assert_int_equal(contact_verify(f->s, &who, saved.code, 1050, &res, &left, &e), 0);
	assert_int_equal(res, CONTACT_VERIFIED);
	assert_int_equal(store_contact_get(f->s, f->person_id, &p, &a, &e), 0);
	assert_string_equal(p.mobile, "+4791234567");
	assert_null(p.mobile_pending);
	assert_int_equal(p.mobile_verified_at, 1050);
	/* Now SMS may be chosen; the same number asks for no new code. */
	c.channel = "sms";
	c.new_code = 0;
	assert_int_equal(contact_save(f->s, &who, &c, 1060, &saved, &e), 0);
	assert_false(saved.code_needed);
	assert_int_equal(contact_verify(f->s, &who, "123456", 1070, &res, &left, &e), 0);
	assert_int_equal(res, CONTACT_NO_CODE);
	/* At most CONTACT_CODES_PER_DAY codes a day (three sent so far). */
	const char *numbers[] = {"+4791111111", "+4792222222", "+4793333333"};
	for (int i = 0; i < 3; i++) {
		c.mobile = numbers[i];
		int rc = contact_save(f->s, &who, &c, 1100 + i, &saved, &e);
		assert_int_equal(rc, i < 2 ? 0 : -1);
	}
	assert_string_equal(e.field, "mobile");
	arena_cleanup(&a);
}

static const struct principal a_caseworker = {ROLE_CASEWORKER, 0, 1, 1};
static const struct principal a_visitor = {ROLE_ANONYMOUS, 0, 0, 0};

static void reminder_settings_are_changed_only_by_the_person_and_refusals_are_audited(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct cal_settings st;
	struct err e;
	int bad[CAL_MAX_TYPES];
	const struct cal_choice chosen[] = {
		{"csrf", "ignored"}, {"upper-secondary", "1"}, {"upper-secondary", "3"}, {"upper-secondary", "1"}};
	assert_int_equal(cal_settings_update(f->s, &who, chosen, 4, 2000, &st, bad, &e), 0);
	assert_int_equal(cal_settings_read(f->s, &who, 2001, &st, &e), 0);
	const int *offsets;
	assert_int_equal(cal_settings_of(&st, "upper-secondary", &offsets), 2);
	assert_int_equal(offsets[0], 3); /* earliest first, once each */
	assert_int_equal(offsets[1], 1);
	assert_int_equal(cal_settings_of(&st, "higher-education", &offsets), 0); /* none checked: none */

	/* A box that is no choice: the type named, nothing stored. */
	const struct cal_choice wrong[] = {{"higher-education", "7"}, {"interest-relief", "5"}, {"other", "x"}};
	assert_int_equal(cal_settings_update(f->s, &who, wrong, 3, 2002, &st, bad, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "interest-relief");
	assert_int_equal(bad[0], 0);
	assert_int_equal(bad[3], 1);
	assert_int_equal(bad[4], 1);
	assert_int_equal(cal_settings_of(&st, "higher-education", &offsets), 1); /* the valid ones, to show */

	/* A case worker and a visitor are refused before their input is
	 * looked at (a wrong box gives no 422), each refusal audited with the
	 * policy's name, and the person's settings stay. */
	const struct principal *others[] = {&a_caseworker, &a_visitor};
	const char *actors[] = {"staff:1", "anonymous"};
	for (int k = 0; k < 2; k++) {
		const struct cal_choice all_off[] = {{"upper-secondary", "14"}};
		assert_int_equal(cal_settings_update(f->s, others[k], all_off, 1, 2003, &st, bad, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(cal_settings_update(f->s, others[k], wrong, 3, 2004, &st, bad, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(cal_settings_save(f->s, others[k], &st, 2005, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(audited(f, actors[k], "preferences.write.denied"), 3);
		assert_int_equal(cal_settings_read(f->s, others[k], 2006, &st, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(audited(f, actors[k], "preferences.read.denied"), 1);
	}
	assert_int_equal(cal_settings_load(f->s, f->person_id, &st, &e), 0);
	assert_int_equal(cal_settings_of(&st, "upper-secondary", &offsets), 2);
	assert_int_equal(offsets[0], 3);
}

static void contact_preferences_are_changed_only_by_the_person(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct contact_saved saved;
	struct contact_prefs p;
	struct arena a;
	struct err e;
	enum contact_verify_result res;
	arena_init(&a, 0);

	/* Every field is checked after the gate, each problem named. */
	struct contact_change bad = {"ikke en adresse", "12 34", "email", "de", 0, 0};
	assert_int_equal(contact_save(f->s, &who, &bad, 1000, &saved, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "email");
	assert_int_equal(saved.email, CONTACT_EMAIL_INVALID);
	assert_int_equal(saved.mobile, CONTACT_MOBILE_INVALID);
	assert_int_equal(saved.channel, CONTACT_FINE); /* the address's own problem says it */
	assert_int_equal(saved.language, CONTACT_LANGUAGE_INVALID);
	struct contact_change no_email = {"", "", "email", "nb", 0, 0};
	assert_int_equal(contact_save(f->s, &who, &no_email, 1000, &saved, &e), -1);
	assert_int_equal(saved.channel, CONTACT_EMAIL_NEEDED);
	/* A new number without a gateway to send its code. */
	struct contact_change number = {"ola@example.no", "912 34 567", "email", "nb", 0, 1};
	assert_int_equal(contact_save(f->s, &who, &number, 1000, &saved, &e), -1);
	assert_int_equal(saved.mobile, CONTACT_SMS_UNAVAILABLE);
	assert_int_equal(store_contact_get(f->s, f->person_id, &p, &a, &e), 1);

	struct contact_change good = {" ola@example.no ", "", "email", "en", 0, 0};
	assert_int_equal(contact_save(f->s, &who, &good, 1010, &saved, &e), 0);
	assert_int_equal(contact_read(f->s, &who, 1011, &p, &a, &e), 0);
	assert_string_equal(p.email, "ola@example.no");
	assert_string_equal(p.language, "en");

	const struct principal *others[] = {&a_caseworker, &a_visitor};
	const char *actors[] = {"staff:1", "anonymous"};
	for (int k = 0; k < 2; k++) {
		struct contact_change theirs = {"other@example.no", "", "none", "nb", 0, 0};
		assert_int_equal(contact_save(f->s, others[k], &theirs, 1020, &saved, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(contact_save(f->s, others[k], &bad, 1021, &saved, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND); /* not ERR_INVALID: the input is not looked at */
		assert_int_equal(contact_resend(f->s, others[k], 0, 1022, &saved, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(contact_verify(f->s, others[k], "12", 1023, &res, NULL, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(audited(f, actors[k], "preferences.write.denied"), 4);
		assert_int_equal(contact_read(f->s, others[k], 1024, &p, &a, &e), -1);
		assert_int_equal(audited(f, actors[k], "preferences.read.denied"), 1);
	}
	assert_int_equal(contact_read(f->s, &who, 1030, &p, &a, &e), 0);
	assert_string_equal(p.email, "ola@example.no");
	assert_string_equal(p.channel, "email");
	arena_cleanup(&a);
}

static void overview_and_calendar_are_only_the_persons_own(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct cal_overview o;
	struct cal_calendar c;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	deadline(f, f->case_id, "signing", "2025-03-20", "loan-document:1", 0);
	assert_int_equal(cal_overview_read(f->s, &who, 1000, &o, &a, &e), 0);
	assert_int_equal(o.n_cases, 1);
	assert_int_equal(o.cases[0].id, f->case_id);
	assert_int_equal(o.n_letters, 0);
	assert_int_equal(o.n_entries, 1);
	assert_int_equal(cal_calendar_read(f->s, &who, 1000, &c, &a, &e), 0);
	assert_int_equal(c.n_entries, 1);
	assert_false(c.has_feed);
	assert_int_equal(cal_feed_manage(f->s, &who, "create", 1001, &e), 0);
	assert_int_equal(cal_calendar_read(f->s, &who, 1002, &c, &a, &e), 0);
	assert_true(c.has_feed);
	assert_int_equal(strlen(c.token), CAL_TOKEN_LEN);
	char shown[CAL_TOKEN_LEN + 1];
	memcpy(shown, c.token, sizeof(shown));

	const struct principal *others[] = {&a_caseworker, &a_visitor};
	const char *actors[] = {"staff:1", "anonymous"};
	for (int k = 0; k < 2; k++) {
		assert_int_equal(cal_overview_read(f->s, others[k], 1010, &o, &a, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(o.n_cases, 0);
		assert_int_equal(cal_calendar_read(f->s, others[k], 1011, &c, &a, &e), -1);
		assert_false(c.has_feed);
		assert_int_equal(audited(f, actors[k], "mypages.read.denied"), 2);
		assert_int_equal(cal_feed_manage(f->s, others[k], "revoke", 1012, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(cal_feed_manage(f->s, others[k], "nonsense", 1013, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		assert_int_equal(audited(f, actors[k], "calendar.feed.manage.denied"), 2);
	}
	/* The person's address still works; an unknown action is theirs to
	 * get wrong. */
	char token[CAL_TOKEN_LEN + 1];
	assert_int_equal(cal_feed_token(f->s, f->person_id, token, &e), 0);
	assert_string_equal(token, shown);
	assert_int_equal(cal_feed_manage(f->s, &who, "nonsense", 1020, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	arena_cleanup(&a);
}

static void feed_reading_is_audited_against_the_person(void **state)
{
	struct fixture *f = *state;
	struct principal who = {ROLE_PERSON, f->person_id};
	struct buf out;
	struct err e;
	char token[CAL_TOKEN_LEN + 1];
	deadline(f, f->case_id, "signing", "2025-03-20", "loan-document:1", 0);
	assert_int_equal(cal_feed_create(f->s, &who, 1000, &e), 0);
	assert_int_equal(cal_feed_token(f->s, f->person_id, token, &e), 0);
	buf_init(&out, 1 << 20);
	assert_int_equal(cal_feed_read(f->s, &a_visitor, token, "https://stipend.example", 1100, &out, &e), 0);
	assert_non_null(strstr(buf_str(&out), "BEGIN:VEVENT"));
	assert_int_equal(audited(f, "anonymous", "calendar.feed.read"), 1);
	/* An unknown address writes nothing and records nothing. */
	buf_reset(&out);
	char wrong[CAL_TOKEN_LEN + 1];
	memcpy(wrong, token, sizeof(wrong));
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	assert_int_equal(cal_feed_read(f->s, &a_visitor, wrong, "https://stipend.example", 1200, &out, &e), 1);
	assert_int_equal(out.len, 0);
	assert_int_equal(audited(f, "anonymous", "calendar.feed.read"), 1);
	buf_cleanup(&out);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(feed_with_two_deadlines_parses_back_with_dates_and_alarms, setup, teardown),
		cmocka_unit_test_setup_teardown(feed_alarms_follow_the_persons_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(feed_address_is_revoked_and_renewed, setup, teardown),
		cmocka_unit_test_setup_teardown(documentation_request_is_a_deadline_while_the_case_waits, setup, teardown),
		cmocka_unit_test(reminder_pick_follows_the_offsets),
		cmocka_unit_test(offsets_parse_and_the_next_run),
		cmocka_unit_test_setup_teardown(reminders_are_delivered_at_the_offsets_exactly_once, setup, teardown),
		cmocka_unit_test_setup_teardown(reminders_passed_over_while_the_job_was_away_are_not_sent_late, setup,
						teardown),
		cmocka_unit_test(contact_checks_email_and_mobile),
		cmocka_unit_test_setup_teardown(wrong_code_five_times_locks_and_a_new_code_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(reminder_settings_are_changed_only_by_the_person_and_refusals_are_audited,
						setup, teardown),
		cmocka_unit_test_setup_teardown(contact_preferences_are_changed_only_by_the_person, setup, teardown),
		cmocka_unit_test_setup_teardown(overview_and_calendar_are_only_the_persons_own, setup, teardown),
		cmocka_unit_test_setup_teardown(feed_reading_is_audited_against_the_person, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
