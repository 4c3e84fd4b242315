/* access.h - who may see or do what, sessions, and CSRF tokens.
 *
 * One authorisation policy, a table a person can read (policy.c): every
 * domain function that touches personal data asks access_check() before it
 * reads or writes, and a refusal is audited there, once. Handlers never
 * decide who may do what. Today a person acts on their own things and a
 * case worker works the cases; guardians, proxies, schools, support and
 * management join the same table as relations.
 *
 * A session is a random 256-bit token in a cookie; the database keeps only
 * its hash, so a stolen database opens no session. CSRF tokens are derived
 * from the session token with the installation's secret key, so they need
 * no storage and a form from another site can never carry a valid one. */
#ifndef STIPEND_ACCESS_H
#define STIPEND_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct arena;
struct err;
struct store;

/* Who is logged in: nobody, a person (a citizen), or a member of staff in
 * one of the staff roles (the staff record's role: "caseworker",
 * "support", "management", "institution"). */
enum role { ROLE_ANONYMOUS, ROLE_PERSON, ROLE_CASEWORKER, ROLE_SUPPORT, ROLE_MANAGEMENT, ROLE_INSTITUTION };

/* The role's name as sessions, staff records and audit records spell it
 * ("person", "caseworker", ...; "anonymous"). */
const char *access_role_name(enum role r);

/* The staff role named name, or ROLE_ANONYMOUS when name is not one. */
enum role access_staff_role(const char *name);

/* Under which grant a principal acts. A person logged in acts for themself;
 * guardians and proxies (acting for another person under a grant) join as
 * further grants, and every record then names both. */
enum grant { GRANT_SELF, GRANT_STAFF, GRANT_GUARDIAN, GRANT_PROXY };

/* The level of assurance a login vouched for (eIDAS "substantial" or
 * "high"; ID-porten's acr values below). Actions the policy marks need_high
 * (signing, a payout account change) ask for high; a session at
 * substantial is refused with a step-up to a login at high. */
enum assurance { ASSURANCE_NONE, ASSURANCE_SUBSTANTIAL, ASSURANCE_HIGH };

#define ACR_SUBSTANTIAL "idporten-loa-substantial"
#define ACR_HIGH "idporten-loa-high"

/* The level an acr value names: ASSURANCE_NONE for NULL or an unknown one. */
enum assurance access_assurance_of(const char *acr);

/* The acting identity: who acts, for whom, under which grant. */
struct principal {
	enum role role;
	int64_t person_id; /* the person logged in; 0 when anonymous or staff */
	int64_t staff_id;  /* a member of staff's id, else 0 */
	int may_see_confidential; /* a case worker authorised to see confidential addresses */
	int64_t acting_for;       /* the person acted for; 0: the person logged in */
	enum grant grant;
	const char *institution;  /* institution staff: their institution's id, else NULL */
	int admin;                /* institution staff: the institution's administrator */
	enum assurance assurance; /* the level of assurance of the session's login (real login, #13) */
	const char *client_id;    /* an institution's student system acting through the API, else NULL */
	/* Guardians and proxies (access/relations.c): under GRANT_PROXY the
	 * power of attorney's id and its scopes (ACCESS_SCOPE_*), checked
	 * afresh on every request, as a guardian's right is. */
	int64_t proxy_id;
	unsigned scopes;
};

/* The scopes of a power of attorney (fullmakt). Each covers the actions
 * policy.c gives it; none covers changing the payout account or signing
 * a loan. */
#define ACCESS_SCOPE_LETTERS 1u /* read letters (and the cases they are about) */
#define ACCESS_SCOPE_APPLY 2u   /* apply (and follow the cases applied for) */
#define ACCESS_SCOPE_WRITE 4u   /* write to the agency, send documentation */
#define ACCESS_SCOPE_ALL 7u

/* What may be done, each with the name that audit records give it
 * ("case.read"; a refusal is "case.read.denied"). The policy table in
 * access/policy.c says who may do each. */
