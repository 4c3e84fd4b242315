/* log.c - one-line log records on standard error, and pseudonyms that let a
 * log line name a person without revealing who. */
#include "core/log.h"

#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/date.h"

static enum log_level min_level = LOG_INFO;
static unsigned char pseudo_key[crypto_generichash_KEYBYTES];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_set;

void log_set_level(enum log_level level)
{
	min_level = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (level < min_level)
		return;
	char line[1024], ts[21];
	int n = snprintf(line, sizeof(line), "%s %s ", date_format_timestamp(date_now_unix(), ts),
			 names[level]);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per record keeps lines whole across threads. */
	fprintf(stderr, "%s\n", line);
}

static void random_key(void)
{
	if (!key_set)
		randombytes_buf(pseudo_key, sizeof(pseudo_key));
}

void log_set_pseudonym_key(const unsigned char *key, size_t len)
{
	crypto_generichash(pseudo_key, sizeof(pseudo_key), key, len, NULL, 0);
	key_set = 1;
}

void log_pseudonym(const char *id, char out[16])
{
	unsigned char h[16];
	pthread_once(&key_once, random_key);
	crypto_generichash(h, sizeof(h), (const unsigned char *)id, strlen(id), pseudo_key,
			   sizeof(pseudo_key));
	out[0] = 'p';
	out[1] = ':';
	sodium_bin2hex(out + 2, 14, h, 6);
}

const char *log_errno(int errnum, char *buf, size_t len)
{
	/* With _GNU_SOURCE strerror_r may return a static string instead. */
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	const char *s = strerror_r(errnum, buf, len);
	return s;
#else
	if (strerror_r(errnum, buf, len) != 0)
		snprintf(buf, len, "error %d", errnum);
	return buf;
#endif
}
