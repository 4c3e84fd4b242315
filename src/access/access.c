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
	if (who->role == ROLE_CASEWORKER && who->staff_id != 0)
		snprintf(out, len, "staff:%lld", (long long)who->staff_id);
	else if (who->role == ROLE_ANONYMOUS || who->person_id == 0)
		snprintf(out, len, "anonymous");
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

static void token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
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

static const char *role_name(enum role r)
{
	return r == ROLE_PERSON ? "person" : r == ROLE_CASEWORKER ? "caseworker" : "anonymous";
}

int access_session_start(struct store *s, int64_t person_id, enum role role, int64_t now, int64_t ttl,
			 char token[ACCESS_TOKEN_LEN + 1], struct err *e)
{
	char hash[65];
	access_new_token(token);
	token_hash(token, hash);
	struct put_session p = {hash, {person_id, role_name(role), now + ttl, 0}};
	return store_write(s, put_session, &p, e);
}

int access_session_start_staff(struct store *s, int64_t staff_id, int64_t now, int64_t ttl,
			       char token[ACCESS_TOKEN_LEN + 1], struct err *e)
{
	char hash[65];
	access_new_token(token);
	token_hash(token, hash);
	struct put_session p = {hash, {0, role_name(ROLE_CASEWORKER), now + ttl, staff_id}};
	return store_write(s, put_session, &p, e);
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
	if (token == NULL || strlen(token) != ACCESS_TOKEN_LEN)
		return 1;
	token_hash(token, hash);
	int rc = store_session_get(s, hash, &ss, a, e);
	if (rc != 0)
		return rc;
	if (ss.expires_at <= now)
		return 1;
	if (strcmp(ss.role, "caseworker") == 0 && ss.staff_id != 0) {
		struct staff st;
		rc = store_staff_get(s, ss.staff_id, &st, a, e);
		if (rc != 0)
			return rc; /* staff removed: the session is gone with them */
		if (strcmp(st.role, "caseworker") != 0)
			return 1;
		who->role = ROLE_CASEWORKER;
		who->staff_id = st.id;
		who->may_see_confidential = st.may_see_confidential;
		return 0;
	}
	who->person_id = ss.person_id;
	who->role = strcmp(ss.role, "person") == 0 ? ROLE_PERSON : ROLE_ANONYMOUS;
	return 0;
}

static int delete_session(struct store_tx *tx, void *arg, struct err *e)
{
	return store_session_delete(tx, arg, e);
}

int access_session_end(struct store *s, const char *token, struct err *e)
{
	char hash[65];
	token_hash(token, hash);
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
