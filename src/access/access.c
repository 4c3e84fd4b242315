/* access.c - sessions, CSRF tokens and the actor names of audit records;
 * see access.h. The policy itself is policy.c. */
#include "access/access.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "audit/audit.h"
#include "core/err.h"
#include "store/store.h"

static unsigned char secret[crypto_auth_hmacsha256_KEYBYTES];

char *access_actor(const struct principal *who, char *out, size_t len)
{
	if (who->client_id != NULL) /* an institution's student system (#13) */
		snprintf(out, len, "client:%s", who->client_id);
	else if (who->role >= ROLE_CASEWORKER && who->staff_id != 0)
		snprintf(out, len, "staff:%lld", (long long)who->staff_id);
	else if (who->role == ROLE_ANONYMOUS || who->person_id == 0)
		snprintf(out, len, "anonymous");
	else if (who->acting_for != 0 && who->acting_for != who->person_id)
		/* Under a guardian's or proxy's grant: both identities. */
		snprintf(out, len, "person:%lld for person:%lld", (long long)who->person_id, (long long)who->acting_for);
	else
		snprintf(out, len, "person:%lld", (long long)who->person_id);
	return out;
}

static int init_secret(struct store_tx *tx, void *arg, struct err *e)
{
	return store_setting_init(tx, "secret", arg, e);
}

int access_init(struct store *s, struct err *e)
{
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	unsigned char fresh[sizeof(secret)];
	char hex[2 * sizeof(secret) + 1];
	randombytes_buf(fresh, sizeof(fresh));
	sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
	/* First start: store ours; later starts: keep the stored one. */
	if (store_write(s, init_secret, hex, e) != 0)
		return -1;
	struct arena a;
	const char *value = NULL;
	arena_init(&a, 0);
	int rc = store_setting_get(s, "secret", &value, &a, e);
	if (rc == 0 && sodium_hex2bin(secret, sizeof(secret), value, strlen(value), NULL, NULL, NULL) != 0)
		rc = err_set(e, ERR_STORE, NULL, "the stored secret is malformed");
	else if (rc == 1)
		rc = err_set(e, ERR_STORE, NULL, "the secret could not be stored");
	arena_cleanup(&a);
	return rc;
}

