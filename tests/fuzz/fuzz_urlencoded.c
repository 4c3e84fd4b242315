/* fuzz_urlencoded.c - libFuzzer target for the form parser
 * (http_parse_urlencoded, src/web/server.c), which reads every
 * application/x-www-form-urlencoded body a browser, or anyone, posts. The
 * input is the body. The parser must never read outside it, must make no
 * more pairs than the body has '&'-separated parts, and what it takes must
 * survive a round trip: each pair percent-encoded again (http_url_encode)
 * and parsed gives the very same pairs.
 *
 *   make build/fuzz/fuzz_urlencoded
 *   build/fuzz/fuzz_urlencoded build/fuzz/new tests/fuzz/corpus/urlencoded
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "web/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly the body, not NUL-terminated, so that a read
	 * past it is caught. */
	char *body = malloc(size ? size : 1);
	memcpy(body, data, size);
	struct arena a;
	struct kv *kv, *again;
	arena_init(&a, 0);
	int n = http_parse_urlencoded(&a, body, size, &kv);
	if (n >= 0) {
		size_t parts = 1;
		for (size_t i = 0; i < size; i++)
			parts += body[i] == '&';
		if ((size_t)n > parts)
			abort();
		struct buf b;
		buf_init(&b, 3 * size + (size_t)n * 2 + 16);
		for (int i = 0; i < n; i++) {
			if (kv[i].key == NULL || kv[i].value == NULL)
				abort();
			if (i > 0)
				buf_putc(&b, '&');
			http_url_encode(&b, kv[i].key);
			buf_putc(&b, '=');
			http_url_encode(&b, kv[i].value);
		}
		int m = http_parse_urlencoded(&a, b.p ? b.p : "", b.len, &again);
		if (m != n)
			abort();
		for (int i = 0; i < n; i++)
			if (strcmp(kv[i].key, again[i].key) != 0 || strcmp(kv[i].value, again[i].value) != 0)
				abort();
		buf_cleanup(&b);
	}
	arena_cleanup(&a);
	free(body);
	return 0;
}
