/* relations.c - guardians and powers of attorney: whom a person may act
 * for, the choice kept in the session, and the powers a person gives.
 *
 * A guardian is a parent the population register names for a child; the
 * register is asked when the guardian opens "Handle for" and its answer
 * kept (guardianships), so that every later request can check the right
 * without the network: the relation stands, and the child is under 18 on
 * the request's day (the right ends on the 18th birthday itself). A proxy
 * holds a power of attorney (proxies) with scopes and an end date (the
 * last day it holds), revocable by the grantor or renounced by the proxy
 * at any time. Both choose "act for" in the session (sessions.acting_*);
 * access_grant_load() checks the choice again on every request, and a
 * choice that no longer holds leaves the person acting for themself.
 *
 * Audit: choosing is "actfor.chosen" by the person logged in on the
 * person acted for; every action under the grant is recorded by
 * access_actor() as "person:G for person:C", which is how the child (or
 * grantor) sees who acted for them. */
#include <string.h>

#include "access/access.h"
#include "audit/audit.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/nin.h"
#include "registers/registers.h"
#include "store/agreements.h"
#include "store/store.h"

#define ADULT_AGE 18
#define PROXY_MAX_YEARS 5

static date_t day_of(int64_t now)
{
	return (date_t)(now >= 0 ? now / 86400 : (now - 86399) / 86400);
}

/* 1 when guardian may act for child on day: the register's relation, and
 * the child under 18. 0 when not, -1 on failure. */
