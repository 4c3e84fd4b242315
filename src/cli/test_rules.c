/* test_rules.c - `stipend test-rules`: run rule case files, the situations a
 * lawyer can read with the awards the regulation gives for them.
 *
 * A case file is YAML: a list of cases, each a name, the paragraph it tests,
 * an application written exactly as the decision contract's JSON
 * (../shared/spec/decide.md) and what to expect of the decision. The file is
 * read into a small tree (libyaml's event parser, each node with its line),
 * every case is checked and its application converted to JSON before any
 * case runs, so that a mistake in a file stops that file with its line
 * rather than passing or failing a case it does not describe. Each case is
 * then decided by the very functions `stipend decide` calls, and compared
 * with only what the case expects. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "rules/params.h"
#include "rules/rules.h"

static const char test_rules_help[] =
	"Usage: stipend test-rules [--params DIR] [--verbose] [PATH...]\n\n"
	"Run the rule case files in PATH (a .yaml file, or a folder whose .yaml\n"
	"files, subfolders included, are read in name order; tests/rules when no\n"
	"PATH is given). Each case is an application and what its decision must\n"
	"hold:\n\n"
	"  - name: boarding grant at exactly 40 km\n"
	"    reference: forskrift om utdanningsstøtte § 50   # required\n"
	"    application: {scheme: upper-secondary, ...}     # the contract's JSON, as YAML\n"
	"    expect:\n"
	"      outcome: granted                  # granted, partly-granted, rejected, manual\n"
	"      awards:                           # exactly these award names, any order;\n"
	"        - {name: boarding-grant, months: 10, amount: 6677000}  # only the keys given\n"
	"      manual_reasons: [special-circumstances]  # exactly these codes, any order\n"
	"      not_awarded: [means-tested-grant]        # none of these awards\n"
	"      steps: [deferral.interest-relief-instead] # rules the trace must show\n\n"
	"or, for an application that must be refused as invalid naming a field,\n"
	"  expect: {error_field: travel.distance_km}\n\n"
	"Plain YAML values are typed by their look (true, false, null, 12, 12.5);\n"
	"quoted ones are always strings. Every failing case prints one line with its\n"
	"file:line, name and what differed; the run ends with \"N passed, N failed\".\n\n"
	"  --params DIR  decide under another parameter folder instead of the\n"
	"                built-in set\n"
	"  --verbose     print a line for every case, passing ones too\n\n"
	"Exit status: 0 every case passed, 1 a case failed, 2 a case file or the\n"
	"parameter folder could not be read (the message names file:line; the\n"
	"other files still run) or bad usage.\n";

/* Case files are small; these bounds keep a hostile one from exhausting
 * the stack or memory. */
#define FILE_MAX (1u << 24)
#define DEPTH_MAX 64
#define JSON_NODES_MAX 100000
#define PATHS_MAX 4096

/* ---- A YAML document as a tree ---------------------------------------- */

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ytype type;
	int line;
	const char *s; /* Y_SCALAR: the text, NUL-terminated */
	size_t len;
	int plain;           /* a plain scalar without a tag: typed by its look */
	struct ynode **kids; /* Y_SEQ: items; Y_MAP: key, value, key, value ... */
	size_t n, cap;       /* entries in kids */
};

struct anchor {
	const char *name;
	const struct ynode *node;
	struct anchor *next;
};

struct yreader {
	yaml_parser_t y;
	struct arena *a;
	const char *file;
	struct anchor *anchors; /* only of complete nodes, so aliases cannot loop */
	struct err *e;
};

static int yerr(struct yreader *r)
{
	return err_set(r->e, ERR_INVALID, NULL, "%s:%zu: %s%s%s", r->file, r->y.problem_mark.line + 1,
		       r->y.context ? r->y.context : "", r->y.context ? ": " : "",
		       r->y.problem ? r->y.problem : "not valid YAML");
}

