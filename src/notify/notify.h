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

#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;
struct job_rec;
struct store;

/* Where notices go out. A NULL url means that channel is not configured:
 * a notice by it is recorded as failed with that reason, never faked. */
struct notify_config {
	const char *smtp_url;   /* "smtp://127.0.0.1:2525" */
	const char *mail_from;  /* "Lånekassen <ikke-svar@lanekassen.no>" */
	const char *sms_url;    /* the gateway: "http://127.0.0.1:8090/sms/v1/messages" */
	const char *public_url; /* the portal's address, for links in notices */
};

/* The sender when mail_from is NULL. */
#define NOTIFY_DEFAULT_FROM "Lånekassen <ikke-svar@lanekassen.no>"

/* How long a send may take: to connect, and in all (milliseconds). */
#define NOTIFY_CONNECT_TIMEOUT_MS 5000
#define NOTIFY_TIMEOUT_MS 15000

/* Send one e-mail (UTF-8 text body). Returns 0 once the server accepted it;
 * -1 with e filled: ERR_IO for a failure worth retrying (no connection,
 * timeout, 4xx), ERR_INVALID for a permanent refusal (5xx: bounced).
 * Thread-safe. */
int notify_email(const struct notify_config *c, const char *to, const char *subject, const char *text, struct err *e);

/* notify_email() with the message's Date given (Unix seconds): the job
 * runner passes its own clock, so that a replayed run dates its mail by
 * the moment it replays. Also ERR_CONFLICT when e-mail is not configured,
 * ERR_INVALID with field "to" for an address that is no plain addr-spec.
 * No error message ever contains an address. */
int notify_email_at(const struct notify_config *c, const char *to, const char *subject, const char *text, int64_t date,
                    struct err *e);

/* Send one SMS through the gateway; errors as notify_email(): a 2xx answer
 * is accepted, 4xx is a permanent refusal (ERR_INVALID), 5xx, a timeout or
 * no connection is worth retrying (ERR_IO); ERR_CONFLICT when no gateway is
 * configured, ERR_INVALID with field "to" for a number that is not "+" and
 * 8 to 15 digits. Thread-safe. */
int notify_sms(const struct notify_config *c, const char *to, const char *text, struct err *e);

/* An e-mail as it goes on the wire (RFC 5322 with MIME): Date, From, To,
 * Subject (RFC 2047 encoded-words for anything but plain ASCII), Message-ID,
 * MIME-Version, text/plain; charset=utf-8 in quoted-printable, CRLF line
 * ends, no line longer than 78 characters (but a header naming an
 * address longer than that). */
struct notify_mail {
	const char *from;       /* "Name <addr>" or "addr"; the name may be UTF-8 */
	const char *to;         /* "addr" */
	const char *subject;    /* UTF-8, at most 900 bytes */
	const char *text;       /* UTF-8, LF or CRLF line ends */
	int64_t date;           /* Unix seconds, written as UTC */
	const char *message_id; /* "<...@...>", or NULL: a random one */
};

/* Append the message m to out. Returns 0, or -1 with e filled: ERR_INVALID
 * naming the field ("from", "to", "subject", "text") for input that cannot
 * be put in a message safely (header injection, bad UTF-8), ERR_INTERNAL
 * when out is full. Pure but for the random Message-ID. */
int notify_mail_build(const struct notify_mail *m, struct buf *out, struct err *e);

/* The addr-spec of a mailbox ("Name <a@b>" or "a@b") into out (size n).
 * Returns 0, or -1 when it is none or does not fit. */
int notify_mail_address(const char *mailbox, char *out, size_t n);

/* 1 when s is a plain addr-spec we are willing to send to: local@domain in
 * printable ASCII without spaces, quotes or brackets, at most 254 bytes. */
int notify_address_ok(const char *s);

/* ---- the "notice" job ---- */

/* Attempts at one notice before it is given up as failed: far fewer than
 * the runner's JOBS_MAX_ATTEMPTS, so that a person is told in time. */
#define NOTICE_MAX_ATTEMPTS 6

/* The job kind "notice" (subject: a letter id), ctx a struct notify_config.
 * Sends the letter's pending notice by its channel to the person's current
 * address for it, in their language, and records the attempt. Sent: the
 * letter's notice_status becomes "sent", audited as "letter.notice.sent",
 * and the job is done, in one transaction. A temporary failure returns -1
 * (the runner retries with back-off) until NOTICE_MAX_ATTEMPTS, then
 * "failed"; a permanent refusal is "bounced"; a channel not configured or
 * an address gone is "failed" at once. A letter whose notice is no longer
 * pending only finishes the job. A worker that dies between the send and
 * the commit sends again: a notice goes at least once. */
int notify_notice_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e);

/* The catalogue key that tells a person or a case worker a letter's notice
 * state ("notify.status.sent.email", ...), or NULL when there is nothing to
 * tell (no notice, or status "none"). */
const char *notify_status_key(const char *channel, const char *status);

/* ---- the opening statistics ---- */

/* The share opened/eligible in tenths of a per cent, rounded half up
 * (429 for 3 of 7), or -1 when eligible is 0: no share to give. */
int64_t notify_share_tenths(int64_t opened, int64_t eligible);

#endif
