/* token.c - the API's door for an institution's student system: OAuth2
 * client credentials with a signed JWT assertion (RFC 7523), as
 * Maskinporten takes them, and the short-lived access tokens it gives.
 *
 * The administrator registers the system's public key in the workspace
 * (an RSA key in PEM) and gets a client id. The system then signs an
 * assertion with its private key (RS256: RSASSA-PKCS1-v1_5 with SHA-256)
 * whose claims name itself (iss = the client id), us (aud = our token
 * endpoint's URL), when it was made and when it expires (iat, exp: at most
 * INST_ASSERTION_MAX_AGE seconds apart) and a one-time id (jti). The
 * signature is checked with OpenSSL's libcrypto against the registered key
 * before any claim is believed; a jti is taken once, in the transaction
 * that stores the access token, so a replayed assertion is refused even
 * when two arrive at once. The access token is random; the database keeps
 * its hash only, as it does for sessions. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "institution/institution.h"
#include "store/institution.h"
#include "store/store.h"

#define ASSERTION_MAX 8192
#define PEM_MAX 10000
#define CLOCK_SKEW 10 /* seconds an issuer's clock may run ahead */

/* Load a PEM public key: an RSA key of at least 2048 bits, else NULL. */
static EVP_PKEY *rsa_key(const char *pem)
{
	size_t len = strlen(pem);
	if (len == 0 || len > PEM_MAX)
		return NULL;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return NULL;
	EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (k != NULL && (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA || EVP_PKEY_get_bits(k) < 2048)) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

struct register_tx {
	struct institution_client c;
	const char *actor;
};

static int register_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct register_tx *t = arg;
	if (store_institution_client_insert(tx, &t->c, e) != 0)
		return -1;
	char object[96];
	snprintf(object, sizeof(object), "client:%s", t->c.client_id);
	return audit_append(tx, t->c.registered_at, t->actor, "institution.client.registered", object, t->c.orgnr, e);
}

int inst_client_register(struct store *s, const struct principal *who, const char *pem, int64_t now,
                         const char **client_id, struct arena *a, struct err *e)
{
	char object[48];
	snprintf(object, sizeof(object), "institution:%s", who->institution ? who->institution : "-");
	if (access_check(s, who, ACT_INSTITUTION_STAFF_MANAGE, 0, object, "institution", now, e) != 0)
		return -1;
	EVP_PKEY *k = pem ? rsa_key(pem) : NULL;
	if (k == NULL)
		return err_set(e, ERR_INVALID, "public_key",
		               "must be an RSA public key of 2048 bits or more in PEM (BEGIN PUBLIC KEY)");
	EVP_PKEY_free(k);
	unsigned char rnd[8];
	char hex[17], actor[80];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	*client_id = arena_printf(a, "%s-%s", who->institution, hex);
	struct register_tx t = {{*client_id, who->institution, pem, now, who->staff_id, 0},
	                        access_actor(who, actor, sizeof(actor))};
	return store_write(s, register_tx, &t, e);
}

struct revoke_tx {
	const char *orgnr, *client_id, *actor;
	int64_t now;
};

static int revoke_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct revoke_tx *t = arg;
	int rc = store_institution_client_revoke(tx, t->orgnr, t->client_id, t->now, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, "client_id", "no such client in use");
	char object[160];
	snprintf(object, sizeof(object), "client:%.120s", t->client_id);
	return audit_append(tx, t->now, t->actor, "institution.client.revoked", object, t->orgnr, e);
}

int inst_client_revoke(struct store *s, const struct principal *who, const char *client_id, int64_t now, struct err *e)
{
	char object[48], actor[80];
	snprintf(object, sizeof(object), "institution:%s", who->institution ? who->institution : "-");
	if (access_check(s, who, ACT_INSTITUTION_STAFF_MANAGE, 0, object, "institution", now, e) != 0)
		return -1;
	if (client_id == NULL || client_id[0] == '\0' || strlen(client_id) > 120)
		return err_set(e, ERR_NOT_FOUND, "client_id", "no such client in use");
	struct revoke_tx t = {who->institution, client_id, access_actor(who, actor, sizeof(actor)), now};
	return store_write(s, revoke_tx, &t, e);
}

/* Decode one base64url part (no padding) into a NUL-terminated buffer in
 * the arena. Returns it, or NULL. */
static unsigned char *b64url(const char *p, size_t len, size_t *out_len, struct arena *a)
{
	unsigned char *out = arena_alloc(a, len + 1);
	size_t n;
	if (len == 0 ||
	    sodium_base642bin(out, len + 1, p, len, NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return NULL;
	out[n] = '\0';
	*out_len = n;
	return out;
}

static int rs256_ok(EVP_PKEY *k, const char *signed_part, size_t signed_len, const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
	         EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)signed_part, signed_len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

struct token_tx {
	const char *client_id, *orgnr, *jti, *hash;
	int64_t exp, now;
	const char *action, *detail; /* the audit record */
};

static int token_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct token_tx *t = arg;
	char actor[96];
	snprintf(actor, sizeof(actor), "client:%s", t->client_id);
	if (store_institution_jti_take(tx, t->client_id, t->jti, t->exp, t->now, e) != 0 ||
	    store_institution_token_put(tx, t->hash, t->client_id, t->orgnr, t->now + INST_TOKEN_TTL, e) != 0)
		return -1;
	return audit_append(tx, t->now, actor, "api.token", actor, t->orgnr, e);
}

static int audit_denial(struct store_tx *tx, void *arg, struct err *e)
{
	struct token_tx *t = arg;
	char actor[160];
	if (t->client_id != NULL)
		snprintf(actor, sizeof(actor), "client:%.120s", t->client_id);
	else
		snprintf(actor, sizeof(actor), "anonymous");
	return audit_append(tx, t->now, actor, "api.token.denied", actor, t->detail, e);
}

static void token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Refuse: audit it, and fail naming field. */
static int refuse(struct store *s, struct token_tx *t, const char *field, const char *message, struct err *e)
{
	struct err e2;
	t->detail = field;
	if (store_write(s, audit_denial, t, &e2) != 0)
		return err_set(e, e2.code, NULL, "%s", e2.message);
	return err_set(e, ERR_INVALID, field, "%s", message);
}

static int aud_matches(json_t *aud, const char *audience)
{
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), audience) == 0;
	if (json_is_array(aud)) {
		for (size_t i = 0; i < json_array_size(aud); i++) {
			json_t *v = json_array_get(aud, i);
			if (json_is_string(v) && strcmp(json_string_value(v), audience) == 0)
				return 1;
		}
	}
	return 0;
}

