/* test_pdf.c - unit tests of letters as PDF (src/mailbox/pdf.c).
 *
 * Each test builds a letter model as mbox_letter_model() gives it, renders
 * it, and reads the PDF back with pdftotext (poppler-utils) to check what a
 * reader would see: the letterhead, the names with æ, ø and å, the amounts
 * as money in the language, and "Side i av n" on every page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/arena.h"
#include "mailbox/letter.h"
#include "mailbox/pdf.h"

#define PDF_MAX (4 << 20)

/* A decision letter's model: an award of 151 690 kr with a convertible
 * part, a case worker's justification, and steps explanations. */
static json_t *decision_model(int steps)
{
	json_t *m = json_pack(
	    "{s:{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:b},"
	    " s:{s:s,s:s,s:s,s:b},"
	    " s:{s:I,s:s},"
	    " s:{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:I,s:I,s:I,s:I}],s:s,s:b,s:[],s:[]}}",
	    "letter", "id", (json_int_t)34, "case_id", (json_int_t)12, "kind", "decision", "title_key",
	    "letter.decision.title", "sender_key", "unit.student-support", "created", "2024-08-15T10:00:00Z", "day",
	    "2024-08-15", "unread", 1, "recipient", "name", "Åse Øyvårdsætre", "address", "Bjørkeveien 7", "postal",
	    "9990 Båtsfjord", "confidential", 0, "case", "id", (json_int_t)12, "school_year", "2024-2025", "decision",
	    "outcome", "granted", "outcome_key", "outcome.granted", "rules_version", "2024-2025", "awards", "name",
	    "basic-loan", "name_key", "award.basic-loan", "kind_key", "kind.loan", "months", (json_int_t)11, "monthly",
	    (json_int_t)1379000, "amount", (json_int_t)15169000, "convertible", (json_int_t)6067600, "justification",
	    "Søkeren bor på hybel i Tromsø, og særlige grunner gjør at støtten gis.", "by_caseworker", 1, "steps",
	    "reasons");
	json_t *list = json_object_get(json_object_get(m, "decision"), "steps");
	for (int i = 0; i < steps; i++)
		json_array_append_new(
		    list, json_pack("{s:s,s:s,s:s}", "text",
		                    "Du studerer i 11 måneder av skoleåret som gir støtte (fra 15.08.2024 "
		                    "til 15.06.2025, høyst 11 måneder). Studiebelastningen din er 100 %, "
		                    "og du må studere minst 50 % for å få støtte.",
		                    "reference", "forskrift om utdanningsstøtte § 72", "rule", "support.months"));
	return m;
}

/* The text pdftotext reads from pdf, no-break spaces made plain; the
 * caller frees it. */
