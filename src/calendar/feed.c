/* feed.c - a person's deadlines as an iCalendar feed (libical) at a secret
 * address that their own calendar can subscribe to, and that they can
 * revoke; see calendar.h.
 *
 * The address is <public URL>/kalender/<token>.ics, the token 256 bits that
 * say nothing about the person. Why it is derived rather than only hashed:
 * the person should be able to come back and copy their address again (to
 * a second device), so the portal must be able to show it, which a stored
 * hash alone cannot. The token is therefore a keyed hash (BLAKE2b) of the
 * feed's generation under a random per-person secret; making a new address
 * raises the generation, and revoking removes the lookup hash. Lookups go
 * by a hash of the token (calendar_feeds.token_hash), so the token itself
 * is never a query parameter or a stored value, and a revoked or replaced
 * token finds nothing. A thief of the whole database could derive the
 * tokens from the secrets, but would then hold the deadlines themselves
 * anyway; nothing outside the database can. Creation and revocation are
 * audited by generation, never with the token. */
#include "calendar/calendar.h"

#include <libical/ical.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#define SECRET_BYTES 32

/* The token of generation under secret (hex), into out. Returns 0, or -1
 * when the stored secret is malformed. */
static int derive_token(const char *secret_hex, int64_t generation, char out[CAL_TOKEN_LEN + 1])
{
	unsigned char secret[SECRET_BYTES], h[32];
	char msg[64];
	size_t len;
	if (secret_hex == NULL || sodium_hex2bin(secret, sizeof(secret), secret_hex, strlen(secret_hex), NULL, &len,
						 NULL) != 0 || len != sizeof(secret))
		return -1;
	int n = snprintf(msg, sizeof(msg), "stipend calendar feed %lld", (long long)generation);
	crypto_generichash(h, sizeof(h), (const unsigned char *)msg, (size_t)n, secret, sizeof(secret));
	sodium_bin2base64(out, CAL_TOKEN_LEN + 1, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

static void token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

struct feed_change {
	const struct principal *who;
	int64_t person_id; /* the person who acts on */
	int64_t now;
	int revoke;
	int found; /* revoke: there was an address; create: it replaced one */
};

static int change_feed(struct store_tx *tx, void *arg, struct err *e)
{
	struct feed_change *c = arg;
	struct feed_rec f;
	struct arena a;
	char secret[2 * SECRET_BYTES + 1], token[CAL_TOKEN_LEN + 1], hash[65], actor[64], object[32], detail[48];
	arena_init(&a, 0);
	int rc = store_feed_get_tx(tx, c->person_id, &f, &a, e);
	if (rc < 0)
		goto out;
	access_actor(c->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "person:%lld", (long long)c->person_id);
	if (c->revoke) {
		c->found = rc == 0 && f.token_hash != NULL;
		rc = 0;
		if (!c->found)
			goto out;
		f.token_hash = NULL;
		f.revoked_at = c->now;
		snprintf(detail, sizeof(detail), "generation=%lld", (long long)f.generation);
		rc = store_feed_put(tx, &f, e);
		if (rc == 0)
			rc = audit_append(tx, c->now, actor, "calendar.feed.revoked", object, detail, e);
		goto out;
	}
	int replaced = rc == 0 && f.token_hash != NULL;
	c->found = replaced; /* #15: the page says an older one stops only when there was one */
	if (rc == 1) {
		unsigned char raw[SECRET_BYTES];
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(secret, sizeof(secret), raw, sizeof(raw));
		sodium_memzero(raw, sizeof(raw));
		f = (struct feed_rec){c->person_id, secret, 0, NULL, 0, 0};
	}
	f.generation++;
	if (derive_token(f.secret, f.generation, token) != 0) {
		rc = err_set(e, ERR_STORE, NULL, "a stored calendar secret is malformed");
		goto out;
	}
	token_hash(token, hash);
	sodium_memzero(token, sizeof(token));
	f.token_hash = hash;
	f.created_at = c->now;
	f.revoked_at = 0;
	snprintf(detail, sizeof(detail), "generation=%lld%s", (long long)f.generation, replaced ? " replaces" : "");
	rc = store_feed_put(tx, &f, e);
	if (rc == 0)
		rc = audit_append(tx, c->now, actor, "calendar.feed.created", object, detail, e);
out:
	sodium_memzero(secret, sizeof(secret));
	arena_cleanup(&a);
	return rc;
}

static int change(struct store *s, const struct principal *who, int64_t now, int revoke, struct feed_change *c,
		  struct err *e)
{
	if (access_check_subject(s, who, ACT_CALENDAR_FEED_MANAGE, "calendar address", now, e) != 0)
		return -1;
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	*c = (struct feed_change){who, access_subject(who), now, revoke, 0};
	return store_write(s, change_feed, c, e);
}

int cal_feed_create(struct store *s, const struct principal *who, int64_t now, struct err *e)
{
	struct feed_change c;
	return change(s, who, now, 0, &c, e);
}

int cal_feed_revoke(struct store *s, const struct principal *who, int64_t now, struct err *e)
{
	struct feed_change c;
	if (change(s, who, now, 1, &c, e) != 0)
		return -1;
	return c.found ? 0 : 1;
}

int cal_feed_manage(struct store *s, const struct principal *who, const char *action, int64_t now,
		    struct err *e)
{
	struct feed_change c;
	int create = action != NULL && strcmp(action, "create") == 0;
	if (!create && !(action != NULL && strcmp(action, "revoke") == 0)) {
		/* The gate first: a refused request learns nothing from the
		 * answer about its input. */
		if (access_check_subject(s, who, ACT_CALENDAR_FEED_MANAGE, "calendar address", now, e) != 0)
			return -1;
		return err_set(e, ERR_INVALID, "action", "the action is create or revoke");
	}
	if (change(s, who, now, !create, &c, e) != 0)
		return -1;
	return create ? (c.found ? 2 : 0) : c.found ? 0 : 1;
}

int cal_feed_token(struct store *s, int64_t person_id, char token[CAL_TOKEN_LEN + 1], struct err *e)
{
	struct feed_rec f;
	struct arena a;
	char hash[65];
	arena_init(&a, 0);
	int rc = store_feed_get(s, person_id, &f, &a, e);
	if (rc == 0 && f.token_hash == NULL)
		rc = 1;
	if (rc == 0 && derive_token(f.secret, f.generation, token) != 0)
		rc = err_set(e, ERR_STORE, NULL, "a stored calendar secret is malformed");
	/* The token must still be the one the lookup finds. */
	if (rc == 0) {
		token_hash(token, hash);
		if (strcmp(hash, f.token_hash) != 0)
			rc = err_set(e, ERR_STORE, NULL, "a calendar address does not match its secret");
	}
	arena_cleanup(&a);
	return rc;
}

int cal_feed_lookup(struct store *s, const char *token, int64_t *person_id, struct err *e)
{
	char hash[65];
	if (token == NULL || strlen(token) != CAL_TOKEN_LEN ||
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != CAL_TOKEN_LEN)
		return 1;
	token_hash(token, hash);
	return store_feed_by_hash(s, hash, person_id, e);
}

struct feed_read {
	const char *actor;
	int64_t person_id, now;
};

static int audit_feed_read(struct store_tx *tx, void *arg, struct err *e)
{
	struct feed_read *f = arg;
	char object[32];
	snprintf(object, sizeof(object), "person:%lld", (long long)f->person_id);
	return audit_append(tx, f->now, f->actor, "calendar.feed.read", object, "secret address", e);
}

int cal_feed_read(struct store *s, const struct principal *who, const char *token, const char *public_url,
		  int64_t now, struct buf *out, struct err *e)
{
	char actor[64];
	struct feed_read fr = {access_actor(who, actor, sizeof(actor)), 0, now};
	int rc = cal_feed_lookup(s, token, &fr.person_id, e);
	if (rc != 0)
		return rc;
	if (store_write(s, audit_feed_read, &fr, e) != 0)
		return -1;
	return cal_feed_render(s, fr.person_id, public_url, now, out, e);
}

/* ---- rendering ---- */

/* libical builds its UTC zone on first use: once, before any two handler
 * threads can race to it. */
static pthread_once_t utc_once = PTHREAD_ONCE_INIT;
static icaltimezone *utc;

static void find_utc(void)
{
	utc = icaltimezone_get_utc_timezone();
}

/* The host of a URL ("https://host:8080/x" gives "host"), for UIDs. */
static const char *url_host(struct arena *a, const char *url)
{
	const char *p = strstr(url ? url : "", "://");
	p = p ? p + 3 : (url ? url : "");
	size_t n = strcspn(p, ":/?#");
	return n > 0 ? arena_strndup(a, p, n) : "stipend.invalid";
}

static struct icaltimetype ical_date(date_t d)
{
	int y, m, day;
	struct icaltimetype t = icaltime_null_date();
	date_to_ymd(d, &y, &m, &day);
	t.year = y;
	t.month = m;
	t.day = day;
	return t;
}

/* The text of key in lang with args (an object; its reference is taken). */
static const char *text(struct arena *a, enum lang lang, const char *key, json_t *args)
{
	struct buf b;
	buf_init(&b, 4096);
	i18n_render(&b, lang, key, args);
	json_decref(args);
	const char *s = arena_strdup(a, buf_str(&b));
	buf_cleanup(&b);
	return s;
}

static icalcomponent *event(struct arena *a, const struct cal_entry *x, const struct cal_settings *st, enum lang lang,
			    const char *public_url, const char *host, struct icaltimetype stamp)
{
	date_t due;
	if (date_parse(x->due, &due) != 0)
		return NULL;
	const char *title = i18n_get(lang, arena_printf(a, "mypages.kind.%s", x->kind));
	const char *summary = x->case_id ? text(a, lang, "mypages.feed.summary",
						 json_pack("{s:s,s:I}", "title", title, "case", (json_int_t)x->case_id))
					 : title;
	const char *page = arena_printf(a, "%s/mine-sider/kalender", public_url);
	const char *description = text(a, lang, "mypages.feed.description", json_pack("{s:s}", "url", page));
	/* "documentation-request:7" -> "documentation-request-7@host" */
	char *uid = arena_printf(a, "%s@%s", x->ref, host);
	for (char *p = uid; *p != '@'; p++)
		if (*p == ':')
			*p = '-';
	icalcomponent *ev = icalcomponent_vanew(ICAL_VEVENT_COMPONENT, icalproperty_new_uid(uid),
						icalproperty_new_dtstamp(stamp), icalproperty_new_dtstart(ical_date(due)),
						icalproperty_new_dtend(ical_date(due + 1)), icalproperty_new_summary(summary),
						icalproperty_new_description(description), icalproperty_new_url(page),
						icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT), (void *)0);
	const int *offsets;
	int n = cal_settings_of(st, x->case_type, &offsets);
	for (int i = 0; i < n; i++) {
		/* At 09:00 on the day, offset days before the all-day event's
		 * start (its midnight). */
		struct icaltriggertype trigger = icaltriggertype_from_int(-offsets[i] * 86400 + 9 * 3600);
		icalcomponent *alarm = icalcomponent_vanew(ICAL_VALARM_COMPONENT, icalproperty_new_action(ICAL_ACTION_DISPLAY),
							   icalproperty_new_trigger(trigger),
							   icalproperty_new_description(summary), (void *)0);
		icalcomponent_add_component(ev, alarm);
	}
	return ev;
}

int cal_feed_render(struct store *s, int64_t person_id, const char *public_url, int64_t now, struct buf *out,
		    struct err *e)
{
	struct arena a;
	struct cal_entry *entries;
	struct cal_settings st;
	int rc = 0;
	enum lang lang = cal_person_lang(s, person_id);
	arena_init(&a, 0);
	int n = store_calendar_of_person(s, person_id, &entries, &a, e);
	if (n < 0 || cal_settings_load(s, person_id, &st, e) != 0) {
		arena_cleanup(&a);
		return -1;
	}
	/* Links are made by appending paths: no trailing slash. */
	size_t len = strlen(public_url ? public_url : "");
	while (len > 0 && public_url[len - 1] == '/')
		len--;
	public_url = arena_strndup(&a, public_url ? public_url : "", len);
	const char *host = url_host(&a, public_url);
	pthread_once(&utc_once, find_utc);
	struct icaltimetype stamp = icaltime_from_timet_with_zone((time_t)now, 0, utc);
	icalproperty *name = icalproperty_new_x(i18n_get(lang, "mypages.feed.name"));
	icalproperty_set_x_name(name, "X-WR-CALNAME");
	icalproperty *refresh = icalproperty_new_x("PT6H");
	icalproperty_set_x_name(refresh, "X-PUBLISHED-TTL");
	icalcomponent *cal = icalcomponent_vanew(
		ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
		icalproperty_new_prodid(lang == LANG_EN ? "-//Statens lanekasse for utdanning//stipend//EN"
							: "-//Statens lanekasse for utdanning//stipend//NB"),
		icalproperty_new_calscale("GREGORIAN"), icalproperty_new_method(ICAL_METHOD_PUBLISH), name, refresh,
		(void *)0);
	for (int i = 0; i < n; i++) {
		if (entries[i].done)
			continue;
		icalcomponent *ev = event(&a, &entries[i], &st, lang, public_url, host, stamp);
		if (ev != NULL)
			icalcomponent_add_component(cal, ev);
	}
	char *ics = icalcomponent_as_ical_string_r(cal);
	if (ics == NULL || buf_puts(out, ics) != 0)
		rc = err_set(e, ERR_INTERNAL, NULL, "the calendar is too large to write");
	icalmemory_free_buffer(ics);
	icalcomponent_free(cal);
	arena_cleanup(&a);
	return rc;
}
