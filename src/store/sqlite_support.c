/* sqlite_support.c - the support centre's storage on SQLite (see
 * support.h): agencies, topics, the inquiry log and its tallies, the
 * communication history as one UNION over letters, messages, inquiries and
 * decisions, and the FAQ with its FTS5 index.
 *
 * The FAQ's index (faq_search) holds the published version of each entry,
 * two rows an entry (rowid entry*2 for bokmål, entry*2+1 for English), kept
 * by store_faq_publish in the transaction that publishes, so that the index
 * never disagrees with what the public reads. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/messages.h"
#include "store/sqlite_internal.h"
#include "store/support.h"

/* ---- agencies and topics ---- */

static int agency_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct support_agency *g = (struct support_agency *)out + i;
	g->code = sq_col_str(st, 0, a);
	g->name = sq_col_str(st, 1, a);
	g->name_en = sq_col_str(st, 2, a);
	g->active = sqlite3_column_int(st, 3);
	return 0;
}

int store_support_agencies(struct store *s, struct support_agency **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT code, name, name_en, active FROM support_agencies ORDER BY code", sq_bind_none, NULL, agency_row,
			*out, LIST_MAX, a, e);
}

int store_support_agency_put(struct store_tx *tx, const char *code, const char *name, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO support_agencies(code, name, name_en) VALUES (?1, ?2, ?2) "
					  "ON CONFLICT(code) DO UPDATE SET name = excluded.name", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, code);
	sq_bind_str(st, 2, name);
	return sq_step_insert(tx, st, NULL, "put agency", e);
}

/* Step an UPDATE of one row: ERR_NOT_FOUND when it changed none. */
static int step_update_one(struct store_tx *tx, sqlite3_stmt *st, const char *what, struct err *e)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, what);
	return sqlite3_changes(tx->c->db) == 1 ? 0 : err_set(e, ERR_NOT_FOUND, "code", "%s: no such code", what);
}

int store_support_agency_save(struct store_tx *tx, const struct support_agency *g, int create, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
				   create ? "INSERT INTO support_agencies(code, name, name_en, active) VALUES (?1, ?2, ?3, ?4)"
					  : "UPDATE support_agencies SET name = ?2, name_en = ?3, active = ?4 WHERE code = ?1",
				   e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, g->code);
	sq_bind_str(st, 2, g->name);
	sq_bind_str(st, 3, g->name_en);
	sqlite3_bind_int(st, 4, g->active ? 1 : 0);
	return create ? sq_step_insert(tx, st, NULL, "add agency", e) : step_update_one(tx, st, "agency", e);
}

int store_support_topic_save(struct store_tx *tx, const struct support_topic *t, int create, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
				   create ? "INSERT INTO support_topics(code, name_nb, name_en, active) VALUES (?1, ?2, ?3, ?4)"
					  : "UPDATE support_topics SET name_nb = ?2, name_en = ?3, active = ?4 WHERE code = ?1",
				   e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, t->code);
	sq_bind_str(st, 2, t->name_nb);
	sq_bind_str(st, 3, t->name_en);
	sqlite3_bind_int(st, 4, t->active ? 1 : 0);
	return create ? sq_step_insert(tx, st, NULL, "add topic", e) : step_update_one(tx, st, "topic", e);
}

static int topic_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct support_topic *t = (struct support_topic *)out + i;
	t->id = sqlite3_column_int64(st, 0);
	t->code = sq_col_str(st, 1, a);
	t->name_nb = sq_col_str(st, 2, a);
	t->name_en = sq_col_str(st, 3, a);
	t->active = sqlite3_column_int(st, 4);
	return 0;
}

int store_support_topics(struct store *s, struct support_topic **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT id, code, name_nb, name_en, active FROM support_topics ORDER BY id", sq_bind_none,
			NULL, topic_row, *out, LIST_MAX, a, e);
}

/* ---- the inquiry log ---- */

