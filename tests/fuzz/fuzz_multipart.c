/* fuzz_multipart.c - libFuzzer target for the multipart/form-data parser
 * (src/web/multipart.c), which meets whatever a browser, or anyone, sends
 * to the documentation upload. The first input byte picks the limits, the
 * rest is the body; the parser must never read outside it, and every part
 * it returns must lie within it.
 *
 *   make build/fuzz/fuzz_multipart
 *   build/fuzz/fuzz_multipart -dict=tests/fuzz/multipart.dict build/fuzz/new tests/fuzz/corpus/multipart
 *
 * `make check` runs every target of this folder for a while (tests/run-all.sh
 * fuzz): each from its seeds in corpus/<name>/ with the dictionary
 * <name>.dict beside it, built against build/asan/libstipend.a. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "web/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct mp_limits lim = {1 + data[0] % 8, 16 + (size_t)(data[0] >> 3) * 8, 64, 16};
	/* A copy of exactly the body, so that a read past it is caught. */
	char *body = malloc(size - 1 ? size - 1 : 1);
	memcpy(body, data + 1, size - 1);
	struct arena a;
	struct multipart m;
	struct err e;
	arena_init(&a, 0);
	if (multipart_parse(&m, &a, body, size - 1, "XyZ", &lim, &e) == 0) {
		for (int i = 0; i < m.n; i++)
			if (m.parts[i].data < body || m.parts[i].data + m.parts[i].len > body + size - 1 ||
			    m.parts[i].name == NULL)
				abort();
	}
	arena_cleanup(&a);
	free(body);
	return 0;
}
