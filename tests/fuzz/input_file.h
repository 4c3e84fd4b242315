/* input_file.h - for the fuzz targets whose parser reads a file: one
 * temporary folder for the run, removed when it ends, and each input
 * written to one file in it. Header-only: each target is one file. */
#ifndef STIPEND_FUZZ_INPUT_FILE_H
#define STIPEND_FUZZ_INPUT_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_dir[64], fuzz_file[96];

static void fuzz_input_remove(void)
{
	unlink(fuzz_file);
	rmdir(fuzz_dir);
}

/* Make the folder /tmp/stipend-fuzz-<what>-XXXXXX and name the input file
 * in it; abort when the folder cannot be made. */
static inline void fuzz_input_init(const char *what, const char *name)
{
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/stipend-fuzz-%s-XXXXXX", what);
	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	snprintf(fuzz_file, sizeof(fuzz_file), "%s/%s", fuzz_dir, name);
	atexit(fuzz_input_remove);
}

/* Write one input to the file, replacing the last; abort when it cannot. */
static inline void fuzz_input_write(const uint8_t *data, size_t size)
{
	FILE *f = fopen(fuzz_file, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

#endif
