/* cases.c - receiving, deciding and reading cases; see cases.h. */
#include "cases/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "mailbox/mailbox.h"
#include "rules/rules.h"

struct intake {
	struct case_rec c;
	const char *actor;
	const char *outcome;
	int64_t letter_id;
};

static int store_intake(struct store_tx *tx, void *arg, struct err *e)
{
	struct intake *in = arg;
	int64_t id;
	char object[32], detail[96];
	if (store_case_insert(tx, &in->c, &id, e) != 0)
		return -1;
	in->c.id = id;
	snprintf(object, sizeof(object), "case:%lld", (long long)id);
	snprintf(detail, sizeof(detail), "scheme=%s school_year=%s", in->c.scheme, in->c.school_year);
	if (audit_append(tx, in->c.received_at, in->actor, "case.received", object, detail, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "outcome=%s", in->outcome);
	if (audit_append(tx, in->c.decided_at, "rules", "case.decided", object, detail, e) != 0)
		return -1;
	return mbox_deliver(tx, in->c.person_id, id, "decision", in->c.decided_at, &in->letter_id, e);
}

int cases_submit(struct store *s, const struct params *p, const struct principal *who, const json_t *application,
		 int64_t now, struct submitted *out, struct err *e)
{
	struct arena a;
	struct buf dj;
	struct application app;
	struct decision *d = malloc(sizeof(*d));
	char actor[32];
	char *aj = NULL;
	int rc = -1;

	arena_init(&a, 0);
	buf_init(&dj, 1 << 20);
	if (d == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	if (!access_allowed(who, ACT_APPLY, who->person_id)) {
		err_set(e, ERR_FORBIDDEN, NULL, "log in to apply");
		goto out;
	}
	if (rules_parse_application(application, &app, &a, e) != 0 || rules_decide(&app, p, d, e) != 0)
		goto out;
	/* The stored decision is the bokmål text of record; its trace keeps
	 * each explanation's catalogue key so any language can be shown. */
	if (rules_decision_json(&dj, d, LANG_NB) != 0) {
		err_set(e, ERR_INTERNAL, NULL, "decision too large");
		goto out;
	}
	aj = json_dumps(application, JSON_COMPACT | JSON_SORT_KEYS);
	if (aj == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	struct intake in = {{0}, access_actor(who, actor, sizeof(actor)), rules_outcome_name(d->outcome), 0};
	in.c.person_id = who->person_id;
	in.c.scheme = rules_scheme_name(app.scheme);
	in.c.school_year = app.school_year;
	in.c.status = d->outcome == OUTCOME_MANUAL ? "manual" : "decided";
	in.c.outcome = in.outcome;
	in.c.received_at = now;
	in.c.decided_at = now;
	in.c.application_json = aj;
	in.c.decision_json = buf_str(&dj);
	if (store_write(s, store_intake, &in, e) != 0)
		goto out;
	out->case_id = in.c.id;
	out->letter_id = in.letter_id;
	out->outcome = in.outcome;
	rc = 0;
out:
	free(aj);
	free(d);
	buf_cleanup(&dj);
	arena_cleanup(&a);
	return rc;
}

struct reading {
	const struct principal *who;
	int64_t case_id, now;
	int allowed;
};

static int record_reading(struct store_tx *tx, void *arg, struct err *e)
{
	struct reading *r = arg;
	char actor[32], object[32];
	access_actor(r->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "case:%lld", (long long)r->case_id);
	return audit_append(tx, r->now, actor, r->allowed ? "case.read" : "case.read.denied", object, NULL, e);
}

int cases_read(struct store *s, const struct principal *who, int64_t case_id, int64_t now, struct case_rec *out,
	       struct arena *a, struct err *e)
{
	int rc = store_case_get(s, case_id, out, a, e);
	if (rc < 0)
		return -1;
	struct reading r = {who, case_id, now, rc == 0 && access_allowed(who, ACT_CASE_READ, out->person_id)};
	if (store_write(s, record_reading, &r, e) != 0)
		return -1;
	if (!r.allowed)
		return err_set(e, ERR_NOT_FOUND, NULL, "no such case");
	return 0;
}
