/* err.c - errors as values; see err.h. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

void err_clear(struct err *e)
{
	e->code = ERR_NONE;
	e->field[0] = '\0';
	e->message[0] = '\0';
}

int err_set(struct err *e, enum err_code code, const char *field, const char *fmt, ...)
{
	if (e == NULL)
		return -1;
	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -1;
}

const char *err_code_name(enum err_code code)
{
	switch (code) {
	case ERR_NONE: return "none";
	case ERR_INVALID: return "invalid";
	case ERR_NOT_FOUND: return "not-found";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_CONFLICT: return "conflict";
	case ERR_STORE: return "store";
	case ERR_IO: return "io";
	case ERR_INTERNAL: return "internal";
	}
	return "internal";
}

json_t *err_to_json(const struct err *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "error", json_string(err_code_name(e->code)));
	if (e->field[0] != '\0')
		json_object_set_new(o, "field", json_string(e->field));
	json_object_set_new(o, "message", json_string(e->message));
	return o;
}
