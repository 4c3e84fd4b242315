/* test_rules.c - unit tests of src/rules through its public headers
 * (rules/rules.h, rules/params.h).
 *
 * The decisions start from the example application of the decision contract
 * (../shared/spec/decide.md) and change one fact at a time; the expected
 * amounts are worked out by hand from the dated parameters (forskrift om
 * utdanningsstøtte § 72 and kapittel 12). The parameter loader is tested on
 * files written to a temporary folder that each test removes again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "rules/params.h"
#include "core/embed.h"
#include "rules/rules.h"

/* The example application of decide.md, as the contract writes it. */
static const char EXAMPLE[] =
    "{\n"
    "  \"scheme\": \"higher-education\",\n"
    "  \"school_year\": \"2024-2025\",\n"
    "  \"decision_date\": \"2024-07-01\",\n"
    "  \"applicant\": {\n"
    "    \"birth_date\": \"2004-05-17\",\n"
    "    \"lives_with_parents\": false,\n"
    "    \"married\": false,\n"
    "    \"children\": [{\"birth_date\": \"2023-01-10\"}],\n"
    "    \"income\": 0,\n"
    "    \"wealth\": 0\n"
    "  },\n"
    "  \"education\": {\n"
    "    \"level\": \"higher\",\n"
    "    \"load_percent\": 100,\n"
    "    \"start\": \"2024-08-15\",\n"
    "    \"end\": \"2025-06-15\",\n"
    "    \"equipment_rate\": 0\n"
    "  },\n"
    "  \"travel\": {\"distance_km\": 55.0, \"daily_travel_minutes\": 120, "
    "\"walking_km\": 0.0},\n"
    "  \"parents\": [{\"income\": 450000000}, {\"income\": 0}],\n"
    "  \"special_circumstances\": false,\n"
    "  \"loan\": {\"balance\": 0, \"deferrals_used\": 0, \"months_requested\": "
    "0}\n"
    "}\n";

static struct params *builtin; /* loaded once for the whole group */

static int group_setup(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	if (i18n_init(&e) != 0) {
		fprintf(stderr, "i18n_init: %s\n", e.message);
		return -1;
	}
	builtin = params_load_builtin(&e);
	if (builtin == NULL) {
		fprintf(stderr, "params_load_builtin: %s\n", e.message);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	params_free(builtin);
	builtin = NULL;
	return 0;
}

/* One decision: the application JSON, the parsed application (the decision
 * may point into it, so it lives as long as the decision), the decision. */
struct run {
	json_t *in;
	struct arena arena;
	struct application app;
	struct decision d;
	struct err e;
	int rc;
};

static json_t *example(void)
{
	json_error_t jerr;
	json_t *j = json_loads(EXAMPLE, 0, &jerr);
	assert_non_null(j);
	return j;
}

/* Set path ("education.load_percent") of j to v, which is stolen; NULL v
 * removes the key. */
static void set(json_t *j, const char *path, json_t *v)
{
	char head[64];
	const char *dot = strchr(path, '.');
	if (dot == NULL) {
		if (v == NULL)
			json_object_del(j, path);
		else
			json_object_set_new(j, path, v);
		return;
	}
	snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
	json_t *child = json_object_get(j, head);
	assert_non_null(child);
	set(child, dot + 1, v);
}

/* Parse and decide r->in under p. */
static int decide_with(struct run *r, const struct params *p)
{
	arena_init(&r->arena, 0);
	err_clear(&r->e);
	r->rc = rules_parse_application(r->in, &r->app, &r->arena, &r->e);
	if (r->rc == 0)
		r->rc = rules_decide(&r->app, p, &r->d, &r->e);
	return r->rc;
}

static int decide(struct run *r)
{
	return decide_with(r, builtin);
}

static void run_cleanup(struct run *r)
{
	json_decref(r->in);
	arena_cleanup(&r->arena);
}

/* The decision must be made, with the basic loan and no other loan: the
 * example's child gives a child grant besides (a grant). */
static const struct award *only_basic_loan(struct run *r)
{
	if (r->rc != 0)
		fail_msg("not decided: %s: %s", r->e.field, r->e.message);
	int n = r->d.n_awards;
	if (rules_award(&r->d, "child-grant") != NULL) {
		assert_string_equal(rules_award(&r->d, "child-grant")->kind, "grant");
		n--;
	}
	assert_int_equal(n, 1);
	const struct award *a = rules_award(&r->d, "basic-loan");
	assert_non_null(a);
	assert_string_equal(a->kind, "loan");
	return a;
}

/* The application must be refused naming field. */
static void refused_on(struct run *r, const char *field)
{
	if (r->rc == 0)
		fail_msg("decided although %s is wrong", field);
	assert_int_equal(r->e.code, ERR_INVALID);
	assert_string_equal(r->e.field, field);
	assert_true(r->e.message[0] != '\0');
}

/* ---- decisions ------------------------------------------------------ */

static void example_application_gets_full_basic_loan_for_11_months(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	decide(&r);
	const struct award *a = only_basic_loan(&r);
	assert_int_equal(r.d.outcome, OUTCOME_GRANTED);
	assert_string_equal(rules_outcome_name(r.d.outcome), "granted");
	assert_int_equal(r.d.scheme, SCHEME_HIGHER_EDUCATION);
	assert_int_equal(a->months, 11);
	assert_int_equal(a->monthly, 1379000);     /* 15 169 000 / 11 */
	assert_int_equal(a->amount, 15169000);     /* 151 690 kr */
	assert_int_equal(a->convertible, 6067600); /* 40 % */
	assert_string_equal(a->reference, "forskrift om utdanningsstøtte § 72");
	assert_string_equal(r.d.rules_version, "no-2024-2025");
	assert_int_equal(r.d.n_reasons, 0);
	assert_true(r.d.n_steps > 0);
	int saw_amount = 0;
	for (int i = 0; i < r.d.n_steps; i++) {
		const struct trace_step *s = &r.d.steps[i];
		assert_non_null(s->rule);
		assert_non_null(s->reference);
		if (s->reference[0] == '\0')
			fail_msg("trace step %s has no reference", s->rule);
		if (strcmp(s->rule, "basic-loan.amount") == 0) {
			saw_amount = 1;
			assert_string_equal(s->reference, "forskrift om utdanningsstøtte § 72");
			assert_int_equal(s->value.i, 15169000);
		}
	}
	assert_true(saw_amount);
	run_cleanup(&r);
}

static void part_time_half_load_gives_half_basic_loan(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "education.load_percent", json_integer(50));
	decide(&r);
	const struct award *a = only_basic_loan(&r);
	/* Part-time study gets no June (lanekassen.no: "Bare fulltidsstudenter
	 * får 11 måneder med studiestøtte"): half of 13 790 kr for 10 months. */
	assert_int_equal(r.d.outcome, OUTCOME_GRANTED);
	assert_int_equal(a->months, 10);
	assert_int_equal(a->monthly, 689500);
	assert_int_equal(a->amount, 6895000);
	assert_int_equal(a->convertible, 2758000);
	run_cleanup(&r);
}

