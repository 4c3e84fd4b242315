/* support.h - the support centre (issue #14): the inquiry log, one
 * communication history per person, the FAQ, the cost report by agency and
 * digital service, and the agency's figures (management's dashboard and
 * the operators' /metrics).
 *
 * Every function that touches personal data asks the one gate
 * (access_check) first, outside its own transaction, and every reading of
 * a person's history or inquiries is audited. Writes are one transaction
 * with their audit records. On failure a function returns -1 with e
 * filled: ERR_INVALID with the field for bad input, ERR_NOT_FOUND or
 * ERR_FORBIDDEN (audited by the gate) for a refusal. Thread-safe. */
#ifndef STIPEND_SUPPORT_H
#define STIPEND_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "rules/params.h"
#include "store/store.h"
#include "store/support.h"

struct arena;
struct buf;
struct err;
struct store;

/* ---- the vocabularies ---- */

/* The channels, digital services and outcomes an inquiry may have, each
 * NULL-terminated, as the log stores them ("phone", ...). */
extern const char *const support_channels[];
extern const char *const support_services[];
extern const char *const support_outcomes[];

/* 1 when s is one of list. */
int support_in(const char *const *list, const char *s);

/* ---- the inquiry log (inquiry.c) ---- */

#define SUPPORT_NOTE_MAX 4000

/* An inquiry as the agent's form gives it: strings as typed, checked by
 * support_log. */
struct inquiry_form {
	const char *agency, *channel, *topic, *service, *outcome;
	const char *start, *end; /* "YYYY-MM-DDTHH:MM", Norwegian time; end empty: now */
	const char *link;        /* required for the outcome self-service */
	const char *note;        /* required for a hand-over: the case worker's task */
	int64_t person_id;       /* 0: anonymous */
	int64_t case_id;         /* 0: none */
};

/* Find the caller with identity number nin for who (ACT_INQUIRY_LOG; a
 * refusal ERR_FORBIDDEN, audited). The agent must say that the caller
 * confirmed the number (confirmed != 0; else ERR_INVALID field
 * "confirmed"); a number that is not valid is ERR_INVALID field "nin", one
 * no person has ERR_INVALID field "nin" as well (the agent asks again).
 * The identification is audited ("inquiry.caller-identified" on the
 * person). *person_id receives the person. */
int support_identify(struct store *s, const struct principal *who, const char *nin, int confirmed, int64_t now,
		     int64_t *person_id, struct err *e);

/* The caller as the log shows them: name, cases, and recent inquiries. */
struct support_caller {
	struct person p;
	struct case_rec *cases;
	int n_cases;
	struct inquiry *recent; /* newest first, at most 10 */
	int n_recent;
};

/* Read person_id as a caller for who (ACT_INQUIRY_READ about the person:
 * ERR_NOT_FOUND, audited, when refused or there is no such person); the
 * reading is audited ("inquiry.read" on "person:N"). */
int support_caller(struct store *s, const struct principal *who, int64_t person_id, int64_t now,
		   struct support_caller *out, struct arena *a, struct err *e);

/* Parse a moment as the desk's fields give it, "YYYY-MM-DDTHH:MM" with
 * optional ":SS" (a space for the T allowed), as UTC seconds. Returns 0, or
 * -1 for any other text. */
int support_parse_when(const char *s, int64_t *out);

/* The same text read as Norway's wall clock (Europe/Oslo, as the desk shows
 * every time) into UTC seconds. In the hour the clocks are put back, a
 * reading is taken as its first (summer-time) pass. Returns 0 or -1. */
int support_parse_oslo(const char *s, int64_t *out);

/* Log f for who (ACT_INQUIRY_LOG). Checks, naming the field: agency (one
 * configured), channel, topic (a topic's code), service, outcome, start and
 * end (end not before start, start not after now, at most 12 hours), link
 * (required for self-service: a path on this site "/..." or an https URL),
 * note (at most SUPPORT_NOTE_MAX characters; 1 or more for a hand-over),
 * person (a hand-over needs the caller identified), case (the caller's).
 * A hand-over becomes a message in the case workers' queue with the note,
 * in the same transaction; its answer reaches the person as a letter. The
 * record is audited ("inquiry.logged"). *id (may be NULL) receives it. */
int support_log(struct store *s, const struct principal *who, const struct inquiry_form *f, int64_t now,
		int64_t *id, struct err *e);

