/* sqlite.c - the storage interface on SQLite 3 (WAL, synchronous=FULL).
 *
 * One writer thread owns the only writing connection and commits in groups:
 * callers of store_write() queue their function and sleep; the writer takes
 * every queued function, runs each in a savepoint of one transaction, commits
 * once (one fsync for the group), then wakes each caller, and only that
 * caller, through its own semaphore: a broadcast would wake every waiting
 * thread for every group, and context switches are what a loaded server
 * spends most on. Reads use a pool of connections, each with a cache of prepared
 * statements keyed by the SQL text's address (the SQL is always a literal). */
#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/embed.h"
#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "store/ledger.h"
#include "store/sqlite_internal.h"
#include "store/store.h"

int sq_db_error(struct err *e, sqlite3 *db, const char *what)
{
	return err_set(e, ERR_STORE, NULL, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

static struct conn *conn_open(const char *path, struct err *e)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		err_set(e, ERR_STORE, NULL, "out of memory");
		return NULL;
	}
	int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sq_db_error(e, c->db, path);
		goto fail;
	}
	sqlite3_busy_timeout(c->db, 10000);
	if (sqlite3_exec(c->db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			 "PRAGMA temp_store=MEMORY;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		sq_db_error(e, c->db, "pragmas");
		goto fail;
	}
	return c;
fail:
	sqlite3_close(c->db);
	free(c);
	return NULL;
}

static void conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->n; i++)
		sqlite3_finalize(c->cache[i].st);
	sqlite3_close(c->db);
	free(c);
}

/* The prepared statement for sql (a literal), reset and unbound. */
sqlite3_stmt *sq_prep(struct conn *c, const char *sql, struct err *e)
{
	for (int i = 0; i < c->n; i++)
		if (c->cache[i].sql == sql) {
			sqlite3_reset(c->cache[i].st);
			sqlite3_clear_bindings(c->cache[i].st);
			return c->cache[i].st;
		}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sq_db_error(e, c->db, "prepare");
		return NULL;
	}
	if (c->n < STMT_CACHE) {
		c->cache[c->n].sql = sql;
		c->cache[c->n].st = st;
		c->n++;
	} else {
		/* The cache is sized for every statement in the store. */
		log_error("store: statement cache full");
	}
	return st;
}

struct conn *sq_reader(struct store *s, struct err *e)
{
	pthread_mutex_lock(&s->pool_mu);
	struct conn *c = s->pool;
	if (c != NULL)
		s->pool = c->next;
	pthread_mutex_unlock(&s->pool_mu);
	return c != NULL ? c : conn_open(s->path, e);
}

void sq_reader_done(struct store *s, struct conn *c)
{
	pthread_mutex_lock(&s->pool_mu);
	c->next = s->pool;
	s->pool = c;
	pthread_mutex_unlock(&s->pool_mu);
}

/* Run a cached statement that returns no rows (transaction control). */
static int run_cached(struct conn *c, const char *sql, struct err *e)
{
	sqlite3_stmt *st = sq_prep(c, sql, e);
	if (st == NULL)
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : sq_db_error(e, c->db, sql);
}

static int exec(struct conn *c, const char *sql, struct err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, ERR_STORE, NULL, "%s", msg ? msg : sqlite3_errmsg(c->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* ---- the writer ---- */

static void run_group(struct store *s, struct job *jobs)
{
	static const char begin[] = "BEGIN IMMEDIATE", commit[] = "COMMIT", rollback[] = "ROLLBACK",
			  savepoint[] = "SAVEPOINT job", release[] = "RELEASE job", undo[] = "ROLLBACK TO job";
	struct err e;
	struct store_tx tx = {s, s->wconn, 0, 0, ""};
	double t0 = metrics_clock(); /* #14: commit latency for /metrics */
	int began = run_cached(s->wconn, begin, &e) == 0;
	for (struct job *j = jobs; j != NULL; j = j->next) {
		if (!began) {
			j->rc = -1;
			*j->e = e;
			continue;
		}
		struct store_tx before = tx;
		run_cached(s->wconn, savepoint, &e);
		err_clear(j->e);
		j->rc = j->fn(&tx, j->arg, j->e);
		if (j->rc != 0) {
			if (j->e->code == ERR_NONE)
				err_set(j->e, ERR_INTERNAL, NULL, "write failed");
			run_cached(s->wconn, undo, &e);
			tx = before; /* the audit records it appended are undone too */
		}
		run_cached(s->wconn, release, &e);
	}
	if (began && run_cached(s->wconn, commit, &e) != 0) {
		run_cached(s->wconn, rollback, NULL);
		for (struct job *j = jobs; j != NULL; j = j->next)
			if (j->rc == 0) {
				j->rc = -1;
				*j->e = e;
			}
	}
	if (began)
		metrics_commit(metrics_clock() - t0);
}

static void *writer_main(void *arg)
{
	struct store *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->head == NULL && !s->stopping)
			pthread_cond_wait(&s->work, &s->mu);
		if (s->head == NULL)
			break;
		struct job *jobs = s->head;
		/* A job with foreign keys off runs in a group of its own (the
		 * pragma is a no-op inside a transaction): a group ends before it. */
		struct job *last = jobs;
		if (!jobs->fk_off)
			while (last->next != NULL && !last->next->fk_off)
				last = last->next;
		s->head = last->next;
		if (s->head == NULL)
			s->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&s->mu);
		if (jobs->fk_off)
			exec(s->wconn, "PRAGMA foreign_keys = OFF", jobs->e);
		run_group(s, jobs);
		if (jobs->fk_off)
			exec(s->wconn, "PRAGMA foreign_keys = ON", jobs->e);
		for (struct job *j = jobs; j != NULL;) {
			struct job *next = j->next; /* j vanishes once posted */
			sem_post(&j->done);
			j = next;
		}
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int submit(struct store *s, store_tx_fn fn, void *arg, int fk_off, struct err *e)
{
	struct err local;
	struct job j = {.fn = fn, .arg = arg, .e = e ? e : &local, .fk_off = fk_off};
	sem_init(&j.done, 0, 0);
	pthread_mutex_lock(&s->mu);
	if (s->tail)
		s->tail->next = &j;
	else
		s->head = &j;
	s->tail = &j;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->mu);
	while (sem_wait(&j.done) != 0)
		; /* interrupted by a signal: keep waiting */
	sem_destroy(&j.done);
	return j.rc;
}