void access_new_token(char out[ACCESS_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, ACCESS_TOKEN_LEN + 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void access_token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int access_session_hash(const char *token, char out[65])
{
	if (token == NULL || strlen(token) != ACCESS_TOKEN_LEN)
		return -1;
	access_token_hash(token, out);
	return 0;
}

struct put_session {
	const char *hash;
	struct session ss;
};

static int put_session(struct store_tx *tx, void *arg, struct err *e)
{
	struct put_session *p = arg;
	return store_session_put(tx, p->hash, &p->ss, e);
}

static const char *const role_names[] = {
	[ROLE_ANONYMOUS] = "anonymous",	  [ROLE_PERSON] = "person",	    [ROLE_CASEWORKER] = "caseworker",
	[ROLE_SUPPORT] = "support",	  [ROLE_MANAGEMENT] = "management", [ROLE_INSTITUTION] = "institution",
};

enum assurance access_assurance_of(const char *acr)
{
	if (acr != NULL && strcmp(acr, ACR_HIGH) == 0)
		return ASSURANCE_HIGH;
	if (acr != NULL && strcmp(acr, ACR_SUBSTANTIAL) == 0)
		return ASSURANCE_SUBSTANTIAL;
	return ASSURANCE_NONE;
}

const char *access_role_name(enum role r)
{
	return r >= ROLE_ANONYMOUS && r <= ROLE_INSTITUTION ? role_names[r] : "anonymous";
}

enum role access_staff_role(const char *name)
{
	for (int r = ROLE_CASEWORKER; r <= ROLE_INSTITUTION; r++)
		if (name != NULL && strcmp(name, role_names[r]) == 0)
			return (enum role)r;
	return ROLE_ANONYMOUS;
}

int access_session_start(struct store *s, int64_t person_id, enum role role, int64_t now, int64_t ttl,
			 char token[ACCESS_TOKEN_LEN + 1], struct err *e)
{
	return access_session_switch(s, NULL, person_id, 0, role, now, ttl, token, e);
}

int access_session_find(struct store *s, const char *token, int64_t now, struct principal *who,
			struct arena *a, struct err *e)
{
	char hash[65];
	struct session ss;
	who->role = ROLE_ANONYMOUS;
	who->person_id = 0;
	who->staff_id = 0;
	who->may_see_confidential = 0;
	who->institution = NULL;
	who->admin = 0;
	who->assurance = ASSURANCE_NONE;
	who->client_id = NULL;
	who->acting_for = 0;
	who->grant = GRANT_SELF;
	who->proxy_id = 0;
	who->scopes = 0;
	if (token == NULL || strlen(token) != ACCESS_TOKEN_LEN)
		return 1;
	access_token_hash(token, hash);
	int rc = store_session_get(s, hash, &ss, a, e);
	if (rc != 0)
		return rc;
	if (ss.expires_at <= now)
		return 1;
	who->assurance = access_assurance_of(ss.acr);
	if (ss.staff_id != 0) {
		struct staff st;
		rc = store_staff_get(s, ss.staff_id, &st, a, e);
		if (rc != 0)
			return rc; /* staff removed: the session is gone with them */
		enum role role = access_staff_role(st.role);
		if (role == ROLE_ANONYMOUS || strcmp(ss.role, st.role) != 0)
			return 1; /* a changed role ends the session */
		who->role = role;
		who->staff_id = st.id;
		who->may_see_confidential = st.may_see_confidential;
		who->institution = st.institution;
		who->admin = st.admin;
		return 0;
	}
	who->person_id = ss.person_id;
	who->role = strcmp(ss.role, "person") == 0 ? ROLE_PERSON : ROLE_ANONYMOUS;
	/* Acting for a child or a grantor (relations.c): the grant is checked
	 * again by the request's clock. */
	if (who->role == ROLE_PERSON)
		return access_grant_load(s, hash, now, who, a, e);
	return 0;
}

static int delete_session(struct store_tx *tx, void *arg, struct err *e)
{
	return store_session_delete(tx, arg, e);
}

struct switch_session {
	const char *old_hash; /* or NULL */
	struct put_session put;
};

static int switch_session(struct store_tx *tx, void *arg, struct err *e)
{
	struct switch_session *sw = arg;
	if (sw->old_hash != NULL && store_session_delete(tx, sw->old_hash, e) != 0)
		return -1;
	return put_session(tx, &sw->put, e);
}

int access_session_switch(struct store *s, const char *old_token, int64_t person_id, int64_t staff_id,
			  enum role role, int64_t now, int64_t ttl, char token[ACCESS_TOKEN_LEN + 1], struct err *e)
{
	char hash[65], old_hash[65];
	access_new_token(token);
	access_token_hash(token, hash);
	struct switch_session sw = {NULL, {hash, {person_id, access_role_name(role), now + ttl, staff_id, ACR_HIGH}}};
	if (old_token != NULL && old_token[0] != '\0') {
		access_token_hash(old_token, old_hash);
		sw.old_hash = old_hash;
	}
	return store_write(s, switch_session, &sw, e);
}

int access_session_end(struct store *s, const char *token, struct err *e)
{
	char hash[65];
	access_token_hash(token, hash);
	return store_write(s, delete_session, hash, e);
}

void access_csrf(const char *token, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256(mac, (const unsigned char *)token, strlen(token), secret);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

int access_csrf_ok(const char *token, const char *csrf)
{
	char want[65];
	if (token == NULL || csrf == NULL || strlen(csrf) != 64)
		return 0;
	access_csrf(token, want);
	return sodium_memcmp(want, csrf, 64) == 0;
}

/* The `pre` token's MAC: HMAC-SHA-256 under the secret of a label and the
 * random part, cut to 16 bytes (128 bits: no guessing). The label keeps it
 * apart from the CSRF tokens, which are MACs under the same secret. */
#define PRE_RANDOM 16
#define PRE_MAC 16

static void pre_mac(const unsigned char random[PRE_RANDOM], unsigned char out[PRE_MAC])
{
	static const char label[] = "stipend pre token v1";
	unsigned char msg[sizeof(label) + PRE_RANDOM], mac[crypto_auth_hmacsha256_BYTES];
	memcpy(msg, label, sizeof(label));
	memcpy(msg + sizeof(label), random, PRE_RANDOM);
	crypto_auth_hmacsha256(mac, msg, sizeof(msg), secret);
	memcpy(out, mac, PRE_MAC);
}

void access_pre_token(char out[ACCESS_TOKEN_LEN + 1])
{
	unsigned char raw[PRE_RANDOM + PRE_MAC];
	randombytes_buf(raw, PRE_RANDOM);
	pre_mac(raw, raw + PRE_RANDOM);
	sodium_bin2base64(out, ACCESS_TOKEN_LEN + 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int access_pre_ok(const char *token)
{
	unsigned char raw[PRE_RANDOM + PRE_MAC], want[PRE_MAC];
	char again[ACCESS_TOKEN_LEN + 1];
	size_t len = 0;
	if (token == NULL || strlen(token) != ACCESS_TOKEN_LEN ||
	    sodium_base642bin(raw, sizeof(raw), token, ACCESS_TOKEN_LEN, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw))
		return 0;
	/* One spelling per token: the CSRF token derives from the text, so a
	 * second spelling of the same bytes (the last character's spare bits)
	 * must not pass either. */
	sodium_bin2base64(again, sizeof(again), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (strcmp(again, token) != 0)
		return 0;
	pre_mac(raw, want);
	return sodium_memcmp(want, raw + PRE_RANDOM, PRE_MAC) == 0;
}
