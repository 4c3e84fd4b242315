/* policy.c - the one authorisation policy: who may do what, as a table.
 *
 * Each row is an action; each column a relation the acting identity can
 * have to the person the action concerns. A principal holds a relation when
 * (self) it is that person, logged in and acting for themself;
 * (guardian) it is a parent or guardian the population register names for
 * that person, acting for them while they are under 18; (proxy) it acts
 * for that person under a power of attorney whose scope covers the action;
 * (caseworker) it is a member of staff in the case worker role, whoever the
 * person is; (caseworker+confidential) it is such a case worker authorised
 * to see strictly confidential addresses; (support) a support agent of the
 * support centre; (management) the agency's management; (institution)
 * staff of a school or institution of higher education, for that
 * institution's own students. An action is allowed when any relation the
 * principal holds has a Y in its row. An action about a person is never
 * allowed without the person (owner 0: nobody's, or not there).
 *
 * Nothing else in the program decides who may do what. `stipend policy`
 * prints the table, and the authorisation matrix test
 * (tests/e2e/authz.test.mjs) walks every route as every kind of user and
 * checks the answer against it. */
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "audit/audit.h"
#include "core/err.h"
#include "store/store.h"

enum relation {
	REL_SELF,
	REL_GUARDIAN,
	REL_PROXY,
	REL_CASEWORKER,
	REL_CASEWORKER_CONFIDENTIAL,
	REL_SUPPORT,
	REL_MANAGEMENT,
	REL_INSTITUTION,
	REL_N
};

static const char *const relation_names[REL_N] = {
	"self", "guardian", "proxy", "caseworker", "caseworker+confidential", "support", "management", "institution",
};

#define Y 1
#define N 0

static const struct rule {
	const char *name;
	int about_person;
	int allowed[REL_N];
} policy[ACT_N] = {
	/* action                        name                      person  self grd prx cw cwc sup mgt ins */
	[ACT_PUBLIC] =                 {"public",                    0,     {Y, Y, Y, Y, Y, Y, Y, Y}},
	[ACT_APPLY] =                  {"apply",                     1,     {Y, N, N, N, N, N, N, N}},
	[ACT_CASE_READ] =              {"case.read",                 1,     {Y, N, N, N, N, N, N, N}},
	[ACT_LETTER_READ] =            {"letter.read",               1,     {Y, N, N, N, N, N, N, N}},
	[ACT_PERSON_READ] =            {"person.read",               1,     {Y, N, N, Y, Y, N, N, N}},
	[ACT_MYPAGES_READ] =           {"mypages.read",              1,     {Y, N, N, N, N, N, N, N}},
	[ACT_PREFERENCES_READ] =       {"preferences.read",          1,     {Y, N, N, N, N, N, N, N}},
	[ACT_PREFERENCES_WRITE] =      {"preferences.write",         1,     {Y, N, N, N, N, N, N, N}},
	[ACT_CALENDAR_FEED_MANAGE] =   {"calendar.feed.manage",      1,     {Y, N, N, N, N, N, N, N}},
	[ACT_MESSAGE_WRITE] =          {"message.write",             1,     {Y, N, N, N, N, N, N, N}},
	[ACT_DOCUMENT_UPLOAD] =        {"case.documentation",        1,     {Y, N, N, N, N, N, N, N}},
	[ACT_QUEUE_READ] =             {"queue.read",                0,     {N, N, N, Y, Y, N, N, N}},
	[ACT_CASE_EXAMINE] =           {"case.examine",              1,     {N, N, N, Y, Y, N, N, N}},
	[ACT_CASE_DECIDE] =            {"case.decide",               1,     {N, N, N, Y, Y, N, N, N}},
	[ACT_CASE_REQUEST_DOCS] =      {"case.request-docs",         1,     {N, N, N, Y, Y, N, N, N}},
	[ACT_CASE_REDECIDE] =          {"case.redecide",             1,     {N, N, N, Y, Y, N, N, N}},
	[ACT_SEE_CONFIDENTIAL_ADDRESS] = {"address.confidential.read", 1,     {Y, N, N, N, Y, N, N, N}},
	[ACT_MESSAGES_QUEUE] =         {"messages.read",             0,     {N, N, N, Y, Y, N, N, N}},
	[ACT_MESSAGE_READ] =           {"message.read",              1,     {N, N, N, Y, Y, N, N, N}},
	[ACT_MESSAGE_ANSWER] =         {"message.answer",            1,     {N, N, N, Y, Y, N, N, N}},
	[ACT_DOCUMENT_READ] =          {"document.read",             1,     {N, N, N, Y, Y, N, N, N}},
	[ACT_STATS_READ] =             {"stats.read",                0,     {N, N, N, Y, Y, N, Y, N}},
	/* The loan account (#11). */
	[ACT_LOAN_READ] =              {"loan.read",                 1,     {Y, N, N, N, N, N, N, N}},
	[ACT_LOAN_FIXED_RATE] =        {"loan.fixed-rate",           1,     {Y, N, N, N, N, N, N, N}},
	[ACT_LOAN_PAYMENTS_QUEUE] =    {"loan.payments.queue",       0,     {N, N, N, Y, Y, N, N, N}},
	[ACT_LOAN_PLAN_CHANGE] =       {"loan.plan-change",          1,     {Y, N, N, N, N, N, N, N}},
};