static void living_with_parents_unmarried_without_children_gives_no_convertible(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "applicant.lives_with_parents", json_true());
	set(r.in, "applicant.children", json_array());
	decide(&r);
	const struct award *a = only_basic_loan(&r);
	assert_int_equal(a->amount, 15169000);
	assert_int_equal(a->convertible, 0);
	run_cleanup(&r);
}

static void living_with_parents_but_married_keeps_full_convertible(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "applicant.lives_with_parents", json_true());
	set(r.in, "applicant.married", json_true());
	set(r.in, "applicant.children", NULL);
	decide(&r);
	const struct award *a = only_basic_loan(&r);
	assert_int_equal(a->amount, 15169000);
	assert_int_equal(a->convertible, 6067600);
	run_cleanup(&r);
}

static void living_with_parents_with_a_child_keeps_full_convertible(void **state)
{
	(void)state;
	struct run r = {.in = example()}; /* the example has a child */
	set(r.in, "applicant.lives_with_parents", json_true());
	decide(&r);
	const struct award *a = only_basic_loan(&r);
	assert_int_equal(a->convertible, 6067600);
	run_cleanup(&r);
}

static void school_year_2023_2024_gives_its_own_full_basic_loan(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "school_year", json_string("2023-2024"));
	set(r.in, "decision_date", json_string("2023-07-01"));
	set(r.in, "education.start", json_string("2023-08-15"));
	set(r.in, "education.end", json_string("2024-06-15"));
	set(r.in, "applicant.children", NULL);
	decide(&r);
	const struct award *a = only_basic_loan(&r);
	assert_int_equal(a->months, 11);
	assert_int_equal(a->monthly, 1253700); /* 13 790 700 / 11 */
	assert_int_equal(a->amount, 13790700);
	assert_int_equal(a->convertible, 5516280); /* 40 % */
	assert_string_equal(r.d.rules_version, "no-2023-2024");
	run_cleanup(&r);
}

static void no_load_is_rejected_without_awards(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "education.load_percent", json_integer(0));
	assert_int_equal(decide(&r), 0);
	assert_int_equal(r.d.outcome, OUTCOME_REJECTED);
	assert_int_equal(r.d.n_awards, 0);
	assert_null(rules_award(&r.d, "basic-loan"));
	/* The trace shows why: the load rule came out false. */
	int saw_load = 0;
	for (int i = 0; i < r.d.n_steps; i++)
		if (strcmp(r.d.steps[i].rule, "support.load") == 0) {
			saw_load = 1;
			assert_int_equal(r.d.steps[i].value.type, TV_BOOL);
			assert_int_equal(r.d.steps[i].value.i, 0);
		}
	assert_true(saw_load);
	run_cleanup(&r);
}

/* The 50 % minimum was removed from 2020-2021 (lanekassen.no, "Endring i
 * regler om studiebelastning"): 40 % gives 40 % of 13 790 kr = 5 516 kr a
 * month for the 10 months of part-time study. */
static void load_below_50_percent_gives_its_share(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "education.load_percent", json_integer(40));
	assert_int_equal(decide(&r), 0);
	assert_int_equal(r.d.outcome, OUTCOME_GRANTED);
	assert_int_equal(only_basic_loan(&r)->monthly, 551600);
	assert_int_equal(only_basic_loan(&r)->amount, 5516000);
	run_cleanup(&r);
}

static void months_requested_5_gives_5_months(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "loan.months_requested", json_integer(5));
	decide(&r);
	const struct award *a = only_basic_loan(&r);
	assert_int_equal(a->months, 5);
	assert_int_equal(a->monthly, 1379000);
	assert_int_equal(a->amount, 5 * 1379000);
	assert_int_equal(a->convertible, 2758000); /* 40 % of 6 895 000 */
	run_cleanup(&r);
}

