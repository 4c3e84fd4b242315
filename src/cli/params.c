/* params.c - `stipend params`: check a parameter folder before it is used,
 * and show the value of a parameter in force on a day, with its reference.
 *
 * `check` loads a folder exactly as params_load_dir() does, so that a folder
 * it passes is one `serve --params` and `decide --params` accept; it then
 * also requires every subfolder to be named for a school year ("2024-2025"),
 * since the folder name is how a reader finds a year's values. `show` is the
 * answer to "which amount did the rules use on this day, and by what law". */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/money.h"
#include "rules/params.h"

static const char params_help[] =
	"Usage: stipend params check DIR\n"
	"       stipend params show KEY --date DATE [--params DIR]\n\n"
	"Inspect parameter sets: the dated amounts, limits and dates the rules read,\n"
	"each with its validity, legal reference and source.\n\n"
	"  check   validate a parameter folder as the server would load it\n"
	"  show    print the value of one parameter in force on a day\n\n"
	"Run \"stipend params check --help\" or \"stipend params show --help\" for more.\n";

static const char check_help[] =
	"Usage: stipend params check DIR\n\n"
	"Load the parameter folder DIR exactly as `serve --params` and `decide\n"
	"--params` would (school-year folders of YAML files, or YAML files\n"
	"directly), and require every subfolder to be named for a school year\n"
	"(\"2024-2025\"). Prints \"DIR: N values in M files, school years ...: ok\".\n\n"
	"Exit status: 0 the folder is valid, 2 it is not (the message names the\n"
	"file and line) or bad usage.\n";

static const char show_help[] =
	"Usage: stipend params show KEY --date DATE [--params DIR]\n\n"
	"Print the value of the parameter KEY (\"basic_loan.annual\") in force on\n"
	"DATE (YYYY-MM-DD): its value and unit, validity (both days inclusive),\n"
	"legal reference, published source, and the file and line it comes from.\n\n"
	"  --date DATE   the day asked about (required)\n"
	"  --params DIR  read another parameter folder instead of the built-in set\n\n"
	"Exit status: 0 shown; 2 no value of KEY is in force on DATE, KEY is\n"
	"unknown (keys with the same prefix are listed), DATE is not a date, DIR\n"
	"cannot be loaded, or bad usage; 1 the built-in set cannot be loaded.\n";

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_yaml(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

/* What a folder holds as params_load_dir() walks it: YAML files directly
 * and in subfolders (one level down), and the subfolders' names. */
struct listing {
	int files;
	char **folders;
	size_t n_folders;
};

#define LISTING_MAX 512

static int list_folder(const char *dir, int descend, struct listing *l, struct arena *a, struct err *e)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return err_set(e, ERR_IO, NULL, "%s: cannot open folder", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *path = arena_printf(a, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && descend) {
			if (l->n_folders == LISTING_MAX) {
				closedir(d);
				return err_set(e, ERR_INVALID, NULL, "%s: more than %d folders", dir, LISTING_MAX);
			}
			l->folders[l->n_folders++] = arena_strdup(a, de->d_name);
			if (list_folder(path, 0, l, a, e) != 0) {
				closedir(d);
				return -1;
			}
		} else if (S_ISREG(st.st_mode) && is_yaml(de->d_name)) {
			l->files++;
		}
	}
	closedir(d);
	return 0;
}

/* The school year ("2024-2025") a value serves: the first whose 1 August
 * it is in force on, else the one its first day falls in (a calendar-year
 * limit from 1 January serves the school year beginning that August). */
static void school_year_of(const struct param *v, char out[32])
{
	int y, m, d;
	date_to_ymd(v->valid_from, &y, &m, &d);
	date_t august = date_from_ymd(m < 8 || (m == 8 && d == 1) ? y : y + 1, 8, 1);
	if (august <= v->valid_to)
		date_to_ymd(august, &y, &m, &d);
	else if (m < 8)
		y--;
	snprintf(out, 32, "%04d-%04d", y, y + 1);
}

