/* letter.c - the letter model and the summaries lists show; see letter.h.
 *
 * Moved here from the portal (web/portal/view.c) so that the page, the PDF
 * and the print batches (cli/print_batch.c, mailbox/paper.c) draw one
 * letter from one model without reaching up into the web floor. */
#include "mailbox/letter.h"

#include <stdio.h>
#include <string.h>

#include "calendar/calendar.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "loans/account.h"
#include "loans/later.h"
#include "loans/convert.h"
#include "loans/fixedpost.h"
#include "loans/statement.h"
#include "loans/disability.h"
#include "mailbox/mailbox.h"
#include "notify/notify.h"
#include "store/messages.h"
#include "store/support.h"
#include "payout/payout.h"
#include "rules/params.h"

/* The calendar day in Norway of a Unix time, "2024-08-15" (#15: a letter
 * written at 00:30 in Oslo is dated that day, not the day before). */
static char *day_of(int64_t unix_seconds, char out[11])
{
	return date_format(date_oslo_day(unix_seconds), out);
}

/* The arguments a trace step's explanation may name: its inputs, its
 * parameters and its value. */
static json_t *step_args(const json_t *step, enum lang lang)
{
	json_t *args = json_object();
	json_object_update(args, json_object_get(step, "inputs"));
	json_object_update(args, json_object_get(step, "parameters"));
	json_object_set(args, "value", json_object_get(step, "value"));
	/* Booleans read as words in the citizen's language. */
	const char *k;
	json_t *v;
	json_object_foreach(args, k, v) {
		if (json_is_boolean(v))
			json_object_set_new(args, k, json_string(i18n_get(lang, json_is_true(v) ? "word.yes" : "word.no")));
	}
	return args;
}

void mbox_reason_parameter(json_t *reason, const json_t *stored, struct arena *a)
{
	const char *key = json_string_value(json_object_get(stored, "parameter"));
	const char *label = key ? arena_printf(a, "parameter.%s", key) : NULL;
	if (label && i18n_has(label))
		json_object_set_new(reason, "parameter_label_key", json_string(label));
}

const char *mbox_audience_key(enum mbox_audience who, const char *key, struct arena *a)
{
	if (who != MBOX_FOR_STAFF || key == NULL)
		return key;
	const char *staff = arena_printf(a, "staff.%s", key);
	return staff != NULL && i18n_has(staff) ? staff : key;
}

json_t *mbox_decision_json(enum lang lang, struct arena *arena, const char *decision_json)
{
	return mbox_decision_json_for(lang, arena, decision_json, MBOX_FOR_APPLICANT);
}

json_t *mbox_decision_json_for(enum lang lang, struct arena *arena, const char *decision_json,
			       enum mbox_audience who)
{
	if (decision_json == NULL)
		return NULL;
	json_t *d = json_loads(decision_json, 0, NULL);
	if (d == NULL)
		return NULL;
	json_t *out = json_object();
	const char *outcome = json_string_value(json_object_get(d, "outcome"));
	json_object_set_new(out, "outcome", json_string(outcome ? outcome : ""));
	json_object_set_new(out, "outcome_key", json_string(arena_printf(arena, "outcome.%s", outcome ? outcome : "")));
	json_object_set_new(out, "granted", json_boolean(outcome && (strcmp(outcome, "granted") == 0 ||
								    strcmp(outcome, "partly-granted") == 0)));
	json_object_set(out, "rules_version", json_object_get(d, "rules_version"));

