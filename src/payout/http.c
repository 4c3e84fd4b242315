/* http.c - the payout room's HTTP exchanges with the bank and the tax
 * authority's account register (libcurl): one request, one answer, bounded
 * in size and time. The register's bulk lookups go through the registers'
 * own client (registers/registers.h); these are the calls it has not. */
#include <curl/curl.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "payout/internal.h"

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	return buf_append(ctx, p, size * n) == 0 ? size * n : 0;
}

int payout_http(const char *method, const char *url, const char *ctype, const void *body, size_t len,
		struct buf *out, long *status, struct err *e)
{
	CURL *k = curl_easy_init();
	if (k == NULL)
		return err_set(e, ERR_IO, NULL, "cannot start an HTTP request");
	struct curl_slist *h = NULL;
	char header[128];
	if (ctype) {
		snprintf(header, sizeof(header), "Content-Type: %s", ctype);
		h = curl_slist_append(h, header);
	}
	curl_easy_setopt(k, CURLOPT_URL, url);
	curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, 300000L);
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(k, CURLOPT_WRITEDATA, out);
	if (h)
		curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(k, CURLOPT_POST, 1L);
		curl_easy_setopt(k, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	CURLcode rc = curl_easy_perform(k);
	if (rc == CURLE_OK)
		curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(k);
	if (rc != CURLE_OK)
		return err_set(e, ERR_IO, NULL, "%s %s: %s", method, url, curl_easy_strerror(rc));
	return 0;
}
