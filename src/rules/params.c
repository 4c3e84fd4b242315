/* params.c - strict loader of dated parameter files (YAML, through libyaml's
 * event parser); see params.h.
 *
 * The loader walks the event stream of each file: a top-level mapping whose
 * keys are parameter names and whose values are mappings of the six fields.
 * Every string lives in the set's own arena; the values are kept sorted by
 * key and date so that a lookup is a bisection. */
#include "rules/params.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "core/arena.h"
#include "core/embed.h"
#include "core/err.h"

struct params {
	struct arena arena;
	char *name;
	struct param *v;
	size_t n, cap;
	/* #9, speed: an open-addressing index of v by a hash of the key, each
	 * slot the index of a key's first value plus one (0: empty); a power
	 * of two of slots. Every trace step looks a parameter up. */
	uint32_t *slots;
	size_t mask;
	uint64_t id; /* #9: no two sets of a process share one (params_get_literal) */
};

static atomic_uint_fast64_t last_id;

/* FNV-1a of a key. */
static size_t key_hash(const char *k)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * UINT64_C(1099511628211);
	return (size_t)(h ^ (h >> 29));
}

/* Index p->v (sorted by key) by key. Returns 0 or -1 out of memory. */
static int index_keys(struct params *p)
{
	size_t size = 64;
	while (size < p->n * 2)
		size *= 2;
	free(p->slots);
	p->slots = calloc(size, sizeof(*p->slots));
	if (p->slots == NULL)
		return -1;
	p->mask = size - 1;
	for (size_t i = 0; i < p->n; i++) {
		if (i > 0 && strcmp(p->v[i - 1].key, p->v[i].key) == 0)
			continue;
		size_t h = key_hash(p->v[i].key) & p->mask;
		while (p->slots[h] != 0)
			h = (h + 1) & p->mask;
		p->slots[h] = (uint32_t)(i + 1);
	}
	return 0;
}

static struct params *set_new(const char *name)
{
	struct params *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	arena_init(&p->arena, 0);
	p->name = arena_strdup(&p->arena, name);
	p->id = (uint64_t)atomic_fetch_add(&last_id, 1) + 1;
	return p;
}

void params_free(struct params *p)
{
	if (p == NULL)
		return;
	free(p->v);
	free(p->slots);
	arena_cleanup(&p->arena);
	free(p);
}

const char *params_name(const struct params *p)
{
	return p->name;
}

size_t params_count(const struct params *p)
{
	return p->n;
}

const struct param *params_at(const struct params *p, size_t i)
{
	return i < p->n ? &p->v[i] : NULL;
}

static int push(struct params *p, const struct param *v)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct param *grown = realloc(p->v, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		p->v = grown;
		p->cap = cap;
	}
	p->v[p->n++] = *v;
	return 0;
}

/* Parse an integer value, allowing no sign but '-' and no other characters. */
static int parse_int(const char *s, int64_t *out)
{
	char *end;
	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Read the six fields of one parameter from the event stream: the mapping
 * start has been consumed. */
static int read_fields(struct params *p, yaml_parser_t *y, struct param *v, const char *file,
		       struct err *e)
{
	int have_value = 0, have_from = 0, have_to = 0;
	for (;;) {
		yaml_event_t k, val;
		if (!yaml_parser_parse(y, &k))
			return err_set(e, ERR_INVALID, NULL, "%s:%zu: %s", file, y->problem_mark.line + 1,
				       y->problem ? y->problem : "YAML error");
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			break;
		}
		int line = (int)k.start_mark.line + 1;
		if (k.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&k);
			return err_set(e, ERR_INVALID, NULL, "%s:%d: expected a field name", file, line);
		}
		char field[32];
		snprintf(field, sizeof(field), "%s", (const char *)k.data.scalar.value);
		yaml_event_delete(&k);
		if (!yaml_parser_parse(y, &val))
			return err_set(e, ERR_INVALID, NULL, "%s:%zu: %s", file, y->problem_mark.line + 1,
				       y->problem ? y->problem : "YAML error");
		if (val.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&val);
			return err_set(e, ERR_INVALID, NULL, "%s:%d: %s must be a single value", file, line, field);
		}
		const char *s = (const char *)val.data.scalar.value;
		int rc = 0;
		if (strcmp(field, "value") == 0) {
			rc = parse_int(s, &v->value) ? err_set(e, ERR_INVALID, NULL, "%s:%d: value must be an integer (use øre, percent or another whole unit)", file, line) : 0;
			have_value = 1;
		} else if (strcmp(field, "unit") == 0) {
			v->unit = arena_strdup(&p->arena, s);
		} else if (strcmp(field, "valid_from") == 0 || strcmp(field, "valid_to") == 0) {
			int from = field[6] == 'f';
			if (date_parse(s, from ? &v->valid_from : &v->valid_to) != 0)
				rc = err_set(e, ERR_INVALID, NULL, "%s:%d: %s \"%s\" is not a date (YYYY-MM-DD)", file, line, field, s);
			*(from ? &have_from : &have_to) = 1;
		} else if (strcmp(field, "reference") == 0) {
			v->reference = arena_strdup(&p->arena, s);
		} else if (strcmp(field, "source") == 0) {
			v->source = arena_strdup(&p->arena, s);
		} else {
			rc = err_set(e, ERR_INVALID, NULL, "%s:%d: unknown field \"%s\"", file, line, field);
		}
		yaml_event_delete(&val);
		if (rc != 0)
			return -1;
	}
	const char *missing = !have_value ? "value" : v->unit == NULL ? "unit" : !have_from ? "valid_from"
		: !have_to ? "valid_to" : v->reference == NULL || !*v->reference ? "reference"
		: v->source == NULL || !*v->source ? "source" : NULL;
	if (missing != NULL)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: %s has no %s", file, v->line, v->key, missing);
	if (v->valid_to < v->valid_from)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: %s ends before it begins", file, v->line, v->key);
	return 0;
}

