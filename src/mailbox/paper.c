/* paper.c - the paper fallback: print batches of decision letters left
 * unread; see paper.h for what a run does and why it survives a kill.
 *
 * Files: out_dir/print-batch-NNNNNN.pdf and .json, each first written to a
 * hidden temporary name beside it, flushed to disk, then renamed into place
 * (the PDF first, the manifest last), and the folder synced, so that a
 * print house never sees half a file and a manifest always has its PDF. */
#include "mailbox/paper.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "mailbox/letter.h"
#include "mailbox/pdf.h"
#include "store/paper.h"

/* ---- the forwarding address ---- */

/* Split text (lines separated by newlines or ';') into trimmed lines in a.
 * Returns the count, or -1 when a line is empty or too long or there are
 * too many. */
static int split_lines(const char *text, const char *out[PAPER_FORWARDING_LINES], struct arena *a)
{
	int n = 0;
	const char *p = text;
	while (*p != '\0') {
		size_t len = strcspn(p, "\n;");
		const char *s = p, *end = p + len;
		while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		if (end == s || end - s > PAPER_LINE_MAX || n == PAPER_FORWARDING_LINES)
			return -1;
		out[n++] = arena_strndup(a, s, (size_t)(end - s));
		p += len;
		if (*p != '\0')
			p++;
	}
	return n;
}

struct forwarding_set {
	const char *value;
	const char *actor;
	int64_t now;
};

static int store_forwarding(struct store_tx *tx, void *arg, struct err *e)
{
	struct forwarding_set *f = arg;
	if (store_paper_setting_put(tx, PAPER_FORWARDING_SETTING, f->value, e) != 0)
		return -1;
	return audit_append(tx, f->now, f->actor, "paper.forwarding-address.set", "setting:" PAPER_FORWARDING_SETTING,
	                    NULL, e);
}

int paper_set_forwarding(struct store *s, const char *lines, const char *actor, int64_t now, struct err *e)
{
	struct arena a;
	const char *l[PAPER_FORWARDING_LINES];
	arena_init(&a, 0);
	int n = lines ? split_lines(lines, l, &a) : -1;
	int rc;
	if (n < 2) {
		rc = err_set(e, ERR_INVALID, "forwarding_address",
		             "the forwarding address needs 2 to %d non-empty lines of at most %d characters, "
		             "separated by \";\"",
		             PAPER_FORWARDING_LINES, PAPER_LINE_MAX);
		goto out;
	}
	struct buf b;
	buf_init(&b, 1024);
	for (int i = 0; i < n; i++)
		if ((i > 0 && buf_putc(&b, '\n') != 0) || buf_puts(&b, l[i]) != 0)
			break;
	struct forwarding_set f = {buf_str(&b), actor, now};
	rc = store_write(s, store_forwarding, &f, e);
	buf_cleanup(&b);
out:
	arena_cleanup(&a);
	return rc;
}

/* The configured forwarding address's lines (in a), or 0 when none. */
static int forwarding_lines(struct store *s, const char *out[PAPER_FORWARDING_LINES], struct arena *a, struct err *e)
{
	const char *value;
	int rc = store_setting_get(s, PAPER_FORWARDING_SETTING, &value, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	int n = split_lines(value, out, a);
	if (n < 2) {
		/* Stored by hand and unusable: treat as none, and say so. */
		log_warn("paper: the setting %s is not a usable address; it is ignored", PAPER_FORWARDING_SETTING);
		return 0;
	}
	return n;
}

/* ---- claiming ---- */

struct claim {
	int64_t now, unread_before;
	int forwarding, max;
	struct arena *a;
	int64_t batch_id;
	int count, withheld_new;
};

static int claim_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct claim *c = arg;
	c->withheld_new = 0;
	if (!c->forwarding) {
		int64_t *ids;
		int n = store_paper_withhold_due(tx, c->now, c->unread_before, 100000, &ids, c->a, e);
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			char object[32];
			snprintf(object, sizeof(object), "letter:%lld", (long long)ids[i]);
			if (audit_append(tx, c->now, "system", "letter.paper.withheld", object,
			                 "reason=confidential-address, no forwarding address configured", e) != 0)
				return -1;
		}
		c->withheld_new = n;
	}
	return store_paper_claim(tx, c->now, c->unread_before, c->forwarding, c->max, &c->batch_id, &c->count, e);
}

