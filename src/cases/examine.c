/* examine.c - a case as the case worker examines it, and one message as
 * the case worker reads it; see casework.h.
 *
 * Both ask the gate first. A reading is then audited before anything is
 * read: "case.read" by the case worker, and in the same transaction the
 * reading of a confidential address the case worker is authorised to see
 * ("person.confidential-address.read"), so that the audit trail shown
 * with the case holds the reading that shows it. What the page needs comes
 * back together in one struct, so that the handler only renders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/casework.h"
#include "core/arena.h"
#include "core/err.h"
#include "mailbox/messages.h"
#include "store/paper.h"

#define PAPER_MARKS_MAX 200 /* the withheld letters of a person looked at */

struct reading {
	char actor[64];
	int64_t case_id, person_id, now;
	int confidential; /* a confidential address is shown */
};

static int record_reading(struct store_tx *tx, void *arg, struct err *e)
{
	struct reading *r = arg;
	char object[32], person[32], detail[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)r->case_id);
	if (audit_append(tx, r->now, r->actor, "case.read", object, NULL, e) != 0)
		return -1;
	if (!r->confidential)
		return 0;
	snprintf(person, sizeof(person), "person:%lld", (long long)r->person_id);
	snprintf(detail, sizeof(detail), "case=%lld", (long long)r->case_id);
	return audit_append(tx, r->now, r->actor, "person.confidential-address.read", person, detail, e);
}

/* The staff member named by an actor "staff:N", or NULL. */
static const char *staff_name(struct store *s, int64_t staff_id, struct arena *a)
{
	struct staff st;
	struct err e;
	if (staff_id <= 0 || store_staff_get(s, staff_id, &st, a, &e) != 0)
		return NULL;
	return st.name;
}

static const char *actor_staff_name(struct store *s, const char *actor, struct arena *a)
{
	char *end;
	if (strncmp(actor, "staff:", 6) != 0)
		return NULL;
	long long id = strtoll(actor + 6, &end, 10);
	return *end == '\0' ? staff_name(s, id, a) : NULL;
}

/* The conversation about c with who wrote each answer. Returns the count
 * or -1. */
static int conversation(struct store *s, const struct principal *who, const struct case_rec *c,
			struct casework_message **out, struct arena *a, struct err *e)
{
	struct message *m;
	int n = msg_conversation(s, who, c->id, c->person_id, &m, a, e);
	if (n < 0)
		return -1;
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(n ? n : 1));
	for (int i = 0; i < n; i++) {
		(*out)[i].m = m[i];
		if (strcmp(m[i].direction, "out") == 0)
			(*out)[i].staff_name = staff_name(s, m[i].staff_id, a);
	}
	return n;
}

/* 1 when the decision's last step is a case worker's. */
static int by_caseworker(const char *decision_json)
{
	json_t *d = decision_json ? json_loads(decision_json, 0, NULL) : NULL;
	json_t *trace = json_object_get(d, "trace");
	const char *last = json_string_value(json_object_get(json_array_get(trace, json_array_size(trace) - 1), "rule"));
	int yes = last && strcmp(last, "caseworker.decision") == 0;
	json_decref(d);
	return yes;
}

int cases_examine(const struct cases_env *env, const struct principal *who, int64_t case_id, int64_t now,
		  struct casework_case *out, struct arena *a, struct err *e)
{
	struct store *s = env->store;
	char object[32];
	memset(out, 0, sizeof(*out));
	snprintf(object, sizeof(object), "case:%lld", (long long)case_id);
	if (cases_gate(s, who, ACT_CASE_EXAMINE, case_id, now, &out->c, a, e) != 0)
		return -1;
	const struct case_rec *c = &out->c;

	/* The applicant, the address withheld unless who may see it. */
	struct reading r = {"", c->id, c->person_id, now, 0};
	access_actor(who, r.actor, sizeof(r.actor));
	if (access_allowed(who, ACT_PERSON_READ, c->person_id)) {
		int rc = store_person_get(s, c->person_id, &out->applicant, a, e);
		if (rc < 0)
			return -1;
		out->has_applicant = rc == 0;
	}
	if (out->has_applicant && out->applicant.confidential_address) {
		if (access_allowed(who, ACT_SEE_CONFIDENTIAL_ADDRESS, c->person_id)) {
			r.confidential = 1;
		} else {
			out->address_withheld = 1;
			out->applicant.address = out->applicant.postcode = out->applicant.city = NULL;
		}
	}
	if (store_write(s, record_reading, &r, e) != 0)
		return -1;

	struct case_rec *ds;
	int n = store_decisions_of_case(s, c->id, &ds, a, e);
	if (n < 0)
		return -1;
	out->history = arena_zalloc(a, sizeof(*out->history) * (size_t)(n ? n : 1));
	for (int i = 0; i < n; i++) {
		out->history[i].d = ds[i];
		out->history[i].by_caseworker = by_caseworker(ds[i].decision_json);
	}
	out->n_history = n;