static void add_kid(struct arena *a, struct ynode *n, struct ynode *kid)
{
	if (n->n == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 8;
		struct ynode **grown = arena_alloc(a, cap * sizeof(*grown));
		if (n->n > 0)
			memcpy(grown, n->kids, n->n * sizeof(*grown));
		n->kids = grown;
		n->cap = cap;
	}
	n->kids[n->n++] = kid;
}

static const char *anchor_of(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT: return (const char *)ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT: return (const char *)ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT: return (const char *)ev->data.mapping_start.anchor;
	default: return NULL;
	}
}

/* Build the node that begins with ev (which the caller deletes). Returns
 * NULL with r->e filled on error. */
static struct ynode *read_node(struct yreader *r, yaml_event_t *ev, int depth)
{
	int line = (int)ev->start_mark.line + 1;
	struct ynode *n;
	if (depth > DEPTH_MAX) {
		err_set(r->e, ERR_INVALID, NULL, "%s:%d: nested more than %d deep", r->file, line, DEPTH_MAX);
		return NULL;
	}
	if (ev->type == YAML_ALIAS_EVENT) {
		const char *name = (const char *)ev->data.alias.anchor;
		for (struct anchor *an = r->anchors; an != NULL; an = an->next)
			if (strcmp(an->name, name) == 0)
				return (struct ynode *)an->node;
		err_set(r->e, ERR_INVALID, NULL, "%s:%d: *%s names no anchor before it", r->file, line, name);
		return NULL;
	}
	n = arena_zalloc(r->a, sizeof(*n));
	n->line = line;
	if (ev->type == YAML_SCALAR_EVENT) {
		const char *tag = (const char *)ev->data.scalar.tag;
		if (tag != NULL && strcmp(tag, "!") != 0 && strcmp(tag, YAML_STR_TAG) != 0) {
			err_set(r->e, ERR_INVALID, NULL, "%s:%d: the tag %s is not supported: write the value plainly, or quote a string",
				r->file, line, tag);
			return NULL;
		}
		n->type = Y_SCALAR;
		n->s = arena_strndup(r->a, (const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && ev->data.scalar.plain_implicit;
	} else if (ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT) {
		yaml_event_type_t end = ev->type == YAML_SEQUENCE_START_EVENT ? YAML_SEQUENCE_END_EVENT
									     : YAML_MAPPING_END_EVENT;
		n->type = ev->type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP;
		for (;;) {
			yaml_event_t kid;
			if (!yaml_parser_parse(&r->y, &kid)) {
				yerr(r);
				return NULL;
			}
			if (kid.type == end) {
				yaml_event_delete(&kid);
				break;
			}
			struct ynode *k = read_node(r, &kid, depth + 1);
			yaml_event_delete(&kid);
			if (k == NULL)
				return NULL;
			add_kid(r->a, n, k);
		}
	} else {
		err_set(r->e, ERR_INVALID, NULL, "%s:%d: unexpected YAML event", r->file, line);
		return NULL;
	}
	const char *anchor = anchor_of(ev);
	if (anchor != NULL) {
		struct anchor *an = arena_alloc(r->a, sizeof(*an));
		an->name = arena_strdup(r->a, anchor);
		an->node = n;
		an->next = r->anchors;
		r->anchors = an;
	}
	return n;
}

/* Read the one document of text into a tree. Returns NULL with e filled. */
static struct ynode *read_yaml(const char *file, const char *text, size_t len, struct arena *a, struct err *e)
{
	struct yreader r = {.a = a, .file = file, .e = e};
	struct ynode *root = NULL;
	int documents = 0;
	if (!yaml_parser_initialize(&r.y)) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&r.y, (const unsigned char *)text, len);
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&r.y, &ev)) {
			yerr(&r);
			goto fail;
		}
		yaml_event_type_t t = ev.type;
		int line = (int)ev.start_mark.line + 1;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
			yaml_event_delete(&ev);
			err_set(e, ERR_INVALID, NULL, "%s:%d: a case file holds one YAML document", file, line);
			goto fail;
		}
		if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT ||
		    t == YAML_ALIAS_EVENT) {
			root = read_node(&r, &ev, 0);
			yaml_event_delete(&ev);
			if (root == NULL)
				goto fail;
			continue;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&r.y);
	if (root == NULL)
		err_set(e, ERR_INVALID, NULL, "%s:1: the file holds no cases", file);
	return root;
