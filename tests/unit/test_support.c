/* test_support.c - the support centre (#14) as domain functions: the cost
 * shared exactly by the largest remainder, kroner parsed into øre, months,
 * nearest-rank percentiles and rates per thousand; the inquiry log's checks
 * and its hand-over as a message in the case workers' queue; a person's
 * history gathered from four tables, refused to another person and audited;
 * the FAQ's prefix search that no query can break, its versions and
 * feedback; the metrics' exposition. */
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

#include "access/access.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/metrics.h"
#include "mailbox/messages.h"
#include "rules/params.h"
#include "store/messages.h"
#include "store/store.h"
#include "support/support.h"
#include "testdb.h"

/* ---- pure figures ---- */

static void shares_sum_to_the_cost_and_the_largest_remainders_get_the_ore(void **state)
{
	(void)state;
	int64_t w[3] = {600, 1200, 1800}, s[3];
	support_share(100001, w, 3, s);
	assert_int_equal(s[0], 16667); /* 16 666,83 */
	assert_int_equal(s[1], 33334); /* 33 333,67 */
	assert_int_equal(s[2], 50000); /* 50 000,50 */
	/* A tie goes to the earlier line: 1 øre over two equal weights. */
	int64_t eq[2] = {5, 5}, t[2];
	support_share(1, eq, 2, t);
	assert_int_equal(t[0], 1);
	assert_int_equal(t[1], 0);
	/* No time at all: shared as if each weighed the same. */
	int64_t zero[3] = {0, 0, 0}, z[3];
	support_share(10, zero, 3, z);
	assert_int_equal(z[0] + z[1] + z[2], 10);
	assert_int_equal(z[0], 4);
	/* Large figures do not overflow: 10^12 kr over a month's seconds. */
	int64_t big[2] = {2592000LL * 100000, 1}, b[2];
	support_share(100000000000000LL, big, 2, b);
	assert_int_equal(b[0] + b[1], 100000000000000LL);
	/* Many lines: every øre is placed, each line at most one over its floor. */
	int64_t many[7] = {1, 2, 3, 4, 5, 6, 7}, m[7], sum = 0;
	support_share(999, many, 7, m);
	for (int i = 0; i < 7; i++) {
		sum += m[i];
		assert_true(m[i] >= 999 * many[i] / 28 && m[i] <= 999 * many[i] / 28 + 1);
	}
	assert_int_equal(sum, 999);
}

static void kroner_are_parsed_into_ore(void **state)
{
	(void)state;
	int64_t o;
	assert_int_equal(support_parse_kroner("1000,01", &o), 0);
	assert_int_equal(o, 100001);
	assert_int_equal(support_parse_kroner("1 234.5", &o), 0);
	assert_int_equal(o, 123450);
	assert_int_equal(support_parse_kroner("0", &o), 0);
	assert_int_equal(o, 0);
	assert_int_equal(support_parse_kroner("1,234", &o), -1);
	assert_int_equal(support_parse_kroner("-5", &o), -1);
	assert_int_equal(support_parse_kroner("12a", &o), -1);
	assert_int_equal(support_parse_kroner("", &o), -1);
	assert_int_equal(support_parse_kroner("1,", &o), -1);
}

static void a_month_is_its_first_day_to_the_next_months(void **state)
{
	(void)state;
	int64_t from, to;
	struct err e;
	assert_int_equal(support_month("2025-12", &from, &to, &e), 0);
	assert_int_equal(from, (int64_t)date_from_ymd(2025, 12, 1) * 86400);
	assert_int_equal(to, (int64_t)date_from_ymd(2026, 1, 1) * 86400);
	assert_int_equal(support_month("2025-13", &from, &to, &e), -1);
	assert_string_equal(e.field, "month");
	assert_int_equal(support_month("2025-9", &from, &to, &e), -1);
}

