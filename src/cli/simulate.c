/* simulate.c - `stipend simulate`: what a policy change costs and whom it
 * touches.
 *
 * The same intake (one application a line, the decision contract's JSON)
 * is decided under two parameter sets, A (as things are) and B (a change
 * under study), each application once under each with the one decision
 * core. The report gives what the change costs (grants, loans and the part
 * of loans that may become grants, in all and award by award), whom it
 * touches (how many are better and worse off and by how much: the median
 * and the largest change, and a distribution as an SVG chart), and the
 * workload (the share decided without a person under each set, and the
 * decisions that move to or from a case worker). "Better off" counts all
 * support, grants and loans alike; the grant and loan columns say what
 * kind moved.
 *
 * The file is memory-mapped and split at line ends into one range a
 * thread; each thread keeps its own tallies, merged at the end, so the
 * answer does not depend on the number of threads. Nothing is stored. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/money.h"
#include "rules/params.h"
#include "rules/rules.h"

static const char help[] =
	"Usage: stipend simulate --intake FILE.jsonl --params A --params B [--threads N]\n"
	"                        [--json] [--svg FILE]\n\n"
	"Decide the same intake under parameter set A (as things are) and B (a\n"
	"change under study) and report what the change costs and whom it touches:\n"
	"grants and loans in all and award by award, how many are better and worse\n"
	"off and by how much, the share decided without a person under each, and\n"
	"the decisions that move to or from a case worker. Nothing is stored.\n\n"
	"  --intake FILE   one application a line (the decision contract's JSON)\n"
	"  --params DIR    a parameter set (school-year folders of YAML files), or\n"
	"                  \"builtin\" for the one compiled in; give it twice, A then B\n"
	"  --threads N     threads deciding (default 2)\n"
	"  --json          the report as JSON\n"
	"  --svg FILE      the distribution of the change per person as an SVG chart\n\n"
	"Exit status: 0 done, 1 a parameter set or the file could not be read, 2 bad\n"
	"usage.\n";

/* The awards the report names, in its order. */
static const char *const award_names[] = {"basic-loan", "boarding-grant", "means-tested-grant", "equipment-grant",
					  "child-grant", "deferral", "interest-relief"};
#define N_AWARDS (sizeof(award_names) / sizeof(award_names[0]))

/* The change per person, in kroner, bucketed for the chart: below the
 * first edge, between edges, and above the last; 0 is its own bucket. */
static const int64_t edges_kr[] = {-20000, -10000, -5000, -1000, 0, 1000, 5000, 10000, 20000};
#define N_EDGES (sizeof(edges_kr) / sizeof(edges_kr[0]))
#define N_BUCKETS (N_EDGES + 2) /* ..., [0] unchanged, ... */

struct side {
	int64_t grants, loans, convertible;
	int64_t award_amount[N_AWARDS];
	int64_t award_count[N_AWARDS];
	int64_t outcomes[4]; /* enum outcome */
	int64_t undecided;   /* the set could not decide it (no rules for its year) */
};

struct tally {
	int64_t read, not_understood;
	struct side a, b;
	int64_t better, worse, unchanged;
	int64_t to_manual, from_manual;
	int64_t buckets[N_BUCKETS];
	int64_t *deltas; /* øre, of those whose support changed */
	size_t n_deltas, cap_deltas;
	int64_t first_bad_line; /* 0: none */
};

struct job {
	const char *start, *end;
	int64_t first_line;
	const struct params *pa, *pb;
	struct tally t;
};

#define ZERO_BUCKET (N_EDGES / 2 + 1) /* the edges below 0 and 0 itself come first */

/* The bucket of a change of delta øre: a loss below each edge it is not
 * under, nothing, or a gain above each edge it passes. */
static int bucket_of(int64_t delta)
{
	int i = 0;
	if (delta == 0)
		return ZERO_BUCKET;
	if (delta < 0) {
		for (size_t k = 0; k < ZERO_BUCKET; k++)
			i += delta >= edges_kr[k] * 100;
		return i;
	}
	i = ZERO_BUCKET + 1;
	for (size_t k = ZERO_BUCKET; k < N_EDGES; k++)
		i += delta > edges_kr[k] * 100;
	return i;
}