static void education_outside_the_school_year_is_rejected(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "education.start", json_string("2025-08-15"));
	set(r.in, "education.end", json_string("2026-06-15"));
	assert_int_equal(decide(&r), 0);
	assert_int_equal(r.d.outcome, OUTCOME_REJECTED);
	assert_int_equal(r.d.n_awards, 0);
	run_cleanup(&r);
}

static void school_year_without_parameters_fails_naming_school_year(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "school_year", json_string("2019-2020"));
	set(r.in, "decision_date", json_string("2019-07-01"));
	set(r.in, "education.start", json_string("2019-08-15"));
	set(r.in, "education.end", json_string("2020-06-15"));
	set(r.in, "applicant.children", NULL);
	assert_int_equal(decide(&r), -1);
	assert_string_equal(r.e.field, "school_year");
	run_cleanup(&r);
}

/* An upper-secondary pupil: youth entitlement, 30 km and 2 hours from
 * school, claiming special circumstances, without children of their own
 * (a pupil with children gets the boarding grant wherever they live). */
static json_t *pupil(void)
{
	json_t *in = example();
	set(in, "applicant.children", NULL);
	set(in, "scheme", json_string("upper-secondary"));
	set(in, "education.level", json_string("upper-secondary"));
	set(in, "applicant.birth_date", json_string("2007-03-01"));
	set(in, "travel.distance_km", json_real(30.0));
	set(in, "special_circumstances", json_true());
	return in;
}

static void special_circumstances_go_to_a_case_worker(void **state)
{
	(void)state;
	struct run r = {.in = pupil()};
	assert_int_equal(decide(&r), 0);
	assert_int_equal(r.d.scheme, SCHEME_UPPER_SECONDARY);
	assert_int_equal(r.d.outcome, OUTCOME_MANUAL);
	assert_string_equal(rules_outcome_name(r.d.outcome), "manual");
	assert_int_equal(r.d.n_reasons, 1);
	assert_string_equal(r.d.reasons[0].code, "special-circumstances");
	assert_true(r.d.reasons[0].reference[0] != '\0');
	run_cleanup(&r);
}

/* ---- input errors name their field ---------------------------------- */

static void negative_travel_distance_is_refused_naming_the_field(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "travel.distance_km", json_real(-1.5));
	decide(&r);
	refused_on(&r, "travel.distance_km");
	run_cleanup(&r);
}

static void education_start_on_29_february_2025_is_refused(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "education.start", json_string("2025-02-29"));
	decide(&r);
	refused_on(&r, "education.start");
	run_cleanup(&r);
}

static void unknown_key_is_refused_naming_it(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "foo", json_integer(1));
	decide(&r);
	refused_on(&r, "foo");
	run_cleanup(&r);

	r = (struct run){.in = example()};
	set(r.in, "applicant.nickname", json_string("Kari"));
	decide(&r);
	refused_on(&r, "applicant.nickname");
	run_cleanup(&r);
}

static void income_given_as_a_string_is_refused(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "applicant.income", json_string("0"));
	decide(&r);
	refused_on(&r, "applicant.income");
	run_cleanup(&r);
}

static void missing_lives_with_parents_is_refused_for_higher_education(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	set(r.in, "applicant.lives_with_parents", NULL);
	decide(&r);
	refused_on(&r, "applicant.lives_with_parents");
	run_cleanup(&r);
}

/* ---- the decision as JSON ------------------------------------------- */

/* The decision of r as the contract's JSON, parsed back. */
static json_t *decision_json(const struct run *r, enum lang lang)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(rules_decision_json(&b, &r->d, lang), 0);
	json_error_t jerr;
	json_t *j = json_loads(buf_str(&b), JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		fail_msg("decision JSON does not parse: %s: %s", jerr.text, buf_str(&b));
	buf_cleanup(&b);
	return j;
}

