/* test_multipart.c - the multipart/form-data parser (web/multipart.c):
 * the boundary from a Content-Type, fields and files found without
 * copying, preamble and epilogue, the limits (parts, header size, file and
 * field size, exactly at and one past each), malformed bodies refused,
 * every truncation of a body refused, and mutated bodies that never make it
 * read outside the body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "web/multipart.h"

static const struct mp_limits lim = {8, 1024, 64, 32};

/* Parse the NUL-terminated body s with boundary "XyZ". */
static int parse(struct arena *a, struct multipart *m, const char *s, size_t len, const struct mp_limits *l)
{
	struct err e;
	return multipart_parse(m, a, s, len, "XyZ", l ? l : &lim, &e);
}

static void boundary_from_content_type(void **state)
{
	(void)state;
	char b[MULTIPART_BOUNDARY_MAX + 1];
	struct err e;
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundaryAb12", b, &e), 0);
	assert_string_equal(b, "----WebKitFormBoundaryAb12");
	assert_int_equal(multipart_boundary("Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b:c\"", b, &e), 0);
	assert_string_equal(b, "a b:c");
	assert_int_equal(multipart_boundary("multipart/form-data", b, &e), -1);
	assert_int_equal(multipart_boundary("multipart/mixed; boundary=x", b, &e), -1);
	assert_int_equal(multipart_boundary("application/x-www-form-urlencoded", b, &e), -1);
	assert_int_equal(multipart_boundary(NULL, b, &e), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=", b, &e), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"abc", b, &e), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=a<b", b, &e), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"ends with space \"", b, &e), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=x; boundary=y", b, &e), -1);
	char longer[128] = "multipart/form-data; boundary=";
	memset(longer + strlen(longer), 'a', 71);
	assert_int_equal(multipart_boundary(longer, b, &e), -1);
	longer[strlen(longer) - 1] = '\0'; /* 70: the most RFC 2046 allows */
	assert_int_equal(multipart_boundary(longer, b, &e), 0);
	assert_int_equal(strlen(b), 70);
}

static void fields_and_files_point_into_the_body(void **state)
{
	(void)state;
	/* The file holds CR LF, "--" and even "--XyZ" not at a line start. */
	static const char body[] = "--XyZ\r\n"
				   "Content-Disposition: form-data; name=\"csrf\"\r\n"
				   "\r\n"
				   "abc123\r\n"
				   "--XyZ\r\n"
				   "content-disposition: form-data; name=\"files\"; filename=\"brev \\\"1\\\".pdf\"\r\n"
				   "Content-Type: application/pdf\r\n"
				   "\r\n"
				   "%PDF-1\r\n--x--XyZ\r\n\0end\r\n"
				   "--XyZ\r\n"
				   "Content-Disposition: form-data; name=\"note\"\r\n"
				   "\r\n"
				   "\r\n"
				   "--XyZ--\r\n";
	struct arena a;
	struct multipart m;
	arena_init(&a, 0);
	assert_int_equal(parse(&a, &m, body, sizeof(body) - 1, NULL), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.fault, MP_OK);
	assert_string_equal(m.parts[0].name, "csrf");
	assert_null(m.parts[0].filename);
	assert_int_equal(m.parts[0].len, 6);
	assert_memory_equal(m.parts[0].data, "abc123", 6);
	assert_string_equal(m.parts[1].name, "files");
	assert_string_equal(m.parts[1].filename, "brev \"1\".pdf");
	assert_string_equal(m.parts[1].content_type, "application/pdf");
	assert_int_equal(m.parts[1].len, 22);
	assert_memory_equal(m.parts[1].data, "%PDF-1\r\n--x--XyZ\r\n\0end", 22);
	assert_true(m.parts[1].data > body && m.parts[1].data < body + sizeof(body));
	assert_string_equal(m.parts[2].name, "note");
	assert_int_equal(m.parts[2].len, 0);
	assert_ptr_equal(multipart_get(&m, "note"), &m.parts[2]);
	assert_null(multipart_get(&m, "nothing"));
	arena_cleanup(&a);
}