#undef Y
#undef N

const char *access_action_name(enum action act)
{
	return act >= 0 && act < ACT_N ? policy[act].name : "unknown";
}

int access_action_about_person(enum action act)
{
	return act >= 0 && act < ACT_N && policy[act].about_person;
}

int64_t access_subject(const struct principal *who)
{
	if (who->role != ROLE_PERSON || who->person_id == 0)
		return 0;
	return who->acting_for != 0 ? who->acting_for : who->person_id;
}

/* Whether who holds relation rel to the person owner (0: no one). */
static int holds(const struct principal *who, enum relation rel, int64_t owner)
{
	int caseworker = who->role == ROLE_CASEWORKER && who->staff_id != 0;
	switch (rel) {
	case REL_SELF:
		return who->role == ROLE_PERSON && who->person_id != 0 && who->grant == GRANT_SELF &&
		       (who->acting_for == 0 || who->acting_for == who->person_id) && owner == who->person_id;
	case REL_GUARDIAN:
	case REL_PROXY:
	case REL_INSTITUTION:
		return 0; /* not granted yet: guardians, proxies and institutions come with their grants */
	case REL_CASEWORKER:
		return caseworker;
	case REL_CASEWORKER_CONFIDENTIAL:
		return caseworker && who->may_see_confidential;
	case REL_SUPPORT:
		return who->role == ROLE_SUPPORT && who->staff_id != 0;
	case REL_MANAGEMENT:
		return who->role == ROLE_MANAGEMENT && who->staff_id != 0;
	case REL_N:
		break;
	}
	return 0;
}

int access_allowed(const struct principal *who, enum action act, int64_t owner_person_id)
{
	if (act < 0 || act >= ACT_N)
		return 0;
	const struct rule *r = &policy[act];
	if (act == ACT_PUBLIC)
		return 1;
	if (r->about_person && owner_person_id <= 0)
		return 0;
	for (int rel = 0; rel < REL_N; rel++)
		if (r->allowed[rel] && holds(who, (enum relation)rel, owner_person_id))
			return 1;
	return 0;
}

struct refusal {
	int64_t at;
	const char *actor, *action, *object;
};

static int audit_refusal(struct store_tx *tx, void *arg, struct err *e)
{
	const struct refusal *r = arg;
	return audit_append(tx, r->at, r->actor, r->action, r->object, NULL, e);
}

int access_check(struct store *s, const struct principal *who, enum action act, int64_t owner_person_id,
		 const char *object, const char *what, int64_t now, struct err *e)
{
	if (access_allowed(who, act, owner_person_id))
		return 0;
	char actor[64], action[64];
	snprintf(action, sizeof(action), "%s.denied", access_action_name(act));
	struct refusal r = {now, access_actor(who, actor, sizeof(actor)), action, object ? object : "-"};
	struct err e2;
	if (store_write(s, audit_refusal, &r, &e2) != 0)
		return err_set(e, e2.code, NULL, "%s", e2.message);
	if (access_action_about_person(act))
		return err_set(e, ERR_NOT_FOUND, NULL, "no such %s", what ? what : "thing");
	return err_set(e, ERR_FORBIDDEN, NULL, "%s is not allowed", access_action_name(act));
}

int access_check_subject(struct store *s, const struct principal *who, enum action act, const char *what,
			 int64_t now, struct err *e)
{
	char object[32];
	int64_t subject = access_subject(who);
	snprintf(object, sizeof(object), "person:%lld", (long long)subject);
	return access_check(s, who, act, subject, subject != 0 ? object : NULL, what, now, e);
}

json_t *access_policy_json(void)
{
	json_t *rels = json_array(), *acts = json_array();
	for (int rel = 0; rel < REL_N; rel++)
		json_array_append_new(rels, json_string(relation_names[rel]));
	for (int i = 0; i < ACT_N; i++) {
		json_t *allowed = json_array();
		for (int rel = 0; rel < REL_N; rel++)
			if (policy[i].allowed[rel] || i == ACT_PUBLIC)
				json_array_append_new(allowed, json_string(relation_names[rel]));
		if (i == ACT_PUBLIC)
			json_array_append_new(allowed, json_string("anonymous"));
		json_array_append_new(acts, json_pack("{s:s,s:b,s:o}", "name", policy[i].name, "about_person",
						      policy[i].about_person, "allowed", allowed));
	}
	return json_pack("{s:o,s:o}", "relations", rels, "actions", acts);
}
