/* institution.c - the institutions' workspace: the students of an
 * institution, the facts it reports about them (one at a time, a selection,
 * a file, the API: all go through inst_apply), and its administrator's
 * colleagues. See institution.h.
 *
 * A batch is checked whole before anything is written: each line's fields,
 * then each student through the gate (outside the write, so that a
 * refusal's audit record stays), and only a batch without a problem is
 * written, in one transaction, with an audit record per fact. An
 * interruption shortens the case's education to the day the student
 * stopped and has the case decided again (cases_redecide), so that the new
 * decision pays no month after it. */
#include "institution/institution.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "cases/jobs.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/nin.h"
#include "payout/payout.h"
#include "registers/registers.h"
#include "store/institution.h"
#include "store/store.h"

int inst_orgnr_valid(const char *s)
{
	return reg_orgnr_valid(s);
}

/* The gate for the workspace itself: who must be an institution's. */
static int workspace_gate(struct store *s, const struct principal *who, enum action act, int64_t now,
                          struct institution *in, struct arena *a, struct err *e)
{
	char object[48];
	snprintf(object, sizeof(object), "institution:%s", who->institution ? who->institution : "-");
	if (access_check(s, who, act, 0, object, "institution", now, e) != 0)
		return -1;
	int rc = store_institution_get(s, who->institution, in, a, e);
	if (rc == 1)
		return err_set(e, ERR_NOT_FOUND, NULL, "the schools register does not know institution %s",
		               who->institution);
	return rc;
}

int inst_gate(struct store *s, const struct principal *who, enum action act, int64_t now, struct err *e)
{
	struct arena a;
	struct institution in;
	arena_init(&a, 0);
	int rc = workspace_gate(s, who, act, now, &in, &a, e);
	arena_cleanup(&a);
	return rc;
}

int inst_gate_orgnr(struct store *s, const struct principal *who, const char *orgnr, int64_t now, struct err *e)
{
	if (who->institution != NULL && orgnr != NULL && strcmp(who->institution, orgnr) == 0)
		return inst_gate(s, who, ACT_INSTITUTION_WORKSPACE, now, e);
	/* Another institution's: who holds no relation to it. */
	struct principal other = *who;
	char object[48];
	other.institution = NULL;
	snprintf(object, sizeof(object), "institution:%.20s", orgnr ? orgnr : "-");
	return access_check(s, &other, ACT_INSTITUTION_WORKSPACE, 0, object, "institution", now, e);
}

/* ---- checking a report ---- */

static int is_confirmation(const char *kind)
{
	return strcmp(kind, "admission") == 0 || strcmp(kind, "semester-registration") == 0 ||
	       strcmp(kind, "attendance") == 0;
}

static int known_kind(const char *kind)
{
	return is_confirmation(kind) || strcmp(kind, "credits") == 0 || strcmp(kind, "interruption") == 0;
}

/* Whether kind is reported by an institution of level. */
static int kind_fits(const char *kind, const char *level)
{
	int upper = strcmp(level, "upper-secondary") == 0;
	if (strcmp(kind, "attendance") == 0)
		return upper;
	if (strcmp(kind, "interruption") == 0)
		return 1;
	return !upper; /* admission, semester registration, credits: higher education */
}

/* A semester "2024-autumn" or "2025-spring": its first and last day. */
static int semester_parse(const char *s, date_t *first, date_t *last)
{
	if (s == NULL || strlen(s) < 11 || strspn(s, "0123456789") != 4 || s[4] != '-')
		return -1;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	if (y < 1900 || y > 2999)
		return -1;
	if (strcmp(s + 5, "autumn") == 0) {
		*first = date_from_ymd(y, 8, 1);
		*last = date_from_ymd(y, 12, 31);
		return 0;
	}
	if (strcmp(s + 5, "spring") == 0) {
		*first = date_from_ymd(y, 1, 1);
		*last = date_from_ymd(y, 7, 31);
		return 0;
	}
	return -1;
}

