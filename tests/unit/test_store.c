/* test_store.c - the storage interface on SQLite, the audit chain and the
 * authorisation policy: migrations, records round-trip, group commit under
 * concurrent writers, a failing writer that undoes only its own work, a
 * failed COMMIT that fails every writer of its group and keeps nothing of
 * it, and sessions whose tokens the database never holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "access/access.h"
#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/nin.h"
#include "store/store.h"
/* The writer's queue, to gather writers into one group on purpose. */
#include "store/sqlite_internal.h"
#include "testdb.h"

struct fixture {
	struct testdb db;
	struct store *s;
	const char *path;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (testdb_open(&f->db, "store") != 0)
		return -1;
	f->s = f->db.s;
	f->path = f->db.path;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	testdb_close(&f->db);
	free(f);
	return 0;
}

struct new_person {
	const char *nin;
	int64_t id;
};

static int add_person(struct store_tx *tx, void *arg, struct err *e)
{
	struct new_person *np = arg;
	struct person p = {0, np->nin, "Kari", "Nordmann", date_from_ymd(2004, 5, 17), "Storgata 1", "0150", "Oslo",
			   1, "Universitetet i Oslo", "Bachelor i informatikk"};
	return store_person_insert(tx, &p, &np->id, e);
}

static int64_t person(struct store *s, int individual)
{
	struct err e;
	char nin[12];
	while (nin_make(date_from_ymd(2004, 5, 17), individual, 1, nin) != 0)
		individual++;
	struct new_person np = {nin, 0};
	assert_int_equal(store_write(s, add_person, &np, &e), 0);
	return np.id;
}

static void migrations_bring_schema_to_the_expected_version(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int v, applied = -1;
	assert_int_equal(store_schema_version(f->s, &v, &e), 0);
	assert_int_equal(v, store_schema_expected());
	assert_true(v >= 1);
	assert_int_equal(store_migrate(f->s, &applied, &e), 0);
	assert_int_equal(applied, 0);
}

static void person_round_trips_with_confidential_address(void **state)
{
	struct fixture *f = *state;
	struct arena a;
	struct err e;
	struct person p;
	arena_init(&a, 0);
	int64_t id = person(f->s, 100);
	assert_int_equal(store_person_get(f->s, id, &p, &a, &e), 0);
	assert_string_equal(p.family_name, "Nordmann");
	assert_int_equal(p.birth_date, date_from_ymd(2004, 5, 17));
	assert_int_equal(p.confidential_address, 1);
	struct person again;
	assert_int_equal(store_person_by_nin(f->s, p.nin, &again, &a, &e), 0);
	assert_int_equal(again.id, id);
	assert_int_equal(store_person_by_nin(f->s, "00000000000", &again, &a, &e), 1);
	assert_int_equal(store_person_get(f->s, 999999, &again, &a, &e), 1);
	arena_cleanup(&a);
}

static void persons_are_found_by_their_numbers_in_one_read(void **state)
{
	struct fixture *f = *state;
	struct arena a;
	struct err e;
	struct person p1, p2;
	arena_init(&a, 0);
	int64_t id1 = person(f->s, 600), id2 = person(f->s, 700);
	assert_int_equal(store_person_get(f->s, id1, &p1, &a, &e), 0);
	assert_int_equal(store_person_get(f->s, id2, &p2, &a, &e), 0);
	const char *nins[] = {p2.nin, "00000000000", p1.nin, p2.nin};
	int64_t ids[4] = {-1, -1, -1, -1};
	assert_int_equal(store_person_ids_by_nin(f->s, nins, 4, ids, &e), 0);
	assert_int_equal(ids[0], id2);
	assert_int_equal(ids[1], 0);
	assert_int_equal(ids[2], id1);
	assert_int_equal(ids[3], id2);
	const char *bad[] = {"1234\"5678901"};
	assert_int_equal(store_person_ids_by_nin(f->s, bad, 1, ids, &e), -1);
	assert_string_equal(e.field, "nins");
	arena_cleanup(&a);
}

