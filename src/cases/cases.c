/* cases.c - receiving, deciding and reading cases; see cases.h. */
#include "cases/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/internal.h"
#include "cases/jobs.h"
#include "cases/loan_relief.h" /* #11, helper A */
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "mailbox/mailbox.h"
#include "rules/rules.h"
#include "store/applications.h"

/* A decided case to store: the case (new, or waiting until now), its
 * decision and letter, and what to audit. */
struct intake {
	struct case_rec c;
	const char *actor;
	const char *outcome;
	int64_t job_id;     /* the job that decided a waiting case, or 0 */
	int64_t letter_id;
	int64_t first;      /* the application found before this one (ERR_CONFLICT "application") */
};

static int audit_case(struct store_tx *tx, int64_t at, const char *actor, const char *action, int64_t case_id,
		      const char *detail, struct err *e)
{
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)case_id);
	return audit_append(tx, at, actor, action, object, detail, e);
}

/* The letter a decision by the rules sends: a decision, or for a case the
 * rules sent to a case worker a receipt (the application is received and
 * waits for a case worker; it decides nothing). */
static const char *letter_kind(const struct intake *in)
{
	return in->outcome != NULL && strcmp(in->outcome, "manual") == 0 ? "receipt" : "decision";
}

/* The decision's part of a transaction: audit, letter. */
static int decided(struct store_tx *tx, struct intake *in, struct err *e)
{
	char detail[64];
	snprintf(detail, sizeof(detail), "outcome=%s", in->outcome);
	if (audit_case(tx, in->c.decided_at, "rules", "case.decided", in->c.id, detail, e) != 0)
		return -1;
	return mbox_deliver(tx, in->c.person_id, in->c.id, letter_kind(in), in->c.decided_at, &in->letter_id, e);
}

static int has_prefix(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* #15: one application per person, scheme and school year, on every path
 * that takes applications in: the portal ("application:" tags), the
 * registers' intake ("registers:") and a file intake ("batch:"). A second
 * one fails with ERR_CONFLICT on "application", nothing stored, and
 * in->first names the first. A file's own lines may repeat a person (a
 * file is an intake of its own, and a changed file a new one; see
 * intake.c), but never beside an application the person made in the
 * portal or the registers' intake made. A case without a tag (a decision
 * asked for directly) is no application and is not counted. */
static int one_application(struct store_tx *tx, struct intake *in, struct err *e)
{
	const char *tag = in->c.intake;
	int file = has_prefix(tag, "batch:");
	if (!file && !has_prefix(tag, "application:") && !has_prefix(tag, "registers:"))
		return 0;
	int rc = store_application_of(tx, in->c.person_id, in->c.scheme, in->c.school_year, !file, &in->first, e);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return 0;
	return err_set(e, ERR_CONFLICT, "application",
		       "an application for this scheme and school year is made already: case %lld",
		       (long long)in->first);
}