static void preamble_epilogue_and_padding_are_ignored(void **state)
{
	(void)state;
	static const char body[] = "This is a preamble.\r\n--XyZ  \t\r\n"
				   "Content-Disposition: form-data; name=a\r\n\r\n1\r\n"
				   "--XyZ--epilogue, ignored\r\nmore";
	struct arena a;
	struct multipart m;
	arena_init(&a, 0);
	assert_int_equal(parse(&a, &m, body, sizeof(body) - 1, NULL), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.parts[0].name, "a");
	assert_memory_equal(m.parts[0].data, "1", 1);
	arena_cleanup(&a);
}

static void empty_file_input_and_folders_in_file_names(void **state)
{
	(void)state;
	static const char body[] = "--XyZ\r\n"
				   "Content-Disposition: form-data; name=\"files\"; filename=\"\"\r\n"
				   "Content-Type: application/octet-stream\r\n\r\n"
				   "\r\n--XyZ\r\n"
				   "Content-Disposition: form-data; name=\"files\"; filename=\"C:\\\\Users\\\\kari\\\\vitnemal.png\"\r\n\r\n"
				   "x\r\n--XyZ--";
	struct arena a;
	struct multipart m;
	arena_init(&a, 0);
	assert_int_equal(parse(&a, &m, body, sizeof(body) - 1, NULL), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.parts[0].filename, "");
	assert_int_equal(m.parts[0].len, 0);
	assert_string_equal(m.parts[1].filename, "vitnemal.png");
	arena_cleanup(&a);
}

/* A body of n fields "f0".."f{n-1}", each with len bytes of 'v' (or a
 * file when file is set). */
static char *body_of(int n, size_t len, int file, size_t *out_len)
{
	size_t cap = (size_t)n * (len + 128) + 16;
	char *b = malloc(cap), *p = b;
	for (int i = 0; i < n; i++) {
		p += snprintf(p, cap - (size_t)(p - b), "--XyZ\r\nContent-Disposition: form-data; name=\"f%d\"%s\r\n\r\n", i,
			      file ? "; filename=\"x.pdf\"" : "");
		memset(p, 'v', len);
		p += len;
		memcpy(p, "\r\n", 2);
		p += 2;
	}
	memcpy(p, "--XyZ--\r\n", 9);
	p += 9;
	*out_len = (size_t)(p - b);
	return b;
}

static void parts_up_to_the_limit_and_one_more(void **state)
{
	(void)state;
	struct arena a;
	struct multipart m;
	size_t len;
	arena_init(&a, 0);
	char *b = body_of(8, 3, 0, &len);
	assert_int_equal(parse(&a, &m, b, len, NULL), 0);
	assert_int_equal(m.n, 8);
	free(b);
	b = body_of(9, 3, 0, &len);
	assert_int_equal(parse(&a, &m, b, len, NULL), -1);
	assert_int_equal(m.fault, MP_TOO_MANY_PARTS);
	assert_string_equal(m.fault_field, "f8");
	free(b);
	arena_cleanup(&a);
}

static void files_and_fields_up_to_their_size_and_one_byte_more(void **state)
{
	(void)state;
	struct arena a;
	struct multipart m;
	struct err e;
	size_t len;
	arena_init(&a, 0);
	char *b = body_of(1, 64, 1, &len);
	assert_int_equal(parse(&a, &m, b, len, NULL), 0);
	assert_int_equal(m.parts[0].len, 64);
	free(b);
	b = body_of(1, 65, 1, &len);
	assert_int_equal(multipart_parse(&m, &a, b, len, "XyZ", &lim, &e), -1);
	assert_int_equal(m.fault, MP_TOO_LARGE);
	assert_string_equal(m.fault_field, "f0");
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "f0");
	free(b);
	b = body_of(1, 32, 0, &len);
	assert_int_equal(parse(&a, &m, b, len, NULL), 0);
	free(b);
	b = body_of(1, 33, 0, &len);
	assert_int_equal(parse(&a, &m, b, len, NULL), -1);
	assert_int_equal(m.fault, MP_TOO_LARGE);
	free(b);
	arena_cleanup(&a);
}

