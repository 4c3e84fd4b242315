/* support.h - the support centre's storage: the agencies it serves, the
 * maintained list of topics, the inquiry log, a person's communication
 * history (timeline) gathered from letters, messages, inquiries and
 * decisions, the FAQ with its versions, search index and feedback, and the
 * figures the cost report and the dashboard read.
 *
 * Conventions as store.h: reads take the store and an arena (results live
 * in the arena) and return 0 found, 1 not found, -1 with e filled, or for
 * lists the count; writes take a transaction of store_write(). Thread-safe.
 * Implemented in sqlite_support.c (migration 0017). */
#ifndef STIPEND_STORE_SUPPORT_H
#define STIPEND_STORE_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct arena;
struct err;

/* ---- agencies and topics ---- */

struct support_agency {
	const char *code; /* "lanekassen" */
	const char *name;    /* in bokmål */
	const char *name_en; /* in English */
	int active;          /* 0: retired, no longer offered; old inquiries keep it */
};

/* Every agency, by code. Returns the count (at most 200) or -1. */
int store_support_agencies(struct store *s, struct support_agency **out, struct arena *a, struct err *e);
/* Add (or rename) an agency. */
int store_support_agency_put(struct store_tx *tx, const char *code, const char *name, struct err *e);

struct support_topic {
	int64_t id;
	const char *code;
	const char *name_nb, *name_en;
	int active;
};

/* Every topic, by id. Returns the count or -1. */
int store_support_topics(struct store *s, struct support_topic **out, struct arena *a, struct err *e);

/* The upkeep (#14): add (create 1) an agency or topic, or set the names
 * and active flag of the one with its code (create 0; ERR_NOT_FOUND field
 * "code" when there is none). A code taken is the database's constraint
 * error. */
int store_support_agency_save(struct store_tx *tx, const struct support_agency *g, int create, struct err *e);
int store_support_topic_save(struct store_tx *tx, const struct support_topic *t, int create, struct err *e);

/* ---- the inquiry log ---- */

struct inquiry {
	int64_t id;
	const char *agency;
	const char *channel; /* phone, chat, email, counter, letter, secure-message */
	int64_t started_at, ended_at;
	int64_t topic_id;
	const char *service; /* application, mailbox, mypages, calculator, loan-account, login, none */
	const char *outcome; /* answered, self-service, handed-over, technical-fault */
	const char *link;    /* self-service: the link given; else NULL */
	const char *note;    /* or NULL */
	int64_t person_id, case_id, staff_id, message_id; /* 0: none */
	int64_t created_at;
	/* Read only: the topic's code, and when the hand-over was answered
	 * (0 while it waits, or when nothing was handed over). */
	const char *topic_code;
	int64_t answered_at;
	/* Read only: where FAQ links logged with it were sent, "mailbox" or
	 * "email" (comma-separated), or NULL. */
	const char *sent_to;
};

/* Store q (id, topic_code and answered_at ignored); *id receives its id. */
int store_inquiry_insert(struct store_tx *tx, const struct inquiry *q, int64_t *id, struct err *e);
/* A person's inquiries, newest first, at most limit (1..200). */
int store_inquiries_of_person(struct store *s, int64_t person_id, int limit, struct inquiry **out,
			      struct arena *a, struct err *e);
/* The inquiries a member of staff logged, newest first, at most limit. */
int store_inquiries_of_staff(struct store *s, int64_t staff_id, int limit, struct inquiry **out, struct arena *a,
			     struct err *e);
/* The inquiry that handed over message message_id: 0 found, 1 none. */
int store_inquiry_of_message(struct store *s, int64_t message_id, struct inquiry *out, struct arena *a,
			     struct err *e);

/* One line of the cost report: the inquiries of one agency, digital
 * service and channel started in [from, to). */
struct inquiry_tally {
	const char *agency, *service, *channel;
	int64_t count;
	int64_t seconds; /* time spent in all */
};

/* The tallies of [from, to), by agency, service and channel. Returns the
 * count (at most 2000) or -1. */
int store_inquiry_tallies(struct store *s, int64_t from, int64_t to, struct inquiry_tally **out, struct arena *a,
			  struct err *e);