	json_t *awards = json_array(), *a;
	size_t i;
	int64_t loans = 0, grants = 0;
	json_array_foreach(json_object_get(d, "awards"), i, a) {
		json_t *v = json_deep_copy(a);
		const char *name = json_string_value(json_object_get(a, "name"));
		const char *kind = json_string_value(json_object_get(a, "kind"));
		json_object_set_new(v, "name_key", json_string(arena_printf(arena, "award.%s", name ? name : "")));
		json_object_set_new(v, "kind_key", json_string(arena_printf(arena, "kind.%s", kind ? kind : "")));
		int64_t amount = json_integer_value(json_object_get(a, "amount"));
		/* A payment deferral's or interest relief's months move no
		 * money: no amount to show. */
		json_object_set_new(v, "months_only",
				    json_boolean(amount == 0 && json_integer_value(json_object_get(a, "monthly")) == 0 &&
						 json_integer_value(json_object_get(a, "months")) > 0));
		if (kind && strcmp(kind, "loan") == 0)
			loans += amount;
		else
			grants += amount;
		json_array_append_new(awards, v);
	}
	json_object_set_new(out, "awards", awards);
	json_object_set_new(out, "total_loan", json_integer(loans));
	json_object_set_new(out, "total_grant", json_integer(grants));
	/* Money goes out: a support agreement may be needed before it does. */
	json_object_set_new(out, "pays", json_boolean(json_is_true(json_object_get(out, "granted")) && loans + grants > 0));

	json_t *steps = json_array(), *s;
	struct buf text;
	buf_init(&text, 8192);
	json_array_foreach(json_object_get(d, "trace"), i, s) {
		json_t *args = step_args(s, lang);
		buf_reset(&text);
		const char *msg = json_string_value(json_object_get(s, "message"));
		if (msg)
			i18n_render(&text, lang, mbox_audience_key(who, msg, arena), args);
		else
			buf_puts(&text, json_string_value(json_object_get(s, "explanation")) ?: "");
		json_decref(args);
		json_array_append_new(steps, json_pack("{s:s,s:O,s:O}", "text", buf_str(&text), "reference",
						       json_object_get(s, "reference"), "rule", json_object_get(s, "rule")));
	}
	json_object_set_new(out, "steps", steps);
	/* A case worker's decision ends with their step, which carries the
	 * justification the letter must give (forvaltningsloven § 25). */
	json_t *trace = json_object_get(d, "trace");
	json_t *last = json_array_get(trace, json_array_size(trace) - 1);
	const char *last_rule = json_string_value(json_object_get(last, "rule"));
	if (last_rule && strcmp(last_rule, "caseworker.decision") == 0) {
		json_object_set_new(out, "by_caseworker", json_true());
		json_object_set(out, "justification", json_object_get(json_object_get(last, "inputs"), "justification"));
	}

	json_t *reasons = json_array(), *m;
	json_array_foreach(json_object_get(d, "manual_reasons"), i, m) {
		const char *code = json_string_value(json_object_get(m, "code"));
		json_t *reason = json_pack("{s:s,s:O}", "text_key",
					   mbox_audience_key(who, arena_printf(arena, "reason.%s", code ? code : ""), arena),
					   "reference", json_object_get(m, "reference"));
		mbox_reason_parameter(reason, m, arena);
		json_array_append_new(reasons, reason);
	}
	json_object_set_new(out, "reasons", reasons);

	/* #15: where the person's answers and the registers differ on a fact
	 * that changes the outcome, and what must happen before money is
	 * paid, in the reader's language. */
	json_t *said = json_array(), *x;
	json_array_foreach(json_object_get(d, "discrepancies"), i, x) {
		const char *fact = json_string_value(json_object_get(x, "fact"));
		buf_reset(&text);
		i18n_render(&text, lang,
			    mbox_audience_key(who, arena_printf(arena, "answers.differs.%s", fact ? fact : ""), arena), x);
		json_array_append_new(said, json_pack("{s:s,s:s,s:b,s:s}", "text", buf_str(&text), "fact",
						      fact ? fact : "", "more",
						      json_is_true(json_object_get(x, "stated_gives_more")), "more_key",
						      mbox_audience_key(who, "answers.differs.more", arena)));
	}
	if (json_array_size(said) > 0) {
		json_object_set_new(out, "discrepancies", said);
		json_object_set_new(out, "discrepancies_key",
				    json_string(mbox_audience_key(who, "decision.discrepancies", arena)));
	} else
		json_decref(said);
	json_t *conditions = json_array();
	json_array_foreach(json_object_get(d, "conditions"), i, x) {
		const char *code = json_string_value(json_object_get(x, "code"));
		json_array_append_new(conditions, json_pack("{s:s,s:s,s:O}", "code", code ? code : "", "text_key",
							    mbox_audience_key(who, arena_printf(arena, "condition.%s", code ? code : ""), arena),
							    "reference", json_object_get(x, "reference")));
	}
	if (json_array_size(conditions) > 0)
		json_object_set_new(out, "conditions", conditions);
	else
		json_decref(conditions);
	buf_cleanup(&text);
	json_decref(d);
	return out;
}