/* Support a decision gives: grants and loans, in øre. */
static void add_side(struct side *s, const struct decision *d, int64_t *total)
{
	*total = 0;
	s->outcomes[d->outcome]++;
	for (int i = 0; i < d->n_awards; i++) {
		const struct award *w = &d->awards[i];
		if (strcmp(w->kind, "grant") == 0)
			s->grants += w->amount;
		else
			s->loans += w->amount;
		if (w->convertible > 0)
			s->convertible += w->convertible;
		*total += w->amount;
		for (size_t k = 0; k < N_AWARDS; k++)
			if (strcmp(w->name, award_names[k]) == 0) {
				/* Deferral and interest relief are months, not money. */
				s->award_amount[k] += w->amount ? w->amount : w->months;
				s->award_count[k]++;
			}
	}
}

static void keep_delta(struct tally *t, int64_t delta)
{
	if (t->n_deltas == t->cap_deltas) {
		size_t cap = t->cap_deltas ? 2 * t->cap_deltas : 4096;
		int64_t *p = realloc(t->deltas, cap * sizeof(*p));
		if (p == NULL)
			return; /* the median then leaves this one out; the counts stand */
		t->deltas = p;
		t->cap_deltas = cap;
	}
	t->deltas[t->n_deltas++] = delta;
}

static void one(struct job *j, const char *text, size_t len, int64_t line, struct arena *a)
{
	struct tally *t = &j->t;
	struct err e;
	t->read++;
	json_t *in = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	struct application app;
	if (in == NULL || rules_parse_application(in, &app, a, &e) != 0) {
		json_decref(in);
		t->not_understood++;
		if (t->first_bad_line == 0)
			t->first_bad_line = line;
		return;
	}
	json_decref(in);
	struct decision *da = arena_alloc(a, sizeof(*da)), *db = arena_alloc(a, sizeof(*db));
	int ok_a = rules_decide(&app, j->pa, da, &e) == 0;
	int ok_b = rules_decide(&app, j->pb, db, &e) == 0;
	int64_t sa = 0, sb = 0;
	if (ok_a)
		add_side(&t->a, da, &sa);
	else
		t->a.undecided++;
	if (ok_b)
		add_side(&t->b, db, &sb);
	else
		t->b.undecided++;
	if (!ok_a || !ok_b)
		return;
	int64_t delta = sb - sa;
	t->buckets[bucket_of(delta)]++;
	if (delta > 0)
		t->better++;
	else if (delta < 0)
		t->worse++;
	else
		t->unchanged++;
	if (delta != 0)
		keep_delta(t, delta);
	int manual_a = da->outcome == OUTCOME_MANUAL, manual_b = db->outcome == OUTCOME_MANUAL;
	t->to_manual += !manual_a && manual_b;
	t->from_manual += manual_a && !manual_b;
}

static void *work(void *arg)
{
	struct job *j = arg;
	struct arena a;
	arena_init(&a, 65536);
	int64_t line = j->first_line;
	for (const char *p = j->start; p < j->end;) {
		const char *nl = memchr(p, '\n', (size_t)(j->end - p));
		const char *stop = nl ? nl : j->end;
		if (stop > p) {
			arena_reset(&a);
			one(j, p, (size_t)(stop - p), line, &a);
		}
		line++;
		p = stop + 1;
	}
	arena_cleanup(&a);
	return NULL;
}

static void merge_side(struct side *to, const struct side *s)
{
	to->grants += s->grants;
	to->loans += s->loans;
	to->convertible += s->convertible;
	to->undecided += s->undecided;
	for (size_t k = 0; k < N_AWARDS; k++) {
		to->award_amount[k] += s->award_amount[k];
		to->award_count[k] += s->award_count[k];
	}
	for (int i = 0; i < 4; i++)
		to->outcomes[i] += s->outcomes[i];
}

