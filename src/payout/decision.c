/* decision.c - the money follows the decision: the job 'decision-payout'
 * that every stored decision enqueues in its own transaction (migration
 * 0019's trigger) makes the agreement the decision needs and the case's
 * payout plan, so that the daily run only gathers what is due.
 *
 * Both steps are idempotent and use the functions the other paths use: the
 * agreement comes from signing_agreements_make() (the same the "Avtaler"
 * page calls as a fallback: an agreement is made once per decision, and a
 * new decision of the same school year makes one only when its loan
 * grows), the plan from payout_plan_batch() (the same the run's safety net
 * and `stipend payout --plan` use). A decision made while the job ran
 * (the trigger leaves a running job as it is) is seen at the end: the job
 * then runs again at once instead of finishing.
 *
 * The same job applies a decision of payment deferral or interest relief
 * to the loan account (loans/decisions.h, #11). */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "loans/decisions.h"
#include "payout/internal.h"
#include "payout/payout.h"
#include "signing/signing.h"
#include "store/payout.h"
#include "store/store.h"

struct decision_finish {
	int64_t job_id, now;
	int again; /* decided again while the job ran */
};

static int decision_finish_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct decision_finish *f = arg;
	if (f->again)
		return store_job_retry(tx, f->job_id, f->now, "decided again while planned", 0, e);
	return store_job_done(tx, f->job_id, e);
}

/* The language a person reads the agency in (contact preferences), for the
 * agreement's PDF; bokmål when they chose none. */
static enum lang person_lang(struct store *s, int64_t person_id, struct arena *a)
{
	struct contact_prefs p;
	struct err e;
	enum lang lang = LANG_NB;
	if (store_contact_get(s, person_id, &p, a, &e) == 0 && p.language)
		(void)i18n_lang_parse(p.language, &lang);
	return lang;
}

int payout_decision(struct store *s, int64_t case_id, int64_t now, int *made, int *planned, struct err *e)
{
	struct arena a;
	struct case_rec c;
	struct payout_run_result r;
	int rc = -1;
	*made = 0;
	*planned = 0;
	memset(&r, 0, sizeof(r));
	arena_init(&a, 1 << 16);
	int found = store_case_get(s, case_id, &c, &a, e);
	if (found != 0) {
		rc = found < 0 ? -1 : 0; /* no such case: nothing to do */
		goto out;
	}
	/* The plan first: it needs nothing of the agreement, and a PDF that
	 * fails to draw (the job tries again) holds no plan back. */
	struct payout_case pc;
	found = store_payout_case_to_plan(s, case_id, &pc, &a, e);
	if (found < 0)
		goto out;
	if (found == 0 && payout_plan_batch(s, &pc, 1, now, &a, &r, e) != 0)
		goto out;
	*planned = (int)r.planned;
	int n = signing_agreements_make(s, c.person_id, person_lang(s, c.person_id, &a), now, &a, e);
	if (n < 0)
		goto out;
	*made = n;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

int payout_decision_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	(void)ctx;
	struct arena a;
	struct case_rec before, after;
	int made, planned, rc = -1;
	arena_init(&a, 1 << 12);
	int found = store_case_get(s, job->subject_id, &before, &a, e);
	if (found < 0)
		goto out;
	/* #11: a decision of payment deferral or interest relief acts on the
	 * loan account here, in the job every decision already enqueues by
	 * whatever path it was stored (0019's trigger), rather than by a
	 * trigger and job kind of its own: the same durability for one call,
	 * no migration, and a re-decision seen at the end runs it again
	 * (loans_grant_months() grants no month twice, nor does
	 * loans_withdraw_months() take one back twice). First, so that a PDF
	 * that fails to draw below holds no month back. */
	enum loans_decision_effect effect;
	if (loans_decision_apply(s, job->subject_id, now, &effect, e) != 0)
		goto out;
	if (effect != LOANS_DECISION_NONE) {
		char pseudo[16];
		log_pseudonym(arena_printf(&a, "case:%lld", (long long)job->subject_id), pseudo);
		if (effect == LOANS_DECISION_APPLIED)
			log_info("loans: decision of case %s applied to the loan account", pseudo);
		else
			log_info("loans: decision of case %s grants months, but the person has no loan account: "
				 "nothing to act on", pseudo);
	}
	if (payout_decision(s, job->subject_id, now, &made, &planned, e) != 0)
		goto out;
	struct decision_finish f = {job->id, now, 0};
	if (found == 0) {
		found = store_case_get(s, job->subject_id, &after, &a, e);
		if (found < 0)
			goto out;
		f.again = found == 0 && after.decided_at != before.decided_at;
	}
	if (made || planned) {
		char pseudo[16];
		log_pseudonym(arena_printf(&a, "case:%lld", (long long)job->subject_id), pseudo);
		log_info("payout: decision of case %s: %d agreement(s) made, %s", pseudo, made,
			 planned ? "planned" : "plan unchanged");
	}
	rc = store_write(s, decision_finish_tx, &f, e);
out:
	arena_cleanup(&a);
	return rc;
}
