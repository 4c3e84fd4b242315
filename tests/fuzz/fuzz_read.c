/* fuzz_read.c - libFuzzer target holding the two roads of reading an
 * application to one answer (#9, speed): the fast reader
 * (rules_read_application, src/rules/jv.c) may decline a text, but what it
 * reads must be what json_loadb + rules_parse_application read, the same
 * application to the byte or the same error naming the same field; and what
 * jansson refuses as JSON the fast reader must decline.
 *
 *   make build/fuzz/fuzz_read
 *   build/fuzz/fuzz_read -dict=tests/fuzz/read.dict build/fuzz/new tests/fuzz/corpus/read
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a1, a2;
	struct application fast, slow;
	struct err e1, e2;
	err_clear(&e1);
	err_clear(&e2);
	memset(&slow, 0, sizeof(slow));
	arena_init(&a1, 0);
	arena_init(&a2, 0);
	int rc1 = rules_read_application((const char *)data, size, &fast, &a1, &e1);
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (in == NULL) {
		if (rc1 != 1)
			abort(); /* the fast reader took what is not JSON */
		goto out;
	}
	int rc2 = rules_parse_application(in, &slow, &a2, &e2);
	json_decref(in);
	if (rc1 == 1)
		goto out; /* declined: jansson's road reads it */
	if (rc1 != rc2)
		abort();
	if (rc1 != 0) {
		if (strcmp(e1.field, e2.field) != 0 || strcmp(e1.message, e2.message) != 0)
			abort();
		goto out;
	}
	if (fast.n_children != slow.n_children)
		abort();
	for (size_t i = 0; i < fast.n_children; i++)
		if (fast.children[i] != slow.children[i])
			abort();
	fast.children = slow.children = NULL;
	if (memcmp(&fast, &slow, sizeof(fast)) != 0)
		abort();
out:
	arena_cleanup(&a1);
	arena_cleanup(&a2);
	return 0;
}
