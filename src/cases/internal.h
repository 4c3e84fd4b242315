/* internal.h - what the files of src/cases/ share and nobody else sees. */
#ifndef STIPEND_CASES_INTERNAL_H
#define STIPEND_CASES_INTERNAL_H

#include "cases/jobs.h"

/* The "register-events" job (follow.c): read the registers' event feeds. */
int cases_events_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e);

#endif
