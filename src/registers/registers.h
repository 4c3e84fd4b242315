/* registers.h - clients for the registers whose facts an application needs:
 * the population register (identity, address, family), the tax authority
 * (income, wealth, bank account), the schools (enrolment, travel, credits)
 * and the welfare agency (benefit periods).
 *
 * The clients speak HTTP and JSON (libcurl, jansson) in the shapes the
 * register simulator serves (see README "Registers"); an agency points them
 * at its real registers through an adapter per register. Every answer is
 * validated strictly before it becomes a fact: a register that is down, too
 * slow or answers nonsense never produces facts. Each call tries up to
 * `tries` times with exponential back-off and jitter, and each register's
 * health (ok, degraded, down) follows its recent answers.
 *
 * Calls return 0 (found, out filled from the caller's arena), 1 (the
 * register answered 404: not found), or -1 with e filled: ERR_IO when the
 * register could not be reached, timed out or failed (5xx) on every try,
 * ERR_INVALID when an answer was malformed (the message names what was
 * wrong) or a NIN given was not valid. A client is thread-safe: each call
 * borrows a connection from a small pool, so threads reuse connections.
 *
 * For mass intake each lookup about persons also comes in bulk (the
 * `_many` calls, as Folkeregisteret's bulk extract and the tax authority's
 * batch APIs serve mass consumers): any number of NINs, sent REG_BULK_MAX
 * at a time, each answer parsed and validated exactly as the single call's,
 * with the same tries, back-off and health per request. They return 0 with
 * found[i] 1 (out[i] filled) or 0 (the single call would answer 1: out[i]
 * zeroed, an account NULL) for each place i of nins (a number may appear
 * more than once), or -1 with e filled as the single calls, ERR_INVALID
 * naming "nins[i]" for a number that is not valid: a request that fails
 * fails the whole call, and no partial answer is ever given. */
#ifndef STIPEND_REGISTERS_H
#define STIPEND_REGISTERS_H

#include <jansson.h>
#include <stdint.h>

#include "core/date.h"

struct arena;
struct err;
struct reg_client;

enum reg_register { REG_POPULATION, REG_TAX, REG_SCHOOLS, REG_WELFARE, REG_N };

/* The most NINs one bulk request names (the registers' own limit). */
#define REG_BULK_MAX 1000

/* "population", "tax", "schools", "welfare". */
const char *reg_register_name(enum reg_register r);

struct reg_options {
	int timeout_ms; /* per try, connecting included; 0: 2000 */
	int tries;      /* 0: 3 */
	int backoff_ms; /* the first wait between tries, doubled each time, with
	                 * jitter up to as much again; 0: 50 */
	int down_after; /* consecutive failed tries that make a register down; 0: 3 */
	/* Sent as X-Scope to the population register; "confidential-address"
	 * lets it return strictly confidential addresses. NULL: none. */
	const char *scope;
};

/* A client for the registers under base_url ("http://127.0.0.1:8090"; the
 * register's path follows). o may be NULL for the defaults. Returns NULL
 * only when out of memory. */
struct reg_client *reg_client_new(const char *base_url, const struct reg_options *o);

/* Close the connections and free. NULL is a no-op. No call may be under
 * way. */
void reg_client_free(struct reg_client *c);

enum reg_state { REG_OK, REG_DEGRADED, REG_DOWN };

struct reg_health {
	enum reg_state state;               /* ok; degraded after a failed try; down after down_after in a row */
	int64_t last_success, last_failure; /* Unix seconds, 0: never */
	int consecutive_failures;           /* failed tries since the last success */
};

/* A snapshot of one register's health. Thread-safe. */
void reg_health(struct reg_client *c, enum reg_register r, struct reg_health *out);

/* "ok", "degraded", "down". */
const char *reg_state_name(enum reg_state s);

/* ---- the population register ---- */

struct reg_address {
	const char *line, *postcode, *city;
};

struct reg_child {
	const char *nin;
	date_t birth_date;
};

struct reg_person {
	const char *nin, *given_name, *family_name;
	date_t birth_date;
	const struct reg_address *address; /* NULL when withheld (confidential, no scope) */
	int confidential_address;
	int lives_with_parents; /* registered at a parent's dwelling */
	int married;
	const char **parents; /* NINs */
	int n_parents;
	struct reg_child *children;
	int n_children;
	/* The loan account (#11): the date of death, when the register has
	 * one (deceased set). */
	int deceased;
	date_t date_of_death;
};

int reg_population_person(struct reg_client *c, const char *nin, struct reg_person *out, struct arena *a,
                          struct err *e);

struct reg_person_list {
	struct reg_person *items;
	int n;
	int64_t total; /* how many the register holds */
};

int reg_population_person_many(struct reg_client *c, const char *const *nins, int n, struct reg_person *out,
			       int *found, struct arena *a, struct err *e);