static char *pdf_text(const struct buf *pdf)
{
	char path[] = "/tmp/stipend-pdf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pdf->p, pdf->len), (ssize_t)pdf->len);
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s -", path);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	struct buf out;
	buf_init(&out, 1 << 20);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&out, chunk, n), 0);
	assert_int_equal(pclose(f), 0);
	unlink(path);
	char *s = buf_take(&out);
	assert_non_null(s);
	/* U+00A0 (c2 a0) becomes a plain space. */
	char *w = s;
	for (char *r = s; *r; r++) {
		if ((unsigned char)r[0] == 0xc2 && (unsigned char)r[1] == 0xa0) {
			*w++ = ' ';
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return s;
}

static void decision_renders_with_letters_and_amount(void **state)
{
	(void)state;
	struct buf out;
	struct err e;
	int pages = 0;
	json_t *m = decision_model(2);
	buf_init(&out, PDF_MAX);
	assert_int_equal(pdf_letter(m, LANG_NB, &out, &pages, &e), 0);
	assert_int_equal(pages, 1);
	assert_memory_equal(out.p, "%PDF-", 5);
	char *t = pdf_text(&out);
	assert_non_null(strstr(t, "Lånekassen"));
	assert_non_null(strstr(t, "Åse Øyvårdsætre"));
	assert_non_null(strstr(t, "9990 Båtsfjord"));
	assert_non_null(strstr(t, "Vedtak om stipend og lån"));
	assert_non_null(strstr(t, "151 690 kr"));
	assert_non_null(strstr(t, "13 790 kr"));
	assert_non_null(strstr(t, "60 676 kr"));
	assert_non_null(strstr(t, "forskrift om utdanningsstøtte § 72"));
	assert_non_null(strstr(t, "særlige grunner"));
	assert_non_null(strstr(t, "15.08.2024"));
	assert_non_null(strstr(t, "Side 1 av 1"));
	assert_null(strstr(t, "Side 2"));
	free(t);
	/* The title and the creator are in the metadata. */
	assert_non_null(memmem(out.p, out.len, "stipend", 7));
	buf_cleanup(&out);
	json_decref(m);
}

static void english_letter_formats_money_and_pages_in_english(void **state)
{
	(void)state;
	struct buf out;
	struct err e;
	json_t *m = decision_model(1);
	buf_init(&out, PDF_MAX);
	assert_int_equal(pdf_letter(m, LANG_EN, &out, NULL, &e), 0);
	char *t = pdf_text(&out);
	assert_non_null(strstr(t, "NOK 151,690"));
	assert_non_null(strstr(t, "Page 1 of 1"));
	assert_non_null(strstr(t, "15 August 2024"));
	assert_null(strstr(t, "Side 1"));
	free(t);
	buf_cleanup(&out);
	json_decref(m);
}

static void long_letter_flows_onto_a_second_page(void **state)
{
	(void)state;
	struct buf out;
	struct err e;
	int pages = 0;
	json_t *m = decision_model(14);
	buf_init(&out, PDF_MAX);
	assert_int_equal(pdf_letter(m, LANG_NB, &out, &pages, &e), 0);
	assert_int_equal(pages, 2);
	char *t = pdf_text(&out);
	assert_non_null(strstr(t, "Side 1 av 2"));
	assert_non_null(strstr(t, "Side 2 av 2"));
	assert_null(strstr(t, "Side 3"));
	/* Nothing is lost at the break: the last step and the signature are
	 * there, each of the 14 steps' paragraphs once. */
	assert_non_null(strstr(t, "14."));
	assert_non_null(strstr(t, "Med vennlig hilsen Lånekassen"));
	int steps = 0;
	for (const char *p = t; (p = strstr(p, "Regel: forskrift om utdanningsstøtte § 72")) != NULL; p++)
		steps++;
	assert_int_equal(steps, 14);
	free(t);
	buf_cleanup(&out);
	json_decref(m);
}

static void documentation_request_says_what_and_by_when(void **state)
{
	(void)state;
	struct buf out;
	struct err e;
	json_t *m = json_pack("{s:{s:I,s:I,s:s,s:s,s:s,s:s,s:s},s:{s:s,s:s,s:s},s:{s:s,s:s}}", "letter", "id",
	                      (json_int_t)5, "case_id", (json_int_t)3, "kind", "documentation-request", "title_key",
	                      "letter.documentation.title", "sender_key", "unit.case-processing", "created",
	                      "2025-01-10T08:00:00Z", "day", "2025-01-10", "recipient", "name", "Per Ås", "address",
	                      "Storgata 1", "postal", "0155 Oslo", "request", "text",
	                      "Send oss leiekontrakten for hybelen i Ålesund.", "deadline", "2025-02-01");
	buf_init(&out, PDF_MAX);
	assert_int_equal(pdf_letter(m, LANG_NB, &out, NULL, &e), 0);
	char *t = pdf_text(&out);
	assert_non_null(strstr(t, "Vi trenger mer dokumentasjon"));
	assert_non_null(strstr(t, "leiekontrakten for hybelen i Ålesund"));
	assert_non_null(strstr(t, "01.02.2025"));
	assert_non_null(strstr(t, "Lånekassen, saksbehandling"));
	assert_null(strstr(t, "Du kan klage"));
	free(t);
	buf_cleanup(&out);
	json_decref(m);
}

/* An answer says what the case worker wrote and what it answers, not a
 * decision; a reminder says which deadline it is about. */
static void answer_and_reminder_say_what_their_pages_say(void **state)
{
	(void)state;
	struct buf out;
	struct err e;
	json_t *m = json_pack("{s:{s:I,s:I,s:s,s:s,s:s,s:s,s:s},s:{s:s,s:s,s:[{s:s,s:s}]}}", "letter", "id",
	                      (json_int_t)6, "case_id", (json_int_t)3, "kind", "answer", "title_key",
	                      "letter.answer.title", "sender_key", "unit.case-processing", "created",
	                      "2025-01-12T08:00:00Z", "day", "2025-01-12", "answer", "text",
	                      "Uttalelsen holder. Du får vedtak snart.", "day", "2025-01-12", "questions", "text",
	                      "Holder det med uttalelsen fra rådgiveren?", "day", "2025-01-11");
	buf_init(&out, PDF_MAX);
	assert_int_equal(pdf_letter(m, LANG_NB, &out, NULL, &e), 0);
	char *t = pdf_text(&out);
	assert_non_null(strstr(t, "Svar på henvendelsen din"));
	assert_non_null(strstr(t, "Uttalelsen holder. Du får vedtak snart."));
	assert_non_null(strstr(t, "Holder det med uttalelsen fra rådgiveren?"));
	assert_null(strstr(t, "Du kan klage"));
	free(t);
	buf_cleanup(&out);
	json_decref(m);

	m = json_pack("{s:{s:I,s:I,s:s,s:s,s:s,s:s,s:s},s:{s:s,s:s,s:I,s:s,s:b}}", "letter", "id", (json_int_t)7,
	              "case_id", (json_int_t)3, "kind", "reminder", "title_key", "mypages.reminder.title",
	              "sender_key", "unit.customer-service", "created", "2025-01-20T06:00:00Z", "day", "2025-01-20",
	              "reminder", "kind_key", "mypages.kind.documentation", "due", "2025-02-01", "case_id",
	              (json_int_t)3, "what", "Send oss leiekontrakten.", "today", 0);
	buf_init(&out, PDF_MAX);
	assert_int_equal(pdf_letter(m, LANG_NB, &out, NULL, &e), 0);
	t = pdf_text(&out);
	assert_non_null(strstr(t, "01.02.2025"));
	assert_non_null(strstr(t, "Send oss leiekontrakten."));
	assert_null(strstr(t, "Du kan klage"));
	free(t);
	buf_cleanup(&out);
	json_decref(m);
}

/* A print batch: two letters in one document, each from a new page and
 * numbered on its own; an address given replaces the recipient's. */
static void batch_numbers_each_letter_and_replaces_the_address(void **state)
{
	(void)state;
	struct buf out;
	struct err e;
	int first1, pages1, first2, pages2;
	json_t *long_one = decision_model(14), *short_one = decision_model(1);
	struct pdf_address fwd = {{"Åse Øyvårdsætre", "Postboks 9200 Grønland", "0134 Oslo"}, 3};
	buf_init(&out, PDF_MAX);
	struct pdf *p = pdf_new_buf(&out, "Utskrift 1", "2025-09-01T12:00:00Z", &e);
	assert_non_null(p);
	assert_int_equal(pdf_add_letter(p, long_one, LANG_NB, NULL, &first1, &pages1, &e), 0);
	assert_int_equal(pdf_add_letter(p, short_one, LANG_NB, &fwd, &first2, &pages2, &e), 0);
	assert_int_equal(pdf_page_count(p), 3);
	assert_int_equal(pdf_finish(p, &e), 0);
	assert_int_equal(first1, 1);
	assert_int_equal(pages1, 2);
	assert_int_equal(first2, 3);
	assert_int_equal(pages2, 1);
	char *t = pdf_text(&out);
	assert_non_null(strstr(t, "Side 2 av 2"));
	assert_non_null(strstr(t, "Side 1 av 1"));
	assert_non_null(strstr(t, "Postboks 9200 Grønland"));
	/* The address appears once: on the first letter, not on the second. */
	const char *a = strstr(t, "Bjørkeveien 7");
	assert_non_null(a);
	assert_null(strstr(a + 1, "Bjørkeveien 7"));
	free(t);
	buf_cleanup(&out);
	json_decref(long_one);
	json_decref(short_one);
}

/* #15: a print batch is written to a file; it is tagged with its language
 * as a letter in memory is, byte for byte the same document. */
static void a_batch_written_to_a_file_is_tagged_with_its_language(void **state)
{
	(void)state;
	struct buf mem, file;
	struct err e;
	int first, pages;
	json_t *m = decision_model(3);
	buf_init(&mem, PDF_MAX);
	buf_init(&file, PDF_MAX);
	struct pdf *p = pdf_new_buf(&mem, "Print 1", "2025-09-01T12:00:00Z", &e);
	assert_non_null(p);
	assert_int_equal(pdf_add_letter(p, m, LANG_EN, NULL, &first, &pages, &e), 0);
	assert_int_equal(pdf_finish(p, &e), 0);

	FILE *f = tmpfile();
	assert_non_null(f);
	p = pdf_new_file(f, "Print 1", "2025-09-01T12:00:00Z", &e);
	assert_non_null(p);
	assert_int_equal(pdf_add_letter(p, m, LANG_EN, NULL, &first, &pages, &e), 0);
	assert_int_equal(pdf_finish(p, &e), 0);
	rewind(f);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&file, chunk, n), 0);
	fclose(f);

	assert_non_null(memmem(mem.p, mem.len, "/Lang (en)", 10)); /* the PDF holds binary streams */
	assert_int_equal(file.len, mem.len);
	assert_memory_equal(file.p, mem.p, mem.len);
	buf_cleanup(&mem);
	buf_cleanup(&file);
	json_decref(m);
}

