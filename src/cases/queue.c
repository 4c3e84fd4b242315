/* queue.c - what waits for the case workers: the cases the rules sent to a
 * person and those awaiting documentation, and the messages waiting for an
 * answer; see casework.h. Both lists name no one in particular, so a
 * refusal is ERR_FORBIDDEN (403), audited by the gate. */
#include <string.h>

#include "cases/casework.h"
#include "core/arena.h"
#include "core/err.h"

/* A reason code as the rules write them ("special-circumstances"). */
static int reason_code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The cases with status, as queue entries with their documentation
 * marks. Returns the count or -1. */
static int list(struct store *s, const char *status, const char *reason, struct casework_queue_entry **out,
		int64_t *total, struct arena *a, struct err *e)
{
	struct queue_entry *q;
	int n = store_case_queue(s, status, reason, &q, total, a, e);
	if (n < 0)
		return -1;
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(n ? n : 1));
	for (int i = 0; i < n; i++) {
		struct casework_queue_entry *x = &(*out)[i];
		struct doc_request_state st;
		x->c = q[i].c;
		x->deadline = q[i].deadline;
		/* A manual case that came back from documentation says why. */
		if (strcmp(q[i].c.status, "manual") != 0)
			continue;
		int rc = store_doc_request_state_of_case(s, q[i].c.id, &st, a, e);
		if (rc < 0)
			return -1;
		if (rc == 0 && (strcmp(st.state, "received") == 0 || strcmp(st.state, "expired") == 0))
			x->docs_state = st.state;
	}
	return n;
}

int casework_queue(const struct cases_env *env, const struct principal *who, const char *reason, int64_t now,
		   struct casework_queue *out, struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (access_check(env->store, who, ACT_QUEUE_READ, 0, "queue:caseworker", "queue", now, e) != 0)
		return -1;
	/* A code no rule writes is no filter: all reasons. */
	out->reason = reason_code_ok(reason) ? reason : NULL;
	if ((out->n_manual = list(env->store, "manual", out->reason, &out->manual, &out->manual_total, a, e)) < 0 ||
	    (out->n_awaiting = list(env->store, "awaiting-documentation", out->reason, &out->awaiting,
				    &out->awaiting_total, a, e)) < 0 ||
	    (out->n_reasons = store_case_queue_reasons(env->store, &out->reasons, a, e)) < 0)
		return -1;
	return 0;
}

int casework_messages_waiting(const struct cases_env *env, const struct principal *who, int64_t now,
			      struct message **out, int64_t *total, struct arena *a, struct err *e)
{
	if (access_check(env->store, who, ACT_MESSAGES_QUEUE, 0, "messages:waiting", "messages", now, e) != 0)
		return -1;
	return store_messages_waiting(env->store, out, total, a, e);
}
