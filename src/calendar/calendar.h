/* calendar.h - a person's deadlines and appointments as a calendar: the
 * entries themselves, the reminders before them, and the iCalendar feed at
 * a secret address ("Mine sider").
 *
 * Entries come from two places: the deadlines table, which later issues
 * write with cal_deadline_put() (sign the loan document by, invoice due,
 * an appointment), and the requests for documentation a case worker makes
 * (read where they are kept; open while the case waits for documentation).
 *
 * Reminders: a person chooses, per case type (a case's scheme, or "other"
 * for an entry without a case), how many days before a deadline to be
 * reminded, from cal_offset_choices (14, 7, 3, 1 days, or on the day).
 * Without a choice the defaults hold: 7 and 1 days before, for every case
 * type. The recurring job "reminders" runs once a day at
 * CAL_REMINDER_HOUR:00 UTC; each reminder falls due at the start (UTC) of
 * its day and is delivered as a letter of kind "reminder" to the mailbox
 * (whose notice then goes by the person's channel), once per deadline and
 * offset. When the job finds several reminders of one deadline due at once
 * (it did not run for days), only the latest-due one is sent: the others
 * are recorded as passed over, never sent late.
 *
 * Every function that reads or changes a person's calendar, reminders or
 * feed address on their behalf takes the acting identity (who) and asks
 * the gate (access_check) first, about the person who acts on
 * (access_subject(who)), object "person:N": a refusal is audited there,
 * once, and answers ERR_NOT_FOUND. The functions that take a person_id
 * instead are for the domain's own use (the feed at its secret address,
 * the reminder job) and for tests.
 *
 * Dates are calendar days in UTC, as everywhere in stipend; the clock is
 * an input (now) to every function here. */
#ifndef STIPEND_CALENDAR_H
#define STIPEND_CALENDAR_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "core/date.h"
#include "core/i18n.h"
#include "store/calendar.h"
#include "store/store.h"

struct arena;
struct buf;
struct err;

/* ---- entries ---- */

/* The kinds of entry: documentation, signing, invoice, appointment. 1 when
 * kind is one of them. */
int cal_kind_valid(const char *kind);

/* Write a deadline within the caller's transaction (whose audit record
 * covers it: the calendar adds none). d->kind must be valid, d->due a date,
 * d->source non-empty; else ERR_INVALID naming the field, nothing stored.
 * Writing the same source again updates that deadline. *id may be NULL. */
int cal_deadline_put(struct store_tx *tx, const struct deadline *d, int64_t now, int64_t *id, struct err *e);

/* Mark the deadline of source done (at > 0) or open again (at = 0). Returns
 * 0, or -1 with ERR_NOT_FOUND when there is no such deadline. */
int cal_deadline_done(struct store_tx *tx, const char *source, int64_t at, struct err *e);

/* ---- Mine sider ---- */

#define CAL_TOKEN_LEN 43 /* a feed address's token: base64url of 32 bytes, no padding */

/* The overview of "Mine sider": the person's cases (newest first), letters
 * (newest first) with the count of unread ones, and calendar entries (by
 * due date). Arrays and strings in a. */
struct cal_overview {
	struct case_rec *cases;
	int n_cases;
	struct letter *letters;
	int n_letters, unread;
	struct cal_entry *entries;
	int n_entries;
};

/* Fill out with the overview of who's own things, after the gate
 * (ACT_MYPAGES_READ). Returns 0, or -1: ERR_NOT_FOUND when refused (the
 * refusal audited), the store's error otherwise. Reading it is not
 * audited: it is the person's own overview. */
int cal_overview_read(struct store *s, const struct principal *who, int64_t now, struct cal_overview *out,
		      struct arena *a, struct err *e);

/* The calendar page: every entry of the person, and the feed's secret
 * address when there is one (has_feed, token). */
struct cal_calendar {
	struct cal_entry *entries;
	int n_entries;
	int has_feed;
	char token[CAL_TOKEN_LEN + 1];
};

/* Fill out with who's calendar, after the gate (ACT_MYPAGES_READ).
 * Returns 0, or -1 as cal_overview_read. */
