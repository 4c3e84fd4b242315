/* multipart.c - multipart/form-data without copying the content; see
 * multipart.h.
 *
 * The body is scanned once, left to right: the first delimiter (at the
 * very start or after a CRLF; what comes before is a preamble), then for
 * each part its header block (bounded, ended by an empty line), and its
 * content up to the next CRLF-delimiter. A delimiter followed by "--" ends
 * the body; what follows it (the epilogue) is ignored. Header lines are
 * read within [start, end) ranges, never past them, and only the two
 * headers a form needs are understood: Content-Disposition and
 * Content-Type. */
#include "web/multipart.h"

#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/err.h"

/* A byte range of the body: [p, end). */
struct span {
	const char *p, *end;
};

static void skip_space(struct span *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
		s->p++;
}

/* 1 when s starts with word (case-insensitive); consumes it. */
static int take_word(struct span *s, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || strncasecmp(s->p, word, n) != 0)
		return 0;
	s->p += n;
	return 1;
}

/* A parameter value: a quoted string (backslash escapes one byte) or a
 * token up to ';' or white space, copied into the arena. NULL when a
 * quoted string is not closed. */
static char *param_value(struct span *s, struct arena *a)
{
	if (s->p < s->end && *s->p == '"') {
		s->p++;
		char *out = arena_alloc(a, (size_t)(s->end - s->p) + 1), *o = out;
		while (s->p < s->end && *s->p != '"') {
			if (*s->p == '\\' && s->p + 1 < s->end)
				s->p++;
			*o++ = *s->p++;
		}
		if (s->p >= s->end)
			return NULL;
		s->p++; /* the closing quote */
		*o = '\0';
		return out;
	}
	const char *start = s->p;
	while (s->p < s->end && *s->p != ';' && *s->p != ' ' && *s->p != '\t')
		s->p++;
	return arena_strndup(a, start, (size_t)(s->p - start));
}

/* Read "; name=value" parameters until the end of s, calling back for
 * each. Returns 0, or -1 when they are malformed. */
typedef int (*param_fn)(const char *name, size_t name_len, const char *value, void *ctx);

static int params(struct span *s, struct arena *a, param_fn fn, void *ctx)
{
	for (;;) {
		skip_space(s);
		if (s->p >= s->end)
			return 0;
		if (*s->p != ';')
			return -1;
		s->p++;
		skip_space(s);
		if (s->p >= s->end)
			return 0; /* a trailing ';' is tolerated */
		const char *name = s->p;
		while (s->p < s->end && *s->p != '=' && *s->p != ';' && *s->p != ' ' && *s->p != '\t')
			s->p++;
		size_t name_len = (size_t)(s->p - name);
		skip_space(s);
		if (name_len == 0 || s->p >= s->end || *s->p != '=')
			return -1;
		s->p++;
		skip_space(s);
		char *value = param_value(s, a);
		if (value == NULL || fn(name, name_len, value, ctx) != 0)
			return -1;
	}
}

static int name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* ---- the boundary ---- */

static int boundary_param(const char *name, size_t len, const char *value, void *ctx)
{
	if (name_is(name, len, "boundary")) {
		const char **out = ctx;
		if (*out != NULL)
			return -1; /* twice */
		*out = value;
	}
	return 0;
}

/* RFC 2046's bchars: digits, letters and '()+_,-./:=? and space (not
 * last). */
static int boundary_ok(const char *b)
{
	size_t n = strlen(b);
	if (n < 1 || n > MULTIPART_BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = b[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      strchr("'()+_,-./:=? ", c) != NULL))
			return 0;
	}
	return 1;
}

int multipart_boundary(const char *content_type, char *out, struct err *e)
{
	if (content_type == NULL)
		return err_set(e, ERR_INVALID, NULL, "no content type");
	struct span s = {content_type, content_type + strlen(content_type)};
	struct arena a;
	const char *b = NULL;
	skip_space(&s);
	if (!take_word(&s, "multipart/form-data"))
		return err_set(e, ERR_INVALID, NULL, "not multipart/form-data");
	arena_init(&a, 512);
	int rc = params(&s, &a, boundary_param, &b);
	if (rc != 0 || b == NULL || !boundary_ok(b)) {
		arena_cleanup(&a);
		return err_set(e, ERR_INVALID, NULL, "no usable boundary");
	}
	memcpy(out, b, strlen(b) + 1);
	arena_cleanup(&a);
	return 0;
}

/* ---- one part's headers ---- */

struct part_headers {
	const char *name, *filename, *content_type;
	int disposition; /* Content-Disposition seen */
};

static int disposition_param(const char *name, size_t len, const char *value, void *ctx)
{
	struct part_headers *h = ctx;
	if (name_is(name, len, "name")) {
		if (h->name != NULL)
			return -1;
		h->name = value;
	} else if (name_is(name, len, "filename")) {
		if (h->filename != NULL)
			return -1;
		h->filename = value;
	}
	return 0; /* filename* and others: not needed */
}

/* Read the header block [p, end) (lines ended by CRLF, the last one
 * too). Returns 0, or -1 when malformed. */
