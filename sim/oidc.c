/* oidc.c - the test OpenID provider: ID-porten and the agency's staff login
 * as the simulator plays them; see oidc.h.
 *
 * Everything lives in memory under one mutex: the key ring (RSA 2048, the
 * newest signs, the one before it stays in the JWKS so that tokens signed
 * just before a rotation still verify, as a real provider's rollover
 * does), the codes issued (each used once, valid for a minute), the
 * tampering asked for the next ID token, and a count of logouts. The issuer
 * is http://<Host>/oidc/<realm>, from the request's Host header, so the same
 * simulator serves whatever address the tests gave it. It logs no identity
 * number. */
#include "sim/oidc.h"

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/nin.h"
#include "sim/synth.h"

#define ACR_SUBSTANTIAL "idporten-loa-substantial"
#define ACR_HIGH "idporten-loa-high"
#define CODE_TTL 60   /* seconds a code may wait for its exchange */
#define TOKEN_TTL 120 /* an ID token's lifetime, as ID-porten's */
#define CODES_MAX 256 /* codes kept; the oldest give way */
#define KEYS_MAX 2    /* the signing key and the one before it */
#define LOGIN_LIST 40 /* persons on the login page */

struct key {
	EVP_PKEY *pkey;
	char kid[32];
};

struct code {
	char code[44];
	char realm[16];
	char client_id[64];
	char redirect_uri[512];
	char challenge[64];
	char nonce[128];
	char subject[64]; /* pid, or a staff username */
	char acr[32];
	int64_t issued_at;
	int used;
};

/* What the next ID token gets wrong (a test asks for it). */
struct tamper {
	int armed;
	char nonce[128];    /* "": the right one */
	char aud[64];       /* "": the client's */
	char iss[256];      /* "": the realm's */
	int64_t exp_offset; /* seconds added to exp (negative: expired) */
	int unknown_key;    /* signed by a key the JWKS never lists */
	int forged;         /* signed by that key, but naming the signing key's kid */
};

static struct {
	pthread_mutex_t mu;
	int64_t persons;
	uint64_t seed;
	struct key keys[KEYS_MAX]; /* keys[0] signs */
	int n_keys, key_serial;
	struct key stranger; /* a key no JWKS lists */
	struct code codes[CODES_MAX];
	int next_code;
	struct tamper tamper;
	int64_t logouts;
	char last_logout_subject[64];
} op = {.mu = PTHREAD_MUTEX_INITIALIZER};

static const struct staff_user {
	const char *username, *name, *role;
} staff_users[] = {
    {"sara.berg", "Sara Berg", "caseworker"},
    {"per.lund", "Per Lund", "caseworker"},
    {"siri.hauge", "Siri Hauge", "support"},
    {"mona.vik", "Mona Vik", "management"},
    {"ingrid.dahl", "Ingrid Dahl", "institution"},
    {"hans.moe", "Hans Moe", "institution"},
};

static int keys_ready(void);

/* Make the keys in the background: RSA key generation takes seconds on a
 * busy machine, which the first login should not wait for (a client's
 * back channel would give up), nor the simulator's start. */
static void *make_keys(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&op.mu);
	keys_ready();
	pthread_mutex_unlock(&op.mu);
	return NULL;
}

void oidc_init(int64_t persons, uint64_t seed)
{
	pthread_t t;
	pthread_mutex_lock(&op.mu);
	op.persons = persons;
	op.seed = seed;
	pthread_mutex_unlock(&op.mu);
	if (pthread_create(&t, NULL, make_keys, NULL) == 0)
		pthread_detach(t);
}

/* ---- keys and JWTs ---- */

static void b64url(struct buf *out, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		buf_putc(out, tab[v >> 18 & 63]);
		buf_putc(out, tab[v >> 12 & 63]);
		buf_putc(out, tab[v >> 6 & 63]);
		buf_putc(out, tab[v & 63]);
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		buf_putc(out, tab[v >> 18 & 63]);
		buf_putc(out, tab[v >> 12 & 63]);
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		buf_putc(out, tab[v >> 18 & 63]);
		buf_putc(out, tab[v >> 12 & 63]);
		buf_putc(out, tab[v >> 6 & 63]);
	}
}