/* Inquiries of [from, to) by topic: out[i].topic_id, count, and how many
 * of them were handed over. Topics with none are left out. */
struct topic_tally {
	int64_t topic_id;
	const char *topic_code;
	int64_t count, handed_over;
};
int store_topic_tallies(struct store *s, int64_t from, int64_t to, struct topic_tally **out, struct arena *a,
			struct err *e);

/* A person's messages about no case (general questions and the support
 * centre's hand-overs, with their answers), oldest first, at most 200, as
 * store_messages_of_case gives a case's. */
struct message;
int store_messages_without_case(struct store *s, int64_t person_id, struct message **out, struct arena *a,
				struct err *e);

/* ---- the communication history ---- */

/* One thing that passed between the agency and a person. */
struct timeline_item {
	int64_t at;
	const char *type;   /* "letter", "message", "inquiry", "decision" */
	int64_t id;         /* the letter, message, inquiry or decision */
	int64_t case_id;    /* 0: none */
	const char *sub;    /* letter: its kind; message: "in"/"out"; inquiry: its outcome; decision: outcome */
	const char *channel; /* letter: the notice's channel; inquiry: its channel; else NULL */
	const char *status;  /* letter: the notice's status; inquiry: the topic's code; else NULL */
	const char *text;    /* message: its text; inquiry: its note; else NULL */
	const char *link;    /* inquiry: the self-service link; else NULL */
	int64_t opened_at;   /* letter: first opened, 0 unread */
	int64_t paper_at;    /* letter: sent on paper, 0 not */
	int64_t answered_at; /* message "in" or handed-over inquiry: answered, 0 waiting */
};

#define TIMELINE_MAX 500

/* A person's history, newest first, at most TIMELINE_MAX, of the types
 * whose bits are set in types (1 letter, 2 message, 4 inquiry, 8
 * decision). Returns the count or -1. */
int store_timeline(struct store *s, int64_t person_id, unsigned types, struct timeline_item **out,
		   struct arena *a, struct err *e);

/* ---- the FAQ ---- */

struct faq_version {
	int64_t entry_id;
	int version;
	const char *question_nb, *answer_nb, *question_en, *answer_en;
	const char *source; /* the agency's page it was written from, or NULL */
	int64_t staff_id;   /* 0: seeded */
	const char *staff_name; /* read only, or NULL */
	int64_t created_at;
};

struct faq_entry {
	int64_t id;
	int64_t topic_id;
	const char *topic_code;
	int published_version; /* 0: a draft never published */
	int latest_version;
	int64_t created_at;
	int64_t helped, not_helped; /* "Did this help?" */
	struct faq_version v; /* the version asked for */
};

/* A new entry on topic_id; *id receives it. */
int store_faq_entry_insert(struct store_tx *tx, int64_t topic_id, int64_t now, int64_t *id, struct err *e);
/* Add a version (entry_id set; version ignored: the next is taken) and
 * change the entry's topic; *version receives its number. ERR_NOT_FOUND
 * when there is no such entry. */
int store_faq_version_add(struct store_tx *tx, const struct faq_version *v, int64_t topic_id, int *version,
			  struct err *e);
/* Publish version of entry_id: the public reads it and the search index
 * holds it. ERR_NOT_FOUND when there is no such version. */
int store_faq_publish(struct store_tx *tx, int64_t entry_id, int version, struct err *e);
/* An entry with its published version (published 1) or its newest (0).
 * 0 found, 1 none (or never published, when published is asked). */
int store_faq_get(struct store *s, int64_t id, int published, struct faq_entry *out, struct arena *a,
		  struct err *e);
/* Every entry with its newest version (published_only: only published
 * entries, with their published version), by id, at most 500. */
int store_faq_list(struct store *s, int published_only, struct faq_entry **out, struct arena *a, struct err *e);
/* An entry's versions, newest first. */
int store_faq_versions(struct store *s, int64_t id, struct faq_version **out, struct arena *a, struct err *e);
/* The published entries that match the FTS5 query match (already made
 * safe by the caller), best first, at most limit, with their published
 * version. lang "nb" or "en" ranks that language's text first. */