static void percentiles_are_nearest_rank_and_rates_per_thousand_round_half_up(void **state)
{
	(void)state;
	int64_t v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	assert_int_equal(support_percentile(v, 10, 50), 5);
	assert_int_equal(support_percentile(v, 10, 90), 9);
	assert_int_equal(support_percentile(v, 1, 90), 1);
	assert_int_equal(support_percentile(v, 0, 50), 0);
	assert_int_equal(support_percentile(v, 3, 50), 2);
	assert_int_equal(support_per_thousand_tenths(1, 8), 1250);
	assert_int_equal(support_per_thousand_tenths(1, 3), 3333);
	assert_int_equal(support_per_thousand_tenths(5, 0), -1);
}

/* ---- with a database ---- */

struct fixture {
	struct testdb db;
	struct store *s;
	int64_t p1, p2, agent, worker, c1;
	struct principal kari, ola, siri, sara;
	struct arena a;
};

static int add_all(struct store_tx *tx, void *arg, struct err *e)
{
	struct fixture *f = arg;
	struct person p = {0, "17050400500", "Kari", "Nordmann", date_from_ymd(2004, 5, 17), "Storgata 1", "0150", "Oslo",
			   0, NULL, NULL};
	struct person q = {0, "01020300600", "Ola", "Hansen", date_from_ymd(2003, 2, 1), "Bygata 2", "5003", "Bergen",
			   0, NULL, NULL};
	struct staff siri = {0, "siri.hauge", "Siri Hauge", "support", 0, NULL, 0};
	struct staff sara = {0, "sara.berg", "Sara Berg", "caseworker", 0, NULL, 0};
	if (store_person_insert(tx, &p, &f->p1, e) != 0 || store_person_insert(tx, &q, &f->p2, e) != 0 ||
	    store_staff_insert(tx, &siri, &f->agent, e) != 0 || store_staff_insert(tx, &sara, &f->worker, e) != 0)
		return -1;
	struct case_rec c = {.person_id = f->p1, .scheme = "higher-education", .school_year = "2024-2025",
			     .status = "manual", .received_at = 100, .application_json = "{}"};
	return store_case_insert(tx, &c, &f->c1, e);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	if (f == NULL || testdb_open(&f->db, "support") != 0)
		return -1;
	f->s = f->db.s;
	if (access_init(f->s, &e) != 0 || store_write(f->s, add_all, f, &e) != 0)
		return -1;
	f->kari = (struct principal){ROLE_PERSON, f->p1, 0, 0, 0, GRANT_SELF, NULL, 0};
	f->ola = (struct principal){ROLE_PERSON, f->p2, 0, 0, 0, GRANT_SELF, NULL, 0};
	f->siri = (struct principal){ROLE_SUPPORT, 0, f->agent, 0, 0, GRANT_STAFF, NULL, 0};
	f->sara = (struct principal){ROLE_CASEWORKER, 0, f->worker, 0, 0, GRANT_STAFF, NULL, 0};
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

/* One number from the database, read beside the store (WAL lets it). */
static int64_t count_in(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}
#define count(s, sql) count_in(f->db.path, sql)

#define NOW ((int64_t)date_from_ymd(2025, 9, 10) * 86400 + 12 * 3600)

static struct inquiry_form form(const char *outcome)
{
	struct inquiry_form f = {"lanekassen", "phone", "boarding", "application", outcome, "2025-09-10T13:50", "",
				 NULL, NULL, 0, 0};
	return f;
}

static void the_log_names_each_wrong_field_and_only_an_agent_logs(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t id;
	struct inquiry_form q = form("answered");
	q.channel = "fax";
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), -1);
	assert_string_equal(e.field, "channel");
	q = form("answered");
	q.topic = "no-such-topic";
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), -1);
	assert_string_equal(e.field, "topic");
	q = form("answered");
	q.agency = "nav";
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), -1);
	assert_string_equal(e.field, "agency");
	q = form("self-service");
	q.link = "javascript:alert(1)";
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), -1);
	assert_string_equal(e.field, "link");
	q = form("answered");
	q.start = "2025-09-10T15:00"; /* in the future: it is 14:00 in Oslo */
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), -1);
	assert_string_equal(e.field, "start");
	q = form("answered");
	q.person_id = f->p2;
	q.case_id = f->c1; /* Kari's case, not Ola's */
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), -1);
	assert_string_equal(e.field, "case");
	q = form("answered");
	assert_int_equal(support_log(f->s, &f->sara, &q, NOW, &id, &e), -1);
	assert_int_equal(e.code, ERR_FORBIDDEN);
	assert_int_equal(count(f->s, "SELECT count(*) FROM audit WHERE action = 'inquiry.log.denied'"), 1);
	assert_int_equal(count(f->s, "SELECT count(*) FROM inquiries"), 0);
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), 0);
	assert_int_equal(count(f->s, "SELECT ended_at - started_at FROM inquiries"), 600);
}

