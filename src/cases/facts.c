/* facts.c - the facts of an application from the registers: identity and
 * family from the population register, income and wealth (the applicant's
 * and the parents') from the tax authority, enrolment, equipment rate group
 * and travel from the schools, benefits from the welfare agency.
 *
 * What a register holds replaces what the application says (marriage,
 * children, parents' incomes, study load, equipment rate group, travel), since the
 * agency does not ask for what the state already knows; every group of
 * facts is written down with the register it came from and when, for the
 * case worker and for "Mine opplysninger". A register that is down or
 * answers nonsense gives no facts at all: the case waits for it.
 *
 * Fetching and using are apart: cases_facts_apply() completes an application
 * from facts already fetched, by reg_gather() for one person (the portal,
 * the job runner) or by reg_gather_many() for many at once (a mass intake,
 * which hands each person's facts in through cases_gather_prefetched()). */
#include "cases/facts.h"

#include "cases/cases.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "registers/registers.h"

/* The register an error names ("tax.income" -> "tax"), as a static string. */
static const char *register_of(const struct err *e)
{
	for (int r = 0; r < REG_N; r++) {
		const char *name = reg_register_name((enum reg_register)r);
		size_t n = strlen(name);
		if (strncmp(e->field, name, n) == 0 && (e->field[n] == '\0' || e->field[n] == '.'))
			return name;
	}
	return "registers";
}

static json_t *source(const struct reg_source *s)
{
	return json_pack("{s:s,s:I}", "register", s->source ? s->source : "", "fetched_at", (json_int_t)s->fetched_at);
}

/* What reg_gather() answered, as a gathering's outcome: 0 to go on with the
 * facts, or -1 with e and *waiting_for naming the register to wait for. */
static int gathered(int found, const char **waiting_for, struct err *e)
{
	if (found == 0)
		return 0;
	if (found == 1)
		err_set(e, ERR_NOT_FOUND, "population", "the population register does not know the applicant");
	*waiting_for = register_of(e);
	return -1;
}

int cases_gather_from_registers(void *ctx, const struct person *who, json_t *application, char **facts_json,
				const char **waiting_for, struct err *e)
{
	struct reg_client *client = ctx;
	struct reg_facts f;
	struct arena a;
	int rc = -1;

	arena_init(&a, 0);
	const char *year = json_string_value(json_object_get(application, "school_year"));
	if (gathered(reg_gather(client, who->nin, year ? year : "", &f, &a, e), waiting_for, e) == 0)
		rc = cases_facts_apply(&f, application, facts_json, e);
	arena_cleanup(&a);
	return rc;
}

int cases_gather_prefetched(void *ctx, const struct person *who, json_t *application, char **facts_json,
			    const char **waiting_for, struct err *e)
{
	const struct cases_prefetched *pf = ctx;
	const char *year = json_string_value(json_object_get(application, "school_year"));
	if (year == NULL || pf->school_year == NULL || strcmp(year, pf->school_year) != 0 ||
	    (!pf->failed && pf->found && strcmp(pf->facts->nin, who->nin) != 0)) {
		*waiting_for = "registers";
		return err_set(e, ERR_INTERNAL, NULL, "facts fetched for another application");
	}
	if (pf->failed) {
		*e = pf->failure;
		return gathered(-1, waiting_for, e);
	}
	if (gathered(pf->found ? 0 : 1, waiting_for, e) != 0)
		return -1;
	return cases_facts_apply(pf->facts, application, facts_json, e);
}