int cal_calendar_read(struct store *s, const struct principal *who, int64_t now, struct cal_calendar *out,
		      struct arena *a, struct err *e);

/* ---- reminder settings ---- */

#define CAL_MAX_OFFSETS 8
#define CAL_MAX_TYPES 8 /* room for the case types */
#define CAL_OFFSET_MAX 14 /* the earliest reminder, in days before */

/* The offsets a person may choose, earliest first, ended by -1. */
extern const int cal_offset_choices[];
/* The case types settings are kept for, ended by NULL. */
extern const char *const cal_case_types[];

/* The defaults: 7 and 1 days before. Fills out, returns the count. */
int cal_default_offsets(int out[CAL_MAX_OFFSETS]);

/* Parse "7,1" (or "" for none): each a choice, none twice. Returns the
 * count, sorted earliest first, or -1 for anything else. */
int cal_offsets_parse(const char *text, int out[CAL_MAX_OFFSETS]);
/* Write offsets as "7,1" into out (at least 4 * n + 1 bytes). */
char *cal_offsets_format(const int *offsets, int n, char *out, size_t len);

/* A person's offsets for every case type, the defaults where none is set. */
struct cal_settings {
	int n[CAL_MAX_TYPES];
	int offsets[CAL_MAX_TYPES][CAL_MAX_OFFSETS]; /* in cal_case_types' order */
};
/* person_id's settings, for the domain's own use (the feed, tests):
 * asks no one. Returns 0 or -1. */
int cal_settings_load(struct store *s, int64_t person_id, struct cal_settings *out, struct err *e);

/* who's settings, after the gate (ACT_PREFERENCES_READ). Returns 0, or -1:
 * ERR_NOT_FOUND when refused (audited), the store's error otherwise. */
int cal_settings_read(struct store *s, const struct principal *who, int64_t now, struct cal_settings *out,
		      struct err *e);
/* The offsets of case_type in st (the "other" type's for an unknown one);
 * returns the count and points *offsets at them. */
int cal_settings_of(const struct cal_settings *st, const char *case_type, const int **offsets);

/* Store who's offsets for each case type (offsets[i] for cal_case_types[i],
 * n[i] of them), with an audit record naming the types changed, after the
 * gate (ACT_PREFERENCES_WRITE). Returns 0, or -1: ERR_NOT_FOUND when
 * refused (audited, nothing changed), the store's error otherwise. */
int cal_settings_save(struct store *s, const struct principal *who, const struct cal_settings *st, int64_t now,
		      struct err *e);

/* One box of the reminder form as sent: its name (a case type) and its
 * value (days before, as text). Boxes of other names are ignored. */
struct cal_choice {
	const char *case_type;
	const char *days;
};

/* Save who's reminder settings from the form's checked boxes (n of them):
 * each case type gets the days of its boxes, none checked meaning no
 * reminders for it. The gate (ACT_PREFERENCES_WRITE) is asked before the
 * input is looked at, so that a refused request learns nothing from it.
 * Returns 0 (saved, as cal_settings_save), or -1: ERR_NOT_FOUND when
 * refused (audited); ERR_INVALID (field: the first wrong case type) when a
 * box is not one of cal_offset_choices, nothing stored, bad[i] set to 1 for
 * each wrong cal_case_types[i] and st holding the valid choices to show
 * again; the store's error otherwise. st and bad are always filled (st
 * with the choices, earliest first). */
int cal_settings_update(struct store *s, const struct principal *who, const struct cal_choice *choices, int n,
			int64_t now, struct cal_settings *st, int bad[CAL_MAX_TYPES], struct err *e);

/* ---- reminders ---- */

#define CAL_REMINDER_HOUR 6 /* UTC: 07:00 or 08:00 in Norway */

/* Which reminder of an entry due on `due` to send on `today`, given the
 * person's offsets (n of them) and those recorded already (n_recorded).
 * The offsets due are those k with due - k <= today <= due; the smallest
 * of them is the one to send, unless it is recorded. Returns that offset,
 * or -1 when none is to be sent; skip (room for CAL_MAX_OFFSETS) receives
 * the other due offsets not yet recorded, *n_skip their count. Pure. */