int store_write(struct store *s, store_tx_fn fn, void *arg, struct err *e)
{
	return submit(s, fn, arg, 0, e);
}

int store_write_bulk(struct store *s, store_tx_fn fn, void *arg, struct err *e)
{
	return submit(s, fn, arg, 1, e);
}

struct store *store_open(const char *path, struct err *e)
{
	struct store *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		err_set(e, ERR_STORE, NULL, "out of memory");
		return NULL;
	}
	s->wconn = conn_open(path, e);
	if (s->wconn == NULL) {
		free(s->path);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_cond_init(&s->work, NULL);
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
		conn_close(s->wconn);
		free(s->path);
		free(s);
		err_set(e, ERR_STORE, NULL, "cannot start the writer thread");
		return NULL;
	}
	return s;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->writer, NULL);
	conn_close(s->wconn);
	while (s->pool) {
		struct conn *next = s->pool->next;
		conn_close(s->pool);
		s->pool = next;
	}
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_cond_destroy(&s->work);
	free(s->path);
	free(s);
}

/* ---- migrations ---- */

#define FK_OFF_MARK "-- foreign keys off"

struct migration {
	int version;
	const struct embed_file *file;
};

/* The compiled-in migrations, "src/store/migrations/NNNN_name.sql", in
 * order (the embedded table is sorted by name). */
static int migrations(struct migration *out, int max)
{
	int n = 0;
	for (const struct embed_file *f = embed_files; f->name != NULL && n < max; f++) {
		const char *prefix = "src/store/migrations/";
		size_t len = strlen(prefix);
		if (strncmp(f->name, prefix, len) != 0)
			continue;
		char *end;
		long v = strtol(f->name + len, &end, 10);
		if (v <= 0 || *end != '_')
			continue;
		out[n].version = (int)v;
		out[n].file = f;
		n++;
	}
	return n;
}

int store_schema_expected(void)
{
	struct migration m[64];
	int n = migrations(m, 64);
	return n > 0 ? m[n - 1].version : 0;
}

static int migrate_one(struct store_tx *tx, void *arg, struct err *e)
{
	const struct migration *m = arg;
	if (exec(tx->c, (const char *)m->file->data, e) != 0) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s", e->message);
		return err_set(e, ERR_STORE, NULL, "%s: %s", m->file->name, msg);
	}
	/* A rebuild with foreign keys off must leave every reference whole. */
	sqlite3_stmt *check;
	if (sqlite3_prepare_v2(tx->c->db, "PRAGMA foreign_key_check", -1, &check, NULL) != SQLITE_OK)
		return sq_db_error(e, tx->c->db, "foreign key check");
	int broken = sqlite3_step(check) == SQLITE_ROW;
	sqlite3_finalize(check);
	if (broken)
		return err_set(e, ERR_STORE, NULL, "%s leaves a broken foreign key", m->file->name);
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, m->version);
	sqlite3_bind_text(st, 2, m->file->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "record migration");
	return 0;
}

static int ensure_migrations_table(struct store_tx *tx, void *arg, struct err *e)
{
	(void)arg;
	return exec(tx->c, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
			   "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')))",
		    e);
}

