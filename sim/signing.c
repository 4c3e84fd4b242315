/* signing.c - the test signing service with its own test CA; see signing.h.
 *
 * The CA is an EC P-256 key with a self-signed certificate, read from files
 * or made at start (and then written, so that stipend can be pointed at it
 * with --signing-ca). A second, unknown CA is made at start for the fault
 * "ca". A signer's certificate is issued for each signature, valid from an
 * hour ago for two years ("expired": from two years ago to yesterday), with
 * the person's identity number as the subject's serialNumber. The
 * signature is CMS_sign() detached and binary over the PDF's bytes, so the
 * SHA-256 digest covers exactly what stipend stored.
 *
 * Orders live in a ring of SIGNING_KEEP under one mutex; an order's PDF is
 * freed with it. The service logs no identity number. */
#include "sim/signing.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/nin.h"
#include "sim/synth.h"

#define REF_MAX 64
#define URL_MAX 900

struct order {
	char ref[REF_MAX + 1];
	char signer[12];
	char return_url[URL_MAX + 1];
	unsigned char *pdf;
	size_t pdf_len;
	unsigned char *sig; /* DER, once signed */
	size_t sig_len;
	int cancelled;
};

static struct {
	pthread_mutex_t mu;
	EVP_PKEY *ca_key, *rogue_key;
	X509 *ca, *rogue;
	uint64_t seed;
	int64_t persons;
	struct order orders[SIGNING_KEEP];
	int next;
	int ready;
} svc = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* ---- certificates ---- */

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	int rc = X509_add_ext(cert, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rc;
}