static void decision_json_has_the_contract_keys_and_explains_per_language(void **state)
{
	(void)state;
	struct run r = {.in = example()};
	decide(&r);
	(void)only_basic_loan(&r);
	json_t *nb = decision_json(&r, LANG_NB), *en = decision_json(&r, LANG_EN);
	static const char *const keys[] = {"scheme",         "outcome", "awards",
	                                   "manual_reasons", "trace",   "rules_version"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(nb, keys[i]) == NULL)
			fail_msg("decision JSON has no %s", keys[i]);
	assert_string_equal(json_string_value(json_object_get(nb, "scheme")), "higher-education");
	assert_string_equal(json_string_value(json_object_get(nb, "outcome")), "granted");
	assert_string_equal(json_string_value(json_object_get(nb, "rules_version")),
	                    "no-2024-2025");
	assert_int_equal(json_array_size(json_object_get(nb, "manual_reasons")), 0);

	json_t *award = json_array_get(json_object_get(nb, "awards"), 0);
	assert_string_equal(json_string_value(json_object_get(award, "name")), "basic-loan");
	assert_string_equal(json_string_value(json_object_get(award, "kind")), "loan");
	assert_int_equal(json_integer_value(json_object_get(award, "months")), 11);
	assert_int_equal(json_integer_value(json_object_get(award, "monthly")), 1379000);
	assert_int_equal(json_integer_value(json_object_get(award, "amount")), 15169000);
	assert_int_equal(json_integer_value(json_object_get(award, "convertible")), 6067600);
	assert_string_equal(json_string_value(json_object_get(award, "reference")),
	                    "forskrift om utdanningsstøtte § 72");

	json_t *tnb = json_object_get(nb, "trace"), *ten = json_object_get(en, "trace");
	assert_true(json_array_size(tnb) > 0);
	assert_int_equal(json_array_size(tnb), json_array_size(ten));
	size_t i;
	json_t *step;
	int saw_amount = 0;
	json_array_foreach(tnb, i, step)
	{
		const char *xnb = json_string_value(json_object_get(step, "explanation"));
		const char *xen =
		    json_string_value(json_object_get(json_array_get(ten, i), "explanation"));
		assert_non_null(xnb);
		assert_non_null(xen);
		assert_true(xnb[0] != '\0');
		assert_string_not_equal(xnb, xen);
		assert_non_null(strchr(xnb, ' ')); /* a sentence, not a bare key */
		assert_null(strchr(xnb, '{'));     /* every placeholder filled */
		assert_null(strchr(xen, '{'));
		assert_true(json_string_length(json_object_get(step, "reference")) > 0);
		assert_true(json_is_object(json_object_get(step, "inputs")));
		assert_true(json_is_object(json_object_get(step, "parameters")));
		assert_non_null(json_object_get(step, "value"));
		if (strcmp(json_string_value(json_object_get(step, "rule")), "basic-loan.amount") ==
		    0) {
			saw_amount = 1;
			json_t *params = json_object_get(step, "parameters");
			assert_int_equal(
			    json_integer_value(json_object_get(params, "basic_loan.annual")),
			    15169000);
			assert_int_equal(json_integer_value(json_object_get(step, "value")),
			                 15169000);
		}
	}
	assert_true(saw_amount);
	json_decref(nb);
	json_decref(en);
	run_cleanup(&r);
}

static void manual_decision_json_names_its_reason_with_text(void **state)
{
	(void)state;
	struct run r = {.in = pupil()};
	assert_int_equal(decide(&r), 0);
	json_t *j = decision_json(&r, LANG_EN);
	assert_string_equal(json_string_value(json_object_get(j, "outcome")), "manual");
	json_t *reason = json_array_get(json_object_get(j, "manual_reasons"), 0);
	assert_non_null(reason);
	assert_string_equal(json_string_value(json_object_get(reason, "code")),
	                    "special-circumstances");
	assert_true(json_string_length(json_object_get(reason, "text")) > 0);
	assert_true(json_string_length(json_object_get(reason, "reference")) > 0);
	json_decref(j);
	run_cleanup(&r);
}

/* ---- parameter files ------------------------------------------------ */

/* A temporary folder with the files a test writes. Each parameter test gets
 * one from tmp_setup() and cmocka's teardown removes it, even when the test
 * fails halfway. */
struct tmpdir {
	char path[64];
	char files[8][160];
	int n_files;
	char subdirs[4][160];
	int n_subdirs;
};

static int tmp_setup(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/stipend-params-XXXXXX");
	if (mkdtemp(t->path) == NULL) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmpdir *t = *state;
	int rc = 0;
	for (int i = t->n_files - 1; i >= 0; i--)
		rc |= unlink(t->files[i]);
	for (int i = t->n_subdirs - 1; i >= 0; i--)
		rc |= rmdir(t->subdirs[i]);
	rc |= rmdir(t->path);
	free(t);
	return rc == 0 ? 0 : -1;
}

static void tmp_subdir(struct tmpdir *t, const char *name)
{
	assert_true(t->n_subdirs < 4);
	char *p = t->subdirs[t->n_subdirs];
	char full[sizeof(t->subdirs[0])];
	snprintf(full, sizeof(full), "%s/%s", t->path, name);
	memcpy(p, full, sizeof(full));
	assert_int_equal(mkdir(p, 0700), 0);
	t->n_subdirs++;
}

/* Write text to name (relative to the folder); returns the full path. */
static const char *tmp_write(struct tmpdir *t, const char *name, const char *text)
{
	assert_true(t->n_files < 8);
	char *p = t->files[t->n_files];
	char full[sizeof(t->files[0])];
	snprintf(full, sizeof(full), "%s/%s", t->path, name);
	memcpy(p, full, sizeof(full));
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	t->n_files++;
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	return p;
}

/* Load t's folder expecting failure with "path:line:" in the message;
 * the message is left in e. */
static void load_fails_at(struct tmpdir *t, const char *path, int line, struct err *e)
{
	err_clear(e);
	struct params *p = params_load_dir(t->path, e);
	if (p != NULL) {
		params_free(p);
		fail_msg("params_load_dir accepted the set");
	}
	assert_int_equal(e->code, ERR_INVALID);
	char where[200];
	snprintf(where, sizeof(where), "%s:%d:", path, line);
	if (strstr(e->message, where) == NULL)
		fail_msg("message \"%s\" does not name %s", e->message, where);
}

/* Load t's folder expecting success. */
static struct params *load_ok(struct tmpdir *t)
{
	struct err e;
	err_clear(&e);
	struct params *p = params_load_dir(t->path, &e);
	if (p == NULL)
		fail_msg("params_load_dir: %s", e.message);
	return p;
}

