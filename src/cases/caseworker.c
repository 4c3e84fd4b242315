/* caseworker.c - the case worker's acts on a case that waits for one
 * (manual, or awaiting documentation): deciding it, asking the applicant
 * for documentation, and having it decided again by the rules.
 *
 * Each act asks the gate first (access_check: a refused act is audited
 * there, once, and reveals nothing), then whether the case still waits
 * (409), then checks the form (422 with every field's error), and is then
 * one transaction with its audit record and the letter it issues; a case
 * leaves the queue once, so a second case worker acting on the same case
 * meets ERR_CONFLICT.
 *
 * A case worker's decision supersedes the rules' (both are kept): it is
 * the rules' decision with the outcome and awards the case worker chose,
 * no manual reasons left, and the rules' trace with the case worker's
 * steps after it, the last one carrying the justification the letter must
 * give (forvaltningsloven § 25). For special circumstances in upper
 * secondary school the case worker may add the boarding grant, at the rate
 * in force on the school year's first day for the months of the decision
 * (forskrift om utdanningsstøtte; the rate's reference is the parameter's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/casework.h"
#include "cases/documents.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "mailbox/mailbox.h"
#include "mailbox/messages.h"
#include "rules/params.h"

#define REF_CASEWORKER "forvaltningsloven § 25"

/* 1 when a text of a form has CASEWORK_TEXT_MIN to CASEWORK_TEXT_MAX
 * characters of UTF-8 and no control characters but line breaks and tabs
 * (the same check as a message's). */
static int text_ok(const char *s)
{
	return msg_text_ok(s, CASEWORK_TEXT_MIN, CASEWORK_TEXT_MAX);
}

static int waits_for_caseworker(const struct case_rec *c)
{
	return strcmp(c->status, "manual") == 0 || strcmp(c->status, "awaiting-documentation") == 0;
}

/* ---- what a case offers a case worker ---- */

struct work {
	json_t *decision; /* the current decision, parsed (owned) */
	int open;         /* waits for a case worker, with a decision to build on */
	int months;       /* the months of the decision (support.months) */
	const struct param *boarding_rate; /* on offer, or NULL */
};

