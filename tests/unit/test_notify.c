/* test_notify.c - notices: the e-mail as it goes on the wire (headers,
 * RFC 2047 subject and sender with æøå, quoted-printable body, refusal of
 * header injection and bad UTF-8), addresses, failures that say what they
 * mean, the channel a delivery picks and the job it enqueues, the notice
 * job when no channel is configured, and the opening statistics' SQL. No
 * test opens a network connection but to a closed local port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/nin.h"
#include "mailbox/mailbox.h"
#include "notify/notify.h"
#include "store/notices.h"
#include "store/store.h"
#include "testdb.h"

#define SEP_2025_NOON 1756728000 /* 2025-09-01T12:00:00Z, a Monday */

static const char *from = "Lånekassen <ikke-svar@lanekassen.no>";

/* Build m into a fresh buffer, asserting success; the caller frees. */
static char *build(const struct notify_mail *m)
{
	struct buf b;
	struct err e;
	buf_init(&b, 1 << 20);
	assert_int_equal(notify_mail_build(m, &b, &e), 0);
	return buf_take(&b);
}

/* The header block of a message (up to the blank line), a copy. */
static char *header_block(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");
	assert_non_null(end);
	return strndup(msg, (size_t)(end - msg) + 2);
}

/* Decode the RFC 2047 encoded-words of a header value (B encoding only,
 * as we write them) into out; each word must decode to whole UTF-8. */
static void decode_words(const char *value, char *out, size_t n)
{
	size_t len = 0;
	const char *p = value;
	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		p += 10;
		const char *q = strstr(p, "?=");
		assert_non_null(q);
		unsigned char bin[128];
		size_t got;
		assert_int_equal(sodium_base642bin(bin, sizeof(bin), p, (size_t)(q - p), NULL, &got, NULL,
		                                   sodium_base64_VARIANT_ORIGINAL),
		                 0);
		/* A word never ends inside a character. */
		assert_true(got == 0 || (bin[got - 1] & 0x80) == 0 || (bin[got - 1] & 0xC0) == 0x80);
		size_t k = got;
		if (k > 0 && (bin[k - 1] & 0xC0) == 0x80) {
			while (k > 0 && (bin[k - 1] & 0xC0) == 0x80)
				k--;
			assert_true(k > 0);
			unsigned char lead = bin[k - 1];
			size_t want = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
			assert_int_equal(got - (k - 1), want);
		}
		assert_true(len + got < n);
		memcpy(out + len, bin, got);
		len += got;
		p = q + 2;
	}
	out[len] = '\0';
}

/* The value of header name (unfolded) in msg, a copy. */
static char *header(const char *msg, const char *name)
{
	char *head = header_block(msg), *unfolded = calloc(1, strlen(head) + 1), *o = unfolded;
	for (const char *p = head; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')) {
			p += 2;
			continue;
		}
		*o++ = *p;
	}
	free(head);
	size_t n = strlen(name);
	char *line = unfolded, *found = NULL;
	while (line && *line) {
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			char *end = strstr(line, "\r\n");
			found = strndup(line + n + 2, (size_t)(end - line - n - 2));
			break;
		}
		line = strstr(line, "\r\n");
		if (line)
			line += 2;
	}
	free(unfolded);
	return found;
}

/* Decode a quoted-printable body (soft breaks and =XX) into out. */
static void decode_qp(const char *body, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	while (*body) {
		if (body[0] == '=' && body[1] == '\r' && body[2] == '\n') {
			body += 3;
		} else if (body[0] == '=') {
			*out++ = (char)((strchr(hex, body[1]) - hex) * 16 + (strchr(hex, body[2]) - hex));
			body += 3;
		} else if (body[0] == '\r' && body[1] == '\n') {
			*out++ = '\n';
			body += 2;
		} else {
			*out++ = *body++;
		}
	}
	*out = '\0';
}

static void assert_lines_at_most(const char *msg, size_t max)
{
	for (const char *line = msg; *line;) {
		const char *end = strstr(line, "\r\n");
		assert_non_null(end); /* every line ends with CRLF */
		if ((size_t)(end - line) > max)
			fail_msg("line of %zu characters: %.40s...", (size_t)(end - line), line);
		line = end + 2;
	}
}