enum action {
	ACT_PUBLIC,      /* open to anyone: the front page, the calculators, login */
	ACT_APPLY,       /* submit an application, and see the form filled in */
	ACT_CASE_READ,   /* see one's case, its decision, trace, letters and conversation */
	ACT_LETTER_READ, /* see the mailbox and open a letter */
	ACT_PERSON_READ, /* see the data held about a person */
	ACT_MYPAGES_READ, /* "Mine sider": the overview and the calendar */
	ACT_PREFERENCES_READ,  /* see reminder and contact preferences */
	ACT_PREFERENCES_WRITE, /* change them */
	ACT_CALENDAR_FEED_MANAGE, /* make, replace or revoke the calendar's secret address */
	ACT_MESSAGE_WRITE,   /* write to the agency about a case */
	ACT_DOCUMENT_UPLOAD, /* send the documentation asked for */
	ACT_QUEUE_READ,      /* see the case workers' queue of manual cases */
	ACT_CASE_EXAMINE,    /* open a case in the workbench: facts, history, audit trail */
	ACT_CASE_DECIDE,     /* decide a case the rules sent to a case worker */
	ACT_CASE_REQUEST_DOCS, /* ask the applicant for documentation */
	ACT_CASE_REDECIDE,   /* have a case decided again on the registers' facts */
	ACT_SEE_CONFIDENTIAL_ADDRESS, /* see a person's strictly confidential address */
	ACT_MESSAGES_QUEUE,  /* see the messages waiting for an answer */
	ACT_MESSAGE_READ,    /* open one message with its case's conversation */
	ACT_MESSAGE_ANSWER,  /* answer a person's message */
	ACT_DOCUMENT_READ,   /* download documentation a person sent */
	ACT_STATS_READ,      /* the agency's figures (how soon letters are opened) */
	/* #9 (rules): the case workers' policy simulation, on stored applications */
	ACT_RULES_SIMULATE,  /* decide stored applications under a changed parameter; stores nothing */
	/* The support centre (#14, src/support/): */
	ACT_INQUIRY_LOG,     /* log an inquiry to the support centre, identify a caller */
	ACT_INQUIRY_READ,    /* see a person's inquiries (the caller's recent ones) */
	ACT_TIMELINE_READ,   /* see a person's communication history */
	ACT_FAQ_EDIT,        /* write, publish and review the FAQ's answers */
	ACT_SUPPORT_REPORT,  /* the support centre's cost report by agency and service */
	ACT_DASHBOARD_READ,  /* management's dashboard of the agency's figures */
	/* Payouts (#10, "the money goes out"): */
	ACT_PAYOUT_READ,          /* the payout conditions and plan on Dine sider */
	ACT_PAYOUT_ACCOUNT_WRITE, /* register the account payments go to */
	ACT_PAYOUT_EXAMINE,       /* a case worker's view of a person's payouts */
	/* The institutions' workspace (#13): */
	ACT_INSTITUTION_WORKSPACE, /* the workspace: the institution's students who applied, bulk forms */
	ACT_INSTITUTION_STUDENT_READ, /* one of its students: status and what was reported */
	ACT_INSTITUTION_CONFIRM,   /* confirm admission, semester registration or attendance */
	ACT_INSTITUTION_REPORT,    /* report credits passed or an interruption */
	ACT_INSTITUTION_STAFF_MANAGE, /* the administrator: colleagues and the student system's keys */
	/* ---- the support agreement, guardians and proxies (src/signing/, access/relations.c) ---- */
	ACT_AGREEMENT_READ,  /* see one's support agreements and their PDF */
	ACT_AGREEMENT_SIGN,  /* sign one (electronically or by choosing paper) */
	ACT_AGREEMENTS_PAPER_QUEUE, /* the case workers' list of agreements out on paper */
	ACT_AGREEMENT_PAPER_RECEIVED, /* register that a signed paper agreement came back */
	ACT_ACTFOR_CHOOSE,   /* choose whom to act for (oneself, a child, a grantor) */
	ACT_PROXY_MANAGE,    /* give and revoke powers of attorney; see who acted for one */
	/* The loan account (#11). */
	ACT_LOAN_READ,       /* "Min gjeld": the debt, rate, plan, invoices and payments */
	ACT_LOAN_FIXED_RATE, /* choose a fixed rate for 3, 5 or 10 years */
	ACT_LOAN_PAYMENTS_QUEUE, /* see the payments no account matched */
	ACT_LOAN_PLAN_CHANGE,    /* pay faster or slower: the plan's length */
	/* The support centre's upkeep (#14, src/support/upkeep.c): */
	ACT_SUPPORT_TOPICS_MANAGE,   /* add, rename and retire the inquiry log's topics */
	ACT_SUPPORT_AGENCIES_MANAGE, /* add, rename and retire the agencies the centre serves */
	ACT_FAQ_SEND,                /* send an FAQ answer's link to a caller (mailbox or e-mail) */
	/* The loan account's open features (#11, helper D). */
	ACT_LOAN_PAYMENT_RESOLVE, /* book a payment no account took to a borrower, or refund it */
	ACT_LOAN_DUE_DAY,         /* choose the invoices' due day (5th, 15th or 25th) */
	/* The loan account's write-off at permanent disability (#11, helper B,
	 * loans/disability.h). */
	ACT_LOAN_WRITE_OFF,       /* a case worker's decision on writing off a disabled borrower's debt */
	ACT_N
};