/* The inquiries who logged, newest first, at most limit (for the agent's
 * own list; ACT_INQUIRY_LOG). */
int support_my_inquiries(struct store *s, const struct principal *who, int limit, int64_t now,
			 struct inquiry **out, struct arena *a, struct err *e);

/* A person (who, acting for themself) writes to the agency without a case:
 * a secure message, as msg_write but with no case, that lands in the
 * inquiry log (channel secure-message, agency the first configured, topic
 * topic or "other", service mailbox, outcome handed-over) and in the case
 * workers' queue, in one transaction. ACT_MESSAGE_WRITE on the person;
 * ERR_INVALID field "text" (1 to 4000 characters) or "topic". */
int support_secure_message(struct store *s, const struct principal *who, const char *topic, const char *text,
			   int64_t now, int64_t *message_id, struct err *e);

/* The agencies and topics (for the forms); no personal data, no gate. */
int support_agencies(struct store *s, struct support_agency **out, struct arena *a, struct err *e);
int support_topics(struct store *s, struct support_topic **out, struct arena *a, struct err *e);

/* Add or rename an agency (the operator's command). ERR_INVALID field
 * "code" (a-z, 0-9 and '-', 1-32, starting with a letter) or "name". */
int support_agency_put(struct store *s, const char *code, const char *name, struct err *e);

/* ---- the upkeep of topics and agencies (upkeep.c) ---- */

/* A change to the list of topics or agencies as the upkeep page's form
 * gives it. action: "add", "rename", "retire" or "restore". */
struct upkeep_form {
	const char *action;
	const char *code;             /* a-z, 0-9 and '-', 1-32, starting with a letter */
	const char *name_nb, *name_en; /* add and rename: 1-100 characters, one line */
};

/* Change the topics for who (ACT_SUPPORT_TOPICS_MANAGE; ERR_FORBIDDEN,
 * audited, when refused). Add a topic, rename it (its retired state kept),
 * retire it (no longer offered on the desk; inquiries logged with it keep
 * it) or restore it. ERR_INVALID naming the field: "action", "code" (bad,
 * taken when adding, unknown otherwise, or "other", which cannot be
 * retired), "name_nb", "name_en". Audited ("support.topic.added", ...
 * ".renamed", ".retired", ".restored" on "topic:CODE"). */
int support_topic_change(struct store *s, const struct principal *who, const struct upkeep_form *f, int64_t now,
			 struct err *e);

/* The same for the agencies (ACT_SUPPORT_AGENCIES_MANAGE): the last agency
 * still served cannot be retired (ERR_INVALID "code"). Audited
 * ("support.agency.added", ... on "agency:CODE"). */
int support_agency_change(struct store *s, const struct principal *who, const struct upkeep_form *f, int64_t now,
			  struct err *e);

/* Every topic (agency), retired ones too, for the upkeep pages; the gate
 * as for changing them. Returns the count or -1. */
int support_upkeep_topics(struct store *s, const struct principal *who, int64_t now, struct support_topic **out,
			  struct arena *a, struct err *e);
int support_upkeep_agencies(struct store *s, const struct principal *who, int64_t now,
			    struct support_agency **out, struct arena *a, struct err *e);

/* ---- an FAQ answer's link sent to a caller (send.c) ---- */

struct notify_config;

struct faq_send_form {
	int64_t faq_id;      /* a published answer */
	int64_t person_id;   /* the identified caller; 0: anonymous */
	const char *email;   /* an anonymous caller's address */
	const char *lang;    /* an anonymous caller's language: "nb" or "en" */
	const char *channel; /* how the caller reached the centre; NULL or "": phone */
	const char *agency;  /* NULL or "": the installation's own */
};

/* Send answer f->faq_id's link for who (ACT_FAQ_SEND; to a person also
 * ACT_INQUIRY_READ on them: ERR_NOT_FOUND, audited, when refused or there
 * is no such person). To an identified caller: a message from the agent in
 * their mailbox, delivered as a letter ("answer") with the usual notice, in
 * the language of their contact preferences. To an anonymous caller: an
 * e-mail to f->email in f->lang over mail's SMTP server (ERR_CONFLICT when
 * e-mail is not configured, ERR_IO when the server cannot be reached).
 * The call is logged as an inquiry (outcome self-service, the link given,
 * topic the answer's) with what was sent where, audited ("faq.sent",
 * never the address). ERR_INVALID naming the field: "faq" (no published
 * answer), "channel", "agency", "email", "lang". *inquiry_id (may be NULL)
 * receives the inquiry. */
