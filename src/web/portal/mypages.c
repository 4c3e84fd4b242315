/* mypages.c - "Mine sider": the person's overview (cases and their status,
 * unread letters, the next deadlines, what the school year's decisions
 * grant), the calendar of deadlines with its secret iCalendar address, the
 * feed itself at that address, and the reminder settings per case type.
 * The contact preferences are in preferences.c.
 *
 * Every page here is the person's own: each handler parses, calls one
 * domain function of calendar/ with the acting identity, which asks the
 * gate (and audits a refusal), and renders; resp_failure sends a visitor
 * who is not logged in to the login. The feed is the one page served
 * without login: its secret address is its authority, and
 * cal_feed_read() audits each reading against the person. */
#include <stdio.h>
#include <string.h>

#include "calendar/calendar.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/notify.h"
#include "web/handlers.h"
#include "web/portal/view.h"

/* At most this many of each on the overview. */
#define OVERVIEW_CASES 5
#define OVERVIEW_LETTERS 3
#define OVERVIEW_DEADLINES 3

static date_t today_of(const struct req *r)
{
	return (date_t)(r->now >= 0 ? r->now / 86400 : (r->now - 86399) / 86400);
}

/* The address people use, without a trailing slash. */
static const char *public_url(struct req *r)
{
	const char *u = r->app->notify && r->app->notify->public_url ? r->app->notify->public_url : "";
	size_t n = strlen(u);
	while (n > 0 && u[n - 1] == '/')
		n--;
	return arena_strndup(r->a, u, n);
}

/* A calendar entry as template data, its date written for the language. */
static json_t *entry_view(struct req *r, const struct cal_entry *x, date_t today)
{
	struct buf b;
	date_t due = 0;
	buf_init(&b, 64);
	i18n_put_date(&b, r->lang, x->due);
	int parsed = date_parse(x->due, &due) == 0;
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "ref", x->ref, "kind_key",
			      arena_printf(r->a, "mypages.kind.%s", x->kind), "due", x->due, "due_text", buf_str(&b),
			      "done", x->done, "overdue", !x->done && parsed && due < today);
	if (x->case_id)
		json_object_set_new(j, "case_id", json_integer((json_int_t)x->case_id));
	if (x->what)
		json_object_set_new(j, "what", json_string(x->what));
	if (!x->done && parsed && due >= today) {
		/* "I dag", "I morgen", "Om 5 dager" */
		json_t *args = json_pack("{s:i}", "days", (int)(due - today));
		buf_reset(&b);
		i18n_render(&b, r->lang,
			    due == today       ? "mypages.calendar.today"
			    : due == today + 1 ? "mypages.calendar.tomorrow"
					       : "mypages.calendar.days_left",
			    args);
		json_decref(args);
		json_object_set_new(j, "days_text", json_string(buf_str(&b)));
	}
	buf_cleanup(&b);
	return j;
}

/* Open and due today or later. */
static int upcoming(const struct cal_entry *x, date_t today)
{
	date_t due;
	return !x->done && date_parse(x->due, &due) == 0 && due >= today;
}

static int granted(const struct case_rec *c)
{
	return c->outcome && (strcmp(c->outcome, "granted") == 0 || strcmp(c->outcome, "partly-granted") == 0);
}

