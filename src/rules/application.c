/* application.c - reading an application from JSON, strictly.
 *
 * Nothing is decided on input that was not understood: every field is
 * checked for presence, type and range, unknown keys are refused (a typo
 * must not silently become "not given"), and the error names the field by
 * its path. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "rules/jv.h"
#include "rules/rules.h"

/* Refuse keys of obj not in the NULL-terminated list allowed. */
static int only_keys(const struct jv *obj, const char *prefix, const char *const *allowed, struct err *e)
{
	for (size_t i = 0; i < obj->n; i++) {
		const char *key = obj->keys[i];
		int ok = 0;
		for (const char *const *k = allowed; *k != NULL && !ok; k++)
			ok = (*k)[0] == key[0] && strcmp(*k, key) == 0;
		if (!ok) {
			char path[96];
			snprintf(path, sizeof(path), "%s%s", prefix, key);
			return err_set(e, ERR_INVALID, path, "unknown field");
		}
	}
	return 0;
}

/* The path of a field, made only when an error names it: the getters run
 * a few dozen times for every application read. */
static const char *field_path(char *path, size_t len, const char *prefix, const char *key)
{
	snprintf(path, len, "%s%s", prefix, key);
	return path;
}

/* s into out, cut to len bytes with the NUL, as snprintf("%s") does. */
static void copy_cut(char *out, size_t len, const char *s)
{
	size_t n = strlen(s);
	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* "<list>[<i>]." into out (len > strlen(list) + 23), as
 * snprintf("%s%zu].") would write it: a prefix for every child and parent. */
static void index_prefix(char *out, size_t len, const char *list, size_t i)
{
	char digits[24], *p = digits + sizeof(digits);
	*--p = '\0';
	*--p = '.';
	*--p = ']';
	do {
		*--p = (char)('0' + i % 10);
		i /= 10;
	} while (i != 0);
	copy_cut(out, len, list);
	size_t o = strlen(out);
	copy_cut(out + o, len - o, p);
}

static int get_obj(const struct jv *parent, const char *prefix, const char *key, int required,
		   const struct jv **out, struct err *e)
{
	char path[96];
	const struct jv *v = jv_get(parent, key);
	if (v == NULL || jv_is_null(v)) {
		*out = NULL;
		return required ? err_set(e, ERR_INVALID, field_path(path, sizeof(path), prefix, key), "is required") : 0;
	}
	if (!jv_is_object(v))
		return err_set(e, ERR_INVALID, field_path(path, sizeof(path), prefix, key), "must be an object");
	*out = v;
	return 0;
}

static int get_bool(const struct jv *obj, const char *prefix, const char *key, int *has, int *out,
		    struct err *e)
{
	const struct jv *v = jv_get(obj, key);
	if (has)
		*has = v != NULL;
	if (v == NULL)
		return 0;
	if (!jv_is_boolean(v)) {
		char path[96];
		return err_set(e, ERR_INVALID, field_path(path, sizeof(path), prefix, key), "must be true or false");
	}
	*out = jv_is_true(v);
	return 0;
}

/* An integer in [min, max]. */
static int get_int(const struct jv *obj, const char *prefix, const char *key, int required, int64_t min,
		   int64_t max, int64_t *out, struct err *e)
{
	char path[96];
	const struct jv *v = jv_get(obj, key);
	if (v == NULL)
		return required ? err_set(e, ERR_INVALID, field_path(path, sizeof(path), prefix, key), "is required") : 0;
	if (!jv_is_integer(v) || jv_integer_value(v) < min || jv_integer_value(v) > max) {
		if (max == INT64_MAX)
			return err_set(e, ERR_INVALID, field_path(path, sizeof(path), prefix, key), "must be a whole number >= %lld", (long long)min);
		return err_set(e, ERR_INVALID, field_path(path, sizeof(path), prefix, key), "must be a whole number from %lld to %lld", (long long)min,
			       (long long)max);
	}
	*out = jv_integer_value(v);
	return 0;
}

static int get_real(const struct jv *obj, const char *prefix, const char *key, double max, double *out,
		    struct err *e)
{
	char path[96];
	const struct jv *v = jv_get(obj, key);
	if (v == NULL)
		return 0;
	double d = jv_is_number(v) ? jv_number_value(v) : -1;
	if (!jv_is_number(v) || !isfinite(d) || d < 0 || d > max)
		return err_set(e, ERR_INVALID, field_path(path, sizeof(path), prefix, key), "must be a number >= 0");
	*out = d;
	return 0;
}

static int get_date(const struct jv *obj, const char *prefix, const char *key, int required, date_t *out,
		    struct err *e)
{
	char path[96];
	const struct jv *v = jv_get(obj, key);
	if (v == NULL)
		return required ? err_set(e, ERR_INVALID, field_path(path, sizeof(path), prefix, key), "is required") : 0;
	if (!jv_is_string(v) || date_parse(jv_string_value(v), out) != 0)
		return err_set(e, ERR_INVALID, field_path(path, sizeof(path), prefix, key), "must be a date that exists, written YYYY-MM-DD");
	return 0;
}

/* Money: whole øre, not negative, below 10^13 kr. */
#define MONEY_MAX INT64_C(1000000000000000)

static int parse(const struct jv *in, struct application *app, struct arena *a, struct err *e)
{
	static const char *const top[] = {"scheme", "school_year", "decision_date", "applicant", "education",
					  "travel", "parents", "special_circumstances", "loan", "relief_ground",
					  "conflicting_facts", "extra_loan", "household", "progression", "sickness", "parental", NULL};
	static const char *const applicant_keys[] = {"birth_date", "lives_with_parents", "married", "children",
						     "income", "wealth", "family_income", "qualification",
						     "youth_support_last_year", NULL};
	static const char *const education_keys[] = {"level", "load_percent", "start", "end", "equipment_rate",
						     /* #15 (applying right): the place of study the
						      * person named; carried, not decided on. */
						     "institution", "programme",
						     /* #9 (adult students): the years of the education
						      * left, this one included. */
						     "years_left", NULL};
	static const char *const travel_keys[] = {"distance_km", "daily_travel_minutes", "walking_km", NULL};
	static const char *const loan_keys[] = {"balance", "deferrals_used", "months_requested", "relief_months_used",
						"extra_loan_used", NULL};
	const struct jv *o, *v;
	int64_t n;

	memset(app, 0, sizeof(*app));
	if (!jv_is_object(in))
		return err_set(e, ERR_INVALID, "", "the application must be a JSON object");
	if (only_keys(in, "", top, e))
		return -1;

	v = jv_get(in, "scheme");
	if (v == NULL)
		return err_set(e, ERR_INVALID, "scheme", "is required");
	const char *s = jv_string_value(v);
	if (s && strcmp(s, "higher-education") == 0)
		app->scheme = SCHEME_HIGHER_EDUCATION;
	else if (s && strcmp(s, "upper-secondary") == 0)
		app->scheme = SCHEME_UPPER_SECONDARY;
	else if (s && strcmp(s, "payment-deferral") == 0)
		app->scheme = SCHEME_PAYMENT_DEFERRAL;
	else if (s && strcmp(s, "interest-relief") == 0)
		app->scheme = SCHEME_INTEREST_RELIEF;
	else if (s && strcmp(s, "sickness-grant") == 0)
		app->scheme = SCHEME_SICKNESS_GRANT;
	else if (s && strcmp(s, "parental-grant") == 0)
		app->scheme = SCHEME_PARENTAL_GRANT;
	else
		return err_set(e, ERR_INVALID, "scheme",
			       "must be higher-education, upper-secondary, payment-deferral, interest-relief, "
			       "sickness-grant or parental-grant");

	/* Support for studies is decided for a school year; a payment deferral
	 * and interest relief for the decision date, and a school year given
	 * with them is checked for form and otherwise ignored (the contract). */
	int for_a_date = app->scheme == SCHEME_PAYMENT_DEFERRAL || app->scheme == SCHEME_INTEREST_RELIEF;
	v = jv_get(in, "school_year");
	if (v == NULL && !for_a_date)
		return err_set(e, ERR_INVALID, "school_year", "is required");
	if (v != NULL &&
	    (!jv_is_string(v) || date_school_year(jv_string_value(v), &app->year_first, &app->year_last) != 0))
		return err_set(e, ERR_INVALID, "school_year", "must be a school year written 2024-2025");
	if (get_date(in, "", "decision_date", 1, &app->decision_date, e))
		return -1;
	if (for_a_date) {
		/* The school year the decision date falls in: 1 August to 31 July. */
		int y, m, d;
		date_to_ymd(app->decision_date, &y, &m, &d);
		int first = m >= 8 ? y : y - 1; /* 1800..2999: date_parse's range */
		/* "%04u-%04u" by hand (#9, speed: every deferral and relief). */
		unsigned f = (unsigned)first % 10000u, l = (unsigned)(first + 1) % 10000u;
		char sy[10] = {(char)('0' + f / 1000), (char)('0' + f / 100 % 10), (char)('0' + f / 10 % 10),
			       (char)('0' + f % 10), '-', (char)('0' + l / 1000), (char)('0' + l / 100 % 10),
			       (char)('0' + l / 10 % 10), (char)('0' + l % 10), '\0'};
		copy_cut(app->school_year, sizeof(app->school_year), sy);
		date_school_year(app->school_year, &app->year_first, &app->year_last);
	} else {
		copy_cut(app->school_year, sizeof(app->school_year), jv_string_value(v));
	}

	if (get_obj(in, "", "applicant", 1, &o, e) || only_keys(o, "applicant.", applicant_keys, e))
		return -1;
	if (get_date(o, "applicant.", "birth_date", 1, &app->birth_date, e) ||
	    get_bool(o, "applicant.", "lives_with_parents", &app->has_lives_with_parents, &app->lives_with_parents, e) ||
	    get_bool(o, "applicant.", "married", NULL, &app->married, e) ||
	    get_bool(o, "applicant.", "qualification", NULL, &app->qualification, e) ||
	    get_bool(o, "applicant.", "youth_support_last_year", NULL, &app->youth_support_last_year, e) ||
	    get_int(o, "applicant.", "income", 0, 0, MONEY_MAX, &app->income, e) ||
	    get_int(o, "applicant.", "wealth", 0, 0, MONEY_MAX, &app->wealth, e))
		return -1;
	app->family_income = -1;
	if (get_int(o, "applicant.", "family_income", 0, 0, MONEY_MAX, &app->family_income, e))
		return -1;
	if (app->birth_date > app->decision_date)
		return err_set(e, ERR_INVALID, "applicant.birth_date", "must be before the decision date");
	v = jv_get(o, "children");
	if (v != NULL) {
		if (!jv_is_array(v) || jv_array_size(v) > 20)
			return err_set(e, ERR_INVALID, "applicant.children", "must be a list of at most 20 children");
		app->n_children = jv_array_size(v);
		app->children = arena_alloc(a, (app->n_children + 1) * sizeof(date_t));
		for (size_t i = 0; i < app->n_children; i++) {
			char prefix[48];
			const struct jv *c = jv_array_get(v, i);
			index_prefix(prefix, sizeof(prefix), "applicant.children[", i);
			if (!jv_is_object(c)) {
				prefix[strlen(prefix) - 1] = '\0';
				return err_set(e, ERR_INVALID, prefix, "must be an object with birth_date");
			}
			static const char *const child_keys[] = {"birth_date", NULL};
			if (only_keys(c, prefix, child_keys, e) || get_date(c, prefix, "birth_date", 1, &app->children[i], e))
				return -1;
		}
	}

	int edu_required = app->scheme == SCHEME_HIGHER_EDUCATION || app->scheme == SCHEME_UPPER_SECONDARY;
	if (get_obj(in, "", "education", edu_required, &o, e))
		return -1;
	if (o != NULL) {
		app->has_education = 1;
		if (only_keys(o, "education.", education_keys, e))
			return -1;
		v = jv_get(o, "level");
		s = jv_string_value(v);
		if (v == NULL)
			return err_set(e, ERR_INVALID, "education.level", "is required");
		if (s && strcmp(s, "upper-secondary") == 0)
			app->level = LEVEL_UPPER_SECONDARY;
		else if (s && strcmp(s, "higher") == 0)
			app->level = LEVEL_HIGHER;
		else if (s && strcmp(s, "other") == 0)
			app->level = LEVEL_OTHER;
		else
			return err_set(e, ERR_INVALID, "education.level", "must be upper-secondary, higher or other");
		if (get_int(o, "education.", "load_percent", 1, 0, 100, &n, e))
			return -1;
		app->load_percent = (int)n;
		if (get_date(o, "education.", "start", 1, &app->edu_start, e) ||
		    get_date(o, "education.", "end", 1, &app->edu_end, e))
			return -1;
		if (app->edu_end < app->edu_start)
			return err_set(e, ERR_INVALID, "education.end", "must not be before education.start");
		n = 0;
		if (get_int(o, "education.", "equipment_rate", 0, 0, 5, &n, e))
			return -1;
		app->equipment_rate = (int)n;
		/* #9 (adult students): the years left share the room under
		 * the debt ceiling of a student over the age limit. */
		n = 0;
		if (get_int(o, "education.", "years_left", 0, 1, 20, &n, e))
			return -1;
		app->years_left = (int)n;
		/* #15: the institution and programme named, when given, are
		 * short strings (the rules do not read them). */
		static const char *const named[] = {"institution", "programme"};
		for (int k = 0; k < 2; k++) {
			v = jv_get(o, named[k]);
			if (v != NULL && (!jv_is_string(v) || jv_string_length(v) > 200))
				return err_set(e, ERR_INVALID, k ? "education.programme" : "education.institution",
					       "must be a string of at most 200 characters");
		}
	}

	if (get_obj(in, "", "travel", 0, &o, e))
		return -1;
	if (o != NULL) {
		app->has_travel = 1;
		if (only_keys(o, "travel.", travel_keys, e) ||
		    get_real(o, "travel.", "distance_km", 50000, &app->distance_km, e) ||
		    get_real(o, "travel.", "walking_km", 1000, &app->walking_km, e))
			return -1;
		n = 0;
		if (get_int(o, "travel.", "daily_travel_minutes", 0, 0, 1440, &n, e))
			return -1;
		app->daily_travel_minutes = (int)n;
	}

	v = jv_get(in, "parents");
	if (v != NULL) {
		if (!jv_is_array(v) || jv_array_size(v) > 2)
			return err_set(e, ERR_INVALID, "parents", "must be a list of at most two parents");
		app->n_parents = jv_array_size(v);
		for (size_t i = 0; i < app->n_parents; i++) {
			char prefix[40];
			static const char *const parent_keys[] = {"income", NULL};
			const struct jv *p = jv_array_get(v, i);
			index_prefix(prefix, sizeof(prefix), "parents[", i);
			if (!jv_is_object(p)) {
				prefix[strlen(prefix) - 1] = '\0';
				return err_set(e, ERR_INVALID, prefix, "must be an object with income");
			}
			if (only_keys(p, prefix, parent_keys, e) ||
			    get_int(p, prefix, "income", 1, 0, MONEY_MAX, &app->parent_income[i], e))
				return -1;
		}
	}
	if (get_bool(in, "", "special_circumstances", NULL, &app->special_circumstances, e) ||
	    get_bool(in, "", "conflicting_facts", NULL, &app->conflicting_facts, e))
		return -1;

	if (get_obj(in, "", "loan", 0, &o, e))
		return -1;
	if (o != NULL) {
		if (only_keys(o, "loan.", loan_keys, e) ||
		    get_int(o, "loan.", "balance", 0, 0, MONEY_MAX, &app->loan_balance, e))
			return -1;
		n = 0;
		if (get_int(o, "loan.", "deferrals_used", 0, 0, 1000, &n, e))
			return -1;
		app->deferrals_used = (int)n;
		n = 0;
		if (get_int(o, "loan.", "months_requested", 0, 0, 120, &n, e))
			return -1;
		app->months_requested = (int)n;
		n = 0;
		if (get_int(o, "loan.", "relief_months_used", 0, 0, 1000, &n, e))
			return -1;
		app->relief_months_used = (int)n;
		if (get_int(o, "loan.", "extra_loan_used", 0, 0, MONEY_MAX, &app->extra_loan_used, e))
			return -1;
	}
	/* The household of a pupil applying for the means-tested grant:
	 * optional, and when given both keys are. */
	const struct jv *h = NULL;
	if (get_obj(in, "", "household", 0, &h, e))
		return -1;
	if (h != NULL) {
		static const char *const household_keys[] = {"siblings", "parents_live_together", NULL};
		int has_together = 0;
		n = 0;
		if (only_keys(h, "household.", household_keys, e) ||
		    get_int(h, "household.", "siblings", 1, 0, 30, &n, e) ||
		    get_bool(h, "household.", "parents_live_together", &has_together, &app->parents_live_together, e))
			return -1;
		if (!has_together)
			return err_set(e, ERR_INVALID, "household.parents_live_together", "is required");
		app->siblings = (int)n;
		app->has_household = 1;
	}
	/* Progression: credits supported and passed (halves and quarters of
	 * a credit occur: 7.5, 22.5), kept in tenths; optional, and when
	 * given both counts are. */
	const struct jv *pg = NULL;
	if (get_obj(in, "", "progression", 0, &pg, e))
		return -1;
	if (pg != NULL) {
		static const char *const progression_keys[] = {"credits_supported", "credits_passed", "delay_reason", NULL};
		double supported = 0, passed = 0;
		if (only_keys(pg, "progression.", progression_keys, e))
			return -1;
		if (jv_get(pg, "credits_supported") == NULL)
			return err_set(e, ERR_INVALID, "progression.credits_supported", "is required");
		if (jv_get(pg, "credits_passed") == NULL)
			return err_set(e, ERR_INVALID, "progression.credits_passed", "is required");
		if (get_real(pg, "progression.", "credits_supported", 10000, &supported, e) ||
		    get_real(pg, "progression.", "credits_passed", 10000, &passed, e) ||
		    get_bool(pg, "progression.", "delay_reason", NULL, &app->delay_reason, e))
			return -1;
		app->credits_supported_tenths = llround(supported * 10);
		app->credits_passed_tenths = llround(passed * 10);
		app->has_progression = 1;
	}
	/* The illness of a sickness grant: required for that scheme. */
	const struct jv *sk = NULL;
	if (get_obj(in, "", "sickness", app->scheme == SCHEME_SICKNESS_GRANT, &sk, e))
		return -1;
	if (sk != NULL) {
		static const char *const sickness_keys[] = {"from", "to", "percent_unable", "doctor_confirmed",
							    "applied_before_ill", "work_assessment_allowance", NULL};
		int has_before = 0;
		if (only_keys(sk, "sickness.", sickness_keys, e) || get_date(sk, "sickness.", "from", 1, &app->sick_from, e) ||
		    get_date(sk, "sickness.", "to", 1, &app->sick_to, e) ||
		    get_int(sk, "sickness.", "percent_unable", 1, 0, 100, &n, e))
			return -1;
		app->percent_unable = (int)n;
		if (get_bool(sk, "sickness.", "doctor_confirmed", NULL, &app->doctor_confirmed, e) ||
		    get_bool(sk, "sickness.", "applied_before_ill", &has_before, &app->applied_before_ill, e) ||
		    get_bool(sk, "sickness.", "work_assessment_allowance", NULL, &app->work_assessment_allowance, e))
			return -1;
		if (!has_before)
			return err_set(e, ERR_INVALID, "sickness.applied_before_ill", "is required");
		if (app->sick_to < app->sick_from)
			return err_set(e, ERR_INVALID, "sickness.to", "must not be before sickness.from");
		if (app->sick_from < app->year_first || app->sick_to > app->year_last)
			return err_set(e, ERR_INVALID, "sickness.from", "the illness must lie within the school year");
		app->has_sickness = 1;
	}
	/* The birth or adoption of a parental grant: required for that scheme. */
	const struct jv *pr = NULL;
	if (get_obj(in, "", "parental", app->scheme == SCHEME_PARENTAL_GRANT, &pr, e))
		return -1;
	if (pr != NULL) {
		static const char *const parental_keys[] = {"child_date", "months_in_education_before", "lives_with_child",
							     "partner_benefit_percent", "leave_documented", NULL};
		int has_lives = 0;
		if (only_keys(pr, "parental.", parental_keys, e) ||
		    get_date(pr, "parental.", "child_date", 1, &app->child_date, e) ||
		    get_int(pr, "parental.", "months_in_education_before", 1, 0, 600, &n, e))
			return -1;
		app->months_in_education_before = (int)n;
		n = 0;
		if (get_int(pr, "parental.", "partner_benefit_percent", 0, 0, 100, &n, e))
			return -1;
		app->partner_benefit_percent = (int)n;
		if (get_bool(pr, "parental.", "lives_with_child", &has_lives, &app->lives_with_child, e) ||
		    get_bool(pr, "parental.", "leave_documented", NULL, &app->leave_documented, e))
			return -1;
		if (!has_lives)
			return err_set(e, ERR_INVALID, "parental.lives_with_child", "is required");
		if (app->child_date > app->decision_date)
			return err_set(e, ERR_INVALID, "parental.child_date",
				       "must not be after the decision date: the grant is applied for after the birth");
		app->has_parental = 1;
	}
	/* The extra loan (tilleggslån) asked for, in øre; optional. */
	if (get_int(in, "", "extra_loan", 0, 0, MONEY_MAX, &app->extra_loan_requested, e))
		return -1;
	v = jv_get(in, "relief_ground");
	if (v != NULL) {
		static const char *const grounds[] = {"unemployment", "illness", "work-assessment-allowance",
						      "part-time-study", "low-income-full-time", NULL};
		const char *g = jv_string_value(v);
		int ok = 0;
		for (const char *const *k = grounds; g && *k; k++)
			ok |= strcmp(g, *k) == 0;
		if (!ok)
			return err_set(e, ERR_INVALID, "relief_ground",
				       "must be unemployment, illness, work-assessment-allowance, part-time-study or "
				       "low-income-full-time");
		copy_cut(app->relief_ground, sizeof(app->relief_ground), g);
	}
	if ((app->scheme == SCHEME_PAYMENT_DEFERRAL || app->scheme == SCHEME_INTEREST_RELIEF) &&
	    app->months_requested < 1)
		return err_set(e, ERR_INVALID, "loan.months_requested", "is required: the months applied for, at least 1");

	if (app->scheme == SCHEME_HIGHER_EDUCATION && app->level == LEVEL_UPPER_SECONDARY)
		return err_set(e, ERR_INVALID, "education.level",
			       "must be higher or other for the higher-education scheme");
	if ((app->scheme == SCHEME_HIGHER_EDUCATION || app->scheme == SCHEME_UPPER_SECONDARY) &&
	    !app->has_lives_with_parents)
		return err_set(e, ERR_INVALID, "applicant.lives_with_parents", "is required");
	if (app->scheme == SCHEME_PAYMENT_DEFERRAL && (o == NULL || jv_get(o, "balance") == NULL))
		return err_set(e, ERR_INVALID, "loan.balance", "is required: the loan to defer payments on");
	return 0;
}

int rules_parse_application(const json_t *in, struct application *app, struct arena *a, struct err *e)
{
	return parse(jv_from_json(in, a), app, a, e);
}

int rules_read_application(const char *text, size_t len, struct application *app, struct arena *a, struct err *e)
{
	const struct jv *in = jv_parse(text, len, a);
	if (in == NULL)
		return 1;
	return parse(in, app, a, e);
}
