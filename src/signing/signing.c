/* signing.c - the support agreement as a person meets it: made as a PDF
 * for each decision that needs one, listed on "Avtaler", signed at the
 * signing service and verified here, or sent on paper and registered by a
 * case worker when it comes back signed.
 *
 * Who signs: the person, from the day they turn 18; before that one parent
 * or guardian the population register names, acting for them (access/
 * relations.c), each by the request's clock. The signing service gets the
 * exact stored PDF bytes with a one-time reference (signing_requests) and
 * sends the browser back with it; the signature is fetched from the
 * service, never taken from the browser, and verified against the
 * configured CA (verify.c) before anything is stored. A refusal leaves the
 * agreement unsigned and is audited with its reason. */
#include "signing/signing.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/money.h"
#include "mailbox/letter.h"
#include "mailbox/pdf.h"
#include "store/agreements.h"
#include "store/store.h"

#define ADULT_AGE 18
#define REQUEST_TTL 1800 /* seconds a visit to the signing service may take */
#define PDF_MAX (8 << 20)
#define SIG_MAX (1 << 20)
#define SERVICE_TIMEOUT_MS 10000

static struct signing_config config;

int signing_configure(const struct signing_config *c, struct err *e)
{
	if (c->ca_file != NULL) {
		FILE *f = fopen(c->ca_file, "r");
		if (f == NULL)
			return err_set(e, ERR_IO, "signing-ca", "cannot read %s", c->ca_file);
		fclose(f);
	}
	config = *c;
	return 0;
}

static date_t day_of(int64_t now)
{
	return (date_t)(now >= 0 ? now / 86400 : (now - 86399) / 86400);
}

static const char *name_of(const struct person *p, struct arena *a)
{
	return arena_printf(a, "%s %s", p->given_name, p->family_name);
}

/* ---- the document ---- */

static const char *render(enum lang lang, const char *key, json_t *args, struct arena *a)
{
	struct buf b;
	buf_init(&b, 8192);
	i18n_render(&b, lang, key, args);
	const char *s = arena_strdup(a, buf_str(&b) ? buf_str(&b) : "");
	buf_cleanup(&b);
	json_decref(args);
	return s;
}

static const char *money_text(int64_t ore, enum lang lang, struct arena *a)
{
	char tmp[64];
	return arena_strdup(a, money_format(ore, lang, tmp, sizeof(tmp)));
}

static json_t *section(const char *heading, json_t *paragraphs)
{
	return json_pack("{s:s,s:o}", "heading", heading, "paragraphs", paragraphs);
}

/* The agreement's model for the letter machinery (mailbox/pdf.c draws
 * "sections"): the parties, the awards, the loan's terms, how to sign. */
