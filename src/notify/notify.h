/* notify.h - notices to a person outside the portal: e-mail over SMTP
 * (libcurl) and SMS through an HTTP gateway, and the "notice" job that
 * tells a person a new letter has come.
 *
 * A notice never carries personal data beyond "you have a new letter from
 * <agency>" and a link to the portal: the letter itself stays in the
 * mailbox. Sending is done by jobs, retried with back-off; the letter
 * records the channel and the state (pending, sent, failed, bounced). */
#ifndef STIPEND_NOTIFY_H
#define STIPEND_NOTIFY_H

#include <stdint.h>

struct err;

/* Where notices go out. A NULL url means that channel is not configured:
 * a notice by it is recorded as failed with that reason, never faked. */
struct notify_config {
	const char *smtp_url;   /* "smtp://127.0.0.1:2525" */
	const char *mail_from;  /* "Lånekassen <ikke-svar@lanekassen.no>" */
	const char *sms_url;    /* the gateway: "http://127.0.0.1:8090/sms/v1/messages" */
	const char *public_url; /* the portal's address, for links in notices */
};

/* Send one e-mail (UTF-8 text body). Returns 0 once the server accepted it;
 * -1 with e filled: ERR_IO for a failure worth retrying (no connection,
 * timeout, 4xx), ERR_INVALID for a permanent refusal (5xx: bounced).
 * Thread-safe. */
int notify_email(const struct notify_config *c, const char *to, const char *subject, const char *text,
		 struct err *e);

/* Send one SMS through the gateway; errors as notify_email(). */
int notify_sms(const struct notify_config *c, const char *to, const char *text, struct err *e);

#endif
