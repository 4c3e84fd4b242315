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

/* #15: the one application rule at the store, for every intake path. The
 * first case (lowest id) of person_id for scheme and school_year that came
 * in as an application: from the portal ("application:..."), the registers'
 * intake ("registers:...") or, when with_files is 1, a file intake
 * ("batch:..."). Read in tx, so that two intakes storing at once are
 * decided in the order they store. Returns 0 with *case_id set, 1 when
 * there is none, -1 with e filled. */
int store_application_of(struct store_tx *tx, int64_t person_id, const char *scheme, const char *school_year,
			 int with_files, int64_t *case_id, struct err *e);

/* Replace case_id's application (a change application: the answers the
 * person gave again), in tx. ERR_NOT_FOUND when there is no such case. */
int store_case_set_application(struct store_tx *tx, int64_t case_id, const char *application_json, struct err *e);

#endif
