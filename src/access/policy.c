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
 * institution's own students (a person who has applied and whose place
 * of study the agency holds is that institution: the store says, through
 * store_institution_has_student()), or for an action about no one's data,
 * any staff of an institution or its student system; (institution+admin)
 * an institution's administrator. An action is allowed when any relation the
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
#include "store/institution.h"
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
	REL_INSTITUTION_ADMIN, /* #13: an institution's administrator */
	REL_N
};

static const char *const relation_names[REL_N] = {
	"self", "guardian", "proxy", "caseworker", "caseworker+confidential", "support", "management", "institution",
	"institution+admin",
};

#define Y 1
#define N 0
#define HIGH 1

static const struct rule {
	const char *name;
	int about_person;
	int allowed[REL_N];
	/* Real login (#13): 1 when the action needs a login at high
	 * assurance (signing, payout account changes); a row may end with
	 * HIGH after its relations. */
	int need_high;
} policy[ACT_N] = {
	/* action                        name                      person  self grd prx cw cwc sup mgt ins */
	[ACT_PUBLIC] =                 {"public",                    0,     {Y, Y, Y, Y, Y, Y, Y, Y}},
	[ACT_APPLY] =                  {"apply",                     1,     {Y, Y, Y, N, N, N, N, N}},
	[ACT_CASE_READ] =              {"case.read",                 1,     {Y, Y, Y, N, N, N, N, N}},
	[ACT_LETTER_READ] =            {"letter.read",               1,     {Y, Y, Y, N, N, N, N, N}},
	[ACT_PERSON_READ] =            {"person.read",               1,     {Y, N, N, Y, Y, N, N, N}},
	[ACT_MYPAGES_READ] =           {"mypages.read",              1,     {Y, N, N, N, N, N, N, N}},
	[ACT_PREFERENCES_READ] =       {"preferences.read",          1,     {Y, N, N, N, N, N, N, N}},
	[ACT_PREFERENCES_WRITE] =      {"preferences.write",         1,     {Y, N, N, N, N, N, N, N}},
	[ACT_CALENDAR_FEED_MANAGE] =   {"calendar.feed.manage",      1,     {Y, N, N, N, N, N, N, N}},
	[ACT_MESSAGE_WRITE] =          {"message.write",             1,     {Y, N, Y, N, N, N, N, N}},
	[ACT_DOCUMENT_UPLOAD] =        {"case.documentation",        1,     {Y, N, Y, N, N, N, N, N}},
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
	/* #9 (rules) */
	[ACT_RULES_SIMULATE] =         {"rules.simulate",            0,     {N, N, N, Y, Y, N, Y, N}},
	/* The support centre (#14): agents log and read inquiries; a person,
	 * a case worker and an agent read a person's history (each reading
	 * audited by support/timeline.c); management reads the figures. */
	[ACT_INQUIRY_LOG] =            {"inquiry.log",               0,     {N, N, N, N, N, Y, N, N}},
	[ACT_INQUIRY_READ] =           {"inquiry.read",              1,     {Y, N, N, Y, Y, Y, N, N}},
	[ACT_TIMELINE_READ] =          {"timeline.read",             1,     {Y, N, N, Y, Y, Y, N, N}},
	[ACT_FAQ_EDIT] =               {"faq.edit",                  0,     {N, N, N, N, N, Y, N, N}},
	[ACT_SUPPORT_REPORT] =         {"support.report",            0,     {N, N, N, N, N, Y, Y, N}},
	[ACT_DASHBOARD_READ] =         {"dashboard.read",            0,     {N, N, N, N, N, N, Y, N}},
	/* Payouts (#10). Registering an account redirects money: it needs a
	 * login at high assurance, as signing the agreement does. */
	/* #10: a parent or guardian of a pupil under 18 reads the pupil's
	 * payout page (conditions and plan), but the account stays the
	 * pupil's own to register. */
	[ACT_PAYOUT_READ] =            {"payout.read",               1,     {Y, Y, N, N, N, N, N, N}},
	[ACT_PAYOUT_ACCOUNT_WRITE] =   {"payout.account.write",      1,     {Y, N, N, N, N, N, N, N}, HIGH},
	[ACT_PAYOUT_EXAMINE] =         {"payout.examine",            1,     {N, N, N, Y, Y, N, N, N}},
	/* The institutions' workspace (#13); the last column is institution+admin. */
	[ACT_INSTITUTION_WORKSPACE] =  {"institution.workspace",     0,     {N, N, N, N, N, N, N, Y, N}},
	[ACT_INSTITUTION_STUDENT_READ] = {"institution.students.read", 1,   {N, N, N, N, N, N, N, Y, N}},
	[ACT_INSTITUTION_CONFIRM] =    {"institution.confirm",       1,     {N, N, N, N, N, N, N, Y, N}},
	[ACT_INSTITUTION_REPORT] =     {"institution.report",        1,     {N, N, N, N, N, N, N, Y, N}},
	[ACT_INSTITUTION_STAFF_MANAGE] = {"institution.staff.manage", 0,    {N, N, N, N, N, N, N, N, Y}},
	/* the support agreement, guardians and proxies */
	[ACT_AGREEMENT_READ] =         {"agreement.read",            1,     {Y, Y, N, Y, Y, N, N, N}},
	[ACT_AGREEMENT_SIGN] =         {"agreement.sign",            1,     {Y, Y, N, N, N, N, N, N}, HIGH},
	[ACT_AGREEMENTS_PAPER_QUEUE] = {"agreements.paper.read",     0,     {N, N, N, Y, Y, N, N, N}},
	[ACT_AGREEMENT_PAPER_RECEIVED] = {"agreement.paper-received", 1,    {N, N, N, Y, Y, N, N, N}},
	[ACT_ACTFOR_CHOOSE] =          {"actfor.choose",             1,     {Y, Y, Y, N, N, N, N, N}},
	[ACT_PROXY_MANAGE] =           {"proxy.manage",              1,     {Y, N, N, N, N, N, N, N}},
	/* The loan account (#11). */
	[ACT_LOAN_READ] =              {"loan.read",                 1,     {Y, N, N, N, N, N, N, N}},
	[ACT_LOAN_FIXED_RATE] =        {"loan.fixed-rate",           1,     {Y, N, N, N, N, N, N, N}},
	[ACT_LOAN_PAYMENTS_QUEUE] =    {"loan.payments.queue",       0,     {N, N, N, Y, Y, N, N, N}},
	[ACT_LOAN_PLAN_CHANGE] =       {"loan.plan-change",          1,     {Y, N, N, N, N, N, N, N}},
	/* The support centre's upkeep (#14): the agents keep their list of
	 * topics (management too, who read the figures by topic); which
	 * agencies the centre serves (and so shares its cost with) is
	 * management's. Sending an FAQ link is an agent's; to an identified
	 * caller it also needs inquiry.read on that person (support/send.c). */
	[ACT_SUPPORT_TOPICS_MANAGE] =  {"support.topics.manage",     0,     {N, N, N, N, N, Y, Y, N}},
	[ACT_SUPPORT_AGENCIES_MANAGE] = {"support.agencies.manage",  0,     {N, N, N, N, N, N, Y, N}},
	[ACT_FAQ_SEND] =               {"faq.send",                  0,     {N, N, N, N, N, Y, N, N}},
	/* The loan account's open features (#11, helper D). */
	[ACT_LOAN_PAYMENT_RESOLVE] =   {"loan.payment.resolve",      0,     {N, N, N, Y, Y, N, N, N}},
	[ACT_LOAN_DUE_DAY] =           {"loan.due-day",              1,     {Y, N, N, N, N, N, N, N}},
	/* The write-off at permanent disability (#11, helper B): a case
	 * worker's decision, never the borrower's own nor support's. */
	[ACT_LOAN_WRITE_OFF] =         {"loan.write-off",            1,     {N, N, N, Y, Y, N, N, N}},
};

