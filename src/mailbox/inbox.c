/* inbox.c - the person's side of the mailbox; see inbox.h.
 *
 * The inbox filters by sender (the unit), case, type (the letter's kind)
 * and read state in SQL (store_letters_find), paged. Free text searches
 * what the reader sees of a letter in their own language: its title and
 * its sender. Both are catalogue texts chosen by the letter's kind and
 * unit, so the search is done by matching the text against the few titles
 * and senders there are, here, and asking SQL for the letters of the kinds
 * and units that matched: exact, in either language, and still paged in
 * SQL. Letters of a kind this list does not know carry the general title,
 * and are found when that title matches. */
#include "mailbox/inbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "mailbox/letter.h"
#include "mailbox/mailbox.h"
#include "mailbox/messages.h"
#include "mailbox/pdf.h"

const char *const mbox_kinds[MBOX_N_KINDS] = {"decision", "receipt", "documentation-request", "answer", "reminder",
					      "information"};
const char *const mbox_units[MBOX_N_UNITS] = {"student-support", "case-processing", "customer-service"};

static int in_list(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return 1;
	return 0;
}

const char *mbox_kind_key(struct arena *a, const char *kind)
{
	return in_list(kind, mbox_kinds, MBOX_N_KINDS) ? arena_printf(a, "mailbox.kind.%s", kind) : "mailbox.kind.other";
}

/* A whole number from min to max written in decimal digits only, or -1. */
static long number(const char *s, long min, long max)
{
	if (s == NULL || *s == '\0' || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
		return -1;
	long v = strtol(s, NULL, 10);
	return v >= min && v <= max ? v : -1;
}

/* Lower-case UTF-8 for matching: ASCII and the Latin-1 letters (Æ Ø Å É
 * ...), which is every letter of the catalogues' two languages. Other
 * bytes stay as they are. A copy in a. */
static char *fold(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s);
	for (unsigned char *p = (unsigned char *)out; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (unsigned char)(*p + 32);
		else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97)
			p[1] = (unsigned char)(p[1] + 0x20), p++;
	}
	return out;
}

static int text_matches(struct arena *a, enum lang lang, const char *needle, const char *key)
{
	return strstr(fold(a, i18n_get(lang, key)), needle) != NULL;
}

/* A JSON array of strings, as the store's free-text lists want it
 * (malloc'd). */