int store_inquiry_insert(struct store_tx *tx, const struct inquiry *q, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO inquiries(agency, channel, started_at, ended_at, topic_id, "
					  "service, outcome, link, note, person_id, case_id, staff_id, message_id, "
					  "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, q->agency);
	sq_bind_str(st, 2, q->channel);
	sqlite3_bind_int64(st, 3, q->started_at);
	sqlite3_bind_int64(st, 4, q->ended_at);
	sqlite3_bind_int64(st, 5, q->topic_id);
	sq_bind_str(st, 6, q->service);
	sq_bind_str(st, 7, q->outcome);
	sq_bind_str(st, 8, q->link);
	sq_bind_str(st, 9, q->note);
	sq_bind_id_or_null(st, 10, q->person_id);
	sq_bind_id_or_null(st, 11, q->case_id);
	sq_bind_id_or_null(st, 12, q->staff_id);
	sq_bind_id_or_null(st, 13, q->message_id);
	sqlite3_bind_int64(st, 14, q->created_at);
	return sq_step_insert(tx, st, id, "insert inquiry", e);
}

#define INQUIRY_COLS "q.id, q.agency, q.channel, q.started_at, q.ended_at, q.topic_id, q.service, q.outcome, " \
		     "q.link, q.note, coalesce(q.person_id, 0), coalesce(q.case_id, 0), coalesce(q.staff_id, 0), " \
		     "coalesce(q.message_id, 0), q.created_at, t.code, coalesce(m.answered_at, 0), " \
		     "(SELECT group_concat(f.channel) FROM faq_sends f WHERE f.inquiry_id = q.id)"
#define INQUIRY_FROM " FROM inquiries q JOIN support_topics t ON t.id = q.topic_id " \
		     "LEFT JOIN messages m ON m.id = q.message_id "

static int inquiry_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct inquiry *q = (struct inquiry *)out + i;
	q->id = sqlite3_column_int64(st, 0);
	q->agency = sq_col_str(st, 1, a);
	q->channel = sq_col_str(st, 2, a);
	q->started_at = sqlite3_column_int64(st, 3);
	q->ended_at = sqlite3_column_int64(st, 4);
	q->topic_id = sqlite3_column_int64(st, 5);
	q->service = sq_col_str(st, 6, a);
	q->outcome = sq_col_str(st, 7, a);
	q->link = sq_col_str(st, 8, a);
	q->note = sq_col_str(st, 9, a);
	q->person_id = sqlite3_column_int64(st, 10);
	q->case_id = sqlite3_column_int64(st, 11);
	q->staff_id = sqlite3_column_int64(st, 12);
	q->message_id = sqlite3_column_int64(st, 13);
	q->created_at = sqlite3_column_int64(st, 14);
	q->topic_code = sq_col_str(st, 15, a);
	q->answered_at = sqlite3_column_int64(st, 16);
	q->sent_to = sq_col_str(st, 17, a);
	return 0;
}

struct id_limit {
	int64_t id;
	int limit;
};

static void bind_id_limit(sqlite3_stmt *st, const void *arg)
{
	const struct id_limit *x = arg;
	sqlite3_bind_int64(st, 1, x->id);
	sqlite3_bind_int(st, 2, x->limit);
}

int store_inquiries_of_person(struct store *s, int64_t person_id, int limit, struct inquiry **out,
			      struct arena *a, struct err *e)
{
	if (limit < 1 || limit > LIST_MAX)
		limit = LIST_MAX;
	struct id_limit x = {person_id, limit};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)limit);
	return sq_query(s, "SELECT " INQUIRY_COLS INQUIRY_FROM "WHERE q.person_id = ?1 ORDER BY q.id DESC LIMIT ?2",
			bind_id_limit, &x, inquiry_row, *out, limit, a, e);
}

int store_inquiries_of_staff(struct store *s, int64_t staff_id, int limit, struct inquiry **out, struct arena *a,
			     struct err *e)
{
	if (limit < 1 || limit > LIST_MAX)
		limit = LIST_MAX;
	struct id_limit x = {staff_id, limit};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)limit);
	return sq_query(s, "SELECT " INQUIRY_COLS INQUIRY_FROM "WHERE q.staff_id = ?1 ORDER BY q.id DESC LIMIT ?2",
			bind_id_limit, &x, inquiry_row, *out, limit, a, e);
}

