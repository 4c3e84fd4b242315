/* csv.c - reading an institution's report file (RFC 4180 CSV, UTF-8).
 *
 * The first line names the columns (nin, kind, period, date, credits; any
 * order; date and credits may be left out; a byte-order mark and CRLF line
 * ends are accepted), separated by commas or, as a Norwegian spreadsheet
 * saves it, semicolons: the header's separator is the file's. A field may
 * be quoted ("..."), with "" for a quote inside. Empty lines are skipped but
 * counted, so that every problem names the line a spreadsheet shows. The
 * fields' meaning is checked by inst_apply(), which gets each line's
 * number. */
#include <string.h>

#include "core/arena.h"
#include "institution/institution.h"

enum col { COL_NIN, COL_KIND, COL_PERIOD, COL_DATE, COL_CREDITS, COL_N };
static const char *const col_names[COL_N] = {"nin", "kind", "period", "date", "credits"};

#define FIELDS_MAX 16

/* Split one line (without its end) into fields in the arena. Returns the
 * count, or -1 for an unclosed quote, -2 for too many fields. */
static int split(const char *p, size_t len, char sep, char **fields, struct arena *a)
{
	int n = 0;
	size_t i = 0;
	for (;;) {
		if (n == FIELDS_MAX)
			return -2;
		char *f = arena_alloc(a, len + 1);
		size_t k = 0;
		if (i < len && p[i] == '"') {
			i++;
			for (;;) {
				if (i >= len)
					return -1;
				if (p[i] == '"') {
					if (i + 1 < len && p[i + 1] == '"') {
						f[k++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				f[k++] = p[i++];
			}
			while (i < len && p[i] != sep)
				i++; /* text after a closing quote is ignored */
		} else {
			while (i < len && p[i] != sep)
				f[k++] = p[i++];
		}
		/* Spreadsheets pad: trim spaces around an unquoted value. */
		while (k > 0 && (f[k - 1] == ' ' || f[k - 1] == '\t'))
			k--;
		f[k] = '\0';
		size_t lead = strspn(f, " \t");
		fields[n++] = f + lead;
		if (i >= len)
			break;
		i++; /* the separator */
	}
	return n;
}

static void add(struct inst_result *res, int cap, int line, const char *column, const char *code, const char *msg)
{
	if (res->n_problems < cap)
		res->problems[res->n_problems++] = (struct inst_problem){line, column, code, msg};
}

int inst_csv_read(const char *text, size_t len, struct inst_report **items, struct inst_result *res, struct arena *a)
{
	enum { CAP = 100 };
	memset(res, 0, sizeof(*res));
	res->problems = arena_zalloc(a, sizeof(*res->problems) * CAP);
	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		text += 3, len -= 3;
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (lines > (size_t)INST_BATCH_MAX + 2) {
		add(res, CAP, 0, "file", "csv.too_many", "too many lines");
		return -1;
	}
	*items = arena_zalloc(a, sizeof(**items) * lines);
	int col_of[COL_N], n_cols = 0, n = 0, line = 0;
	char sep = ',';
	char *fields[FIELDS_MAX];
	size_t pos = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		size_t l = end - pos;
		if (l > 0 && text[pos + l - 1] == '\r')
			l--;
		line++;
		const char *p = text + pos;
		pos = end + 1;
		size_t blank = 0; /* within the line: the text need not end in a NUL */
		while (blank < l && memchr(" \t;,", p[blank], 4) != NULL)
			blank++;
		if (blank == l)
			continue; /* an empty line */
		if (n_cols == 0) {
			/* The header: its separator is the file's. */
			size_t commas = 0, semis = 0;
			for (size_t i = 0; i < l; i++)
				commas += p[i] == ',', semis += p[i] == ';';
			sep = semis > commas ? ';' : ',';
			int k = split(p, l, sep, fields, a);
			for (int c = 0; c < COL_N; c++)
				col_of[c] = -1;
			for (int i = 0; i < k; i++)
				for (int c = 0; c < COL_N; c++)
					if (strcmp(fields[i], col_names[c]) == 0)
						col_of[c] = i;
			for (int c = 0; c <= COL_PERIOD; c++)
				if (col_of[c] < 0)
					add(res, CAP, line, col_names[c], "csv.header",
					    "the header line lacks this column");
			if (res->n_problems > 0)
				return -1;
			n_cols = k > 0 ? k : 1;
			continue;
		}
		int k = split(p, l, sep, fields, a);
		if (k == -1) {
			add(res, CAP, line, "line", "csv.quote", "a quoted field is not closed");
			continue;
		}
		if (k != n_cols) {
			add(res, CAP, line, "line", "csv.fields",
			    "the line does not have the header's number of fields");
			continue;
		}
		struct inst_report *r = &(*items)[n++];
		r->nin = fields[col_of[COL_NIN]];
		r->kind = fields[col_of[COL_KIND]];
		r->period = fields[col_of[COL_PERIOD]];
		r->date = col_of[COL_DATE] >= 0 ? fields[col_of[COL_DATE]] : NULL;
		r->credits = col_of[COL_CREDITS] >= 0 ? fields[col_of[COL_CREDITS]] : NULL;
		r->line = line;
	}
	if (n_cols == 0) {
		add(res, CAP, 1, "file", "csv.empty", "the file has no header line");
		return -1;
	}
	return n;
}