static void malformed_bodies_are_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"no delimiter at all",
		"--XyZ", /* ends after the first delimiter */
		"--XyZx\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1", /* no closing delimiter */
		"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ", /* nor its "--" */
		"--XyZ\r\n\r\n1\r\n--XyZ--",                                         /* no headers */
		"--XyZ\r\nContent-Type: text/plain\r\n\r\n1\r\n--XyZ--",              /* no disposition */
		"--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data\r\n\r\n1\r\n--XyZ--", /* no name */
		"--XyZ\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\n1\r\n--XyZ--", /* folded */
		"--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=a\r\nno colon here\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=a\n\n1\r\n--XyZ--", /* bare LF */
	};
	struct arena a;
	struct multipart m;
	arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&a, &m, bad[i], strlen(bad[i]), NULL) != -1 || m.fault != MP_MALFORMED)
			fail_msg("accepted bad body %zu: %s", i, bad[i]);
	}
	/* A NUL inside the headers. */
	static const char nul[] = "--XyZ\r\nContent-Disposition: form-data; name=a\0b\r\n\r\n1\r\n--XyZ--";
	assert_int_equal(parse(&a, &m, nul, sizeof(nul) - 1, NULL), -1);
	/* Headers longer than the limit, without and with their end. */
	char *big = malloc(4096);
	int n = snprintf(big, 4096, "--XyZ\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
	memset(big + n, 'p', 2000);
	memcpy(big + n + 2000, "\r\n\r\n1\r\n--XyZ--", 14);
	assert_int_equal(parse(&a, &m, big, (size_t)n + 2014, NULL), -1);
	assert_int_equal(m.fault, MP_MALFORMED);
	free(big);
	arena_cleanup(&a);
}

static void every_truncation_is_refused(void **state)
{
	(void)state;
	static const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n"
				   "--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n\r\n"
				   "%PDF-\r\n--XyZ--\r\n";
	size_t complete = sizeof(body) - 1 - 2; /* through the closing "--" */
	struct arena a;
	struct multipart m;
	arena_init(&a, 0);
	for (size_t len = 0; len < sizeof(body); len++) {
		/* A copy of just len bytes, so that a read past them is caught
		 * by a sanitizer. */
		char *copy = malloc(len ? len : 1);
		memcpy(copy, body, len);
		int rc = parse(&a, &m, copy, len, NULL);
		if (len < complete && rc != -1)
			fail_msg("accepted a body cut at %zu", len);
		if (len >= complete && (rc != 0 || m.n != 2))
			fail_msg("refused a complete body of %zu bytes", len);
		free(copy);
		arena_reset(&a);
	}
	arena_cleanup(&a);
}

static void mutated_bodies_stay_within_the_body(void **state)
{
	(void)state;
	static const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n"
				   "--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n"
				   "Content-Type: application/pdf\r\n\r\n%PDF-1.4 data\r\n--XyZ--\r\n";
	static const char alphabet[] = "-\r\n\"\\;=:XyZ \0ab";
	struct arena a;
	struct multipart m;
	uint32_t seed = 12345;
	arena_init(&a, 0);
	for (int round = 0; round < 20000; round++) {
		size_t len = sizeof(body) - 1;
		char *copy = malloc(len);
		memcpy(copy, body, len);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			seed = seed * 1103515245u + 12345u;
			copy[at] = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
		}
		seed = seed * 1103515245u + 12345u;
		size_t cut = len - (seed >> 8) % 8;
		if (parse(&a, &m, copy, cut, NULL) == 0) {
			for (int i = 0; i < m.n; i++) {
				assert_true(m.parts[i].data >= copy);
				assert_true(m.parts[i].data + m.parts[i].len <= copy + cut);
				assert_non_null(m.parts[i].name);
			}
		} else {
			assert_int_not_equal(m.fault, MP_OK);
		}
		free(copy);
		arena_reset(&a);
	}
	arena_cleanup(&a);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boundary_from_content_type),
		cmocka_unit_test(fields_and_files_point_into_the_body),
		cmocka_unit_test(preamble_epilogue_and_padding_are_ignored),
		cmocka_unit_test(empty_file_input_and_folders_in_file_names),
		cmocka_unit_test(parts_up_to_the_limit_and_one_more),
		cmocka_unit_test(files_and_fields_up_to_their_size_and_one_byte_more),
		cmocka_unit_test(malformed_bodies_are_refused),
		cmocka_unit_test(every_truncation_is_refused),
		cmocka_unit_test(mutated_bodies_stay_within_the_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