/* Credits "7,5" or "7.5" (0 to 60, steps of 0.5) as half credits, or -1. */
static int half_credits(const char *s)
{
	int whole = 0, digits = 0;
	const char *p = s;
	while (*p >= '0' && *p <= '9' && digits < 3)
		whole = whole * 10 + (*p++ - '0'), digits++;
	if (digits == 0)
		return -1;
	int half = 0;
	if (*p == '.' || *p == ',') {
		p++;
		if (*p == '5')
			half = 1, p++;
		else if (*p == '0')
			p++;
		else
			return -1;
		if (*p == '0')
			p++;
	}
	if (*p != '\0' || whole > 60 || (whole == 60 && half))
		return -1;
	return whole * 2 + half;
}

static int problem(struct inst_result *res, int cap, int line, const char *column, const char *code,
                   const char *message)
{
	if (res->n_problems < cap)
		res->problems[res->n_problems] = (struct inst_problem){line, column, code, message};
	res->n_problems++;
	return -1;
}

/* One report checked, ready to store. */
struct checked {
	struct institution_fact f;
	int redecide; /* an interruption of a case to decide again */
	const char *end;
};

/* Check item's fields (not its student). Returns 0, or -1 with its problems
 * added. */
static int check_fields(const struct inst_report *it, const struct institution *in, int line, date_t today,
                        struct checked *c, struct inst_result *res, int cap, struct arena *a)
{
	int bad = 0;
	date_t first = 0, last = 0, day = today;
	if (it->nin == NULL || it->nin[0] == '\0')
		bad |= problem(res, cap, line, "nin", "nin.missing", "is required");
	else if (nin_parse(it->nin, NULL, NULL) != 0)
		bad |= problem(res, cap, line, "nin", "nin.invalid", "must be 11 digits with valid check digits");
	const char *kind = it->kind ? it->kind : "";
	int kind_ok = known_kind(kind);
	if (!kind_ok)
		bad |= problem(res, cap, line, "kind", "kind.unknown", "must be one of " INST_KINDS);
	else if (!kind_fits(kind, in->level))
		bad |= problem(res, cap, line, "kind", strcmp(in->level, "higher") == 0 ? "kind.higher" : "kind.upper",
		               strcmp(in->level, "higher") == 0
		                   ? "attendance is reported by upper-secondary schools"
		                   : "admission, semester registration and credits are reported in higher education");
	const char *period = it->period ? it->period : "";
	int by_semester = strcmp(kind, "semester-registration") == 0 || strcmp(kind, "credits") == 0;
	if (kind_ok) {
		int ok = by_semester ? semester_parse(period, &first, &last) == 0
		                     : date_school_year(period, &first, &last) == 0;
		if (!ok)
			bad |= problem(res, cap, line, "period", by_semester ? "period.semester" : "period.year",
			               by_semester ? "must be a semester such as 2024-autumn or 2025-spring"
			                           : "must be a school year such as 2024-2025");
	}
	if (it->date != NULL && it->date[0] != '\0') {
		/* #15: as every date field reads it: dd.mm.åååå or ISO. */
		if (date_parse_input(it->date, &day) != 0)
			bad |= problem(res, cap, line, "date", "date.invalid", "must be a date such as 19.08.2024 or 2024-08-19");
		else if (strcmp(kind, "interruption") == 0 && first != 0 && (day < first || day > last))
			bad |= problem(res, cap, line, "date", "date.outside", "must be within the period");
	}
	int hc = -1;
	const char *credits = it->credits ? it->credits : "";
	if (strcmp(kind, "credits") == 0) {
		if (credits[0] == '\0')
			bad |= problem(res, cap, line, "credits", "credits.missing", "is required for credits");
		else if ((hc = half_credits(credits)) < 0)
			bad |= problem(res, cap, line, "credits", "credits.invalid", "must be 0 to 60 in steps of 0.5");
	} else if (credits[0] != '\0') {
		bad |= problem(res, cap, line, "credits", "credits.unexpected", "is given only with kind credits");
	}
	if (bad)
		return -1;
	char iso[11];
	c->f.kind = kind;
	c->f.period = period;
	c->f.effective = arena_strdup(a, date_format(day, iso));
	c->f.half_credits = hc;
	c->redecide = strcmp(kind, "interruption") == 0;
	c->end = c->f.effective;
	return 0;
}

