/* notify.c - sending a notice: e-mail over SMTP and SMS through an HTTP
 * gateway, both with libcurl; see notify.h.
 *
 * An e-mail is built here whole (RFC 5322 headers, RFC 2047 encoded-words
 * for a UTF-8 subject or sender name, a text/plain UTF-8 body in
 * quoted-printable, CRLF line ends, no line past 78 characters) and handed
 * to libcurl's SMTP client, which speaks MAIL FROM, RCPT TO and DATA and
 * escapes a lone "." line. What the server answered decides what a failure
 * means: 5xx is permanent (the message bounced), anything else (4xx, no
 * connection, a timeout) is worth another try. An SMS is a JSON POST
 * {"to", "text"} to the gateway, read the same way from the HTTP status.
 * Error messages name the failure and the server's code, never the
 * address or number: they are stored and logged. */
#include "notify/notify.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"

#define SUBJECT_MAX 900
#define TEXT_MAX (64 * 1024)
#define MESSAGE_MAX (256 * 1024)
#define SMS_TEXT_MAX 1600
#define LINE_MAX_QP 76 /* quoted-printable lines, the soft break's "=" included */
#define WORD_BYTES 39  /* bytes of text in one encoded-word: 52 base64 characters */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_ok;

static void global_init(void)
{
	global_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK && sodium_init() >= 0;
}

/* ---- checks ---- */

/* 1 when s is well-formed UTF-8 (no overlong forms, no surrogates). */
static int utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int len = *p < 0x80             ? 1
		          : (*p & 0xE0) == 0xC0 ? 2
		          : (*p & 0xF0) == 0xE0 ? 3
		          : (*p & 0xF8) == 0xF0 ? 4
		                                : 0;
		if (len == 0 || (len == 2 && *p < 0xC2) || (len == 4 && *p > 0xF4))
			return 0;
		for (int i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		if (len == 3 && ((*p == 0xE0 && p[1] < 0xA0) || (*p == 0xED && p[1] >= 0xA0)))
			return 0;
		if (len == 4 && ((*p == 0xF0 && p[1] < 0x90) || (*p == 0xF4 && p[1] >= 0x90)))
			return 0;
		p += len;
	}
	return 1;
}

/* 1 when s holds no control character (a header's text stays one line). */
static int no_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			return 0;
	return 1;
}

int notify_address_ok(const char *s)
{
	if (s == NULL)
		return 0;
	size_t n = strlen(s);
	const char *at = strchr(s, '@');
	if (n < 3 || n > 254 || at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7F || strchr("<>()[]\\,;:\"", *p) != NULL)
			return 0;
	/* The domain has a dot-separated name without empty labels. */
	const char *d = at + 1;
	return d[0] != '.' && s[n - 1] != '.' && strstr(d, "..") == NULL && strchr(d, '.') != NULL;
}

int notify_mail_address(const char *mailbox, char *out, size_t n)
{
	if (mailbox == NULL)
		return -1;
	const char *lt = strrchr(mailbox, '<'), *start = mailbox, *end = mailbox + strlen(mailbox);
	if (lt != NULL) {
		const char *gt = strchr(lt, '>');
		if (gt == NULL || gt[1] != '\0')
			return -1;
		start = lt + 1;
		end = gt;
	}
	size_t len = (size_t)(end - start);
	if (len + 1 > n)
		return -1;
	memcpy(out, start, len);
	out[len] = '\0';
	return notify_address_ok(out) ? 0 : -1;
}

/* The display name of "Name <addr>" (without surrounding blanks and
 * quotes) into out, "" when there is none. */
static int display_name(const char *mailbox, char *out, size_t n)
{
	const char *lt = strrchr(mailbox, '<');
	out[0] = '\0';
	if (lt == NULL)
		return 0;
	const char *s = mailbox, *e = lt;
	while (s < e && (*s == ' ' || *s == '"'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '"'))
		e--;
	if ((size_t)(e - s) + 1 > n)
		return -1;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	return 0;
}

/* ---- building the message ---- */

/* 1 when s can stand in a header as it is: printable ASCII. */
static int plain_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7E)
			return 0;
	return 1;
}

/* 1 when a display name can stand as it is: RFC 5322 atext and spaces. */
static int plain_phrase(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!(*p == ' ' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("!#$%&'*+-/=?^_`{|}~", *p) != NULL))
			return 0;
	return 1;
}

/* Append s as RFC 2047 encoded-words ("=?UTF-8?B?...?="), each holding at
 * most WORD_BYTES bytes of whole UTF-8 characters, folded onto lines of
 * their own: no line passes 78 characters whatever came before on the
 * first (at most 13 characters of header name). */
