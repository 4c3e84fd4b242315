/* signing.h - the test signing service the simulator serves beside the
 * registers: BankID signing as a signing service offers it to an agency,
 * with the simulator's own test CA (OpenSSL).
 *
 * The flow, as a real signing service's:
 *
 *   POST /signing/v1/orders?reference=R&signer=NIN&return=URL  body: the PDF
 *        (application/pdf) -> 201 {"reference", "url"}: an order to sign
 *        exactly these bytes; the agency sends the browser to url
 *   GET  /signing/v1/orders/R          the page: the document, the test
 *        identity ("logged in" as the signer the order names), and "Signer
 *        med BankID (test)"
 *   GET  /signing/v1/orders/R/document the PDF as ordered
 *   POST /signing/v1/orders/R/sign     (form: nin, fault) sign, and 303 to
 *        the return URL with ?ref=R&status=signed; POST .../cancel: 303
 *        with status=cancelled
 *   GET  /signing/v1/orders/R/signature the detached CMS SignedData (DER,
 *        SHA-256) over the PDF bytes, with the signer's certificate;
 *        409 while unsigned
 *   GET  /signing/v1/ca.pem            the test CA's certificate
 *
 * Each signature is made with a per-person certificate the test CA issues
 * on the spot: subject serialNumber the person's identity number (as
 * BankID certificates carry it), commonName their name. For the tests, the
 * form's fault makes a bad one on request: "bytes" (signs other bytes),
 * "ca" (a certificate of an unknown CA), "expired" (a certificate that
 * expired yesterday); a wrong signer is a different nin. Orders are kept in
 * memory, the newest SIGNING_KEEP. Thread-safe after signing_service_init(). */
#ifndef STIPEND_SIM_SIGNING_H
#define STIPEND_SIM_SIGNING_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct err;

#define SIGNING_KEEP 1000
#define SIGNING_PREFIX "/signing/v1/"
#define SIGNING_MAX_BODY (4 << 20) /* an agreement's PDF */

/* Start the service: the test CA from ca_file and key_file when both exist,
 * else a new one written there (the key mode 0600); both NULL: a new one in
 * memory. seed and persons name the population whose names certificates
 * carry. Returns 0, or -1 with e filled. */
int signing_service_init(const char *ca_file, const char *key_file, uint64_t seed, int64_t persons, struct err *e);

/* 1 once signing_service_init() has succeeded. */
int signing_service_ready(void);

/* Free the CA and the orders. */
void signing_service_free(void);

/* 1 when url is the service's. */
int signing_service_handles(const char *url);

/* An answer: status, its type, a Location for a redirect, the body. */
struct signing_answer {
	int status;
	const char *content_type;
	char location[1024];
	struct buf body; /* initialised by the caller */
};

/* Answer method on url with the query string's arguments given by
 * arg(name) (NULL when absent) and the request body. */
void signing_service_answer(const char *method, const char *url, const char *(*arg)(void *ctx, const char *name),
			    void *ctx, const char *body, size_t len, struct signing_answer *out);

#endif