/* The school year a confirmation that is a payout condition is for
 * (attendance: its school year; semester registration: the school year of
 * its semester), or NULL for one that is not (admission, credits, an
 * interruption). */
static const char *payout_year(const char *kind, const char *period, struct arena *a)
{
	int y = (int)strtol(period, NULL, 10);
	if (strcmp(kind, "attendance") == 0)
		return period;
	if (strcmp(kind, "semester-registration") != 0)
		return NULL;
	return strcmp(period + 5, "autumn") == 0 ? arena_printf(a, "%d-%d", y, y + 1)
	                                         : arena_printf(a, "%d-%d", y - 1, y);
}

struct apply_tx {
	const struct principal *who;
	struct checked *items;
	int n;
	int64_t now;
	struct inst_result *res;
};

static int apply_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct apply_tx *t = arg;
	char actor[80], object[32], detail[96];
	access_actor(t->who, actor, sizeof(actor));
	t->res->applied = t->res->unchanged = t->res->redecided = 0;
	for (int i = 0; i < t->n; i++) {
		struct checked *c = &t->items[i];
		int added = 0;
		if (store_institution_fact_insert(tx, &c->f, &added, e) != 0)
			return -1;
		if (!added) {
			t->res->unchanged++;
			continue;
		}
		t->res->applied++;
		snprintf(object, sizeof(object), "person:%lld", (long long)c->f.person_id);
		if (c->f.half_credits >= 0)
			snprintf(detail, sizeof(detail), "%s %s %s %d.%d", c->f.kind, c->f.period, c->f.effective,
			         c->f.half_credits / 2, c->f.half_credits % 2 ? 5 : 0);
		else
			snprintf(detail, sizeof(detail), "%s %s %s", c->f.kind, c->f.period, c->f.effective);
		if (audit_append(tx, t->now, actor,
		                 is_confirmation(c->f.kind) ? "institution.confirmed" : "institution.reported", object,
		                 detail, e) != 0)
			return -1;
		if (c->redecide && c->f.case_id != 0) {
			/* The education ends on the day: the new decision has
			 * fewer months, and the payout plan made again from it
			 * (payout/plan.c) pays nothing after the date and claims
			 * what was paid for months after it. */
			if (store_institution_case_end(tx, c->f.case_id, c->end, e) != 0 ||
			    cases_redecide(tx, c->f.case_id, t->now, actor, "institution.interruption", e) != 0)
				return -1;
			t->res->redecided++;
		}
	}
	return 0;
}

static int by_line(const void *x, const void *y)
{
	const struct inst_problem *p = x, *q = y;
	return (p->line > q->line) - (p->line < q->line);
}

/* inst_apply(), with the problems of pre (may be NULL) counted first. */
static int batch(const struct cases_env *env, const struct principal *who, const struct inst_report *items, int n,
                 int first_line, int64_t now, const struct inst_result *pre, struct inst_result *res, struct arena *a,
                 struct err *e)
{
	struct store *s = env->store;
	struct institution in;
	memset(res, 0, sizeof(*res));
	if (workspace_gate(s, who, ACT_INSTITUTION_WORKSPACE, now, &in, a, e) != 0)
		return -1;
	if (n < 0 || n > INST_BATCH_MAX)
		return err_set(e, ERR_INVALID, "items", "at most %d reports at a time", INST_BATCH_MAX);
	int n_pre = pre ? pre->n_problems : 0;
	int cap = n + n_pre + 16;
	res->problems = arena_zalloc(a, sizeof(*res->problems) * (size_t)cap);
	for (int i = 0; i < n_pre; i++)
		res->problems[res->n_problems++] = pre->problems[i];

