/* application.c - the one application builder, the application form's
 * reading and the portal's submission; see application.h.
 *
 * The builder checks each answer against the range the form states, in the
 * decision contract's order, and writes only the parts the caller gives:
 * the form leaves out the children (the registers give them at submit), the
 * intake leaves out the travel the schools do not report, the calculator
 * gives everything itself. The rules check the application again when it is
 * decided: what the builder accepts they may still refuse (a birth date
 * after the decision date), and the caller shows that as well. */
#include "cases/application.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/loan_relief.h"
#include "core/arena.h"
#include "core/err.h"
#include "registers/registers.h"
#include "store/applications.h"
#include "store/store.h"

#include <sodium.h>

static void problem(struct cases_problems *out, const char *path, const char *reason)
{
	if (out->n < CASES_MAX_PROBLEMS)
		out->items[out->n++] = (struct cases_problem){path, reason};
}

static int yes_no(int v)
{
	return v == 0 || v == 1;
}

const char *cases_answers_scheme(const struct cases_answers *a)
{
	return a->grant == CASES_GRANT_SICKNESS    ? "sickness-grant"
	       : a->grant == CASES_GRANT_PARENTAL ? "parental-grant"
	       : a->grant == CASES_GRANT_DEFERRAL ? "payment-deferral"
	       : a->grant == CASES_GRANT_RELIEF   ? "interest-relief"
	       : a->upper                          ? "upper-secondary"
	                                           : "higher-education";
}

/* #9: the answers of a sickness or parental grant, in the contract's
 * order; the school year's days (first, last) when it is one. */
static void check_grant(const struct cases_answers *a, int year_ok, date_t first, date_t last,
			struct cases_problems *out)
{
	if (a->grant == CASES_GRANT_DEFERRAL || a->grant == CASES_GRANT_RELIEF) {
		/* #11 (helper A): the months, and relief's ground. */
		if (a->loan_months < 1 || a->loan_months > a->loan_months_max)
			problem(out, "loan.months_requested", "invalid");
		if (a->grant == CASES_GRANT_RELIEF && !cases_relief_ground_ok(a->relief_ground))
			problem(out, "relief_ground", "invalid");
		return;
	}
	if (a->grant == CASES_GRANT_SICKNESS) {
		if (a->sick_from == CASES_DATE_INVALID)
			problem(out, "sickness.from", "invalid");
		else if (year_ok && (a->sick_from < first || a->sick_from > last))
			problem(out, "sickness.from", "outside-year");
		if (a->sick_to == CASES_DATE_INVALID)
			problem(out, "sickness.to", "invalid");
		else if (a->sick_from != CASES_DATE_INVALID && a->sick_to < a->sick_from)
			problem(out, "sickness.to", "before-start");
		else if (year_ok && (a->sick_to < first || a->sick_to > last))
			problem(out, "sickness.to", "outside-year");
		if (a->percent_unable < 0 || a->percent_unable > 100)
			problem(out, "sickness.percent_unable", "invalid");
		if (!yes_no(a->doctor_confirmed))
			problem(out, "sickness.doctor_confirmed", "invalid");
		if (!yes_no(a->applied_before_ill))
			problem(out, "sickness.applied_before_ill", "invalid");
		if (!yes_no(a->work_assessment_allowance))
			problem(out, "sickness.work_assessment_allowance", "invalid");
		return;
	}
	if (a->child_date == CASES_DATE_INVALID)
		problem(out, "parental.child_date", "invalid");
	else if (a->decision_date != CASES_DATE_INVALID && a->child_date > a->decision_date)
		problem(out, "parental.child_date", "in-future");
	if (a->months_in_education_before < 0 || a->months_in_education_before > CASES_MAX_MONTHS_BEFORE)
		problem(out, "parental.months_in_education_before", "invalid");
	if (!yes_no(a->lives_with_child))
		problem(out, "parental.lives_with_child", "invalid");
	if (a->partner_benefit_percent < 0 || a->partner_benefit_percent > 100)
		problem(out, "parental.partner_benefit_percent", "invalid");
	if (!yes_no(a->leave_documented))
		problem(out, "parental.leave_documented", "invalid");
}

