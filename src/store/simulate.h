/* simulate.h - what the policy simulation reads from storage: stored
 * applications, as their applicants gave them. Read only. */
#ifndef STIPEND_STORE_SIMULATE_H
#define STIPEND_STORE_SIMULATE_H

struct buf;
struct err;
struct store;

/* Append to out, one a line, the stored applications (the decision
 * contract's JSON, as received) of school_year (NULL: any), newest first,
 * at most limit (1 or more). Returns how many, or -1 with e (the store's
 * error, or ERR_INTERNAL when out is full). */
int store_sim_applications(struct store *s, const char *school_year, int limit, struct buf *out, struct err *e);

#endif
