/* test_registers.c - the register clients against the register simulator
 * running in this process on a free port of 127.0.0.1, and the synthetic
 * population behind it: a person round-trips through all four registers,
 * unknown persons, confidential addresses and scopes, each failure mode
 * (error, slow, malformed, down) and the health it leaves, and a population
 * that is deterministic, has unique numbers and can be searched by number.
 *
 * Expected values come from the synthetic population itself (synth.h), the
 * source the simulator answers from: the tests show that what the registers
 * say arrives intact, typed and validated. No test asserts a duration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/nin.h"
#include "registers/registers.h"
#include "registers/simulator.h"
#include "registers/synth.h"

#define SEED 7
#define PERSONS 20000

static char base[64];

static int start_simulator(void **state)
{
	(void)state;
	struct err e;
	int port = reg_simulator_start(0, PERSONS, SEED, &e);
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
	reg_simulator_stop();
	return 0;
}

/* Every test leaves the registers answering normally. */
static int all_ok(void **state)
{
	(void)state;
	struct err e;
	return reg_simulator_control("all", "ok", 0, &e);
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
	assert_int_equal(reg_simulator_control("tax", "error", 0, &e), 0);
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

	assert_int_equal(reg_simulator_control("tax", "ok", 0, &e), 0);
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
	assert_int_equal(reg_simulator_control("welfare", "error", 0, &e), 0);
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
	assert_int_equal(reg_simulator_control("population", "slow", 1000, &e), 0);
	assert_int_equal(reg_population_person(c, sp.nin, &p, &a, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_string_equal(e.field, "population");
	/* Slow within the timeout is merely slow. */
	assert_int_equal(reg_simulator_control("population", "slow", 20, &e), 0);
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
	assert_int_equal(reg_simulator_control("schools", "malformed", 0, &e), 0);
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
	assert_int_equal(reg_simulator_control("welfare", "down", 0, &e), 0);
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
	assert_int_equal(reg_simulator_control("welfare", "error", 0, &e), 0);
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
	    cmocka_unit_test(same_seed_gives_same_person_and_another_seed_another),
	    cmocka_unit_test(numbers_are_valid_synthetic_and_unique_over_100000_persons),
	    cmocka_unit_test(synth_find_finds_each_person_by_number),
	    cmocka_unit_test(households_are_plausible),
	};
	return cmocka_run_group_tests(tests, start_simulator, stop_simulator);
}