int cases_answers_check(const struct cases_answers *a, struct cases_problems *out)
{
	date_t first, last;
	out->n = 0;
	int year_ok = a->school_year != NULL && date_school_year(a->school_year, &first, &last) == 0;
	if (!year_ok)
		problem(out, "school_year", "invalid");
	if (a->decision_date == CASES_DATE_INVALID)
		problem(out, "decision_date", "invalid");
	if (a->birth_date == CASES_DATE_INVALID)
		problem(out, "applicant.birth_date", "invalid");
	if (a->grant != CASES_GRANT_NONE) {
		/* A grant asks no education: only its own part. */
		if (!yes_no(a->married))
			problem(out, "applicant.married", "invalid");
		check_grant(a, year_ok, first, last, out);
		return out->n;
	}
	if (!yes_no(a->lives_with_parents))
		problem(out, "applicant.lives_with_parents", "invalid");
	if (!yes_no(a->married))
		problem(out, "applicant.married", "invalid");
	if (a->with_children && (a->n_children < 0 || a->n_children > CASES_MAX_CHILDREN))
		problem(out, "applicant.children", "invalid");
	if (a->load_percent < 1 || a->load_percent > 100)
		problem(out, "education.load_percent", "invalid");
	if (a->start == CASES_DATE_INVALID)
		problem(out, "education.start", "invalid");
	if (a->end == CASES_DATE_INVALID)
		problem(out, "education.end", "invalid");
	else if (a->start != CASES_DATE_INVALID && a->end < a->start)
		problem(out, "education.end", "before-start");
	if (a->with_equipment_rate && (a->equipment_rate < 0 || a->equipment_rate > CASES_MAX_EQUIPMENT_RATE))
		problem(out, "education.equipment_rate", "invalid");
	if (a->with_travel) {
		if (!(a->distance_km >= 0 && a->distance_km <= CASES_MAX_DISTANCE_KM))
			problem(out, "travel.distance_km", "invalid");
		if (a->daily_travel_minutes < 0 || a->daily_travel_minutes > CASES_MAX_TRAVEL_MINUTES)
			problem(out, "travel.daily_travel_minutes", "invalid");
		if (!(a->walking_km >= 0 && a->walking_km <= CASES_MAX_WALKING_KM))
			problem(out, "travel.walking_km", "invalid");
	}
	if (a->n_parents < 0 || a->n_parents > CASES_MAX_PARENTS)
		problem(out, "parents", "invalid");
	else
		for (int i = 0; i < a->n_parents; i++)
			if (a->parents_income[i] < 0)
				problem(out, i == 0 ? "parents[0].income" : "parents[1].income", "invalid");
	if (a->with_special && !yes_no(a->special_circumstances))
		problem(out, "special_circumstances", "invalid");
	if (a->with_loan && (a->months_requested < 1 || a->months_requested > CASES_MAX_MONTHS))
		problem(out, "loan.months_requested", "invalid");
	if (a->with_place) {
		if (a->institution == NULL || a->institution[0] == '\0' || strlen(a->institution) > 200)
			problem(out, "education.institution", "invalid");
		if (a->programme == NULL || a->programme[0] == '\0' || strlen(a->programme) > 200)
			problem(out, "education.programme", "invalid");
	}
	return out->n;
}

const struct cases_problem *cases_problem_at(const struct cases_problems *p, const char *path)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->items[i].path, path) == 0)
			return &p->items[i];
	return NULL;
}

