/* login.c - the test login (like ID-porten's TestID) on the access floor:
 * whom it offers and the session it starts, so that the login pages call
 * no store function themselves; see access.h.
 *
 * A login ends the session the request came with in the same transaction
 * as it starts the new one: logging in as B in a browser where A is logged
 * in leaves no session of A's alive for its remaining hours. */
#include "access/access.h"

#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/nin.h"
#include "store/store.h"

int access_test_login_people(struct store *s, int limit, struct person **persons, int *n_persons,
			     struct staff **staff, int *n_staff, struct arena *a, struct err *e)
{
	int np = store_persons_list(s, limit, persons, a, e);
	if (np < 0)
		return -1;
	int ns = store_staff_list(s, staff, a, e);
	if (ns < 0)
		return -1;
	*n_persons = np;
	*n_staff = ns;
	return 0;
}

int access_login_test_person(struct store *s, const char *nin, const char *old_token, int64_t now, int64_t ttl,
			     char token[ACCESS_TOKEN_LEN + 1], struct err *e)
{
	struct arena a;
	struct person p;
	if (nin == NULL || nin_parse(nin, NULL, NULL) != 0)
		return err_set(e, ERR_INVALID, "nin", "not a national identity number");
	arena_init(&a, 0);
	int rc = store_person_by_nin(s, nin, &p, &a, e);
	arena_cleanup(&a);
	if (rc != 0)
		return rc;
	return access_session_switch(s, old_token, p.id, 0, ROLE_PERSON, now, ttl, token, e);
}

int access_login_test_staff(struct store *s, const char *username, const char *old_token, int64_t now,
			    int64_t ttl, char token[ACCESS_TOKEN_LEN + 1], struct err *e)
{
	struct arena a;
	struct staff st;
	arena_init(&a, 0);
	int rc = store_staff_by_username(s, username, &st, &a, e);
	enum role role = rc == 0 ? access_staff_role(st.role) : ROLE_ANONYMOUS;
	arena_cleanup(&a);
	if (rc != 0)
		return rc;
	return access_session_switch(s, old_token, 0, st.id, role, now, ttl, token, e);
}