static void a_hand_over_is_a_message_in_the_queue_and_closes_when_answered(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t id, letter;
	struct inquiry_form q = form("handed-over");
	q.person_id = f->p1;
	q.note = "Lurer på borteboerstipend.";
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), 0);
	struct support_caller c;
	assert_int_equal(support_caller(f->s, &f->siri, f->p1, NOW, &c, &f->a, &e), 0);
	assert_int_equal(c.n_recent, 1);
	assert_true(c.recent[0].message_id > 0);
	assert_int_equal(c.recent[0].answered_at, 0);
	struct message m;
	assert_int_equal(store_message_get(f->s, c.recent[0].message_id, &m, &f->a, &e), 0);
	assert_int_equal(m.case_id, 0);
	assert_non_null(strstr(m.text, "Lurer på borteboerstipend."));
	assert_int_equal(msg_answer(f->s, &f->sara, m.id, "Du kan søke.", NOW + 60, &letter, &e), 0);
	assert_int_equal(support_caller(f->s, &f->siri, f->p1, NOW + 120, &c, &f->a, &e), 0);
	assert_int_equal(c.recent[0].answered_at, NOW + 60);
	/* Another person may not read Kari as a caller. */
	assert_int_equal(support_caller(f->s, &f->ola, f->p1, NOW, &c, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
}

static void the_timeline_gathers_four_tables_for_its_readers_and_audits_each_reading(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t id, mid;
	struct inquiry_form q = form("answered");
	q.person_id = f->p1;
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), 0);
	assert_int_equal(support_secure_message(f->s, &f->kari, NULL, "Et generelt spørsmål", NOW + 10, &mid, &e), 0);
	struct timeline_item *t;
	int n = support_timeline(f->s, &f->kari, f->p1, TIMELINE_ALL, NOW + 20, &t, &f->a, &e);
	assert_int_equal(n, 3); /* the inquiry, the secure message and its log line */
	assert_string_equal(t[0].type, "inquiry"); /* the log line of the message: same moment, ranked after */
	assert_string_equal(t[1].type, "message");
	assert_string_equal(t[1].text, "Et generelt spørsmål");
	assert_string_equal(t[2].type, "inquiry");
	assert_string_equal(t[2].status, "boarding");
	n = support_timeline(f->s, &f->sara, f->p1, TIMELINE_MESSAGES, NOW + 20, &t, &f->a, &e);
	assert_int_equal(n, 1);
	assert_int_equal(support_timeline(f->s, &f->ola, f->p1, TIMELINE_ALL, NOW, &t, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(count(f->s, "SELECT count(*) FROM audit WHERE action = 'timeline.read'"), 2);
	assert_int_equal(count(f->s, "SELECT count(*) FROM audit WHERE action = 'timeline.read.denied'"), 1);
}

static void faq_search_takes_words_as_prefixes_and_nothing_else(void **state)
{
	struct fixture *f = *state;
	struct err e;
	assert_int_equal(faq_seed(f->s, NOW, &e), 0);
	struct faq_entry *hits;
	int n = faq_search(f->s, "bortebo", 10, &hits, &f->a, &e);
	assert_true(n >= 2);
	assert_non_null(strstr(hits[0].v.question_nb, "borteboer"));
	/* FTS5 syntax arrives as words: no error, no injection. */
	static const char *const odd[] = {"\"", "NEAR(a b", "a OR", "*", "question:x", "'; DROP TABLE faq_entries; --",
					  "^bortebo", "(((", NULL};
	for (int i = 0; odd[i]; i++)
		assert_true(faq_search(f->s, odd[i], 10, &hits, &f->a, &e) >= 0);
	assert_int_equal(faq_search(f->s, "   ", 10, &hits, &f->a, &e), 0);
	/* Both words must match. */
	assert_int_equal(faq_search(f->s, "bortebo zzzz", 10, &hits, &f->a, &e), 0);
}

static void faq_versions_are_kept_and_only_the_published_one_is_found(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t id;
	struct faq_form draft = {"repayment", "Når starter nedbetalingen?", "Sju måneder etter.", "When?", "Seven months after.",
				 NULL, 0};
	assert_int_equal(faq_save(f->s, &f->siri, 0, &draft, NOW, &id, &e), 0);
	struct faq_entry *hits;
	assert_int_equal(faq_search(f->s, "nedbetal", 10, &hits, &f->a, &e), 0);
	struct faq_entry one;
	assert_int_equal(faq_read(f->s, id, &one, &f->a, &e), 1);
	assert_int_equal(faq_feedback(f->s, id, 1, NOW, &e), -1);
	draft.question_nb = "Når begynner nedbetalingen?";
	draft.publish = 1;
	assert_int_equal(faq_save(f->s, &f->siri, id, &draft, NOW + 1, NULL, &e), 0);
	assert_int_equal(faq_search(f->s, "begynn", 10, &hits, &f->a, &e), 1);
	assert_int_equal(hits[0].published_version, 2);
	/* Publishing the first version again takes the second out of the index. */
	assert_int_equal(faq_publish(f->s, &f->siri, id, 1, NOW + 2, &e), 0);
	assert_int_equal(faq_search(f->s, "begynn", 10, &hits, &f->a, &e), 0);
	assert_int_equal(faq_search(f->s, "starter", 10, &hits, &f->a, &e), 1);
	assert_int_equal(faq_publish(f->s, &f->siri, id, 9, NOW + 2, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	struct faq_version *v;
	int nv;
	assert_int_equal(faq_edit_read(f->s, &f->siri, id, NOW, &one, &v, &nv, &f->a, &e), 0);
	assert_int_equal(nv, 2);
	assert_string_equal(v[0].staff_name, "Siri Hauge");
	assert_int_equal(faq_feedback(f->s, id, 0, NOW, &e), 0);
	assert_int_equal(faq_read(f->s, id, &one, &f->a, &e), 0);
	assert_int_equal(one.not_helped, 1);
	/* A case worker does not edit the FAQ. */
	assert_int_equal(faq_save(f->s, &f->sara, id, &draft, NOW, NULL, &e), -1);
	assert_int_equal(e.code, ERR_FORBIDDEN);
	draft.question_nb = "";
	assert_int_equal(faq_save(f->s, &f->siri, id, &draft, NOW, NULL, &e), -1);
	assert_string_equal(e.field, "question_nb");
}

static void the_report_tallies_a_month_by_agency_and_service(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t id;
	assert_int_equal(support_agency_put(f->s, "husbanken", "Husbanken", &e), 0);
	assert_int_equal(support_agency_put(f->s, "Bad Code", "X", &e), -1);
	assert_string_equal(e.field, "code");
	struct inquiry_form q = form("answered");
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), 0);
	q.agency = "husbanken";
	q.start = "2025-09-10T13:30";
	q.end = "2025-09-10T13:40";
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), 0);
	q.start = "2025-08-31T23:59"; /* the month before */
	q.end = "2025-09-01T00:09";
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), 0);
	struct support_report r;
	assert_int_equal(support_report(f->s, &f->siri, "2025-09", 301, NOW, &r, &f->a, &e), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.lines[0].agency, "husbanken");
	assert_int_equal(r.lines[0].seconds, 600);
	assert_int_equal(r.lines[1].seconds, 600);
	assert_int_equal(r.lines[0].cost + r.lines[1].cost, 301);
	assert_int_equal(r.lines[0].cost, 151); /* the tie's øre to the first line */
	assert_int_equal(support_report(f->s, &f->kari, "2025-09", 301, NOW, &r, &f->a, &e), -1);
	assert_int_equal(e.code, ERR_FORBIDDEN);
	struct buf b;
	buf_init(&b, 1 << 16);
	assert_int_equal(support_report(f->s, NULL, "2025-09", 301, NOW, &r, &f->a, &e), 0);
	assert_int_equal(support_report_csv(&r, &b), 0);
	assert_non_null(strstr(buf_str(&b), "2025-09,all,all,2,0,0,0,0,0,2,1200,100.0000,3.01\r\n"));
	buf_cleanup(&b);
}

