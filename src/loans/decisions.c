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

/* The account's kind of months a scheme's decisions grant, or NULL. */
static const char *kind_of_scheme(const char *scheme)
{
	if (scheme == NULL)
		return NULL;
	if (strcmp(scheme, "payment-deferral") == 0)
		return "deferral";
	if (strcmp(scheme, "interest-relief") == 0)
		return "relief";
	return NULL;
}

/* The award that carries the kind's months. */
static const char *award_of(const char *kind)
{
	return strcmp(kind, "deferral") == 0 ? "deferral" : "interest-relief";
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
	const char *kind = kind_of_scheme(d.scheme);
	int granting = d.outcome != NULL && (strcmp(d.outcome, "granted") == 0 || strcmp(d.outcome, "partly-granted") == 0);
	int rejected = d.outcome != NULL && strcmp(d.outcome, "rejected") == 0;
	/* A decision for a case worker (manual) settles nothing yet; one that
	 * never granted has nothing to take back. */
	if (kind == NULL || (!granting && !rejected) || d.first_at == 0) {
		rc = 0;
		goto out;
	}
	int months = 0;
	if (granting) {
		json_error_t je;
		j = json_loads(d.decision_json ? d.decision_json : "", 0, &je);
		if (j == NULL) {
			err_set(e, ERR_INTERNAL, "decision_json", "decision %lld does not parse", (long long)d.decision_id);
			goto out;
		}
		size_t i;
		json_t *award;
		json_array_foreach(json_object_get(j, "awards"), i, award) {
			const char *name = json_string_value(json_object_get(award, "name"));
			json_int_t m = json_integer_value(json_object_get(award, "months"));
			if (name != NULL && strcmp(name, award_of(kind)) == 0 && m > 0)
				months += (int)m;
		}
	}
	char cause[32];
	snprintf(cause, sizeof(cause), "decision:%lld", (long long)d.decision_id);
	/* From the month of the case's first granting decision: a re-decision of the
	 * same application grants from the same month, so that one granting
	 * more adds the months after those granted, and one granting fewer
	 * (or rejecting) takes back the months after its own. */
	date_t from = date_oslo_day(d.first_at);
	if (months > 0 && loans_grant_months(s, d.person_id, kind, from, months, cause, now, e) != 0)
		goto no_account;
	int taken = 0;
	if (loans_withdraw_months(s, d.person_id, case_id, kind, date_months_on(from, months, 1), date_oslo_day(now), now, &taken, e) != 0)
		goto no_account;
	if (months > 0 || taken > 0)
		*effect = LOANS_DECISION_APPLIED;
	rc = 0;
	goto out;
no_account:
	/* No account: nothing to act on, and no retrying would make one
	 * (the caller logs it when the decision grants months). */
	if (e->code == ERR_CONFLICT && strcmp(e->field, "person_id") == 0) {
		*effect = months > 0 ? LOANS_DECISION_NO_ACCOUNT : LOANS_DECISION_NONE;
		rc = 0;
	}
out:
	json_decref(j);
	arena_cleanup(&a);
	return rc;
}
