/* tmpl.c - HTML template engine: parse once, render many times, escape always.
 *
 * A template is parsed into a flat array of nodes. A section node records the
 * index just past its body, so rendering walks index ranges and recurses only
 * into section bodies and partials; section nesting is bounded when parsing
 * and partial nesting when rendering, so the C stack stays small. Node names
 * point into a private copy of the source in which each name was
 * NUL-terminated in place (the tag's own delimiters make room), so rendering
 * allocates nothing but the output and one scratch buffer. The context stack
 * is a chain of frames on the C stack. Loaded templates are sorted by name
 * and only read after tmpl_init(), which makes rendering thread-safe. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/embed.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/money.h"
#include "web/tmpl.h"

#define TMPL_DIR "templates/"
#define TMPL_EXT ".html"
#define MAX_PARTIAL_DEPTH 16
#define MAX_SECTION_DEPTH 64

enum node_kind {
	NODE_TEXT,     /* literal text, written as it is */
	NODE_VAR,      /* {{path}} or {{path|filter}}, escaped */
	NODE_RAW,      /* {{{path}}}, unescaped */
	NODE_SECTION,  /* {{#path}} */
	NODE_INVERTED, /* {{^path}} */
	NODE_TRANS,    /* {{t:key}} or {{t:key @path}} */
	NODE_PARTIAL   /* {{> name}} */
};

enum filter { FILTER_NONE, FILTER_MONEY, FILTER_DATE, FILTER_T };

struct node {
	enum node_kind kind;
	enum filter filter;
	int line;
	const char *s;   /* text, path, catalogue key or partial name */
	size_t len;      /* its length (names are also NUL-terminated) */
	const char *arg; /* NODE_TRANS: path of the arguments, or NULL */
	size_t arg_len;
	size_t end; /* sections: index of the first node after the body */
};

struct tmpl {
	const char *name;   /* "inbox"; not NUL-terminated in embedded names */
	size_t name_len;
	const char *origin; /* "templates/inbox.html", for messages */
	char *text;         /* copy of the source the nodes point into */
	struct node *nodes;
	size_t n, cap;
};

/* One level of the context stack. */
struct frame {
	const json_t *v;
	const struct frame *up;
};

struct render {
	struct buf *out;
	struct buf scratch; /* for {{t:key @path}}, reused */
	enum lang lang;
	struct err *e;
};

static struct tmpl *templates; /* sorted by name */
static size_t ntemplates;

static void tmpl_free_one(struct tmpl *t)
{
	free(t->text);
	free(t->nodes);
	t->text = NULL;
	t->nodes = NULL;
	t->n = t->cap = 0;
}

static int cmp_name(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int cmp_tmpl(const void *a, const void *b)
{
	const struct tmpl *x = a, *y = b;

	return cmp_name(x->name, x->name_len, y->name, y->name_len);
}

/* The loaded template of that name, or NULL. */
static const struct tmpl *find_template(const char *name, size_t len)
{
	size_t lo = 0, hi = ntemplates;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_name(name, len, templates[mid].name, templates[mid].name_len);

		if (c == 0)
			return &templates[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---- Parsing ---- */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Narrow [*s, *s + *n) to exclude surrounding whitespace. */
static void trim(char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

/* "." or dot-separated names without empty segments. */
static int valid_path(const char *s, size_t n)
{
	int seg = 0;

	if (n == 1 && s[0] == '.')
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (seg == 0)
				return 0;
			seg = 0;
		} else if (is_name_char(s[i])) {
			seg++;
		} else {
			return 0;
		}
	}
	return seg > 0;
}

static int valid_key(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(s[i]) && s[i] != '.')
			return 0;
	return 1;
}

static int valid_name(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(s[i]))
			return 0;
	return 1;
}

static struct node *add_node(struct tmpl *t, enum node_kind kind, int line, struct err *e)
{
	struct node *nd;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct node *p = realloc(t->nodes, cap * sizeof(*p));

		if (p == NULL) {
			err_set(e, ERR_INTERNAL, NULL, "%s: out of memory", t->origin);
			return NULL;
		}
		t->nodes = p;
		t->cap = cap;
	}
	nd = &t->nodes[t->n++];
	memset(nd, 0, sizeof(*nd));
	nd->kind = kind;
	nd->line = line;
	return nd;
}

static int count_lines(const char *s, size_t n)
{
	int lines = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			lines++;
	return lines;
}

/* Parse the content of {{...}} (not the triple form), trimmed and
 * NUL-terminable at s[n]. open[] is the stack of unclosed sections. */
