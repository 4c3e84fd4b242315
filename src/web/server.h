/* server.h - the HTTP server: libmicrohttpd's event loops (a thread pool on
 * epoll) for the connections, and a pool of handler threads for the
 * requests, which may wait for a durable commit without holding up other
 * connections. */
#ifndef STIPEND_SERVER_H
#define STIPEND_SERVER_H

#include "web/http.h"

struct err;
struct server;

/* Start serving app on host:port with io_threads event loops and `workers`
 * handler threads. Returns NULL with e filled when the address cannot be
 * bound. */
struct server *server_start(struct app *app, const char *host, int port, int io_threads, int workers,
			    struct err *e);

/* Stop accepting, finish the requests under way, free. NULL is a no-op. */
void server_stop(struct server *s);

/* The most a request body may be, in bytes (the documentation upload's
 * is PORTAL_UPLOAD_MAX_BODY, handlers.h). */
#define SERVER_MAX_BODY (64 * 1024)

/* Documentation uploads whose bodies may be received at once, server-wide,
 * and the bytes one person may have in flight (announced by
 * Content-Length, or PORTAL_UPLOAD_MAX_BODY without one); past either an
 * upload is answered at once, 503 or 429 with Retry-After. */
#define SERVER_UPLOADS_MAX 8
#define SERVER_UPLOAD_QUOTA ((size_t)60 * 1024 * 1024)

#endif