static char *json_list(const char *const *items, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static const char *present(const char *v)
{
	return v && *v ? v : NULL;
}

static void field_error(struct mbox_inbox *out, const char *field, const char *key)
{
	if (out->n_errors < (int)(sizeof(out->errors) / sizeof(out->errors[0])))
		out->errors[out->n_errors++] = (struct mbox_field_error){field, key};
}

int mbox_inbox(struct store *s, const struct principal *who, enum lang lang, const struct mbox_inbox_query *q,
	       int64_t now, struct mbox_inbox *out, struct arena *a, struct err *e)
{
	int64_t subject = access_subject(who);
	memset(out, 0, sizeof(*out));
	out->page = 1;
	if (access_check_subject(s, who, ACT_LETTER_READ, "mailbox", now, e) != 0)
		return -1;
	out->n_cases = store_cases_of_person(s, subject, &out->cases, a, e);
	if (out->n_cases < 0)
		return -1;

	/* The filters, checked in the form's order. */
	out->sender = present(q->sender);
	if (out->sender && !in_list(out->sender, mbox_units, MBOX_N_UNITS))
		field_error(out, "sender", "mailbox.filter.error.sender");
	const char *case_v = present(q->case_id);
	if (case_v) {
		long id = number(case_v, 1, 999999999999L);
		for (int i = 0; id > 0 && i < out->n_cases; i++)
			if (out->cases[i].id == id)
				out->case_id = id;
		if (out->case_id == 0)
			field_error(out, "case", "mailbox.filter.error.case");
	}
	out->type = present(q->type);
	if (out->type && !in_list(out->type, mbox_kinds, MBOX_N_KINDS))
		field_error(out, "type", "mailbox.filter.error.type");
	out->read = present(q->read);
	if (out->read && strcmp(out->read, "unread") != 0 && strcmp(out->read, "read") != 0)
		field_error(out, "read", "mailbox.filter.error.read");
	const char *text = msg_text_clean(a, q->q);
	if (text && *text) {
		if (!msg_text_ok(text, 1, MBOX_QUERY_MAX) || strchr(text, '\n') != NULL)
			field_error(out, "q", "mailbox.filter.error.q");
		out->q = text;
	}
	if (present(q->page) && (out->page = number(q->page, 1, MBOX_PAGE_MAX)) < 1) {
		field_error(out, "page", "mailbox.filter.error.page");
		out->page = 1;
	}

	/* The unread count is the person's, whatever the filters. */
	struct letter *none;
	struct letter_query uq = {subject, 0, NULL, NULL, LETTERS_UNREAD, 0, NULL, NULL, NULL, 0, 0, 1};
	if (store_letters_find(s, &uq, &none, &out->unread, a, e) < 0)
		return -1;
	out->pages = 1;
	if (out->n_errors > 0)
		return 0;

	struct letter_query lq = {subject, out->case_id, out->type, out->sender,
				  out->read == NULL ? LETTERS_ANY : strcmp(out->read, "unread") == 0 ? LETTERS_UNREAD : LETTERS_READ,
				  0, NULL, NULL, NULL, 0, (int)((out->page - 1) * MBOX_PAGE_SIZE), MBOX_PAGE_SIZE};
	char *to_free[3] = {NULL, NULL, NULL};
	if (out->q) {
		const char *needle = fold(a, out->q);
		const char *kind_hits[MBOX_N_KINDS], *unit_hits[MBOX_N_UNITS];
		size_t nk = 0, nu = 0;
		for (size_t i = 0; i < MBOX_N_KINDS; i++)
			if (text_matches(a, lang, needle, mbox_letter_title_key(mbox_kinds[i])) ||
			    text_matches(a, lang, needle, mbox_kind_key(a, mbox_kinds[i])))
				kind_hits[nk++] = mbox_kinds[i];
		for (size_t i = 0; i < MBOX_N_UNITS; i++)
			if (text_matches(a, lang, needle, arena_printf(a, "unit.%s", mbox_units[i])))
				unit_hits[nu++] = mbox_units[i];
		lq.text = 1;
		lq.text_kinds = to_free[0] = json_list(kind_hits, nk);
		lq.text_units = to_free[1] = json_list(unit_hits, nu);
		lq.known_kinds = to_free[2] = json_list(mbox_kinds, MBOX_N_KINDS);
		lq.text_other = text_matches(a, lang, needle, mbox_letter_title_key("other")) ||
				text_matches(a, lang, needle, "mailbox.kind.other");
	}
	int n = store_letters_find(s, &lq, &out->letters, &out->total, a, e);
	for (int i = 0; i < 3; i++)
		free(to_free[i]);
	if (n < 0)
		return -1;
	out->n_letters = n;
	out->pages = out->total > 0 ? (long)((out->total + MBOX_PAGE_SIZE - 1) / MBOX_PAGE_SIZE) : 1;
	return 0;
}

/* A guardian or proxy reads the letter too: a strictly confidential
 * address stays with those who hold the right to see it (the person, an
 * authorised case worker), whoever else may read the letter. */
static void withhold_address(json_t *model, const struct principal *who, int64_t owner)
{
	json_t *r = json_object_get(model, "recipient");
	if (json_is_true(json_object_get(r, "confidential")) &&
	    !access_allowed(who, ACT_SEE_CONFIDENTIAL_ADDRESS, owner)) {
		json_object_set_new(r, "address", json_string(""));
		json_object_set_new(r, "postal", json_string(""));
	}
}

int mbox_letter_view(struct store *s, const struct principal *who, enum lang lang, int64_t letter_id, int64_t now,
		     struct mbox_letter_view *out, struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (mbox_open(s, who, letter_id, now, &out->l, a, e) != 0)
		return -1;
	out->model = mbox_letter_model(s, lang, a, &out->l);
	withhold_address(out->model, who, out->l.person_id);
	struct case_rec c;
	struct err e2;
	if (out->l.case_id == 0 || store_case_get(s, out->l.case_id, &c, a, &e2) != 0)
		return 0;
	out->case_id = c.id;
	if (strcmp(out->l.kind, "answer") == 0) {
		int n = store_messages_of_case(s, c.id, &out->messages, a, &e2);
		if (n < 0) {
			log_error("letter conversation: %s", e2.message);
			return 0;
		}
		out->conversation = 1;
		for (int i = 0; i < n; i++)
			if (out->messages[i].person_id == c.person_id)
				out->messages[out->n_messages++] = out->messages[i];
	} else if (strcmp(out->l.kind, "documentation-request") == 0) {
		struct doc_request dr;
		if (store_doc_request_state_of_case(s, c.id, &out->request_state, a, &e2) != 0 ||
		    store_doc_request_of_letter(s, out->l.id, &dr, a, &e2) != 0)
			return 0;
		out->request = 1;
		out->replaced = dr.id != out->request_state.id;
		out->request_waits = !out->replaced && strcmp(out->request_state.state, "open") == 0 &&
				     strcmp(c.status, "awaiting-documentation") == 0;
	}
	return 0;
}

int mbox_letter_pdf(struct store *s, const struct principal *who, enum lang lang, int64_t letter_id, int64_t now,
		    struct buf *out, struct arena *a, struct err *e)
{
	struct letter l;
	if (mbox_open(s, who, letter_id, now, &l, a, e) != 0)
		return -1;
	json_t *model = mbox_letter_model(s, lang, a, &l);
	withhold_address(model, who, l.person_id);
	int rc = pdf_letter(model, lang, out, NULL, e);
	json_decref(model);
	if (rc != 0)
		log_error("letter pdf: letter %lld: %s", (long long)l.id, e->message);
	return rc;
}

int mbox_write_cases(struct store *s, const struct principal *who, int64_t now, struct case_rec **out,
		     struct arena *a, struct err *e)
{
	if (access_check_subject(s, who, ACT_MESSAGE_WRITE, "case", now, e) != 0)
		return -1;
	return store_cases_of_person(s, access_subject(who), out, a, e);
}
