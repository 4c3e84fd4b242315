/* person.c - a person's own cases and data; see person.h.
 *
 * The gate is asked with the thing's owner (0 when it does not exist), so
 * that a missing case and another person's case are refused, audited and
 * answered alike. */
#include "cases/person.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/err.h"
#include "core/log.h"

struct reading {
	int64_t at;
	const char *actor, *action, *object;
};

static int audit_reading(struct store_tx *tx, void *arg, struct err *e)
{
	const struct reading *r = arg;
	return audit_append(tx, r->at, r->actor, r->action, r->object, NULL, e);
}

/* Audit that who read object (action "case.read", ...). */
static int audited(struct store *s, const struct principal *who, const char *action, const char *object, int64_t now,
		   struct err *e)
{
	char actor[64];
	struct reading r = {now, access_actor(who, actor, sizeof(actor)), action, object};
	return store_write(s, audit_reading, &r, e);
}

int cases_of_person(struct store *s, const struct principal *who, int64_t now, struct case_rec **out,
		    struct arena *a, struct err *e)
{
	if (access_check_subject(s, who, ACT_CASE_READ, "case", now, e) != 0)
		return -1;
	return store_cases_of_person(s, access_subject(who), out, a, e);
}

/* Read case_id for who under act (audited "case.read"), and its latest
 * request for documentation. */
static int read_case(struct store *s, const struct principal *who, enum action act, int64_t case_id, int64_t now,
		     struct case_view *out, struct arena *a, struct err *e)
{
	char object[32];
	memset(out, 0, sizeof(*out));
	snprintf(object, sizeof(object), "case:%lld", (long long)case_id);
	if (cases_gate(s, who, act, case_id, now, &out->c, a, e) != 0 ||
	    audited(s, who, "case.read", object, now, e) != 0)
		return -1;
	struct err e2;
	if (store_doc_request_state_of_case(s, case_id, &out->request_state, a, &e2) == 0 &&
	    store_doc_request_latest(s, case_id, &out->request, a, &e2) == 0) {
		out->has_request = 1;
		out->request_waits = strcmp(out->request_state.state, "open") == 0 &&
				     strcmp(out->c.status, "awaiting-documentation") == 0;
	}
	return 0;
}

int cases_person_case(struct store *s, const struct principal *who, int64_t case_id, int64_t now,
		      struct case_view *out, struct arena *a, struct err *e)
{
	if (read_case(s, who, ACT_CASE_READ, case_id, now, out, a, e) != 0)
		return -1;
	struct err e2;
	struct letter_query q = {out->c.person_id, out->c.id, NULL, NULL, LETTERS_ANY, 0, NULL, NULL, NULL, 0, 0,
				 LETTERS_FIND_MAX};
	int n = store_letters_find(s, &q, &out->letters, NULL, a, &e2);
	if (n >= 0)
		out->n_letters = n;
	else
		log_error("case letters: %s", e2.message);
	n = store_messages_of_case(s, out->c.id, &out->messages, a, &e2);
	if (n < 0) {
		log_error("case conversation: %s", e2.message);
		n = 0;
	}
	/* A conversation is one person's: never show another's messages,
	 * even if a case were ever to change hands. */
	for (int i = 0; i < n; i++)
		if (out->messages[i].person_id == out->c.person_id)
			out->messages[out->n_messages++] = out->messages[i];
	return 0;
}

int cases_upload_view(struct store *s, const struct principal *who, int64_t case_id, int64_t now,
		      struct case_view *out, struct arena *a, struct err *e)
{
	return read_case(s, who, ACT_DOCUMENT_UPLOAD, case_id, now, out, a, e);
}

int cases_person_data(struct store *s, const struct principal *who, int64_t now, struct person *p,
		      const char **facts_json, int64_t *decided_at, struct arena *a, struct err *e)
{
	int64_t subject = access_subject(who);
	char object[32];
	snprintf(object, sizeof(object), "person:%lld", (long long)subject);
	*facts_json = NULL;
	*decided_at = 0;
	if (access_check_subject(s, who, ACT_PERSON_READ, "person", now, e) != 0)
		return -1;
	int rc = store_person_get(s, subject, p, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such person");
	if (store_person_latest_facts(s, subject, facts_json, decided_at, a, e) < 0)
		return -1;
	return audited(s, who, "person.read", object, now, e);
}