static void random_token(char *out, size_t size)
{
	unsigned char raw[32];
	struct buf b;
	RAND_bytes(raw, sizeof(raw));
	buf_init(&b, 64);
	b64url(&b, raw, sizeof(raw));
	snprintf(out, size, "%s", buf_str(&b));
	buf_cleanup(&b);
}

static int make_key(struct key *k, const char *kid)
{
	k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	snprintf(k->kid, sizeof(k->kid), "%s", kid);
	return k->pkey != NULL ? 0 : -1;
}

/* A new signing key; the oldest beyond KEYS_MAX leaves the JWKS. Under mu. */
static int rotate(void)
{
	char kid[32];
	struct key k;
	snprintf(kid, sizeof(kid), "sim-%d", ++op.key_serial);
	if (make_key(&k, kid) != 0)
		return -1;
	if (op.n_keys == KEYS_MAX)
		EVP_PKEY_free(op.keys[KEYS_MAX - 1].pkey);
	else
		op.n_keys++;
	memmove(&op.keys[1], &op.keys[0], sizeof(op.keys[0]) * (size_t)(op.n_keys - 1));
	op.keys[0] = k;
	return 0;
}

/* The keys, made by oidc_init's thread or else on first use. Under mu. */
static int keys_ready(void)
{
	if (op.n_keys > 0)
		return 0;
	if (op.stranger.pkey == NULL && make_key(&op.stranger, "sim-stranger") != 0)
		return -1;
	/* Two keys from the start: the JWKS always shows a rollover. */
	return rotate() != 0 || rotate() != 0 ? -1 : 0;
}

void oidc_reset(void)
{
	pthread_mutex_lock(&op.mu);
	for (int i = 0; i < op.n_keys; i++)
		EVP_PKEY_free(op.keys[i].pkey);
	op.n_keys = 0;
	memset(op.codes, 0, sizeof(op.codes));
	memset(&op.tamper, 0, sizeof(op.tamper));
	op.logouts = 0;
	op.last_logout_subject[0] = '\0';
	pthread_mutex_unlock(&op.mu);
}

static int bn_param(EVP_PKEY *k, const char *name, struct buf *out)
{
	BIGNUM *bn = NULL;
	if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
		return -1;
	int n = BN_num_bytes(bn);
	unsigned char *raw = malloc((size_t)n);
	if (raw == NULL) {
		BN_free(bn);
		return -1;
	}
	BN_bn2bin(bn, raw);
	b64url(out, raw, (size_t)n);
	free(raw);
	BN_free(bn);
	return 0;
}

static json_t *jwk(const struct key *k)
{
	struct buf n, e;
	buf_init(&n, 4096);
	buf_init(&e, 64);
	json_t *j = NULL;
	if (bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &n) == 0 && bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 0)
		j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "RSA", "use", "sig", "alg", "RS256", "kid", k->kid,
		              "n", buf_str(&n), "e", buf_str(&e));
	buf_cleanup(&n);
	buf_cleanup(&e);
	return j;
}

/* header.payload.signature, signed RS256 with k, into out. */
static int sign_jwt(const struct key *k, json_t *payload, struct buf *out)
{
	json_t *hdr = json_pack("{s:s,s:s,s:s}", "alg", "RS256", "typ", "JWT", "kid", k->kid);
	char *h = json_dumps(hdr, JSON_COMPACT), *p = json_dumps(payload, JSON_COMPACT);
	json_decref(hdr);
	int rc = -1;
	unsigned char sig[512];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (h == NULL || p == NULL || ctx == NULL)
		goto out;
	b64url(out, (const unsigned char *)h, strlen(h));
	buf_putc(out, '.');
	b64url(out, (const unsigned char *)p, strlen(p));
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)out->p, out->len) != 1)
		goto out;
	buf_putc(out, '.');
	b64url(out, sig, siglen);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(h);
	free(p);
	return rc;
}

/* ---- HTTP helpers ---- */

static int reply(struct MHD_Connection *c, int status, const char *type, const char *body, const char *location)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (location != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
	int rc = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return rc;
}

static int reply_json(struct MHD_Connection *c, int status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	int rc = reply(c, s ? status : 500, "application/json", s ? s : "{\"error\":\"server_error\"}", NULL);
	free(s);
	json_decref(j);
	return rc;
}