int store_inquiry_of_message(struct store *s, int64_t message_id, struct inquiry *out, struct arena *a,
			     struct err *e)
{
	int n = sq_query(s, "SELECT " INQUIRY_COLS INQUIRY_FROM "WHERE q.message_id = ?", sq_bind_id, &message_id,
			 inquiry_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

struct span {
	int64_t from, to;
};

static void bind_span(sqlite3_stmt *st, const void *arg)
{
	const struct span *x = arg;
	sqlite3_bind_int64(st, 1, x->from);
	sqlite3_bind_int64(st, 2, x->to);
}

#define TALLIES_MAX 2000

static int tally_cmp(const void *x, const void *y)
{
	const struct inquiry_tally *a = x, *b = y;
	int c = strcmp(a->agency, b->agency);
	if (c == 0)
		c = strcmp(a->service, b->service);
	return c ? c : strcmp(a->channel, b->channel);
}

/* The month's report over 200 000 inquiries must take well under a second.
 * A GROUP BY over the range of started_at makes SQLite sort every row of
 * the month in a temporary b-tree (most of the time, measured). So the
 * range is read once, in index order, from the covering index
 * inquiries_month, and summed here: the combinations of agency, service
 * and channel are few (at most 2 * 7 * 6 in a month of two agencies), so a
 * row finds its line by comparing with the line of the row before (the
 * common case) or the few lines there are; the lines are sorted at the end. */
int store_inquiry_tallies(struct store *s, int64_t from, int64_t to, struct inquiry_tally **out, struct arena *a,
			  struct err *e)
{
	struct inquiry_tally *t = arena_zalloc(a, sizeof(*t) * TALLIES_MAX);
	*out = t;
	struct conn *c = sq_reader(s, e);
	if (c == NULL)
		return -1;
	sqlite3_stmt *st = sq_prep(c,
				   "SELECT agency, service, channel, ended_at - started_at FROM inquiries "
				   "INDEXED BY inquiries_month WHERE started_at >= ?1 AND started_at < ?2",
				   e);
	if (st == NULL) {
		sq_reader_done(s, c);
		return -1;
	}
	struct span x = {from, to};
	bind_span(st, &x);
	int n = 0, rc, last = -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ag = (const char *)sqlite3_column_text(st, 0);
		const char *sv = (const char *)sqlite3_column_text(st, 1);
		const char *ch = (const char *)sqlite3_column_text(st, 2);
		if (ag == NULL || sv == NULL || ch == NULL)
			continue;
		int i = last;
		if (i < 0 || strcmp(t[i].channel, ch) != 0 || strcmp(t[i].service, sv) != 0 || strcmp(t[i].agency, ag) != 0) {
			for (i = 0; i < n; i++)
				if (strcmp(t[i].channel, ch) == 0 && strcmp(t[i].service, sv) == 0 && strcmp(t[i].agency, ag) == 0)
					break;
			if (i == n) {
				if (n == TALLIES_MAX) {
					err_set(e, ERR_STORE, NULL, "more than %d lines in the report", TALLIES_MAX);
					n = -1;
					break;
				}
				t[n].agency = arena_strdup(a, ag);
				t[n].service = arena_strdup(a, sv);
				t[n].channel = arena_strdup(a, ch);
				n++;
			}
			last = i;
		}
		t[i].count++;
		t[i].seconds += sqlite3_column_int64(st, 3);
	}
	if (n >= 0 && rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sq_db_error(e, c->db, "store_inquiry_tallies");
		n = -1;
	}
	sqlite3_reset(st);
	sq_reader_done(s, c);
	if (n > 1)
		qsort(t, (size_t)n, sizeof(*t), tally_cmp);
	return n;
}

static int topic_tally_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct topic_tally *t = (struct topic_tally *)out + i;
	t->topic_id = sqlite3_column_int64(st, 0);
	t->topic_code = sq_col_str(st, 1, a);
	t->count = sqlite3_column_int64(st, 2);
	t->handed_over = sqlite3_column_int64(st, 3);
	return 0;
}

int store_topic_tallies(struct store *s, int64_t from, int64_t to, struct topic_tally **out, struct arena *a,
			struct err *e)
{
	struct span x = {from, to};
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT q.topic_id, t.code, count(*), sum(q.outcome = 'handed-over') FROM inquiries q "
			   "JOIN support_topics t ON t.id = q.topic_id WHERE q.started_at >= ?1 AND q.started_at < ?2 "
			   "GROUP BY q.topic_id ORDER BY count(*) DESC, q.topic_id",
			bind_span, &x, topic_tally_row, *out, LIST_MAX, a, e);
}

static int message_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct message *m = (struct message *)out + i;
	m->id = sqlite3_column_int64(st, 0);
	m->case_id = 0;
	m->person_id = sqlite3_column_int64(st, 1);
	m->direction = sq_col_str(st, 2, a);
	m->staff_id = sqlite3_column_int64(st, 3);
	m->text = sq_col_str(st, 4, a);
	m->created_at = sqlite3_column_int64(st, 5);
	m->answered_at = sqlite3_column_int64(st, 6);
	m->answer_id = sqlite3_column_int64(st, 7);
	m->letter_id = sqlite3_column_int64(st, 8);
	return 0;
}

int store_messages_without_case(struct store *s, int64_t person_id, struct message **out, struct arena *a,
				struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT id, person_id, direction, coalesce(staff_id, 0), text, created_at, "
			   "coalesce(answered_at, 0), coalesce(answer_id, 0), coalesce(letter_id, 0) FROM messages "
			   "WHERE person_id = ? AND case_id IS NULL ORDER BY id LIMIT 200",
			sq_bind_id, &person_id, message_row, *out, LIST_MAX, a, e);
}

