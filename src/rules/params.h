/* params.h - dated parameter values with their legal references.
 *
 * Amounts, limits and dates of the rules live in YAML files, one folder a
 * school year (params/no/2024-2025/ holds YAML files). Each value states when it is in
 * force (valid_from and valid_to, both inclusive), its unit, the regulation
 * and paragraph it comes from, and the address of its published source:
 *
 *   basic_loan.annual:
 *     value: 15169000
 *     unit: ore
 *     valid_from: 2024-08-01
 *     valid_to: 2025-07-31
 *     reference: forskrift om utdanningsstøtte § 72
 *     source: https://lanekassen.no/...
 *
 * Loading is strict: an unknown key, a missing field, a date that does not
 * exist, valid_to before valid_from, or two values of one key whose periods
 * overlap stop the load with the file and line. A loaded set is read-only
 * and may be shared by any number of threads. */
#ifndef STIPEND_PARAMS_H
#define STIPEND_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"

struct err;

struct param {
	const char *key;
	int64_t value;
	const char *unit;
	date_t valid_from, valid_to; /* inclusive */
	const char *reference;
	const char *source;
	const char *file;
	int line;
	/* #9, speed: the JSON a decision's trace writes for this value, made
	 * once when the set is loaded: "key": and
	 * "key":{"valid_from":"2024-08-01","valid_to":"2025-07-31"}. */
	const char *json_key, *json_validity;
	size_t json_key_len, json_validity_len;
};

struct params;

/* Load the compiled-in Norwegian reference set. On error returns NULL with
 * e naming file and line. Free with params_free(). */
struct params *params_load_builtin(struct err *e);

/* Load a set from a folder: either one of school-year folders holding YAML
 * files, or a folder of YAML files itself. The set is named after the
 * folder's last component ("no"). On error returns NULL with e filled. */
struct params *params_load_dir(const char *dir, struct err *e);

void params_free(struct params *p);

/* The set's name, used in rules_version ("no"). */
const char *params_name(const struct params *p);

/* The value of key in force on date, or NULL when none is. */
const struct param *params_get(const struct params *p, const char *key, date_t on);

/* The same for a key that is a string literal (#9, speed: the rules look
 * the same few up for every decision): where its values stand in the set
 * is remembered, per thread, by the set and the literal's address, so the
 * key is hashed and compared once a thread. Never pass a key in a buffer
 * or an arena, whose address may later hold another key. */
const struct param *params_get_literal(const struct params *p, const char *key, date_t on);

/* 1 when some value of the set whose key counts (params_key_covers()) is
 * in force on date, else 0: tells whether the set covers a school year at
 * all. */
int params_covers(const struct params *p, date_t on);

/* 1 when a value of key in force on a day tells params_covers() that the
 * set covers that day: every key but the service figures ("service.") and
 * the disability write-off's calendar-year figures ("loan.disability."). */
int params_key_covers(const char *key);

/* A copy of p in which the value of key in force on date on is value (its
 * period, unit and references unchanged): the policy simulation's changed
 * set. The copy shares p's strings, so it must be freed (params_free)
 * before p. NULL with e (ERR_NOT_FOUND, field "parameter") when no value of
 * key is in force on that date, or ERR_INTERNAL. */
struct params *params_with_value(const struct params *p, const char *key, date_t on, int64_t value,
				 struct err *e);

/* Number of values, and the i-th in key order (then by date). */
size_t params_count(const struct params *p);
const struct param *params_at(const struct params *p, size_t i);

/* #14: the agency's service norm, the processing time it publishes for an
 * application a case worker must look at, in weeks
 * (params/no/2025-2026/service.yaml). The receipt letter and management's
 * figures read this one value. */
#define PARAMS_SERVICE_NORM "service.processing_weeks.manual"

/* The compiled-in set, loaded on the first call and kept for the life of
 * the process, for a reader that has no set of its own (a letter drawn by
 * the mailbox). Never free it. NULL when it failed to load. Thread-safe. */
const struct params *params_builtin_shared(void);

#endif
