/* view.c - the portal's template data; see view.h. The work is the
 * mailbox's (mailbox/letter.c); nothing here reads the store. */
#include "web/portal/view.h"

json_t *view_decision(struct req *r, const char *decision_json)
{
	return mbox_decision_json(r->lang, r->a, decision_json);
}

json_t *view_decision_in(enum lang lang, struct arena *a, const char *decision_json)
{
	return mbox_decision_json(lang, a, decision_json);
}

json_t *view_decision_staff(struct req *r, const char *decision_json)
{
	return mbox_decision_json_for(r->lang, r->a, decision_json, MBOX_FOR_STAFF);
}

json_t *view_case(const struct case_rec *c)
{
	return mbox_case_json(c);
}

json_t *view_letter(const struct letter *l)
{
	return mbox_letter_json(l);
}

const char *view_letter_title_key(const char *kind)
{
	return mbox_letter_title_key(kind);
}
