/* cases.h - the case life cycle: received -> collecting facts -> decided
 * (granted, partly granted, rejected) or manual -> letter issued, each
 * transition in one transaction with its audit record.
 *
 * At submit the facts are gathered at once; when they come in time the
 * case is stored decided, with its decision and letter, in one transaction
 * (the instant decision). When a register does not answer, the case is
 * stored waiting, with a "decide" job in the same transaction, and the job
 * runner decides it later; the job is idempotent, so a crash at any moment
 * leaves every acknowledged application decided exactly once. Cases are
 * read only through cases_read(), which asks the authorisation policy and
 * audits the read (or the refusal). */
#ifndef STIPEND_CASES_H
#define STIPEND_CASES_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "cases/jobs.h"
#include "rules/params.h"
#include "store/store.h"

struct arena;
struct err;
struct reg_client;

/* Where a case's facts come from: complete the application in place with
 * what the registers hold (income, enrolment, travel, ...) and describe the
 * facts with their sources as JSON in *facts_json (malloc'd, may stay NULL).
 * Returns 0, or -1 with e filled and *waiting_for naming the register that
 * did not answer (a static string): the case then waits for it. */
typedef int (*cases_gather_fn)(void *ctx, const struct person *who, json_t *application, char **facts_json,
			       const char **waiting_for, struct err *e);

/* What the case life cycle works with. gather may be NULL: the application
 * then carries all its facts itself. jobs may be NULL (no runner in this
 * process): waiting cases are still queued durably. */
struct cases_env {
	struct store *store;
	const struct params *params;
	cases_gather_fn gather;
	void *gather_ctx;
	struct jobs *jobs;
	struct reg_client *registers; /* set by cases_use_registers(), or NULL */
};

#define CASES_MAX_REASONS 8

struct submitted {
	int64_t case_id;
	int64_t letter_id;   /* 0 while the case waits */
	const char *outcome; /* "granted", ... (static), NULL while waiting */
	const char *waiting_for;
	/* The codes of a manual decision's reasons (static strings), so that a
	 * mass intake can count them without reading the decision back. */
	const char *manual_reasons[CASES_MAX_REASONS];
	int n_manual_reasons;
};

/* Take an application (the decision contract's JSON) from who: check it,
 * gather its facts, decide it, and store case, decision and letter with
 * their audit records in one transaction; or, when the facts do not come,
 * store the case waiting with a job to decide it. Input that is not
 * understood fails with ERR_INVALID naming the field and stores nothing.
 * Returns 0 once durably committed. */
int cases_submit(const struct cases_env *env, const struct principal *who, const json_t *application, int64_t now,
		 struct submitted *out, struct err *e);

/* cases_submit() for a mass intake: the case also records intake (may be
 * NULL), a tag naming where it came from ("batch:<key>:<line>"), in the
 * same transaction. A tag already stored fails with ERR_CONFLICT (field
 * "intake") and stores nothing, so a batch run again never stores a line
 * twice. #15: an application tag ("application:", "registers:", "batch:")
 * for a person, scheme and school year that has an application already
 * fails with ERR_CONFLICT (field "application"), storing nothing, with
 * out->case_id the first application's case. Thread-safe, as
 * cases_submit() is. */
int cases_submit_intake(const struct cases_env *env, const struct principal *who, const json_t *application,
			const char *intake, int64_t now, struct submitted *out, struct err *e);

/* Audit that who read the data held about person_id ("person.read"). */
int cases_audit_person_read(struct store *s, const struct principal *who, int64_t person_id, int64_t now,
			    struct err *e);

/* A cases_gather_fn over the registers: ctx is a struct reg_client. */
int cases_gather_from_registers(void *ctx, const struct person *who, json_t *application, char **facts_json,
				const char **waiting_for, struct err *e);

struct reg_options;

/* Make env gather its facts from the registers at url (o may be NULL for
 * the clients' defaults). Returns the client, which the caller frees with
 * reg_client_free() after the last use of env, or NULL with e filled. */
struct reg_client *cases_use_registers(struct cases_env *env, const char *url, const struct reg_options *o,
				       struct err *e);

/* The job kinds of the case life cycle, for jobs_start() and
 * jobs_run_due() with a struct cases_env as their ctx: "decide" (a case
 * that waited for its facts), "redecide" (a case whose facts may have
 * changed: see cases_redecide()) and "register-events" (follow.c). */
extern const struct job_kind cases_job_kinds[];

/* Have case_id decided again with the facts the registers hold now, by a
 * "redecide" job enqueued in tx, audited with actor and why (no personal
 * data). The job gives the case a new decision that supersedes the old
 * (both kept) and a letter when the substance changed; a case worker's
 * decision is left for a case worker. */
int cases_redecide(struct store_tx *tx, int64_t case_id, int64_t now, const char *actor, const char *why,
		   struct err *e);

/* As cases_redecide, after the person changed their answers (a change
 * application, "redecide-answers"): an answer that differs from a register
 * and would give more goes to a case worker, as at submission. */
int cases_redecide_answers(struct store_tx *tx, int64_t case_id, int64_t now, const char *actor, const char *why,
			   struct err *e);

/* ---- following the registers' changes (follow.c) ---- */

/* Seconds between two readings of the registers' event feeds. */
#define CASES_FOLLOW_INTERVAL 60

/* Start following the registers' event feeds: enqueue the recurring
 * "register-events" job (idempotent; a no-op without registers). Each run
 * reads every register's feed after the last sequence it has seen (kept in
 * the settings), has the cases of each person named decided again
 * (cases_redecide), stores the new position in the same transaction, and
 * runs again CASES_FOLLOW_INTERVAL seconds later. */
int cases_follow_registers(const struct cases_env *env, int64_t now, struct err *e);

/* The case worker's work on cases (the queue, examining a case, deciding
 * it, asking for documentation, deciding it again) is in cases/casework.h. */

/* The gate for act on case case_id: reads the case into *out (arena a) and
 * asks access_check() with its owner and the object "case:N"; a case that
 * does not exist is refused alike (owner 0), so that a refusal reveals
 * nothing. Returns 0 (out filled), or -1 with e: the refusal, audited once,
 * or the store's error. */
int cases_gate(struct store *s, const struct principal *who, enum action act, int64_t case_id, int64_t now,
	       struct case_rec *out, struct arena *a, struct err *e);

/* Read one case for who, the person whose case it is (ACT_CASE_READ; a
 * case worker examines a case with cases_examine, casework.h): 0 (out
 * filled, the reading audited "case.read"), -1 with ERR_NOT_FOUND when it
 * does not exist or who may not see it (both audited alike by the gate,
 * "case.read.denied", so that a refusal reveals nothing), or -1 on
 * failure. */
int cases_read(struct store *s, const struct principal *who, int64_t case_id, int64_t now, struct case_rec *out,
	       struct arena *a, struct err *e);

#endif
