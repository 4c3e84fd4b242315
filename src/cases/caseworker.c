/* caseworker.c - the case worker's transitions of a case that waits for
 * one (manual, or awaiting documentation): deciding it, or asking the
 * applicant for documentation. Each is one transaction with its audit
 * record and the letter it issues; a case leaves the queue once, so a
 * second case worker acting on the same case meets ERR_CONFLICT. */
#include <stdio.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "cases/documents.h"
#include "core/err.h"
#include "mailbox/mailbox.h"

struct decide_tx {
	const struct caseworker_decision *d;
	char actor[32];
	int64_t now;
	int64_t letter_id;
};

/* The case leaves the queue (once), the decision supersedes the rules',
 * the audit record and the letter. */
static int store_decision(struct store_tx *tx, void *arg, struct err *e)
{
	struct decide_tx *t = arg;
	const struct caseworker_decision *d = t->d;
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)d->case_id);
	if (store_case_from_manual(tx, d->case_id, "decided", e) != 0 ||
	    store_case_decide(tx, d->case_id, "decided", d->outcome, t->now, d->decision_json, d->facts_json, e) != 0 ||
	    audit_append(tx, t->now, t->actor, "case.decided-by-caseworker", object, d->detail, e) != 0)
		return -1;
	return mbox_deliver(tx, d->person_id, d->case_id, "decision", t->now, &t->letter_id, e);
}

int cases_decide_by_caseworker(struct store *s, const struct principal *who, const struct caseworker_decision *d,
			       int64_t now, int64_t *letter_id, struct err *e)
{
	struct decide_tx t = {d, "", now, 0};
	access_actor(who, t.actor, sizeof(t.actor));
	if (store_write(s, store_decision, &t, e) != 0)
		return -1;
	if (letter_id)
		*letter_id = t.letter_id;
	return 0;
}

struct request_tx {
	struct doc_request dr;
	int64_t person_id;
	char actor[32];
};

/* The case waits for the documentation; the letter that asks for it, the
 * request itself and the audit record. */
static int store_request(struct store_tx *tx, void *arg, struct err *e)
{
	struct request_tx *q = arg;
	char object[32], detail[48];
	snprintf(object, sizeof(object), "case:%lld", (long long)q->dr.case_id);
	snprintf(detail, sizeof(detail), "deadline=%s", q->dr.deadline);
	if (store_case_from_manual(tx, q->dr.case_id, "awaiting-documentation", e) != 0 ||
	    mbox_deliver(tx, q->person_id, q->dr.case_id, "documentation-request", q->dr.requested_at, &q->dr.letter_id,
			 e) != 0 ||
	    store_doc_request_insert(tx, &q->dr, &q->dr.id, e) != 0 || documents_arm_deadline(tx, &q->dr, e) != 0)
		return -1;
	return audit_append(tx, q->dr.requested_at, q->actor, "case.documentation-requested", object, detail, e);
}

int cases_request_documentation(struct store *s, const struct principal *who, int64_t case_id, int64_t person_id,
				const char *text, const char *deadline, int64_t now, struct doc_request *out,
				struct err *e)
{
	struct request_tx q = {{0, case_id, 0, who->staff_id, text, deadline, now}, person_id, ""};
	access_actor(who, q.actor, sizeof(q.actor));
	if (store_write(s, store_request, &q, e) != 0)
		return -1;
	if (out)
		*out = q.dr;
	return 0;
}