/* Persons offset.. in the register's order, at most limit (1..1000), for
 * batch intake. Returns 0 (n is 0 past the end), 1 when the register has no
 * such list, or -1. */
int reg_population_list(struct reg_client *c, int64_t offset, int limit, struct reg_person_list *out, struct arena *a,
                        struct err *e);

/* ---- the tax authority ---- */

struct reg_income {
	int year;
	int64_t income, wealth; /* øre, as assessed */
};

int reg_tax_income(struct reg_client *c, const char *nin, int year, struct reg_income *out, struct err *e);
int reg_tax_income_many(struct reg_client *c, const char *const *nins, int n, int year, struct reg_income *out,
			int *found, struct err *e);

/* The account payments go to: 11 digits with a valid mod-11 check digit. */
int reg_tax_account(struct reg_client *c, const char *nin, const char **account, struct arena *a, struct err *e);
int reg_tax_account_many(struct reg_client *c, const char *const *nins, int n, const char **accounts, int *found,
			 struct arena *a, struct err *e);

/* ---- the schools ---- */

enum reg_level { REG_UPPER_SECONDARY, REG_HIGHER };

struct reg_travel {
	double distance_km;       /* parents' home to the school by road */
	int daily_travel_minutes; /* there and back */
	double walking_km;
};

struct reg_enrolment {
	const char *institution, *programme;
	enum reg_level level;
	int equipment_rate; /* 1-5 upper secondary, 0 none */
	int load_percent;
	date_t start, end;
	int admitted;
	int has_travel;
	struct reg_travel travel;
	const char *orgnr; /* the institution's organisation number, NULL when the register gives none */
};

struct reg_enrolments {
	struct reg_enrolment *items;
	int n; /* 0: no school reports the person that year */
};

/* Enrolments in a school year ("2024-2025"). */
int reg_school_enrolments(struct reg_client *c, const char *nin, const char *school_year, struct reg_enrolments *out,
                          struct arena *a, struct err *e);
int reg_school_enrolments_many(struct reg_client *c, const char *const *nins, int n, const char *school_year,
			       struct reg_enrolments *out, int *found, struct arena *a, struct err *e);

struct reg_credit {
	const char *semester; /* "2024-autumn", "2025-spring" */
	double credits;       /* 0-60 in steps of 0.5 */
};

struct reg_credits {
	struct reg_credit *items; /* oldest first */
	int n;
};

/* Credits passed per semester. */
int reg_school_credits(struct reg_client *c, const char *nin, struct reg_credits *out, struct arena *a, struct err *e);
int reg_school_credits_many(struct reg_client *c, const char *const *nins, int n, struct reg_credits *out, int *found,
			    struct arena *a, struct err *e);

/* ---- the schools register's institutions (#13) ---- */

struct reg_institution {
	const char *name;
	const char *orgnr; /* 9 digits with a valid MOD11 check digit */
	const char *city;  /* "" when the register gives none */
	enum reg_level level;
};

struct reg_institutions {
	struct reg_institution *items;
	int n;
};

/* 1 when s is an organisation number: 9 digits, the last a MOD11 check
 * digit (weights 3 2 7 6 5 4 3 2, as Brønnøysundregistrene's). */
int reg_orgnr_valid(const char *s);

/* Every school and institution of higher education the schools register
 * knows (GET /schools/v1/institutions), each validated: the application
 * form's list (#15) and the institutions of the workspace (#13). Returns 0
 * with *out filled (strings in a) or -1. Thread-safe. */
int reg_school_institutions(struct reg_client *c, struct reg_institutions *out, struct arena *a, struct err *e);

/* ---- the welfare agency ---- */

enum reg_benefit_kind { REG_WORK_ASSESSMENT_ALLOWANCE, REG_UNEMPLOYMENT };

struct reg_benefit {
	enum reg_benefit_kind kind;
	date_t from, to;
};

struct reg_benefits {
	struct reg_benefit *items;
	int n;
};

/* Benefit periods. */
int reg_welfare_benefits(struct reg_client *c, const char *nin, struct reg_benefits *out, struct arena *a,
                         struct err *e);
int reg_welfare_benefits_many(struct reg_client *c, const char *const *nins, int n, struct reg_benefits *out,
			      int *found, struct arena *a, struct err *e);

/* ---- changes the registers announce ---- */

/* One change in a register's event feed: the register says something it
 * holds about the person nin changed ("enrolment", "credits", "income");
 * what changed is asked for again, never taken from the event. */
struct reg_event {
	int64_t sequence;
	const char *nin;
	const char *change;
};

struct reg_events {
	struct reg_event *items;
	int n;
	int64_t last; /* the register's newest sequence number */
};

/* The events of register r after sequence `after`, oldest first, at most
 * limit (1..1000). Returns 0 or -1 with e filled (as the other calls). */