#define VALID_ANNUAL                                                                               \
	"# The basic loan.\n"                                                                      \
	"basic_loan.annual:\n"                                                                     \
	"  value: 15169000\n"                                                                      \
	"  unit: ore\n"                                                                            \
	"  valid_from: 2024-08-01\n"                                                               \
	"  valid_to: 2025-07-31\n"                                                                 \
	"  reference: forskrift om utdanningsstøtte § 72\n"                                      \
	"  source: "                                                                               \
	"https://lanekassen.no/nb-NO/stipend-og-lan/norge/universitet-og-hogskole/"                \
	"\n"

static void params_load_dir_loads_a_valid_file(void **state)
{
	struct tmpdir *t = *state;
	const char *file = tmp_write(t, "a.yaml", VALID_ANNUAL);
	tmp_write(t, "notes.txt", "not a parameter file: ignored\n");
	struct params *p = load_ok(t);
	assert_int_equal(params_count(p), 1);
	assert_string_equal(params_name(p), strrchr(t->path, '/') + 1);
	const struct param *v = params_get(p, "basic_loan.annual", date_from_ymd(2024, 9, 1));
	assert_non_null(v);
	assert_int_equal(v->value, 15169000);
	assert_string_equal(v->unit, "ore");
	assert_int_equal(v->valid_from, date_from_ymd(2024, 8, 1));
	assert_int_equal(v->valid_to, date_from_ymd(2025, 7, 31));
	assert_string_equal(v->reference, "forskrift om utdanningsstøtte § 72");
	assert_string_equal(v->file, file);
	assert_int_equal(v->line, 2);
	/* Both ends are inclusive; outside them nothing is in force. */
	assert_non_null(params_get(p, "basic_loan.annual", date_from_ymd(2025, 7, 31)));
	assert_null(params_get(p, "basic_loan.annual", date_from_ymd(2024, 7, 31)));
	assert_null(params_get(p, "basic_loan.annual", date_from_ymd(2025, 8, 1)));
	assert_null(params_get(p, "basic_loan.months", date_from_ymd(2024, 9, 1)));
	assert_int_equal(params_covers(p, date_from_ymd(2024, 8, 1)), 1);
	assert_int_equal(params_covers(p, date_from_ymd(2019, 8, 1)), 0);
	params_free(p);
}

static void params_load_dir_of_school_year_folders_decides_like_builtin(void **state)
{
	struct tmpdir *t = *state;
	/* The built-in 2024-2025 higher-education file, in a school-year
	 * folder as params/no/ is. */
	const struct embed_file *f = embed_find("params/no/2024-2025/higher-education.yaml");
	assert_non_null(f);
	tmp_subdir(t, "2024-2025");
	tmp_write(t, "2024-2025/higher-education.yaml", (const char *)f->data);
	struct params *p = load_ok(t);
	assert_true(params_count(p) >= 4);
	struct run r = {.in = example()};
	decide_with(&r, p);
	const struct award *a = only_basic_loan(&r);
	assert_int_equal(a->amount, 15169000);
	assert_int_equal(a->convertible, 6067600);
	char want[96];
	snprintf(want, sizeof(want), "%s-2024-2025", strrchr(t->path, '/') + 1);
	assert_string_equal(r.d.rules_version, want);
	run_cleanup(&r);
	params_free(p);
}

/* A band of the means-tested grant's income table as a parameter; the
 * figures are this test's own (the agency's 2024 table is not held), so
 * that the rule's lookup can be tried with a table in force. */
static void band(struct buf *b, const char *key, long long kr)
{
	buf_printf(b,
	           "%s:\n  value: %lld00\n  unit: ore\n  valid_from: 2024-08-01\n  valid_to: 2025-07-31\n"
	           "  reference: test\n  source: https://example.org/test-table\n\n",
	           key, kr);
}

/* One pupil at home with the means-tested grant applied for: parents'
 * combined income in kroner, and the household's JSON ("" for none). */
static json_t *mt_pupil(long long parents_kr, const char *household)
{
	char text[900];
	snprintf(text, sizeof(text),
	         "{\"scheme\":\"upper-secondary\",\"school_year\":\"2024-2025\",\"decision_date\":\"2024-07-01\","
	         "\"applicant\":{\"birth_date\":\"2008-03-01\",\"lives_with_parents\":true},"
	         "\"education\":{\"level\":\"upper-secondary\",\"load_percent\":100,\"start\":\"2024-08-19\","
	         "\"end\":\"2025-06-20\"},\"parents\":[{\"income\":%lld00}]%s%s}",
	         parents_kr, *household ? ",\"household\":" : "", household);
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	assert_non_null(j);
	return j;
}

#define TOGETHER_1 "{\"siblings\":1,\"parents_live_together\":true}"
#define TOGETHER_5 "{\"siblings\":5,\"parents_live_together\":true}"
#define APART_0 "{\"siblings\":0,\"parents_live_together\":false}"

static const struct award *award_named(const struct decision *d, const char *name)
{
	for (int i = 0; i < d->n_awards; i++)
		if (strcmp(d->awards[i].name, name) == 0)
			return &d->awards[i];
	return NULL;
}

