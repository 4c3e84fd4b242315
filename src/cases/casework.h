/* casework.h - the case worker's work on the domain floor: the queue, a
 * case examined with everything it was decided on, the messages waiting
 * and one message with its conversation, and the three acts on a case
 * (decide it, ask for documentation, have it decided again).
 *
 * Every function takes the acting identity and asks the one gate
 * (access_check) before it reads or writes, so a refusal is audited there,
 * once: ERR_NOT_FOUND for what concerns a person (a refusal looks like a
 * missing thing), ERR_FORBIDDEN for the lists that name no one. Readings
 * of a case are audited ("case.read" by staff:N) as they were when the
 * workbench did it, and so is an authorised reading of a confidential
 * address. The web handlers parse a form into the plain structs below,
 * call one function, and render what it returns; they never see the
 * store.
 *
 * Everything returned is allocated in the caller's arena unless a comment
 * says otherwise. None of these functions is more thread-safe than the
 * store: each is safe to call from several request threads at once. */
#ifndef STIPEND_CASES_CASEWORK_H
#define STIPEND_CASES_CASEWORK_H

#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "cases/cases.h"
#include "store/messages.h"
#include "store/store.h"

struct arena;
struct err;

#define CASEWORK_TEXT_MIN 10 /* characters of a justification or request */
#define CASEWORK_TEXT_MAX 2000
#define CASEWORK_DEADLINE_MIN_DAYS 1 /* a deadline is tomorrow ... */
#define CASEWORK_DEADLINE_MAX_DAYS 60 /* ... to 60 days ahead */
#define CASEWORK_DEADLINE_DEFAULT_DAYS 14

/* ---- what a decision may offer ---- */

/* An award the rules settled, which the case worker may keep. */
struct casework_award {
	const char *name; /* "basic-loan", "boarding-grant", ... */
	int64_t amount;   /* øre */
};

/* What a case worker's decision of a case may give. */
struct casework_offer {
	int open; /* the case waits for a case worker and has the rules' decision to build on */
	struct casework_award *awards;
	int n_awards;
	/* Upper secondary, stopped at special circumstances, no boarding
	 * grant yet: the case worker may grant it for months at the monthly
	 * rate in force on the school year's first day. */
	int boarding_offered;
	int months;
	int64_t boarding_monthly; /* øre */
};

/* ---- the case worker's acts ---- */

/* The decide form, parsed: the handler collects the fields as they came. */
struct casework_decision_form {
	const char *outcome;      /* "granted", "partly-granted", "rejected"; NULL when none chosen */
	const char *const *keep;  /* the names of the awards to keep (keep_<name>=yes) */
	int n_keep;
	int grant_boarding;       /* grant_boarding=yes */
	const char *justification; /* as msg_text_clean() left it; NULL when absent */
};

/* The request-for-documentation form, parsed. */
struct casework_request_form {
	const char *text;     /* as msg_text_clean() left it; NULL when absent */
	const char *deadline; /* "2025-01-31" as typed; NULL when absent */
};

/* What is wrong with a form, field by field: NULL, or a code saying what.
 * outcome: "required" (no valid outcome), "no-awards" (a grant that gives
 * nothing); justification and doc_text: "length" (not 10 to 2000
 * characters of text); deadline: "range" (no date, or not tomorrow to 60
 * days ahead). n counts the fields in error. */
struct casework_errors {
	const char *outcome, *justification, *doc_text, *deadline;
	int n;
};

/* who decides case_id with the choices of form: asks the gate
 * (ACT_CASE_DECIDE, audited "case.decide.denied" when refused), then
 * ERR_CONFLICT when the case no longer waits for a case worker, then checks
 * the form: ERR_INVALID naming the first field in error, every field's
 * error in *errors (may be NULL). Otherwise builds the decision in the
 * contract's shape (the rules' decision with the outcome and awards chosen,
 * the boarding grant if granted, no manual reasons left, and the rules'
 * trace followed by the step "caseworker.decision" carrying the
 * justification, forvaltningsloven § 25) and stores it with its letter and
 * the audit record "case.decided-by-caseworker" in one transaction; the
 * new decision supersedes the rules' (both kept). Returns 0 once
 * committed, *letter_id (may be NULL) receiving the letter; a case decided
 * meanwhile by someone else fails with ERR_CONFLICT, changing nothing. */
int cases_decide_by_caseworker(const struct cases_env *env, const struct principal *who, int64_t case_id,
			       const struct casework_decision_form *form, int64_t now, int64_t *letter_id,
			       struct casework_errors *errors, struct err *e);

/* who asks the applicant of case_id for documentation: the gate
 * (ACT_CASE_REQUEST_DOCS), ERR_CONFLICT when the case no longer waits for a
 * case worker, ERR_INVALID as above for the text or the deadline (tomorrow
 * to CASEWORK_DEADLINE_MAX_DAYS ahead of now, UTC days). Otherwise the
 * case waits (awaiting-documentation), the request and the letter that
 * carries it are stored, the deadline armed and the act audited
 * ("case.documentation-requested"), in one transaction; *out (may be
 * NULL) receives the request with its ids. */
int cases_request_documentation(const struct cases_env *env, const struct principal *who, int64_t case_id,
				const struct casework_request_form *form, int64_t now, struct doc_request *out,
				struct casework_errors *errors, struct err *e);

