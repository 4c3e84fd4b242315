/* buf.c - bounded dynamic byte buffer; see buf.h. */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_cleanup(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/* Make room for n more bytes plus the NUL. */
static int reserve(struct buf *b, size_t n)
{
	/* The NUL needs a byte of its own, so a limit of SIZE_MAX ("no
	 * practical limit") means SIZE_MAX - 1; max + 1 must never wrap. */
	size_t max = b->max < SIZE_MAX ? b->max : SIZE_MAX - 1;
	if (n > max || b->len > max - n)
		return -1;
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap <= SIZE_MAX / 2 ? cap * 2 : need;
	if (cap > max + 1)
		cap = max + 1;
	char *p = realloc(b->p, cap);
	if (p == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

int buf_append_grow(struct buf *b, const void *p, size_t n)
{
	if (reserve(b, n) != 0)
		return -1;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}


/* Cut b back to len bytes: an append that failed halfway leaves no trace. */
static int cut(struct buf *b, size_t len)
{
	b->len = len;
	if (b->p != NULL)
		b->p[len] = '\0';
	return -1;
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	/* Write straight into the room there is; measure and grow only when
	 * it does not fit (one vsnprintf call in the common case). */
	va_list copy;
	va_copy(copy, ap);
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	int n = vsnprintf(room ? b->p + b->len : NULL, room, fmt, copy);
	va_end(copy);
	if (n < 0)
		return -1;
	if ((size_t)n < room) {
		if (b->len + (size_t)n > b->max)
			return cut(b, b->len);
		b->len += (size_t)n;
		return 0;
	}
	if (reserve(b, (size_t)n) != 0)
		return cut(b, b->len);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_put_i64(struct buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	return buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int buf_put_html(struct buf *b, const char *s, size_t n)
{
	size_t save = b->len;
	size_t run = 0; /* start of the pending unescaped run */
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (buf_append(b, s + run, i - run) != 0 || buf_puts(b, rep) != 0)
			goto fail;
		run = i + 1;
	}
	if (buf_append(b, s + run, n - run) != 0)
		goto fail;
	return 0;
fail:
	return cut(b, save);
}

int buf_put_json_string(struct buf *b, const char *s)
{
	size_t save = b->len;
	if (buf_putc(b, '"') != 0)
		return -1;
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i, n = strlen(s);
	for (i = 0; i < n; i++) {
		/* Eight bytes at a time while none needs escaping: no byte below
		 * 0x20, no quote, no backslash (traces are mostly such text). */
		while (i + 8 <= n) {
			const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
			uint64_t w, q, bs;
			memcpy(&w, p + i, 8);
			q = w ^ (ones * '"');
			bs = w ^ (ones * '\\');
			if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & highs)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (buf_append(b, s + run, i - run) != 0)
			goto fail;
		int rc;
		switch (c) {
		case '"': rc = buf_puts(b, "\\\""); break;
		case '\\': rc = buf_puts(b, "\\\\"); break;
		case '\n': rc = buf_puts(b, "\\n"); break;
		case '\t': rc = buf_puts(b, "\\t"); break;
		case '\r': rc = buf_puts(b, "\\r"); break;
		default: rc = buf_printf(b, "\\u%04x", c); break;
		}
		if (rc != 0)
			goto fail;
		run = i + 1;
	}
	if (buf_append(b, s + run, i - run) != 0 || buf_putc(b, '"') != 0)
		goto fail;
	return 0;
fail:
	return cut(b, save);
}

int buf_put_json_real(struct buf *b, double d)
{
	/* Distances and walking are mostly whole or of one decimal: write
	 * those by hand, the rest as the shortest text that reads back. */
	double tenths = d * 10;
	if (tenths >= -1e15 && tenths <= 1e15 && tenths == (double)(int64_t)tenths &&
	    (double)(int64_t)tenths / 10 == d) {
		int64_t t = (int64_t)tenths;
		int64_t whole = t / 10, frac = t % 10;
		if (t < 0 && whole == 0 && buf_putc(b, '-') != 0)
			return -1;
		if (buf_put_i64(b, whole) != 0)
			return -1;
		if (frac == 0)
			return 0;
		char tail[2] = {'.', (char)('0' + (frac < 0 ? -frac : frac))};
		return buf_append(b, tail, 2);
	}
	char tmp[32];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	return buf_puts(b, tmp);
}

const char *buf_str(const struct buf *b)
{
	return b->p != NULL ? b->p : "";
}

char *buf_take(struct buf *b)
{
	char *p = b->p;
	if (p == NULL)
		p = calloc(1, 1);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
