/* support.c - `stipend support`: the support centre's operator commands
 * (issue #14). `report` prints the month's cost report (by agency and
 * digital service, by channel, time spent, share, and the cost shared
 * exactly in øre by the largest remainder method) as text, CSV or JSON;
 * `agency` adds or renames an agency the centre serves. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "store/store.h"
#include "support/support.h"

static const char support_help[] =
    "Usage: stipend support report --db FILE --month YYYY-MM [--cost KR] [--csv | --json]\n"
    "       stipend support agency --db FILE --add CODE --name NAME\n\n"
    "report  the month's inquiries by agency and digital service: by channel, the\n"
    "        time spent and its share, and the month's cost (--cost, in kroner,\n"
    "        e.g. 125000 or 125000,50) shared by time spent in whole øre: each line\n"
    "        gets its share rounded down, the øre left over go one each to the\n"
    "        largest remainders (a tie to the line listed first)\n"
    "agency  add an agency whose area the centre answers for, or rename one\n\n"
    "Exit status: 0, 1 when the database cannot be read, 2 bad usage or input\n"
    "(input errors as JSON naming the field).\n";

static int input_error(const struct err *e)
{
	json_t *j = json_pack("{s:s,s:s,s:s}", "error", "invalid", "field", e->field[0] ? e->field : "-", "message",
			      e->message);
	json_dumpf(j, stderr, 0);
	fputc('\n', stderr);
	json_decref(j);
	return 2;
}

static struct store *open_db(const char *db, struct err *e, int *rc)
{
	int version;
	struct store *s = store_open(db, e);
	if (s == NULL || store_schema_version(s, &version, e) != 0) {
		fprintf(stderr, "stipend support: %s\n", e->message);
		store_close(s);
		*rc = 1;
		return NULL;
	}
	if (version != store_schema_expected()) {
		fprintf(stderr, "stipend support: %s has schema %d, this stipend needs %d: run stipend migrate --db %s\n",
			db, version, store_schema_expected(), db);
		store_close(s);
		*rc = 2;
		return NULL;
	}
	return s;
}

static void print_ore(int64_t ore)
{
	printf("%lld.%02lld", (long long)(ore / 100), (long long)(ore % 100));
}

static int report(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},  {"month", required_argument, NULL, 'm'},
					     {"cost", required_argument, NULL, 'c'}, {"csv", no_argument, NULL, 'v'},
					     {"json", no_argument, NULL, 'j'},       {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *db = NULL, *month = NULL, *cost_s = NULL;
	int csv = 0, json = 0, c, rc = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'm': month = optarg; break;
		case 'c': cost_s = optarg; break;
		case 'v': csv = 1; break;
		case 'j': json = 1; break;
		case 'h': fputs(support_help, stdout); return 0;
		default: fputs(support_help, stderr); return 2;
		}
	}
	struct err e;
	err_clear(&e);
	if (db == NULL || access(db, F_OK) != 0 || month == NULL || (csv && json)) {
		fputs(support_help, stderr);
		return 2;
	}
	int64_t cost = 0;
	if (cost_s && support_parse_kroner(cost_s, &cost) != 0) {
		err_set(&e, ERR_INVALID, "cost", "the cost is an amount of kroner, such as 125000 or 125000,50");
		return input_error(&e);
	}
	struct store *s = open_db(db, &e, &rc);
	if (s == NULL)
		return rc;
	struct arena a;
	arena_init(&a, 0);
	struct support_report r;
	if (support_report(s, NULL, month, cost, date_now_unix(), &r, &a, &e) != 0) {
		rc = e.code == ERR_INVALID ? input_error(&e) : 1;
		if (rc == 1)
			fprintf(stderr, "stipend support: %s\n", e.message);
		goto out;
	}
	if (csv) {
		struct buf b;
		buf_init(&b, 64 << 20);
		if (support_report_csv(&r, &b) != 0) {
			buf_cleanup(&b);
			fprintf(stderr, "stipend support: the report is too large\n");
			goto out;
		}
		fwrite(b.p, 1, b.len, stdout);
		buf_cleanup(&b);
	} else if (json) {
		json_t *lines = json_array();
		for (int i = 0; i < r.n; i++) {
			json_t *ch = json_object();
			for (int k = 0; support_channels[k]; k++)
				json_object_set_new(ch, support_channels[k], json_integer((json_int_t)r.lines[i].by_channel[k]));
			json_array_append_new(lines, json_pack("{s:s,s:s,s:o,s:I,s:I,s:I,s:I}", "agency", r.lines[i].agency,
							       "service", r.lines[i].service, "channels", ch, "inquiries",
							       (json_int_t)r.lines[i].count, "seconds",
							       (json_int_t)r.lines[i].seconds, "share_ppm",
							       (json_int_t)r.lines[i].share_ppm, "cost_ore",
							       (json_int_t)r.lines[i].cost));
		}
		json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:s,s:o}", "month", r.month, "cost_ore", (json_int_t)r.total_cost,
				      "inquiries", (json_int_t)r.count, "seconds", (json_int_t)r.seconds, "rule",
				      "largest-remainder by seconds, ties to the earlier line", "lines", lines);
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		printf("Support centre, %s: %lld inquiries, %lld minutes; cost ", r.month, (long long)r.count,
		       (long long)((r.seconds + 30) / 60));
		print_ore(r.total_cost);
		printf(" kr shared by time spent (largest remainder)\n\n%-16s %-14s %9s %9s %9s %16s\n", "agency", "service",
		       "inquiries", "minutes", "share %", "cost kr");
		for (int i = 0; i < r.n; i++) {
			char kr[32];
			snprintf(kr, sizeof(kr), "%lld.%02lld", (long long)(r.lines[i].cost / 100),
				 (long long)(r.lines[i].cost % 100));
			printf("%-16s %-14s %9lld %9lld %6lld.%02lld %16s\n", r.lines[i].agency, r.lines[i].service,
			       (long long)r.lines[i].count, (long long)((r.lines[i].seconds + 30) / 60),
			       (long long)(r.lines[i].share_ppm / 10000), (long long)(r.lines[i].share_ppm % 10000 / 100), kr);
		}
		if (r.n == 0)
			printf("(no inquiries)\n");
	}
	rc = 0;
out:
	arena_cleanup(&a);
	store_close(s);
	return rc;
}

static int agency(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {"add", required_argument, NULL, 'a'},
					     {"name", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *db = NULL, *code = NULL, *name = NULL;
	int c, rc = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'a': code = optarg; break;
		case 'n': name = optarg; break;
		case 'h': fputs(support_help, stdout); return 0;
		default: fputs(support_help, stderr); return 2;
		}
	}
	if (db == NULL || access(db, F_OK) != 0 || code == NULL || name == NULL) {
		fputs(support_help, stderr);
		return 2;
	}
	struct err e;
	err_clear(&e);
	struct store *s = open_db(db, &e, &rc);
	if (s == NULL)
		return rc;
	if (support_agency_put(s, code, name, &e) != 0)
		rc = e.code == ERR_INVALID ? input_error(&e) : (fprintf(stderr, "stipend support: %s\n", e.message), 1);
	else
		rc = 0;
	store_close(s);
	return rc;
}

int cli_support(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(support_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "report") == 0)
		return report(argc - 1, argv + 1);
	if (strcmp(argv[1], "agency") == 0)
		return agency(argc - 1, argv + 1);
	fprintf(stderr, "stipend support: no such command %s\n", argv[1]);
	return 2;
}
