/* deadlines.c - a person's calendar entries, written by later issues through
 * cal_deadline_put(), and their reminder settings per case type; see
 * calendar.h. */
#include "calendar/calendar.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

static const char *const kinds[] = {"documentation", "signing", "invoice", "appointment", NULL};

const int cal_offset_choices[] = {14, 7, 3, 1, 0, -1};

const char *const cal_case_types[] = {"higher-education", "upper-secondary", "payment-deferral", "interest-relief",
				      "other", NULL};

int cal_kind_valid(const char *kind)
{
	for (int i = 0; kind != NULL && kinds[i] != NULL; i++)
		if (strcmp(kinds[i], kind) == 0)
			return 1;
	return 0;
}

int cal_deadline_put(struct store_tx *tx, const struct deadline *d, int64_t now, int64_t *id, struct err *e)
{
	date_t day;
	if (!cal_kind_valid(d->kind))
		return err_set(e, ERR_INVALID, "kind", "a deadline's kind is documentation, signing, invoice or appointment");
	if (d->due == NULL || date_parse(d->due, &day) != 0)
		return err_set(e, ERR_INVALID, "due", "a deadline's due date is YYYY-MM-DD");
	if (d->source == NULL || d->source[0] == '\0')
		return err_set(e, ERR_INVALID, "source", "a deadline names its source");
	if (d->person_id <= 0)
		return err_set(e, ERR_INVALID, "person_id", "a deadline belongs to a person");
	return store_deadline_put(tx, d, now, id, e);
}

int cal_deadline_done(struct store_tx *tx, const char *source, int64_t at, struct err *e)
{
	int rc = store_deadline_done(tx, source, at, e);
	if (rc == 1)
		return err_set(e, ERR_NOT_FOUND, "source", "no deadline of that source");
	return rc;
}

int cal_default_offsets(int out[CAL_MAX_OFFSETS])
{
	out[0] = 7;
	out[1] = 1;
	return 2;
}

static int is_choice(int k)
{
	for (int i = 0; cal_offset_choices[i] >= 0; i++)
		if (cal_offset_choices[i] == k)
			return 1;
	return 0;
}

int cal_offsets_parse(const char *text, int out[CAL_MAX_OFFSETS])
{
	int n = 0;
	const char *p = text;
	if (p == NULL)
		return -1;
	while (*p != '\0') {
		int k = 0, digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 3) {
			k = k * 10 + (*p++ - '0');
			digits++;
		}
		if (digits == 0 || !is_choice(k) || n == CAL_MAX_OFFSETS)
			return -1;
		for (int i = 0; i < n; i++)
			if (out[i] == k)
				return -1;
		out[n++] = k;
		if (*p == ',' && p[1] != '\0')
			p++;
		else if (*p != '\0')
			return -1;
	}
	/* Earliest first: most days before first. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && out[j - 1] < out[j]; j--) {
			int t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

char *cal_offsets_format(const int *offsets, int n, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < n && used < len; i++) {
		int w = snprintf(out + used, len - used, "%s%d", i ? "," : "", offsets[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return out;
}

static int type_index(const char *case_type)
{
	int other = 0;
	for (int i = 0; cal_case_types[i] != NULL; i++) {
		if (case_type != NULL && strcmp(cal_case_types[i], case_type) == 0)
			return i;
		if (strcmp(cal_case_types[i], "other") == 0)
			other = i;
	}
	return other;
}

int cal_settings_load(struct store *s, int64_t person_id, struct cal_settings *out, struct err *e)
{
	struct arena a;
	struct reminder_setting *rows;
	for (int i = 0; cal_case_types[i] != NULL; i++)
		out->n[i] = cal_default_offsets(out->offsets[i]);
	arena_init(&a, 0);
	int n = store_reminder_settings(s, person_id, &rows, &a, e);
	for (int i = 0; i < n; i++) {
		int k = type_index(rows[i].case_type);
		if (strcmp(cal_case_types[k], rows[i].case_type) != 0)
			continue; /* a type no longer offered */
		int parsed = cal_offsets_parse(rows[i].offsets, out->offsets[k]);
		out->n[k] = parsed >= 0 ? parsed : cal_default_offsets(out->offsets[k]);
	}
	arena_cleanup(&a);
	return n < 0 ? -1 : 0;
}

int cal_settings_of(const struct cal_settings *st, const char *case_type, const int **offsets)
{
	int k = type_index(case_type);
	*offsets = st->offsets[k];
	return st->n[k];
}

struct save_settings {
	const struct principal *who;
	int64_t person_id; /* the person who acts on */
	const struct cal_settings *st;
	const struct cal_settings *was;
	int64_t now;
};

