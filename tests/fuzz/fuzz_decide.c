/* fuzz_decide.c - libFuzzer target for the decision contract's reader
 * (src/rules/application.c) and the core behind it, as `stipend decide` and
 * POST /api/v1/decide meet an application from anyone: the input is the
 * JSON text. An application the reader takes must be decided, or refused
 * as invalid input (a 422 to the client, never a 500), and its decision
 * must be written as JSON that reads back, in both languages.
 *
 *   make build/fuzz/fuzz_decide
 *   build/fuzz/fuzz_decide -dict=tests/fuzz/decide.dict build/fuzz/new tests/fuzz/corpus/decide
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "rules/params.h"
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct params *params;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	err_clear(&e);
	if (params == NULL && (params = params_load_builtin(&e)) == NULL)
		abort(); /* the compiled-in set always loads */
	json_error_t jerr;
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (in == NULL)
		return 0;
	struct arena a;
	struct application app;
	struct decision *d;
	arena_init(&a, 0);
	d = arena_alloc(&a, sizeof(*d));
	int rc = rules_parse_application(in, &app, &a, &e);
	json_decref(in);
	if (rc != 0) {
		if (e.code != ERR_INVALID)
			abort(); /* input is refused as input */
		goto out;
	}
	if (rules_decide(&app, params, d, &e) != 0) {
		if (e.code != ERR_INVALID)
			abort(); /* a 500 for what a client sent */
		goto out;
	}
	if (d->n_awards > DECISION_MAX_AWARDS || d->n_reasons > DECISION_MAX_REASONS || d->n_steps > DECISION_MAX_STEPS)
		abort();
	for (int i = 0; i < d->n_awards; i++)
		if (d->awards[i].amount < 0 || d->awards[i].monthly < 0)
			abort(); /* no award takes money away */
	static const enum lang langs[] = {LANG_NB, LANG_EN};
	for (size_t l = 0; l < sizeof(langs) / sizeof(langs[0]); l++) {
		struct buf out;
		buf_init(&out, 1 << 22);
		if (rules_decision_json(&out, d, langs[l]) != 0)
			abort();
		json_t *back = json_loadb(out.p, out.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(back))
			abort(); /* the decision is JSON */
		json_decref(back);
		buf_cleanup(&out);
	}
out:
	arena_cleanup(&a);
	return 0;
}