/* ---- #14's open points ---- */

static void the_desks_times_are_read_as_norwegian_time(void **state)
{
	(void)state;
	int64_t t;
	/* Summer time: 10:00 in Oslo is 08:00 UTC; winter time 07:00 UTC. */
	assert_int_equal(support_parse_oslo("2025-09-04T10:00", &t), 0);
	assert_int_equal(t, (int64_t)date_from_ymd(2025, 9, 4) * 86400 + 8 * 3600);
	assert_int_equal(support_parse_oslo("2025-01-15T10:00", &t), 0);
	assert_int_equal(t, (int64_t)date_from_ymd(2025, 1, 15) * 86400 + 9 * 3600);
	/* Just after the clocks went forward (02:00 -> 03:00 on 30 March 2025). */
	assert_int_equal(support_parse_oslo("2025-03-30T03:30", &t), 0);
	assert_int_equal(t, (int64_t)date_from_ymd(2025, 3, 30) * 86400 + 3600 + 1800);
	assert_int_equal(support_parse_oslo("2025-13-01T10:00", &t), -1);
}

static void the_service_norm_is_the_parameter_the_receipt_letter_promises(void **state)
{
	(void)state;
	const struct params *p = params_builtin_shared();
	assert_non_null(p);
	const struct param *norm = params_get(p, PARAMS_SERVICE_NORM, date_from_ymd(2026, 12, 5));
	assert_non_null(norm);
	assert_int_equal(norm->value, 7);
	assert_string_equal(norm->unit, "weeks");
	assert_non_null(strstr(norm->source, "lanekassen.no"));
	/* None before the page gave it; and a service figure does not make the
	 * set cover a school year it has no rules for. */
	assert_null(params_get(p, PARAMS_SERVICE_NORM, date_from_ymd(2025, 10, 6)));
	assert_int_equal(params_covers(p, date_from_ymd(2026, 8, 1)), 0);
	assert_int_equal(params_covers(p, date_from_ymd(2024, 8, 1)), 1);
}

