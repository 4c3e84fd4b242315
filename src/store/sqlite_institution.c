/* sqlite_institution.c - the institutions' workspace's storage on SQLite
 * (see institution.h): institutions by organisation number, the facts they
 * report, and the student systems' keys, assertion ids and access tokens.
 *
 * A student belongs to an institution when the place of study the agency
 * holds for them (persons.institution, the schools register's name) is the
 * institution's name in the schools register (institutions.name): one join,
 * asked by the policy and by every list, so that the two cannot differ. */
#include <sqlite3.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "store/institution.h"
#include "store/sqlite_internal.h"

int store_institution_put(struct store_tx *tx, const struct institution *in, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "INSERT INTO institutions(orgnr, name, level) VALUES (?1, ?2, ?3) "
	                           "ON CONFLICT(orgnr) DO UPDATE SET name = ?2, level = ?3",
	                           e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, in->orgnr);
	sq_bind_str(st, 2, in->name);
	sq_bind_str(st, 3, in->level);
	return sq_step_insert(tx, st, NULL, "put institution", e);
}

static int institution_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct institution *in = (struct institution *)out + i;
	in->orgnr = sq_col_str(st, 0, a);
	in->name = sq_col_str(st, 1, a);
	in->level = sq_col_str(st, 2, a);
	return 0;
}

int store_institution_get(struct store *s, const char *orgnr, struct institution *out, struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT orgnr, name, level FROM institutions WHERE orgnr = ?", sq_bind_text, orgnr,
	                 institution_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

struct orgnr_person {
	const char *orgnr;
	int64_t person_id;
};

static void bind_orgnr_person(sqlite3_stmt *st, const void *arg)
{
	const struct orgnr_person *q = arg;
	sqlite3_bind_text(st, 1, q->orgnr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->person_id);
}

int store_institution_has_student(struct store *s, const char *orgnr, int64_t person_id, struct err *e)
{
	struct orgnr_person q = {orgnr, person_id};
	int64_t n = 0;
	int rc =
	    sq_query(s,
	             "SELECT count(*) FROM persons p JOIN institutions i ON i.name = p.institution "
	             "WHERE i.orgnr = ?1 AND p.id = ?2 AND EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id)",
	             bind_orgnr_person, &q, sq_count_row, &n, 1, NULL, e);
	return rc < 0 ? -1 : n > 0;
}

/* The newest case of each student, with the newest confirmation and any
 * interruption reported for its school year (for higher education a
 * semester of the school year counts). */
#define STUDENT_SELECT                                                                                                 \
	"SELECT p.id, p.nin, p.given_name, p.family_name, p.birth_date, p.programme, c.id, c.scheme, "                 \
	"c.school_year, c.status, c.outcome, "                                                                         \
	"(SELECT f.kind FROM institution_facts f WHERE f.person_id = p.id AND f.orgnr = i.orgnr "                      \
	" AND f.kind IN ('admission', 'semester-registration', 'attendance') "                                         \
	" AND (f.period = c.school_year OR f.period IN (substr(c.school_year, 1, 4) || '-autumn', "                    \
	" substr(c.school_year, 6, 4) || '-spring')) ORDER BY f.id DESC LIMIT 1), "                                    \
	"(SELECT min(f.effective) FROM institution_facts f WHERE f.person_id = p.id AND f.orgnr = i.orgnr "            \
	" AND f.kind = 'interruption' AND f.period = c.school_year) "                                                  \
	"FROM persons p JOIN institutions i ON i.name = p.institution "                                                \
	"JOIN cases c ON c.id = (SELECT max(id) FROM cases WHERE person_id = p.id) WHERE i.orgnr = ?1 "

static int student_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct institution_student *x = (struct institution_student *)out + i;
	x->person_id = sqlite3_column_int64(st, 0);
	x->nin = sq_col_str(st, 1, a);
	x->given_name = sq_col_str(st, 2, a);
	x->family_name = sq_col_str(st, 3, a);
	if (date_parse((const char *)sqlite3_column_text(st, 4), &x->birth_date) != 0)
		x->birth_date = 0;
	x->programme = sq_col_str(st, 5, a);
	x->case_id = sqlite3_column_int64(st, 6);
	x->scheme = sq_col_str(st, 7, a);
	x->school_year = sq_col_str(st, 8, a);
	x->status = sq_col_str(st, 9, a);
	x->outcome = sq_col_str(st, 10, a);
	x->confirmed = sq_col_str(st, 11, a);
	x->interrupted = sq_col_str(st, 12, a);
	return 0;
}

int store_institution_students(struct store *s, const char *orgnr, struct institution_student **out, struct arena *a,
                               struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * INSTITUTION_STUDENTS_MAX);
	return sq_query(s, STUDENT_SELECT "ORDER BY p.family_name, p.given_name, p.id", sq_bind_text, orgnr,
	                student_row, *out, INSTITUTION_STUDENTS_MAX, a, e);
}

