/* buf.h - bounded dynamic byte buffer (the habit of curl's dynbuf).
 *
 * A buffer knows the most it may ever hold; an append that would pass that
 * limit fails with -1 and leaves the content as it was, so hostile input can
 * never make it grow without end. The content is always NUL-terminated. */
#ifndef STIPEND_BUF_H
#define STIPEND_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
	char *p;    /* content, NUL-terminated; NULL until the first append */
	size_t len; /* bytes in use, without the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* the most len may become */
};

/* Prepare an empty buffer that may hold up to max bytes. */
void buf_init(struct buf *b, size_t max);

/* Free the content; the buffer is empty and reusable afterwards. */
void buf_cleanup(struct buf *b);

/* Empty the buffer but keep its memory. */
void buf_reset(struct buf *b);

/* Append bytes. Returns 0, or -1 when the limit would be passed or memory is
 * out; the buffer is then unaltered.
 *
 * #9, speed: an append that fits is written here, inline (a decision's
 * JSON is some hundreds of appends, most of literals, whose memcpy the
 * compiler then writes as a few moves); one that must grow the buffer
 * calls buf_append_grow(), which only buf_append() and buf_putc() call. */
int buf_append_grow(struct buf *b, const void *p, size_t n);

static inline int buf_append(struct buf *b, const void *p, size_t n)
{
	if (n < b->cap - b->len && b->len + n <= b->max) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
		return 0;
	}
	return buf_append_grow(b, p, n);
}

static inline int buf_putc(struct buf *b, char c)
{
	if (1 < b->cap - b->len && b->len < b->max) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return 0;
	}
	return buf_append_grow(b, &c, 1);
}

int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Append an integer in decimal, without printf. */
int buf_put_i64(struct buf *b, int64_t v);

/* Append s with HTML special characters (& < > " ') escaped. */
int buf_put_html(struct buf *b, const char *s, size_t n);

/* Append s as a JSON string literal, quotes included. */
int buf_put_json_string(struct buf *b, const char *s);

/* Append a finite double as JSON writes it, the shortest text that reads
 * back as the same number ("55", "39.9"). */
int buf_put_json_real(struct buf *b, double d);

/* The content as a string: "" for a buffer never appended to. */
const char *buf_str(const struct buf *b);

/* Hand the content over to the caller (free() it); the buffer is empty. */
char *buf_take(struct buf *b);

#endif
