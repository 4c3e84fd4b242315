/* accounts.h - the tax authority's account register as payouts meet it,
 * and the schools register's feed of confirmations (internal to sim/: the
 * simulator's own state).
 *
 * Each adult of the synthetic population has one account (synth.h); the
 * register also holds accounts added through the simulator's control
 * (POST /_control/accounts {"nin", "account", "state": "open"|"closed"}),
 * an account of a person's own that they may register with the agency,
 * or a person's account closed. The bank (sim/bank.h) asks here whether an
 * account exists and is open.
 *
 * Confirmations: an institution confirms a student's semester registration
 * or a pupil's attendance (POST /_control/confirmations {"nin",
 * "school_year", "kind"}) and the schools register publishes it on GET
 * /schools/v1/confirmations?after=N&limit=L as {"events": [{"sequence",
 * "nin", "school_year", "kind", "at"}], "last": N}. Thread-safe. */
#ifndef STIPEND_SIM_ACCOUNTS_H
#define STIPEND_SIM_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;

/* Take an account change for a person of the population. Returns 0, or -1
 * with e naming the field (ERR_NOT_FOUND: no such person). */
int simacc_post(const char *body, size_t len, int64_t persons, uint64_t seed, struct err *e);

/* 1 when account is the person's (nin, whose register account is primary):
 * the primary one, or one added for them; closed ones included. */
int simacc_owned(const char *nin, const char *primary, const char *account);

/* What the register knows of an account: "open", "closed", or NULL when it
 * knows none (neither added nor any person's of the population). */
const char *simacc_state(const char *account, int64_t persons, uint64_t seed);

/* Take a confirmation; returns its sequence (> 0) or -1 with e filled. */
int64_t simconf_post(const char *body, size_t len, int64_t persons, uint64_t seed, int64_t now, struct err *e);

/* The confirmations with sequence > after, at most limit, as JSON into b.
 * Returns 0, -1 when b is full. */
int simconf_events(struct buf *b, int64_t after, int limit);

#endif
