/* internal.h - what the files of src/cases/ share and nobody else sees. */
#ifndef STIPEND_CASES_INTERNAL_H
#define STIPEND_CASES_INTERNAL_H

#include <jansson.h>

#include "cases/cases.h"
#include "cases/jobs.h"

struct arena;
struct buf;

/* The "register-events" job (follow.c): read the registers' event feeds. */
int cases_events_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e);

/* #15 (applying right), review.c: the decision read against the person's
 * answers and the registers' facts. stated is the application as the
 * person sent it, complete the one the registers completed and decided on
 * (NULL without registers: nothing to review), facts_json the facts with
 * their sources, dj the decision's JSON, rewritten in place when the
 * review adds to it:
 * - a trace step per fact the registers gave ("facts.source"), naming the
 *   register, and the person's figure where it differs;
 * - "discrepancies": each answer that differs from a register on a fact
 *   that changes the outcome; when the person's figure would give more
 *   and the answers are new (answers_new: a submission or a change
 *   application, not a register's later correction), the outcome is
 *   manual with the reason "answer-differs-from-register" naming the fact
 *   and both values;
 * - "conditions": "enrolment-unconfirmed" when the schools register has no
 *   admission at the applied level and money is granted: none is paid
 *   until the institution confirms.
 * *outcome (a static name) is updated. Returns 0, or -1 with e filled. */
int cases_review(const struct cases_env *env, const json_t *stated, const json_t *complete, const char *facts_json,
		 int answers_new, struct buf *dj, const char **outcome, struct err *e);

/* #9 (progression), progression.c: fill the progression of an application
 * for higher education (or an adult's upper secondary school) that carries
 * none, once its facts are gathered: the credits supported from the
 * agency's own record of person_id's earlier decided school years that gave
 * the basic loan (30 credits a semester, times the load decided on), the
 * credits passed from the schools' report in *facts_json ("credits") since
 * the first of them. Adds "progression" to the facts (*facts_json is
 * replaced) with both figures and their sources. Fills nothing when the
 * person was never supported, or the facts hold no schools' report.
 * Returns 0, or -1 with e filled (the store failed). */
int cases_progression(const struct cases_env *env, int64_t person_id, json_t *application, char **facts_json,
		      struct arena *a, struct err *e);

#endif