/* #15: one decision, two audiences. Staff read it about the applicant
 * (the staff.* keys); the applicant is spoken to; a sentence with no
 * person in it has no staff wording and reads the same to both. */
static void a_decision_speaks_to_the_applicant_and_about_them_to_staff(void **state)
{
	(void)state;
	const char *dj =
	    "{\"outcome\":\"manual\",\"awards\":[],\"manual_reasons\":[{\"code\":\"special-circumstances\","
	    "\"reference\":\"§ 1\"}],\"trace\":[{\"rule\":\"means-tested.income\",\"message\":"
	    "\"rule.means-tested.income\",\"inputs\":{\"parents_income\":50000000},\"parameters\":"
	    "{\"means_tested_grant.income_max\":60000000},\"value\":true,\"reference\":\"§ 2\"}],"
	    "\"discrepancies\":[{\"fact\":\"travel.distance_km\",\"stated\":\"64,5\",\"register\":\"18,8\","
	    "\"stated_gives_more\":true}]}";
	struct arena a;
	arena_init(&a, 0);
	json_t *mine = mbox_decision_json(LANG_NB, &a, dj);
	json_t *staff = mbox_decision_json_for(LANG_NB, &a, dj, MBOX_FOR_STAFF);
	assert_non_null(mine);
	assert_non_null(staff);
	const char *m = json_string_value(json_object_get(json_array_get(json_object_get(mine, "steps"), 0), "text"));
	const char *s = json_string_value(json_object_get(json_array_get(json_object_get(staff, "steps"), 0), "text"));
	assert_non_null(strstr(m, "Foreldrene dine har"));
	assert_non_null(strstr(s, "Foreldrene har"));
	assert_null(strstr(s, "dine"));
	json_t *md = json_array_get(json_object_get(mine, "discrepancies"), 0);
	json_t *sd = json_array_get(json_object_get(staff, "discrepancies"), 0);
	assert_non_null(strstr(json_string_value(json_object_get(md, "text")), "Du oppga 64,5 km"));
	assert_non_null(strstr(json_string_value(json_object_get(sd, "text")), "Søkeren oppga 64,5 km"));
	assert_string_equal(json_string_value(json_object_get(md, "more_key")), "answers.differs.more");
	assert_string_equal(json_string_value(json_object_get(sd, "more_key")), "staff.answers.differs.more");
	assert_string_equal(json_string_value(json_object_get(mine, "discrepancies_key")), "decision.discrepancies");
	assert_string_equal(json_string_value(json_object_get(staff, "discrepancies_key")),
			    "staff.decision.discrepancies");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(staff, "reasons"), 0),
							      "text_key")),
			    "staff.reason.special-circumstances");
	/* No staff wording: the key itself. */
	assert_string_equal(mbox_audience_key(MBOX_FOR_STAFF, "outcome.granted", &a), "outcome.granted");
	assert_string_equal(mbox_audience_key(MBOX_FOR_APPLICANT, "rule.means-tested.income", &a),
			    "rule.means-tested.income");
	json_decref(mine);
	json_decref(staff);
	arena_cleanup(&a);
}

