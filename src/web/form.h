/* form.h - reading numbers that people type into form fields: strictly (no
 * signs, no spaces, nothing after the number), so that a message can name
 * the field instead of a guess being made. */
#ifndef STIPEND_FORM_H
#define STIPEND_FORM_H

#include <jansson.h>
#include <stddef.h>

/* A whole number of digits only, in [min, max]; else -1. */
long form_int(const char *s, long min, long max);

/* A number with at most two decimals after a point or a comma ("39,9"),
 * in [0, max]; else -1. */
double form_decimal(const char *s, long max);

/* The error summary of a form: for each field that has an error, in the
 * form's order, {"field": anchor, "key": message key}. fields holds pairs
 * {error key, anchor id} (the anchor is the input the link goes to). New
 * reference. */
json_t *form_error_summary(const json_t *errors, const char *const (*fields)[2], size_t n);

#endif