/* #9: a sickness or parental grant's application (the answers checked). */
static json_t *build_grant(const struct cases_answers *a, struct err *e)
{
	char decision_date[11], birth[11], d1[11], d2[11];
	if (a->grant == CASES_GRANT_DEFERRAL || a->grant == CASES_GRANT_RELIEF)
		return cases_loan_build(a, e);
	json_t *part = a->grant == CASES_GRANT_SICKNESS
	                   ? json_pack("{s:s,s:s,s:i,s:b,s:b,s:b}", "from", date_format(a->sick_from, d1), "to",
	                               date_format(a->sick_to, d2), "percent_unable", a->percent_unable,
	                               "doctor_confirmed", a->doctor_confirmed, "applied_before_ill",
	                               a->applied_before_ill, "work_assessment_allowance", a->work_assessment_allowance)
	                   : json_pack("{s:s,s:i,s:b,s:i,s:b}", "child_date", date_format(a->child_date, d1),
	                               "months_in_education_before", a->months_in_education_before, "lives_with_child",
	                               a->lives_with_child, "partner_benefit_percent", a->partner_benefit_percent,
	                               "leave_documented", a->leave_documented);
	json_t *app = json_pack("{s:s,s:s,s:s,s:{s:s,s:b},s:o}", "scheme", cases_answers_scheme(a), "school_year",
	                        a->school_year, "decision_date", date_format(a->decision_date, decision_date),
	                        "applicant", "birth_date", date_format(a->birth_date, birth), "married", a->married,
	                        a->grant == CASES_GRANT_SICKNESS ? "sickness" : "parental", part);
	if (app == NULL)
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
	return app;
}