static int64_t cutoff(const struct paper_options *o)
{
	return o->now - (int64_t)o->after_days * 86400;
}

int paper_claim(struct store *s, const struct paper_options *o, int64_t *batch_id, int *withheld_new, struct err *e)
{
	struct arena a;
	const char *lines[PAPER_FORWARDING_LINES];
	arena_init(&a, 0);
	int fwd = forwarding_lines(s, lines, &a, e);
	int rc = -1;
	if (fwd < 0)
		goto out;
	struct claim c = {o->now, cutoff(o), fwd > 0, o->batch_max > 0 ? o->batch_max : PAPER_BATCH_MAX, &a};
	if (store_write(s, claim_tx, &c, e) != 0)
		goto out;
	*batch_id = c.batch_id;
	if (withheld_new)
		*withheld_new = c.withheld_new;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

/* ---- writing a batch ---- */

/* One letter of a batch as written. */
struct item {
	int64_t letter_id, case_id;
	int first_page, pages;
	int withdrawn; /* its address may not be printed: out of the batch */
	const char *address_kind;
	struct pdf_address addr;
};

struct batch_write {
	struct paper_batch b;
	struct item *items;
	int n, letters, pages;
	char sha256[65];
	int64_t now;
};

static int finish_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct batch_write *w = arg;
	for (int i = 0; i < w->n; i++) {
		const struct item *it = &w->items[i];
		char object[32], detail[96];
		snprintf(object, sizeof(object), "letter:%lld", (long long)it->letter_id);
		if (it->withdrawn) {
			if (store_paper_letter_withdraw(tx, w->b.id, it->letter_id, w->now, e) != 0 ||
			    audit_append(tx, w->now, "system", "letter.paper.withheld", object,
			                 "reason=confidential-address, no forwarding address configured", e) != 0)
				return -1;
			continue;
		}
		snprintf(detail, sizeof(detail), "batch=%lld pages=%d address=%s", (long long)w->b.id, it->pages,
		         it->address_kind);
		if (store_paper_letter_written(tx, w->b.id, it->letter_id, it->address_kind, it->first_page, it->pages,
		                               w->b.created_at, e) != 0 ||
		    audit_append(tx, w->now, "system", "letter.paper", object, detail, e) != 0)
			return -1;
	}
	return store_paper_batch_written(tx, w->b.id, w->letters, w->pages, w->letters ? w->sha256 : NULL, w->now, e);
}

static int io_error(struct err *e, const char *what, const char *path)
{
	char msg[128];
	return err_set(e, ERR_IO, NULL, "%s %s: %s", what, path, log_errno(errno, msg, sizeof(msg)));
}

/* Flush f to disk and close it; 0 or -1 with e. */
static int close_synced(FILE *f, const char *path, struct err *e)
{
	int rc = 0;
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = io_error(e, "cannot write", path);
	if (fclose(f) != 0 && rc == 0)
		rc = io_error(e, "cannot write", path);
	return rc;
}

static int sync_dir(const char *dir, struct err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return io_error(e, "cannot open", dir);
	int rc = fsync(fd) == 0 ? 0 : io_error(e, "cannot sync", dir);
	close(fd);
	return rc;
}

