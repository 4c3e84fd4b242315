/* monthly.h - the loan account's months in turn, in one process: for each
 * calendar month the invoices of the month (loans_run through its first
 * day), the bank's report of the payments (when a bank is given), and the
 * month's interest and reminders (loans_run through its last day). What
 * `stipend loans run --from M --through M` and the whole-life benchmark
 * (bench/loans.sh) drive (#11). */
#ifndef STIPEND_LOANS_MONTHLY_H
#define STIPEND_LOANS_MONTHLY_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "loans/account.h"

struct arena;
struct err;
struct params;
struct store;

/* What the months did, summed over them. */
struct loans_months_summary {
	int months;
	int64_t account_months;       /* accounts looked at, once a month */
	int64_t interest_entries, interest;
	int64_t invoices, invoiced;
	int64_t reminders;
	int64_t failed;               /* account-runs whose transaction failed */
	int64_t waiting_for_rate;     /* account-runs stopped for want of a rate */
	char missing_rate[64];
	struct loans_import_summary paid; /* the bank's reports, summed */
};

/* The bank's camt.054 report for the month that begins on month_first,
 * into *xml (arena), or *len 0 for none. 0, or -1 with e. */
typedef int (*loans_bank_fn)(void *ctx, struct store *s, date_t month_first, char **xml, size_t *len,
			     struct arena *a, struct err *e);

/* Called after each month with the sums so far. */
typedef void (*loans_months_progress_fn)(void *ctx, date_t month_first, const struct loans_months_summary *sum);

/* Run the months from from's month through through's month, each as the
 * header says; bank may be NULL (no payments). Stops at the first month
 * whose run or import failed in the store: -1 with e, and sum says how far
 * it came. */
int loans_run_months(struct store *s, const struct params *p, date_t from, date_t through, int64_t now,
		     loans_bank_fn bank, void *bank_ctx, loans_months_progress_fn progress, void *progress_ctx,
		     struct loans_months_summary *sum, struct err *e);

/* The benchmark's bank (a loans_bank_fn): every open invoice paid in full
 * on its due day, reported as camt.054 credits with the invoice's KID and
 * the reference "BENCH-<invoice>-<YYYY-MM>" (ctx unused). When ctx is a
 * directory path, each month's report is also written there as
 * camt054-YYYY-MM.xml, for the record. */
int loans_bench_bank(void *ctx, struct store *s, date_t month_first, char **xml, size_t *len, struct arena *a,
		     struct err *e);

#endif