int inst_token(struct store *s, const char *assertion, const char *audience, int64_t now,
               char token[INST_TOKEN_LEN + 1], struct err *e)
{
	struct arena a;
	struct token_tx t = {0};
	json_t *hdr = NULL, *claims = NULL;
	EVP_PKEY *k = NULL;
	int rc = -1;
	t.now = now;
	arena_init(&a, 0);
	size_t len = assertion ? strlen(assertion) : 0;
	const char *dot1 = len ? memchr(assertion, '.', len) : NULL;
	const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - assertion)) : NULL;
	if (len == 0 || len > ASSERTION_MAX || dot2 == NULL ||
	    memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - assertion))) {
		rc = refuse(s, &t, "assertion", "must be a signed JWT (header.claims.signature)", e);
		goto out;
	}
	size_t hl, cl, sl;
	unsigned char *h = b64url(assertion, (size_t)(dot1 - assertion), &hl, &a);
	unsigned char *c = b64url(dot1 + 1, (size_t)(dot2 - dot1 - 1), &cl, &a);
	unsigned char *sig = b64url(dot2 + 1, len - (size_t)(dot2 + 1 - assertion), &sl, &a);
	if (h == NULL || c == NULL || sig == NULL ||
	    (hdr = json_loadb((const char *)h, hl, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    (claims = json_loadb((const char *)c, cl, JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(hdr) ||
	    !json_is_object(claims)) {
		rc = refuse(s, &t, "assertion", "must be a signed JWT (header.claims.signature)", e);
		goto out;
	}
	const char *alg = json_string_value(json_object_get(hdr, "alg"));
	if (alg == NULL || strcmp(alg, "RS256") != 0) {
		rc = refuse(s, &t, "alg", "must be RS256", e);
		goto out;
	}
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	struct institution_client cl_rec;
	int found = iss && strlen(iss) <= 120 ? store_institution_client_get(s, iss, &cl_rec, &a, e) : 1;
	if (found < 0)
		goto out;
	if (found == 1 || cl_rec.revoked_at != 0) {
		rc = refuse(s, &t, "iss", "is not a registered client", e);
		goto out;
	}
	t.client_id = cl_rec.client_id;
	t.orgnr = cl_rec.orgnr;
	k = rsa_key(cl_rec.public_key_pem);
	if (k == NULL || !rs256_ok(k, assertion, (size_t)(dot2 - assertion), sig, sl)) {
		rc = refuse(s, &t, "signature", "is not the registered key's", e);
		goto out;
	}
	json_t *iat = json_object_get(claims, "iat"), *exp = json_object_get(claims, "exp");
	if (!json_is_integer(iat) || !json_is_integer(exp)) {
		rc = refuse(s, &t, "exp", "iat and exp must be whole seconds", e);
		goto out;
	}
	int64_t ti = json_integer_value(iat), te = json_integer_value(exp);
	if (te <= now) {
		rc = refuse(s, &t, "exp", "the assertion has expired", e);
		goto out;
	}
	if (ti > now + CLOCK_SKEW || te <= ti || te - ti > INST_ASSERTION_MAX_AGE) {
		rc = refuse(s, &t, "iat", "iat must be now and exp at most 120 seconds after it", e);
		goto out;
	}
	if (!aud_matches(json_object_get(claims, "aud"), audience)) {
		rc = refuse(s, &t, "aud", "must be this token endpoint's URL", e);
		goto out;
	}
	const char *jti = json_string_value(json_object_get(claims, "jti"));
	if (jti == NULL || jti[0] == '\0' || strlen(jti) > 128) {
		rc = refuse(s, &t, "jti", "must be a unique id of 1 to 128 characters", e);
		goto out;
	}
	char hash[65];
	access_new_token(token);
	token_hash(token, hash);
	t.jti = jti;
	t.hash = hash;
	t.exp = te;
	rc = store_write(s, token_tx, &t, e);
	if (rc != 0 && e->code == ERR_CONFLICT)
		rc = refuse(s, &t, "jti", "the assertion was used before", e);
out:
	EVP_PKEY_free(k);
	json_decref(hdr);
	json_decref(claims);
	arena_cleanup(&a);
	return rc;
}

int inst_token_principal(struct store *s, const char *token, int64_t now, struct principal *who, struct arena *a,
                         struct err *e)
{
	char hash[65];
	const char *client_id, *orgnr;
	memset(who, 0, sizeof(*who));
	who->role = ROLE_ANONYMOUS;
	if (token == NULL || strlen(token) != INST_TOKEN_LEN)
		return 1;
	token_hash(token, hash);
	int rc = store_institution_token_get(s, hash, now, &client_id, &orgnr, a, e);
	if (rc != 0)
		return rc;
	who->role = ROLE_INSTITUTION;
	who->grant = GRANT_STAFF;
	who->institution = orgnr;
	who->client_id = client_id;
	return 0;
}