static int parse_tag(struct tmpl *t, char *s, size_t n, int line, size_t *open, size_t *nopen,
		     struct err *e)
{
	struct node *nd;
	char *name = s + 1;
	size_t name_len = n - 1;

	switch (s[0]) {
	case '!':
		return 0;
	case '#':
	case '^':
	case '/':
	case '>':
		trim(&name, &name_len);
		if (s[0] == '>') {
			if (!valid_name(name, name_len))
				return err_set(e, ERR_INVALID, NULL, "%s:%d: bad partial name \"%.*s\"",
					       t->origin, line, (int)name_len, name);
		} else if (!valid_path(name, name_len)) {
			return err_set(e, ERR_INVALID, NULL, "%s:%d: bad section name \"%.*s\"", t->origin,
				       line, (int)name_len, name);
		}
		name[name_len] = '\0';
		if (s[0] == '/') {
			const struct node *sec;

			if (*nopen == 0)
				return err_set(e, ERR_INVALID, NULL, "%s:%d: {{/%s}} closes no section",
					       t->origin, line, name);
			sec = &t->nodes[open[*nopen - 1]];
			if (sec->len != name_len || memcmp(sec->s, name, name_len) != 0)
				return err_set(e, ERR_INVALID, NULL,
					       "%s:%d: {{/%s}} closes the section \"%s\" opened on line %d",
					       t->origin, line, name, sec->s, sec->line);
			(*nopen)--;
			t->nodes[open[*nopen]].end = t->n;
			return 0;
		}
		if (s[0] != '>' && *nopen == MAX_SECTION_DEPTH)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: sections nested more than %d deep",
				       t->origin, line, MAX_SECTION_DEPTH);
		nd = add_node(t,
			      s[0] == '#'   ? NODE_SECTION
			      : s[0] == '^' ? NODE_INVERTED
					    : NODE_PARTIAL,
			      line, e);
		if (nd == NULL)
			return -1;
		nd->s = name;
		nd->len = name_len;
		if (s[0] != '>')
			open[(*nopen)++] = t->n - 1;
		return 0;
	default:
		break;
	}

	if (n > 2 && s[0] == 't' && s[1] == ':') {
		char *key = s + 2, *arg;
		size_t key_len = 0, arg_len;

		while (key_len < n - 2 && !is_space(key[key_len]))
			key_len++;
		arg = key + key_len;
		arg_len = n - 2 - key_len;
		trim(&arg, &arg_len);
		if (!valid_key(key, key_len))
			return err_set(e, ERR_INVALID, NULL, "%s:%d: bad catalogue key \"%.*s\"", t->origin,
				       line, (int)key_len, key);
		if (arg_len > 0 && (arg[0] != '@' || !valid_path(arg + 1, arg_len - 1)))
			return err_set(e, ERR_INVALID, NULL,
				       "%s:%d: after a catalogue key only @path may follow, not \"%.*s\"",
				       t->origin, line, (int)arg_len, arg);
		nd = add_node(t, NODE_TRANS, line, e);
		if (nd == NULL)
			return -1;
		key[key_len] = '\0';
		nd->s = key;
		nd->len = key_len;
		if (arg_len > 0) {
			arg[arg_len] = '\0';
			nd->arg = arg + 1;
			nd->arg_len = arg_len - 1;
		}
		return 0;
	}

	{
		char *bar = memchr(s, '|', n);
		size_t path_len = bar ? (size_t)(bar - s) : n;
		enum filter filter = FILTER_NONE;

		if (bar != NULL) {
			char *f = bar + 1;
			size_t f_len = n - path_len - 1;

			trim(&f, &f_len);
			if (f_len == 5 && memcmp(f, "money", 5) == 0)
				filter = FILTER_MONEY;
			else if (f_len == 4 && memcmp(f, "date", 4) == 0)
				filter = FILTER_DATE;
			else if (f_len == 1 && f[0] == 't')
				filter = FILTER_T;
			else
				return err_set(e, ERR_INVALID, NULL, "%s:%d: unknown filter \"%.*s\"",
					       t->origin, line, (int)f_len, f);
			trim(&s, &path_len);
		}
		if (!valid_path(s, path_len))
			return err_set(e, ERR_INVALID, NULL, "%s:%d: bad tag \"{{%.*s}}\"", t->origin, line,
				       (int)n, s);
		nd = add_node(t, NODE_VAR, line, e);
		if (nd == NULL)
			return -1;
		s[path_len] = '\0';
		nd->s = s;
		nd->len = path_len;
		nd->filter = filter;
		return 0;
	}
}

/* Parse src (len bytes) into t, whose origin is set. On error t may hold a
 * partial node list; the caller frees it with tmpl_free_one(). */
