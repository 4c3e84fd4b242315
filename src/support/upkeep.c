/* upkeep.c - the support centre's lists kept by its own people (see
 * support.h): the topics an inquiry is about and the agencies whose areas
 * the centre answers for.
 *
 * Each can be added, renamed (in bokmål and English) and retired; a retired
 * one is no longer offered on the desk, while the inquiries logged with it
 * keep it (nothing is deleted, so old reports and timelines still name it),
 * and it can be restored. Who may do which is the one policy's: topics
 * ACT_SUPPORT_TOPICS_MANAGE, agencies ACT_SUPPORT_AGENCIES_MANAGE. Every
 * change is one transaction with its audit record. */
#include "support/support.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "mailbox/messages.h"

/* The topic secure messages from the portal fall back to; it cannot be
 * retired (support_secure_message). */
#define TOPIC_FALLBACK "other"

static int code_ok(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	return n >= 1 && n <= 32 && code[0] >= 'a' && code[0] <= 'z' &&
	       strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int name_ok(const char *name)
{
	return msg_text_ok(name, 1, 100) && strchr(name, '\n') == NULL && strchr(name, '\t') == NULL;
}

/* Which change f asks for, or -1. */
enum change { CH_ADD, CH_RENAME, CH_RETIRE, CH_RESTORE };

static int change_of(const char *action)
{
	static const char *const names[] = {"add", "rename", "retire", "restore"};
	for (int i = 0; action && i < 4; i++)
		if (strcmp(action, names[i]) == 0)
			return i;
	return -1;
}

/* Check f's fields for change ch, naming the first wrong one. */
static int check_form(const struct upkeep_form *f, int ch, const char *what, struct err *e)
{
	if (ch < 0)
		return err_set(e, ERR_INVALID, "action", "choose add, rename, retire or restore");
	if (!code_ok(f->code))
		return err_set(e, ERR_INVALID, "code", "a %s's code is 1-32 of a-z, 0-9 and '-', starting with a letter",
			       what);
	if (ch == CH_ADD || ch == CH_RENAME) {
		if (!name_ok(f->name_nb))
			return err_set(e, ERR_INVALID, "name_nb", "the name in bokmål is 1-100 characters on one line");
		if (!name_ok(f->name_en))
			return err_set(e, ERR_INVALID, "name_en", "the name in English is 1-100 characters on one line");
	}
	return 0;
}

struct saving {
	int topic; /* 1: a topic, 0: an agency */
	int create;
	struct support_topic t;
	struct support_agency g;
	char actor[32];
	const char *action; /* the audit's */
	int64_t now;
};

static int store_saving(struct store_tx *tx, void *arg, struct err *e)
{
	struct saving *v = arg;
	char object[64], detail[320];
	if (v->topic) {
		if (store_support_topic_save(tx, &v->t, v->create, e) != 0)
			return -1;
		snprintf(object, sizeof(object), "topic:%s", v->t.code);
		snprintf(detail, sizeof(detail), "name_nb=%s name_en=%s active=%d", v->t.name_nb, v->t.name_en, v->t.active);
	} else {
		if (store_support_agency_save(tx, &v->g, v->create, e) != 0)
			return -1;
		snprintf(object, sizeof(object), "agency:%s", v->g.code);
		snprintf(detail, sizeof(detail), "name_nb=%s name_en=%s active=%d", v->g.name, v->g.name_en, v->g.active);
	}
	return audit_append(tx, v->now, v->actor, v->action, object, detail, e);
}

static const char *const topic_actions[] = {"support.topic.added", "support.topic.renamed", "support.topic.retired",
					    "support.topic.restored"};
static const char *const agency_actions[] = {"support.agency.added", "support.agency.renamed",
					     "support.agency.retired", "support.agency.restored"};

int support_topic_change(struct store *s, const struct principal *who, const struct upkeep_form *f, int64_t now,
			 struct err *e)
{
	if (access_check(s, who, ACT_SUPPORT_TOPICS_MANAGE, 0, "topics", "topics", now, e) != 0)
		return -1;
	int ch = change_of(f->action);
	if (check_form(f, ch, "topic", e) != 0)
		return -1;
	struct arena a;
	arena_init(&a, 0);
	int rc = -1;
	struct support_topic *tp;
	int n = store_support_topics(s, &tp, &a, e);
	if (n < 0)
		goto out;
	const struct support_topic *old = NULL;
	for (int i = 0; i < n; i++)
		if (strcmp(tp[i].code, f->code) == 0)
			old = &tp[i];
	if (ch == CH_ADD && old) {
		err_set(e, ERR_INVALID, "code", "a topic with this code exists; rename it instead");
		goto out;
	}
	if (ch != CH_ADD && old == NULL) {
		err_set(e, ERR_INVALID, "code", "there is no topic with this code");
		goto out;
	}
	if (ch == CH_RETIRE && strcmp(f->code, TOPIC_FALLBACK) == 0) {
		err_set(e, ERR_INVALID, "code", "the topic \"other\" is where messages without a topic go; it stays");
		goto out;
	}
	struct saving v = {1, ch == CH_ADD, {0}, {0}, "", topic_actions[ch], now};
	v.t.code = f->code;
	v.t.name_nb = ch == CH_ADD || ch == CH_RENAME ? f->name_nb : old->name_nb;
	v.t.name_en = ch == CH_ADD || ch == CH_RENAME ? f->name_en : old->name_en;
	v.t.active = ch == CH_RETIRE ? 0 : ch == CH_RENAME ? old->active : 1;
	access_actor(who, v.actor, sizeof(v.actor));
	rc = store_write(s, store_saving, &v, e);
out:
	arena_cleanup(&a);
	return rc;
}

int support_agency_change(struct store *s, const struct principal *who, const struct upkeep_form *f, int64_t now,
			  struct err *e)
{
	if (access_check(s, who, ACT_SUPPORT_AGENCIES_MANAGE, 0, "agencies", "agencies", now, e) != 0)
		return -1;
	int ch = change_of(f->action);
	if (check_form(f, ch, "agency", e) != 0)
		return -1;
	struct arena a;
	arena_init(&a, 0);
	int rc = -1;
	struct support_agency *ag;
	int n = store_support_agencies(s, &ag, &a, e), active = 0;
	if (n < 0)
		goto out;
	const struct support_agency *old = NULL;
	for (int i = 0; i < n; i++) {
		active += ag[i].active;
		if (strcmp(ag[i].code, f->code) == 0)
			old = &ag[i];
	}
	if (ch == CH_ADD && old) {
		err_set(e, ERR_INVALID, "code", "an agency with this code exists; rename it instead");
		goto out;
	}
	if (ch != CH_ADD && old == NULL) {
		err_set(e, ERR_INVALID, "code", "there is no agency with this code");
		goto out;
	}
	if (ch == CH_RETIRE && old->active && active <= 1) {
		err_set(e, ERR_INVALID, "code", "the centre must serve at least one agency");
		goto out;
	}
	struct saving v = {0, ch == CH_ADD, {0}, {0}, "", agency_actions[ch], now};
	v.g.code = f->code;
	v.g.name = ch == CH_ADD || ch == CH_RENAME ? f->name_nb : old->name;
	v.g.name_en = ch == CH_ADD || ch == CH_RENAME ? f->name_en : old->name_en;
	v.g.active = ch == CH_RETIRE ? 0 : ch == CH_RENAME ? old->active : 1;
	access_actor(who, v.actor, sizeof(v.actor));
	rc = store_write(s, store_saving, &v, e);
out:
	arena_cleanup(&a);
	return rc;
}

int support_upkeep_topics(struct store *s, const struct principal *who, int64_t now, struct support_topic **out,
			  struct arena *a, struct err *e)
{
	if (access_check(s, who, ACT_SUPPORT_TOPICS_MANAGE, 0, "topics", "topics", now, e) != 0)
		return -1;
	return store_support_topics(s, out, a, e);
}

int support_upkeep_agencies(struct store *s, const struct principal *who, int64_t now,
			    struct support_agency **out, struct arena *a, struct err *e)
{
	if (access_check(s, who, ACT_SUPPORT_AGENCIES_MANAGE, 0, "agencies", "agencies", now, e) != 0)
		return -1;
	return store_support_agencies(s, out, a, e);
}