static int same(const int *a, int na, const int *b, int nb)
{
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static int save_settings(struct store_tx *tx, void *arg, struct err *e)
{
	struct save_settings *p = arg;
	char text[64], actor[64], object[32];
	struct buf changed;
	int rc = 0;
	buf_init(&changed, 512);
	buf_puts(&changed, "types=");
	for (int i = 0; cal_case_types[i] != NULL && rc == 0; i++) {
		if (same(p->st->offsets[i], p->st->n[i], p->was->offsets[i], p->was->n[i]))
			continue;
		cal_offsets_format(p->st->offsets[i], p->st->n[i], text, sizeof(text));
		rc = store_reminder_setting_put(tx, p->person_id, cal_case_types[i], text, p->now, e);
		if (changed.len > 6)
			buf_putc(&changed, ',');
		buf_puts(&changed, cal_case_types[i]);
	}
	if (rc == 0 && changed.len > 6) {
		access_actor(p->who, actor, sizeof(actor));
		snprintf(object, sizeof(object), "person:%lld", (long long)p->person_id);
		rc = audit_append(tx, p->now, actor, "reminders.settings.updated", object, buf_str(&changed), e);
	}
	buf_cleanup(&changed);
	return rc;
}

/* Store st for who without asking the gate: the callers have. */
static int settings_store(struct store *s, const struct principal *who, const struct cal_settings *st, int64_t now,
			  struct err *e)
{
	struct cal_settings was;
	int64_t pid = access_subject(who);
	if (cal_settings_load(s, pid, &was, e) != 0)
		return -1;
	struct save_settings p = {who, pid, st, &was, now};
	return store_write(s, save_settings, &p, e);
}

int cal_settings_save(struct store *s, const struct principal *who, const struct cal_settings *st, int64_t now,
		      struct err *e)
{
	if (access_check_subject(s, who, ACT_PREFERENCES_WRITE, "reminder settings", now, e) != 0)
		return -1;
	return settings_store(s, who, st, now, e);
}

int cal_settings_read(struct store *s, const struct principal *who, int64_t now, struct cal_settings *out,
		      struct err *e)
{
	if (access_check_subject(s, who, ACT_PREFERENCES_READ, "reminder settings", now, e) != 0)
		return -1;
	return cal_settings_load(s, access_subject(who), out, e);
}

/* A box's value naming days before: one of the choices, else -1. */
static int offset_value(const char *v)
{
	for (int c = 0; cal_offset_choices[c] >= 0; c++) {
		char text[16];
		snprintf(text, sizeof(text), "%d", cal_offset_choices[c]);
		if (v != NULL && strcmp(v, text) == 0)
			return cal_offset_choices[c];
	}
	return -1;
}

int cal_settings_update(struct store *s, const struct principal *who, const struct cal_choice *choices, int n,
			int64_t now, struct cal_settings *st, int bad[CAL_MAX_TYPES], struct err *e)
{
	int first_bad = -1;
	memset(st, 0, sizeof(*st));
	memset(bad, 0, sizeof(int) * CAL_MAX_TYPES);
	if (access_check_subject(s, who, ACT_PREFERENCES_WRITE, "reminder settings", now, e) != 0)
		return -1;
	for (int c = 0; c < n; c++) {
		for (int i = 0; cal_case_types[i] != NULL; i++) {
			if (choices[c].case_type == NULL || strcmp(choices[c].case_type, cal_case_types[i]) != 0)
				continue;
			int k = offset_value(choices[c].days), dup = 0;
			for (int j = 0; j < st->n[i]; j++)
				dup |= st->offsets[i][j] == k;
			if (k < 0 || st->n[i] == CAL_MAX_OFFSETS) {
				bad[i] = 1;
				if (first_bad < 0 || i < first_bad)
					first_bad = i;
			} else if (!dup) {
				st->offsets[i][st->n[i]++] = k;
			}
		}
	}
	/* Earliest first, as cal_offsets_parse keeps them. */
	for (int i = 0; cal_case_types[i] != NULL; i++)
		for (int j = 1; j < st->n[i]; j++)
			for (int k = j; k > 0 && st->offsets[i][k - 1] < st->offsets[i][k]; k--) {
				int t = st->offsets[i][k];
				st->offsets[i][k] = st->offsets[i][k - 1];
				st->offsets[i][k - 1] = t;
			}
	if (first_bad >= 0)
		return err_set(e, ERR_INVALID, cal_case_types[first_bad], "choose among the times offered");
	return settings_store(s, who, st, now, e);
}

enum lang cal_person_lang(struct store *s, int64_t person_id)
{
	struct arena a;
	struct contact_prefs p;
	struct err e;
	enum lang lang = LANG_NB;
	arena_init(&a, 0);
	if (store_contact_get(s, person_id, &p, &a, &e) == 0 && p.language != NULL &&
	    i18n_lang_parse(p.language, &lang) != 0)
		lang = LANG_NB;
	arena_cleanup(&a);
	return lang;
}