/* The action's name: "case.read". */
const char *access_action_name(enum action act);

/* 1 when the action concerns one person's data, so that it needs the
 * person it is about (its owner); 0 for actions on no one's data. */
int access_action_about_person(enum action act);

/* The person whose things who acts on: acting_for, else the person logged
 * in (0 for staff and anonymous visitors). */
int64_t access_subject(const struct principal *who);

/* 1 when who may do act on what belongs to owner_person_id (0 when it
 * belongs to no one, or does not exist), by the policy table. Pure: it
 * asks nothing and audits nothing; domain functions call access_check().
 * The institution relation to a person needs the store (is the person the
 * institution's student?), so here it is never held: ask access_check(). */
int access_allowed(const struct principal *who, enum action act, int64_t owner_person_id);

/* The one gate. Returns 0 when who may do act on object ("case:7"; NULL
 * for none) owned by owner_person_id. Otherwise audits the refusal once
 * ("case.read.denied" by who on object) and returns -1: ERR_NOT_FOUND ("no
 * such <what>") for an action about a person, so that a refusal reveals
 * nothing, ERR_FORBIDDEN for one about no one's data, or the store's error
 * when the record could not be written. A domain function calls it before
 * it reads or writes, outside its own transaction, so that the record of a
 * refusal stays. Thread-safe. */
int access_check(struct store *s, const struct principal *who, enum action act, int64_t owner_person_id,
		 const char *object, const char *what, int64_t now, struct err *e);

/* 1 when the policy says act needs a login at high assurance. */
int access_action_needs_high(enum action act);

/* access_check() with the level of assurance the action needs given
 * explicitly (ASSURANCE_HIGH where the policy's column says need_high;
 * for a domain function whose need depends on the thing, and for the tests
 * of the step-up). A principal the relations allow but whose session is
 * below need is refused with ERR_FORBIDDEN and field "acr" (the web layer
 * answers with a step-up login), audited once as "<action>.denied". */
int access_check_level(struct store *s, const struct principal *who, enum action act, enum assurance need,
		       int64_t owner_person_id, const char *object, const char *what, int64_t now, struct err *e);

/* access_check() for act on the things of the person who acts for
 * (access_subject(who)), object "person:N" (none when there is no such
 * person: an anonymous visitor or a member of staff, who is then refused).
 * what names the thing in the refusal's message. Returns 0 or -1 as
 * access_check(). */
int access_check_subject(struct store *s, const struct principal *who, enum action act, const char *what,
			 int64_t now, struct err *e);