/* ---- the communication history ---- */

struct timeline_q {
	int64_t person_id;
	unsigned types;
};

static void bind_timeline(sqlite3_stmt *st, const void *arg)
{
	const struct timeline_q *q = arg;
	sqlite3_bind_int64(st, 1, q->person_id);
	sqlite3_bind_int(st, 2, (int)q->types);
}

static int timeline_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct timeline_item *t = (struct timeline_item *)out + i;
	t->at = sqlite3_column_int64(st, 0);
	t->type = sq_col_str(st, 1, a);
	t->id = sqlite3_column_int64(st, 2);
	t->case_id = sqlite3_column_int64(st, 3);
	t->sub = sq_col_str(st, 4, a);
	t->channel = sq_col_str(st, 5, a);
	t->status = sq_col_str(st, 6, a);
	t->text = sq_col_str(st, 7, a);
	t->link = sq_col_str(st, 8, a);
	t->opened_at = sqlite3_column_int64(st, 9);
	t->paper_at = sqlite3_column_int64(st, 10);
	t->answered_at = sqlite3_column_int64(st, 11);
	return 0;
}

int store_timeline(struct store *s, int64_t person_id, unsigned types, struct timeline_item **out,
		   struct arena *a, struct err *e)
{
	struct timeline_q q = {person_id, types};
	*out = arena_zalloc(a, sizeof(**out) * TIMELINE_MAX);
	/* One list from four tables; the sort key's last part (the type's
	 * rank, then the id) makes the order total, so that equal times
	 * always list alike. */
	return sq_query(
	    s,
	    "SELECT at, type, id, case_id, sub, channel, status, text, link, opened, paper, answered FROM ("
	    "SELECT created_at AS at, 'letter' AS type, id, coalesce(case_id, 0) AS case_id, kind AS sub, "
	    "notice_channel AS channel, notice_status AS status, NULL AS text, NULL AS link, "
	    "coalesce(first_read_at, 0) AS opened, coalesce(paper_at, 0) AS paper, 0 AS answered, 1 AS rank "
	    "FROM letters WHERE person_id = ?1 AND (?2 & 1) "
	    "UNION ALL SELECT created_at, 'message', id, coalesce(case_id, 0), direction, NULL, NULL, text, NULL, "
	    "0, 0, coalesce(answered_at, 0), 2 FROM messages WHERE person_id = ?1 AND (?2 & 2) "
	    "UNION ALL SELECT q.started_at, 'inquiry', q.id, coalesce(q.case_id, 0), q.outcome, q.channel, t.code, "
	    "q.note, q.link, 0, 0, coalesce(m.answered_at, 0), 3 FROM inquiries q "
	    "JOIN support_topics t ON t.id = q.topic_id LEFT JOIN messages m ON m.id = q.message_id "
	    "WHERE q.person_id = ?1 AND (?2 & 4) "
	    "UNION ALL SELECT d.decided_at, 'decision', d.id, d.case_id, d.outcome, NULL, NULL, NULL, NULL, 0, 0, 0, 4 "
	    "FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.person_id = ?1 AND (?2 & 8)"
	    ") ORDER BY at DESC, rank DESC, id DESC LIMIT 500",
	    bind_timeline, &q, timeline_row, *out, TIMELINE_MAX, a, e);
}

/* ---- the FAQ ---- */

int store_faq_entry_insert(struct store_tx *tx, int64_t topic_id, int64_t now, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO faq_entries(topic_id, created_at) VALUES (?1, ?2)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, topic_id);
	sqlite3_bind_int64(st, 2, now);
	return sq_step_insert(tx, st, id, "insert faq entry", e);
}

