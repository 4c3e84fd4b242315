/* log.h - one-line structured log records on standard error.
 *
 * Never pass a national identity number, an address or an income to a log
 * call: use log_pseudonym() to name a person in a log line. Thread-safe. */
#ifndef STIPEND_LOG_H
#define STIPEND_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Records below level are dropped. Default LOG_INFO. */
void log_set_level(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* A stable, non-reversible pseudonym for a personal identifier: "p:" and 12
 * hex digits of a keyed hash (key set once by log_set_pseudonym_key, random
 * per process by default). out must hold 16 bytes. */
void log_pseudonym(const char *id, char out[16]);
void log_set_pseudonym_key(const unsigned char *key, size_t len);

/* Thread-safe description of an errno value (strerror is banned). */
const char *log_errno(int errnum, char *buf, size_t len);

#endif