static int oauth_error(struct MHD_Connection *c, int status, const char *code, const char *why)
{
	return reply_json(c, status, json_pack("{s:s,s:s}", "error", code, "error_description", why));
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* The value of key in a urlencoded body, decoded into out; 0 or -1. */
static int form_get(const char *body, size_t len, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key), i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end - i > klen && memcmp(body + i, key, klen) == 0 && body[i + klen] == '=') {
			size_t o = 0;
			for (size_t j = i + klen + 1; j < end && o + 1 < size; j++) {
				if (body[j] == '+') {
					out[o++] = ' ';
				} else if (body[j] == '%' && j + 2 < end && hexval(body[j + 1]) >= 0 &&
				           hexval(body[j + 2]) >= 0) {
					out[o++] = (char)(hexval(body[j + 1]) * 16 + hexval(body[j + 2]));
					j += 2;
				} else {
					out[o++] = body[j];
				}
			}
			out[o] = '\0';
			return strlen(out) == o ? 0 : -1;
		}
		i = end + 1;
	}
	return -1;
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

static const char *arg(struct MHD_Connection *c, const char *key)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

static void issuer(struct MHD_Connection *c, const char *realm, char *out, size_t size)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	snprintf(out, size, "http://%s/oidc/%s", host ? host : "127.0.0.1", realm);
}

static int client_ok(const char *realm, const char *id, const char *secret)
{
	if (strcmp(realm, "idporten") == 0)
		return strcmp(id, OIDC_PERSON_CLIENT) == 0 &&
		       (secret == NULL || strcmp(secret, OIDC_PERSON_SECRET) == 0);
	return strcmp(id, OIDC_STAFF_CLIENT) == 0 && (secret == NULL || strcmp(secret, OIDC_STAFF_SECRET) == 0);
}

/* ---- the endpoints ---- */

static int discovery(struct MHD_Connection *c, const char *realm)
{
	char iss[256];
	issuer(c, realm, iss, sizeof(iss));
	json_t *j = json_pack(
	    "{s:s,s:s+,s:s+,s:s+,s:s+,s:[s],s:[s],s:[s],s:[s],s:[s,s],s:[s,s],s:[s,s,s]}", "issuer", iss,
	    "authorization_endpoint", iss, "/authorize", "token_endpoint", iss, "/token", "jwks_uri", iss, "/jwks",
	    "end_session_endpoint", iss, "/endsession", "response_types_supported", "code", "subject_types_supported",
	    "pairwise", "id_token_signing_alg_values_supported", "RS256", "code_challenge_methods_supported", "S256",
	    "acr_values_supported", ACR_SUBSTANTIAL, ACR_HIGH, "token_endpoint_auth_methods_supported",
	    "client_secret_basic", "client_secret_post", "scopes_supported", "openid", "profile", "roles");
	return reply_json(c, 200, j);
}

static int jwks(struct MHD_Connection *c)
{
	json_t *keys = json_array();
	pthread_mutex_lock(&op.mu);
	int ok = keys_ready() == 0;
	for (int i = 0; ok && i < op.n_keys; i++)
		json_array_append_new(keys, jwk(&op.keys[i]));
	pthread_mutex_unlock(&op.mu);
	if (!ok) {
		json_decref(keys);
		return oauth_error(c, 500, "server_error", "no keys");
	}
	return reply_json(c, 200, json_pack("{s:o}", "keys", keys));
}