/* The policy as data, for `stipend policy` and the tests: {"relations":
 * [name...], "actions": [{"name", "about_person", "allowed": [relation
 * name...]}]}. New reference. */
json_t *access_policy_json(void);

/* "person:17", "staff:2" or "anonymous", for audit records. Returns out. */
char *access_actor(const struct principal *who, char *out, size_t len);

#define ACCESS_TOKEN_LEN 43 /* base64url of 32 random bytes, no padding */

/* Load the installation's secret (creating it on first use). Call once
 * after the store is migrated and before sessions are used. */
int access_init(struct store *s, struct err *e);

/* A fresh random token (ACCESS_TOKEN_LEN characters and a NUL). */
void access_new_token(char out[ACCESS_TOKEN_LEN + 1]);

/* Start a session for person with role; the token to put in the cookie is
 * written to token. Returns 0 or -1. */
int access_session_start(struct store *s, int64_t person_id, enum role role, int64_t now, int64_t ttl,
			 char token[ACCESS_TOKEN_LEN + 1], struct err *e);

/* Find the principal of a session token. A staff session's authorisations
 * (may_see_confidential) are read afresh from the staff record, so that a
 * withdrawn authorisation takes effect at once. Returns 0 (who filled), 1 when the
 * token is unknown or expired, -1 on failure. */
int access_session_find(struct store *s, const char *token, int64_t now, struct principal *who,
			struct arena *a, struct err *e);

/* The hash under which the store keeps a session token: 64 hex digits and
 * a NUL. */
void access_token_hash(const char *token, char out[65]);
/* ---- guardians and proxies (relations.c) ----
 *
 * A guardian (a parent or guardian the population register names) and a
 * proxy (who holds a power of attorney) log in as themselves and choose to
 * act for a child under 18 or a grantor; the session keeps the choice, and
 * every request checks it again by its own clock: the right ends on the
 * child's 18th birthday, on the power's end date and when it is revoked. */

/* Fill who's acting_for, grant, proxy_id and scopes from the session with
 * key_hash when its chosen grant still holds at now; otherwise who acts for
 * themself. Called by access_session_find. Returns 0 or -1. */
int access_grant_load(struct store *s, const char *key_hash, int64_t now, struct principal *who, struct arena *a,
		      struct err *e);

/* The name of the person who acts for (acting_for), for the page header:
 * 0 with *name set, 1 when who acts for themself, -1. */
int access_acting_name(struct store *s, const struct principal *who, const char **name, const char **grant_key,
		       struct arena *a, struct err *e);

struct reg_client;

/* The page "Handle for": whom the person logged in may act for at now: the
 * children under 18 the population register names them guardian of (asked
 * afresh from registers when it is not NULL; else as last asked), and the
 * persons who gave them a power of attorney in force; and whom they act
 * for now. Gate: actfor.choose. New reference; strings in a. */
json_t *access_actfor_page(struct store *s, struct reg_client *registers, const struct principal *who, int64_t now,
			   struct arena *a, struct err *e);

/* Act for person (0: oneself again) under the session token: as guardian
 * ("guardian") or under power proxy_id ("proxy"), each checked at now;
 * audited ("actfor.chosen" by the person logged in, on person:N). Returns
 * 0, or -1: ERR_NOT_FOUND when there is no such right (audited as
 * actfor.choose.denied), ERR_INVALID (field "person") when person is
 * negative (checked after the gate). */
int access_actfor_choose(struct store *s, const struct principal *who, const char *token, int64_t person,
			 const char *grant, int64_t proxy_id, int64_t now, struct err *e);

/* The powers of attorney page of the person logged in acting for
 * themself: those given and those held, and who acted for them (the
 * audit records made under a guardian's or proxy's grant). Gate:
 * proxy.manage. New reference. */
json_t *access_proxies_page(struct store *s, const struct principal *who, int64_t now, struct arena *a,
			    struct err *e);

