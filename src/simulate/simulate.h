/* simulate.h - what a policy change costs and whom it touches.
 *
 * The same applications are decided under two parameter sets, A (as things
 * are) and B (a change under study), each once under each with the one
 * decision core (rules_decide). The report gives what the change costs
 * (grants, loans and the part of loans that may become grants, in all and
 * award by award), whom it touches (how many are better and worse off and
 * by how much, and a distribution in kroner), and the workload (the share
 * decided without a person under each set, and the decisions that move to
 * or from a case worker). "Better off" counts all support, grants and loans
 * alike. Nothing is stored, ever: `stipend simulate` runs the engine on a
 * file, the case workers' page (sim_page_run) on stored applications, and
 * both draw the same chart (sim_chart_svg).
 *
 * The engine (engine.c, chart.c) reaches only rules/ and core/; the page's
 * domain function (page.c) asks the gate and reads the store. */
#ifndef STIPEND_SIMULATE_H
#define STIPEND_SIMULATE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "core/date.h"
#include "core/i18n.h"

struct arena;
struct buf;
struct err;
struct params;
struct principal;
struct store;

/* The awards the report names, in its order; the last SIM_MONTH_AWARDS
 * (deferral, interest relief) are counted in months, not money. */
#define SIM_N_AWARDS 8
#define SIM_MONTH_AWARDS 2
extern const char *const sim_award_names[SIM_N_AWARDS];

/* The change per person in kroner, bucketed: below the first edge, between
 * edges, above the last; 0 (unchanged) is its own bucket. */
#define SIM_N_BUCKETS 11
#define SIM_ZERO_BUCKET 5

struct sim_side {
	int64_t grants, loans, convertible; /* øre */
	int64_t award_amount[SIM_N_AWARDS]; /* øre, or months */
	int64_t award_count[SIM_N_AWARDS];
	int64_t outcomes[4]; /* enum outcome */
	int64_t undecided;   /* the set could not decide it (no rules for its year) */
};

struct sim_report {
	int64_t read, not_understood;
	int64_t first_bad_line; /* 0: none */
	struct sim_side a, b;
	int64_t better, worse, unchanged;
	int64_t to_manual, from_manual;
	int64_t buckets[SIM_N_BUCKETS];
	/* øre, of those whose support changed: the median and largest gain,
	 * the median and largest loss (as positive amounts); 0 when none. */
	int64_t median_gain, largest_gain, median_loss, largest_loss;
};

/* Decide each line of data (size bytes; one application a line in the
 * decision contract's JSON; empty lines skipped) under pa and pb on
 * threads threads (1-64), and fill out. A line that is not understood is
 * counted, with the first's number. The answer does not depend on the
 * number of threads. Returns 0, or -1 with e (ERR_INTERNAL) when memory
 * or a thread could not be had. Thread-safe; reads only. */
int sim_run(const char *data, size_t size, int threads, const struct params *pa, const struct params *pb,
	    struct sim_report *out, struct err *e);

/* The share of decided applications decided without a person (0..1). */
/* As sim_run(), reading the lines from in as they come, in blocks, with
 * memory bounded by the blocks and the changes kept for the medians (8
 * bytes an application whose support changed), not by the intake (#9: a
 * million applications). Returns 0, or -1 with e filled when memory or a
 * thread could not be had or in could not be read. */
int sim_run_stream(FILE *in, int threads, const struct params *pa, const struct params *pb,
		   struct sim_report *out, struct err *e);

double sim_automation(const struct sim_side *s);

/* The label of bucket i in kroner: "< -20000", "-20000..-10000", "0",
 * "> 20000". Returns out. */
const char *sim_bucket_label(int i, char *out, size_t len);

/* The distribution as an SVG bar chart (role="img", with a title and a
 * description from the catalogue in lang, ids id_prefix "t" and "d"),
 * every text escaped. Returns 0, or -1 when b is full. */
int sim_chart_svg(struct buf *b, const struct sim_report *r, enum lang lang, const char *id_prefix);

/* ---- the case workers' page (page.c) ---- */

/* One parameter a case worker may change: in force in the school year. */
struct sim_choice {
	const char *key, *unit, *reference, *source;
	int64_t value;
};

/* The page's form, as typed. */
struct sim_form {
	const char *school_year; /* "2024-2025": the set's values in force on its 1 August */
	const char *parameter;   /* a key of the set in force then */
	const char *value;       /* kroner with up to two decimals for øre, else a whole number */
	const char *scope;       /* "last": the newest count applications; "year": the school year's */
	const char *count;       /* 1 .. SIM_PAGE_MAX */
};

/* At most this many stored applications in one run. */
#define SIM_PAGE_MAX 100000

/* What is wrong with the form: a catalogue key per field, or NULL. */
struct sim_form_errors {
	const char *school_year, *parameter, *value, *scope, *count;
};

/* What the page shows before and after a run. */
struct sim_page {
	const char *school_years[8]; /* the years the set covers, newest first */
	int n_years;
	const char *school_year;     /* the year the choices are for */
	struct sim_choice *choices;  /* in key order */
	int n_choices;
	/* After a run: */
	const struct sim_choice *changed; /* the parameter changed, with its value in force (A) */
	int64_t new_value;                /* B */
	int64_t applications;             /* stored applications read */
	struct sim_report report;
};

/* The form's choices: the school years params covers and, for school_year
 * (NULL or unknown: the newest), the parameters in force on its 1 August.
 * Asks the gate (ACT_RULES_SIMULATE; a refusal is audited there and fails
 * with ERR_FORBIDDEN). Reads nothing else. */
int sim_page_form(struct store *s, const struct params *params, const struct principal *who, const char *school_year,
		  int64_t now, struct sim_page *out, struct arena *a, struct err *e);

/* Run the case worker's change f on the stored applications it names,
 * with params as A and params with the one value changed as B, on two
 * threads. Asks the gate first (as sim_page_form). A form with errors
 * fills x (each wrong field its message key) and fails with ERR_INVALID,
 * with out's choices filled for the form again. Writes nothing: no case,
 * decision, job or audit record. Returns 0 or -1 with e. */
int sim_page_run(struct store *s, const struct params *params, const struct principal *who, const struct sim_form *f,
		 int64_t now, struct sim_page *out, struct sim_form_errors *x, struct arena *a, struct err *e);

#endif
