/* decisions.c - a decision of payment deferral or interest relief acting
 * on the loan account; see decisions.h. */
#include "loans/decisions.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "loans/account.h"
#include "store/loans_decisions.h"

/* The account's kind for an award of the decision, or NULL. */
static const char *kind_of(const char *scheme, const char *award)
{
	if (strcmp(scheme, "payment-deferral") == 0 && strcmp(award, "deferral") == 0)
		return "deferral";
	if (strcmp(scheme, "interest-relief") == 0 && strcmp(award, "interest-relief") == 0)
		return "relief";
	return NULL;
}

int loans_decision_apply(struct store *s, int64_t case_id, int64_t now, enum loans_decision_effect *effect,
			 struct err *e)
{
	struct arena a;
	struct loans_case_decision d;
	json_t *j = NULL;
	int rc = -1;
	*effect = LOANS_DECISION_NONE;
	arena_init(&a, 1 << 12);
	int found = store_loans_case_decision(s, case_id, &d, &a, e);
	if (found != 0) {
		rc = found < 0 ? -1 : 0;
		goto out;
	}
	if (d.scheme == NULL || (strcmp(d.scheme, "payment-deferral") != 0 && strcmp(d.scheme, "interest-relief") != 0) ||
	    d.outcome == NULL || (strcmp(d.outcome, "granted") != 0 && strcmp(d.outcome, "partly-granted") != 0)) {
		rc = 0; /* a manual or rejected decision grants no month */
		goto out;
	}
	json_error_t je;
	j = json_loads(d.decision_json ? d.decision_json : "", 0, &je);
	if (j == NULL) {
		err_set(e, ERR_INTERNAL, "decision_json", "decision %lld does not parse", (long long)d.decision_id);
		goto out;
	}
	char cause[32];
	snprintf(cause, sizeof(cause), "decision:%lld", (long long)d.decision_id);
	/* From the month of the case's first granting decision: a re-decision of the
	 * same application grants from the same month, so that one granting
	 * fewer months falls within those granted, and one granting more
	 * adds the months after them. */
	date_t from = date_oslo_day(d.first_at);
	size_t i;
	json_t *award;
	json_array_foreach(json_object_get(j, "awards"), i, award) {
		const char *name = json_string_value(json_object_get(award, "name"));
		const char *kind = name ? kind_of(d.scheme, name) : NULL;
		json_int_t months = json_integer_value(json_object_get(award, "months"));
		if (kind == NULL || months <= 0)
			continue;
		if (loans_grant_months(s, d.person_id, kind, from, (int)months, cause, now, e) != 0) {
			/* No account: nothing to act on, and no retrying
			 * would make one (the caller logs it). */
			if (e->code == ERR_CONFLICT && strcmp(e->field, "person_id") == 0) {
				*effect = LOANS_DECISION_NO_ACCOUNT;
				rc = 0;
			}
			goto out;
		}
		*effect = LOANS_DECISION_APPLIED;
	}
	rc = 0;
out:
	json_decref(j);
	arena_cleanup(&a);
	return rc;
}
