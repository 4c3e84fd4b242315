/* test_registers.c - the register clients against the register simulator
 * running in this process on a free port of 127.0.0.1, and the synthetic
 * population behind it: a person round-trips through all four registers,
 * unknown persons, confidential addresses and scopes, each failure mode
 * (error, slow, malformed, down) and the health it leaves, the bulk lookups
 * (the same facts as the single calls, for every person of a small
 * population; every failure mode of every register failing them whole;
 * the bulk routes' refusals), and a population that is deterministic, has
 * unique numbers and can be searched by number.
 *
 * Expected values come from the synthetic population itself (sim/synth.h),
 * the source the simulator answers from: the tests show that what the
 * registers say arrives intact, typed and validated. No test asserts a
 * duration. The simulator's objects (build/libsim.a) are linked in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/nin.h"
#include "registers/registers.h"
#include "sim/changes.h"
#include "sim/registers.h"
#include "sim/synth.h"

#define SEED 7
#define PERSONS 20000

static char base[64];

static int start_simulator(void **state)
{
	(void)state;
	struct err e;
	int port = sim_start(0, PERSONS, SEED, &e);
	if (port < 0) {
		fprintf(stderr, "simulator: %s\n", e.message);
		return -1;
	}
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	return 0;
}

static int stop_simulator(void **state)
{
	(void)state;
	sim_stop();
	return 0;
}

/* Every test leaves the registers answering normally. */
static int all_ok(void **state)
{
	(void)state;
	struct err e;
	return sim_control("all", "ok", 0, &e);
}

static struct reg_client *client(int timeout_ms, int tries, const char *scope)
{
	struct reg_options o = {.timeout_ms = timeout_ms, .tries = tries, .backoff_ms = 1, .scope = scope};
	struct reg_client *c = reg_client_new(base, &o);
	assert_non_null(c);
	return c;
}

/* The first person of the population for whom `want` holds. */
static int64_t find_person(int (*want)(const struct synth_person *), struct synth_person *out)
{
	for (int64_t i = 0; i < PERSONS; i++) {
		assert_int_equal(synth_person(SEED, i, out), 0);
		if (want(out))
			return i;
	}
	fail_msg("no such person among the first %d", PERSONS);
	return -1;
}

static int is_student_with_benefits(const struct synth_person *p)
{
	return p->role == SYNTH_STUDENT && p->level != SYNTH_NOT_ENROLLED && p->n_benefits > 0 && p->n_semesters > 0 &&
	       !p->confidential_address && p->n_parents == 2;
}

static int is_upper_secondary(const struct synth_person *p)
{
	return p->level == SYNTH_UPPER_SECONDARY && !p->confidential_address;
}

static int is_confidential(const struct synth_person *p)
{
	return p->confidential_address;
}

static int has_address_conflict(const struct synth_person *p)
{
	return (p->manual & SYNTH_MANUAL_ADDRESS_CONFLICT) != 0;
}

static void assert_date_equal(date_t got, date_t want)
{
	char g[11], w[11];
	assert_string_equal(date_format(got, g), date_format(want, w));
}

/* ---- round trips ---- */

static void person_round_trips_through_all_four_registers(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_person p;
	struct reg_income inc;
	struct reg_enrolments en;
	struct reg_credits cr;
	struct reg_benefits be;
	const char *account;
	struct arena a;
	struct err e;
	int64_t want_income, want_wealth;
	arena_init(&a, 0);
	find_person(is_student_with_benefits, &sp);
	struct reg_client *c = client(2000, 3, NULL);

	assert_int_equal(reg_population_person(c, sp.nin, &p, &a, &e), 0);
	assert_string_equal(p.nin, sp.nin);
	assert_string_equal(p.given_name, sp.given_name);
	assert_string_equal(p.family_name, sp.family_name);
	assert_date_equal(p.birth_date, sp.birth_date);
	assert_non_null(p.address);
	assert_string_equal(p.address->line, sp.address_line);
	assert_string_equal(p.address->postcode, sp.place->postcode);
	assert_string_equal(p.address->city, sp.place->city);
	assert_false(p.confidential_address);
	assert_int_equal(p.married, sp.married);
	assert_int_equal(p.lives_with_parents, sp.lives_with_parents);
	assert_int_equal(p.n_parents, 2);
	assert_string_equal(p.parents[0], sp.parents[0].nin);
	assert_string_equal(p.parents[1], sp.parents[1].nin);

	/* The parents are persons too, with the student among their children. */
	struct reg_person mother;
	assert_int_equal(reg_population_person(c, p.parents[0], &mother, &a, &e), 0);
	int found = 0;
	for (int i = 0; i < mother.n_children; i++)
		found |= strcmp(mother.children[i].nin, sp.nin) == 0;
	assert_true(found);

	assert_int_equal(reg_tax_income(c, sp.nin, 2022, &inc, &e), 0);
	assert_int_equal(synth_income(&sp, 2022, &want_income, &want_wealth), 0);
	assert_int_equal(inc.year, 2022);
	assert_int_equal(inc.income, want_income);
	assert_int_equal(inc.wealth, want_wealth);
	assert_int_equal(reg_tax_account(c, sp.nin, &account, &a, &e), 0);
	assert_string_equal(account, sp.account);
	assert_true(reg_account_valid(account));

	assert_int_equal(reg_school_enrolments(c, sp.nin, SYNTH_SCHOOL_YEAR, &en, &a, &e), 0);
	assert_int_equal(en.n, 1);
	assert_string_equal(en.items[0].institution, sp.institution->name);
	assert_string_equal(en.items[0].orgnr, sp.institution->orgnr); /* #13: the institution by number */
	assert_string_equal(en.items[0].programme, sp.programme);
	assert_int_equal(en.items[0].level, sp.level == SYNTH_HIGHER ? REG_HIGHER : REG_UPPER_SECONDARY);
	assert_int_equal(en.items[0].load_percent, sp.load_percent);
	assert_date_equal(en.items[0].start, sp.start);
	assert_date_equal(en.items[0].end, sp.end);
	assert_true(en.items[0].admitted);
	assert_true(en.items[0].has_travel);
	assert_int_equal((int)(en.items[0].travel.distance_km * 10 + 0.5), sp.distance_dm);
	assert_int_equal(en.items[0].travel.daily_travel_minutes, sp.daily_travel_minutes);
	assert_int_equal((int)(en.items[0].travel.walking_km * 10 + 0.5), sp.walking_dm);
	/* Another school year: none. */
	assert_int_equal(reg_school_enrolments(c, sp.nin, "2019-2020", &en, &a, &e), 0);
	assert_int_equal(en.n, 0);

	assert_int_equal(reg_school_credits(c, sp.nin, &cr, &a, &e), 0);
	assert_int_equal(cr.n, sp.n_semesters);
	for (int i = 0; i < sp.n_semesters; i++) {
		char sem[16];
		snprintf(sem, sizeof(sem), "%d-%s", sp.semesters[i].year, sp.semesters[i].autumn ? "autumn" : "spring");
		assert_string_equal(cr.items[i].semester, sem);
		assert_int_equal((int)(cr.items[i].credits * 2), sp.semesters[i].half_credits);
	}

	assert_int_equal(reg_welfare_benefits(c, sp.nin, &be, &a, &e), 0);
	assert_int_equal(be.n, sp.n_benefits);
	for (int i = 0; i < sp.n_benefits; i++) {
		assert_int_equal(be.items[i].kind, sp.benefits[i].kind == SYNTH_UNEMPLOYMENT
		                                       ? REG_UNEMPLOYMENT
		                                       : REG_WORK_ASSESSMENT_ALLOWANCE);
		assert_date_equal(be.items[i].from, sp.benefits[i].from);
		assert_date_equal(be.items[i].to, sp.benefits[i].to);
	}

	struct reg_health h;
	reg_health(c, REG_POPULATION, &h);
	assert_int_equal(h.state, REG_OK);
	assert_true(h.last_success > 0);
	reg_client_free(c);
	arena_cleanup(&a);
}