int store_faq_version_add(struct store_tx *tx, const struct faq_version *v, int64_t topic_id, int *version,
			  struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE faq_entries SET topic_id = ?2 WHERE id = ?1", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, v->entry_id);
	sqlite3_bind_int64(st, 2, topic_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "faq entry topic");
	if (sqlite3_changes(tx->c->db) == 0)
		return err_set(e, ERR_NOT_FOUND, NULL, "no such answer");
	st = sq_prep(tx->c, "SELECT coalesce(max(version), 0) + 1 FROM faq_versions WHERE entry_id = ?1", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, v->entry_id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return sq_db_error(e, tx->c->db, "faq version");
	int next = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	st = sq_prep(tx->c, "INSERT INTO faq_versions(entry_id, version, question_nb, answer_nb, question_en, "
			    "answer_en, source, staff_id, created_at) VALUES (?,?,?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, v->entry_id);
	sqlite3_bind_int(st, 2, next);
	sq_bind_str(st, 3, v->question_nb);
	sq_bind_str(st, 4, v->answer_nb);
	sq_bind_str(st, 5, v->question_en);
	sq_bind_str(st, 6, v->answer_en);
	sq_bind_str(st, 7, v->source);
	sq_bind_id_or_null(st, 8, v->staff_id);
	sqlite3_bind_int64(st, 9, v->created_at);
	if (sq_step_insert(tx, st, NULL, "insert faq version", e) != 0)
		return -1;
	*version = next;
	return 0;
}

int store_faq_publish(struct store_tx *tx, int64_t entry_id, int version, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "UPDATE faq_entries SET published_version = ?2 WHERE id = ?1 AND EXISTS "
					  "(SELECT 1 FROM faq_versions WHERE entry_id = ?1 AND version = ?2)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, entry_id);
	sqlite3_bind_int(st, 2, version);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "publish faq");
	if (sqlite3_changes(tx->c->db) == 0)
		return err_set(e, ERR_NOT_FOUND, NULL, "no such version");
	st = sq_prep(tx->c, "DELETE FROM faq_search WHERE rowid IN (?1 * 2, ?1 * 2 + 1)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, entry_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_db_error(e, tx->c->db, "faq index");
	st = sq_prep(tx->c, "INSERT INTO faq_search(rowid, question, answer) "
			    "SELECT entry_id * 2, question_nb, answer_nb FROM faq_versions WHERE entry_id = ?1 AND version = ?2 "
			    "UNION ALL SELECT entry_id * 2 + 1, question_en, answer_en FROM faq_versions "
			    "WHERE entry_id = ?1 AND version = ?2", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, entry_id);
	sqlite3_bind_int(st, 2, version);
	return sq_step_insert(tx, st, NULL, "faq index", e);
}

#define FAQ_COLS "f.id, f.topic_id, t.code, coalesce(f.published_version, 0), " \
		 "(SELECT max(version) FROM faq_versions WHERE entry_id = f.id), f.created_at, " \
		 "(SELECT count(*) FROM faq_feedback WHERE entry_id = f.id AND helped = 1), " \
		 "(SELECT count(*) FROM faq_feedback WHERE entry_id = f.id AND helped = 0), " \
		 "v.version, v.question_nb, v.answer_nb, v.question_en, v.answer_en, v.source, " \
		 "coalesce(v.staff_id, 0), st.name, v.created_at"
#define FAQ_FROM " FROM faq_entries f JOIN support_topics t ON t.id = f.topic_id JOIN faq_versions v ON " \
		 "v.entry_id = f.id LEFT JOIN staff st ON st.id = v.staff_id "

static int version_cols(sqlite3_stmt *st, int c, struct faq_version *v, struct arena *a)
{
	v->version = sqlite3_column_int(st, c);
	v->question_nb = sq_col_str(st, c + 1, a);
	v->answer_nb = sq_col_str(st, c + 2, a);
	v->question_en = sq_col_str(st, c + 3, a);
	v->answer_en = sq_col_str(st, c + 4, a);
	v->source = sq_col_str(st, c + 5, a);
	v->staff_id = sqlite3_column_int64(st, c + 6);
	v->staff_name = sq_col_str(st, c + 7, a);
	v->created_at = sqlite3_column_int64(st, c + 8);
	return 0;
}

static int faq_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct faq_entry *f = (struct faq_entry *)out + i;
	f->id = sqlite3_column_int64(st, 0);
	f->topic_id = sqlite3_column_int64(st, 1);
	f->topic_code = sq_col_str(st, 2, a);
	f->published_version = sqlite3_column_int(st, 3);
	f->latest_version = sqlite3_column_int(st, 4);
	f->created_at = sqlite3_column_int64(st, 5);
	f->helped = sqlite3_column_int64(st, 6);
	f->not_helped = sqlite3_column_int64(st, 7);
	f->v.entry_id = f->id;
	return version_cols(st, 8, &f->v, a);
}

int store_faq_get(struct store *s, int64_t id, int published, struct faq_entry *out, struct arena *a,
		  struct err *e)
{
	int n = published ? sq_query(s, "SELECT " FAQ_COLS FAQ_FROM "WHERE f.id = ? AND v.version = f.published_version",
				     sq_bind_id, &id, faq_row, out, 1, a, e)
			  : sq_query(s, "SELECT " FAQ_COLS FAQ_FROM "WHERE f.id = ? ORDER BY v.version DESC LIMIT 1",
				     sq_bind_id, &id, faq_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

#define FAQ_LIST_MAX 500

static void bind_int(sqlite3_stmt *st, const void *arg)
{
	sqlite3_bind_int(st, 1, *(const int *)arg);
}

int store_faq_list(struct store *s, int published_only, struct faq_entry **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * FAQ_LIST_MAX);
	return sq_query(s,
			"SELECT " FAQ_COLS FAQ_FROM "WHERE CASE WHEN ?1 THEN v.version = f.published_version ELSE "
			"v.version = (SELECT max(version) FROM faq_versions WHERE entry_id = f.id) END ORDER BY f.id",
			bind_int, &published_only, faq_row, *out, FAQ_LIST_MAX, a, e);
}

static int version_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct faq_version *v = (struct faq_version *)out + i;
	v->entry_id = sqlite3_column_int64(st, 0);
	return version_cols(st, 1, v, a);
}

int store_faq_versions(struct store *s, int64_t id, struct faq_version **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT v.entry_id, v.version, v.question_nb, v.answer_nb, v.question_en, v.answer_en, "
			   "v.source, coalesce(v.staff_id, 0), st.name, v.created_at FROM faq_versions v "
			   "LEFT JOIN staff st ON st.id = v.staff_id WHERE v.entry_id = ? ORDER BY v.version DESC",
			sq_bind_id, &id, version_row, *out, LIST_MAX, a, e);
}