int store_schema_version(struct store *s, int *version, struct err *e)
{
	struct conn *c = sq_reader(s, e);
	if (c == NULL)
		return -1;
	int rc = 0;
	sqlite3_stmt *st;
	*version = 0;
	/* Not cached: the table may not exist yet, and then prepare fails. */
	if (sqlite3_prepare_v2(c->db, "SELECT max(version) FROM schema_migrations", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			*version = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sq_reader_done(s, c);
	return rc;
}

int store_migrate(struct store *s, int *applied, struct err *e)
{
	struct migration m[64];
	int n = migrations(m, 64), have, count = 0;
	if (store_write(s, ensure_migrations_table, NULL, e) != 0 || store_schema_version(s, &have, e) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (m[i].version <= have)
			continue;
		/* A migration that rebuilds a table says so on its first line,
		 * and runs with foreign keys off (SQLite's documented way). */
		int fk_off = strncmp((const char *)m[i].file->data, FK_OFF_MARK, strlen(FK_OFF_MARK)) == 0;
		if (submit(s, migrate_one, &m[i], fk_off, e) != 0)
			return -1;
		log_info("store: applied migration %s", m[i].file->name);
		count++;
	}
	if (applied)
		*applied = count;
	return 0;
}

/* ---- reading rows ---- */

const char *sq_col_str(sqlite3_stmt *st, int i, struct arena *a)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

void sq_bind_day(sqlite3_stmt *st, int i, int32_t d)
{
	char day[11];
	if (d == LOAN_NO_DATE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, date_format(d, day), -1, SQLITE_TRANSIENT);
}

int32_t sq_col_day(sqlite3_stmt *st, int i)
{
	date_t d;
	const unsigned char *t = sqlite3_column_text(st, i);
	return t != NULL && date_parse((const char *)t, &d) == 0 ? d : LOAN_NO_DATE;
}

void sq_bind_id_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

void sq_bind_str(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Run a sq_query on a pooled sq_reader: bind() binds the parameters, row() takes
 * each row; returns the row count or -1. */

int sq_query(struct store *s, const char *sql, bind_fn bind, const void *barg, row_fn row, void *out,
		 int max, struct arena *a, struct err *e)
{
	struct conn *c = sq_reader(s, e);
	if (c == NULL)
		return -1;
	int n = 0, rc;
	sqlite3_stmt *st = sq_prep(c, sql, e);
	if (st == NULL) {
		sq_reader_done(s, c);
		return -1;
	}
	bind(st, barg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n >= max)
			break;
		if (row(st, out, n, a) != 0)
			break;
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sq_db_error(e, c->db, "sq_query");
		n = -1;
	}
	sqlite3_reset(st);
	sq_reader_done(s, c);
	return n;
}

void sq_bind_id(sqlite3_stmt *st, const void *arg)
{
	sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
}

void sq_bind_text(sqlite3_stmt *st, const void *arg)
{
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
}

/* ---- persons ---- */

#define PERSON_COLS "id, nin, given_name, family_name, birth_date, address, postcode, city, " \
		    "confidential_address, institution, programme"

static int person_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct person *p = (struct person *)out + i;
	p->id = sqlite3_column_int64(st, 0);
	p->nin = sq_col_str(st, 1, a);
	p->given_name = sq_col_str(st, 2, a);
	p->family_name = sq_col_str(st, 3, a);
	if (date_parse((const char *)sqlite3_column_text(st, 4), &p->birth_date) != 0)
		p->birth_date = 0;
	p->address = sq_col_str(st, 5, a);
	p->postcode = sq_col_str(st, 6, a);
	p->city = sq_col_str(st, 7, a);
	p->confidential_address = sqlite3_column_int(st, 8);
	p->institution = sq_col_str(st, 9, a);
	p->programme = sq_col_str(st, 10, a);
	return 0;
}

int store_person_by_nin(struct store *s, const char *nin, struct person *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " PERSON_COLS " FROM persons WHERE nin = ?", sq_bind_text, nin, person_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_person_get(struct store *s, int64_t id, struct person *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " PERSON_COLS " FROM persons WHERE id = ?", sq_bind_id, &id, person_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

struct nin_list {
	const char *json;
};

static void bind_nin_list(sqlite3_stmt *st, const void *arg)
{
	sqlite3_bind_text(st, 1, ((const struct nin_list *)arg)->json, -1, SQLITE_STATIC);
}

struct found_ids {
	int64_t *ids;
	int n;
};

static int found_id_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	(void)a;
	struct found_ids *f = out;
	int64_t k = sqlite3_column_int64(st, 0);
	if (k >= 0 && k < f->n)
		f->ids[k] = sqlite3_column_int64(st, 1);
	return 0;
}

int store_person_ids_by_nin(struct store *s, const char *const *nins, int n, int64_t *ids, struct err *e)
{
	char json[STORE_NINS_AT_ONCE * 14 + 3];
	size_t len = 0;
	if (n < 0 || n > STORE_NINS_AT_ONCE)
		return err_set(e, ERR_INVALID, "nins", "from 0 to %d numbers at once", STORE_NINS_AT_ONCE);
	json[len++] = '[';
	for (int i = 0; i < n; i++) {
		ids[i] = 0;
		if (strlen(nins[i]) != 11 || strspn(nins[i], "0123456789") != 11)
			return err_set(e, ERR_INVALID, "nins", "a number is not 11 digits");
		len += (size_t)snprintf(json + len, sizeof(json) - len, "%s\"%s\"", i ? "," : "", nins[i]);
	}
	json[len++] = ']';
	json[len] = '\0';
	struct nin_list list = {json};
	struct found_ids f = {ids, n};
	/* The index on nin holds the id: no row of the table is read. */
	return sq_query(s, "SELECT j.key, p.id FROM json_each(?1) AS j JOIN persons AS p ON p.nin = j.value",
			bind_nin_list, &list, found_id_row, &f, n, NULL, e) < 0
		       ? -1
		       : 0;
}

static void bind_limit(sqlite3_stmt *st, const void *arg)
{
	sqlite3_bind_int(st, 1, *(const int *)arg);
}

int store_persons_list(struct store *s, int limit, struct person **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
	return sq_query(s, "SELECT " PERSON_COLS " FROM persons ORDER BY id LIMIT ?", bind_limit, &limit, person_row,
		     *out, limit, a, e);
}

int sq_step_insert(struct store_tx *tx, sqlite3_stmt *st, int64_t *id, const char *what, struct err *e)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, what);
	if (id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	return 0;
}

int store_person_insert(struct store_tx *tx, const struct person *p, int64_t *id, struct err *e)
{
	char day[11];
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO persons(nin, given_name, family_name, birth_date, address, "
				       "postcode, city, confidential_address, institution, programme) "
				       "VALUES (?,?,?,?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, p->nin);
	sq_bind_str(st, 2, p->given_name);
	sq_bind_str(st, 3, p->family_name);
	sqlite3_bind_text(st, 4, date_format(p->birth_date, day), -1, SQLITE_TRANSIENT);
	sq_bind_str(st, 5, p->address);
	sq_bind_str(st, 6, p->postcode);
	sq_bind_str(st, 7, p->city);
	sqlite3_bind_int(st, 8, p->confidential_address);
	sq_bind_str(st, 9, p->institution);
	sq_bind_str(st, 10, p->programme);
	return sq_step_insert(tx, st, id, "insert person", e);
}

/* ---- cases ---- */

/* The current decision and its facts come from the decisions table. */
#define CASE_COLS "cases.id, person_id, scheme, school_year, status, cases.outcome, received_at, " \
		  "coalesce(cases.decided_at, 0), application_json, d.decision_json, d.facts_json, waiting_for"
#define CASE_FROM "cases LEFT JOIN decisions d ON d.case_id = cases.id AND d.superseded_at IS NULL"

static int case_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct case_rec *c = (struct case_rec *)out + i;
	c->id = sqlite3_column_int64(st, 0);
	c->person_id = sqlite3_column_int64(st, 1);
	c->scheme = sq_col_str(st, 2, a);
	c->school_year = sq_col_str(st, 3, a);
	c->status = sq_col_str(st, 4, a);
	c->outcome = sq_col_str(st, 5, a);
	c->received_at = sqlite3_column_int64(st, 6);
	c->decided_at = sqlite3_column_int64(st, 7);
	c->application_json = sq_col_str(st, 8, a);
	c->decision_json = sq_col_str(st, 9, a);
	c->facts_json = sq_col_str(st, 10, a);
	c->waiting_for = sq_col_str(st, 11, a);
	return 0;
}

