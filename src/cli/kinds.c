/* kinds.c - every kind of job this binary runs, in one list that `stipend
 * serve` and `stipend work` both hand to the job runner, each kind with
 * the context it works in. */
#include "cli/cli.h"

#include <stddef.h>

#include "audit/audit.h"
#include "calendar/calendar.h"
#include "cases/cases.h"
#include "cases/documents.h"
#include "cases/jobs.h"
#include "notify/notify.h"
#include "payout/payout.h"

/* Filled once at start, before the runner starts, and only read after. */
static struct job_kind kinds[16];
static const struct payout_env *payout_env;

void cli_job_kinds_payout(const struct payout_env *env)
{
	payout_env = env;
}

const struct job_kind *cli_job_kinds(struct cases_env *env, const struct notify_config *notify,
				     const struct audit_anchor *anchor)
{
	/* The notices' kind always gets a config of its own: a NULL ctx would
	 * hand it the runner's (the case life cycle's). No channel configured
	 * means every notice is recorded as failed, never faked. */
	static const struct notify_config unconfigured = {NULL, NULL, NULL, NULL};
	int n = 0;
	for (const struct job_kind *k = cases_job_kinds; k->kind != NULL; k++) {
		kinds[n] = *k;
		kinds[n++].ctx = env;
	}
	kinds[n++] = (struct job_kind){"notice", notify_notice_job, (void *)(notify ? notify : &unconfigured)};
	for (const struct job_kind *k = documents_job_kinds; k->kind != NULL; k++)
		kinds[n++] = *k;
	kinds[n++] = (struct job_kind){"reminders", cal_reminders_run, NULL};
	/* The checkpoints of the audit chain: a runner without the key keeps
	 * the job going for one that has it. */
	static const struct audit_anchor keyless = {NULL, NULL, AUDIT_CHECKPOINT_EVERY};
	kinds[n++] = (struct job_kind){AUDIT_CHECKPOINT_KIND, audit_checkpoint_job,
				       (void *)(anchor && anchor->key ? anchor : &keyless)};
	/* Payouts (#10): the daily run where this runner was told where files
	 * go; a runner that was not hands the job back for one that was. */
	kinds[n++] = payout_env ? (struct job_kind){PAYOUT_JOB_KIND, payout_job, (void *)payout_env}
				: (struct job_kind){PAYOUT_JOB_KIND, payout_job_elsewhere, NULL};
	/* Payouts (#10): each decision's agreement and payout plan, made when
	 * the decision is stored (migration 0019 enqueues it). */
	kinds[n++] = (struct job_kind){PAYOUT_DECISION_JOB_KIND, payout_decision_job, NULL};
	kinds[n] = (struct job_kind){NULL, NULL, NULL};
	return kinds;
}