struct case_and_letter {
	int64_t person_id, case_id, letter_id;
};

static int add_case_and_letter(struct store_tx *tx, void *arg, struct err *e)
{
	struct case_and_letter *cl = arg;
	struct case_rec c = {0, cl->person_id, "higher-education", "2024-2025", "decided", "granted", 1000, 1000,
			     "{\"scheme\":\"higher-education\"}", "{\"outcome\":\"granted\"}"};
	if (store_case_insert(tx, &c, &cl->case_id, e) != 0)
		return -1;
	struct letter l = {0, cl->person_id, cl->case_id, "decision", 1000, 0};
	return store_letter_insert(tx, &l, &cl->letter_id, e);
}

static int read_letter(struct store_tx *tx, void *arg, struct err *e)
{
	int *first = arg;
	return store_letter_mark_read(tx, first[1], 2000 + first[1], &first[0], e);
}

static void case_and_letter_round_trip_and_first_reading_is_kept(void **state)
{
	struct fixture *f = *state;
	struct arena a;
	struct err e;
	arena_init(&a, 0);
	struct case_and_letter cl = {person(f->s, 200), 0, 0};
	assert_int_equal(store_write(f->s, add_case_and_letter, &cl, &e), 0);
	struct case_rec c;
	assert_int_equal(store_case_get(f->s, cl.case_id, &c, &a, &e), 0);
	assert_string_equal(c.outcome, "granted");
	assert_string_equal(c.decision_json, "{\"outcome\":\"granted\"}");
	struct case_rec *list;
	assert_int_equal(store_cases_of_person(f->s, cl.person_id, &list, &a, &e), 1);
	struct letter *letters;
	int unread;
	assert_int_equal(store_letters_of_person(f->s, cl.person_id, &letters, &unread, &a, &e), 1);
	assert_int_equal(unread, 1);
	int arg[2] = {0, (int)cl.letter_id};
	assert_int_equal(store_write(f->s, read_letter, arg, &e), 0);
	assert_int_equal(arg[0], 1);
	assert_int_equal(store_write(f->s, read_letter, arg, &e), 0);
	assert_int_equal(arg[0], 0); /* the second reading is not the first */
	struct letter l;
	assert_int_equal(store_letter_get(f->s, cl.letter_id, &l, &a, &e), 0);
	assert_int_equal(l.first_read_at, 2000 + cl.letter_id);
	assert_int_equal(store_letters_of_person(f->s, cl.person_id, &letters, &unread, &a, &e), 1);
	assert_int_equal(unread, 0);
	arena_cleanup(&a);
}

/* ---- group commit ---- */

#define WRITERS 16
#define EACH 25

struct writer_arg {
	struct store *s;
	int64_t person_id;
	int ok;
};

static void *writer(void *p)
{
	struct writer_arg *w = p;
	struct err e;
	for (int i = 0; i < EACH; i++) {
		struct case_and_letter cl = {w->person_id, 0, 0};
		if (store_write(w->s, add_case_and_letter, &cl, &e) == 0 && cl.case_id > 0)
			w->ok++;
	}
	return NULL;
}

static void concurrent_writers_all_commit(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t before, after;
	int64_t pid = person(f->s, 300);
	assert_int_equal(store_case_count(f->s, &before, &e), 0);
	pthread_t t[WRITERS];
	struct writer_arg args[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (struct writer_arg){f->s, pid, 0};
		pthread_create(&t[i], NULL, writer, &args[i]);
	}
	int ok = 0;
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(t[i], NULL);
		ok += args[i].ok;
	}
	assert_int_equal(ok, WRITERS * EACH);
	assert_int_equal(store_case_count(f->s, &after, &e), 0);
	assert_int_equal(after - before, WRITERS * EACH);
}

