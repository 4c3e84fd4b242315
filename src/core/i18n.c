/* i18n.c - the message catalogue; see i18n.h.
 *
 * Each language's catalogue is parsed once, from all its files, into a
 * sorted array of (key, text) pairs pointing into private copies of the
 * files, searched by bisection. */
#include "core/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/embed.h"
#include "core/err.h"
#include "core/money.h"

struct entry {
	const char *key;
	const char *text;
	struct i18n_text split; /* #9: the text split into its pieces */
};

struct catalogue {
	char **copies; /* one per file, which the entries point into */
	size_t n_copies;
	struct entry *e;
	size_t n;
	/* An open-addressing index of e by a hash of the key (a power of two
	 * of slots, each an index into e plus one, 0 for empty): traces look
	 * up several keys a step, and bisection's strcmps showed in profiles. */
	uint32_t *slots;
	size_t mask;
	struct i18n_piece *pieces; /* every entry's pieces, in entry order */
	size_t n_pieces;
};

static struct catalogue cats[LANG_COUNT];
static const char *codes[LANG_COUNT] = {"nb", "en"};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

/* FNV-1a of a key. */
static size_t key_hash(const char *k)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * UINT64_C(1099511628211);
	return (size_t)(h ^ (h >> 29));
}

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

/* Does the embedded file called name hold lang's texts: "i18n/nb.txt", or
 * one area's "i18n/<area>.nb.txt"? */
static int is_catalogue_of(const char *name, const char *code)
{
	const char *dir = "i18n/";
	size_t dl = strlen(dir), nl = strlen(name), cl = strlen(code);
	if (strncmp(name, dir, dl) != 0 || nl < dl + cl + 4 || strcmp(name + nl - 4, ".txt") != 0)
		return 0;
	const char *lang = name + nl - 4 - cl;
	if (strncmp(lang, code, cl) != 0)
		return 0;
	return lang == name + dl || lang[-1] == '.';
}