int store_case_get(struct store *s, int64_t id, struct case_rec *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " CASE_COLS " FROM " CASE_FROM " WHERE cases.id = ?", sq_bind_id, &id, case_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

/* Lists grow in the arena: at most this many rows a page. */

int store_cases_of_person(struct store *s, int64_t person_id, struct case_rec **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " CASE_COLS " FROM " CASE_FROM " WHERE person_id = ? ORDER BY cases.id DESC", sq_bind_id, &person_id,
		     case_row, *out, LIST_MAX, a, e);
}

/* Keep a decision, superseding the case's earlier ones (a new case has
 * none: supersede 0 spares the look). */
static int insert_decision(struct store_tx *tx, int64_t case_id, int supersede, int64_t at, const char *outcome,
			   const char *decision_json, const char *facts_json, struct err *e)
{
	sqlite3_stmt *st;
	if (supersede) {
		st = sq_prep(tx->c, "UPDATE decisions SET superseded_at = ? WHERE case_id = ? AND superseded_at IS NULL", e);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, at);
		sqlite3_bind_int64(st, 2, case_id);
		if (sq_step_insert(tx, st, NULL, "supersede decision", e) != 0)
			return -1;
	}
	st = sq_prep(tx->c, "INSERT INTO decisions(case_id, decided_at, outcome, decision_json, facts_json) VALUES (?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, at);
	sq_bind_str(st, 3, outcome);
	sq_bind_str(st, 4, decision_json);
	sq_bind_str(st, 5, facts_json);
	return sq_step_insert(tx, st, NULL, "insert decision", e);
}

int store_case_insert(struct store_tx *tx, const struct case_rec *c, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO cases(person_id, scheme, school_year, status, outcome, "
				       "received_at, decided_at, application_json, waiting_for, intake) "
				       "VALUES (?,?,?,?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->person_id);
	sq_bind_str(st, 2, c->scheme);
	sq_bind_str(st, 3, c->school_year);
	sq_bind_str(st, 4, c->status);
	sq_bind_str(st, 5, c->outcome);
	sqlite3_bind_int64(st, 6, c->received_at);
	if (c->decided_at)
		sqlite3_bind_int64(st, 7, c->decided_at);
	sq_bind_str(st, 8, c->application_json);
	sq_bind_str(st, 9, c->waiting_for);
	sq_bind_str(st, 10, c->intake);
	if (sqlite3_step(st) != SQLITE_DONE) {
		/* The only unique key a new case can break is its intake tag. */
		if (c->intake != NULL && sqlite3_extended_errcode(tx->c->db) == SQLITE_CONSTRAINT_UNIQUE)
			return err_set(e, ERR_CONFLICT, "intake", "this intake's case is stored already");
		return sq_db_error(e, tx->c->db, "insert case");
	}
	*id = sqlite3_last_insert_rowid(tx->c->db);
	if (c->decision_json == NULL)
		return 0;
	return insert_decision(tx, *id, 0, c->decided_at, c->outcome, c->decision_json, c->facts_json, e);
}

int store_case_decide(struct store_tx *tx, int64_t case_id, const char *status, const char *outcome,
		      int64_t decided_at, const char *decision_json, const char *facts_json, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE cases SET status = ?, outcome = ?, decided_at = ?, waiting_for = NULL "
				       "WHERE id = ?", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, status);
	sq_bind_str(st, 2, outcome);
	sqlite3_bind_int64(st, 3, decided_at);
	sqlite3_bind_int64(st, 4, case_id);
	if (sq_step_insert(tx, st, NULL, "decide case", e) != 0)
		return -1;
	if (sqlite3_changes(tx->c->db) != 1)
		return err_set(e, ERR_NOT_FOUND, NULL, "no case %lld", (long long)case_id);
	return insert_decision(tx, case_id, 1, decided_at, outcome, decision_json, facts_json, e);
}

int store_case_redecide(struct store_tx *tx, const struct case_rec *was, const char *status, const char *outcome,
			int64_t decided_at, const char *decision_json, const char *facts_json, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE cases SET status = ?, outcome = ?, decided_at = ? "
					  "WHERE id = ? AND status = ? AND decided_at IS ?", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, status);
	sq_bind_str(st, 2, outcome);
	sqlite3_bind_int64(st, 3, decided_at);
	sqlite3_bind_int64(st, 4, was->id);
	sq_bind_str(st, 5, was->status);
	if (was->decided_at)
		sqlite3_bind_int64(st, 6, was->decided_at);
	if (sq_step_insert(tx, st, NULL, "decide case again", e) != 0)
		return -1;
	if (sqlite3_changes(tx->c->db) != 1)
		return err_set(e, ERR_CONFLICT, NULL, "case %lld changed meanwhile", (long long)was->id);
	return insert_decision(tx, was->id, 1, decided_at, outcome, decision_json, facts_json, e);
}

int store_case_set_waiting(struct store_tx *tx, int64_t case_id, const char *waiting_for, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE cases SET waiting_for = ? WHERE id = ?", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, waiting_for);
	sqlite3_bind_int64(st, 2, case_id);
	return sq_step_insert(tx, st, NULL, "case waiting", e);
}

static int decision_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct case_rec *c = (struct case_rec *)out + i;
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->decided_at = sqlite3_column_int64(st, 1);
	c->outcome = sq_col_str(st, 2, a);
	c->decision_json = sq_col_str(st, 3, a);
	c->facts_json = sq_col_str(st, 4, a);
	/* received_at carries when the decision was superseded (0: current) */
	c->received_at = sqlite3_column_int64(st, 5);
	return 0;
}

struct latest_facts {
	const char *json;
	int64_t at;
};

static int latest_facts_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	struct latest_facts *l = out;
	l->json = sq_col_str(st, 0, a);
	l->at = sqlite3_column_int64(st, 1);
	return 0;
}