int support_faq_send(struct store *s, const struct principal *who, const struct notify_config *mail,
		     const struct faq_send_form *f, int64_t now, int64_t *inquiry_id, struct err *e);

/* ---- the communication history (timeline.c) ---- */

#define TIMELINE_LETTERS 1u
#define TIMELINE_MESSAGES 2u
#define TIMELINE_INQUIRIES 4u
#define TIMELINE_DECISIONS 8u
#define TIMELINE_ALL 15u

/* person_id's history for who (ACT_TIMELINE_READ about the person:
 * ERR_NOT_FOUND, audited, when refused or no such person), of the types
 * in types, newest first. Every reading is audited ("timeline.read" on
 * "person:N"), whoever reads. Returns the count or -1. */
int support_timeline(struct store *s, const struct principal *who, int64_t person_id, unsigned types,
		     int64_t now, struct timeline_item **out, struct arena *a, struct err *e);

/* ---- the FAQ (faq.c) ---- */

/* The published answers matching the words of query (each word a prefix:
 * "bortebo" finds "borteboer"), best first, at most limit. A query with no
 * words finds nothing (0). Open to anyone. */
int faq_search(struct store *s, const char *query, int limit, struct faq_entry **out, struct arena *a,
	       struct err *e);
/* The FTS5 expression faq_search hands SQLite for query: each word
 * (letters and digits of any script, at most 8 words of at most 64 bytes)
 * quoted and marked a prefix, '"w1"* "w2"*', in a; NULL when the query has
 * no words. No other FTS5 syntax can come through. */
const char *faq_fts_query(struct arena *a, const char *query);
/* Every published answer, by id. */
int faq_published(struct store *s, struct faq_entry **out, struct arena *a, struct err *e);
/* A published answer (1: none). */
int faq_read(struct store *s, int64_t id, struct faq_entry *out, struct arena *a, struct err *e);
/* "Did this help?" on a published answer: ERR_NOT_FOUND when there is none. */
int faq_feedback(struct store *s, int64_t id, int helped, int64_t now, struct err *e);

/* An answer as the FAQ editor's form gives it. */
struct faq_form {
	const char *topic;
	const char *question_nb, *answer_nb, *question_en, *answer_en;
	const char *source;
	int publish; /* publish this version at once */
};

/* Save f as a new version of answer id (0: a new answer) for who
 * (ACT_FAQ_EDIT): the versions before it are kept, each with who wrote it;
 * publishing puts it before the public and in the search index. ERR_INVALID
 * naming the field (questions 1-300 characters, answers 1-8000, topic one of
 * the list); ERR_NOT_FOUND for no such answer. Audited ("faq.saved",
 * "faq.published"). *out_id (may be NULL) receives the answer's id. */
int faq_save(struct store *s, const struct principal *who, int64_t id, const struct faq_form *f, int64_t now,
	     int64_t *out_id, struct err *e);
/* Publish version of answer id (ACT_FAQ_EDIT). */
int faq_publish(struct store *s, const struct principal *who, int64_t id, int version, int64_t now,
		struct err *e);

/* The editor's view for who (ACT_FAQ_EDIT): every answer with its newest
 * version and its feedback. */
int faq_all(struct store *s, const struct principal *who, int64_t now, struct faq_entry **out, struct arena *a,
	    struct err *e);
/* One answer with its newest version and every version (ACT_FAQ_EDIT). */
int faq_edit_read(struct store *s, const struct principal *who, int64_t id, int64_t now, struct faq_entry *out,
		  struct faq_version **versions, int *n_versions, struct arena *a, struct err *e);

/* Topics by inquiries in [from, to) for who (ACT_FAQ_EDIT or
 * ACT_SUPPORT_REPORT), most first. */
int support_topic_tallies(struct store *s, const struct principal *who, int64_t from, int64_t to, int64_t now,
			  struct topic_tally **out, struct arena *a, struct err *e);

/* Seed the FAQ with the answers written from the agency's pages (the
 * demo), published, by no member of staff. Returns 0 or -1. */
int faq_seed(struct store *s, int64_t now, struct err *e);

/* ---- the cost report (report.c) ---- */

