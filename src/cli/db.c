/* db.c - `stipend init`, `stipend migrate` and `stipend verify`: creating a
 * database, bringing its schema up to date, and checking the audit chain;
 * and the synthetic demo population that `init --demo` adds. */
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
#include "registers/synth.h"
#include "store/store.h"

static const char init_help[] =
	"Usage: stipend init --db FILE [--demo] [--persons N] [--seed S]\n\n"
	"Create the database FILE (SQLite) with the current schema.\n\n"
	"  --db FILE     the database file to create (must not exist)\n"
	"  --demo        add a synthetic population for demos and tests (people\n"
	"                with synthetic test national identity numbers): the one\n"
	"                `stipend registers serve` serves with the same --persons\n"
	"                and --seed\n"
	"  --persons N   the population's size (default 200)\n"
	"  --seed S      the population's seed (default 7): same seed, same people\n";

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

struct population {
	int persons;
	uint64_t seed;
	int made;
};

/* The register simulator's population (registers/synth.h): with the same
 * --persons and --seed the database holds the very people the registers
 * know, in the same order, so that the test login's people exist there. */
static int add_population(struct store_tx *tx, void *arg, struct err *e)
{
	struct population *pop = arg;
	for (int i = 0; i < pop->persons; i++) {
		struct synth_person sp;
		if (synth_person(pop->seed, i, &sp) != 0)
			return err_set(e, ERR_INVALID, "persons", "at most %d persons", SYNTH_MAX_PERSONS);
		struct person p = {0};
		p.nin = sp.nin;
		p.given_name = sp.given_name;
		p.family_name = sp.family_name;
		p.birth_date = sp.birth_date;
		p.address = sp.address_line;
		p.postcode = sp.place->postcode;
		p.city = sp.place->city;
		p.confidential_address = sp.confidential_address;
		p.institution = sp.institution ? sp.institution->name : NULL;
		p.programme = sp.programme;
		if (store_person_insert(tx, &p, NULL, e) != 0)
			return -1;
		pop->made++;
	}
	return 0;
}

/* The demo's case workers, for the test login: one authorised to see
 * confidential addresses, one not. */
static int add_test_staff(struct store_tx *tx, void *arg, struct err *e)
{
	(void)arg;
	static const struct staff staff[] = {{0, "sara.berg", "Sara Berg", "caseworker", 1},
					     {0, "per.lund", "Per Lund", "caseworker", 0}};
	for (size_t i = 0; i < sizeof(staff) / sizeof(staff[0]); i++)
		if (store_staff_insert(tx, &staff[i], NULL, e) != 0)
			return -1;
	return 0;
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
			if (*end || pop.persons < 1 || pop.persons > SYNTH_MAX_PERSONS) {
				fprintf(stderr, "stipend init: --persons must be a number from 1 to %d\n", SYNTH_MAX_PERSONS);
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
	if (store_migrate(s, NULL, &e) != 0 || (demo && store_write(s, add_population, &pop, &e) != 0) ||
	    (demo && store_write(s, add_test_staff, NULL, &e) != 0)) {
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
