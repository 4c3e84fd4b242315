/* assets.c - static assets (Designsystemet's CSS and our own), compiled in,
 * and the health check. */
#include <string.h>

#include "core/embed.h"
#include "web/handlers.h"

void static_asset(struct req *r, struct resp *w)
{
	/* Only names under static/ that were compiled in: no file system. */
	const struct embed_file *f = embed_find(r->path + 1);
	if (f == NULL || strstr(r->path, "..") != NULL) {
		w->status = 404;
		buf_puts(&w->body, "not found\n");
		return;
	}
	size_t n = strlen(f->name);
	w->content_type = n > 4 && strcmp(f->name + n - 4, ".css") == 0 ? "text/css; charset=utf-8"
			  : n > 3 && strcmp(f->name + n - 3, ".js") == 0 ? "text/javascript; charset=utf-8"
			  : n > 4 && strcmp(f->name + n - 4, ".svg") == 0 ? "image/svg+xml"
									  : "application/octet-stream";
	w->cacheable = 1;
	buf_append(&w->body, f->data, f->len);
}

void health(struct req *r, struct resp *w)
{
	(void)r;
	buf_puts(&w->body, "ok\n");
}