fail:
	yaml_parser_delete(&r.y);
	return NULL;
}

/* The value of key in mapping m, or NULL. */
static const struct ynode *map_get(const struct ynode *m, const char *key)
{
	for (size_t i = 0; i + 1 < m->n; i += 2)
		if (m->kids[i]->type == Y_SCALAR && strcmp(m->kids[i]->s, key) == 0)
			return m->kids[i + 1];
	return NULL;
}

/* Refuse a key of m that is not a scalar, repeated, or not in allowed. */
static int map_check(const struct ynode *m, const char *file, const char *what, const char *const *allowed,
		     struct err *e)
{
	for (size_t i = 0; i + 1 < m->n; i += 2) {
		const struct ynode *k = m->kids[i];
		if (k->type != Y_SCALAR)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: a key of %s must be a plain name", file, k->line, what);
		for (size_t j = 0; j < i; j += 2)
			if (m->kids[j]->type == Y_SCALAR && strcmp(m->kids[j]->s, k->s) == 0)
				return err_set(e, ERR_INVALID, NULL, "%s:%d: %s given twice in %s", file, k->line, k->s, what);
		if (allowed == NULL)
			continue;
		int ok = 0;
		for (const char *const *a = allowed; *a != NULL && !ok; a++)
			ok = strcmp(*a, k->s) == 0;
		if (!ok)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: unknown key \"%s\" in %s", file, k->line, k->s, what);
	}
	return 0;
}

/* ---- YAML to the contract's JSON -------------------------------------- */

static int looks_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* [-+]? digits with one '.' (digits on at least one side), then an
 * optional exponent. */
static int looks_real(const char *s)
{
	int digits = 0, dot = 0;
	if (*s == '-' || *s == '+')
		s++;
	for (; *s && *s != 'e' && *s != 'E'; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && !dot)
			dot = 1;
		else
			return 0;
	}
	if (!dot || digits == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (*s == '\0')
			return 0;
		for (; *s; s++)
			if (*s < '0' || *s > '9')
				return 0;
	}
	return 1;
}

