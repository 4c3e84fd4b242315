/* timeline.c - one communication history per person (see support.h):
 * every letter with its notice's channel and outcome, whether and when it
 * was opened and whether it went on paper; every message both ways; every
 * inquiry to the support centre; every decision. The person, a case worker
 * and a support agent read the same list through the same function, so
 * the words are the same for all three; the policy says who may
 * (ACT_TIMELINE_READ), and every reading is audited. */
#include "support/support.h"

#include <stdio.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"

struct reading {
	char actor[32], object[32], detail[32];
	int64_t at;
};

static int record_reading(struct store_tx *tx, void *arg, struct err *e)
{
	struct reading *r = arg;
	return audit_append(tx, r->at, r->actor, "timeline.read", r->object, r->detail, e);
}

int support_timeline(struct store *s, const struct principal *who, int64_t person_id, unsigned types,
		     int64_t now, struct timeline_item **out, struct arena *a, struct err *e)
{
	struct reading r = {"", "", "", now};
	snprintf(r.object, sizeof(r.object), "person:%lld", (long long)person_id);
	struct person p;
	int found = person_id > 0 ? store_person_get(s, person_id, &p, a, e) : 1;
	if (found < 0)
		return -1;
	if (access_check(s, who, ACT_TIMELINE_READ, found == 0 ? person_id : 0, r.object, "person", now, e) != 0)
		return -1;
	types &= TIMELINE_ALL;
	if (types == 0)
		types = TIMELINE_ALL;
	access_actor(who, r.actor, sizeof(r.actor));
	snprintf(r.detail, sizeof(r.detail), "types=%u", types);
	if (store_write(s, record_reading, &r, e) != 0)
		return -1;
	return store_timeline(s, person_id, types, out, a, e);
}