static int guardian_holds(struct store *s, int64_t guardian, int64_t child, date_t day, struct arena *a,
			  struct err *e)
{
	int rc = store_is_guardian(s, guardian, child, e);
	if (rc != 1)
		return rc;
	struct person p;
	rc = store_person_get(s, child, &p, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return date_age(p.birth_date, day) < ADULT_AGE;
}

static unsigned scopes_of(const char *list)
{
	unsigned s = 0;
	if (list == NULL)
		return 0;
	if (strstr(list, "letters"))
		s |= ACCESS_SCOPE_LETTERS;
	if (strstr(list, "apply"))
		s |= ACCESS_SCOPE_APPLY;
	if (strstr(list, "write"))
		s |= ACCESS_SCOPE_WRITE;
	return s;
}

/* 1 when power id lets proxy act for grantor on day (*scopes filled); 0
 * when not; -1. */
static int proxy_holds(struct store *s, int64_t id, int64_t proxy, int64_t grantor, date_t day, unsigned *scopes,
		       struct arena *a, struct err *e)
{
	struct proxy_rec p;
	date_t until;
	int rc = store_proxy_get(s, id, &p, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (p.proxy_id != proxy || p.grantor_id != grantor || p.revoked_at != 0 ||
	    date_parse(p.valid_until, &until) != 0 || until < day)
		return 0;
	*scopes = scopes_of(p.scopes);
	return *scopes != 0;
}

int access_grant_load(struct store *s, const char *key_hash, int64_t now, struct principal *who, struct arena *a,
		      struct err *e)
{
	int64_t acting_for = 0, proxy_id = 0;
	const char *grant = NULL;
	unsigned scopes = 0;
	int rc = store_session_acting_get(s, key_hash, &acting_for, &grant, &proxy_id, a, e);
	if (rc != 0 || acting_for == 0 || grant == NULL)
		return rc < 0 ? -1 : 0;
	if (strcmp(grant, "guardian") == 0) {
		rc = guardian_holds(s, who->person_id, acting_for, day_of(now), a, e);
		if (rc == 1) {
			who->acting_for = acting_for;
			who->grant = GRANT_GUARDIAN;
		}
	} else if (strcmp(grant, "proxy") == 0) {
		rc = proxy_holds(s, proxy_id, who->person_id, acting_for, day_of(now), &scopes, a, e);
		if (rc == 1) {
			who->acting_for = acting_for;
			who->grant = GRANT_PROXY;
			who->proxy_id = proxy_id;
			who->scopes = scopes;
		}
	}
	return rc < 0 ? -1 : 0;
}

int access_acting_name(struct store *s, const struct principal *who, const char **name, const char **grant_key,
		       struct arena *a, struct err *e)
{
	*name = NULL;
	*grant_key = NULL;
	if (who->role != ROLE_PERSON || who->acting_for == 0 || who->acting_for == who->person_id)
		return 1;
	struct person p;
	int rc = store_person_get(s, who->acting_for, &p, a, e);
	if (rc != 0)
		return rc;
	*name = arena_printf(a, "%s %s", p.given_name, p.family_name);
	*grant_key = who->grant == GRANT_GUARDIAN ? "actfor.as.guardian" : "actfor.as.proxy";
	return 0;
}

/* The person logged in, acting for themself: choosing whom to act for and
 * managing one's powers are one's own acts, whoever one acts for. */
static struct principal own(const struct principal *who)
{
	struct principal me = *who;
	me.acting_for = 0;
	me.grant = GRANT_SELF;
	me.proxy_id = 0;
	me.scopes = 0;
	return me;
}

/* ---- the register's children ---- */

struct guardianships {
	int64_t guardian;
	int64_t *children;
	int n;
	int64_t at;
};

static int put_guardianships(struct store_tx *tx, void *arg, struct err *e)
{
	struct guardianships *g = arg;
	return store_guardianships_put(tx, g->guardian, g->children, g->n, g->at, e);
}

/* Ask the population register whose parent the person is and keep the
 * answer: the children it names who are persons the agency knows. */
static int refresh_children(struct store *s, struct reg_client *registers, const struct person *me, int64_t now,
			    struct arena *a, struct err *e)
{
	struct reg_person rp;
	int rc = reg_population_person(registers, me->nin, &rp, a, e);
	if (rc != 0)
		return rc; /* 1: the register does not know them: keep what we had */
	struct guardianships g = {me->id, arena_zalloc(a, sizeof(int64_t) * (size_t)(rp.n_children + 1)), 0, now};
	for (int i = 0; i < rp.n_children; i++) {
		struct person child;
		rc = store_person_by_nin(s, rp.children[i].nin, &child, a, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			g.children[g.n++] = child.id;
	}
	return store_write(s, put_guardianships, &g, e);
}

/* ---- the page ---- */

json_t *access_actfor_page(struct store *s, struct reg_client *registers, const struct principal *who, int64_t now,
			   struct arena *a, struct err *e)
{
	struct principal me = own(who);
	struct person p;
	if (access_check(s, who, ACT_ACTFOR_CHOOSE, access_subject(who), NULL, "person", now, e) != 0)
		return NULL;
	int rc = store_person_get(s, me.person_id, &p, a, e);
	if (rc != 0) {
		if (rc == 1)
			err_set(e, ERR_NOT_FOUND, NULL, "no such person");
		return NULL;
	}
	json_t *d = json_object(), *children = json_array(), *grantors = json_array();
	if (registers != NULL) {
		struct err re;
		if (refresh_children(s, registers, &p, now, a, &re) < 0)
			json_object_set_new(d, "register_failed", json_true());
	}
	/* The children the register named, each with whether the right
	 * holds today (under 18). */
	int64_t *ids = arena_zalloc(a, sizeof(int64_t) * 32);
	int n = store_children_of(s, me.person_id, ids, 32, e);
	if (n < 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		struct person c;
		if (store_person_get(s, ids[i], &c, a, e) != 0)
			continue;
		int age = date_age(c.birth_date, day_of(now));
		char born[11];
		json_array_append_new(children,
				      json_pack("{s:I,s:s,s:s,s:i,s:b,s:b}", "id", (json_int_t)c.id, "name",
						arena_printf(a, "%s %s", c.given_name, c.family_name), "birth_date",
						date_format(c.birth_date, born), "age", age, "may_act", age < ADULT_AGE,
						"current", who->acting_for == c.id && who->grant == GRANT_GUARDIAN));
	}
	struct proxy_rec *held;
	n = store_proxies_of(s, me.person_id, 1, &held, a, e);
	if (n < 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		unsigned scopes = 0;
		struct person g;
		if (proxy_holds(s, held[i].id, me.person_id, held[i].grantor_id, day_of(now), &scopes, a, e) != 1 ||
		    store_person_get(s, held[i].grantor_id, &g, a, e) != 0)
			continue;
		json_array_append_new(grantors,
				      json_pack("{s:I,s:I,s:s,s:s,s:s,s:b}", "proxy", (json_int_t)held[i].id, "id",
						(json_int_t)g.id, "name", arena_printf(a, "%s %s", g.given_name, g.family_name),
						"scopes", held[i].scopes, "valid_until", held[i].valid_until, "current",
						who->acting_for == g.id && who->grant == GRANT_PROXY));
	}
	json_object_set_new(d, "children", children);
	json_object_set_new(d, "grantors", grantors);
	json_object_set_new(d, "self_name", json_string(arena_printf(a, "%s %s", p.given_name, p.family_name)));
	json_object_set_new(d, "acting", json_boolean(who->acting_for != 0 && who->acting_for != who->person_id));
	return d;
fail:
	json_decref(d);
	json_decref(children);
	json_decref(grantors);
	return NULL;
}

/* ---- choosing ---- */

struct choice {
	const char *hash;
	int64_t person, proxy_id;
	const char *grant;
	int64_t at;
	const char *actor;
	char object[32];
};

static int put_choice(struct store_tx *tx, void *arg, struct err *e)
{
	struct choice *c = arg;
	if (store_session_acting_put(tx, c->hash, c->person, c->grant, c->proxy_id, e) != 0)
		return -1;
	return audit_append(tx, c->at, c->actor, c->person ? "actfor.chosen" : "actfor.ended", c->object, c->grant, e);
}

int access_actfor_choose(struct store *s, const struct principal *who, const char *token, int64_t person,
			 const char *grant, int64_t proxy_id, int64_t now, struct err *e)
{
	struct principal me = own(who);
	struct arena a;
	char hash[65], actor[64];
	int rc = -1, holds = 0;
	unsigned scopes = 0;
	if (access_check(s, who, ACT_ACTFOR_CHOOSE, access_subject(who), NULL, "person", now, e) != 0)
		return -1;
	if (person < 0)
		return err_set(e, ERR_INVALID, "person", "whom to act for: a person's id, or 0 for oneself");
	if (token == NULL || access_session_hash(token, hash) != 0)
		return err_set(e, ERR_FORBIDDEN, NULL, "no session");
	arena_init(&a, 0);
	struct choice c = {hash, 0, 0, NULL, now, access_actor(&me, actor, sizeof(actor)), "-"};
	if (person != 0 && person != me.person_id) {
		if (grant != NULL && strcmp(grant, "guardian") == 0)
			holds = guardian_holds(s, me.person_id, person, day_of(now), &a, e);
		else if (grant != NULL && strcmp(grant, "proxy") == 0)
			holds = proxy_holds(s, proxy_id, me.person_id, person, day_of(now), &scopes, &a, e);
		if (holds < 0)
			goto out;
		char object[32];
		snprintf(object, sizeof(object), "person:%lld", (long long)person);
		/* No such right: refused at the gate as for anything else that
		 * is not theirs (audited once, 404). */
		if (holds != 1) {
			rc = access_check(s, &me, ACT_ACTFOR_CHOOSE, person, object, "person", now, e);
			goto out;
		}
		c.person = person;
		c.grant = strcmp(grant, "guardian") == 0 ? "guardian" : "proxy";
		c.proxy_id = c.grant[0] == 'p' ? proxy_id : 0;
		snprintf(c.object, sizeof(c.object), "%s", object);
	} else {
		snprintf(c.object, sizeof(c.object), "person:%lld", (long long)me.person_id);
	}
	rc = store_write(s, put_choice, &c, e);
out:
	arena_cleanup(&a);
	return rc;
}

/* ---- powers of attorney ---- */

static const char *scope_names(unsigned scopes, struct arena *a)
{
	return arena_printf(a, "%s%s%s%s%s", scopes & ACCESS_SCOPE_LETTERS ? "letters" : "",
			    (scopes & ACCESS_SCOPE_LETTERS) && (scopes & (ACCESS_SCOPE_APPLY | ACCESS_SCOPE_WRITE)) ? "," : "",
			    scopes & ACCESS_SCOPE_APPLY ? "apply" : "",
			    (scopes & ACCESS_SCOPE_APPLY) && (scopes & ACCESS_SCOPE_WRITE) ? "," : "",
			    scopes & ACCESS_SCOPE_WRITE ? "write" : "");
}

static json_t *proxy_json(struct store *s, const struct proxy_rec *p, int64_t other, date_t today, struct arena *a)
{
	struct person o;
	struct err e;
	date_t until;
	const char *name = store_person_get(s, other, &o, a, &e) == 0
				   ? arena_printf(a, "%s %s", o.given_name, o.family_name) : "";
	int in_force = p->revoked_at == 0 && date_parse(p->valid_until, &until) == 0 && until >= today;
	unsigned sc = scopes_of(p->scopes);
	char revoked[21];
	json_t *j = json_pack("{s:I,s:s,s:s,s:b,s:b,s:b,s:b}", "id", (json_int_t)p->id, "name", name, "valid_until",
			      p->valid_until, "in_force", in_force, "letters", (sc & ACCESS_SCOPE_LETTERS) != 0, "apply",
			      (sc & ACCESS_SCOPE_APPLY) != 0, "write", (sc & ACCESS_SCOPE_WRITE) != 0);
	if (p->revoked_at)
		json_object_set_new(j, "revoked", json_string(date_format_timestamp(p->revoked_at, revoked)));
	return j;
}

json_t *access_proxies_page(struct store *s, const struct principal *who, int64_t now, struct arena *a,
			    struct err *e)
{
	if (access_check_subject(s, who, ACT_PROXY_MANAGE, "person", now, e) != 0)
		return NULL;
	int64_t me = who->person_id;
	struct proxy_rec *given, *held;
	struct audit_rec *acted;
	int ng = store_proxies_of(s, me, 0, &given, a, e);
	int nh = ng < 0 ? -1 : store_proxies_of(s, me, 1, &held, a, e);
	int na = nh < 0 ? -1 : store_audit_acted_for(s, me, &acted, a, e);
	if (na < 0)
		return NULL;
	json_t *d = json_object(), *jg = json_array(), *jh = json_array(), *ja = json_array();
	for (int i = 0; i < ng; i++)
		json_array_append_new(jg, proxy_json(s, &given[i], given[i].proxy_id, day_of(now), a));
	for (int i = 0; i < nh; i++)
		json_array_append_new(jh, proxy_json(s, &held[i], held[i].grantor_id, day_of(now), a));
	for (int i = 0; i < na; i++) {
		char at[21];
		long long actor = 0;
		struct person p;
		const char *name = "";
		/* "person:G for person:C": name G. */
		if (strncmp(acted[i].actor, "person:", 7) == 0) {
			for (const char *c = acted[i].actor + 7; *c >= '0' && *c <= '9'; c++)
				actor = actor * 10 + (*c - '0');
			struct err pe;
			if (store_person_get(s, actor, &p, a, &pe) == 0)
				name = arena_printf(a, "%s %s", p.given_name, p.family_name);
		}
		json_array_append_new(ja, json_pack("{s:s,s:s,s:s,s:s}", "at", date_format_timestamp(acted[i].at, at),
						    "name", name, "action", acted[i].action, "object", acted[i].object));
	}
	json_object_set_new(d, "given", jg);
	json_object_set_new(d, "held", jh);
	json_object_set_new(d, "acted", ja);
	return d;
}

struct give {
	struct proxy_rec p;
	int64_t id;
	const char *actor;
	int64_t at;
};

static int put_proxy(struct store_tx *tx, void *arg, struct err *e)
{
	struct give *g = arg;
	char object[32], detail[96];
	if (store_proxy_insert(tx, &g->p, &g->id, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "proxy:%lld", (long long)g->id);
	snprintf(detail, sizeof(detail), "to person:%lld, %s, until %s", (long long)g->p.proxy_id, g->p.scopes,
		 g->p.valid_until);
	return audit_append(tx, g->at, g->actor, "proxy.given", object, detail, e);
}

int access_proxy_give(struct store *s, const struct principal *who, const char *nin, unsigned scopes,
		      const char *valid_until, int64_t now, int64_t *id, struct err *e)
{
	struct arena a;
	struct person to;
	date_t until, today = day_of(now);
	char actor[64];
	int rc = -1;
	if (access_check_subject(s, who, ACT_PROXY_MANAGE, "person", now, e) != 0)
		return -1;
	if (nin == NULL || nin_parse(nin, NULL, NULL) != 0)
		return err_set(e, ERR_INVALID, "nin", "the national identity number must be 11 valid digits");
	if ((scopes & ACCESS_SCOPE_ALL) == 0 || (scopes & ~ACCESS_SCOPE_ALL) != 0)
		return err_set(e, ERR_INVALID, "scopes", "choose at least one thing the proxy may do");
	/* #15: typed as dd.mm.åååå or ISO; kept as ISO, as the store's
	 * comparisons with date('now') want it. */
	char until_iso[11];
	if (valid_until == NULL || date_parse_input(valid_until, &until) != 0 || until < today ||
	    until > today + PROXY_MAX_YEARS * 366)
		return err_set(e, ERR_INVALID, "valid_until", "the end date must be a date from today to five years ahead");
	date_format(until, until_iso);
	arena_init(&a, 0);
	rc = store_person_by_nin(s, nin, &to, &a, e);
	if (rc == 1 || (rc == 0 && to.id == who->person_id))
		rc = err_set(e, ERR_INVALID, "nin", rc == 1 ? "no person with this number is known to the agency"
							 : "a power of attorney is given to someone else");
	if (rc != 0)
		goto out;
	struct give g = {{0, who->person_id, to.id, scope_names(scopes, &a), until_iso, now, 0, NULL}, 0,
			 access_actor(who, actor, sizeof(actor)), now};
	rc = store_write(s, put_proxy, &g, e);
	if (rc == 0 && id)
		*id = g.id;
out:
	arena_cleanup(&a);
	return rc;
}

struct revoke {
	int64_t id, at;
	const char *actor;
};

static int put_revoke(struct store_tx *tx, void *arg, struct err *e)
{
	struct revoke *r = arg;
	char object[32];
	if (store_proxy_revoke(tx, r->id, r->at, r->actor, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "proxy:%lld", (long long)r->id);
	return audit_append(tx, r->at, r->actor, "proxy.revoked", object, NULL, e);
}

int access_proxy_revoke(struct store *s, const struct principal *who, int64_t id, int64_t now, struct err *e)
{
	struct arena a;
	struct proxy_rec p;
	char object[32], actor[64];
	arena_init(&a, 0);
	int rc = store_proxy_get(s, id, &p, &a, e);
	if (rc < 0)
		goto out;
	/* The grantor revokes; the proxy may renounce: each is their own
	 * act, so the owner is whichever of the two acts. */
	int64_t owner = rc == 1 ? 0 : who->person_id == p.proxy_id && who->acting_for == 0 ? p.proxy_id : p.grantor_id;
	snprintf(object, sizeof(object), "proxy:%lld", (long long)id);
	rc = access_check(s, who, ACT_PROXY_MANAGE, owner, object, "power of attorney", now, e);
	if (rc != 0)
		goto out;
	struct revoke r = {id, now, access_actor(who, actor, sizeof(actor))};
	rc = store_write(s, put_revoke, &r, e);
out:
	arena_cleanup(&a);
	return rc;
}
