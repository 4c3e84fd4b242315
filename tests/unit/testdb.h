/* testdb.h - a migrated database in a temporary folder, for the unit tests
 * that need storage, and its removal afterwards. Header-only: each test
 * program is one file. */
#ifndef STIPEND_TESTDB_H
#define STIPEND_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/err.h"
#include "store/store.h"

struct testdb {
	char dir[64];
	char path[96];
	struct store *s;
};

/* Create and migrate; 0 or -1. */
static inline int testdb_open(struct testdb *t, const char *name)
{
	struct err e;
	snprintf(t->dir, sizeof(t->dir), "/tmp/stipend-%s-XXXXXX", name);
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/t.db", t->dir);
	t->s = store_open(t->path, &e);
	return t->s != NULL && store_migrate(t->s, NULL, &e) == 0 ? 0 : -1;
}

/* Close and remove the database with its log files and folder. */
static inline void testdb_close(struct testdb *t)
{
	char p[128];
	const char *suffix[] = {"", "-wal", "-shm"};
	store_close(t->s);
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, suffix[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

#endif