struct search_q {
	const char *match;
	int limit;
};

static void bind_search(sqlite3_stmt *st, const void *arg)
{
	const struct search_q *q = arg;
	sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, q->limit);
}

int store_faq_search(struct store *s, const char *match, int limit, struct faq_entry **out, struct arena *a,
		     struct err *e)
{
	if (limit < 1 || limit > LIST_MAX)
		limit = LIST_MAX;
	struct search_q q = {match, limit * 2};
	*out = arena_zalloc(a, sizeof(**out) * (size_t)limit * 2);
	/* Both languages' rows are searched, best first (FTS5's rank, bm25);
	 * an entry found in both counts once, at its better place. */
	int n = sq_query(s,
			 "SELECT " FAQ_COLS " FROM faq_search JOIN faq_entries f ON f.id = faq_search.rowid / 2 "
			 "JOIN support_topics t ON t.id = f.topic_id JOIN faq_versions v ON v.entry_id = f.id "
			 "AND v.version = f.published_version LEFT JOIN staff st ON st.id = v.staff_id "
			 "WHERE faq_search MATCH ?1 ORDER BY faq_search.rank, f.id LIMIT ?2",
			 bind_search, &q, faq_row, *out, limit * 2, a, e);
	int kept = 0;
	for (int i = 0; i < n && kept < limit; i++) {
		int seen = 0;
		for (int k = 0; k < kept && !seen; k++)
			seen = (*out)[k].id == (*out)[i].id;
		if (!seen)
			(*out)[kept++] = (*out)[i];
	}
	return n < 0 ? -1 : kept;
}

int store_faq_feedback(struct store_tx *tx, int64_t entry_id, int helped, int64_t at, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO faq_feedback(entry_id, helped, at) SELECT id, ?2, ?3 "
					  "FROM faq_entries WHERE id = ?1 AND published_version IS NOT NULL", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, entry_id);
	sqlite3_bind_int(st, 2, helped != 0);
	sqlite3_bind_int64(st, 3, at);
	if (sq_step_insert(tx, st, NULL, "faq feedback", e) != 0)
		return -1;
	return sqlite3_changes(tx->c->db) == 1 ? 0 : err_set(e, ERR_NOT_FOUND, NULL, "no such answer");
}

/* ---- the agency's figures ---- */

struct gauge {
	int64_t depth, oldest;
};

static int gauge_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	(void)a;
	struct gauge *g = out;
	g->depth = sqlite3_column_int64(st, 0);
	g->oldest = sqlite3_column_int64(st, 1);
	return 0;
}

int store_jobs_waiting(struct store *s, int64_t now, int64_t *depth, int64_t *oldest_age, struct err *e)
{
	struct gauge g = {0, 0};
	if (sq_query(s, "SELECT count(*), coalesce(?1 - min(created_at), 0) FROM jobs WHERE state IN ('ready', 'running')",
		     sq_bind_id, &now, gauge_row, &g, 1, NULL, e) < 0)
		return -1;
	*depth = g.depth;
	*oldest_age = g.oldest < 0 ? 0 : g.oldest;
	return 0;
}