static json_t *agreement_model(const struct person *p, const struct case_rec *c, const char *decision_json,
			       int64_t loan, int64_t grants, int64_t now, enum lang lang, struct arena *a)
{
	char day[11], born[11], created[21];
	date_format(day_of(now), day);
	date_format_timestamp(now, created);
	json_t *m = json_object();
	json_object_set_new(m, "letter",
			    json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)0, "case_id", (json_int_t)c->id,
				      "kind", "agreement", "title_key", "signing.pdf.title", "sender_key",
				      "unit.student-support", "created", created, "day", day));
	/* A strictly confidential address is never printed: a guardian reads
	 * this document too. */
	json_t *recipient = json_pack("{s:s}", "name", name_of(p, a));
	if (!p->confidential_address) {
		json_object_set_new(recipient, "address", json_string(p->address));
		json_object_set_new(recipient, "postal", json_string(arena_printf(a, "%s %s", p->postcode, p->city)));
	}
	json_object_set_new(m, "recipient", recipient);

	json_t *sections = json_array(), *paras;
	json_array_append_new(sections, section(render(lang, "signing.pdf.intro", json_pack("{s:s,s:I}", "school_year",
											c->school_year, "case", (json_int_t)c->id), a),
						json_array()));
	paras = json_array();
	json_array_append_new(paras, json_string(render(lang, "signing.pdf.borrower",
							json_pack("{s:s,s:s,s:s}", "name", name_of(p, a), "nin", p->nin,
								  "birth_date", date_format(p->birth_date, born)),
							a)));
	json_array_append_new(paras, json_string(p->confidential_address
							 ? i18n_get(lang, "signing.pdf.address_confidential")
							 : render(lang, "signing.pdf.address",
								  json_pack("{s:s,s:s,s:s}", "address", p->address, "postcode",
									    p->postcode, "city", p->city),
								  a)));
	json_array_append_new(paras, json_string(i18n_get(lang, "signing.pdf.lender")));
	json_array_append_new(sections, section(i18n_get(lang, "signing.pdf.parties"), paras));

	paras = json_array();
	json_t *d = mbox_decision_json(lang, a, decision_json), *v;
	size_t i;
	json_array_foreach(json_object_get(d, "awards"), i, v)
	{
		const char *name_key = json_string_value(json_object_get(v, "name_key"));
		json_int_t amount = json_integer_value(json_object_get(v, "amount"));
		json_t *months = json_object_get(v, "months");
		json_array_append_new(paras, json_string(render(
						 lang, json_is_integer(months) ? "signing.pdf.award_months" : "signing.pdf.award",
						 json_pack("{s:s,s:s,s:I}", "name", name_key ? i18n_get(lang, name_key) : "",
							   "amount", money_text(amount, lang, a), "months",
							   json_is_integer(months) ? json_integer_value(months) : 0),
						 a)));
	}
	json_decref(d);
	json_array_append_new(paras, json_string(render(lang, "signing.pdf.total_loan",
							json_pack("{s:s}", "amount", money_text(loan, lang, a)), a)));
	json_array_append_new(paras, json_string(render(lang, "signing.pdf.total_grant",
							json_pack("{s:s}", "amount", money_text(grants, lang, a)), a)));
	json_array_append_new(sections, section(i18n_get(lang, "signing.pdf.support"), paras));

	if (loan > 0) {
		paras = json_array();
		static const char *const terms[] = {"signing.pdf.terms.interest", "signing.pdf.terms.repayment",
						    "signing.pdf.terms.instalments", "signing.pdf.terms.deferral",
						    "signing.pdf.terms.conversion", NULL};
		for (int k = 0; terms[k]; k++)
			json_array_append_new(paras, json_string(i18n_get(lang, terms[k])));
		json_array_append_new(sections, section(i18n_get(lang, "signing.pdf.terms"), paras));
	}
	paras = json_array();
	json_array_append_new(paras, json_string(i18n_get(lang, "signing.pdf.how")));
	json_array_append_new(paras, json_string(i18n_get(lang, "signing.pdf.minor")));
	json_array_append_new(paras, json_string(i18n_get(lang, "signing.pdf.signature_line")));
	json_array_append_new(sections, section(i18n_get(lang, "signing.pdf.signing"), paras));
	json_object_set_new(m, "sections", sections);
	return m;
}

struct made {
	struct agreement g;
	int64_t id;
	const char *actor;
};