static void html_head(struct buf *b, const char *title)
{
	buf_puts(b, "<!doctype html><html lang=\"nb\"><head><meta charset=\"utf-8\">"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	buf_put_html(b, title, strlen(title));
	buf_puts(b, "</title><style>body{font-family:sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem}"
	            "label{display:block;padding:.4rem 0}fieldset{margin:1rem 0}table{border-collapse:collapse}"
	            "td,th{padding:.2rem .5rem;text-align:left;vertical-align:top}"
	            ".scroll{overflow-x:auto}</style></head><body><main>");
}

static void hidden(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	buf_put_html(b, value ? value : "", value ? strlen(value) : 0);
	buf_puts(b, "\">");
}

static const char *schooling(const struct synth_person *p, char *out, size_t size)
{
	const char *who = p->role == SYNTH_PARENT ? "forelder" : p->role == SYNTH_CHILD ? "barn" : NULL;
	if (p->level == SYNTH_NOT_ENROLLED || p->institution == NULL)
		snprintf(out, size, "%s; ingen skoleplass i %s", who ? who : "ikke i utdanning", SYNTH_SCHOOL_YEAR);
	else
		snprintf(out, size, "%s%s ved %s (%s), %d %%", who ? who : "",
		         p->level == SYNTH_UPPER_SECONDARY ? (who ? ", elev" : "elev i videregående")
		                                           : (who ? ", student" : "student i høyere utdanning"),
		         p->institution->name, p->programme ? p->programme : "-", p->load_percent);
	return out;
}

/* The login page: whom to log in as, at which level. The request's
 * parameters travel on in hidden fields. */
static int login_page(struct MHD_Connection *c, const char *realm)
{
	const char *keys[] = {"client_id",      "redirect_uri",          "state", "nonce",
	                      "code_challenge", "code_challenge_method", "scope"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (arg(c, keys[i]) == NULL || arg(c, keys[i])[0] == '\0')
			return reply(c, 400, "text/plain; charset=utf-8", "missing parameter\n", NULL);
	if (strcmp(arg(c, "response_type") ? arg(c, "response_type") : "", "code") != 0 ||
	    strcmp(arg(c, "code_challenge_method"), "S256") != 0 || strstr(arg(c, "scope"), "openid") == NULL ||
	    !client_ok(realm, arg(c, "client_id"), NULL))
		return reply(c, 400, "text/plain; charset=utf-8",
		             "bad request: response_type code, S256 and scope openid, "
		             "for a known client\n",
		             NULL);
	int staff = strcmp(realm, "agency") == 0;
	const char *want = arg(c, "acr_values");
	int high = want != NULL && strcmp(want, ACR_HIGH) == 0;
	struct buf b;
	buf_init(&b, 1 << 20);
	html_head(&b, staff ? "Etatens innlogging (test)" : "ID-porten (test)");
	buf_puts(&b, staff ? "<h1>Etatens innlogging (test)</h1><p>Velg en testansatt.</p>"
	                   : "<h1>ID-porten (testleverandør)</h1><p>Velg en syntetisk person, eller skriv et "
	                     "testfødselsnummer.</p>");
	buf_printf(&b, "<form method=\"post\" action=\"/oidc/%s/authorize\">", realm);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		hidden(&b, keys[i], arg(c, keys[i]));
	if (staff) {
		buf_puts(&b, "<fieldset><legend>Ansatt</legend>");
		for (size_t i = 0; i < sizeof(staff_users) / sizeof(staff_users[0]); i++) {
			buf_printf(&b, "<label><input type=\"radio\" name=\"username\" value=\"%s\"%s> ",
			           staff_users[i].username, i == 0 ? " checked" : "");
			buf_put_html(&b, staff_users[i].name, strlen(staff_users[i].name));
			buf_printf(&b, " (%s, rolle %s)</label>", staff_users[i].username, staff_users[i].role);
		}
		buf_puts(&b, "</fieldset>");
	} else {
		int64_t persons, n;
		uint64_t seed;
		pthread_mutex_lock(&op.mu);
		persons = op.persons;
		seed = op.seed;
		pthread_mutex_unlock(&op.mu);
		n = persons < LOGIN_LIST ? persons : LOGIN_LIST;
		date_t today = date_today();
		buf_puts(&b, "<fieldset><legend>Person</legend><div class=\"scroll\"><table><thead><tr><th>Velg</th>"
		             "<th>Navn</th><th>Alder</th><th>Registrene om skolegang</th></tr></thead><tbody>");
		for (int64_t i = 0; i < n; i++) {
			struct synth_person p;
			char text[256], id[32];
			if (synth_person(seed, i, &p) != 0)
				continue;
			snprintf(id, sizeof(id), "p%lld", (long long)i);
			buf_printf(&b,
			           "<tr><td><input type=\"radio\" name=\"pid\" id=\"%s\" value=\"%s\"%s></td>"
			           "<td><label for=\"%s\">",
			           id, p.nin, i == 0 ? " checked" : "", id);
			buf_put_html(&b, p.given_name, strlen(p.given_name));
			buf_putc(&b, ' ');
			buf_put_html(&b, p.family_name, strlen(p.family_name));
			buf_printf(&b, "</label></td><td>%d</td><td>", date_age(p.birth_date, today));
			schooling(&p, text, sizeof(text));
			buf_put_html(&b, text, strlen(text));
			buf_puts(&b, "</td></tr>");
		}
		buf_puts(&b, "</tbody></table></div><label>Eller testfødselsnummer: <input name=\"pid_typed\" "
		             "inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"11\"></label></fieldset>");
	}
	buf_printf(&b,
	           "<fieldset><legend>Sikkerhetsnivå</legend>"
	           "<label><input type=\"radio\" name=\"acr\" value=\"%s\"%s> Betydelig (MinID)</label>"
	           "<label><input type=\"radio\" name=\"acr\" value=\"%s\"%s> Høyt (BankID)</label></fieldset>",
	           ACR_SUBSTANTIAL, high ? "" : " checked", ACR_HIGH, high ? " checked" : "");
	buf_puts(&b, "<button type=\"submit\">Logg inn</button></form></main></body></html>");
	int rc = reply(c, 200, "text/html; charset=utf-8", buf_str(&b), NULL);
	buf_cleanup(&b);
	return rc;
}

/* The login form's answer: a code for the chosen person, sent back to the
 * client's redirect_uri with the state. */
static int login_post(struct MHD_Connection *c, const char *realm, const char *body, size_t len)
{
	struct code k;
	char method[16], scope[128], state[256], subject[64], typed[64];
	memset(&k, 0, sizeof(k));
	if (form_get(body, len, "client_id", k.client_id, sizeof(k.client_id)) != 0 ||
	    form_get(body, len, "redirect_uri", k.redirect_uri, sizeof(k.redirect_uri)) != 0 ||
	    form_get(body, len, "code_challenge", k.challenge, sizeof(k.challenge)) != 0 ||
	    form_get(body, len, "code_challenge_method", method, sizeof(method)) != 0 ||
	    form_get(body, len, "nonce", k.nonce, sizeof(k.nonce)) != 0 ||
	    form_get(body, len, "state", state, sizeof(state)) != 0 ||
	    form_get(body, len, "scope", scope, sizeof(scope)) != 0 ||
	    form_get(body, len, "acr", k.acr, sizeof(k.acr)) != 0 || strcmp(method, "S256") != 0 ||
	    !client_ok(realm, k.client_id, NULL) ||
	    (strcmp(k.acr, ACR_SUBSTANTIAL) != 0 && strcmp(k.acr, ACR_HIGH) != 0))
		return reply(c, 400, "text/plain; charset=utf-8", "bad login form\n", NULL);
	int staff = strcmp(realm, "agency") == 0;
	if (staff) {
		if (form_get(body, len, "username", subject, sizeof(subject)) != 0)
			return reply(c, 400, "text/plain; charset=utf-8", "choose a member of staff\n", NULL);
		int known = 0;
		for (size_t i = 0; i < sizeof(staff_users) / sizeof(staff_users[0]); i++)
			known |= strcmp(staff_users[i].username, subject) == 0;
		if (!known)
			return reply(c, 400, "text/plain; charset=utf-8", "no such member of staff\n", NULL);
	} else {
		if (form_get(body, len, "pid_typed", typed, sizeof(typed)) == 0 && typed[0] != '\0')
			snprintf(subject, sizeof(subject), "%s", typed);
		else if (form_get(body, len, "pid", subject, sizeof(subject)) != 0)
			return reply(c, 400, "text/plain; charset=utf-8", "choose a person\n", NULL);
		if (nin_parse(subject, NULL, NULL) != 0)
			return reply(c, 400, "text/plain; charset=utf-8", "not a national identity number\n", NULL);
	}
	snprintf(k.subject, sizeof(k.subject), "%s", subject);
	snprintf(k.realm, sizeof(k.realm), "%s", realm);
	random_token(k.code, sizeof(k.code));
	k.issued_at = date_now_unix();
	pthread_mutex_lock(&op.mu);
	op.codes[op.next_code] = k;
	op.next_code = (op.next_code + 1) % CODES_MAX;
	pthread_mutex_unlock(&op.mu);
	char iss[256];
	issuer(c, realm, iss, sizeof(iss));
	struct buf loc;
	buf_init(&loc, 4096);
	buf_puts(&loc, k.redirect_uri);
	buf_puts(&loc, strchr(k.redirect_uri, '?') ? "&code=" : "?code=");
	url_encode(&loc, k.code);
	buf_puts(&loc, "&state=");
	url_encode(&loc, state);
	buf_puts(&loc, "&iss=");
	url_encode(&loc, iss);
	int rc = reply(c, 302, "text/plain; charset=utf-8", "", buf_str(&loc));
	buf_cleanup(&loc);
	return rc;
}

/* The client's credentials: HTTP Basic, else client_id and client_secret
 * in the body. */
static int client_credentials(struct MHD_Connection *c, const char *body, size_t len, char *id, size_t id_size,
                              char *secret, size_t secret_size)
{
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(c, &pass);
	int rc = -1;
	if (user != NULL && pass != NULL) {
		snprintf(id, id_size, "%s", user);
		snprintf(secret, secret_size, "%s", pass);
		rc = 0;
	} else if (form_get(body, len, "client_id", id, id_size) == 0 &&
	           form_get(body, len, "client_secret", secret, secret_size) == 0) {
		rc = 0;
	}
	MHD_free(user);
	MHD_free(pass);
	return rc;
}

static int token(struct MHD_Connection *c, const char *realm, const char *body, size_t len)
{
	char grant[64], code[64], redirect[512], verifier[160], id[64], secret[128];
	if (form_get(body, len, "grant_type", grant, sizeof(grant)) != 0 || strcmp(grant, "authorization_code") != 0)
		return oauth_error(c, 400, "unsupported_grant_type", "grant_type must be authorization_code");
	if (client_credentials(c, body, len, id, sizeof(id), secret, sizeof(secret)) != 0 ||
	    !client_ok(realm, id, secret))
		return oauth_error(c, 401, "invalid_client", "unknown client or wrong secret");
	if (form_get(body, len, "code", code, sizeof(code)) != 0 ||
	    form_get(body, len, "redirect_uri", redirect, sizeof(redirect)) != 0 ||
	    form_get(body, len, "code_verifier", verifier, sizeof(verifier)) != 0)
		return oauth_error(c, 400, "invalid_request", "code, redirect_uri and code_verifier are required");
	/* PKCE: BASE64URL(SHA-256(verifier)) must be the challenge. */
	unsigned char digest[32];
	unsigned int dlen = 0;
	struct buf challenge;
	buf_init(&challenge, 64);
	EVP_Digest(verifier, strlen(verifier), digest, &dlen, EVP_sha256(), NULL);
	b64url(&challenge, digest, dlen);

	struct code k;
	const char *why = NULL;
	struct tamper t;
	struct key signer;
	pthread_mutex_lock(&op.mu);
	int found = -1;
	for (int i = 0; i < CODES_MAX; i++)
		if (op.codes[i].code[0] != '\0' && strcmp(op.codes[i].code, code) == 0)
			found = i;
	if (found < 0)
		why = "unknown code";
	else if (op.codes[found].used)
		why = "the code was used already";
	else if (op.codes[found].issued_at + CODE_TTL < date_now_unix())
		why = "the code expired";
	else if (strcmp(op.codes[found].realm, realm) != 0 || strcmp(op.codes[found].client_id, id) != 0)
		why = "the code was issued to another client";
	else if (strcmp(op.codes[found].redirect_uri, redirect) != 0)
		why = "redirect_uri differs from the authorization request's";
	else if (strcmp(op.codes[found].challenge, buf_str(&challenge)) != 0)
		why = "code_verifier does not match code_challenge";
	if (found >= 0)
		op.codes[found].used = 1; /* a failed exchange spends the code too */
	if (why == NULL && keys_ready() != 0)
		why = "no keys";
	if (why == NULL) {
		k = op.codes[found];
		t = op.tamper;
		memset(&op.tamper, 0, sizeof(op.tamper));
		signer = t.armed && (t.unknown_key || t.forged) ? op.stranger : op.keys[0];
		if (t.armed && t.forged)
			snprintf(signer.kid, sizeof(signer.kid), "%s", op.keys[0].kid);
		/* The key object is shared: sign under the lock. */
	}
	buf_cleanup(&challenge);
	if (why != NULL) {
		pthread_mutex_unlock(&op.mu);
		return oauth_error(c, 400, "invalid_grant", why);
	}
	char iss[256];
	issuer(c, realm, iss, sizeof(iss));
	int64_t now = date_now_unix();
	json_t *claims =
	    json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:[s]}", "iss", t.armed && t.iss[0] ? t.iss : iss, "aud",
	              t.armed && t.aud[0] ? t.aud : k.client_id, "iat", (json_int_t)now, "exp",
	              (json_int_t)(now + TOKEN_TTL + (t.armed ? t.exp_offset : 0)), "auth_time", (json_int_t)now,
	              "nonce", t.armed && t.nonce[0] ? t.nonce : k.nonce, "acr", k.acr, "amr", "TestID");
	char sub[64];
	/* A pairwise subject: not the identity number itself. */
	unsigned char h[32];
	unsigned int hl = 0;
	struct buf sb;
	buf_init(&sb, 64);
	EVP_Digest(k.subject, strlen(k.subject), h, &hl, EVP_sha256(), NULL);
	b64url(&sb, h, 16);
	snprintf(sub, sizeof(sub), "%s", buf_str(&sb));
	buf_cleanup(&sb);
	json_object_set_new(claims, "sub", json_string(sub));
	char sid[48];
	random_token(sid, sizeof(sid));
	json_object_set_new(claims, "sid", json_string(sid));
	if (strcmp(realm, "agency") == 0) {
		for (size_t i = 0; i < sizeof(staff_users) / sizeof(staff_users[0]); i++)
			if (strcmp(staff_users[i].username, k.subject) == 0) {
				json_object_set_new(claims, "preferred_username", json_string(k.subject));
				json_object_set_new(claims, "name", json_string(staff_users[i].name));
				json_object_set_new(claims, "roles", json_pack("[s]", staff_users[i].role));
			}
	} else {
		json_object_set_new(claims, "pid", json_string(k.subject));
	}
	struct buf jwt;
	buf_init(&jwt, 16384);
	int rc = sign_jwt(&signer, claims, &jwt);
	pthread_mutex_unlock(&op.mu);
	json_decref(claims);
	char access[48];
	random_token(access, sizeof(access));
	int res = rc == 0
	              ? reply_json(c, 200,
	                           json_pack("{s:s,s:s,s:i,s:s,s:s}", "access_token", access, "token_type", "Bearer",
	                                     "expires_in", TOKEN_TTL, "id_token", buf_str(&jwt), "scope", "openid"))
	              : oauth_error(c, 500, "server_error", "cannot sign");
	buf_cleanup(&jwt);
	return res;
}