/* who has case_id decided again on the registers' facts as they are now:
 * the gate (ACT_CASE_REDECIDE, "case.redecide.denied"), then a "redecide"
 * job enqueued and audited (cases_redecide) and the job runner woken.
 * Returns 0 once committed. */
int cases_redecide_by_caseworker(const struct cases_env *env, const struct principal *who, int64_t case_id,
				 int64_t now, struct err *e);

/* ---- reading ---- */

/* One case in the case workers' queue. */
struct casework_queue_entry {
	struct case_rec c; /* with its current decision */
	const char *deadline; /* awaiting documentation: the latest request's deadline, else NULL */
	/* A manual case back from documentation: "received" (documents came)
	 * or "expired" (the deadline passed); else NULL. */
	const char *docs_state;
};

struct casework_queue {
	const char *reason; /* the filter in force (a reason code), or NULL: all */
	struct casework_queue_entry *manual, *awaiting;
	int n_manual, n_awaiting; /* listed (at most 200 each) */
	int64_t manual_total, awaiting_total;
	const char **reasons; /* the reason codes the waiting cases name, sorted */
	int n_reasons;
};

/* The queue for who (ACT_QUEUE_READ; a refusal is ERR_FORBIDDEN, audited
 * "queue.read.denied" on "queue:caseworker"): the cases waiting for a
 * case worker and those awaiting documentation, oldest first, filtered by
 * reason (NULL, or a code as the rules write them; any other text is no
 * filter), with their counts and the codes there are to filter by. */
int casework_queue(const struct cases_env *env, const struct principal *who, const char *reason, int64_t now,
		   struct casework_queue *out, struct arena *a, struct err *e);

/* A decision the case has had, with who made it. */
struct casework_decision {
	struct case_rec d;  /* decided_at; received_at is when it was superseded, 0 for the current */
	int by_caseworker;  /* its last step is "caseworker.decision" */
};

/* An audit record of the case, with the staff member's name when a member
 * of staff made it (else NULL). */
struct casework_audit {
	struct audit_rec rec;
	const char *staff_name;
};

/* A message of the case's conversation, with the name of the case worker
 * who wrote an answer (else NULL). */
struct casework_message {
	struct message m;
	const char *staff_name;
};

/* A letter of the case, and whether it is withheld from paper (the
 * person's address is confidential). */
struct casework_letter {
	struct letter l;
	int paper_withheld;
};

/* A case as the case worker examines it. */
struct casework_case {
	struct case_rec c;
	/* The applicant; address and postcode/city are NULL when withheld
	 * (confidential and who may not see it). */
	int has_applicant;
	struct person applicant;
	int address_withheld;
	struct casework_decision *history; /* oldest first */
	int n_history;
	struct casework_audit *audit; /* the case's audit trail, this reading included */
	int n_audit;
	struct casework_letter *letters; /* newest first */
	int n_letters;
	int has_request; /* the latest request for documentation */
	struct doc_request request;
	int has_docs_state; /* what became of it when closed ("received", "expired") */
	struct doc_request_state docs_state;
	struct casework_message *conversation; /* oldest first */
	int n_conversation;
	struct document *documents; /* without content */
	int n_documents;
	struct casework_offer offer;
	/* The rules' decision (or a case waiting for a case worker) may be
	 * made again on the registers' facts as they are now. */
	int redecidable;
};

/* Examine case_id for who: the gate (ACT_CASE_EXAMINE; a refusal is
 * ERR_NOT_FOUND, audited "case.examine.denied", as a missing case is); the
 * reading audited as "case.read" by who, and an authorised reading of a
 * confidential address as "person.confidential-address.read", in one
 * transaction; then everything above into *out. */
int cases_examine(const struct cases_env *env, const struct principal *who, int64_t case_id, int64_t now,
		  struct casework_case *out, struct arena *a, struct err *e);

/* The messages waiting for an answer, oldest first (at most 200), and how
 * many wait in all, for who (ACT_MESSAGES_QUEUE; ERR_FORBIDDEN, audited
 * "messages.read.denied" on "messages:waiting"). Returns the count listed
 * or -1. */
int casework_messages_waiting(const struct cases_env *env, const struct principal *who, int64_t now,
			      struct message **out, int64_t *total, struct arena *a, struct err *e);

/* One message as a case worker reads it. */
struct casework_message_view {
	struct message message; /* the person's message */
	struct case_rec c;      /* its case */
	struct casework_message *conversation; /* the case's, oldest first */
	int n_conversation;
};

/* Read the incoming message message_id for who (ACT_MESSAGE_READ about the
 * person who wrote it; ERR_NOT_FOUND, audited "message.read.denied", when
 * refused or when there is no such incoming message). Reading the
 * conversation is reading the case: audited "case.read" by who. */
int casework_message_read(const struct cases_env *env, const struct principal *who, int64_t message_id,
			  int64_t now, struct casework_message_view *out, struct arena *a, struct err *e);

/* The offer a decision of c may make (see struct casework_offer), with
 * the boarding rate from params. For the case page and the tests. */
void casework_offer_of(const struct params *params, const struct case_rec *c, struct casework_offer *out,
		       struct arena *a);

#endif
