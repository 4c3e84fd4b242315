/* review.c - the decision read against the person's answers and the
 * registers (#15, applying right); see internal.h.
 *
 * The registers' facts replace what the person wrote (facts.c), because
 * the agency decides on what the state knows. But a person who wrote 64,5
 * km where the schools register has 18,8 km is owed a word: when the
 * difference changes the outcome the decision says so, and when the
 * person's figure would give more, a case worker looks at it
 * (forvaltningsloven § 17: the agency sees to it that the case is as well
 * informed as it can be). Whether a difference changes the outcome is
 * found by deciding again with the person's figure in the register's
 * place, by the same rules.
 *
 * A decision granting money on an education the schools register does not
 * confirm carries the condition "enrolment-unconfirmed": nothing is paid
 * until the institution confirms the admission (the payout conditions of
 * #7 read it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/internal.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "rules/rules.h"

#define REFERENCE_INFORMED "forvaltningsloven § 17"
#define REFERENCE_ADMISSION "forskrift om utdanningsstøtte § 4"
#define REFERENCE_PROGRESSION "forskrift om utdanningsstøtte kapittel 9, faglig progresjon"

/* The facts the person states and a register may hold otherwise: the path
 * in the application, its group, and the register. */
static const struct {
	const char *group, *key, *source;
	int upper; /* the scheme that asks it */
} compared[] = {{"travel", "distance_km", "schools", 1},
		{"travel", "daily_travel_minutes", "schools", 1},
		{"travel", "walking_km", "schools", 1},
		{"education", "load_percent", "schools", 0}};

#define N_COMPARED (sizeof(compared) / sizeof(compared[0]))

static const json_t *fact_at(const json_t *app, size_t i)
{
	return json_object_get(json_object_get(app, compared[i].group), compared[i].key);
}

static int differs(const json_t *x, const json_t *y)
{
	if (!json_is_number(x) || !json_is_number(y))
		return 0;
	return fabs(json_number_value(x) - json_number_value(y)) > 0.049;
}

/* What a decision gives in all: the sum of its awards' amounts (øre). */
static int64_t given(const struct decision *d)
{
	int64_t sum = 0;
	for (int i = 0; i < d->n_awards; i++)
		sum += d->awards[i].amount;
	return sum;
}

/* Decide complete with fact i set to the person's value: 1 it gives more
 * than the decision made, 0 the same, -1 less, or 2 when it cannot be
 * decided (then the difference is shown, and not judged). */
static int with_stated(const struct cases_env *env, const json_t *complete, size_t i, const json_t *value,
		       int64_t made, const char *made_outcome)
{
	json_t *variant = json_deep_copy(complete);
	struct application app;
	struct decision *d = malloc(sizeof(*d));
	struct arena a;
	struct err e;
	int rc = 2;
	arena_init(&a, 0);
	json_t *group = json_object_get(variant, compared[i].group);
	if (variant != NULL && d != NULL && json_is_object(group)) {
		json_object_set(group, compared[i].key, (json_t *)value);
		if (rules_parse_application(variant, &app, &a, &e) == 0 && rules_decide(&app, env->params, d, &e) == 0) {
			int64_t g = given(d);
			int same_outcome = strcmp(rules_outcome_name(d->outcome), made_outcome) == 0;
			rc = g > made ? 1 : g < made ? -1 : same_outcome ? 0 : 1;
		}
	}
	free(d);
	arena_cleanup(&a);
	json_decref(variant);
	return rc;
}

static json_t *trace_step(const char *fact, const char *source, const json_t *stated, const json_t *value,
			  const char *message, const char *reference)
{
	json_t *inputs = json_pack("{s:s,s:s}", "fact", fact, "source", source);
	if (stated != NULL)
		json_object_set(inputs, "stated", (json_t *)stated);
	json_t *step = json_pack("{s:s,s:s,s:o,s:{},s:{},s:O,s:s}", "rule", "facts.source", "reference", reference,
				 "inputs", inputs, "parameters", "parameter_validity", "value",
				 value ? value : json_null(), "message", message);
	struct buf text;
	json_t *args = json_deep_copy(inputs);
	json_object_set(args, "value", value ? (json_t *)value : json_null());
	buf_init(&text, 1024);
	i18n_render(&text, LANG_NB, message, args);
	json_object_set_new(step, "explanation", json_string(buf_str(&text)));
	buf_cleanup(&text);
	json_decref(args);
	return step;
}