int store_institution_student(struct store *s, const char *orgnr, int64_t person_id, struct institution_student *out,
                              struct arena *a, struct err *e)
{
	struct orgnr_person q = {orgnr, person_id};
	int n = sq_query(s, STUDENT_SELECT "AND p.id = ?2", bind_orgnr_person, &q, student_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_institution_fact_insert(struct store_tx *tx, const struct institution_fact *f, int *added, struct err *e)
{
	sqlite3_stmt *st =
	    sq_prep(tx->c,
	            "INSERT INTO institution_facts(orgnr, person_id, case_id, kind, period, effective, "
	            "half_credits, source, staff_id, client_id, reported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
	            "ON CONFLICT DO NOTHING",
	            e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, f->orgnr);
	sqlite3_bind_int64(st, 2, f->person_id);
	if (f->case_id)
		sqlite3_bind_int64(st, 3, f->case_id);
	sq_bind_str(st, 4, f->kind);
	sq_bind_str(st, 5, f->period);
	sq_bind_str(st, 6, f->effective);
	if (f->half_credits >= 0)
		sqlite3_bind_int(st, 7, f->half_credits);
	sq_bind_str(st, 8, f->source);
	if (f->staff_id)
		sqlite3_bind_int64(st, 9, f->staff_id);
	sq_bind_str(st, 10, f->client_id);
	sqlite3_bind_int64(st, 11, f->reported_at);
	if (sq_step_insert(tx, st, NULL, "insert institution fact", e) != 0)
		return -1;
	if (added)
		*added = sqlite3_changes(tx->c->db) > 0;
	return 0;
}

static int fact_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct institution_fact *f = (struct institution_fact *)out + i;
	f->id = sqlite3_column_int64(st, 0);
	f->orgnr = sq_col_str(st, 1, a);
	f->person_id = sqlite3_column_int64(st, 2);
	f->case_id = sqlite3_column_int64(st, 3);
	f->kind = sq_col_str(st, 4, a);
	f->period = sq_col_str(st, 5, a);
	f->effective = sq_col_str(st, 6, a);
	f->half_credits = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 7);
	f->source = sq_col_str(st, 8, a);
	f->staff_id = sqlite3_column_int64(st, 9);
	f->client_id = sq_col_str(st, 10, a);
	f->reported_at = sqlite3_column_int64(st, 11);
	return 0;
}

int store_institution_facts_of(struct store *s, const char *orgnr, int64_t person_id, struct institution_fact **out,
                               struct arena *a, struct err *e)
{
	struct orgnr_person q = {orgnr, person_id};
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s,
	                "SELECT id, orgnr, person_id, coalesce(case_id, 0), kind, period, effective, half_credits, "
	                "source, coalesce(staff_id, 0), client_id, reported_at FROM institution_facts "
	                "WHERE orgnr = ?1 AND person_id = ?2 ORDER BY id DESC",
	                bind_orgnr_person, &q, fact_row, *out, LIST_MAX, a, e);
}

int store_institution_case_end(struct store_tx *tx, int64_t case_id, const char *end, struct err *e)
{
	sqlite3_stmt *st =
	    sq_prep(tx->c,
	            "UPDATE cases SET application_json = json_set(application_json, '$.education.end', ?2) "
	            "WHERE id = ?1 AND json_extract(application_json, '$.education.end') > ?2",
	            e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sq_bind_str(st, 2, end);
	return sq_step_insert(tx, st, NULL, "shorten the education", e);
}

static int staff_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct staff *m = (struct staff *)out + i;
	m->id = sqlite3_column_int64(st, 0);
	m->username = sq_col_str(st, 1, a);
	m->name = sq_col_str(st, 2, a);
	m->role = sq_col_str(st, 3, a);
	m->may_see_confidential = sqlite3_column_int(st, 4);
	m->institution = sq_col_str(st, 5, a);
	m->admin = sqlite3_column_int(st, 6);
	return 0;
}

int store_institution_staff(struct store *s, const char *orgnr, struct staff **out, struct arena *a, struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * LIST_MAX);
	return sq_query(s,
	                "SELECT id, username, name, role, may_see_confidential, institution, admin FROM staff "
	                "WHERE role = 'institution' AND institution = ? ORDER BY name, id",
	                sq_bind_text, orgnr, staff_row, *out, LIST_MAX, a, e);
}

/* ---- student systems ---- */

int store_institution_client_insert(struct store_tx *tx, const struct institution_client *c, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "INSERT INTO institution_clients(client_id, orgnr, public_key_pem, "
	                           "registered_at, registered_by) VALUES (?,?,?,?,?)",
	                           e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, c->client_id);
	sq_bind_str(st, 2, c->orgnr);
	sq_bind_str(st, 3, c->public_key_pem);
	sqlite3_bind_int64(st, 4, c->registered_at);
	sqlite3_bind_int64(st, 5, c->registered_by);
	return sq_step_insert(tx, st, NULL, "insert institution client", e);
}

#define CLIENT_COLS "client_id, orgnr, public_key_pem, registered_at, registered_by, coalesce(revoked_at, 0)"

