/* test_signing.c - the support agreement (src/signing/): which decisions
 * need one, whether a case's agreement is signed (the payout condition),
 * and an agreement covering the loan of its school year up to its own loan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <time.h>
#include <unistd.h>

#include "access/access.h"
#include "core/arena.h"
#include "core/buf.h"
#include "sim/signing.h"
#include "sim/synth.h"
#include "core/err.h"
#include "signing/signing.h"
#include "store/agreements.h"
#include "testdb.h"

#define T 1735689600 /* 2025-01-01T00:00:00Z */

static const char loan_decision[] =
	"{\"scheme\":\"higher-education\",\"outcome\":\"granted\",\"awards\":[{\"name\":\"basic-loan\","
	"\"kind\":\"loan\",\"months\":11,\"monthly\":1379000,\"amount\":%lld}],\"manual_reasons\":[],\"trace\":[]}";
static const char grant_decision[] =
	"{\"scheme\":\"upper-secondary\",\"outcome\":\"granted\",\"awards\":[{\"name\":\"equipment-grant\","
	"\"kind\":\"grant\",\"amount\":113500}],\"manual_reasons\":[],\"trace\":[]}";

struct fixture {
	struct testdb db;
	int64_t person;
};

struct add {
	int64_t person, case_id, id;
	const char *scheme, *outcome;
	char json[512];
};

static int add_person(struct store_tx *tx, void *arg, struct err *e)
{
	struct add *ad = arg;
	struct person p = {0, "01010112345", "Åse", "Ødegård", date_from_ymd(2004, 5, 17), "Bjørkeveien 7", "9990",
			   "Båtsfjord", 0, NULL, NULL};
	return store_person_insert(tx, &p, &ad->id, e);
}

static int add_case(struct store_tx *tx, void *arg, struct err *e)
{
	struct add *ad = arg;
	struct case_rec c = {0};
	c.person_id = ad->person;
	c.scheme = ad->scheme;
	c.school_year = "2024-2025";
	c.status = "received";
	c.received_at = T;
	c.application_json = "{}";
	return store_case_insert(tx, &c, &ad->id, e);
}

static int decide(struct store_tx *tx, void *arg, struct err *e)
{
	struct add *ad = arg;
	return store_case_decide(tx, ad->case_id, "decided", ad->outcome, T, ad->json, NULL, e);
}

static int64_t new_case(struct fixture *f, const char *scheme)
{
	struct err e;
	struct add ad = {.person = f->person, .scheme = scheme};
	assert_int_equal(store_write(f->db.s, add_case, &ad, &e), 0);
	return ad.id;
}

static void decide_loan(struct fixture *f, int64_t case_id, const char *outcome, long long loan)
{
	struct err e;
	struct add ad = {.case_id = case_id, .outcome = outcome};
	snprintf(ad.json, sizeof(ad.json), loan_decision, loan);
	assert_int_equal(store_write(f->db.s, decide, &ad, &e), 0);
}

struct make {
	struct agreement g;
	int64_t id;
	int sign;
};

static int make_agreement(struct store_tx *tx, void *arg, struct err *e)
{
	struct make *m = arg;
	if (store_agreement_insert(tx, &m->g, &m->id, e) != 0)
		return -1;
	if (m->sign)
		return store_agreement_sign(tx, m->id, T, m->g.person_id, "self", (const unsigned char *)"sig", 3,
					    "{}", e);
	return 0;
}

/* An agreement for the case's current decision with the given loan. */
static int64_t agree(struct fixture *f, int64_t case_id, int64_t loan, int sign)
{
	struct err e;
	struct arena a;
	struct decision_ref d;
	arena_init(&a, 0);
	assert_int_equal(store_case_current_decision(f->db.s, case_id, &d, &a, &e), 0);
	struct make m = {{0}, 0, sign};
	m.g.person_id = f->person;
	m.g.case_id = case_id;
	m.g.decision_id = d.id;
	m.g.school_year = "2024-2025";
	m.g.scheme = "higher-education";
	m.g.loan = loan;
	m.g.created_at = T;
	m.g.pdf = (const unsigned char *)"%PDF-1.5";
	m.g.pdf_len = 8;
	m.g.pdf_sha256 = "00";
	assert_int_equal(store_write(f->db.s, make_agreement, &m, &e), 0);
	arena_cleanup(&a);
	return m.id;
}

static int is_signed(struct fixture *f, int64_t case_id)
{
	struct err e;
	int v = -1;
	assert_int_equal(signing_agreement_signed(f->db.s, case_id, &v, &e), 0);
	return v;
}

static int setup(void **state)
{
	struct err e;
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL || testdb_open(&f->db, "signing") != 0)
		return -1;
	struct add ad = {0};
	if (store_write(f->db.s, add_person, &ad, &e) != 0)
		return -1;
	f->person = ad.id;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	testdb_close(&f->db);
	free(f);
	return 0;
}