/* The SHA-256 of a file, in hex. */
static int file_sha256(const char *path, char hex[65], struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return io_error(e, "cannot read", path);
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	unsigned char chunk[65536], hash[crypto_hash_sha256_BYTES];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		crypto_hash_sha256_update(&st, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return io_error(e, "cannot read", path);
	crypto_hash_sha256_final(&st, hash);
	sodium_bin2hex(hex, 65, hash, sizeof(hash));
	return 0;
}

/* Prepare one letter: its model in the person's language (in la, freed
 * after the letter is drawn), and the address it may go to (in a, kept
 * for the manifest). Returns 0, or -1 with e. */
static int prepare(struct store *s, const struct paper_options *o, int64_t letter_id, const char **fwd, int n_fwd,
                   struct item *it, json_t **model, enum lang *lang, struct arena *a, struct arena *la, struct err *e)
{
	struct letter l;
	struct person p;
	struct contact_prefs cp;
	int rc = store_letter_get(s, letter_id, &l, a, e);
	if (rc != 0)
		return rc < 0 ? -1
		              : err_set(e, ERR_INTERNAL, NULL, "letter %lld of a batch is gone", (long long)letter_id);
	if ((rc = store_person_get(s, l.person_id, &p, a, e)) != 0)
		return rc < 0
		           ? -1
		           : err_set(e, ERR_INTERNAL, NULL, "the person of letter %lld is gone", (long long)letter_id);
	*lang = LANG_NB;
	rc = store_contact_get(s, l.person_id, &cp, a, e);
	if (rc < 0)
		return -1;
	if (rc == 0 && cp.language != NULL)
		i18n_lang_parse(cp.language, lang);
	it->letter_id = l.id;
	it->case_id = l.case_id;
	const char *name = arena_printf(a, "%s %s", p.given_name, p.family_name);
	it->addr.lines[0] = name;
	if (p.confidential_address) {
		/* The person's address must not be printed, anywhere. */
		if (n_fwd == 0) {
			it->withdrawn = 1;
			return 0;
		}
		it->address_kind = "forwarding";
		for (int i = 0; i < n_fwd && i + 1 < PDF_ADDRESS_MAX; i++)
			it->addr.lines[i + 1] = fwd[i];
		it->addr.n = n_fwd + 1 < PDF_ADDRESS_MAX ? n_fwd + 1 : PDF_ADDRESS_MAX;
	} else {
		it->address_kind = "registered";
		it->addr.lines[1] = p.address;
		it->addr.lines[2] = arena_printf(a, "%s %s", p.postcode, p.city);
		it->addr.n = 3;
	}
	*model = (o->model ? o->model : mbox_letter_model)(s, *lang, la, &l);
	if (*model == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "no model for letter %lld", (long long)letter_id);
	json_t *r = json_object_get(*model, "recipient");
	if (p.confidential_address && json_is_object(r)) {
		json_object_del(r, "address");
		json_object_del(r, "postal");
	}
	return 0;
}

static json_t *manifest(const struct batch_write *w, const struct paper_batch_done *d)
{
	char created[21];
	json_t *letters = json_array();
	for (int i = 0; i < w->n; i++) {
		const struct item *it = &w->items[i];
		if (it->withdrawn)
			continue;
		json_t *lines = json_array();
		for (int k = 0; k < it->addr.n; k++)
			json_array_append_new(lines, json_string(it->addr.lines[k]));
		json_array_append_new(letters, json_pack("{s:I,s:I,s:i,s:i,s:s,s:o}", "letter_id",
		                                         (json_int_t)it->letter_id, "case_id", (json_int_t)it->case_id,
		                                         "first_page", it->first_page, "page_count", it->pages,
		                                         "address_kind", it->address_kind, "address", lines));
	}
	return json_pack("{s:I,s:s,s:s,s:s,s:i,s:i,s:o}", "batch_id", (json_int_t)w->b.id, "created",
	                 date_format_timestamp(w->b.created_at, created), "pdf", d->pdf, "pdf_sha256", w->sha256,
	                 "letter_count", w->letters, "page_count", w->pages, "letters", letters);
}

/* Write batch id (claimed, maybe half-written before) and record it. */
static int write_batch(struct store *s, const struct paper_options *o, int64_t id, struct paper_batch_done *d,
                       struct err *e)
{
	struct arena a;
	arena_init(&a, 0);
	struct batch_write w = {.now = o->now};
	const char *fwd[PAPER_FORWARDING_LINES];
	char *pdf_path = NULL, *pdf_tmp = NULL, *json_path = NULL, *json_tmp = NULL;
	struct pdf *pdf = NULL;
	FILE *f = NULL;
	int rc = -1, n_fwd, max = o->batch_max > 0 ? o->batch_max : PAPER_BATCH_MAX;
	int64_t *ids;

	memset(d, 0, sizeof(*d));
	d->id = id;
	snprintf(d->pdf, sizeof(d->pdf), "print-batch-%06lld.pdf", (long long)id);
	snprintf(d->manifest, sizeof(d->manifest), "print-batch-%06lld.json", (long long)id);
	int got = store_paper_batch_get(s, id, &w.b, &a, e);
	if (got != 0) {
		if (got > 0)
			err_set(e, ERR_INTERNAL, NULL, "print batch %lld is gone", (long long)id);
		goto out;
	}
	if ((n_fwd = forwarding_lines(s, fwd, &a, e)) < 0)
		goto out;
	/* A batch holds at most the maximum it was claimed with; read a
	 * little more to notice one that holds more. */
	if ((w.n = store_paper_batch_letters(s, id, max > w.b.letter_count ? max : w.b.letter_count, &ids, &a, e)) < 0)
		goto out;
	w.items = arena_zalloc(&a, sizeof(*w.items) * (size_t)(w.n ? w.n : 1));

	pdf_path = arena_printf(&a, "%s/%s", o->out_dir, d->pdf);
	pdf_tmp = arena_printf(&a, "%s/.%s.tmp", o->out_dir, d->pdf);
	json_path = arena_printf(&a, "%s/%s", o->out_dir, d->manifest);
	json_tmp = arena_printf(&a, "%s/.%s.tmp", o->out_dir, d->manifest);
	char created[21];
	date_format_timestamp(w.b.created_at, created);
	for (int i = 0; i < w.n; i++) {
		struct arena la;
		json_t *model = NULL;
		enum lang lang;
		struct item *it = &w.items[i];
		arena_init(&la, 0);
		int prc = prepare(s, o, ids[i], fwd, n_fwd, it, &model, &lang, &a, &la, e);
		if (prc == 0 && !it->withdrawn) {
			if (pdf == NULL) {
				if ((f = fopen(pdf_tmp, "wb")) == NULL) {
					io_error(e, "cannot create", pdf_tmp);
					prc = -1;
				} else if ((pdf = pdf_new_file(
				                f, arena_printf(&a, "%s %lld", "print batch", (long long)id), created,
				                e)) == NULL) {
					prc = -1;
				}
			}
			if (prc == 0)
				prc = pdf_add_letter(pdf, model, lang, &it->addr, &it->first_page, &it->pages, e);
			if (prc == 0) {
				w.letters++;
				w.pages += it->pages;
			}
		}
		json_decref(model);
		arena_cleanup(&la);
		if (prc != 0)
			goto out;
	}
	if (pdf != NULL) {
		int frc = pdf_finish(pdf, e);
		pdf = NULL;
		FILE *ff = f;
		f = NULL;
		if (frc != 0) {
			fclose(ff);
			goto out;
		}
		if (close_synced(ff, pdf_tmp, e) != 0 || file_sha256(pdf_tmp, w.sha256, e) != 0)
			goto out;
		if (rename(pdf_tmp, pdf_path) != 0) {
			io_error(e, "cannot rename", pdf_tmp);
			goto out;
		}
		json_t *m = manifest(&w, d);
		FILE *mf = fopen(json_tmp, "wb");
		if (mf == NULL) {
			json_decref(m);
			io_error(e, "cannot create", json_tmp);
			goto out;
		}
		int jrc = json_dumpf(m, mf, JSON_INDENT(2));
		json_decref(m);
		if (jrc != 0 || fputc('\n', mf) == EOF) {
			fclose(mf);
			io_error(e, "cannot write", json_tmp);
			goto out;
		}
		if (close_synced(mf, json_tmp, e) != 0)
			goto out;
		if (rename(json_tmp, json_path) != 0) {
			io_error(e, "cannot rename", json_tmp);
			goto out;
		}
		if (sync_dir(o->out_dir, e) != 0)
			goto out;
	}
	if (store_write(s, finish_tx, &w, e) != 0)
		goto out;
	d->letters = w.letters;
	d->pages = w.pages;
	log_info("paper: batch %lld written: %d letters, %d pages", (long long)id, w.letters, w.pages);
	rc = 0;
out:
	if (pdf != NULL)
		pdf_finish(pdf, NULL);
	if (f != NULL)
		fclose(f);
	arena_cleanup(&a);
	return rc;
}

/* ---- a run ---- */

/* Hold out_dir's lock file for the run; returns its descriptor or -1. */
static int lock_dir(const char *dir, struct err *e)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/.print-batch.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		io_error(e, "cannot open", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		err_set(e, ERR_CONFLICT, "out", "another print-batch run is writing to %s", dir);
		return -1;
	}
	return fd;
}