int store_faq_search(struct store *s, const char *match, int limit, struct faq_entry **out, struct arena *a,
		     struct err *e);
/* Record "did this help?" for a published entry. ERR_NOT_FOUND when it
 * is not published. */
int store_faq_feedback(struct store_tx *tx, int64_t entry_id, int helped, int64_t at, struct err *e);

/* ---- the agency's figures ---- */

/* Jobs waiting (ready, or running on a lease), and the oldest one's age at
 * now in seconds (0 when none). */
int store_jobs_waiting(struct store *s, int64_t now, int64_t *depth, int64_t *oldest_age, struct err *e);

/* The automation of one scheme in one week (Monday, "2024-08-19"): cases
 * received that week that have a decision, and how many of them the rules
 * decided without a person (their first decision was not "manual"). */
struct week_automation {
	const char *scheme, *week;
	int64_t decided, automatic;
};
int store_automation_by_week(struct store *s, int64_t from, int64_t to, struct week_automation **out,
			     struct arena *a, struct err *e);

/* Seconds from application to the first decision that was not "manual",
 * of the cases received in [from, to), ascending, into *out (at most max).
 * Returns the count or -1. */
int store_decision_durations(struct store *s, int64_t from, int64_t to, int64_t **out, int max, struct arena *a,
			     struct err *e);

/* The cases waiting for a case worker (status manual), by the reason of
 * their current decision: how many, and the oldest's receipt. */
struct queue_reason {
	const char *reason;
	int64_t count, oldest_received;
};
int store_manual_by_reason(struct store *s, struct queue_reason **out, struct arena *a, struct err *e);

/* Applications received in [from, to): all, and those sent on the web
 * (not taken in by a batch intake). */
int store_applications_online(struct store *s, int64_t from, int64_t to, int64_t *all, int64_t *online,
			      struct err *e);

/* Letters sent on paper in [from, to), by kind. */
struct kind_count {
	const char *kind;
	int64_t count;
};
int store_paper_by_kind(struct store *s, int64_t from, int64_t to, struct kind_count **out, struct arena *a,
			struct err *e);

/* ---- FAQ links sent to callers ---- */

/* An FAQ answer's link sent to a caller with the inquiry that records it:
 * to a person's mailbox (channel "mailbox", person_id and letter_id) or to
 * an e-mail address (channel "email", email). */
struct faq_send {
	int64_t inquiry_id, faq_id;
	const char *channel;
	int64_t person_id, letter_id; /* 0: none */
	const char *email;            /* or NULL */
	const char *lang;             /* "nb" or "en" */
	int64_t staff_id, sent_at;
};
int store_faq_send_insert(struct store_tx *tx, const struct faq_send *f, int64_t *id, struct err *e);

/* ---- payouts made and held (#14 over #10's tables; read only) ---- */

/* The payments the bank accepted (accepted or booked) of the runs dated
 * in [from, to), by the week of the run (its Monday, "2024-09-02"): how
 * many, and their sum in øre. Returns the count of weeks or -1. */
struct payout_week {
	const char *week;
	int64_t payments, ore;
};
int store_payouts_by_week(struct store *s, int64_t from, int64_t to, struct payout_week **out, struct arena *a,
			  struct err *e);

/* The payout lines held on day today ("2026-12-05"): planned, not paid,
 * of a decided case, due by today, and a payout condition missing. One
 * entry for each reason, in this order, even when none is held for it:
 * "no-signature" (the agreement is not signed), "no-account" (no account
 * of the person's own), "not-confirmed" (the institution has not confirmed
 * the school year), "rejected-by-bank" (the bank rejected the account).
 * A line missing two conditions counts under both. cases: the cases held
 * for the reason; ore: the sum of their lines held. Returns 4 or -1. */
#define PAYOUT_HELD_REASONS 4
struct payout_held {
	const char *reason;
	int64_t cases, ore;
};
int store_payouts_held(struct store *s, const char *today, struct payout_held **out, struct arena *a,
		       struct err *e);

#endif
