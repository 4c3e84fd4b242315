/* stats.c - `stipend stats`: the share of letters opened within 1, 3 and 7
 * days of delivery, by type of letter and notice channel, as of a moment;
 * the same figures as the workbench's statistics page (store_notice_stats),
 * as a text table or JSON. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "notify/notify.h"
#include "rules/params.h"
#include "store/notices.h"
#include "store/store.h"
#include "support/support.h"

static const char stats_help[] = "Usage: stipend stats --db FILE [--now TIME] [--json]\n"
                                 "       stipend stats --db FILE --figures [--from DAY] [--to DAY] [--params DIR] [--json]\n\n"
                                 "Print the share of letters first read within 1, 3 and 7 days of delivery,\n"
                                 "by type of letter and by the channel their notice went by (email, sms,\n"
                                 "none). A share counts only letters delivered at least that long before\n"
                                 "the moment, and readings by then; the counts stand beside it.\n\n"
                                 "  --db FILE   the database\n"
                                 "  --now TIME  as of TIME (2025-09-01 or 2025-09-01T12:00:00Z); default now\n"
                                 "  --json      print JSON: {\"now\", \"rows\": [{\"kind\", \"channel\", \"letters\",\n"
                                 "              \"within\": [{\"days\", \"eligible\", \"opened\", \"percent\"}]}]}\n"
                                 "              (percent null when no letter is that old)\n\n"
                                 "With --figures, the agency's figures over applications received from DAY\n"
                                 "to DAY (both included; default the last 91 days): automation by scheme\n"
                                 "and week, time from application to decision (median, 90th percentile,\n"
                                 "nearest rank) against the service norm in force on the last day (the\n"
                                 "parameter service.processing_weeks.manual of the built-in set, or of\n"
                                 "--params DIR; the receipt letter promises the same), the manual queue by\n"
                                 "reason, the online share, letters sent on paper, inquiries per thousand\n"
                                 "applications by topic, payments the bank accepted by week and payouts\n"
                                 "held at --now by reason; the same figures as management's dashboard.\n\n"
                                 "Exit status: 0, 1 when the database cannot be read, 2 bad usage.\n";

/* The figures (#14) as JSON or text. */
static void print_figures(const struct support_figures *f, int json)
{
	json_t *aut = json_array(), *queue = json_array(), *paper = json_array(), *topics = json_array();
	for (int i = 0; i < f->n_automation; i++)
		json_array_append_new(aut, json_pack("{s:s,s:s,s:I,s:I}", "week", f->automation[i].week, "scheme",
		                                     f->automation[i].scheme, "decided", (json_int_t)f->automation[i].decided,
		                                     "automatic", (json_int_t)f->automation[i].automatic));
	for (int i = 0; i < f->n_queue; i++)
		json_array_append_new(queue, json_pack("{s:s,s:I,s:I}", "reason", f->queue[i].reason, "cases",
		                                       (json_int_t)f->queue[i].count, "oldest_received",
		                                       (json_int_t)f->queue[i].oldest_received));
	for (int i = 0; i < f->n_paper; i++)
		json_array_append_new(paper, json_pack("{s:s,s:I}", "kind", f->paper[i].kind, "letters",
		                                       (json_int_t)f->paper[i].count));
	for (int i = 0; i < f->n_topics; i++) {
		int64_t t = support_per_thousand_tenths(f->topics[i].count, f->applications);
		json_array_append_new(topics, json_pack("{s:s,s:I,s:o}", "topic", f->topics[i].topic_code, "inquiries",
		                                        (json_int_t)f->topics[i].count, "per_thousand",
		                                        t < 0 ? json_null() : json_real((double)t / 10)));
	}
	json_t *made = json_array(), *held = json_array();
	for (int i = 0; i < f->n_payout_weeks; i++)
		json_array_append_new(made, json_pack("{s:s,s:I,s:I}", "week", f->payout_weeks[i].week, "payments",
		                                      (json_int_t)f->payout_weeks[i].payments, "ore",
		                                      (json_int_t)f->payout_weeks[i].ore));
	for (int i = 0; i < PAYOUT_HELD_REASONS; i++)
		json_array_append_new(held, json_pack("{s:s,s:I,s:I}", "reason", f->held[i].reason, "cases",
		                                      (json_int_t)f->held[i].cases, "ore", (json_int_t)f->held[i].ore));
	json_t *j = json_pack("{s:o,s:{s:I,s:I,s:I,s:i,s:i,s:s?,s:I},s:o,s:{s:I,s:I},s:o,s:o,s:{s:o,s:I,s:I,s:o}}",
	                      "automation", aut, "duration", "decided", (json_int_t)f->decided, "median_seconds",
	                      (json_int_t)f->median, "p90_seconds", (json_int_t)f->p90, "norm_weeks", f->norm_weeks,
	                      "norm_days", f->norm_days, "norm_source", f->norm_source, "within_norm",
	                      (json_int_t)f->within_norm, "queue", queue, "applications", "all",
	                      (json_int_t)f->applications, "online", (json_int_t)f->online, "paper", paper,
	                      "inquiries_by_topic", topics, "payouts", "made_by_week", made, "made_payments",
	                      (json_int_t)f->payments_made, "made_ore", (json_int_t)f->payments_made_ore, "held", held);
	json_dumpf(j, stdout, json ? JSON_INDENT(2) : JSON_INDENT(1) | JSON_COMPACT);
	putchar('\n');
	json_decref(j);
}