static void mail_has_the_headers_of_rfc_5322_and_mime(void **state)
{
	(void)state;
	struct notify_mail m = {from,
	                        "kari@example.no",
	                        "Nytt brev fra Lånekassen",
	                        "Du har fått et nytt brev.\nLes det her: https://portal.example/innboks/7\n",
	                        SEP_2025_NOON,
	                        "<abc123@lanekassen.no>"};
	char *msg = build(&m);
	char *head = header_block(msg);
	assert_string_equal(head, "Date: Mon, 01 Sep 2025 12:00:00 +0000\r\n"
	                          "From: =?UTF-8?B?TMOlbmVrYXNzZW4=?= <ikke-svar@lanekassen.no>\r\n"
	                          "To: kari@example.no\r\n"
	                          "Subject: =?UTF-8?B?Tnl0dCBicmV2IGZyYSBMw6VuZWthc3Nlbg==?=\r\n"
	                          "Message-ID: <abc123@lanekassen.no>\r\n"
	                          "MIME-Version: 1.0\r\n"
	                          "Content-Type: text/plain; charset=utf-8\r\n"
	                          "Content-Transfer-Encoding: quoted-printable\r\n"
	                          "Auto-Submitted: auto-generated\r\n");
	assert_string_equal(strstr(msg, "\r\n\r\n") + 4, "Du har f=C3=A5tt et nytt brev.\r\n"
	                                                 "Les det her: https://portal.example/innboks/7\r\n");
	free(head);
	free(msg);
}

static void subject_with_aeoeaa_is_encoded_and_decodes_back(void **state)
{
	(void)state;
	const char *subject = "Æøå: vedtak om støtte fra Lånekassen – søknad for skoleåret 2024–2025, "
	                      "høyere utdanning, ærlig talt så blir dette en lang og grønn emnelinje med æøå";
	struct notify_mail m = {from, "kari@example.no", subject, "x", SEP_2025_NOON, NULL};
	char *msg = build(&m);
	char *value = header(msg, "Subject"), decoded[512];
	assert_non_null(value);
	decode_words(value, decoded, sizeof(decoded));
	assert_string_equal(decoded, subject);
	assert_lines_at_most(msg, 78);
	/* Several encoded-words, none longer than RFC 2047's 75 characters. */
	int words = 0;
	for (const char *p = value; (p = strstr(p, "=?UTF-8?B?")) != NULL; p++, words++)
		assert_true(strstr(p, "?=") + 2 - p <= 75);
	assert_true(words >= 3);
	/* Nothing but 7-bit ASCII on the wire. */
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		assert_true(*p < 0x80);
	free(value);
	free(msg);
}

static void plain_ascii_subject_and_sender_stay_as_they_are(void **state)
{
	(void)state;
	struct notify_mail m = {"Stipend <noreply@stipend.example>", "a@example.no", "New letter", "x", 0, NULL};
	char *msg = build(&m);
	char *s = header(msg, "Subject"), *f = header(msg, "From"), *id = header(msg, "Message-ID"),
	     *d = header(msg, "Date");
	assert_string_equal(s, "New letter");
	assert_string_equal(f, "Stipend <noreply@stipend.example>");
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	/* A random Message-ID in the sender's domain. */
	assert_int_equal(strlen(id), 1 + 32 + 1 + strlen("stipend.example") + 1);
	assert_non_null(strstr(id, "@stipend.example>"));
	char *msg2 = build(&m), *id2 = header(msg2, "Message-ID");
	assert_string_not_equal(id, id2);
	free(s), free(f), free(id), free(d), free(msg), free(msg2), free(id2);
}

static void body_in_quoted_printable_keeps_lines_short_and_decodes_back(void **state)
{
	(void)state;
	struct buf t;
	buf_init(&t, 4096);
	/* A long line of æøå, an "=", a blank before a line break, a "." alone. */
	for (int i = 0; i < 40; i++)
		buf_puts(&t, "blåbær og ");
	buf_puts(&t, "1 = 1 \n.\nsiste linje\t\n");
	const char *text = buf_str(&t);
	struct notify_mail m = {from, "kari@example.no", "Hei", text, SEP_2025_NOON, NULL};
	char *msg = build(&m), decoded[4096];
	const char *body = strstr(msg, "\r\n\r\n") + 4;
	assert_lines_at_most(body, 76);
	assert_non_null(strstr(body, "1 =3D 1=20\r\n"));
	assert_non_null(strstr(body, "\r\n=2E\r\n"));
	assert_non_null(strstr(body, "linje=09\r\n"));
	decode_qp(body, decoded);
	assert_string_equal(decoded, text);
	free(msg);
	buf_cleanup(&t);
}