static void upper_secondary_enrolment_carries_equipment_rate_and_travel(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_enrolments en;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	find_person(is_upper_secondary, &sp);
	struct reg_client *c = client(2000, 3, NULL);
	assert_int_equal(reg_school_enrolments(c, sp.nin, SYNTH_SCHOOL_YEAR, &en, &a, &e), 0);
	assert_int_equal(en.n, 1);
	assert_int_equal(en.items[0].level, REG_UPPER_SECONDARY);
	assert_int_equal(en.items[0].equipment_rate, sp.equipment_rate);
	assert_in_range(en.items[0].equipment_rate, 1, 5);
	assert_int_equal((int)(en.items[0].travel.distance_km * 10 + 0.5), sp.distance_dm);
	reg_client_free(c);
	arena_cleanup(&a);
}

static void population_list_gives_the_first_persons_in_order(void **state)
{
	(void)state;
	struct reg_person_list list;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	struct reg_client *c = client(2000, 3, NULL);
	assert_int_equal(reg_population_list(c, 0, 5, &list, &a, &e), 0);
	assert_int_equal(list.n, 5);
	assert_int_equal(list.total, PERSONS);
	for (int i = 0; i < 5; i++) {
		struct synth_person sp;
		synth_person(SEED, i, &sp);
		assert_string_equal(list.items[i].nin, sp.nin);
		assert_string_equal(list.items[i].given_name, sp.given_name);
	}
	/* Past the end: none. */
	assert_int_equal(reg_population_list(c, PERSONS, 10, &list, &a, &e), 0);
	assert_int_equal(list.n, 0);
	reg_client_free(c);
	arena_cleanup(&a);
}