int store_person_latest_facts(struct store *s, int64_t person_id, const char **facts_json, int64_t *decided_at,
			      struct arena *a, struct err *e)
{
	struct latest_facts l = {NULL, 0};
	int n = sq_query(s, "SELECT d.facts_json, d.decided_at FROM decisions d JOIN cases c ON c.id = d.case_id "
			 "WHERE c.person_id = ? AND d.facts_json IS NOT NULL ORDER BY d.id DESC LIMIT 1",
		      sq_bind_id, &person_id, latest_facts_row, &l, 1, a, e);
	if (n < 0)
		return -1;
	*facts_json = l.json;
	*decided_at = l.at;
	return n == 0;
}

int store_decisions_of_case(struct store *s, int64_t case_id, struct case_rec **out, struct arena *a,
			    struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT case_id, decided_at, outcome, decision_json, facts_json, coalesce(superseded_at, 0) "
			"FROM decisions WHERE case_id = ? ORDER BY id", sq_bind_id, &case_id, decision_row, *out, LIST_MAX, a, e);
}

void sq_bind_none(sqlite3_stmt *st, const void *arg)
{
	(void)st;
	(void)arg;
}

int sq_count_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	(void)a;
	*(int64_t *)out = sqlite3_column_int64(st, 0);
	return 0;
}

int store_case_count(struct store *s, int64_t *count, struct err *e)
{
	return sq_query(s, "SELECT count(*) FROM cases", sq_bind_none, NULL, sq_count_row, count, 1, NULL, e) < 0 ? -1 : 0;
}

/* ---- jobs ---- */

#define JOB_COLS "id, kind, subject_id, state, attempts, run_after, last_error"

static int job_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct job_rec *j = (struct job_rec *)out + i;
	j->id = sqlite3_column_int64(st, 0);
	j->kind = sq_col_str(st, 1, a);
	j->subject_id = sqlite3_column_int64(st, 2);
	j->state = sq_col_str(st, 3, a);
	j->attempts = sqlite3_column_int(st, 4);
	j->run_after = sqlite3_column_int64(st, 5);
	j->last_error = sq_col_str(st, 6, a);
	return 0;
}

int store_job_enqueue(struct store_tx *tx, const char *kind, int64_t subject_id, int64_t run_after, int64_t now,
		      struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO jobs(kind, subject_id, state, run_after, created_at) "
				       "VALUES (?, ?, 'ready', ?, ?) ON CONFLICT (kind, subject_id) DO UPDATE "
				       "SET state = 'ready', attempts = 0, run_after = excluded.run_after, "
				       "lease_until = 0, last_error = NULL WHERE state IN ('done', 'failed')", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, kind);
	sqlite3_bind_int64(st, 2, subject_id);
	sqlite3_bind_int64(st, 3, run_after);
	sqlite3_bind_int64(st, 4, now);
	return sq_step_insert(tx, st, NULL, "enqueue job", e);
}

int store_jobs_claim(struct store_tx *tx, int64_t now, int64_t lease, int max, struct job_rec *out,
		     struct arena *a, struct err *e)
{
	/* #10 (migration 0019): background jobs (each decision's agreement
	 * and plan, by the thousand after a batch intake) go after every
	 * other due job. */
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT " JOB_COLS " FROM jobs WHERE (state = 'ready' AND run_after <= ?1) "
				       "OR (state = 'running' AND lease_until <= ?1) ORDER BY background, run_after, id LIMIT ?2", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, max);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		job_row(st, out, n++, a);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "claim jobs");
	st = sq_prep(tx->c, "UPDATE jobs SET state = 'running', lease_until = ?, attempts = attempts + 1 WHERE id = ?", e);
	if (st == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, now + lease);
		sqlite3_bind_int64(st, 2, out[i].id);
		if (sqlite3_step(st) != SQLITE_DONE)
			return sq_db_error(e, tx->c->db, "claim job");
		out[i].attempts++;
		out[i].state = "running";
	}
	sqlite3_reset(st);
	return n;
}

int store_job_done(struct store_tx *tx, int64_t id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE jobs SET state = 'done', last_error = NULL WHERE id = ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return sq_step_insert(tx, st, NULL, "finish job", e);
}

int store_job_retry(struct store_tx *tx, int64_t id, int64_t run_after, const char *error, int give_up,
		    struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE jobs SET state = ?, run_after = ?, lease_until = 0, last_error = ? "
				       "WHERE id = ? AND state = 'running'", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, give_up ? "failed" : "ready");
	sqlite3_bind_int64(st, 2, run_after);
	sq_bind_str(st, 3, error);
	sqlite3_bind_int64(st, 4, id);
	return sq_step_insert(tx, st, NULL, "retry job", e);
}

int store_job_get(struct store *s, int64_t id, struct job_rec *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " JOB_COLS " FROM jobs WHERE id = ?", sq_bind_id, &id, job_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

struct count_due {
	int64_t count, next;
};

static int count_due_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	(void)a;
	struct count_due *c = out;
	c->count = sqlite3_column_int64(st, 0);
	c->next = sqlite3_column_int64(st, 1);
	return 0;
}

int store_jobs_count(struct store *s, const char *state, int64_t *count, int64_t *next_due, struct err *e)
{
	struct count_due c = {0, 0};
	if (sq_query(s, "SELECT count(*), coalesce(min(run_after), 0) FROM jobs WHERE state = ?", sq_bind_text, state,
		  count_due_row, &c, 1, NULL, e) < 0)
		return -1;
	*count = c.count;
	if (next_due)
		*next_due = c.next;
	return 0;
}

/* ---- letters ---- */

