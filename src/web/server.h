/* server.h - the HTTP server: libmicrohttpd with a thread pool on epoll. */
#ifndef STIPEND_SERVER_H
#define STIPEND_SERVER_H

#include "web/http.h"

struct err;
struct server;

/* Start serving app on host:port with `threads` worker threads. Returns
 * NULL with e filled when the address cannot be bound. */
struct server *server_start(struct app *app, const char *host, int port, int threads, struct err *e);

/* Stop accepting, finish the requests under way, free. NULL is a no-op. */
void server_stop(struct server *s);

/* The most a request body may be, in bytes. */
#define SERVER_MAX_BODY (64 * 1024)

#endif
