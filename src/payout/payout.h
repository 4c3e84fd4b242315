/* payout.h - the money goes out: payout conditions, each decision's payout
 * plan, the daily payout run through the bank, and what a person sees of it.
 *
 * A granted decision is paid when three conditions hold: its agreement is
 * signed, the person has an account of their own (from the tax authority's
 * account register, or one they registered on Dine sider that the register
 * says is theirs), and the institution confirmed the school year
 * (admission and semester registration, or a pupil's attendance). Its plan
 * splits each award into the decision's months, each month paid on the
 * 15th or the banking day before (core/holidays.h); the first payout
 * catches up every month already begun. The daily run gathers every due
 * line whose conditions hold into one ISO 20022 pain.001.001.03 file, one
 * credit transfer per person, and the bank's answers (pain.002 per payment,
 * camt.054 for what was booked) settle each payment. Every accepted payment
 * is a posting in the ledger in the transaction that records it.
 *
 * All functions are thread-safe; all money is integer øre. */
#ifndef STIPEND_PAYOUT_H
#define STIPEND_PAYOUT_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "core/date.h"
#include "core/i18n.h"

struct arena;
struct err;
struct reg_client;
struct store;

/* Where payout reaches the world. */
struct payout_env {
	struct store *store;
	struct reg_client *registers; /* the account register's bulk lookups; NULL: none fetched */
	const char *registers_url;    /* account ownership and the confirmation feed; NULL: none */
	const char *bank_url;         /* the bank; NULL: files are written and wait */
	const char *dir;              /* where payment files are written */
	int validate;                 /* validate each file against the pain.001.001.03 schema */
};

/* ---- the plan (pure) ---- */

/* Split amount_ore into n monthly parts (n >= 1) into out[0..n-1]: each
 * amount/n rounded down, the remainder on the last, so that they sum to
 * amount exactly. */
void payout_split(int64_t amount_ore, int n, int64_t *out);

#define PAYOUT_MAX_MONTHS 24

/* A decision's plan: per month from the first, the loan and grant amounts. */
struct payout_plan {
	int first_year, first_month; /* the month of the education's start */
	int n;                       /* months in the plan */
	int64_t loan[PAYOUT_MAX_MONTHS], grant[PAYOUT_MAX_MONTHS];
	int64_t loan_total, grant_total; /* the awards' sums: the plan sums to them exactly */
};

/* Plan the awards of decision (the contract's output) for an education
 * starting on start: each award of kind "loan" or "grant" with an amount
 * over 0 is split into its "months" (1 when it has none) from start's
 * month. A decision with no awards plans nothing (n 0). Returns 0, or -1
 * with ERR_INVALID when an award is malformed. Pure. */
int payout_plan_decision(const json_t *decision, date_t start, struct payout_plan *out, struct err *e);

/* ---- conditions ---- */

/* Record that the institution confirmed person_id's school year ("2024-2025"):
 * kind "semester-registration" (higher education) or "attendance" (upper
 * secondary), from source ("schools-register", "institution:<id>"). A
 * second confirmation of the same year keeps the first. Audited as
 * payout.confirmation by source. Returns 0 (*inserted, may be NULL, says
 * whether it was new) or -1 with e filled (ERR_INVALID naming the field). */
int payout_confirmation_record(struct store *s, int64_t person_id, const char *school_year, const char *kind,
			       const char *source, int64_t now, int *inserted, struct err *e);

/* Read the schools register's confirmation feed from where it was left and
 * record each confirmation of a person the agency knows. *taken (may be
 * NULL) counts the new ones. Returns 0 or -1 (ERR_IO: the register failed). */
int payout_follow_confirmations(const struct payout_env *env, int64_t now, int *taken, struct err *e);

/* Check an account number: 11 digits with the banks' MOD11 check digit.
 * Returns 0, or -1 with ERR_INVALID and field "account". Pure. */
int payout_account_check(const char *account, struct err *e);

/* who registers account (spaces and dots allowed between digits) as the
 * account their payments go to. The number must pass the MOD11 check and
 * the tax authority's account register must say it is the person's own;
 * otherwise ERR_INVALID naming "account" (nothing changes). A payment held
 * for a rejected account is paid in the next run. Returns 0 or -1 (ERR_IO
 * when the register could not answer). */
enum payout_account_problem {
	PAYOUT_ACCOUNT_FINE,
	PAYOUT_ACCOUNT_FORMAT,      /* not 11 digits */
	PAYOUT_ACCOUNT_CHECK_DIGIT, /* the MOD11 check digit is wrong */
	PAYOUT_ACCOUNT_NOT_OWN,     /* the register does not name it as the person's */
};
/* *problem (may be NULL) says which, when ERR_INVALID. */
int payout_account_register(const struct payout_env *env, const struct principal *who, const char *account,
			    int64_t now, enum payout_account_problem *problem, struct err *e);

