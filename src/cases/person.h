/* person.h - a person's own cases and data, as the portal shows them to
 * the person: "Mine saker", one case with what belongs to it, the upload
 * page of a case that awaits documentation, and "Mine opplysninger".
 *
 * Each function takes the acting identity and asks the one gate
 * (access_check) before it reads anything: a refusal is audited there
 * ("case.read.denied", "person.read.denied", ...) and answered with
 * ERR_NOT_FOUND, as a missing thing is, so that it reveals nothing. The
 * readings the agency has always audited stay audited here: a case
 * ("case.read") and the data held about a person ("person.read"). */
#ifndef STIPEND_CASES_PERSON_H
#define STIPEND_CASES_PERSON_H

#include <stdint.h>

#include "access/access.h"
#include "store/messages.h"
#include "store/store.h"

struct arena;
struct err;

/* The cases of the person who acts for (access_subject), newest first,
 * into *out (arena a). ACT_CASE_READ. Returns the count, or -1 with
 * ERR_NOT_FOUND (audited) for anyone else, or the store's error. */
int cases_of_person(struct store *s, const struct principal *who, int64_t now, struct case_rec **out,
		    struct arena *a, struct err *e);

/* One case with what its page shows. */
struct case_view {
	struct case_rec c;
	struct letter *letters; /* the case's letters, newest first */
	int n_letters;
	struct message *messages; /* the conversation, oldest first: the owner's only */
	int n_messages;
	int has_request;            /* the case has had a request for documentation */
	struct doc_request request; /* the latest: its text, deadline and letter */
	struct doc_request_state request_state; /* what became of it */
	int request_waits; /* it is open and the case awaits documentation: the upload may be made */
};

/* Case case_id with its letters, conversation and latest request for
 * documentation, for who (ACT_CASE_READ), the reading audited
 * ("case.read"). Returns 0 (out filled, in a), -1 with ERR_NOT_FOUND when
 * the case does not exist or is not who's (audited alike), or the store's
 * error. A part that cannot be read (letters, conversation) is left
 * empty and logged; the case itself never is. */
int cases_person_case(struct store *s, const struct principal *who, int64_t case_id, int64_t now,
		      struct case_view *out, struct arena *a, struct err *e);

/* The same for the page that sends documentation (ACT_DOCUMENT_UPLOAD):
 * the case and its latest request (letters and conversation left empty),
 * the reading audited as "case.read". */
int cases_upload_view(struct store *s, const struct principal *who, int64_t case_id, int64_t now,
		      struct case_view *out, struct arena *a, struct err *e);

/* What the agency holds about the person who acts for: the person record
 * and the facts of their latest decision (*facts_json NULL when none,
 * *decided_at its time). ACT_PERSON_READ, audited "person.read". Returns 0,
 * -1 with ERR_NOT_FOUND (audited) for anyone else, or the store's error. */
int cases_person_data(struct store *s, const struct principal *who, int64_t now, struct person *p,
		      const char **facts_json, int64_t *decided_at, struct arena *a, struct err *e);

#endif