/* Parse one file's "key = text" lines into c, in a copy that c keeps. */
static int parse(struct catalogue *c, const struct embed_file *f, size_t *cap, struct err *e)
{
	const char *name = f->name;
	char **copies = realloc(c->copies, (c->n_copies + 1) * sizeof(*copies));
	if (copies == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	c->copies = copies;
	char *copy = malloc(f->len + 1);
	if (copy == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	memcpy(copy, f->data, f->len + 1);
	c->copies[c->n_copies++] = copy;
	int line = 0;
	for (char *p = copy; *p != '\0';) {
		char *nl = strchr(p, '\n');
		char *end = nl ? nl : p + strlen(p);
		line++;
		char *next = nl ? nl + 1 : end;
		char *s = p;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s != '#' && *s != '\r') {
			char *eq = memchr(s, '=', (size_t)(end - s));
			if (eq == NULL)
				return err_set(e, ERR_INTERNAL, NULL, "%s:%d: expected \"key = text\"", name, line);
			char *key = trim(s, eq);
			char *text = trim(eq + 1, end);
			if (*key == '\0')
				return err_set(e, ERR_INTERNAL, NULL, "%s:%d: empty key", name, line);
			if (c->n == *cap) {
				*cap *= 2;
				struct entry *grown = realloc(c->e, *cap * sizeof(*c->e));
				if (grown == NULL)
					return err_set(e, ERR_INTERNAL, NULL, "out of memory");
				c->e = grown;
			}
			c->e[c->n].key = key;
			c->e[c->n].text = text;
			c->n++;
		}
		p = next;
	}
	return 0;
}

/* Split text into pieces as i18n_render_with() walks it: the literal run
 * up to a '{', the placeholder up to the first '}' after it (its name and
 * format cut as there), and so on; the last piece is the rest, without a
 * placeholder. With out NULL only count them. Returns the count. */
static size_t split_text(const char *text, struct i18n_piece *out)
{
	size_t n = 0;
	const char *p = text;
	for (;;) {
		const char *open = *p != '\0' ? strchr(p, '{') : NULL;
		const char *close = open ? strchr(open, '}') : NULL;
		if (open == NULL || close == NULL) {
			if (out != NULL) {
				struct i18n_piece *pc = &out[n];
				memset(pc, 0, sizeof(*pc));
				pc->lit = p;
				pc->lit_len = strlen(p);
			}
			return n + 1;
		}
		if (out != NULL) {
			struct i18n_piece *pc = &out[n];
			memset(pc, 0, sizeof(*pc));
			pc->lit = p;
			pc->lit_len = (size_t)(open - p);
			pc->raw = open;
			pc->raw_len = (size_t)(close - open + 1);
			const char *colon = memchr(open, ':', (size_t)(close - open));
			const char *name_end = colon ? colon : close;
			size_t k = (size_t)(name_end - open - 1);
			if (k >= sizeof(pc->name))
				k = sizeof(pc->name) - 1;
			memcpy(pc->name, open + 1, k);
			pc->name[k] = '\0';
			if (colon != NULL) {
				size_t f = (size_t)(close - colon - 1);
				if (f >= sizeof(pc->format))
					f = sizeof(pc->format) - 1;
				memcpy(pc->format, colon + 1, f);
				pc->format[f] = '\0';
			}
			const char *fm = pc->format;
			pc->fmt = *fm == '\0'                    ? I18N_FMT_NONE
				  : strcmp(fm, "money") == 0        ? I18N_FMT_MONEY
				  : strcmp(fm, "date") == 0         ? I18N_FMT_DATE
				  : strncmp(fm, "count=", 6) == 0   ? I18N_FMT_COUNT
				  : strcmp(fm, "label") == 0        ? I18N_FMT_LABEL
				  : strcmp(fm, "param") == 0        ? I18N_FMT_PARAM
								    : I18N_FMT_OTHER;
		}
		n++;
		p = close + 1;
	}
}

/* Split every entry of c (#9, speed: traces render catalogue texts for
 * every step of every decision). Returns 0 or -1 out of memory. */
static int split_all(struct catalogue *c, struct err *e)
{
	size_t total = 0;
	for (size_t i = 0; i < c->n; i++)
		total += split_text(c->e[i].text, NULL);
	c->pieces = calloc(total ? total : 1, sizeof(*c->pieces));
	if (c->pieces == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	c->n_pieces = total;
	size_t at = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct entry *en = &c->e[i];
		en->split.text = en->text;
		en->split.len = strlen(en->text);
		en->split.pieces = c->pieces + at;
		en->split.n = split_text(en->text, c->pieces + at);
		at += en->split.n;
	}
	return 0;
}

static char *join3(char *out, size_t len, const char *a, const char *b, const char *c);

/* Look up, for every "{n:count=<noun>}" piece, the noun's texts in every
 * language, as i18n_put_count() does: after all catalogues are loaded, as
 * a language's lookups fall back to bokmål. */
static void resolve_counts(void)
{
	for (int l = 0; l < LANG_COUNT; l++) {
		struct catalogue *c = &cats[l];
		for (size_t i = 0; i < c->n_pieces; i++) {
			struct i18n_piece *pc = &c->pieces[i];
			if (pc->raw == NULL || pc->fmt != I18N_FMT_COUNT)
				continue;
			for (int rl = 0; rl < LANG_COUNT; rl++) {
				char key[64];
				pc->one[rl] = i18n_get((enum lang)rl, join3(key, sizeof(key), "noun.", pc->format + 6, ".one"));
				pc->other[rl] =
					i18n_get((enum lang)rl, join3(key, sizeof(key), "noun.", pc->format + 6, ".other"));
				pc->one_len[rl] = strlen(pc->one[rl]);
				pc->other_len[rl] = strlen(pc->other[rl]);
			}
		}
	}
}

/* A language's catalogue: i18n/<lang>.txt and every area's
 * i18n/<area>.<lang>.txt, one set of keys across them all. */
static int load(struct catalogue *c, const char *code, struct err *e)
{
	size_t cap = 256;
	c->e = malloc(cap * sizeof(*c->e));
	if (c->e == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	c->n = 0;
	int files = 0;
	for (const struct embed_file *f = embed_files; f->name != NULL; f++) {
		if (!is_catalogue_of(f->name, code))
			continue;
		if (parse(c, f, &cap, e) != 0)
			return -1;
		files++;
	}
	if (files == 0)
		return err_set(e, ERR_INTERNAL, NULL, "i18n/%s.txt is not compiled in", code);
	qsort(c->e, c->n, sizeof(*c->e), entry_cmp);
	for (size_t i = 1; i < c->n; i++)
		if (strcmp(c->e[i - 1].key, c->e[i].key) == 0)
			return err_set(e, ERR_INTERNAL, NULL, "i18n (%s): key %s is defined twice", code,
				       c->e[i].key);
	size_t size = 64;
	while (size < c->n * 2)
		size *= 2;
	c->slots = calloc(size, sizeof(*c->slots));
	if (c->slots == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	c->mask = size - 1;
	for (size_t i = 0; i < c->n; i++) {
		size_t h = key_hash(c->e[i].key) & c->mask;
		while (c->slots[h] != 0)
			h = (h + 1) & c->mask;
		c->slots[h] = (uint32_t)(i + 1);
	}
	return split_all(c, e);
}

static void unload(struct catalogue *c)
{
	for (size_t i = 0; i < c->n_copies; i++)
		free(c->copies[i]);
	free(c->copies);
	free(c->e);
	free(c->slots);
	free(c->pieces);
	memset(c, 0, sizeof(*c));
}

int i18n_init(struct err *e)
{
	for (int l = 0; l < LANG_COUNT; l++) {
		if (cats[l].e != NULL)
			continue;
		if (load(&cats[l], codes[l], e) != 0) {
			/* Leave nothing half-loaded: a later call starts afresh. */
			unload(&cats[l]);
			return -1;
		}
	}
	resolve_counts();
	return 0;
}

int i18n_lang_parse(const char *tag, enum lang *out)
{
	if (tag == NULL)
		return -1;
	if (strncmp(tag, "nb", 2) == 0 || strncmp(tag, "no", 2) == 0 || strncmp(tag, "nn", 2) == 0) {
		if (tag[2] != '\0' && tag[2] != '-' && tag[2] != '_')
			return -1;
		*out = LANG_NB;
		return 0;
	}
	if (strncmp(tag, "en", 2) == 0 && (tag[2] == '\0' || tag[2] == '-' || tag[2] == '_')) {
		*out = LANG_EN;
		return 0;
	}
	return -1;
}

const char *i18n_lang_code(enum lang lang)
{
	return codes[lang];
}

static const struct entry *lookup_entry(enum lang lang, const char *key)
{
	const struct catalogue *c = &cats[lang];
	if (c->e == NULL || c->slots == NULL)
		return NULL;
	for (size_t h = key_hash(key) & c->mask; c->slots[h] != 0; h = (h + 1) & c->mask) {
		const struct entry *hit = &c->e[c->slots[h] - 1];
		if (strcmp(hit->key, key) == 0)
			return hit;
	}
	return NULL;
}

const char *i18n_get(enum lang lang, const char *key)
{
	const struct entry *t = lookup_entry(lang, key);
	if (t == NULL && lang != LANG_NB)
		t = lookup_entry(LANG_NB, key);
	return t ? t->text : key;
}

const struct i18n_text *i18n_text_of(enum lang lang, const char *key)
{
	const struct entry *t = lookup_entry(lang, key);
	if (t == NULL && lang != LANG_NB)
		t = lookup_entry(LANG_NB, key);
	return t ? &t->split : NULL;
}

static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
				     "August", "September", "October", "November", "December"};

int i18n_put_day(struct buf *b, enum lang lang, date_t t)
{
	int y, m, d;
	date_to_ymd(t, &y, &m, &d);
	if (y < 1800 || y > 2999) {
		/* Not a day date_parse() reads back: as i18n_put_date() writes
		 * its ISO text. */
		char iso[11];
		return i18n_put_date(b, lang, date_format(t, iso));
	}
	if (lang == LANG_EN) {
		if (buf_put_i64(b, d) != 0 || buf_putc(b, ' ') != 0 || buf_puts(b, months[m - 1]) != 0 ||
		    buf_putc(b, ' ') != 0)
			return -1;
		return buf_put_i64(b, y);
	}
	char txt[10] = {(char)('0' + d / 10), (char)('0' + d % 10), '.', (char)('0' + m / 10),
		      (char)('0' + m % 10), '.', (char)('0' + y / 1000), (char)('0' + y / 100 % 10),
		      (char)('0' + y / 10 % 10), (char)('0' + y % 10)};
	return buf_append(b, txt, sizeof(txt));
}

int i18n_put_date(struct buf *b, enum lang lang, const char *iso)
{
	date_t t;
	int64_t at;
	int minute = -1;
	if (date_parse(iso, &t) != 0) {
		/* #15: an instant ("2026-12-04T19:15:56Z") reads as the clock in
		 * Norway shows it. */
		if (date_parse_timestamp(iso, &at) != 0)
			return buf_puts(b, iso);
		date_oslo(at, &t, &minute);
	}
	int y, m, d;
	date_to_ymd(t, &y, &m, &d);
	if (lang == LANG_EN && minute < 0) {
		if (buf_put_i64(b, d) != 0 || buf_putc(b, ' ') != 0 || buf_puts(b, months[m - 1]) != 0 ||
		    buf_putc(b, ' ') != 0)
			return -1;
		return buf_put_i64(b, y);
	}
	if (lang == LANG_EN)
		return minute < 0 ? buf_printf(b, "%d %s %d", d, months[m - 1], y)
				  : buf_printf(b, "%d %s %d, %02d:%02d", d, months[m - 1], y, minute / 60, minute % 60);
	if (minute < 0 && y >= 0 && y <= 9999) {
		/* By hand: every date of every trace comes here. */
		char txt[10] = {(char)('0' + d / 10), (char)('0' + d % 10), '.', (char)('0' + m / 10),
			      (char)('0' + m % 10), '.', (char)('0' + y / 1000), (char)('0' + y / 100 % 10),
			      (char)('0' + y / 10 % 10), (char)('0' + y % 10)};
		return buf_append(b, txt, sizeof(txt));
	}
	return minute < 0 ? buf_printf(b, "%02d.%02d.%04d", d, m, y)
			  : buf_printf(b, "%02d.%02d.%04d kl. %02d.%02d", d, m, y, minute / 60, minute % 60);
}

/* Join a, b and c into out (at most len bytes with the NUL), as
 * snprintf("%s%s%s") would, without its cost: catalogue keys are built
 * this way for every step of every trace. */
static char *join3(char *out, size_t len, const char *a, const char *b, const char *c)
{
	const char *parts[3] = {a, b, c};
	size_t o = 0;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(parts[i]);
		if (o + n >= len)
			n = len - 1 - o;
		memcpy(out + o, parts[i], n);
		o += n;
	}
	out[o] = '\0';
	return out;
}

int i18n_put_count(struct buf *b, enum lang lang, const char *noun, long long n)
{
	char key[64];
	join3(key, sizeof(key), "noun.", noun, n == 1 ? ".one" : ".other");
	if (buf_put_i64(b, n) != 0 || buf_putc(b, ' ') != 0)
		return -1;
	return buf_puts(b, i18n_get(lang, key));
}

const char *i18n_key_at(enum lang lang, size_t i)
{
	return i < cats[lang].n ? cats[lang].e[i].key : NULL;
}

int i18n_has(const char *key)
{
	return i18n_get(LANG_NB, key) != key;
}

int i18n_put_label(struct buf *b, enum lang lang, const char *name, const char *code)
{
	char key[128];
	join3(key, sizeof(key), name, ".", code);
	return buf_puts(b, i18n_get(lang, key));
}

int i18n_put_param(struct buf *b, enum lang lang, const char *key)
{
	char label[128];
	join3(label, sizeof(label), "parameter.", key, "");
	return buf_puts(b, i18n_has(label) ? i18n_get(lang, label) : key);
}

/* Write one JSON argument as the placeholder's format asks. */
static int put_json_arg(struct buf *b, enum lang lang, const char *name, const char *fmt, void *ctx)
{
	const json_t *v = json_object_get((const json_t *)ctx, name);
	char tmp[64];
	if (v == NULL)
		return 1;
	if (strcmp(fmt, "money") == 0 && json_is_integer(v))
		return buf_puts(b, money_format(json_integer_value(v), lang, tmp, sizeof(tmp)));
	if (strcmp(fmt, "date") == 0 && json_is_string(v))
		return i18n_put_date(b, lang, json_string_value(v));
	if (strncmp(fmt, "count=", 6) == 0 && json_is_integer(v))
		return i18n_put_count(b, lang, fmt + 6, json_integer_value(v));
	if (strcmp(fmt, "label") == 0 && json_is_string(v))
		return i18n_put_label(b, lang, name, json_string_value(v));
	if (strcmp(fmt, "param") == 0 && json_is_string(v))
		return i18n_put_param(b, lang, json_string_value(v));
	if (json_is_string(v))
		return buf_puts(b, json_string_value(v));
	if (json_is_integer(v))
		return buf_printf(b, "%lld", (long long)json_integer_value(v));
	if (json_is_real(v)) {
		/* Decimal comma in bokmål: 39,9 km. */
		snprintf(tmp, sizeof(tmp), "%g", json_real_value(v));
		char *dot = lang == LANG_NB ? strchr(tmp, '.') : NULL;
		if (dot)
			*dot = ',';
		return buf_puts(b, tmp);
	}
	return 1;
}

int i18n_render_with(struct buf *b, enum lang lang, const char *key, i18n_arg_fn put, void *ctx)
{
	const char *p = i18n_get(lang, key);
	while (*p != '\0') {
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (open == NULL || close == NULL)
			return buf_puts(b, p);
		if (buf_append(b, p, (size_t)(open - p)) != 0)
			return -1;
		char name[64], fmt[16] = "";
		const char *colon = memchr(open, ':', (size_t)(close - open));
		const char *name_end = colon ? colon : close;
		size_t n = (size_t)(name_end - open - 1);
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, open + 1, n);
		name[n] = '\0';
		if (colon != NULL) {
			size_t f = (size_t)(close - colon - 1);
			if (f >= sizeof(fmt))
				f = sizeof(fmt) - 1;
			memcpy(fmt, colon + 1, f);
			fmt[f] = '\0';
		}
		size_t mark = b->len;
		int rc = put ? put(b, lang, name, fmt, ctx) : 1;
		if (rc < 0)
			return -1;
		if (rc > 0) {
			/* Keep an unfilled placeholder visible rather than hide it. */
			b->len = mark;
			if (buf_append(b, open, (size_t)(close - open + 1)) != 0)
				return -1;
		}
		p = close + 1;
	}
	return 0;
}

int i18n_render(struct buf *b, enum lang lang, const char *key, const json_t *args)
{
	return i18n_render_with(b, lang, key, args ? put_json_arg : NULL, (void *)args);
}

int i18n_render_text(struct buf *b, enum lang lang, const struct i18n_text *t, i18n_piece_fn put, void *ctx)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct i18n_piece *pc = &t->pieces[i];
		if (pc->lit_len > 0 && buf_append(b, pc->lit, pc->lit_len) != 0)
			return -1;
		if (pc->raw == NULL)
			break;
		size_t mark = b->len;
		int rc = put ? put(b, lang, pc, ctx) : 1;
		if (rc < 0)
			return -1;
		if (rc > 0) {
			/* Keep an unfilled placeholder visible rather than hide it. */
			b->len = mark;
			if (buf_append(b, pc->raw, pc->raw_len) != 0)
				return -1;
		}
	}
	return 0;
}