/* ---- the run ---- */

struct payout_run_result {
	int64_t planned;     /* cases planned (again) */
	int64_t claims;      /* claims made for what was paid too much */
	int64_t accounts;    /* accounts fetched from the register */
	int64_t run_id;      /* the run's id, 0 when nothing was due */
	int64_t payments;    /* payments in the run's file */
	int64_t total_ore;   /* their sum */
	char file[4096];     /* the file written, or "" */
	int64_t accepted, rejected, booked; /* the bank's answers taken in this call */
	double ms_plan, ms_file, ms_validate; /* where the time went */
	double ms_bind, ms_commit;            /* binding the due lines; committing the run */
};

/* Plan every case decided since it was last planned (a decision decided
 * again is planned again: what is unpaid is recomputed, what was paid too
 * much becomes a claim with a letter and a ledger entry). */
int payout_plan_all(const struct payout_env *env, int64_t now, struct payout_run_result *out, struct err *e);

/* The daily run for day date: plan, fetch missing accounts, take the
 * bank's answers to earlier files, then bind every due payment whose
 * conditions hold into one pain.001 file (written to a temporary name,
 * synced, renamed, and recorded in the same transaction that binds the
 * payments: a run killed before the commit leaves no run and pays
 * nothing; a file without its run is never sent), send it to the bank,
 * and take its answers and the booked credits. Running a day again pays
 * nothing twice. Returns 0 with out filled, or -1 with e filled (what was
 * committed stays; the next run carries on). */
int payout_run(const struct payout_env *env, date_t date, int64_t now, struct payout_run_result *out,
	       struct err *e);

/* The daily run as a job (kind PAYOUT_JOB_KIND, ctx a struct payout_env
 * whose store is ignored): today's run, then again tomorrow at 05:00 UTC.
 * payout_arm() queues it (idempotent). */
#define PAYOUT_JOB_KIND "payout"
struct job_rec;
int payout_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e);
/* The same kind for a runner not told where payment files go: it hands
 * the job back for a minute, for a runner that is (never fails it). */
int payout_job_elsewhere(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e);
int payout_arm(struct store *s, int64_t now, struct err *e);

/* ---- at the decision ---- */

/* Every stored decision enqueues a job of this kind for its case in the
 * decision's own transaction (migration 0019's trigger on decisions). */
#define PAYOUT_DECISION_JOB_KIND "decision-payout"

/* What a decision of case_id sets going, idempotent: the case's payout
 * plan from the decision (a first plan, or a plan made again: unpaid
 * recomputed, paid too much claimed), then the agreement it needs
 * (signing_agreements_make() for the person, in their language; none
 * when the decision needs none or one of the same school year covers its
 * loan). *made and
 * *planned count what was done now. Returns 0 (also for an undecided or
 * unknown case: nothing to do) or -1 with e filled. */
int payout_decision(struct store *s, int64_t case_id, int64_t now, int *made, int *planned, struct err *e);

/* The job (kind PAYOUT_DECISION_JOB_KIND, subject the case, no ctx):
 * payout_decision(), then done; or again at once when the case was decided
 * again while it ran. */
int payout_decision_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e);


/* ---- what a person sees ---- */

/* Dine sider's payout page for who's own: {conditions: [{case_id,
 * school_year, signed, account, confirmed, all}], account: {masked,
 * source, rejected, own}, months: [{month, due, date, loan, grant, amount,
 * state: paid|sent|held|planned}], paid, total, claims}. The gate asks
 * ACT_PAYOUT_READ; person_id is ignored (0). New reference in *out. */
int payout_view(struct store *s, const struct principal *who, int64_t person_id, date_t today, int64_t now,
		json_t **out, struct arena *a, struct err *e);

/* The same for a case worker examining case_id's person (ACT_PAYOUT_EXAMINE
 * on the case's owner; the reading is audited as payout.examine), with
 * "staff" and "case_id" set. */
int payout_view_case(struct store *s, const struct principal *who, int64_t case_id, date_t today, int64_t now,
		     json_t **out, struct arena *a, struct err *e);

/* The letter model's part for a payout letter ("payout-account-rejected",
 * "payout-claim"): the amounts and the account concerned (masked), and its
 * text in lang as "sections" for the PDF. New reference, or NULL when the
 * letter is no payout letter. */
json_t *payout_letter_view(struct store *s, int64_t letter_id, const char *kind, enum lang lang, struct arena *a);

#endif
