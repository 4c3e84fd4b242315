/* fixedrate.h - storage of the fixed rate's interest loss or gain
 * (rentetap and rentegevinst, issue #11): each computation made for an
 * extra payment or for ending an agreement, with its figures, its ledger
 * entry and letter, or waiting for the rates of new agreements of its day.
 *
 * Conventions as store.h: reads take the store and an arena (results live
 * in the arena) and return 0 found, 1 not found, -1 with e filled, or for
 * lists the count; writes take a transaction of store_write(). Thread-safe.
 * Implemented in sqlite_fixedrate.c (migration 0026). */
#ifndef STIPEND_STORE_FIXEDRATE_H
#define STIPEND_STORE_FIXEDRATE_H

#include <stdint.h>

#include "core/date.h"
#include "store/store.h"

struct arena;
struct err;

struct loan_fixed_adjustment {
	int64_t id, person_id;
	const char *cause;  /* "payment:9", "fixed-rate-end:12:2024-06-01" */
	const char *event;  /* "extra-payment" or "end" */
	date_t day;         /* effective day */
	int64_t amount;     /* the extra part, or the principal, øre */
	int32_t agreement_rate;
	date_t fixed_until;
	int months_left, pause_months, terms_left; /* pause: months before the plan's first term */
	const char *state;  /* "posted" or "waiting" */
	int64_t rate120;    /* the comparison rate (loans/fixedrate.h); 0 while waiting */
	int64_t adjustment; /* øre: > 0 loss, < 0 gain; 0 while waiting */
	const char *missing; /* the figure missing while waiting, or NULL */
	int64_t entry_id, letter_id; /* 0: none */
	int64_t created_at;
};

/* Insert a (posted or waiting) computation; *id receives its id. Fails
 * with ERR_CONFLICT when its cause has one already. */
int store_loan_fixed_insert(struct store_tx *tx, const struct loan_fixed_adjustment *x, int64_t *id,
			    struct err *e);
/* A waiting computation posted: its comparison rate, loss or gain, entry
 * and letter (0: none). */
int store_loan_fixed_posted(struct store_tx *tx, int64_t id, int64_t rate120, int64_t adjustment, int64_t entry_id,
			    int64_t letter_id, int64_t now, struct err *e);
/* person_id's computations, newest day first (at most max), or with
 * person_id 0 the waiting ones of everyone, oldest first. Count or -1. */
int store_loan_fixed_list(struct store *s, int64_t person_id, struct loan_fixed_adjustment **out, int max,
			  struct arena *a, struct err *e);
/* One by id, in the transaction: 0, 1, -1. */
int store_loan_fixed_get_tx(struct store_tx *tx, int64_t id, struct loan_fixed_adjustment *out, struct arena *a,
			    struct err *e);
/* The one a letter carries: 0, 1, -1. */
int store_loan_fixed_by_letter(struct store *s, int64_t letter_id, struct loan_fixed_adjustment *out,
			       struct arena *a, struct err *e);

#endif
