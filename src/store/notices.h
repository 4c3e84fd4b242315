/* notices.h - the store's part of notices (notify/notify.h): which channel
 * a new letter's notice can go by, each attempt at sending one, and the
 * opening statistics.
 *
 * Conventions as store.h: reads take the store and an arena, writes a
 * transaction of store_write(); 0 found / 1 not found / -1 error for single
 * reads, the count or -1 for lists. Thread-safe. */
#ifndef STIPEND_STORE_NOTICES_H
#define STIPEND_STORE_NOTICES_H

#include <stdint.h>

#include "store/store.h"

/* The channel a notice to person_id can go by now, read within tx: "email"
 * when they chose e-mail and gave an address, "sms" when they chose SMS and
 * their mobile number is verified, else NULL (no notice). One primary-key
 * read, so that a mass intake pays almost nothing for it. Returns 0 or -1. */
int store_notice_channel(struct store_tx *tx, int64_t person_id, const char **channel, struct err *e);

struct notice_attempt {
	int64_t letter_id;
	int attempt; /* 1, 2, ... */
	int64_t at;
	const char *channel; /* "email" or "sms" */
	const char *result;  /* sent, retry, failed, bounced */
	const char *error;   /* why it failed, never an address; or NULL */
};

/* How many attempts a letter's notice has had. Returns 0 or -1. */
int store_notice_attempt_count(struct store *s, int64_t letter_id, int *count, struct err *e);

/* Record an attempt, and when status is not NULL make it the letter's
 * notice_status (only while it is "pending": a later state is never undone).
 * An attempt number already recorded fails with ERR_STORE. */
int store_notice_record(struct store_tx *tx, const struct notice_attempt *a, const char *status, struct err *e);

/* A letter's attempts, oldest first. */
int store_notice_attempts(struct store *s, int64_t letter_id, struct notice_attempt **out, struct arena *a,
                          struct err *e);

/* The days after delivery the statistics measure openings within. */
#define NOTICE_STAT_SPANS 3
extern const int notice_stat_days[NOTICE_STAT_SPANS]; /* 1, 3, 7 */

/* Letters of one kind whose notice took one channel ("email", "sms",
 * "none": no notice was chosen), delivered by "now". For each span d:
 * eligible[i] letters delivered at least d days before now, opened[i] of
 * those first read within d days of delivery (and by now). */
struct notice_stat {
	const char *kind;
	const char *channel;
	int64_t letters;
	int64_t eligible[NOTICE_STAT_SPANS];
	int64_t opened[NOTICE_STAT_SPANS];
};

/* The statistics at now, by kind then channel (email, sms, none),
 * computed in SQL over the letters table. Returns the row count or -1. */
int store_notice_stats(struct store *s, int64_t now, struct notice_stat **out, struct arena *a, struct err *e);

#endif