static int fail_after_insert(struct store_tx *tx, void *arg, struct err *e)
{
	if (add_case_and_letter(tx, arg, e) != 0)
		return -1;
	return err_set(e, ERR_CONFLICT, "x", "changed my mind");
}

struct mixed {
	struct store *s;
	int64_t person_id;
	int fail;
	int rc;
	struct err e;
};

static void *mixed_writer(void *p)
{
	struct mixed *m = p;
	struct case_and_letter cl = {m->person_id, 0, 0};
	m->rc = store_write(m->s, m->fail ? fail_after_insert : add_case_and_letter, &cl, &m->e);
	return NULL;
}

static void failing_writer_undoes_only_its_own_work(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t before, after;
	int64_t pid = person(f->s, 400);
	assert_int_equal(store_case_count(f->s, &before, &e), 0);
	pthread_t t[8];
	struct mixed m[8];
	for (int i = 0; i < 8; i++) {
		m[i] = (struct mixed){f->s, pid, i % 2, 0, {0}};
		pthread_create(&t[i], NULL, mixed_writer, &m[i]);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(m[i].rc, m[i].fail ? -1 : 0);
		if (m[i].fail) {
			assert_int_equal(m[i].e.code, ERR_CONFLICT);
			assert_string_equal(m[i].e.field, "x");
		}
	}
	assert_int_equal(store_case_count(f->s, &after, &e), 0);
	assert_int_equal(after - before, 4);
}

/* ---- a failed commit ----
 *
 * The writer runs each writer of a group in a savepoint and commits once;
 * when that COMMIT fails, every writer whose work succeeded must learn it
 * (its store_write answers -1, ERR_STORE) and nothing of the group may
 * remain: the promise "nothing acknowledged is lost" rests on it. A
 * violation SQLite checks only at COMMIT makes the commit fail: a letter
 * for a person who does not exist, with foreign keys deferred to the end
 * of the transaction. */

struct gate {
	sem_t entered, open;
};

/* Hold the writer thread inside its group until the test opens the gate. */
static int hold_the_writer(struct store_tx *tx, void *arg, struct err *e)
{
	struct gate *g = arg;
	(void)tx;
	(void)e;
	sem_post(&g->entered);
	while (sem_wait(&g->open) != 0)
		;
	return 0;
}

