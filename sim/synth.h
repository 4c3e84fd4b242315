/* synth.h - the synthetic population: the people the register simulator
 * serves (and so the people `stipend init --demo` takes from it), made from
 * a seed.
 *
 * Person i (0 <= i < SYNTH_MAX_PERSONS) is a pure function of (seed, i): any
 * person can be made without making the others, so a population of a
 * million needs no memory and no start-up. Persons come in households of four
 * indexes, i = 4h + slot: slot 0 a student, slot 1 a parent, slot 2 a second
 * parent or (in a one-parent household) a sibling who studies too, slot 3 the
 * student's child or another sibling. A population of size N is persons
 * 0..N-1; a relation to a person at N or beyond is not part of it.
 *
 * National identity numbers are synthetic test numbers (month + 80, see
 * core/nin.h) that encode the index, so that they never collide and
 * synth_find() can go from a number back to its person: see synth.c. All
 * functions are pure and thread-safe. */
#ifndef STIPEND_SIM_SYNTH_H
#define STIPEND_SIM_SYNTH_H

#include <stdint.h>

#include "core/date.h"

/* The most persons a population may have: beyond it the numbers would
 * collide. */
#define SYNTH_MAX_PERSONS 1400000

/* The school year whose enrolments the population holds, and the last year
 * the tax authority has assessed. */
#define SYNTH_SCHOOL_YEAR "2024-2025"
#define SYNTH_SCHOOL_YEAR_START 2024
#define SYNTH_FIRST_TAX_YEAR 2010
#define SYNTH_LAST_TAX_YEAR 2024

enum synth_role {
	SYNTH_STUDENT, /* slot 0: the household's student */
	SYNTH_SIBLING, /* slot 2 or 3: a brother or sister who studies too */
	SYNTH_PARENT,  /* slot 1 or 2 */
	SYNTH_CHILD    /* slot 3: the student's child */
};

enum synth_level { SYNTH_NOT_ENROLLED, SYNTH_UPPER_SECONDARY, SYNTH_HIGHER };

enum synth_benefit_kind { SYNTH_WORK_ASSESSMENT_ALLOWANCE, SYNTH_UNEMPLOYMENT };

/* Why a person's facts must go to a case worker (bits of synth_person.manual).
 * The registers serve the facts; the flags only tell tests and demos whom to
 * expect in the workbench. */
enum {
	SYNTH_MANUAL_ADDRESS_CONFLICT = 1,      /* registered as living with the parents at another address */
	SYNTH_MANUAL_SPECIAL_CIRCUMSTANCES = 2, /* will claim special circumstances (held by no register) */
	SYNTH_MANUAL_MISSING_ENROLMENT = 4      /* a student whom no school reports */
};

struct synth_place {
	const char *city, *postcode;
	int x_km, y_km; /* on a flat grid: east and north of 58°N 10°E */
	int weight;     /* share of homes */
};

struct synth_institution {
	const char *name;
	enum synth_level level;
	int place; /* index into synth_places() */
	const char *orgnr; /* organisation number: 9 digits, MOD11 check digit */
};

struct synth_relation {
	int64_t index;
	char nin[12];
	date_t birth_date;
};

struct synth_semester {
	int year;
	int autumn;       /* 1 autumn, 0 spring */
	int half_credits; /* credits passed times two: 0, 30, 45 or 60 */
};

struct synth_benefit {
	enum synth_benefit_kind kind;
	date_t from, to;
};

struct synth_person {
	uint64_t seed;
	int64_t index, household;
	enum synth_role role;
	char nin[12];
	const char *given_name, *family_name;
	date_t birth_date;
	int married;
	/* Registered address. A strictly confidential one (strengt fortrolig)
	 * is here; the simulator withholds it from callers without the scope. */
	char address_line[48];
	const struct synth_place *place;
	int confidential_address;
	int lives_with_parents; /* registered at a parent's dwelling */
	struct synth_relation parents[2];
	int n_parents;
	struct synth_relation children[3];
	int n_children;
	char account[12]; /* bank account, "" for a child */
	/* Enrolment in SYNTH_SCHOOL_YEAR (level SYNTH_NOT_ENROLLED: none). */
	enum synth_level level;
	const struct synth_institution *institution;
	const char *programme;
	int equipment_rate; /* 1-5 for upper secondary, 0 for higher education */
	int load_percent;
	date_t start, end;
	int distance_dm;                     /* parents' home to school by road, in tenths of a km */
	int daily_travel_minutes;            /* there and back */
	int walking_dm;                      /* tenths of a km */
	struct synth_semester semesters[10]; /* higher education: oldest first */
	int n_semesters;
	struct synth_benefit benefits[2];
	int n_benefits;
	unsigned manual; /* SYNTH_MANUAL_* bits */
};

/* Make person i of the population of seed. Returns 0, or -1 when i is not
 * in 0..SYNTH_MAX_PERSONS-1. */
int synth_person(uint64_t seed, int64_t i, struct synth_person *out);

/* The person of a population of `size` whose number is nin. Returns 0 with
 * out filled, 1 when no person of the population has that number. */
int synth_find(uint64_t seed, int64_t size, const char *nin, struct synth_person *out);

/* A person's income and wealth (øre) as assessed for a tax year. Returns 0,
 * or 1 when that year is not assessed (before SYNTH_FIRST_TAX_YEAR, after
 * SYNTH_LAST_TAX_YEAR, or before the person was born). */
int synth_income(const struct synth_person *p, int year, int64_t *income, int64_t *wealth);

/* The towns, and the schools and institutions of higher education. */
const struct synth_place *synth_places(int *n);
const struct synth_institution *synth_institutions(int *n);

#endif
