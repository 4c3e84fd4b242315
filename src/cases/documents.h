/* documents.h - documentation a person sends when a case worker asked for
 * it, and the request's deadline.
 *
 * A request for documentation (cases_request_documentation) makes the case
 * wait (awaiting-documentation) and arms a "documentation-deadline" job for
 * the end of the deadline day. Then one of two things closes the request:
 *
 *   - the person uploads their documents: the documents (with SHA-256,
 *     size, type and name), the request closed as "received" and the case
 *     back in the case workers' queue (status manual) are one transaction
 *     with its audit record; the deadline job then finds nothing to do;
 *   - the deadline passes with nothing received: the job closes the
 *     request as "expired" and puts the case back in the queue, audited.
 *
 * A document's type is what its first bytes say (PDF, JPEG or PNG), never
 * what the sender claims. Only case workers read documents, each reading
 * audited. */
#ifndef STIPEND_DOCUMENTS_H
#define STIPEND_DOCUMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "cases/jobs.h"
#include "store/messages.h"

struct arena;
struct err;

#define DOC_MAX_FILES 5
#define DOC_MAX_BYTES (10 * 1024 * 1024) /* 10 MiB a file */
#define DOC_NOTE_MAX 1000                /* characters of the note */
#define DOC_NAME_MAX 200                 /* bytes of a file's name as stored */

/* What is wrong with one file, if anything. */
enum doc_fault { DOC_FILE_OK, DOC_FILE_EMPTY, DOC_FILE_TOO_LARGE, DOC_FILE_TYPE };

/* The media type len bytes at data begin with ("application/pdf",
 * "image/jpeg", "image/png"), or NULL for any other. */
const char *documents_sniff(const void *data, size_t len);

/* Check one file: empty, larger than DOC_MAX_BYTES, or not of a type
 * documents_sniff knows. */
enum doc_fault documents_check_file(const void *data, size_t len);

/* One file as the person sent it. */
struct doc_upload {
	const char *name; /* as the sender named it (any bytes; cleaned when stored) */
	const void *data;
	size_t len;
};

/* who (a person) sends files (1 to DOC_MAX_FILES) with an optional note
 * (NULL or up to DOC_NOTE_MAX characters) for the latest request for
 * documentation on case_id. Stores them and moves the case back to the
 * queue as described above; returns 0 once durably committed, *submission
 * (may be NULL) receiving the upload's id. Fails, storing nothing, with
 * ERR_INVALID (field "files" or "note") for input documents_check_file or
 * msg_text_ok refuses, ERR_NOT_FOUND (audited) when the case is not who's,
 * ERR_CONFLICT when the case does not await documentation. */
int documents_receive(struct store *s, const struct principal *who, int64_t case_id, const struct doc_upload *files,
		      int n, const char *note, int64_t now, int64_t *submission, struct err *e);

/* The gate of an upload, asked before its body is read (the server asks
 * it when the request's headers have come, so that nobody makes it hold a
 * body it would refuse): 0 when who may send documentation for case_id
 * (ACT_DOCUMENT_UPLOAD); else -1 with ERR_NOT_FOUND when the case does not
 * exist or is not who's, the refusal audited as
 * "case.documentation.denied" (the same for both), or the store's error.
 * documents_receive asks the gate again before it stores. */
int documents_upload_gate(struct store *s, const struct principal *who, int64_t case_id, int64_t now, struct err *e);

/* Read document id with its content for who (a case worker): audited
 * ("document.read"); anyone else gets ERR_NOT_FOUND, the refusal audited. */
int documents_read(struct store *s, const struct principal *who, int64_t id, int64_t now, struct document *out,
		   struct arena *a, struct err *e);

/* Arm the deadline of request r (just stored in tx, r->id set): a
 * "documentation-deadline" job for r->id, due at the end of r->deadline
 * (the day is a UTC day, as the portal's "today" is: the job runs at the
 * first second after it). Call it in the request's transaction. */
int documents_arm_deadline(struct store_tx *tx, const struct doc_request *r, struct err *e);

/* The job kinds ("documentation-deadline"), ended by {NULL, NULL}; they
 * need no context. */
extern const struct job_kind documents_job_kinds[];

#endif
