/* test_read.c - the fast road of reading an application from text
 * (rules_read_application, src/rules/jv.c) against jansson's road
 * (json_loadb + rules_parse_application), #9 speed.
 *
 * The fast road may decline a text (then jansson reads it), but what it
 * accepts it must read exactly as jansson's road does: the same application
 * to the byte, or the same error naming the same field. Each test feeds both
 * roads the same text: hand-made edge cases of JSON (numbers, escapes,
 * duplicate keys, whitespace, order of unknown keys), and some thousands of
 * texts made by changing a valid application a byte at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "rules/jv.h"
#include "rules/rules.h"

static const char VALID[] =
	"{\"scheme\":\"higher-education\",\"school_year\":\"2024-2025\",\"decision_date\":\"2024-07-01\","
	"\"applicant\":{\"birth_date\":\"2004-05-17\",\"lives_with_parents\":false,\"married\":false,"
	"\"children\":[{\"birth_date\":\"2023-01-10\"}],\"income\":15000000,\"wealth\":0},"
	"\"education\":{\"level\":\"higher\",\"load_percent\":100,\"start\":\"2024-08-15\",\"end\":\"2025-06-15\"},"
	"\"travel\":{\"distance_km\":39.9,\"daily_travel_minutes\":60,\"walking_km\":0.5},"
	"\"parents\":[{\"income\":72499800},{\"income\":0}],\"progression\":{\"credits_supported\":60,"
	"\"credits_passed\":52.5},\"loan\":{\"balance\":1000}}";

/* How a road ended: 0 read (app filled), -1 refused (e filled). */
struct road {
	int rc;
	struct application app;
	struct err e;
};

static void jansson_road(const char *text, size_t len, struct arena *a, struct road *r)
{
	memset(r, 0, sizeof(*r));
	json_t *in = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (in == NULL) {
		r->rc = -2; /* not JSON at all */
		return;
	}
	r->rc = rules_parse_application(in, &r->app, a, &r->e);
	json_decref(in);
}

/* Both roads on text; returns 1 when the fast one declined it. */
static int same_on(const char *text, size_t len)
{
	struct arena a1, a2;
	struct road fast, slow;
	arena_init(&a1, 0);
	arena_init(&a2, 0);
	memset(&fast, 0, sizeof(fast));
	fast.rc = rules_read_application(text, len, &fast.app, &a1, &fast.e);
	jansson_road(text, len, &a2, &slow);
	int declined = fast.rc == 1;
	if (!declined) {
		if (fast.rc != slow.rc)
			fail_msg("roads differ on %.*s: fast %d, jansson %d", (int)len, text, fast.rc, slow.rc);
		if (fast.rc == 0) {
			/* The children live in each road's arena: compare them, then
			 * the rest with the pointers made equal. */
			assert_int_equal(fast.app.n_children, slow.app.n_children);
			for (size_t i = 0; i < fast.app.n_children; i++)
				assert_int_equal(fast.app.children[i], slow.app.children[i]);
			fast.app.children = slow.app.children = NULL;
			if (memcmp(&fast.app, &slow.app, sizeof(fast.app)) != 0)
				fail_msg("roads read different applications from %.*s", (int)len, text);
		} else {
			assert_string_equal(fast.e.field, slow.e.field);
			assert_string_equal(fast.e.message, slow.e.message);
		}
	}
	arena_cleanup(&a1);
	arena_cleanup(&a2);
	return declined;
}

static void same_str(const char *text, int expect_declined)
{
	int declined = same_on(text, strlen(text));
	if (expect_declined >= 0 && declined != expect_declined)
		fail_msg("%s was %s by the fast road", text, declined ? "declined" : "read");
}

static void a_plain_application_is_read_by_the_fast_road_as_jansson_reads_it(void **state)
{
	(void)state;
	same_str(VALID, 0);
}

