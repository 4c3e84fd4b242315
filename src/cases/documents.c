/* documents.c - documentation sent in answer to a request, and the
 * request's deadline; see documents.h.
 *
 * The upload's transaction re-reads the request's state inside itself, so
 * that an upload racing the deadline job (or a second upload) finds the
 * request closed and changes nothing: exactly one of them moves the case. */
#include "cases/documents.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "mailbox/messages.h"

#define KIND_DEADLINE "documentation-deadline"

const char *documents_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;
	if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	return NULL;
}

enum doc_fault documents_check_file(const void *data, size_t len)
{
	if (len == 0)
		return DOC_FILE_EMPTY;
	if (len > DOC_MAX_BYTES)
		return DOC_FILE_TOO_LARGE;
	return documents_sniff(data, len) ? DOC_FILE_OK : DOC_FILE_TYPE;
}

/* The name to keep for a file: its own name (no folders) as sent when it
 * is short, printable UTF-8, else "dokument" with the type's extension. */
static const char *clean_name(struct arena *a, const char *name, const char *media_type)
{
	const char *ext = strcmp(media_type, "application/pdf") == 0 ? "pdf"
			  : strcmp(media_type, "image/jpeg") == 0    ? "jpg"
								     : "png";
	/* Never a folder: only the file's own name is kept. */
	const char *slash = name ? strrchr(name, '/') : NULL, *back = name ? strrchr(name, '\\') : NULL;
	if (slash != NULL || back != NULL)
		name = (slash > back ? slash : back) + 1;
	if (name == NULL || !msg_text_ok(name, 1, DOC_NAME_MAX) || strlen(name) > DOC_NAME_MAX ||
	    strpbrk(name, "\n\t") != NULL)
		return arena_printf(a, "dokument.%s", ext);
	return arena_strdup(a, name);
}


/* ---- receiving ---- */

struct receiving {
	int64_t case_id, person_id, request_id, now;
	const struct document *docs;
	int n;
	const char *note;
	int64_t bytes;
	char actor[64];
	struct arena *a;
	int64_t submission;
};

