/* router.h - the table of routes: method and path pattern to handler.
 * A pattern segment ":id" captures a segment of digits into req->params. */
#ifndef STIPEND_ROUTER_H
#define STIPEND_ROUTER_H

#include "web/http.h"

struct route {
	const char *method;
	const char *pattern;
	handler_fn handler;
};

/* The handler for method and path, with captures in r; NULL when none.
 * *method_mismatch is set when the path exists for another method. */
handler_fn router_find(struct req *r, int *method_mismatch);

#endif
