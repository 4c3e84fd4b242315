/* fuzz_camt054.c - libFuzzer target for the bank's camt.054 report
 * (src/loans/camt.c), which stipend loans import reads from outside: the
 * parser must never read past the document, and every credit it returns
 * must have a reference, an amount above 0 and a booking day.
 *
 *   make build/fuzz/fuzz_camt054 && build/fuzz/fuzz_camt054 -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "loans/account.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct err e;
	struct loan_payment *p;
	/* A copy of exactly the input, so that a read past it is caught. */
	char *xml = malloc(size ? size : 1);
	memcpy(xml, data, size);
	arena_init(&a, 0);
	int n = loans_camt054_parse(xml, size, &p, &a, &e);
	for (int i = 0; i < n; i++)
		if (p[i].bank_ref == NULL || p[i].bank_ref[0] == '\0' || p[i].amount <= 0 || p[i].booked == LOAN_NO_DATE)
			abort();
	arena_cleanup(&a);
	free(xml);
	return 0;
}
