/* form.h - reading numbers that people type into form fields: strictly (no
 * signs, no spaces, nothing after the number), so that a message can name
 * the field instead of a guess being made. */
#ifndef STIPEND_FORM_H
#define STIPEND_FORM_H

/* A whole number of digits only, in [min, max]; else -1. */
long form_int(const char *s, long min, long max);

/* A number with at most two decimals after a point or a comma ("39,9"),
 * in [0, max]; else -1. */
double form_decimal(const char *s, long max);

#endif
