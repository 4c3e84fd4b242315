/* checkpoint.c - anchoring the audit chain: the signing key, signed
 * checkpoints of the chain's head appended to a file outside the database,
 * and verifying the log against them; see audit.h.
 *
 * The key file holds the Ed25519 seed (32 bytes, hex) under a comment line;
 * the public key goes beside it in "<key>.pub" for whoever verifies. The
 * head is read in a transaction of its own and signed only once that
 * transaction has committed, so a checkpoint never names a record that a
 * failed group commit took back. */
#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

#define SEED_BYTES crypto_sign_SEEDBYTES
#define SIG_BYTES crypto_sign_BYTES
#define EMPTY_HASH "0000000000000000000000000000000000000000000000000000000000000000"
/* The longest line a checkpoint file may have (a checkpoint's is 215). */
#define LINE_MAX_LEN 1024

static int io_error(struct err *e, const char *what, const char *path, int errnum)
{
	char buf[128];
	return err_set(e, ERR_IO, NULL, "%s %s: %s", what, path, log_errno(errnum, buf, sizeof(buf)));
}

/* Write all of text to fd and flush it to disk. */
static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return fsync(fd);
}

/* The first word of text made of exactly 2*len hex digits, as bytes;
 * lines starting with '#' are skipped. Returns 0 or -1. */
static int hex_word(const char *text, unsigned char *out, size_t len)
{
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		size_t n = strspn(p, "0123456789abcdefABCDEF");
		if (n != 2 * len || (p[n] != '\0' && p[n] != '\n' && p[n] != '\r' && p[n] != ' '))
			return -1;
		return sodium_hex2bin(out, len, p, n, NULL, NULL, NULL) == 0 ? 0 : -1;
	}
	return -1;
}

char *audit_public_key_hex(const unsigned char pk[32], char out[65])
{
	return sodium_bin2hex(out, 65, pk, crypto_sign_PUBLICKEYBYTES);
}

int audit_key_create(const char *path, struct audit_key *k, struct err *e)
{
	unsigned char seed[SEED_BYTES];
	char hex[2 * SEED_BYTES + 1], pkhex[65];
	struct buf b;
	int rc = -1;
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? err_set(e, ERR_CONFLICT, NULL, "%s exists already", path)
				       : io_error(e, "cannot create", path, errno);
	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	sodium_bin2hex(hex, sizeof(hex), seed, sizeof(seed));
	buf_init(&b, 4096);
	buf_printf(&b, "# stipend's audit checkpoint signing key (Ed25519 seed). Keep it secret,\n"
		       "# outside the database; the public key is in %s.pub\n%s\n",
		   path, hex);
	/* The umask may only take permissions away; make sure of 0600. */
	int failed = fchmod(fd, 0600) != 0 || write_all(fd, buf_str(&b), b.len) != 0;
	int errnum = errno;
	close(fd);
	sodium_memzero(b.p, b.len); /* the secret leaves no copy behind */
	if (failed) {
		io_error(e, "cannot write", path, errnum);
		unlink(path);
		goto out;
	}
	buf_reset(&b);
	buf_printf(&b, "%s.pub", path);
	char *pub = strdup(buf_str(&b));
	buf_reset(&b);
	buf_printf(&b, "# stipend's audit checkpoint public key (Ed25519), for stipend verify --audit-public-key\n%s\n",
		   audit_public_key_hex(k->pk, pkhex));
	int pfd = pub ? open(pub, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	if (pfd < 0 || write_all(pfd, buf_str(&b), b.len) != 0)
		io_error(e, "cannot write", pub ? pub : path, errno);
	else
		rc = 0;
	if (pfd >= 0)
		close(pfd);
	free(pub);
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(hex, sizeof(hex));
	buf_cleanup(&b);
	return rc;
}

int audit_key_load(const char *path, int create, struct audit_key *k, int *created, struct err *e)
{
	char text[4096];
	unsigned char seed[SEED_BYTES];
	struct stat st;
	if (created)
		*created = 0;
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (audit_key_create(path, k, e) != 0)
			return -1;
		if (created)
			*created = 1;
		return 0;
	}
	if (fd < 0)
		return io_error(e, "cannot open the audit key", path, errno);
	if (fstat(fd, &st) != 0) {
		int errnum = errno;
		close(fd);
		return io_error(e, "cannot read the audit key", path, errnum);
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return err_set(e, ERR_INVALID, "audit-key", "%s may be read by others than its owner: chmod 600 %s",
			       path, path);
	}
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return io_error(e, "cannot read the audit key", path, errno);
	text[n] = '\0';
	int rc = hex_word(text, seed, sizeof(seed));
	if (rc == 0)
		crypto_sign_seed_keypair(k->pk, k->sk, seed);
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(text, sizeof(text));
	if (rc != 0)
		return err_set(e, ERR_INVALID, "audit-key", "%s is not an audit key (stipend audit-key makes one)", path);
	return 0;
}