/* The actions each scope of a power of attorney covers; the proxy column
 * above is their union. Changing the payout account and signing a loan
 * (agreement.sign) are in none, by law as by design. */
static const struct {
	unsigned scope;
	enum action act;
} scope_actions[] = {
	{ACCESS_SCOPE_LETTERS, ACT_LETTER_READ}, {ACCESS_SCOPE_LETTERS, ACT_CASE_READ},
	{ACCESS_SCOPE_APPLY, ACT_APPLY},         {ACCESS_SCOPE_APPLY, ACT_CASE_READ},
	{ACCESS_SCOPE_WRITE, ACT_MESSAGE_WRITE}, {ACCESS_SCOPE_WRITE, ACT_DOCUMENT_UPLOAD},
	{ACCESS_SCOPE_ALL, ACT_ACTFOR_CHOOSE},
};

/* 1 when a power of attorney with scopes covers act. */
static int scope_covers(unsigned scopes, enum action act)
{
	for (size_t i = 0; i < sizeof(scope_actions) / sizeof(scope_actions[0]); i++)
		if (scope_actions[i].act == act && (scope_actions[i].scope & scopes) != 0)
			return 1;
	return 0;
}

#undef Y
#undef N
#undef HIGH

const char *access_action_name(enum action act)
{
	return act >= 0 && act < ACT_N ? policy[act].name : "unknown";
}

int access_action_about_person(enum action act)
{
	return act >= 0 && act < ACT_N && policy[act].about_person;
}

int access_action_needs_high(enum action act)
{
	return act >= 0 && act < ACT_N && policy[act].need_high;
}

int64_t access_subject(const struct principal *who)
{
	if (who->role != ROLE_PERSON || who->person_id == 0)
		return 0;
	return who->acting_for != 0 ? who->acting_for : who->person_id;
}