static int parse_int64(const char *s, int64_t *out)
{
	char *end;
	if (!looks_int(s))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

struct conv {
	const char *file;
	int budget; /* JSON nodes still allowed: aliases can multiply a tree */
	struct err *e;
};

/* A scalar as JSON: plain ones typed by their look, others strings. */
static json_t *scalar_json(const struct ynode *n, struct conv *cv)
{
	const char *s = n->s;
	if (!n->plain)
		return json_stringn(s, n->len);
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return json_true();
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return json_false();
	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return json_null();
	if (looks_int(s)) {
		int64_t v;
		if (parse_int64(s, &v) != 0) {
			err_set(cv->e, ERR_INVALID, NULL, "%s:%d: the integer %s is too large", cv->file, n->line, s);
			return NULL;
		}
		return json_integer(v);
	}
	if (looks_real(s)) {
		double d = strtod(s, NULL);
		if (!isfinite(d)) {
			err_set(cv->e, ERR_INVALID, NULL, "%s:%d: the number %s is too large", cv->file, n->line, s);
			return NULL;
		}
		return json_real(d);
	}
	return json_stringn(s, n->len);
}

static json_t *to_json(const struct ynode *n, struct conv *cv)
{
	json_t *j = NULL;
	if (--cv->budget < 0) {
		err_set(cv->e, ERR_INVALID, NULL, "%s:%d: the application is too large", cv->file, n->line);
		return NULL;
	}
	switch (n->type) {
	case Y_SCALAR:
		j = scalar_json(n, cv);
		if (j == NULL && cv->e->message[0] == '\0')
			err_set(cv->e, ERR_INTERNAL, NULL, "out of memory");
		return j;
	case Y_SEQ:
		j = json_array();
		for (size_t i = 0; j != NULL && i < n->n; i++) {
			json_t *v = to_json(n->kids[i], cv);
			if (v == NULL || json_array_append_new(j, v) != 0)
				goto fail;
		}
		return j;
	case Y_MAP:
		if (map_check(n, cv->file, "the application", NULL, cv->e) != 0)
			return NULL;
		j = json_object();
		for (size_t i = 0; j != NULL && i + 1 < n->n; i += 2) {
			const struct ynode *k = n->kids[i];
			if (strlen(k->s) != k->len) {
				err_set(cv->e, ERR_INVALID, NULL, "%s:%d: a key holds a NUL character", cv->file, k->line);
				goto fail;
			}
			json_t *v = to_json(n->kids[i + 1], cv);
			if (v == NULL || json_object_set_new(j, k->s, v) != 0)
				goto fail;
		}
		return j;
	}
fail:
	json_decref(j);
	if (cv->e->message[0] == '\0')
		err_set(cv->e, ERR_INTERNAL, NULL, "out of memory");
	return NULL;
}

/* ---- Cases ------------------------------------------------------------- */

enum { EA_KIND = 1, EA_MONTHS = 2, EA_MONTHLY = 4, EA_AMOUNT = 8, EA_CONVERTIBLE = 16, EA_REFERENCE = 32 };

struct exp_award {
	const char *name;
	unsigned has; /* EA_* */
	const char *kind, *reference;
	int64_t months, monthly, amount, convertible;
};

struct rcase {
	int line;
	const char *name, *reference;
	json_t *app;
	const char *outcome;     /* NULL when error_field is expected */
	const char *error_field; /* NULL when a decision is expected */
	int has_awards, has_manual;
	struct exp_award *awards;
	size_t n_awards;
	const char **manual, **not_awarded, **steps;
	size_t n_manual, n_not, n_steps;
};

/* A scalar's text, or NULL with e filled: what must be a single value. */
static const char *text_of(const struct ynode *n, const char *file, const char *what, struct err *e)
{
	if (n == NULL || n->type != Y_SCALAR || n->s[0] == '\0') {
		err_set(e, ERR_INVALID, NULL, "%s:%d: %s must be a single, non-empty value", file, n ? n->line : 0, what);
		return NULL;
	}
	return n->s;
}

/* A list of names ([a, b]) as an array in the arena. */
static int names_of(const struct ynode *n, const char *file, const char *what, struct arena *a,
		    const char ***out, size_t *count, struct err *e)
{
	if (n->type != Y_SEQ)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: %s must be a list of names", file, n->line, what);
	*out = arena_alloc(a, (n->n + 1) * sizeof(**out));
	*count = n->n;
	for (size_t i = 0; i < n->n; i++)
		if (((*out)[i] = text_of(n->kids[i], file, what, e)) == NULL)
			return -1;
	return 0;
}

static int read_award(const struct ynode *n, const char *file, struct exp_award *w, struct err *e)
{
	static const char *const keys[] = {"name", "kind", "months", "monthly", "amount", "convertible", "reference", NULL};
	static const char *const ints[] = {"months", "monthly", "amount", "convertible"};
	static const unsigned bits[] = {EA_MONTHS, EA_MONTHLY, EA_AMOUNT, EA_CONVERTIBLE};
	const struct ynode *v;
	if (n->type != Y_MAP)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: an award must be a mapping with at least a name", file, n->line);
	if (map_check(n, file, "an award", keys, e) != 0)
		return -1;
	memset(w, 0, sizeof(*w));
	if (map_get(n, "name") == NULL)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: an award needs a name", file, n->line);
	if ((w->name = text_of(map_get(n, "name"), file, "an award's name", e)) == NULL)
		return -1;
	if ((v = map_get(n, "kind")) != NULL) {
		if ((w->kind = text_of(v, file, "kind", e)) == NULL)
			return -1;
		w->has |= EA_KIND;
	}
	if ((v = map_get(n, "reference")) != NULL) {
		if ((w->reference = text_of(v, file, "reference", e)) == NULL)
			return -1;
		w->has |= EA_REFERENCE;
	}
	int64_t *slots[] = {&w->months, &w->monthly, &w->amount, &w->convertible};
	for (int i = 0; i < 4; i++) {
		if ((v = map_get(n, ints[i])) == NULL)
			continue;
		if (v->type != Y_SCALAR || parse_int64(v->s, slots[i]) != 0)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: %s must be a whole number (money in øre)", file,
				       v->line, ints[i]);
		w->has |= bits[i];
	}
	return 0;
}

