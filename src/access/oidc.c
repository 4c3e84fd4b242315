/* oidc.c - real login: the OpenID Connect client; see oidc.h.
 *
 * A provider holds its configuration and, under a mutex, what it learned
 * from the provider: the discovery document's endpoints (fetched once) and
 * the JWKS (fetched on first use and again when a token names a key id it
 * does not hold, at most JWKS_REFETCH_MAX times a minute, so that tokens
 * naming made-up keys cannot make us hammer the provider). The back
 * channel is libcurl, with a time limit and without following redirects;
 * the signature is OpenSSL's RS256 (PKCS #1 v1.5 with SHA-256).
 *
 * A login under way lives in the store (oidc_logins) from its begin to its
 * callback, at most LOGIN_TTL seconds, and is taken once: a replayed
 * callback finds no state. */
#include "access/oidc.h"

#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "store/oidc.h"
#include "store/store.h"

#define LOGIN_TTL 600       /* seconds from begin to callback */
#define JWKS_REFETCH_MAX 10 /* fetches of the JWKS for unknown keys a minute */
#define BODY_MAX (256 * 1024)

struct oidc_provider {
	char *kind, *issuer, *client_id, *client_secret, *redirect_uri, *post_logout;
	long timeout_ms;
	pthread_mutex_t mu;
	/* From the discovery document; NULL until fetched. */
	char *authorization_endpoint, *token_endpoint, *jwks_uri, *end_session_endpoint;
	json_t *jwks;
	int64_t refetch_minute;
	int refetches;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct oidc_provider *oidc_provider_new(const struct oidc_config *c, struct err *e)
{
	const char *missing = c->issuer == NULL          ? "issuer"
	                      : c->client_id == NULL     ? "client-id"
	                      : c->client_secret == NULL ? "client-secret"
	                      : c->redirect_uri == NULL  ? "redirect-uri"
	                                                 : NULL;
	if (missing != NULL) {
		err_set(e, ERR_INVALID, missing, "the %s login needs --%s", c->kind, missing);
		return NULL;
	}
	if (strncmp(c->issuer, "http://", 7) != 0 && strncmp(c->issuer, "https://", 8) != 0) {
		err_set(e, ERR_INVALID, "issuer", "the issuer must be an http(s) URL");
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0) {
		err_set(e, ERR_INTERNAL, NULL, "libcurl or libsodium cannot start");
		return NULL;
	}
	struct oidc_provider *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	p->kind = strdup(c->kind);
	p->issuer = strdup(c->issuer);
	/* An issuer is compared exactly; a trailing slash in the option is
	 * the usual slip, not a different issuer. */
	size_t n = strlen(p->issuer);
	if (n > 8 && p->issuer[n - 1] == '/')
		p->issuer[n - 1] = '\0';
	p->client_id = strdup(c->client_id);
	p->client_secret = strdup(c->client_secret);
	p->redirect_uri = strdup(c->redirect_uri);
	p->post_logout = dup_or_null(c->post_logout_redirect_uri);
	p->timeout_ms = 5000;
	pthread_mutex_init(&p->mu, NULL);
	return p;
}

void oidc_provider_free(struct oidc_provider *p)
{
	if (p == NULL)
		return;
	free(p->kind);
	free(p->issuer);
	free(p->client_id);
	free(p->client_secret);
	free(p->redirect_uri);
	free(p->post_logout);
	free(p->authorization_endpoint);
	free(p->token_endpoint);
	free(p->jwks_uri);
	free(p->end_session_endpoint);
	json_decref(p->jwks);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

void oidc_provider_timeout(struct oidc_provider *p, long ms)
{
	p->timeout_ms = ms;
}

/* ---- encodings ---- */

static void b64url_encode(const unsigned char *raw, size_t n, char *out, size_t size)
{
	sodium_bin2base64(out, size, raw, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Decode base64url (no padding) of n characters into the arena. Returns
 * the bytes (NUL-terminated for text) and their count, or NULL. */
static unsigned char *b64url_decode(const char *s, size_t n, size_t *len, struct arena *a)
{
	unsigned char *out = arena_alloc(a, n * 3 / 4 + 2);
	if (sodium_base642bin(out, n * 3 / 4 + 1, s, n, NULL, len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return NULL;
	out[*len] = '\0';
	return out;
}

static void random_text(char *out, size_t size)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	b64url_encode(raw, sizeof(raw), out, size);
}

void oidc_pkce_challenge(const char *verifier, char out[44])
{
	unsigned char h[32];
	crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
	b64url_encode(h, sizeof(h), out, 44);
}

static void url_encode(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-._~", ch))
			buf_putc(b, (char)ch);
		else
			buf_printf(b, "%%%02X", ch);
	}
}

static void param(struct buf *b, const char *key, const char *value)
{
	if (b->len > 0 && b->p[b->len - 1] != '?' && b->p[b->len - 1] != '&')
		buf_putc(b, '&');
	buf_puts(b, key);
	buf_putc(b, '=');
	url_encode(b, value);
}

/* ---- the ID token ---- */

static EVP_PKEY *rsa_key(const json_t *jwk, struct arena *a)
{
	const char *n64 = json_string_value(json_object_get(jwk, "n"));
	const char *e64 = json_string_value(json_object_get(jwk, "e"));
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	size_t nl = 0, el = 0;
	if (n64 == NULL || e64 == NULL || kty == NULL || strcmp(kty, "RSA") != 0)
		return NULL;
	unsigned char *n = b64url_decode(n64, strlen(n64), &nl, a), *ex = b64url_decode(e64, strlen(e64), &el, a);
	if (n == NULL || ex == NULL || nl < 256 || nl > 1024 || el == 0 || el > 8)
		return NULL; /* fewer than 2048 bits is refused */
	EVP_PKEY *key = NULL;
	BIGNUM *bn = BN_bin2bn(n, (int)nl, NULL), *be = BN_bin2bn(ex, (int)el, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (bn && be && bld && ctx && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1 && (params = OSSL_PARAM_BLD_to_param(bld)) &&
	    EVP_PKEY_fromdata_init(ctx) == 1)
		if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
			key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return key;
}

static int bad(struct err *e, const char *why)
{
	return err_set(e, ERR_INVALID, "id_token", "%s", why);
}

static const char *claim_str(json_t *j, const char *key, struct arena *a)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? arena_strdup(a, s) : NULL;
}

int oidc_verify(const char *jwt, const json_t *jwks, const struct oidc_expect *x, struct oidc_claims *out,
                struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (jwt == NULL)
		return bad(e, "no ID token");
	const char *dot1 = strchr(jwt, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (dot1 == NULL || dot2 == NULL || strchr(dot2 + 1, '.') != NULL || strlen(jwt) > 16384)
		return bad(e, "not a compact JWS");
	size_t hl = 0, pl = 0, sl = 0;
	unsigned char *hdr = b64url_decode(jwt, (size_t)(dot1 - jwt), &hl, a);
	unsigned char *pay = b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &pl, a);
	unsigned char *sig = b64url_decode(dot2 + 1, strlen(dot2 + 1), &sl, a);
	if (hdr == NULL || pay == NULL || sig == NULL)
		return bad(e, "not base64url");
	json_error_t je;
	json_t *h = json_loadb((const char *)hdr, hl, JSON_REJECT_DUPLICATES, &je);
	const char *alg = json_string_value(json_object_get(h, "alg"));
	const char *kid = json_string_value(json_object_get(h, "kid"));
	int rc;
	/* Only RS256: "none", HS256 with the public key as secret and the rest
	 * of the algorithm confusions never get as far as a key. */
	if (!json_is_object(h) || alg == NULL || strcmp(alg, "RS256") != 0) {
		json_decref(h);
		return bad(e, "the algorithm must be RS256");
	}
	if (kid == NULL) {
		json_decref(h);
		return bad(e, "the header names no key (kid)");
	}
	const json_t *jwk = NULL, *k;
	size_t i;
	json_array_foreach(json_object_get(jwks, "keys"), i, k)
	{
		const char *id = json_string_value(json_object_get(k, "kid"));
		const char *use = json_string_value(json_object_get(k, "use"));
		if (id != NULL && strcmp(id, kid) == 0 && (use == NULL || strcmp(use, "sig") == 0))
			jwk = k;
	}
	json_decref(h);
	if (jwk == NULL)
		return 1;
	EVP_PKEY *key = rsa_key(jwk, a);
	if (key == NULL)
		return bad(e, "the provider's key is not an RSA key of 2048 bits or more");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	         EVP_DigestVerify(ctx, sig, sl, (const unsigned char *)jwt, (size_t)(dot2 - jwt)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	if (!ok)
		return bad(e, "the signature does not verify");

	json_t *c = json_loadb((const char *)pay, pl, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(c)) {
		json_decref(c);
		return bad(e, "the claims are not a JSON object");
	}
	json_t *aud = json_object_get(c, "aud"), *exp = json_object_get(c, "exp"), *iat = json_object_get(c, "iat");
	int aud_ok = 0;
	if (json_is_string(aud)) {
		aud_ok = strcmp(json_string_value(aud), x->client_id) == 0;
	} else if (json_is_array(aud)) {
		/* Several audiences: ours among them, and azp naming us. */
		json_t *v;
		json_array_foreach(aud, i, v) aud_ok |=
		    json_is_string(v) && strcmp(json_string_value(v), x->client_id) == 0;
		const char *azp = json_string_value(json_object_get(c, "azp"));
		aud_ok = aud_ok && azp != NULL && strcmp(azp, x->client_id) == 0;
	}
	out->iss = claim_str(c, "iss", a);
	out->sub = claim_str(c, "sub", a);
	out->nonce = claim_str(c, "nonce", a);
	out->acr = claim_str(c, "acr", a);
	out->pid = claim_str(c, "pid", a);
	out->username = claim_str(c, "preferred_username", a);
	json_t *roles = json_object_get(c, "roles");
	out->role = json_is_array(roles) ? (json_string_value(json_array_get(roles, 0))
	                                        ? arena_strdup(a, json_string_value(json_array_get(roles, 0)))
	                                        : NULL)
	                                 : claim_str(c, "role", a);
	out->exp = json_is_integer(exp) ? json_integer_value(exp) : 0;
	out->iat = json_is_integer(iat) ? json_integer_value(iat) : 0;
	json_decref(c);
	if (out->iss == NULL || strcmp(out->iss, x->issuer) != 0)
		rc = bad(e, "the issuer (iss) is not the provider's");
	else if (!aud_ok)
		rc = bad(e, "the audience (aud) is not this client");
	else if (out->exp == 0 || out->exp <= x->now - x->skew)
		rc = bad(e, "the token has expired (exp)");
	else if (out->iat == 0 || out->iat > x->now + x->skew)
		rc = bad(e, "the token was issued in the future (iat)");
	else if (x->nonce == NULL || out->nonce == NULL || strcmp(out->nonce, x->nonce) != 0)
		rc = bad(e, "the nonce is not the one this login sent");
	else
		rc = 0;
	return rc;
}

/* ---- the back channel ---- */

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

/* GET url, or POST form (urlencoded) with HTTP Basic client credentials
 * when form is not NULL. Returns the HTTP status with the body's JSON in
 * *out (NULL when not JSON), or -1 with ERR_IO. */
static int http_json(struct oidc_provider *p, const char *url, const char *form, json_t **out, struct err *e)
{
	struct buf body;
	char cerr[CURL_ERROR_SIZE] = "";
	long status = 0;
	*out = NULL;
	CURL *k = curl_easy_init();
	if (k == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "libcurl cannot start");
	buf_init(&body, BODY_MAX);
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	curl_easy_setopt(k, CURLOPT_URL, url);
	curl_easy_setopt(k, CURLOPT_HTTPHEADER, headers);
	if (form != NULL) {
		curl_easy_setopt(k, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(k, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	}
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(k, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, p->timeout_ms);
	curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(k, CURLOPT_FOLLOWLOCATION, 0L);
	struct buf user, pass;
	buf_init(&user, 1024);
	buf_init(&pass, 1024);
	if (form != NULL) {
		/* RFC 6749, 2.3.1: both are form-urlencoded before Basic. */
		url_encode(&user, p->client_id);
		url_encode(&pass, p->client_secret);
		curl_easy_setopt(k, CURLOPT_USERNAME, buf_str(&user));
		curl_easy_setopt(k, CURLOPT_PASSWORD, buf_str(&pass));
	}
	CURLcode cc = curl_easy_perform(k);
	buf_cleanup(&user);
	buf_cleanup(&pass);
	curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(k);
	if (cc != CURLE_OK) {
		buf_cleanup(&body);
		return err_set(e, ERR_IO, NULL, "the %s login provider cannot be reached: %s", p->kind,
		               cerr[0] ? cerr : curl_easy_strerror(cc));
	}
	json_error_t je;
	*out = json_loadb(body.p ? body.p : "", body.len, 0, &je);
	buf_cleanup(&body);
	return (int)status;
}

static int set_endpoint(char **slot, json_t *doc, const char *key)
{
	const char *v = json_string_value(json_object_get(doc, key));
	if (v == NULL || (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0))
		return -1;
	free(*slot);
	*slot = strdup(v);
	return 0;
}

/* The discovery document, fetched once. Under p->mu. */
static int discover(struct oidc_provider *p, struct err *e)
{
	if (p->token_endpoint != NULL)
		return 0;
	char url[1024];
	json_t *doc = NULL;
	snprintf(url, sizeof(url), "%s/.well-known/openid-configuration", p->issuer);
	int status = http_json(p, url, NULL, &doc, e);
	int rc = -1;
	if (status < 0)
		goto out;
	const char *iss = json_string_value(json_object_get(doc, "issuer"));
	if (status != 200 || iss == NULL || strcmp(iss, p->issuer) != 0) {
		err_set(e, ERR_IO, NULL,
		        "the %s login provider's discovery document is missing or names another issuer", p->kind);
		goto out;
	}
	if (set_endpoint(&p->authorization_endpoint, doc, "authorization_endpoint") != 0 ||
	    set_endpoint(&p->token_endpoint, doc, "token_endpoint") != 0 ||
	    set_endpoint(&p->jwks_uri, doc, "jwks_uri") != 0) {
		free(p->token_endpoint);
		p->token_endpoint = NULL;
		err_set(e, ERR_IO, NULL, "the %s login provider's discovery document lacks an endpoint", p->kind);
		goto out;
	}
	set_endpoint(&p->end_session_endpoint, doc, "end_session_endpoint"); /* optional */
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

/* Fetch the JWKS again. Under p->mu. */
static int fetch_jwks(struct oidc_provider *p, int64_t now, struct err *e)
{
	if (p->jwks != NULL) {
		if (now / 60 != p->refetch_minute) {
			p->refetch_minute = now / 60;
			p->refetches = 0;
		}
		if (++p->refetches > JWKS_REFETCH_MAX)
			return err_set(e, ERR_IO, NULL, "the %s login provider's keys were fetched too often", p->kind);
	}
	json_t *jwks = NULL;
	int status = http_json(p, p->jwks_uri, NULL, &jwks, e);
	if (status < 0)
		return -1;
	if (status != 200 || !json_is_array(json_object_get(jwks, "keys"))) {
		json_decref(jwks);
		return err_set(e, ERR_IO, NULL, "the %s login provider's JWKS is missing", p->kind);
	}
	json_decref(p->jwks);
	p->jwks = jwks;
	return 0;
}

/* ---- the flow ---- */

struct audit_line {
	int64_t at;
	const char *actor, *action, *object, *detail;
};

static int audit_line(struct store_tx *tx, void *arg, struct err *e)
{
	const struct audit_line *l = arg;
	return audit_append(tx, l->at, l->actor, l->action, l->object, l->detail, e);
}

/* Audit a refused login and return -1 with e as it was. */
static int refused(struct store *s, const char *kind, int64_t now, struct err *e)
{
	char object[32];
	struct err e2;
	snprintf(object, sizeof(object), "oidc:%s", kind ? kind : "unknown");
	struct audit_line l = {now, "anonymous", "login.refused", object, e->message};
	if (store_write(s, audit_line, &l, &e2) != 0)
		log_error("login: cannot audit a refusal: %s", e2.message);
	log_info("login refused (%s): %s", object, e->message);
	return -1;
}

static int put_login(struct store_tx *tx, void *arg, struct err *e)
{
	const struct oidc_login *l = arg;
	return store_oidc_login_put(tx, l, l->created_at - LOGIN_TTL, e);
}

int oidc_login_begin(struct store *s, struct oidc_provider *p, const char *visitor_token, const char *acr,
                     const char *next, int64_t now, const char **url, struct arena *a, struct err *e)
{
	char state[48], nonce[48], verifier[48], challenge[44], vhash[65];
	pthread_mutex_lock(&p->mu);
	int rc = discover(p, e);
	char *endpoint = rc == 0 ? arena_strdup(a, p->authorization_endpoint) : NULL;
	pthread_mutex_unlock(&p->mu);
	if (rc != 0)
		return -1;
	random_text(state, sizeof(state));
	random_text(nonce, sizeof(nonce));
	random_text(verifier, sizeof(verifier));
	oidc_pkce_challenge(verifier, challenge);
	access_token_hash(visitor_token ? visitor_token : "", vhash);
	/* Only a local path: never an open redirect to another site. */
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 512 ||
	    strpbrk(next, "\r\n") != NULL)
		next = "/";
	if (acr != NULL && strcmp(acr, ACR_HIGH) != 0 && strcmp(acr, ACR_SUBSTANTIAL) != 0)
		acr = NULL;
	struct oidc_login l = {state, vhash, p->kind, nonce, verifier, acr, next, now};
	if (store_write(s, put_login, &l, e) != 0)
		return -1;
	struct buf b;
	buf_init(&b, 8192);
	buf_puts(&b, endpoint);
	buf_putc(&b, strchr(endpoint, '?') ? '&' : '?');
	param(&b, "response_type", "code");
	param(&b, "client_id", p->client_id);
	param(&b, "redirect_uri", p->redirect_uri);
	param(&b, "scope", strcmp(p->kind, "staff") == 0 ? "openid profile roles" : "openid");
	param(&b, "state", state);
	param(&b, "nonce", nonce);
	param(&b, "code_challenge", challenge);
	param(&b, "code_challenge_method", "S256");
	if (acr != NULL)
		param(&b, "acr_values", acr);
	*url = arena_strdup(a, buf_str(&b));
	buf_cleanup(&b);
	return 0;
}

struct take {
	const char *state;
	struct oidc_login *l;
	struct arena *a;
	int found;
};

static int take_login(struct store_tx *tx, void *arg, struct err *e)
{
	struct take *t = arg;
	int rc = store_oidc_login_take(tx, t->state, t->l, t->a, e);
	t->found = rc == 0;
	return rc < 0 ? -1 : 0;
}

/* Exchange the code and verify the ID token it brings. */
static int exchange(struct oidc_provider *p, const struct oidc_login *l, const char *code, int64_t now,
                    struct oidc_claims *claims, const char **id_token, struct arena *a, struct err *e)
{
	struct buf form;
	buf_init(&form, 8192);
	param(&form, "grant_type", "authorization_code");
	param(&form, "code", code);
	param(&form, "redirect_uri", p->redirect_uri);
	param(&form, "code_verifier", l->verifier);
	param(&form, "client_id", p->client_id);
	pthread_mutex_lock(&p->mu);
	int rc = discover(p, e);
	char *endpoint = rc == 0 ? arena_strdup(a, p->token_endpoint) : NULL;
	pthread_mutex_unlock(&p->mu);
	json_t *answer = NULL;
	int status = rc == 0 ? http_json(p, endpoint, buf_str(&form), &answer, e) : -1;
	buf_cleanup(&form);
	if (status < 0)
		return -1;
	const char *jwt = json_string_value(json_object_get(answer, "id_token"));
	if (status != 200 || jwt == NULL) {
		const char *why = json_string_value(json_object_get(answer, "error_description"));
		if (why == NULL)
			why = json_string_value(json_object_get(answer, "error"));
		err_set(e, ERR_INVALID, "code", "the provider refused the code: %.160s", why ? why : "no ID token");
		json_decref(answer);
		return -1;
	}
	*id_token = arena_strdup(a, jwt);
	json_decref(answer);
	struct oidc_expect x = {p->issuer, p->client_id, l->nonce, now, OIDC_DEFAULT_SKEW};
	pthread_mutex_lock(&p->mu);
	rc = p->jwks == NULL ? fetch_jwks(p, now, e) : 0;
	if (rc == 0)
		rc = oidc_verify(*id_token, p->jwks, &x, claims, a, e);
	/* A key id we do not hold: the provider may have rotated its keys. */
	if (rc == 1 && (rc = fetch_jwks(p, now, e)) == 0)
		rc = oidc_verify(*id_token, p->jwks, &x, claims, a, e);
	pthread_mutex_unlock(&p->mu);
	if (rc == 1)
		return bad(e, "signed by a key the provider does not publish");
	return rc;
}

struct start {
	const char *old_hash; /* or NULL */
	const char *hash;
	struct session ss;
	const char *provider, *id_token;
	const char *actor, *acr;
	int64_t now;
};

static int start_session(struct store_tx *tx, void *arg, struct err *e)
{
	struct start *st = arg;
	char object[32];
	snprintf(object, sizeof(object), "oidc:%s", st->provider);
	if (st->old_hash != NULL && store_session_delete(tx, st->old_hash, e) != 0)
		return -1;
	if (store_session_put(tx, st->hash, &st->ss, e) != 0 ||
	    store_oidc_session_put(tx, st->hash, st->provider, st->id_token, e) != 0)
		return -1;
	return audit_append(tx, st->now, st->actor, "login", object, st->acr, e);
}

int oidc_login_finish(struct store *s, const struct oidc_providers *ps, const char *visitor_token,
                      const char *old_session, const char *state, const char *code, const char *iss, const char *error,
                      int64_t now, int64_t ttl, char token[ACCESS_TOKEN_LEN + 1], const char **next, enum role *role,
                      struct arena *a, struct err *e)
{
	struct oidc_login l;
	char vhash[65], hash[65], old_hash[65], actor[32];
	if (state == NULL || state[0] == '\0' || strlen(state) > 64) {
		err_set(e, ERR_INVALID, "state", "the callback has no state");
		return refused(s, NULL, now, e);
	}
	struct take t = {state, &l, a, 0};
	if (store_write(s, take_login, &t, e) != 0)
		return -1;
	access_token_hash(visitor_token ? visitor_token : "", vhash);
	if (!t.found) {
		err_set(e, ERR_INVALID, "state", "no login under way has this state (used, expired or made up)");
		return refused(s, NULL, now, e);
	}
	/* The state is taken either way: a callback carried to another
	 * browser spends it for both. */
	if (sodium_memcmp(vhash, l.visitor_hash, 64) != 0) {
		err_set(e, ERR_INVALID, "state", "the login was begun in another browser");
		return refused(s, l.provider, now, e);
	}
	if (l.created_at + LOGIN_TTL < now) {
		err_set(e, ERR_INVALID, "state", "the login took too long");
		return refused(s, l.provider, now, e);
	}
	if (error != NULL) {
		err_set(e, ERR_INVALID, "error", "the provider answered %.64s", error);
		return refused(s, l.provider, now, e);
	}
	if (code == NULL || code[0] == '\0' || strlen(code) > 512) {
		err_set(e, ERR_INVALID, "code", "the callback has no code");
		return refused(s, l.provider, now, e);
	}
	int staff = strcmp(l.provider, "staff") == 0;
	struct oidc_provider *p = staff ? ps->staff : ps->person;
	if (p == NULL) {
		err_set(e, ERR_INVALID, "state", "no %s login is configured", l.provider);
		return refused(s, l.provider, now, e);
	}
	if (iss != NULL && strcmp(iss, p->issuer) != 0) {
		err_set(e, ERR_INVALID, "iss", "the callback names another issuer");
		return refused(s, l.provider, now, e);
	}
	struct oidc_claims c;
	const char *id_token = NULL;
	if (exchange(p, &l, code, now, &c, &id_token, a, e) != 0)
		return e->code == ERR_INVALID ? refused(s, l.provider, now, e) : -1;

	struct start st = {0};
	if (staff) {
		struct staff member;
		if (c.username == NULL || c.role == NULL) {
			err_set(e, ERR_INVALID, "id_token", "the token names no username or role");
			return refused(s, l.provider, now, e);
		}
		int rc = store_staff_by_username(s, c.username, &member, a, e);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			err_set(e, ERR_NOT_FOUND, NULL, "no member of staff has the provider's username");
			return refused(s, l.provider, now, e);
		}
		/* The provider vouches for the role; the staff record must agree,
		 * or a session would end at its first request anyway. */
		if (strcmp(member.role, c.role) != 0 || access_staff_role(c.role) == ROLE_ANONYMOUS) {
			err_set(e, ERR_INVALID, "id_token",
			        "the role the provider vouches for is not the staff record's");
			return refused(s, l.provider, now, e);
		}
		*role = access_staff_role(c.role);
		st.ss = (struct session){0, access_role_name(*role), now + ttl, member.id, c.acr};
		snprintf(actor, sizeof(actor), "staff:%lld", (long long)member.id);
	} else {
		struct person person;
		if (c.pid == NULL) {
			err_set(e, ERR_INVALID, "id_token", "the token has no pid");
			return refused(s, l.provider, now, e);
		}
		if (access_assurance_of(c.acr) == ASSURANCE_NONE) {
			err_set(e, ERR_INVALID, "id_token", "the token's acr is no level of assurance we know");
			return refused(s, l.provider, now, e);
		}
		int rc = store_person_by_nin(s, c.pid, &person, a, e);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			err_set(e, ERR_NOT_FOUND, NULL,
			        "the agency holds no person with the provider's identity number");
			return refused(s, l.provider, now, e);
		}
		*role = ROLE_PERSON;
		st.ss = (struct session){person.id, "person", now + ttl, 0, c.acr};
		snprintf(actor, sizeof(actor), "person:%lld", (long long)person.id);
	}
	access_new_token(token);
	access_token_hash(token, hash);
	if (old_session != NULL && old_session[0] != '\0') {
		access_token_hash(old_session, old_hash);
		st.old_hash = old_hash;
	}
	st.hash = hash;
	st.provider = l.provider;
	st.id_token = id_token;
	st.actor = actor;
	st.acr = c.acr;
	st.now = now;
	if (store_write(s, start_session, &st, e) != 0)
		return -1;
	*next = l.next;
	return 0;
}

static int end_session(struct store_tx *tx, void *arg, struct err *e)
{
	return store_session_delete(tx, arg, e);
}

int oidc_logout(struct store *s, const struct oidc_providers *ps, const char *token, const char **url, struct arena *a,
                struct err *e)
{
	char hash[65];
	const char *provider = NULL, *id_token = NULL;
	*url = NULL;
	access_token_hash(token, hash);
	int rc = store_oidc_session_get(s, hash, &provider, &id_token, a, e);
	if (rc < 0)
		return -1;
	if (store_write(s, end_session, hash, e) != 0)
		return -1;
	struct oidc_provider *p = rc == 0 ? (strcmp(provider, "staff") == 0 ? ps->staff : ps->person) : NULL;
	if (p == NULL)
		return 0;
	pthread_mutex_lock(&p->mu);
	struct err e2;
	char *endpoint =
	    discover(p, &e2) == 0 && p->end_session_endpoint ? arena_strdup(a, p->end_session_endpoint) : NULL;
	pthread_mutex_unlock(&p->mu);
	if (endpoint == NULL)
		return 0; /* our session is over; the provider's ends on its own */
	struct buf b;
	buf_init(&b, 32768);
	buf_puts(&b, endpoint);
	buf_putc(&b, strchr(endpoint, '?') ? '&' : '?');
	param(&b, "id_token_hint", id_token);
	param(&b, "client_id", p->client_id);
	if (p->post_logout != NULL)
		param(&b, "post_logout_redirect_uri", p->post_logout);
	*url = arena_strdup(a, buf_str(&b));
	buf_cleanup(&b);
	return 0;
}
