/* changes.c - corrections to the synthetic population and the event
 * feeds; see changes.h.
 *
 * Corrections are few (a test's or a demo's), kept in one array under a
 * lock and searched linearly; while there are none, a register's answer
 * pays one atomic load. */
#include "sim/changes.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/nin.h"

#define MAX_CHANGES 10000

enum change_kind { CHG_ENROLMENT, CHG_CREDITS, CHG_INCOME, CHG_DEATH };

static const char *change_names[] = {"enrolment", "credits", "income", "death"};
static const char *change_register[] = {"schools", "schools", "tax", "population"};

struct change {
	int64_t sequence; /* in its register's feed */
	int64_t index;
	char nin[12];
	enum change_kind kind;
	int value; /* load percent; half credits; tax year; the date of death (date_t) */
	int64_t amount; /* income in øre */
	int semester_year, autumn;
	int64_t at;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct change *changes;
static atomic_int n_changes;
static int64_t last_sequence[3]; /* per register that makes corrections: tax, schools, population */

static int register_slot(const char *reg)
{
	return strcmp(reg, "tax") == 0 ? 0 : strcmp(reg, "schools") == 0 ? 1 : strcmp(reg, "population") == 0 ? 2 : -1;
}

static int want_int(json_t *j, const char *key, int64_t lo, int64_t hi, int64_t *out, struct err *e)
{
	json_t *v = json_object_get(j, key);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return err_set(e, ERR_INVALID, key, "must be a whole number from %lld to %lld", (long long)lo,
			       (long long)hi);
	*out = json_integer_value(v);
	return 0;
}

int64_t simchg_post(const char *body, size_t len, int64_t persons, uint64_t seed, int64_t now, struct err *e)
{
	struct change c = {0};
	json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	const char *nin = json_string_value(json_object_get(j, "nin"));
	const char *kind = json_string_value(json_object_get(j, "change"));
	struct synth_person p;
	int64_t v = 0, rc = -1;
	if (!json_is_object(j)) {
		err_set(e, ERR_INVALID, "body", "must be a JSON object");
		goto out;
	}
	if (nin == NULL || nin_parse(nin, NULL, NULL) != 0) {
		err_set(e, ERR_INVALID, "nin", "must be a valid national identity number");
		goto out;
	}
	if (synth_find(seed, persons, nin, &p) != 0) {
		err_set(e, ERR_NOT_FOUND, "nin", "no such person in the population");
		goto out;
	}
	c.index = p.index;
	memcpy(c.nin, p.nin, sizeof(c.nin));
	c.at = now;
	if (kind != NULL && strcmp(kind, "enrolment") == 0) {
		c.kind = CHG_ENROLMENT;
		if (p.level == SYNTH_NOT_ENROLLED) {
			err_set(e, ERR_INVALID, "change", "the person is enrolled nowhere");
			goto out;
		}
		if (want_int(j, "load_percent", 0, 100, &v, e) != 0)
			goto out;
		c.value = (int)v;
	} else if (kind != NULL && strcmp(kind, "credits") == 0) {
		c.kind = CHG_CREDITS;
		const char *sem = json_string_value(json_object_get(j, "semester"));
		char year[5];
		date_t d;
		if (sem == NULL || strlen(sem) < 11 || sem[4] != '-' ||
		    (strcmp(sem + 5, "spring") != 0 && strcmp(sem + 5, "autumn") != 0)) {
			err_set(e, ERR_INVALID, "semester", "must be YYYY-spring or YYYY-autumn");
			goto out;
		}
		memcpy(year, sem, 4);
		year[4] = '\0';
		char probe[11];
		snprintf(probe, sizeof(probe), "%s-01-01", year);
		if (date_parse(probe, &d) != 0) {
			err_set(e, ERR_INVALID, "semester", "must be YYYY-spring or YYYY-autumn");
			goto out;
		}
		int y, m, dd;
		date_to_ymd(d, &y, &m, &dd);
		c.semester_year = y;
		c.autumn = strcmp(sem + 5, "autumn") == 0;
		json_t *cr = json_object_get(j, "credits");
		double credits = json_is_number(cr) ? json_number_value(cr) : -1;
		if (credits < 0 || credits > 60 || (int)(credits * 2) != credits * 2) {
			err_set(e, ERR_INVALID, "credits", "must be a number of credits from 0 to 60, in halves");
			goto out;
		}
		c.value = (int)(credits * 2);
	} else if (kind != NULL && strcmp(kind, "income") == 0) {
		c.kind = CHG_INCOME;
		if (want_int(j, "year", SYNTH_FIRST_TAX_YEAR, SYNTH_LAST_TAX_YEAR, &v, e) != 0)
			goto out;
		c.value = (int)v;
		if (want_int(j, "income", 0, 100000000000LL, &c.amount, e) != 0)
			goto out;
	} else if (kind != NULL && strcmp(kind, "death") == 0) {
		/* The loan account (#11): the population register records a
		 * death; its date is on the person from then on. */
		c.kind = CHG_DEATH;
		const char *day = json_string_value(json_object_get(j, "date"));
		date_t d;
		if (day == NULL || date_parse(day, &d) != 0) {
			err_set(e, ERR_INVALID, "date", "must be a date that exists, YYYY-MM-DD");
			goto out;
		}
		if (d < p.birth_date) {
			err_set(e, ERR_INVALID, "date", "must not be before the person's birth");
			goto out;
		}
		c.value = (int)d;
	} else {
		err_set(e, ERR_INVALID, "change", "must be enrolment, credits, income or death");
		goto out;
	}
	pthread_mutex_lock(&mu);
	int n = atomic_load(&n_changes);
	if (n == MAX_CHANGES) {
		pthread_mutex_unlock(&mu);
		err_set(e, ERR_CONFLICT, "change", "the simulator holds as many corrections as it can");
		goto out;
	}
	if (changes == NULL && (changes = calloc(MAX_CHANGES, sizeof(*changes))) == NULL) {
		pthread_mutex_unlock(&mu);
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	int slot = register_slot(change_register[c.kind]);
	c.sequence = ++last_sequence[slot];
	changes[n] = c;
	atomic_store(&n_changes, n + 1);
	pthread_mutex_unlock(&mu);
	rc = c.sequence;
out:
	json_decref(j);
	return rc;
}

void simchg_apply(struct synth_person *p)
{
	if (atomic_load(&n_changes) == 0)
		return;
	pthread_mutex_lock(&mu);
	int n = atomic_load(&n_changes);
	for (int i = 0; i < n; i++) {
		const struct change *c = &changes[i];
		if (c->index != p->index)
			continue;
		if (c->kind == CHG_ENROLMENT) {
			p->load_percent = c->value;
		} else if (c->kind == CHG_CREDITS) {
			/* A semester reported again replaces what was reported. */
			int k = 0;
			while (k < p->n_semesters &&
			       (p->semesters[k].year != c->semester_year || p->semesters[k].autumn != c->autumn))
				k++;
			int most = (int)(sizeof(p->semesters) / sizeof(p->semesters[0]));
			if (k == p->n_semesters && k == most) {
				/* Full: the oldest semester makes room for the newest. */
				memmove(p->semesters, p->semesters + 1, sizeof(p->semesters[0]) * (size_t)(most - 1));
				k = most - 1;
			} else if (k == p->n_semesters) {
				p->n_semesters++;
			}
			p->semesters[k] = (struct synth_semester){c->semester_year, c->autumn, c->value};
		}
	}
	pthread_mutex_unlock(&mu);
}

int simchg_income(int64_t index, int year, int64_t *income)
{
	int found = 0;
	if (atomic_load(&n_changes) == 0)
		return 0;
	pthread_mutex_lock(&mu);
	int n = atomic_load(&n_changes);
	for (int i = 0; i < n; i++)
		if (changes[i].index == index && changes[i].kind == CHG_INCOME && changes[i].value == year) {
			*income = changes[i].amount;
			found = 1;
		}
	pthread_mutex_unlock(&mu);
	return found;
}

int simchg_death(int64_t index, date_t *died)
{
	int found = 0;
	if (atomic_load(&n_changes) == 0)
		return 0;
	pthread_mutex_lock(&mu);
	int n = atomic_load(&n_changes);
	for (int i = 0; i < n; i++)
		if (changes[i].index == index && changes[i].kind == CHG_DEATH) {
			*died = (date_t)changes[i].value;
			found = 1;
		}
	pthread_mutex_unlock(&mu);
	return found;
}

int simchg_events(struct buf *b, const char *reg, int64_t after, int limit)
{
	int slot = register_slot(reg), listed = 0, rc = 0;
	char at[21];
	rc |= buf_puts(b, "{\"events\":[");
	pthread_mutex_lock(&mu);
	int n = atomic_load(&n_changes);
	for (int i = 0; i < n && slot >= 0 && listed < limit; i++) {
		const struct change *c = &changes[i];
		if (register_slot(change_register[c->kind]) != slot || c->sequence <= after)
			continue;
		rc |= buf_printf(b, "%s{\"sequence\":%lld,\"nin\":\"%s\",\"change\":\"%s\",\"at\":\"%s\"}",
				 listed++ ? "," : "", (long long)c->sequence, c->nin, change_names[c->kind],
				 date_format_timestamp(c->at, at));
	}
	rc |= buf_printf(b, "],\"last\":%lld}\n", (long long)(slot >= 0 ? last_sequence[slot] : 0));
	pthread_mutex_unlock(&mu);
	return rc ? -1 : 0;
}