static int client_row(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct institution_client *c = (struct institution_client *)out + i;
	c->client_id = sq_col_str(st, 0, a);
	c->orgnr = sq_col_str(st, 1, a);
	c->public_key_pem = sq_col_str(st, 2, a);
	c->registered_at = sqlite3_column_int64(st, 3);
	c->registered_by = sqlite3_column_int64(st, 4);
	c->revoked_at = sqlite3_column_int64(st, 5);
	return 0;
}

int store_institution_client_get(struct store *s, const char *client_id, struct institution_client *out,
                                 struct arena *a, struct err *e)
{
	int n = sq_query(s, "SELECT " CLIENT_COLS " FROM institution_clients WHERE client_id = ?", sq_bind_text,
	                 client_id, client_row, out, 1, a, e);
	return n < 0 ? -1 : n == 0;
}

int store_institution_clients(struct store *s, const char *orgnr, struct institution_client **out, struct arena *a,
                              struct err *e)
{
	*out = arena_zalloc(a, sizeof(**out) * 50);
	return sq_query(s,
	                "SELECT " CLIENT_COLS " FROM institution_clients WHERE orgnr = ? ORDER BY registered_at DESC",
	                sq_bind_text, orgnr, client_row, *out, 50, a, e);
}

int store_institution_client_revoke(struct store_tx *tx, const char *orgnr, const char *client_id, int64_t now,
                                    struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "UPDATE institution_clients SET revoked_at = ?3 WHERE orgnr = ?1 "
	                           "AND client_id = ?2 AND revoked_at IS NULL",
	                           e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, orgnr);
	sq_bind_str(st, 2, client_id);
	sqlite3_bind_int64(st, 3, now);
	if (sq_step_insert(tx, st, NULL, "revoke institution client", e) != 0)
		return -1;
	if (sqlite3_changes(tx->c->db) == 0)
		return 1;
	st = sq_prep(tx->c, "DELETE FROM institution_tokens WHERE client_id = ?", e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, client_id);
	return sq_step_insert(tx, st, NULL, "forget the client's tokens", e);
}

int store_institution_jti_take(struct store_tx *tx, const char *client_id, const char *jti, int64_t expires_at,
                               int64_t now, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c, "DELETE FROM institution_jtis WHERE expires_at < ?", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	if (sq_step_insert(tx, st, NULL, "forget old assertion ids", e) != 0)
		return -1;
	st = sq_prep(tx->c,
	             "INSERT INTO institution_jtis(jti, client_id, expires_at) VALUES (?,?,?) "
	             "ON CONFLICT DO NOTHING",
	             e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, jti);
	sq_bind_str(st, 2, client_id);
	sqlite3_bind_int64(st, 3, expires_at);
	if (sq_step_insert(tx, st, NULL, "take assertion id", e) != 0)
		return -1;
	if (sqlite3_changes(tx->c->db) == 0)
		return err_set(e, ERR_CONFLICT, "jti", "the assertion was used before");
	return 0;
}

int store_institution_token_put(struct store_tx *tx, const char *hash, const char *client_id, const char *orgnr,
                                int64_t expires_at, struct err *e)
{
	sqlite3_stmt *st = sq_prep(tx->c,
	                           "INSERT INTO institution_tokens(hash, client_id, orgnr, expires_at) "
	                           "VALUES (?,?,?,?)",
	                           e);
	if (st == NULL)
		return -1;
	sq_bind_str(st, 1, hash);
	sq_bind_str(st, 2, client_id);
	sq_bind_str(st, 3, orgnr);
	sqlite3_bind_int64(st, 4, expires_at);
	return sq_step_insert(tx, st, NULL, "put access token", e);
}

struct token_q {
	const char *hash;
	int64_t now;
};

static void bind_token(sqlite3_stmt *st, const void *arg)
{
	const struct token_q *q = arg;
	sqlite3_bind_text(st, 1, q->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->now);
}

struct token_row {
	const char *client_id, *orgnr;
};

static int token_row_fn(sqlite3_stmt *st, void *out, int i, struct arena *a)
{
	struct token_row *t = (struct token_row *)out + i;
	t->client_id = sq_col_str(st, 0, a);
	t->orgnr = sq_col_str(st, 1, a);
	return 0;
}

int store_institution_token_get(struct store *s, const char *hash, int64_t now, const char **client_id,
                                const char **orgnr, struct arena *a, struct err *e)
{
	struct token_q q = {hash, now};
	struct token_row t;
	int n =
	    sq_query(s,
	             "SELECT t.client_id, t.orgnr FROM institution_tokens t JOIN institution_clients c "
	             "ON c.client_id = t.client_id WHERE t.hash = ?1 AND t.expires_at > ?2 AND c.revoked_at IS NULL",
	             bind_token, &q, token_row_fn, &t, 1, a, e);
	if (n <= 0)
		return n < 0 ? -1 : 1;
	*client_id = t.client_id;
	*orgnr = t.orgnr;
	return 0;
}