int sq_letter_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct letter *l = (struct letter *)out + i;
	l->id = sqlite3_column_int64(st, 0);
	l->person_id = sqlite3_column_int64(st, 1);
	l->case_id = sqlite3_column_int64(st, 2);
	l->kind = sq_col_str(st, 3, a);
	l->created_at = sqlite3_column_int64(st, 4);
	l->first_read_at = sqlite3_column_int64(st, 5);
	l->sender_unit = sq_col_str(st, 6, a);
	l->paper_at = sqlite3_column_int64(st, 7);
	l->paper_batch = sqlite3_column_int64(st, 8);
	l->notice_channel = sq_col_str(st, 9, a);
	l->notice_status = sq_col_str(st, 10, a);
	return 0;
}

int store_letter_get(struct store *s, int64_t id, struct letter *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " SQ_LETTER_COLS " FROM letters WHERE id = ?", sq_bind_id, &id, sq_letter_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_letters_of_person(struct store *s, int64_t person_id, struct letter **out, int *unread,
			    struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	int n = sq_query(s, "SELECT " SQ_LETTER_COLS " FROM letters WHERE person_id = ? ORDER BY id DESC", sq_bind_id,
		      &person_id, sq_letter_row, *out, LIST_MAX, a, e);
	if (unread != NULL) {
		*unread = 0;
		for (int i = 0; i < n; i++)
			*unread += (*out)[i].first_read_at == 0;
	}
	return n;
}

int store_letter_insert(struct store_tx *tx, const struct letter *l, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO letters(person_id, case_id, kind, created_at, sender_unit, "
					  "notice_channel, notice_status) VALUES (?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, l->person_id);
	if (l->case_id)
		sqlite3_bind_int64(st, 2, l->case_id);
	sq_bind_str(st, 3, l->kind);
	sqlite3_bind_int64(st, 4, l->created_at);
	sq_bind_str(st, 5, l->sender_unit);
	sq_bind_str(st, 6, l->notice_channel);
	sq_bind_str(st, 7, l->notice_status);
	return sq_step_insert(tx, st, id, "insert letter", e);
}

int store_letter_mark_read(struct store_tx *tx, int64_t id, int64_t at, int *first, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE letters SET first_read_at = ? WHERE id = ? AND first_read_at IS NULL", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "mark letter read");
	if (first)
		*first = sqlite3_changes(tx->c->db) > 0;
	return 0;
}

/* ---- contact preferences ---- */

#define CONTACT_COLS "person_id, email, mobile, coalesce(mobile_verified_at, 0), mobile_pending, " \
		     "mobile_code_hash, coalesce(mobile_code_expires, 0), channel, language, updated_at"

static int contact_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct contact_prefs *p = (struct contact_prefs *)out + i;
	p->person_id = sqlite3_column_int64(st, 0);
	p->email = sq_col_str(st, 1, a);
	p->mobile = sq_col_str(st, 2, a);
	p->mobile_verified_at = sqlite3_column_int64(st, 3);
	p->mobile_pending = sq_col_str(st, 4, a);
	p->mobile_code_hash = sq_col_str(st, 5, a);
	p->mobile_code_expires = sqlite3_column_int64(st, 6);
	p->channel = sq_col_str(st, 7, a);
	p->language = sq_col_str(st, 8, a);
	p->updated_at = sqlite3_column_int64(st, 9);
	return 0;
}

int store_contact_get(struct store *s, int64_t person_id, struct contact_prefs *out, struct arena *a,
		      struct err *e)
{
	int n = sq_query(s, "SELECT " CONTACT_COLS " FROM contact_preferences WHERE person_id = ?", sq_bind_id,
			 &person_id, contact_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_contact_put(struct store_tx *tx, const struct contact_prefs *p, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR REPLACE INTO contact_preferences(person_id, email, mobile, "
					  "mobile_verified_at, mobile_pending, mobile_code_hash, mobile_code_expires, channel, "
					  "language, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->person_id);
	sq_bind_str(st, 2, p->email);
	sq_bind_str(st, 3, p->mobile);
	if (p->mobile_verified_at)
		sqlite3_bind_int64(st, 4, p->mobile_verified_at);
	sq_bind_str(st, 5, p->mobile_pending);
	sq_bind_str(st, 6, p->mobile_code_hash);
	if (p->mobile_code_expires)
		sqlite3_bind_int64(st, 7, p->mobile_code_expires);
	sq_bind_str(st, 8, p->channel ? p->channel : "email");
	sq_bind_str(st, 9, p->language ? p->language : "nb");
	sqlite3_bind_int64(st, 10, p->updated_at);
	return sq_step_insert(tx, st, NULL, "store contact preferences", e);
}

/* ---- sessions ---- */

static int session_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct session *ss = (struct session *)out + i;
	ss->person_id = sqlite3_column_int64(st, 0);
	ss->role = sq_col_str(st, 1, a);
	ss->expires_at = sqlite3_column_int64(st, 2);
	ss->staff_id = sqlite3_column_int64(st, 3);
	ss->acr = sq_col_str(st, 4, a);
	return 0;
}

int store_session_get(struct store *s, const char *key_hash, struct session *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT coalesce(person_id, 0), role, expires_at, coalesce(staff_id, 0), acr FROM sessions "
			 "WHERE key_hash = ?",
		      sq_bind_text, key_hash, session_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_session_put(struct store_tx *tx, const char *key_hash, const struct session *ss, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR REPLACE INTO sessions(key_hash, person_id, role, expires_at, staff_id, acr) "
				       "VALUES (?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, key_hash);
	if (ss->person_id)
		sqlite3_bind_int64(st, 2, ss->person_id);
	sq_bind_str(st, 3, ss->role);
	sqlite3_bind_int64(st, 4, ss->expires_at);
	if (ss->staff_id)
		sqlite3_bind_int64(st, 5, ss->staff_id);
	sq_bind_str(st, 6, ss->acr);
	return sq_step_insert(tx, st, NULL, "store session", e);
}

int store_session_delete(struct store_tx *tx, const char *key_hash, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "DELETE FROM sessions WHERE key_hash = ?", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, key_hash);
	return sq_step_insert(tx, st, NULL, "delete session", e);
}

/* ---- settings ---- */

int sq_text_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	*(const char **)out = sq_col_str(st, 0, a);
	return 0;
}

int store_setting_get(struct store *s, const char *name, const char **value, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT value FROM settings WHERE name = ?", sq_bind_text, name, sq_text_row, value, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_setting_init(struct store_tx *tx, const char *name, const char *value, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT OR IGNORE INTO settings(name, value) VALUES (?, ?)", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, name);
	sq_bind_str(st, 2, value);
	return sq_step_insert(tx, st, NULL, "store setting", e);
}

