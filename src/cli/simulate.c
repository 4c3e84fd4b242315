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
 * The file is memory-mapped and handed to the engine (simulate/), which
 * the case workers' page runs too; the chart is the page's. Nothing is
 * stored. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/money.h"
#include "rules/params.h"
#include "rules/rules.h"
#include "simulate/simulate.h"

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

static json_t *side_json(const struct sim_side *s)
{
	json_t *awards = json_object();
	for (size_t k = 0; k < SIM_N_AWARDS; k++)
		json_object_set_new(awards, sim_award_names[k],
				    json_pack("{s:I,s:I}", "count", (json_int_t)s->award_count[k], k < SIM_N_AWARDS - SIM_MONTH_AWARDS ? "amount" : "months",
					      (json_int_t)s->award_amount[k]));
	return json_pack("{s:I,s:I,s:I,s:o,s:{s:I,s:I,s:I,s:I},s:f,s:I}", "grants", (json_int_t)s->grants, "loans",
			 (json_int_t)s->loans, "convertible", (json_int_t)s->convertible, "awards", awards, "outcomes",
			 "granted", (json_int_t)s->outcomes[OUTCOME_GRANTED], "partly-granted",
			 (json_int_t)s->outcomes[OUTCOME_PARTLY], "rejected", (json_int_t)s->outcomes[OUTCOME_REJECTED],
			 "manual", (json_int_t)s->outcomes[OUTCOME_MANUAL], "automation_rate", sim_automation(s), "undecided",
			 (json_int_t)s->undecided);
}

/* The chart the page draws, to a file. */
static int write_svg(const char *path, const struct sim_report *t)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	int rc = sim_chart_svg(&b, t, LANG_EN, "");
	FILE *f = rc == 0 ? fopen(path, "w") : NULL;
	if (f == NULL) {
		buf_cleanup(&b);
		return -1;
	}
	rc = fputs(buf_str(&b), f) < 0;
	rc |= fclose(f) != 0;
	buf_cleanup(&b);
	return rc ? -1 : 0;
}

static void print_money_row(const char *what, int64_t a, int64_t b)
{
	char x[40], y[40], z[40];
	money_format(a, LANG_EN, x, sizeof(x));
	money_format(b, LANG_EN, y, sizeof(y));
	money_format(b - a < 0 ? a - b : b - a, LANG_EN, z, sizeof(z));
	printf("  %-22s %22s %22s   %c%s\n", what, x, y, b - a < 0 ? '-' : '+', z);
}

static void report_text(const struct sim_report *t, const char *name_a, const char *name_b)
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
	for (size_t k = 0; k < SIM_N_AWARDS - SIM_MONTH_AWARDS; k++)
		if (t->a.award_count[k] || t->b.award_count[k])
			print_money_row(sim_award_names[k], t->a.award_amount[k], t->b.award_amount[k]);
	for (size_t k = SIM_N_AWARDS - SIM_MONTH_AWARDS; k < SIM_N_AWARDS; k++)
		if (t->a.award_count[k] || t->b.award_count[k])
			printf("  %-22s %17lld months %16lld months\n", sim_award_names[k], (long long)t->a.award_amount[k],
			       (long long)t->b.award_amount[k]);
	printf("\n  decided without a person: A %.1f %%, B %.1f %%\n", 100.0 * sim_automation(&t->a),
	       100.0 * sim_automation(&t->b));
	printf("  to a case worker under B only: %lld; from a case worker under B: %lld\n", (long long)t->to_manual,
	       (long long)t->from_manual);
	if (t->a.undecided || t->b.undecided)
		printf("  not decided (no rules for the school year): A %lld, B %lld\n", (long long)t->a.undecided,
		       (long long)t->b.undecided);
	printf("  better off: %lld (median +%s, most +%s)\n", (long long)t->better,
	       money_format(t->median_gain, LANG_EN, m1, sizeof(m1)),
	       money_format(t->largest_gain, LANG_EN, m2, sizeof(m2)));
	printf("  worse off:  %lld (median -%s, most -%s)\n", (long long)t->worse,
	       money_format(t->median_loss, LANG_EN, m1, sizeof(m1)),
	       money_format(t->largest_loss, LANG_EN, m2, sizeof(m2)));
	printf("  unchanged:  %lld\n\n  change per person (kr):", (long long)t->unchanged);
	for (int i = 0; i < SIM_N_BUCKETS; i++) {
		char label[48];
		printf(" [%s] %lld", sim_bucket_label(i, label, sizeof(label)), (long long)t->buckets[i]);
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
	/* Read as a stream: a million applications need not fit in memory. */
	FILE *f = fopen(intake, "rb");
	struct stat st;
	if (f == NULL || fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
		fprintf(stderr, "stipend simulate: cannot read %s\n", intake);
		if (f != NULL)
			fclose(f);
		params_free(pa);
		params_free(pb);
		return 1;
	}
	struct sim_report t;
	int ran = sim_run_stream(f, threads, pa, pb, &t, &e);
	fclose(f);
	if (ran != 0) {
		fprintf(stderr, "stipend simulate: %s\n", e.message);
		params_free(pa);
		params_free(pb);
		return 1;
	}
	int rc = 0;
	if (svg && write_svg(svg, &t) != 0) {
		fprintf(stderr, "stipend simulate: cannot write %s\n", svg);
		rc = 1;
	}
	if (json) {
		json_t *buckets = json_array();
		for (int i = 0; i < SIM_N_BUCKETS; i++) {
			char label[48];
			json_array_append_new(buckets, json_pack("{s:s,s:I}", "kr", sim_bucket_label(i, label, sizeof(label)),
								 "people", (json_int_t)t.buckets[i]));
		}
		json_t *r = json_pack("{s:I,s:I,s:s,s:s,s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:{s:I,s:I}}",
				      "applications", (json_int_t)t.read, "not_understood", (json_int_t)t.not_understood,
				      "a", sets[0], "b", sets[1], "under_a", side_json(&t.a), "under_b", side_json(&t.b),
				      "people", "better_off", (json_int_t)t.better, "worse_off", (json_int_t)t.worse,
				      "unchanged", (json_int_t)t.unchanged, "median_gain", (json_int_t)t.median_gain,
				      "largest_gain", (json_int_t)t.largest_gain, "median_loss", (json_int_t)t.median_loss,
				      "largest_loss", (json_int_t)t.largest_loss, "change_kr", buckets, "workload", "to_manual",
				      (json_int_t)t.to_manual, "from_manual", (json_int_t)t.from_manual);
		json_dumpf(r, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(r);
	} else {
		report_text(&t, sets[0], sets[1]);
	}
	params_free(pa);
	params_free(pb);
	return rc;
}
