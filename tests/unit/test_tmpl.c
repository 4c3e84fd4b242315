/* test_tmpl.c - unit tests of the HTML template engine (src/web/tmpl.c).
 *
 * Templates are given as strings through tmpl_render_string(), so the tests
 * need no files under templates/. Each test renders into a fresh buffer and
 * compares the text; the catalogue is loaded once in the group setup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "web/tmpl.h"

#define MAX_OUT (64 * 1024)

/* Render source with data given as JSON text in lang; returns the render
 * status, the output in out (which the caller cleans up). */
static int render_in(struct buf *out, const char *source, const char *data_json, enum lang lang,
		     struct err *e)
{
	json_t *data = NULL;
	json_error_t jerr;
	int rc;

	buf_init(out, MAX_OUT);
	err_clear(e);
	if (data_json != NULL) {
		data = json_loads(data_json, 0, &jerr);
		assert_non_null(data);
	}
	rc = tmpl_render_string(out, source, "t", data, lang, e);
	json_decref(data);
	return rc;
}

/* Render in bokmål, expect success and exactly `want`. */
static void expect(const char *source, const char *data_json, const char *want)
{
	struct buf out;
	struct err e;

	assert_int_equal(render_in(&out, source, data_json, LANG_NB, &e), 0);
	assert_string_equal(buf_str(&out), want);
	buf_cleanup(&out);
}

/* Render in bokmål, expect failure with a message containing `part`. */
static void expect_error(const char *source, const char *data_json, const char *part)
{
	struct buf out;
	struct err e;

	assert_int_equal(render_in(&out, source, data_json, LANG_NB, &e), -1);
	assert_non_null(strstr(e.message, part));
	assert_string_equal(buf_str(&out), "");
	buf_cleanup(&out);
}

static void escapes_html_in_values(void **state)
{
	(void)state;
	expect("<p>{{v}}</p>", "{\"v\": \"<script>alert('x') & \\\"y\\\"</script>\"}",
	       "<p>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</p>");
}

static void escapes_html_from_filters_and_catalogue(void **state)
{
	(void)state;
	/* A key that is missing from the catalogue is shown as itself. */
	expect("{{k|t}}", "{\"k\": \"<b>\"}", "&lt;b&gt;");
	expect("{{d|date}}", "{\"d\": \"<i>\"}", "&lt;i&gt;");
}

static void triple_mustache_is_raw(void **state)
{
	(void)state;
	expect("<div>{{{body}}}</div>", "{\"body\": \"<p>Hei &amp; hå</p>\"}",
	       "<div><p>Hei &amp; hå</p></div>");
	expect("{{{ body }}}", "{\"body\": \"<br>\"}", "<br>");
}

static void scalars_are_written_by_type(void **state)
{
	(void)state;
	expect("{{i}} {{r}} {{b}} [{{f}}] [{{n}}] [{{o}}] [{{a}}]",
	       "{\"i\": -42, \"r\": 1.5, \"b\": true, \"f\": false, \"n\": null, "
	       "\"o\": {\"x\": 1}, \"a\": [1]}",
	       "-42 1.5 true [] [] [] []");
}

static void dotted_path_lookup(void **state)
{
	(void)state;
	expect("{{a.b.c}}/{{a.b.missing}}/{{a.x.c}}", "{\"a\": {\"b\": {\"c\": \"deep\"}, \"x\": 3}}",
	       "deep//");
}

static void whitespace_inside_tags_is_allowed(void **state)
{
	(void)state;
	expect("{{ name }}{{# list }}[{{ . }}]{{/ list }}{{^ none }}-{{/ none }}{{ d | date }}",
	       "{\"name\": \"Kari\", \"list\": [1, 2], \"d\": \"2024-01-02\"}",
	       "Kari[1][2]-02.01.2024");
}

static void section_iterates_array(void **state)
{
	(void)state;
	expect("<ul>{{#items}}<li>{{name}}</li>{{/items}}</ul>",
	       "{\"items\": [{\"name\": \"a\"}, {\"name\": \"<b>\"}, {\"name\": \"c\"}]}",
	       "<ul><li>a</li><li>&lt;b&gt;</li><li>c</li></ul>");
	expect("{{#xs}}{{.}},{{/xs}}", "{\"xs\": [1, \"two\", 3]}", "1,two,3,");
}

static void section_on_object_pushes_context(void **state)
{
	(void)state;
	expect("{{#person}}{{first}} {{last}}{{/person}}",
	       "{\"person\": {\"first\": \"Ola\", \"last\": \"Nordmann\"}}", "Ola Nordmann");
}

static void section_on_truthy_scalar_keeps_context(void **state)
{
	(void)state;
	expect("{{#ok}}yes {{name}}{{/ok}}", "{\"ok\": true, \"name\": \"Kari\"}", "yes Kari");
	expect("{{#n}}count {{n}}{{/n}}", "{\"n\": 3}", "count 3");
}