json_t *mbox_case_json(const struct case_rec *c)
{
	char received[21], day[11], scheme_key[64], status_key[48], outcome_key[48];
	snprintf(scheme_key, sizeof(scheme_key), "scheme.%s", c->scheme);
	snprintf(status_key, sizeof(status_key), "status.%s", c->status);
	/* Catalogue keys of the contract's names: outcome.granted, ... */
	snprintf(outcome_key, sizeof(outcome_key), c->outcome ? "outcome.%s" : "status.%s",
		 c->outcome ? c->outcome : c->status);
	json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)c->id, "scheme_key", scheme_key,
			 "school_year", c->school_year, "status", c->status, "status_key", status_key, "outcome",
			 c->outcome ? c->outcome : "", "outcome_key", outcome_key, "received",
			 date_format_timestamp(c->received_at, received), "received_day", day_of(c->received_at, day));
	if (c->waiting_for != NULL) {
		char key[64];
		snprintf(key, sizeof(key), "register.%s", c->waiting_for);
		json_object_set_new(j, "waiting_key", json_string(key));
	}
	return j;
}

json_t *mbox_letter_json(const struct letter *l)
{
	char created[21], day[11], sender_key[48];
	snprintf(sender_key, sizeof(sender_key), "unit.%s", l->sender_unit ? l->sender_unit : mbox_sender_unit(l->kind));
	json_t *j = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)l->id, "case_id",
			      (json_int_t)l->case_id, "kind", l->kind, "title_key", mbox_letter_title_key(l->kind),
			      "sender_key", sender_key, "created", date_format_timestamp(l->created_at, created),
			      "day", day_of(l->created_at, day), "unread", l->first_read_at == 0);
	/* A letter sent on paper as well says when (Sendt i posten ...). */
	if (l->paper_at != 0)
		json_object_set_new(j, "paper_day", json_string(day_of(l->paper_at, day)));
	const char *notice_key = notify_status_key(l->notice_channel, l->notice_status);
	if (notice_key != NULL)
		json_object_set_new(j, "notice_key", json_string(notice_key));
	return j;
}

/* An answer says what the case worker wrote ("answer": text, day, and the
 * "questions" it answers), not the case's decision. */
static void answer_view(struct store *s, struct arena *a, const struct letter *l, json_t *d)
{
	struct message *m;
	struct err e;
	/* An answer about no case (#14) is among the person's messages
	 * without one. */
	int n = l->case_id ? store_messages_of_case(s, l->case_id, &m, a, &e)
			   : store_messages_without_case(s, l->person_id, &m, a, &e);
	const struct message *answer = NULL;
	for (int i = 0; i < n && answer == NULL; i++)
		if (m[i].letter_id == l->id && m[i].person_id == l->person_id)
			answer = &m[i];
	if (answer == NULL) {
		log_error("letter %lld: its answer is not in the conversation", (long long)l->id);
		return;
	}
	json_t *questions = json_array();
	for (int i = 0; i < n; i++)
		if (strcmp(m[i].direction, "in") == 0 && m[i].answer_id == answer->id) {
			char ts[21];
			json_array_append_new(questions, json_pack("{s:s,s:s%}", "text", m[i].text, "day",
								   date_format_timestamp(m[i].created_at, ts), (size_t)10));
		}
	char ts[21];
	json_object_set_new(d, "answer", json_pack("{s:s,s:s%,s:o}", "text", answer->text, "day",
						   date_format_timestamp(answer->created_at, ts), (size_t)10,
						   "questions", questions));
}


/* The decision a decision letter carried: the case's decision in force
 * when the letter was issued (a letter is issued with its decision, in
 * the same transaction), so that an old letter keeps saying what it said
 * after the case was decided again. current is the case's decision. */
