/* calendar.h - what "Mine sider" keeps: deadlines and appointments, the
 * secret calendar feed, reminder settings and the reminders sent, and the
 * tries at a mobile number's verification code (migration 0008).
 *
 * Conventions as store.h: reads take the store and an arena and return 0
 * found, 1 not found, -1 with e filled (lists: the count or -1); writes take
 * a transaction of store_write(). The SQLite implementation is
 * sqlite_calendar.c. Thread-safe as the store is. */
#ifndef STIPEND_STORE_CALENDAR_H
#define STIPEND_STORE_CALENDAR_H

#include <stdint.h>

#include "store/store.h"

struct arena;
struct err;

/* A deadline or appointment as the calendar shows it, from the deadlines
 * table or from a request for documentation. */
struct cal_entry {
	const char *ref;    /* "deadline:3", "documentation-request:7": stable */
	int64_t person_id;
	int64_t case_id;    /* 0: none */
	const char *kind;   /* documentation, signing, invoice, appointment */
	const char *due;    /* "2025-01-31" */
	const char *what;   /* free text for the person's own page, or NULL */
	const char *source; /* what wrote it: "loan-document:12", ... */
	int done;
	const char *case_type; /* the case's scheme, or "other" without a case */
};

/* A deadline a later issue writes (the deadlines table). */
struct deadline {
	int64_t person_id;
	int64_t case_id; /* 0: none */
	const char *kind;
	const char *due;
	const char *what;   /* may be NULL */
	const char *source; /* unique: writing the same source again updates it */
};

/* Insert d, or update kind, due, what and case of the deadline with the
 * same source (and open it again); *id (may be NULL) receives its id. */
int store_deadline_put(struct store_tx *tx, const struct deadline *d, int64_t now, int64_t *id, struct err *e);
/* Mark the deadline of source done at `at` (0: open again). Returns 0, or
 * 1 when there is no such deadline. */
int store_deadline_done(struct store_tx *tx, const char *source, int64_t at, struct err *e);

/* A person's calendar, every entry, by due date then ref. At most LIST_MAX
 * (200) entries. */
int store_calendar_of_person(struct store *s, int64_t person_id, struct cal_entry **out, struct arena *a,
			     struct err *e);

/* An open entry due between from and to (inclusive, "YYYY-MM-DD"), with
 * what the reminder job needs: the person's offsets for its case type
 * (NULL: no setting, the defaults) and the offsets already recorded
 * ("7,1", NULL: none). */
struct cal_due {
	struct cal_entry entry;
	const char *offsets;
	const char *recorded;
};

/* The open entries due in [from, to], every person's, by ref, after the
 * ref `after` ("" from the first): a page of at most max. Returns the
 * count or -1. */
int store_calendar_due(struct store *s, const char *from, const char *to, const char *after, struct cal_due *out,
		       int max, struct arena *a, struct err *e);

/* Record a reminder of ref at offset_days: *fresh is 1 when this call
 * recorded it, 0 when it was recorded before (then nothing changes). */
int store_reminder_record(struct store_tx *tx, const char *ref, int offset_days, int64_t person_id, int64_t at,
			  int *fresh, struct err *e);
/* Attach the letter that carried a recorded reminder. */
int store_reminder_set_letter(struct store_tx *tx, const char *ref, int offset_days, int64_t letter_id,
			      struct err *e);
/* One entry by its ref: 0, 1 none (or a ref of no known form), -1. */
int store_calendar_entry(struct store *s, const char *ref, struct cal_entry *out, struct arena *a, struct err *e);
/* The entry a reminder letter was about, and its offset: 0, 1 none, -1. */
int store_reminder_of_letter(struct store *s, int64_t letter_id, struct cal_entry *out, int *offset_days,
			     struct arena *a, struct err *e);

/* A person's reminder settings: case types and their offsets text. */
struct reminder_setting {
	const char *case_type;
	const char *offsets; /* "7,1", "" for none */
};
int store_reminder_settings(struct store *s, int64_t person_id, struct reminder_setting **out, struct arena *a,
			    struct err *e);
int store_reminder_setting_put(struct store_tx *tx, int64_t person_id, const char *case_type, const char *offsets,
			       int64_t now, struct err *e);

/* ---- the calendar feed ---- */

struct feed_rec {
	int64_t person_id;
	const char *secret; /* hex, 32 bytes */
	int64_t generation;
	const char *token_hash; /* NULL: no address now */
	int64_t created_at, revoked_at;
};

/* 0 found, 1 the person never had a feed, -1. */
int store_feed_get(struct store *s, int64_t person_id, struct feed_rec *out, struct arena *a, struct err *e);
/* The same inside a transaction (read what the transaction sees). */
int store_feed_get_tx(struct store_tx *tx, int64_t person_id, struct feed_rec *out, struct arena *a,
		      struct err *e);
/* The person whose active feed has this token hash: 0, 1 none, -1. */
int store_feed_by_hash(struct store *s, const char *token_hash, int64_t *person_id, struct err *e);
/* Store the feed whole (insert or replace). */
int store_feed_put(struct store_tx *tx, const struct feed_rec *f, struct err *e);

/* ---- contact preferences (store.h keeps them) ---- */

/* The contact preferences as the transaction sees them: 0, 1 none, -1. */
int store_contact_get_tx(struct store_tx *tx, int64_t person_id, struct contact_prefs *out, struct arena *a,
			 struct err *e);

/* ---- mobile number verification ---- */

struct mobile_verif {
	int tries;          /* wrong codes entered for the current code */
	int codes_sent;     /* codes sent since window_start */
	int64_t window_start;
};
/* 0 (out filled), 1 none (out zeroed), -1. */
int store_mobile_verif_get_tx(struct store_tx *tx, int64_t person_id, struct mobile_verif *out, struct err *e);
int store_mobile_verif_put(struct store_tx *tx, int64_t person_id, const struct mobile_verif *v, struct err *e);

#endif
