/* applications.h - the store's part of "one application per person, scheme
 * and school year" (#15): finding the first application by its tag, and
 * replacing an application's answers by a change application.
 *
 * A portal application's intake tag is "application:<person>:<scheme>:
 * <school year>#<key>" (migration 0014 keeps the part before '#' unique). */
#ifndef STIPEND_STORE_APPLICATIONS_H
#define STIPEND_STORE_APPLICATIONS_H

#include <stdint.h>

#include "store/store.h"

struct arena;
struct err;

/* The case whose tag starts with once ("application:7:higher-education:
 * 2024-2025") followed by '#': 0 with *case_id and *key (the part after
 * '#', in a) filled, 1 when none, -1 with e filled. */
int store_application_first(struct store *s, const char *once, int64_t *case_id, const char **key, struct arena *a,
			    struct err *e);

/* Replace case_id's application (a change application: the answers the
 * person gave again), in tx. ERR_NOT_FOUND when there is no such case. */
int store_case_set_application(struct store_tx *tx, int64_t case_id, const char *application_json, struct err *e);

#endif