static void inner_context_falls_back_to_outer(void **state)
{
	(void)state;
	expect("{{#items}}{{name}}@{{site}};{{/items}}",
	       "{\"site\": \"Oslo\", \"items\": [{\"name\": \"a\"}, {\"name\": \"b\", \"site\": "
	       "\"Bergen\"}]}",
	       "a@Oslo;b@Bergen;");
}

static void inverted_section_on_empty_array(void **state)
{
	(void)state;
	expect("{{#items}}x{{/items}}{{^items}}none{{/items}}", "{\"items\": []}", "none");
	expect("{{^items}}none{{/items}}", "{\"items\": [1]}", "");
	expect("{{^missing}}none{{/missing}}", "{}", "none");
	expect("{{^o}}none{{/o}}", "{\"o\": {}}", "");
}

static void falsy_values_render_nothing(void **state)
{
	(void)state;
	expect("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}{{#d}}D{{/d}}{{#e}}E{{/e}}",
	       "{\"a\": 0, \"b\": \"\", \"c\": null, \"d\": false}", "");
	expect("{{^a}}A{{/a}}{{^b}}B{{/b}}{{^c}}C{{/c}}{{^d}}D{{/d}}{{^e}}E{{/e}}",
	       "{\"a\": 0, \"b\": \"\", \"c\": null, \"d\": false}", "ABCDE");
}

static void comment_renders_nothing(void **state)
{
	(void)state;
	expect("a{{! not {shown} }}b", NULL, "ab");
}

static void missing_data_renders_nothing(void **state)
{
	(void)state;
	expect("[{{x}}{{#x}}y{{/x}}{{.}}]", NULL, "[]");
}

/* The catalogue text, escaped as the engine must write it. */
static void expect_text(const char *source, const char *data_json, enum lang lang, const char *text)
{
	struct buf out, want;
	struct err e;

	buf_init(&want, MAX_OUT);
	assert_int_equal(buf_put_html(&want, text, strlen(text)), 0);
	assert_int_equal(render_in(&out, source, data_json, lang, &e), 0);
	assert_string_equal(buf_str(&out), buf_str(&want));
	buf_cleanup(&out);
	buf_cleanup(&want);
}

static void translation_in_bokmal_and_english(void **state)
{
	(void)state;
	expect_text("{{t:app.name}}", NULL, LANG_NB, i18n_get(LANG_NB, "app.name"));
	expect_text("{{ t:app.name }}", NULL, LANG_EN, i18n_get(LANG_EN, "app.name"));
	expect_text("{{k|t}}", "{\"k\": \"app.name\"}", LANG_EN, i18n_get(LANG_EN, "app.name"));
}

static void translation_with_arguments_matches_i18n_render(void **state)
{
	struct buf out, raw, want;
	struct err e;
	json_t *args = json_pack("{s:s}", "name", "Kari");

	(void)state;
	assert_non_null(args);
	buf_init(&raw, MAX_OUT);
	buf_init(&want, MAX_OUT);
	assert_int_equal(i18n_render(&raw, LANG_EN, "app.name", args), 0);
	assert_int_equal(buf_put_html(&want, buf_str(&raw), raw.len), 0);
	assert_int_equal(render_in(&out, "{{t:app.name @args}}", "{\"args\": {\"name\": \"Kari\"}}",
				   LANG_EN, &e),
			 0);
	assert_string_equal(buf_str(&out), buf_str(&want));
	buf_cleanup(&out);
	buf_cleanup(&raw);
	buf_cleanup(&want);
	json_decref(args);
}

static void money_filter(void **state)
{
	struct buf out;
	struct err e;

	(void)state;
	assert_int_equal(render_in(&out, "{{sum|money}}", "{\"sum\": 15169000}", LANG_NB, &e), 0);
	assert_non_null(strstr(buf_str(&out), "151"));
	assert_non_null(strstr(buf_str(&out), "690"));
	assert_non_null(strstr(buf_str(&out), "kr"));
	buf_cleanup(&out);
}

static void date_filter_nb(void **state)
{
	(void)state;
	expect("{{d|date}}", "{\"d\": \"2024-08-15\"}", "15.08.2024");
}

static void date_filter_en(void **state)
{
	struct buf out;
	struct err e;

	(void)state;
	assert_int_equal(render_in(&out, "{{d|date}}", "{\"d\": \"2024-08-15\"}", LANG_EN, &e), 0);
	assert_string_equal(buf_str(&out), "15 August 2024");
	buf_cleanup(&out);
}

static void date_filter_writes_non_date_as_is(void **state)
{
	(void)state;
	expect("{{d|date}}", "{\"d\": \"2025-02-29\"}", "2025-02-29");
}

static void unclosed_tag_reports_line(void **state)
{
	(void)state;
	expect_error("line one\nline two\nhello {{name\n", "{}", "t:3");
	expect_error("a\n\n{{x\n {{y}}", "{}", "t:3");
}

