/* loan_disability.c - the case worker's page for a borrower's loan account
 * with the write-off at permanent disability ("Sletting av gjeld ved
 * uførhet", #11, loans/disability.h): the form, the computed proposal (a
 * second step, without JavaScript), and the decision. */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "core/err.h"
#include "loans/disability.h"
#include "web/handlers.h"

static int64_t param_id(const struct req *r)
{
	return r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
}

static date_t today_of(const struct req *r)
{
	return (date_t)(r->now >= 0 ? r->now / 86400 : (r->now - 86399) / 86400);
}

static struct reg_client *registers(const struct req *r)
{
	return r->app->cases ? r->app->cases->registers : NULL;
}

static void input_of(struct req *r, struct loans_disability_input *in)
{
	in->received = req_form(r, "received");
	in->degree = req_form(r, "degree");
	in->aap = req_form(r, "aap");
	in->income = req_form(r, "income");
	in->children = req_form(r, "children");
	in->new_debt = req_form(r, "new_debt");
	in->new_term = req_form(r, "new_term");
}

/* The page, with the form's errors (each field's own message, and the
 * summary) when there are any. */
static void render(struct req *r, struct resp *w, const struct loans_disability_input *in, const char *error_field,
		   const char *error_key)
{
	struct err e;
	json_t *d = loans_disability_page(r->app->store, r->app->params, registers(r), &r->who, param_id(r), in,
					  today_of(r), r->now, r->lang, r->a, &e);
	if (d == NULL) {
		resp_failure(w, r, &e, "person");
		return;
	}
	json_t *errors = json_object_get(d, "errors");
	if (error_field && error_key && !json_is_array(errors)) {
		errors = json_array();
		json_array_append_new(errors, json_pack("{s:s,s:s}", "field", error_field, "key", error_key));
		json_object_set_new(d, "errors", errors);
	}
	int invalid = json_is_array(errors) && json_array_size(errors) > 0;
	if (invalid) {
		json_object_set(d, "error_summary", errors);
		size_t i;
		json_t *x;
		json_array_foreach(errors, i, x)
		{
			char key[48];
			snprintf(key, sizeof(key), "err_%s", json_string_value(json_object_get(x, "field")));
			json_object_set(d, key, json_object_get(x, "key"));
		}
		/* The proposal is not shown beside errors in its facts; an
		 * error in the new debt or term (its own step) keeps it. */
		json_array_foreach(errors, i, x)
		{
			const char *f = json_string_value(json_object_get(x, "field"));
			if (f == NULL || strncmp(f, "new_", 4) != 0)
				json_object_del(d, "proposal");
		}
	}
	const char *done = req_query(r, "vedtak");
	if (done && *done)
		json_object_set_new(d, "flash_decided", json_true());
	json_object_set_new(d, "csrf", json_string(r->csrf));
	resp_page(w, r, "wb_loan_disability", "disability.wb.title", d);
	if (invalid)
		w->status = 422;
}

void workbench_loan_disability(struct req *r, struct resp *w)
{
	render(r, w, NULL, NULL, NULL);
}

void workbench_loan_disability_post(struct req *r, struct resp *w)
{
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	struct loans_disability_input in;
	input_of(r, &in);
	const char *step = req_form(r, "step");
	if (step == NULL || strcmp(step, "confirm") != 0) {
		render(r, w, &in, NULL, NULL);
		return;
	}
	struct err e;
	int64_t id = 0;
	if (loans_disability_decide(r->app->store, r->app->params, registers(r), &r->who, param_id(r), &in, today_of(r),
				    r->now, &id, &e) != 0) {
		if (e.code == ERR_INVALID) {
			/* The domain names the field and the message's key. */
			render(r, w, &in, e.field, e.message);
			return;
		}
		if (e.code == ERR_CONFLICT) {
			render(r, w, &in, "received",
			       strcmp(e.field, "person_id") == 0 ? "disability.error.no_account" : "disability.error.rate");
			return;
		}
		resp_failure(w, r, &e, "person");
		return;
	}
	char to[96];
	snprintf(to, sizeof(to), "/saksbehandling/personer/%lld/gjeld?vedtak=%lld", (long long)param_id(r), (long long)id);
	resp_redirect(w, r, to);
}