void mypages_overview(struct req *r, struct resp *w)
{
	struct cal_overview v;
	struct err e;
	if (cal_overview_read(r->app->store, &r->who, r->now, &v, r->a, &e) != 0) {
		resp_failure(w, r, &e, "my pages");
		return;
	}
	struct case_rec *cases = v.cases;
	struct letter *letters = v.letters;
	struct cal_entry *entries = v.entries;
	int n_cases = v.n_cases, n_letters = v.n_letters, n_entries = v.n_entries, unread = v.unread;
	date_t today = today_of(r);
	json_t *d = json_object(), *list = json_array(), *open = json_array(), *pay = json_array();
	for (int i = 0; i < n_cases; i++) {
		if (i < OVERVIEW_CASES)
			json_array_append_new(list, view_case(&cases[i]));
		if (strcmp(cases[i].status, "decided") != 0)
			json_array_append_new(open, view_case(&cases[i]));
		/* What the current school year's decisions grant: the totals
		 * from the stored decision, never a date (payout comes later). */
		if (strcmp(cases[i].status, "decided") == 0 && granted(&cases[i]) &&
		    strcmp(cases[i].school_year, r->app->school_year) == 0) {
			json_t *dec = view_decision(r, cases[i].decision_json);
			if (dec == NULL)
				continue;
			json_array_append_new(pay, json_pack("{s:I,s:s,s:s,s:O,s:O,s:O}", "case_id",
							     (json_int_t)cases[i].id, "scheme_key",
							     arena_printf(r->a, "scheme.%s", cases[i].scheme),
							     "school_year", cases[i].school_year, "total_grant",
							     json_object_get(dec, "total_grant"), "total_loan",
							     json_object_get(dec, "total_loan"), "awards",
							     json_object_get(dec, "awards")));
			json_decref(dec);
		}
	}
	json_object_set_new(d, "cases", list);
	json_object_set_new(d, "open_cases", open);
	json_object_set_new(d, "more_cases", json_boolean(n_cases > OVERVIEW_CASES));
	json_t *news = json_array();
	for (int i = 0; i < n_letters && (int)json_array_size(news) < OVERVIEW_LETTERS; i++)
		if (letters[i].first_read_at == 0)
			json_array_append_new(news, view_letter(&letters[i]));
	json_object_set_new(d, "unread_letters", news);
	json_object_set_new(d, "unread_count", json_integer(unread));
	json_t *next = json_array();
	for (int i = 0; i < n_entries && (int)json_array_size(next) < OVERVIEW_DEADLINES; i++)
		if (upcoming(&entries[i], today))
			json_array_append_new(next, entry_view(r, &entries[i], today));
	json_object_set_new(d, "deadlines", next);
	json_object_set_new(d, "payments", pay);
	json_object_set_new(d, "school_year", json_string(r->app->school_year));
	resp_page(w, r, "mypages", "mypages.title", d);
}

void mypages_calendar(struct req *r, struct resp *w)
{
	struct cal_calendar v;
	struct err e;
	if (cal_calendar_read(r->app->store, &r->who, r->now, &v, r->a, &e) != 0) {
		resp_failure(w, r, &e, "calendar");
		return;
	}
	struct cal_entry *entries = v.entries;
	int n = v.n_entries;
	date_t today = today_of(r);
	json_t *d = json_object(), *next = json_array(), *past = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(upcoming(&entries[i], today) ? next : past, entry_view(r, &entries[i], today));
	/* The past newest first. */
	json_t *past_desc = json_array();
	for (size_t i = json_array_size(past); i > 0; i--)
		json_array_append(past_desc, json_array_get(past, i - 1));
	json_decref(past);
	json_object_set_new(d, "upcoming", next);
	json_object_set_new(d, "past", past_desc);
	if (v.has_feed) {
		const char *base = public_url(r);
		const char *https = arena_printf(r->a, "%s/kalender/%s.ics", base, v.token);
		const char *colon = strstr(https, "://");
		json_object_set_new(d, "feed", json_pack("{s:s,s:s}", "url", https, "webcal",
							 arena_printf(r->a, "webcal%s", colon ? colon : "://")));
	}
	const char *done = req_query(r, "adresse");
	if (done && (strcmp(done, "ny") == 0 || strcmp(done, "byttet") == 0 || strcmp(done, "slettet") == 0 ||
		     strcmp(done, "ingen") == 0))
		json_object_set_new(d, "flash_key", json_string(arena_printf(r->a, "mypages.feed.flash.%s", done)));
	resp_page(w, r, "mypages_calendar", "mypages.calendar.title", d);
}

void mypages_feed_address(struct req *r, struct resp *w)
{
	struct err e;
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *action = req_form(r, "action");
	int rc = cal_feed_manage(r->app->store, &r->who, action, r->now, &e);
	if (rc < 0 && e.code == ERR_INVALID) {
		resp_error(w, r, 400, "error.bad-request");
		return;
	}
	if (rc < 0) {
		resp_failure(w, r, &e, "calendar address");
		return;
	}
	resp_redirect(w, r, strcmp(action, "create") == 0 ? (rc == 2 ? "/mine-sider/kalender?adresse=byttet#adresse"
								     : "/mine-sider/kalender?adresse=ny#adresse")
			    : rc == 0			 ? "/mine-sider/kalender?adresse=slettet#adresse"
							 : "/mine-sider/kalender?adresse=ingen#adresse");
}