static int automation_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct week_automation *w = (struct week_automation *)out + i;
	w->scheme = sq_col_str(st, 0, a);
	w->week = sq_col_str(st, 1, a);
	w->decided = sqlite3_column_int64(st, 2);
	w->automatic = sqlite3_column_int64(st, 3);
	return 0;
}

#define FIGURES_MAX 2000

int store_automation_by_week(struct store *s, int64_t from, int64_t to, struct week_automation **out,
			     struct arena *a, struct err *e)
{
	struct span x = {from, to};
	*out = arena_zalloc(a, sizeof(**out) * FIGURES_MAX);
	/* A week is named by its Monday: 'weekday 0' goes on to Sunday (or
	 * stays), and six days back is that week's Monday. */
	return sq_query(s,
			"SELECT scheme, week, count(first), sum(first <> 'manual') FROM (SELECT c.scheme, "
			"date(c.received_at, 'unixepoch', 'weekday 0', '-6 days') AS week, (SELECT d.outcome FROM "
			"decisions d WHERE d.case_id = c.id ORDER BY d.id LIMIT 1) AS first FROM cases c "
			"WHERE c.received_at >= ?1 AND c.received_at < ?2) WHERE first IS NOT NULL "
			"GROUP BY scheme, week ORDER BY week, scheme",
			bind_span, &x, automation_row, *out, FIGURES_MAX, a, e);
}

static int i64_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)a;
	((int64_t *)out)[i] = sqlite3_column_int64(st, 0);
	return 0;
}

int store_decision_durations(struct store *s, int64_t from, int64_t to, int64_t **out, int max, struct arena *a,
			     struct err *e)
{
	struct span x = {from, to};
	int64_t n = 0;
	/* Counted first, so that the list takes only the room it needs. */
	if (sq_query(s, "SELECT count(*) FROM cases WHERE received_at >= ?1 AND received_at < ?2", bind_span, &x,
		     sq_count_row, &n, 1, NULL, e) < 0)
		return -1;
	if (n > max)
		n = max;
	*out = arena_zalloc(a, sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
	return sq_query(s,
			"SELECT dur FROM (SELECT (SELECT min(d.decided_at) FROM decisions d WHERE d.case_id = c.id "
			"AND d.outcome <> 'manual') - c.received_at AS dur FROM cases c WHERE c.received_at >= ?1 "
			"AND c.received_at < ?2) WHERE dur IS NOT NULL ORDER BY dur",
			bind_span, &x, i64_row, *out, (int)n, a, e);
}

static int queue_reason_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct queue_reason *q = (struct queue_reason *)out + i;
	q->reason = sq_col_str(st, 0, a);
	q->count = sqlite3_column_int64(st, 1);
	q->oldest_received = sqlite3_column_int64(st, 2);
	return 0;
}

int store_manual_by_reason(struct store *s, struct queue_reason **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s,
			"SELECT coalesce(json_extract(r.value, '$.code'), 'none') AS reason, count(DISTINCT c.id), "
			"min(c.received_at) FROM cases c JOIN decisions d ON d.case_id = c.id AND d.superseded_at IS NULL, "
			"json_each(d.decision_json, '$.manual_reasons') r WHERE c.status = 'manual' "
			"GROUP BY reason ORDER BY count(DISTINCT c.id) DESC, reason",
			sq_bind_none, NULL, queue_reason_row, *out, LIST_MAX, a, e);
}

static int pair_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	(void)i;
	(void)a;
	int64_t *p = out;
	p[0] = sqlite3_column_int64(st, 0);
	p[1] = sqlite3_column_int64(st, 1);
	return 0;
}

int store_applications_online(struct store *s, int64_t from, int64_t to, int64_t *all, int64_t *online,
			      struct err *e)
{
	struct span x = {from, to};
	int64_t p[2] = {0, 0};
	if (sq_query(s, "SELECT count(*), coalesce(sum(intake IS NULL), 0) FROM cases WHERE received_at >= ?1 AND "
			"received_at < ?2",
		     bind_span, &x, pair_row, p, 1, NULL, e) < 0)
		return -1;
	*all = p[0];
	*online = p[1];
	return 0;
}

static int kind_count_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct kind_count *k = (struct kind_count *)out + i;
	k->kind = sq_col_str(st, 0, a);
	k->count = sqlite3_column_int64(st, 1);
	return 0;
}

int store_paper_by_kind(struct store *s, int64_t from, int64_t to, struct kind_count **out, struct arena *a,
			struct err *e)
{
	struct span x = {from, to};
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s, "SELECT kind, count(*) FROM letters WHERE paper_at >= ?1 AND paper_at < ?2 GROUP BY kind "
			   "ORDER BY kind",
			bind_span, &x, kind_count_row, *out, LIST_MAX, a, e);
}

