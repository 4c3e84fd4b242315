/* preferences.c - "Varsling" on Mine sider: the person's e-mail address,
 * mobile number (verified by a code sent by SMS), preferred channel and
 * language. Each field is checked with a message next to it and in the
 * error summary, as the application form does; nothing is stored while a
 * field is wrong. The rules, the checks, the gate and the storage are
 * calendar/contact.h's: a handler here parses the form, calls one of its
 * functions with the acting identity, and renders. */
#include <stdio.h>
#include <string.h>

#include "calendar/contact.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/notify.h"
#include "web/form.h"
#include "web/handlers.h"
#include "web/portal/view.h"

/* The form's fields in the order the error summary lists them. */
static const char *const fields[] = {"email", "mobile", "channel", "language", "code", NULL};
/* The summary links a radio group's message to its first choice. */
static const char *const summary_fields[][2] = {
	{"email", "email"}, {"mobile", "mobile"}, {"channel", "channel-email"}, {"language", "language-nb"}, {"code", "code"}};

/* "+4791234567" as people read it: "+47 912 34 567". */
static const char *show_mobile(struct arena *a, const char *m)
{
	if (m == NULL)
		return "";
	if (strlen(m) != 11 || strncmp(m, "+47", 3) != 0)
		return m;
	return arena_printf(a, "+47 %.3s %.2s %.3s", m + 3, m + 6, m + 8);
}

/* The page: values (strings) as typed or stored, errors (field -> key),
 * flash (a catalogue key, may be NULL). Takes both references. */
static void show(struct req *r, struct resp *w, json_t *values, json_t *errors, const char *flash)
{
	struct contact_prefs p;
	struct err e;
	if (contact_read(r->app->store, &r->who, r->now, &p, r->a, &e) != 0) {
		json_decref(values);
		json_decref(errors);
		resp_failure(w, r, &e, "contact preferences");
		return;
	}
	const char *channel = json_string_value(json_object_get(values, "channel"));
	const char *language = json_string_value(json_object_get(values, "language"));
	json_t *d = json_pack("{s:o,s:o,s:b,s:b,s:b,s:b,s:b}", "values", values, "errors", json_incref(errors),
			      "channel_email", channel && strcmp(channel, "email") == 0, "channel_sms",
			      channel && strcmp(channel, "sms") == 0, "channel_none", channel && strcmp(channel, "none") == 0,
			      "language_nb", language && strcmp(language, "nb") == 0, "language_en",
			      language && strcmp(language, "en") == 0);
	if (p.mobile)
		json_object_set_new(d, "verified", json_string(show_mobile(r->a, p.mobile)));
	if (p.mobile_pending && p.mobile_code_hash && r->now <= p.mobile_code_expires)
		json_object_set_new(d, "pending", json_string(show_mobile(r->a, p.mobile_pending)));
	else if (p.mobile_pending)
		json_object_set_new(d, "pending_dead", json_string(show_mobile(r->a, p.mobile_pending)));
	json_object_set_new(d, "code_minutes", json_integer(CONTACT_CODE_TTL / 60));
	if (json_object_size(errors) > 0) {
		json_object_set_new(d, "error_summary",
				    form_error_summary(errors, summary_fields, sizeof(summary_fields) / sizeof(summary_fields[0])));
		if (w->status == 0)
			w->status = 422;
	}
	json_decref(errors);
	if (flash)
		json_object_set_new(d, "flash_key", json_string(flash));
	resp_page(w, r, "mypages_contact", "mypages.contact.title", d);
}

/* Stored preferences as form values. */
static json_t *values_of(struct req *r, const struct contact_prefs *p)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "email", p->email ? p->email : "", "mobile",
			 show_mobile(r->a, p->mobile_pending ? p->mobile_pending : p->mobile), "channel",
			 p->channel ? p->channel : "email", "language", p->language ? p->language : "nb");
}

/* The stored preferences, read afresh after a change, as form values ({}
 * when they cannot be read). */