	struct checked *c = arena_zalloc(a, sizeof(*c) * (size_t)(n > 0 ? n : 1));
	date_t today = (date_t)(now / 86400);
	const char *source = arena_printf(a, "institution:%s", in.orgnr);
	if (n == 0 && n_pre == 0)
		problem(res, cap, first_line, "items", "empty", "there is nothing to report");
	for (int i = 0; i < n; i++) {
		int line = items[i].line ? items[i].line : first_line + i;
		if (check_fields(&items[i], &in, line, today, &c[i], res, cap, a) != 0)
			continue;
		/* The student: the institution's own, who has applied. The gate
		 * answers the same for a person who does not exist and one who is
		 * not the institution's (and audits the refusal). */
		struct person p;
		struct err ge;
		int found = store_person_by_nin(s, items[i].nin, &p, a, e);
		if (found < 0)
			return -1;
		char object[32];
		snprintf(object, sizeof(object), "person:%lld", found == 0 ? (long long)p.id : 0LL);
		enum action act = is_confirmation(c[i].f.kind) ? ACT_INSTITUTION_CONFIRM : ACT_INSTITUTION_REPORT;
		if (access_check(s, who, act, found == 0 ? p.id : 0, found == 0 ? object : NULL, "student", now, &ge) !=
		    0) {
			if (ge.code != ERR_NOT_FOUND && ge.code != ERR_FORBIDDEN)
				return err_set(e, ge.code, NULL, "%s", ge.message);
			problem(res, cap, line, "nin", "nin.unknown", "is not a student of yours who has applied");
			continue;
		}
		struct institution_student st;
		int rc = store_institution_student(s, in.orgnr, p.id, &st, a, e);
		if (rc < 0)
			return -1;
		c[i].f.orgnr = in.orgnr;
		c[i].f.person_id = p.id;
		c[i].f.case_id = rc == 0 ? st.case_id : 0;
		c[i].f.source = source;
		c[i].f.staff_id = who->client_id ? 0 : who->staff_id;
		c[i].f.client_id = who->client_id;
		c[i].f.reported_at = now;
		if (c[i].redecide && rc == 0 && strcmp(st.school_year, c[i].f.period) != 0)
			c[i].redecide = 0; /* another year's case: nothing to decide again */
	}
	if (res->n_problems > cap)
		res->n_problems = cap;
	if (res->n_problems > 0) {
		qsort(res->problems, (size_t)res->n_problems, sizeof(*res->problems), by_line);
		return 0;
	}
	struct apply_tx t = {who, c, n, now, res};
	if (store_write(s, apply_tx, &t, e) != 0)
		return -1;
	/* The payout condition of #10: attendance and semester registration
	 * are recorded with the payouts, each in its own transaction
	 * (payout_confirmation_record keeps a year's first confirmation), so
	 * every confirmation of the batch, new or not, is passed on: a batch
	 * sent again after a failure here completes what was missed. */
	for (int i = 0; i < n; i++) {
		const char *year = payout_year(c[i].f.kind, c[i].f.period, a);
		if (year != NULL && payout_confirmation_record(s, c[i].f.person_id, year, c[i].f.kind, c[i].f.source,
		                                               now, NULL, e) != 0)
			return -1;
	}
	if (res->redecided > 0 && env->jobs != NULL)
		jobs_notify(env->jobs);
	return 0;
}

int inst_apply(const struct cases_env *env, const struct principal *who, const struct inst_report *items, int n,
               int first_line, int64_t now, struct inst_result *res, struct arena *a, struct err *e)
{
	return batch(env, who, items, n, first_line, now, NULL, res, a, e);
}

