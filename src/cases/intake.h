/* intake.h - the mass intake engine: a whole intake through the portal's
 * pipeline, many applications at once, restart-safe.
 *
 * The applications come from a JSONL file ({"nin", "application"} a line)
 * or from the registers (every student among the population register's
 * first N persons, with an application built from the schools' enrolment
 * by the one application builder, cases/application.h). Each goes through
 * cases_submit_intake() under an intake tag, so that a run killed at any
 * moment and started again stores each line (or person) exactly once.
 * `stipend batch` (cli/batch.c) parses the options, shows the progress and
 * prints the outcome; the engine prints nothing and logs nothing personal:
 * a refused line is named by its number (a person by the register's index)
 * and the field. */
#ifndef STIPEND_CASES_INTAKE_H
#define STIPEND_CASES_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "cases/cases.h"
#include "core/date.h"
#include "core/err.h"

/* Called on the thread that runs the intake about every interval_ms while
 * it runs, and once more (last = 1) when every worker is done: done of
 * total items examined (total may shrink when the register holds fewer
 * persons than asked). Return non-zero to stop the run: what is stored
 * stays stored, and the next run goes on from there. */
typedef int (*cases_intake_progress_fn)(void *ctx, int64_t done, int64_t total, int last);

struct cases_intake_options {
	const struct cases_env *env;       /* store, params; registers for from_registers */
	const char *path;                  /* the JSONL file; NULL with from_registers */
	int from_registers;                /* the students among the register's first persons */
	int per_person;                    /* ask the registers one person at a time (the peer) */
	int64_t persons;                   /* with from_registers: how many persons to examine */
	const char *school_year;           /* with from_registers: "2024-2025" */
	date_t decision_date;              /* with from_registers: the applications' decision date */
	int threads;                       /* worker threads, 1 or more */
	int interval_ms;                   /* between two calls of progress */
	cases_intake_progress_fn progress; /* may be NULL */
	void *progress_ctx;
};

/* A line (or person) refused: where and why, never what it said. */
struct cases_intake_refusal {
	int64_t key; /* the line's number from 1, or the person's index in the register */
	enum err_code code;
	char field[112];
	char message[160];
};

#define CASES_INTAKE_MAX_REASONS 32

struct cases_intake_outcome {
	char intake[64];  /* the intake's tag prefix: "batch:<key>:", "registers:<year>:" */
	int64_t lines;    /* a file: the applications in it (lines not blank) */
	int64_t examined; /* items done this run */
	int64_t to_examine;
	/* From the registers (#9): the persons asked for, and how many the
	 * population register holds when that is fewer (else -1), so that a
	 * run against a smaller register says so instead of examining fewer
	 * persons in silence. */
	int64_t persons_asked;
	int64_t register_holds;
	/* What was done with the applications taken. */
	int64_t granted, partly, rejected, manual, waiting;
	int64_t already;      /* stored by a run before (skipped, or found stored meanwhile) */
	int64_t applied;      /* #15: skipped, the person has an application for the scheme and year */
	int64_t not_enrolled; /* from the registers: persons no school reports */
	int64_t unreached;    /* from the registers: persons the schools did not answer for */
	struct {
		const char *code; /* the rules' own static string */
		int64_t n;
	} reasons[CASES_INTAKE_MAX_REASONS]; /* the manual cases' reasons, most frequent first */
	int n_reasons;
	struct cases_intake_refusal *refusals; /* by key; malloc'd, as many as memory allowed */
	size_t n_refusals;
	int64_t refused;       /* every refusal, kept or not */
	int64_t stored_in_all; /* cases the intake's tags hold after the run */
	int failed;            /* the database or the registers failed: failure says how */
	struct err failure;
	int stopped; /* the progress function asked to stop */
};

/* Run an intake as o says and fill *out (which the caller releases with
 * cases_intake_outcome_cleanup(), whatever the result). Returns 0 when the
 * run took place, whatever became of each application (see out: a failure
 * of the machine partway stops the run and sets out->failed); or -1 with e
 * filled when it could not start: ERR_INVALID when the path is not a
 * regular file (a run is resumed by its content), ERR_IO when it cannot be
 * read, ERR_STORE when the database fails. Not to be called twice at once
 * on one store by the same intake (the tags keep the result right, but the
 * counts would be shared). */
int cases_intake_run(const struct cases_intake_options *o, struct cases_intake_outcome *out, struct err *e);

/* Free what the outcome holds; harmless on a zeroed or cleaned outcome. */
void cases_intake_outcome_cleanup(struct cases_intake_outcome *out);

#endif