static void merge(struct tally *to, struct tally *t)
{
	to->read += t->read;
	to->not_understood += t->not_understood;
	if (to->first_bad_line == 0 || (t->first_bad_line && t->first_bad_line < to->first_bad_line))
		to->first_bad_line = t->first_bad_line;
	merge_side(&to->a, &t->a);
	merge_side(&to->b, &t->b);
	to->better += t->better;
	to->worse += t->worse;
	to->unchanged += t->unchanged;
	to->to_manual += t->to_manual;
	to->from_manual += t->from_manual;
	for (size_t i = 0; i < N_BUCKETS; i++)
		to->buckets[i] += t->buckets[i];
	for (size_t i = 0; i < t->n_deltas; i++)
		keep_delta(to, t->deltas[i]);
	free(t->deltas);
	t->deltas = NULL;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* The median and the extreme of the changes of one sign, in øre. */
static void spread(const int64_t *sorted, size_t n, int positive, int64_t *median, int64_t *extreme)
{
	size_t lo = 0, hi = n; /* the run of the sign asked for */
	while (lo < n && sorted[lo] < 0)
		lo++;
	if (positive) {
		*median = lo < n ? sorted[lo + (n - lo) / 2] : 0;
		*extreme = lo < n ? sorted[n - 1] : 0;
	} else {
		hi = lo;
		*median = hi > 0 ? sorted[(hi - 1) / 2] : 0;
		*extreme = hi > 0 ? sorted[0] : 0;
	}
}

static double automation(const struct side *s)
{
	int64_t decided = 0;
	for (int i = 0; i < 4; i++)
		decided += s->outcomes[i];
	return decided ? (double)(decided - s->outcomes[OUTCOME_MANUAL]) / (double)decided : 0.0;
}

static const char *bucket_label(size_t i, char *out, size_t len)
{
	if (i == ZERO_BUCKET)
		snprintf(out, len, "0");
	else if (i == 0)
		snprintf(out, len, "< %lld", (long long)edges_kr[0]);
	else if (i == N_BUCKETS - 1)
		snprintf(out, len, "> %lld", (long long)edges_kr[N_EDGES - 1]);
	else if (i < ZERO_BUCKET)
		snprintf(out, len, "%lld..%lld", (long long)edges_kr[i - 1], (long long)edges_kr[i]);
	else
		snprintf(out, len, "%lld..%lld", (long long)edges_kr[i - 2], (long long)edges_kr[i - 1]);
	return out;
}

/* The distribution as an SVG bar chart, with a title and a description. */
static int write_svg(const char *path, const struct tally *t)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	int64_t most = 1;
	for (size_t i = 0; i < N_BUCKETS; i++)
		if (t->buckets[i] > most)
			most = t->buckets[i];
	const int w = 720, h = 320, left = 60, bottom = 60, top = 30, bar = (w - left - 20) / (int)N_BUCKETS;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "aria-labelledby=\"t d\">\n<title id=\"t\">Change in support per person (kr), B against A</title>\n"
		   "<desc id=\"d\">%lld better off, %lld worse off, %lld unchanged, of %lld decided under both.</desc>\n",
		w, h, (long long)t->better, (long long)t->worse, (long long)t->unchanged,
		(long long)(t->better + t->worse + t->unchanged));
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>\n", left, h - bottom, w - 10,
		h - bottom);
	for (size_t i = 0; i < N_BUCKETS; i++) {
		char label[48];
		int bh = (int)((double)t->buckets[i] / (double)most * (h - bottom - top));
		int x = left + (int)i * bar;
		const char *colour = i < ZERO_BUCKET ? "#b3261e" : i == ZERO_BUCKET ? "#777" : "#1e6b3a";
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", x + 2, h - bottom - bh,
			bar - 4, bh, colour);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%lld</text>\n", x + bar / 2,
			h - bottom - bh - 4, (long long)t->buckets[i]);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-35 %d %d)\">",
			x + bar / 2, h - bottom + 14, x + bar / 2, h - bottom + 14);
		for (const char *c = bucket_label(i, label, sizeof(label)); *c; c++)
			fputs(*c == '<' ? "&lt;" : *c == '>' ? "&gt;" : (char[]){*c, 0}, f);
		fputs("</text>\n", f);
	}
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}

static json_t *side_json(const struct side *s)
{
	json_t *awards = json_object();
	for (size_t k = 0; k < N_AWARDS; k++)
		json_object_set_new(awards, award_names[k],
				    json_pack("{s:I,s:I}", "count", (json_int_t)s->award_count[k], k < 5 ? "amount" : "months",
					      (json_int_t)s->award_amount[k]));
	return json_pack("{s:I,s:I,s:I,s:o,s:{s:I,s:I,s:I,s:I},s:f,s:I}", "grants", (json_int_t)s->grants, "loans",
			 (json_int_t)s->loans, "convertible", (json_int_t)s->convertible, "awards", awards, "outcomes",
			 "granted", (json_int_t)s->outcomes[OUTCOME_GRANTED], "partly-granted",
			 (json_int_t)s->outcomes[OUTCOME_PARTLY], "rejected", (json_int_t)s->outcomes[OUTCOME_REJECTED],
			 "manual", (json_int_t)s->outcomes[OUTCOME_MANUAL], "automation_rate", automation(s), "undecided",
			 (json_int_t)s->undecided);
}

