/* pdf.c - letters as PDF with cairo and pango; see pdf.h.
 *
 * A letter is built in two passes. The first turns the model into blocks
 * (paragraphs, headings, list items and the rows of the award table), each
 * a pango layout as wide as its column, and lays the blocks out on pages:
 * a paragraph may break between any two of its lines, a row never, and a
 * heading stays with what follows it. The second pass draws each page with
 * its letterhead (first page) or running header (later pages) and the
 * footer "Side i av n", which the first pass made possible by knowing n.
 *
 * Geometry (A4, points; 1 mm = 72 / 25.4 pt) follows the window envelope
 * convention of DIN 5008 form B, which Norwegian window envelopes (C5/C4,
 * window on the left) share: the address field begins 20 mm from the left
 * and 45 mm from the top edge and is 85 x 45 mm, its first 5 mm holding the
 * return address. Text starts 25 mm from the left edge. */
#include "mailbox/pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/money.h"

/* The agency's postal address, the one place it is written: the letterhead
 * prints it, and its one-line form is the return address above the window.
 * These are the reference installation's; an agency puts its own here. */
static const char *const agency_address[] = {"Statens lånekasse for utdanning", "Postboks 8000 Dep.", "0030 Oslo"};
#define AGENCY_RETURN "Lånekassen, Postboks 8000 Dep., 0030 Oslo"

#define MM(x) ((x)*72.0 / 25.4)
#define PAGE_W MM(210.0)
#define PAGE_H MM(297.0)
#define LEFT MM(25.0)
#define RIGHT MM(20.0)
#define TEXT_W (PAGE_W - LEFT - RIGHT)
#define WINDOW_X MM(20.0)
#define WINDOW_Y MM(45.0)
#define WINDOW_W MM(85.0)
#define INFO_X MM(125.0)
#define BODY_TOP_FIRST MM(100.0) /* below the window */
#define BODY_TOP MM(28.0)        /* later pages, below the running header */
#define BODY_BOTTOM (PAGE_H - MM(25.0))
#define FOOTER_Y (PAGE_H - MM(16.0))

#define FONT "DejaVu Sans"
#define LIST_INDENT 18.0

/* Colours: text, secondary text, the letterhead's name and rules. */
#define INK 0.07, 0.09, 0.12
#define GREY 0.33, 0.36, 0.40
#define BRAND 0.0, 0.25, 0.36

/* ---- the shared font map ---- */

static pthread_mutex_t draw_mu = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *fontmap; /* created on first use, under draw_mu */

/* ---- a document ---- */

struct pdf {
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoContext *pc;
	struct buf *out; /* or */
	FILE *f;
	int write_failed;
	int pages;
	enum lang lang; /* of the last letter added: the document's language */
	int has_lang;
	/* #15: written to a file (a print batch), the last bytes cairo wrote
	 * (at most TAIL_MAX, from offset tail_base of the file): its catalog,
	 * cross-reference table and trailer, which mark_tagged() reads to add
	 * the document's language as it does for a letter in memory. */
	struct buf tail;
	size_t tail_base;
};

/* Enough for cairo's catalog, its cross-reference table (20 bytes an
 * object) and trailer in a batch of some hundred thousand objects; a larger
 * batch's PDF keeps cairo's output untouched. */
#define TAIL_MAX ((size_t)8 << 20)

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len)
{
	struct pdf *p = closure;
	if (buf_append(p->out, data, len) != 0) {
		p->write_failed = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t write_file(void *closure, const unsigned char *data, unsigned int len)
{
	struct pdf *p = closure;
	if (fwrite(data, 1, len, p->f) != len) {
		p->write_failed = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	if (p->tail.len + len > TAIL_MAX / 2 && p->tail.len > 0) {
		/* Keep the newest bytes (a quarter of TAIL_MAX): the end of the
		 * file is what mark_tagged() reads. */
		size_t drop = p->tail.len > TAIL_MAX / 4 ? p->tail.len - TAIL_MAX / 4 : p->tail.len;
		memmove(p->tail.p, p->tail.p + drop, p->tail.len - drop);
		p->tail.len -= drop;
		p->tail.p[p->tail.len] = '\0';
		p->tail_base += drop;
	}
	if (len > TAIL_MAX / 2) {
		p->tail_base += p->tail.len + (len - TAIL_MAX / 2);
		buf_reset(&p->tail);
		data += len - TAIL_MAX / 2;
		len = TAIL_MAX / 2;
	}
	if (buf_append(&p->tail, data, len) != 0) {
		/* No room to remember it: the file is right, only untagged. */
		p->tail_base += p->tail.len + len;
		buf_reset(&p->tail);
	}
	return CAIRO_STATUS_SUCCESS;
}

static struct pdf *pdf_new(struct buf *out, FILE *f, const char *title, const char *created, struct err *e)
{
	struct pdf *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	p->out = out;
	p->f = f;
	buf_init(&p->tail, TAIL_MAX);
	p->surface = cairo_pdf_surface_create_for_stream(out ? write_buf : write_file, p, PAGE_W, PAGE_H);
	if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS) {
		err_set(e, ERR_INTERNAL, NULL, "pdf: %s", cairo_status_to_string(cairo_surface_status(p->surface)));
		cairo_surface_destroy(p->surface);
		buf_cleanup(&p->tail);
		free(p);
		return NULL;
	}
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title ? title : "");
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "stipend");
	if (created != NULL)
		cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATE_DATE, created);
	p->cr = cairo_create(p->surface);
	/* #15: one Document element holds the letters' structure (the tree's
	 * single root child, as tagged PDF wants it). */
	cairo_tag_begin(p->cr, "Document", NULL);
	pthread_mutex_lock(&draw_mu);
	if (fontmap == NULL)
		fontmap = pango_cairo_font_map_new();
	p->pc = pango_font_map_create_context(fontmap);
	/* Unhinted metrics: the layout is the same at every scale, and the
	 * same on every machine with the same fonts. */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(p->pc, fo);
	cairo_font_options_destroy(fo);
	pango_cairo_update_context(p->cr, p->pc);
	pthread_mutex_unlock(&draw_mu);
	return p;
}

struct pdf *pdf_new_buf(struct buf *out, const char *title, const char *created, struct err *e)
{
	return pdf_new(out, NULL, title, created, e);
}

