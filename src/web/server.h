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

/* The most a request body may be, in bytes. */
#define SERVER_MAX_BODY (64 * 1024)

#endif