static const char *decision_of_letter(struct store *s, struct arena *a, const struct letter *l, const char *current)
{
	struct case_rec *d;
	struct err e;
	const char *found = NULL;
	int n = store_decisions_of_case(s, l->case_id, &d, a, &e);
	for (int i = 0; i < n; i++)
		if (d[i].decided_at <= l->created_at)
			found = d[i].decision_json;
	return found ? found : current;
}

/* The expected time for an application a case worker must handle: the
 * service norm in force on the day it was received (PARAMS_SERVICE_NORM,
 * "inntil 7 uker" on lanekassen.no, "Behandlingstid"), the one figure the
 * management's dashboard compares against. A day no norm is in force for
 * gets no promise: the letter then says nothing of when. */
static void received_view(json_t *d, json_t *decision, const struct case_rec *c)
{
	char day[11];
	json_object_set_new(json_object_get(d, "letter"), "title_key", json_string("letter.received.title"));
	json_object_set_new(decision, "decision_heading_key", json_string("decision.preliminary"));
	const struct params *p = params_builtin_shared();
	const struct param *norm = p ? params_get(p, PARAMS_SERVICE_NORM, (date_t)(c->received_at / 86400)) : NULL;
	json_t *rv = json_pack("{s:s}", "school_year", c->school_year);
	if (norm && norm->value > 0) {
		json_object_set_new(rv, "expected", json_string(day_of(c->received_at + norm->value * 7 * 86400, day)));
		json_object_set_new(rv, "weeks", json_integer((json_int_t)norm->value));
	}
	json_object_set_new(d, "received", rv);
}

json_t *mbox_letter_model(struct store *s, enum lang lang, struct arena *a, const struct letter *l)
{
	struct case_rec c;
	struct person p;
	struct err e;
	json_t *d = json_pack("{s:o}", "letter", mbox_letter_json(l));
	/* The letter's owner is the reader: the address, even a confidential
	 * one, is theirs to see. */
	if (store_person_get(s, l->person_id, &p, a, &e) == 0)
		json_object_set_new(d, "recipient",
				    json_pack("{s:s,s:s,s:s,s:b}", "name",
					      arena_printf(a, "%s %s", p.given_name, p.family_name), "address",
					      p.address, "postal", arena_printf(a, "%s %s", p.postcode, p.city),
					      "confidential", p.confidential_address));
	/* A request for documentation shows what is asked and by when; a
	 * decision letter shows the case's current decision. */
	struct doc_request dr;
	int request = strcmp(l->kind, "documentation-request") == 0 &&
		      store_doc_request_of_letter(s, l->id, &dr, a, &e) == 0;
	if (request)
		json_object_set_new(d, "request", json_pack("{s:s,s:s}", "text", dr.text, "deadline", dr.deadline));
	/* A reminder shows the deadline it is about (calendar/calendar.h). */
	json_t *reminder = strcmp(l->kind, "reminder") == 0 ? cal_reminder_view(s, a, l->id) : NULL;
	if (reminder)
		json_object_set_new(d, "reminder", reminder);
	int answer = strcmp(l->kind, "answer") == 0;
	if (answer)
		answer_view(s, a, l, d);
	/* A payout letter (#10) says what the payout concerns, no decision. */
	json_t *payout = strncmp(l->kind, "payout-", 7) == 0 ? payout_letter_view(s, l->id, l->kind, lang, a) : NULL;
	if (payout) {
		json_object_set(d, "sections", json_object_get(payout, "sections"));
		json_object_set_new(d, "payout", payout);
		answer = 1;
	}
	/* A loan invoice (#11) shows the term and what to pay it with. */
	json_t *invoice = strcmp(l->kind, "loan-invoice") == 0 || strcmp(l->kind, "loan-reminder") == 0 ||
				  strcmp(l->kind, "loan-termination-notice") == 0
			  ? loans_invoice_letter(s, l->id, lang, a)
			  : NULL;
	if (invoice)
		json_object_set_new(d, "invoice", invoice);
	json_t *statement = strcmp(l->kind, "loan-statement") == 0 ? loans_statement_letter(s, l->id, a) : NULL;
	if (statement)
		json_object_set_new(d, "statement", statement);
	/* A loan called in or handed to the collection agency (#11, loans/later.h). */
	json_t *loan_status = strcmp(l->kind, "loan-called-in") == 0 || strcmp(l->kind, "loan-collection") == 0
				      ? loans_status_letter(s, l->id, a)
				      : NULL;
	if (loan_status)
		json_object_set_new(d, "loan_status", loan_status);
	/* A write-off at disability (#11, helper B, loans/disability.h). */
	json_t *disability = strcmp(l->kind, "loan-disability") == 0 ? loans_disability_letter(s, l->id, lang, a) : NULL;
	if (disability)
		json_object_set_new(d, "disability", disability);
	/* #11: the fixed rate's interest loss or gain (loans/fixedpost.h). */
	json_t *fixed_rate = strcmp(l->kind, "loan-fixed-rate") == 0 ? loans_fixed_letter(s, l->id, lang, a) : NULL;
	if (fixed_rate)
		json_object_set_new(d, "fixed_rate", fixed_rate);
	if (l->case_id && store_case_get(s, l->case_id, &c, a, &e) == 0) {
		json_object_set_new(d, "case", mbox_case_json(&c));
		json_t *decision = request || reminder || answer
					   ? NULL
					   : mbox_decision_json(lang, a, decision_of_letter(s, a, l, c.decision_json));
		if (decision)
			json_object_set_new(d, "decision", decision);
		/* #15: a case the rules sent to a case worker has no decision
		 * yet: its letter says the application is received and waits
		 * for a case worker, and when to expect an answer. */
		const char *oc = json_string_value(json_object_get(decision, "outcome"));
		if (decision && oc && strcmp(oc, "manual") == 0 && !json_is_true(json_object_get(decision, "by_caseworker")))
			received_view(d, decision, &c);
	}
	/* A conversion of loan to grant (#11) shows its figures and the
	 * decision on the year's facts in place of the case's decision. */
	json_t *conversion = strcmp(l->kind, "loan-conversion") == 0 ? loans_conversion_letter(s, l->id, lang, a) : NULL;
	if (conversion) {
		json_t *decision = mbox_decision_json(lang, a, json_string_value(json_object_get(conversion, "decision_json")));
		json_object_del(conversion, "decision_json");
		json_object_set_new(d, "conversion", conversion);
		if (decision)
			json_object_set_new(d, "decision", decision);
	}
	return d;
}