static void means_tested_grant_follows_the_income_table_when_it_is_in_force(void **state)
{
	struct tmpdir *t = *state;
	const struct embed_file *f = embed_find("params/no/2024-2025/upper-secondary.yaml");
	assert_non_null(f);
	tmp_write(t, "upper-secondary.yaml", (const char *)f->data);
	struct buf b;
	buf_init(&b, 4096);
	band(&b, "means_tested_grant.table_a.siblings_0.band_1_max", 250000);
	band(&b, "means_tested_grant.table_a.siblings_0.band_2_max", 310000);
	band(&b, "means_tested_grant.table_a.siblings_0.band_3_max", 370000);
	band(&b, "means_tested_grant.table_a.siblings_1.band_1_max", 300000);
	band(&b, "means_tested_grant.table_a.siblings_1.band_2_max", 360000);
	band(&b, "means_tested_grant.table_a.siblings_1.band_3_max", 420000);
	band(&b, "means_tested_grant.table_a.siblings_3.band_1_max", 430000);
	band(&b, "means_tested_grant.table_a.siblings_3.band_2_max", 490000);
	band(&b, "means_tested_grant.table_a.siblings_3.band_3_max", 550000);
	tmp_write(t, "table.yaml", buf_str(&b));
	buf_cleanup(&b);
	struct params *p = load_ok(t);

	/* Band edges, table A with one sibling: 3 875, 2 483, 1 291 kr a
	 * month for the 10 months, none above the last band. */
	static const struct {
		long long kr;
		const char *household;
		long long monthly; /* øre; 0: none */
	} cases[] = {{300000, TOGETHER_1, 387500}, {300001, TOGETHER_1, 248300}, {360000, TOGETHER_1, 248300},
	             {360001, TOGETHER_1, 129100}, {420000, TOGETHER_1, 129100}, {420001, TOGETHER_1, 0},
	             {430000, TOGETHER_5, 387500}, {550001, TOGETHER_5, 0}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = {.in = mt_pupil(cases[i].kr, cases[i].household)};
		assert_int_equal(decide_with(&r, p), 0);
		const struct award *a = award_named(&r.d, "means-tested-grant");
		if (cases[i].monthly == 0) {
			assert_null(a);
			assert_int_equal(r.d.outcome, OUTCOME_REJECTED);
		} else {
			assert_non_null(a);
			assert_int_equal(a->monthly, cases[i].monthly);
			assert_int_equal(a->months, 10);
			assert_int_equal(a->amount, cases[i].monthly * 10);
			assert_int_equal(r.d.n_reasons, 0);
		}
		run_cleanup(&r);
	}

	/* The table is held but the household is not given: a person. */
	struct run r = {.in = mt_pupil(300000, "")};
	assert_int_equal(decide_with(&r, p), 0);
	assert_int_equal(r.d.n_reasons, 1);
	assert_string_equal(r.d.reasons[0].code, "household-facts-missing");
	run_cleanup(&r);

	/* Parents apart read table B, which this set does not hold: the
	 * reason names its band. */
	struct run rb = {.in = mt_pupil(300000, APART_0)};
	assert_int_equal(decide_with(&rb, p), 0);
	assert_int_equal(rb.d.n_reasons, 1);
	assert_string_equal(rb.d.reasons[0].code, "parameter-not-in-force");
	assert_string_equal(rb.d.reasons[0].parameter, "means_tested_grant.table_b.siblings_0.band_1_max");
	run_cleanup(&rb);
	params_free(p);
}

/* A pupil living away, distance km from home, at school from start. */
static json_t *tg_pupil(const char *km, const char *start)
{
	char text[900];
	snprintf(text, sizeof(text),
	         "{\"scheme\":\"upper-secondary\",\"school_year\":\"2024-2025\",\"decision_date\":\"2024-07-01\","
	         "\"applicant\":{\"birth_date\":\"2008-03-01\",\"lives_with_parents\":false},"
	         "\"education\":{\"level\":\"upper-secondary\",\"load_percent\":100,\"start\":\"%s\","
	         "\"end\":\"2025-06-20\"},\"travel\":{\"distance_km\":%s,\"daily_travel_minutes\":300,"
	         "\"walking_km\":0}}",
	         start, km);
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	assert_non_null(j);
	return j;
}

/* The travel grant's kilometre rates and own share are this test's own,
 * the figures of the agency's worked example ("Slik reknar vi ut
 * reisestipendet": 1,76, 0,97 and 0,35 kr a km, own share 1 144 kr), as
 * the rates for 2024-2025 are not held. */