void mypages_feed(struct req *r, struct resp *w)
{
	static const char prefix[] = "/kalender/", suffix[] = ".ics";
	struct err e;
	size_t len = strlen(r->path);
	int rc = 1;
	buf_reset(&w->body);
	if (len == sizeof(prefix) - 1 + CAL_TOKEN_LEN + sizeof(suffix) - 1 &&
	    strcmp(r->path + len - (sizeof(suffix) - 1), suffix) == 0) {
		char *token = arena_strndup(r->a, r->path + sizeof(prefix) - 1, CAL_TOKEN_LEN);
		rc = cal_feed_read(r->app->store, &r->who, token, public_url(r), r->now, &w->body, &e);
	}
	if (rc != 0) {
		/* Unknown, malformed and revoked addresses look alike. */
		buf_reset(&w->body);
		if (rc < 0)
			log_error("calendar feed: %s", e.message);
		resp_error(w, r, rc < 0 ? 500 : 404, rc < 0 ? "error.internal" : "error.not-found");
		return;
	}
	w->status = 200;
	w->content_type = "text/calendar; charset=utf-8";
	resp_header(w, "Content-Disposition", "inline; filename=\"lanekassen.ics\"");
}

/* ---- reminder settings ---- */

/* The settings page with st shown and errors (case type -> key). Takes
 * the reference to errors (may be NULL). */
static void show_reminders(struct req *r, struct resp *w, const struct cal_settings *st, json_t *errors)
{
	json_t *d = json_object(), *types = json_array(), *summary = json_array();
	for (int i = 0; cal_case_types[i] != NULL; i++) {
		json_t *choices = json_array();
		for (int c = 0; cal_offset_choices[c] >= 0; c++) {
			int k = cal_offset_choices[c], on = 0;
			for (int j = 0; j < st->n[i]; j++)
				on |= st->offsets[i][j] == k;
			struct buf label;
			buf_init(&label, 256);
			json_t *args = json_pack("{s:i}", "days", k);
			i18n_render(&label, r->lang,
				    k == 0 ? "mypages.reminders.on_the_day"
				    : k == 1 ? "mypages.reminders.one_day"
					     : "mypages.reminders.days",
				    args);
			json_decref(args);
			json_array_append_new(choices, json_pack("{s:s,s:i,s:s,s:b}", "id",
								 arena_printf(r->a, "%s-%d", cal_case_types[i], k), "days", k,
								 "label", buf_str(&label), "checked", on));
			buf_cleanup(&label);
		}
		json_t *t = json_pack("{s:s,s:s,s:o}", "type", cal_case_types[i], "label_key",
				      arena_printf(r->a, "mypages.type.%s", cal_case_types[i]), "choices", choices);
		json_t *err = errors ? json_object_get(errors, cal_case_types[i]) : NULL;
		if (err) {
			json_object_set(t, "error", err);
			json_array_append_new(summary, json_pack("{s:s,s:O}", "field",
								 arena_printf(r->a, "%s-%d", cal_case_types[i],
									      cal_offset_choices[0]),
								 "key", err));
		}
		json_array_append_new(types, t);
	}
	json_object_set_new(d, "types", types);
	if (json_array_size(summary) > 0) {
		json_object_set_new(d, "error_summary", summary);
		w->status = 422;
	} else {
		json_decref(summary);
	}
	json_decref(errors);
	const char *saved = req_query(r, "lagret");
	if (saved && w->status != 422)
		json_object_set_new(d, "saved", json_true());
	resp_page(w, r, "mypages_reminders", "mypages.reminders.title", d);
}

void mypages_reminders(struct req *r, struct resp *w)
{
	struct cal_settings st;
	struct err e;
	if (cal_settings_read(r->app->store, &r->who, r->now, &st, &e) != 0) {
		resp_failure(w, r, &e, "reminder settings");
		return;
	}
	show_reminders(r, w, &st, NULL);
}

void mypages_reminders_save(struct req *r, struct resp *w)
{
	struct cal_settings st;
	struct err e;
	int bad[CAL_MAX_TYPES];
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	/* Each case type's boxes arrive as repeated fields of its name;
	 * none checked means no reminders for that type. */
	struct cal_choice *boxes = arena_alloc(r->a, sizeof(*boxes) * (size_t)(r->n_form > 0 ? r->n_form : 1));
	for (int f = 0; f < r->n_form; f++)
		boxes[f] = (struct cal_choice){r->form[f].key, r->form[f].value};
	if (cal_settings_update(r->app->store, &r->who, boxes, r->n_form, r->now, &st, bad, &e) == 0) {
		resp_redirect(w, r, "/mine-sider/paminnelser?lagret=1");
		return;
	}
	if (e.code != ERR_INVALID) {
		resp_failure(w, r, &e, "reminder settings");
		return;
	}
	json_t *errors = json_object();
	for (int i = 0; cal_case_types[i] != NULL; i++)
		if (bad[i])
			json_object_set_new(errors, cal_case_types[i], json_string("mypages.reminders.error"));
	show_reminders(r, w, &st, errors);
}