/* End the session at the provider (it keeps none but the count) and send
 * the browser back where the client asked. */
static int end_session(struct MHD_Connection *c, const char *realm)
{
	const char *back = arg(c, "post_logout_redirect_uri"), *state = arg(c, "state");
	const char *hint = arg(c, "id_token_hint");
	pthread_mutex_lock(&op.mu);
	op.logouts++;
	snprintf(op.last_logout_subject, sizeof(op.last_logout_subject), "%s", realm);
	pthread_mutex_unlock(&op.mu);
	if (back == NULL || (strncmp(back, "http://", 7) != 0 && strncmp(back, "https://", 8) != 0) || hint == NULL) {
		struct buf b;
		buf_init(&b, 4096);
		html_head(&b, "Logget ut");
		buf_puts(&b, "<h1>Du er logget ut</h1></main></body></html>");
		int rc = reply(c, 200, "text/html; charset=utf-8", buf_str(&b), NULL);
		buf_cleanup(&b);
		return rc;
	}
	struct buf loc;
	buf_init(&loc, 4096);
	buf_puts(&loc, back);
	if (state != NULL) {
		buf_puts(&loc, strchr(back, '?') ? "&state=" : "?state=");
		url_encode(&loc, state);
	}
	int rc = reply(c, 302, "text/plain; charset=utf-8", "", buf_str(&loc));
	buf_cleanup(&loc);
	return rc;
}