static int doom_the_commit(struct store_tx *tx, void *arg, struct err *e)
{
	(void)arg;
	if (sqlite3_exec(tx->c->db, "PRAGMA defer_foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
		return err_set(e, ERR_STORE, NULL, "defer_foreign_keys");
	struct letter l = {0, 999999, 0, "decision", 1000, 0};
	int64_t id;
	return store_letter_insert(tx, &l, &id, e);
}

/* Writers that queue while the writer is held, so that they commit as one
 * group. */
struct grouped {
	struct store *s;
	store_tx_fn fn;
	void *arg;
	int rc;
	struct err e;
};

static void *grouped_writer(void *p)
{
	struct grouped *g = p;
	g->rc = store_write(g->s, g->fn, g->arg, &g->e);
	return NULL;
}

static int queued(struct store *s)
{
	int n = 0;
	pthread_mutex_lock(&s->mu);
	for (struct job *j = s->head; j != NULL; j = j->next)
		n++;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static int three_records(struct store_tx *tx, void *arg, struct err *e);

static void failed_commit_fails_every_writer_of_its_group_and_keeps_nothing(void **state)
{
	struct fixture *f = *state;
	struct arena a;
	struct err e;
	int64_t cases_before, cases_after, audit_before = 0, audit_after = 0, bad = 0;
	arena_init(&a, 0);
	int64_t pid = person(f->s, 800);
	assert_int_equal(store_case_count(f->s, &cases_before, &e), 0);
	assert_int_equal(audit_verify(f->s, &audit_before, &bad, &e), 0);

	/* The writer is held in a group of its own... */
	struct gate gate;
	sem_init(&gate.entered, 0, 0);
	sem_init(&gate.open, 0, 0);
	struct grouped hold = {f->s, hold_the_writer, &gate, -1, {0}};
	pthread_t holder;
	pthread_create(&holder, NULL, grouped_writer, &hold);
	while (sem_wait(&gate.entered) != 0)
		;

	/* ...while five writers queue for the next one: a case with its
	 * letter, three audit records, a new person, a writer that fails by
	 * itself, and the write that dooms the commit. */
	char nin[12];
	int individual = 900;
	while (nin_make(date_from_ymd(2004, 5, 17), individual, 1, nin) != 0)
		individual++;
	struct case_and_letter cl = {pid, 0, 0}, cl_failing = {pid, 0, 0};
	struct new_person np = {nin, 0};
	struct grouped w[] = {
		{f->s, add_case_and_letter, &cl, 0, {0}},    {f->s, three_records, NULL, 0, {0}},
		{f->s, add_person, &np, 0, {0}},              {f->s, fail_after_insert, &cl_failing, 0, {0}},
		{f->s, doom_the_commit, NULL, 0, {0}},
	};
	enum { N = sizeof(w) / sizeof(w[0]) };
	pthread_t t[N];
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, grouped_writer, &w[i]);
	for (int i = 0; i < 100000 && queued(f->s) < N; i++)
		usleep(100);
	assert_int_equal(queued(f->s), N);
	sem_post(&gate.open);
	pthread_join(holder, NULL);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(hold.rc, 0);

	/* Every writer whose own work succeeded gets the commit's failure;
	 * the one that failed by itself keeps its own error. */
	for (int i = 0; i < N; i++) {
		assert_int_equal(w[i].rc, -1);
		if (w[i].fn == fail_after_insert) {
			assert_int_equal(w[i].e.code, ERR_CONFLICT);
		} else {
			assert_int_equal(w[i].e.code, ERR_STORE);
			assert_non_null(strstr(w[i].e.message, "FOREIGN KEY"));
		}
	}

	/* Nothing of the group remains: no case, no letter, no audit record,
	 * no person. */
	assert_int_equal(store_case_count(f->s, &cases_after, &e), 0);
	assert_int_equal(cases_after, cases_before);
	struct letter *letters;
	int unread;
	assert_int_equal(store_letters_of_person(f->s, pid, &letters, &unread, &a, &e), 0);
	struct person p;
	assert_int_equal(store_person_by_nin(f->s, nin, &p, &a, &e), 1);
	assert_int_equal(audit_verify(f->s, &audit_after, &bad, &e), 0);
	assert_int_equal(audit_after, audit_before);

	/* The store goes on: the next writers commit, the chain is whole. */
	struct case_and_letter again = {pid, 0, 0};
	assert_int_equal(store_write(f->s, add_case_and_letter, &again, &e), 0);
	assert_int_equal(store_write(f->s, three_records, NULL, &e), 0);
	assert_int_equal(store_case_count(f->s, &cases_after, &e), 0);
	assert_int_equal(cases_after, cases_before + 1);
	assert_int_equal(audit_verify(f->s, &audit_after, &bad, &e), 0);
	assert_int_equal(audit_after, audit_before + 3);
	sem_destroy(&gate.entered);
	sem_destroy(&gate.open);
	arena_cleanup(&a);
}

/* ---- audit ---- */

static int three_records(struct store_tx *tx, void *arg, struct err *e)
{
	(void)arg;
	return audit_append(tx, 10, "person:1", "case.read", "case:1", NULL, e) ||
	       audit_append(tx, 11, "rules", "case.decided", "case:1", "outcome=granted\nforged line", e) ||
	       audit_append(tx, 12, "person:2", "letter.read.denied", "letter:1", NULL, e);
}

static void audit_chain_verifies_and_breaks_when_a_record_changes(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t count = 0, bad = 0;
	assert_int_equal(store_write(f->s, three_records, NULL, &e), 0);
	assert_int_equal(audit_verify(f->s, &count, &bad, &e), 0);
	assert_int_equal(count, 3);
	struct arena a;
	struct audit_rec *recs;
	arena_init(&a, 0);
	assert_int_equal(store_audit_of(f->s, "case:1", &recs, &a, &e), 2);
	assert_null(strchr(recs[1].detail, '\n')); /* a newline cannot forge a record */
	assert_string_equal(recs[1].prev_hash, recs[0].hash);
	arena_cleanup(&a);

	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	/* The schema refuses changes to the log... */
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET detail='x' WHERE seq=2", NULL, NULL, NULL), SQLITE_OK);
	/* ...and a change made past it breaks the chain. */
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_update; UPDATE audit SET at=99 WHERE seq=2", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(audit_verify(f->s, &count, &bad, &e), 1);
	assert_int_equal(bad, 2);
}

static int audit_then_maybe_fail(struct store_tx *tx, void *arg, struct err *e)
{
	int fail = *(int *)arg;
	if (audit_append(tx, 20, "person:1", fail ? "doomed" : "kept", "case:9", NULL, e) != 0)
		return -1;
	return fail ? err_set(e, ERR_CONFLICT, NULL, "undo") : 0;
}

static void *audit_writer(void *p)
{
	struct mixed *m = p;
	for (int i = 0; i < 20; i++)
		store_write(m->s, audit_then_maybe_fail, &m->fail, &m->e);
	return NULL;
}

static void audit_chain_stays_whole_when_writers_in_a_group_fail(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t count = 0, bad = 0;
	pthread_t t[8];
	struct mixed m[8];
	for (int i = 0; i < 8; i++) {
		m[i] = (struct mixed){f->s, 0, i % 3 == 0, 0, {0}};
		pthread_create(&t[i], NULL, audit_writer, &m[i]);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(audit_verify(f->s, &count, &bad, &e), 0);
	assert_int_equal(count, 5 * 20); /* 5 of the 8 writers keep their records */
}

/* Play the attacker who can write the database: change record `seq`'s
 * detail and compute its hash and every later one again, as audit.c does. */
static void rewrite_and_rehash(const char *path, int64_t seq, const char *detail)
{
	sqlite3 *db;
	sqlite3_stmt *st, *up;
	char prev[65] = "";
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_update", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, at, actor, action, object, detail, hash FROM audit ORDER BY seq",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?", -1,
					    &up, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(st, 0);
		char text[2048], hash[65];
		unsigned char h[crypto_hash_sha256_BYTES];
		const char *d = n == seq ? detail : (const char *)sqlite3_column_text(st, 5);
		if (n < seq) {
			snprintf(prev, sizeof(prev), "%s", (const char *)sqlite3_column_text(st, 6));
			continue;
		}
		snprintf(text, sizeof(text), "%s\n%lld\n%lld\n%s\n%s\n%s\n%s", prev, (long long)n,
			 (long long)sqlite3_column_int64(st, 1), sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
			 sqlite3_column_text(st, 4), d);
		crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
		sodium_bin2hex(hash, sizeof(hash), h, sizeof(h));
		sqlite3_reset(up);
		sqlite3_bind_text(up, 1, d, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 2, prev, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 3, hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 4, n);
		assert_int_equal(sqlite3_step(up), SQLITE_DONE);
		snprintf(prev, sizeof(prev), "%s", hash);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	sqlite3_close(db);
}

struct anchor_files {
	char key[128], pub[128], cps[128], other[128], other_pub[128];
};

static void anchor_files(const struct fixture *f, struct anchor_files *af)
{
	snprintf(af->key, sizeof(af->key), "%s/audit.key", f->db.dir);
	snprintf(af->pub, sizeof(af->pub), "%s/audit.key.pub", f->db.dir);
	snprintf(af->cps, sizeof(af->cps), "%s/checkpoints", f->db.dir);
	snprintf(af->other, sizeof(af->other), "%s/other.key", f->db.dir);
	snprintf(af->other_pub, sizeof(af->other_pub), "%s/other.key.pub", f->db.dir);
}

static void anchor_files_remove(const struct anchor_files *af)
{
	unlink(af->key);
	unlink(af->pub);
	unlink(af->cps);
	unlink(af->other);
	unlink(af->other_pub);
}

static void checkpoints_hold_an_intact_log_and_the_records_after_them(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct anchor_files af;
	struct audit_key k, loaded;
	struct audit_report rep;
	struct audit_checkpoint cp;
	unsigned char pk[32];
	char hex[65];
	int created = 0;
	anchor_files(f, &af);
	assert_int_equal(audit_key_load(af.key, 1, &k, &created, &e), 0);
	assert_int_equal(created, 1);
	struct stat st;
	assert_int_equal(stat(af.key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(audit_key_load(af.key, 0, &loaded, NULL, &e), 0);
	assert_memory_equal(loaded.pk, k.pk, sizeof(k.pk));
	assert_int_equal(audit_public_key_parse(af.pub, pk, &e), 0);
	assert_memory_equal(pk, k.pk, sizeof(pk));
	assert_int_equal(audit_public_key_parse(audit_public_key_hex(k.pk, hex), pk, &e), 0);
	assert_memory_equal(pk, k.pk, sizeof(pk));

	assert_int_equal(audit_checkpoint(f->s, &k, af.cps, 100, &cp, &e), 0); /* the empty log */
	assert_int_equal(cp.seq, 0);
	assert_int_equal(store_write(f->s, three_records, NULL, &e), 0);
	assert_int_equal(audit_checkpoint(f->s, &k, af.cps, 200, &cp, &e), 0);
	assert_int_equal(cp.seq, 3);
	assert_int_equal(audit_verify_anchored(f->s, af.cps, k.pk, &rep, &e), 0);
	assert_int_equal(rep.checkpoints, 2);
	assert_int_equal(rep.newest.seq, 3);
	assert_int_equal(rep.count, 3);
	/* Records after the newest checkpoint are the chain's to vouch for. */
	assert_int_equal(store_write(f->s, three_records, NULL, &e), 0);
	assert_int_equal(audit_verify_anchored(f->s, af.cps, k.pk, &rep, &e), 0);
	assert_int_equal(rep.count, 6);

	/* A key others may read is refused. */
	chmod(af.key, 0644);
	assert_int_equal(audit_key_load(af.key, 0, &loaded, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	anchor_files_remove(&af);
}

static void checkpoints_find_a_removed_tail_a_rewritten_log_and_a_forged_checkpoint(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct anchor_files af;
	struct audit_key k, other;
	struct audit_report rep;
	int64_t count = 0, bad = 0;
	sqlite3 *db;
	anchor_files(f, &af);
	assert_int_equal(audit_key_create(af.key, &k, &e), 0);
	assert_int_equal(audit_key_create(af.key, &other, &e), -1); /* never overwritten */
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(store_write(f->s, three_records, NULL, &e), 0);
	assert_int_equal(store_write(f->s, three_records, NULL, &e), 0);
	assert_int_equal(audit_checkpoint(f->s, &k, af.cps, 300, NULL, &e), 0);

	/* Rewritten: record 2 changed and every later hash computed again. The
	 * chain alone cannot tell; the checkpoint of record 6 can. */
	rewrite_and_rehash(f->path, 2, "outcome=rejected");
	assert_int_equal(audit_verify(f->s, &count, &bad, &e), 0);
	assert_int_equal(audit_verify_anchored(f->s, af.cps, k.pk, &rep, &e), 1);
	assert_non_null(strstr(rep.problem, "rewritten"));

	/* The tail removed: records 5 and 6 deleted. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq > 4", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(audit_verify(f->s, &count, &bad, &e), 0);
	assert_int_equal(count, 4);
	assert_int_equal(audit_verify_anchored(f->s, af.cps, k.pk, &rep, &e), 1);
	assert_non_null(strstr(rep.problem, "removed"));

	/* A checkpoint signed by another key (the attacker's) is refused. */
	assert_int_equal(audit_key_create(af.other, &other, &e), 0);
	unlink(af.cps);
	assert_int_equal(audit_checkpoint(f->s, &other, af.cps, 400, NULL, &e), 0);
	assert_int_equal(audit_verify_anchored(f->s, af.cps, k.pk, &rep, &e), 1);
	assert_non_null(strstr(rep.problem, "bad signature"));
	anchor_files_remove(&af);
}

/* ---- sessions and policy ---- */

static void session_token_opens_session_and_database_holds_only_its_hash(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct arena a;
	struct principal who;
	char token[ACCESS_TOKEN_LEN + 1];
	arena_init(&a, 0);
	assert_int_equal(access_init(f->s, &e), 0);
	int64_t pid = person(f->s, 500);
	assert_int_equal(access_session_start(f->s, pid, ROLE_PERSON, 1000, 3600, token, &e), 0);
	assert_int_equal(strlen(token), ACCESS_TOKEN_LEN);
	assert_int_equal(access_session_find(f->s, token, 1001, &who, &a, &e), 0);
	assert_int_equal(who.person_id, pid);
	assert_int_equal(who.role, ROLE_PERSON);
	assert_int_equal(access_session_find(f->s, token, 1000 + 3600, &who, &a, &e), 1); /* expired */

	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sessions WHERE key_hash = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);

	assert_int_equal(access_session_end(f->s, token, &e), 0);
	assert_int_equal(access_session_find(f->s, token, 1001, &who, &a, &e), 1);
	arena_cleanup(&a);
}

static void csrf_token_belongs_to_its_session(void **state)
{
	struct fixture *f = *state;
	struct err e;
	char t1[ACCESS_TOKEN_LEN + 1], t2[ACCESS_TOKEN_LEN + 1], c1[65];
	assert_int_equal(access_init(f->s, &e), 0);
	access_new_token(t1);
	access_new_token(t2);
	access_csrf(t1, c1);
	assert_true(access_csrf_ok(t1, c1));
	assert_false(access_csrf_ok(t2, c1));
	assert_false(access_csrf_ok(t1, NULL));
	assert_false(access_csrf_ok(t1, "00"));
}

static void a_login_ends_the_session_it_came_with(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct arena a;
	struct principal who;
	char first[ACCESS_TOKEN_LEN + 1], second[ACCESS_TOKEN_LEN + 1], nin[12];
	arena_init(&a, 0);
	assert_int_equal(access_init(f->s, &e), 0);
	int64_t kari = person(f->s, 600);
	assert_int_equal(access_session_start(f->s, kari, ROLE_PERSON, 1000, 3600, first, &e), 0);
	int individual = 610;
	while (nin_make(date_from_ymd(2004, 5, 17), individual, 1, nin) != 0)
		individual++;
	int64_t ola = person(f->s, individual);
	assert_int_equal(access_login_test_person(f->s, nin, first, 1001, 3600, second, &e), 0);
	assert_int_equal(access_session_find(f->s, second, 1002, &who, &a, &e), 0);
	assert_int_equal(who.person_id, ola);
	assert_int_equal(access_session_find(f->s, first, 1002, &who, &a, &e), 1); /* ended */
	assert_int_equal(who.role, ROLE_ANONYMOUS);
	/* Unknown and malformed numbers start nothing. */
	assert_int_equal(access_login_test_person(f->s, "01010100000", second, 1003, 3600, first, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(access_session_find(f->s, second, 1004, &who, &a, &e), 0);
	arena_cleanup(&a);
}

static void pre_token_is_one_the_server_issued(void **state)
{
	struct fixture *f = *state;
	struct err e;
	char pre[ACCESS_TOKEN_LEN + 1], planted[ACCESS_TOKEN_LEN + 1];
	assert_int_equal(access_init(f->s, &e), 0);
	access_pre_token(pre);
	assert_int_equal(strlen(pre), ACCESS_TOKEN_LEN);
	assert_true(access_pre_ok(pre));
	access_new_token(planted); /* 43 characters of the right alphabet */
	assert_false(access_pre_ok(planted));
	pre[5] = pre[5] == 'A' ? 'B' : 'A';
	assert_false(access_pre_ok(pre));
	assert_false(access_pre_ok(NULL));
	assert_false(access_pre_ok("short"));
}

static void person_sees_only_own_cases_and_letters(void **state)
{
	(void)state;
	struct principal kari = {ROLE_PERSON, 7}, anon = {ROLE_ANONYMOUS, 0};
	assert_true(access_allowed(&kari, ACT_CASE_READ, 7));
	assert_true(access_allowed(&kari, ACT_LETTER_READ, 7));
	assert_false(access_allowed(&kari, ACT_CASE_READ, 8));
	assert_false(access_allowed(&kari, ACT_LETTER_READ, 8));
	assert_false(access_allowed(&anon, ACT_CASE_READ, 0));
	assert_false(access_allowed(&anon, ACT_APPLY, 0));
}

static void messages_and_documents_go_between_the_person_and_case_workers_only(void **state)
{
	(void)state;
	struct principal kari = {ROLE_PERSON, 7, 0, 0}, worker = {ROLE_CASEWORKER, 0, 3, 0};
	assert_true(access_allowed(&kari, ACT_MESSAGE_WRITE, 7));
	assert_true(access_allowed(&kari, ACT_DOCUMENT_UPLOAD, 7));
	assert_false(access_allowed(&kari, ACT_MESSAGE_WRITE, 8));
	assert_false(access_allowed(&kari, ACT_DOCUMENT_UPLOAD, 8));
	assert_false(access_allowed(&kari, ACT_MESSAGE_ANSWER, 7));
	assert_false(access_allowed(&kari, ACT_DOCUMENT_READ, 7));
	assert_true(access_allowed(&worker, ACT_MESSAGE_ANSWER, 7));
	assert_true(access_allowed(&worker, ACT_DOCUMENT_READ, 7));
	assert_false(access_allowed(&worker, ACT_MESSAGE_WRITE, 7));
	assert_false(access_allowed(&worker, ACT_DOCUMENT_UPLOAD, 7));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(migrations_bring_schema_to_the_expected_version, setup, teardown),
		cmocka_unit_test_setup_teardown(person_round_trips_with_confidential_address, setup, teardown),
		cmocka_unit_test_setup_teardown(persons_are_found_by_their_numbers_in_one_read, setup, teardown),
		cmocka_unit_test_setup_teardown(case_and_letter_round_trip_and_first_reading_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_writers_all_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(failing_writer_undoes_only_its_own_work, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_commit_fails_every_writer_of_its_group_and_keeps_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(audit_chain_verifies_and_breaks_when_a_record_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(audit_chain_stays_whole_when_writers_in_a_group_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(session_token_opens_session_and_database_holds_only_its_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(csrf_token_belongs_to_its_session, setup, teardown),
		cmocka_unit_test_setup_teardown(checkpoints_hold_an_intact_log_and_the_records_after_them, setup, teardown),
		cmocka_unit_test_setup_teardown(checkpoints_find_a_removed_tail_a_rewritten_log_and_a_forged_checkpoint, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_login_ends_the_session_it_came_with, setup, teardown),
		cmocka_unit_test_setup_teardown(pre_token_is_one_the_server_issued, setup, teardown),
		cmocka_unit_test(person_sees_only_own_cases_and_letters),
		cmocka_unit_test(messages_and_documents_go_between_the_person_and_case_workers_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
