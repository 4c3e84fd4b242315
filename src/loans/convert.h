/* convert.h - conversion of loan to grant (omgjøring): the yearly batch
 * over the decided cases of a school year, on the registers' figures and
 * the same rule pack as every decision; see convert.c. Thread-safe. */
#ifndef STIPEND_LOANS_CONVERT_H
#define STIPEND_LOANS_CONVERT_H

#include <jansson.h>
#include <stdint.h>

#include "core/date.h"
#include "core/i18n.h"

struct arena;
struct err;
struct params;
struct reg_client;
struct store;

struct loans_convert_summary {
	int cases;           /* decided higher-education cases looked at */
	int converted;       /* cases with a conversion posted */
	int64_t converted_ore;
	int none_passed;     /* decided again, nothing to convert (income, credits) */
	int not_convertible; /* no convertible part in the decision */
	int no_loan;         /* no loan paid out or still owed */
	int already;         /* converted by an earlier run */
	int manual;          /* the rules did not settle it: a case worker */
	int waiting;         /* the registers did not answer: run again */
	/* Wall seconds by step, to see where a run's time goes: reading the
	 * cases and their loans, asking the registers, the rule pack, writing
	 * the pages' transactions (on a thread of their own, while the next
	 * page is read and decided), and waiting for them. */
	double t_read, t_registers, t_rules, t_write, t_wait;
};

/* Called after each case with the count done. */
typedef void (*loans_progress_fn)(void *ctx, int done);

/* Convert the convertible loan of the calendar year `year`: the spring
 * semester of the school year (year-1)-year, then the autumn semester of
 * year-(year+1), each decided again on the income and wealth of `year`
 * and converted in proportion to that semester's credits passed, effective
 * on day on. A page of cases a transaction (for each case and semester an
 * entry, a letter "loan-conversion", a record, an audit "loan.converted"),
 * in case order; a page is written while the next is read and decided.
 * sum counts cases and semesters together (a case of each school year is
 * looked at once a run). Returns 0 with sum, or -1 when the store failed
 * (what was committed stays; a run again goes on). */
int loans_convert(struct store *s, const struct params *p, struct reg_client *reg, int year, date_t on, int64_t now,
		  loans_progress_fn progress, void *pctx, struct loans_convert_summary *sum, struct err *e);

/* The conversion a letter of kind "loan-conversion" carries, as template
 * data (year: the income year, convertible, converted, income, wealth,
 * credits, expected, none, decision_json: the decision on the year's
 * figures, semester: "autumn", "spring" or "school-year", period: the
 * semester in words in lang), or NULL. */
json_t *loans_conversion_letter(struct store *s, int64_t letter_id, enum lang lang, struct arena *a);

/* person_id's conversions for "Min gjeld", newest first: an array of
 * {semester, period, income_year, converted, convertible, letter_id}, or
 * NULL with e when the store failed. The caller has checked the reading
 * (loans_overview()). */
json_t *loans_conversions_view(struct store *s, int64_t person_id, enum lang lang, struct arena *a, struct err *e);

#endif