static void a_loan_needs_a_signed_agreement(void **state)
{
	struct fixture *f = *state;
	int64_t c = new_case(f, "higher-education");
	assert_int_equal(is_signed(f, c), 1); /* undecided: nothing to sign */
	decide_loan(f, c, "granted", 15169000);
	assert_int_equal(is_signed(f, c), 0); /* no agreement made yet */
	agree(f, c, 15169000, 0);
	assert_int_equal(is_signed(f, c), 0); /* made, unsigned */
}

static void a_signed_agreement_covers_a_smaller_loan_of_its_year_not_a_larger(void **state)
{
	struct fixture *f = *state;
	int64_t c = new_case(f, "higher-education");
	decide_loan(f, c, "granted", 10000000);
	agree(f, c, 10000000, 1);
	assert_int_equal(is_signed(f, c), 1);
	decide_loan(f, c, "granted", 9000000); /* decided again, smaller loan */
	assert_int_equal(is_signed(f, c), 1);
	decide_loan(f, c, "granted", 12000000); /* the loan grows: a new agreement */
	assert_int_equal(is_signed(f, c), 0);
	agree(f, c, 12000000, 1);
	assert_int_equal(is_signed(f, c), 1);
}

static void a_rejection_needs_no_agreement(void **state)
{
	struct fixture *f = *state;
	int64_t c = new_case(f, "higher-education");
	decide_loan(f, c, "rejected", 0);
	assert_int_equal(is_signed(f, c), 1);
}

static void a_pupils_grant_needs_one_a_students_grant_does_not(void **state)
{
	int64_t loan, grants;
	int needs;
	(void)state;
	assert_int_equal(signing_decision_needs("upper-secondary", "granted", grant_decision, &loan, &grants, &needs), 0);
	assert_int_equal(needs, 1);
	assert_int_equal(grants, 113500);
	assert_int_equal(loan, 0);
	assert_int_equal(signing_decision_needs("higher-education", "granted", grant_decision, &loan, &grants, &needs), 0);
	assert_int_equal(needs, 0);
	assert_int_equal(signing_decision_needs("upper-secondary", "rejected", grant_decision, &loan, &grants, &needs), 0);
	assert_int_equal(needs, 0);
	assert_int_equal(signing_decision_needs("upper-secondary", "granted", "not json", &loan, &grants, &needs), -1);
}