static void same_input_gives_same_bytes(void **state)
{
	(void)state;
	struct buf a, b;
	struct err e;
	json_t *m = decision_model(3);
	buf_init(&a, PDF_MAX);
	buf_init(&b, PDF_MAX);
	assert_int_equal(pdf_letter(m, LANG_NB, &a, NULL, &e), 0);
	assert_int_equal(pdf_letter(m, LANG_NB, &b, NULL, &e), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	buf_cleanup(&a);
	buf_cleanup(&b);
	json_decref(m);
}

static void too_small_buffer_fails_cleanly(void **state)
{
	(void)state;
	struct buf out;
	struct err e;
	json_t *m = decision_model(1);
	buf_init(&out, 2048);
	assert_int_equal(pdf_letter(m, LANG_NB, &out, NULL, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	buf_cleanup(&out);
	json_decref(m);
}

static void model_without_letter_is_refused(void **state)
{
	(void)state;
	struct buf out;
	struct err e;
	json_t *m = json_object();
	buf_init(&out, PDF_MAX);
	assert_int_equal(pdf_letter(m, LANG_NB, &out, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "letter");
	buf_cleanup(&out);
	json_decref(m);
}

/* A case sent to a person for want of a figure names the figure, in each
 * language, wherever the catalogues have words for it. */
static void a_missing_figure_is_named_in_the_reason(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	const char *stored = "{\"outcome\":\"manual\",\"awards\":[],\"trace\":[],\"manual_reasons\":["
			     "{\"code\":\"parameter-not-in-force\",\"text\":\"-\",\"reference\":\"r\","
			     "\"parameter\":\"equipment_grant.rate_1\"},"
			     "{\"code\":\"household-facts-missing\",\"text\":\"-\",\"reference\":\"r\"}]}";
	json_t *d = mbox_decision_json(LANG_EN, &a, stored);
	json_t *first = json_array_get(json_object_get(d, "reasons"), 0);
	json_t *second = json_array_get(json_object_get(d, "reasons"), 1);
	const char *key = json_string_value(json_object_get(first, "parameter_label_key"));
	assert_non_null(key);
	assert_string_equal(i18n_get(LANG_EN, key), "the equipment grant's rate for rate group 1");
	assert_string_equal(i18n_get(LANG_NB, key), "utstyrsstipendets sats for satsgruppe 1");
	assert_null(json_object_get(second, "parameter_label_key"));
	json_decref(d);
	/* A parameter without words for it is not named by its code. */
	d = mbox_decision_json(LANG_EN, &a, "{\"outcome\":\"manual\",\"awards\":[],\"trace\":[],\"manual_reasons\":"
					    "[{\"code\":\"parameter-not-in-force\",\"parameter\":\"no.such\"}]}");
	assert_null(json_object_get(json_array_get(json_object_get(d, "reasons"), 0), "parameter_label_key"));
	json_decref(d);
	arena_cleanup(&a);
}

static int group_setup(void **state)
{
	(void)state;
	struct err e;
	return i18n_init(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(decision_renders_with_letters_and_amount),
	    cmocka_unit_test(english_letter_formats_money_and_pages_in_english),
	    cmocka_unit_test(long_letter_flows_onto_a_second_page),
	    cmocka_unit_test(documentation_request_says_what_and_by_when),
	    cmocka_unit_test(answer_and_reminder_say_what_their_pages_say),
	    cmocka_unit_test(batch_numbers_each_letter_and_replaces_the_address),
	    cmocka_unit_test(a_batch_written_to_a_file_is_tagged_with_its_language),
	    cmocka_unit_test(a_decision_speaks_to_the_applicant_and_about_them_to_staff),
	    cmocka_unit_test(same_input_gives_same_bytes),
	    cmocka_unit_test(too_small_buffer_fails_cleanly),
	    cmocka_unit_test(model_without_letter_is_refused),
	    cmocka_unit_test(a_missing_figure_is_named_in_the_reason),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
