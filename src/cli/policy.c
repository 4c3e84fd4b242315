/* policy.c - `stipend policy`: the authorisation policy as a table a person
 * can read (actions by relation), and every route of the server with the
 * action that governs it. With --json the same as one JSON document, which
 * the authorisation matrix test (tests/e2e/authz.test.mjs) walks. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "access/access.h"
#include "cli/cli.h"
#include "web/router.h"

static const char help[] =
	"Usage: stipend policy [--json]\n\n"
	"Print who may do what: each action of the authorisation policy with the\n"
	"relations that allow it (and, last, whether it needs a login at high\n"
	"assurance), then each route of the server with its action.\n\n"
	"  --json   the same as JSON: {\"relations\", \"actions\", \"routes\"}\n";

/* 1 when the JSON array holds the string s. */
static int holds(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) == 0) return 1;
	return 0;
}

int cli_policy(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int json = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j') {
			json = 1;
		} else if (c == 'h') {
			fputs(help, stdout);
			return 0;
		} else {
			fputs(help, stderr);
			return 2;
		}
	}
	json_t *p = access_policy_json(), *routes = json_array();
	for (const struct route *r = router_routes(); r->method; r++)
		json_array_append_new(routes, json_pack("{s:s,s:s,s:s}", "method", r->method, "pattern", r->pattern,
							"action", access_action_name(r->act)));
	json_object_set_new(p, "routes", routes);
	if (json) {
		json_dumpf(p, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(p);
		return 0;
	}
	json_t *rels = json_object_get(p, "relations"), *acts = json_object_get(p, "actions"), *v;
	size_t i, j;
	printf("%-28s %-7s", "action", "person");
	json_array_foreach(rels, j, v) printf(" %-s", json_string_value(v));
	printf(" %s\n", "high"); /* real login (#13): the action needs a login at high assurance */
	json_array_foreach(acts, i, v)
	{
		json_t *allowed = json_object_get(v, "allowed"), *rel;
		printf("%-28s %-7s", json_string_value(json_object_get(v, "name")),
		       json_is_true(json_object_get(v, "about_person")) ? "yes" : "no");
		json_array_foreach(rels, j, rel)
		{
			const char *name = json_string_value(rel);
			printf(" %-*s", (int)strlen(name), holds(allowed, name) ? "Y" : "-");
		}
		printf(" %s\n", json_is_true(json_object_get(v, "need_high")) ? "Y" : "-");
	}
	puts("\nroute                                              action");
	json_array_foreach(routes, i, v)
	{
		char route[64];
		snprintf(route, sizeof(route), "%s %s", json_string_value(json_object_get(v, "method")),
			 json_string_value(json_object_get(v, "pattern")));
		printf("%-50s %s\n", route, json_string_value(json_object_get(v, "action")));
	}
	json_decref(p);
	return 0;
}