static json_t *stored_values(struct req *r)
{
	struct contact_prefs p;
	struct err e;
	if (contact_read(r->app->store, &r->who, r->now, &p, r->a, &e) != 0)
		return json_object();
	return values_of(r, &p);
}

void mypages_contact(struct req *r, struct resp *w)
{
	static const char *const flashes[] = {"lagret", "kode-sendt", "bekreftet", NULL};
	struct contact_prefs p;
	struct err e;
	if (contact_read(r->app->store, &r->who, r->now, &p, r->a, &e) != 0) {
		resp_failure(w, r, &e, "contact preferences");
		return;
	}
	const char *flash = NULL, *q = req_query(r, "status");
	for (int i = 0; q != NULL && flashes[i] != NULL; i++)
		if (strcmp(q, flashes[i]) == 0)
			flash = arena_printf(r->a, "mypages.contact.flash.%s", q);
	show(r, w, values_of(r, &p), json_object(), flash);
}

/* The text of the SMS that carries a code, in lang. */
static const char *code_text(struct req *r, const char *code)
{
	struct buf b;
	buf_init(&b, 512);
	json_t *args = json_pack("{s:s,s:i}", "code", code, "minutes", CONTACT_CODE_TTL / 60);
	i18n_render(&b, r->lang, "mypages.contact.sms", args);
	json_decref(args);
	const char *s = arena_strdup(r->a, buf_str(&b));
	buf_cleanup(&b);
	return s;
}

/* Send the code of saved by SMS: 0, or -1 (logged without the number). */
static int send_code(struct req *r, const struct contact_saved *saved)
{
	struct err e;
	const struct notify_config *cfg = r->app->notify;
	if (cfg == NULL || cfg->sms_url == NULL) {
		log_warn("contact: no SMS gateway is configured, a verification code cannot be sent");
		return -1;
	}
	if (notify_sms(cfg, saved->number, code_text(r, saved->code), &e) != 0) {
		log_warn("contact: the verification code could not be sent: %s", e.message);
		return -1;
	}
	return 0;
}

/* A field's problem as the catalogue's message key, or NULL when fine. */
static const char *problem_key(enum contact_problem p)
{
	switch (p) {
	case CONTACT_FINE:
		return NULL;
	case CONTACT_EMAIL_INVALID:
		return "mypages.contact.error.email";
	case CONTACT_MOBILE_INVALID:
		return "mypages.contact.error.mobile";
	case CONTACT_CHANNEL_INVALID:
		return "mypages.contact.error.channel";
	case CONTACT_LANGUAGE_INVALID:
		return "mypages.contact.error.language";
	case CONTACT_EMAIL_NEEDED:
		return "mypages.contact.error.channel_email";
	case CONTACT_MOBILE_NEEDED:
		return "mypages.contact.error.channel_sms";
	case CONTACT_SMS_UNAVAILABLE:
		return "mypages.contact.error.sms_unavailable";
	case CONTACT_TOO_MANY_CODES:
		return "mypages.contact.error.too_many_codes";
	}
	return "mypages.contact.error.channel";
}

/* Answer contact_save's or contact_resend's result rc: the page again with
 * the fields' messages (values as typed), a failure, or where to go. */
static void saved_answer(struct req *r, struct resp *w, int rc, const struct contact_saved *saved, json_t *values,
			 const struct err *e)
{
	if (rc != 0 && e->code != ERR_INVALID) {
		json_decref(values);
		resp_failure(w, r, e, "contact preferences");
		return;
	}
	if (rc != 0) {
		json_t *errors = json_object();
		const char *names[] = {"email", "mobile", "channel", "language"};
		enum contact_problem problems[] = {saved->email, saved->mobile, saved->channel, saved->language};
		for (int i = 0; i < 4; i++)
			if (problem_key(problems[i]) != NULL)
				json_object_set_new(errors, names[i], json_string(problem_key(problems[i])));
		if (saved->mobile == CONTACT_SMS_UNAVAILABLE)
			w->status = 503;
		show(r, w, values, errors, NULL);
		return;
	}
	json_decref(values);
	if (saved->code_needed) {
		struct contact_saved sent = *saved;
		int ok = send_code(r, &sent);
		memset(sent.code, 0, sizeof(sent.code));
		if (ok != 0) {
			/* The rest is saved; the number waits for a code that
			 * did not go: say so, and offer to send it again. */
			w->status = 502;
			show(r, w, stored_values(r), json_pack("{s:s}", "mobile", "mypages.contact.error.send_failed"),
			     NULL);
			return;
		}
		resp_redirect(w, r, "/mine-sider/varsling?status=kode-sendt#code");
		return;
	}
	resp_redirect(w, r, "/mine-sider/varsling?status=lagret");
}

