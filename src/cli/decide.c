/* decide.c - `stipend decide`: applications as JSON in, decisions out,
 * exactly as ../shared/spec/decide.md says; the batch mode (--jsonl) decides
 * one application a line in one process. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "rules/params.h"
#include "rules/rules.h"

static const char decide_help[] =
	"Usage: stipend decide [--jsonl] [--params DIR] [--lang nb|en] [FILE]\n\n"
	"Decide the application in FILE (standard input when FILE is absent or -)\n"
	"and print the decision as JSON, with its legal trace.\n\n"
	"  --jsonl       one application a line in, one decision a line out; a line\n"
	"                that cannot be read prints its error object and the run\n"
	"                goes on (exit status 2 at the end)\n"
	"  --params DIR  decide under another parameter set (a folder of school-year\n"
	"                folders of YAML files) instead of the built-in one\n"
	"  --lang LANG   language of the explanations: nb (default) or en\n\n"
	"Exit status: 0 decided, 2 input not understood (a JSON error naming the\n"
	"field on standard error), 1 the parameter set could not be loaded.\n";

void cli_print_error(const struct err *e)
{
	json_t *j = err_to_json(e);
	char *s = json_dumps(j, JSON_COMPACT);
	fprintf(stderr, "%s\n", s ? s : "{\"error\":\"internal\"}");
	free(s);
	json_decref(j);
}

/* Decide one application text into out. Returns 0, or -1 with e filled. */
static int decide_text(const char *text, size_t len, const struct params *p, enum lang lang,
		       struct arena *a, struct buf *out, struct err *e)
{
	json_error_t jerr;
	json_t *in = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (in == NULL)
		return err_set(e, ERR_INVALID, "", "not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line,
			       jerr.column);
	struct application app;
	struct decision *d = arena_alloc(a, sizeof(*d));
	int rc = rules_parse_application(in, &app, a, e);
	json_decref(in);
	if (rc == 0)
		rc = rules_decide(&app, p, d, e);
	if (rc == 0 && rules_decision_json(out, d, lang) != 0)
		rc = err_set(e, ERR_INTERNAL, NULL, "decision too large");
	return rc;
}

int cli_decide(int argc, char **argv)
{
	static const struct option opts[] = {{"jsonl", no_argument, NULL, 'j'},
					     {"params", required_argument, NULL, 'p'},
					     {"lang", required_argument, NULL, 'l'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int jsonl = 0, c, status = 0;
	const char *params_dir = NULL;
	enum lang lang = LANG_NB;
	struct err e;
	err_clear(&e);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': jsonl = 1; break;
		case 'p': params_dir = optarg; break;
		case 'l':
			if (i18n_lang_parse(optarg, &lang) != 0) {
				fprintf(stderr, "stipend decide: --lang must be nb or en\n");
				return 2;
			}
			break;
		case 'h': fputs(decide_help, stdout); return 0;
		default: fputs(decide_help, stderr); return 2;
		}
	}
	if (argc - optind > 1) {
		fputs(decide_help, stderr);
		return 2;
	}
	FILE *in = stdin;
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		in = fopen(argv[optind], "rb");
		if (in == NULL) {
			fprintf(stderr, "stipend decide: cannot open %s\n", argv[optind]);
			return 2;
		}
	}
	struct params *p = params_dir ? params_load_dir(params_dir, &e) : params_load_builtin(&e);
	if (p == NULL) {
		fprintf(stderr, "stipend decide: %s\n", e.message);
		if (in != stdin)
			fclose(in);
		return 1;
	}

	struct arena a;
	struct buf out;
	arena_init(&a, 65536);
	buf_init(&out, 1 << 20);
	char *line = NULL;
	size_t cap = 0;
	if (jsonl) {
		ssize_t n;
		while ((n = getline(&line, &cap, in)) > 0) {
			if (n == 1 && line[0] == '\n')
				continue;
			buf_reset(&out);
			arena_reset(&a);
			err_clear(&e);
			if (decide_text(line, (size_t)n, p, lang, &a, &out, &e) != 0) {
				json_t *j = err_to_json(&e);
				char *s = json_dumps(j, JSON_COMPACT);
				buf_puts(&out, s ? s : "{\"error\":\"internal\"}");
				free(s);
				json_decref(j);
				status = 2;
			}
			buf_putc(&out, '\n');
			fwrite(out.p, 1, out.len, stdout);
		}
	} else {
		struct buf text;
		buf_init(&text, 1 << 24);
		char chunk[65536];
		size_t got;
		while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0)
			if (buf_append(&text, chunk, got) != 0)
				break;
		if (!feof(in)) {
			err_set(&e, ERR_INVALID, "", "the application is larger than 16 MiB");
			status = 2;
		} else if (decide_text(buf_str(&text), text.len, p, lang, &a, &out, &e) != 0) {
			status = e.code == ERR_INVALID ? 2 : 1;
		}
		if (status != 0) {
			cli_print_error(&e);
		} else {
			buf_putc(&out, '\n');
			fwrite(out.p, 1, out.len, stdout);
		}
		buf_cleanup(&text);
	}
	free(line);
	buf_cleanup(&out);
	arena_cleanup(&a);
	params_free(p);
	if (in != stdin)
		fclose(in);
	if (fflush(stdout) != 0)
		return 1;
	return status;
}
