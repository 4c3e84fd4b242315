/* fuzz_signature.c - libFuzzer target for the check of a signed support
 * agreement (signing_verify, src/signing/verify.c), which reads the CMS
 * SignedData a signing service returns: outside input. The input is the
 * signature (DER); the content is a fixed document and the trusted CA one
 * made at start that never signed anything. The check must never crash or
 * read outside its input, must always give a verdict with a code, and can
 * never find a signature valid: nobody holds the CA's key.
 *
 *   make build/fuzz/fuzz_signature
 *   build/fuzz/fuzz_signature build/fuzz/new tests/fuzz/corpus/signature
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "signing/signing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char ca_path[64];

/* A self-signed CA whose key is thrown away at once. */
static void make_ca(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"Fuzz CA", -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, key);
	X509_sign(x, key, EVP_sha256());
	snprintf(ca_path, sizeof(ca_path), "/tmp/stipend-fuzz-ca-XXXXXX");
	int fd = mkstemp(ca_path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || PEM_write_X509(f, x) != 1)
		abort();
	fclose(f);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void remove_ca(void)
{
	unlink(ca_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char content[] = "%PDF-1.5 hello world";
	if (ca_path[0] == '\0') {
		make_ca();
		atexit(remove_ca);
	}
	/* A copy of exactly the input, so that a read past it is caught. */
	unsigned char *sig = malloc(size ? size : 1);
	memcpy(sig, data, size);
	struct arena a;
	struct err e;
	struct signing_verdict v;
	arena_init(&a, 0);
	if (signing_verify(sig, size, (const unsigned char *)content, strlen(content), ca_path, "01010112345",
			   1767225600 /* 2026-01-01 */, &v, &a, &e) != 0)
		abort(); /* the CA file is there: the check must run */
	if (v.code == NULL || v.ok)
		abort();
	arena_cleanup(&a);
	free(sig);
	return 0;
}