static void edge_cases_of_json_are_read_alike_or_left_to_jansson(void **state)
{
	(void)state;
	/* Read by the fast road: whitespace, numbers of every form. */
	same_str(" \t\r\n{\"scheme\" : \"upper-secondary\" }\n ", 0);
	same_str("{\"scheme\":\"interest-relief\",\"decision_date\":\"2024-07-01\",\"applicant\":"
		 "{\"birth_date\":\"2000-01-01\",\"income\":-0},\"loan\":{\"months_requested\":1}}",
		 0);
	const char *numbers[] = {"0", "-0", "12", "1.5", "-1.5", "1e2", "1E+2", "2.5e-1", "1e-400", "0.0",
				 "9223372036854775807", "-9223372036854775808", "100.0", "39.90000000000001"};
	for (size_t i = 0; i < sizeof(numbers) / sizeof(*numbers); i++) {
		char t[512];
		snprintf(t, sizeof(t),
			 "{\"scheme\":\"upper-secondary\",\"school_year\":\"2024-2025\",\"decision_date\":\"2024-07-01\","
			 "\"applicant\":{\"birth_date\":\"2007-01-01\",\"lives_with_parents\":false,\"income\":%s},"
			 "\"education\":{\"level\":\"upper-secondary\",\"load_percent\":100,\"start\":\"2024-08-15\","
			 "\"end\":\"2025-06-15\"},\"travel\":{\"distance_km\":%s}}",
			 numbers[i], numbers[i]);
		same_str(t, 0);
	}
	/* Unknown keys: the first in the document's order is named. */
	same_str("{\"zz\":1,\"aa\":2,\"scheme\":\"upper-secondary\"}", 0);
	same_str("{\"scheme\":\"upper-secondary\",\"applicant\":{\"q\":1,\"b\":2}}", -1);
	/* Left to jansson: a duplicate key, escapes, bytes outside ASCII,
	 * numbers out of range, syntax errors, an array at the top. */
	same_str("{\"scheme\":\"upper-secondary\",\"scheme\":\"x\"}", 1);
	same_str("{\"scheme\":\"upper\\u002dsecondary\"}", 1);
	same_str("{\"scheme\":\"h\xc3\xb8yere\"}", 1);
	same_str("{\"a\":99999999999999999999}", 1);
	same_str("{\"a\":1e999}", 1);
	same_str("{\"a\":01}", 1);
	same_str("{\"a\":1.}", 1);
	same_str("{\"a\":.5}", 1);
	same_str("{\"a\":+1}", 1);
	same_str("{\"a\":1,}", 1);
	same_str("{\"a\":tru}", 1);
	same_str("{\"a\":1} x", 1);
	same_str("[]", 1);
	same_str("", 1);
	same_str("{", 1);
	/* A NUL byte inside the text. */
	same_on("{\"a\":1}\0", 8);
	same_on("{\"a\":\"x\0y\"}", 11);
}

/* Texts made from VALID a byte at a time: each byte replaced by one of a
 * few that change the meaning or break the syntax, and each byte cut. */
static void every_one_byte_change_of_an_application_is_read_alike(void **state)
{
	(void)state;
	static const char swaps[] = {'0', '9', '-', '.', 'e', '"', ',', ':', '{', '}', '[', ']', ' ', 'x', '\\', 't'};
	size_t n = strlen(VALID), read = 0;
	char *t = malloc(n + 1);
	assert_non_null(t);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(swaps); k++) {
			memcpy(t, VALID, n + 1);
			t[i] = swaps[k];
			read += !same_on(t, n);
		}
		memcpy(t, VALID, i);
		memcpy(t + i, VALID + i + 1, n - i);
		read += !same_on(t, n - 1);
	}
	free(t);
	/* Most changes keep the text plain JSON: the fast road must have read
	 * them, or this test compared little. */
	assert_true(read > n * 4);
}

/* The escaping of a JSON string as the contract needs it, a byte at a
 * time: what buf_put_json_string's eight-bytes-at-a-time scan must give. */