int audit_public_key_parse(const char *arg, unsigned char pk[32], struct err *e)
{
	char text[4096];
	if (hex_word(arg, pk, crypto_sign_PUBLICKEYBYTES) == 0 && strlen(arg) == 2 * crypto_sign_PUBLICKEYBYTES)
		return 0;
	FILE *f = fopen(arg, "re");
	if (f == NULL)
		return err_set(e, ERR_INVALID, "audit-public-key",
			       "%s is neither a public key (64 hex digits) nor a file holding one", arg);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if (hex_word(text, pk, crypto_sign_PUBLICKEYBYTES) != 0)
		return err_set(e, ERR_INVALID, "audit-public-key", "%s holds no public key (64 hex digits)", arg);
	return 0;
}

/* What is signed: a label (so that the key signs nothing else by accident)
 * and the checkpoint's fields. */
static void signed_text(const struct audit_checkpoint *cp, char out[160])
{
	snprintf(out, 160, "stipend audit checkpoint v1\n%lld\n%s\n%lld", (long long)cp->seq, cp->hash,
		 (long long)cp->at);
}

struct head {
	int64_t seq;
	char hash[65];
};

static int read_head(struct store_tx *tx, void *arg, struct err *e)
{
	struct head *h = arg;
	return store_audit_last(tx, &h->seq, h->hash, e);
}

int audit_checkpoint(struct store *s, const struct audit_key *k, const char *path, int64_t now,
		     struct audit_checkpoint *out, struct err *e)
{
	struct head h;
	struct audit_checkpoint cp = {0};
	unsigned char sig[SIG_BYTES];
	char msg[160], sighex[2 * SIG_BYTES + 1], when[21], line[LINE_MAX_LEN];
	struct stat st;
	/* store_write returns once the transaction it read in is committed:
	 * the head it saw is on disk, never a record a failed commit undid. */
	if (store_write(s, read_head, &h, e) != 0)
		return -1;
	cp.seq = h.seq;
	snprintf(cp.hash, sizeof(cp.hash), "%s", h.seq > 0 ? h.hash : EMPTY_HASH);
	cp.at = now;
	signed_text(&cp, msg);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), k->sk);
	sodium_bin2hex(sighex, sizeof(sighex), sig, sizeof(sig));
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return io_error(e, "cannot open the checkpoint file", path, errno);
	int fresh = fstat(fd, &st) == 0 && st.st_size == 0;
	/* A new file names the public key in its first line, for the reader;
	 * verify takes the key from its own argument, never from here. */
	char header[200] = "", pkhex[65];
	if (fresh)
		snprintf(header, sizeof(header),
			 "# stipend audit checkpoints (record, its hash, time, signature) by Ed25519 key %s\n",
			 audit_public_key_hex(k->pk, pkhex));
	snprintf(line, sizeof(line), "%s%lld %s %s %s\n", header, (long long)cp.seq, cp.hash,
		 date_format_timestamp(cp.at, when), sighex);
	/* One write with O_APPEND: a line never interleaves with another
	 * writer's. */
	if (write_all(fd, line, strlen(line)) != 0) {
		int errnum = errno;
		close(fd);
		return io_error(e, "cannot write the checkpoint file", path, errnum);
	}
	close(fd);
	if (out)
		*out = cp;
	return 0;
}

/* Split line into at most max words at single spaces. Returns the count. */
static int split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;
	while (*p && n < max) {
		words[n++] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return p == NULL || *p == '\0' ? n : max + 1;
}

int audit_checkpoint_parse(char *text, int lineno, const unsigned char pk[32], struct audit_checkpoint *cp,
			   char *problem, size_t len)
{
	char *w[4], *end, msg[160];
	unsigned char sig[SIG_BYTES];
	if (split(text, w, 4) != 4)
		goto malformed;
	errno = 0;
	long long seq = strtoll(w[0], &end, 10);
	if (errno != 0 || *end || end == w[0] || seq < 0 || strlen(w[1]) != 64 ||
	    strspn(w[1], "0123456789abcdef") != 64 || date_parse_timestamp(w[2], &cp->at) != 0 ||
	    strlen(w[3]) != 2 * SIG_BYTES || sodium_hex2bin(sig, sizeof(sig), w[3], strlen(w[3]), NULL, NULL, NULL) != 0)
		goto malformed;
	cp->seq = seq;
	snprintf(cp->hash, sizeof(cp->hash), "%s", w[1]);
	cp->line = lineno;
	signed_text(cp, msg);
	if (crypto_sign_verify_detached(sig, (const unsigned char *)msg, strlen(msg), pk) != 0) {
		snprintf(problem, len, "checkpoint at line %d (record %lld, %s) has a bad signature: forged, or signed by "
			 "another key", lineno, seq, w[2]);
		return 1;
	}
	return 0;
malformed:
	snprintf(problem, len, "checkpoint file line %d is not a checkpoint", lineno);
	return 1;
}

