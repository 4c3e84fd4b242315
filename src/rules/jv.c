/* jv.c - a read-only JSON view for reading applications; see jv.h.
 *
 * The reader declines rather than guesses: whatever it accepts, jansson
 * accepts with the same values, so that declining only costs time. */
#include "rules/jv.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define JV_MAX_DEPTH 32   /* applications nest three deep */
#define JV_MAX_MEMBERS 64 /* in one object or array; more: jansson reads it */

struct reader {
	char *p, *end; /* in the arena's copy of the text */
	struct arena *a;
};

static void skip_ws(struct reader *r)
{
	char *p = r->p, *end = r->end;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	r->p = p;
}

/* A string's bytes after its opening quote, up to the closing one; only
 * printable ASCII without escapes is read here. The string stays where it
 * is in the reader's copy of the text, its closing quote made its NUL
 * (#9, speed: no copy a string). Returns 0 or -1 (declined). */
static int read_string(struct reader *r, const char **s, size_t *n)
{
	/* Local pointers: a store through a char pointer could alias r->p,
	 * which the compiler would otherwise write back every byte. */
	char *start = r->p, *p = start, *end = r->end;
	/* Eight bytes at a time while none is a quote, a backslash, a control
	 * byte or outside ASCII (the bit tricks of "Bit Twiddling Hacks"). */
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
	while (end - p >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
		uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w;
		if ((hit & highs) != 0)
			break;
		p += 8;
	}
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"') {
			*n = (size_t)(p - start);
			*s = start;
			*p = '\0';
			r->p = p + 1;
			return 0;
		}
		if (c < 0x20 || c >= 0x80 || c == '\\')
			return -1;
	}
	return -1;
}

/* The number at s (len bytes, of JSON's form, checked by the caller)
 * without strtoll or strtod when that is exact (#9, speed): an integer of
 * at most 18 digits, which no int64_t overflows; a real whose digits,
 * without the point, make an integer below 2^53 and which has at most 22
 * digits after the point and no exponent. Then the integer and the power
 * of ten are doubles exactly, and one division of two exact doubles is
 * rounded correctly, as strtod rounds (Clinger's fast path). Returns 0, or
 * -1 when the caller must convert it the long way. */
static int fast_number(const char *s, size_t len, int real, struct jv *v)
{
	static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
				       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	const char *p = s, *end = s + len;
	int neg = 0, digits = 0, frac = -1;
	uint64_t m = 0;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++) {
		if (*p == '.') {
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			return -1; /* an exponent */
		if (++digits > 18)
			return -1;
		m = m * 10 + (uint64_t)(*p - '0');
		if (frac >= 0)
			frac++;
	}
	if (!real) {
		v->type = JV_INT;
		v->i = neg ? -(int64_t)m : (int64_t)m;
		return 0;
	}
	if (frac < 0 || frac > 22 || m >= (UINT64_C(1) << 53))
		return -1;
	double d = (double)m / pow10[frac];
	v->type = JV_REAL;
	v->r = neg ? -d : d;
	return 0;
}

/* A number as JSON writes it, converted as jansson converts it (strtoll,
 * strtod); one out of range is declined, as jansson refuses it. */
static int read_number(struct reader *r, struct jv *v)
{
	const char *start = r->p;
	int real = 0;
	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end)
		return -1;
	if (*r->p == '0') {
		r->p++;
	} else if (*r->p >= '1' && *r->p <= '9') {
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	} else {
		return -1;
	}
	if (r->p < r->end && *r->p == '.') {
		real = 1;
		r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return -1;
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		real = 1;
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return -1;
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	size_t len = (size_t)(r->p - start);
	if (fast_number(start, len, real, v) == 0)
		return 0;
	char tmp[64];
	if (len >= sizeof(tmp))
		return -1;
	memcpy(tmp, start, len);
	tmp[len] = '\0';
	errno = 0;
	if (!real) {
		long long i = strtoll(tmp, NULL, 10);
		if (errno == ERANGE)
			return -1;
		v->type = JV_INT;
		v->i = i;
	} else {
		double d = strtod(tmp, NULL);
		if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
			return -1;
		v->type = JV_REAL;
		v->r = d;
	}
	return 0;
}

static int read_literal(struct reader *r, const char *word, enum jv_type type, struct jv *v)
{
	size_t n = strlen(word);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return -1;
	r->p += n;
	v->type = type;
	return 0;
}

static int read_value(struct reader *r, struct jv *v, int depth);

/* An object or an array after its opening bracket. Its members are read
 * straight into the arena (#9, speed: no copy from the stack), in room for
 * a few that is doubled when it fills. */
