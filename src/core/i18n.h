/* i18n.h - the message catalogue: every text a person reads, in Norwegian
 * bokmål and English.
 *
 * Catalogues are text files compiled into the binary: i18n/nb.txt and
 * i18n/en.txt, and for an area that keeps its own texts i18n/<area>.nb.txt
 * and i18n/<area>.en.txt; one message a line, "key = text", a key defined
 * once across a language's files. A text may name arguments in
 * braces, "{months} måneder", filled from a JSON object by i18n_render();
 * "{amount:money}" formats øre as money, "{d:date}" a date for the language.
 * A key missing from a language falls back to bokmål, then to the key
 * itself, so a missing text is visible but never fatal. Loaded once at start;
 * lookups are thread-safe afterwards. */
#ifndef STIPEND_I18N_H
#define STIPEND_I18N_H

#include <jansson.h>
#include <stddef.h>

#include "core/date.h"

struct buf;
struct err;

enum lang { LANG_NB = 0, LANG_EN = 1, LANG_COUNT };

/* Load the compiled-in catalogues. Returns 0, or -1 with e filled naming the
 * catalogue and line of a malformed entry. Call once before any lookup. */
int i18n_init(struct err *e);

/* "nb" or "en" from a language tag ("nb", "no", "nb-NO", "en", "en-GB");
 * returns -1 for one we have no catalogue for. */
int i18n_lang_parse(const char *tag, enum lang *out);
const char *i18n_lang_code(enum lang lang);

/* The text of key in lang (never NULL; see fallback above). */
const char *i18n_get(enum lang lang, const char *key);

/* Append the text of key with its arguments filled from args (an object, or
 * NULL). Returns 0 or -1 when b is full. */
int i18n_render(struct buf *b, enum lang lang, const char *key, const json_t *args);

/* The same with arguments supplied by a callback: put(b, lang, name, format,
 * ctx) appends the argument called name (format is "", "money" or "date") and
 * returns 0, 1 when it has no such argument (the placeholder stays visible),
 * or -1 when b is full. */
typedef int (*i18n_arg_fn)(struct buf *b, enum lang lang, const char *name, const char *format,
			   void *ctx);
int i18n_render_with(struct buf *b, enum lang lang, const char *key, i18n_arg_fn put, void *ctx);

/* Append a date ("2024-08-15") as the language writes it: 15.08.2024 or
 * 15 August 2024. A string that is no date is appended as it is. */
int i18n_put_date(struct buf *b, enum lang lang, const char *iso);

/* The same for a day held as a date_t (#9: without writing it as ISO text
 * and reading it back): the bytes i18n_put_date() appends for
 * date_format(t). */
int i18n_put_day(struct buf *b, enum lang lang, date_t t);

/* "{n:count=month}": n with its noun in agreement, "1 month", "2 months",
 * from the catalogue's "noun.<noun>.one" and "noun.<noun>.other". */
int i18n_put_count(struct buf *b, enum lang lang, const char *noun, long long n);

/* "{missing_parameter:param}": a parameter's key in words, the catalogue's
 * "parameter.<key>" (the bare key when it has none). */
int i18n_put_param(struct buf *b, enum lang lang, const char *key);

/* "{relief_ground:label}": a code shown in words, the catalogue's
 * "<name>.<code>" ("relief_ground.unemployment"), so that no code reaches a
 * sentence. */
int i18n_put_label(struct buf *b, enum lang lang, const char *name, const char *code);

/* The i-th key of lang's catalogue, in key order; NULL past the last. For
 * tests and tools that go through a whole catalogue. */
const char *i18n_key_at(enum lang lang, size_t i);

/* 1 when the catalogues hold key (in bokmål, the one every key is in). */
int i18n_has(const char *key);

/* #9, speed: a catalogue text split once, when the catalogues are loaded,
 * into literal runs and placeholders, for a caller that renders the same
 * texts very often (the trace of every decision). Rendering the pieces
 * gives exactly what i18n_render_with() gives for the key. */
enum i18n_fmt {
	I18N_FMT_NONE,  /* "{name}" */
	I18N_FMT_MONEY, /* "{name:money}" */
	I18N_FMT_DATE,  /* "{name:date}" */
	I18N_FMT_COUNT, /* "{name:count=<noun>}" */
	I18N_FMT_LABEL, /* "{name:label}" */
	I18N_FMT_PARAM, /* "{name:param}" */
	I18N_FMT_OTHER  /* any other format */
};

struct i18n_piece {
	const char *lit; /* the literal text before the placeholder */
	size_t lit_len;
	const char *raw; /* the placeholder as written, "{n:count=month}"; NULL in the last piece */
	size_t raw_len;
	char name[64];  /* as i18n_render_with() cuts it */
	char format[16];
	enum i18n_fmt fmt;
	/* I18N_FMT_COUNT: the noun's "one" and "other" texts in each
	 * language, as i18n_put_count() would look them up. */
	const char *one[LANG_COUNT], *other[LANG_COUNT];
	size_t one_len[LANG_COUNT], other_len[LANG_COUNT];
};

struct i18n_text {
	const char *text; /* the whole text, as i18n_get() returns it */
	size_t len;
	const struct i18n_piece *pieces; /* n, the last without a placeholder */
	size_t n;
};

/* The split text of key in lang, falling back to bokmål as i18n_get()
 * does; NULL when neither catalogue holds the key (i18n_get() would give
 * the key itself). Owned by the catalogue, valid for the life of the
 * process; thread-safe after i18n_init(). */
const struct i18n_text *i18n_text_of(enum lang lang, const char *key);

/* Append t with its placeholders filled by put(b, lang, piece, ctx), which
 * returns 0, 1 when it has no such argument (the placeholder stays
 * visible, as written), or -1 when b is full. Returns 0, or -1 when b is
 * full. The same bytes as i18n_render_with() with a callback that fills
 * the same arguments. */
typedef int (*i18n_piece_fn)(struct buf *b, enum lang lang, const struct i18n_piece *pc, void *ctx);
int i18n_render_text(struct buf *b, enum lang lang, const struct i18n_text *t, i18n_piece_fn put, void *ctx);

#endif
