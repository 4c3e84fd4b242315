/* test_oidc.c - real login's pure parts (src/access/oidc.c) and the level
 * of assurance on the gate: an ID token verifies only when its RS256
 * signature is the named key's and its issuer, audience, expiry, issue time
 * and nonce are right; an unknown key id asks for the JWKS again; the PKCE
 * challenge is RFC 7636's; a session keeps its level, and an action that
 * needs high refuses a session at substantial with a step-up (field
 * "acr"), audited once; a login under way is taken once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "access/access.h"
#include "access/oidc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/oidc.h"
#include "testdb.h"

#define NOW 1800000000
#define ISS "https://test.idporten.example/oidc"

static EVP_PKEY *key_a, *key_b, *key_small;
static json_t *jwks; /* key_a as "a", key_small as "small" */

static char *b64(const unsigned char *p, size_t n)
{
	size_t size = sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = malloc(size);
	sodium_bin2base64(out, size, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static json_t *jwk(EVP_PKEY *k, const char *kid)
{
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n);
	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e);
	unsigned char nb[1024], eb[16];
	int nl = BN_bn2bin(n, nb), el = BN_bn2bin(e, eb);
	char *n64 = b64(nb, (size_t)nl), *e64 = b64(eb, (size_t)el);
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s}", "kty", "RSA", "use", "sig", "kid", kid, "n", n64, "e", e64);
	free(n64);
	free(e64);
	BN_free(n);
	BN_free(e);
	return j;
}

/* A token with header {alg, kid} and payload claims, signed RS256 by k (or
 * with the signature left empty when k is NULL). Caller frees. */
static char *token(EVP_PKEY *k, const char *alg, const char *kid, json_t *claims)
{
	json_t *h = kid ? json_pack("{s:s,s:s}", "alg", alg, "kid", kid) : json_pack("{s:s}", "alg", alg);
	char *hs = json_dumps(h, JSON_COMPACT), *ps = json_dumps(claims, JSON_COMPACT);
	char *h64 = b64((unsigned char *)hs, strlen(hs)), *p64 = b64((unsigned char *)ps, strlen(ps));
	struct buf b;
	buf_init(&b, 1 << 16);
	buf_printf(&b, "%s.%s", h64, p64);
	unsigned char sig[1024];
	size_t sl = 0;
	if (k != NULL) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		sl = sizeof(sig);
		assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k), 1);
		assert_int_equal(EVP_DigestSign(ctx, sig, &sl, (unsigned char *)b.p, b.len), 1);
		EVP_MD_CTX_free(ctx);
	}
	char *s64 = b64(sig, sl);
	buf_printf(&b, ".%s", s64);
	char *out = buf_take(&b);
	free(hs);
	free(ps);
	free(h64);
	free(p64);
	free(s64);
	json_decref(h);
	json_decref(claims);
	return out;
}

static json_t *good_claims(void)
{
	return json_pack("{s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:s}", "iss", ISS, "aud", "stipend", "iat", NOW - 5, "exp",
	                 NOW + 115, "nonce", "n-123", "acr", ACR_HIGH, "pid", "01870050069", "sub", "pairwise");
}

static const struct oidc_expect expect = {ISS, "stipend", "n-123", NOW, OIDC_DEFAULT_SKEW};

static int setup(void **state)
{
	(void)state;
	key_a = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	key_b = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	key_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	jwks = json_pack("{s:[o,o]}", "keys", jwk(key_a, "a"), jwk(key_small, "small"));
	return key_a && key_b && key_small && sodium_init() >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
	EVP_PKEY_free(key_small);
	json_decref(jwks);
	return 0;
}

/* Verify t against jwks and expect; frees t. */
static int verify(char *t, struct oidc_claims *c, struct arena *a, struct err *e)
{
	int rc = oidc_verify(t, jwks, &expect, c, a, e);
	free(t);
	return rc;
}

static void a_valid_token_verifies_and_gives_its_claims(void **state)
{
	(void)state;
	struct arena a;
	struct oidc_claims c;
	struct err e;
	arena_init(&a, 0);
	assert_int_equal(verify(token(key_a, "RS256", "a", good_claims()), &c, &a, &e), 0);
	assert_string_equal(c.pid, "01870050069");
	assert_string_equal(c.acr, ACR_HIGH);
	assert_string_equal(c.iss, ISS);
	assert_int_equal(c.exp, NOW + 115);
	arena_cleanup(&a);
}

