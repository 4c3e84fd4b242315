/* contact.c - checking and storing a person's contact preferences, and
 * verifying a mobile number by a code; see contact.h. */
#include "calendar/contact.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/calendar.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int contact_email_check(const char *in, char *out, size_t len)
{
	const char *p = in ? in : "";
	while (is_space(*p))
		p++;
	size_t n = strlen(p);
	while (n > 0 && is_space(p[n - 1]))
		n--;
	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	if (n > CONTACT_EMAIL_MAX || n + 1 > len)
		return -1;
	const char *at = memchr(p, '@', n);
	if (at == NULL || at == p || memchr(at + 1, '@', n - (size_t)(at + 1 - p)) != NULL)
		return -1;
	const char *domain = at + 1;
	size_t dlen = n - (size_t)(domain - p);
	const char *dot = memchr(domain, '.', dlen);
	/* A dot inside the domain, not at either end, and no empty label. */
	if (dot == NULL || dot == domain || domain[dlen - 1] == '.' || domain[0] == '-')
		return -1;
	for (size_t i = 0; i + 1 < dlen; i++)
		if (domain[i] == '.' && domain[i + 1] == '.')
			return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
		    c == ':' || c == '\\' || c == '"' || c == '[' || c == ']')
			return -1;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int contact_mobile_normalise(const char *in, char out[16])
{
	char digits[24];
	int n = 0, plus = 0;
	for (const char *p = in ? in : ""; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == (int)sizeof(digits) - 1)
				return -1;
			digits[n++] = *p;
		} else if (*p == '+' && n == 0 && !plus) {
			plus = 1;
		} else if (*p != ' ' && *p != '-' && *p != '.' && *p != '(' && *p != ')' && !is_space(*p)) {
			return -1;
		}
	}
	digits[n] = '\0';
	if (n == 0 && !plus) {
		out[0] = '\0';
		return 0;
	}
	const char *local = digits;
	if (plus && n == 10 && strncmp(digits, "47", 2) == 0)
		local = digits + 2;
	else if (!plus && n == 12 && strncmp(digits, "0047", 4) == 0)
		local = digits + 4;
	else if (plus || n != 8)
		return -1;
	if (local[0] != '4' && local[0] != '9')
		return -1;
	memcpy(out, "+47", 3);
	memcpy(out + 3, local, 8);
	out[11] = '\0';
	return 0;
}

/* The hash kept of a code sent to number for person: hex BLAKE2b. */
static void code_hash(int64_t person_id, const char *number, const char *code, char out[65])
{
	unsigned char h[32];
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "stipend mobile code:%lld:%s:%s", (long long)person_id, number, code);
	crypto_generichash(h, sizeof(h), (const unsigned char *)msg, (size_t)n, NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
	sodium_memzero(msg, sizeof(msg));
}

static int same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int contact_load(struct store *s, int64_t person_id, struct contact_prefs *out, struct arena *a, struct err *e)
{
	int rc = store_contact_get(s, person_id, out, a, e);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		out->person_id = person_id;
		out->channel = "email";
		out->language = "nb";
		rc = 0;
	}
	return rc;
}

struct save {
	const struct principal *who;
	int64_t person_id; /* the person who acts on */
	const struct contact_change *c;
	int64_t now;
	struct contact_saved *out;
};

static void add_field(struct buf *b, const char *name)
{
	buf_puts(b, b->len > 8 ? "," : "");
	buf_puts(b, name);
}

