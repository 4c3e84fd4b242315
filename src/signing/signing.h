/* signing.h - the support agreement ("avtale om støtte") and its signing.
 *
 * A granted decision with a loan, or a pupil's first grant, needs an
 * agreement: a PDF drawn with the mailbox's letter machinery, with the
 * awards, the loan terms and the person's details. It covers the loan of
 * the person's school year, so a new decision in the same year needs a new
 * agreement only when its loan grows. The person signs it, or under 18 one
 * parent or guardian the population register names; electronically at a
 * signing service (BankID; the simulator's test service here) that returns
 * a detached CMS signature (SHA-256) over the exact PDF bytes, which
 * stipend verifies against the configured CA before it stores it; or on
 * paper, sent in the print batch and registered by a case worker when the
 * signed copy comes back.
 *
 * Every function that touches personal data asks the gate
 * (access_check) and audits what it does; the payout conditions ask
 * signing_agreement_signed(). */
#ifndef STIPEND_SIGNING_H
#define STIPEND_SIGNING_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "core/i18n.h"

struct arena;
struct buf;
struct err;
struct store;

/* Whether the agreement the case's current decision needs is signed:
 * *is_signed is 1 when it is signed electronically or its signed paper copy
 * was registered as received, or when the decision needs no agreement (not
 * granted, or no loan and not a pupil's grant, or an undecided case); 0
 * when the agreement is unsigned, on its way on paper, or not made yet.
 * An agreement signed for a larger loan of the same school year covers a
 * smaller one. Asks no policy (the payout run acts for the agency) and
 * writes nothing. Returns 0, or -1 with e filled (ERR_NOT_FOUND: no such
 * case). Thread-safe. */
int signing_agreement_signed(struct store *s, int64_t case_id, int *is_signed, struct err *e);

/* How the agreement of a decision's awards is sized: the sum of its loans
 * and of its grants, in øre, and whether it needs an agreement at all
 * (granted or partly granted, and a loan, or an upper-secondary grant).
 * Pure. Returns 0, or -1 when decision_json is not the decision contract's
 * JSON. */
int signing_decision_needs(const char *scheme, const char *outcome, const char *decision_json, int64_t *loan,
			   int64_t *grants, int *needs);

/* ---- the signing service and the verification ---- */

struct signing_config {
	const char *service_url; /* the signing service, e.g. http://127.0.0.1:8090/signing/v1 */
	const char *ca_file;     /* PEM: the CA(s) whose certificates stipend trusts */
	const char *public_url;  /* stipend's own address, for the return URL */
};

/* Configure signing (once, before serving; the strings must outlive the
 * server). Without it "Signer avtalen" answers that electronic signing is
 * not available, and paper remains. Returns 0, or -1 with e filled when the
 * CA file cannot be read. */
int signing_configure(const struct signing_config *c, struct err *e);

/* What verifying a signature found. */
struct signing_verdict {
	int ok;
	const char *code;    /* "signed", or why not: "bytes", "signer", "ca", "expired", "malformed" */
	const char *subject_serial; /* the certificate's subject serialNumber (the NIN) */
	const char *subject_name;   /* its commonName */
	const char *issuer;
	const char *serial;
	const char *not_after; /* ISO 8601 */
	const char *message;   /* for the log and the test, in English */
};

/* Verify the DER CMS SignedData sig (detached) over content with the CA
 * file cafile at the moment `now`, and that the signer's certificate names
 * expected_nin in its subject serialNumber. Fills v (strings in a).
 * Returns 0 (v->ok says the verdict) or -1 with e filled when the check
 * itself could not run (no CA file). Thread-safe. */
int signing_verify(const unsigned char *sig, size_t sig_len, const unsigned char *content, size_t content_len,
		   const char *cafile, const char *expected_nin, int64_t now, struct signing_verdict *v,
		   struct arena *a, struct err *e);

/* ---- the person's side ---- */

/* The agreements of the person who acts for (access_subject), made first
 * for every granted decision that needs one and has none (the PDF drawn in
 * lang): template data {"agreements": [...], "under_18", "signer"...}.
 * Asks the gate (agreement.read). New reference; strings in a. */
json_t *signing_agreements_page(struct store *s, const struct principal *who, enum lang lang, int64_t now,
				struct arena *a, struct err *e);

/* Make the agreements a person's decisions need and do not have (the PDF in
 * lang). Called by signing_agreements_page; exposed for the tests and for
 * a job. Returns how many were made, or -1. */
int signing_agreements_make(struct store *s, int64_t person_id, enum lang lang, int64_t now, struct arena *a,
			    struct err *e);

/* The agreement's PDF (exact stored bytes) for who: agreement.read on its
 * owner. *pdf in a. Returns 0 or -1 (ERR_NOT_FOUND). */
int signing_agreement_pdf(struct store *s, const struct principal *who, int64_t id, int64_t now,
			  const unsigned char **pdf, size_t *len, struct arena *a, struct err *e);

/* Start signing agreement id: checks agreement.sign for who (the person
 * themself, 18 or over; or a guardian acting for a person under 18), makes
 * a one-time reference and returns in *redirect (a) the signing service's
 * address to send the browser to. Returns 0 or -1: ERR_NOT_FOUND, or
 * ERR_CONFLICT when it is signed already or the person must sign it
 * themself (they are 18) or a guardian must (they are not). */
int signing_start(struct store *s, const struct principal *who, int64_t id, int64_t now, const char **redirect,
		  struct arena *a, struct err *e);

/* The browser is back from the signing service with ref: fetch the
 * signature for ref from the service, verify it against the CA, check that
 * the certificate names the person who must sign, and store it with the
 * verification and an audit record; or record the refusal. Returns 0 with
 * *agreement_id set and *verdict filled (verdict->ok says whether it was
 * signed), or -1 with e filled (ERR_NOT_FOUND: unknown, used or expired
 * reference, or not who's; ERR_IO: the service could not be reached). */
int signing_finish(struct store *s, const struct principal *who, const char *ref, int64_t now,
		   int64_t *agreement_id, struct signing_verdict *verdict, struct arena *a, struct err *e);

/* Choose paper for agreement id (agreement.sign's rights): it goes in the
 * next print batch. Returns 0 or -1 (ERR_CONFLICT when not unsigned). */
int signing_choose_paper(struct store *s, const struct principal *who, int64_t id, int64_t now, struct err *e);

/* A case worker registers that the signed paper copy of agreement id has
 * arrived (agreement.paper-received). Returns 0 or -1. */
int signing_paper_received(struct store *s, const struct principal *who, int64_t id, int64_t now, struct err *e);

/* The agreements waiting on paper, for the case worker's page
 * (agreement.paper-received, no one's data): {"agreements": [...]}. */
json_t *signing_paper_queue(struct store *s, const struct principal *who, int64_t now, struct arena *a,
			    struct err *e);

/* Put the paper agreements not yet sent into print batch files under dir
 * (one PDF per run, agreements.pdf, with a manifest), marking each sent.
 * Returns how many were sent, or -1. Acts for the agency (no principal). */
int signing_paper_batch(struct store *s, const char *dir, int64_t now, struct err *e);

#endif
