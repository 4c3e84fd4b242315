/* fuzz_support.c - libFuzzer target for what the support centre (#14)
 * parses from outside: the FAQ's search query turned into an FTS5
 * expression (faq_fts_query), the desk's moments (support_parse_when) and
 * an amount of kroner (support_parse_kroner). The input is one string.
 * The FTS5 expression must be nothing but quoted words marked as prefixes
 * ('"w1"* "w2"*', no quote inside a word, at most 8 words), a moment must
 * format back to the same day, hour and minute, and an amount must be
 * whole øre between 0 and 10^14.
 *
 *   make build/fuzz/fuzz_support
 *   build/fuzz/fuzz_support build/fuzz/new tests/fuzz/corpus/support
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "support/support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fts(const char *q)
{
	if (q == NULL)
		return;
	int words = 0;
	const char *p = q;
	for (;;) {
		if (*p++ != '"')
			abort();
		const char *w = p;
		while (*p && *p != '"')
			p++;
		if (*p != '"' || p == w || p - w > 64)
			abort();
		for (const char *c = w; c < p; c++)
			if (*c == ' ' || *c == '*' || *c == '(' || *c == ')' || *c == ':' || *c == '^')
				abort();
		p++;
		if (*p++ != '*')
			abort();
		words++;
		if (*p == '\0')
			break;
		if (*p++ != ' ')
			abort();
	}
	if (words > 8)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	struct arena a;
	arena_init(&a, 0);
	check_fts(faq_fts_query(&a, s));
	int64_t t;
	if (support_parse_when(s, &t) == 0) {
		char ts[21];
		date_format_timestamp(t, ts);
		if (strncmp(ts, s, 10) != 0 || strncmp(ts + 11, s + 11, 5) != 0)
			abort();
	}
	int64_t ore;
	if (support_parse_kroner(s, &ore) == 0 && (ore < 0 || ore > 100000000000000LL))
		abort();
	arena_cleanup(&a);
	free(s);
	return 0;
}
