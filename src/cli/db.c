/* db.c - `stipend init`, `stipend migrate` and `stipend verify`: creating a
 * database, bringing its schema up to date, and checking the audit chain;
 * and the synthetic demo population that `init --demo` adds. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/nin.h"
#include "store/store.h"

static const char init_help[] =
	"Usage: stipend init --db FILE [--demo] [--persons N] [--seed S]\n\n"
	"Create the database FILE (SQLite) with the current schema.\n\n"
	"  --db FILE     the database file to create (must not exist)\n"
	"  --demo        add a synthetic population for demos and tests (people\n"
	"                with synthetic test national identity numbers)\n"
	"  --persons N   the population's size (default 200)\n"
	"  --seed S      the population's seed (default 7): same seed, same people\n";

static const char migrate_help[] =
	"Usage: stipend migrate --db FILE\n\n"
	"Apply the schema migrations FILE has not had yet, each in a transaction.\n";

static const char verify_help[] =
	"Usage: stipend verify --db FILE\n\n"
	"Walk the audit log's hash chain. Exit status 0 when intact, 1 when a\n"
	"record was changed, removed or inserted (its number is printed).\n";

/* A small deterministic generator (xorshift64*), so that a seed always
 * gives the same population on every machine. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static int rng_below(uint64_t *s, int n)
{
	return (int)(rng_next(s) % (uint64_t)n);
}

static const char *given[] = {"Nora", "Emma", "Ella", "Maja", "Olivia", "Ingrid", "Sofie", "Leah", "Sara",
			      "Frida", "Jakob", "Emil", "Noah", "Oliver", "Filip", "William", "Lucas", "Henrik",
			      "Aksel", "Magnus", "Sindre", "Åse", "Tiril", "Øystein", "Håkon", "Solveig"};
static const char *family[] = {"Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
			       "Kristiansen", "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Johannessen",
			       "Bakken", "Dahl", "Lie", "Solberg", "Strand", "Ødegård", "Sæther", "Aas"};
static const char *streets[] = {"Storgata", "Kirkeveien", "Skolegata", "Parkveien", "Strandgata", "Bakkeveien",
				"Granveien", "Fjordgata", "Løkkeveien", "Sjøgata"};
static const struct {
	const char *postcode, *city;
} places[] = {{"0150", "Oslo"}, {"5003", "Bergen"}, {"7010", "Trondheim"}, {"4006", "Stavanger"},
	      {"9008", "Tromsø"}, {"8006", "Bodø"}, {"2317", "Hamar"}, {"6002", "Ålesund"}, {"4608", "Kristiansand"}};
static const struct {
	const char *institution, *programme;
} studies[] = {{"Universitetet i Oslo", "Bachelor i informatikk"},
	       {"Universitetet i Bergen", "Bachelor i biologi"},
	       {"NTNU", "Master i bygg- og miljøteknikk"},
	       {"OsloMet", "Bachelor i sykepleie"},
	       {"UiT Norges arktiske universitet", "Bachelor i samfunnsøkonomi"},
	       {"Universitetet i Stavanger", "Bachelor i petroleumsteknologi"},
	       {"Høgskulen på Vestlandet", "Grunnskolelærerutdanning 5-10"}};

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

/* An individual number that fits the birth year's century: 000-499 for
 * 1900-1999, 500-999 for 2000-2039. */
static int y_individual(uint64_t *s, date_t birth)
{
	int y, m, d;
	date_to_ymd(birth, &y, &m, &d);
	return y < 2000 ? rng_below(s, 500) : 500 + rng_below(s, 500);
}

struct population {
	int persons;
	uint64_t seed;
	int made;
};

