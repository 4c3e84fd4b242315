/* test_messages.c - the mailbox's storage and its acts: letters found by
 * sender, case, kind, read state and free-text lists, paged; the
 * conversation about a case (a person writes, a case worker answers with a
 * letter, a message is answered once, another person is refused and the
 * refusal audited); documents sent for a request (type by first bytes,
 * stored with SHA-256 in the transaction that moves the case back to the
 * queue, nothing stored when refused, read only by case workers); the
 * documentation deadline job with the clock as input; and the person's
 * pages as domain functions (cases/person.h, mailbox/inbox.h), each asking
 * the gate first and auditing a refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "access/access.h"
#include "cases/cases.h"
#include "cases/casework.h"
#include "cases/documents.h"
#include "cases/jobs.h"
#include "cases/person.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "mailbox/inbox.h"
#include "mailbox/mailbox.h"
#include "mailbox/messages.h"
#include "store/messages.h"
#include "store/store.h"
#include "testdb.h"

struct fixture {
	struct testdb db;
	struct store *s;
	int64_t p1, p2, staff, c1, c2, c3;
	struct principal kari, ola, worker;
	struct arena a;
};

static int add_all(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixture *f = arg;
	struct person p = {0, "17050400500", "Kari", "Nordmann", date_from_ymd(2004, 5, 17), "Storgata 1", "0150", "Oslo",
			   0, NULL, NULL};
	struct person q = {0, "01020300600", "Ola", "Hansen", date_from_ymd(2003, 2, 1), "Bygata 2", "5003", "Bergen",
			   0, NULL, NULL};
	struct staff st = {0, "sara.berg", "Sara Berg", "caseworker", 0};
	if (store_person_insert(tx, &p, &f->p1, e) != 0 || store_person_insert(tx, &q, &f->p2, e) != 0 ||
	    store_staff_insert(tx, &st, &f->staff, e) != 0)
		return -1;
	struct case_rec c = {.person_id = f->p1, .scheme = "higher-education", .school_year = "2024-2025",
			     .status = "manual", .received_at = 100, .application_json = "{}"};
	if (store_case_insert(tx, &c, &f->c1, e) != 0 || store_case_insert(tx, &c, &f->c2, e) != 0)
		return -1;
	c.person_id = f->p2;
	return store_case_insert(tx, &c, &f->c3, e);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (sodium_init() < 0 || testdb_open(&f->db, "messages") != 0)
		return -1;
	f->s = f->db.s;
	if (store_write(f->s, add_all, f, &e) != 0)
		return -1;
	f->kari = (struct principal){ROLE_PERSON, f->p1, 0, 0};
	f->ola = (struct principal){ROLE_PERSON, f->p2, 0, 0};
	f->worker = (struct principal){ROLE_CASEWORKER, 0, f->staff, 0};
	arena_init(&f->a, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_cleanup(&f->a);
	testdb_close(&f->db);
	free(f);
	return 0;
}

struct delivery {
	int64_t person, case_id, at, id;
	const char *kind;
};

static int deliver_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct delivery *d = arg;
	return mbox_deliver(tx, d->person, d->case_id, d->kind, d->at, &d->id, e);
}

static int64_t deliver(struct fixture *f, int64_t person, int64_t case_id, const char *kind, int64_t at)
{
	struct delivery d = {person, case_id, at, 0, kind};
	struct err e;
	assert_int_equal(store_write(f->s, deliver_tx, &d, &e), 0);
	return d.id;
}

static int64_t audits(struct fixture *f, const char *object, const char *action)
{
	struct audit_rec *recs;
	struct err e;
	int n = store_audit_of(f->s, object, &recs, &f->a, &e), count = 0;
	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		count += strcmp(recs[i].action, action) == 0;
	return count;
}

static int find(struct fixture *f, struct letter_query q, int64_t *ids, int64_t *total)
{
	struct letter *out;
	struct err e;
	if (q.limit == 0)
		q.limit = 10;
	int n = store_letters_find(f->s, &q, &out, total, &f->a, &e);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		ids[i] = out[i].id;
	return n;
}

/* ---- finding letters ---- */

