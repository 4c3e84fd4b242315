/* apply.h - what the application form's two files share: apply.c (support
 * for an education) and apply_grants.c (#9: the sickness and parental
 * grants), both behind the one route /soknad. */
#ifndef STIPEND_WEB_PORTAL_APPLY_H
#define STIPEND_WEB_PORTAL_APPLY_H

#include <jansson.h>
#include <stdint.h>

#include "cases/application.h"
#include "web/http.h"

/* What the agency (and the registers) hold, as the form shows it: a new
 * reference, or NULL when out of memory. */
json_t *apply_held_data(struct req *r, const struct cases_application_form *f);

/* A new idempotency key for a form shown: 32 hex digits in r's arena. */
const char *apply_new_key(struct req *r);

/* 1 when the client asks for JSON (Accept: application/json): it gets the
 * API's answer instead of a page. */
int apply_wants_json(const struct req *r);

/* The second application for scheme ("sickness-grant") and the school
 * year: 409, with a link to the first (case first) and to a change
 * application of it. */
void apply_already_applied(struct req *r, struct resp *w, const char *scheme, int64_t first);

/* Apply with the answers a of scheme (a change of case change_of when it is
 * above 0, else once under the form's idempotency key) and answer what
 * needs no form again: the case (303, or JSON), the first application
 * (409), a failure, or a refused answer to a JSON client (422). Returns 1
 * when answered; 0 when an answer was refused for the form to show, with
 * e and problems saying which, or (#11, helper A) when the person has no
 * loan account to defer or relieve (ERR_CONFLICT, field "loan"). */
int apply_submit(struct req *r, struct resp *w, const char *scheme, struct cases_answers *a, const char *key,
		 long change_of, struct cases_problems *problems, struct err *e);

/* ---- apply_grants.c (#9) ---- */

/* The grant a scheme's name asks for (enum cases_grant): CASES_GRANT_NONE
 * for NULL or any other scheme. */
int apply_grant_of(const char *scheme);

/* GET /soknad?scheme=sickness-grant (or parental-grant): the grant's form,
 * empty but for the defaults, through the gate (as the other form). */
void apply_grant_form_new(struct req *r, struct resp *w, int grant);

/* GET /soknad?endring=N of a grant's case: the form with its answers a
 * (a->grant set), for a change application of case change_of. */
void apply_grant_form(struct req *r, struct resp *w, const struct cases_answers *a, int64_t change_of);

/* POST /soknad with a grant's scheme (the CSRF token already checked):
 * check the answers, apply once (or change case change_of), and send the
 * person to the case; a refused answer is shown next to its field. */
void apply_grant_submit(struct req *r, struct resp *w, int grant);

#endif