/* Share total øre between n weights in proportion: each share is the
 * floor of total * weight / sum; the øre left over go one each to the
 * largest remainders, a tie to the earlier index (the largest remainder
 * method, Hamilton's). All weights 0: shared as if each weighed 1. The
 * shares sum to total exactly. total >= 0, weights >= 0. */
void support_share(int64_t total, const int64_t *weights, int n, int64_t *shares);

/* One line of the report: an agency and digital service. */
struct report_line {
	const char *agency, *service;
	int64_t by_channel[7]; /* inquiries by support_channels' order */
	int64_t count, seconds;
	int64_t share_ppm;     /* time spent as parts per million of the month's */
	int64_t cost;          /* øre */
};

struct support_report {
	char month[8]; /* "2025-09" */
	int64_t from, to;
	int64_t total_cost; /* øre */
	struct report_line *lines; /* by agency then service */
	int n;
	int64_t count, seconds;
};

/* Parse "YYYY-MM" into [from, to) in UTC; ERR_INVALID field "month". */
int support_month(const char *month, int64_t *from, int64_t *to, struct err *e);

/* The cost report of month ("YYYY-MM") with the month's cost total_cost
 * øre shared by time spent (support_share over the lines) for who
 * (ACT_SUPPORT_REPORT; NULL: the operator's command, no gate). */
int support_report(struct store *s, const struct principal *who, const char *month, int64_t total_cost,
		   int64_t now, struct support_report *out, struct arena *a, struct err *e);

/* The report as CSV (RFC 4180, a header line, øre as kroner with two
 * decimals). Returns 0 or -1 (too large for b). */
int support_report_csv(const struct support_report *r, struct buf *b);

/* Parse kroner ("1234", "1234,50", "1 234.5") into øre; -1 when it is not
 * an amount of at most 10^12 kr. */
int support_parse_kroner(const char *s, int64_t *ore);

/* ---- the agency's figures (figures.c) ---- */

#define FIGURES_DURATIONS_MAX 2000000

/* Management's dashboard over applications received in [from, to). */
struct support_figures {
	int64_t from, to;
	struct week_automation *automation; /* by week, then scheme */
	int n_automation;
	/* Application to decision (the first that is not "manual"), in
	 * seconds, nearest rank: the median and the 90th percentile; n the
	 * cases decided; within_norm those decided within the service norm
	 * (when one is in force). */
	int64_t decided, median, p90, within_norm;
	/* The service norm (PARAMS_SERVICE_NORM) in force on the period's
	 * last day: weeks, and as days (weeks * 7); 0 when none is. Its
	 * source and reference as the parameter states them, or NULL. */
	int norm_weeks, norm_days;
	const char *norm_source, *norm_reference;
	struct queue_reason *queue; /* the manual queue now, by reason */
	int n_queue;
	int64_t applications, online;
	struct kind_count *paper; /* letters sent on paper, by kind */
	int n_paper;
	struct topic_tally *topics; /* inquiries by topic */
	int n_topics;
	/* #10's payouts: accepted by the bank, by week of the runs dated in
	 * the period, with the totals; and held now (on now's day in Norway),
	 * by reason, PAYOUT_HELD_REASONS entries. */
	struct payout_week *payout_weeks;
	int n_payout_weeks;
	int64_t payments_made, payments_made_ore;
	struct payout_held *held;
};

/* The figures for who (ACT_DASHBOARD_READ; NULL: the operator's command,
 * no gate), the service norm read from p (NULL: no norm). */
int support_figures_read(struct store *s, const struct principal *who, int64_t from, int64_t to,
			 const struct params *p, int64_t now, struct support_figures *out, struct arena *a,
			 struct err *e);

/* The nearest-rank percentile pct (1-100) of sorted values v[0..n-1]; 0
 * when n is 0. */
int64_t support_percentile(const int64_t *v, int64_t n, int pct);

/* Inquiries per thousand applications, in tenths ("12.5" is 125); -1 when
 * there were no applications. */
int64_t support_per_thousand_tenths(int64_t inquiries, int64_t applications);

/* The text for /metrics: the counters of core/metrics.c and the job
 * queue's depth and oldest age from the database, in the exposition
 * format 0.0.4. Open to anyone (the operators' scraper); it holds no
 * personal data. Returns 0 or -1. */
int support_metrics_text(struct store *s, int64_t now, struct buf *b, struct err *e);

#endif