int cal_reminder_pick(date_t due, date_t today, const int *offsets, int n, const int *recorded, int n_recorded,
		      int *skip, int *n_skip);

/* When the recurring job runs next after now: the next CAL_REMINDER_HOUR:00
 * UTC strictly after now. */
int64_t cal_reminders_next_run(int64_t now);

/* The job kind "reminders" (subject 0): deliver every reminder due on
 * now's day, each in its own transaction with its record, then finish the
 * job and arm it again for the next run in one transaction. A reminder
 * recorded before is never sent again. ctx is unused. */
int cal_reminders_run(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e);

/* Make sure the recurring job is queued (serve and work call it at start):
 * queued or running, it is left as it is; absent, done or failed, it is
 * armed to run at now. */
int cal_reminders_arm(struct store *s, int64_t now, struct err *e);

/* A reminder letter's content as template data: kind, kind_key (the
 * catalogue key of the kind's title), due, case_id, offset, today (offset
 * 0), done, what (the entry's own text, when it has one); NULL when
 * letter_id carried no reminder. New reference; strings in a. */
json_t *cal_reminder_view(struct store *s, struct arena *a, int64_t letter_id);

/* ---- the iCalendar feed ----
 *
 * The secret address's token is derived (a keyed hash of a generation
 * under a random per-person secret) rather than stored only as a hash, so
 * that the person can see their address again; lookups go by the token's
 * hash. feed.c's opening comment gives the reasons in full. */

/* Make who a new feed address: the first, or one replacing the current
 * (which then stops working), audited, after the gate
 * (ACT_CALENDAR_FEED_MANAGE). Returns 0 or -1 (ERR_NOT_FOUND when
 * refused, audited). */
int cal_feed_create(struct store *s, const struct principal *who, int64_t now, struct err *e);
/* Revoke who's address, audited, after the gate as cal_feed_create.
 * Returns 0, 1 when there was none, or -1. */
int cal_feed_revoke(struct store *s, const struct principal *who, int64_t now, struct err *e);
/* The feed address form's action: "create" (cal_feed_create) or "revoke"
 * (cal_feed_revoke); the gate is asked first, then anything else is
 * ERR_INVALID (field "action"). Returns as those do, except that a create
 * that replaced an address returns 2 (#15: only then is the person told
 * that an older address stops working). */
int cal_feed_manage(struct store *s, const struct principal *who, const char *action, int64_t now,
		    struct err *e);
/* The token of person_id's address: 0 (token filled), 1 none, -1. */
int cal_feed_token(struct store *s, int64_t person_id, char token[CAL_TOKEN_LEN + 1], struct err *e);
/* The person whose address has token: 0, 1 none (unknown, malformed or
 * revoked), -1. */
int cal_feed_lookup(struct store *s, const char *token, int64_t *person_id, struct err *e);

/* The feed at its secret address: the token is the authority, so no
 * policy is asked. Looks token up (as cal_feed_lookup), audits the reading
 * ("calendar.feed.read" by who, whoever fetches it, on "person:N") and
 * writes the person's calendar to out (as cal_feed_render). Returns 0, 1
 * when the token finds no address (nothing written, nothing audited), or
 * -1. */
int cal_feed_read(struct store *s, const struct principal *who, const char *token, const char *public_url,
		  int64_t now, struct buf *out, struct err *e);

/* Write person_id's calendar as iCalendar (RFC 5545, via libical) to out:
 * one all-day VEVENT per open entry with a stable UID, SUMMARY (the kind's
 * title and the case number, in the person's language), DESCRIPTION with a
 * link to the calendar page at public_url, and one VALARM per reminder
 * offset of the person's settings; PRODID and X-WR-CALNAME. Nothing else
 * about the person: no amounts, no free text. now is the DTSTAMP. */
int cal_feed_render(struct store *s, int64_t person_id, const char *public_url, int64_t now, struct buf *out,
		    struct err *e);

/* The language a person wants letters and the feed in (their contact
 * preferences; bokmål by default). */
enum lang cal_person_lang(struct store *s, int64_t person_id);

#endif
