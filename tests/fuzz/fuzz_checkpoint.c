/* fuzz_checkpoint.c - libFuzzer target for a line of the audit checkpoint
 * file (src/audit/checkpoint.c), which stipend verify reads from outside
 * the database, where whoever rewrote the log may have written too. The
 * line must never be read outside itself, and a line the target's key did
 * not sign must never pass.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       tests/fuzz/fuzz_checkpoint.c src/audit/checkpoint.c src/audit/audit.c build/libstipend.a \
 *       $(pkg-config --cflags --libs sqlite3 jansson libsodium) -lpthread -lm \
 *       -o build/fuzz_checkpoint
 *   build/fuzz_checkpoint -max_total_time=60
 */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A key nobody has the secret half of: no input can be signed by it. */
	static const unsigned char pk[32] = {1, 2, 3};
	struct audit_checkpoint cp;
	char problem[256];
	if (sodium_init() < 0)
		return 0;
	/* A copy of exactly the line and its NUL, so that a read past it is
	 * caught. */
	char *line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	if (audit_checkpoint_parse(line, 1, pk, &cp, problem, sizeof(problem)) == 0)
		abort();
	free(line);
	return 0;
}