static int save(struct store_tx *tx, void *arg, struct err *e)
{
	struct save *sv = arg;
	const struct contact_change *c = sv->c;
	struct contact_prefs p;
	struct mobile_verif v;
	struct arena a;
	struct buf changed;
	char hash[65], actor[64], object[32];
	int rc;
	arena_init(&a, 0);
	buf_init(&changed, 256);
	buf_puts(&changed, "changed=");
	rc = store_contact_get_tx(tx, sv->person_id, &p, &a, e);
	if (rc < 0)
		goto out;
	if (rc == 1) {
		memset(&p, 0, sizeof(p));
		p.person_id = sv->person_id;
		p.channel = "email";
		p.language = "nb";
	}
	rc = 0;
	const char *email = c->email[0] ? c->email : NULL;
	if (!same_text(p.email, email))
		add_field(&changed, "email");
	p.email = email;
	if (c->mobile[0] == '\0') {
		if (p.mobile != NULL || p.mobile_pending != NULL)
			add_field(&changed, "mobile");
		p.mobile = p.mobile_pending = p.mobile_code_hash = NULL;
		p.mobile_verified_at = p.mobile_code_expires = 0;
	} else if (!same_text(p.mobile, c->mobile)) {
		if ((rc = store_mobile_verif_get_tx(tx, p.person_id, &v, e)) < 0)
			goto out;
		/* The waiting number with a live code keeps it, unless a new
		 * one is asked for; a new number gets a fresh code. */
		int alive = same_text(p.mobile_pending, c->mobile) && p.mobile_code_hash != NULL &&
			    sv->now <= p.mobile_code_expires && (rc == 1 || v.tries < CONTACT_CODE_TRIES);
		if (alive && !c->new_code) {
			rc = 0;
			goto channel;
		}
		if (rc == 1 || sv->now - v.window_start >= 86400) {
			v.window_start = sv->now;
			v.codes_sent = 0;
		}
		if (v.codes_sent >= CONTACT_CODES_PER_DAY) {
			rc = err_set(e, ERR_INVALID, "mobile", "too many codes asked for today");
			goto out;
		}
		v.codes_sent++;
		v.tries = 0;
		if ((rc = store_mobile_verif_put(tx, p.person_id, &v, e)) != 0)
			goto out;
		snprintf(sv->out->code, sizeof(sv->out->code), "%06u", (unsigned)randombytes_uniform(1000000));
		snprintf(sv->out->number, sizeof(sv->out->number), "%s", c->mobile);
		code_hash(p.person_id, c->mobile, sv->out->code, hash);
		p.mobile_pending = c->mobile;
		p.mobile_code_hash = hash;
		p.mobile_code_expires = sv->now + CONTACT_CODE_TTL;
		sv->out->code_needed = 1;
		add_field(&changed, "mobile_pending");
	}
channel:
	if (strcmp(c->channel, "sms") == 0 && p.mobile == NULL) {
		rc = err_set(e, ERR_INVALID, "channel", "SMS needs a verified mobile number");
		goto out;
	}
	if (strcmp(c->channel, "email") == 0 && p.email == NULL) {
		rc = err_set(e, ERR_INVALID, "channel", "e-mail needs an e-mail address");
		goto out;
	}
	if (!same_text(p.channel, c->channel))
		add_field(&changed, "channel");
	if (!same_text(p.language, c->language))
		add_field(&changed, "language");
	p.channel = c->channel;
	p.language = c->language;
	if (changed.len == 8)
		goto out; /* nothing to store */
	p.updated_at = sv->now;
	sv->out->changed = 1;
	access_actor(sv->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "person:%lld", (long long)p.person_id);
	rc = store_contact_put(tx, &p, e);
	if (rc == 0)
		rc = audit_append(tx, sv->now, actor, "contact.updated", object, buf_str(&changed), e);
out:
	if (rc != 0) {
		sodium_memzero(sv->out->code, sizeof(sv->out->code));
		sv->out->code_needed = sv->out->changed = 0;
	}
	buf_cleanup(&changed);
	arena_cleanup(&a);
	return rc;
}

static int valid_choice(const char *v, const char *a, const char *b, const char *c)
{
	return v != NULL && (strcmp(v, a) == 0 || strcmp(v, b) == 0 || (c != NULL && strcmp(v, c) == 0));
}

/* The first field of out with a problem, in the form's order, or NULL. */
static const char *first_problem(const struct contact_saved *out)
{
	return out->email	? "email"
	       : out->mobile	? "mobile"
	       : out->channel	? "channel"
	       : out->language ? "language"
				: NULL;
}

/* Check c, normalise it and store it for who: contact_save without the
 * gate, which the callers have asked. */
static int save_checked(struct store *s, const struct principal *who, const struct contact_change *c, int64_t now,
			struct contact_saved *out, struct err *e)
{
	char email[CONTACT_EMAIL_MAX + 1], mobile[16];
	int64_t pid = access_subject(who);
	if (contact_email_check(c->email, email, sizeof(email)) != 0)
		out->email = CONTACT_EMAIL_INVALID;
	if (contact_mobile_normalise(c->mobile, mobile) != 0)
		out->mobile = CONTACT_MOBILE_INVALID;
	if (!valid_choice(c->channel, "email", "sms", "none"))
		out->channel = CONTACT_CHANNEL_INVALID;
	else if (strcmp(c->channel, "email") == 0 && out->email == CONTACT_FINE && email[0] == '\0')
		out->channel = CONTACT_EMAIL_NEEDED;
	if (!valid_choice(c->language, "nb", "en", NULL))
		out->language = CONTACT_LANGUAGE_INVALID;
	/* A new number needs a gateway to send its code through. */
	if (first_problem(out) == NULL && mobile[0] != '\0' && c->sms_unavailable) {
		struct contact_prefs p;
		struct arena a;
		arena_init(&a, 0);
		int rc = contact_load(s, pid, &p, &a, e);
		if (rc == 0 && !(p.mobile && strcmp(p.mobile, mobile) == 0))
			out->mobile = CONTACT_SMS_UNAVAILABLE;
		arena_cleanup(&a);
		if (rc != 0)
			return -1;
	}
	const char *field = first_problem(out);
	if (field != NULL)
		return err_set(e, ERR_INVALID, field, "the contact preferences are not valid");
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	struct contact_change checked = {email, mobile, c->channel, c->language, c->new_code, c->sms_unavailable};
	struct save sv = {who, pid, &checked, now, out};
	if (store_write(s, save, &sv, e) == 0)
		return 0;
	if (e->code == ERR_INVALID && strcmp(e->field, "mobile") == 0)
		out->mobile = CONTACT_TOO_MANY_CODES;
	else if (e->code == ERR_INVALID)
		out->channel = strcmp(c->channel, "sms") == 0 ? CONTACT_MOBILE_NEEDED : CONTACT_EMAIL_NEEDED;
	return -1;
}

