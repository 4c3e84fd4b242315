/* sqlite_internal.h - what the SQLite store's files share: the connection
 * with its statement cache, the store and its transaction, and the helpers
 * that read rows and bind parameters. Only src/store/sqlite*.c include it;
 * everyone else sees store.h (and the area headers beside it).
 *
 * The store is kept in one file per area (sqlite.c: the engine, persons,
 * cases, jobs, letters, sessions, audit, staff; sqlite_<area>.c: an area
 * added later), each with the same conventions: SQL is always a literal
 * (the statement cache is keyed by its address), reads go through
 * sq_query() on a pooled reader, writes through sq_prep(tx->c, ...). */
#ifndef STIPEND_SQLITE_INTERNAL_H
#define STIPEND_SQLITE_INTERNAL_H

#include <semaphore.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

struct arena;
struct err;

#define STMT_CACHE 256

struct conn {
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	int n;
	struct conn *next; /* in the pool's free list */
};

struct job {
	store_tx_fn fn;
	void *arg;
	struct err *e;
	int rc;
	int fk_off; /* run alone, with foreign keys off (a migration that rebuilds a table, a bulk write) */
	sem_t done; /* posted by the writer once the job's group is committed */
	struct job *next;
};

struct store {
	char *path;
	pthread_mutex_t mu;
	pthread_cond_t work;
	struct job *head, *tail;
	int stopping;
	pthread_t writer;
	struct conn *wconn;
	pthread_mutex_t pool_mu;
	struct conn *pool;
};

struct store_tx {
	struct store *s;
	struct conn *c;
	/* The audit log's last record, known within this transaction: the
	 * writer holds the write lock, so nobody else can append meanwhile. */
	int audit_known;
	int64_t audit_seq;
	char audit_hash[65];
};

/* At most this many rows in a list read. */
#define LIST_MAX 200

/* Fill e from the connection's error (ERR_STORE); returns -1. */
int sq_db_error(struct err *e, sqlite3 *db, const char *what);
/* The prepared statement for sql (a literal), reset and unbound. */
sqlite3_stmt *sq_prep(struct conn *c, const char *sql, struct err *e);
/* A reading connection from the pool, and its return. */
struct conn *sq_reader(struct store *s, struct err *e);
void sq_reader_done(struct store *s, struct conn *c);

/* Column i as a string in a (NULL for SQL NULL); bind v (NULL: SQL NULL). */
const char *sq_col_str(sqlite3_stmt *st, int i, struct arena *a);
void sq_bind_str(sqlite3_stmt *st, int i, const char *v);

/* A day bound as "2025-03-15" (INT32_MIN, the store's LOAN_NO_DATE: SQL
 * NULL), and column i read back as a day (NULL or not a day:
 * LOAN_NO_DATE); an id bound, 0 or less as SQL NULL. */
void sq_bind_day(sqlite3_stmt *st, int i, int32_t d);
int32_t sq_col_day(sqlite3_stmt *st, int i);
void sq_bind_id_or_null(sqlite3_stmt *st, int i, int64_t v);

/* Run a query on a pooled reader: bind() binds the parameters, row() takes
 * each row into out (at most max); returns the row count or -1. */
typedef void (*bind_fn)(sqlite3_stmt *st, const void *arg);
typedef int (*row_fn)(sqlite3_stmt *st, void *out, int index, struct arena *a);
int sq_query(struct store *s, const char *sql, bind_fn bind, const void *barg, row_fn row, void *out, int max,
	     struct arena *a, struct err *e);

/* Binders for the one parameter: an int64_t id, a string, nothing. */
void sq_bind_id(sqlite3_stmt *st, const void *arg);
void sq_bind_text(sqlite3_stmt *st, const void *arg);
void sq_bind_none(sqlite3_stmt *st, const void *arg);
/* Rows of one column: an int64_t (count), a string, a list of strings. */
int sq_count_row(sqlite3_stmt *st, void *out, int i, struct arena *a);
int sq_text_row(sqlite3_stmt *st, void *out, int i, struct arena *a);
int sq_text_list_row(sqlite3_stmt *st, void *out, int i, struct arena *a);

/* A letter's columns, and the row function that reads them into struct
 * letter (store.h). */
#define SQ_LETTER_COLS "id, person_id, coalesce(case_id, 0), kind, created_at, coalesce(first_read_at, 0), " \
		       "sender_unit, coalesce(paper_at, 0), coalesce(paper_batch, 0), notice_channel, notice_status"
int sq_letter_row(sqlite3_stmt *st, void *out, int i, struct arena *a);

/* Step a write; *id (may be NULL) receives the new row's id. */
int sq_step_insert(struct store_tx *tx, sqlite3_stmt *st, int64_t *id, const char *what, struct err *e);

#endif
