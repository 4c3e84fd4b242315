/* decide.c - POST /api/v1/decide: the calculator's engine, open to anyone.
 * Takes an application as JSON, answers its decision; stores nothing. */
#include <stdlib.h>

#include "core/arena.h"
#include "core/err.h"
#include "rules/rules.h"
#include "web/handlers.h"

void api_decide(struct req *r, struct resp *w)
{
	struct err e;
	json_error_t jerr;
	struct application app;
	err_clear(&e);
	json_t *in = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (in == NULL) {
		err_set(&e, ERR_INVALID, "", "not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
		resp_json(w, 422, err_to_json(&e));
		return;
	}
	struct decision *d = arena_alloc(r->a, sizeof(*d));
	int rc = rules_parse_application(in, &app, r->a, &e);
	json_decref(in);
	if (rc == 0)
		rc = rules_decide(&app, r->app->params, d, &e);
	if (rc != 0) {
		resp_json(w, e.code == ERR_INVALID ? 422 : 500, err_to_json(&e));
		return;
	}
	w->status = 200;
	w->content_type = "application/json";
	rules_decision_json(&w->body, d, r->lang);
	buf_putc(&w->body, '\n');
}