int store_setting_put(struct store_tx *tx, const char *name, const char *value, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO settings(name, value) VALUES (?, ?) "
					  "ON CONFLICT(name) DO UPDATE SET value = excluded.value", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, name);
	sq_bind_str(st, 2, value);
	return sq_step_insert(tx, st, NULL, "store setting", e);
}

/* ---- audit ---- */

int store_audit_last(struct store_tx *tx, int64_t *seq, char hash[65], struct err *e)
{
	if (tx->audit_known) {
		*seq = tx->audit_seq;
		memcpy(hash, tx->audit_hash, 65);
		return 0;
	}
	sqlite3_stmt *st = sq_prep(tx->c, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", e);
	if (st == NULL)
		return -1;
	int rc = sqlite3_step(st);
	*seq = 0;
	hash[0] = '\0';
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		snprintf(hash, 65, "%s", (const char *)sqlite3_column_text(st, 1));
	} else if (rc != SQLITE_DONE) {
		return sq_db_error(e, tx->c->db, "read audit");
	}
	sqlite3_reset(st);
	return 0;
}

int store_audit_insert(struct store_tx *tx, const struct audit_rec *r, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO audit(seq, at, actor, action, object, detail, prev_hash, hash) "
				       "VALUES (?,?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->seq);
	sqlite3_bind_int64(st, 2, r->at);
	sq_bind_str(st, 3, r->actor);
	sq_bind_str(st, 4, r->action);
	sq_bind_str(st, 5, r->object);
	sq_bind_str(st, 6, r->detail);
	sq_bind_str(st, 7, r->prev_hash);
	sq_bind_str(st, 8, r->hash);
	if (sq_step_insert(tx, st, NULL, "append audit", e) != 0)
		return -1;
	tx->audit_known = 1;
	tx->audit_seq = r->seq;
	snprintf(tx->audit_hash, sizeof(tx->audit_hash), "%s", r->hash);
	return 0;
}

static int audit_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct audit_rec *r = (struct audit_rec *)out + i;
	r->seq = sqlite3_column_int64(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	r->actor = sq_col_str(st, 2, a);
	r->action = sq_col_str(st, 3, a);
	r->object = sq_col_str(st, 4, a);
	r->detail = sq_col_str(st, 5, a);
	r->prev_hash = sq_col_str(st, 6, a);
	r->hash = sq_col_str(st, 7, a);
	return 0;
}

#define AUDIT_COLS "seq, at, actor, action, object, detail, prev_hash, hash"

int store_audit_of(struct store *s, const char *object, struct audit_rec **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " AUDIT_COLS " FROM audit WHERE object = ? ORDER BY seq", sq_bind_text, object,
		     audit_row, *out, LIST_MAX, a, e);
}

int store_audit_each(struct store *s, store_audit_fn fn, void *arg, struct err *e)
{
	struct conn *c = sq_reader(s, e);
	if (c == NULL)
		return -1;
	struct arena a;
	arena_init(&a, 0);
	int rc, stop = 0;
	sqlite3_stmt *st = sq_prep(c, "SELECT " AUDIT_COLS " FROM audit ORDER BY seq", e);
	if (st == NULL) {
		sq_reader_done(s, c);
		return -1;
	}
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_rec r;
		arena_reset(&a);
		audit_row(st, &r, 0, &a);
		stop = fn(&r, arg);
	}
	if (!stop && rc != SQLITE_DONE)
		stop = -1, sq_db_error(e, c->db, "read audit");
	sqlite3_reset(st);
	sq_reader_done(s, c);
	arena_cleanup(&a);
	return stop < 0 ? -1 : 0;
}

/* ---- staff and the case worker's workbench ---- */

#define STAFF_COLS "id, username, name, role, may_see_confidential, institution, admin"

static int staff_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct staff *m = (struct staff *)out + i;
	m->id = sqlite3_column_int64(st, 0);
	m->username = sq_col_str(st, 1, a);
	m->name = sq_col_str(st, 2, a);
	m->role = sq_col_str(st, 3, a);
	m->may_see_confidential = sqlite3_column_int(st, 4);
	m->institution = sq_col_str(st, 5, a);
	m->admin = sqlite3_column_int(st, 6);
	return 0;
}

int store_staff_insert(struct store_tx *tx, const struct staff *m, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(
		tx->c, "INSERT INTO staff(username, name, role, may_see_confidential, institution, admin) VALUES (?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, m->username);
	sq_bind_str(st, 2, m->name);
	sq_bind_str(st, 3, m->role);
	sqlite3_bind_int(st, 4, m->may_see_confidential ? 1 : 0);
	sq_bind_str(st, 5, m->institution);
	sqlite3_bind_int(st, 6, m->admin ? 1 : 0);
	return sq_step_insert(tx, st, id, "insert staff", e);
}

int store_staff_get(struct store *s, int64_t id, struct staff *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " STAFF_COLS " FROM staff WHERE id = ?", sq_bind_id, &id, staff_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_staff_by_username(struct store *s, const char *username, struct staff *out, struct arena *a,
			    struct err *e)
{
	int n = sq_query(s, "SELECT " STAFF_COLS " FROM staff WHERE username = ?", sq_bind_text, username, staff_row, out, 1,
		      a, e);
	return n < 0 ? -1 : n == 0;
}

int store_staff_list(struct store *s, struct staff **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT " STAFF_COLS " FROM staff ORDER BY id", sq_bind_none, NULL, staff_row, *out, LIST_MAX, a, e);
}

int sq_text_list_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	((const char **)out)[i] = sq_col_str(st, 0, a);
	return 0;
}

