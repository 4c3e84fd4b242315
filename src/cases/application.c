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
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "registers/registers.h"
#include "store/store.h"

static void problem(struct cases_problems *out, const char *path, const char *reason)
{
	if (out->n < CASES_MAX_PROBLEMS)
		out->items[out->n++] = (struct cases_problem){path, reason};
}

static int yes_no(int v)
{
	return v == 0 || v == 1;
}

int cases_answers_check(const struct cases_answers *a, struct cases_problems *out)
{
	date_t first, last;
	out->n = 0;
	if (a->school_year == NULL || date_school_year(a->school_year, &first, &last) != 0)
		problem(out, "school_year", "invalid");
	if (a->decision_date == CASES_DATE_INVALID)
		problem(out, "decision_date", "invalid");
	if (a->birth_date == CASES_DATE_INVALID)
		problem(out, "applicant.birth_date", "invalid");
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
	return out->n;
}

const struct cases_problem *cases_problem_at(const struct cases_problems *p, const char *path)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->items[i].path, path) == 0)
			return &p->items[i];
	return NULL;
}

json_t *cases_application_build(const struct cases_answers *a, struct err *e)
{
	struct cases_problems problems;
	char decision_date[11], birth[11], start[11], end[11], day[11];
	if (cases_answers_check(a, &problems) > 0) {
		const struct cases_problem *p = &problems.items[0];
		err_set(e, ERR_INVALID, p->path, "%s",
		        strcmp(p->reason, "before-start") == 0 ? "must not be before education.start"
		                                               : "is not an answer this question takes");
		return NULL;
	}
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
	if (ask_registers && env->registers != NULL)
		from_registers(env->registers, p.nin, upper, school_year, out, a);
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