static int store_received(struct store_tx *tx, struct intake *in, struct err *e)
{
	char detail[96];
	if (one_application(tx, in, e) != 0 || store_case_insert(tx, &in->c, &in->c.id, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "scheme=%s school_year=%s", in->c.scheme, in->c.school_year);
	return audit_case(tx, in->c.received_at, in->actor, "case.received", in->c.id, detail, e);
}

static int store_decided_intake(struct store_tx *tx, void *arg, struct err *e)
{
	struct intake *in = arg;
	return store_received(tx, in, e) || decided(tx, in, e);
}

static int store_waiting_intake(struct store_tx *tx, void *arg, struct err *e)
{
	struct intake *in = arg;
	char detail[96];
	if (store_received(tx, in, e) != 0 || store_job_enqueue(tx, "decide", in->c.id, in->c.received_at,
								  in->c.received_at, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "waiting for %s", in->c.waiting_for);
	return audit_case(tx, in->c.received_at, "system", "case.collecting-facts", in->c.id, detail, e);
}

/* Decide an application whose facts are gathered: the decision's JSON (the
 * bokmål text of record; its trace keeps each explanation's catalogue key
 * so any language can be shown) into dj. Returns the outcome's name. */
static const char *decide_into(const struct cases_env *env, const struct application *app, struct buf *dj,
			       struct arena *a, struct submitted *out, const json_t *stated, const json_t *complete,
			       const char *facts, int answers_new, struct err *e)
{
	struct decision *d = arena_alloc(a, sizeof(*d));
	if (rules_decide(app, env->params, d, e) != 0)
		return NULL;
	for (int i = 0; out != NULL && i < d->n_reasons && i < CASES_MAX_REASONS; i++)
		out->manual_reasons[out->n_manual_reasons++] = d->reasons[i].code;
	if (rules_decision_json(dj, d, LANG_NB) != 0) {
		err_set(e, ERR_INTERNAL, NULL, "decision too large");
		return NULL;
	}
	/* #15: the decision read against the person's answers and the
	 * registers (review.c). */
	const char *outcome = rules_outcome_name(d->outcome);
	int was_manual = d->outcome == OUTCOME_MANUAL;
	if (cases_review(env, stated, complete, facts, answers_new, dj, &outcome, e) != 0)
		return NULL;
	if (out != NULL && !was_manual && strcmp(outcome, "manual") == 0 && out->n_manual_reasons < CASES_MAX_REASONS)
		out->manual_reasons[out->n_manual_reasons++] = "answer-differs-from-register";
	return outcome;
}

/* Gather the facts of who's application into it; the person record gives
 * whom to ask for. */
/* What the agency's own records add to an upper-secondary application: that
 * the pupil had support under the rules for ordinary upper secondary school
 * the school year before (an upper-secondary case of that year whose
 * decision gave one of those rules' grants), which the transition scheme
 * asks; read only for a pupil of the scheme's ages in a year it is in force. Kept as the applicant gave
 * it when given. Returns 0 or -1. */
static int own_records(const struct cases_env *env, int64_t person_id, json_t *application, struct arena *a,
		       struct err *e)
{
	json_t *applicant = json_object_get(application, "applicant");
	const char *scheme = json_string_value(json_object_get(application, "scheme"));
	const char *year = json_string_value(json_object_get(application, "school_year"));
	int first;
	char *end;
	if (!json_is_object(applicant) || scheme == NULL || strcmp(scheme, "upper-secondary") != 0 || year == NULL ||
	    json_object_get(applicant, "youth_support_last_year") != NULL)
		return 0;
	first = (int)strtol(year, &end, 10);
	if (end == year || *end != '-')
		return 0; /* the rules refuse it, naming the field */
	/* Only a pupil of the transition scheme's ages needs the records: ask
	 * the store for no one else (most pupils are younger). */
	const char *birth = json_string_value(json_object_get(applicant, "birth_date"));
	date_t on = date_from_ymd(first, 8, 1);
	const struct param *ref = params_get(env->params, "transition.reference_year", on);
	const struct param *lo = params_get(env->params, "transition.min_age", on);
	const struct param *hi = params_get(env->params, "transition.max_age", on);
	long born = birth ? strtol(birth, &end, 10) : 0;
	if (ref == NULL || lo == NULL || hi == NULL || born <= 0 || ref->value - born < lo->value ||
	    ref->value - born > hi->value)
		return 0;
	char last_year[16];
	snprintf(last_year, sizeof(last_year), "%d-%d", first - 1, first);
	struct case_rec *cases;
	int n = store_cases_of_person(env->store, person_id, &cases, a, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (strcmp(cases[i].scheme, "upper-secondary") != 0 || strcmp(cases[i].school_year, last_year) != 0 ||
		    cases[i].decision_json == NULL)
			continue;
		/* Support under those rules: one of their grants (a pupil of 21 or
		 * more had the basic loan of the rules for higher education). */
		json_t *d = json_loads(cases[i].decision_json, 0, NULL), *award;
		size_t k;
		int youth = 0;
		json_array_foreach(json_object_get(d, "awards"), k, award) {
			const char *name = json_string_value(json_object_get(award, "name"));
			youth |= name != NULL && (strcmp(name, "boarding-grant") == 0 || strcmp(name, "equipment-grant") == 0 ||
						  strcmp(name, "means-tested-grant") == 0);
		}
		json_decref(d);
		if (youth) {
			json_object_set_new(applicant, "youth_support_last_year", json_true());
			break;
		}
	}
	return 0;
}

static int gather(const struct cases_env *env, int64_t person_id, json_t *application, char **facts_json,
		  const char **waiting_for, struct arena *a, struct err *e)
{
	struct person p;
	*facts_json = NULL;
	*waiting_for = NULL;
	if (own_records(env, person_id, application, a, e) != 0)
		return -1;
	if (env->gather == NULL)
		return 0;
	int rc = store_person_get(env->store, person_id, &p, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no person %lld", (long long)person_id);
	if (env->gather(env->gather_ctx, &p, application, facts_json, waiting_for, e) != 0)
		return -1;
	/* #9: the progression, from the agency's record and the schools'
	 * credits just gathered. */
	if (cases_progression(env, person_id, application, facts_json, a, e) != 0)
		return -1;
	/* #11 (helper A): a deferral's or relief's loan from the agency's
	 * own ledger, and relief's income from the tax authority. */
	return cases_loan_facts(env, person_id, application, facts_json, e);
}

int cases_submit(const struct cases_env *env, const struct principal *who, const json_t *application, int64_t now,
		 struct submitted *out, struct err *e)
{
	return cases_submit_intake(env, who, application, NULL, now, out, e);
}

int cases_submit_intake(const struct cases_env *env, const struct principal *who, const json_t *application,
			const char *intake, int64_t now, struct submitted *out, struct err *e)
{
	struct arena a;
	struct buf dj;
	struct application app;
	char actor[64];
	char *aj = NULL, *facts = NULL;
	json_t *complete = NULL;
	int rc = -1;

	arena_init(&a, 0);
	buf_init(&dj, 1 << 20);
	memset(out, 0, sizeof(*out));
	/* The gate: a refusal is audited there (apply.denied). */
	if (access_check_subject(env->store, who, ACT_APPLY, "person", now, e) != 0)
		goto out;
	/* Refuse what is not understood before anything is stored. */
	if (rules_parse_application(application, &app, &a, e) != 0)
		goto out;
	aj = json_dumps(application, JSON_COMPACT | JSON_SORT_KEYS);
	if (aj == NULL || (env->gather != NULL && (complete = json_deep_copy(application)) == NULL)) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	struct intake in = {{0}, access_actor(who, actor, sizeof(actor)), NULL, 0, 0};
	in.c.person_id = access_subject(who); /* a guardian or proxy applies for the person acted for */
	in.c.scheme = rules_scheme_name(app.scheme);
	in.c.school_year = app.school_year;
	in.c.received_at = now;
	in.c.application_json = aj;
	in.c.intake = intake;

	struct err fe;
	const char *waiting_for = NULL;
	if (env->gather != NULL && gather(env, access_subject(who), complete, &facts, &waiting_for, &a, &fe) != 0) {
		/* The registers did not answer: the case waits, durably, and
		 * the job runner decides it when they do. */
		in.c.status = "collecting-facts";
		in.c.waiting_for = waiting_for ? waiting_for : "registers";
		if (store_write(env->store, store_waiting_intake, &in, e) != 0) {
			out->case_id = in.first;
			goto out;
		}
		jobs_notify(env->jobs);
		out->case_id = in.c.id;
		out->waiting_for = in.c.waiting_for;
		rc = 0;
		goto out;
	}
	/* The registers' facts completed the application: read it again. */
	if (complete != NULL && rules_parse_application(complete, &app, &a, e) != 0)
		goto out;
	in.outcome = decide_into(env, &app, &dj, &a, out, application, complete, facts, 1, e);
	if (in.outcome == NULL)
		goto out;
	in.c.status = strcmp(in.outcome, "manual") == 0 ? "manual" : "decided";
	in.c.outcome = in.outcome;
	in.c.decided_at = now;
	in.c.decision_json = buf_str(&dj);
	in.c.facts_json = facts;
	if (store_write(env->store, store_decided_intake, &in, e) != 0) {
		memset(out, 0, sizeof(*out));
		out->case_id = in.first; /* the first application, when that refused it */
		goto out;
	}
	out->case_id = in.c.id;
	out->letter_id = in.letter_id;
	out->outcome = in.outcome;
	rc = 0;
out:
	json_decref(complete);
	free(facts);
	free(aj);
	buf_cleanup(&dj);
	arena_cleanup(&a);
	return rc;
}

/* ---- the decide job ---- */

static int store_job_decision(struct store_tx *tx, void *arg, struct err *e)
{
	struct intake *in = arg;
	if (store_case_decide(tx, in->c.id, in->c.status, in->outcome, in->c.decided_at, in->c.decision_json,
			      in->c.facts_json, e) != 0 ||
	    decided(tx, in, e) != 0)
		return -1;
	return store_job_done(tx, in->job_id, e);
}

static int finish_only(struct store_tx *tx, void *arg, struct err *e)
{
	return store_job_done(tx, *(int64_t *)arg, e);
}

struct waiting {
	int64_t case_id;
	const char *waiting_for;
};

static int note_waiting(struct store_tx *tx, void *arg, struct err *e)
{
	struct waiting *w = arg;
	return store_case_set_waiting(tx, w->case_id, w->waiting_for, e);
}

/* Decide a case that waited for its facts. Idempotent: a case already
 * decided (the job ran before a crash kept it from finishing) is left as
 * it is and the job finished. */
static int decide_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	const struct cases_env *env = ctx;
	struct arena a;
	struct buf dj;
	struct case_rec c;
	char *facts = NULL;
	json_t *application = NULL, *stated = NULL;
	int rc = -1;

	arena_init(&a, 0);
	buf_init(&dj, 1 << 20);
	int found = store_case_get(s, job->subject_id, &c, &a, e);
	if (found != 0) {
		if (found == 1)
			err_set(e, ERR_NOT_FOUND, NULL, "no case %lld", (long long)job->subject_id);
		goto out;
	}
	if (strcmp(c.status, "collecting-facts") != 0 && strcmp(c.status, "received") != 0) {
		rc = store_write(s, finish_only, (void *)&job->id, e);
		goto out;
	}
	application = json_loads(c.application_json, JSON_REJECT_DUPLICATES, NULL);
	if (application == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "case %lld holds an unreadable application", (long long)c.id);
		goto out;
	}
	const char *waiting_for = NULL;
	stated = json_deep_copy(application);
	if (gather(env, c.person_id, application, &facts, &waiting_for, &a, e) != 0) {
		struct waiting w = {c.id, waiting_for ? waiting_for : "registers"};
		struct err ignored;
		if (waiting_for && (c.waiting_for == NULL || strcmp(c.waiting_for, waiting_for) != 0))
			store_write(s, note_waiting, &w, &ignored);
		goto out;
	}
	struct intake in = {c, "rules", NULL, job->id, 0};
	struct application app;
	if (rules_parse_application(application, &app, &a, e) != 0)
		goto out;
	in.outcome = decide_into(env, &app, &dj, &a, NULL, stated, env->gather ? application : NULL, facts, 1, e);
	if (in.outcome == NULL)
		goto out;
	in.c.status = strcmp(in.outcome, "manual") == 0 ? "manual" : "decided";
	in.c.decided_at = now;
	in.c.decision_json = buf_str(&dj);
	in.c.facts_json = facts;
	rc = store_write(s, store_job_decision, &in, e);
out:
	json_decref(stated);
	json_decref(application);
	free(facts);
	buf_cleanup(&dj);
	arena_cleanup(&a);
	return rc;
}

/* ---- deciding again when a fact changed ---- */

/* 1 when the decision's last step is a case worker's. */
static int by_caseworker(const json_t *d)
{
	const json_t *trace = json_object_get(d, "trace");
	const json_t *last = json_array_get(trace, json_array_size(trace) - 1);
	const char *rule = json_string_value(json_object_get(last, "rule"));
	return rule != NULL && strcmp(rule, "caseworker.decision") == 0;
}

/* The part of a decision the person is told: outcome, awards, and why a
 * case worker must look at it. Two decisions that agree on it need no new
 * letter. */
static int same_substance(const json_t *x, const json_t *y)
{
	static const char *keys[] = {"outcome", "awards", "manual_reasons"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_equal(json_object_get(x, keys[i]), json_object_get(y, keys[i])))
			return 0;
	return 1;
}

struct again {
	struct case_rec was;
	struct intake in;
	int substance_changed; /* the new decision supersedes the old */
	int letter;            /* and the person gets a letter about it */
	const char *skipped;   /* why nothing was decided, or NULL */
};

static int store_again(struct store_tx *tx, void *arg, struct err *e)
{
	struct again *g = arg;
	struct intake *in = &g->in;
	char detail[96];
	if (g->skipped != NULL) {
		snprintf(detail, sizeof(detail), "%s", g->skipped);
		if (audit_case(tx, in->c.decided_at, "rules", "case.redecide.skipped", in->c.id, detail, e) != 0)
			return -1;
	} else if (!g->substance_changed) {
		if (audit_case(tx, in->c.decided_at, "rules", "case.rechecked", in->c.id, "the decision stands", e) != 0)
			return -1;
	} else {
		snprintf(detail, sizeof(detail), "outcome=%s previous=%s", in->outcome,
			 g->was.outcome ? g->was.outcome : "none");
		if (store_case_redecide(tx, &g->was, in->c.status, in->outcome, in->c.decided_at, in->c.decision_json,
					in->c.facts_json, e) != 0 ||
		    audit_case(tx, in->c.decided_at, "rules", "case.redecided", in->c.id, detail, e) != 0)
			return -1;
		if (g->letter &&
		    mbox_deliver(tx, in->c.person_id, in->c.id, letter_kind(in), in->c.decided_at, &in->letter_id, e) != 0)
			return -1;
	}
	return store_job_done(tx, in->job_id, e);
}

/* Decide a case again with the facts the registers hold now (a register
 * announced a correction, or a case worker asked for it). A case decided
 * by the rules, or waiting for a case worker, gets the new decision when
 * its substance differs, superseding the old (both kept), with a letter
 * unless it still only waits for a case worker; an unchanged result is
 * audited as rechecked. A case worker's decision is never overturned by
 * the rules: the case is left for a case worker (audited as skipped), as
 * are cases still collecting facts or awaiting documentation. Idempotent:
 * run twice, the second run finds the decision stands. */
/* Decide a case again on the registers' facts as they are now. answers_new:
 * the person has just changed their answers (a change application), so an
 * answer that differs from a register and would give more goes to a case
 * worker as at submission; otherwise (a register's correction, an
 * institution's report, a case worker's request) the register's newer fact
 * is decided on, and the decision still names the difference. */
static int redecide(struct store *s, const struct job_rec *job, int64_t now, void *ctx, int answers_new,
		    struct err *e)
{
	const struct cases_env *env = ctx;
	struct arena a;
	struct buf dj;
	char *facts = NULL;
	json_t *application = NULL, *old = NULL, *new = NULL, *stated = NULL;
	int rc = -1;
	struct again g = {0};

	arena_init(&a, 0);
	buf_init(&dj, 1 << 20);
	int found = store_case_get(s, job->subject_id, &g.was, &a, e);
	if (found != 0) {
		if (found == 1)
			err_set(e, ERR_NOT_FOUND, NULL, "no case %lld", (long long)job->subject_id);
		goto out;
	}
	g.in = (struct intake){g.was, "rules", NULL, job->id, 0};
	g.in.c.decided_at = now;
	if (strcmp(g.was.status, "decided") != 0 && strcmp(g.was.status, "manual") != 0) {
		/* Not yet decided (the decide job will use the new facts), or
		 * with a case worker: nothing for the rules to do. */
		g.skipped = arena_printf(&a, "status=%s", g.was.status);
		rc = store_write(s, store_again, &g, e);
		goto out;
	}
	old = json_loads(g.was.decision_json ? g.was.decision_json : "{}", 0, NULL);
	if (old != NULL && by_caseworker(old)) {
		g.skipped = "decided by a case worker";
		rc = store_write(s, store_again, &g, e);
		goto out;
	}
	application = json_loads(g.was.application_json, JSON_REJECT_DUPLICATES, NULL);
	if (application == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "case %lld holds an unreadable application", (long long)g.was.id);
		goto out;
	}
	const char *waiting_for = NULL;
	stated = json_deep_copy(application);
	if (gather(env, g.was.person_id, application, &facts, &waiting_for, &a, e) != 0)
		goto out; /* the registers do not answer: try again later */
	struct application app;
	if (rules_parse_application(application, &app, &a, e) != 0)
		goto out;
	g.in.outcome = decide_into(env, &app, &dj, &a, NULL, stated, env->gather ? application : NULL, facts,
				   answers_new, e);
	if (g.in.outcome == NULL)
		goto out;
	new = json_loads(buf_str(&dj), 0, NULL);
	g.substance_changed = old == NULL || new == NULL || !same_substance(old, new);
	int manual = strcmp(g.in.outcome, "manual") == 0;
	g.letter = !(manual && strcmp(g.was.status, "manual") == 0);
	g.in.c.status = manual ? "manual" : "decided";
	g.in.c.outcome = g.in.outcome;
	g.in.c.decision_json = buf_str(&dj);
	g.in.c.facts_json = facts;
	rc = store_write(s, store_again, &g, e);
	if (rc != 0 && e->code == ERR_CONFLICT) {
		/* Decided meanwhile (a case worker): run again to see it. */
		log_info("case %lld changed while it was decided again; trying again", (long long)g.was.id);
	}
out:
	json_decref(stated);
	json_decref(application);
	json_decref(old);
	json_decref(new);
	free(facts);
	buf_cleanup(&dj);
	arena_cleanup(&a);
	return rc;
}