static void print_money_row(const char *what, int64_t a, int64_t b)
{
	char x[40], y[40], z[40];
	money_format(a, LANG_EN, x, sizeof(x));
	money_format(b, LANG_EN, y, sizeof(y));
	money_format(b - a < 0 ? a - b : b - a, LANG_EN, z, sizeof(z));
	printf("  %-22s %22s %22s   %c%s\n", what, x, y, b - a < 0 ? '-' : '+', z);
}

static void report_text(const struct tally *t, const char *name_a, const char *name_b, int64_t med_up,
			int64_t max_up, int64_t med_down, int64_t max_down)
{
	char m1[40], m2[40];
	printf("Policy simulation: %lld applications, A = %s, B = %s\n", (long long)t->read, name_a, name_b);
	if (t->not_understood)
		printf("  not understood: %lld (the first on line %lld: stipend decide names the field)\n",
		       (long long)t->not_understood, (long long)t->first_bad_line);
	printf("\n");
	printf("  %-22s %22s %22s   %s\n", "", "A", "B", "change");
	print_money_row("grants", t->a.grants, t->b.grants);
	print_money_row("loans", t->a.loans, t->b.loans);
	print_money_row("of which convertible", t->a.convertible, t->b.convertible);
	for (size_t k = 0; k < 5; k++)
		if (t->a.award_count[k] || t->b.award_count[k])
			print_money_row(award_names[k], t->a.award_amount[k], t->b.award_amount[k]);
	for (size_t k = 5; k < N_AWARDS; k++)
		if (t->a.award_count[k] || t->b.award_count[k])
			printf("  %-22s %17lld months %16lld months\n", award_names[k], (long long)t->a.award_amount[k],
			       (long long)t->b.award_amount[k]);
	printf("\n  decided without a person: A %.1f %%, B %.1f %%\n", 100.0 * automation(&t->a),
	       100.0 * automation(&t->b));
	printf("  to a case worker under B only: %lld; from a case worker under B: %lld\n", (long long)t->to_manual,
	       (long long)t->from_manual);
	if (t->a.undecided || t->b.undecided)
		printf("  not decided (no rules for the school year): A %lld, B %lld\n", (long long)t->a.undecided,
		       (long long)t->b.undecided);
	printf("  better off: %lld (median +%s, most +%s)\n", (long long)t->better,
	       money_format(med_up, LANG_EN, m1, sizeof(m1)), money_format(max_up, LANG_EN, m2, sizeof(m2)));
	printf("  worse off:  %lld (median -%s, most -%s)\n", (long long)t->worse,
	       money_format(-med_down, LANG_EN, m1, sizeof(m1)), money_format(-max_down, LANG_EN, m2, sizeof(m2)));
	printf("  unchanged:  %lld\n\n  change per person (kr):", (long long)t->unchanged);
	for (size_t i = 0; i < N_BUCKETS; i++) {
		char label[48];
		printf(" [%s] %lld", bucket_label(i, label, sizeof(label)), (long long)t->buckets[i]);
	}
	printf("\n");
}

static struct params *load(const char *dir, struct err *e)
{
	return strcmp(dir, "builtin") == 0 ? params_load_builtin(e) : params_load_dir(dir, e);
}