struct queue_args {
	const char *status, *reason;
};

static void bind_queue(sqlite3_stmt *st, const void *arg)
{
	const struct queue_args *q = arg;
	sq_bind_str(st, 1, q->status);
	sq_bind_str(st, 2, q->reason);
}

/* A reason filter inside the stored decision: the codes of the current
 * decision's manual_reasons, read with json_each. */
#define QUEUE_WHERE "cases.status = ?1 AND (?2 IS NULL OR EXISTS (SELECT 1 FROM " \
		    "json_each(d.decision_json, '$.manual_reasons') r WHERE json_extract(r.value, '$.code') = ?2))"

static int queue_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct queue_entry *q = (struct queue_entry *)out + i;
	case_row(st, &q->c, 0, a);
	q->deadline = sq_col_str(st, 12, a);
	return 0;
}

int store_case_queue(struct store *s, const char *status, const char *reason, struct queue_entry **out,
		     int64_t *total, struct arena *a, struct err *e)
{
	struct queue_args q = {status, reason};
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	int n = sq_query(s, "SELECT " CASE_COLS ", (SELECT deadline FROM documentation_requests dr WHERE dr.case_id = cases.id "
			 "ORDER BY dr.id DESC LIMIT 1) FROM " CASE_FROM " WHERE " QUEUE_WHERE
			 " ORDER BY cases.received_at, cases.id", bind_queue, &q, queue_row, *out, LIST_MAX, a, e);
	if (n < 0 || total == NULL)
		return n;
	*total = 0;
	if (sq_query(s, "SELECT count(*) FROM " CASE_FROM " WHERE " QUEUE_WHERE, bind_queue, &q, sq_count_row, total, 1, NULL,
		  e) < 0)
		return -1;
	return n;
}

int store_case_queue_reasons(struct store *s, const char ***out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT DISTINCT json_extract(r.value, '$.code') AS code FROM " CASE_FROM ", "
			"json_each(d.decision_json, '$.manual_reasons') r WHERE cases.status IN ('manual', "
			"'awaiting-documentation') AND code IS NOT NULL ORDER BY code",
		     sq_bind_none, NULL, sq_text_list_row, *out, LIST_MAX, a, e);
}

int store_case_from_manual(struct store_tx *tx, int64_t case_id, const char *status, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE cases SET status = ? WHERE id = ? AND status IN ('manual', "
				       "'awaiting-documentation')", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, status);
	sqlite3_bind_int64(st, 2, case_id);
	if (sq_step_insert(tx, st, NULL, "case status", e) != 0)
		return -1;
	if (sqlite3_changes(tx->c->db) != 1)
		return err_set(e, ERR_CONFLICT, NULL, "case %lld does not wait for a case worker", (long long)case_id);
	return 0;
}

#define DOC_REQUEST_COLS "id, case_id, letter_id, staff_id, text, deadline, requested_at"

static int doc_request_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct doc_request *r = (struct doc_request *)out + i;
	r->id = sqlite3_column_int64(st, 0);
	r->case_id = sqlite3_column_int64(st, 1);
	r->letter_id = sqlite3_column_int64(st, 2);
	r->staff_id = sqlite3_column_int64(st, 3);
	r->text = sq_col_str(st, 4, a);
	r->deadline = sq_col_str(st, 5, a);
	r->requested_at = sqlite3_column_int64(st, 6);
	return 0;
}

int store_doc_request_insert(struct store_tx *tx, const struct doc_request *r, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO documentation_requests(case_id, letter_id, staff_id, text, deadline, "
				       "requested_at) VALUES (?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->case_id);
	sqlite3_bind_int64(st, 2, r->letter_id);
	sqlite3_bind_int64(st, 3, r->staff_id);
	sq_bind_str(st, 4, r->text);
	sq_bind_str(st, 5, r->deadline);
	sqlite3_bind_int64(st, 6, r->requested_at);
	return sq_step_insert(tx, st, id, "insert documentation request", e);
}

int store_doc_request_of_letter(struct store *s, int64_t letter_id, struct doc_request *out, struct arena *a,
				struct err *e)
{
	int n = sq_query(s, "SELECT " DOC_REQUEST_COLS " FROM documentation_requests WHERE letter_id = ? ORDER BY id DESC",
		      sq_bind_id, &letter_id, doc_request_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_doc_request_latest(struct store *s, int64_t case_id, struct doc_request *out, struct arena *a,
			     struct err *e)
{
	int n = sq_query(s, "SELECT " DOC_REQUEST_COLS " FROM documentation_requests WHERE case_id = ? ORDER BY id DESC",
		      sq_bind_id, &case_id, doc_request_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

/* ---- mass intake ---- */

int64_t store_intake_each(struct store *s, const char *prefix, store_intake_fn fn, void *arg, struct err *e)
{
	struct conn *c = sq_reader(s, e);
	if (c == NULL)
		return -1;
	/* A range on the unique index: the tags from prefix up to prefix with
	 * its last byte raised, which no tag with the prefix reaches. */
	size_t n = strlen(prefix);
	char *hi = malloc(n + 1);
	sqlite3_stmt *st = hi && n > 0 ? sq_prep(c, "SELECT intake FROM cases WHERE intake >= ?1 AND intake < ?2 "
						 "ORDER BY intake", e)
				       : NULL;
	if (st == NULL) {
		if (hi == NULL || n == 0)
			err_set(e, ERR_INTERNAL, NULL, hi ? "an empty intake prefix" : "out of memory");
		free(hi);
		sq_reader_done(s, c);
		return -1;
	}
	memcpy(hi, prefix, n + 1);
	hi[n - 1]++;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	int64_t count = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		count++;
		if (fn != NULL && fn((const char *)sqlite3_column_text(st, 0), arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		count = sq_db_error(e, c->db, "intake");
	sqlite3_reset(st);
	free(hi);
	sq_reader_done(s, c);
	return count;
}
