/* multipart.h - a bounded parser of multipart/form-data bodies (RFC 7578,
 * with the framing of RFC 2046 § 5.1.1), for the one form that uploads
 * files: documentation sent in answer to a request.
 *
 * The whole body is in memory already (the server bounds its size); the
 * parser finds the parts in it without copying their content: each part's
 * data points into the body. It bounds everything else a sender controls:
 * the number of parts, the size of a part's headers, and the size of each
 * part (one limit for files, one for plain fields), and it refuses what is
 * malformed rather than guessing: a missing or misplaced delimiter, a body
 * that ends before the close delimiter, a part without a form-data
 * disposition or name, a NUL in a name, a nested multipart. */
#ifndef STIPEND_MULTIPART_H
#define STIPEND_MULTIPART_H

#include <stddef.h>

struct arena;
struct err;

#define MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */

struct mp_part {
	const char *name;         /* the form field, NUL-terminated (arena) */
	const char *filename;     /* NULL for a plain field; "" for a file input left empty */
	const char *content_type; /* as the sender declared it, or NULL */
	const char *data;         /* the content, inside the body: not NUL-terminated */
	size_t len;
};

struct mp_limits {
	int max_parts;
	size_t max_header; /* bytes of one part's header block */
	size_t max_file;   /* bytes of a part with a filename */
	size_t max_field;  /* bytes of a part without one */
};

enum mp_fault {
	MP_OK = 0,
	MP_MALFORMED,      /* not multipart/form-data as the RFCs frame it */
	MP_TOO_MANY_PARTS, /* more than max_parts */
	MP_TOO_LARGE       /* a part (fault_field names it) passed its limit */
};

struct multipart {
	struct mp_part *parts; /* in the arena */
	int n;
	enum mp_fault fault;
	const char *fault_field; /* MP_TOO_LARGE, MP_TOO_MANY_PARTS: the part's name */
};

/* The boundary of a Content-Type "multipart/form-data; boundary=..."
 * (token or quoted string, 1 to 70 characters of RFC 2046's set) into out
 * (at least MULTIPART_BOUNDARY_MAX + 1 bytes). Returns 0, or -1 with e
 * (ERR_INVALID) when the type is another or the boundary is absent or bad. */
int multipart_boundary(const char *content_type, char *out, struct err *e);

/* Parse body (len bytes) delimited by boundary into m, with what it
 * allocates in a. Returns 0 with m->parts in order; or -1 with m->fault
 * saying why and e filled (ERR_INVALID; field the part's name for
 * MP_TOO_LARGE and MP_TOO_MANY_PARTS, else NULL). Pure: thread-safe with
 * an arena per call. */
int multipart_parse(struct multipart *m, struct arena *a, const char *body, size_t len, const char *boundary,
		    const struct mp_limits *lim, struct err *e);

/* The first part named name, or NULL. */
const struct mp_part *multipart_get(const struct multipart *m, const char *name);

#endif