static int load_text(struct params *p, const char *file, const unsigned char *text, size_t len,
		     struct err *e)
{
	yaml_parser_t y;
	yaml_event_t ev;
	int rc = -1, depth = 0;
	const char *fname = arena_strdup(&p->arena, file);

	if (!yaml_parser_initialize(&y))
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	yaml_parser_set_input_string(&y, text, len);
	for (;;) {
		if (!yaml_parser_parse(&y, &ev)) {
			err_set(e, ERR_INVALID, NULL, "%s:%zu: %s", file, y.problem_mark.line + 1,
				y.problem ? y.problem : "YAML error");
			goto out;
		}
		yaml_event_type_t t = ev.type;
		int line = (int)ev.start_mark.line + 1;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_MAPPING_START_EVENT && depth == 0) {
			depth = 1;
		} else if (t == YAML_MAPPING_END_EVENT && depth == 1) {
			depth = 0;
		} else if (t == YAML_SCALAR_EVENT && depth == 1) {
			struct param v = {0};
			v.key = arena_strdup(&p->arena, (const char *)ev.data.scalar.value);
			v.file = fname;
			v.line = line;
			yaml_event_delete(&ev);
			if (!yaml_parser_parse(&y, &ev) || ev.type != YAML_MAPPING_START_EVENT) {
				err_set(e, ERR_INVALID, NULL, "%s:%d: %s must be a mapping of value, unit, valid_from, valid_to, reference and source", file, line, v.key);
				goto out;
			}
			yaml_event_delete(&ev);
			if (read_fields(p, &y, &v, file, e) != 0 || push(p, &v) != 0)
				goto out_parsed;
			continue;
		} else if (t != YAML_STREAM_START_EVENT && t != YAML_DOCUMENT_START_EVENT &&
			   t != YAML_DOCUMENT_END_EVENT) {
			err_set(e, ERR_INVALID, NULL, "%s:%d: expected parameter names at the top level", file, line);
			goto out;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
	goto out_parsed;
out:
	yaml_event_delete(&ev);
out_parsed:
	yaml_parser_delete(&y);
	if (rc != 0 && e != NULL && e->message[0] == '\0')
		err_set(e, ERR_INTERNAL, NULL, "%s: out of memory", file);
	return rc;
}

static int param_cmp(const void *a, const void *b)
{
	const struct param *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c != 0)
		return c;
	return (x->valid_from > y->valid_from) - (x->valid_from < y->valid_from);
}

/* The trace's JSON of v (see struct param), in p's arena: the key is one
 * of ours (letters, digits, '.', '_'), written without escaping as the
 * trace writes it. */
