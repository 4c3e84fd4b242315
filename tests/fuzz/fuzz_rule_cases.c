/* fuzz_rule_cases.c - libFuzzer target for the reader of rule case files
 * (src/cli/test_rules.c: YAML into a tree with anchors and aliases, then
 * cases checked and converted to the contract's JSON and run), reached as
 * `stipend test-rules FILE` reaches it. A case file is written by people
 * and may come with a pull request; the input is one file, written to a
 * temporary path. Whatever it holds, the run must end with its exit status
 * (0 passed, 1 a case failed, 2 the file could not be read), never a crash.
 *
 * The run prints its findings; they go to /dev/null (the stdio streams are
 * pointed there), while libFuzzer and the sanitizers still report on the
 * real standard error.
 *
 *   make build/fuzz/fuzz_rule_cases
 *   build/fuzz/fuzz_rule_cases build/fuzz/new tests/fuzz/corpus/rule_cases
 */
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "input_file.h"

#include "cli/cli.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_input_init("rules", "cases.yaml");
	/* libFuzzer keeps the FILE it took for its own output at start. */
	FILE *null = fopen("/dev/null", "w");
	if (null == NULL)
		abort();
	stdout = null;
	stderr = null;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_input_write(data, size);
	char name[] = "test-rules";
	char *argv[] = {name, fuzz_file, NULL};
	optind = 0; /* getopt starts afresh, as in a new process */
	int rc = cli_test_rules(2, argv);
	if (rc < 0 || rc > 2)
		abort();
	return 0;
}