static void letters_are_found_by_sender_case_kind_and_read_state(void **state)
{
	struct fixture *f = *state;
	int64_t decision = deliver(f, f->p1, f->c1, "decision", 100);
	int64_t request = deliver(f, f->p1, f->c2, "documentation-request", 200);
	int64_t answer = deliver(f, f->p1, f->c1, "answer", 300);
	int64_t reminder = deliver(f, f->p1, f->c2, "reminder", 400);
	int64_t other = deliver(f, f->p2, f->c3, "decision", 150);
	struct letter l;
	struct err e;
	assert_int_equal(mbox_open(f->s, &f->kari, decision, 500, &l, &f->a, &e), 0);
	int64_t ids[10], total = -1;

	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .sender_unit = "case-processing"}, ids, &total), 2);
	assert_int_equal(ids[0], answer);
	assert_int_equal(ids[1], request);
	assert_int_equal(total, 2);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .case_id = f->c2}, ids, NULL), 2);
	assert_int_equal(ids[0], reminder);
	assert_int_equal(ids[1], request);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .kind = "decision"}, ids, NULL), 1);
	assert_int_equal(ids[0], decision);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .read = LETTERS_UNREAD}, ids, &total), 3);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .read = LETTERS_READ}, ids, NULL), 1);
	assert_int_equal(ids[0], decision);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .case_id = f->c1, .read = LETTERS_UNREAD}, ids,
			      NULL), 1);
	assert_int_equal(ids[0], answer);
	/* Another person's letters never come with the filters. */
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .case_id = f->c3}, ids, NULL), 0);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p2}, ids, NULL), 1);
	assert_int_equal(ids[0], other);
}

static void free_text_finds_the_kinds_and_units_that_matched(void **state)
{
	struct fixture *f = *state;
	int64_t decision = deliver(f, f->p1, f->c1, "decision", 100);
	deliver(f, f->p1, f->c2, "documentation-request", 200);
	int64_t reminder = deliver(f, f->p1, f->c2, "reminder", 400);
	int64_t ids[10];
	const char *known = "[\"decision\",\"documentation-request\"]";
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .text = 1, .text_kinds = "[\"decision\"]"},
			      ids, NULL), 1);
	assert_int_equal(ids[0], decision);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .text = 1,
						      .text_units = "[\"customer-service\"]"}, ids, NULL), 1);
	assert_int_equal(ids[0], reminder);
	/* A kind the caller does not know matches by the general title. */
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .text = 1, .text_other = 1,
						      .known_kinds = known}, ids, NULL), 1);
	assert_int_equal(ids[0], reminder);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .text = 1}, ids, NULL), 0);
	/* Free text and a filter together. */
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .case_id = f->c2, .text = 1,
						      .text_kinds = "[\"decision\"]"}, ids, NULL), 0);
}

