/* notice.c - the "notice" job: tell a person that a letter has come, by the
 * channel chosen when it was delivered; see notify.h.
 *
 * mbox_deliver() marks the letter's notice pending and enqueues this job
 * in the delivery's transaction. The job sends outside any transaction
 * (a mail server may be slow), then records the attempt, the letter's new
 * state, its audit record and the job's end in one transaction. The text
 * is the catalogue's, in the person's language, with nothing in it but the
 * agency and a link to the letter in the portal: no name, national
 * identity number, amount or address. */
#include "notify/notify.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "store/notices.h"
#include "store/store.h"

#define NOTICE_TEXT_MAX 4096

const char *notify_status_key(const char *channel, const char *status)
{
	if (status == NULL || strcmp(status, "none") == 0)
		return NULL;
	int sms = channel != NULL && strcmp(channel, "sms") == 0;
	if (strcmp(status, "pending") == 0)
		return sms ? "notify.status.pending.sms" : "notify.status.pending.email";
	if (strcmp(status, "sent") == 0)
		return sms ? "notify.status.sent.sms" : "notify.status.sent.email";
	if (strcmp(status, "bounced") == 0)
		return sms ? "notify.status.bounced.sms" : "notify.status.bounced.email";
	return "notify.status.failed";
}

int64_t notify_share_tenths(int64_t opened, int64_t eligible)
{
	if (eligible <= 0)
		return -1;
	return (opened * 1000 + eligible / 2) / eligible;
}

/* What came of one attempt, committed with the job's end when final. */
struct outcome {
	const struct job_rec *job;
	struct notice_attempt a;
	const char *status; /* the letter's new notice_status, or NULL: still pending */
	const char *action; /* the audit record's action, or NULL */
};

static int record(struct store_tx *tx, void *arg, struct err *e)
{
	struct outcome *o = arg;
	char object[32], detail[32];
	if (store_notice_record(tx, &o->a, o->status, e) != 0)
		return -1;
	if (o->action != NULL) {
		snprintf(object, sizeof(object), "letter:%lld", (long long)o->a.letter_id);
		snprintf(detail, sizeof(detail), "channel=%s", o->a.channel);
		if (audit_append(tx, o->a.at, "system", o->action, object, detail, e) != 0)
			return -1;
	}
	return o->status != NULL ? store_job_done(tx, o->job->id, e) : 0;
}

static int finish_only(struct store_tx *tx, void *arg, struct err *e)
{
	const struct job_rec *job = arg;
	return store_job_done(tx, job->id, e);
}

/* The notice's texts in lang: the subject (e-mail) and the text. */
static int compose(enum lang lang, const char *public_url, int64_t letter_id, int sms, struct buf *subject,
                   struct buf *text)
{
	char link[512];
	size_t n = strlen(public_url);
	while (n > 0 && public_url[n - 1] == '/')
		n--;
	snprintf(link, sizeof(link), "%.*s/innboks/%lld", (int)n, public_url, (long long)letter_id);
	json_t *args = json_pack("{s:s}", "link", link);
	int rc = args == NULL;
	if (sms) {
		rc |= i18n_render(text, lang, "notify.sms.text", args);
	} else {
		rc |= i18n_render(subject, lang, "notify.email.subject", NULL);
		rc |= i18n_render(text, lang, "notify.email.greeting", NULL);
		rc |= buf_puts(text, "\n\n");
		rc |= i18n_render(text, lang, "notify.email.read", args);
		rc |= buf_puts(text, "\n\n");
		rc |= i18n_render(text, lang, "notify.email.no_reply", NULL);
		rc |= buf_puts(text, "\n");
	}
	json_decref(args);
	return rc;
}

int notify_notice_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	const struct notify_config *cfg = ctx;
	struct arena a;
	struct letter l;
	struct contact_prefs p;
	struct buf subject, text;
	int rc = -1, attempts = 0;
	arena_init(&a, 0);
	buf_init(&subject, NOTICE_TEXT_MAX);
	buf_init(&text, NOTICE_TEXT_MAX);

	int found = store_letter_get(s, job->subject_id, &l, &a, e);
	if (found < 0)
		goto out;
	if (found == 1 || l.notice_status == NULL || strcmp(l.notice_status, "pending") != 0 ||
	    l.notice_channel == NULL) {
		/* Nothing to send (any more): done already, or never wanted. */
		rc = store_write(s, finish_only, (void *)job, e);
		goto out;
	}
	int has_prefs = store_contact_get(s, l.person_id, &p, &a, e);
	if (has_prefs < 0 || store_notice_attempt_count(s, l.id, &attempts, e) != 0)
		goto out;
	int sms = strcmp(l.notice_channel, "sms") == 0;
	enum lang lang = has_prefs == 0 && p.language && strcmp(p.language, "en") == 0 ? LANG_EN : LANG_NB;
	const char *to = has_prefs != 0 ? NULL : sms ? (p.mobile_verified_at ? p.mobile : NULL) : p.email;

	struct outcome o = {job, {l.id, attempts + 1, now, sms ? "sms" : "email", NULL, NULL}, NULL, NULL};
	struct err send_err;
	err_clear(&send_err);
	int sent = -1;
	if (to == NULL || to[0] == '\0') {
		err_set(&send_err, ERR_CONFLICT, NULL, "the person no longer has an address for this channel");
	} else if (compose(lang, cfg && cfg->public_url ? cfg->public_url : "", l.id, sms, &subject, &text) != 0) {
		err_set(&send_err, ERR_INTERNAL, NULL, "the notice's text does not fit");
	} else {
		sent = sms ? notify_sms(cfg, to, buf_str(&text), &send_err)
		           : notify_email_at(cfg, to, buf_str(&subject), buf_str(&text), now, &send_err);
	}
	if (sent == 0) {
		o.a.result = "sent";
		o.status = "sent";
		o.action = "letter.notice.sent";
	} else if (send_err.code == ERR_IO && o.a.attempt < NOTICE_MAX_ATTEMPTS) {
		o.a.result = "retry";
		o.a.error = send_err.message;
	} else if (send_err.code == ERR_INVALID && send_err.field[0] == '\0') {
		/* The server or gateway refused it for good. */
		o.a.result = "bounced";
		o.a.error = send_err.message;
		o.status = "bounced";
		o.action = "letter.notice.bounced";
	} else {
		/* Out of attempts, not configured, no address, or an address we
		 * will not send to (field "to"). */
		o.a.result = "failed";
		o.a.error = send_err.message;
		o.status = "failed";
		o.action = "letter.notice.failed";
	}
	if (store_write(s, record, &o, e) != 0)
		goto out;
	if (o.status == NULL) {
		/* Worth another try: the runner puts the job back with back-off. */
		*e = send_err;
		goto out;
	}
	rc = 0;
out:
	buf_cleanup(&subject);
	buf_cleanup(&text);
	arena_cleanup(&a);
	return rc;
}