int cli_simulate(int argc, char **argv)
{
	static const struct option opts[] = {{"intake", required_argument, NULL, 'i'},
					     {"params", required_argument, NULL, 'p'},
					     {"threads", required_argument, NULL, 't'},
					     {"json", no_argument, NULL, 'j'},
					     {"svg", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *intake = NULL, *svg = NULL, *sets[2] = {NULL, NULL};
	int n_sets = 0, json = 0, threads = 2, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'i': intake = optarg; break;
		case 'p':
			if (n_sets == 2) {
				fprintf(stderr, "stipend simulate: --params is given twice, A then B\n");
				return 2;
			}
			sets[n_sets++] = optarg;
			break;
		case 't':
			threads = (int)strtol(optarg, &end, 10);
			if (*end || threads < 1 || threads > 64) {
				fprintf(stderr, "stipend simulate: --threads must be a number from 1 to 64\n");
				return 2;
			}
			break;
		case 'j': json = 1; break;
		case 's': svg = optarg; break;
		case 'h': fputs(help, stdout); return 0;
		default: fputs(help, stderr); return 2;
		}
	}
	if (intake == NULL || n_sets != 2 || optind != argc) {
		fprintf(stderr, "stipend simulate: --intake FILE and --params twice (A, then B) are required\n\n");
		fputs(help, stderr);
		return 2;
	}
	struct err e;
	struct params *pa = load(sets[0], &e);
	if (pa == NULL) {
		fprintf(stderr, "stipend simulate: A (%s): %s\n", sets[0], e.message);
		return 1;
	}
	struct params *pb = load(sets[1], &e);
	if (pb == NULL) {
		fprintf(stderr, "stipend simulate: B (%s): %s\n", sets[1], e.message);
		params_free(pa);
		return 1;
	}
	int fd = open(intake, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "stipend simulate: cannot read %s\n", intake);
		if (fd >= 0)
			close(fd);
		params_free(pa);
		params_free(pb);
		return 1;
	}
	size_t size = (size_t)st.st_size;
	const char *data = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
	close(fd);
	if (data == MAP_FAILED) {
		fprintf(stderr, "stipend simulate: cannot map %s\n", intake);
		params_free(pa);
		params_free(pb);
		return 1;
	}

	/* One range a thread, each starting at a line's start. */
	struct job *jobs = calloc((size_t)threads, sizeof(*jobs));
	pthread_t *tids = calloc((size_t)threads, sizeof(*tids));
	const char *p = data, *end = data + size;
	int64_t line = 1;
	for (int i = 0; i < threads; i++) {
		const char *stop = i == threads - 1 ? end : data + size / (size_t)threads * (size_t)(i + 1);
		if (stop < p)
			stop = p;
		while (stop < end && stop > data && stop[-1] != '\n')
			stop++;
		jobs[i] = (struct job){p, stop, line, pa, pb, {0}};
		for (const char *q = p; q < stop; q++)
			line += *q == '\n';
		p = stop;
	}
	for (int i = 0; i < threads; i++)
		pthread_create(&tids[i], NULL, work, &jobs[i]);
	struct tally t = {0};
	for (int i = 0; i < threads; i++) {
		pthread_join(tids[i], NULL);
		merge(&t, &jobs[i].t);
	}
	if (size)
		munmap((void *)data, size);
	free(jobs);
	free(tids);

	qsort(t.deltas, t.n_deltas, sizeof(*t.deltas), cmp_i64);
	int64_t med_up, max_up, med_down, max_down;
	spread(t.deltas, t.n_deltas, 1, &med_up, &max_up);
	spread(t.deltas, t.n_deltas, 0, &med_down, &max_down);
	int rc = 0;
	if (svg && write_svg(svg, &t) != 0) {
		fprintf(stderr, "stipend simulate: cannot write %s\n", svg);
		rc = 1;
	}
	if (json) {
		json_t *buckets = json_array();
		for (size_t i = 0; i < N_BUCKETS; i++) {
			char label[48];
			json_array_append_new(buckets, json_pack("{s:s,s:I}", "kr", bucket_label(i, label, sizeof(label)),
								 "people", (json_int_t)t.buckets[i]));
		}
		json_t *r = json_pack("{s:I,s:I,s:s,s:s,s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:{s:I,s:I}}",
				      "applications", (json_int_t)t.read, "not_understood", (json_int_t)t.not_understood,
				      "a", sets[0], "b", sets[1], "under_a", side_json(&t.a), "under_b", side_json(&t.b),
				      "people", "better_off", (json_int_t)t.better, "worse_off", (json_int_t)t.worse,
				      "unchanged", (json_int_t)t.unchanged, "median_gain", (json_int_t)med_up, "largest_gain",
				      (json_int_t)max_up, "median_loss", (json_int_t)-med_down, "largest_loss",
				      (json_int_t)-max_down, "change_kr", buckets, "workload", "to_manual",
				      (json_int_t)t.to_manual, "from_manual", (json_int_t)t.from_manual);
		json_dumpf(r, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(r);
	} else {
		report_text(&t, sets[0], sets[1], med_up, max_up, med_down, max_down);
	}
	free(t.deltas);
	params_free(pa);
	params_free(pb);
	return rc;
}