int reg_events(struct reg_client *c, enum reg_register r, int64_t after, int limit, struct reg_events *out,
	       struct arena *a, struct err *e);

/* ---- an answer, validated ----
 *
 * Every call above checks a register's answer in one place: the answer's
 * JSON object against what the register promised (types, ranges, dates that
 * exist, valid numbers, the person asked about), before any fact is made of
 * it. The fuzz target tests/fuzz/fuzz_registers.c meets it there. */

enum reg_answer {
	REG_ANSWER_PERSON,     /* a person: out is a struct reg_person */
	REG_ANSWER_PERSONS,    /* a page of the population list: struct reg_person_list */
	REG_ANSWER_INCOME,     /* a year's income: struct reg_income */
	REG_ANSWER_ACCOUNT,    /* an account number: const char * */
	REG_ANSWER_ENROLMENTS, /* struct reg_enrolments */
	REG_ANSWER_CREDITS,    /* struct reg_credits */
	REG_ANSWER_BENEFITS,   /* struct reg_benefits */
	REG_ANSWER_EVENTS      /* an event feed: struct reg_events */
};

/* What was asked, which the answer must match: the number (PERSON, INCOME),
 * the year (INCOME), the register, the sequence after which and the most
 * events (EVENTS), the most persons (PERSONS). */
struct reg_question {
	const char *nin;
	int year;
	enum reg_register reg;
	int64_t after;
	int limit;
};

/* Validate answer (a JSON object as the register sent it) to question q
 * and fill out, whose type kind names; strings live in a. Returns 0, or -1
 * with e filled (ERR_INVALID, field "<register>.<path>") and out holding
 * nothing to rely on. Thread-safe. */
int reg_answer_parse(enum reg_answer kind, const struct reg_question *q, json_t *answer, void *out,
		     struct arena *a, struct err *e);

/* ---- everything one application needs ---- */

/* Where a group of facts came from and when: "Mine opplysninger" shows it. */
struct reg_source {
	const char *source; /* the register: "population", "tax", "schools", "welfare" */
	int64_t fetched_at; /* Unix seconds of the answer */
};

struct reg_parent_facts {
	const char *nin;
	int found;                         /* the population register knows the parent */
	const struct reg_address *address; /* NULL when withheld or not found */
	int income_found;                  /* the tax authority assessed the year */
	struct reg_income income;
};

struct reg_facts {
	const char *nin;
	struct reg_person person; /* identity, address, family */
	struct reg_source identity;
	/* Registered as living with the parents at an address that is neither
	 * parent's: facts that contradict each other, for a person to judge. */
	int address_conflict;

	int income_year; /* the assessed year used for incomes: see reg_gather() */
	struct reg_parent_facts *parents;
	int n_parents;
	struct reg_source parents_source;

	int own_income_found;
	struct reg_income own; /* the applicant's income and wealth in income_year */
	struct reg_source income;

	const char *account; /* NULL when the tax authority holds none */
	struct reg_source account_source;

	struct reg_enrolments enrolments; /* none when the schools do not know the person */
	struct reg_credits credits;
	struct reg_source schools;

	struct reg_benefits benefits;
	struct reg_source welfare;
};

/* Fetch all the facts an application for school_year needs about the person
 * nin, from all four registers. Returns 0 with out filled (in the arena), 1
 * when the population register does not know the person, -1 with e filled
 * when any register failed (e.field names it, "tax", or for a malformed
 * answer the register and the field, "tax.income"): no partial facts are
 * ever used for a decision. Not thread-safe for one out, safe for one
 * client. */
int reg_gather(struct reg_client *c, const char *nin, const char *school_year, struct reg_facts *out, struct arena *a,
               struct err *e);

/* reg_gather() for the n persons nins at once, with the bulk lookups (the
 * parents' too), in requests of at most REG_BULK_MAX numbers: for each i,
 * found[i] is 1 and out[i] exactly what reg_gather() gives for nins[i]
 * (but for the times in the sources), or found[i] is 0 when the population
 * register does not know the person (out[i] zeroed but for nin). Returns 0,
 * or -1 with e filled as reg_gather() fails, naming the register that
 * failed: then no facts at all, for anyone. Seven requests for a few
 * hundred persons (more once their parents or incomes pass REG_BULK_MAX),
 * where reg_gather() makes about ten for each. Safe for one client from
 * many threads, each with its own out and arena. */
int reg_gather_many(struct reg_client *c, const char *const *nins, int n, const char *school_year,
		    struct reg_facts *out, int *found, struct arena *a, struct err *e);

/* ---- bank account numbers ---- */

/* The mod-11 check digit of a Norwegian account number's first ten digits
 * (weights 5 4 3 2 7 6 5 4 3 2), or -1 when no number can end them. */
int reg_account_check_digit(const char ten[10]);

/* 1 when s is eleven digits ending in their check digit, else 0. */
int reg_account_valid(const char *s);

#endif
