/* mailbox.c - delivering and opening letters; see mailbox.h. */
#include "mailbox/mailbox.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/err.h"
#include "store/notices.h"

const char *mbox_sender_unit(const char *kind)
{
	if (strcmp(kind, "documentation-request") == 0 || strcmp(kind, "answer") == 0)
		return "case-processing";
	if (strcmp(kind, "reminder") == 0 || strcmp(kind, "information") == 0)
		return "customer-service";
	return "student-support";
}

int mbox_deliver(struct store_tx *tx, int64_t person_id, int64_t case_id, const char *kind, int64_t now,
		 int64_t *letter_id, struct err *e)
{
	struct letter l = {0, person_id, case_id, kind, now, 0};
	l.sender_unit = mbox_sender_unit(kind);
	char object[32], detail[64];
	/* A notice goes when the person has a channel to take it (notify.h). */
	if (store_notice_channel(tx, person_id, &l.notice_channel, e) != 0)
		return -1;
	l.notice_status = l.notice_channel ? "pending" : "none";
	if (store_letter_insert(tx, &l, letter_id, e) != 0 ||
	    (l.notice_channel && store_job_enqueue(tx, "notice", *letter_id, now, now, e) != 0))
		return -1;
	snprintf(object, sizeof(object), "letter:%lld", (long long)*letter_id);
	snprintf(detail, sizeof(detail), "kind=%s case=%lld", kind, (long long)case_id);
	return audit_append(tx, now, "system", "letter.issued", object, detail, e);
}

struct opening {
	const struct principal *who;
	int64_t letter_id, now;
};

static int record_opening(struct store_tx *tx, void *arg, struct err *e)
{
	struct opening *o = arg;
	char actor[64], object[32];
	int first = 0;
	access_actor(o->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "letter:%lld", (long long)o->letter_id);
	if (store_letter_mark_read(tx, o->letter_id, o->now, &first, e) != 0)
		return -1;
	return audit_append(tx, o->now, actor, "letter.read", object, first ? "first reading" : NULL, e);
}

int mbox_open(struct store *s, const struct principal *who, int64_t letter_id, int64_t now, struct letter *out,
	      struct arena *a, struct err *e)
{
	char object[32];
	snprintf(object, sizeof(object), "letter:%lld", (long long)letter_id);
	int rc = store_letter_get(s, letter_id, out, a, e);
	if (rc < 0)
		return -1;
	/* The gate audits a refusal ("letter.read.denied"), a missing letter
	 * alike. */
	if (access_check(s, who, ACT_LETTER_READ, rc == 0 ? out->person_id : 0, object, "letter", now, e) != 0)
		return -1;
	struct opening o = {who, letter_id, now};
	if (store_write(s, record_opening, &o, e) != 0)
		return -1;
	if (out->first_read_at == 0)
		out->first_read_at = now;
	return 0;
}
