/* err.h - errors as values: a machine code, a message and, for input, the
 * path of the field it concerns ("travel.distance_km").
 *
 * A function that can fail returns a status and fills the caller's struct
 * err. The HTTP layer turns an input error into 422 naming the field, the
 * command line into exit status 2 with the same JSON. */
#ifndef STIPEND_ERR_H
#define STIPEND_ERR_H

#include <jansson.h>

enum err_code {
	ERR_NONE = 0,
	ERR_INVALID,   /* input not understood: field and message say why */
	ERR_NOT_FOUND, /* the thing asked for does not exist (or is not yours) */
	ERR_FORBIDDEN, /* the policy refuses */
	ERR_CONFLICT,  /* the state does not allow it now */
	ERR_STORE,     /* the database failed */
	ERR_IO,        /* a file or the network failed */
	ERR_INTERNAL   /* a bug: should not happen */
};

struct err {
	enum err_code code;
	char field[96];
	char message[256];
};

void err_clear(struct err *e);

/* Fill e (when e is not NULL). field may be NULL. Returns -1 so that a
 * failing function can end with "return err_set(...)". */
int err_set(struct err *e, enum err_code code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The code's name as the JSON error writes it: "invalid", "not-found" ... */
const char *err_code_name(enum err_code code);

/* {"error": code, "field": field (only when set), "message": message}.
 * New reference owned by the caller. */
json_t *err_to_json(const struct err *e);

#endif
