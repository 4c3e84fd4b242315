/* facts.h - an application's facts from facts already fetched from the
 * registers: what the portal's path (one person, reg_gather()) and a mass
 * intake's (many persons at once, reg_gather_many()) share, so that the
 * same facts complete an application, and are recorded, in the same way
 * whichever way they were fetched. The gathering over the registers itself
 * (cases_gather_from_registers) is in cases.h. */
#ifndef STIPEND_CASES_FACTS_H
#define STIPEND_CASES_FACTS_H

#include <jansson.h>

#include "core/err.h"
#include "registers/registers.h"

struct person;

/* Complete application (the decision contract's JSON) in place with the
 * facts f (of the person it is for) and describe them, each group with its
 * register and time, as JSON in *facts_json (malloc'd; the caller frees).
 * Returns 0, or -1 with e filled (only when out of memory). */
int cases_facts_apply(const struct reg_facts *f, json_t *application, char **facts_json, struct err *e);

/* One person's facts fetched before the application is submitted: what
 * reg_gather_many() answered about the person, or how it failed. */
struct cases_prefetched {
	const char *school_year;     /* the year they were fetched for */
	int failed;                  /* the registers failed: failure says how */
	struct err failure;
	int found;                   /* the population register knows the person */
	const struct reg_facts *facts; /* when found */
};

/* A cases_gather_fn (cases.h) serving prefetched facts: ctx is a struct
 * cases_prefetched about who. It answers exactly as
 * cases_gather_from_registers() would had it fetched them itself: the
 * application completed and the facts described, or -1 with e and
 * *waiting_for naming the register that failed or did not know the person.
 * Facts about another person or school year are refused (ERR_INTERNAL). */
int cases_gather_prefetched(void *ctx, const struct person *who, json_t *application, char **facts_json,
			    const char **waiting_for, struct err *e);

#endif
