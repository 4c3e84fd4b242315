/* db.c - `stipend init`, `stipend migrate` and `stipend verify`: creating a
 * database, bringing its schema up to date, and checking the audit chain;
 * and the demo population that `init --demo` takes from the population
 * register. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "support/support.h"
#include "registers/registers.h"
#include "store/institution.h"
#include "store/store.h"

static const char init_help[] =
	"Usage: stipend init --db FILE [--demo --registers URL [--persons N]]\n\n"
	"Create the database FILE (SQLite) with the current schema.\n\n"
	"  --db FILE         the database file to create (must not exist)\n"
	"  --demo            add a population for demos and tests, taken as an agency\n"
	"                    takes it: the persons the population register at\n"
	"                    --registers lists, in its order, with the place of study\n"
	"                    the schools report for 2024-2025 (with stipend-sim serve,\n"
	"                    its synthetic people); the schools and institutions\n"
	"                    of higher education the schools register lists, by\n"
	"                    organisation number; and the test staff: case workers\n"
	"                    Sara Berg and Per Lund, a support agent, a manager, and\n"
	"                    the administrators of Oslo katedralskole (Ingrid Dahl)\n"
	"                    and Høgskolen i Molde (Hans Moe)\n"
	"  --registers URL   the registers to take the population from, e.g.\n"
	"                    http://127.0.0.1:8090 (stipend-sim serve)\n"
	"  --persons N       take the register's first N persons (default: all of\n"
	"                    them); fails when it holds fewer\n";

static const char migrate_help[] =
	"Usage: stipend migrate --db FILE\n\n"
	"Apply the schema migrations FILE has not had yet, each in a transaction.\n";

static const char verify_help[] =
	"Usage: stipend verify --db FILE [--checkpoints FILE (--audit-public-key KEY | --audit-key FILE)]\n\n"
	"Walk the audit log's hash chain. Exit status 0 when intact, 1 when a\n"
	"record was changed, removed or inserted (its number is printed).\n\n"
	"The chain alone cannot show that its last records were removed, or that\n"
	"the log was rewritten with every later hash computed again. With\n"
	"--checkpoints it is checked against the signed checkpoints that serve and\n"
	"work append (--audit-key, --checkpoints): every checkpoint's signature,\n"
	"and that the chain still holds each checkpoint's record with the same hash\n"
	"(exit status 1 and the reason when not). Records written after the newest\n"
	"checkpoint are covered by the chain only.\n\n"
	"  --db FILE                the database\n"
	"  --checkpoints FILE       the checkpoint file serve and work append to\n"
	"  --audit-public-key KEY   the key that signed them: 64 hex digits, or the\n"
	"                           FILE.pub that stipend audit-key --out FILE wrote\n"
	"  --audit-key FILE         or the signing key itself (its public half is used)\n";

/* The school year whose enrolments give the demo persons their place of
 * study: the year the portal takes applications for (serve.c). */
#define DEMO_SCHOOL_YEAR "2024-2025"

/* One page of the population register's list, with each person's
 * enrolments, to insert in one transaction. */
struct population_page {
	const struct reg_person_list *list;
	const struct reg_enrolments *enrolments;
	const int *enrolled; /* the schools know the person */
	int64_t first;       /* the register's index of the page's first person */
};

static int insert_page(struct store_tx *tx, void *arg, struct err *e)
{
	const struct population_page *pg = arg;
	for (int i = 0; i < pg->list->n; i++) {
		const struct reg_person *rp = &pg->list->items[i];
		const struct reg_enrolments *en = &pg->enrolments[i];
		struct person p = {0};
		if (rp->address == NULL)
			return err_set(e, ERR_INVALID, "population.address",
				       "the register withheld the address of its person %lld", (long long)(pg->first + i));
		p.nin = rp->nin;
		p.given_name = rp->given_name;
		p.family_name = rp->family_name;
		p.birth_date = rp->birth_date;
		p.address = rp->address->line;
		p.postcode = rp->address->postcode;
		p.city = rp->address->city;
		p.confidential_address = rp->confidential_address;
		if (pg->enrolled[i] && en->n > 0) {
			p.institution = en->items[0].institution;
			p.programme = en->items[0].programme;
		}
		if (store_person_insert(tx, &p, NULL, e) != 0)
			return -1;
	}
	return 0;
}

/* Take the first `persons` persons (all when -1) of the population register
 * at url into s, a page of the register's list at a time, each with its
 * place of study from the schools. The register's order is kept, so the
 * database's persons are the register's in the same order: with
 * stipend-sim, the test login's people are the simulator's. Returns the
 * number taken, or -1 with e filled. */
