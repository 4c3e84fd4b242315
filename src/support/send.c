/* send.c - an agent sends an FAQ answer's link to a caller (see support.h).
 *
 * An identified caller gets it where the agency's answers go: a secure
 * message from the agent in the person's mailbox, delivered as a letter of
 * kind "answer" (mbox_deliver), so that the usual notice (e-mail or SMS,
 * notify's "notice" job) tells them, in the language they chose on Mine
 * sider. An anonymous caller who gives an e-mail address gets it by e-mail
 * over the real SMTP path, in the language the agent chose with them; the
 * mail is handed to the server before anything is recorded, so that a
 * record never claims a mail that was not sent (a server that refuses it
 * leaves nothing behind, and the agent can try again).
 *
 * Either way the call is logged as an inquiry (outcome self-service, the
 * answer's link given) and what was sent where is kept with it
 * (faq_sends), in one transaction with the audit record. */
#include "support/support.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "mailbox/mailbox.h"
#include "mailbox/messages.h"
#include "notify/notify.h"
#include "store/messages.h"

struct sending {
	struct inquiry q;
	struct faq_send f;
	const char *text; /* the message to the person's mailbox; NULL for e-mail */
	char actor[32];
	int64_t inquiry_id;
};

static int store_sending(struct store_tx *tx, void *arg, struct err *e)
{
	struct sending *x = arg;
	if (x->text) {
		struct message m = {0, 0, x->f.person_id, "out", x->f.staff_id, x->text, x->f.sent_at, 0, 0, 0};
		int64_t message_id;
		if (store_message_insert(tx, &m, &message_id, e) != 0 ||
		    mbox_deliver(tx, x->f.person_id, 0, "answer", x->f.sent_at, &x->f.letter_id, e) != 0 ||
		    store_message_set_letter(tx, message_id, x->f.letter_id, e) != 0)
			return -1;
	}
	if (store_inquiry_insert(tx, &x->q, &x->inquiry_id, e) != 0)
		return -1;
	x->f.inquiry_id = x->inquiry_id;
	if (store_faq_send_insert(tx, &x->f, NULL, e) != 0)
		return -1;
	char object[32], detail[128];
	snprintf(object, sizeof(object), "inquiry:%lld", (long long)x->inquiry_id);
	/* Never the address: the record holds it, the audit says where. */
	snprintf(detail, sizeof(detail), "faq=%lld channel=%s person=%lld letter=%lld lang=%s", (long long)x->f.faq_id,
		 x->f.channel, (long long)x->f.person_id, (long long)x->f.letter_id, x->f.lang);
	return audit_append(tx, x->f.sent_at, x->actor, "faq.sent", object, detail, e);
}

/* The answer's address on the portal: public_url + "/faq/N". */
static const char *faq_url(struct arena *a, const struct notify_config *mail, int64_t id)
{
	const char *base = mail && mail->public_url ? mail->public_url : "";
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return arena_printf(a, "%.*s/faq/%lld", (int)n, base, (long long)id);
}

/* Render key in lang with the question and the link into a's copy. */
static const char *render(struct arena *a, enum lang lang, const char *key, const char *question, const char *url)
{
	struct buf b;
	buf_init(&b, 16 * 1024);
	json_t *args = json_pack("{s:s,s:s}", "question", question, "url", url);
	const char *out = i18n_render(&b, lang, key, args) == 0 ? arena_strdup(a, buf_str(&b)) : NULL;
	json_decref(args);
	buf_cleanup(&b);
	return out;
}