static int by_seq(const void *a, const void *b)
{
	const struct audit_checkpoint *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : x->line - y->line;
}

int audit_verify_anchored(struct store *s, const char *path, const unsigned char pk[32], struct audit_report *rep,
			  struct err *e)
{
	char when[21];
	char *text = NULL;
	size_t cap = 0;
	struct audit_checkpoint *cps = NULL;
	int n = 0, room = 0, lineno = 0, rc = 1, bad_cp = -1;
	memset(rep, 0, sizeof(*rep));
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return io_error(e, "cannot open the checkpoint file", path, errno);
	ssize_t len;
	while ((len = getline(&text, &cap, f)) >= 0) {
		lineno++;
		if (len > 0 && text[len - 1] == '\n')
			text[--len] = '\0';
		if (len == 0 || text[0] == '#')
			continue;
		if (len >= LINE_MAX_LEN) {
			snprintf(rep->problem, sizeof(rep->problem), "checkpoint file line %d is not a checkpoint", lineno);
			goto out;
		}
		if (n == room) {
			room = room ? 2 * room : 256;
			struct audit_checkpoint *more = realloc(cps, sizeof(*cps) * (size_t)room);
			if (more == NULL) {
				rc = err_set(e, ERR_INTERNAL, NULL, "out of memory");
				goto out;
			}
			cps = more;
		}
		if (audit_checkpoint_parse(text, lineno, pk, &cps[n], rep->problem, sizeof(rep->problem)) != 0)
			goto out;
		n++;
	}
	if (ferror(f)) {
		rc = io_error(e, "cannot read the checkpoint file", path, errno);
		goto out;
	}
	if (n == 0) {
		snprintf(rep->problem, sizeof(rep->problem), "%s holds no checkpoint", path);
		goto out;
	}
	rep->checkpoints = n;
	qsort(cps, (size_t)n, sizeof(*cps), by_seq);
	rep->newest = cps[n - 1];
	int v = audit_verify_against(s, cps, n, &rep->count, &rep->bad_seq, &bad_cp, e);
	if (v < 0) {
		rc = -1;
	} else if (v == 1) {
		snprintf(rep->problem, sizeof(rep->problem), "audit chain broken at record %lld", (long long)rep->bad_seq);
	} else if (v == 2 && cps[bad_cp].seq > rep->count) {
		snprintf(rep->problem, sizeof(rep->problem),
			 "the audit log ends at record %lld, but the checkpoint of %s (line %d) signed record %lld: "
			 "records were removed",
			 (long long)rep->count, date_format_timestamp(cps[bad_cp].at, when), cps[bad_cp].line,
			 (long long)cps[bad_cp].seq);
	} else if (v == 2) {
		snprintf(rep->problem, sizeof(rep->problem),
			 "record %lld is not the one the checkpoint of %s (line %d) signed: the log was rewritten",
			 (long long)cps[bad_cp].seq, date_format_timestamp(cps[bad_cp].at, when), cps[bad_cp].line);
	} else {
		rc = 0;
	}
out:
	fclose(f);
	free(text);
	free(cps);
	return rc;
}

struct finish {
	int64_t job_id, next;
	int64_t now;
};

static int finish(struct store_tx *tx, void *arg, struct err *e)
{
	struct finish *f = arg;
	if (store_job_done(tx, f->job_id, e) != 0)
		return -1;
	return store_job_enqueue(tx, AUDIT_CHECKPOINT_KIND, 0, f->next, f->now, e);
}

int audit_checkpoint_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	const struct audit_anchor *an = ctx;
	int64_t every = an != NULL && an->every > 0 ? an->every : AUDIT_CHECKPOINT_EVERY;
	if (an == NULL || an->key == NULL) {
		/* Another runner (serve or work) of this database was given the
		 * key: keep the job going for it. */
		log_warn("audit checkpoint due, but this runner has no --audit-key and --checkpoints");
	} else if (audit_checkpoint(s, an->key, an->path, now, NULL, e) != 0) {
		return -1; /* retried with back-off */
	}
	struct finish f = {job->id, now + every, now};
	return store_write(s, finish, &f, e);
}

static int arm(struct store_tx *tx, void *arg, struct err *e)
{
	int64_t now = *(int64_t *)arg;
	return store_job_enqueue(tx, AUDIT_CHECKPOINT_KIND, 0, now, now, e);
}

int audit_checkpoint_arm(struct store *s, int64_t now, struct err *e)
{
	return store_write(s, arm, &now, e);
}