	struct audit_rec *recs;
	n = store_audit_of(s, object, &recs, a, e);
	if (n < 0)
		return -1;
	out->audit = arena_zalloc(a, sizeof(*out->audit) * (size_t)(n ? n : 1));
	for (int i = 0; i < n; i++) {
		out->audit[i].rec = recs[i];
		out->audit[i].staff_name = actor_staff_name(s, recs[i].actor, a);
	}
	out->n_audit = n;

	/* The case's letters, newest first, and which are kept off paper. */
	struct letter *letters;
	int64_t *withheld;
	n = store_letters_of_person(s, c->person_id, &letters, NULL, a, e);
	int n_withheld = n < 0 ? -1 : store_paper_withheld_of_person(s, c->person_id, PAPER_MARKS_MAX, &withheld, a, e);
	if (n < 0 || n_withheld < 0)
		return -1;
	out->letters = arena_zalloc(a, sizeof(*out->letters) * (size_t)(n ? n : 1));
	for (int k = n - 1; k >= 0; k--) {
		if (letters[k].case_id != c->id)
			continue;
		struct casework_letter *l = &out->letters[out->n_letters++];
		l->l = letters[k];
		for (int j = 0; j < n_withheld; j++)
			l->paper_withheld |= withheld[j] == letters[k].id;
	}

	int rc = store_doc_request_latest(s, c->id, &out->request, a, e);
	if (rc < 0)
		return -1;
	out->has_request = rc == 0;
	rc = store_doc_request_state_of_case(s, c->id, &out->docs_state, a, e);
	if (rc < 0)
		return -1;
	out->has_docs_state = rc == 0 && strcmp(out->docs_state.state, "open") != 0;

	if ((out->n_conversation = conversation(s, who, c, &out->conversation, a, e)) < 0)
		return -1;
	if ((out->n_documents = store_documents_of_case(s, c->id, &out->documents, a, e)) < 0)
		return -1;

	casework_offer_of(env->params, c, &out->offer, a);
	out->redecidable = (strcmp(c->status, "decided") == 0 && !by_caseworker(c->decision_json)) ||
			   strcmp(c->status, "manual") == 0;
	return 0;
}

static int record_case_read(struct store_tx *tx, void *arg, struct err *e)
{
	struct reading *r = arg;
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)r->case_id);
	return audit_append(tx, r->now, r->actor, "case.read", object, NULL, e);
}

static int record_message_read(struct store_tx *tx, void *arg, struct err *e)
{
	struct reading *r = arg;
	char object[32];
	snprintf(object, sizeof(object), "person:%lld", (long long)r->person_id);
	return audit_append(tx, r->now, r->actor, "message.read", object, NULL, e);
}

int casework_message_read(const struct cases_env *env, const struct principal *who, int64_t message_id,
			  int64_t now, struct casework_message_view *out, struct arena *a, struct err *e)
{
	struct store *s = env->store;
	char object[32];
	memset(out, 0, sizeof(*out));
	snprintf(object, sizeof(object), "message:%lld", (long long)message_id);
	int found = store_message_get(s, message_id, &out->message, a, e);
	if (found < 0)
		return -1;
	/* Only a person's message is read here; an answer is no message. */
	int64_t owner = found == 0 && strcmp(out->message.direction, "in") == 0 ? out->message.person_id : 0;
	if (access_check(s, who, ACT_MESSAGE_READ, owner, object, "message", now, e) != 0)
		return -1;
	if (out->message.case_id == 0) {
		/* A message about no case (the support centre's hand-over or a
		 * person's general question, #14): its conversation is itself
		 * and its answer; the reading is audited on the person. */
		struct reading r = {"", 0, out->message.person_id, now, 0};
		access_actor(who, r.actor, sizeof(r.actor));
		if (store_write(s, record_message_read, &r, e) != 0)
			return -1;
		out->conversation = arena_zalloc(a, sizeof(*out->conversation) * 2);
		out->conversation[0].m = out->message;
		out->n_conversation = 1;
		if (out->message.answer_id != 0 &&
		    store_message_get(s, out->message.answer_id, &out->conversation[1].m, a, e) == 0)
			out->n_conversation = 2;
		return 0;
	}
	found = store_case_get(s, out->message.case_id, &out->c, a, e);
	if (found != 0)
		return found < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such case");
	/* Reading the conversation is reading the case: audited. */
	struct reading r = {"", out->c.id, out->c.person_id, now, 0};
	access_actor(who, r.actor, sizeof(r.actor));
	if (store_write(s, record_case_read, &r, e) != 0)
		return -1;
	out->n_conversation = conversation(s, who, &out->c, &out->conversation, a, e);
	return out->n_conversation < 0 ? -1 : 0;
}