/* The test-only control: GET the state (keys, logouts); POST {"rotate":
 * true} for a new signing key, {"reset": true}, or {"next_token": {"nonce",
 * "aud", "iss", "exp_offset", "unknown_key", "forged"}} to make the next ID token
 * wrong in that way. */
static int control(struct MHD_Connection *c, const char *method, const char *body, size_t len)
{
	if (strcmp(method, "GET") == 0) {
		json_t *kids = json_array();
		pthread_mutex_lock(&op.mu);
		int ok = keys_ready() == 0;
		for (int i = 0; ok && i < op.n_keys; i++)
			json_array_append_new(kids, json_string(op.keys[i].kid));
		json_t *j = json_pack("{s:o,s:I,s:b}", "kids", kids, "logouts", (json_int_t)op.logouts, "tamper_armed",
		                      op.tamper.armed);
		pthread_mutex_unlock(&op.mu);
		return reply_json(c, 200, j);
	}
	if (strcmp(method, "POST") != 0)
		return oauth_error(c, 405, "invalid_request", "GET or POST");
	json_error_t je;
	json_t *j = json_loadb(body ? body : "", len, 0, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		return oauth_error(c, 400, "invalid_request", "a JSON object");
	}
	int rc = 0;
	if (json_is_true(json_object_get(j, "reset")))
		oidc_reset();
	pthread_mutex_lock(&op.mu);
	if (json_is_true(json_object_get(j, "rotate")))
		rc = keys_ready() != 0 || rotate() != 0 ? -1 : 0;
	json_t *t = json_object_get(j, "next_token");
	if (json_is_object(t)) {
		memset(&op.tamper, 0, sizeof(op.tamper));
		op.tamper.armed = 1;
		const char *s;
		if ((s = json_string_value(json_object_get(t, "nonce"))) != NULL)
			snprintf(op.tamper.nonce, sizeof(op.tamper.nonce), "%s", s);
		if ((s = json_string_value(json_object_get(t, "aud"))) != NULL)
			snprintf(op.tamper.aud, sizeof(op.tamper.aud), "%s", s);
		if ((s = json_string_value(json_object_get(t, "iss"))) != NULL)
			snprintf(op.tamper.iss, sizeof(op.tamper.iss), "%s", s);
		op.tamper.exp_offset = json_integer_value(json_object_get(t, "exp_offset"));
		op.tamper.unknown_key = json_is_true(json_object_get(t, "unknown_key"));
		op.tamper.forged = json_is_true(json_object_get(t, "forged"));
	}
	pthread_mutex_unlock(&op.mu);
	json_decref(j);
	if (rc != 0)
		return oauth_error(c, 500, "server_error", "cannot make a key");
	return reply_json(c, 200, json_pack("{s:s}", "status", "ok"));
}