static void work_init(const struct params *params, const struct case_rec *c, struct work *w)
{
	size_t i;
	json_t *v;
	int special = 0, has_boarding = 0;
	memset(w, 0, sizeof(*w));
	w->decision = c->decision_json ? json_loads(c->decision_json, 0, NULL) : NULL;
	w->open = waits_for_caseworker(c) && w->decision != NULL;
	if (w->decision == NULL)
		return;
	json_array_foreach(json_object_get(w->decision, "manual_reasons"), i, v) {
		const char *code = json_string_value(json_object_get(v, "code"));
		special |= code && strcmp(code, "special-circumstances") == 0;
	}
	json_array_foreach(json_object_get(w->decision, "trace"), i, v) {
		const char *rule = json_string_value(json_object_get(v, "rule"));
		if (rule && strcmp(rule, "support.months") == 0 && json_is_integer(json_object_get(v, "value")))
			w->months = (int)json_integer_value(json_object_get(v, "value"));
	}
	json_array_foreach(json_object_get(w->decision, "awards"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		has_boarding |= name && strcmp(name, "boarding-grant") == 0;
	}
	date_t first, last;
	if (params != NULL && strcmp(c->scheme, "upper-secondary") == 0 && special && !has_boarding && w->months > 0 &&
	    date_school_year(c->school_year, &first, &last) == 0)
		w->boarding_rate = params_get(params, "boarding_grant.monthly", first);
}

void casework_offer_of(const struct params *params, const struct case_rec *c, struct casework_offer *out,
		       struct arena *a)
{
	struct work w;
	size_t i;
	json_t *v;
	memset(out, 0, sizeof(*out));
	work_init(params, c, &w);
	out->open = w.open;
	size_t n = json_array_size(json_object_get(w.decision, "awards"));
	out->awards = arena_zalloc(a, sizeof(*out->awards) * (n ? n : 1));
	json_array_foreach(json_object_get(w.decision, "awards"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		if (name == NULL)
			continue;
		out->awards[out->n_awards].name = arena_strdup(a, name);
		out->awards[out->n_awards++].amount = json_integer_value(json_object_get(v, "amount"));
	}
	out->boarding_offered = w.open && w.boarding_rate != NULL;
	out->months = w.months;
	out->boarding_monthly = w.boarding_rate ? w.boarding_rate->value : 0;
	json_decref(w.decision);
}

/* ---- the decision ---- */

/* The explanation of record (bokmål) of a step from its catalogue key. */
static const char *explain(struct arena *a, const char *key, const json_t *args)
{
	struct buf b;
	buf_init(&b, 16384);
	i18n_render(&b, LANG_NB, key, args);
	const char *s = arena_strdup(a, buf_str(&b));
	buf_cleanup(&b);
	return s;
}

/* The case worker's boarding grant for special circumstances: its award
 * and its trace step. */
static void add_boarding(struct arena *a, const struct work *w, json_t *awards, json_t *trace)
{
	const struct param *p = w->boarding_rate;
	int64_t amount = p->value * w->months;
	char from[11], to[11];
	json_array_append_new(awards, json_pack("{s:s,s:s,s:i,s:I,s:I,s:s}", "name", "boarding-grant", "kind", "grant",
						"months", w->months, "monthly", (json_int_t)p->value, "amount",
						(json_int_t)amount, "reference", p->reference));
	json_t *step = json_pack("{s:s,s:s,s:{s:b,s:i},s:{s:I},s:{s:{s:s,s:s}},s:I,s:s}", "rule",
				 "boarding-grant.special-circumstances", "reference", p->reference, "inputs",
				 "special_circumstances", 1, "months", w->months, "parameters",
				 "boarding_grant.monthly", (json_int_t)p->value, "parameter_validity",
				 "boarding_grant.monthly", "valid_from", date_format(p->valid_from, from), "valid_to",
				 date_format(p->valid_to, to), "value", (json_int_t)amount, "message",
				 "rule.caseworker.boarding-grant");
	json_t *args = json_pack("{s:i,s:I,s:I}", "months", w->months, "boarding_grant.monthly", (json_int_t)p->value,
				 "value", (json_int_t)amount);
	json_object_set_new(step, "explanation", json_string(explain(a, "rule.caseworker.boarding-grant", args)));
	json_decref(args);
	json_array_append_new(trace, step);
}

/* The case worker's decision in the contract's shape. New reference. */
static json_t *decision_of(struct arena *a, const struct work *w, const char *outcome, json_t *kept, int boarding,
			   const char *justification)
{
	json_t *d = json_deep_copy(w->decision);
	json_t *awards = json_array();
	if (!json_is_array(json_object_get(d, "trace")))
		json_object_set_new(d, "trace", json_array());
	if (strcmp(outcome, "rejected") != 0) {
		json_array_extend(awards, kept);
		if (boarding)
			add_boarding(a, w, awards, json_object_get(d, "trace"));
	}
	json_object_set_new(d, "outcome", json_string(outcome));
	json_object_set_new(d, "awards", awards);
	json_object_set_new(d, "manual_reasons", json_array());
	json_t *step = json_pack("{s:s,s:s,s:{s:s},s:{},s:s,s:s}", "rule", "caseworker.decision", "reference",
				 REF_CASEWORKER, "inputs", "justification", justification, "parameters", "value",
				 outcome, "message", "rule.caseworker.decision");
	/* The explanation of record carries the justification too, so the
	 * stored decision reads whole without the catalogue. */
	json_object_set_new(step, "explanation",
			    json_string(arena_printf(a, "%s %s", explain(a, "rule.caseworker.decision", NULL),
						     justification)));
	json_array_append_new(json_object_get(d, "trace"), step);
	return d;
}

struct decide_tx {
	int64_t case_id, person_id;
	const char *outcome, *decision_json, *facts_json, *detail;
	char actor[64];
	int64_t now;
	int64_t letter_id;
};

/* The case leaves the queue (once), the decision supersedes the rules',
 * the audit record and the letter. */
static int store_decision(struct store_tx *tx, void *arg, struct err *e)
{
	struct decide_tx *t = arg;
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)t->case_id);
	if (store_case_from_manual(tx, t->case_id, "decided", e) != 0 ||
	    store_case_decide(tx, t->case_id, "decided", t->outcome, t->now, t->decision_json, t->facts_json, e) != 0 ||
	    audit_append(tx, t->now, t->actor, "case.decided-by-caseworker", object, t->detail, e) != 0)
		return -1;
	return mbox_deliver(tx, t->person_id, t->case_id, "decision", t->now, &t->letter_id, e);
}


