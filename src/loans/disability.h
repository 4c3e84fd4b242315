/* disability.h - a case worker's decision on writing off a borrower's debt
 * at permanent disability (sletting av gjeld ved uførhet, #11).
 *
 * The rule (lanekassen.no, "Når du er ufør"; forskrift om tilbakebetaling
 * av utdanningslån, "Sletting av gjeld for låntakarar som er uføre"): the
 * borrower receives uføretrygd and is at least 50 % disabled, or 40 % when
 * they had arbeidsavklaringspengar (AAP) right up to the disability
 * decision; their person- og kapitalinntekt of the year the application
 * was received is at most the year's limit, raised per child under 16 they
 * support (every limit of the year's table is raised alike). At or under
 * the lower limit the whole debt is written off; between, the debt is
 * reduced to the fixed new debt of the income's band, with the band's new
 * term amount. The application is judged by the figures of the year it
 * was received (params/no/: loan.disability.*). A figure the pages do not
 * give is not invented: the assessment names it, and the case worker
 * writes the new debt by hand.
 *
 * The decision posts ONE "write-off" entry (debit agency.write-off, credit
 * loan.interest first, then loan.principal) for the debt less the new
 * debt, effective on the decision's day, after the interest of the days up
 * to it is posted; open invoices are cancelled, and the following terms are
 * the table's new term amount when it gives one (the monthly run reads it,
 * account.c), else the annuity of the new debt over the plan left. A
 * refusal is a decision too. Each decision has its letter ("loan-disability")
 * and is audited as loan.write-off. Thread-safe. */
#ifndef STIPEND_LOANS_DISABILITY_H
#define STIPEND_LOANS_DISABILITY_H

#include <jansson.h>
#include <stdint.h>

#include "access/access.h"
#include "core/date.h"
#include "core/i18n.h"

struct arena;
struct err;
struct params;
struct reg_client;
struct store;

enum loans_disability_outcome {
	LOANS_DISABILITY_WHOLE,          /* income at or under the lower limit: the whole debt */
	LOANS_DISABILITY_PARTIAL,        /* in a band: the debt reduced to the band's new debt */
	LOANS_DISABILITY_REFUSED_DEGREE, /* less disabled than the rule asks */
	LOANS_DISABILITY_REFUSED_INCOME, /* income over the limit */
	LOANS_DISABILITY_MANUAL          /* a figure missing: the case worker writes the new debt */
};

/* "whole", "partial", "refused-degree", "refused-income", "manual". */
const char *loans_disability_outcome_name(enum loans_disability_outcome o);

#define LOANS_DISABILITY_BANDS_MAX 9

struct loans_disability_assessment {
	enum loans_disability_outcome outcome;
	int year;                   /* the year the application was received */
	int degree_min;             /* the percent that applied (40 with AAP), 0 when missing */
	int64_t child_addition;     /* øre per child */
	int64_t income_limit;       /* øre, the children's additions included; -1 when missing */
	int64_t whole_limit;        /* øre, likewise; -1 when missing */
	int band;                   /* 1.. for PARTIAL, else 0 */
	int64_t band_from, band_to; /* the band's incomes, øre, additions included */
	int64_t new_debt;           /* øre: 0 for WHOLE, the band's for PARTIAL */
	int64_t new_term;           /* øre: the band's new term amount, 0 when none */
	char missing[64];           /* MANUAL: the first parameter not held ("loan.disability.whole_limit 2024") */
	char trace[1024];           /* the parameters used, one "key year: value" a line */
};

/* The pure rule: what the figures of the year of `received` give for a
 * borrower `degree` percent disabled (aap: had AAP right up to the
 * decision) with `income` øre and `children` children under 16 supported.
 * Reads only p. Returns 0 with *out filled (a missing figure gives MANUAL,
 * never an error), or -1 with ERR_INVALID for degree outside 0..100, a
 * negative income or children outside 0..30. */
int loans_disability_assess(const struct params *p, date_t received, int degree, int aap, int64_t income,
			    int children, struct loans_disability_assessment *out, struct err *e);

/* What the case worker's form holds, as typed (NULL or "" when empty). */
struct loans_disability_input {
	const char *received; /* the day the application was received: "2024-03-01" or "01.03.2024" */
	const char *degree;   /* degree of disability, whole percent */
	const char *aap;      /* "ja" or "nei": AAP right up to the disability decision */
	const char *income;   /* kroner; read only when the tax register does not answer */
	const char *children; /* read only when the population register holds no child under 16 */
	const char *new_debt; /* kroner; read only when a figure is missing (MANUAL) */
	const char *new_term; /* kroner, may be empty (the annuity); MANUAL only */
};

/* The case worker's page for person_id's loan account on day today, as
 * template data in lang: person (id, name), debt, principal, interest (øre,
 * posted by today), has_account, the decisions made before, and the form.
 * With in (not NULL) it also validates the form and, when it is valid,
 * fetches the year's income (tax register) and children (population
 * register) through reg (may be NULL: none answers) and adds the proposal:
 * outcome, the figures, the trace, and what would be written off; a form
 * with errors gives errors [{field, key}] and invalid: true. Asks the gate
 * (loan.write-off). New reference, or NULL with e (ERR_NOT_FOUND for no
 * such person or no access). */
json_t *loans_disability_page(struct store *s, const struct params *p, struct reg_client *reg,
			      const struct principal *who, int64_t person_id, const struct loans_disability_input *in,
			      date_t today, int64_t now, enum lang lang, struct arena *a, struct err *e);

/* Make the decision the form in gives, on today: the same validation and
 * facts as loans_disability_page(); then, in one transaction, the interest
 * up to the day, the write-off entry (none for a refusal), the open
 * invoices cancelled, the decision stored with its letter, and the audit
 * record. The same application (person and day received) decided again
 * posts nothing and gives the first decision's id. *id (may be NULL)
 * receives the decision. Fails with ERR_INVALID naming the field,
 * ERR_CONFLICT without a loan account or when a rate for the interest up
 * to the day is missing, ERR_NOT_FOUND as the gate. */
int loans_disability_decide(struct store *s, const struct params *p, struct reg_client *reg,
			    const struct principal *who, int64_t person_id, const struct loans_disability_input *in,
			    date_t today, int64_t now, int64_t *id, struct err *e);

/* The decision a letter of kind "loan-disability" carries, as template data
 * in lang, or NULL when it carries none. For the letter's page and PDF. */
json_t *loans_disability_letter(struct store *s, int64_t letter_id, enum lang lang, struct arena *a);

#endif