static int read_expect(const struct ynode *n, const char *file, struct rcase *c, struct arena *a, struct err *e)
{
	static const char *const keys[] = {"outcome", "awards", "manual_reasons", "not_awarded", "steps", "error_field",
					   NULL};
	static const char *const outcomes[] = {"granted", "partly-granted", "rejected", "manual", NULL};
	const struct ynode *v;
	if (n->type != Y_MAP)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: expect must be a mapping", file, n->line);
	if (map_check(n, file, "expect", keys, e) != 0)
		return -1;
	if ((v = map_get(n, "error_field")) != NULL) {
		if (n->n != 2)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: error_field stands alone: a refused application has no outcome",
				       file, n->line);
		c->error_field = text_of(v, file, "error_field", e);
		return c->error_field ? 0 : -1;
	}
	if ((v = map_get(n, "outcome")) == NULL)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: expect needs an outcome (or error_field)", file, n->line);
	if ((c->outcome = text_of(v, file, "outcome", e)) == NULL)
		return -1;
	int ok = 0;
	for (const char *const *o = outcomes; *o && !ok; o++)
		ok = strcmp(*o, c->outcome) == 0;
	if (!ok)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: outcome must be granted, partly-granted, rejected or manual",
			       file, v->line);
	if ((v = map_get(n, "awards")) != NULL) {
		if (v->type != Y_SEQ)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: awards must be a list", file, v->line);
		c->has_awards = 1;
		c->n_awards = v->n;
		c->awards = arena_zalloc(a, (v->n + 1) * sizeof(*c->awards));
		for (size_t i = 0; i < v->n; i++) {
			if (read_award(v->kids[i], file, &c->awards[i], e) != 0)
				return -1;
			for (size_t j = 0; j < i; j++)
				if (strcmp(c->awards[j].name, c->awards[i].name) == 0)
					return err_set(e, ERR_INVALID, NULL, "%s:%d: the award %s is expected twice", file,
						       v->kids[i]->line, c->awards[i].name);
		}
	}
	if ((v = map_get(n, "manual_reasons")) != NULL) {
		c->has_manual = 1;
		if (names_of(v, file, "manual_reasons", a, &c->manual, &c->n_manual, e) != 0)
			return -1;
	}
	if ((v = map_get(n, "not_awarded")) != NULL &&
	    names_of(v, file, "not_awarded", a, &c->not_awarded, &c->n_not, e) != 0)
		return -1;
	if ((v = map_get(n, "steps")) != NULL && names_of(v, file, "steps", a, &c->steps, &c->n_steps, e) != 0)
		return -1;
	return 0;
}

static int read_case(const struct ynode *n, const char *file, struct rcase *c, struct arena *a, struct err *e)
{
	static const char *const keys[] = {"name", "reference", "application", "expect", NULL};
	const struct ynode *v;
	memset(c, 0, sizeof(*c));
	c->line = n->line;
	if (n->type != Y_MAP)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: a case must be a mapping of name, reference, application and expect",
			       file, n->line);
	if (map_check(n, file, "a case", keys, e) != 0)
		return -1;
	static const char *const required[] = {"name", "reference", "application", "expect"};
	for (int i = 0; i < 4; i++)
		if (map_get(n, required[i]) == NULL)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: the case has no %s%s", file, n->line, required[i],
				       i == 1 ? " (the paragraph it tests)" : "");
	if ((c->name = text_of(map_get(n, "name"), file, "name", e)) == NULL ||
	    (c->reference = text_of(map_get(n, "reference"), file, "reference", e)) == NULL)
		return -1;
	v = map_get(n, "application");
	if (v->type != Y_MAP)
		return err_set(e, ERR_INVALID, NULL, "%s:%d: application must be a mapping", file, v->line);
	if (read_expect(map_get(n, "expect"), file, c, a, e) != 0)
		return -1;
	struct conv cv = {.file = file, .budget = JSON_NODES_MAX, .e = e};
	c->app = to_json(v, &cv);
	return c->app ? 0 : -1;
}

