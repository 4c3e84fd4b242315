/* audit.c - hash-chained audit records; see audit.h.
 *
 * The hashed text is the fields joined by newlines (none may contain one: a
 * newline in a field is replaced before hashing and storing), so the same
 * record always hashes the same on any machine and any backend. */
#include "audit/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

static void chain_hash(const struct audit_rec *r, const char *prev, char out[65])
{
	struct buf b;
	unsigned char h[crypto_hash_sha256_BYTES];
	buf_init(&b, 1 << 16);
	buf_printf(&b, "%s\n%lld\n%lld\n%s\n%s\n%s\n%s", prev, (long long)r->seq, (long long)r->at, r->actor,
		   r->action, r->object, r->detail);
	crypto_hash_sha256(h, (const unsigned char *)buf_str(&b), b.len);
	sodium_bin2hex(out, 65, h, sizeof(h));
	buf_cleanup(&b);
}

/* A field as stored: no newlines, at most 1000 bytes. */
static void clean(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
	for (char *p = dst; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int audit_append(struct store_tx *tx, int64_t at, const char *actor, const char *action, const char *object,
		 const char *detail, struct err *e)
{
	char prev[65], hash[65], f_actor[128], f_action[128], f_object[128], f_detail[1001];
	int64_t seq;
	if (store_audit_last(tx, &seq, prev, e) != 0)
		return -1;
	clean(f_actor, sizeof(f_actor), actor);
	clean(f_action, sizeof(f_action), action);
	clean(f_object, sizeof(f_object), object);
	clean(f_detail, sizeof(f_detail), detail);
	struct audit_rec r = {seq + 1, at, f_actor, f_action, f_object, f_detail, prev, hash};
	chain_hash(&r, prev, hash);
	return store_audit_insert(tx, &r, e);
}

struct walk {
	int64_t count, expect_seq, bad;
	char prev[65];
	/* Checkpoints to find in the chain, by record number (may be none). */
	const struct audit_checkpoint *cps;
	int n_cps, next_cp, bad_cp;
};

static int check_one(const struct audit_rec *r, void *arg)
{
	struct walk *w = arg;
	char hash[65];
	chain_hash(r, w->prev, hash);
	if (r->seq != w->expect_seq || strcmp(r->prev_hash, w->prev) != 0 || strcmp(r->hash, hash) != 0) {
		w->bad = r->seq;
		return 1;
	}
	snprintf(w->prev, sizeof(w->prev), "%s", r->hash);
	w->expect_seq++;
	w->count++;
	/* The record is in the chain; is it the one each checkpoint signed? */
	for (; w->next_cp < w->n_cps && w->cps[w->next_cp].seq <= r->seq; w->next_cp++) {
		if (w->cps[w->next_cp].seq == r->seq && strcmp(w->cps[w->next_cp].hash, r->hash) != 0) {
			w->bad_cp = w->next_cp;
			return 1;
		}
	}
	return 0;
}

int audit_verify_against(struct store *s, const struct audit_checkpoint *cps, int n_cps, int64_t *count,
			 int64_t *bad_seq, int *bad_cp, struct err *e)
{
	struct walk w = {0, 1, 0, "", cps, n_cps, 0, -1};
	/* An empty log's checkpoints name record 0: nothing to find. */
	while (w.next_cp < n_cps && cps[w.next_cp].seq <= 0)
		w.next_cp++;
	if (store_audit_each(s, check_one, &w, e) != 0)
		return -1;
	if (count)
		*count = w.count;
	if (w.bad != 0) {
		if (bad_seq)
			*bad_seq = w.bad;
		return 1;
	}
	if (w.bad_cp < 0 && w.next_cp < n_cps)
		w.bad_cp = w.next_cp; /* a checkpoint beyond the chain's end */
	if (w.bad_cp >= 0) {
		if (bad_cp)
			*bad_cp = w.bad_cp;
		return 2;
	}
	return 0;
}

int audit_verify(struct store *s, int64_t *count, int64_t *bad_seq, struct err *e)
{
	int rc = audit_verify_against(s, NULL, 0, count, bad_seq, NULL, e);
	return rc < 0 ? -1 : rc;
}