int contact_save(struct store *s, const struct principal *who, const struct contact_change *c, int64_t now,
		 struct contact_saved *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (access_check_subject(s, who, ACT_PREFERENCES_WRITE, "contact preferences", now, e) != 0)
		return -1;
	return save_checked(s, who, c, now, out, e);
}

int contact_resend(struct store *s, const struct principal *who, int sms_unavailable, int64_t now,
		   struct contact_saved *out, struct err *e)
{
	struct contact_prefs p;
	struct arena a;
	memset(out, 0, sizeof(*out));
	if (access_check_subject(s, who, ACT_PREFERENCES_WRITE, "contact preferences", now, e) != 0)
		return -1;
	arena_init(&a, 0);
	int rc = contact_load(s, access_subject(who), &p, &a, e);
	if (rc == 0) {
		struct contact_change c = {p.email ? p.email : "",
					   p.mobile_pending ? p.mobile_pending : (p.mobile ? p.mobile : ""),
					   p.channel ? p.channel : "email",
					   p.language ? p.language : "nb",
					   1,
					   sms_unavailable};
		rc = save_checked(s, who, &c, now, out, e);
	}
	arena_cleanup(&a);
	return rc;
}

int contact_read(struct store *s, const struct principal *who, int64_t now, struct contact_prefs *out,
		 struct arena *a, struct err *e)
{
	if (access_check_subject(s, who, ACT_PREFERENCES_READ, "contact preferences", now, e) != 0)
		return -1;
	return contact_load(s, access_subject(who), out, a, e);
}

struct verify {
	const struct principal *who;
	int64_t person_id; /* the person who acts on */
	const char *code;
	int64_t now;
	enum contact_verify_result result;
	int left;
};

static int verify(struct store_tx *tx, void *arg, struct err *e)
{
	struct verify *vf = arg;
	struct contact_prefs p;
	struct mobile_verif v;
	struct arena a;
	char hash[65], actor[64], object[32];
	arena_init(&a, 0);
	int rc = store_contact_get_tx(tx, vf->person_id, &p, &a, e);
	if (rc < 0)
		goto out;
	vf->left = 0;
	if (rc == 1 || p.mobile_pending == NULL || p.mobile_code_hash == NULL) {
		vf->result = CONTACT_NO_CODE;
		rc = 0;
		goto out;
	}
	if ((rc = store_mobile_verif_get_tx(tx, p.person_id, &v, e)) < 0)
		goto out;
	rc = 0;
	if (v.tries >= CONTACT_CODE_TRIES) {
		vf->result = CONTACT_LOCKED;
		goto out;
	}
	if (vf->now > p.mobile_code_expires) {
		vf->result = CONTACT_EXPIRED;
		goto out;
	}
	access_actor(vf->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "person:%lld", (long long)p.person_id);
	code_hash(p.person_id, p.mobile_pending, vf->code, hash);
	if (strlen(p.mobile_code_hash) != 64 || sodium_memcmp(hash, p.mobile_code_hash, 64) != 0) {
		v.tries++;
		vf->left = CONTACT_CODE_TRIES - v.tries;
		vf->result = vf->left > 0 ? CONTACT_WRONG : CONTACT_LOCKED;
		if ((rc = store_mobile_verif_put(tx, p.person_id, &v, e)) == 0)
			rc = audit_append(tx, vf->now, actor, "contact.mobile.code-wrong", object,
					  vf->left > 0 ? NULL : "locked", e);
		goto out;
	}
	p.mobile = p.mobile_pending;
	p.mobile_verified_at = vf->now;
	p.mobile_pending = p.mobile_code_hash = NULL;
	p.mobile_code_expires = 0;
	p.updated_at = vf->now;
	v.tries = 0;
	vf->result = CONTACT_VERIFIED;
	if ((rc = store_contact_put(tx, &p, e)) == 0 && (rc = store_mobile_verif_put(tx, p.person_id, &v, e)) == 0)
		rc = audit_append(tx, vf->now, actor, "contact.mobile.verified", object, NULL, e);
out:
	arena_cleanup(&a);
	return rc;
}

int contact_verify(struct store *s, const struct principal *who, const char *code, int64_t now,
		   enum contact_verify_result *result, int *left, struct err *e)
{
	if (access_check_subject(s, who, ACT_PREFERENCES_WRITE, "contact preferences", now, e) != 0)
		return -1;
	if (code == NULL || strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return err_set(e, ERR_INVALID, "code", "the code is 6 digits");
	struct verify vf = {who, access_subject(who), code, now, CONTACT_NO_CODE, 0};
	if (store_write(s, verify, &vf, e) != 0)
		return -1;
	*result = vf.result;
	if (left)
		*left = vf.left;
	return 0;
}