int cases_facts_apply(const struct reg_facts *f, json_t *application, char **facts_json, struct err *e)
{
	char day[11];

	json_t *applicant = json_object_get(application, "applicant");
	json_t *facts = json_object();
	json_t *ap = json_object();
	json_object_set_new(ap, "married", json_boolean(f->person.married));
	json_object_set_new(applicant, "married", json_boolean(f->person.married));
	json_t *children = json_array();
	for (int i = 0; i < f->person.n_children; i++)
		json_array_append_new(children, json_pack("{s:s}", "birth_date", date_format(f->person.children[i].birth_date, day)));
	json_object_set_new(ap, "children", json_integer(f->person.n_children));
	json_object_set_new(applicant, "children", children);
	json_object_set_new(ap, "source", source(&f->identity));
	/* The applicant's assessed income is kept as a fact, not used: the
	 * conversion to grant is tested later against the income of the
	 * years of study, once they are assessed. */
	if (f->own_income_found) {
		json_object_set_new(facts, "income", json_pack("{s:i,s:I,s:I,s:o}", "year", f->own.year, "income",
							     (json_int_t)f->own.income, "wealth",
							     (json_int_t)f->own.wealth, "source", source(&f->income)));
	}
	json_object_set_new(facts, "applicant", ap);

	json_t *parents = json_array(), *pf = json_array();
	for (int i = 0; i < f->n_parents && i < 2; i++) {
		if (!f->parents[i].income_found)
			continue;
		json_array_append_new(parents, json_pack("{s:I}", "income", (json_int_t)f->parents[i].income.income));
		json_array_append_new(pf, json_pack("{s:i,s:I}", "year", f->parents[i].income.year, "income",
						     (json_int_t)f->parents[i].income.income));
	}
	const char *scheme = json_string_value(json_object_get(application, "scheme"));
	int pupil = scheme && strcmp(scheme, "upper-secondary") == 0;
	if (pupil && json_array_size(parents) > 0)
		json_object_set(application, "parents", parents);
	json_object_set_new(facts, "parents", json_pack("{s:o,s:o}", "incomes", pf, "source", source(&f->parents_source)));
	json_decref(parents);

	/* The enrolment of the school year: its equipment rate group and the
	 * travel from the parents' home. */
	json_t *education = json_object_get(application, "education");
	for (int i = 0; i < f->enrolments.n; i++) {
		const struct reg_enrolment *en = &f->enrolments.items[i];
		if (pupil != (en->level == REG_UPPER_SECONDARY))
			continue;
		json_t *ej = json_pack("{s:s,s:s,s:i,s:b,s:o}", "institution", en->institution, "programme",
				       en->programme, "load_percent", en->load_percent, "admitted", en->admitted, "source",
				       source(&f->schools));
		if (pupil && education != NULL)
			json_object_set_new(education, "equipment_rate", json_integer(en->equipment_rate));
		/* The study load the school reports is the one decided on: a
		 * school that reports a change has the case decided again. */
		if (education != NULL)
			json_object_set_new(education, "load_percent", json_integer(en->load_percent));
		if (pupil && en->has_travel) {
			json_t *travel = json_object();
			json_object_set_new(travel, "distance_km", json_real(en->travel.distance_km));
			json_object_set_new(travel, "daily_travel_minutes", json_integer(en->travel.daily_travel_minutes));
			json_object_set_new(travel, "walking_km", json_real(en->travel.walking_km));
			json_object_set(ej, "travel", travel);
			json_object_set_new(application, "travel", travel);
		}
		json_object_set_new(facts, "enrolment", ej);
		break;
	}
	/* Registered with the parents at an address that is neither parent's:
	 * the decision goes to a person, who clears it up. */
	if (f->address_conflict) {
		json_object_set_new(application, "conflicting_facts", json_true());
		json_object_set_new(facts, "address_conflict", json_true());
	}
	/* #9 (progression): the credits the schools report passed, semester by
	 * semester; cases_progression() sums those of the years supported. */
	json_t *sems = json_array();
	for (int i = 0; i < f->credits.n; i++)
		json_array_append_new(sems, json_pack("{s:s,s:f}", "semester", f->credits.items[i].semester, "credits",
						      f->credits.items[i].credits));
	json_object_set_new(facts, "credits", json_pack("{s:o,s:o}", "semesters", sems, "source", source(&f->schools)));
	json_object_set_new(facts, "benefits", json_pack("{s:i,s:o}", "periods", f->benefits.n, "source", source(&f->welfare)));
	json_object_set_new(facts, "income_year", json_integer(f->income_year));
	*facts_json = json_dumps(facts, JSON_COMPACT);
	json_decref(facts);
	return *facts_json ? 0 : err_set(e, ERR_INTERNAL, NULL, "out of memory");
}

struct reg_client *cases_use_registers(struct cases_env *env, const char *url, const struct reg_options *o,
				       struct err *e)
{
	struct reg_client *client = reg_client_new(url, o);
	if (client == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	env->gather = cases_gather_from_registers;
	env->gather_ctx = client;
	env->registers = client;
	return client;
}