json_t *cases_application_build(const struct cases_answers *a, struct err *e)
{
	struct cases_problems problems;
	char decision_date[11], birth[11], start[11], end[11], day[11];
	if (cases_answers_check(a, &problems) > 0) {
		const struct cases_problem *p = &problems.items[0];
		err_set(e, ERR_INVALID, p->path, "%s",
		        strcmp(p->reason, "before-start") == 0   ? (a->grant ? "must not be before sickness.from"
		                                                               : "must not be before education.start")
		        : strcmp(p->reason, "outside-year") == 0 ? "the illness must lie within the school year"
		        : strcmp(p->reason, "in-future") == 0    ? "must not be after the decision date"
		                                                 : "is not an answer this question takes");
		return NULL;
	}
	if (a->grant != CASES_GRANT_NONE)
		return build_grant(a, e);
	json_t *applicant = json_pack("{s:s,s:b,s:b}", "birth_date", date_format(a->birth_date, birth),
	                              "lives_with_parents", a->lives_with_parents, "married", a->married);
	if (applicant != NULL && a->with_children) {
		json_t *children = json_array();
		for (int i = 0; i < a->n_children; i++)
			json_array_append_new(children,
			                      json_pack("{s:s}", "birth_date", date_format(a->children[i], day)));
		json_object_set_new(applicant, "children", children);
	}
	json_t *education =
	    json_pack("{s:s,s:i,s:s,s:s}", "level", a->upper ? "upper-secondary" : "higher", "load_percent",
	              a->load_percent, "start", date_format(a->start, start), "end", date_format(a->end, end));
	if (education != NULL && a->with_equipment_rate)
		json_object_set_new(education, "equipment_rate", json_integer(a->equipment_rate));
	if (education != NULL && a->with_place) {
		json_object_set_new(education, "institution", json_string(a->institution));
		json_object_set_new(education, "programme", json_string(a->programme));
	}
	json_t *app =
	    json_pack("{s:s,s:s,s:s,s:o,s:o}", "scheme", a->upper ? "upper-secondary" : "higher-education",
	              "school_year", a->school_year, "decision_date", date_format(a->decision_date, decision_date),
	              "applicant", applicant, "education", education);
	if (app == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	if (a->with_travel)
		json_object_set_new(app, "travel",
		                    json_pack("{s:f,s:i,s:f}", "distance_km", a->distance_km, "daily_travel_minutes",
		                              a->daily_travel_minutes, "walking_km", a->walking_km));
	if (a->n_parents > 0) {
		json_t *parents = json_array();
		for (int i = 0; i < a->n_parents; i++)
			json_array_append_new(parents, json_pack("{s:I}", "income", (json_int_t)a->parents_income[i]));
		json_object_set_new(app, "parents", parents);
	}
	if (a->with_special)
		json_object_set_new(app, "special_circumstances", json_boolean(a->special_circumstances));
	if (a->with_loan)
		json_object_set_new(app, "loan", json_pack("{s:i}", "months_requested", a->months_requested));
	return app;
}

/* ---- the application form and its submission ---- */

/* The gate for applying: the person who acts for, on person:N. Returns
 * the person's id, or 0 with e filled (the refusal audited). */
static int64_t gate(const struct cases_env *env, const struct principal *who, int64_t now, struct err *e)
{
	if (access_check_subject(env->store, who, ACT_APPLY, "person", now, e) != 0)
		return 0;
	return access_subject(who);
}

struct form_reading {
	const struct principal *who;
	int64_t person_id, now;
};

static int audit_form_reading(struct store_tx *tx, void *arg, struct err *e)
{
	const struct form_reading *fr = arg;
	char actor[64], object[32];
	access_actor(fr->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "person:%lld", (long long)fr->person_id);
	return audit_append(tx, fr->now, actor, "person.read", object, "application-form", e);
}

/* "Don't ask for what the state already knows": the population register
 * says whether the person lives with the parents and where (an address
 * withheld for confidentiality keeps the agency's record); the school's
 * enrolment gives the place of study, the period, the load and, for upper
 * secondary, the travel. A register that does not answer leaves the form
 * as the agency's record fills it. */
static void from_registers(struct reg_client *rc, const char *nin, int upper, const char *school_year,
                           struct cases_application_form *f, struct arena *a)
{
	struct reg_person rp;
	struct reg_enrolments en;
	struct err e;
	if (reg_population_person(rc, nin, &rp, a, &e) != 0 ||
	    reg_school_enrolments(rc, nin, school_year, &en, a, &e) < 0) {
		f->registers_unavailable = 1;
		return;
	}
	f->from_registers = 1;
	f->lives_with_parents = rp.lives_with_parents;
	/* #15: the form starts on the scheme the schools point to: a pupil is
	 * not shown the higher-education form first. */
	if (upper < 0) {
		upper = 0;
		for (int i = 0; i < en.n; i++)
			if (en.items[i].level == REG_UPPER_SECONDARY)
				upper = 1;
		for (int i = 0; i < en.n; i++)
			if (en.items[i].level == REG_HIGHER)
				upper = 0;
		f->upper = upper;
	}
	if (rp.address != NULL) {
		f->address = rp.address->line;
		f->postcode = rp.address->postcode;
		f->city = rp.address->city;
	}
	for (int i = 0; i < en.n; i++) {
		const struct reg_enrolment *x = &en.items[i];
		if ((x->level == REG_UPPER_SECONDARY) != upper)
			continue;
		f->enrolled = 1;
		f->institution = x->institution;
		f->programme = x->programme;
		f->start = x->start;
		f->end = x->end;
		f->load_percent = x->load_percent;
		if (upper && x->has_travel) {
			f->has_travel = 1;
			f->distance_km = x->travel.distance_km;
			f->daily_travel_minutes = x->travel.daily_travel_minutes;
			f->walking_km = x->travel.walking_km;
		}
		break;
	}
}

/* #15: the schools register's list at a level, for the form's choice and
 * the check at submit; *n 0 when it cannot be read. */
static void institutions_at(struct reg_client *rc, int upper, const char ***names, int *n, struct arena *a)
{
	struct reg_institutions list;
	struct err e;
	*names = NULL;
	*n = 0;
	if (reg_school_institutions(rc, &list, a, &e) != 0)
		return;
	*names = arena_alloc(a, sizeof(**names) * (size_t)(list.n + 1));
	for (int i = 0; i < list.n; i++)
		if ((list.items[i].level == REG_UPPER_SECONDARY) == (upper != 0))
			(*names)[(*n)++] = list.items[i].name;
}

int cases_application_form(const struct cases_env *env, const struct principal *who, int upper, const char *school_year,
                           int ask_registers, int64_t now, struct cases_application_form *out, struct arena *a,
                           struct err *e)
{
	struct person p;
	memset(out, 0, sizeof(*out));
	int64_t person_id = gate(env, who, now, e);
	if (person_id == 0)
		return -1;
	int rc = store_person_get(env->store, person_id, &p, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such person");
	out->given_name = p.given_name;
	out->family_name = p.family_name;
	out->birth_date = p.birth_date;
	out->address = p.address;
	out->postcode = p.postcode;
	out->city = p.city;
	out->confidential_address = p.confidential_address;
	out->institution = p.institution ? p.institution : "";
	out->programme = p.programme ? p.programme : "";
	out->upper = upper < 0 ? 0 : upper;
	if (ask_registers && env->registers != NULL)
		from_registers(env->registers, p.nin, upper, school_year, out, a);
	if (env->registers != NULL)
		institutions_at(env->registers, out->upper, &out->institutions, &out->n_institutions, a);
	struct form_reading fr = {who, person_id, now};
	return store_write(env->store, audit_form_reading, &fr, e);
}

int cases_apply(const struct cases_env *env, const struct principal *who, struct cases_answers *a, int64_t now,
                struct submitted *out, struct cases_problems *problems, struct err *e)
{
	struct person p;
	struct arena ar;
	problems->n = 0;
	int64_t person_id = gate(env, who, now, e);
	if (person_id == 0)
		return -1;
	/* The birth date and the decision date are no answers: they are
	 * filled once the person's answers are found good. */
	a->birth_date = 0;
	a->decision_date = (date_t)(now / 86400);
	if (cases_answers_check(a, problems) > 0)
		return err_set(e, ERR_INVALID, problems->items[0].path, "is not an answer this question takes");
	arena_init(&ar, 0);
	int rc = store_person_get(env->store, person_id, &p, &ar, e);
	if (rc != 0) {
		arena_cleanup(&ar);
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such person");
	}
	a->birth_date = p.birth_date;
	arena_cleanup(&ar);
	json_t *app = cases_application_build(a, e);
	if (app == NULL)
		return -1;
	rc = cases_submit(env, who, app, now, out, e);
	json_decref(app);
	return rc;
}

/* ---- #15: one application per person, scheme and school year ---- */

/* Gate, check and build: the application the answers make for who, or
 * NULL with e (and the problems) filled. *person_id is who applies for. */
static json_t *prepared(const struct cases_env *env, const struct principal *who, struct cases_answers *a,
			int64_t now, int64_t *person_id, struct cases_problems *problems, struct err *e)
{
	struct person p;
	struct arena ar;
	json_t *app = NULL;
	problems->n = 0;
	*person_id = gate(env, who, now, e);
	if (*person_id == 0)
		return NULL;
	arena_init(&ar, 0);
	int rc = store_person_get(env->store, *person_id, &p, &ar, e);
	if (rc != 0) {
		if (rc > 0)
			err_set(e, ERR_NOT_FOUND, NULL, "no such person");
		goto out;
	}
	/* #11 (helper A): a deferral or relief is decided on the agency's
	 * own ledger; a person without a loan account is refused here. */
	if ((a->grant == CASES_GRANT_DEFERRAL || a->grant == CASES_GRANT_RELIEF) &&
	    cases_loan_fill(env, *person_id, a, now, e) != 0)
		goto out;
	/* A client that sends no place at all (not an empty one) applies for
	 * the place the agency has on record; none there is refused below. */
	if (a->with_place && a->institution == NULL && a->programme == NULL) {
		a->institution = p.institution ? p.institution : "";
		a->programme = p.programme ? p.programme : "";
	}
	a->birth_date = 0;
	a->decision_date = (date_t)(now / 86400);
	if (cases_answers_check(a, problems) > 0) {
		err_set(e, ERR_INVALID, problems->items[0].path, "is not an answer this question takes");
		goto out;
	}
	/* The institution named is one the schools register knows, when its
	 * list can be read: a name it does not know cannot be confirmed. */
	if (a->with_place && env->registers != NULL) {
		const char **names;
		int n, found = 0;
		institutions_at(env->registers, a->upper, &names, &n, &ar);
		for (int i = 0; i < n && !found; i++)
			found = strcmp(names[i], a->institution) == 0;
		if (n > 0 && !found) {
			problem(problems, "education.institution", "not-listed");
			err_set(e, ERR_INVALID, "education.institution", "is not a school the schools register lists");
			goto out;
		}
	}
	a->birth_date = p.birth_date;
	app = cases_application_build(a, e);
out:
	arena_cleanup(&ar);
	return app;
}

/* A key as the form made it: 1 to 64 of [0-9a-f]. */
static int key_ok(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	return n >= 1 && n <= 64 && strspn(key, "0123456789abcdef") == n;
}

int cases_apply_once(const struct cases_env *env, const struct principal *who, struct cases_answers *a,
		     const char *key, int64_t now, struct submitted *out, int *repeated, struct cases_problems *problems,
		     struct err *e)
{
	char once[96], tag[192], made[33];
	int64_t person_id, first = 0;
	const char *first_key = NULL;
	struct arena ar;
	struct err le;
	*repeated = 0;
	memset(out, 0, sizeof(*out));
	json_t *app = prepared(env, who, a, now, &person_id, problems, e);
	if (app == NULL)
		return -1;
	if (!key_ok(key)) {
		unsigned char raw[16];
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(made, sizeof(made), raw, sizeof(raw));
		key = made;
	}
	snprintf(once, sizeof(once), "application:%lld:%s:%s", (long long)person_id, cases_answers_scheme(a),
		 a->school_year);
	snprintf(tag, sizeof(tag), "%s#%s", once, key);
	arena_init(&ar, 0);
	/* Found before: answered without asking the registers again. The
	 * unique index decides when two arrive at once. */
	int rc = store_application_first(env->store, once, &first, &first_key, &ar, &le);
	if (rc < 0) {
		*e = le;
		goto out;
	}
	if (rc == 1) {
		rc = cases_submit_intake(env, who, app, tag, now, out, e);
		if (rc == 0 || e->code != ERR_CONFLICT || strcmp(e->field, "intake") != 0)
			goto out;
		if (store_application_first(env->store, once, &first, &first_key, &ar, &le) != 0) {
			rc = -1;
			goto out;
		}
	}
	memset(out, 0, sizeof(*out));
	out->case_id = first;
	if (strcmp(first_key, key) == 0) {
		*repeated = 1;
		rc = 0;
	} else {
		rc = err_set(e, ERR_CONFLICT, "application",
			     "an application for this scheme and school year is made already: case %lld",
			     (long long)first);
	}
out:
	arena_cleanup(&ar);
	json_decref(app);
	return rc;
}

struct change {
	const struct principal *who;
	int64_t case_id, now;
	const char *application_json;
};

static int store_change(struct store_tx *tx, void *arg, struct err *e)
{
	struct change *c = arg;
	char actor[64], object[32];
	access_actor(c->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "case:%lld", (long long)c->case_id);
	if (store_case_set_application(tx, c->case_id, c->application_json, e) != 0 ||
	    audit_append(tx, c->now, actor, "case.change-applied", object, NULL, e) != 0)
		return -1;
	return cases_redecide_answers(tx, c->case_id, c->now, actor, "change application", e);
}

int cases_apply_change(const struct cases_env *env, const struct principal *who, int64_t case_id,
		       struct cases_answers *a, int64_t now, struct submitted *out, struct cases_problems *problems,
		       struct err *e)
{
	struct case_rec c;
	struct arena ar;
	int64_t person_id;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	problems->n = 0;
	arena_init(&ar, 0);
	if (cases_gate(env->store, who, ACT_CASE_READ, case_id, now, &c, &ar, e) != 0)
		goto out;
	if (strcmp(c.scheme, cases_answers_scheme(a)) != 0 || a->school_year == NULL ||
	    strcmp(c.school_year, a->school_year) != 0) {
		err_set(e, ERR_INVALID, "change_of", "a change application is for the same scheme and school year");
		goto out;
	}
	json_t *app = prepared(env, who, a, now, &person_id, problems, e);
	if (app == NULL)
		goto out;
	char *aj = json_dumps(app, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(app);
	if (aj == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	struct change ch = {who, case_id, now, aj};
	rc = store_write(env->store, store_change, &ch, e);
	free(aj);
	if (rc == 0) {
		jobs_notify(env->jobs);
		out->case_id = case_id;
	}
out:
	arena_cleanup(&ar);
	return rc;
}

/* #9: a grant application's answers as the form shows them. */
static void grant_answers(const json_t *app, const char *scheme, struct cases_answers *a)
{
	date_t d;
	const json_t *sk = json_object_get(app, "sickness"), *pr = json_object_get(app, "parental");
#define DAY(o, k) (date_parse(json_string_value(json_object_get(o, k)), &d) == 0 ? d : CASES_DATE_INVALID)
	a->married = json_is_true(json_object_get(json_object_get(app, "applicant"), "married"));
	if (strcmp(scheme, "sickness-grant") == 0) {
		a->grant = CASES_GRANT_SICKNESS;
		a->sick_from = DAY(sk, "from");
		a->sick_to = DAY(sk, "to");
		a->percent_unable = (int)json_integer_value(json_object_get(sk, "percent_unable"));
		a->doctor_confirmed = json_is_true(json_object_get(sk, "doctor_confirmed"));
		a->applied_before_ill = json_is_true(json_object_get(sk, "applied_before_ill"));
		a->work_assessment_allowance = json_is_true(json_object_get(sk, "work_assessment_allowance"));
		return;
	}
	a->grant = CASES_GRANT_PARENTAL;
	a->child_date = DAY(pr, "child_date");
	a->months_in_education_before = (int)json_integer_value(json_object_get(pr, "months_in_education_before"));
	a->lives_with_child = json_is_true(json_object_get(pr, "lives_with_child"));
	a->partner_benefit_percent = (int)json_integer_value(json_object_get(pr, "partner_benefit_percent"));
	a->leave_documented = json_is_true(json_object_get(pr, "leave_documented"));
#undef DAY
}

int cases_application_answers(const struct cases_env *env, const struct principal *who, int64_t case_id, int64_t now,
			      struct cases_answers *a, struct arena *ar, struct err *e)
{
	struct case_rec c;
	date_t d;
	memset(a, 0, sizeof(*a));
	if (cases_read(env->store, who, case_id, now, &c, ar, e) != 0)
		return -1;
	json_t *app = json_loads(c.application_json, 0, NULL);
	if (app == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "case %lld holds an unreadable application", (long long)case_id);
	json_t *ap = json_object_get(app, "applicant"), *ed = json_object_get(app, "education");
	json_t *tr = json_object_get(app, "travel"), *loan = json_object_get(app, "loan");
	a->upper = strcmp(c.scheme, "upper-secondary") == 0;
	a->school_year = c.school_year;
	if (strcmp(c.scheme, "payment-deferral") == 0 || strcmp(c.scheme, "interest-relief") == 0) {
		/* #11 (helper A): applied for anew from "Min gjeld", not changed. */
		json_decref(app);
		return err_set(e, ERR_INVALID, "change_of", "a deferral or relief is applied for anew from Min gjeld");
	}
	if (strcmp(c.scheme, "sickness-grant") == 0 || strcmp(c.scheme, "parental-grant") == 0) {
		grant_answers(app, c.scheme, a);
		json_decref(app);
		return 0;
	}
	a->lives_with_parents = json_is_true(json_object_get(ap, "lives_with_parents"));
	a->load_percent = (int)json_integer_value(json_object_get(ed, "load_percent"));
	a->start = date_parse(json_string_value(json_object_get(ed, "start")), &d) == 0 ? d : CASES_DATE_INVALID;
	a->end = date_parse(json_string_value(json_object_get(ed, "end")), &d) == 0 ? d : CASES_DATE_INVALID;
	const char *inst = json_string_value(json_object_get(ed, "institution"));
	const char *prog = json_string_value(json_object_get(ed, "programme"));
	a->institution = arena_strdup(ar, inst ? inst : "");
	a->programme = arena_strdup(ar, prog ? prog : "");
	a->with_place = 1;
	a->months_requested = (int)json_integer_value(json_object_get(loan, "months_requested"));
	a->with_loan = loan != NULL;
	a->with_travel = tr != NULL;
	a->distance_km = json_number_value(json_object_get(tr, "distance_km"));
	a->daily_travel_minutes = (int)json_integer_value(json_object_get(tr, "daily_travel_minutes"));
	a->walking_km = json_number_value(json_object_get(tr, "walking_km"));
	a->with_special = json_object_get(app, "special_circumstances") != NULL;
	a->special_circumstances = json_is_true(json_object_get(app, "special_circumstances"));
	json_decref(app);
	return 0;
}