static int read_headers(const char *p, const char *end, struct arena *a, struct part_headers *h)
{
	memset(h, 0, sizeof(*h));
	if (memchr(p, '\0', (size_t)(end - p)) != NULL)
		return -1;
	while (p < end) {
		const char *eol = p;
		while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'))
			eol++;
		if (eol + 1 >= end)
			return -1; /* a line without its CRLF */
		struct span line = {p, eol};
		p = eol + 2;
		if (line.p == line.end || *line.p == ' ' || *line.p == '\t')
			return -1; /* empty inside the block, or folded */
		const char *colon = memchr(line.p, ':', (size_t)(line.end - line.p));
		if (colon == NULL)
			return -1;
		size_t name_len = (size_t)(colon - line.p);
		struct span value = {colon + 1, line.end};
		skip_space(&value);
		while (value.end > value.p && (value.end[-1] == ' ' || value.end[-1] == '\t'))
			value.end--;
		if (name_is(line.p, name_len, "content-disposition")) {
			if (h->disposition)
				return -1;
			h->disposition = 1;
			if (!take_word(&value, "form-data") ||
			    (value.p < value.end && *value.p != ';' && *value.p != ' ' && *value.p != '\t'))
				return -1;
			if (params(&value, a, disposition_param, h) != 0)
				return -1;
		} else if (name_is(line.p, name_len, "content-type")) {
			if (h->content_type != NULL)
				return -1;
			h->content_type = arena_strndup(a, value.p, (size_t)(value.end - value.p));
			if (strncasecmp(h->content_type, "multipart/", 10) == 0)
				return -1; /* nested multipart: RFC 7578 § 4.3 deprecates it */
		}
	}
	if (!h->disposition || h->name == NULL)
		return -1;
	return 0;
}

/* ---- the body ---- */

static int fault(struct multipart *m, enum mp_fault f, const char *field, struct err *e, const char *what)
{
	m->fault = f;
	m->fault_field = field;
	return err_set(e, ERR_INVALID, field, "multipart: %s", what);
}

/* A file's name without the folders some browsers send ("C:\x\a.pdf"). */
static const char *base_name(const char *name)
{
	const char *slash = strrchr(name, '/'), *back = strrchr(name, '\\');
	const char *last = slash > back ? slash : back;
	return last ? last + 1 : name;
}

int multipart_parse(struct multipart *m, struct arena *a, const char *body, size_t len, const char *boundary,
		    const struct mp_limits *lim, struct err *e)
{
	memset(m, 0, sizeof(*m));
	size_t blen = strlen(boundary);
	if (blen < 1 || blen > MULTIPART_BOUNDARY_MAX || lim->max_parts < 1)
		return fault(m, MP_MALFORMED, NULL, e, "bad boundary");
	/* "\r\n--boundary": the delimiter inside the body; at the very start
	 * it comes without the CRLF. */
	char delim[MULTIPART_BOUNDARY_MAX + 5];
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, blen);
	size_t dlen = blen + 4;
	m->parts = arena_zalloc(a, sizeof(*m->parts) * (size_t)lim->max_parts);

	const char *p, *end = body + len;
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		p = body + dlen - 2;
	} else {
		const char *first = memmem(body, len, delim, dlen);
		if (first == NULL)
			return fault(m, MP_MALFORMED, NULL, e, "no delimiter");
		p = first + dlen;
	}
	for (;;) {
		/* Just after a delimiter: "--" closes the body, else optional
		 * padding and a CRLF open a part. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return fault(m, MP_MALFORMED, NULL, e, "delimiter not followed by CRLF");
		p += 2;
		/* The header block ends with an empty line; a part with no
		 * headers at all cannot be a form field. */
		size_t window = (size_t)(end - p) < lim->max_header + 4 ? (size_t)(end - p) : lim->max_header + 4;
		const char *blank = memmem(p, window, "\r\n\r\n", 4);
		if (blank == NULL)
			return fault(m, MP_MALFORMED, NULL, e,
				     window > lim->max_header ? "part headers too long" : "part headers not ended");
		struct part_headers h;
		if (read_headers(p, blank + 2, a, &h) != 0)
			return fault(m, MP_MALFORMED, NULL, e, "bad part headers");
		const char *data = blank + 4;
		const char *next = memmem(data, (size_t)(end - data), delim, dlen);
		if (next == NULL)
			return fault(m, MP_MALFORMED, NULL, e, "body ends inside a part");
		size_t n = (size_t)(next - data);
		if (m->n == lim->max_parts)
			return fault(m, MP_TOO_MANY_PARTS, h.name, e, "too many parts");
		if (n > (h.filename ? lim->max_file : lim->max_field))
			return fault(m, MP_TOO_LARGE, h.name, e, "part too large");
		struct mp_part *part = &m->parts[m->n++];
		part->name = h.name;
		part->filename = h.filename ? base_name(h.filename) : NULL;
		part->content_type = h.content_type;
		part->data = data;
		part->len = n;
		p = next + dlen;
	}
}

const struct mp_part *multipart_get(const struct multipart *m, const char *name)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->parts[i].name, name) == 0)
			return &m->parts[i];
	return NULL;
}