/* No SMS gateway to send a new number's code through. */
static int sms_unavailable(const struct req *r)
{
	return r->app->notify == NULL || r->app->notify->sms_url == NULL;
}

static void save(struct req *r, struct resp *w)
{
	struct err e;
	struct contact_saved saved;
	json_t *values = json_object();
	for (int i = 0; fields[i] != NULL; i++) {
		const char *v = req_form(r, fields[i]);
		json_object_set_new(values, fields[i], json_string(v && strlen(v) <= 300 ? v : ""));
	}
	struct contact_change c = {req_form(r, "email"), req_form(r, "mobile"), req_form(r, "channel"),
				   req_form(r, "language"), 0, sms_unavailable(r)};
	int rc = contact_save(r->app->store, &r->who, &c, r->now, &saved, &e);
	saved_answer(r, w, rc, &saved, values, &e);
	memset(saved.code, 0, sizeof(saved.code));
}

/* Send the waiting number a new code, keeping the rest. */
static void resend(struct req *r, struct resp *w)
{
	struct err e;
	struct contact_saved saved;
	int rc = contact_resend(r->app->store, &r->who, sms_unavailable(r), r->now, &saved, &e);
	saved_answer(r, w, rc, &saved, rc == 0 || e.code != ERR_INVALID ? json_object() : stored_values(r), &e);
	memset(saved.code, 0, sizeof(saved.code));
}

static void verify(struct req *r, struct resp *w)
{
	struct err e;
	enum contact_verify_result result;
	int left = 0;
	const char *code = req_form(r, "code");
	/* People type codes with spaces: "123 456". */
	char digits[8];
	size_t n = 0;
	for (const char *p = code ? code : ""; *p && n < sizeof(digits) - 1; p++)
		if (*p != ' ')
			digits[n++] = *p;
	digits[n] = '\0';
	int rc = contact_verify(r->app->store, &r->who, digits, r->now, &result, &left, &e);
	if (rc != 0 && e.code != ERR_INVALID) {
		resp_failure(w, r, &e, "mobile verification");
		return;
	}
	if (rc == 0 && result == CONTACT_VERIFIED) {
		resp_redirect(w, r, "/mine-sider/varsling?status=bekreftet");
		return;
	}
	const char *key = rc != 0			 ? "mypages.contact.error.code_format"
			  : result == CONTACT_WRONG	 ? "mypages.contact.error.code_wrong"
			  : result == CONTACT_LOCKED	 ? "mypages.contact.error.code_locked"
			  : result == CONTACT_EXPIRED	 ? "mypages.contact.error.code_expired"
							 : "mypages.contact.error.code_none";
	json_t *values = stored_values(r);
	json_object_set_new(values, "code", json_string(code && strlen(code) <= 16 ? code : ""));
	if (rc == 0 && result == CONTACT_WRONG)
		json_object_set_new(values, "tries_left", json_integer(left));
	show(r, w, values, json_pack("{s:s}", "code", key), NULL);
}

void mypages_contact_save(struct req *r, struct resp *w)
{
	if (!req_csrf_ok(r)) {
		resp_error(w, r, 403, "error.csrf");
		return;
	}
	const char *action = req_form(r, "action");
	if (action && strcmp(action, "verify") == 0)
		verify(r, w);
	else if (action && strcmp(action, "resend") == 0)
		resend(r, w);
	else
		save(r, w);
}