static void header_injection_and_bad_utf8_are_refused_naming_the_field(void **state)
{
	(void)state;
	struct err e;
	struct buf b;
	buf_init(&b, 1 << 16);
	struct notify_mail bad[] = {
	    {from, "kari@example.no", "Hei\r\nBcc: alle@example.no", "x", 0, NULL},
	    {from, "kari@example.no\r\nBcc: alle@example.no", "Hei", "x", 0, NULL},
	    {from, "kari@example", "Hei", "x", 0, NULL},
	    {from, "Kari <kari@example.no>", "Hei", "x", 0, NULL},
	    {"Lånekassen <ikke-svar@lanekassen.no>\r\nBcc: x@y.no", "kari@example.no", "Hei", "x", 0, NULL},
	    {from, "kari@example.no", "bad \xC3\x28 utf-8", "x", 0, NULL},
	    {from, "kari@example.no", "Hei", "overlong \xC0\xAF", 0, NULL},
	};
	const char *fields[] = {"subject", "to", "to", "to", "from", "subject", "text"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		assert_int_equal(notify_mail_build(&bad[i], &b, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		assert_string_equal(e.field, fields[i]);
		assert_int_equal(b.len, 0);
	}
	buf_cleanup(&b);
}

static void addresses_are_read_from_a_mailbox_and_checked(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(notify_mail_address("Lånekassen <ikke-svar@lanekassen.no>", out, sizeof(out)), 0);
	assert_string_equal(out, "ikke-svar@lanekassen.no");
	assert_int_equal(notify_mail_address("post@stipend.example", out, sizeof(out)), 0);
	assert_string_equal(out, "post@stipend.example");
	assert_int_equal(notify_mail_address("Name <no-at-sign>", out, sizeof(out)), -1);
	assert_int_equal(notify_mail_address("Name <a@b.no> trailing", out, sizeof(out)), -1);
	assert_int_equal(notify_mail_address("a@b.no", out, 4), -1);
	assert_true(notify_address_ok("kari.nordmann+varsel@example.no"));
	assert_false(notify_address_ok("kari nordmann@example.no"));
	assert_false(notify_address_ok("@example.no"));
	assert_false(notify_address_ok("kari@@example.no"));
	assert_false(notify_address_ok("kari@example..no"));
	assert_false(notify_address_ok(NULL));
}

static void sending_fails_as_what_it_is(void **state)
{
	(void)state;
	struct err e;
	struct notify_config none = {NULL, NULL, NULL, NULL};
	/* Port 1 on the loopback: nobody listens, the connection is refused. */
	struct notify_config closed = {"smtp://127.0.0.1:1", NULL, "http://127.0.0.1:1/sms/v1/messages", NULL};
	assert_int_equal(notify_email_at(&none, "kari@example.no", "Hei", "x", 0, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(notify_sms(&none, "+4791234567", "Hei", &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(notify_email_at(&closed, "kari@example.no", "Hei", "x", 0, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_null(strstr(e.message, "kari"));
	assert_int_equal(notify_sms(&closed, "+4791234567", "Hei", &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_null(strstr(e.message, "91234567"));
	assert_int_equal(notify_sms(&closed, "91234567", "Hei", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "to");
	assert_int_equal(notify_email_at(&closed, "not an address", "Hei", "x", 0, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "to");
}

static void shares_are_rounded_half_up_in_tenths(void **state)
{
	(void)state;
	assert_int_equal(notify_share_tenths(3, 7), 429);
	assert_int_equal(notify_share_tenths(2, 3), 667);
	assert_int_equal(notify_share_tenths(1, 8), 125);
	assert_int_equal(notify_share_tenths(0, 5), 0);
	assert_int_equal(notify_share_tenths(5, 5), 1000);
	assert_int_equal(notify_share_tenths(0, 0), -1);
}

/* ---- with a database ---- */

struct fixture {
	struct testdb db;
	int64_t person[4]; /* no prefs; e-mail; SMS verified; SMS unverified */
	int64_t case_id;
};

static int add_people(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixture *f = arg;
	int individual = 100;
	for (int i = 0; i < 4; i++) {
		char nin[12];
		while (nin_make(date_from_ymd(2003, 3, 3), individual, i % 2, nin) != 0)
			individual++;
		individual++;
		struct person p = {0,      nin, "Kari", "Nordmann", date_from_ymd(2003, 3, 3), "Storgata 1", "0150",
		                   "Oslo", 0,   NULL,   NULL};
		if (store_person_insert(tx, &p, &f->person[i], e) != 0)
			return -1;
	}
	struct case_rec c = {
	    0, f->person[1], "higher-education", "2024-2025", "decided", "granted", 1000, 1000, "{}", NULL, NULL, NULL};
	return store_case_insert(tx, &c, &f->case_id, e);
}

/* Contact preferences as the preferences page stores them, written here
 * with SQL of our own (their page is another part's). */
static int add_prefs(const struct fixture *f)
{
	sqlite3 *db;
	char *sql = sqlite3_mprintf(
	    "INSERT INTO contact_preferences(person_id, email, mobile, mobile_verified_at, mobile_pending, channel, "
	    "language, updated_at) VALUES (%lld, 'kari@example.no', NULL, NULL, NULL, 'email', 'nb', 1), "
	    "(%lld, NULL, '+4791234567', 5, NULL, 'sms', 'en', 1), "
	    "(%lld, 'x@example.no', NULL, NULL, '+4791234568', 'sms', 'nb', 1)",
	    (long long)f->person[1], (long long)f->person[2], (long long)f->person[3]);
	int rc = sqlite3_open(f->db.path, &db) == SQLITE_OK && sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
	                 sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
	             ? 0
	             : -1;
	sqlite3_free(sql);
	sqlite3_close(db);
	return rc;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (testdb_open(&f->db, "notify") != 0)
		return -1;
	if (store_write(f->db.s, add_people, f, &e) != 0 || add_prefs(f) != 0) {
		fprintf(stderr, "setup: %s\n", e.message);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	testdb_close(&f->db);
	free(f);
	return 0;
}

struct channel_read {
	int64_t person;
	const char *channel;
};

static int read_channel(struct store_tx *tx, void *arg, struct err *e)
{
	struct channel_read *c = arg;
	return store_notice_channel(tx, c->person, &c->channel, e);
}

static void delivery_picks_the_channel_the_person_can_be_reached_by(void **state)
{
	struct fixture *f = *state;
	struct err e;
	const char *want[4] = {NULL, "email", "sms", NULL};
	for (int i = 0; i < 4; i++) {
		struct channel_read c = {f->person[i], "unset"};
		assert_int_equal(store_write(f->db.s, read_channel, &c, &e), 0);
		if (want[i] == NULL)
			assert_null(c.channel);
		else
			assert_string_equal(c.channel, want[i]);
	}
}

struct delivery {
	int64_t person, case_id, letter;
};

static int deliver(struct store_tx *tx, void *arg, struct err *e)
{
	struct delivery *d = arg;
	return mbox_deliver(tx, d->person, d->case_id, "decision", 2000, &d->letter, e);
}

static void delivery_enqueues_a_notice_only_when_one_can_go(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct arena a;
	struct letter l;
	int64_t ready;
	arena_init(&a, 0);
	struct delivery with = {f->person[1], f->case_id, 0}, without = {f->person[3], f->case_id, 0};
	assert_int_equal(store_write(f->db.s, deliver, &with, &e), 0);
	assert_int_equal(store_write(f->db.s, deliver, &without, &e), 0);
	assert_int_equal(store_letter_get(f->db.s, with.letter, &l, &a, &e), 0);
	assert_string_equal(l.notice_channel, "email");
	assert_string_equal(l.notice_status, "pending");
	assert_int_equal(store_letter_get(f->db.s, without.letter, &l, &a, &e), 0);
	assert_null(l.notice_channel);
	assert_string_equal(l.notice_status, "none");
	assert_int_equal(store_jobs_count(f->db.s, "ready", &ready, NULL, &e), 0);
	assert_int_equal(ready, 1);
	arena_cleanup(&a);
}

struct claim {
	struct job_rec *job;
	struct arena *a;
	int n;
};

static int claim_one(struct store_tx *tx, void *arg, struct err *e)
{
	struct claim *c = arg;
	c->n = store_jobs_claim(tx, 3000, 60, 1, c->job, c->a, e);
	return c->n < 0 ? -1 : 0;
}

static void notice_without_a_configured_channel_fails_at_once_and_finishes(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct arena a;
	struct letter l;
	struct job_rec job;
	int64_t n;
	arena_init(&a, 0);
	struct delivery d = {f->person[2], f->case_id, 0};
	assert_int_equal(store_write(f->db.s, deliver, &d, &e), 0);
	struct notify_config none = {NULL, NULL, NULL, "https://portal.example"};
	/* Claim the job as the runner would, and run the kind. */
	struct claim c = {&job, &a, 0};
	assert_int_equal(store_write(f->db.s, claim_one, &c, &e), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(job.kind, "notice");
	assert_int_equal(job.subject_id, d.letter);
	assert_int_equal(notify_notice_job(f->db.s, &job, 3000, &none, &e), 0);
	assert_int_equal(store_jobs_count(f->db.s, "done", &n, NULL, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_letter_get(f->db.s, d.letter, &l, &a, &e), 0);
	assert_string_equal(l.notice_status, "failed");
	struct notice_attempt *at;
	assert_int_equal(store_notice_attempts(f->db.s, d.letter, &at, &a, &e), 1);
	assert_string_equal(at[0].result, "failed");
	assert_string_equal(at[0].channel, "sms");
	assert_non_null(strstr(at[0].error, "not configured"));
	/* Run again (a job re-armed): the notice is no longer pending, nothing is tried. */
	assert_int_equal(notify_notice_job(f->db.s, &job, 4000, &none, &e), 0);
	assert_int_equal(store_notice_attempts(f->db.s, d.letter, &at, &a, &e), 1);
	arena_cleanup(&a);
}

struct seeded {
	int64_t person;
};

static int seed_letters(struct store_tx *tx, void *arg, struct err *e)
{
	const struct seeded *s = arg;
	const int64_t day = 86400, now = 100 * day;
	struct {
		const char *kind, *channel;
		int64_t created, read;
	} rows[] = {
	    {"decision", "email", now - 10 * day, now - 10 * day + day / 2},
	    {"decision", "email", now - 10 * day, now - 8 * day},
	    {"decision", "email", now - 10 * day, 0},
	    {"decision", "email", now - 2 * day, now - 2 * day + 3600},
	    {"decision", "email", now - 10 * day, now + day}, /* read after "now": not yet */
	    {"decision", NULL, now - 9 * day, now - 9 * day + 60},
	    {"reminder", "sms", now - 8 * day, now - 3 * day},
	    {"reminder", "sms", now + day, now + day}, /* delivered after "now": not counted */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct letter l = {0, s->person, 0, rows[i].kind, rows[i].created, 0};
		l.notice_channel = rows[i].channel;
		l.notice_status = rows[i].channel ? "sent" : "none";
		int64_t id;
		if (store_letter_insert(tx, &l, &id, e) != 0)
			return -1;
		if (rows[i].read && store_letter_mark_read(tx, id, rows[i].read, NULL, e) != 0)
			return -1;
	}
	return 0;
}

static void statistics_count_openings_within_each_span(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct arena a;
	struct notice_stat *rows;
	arena_init(&a, 0);
	struct seeded s = {f->person[0]};
	assert_int_equal(store_write(f->db.s, seed_letters, &s, &e), 0);
	int n = store_notice_stats(f->db.s, 100 * 86400, &rows, &a, &e);
	assert_int_equal(n, 3);
	/* decision by e-mail, decision without notice, reminder by SMS. */
	assert_string_equal(rows[0].kind, "decision");
	assert_string_equal(rows[0].channel, "email");
	assert_int_equal(rows[0].letters, 5);
	int64_t eligible[3] = {5, 4, 4}, opened[3] = {2, 2, 2};
	for (int k = 0; k < 3; k++) {
		assert_int_equal(rows[0].eligible[k], eligible[k]);
		assert_int_equal(rows[0].opened[k], opened[k]);
	}
	assert_string_equal(rows[1].channel, "none");
	assert_int_equal(rows[1].opened[0], 1);
	assert_string_equal(rows[2].kind, "reminder");
	assert_string_equal(rows[2].channel, "sms");
	assert_int_equal(rows[2].letters, 1);
	assert_int_equal(rows[2].opened[1], 0);
	assert_int_equal(rows[2].opened[2], 1);
	arena_cleanup(&a);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct err e;
	if (i18n_init(&e) != 0 || sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mail_has_the_headers_of_rfc_5322_and_mime),
	    cmocka_unit_test(subject_with_aeoeaa_is_encoded_and_decodes_back),
	    cmocka_unit_test(plain_ascii_subject_and_sender_stay_as_they_are),
	    cmocka_unit_test(body_in_quoted_printable_keeps_lines_short_and_decodes_back),
	    cmocka_unit_test(header_injection_and_bad_utf8_are_refused_naming_the_field),
	    cmocka_unit_test(addresses_are_read_from_a_mailbox_and_checked),
	    cmocka_unit_test(sending_fails_as_what_it_is),
	    cmocka_unit_test(shares_are_rounded_half_up_in_tenths),
	    cmocka_unit_test_setup_teardown(delivery_picks_the_channel_the_person_can_be_reached_by, setup, teardown),
	    cmocka_unit_test_setup_teardown(delivery_enqueues_a_notice_only_when_one_can_go, setup, teardown),
	    cmocka_unit_test_setup_teardown(notice_without_a_configured_channel_fails_at_once_and_finishes, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(statistics_count_openings_within_each_span, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