static int parse(struct tmpl *t, const char *src, size_t len, struct err *e)
{
	size_t open[MAX_SECTION_DEPTH];
	size_t nopen = 0;
	char *p, *end;
	int line = 1;

	t->text = malloc(len + 1);
	if (t->text == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "%s: out of memory", t->origin);
	memcpy(t->text, src, len);
	t->text[len] = '\0';
	p = t->text;
	end = t->text + len;

	while (p < end) {
		char *tag = strstr(p, "{{"), *cs, *ce, *close;
		int triple, tag_line;
		size_t n;

		if (tag == NULL)
			tag = end;
		if (tag > p) {
			struct node *nd = add_node(t, NODE_TEXT, line, e);

			if (nd == NULL)
				return -1;
			nd->s = p;
			nd->len = (size_t)(tag - p);
			line += count_lines(p, nd->len);
		}
		if (tag == end)
			break;

		tag_line = line;
		triple = tag[2] == '{';
		cs = tag + (triple ? 3 : 2);
		close = strstr(cs, triple ? "}}}" : "}}");
		if (close == NULL)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: unclosed tag", t->origin, tag_line);
		ce = close;
		n = (size_t)(ce - cs);
		/* "{{a ... {{b}}": the first tag never closed. */
		for (size_t i = 0; i + 1 < n; i++)
			if (cs[i] == '{' && cs[i + 1] == '{')
				return err_set(e, ERR_INVALID, NULL, "%s:%d: unclosed tag", t->origin,
					       tag_line);
		line += count_lines(cs, n);
		p = close + (triple ? 3 : 2);

		trim(&cs, &n);
		if (n == 0)
			return err_set(e, ERR_INVALID, NULL, "%s:%d: empty tag", t->origin, tag_line);
		if (triple) {
			struct node *nd;

			if (!valid_path(cs, n))
				return err_set(e, ERR_INVALID, NULL,
					       "%s:%d: bad tag \"{{{%.*s}}}\" (a path, without filter)",
					       t->origin, tag_line, (int)n, cs);
			nd = add_node(t, NODE_RAW, tag_line, e);
			if (nd == NULL)
				return -1;
			cs[n] = '\0';
			nd->s = cs;
			nd->len = n;
			continue;
		}
		if (parse_tag(t, cs, n, tag_line, open, &nopen, e) == -1)
			return -1;
	}
	if (nopen > 0) {
		const struct node *sec = &t->nodes[open[nopen - 1]];

		return err_set(e, ERR_INVALID, NULL, "%s:%d: section \"%s\" is not closed", t->origin,
			       sec->line, sec->s);
	}
	return 0;
}

/* ---- Rendering ---- */

static int too_large(struct render *r)
{
	return err_set(r->e, ERR_INTERNAL, NULL, "page too large");
}

static int emit(struct render *r, const char *s, size_t n)
{
	if (n > 0 && buf_append(r->out, s, n) == -1)
		return too_large(r);
	return 0;
}

static int emit_html(struct render *r, const char *s, size_t n)
{
	if (n > 0 && buf_put_html(r->out, s, n) == -1)
		return too_large(r);
	return 0;
}

/* The value at path (NUL-terminated, dotted) in the context stack, or NULL.
 * The first segment is searched from the innermost frame out; where it is
 * found, the rest descend objects and no longer fall back. */
static const json_t *lookup(const struct frame *ctx, const char *path, size_t len)
{
	const json_t *v = NULL;
	const char *seg = path, *dot;
	size_t seg_len;

	if (len == 1 && path[0] == '.')
		return ctx ? ctx->v : NULL;
	dot = memchr(seg, '.', len);
	seg_len = dot ? (size_t)(dot - seg) : len;
	for (; ctx != NULL; ctx = ctx->up) {
		if (json_is_object(ctx->v) &&
		    (v = json_object_getn(ctx->v, seg, seg_len)) != NULL)
			break;
	}
	while (v != NULL && dot != NULL) {
		size_t left = len - (size_t)(dot + 1 - path);

		seg = dot + 1;
		dot = memchr(seg, '.', left);
		seg_len = dot ? (size_t)(dot - seg) : left;
		if (json_is_array(v)) {
			/* A number indexes an array: {{#list.0}} is "list has a first". */
			size_t i = 0, k;
			for (k = 0; k < seg_len && seg[k] >= '0' && seg[k] <= '9' && k < 9; k++)
				i = i * 10 + (size_t)(seg[k] - '0');
			v = k == seg_len && k > 0 ? json_array_get(v, i) : NULL;
		} else {
			v = json_is_object(v) ? json_object_getn(v, seg, seg_len) : NULL;
		}
	}
	return v;
}

