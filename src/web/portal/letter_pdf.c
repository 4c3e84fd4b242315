/* letter_pdf.c - GET /innboks/:id/pdf: the person's own letter as a PDF to
 * download, drawn from the model its page shows (mbox_letter_model), in the
 * reader's language, by mbox_letter_pdf. Reading it opens the letter as
 * reading its page does (the first reading recorded, every reading
 * audited); anyone else meets the same 404 as a missing letter, and the
 * refusal is audited. */
#include <stdlib.h>

#include "core/arena.h"
#include "core/err.h"
#include "mailbox/inbox.h"
#include "web/handlers.h"

void portal_letter_pdf(struct req *r, struct resp *w)
{
	struct err e;
	int64_t id = r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
	buf_reset(&w->body);
	if (mbox_letter_pdf(r->app->store, &r->who, r->lang, id, r->now, &w->body, r->a, &e) != 0) {
		buf_reset(&w->body);
		resp_failure(w, r, &e, "letter pdf");
		return;
	}
	w->status = 200;
	w->content_type = "application/pdf";
	resp_header(w, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"brev-%lld.pdf\"", (long long)id));
}
