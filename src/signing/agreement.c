/* agreement.c - which decisions need a support agreement, and whether the
 * one a case needs is signed (the payout condition).
 *
 * An agreement is needed by a granted (or partly granted) decision with a
 * loan, and by a pupil's grant in upper secondary school (the pupil signs
 * once: any agreement of theirs covers a later grant). For a loan it covers
 * the person's school year up to its own loan, so that a new decision in
 * the same year needs a new agreement only when the loan grows. */
#include "signing/signing.h"

#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/agreements.h"
#include "store/store.h"

int signing_decision_needs(const char *scheme, const char *outcome, const char *decision_json, int64_t *loan,
			   int64_t *grants, int *needs)
{
	*loan = 0;
	*grants = 0;
	*needs = 0;
	if (decision_json == NULL)
		return -1;
	json_t *d = json_loads(decision_json, 0, NULL);
	if (!json_is_object(d)) {
		json_decref(d);
		return -1;
	}
	size_t i;
	json_t *award;
	json_array_foreach(json_object_get(d, "awards"), i, award)
	{
		const char *kind = json_string_value(json_object_get(award, "kind"));
		json_int_t amount = json_integer_value(json_object_get(award, "amount"));
		if (kind == NULL || amount <= 0)
			continue;
		if (strcmp(kind, "loan") == 0)
			*loan += amount;
		else if (strcmp(kind, "grant") == 0)
			*grants += amount;
	}
	json_decref(d);
	int granted = outcome != NULL && (strcmp(outcome, "granted") == 0 || strcmp(outcome, "partly-granted") == 0);
	int pupil = scheme != NULL && strcmp(scheme, "upper-secondary") == 0;
	*needs = granted && (*loan > 0 || (pupil && *grants > 0));
	return 0;
}

int signing_agreement_signed(struct store *s, int64_t case_id, int *is_signed, struct err *e)
{
	struct arena a;
	struct case_rec c;
	struct decision_ref d;
	struct agreement g;
	int64_t loan, grants;
	int needs, rc;
	*is_signed = 0;
	arena_init(&a, 0);
	rc = store_case_get(s, case_id, &c, &a, e);
	if (rc == 1)
		rc = err_set(e, ERR_NOT_FOUND, "case", "no such case");
	if (rc != 0)
		goto out;
	rc = store_case_current_decision(s, case_id, &d, &a, e);
	if (rc == 1) {
		*is_signed = 1; /* undecided: nothing to sign yet, nothing to pay either */
		rc = 0;
		goto out;
	}
	if (rc != 0)
		goto out;
	if (signing_decision_needs(c.scheme, d.outcome, d.decision_json, &loan, &grants, &needs) != 0) {
		rc = err_set(e, ERR_INTERNAL, NULL, "the decision of case %lld is not readable", (long long)case_id);
		goto out;
	}
	if (!needs) {
		*is_signed = 1;
		goto out;
	}
	rc = store_agreement_covering(s, c.person_id, c.school_year, loan, 1, &g, &a, e);
	if (rc == 0)
		*is_signed = 1;
	if (rc == 1)
		rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}