/* ---- payouts made and held ---- */

static int payout_week_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct payout_week *w = (struct payout_week *)out + i;
	w->week = sq_col_str(st, 0, a);
	w->payments = sqlite3_column_int64(st, 1);
	w->ore = sqlite3_column_int64(st, 2);
	return 0;
}

int store_payouts_by_week(struct store *s, int64_t from, int64_t to, struct payout_week **out, struct arena *a,
			  struct err *e)
{
	struct span x = {from, to};
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	/* A run's date is a payday in Norway (its own calendar day), kept as
	 * text; the period's ends are UTC midnights, so their UTC days. */
	return sq_query(s, "SELECT date(r.run_date, 'weekday 0', '-6 days') AS week, count(*), "
			   "sum(p.loan_ore + p.grant_ore) FROM payout_payments p JOIN payout_runs r ON r.id = p.run_id "
			   "WHERE p.state IN ('accepted', 'booked') AND r.run_date >= date(?1, 'unixepoch') "
			   "AND r.run_date < date(?2, 'unixepoch') GROUP BY week ORDER BY week",
			bind_span, &x, payout_week_row, *out, LIST_MAX, a, e);
}

static int payout_held_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct payout_held *h = (struct payout_held *)out + i;
	h->reason = sq_col_str(st, 0, a);
	h->cases = sqlite3_column_int64(st, 1);
	h->ore = sqlite3_column_int64(st, 2);
	return 0;
}

int store_payouts_held(struct store *s, const char *today, struct payout_held **out, struct arena *a,
		       struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * PAYOUT_HELD_REASONS);
	/* One pass over the open lines (the partial index payout_lines_open)
	 * marks what each lacks; the four reasons are four sums over it. */
	return sq_query(s, "WITH held AS MATERIALIZED (SELECT l.case_id, l.amount_ore, g.case_id IS NULL AS no_sig, "
			   "a.person_id IS NULL AS no_acc, f.id IS NULL AS no_conf, coalesce(a.state = 'rejected', 0) AS rej "
			   "FROM payout_lines l INDEXED BY payout_lines_open "
			   "JOIN cases c ON c.id = l.case_id AND c.status = 'decided' "
			   "LEFT JOIN payout_signatures g ON g.case_id = l.case_id "
			   "LEFT JOIN payout_accounts a ON a.person_id = l.person_id "
			   "LEFT JOIN payout_confirmations f ON f.person_id = l.person_id AND f.school_year = l.school_year "
			   "WHERE l.state = 'planned' AND l.payment_id IS NULL AND l.due <= ?1) "
			   "SELECT 'no-signature', count(DISTINCT CASE WHEN no_sig THEN case_id END), "
			   "coalesce(sum(CASE WHEN no_sig THEN amount_ore END), 0) FROM held UNION ALL "
			   "SELECT 'no-account', count(DISTINCT CASE WHEN no_acc THEN case_id END), "
			   "coalesce(sum(CASE WHEN no_acc THEN amount_ore END), 0) FROM held UNION ALL "
			   "SELECT 'not-confirmed', count(DISTINCT CASE WHEN no_conf THEN case_id END), "
			   "coalesce(sum(CASE WHEN no_conf THEN amount_ore END), 0) FROM held UNION ALL "
			   "SELECT 'rejected-by-bank', count(DISTINCT CASE WHEN rej THEN case_id END), "
			   "coalesce(sum(CASE WHEN rej THEN amount_ore END), 0) FROM held",
			sq_bind_text, today, payout_held_row, *out, PAYOUT_HELD_REASONS, a, e);
}

/* ---- FAQ links sent to callers ---- */

int store_faq_send_insert(struct store_tx *tx, const struct faq_send *f, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "INSERT INTO faq_sends(inquiry_id, faq_id, channel, person_id, letter_id, "
					  "email, lang, staff_id, sent_at) VALUES (?,?,?,?,?,?,?,?,?)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->inquiry_id);
	sqlite3_bind_int64(st, 2, f->faq_id);
	sq_bind_str(st, 3, f->channel);
	sq_bind_id_or_null(st, 4, f->person_id);
	sq_bind_id_or_null(st, 5, f->letter_id);
	sq_bind_str(st, 6, f->email);
	sq_bind_str(st, 7, f->lang);
	sqlite3_bind_int64(st, 8, f->staff_id);
	sqlite3_bind_int64(st, 9, f->sent_at);
	return sq_step_insert(tx, st, id, "faq send", e);
}
