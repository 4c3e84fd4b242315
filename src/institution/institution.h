/* institution.h - the institutions' workspace: what a school or an
 * institution of higher education does about its own students.
 *
 * Its staff (role "institution", bound to one institution by its
 * organisation number) see their students who have applied, with the
 * status of their newest case; confirm admission and semester registration
 * (higher education) or attendance (upper secondary), the condition for
 * payouts; report credits passed per semester and interruptions (the case
 * is decided again with the education ending on the day the student
 * stopped, and nothing is paid after it). They do it one student at a time,
 * for a selection of the list, from a CSV file, or through the API from the
 * institution's own student system. The administrator adds colleagues and
 * registers the student system's public key.
 *
 * Every report is a dated fact with its source ("institution:<orgnr>" and
 * the member of staff or the student system), kept in institution_facts
 * beside the registers' facts, and audited. A batch (a selection, a file,
 * an API call) is applied whole or not at all, in one transaction, after
 * each line has been checked and each student has passed the gate. Every
 * function asks the gate (access/policy.c) first; none is to be called with
 * a principal the caller has not authenticated. Thread-safe. */
#ifndef STIPEND_INSTITUTION_H
#define STIPEND_INSTITUTION_H

#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "core/date.h"

struct arena;
struct cases_env;
struct err;
struct store;

/* The check digit of an organisation number (Brønnøysundregistrene's
 * MOD11, weights 3 2 7 6 5 4 3 2): 1 when s is 9 digits with a valid check
 * digit, else 0. */
int inst_orgnr_valid(const char *s);

/* The kinds of report, as the CSV, the API and the facts spell them. */
#define INST_KINDS "admission, semester-registration, attendance, credits, interruption"

/* One report about one student, as read from a form, a CSV line or the API. */
struct inst_report {
	const char *nin;     /* the student's national identity number */
	const char *kind;    /* one of INST_KINDS */
	const char *period;  /* "2024-2025" (admission, attendance, interruption) or "2024-autumn" */
	const char *date;    /* ISO date the fact holds from; NULL or "": today */
	const char *credits; /* credits: "0" to "60" in steps of 0.5 ("7,5" too); else NULL or "" */
	int line;            /* its line in a file; 0: first_line + its index */
};

/* What is wrong with a report: its line (1 is the CSV's header; the API's
 * items count from 1; 0 for the request as a whole), the column or field,
 * and a message (English for the API; a catalogue key's suffix too). */
struct inst_problem {
	int line;
	const char *column;
	const char *code;    /* catalogue key suffix: "institution.error.<code>" */
	const char *message; /* in English, for the API */
};

#define INST_BATCH_MAX 20000

/* The outcome of a batch. */
struct inst_result {
	int applied;                   /* facts stored */
	int unchanged;                 /* confirmations already given */
	int redecided;                 /* cases sent to be decided again (interruptions) */
	struct inst_problem *problems; /* in the arena */
	int n_problems;
};

/* Apply n reports (n <= INST_BATCH_MAX) by who for who's institution,
 * all or nothing. Each is checked (a known kind fitting the institution's
 * level, a period and date that exist, credits where they belong) and each
 * student must pass the gate (ACT_INSTITUTION_CONFIRM or
 * ACT_INSTITUTION_REPORT: the institution's own student who has applied;
 * one that is not answers "unknown student", audited as refused). With any
 * problem, nothing is stored: returns 0 with res->problems listing every
 * one (line numbers as first_line + index). Otherwise stores every fact in
 * one transaction with its audit records, has each interrupted case decided
 * again, and returns 0. Returns -1 with e filled when who may not use the
 * workspace at all (ERR_FORBIDDEN, audited) or the store fails. */
int inst_apply(const struct cases_env *env, const struct principal *who, const struct inst_report *items, int n,
               int first_line, int64_t now, struct inst_result *res, struct arena *a, struct err *e);

/* Read a CSV file (UTF-8, comma or semicolon separated, a header line
 * naming the columns nin, kind, period, date and credits in any order;
 * date and credits may be left out) into reports, each with its line.
 * Returns the count read (>= 0) with *items in the arena and, in res, the
 * problems of lines that could not be read (wrong number of fields, an
 * unclosed quote); or -1 when the file cannot be read at all (no header,
 * a header without a required column, more than INST_BATCH_MAX lines),
 * with the problems in res. Pure. */
int inst_csv_read(const char *text, size_t len, struct inst_report **items, struct inst_result *res, struct arena *a);

/* inst_apply() for one report about the student person_id (kind, period,
 * date and credits as struct inst_report's), asking the gate for
 * ACT_INSTITUTION_REPORT on the student first (ERR_NOT_FOUND when not the
 * institution's). */
int inst_report_one(const struct cases_env *env, const struct principal *who, int64_t person_id,
                    const struct inst_report *rep, int64_t now, struct inst_result *res, struct arena *a,
                    struct err *e);

/* inst_apply() for a CSV file (inst_csv_read): all or nothing, every
 * problem of the file and its lines reported together, ordered by line. */
int inst_csv_apply(const struct cases_env *env, const struct principal *who, const char *text, size_t len, int64_t now,
                   struct inst_result *res, struct arena *a, struct err *e);

/* The gate for act (ACT_INSTITUTION_WORKSPACE or
 * ACT_INSTITUTION_STAFF_MANAGE) on who's institution, which the schools
 * register must know. Returns 0 or -1 (refused: audited). */
