/* jv.h - a read-only view of a JSON document in an arena, for reading
 * applications (application.c). Internal to the rules module.
 *
 * Why not jansson alone: `stipend decide --jsonl` and `stipend simulate`
 * read millions of applications, and building jansson's hashed objects,
 * one malloc a value, was the larger part of their time. jv_parse() reads
 * the common application straight into the arena; anything it is not sure
 * to read exactly as jansson would (an escape, a byte outside ASCII, a
 * duplicate key, a number out of range, bad syntax) it declines, and the
 * caller reads the text with jansson instead, whose view jv_from_json()
 * gives. The application is then read from either view by the same code,
 * so that both roads give the same application and the same errors. */
#ifndef STIPEND_RULES_JV_H
#define STIPEND_RULES_JV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum jv_type { JV_NULL, JV_FALSE, JV_TRUE, JV_INT, JV_REAL, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type type;
	size_t n;          /* JV_STR: bytes; JV_ARR, JV_OBJ: members */
	int64_t i;         /* JV_INT */
	double r;          /* JV_REAL */
	const char *s;     /* JV_STR: NUL-terminated */
	const char **keys; /* JV_OBJ: NUL-terminated, in the document's order */
	struct jv *items;  /* JV_ARR, JV_OBJ: n values */
};

/* The view of text (len bytes, a JSON object at the top), in a, or NULL
 * when the fast reader declines it: then jansson must read the text. An
 * accepted text is one jansson (json_loadb with JSON_REJECT_DUPLICATES)
 * accepts, with the same values, keys in the same order. */
const struct jv *jv_parse(const char *text, size_t len, struct arena *a);

/* The view of a jansson value, in a; it points into j, which must outlive
 * it. */
const struct jv *jv_from_json(const json_t *j, struct arena *a);

/* As jansson's functions of the same names: NULL-safe, and a value of
 * another type gives NULL, 0 or false. */
const struct jv *jv_get(const struct jv *obj, const char *key);
const struct jv *jv_array_get(const struct jv *arr, size_t i);
size_t jv_array_size(const struct jv *arr);
const char *jv_string_value(const struct jv *v);
size_t jv_string_length(const struct jv *v);
int64_t jv_integer_value(const struct jv *v);
double jv_number_value(const struct jv *v); /* an integer's or a real's */

#define jv_is(v, t) ((v) != NULL && (v)->type == (t))
#define jv_is_null(v) jv_is(v, JV_NULL)
#define jv_is_object(v) jv_is(v, JV_OBJ)
#define jv_is_array(v) jv_is(v, JV_ARR)
#define jv_is_string(v) jv_is(v, JV_STR)
#define jv_is_integer(v) jv_is(v, JV_INT)
#define jv_is_true(v) jv_is(v, JV_TRUE)
#define jv_is_boolean(v) ((v) != NULL && ((v)->type == JV_TRUE || (v)->type == JV_FALSE))
#define jv_is_number(v) ((v) != NULL && ((v)->type == JV_INT || (v)->type == JV_REAL))

#endif