static void make_json(struct params *p, struct param *v)
{
	char from[11], to[11];
	size_t k = strlen(v->key);
	char *j = arena_alloc(&p->arena, k + 4);
	j[0] = '"';
	memcpy(j + 1, v->key, k);
	memcpy(j + 1 + k, "\":", 3);
	v->json_key = j;
	v->json_key_len = k + 3;
	date_format(v->valid_from, from);
	date_format(v->valid_to, to);
	/* "key": {"valid_from":"<10>","valid_to":"<10>"} */
	static const char a[] = "{\"valid_from\":\"", b[] = "\",\"valid_to\":\"", c[] = "\"}";
	size_t n = k + 3 + (sizeof(a) - 1) + 10 + (sizeof(b) - 1) + 10 + (sizeof(c) - 1);
	char *w = arena_alloc(&p->arena, n + 1), *o = w;
	memcpy(o, j, k + 3), o += k + 3;
	memcpy(o, a, sizeof(a) - 1), o += sizeof(a) - 1;
	memcpy(o, from, 10), o += 10;
	memcpy(o, b, sizeof(b) - 1), o += sizeof(b) - 1;
	memcpy(o, to, 10), o += 10;
	memcpy(o, c, sizeof(c) - 1), o += sizeof(c) - 1;
	*o = '\0';
	v->json_validity = w;
	v->json_validity_len = n;
}

static int finish(struct params *p, struct err *e)
{
	if (p->n == 0)
		return err_set(e, ERR_INVALID, NULL, "parameter set %s holds no values", p->name);
	qsort(p->v, p->n, sizeof(*p->v), param_cmp);
	for (size_t i = 1; i < p->n; i++) {
		const struct param *a = &p->v[i - 1], *b = &p->v[i];
		if (strcmp(a->key, b->key) == 0 && b->valid_from <= a->valid_to)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: %s overlaps the value at %s:%d", b->file, b->line,
				       b->key, a->file, a->line);
	}
	if (index_keys(p) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < p->n; i++)
		make_json(p, &p->v[i]);
	return 0;
}

struct params *params_load_builtin(struct err *e)
{
	struct params *p = set_new("no");
	if (p == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	for (const struct embed_file *f = embed_files; f->name != NULL; f++) {
		size_t n = strlen(f->name);
		if (strncmp(f->name, "params/no/", 10) != 0 || n < 5 || strcmp(f->name + n - 5, ".yaml") != 0)
			continue;
		if (load_text(p, f->name, f->data, f->len, e) != 0)
			goto fail;
	}
	if (finish(p, e) != 0)
		goto fail;
	return p;
fail:
	params_free(p);
	return NULL;
}

static int load_file(struct params *p, const char *path, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return err_set(e, ERR_IO, NULL, "%s: cannot open", path);
	unsigned char *text = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 24)) {
				err_set(e, ERR_IO, NULL, "%s: too large", path);
				goto out;
			}
			unsigned char *grown = realloc(text, cap);
			if (grown == NULL)
				goto out;
			text = grown;
		}
		size_t got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	rc = load_text(p, path, text, len, e);
out:
	free(text);
	fclose(f);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load the YAML files of dir, in name order; descend one level when
 * `descend` is set. */
static int load_folder(struct params *p, const char *dir, int descend, int *count, struct err *e)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return err_set(e, ERR_IO, NULL, "%s: cannot open folder", dir);
	char *names[512];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == 512) {
			closedir(d);
			return err_set(e, ERR_INVALID, NULL, "%s: more than 512 entries", dir);
		}
		names[n++] = arena_strdup(&p->arena, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *path = arena_printf(&p->arena, "%s/%s", dir, names[i]);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		size_t len = strlen(names[i]);
		if (S_ISDIR(st.st_mode) && descend) {
			if (load_folder(p, path, 0, count, e) != 0)
				return -1;
		} else if (S_ISREG(st.st_mode) && len > 5 && strcmp(names[i] + len - 5, ".yaml") == 0) {
			if (load_file(p, path, e) != 0)
				return -1;
			(*count)++;
		}
	}
	return 0;
}