/* ---- Running a case ---------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_list(struct buf *b, const char **names, size_t n)
{
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", names[i]);
	buf_putc(b, ']');
}

static void differ(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void differ(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->len > 0)
		buf_puts(b, "; ");
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Compare a sorted copy of want with got; say so in b when they differ. */
static void compare_names(struct buf *b, const char *what, const char **want, size_t n_want, const char **got,
			  size_t n_got, struct arena *a)
{
	const char **w = arena_alloc(a, (n_want + 1) * sizeof(*w));
	if (n_want > 0)
		memcpy(w, want, n_want * sizeof(*w));
	qsort(w, n_want, sizeof(*w), str_cmp);
	qsort(got, n_got, sizeof(*got), str_cmp);
	int same = n_want == n_got;
	for (size_t i = 0; same && i < n_want; i++)
		same = strcmp(w[i], got[i]) == 0;
	if (same)
		return;
	differ(b, "%s expected ", what);
	put_list(b, w, n_want);
	buf_puts(b, ", got ");
	put_list(b, got, n_got);
}

static void compare_award(struct buf *b, const struct exp_award *w, const struct award *got)
{
	if ((w->has & EA_KIND) && strcmp(w->kind, got->kind) != 0)
		differ(b, "%s.kind expected %s, got %s", w->name, w->kind, got->kind);
	if ((w->has & EA_REFERENCE) && strcmp(w->reference, got->reference) != 0)
		differ(b, "%s.reference expected \"%s\", got \"%s\"", w->name, w->reference, got->reference);
	if ((w->has & EA_MONTHS) && w->months != got->months)
		differ(b, "%s.months expected %lld, got %d", w->name, (long long)w->months, got->months);
	if ((w->has & EA_MONTHLY) && w->monthly != got->monthly)
		differ(b, "%s.monthly expected %lld, got %lld", w->name, (long long)w->monthly, (long long)got->monthly);
	if ((w->has & EA_AMOUNT) && w->amount != got->amount)
		differ(b, "%s.amount expected %lld, got %lld", w->name, (long long)w->amount, (long long)got->amount);
	if ((w->has & EA_CONVERTIBLE) && w->convertible != got->convertible) {
		if (got->convertible < 0)
			differ(b, "%s.convertible expected %lld, got none", w->name, (long long)w->convertible);
		else
			differ(b, "%s.convertible expected %lld, got %lld", w->name, (long long)w->convertible,
			       (long long)got->convertible);
	}
}

/* Decide c and write what differs from its expectation into b (empty when
 * it passes). */