static int put_encoded_words(struct buf *b, const char *s)
{
	size_t n = strlen(s), i = 0;
	int rc = 0;
	while (i < n) {
		size_t take = n - i < WORD_BYTES ? n - i : WORD_BYTES;
		/* Never split a character: back off to the start of one. */
		while (take > 1 && i + take < n && ((unsigned char)s[i + take] & 0xC0) == 0x80)
			take--;
		char b64[sodium_base64_ENCODED_LEN(WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i, take, sodium_base64_VARIANT_ORIGINAL);
		rc |= buf_puts(b, i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
		rc |= buf_puts(b, b64);
		rc |= buf_puts(b, "?=");
		i += take;
	}
	return rc;
}

/* The length of the line being written (since the last CRLF). */
static size_t line_len(const struct buf *b)
{
	size_t i = b->len;
	while (i > 0 && b->p[i - 1] != '\n')
		i--;
	return b->len - i;
}

static int put_date(struct buf *b, int64_t t)
{
	static const char *const days[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400, secs = t - day * 86400;
	int y, m, d;
	date_to_ymd((date_t)day, &y, &m, &d);
	/* 1970-01-01 was a Thursday. */
	int wd = (int)(((day % 7) + 7 + 4) % 7);
	return buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[wd], d, months[m - 1], y,
	                  (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* Append text as quoted-printable with CRLF line ends. */
static int put_quoted_printable(struct buf *b, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0, col = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {
			if (*p == '\r')
				p++;
			rc |= buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		int at_end = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
		/* Literal: printable ASCII but "=", a blank not ending its line, and
		 * a "." starting one (SMTP's end of data). */
		int literal =
		    ((*p > 0x20 && *p < 0x7F && *p != '=') || (*p == ' ' && !at_end)) && !(*p == '.' && col == 0);
		int width = literal ? 1 : 3;
		if (col + width > LINE_MAX_QP - 1) {
			rc |= buf_puts(b, "=\r\n");
			col = 0;
		}
		if (literal) {
			rc |= buf_putc(b, (char)*p);
		} else {
			char enc[3] = {'=', hex[*p >> 4], hex[*p & 15]};
			rc |= buf_append(b, enc, 3);
		}
		col += width;
	}
	return rc;
}

int notify_mail_build(const struct notify_mail *m, struct buf *out, struct err *e)
{
	char from_addr[256], name[256], domain[256];
	if (m->from == NULL || !utf8_ok(m->from) || !no_controls(m->from) ||
	    notify_mail_address(m->from, from_addr, sizeof(from_addr)) != 0 ||
	    display_name(m->from, name, sizeof(name)) != 0)
		return err_set(e, ERR_INVALID, "from", "the sender must be an address, or a name and <address>");
	if (!notify_address_ok(m->to))
		return err_set(e, ERR_INVALID, "to", "the recipient is not a plain e-mail address");
	if (m->subject == NULL || !utf8_ok(m->subject) || !no_controls(m->subject) || strlen(m->subject) > SUBJECT_MAX)
		return err_set(e, ERR_INVALID, "subject", "the subject must be one line of UTF-8, at most %d bytes",
		               SUBJECT_MAX);
	if (m->text == NULL || !utf8_ok(m->text) || strlen(m->text) > TEXT_MAX)
		return err_set(e, ERR_INVALID, "text", "the text must be UTF-8, at most %d bytes", TEXT_MAX);
	if (m->message_id != NULL && (m->message_id[0] != '<' || !plain_ascii(m->message_id) ||
	                              strchr(m->message_id, ' ') != NULL || strlen(m->message_id) > 200))
		return err_set(e, ERR_INVALID, "message_id", "a Message-ID is \"<id@domain>\"");
	snprintf(domain, sizeof(domain), "%s", strchr(from_addr, '@') + 1);

	int rc = put_date(out, m->date);
	rc |= buf_puts(out, "From: ");
	if (name[0] != '\0') {
		rc |= plain_phrase(name) && strlen(name) < 40 ? buf_puts(out, name) : put_encoded_words(out, name);
		rc |= buf_puts(out, line_len(out) + strlen(from_addr) + 3 > 78 ? "\r\n <" : " <");
		rc |= buf_puts(out, from_addr);
		rc |= buf_puts(out, ">\r\n");
	} else {
		rc |= buf_printf(out, "%s\r\n", from_addr);
	}
	rc |= buf_printf(out, "To: %s\r\nSubject: ", m->to);
	if (plain_ascii(m->subject) && strlen(m->subject) <= 78 - 9)
		rc |= buf_puts(out, m->subject);
	else
		rc |= put_encoded_words(out, m->subject);
	rc |= buf_puts(out, "\r\nMessage-ID: ");
	if (m->message_id != NULL) {
		rc |= buf_puts(out, m->message_id);
	} else {
		unsigned char r[16];
		char hex[33];
		pthread_once(&global_once, global_init);
		randombytes_buf(r, sizeof(r));
		sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
		rc |= buf_printf(out, "<%s@%s>", hex, domain);
	}
	rc |= buf_puts(out, "\r\nMIME-Version: 1.0\r\n"
	                    "Content-Type: text/plain; charset=utf-8\r\n"
	                    "Content-Transfer-Encoding: quoted-printable\r\n"
	                    "Auto-Submitted: auto-generated\r\n"
	                    "\r\n");
	rc |= put_quoted_printable(out, m->text);
	if (out->len < 2 || memcmp(out->p + out->len - 2, "\r\n", 2) != 0)
		rc |= buf_puts(out, "\r\n");
	if (rc != 0)
		return err_set(e, ERR_INTERNAL, NULL, "the message is too large");
	return 0;
}

/* ---- SMTP ---- */

struct upload {
	const char *p;
	size_t left;
};

static size_t on_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static size_t on_discard(char *p, size_t size, size_t nmemb, void *arg)
{
	(void)p;
	(void)arg;
	return size * nmemb;
}

int notify_email_at(const struct notify_config *c, const char *to, const char *subject, const char *text, int64_t date,
                    struct err *e)
{
	if (c == NULL || c->smtp_url == NULL)
		return err_set(e, ERR_CONFLICT, NULL, "e-mail is not configured (no SMTP server)");
	pthread_once(&global_once, global_init);
	if (!global_ok)
		return err_set(e, ERR_INTERNAL, NULL, "libcurl or libsodium cannot start");
	struct notify_mail m = {c->mail_from ? c->mail_from : NOTIFY_DEFAULT_FROM, to, subject, text, date, NULL};
	struct buf msg;
	char from_addr[256], envelope_from[260], envelope_to[260];
	buf_init(&msg, MESSAGE_MAX);
	if (notify_mail_build(&m, &msg, e) != 0) {
		buf_cleanup(&msg);
		return -1;
	}
	notify_mail_address(m.from, from_addr, sizeof(from_addr));
	snprintf(envelope_from, sizeof(envelope_from), "<%s>", from_addr);
	snprintf(envelope_to, sizeof(envelope_to), "<%s>", to);

	int rc = -1;
	long code = 0;
	struct upload u = {msg.p, msg.len};
	struct curl_slist *rcpt = curl_slist_append(NULL, envelope_to);
	CURL *k = curl_easy_init();
	if (k == NULL || rcpt == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	curl_easy_setopt(k, CURLOPT_URL, c->smtp_url);
	curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(k, CURLOPT_MAIL_FROM, envelope_from);
	curl_easy_setopt(k, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(k, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(k, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(k, CURLOPT_READDATA, &u);
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_discard);
	curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, (long)NOTIFY_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
	curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	CURLcode cc = curl_easy_perform(k);
	curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK)
		rc = 0;
	else if (code >= 500 && code < 600)
		err_set(e, ERR_INVALID, NULL, "the mail server refused the message for good (%ld)", code);
	else if (code >= 400 && code < 500)
		err_set(e, ERR_IO, NULL, "the mail server refused the message for now (%ld)", code);
	else
		err_set(e, ERR_IO, NULL, "the mail server could not be reached: %s", curl_easy_strerror(cc));
out:
	curl_easy_cleanup(k);
	curl_slist_free_all(rcpt);
	buf_cleanup(&msg);
	return rc;
}

int notify_email(const struct notify_config *c, const char *to, const char *subject, const char *text, struct err *e)
{
	return notify_email_at(c, to, subject, text, date_now_unix(), e);
}

/* ---- SMS ---- */

/* "+" and 8 to 15 digits (E.164). */
static int number_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 9 || n > 16 || s[0] != '+')
		return 0;
	return strspn(s + 1, "0123456789") == n - 1;
}

int notify_sms(const struct notify_config *c, const char *to, const char *text, struct err *e)
{
	if (c == NULL || c->sms_url == NULL)
		return err_set(e, ERR_CONFLICT, NULL, "SMS is not configured (no gateway)");
	if (!number_ok(to))
		return err_set(e, ERR_INVALID, "to", "the number must be + and 8 to 15 digits");
	if (text == NULL || text[0] == '\0' || !utf8_ok(text) || strlen(text) > SMS_TEXT_MAX)
		return err_set(e, ERR_INVALID, "text", "the text must be UTF-8, 1 to %d bytes", SMS_TEXT_MAX);
	pthread_once(&global_once, global_init);
	if (!global_ok)
		return err_set(e, ERR_INTERNAL, NULL, "libcurl or libsodium cannot start");
	json_t *j = json_pack("{s:s,s:s}", "to", to, "text", text);
	char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *k = curl_easy_init();
	int rc = -1;
	long status = 0;
	if (body == NULL || headers == NULL || k == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	curl_easy_setopt(k, CURLOPT_URL, c->sms_url);
	curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(k, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_discard);
	curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, (long)NOTIFY_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
	curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k, CURLOPT_FOLLOWLOCATION, 0L);
	CURLcode cc = curl_easy_perform(k);
	curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK)
		err_set(e, ERR_IO, NULL, "the SMS gateway could not be reached: %s", curl_easy_strerror(cc));
	else if (status >= 200 && status < 300)
		rc = 0;
	else if (status >= 400 && status < 500)
		err_set(e, ERR_INVALID, NULL, "the SMS gateway refused the message for good (%ld)", status);
	else
		err_set(e, ERR_IO, NULL, "the SMS gateway failed (%ld)", status);
out:
	curl_easy_cleanup(k);
	curl_slist_free_all(headers);
	free(body);
	return rc;
}