static void an_unknown_case_is_not_found(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int v;
	assert_int_equal(signing_agreement_signed(f->db.s, 999999, &v, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
}

/* ---- the policy's guardian and proxy columns ---- */

static void a_guardian_acting_for_a_child_reads_letters_and_signs_but_no_more(void **state)
{
	(void)state;
	struct principal g = {.role = ROLE_PERSON, .person_id = 5, .acting_for = 9, .grant = GRANT_GUARDIAN};
	assert_true(access_allowed(&g, ACT_LETTER_READ, 9));
	assert_true(access_allowed(&g, ACT_CASE_READ, 9));
	assert_true(access_allowed(&g, ACT_APPLY, 9));
	assert_true(access_allowed(&g, ACT_AGREEMENT_SIGN, 9));
	assert_false(access_allowed(&g, ACT_MYPAGES_READ, 9));
	assert_false(access_allowed(&g, ACT_PROXY_MANAGE, 9));
	assert_false(access_allowed(&g, ACT_LETTER_READ, 10)); /* another child */
	assert_false(access_allowed(&g, ACT_LETTER_READ, 5));  /* their own, while acting for the child */
	char actor[64];
	assert_string_equal(access_actor(&g, actor, sizeof(actor)), "person:5 for person:9");
}

static void a_proxy_acts_within_its_scopes_and_never_signs(void **state)
{
	(void)state;
	struct principal p = {.role = ROLE_PERSON, .person_id = 5, .acting_for = 9, .grant = GRANT_PROXY, .proxy_id = 3, .scopes = ACCESS_SCOPE_LETTERS};
	assert_true(access_allowed(&p, ACT_LETTER_READ, 9));
	assert_false(access_allowed(&p, ACT_APPLY, 9));
	assert_false(access_allowed(&p, ACT_MESSAGE_WRITE, 9));
	assert_false(access_allowed(&p, ACT_AGREEMENT_SIGN, 9));
	p.scopes = ACCESS_SCOPE_ALL;
	assert_true(access_allowed(&p, ACT_APPLY, 9));
	assert_true(access_allowed(&p, ACT_MESSAGE_WRITE, 9));
	assert_false(access_allowed(&p, ACT_AGREEMENT_SIGN, 9));
	assert_false(access_allowed(&p, ACT_AGREEMENT_READ, 9));
	p.proxy_id = 0; /* no power: no right */
	assert_false(access_allowed(&p, ACT_LETTER_READ, 9));
}

/* ---- verifying what the simulator's signing service signs ---- */

static const char *arg_of(void *ctx, const char *name)
{
	const char *const *kv = ctx;
	for (int i = 0; kv[i]; i += 2)
		if (strcmp(kv[i], name) == 0)
			return kv[i + 1];
	return NULL;
}

/* Order, sign as nin with fault, and fetch the signature into sig. */
static void service_sign(const char *ref, const char *signer, const char *nin, const char *fault, const char *pdf,
			 struct buf *sig)
{
	struct signing_answer w = {0};
	const char *args[] = {"reference", ref, "signer", signer, "return", "http://127.0.0.1/avtaler/retur", NULL};
	buf_init(&w.body, 1 << 20);
	signing_service_answer("POST", "/signing/v1/orders", arg_of, args, pdf, strlen(pdf), &w);
	assert_int_equal(w.status, 201);
	char form[128], url[128];
	snprintf(form, sizeof(form), "nin=%s&fault=%s", nin, fault);
	snprintf(url, sizeof(url), "/signing/v1/orders/%s/sign", ref);
	buf_reset(&w.body);
	signing_service_answer("POST", url, arg_of, args, form, strlen(form), &w);
	assert_int_equal(w.status, 303);
	snprintf(url, sizeof(url), "/signing/v1/orders/%s/signature", ref);
	buf_reset(&w.body);
	signing_service_answer("GET", url, arg_of, args, "", 0, &w);
	assert_int_equal(w.status, 200);
	buf_reset(sig);
	buf_append(sig, w.body.p, w.body.len);
	buf_cleanup(&w.body);
}

static void signatures_are_verified_for_bytes_signer_ca_and_validity(void **state)
{
	(void)state;
	struct err e;
	char dir[] = "/tmp/stipend-signing-XXXXXX", ca[64], key[64];
	assert_non_null(mkdtemp(dir));
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(key, sizeof(key), "%s/ca.key", dir);
	assert_int_equal(signing_service_init(ca, key, 7, 40, &e), 0);
	struct synth_person a, b;
	assert_int_equal(synth_person(7, 0, &a), 0);
	assert_int_equal(synth_person(7, 1, &b), 0);
	const char *pdf = "%PDF-1.5 the agreement's exact bytes";
	static const struct {
		const char *ref, *fault, *code;
		int other;
	} cases[] = {
		{"unit-ok-0001", "", "signed", 0},       {"unit-bytes-01", "bytes", "bytes", 0},
		{"unit-ca-00001", "ca", "ca", 0},        {"unit-expired-1", "expired", "expired", 0},
		{"unit-signer-01", "", "signer", 1},
	};
	struct buf sig;
	buf_init(&sig, 1 << 20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena ar;
		struct signing_verdict v;
		arena_init(&ar, 0);
		service_sign(cases[i].ref, a.nin, cases[i].other ? b.nin : a.nin, cases[i].fault, pdf, &sig);
		assert_int_equal(signing_verify((const unsigned char *)sig.p, sig.len, (const unsigned char *)pdf,
						strlen(pdf), ca, a.nin, (int64_t)time(NULL) /* the certificates are made now */, &v, &ar, &e),
				 0);
		assert_string_equal(v.code, cases[i].code);
		assert_int_equal(v.ok, strcmp(cases[i].code, "signed") == 0);
		arena_cleanup(&ar);
	}
	/* Garbage is malformed, not a crash. */
	struct arena ar;
	struct signing_verdict v;
	arena_init(&ar, 0);
	assert_int_equal(signing_verify((const unsigned char *)"nonsense", 8, (const unsigned char *)pdf, strlen(pdf), ca,
					a.nin, (int64_t)time(NULL), &v, &ar, &e),
			 0);
	assert_string_equal(v.code, "malformed");
	/* No CA file: the check cannot run. */
	assert_int_equal(signing_verify((const unsigned char *)sig.p, sig.len, (const unsigned char *)pdf, strlen(pdf),
					"/nonexistent/ca.pem", a.nin, (int64_t)time(NULL), &v, &ar, &e),
			 -1);
	arena_cleanup(&ar);
	buf_cleanup(&sig);
	signing_service_free();
	unlink(ca);
	unlink(key);
	rmdir(dir);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_loan_needs_a_signed_agreement, setup, teardown),
		cmocka_unit_test_setup_teardown(a_signed_agreement_covers_a_smaller_loan_of_its_year_not_a_larger, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_rejection_needs_no_agreement, setup, teardown),
		cmocka_unit_test(a_pupils_grant_needs_one_a_students_grant_does_not),
		cmocka_unit_test_setup_teardown(an_unknown_case_is_not_found, setup, teardown),
		cmocka_unit_test(a_guardian_acting_for_a_child_reads_letters_and_signs_but_no_more),
		cmocka_unit_test(a_proxy_acts_within_its_scopes_and_never_signs),
		cmocka_unit_test(signatures_are_verified_for_bytes_signer_ca_and_validity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