int oidc_handles(const char *url)
{
	return strncmp(url, OIDC_PREFIX, strlen(OIDC_PREFIX)) == 0;
}

int oidc_serve(struct MHD_Connection *c, const char *url, const char *method, const char *body, size_t len)
{
	const char *rest = url + strlen(OIDC_PREFIX);
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0, post = strcmp(method, "POST") == 0;
	if (strcmp(rest, "_control") == 0)
		return control(c, method, body, len);
	const char *realm = NULL;
	if (strncmp(rest, "idporten/", 9) == 0) {
		realm = "idporten";
		rest += 9;
	} else if (strncmp(rest, "agency/", 7) == 0) {
		realm = "agency";
		rest += 7;
	} else {
		return oauth_error(c, 404, "not_found", "no such provider");
	}
	if (strcmp(rest, ".well-known/openid-configuration") == 0 && get)
		return discovery(c, realm);
	if (strcmp(rest, "jwks") == 0 && get)
		return jwks(c);
	if (strcmp(rest, "authorize") == 0 && get)
		return login_page(c, realm);
	if (strcmp(rest, "authorize") == 0 && post)
		return login_post(c, realm, body, len);
	if (strcmp(rest, "token") == 0 && post)
		return token(c, realm, body, len);
	if (strcmp(rest, "endsession") == 0 && get)
		return end_session(c, realm);
	return oauth_error(c, 404, "not_found", "no such endpoint");
}