/* Give a power of attorney to the person with identity number nin, with
 * scopes (ACCESS_SCOPE_*, at least one) until valid_until (YYYY-MM-DD, from
 * today to five years ahead). Returns 0 with *id, or -1: ERR_INVALID
 * naming the field ("nin", "scopes", "valid_until"). */
int access_proxy_give(struct store *s, const struct principal *who, const char *nin, unsigned scopes,
		      const char *valid_until, int64_t now, int64_t *id, struct err *e);

/* Revoke power id: by the grantor, or renounced by the proxy. Returns 0 or
 * -1 (ERR_NOT_FOUND, audited; ERR_CONFLICT when it is revoked already). */
int access_proxy_revoke(struct store *s, const struct principal *who, int64_t id, int64_t now, struct err *e);

/* The stored hash of a session token (64 hex digits). Returns 0, or -1
 * when token is not a session token's shape. */
int access_session_hash(const char *token, char out[65]);

/* End a session. */
int access_session_end(struct store *s, const char *token, struct err *e);

/* Start a session for person_id (staff_id 0) or the member of staff
 * staff_id (person_id 0) in role, as access_session_start does, and end
 * the session of old_token (may be NULL: none) in the same transaction, so
 * that a second login in a browser never leaves the first session alive
 * beside it. Returns 0 (token filled) or -1 with nothing changed. The
 * session is at high assurance: the test login (like TestID, which lets
 * the tester choose the level) and access_session_start use it; a real
 * login records the level its provider vouched for (access/oidc.h). */
int access_session_switch(struct store *s, const char *old_token, int64_t person_id, int64_t staff_id,
			  enum role role, int64_t now, int64_t ttl, char token[ACCESS_TOKEN_LEN + 1], struct err *e);

/* A fresh token for an anonymous visitor (the `pre` cookie that forms
 * before login derive their CSRF token from): 16 random bytes and a 16-byte
 * MAC of them under the installation's secret, ACCESS_TOKEN_LEN characters
 * and a NUL. Only the server can make one, so a value a client makes up or
 * another site plants never passes access_pre_ok(). Call after access_init(). */
void access_pre_token(char out[ACCESS_TOKEN_LEN + 1]);

/* 1 when token is a `pre` token this installation issued (MAC checked in
 * constant time), else 0. */
int access_pre_ok(const char *token);

/* ---- the test login (login.c) ----
 *
 * Like ID-porten's TestID: pick a synthetic person or a test case worker,
 * with no proof of identity, so a server offers it only with --test-login
 * (the handler's check). Each login ends the session of old_token (the
 * request's own session, NULL when it has none) as it starts the new one. */

struct person;
struct staff;

/* Whom the test login lists: the first `limit` persons by id and every
 * member of staff, in the arena. Returns 0 with the two lists and their
 * counts filled, or -1. */
int access_test_login_people(struct store *s, int limit, struct person **persons, int *n_persons,
			     struct staff **staff, int *n_staff, struct arena *a, struct err *e);

/* Log in as the person with national identity number nin. Returns 0 with
 * token filled, 1 when no person has that number, -1 with ERR_INVALID (field
 * "nin") when it is not a valid number, or -1 on failure. */
int access_login_test_person(struct store *s, const char *nin, const char *old_token, int64_t now, int64_t ttl,
			     char token[ACCESS_TOKEN_LEN + 1], struct err *e);

/* Log in as the member of staff with username, as access_login_test_person
 * does (1: no such member of staff). */
int access_login_test_staff(struct store *s, const char *username, const char *old_token, int64_t now,
			    int64_t ttl, char token[ACCESS_TOKEN_LEN + 1], struct err *e);

/* The CSRF token for forms shown to the holder of a session (or anonymous
 * visitor) token: 64 hex digits and a NUL. */
void access_csrf(const char *token, char out[65]);

/* 1 when csrf is the right token for token, compared in constant time. */
int access_csrf_ok(const char *token, const char *csrf);

#endif
