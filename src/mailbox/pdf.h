/* pdf.h - letters as PDF: the letter a person downloads from the mailbox
 * and the paper copy a print house sends, drawn with cairo and pango.
 *
 * A letter is drawn from the model that also drives its page
 * (mbox_letter_model(): "letter", "recipient", "request", "case",
 * "decision"), so that the page, the download and the paper copy say the
 * same. Each letter is A4 with the agency's letterhead (the agency, the unit
 * that sent it, the agency's postal address), the recipient's address where
 * a window envelope shows it, the date and the case number, the title, and
 * the body as the page gives it: a decision's outcome, each award with its
 * amount as money in the language, the rules' explanations with their
 * paragraphs, a case worker's justification, the appeal text and the
 * signature; a request for documentation's text and deadline. Every page
 * says "Side 1 av 2" / "Page 1 of 2": a letter is laid out whole before its
 * first page is drawn, so it knows its page count. Text is DejaVu Sans
 * (fonts-dejavu-core), with æ, ø and å and small font subsets.
 *
 * A document holds one letter (the download) or many (a print batch), each
 * starting on a new page and numbered on its own. Nothing here reads the
 * clock or the database: the output is a function of the models, the
 * language and the creation time given. Thread-safe: drawing is serialised
 * on one shared font map, which lives until the process ends. */
#ifndef STIPEND_PDF_H
#define STIPEND_PDF_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "core/i18n.h"

struct buf;
struct err;
struct pdf;

/* At most this many lines in an address. */
#define PDF_ADDRESS_MAX 6

/* An address to print in the window instead of the model's recipient (a
 * paper copy to a forwarding address): lines[0..n-1], the first the name. */
struct pdf_address {
	const char *lines[PDF_ADDRESS_MAX];
	int n;
};

/* Start a document written into out (bounded: a document larger than out's
 * maximum fails at pdf_finish) or to f (left open). title and creator go
 * into the PDF's metadata; created ("2025-09-01T12:00:00Z", may be NULL) is
 * its creation date, so that the same input gives the same bytes. Returns
 * NULL with e filled when cairo cannot start one. */
struct pdf *pdf_new_buf(struct buf *out, const char *title, const char *created, struct err *e);
struct pdf *pdf_new_file(FILE *f, const char *title, const char *created, struct err *e);

/* Add one letter, from its model, on new pages, in lang. addr (may be NULL)
 * replaces the model's recipient in the window. *first_page (may be NULL)
 * receives the letter's first page in the document (1-based), *pages (may
 * be NULL) its page count. Returns 0, or -1 with e filled (ERR_INVALID when
 * the model has no "letter"). */
int pdf_add_letter(struct pdf *p, const json_t *model, enum lang lang, const struct pdf_address *addr, int *first_page,
                   int *pages, struct err *e);

/* Pages in the document so far. */
int pdf_page_count(const struct pdf *p);

/* Finish the document, flushing what is left to its output, and free p.
 * Returns 0, or -1 with e filled (ERR_IO when writing failed or the buffer
 * was too small). pdf_finish(NULL, e) returns 0. */
int pdf_finish(struct pdf *p, struct err *e);

/* One letter as a whole PDF document in out (bounded as above), titled
 * with the letter's title in lang and dated with its creation.
 * *pages (may be NULL) receives its page count. Returns 0 or -1 with e. */
int pdf_letter(const json_t *model, enum lang lang, struct buf *out, int *pages, struct err *e);

#endif