static void travel_grant_follows_the_km_rates_when_they_are_in_force(void **state)
{
	struct tmpdir *t = *state;
	const struct embed_file *f = embed_find("params/no/2024-2025/upper-secondary.yaml");
	assert_non_null(f);
	tmp_write(t, "upper-secondary.yaml", (const char *)f->data);
	static const char rates[] =
	    "travel_grant.rate_first_300_km:\n  value: 176\n  unit: ore\n  valid_from: 2024-08-01\n"
	    "  valid_to: 2025-07-31\n  reference: test\n  source: https://example.org/test\n"
	    "travel_grant.rate_300_1500_km:\n  value: 97\n  unit: ore\n  valid_from: 2024-08-01\n"
	    "  valid_to: 2025-07-31\n  reference: test\n  source: https://example.org/test\n"
	    "travel_grant.rate_over_1500_km:\n  value: 35\n  unit: ore\n  valid_from: 2024-08-01\n"
	    "  valid_to: 2025-07-31\n  reference: test\n  source: https://example.org/test\n"
	    "travel_grant.own_share:\n  value: 114400\n  unit: ore\n  valid_from: 2024-08-01\n"
	    "  valid_to: 2025-07-31\n  reference: test\n  source: https://example.org/test\n";
	tmp_write(t, "travel.yaml", rates);
	struct params *p = load_ok(t);
	/* 700 km: (300 x 1,76 + 400 x 0,97) x 6 - 1 144 = 4 352 kr, the
	 * page's own answer; the edges of the least distance and the bands. */
	static const struct {
		const char *km;
		long long amount; /* øre; -1: no travel grant */
	} cases[] = {{"700", 435200}, {"109.9", -1}, {"110", 1760}, {"300", 202400}, {"1500", 900800}, {"1600", 921800}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = {.in = tg_pupil(cases[i].km, "2024-08-19")};
		assert_int_equal(decide_with(&r, p), 0);
		const struct award *a = award_named(&r.d, "travel-grant");
		if (cases[i].amount < 0) {
			assert_null(a);
		} else {
			assert_non_null(a);
			assert_int_equal(a->amount, cases[i].amount);
		}
		assert_int_equal(r.d.n_reasons, 0);
		run_cleanup(&r);
	}
	/* The spring term alone: the pages give the rule for a whole year. */
	struct run r = {.in = tg_pupil("700", "2025-01-06")};
	assert_int_equal(decide_with(&r, p), 0);
	assert_null(award_named(&r.d, "travel-grant"));
	assert_int_equal(r.d.n_reasons, 1);
	assert_string_equal(r.d.reasons[0].code, "travel-grant-part-year");
	run_cleanup(&r);
	params_free(p);
}

/* The value of the trace step named rule, which must be there. */
static const struct trace_step *step_named(const struct decision *d, const char *rule)
{
	for (int i = 0; i < d->n_steps; i++)
		if (strcmp(d->steps[i].rule, rule) == 0)
			return &d->steps[i];
	fail_msg("no step %s", rule);
	return NULL;
}

/* The sickness grant's period: from day 15, at most 4 months and 15 days
 * (the page "Sykdom"); a long illness is cut there, a short one is not. */
static void sickness_grant_period_runs_from_day_15_for_at_most_4_months_and_15_days(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		long long days;
	} cases[] = {
	    /* 15 September to 29 January: 122 days to 15 January, then 15. */
	    {"2024-09-01", "2025-06-30", 137},
	    {"2024-09-01", "2024-09-15", 1},
	    {"2024-09-01", "2025-01-29", 137},
	    {"2024-09-01", "2025-01-28", 136},
	    /* From 31 October: 4 months on is 28 February (no 31st). */
	    {"2024-10-17", "2025-06-30", 120 + 15},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[600];
		snprintf(text, sizeof(text),
		         "{\"scheme\":\"sickness-grant\",\"school_year\":\"2024-2025\",\"decision_date\":\"2025-07-01\","
		         "\"applicant\":{\"birth_date\":\"2000-05-17\"},\"sickness\":{\"from\":\"%s\",\"to\":\"%s\","
		         "\"percent_unable\":100,\"doctor_confirmed\":true,\"applied_before_ill\":true}}",
		         cases[i].from, cases[i].to);
		json_error_t jerr;
		struct run r = {.in = json_loads(text, 0, &jerr)};
		assert_non_null(r.in);
		assert_int_equal(decide(&r), 0);
		const struct trace_step *s = step_named(&r.d, "sickness-grant.period");
		assert_int_equal(s->value.i, cases[i].days);
		assert_int_equal(r.d.outcome, OUTCOME_MANUAL);
		assert_string_equal(r.d.reasons[0].code, "sickness-grant-amount");
		run_cleanup(&r);
	}
}

static void params_load_dir_refuses_an_unknown_field_with_file_and_line(void **state)
{
	struct tmpdir *t = *state;
	const char *file = tmp_write(t, "a.yaml",
	                             "basic_loan.annual:\n"
	                             "  value: 15169000\n"
	                             "  unit: ore\n"
	                             "  amount: 15169000\n"
	                             "  valid_from: 2024-08-01\n"
	                             "  valid_to: 2025-07-31\n"
	                             "  reference: forskrift om utdanningsstøtte § 72\n"
	                             "  source: https://lanekassen.no/\n");
	struct err e;
	load_fails_at(t, file, 4, &e);
	assert_non_null(strstr(e.message, "amount"));
}

static void params_load_dir_refuses_a_missing_reference_with_file_and_line(void **state)
{
	struct tmpdir *t = *state;
	const char *file = tmp_write(t, "a.yaml",
	                             "\n"
	                             "basic_loan.annual:\n"
	                             "  value: 15169000\n"
	                             "  unit: ore\n"
	                             "  valid_from: 2024-08-01\n"
	                             "  valid_to: 2025-07-31\n"
	                             "  source: https://lanekassen.no/\n");
	struct err e;
	load_fails_at(t, file, 2, &e);
	assert_non_null(strstr(e.message, "reference"));
}

