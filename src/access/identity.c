/* identity.c - the acting identity's own name for the page header; see
 * identity.h. */
#include "access/identity.h"

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

int access_identity_name(struct store *s, const struct principal *who, const char **name, struct arena *a,
			 struct err *e)
{
	*name = NULL;
	if (who->role >= ROLE_CASEWORKER && who->staff_id != 0) {
		struct staff st;
		int rc = store_staff_get(s, who->staff_id, &st, a, e);
		if (rc == 0)
			*name = st.name;
		return rc;
	}
	if (who->role == ROLE_PERSON && who->person_id != 0) {
		struct person p;
		int rc = store_person_get(s, who->person_id, &p, a, e);
		if (rc == 0)
			*name = arena_printf(a, "%s %s", p.given_name, p.family_name);
		return rc;
	}
	return 1;
}