static void reference_escape(const char *s, char *out)
{
	size_t o = 0;
	out[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p;
		} else if (*p == '\n') {
			memcpy(out + o, "\\n", 2);
			o += 2;
		} else if (*p == '\t') {
			memcpy(out + o, "\\t", 2);
			o += 2;
		} else if (*p == '\r') {
			memcpy(out + o, "\\r", 2);
			o += 2;
		} else if (*p < 0x20) {
			o += (size_t)snprintf(out + o, 7, "\\u%04x", *p);
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
}

static void json_strings_are_escaped_alike_wherever_the_byte_to_escape_stands(void **state)
{
	(void)state;
	static const unsigned char specials[] = {'"', '\\', '\n', '\t', '\r', 0x01, 0x1f, 0x20, 0x7f, 0x80, 0xc3, 0xff, '!', '#', '[', ']'};
	char s[40], want[256];
	struct buf b;
	buf_init(&b, 1 << 16);
	for (size_t len = 1; len < sizeof(s) - 1; len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof(specials); k++) {
				memset(s, 'a', len);
				s[len] = '\0';
				s[at] = (char)specials[k];
				if (at + 9 < len)
					s[at + 9] = '"';
				buf_reset(&b);
				assert_int_equal(buf_put_json_string(&b, s), 0);
				reference_escape(s, want);
				assert_string_equal(b.p, want);
			}
	buf_cleanup(&b);
}

/* An explanation is written into the decision's JSON directly; one that
 * holds bytes JSON escapes (here a parameter's name with a quote, a
 * backslash and a newline, written as it is) must still come out escaped,
 * so that the JSON reads back to the very text. */
static void an_explanation_that_needs_escaping_reads_back_from_the_json(void **state)
{
	(void)state;
	static const char odd[] = "a\"b\\c\nd";
	struct decision d;
	memset(&d, 0, sizeof(d));
	d.scheme = SCHEME_UPPER_SECONDARY;
	d.outcome = OUTCOME_MANUAL;
	d.n_steps = 2;
	for (int i = 0; i < 2; i++) {
		d.steps[i].rule = "boarding-grant.amount";
		d.steps[i].reference = "forskrift";
		d.steps[i].message = "rule.parameter-missing";
		d.steps[i].n_inputs = 1;
		d.steps[i].inputs[0] = (struct tval){.name = "missing_parameter", .type = TV_STR, .s = i ? odd : "plain"};
	}
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(rules_decision_json(&b, &d, LANG_EN), 0);
	json_error_t jerr;
	json_t *j = json_loads(b.p, 0, &jerr);
	if (j == NULL)
		fail_msg("not JSON (%s): %s", jerr.text, b.p);
	const char *plain = json_string_value(json_object_get(json_array_get(json_object_get(j, "trace"), 0), "explanation"));
	const char *escaped = json_string_value(json_object_get(json_array_get(json_object_get(j, "trace"), 1), "explanation"));
	assert_non_null(plain);
	assert_non_null(escaped);
	assert_non_null(strstr(plain, "The rules hold no plain for this date."));
	assert_non_null(strstr(escaped, "The rules hold no a\"b\\c\nd for this date."));
	json_decref(j);
	buf_cleanup(&b);
}

/* #9: the fast reader converts plain integers and short decimals itself
 * (Clinger's fast path); each must be the double, bit for bit, or the
 * integer jansson reads. Numbers of every length up to and past the fast
 * path's limits, from a fixed sequence. */
static void numbers_are_read_to_the_bits_jansson_reads(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	uint64_t x = 88172645463325252u;
	size_t compared = 0;
	for (int it = 0; it < 200000; it++) {
		char num[64], txt[96];
		size_t p = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int kind = (int)(x % 4), whole = (int)((x >> 8) % (kind == 0 ? 20 : 9));
		if ((x >> 20) % 5 == 0)
			num[p++] = '-';
		if (whole == 0)
			num[p++] = '0';
		for (int i = 0; i < whole; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			num[p++] = (char)((i == 0 ? '1' : '0') + (int)(x % (i == 0 ? 9 : 10)));
		}
		if (kind != 0) {
			int frac = 1 + (int)((x >> 32) % (kind == 3 ? 24 : 6));
			num[p++] = '.';
			for (int i = 0; i < frac; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				num[p++] = (char)('0' + (int)(x % 10));
			}
		}
		num[p] = '\0';
		snprintf(txt, sizeof(txt), "{\"x\":%s}", num);
		arena_reset(&a);
		const struct jv *v = jv_parse(txt, strlen(txt), &a);
		json_t *j = json_loads(txt, JSON_REJECT_DUPLICATES, NULL);
		if (v == NULL || j == NULL) {
			/* Declined (out of range): jansson must refuse it too or the
			 * decline only costs time; never the other way round. */
			assert_true(v == NULL);
			json_decref(j);
			continue;
		}
		const struct jv *f = jv_get(v, "x");
		const json_t *s = json_object_get(j, "x");
		if (json_is_integer(s)) {
			assert_int_equal(f->type, JV_INT);
			if (f->i != json_integer_value(s))
				fail_msg("%s read as %lld", num, (long long)f->i);
		} else {
			double d = json_real_value(s);
			assert_int_equal(f->type, JV_REAL);
			if (memcmp(&d, &f->r, sizeof(d)) != 0)
				fail_msg("%s read as %.17g, jansson %.17g", num, f->r, d);
		}
		compared++;
		json_decref(j);
	}
	assert_true(compared > 190000);
	arena_cleanup(&a);
}

/* #9: strings are scanned eight bytes at a time; a byte the fast reader
 * must decline (a quote ends the string) at every position of strings of
 * every length up to 40 gives jansson's string or a decline. */
static void strings_are_read_alike_whatever_byte_stands_where(void **state)
{
	(void)state;
	static const char specials[] = {'"', '\\', '\t', 0x1f, 0x7f, (char)0x80, (char)0xc3, 'a', ' '};
	struct arena a;
	arena_init(&a, 0);
	for (size_t len = 0; len <= 40; len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof(specials); k++) {
				char txt[96];
				size_t p = (size_t)snprintf(txt, sizeof(txt), "{\"k\":\"");
				for (size_t i = 0; i < len; i++)
					txt[p++] = i == at ? specials[k] : (char)('a' + i % 26);
				p += (size_t)snprintf(txt + p, sizeof(txt) - p, "\",\"z\":1}");
				arena_reset(&a);
				const struct jv *v = jv_parse(txt, p, &a);
				json_t *j = json_loadb(txt, p, JSON_REJECT_DUPLICATES, NULL);
				if (v != NULL) {
					if (j == NULL)
						fail_msg("read what jansson refuses: %.*s", (int)p, txt);
					assert_string_equal(jv_string_value(jv_get(v, "k")),
							    json_string_value(json_object_get(j, "k")));
					assert_int_equal(jv_integer_value(jv_get(v, "z")), 1);
				}
				/* Plain bytes are never declined. */
				if (specials[k] == 'a' || specials[k] == ' ')
					assert_non_null(v);
				json_decref(j);
			}
	arena_cleanup(&a);
}

static int load_catalogue(void **state)
{
	(void)state;
	struct err e;
	return i18n_init(&e) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_plain_application_is_read_by_the_fast_road_as_jansson_reads_it),
	    cmocka_unit_test(edge_cases_of_json_are_read_alike_or_left_to_jansson),
	    cmocka_unit_test(every_one_byte_change_of_an_application_is_read_alike),
	    cmocka_unit_test(json_strings_are_escaped_alike_wherever_the_byte_to_escape_stands),
	    cmocka_unit_test(numbers_are_read_to_the_bits_jansson_reads),
	    cmocka_unit_test(strings_are_read_alike_whatever_byte_stands_where),
	    cmocka_unit_test_setup(an_explanation_that_needs_escaping_reads_back_from_the_json, load_catalogue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