static void topics_are_kept_by_agents_and_a_retired_one_is_refused_but_kept(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t id;
	struct upkeep_form add = {"add", "abroad", "Utdanning i utlandet", "Education abroad"};
	assert_int_equal(support_topic_change(f->s, &f->sara, &add, NOW, &e), -1);
	assert_int_equal(e.code, ERR_FORBIDDEN);
	struct upkeep_form bad = {"add", "abroad", "Utdanning i utlandet", ""};
	assert_int_equal(support_topic_change(f->s, &f->siri, &bad, NOW, &e), -1);
	assert_string_equal(e.field, "name_en");
	bad = (struct upkeep_form){"add", "Abroad", "A", "B"};
	assert_int_equal(support_topic_change(f->s, &f->siri, &bad, NOW, &e), -1);
	assert_string_equal(e.field, "code");
	assert_int_equal(support_topic_change(f->s, &f->siri, &add, NOW, &e), 0);
	assert_int_equal(support_topic_change(f->s, &f->siri, &add, NOW, &e), -1); /* taken */
	assert_string_equal(e.field, "code");
	struct inquiry_form q = form("answered");
	q.topic = "abroad";
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), 0);
	struct upkeep_form retire = {"retire", "abroad", NULL, NULL};
	assert_int_equal(support_topic_change(f->s, &f->siri, &retire, NOW, &e), 0);
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), -1);
	assert_string_equal(e.field, "topic");
	assert_int_equal(count(f->s, "SELECT count(*) FROM inquiries i JOIN support_topics t ON t.id = i.topic_id "
				     "WHERE t.code = 'abroad' AND t.active = 0"),
			 1);
	struct upkeep_form other = {"retire", "other", NULL, NULL};
	assert_int_equal(support_topic_change(f->s, &f->siri, &other, NOW, &e), -1);
	assert_string_equal(e.field, "code");
	struct upkeep_form restore = {"restore", "abroad", NULL, NULL};
	assert_int_equal(support_topic_change(f->s, &f->siri, &restore, NOW, &e), 0);
	assert_int_equal(support_log(f->s, &f->siri, &q, NOW, &id, &e), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM audit WHERE object = 'topic:abroad'"), 3);
	/* Agencies are management's; the last one served stays. */
	struct upkeep_form last = {"retire", "lanekassen", NULL, NULL};
	assert_int_equal(support_agency_change(f->s, &f->siri, &last, NOW, &e), -1);
	assert_int_equal(e.code, ERR_FORBIDDEN);
	struct principal mona = {ROLE_MANAGEMENT, 0, f->agent, 0, 0, GRANT_STAFF, NULL, 0};
	assert_int_equal(support_agency_change(f->s, &mona, &last, NOW, &e), -1);
	assert_string_equal(e.field, "code");
}

