/* decide.c - `stipend decide`: applications as JSON in, decisions out,
 * exactly as ../shared/spec/decide.md says; the batch mode (--jsonl) decides
 * one application a line in one process. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	"  --threads N   workers deciding --jsonl lines (default: one a processor,\n"
	"                at most 4); the output is in input order whatever N is\n"
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
	struct application app;
	struct decision *d = arena_alloc(a, sizeof(*d));
	int rc = rules_read_application(text, len, &app, a, e);
	if (rc == 0)
		rc = rules_decide(&app, p, d, e);
	if (rc == 0 && rules_decision_json(out, d, lang) != 0)
		rc = err_set(e, ERR_INTERNAL, NULL, "decision too large");
	if (rc <= 0)
		return rc;
	/* Not of the plain kind: jansson reads it, and names what is wrong. */
	err_clear(e);
	json_error_t jerr;
	json_t *in = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (in == NULL)
		return err_set(e, ERR_INVALID, "", "not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line,
			       jerr.column);
	rc = rules_parse_application(in, &app, a, e);
	json_decref(in);
	if (rc == 0)
		rc = rules_decide(&app, p, d, e);
	if (rc == 0 && rules_decision_json(out, d, lang) != 0)
		rc = err_set(e, ERR_INTERNAL, NULL, "decision too large");
	return rc;
}

/* The --jsonl run, in parallel: the main thread reads the input in blocks
 * of whole lines into a ring of slots and writes the slots' decisions out
 * in the order it read them; workers decide the slots' lines. The output
 * is byte for byte what one thread deciding line by line would write: a
 * slot's lines are decided in order, and slots are written in order. */
#define JL_SLOTS 8
#define JL_BLOCK (256 * 1024) /* bytes of input a slot takes at least */

enum jl_state { JL_FREE, JL_FILLED, JL_TAKEN, JL_DONE };

struct jl_slot {
	char *in;
	size_t in_len, in_cap;
	struct buf out;
	int status; /* 2 when a line could not be read */
	enum jl_state state;
};

struct jl {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct jl_slot slot[JL_SLOTS];
	unsigned long next_take; /* the next slot sequence a worker decides */
	int eof;                 /* no more slots will be filled */
	const struct params *p;
	enum lang lang;
};

/* The most one line's decision may take: more is "decision too large". */
#define JL_LINE_MAX (1 << 20)

/* Decide the lines of s->in into s->out, one output line each, as the
 * single-threaded loop did: a line of only "\n" is skipped; the last may
 * lack its newline. Each decision is written straight into s->out (#9,
 * speed: no copy through a buffer of its own), its limit that of a line:
 * s->out's max is set to the line's start plus JL_LINE_MAX while it is
 * written, so an append fails exactly where a buffer of that size would
 * fail, and a line that fails is cut off again before its error. */
static void jl_decide_slot(struct jl_slot *s, const struct params *p, enum lang lang, struct arena *a)
{
	const char *q = s->in, *end = s->in + s->in_len;
	struct err e;
	struct buf *out = &s->out;
	buf_reset(out);
	s->status = 0;
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t n = nl ? (size_t)(nl - q) + 1 : (size_t)(end - q);
		const char *text = q;
		q += n;
		if (n == 1 && text[0] == '\n')
			continue;
		size_t mark = out->len;
		arena_reset(a);
		err_clear(&e);
		out->max = mark + JL_LINE_MAX;
		int rc = decide_text(text, n, p, lang, a, out, &e);
		out->max = SIZE_MAX;
		if (rc != 0) {
			out->len = mark;
			if (out->p != NULL)
				out->p[mark] = '\0';
			json_t *j = err_to_json(&e);
			char *js = json_dumps(j, JSON_COMPACT);
			buf_puts(out, js ? js : "{\"error\":\"internal\"}");
			free(js);
			json_decref(j);
			s->status = 2;
		}
		buf_putc(out, '\n');
	}
}

static void *jl_worker(void *arg)
{
	struct jl *j = arg;
	struct arena a;
	arena_init(&a, 65536);
	pthread_mutex_lock(&j->mu);
	for (;;) {
		struct jl_slot *s = &j->slot[j->next_take % JL_SLOTS];
		if (s->state == JL_FILLED) {
			s->state = JL_TAKEN;
			j->next_take++;
			pthread_mutex_unlock(&j->mu);
			jl_decide_slot(s, j->p, j->lang, &a);
			pthread_mutex_lock(&j->mu);
			s->state = JL_DONE;
			pthread_cond_broadcast(&j->cv);
			continue;
		}
		if (j->eof)
			break;
		pthread_cond_wait(&j->cv, &j->mu);
	}
	pthread_mutex_unlock(&j->mu);
	arena_cleanup(&a);
	return NULL;
}

/* Grow s->in to hold n more bytes. Returns 0 or -1. */
static int jl_reserve(struct jl_slot *s, size_t n)
{
	if (s->in_len + n <= s->in_cap)
		return 0;
	size_t cap = s->in_cap ? s->in_cap : JL_BLOCK * 2;
	while (cap < s->in_len + n)
		cap *= 2;
	char *p = realloc(s->in, cap);
	if (p == NULL)
		return -1;
	s->in = p;
	s->in_cap = cap;
	return 0;
}

/* Decide every line of in onto stdout with threads workers. Returns the
 * exit status: 0, 2 when a line could not be read, 1 when memory ran out. */
