/* figures.c - the agency's figures (see support.h): management's dashboard
 * (automation by scheme and week, time to decision against a service norm,
 * the manual queue by reason, the online share, paper fallbacks, inquiries
 * per thousand applications by topic) and the operators' /metrics text.
 *
 * Percentiles are nearest-rank: the p-th percentile of n sorted values is
 * the value at rank ceil(p/100 * n), so it is always a duration some case
 * really took. */
#include "support/support.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/metrics.h"

int64_t support_percentile(const int64_t *v, int64_t n, int pct)
{
	if (n <= 0)
		return 0;
	int64_t rank = (n * pct + 99) / 100; /* ceil(pct/100 * n), at least 1 */
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

int64_t support_per_thousand_tenths(int64_t inquiries, int64_t applications)
{
	if (applications <= 0)
		return -1;
	/* Rounded half up, in tenths. */
	return (inquiries * 10000 + applications / 2) / applications;
}

int support_figures_read(struct store *s, const struct principal *who, int64_t from, int64_t to,
			 const struct params *p, int64_t now, struct support_figures *out, struct arena *a,
			 struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (who && access_check(s, who, ACT_DASHBOARD_READ, 0, "dashboard", "dashboard", now, e) != 0)
		return -1;
	if (to <= from)
		return err_set(e, ERR_INVALID, "to", "the period ends after it starts");
	out->from = from;
	out->to = to;
	/* The one service norm the receipt letter promises (rules/params.h),
	 * as it stood on the period's last day. */
	const struct param *norm = p ? params_get(p, PARAMS_SERVICE_NORM, (date_t)((to - 1) / 86400)) : NULL;
	if (norm && norm->value > 0 && norm->value <= 52) {
		out->norm_weeks = (int)norm->value;
		out->norm_days = (int)norm->value * 7;
		out->norm_source = norm->source;
		out->norm_reference = norm->reference;
	}
	out->n_automation = store_automation_by_week(s, from, to, &out->automation, a, e);
	if (out->n_automation < 0)
		return -1;
	int64_t *d;
	int n = store_decision_durations(s, from, to, &d, FIGURES_DURATIONS_MAX, a, e);
	if (n < 0)
		return -1;
	out->decided = n;
	out->median = support_percentile(d, n, 50);
	out->p90 = support_percentile(d, n, 90);
	for (int i = 0; out->norm_days > 0 && i < n; i++)
		out->within_norm += d[i] <= (int64_t)out->norm_days * 86400;
	if ((out->n_queue = store_manual_by_reason(s, &out->queue, a, e)) < 0 ||
	    store_applications_online(s, from, to, &out->applications, &out->online, e) != 0 ||
	    (out->n_paper = store_paper_by_kind(s, from, to, &out->paper, a, e)) < 0 ||
	    (out->n_topics = store_topic_tallies(s, from, to, &out->topics, a, e)) < 0 ||
	    (out->n_payout_weeks = store_payouts_by_week(s, from, to, &out->payout_weeks, a, e)) < 0)
		return -1;
	for (int i = 0; i < out->n_payout_weeks; i++) {
		out->payments_made += out->payout_weeks[i].payments;
		out->payments_made_ore += out->payout_weeks[i].ore;
	}
	char today[11];
	date_format(date_oslo_day(now), today);
	int nh = store_payouts_held(s, today, &out->held, a, e);
	if (nh < 0)
		return -1;
	if (nh != PAYOUT_HELD_REASONS)
		return err_set(e, ERR_STORE, NULL, "the held payouts were not read");
	return 0;
}

int support_metrics_text(struct store *s, int64_t now, struct buf *b, struct err *e)
{
	int64_t depth, age;
	if (store_jobs_waiting(s, now, &depth, &age, e) != 0)
		return -1;
	int rc = metrics_render(b);
	rc |= buf_printf(b,
			 "# HELP stipend_jobs_waiting Jobs waiting to run (ready, or running on a lease).\n"
			 "# TYPE stipend_jobs_waiting gauge\nstipend_jobs_waiting %lld\n"
			 "# HELP stipend_jobs_oldest_age_seconds Age of the oldest job waiting, 0 when none waits.\n"
			 "# TYPE stipend_jobs_oldest_age_seconds gauge\nstipend_jobs_oldest_age_seconds %lld\n",
			 (long long)depth, (long long)age);
	return rc ? err_set(e, ERR_INTERNAL, NULL, "the metrics do not fit") : 0;
}
