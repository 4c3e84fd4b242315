/* arena.h - region allocator for one request, one job or one decision.
 *
 * Everything allocated from an arena is freed together by arena_cleanup() (or
 * recycled by arena_reset()). Allocation never returns NULL: on out-of-memory
 * the process aborts, since a half-built request is worse than a clean crash
 * that the durable job table recovers from. Not thread-safe: one arena, one
 * thread. */
#ifndef STIPEND_ARENA_H
#define STIPEND_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* current chunk, newest first */
	size_t chunk_size;        /* default size of a new chunk */
};

/* Prepare an empty arena. chunk_size 0 picks a default (16 KiB). */
void arena_init(struct arena *a, size_t chunk_size);

/* Free every chunk. The arena may be reused after arena_init(). */
void arena_cleanup(struct arena *a);

/* Forget all allocations but keep the first chunk for reuse. */
void arena_reset(struct arena *a);

/* n bytes aligned for any type, uninitialised. Never NULL. */
void *arena_alloc(struct arena *a, size_t n);

/* n zeroed bytes. Never NULL. */
void *arena_zalloc(struct arena *a, size_t n);

/* Copies of a string (NULL gives NULL) and of its first n bytes (NUL added). */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
