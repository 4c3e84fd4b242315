/* fuzz_params.c - libFuzzer target for the parameter loader
 * (src/rules/params.c), which reads the YAML of a parameter folder that
 * `--params DIR` names. The input is one parameter file, written to a
 * temporary folder and loaded as the loader loads any folder. A set it
 * accepts must keep its promises: every value with its unit, reference,
 * source and a period that does not end before it begins, in key and date
 * order, no two of a key overlapping, and each found by params_get() on
 * the first and last day of its period.
 *
 *   make build/fuzz/fuzz_params
 *   build/fuzz/fuzz_params -dict=tests/fuzz/params.dict build/fuzz/new tests/fuzz/corpus/params
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input_file.h"

#include "core/err.h"
#include "rules/params.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_input_init("params", "p.yaml");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_input_write(data, size);
	struct err e;
	err_clear(&e);
	struct params *p = params_load_dir(fuzz_dir, &e);
	if (p == NULL) {
		if (e.message[0] == '\0')
			abort(); /* a refusal says why */
		return 0;
	}
	size_t n = params_count(p);
	if (n == 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct param *v = params_at(p, i);
		if (v == NULL || v->key == NULL || v->unit == NULL || v->reference == NULL || !*v->reference ||
		    v->source == NULL || !*v->source || v->valid_to < v->valid_from)
			abort();
		if (i > 0) {
			const struct param *u = params_at(p, i - 1);
			int c = strcmp(u->key, v->key);
			if (c > 0 || (c == 0 && u->valid_to >= v->valid_from))
				abort(); /* out of order, or overlapping */
		}
		if (params_get(p, v->key, v->valid_from) != v || params_get(p, v->key, v->valid_to) != v ||
		    (params_key_covers(v->key) && !params_covers(p, v->valid_from)))
			abort();
	}
	if (params_at(p, n) != NULL)
		abort();
	params_free(p);
	return 0;
}