static void run_case(const struct rcase *c, const struct params *p, struct arena *a, struct buf *b)
{
	struct application app;
	struct decision *d = arena_alloc(a, sizeof(*d));
	struct err e;
	err_clear(&e);
	int rc = rules_parse_application(c->app, &app, a, &e);
	if (rc == 0)
		rc = rules_decide(&app, p, d, &e);

	if (c->error_field != NULL) {
		if (rc == 0)
			differ(b, "expected the application refused naming %s, got outcome %s", c->error_field,
			       rules_outcome_name(d->outcome));
		else if (e.code != ERR_INVALID || strcmp(e.field, c->error_field) != 0)
			differ(b, "error_field expected %s, got %s naming %s: %s", c->error_field, err_code_name(e.code),
			       e.field[0] ? e.field : "(no field)", e.message);
		return;
	}
	if (rc != 0) {
		differ(b, "outcome expected %s, got error %s%s%s: %s", c->outcome, err_code_name(e.code),
		       e.field[0] ? " naming " : "", e.field, e.message);
		return;
	}
	if (strcmp(c->outcome, rules_outcome_name(d->outcome)) != 0)
		differ(b, "outcome expected %s, got %s", c->outcome, rules_outcome_name(d->outcome));

	const char **got = arena_alloc(a, (DECISION_MAX_AWARDS + DECISION_MAX_REASONS + 1) * sizeof(*got));
	if (c->has_awards) {
		const char **want = arena_alloc(a, (c->n_awards + 1) * sizeof(*want));
		for (size_t i = 0; i < c->n_awards; i++)
			want[i] = c->awards[i].name;
		for (int i = 0; i < d->n_awards; i++)
			got[i] = d->awards[i].name;
		compare_names(b, "awards", want, c->n_awards, got, (size_t)d->n_awards, a);
		for (size_t i = 0; i < c->n_awards; i++) {
			const struct award *w = rules_award(d, c->awards[i].name);
			if (w != NULL)
				compare_award(b, &c->awards[i], w);
		}
	}
	if (c->has_manual) {
		for (int i = 0; i < d->n_reasons; i++)
			got[i] = d->reasons[i].code;
		compare_names(b, "manual_reasons", c->manual, c->n_manual, got, (size_t)d->n_reasons, a);
	}
	for (size_t i = 0; i < c->n_not; i++)
		if (rules_award(d, c->not_awarded[i]) != NULL)
			differ(b, "not_awarded: %s was awarded", c->not_awarded[i]);
	for (size_t i = 0; i < c->n_steps; i++) {
		int seen = 0;
		for (int k = 0; k < d->n_steps && !seen; k++)
			seen = strcmp(d->steps[k].rule, c->steps[i]) == 0;
		if (!seen)
			differ(b, "steps: the trace has no %s", c->steps[i]);
	}
}

/* ---- Files ------------------------------------------------------------- */

struct run {
	const struct params *p;
	int verbose;
	int passed, failed, broken;
};

static int read_file(const char *path, struct buf *text, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return err_set(e, ERR_IO, NULL, "%s: cannot open", path);
	char chunk[65536];
	size_t got;
	int rc = 0;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(text, chunk, got) != 0) {
			rc = err_set(e, ERR_IO, NULL, "%s: larger than %u bytes", path, FILE_MAX);
			break;
		}
	if (rc == 0 && ferror(f))
		rc = err_set(e, ERR_IO, NULL, "%s: cannot read", path);
	fclose(f);
	return rc;
}

/* Read every case of one file, then run them. A file that cannot be read
 * runs none of its cases. */
static void run_file(struct run *run, const char *path)
{
	struct arena a, per_case;
	struct buf text, diff;
	struct err e;
	struct rcase *cases = NULL;
	size_t n = 0;
	err_clear(&e);
	arena_init(&a, 0);
	arena_init(&per_case, 65536);
	buf_init(&text, FILE_MAX);
	buf_init(&diff, 1 << 16);

	const struct ynode *root = NULL;
	if (read_file(path, &text, &e) != 0 || (root = read_yaml(path, buf_str(&text), text.len, &a, &e)) == NULL)
		goto broken;
	if (root->type != Y_SEQ) {
		err_set(&e, ERR_INVALID, NULL, "%s:%d: a case file is a list of cases (\"- name: ...\")", path, root->line);
		goto broken;
	}
	cases = calloc(root->n + 1, sizeof(*cases));
	if (cases == NULL) {
		err_set(&e, ERR_INTERNAL, NULL, "out of memory");
		goto broken;
	}
	for (; n < root->n; n++)
		if (read_case(root->kids[n], path, &cases[n], &a, &e) != 0)
			goto broken;

	for (size_t i = 0; i < n; i++) {
		const struct rcase *c = &cases[i];
		buf_reset(&diff);
		arena_reset(&per_case);
		run_case(c, run->p, &per_case, &diff);
		if (diff.len == 0) {
			run->passed++;
			if (run->verbose)
				printf("ok   %s:%d: %s (%s)\n", path, c->line, c->name, c->reference);
		} else {
			run->failed++;
			printf("FAIL %s:%d: %s: %s\n", path, c->line, c->name, buf_str(&diff));
		}
	}
	goto out;
broken:
	run->broken++;
	fprintf(stderr, "stipend test-rules: %s\n", e.message);
out:
	for (size_t i = 0; i < n; i++)
		json_decref(cases[i].app);
	free(cases);
	buf_cleanup(&diff);
	buf_cleanup(&text);
	arena_cleanup(&per_case);
	arena_cleanup(&a);
}