const char *mbox_letter_title_key(const char *kind)
{
	if (strcmp(kind, "decision") == 0)
		return "letter.decision.title";
	if (strcmp(kind, "receipt") == 0) /* #15: received, waiting for a case worker */
		return "letter.received.title";
	if (strcmp(kind, "documentation-request") == 0)
		return "letter.documentation.title";
	if (strcmp(kind, "reminder") == 0)
		return "mypages.reminder.title";
	if (strcmp(kind, "answer") == 0)
		return "letter.answer.title";
	if (strcmp(kind, "payout-account-rejected") == 0)
		return "payout.letter.rejected.title";
	if (strcmp(kind, "payout-claim") == 0)
		return "payout.letter.claim.title";
	if (strcmp(kind, "loan-invoice") == 0) /* the loan account (#11) */
		return "letter.title.loan-invoice";
	if (strcmp(kind, "loan-conversion") == 0)
		return "letter.title.loan-conversion";
	if (strcmp(kind, "loan-statement") == 0)
		return "letter.title.loan-statement";
	if (strcmp(kind, "loan-reminder") == 0)
		return "letter.title.loan-reminder";
	if (strcmp(kind, "loan-termination-notice") == 0)
		return "letter.title.loan-termination-notice";
	if (strcmp(kind, "loan-called-in") == 0) /* #11, loans/later.h */
		return "letter.title.loan-called-in";
	if (strcmp(kind, "loan-collection") == 0)
		return "letter.title.loan-collection";
	if (strcmp(kind, "loan-disability") == 0) /* #11, helper B */
		return "disability.letter.title";
	if (strcmp(kind, "loan-fixed-rate") == 0) /* #11, loans/fixedpost.h */
		return "letter.title.loan-fixed-rate";
	return "letter.other.title";
}
