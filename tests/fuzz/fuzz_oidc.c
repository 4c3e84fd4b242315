/* fuzz_oidc.c - libFuzzer target for the ID token's verification
 * (oidc_verify, src/access/oidc.c), which reads what a login provider's
 * token endpoint answers. The first byte chooses the mode: odd, the rest is
 * taken as a whole token (header, payload and signature as the fuzzer made
 * them; no signature can verify, so it must be refused or ask for the keys
 * again); even, the rest is a header and a payload JSON separated by a
 * newline, which the target signs with its own key, so that the claims'
 * parser and checks are reached too. A token that verifies must say
 * exactly what was expected: the issuer and nonce.
 *
 *   make build/fuzz/fuzz_oidc
 *   build/fuzz/fuzz_oidc build/fuzz/new tests/fuzz/corpus/oidc
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/oidc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ISS "https://fuzz.example/oidc"

static EVP_PKEY *key;
static json_t *jwks;

static void b64(struct buf *b, const unsigned char *p, size_t n)
{
	size_t size = sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = malloc(size);
	sodium_bin2base64(out, size, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	buf_puts(b, out);
	free(out);
}

static void init(void)
{
	if (sodium_init() < 0)
		abort();
	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
	EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
	unsigned char nb[512], eb[16];
	int nl = BN_bn2bin(n, nb), el = BN_bn2bin(e, eb);
	struct buf n64, e64;
	buf_init(&n64, 4096);
	buf_init(&e64, 64);
	b64(&n64, nb, (size_t)nl);
	b64(&e64, eb, (size_t)el);
	jwks = json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "keys", "kty", "RSA", "kid", "k", "n", buf_str(&n64), "e",
	                 buf_str(&e64));
	buf_cleanup(&n64);
	buf_cleanup(&e64);
	BN_free(n);
	BN_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (key == NULL)
		init();
	if (size < 1 || size > 8192)
		return 0;
	struct buf t;
	buf_init(&t, 1 << 16);
	if (data[0] & 1) {
		buf_append(&t, data + 1, size - 1);
	} else {
		const uint8_t *nl = memchr(data + 1, '\n', size - 1);
		if (nl == NULL) {
			buf_cleanup(&t);
			return 0;
		}
		b64(&t, data + 1, (size_t)(nl - data - 1));
		buf_putc(&t, '.');
		b64(&t, nl + 1, size - (size_t)(nl + 1 - data));
		unsigned char sig[512];
		size_t sl = sizeof(sig);
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
		    EVP_DigestSign(ctx, sig, &sl, (const unsigned char *)buf_str(&t), t.len) != 1)
			abort();
		EVP_MD_CTX_free(ctx);
		buf_putc(&t, '.');
		b64(&t, sig, sl);
	}
	struct arena a;
	struct oidc_claims c;
	struct err e;
	struct oidc_expect x = {ISS, "stipend", "nonce-1", 1800000000, OIDC_DEFAULT_SKEW};
	arena_init(&a, 0);
	/* A token with a NUL inside is cut there, as a C string is. */
	int rc = oidc_verify(buf_str(&t), jwks, &x, &c, &a, &e);
	if (rc == 0 && (c.iss == NULL || strcmp(c.iss, ISS) != 0 || c.nonce == NULL || strcmp(c.nonce, "nonce-1") != 0))
		abort();
	if (rc == 0 && (data[0] & 1))
		abort(); /* nobody but the key's holder signs */
	if (rc < 0 && e.code != ERR_INVALID)
		abort();
	arena_cleanup(&a);
	buf_cleanup(&t);
	return 0;
}
