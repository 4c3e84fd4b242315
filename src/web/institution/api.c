/* api.c - the institutions' API for their own student systems (see
 * docs/openapi.yaml):
 *
 *   POST /api/v1/token   OAuth2 client credentials with a signed JWT
 *                        assertion (grant_type
 *                        urn:ietf:params:oauth:grant-type:jwt-bearer): a
 *                        short-lived bearer token
 *   GET  /api/v1/institutions/{orgnr}/students       the students who applied
 *   POST /api/v1/institutions/{orgnr}/confirmations  reports, all or nothing
 *
 * The API reads no cookie: the principal is the bearer token's (a student
 * system of one institution), or an anonymous visitor, and the gate decides
 * as for the workspace. Bad input answers 422 naming the field
 * ("confirmations[2].period"); a refused assertion answers 400
 * invalid_grant (RFC 6749 § 5.2) naming the claim; no token or another
 * institution's answers 401 or 403. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "institution/institution.h"
#include "notify/notify.h"
#include "web/handlers.h"

#define JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"

static void invalid(struct resp *w, const char *field, const char *message)
{
	resp_json(w, 422, json_pack("{s:s,s:s,s:s}", "error", "invalid", "field", field, "message", message));
}

void api_inst_token(struct req *r, struct resp *w)
{
	struct err e;
	char token[INST_TOKEN_LEN + 1];
	const char *grant = req_form(r, "grant_type"), *assertion = req_form(r, "assertion");
	if (grant == NULL || strcmp(grant, JWT_BEARER) != 0) {
		invalid(w, "grant_type", "must be " JWT_BEARER);
		return;
	}
	if (assertion == NULL || assertion[0] == '\0') {
		invalid(w, "assertion", "is required: a JWT signed with the client's registered key");
		return;
	}
	const char *audience = arena_printf(r->a, "%s/api/v1/token", r->app->notify->public_url);
	if (inst_token(r->app->store, assertion, audience, r->now, token, &e) != 0) {
		if (e.code == ERR_INVALID) {
			resp_json(w, 400,
			          json_pack("{s:s,s:s,s:s}", "error", "invalid_grant", "field", e.field,
			                    "error_description", e.message));
			return;
		}
		log_error("api token: %s", e.message);
		resp_json(w, 500, json_pack("{s:s}", "error", "server_error"));
		return;
	}
	resp_header(w, "Cache-Control", "no-store");
	resp_json(
	    w, 200,
	    json_pack("{s:s,s:s,s:i}", "access_token", token, "token_type", "Bearer", "expires_in", INST_TOKEN_TTL));
}

/* The principal of the request's bearer token into who: 0, or -1 after
 * answering (401 when there is no valid token; the gate is asked all the
 * same so that the refusal is audited). */
static int bearer(struct req *r, struct resp *w, struct principal *who)
{
	struct err e;
	const char *h = r->authorization, *tok = NULL;
	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0)
		tok = h + 7;
	int rc = tok ? inst_token_principal(r->app->store, tok, r->now, who, r->a, &e) : 1;
	if (rc < 0) {
		log_error("api bearer: %s", e.message);
		resp_json(w, 500, json_pack("{s:s}", "error", "internal"));
		return -1;
	}
	if (rc == 0)
		return 0;
	/* No valid token: an anonymous visitor, refused (and audited) by the
	 * gate. */
	memset(who, 0, sizeof(*who));
	who->role = ROLE_ANONYMOUS;
	inst_gate_orgnr(r->app->store, who, r->n_params ? r->params[0] : NULL, r->now, &e);
	resp_header(w, "WWW-Authenticate", "Bearer realm=\"stipend\", error=\"invalid_token\"");
	resp_json(w, 401,
	          json_pack("{s:s,s:s}", "error", "unauthorized", "message",
	                    "an access token from POST /api/v1/token is required"));
	return -1;
}

static int gate(struct req *r, struct resp *w, struct principal *who)
{
	struct err e;
	if (bearer(r, w, who) != 0)
		return -1;
	if (inst_gate_orgnr(r->app->store, who, r->n_params ? r->params[0] : NULL, r->now, &e) != 0) {
		if (e.code == ERR_FORBIDDEN || e.code == ERR_NOT_FOUND)
			resp_json(w, 403,
			          json_pack("{s:s,s:s}", "error", "forbidden", "message",
			                    "the token is not this institution's"));
		else
			resp_json(w, 500, json_pack("{s:s}", "error", "internal"));
		return -1;
	}
	return 0;
}

