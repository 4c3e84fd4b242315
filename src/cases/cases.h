/* cases.h - the case life cycle: an application is received, decided by the
 * rules core, and its decision letter issued, each step audited.
 *
 * Today the whole of it happens in one durable transaction at submit, so
 * that an acknowledged application always has its decision and letter; the
 * job runner that lets registers and case workers take their time joins in
 * a later step. Cases are read only through cases_read(), which asks the
 * authorisation policy and audits the read (or the refusal). */
#ifndef STIPEND_CASES_H
#define STIPEND_CASES_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "rules/params.h"
#include "store/store.h"

struct arena;
struct err;

struct submitted {
	int64_t case_id;
	int64_t letter_id;
	const char *outcome; /* "granted", ... (static) */
};

/* Take an application (the decision contract's JSON) from person: check it,
 * decide it, and store case, decision and letter with their audit records
 * in one transaction. Input that is not understood fails with ERR_INVALID
 * naming the field and stores nothing. Returns 0 once durably committed. */
int cases_submit(struct store *s, const struct params *p, const struct principal *who, const json_t *application,
		 int64_t now, struct submitted *out, struct err *e);

/* Read one case for who: 0 (out filled), -1 with ERR_NOT_FOUND when it does
 * not exist or who may not see it (both audited alike, so that a refusal
 * reveals nothing), or -1 on failure. */
int cases_read(struct store *s, const struct principal *who, int64_t case_id, int64_t now, struct case_rec *out,
	       struct arena *a, struct err *e);

#endif
