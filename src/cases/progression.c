/* progression.c - an application's progression from the agency's own
 * record and the schools' reported credits (#9); see internal.h.
 *
 * The agency's page "Forsinkelse i utdanningen"
 * (lanekassen.no/nb-NO/stipend-og-lan/forsinkelse-avbrudd-og-endring-i-
 * utdanningen/faglig-forsinkelse/) says what decides the delay: "hvor mange
 * semestre du har fått lån og stipend, i forhold til hvor mange studiepoeng
 * du har bestått siden første gang du fikk lån og stipend", and "Et vanlig
 * studieår utgjør 60 studiepoeng hvis du studerer på fulltid"; support for
 * upper secondary school with youth entitlement does not count, "men all
 * annen utdanning er med".
 *
 * So the credits supported come from the agency's own record: each earlier
 * school year whose decision gave the basic loan (the support of higher
 * education, and of adults in upper secondary school; never a pupil's
 * grants) counts 30 credits for each semester its education ran (60 for a
 * whole year), times the study load that decision used. The credits passed
 * come from the schools register (what facts.c records from it): the
 * semesters from the first school year supported up to, not including, the
 * school year applied for. Both are written into the application as its
 * progression, and into the facts, where the decision's trace names their
 * sources (review.c). Without the schools' answer nothing is filled: a
 * gathering that does not reach the schools waits for them before this
 * runs, and one that has no credits to give (no registers) leaves the
 * application as the person sent it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/internal.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "store/store.h"

/* The first year of a school year "2024-2025", or -1. */
static int year_start(const char *school_year)
{
	date_t first, last;
	int y, m, d;
	if (school_year == NULL || date_school_year(school_year, &first, &last) != 0)
		return -1;
	date_to_ymd(first, &y, &m, &d);
	return y;
}

/* The study load the decision used: its basic loan's trace step, else the
 * application's stated load, else full time. */
static int load_of(const json_t *decision, const json_t *application)
{
	size_t i;
	const json_t *step;
	json_array_foreach(json_object_get(decision, "trace"), i, step)
	{
		const char *rule = json_string_value(json_object_get(step, "rule"));
		const json_t *load = json_object_get(json_object_get(step, "inputs"), "load_percent");
		if (rule != NULL && strcmp(rule, "basic-loan.amount") == 0 && json_is_integer(load))
			return (int)json_integer_value(load);
	}
	const json_t *load = json_object_get(json_object_get(application, "education"), "load_percent");
	return json_is_integer(load) ? (int)json_integer_value(load) : 100;
}

/* The semesters (1 or 2) a school year's education ran: the autumn when it
 * starts before the new year, the spring when it ends after it. */
static int semesters_of(const json_t *application, int start_year)
{
	const json_t *ed = json_object_get(application, "education");
	date_t start, end, new_year = date_from_ymd(start_year + 1, 1, 1);
	if (date_parse(json_string_value(json_object_get(ed, "start")), &start) != 0 ||
	    date_parse(json_string_value(json_object_get(ed, "end")), &end) != 0)
		return 2;
	int n = (start < new_year) + (end >= new_year);
	return n > 0 ? n : 1;
}

static int gave_basic_loan(const json_t *decision)
{
	size_t i;
	const json_t *award;
	json_array_foreach(json_object_get(decision, "awards"), i, award)
	{
		const char *name = json_string_value(json_object_get(award, "name"));
		if (name != NULL && strcmp(name, "basic-loan") == 0 &&
		    json_integer_value(json_object_get(award, "amount")) > 0)
			return 1;
	}
	return 0;
}

/* The school year a reported semester belongs to: "2023-autumn" to
 * 2023-2024, "2024-spring" to 2023-2024; -1 when it cannot be read. */
static int semester_year(const char *semester)
{
	char *end;
	if (semester == NULL)
		return -1;
	long y = strtol(semester, &end, 10);
	if (end == semester || *end != '-' || y < 1800 || y > 2999)
		return -1;
	if (strcmp(end + 1, "autumn") == 0)
		return (int)y;
	if (strcmp(end + 1, "spring") == 0)
		return (int)y - 1;
	return -1;
}

