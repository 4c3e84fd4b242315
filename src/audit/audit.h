/* audit.h - the append-only, hash-chained audit log.
 *
 * Every decision and every read of personal data is recorded inside the
 * same transaction as the work it describes, so that an audit record exists
 * exactly when the work does. Each record's hash is SHA-256 over the
 * previous record's hash and the record's own fields; audit_verify() walks
 * the chain and finds the first record that was changed, removed or
 * inserted. Actors and objects are internal names ("person:17", "case:3"),
 * never a national identity number. */
#ifndef STIPEND_AUDIT_H
#define STIPEND_AUDIT_H

#include <stdint.h>

struct err;
struct store;
struct store_tx;

/* Append one record within tx. detail is free text without personal data
 * (may be NULL). Returns 0 or -1 with e filled. */
int audit_append(struct store_tx *tx, int64_t at, const char *actor, const char *action, const char *object,
		 const char *detail, struct err *e);

/* Walk the whole chain. Returns 0 when intact (count receives the number of
 * records), 1 when broken (bad_seq receives the first bad record), -1 when
 * the log could not be read. */
int audit_verify(struct store *s, int64_t *count, int64_t *bad_seq, struct err *e);

#endif