/* The claims of a good token with key set to value (NULL: removed). */
static json_t *with(const char *key, json_t *value)
{
	json_t *c = good_claims();
	if (value == NULL)
		json_object_del(c, key);
	else
		json_object_set_new(c, key, value);
	return c;
}

static void refused(char *t, const char *why)
{
	struct arena a;
	struct oidc_claims c;
	struct err e;
	arena_init(&a, 0);
	assert_int_equal(verify(t, &c, &a, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "id_token");
	if (strstr(e.message, why) == NULL)
		fail_msg("refused for \"%s\", not for %s", e.message, why);
	arena_cleanup(&a);
}

static void a_wrong_nonce_is_refused(void **state)
{
	(void)state;
	refused(token(key_a, "RS256", "a", with("nonce", json_string("n-124"))), "nonce");
	refused(token(key_a, "RS256", "a", with("nonce", NULL)), "nonce");
}

static void an_expired_token_is_refused_past_the_skew(void **state)
{
	(void)state;
	struct arena a;
	struct oidc_claims c;
	struct err e;
	arena_init(&a, 0);
	/* Within the skew a clock a little behind the provider's still takes it. */
	assert_int_equal(
	    verify(token(key_a, "RS256", "a", with("exp", json_integer(NOW - OIDC_DEFAULT_SKEW + 1))), &c, &a, &e), 0);
	arena_cleanup(&a);
	refused(token(key_a, "RS256", "a", with("exp", json_integer(NOW - OIDC_DEFAULT_SKEW))), "expired");
	refused(token(key_a, "RS256", "a", with("exp", NULL)), "expired");
	refused(token(key_a, "RS256", "a", with("exp", json_string("soon"))), "expired");
}

static void a_token_issued_in_the_future_is_refused(void **state)
{
	(void)state;
	refused(token(key_a, "RS256", "a", with("iat", json_integer(NOW + OIDC_DEFAULT_SKEW + 1))), "future");
}

static void a_wrong_audience_or_issuer_is_refused(void **state)
{
	(void)state;
	refused(token(key_a, "RS256", "a", with("aud", json_string("another"))), "audience");
	/* Several audiences: only with azp naming us. */
	refused(token(key_a, "RS256", "a", with("aud", json_pack("[s,s]", "another", "stipend"))), "audience");
	json_t *c = with("aud", json_pack("[s,s]", "another", "stipend"));
	json_object_set_new(c, "azp", json_string("stipend"));
	struct arena a;
	struct oidc_claims out;
	struct err e;
	arena_init(&a, 0);
	assert_int_equal(verify(token(key_a, "RS256", "a", c), &out, &a, &e), 0);
	arena_cleanup(&a);
	refused(token(key_a, "RS256", "a", with("iss", json_string(ISS "/"))), "issuer");
	refused(token(key_a, "RS256", "a", with("iss", NULL)), "issuer");
}

static void an_unknown_key_id_asks_for_the_keys_again(void **state)
{
	(void)state;
	struct arena a;
	struct oidc_claims c;
	struct err e;
	arena_init(&a, 0);
	assert_int_equal(verify(token(key_b, "RS256", "b", good_claims()), &c, &a, &e), 1);
	arena_cleanup(&a);
}

static void a_signature_by_another_key_or_over_other_claims_is_refused(void **state)
{
	(void)state;
	refused(token(key_b, "RS256", "a", good_claims()), "signature");
	/* A payload swapped under a good signature. */
	char *t = token(key_a, "RS256", "a", good_claims());
	char *other = token(key_a, "RS256", "a", with("pid", json_string("17876100282")));
	char *d1 = strchr(t, '.'), *d2 = strchr(d1 + 1, '.');
	char *o1 = strchr(other, '.'), *o2 = strchr(o1 + 1, '.');
	struct buf b;
	buf_init(&b, 1 << 16);
	buf_append(&b, t, (size_t)(d1 - t));
	buf_append(&b, o1, (size_t)(o2 - o1));
	buf_puts(&b, d2);
	free(t);
	free(other);
	refused(buf_take(&b), "signature");
}

static void only_rs256_with_a_kid_is_taken(void **state)
{
	(void)state;
	refused(token(NULL, "none", "a", good_claims()), "RS256");
	refused(token(key_a, "HS256", "a", good_claims()), "RS256");
	refused(token(key_a, "RS256", NULL, good_claims()), "kid");
}

static void a_key_under_2048_bits_is_refused(void **state)
{
	(void)state;
	refused(token(key_small, "RS256", "small", good_claims()), "2048");
}

static void malformed_tokens_are_refused(void **state)
{
	(void)state;
	refused(strdup("abc.def"), "compact");
	refused(strdup("a.b.c.d"), "compact");
	refused(strdup("!!!.???.***"), "base64url");
	refused(strdup(".."), "RS256");
	struct arena a;
	struct oidc_claims c;
	struct err e;
	arena_init(&a, 0);
	assert_int_equal(oidc_verify(NULL, jwks, &expect, &c, &a, &e), -1);
	arena_cleanup(&a);
}

static void the_pkce_challenge_is_rfc_7636s(void **state)
{
	(void)state;
	char out[44];
	/* RFC 7636, appendix B. */
	oidc_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", out);
	assert_string_equal(out, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void acr_values_name_the_levels(void **state)
{
	(void)state;
	assert_int_equal(access_assurance_of(ACR_HIGH), ASSURANCE_HIGH);
	assert_int_equal(access_assurance_of(ACR_SUBSTANTIAL), ASSURANCE_SUBSTANTIAL);
	assert_int_equal(access_assurance_of("idporten-loa-low"), ASSURANCE_NONE);
	assert_int_equal(access_assurance_of(NULL), ASSURANCE_NONE);
}

static int count_audit(struct testdb *t, const char *action)
{
	struct arena a;
	struct err e;
	struct audit_rec *recs = NULL;
	arena_init(&a, 0);
	int n = store_audit_of(t->s, "person:7", &recs, &a, &e), hits = 0;
	for (int i = 0; i < n; i++)
		hits += strcmp(recs[i].action, action) == 0;
	arena_cleanup(&a);
	return hits;
}

static void an_action_needing_high_steps_up_a_substantial_session(void **state)
{
	(void)state;
	struct testdb t;
	struct err e;
	assert_int_equal(testdb_open(&t, "oidc"), 0);
	assert_int_equal(access_init(t.s, &e), 0);
	struct principal kari = {ROLE_PERSON, 7, 0, 0, 0, GRANT_SELF, NULL, 0, ASSURANCE_SUBSTANTIAL};
	/* Allowed by its relation, but not at this level: a step-up. */
	assert_int_equal(access_check_level(t.s, &kari, ACT_APPLY, ASSURANCE_HIGH, 7, "person:7", "person", NOW, &e),
	                 -1);
	assert_int_equal(e.code, ERR_FORBIDDEN);
	assert_string_equal(e.field, "acr");
	assert_int_equal(count_audit(&t, "apply.denied"), 1);
	/* At high it passes, and audits nothing. */
	kari.assurance = ASSURANCE_HIGH;
	assert_int_equal(access_check_level(t.s, &kari, ACT_APPLY, ASSURANCE_HIGH, 7, "person:7", "person", NOW, &e),
	                 0);
	assert_int_equal(count_audit(&t, "apply.denied"), 1);
	/* Not allowed at all: still a missing thing, no step-up offered. */
	assert_int_equal(access_check_level(t.s, &kari, ACT_APPLY, ASSURANCE_HIGH, 8, "person:8", "person", NOW, &e),
	                 -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_string_equal(e.field, "");
	/* Actions the policy leaves at substantial take a substantial session. */
	kari.assurance = ASSURANCE_SUBSTANTIAL;
	for (int act = 0; act < ACT_N; act++)
		if (!access_action_needs_high((enum action)act) && access_allowed(&kari, (enum action)act, 7))
			assert_int_equal(access_check(t.s, &kari, (enum action)act, 7, "person:7", "person", NOW, &e),
			                 0);
	/* The policy printout says which actions need high. */
	json_t *p = access_policy_json();
	json_t *a;
	size_t i;
	json_array_foreach(json_object_get(p, "actions"), i, a)
	{
		assert_true(json_is_boolean(json_object_get(a, "need_high")));
		assert_int_equal(json_is_true(json_object_get(a, "need_high")),
		                 access_action_needs_high((enum action)i));
	}
	json_decref(p);
	testdb_close(&t);
}

struct put_session_arg {
	const char *hash;
	struct session ss;
};

static int put_session(struct store_tx *tx, void *arg, struct err *e)
{
	struct put_session_arg *p = arg;
	return store_session_put(tx, p->hash, &p->ss, e);
}

static void a_session_keeps_its_level_of_assurance(void **state)
{
	(void)state;
	struct testdb t;
	struct err e;
	struct arena a;
	struct principal who;
	char token_[ACCESS_TOKEN_LEN + 1], hash[65];
	assert_int_equal(testdb_open(&t, "oidc"), 0);
	assert_int_equal(access_init(t.s, &e), 0);
	arena_init(&a, 0);
	/* The test login is TestID at high. */
	assert_int_equal(access_session_switch(t.s, NULL, 0, 0, ROLE_PERSON, NOW, 3600, token_, &e), 0);
	assert_int_equal(access_session_find(t.s, token_, NOW, &who, &a, &e), 0);
	assert_int_equal(who.assurance, ASSURANCE_HIGH);
	/* A real login's session at substantial. */
	access_new_token(token_);
	access_token_hash(token_, hash);
	struct put_session_arg p = {hash, {0, "person", NOW + 3600, 0, ACR_SUBSTANTIAL}};
	assert_int_equal(store_write(t.s, put_session, &p, &e), 0);
	assert_int_equal(access_session_find(t.s, token_, NOW, &who, &a, &e), 0);
	assert_int_equal(who.assurance, ASSURANCE_SUBSTANTIAL);
	/* A session without a level (older than real login) has none. */
	p.ss.acr = NULL;
	assert_int_equal(store_write(t.s, put_session, &p, &e), 0);
	assert_int_equal(access_session_find(t.s, token_, NOW, &who, &a, &e), 0);
	assert_int_equal(who.assurance, ASSURANCE_NONE);
	arena_cleanup(&a);
	testdb_close(&t);
}

struct take_arg {
	const char *state;
	struct oidc_login *out;
	struct arena *a;
	int rc;
};

static int take(struct store_tx *tx, void *arg, struct err *e)
{
	struct take_arg *t = arg;
	t->rc = store_oidc_login_take(tx, t->state, t->out, t->a, e);
	return t->rc < 0 ? -1 : 0;
}

static int put_login(struct store_tx *tx, void *arg, struct err *e)
{
	return store_oidc_login_put(tx, arg, NOW - 600, e);
}

static void a_login_under_way_is_taken_once_and_stale_ones_go(void **state)
{
	(void)state;
	struct testdb t;
	struct err e;
	struct arena a;
	struct oidc_login got;
	assert_int_equal(testdb_open(&t, "oidc"), 0);
	arena_init(&a, 0);
	struct oidc_login old = {"s-old", "h", "person", "n", "v", NULL, "/", NOW - 601};
	struct oidc_login l = {"s-1", "h", "person", "n", "v", ACR_HIGH, "/mine-sider", NOW};
	assert_int_equal(store_write(t.s, put_login, &old, &e), 0);
	assert_int_equal(store_write(t.s, put_login, &l, &e), 0);
	struct take_arg ta = {"s-1", &got, &a, -2};
	assert_int_equal(store_write(t.s, take, &ta, &e), 0);
	assert_int_equal(ta.rc, 0);
	assert_string_equal(got.next, "/mine-sider");
	assert_string_equal(got.acr, ACR_HIGH);
	ta.rc = -2;
	assert_int_equal(store_write(t.s, take, &ta, &e), 0);
	assert_int_equal(ta.rc, 1);
	/* The stale one was forgotten when the new one came. */
	ta.state = "s-old";
	assert_int_equal(store_write(t.s, take, &ta, &e), 0);
	assert_int_equal(ta.rc, 1);
	arena_cleanup(&a);
	testdb_close(&t);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_valid_token_verifies_and_gives_its_claims),
	    cmocka_unit_test(a_wrong_nonce_is_refused),
	    cmocka_unit_test(an_expired_token_is_refused_past_the_skew),
	    cmocka_unit_test(a_token_issued_in_the_future_is_refused),
	    cmocka_unit_test(a_wrong_audience_or_issuer_is_refused),
	    cmocka_unit_test(an_unknown_key_id_asks_for_the_keys_again),
	    cmocka_unit_test(a_signature_by_another_key_or_over_other_claims_is_refused),
	    cmocka_unit_test(only_rs256_with_a_kid_is_taken),
	    cmocka_unit_test(a_key_under_2048_bits_is_refused),
	    cmocka_unit_test(malformed_tokens_are_refused),
	    cmocka_unit_test(the_pkce_challenge_is_rfc_7636s),
	    cmocka_unit_test(acr_values_name_the_levels),
	    cmocka_unit_test(an_action_needing_high_steps_up_a_substantial_session),
	    cmocka_unit_test(a_session_keeps_its_level_of_assurance),
	    cmocka_unit_test(a_login_under_way_is_taken_once_and_stale_ones_go),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