struct paths {
	char **v;
	size_t n;
};

static int is_yaml(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

/* Add the .yaml files under dir, subfolders included, in name order. */
static int collect(const char *dir, int depth, struct paths *out, struct arena *a, struct err *e)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return err_set(e, ERR_IO, NULL, "%s: cannot open folder", dir);
	size_t cap = 64, n = 0;
	char **names = arena_alloc(a, cap * sizeof(*names));
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **grown = arena_alloc(a, 2 * cap * sizeof(*grown));
			memcpy(grown, names, n * sizeof(*grown));
			names = grown;
			cap *= 2;
		}
		names[n++] = arena_strdup(a, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), str_cmp);
	for (size_t i = 0; i < n; i++) {
		char *path = arena_printf(a, "%s/%s", dir, names[i]);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth >= 8)
				return err_set(e, ERR_INVALID, NULL, "%s: folders nested too deep", path);
			if (collect(path, depth + 1, out, a, e) != 0)
				return -1;
		} else if (S_ISREG(st.st_mode) && is_yaml(names[i])) {
			if (out->n == PATHS_MAX)
				return err_set(e, ERR_INVALID, NULL, "%s: more than %d case files", dir, PATHS_MAX);
			out->v[out->n++] = path;
		}
	}
	return 0;
}

int cli_test_rules(int argc, char **argv)
{
	static const struct option opts[] = {{"params", required_argument, NULL, 'p'},
					     {"verbose", no_argument, NULL, 'v'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *params_dir = NULL;
	struct run run = {0};
	int c;
	while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		switch (c) {
		case 'p': params_dir = optarg; break;
		case 'v': run.verbose = 1; break;
		case 'h': fputs(test_rules_help, stdout); return 0;
		default: fputs(test_rules_help, stderr); return 2;
		}
	}
	struct err e;
	err_clear(&e);
	struct params *p = params_dir ? params_load_dir(params_dir, &e) : params_load_builtin(&e);
	if (p == NULL) {
		fprintf(stderr, "stipend test-rules: %s\n", e.message);
		return 2;
	}
	run.p = p;

	struct arena a;
	struct paths files = {0};
	arena_init(&a, 0);
	files.v = arena_alloc(&a, PATHS_MAX * sizeof(*files.v));
	static char default_dir[] = "tests/rules";
	char *defaults[] = {default_dir};
	char **args = optind < argc ? argv + optind : defaults;
	int n_args = optind < argc ? argc - optind : 1;
	for (int i = 0; i < n_args; i++) {
		struct stat st;
		err_clear(&e);
		if (stat(args[i], &st) != 0) {
			fprintf(stderr, "stipend test-rules: %s: no such file or folder\n", args[i]);
			run.broken++;
			continue;
		}
		size_t before = files.n;
		if (S_ISDIR(st.st_mode)) {
			if (collect(args[i], 0, &files, &a, &e) != 0) {
				fprintf(stderr, "stipend test-rules: %s\n", e.message);
				run.broken++;
			} else if (files.n == before) {
				fprintf(stderr, "stipend test-rules: %s: no .yaml case files\n", args[i]);
				run.broken++;
			}
		} else if (files.n == PATHS_MAX) {
			fprintf(stderr, "stipend test-rules: more than %d case files\n", PATHS_MAX);
			run.broken++;
		} else {
			files.v[files.n++] = args[i];
		}
	}
	for (size_t i = 0; i < files.n; i++)
		run_file(&run, files.v[i]);

	printf("%d passed, %d failed\n", run.passed, run.failed);
	arena_cleanup(&a);
	params_free(p);
	if (fflush(stdout) != 0)
		return 2;
	return run.broken ? 2 : run.failed ? 1 : 0;
}