/* A certificate for key named cn (and serialNumber nin when not NULL),
 * valid from `from` to `to` seconds from now, signed by issuer (NULL:
 * self-signed with key). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *nin, X509 *issuer, EVP_PKEY *issuer_key, long from,
		       long to, int ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	if (x == NULL || name == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f; /* positive */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto fail;
	if (X509_set_version(x, 2) != 1 || X509_gmtime_adj(X509_getm_notBefore(x), from) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), to) == NULL || X509_set_pubkey(x, key) != 1)
		goto fail;
	if (X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"NO", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
				       (const unsigned char *)(ca ? "Stipend simulator" : "BankID (test)"), -1, -1,
				       0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    (nin != NULL &&
	     X509_NAME_add_entry_by_txt(name, "serialNumber", MBSTRING_UTF8, (const unsigned char *)nin, -1, -1, 0) != 1))
		goto fail;
	if (X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) != 1)
		goto fail;
	if (add_ext(x, issuer ? issuer : x, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
	    add_ext(x, issuer ? issuer : x, NID_key_usage,
		    ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation") ||
	    add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash"))
		goto fail;
	if (issuer && add_ext(x, issuer, NID_authority_key_identifier, "keyid:always"))
		goto fail;
	if (X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) == 0)
		goto fail;
	BN_free(bn);
	X509_NAME_free(name);
	return x;
fail:
	BN_free(bn);
	X509_NAME_free(name);
	X509_free(x);
	return NULL;
}

static int make_ca(const char *cn, EVP_PKEY **key, X509 **cert)
{
	*key = EVP_EC_gen("P-256");
	*cert = *key ? make_cert(*key, cn, NULL, NULL, NULL, -3600, 10L * 365 * 86400, 1) : NULL;
	return *cert ? 0 : -1;
}

static int load_ca(const char *ca_file, const char *key_file)
{
	FILE *f = fopen(ca_file, "r"), *g = fopen(key_file, "r");
	if (f)
		svc.ca = PEM_read_X509(f, NULL, NULL, NULL);
	if (g)
		svc.ca_key = PEM_read_PrivateKey(g, NULL, NULL, NULL);
	if (f)
		fclose(f);
	if (g)
		fclose(g);
	return svc.ca && svc.ca_key && X509_check_private_key(svc.ca, svc.ca_key) == 1 ? 0 : -1;
}

static int save_ca(const char *ca_file, const char *key_file)
{
	int fd = open(key_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *g = fd >= 0 ? fdopen(fd, "w") : NULL;
	FILE *f = fopen(ca_file, "w");
	int ok = f && g && PEM_write_X509(f, svc.ca) == 1 &&
		 PEM_write_PrivateKey(g, svc.ca_key, NULL, NULL, 0, NULL, NULL) == 1;
	if (f && fclose(f) != 0)
		ok = 0;
	if (g && fclose(g) != 0)
		ok = 0;
	else if (g == NULL && fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

int signing_service_init(const char *ca_file, const char *key_file, uint64_t seed, int64_t persons, struct err *e)
{
	svc.seed = seed;
	svc.persons = persons;
	if (ca_file && key_file && access(ca_file, R_OK) == 0 && access(key_file, R_OK) == 0) {
		if (load_ca(ca_file, key_file) != 0)
			return err_set(e, ERR_INVALID, "signing-ca", "%s and %s are not a certificate and its key", ca_file,
				       key_file);
	} else {
		if (make_ca("Stipend test BankID CA", &svc.ca_key, &svc.ca) != 0)
			return err_set(e, ERR_INTERNAL, NULL, "cannot make the test CA");
		if (ca_file && key_file && save_ca(ca_file, key_file) != 0)
			return err_set(e, ERR_IO, "signing-ca", "cannot write the test CA to %s and %s", ca_file,
				       key_file);
	}
	if (make_ca("Stipend test BankID CA", &svc.rogue_key, &svc.rogue) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "cannot make the unknown CA");
	svc.ready = 1;
	return 0;
}

int signing_service_ready(void)
{
	return svc.ready;
}

void signing_service_free(void)
{
	pthread_mutex_lock(&svc.mu);
	for (int i = 0; i < SIGNING_KEEP; i++) {
		free(svc.orders[i].pdf);
		free(svc.orders[i].sig);
		memset(&svc.orders[i], 0, sizeof(svc.orders[i]));
	}
	X509_free(svc.ca);
	X509_free(svc.rogue);
	EVP_PKEY_free(svc.ca_key);
	EVP_PKEY_free(svc.rogue_key);
	svc.ca = svc.rogue = NULL;
	svc.ca_key = svc.rogue_key = NULL;
	svc.ready = 0;
	pthread_mutex_unlock(&svc.mu);
}

/* Sign content as the person nin with a certificate the fault asks for. */
static int sign_as(const char *nin, const char *cn, const char *fault, const unsigned char *content, size_t len,
		   unsigned char **sig, size_t *sig_len)
{
	int expired = fault && strcmp(fault, "expired") == 0, rogue = fault && strcmp(fault, "ca") == 0;
	int bytes = fault && strcmp(fault, "bytes") == 0;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = key ? make_cert(key, cn, nin, rogue ? svc.rogue : svc.ca, rogue ? svc.rogue_key : svc.ca_key,
				     expired ? -2L * 365 * 86400 : -3600, expired ? -86400L : 2L * 365 * 86400, 0)
			 : NULL;
	unsigned char *copy = NULL;
	BIO *in = NULL, *out = BIO_new(BIO_s_mem());
	CMS_ContentInfo *cms = NULL;
	int rc = -1;
	if (cert == NULL || out == NULL)
		goto done;
	if (bytes) {
		/* Other bytes than the document's: one byte changed. */
		copy = malloc(len ? len : 1);
		if (copy == NULL)
			goto done;
		memcpy(copy, content, len);
		if (len)
			copy[len / 2] ^= 0x01;
	}
	in = BIO_new_mem_buf(bytes ? copy : content, (int)len);
	cms = in ? CMS_sign(cert, key, NULL, in, CMS_DETACHED | CMS_BINARY) : NULL;
	if (cms == NULL || i2d_CMS_bio(out, cms) != 1)
		goto done;
	char *p;
	long n = BIO_get_mem_data(out, &p);
	*sig = malloc((size_t)n);
	if (*sig == NULL)
		goto done;
	memcpy(*sig, p, (size_t)n);
	*sig_len = (size_t)n;
	rc = 0;
done:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	free(copy);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* ---- orders ---- */

static struct order *find(const char *ref)
{
	for (int i = 0; i < SIGNING_KEEP; i++)
		if (svc.orders[i].ref[0] && strcmp(svc.orders[i].ref, ref) == 0)
			return &svc.orders[i];
	return NULL;
}

int signing_service_handles(const char *url)
{
	return strncmp(url, SIGNING_PREFIX, strlen(SIGNING_PREFIX)) == 0;
}

static void json_error(struct signing_answer *w, int status, const char *code, const char *message)
{
	w->status = status;
	w->content_type = "application/json";
	buf_reset(&w->body);
	buf_printf(&w->body, "{\"error\":{\"code\":\"%s\",\"message\":", code);
	buf_put_json_string(&w->body, message);
	buf_puts(&w->body, "}}\n");
}

static int ref_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 8 || n > REF_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static int url_ok(const char *s)
{
	return s && strlen(s) <= URL_MAX && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) &&
	       strpbrk(s, "\r\n\"<> ") == NULL;
}

static void create_order(struct signing_answer *w, const char *ref, const char *signer, const char *ret,
			 const char *body, size_t len)
{
	if (!ref_ok(ref))
		return json_error(w, 422, "invalid", "reference must be 8-64 letters, digits, - or _");
	if (signer == NULL || nin_parse(signer, NULL, NULL) != 0)
		return json_error(w, 422, "invalid", "signer must be a valid identity number");
	if (!url_ok(ret))
		return json_error(w, 422, "invalid", "return must be an http(s) URL");
	if (len < 5 || memcmp(body, "%PDF-", 5) != 0)
		return json_error(w, 422, "invalid", "the body must be the PDF to sign");
	unsigned char *pdf = malloc(len);
	if (pdf == NULL)
		return json_error(w, 500, "internal", "out of memory");
	memcpy(pdf, body, len);
	pthread_mutex_lock(&svc.mu);
	if (find(ref) != NULL) {
		pthread_mutex_unlock(&svc.mu);
		free(pdf);
		return json_error(w, 409, "conflict", "an order with this reference exists");
	}
	struct order *o = &svc.orders[svc.next];
	svc.next = (svc.next + 1) % SIGNING_KEEP;
	free(o->pdf);
	free(o->sig);
	memset(o, 0, sizeof(*o));
	snprintf(o->ref, sizeof(o->ref), "%s", ref);
	snprintf(o->signer, sizeof(o->signer), "%s", signer);
	snprintf(o->return_url, sizeof(o->return_url), "%s", ret);
	o->pdf = pdf;
	o->pdf_len = len;
	pthread_mutex_unlock(&svc.mu);
	w->status = 201;
	w->content_type = "application/json";
	buf_printf(&w->body, "{\"reference\":\"%s\",\"url\":\"%sorders/%s\"}\n", ref, SIGNING_PREFIX, ref);
}

/* The return URL with ref and status added. */
static void redirect_back(struct signing_answer *w, const struct order *o, const char *status)
{
	w->status = 303;
	w->content_type = "text/plain";
	snprintf(w->location, sizeof(w->location), "%s%sref=%s&status=%s", o->return_url,
		 strchr(o->return_url, '?') ? "&" : "?", o->ref, status);
	buf_puts(&w->body, "See Other\n");
}

static void page_head(struct buf *b, const char *title)
{
	buf_puts(b, "<!doctype html><html lang=\"nb\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	buf_put_html(b, title, strlen(title));
	buf_puts(b, "</title><style>body{font-family:sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}"
		    "label{display:block;margin-top:1rem}input,select,button{font-size:1rem;padding:.4rem;max-width:100%}"
		    "button{margin-top:1rem}.test{background:#fff3cd;padding:.5rem}</style></head><body>");
}

static void show_order(struct signing_answer *w, const struct order *o)
{
	struct buf *b = &w->body;
	struct synth_person p;
	int known = synth_find(svc.seed, svc.persons, o->signer, &p) == 0;
	page_head(b, "BankID (test) - signer dokument");
	buf_puts(b, "<main><p class=\"test\">Testmiljø: BankID (test) fra simulatoren. Ingen ekte signatur.</p>"
		    "<h1>Signer dokument</h1>");
	buf_printf(b, "<p>Dokument: <a href=\"%sorders/%s/document\">avtale.pdf</a> (%zu byte)</p>", SIGNING_PREFIX,
		   o->ref, o->pdf_len);
	if (o->sig) {
		buf_puts(b, "<p>Dokumentet er signert.</p></main></body></html>");
		w->status = 200;
		w->content_type = "text/html; charset=utf-8";
		return;
	}
	buf_printf(b, "<form method=\"post\" action=\"%sorders/%s/sign\">", SIGNING_PREFIX, o->ref);
	buf_puts(b, "<p>Innlogget testidentitet: ");
	if (known) {
		char name[128];
		snprintf(name, sizeof(name), "%s %s", p.given_name, p.family_name);
		buf_put_html(b, name, strlen(name));
	}
	buf_puts(b, "</p><label for=\"nin\">Fødselsnummer (testidentitet)</label>"
		    "<input id=\"nin\" name=\"nin\" inputmode=\"numeric\" autocomplete=\"off\" value=\"");
	buf_puts(b, o->signer);
	buf_puts(b, "\"><label for=\"fault\">Testfeil (for testene)</label><select id=\"fault\" name=\"fault\">"
		    "<option value=\"\">Ingen</option><option value=\"bytes\">Signer andre bytes</option>"
		    "<option value=\"ca\">Ukjent CA</option><option value=\"expired\">Utløpt sertifikat</option>"
		    "</select><br><button type=\"submit\">Signer med BankID (test)</button></form>");
	buf_printf(b, "<form method=\"post\" action=\"%sorders/%s/cancel\"><button type=\"submit\">Avbryt</button>"
		      "</form></main></body></html>",
		   SIGNING_PREFIX, o->ref);
	w->status = 200;
	w->content_type = "text/html; charset=utf-8";
}

/* The value of name in an application/x-www-form-urlencoded body, decoded
 * into out. Returns 1 found, 0 not. */
static int form_value(const char *body, size_t len, const char *name, char *out, size_t max)
{
	size_t n = strlen(name), i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end - i > n && strncmp(body + i, name, n) == 0 && body[i + n] == '=') {
			size_t o = 0;
			for (size_t k = i + n + 1; k < end && o + 1 < max; k++) {
				char c = body[k];
				if (c == '+')
					c = ' ';
				else if (c == '%' && k + 2 < end) {
					char hex[3] = {body[k + 1], body[k + 2], 0};
					c = (char)strtol(hex, NULL, 16);
					k += 2;
				}
				out[o++] = c;
			}
			out[o] = '\0';
			return 1;
		}
		i = end + 1;
	}
	out[0] = '\0';
	return 0;
}

static void sign_order(struct signing_answer *w, struct order *o, const char *body, size_t len)
{
	char nin[32], fault[16];
	form_value(body, len, "nin", nin, sizeof(nin));
	form_value(body, len, "fault", fault, sizeof(fault));
	struct synth_person p;
	if (nin_parse(nin, NULL, NULL) != 0 || synth_find(svc.seed, svc.persons, nin, &p) != 0) {
		page_head(&w->body, "BankID (test)");
		buf_puts(&w->body, "<main><h1>Ukjent testidentitet</h1><p>Fødselsnummeret finnes ikke i "
				   "testpopulasjonen.</p></main></body></html>");
		w->status = 422;
		w->content_type = "text/html; charset=utf-8";
		return;
	}
	if (o->sig) {
		redirect_back(w, o, "signed");
		return;
	}
	char cn[128];
	snprintf(cn, sizeof(cn), "%s %s", p.given_name, p.family_name);
	if (sign_as(nin, cn, fault[0] ? fault : NULL, o->pdf, o->pdf_len, &o->sig, &o->sig_len) != 0)
		return json_error(w, 500, "internal", "signing failed");
	log_info("signing: an order signed%s%s", fault[0] ? " with the test fault " : "", fault[0] ? fault : "");
	redirect_back(w, o, "signed");
}

void signing_service_answer(const char *method, const char *url, const char *(*arg)(void *ctx, const char *name),
			    void *ctx, const char *body, size_t len, struct signing_answer *w)
{
	const char *rest = url + strlen(SIGNING_PREFIX);
	int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	w->location[0] = '\0';
	if (!svc.ready)
		return json_error(w, 503, "unavailable", "the signing service is not started");
	if (strcmp(rest, "ca.pem") == 0 && get) {
		BIO *m = BIO_new(BIO_s_mem());
		char *p;
		if (m == NULL || PEM_write_bio_X509(m, svc.ca) != 1) {
			BIO_free(m);
			return json_error(w, 500, "internal", "cannot write the CA");
		}
		long n = BIO_get_mem_data(m, &p);
		buf_append(&w->body, p, (size_t)n);
		BIO_free(m);
		w->status = 200;
		w->content_type = "application/x-pem-file";
		return;
	}
	if (strcmp(rest, "orders") == 0) {
		if (!post)
			return json_error(w, 405, "method-not-allowed", "POST an order");
		return create_order(w, arg(ctx, "reference"), arg(ctx, "signer"), arg(ctx, "return"), body, len);
	}
	if (strncmp(rest, "orders/", 7) != 0)
		return json_error(w, 404, "not-found", "no such endpoint");
	char ref[REF_MAX + 1];
	const char *id = rest + 7, *slash = strchr(id, '/');
	size_t n = slash ? (size_t)(slash - id) : strlen(id);
	if (n > REF_MAX)
		return json_error(w, 404, "not-found", "no such order");
	memcpy(ref, id, n);
	ref[n] = '\0';
	const char *what = slash ? slash + 1 : "";
	pthread_mutex_lock(&svc.mu);
	struct order *o = find(ref);
	if (o == NULL) {
		json_error(w, 404, "not-found", "no such order");
	} else if (strcmp(what, "") == 0 && get) {
		show_order(w, o);
	} else if (strcmp(what, "document") == 0 && get) {
		buf_append(&w->body, o->pdf, o->pdf_len);
		w->status = 200;
		w->content_type = "application/pdf";
	} else if (strcmp(what, "sign") == 0 && post) {
		sign_order(w, o, body, len);
	} else if (strcmp(what, "cancel") == 0 && post) {
		o->cancelled = 1;
		redirect_back(w, o, "cancelled");
	} else if (strcmp(what, "signature") == 0 && get) {
		if (o->sig == NULL) {
			json_error(w, 409, o->cancelled ? "cancelled" : "unsigned",
				   o->cancelled ? "the signer cancelled" : "the order is not signed");
		} else {
			buf_append(&w->body, o->sig, o->sig_len);
			w->status = 200;
			w->content_type = "application/pkcs7-signature";
		}
	} else {
		json_error(w, 405, "method-not-allowed", "not on this order");
	}
	pthread_mutex_unlock(&svc.mu);
}