int support_faq_send(struct store *s, const struct principal *who, const struct notify_config *mail,
		     const struct faq_send_form *f, int64_t now, int64_t *inquiry_id, struct err *e)
{
	if (access_check(s, who, ACT_FAQ_SEND, 0, "inquiries", "inquiry log", now, e) != 0)
		return -1;
	struct arena a;
	arena_init(&a, 0);
	int rc = -1;
	struct person p;
	/* To a person: the agent must be one who may see that person's
	 * inquiries (audited when refused), and the person must exist. */
	if (f->person_id != 0) {
		char object[32];
		snprintf(object, sizeof(object), "person:%lld", (long long)f->person_id);
		int found = store_person_get(s, f->person_id, &p, &a, e);
		if (found < 0)
			goto out;
		if (access_check(s, who, ACT_INQUIRY_READ, found == 0 ? f->person_id : 0, object, "person", now, e) != 0)
			goto out;
	}
	struct faq_entry entry;
	int found = f->faq_id > 0 ? faq_read(s, f->faq_id, &entry, &a, e) : 1;
	if (found < 0)
		goto out;
	if (found > 0) {
		err_set(e, ERR_INVALID, "faq", "choose a published answer to send");
		goto out;
	}
	const char *channel = f->channel && *f->channel ? f->channel : "phone";
	if (!support_in(support_channels, channel)) {
		err_set(e, ERR_INVALID, "channel", "choose a channel");
		goto out;
	}
	struct support_agency *ag;
	int n_ag = store_support_agencies(s, &ag, &a, e);
	if (n_ag < 0)
		goto out;
	const char *agency = NULL;
	for (int i = 0; i < n_ag; i++)
		if (ag[i].active && (f->agency && *f->agency ? strcmp(ag[i].code, f->agency) == 0
							      : agency == NULL || strcmp(ag[i].code, "lanekassen") == 0))
			agency = ag[i].code;
	if (agency == NULL) {
		err_set(e, ERR_INVALID, "agency", "choose one of the agencies the centre serves");
		goto out;
	}
	/* The language: the person's own choice, or the one agreed with an
	 * anonymous caller. */
	enum lang lang = LANG_NB;
	const char *email = NULL;
	if (f->person_id != 0) {
		struct contact_prefs cp;
		int got = store_contact_get(s, f->person_id, &cp, &a, e);
		if (got < 0)
			goto out;
		if (got == 0 && cp.language && strcmp(cp.language, "en") == 0)
			lang = LANG_EN;
	} else {
		if (f->lang == NULL || i18n_lang_parse(f->lang, &lang) != 0) {
			err_set(e, ERR_INVALID, "lang", "choose the language to write in");
			goto out;
		}
		email = f->email && *f->email ? f->email : NULL;
		if (email == NULL || !notify_address_ok(email)) {
			err_set(e, ERR_INVALID, "email", "an anonymous caller gets the link by e-mail: give the address");
			goto out;
		}
	}
	const char *question = lang == LANG_EN ? entry.v.question_en : entry.v.question_nb;
	const char *url = faq_url(&a, mail, entry.id);
	struct sending x = {{0}, {0}, NULL, "", 0};
	if (f->person_id != 0) {
		x.text = render(&a, lang, "support.faqsend.message", question, url);
		if (x.text == NULL || !msg_text_ok(x.text, 1, MSG_TEXT_MAX)) {
			err_set(e, ERR_INTERNAL, NULL, "the message does not fit");
			goto out;
		}
	} else {
		const char *subject = render(&a, lang, "support.faqsend.subject", question, url);
		/* The catalogue's texts are one line each: the mail is put
		 * together here, the link on a line of its own. */
		const char *greeting = render(&a, lang, "support.faqsend.mail.greeting", question, url);
		const char *text = render(&a, lang, "support.faqsend.mail.text", question, url);
		const char *no_reply = render(&a, lang, "support.faqsend.mail.no_reply", question, url);
		const char *signoff = render(&a, lang, "support.faqsend.mail.signoff", question, url);
		const char *body = greeting && text && no_reply && signoff
					   ? arena_printf(&a, "%s\n\n%s\n%s\n\n%s\n\n%s\n", greeting, text, url, no_reply, signoff)
					   : NULL;
		if (subject == NULL || body == NULL) {
			err_set(e, ERR_INTERNAL, NULL, "the mail does not fit");
			goto out;
		}
		if (notify_email_at(mail, email, subject, body, now, e) != 0) {
			/* ERR_INVALID field "to" is the address the server or we
			 * refuse: the agent's field is "email". */
			if (e->code == ERR_INVALID)
				err_set(e, ERR_INVALID, "email", "the mail server refused this address");
			goto out;
		}
	}
	x.q.agency = agency;
	x.q.channel = channel;
	x.q.started_at = x.q.ended_at = x.q.created_at = now;
	x.q.topic_id = entry.topic_id;
	x.q.service = "none";
	x.q.outcome = "self-service";
	x.q.link = arena_printf(&a, "/faq/%lld", (long long)entry.id);
	x.q.person_id = f->person_id;
	x.q.staff_id = who->staff_id;
	x.f.faq_id = entry.id;
	x.f.channel = f->person_id ? "mailbox" : "email";
	x.f.person_id = f->person_id;
	x.f.email = email;
	x.f.lang = i18n_lang_code(lang);
	x.f.staff_id = who->staff_id;
	x.f.sent_at = now;
	access_actor(who, x.actor, sizeof(x.actor));
	if (store_write(s, store_sending, &x, e) != 0) {
		if (email)
			log_error("faq %lld was mailed but not recorded: %s", (long long)entry.id, e->message);
		goto out;
	}
	if (inquiry_id)
		*inquiry_id = x.inquiry_id;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}