static int truthy(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT:
	case JSON_TRUE:
		return 1;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	default:
		return 0;
	}
}

/* Write a scalar value; other values write nothing. */
static int write_value(struct render *r, const json_t *v, int escape)
{
	char tmp[64];
	const char *s;
	size_t n;
	int len;

	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		break;
	case JSON_INTEGER:
		len = snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		s = tmp;
		n = len > 0 ? (size_t)len : 0;
		break;
	case JSON_REAL:
		len = snprintf(tmp, sizeof(tmp), "%g", json_real_value(v));
		s = tmp;
		n = len > 0 && (size_t)len < sizeof(tmp) ? (size_t)len : strlen(tmp);
		break;
	case JSON_TRUE:
		s = "true";
		n = 4;
		break;
	default:
		return 0;
	}
	return escape ? emit_html(r, s, n) : emit(r, s, n);
}

static int write_date(struct render *r, const json_t *v)
{
	date_t d;
	int64_t at;

	/* A day, or (#15) an instant, shown in Norwegian time. */
	if (!json_is_string(v) ||
	    (date_parse(json_string_value(v), &d) == -1 && date_parse_timestamp(json_string_value(v), &at) == -1))
		return write_value(r, v, 1);
	buf_reset(&r->scratch);
	if (i18n_put_date(&r->scratch, r->lang, json_string_value(v)) != 0)
		return write_value(r, v, 1);
	return emit_html(r, buf_str(&r->scratch), r->scratch.len);
}

static int write_var(struct render *r, const struct node *nd, const json_t *v)
{
	char tmp[64];
	const char *s;

	switch (nd->filter) {
	case FILTER_MONEY:
		if (!json_is_integer(v))
			break;
		money_format(json_integer_value(v), r->lang, tmp, sizeof(tmp));
		return emit_html(r, tmp, strlen(tmp));
	case FILTER_DATE:
		return write_date(r, v);
	case FILTER_T:
		if (!json_is_string(v))
			break;
		s = i18n_get(r->lang, json_string_value(v));
		return emit_html(r, s, strlen(s));
	case FILTER_NONE:
		break;
	}
	return write_value(r, v, 1);
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t from, size_t to,
			const struct frame *ctx, int depth);

static int render_section(struct render *r, const struct tmpl *t, size_t i, const struct frame *ctx,
			  int depth)
{
	const struct node *nd = &t->nodes[i];
	const json_t *v = lookup(ctx, nd->s, nd->len);
	struct frame f;

	if (nd->kind == NODE_INVERTED) {
		if (truthy(v))
			return 0;
		return render_nodes(r, t, i + 1, nd->end, ctx, depth);
	}
	if (json_is_array(v)) {
		size_t k;
		const json_t *el;

		json_array_foreach (v, k, el) {
			f.v = el;
			f.up = ctx;
			if (render_nodes(r, t, i + 1, nd->end, &f, depth) == -1)
				return -1;
		}
		return 0;
	}
	if (json_is_object(v)) {
		f.v = v;
		f.up = ctx;
		return render_nodes(r, t, i + 1, nd->end, &f, depth);
	}
	if (truthy(v))
		return render_nodes(r, t, i + 1, nd->end, ctx, depth);
	return 0;
}