struct pdf *pdf_new_file(FILE *f, const char *title, const char *created, struct err *e)
{
	return pdf_new(NULL, f, title, created, e);
}

int pdf_page_count(const struct pdf *p)
{
	return p->pages;
}

/* #15: declare the letter a tagged PDF in its language. cairo 1.16 writes
 * the structure tree (the tags draw() sets) and, with its single Document
 * root, /MarkInfo << /Marked true >>, but has no call for the document's
 * language (/Lang). So the document gets an
 * incremental update, as PDF 1.7 (ISO 32000-1, 7.5.6) defines it: the
 * catalog written again with what it lacks added, a cross-reference section
 * for it and a trailer pointing back (/Prev) to cairo's. Nothing cairo wrote
 * changes. Returns 0, or -1 when the buffer is full or the PDF is not as
 * cairo writes it (then it is left as it was). */
static const char *find(const char *hay, size_t n, const char *needle, int last)
{
	size_t k = strlen(needle);
	const char *found = NULL;
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0) {
			found = hay + i;
			if (!last)
				return found;
		}
	return found;
}

/* The update for the PDF whose last n bytes are d, starting at offset base
 * of the document, appended to add (nothing when the PDF already says its
 * language, or is not as cairo writes it). */
static int mark_tagged(const char *d, size_t n, size_t base, struct buf *add, const struct pdf *p)
{
	if (d == NULL)
		return 0;
	const char *trailer = find(d, n, "trailer", 1), *sx = find(d, n, "startxref", 1);
	if (trailer == NULL || sx == NULL || sx < trailer)
		return 0; /* not as cairo writes it: leave it */
	long root = -1, size = -1, info = -1, prev = -1;
	const char *t;
	if ((t = find(trailer, (size_t)(sx - trailer), "/Root ", 0)) != NULL)
		root = strtol(t + 6, NULL, 10);
	if ((t = find(trailer, (size_t)(sx - trailer), "/Size ", 0)) != NULL)
		size = strtol(t + 6, NULL, 10);
	if ((t = find(trailer, (size_t)(sx - trailer), "/Info ", 0)) != NULL)
		info = strtol(t + 6, NULL, 10);
	prev = strtol(sx + 9, NULL, 10);
	if (root <= 0 || size <= root || prev <= 0)
		return 0;
	char head[32];
	snprintf(head, sizeof(head), "\n%ld 0 obj\n", root);
	const char *obj = find(d, n, head, 1);
	const char *open = obj ? find(obj, (size_t)(d + n - obj), "<<", 0) : NULL;
	const char *end = obj ? find(obj, (size_t)(d + n - obj), "endobj", 0) : NULL;
	const char *close = open && end ? find(open, (size_t)(end - open), ">>", 1) : NULL;
	if (close == NULL)
		return 0;
	int marked = find(open, (size_t)(close - open), "/MarkInfo", 0) != NULL;
	if (marked && find(open, (size_t)(close - open), "/Lang", 0) != NULL)
		return 0;
	size_t offset = base + n + 1; /* after the newline below */
	int rc = buf_putc(add, '\n');
	rc |= buf_printf(add, "%ld 0 obj\n", root);
	rc |= buf_append(add, open, (size_t)(close - open));
	if (!marked)
		rc |= buf_puts(add, "   /MarkInfo << /Marked true >>\n");
	rc |= buf_printf(add, "   /Lang (%s)\n>>\nendobj\n", p->has_lang && p->lang == LANG_EN ? "en" : "nb");
	size_t xref = base + n + add->len;
	rc |= buf_printf(add, "xref\n%ld 1\n%010zu 00000 n \ntrailer\n<< /Size %ld\n   /Root %ld 0 R\n", root, offset,
			 size, root);
	if (info > 0)
		rc |= buf_printf(add, "   /Info %ld 0 R\n", info);
	rc |= buf_printf(add, "   /Prev %ld\n>>\nstartxref\n%zu\n%%%%EOF\n", prev, xref);
	return rc != 0 ? -1 : 0;
}

/* Add the document's language to the finished PDF, in memory or at the end
 * of its file. Returns 0, or -1 when it could not be written. */
static int tag_language(struct pdf *p)
{
	struct buf add;
	int rc = 0;
	buf_init(&add, 1 << 20);
	if (p->out != NULL) {
		rc = mark_tagged(p->out->p, p->out->len, 0, &add, p);
		if (rc == 0 && add.len > 0)
			rc = buf_append(p->out, add.p, add.len);
	} else if (p->f != NULL) {
		rc = mark_tagged(p->tail.p, p->tail.len, p->tail_base, &add, p);
		if (rc == 0 && add.len > 0 && fwrite(add.p, 1, add.len, p->f) != add.len)
			rc = -1;
	}
	buf_cleanup(&add);
	return rc;
}

int pdf_finish(struct pdf *p, struct err *e)
{
	if (p == NULL)
		return 0;
	pthread_mutex_lock(&draw_mu);
	cairo_tag_end(p->cr, "Document");
	cairo_destroy(p->cr);
	cairo_surface_finish(p->surface);
	cairo_status_t st = cairo_surface_status(p->surface);
	cairo_surface_destroy(p->surface);
	g_object_unref(p->pc);
	pthread_mutex_unlock(&draw_mu);
	int rc = 0;
	if (!p->write_failed && st == CAIRO_STATUS_SUCCESS && tag_language(p) != 0)
		p->write_failed = 1;
	buf_cleanup(&p->tail);
	if (p->write_failed)
		rc = err_set(e, ERR_IO, NULL,
		             p->out ? "the PDF is larger than its buffer allows" : "writing the PDF failed");
	else if (st != CAIRO_STATUS_SUCCESS)
		rc = err_set(e, ERR_IO, NULL, "pdf: %s", cairo_status_to_string(st));
	free(p);
	return rc;
}

/* ---- blocks ---- */

enum style { S_BODY, S_SMALL, S_TITLE, S_HEADING, S_SUBHEADING, S_BOLD };

enum block_kind { B_PARA, B_ROW };

#define ROW_CELLS 5

struct line {
	double x, top, h, baseline; /* points, relative to the layout */
};