void api_inst_students(struct req *r, struct resp *w)
{
	struct err e;
	struct principal who;
	struct inst_overview ov;
	if (gate(r, w, &who) != 0)
		return;
	if (inst_overview(r->app->store, &who, r->now, &ov, r->a, &e) != 0) {
		resp_json(w, 500, json_pack("{s:s}", "error", "internal"));
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < ov.n_students; i++) {
		const struct inst_student_row *s = &ov.students[i];
		char day[11];
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "nin", s->nin, "name", s->name, "birth_date",
		                      date_format(s->birth_date, day), "scheme", s->scheme, "school_year",
		                      s->school_year, "status", s->status);
		json_object_set_new(o, "confirmed", s->confirmed ? json_string(s->confirmed) : json_null());
		json_object_set_new(o, "interrupted", s->interrupted ? json_string(s->interrupted) : json_null());
		json_array_append_new(list, o);
	}
	resp_json(w, 200, json_pack("{s:s,s:s,s:o}", "orgnr", ov.orgnr, "name", ov.name, "students", list));
}

/* A string member, or a number written as the CSV would ("7.5"). */
static const char *member(json_t *o, const char *key, struct arena *a, int *bad)
{
	json_t *v = json_object_get(o, key);
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	if (json_is_real(v)) {
		double d = json_real_value(v);
		long long half = (long long)(d * 2);
		if ((double)half == d * 2 && half >= 0 && half <= 120)
			return arena_printf(a, "%lld%s", half / 2, half % 2 ? ".5" : "");
		return "x"; /* checked and refused as the string would be */
	}
	*bad = 1;
	return NULL;
}

void api_inst_confirmations(struct req *r, struct resp *w)
{
	struct err e;
	struct principal who;
	struct inst_result res;
	json_error_t jerr;
	if (gate(r, w, &who) != 0)
		return;
	json_t *in = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *list = in ? json_object_get(in, "confirmations") : NULL;
	if (in == NULL || !json_is_object(in)) {
		json_decref(in);
		invalid(w, "", "the body must be a JSON object {\"confirmations\": [...]}");
		return;
	}
	if (!json_is_array(list)) {
		json_decref(in);
		invalid(w, "confirmations", "must be an array of reports");
		return;
	}
	size_t n = json_array_size(list);
	struct inst_report *items = arena_zalloc(r->a, sizeof(*items) * (n + 1));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(list, i);
		int bad = 0;
		if (!json_is_object(o)) {
			json_decref(in);
			invalid(w, arena_printf(r->a, "confirmations[%zu]", i), "must be an object");
			return;
		}
		static const char *const keys[] = {"nin", "kind", "period", "date", "credits"};
		const char *v[5];
		for (int k = 0; k < 5; k++) {
			v[k] = member(o, keys[k], r->a, &bad);
			if (bad) {
				json_decref(in);
				invalid(w, arena_printf(r->a, "confirmations[%zu].%s", i, keys[k]), "must be a string");
				return;
			}
			if (v[k] != NULL)
				v[k] = arena_strdup(r->a, v[k]);
		}
		items[i] = (struct inst_report){v[0], v[1], v[2], v[3], v[4], 0};
	}
	json_decref(in);
	if (inst_apply(r->app->cases, &who, items, (int)n, 1, r->now, &res, r->a, &e) != 0) {
		if (e.code == ERR_INVALID) {
			invalid(w, "confirmations", e.message);
			return;
		}
		if (e.code == ERR_FORBIDDEN || e.code == ERR_NOT_FOUND) {
			resp_json(w, 403, json_pack("{s:s}", "error", "forbidden"));
			return;
		}
		log_error("api confirmations: %s", e.message);
		resp_json(w, 500, json_pack("{s:s}", "error", "internal"));
		return;
	}
	if (res.n_problems > 0) {
		json_t *errors = json_array();
		for (int i = 0; i < res.n_problems; i++) {
			const struct inst_problem *p = &res.problems[i];
			const char *field = p->line > 0
			                        ? arena_printf(r->a, "confirmations[%d].%s", p->line - 1, p->column)
			                        : "confirmations";
			json_array_append_new(errors, json_pack("{s:s,s:s}", "field", field, "message", p->message));
		}
		json_t *first = json_array_get(errors, 0);
		resp_json(w, 422,
		          json_pack("{s:s,s:O,s:O,s:o}", "error", "invalid", "field", json_object_get(first, "field"),
		                    "message", json_object_get(first, "message"), "errors", errors));
		return;
	}
	resp_json(
	    w, 200,
	    json_pack("{s:i,s:i,s:i}", "applied", res.applied, "unchanged", res.unchanged, "redecided", res.redecided));
}