static json_t *as_json(const char *now, const struct notice_stat *rows, int n)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *within = json_array();
		for (int k = 0; k < NOTICE_STAT_SPANS; k++) {
			int64_t t = notify_share_tenths(rows[i].opened[k], rows[i].eligible[k]);
			json_array_append_new(within, json_pack("{s:i,s:I,s:I,s:o}", "days", notice_stat_days[k],
			                                        "eligible", (json_int_t)rows[i].eligible[k], "opened",
			                                        (json_int_t)rows[i].opened[k], "percent",
			                                        t < 0 ? json_null() : json_real((double)t / 10)));
		}
		json_array_append_new(list,
		                      json_pack("{s:s,s:s,s:I,s:o}", "kind", rows[i].kind, "channel", rows[i].channel,
		                                "letters", (json_int_t)rows[i].letters, "within", within));
	}
	return json_pack("{s:s,s:o}", "now", now, "rows", list);
}

static void as_text(const char *now, const struct notice_stat *rows, int n)
{
	printf("Letters opened within 1, 3 and 7 days of delivery, as of %s\n\n", now);
	printf("%-24s %-8s %8s  %-18s %-18s %-18s\n", "kind", "channel", "letters", "1 day", "3 days", "7 days");
	for (int i = 0; i < n; i++) {
		printf("%-24s %-8s %8lld ", rows[i].kind, rows[i].channel, (long long)rows[i].letters);
		for (int k = 0; k < NOTICE_STAT_SPANS; k++) {
			char cell[64];
			int64_t t = notify_share_tenths(rows[i].opened[k], rows[i].eligible[k]);
			if (t < 0)
				snprintf(cell, sizeof(cell), "-");
			else
				snprintf(cell, sizeof(cell), "%lld/%lld %lld.%lld%%", (long long)rows[i].opened[k],
				         (long long)rows[i].eligible[k], (long long)(t / 10), (long long)(t % 10));
			printf(" %-18s", cell);
		}
		printf("\n");
	}
	if (n == 0)
		printf("(no letters delivered)\n");
}

int cli_stats(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
	                                     {"now", required_argument, NULL, 'n'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"figures", no_argument, NULL, 'F'},
	                                     {"from", required_argument, NULL, 'f'},
	                                     {"to", required_argument, NULL, 't'},
	                                     {"params", required_argument, NULL, 'P'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *db = NULL;
	int json = 0, c, rc = 1, version, figures = 0;
	const char *params_dir = NULL;
	int64_t now = 0, from = 0, to = 0;
	date_t day;
	struct err e;
	struct store *s = NULL;
	struct arena a;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'n':
			if (date_parse_timestamp(optarg, &now) != 0) {
				fprintf(stderr, "stipend stats: --now must be 2025-09-01 or 2025-09-01T12:00:00Z\n");
				return 2;
			}
			break;
		case 'j': json = 1; break;
		case 'F': figures = 1; break;
		case 'f':
		case 't':
			if (date_parse(optarg, &day) != 0) {
				fprintf(stderr, "stipend stats: --%s must be a day such as 2025-09-01\n", c == 'f' ? "from" : "to");
				return 2;
			}
			if (c == 'f')
				from = (int64_t)day * 86400;
			else
				to = ((int64_t)day + 1) * 86400;
			break;
		case 'P': params_dir = optarg; break;
		case 'h': fputs(stats_help, stdout); return 0;
		default: fputs(stats_help, stderr); return 2;
		}
	}
	if (db == NULL || access(db, F_OK) != 0) {
		fprintf(stderr, "stipend stats: --db FILE is required and must exist\n");
		return 2;
	}
	if (now == 0)
		now = date_now_unix();
	arena_init(&a, 0);
	struct notice_stat *rows;
	int n = -1;
	if ((s = store_open(db, &e)) == NULL || store_schema_version(s, &version, &e) != 0)
		goto fail;
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend stats: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n",
		        db, version, store_schema_expected(), db);
		rc = 2;
		goto out;
	}
	if (figures) {
		struct support_figures f;
		if (to == 0)
			to = (now / 86400 + 1) * 86400;
		if (from == 0)
			from = to - 91 * 86400;
		/* The service norm is a parameter, read as the server reads it. */
		struct params *p = params_dir ? params_load_dir(params_dir, &e) : params_load_builtin(&e);
		if (p == NULL) {
			fprintf(stderr, "stipend stats: %s\n", e.message);
			rc = 2;
			goto out;
		}
		int frc = support_figures_read(s, NULL, from, to, p, now, &f, &a, &e);
		if (frc == 0)
			print_figures(&f, json);
		params_free(p);
		if (frc != 0)
			goto fail;
		rc = 0;
		goto out;
	}
	if ((n = store_notice_stats(s, now, &rows, &a, &e)) < 0)
		goto fail;
	char ts[21];
	date_format_timestamp(now, ts);
	if (json) {
		json_t *j = as_json(ts, rows, n);
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		as_text(ts, rows, n);
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "stipend stats: %s\n", e.message);
out:
	store_close(s);
	arena_cleanup(&a);
	return rc;
}