struct params *params_load_dir(const char *dir, struct err *e)
{
	/* The set is named after the folder's last component: "params/no/" is "no". */
	char name[256];
	snprintf(name, sizeof(name), "%s", dir);
	size_t len = strlen(name);
	while (len > 1 && name[len - 1] == '/')
		name[--len] = '\0';
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	struct params *p = set_new(base);
	int count = 0;
	if (p == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	if (load_folder(p, dir, 1, &count, e) != 0)
		goto fail;
	if (count == 0) {
		err_set(e, ERR_INVALID, NULL, "%s: no .yaml parameter files found", dir);
		goto fail;
	}
	if (finish(p, e) != 0)
		goto fail;
	return p;
fail:
	params_free(p);
	return NULL;
}

const struct param *params_get(const struct params *p, const char *key, date_t on)
{
	if (p->slots != NULL) {
		for (size_t h = key_hash(key) & p->mask; p->slots[h] != 0; h = (h + 1) & p->mask) {
			size_t first = p->slots[h] - 1;
			if (strcmp(p->v[first].key, key) != 0)
				continue;
			for (size_t i = first; i < p->n && strcmp(p->v[i].key, key) == 0; i++)
				if (p->v[i].valid_from <= on && on <= p->v[i].valid_to)
					return &p->v[i];
			return NULL;
		}
		return NULL;
	}
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(p->v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < p->n && strcmp(p->v[i].key, key) == 0; i++)
		if (p->v[i].valid_from <= on && on <= p->v[i].valid_to)
			return &p->v[i];
	return NULL;
}

/* Where key's values stand in p->v: the first and how many (0 when none). */
static void key_values(const struct params *p, const char *key, size_t *first, size_t *count)
{
	*first = 0;
	*count = 0;
	if (p->slots != NULL) {
		for (size_t h = key_hash(key) & p->mask; p->slots[h] != 0; h = (h + 1) & p->mask) {
			size_t f = p->slots[h] - 1;
			if (strcmp(p->v[f].key, key) != 0)
				continue;
			size_t i = f;
			while (i < p->n && strcmp(p->v[i].key, key) == 0)
				i++;
			*first = f;
			*count = i - f;
			return;
		}
		return;
	}
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(p->v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t i = lo;
	while (i < p->n && strcmp(p->v[i].key, key) == 0)
		i++;
	*first = lo;
	*count = i - lo;
}

/* Each thread's memory of where a literal key's values stand in a set,
 * by the set's id and the key's address. */
#define LITERAL_SLOTS 512
struct literal_memo {
	uint64_t id;
	const char *key;
	uint32_t first, count;
};
static _Thread_local struct literal_memo literal_memo[LITERAL_SLOTS];

const struct param *params_get_literal(const struct params *p, const char *key, date_t on)
{
	uintptr_t k = (uintptr_t)key;
	struct literal_memo *m = &literal_memo[(k >> 3 ^ k >> 12 ^ (uintptr_t)p->id * 40503u) & (LITERAL_SLOTS - 1)];
	if (m->id != p->id || m->key != key) {
		size_t first, count;
		key_values(p, key, &first, &count);
		if (first > UINT32_MAX || count > UINT32_MAX)
			return params_get(p, key, on);
		m->id = p->id;
		m->key = key;
		m->first = (uint32_t)first;
		m->count = (uint32_t)count;
	}
	for (size_t i = m->first; i < (size_t)m->first + m->count; i++)
		if (p->v[i].valid_from <= on && on <= p->v[i].valid_to)
			return &p->v[i];
	return NULL;
}

int params_key_covers(const char *key)
{
	/* #14: a service figure ("service.") is in force until the agency
	 * publishes another; it says nothing about whether rules are. #11: the
	 * disability write-off's figures are of the calendar year an
	 * application is received, held for years whose school years the set
	 * does not otherwise cover. */
	return strncmp(key, "service.", 8) != 0 && strncmp(key, "loan.disability.", 16) != 0;
}

int params_covers(const struct params *p, date_t on)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].valid_from <= on && on <= p->v[i].valid_to && params_key_covers(p->v[i].key))
			return 1;
	return 0;
}

struct params *params_with_value(const struct params *p, const char *key, date_t on, int64_t value, struct err *e)
{
	const struct param *old = params_get(p, key, on);
	if (old == NULL) {
		err_set(e, ERR_NOT_FOUND, "parameter", "no value of %s is in force then", key);
		return NULL;
	}
	struct params *q = set_new(p->name);
	if (q == NULL || (q->v = malloc((p->n ? p->n : 1) * sizeof(*q->v))) == NULL) {
		params_free(q);
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	/* The strings stay the original's: the copy lives within its life. */
	memcpy(q->v, p->v, p->n * sizeof(*q->v));
	q->n = q->cap = p->n;
	q->v[old - p->v].value = value;
	if (index_keys(q) != 0) {
		params_free(q);
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	return q;
}

/* ---- #14: the compiled-in set shared by the process ---- */

static struct params *shared_set;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

static void load_shared(void)
{
	struct err e;
	shared_set = params_load_builtin(&e);
}

const struct params *params_builtin_shared(void)
{
	pthread_once(&shared_once, load_shared);
	return shared_set;
}