static int64_t add_population(struct store *s, const char *url, int64_t persons, struct err *e)
{
	/* The agency may hold a strictly confidential address (the policy
	 * decides who sees it), so it asks with the scope that returns it. A
	 * page is a thousand persons, made on the spot by a simulator that may
	 * share the machine with the tests: give it far longer than the
	 * portal's one second. */
	struct reg_options ro = {.timeout_ms = 30000, .scope = "confidential-address"};
	struct reg_client *c = reg_client_new(url, &ro);
	struct arena a;
	int64_t taken = 0, total = persons;
	int rc = 0;
	if (c == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	arena_init(&a, 1 << 20);
	while (total < 0 || taken < total) {
		struct reg_person_list list;
		int64_t want = total < 0 || total - taken > REG_BULK_MAX ? REG_BULK_MAX : total - taken;
		rc = reg_population_list(c, taken, (int)want, &list, &a, e);
		if (rc == 1)
			rc = err_set(e, ERR_IO, "registers", "the population register at %s offers no list of persons", url);
		if (rc != 0)
			break;
		if (total < 0)
			total = list.total;
		if (list.n == 0) {
			if (taken < total)
				rc = err_set(e, ERR_INVALID, "persons", "the population register holds only %lld persons",
					     (long long)taken);
			break;
		}
		const char **nins = arena_alloc(&a, sizeof(*nins) * (size_t)list.n);
		struct reg_enrolments *ens = arena_alloc(&a, sizeof(*ens) * (size_t)list.n);
		int *found = arena_alloc(&a, sizeof(*found) * (size_t)list.n);
		for (int i = 0; i < list.n; i++)
			nins[i] = list.items[i].nin;
		struct population_page pg = {&list, ens, found, taken};
		if ((rc = reg_school_enrolments_many(c, nins, list.n, DEMO_SCHOOL_YEAR, ens, found, &a, e)) != 0 ||
		    (rc = store_write(s, insert_page, &pg, e)) != 0)
			break;
		taken += list.n;
		arena_reset(&a);
	}
	arena_cleanup(&a);
	reg_client_free(c);
	return rc != 0 ? -1 : taken;
}

/* The demo's staff, for the test login: two case workers (one authorised
 * to see confidential addresses, one not), a support agent and a manager;
 * and (#13) the administrators of an upper-secondary school (Oslo
 * katedralskole) and of a university college (Høgskolen i Molde), by the
 * organisation numbers the schools register gives them. */
static int add_test_staff(struct store_tx *tx, void *arg, struct err *e)
{
	(void)arg;
	static const struct staff staff[] = {{0, "sara.berg", "Sara Berg", "caseworker", 1, NULL, 0},
					     {0, "per.lund", "Per Lund", "caseworker", 0, NULL, 0},
					     {0, "siri.hauge", "Siri Hauge", "support", 0, NULL, 0},
					     {0, "mona.vik", "Mona Vik", "management", 0, NULL, 0},
					     {0, "ingrid.dahl", "Ingrid Dahl", "institution", 0, "974600005", 1},
					     {0, "hans.moe", "Hans Moe", "institution", 0, "974706865", 1}};
	for (size_t i = 0; i < sizeof(staff) / sizeof(staff[0]); i++)
		if (store_staff_insert(tx, &staff[i], NULL, e) != 0)
			return -1;
	return 0;
}

/* ---- the schools register's institutions (#13) ---- */

static int put_institutions(struct store_tx *tx, void *arg, struct err *e)
{
	const struct reg_institutions *list = arg;
	for (int i = 0; i < list->n; i++) {
		const struct reg_institution *r = &list->items[i];
		struct institution in = {r->orgnr, r->name, r->level == REG_UPPER_SECONDARY ? "upper-secondary" : "higher"};
		if (store_institution_put(tx, &in, e) != 0)
			return -1;
	}
	return 0;
}

/* Take the schools and institutions of higher education, by organisation
 * number, from the schools register at url. Returns 0 or -1. */
static int add_institutions(struct store *s, const char *url, struct err *e)
{
	struct reg_options ro = {.timeout_ms = 30000};
	struct reg_client *c = reg_client_new(url, &ro);
	struct reg_institutions list;
	struct arena a;
	if (c == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	arena_init(&a, 0);
	int rc = reg_school_institutions(c, &list, &a, e);
	if (rc == 0)
		rc = store_write(s, put_institutions, &list, e);
	arena_cleanup(&a);
	reg_client_free(c);
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

/* Remove a database file and its write-ahead log. */
static void remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char name[4096];
		if (snprintf(name, sizeof(name), "%s%s", path, suffixes[i]) < (int)sizeof(name))
			unlink(name);
	}
}

int cli_init(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {"demo", no_argument, NULL, 'D'},
					     {"registers", required_argument, NULL, 'r'},
					     {"persons", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *db = NULL, *registers = NULL;
	int demo = 0, c, rc;
	int64_t persons = -1, made = 0;
	struct err e;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': db = optarg; break;
		case 'D': demo = 1; break;
		case 'r': registers = optarg; break;
		case 'n':
			persons = strtoll(optarg, &end, 10);
			if (*end || *optarg < '0' || *optarg > '9' || persons < 1 || persons > 100000000) {
				fprintf(stderr, "stipend init: --persons must be a number from 1 to 100000000\n");
				return 2;
			}
			break;
		case 'h': fputs(init_help, stdout); return 0;
		default: fputs(init_help, stderr); return 2;
		}
	}
	if (demo != (registers != NULL) || (persons > 0 && !demo)) {
		fprintf(stderr, "stipend init: --demo takes its population from --registers URL (e.g. stipend-sim "
				"serve), and --registers and --persons go with --demo\n");
		return 2;
	}
	if (db && access(db, F_OK) == 0) {
		fprintf(stderr, "stipend init: %s exists already (use stipend migrate to update it)\n", db);
		return 2;
	}
	struct store *s;
	if ((rc = open_db(db, 0, &s)) != 0)
		return rc;
	rc = 0;
	if (store_migrate(s, NULL, &e) != 0 || (demo && (made = add_population(s, registers, persons, &e)) < 0) ||
	    (demo && add_institutions(s, registers, &e) != 0) ||
	    (demo && store_write(s, add_test_staff, NULL, &e) != 0) ||
	    (demo && faq_seed(s, date_now_unix(), &e) != 0) /* #14: the FAQ's answers */) {
		fprintf(stderr, "stipend init: %s\n", e.message);
		rc = 1;
	} else {
		printf("created %s (schema %d)%s", db, store_schema_expected(), demo ? "" : "\n");
		if (demo)
			printf(" with %lld persons from the population register\n", (long long)made);
	}
	store_close(s);
	/* A database without its demo population is none: remove it, so that
	 * init can run again once the registers answer. */
	if (rc != 0)
		remove_db(db);
	return rc;
}