int cases_progression(const struct cases_env *env, int64_t person_id, json_t *application, char **facts_json,
                      struct arena *a, struct err *e)
{
	const char *scheme = json_string_value(json_object_get(application, "scheme"));
	if (scheme == NULL || (strcmp(scheme, "higher-education") != 0 && strcmp(scheme, "upper-secondary") != 0))
		return 0;
	/* The person's own figures are kept: a case worker may have set them,
	 * or the person applies with a delay reason. */
	if (json_object_get(application, "progression") != NULL || *facts_json == NULL)
		return 0;
	int applied = year_start(json_string_value(json_object_get(application, "school_year")));
	if (applied < 0)
		return 0; /* the rules refuse it, naming the field */
	json_t *facts = json_loads(*facts_json, 0, NULL);
	const json_t *credits = json_object_get(facts, "credits");
	if (!json_is_object(credits)) {
		json_decref(facts);
		return 0; /* no schools' answer to count from */
	}

	struct case_rec *cases;
	int n = store_cases_of_person(env->store, person_id, &cases, a, e);
	if (n < 0) {
		json_decref(facts);
		return -1;
	}
	/* Each school year once: the support its decision gave (two decisions
	 * of one year, say a pupil's and a student's, count the larger). */
	enum { MAX_YEARS = 64 };
	int years[MAX_YEARS];
	int64_t tenths[MAX_YEARS];
	int n_years = 0, first = applied;
	for (int i = 0; i < n; i++) {
		int y = year_start(cases[i].school_year);
		if (y < 0 || y >= applied || cases[i].decision_json == NULL || cases[i].outcome == NULL ||
		    (strcmp(cases[i].outcome, "granted") != 0 && strcmp(cases[i].outcome, "partly-granted") != 0))
			continue;
		json_t *d = json_loads(cases[i].decision_json, 0, NULL);
		json_t *app = json_loads(cases[i].application_json, 0, NULL);
		if (d != NULL && gave_basic_loan(d)) {
			/* 30 credits a semester of full time, in tenths. */
			int64_t t = (int64_t)semesters_of(app, y) * 300 * load_of(d, app) / 100;
			int k = 0;
			while (k < n_years && years[k] != y)
				k++;
			if (k == n_years && n_years < MAX_YEARS) {
				years[n_years] = y;
				tenths[n_years++] = t;
			} else if (k < n_years && t > tenths[k]) {
				tenths[k] = t;
			}
			if (y < first)
				first = y;
		}
		json_decref(app);
		json_decref(d);
	}
	if (n_years == 0) {
		json_decref(facts);
		return 0; /* never supported: no delay to count */
	}
	int64_t supported = 0, passed = 0;
	for (int k = 0; k < n_years; k++)
		supported += tenths[k];
	size_t i;
	const json_t *sem;
	json_array_foreach(json_object_get(credits, "semesters"), i, sem)
	{
		int y = semester_year(json_string_value(json_object_get(sem, "semester")));
		if (y >= first && y < applied)
			passed += (int64_t)(json_number_value(json_object_get(sem, "credits")) * 10 + 0.5);
	}

	char first_year[32];
	snprintf(first_year, sizeof(first_year), "%d-%d", first, first + 1);
	json_t *pg = json_pack("{s:f,s:f}", "credits_supported", (double)supported / 10.0, "credits_passed",
	                       (double)passed / 10.0);
	/* The credits passed are the schools' (their group carries the
	 * source); the rest is the agency's own record. */
	json_t *pf = json_pack("{s:f,s:f,s:s,s:i}", "credits_supported", (double)supported / 10.0, "credits_passed",
	                       (double)passed / 10.0, "first_supported", first_year, "years_supported", n_years);
	char *out = NULL;
	if (pg != NULL && pf != NULL && json_object_set_new(facts, "progression", pf) == 0) {
		pf = NULL;
		json_object_set_new(application, "progression", pg);
		pg = NULL;
		out = json_dumps(facts, JSON_COMPACT);
	}
	json_decref(pg);
	json_decref(pf);
	json_decref(facts);
	if (out == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	free(*facts_json);
	*facts_json = out;
	return 0;
}