static int has_name(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int cases_decide_by_caseworker(const struct cases_env *env, const struct principal *who, int64_t case_id,
			       const struct casework_decision_form *form, int64_t now, int64_t *letter_id,
			       struct casework_errors *errors, struct err *e)
{
	struct arena a;
	struct case_rec c;
	struct casework_errors none, *err = errors ? errors : &none;
	struct work w = {0};
	json_t *kept = NULL, *d = NULL;
	char *dj = NULL;
	int rc = -1;

	memset(err, 0, sizeof(*err));
	arena_init(&a, 0);
	if (cases_gate(env->store, who, ACT_CASE_DECIDE, case_id, now, &c, &a, e) != 0)
		goto out;
	work_init(env->params, &c, &w);
	if (!w.open) {
		err_set(e, ERR_CONFLICT, NULL, "case %lld does not wait for a case worker", (long long)case_id);
		goto out;
	}
	const char *outcome = form->outcome;
	int valid_outcome = outcome && (strcmp(outcome, "granted") == 0 || strcmp(outcome, "partly-granted") == 0 ||
					strcmp(outcome, "rejected") == 0);
	if (!valid_outcome)
		err->outcome = "required";
	kept = json_array();
	size_t i;
	json_t *award;
	json_array_foreach(json_object_get(w.decision, "awards"), i, award) {
		const char *name = json_string_value(json_object_get(award, "name"));
		if (name && has_name(form->keep, form->n_keep, name))
			json_array_append(kept, award);
	}
	int boarding = w.boarding_rate != NULL && form->grant_boarding;
	if (!text_ok(form->justification))
		err->justification = "length";
	/* A grant gives something: with nothing kept or added, the case
	 * worker must choose what, or reject. */
	if (valid_outcome && strcmp(outcome, "rejected") != 0 && json_array_size(kept) == 0 && !boarding)
		err->outcome = "no-awards";
	err->n = (err->outcome != NULL) + (err->justification != NULL);
	if (err->n > 0) {
		err_set(e, ERR_INVALID, err->outcome ? "outcome" : "justification", "the decision form has %d errors",
			err->n);
		goto out;
	}
	d = decision_of(&a, &w, outcome, kept, boarding, form->justification);
	dj = json_dumps(d, JSON_COMPACT);
	if (dj == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	struct decide_tx t = {c.id, c.person_id, outcome, dj, c.facts_json,
			      arena_printf(&a, "outcome=%s awards=%zu", outcome,
					   json_array_size(json_object_get(d, "awards"))),
			      "", now, 0};
	access_actor(who, t.actor, sizeof(t.actor));
	if (store_write(env->store, store_decision, &t, e) != 0)
		goto out;
	if (letter_id)
		*letter_id = t.letter_id;
	rc = 0;
out:
	free(dj);
	json_decref(d);
	json_decref(kept);
	json_decref(w.decision);
	arena_cleanup(&a);
	return rc;
}

/* ---- asking for documentation ---- */

struct request_tx {
	struct doc_request dr;
	int64_t person_id;
	char actor[64];
};

/* The case waits for the documentation; the letter that asks for it, the
 * request itself and the audit record. */
static int store_request(struct store_tx *tx, void *arg, struct err *e)
{
	struct request_tx *q = arg;
	char object[32], detail[48];
	snprintf(object, sizeof(object), "case:%lld", (long long)q->dr.case_id);
	snprintf(detail, sizeof(detail), "deadline=%s", q->dr.deadline);
	if (store_case_from_manual(tx, q->dr.case_id, "awaiting-documentation", e) != 0 ||
	    mbox_deliver(tx, q->person_id, q->dr.case_id, "documentation-request", q->dr.requested_at, &q->dr.letter_id,
			 e) != 0 ||
	    store_doc_request_insert(tx, &q->dr, &q->dr.id, e) != 0 || documents_arm_deadline(tx, &q->dr, e) != 0)
		return -1;
	return audit_append(tx, q->dr.requested_at, q->actor, "case.documentation-requested", object, detail, e);
}

int cases_request_documentation(const struct cases_env *env, const struct principal *who, int64_t case_id,
				const struct casework_request_form *form, int64_t now, struct doc_request *out,
				struct casework_errors *errors, struct err *e)
{
	struct arena a;
	struct case_rec c;
	struct casework_errors none, *err = errors ? errors : &none;
	date_t deadline;
	char iso[11];
	int rc = -1;

	memset(err, 0, sizeof(*err));
	arena_init(&a, 0);
	if (cases_gate(env->store, who, ACT_CASE_REQUEST_DOCS, case_id, now, &c, &a, e) != 0)
		goto out;
	if (!waits_for_caseworker(&c)) {
		err_set(e, ERR_CONFLICT, NULL, "case %lld does not wait for a case worker", (long long)case_id);
		goto out;
	}
	if (!text_ok(form->text))
		err->doc_text = "length";
	int64_t today = now >= 0 ? now / 86400 : (now - 86399) / 86400;
	if (form->deadline == NULL || date_parse_input(form->deadline, &deadline) != 0 ||
	    deadline < today + CASEWORK_DEADLINE_MIN_DAYS || deadline > today + CASEWORK_DEADLINE_MAX_DAYS)
		err->deadline = "range";
	err->n = (err->doc_text != NULL) + (err->deadline != NULL);
	if (err->n > 0) {
		err_set(e, ERR_INVALID, err->doc_text ? "doc_text" : "deadline", "the request form has %d errors",
			err->n);
		goto out;
	}
	struct request_tx q = {{0, case_id, 0, who->staff_id, form->text, date_format(deadline, iso), now},
			       c.person_id,
			       ""};
	access_actor(who, q.actor, sizeof(q.actor));
	if (store_write(env->store, store_request, &q, e) != 0)
		goto out;
	if (out) {
		*out = q.dr;
		out->text = form->text; /* the caller's, as iso is ours */
		out->deadline = form->deadline;
	}
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

/* ---- deciding again ---- */

struct redecide_tx {
	int64_t case_id, now;
	char actor[64];
};

static int queue_redecide(struct store_tx *tx, void *arg, struct err *e)
{
	struct redecide_tx *q = arg;
	return cases_redecide(tx, q->case_id, q->now, q->actor, "asked by a case worker", e);
}

int cases_redecide_by_caseworker(const struct cases_env *env, const struct principal *who, int64_t case_id,
				 int64_t now, struct err *e)
{
	struct arena a;
	struct case_rec c;
	arena_init(&a, 0);
	int rc = cases_gate(env->store, who, ACT_CASE_REDECIDE, case_id, now, &c, &a, e);
	arena_cleanup(&a);
	if (rc != 0)
		return -1;
	struct redecide_tx q = {case_id, now, ""};
	access_actor(who, q.actor, sizeof(q.actor));
	if (store_write(env->store, queue_redecide, &q, e) != 0)
		return -1;
	jobs_notify(env->jobs);
	return 0;
}