static int redecide_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	return redecide(s, job, now, ctx, 0, e);
}

static int redecide_answers_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	return redecide(s, job, now, ctx, 1, e);
}

static int enqueue_redecide(struct store_tx *tx, const char *kind, int64_t case_id, int64_t now, const char *actor,
			    const char *why, struct err *e)
{
	if (store_job_enqueue(tx, kind, case_id, now, now, e) != 0)
		return -1;
	return audit_case(tx, now, actor, "case.redecide.queued", case_id, why, e);
}

int cases_redecide(struct store_tx *tx, int64_t case_id, int64_t now, const char *actor, const char *why,
		   struct err *e)
{
	return enqueue_redecide(tx, "redecide", case_id, now, actor, why, e);
}

int cases_redecide_answers(struct store_tx *tx, int64_t case_id, int64_t now, const char *actor, const char *why,
			   struct err *e)
{
	return enqueue_redecide(tx, "redecide-answers", case_id, now, actor, why, e);
}

const struct job_kind cases_job_kinds[] = {
	{"decide", decide_job, NULL},
	{"redecide", redecide_job, NULL},
	{"redecide-answers", redecide_answers_job, NULL},
	{"register-events", cases_events_job, NULL},
	{NULL, NULL, NULL}};

struct reading {
	const struct principal *who;
	int64_t case_id, now;
};