static int decide_jsonl(FILE *in, const struct params *p, enum lang lang, int threads)
{
	static struct jl j; /* one run a process */
	memset(&j, 0, sizeof(j));
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cv, NULL);
	j.p = p;
	j.lang = lang;
	for (int i = 0; i < JL_SLOTS; i++)
		buf_init(&j.slot[i].out, SIZE_MAX);
	/* jansson seeds its hash function on first use; do it before the
	 * workers can race to. */
	json_object_seed(0);
	pthread_t tid[16];
	int started = 0, status = 0, oom = 0;
	for (int i = 0; i < threads && i < 16; i++)
		if (pthread_create(&tid[started], NULL, jl_worker, &j) == 0)
			started++;
	/* The bytes after the last newline read so far wait here for the next
	 * slot. */
	char *carry = NULL;
	size_t carry_len = 0, carry_cap = 0;
	unsigned long fill = 0, write = 0;
	int at_eof = 0;
	while (!at_eof || carry_len > 0 || write < fill) {
		struct jl_slot *s = &j.slot[fill % JL_SLOTS];
		pthread_mutex_lock(&j.mu);
		/* Write out, in order, every slot that is done; wait for one when
		 * the ring is full or the input is at its end. */
		for (;;) {
			struct jl_slot *w = &j.slot[write % JL_SLOTS];
			if (write < fill && w->state == JL_DONE) {
				pthread_mutex_unlock(&j.mu);
				fwrite(w->out.p, 1, w->out.len, stdout);
				if (w->status)
					status = 2;
				pthread_mutex_lock(&j.mu);
				w->state = JL_FREE;
				write++;
				continue;
			}
			int full = fill - write == JL_SLOTS;
			int drained = at_eof && carry_len == 0;
			if (started == 0 && write < fill && w->state == JL_FILLED) {
				/* No worker could be started: decide here. */
				w->state = JL_TAKEN;
				j.next_take++;
				pthread_mutex_unlock(&j.mu);
				struct arena a;
				arena_init(&a, 65536);
				jl_decide_slot(w, p, lang, &a);
				arena_cleanup(&a);
				pthread_mutex_lock(&j.mu);
				w->state = JL_DONE;
				continue;
			}
			if ((full || drained) && write < fill) {
				pthread_cond_wait(&j.cv, &j.mu);
				continue;
			}
			break;
		}
		pthread_mutex_unlock(&j.mu);
		if (at_eof && carry_len == 0)
			break;
		/* Fill slot s: the carried bytes, then blocks until it holds at
		 * least JL_BLOCK bytes and ends at a newline, or the input ends. */
		s->in_len = 0;
		if (jl_reserve(s, carry_len + JL_BLOCK) != 0) {
			oom = 1;
			break;
		}
		memcpy(s->in, carry, carry_len);
		s->in_len = carry_len;
		carry_len = 0;
		for (;;) {
			if (!at_eof && s->in_len < JL_BLOCK) {
				if (jl_reserve(s, JL_BLOCK) != 0) {
					oom = 1;
					break;
				}
				size_t got = fread(s->in + s->in_len, 1, s->in_cap - s->in_len, in);
				s->in_len += got;
				if (got == 0)
					at_eof = 1;
				continue;
			}
			/* Keep the part after the last newline for the next slot. */
			const char *last = NULL;
			for (size_t k = s->in_len; k > 0; k--)
				if (s->in[k - 1] == '\n') {
					last = s->in + k;
					break;
				}
			if (at_eof || (last != NULL && last > s->in)) {
				size_t keep = at_eof ? s->in_len : (size_t)(last - s->in);
				size_t rest = s->in_len - keep;
				if (rest > carry_cap) {
					char *c = realloc(carry, rest);
					if (c == NULL) {
						oom = 1;
						break;
					}
					carry = c;
					carry_cap = rest;
				}
				memcpy(carry, s->in + keep, rest);
				carry_len = rest;
				s->in_len = keep;
				break;
			}
			/* A line longer than a block: read on. */
			if (jl_reserve(s, JL_BLOCK) != 0) {
				oom = 1;
				break;
			}
			size_t got = fread(s->in + s->in_len, 1, s->in_cap - s->in_len, in);
			s->in_len += got;
			if (got == 0)
				at_eof = 1;
		}
		if (oom)
			break;
		pthread_mutex_lock(&j.mu);
		s->state = JL_FILLED;
		fill++;
		pthread_cond_broadcast(&j.cv);
		pthread_mutex_unlock(&j.mu);
	}
	pthread_mutex_lock(&j.mu);
	j.eof = 1;
	pthread_cond_broadcast(&j.cv);
	pthread_mutex_unlock(&j.mu);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < JL_SLOTS; i++) {
		free(j.slot[i].in);
		buf_cleanup(&j.slot[i].out);
	}
	free(carry);
	pthread_cond_destroy(&j.cv);
	pthread_mutex_destroy(&j.mu);
	if (oom) {
		fprintf(stderr, "stipend decide: out of memory\n");
		return 1;
	}
	return status;
}

int cli_decide(int argc, char **argv)
{
	static const struct option opts[] = {{"jsonl", no_argument, NULL, 'j'},
					     {"params", required_argument, NULL, 'p'},
					     {"lang", required_argument, NULL, 'l'},
					     {"threads", required_argument, NULL, 't'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int jsonl = 0, c, status = 0;
	/* Workers for --jsonl: one a processor, at most four by default. */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus;
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
		case 't': {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*end != '\0' || t < 1 || t > 16) {
				fprintf(stderr, "stipend decide: --threads must be a number from 1 to 16\n");
				return 2;
			}
			threads = (int)t;
			break;
		}
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
	if (jsonl) {
		status = decide_jsonl(in, p, lang, threads);
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
	buf_cleanup(&out);
	arena_cleanup(&a);
	params_free(p);
	if (in != stdin)
		fclose(in);
	if (fflush(stdout) != 0)
		return 1;
	return status;
}