static int store_receiving(struct store_tx *tx, void *arg, struct err *e)
{
	struct receiving *r = arg;
	struct doc_request_state st;
	char object[32], detail[96];
	int rc = store_doc_request_state_tx(tx, r->request_id, &st, r->a, e);
	if (rc < 0)
		return -1;
	if (rc > 0 || !st.latest || strcmp(st.state, "open") != 0 ||
	    strcmp(st.case_status, "awaiting-documentation") != 0 || st.person_id != r->person_id)
		return err_set(e, ERR_CONFLICT, NULL, "case %lld does not await documentation", (long long)r->case_id);
	snprintf(object, sizeof(object), "case:%lld", (long long)r->case_id);
	if (store_case_from_manual(tx, r->case_id, "manual", e) != 0 ||
	    store_documents_insert(tx, r->case_id, r->person_id, r->request_id, r->note, r->now, r->docs, r->n,
				   &r->submission, e) != 0 ||
	    store_doc_request_close(tx, r->request_id, "received", r->now, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "request=%lld submission=%lld files=%d bytes=%lld", (long long)r->request_id,
		 (long long)r->submission, r->n, (long long)r->bytes);
	return audit_append(tx, r->now, r->actor, "case.documentation-received", object, detail, e);
}

int documents_receive(struct store *s, const struct principal *who, int64_t case_id, const struct doc_upload *files,
		      int n, const char *note, int64_t now, int64_t *submission, struct err *e)
{
	struct arena a;
	struct case_rec c;
	struct doc_request dr;
	int rc = -1;
	arena_init(&a, 0);
	if (cases_gate(s, who, ACT_DOCUMENT_UPLOAD, case_id, now, &c, &a, e) != 0)
		goto out;
	if (n < 1 || n > DOC_MAX_FILES) {
		err_set(e, ERR_INVALID, "files", "send 1 to %d files", DOC_MAX_FILES);
		goto out;
	}
	if (note != NULL && *note != '\0' && !msg_text_ok(note, 1, DOC_NOTE_MAX)) {
		err_set(e, ERR_INVALID, "note", "a note is at most %d characters of text", DOC_NOTE_MAX);
		goto out;
	}
	struct document *docs = arena_zalloc(&a, sizeof(*docs) * (size_t)n);
	int64_t bytes = 0;
	for (int i = 0; i < n; i++) {
		if (documents_check_file(files[i].data, files[i].len) != DOC_FILE_OK) {
			err_set(e, ERR_INVALID, "files", "file %d is empty, too large, or not PDF, JPEG or PNG", i + 1);
			goto out;
		}
		unsigned char hash[crypto_hash_sha256_BYTES];
		char *hex = arena_alloc(&a, 2 * sizeof(hash) + 1);
		crypto_hash_sha256(hash, files[i].data, files[i].len);
		sodium_bin2hex(hex, 2 * sizeof(hash) + 1, hash, sizeof(hash));
		docs[i].media_type = documents_sniff(files[i].data, files[i].len);
		docs[i].name = clean_name(&a, files[i].name, docs[i].media_type);
		docs[i].size = (int64_t)files[i].len;
		docs[i].sha256 = hex;
		docs[i].content = files[i].data;
		bytes += docs[i].size;
	}
	int found = store_doc_request_latest(s, case_id, &dr, &a, e);
	if (found != 0) {
		if (found > 0)
			err_set(e, ERR_CONFLICT, NULL, "case %lld does not await documentation", (long long)case_id);
		goto out;
	}
	struct receiving r = {case_id, c.person_id, dr.id, now, docs, n, note && *note ? note : NULL, bytes, "", &a, 0};
	access_actor(who, r.actor, sizeof(r.actor));
	if (store_write(s, store_receiving, &r, e) != 0)
		goto out;
	if (submission)
		*submission = r.submission;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

int documents_upload_gate(struct store *s, const struct principal *who, int64_t case_id, int64_t now, struct err *e)
{
	struct arena a;
	struct case_rec c;
	arena_init(&a, 0);
	int rc = cases_gate(s, who, ACT_DOCUMENT_UPLOAD, case_id, now, &c, &a, e);
	arena_cleanup(&a);
	return rc;
}

/* ---- reading ---- */

struct reading {
	int64_t at;
	const char *actor;
	const char *object, *detail;
};

static int audit_reading(struct store_tx *tx, void *arg, struct err *e)
{
	const struct reading *r = arg;
	return audit_append(tx, r->at, r->actor, "document.read", r->object, r->detail, e);
}

int documents_read(struct store *s, const struct principal *who, int64_t id, int64_t now, struct document *out,
		   struct arena *a, struct err *e)
{
	char object[32], actor[64], detail[32];
	snprintf(object, sizeof(object), "document:%lld", (long long)id);
	int rc = store_document_get(s, id, out, a, e);
	if (rc < 0)
		return -1;
	/* Case workers only: the person sent them and has them already. */
	if (access_check(s, who, ACT_DOCUMENT_READ, rc == 0 ? out->person_id : 0, object, "document", now, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "case=%lld", (long long)out->case_id);
	struct reading r = {now, access_actor(who, actor, sizeof(actor)), object, detail};
	return store_write(s, audit_reading, &r, e);
}

/* ---- the deadline ---- */

/* The first second after the deadline day (UTC), or -1 for a deadline
 * that is no date. */
static int64_t deadline_end(const char *deadline)
{
	date_t d;
	if (date_parse(deadline, &d) != 0)
		return -1;
	return ((int64_t)d + 1) * 86400;
}

int documents_arm_deadline(struct store_tx *tx, const struct doc_request *r, struct err *e)
{
	int64_t end = deadline_end(r->deadline);
	if (end < 0)
		return err_set(e, ERR_INVALID, "deadline", "the deadline %s is no date", r->deadline);
	return store_job_enqueue(tx, KIND_DEADLINE, r->id, end, r->requested_at, e);
}

struct expiry {
	const struct job_rec *job;
	int64_t now;
	struct arena *a;
};

/* The case still awaits what this request asked for and nothing came:
 * back to the queue, marked. Anything else: nothing to do. */
static int expire(struct store_tx *tx, void *arg, struct err *e)
{
	struct expiry *x = arg;
	struct doc_request_state st;
	char object[32], detail[64];
	int rc = store_doc_request_state_tx(tx, x->job->subject_id, &st, x->a, e);
	if (rc < 0)
		return -1;
	if (rc == 0 && st.latest && strcmp(st.state, "open") == 0 &&
	    strcmp(st.case_status, "awaiting-documentation") == 0) {
		/* Run early (armed by hand, or a clock set back)? Come back at
		 * the deadline's end instead of passing it too soon. */
		int64_t end = deadline_end(st.deadline);
		if (end > x->now)
			return store_job_done(tx, x->job->id, e) != 0 ? -1
			       : store_job_enqueue(tx, KIND_DEADLINE, st.id, end, x->now, e);
		snprintf(object, sizeof(object), "case:%lld", (long long)st.case_id);
		snprintf(detail, sizeof(detail), "request=%lld", (long long)st.id);
		if (store_case_from_manual(tx, st.case_id, "manual", e) != 0 ||
		    store_doc_request_close(tx, st.id, "expired", x->now, e) != 0 ||
		    audit_append(tx, x->now, "system", "case.documentation-deadline-passed", object, detail, e) != 0)
			return -1;
	}
	return store_job_done(tx, x->job->id, e);
}

static int deadline_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	(void)ctx;
	struct arena a;
	arena_init(&a, 0);
	struct expiry x = {job, now, &a};
	int rc = store_write(s, expire, &x, e);
	arena_cleanup(&a);
	return rc;
}

const struct job_kind documents_job_kinds[] = {{KIND_DEADLINE, deadline_job, NULL}, {NULL, NULL, NULL}};