static void count(struct paper_summary *sum, const struct paper_batch_done *d)
{
	if (d->letters == 0)
		return;
	sum->letters += d->letters;
	sum->pages += d->pages;
	if (sum->n_batches < PAPER_RUN_BATCHES)
		sum->batches[sum->n_batches] = *d;
	sum->n_batches++;
}

int paper_run(struct store *s, const struct paper_options *o, struct paper_summary *sum, struct err *e)
{
	struct arena a;
	int64_t *open_ids;
	int rc = -1;
	memset(sum, 0, sizeof(*sum));
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	int lock = lock_dir(o->out_dir, e);
	if (lock < 0)
		return -1;
	arena_init(&a, 0);
	int n = store_paper_open_batches(s, 1000, &open_ids, &a, e);
	if (n < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		struct paper_batch_done d;
		log_info("paper: completing batch %lld left open by an earlier run", (long long)open_ids[i]);
		if (write_batch(s, o, open_ids[i], &d, e) != 0)
			goto out;
		d.completed = 1;
		count(sum, &d);
	}
	for (;;) {
		int64_t id;
		int withheld = 0;
		if (paper_claim(s, o, &id, &withheld, e) != 0)
			goto out;
		sum->withheld_new += withheld;
		if (id == 0)
			break;
		struct paper_batch_done d;
		if (write_batch(s, o, id, &d, e) != 0)
			goto out;
		count(sum, &d);
	}
	int64_t waiting;
	if (store_paper_withheld_count(s, &waiting, e) != 0)
		goto out;
	sum->withheld = (int)waiting;
	rc = 0;
out:
	arena_cleanup(&a);
	close(lock);
	return rc;
}

/* ---- for the case worker ---- */

int paper_mark_withheld(struct store *s, int64_t person_id, json_t *letters, struct err *e)
{
	struct arena a;
	int64_t *ids;
	arena_init(&a, 0);
	int n = store_paper_withheld_of_person(s, person_id, 200, &ids, &a, e);
	size_t i;
	json_t *l;
	json_array_foreach(letters, i, l)
	{
		int64_t id = json_integer_value(json_object_get(l, "id"));
		for (int k = 0; k < n; k++)
			if (ids[k] == id)
				json_object_set_new(l, "paper_withheld", json_true());
	}
	arena_cleanup(&a);
	return n < 0 ? -1 : 0;
}