static void unclosed_section_reports_its_line(void **state)
{
	(void)state;
	expect_error("a\n{{#items}}\nb\n", "{}", "t:2");
}

static void mismatched_close_is_an_error(void **state)
{
	(void)state;
	expect_error("{{#a}}{{#b}}x{{/a}}{{/b}}", "{}", "t:1");
	expect_error("x{{/a}}", "{}", "closes no section");
}

static void unknown_filter_is_an_error(void **state)
{
	(void)state;
	expect_error("\n{{name|upper}}", "{\"name\": \"x\"}", "t:2: unknown filter \"upper\"");
}

static void bad_tags_are_errors(void **state)
{
	(void)state;
	expect_error("{{}}", NULL, "t:1");
	expect_error("{{a b}}", NULL, "t:1");
	expect_error("{{&a}}", NULL, "t:1");
	expect_error("{{a..b}}", NULL, "t:1");
	expect_error("{{{a|money}}}", NULL, "t:1");
	expect_error("{{t:app.name extra}}", NULL, "t:1");
}

static void partial_not_found_is_an_error(void **state)
{
	(void)state;
	expect_error("x\n{{> no-such-partial }}", "{}", "t:2: partial \"no-such-partial\" not found");
}

static void unknown_template_is_an_error(void **state)
{
	struct buf out;
	struct err e;

	(void)state;
	buf_init(&out, MAX_OUT);
	err_clear(&e);
	assert_int_equal(tmpl_render(&out, "no-such-template", NULL, LANG_NB, &e), -1);
	assert_int_equal(e.code, ERR_INTERNAL);
	assert_non_null(strstr(e.message, "no-such-template"));
	buf_cleanup(&out);
}

static void buffer_limit_fails_cleanly(void **state)
{
	struct buf out;
	struct err e;
	json_t *data = json_pack("{s:s}", "v", "<<<<<<<<<<");

	(void)state;
	assert_non_null(data);
	buf_init(&out, 32);
	assert_int_equal(buf_puts(&out, "kept"), 0);
	err_clear(&e);
	/* 10 escaped '<' need 40 bytes: the limit is passed inside a value. */
	assert_int_equal(tmpl_render_string(&out, "abc{{v}}def", "t", data, LANG_NB, &e), -1);
	assert_int_equal(e.code, ERR_INTERNAL);
	assert_string_equal(e.message, "page too large");
	assert_string_equal(buf_str(&out), "kept");

	/* The same within a section's repetitions, raw text only. */
	err_clear(&e);
	json_decref(data);
	data = json_pack("{s:[iiiiiiiiii]}", "xs", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	assert_non_null(data);
	assert_int_equal(tmpl_render_string(&out, "{{#xs}}12345{{/xs}}", "t", data, LANG_NB, &e), -1);
	assert_int_equal(e.code, ERR_INTERNAL);
	assert_string_equal(buf_str(&out), "kept");
	buf_cleanup(&out);
	json_decref(data);
}

static void compiled_in_templates_parse(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	if (tmpl_init(&e) == -1)
		fail_msg("tmpl_init: %s", e.message);
	tmpl_cleanup();
}

static int group_setup(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	if (i18n_init(&e) == -1) {
		fprintf(stderr, "i18n_init: %s\n", e.message);
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_html_in_values),
		cmocka_unit_test(escapes_html_from_filters_and_catalogue),
		cmocka_unit_test(triple_mustache_is_raw),
		cmocka_unit_test(scalars_are_written_by_type),
		cmocka_unit_test(dotted_path_lookup),
		cmocka_unit_test(whitespace_inside_tags_is_allowed),
		cmocka_unit_test(section_iterates_array),
		cmocka_unit_test(section_on_object_pushes_context),
		cmocka_unit_test(section_on_truthy_scalar_keeps_context),
		cmocka_unit_test(inner_context_falls_back_to_outer),
		cmocka_unit_test(inverted_section_on_empty_array),
		cmocka_unit_test(falsy_values_render_nothing),
		cmocka_unit_test(comment_renders_nothing),
		cmocka_unit_test(missing_data_renders_nothing),
		cmocka_unit_test(translation_in_bokmal_and_english),
		cmocka_unit_test(translation_with_arguments_matches_i18n_render),
		cmocka_unit_test(money_filter),
		cmocka_unit_test(date_filter_nb),
		cmocka_unit_test(date_filter_en),
		cmocka_unit_test(date_filter_writes_non_date_as_is),
		cmocka_unit_test(unclosed_tag_reports_line),
		cmocka_unit_test(unclosed_section_reports_its_line),
		cmocka_unit_test(mismatched_close_is_an_error),
		cmocka_unit_test(unknown_filter_is_an_error),
		cmocka_unit_test(bad_tags_are_errors),
		cmocka_unit_test(partial_not_found_is_an_error),
		cmocka_unit_test(unknown_template_is_an_error),
		cmocka_unit_test(buffer_limit_fails_cleanly),
		cmocka_unit_test(compiled_in_templates_parse),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
