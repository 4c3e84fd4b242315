/* fuzz_inst_csv.c - libFuzzer target for the institutions' CSV reader
 * (inst_csv_read, src/institution/csv.c), which reads every file a school
 * uploads. The input is the file. The reader must never read outside it,
 * must give each report a line that exists (ascending, after the header),
 * and must keep its problems within its bounds and name a line and column
 * for each.
 *
 *   make build/fuzz/fuzz_inst_csv
 *   build/fuzz/fuzz_inst_csv build/fuzz/new tests/fuzz/corpus/inst_csv
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "institution/institution.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly the file, not NUL-terminated, so that a read past
	 * it is caught. */
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	struct arena a;
	struct inst_report *items;
	struct inst_result res;
	arena_init(&a, 0);
	int n = inst_csv_read(text, size, &items, &res, &a);
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	if (n < -1 || res.n_problems < 0 || res.n_problems > 100 || (n == -1 && res.n_problems == 0))
		abort();
	for (int i = 0; i < n; i++) {
		if (items[i].line < 2 || (size_t)items[i].line > lines || (i > 0 && items[i].line <= items[i - 1].line))
			abort();
		if (items[i].nin == NULL || items[i].kind == NULL || items[i].period == NULL)
			abort();
	}
	for (int i = 0; i < res.n_problems; i++)
		if (res.problems[i].column == NULL || res.problems[i].code == NULL ||
		    (size_t)res.problems[i].line > lines)
			abort();
	arena_cleanup(&a);
	free(text);
	return 0;
}