static void metrics_render_cumulative_buckets_ending_in_inf(void **state)
{
	(void)state;
	static const char route[] = "/test/:id";
	metrics_request(route, "GET", 200, 0.003);
	metrics_request(route, "GET", 200, 0.2);
	metrics_request(route, "GET", 404, 20.0);
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(metrics_render(&b), 0);
	const char *t = buf_str(&b);
	assert_non_null(strstr(t, "stipend_http_requests_total{route=\"/test/:id\",method=\"GET\",status=\"200\"} 2\n"));
	assert_non_null(strstr(t, "stipend_http_requests_total{route=\"/test/:id\",method=\"GET\",status=\"404\"} 1\n"));
	assert_non_null(strstr(t, "stipend_http_request_duration_seconds_bucket{route=\"/test/:id\",method=\"GET\",le=\"0.0025\"} 0\n"));
	assert_non_null(strstr(t, "stipend_http_request_duration_seconds_bucket{route=\"/test/:id\",method=\"GET\",le=\"0.005\"} 1\n"));
	assert_non_null(strstr(t, "stipend_http_request_duration_seconds_bucket{route=\"/test/:id\",method=\"GET\",le=\"10\"} 2\n"));
	assert_non_null(strstr(t, "stipend_http_request_duration_seconds_bucket{route=\"/test/:id\",method=\"GET\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(t, "stipend_http_request_duration_seconds_count{route=\"/test/:id\",method=\"GET\"} 3\n"));
	buf_cleanup(&b);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shares_sum_to_the_cost_and_the_largest_remainders_get_the_ore),
		cmocka_unit_test(kroner_are_parsed_into_ore),
		cmocka_unit_test(a_month_is_its_first_day_to_the_next_months),
		cmocka_unit_test(percentiles_are_nearest_rank_and_rates_per_thousand_round_half_up),
		cmocka_unit_test_setup_teardown(the_log_names_each_wrong_field_and_only_an_agent_logs, setup, teardown),
		cmocka_unit_test_setup_teardown(a_hand_over_is_a_message_in_the_queue_and_closes_when_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(the_timeline_gathers_four_tables_for_its_readers_and_audits_each_reading, setup,
						teardown),
		cmocka_unit_test_setup_teardown(faq_search_takes_words_as_prefixes_and_nothing_else, setup, teardown),
		cmocka_unit_test_setup_teardown(faq_versions_are_kept_and_only_the_published_one_is_found, setup, teardown),
		cmocka_unit_test_setup_teardown(the_report_tallies_a_month_by_agency_and_service, setup, teardown),
		cmocka_unit_test(metrics_render_cumulative_buckets_ending_in_inf),
		cmocka_unit_test(the_desks_times_are_read_as_norwegian_time),
		cmocka_unit_test(the_service_norm_is_the_parameter_the_receipt_letter_promises),
		cmocka_unit_test_setup_teardown(topics_are_kept_by_agents_and_a_retired_one_is_refused_but_kept, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