/* Whether the institution staff (or student system) who is of the
 * institution whose student owner is: asked of the store (s NULL: the pure
 * question, which cannot tell, answers no). A store that fails answers no. */
static int institution_student(struct store *s, const struct principal *who, int64_t owner)
{
	struct err e;
	if (s == NULL || owner == 0)
		return 0;
	return store_institution_has_student(s, who->institution, owner, &e) == 1;
}

/* Whether who holds relation rel to the person owner (0: no one) for act;
 * s is the store for a relation that needs it (NULL: the pure question).
 * A guardian's and a proxy's grant are checked when the session is found
 * (access.c, by the request's clock: the 18th birthday, the power's end
 * date and its revocation), so that here acting_for names a person the
 * grant still covers. */
static int holds(struct store *s, const struct principal *who, enum relation rel, int64_t owner, enum action act)
{
	int acting = who->role == ROLE_PERSON && who->person_id != 0 && owner != 0 && who->acting_for == owner &&
		     owner != who->person_id;
	int institution = who->role == ROLE_INSTITUTION && who->institution != NULL &&
			  (who->staff_id != 0 || who->client_id != NULL);
	int caseworker = who->role == ROLE_CASEWORKER && who->staff_id != 0;
	switch (rel) {
	case REL_SELF:
		return who->role == ROLE_PERSON && who->person_id != 0 && who->grant == GRANT_SELF &&
		       (who->acting_for == 0 || who->acting_for == who->person_id) && owner == who->person_id;
	case REL_GUARDIAN:
		return acting && who->grant == GRANT_GUARDIAN;
	case REL_PROXY:
		return acting && who->grant == GRANT_PROXY && who->proxy_id != 0 && scope_covers(who->scopes, act);
	case REL_INSTITUTION:
		/* For no one's data (the workspace), any of the institution's
		 * staff; for a person, only the institution's own student. */
		return institution && (owner == 0 || institution_student(s, who, owner));
	case REL_INSTITUTION_ADMIN:
		return institution && who->staff_id != 0 && who->admin;
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

static int allowed(struct store *s, const struct principal *who, enum action act, int64_t owner_person_id)
{
	if (act < 0 || act >= ACT_N)
		return 0;
	const struct rule *r = &policy[act];
	if (act == ACT_PUBLIC)
		return 1;
	if (r->about_person && owner_person_id <= 0)
		return 0;
	for (int rel = 0; rel < REL_N; rel++)
		if (r->allowed[rel] && holds(s, who, (enum relation)rel, owner_person_id, act))
			return 1;
	return 0;
}

int access_allowed(const struct principal *who, enum action act, int64_t owner_person_id)
{
	return allowed(NULL, who, act, owner_person_id);
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

static int refuse(struct store *s, const struct principal *who, enum action act, const char *object, int64_t now,
		  struct err *e)
{
	char actor[64], action[64];
	snprintf(action, sizeof(action), "%s.denied", access_action_name(act));
	struct refusal r = {now, access_actor(who, actor, sizeof(actor)), action, object ? object : "-"};
	struct err e2;
	if (store_write(s, audit_refusal, &r, &e2) != 0)
		return err_set(e, e2.code, NULL, "%s", e2.message);
	return 0;
}

int access_check_level(struct store *s, const struct principal *who, enum action act, enum assurance need,
		       int64_t owner_person_id, const char *object, const char *what, int64_t now, struct err *e)
{
	/* The store answers the relations that need it (an institution's
	 * own students), which the pure access_allowed() cannot. */
	int ok = allowed(s, who, act, owner_person_id);
	/* Allowed by a relation, but the login was not strong enough: the
	 * person may do it after a login at the level asked, so the answer
	 * says so (field "acr") instead of pretending the thing is not there. */
	if (ok && who->assurance >= need)
		return 0;
	if (refuse(s, who, act, object, now, e) != 0)
		return -1;
	if (ok)
		return err_set(e, ERR_FORBIDDEN, "acr", "%s needs a login at high assurance", access_action_name(act));
	if (access_action_about_person(act))
		return err_set(e, ERR_NOT_FOUND, NULL, "no such %s", what ? what : "thing");
	return err_set(e, ERR_FORBIDDEN, NULL, "%s is not allowed", access_action_name(act));
}

int access_check(struct store *s, const struct principal *who, enum action act, int64_t owner_person_id,
		 const char *object, const char *what, int64_t now, struct err *e)
{
	enum assurance need = access_action_needs_high(act) ? ASSURANCE_HIGH : ASSURANCE_NONE;
	return access_check_level(s, who, act, need, owner_person_id, object, what, now, e);
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
		json_array_append_new(acts, json_pack("{s:s,s:b,s:o,s:b}", "name", policy[i].name, "about_person",
						      policy[i].about_person, "allowed", allowed, "need_high",
						      policy[i].need_high));
	}
	return json_pack("{s:o,s:o}", "relations", rels, "actions", acts);
}