static void unknown_nin_gives_not_found(void **state)
{
	(void)state;
	struct synth_person beyond;
	struct reg_person p;
	struct reg_income inc;
	const char *account;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	/* A valid synthetic number of a person past the population's end. */
	assert_int_equal(synth_person(SEED, PERSONS + 5, &beyond), 0);
	struct reg_client *c = client(2000, 3, NULL);
	assert_int_equal(reg_population_person(c, beyond.nin, &p, &a, &e), 1);
	assert_int_equal(reg_tax_income(c, beyond.nin, 2022, &inc, &e), 1);
	assert_int_equal(reg_tax_account(c, beyond.nin, &account, &a, &e), 1);
	/* A number that is not valid never leaves the client. */
	assert_int_equal(reg_population_person(c, "12345678901", &p, &a, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "nin");
	reg_client_free(c);
	arena_cleanup(&a);
}

static void confidential_address_is_hidden_without_scope_and_shown_with_it(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_person p;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	find_person(is_confidential, &sp);
	struct reg_client *plain = client(2000, 3, NULL), *scoped = client(2000, 3, "confidential-address");
	assert_int_equal(reg_population_person(plain, sp.nin, &p, &a, &e), 0);
	assert_true(p.confidential_address);
	assert_null(p.address);
	assert_int_equal(reg_population_person(scoped, sp.nin, &p, &a, &e), 0);
	assert_true(p.confidential_address);
	assert_non_null(p.address);
	assert_string_equal(p.address->line, sp.address_line);
	reg_client_free(plain);
	reg_client_free(scoped);
	arena_cleanup(&a);
}

static void gather_collects_every_fact_with_its_source(void **state)
{
	(void)state;
	struct synth_person sp, parent;
	struct reg_facts f;
	struct arena a;
	struct err e;
	int64_t inc, wea;
	arena_init(&a, 0);
	find_person(is_student_with_benefits, &sp);
	struct reg_client *c = client(2000, 3, NULL);
	assert_int_equal(reg_gather(c, sp.nin, "2024-2025", &f, &a, &e), 0);
	assert_string_equal(f.person.given_name, sp.given_name);
	assert_string_equal(f.identity.source, "population");
	assert_true(f.identity.fetched_at > 0);
	/* The last assessed year when 2024-2025 opens: 2022. */
	assert_int_equal(f.income_year, 2022);
	assert_int_equal(f.n_parents, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(synth_find(SEED, PERSONS, f.parents[i].nin, &parent), 0);
		assert_int_equal(synth_income(&parent, 2022, &inc, &wea), 0);
		assert_true(f.parents[i].found);
		assert_true(f.parents[i].income_found);
		assert_int_equal(f.parents[i].income.income, inc);
	}
	assert_string_equal(f.parents_source.source, "tax");
	assert_true(f.own_income_found);
	assert_int_equal(synth_income(&sp, 2022, &inc, &wea), 0);
	assert_int_equal(f.own.income, inc);
	assert_int_equal(f.own.wealth, wea);
	assert_string_equal(f.account, sp.account);
	assert_int_equal(f.enrolments.n, 1);
	assert_int_equal(f.credits.n, sp.n_semesters);
	assert_string_equal(f.schools.source, "schools");
	assert_int_equal(f.benefits.n, sp.n_benefits);
	assert_string_equal(f.welfare.source, "welfare");
	assert_false(f.address_conflict);
	reg_client_free(c);
	arena_cleanup(&a);
}

static void gather_flags_an_address_that_is_no_parents(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_facts f;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	find_person(has_address_conflict, &sp);
	struct reg_client *c = client(2000, 3, NULL);
	assert_int_equal(reg_gather(c, sp.nin, "2024-2025", &f, &a, &e), 0);
	assert_true(f.person.lives_with_parents);
	assert_true(f.address_conflict);
	reg_client_free(c);
	arena_cleanup(&a);
}

/* ---- failures ---- */

static void error_mode_retries_then_fails_and_register_recovers(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_income inc;
	struct reg_health h;
	struct err e;
	synth_person(SEED, 0, &sp);
	struct reg_client *c = client(2000, 3, NULL);
	assert_int_equal(sim_control("tax", "error", 0, &e), 0);
	assert_int_equal(reg_tax_income(c, sp.nin, 2022, &inc, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_string_equal(e.field, "tax");
	reg_health(c, REG_TAX, &h);
	assert_int_equal(h.consecutive_failures, 3); /* one failure per try */
	assert_int_equal(h.state, REG_DOWN);
	assert_true(h.last_failure > 0);
	/* The other registers are not touched. */
	reg_health(c, REG_POPULATION, &h);
	assert_int_equal(h.state, REG_OK);

	assert_int_equal(sim_control("tax", "ok", 0, &e), 0);
	assert_int_equal(reg_tax_income(c, sp.nin, 2022, &inc, &e), 0);
	reg_health(c, REG_TAX, &h);
	assert_int_equal(h.state, REG_OK);
	assert_int_equal(h.consecutive_failures, 0);
	reg_client_free(c);
}

static void one_failed_try_makes_a_register_degraded(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_benefits be;
	struct reg_health h;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	synth_person(SEED, 0, &sp);
	struct reg_client *c = client(2000, 1, NULL);
	assert_int_equal(sim_control("welfare", "error", 0, &e), 0);
	assert_int_equal(reg_welfare_benefits(c, sp.nin, &be, &a, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	reg_health(c, REG_WELFARE, &h);
	assert_int_equal(h.state, REG_DEGRADED);
	reg_client_free(c);
	arena_cleanup(&a);
}

static void slow_register_beyond_the_timeout_fails_with_io(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_person p;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	synth_person(SEED, 0, &sp);
	struct reg_client *c = client(100, 2, NULL);
	assert_int_equal(sim_control("population", "slow", 1000, &e), 0);
	assert_int_equal(reg_population_person(c, sp.nin, &p, &a, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_string_equal(e.field, "population");
	/* Slow within the timeout is merely slow. */
	assert_int_equal(sim_control("population", "slow", 20, &e), 0);
	struct reg_client *patient = client(2000, 1, NULL);
	assert_int_equal(reg_population_person(patient, sp.nin, &p, &a, &e), 0);
	reg_client_free(patient);
	reg_client_free(c);
	arena_cleanup(&a);
}

static void malformed_answer_gives_invalid(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_enrolments en;
	struct reg_health h;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	synth_person(SEED, 0, &sp);
	struct reg_client *c = client(2000, 3, NULL);
	assert_int_equal(sim_control("schools", "malformed", 0, &e), 0);
	assert_int_equal(reg_school_enrolments(c, sp.nin, SYNTH_SCHOOL_YEAR, &en, &a, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "schools");
	assert_non_null(strstr(e.message, "not a JSON"));
	reg_health(c, REG_SCHOOLS, &h);
	assert_int_equal(h.state, REG_DEGRADED);
	reg_client_free(c);
	arena_cleanup(&a);
}

static void register_that_closes_the_connection_gives_io(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_benefits be;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	synth_person(SEED, 0, &sp);
	struct reg_client *c = client(2000, 3, NULL);
	assert_int_equal(sim_control("welfare", "down", 0, &e), 0);
	assert_int_equal(reg_welfare_benefits(c, sp.nin, &be, &a, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_string_equal(e.field, "welfare");
	reg_client_free(c);
	arena_cleanup(&a);
}

static void gather_fails_whole_when_one_register_fails(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_facts f;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	find_person(is_student_with_benefits, &sp);
	struct reg_client *c = client(2000, 2, NULL);
	assert_int_equal(sim_control("welfare", "error", 0, &e), 0);
	assert_int_equal(reg_gather(c, sp.nin, "2024-2025", &f, &a, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_string_equal(e.field, "welfare");
	reg_client_free(c);
	arena_cleanup(&a);
}

static void unreachable_registers_give_io(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_person p;
	struct reg_health h;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	synth_person(SEED, 0, &sp);
	/* Port 1 on the loopback: nothing listens there. */
	struct reg_options o = {.timeout_ms = 500, .tries = 2, .backoff_ms = 1};
	struct reg_client *c = reg_client_new("http://127.0.0.1:1", &o);
	assert_int_equal(reg_population_person(c, sp.nin, &p, &a, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	reg_health(c, REG_POPULATION, &h);
	assert_int_equal(h.consecutive_failures, 2);
	reg_client_free(c);
	arena_cleanup(&a);
}

/* ---- bulk lookups ---- */

static void assert_address_equal(const struct reg_address *got, const struct reg_address *want)
{
	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got->line, want->line);
	assert_string_equal(got->postcode, want->postcode);
	assert_string_equal(got->city, want->city);
}

static void assert_person_equal(const struct reg_person *got, const struct reg_person *want)
{
	assert_string_equal(got->nin, want->nin);
	assert_string_equal(got->given_name, want->given_name);
	assert_string_equal(got->family_name, want->family_name);
	assert_int_equal(got->birth_date, want->birth_date);
	assert_address_equal(got->address, want->address);
	assert_int_equal(got->confidential_address, want->confidential_address);
	assert_int_equal(got->lives_with_parents, want->lives_with_parents);
	assert_int_equal(got->married, want->married);
	assert_int_equal(got->n_parents, want->n_parents);
	for (int i = 0; i < want->n_parents; i++)
		assert_string_equal(got->parents[i], want->parents[i]);
	assert_int_equal(got->n_children, want->n_children);
	for (int i = 0; i < want->n_children; i++) {
		assert_string_equal(got->children[i].nin, want->children[i].nin);
		assert_int_equal(got->children[i].birth_date, want->children[i].birth_date);
	}
}

static void assert_source_equal(const struct reg_source *got, const struct reg_source *want)
{
	assert_string_equal(got->source, want->source);
	assert_true(got->fetched_at > 0);
}

static void assert_income_equal(const struct reg_income *got, const struct reg_income *want)
{
	assert_int_equal(got->year, want->year);
	assert_int_equal(got->income, want->income);
	assert_int_equal(got->wealth, want->wealth);
}

static void assert_enrolments_equal(const struct reg_enrolments *got, const struct reg_enrolments *want)
{
	assert_int_equal(got->n, want->n);
	for (int i = 0; i < want->n; i++) {
		const struct reg_enrolment *g = &got->items[i], *w = &want->items[i];
		assert_string_equal(g->institution, w->institution);
		assert_string_equal(g->programme, w->programme);
		assert_int_equal(g->level, w->level);
		assert_int_equal(g->equipment_rate, w->equipment_rate);
		assert_int_equal(g->load_percent, w->load_percent);
		assert_int_equal(g->start, w->start);
		assert_int_equal(g->end, w->end);
		assert_int_equal(g->admitted, w->admitted);
		assert_int_equal(g->has_travel, w->has_travel);
		assert_true(g->travel.distance_km == w->travel.distance_km);
		assert_int_equal(g->travel.daily_travel_minutes, w->travel.daily_travel_minutes);
		assert_true(g->travel.walking_km == w->travel.walking_km);
	}
}

/* Every field of two gatherings but the moments in their sources. */
static void assert_facts_equal(const struct reg_facts *got, const struct reg_facts *want)
{
	assert_string_equal(got->nin, want->nin);
	assert_person_equal(&got->person, &want->person);
	assert_source_equal(&got->identity, &want->identity);
	assert_int_equal(got->address_conflict, want->address_conflict);
	assert_int_equal(got->income_year, want->income_year);
	assert_int_equal(got->n_parents, want->n_parents);
	for (int i = 0; i < want->n_parents; i++) {
		const struct reg_parent_facts *g = &got->parents[i], *w = &want->parents[i];
		assert_string_equal(g->nin, w->nin);
		assert_int_equal(g->found, w->found);
		assert_address_equal(g->address, w->address);
		assert_int_equal(g->income_found, w->income_found);
		assert_income_equal(&g->income, &w->income);
	}
	assert_source_equal(&got->parents_source, &want->parents_source);
	assert_int_equal(got->own_income_found, want->own_income_found);
	assert_income_equal(&got->own, &want->own);
	assert_source_equal(&got->income, &want->income);
	if (want->account == NULL)
		assert_null(got->account);
	else
		assert_string_equal(got->account, want->account);
	assert_source_equal(&got->account_source, &want->account_source);
	assert_enrolments_equal(&got->enrolments, &want->enrolments);
	assert_int_equal(got->credits.n, want->credits.n);
	for (int i = 0; i < want->credits.n; i++) {
		assert_string_equal(got->credits.items[i].semester, want->credits.items[i].semester);
		assert_true(got->credits.items[i].credits == want->credits.items[i].credits);
	}
	assert_source_equal(&got->schools, &want->schools);
	assert_int_equal(got->benefits.n, want->benefits.n);
	for (int i = 0; i < want->benefits.n; i++) {
		assert_int_equal(got->benefits.items[i].kind, want->benefits.items[i].kind);
		assert_int_equal(got->benefits.items[i].from, want->benefits.items[i].from);
		assert_int_equal(got->benefits.items[i].to, want->benefits.items[i].to);
	}
	assert_source_equal(&got->welfare, &want->welfare);
}

#define SMALL 400 /* the first hundred households, whole */

/* The numbers to gather in bulk: the first SMALL persons, the first with
 * an address conflict and the first with a confidential address, one past
 * the population's end, and the first person once more. */
static int bulk_nins(const char **nins, char (*own)[12])
{
	struct synth_person sp;
	int n = 0;
	for (int64_t i = 0; i < SMALL; i++) {
		synth_person(SEED, i, &sp);
		memcpy(own[n], sp.nin, 12);
		nins[n] = own[n];
		n++;
	}
	int (*wants[])(const struct synth_person *) = {has_address_conflict, is_confidential};
	for (int k = 0; k < 2; k++) {
		find_person(wants[k], &sp);
		memcpy(own[n], sp.nin, 12);
		nins[n] = own[n];
		n++;
	}
	synth_person(SEED, PERSONS + 3, &sp);
	memcpy(own[n], sp.nin, 12);
	nins[n] = own[n];
	n++;
	nins[n++] = own[0];
	return n;
}

static void bulk_gather_equals_single_gather_for_every_person(void **state)
{
	(void)state;
	static char own[SMALL + 8][12];
	const char *nins[SMALL + 8];
	int n = bulk_nins(nins, own), found[SMALL + 8], conflicts = 0, withheld = 0, shown = 0, upper = 0;
	struct reg_facts *bulk = calloc(SMALL + 8, sizeof(*bulk));
	struct arena a;
	struct err e;
	assert_non_null(bulk);
	arena_init(&a, 0);
	/* Without the scope and with it: the confidential addresses. */
	for (int scoped = 0; scoped < 2; scoped++) {
		struct reg_client *c = client(5000, 3, scoped ? "confidential-address" : NULL);
		assert_int_equal(reg_gather_many(c, nins, n, "2024-2025", bulk, found, &a, &e), 0);
		for (int i = 0; i < n; i++) {
			struct reg_facts one;
			int rc = reg_gather(c, nins[i], "2024-2025", &one, &a, &e);
			assert_int_equal(rc == 0, found[i]);
			assert_string_equal(bulk[i].nin, nins[i]);
			if (rc != 0) {
				assert_int_equal(rc, 1);
				continue;
			}
			assert_facts_equal(&bulk[i], &one);
			conflicts += bulk[i].address_conflict;
			upper += bulk[i].enrolments.n > 0 && bulk[i].enrolments.items[0].level == REG_UPPER_SECONDARY;
			if (bulk[i].person.confidential_address) {
				withheld += bulk[i].person.address == NULL;
				shown += bulk[i].person.address != NULL;
			}
		}
		/* Beyond the population: not found; asked twice: the same. */
		assert_false(found[n - 2]);
		assert_true(found[n - 1]);
		assert_facts_equal(&bulk[n - 1], &bulk[0]);
		reg_client_free(c);
		arena_reset(&a);
	}
	/* What this shows was there to be shown. */
	assert_true(conflicts >= 2);
	assert_true(upper > 0);
	assert_true(withheld > 0);
	assert_int_equal(withheld, shown);
	arena_cleanup(&a);
	free(bulk);
}

static void bulk_lookups_answer_as_the_single_calls_in_requests_of_at_most_1000(void **state)
{
	(void)state;
	enum { N = 2300 };
	static char own[N][12];
	static const char *nins[N];
	static struct reg_person persons[N];
	static struct reg_income incomes[N];
	static const char *accounts[N];
	static struct reg_benefits benefits[N];
	static int found[N], found_income[N], found_account[N];
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	/* 2 000 persons from 19 000 on, past the end of the population, and
	 * the first 100 again. */
	for (int i = 0; i < N; i++) {
		struct synth_person sp;
		synth_person(SEED, 19000 + (i < 2200 ? i : i - 2200), &sp);
		memcpy(own[i], sp.nin, 12);
		nins[i] = own[i];
	}
	struct reg_client *c = client(5000, 3, NULL);
	assert_int_equal(reg_population_person_many(c, nins, N, persons, found, &a, &e), 0);
	for (int i = 0; i < N; i++) {
		struct synth_person sp;
		int in = synth_find(SEED, PERSONS, nins[i], &sp) == 0;
		assert_int_equal(found[i], in);
		if (in) {
			assert_string_equal(persons[i].nin, sp.nin);
			assert_string_equal(persons[i].given_name, sp.given_name);
		}
	}
	assert_int_equal(reg_tax_income_many(c, nins, N, 2022, incomes, found_income, &e), 0);
	assert_int_equal(reg_tax_account_many(c, nins, N, accounts, found_account, &a, &e), 0);
	assert_int_equal(reg_welfare_benefits_many(c, nins, N, benefits, found, &a, &e), 0);
	for (int i = 0; i < N; i += 7) {
		struct reg_income inc;
		const char *account = NULL;
		struct reg_benefits be;
		int rc = reg_tax_income(c, nins[i], 2022, &inc, &e);
		assert_int_equal(found_income[i], rc == 0);
		if (rc == 0)
			assert_income_equal(&incomes[i], &inc);
		rc = reg_tax_account(c, nins[i], &account, &a, &e);
		assert_int_equal(found_account[i], rc == 0);
		if (rc == 0)
			assert_string_equal(accounts[i], account);
		else
			assert_null(accounts[i]);
		rc = reg_welfare_benefits(c, nins[i], &be, &a, &e);
		assert_int_equal(found[i], rc == 0);
		assert_int_equal(benefits[i].n, be.n);
	}
	reg_client_free(c);
	arena_cleanup(&a);
}

static void bulk_client_refuses_an_invalid_number_without_asking(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_person p[2];
	struct reg_facts f[2];
	struct reg_health h;
	int found[2];
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	synth_person(SEED, 0, &sp);
	const char *nins[2] = {sp.nin, "12345678901"};
	struct reg_client *c = client(2000, 3, NULL);
	assert_int_equal(reg_population_person_many(c, nins, 2, p, found, &a, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "nins[1]");
	assert_int_equal(reg_gather_many(c, nins, 2, "2024-2025", f, found, &a, &e), -1);
	assert_string_equal(e.field, "nins[1]");
	reg_health(c, REG_POPULATION, &h);
	assert_int_equal(h.last_success, 0); /* nothing was sent */
	assert_int_equal(reg_gather_many(c, nins, 1, "2024", f, found, &a, &e), -1);
	assert_string_equal(e.field, "school_year");
	reg_client_free(c);
	arena_cleanup(&a);
}

static size_t on_answer(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

/* POST body to path on the simulator: the status, the answer in out. */
static long post(const char *path, const char *body, char *out, size_t size)
{
	struct buf b;
	char url[256];
	long status = 0;
	buf_init(&b, 1 << 20);
	snprintf(url, sizeof(url), "%s%s", base, path);
	CURL *k = curl_easy_init();
	assert_non_null(k);
	curl_easy_setopt(k, CURLOPT_URL, url);
	curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(k, CURLOPT_WRITEDATA, &b);
	assert_int_equal(curl_easy_perform(k), CURLE_OK);
	curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(k);
	snprintf(out, size, "%s", buf_str(&b));
	buf_cleanup(&b);
	return status;
}

static void bulk_route_answers_400_naming_what_is_invalid(void **state)
{
	(void)state;
	struct synth_person x, y;
	char body[40000], answer[4096];
	synth_person(SEED, 0, &x);
	synth_person(SEED, 1, &y);

	snprintf(body, sizeof(body), "{\"nins\":[\"%s\",\"12345678901\"]}", x.nin);
	assert_int_equal(post("/population/v1/bulk/persons", body, answer, sizeof(answer)), 400);
	assert_string_equal(answer, "{\"error\":\"invalid\",\"field\":\"nins[1]\"}\n");
	snprintf(body, sizeof(body), "{\"nins\":[\"%s\",\"%s\",\"%s\"],\"year\":2022}", x.nin, y.nin, x.nin);
	assert_int_equal(post("/tax/v1/bulk/income", body, answer, sizeof(answer)), 400);
	assert_non_null(strstr(answer, "\"field\":\"nins[2]\"")); /* asked twice */
	snprintf(body, sizeof(body), "{\"nins\":[\"%s\"]}", x.nin);
	assert_int_equal(post("/tax/v1/bulk/income", body, answer, sizeof(answer)), 400);
	assert_non_null(strstr(answer, "\"field\":\"year\""));
	assert_int_equal(post("/schools/v1/bulk/enrolments", body, answer, sizeof(answer)), 400);
	assert_non_null(strstr(answer, "\"field\":\"school_year\""));
	assert_int_equal(post("/welfare/v1/bulk/benefits", "[1]", answer, sizeof(answer)), 400);
	assert_non_null(strstr(answer, "\"field\":\"body\""));
	assert_int_equal(post("/welfare/v1/bulk/benefits", "{\"nins\":[12345678901]}", answer, sizeof(answer)), 400);
	assert_non_null(strstr(answer, "\"field\":\"nins[0]\""));
	/* More than 1 000 numbers. */
	size_t at = (size_t)snprintf(body, sizeof(body), "{\"nins\":[");
	for (int i = 0; i < 1001; i++) {
		struct synth_person sp;
		synth_person(SEED, i, &sp);
		at += (size_t)snprintf(body + at, sizeof(body) - at, "%s\"%s\"", i ? "," : "", sp.nin);
	}
	snprintf(body + at, sizeof(body) - at, "]}");
	assert_int_equal(post("/tax/v1/bulk/account", body, answer, sizeof(answer)), 400);
	assert_non_null(strstr(answer, "\"field\":\"nins\""));
	/* A number unknown is listed as not found. */
	synth_person(SEED, PERSONS + 1, &y);
	snprintf(body, sizeof(body), "{\"nins\":[\"%s\"]}", y.nin);
	assert_int_equal(post("/welfare/v1/bulk/benefits", body, answer, sizeof(answer)), 200);
	char want[128];
	snprintf(want, sizeof(want), "{\"results\":{},\"not_found\":[\"%s\"]}\n", y.nin);
	assert_string_equal(answer, want);
}

/* Each failure mode of each register fails the bulk gathering as a whole,
 * naming the register, with the health a single call leaves. */
static void bulk_gather_fails_whole_for_each_failure_mode_of_each_register(void **state)
{
	(void)state;
	static const char *modes[] = {"error", "slow", "malformed", "down"};
	char own[12][12];
	const char *nins[12];
	struct reg_facts f[12];
	int found[12];
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	for (int i = 0; i < 12; i++) {
		struct synth_person sp;
		synth_person(SEED, i, &sp);
		memcpy(own[i], sp.nin, 12);
		nins[i] = own[i];
	}
	for (int r = 0; r < REG_N; r++) {
		const char *reg = reg_register_name((enum reg_register)r);
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			struct reg_health h;
			struct reg_client *c = client(200, 2, NULL);
			assert_int_equal(sim_control(reg, modes[m], 1000, &e), 0);
			err_clear(&e);
			assert_int_equal(reg_gather_many(c, nins, 12, "2024-2025", f, found, &a, &e), -1);
			if (strcmp(modes[m], "malformed") == 0) {
				assert_int_equal(e.code, ERR_INVALID);
				assert_non_null(strstr(e.message, "not a JSON"));
			} else {
				assert_int_equal(e.code, ERR_IO);
			}
			assert_string_equal(e.field, reg);
			reg_health(c, (enum reg_register)r, &h);
			assert_int_not_equal(h.state, REG_OK);
			/* A malformed answer is not asked again; the rest are. */
			assert_int_equal(h.consecutive_failures, strcmp(modes[m], "malformed") == 0 ? 1 : 2);
			assert_int_equal(sim_control(reg, "ok", 0, &e), 0);
			reg_client_free(c);
			arena_reset(&a);
		}
	}
	arena_cleanup(&a);
}

/* A register's corrections reach its bulk answers as its single ones. */
static void bulk_answers_carry_the_registers_corrections(void **state)
{
	(void)state;
	struct synth_person sp;
	struct reg_facts bulk, one;
	const char *nins[1];
	int found;
	struct arena a;
	struct err e;
	char body[256];
	arena_init(&a, 0);
	/* A student with two parents, well past the persons other tests use. */
	int64_t i = 12000;
	for (;; i += 4) {
		assert_true(i < PERSONS);
		synth_person(SEED, i, &sp);
		if (sp.level == SYNTH_HIGHER && sp.n_parents == 2 && sp.load_percent == 100 && !sp.confidential_address)
			break;
	}
	nins[0] = sp.nin;
	snprintf(body, sizeof(body), "{\"nin\":\"%s\",\"change\":\"enrolment\",\"load_percent\":50}", sp.nin);
	assert_true(simchg_post(body, strlen(body), PERSONS, SEED, 1, &e) > 0);
	snprintf(body, sizeof(body), "{\"nin\":\"%s\",\"change\":\"credits\",\"semester\":\"2025-spring\",\"credits\":7.5}",
		 sp.nin);
	assert_true(simchg_post(body, strlen(body), PERSONS, SEED, 1, &e) > 0);
	snprintf(body, sizeof(body), "{\"nin\":\"%s\",\"change\":\"income\",\"year\":2022,\"income\":123400}",
		 sp.parents[1].nin);
	assert_true(simchg_post(body, strlen(body), PERSONS, SEED, 1, &e) > 0);

	struct reg_client *c = client(5000, 3, NULL);
	assert_int_equal(reg_gather_many(c, nins, 1, "2024-2025", &bulk, &found, &a, &e), 0);
	assert_int_equal(reg_gather(c, sp.nin, "2024-2025", &one, &a, &e), 0);
	assert_facts_equal(&bulk, &one);
	assert_int_equal(bulk.enrolments.items[0].load_percent, 50);
	assert_string_equal(bulk.credits.items[bulk.credits.n - 1].semester, "2025-spring");
	assert_true(bulk.credits.items[bulk.credits.n - 1].credits == 7.5);
	assert_int_equal(bulk.parents[1].income.income, 123400);
	reg_client_free(c);
	arena_cleanup(&a);
}

/* ---- the synthetic population ---- */

static void same_seed_gives_same_person_and_another_seed_another(void **state)
{
	(void)state;
	struct synth_person x, y;
	int differ = 0;
	for (int64_t i = 0; i < 40; i++) {
		assert_int_equal(synth_person(SEED, i, &x), 0);
		assert_int_equal(synth_person(SEED, i, &y), 0);
		assert_string_equal(x.nin, y.nin);
		assert_string_equal(x.given_name, y.given_name);
		assert_string_equal(x.address_line, y.address_line);
		assert_int_equal(x.birth_date, y.birth_date);
		assert_int_equal(x.n_semesters, y.n_semesters);
		assert_int_equal(synth_person(SEED + 1, i, &y), 0);
		differ += strcmp(x.nin, y.nin) != 0;
	}
	assert_true(differ >= 35);
	/* Made alone, out of order, a person is the same. */
	assert_int_equal(synth_person(SEED, 123457, &x), 0);
	assert_int_equal(synth_person(SEED, 3, &y), 0);
	assert_int_equal(synth_person(SEED, 123457, &y), 0);
	assert_string_equal(x.nin, y.nin);
	assert_int_equal(synth_person(SEED, -1, &x), -1);
	assert_int_equal(synth_person(SEED, SYNTH_MAX_PERSONS, &x), -1);
}

static uint64_t hash64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void numbers_are_valid_synthetic_and_unique_over_100000_persons(void **state)
{
	(void)state;
	enum { COUNT = 100000, SLOTS = 1 << 18 };
	uint64_t *set = calloc(SLOTS, sizeof(*set));
	assert_non_null(set);
	int roles[4] = {0};
	for (int64_t i = 0; i < COUNT; i++) {
		struct synth_person p;
		date_t birth;
		enum nin_kind kind;
		assert_int_equal(synth_person(SEED, i, &p), 0);
		assert_int_equal(nin_parse(p.nin, &birth, &kind), 0);
		assert_int_equal(kind, NIN_SYNTHETIC);
		assert_int_equal(birth, p.birth_date);
		roles[p.role]++;
		uint64_t k = strtoull(p.nin, NULL, 10), slot = hash64(k) & (SLOTS - 1);
		while (set[slot] != 0) {
			if (set[slot] == k)
				fail_msg("person %lld has the number %s of an earlier person", (long long)i, p.nin);
			slot = (slot + 1) & (SLOTS - 1);
		}
		set[slot] = k;
	}
	free(set);
	/* Every household has a student and a parent. */
	assert_int_equal(roles[SYNTH_STUDENT], COUNT / 4);
	assert_true(roles[SYNTH_PARENT] >= COUNT / 4);
	assert_true(roles[SYNTH_CHILD] > 0);
	assert_true(roles[SYNTH_SIBLING] > 0);
}

static void synth_find_finds_each_person_by_number(void **state)
{
	(void)state;
	const int64_t size = 1000000;
	struct synth_person p, found;
	for (int64_t i = 0; i < size; i += 997) {
		assert_int_equal(synth_person(SEED, i, &p), 0);
		assert_int_equal(synth_find(SEED, size, p.nin, &found), 0);
		assert_int_equal(found.index, i);
		assert_string_equal(found.nin, p.nin);
	}
	/* Each member of a household, and its relations. */
	for (int64_t i = 4000; i < 4040; i++) {
		assert_int_equal(synth_person(SEED, i, &p), 0);
		for (int k = 0; k < p.n_parents; k++) {
			assert_int_equal(synth_find(SEED, size, p.parents[k].nin, &found), 0);
			assert_int_equal(found.index, p.parents[k].index);
		}
		for (int k = 0; k < p.n_children; k++) {
			assert_int_equal(synth_find(SEED, size, p.children[k].nin, &found), 0);
			assert_int_equal(found.index, p.children[k].index);
		}
	}
	/* Beyond the population's size, under another seed, or not synthetic. */
	assert_int_equal(synth_person(SEED, 5000, &p), 0);
	assert_int_equal(synth_find(SEED, 5000, p.nin, &found), 1);
	assert_int_equal(synth_find(SEED + 1, size, p.nin, &found), 1);
	assert_int_equal(synth_find(SEED, size, "01010050030", &found), 1);
}

static void households_are_plausible(void **state)
{
	(void)state;
	int upper = 0, higher = 0, confidential = 0, students = 0;
	for (int64_t i = 0; i < 40000; i++) {
		struct synth_person p;
		synth_person(SEED, i, &p);
		for (int k = 0; k < p.n_parents; k++) {
			int age = date_age(p.parents[k].birth_date, p.birth_date);
			if (p.role == SYNTH_CHILD)
				assert_true(age >= 19);
			else
				assert_in_range(age, 15, 47);
		}
		if (p.role == SYNTH_STUDENT || p.role == SYNTH_SIBLING) {
			students++;
			upper += p.level == SYNTH_UPPER_SECONDARY;
			higher += p.level == SYNTH_HIGHER;
			confidential += p.confidential_address;
			assert_true(p.account[0] != '\0');
			assert_true(reg_account_valid(p.account));
		}
	}
	assert_true(upper > students / 5);
	assert_true(higher > students / 3);
	/* About 2 % confidential. */
	assert_in_range(confidential * 1000 / students, 10, 35);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(person_round_trips_through_all_four_registers, all_ok),
	    cmocka_unit_test_teardown(upper_secondary_enrolment_carries_equipment_rate_and_travel, all_ok),
	    cmocka_unit_test_teardown(population_list_gives_the_first_persons_in_order, all_ok),
	    cmocka_unit_test_teardown(unknown_nin_gives_not_found, all_ok),
	    cmocka_unit_test_teardown(confidential_address_is_hidden_without_scope_and_shown_with_it, all_ok),
	    cmocka_unit_test_teardown(gather_collects_every_fact_with_its_source, all_ok),
	    cmocka_unit_test_teardown(gather_flags_an_address_that_is_no_parents, all_ok),
	    cmocka_unit_test_teardown(error_mode_retries_then_fails_and_register_recovers, all_ok),
	    cmocka_unit_test_teardown(one_failed_try_makes_a_register_degraded, all_ok),
	    cmocka_unit_test_teardown(slow_register_beyond_the_timeout_fails_with_io, all_ok),
	    cmocka_unit_test_teardown(malformed_answer_gives_invalid, all_ok),
	    cmocka_unit_test_teardown(register_that_closes_the_connection_gives_io, all_ok),
	    cmocka_unit_test_teardown(gather_fails_whole_when_one_register_fails, all_ok),
	    cmocka_unit_test_teardown(unreachable_registers_give_io, all_ok),
	    cmocka_unit_test_teardown(bulk_gather_equals_single_gather_for_every_person, all_ok),
	    cmocka_unit_test_teardown(bulk_lookups_answer_as_the_single_calls_in_requests_of_at_most_1000, all_ok),
	    cmocka_unit_test_teardown(bulk_client_refuses_an_invalid_number_without_asking, all_ok),
	    cmocka_unit_test_teardown(bulk_route_answers_400_naming_what_is_invalid, all_ok),
	    cmocka_unit_test_teardown(bulk_gather_fails_whole_for_each_failure_mode_of_each_register, all_ok),
	    cmocka_unit_test_teardown(bulk_answers_carry_the_registers_corrections, all_ok),
	    cmocka_unit_test(same_seed_gives_same_person_and_another_seed_another),
	    cmocka_unit_test(numbers_are_valid_synthetic_and_unique_over_100000_persons),
	    cmocka_unit_test(synth_find_finds_each_person_by_number),
	    cmocka_unit_test(households_are_plausible),
	};
	return cmocka_run_group_tests(tests, start_simulator, stop_simulator);
}