static int add_population(struct store_tx *tx, void *arg, struct err *e)
{
	struct population *pop = arg;
	uint64_t s = pop->seed * 0x9E3779B97F4A7C15ULL + 1;
	struct arena a;
	arena_init(&a, 0);
	int rc = 0;
	/* Numbers handed out so far (open addressing), so none repeats. */
	size_t slots = (size_t)pop->persons * 2 + 1;
	uint64_t *taken = calloc(slots, sizeof(*taken));
	if (taken == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	for (int i = 0; i < pop->persons && rc == 0; i++) {
		struct person p = {0};
		char nin[12];
		size_t slot;
		/* Students born 1996-2006, with a valid synthetic number. */
		for (;;) {
			int y = 1996 + rng_below(&s, 11), m = 1 + rng_below(&s, 12), d = 1 + rng_below(&s, 28);
			p.birth_date = date_from_ymd(y, m, d);
			if (nin_make(p.birth_date, y_individual(&s, p.birth_date), 1, nin) != 0)
				continue;
			uint64_t key = strtoull(nin, NULL, 10);
			for (slot = key % slots; taken[slot] != 0 && taken[slot] != key; slot = (slot + 1) % slots)
				;
			if (taken[slot] == 0) {
				taken[slot] = key;
				break;
			}
		}
		p.nin = nin;
		p.given_name = given[rng_below(&s, N(given))];
		p.family_name = family[rng_below(&s, N(family))];
		int place = rng_below(&s, N(places));
		p.address = arena_printf(&a, "%s %d", streets[rng_below(&s, N(streets))], 1 + rng_below(&s, 120));
		p.postcode = places[place].postcode;
		p.city = places[place].city;
		/* About one in fifty has a confidential address (sperret adresse). */
		p.confidential_address = rng_below(&s, 50) == 0;
		int study = rng_below(&s, N(studies));
		p.institution = studies[study].institution;
		p.programme = studies[study].programme;
		rc = store_person_insert(tx, &p, NULL, e);
		if (rc == 0)
			pop->made++;
		arena_reset(&a);
	}
	free(taken);
	arena_cleanup(&a);
	return rc;
}

static int open_db(const char *path, int must_exist, struct store **out)
{
	struct err e;
	if (path == NULL) {
		fprintf(stderr, "stipend: --db FILE is required\n");
		return 2;
	}
	if (must_exist && access(path, F_OK) != 0) {
		fprintf(stderr, "stipend: %s does not exist (create it with stipend init)\n", path);
		return 2;
	}
	*out = store_open(path, &e);
	if (*out == NULL) {
		fprintf(stderr, "stipend: %s\n", e.message);
		return 1;
	}
	return 0;
}

int cli_init(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {"demo", no_argument, NULL, 'D'},
					     {"persons", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *db = NULL;
	int demo = 0, c, rc;
	struct population pop = {200, 7, 0};
	struct err e;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': db = optarg; break;
		case 'D': demo = 1; break;
		case 'n':
			pop.persons = (int)strtol(optarg, &end, 10);
			if (*end || pop.persons < 1 || pop.persons > 10000000) {
				fprintf(stderr, "stipend init: --persons must be a number from 1 to 10000000\n");
				return 2;
			}
			break;
		case 's':
			pop.seed = strtoull(optarg, &end, 10);
			if (*end) {
				fprintf(stderr, "stipend init: --seed must be a number\n");
				return 2;
			}
			break;
		case 'h': fputs(init_help, stdout); return 0;
		default: fputs(init_help, stderr); return 2;
		}
	}
	if (db && access(db, F_OK) == 0) {
		fprintf(stderr, "stipend init: %s exists already (use stipend migrate to update it)\n", db);
		return 2;
	}
	struct store *s;
	if ((rc = open_db(db, 0, &s)) != 0)
		return rc;
	rc = 0;
	if (store_migrate(s, NULL, &e) != 0 || (demo && store_write(s, add_population, &pop, &e) != 0)) {
		fprintf(stderr, "stipend init: %s\n", e.message);
		rc = 1;
	} else {
		printf("created %s (schema %d)%s", db, store_schema_expected(), demo ? "" : "\n");
		if (demo)
			printf(" with %d synthetic persons\n", pop.made);
	}
	store_close(s);
	return rc;
}

/* Parse the one option --db of migrate and verify. */
static const char *db_option(int argc, char **argv, const char *help, int *status)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *db = NULL;
	int c;
	*status = -1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'd') {
			db = optarg;
		} else if (c == 'h') {
			fputs(help, stdout);
			*status = 0;
			return NULL;
		} else {
			fputs(help, stderr);
			*status = 2;
			return NULL;
		}
	}
	return db;
}

int cli_migrate(int argc, char **argv)
{
	int status, applied = 0, rc;
	struct err e;
	struct store *s;
	const char *db = db_option(argc, argv, migrate_help, &status);
	if (status >= 0)
		return status;
	if ((rc = open_db(db, 1, &s)) != 0)
		return rc;
	rc = store_migrate(s, &applied, &e);
	if (rc != 0)
		fprintf(stderr, "stipend migrate: %s\n", e.message);
	else
		printf("%d migration%s applied; schema %d\n", applied, applied == 1 ? "" : "s", store_schema_expected());
	store_close(s);
	return rc ? 1 : 0;
}

int cli_verify(int argc, char **argv)
{
	int status, rc;
	int64_t count = 0, bad = 0;
	struct err e;
	struct store *s;
	const char *db = db_option(argc, argv, verify_help, &status);
	if (status >= 0)
		return status;
	if ((rc = open_db(db, 1, &s)) != 0)
		return rc;
	rc = audit_verify(s, &count, &bad, &e);
	if (rc < 0)
		fprintf(stderr, "stipend verify: %s\n", e.message);
	else if (rc > 0)
		printf("audit chain broken at record %lld\n", (long long)bad);
	else
		printf("audit chain intact: %lld records\n", (long long)count);
	store_close(s);
	return rc == 0 ? 0 : 1;
}