static void params_load_dir_refuses_a_date_that_does_not_exist(void **state)
{
	struct tmpdir *t = *state;
	const char *file = tmp_write(t, "a.yaml",
	                             "basic_loan.annual:\n"
	                             "  value: 15169000\n"
	                             "  unit: ore\n"
	                             "  valid_from: 2024-08-01\n"
	                             "  valid_to: 2025-02-30\n"
	                             "  reference: forskrift om utdanningsstøtte § 72\n"
	                             "  source: https://lanekassen.no/\n");
	struct err e;
	load_fails_at(t, file, 5, &e);
	assert_non_null(strstr(e.message, "2025-02-30"));
}

static void params_load_dir_refuses_overlapping_validity_across_two_files(void **state)
{
	struct tmpdir *t = *state;
	const char *a = tmp_write(t, "a.yaml", VALID_ANNUAL);
	const char *b = tmp_write(t, "b.yaml",
	                          "basic_loan.annual:\n"
	                          "  value: 16000000\n"
	                          "  unit: ore\n"
	                          "  valid_from: 2025-07-31\n"
	                          "  valid_to: 2026-07-31\n"
	                          "  reference: forskrift om utdanningsstøtte § 72\n"
	                          "  source: https://lanekassen.no/\n");
	struct err e;
	load_fails_at(t, b, 1, &e);
	char where[200];
	snprintf(where, sizeof(where), "%s:2", a); /* and the value it overlaps */
	assert_non_null(strstr(e.message, where));
}

static void params_load_dir_accepts_periods_that_follow_each_other(void **state)
{
	struct tmpdir *t = *state;
	tmp_write(t, "a.yaml", VALID_ANNUAL);
	tmp_write(t, "b.yaml",
	          "basic_loan.annual:\n"
	          "  value: 16000000\n"
	          "  unit: ore\n"
	          "  valid_from: 2025-08-01\n"
	          "  valid_to: 2026-07-31\n"
	          "  reference: forskrift om utdanningsstøtte § 72\n"
	          "  source: https://lanekassen.no/\n");
	struct params *p = load_ok(t);
	assert_int_equal(params_get(p, "basic_loan.annual", date_from_ymd(2025, 7, 31))->value,
	                 15169000);
	assert_int_equal(params_get(p, "basic_loan.annual", date_from_ymd(2025, 8, 1))->value,
	                 16000000);
	params_free(p);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(example_application_gets_full_basic_loan_for_11_months),
	    cmocka_unit_test(part_time_half_load_gives_half_basic_loan),
	    cmocka_unit_test(living_with_parents_unmarried_without_children_gives_no_convertible),
	    cmocka_unit_test(living_with_parents_but_married_keeps_full_convertible),
	    cmocka_unit_test(living_with_parents_with_a_child_keeps_full_convertible),
	    cmocka_unit_test(school_year_2023_2024_gives_its_own_full_basic_loan),
	    cmocka_unit_test(no_load_is_rejected_without_awards),
	    cmocka_unit_test(load_below_50_percent_gives_its_share),
	    cmocka_unit_test(months_requested_5_gives_5_months),
	    cmocka_unit_test(education_outside_the_school_year_is_rejected),
	    cmocka_unit_test(school_year_without_parameters_fails_naming_school_year),
	    cmocka_unit_test(special_circumstances_go_to_a_case_worker),
	    cmocka_unit_test(negative_travel_distance_is_refused_naming_the_field),
	    cmocka_unit_test(education_start_on_29_february_2025_is_refused),
	    cmocka_unit_test(unknown_key_is_refused_naming_it),
	    cmocka_unit_test(income_given_as_a_string_is_refused),
	    cmocka_unit_test(missing_lives_with_parents_is_refused_for_higher_education),
	    cmocka_unit_test(decision_json_has_the_contract_keys_and_explains_per_language),
	    cmocka_unit_test(manual_decision_json_names_its_reason_with_text),
	    cmocka_unit_test_setup_teardown(params_load_dir_loads_a_valid_file, tmp_setup,
	                                    tmp_teardown),
	    cmocka_unit_test_setup_teardown(
		params_load_dir_of_school_year_folders_decides_like_builtin, tmp_setup,
		tmp_teardown),
	    cmocka_unit_test_setup_teardown(
		params_load_dir_refuses_an_unknown_field_with_file_and_line, tmp_setup,
		tmp_teardown),
	    cmocka_unit_test_setup_teardown(
		params_load_dir_refuses_a_missing_reference_with_file_and_line, tmp_setup,
		tmp_teardown),
	    cmocka_unit_test_setup_teardown(params_load_dir_refuses_a_date_that_does_not_exist,
	                                    tmp_setup, tmp_teardown),
	    cmocka_unit_test_setup_teardown(
		params_load_dir_refuses_overlapping_validity_across_two_files, tmp_setup,
		tmp_teardown),
	    cmocka_unit_test_setup_teardown(params_load_dir_accepts_periods_that_follow_each_other,
	                                    tmp_setup, tmp_teardown),
	    /* tracker #9: the means-tested grant's income table */
	    cmocka_unit_test_setup_teardown(means_tested_grant_follows_the_income_table_when_it_is_in_force,
	                                    tmp_setup, tmp_teardown),
	    /* tracker #9: the travel grant's kilometre rates */
	    cmocka_unit_test_setup_teardown(travel_grant_follows_the_km_rates_when_they_are_in_force, tmp_setup,
	                                    tmp_teardown),
	    cmocka_unit_test(sickness_grant_period_runs_from_day_15_for_at_most_4_months_and_15_days),
	};
	return cmocka_run_group_tests_name("rules", tests, group_setup, group_teardown);
}