static int put_agreement(struct store_tx *tx, void *arg, struct err *e)
{
	struct made *m = arg;
	char object[32], detail[128];
	if (store_agreement_insert(tx, &m->g, &m->id, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "agreement:%lld", (long long)m->id);
	snprintf(detail, sizeof(detail), "case:%lld decision:%lld loan:%lld", (long long)m->g.case_id,
		 (long long)m->g.decision_id, (long long)m->g.loan);
	return audit_append(tx, m->g.created_at, m->actor, "agreement.made", object, detail, e);
}

int signing_agreements_make(struct store *s, int64_t person_id, enum lang lang, int64_t now, struct arena *a,
			    struct err *e)
{
	struct case_rec *cases;
	struct person p;
	int made = 0;
	int rc = store_person_get(s, person_id, &p, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such person");
	int n = store_cases_of_person(s, person_id, &cases, a, e);
	if (n < 0)
		return -1;
	/* Oldest first, so that a school year's first decision makes the
	 * first agreement and a later one a new agreement only when its loan
	 * is larger. */
	for (int i = n - 1; i >= 0; i--) {
		struct decision_ref d;
		struct agreement have;
		int64_t loan, grants;
		int needs;
		rc = store_case_current_decision(s, cases[i].id, &d, a, e);
		if (rc < 0)
			return -1;
		if (rc == 1 ||
		    signing_decision_needs(cases[i].scheme, d.outcome, d.decision_json, &loan, &grants, &needs) != 0 ||
		    !needs)
			continue;
		rc = store_agreement_covering(s, person_id, cases[i].school_year, loan, 0, &have, a, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		json_t *model = agreement_model(&p, &cases[i], d.decision_json, loan, grants, now, lang, a);
		struct buf pdf;
		buf_init(&pdf, PDF_MAX);
		rc = pdf_letter(model, lang, &pdf, NULL, e);
		json_decref(model);
		if (rc != 0) {
			buf_cleanup(&pdf);
			return -1;
		}
		unsigned char h[crypto_hash_sha256_BYTES];
		char hex[2 * sizeof(h) + 1];
		crypto_hash_sha256(h, (const unsigned char *)pdf.p, pdf.len);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		struct made m = {{0}, 0, "system"};
		m.g.person_id = person_id;
		m.g.case_id = cases[i].id;
		m.g.decision_id = d.id;
		m.g.school_year = cases[i].school_year;
		m.g.scheme = cases[i].scheme;
		m.g.loan = loan;
		m.g.grants = grants;
		m.g.created_at = now;
		m.g.pdf = (const unsigned char *)pdf.p;
		m.g.pdf_len = pdf.len;
		m.g.pdf_sha256 = hex;
		struct err we;
		rc = store_write(s, put_agreement, &m, &we);
		buf_cleanup(&pdf);
		if (rc != 0 && we.code != ERR_CONFLICT) /* a conflict: another request made it */
			return err_set(e, we.code, NULL, "%s", we.message);
		made += rc == 0;
	}
	return made;
}

/* ---- who signs ---- */

/* Whether the person is under 18 on the request's day. */
static int minor(const struct person *p, int64_t now)
{
	return date_age(p->birth_date, day_of(now)) < ADULT_AGE;
}

/* 0 when who may sign p's agreement now: p themself from 18, a guardian
 * acting for them before. Else ERR_CONFLICT with the catalogue key as the
 * message. */
static int signer_ok(const struct principal *who, const struct person *p, int64_t now, struct err *e)
{
	if (minor(p, now) && who->grant != GRANT_GUARDIAN)
		return err_set(e, ERR_CONFLICT, NULL, "signing.refused.guardian-signs");
	if (!minor(p, now) && who->grant != GRANT_SELF)
		return err_set(e, ERR_CONFLICT, NULL, "signing.refused.self-signs");
	return 0;
}

static int is_signed_state(const char *state)
{
	return strcmp(state, "signed") == 0 || strcmp(state, "paper-received") == 0;
}

/* The agreement id for who under act: 0 with g (and its owner p), or -1
 * (ERR_NOT_FOUND, the refusal audited). */
static int gate(struct store *s, const struct principal *who, enum action act, int64_t id, int with_blobs,
		int64_t now, struct agreement *g, struct person *p, struct arena *a, struct err *e)
{
	char object[40];
	snprintf(object, sizeof(object), "agreement:%lld", (long long)id);
	int rc = store_agreement_get(s, id, with_blobs, g, a, e);
	if (rc < 0)
		return -1;
	if (access_check(s, who, act, rc == 0 ? g->person_id : 0, object, "agreement", now, e) != 0)
		return -1;
	rc = store_person_get(s, g->person_id, p, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such agreement");
	return 0;
}

/* ---- the person's page ---- */

static json_t *agreement_json(struct store *s, const struct principal *who, const struct agreement *g,
			      const struct person *owner, int superseded, int64_t now, struct arena *a)
{
	char created[11], at[21];
	json_t *j = json_pack("{s:I,s:I,s:s,s:I,s:I,s:s,s:s,s:b,s:b,s:b,s:b}", "id", (json_int_t)g->id, "case_id",
			      (json_int_t)g->case_id, "school_year", g->school_year, "loan", (json_int_t)g->loan, "grants",
			      (json_int_t)g->grants, "created", date_format(day_of(g->created_at), created), "state_key",
			      arena_printf(a, "signing.state.%s", g->state), "signed", is_signed_state(g->state), "paper",
			      strcmp(g->state, "paper") == 0, "superseded", superseded, "unsigned",
			      strcmp(g->state, "unsigned") == 0);
	int open = !is_signed_state(g->state) && !superseded;
	struct err e;
	int may = open && access_allowed(who, ACT_AGREEMENT_SIGN, g->person_id) && signer_ok(who, owner, now, &e) == 0;
	json_object_set_new(j, "may_sign", json_boolean(may && config.service_url != NULL));
	json_object_set_new(j, "may_paper", json_boolean(may && strcmp(g->state, "unsigned") == 0));
	if (open && !may)
		json_object_set_new(j, "who_signs_key", json_string(minor(owner, now) ? "signing.page.guardian_signs"
										      : "signing.page.self_signs"));
	if (g->signed_at) {
		struct person signer;
		json_object_set_new(j, "signed_at", json_string(date_format_timestamp(g->signed_at, at)));
		if (store_person_get(s, g->signer_person_id, &signer, a, &e) == 0)
			json_object_set_new(j, "signer_name", json_string(name_of(&signer, a)));
		json_object_set_new(j, "by_guardian", json_boolean(g->signed_as && strcmp(g->signed_as, "guardian") == 0));
	}
	if (g->paper_received_at)
		json_object_set_new(j, "paper_received", json_string(date_format(day_of(g->paper_received_at), created)));
	return j;
}

json_t *signing_agreements_page(struct store *s, const struct principal *who, enum lang lang, int64_t now,
				struct arena *a, struct err *e)
{
	struct agreement *list;
	struct person owner;
	if (access_check_subject(s, who, ACT_AGREEMENT_READ, "person", now, e) != 0)
		return NULL;
	int64_t subject = access_subject(who);
	int rc = store_person_get(s, subject, &owner, a, e);
	if (rc != 0) {
		if (rc == 1)
			err_set(e, ERR_NOT_FOUND, NULL, "no such person");
		return NULL;
	}
	if (signing_agreements_make(s, subject, lang, now, a, e) < 0)
		return NULL;
	int n = store_agreements_of_person(s, subject, &list, a, e);
	if (n < 0)
		return NULL;
	json_t *items = json_array();
	for (int i = 0; i < n; i++) {
		/* Superseded: a larger agreement of the same school year made
		 * after it covers its loan. */
		int superseded = 0;
		for (int k = 0; k < i; k++)
			if (list[k].loan > list[i].loan && strcmp(list[k].school_year, list[i].school_year) == 0 &&
			    list[i].loan > 0)
				superseded = 1;
		json_array_append_new(items, agreement_json(s, who, &list[i], &owner, superseded, now, a));
	}
	json_t *d = json_pack("{s:o,s:b,s:s,s:b}", "agreements", items, "minor", minor(&owner, now), "owner_name",
			      name_of(&owner, a), "acting", who->acting_for != 0 && who->acting_for != who->person_id);
	json_object_set_new(d, "electronic", json_boolean(config.service_url != NULL));
	return d;
}

int signing_agreement_pdf(struct store *s, const struct principal *who, int64_t id, int64_t now,
			  const unsigned char **pdf, size_t *len, struct arena *a, struct err *e)
{
	struct agreement g;
	struct person p;
	if (gate(s, who, ACT_AGREEMENT_READ, id, 1, now, &g, &p, a, e) != 0)
		return -1;
	*pdf = g.pdf;
	*len = g.pdf_len;
	return 0;
}

/* ---- talking to the signing service ---- */

static size_t on_write(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	return buf_append(b, p, size * n) == 0 ? size * n : 0;
}

/* POST body (may be NULL: GET) to url; the answer's body into out. Returns
 * the HTTP status, or -1 with e filled (ERR_IO). */
static long http_call(const char *url, const unsigned char *body, size_t len, const char *type, struct buf *out,
		      struct err *e)
{
	CURL *k = curl_easy_init();
	struct curl_slist *h = NULL;
	long status = -1;
	if (k == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "cannot start an HTTP request");
	curl_easy_setopt(k, CURLOPT_URL, url);
	curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(k, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, (long)SERVICE_TIMEOUT_MS);
	curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		h = curl_slist_append(h, type);
		curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(k, CURLOPT_POSTFIELDS, (const char *)body);
		curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	CURLcode rc = curl_easy_perform(k);
	if (rc == CURLE_OK)
		curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
	else
		err_set(e, ERR_IO, "signing", "the signing service cannot be reached: %s", curl_easy_strerror(rc));
	curl_slist_free_all(h);
	curl_easy_cleanup(k);
	return status;
}

static void url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~')
			buf_putc(b, (char)c);
		else
			buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/* ---- signing ---- */

struct started {
	struct signing_request r;
	char object[40];
};

static int put_request(struct store_tx *tx, void *arg, struct err *e)
{
	struct started *st = arg;
	if (store_signing_request_insert(tx, &st->r, e) != 0)
		return -1;
	return audit_append(tx, st->r.created_at, st->r.actor, "agreement.signing-started", st->object, NULL, e);
}

int signing_start(struct store *s, const struct principal *who, int64_t id, int64_t now, const char **redirect,
		  struct arena *a, struct err *e)
{
	struct agreement g;
	struct person p, signer;
	char actor[64], token[ACCESS_TOKEN_LEN + 1];
	if (gate(s, who, ACT_AGREEMENT_SIGN, id, 1, now, &g, &p, a, e) != 0)
		return -1;
	if (is_signed_state(g.state))
		return err_set(e, ERR_CONFLICT, NULL, "signing.refused.signed-already");
	if (signer_ok(who, &p, now, e) != 0)
		return -1;
	if (config.service_url == NULL)
		return err_set(e, ERR_CONFLICT, NULL, "signing.refused.no-service");
	int rc = store_person_get(s, who->person_id, &signer, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such person");
	access_new_token(token);
	struct buf url, answer;
	buf_init(&url, 4096);
	buf_init(&answer, 64 << 10);
	buf_printf(&url, "%s/orders?reference=%s&signer=%s&return=", config.service_url, token, signer.nin);
	url_encode(&url, arena_printf(a, "%s/avtaler/retur", config.public_url ? config.public_url : ""));
	long status = http_call(buf_str(&url), g.pdf, g.pdf_len, "Content-Type: application/pdf", &answer, e);
	buf_cleanup(&url);
	buf_cleanup(&answer);
	if (status < 0)
		return -1;
	if (status != 201)
		return err_set(e, ERR_IO, "signing", "the signing service refused the order (HTTP %ld)", status);
	struct started st = {{token, id, who->person_id, access_actor(who, actor, sizeof(actor)), now, now + REQUEST_TTL,
			      0, NULL},
			     ""};
	snprintf(st.object, sizeof(st.object), "agreement:%lld", (long long)id);
	if (store_write(s, put_request, &st, e) != 0)
		return -1;
	*redirect = arena_printf(a, "%s/orders/%s", config.service_url, token);
	return 0;
}

struct took {
	const char *ref;
	int64_t at;
	struct signing_request r;
	struct arena *a;
};

static int take_request(struct store_tx *tx, void *arg, struct err *e)
{
	struct took *t = arg;
	int rc = store_signing_request_take(tx, t->ref, t->at, &t->r, t->a, e);
	if (rc == 1)
		return err_set(e, ERR_NOT_FOUND, NULL, "no such signing request");
	return rc;
}

struct outcome {
	const char *ref, *actor, *verification, *signed_as;
	int64_t agreement_id, signer, at;
	const unsigned char *sig;
	size_t sig_len;
	const struct signing_verdict *v;
};

static int put_outcome(struct store_tx *tx, void *arg, struct err *e)
{
	struct outcome *o = arg;
	char object[40];
	snprintf(object, sizeof(object), "agreement:%lld", (long long)o->agreement_id);
	if (store_signing_request_outcome(tx, o->ref, o->v->code, e) != 0)
		return -1;
	if (!o->v->ok)
		return audit_append(tx, o->at, o->actor, "agreement.signature-refused", object, o->v->code, e);
	if (store_agreement_sign(tx, o->agreement_id, o->at, o->signer, o->signed_as, o->sig, o->sig_len,
				 o->verification, e) != 0)
		return -1;
	return audit_append(tx, o->at, o->actor, "agreement.signed", object, o->verification, e);
}

int signing_finish(struct store *s, const struct principal *who, const char *ref, int64_t now,
		   int64_t *agreement_id, struct signing_verdict *v, struct arena *a, struct err *e)
{
	struct agreement g;
	struct person p, signer;
	char actor[64];
	memset(v, 0, sizeof(*v));
	*agreement_id = 0;
	/* Only someone who may sign anything comes back with a reference. */
	if (access_check_subject(s, who, ACT_AGREEMENT_SIGN, "agreement", now, e) != 0)
		return -1;
	if (ref == NULL || strlen(ref) != ACCESS_TOKEN_LEN)
		return err_set(e, ERR_NOT_FOUND, NULL, "no such signing request");
	/* Used once: taken before anything else, so that a reference shown
	 * twice never signs twice. */
	struct took t = {ref, now, {0}, a};
	if (store_write(s, take_request, &t, e) != 0)
		return -1;
	if (t.r.signer_person_id != who->person_id)
		return err_set(e, ERR_NOT_FOUND, NULL, "no such signing request");
	if (gate(s, who, ACT_AGREEMENT_SIGN, t.r.agreement_id, 1, now, &g, &p, a, e) != 0)
		return -1;
	*agreement_id = g.id;
	if (signer_ok(who, &p, now, e) != 0)
		return -1;
	int rc = store_person_get(s, who->person_id, &signer, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such person");
	struct buf url, sig;
	buf_init(&url, 4096);
	buf_init(&sig, SIG_MAX);
	buf_printf(&url, "%s/orders/%s/signature", config.service_url ? config.service_url : "", ref);
	long status = config.service_url ? http_call(buf_str(&url), NULL, 0, NULL, &sig, e)
					 : err_set(e, ERR_CONFLICT, NULL, "signing.refused.no-service");
	buf_cleanup(&url);
	if (status < 0) {
		buf_cleanup(&sig);
		return -1;
	}
	if (status == 409) {
		v->ok = 0;
		v->code = strstr(buf_str(&sig) ? buf_str(&sig) : "", "cancelled") ? "cancelled" : "unsigned";
		v->message = "the signing service has no signature";
	} else if (status != 200) {
		buf_cleanup(&sig);
		return err_set(e, ERR_IO, "signing", "the signing service answered HTTP %ld", status);
	} else if (signing_verify((const unsigned char *)sig.p, sig.len, g.pdf, g.pdf_len, config.ca_file, signer.nin,
				  now, v, a, e) != 0) {
		buf_cleanup(&sig);
		return -1;
	}
	const char *verification = NULL;
	if (v->ok) {
		json_t *j = json_pack("{s:s,s:s?,s:s?,s:s?,s:s?,s:s,s:s}", "result", "verified", "subject_serial",
				      v->subject_serial, "subject_name", v->subject_name, "issuer", v->issuer, "serial",
				      v->serial, "digest", "sha-256", "pdf_sha256", g.pdf_sha256);
		if (v->not_after)
			json_object_set_new(j, "not_after", json_string(v->not_after));
		char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		verification = arena_strdup(a, text ? text : "{}");
		free(text);
		json_decref(j);
	}
	struct outcome o = {ref, access_actor(who, actor, sizeof(actor)), verification,
			    who->grant == GRANT_GUARDIAN ? "guardian" : "self", g.id, who->person_id, now,
			    (const unsigned char *)sig.p, sig.len, v};
	rc = store_write(s, put_outcome, &o, e);
	buf_cleanup(&sig);
	if (rc != 0 && e->code == ERR_CONFLICT) /* signed meanwhile, in another visit */
		err_set(e, ERR_CONFLICT, NULL, "signing.refused.signed-already");
	if (rc == 0 && !v->ok)
		log_info("signing: a signature for agreement %lld refused: %s", (long long)g.id, v->code);
	return rc;
}

/* ---- paper ---- */

struct paper_act {
	int64_t id, at, staff;
	const char *actor;
	int received;
};

static int put_paper(struct store_tx *tx, void *arg, struct err *e)
{
	struct paper_act *pa = arg;
	char object[40];
	snprintf(object, sizeof(object), "agreement:%lld", (long long)pa->id);
	if (pa->received) {
		if (store_agreement_paper_received(tx, pa->id, pa->at, pa->staff, e) != 0)
			return -1;
		return audit_append(tx, pa->at, pa->actor, "agreement.paper-received", object, NULL, e);
	}
	if (store_agreement_to_paper(tx, pa->id, pa->at, e) != 0)
		return -1;
	return audit_append(tx, pa->at, pa->actor, "agreement.paper-chosen", object, NULL, e);
}

int signing_choose_paper(struct store *s, const struct principal *who, int64_t id, int64_t now, struct err *e)
{
	struct arena a;
	struct agreement g;
	struct person p;
	char actor[64];
	int rc = -1;
	arena_init(&a, 0);
	if (gate(s, who, ACT_AGREEMENT_SIGN, id, 0, now, &g, &p, &a, e) != 0 || signer_ok(who, &p, now, e) != 0)
		goto out;
	if (strcmp(g.state, "unsigned") != 0) {
		rc = err_set(e, ERR_CONFLICT, NULL, "signing.refused.not-unsigned");
		goto out;
	}
	if (p.confidential_address) {
		/* The print house never gets a confidential address. */
		rc = err_set(e, ERR_CONFLICT, NULL, "signing.refused.paper-confidential");
		goto out;
	}
	struct paper_act pa = {id, now, 0, access_actor(who, actor, sizeof(actor)), 0};
	rc = store_write(s, put_paper, &pa, e);
out:
	arena_cleanup(&a);
	return rc;
}

int signing_paper_received(struct store *s, const struct principal *who, int64_t id, int64_t now, struct err *e)
{
	struct arena a;
	struct agreement g;
	struct person p;
	char actor[64];
	arena_init(&a, 0);
	int rc = gate(s, who, ACT_AGREEMENT_PAPER_RECEIVED, id, 0, now, &g, &p, &a, e);
	if (rc == 0) {
		struct paper_act pa = {id, now, who->staff_id, access_actor(who, actor, sizeof(actor)), 1};
		rc = store_write(s, put_paper, &pa, e);
		if (rc != 0 && e->code == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, NULL, "signing.refused.not-on-paper");
	}
	arena_cleanup(&a);
	return rc;
}

json_t *signing_paper_queue(struct store *s, const struct principal *who, int64_t now, struct arena *a,
			    struct err *e)
{
	struct agreement *list;
	if (access_check(s, who, ACT_AGREEMENTS_PAPER_QUEUE, 0, NULL, "agreements", now, e) != 0)
		return NULL;
	int n = store_agreements_on_paper(s, &list, a, e);
	if (n < 0)
		return NULL;
	json_t *items = json_array();
	for (int i = 0; i < n; i++) {
		struct person p;
		char day[11];
		struct err pe;
		json_t *j = json_pack("{s:I,s:I,s:s,s:s,s:b}", "id", (json_int_t)list[i].id, "case_id",
				      (json_int_t)list[i].case_id, "school_year", list[i].school_year, "requested",
				      date_format(day_of(list[i].paper_requested_at), day), "sent", list[i].paper_batch != 0);
		if (store_person_get(s, list[i].person_id, &p, a, &pe) == 0)
			json_object_set_new(j, "name", json_string(name_of(&p, a)));
		json_array_append_new(items, j);
	}
	return json_pack("{s:o}", "agreements", items);
}

struct sent {
	int64_t id, batch, at;
};

static int put_sent(struct store_tx *tx, void *arg, struct err *e)
{
	struct sent *st = arg;
	char object[40], detail[40];
	if (store_agreement_paper_sent(tx, st->id, st->batch, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "agreement:%lld", (long long)st->id);
	snprintf(detail, sizeof(detail), "batch:%lld", (long long)st->batch);
	return audit_append(tx, st->at, "system", "agreement.paper-sent", object, detail, e);
}

int signing_paper_batch(struct store *s, const char *dir, int64_t now, struct err *e)
{
	struct arena a;
	struct agreement *due;
	int sent = 0;
	arena_init(&a, 0);
	int n = store_agreements_paper_due(s, 200, &due, &a, e);
	if (n < 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		/* Each agreement as its own file, written and synced before it
		 * counts as sent: a run killed midway sends the rest next time. */
		char path[4096], tmp[4200];
		snprintf(path, sizeof(path), "%s/agreement-%lld.pdf", dir, (long long)due[i].id);
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		FILE *f = fopen(tmp, "wb");
		if (f == NULL || fwrite(due[i].pdf, 1, due[i].pdf_len, f) != due[i].pdf_len || fflush(f) != 0 ||
		    fclose(f) != 0 || rename(tmp, path) != 0) {
			err_set(e, ERR_IO, "out", "cannot write %s", path);
			goto fail;
		}
		struct sent st = {due[i].id, now, now};
		if (store_write(s, put_sent, &st, e) != 0)
			goto fail;
		sent++;
	}
	arena_cleanup(&a);
	return sent;
fail:
	arena_cleanup(&a);
	return -1;
}