int cases_review(const struct cases_env *env, const json_t *stated, const json_t *complete, const char *facts_json,
		 int answers_new, struct buf *dj, const char **outcome, struct err *e)
{
	if (stated == NULL || complete == NULL)
		return 0;
	json_t *d = json_loads(buf_str(dj), 0, NULL);
	json_t *facts = facts_json ? json_loads(facts_json, 0, NULL) : NULL;
	if (d == NULL) {
		json_decref(facts);
		return err_set(e, ERR_INTERNAL, NULL, "a decision that is not JSON");
	}
	const char *scheme = json_string_value(json_object_get(complete, "scheme"));
	int upper = scheme != NULL && strcmp(scheme, "upper-secondary") == 0;
	int higher = scheme != NULL && strcmp(scheme, "higher-education") == 0;
	json_t *trace = json_object_get(d, "trace");
	json_t *discrepancies = json_array();
	int64_t made = 0;
	json_t *award;
	size_t k;
	json_array_foreach(json_object_get(d, "awards"), k, award) made += json_integer_value(json_object_get(award, "amount"));
	const char *made_outcome = json_string_value(json_object_get(d, "outcome"));
	int more = 0;
	json_t *reason = NULL;

	/* Where each fact came from. */
	json_t *ap = json_object_get(facts, "applicant");
	if (json_is_object(ap))
		json_array_append_new(trace, trace_step("applicant.family", "population", NULL,
							json_object_get(ap, "children"), "facts.source.family",
							REFERENCE_INFORMED));
	json_t *parents = json_object_get(json_object_get(facts, "parents"), "incomes");
	if (upper && json_array_size(parents) > 0) {
		json_t *n = json_integer((json_int_t)json_array_size(parents));
		json_array_append_new(trace, trace_step("parents.income", "tax", NULL, n, "facts.source.parents",
							REFERENCE_INFORMED));
		json_decref(n);
	}
	/* #9: the progression filled from the agency's own record of the
	 * years supported and the schools' credits passed (progression.c). */
	json_t *pg = json_object_get(facts, "progression");
	if (json_is_object(pg)) {
		json_array_append_new(trace, trace_step("progression.credits_supported", "agency", NULL,
							json_object_get(pg, "credits_supported"),
							"facts.source.progression.credits_supported", REFERENCE_PROGRESSION));
		json_array_append_new(trace, trace_step("progression.credits_passed", "schools", NULL,
							json_object_get(pg, "credits_passed"),
							"facts.source.progression.credits_passed", REFERENCE_PROGRESSION));
	}
	/* #11 (helper A): a deferral's or relief's loan from the agency's own
	 * ledger, and relief's income from the tax authority (loan_relief.c). */
	json_t *lf = json_object_get(facts, "loan");
	if (json_is_object(lf)) {
		static const char *const held[] = {"balance", "deferrals_used", "relief_months_used"};
		char fact[48], message[64];
		for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
			snprintf(fact, sizeof(fact), "loan.%s", held[i]);
			snprintf(message, sizeof(message), "loan_relief.fact.%s", held[i]);
			json_array_append_new(trace, trace_step(fact, "agency", NULL, json_object_get(lf, held[i]), message,
								REFERENCE_INFORMED));
		}
		if (json_object_get(lf, "income") != NULL)
			json_array_append_new(trace, trace_step("applicant.income", "tax", NULL,
								json_object_get(lf, "income"), "loan_relief.fact.income",
								REFERENCE_INFORMED));
	}
	for (size_t i = 0; i < N_COMPARED && (upper || higher); i++) {
		if (compared[i].upper != upper)
			continue;
		const json_t *mine = fact_at(stated, i), *used = fact_at(complete, i);
		if (used == NULL)
			continue;
		char path[64], message[96];
		snprintf(path, sizeof(path), "%s.%s", compared[i].group, compared[i].key);
		int differ = differs(mine, used);
		/* A figure the person gave and the registers do not hold is the
		 * person's: the trace says so. */
		json_t *en = json_object_get(facts, "enrolment");
		int from_register = en != NULL && json_object_get(en, strcmp(compared[i].group, "travel") == 0
								      ? "travel" : "load_percent") != NULL;
		snprintf(message, sizeof(message), "facts.source.%s%s", path,
			 !from_register ? ".stated" : differ ? ".differs" : "");
		json_array_append_new(trace, trace_step(path, from_register ? compared[i].source : "application",
							differ ? mine : NULL, used, message, REFERENCE_INFORMED));
		if (!differ || !from_register || made_outcome == NULL)
			continue;
		int effect = with_stated(env, complete, i, mine, made, made_outcome);
		if (effect == 0)
			continue;
		json_array_append_new(discrepancies,
				      json_pack("{s:s,s:O,s:O,s:s,s:s,s:b}", "fact", path, "stated", mine, "register", used,
						"source", compared[i].source, "used", "register", "stated_gives_more",
						effect == 1));
		if (effect == 1 && !more && answers_new) {
			more = 1;
			reason = json_pack("{s:s,s:s,s:s,s:s,s:O,s:O}", "code", "answer-differs-from-register", "text",
					   i18n_get(LANG_NB, "reason.answer-differs-from-register"), "reference",
					   REFERENCE_INFORMED, "fact", path, "stated", mine, "register", used);
		}
	}
	if (json_array_size(discrepancies) > 0)
		json_object_set(d, "discrepancies", discrepancies);
	json_decref(discrepancies);
	if (reason != NULL) {
		json_array_append_new(json_object_get(d, "manual_reasons"), reason);
		json_object_set_new(d, "outcome", json_string("manual"));
		*outcome = "manual";
	}

	/* The admission: what the schools register confirms, or the stated
	 * education, decided on, with nothing paid until it is confirmed. */
	if (upper || higher) {
		json_t *en = json_object_get(facts, "enrolment");
		const json_t *inst = json_object_get(json_object_get(stated, "education"), "institution");
		if (en != NULL) {
			json_array_append_new(trace, trace_step("education.admission", "schools", NULL,
								json_object_get(en, "institution"),
								"facts.source.admission", REFERENCE_ADMISSION));
		} else {
			json_t *none = json_string("");
			json_array_append_new(trace, trace_step("education.admission", "application", NULL,
								inst ? inst : none,
								"facts.source.admission.unconfirmed", REFERENCE_ADMISSION));
			json_decref(none);
			if (json_array_size(json_object_get(d, "awards")) > 0)
				json_object_set_new(d, "conditions",
						    json_pack("[{s:s,s:s,s:s,s:O?}]", "code", "enrolment-unconfirmed", "text",
							      i18n_get(LANG_NB, "condition.enrolment-unconfirmed"),
							      "reference", REFERENCE_ADMISSION, "institution", inst));
		}
	}
	char *out = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(d);
	json_decref(facts);
	if (out == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	buf_reset(dj);
	int rc = buf_puts(dj, out);
	free(out);
	return rc != 0 ? err_set(e, ERR_INTERNAL, NULL, "decision too large") : 0;
}
