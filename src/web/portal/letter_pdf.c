/* letter_pdf.c - GET /innboks/:id/pdf: the person's own letter as a PDF to
 * download, drawn from the model its page shows (view_letter_page), in the
 * reader's language. Reading it opens the letter as reading its page does
 * (mbox_open: the first reading recorded, every reading audited); anyone
 * else meets the same 404 as a missing letter, and the refusal is audited. */
#include <stdlib.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "mailbox/mailbox.h"
#include "mailbox/pdf.h"
#include "web/handlers.h"
#include "web/portal/view.h"

void portal_letter_pdf(struct req *r, struct resp *w)
{
	struct letter l;
	struct err e;
	if (view_require_login(r, w))
		return;
	int64_t id = r->n_params > 0 ? strtoll(r->params[0], NULL, 10) : 0;
	if (mbox_open(r->app->store, &r->who, id, r->now, &l, r->a, &e) != 0) {
		resp_failure(w, r, &e, "letter pdf");
		return;
	}
	json_t *model = view_letter_page(r->app->store, r->lang, r->a, &l);
	buf_reset(&w->body);
	int rc = pdf_letter(model, r->lang, &w->body, NULL, &e);
	json_decref(model);
	if (rc != 0) {
		buf_reset(&w->body);
		log_error("letter pdf: letter %lld: %s", (long long)l.id, e.message);
		resp_error(w, r, 500, "error.internal");
		return;
	}
	w->status = 200;
	w->content_type = "application/pdf";
	resp_header(w, "Content-Disposition",
	            arena_printf(r->a, "attachment; filename=\"brev-%lld.pdf\"", (long long)l.id));
}