#define JV_FIRST_ROOM 16
static int read_members(struct reader *r, struct jv *v, int object, int depth)
{
	size_t n = 0, room = JV_FIRST_ROOM;
	struct jv *items = NULL;
	const char **keys = NULL;
	size_t *key_len = NULL;
	char close = object ? '}' : ']';
	if (depth > JV_MAX_DEPTH)
		return -1;
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
	} else {
		items = arena_alloc(r->a, room * sizeof(*items));
		if (object) {
			keys = arena_alloc(r->a, room * sizeof(*keys));
			key_len = arena_alloc(r->a, room * sizeof(*key_len));
		}
		for (;;) {
			if (n == JV_MAX_MEMBERS)
				return -1;
			if (n == room) {
				size_t more = room * 2;
				struct jv *i2 = arena_alloc(r->a, more * sizeof(*i2));
				memcpy(i2, items, n * sizeof(*items));
				items = i2;
				if (object) {
					const char **k2 = arena_alloc(r->a, more * sizeof(*k2));
					size_t *l2 = arena_alloc(r->a, more * sizeof(*l2));
					memcpy(k2, keys, n * sizeof(*keys));
					memcpy(l2, key_len, n * sizeof(*key_len));
					keys = k2;
					key_len = l2;
				}
				room = more;
			}
			if (object) {
				if (r->p >= r->end || *r->p != '"')
					return -1;
				r->p++;
				if (read_string(r, &keys[n], &key_len[n]) != 0)
					return -1;
				/* jansson refuses a key given twice. */
				for (size_t k = 0; k < n; k++)
					if (key_len[k] == key_len[n] && memcmp(keys[k], keys[n], key_len[n]) == 0)
						return -1;
				skip_ws(r);
				if (r->p >= r->end || *r->p != ':')
					return -1;
				r->p++;
				skip_ws(r);
			}
			memset(&items[n], 0, sizeof(items[n]));
			if (read_value(r, &items[n], depth + 1) != 0)
				return -1;
			n++;
			skip_ws(r);
			if (r->p >= r->end)
				return -1;
			if (*r->p == ',') {
				r->p++;
				skip_ws(r);
				continue;
			}
			if (*r->p != close)
				return -1;
			r->p++;
			break;
		}
	}
	v->type = object ? JV_OBJ : JV_ARR;
	v->n = n;
	v->items = items != NULL ? items : arena_alloc(r->a, sizeof(*v->items));
	if (object)
		v->keys = keys != NULL ? keys : arena_alloc(r->a, sizeof(*v->keys));
	return 0;
}

static int read_value(struct reader *r, struct jv *v, int depth)
{
	if (r->p >= r->end)
		return -1;
	switch (*r->p) {
	case '{': r->p++; return read_members(r, v, 1, depth);
	case '[': r->p++; return read_members(r, v, 0, depth);
	case '"':
		r->p++;
		v->type = JV_STR;
		return read_string(r, &v->s, &v->n);
	case 't': return read_literal(r, "true", JV_TRUE, v);
	case 'f': return read_literal(r, "false", JV_FALSE, v);
	case 'n': return read_literal(r, "null", JV_NULL, v);
	default: return read_number(r, v);
	}
}

const struct jv *jv_parse(const char *text, size_t len, struct arena *a)
{
	/* One copy of the text, in which the strings are ended in place. */
	char *copy = arena_alloc(a, len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	struct reader r = {copy, copy + len, a};
	struct jv *v = arena_zalloc(a, sizeof(*v));
	skip_ws(&r);
	/* jansson reads an object or an array at the top; an array is no
	 * application, and jansson's road gives its error. */
	if (r.p >= r.end || *r.p != '{')
		return NULL;
	r.p++;
	if (read_members(&r, v, 1, 1) != 0)
		return NULL;
	skip_ws(&r);
	return r.p == r.end ? v : NULL;
}

static void from_json(const json_t *j, struct jv *v, struct arena *a)
{
	memset(v, 0, sizeof(*v));
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(j), k = 0;
		const char *key;
		json_t *m;
		v->type = JV_OBJ;
		v->items = arena_alloc(a, (n ? n : 1) * sizeof(*v->items));
		v->keys = arena_alloc(a, (n ? n : 1) * sizeof(*v->keys));
		json_object_foreach((json_t *)j, key, m) {
			v->keys[k] = key;
			from_json(m, &v->items[k], a);
			k++;
		}
		v->n = k;
		break;
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(j);
		v->type = JV_ARR;
		v->items = arena_alloc(a, (n ? n : 1) * sizeof(*v->items));
		for (size_t k = 0; k < n; k++)
			from_json(json_array_get(j, k), &v->items[k], a);
		v->n = n;
		break;
	}
	case JSON_STRING:
		v->type = JV_STR;
		v->s = json_string_value(j);
		v->n = json_string_length(j);
		break;
	case JSON_INTEGER:
		v->type = JV_INT;
		v->i = json_integer_value(j);
		break;
	case JSON_REAL:
		v->type = JV_REAL;
		v->r = json_real_value(j);
		break;
	case JSON_TRUE: v->type = JV_TRUE; break;
	case JSON_FALSE: v->type = JV_FALSE; break;
	case JSON_NULL: v->type = JV_NULL; break;
	}
}

const struct jv *jv_from_json(const json_t *j, struct arena *a)
{
	if (j == NULL)
		return NULL;
	struct jv *v = arena_alloc(a, sizeof(*v));
	from_json(j, v, a);
	return v;
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
	if (!jv_is_object(obj))
		return NULL;
	/* The first byte tells most keys apart without a call. */
	for (size_t i = 0; i < obj->n; i++)
		if (obj->keys[i][0] == key[0] && strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

const struct jv *jv_array_get(const struct jv *arr, size_t i)
{
	return jv_is_array(arr) && i < arr->n ? &arr->items[i] : NULL;
}

size_t jv_array_size(const struct jv *arr)
{
	return jv_is_array(arr) ? arr->n : 0;
}

const char *jv_string_value(const struct jv *v)
{
	return jv_is_string(v) ? v->s : NULL;
}

size_t jv_string_length(const struct jv *v)
{
	return jv_is_string(v) ? v->n : 0;
}

int64_t jv_integer_value(const struct jv *v)
{
	return jv_is_integer(v) ? v->i : 0;
}

double jv_number_value(const struct jv *v)
{
	if (jv_is_integer(v))
		return (double)v->i;
	return jv_is(v, JV_REAL) ? v->r : 0.0;
}
