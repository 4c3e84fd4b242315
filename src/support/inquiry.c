/* inquiry.c - the support centre's inquiry log (see support.h).
 *
 * A support agent identifies the caller (by identity number, after the
 * caller confirmed it, or not at all for a general question), then logs
 * what the inquiry was: channel, start and end, topic, digital service,
 * agency and outcome. A hand-over becomes a message in the case workers'
 * queue (messages, direction "in", in the person's name, with the agent's
 * note), so that the answer travels the road every answer travels: a
 * letter of kind "answer" in the person's mailbox (mailbox/messages.c).
 * The inquiry keeps the message's id, and the log reads it closed once the
 * message is answered. A person's own secure message without a case is the
 * same message and the same log line, with channel "secure-message". */
#include "support/support.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/nin.h"
#include "mailbox/messages.h"
#include "store/messages.h"

const char *const support_channels[] = {"phone", "chat", "email", "counter", "letter", "secure-message", NULL};
const char *const support_services[] = {"application", "mailbox", "mypages", "calculator",
					"loan-account", "login",   "none",    NULL};
const char *const support_outcomes[] = {"answered", "self-service", "handed-over", "technical-fault", NULL};

int support_in(const char *const *list, const char *s)
{
	if (s == NULL)
		return 0;
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

int support_agencies(struct store *s, struct support_agency **out, struct arena *a, struct err *e)
{
	return store_support_agencies(s, out, a, e);
}

int support_topics(struct store *s, struct support_topic **out, struct arena *a, struct err *e)
{
	return store_support_topics(s, out, a, e);
}

struct agency_put {
	const char *code, *name;
};

static int put_agency(struct store_tx *tx, void *arg, struct err *e)
{
	struct agency_put *p = arg;
	return store_support_agency_put(tx, p->code, p->name, e);
}

int support_agency_put(struct store *s, const char *code, const char *name, struct err *e)
{
	size_t n = code ? strlen(code) : 0;
	if (n < 1 || n > 32 || code[0] < 'a' || code[0] > 'z' || strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return err_set(e, ERR_INVALID, "code", "an agency's code is 1-32 of a-z, 0-9 and '-', starting with a letter");
	if (!msg_text_ok(name, 1, 100) || strchr(name, '\n'))
		return err_set(e, ERR_INVALID, "name", "an agency's name is 1-100 characters on one line");
	struct agency_put p = {code, name};
	return store_write(s, put_agency, &p, e);
}

/* ---- identifying the caller ---- */

struct audit_one {
	char actor[32];
	const char *action;
	char object[32];
	const char *detail;
	int64_t at;
};

static int write_audit_one(struct store_tx *tx, void *arg, struct err *e)
{
	struct audit_one *o = arg;
	return audit_append(tx, o->at, o->actor, o->action, o->object, o->detail, e);
}

static int audit_person(struct store *s, const struct principal *who, const char *action, int64_t person_id,
			const char *detail, int64_t now, struct err *e)
{
	struct audit_one o = {"", action, "", detail, now};
	access_actor(who, o.actor, sizeof(o.actor));
	snprintf(o.object, sizeof(o.object), "person:%lld", (long long)person_id);
	return store_write(s, write_audit_one, &o, e);
}

int support_identify(struct store *s, const struct principal *who, const char *nin, int confirmed, int64_t now,
		     int64_t *person_id, struct err *e)
{
	if (access_check(s, who, ACT_INQUIRY_LOG, 0, "inquiries", "inquiry log", now, e) != 0)
		return -1;
	date_t birth;
	enum nin_kind kind;
	if (nin == NULL || nin_parse(nin, &birth, &kind) != 0)
		return err_set(e, ERR_INVALID, "nin", "an identity number is 11 digits with valid check digits");
	if (!confirmed)
		return err_set(e, ERR_INVALID, "confirmed", "the caller must confirm the identity number");
	struct person p;
	struct arena a;
	arena_init(&a, 0);
	int rc = store_person_by_nin(s, nin, &p, &a, e);
	int64_t id = rc == 0 ? p.id : 0;
	arena_cleanup(&a);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return err_set(e, ERR_INVALID, "nin", "no person has this identity number");
	if (audit_person(s, who, "inquiry.caller-identified", id, NULL, now, e) != 0)
		return -1;
	*person_id = id;
	return 0;
}

int support_caller(struct store *s, const struct principal *who, int64_t person_id, int64_t now,
		   struct support_caller *out, struct arena *a, struct err *e)
{
	char object[32];
	memset(out, 0, sizeof(*out));
	snprintf(object, sizeof(object), "person:%lld", (long long)person_id);
	int rc = person_id > 0 ? store_person_get(s, person_id, &out->p, a, e) : 1;
	if (rc < 0)
		return -1;
	if (access_check(s, who, ACT_INQUIRY_READ, rc == 0 ? person_id : 0, object, "person", now, e) != 0)
		return -1;
	if (audit_person(s, who, "inquiry.read", person_id, NULL, now, e) != 0)
		return -1;
	out->n_cases = store_cases_of_person(s, person_id, &out->cases, a, e);
	if (out->n_cases < 0)
		return -1;
	out->n_recent = store_inquiries_of_person(s, person_id, 10, &out->recent, a, e);
	return out->n_recent < 0 ? -1 : 0;
}

/* ---- logging ---- */

int support_parse_when(const char *s, int64_t *out)
{
	if (s == NULL || strlen(s) < 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
		return -1;
	char day[11];
	memcpy(day, s, 10);
	day[10] = '\0';
	date_t d;
	if (date_parse(day, &d) != 0)
		return -1;
	int h = 0, m = 0, sec = 0;
	for (int i = 11; i < 16; i++)
		if (i != 13 && (s[i] < '0' || s[i] > '9'))
			return -1;
	h = (s[11] - '0') * 10 + (s[12] - '0');
	m = (s[14] - '0') * 10 + (s[15] - '0');
	if (s[16] == ':' && s[17] >= '0' && s[17] <= '5' && s[18] >= '0' && s[18] <= '9' && s[19] == '\0')
		sec = (s[17] - '0') * 10 + (s[18] - '0');
	else if (s[16] != '\0')
		return -1;
	if (h > 23 || m > 59)
		return -1;
	*out = (int64_t)d * 86400 + h * 3600 + m * 60 + sec;
	return 0;
}

int support_parse_oslo(const char *s, int64_t *out)
{
	int64_t wall;
	if (support_parse_when(s, &wall) != 0)
		return -1;
	/* The offset in force an hour before the wall clock's reading as if
	 * it were UTC is the offset in force at the instant itself, except in
	 * the hour the clocks are put back, which reads as its first pass. */
	*out = wall - date_oslo_offset(wall - 3600);
	return 0;
}

/* A link given for self-service: a path of this site or an https URL, on
 * one line, no longer than 500. */
static int link_ok(const char *link)
{
	if (link == NULL || !msg_text_ok(link, 2, 500) || strpbrk(link, " \n\t<>\"") != NULL)
		return 0;
	return (link[0] == '/' && link[1] != '/') || strncmp(link, "https://", 8) == 0;
}

struct logging {
	struct inquiry q;
	const char *task; /* the case workers' message, for a hand-over; else NULL */
	char actor[32];
	int64_t id;
};

static int store_logging(struct store_tx *tx, void *arg, struct err *e)
{
	struct logging *l = arg;
	char object[32], detail[160];
	if (l->task) {
		struct message m = {0, l->q.case_id, l->q.person_id, "in", 0, l->task, l->q.created_at, 0, 0, 0};
		if (store_message_insert(tx, &m, &l->q.message_id, e) != 0)
			return -1;
	}
	if (store_inquiry_insert(tx, &l->q, &l->id, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "inquiry:%lld", (long long)l->id);
	snprintf(detail, sizeof(detail), "channel=%s outcome=%s person=%lld case=%lld message=%lld", l->q.channel,
		 l->q.outcome, (long long)l->q.person_id, (long long)l->q.case_id, (long long)l->q.message_id);
	return audit_append(tx, l->q.created_at, l->actor, "inquiry.logged", object, detail, e);
}

/* The topic with code among topics, or NULL. */
static const struct support_topic *topic_of(const struct support_topic *t, int n, const char *code)
{
	for (int i = 0; code && i < n; i++)
		if (t[i].active && strcmp(t[i].code, code) == 0)
			return &t[i];
	return NULL;
}

/* The hand-over's text as the case worker reads it: where it came from and
 * the agent's note. */
static const char *task_text(struct arena *a, const char *channel, const char *topic, const char *note)
{
	return arena_printf(a, "[Kundesenteret, %s, %s] %s", channel, topic, note);
}

int support_log(struct store *s, const struct principal *who, const struct inquiry_form *f, int64_t now,
		int64_t *id, struct err *e)
{
	if (access_check(s, who, ACT_INQUIRY_LOG, 0, "inquiries", "inquiry log", now, e) != 0)
		return -1;
	struct arena a;
	arena_init(&a, 0);
	int rc = -1;
	struct support_agency *ag;
	struct support_topic *tp;
	int n_ag = store_support_agencies(s, &ag, &a, e), n_tp = n_ag < 0 ? -1 : store_support_topics(s, &tp, &a, e);
	if (n_ag < 0 || n_tp < 0)
		goto out;
	int agency_ok = 0;
	for (int i = 0; f->agency && i < n_ag; i++)
		agency_ok |= ag[i].active && strcmp(ag[i].code, f->agency) == 0; /* a retired one is not offered */
	const struct support_topic *topic = topic_of(tp, n_tp, f->topic);
	int64_t start, end;
	if (!agency_ok) {
		err_set(e, ERR_INVALID, "agency", "choose one of the agencies the centre serves");
		goto out;
	}
	if (!support_in(support_channels, f->channel)) {
		err_set(e, ERR_INVALID, "channel", "choose a channel");
		goto out;
	}
	if (topic == NULL) {
		err_set(e, ERR_INVALID, "topic", "choose a topic from the list");
		goto out;
	}
	if (!support_in(support_services, f->service)) {
		err_set(e, ERR_INVALID, "service", "choose a digital service");
		goto out;
	}
	if (!support_in(support_outcomes, f->outcome)) {
		err_set(e, ERR_INVALID, "outcome", "choose an outcome");
		goto out;
	}
	if (support_parse_oslo(f->start, &start) != 0 || start > now + 60) {
		err_set(e, ERR_INVALID, "start", "the start is a date and time (YYYY-MM-DDTHH:MM), not in the future");
		goto out;
	}
	if (f->end == NULL || f->end[0] == '\0')
		end = now;
	else if (support_parse_oslo(f->end, &end) != 0) {
		err_set(e, ERR_INVALID, "end", "the end is a date and time (YYYY-MM-DDTHH:MM)");
		goto out;
	}
	if (end < start || end - start > 12 * 3600) {
		err_set(e, ERR_INVALID, "end", "the end is after the start, and at most 12 hours later");
		goto out;
	}
	int self_service = strcmp(f->outcome, "self-service") == 0;
	int handed = strcmp(f->outcome, "handed-over") == 0;
	const char *link = f->link && f->link[0] ? f->link : NULL;
	if ((self_service && !link_ok(link)) || (link && !link_ok(link))) {
		err_set(e, ERR_INVALID, "link", "give the link: a page of this site (/faq/3) or an https address");
		goto out;
	}
	const char *note = f->note && f->note[0] ? f->note : NULL;
	if ((note && !msg_text_ok(note, 1, SUPPORT_NOTE_MAX)) || (handed && note == NULL)) {
		err_set(e, ERR_INVALID, "note",
			handed ? "a hand-over needs a note for the case worker (1 to 4000 characters)"
			       : "a note is at most 4000 characters of text");
		goto out;
	}
	struct person p;
	if (f->person_id != 0) {
		int found = store_person_get(s, f->person_id, &p, &a, e);
		if (found < 0)
			goto out;
		if (found > 0) {
			err_set(e, ERR_INVALID, "person", "no such caller; identify the caller again");
			goto out;
		}
	} else if (handed) {
		err_set(e, ERR_INVALID, "person", "a hand-over needs the caller identified");
		goto out;
	}
	if (f->case_id != 0) {
		struct case_rec c;
		int found = store_case_get(s, f->case_id, &c, &a, e);
		if (found < 0)
			goto out;
		if (found > 0 || f->person_id == 0 || c.person_id != f->person_id) {
			err_set(e, ERR_INVALID, "case", "the case is not one of the caller's");
			goto out;
		}
	}
	struct logging l = {{0}, NULL, "", 0};
	l.q.agency = f->agency;
	l.q.channel = f->channel;
	l.q.started_at = start;
	l.q.ended_at = end;
	l.q.topic_id = topic->id;
	l.q.service = f->service;
	l.q.outcome = f->outcome;
	l.q.link = link;
	l.q.note = note;
	l.q.person_id = f->person_id;
	l.q.case_id = f->case_id;
	l.q.staff_id = who->staff_id;
	l.q.created_at = now;
	if (handed)
		l.task = task_text(&a, f->channel, topic->name_nb, note);
	access_actor(who, l.actor, sizeof(l.actor));
	if (store_write(s, store_logging, &l, e) != 0)
		goto out;
	if (id)
		*id = l.id;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

int support_my_inquiries(struct store *s, const struct principal *who, int limit, int64_t now,
			 struct inquiry **out, struct arena *a, struct err *e)
{
	if (access_check(s, who, ACT_INQUIRY_LOG, 0, "inquiries", "inquiry log", now, e) != 0)
		return -1;
	return store_inquiries_of_staff(s, who->staff_id, limit, out, a, e);
}

/* ---- a person's secure message without a case ---- */

int support_secure_message(struct store *s, const struct principal *who, const char *topic, const char *text,
			   int64_t now, int64_t *message_id, struct err *e)
{
	if (access_check_subject(s, who, ACT_MESSAGE_WRITE, "person", now, e) != 0)
		return -1;
	int64_t person = access_subject(who);
	if (!msg_text_ok(text, 1, MSG_TEXT_MAX))
		return err_set(e, ERR_INVALID, "text", "a message is 1 to %d characters of text", MSG_TEXT_MAX);
	struct arena a;
	arena_init(&a, 0);
	int rc = -1;
	struct support_agency *ag;
	struct support_topic *tp;
	int n_ag = store_support_agencies(s, &ag, &a, e), n_tp = n_ag < 0 ? -1 : store_support_topics(s, &tp, &a, e);
	if (n_ag < 0 || n_tp < 0)
		goto out;
	const struct support_topic *t = topic_of(tp, n_tp, topic && topic[0] ? topic : "other");
	if (t == NULL) {
		err_set(e, ERR_INVALID, "topic", "choose a topic from the list");
		goto out;
	}
	if (n_ag == 0) {
		err_set(e, ERR_STORE, NULL, "no agency is configured");
		goto out;
	}
	/* The installation's own agency: Lånekassen in a fresh database, else
	 * the first still served. */
	const char *agency = NULL;
	for (int i = 0; i < n_ag; i++)
		if (ag[i].active && (agency == NULL || strcmp(ag[i].code, "lanekassen") == 0))
			agency = ag[i].code;
	if (agency == NULL) {
		err_set(e, ERR_STORE, NULL, "no agency is served");
		goto out;
	}
	struct logging l = {{0}, text, "", 0};
	l.q.agency = agency;
	l.q.channel = "secure-message";
	l.q.started_at = l.q.ended_at = l.q.created_at = now;
	l.q.topic_id = t->id;
	l.q.service = "mailbox";
	l.q.outcome = "handed-over";
	l.q.person_id = person;
	access_actor(who, l.actor, sizeof(l.actor));
	if (store_write(s, store_logging, &l, e) != 0)
		goto out;
	if (message_id)
		*message_id = l.q.message_id;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}