static int params_check(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(check_help, stdout); return 0;
		default: fputs(check_help, stderr); return 2;
		}
	}
	if (argc - optind != 1) {
		fputs(check_help, stderr);
		return 2;
	}
	const char *dir = argv[optind];
	struct err e;
	struct arena a;
	struct listing l = {0};
	int status = 2;
	err_clear(&e);
	arena_init(&a, 0);
	struct params *p = params_load_dir(dir, &e);
	if (p == NULL) {
		fprintf(stderr, "stipend params check: %s\n", e.message);
		goto out;
	}
	l.folders = arena_alloc(&a, LISTING_MAX * sizeof(*l.folders));
	if (list_folder(dir, 1, &l, &a, &e) != 0) {
		fprintf(stderr, "stipend params check: %s\n", e.message);
		goto out;
	}
	qsort(l.folders, l.n_folders, sizeof(*l.folders), name_cmp);
	for (size_t i = 0; i < l.n_folders; i++) {
		date_t first, last;
		if (date_school_year(l.folders[i], &first, &last) != 0) {
			fprintf(stderr,
				"stipend params check: %s/%s: a folder must be named for the school year it "
				"holds, written 2024-2025\n",
				dir, l.folders[i]);
			goto out;
		}
	}

	/* Without school-year folders, name the years the values begin in. */
	char **years = l.folders;
	size_t n_years = l.n_folders;
	if (n_years == 0) {
		size_t n = params_count(p);
		years = arena_alloc(&a, (n + 1) * sizeof(*years));
		for (size_t i = 0; i < n; i++) {
			char y[32];
			school_year_of(params_at(p, i), y);
			int seen = 0;
			for (size_t j = 0; j < n_years && !seen; j++)
				seen = strcmp(years[j], y) == 0;
			if (!seen)
				years[n_years++] = arena_strdup(&a, y);
		}
		qsort(years, n_years, sizeof(*years), name_cmp);
	}
	size_t n_values = params_count(p);
	printf("%s: %zu value%s in %d file%s, school year%s ", dir, n_values, n_values == 1 ? "" : "s", l.files,
	       l.files == 1 ? "" : "s", n_years == 1 ? "" : "s");
	for (size_t i = 0; i < n_years; i++)
		printf("%s%s", i ? ", " : "", years[i]);
	puts(": ok");
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	params_free(p);
	arena_cleanup(&a);
	return status;
}

/* Print the keys of p that share key's first component ("basic_loan."), or
 * begin with key when it has no dot. */
static void print_near_keys(const struct params *p, const char *key)
{
	const char *dot = strchr(key, '.');
	size_t n = dot ? (size_t)(dot - key) + 1 : strlen(key);
	const char *last = NULL;
	int found = 0;
	for (size_t i = 0; i < params_count(p); i++) {
		const char *k = params_at(p, i)->key;
		if (strncmp(k, key, n) != 0 || (last != NULL && strcmp(last, k) == 0))
			continue;
		fprintf(stderr, "%s %s", found ? "," : "; keys with the same prefix:", k);
		last = k;
		found = 1;
	}
	fputc('\n', stderr);
}

static int params_show(int argc, char **argv)
{
	static const struct option opts[] = {{"date", required_argument, NULL, 'd'},
					     {"params", required_argument, NULL, 'p'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *date_text = NULL, *params_dir = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': date_text = optarg; break;
		case 'p': params_dir = optarg; break;
		case 'h': fputs(show_help, stdout); return 0;
		default: fputs(show_help, stderr); return 2;
		}
	}
	if (argc - optind != 1 || date_text == NULL) {
		fputs(show_help, stderr);
		return 2;
	}
	const char *key = argv[optind];
	date_t on;
	if (date_parse(date_text, &on) != 0) {
		fprintf(stderr, "stipend params show: --date \"%s\" is not a date that exists (YYYY-MM-DD)\n",
			date_text);
		return 2;
	}
	struct err e;
	err_clear(&e);
	struct params *p = params_dir ? params_load_dir(params_dir, &e) : params_load_builtin(&e);
	if (p == NULL) {
		fprintf(stderr, "stipend params show: %s\n", e.message);
		return params_dir ? 2 : 1;
	}

	int status = 2;
	const struct param *v = params_get(p, key, on);
	if (v == NULL) {
		/* Either the key is unknown, or none of its values is in force. */
		int known = 0;
		for (size_t i = 0; i < params_count(p); i++) {
			const struct param *q = params_at(p, i);
			if (strcmp(q->key, key) != 0)
				continue;
			char from[11], to[11];
			if (!known)
				fprintf(stderr, "stipend params show: %s has no value in force on %s; it has values for",
					key, date_text);
			fprintf(stderr, "%s %s..%s", known ? "," : "", date_format(q->valid_from, from),
				date_format(q->valid_to, to));
			known = 1;
		}
		if (known) {
			fputc('\n', stderr);
		} else {
			fprintf(stderr, "stipend params show: unknown key \"%s\" in the parameter set %s", key,
				params_name(p));
			print_near_keys(p, key);
		}
		goto out;
	}

	char from[11], to[11], money[64];
	printf("%s = %lld %s", v->key, (long long)v->value, v->unit);
	if (strcmp(v->unit, "ore") == 0) {
		/* The terminal gets plain spaces where a page gets no-break ones. */
		money_format(v->value, LANG_NB, money, sizeof(money));
		fputs(" (", stdout);
		for (const char *s = money; *s; s++) {
			if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0) {
				putchar(' ');
				s++;
			} else {
				putchar(*s);
			}
		}
		putchar(')');
	}
	printf(" valid %s..%s (both inclusive)\n", date_format(v->valid_from, from), date_format(v->valid_to, to));
	printf("reference: %s\nsource: %s\nfile: %s:%d\n", v->reference, v->source, v->file, v->line);
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	params_free(p);
	return status;
}

int cli_params(int argc, char **argv)
{
	if (argc < 2) {
		fputs(params_help, stderr);
		return 2;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
		fputs(params_help, stdout);
		return 0;
	}
	if (strcmp(sub, "check") == 0)
		return params_check(argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0)
		return params_show(argc - 1, argv + 1);
	fprintf(stderr, "stipend params: unknown subcommand \"%s\"\n\n", sub);
	fputs(params_help, stderr);
	return 2;
}
