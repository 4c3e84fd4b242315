/* router.h - the table of routes: method and path pattern to handler, and
 * the action of the policy (access/policy.c) that governs each route.
 * A pattern segment ":id" captures a segment of digits into req->params.
 *
 * The action is the route's entry in the policy table: the handler's one
 * domain function asks the policy for it (with the person the thing
 * belongs to), and the authorisation matrix test reads the table from
 * `stipend policy --json` to walk every route as every kind of user. */
#ifndef STIPEND_ROUTER_H
#define STIPEND_ROUTER_H

#include "web/http.h"

struct route {
	const char *method;
	const char *pattern;
	handler_fn handler;
	enum action act;
};

/* The routes, ended by one whose method is NULL. */
const struct route *router_routes(void);

/* The handler for method and path, with captures in r; NULL when none.
 * *method_mismatch is set when the path exists for another method. */
handler_fn router_find(struct req *r, int *method_mismatch);

/* 1 when a GET route (a page) answers path. Overwrites r->params. */
int router_page_exists(struct req *r, const char *path);

#endif