static int render_trans(struct render *r, const struct node *nd, const struct frame *ctx)
{
	const json_t *args;
	const char *s;

	if (nd->arg == NULL) {
		s = i18n_get(r->lang, nd->s);
		return emit_html(r, s, strlen(s));
	}
	args = lookup(ctx, nd->arg, nd->arg_len);
	if (!json_is_object(args))
		args = NULL;
	buf_reset(&r->scratch);
	if (i18n_render(&r->scratch, r->lang, nd->s, args) == -1)
		return too_large(r);
	return emit_html(r, buf_str(&r->scratch), r->scratch.len);
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t from, size_t to,
			const struct frame *ctx, int depth)
{
	for (size_t i = from; i < to; i++) {
		const struct node *nd = &t->nodes[i];
		const struct tmpl *p;
		int rc = 0;

		switch (nd->kind) {
		case NODE_TEXT:
			rc = emit(r, nd->s, nd->len);
			break;
		case NODE_VAR:
			rc = write_var(r, nd, lookup(ctx, nd->s, nd->len));
			break;
		case NODE_RAW:
			rc = write_value(r, lookup(ctx, nd->s, nd->len), 0);
			break;
		case NODE_SECTION:
		case NODE_INVERTED:
			rc = render_section(r, t, i, ctx, depth);
			i = nd->end - 1;
			break;
		case NODE_TRANS:
			rc = render_trans(r, nd, ctx);
			break;
		case NODE_PARTIAL:
			p = find_template(nd->s, nd->len);
			if (p == NULL)
				return err_set(r->e, ERR_INTERNAL, NULL, "%s:%d: partial \"%s\" not found",
					       t->origin, nd->line, nd->s);
			if (depth >= MAX_PARTIAL_DEPTH)
				return err_set(r->e, ERR_INTERNAL, NULL,
					       "%s:%d: partials nested more than %d deep", t->origin,
					       nd->line, MAX_PARTIAL_DEPTH);
			rc = render_nodes(r, p, 0, p->n, ctx, depth + 1);
			break;
		}
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Render t into out; on error out is cut back to where it was. */
static int render_top(struct buf *out, const struct tmpl *t, const json_t *data, enum lang lang,
		      struct err *e)
{
	struct render r;
	struct frame root;
	size_t start = out->len;
	int rc;

	r.out = out;
	buf_init(&r.scratch, out->max);
	r.lang = lang;
	r.e = e;
	root.v = data;
	root.up = NULL;

	rc = render_nodes(&r, t, 0, t->n, &root, 0);
	if (rc == -1) {
		out->len = start;
		if (out->p != NULL)
			out->p[start] = '\0';
	}
	buf_cleanup(&r.scratch);
	return rc;
}

/* ---- Public functions ---- */

static int is_template_file(const char *name, size_t *name_len)
{
	size_t len = strlen(name), dir = strlen(TMPL_DIR), ext = strlen(TMPL_EXT);

	if (len <= dir + ext || strncmp(name, TMPL_DIR, dir) != 0 ||
	    memcmp(name + len - ext, TMPL_EXT, ext) != 0)
		return 0;
	*name_len = len - dir - ext;
	return 1;
}

int tmpl_init(struct err *e)
{
	size_t count = 0, name_len;
	int rc = -1;

	tmpl_cleanup();
	for (const struct embed_file *f = embed_files; f->name != NULL; f++)
		if (is_template_file(f->name, &name_len))
			count++;
	if (count == 0)
		return 0;
	templates = calloc(count, sizeof(*templates));
	if (templates == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "templates: out of memory");

	for (const struct embed_file *f = embed_files; f->name != NULL; f++) {
		struct tmpl *t;

		if (!is_template_file(f->name, &name_len))
			continue;
		t = &templates[ntemplates++];
		t->name = f->name + strlen(TMPL_DIR);
		t->name_len = name_len;
		t->origin = f->name;
		if (parse(t, (const char *)f->data, f->len, e) == -1)
			goto out;
	}
	qsort(templates, ntemplates, sizeof(*templates), cmp_tmpl);

	/* A missing partial is a defect of the templates: find it at start. */
	for (size_t i = 0; i < ntemplates; i++) {
		const struct tmpl *t = &templates[i];

		for (size_t k = 0; k < t->n; k++) {
			const struct node *nd = &t->nodes[k];

			if (nd->kind == NODE_PARTIAL && find_template(nd->s, nd->len) == NULL) {
				err_set(e, ERR_INVALID, NULL, "%s:%d: partial \"%s\" not found",
					t->origin, nd->line, nd->s);
				goto out;
			}
		}
	}
	rc = 0;
out:
	if (rc == -1)
		tmpl_cleanup();
	return rc;
}

void tmpl_cleanup(void)
{
	for (size_t i = 0; i < ntemplates; i++)
		tmpl_free_one(&templates[i]);
	free(templates);
	templates = NULL;
	ntemplates = 0;
}

int tmpl_render(struct buf *out, const char *name, const json_t *data, enum lang lang, struct err *e)
{
	const struct tmpl *t;

	assert(out != NULL && name != NULL);
	t = find_template(name, strlen(name));
	if (t == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "unknown template \"%s\"", name);
	return render_top(out, t, data, lang, e);
}

int tmpl_render_string(struct buf *out, const char *source, const char *origin, const json_t *data,
		       enum lang lang, struct err *e)
{
	struct tmpl t;
	int rc = -1;

	assert(out != NULL && source != NULL);
	memset(&t, 0, sizeof(t));
	t.origin = origin ? origin : "(string)";
	t.name = t.origin;
	t.name_len = strlen(t.origin);
	if (parse(&t, source, strlen(source), e) == -1)
		goto out;
	rc = render_top(out, &t, data, lang, e);
out:
	tmpl_free_one(&t);
	return rc;
}