int inst_report_one(const struct cases_env *env, const struct principal *who, int64_t person_id,
                    const struct inst_report *rep, int64_t now, struct inst_result *res, struct arena *a, struct err *e)
{
	char object[32];
	struct person p;
	memset(res, 0, sizeof(*res));
	snprintf(object, sizeof(object), "person:%lld", (long long)person_id);
	if (access_check(env->store, who, ACT_INSTITUTION_REPORT, person_id, object, "student", now, e) != 0)
		return -1;
	int rc = store_person_get(env->store, person_id, &p, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such student");
	struct inst_report one = *rep;
	one.nin = p.nin;
	one.line = 1;
	return batch(env, who, &one, 1, 1, now, NULL, res, a, e);
}

int inst_csv_apply(const struct cases_env *env, const struct principal *who, const char *text, size_t len, int64_t now,
                   struct inst_result *res, struct arena *a, struct err *e)
{
	struct institution in;
	struct inst_report *items;
	struct inst_result read;
	memset(res, 0, sizeof(*res));
	if (workspace_gate(env->store, who, ACT_INSTITUTION_WORKSPACE, now, &in, a, e) != 0)
		return -1;
	int n = inst_csv_read(text, len, &items, &read, a);
	if (n < 0) {
		*res = read;
		return 0;
	}
	return batch(env, who, items, n, 2, now, &read, res, a, e);
}

/* ---- what the workspace shows ---- */

static void student_row(struct inst_student_row *r, const struct institution_student *x, struct arena *a)
{
	r->person_id = x->person_id;
	r->nin = x->nin;
	r->name = arena_printf(a, "%s %s", x->given_name, x->family_name);
	r->birth_date = x->birth_date;
	r->programme = x->programme;
	r->case_id = x->case_id;
	r->scheme = x->scheme;
	r->school_year = x->school_year;
	r->status = x->status;
	r->outcome = x->outcome;
	r->confirmed = x->confirmed;
	r->interrupted = x->interrupted;
}

struct reading {
	const char *actor, *action, *object;
	int64_t now;
};

static int audit_reading(struct store_tx *tx, void *arg, struct err *e)
{
	struct reading *r = arg;
	return audit_append(tx, r->now, r->actor, r->action, r->object, NULL, e);
}

static int audit_read(struct store *s, const struct principal *who, const char *action, const char *object, int64_t now,
                      struct err *e)
{
	char actor[80];
	struct reading r = {access_actor(who, actor, sizeof(actor)), action, object, now};
	return store_write(s, audit_reading, &r, e);
}

int inst_overview(struct store *s, const struct principal *who, int64_t now, struct inst_overview *out, struct arena *a,
                  struct err *e)
{
	struct institution in;
	memset(out, 0, sizeof(*out));
	if (workspace_gate(s, who, ACT_INSTITUTION_WORKSPACE, now, &in, a, e) != 0)
		return -1;
	struct institution_student *xs;
	int n = store_institution_students(s, in.orgnr, &xs, a, e);
	if (n < 0)
		return -1;
	out->orgnr = in.orgnr;
	out->name = in.name;
	out->level = in.level;
	out->admin = access_allowed(who, ACT_INSTITUTION_STAFF_MANAGE, 0);
	out->students = arena_zalloc(a, sizeof(*out->students) * (size_t)(n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
		student_row(&out->students[i], &xs[i], a);
	out->n_students = n;
	return audit_read(s, who, "institution.students.read", arena_printf(a, "institution:%s", in.orgnr), now, e);
}

int inst_student(struct store *s, const struct principal *who, int64_t person_id, int64_t now,
                 struct inst_student_row *out, struct inst_fact_row **facts, int *n_facts, struct arena *a,
                 struct err *e)
{
	char object[32];
	snprintf(object, sizeof(object), "person:%lld", (long long)person_id);
	if (access_check(s, who, ACT_INSTITUTION_STUDENT_READ, person_id, object, "student", now, e) != 0)
		return -1;
	struct institution_student x;
	int rc = store_institution_student(s, who->institution, person_id, &x, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such student");
	student_row(out, &x, a);
	struct institution_fact *fs;
	int n = store_institution_facts_of(s, who->institution, person_id, &fs, a, e);
	if (n < 0)
		return -1;
	*facts = arena_zalloc(a, sizeof(**facts) * (size_t)(n > 0 ? n : 1));
	for (int i = 0; i < n; i++) {
		struct inst_fact_row *f = &(*facts)[i];
		f->kind = fs[i].kind;
		f->period = fs[i].period;
		f->effective = fs[i].effective;
		f->half_credits = fs[i].half_credits;
		f->reported_by = fs[i].client_id ? arena_printf(a, "client:%s", fs[i].client_id)
		                                 : arena_printf(a, "staff:%lld", (long long)fs[i].staff_id);
		f->reported_at = fs[i].reported_at;
	}
	*n_facts = n;
	return audit_read(s, who, "institution.students.read", object, now, e);
}

/* ---- the administrator ---- */

int inst_staff(struct store *s, const struct principal *who, int64_t now, struct inst_colleague **staff, int *n_staff,
               struct inst_client_row **clients, int *n_clients, struct arena *a, struct err *e)
{
	struct institution in;
	if (workspace_gate(s, who, ACT_INSTITUTION_STAFF_MANAGE, now, &in, a, e) != 0)
		return -1;
	struct staff *st;
	int n = store_institution_staff(s, in.orgnr, &st, a, e);
	if (n < 0)
		return -1;
	*staff = arena_zalloc(a, sizeof(**staff) * (size_t)(n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
		(*staff)[i] = (struct inst_colleague){st[i].id, st[i].username, st[i].name, st[i].admin};
	*n_staff = n;
	struct institution_client *cs;
	int m = store_institution_clients(s, in.orgnr, &cs, a, e);
	if (m < 0)
		return -1;
	*clients = arena_zalloc(a, sizeof(**clients) * (size_t)(m > 0 ? m : 1));
	for (int i = 0; i < m; i++)
		(*clients)[i] = (struct inst_client_row){cs[i].client_id, cs[i].registered_at, cs[i].revoked_at != 0};
	*n_clients = m;
	return 0;
}

struct add_staff {
	struct staff m;
	const char *actor;
	int64_t now;
};

static int add_staff_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct add_staff *t = arg;
	int64_t id;
	char object[32];
	if (store_staff_insert(tx, &t->m, &id, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "staff:%lld", (long long)id);
	return audit_append(tx, t->now, t->actor, "institution.staff.added", object, t->m.admin ? "admin" : NULL, e);
}

int inst_staff_add(struct store *s, const struct principal *who, const char *username, const char *name, int admin,
                   int64_t now, struct err *e)
{
	struct institution in;
	struct arena a;
	arena_init(&a, 0);
	int rc = workspace_gate(s, who, ACT_INSTITUTION_STAFF_MANAGE, now, &in, &a, e);
	if (rc != 0)
		goto out;
	size_t ul = username ? strlen(username) : 0, nl = name ? strlen(name) : 0;
	rc = -1;
	if (ul < 3 || ul > 64 || strspn(username, "abcdefghijklmnopqrstuvwxyz0123456789.-_") != ul) {
		err_set(e, ERR_INVALID, "username", "3 to 64 of a-z, 0-9, '.', '-' and '_'");
		goto out;
	}
	while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '\t'))
		nl--;
	if (nl == 0 || nl > 200) {
		err_set(e, ERR_INVALID, "name", "1 to 200 characters");
		goto out;
	}
	struct staff existing;
	int found = store_staff_by_username(s, username, &existing, &a, e);
	if (found < 0)
		goto out;
	if (found == 0) {
		err_set(e, ERR_CONFLICT, "username", "the username is taken");
		goto out;
	}
	char actor[80];
	struct add_staff t = {{0, username, arena_strndup(&a, name, nl), "institution", 0, in.orgnr, admin ? 1 : 0},
	                      access_actor(who, actor, sizeof(actor)),
	                      now};
	rc = store_write(s, add_staff_tx, &t, e);
out:
	arena_cleanup(&a);
	return rc;
}