static int record_reading(struct store_tx *tx, void *arg, struct err *e)
{
	struct reading *r = arg;
	char actor[64], object[32];
	access_actor(r->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "case:%lld", (long long)r->case_id);
	return audit_append(tx, r->now, actor, "case.read", object, NULL, e);
}

int cases_gate(struct store *s, const struct principal *who, enum action act, int64_t case_id, int64_t now,
	       struct case_rec *out, struct arena *a, struct err *e)
{
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)case_id);
	int found = store_case_get(s, case_id, out, a, e);
	if (found < 0)
		return -1;
	return access_check(s, who, act, found == 0 ? out->person_id : 0, object, "case", now, e);
}

int cases_read(struct store *s, const struct principal *who, int64_t case_id, int64_t now, struct case_rec *out,
	       struct arena *a, struct err *e)
{
	if (cases_gate(s, who, ACT_CASE_READ, case_id, now, out, a, e) != 0)
		return -1;
	struct reading r = {who, case_id, now};
	return store_write(s, record_reading, &r, e);
}

struct person_read {
	const struct principal *who;
	int64_t person_id, now;
};

static int record_person_read(struct store_tx *tx, void *arg, struct err *e)
{
	struct person_read *pr = arg;
	char actor[64], object[32];
	access_actor(pr->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "person:%lld", (long long)pr->person_id);
	return audit_append(tx, pr->now, actor, "person.read", object, NULL, e);
}

int cases_audit_person_read(struct store *s, const struct principal *who, int64_t person_id, int64_t now,
			    struct err *e)
{
	struct person_read pr = {who, person_id, now};
	return store_write(s, record_person_read, &pr, e);
}