static void letters_come_newest_first_a_page_at_a_time(void **state)
{
	struct fixture *f = *state;
	int64_t made[5], ids[10], total = 0;
	for (int i = 0; i < 5; i++)
		made[i] = deliver(f, f->p1, f->c1, "decision", 100 + i);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .limit = 2}, ids, &total), 2);
	assert_int_equal(total, 5);
	assert_int_equal(ids[0], made[4]);
	assert_int_equal(ids[1], made[3]);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .limit = 2, .offset = 4}, ids, &total), 1);
	assert_int_equal(ids[0], made[0]);
	assert_int_equal(find(f, (struct letter_query){.person_id = f->p1, .limit = 2, .offset = 6}, ids, &total), 0);
	assert_int_equal(total, 5);
	struct letter *out;
	struct err e;
	struct letter_query q = {.person_id = f->p1, .limit = LETTERS_FIND_MAX + 1};
	assert_int_equal(store_letters_find(f->s, &q, &out, NULL, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
}

/* ---- texts ---- */

static void message_texts_are_cleaned_and_checked(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(msg_text_clean(&f->a, "  \r\nHei\r\nhvor er\rsvaret? \n\t"), "Hei\nhvor er\nsvaret?");
	assert_null(msg_text_clean(&f->a, NULL));
	assert_true(msg_text_ok("æøå", 3, 3));
	assert_false(msg_text_ok("æøå", 1, 2));
	assert_true(msg_text_ok("linje 1\nlinje 2\tmed tab", 1, 100));
	assert_false(msg_text_ok("", 1, 10));
	assert_false(msg_text_ok("bell\a", 1, 10));
	assert_false(msg_text_ok("\x7f", 1, 10));
	assert_false(msg_text_ok("\xC3\x28", 1, 10));     /* broken sequence */
	assert_false(msg_text_ok("\xC0\xAF", 1, 10));     /* overlong */
	assert_false(msg_text_ok("\xED\xA0\x80", 1, 10)); /* a surrogate */
	assert_false(msg_text_ok("\xC2\x85", 1, 10));     /* a C1 control */
	assert_false(msg_text_ok(NULL, 0, 10));
}

/* ---- the conversation ---- */

static char *text_of(struct fixture *f, size_t n)
{
	char *s = arena_alloc(&f->a, n + 1);
	memset(s, 'a', n);
	s[n] = '\0';
	return s;
}

static void a_person_writes_about_their_own_case_only(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t id;
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)f->c1);
	assert_int_equal(msg_write(f->s, &f->kari, f->c1, "Når får jeg svar?", 1000, &id, &e), 0);
	assert_int_equal(audits(f, object, "message.received"), 1);
	assert_int_equal(msg_write(f->s, &f->ola, f->c1, "Jeg vil lese", 1001, NULL, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audits(f, object, "message.write.denied"), 1);
	assert_int_equal(msg_write(f->s, &f->worker, f->c1, "Ikke slik", 1002, NULL, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(msg_write(f->s, &f->kari, 999999, "Ingen sak", 1003, NULL, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(msg_write(f->s, &f->kari, f->c1, text_of(f, MSG_TEXT_MAX), 1004, NULL, &e), 0);
	assert_int_equal(msg_write(f->s, &f->kari, f->c1, text_of(f, MSG_TEXT_MAX + 1), 1005, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "text");
	assert_int_equal(msg_write(f->s, &f->kari, f->c1, "", 1006, NULL, &e), -1);
	assert_string_equal(e.field, "text");

	struct message *m;
	assert_int_equal(msg_conversation(f->s, &f->kari, f->c1, f->p1, &m, &f->a, &e), 2);
	assert_int_equal(m[0].id, id);
	assert_string_equal(m[0].direction, "in");
	assert_string_equal(m[0].text, "Når får jeg svar?");
	assert_int_equal(m[0].answered_at, 0);
	assert_int_equal(msg_conversation(f->s, &f->worker, f->c1, f->p1, &m, &f->a, &e), 2);
	assert_int_equal(msg_conversation(f->s, &f->ola, f->c1, f->p1, &m, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
}

static void a_case_worker_answers_with_a_letter_once(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t m1, m2, m3, m4, letter_id;
	assert_int_equal(msg_write(f->s, &f->kari, f->c1, "Første", 1000, &m1, &e), 0);
	assert_int_equal(msg_write(f->s, &f->kari, f->c2, "Andre", 900, &m2, &e), 0);
	struct message *w;
	int64_t total = 0;
	assert_int_equal(store_messages_waiting(f->s, &w, &total, &f->a, &e), 2);
	assert_int_equal(total, 2);
	assert_int_equal(w[0].id, m2); /* the oldest first */
	assert_int_equal(w[1].id, m1);

	assert_int_equal(msg_answer(f->s, &f->worker, m1, "Du får svar i uke 3.", 2000, &letter_id, &e), 0);
	struct letter l;
	assert_int_equal(store_letter_get(f->s, letter_id, &l, &f->a, &e), 0);
	assert_string_equal(l.kind, "answer");
	assert_int_equal(l.person_id, f->p1);
	assert_int_equal(l.case_id, f->c1);
	assert_int_equal(l.first_read_at, 0);
	assert_string_equal(l.sender_unit, "case-processing");
	struct message *conv;
	assert_int_equal(msg_conversation(f->s, &f->kari, f->c1, f->p1, &conv, &f->a, &e), 2);
	assert_int_equal(conv[0].answered_at, 2000);
	assert_int_equal(conv[0].answer_id, conv[1].id);
	assert_string_equal(conv[1].direction, "out");
	assert_int_equal(conv[1].staff_id, f->staff);
	assert_int_equal(conv[1].letter_id, letter_id);
	assert_string_equal(conv[1].text, "Du får svar i uke 3.");
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)f->c1);
	assert_int_equal(audits(f, object, "message.answered"), 1);
	assert_int_equal(store_messages_waiting(f->s, &w, &total, &f->a, &e), 1);
	assert_int_equal(w[0].id, m2);

	/* Answered once: a second answer changes nothing. */
	assert_int_equal(msg_answer(f->s, &f->worker, m1, "Igjen", 2001, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	/* Whatever the text: an empty answer to it is no invalid form (422)
	 * but the same conflict (a security test found it answered 200). */
	assert_int_equal(msg_answer(f->s, &f->worker, m1, "", 2001, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(msg_answer(f->s, &f->worker, m1, NULL, 2001, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(msg_conversation(f->s, &f->kari, f->c1, f->p1, &conv, &f->a, &e), 2);
	/* Only case workers answer, and only what a person wrote. */
	assert_int_equal(msg_answer(f->s, &f->kari, m2, "Selv", 2002, NULL, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(msg_answer(f->s, &f->worker, conv[1].id, "Svar på svar", 2003, NULL, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(msg_answer(f->s, &f->worker, m2, "", 2004, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);

	/* An answer covers what the person wrote before it in the case. */
	assert_int_equal(msg_write(f->s, &f->kari, f->c2, "Tredje", 1100, &m3, &e), 0);
	assert_int_equal(msg_write(f->s, &f->kari, f->c2, "Fjerde", 1200, &m4, &e), 0);
	assert_int_equal(msg_answer(f->s, &f->worker, m4, "Svar på alle", 3000, NULL, &e), 0);
	assert_int_equal(store_messages_waiting(f->s, &w, &total, &f->a, &e), 0);
	assert_int_equal(total, 0);
}

static void case_workers_read_the_messages_through_the_gate(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t m1, total = 0;
	struct message *w;
	struct casework_message_view v;
	struct cases_env env = {f->s, NULL, NULL, NULL, NULL, NULL};
	char object[32], msg_object[32];
	assert_int_equal(msg_write(f->s, &f->kari, f->c1, "Når får jeg svar?", 1000, &m1, &e), 0);
	snprintf(object, sizeof(object), "case:%lld", (long long)f->c1);
	snprintf(msg_object, sizeof(msg_object), "message:%lld", (long long)m1);

	/* The list names no one: a person is forbidden, audited. */
	assert_int_equal(casework_messages_waiting(&env, &f->kari, 1100, &w, &total, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_FORBIDDEN);
	assert_int_equal(audits(f, "messages:waiting", "messages.read.denied"), 1);
	assert_int_equal(casework_messages_waiting(&env, &f->worker, 1100, &w, &total, &f->a, &e), 1);
	assert_int_equal(w[0].id, m1);

	/* One message is about a person: refused as if missing, audited. */
	assert_int_equal(casework_message_read(&env, &f->kari, m1, 1200, &v, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audits(f, msg_object, "message.read.denied"), 1);
	assert_int_equal(audits(f, object, "case.read"), 0);
	assert_int_equal(casework_message_read(&env, &f->worker, m1, 1200, &v, &f->a, &e), 0);
	assert_int_equal(v.message.id, m1);
	assert_int_equal(v.c.id, f->c1);
	assert_int_equal(v.n_conversation, 1);
	assert_string_equal(v.conversation[0].m.text, "Når får jeg svar?");
	assert_int_equal(audits(f, object, "case.read"), 1); /* reading the conversation reads the case */

	/* The answer carries the case worker's name; an answer is no message
	 * to open. */
	assert_int_equal(msg_answer(f->s, &f->worker, m1, "Om tre uker.", 1300, NULL, &e), 0);
	assert_int_equal(casework_message_read(&env, &f->worker, m1, 1400, &v, &f->a, &e), 0);
	assert_int_equal(v.n_conversation, 2);
	assert_string_equal(v.conversation[1].staff_name, "Sara Berg");
	assert_int_equal(casework_message_read(&env, &f->worker, v.conversation[1].m.id, 1400, &v, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
}

/* ---- documents ---- */

static const char pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
static const char gif[] = "GIF89a\x01\x00\x01\x00";

static void files_are_known_by_their_first_bytes(void **state)
{
	(void)state;
	static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F'};
	assert_string_equal(documents_sniff(pdf, sizeof(pdf) - 1), "application/pdf");
	assert_string_equal(documents_sniff(jpeg, sizeof(jpeg)), "image/jpeg");
	assert_string_equal(documents_sniff(png, sizeof(png)), "image/png");
	assert_null(documents_sniff(gif, sizeof(gif) - 1));
	assert_null(documents_sniff("%PDF", 4));
	assert_int_equal(documents_check_file(pdf, 0), DOC_FILE_EMPTY);
	assert_int_equal(documents_check_file(gif, sizeof(gif) - 1), DOC_FILE_TYPE);
	assert_int_equal(documents_check_file(pdf, (size_t)DOC_MAX_BYTES + 1), DOC_FILE_TOO_LARGE);
}

/* A request for documentation on case_id by deadline, made by the case
 * worker now seconds into the day 30 days before the deadline (a deadline
 * is tomorrow to 60 days ahead), which arms the deadline. */
static struct doc_request request_docs(struct fixture *f, int64_t case_id, const char *deadline, int64_t now)
{
	struct doc_request dr;
	struct err e;
	date_t day;
	assert_int_equal(date_parse(deadline, &day), 0);
	struct cases_env env = {f->s, NULL, NULL, NULL, NULL, NULL};
	struct casework_request_form form = {"Send vitnemålet ditt.", deadline};
	assert_int_equal(cases_request_documentation(&env, &f->worker, case_id, &form, ((int64_t)day - 30) * 86400 + now,
						     &dr, NULL, &e),
			 0);
	return dr;
}

static const char *status_of(struct fixture *f, int64_t case_id)
{
	struct case_rec c;
	struct err e;
	assert_int_equal(store_case_get(f->s, case_id, &c, &f->a, &e), 0);
	return c.status;
}

static void documents_received_move_the_case_back_to_the_queue(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct doc_request dr = request_docs(f, f->c1, "2025-01-31", 1000);
	assert_string_equal(status_of(f, f->c1), "awaiting-documentation");
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)f->c1);

	struct doc_upload bad[] = {{"bilde.gif", gif, sizeof(gif) - 1}};
	struct doc_upload good[] = {{"vitnemål.pdf", pdf, sizeof(pdf) - 1}, {"../../etc/bilde.png", png, sizeof(png)}};
	struct document *docs;
	/* Refused, storing nothing: another person, a wrong type, too many
	 * files, a note too long. */
	assert_int_equal(documents_receive(f->s, &f->ola, f->c1, good, 2, NULL, 1100, NULL, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audits(f, object, "case.documentation.denied"), 1);
	assert_int_equal(documents_receive(f->s, &f->kari, f->c1, bad, 1, NULL, 1100, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "files");
	struct doc_upload six[6] = {good[0], good[0], good[0], good[0], good[0], good[0]};
	assert_int_equal(documents_receive(f->s, &f->kari, f->c1, six, 6, NULL, 1100, NULL, &e), -1);
	assert_string_equal(e.field, "files");
	char *note = arena_alloc(&f->a, DOC_NOTE_MAX + 2);
	memset(note, 'n', DOC_NOTE_MAX + 1);
	note[DOC_NOTE_MAX + 1] = '\0';
	assert_int_equal(documents_receive(f->s, &f->kari, f->c1, good, 2, note, 1100, NULL, &e), -1);
	assert_string_equal(e.field, "note");
	assert_int_equal(store_documents_of_case(f->s, f->c1, &docs, &f->a, &e), 0);
	assert_string_equal(status_of(f, f->c1), "awaiting-documentation");

	int64_t submission = 0;
	assert_int_equal(documents_receive(f->s, &f->kari, f->c1, good, 2, "Her er det.", 1200, &submission, &e), 0);
	assert_true(submission > 0);
	assert_string_equal(status_of(f, f->c1), "manual");
	assert_int_equal(audits(f, object, "case.documentation-received"), 1);
	assert_int_equal(store_documents_of_case(f->s, f->c1, &docs, &f->a, &e), 2);
	assert_string_equal(docs[0].name, "vitnemål.pdf");
	assert_string_equal(docs[0].media_type, "application/pdf");
	assert_int_equal(docs[0].size, sizeof(pdf) - 1);
	assert_string_equal(docs[0].note, "Her er det.");
	assert_int_equal(docs[0].request_id, dr.id);
	assert_null(docs[0].content);
	assert_string_equal(docs[1].name, "bilde.png");
	assert_string_equal(docs[1].media_type, "image/png");
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	crypto_hash_sha256(hash, (const unsigned char *)pdf, sizeof(pdf) - 1);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	assert_string_equal(docs[0].sha256, hex);
	struct doc_request_state st;
	assert_int_equal(store_doc_request_state_of_case(f->s, f->c1, &st, &f->a, &e), 0);
	assert_string_equal(st.state, "received");
	assert_int_equal(st.closed_at, 1200);

	/* Once: the case no longer awaits documentation. */
	assert_int_equal(documents_receive(f->s, &f->kari, f->c1, good, 1, NULL, 1300, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(store_documents_of_case(f->s, f->c1, &docs, &f->a, &e), 2);

	/* Case workers read them, byte for byte; the person does not. */
	struct document d;
	assert_int_equal(documents_read(f->s, &f->worker, docs[0].id, 1400, &d, &f->a, &e), 0);
	assert_int_equal(d.size, sizeof(pdf) - 1);
	assert_memory_equal(d.content, pdf, sizeof(pdf) - 1);
	char doc_object[32];
	snprintf(doc_object, sizeof(doc_object), "document:%lld", (long long)docs[0].id);
	assert_int_equal(audits(f, doc_object, "document.read"), 1);
	assert_int_equal(documents_read(f->s, &f->kari, docs[0].id, 1400, &d, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(documents_read(f->s, &f->ola, docs[0].id, 1400, &d, &f->a, &e), -1);
	assert_int_equal(audits(f, doc_object, "document.read.denied"), 2);
	assert_int_equal(documents_read(f->s, &f->worker, 999999, 1400, &d, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);

	/* The deadline passes later: documents came in time, nothing to do. */
	int64_t end = ((int64_t)date_from_ymd(2025, 2, 1)) * 86400;
	int ran = 0;
	assert_int_equal(jobs_run_due(f->s, documents_job_kinds, NULL, NULL, end, 10, &ran, &e), 0);
	assert_int_equal(ran, 1);
	assert_string_equal(status_of(f, f->c1), "manual");
	assert_int_equal(store_doc_request_state_of_case(f->s, f->c1, &st, &f->a, &e), 0);
	assert_string_equal(st.state, "received");
	assert_int_equal(audits(f, object, "case.documentation-deadline-passed"), 0);
}

static void the_deadline_passing_with_nothing_received_puts_the_case_back(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct doc_request dr = request_docs(f, f->c2, "2025-01-31", 1000);
	int64_t end = ((int64_t)date_from_ymd(2025, 2, 1)) * 86400; /* the first second after the day */
	int64_t count = 0, next = 0;
	assert_int_equal(store_jobs_count(f->s, "ready", &count, &next, &e), 0);
	assert_int_equal(next, end);
	int ran = -1;
	assert_int_equal(jobs_run_due(f->s, documents_job_kinds, NULL, NULL, end - 1, 10, &ran, &e), 0);
	assert_int_equal(ran, 0); /* still the deadline day */
	assert_string_equal(status_of(f, f->c2), "awaiting-documentation");
	assert_int_equal(jobs_run_due(f->s, documents_job_kinds, NULL, NULL, end, 10, &ran, &e), 0);
	assert_int_equal(ran, 1);
	assert_string_equal(status_of(f, f->c2), "manual");
	struct doc_request_state st;
	assert_int_equal(store_doc_request_state_of_case(f->s, f->c2, &st, &f->a, &e), 0);
	assert_int_equal(st.id, dr.id);
	assert_string_equal(st.state, "expired");
	assert_int_equal(st.closed_at, end);
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)f->c2);
	assert_int_equal(audits(f, object, "case.documentation-deadline-passed"), 1);
	/* Nothing more to run, and the upload comes too late. */
	assert_int_equal(jobs_run_due(f->s, documents_job_kinds, NULL, NULL, end + 86400, 10, &ran, &e), 0);
	assert_int_equal(ran, 0);
	struct doc_upload good[] = {{"sent.pdf", pdf, sizeof(pdf) - 1}};
	assert_int_equal(documents_receive(f->s, &f->kari, f->c2, good, 1, NULL, end + 10, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
}

static void a_newer_request_leaves_the_older_deadline_nothing_to_do(void **state)
{
	struct fixture *f = *state;
	struct err e;
	request_docs(f, f->c2, "2025-01-10", 1000);
	struct doc_request newer = request_docs(f, f->c2, "2025-01-31", 2000);
	int ran = 0;
	int64_t first_end = ((int64_t)date_from_ymd(2025, 1, 11)) * 86400;
	assert_int_equal(jobs_run_due(f->s, documents_job_kinds, NULL, NULL, first_end, 10, &ran, &e), 0);
	assert_int_equal(ran, 1);
	assert_string_equal(status_of(f, f->c2), "awaiting-documentation");
	struct doc_request_state st;
	assert_int_equal(store_doc_request_state_of_case(f->s, f->c2, &st, &f->a, &e), 0);
	assert_int_equal(st.id, newer.id);
	assert_string_equal(st.state, "open");
}


static void the_persons_pages_ask_the_gate_and_audit_a_refusal(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct case_view v;
	struct mbox_inbox in;
	struct mbox_inbox_query q = {0};
	struct case_rec *cases;
	struct principal anonymous = {0};
	char object[32];
	snprintf(object, sizeof(object), "case:%lld", (long long)f->c1);

	/* Kari reads her case, audited; Ola and a case worker are refused as
	 * if it did not exist, each refusal audited. */
	assert_int_equal(cases_person_case(f->s, &f->kari, f->c1, 200, &v, &f->a, &e), 0);
	assert_int_equal(v.c.id, f->c1);
	assert_int_equal(audits(f, object, "case.read"), 1);
	assert_int_equal(cases_person_case(f->s, &f->ola, f->c1, 200, &v, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(cases_person_case(f->s, &f->worker, f->c1, 200, &v, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audits(f, object, "case.read.denied"), 2);
	assert_int_equal(audits(f, object, "case.read"), 1);

	/* The upload's gate, asked before a body is read. */
	assert_int_equal(documents_upload_gate(f->s, &f->kari, f->c1, 200, &e), 0);
	assert_int_equal(documents_upload_gate(f->s, &f->ola, f->c1, 200, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(documents_upload_gate(f->s, &anonymous, f->c1, 200, &e), -1);
	assert_int_equal(audits(f, object, "case.documentation.denied"), 2);

	/* The lists: a person's own, nobody else's. */
	assert_int_equal(cases_of_person(f->s, &f->kari, 200, &cases, &f->a, &e), 2);
	assert_int_equal(cases_of_person(f->s, &anonymous, 200, &cases, &f->a, &e), -1);
	assert_int_equal(mbox_inbox(f->s, &anonymous, LANG_NB, &q, 200, &in, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(mbox_write_cases(f->s, &f->worker, 200, &cases, &f->a, &e), -1);
	assert_int_equal(mbox_write_cases(f->s, &f->ola, 200, &cases, &f->a, &e), 1);
	assert_int_equal(cases[0].id, f->c3);
	assert_int_equal(audits(f, "-", "letter.read.denied"), 1);
	assert_int_equal(audits(f, "-", "case.read.denied"), 1);
	assert_int_equal(audits(f, "-", "message.write.denied"), 1);
}

static void the_inbox_checks_its_filters_and_counts_the_unread(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct mbox_inbox in;
	char ola_case[24];
	snprintf(ola_case, sizeof(ola_case), "%lld", (long long)f->c3);
	int64_t l1 = deliver(f, f->p1, f->c1, "decision", 300);
	deliver(f, f->p1, f->c2, "documentation-request", 400);
	deliver(f, f->p2, f->c3, "decision", 500);

	struct mbox_inbox_query all = {0};
	assert_int_equal(mbox_inbox(f->s, &f->kari, LANG_NB, &all, 600, &in, &f->a, &e), 0);
	assert_int_equal(in.n_errors, 0);
	assert_int_equal(in.n_letters, 2);
	assert_int_equal(in.total, 2);
	assert_int_equal(in.unread, 2);
	assert_int_equal(in.n_cases, 2);

	struct mbox_inbox_query typed = {.type = "decision"};
	assert_int_equal(mbox_inbox(f->s, &f->kari, LANG_NB, &typed, 600, &in, &f->a, &e), 0);
	assert_int_equal(in.n_letters, 1);
	assert_int_equal(in.letters[0].id, l1);

	/* Another person's case, an unknown kind and a page out of range are
	 * field errors, in the form's order, and nothing is listed. */
	struct mbox_inbox_query bad = {.case_id = ola_case, .type = "bill", .page = "0"};
	assert_int_equal(mbox_inbox(f->s, &f->kari, LANG_NB, &bad, 600, &in, &f->a, &e), 0);
	assert_int_equal(in.n_errors, 3);
	assert_string_equal(in.errors[0].field, "case");
	assert_string_equal(in.errors[1].field, "type");
	assert_string_equal(in.errors[2].field, "page");
	assert_int_equal(in.n_letters, 0);
	assert_int_equal(in.unread, 2);
}

static void a_letter_is_opened_with_its_model_and_the_reading_recorded(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct mbox_letter_view v;
	int64_t id = deliver(f, f->p1, f->c1, "decision", 300);
	char object[32];
	snprintf(object, sizeof(object), "letter:%lld", (long long)id);

	assert_int_equal(mbox_letter_view(f->s, &f->ola, LANG_NB, id, 400, &v, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(audits(f, object, "letter.read.denied"), 1);

	assert_int_equal(mbox_letter_view(f->s, &f->kari, LANG_NB, id, 400, &v, &f->a, &e), 0);
	assert_non_null(v.model);
	json_t *letter = json_object_get(v.model, "letter");
	assert_int_equal(json_integer_value(json_object_get(letter, "id")), id);
	assert_string_equal(json_string_value(json_object_get(letter, "title_key")), "letter.decision.title");
	assert_string_equal(json_string_value(json_object_get(json_object_get(v.model, "recipient"), "name")),
			    "Kari Nordmann");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v.model, "case"), "id")), f->c1);
	assert_int_equal(v.case_id, f->c1);
	json_decref(v.model);
	assert_int_equal(audits(f, object, "letter.read"), 1);
	assert_int_equal(v.l.first_read_at, 400);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(letters_are_found_by_sender_case_kind_and_read_state, setup, teardown),
		cmocka_unit_test_setup_teardown(free_text_finds_the_kinds_and_units_that_matched, setup, teardown),
		cmocka_unit_test_setup_teardown(letters_come_newest_first_a_page_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(message_texts_are_cleaned_and_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(a_person_writes_about_their_own_case_only, setup, teardown),
		cmocka_unit_test_setup_teardown(a_case_worker_answers_with_a_letter_once, setup, teardown),
		cmocka_unit_test_setup_teardown(case_workers_read_the_messages_through_the_gate, setup, teardown),
		cmocka_unit_test(files_are_known_by_their_first_bytes),
		cmocka_unit_test_setup_teardown(documents_received_move_the_case_back_to_the_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(the_deadline_passing_with_nothing_received_puts_the_case_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_newer_request_leaves_the_older_deadline_nothing_to_do, setup, teardown),
		cmocka_unit_test_setup_teardown(the_persons_pages_ask_the_gate_and_audit_a_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(the_inbox_checks_its_filters_and_counts_the_unread, setup, teardown),
		cmocka_unit_test_setup_teardown(a_letter_is_opened_with_its_model_and_the_reading_recorded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