struct block {
	enum block_kind kind;
	double indent;      /* from the left text edge */
	double before;      /* space above, dropped at the top of a page */
	int keep_next;      /* a heading: never last on a page */
	int grey;           /* secondary text */
	PangoLayout *l;     /* B_PARA */
	PangoLayout *label; /* a list item's marker, beside its first line */
	struct line *lines;
	int n_lines;
	PangoLayout *cells[ROW_CELLS]; /* B_ROW */
	double cell_x[ROW_CELLS];
	int n_cells;
	int rule_below; /* a table's header row: a line under it */
	double h;       /* B_ROW: its height */
	const char *tag; /* #15: its structure tag in the tagged PDF: H1, H2, H3, P, LI */
};

/* Where a line (or a row, line -1) of a block went. */
struct place {
	int block, line, page;
	double y;
};

/* One letter being laid out and drawn. */
struct letter {
	struct pdf *p;
	struct arena *a;
	enum lang lang;
	const json_t *model;
	const struct pdf_address *addr;
	struct block *blocks;
	int n, cap;
	struct place *places;
	int n_places, cap_places;
	int pages;
	struct buf tmp; /* rendering texts */
	const char *title;
};

static PangoFontDescription *font_of(enum style s)
{
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	double size = 10;
	PangoWeight w = PANGO_WEIGHT_NORMAL;
	switch (s) {
	case S_BODY: break;
	case S_SMALL: size = 8.5; break;
	case S_TITLE:
		size = 15;
		w = PANGO_WEIGHT_BOLD;
		break;
	case S_HEADING:
		size = 12;
		w = PANGO_WEIGHT_BOLD;
		break;
	case S_SUBHEADING:
		size = 10.5;
		w = PANGO_WEIGHT_BOLD;
		break;
	case S_BOLD: w = PANGO_WEIGHT_BOLD; break;
	}
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, w);
	return fd;
}

/* A layout of text in style, wrapped at width (points; <= 0: no wrap). */
static PangoLayout *layout(struct letter *L, const char *text, enum style s, double width, PangoAlignment align)
{
	PangoLayout *l = pango_layout_new(L->p->pc);
	PangoFontDescription *fd = font_of(s);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (width > 0) {
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, text ? text : "", -1);
	return l;
}

static double layout_height(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static double layout_width(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)w / PANGO_SCALE;
}

