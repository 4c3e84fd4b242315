/* verify.c - checking a detached CMS signature over an agreement's PDF.
 *
 * Three questions, asked apart so that a refusal says which failed:
 *
 *   1. the signature over the bytes: CMS_verify() with the stored PDF as
 *      the detached content and no certificate check (CMS_NO_SIGNER_CERT_
 *      VERIFY), with SHA-256 as the digest;
 *   2. the signer's certificate: a chain to the configured CA, at the
 *      request's moment (X509_V_FLAG_USE_CHECK_TIME), so that an expired
 *      certificate and one of an unknown CA are told apart by the verify
 *      error;
 *   3. the signer: the certificate's subject serialNumber is the identity
 *      number of the person who must sign (as BankID certificates carry
 *      it).
 *
 * Nothing here touches the store; the caller stores the verdict. */
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "signing/signing.h"

static const char *name_entry(X509_NAME *n, int nid, struct arena *a)
{
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	if (i < 0)
		return NULL;
	ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	unsigned char *utf8 = NULL;
	int len = ASN1_STRING_to_UTF8(&utf8, s);
	if (len < 0)
		return NULL;
	const char *out = arena_strndup(a, (const char *)utf8, (size_t)len);
	OPENSSL_free(utf8);
	return out;
}

static const char *time_text(const ASN1_TIME *t, struct arena *a)
{
	struct tm tm;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return NULL;
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int refuse(struct signing_verdict *v, const char *code, const char *message)
{
	v->ok = 0;
	v->code = code;
	v->message = message;
	return 0;
}

int signing_verify(const unsigned char *sig, size_t sig_len, const unsigned char *content, size_t content_len,
		   const char *cafile, const char *expected_nin, int64_t now, struct signing_verdict *v,
		   struct arena *a, struct err *e)
{
	memset(v, 0, sizeof(*v));
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *data = NULL, *mem = NULL;
	STACK_OF(X509) *signers = NULL;
	int rc = 0;

	store = X509_STORE_new();
	if (store == NULL || cafile == NULL || X509_STORE_load_file(store, cafile) != 1) {
		X509_STORE_free(store);
		ERR_clear_error();
		return err_set(e, ERR_IO, "signing-ca", "the signing CA file cannot be read");
	}
	in = BIO_new_mem_buf(sig, (int)sig_len);
	cms = in ? d2i_CMS_bio(in, NULL) : NULL;
	if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || !CMS_is_detached(cms)) {
		refuse(v, "malformed", "the signature is not a detached CMS SignedData");
		goto out;
	}
	STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
	if (infos == NULL || sk_CMS_SignerInfo_num(infos) != 1) {
		refuse(v, "malformed", "the signature must have exactly one signer");
		goto out;
	}
	X509_ALGOR *digest = NULL, *sigalg = NULL;
	CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(infos, 0), NULL, NULL, &digest, &sigalg);
	const ASN1_OBJECT *dobj = NULL;
	if (digest)
		X509_ALGOR_get0(&dobj, NULL, NULL, digest);
	if (dobj == NULL || OBJ_obj2nid(dobj) != NID_sha256) {
		refuse(v, "malformed", "the signature's digest is not SHA-256");
		goto out;
	}
	/* 1. The bytes. They are read through a buffer filter: given a bare
	 * memory BIO, OpenSSL 3.0's CMS_verify makes a copy of it that it
	 * never frees when the SignedData's content cannot be set up (found by
	 * fuzz_signature); given a filter it reads ours and copies nothing. */
	mem = BIO_new_mem_buf(content, (int)content_len);
	data = mem ? BIO_new(BIO_f_buffer()) : NULL;
	if (data != NULL)
		BIO_push(data, mem);
	else
		BIO_free(mem);
	if (data == NULL || CMS_verify(cms, NULL, NULL, data, NULL, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
		refuse(v, "bytes", "the signature does not cover this document's bytes");
		goto out;
	}
	signers = CMS_get0_signers(cms);
	X509 *cert = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
	if (cert == NULL) {
		refuse(v, "malformed", "the signature carries no signer certificate");
		goto out;
	}
	X509_NAME *subject = X509_get_subject_name(cert);
	v->subject_serial = name_entry(subject, NID_serialNumber, a);
	v->subject_name = name_entry(subject, NID_commonName, a);
	v->issuer = name_entry(X509_get_issuer_name(cert), NID_commonName, a);
	v->not_after = time_text(X509_get0_notAfter(cert), a);
	ASN1_INTEGER *serial = X509_get_serialNumber(cert);
	BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	v->serial = hex ? arena_strdup(a, hex) : NULL;
	OPENSSL_free(hex);
	BN_free(bn);
	/* 2. The chain, at the request's moment. */
	ctx = X509_STORE_CTX_new();
	if (ctx == NULL || X509_STORE_CTX_init(ctx, store, cert, CMS_get1_certs(cms)) != 1) {
		rc = err_set(e, ERR_INTERNAL, NULL, "cannot check a certificate");
		goto out;
	}
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, (time_t)now);
	X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);
	if (X509_verify_cert(ctx) != 1) {
		int err = X509_STORE_CTX_get_error(ctx);
		if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID)
			refuse(v, "expired", "the signer's certificate was not valid at the time of signing");
		else
			refuse(v, "ca", "the signer's certificate is not issued by a trusted CA");
		goto out;
	}
	/* 3. The signer. */
	if (v->subject_serial == NULL || expected_nin == NULL || strcmp(v->subject_serial, expected_nin) != 0) {
		refuse(v, "signer", "the certificate names another person than the one who must sign");
		goto out;
	}
	v->ok = 1;
	v->code = "signed";
	v->message = "verified";
out:
	if (ctx) {
		STACK_OF(X509) *untrusted = X509_STORE_CTX_get0_untrusted(ctx);
		X509_STORE_CTX_free(ctx);
		sk_X509_pop_free(untrusted, X509_free);
	}
	sk_X509_free(signers);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free_all(data); /* the filter and the memory under it */
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}