int inst_gate(struct store *s, const struct principal *who, enum action act, int64_t now, struct err *e);

/* The gate for a request addressed to the institution orgnr (the API's
 * path): 0 when who is of that institution and may use the workspace;
 * otherwise the refusal is audited ("institution.workspace.denied") and -1
 * returned with ERR_FORBIDDEN. */
int inst_gate_orgnr(struct store *s, const struct principal *who, const char *orgnr, int64_t now, struct err *e);

/* ---- what the workspace shows ---- */

struct inst_student_row {
	int64_t person_id;
	const char *nin, *name;
	date_t birth_date;
	const char *programme;
	int64_t case_id;
	const char *scheme, *school_year, *status, *outcome;
	const char *confirmed;   /* the newest confirmation's kind, or NULL */
	const char *interrupted; /* the day of an interruption, or NULL */
};

struct inst_fact_row {
	const char *kind, *period, *effective;
	int half_credits;        /* -1 when none */
	const char *reported_by; /* "staff:N" or "client:ID" */
	int64_t reported_at;
};

struct inst_overview {
	const char *orgnr, *name, *level; /* level: "upper-secondary" or "higher" */
	int admin;                        /* who is its administrator */
	struct inst_student_row *students;
	int n_students;
};

/* The institution of who, with its students who have applied (gate:
 * ACT_INSTITUTION_WORKSPACE). Audits the reading. Returns 0 or -1. */
int inst_overview(struct store *s, const struct principal *who, int64_t now, struct inst_overview *out, struct arena *a,
                  struct err *e);

/* One student (person_id) with the facts the institution has reported
 * (gate: ACT_INSTITUTION_STUDENT_READ). Returns 0 or -1 (ERR_NOT_FOUND when
 * not its student). */
int inst_student(struct store *s, const struct principal *who, int64_t person_id, int64_t now,
                 struct inst_student_row *out, struct inst_fact_row **facts, int *n_facts, struct arena *a,
                 struct err *e);

/* ---- the administrator ---- */

struct inst_colleague {
	int64_t id;
	const char *username, *name;
	int admin;
};

struct inst_client_row {
	const char *client_id;
	int64_t registered_at;
	int revoked;
};

/* The institution's staff and its student systems (gate:
 * ACT_INSTITUTION_STAFF_MANAGE). Returns 0 or -1. */
int inst_staff(struct store *s, const struct principal *who, int64_t now, struct inst_colleague **staff, int *n_staff,
               struct inst_client_row **clients, int *n_clients, struct arena *a, struct err *e);

/* Add a colleague to who's institution: username (3-64 of a-z, 0-9, '.',
 * '-', '_'; not taken), name (1-200 characters), admin or not. Returns 0,
 * or -1: ERR_INVALID naming the field ("username", "name"), ERR_CONFLICT
 * (field "username") when taken, ERR_FORBIDDEN by the gate. */
int inst_staff_add(struct store *s, const struct principal *who, const char *username, const char *name, int admin,
                   int64_t now, struct err *e);

/* Register the public key of the institution's student system (an RSA key
 * of 2048 bits or more, PEM "PUBLIC KEY"). *client_id (arena) receives the
 * client id the system names itself by (the assertion's iss). Returns 0, or
 * -1: ERR_INVALID (field "public_key"), ERR_FORBIDDEN by the gate. */
int inst_client_register(struct store *s, const struct principal *who, const char *pem, int64_t now,
                         const char **client_id, struct arena *a, struct err *e);

/* Revoke the student system client_id of who's institution: its key signs
 * no more assertions and its tokens open nothing, at once. Returns 0, or -1:
 * ERR_NOT_FOUND (field "client_id") when the institution has no such
 * client in use, ERR_FORBIDDEN by the gate. */
int inst_client_revoke(struct store *s, const struct principal *who, const char *client_id, int64_t now, struct err *e);

/* ---- the API's tokens (token.c) ---- */

#define INST_ASSERTION_MAX_AGE 120 /* seconds an assertion may live (exp - iat) */
#define INST_TOKEN_TTL 300         /* seconds an access token lives */
#define INST_TOKEN_LEN 43

/* OAuth2 client credentials with a signed JWT assertion (RFC 7523, as
 * Maskinporten): assertion is a JWS (RS256) whose claims are iss = a
 * registered client id, aud = audience (our token endpoint's URL), iat and
 * exp (exp after now, at most INST_ASSERTION_MAX_AGE after iat, iat not in
 * the future beyond a few seconds' skew) and a jti never used before,
 * signed by the client's registered key. Returns 0 with token (the access
 * token, INST_TOKEN_LEN characters and a NUL) valid for INST_TOKEN_TTL
 * seconds, or -1 with e: ERR_INVALID with the field ("assertion", "iss",
 * "aud", "exp", "iat", "jti", "signature") when refused. Audited either
 * way (api.token, api.token.denied). */
int inst_token(struct store *s, const char *assertion, const char *audience, int64_t now,
               char token[INST_TOKEN_LEN + 1], struct err *e);

/* The principal of a bearer access token: a student system of an
 * institution (role ROLE_INSTITUTION, institution and client_id set, in the
 * arena). Returns 0, 1 when the token is unknown or expired, -1. */
int inst_token_principal(struct store *s, const char *token, int64_t now, struct principal *who, struct arena *a,
                         struct err *e);

#endif