static struct block *new_block(struct letter *L, enum block_kind kind)
{
	if (L->n == L->cap) {
		int cap = L->cap ? L->cap * 2 : 32;
		struct block *b = arena_zalloc(L->a, sizeof(*b) * (size_t)cap);
		if (L->n)
			memcpy(b, L->blocks, sizeof(*b) * (size_t)L->n);
		L->blocks = b;
		L->cap = cap;
	}
	struct block *b = &L->blocks[L->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

/* The lines of a paragraph's layout, for breaking it across pages. */
static void measure_lines(struct letter *L, struct block *b)
{
	b->n_lines = pango_layout_get_line_count(b->l);
	b->lines = arena_zalloc(L->a, sizeof(*b->lines) * (size_t)(b->n_lines ? b->n_lines : 1));
	PangoLayoutIter *it = pango_layout_get_iter(b->l);
	int i = 0;
	do {
		PangoRectangle logical;
		pango_layout_iter_get_line_extents(it, NULL, &logical);
		b->lines[i].x = (double)logical.x / PANGO_SCALE;
		b->lines[i].top = (double)logical.y / PANGO_SCALE;
		b->lines[i].h = (double)logical.height / PANGO_SCALE;
		b->lines[i].baseline = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
		i++;
	} while (i < b->n_lines && pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

static struct block *para(struct letter *L, const char *text, enum style s, double before)
{
	if (text == NULL || *text == '\0')
		return NULL;
	struct block *b = new_block(L, B_PARA);
	b->before = before;
	b->l = layout(L, text, s, TEXT_W, PANGO_ALIGN_LEFT);
	b->keep_next = s == S_TITLE || s == S_HEADING || s == S_SUBHEADING;
	b->tag = s == S_TITLE ? "H1" : s == S_HEADING ? "H2" : s == S_SUBHEADING ? "H3" : "P";
	measure_lines(L, b);
	return b;
}

/* A list item: marker ("1.", "•") beside text indented by LIST_INDENT. */
static struct block *item(struct letter *L, const char *marker, const char *text, enum style s, double before)
{
	struct block *b = new_block(L, B_PARA);
	b->before = before;
	b->indent = LIST_INDENT;
	b->l = layout(L, text, s, TEXT_W - LIST_INDENT, PANGO_ALIGN_LEFT);
	if (marker)
		b->label = layout(L, marker, s, 0, PANGO_ALIGN_LEFT);
	b->tag = "P";
	measure_lines(L, b);
	return b;
}

/* A row of the award table. */
static struct block *row(struct letter *L, const char *const cells[ROW_CELLS], enum style s, double before)
{
	/* Award, kind, months, per month, amount: shares of the text width. */
	static const double share[ROW_CELLS] = {0.34, 0.16, 0.14, 0.17, 0.19};
	static const PangoAlignment align[ROW_CELLS] = {PANGO_ALIGN_LEFT, PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT,
	                                                PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT};
	struct block *b = new_block(L, B_ROW);
	b->before = before;
	double x = 0;
	for (int i = 0; i < ROW_CELLS; i++) {
		double w = TEXT_W * share[i];
		b->cells[i] = layout(L, cells[i], s, w - 6.0, align[i]);
		b->cell_x[i] = i == 0 ? x : x + 6.0;
		double h = layout_height(b->cells[i]) + 4.0;
		if (h > b->h)
			b->h = h;
		x += w;
	}
	b->n_cells = ROW_CELLS;
	return b;
}

/* ---- texts from the catalogue ---- */

/* The text of key in the letter's language, its arguments from args (may
 * be NULL), copied into the arena. */
static const char *text(struct letter *L, const char *key, const json_t *args)
{
	buf_reset(&L->tmp);
	if (i18n_render(&L->tmp, L->lang, key, args) != 0)
		return "";
	return arena_strdup(L->a, buf_str(&L->tmp));
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *money(struct letter *L, const json_t *v)
{
	char tmp[64];
	if (!json_is_integer(v))
		return "";
	return arena_strdup(L->a, money_format(json_integer_value(v), L->lang, tmp, sizeof(tmp)));
}

static const char *date_text(struct letter *L, const char *iso)
{
	if (iso == NULL)
		return "";
	buf_reset(&L->tmp);
	i18n_put_date(&L->tmp, L->lang, iso);
	return arena_strdup(L->a, buf_str(&L->tmp));
}

/* ---- the body, as templates/letter.html and _decision.html give it ---- */

static void decision_body(struct letter *L, const json_t *d)
{
	size_t i;
	json_t *v;
	const char *outcome = str(d, "outcome_key");
	const char *heading = str(d, "decision_heading_key");
	para(L,
	     arena_printf(L->a, "%s: %s", i18n_get(L->lang, heading ? heading : "decision.heading"),
	                  outcome ? i18n_get(L->lang, outcome) : ""),
	     S_HEADING, 14);

	json_t *awards = json_object_get(d, "awards");
	if (json_array_size(awards) > 0) {
		para(L, i18n_get(L->lang, "decision.awards"), S_SUBHEADING, 8);
		const char *head[ROW_CELLS] = {i18n_get(L->lang, "decision.award"), i18n_get(L->lang, "decision.kind"),
		                               i18n_get(L->lang, "decision.months"),
		                               i18n_get(L->lang, "decision.monthly"),
		                               i18n_get(L->lang, "decision.amount")};
		row(L, head, S_BOLD, 4)->rule_below = 1;
		json_array_foreach(awards, i, v)
		{
			json_t *months = json_object_get(v, "months");
			const char *cells[ROW_CELLS] = {
			    str(v, "name_key") ? i18n_get(L->lang, str(v, "name_key")) : "",
			    str(v, "kind_key") ? i18n_get(L->lang, str(v, "kind_key")) : "",
			    json_is_integer(months) ? arena_printf(L->a, "%lld", (long long)json_integer_value(months))
			                            : "",
			    /* As the page shows them: no monthly sum, a dash; a
			     * deferral's or relief's months, no amount. */
			    json_integer_value(json_object_get(v, "monthly")) == 0 ? "–" : money(L, json_object_get(v, "monthly")),
			    json_is_true(json_object_get(v, "months_only")) ? "–" : money(L, json_object_get(v, "amount"))};
			row(L, cells, S_BODY, 0);
		}
		json_array_foreach(awards, i, v)
		{
			json_t *conv = json_object_get(v, "convertible");
			if (json_is_integer(conv) && json_integer_value(conv) != 0)
				para(L, text(L, "decision.convertible", v), S_BODY, 6);
		}
	}
	/* #15: the conditions for paying, and the answers that differ from
	 * the registers. */
	json_t *conditions = json_object_get(d, "conditions");
	if (json_array_size(conditions) > 0) {
		para(L, i18n_get(L->lang, "decision.conditions"), S_SUBHEADING, 10);
		json_array_foreach(conditions, i, v)
		{
			const char *k = str(v, "text_key");
			item(L, "•", k ? i18n_get(L->lang, k) : "", S_BODY, 4);
		}
	}
	json_t *said = json_object_get(d, "discrepancies");
	if (json_array_size(said) > 0) {
		para(L, i18n_get(L->lang, "decision.discrepancies"), S_SUBHEADING, 10);
		json_array_foreach(said, i, v)
		{
			const char *t = str(v, "text");
			item(L, "•", json_is_true(json_object_get(v, "more"))
			     ? arena_printf(L->a, "%s %s", t ? t : "", i18n_get(L->lang, "answers.differs.more")) : (t ? t : ""),
			     S_BODY, 4);
		}
	}
	const char *justification = str(d, "justification");
	if (justification && *justification) {
		para(L, i18n_get(L->lang, "decision.justification"), S_SUBHEADING, 10);
		para(L, justification, S_BODY, 4);
	}
	json_t *reasons = json_object_get(d, "reasons");
	if (json_array_size(reasons) > 0) {
		para(L, i18n_get(L->lang, "decision.manual"), S_SUBHEADING, 10);
		json_array_foreach(reasons, i, v)
		{
			const char *k = str(v, "text_key");
			const char *ref = str(v, "reference");
			item(L, "•", arena_printf(L->a, "%s (%s)", k ? i18n_get(L->lang, k) : "", ref ? ref : ""),
			     S_BODY, 4);
		}
	}
	para(L, i18n_get(L->lang, "decision.why"), S_SUBHEADING, 10);
	json_array_foreach(json_object_get(d, "steps"), i, v)
	{
		struct block *step = item(L, arena_printf(L->a, "%zu.", i + 1), str(v, "text"), S_BODY, 6);
		const char *ref = str(v, "reference");
		if (ref) {
			step->keep_next = 1; /* the explanation with its paragraph */
			struct block *b =
			    item(L, NULL, arena_printf(L->a, "%s: %s", i18n_get(L->lang, "decision.reference"), ref),
			         S_SMALL, 1);
			b->grey = 1;
		}
	}
	const char *version = str(d, "rules_version");
	struct block *b =
	    para(L, arena_printf(L->a, "%s: %s", i18n_get(L->lang, "decision.rules_version"), version ? version : ""),
	         S_SMALL, 8);
	b->grey = 1;
}

static void build_body(struct letter *L)
{
	const json_t *m = L->model;
	json_t *request = json_object_get(m, "request");
	json_t *c = json_object_get(m, "case");
	json_t *d = json_object_get(m, "decision");
	para(L, L->title, S_TITLE, 0);
	if (json_is_object(request)) {
		para(L, i18n_get(L->lang, "letter.documentation.intro"), S_BODY, 10);
		para(L, i18n_get(L->lang, "letter.documentation.what"), S_SUBHEADING, 10);
		para(L, str(request, "text"), S_BODY, 4);
		para(L, i18n_get(L->lang, "letter.documentation.deadline_heading"), S_SUBHEADING, 10);
		para(L, text(L, "letter.documentation.deadline", request), S_BODY, 4);
		para(L, i18n_get(L->lang, "letter.documentation.how"), S_BODY, 8);
		para(L, i18n_get(L->lang, "letter.documentation.signature"), S_BODY, 12);
		return;
	}
	json_t *sections = json_object_get(m, "sections");
	if (json_is_array(sections)) {
		/* A document of its own, its text rendered by its room: the
		 * support agreement (src/signing/). */
		size_t i, k;
		json_t *sec, *p;
		json_array_foreach(sections, i, sec)
		{
			const char *heading = str(sec, "heading");
			if (heading && *heading)
				para(L, heading, i == 0 ? S_BODY : S_SUBHEADING, 10);
			json_array_foreach(json_object_get(sec, "paragraphs"), k, p)
			    para(L, json_string_value(p) ? json_string_value(p) : "", S_BODY, 4);
		}
		return;
	}
	json_t *answer = json_object_get(m, "answer");
	if (json_is_object(answer)) {
		/* templates/_letter_answer.html */
		size_t i;
		json_t *q;
		para(L, i18n_get(L->lang, "mailbox.answer.intro"), S_BODY, 10);
		if (json_array_size(json_object_get(answer, "questions")) > 0)
			para(L, i18n_get(L->lang, "mailbox.answer.you_wrote"), S_SUBHEADING, 10);
		json_array_foreach(json_object_get(answer, "questions"), i, q)
		{
			item(L, "»", str(q, "text"), S_BODY, 4);
			item(L, NULL, date_text(L, str(q, "day")), S_SMALL, 1)->grey = 1;
		}
		para(L, i18n_get(L->lang, "mailbox.answer.heading"), S_SUBHEADING, 10);
		para(L, str(answer, "text"), S_BODY, 4);
		para(L, i18n_get(L->lang, "mailbox.answer.signature"), S_BODY, 12);
		return;
	}
	json_t *reminder = json_object_get(m, "reminder");
	if (json_is_object(reminder)) {
		/* templates/_mypages_reminder.html */
		int today = json_is_true(json_object_get(reminder, "today"));
		para(L, text(L, today ? "mypages.reminder.intro_today" : "mypages.reminder.intro", reminder), S_BODY, 10);
		const char *kind = str(reminder, "kind_key");
		para(L, arena_printf(L->a, "%s: %s", i18n_get(L->lang, "mypages.calendar.what"),
				     kind ? i18n_get(L->lang, kind) : ""), S_BODY, 8);
		para(L, arena_printf(L->a, "%s: %s", i18n_get(L->lang, "mypages.reminder.due"),
				     date_text(L, str(reminder, "due"))), S_BODY, 4);
		if (str(reminder, "what"))
			para(L, str(reminder, "what"), S_BODY, 8);
		if (json_is_true(json_object_get(reminder, "done")))
			para(L, i18n_get(L->lang, "mypages.reminder.done"), S_BODY, 8);
		para(L, i18n_get(L->lang, "mypages.reminder.ignore"), S_BODY, 8);
		para(L, i18n_get(L->lang, "mypages.reminder.settings"), S_BODY, 8);
		para(L, i18n_get(L->lang, "mypages.reminder.signature"), S_BODY, 12);
		return;
	}
	json_t *received = json_object_get(m, "received");
	if (json_is_object(received)) {
		/* #15: received, waiting for a case worker: no decision yet. */
		para(L, text(L, "letter.received.intro", received), S_BODY, 10);
		para(L, text(L, "letter.received.expected", received), S_BODY, 10);
		para(L, i18n_get(L->lang, "letter.received.preliminary"), S_BODY, 10);
		if (json_is_object(d))
			decision_body(L, d);
		para(L, i18n_get(L->lang, "letter.received.signature"), S_BODY, 12);
		return;
	}
	json_t *invoice = json_object_get(m, "invoice");
	if (json_is_object(invoice)) {
		/* templates/_loan_invoice.html: the loan account's invoice (#11) */
		static const char *const rows[][2] = {{"loans.letter.due", "due"},
						     {"loans.letter.amount", "total"},
						     {"loans.letter.interest", "interest"},
						     {"loans.letter.principal", "principal"},
						     {"loans.letter.fee", "fee"},
						     {"loans.pay.account", "account"},
						     {"loans.pay.kid", "kid"}};
		const char *reminder_key = json_string_value(json_object_get(invoice, "reminder_key"));
		if (reminder_key)
			para(L, i18n_get(L->lang, reminder_key), S_SUBHEADING, 10);
		para(L, i18n_get(L->lang, "loans.letter.intro"), S_BODY, 10);
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			json_t *v = json_object_get(invoice, rows[i][1]);
			const char *shown;
			char money[64];
			if (json_is_integer(v)) {
				if (strcmp(rows[i][1], "fee") == 0 && json_integer_value(v) == 0)
					continue;
				shown = money_format(json_integer_value(v), L->lang, money, sizeof(money));
			} else if (strcmp(rows[i][1], "due") == 0) {
				shown = date_text(L, json_string_value(v));
			} else {
				shown = json_string_value(v) ? json_string_value(v) : "";
			}
			para(L, arena_printf(L->a, "%s: %s", i18n_get(L->lang, rows[i][0]), shown), S_BODY, 4);
		}
		para(L, i18n_get(L->lang, "loans.letter.must_pay"), S_BODY, 10);
		para(L, i18n_get(L->lang, "loans.letter.signature"), S_BODY, 12);
		return;
	}
	json_t *disability = json_object_get(m, "disability");
	if (json_is_object(disability)) {
		/* templates/_loan_disability.html: a write-off at disability
		 * (#11, helper B): the outcome, the figures, the reason. */
		para(L, text(L, json_string_value(json_object_get(disability, "text_key")), disability), S_BODY, 10);
		para(L, text(L, "disability.letter.facts", disability), S_BODY, 6);
		if (!json_is_true(json_object_get(disability, "refused"))) {
			para(L, text(L, "disability.letter.figures", disability), S_BODY, 6);
			if (json_is_true(json_object_get(disability, "fixed_term")))
				para(L, text(L, "disability.letter.term", disability), S_BODY, 6);
			if (json_is_true(json_object_get(disability, "annuity")))
				para(L, i18n_get(L->lang, "disability.letter.annuity"), S_BODY, 6);
		}
		para(L, i18n_get(L->lang, "letter.appeal_heading"), S_SUBHEADING, 14);
		para(L, i18n_get(L->lang, "letter.appeal"), S_BODY, 4);
		para(L, i18n_get(L->lang, "disability.letter.signature"), S_BODY, 12);
		return;
	}
	json_t *loan_status = json_object_get(m, "loan_status");
	if (json_is_object(loan_status)) {
		/* templates/_loan_status.html: a loan called in or handed to the
		 * collection agency (#11, loans/later.h) */
		int handed = json_is_true(json_object_get(loan_status, "collection"));
		para(L, text(L, handed ? "loans.letter.collection" : "loans.letter.called_in", loan_status), S_BODY, 10);
		static const char *const rows[][2] = {{"loans.pay.account", "account"}, {"loans.pay.kid", "kid"}};
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			const char *v = json_string_value(json_object_get(loan_status, rows[i][1]));
			para(L, arena_printf(L->a, "%s: %s", i18n_get(L->lang, rows[i][0]), v ? v : ""), S_BODY, 4);
		}
		para(L, i18n_get(L->lang, "loans.letter.later_rights"), S_BODY, 10);
		para(L, i18n_get(L->lang, "loans.letter.signature"), S_BODY, 12);
		return;
	}
	json_t *fixed_rate = json_object_get(m, "fixed_rate");
	if (json_is_object(fixed_rate)) {
		/* templates/_loan_fixedrate.html: the fixed rate's loss or gain
		 * (#11, loans/fixedpost.h) */
		int end = json_is_true(json_object_get(fixed_rate, "end"));
		para(L, text(L, end ? "loans.fixedrate.letter.end" : "loans.fixedrate.letter.extra", fixed_rate), S_BODY, 10);
		para(L, text(L, "loans.fixedrate.letter.rates", fixed_rate), S_BODY, 6);
		const char *key = json_is_true(json_object_get(fixed_rate, "loss"))	  ? "loans.fixedrate.letter.loss"
				  : json_is_true(json_object_get(fixed_rate, "gain")) ? "loans.fixedrate.letter.gain"
										      : "loans.fixedrate.letter.zero";
		para(L, text(L, key, fixed_rate), S_BODY, 6);
		para(L, i18n_get(L->lang, "loans.fixedrate.letter.how"), S_BODY, 10);
		para(L, i18n_get(L->lang, "loans.letter.signature"), S_BODY, 12);
		return;
	}
	json_t *statement = json_object_get(m, "statement");
	if (json_is_object(statement)) {
		/* templates/_loan_statement.html: the annual statement (#11) */
		static const char *const rows[][2] = {{"loans.statement.debt", "debt"},
						     {"loans.statement.interest_charged", "interest_charged"},
						     {"loans.statement.interest_paid", "interest_paid"},
						     {"loans.statement.principal_paid", "principal_paid"}};
		para(L, text(L, "loans.statement.intro", statement), S_BODY, 10);
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			char money[64];
			para(L, arena_printf(L->a, "%s: %s", i18n_get(L->lang, rows[i][0]),
					     money_format(json_integer_value(json_object_get(statement, rows[i][1])), L->lang,
							  money, sizeof(money))),
			     S_BODY, 4);
		}
		para(L, i18n_get(L->lang, "loans.statement.tax"), S_BODY, 10);
		para(L, i18n_get(L->lang, "loans.letter.signature"), S_BODY, 12);
		return;
	}
	json_t *conversion = json_object_get(m, "conversion");
	if (json_is_object(conversion)) {
		/* templates/_loan_conversion.html: loan converted to grant (#11) */
		para(L, text(L, json_is_true(json_object_get(conversion, "none")) ? "loans.conversion.none"
										   : "loans.conversion.done",
			      conversion),
		     S_BODY, 10);
		para(L, text(L, "loans.conversion.facts", conversion), S_BODY, 6);
	}
	if (json_is_object(c))
		para(L, text(L, "letter.intro", c), S_BODY, 10);
	if (json_is_object(d))
		decision_body(L, d);
	para(L, i18n_get(L->lang, "letter.appeal_heading"), S_SUBHEADING, 14);
	para(L, i18n_get(L->lang, "letter.appeal"), S_BODY, 4);
	int by_caseworker = json_is_true(json_object_get(d, "by_caseworker"));
	para(L, i18n_get(L->lang, by_caseworker ? "letter.signature_caseworker" : "letter.signature"), S_BODY, 12);
}

/* ---- pagination ---- */

static void place(struct letter *L, int block, int line, int page, double y)
{
	if (L->n_places == L->cap_places) {
		int cap = L->cap_places ? L->cap_places * 2 : 128;
		struct place *p = arena_alloc(L->a, sizeof(*p) * (size_t)cap);
		if (L->n_places)
			memcpy(p, L->places, sizeof(*p) * (size_t)L->n_places);
		L->places = p;
		L->cap_places = cap;
	}
	L->places[L->n_places++] = (struct place){block, line, page, y};
}

/* The height a block needs before anything may follow it on the same page:
 * a heading with the first line (or row) of the next block. */
static double first_part(const struct block *b)
{
	return b->kind == B_ROW ? b->h : (b->n_lines > 0 ? b->lines[0].h : 0);
}

static void paginate(struct letter *L)
{
	int page = 0;
	double top = BODY_TOP_FIRST, y = top;
	for (int i = 0; i < L->n; i++) {
		struct block *b = &L->blocks[i];
		if (y > top)
			y += b->before;
		double need = first_part(b);
		if (b->kind == B_PARA && b->n_lines >= 2)
			need += b->lines[1].h; /* no orphaned first line */
		for (int k = i; L->blocks[k].keep_next && k + 1 < L->n; k++) {
			if (k > i)
				need += first_part(&L->blocks[k]);
			need += L->blocks[k + 1].before + first_part(&L->blocks[k + 1]);
		}
		if (b->kind == B_PARA && b->keep_next)
			need += layout_height(b->l) - first_part(b);
		if (y > top && y + need > BODY_BOTTOM) {
			page++;
			y = top = BODY_TOP;
		}
		if (b->kind == B_ROW) {
			place(L, i, -1, page, y);
			y += b->h;
			continue;
		}
		for (int k = 0; k < b->n_lines; k++) {
			if (y > top && y + b->lines[k].h > BODY_BOTTOM) {
				page++;
				y = top = BODY_TOP;
			}
			place(L, i, k, page, y);
			y += b->lines[k].h;
		}
	}
	L->pages = page + 1;
}

/* ---- drawing ---- */

static void show(struct letter *L, const char *s, enum style st, double x, double y, double width, PangoAlignment align)
{
	PangoLayout *l = layout(L, s, st, width, align);
	cairo_move_to(L->p->cr, x, y);
	pango_cairo_show_layout(L->p->cr, l);
	g_object_unref(l);
}

static void show_height(struct letter *L, const char *s, enum style st, double x, double *y, double width)
{
	PangoLayout *l = layout(L, s, st, width, PANGO_ALIGN_LEFT);
	cairo_move_to(L->p->cr, x, *y);
	pango_cairo_show_layout(L->p->cr, l);
	*y += layout_height(l);
	g_object_unref(l);
}

static void rule(cairo_t *cr, double x0, double x1, double y, double width)
{
	cairo_set_line_width(cr, width);
	cairo_move_to(cr, x0, y);
	cairo_line_to(cr, x1, y);
	cairo_stroke(cr);
}

/* The recipient's lines: the paper copy's address, or the model's. */
static int recipient_lines(struct letter *L, const char *out[PDF_ADDRESS_MAX])
{
	if (L->addr != NULL) {
		int n = L->addr->n < PDF_ADDRESS_MAX ? L->addr->n : PDF_ADDRESS_MAX;
		for (int i = 0; i < n; i++)
			out[i] = L->addr->lines[i];
		return n;
	}
	json_t *r = json_object_get(L->model, "recipient");
	int n = 0;
	const char *keys[] = {"name", "address", "postal"};
	for (size_t i = 0; i < 3; i++)
		if (str(r, keys[i]) && *str(r, keys[i]))
			out[n++] = str(r, keys[i]);
	return n;
}

static void letterhead(struct letter *L)
{
	cairo_t *cr = L->p->cr;
	json_t *letter = json_object_get(L->model, "letter");
	const char *sender = str(letter, "sender_key");
	double y = MM(14.0);
	cairo_set_source_rgb(cr, BRAND);
	show_height(L, i18n_get(L->lang, "paper.pdf.letterhead"), S_TITLE, LEFT, &y, 0);
	cairo_set_source_rgb(cr, INK);
	show_height(L, i18n_get(L->lang, "app.agency"), S_SMALL, LEFT, &y, MM(95.0));
	if (sender)
		show_height(L, i18n_get(L->lang, sender), S_SMALL, LEFT, &y, MM(95.0));
	/* The agency's postal address, top right. */
	double ay = MM(14.0);
	cairo_set_source_rgb(cr, GREY);
	show_height(L, i18n_get(L->lang, "paper.pdf.postal_address"), S_SMALL, INFO_X, &ay, PAGE_W - RIGHT - INFO_X);
	for (size_t i = 0; i < sizeof(agency_address) / sizeof(agency_address[0]); i++)
		show_height(L, agency_address[i], S_SMALL, INFO_X, &ay, PAGE_W - RIGHT - INFO_X);
	cairo_set_source_rgb(cr, BRAND);
	rule(cr, LEFT, PAGE_W - RIGHT, MM(36.0), 0.8);

	/* The window: the return address in its first 5 mm, then the
	 * recipient. */
	cairo_set_source_rgb(cr, GREY);
	double wy = WINDOW_Y + MM(1.0);
	PangoLayout *ret = layout(L, AGENCY_RETURN, S_SMALL, WINDOW_W - MM(5.0), PANGO_ALIGN_LEFT);
	PangoFontDescription *fd = font_of(S_SMALL);
	pango_font_description_set_absolute_size(fd, 6.5 * PANGO_SCALE);
	pango_layout_set_font_description(ret, fd);
	pango_font_description_free(fd);
	cairo_move_to(cr, LEFT, wy);
	pango_cairo_show_layout(cr, ret);
	rule(cr, LEFT, LEFT + layout_width(ret), wy + layout_height(ret) + 0.5, 0.3);
	g_object_unref(ret);
	cairo_set_source_rgb(cr, INK);
	const char *lines[PDF_ADDRESS_MAX];
	int n = recipient_lines(L, lines);
	double ry = WINDOW_Y + MM(7.0);
	for (int i = 0; i < n; i++)
		show_height(L, lines[i], S_BODY, LEFT, &ry, WINDOW_W - MM(5.0));

	/* Date, case and letter number, right of the window. */
	double iy = WINDOW_Y + MM(7.0), label_w = MM(28.0);
	json_t *c = json_object_get(letter, "case_id");
	const char *rows[3][2] = {
	    {i18n_get(L->lang, "letter.date"), date_text(L, str(letter, "day"))},
	    {i18n_get(L->lang, "paper.pdf.case_number"),
	     json_integer_value(c) ? arena_printf(L->a, "%lld", (long long)json_integer_value(c)) : ""},
	    {i18n_get(L->lang, "paper.pdf.letter_number"),
	     arena_printf(L->a, "%lld", (long long)json_integer_value(json_object_get(letter, "id")))}};
	for (int i = 0; i < 3; i++) {
		cairo_set_source_rgb(cr, GREY);
		show(L, rows[i][0], S_SMALL, INFO_X, iy + 1.0, label_w, PANGO_ALIGN_LEFT);
		cairo_set_source_rgb(cr, INK);
		show_height(L, rows[i][1], S_BODY, INFO_X + label_w, &iy, PAGE_W - RIGHT - INFO_X - label_w);
	}
}

static void running_header(struct letter *L)
{
	cairo_t *cr = L->p->cr;
	json_t *letter = json_object_get(L->model, "letter");
	json_int_t c = json_integer_value(json_object_get(letter, "case_id"));
	const char *s = c ? arena_printf(L->a, "%s · %s · %s %lld", i18n_get(L->lang, "paper.pdf.letterhead"), L->title,
	                                 i18n_get(L->lang, "paper.pdf.case_number"), (long long)c)
	                  : arena_printf(L->a, "%s · %s", i18n_get(L->lang, "paper.pdf.letterhead"), L->title);
	cairo_set_source_rgb(cr, GREY);
	show(L, s, S_SMALL, LEFT, MM(14.0), TEXT_W, PANGO_ALIGN_LEFT);
	rule(cr, LEFT, PAGE_W - RIGHT, MM(20.0), 0.4);
}

static void footer(struct letter *L, int page)
{
	cairo_t *cr = L->p->cr;
	json_t *args = json_pack("{s:i,s:i}", "page", page, "pages", L->pages);
	const char *pages = text(L, "paper.pdf.page", args);
	json_decref(args);
	const char *sender = str(json_object_get(L->model, "letter"), "sender_key");
	cairo_set_source_rgb(cr, GREY);
	rule(cr, LEFT, PAGE_W - RIGHT, FOOTER_Y - MM(2.0), 0.4);
	if (sender)
		show(L, i18n_get(L->lang, sender), S_SMALL, LEFT, FOOTER_Y, TEXT_W * 0.7, PANGO_ALIGN_LEFT);
	show(L, pages, S_SMALL, LEFT, FOOTER_Y, TEXT_W, PANGO_ALIGN_RIGHT);
}

/* #15: the letter is a tagged PDF (cairo's structure tags), so that a
 * screen reader reads it in order, with its headings and its table: each
 * block is a structure element (H1, H2, H3, P; a list item's marker and
 * text in one), the award rows a Table of TR with TH (the header row) or
 * TD cells. A block that runs onto the next page is closed at the page's
 * end and opened again on the next, as cairo's tags are kept within a page
 * here. */
static void draw(struct letter *L)
{
	cairo_t *cr = L->p->cr;
	int k = 0;
	for (int page = 0; page < L->pages; page++) {
		int open_block = -1, in_table = 0;
		if (page == 0)
			letterhead(L);
		else
			running_header(L);
		for (; k < L->n_places && L->places[k].page == page; k++) {
			const struct place *pl = &L->places[k];
			struct block *b = &L->blocks[pl->block];
			if (open_block >= 0 && open_block != pl->block) {
				cairo_tag_end(cr, L->blocks[open_block].tag);
				open_block = -1;
			}
			if (in_table && b->kind != B_ROW) {
				cairo_tag_end(cr, "Table");
				in_table = 0;
			}
			if (b->grey)
				cairo_set_source_rgb(cr, GREY);
			else
				cairo_set_source_rgb(cr, INK);
			double x = LEFT + b->indent;
			if (b->kind == B_ROW) {
				if (!in_table) {
					cairo_tag_begin(cr, "Table", NULL);
					in_table = 1;
				}
				cairo_tag_begin(cr, "TR", NULL);
				for (int c = 0; c < b->n_cells; c++) {
					cairo_tag_begin(cr, b->rule_below ? "TH" : "TD", NULL);
					cairo_move_to(cr, x + b->cell_x[c], pl->y + 2.0);
					pango_cairo_show_layout(cr, b->cells[c]);
					cairo_tag_end(cr, b->rule_below ? "TH" : "TD");
				}
				cairo_tag_end(cr, "TR");
				cairo_set_source_rgb(cr, GREY);
				rule(cr, LEFT, PAGE_W - RIGHT, pl->y + b->h, b->rule_below ? 0.8 : 0.3);
				continue;
			}
			if (open_block != pl->block && b->tag != NULL) {
				cairo_tag_begin(cr, b->tag, NULL);
				open_block = pl->block;
			}
			const struct line *ln = &b->lines[pl->line];
			if (pl->line == 0 && b->label) {
				cairo_move_to(cr, LEFT, pl->y);
				pango_cairo_show_layout(cr, b->label);
			}
			cairo_move_to(cr, x + ln->x, pl->y + (ln->baseline - ln->top));
			pango_cairo_show_layout_line(cr, pango_layout_get_line_readonly(b->l, pl->line));
		}
		if (open_block >= 0)
			cairo_tag_end(cr, L->blocks[open_block].tag);
		if (in_table)
			cairo_tag_end(cr, "Table");
		footer(L, page + 1);
		cairo_show_page(cr);
	}
}

static void letter_free(struct letter *L)
{
	for (int i = 0; i < L->n; i++) {
		struct block *b = &L->blocks[i];
		if (b->l)
			g_object_unref(b->l);
		if (b->label)
			g_object_unref(b->label);
		for (int c = 0; c < b->n_cells; c++)
			g_object_unref(b->cells[c]);
	}
	buf_cleanup(&L->tmp);
}

int pdf_add_letter(struct pdf *p, const json_t *model, enum lang lang, const struct pdf_address *addr, int *first_page,
                   int *pages, struct err *e)
{
	json_t *letter = json_object_get(model, "letter");
	if (!json_is_object(letter))
		return err_set(e, ERR_INVALID, "letter", "the model has no letter");
	struct arena a;
	arena_init(&a, 0);
	struct letter L = {p, &a, lang, model, addr};
	buf_init(&L.tmp, 64 << 10);
	const char *title_key = str(letter, "title_key");
	L.title = title_key ? i18n_get(lang, title_key) : "";
	pthread_mutex_lock(&draw_mu);
	build_body(&L);
	paginate(&L);
	draw(&L);
	letter_free(&L);
	pthread_mutex_unlock(&draw_mu);
	arena_cleanup(&a);
	if (first_page)
		*first_page = p->pages + 1;
	if (pages)
		*pages = L.pages;
	p->pages += L.pages;
	p->lang = lang;
	p->has_lang = 1;
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS)
		return err_set(e, p->write_failed ? ERR_IO : ERR_INTERNAL, NULL, "pdf: %s",
		               cairo_status_to_string(cairo_status(p->cr)));
	return 0;
}

int pdf_letter(const json_t *model, enum lang lang, struct buf *out, int *pages, struct err *e)
{
	json_t *letter = json_object_get(model, "letter");
	const char *title_key = str(letter, "title_key");
	const char *created = str(letter, "created");
	struct pdf *p = pdf_new_buf(out, title_key ? i18n_get(lang, title_key) : "", created, e);
	if (p == NULL)
		return -1;
	int rc = pdf_add_letter(p, model, lang, NULL, NULL, pages, e);
	if (pdf_finish(p, rc == 0 ? e : NULL) != 0)
		rc = -1;
	return rc;
}
