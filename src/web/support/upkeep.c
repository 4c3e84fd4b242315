/* upkeep.c - the pages that keep the support centre's lists (issue #14):
 * the topics an inquiry is about (/kundesenter/temaer) and the agencies
 * the centre serves (/kundesenter/etater). One page each, on one template:
 * the list as a table (retired ones marked), a form to add one, and a form
 * to rename, retire or restore one. A refused form keeps every value and
 * names the field (422).
 *
 * The handlers parse, call one domain function of support/upkeep.c (which
 * asks the gate and audits), and render. */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/i18n.h"
#include "mailbox/messages.h"
#include "support/support.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/support/support_view.h"

struct item {
	const char *code, *name_nb, *name_en;
	int active;
};

/* The page for topics (topics 1) or agencies: items, the forms with the
 * values of a refused post (NULL: fresh), and its errors (reference
 * taken, may be NULL). */
static void show(struct req *r, struct resp *w, int topics, const struct item *items, int n, const struct upkeep_form *f,
		 json_t *errors)
{
	const char *kind = topics ? "topics" : "agencies";
	json_t *list = json_array(), *choices = json_array();
	const char *chosen = f && f->action && strcmp(f->action, "add") != 0 ? f->code : NULL;
	for (int i = 0; i < n; i++) {
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:b}", "code", items[i].code, "name_nb", items[i].name_nb,
						      "name_en", items[i].name_en, "active", items[i].active));
		json_array_append_new(choices,
				      json_pack("{s:s,s:s,s:b}", "value", items[i].code, "name",
						r->lang == LANG_EN ? items[i].name_en : items[i].name_nb, "selected",
						chosen && strcmp(chosen, items[i].code) == 0));
	}
	int adding = f && f->action && strcmp(f->action, "add") == 0;
	const char *action = f && f->action && !adding ? f->action : "rename";
	json_t *d = json_pack("{s:s,s:s,s:o,s:o,s:{s:s,s:s,s:s},s:{s:s,s:s,s:b,s:b,s:b}}", "kind", kind, "action_url",
			      topics ? "/kundesenter/temaer" : "/kundesenter/etater", "items", list, "choices", choices,
			      "add", "code", adding && f->code ? f->code : "", "name_nb",
			      adding && f->name_nb ? f->name_nb : "", "name_en", adding && f->name_en ? f->name_en : "",
			      "change", "name_nb", !adding && f && f->name_nb ? f->name_nb : "", "name_en",
			      !adding && f && f->name_en ? f->name_en : "", "rename", strcmp(action, "rename") == 0,
			      "retire", strcmp(action, "retire") == 0, "restore", strcmp(action, "restore") == 0);
	json_object_set_new(d, "heading_key", json_string(arena_printf(r->a, "support.upkeep.%s.heading", kind)));
	json_object_set_new(d, "intro_key", json_string(arena_printf(r->a, "support.upkeep.%s.intro", kind)));
	const char *done = req_query(r, "done");
	static const char *const dones[] = {"add", "rename", "retire", "restore", NULL};
	if (done && support_in(dones, done))
		json_object_set_new(d, "done_key", json_string(arena_printf(r->a, "support.upkeep.done.%s", done)));
	if (errors && json_object_size(errors) > 0) {
		/* The add form's fields are "add-*", the change form's "change-*". */
		json_t *prefixed = json_object();
		const char *k;
		json_t *v;
		json_object_foreach(errors, k, v)
			json_object_set(prefixed, arena_printf(r->a, "%s_%s", adding ? "add" : "change", k), v);
		static const char *const order[][2] = {
		    {"add_code", "add-code"},       {"add_name_nb", "add-name_nb"},       {"add_name_en", "add-name_en"},
		    {"add_action", "add-code"},     {"change_code", "change-code"},       {"change_action", "change-rename"},
		    {"change_name_nb", "change-name_nb"}, {"change_name_en", "change-name_en"}};
		json_object_set_new(d, "error_summary",
				    form_error_summary(prefixed, order, sizeof(order) / sizeof(order[0])));
		json_object_set_new(d, "errors", prefixed);
		w->status = 422;
	}
	json_decref(errors);
	resp_page(w, r, "support_upkeep", arena_printf(r->a, "support.upkeep.%s.heading", kind), d);
}

/* The items of the list, or -1 after answering the failure. */
static int items_of(struct req *r, struct resp *w, int topics, struct item **out)
{
	struct err e;
	int n;
	if (topics) {
		struct support_topic *t;
		n = support_upkeep_topics(r->app->store, &r->who, r->now, &t, r->a, &e);
		if (n >= 0) {
			*out = arena_zalloc(r->a, sizeof(**out) * (size_t)(n + 1));
			for (int i = 0; i < n; i++)
				(*out)[i] = (struct item){t[i].code, t[i].name_nb, t[i].name_en, t[i].active};
		}
	} else {
		struct support_agency *g;
		n = support_upkeep_agencies(r->app->store, &r->who, r->now, &g, r->a, &e);
		if (n >= 0) {
			*out = arena_zalloc(r->a, sizeof(**out) * (size_t)(n + 1));
			for (int i = 0; i < n; i++)
				(*out)[i] = (struct item){g[i].code, g[i].name, g[i].name_en, g[i].active};
		}
	}
	if (n < 0)
		resp_failure(w, r, &e, topics ? "topics" : "agencies");
	return n;
}

static void page(struct req *r, struct resp *w, int topics)
{
	struct item *items;
	int n = items_of(r, w, topics, &items);
	if (n >= 0)
		show(r, w, topics, items, n, NULL, NULL);
}

static void post(struct req *r, struct resp *w, int topics)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	struct upkeep_form f = {req_form(r, "action"), msg_text_clean(r->a, req_form(r, "code")),
				msg_text_clean(r->a, req_form(r, "name_nb")), msg_text_clean(r->a, req_form(r, "name_en"))};
	int rc = topics ? support_topic_change(r->app->store, &r->who, &f, r->now, &e)
			: support_agency_change(r->app->store, &r->who, &f, r->now, &e);
	if (rc != 0) {
		if (e.code != ERR_INVALID) {
			resp_failure(w, r, &e, topics ? "change topic" : "change agency");
			return;
		}
		struct item *items;
		int n = items_of(r, w, topics, &items);
		if (n >= 0)
			show(r, w, topics, items, n, &f,
			     json_pack("{s:s}", e.field[0] ? e.field : "code",
				       arena_printf(r->a, "support.upkeep.error.%s", e.field[0] ? e.field : "code")));
		return;
	}
	resp_redirect(w, r, arena_printf(r->a, "%s?done=%s", topics ? "/kundesenter/temaer" : "/kundesenter/etater",
					 f.action));
}

void support_topics_page(struct req *r, struct resp *w)
{
	page(r, w, 1);
}

void support_topics_post(struct req *r, struct resp *w)
{
	post(r, w, 1);
}

void support_agencies_page(struct req *r, struct resp *w)
{
	page(r, w, 0);
}

void support_agencies_post(struct req *r, struct resp *w)
{
	post(r, w, 0);
}