/* Parse the one option --db of migrate. */
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
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"checkpoints", required_argument, NULL, 'C'},
					     {"audit-public-key", required_argument, NULL, 'P'},
					     {"audit-key", required_argument, NULL, 'K'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *db = NULL, *checkpoints = NULL, *public_key = NULL, *key_path = NULL;
	int rc, c;
	int64_t count = 0, bad = 0;
	unsigned char pk[32];
	char when[21], hex[65];
	struct err e;
	struct store *s;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'C': checkpoints = optarg; break;
		case 'P': public_key = optarg; break;
		case 'K': key_path = optarg; break;
		case 'h': fputs(verify_help, stdout); return 0;
		default: fputs(verify_help, stderr); return 2;
		}
	}
	if (checkpoints != NULL && (public_key == NULL) == (key_path == NULL)) {
		fprintf(stderr, "stipend verify: --checkpoints needs the key that signed them: --audit-public-key KEY or "
				"--audit-key FILE\n");
		return 2;
	}
	if (checkpoints == NULL && (public_key != NULL || key_path != NULL)) {
		fprintf(stderr, "stipend verify: a key goes with --checkpoints FILE\n");
		return 2;
	}
	if (public_key != NULL && audit_public_key_parse(public_key, pk, &e) != 0) {
		fprintf(stderr, "stipend verify: %s\n", e.message);
		return 2;
	}
	if (key_path != NULL) {
		struct audit_key key;
		if (audit_key_load(key_path, 0, &key, NULL, &e) != 0) {
			fprintf(stderr, "stipend verify: %s\n", e.message);
			return e.code == ERR_IO ? 1 : 2;
		}
		memcpy(pk, key.pk, sizeof(pk));
		sodium_memzero(&key, sizeof(key));
	}
	if ((rc = open_db(db, 1, &s)) != 0)
		return rc;
	if (checkpoints != NULL) {
		struct audit_report rep;
		rc = audit_verify_anchored(s, checkpoints, pk, &rep, &e);
		if (rc < 0)
			fprintf(stderr, "stipend verify: %s\n", e.message);
		else if (rc > 0)
			printf("audit log not intact: %s\n", rep.problem);
		else
			printf("audit chain intact: %lld records; %d checkpoint%s signed by %s hold%s, the newest at "
			       "record %lld (%s)\n",
			       (long long)rep.count, rep.checkpoints, rep.checkpoints == 1 ? "" : "s",
			       audit_public_key_hex(pk, hex), rep.checkpoints == 1 ? "s" : "",
			       (long long)rep.newest.seq, date_format_timestamp(rep.newest.at, when));
		store_close(s);
		return rc == 0 ? 0 : 1;
	}
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
