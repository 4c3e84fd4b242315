/* giro.c - the simulated bank's giro service; see giro.h.
 *
 * A payment is checked as a payer's bank checks it (the KID's MOD10 check
 * digit, an amount above 0, a booking day that exists), given the bank's
 * own reference ("GIRO-<n>", which the agency uses to book a credit once),
 * and kept in a ring. The report is written from the ring every time it
 * is asked for: the agency reads it again and again and books only what is
 * new. The simulator logs no KID and no name. */
#include "sim/giro.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"

struct credit {
	int64_t id;
	char kid[26];
	int64_t amount;
	char booked[11];
	char *debtor;
};

static struct {
	pthread_mutex_t mu;
	struct credit *ring;
	int64_t next_id; /* from 1 */
} bank = {.mu = PTHREAD_MUTEX_INITIALIZER, .next_id = 1};

int giro_handles(const char *url)
{
	return strncmp(url, "/giro/v1/", 9) == 0;
}

/* MOD10 (Luhn): the last digit checks the others. */
static int kid_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 25 || strspn(s, "0123456789") != n)
		return 0;
	int sum = 0, dbl = 0;
	for (size_t i = n; i-- > 0;) {
		int v = s[i] - '0';
		if (dbl && (v *= 2) > 9)
			v -= 9;
		sum += v;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

static int invalid(struct buf *out, const char *field, const char *message)
{
	buf_puts(out, "{\"error\":\"invalid\",\"field\":");
	buf_put_json_string(out, field);
	buf_puts(out, ",\"message\":");
	buf_put_json_string(out, message);
	buf_puts(out, "}\n");
	return 422;
}

static int pay(const char *body, size_t len, struct buf *out)
{
	json_error_t je;
	json_t *j = json_loadb(body ? body : "", len, 0, &je);
	int status;
	if (!json_is_object(j)) {
		json_decref(j);
		return invalid(out, "body", "a JSON object");
	}
	const char *kid = json_string_value(json_object_get(j, "kid"));
	json_t *amt = json_object_get(j, "amount_ore");
	const char *booked = json_string_value(json_object_get(j, "booked"));
	const char *debtor = json_string_value(json_object_get(j, "debtor"));
	const char *account = json_string_value(json_object_get(j, "account"));
	date_t day;
	if (kid == NULL || !kid_ok(kid))
		status = invalid(out, "kid", "the KID's check digit is wrong");
	else if (!json_is_integer(amt) || json_integer_value(amt) <= 0 || json_integer_value(amt) > INT64_C(100000000000))
		status = invalid(out, "amount_ore", "an amount in øre above 0");
	else if (booked == NULL || date_parse(booked, &day) != 0)
		status = invalid(out, "booked", "a day as YYYY-MM-DD");
	else if (account != NULL && strcmp(account, GIRO_ACCOUNT) != 0)
		status = invalid(out, "account", "not an account of this bank's customer");
	else if (debtor != NULL && strlen(debtor) > 140)
		status = invalid(out, "debtor", "at most 140 characters");
	else {
		pthread_mutex_lock(&bank.mu);
		if (bank.ring == NULL)
			bank.ring = calloc(GIRO_KEEP, sizeof(*bank.ring));
		if (bank.ring == NULL) {
			pthread_mutex_unlock(&bank.mu);
			json_decref(j);
			return 500;
		}
		int64_t id = bank.next_id++;
		struct credit *c = &bank.ring[(id - 1) % GIRO_KEEP];
		free(c->debtor);
		c->id = id;
		snprintf(c->kid, sizeof(c->kid), "%s", kid);
		c->amount = json_integer_value(amt);
		snprintf(c->booked, sizeof(c->booked), "%s", booked);
		c->debtor = debtor ? strdup(debtor) : NULL;
		pthread_mutex_unlock(&bank.mu);
		buf_printf(out, "{\"id\":%lld,\"ref\":\"GIRO-%lld\"}\n", (long long)id, (long long)id);
		status = 201;
	}
	json_decref(j);
	return status;
}

static void put_xml_text(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		default: buf_putc(out, *s);
		}
	}
}

static int report(struct buf *out, const char *to)
{
	char now[21];
	int64_t t = date_now_unix();
	date_format_timestamp(t, now);
	buf_printf(out,
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\n"
		   "<BkToCstmrDbtCdtNtfctn>\n"
		   "<GrpHdr><MsgId>SIM-%lld</MsgId><CreDtTm>%s</CreDtTm></GrpHdr>\n"
		   "<Ntfctn><Id>SIM-%lld-1</Id><CreDtTm>%s</CreDtTm>\n"
		   "<Acct><Id><Othr><Id>%s</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id><Ccy>NOK</Ccy></Acct>\n",
		   (long long)t, now, (long long)t, now, GIRO_ACCOUNT);
	pthread_mutex_lock(&bank.mu);
	int64_t first = bank.next_id > GIRO_KEEP ? bank.next_id - GIRO_KEEP : 1;
	for (int64_t id = first; bank.ring && id < bank.next_id; id++) {
		const struct credit *c = &bank.ring[(id - 1) % GIRO_KEEP];
		/* An AvtaleGiro claim is paid on its due day: not reported
		 * before it (to: the report's last day, when asked). */
		if (to != NULL && strcmp(c->booked, to) > 0)
			continue;
		buf_printf(out,
			   "<Ntry><NtryRef>%lld</NtryRef><Amt Ccy=\"NOK\">%lld.%02lld</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			   "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>%s</Dt></BookgDt><ValDt><Dt>%s</Dt></ValDt>"
			   "<AcctSvcrRef>GIRO-%lld</AcctSvcrRef>"
			   "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>VCOM</SubFmlyCd></Fmly></Domn></BkTxCd>\n"
			   "<NtryDtls><TxDtls><Refs><AcctSvcrRef>GIRO-%lld</AcctSvcrRef></Refs>"
			   "<Amt Ccy=\"NOK\">%lld.%02lld</Amt><CdtDbtInd>CRDT</CdtDbtInd>",
			   (long long)c->id, (long long)(c->amount / 100), (long long)(c->amount % 100), c->booked,
			   c->booked, (long long)c->id, (long long)c->id, (long long)(c->amount / 100),
			   (long long)(c->amount % 100));
		if (c->debtor) {
			buf_puts(out, "<RltdPties><Dbtr><Pty><Nm>");
			put_xml_text(out, c->debtor);
			buf_puts(out, "</Nm></Pty></Dbtr></RltdPties>");
		}
		buf_printf(out,
			   "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>%s</Ref>"
			   "</CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>\n",
			   c->kid);
	}
	pthread_mutex_unlock(&bank.mu);
	buf_puts(out, "</Ntfctn>\n</BkToCstmrDbtCdtNtfctn>\n</Document>\n");
	return 200;
}

/* ---- eFaktura and AvtaleGiro (#11) ----
 *
 * The payer sets up an agreement with the payee's KID in their own online
 * bank; the bank tells the payee (the agency) of its agreements. An
 * eFaktura is an invoice the bank shows the payer; an AvtaleGiro claim is
 * paid by the bank on its due day, as a credit with the claim's KID. A
 * claim or eFaktura is taken once by its ref (a second is answered 200
 * with the first's id). */

#define GIRO_AGREEMENTS 10000
#define GIRO_DOCS 100000

struct agreement {
	char kid[26];
	int avtalegiro; /* 0: eFaktura */
};

struct doc {
	int64_t id;
	char kid[26], ref[64], due[11];
	int64_t amount;
	int avtalegiro;
};

static struct {
	pthread_mutex_t mu;
	struct agreement *agreements;
	int n_agreements;
	struct doc *docs;
	int n_docs;
} sub = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int agreement_post(const char *body, size_t len, struct buf *out)
{
	json_t *j = json_loadb(body ? body : "", len, 0, NULL);
	const char *kid = json_string_value(json_object_get(j, "kid"));
	const char *kind = json_string_value(json_object_get(j, "kind"));
	int status;
	if (!json_is_object(j))
		status = invalid(out, "body", "a JSON object");
	else if (kid == NULL || !kid_ok(kid))
		status = invalid(out, "kid", "the KID's check digit is wrong");
	else if (kind == NULL || (strcmp(kind, "efaktura") != 0 && strcmp(kind, "avtalegiro") != 0))
		status = invalid(out, "kind", "efaktura or avtalegiro");
	else {
		pthread_mutex_lock(&sub.mu);
		if (sub.agreements == NULL)
			sub.agreements = calloc(GIRO_AGREEMENTS, sizeof(*sub.agreements));
		int i = 0;
		while (i < sub.n_agreements && strcmp(sub.agreements[i].kid, kid) != 0)
			i++;
		if (sub.agreements == NULL || (i == sub.n_agreements && i == GIRO_AGREEMENTS)) {
			pthread_mutex_unlock(&sub.mu);
			json_decref(j);
			return 500;
		}
		if (i == sub.n_agreements)
			sub.n_agreements++;
		/* One agreement a KID: a new one replaces the old. */
		snprintf(sub.agreements[i].kid, sizeof(sub.agreements[i].kid), "%s", kid);
		sub.agreements[i].avtalegiro = strcmp(kind, "avtalegiro") == 0;
		pthread_mutex_unlock(&sub.mu);
		buf_puts(out, "{\"kid\":");
		buf_put_json_string(out, kid);
		buf_puts(out, ",\"kind\":");
		buf_put_json_string(out, kind);
		buf_puts(out, "}\n");
		status = 201;
	}
	json_decref(j);
	return status;
}

static int agreements_list(struct buf *out)
{
	pthread_mutex_lock(&sub.mu);
	buf_puts(out, "{\"agreements\":[");
	for (int i = 0; i < sub.n_agreements; i++)
		buf_printf(out, "%s{\"kid\":\"%s\",\"kind\":\"%s\"}", i ? "," : "", sub.agreements[i].kid,
			   sub.agreements[i].avtalegiro ? "avtalegiro" : "efaktura");
	buf_puts(out, "]}\n");
	pthread_mutex_unlock(&sub.mu);
	return 200;
}

/* 1 when kid has an agreement of the kind, 0 when not (the lock held). */
static int has_agreement(const char *kid, int avtalegiro)
{
	for (int i = 0; i < sub.n_agreements; i++)
		if (strcmp(sub.agreements[i].kid, kid) == 0)
			return sub.agreements[i].avtalegiro == avtalegiro;
	return 0;
}

static int doc_post(const char *body, size_t len, int avtalegiro, struct buf *out)
{
	json_t *j = json_loadb(body ? body : "", len, 0, NULL);
	const char *kid = json_string_value(json_object_get(j, "kid"));
	const char *ref = json_string_value(json_object_get(j, "ref"));
	const char *due = json_string_value(json_object_get(j, "due"));
	json_t *amt = json_object_get(j, "amount_ore");
	date_t day;
	int status;
	if (!json_is_object(j))
		status = invalid(out, "body", "a JSON object");
	else if (kid == NULL || !kid_ok(kid))
		status = invalid(out, "kid", "the KID's check digit is wrong");
	else if (ref == NULL || ref[0] == '\0' || strlen(ref) > 63)
		status = invalid(out, "ref", "the payee's reference, 1 to 63 characters");
	else if (due == NULL || date_parse(due, &day) != 0)
		status = invalid(out, "due", "a day as YYYY-MM-DD");
	else if (!json_is_integer(amt) || json_integer_value(amt) <= 0 || json_integer_value(amt) > INT64_C(100000000000))
		status = invalid(out, "amount_ore", "an amount in øre above 0");
	else {
		pthread_mutex_lock(&sub.mu);
		int i = 0;
		while (i < sub.n_docs && strcmp(sub.docs[i].ref, ref) != 0)
			i++;
		if (i < sub.n_docs) {
			buf_printf(out, "{\"id\":%lld}\n", (long long)sub.docs[i].id);
			pthread_mutex_unlock(&sub.mu);
			json_decref(j);
			return 200;
		}
		if (!has_agreement(kid, avtalegiro)) {
			pthread_mutex_unlock(&sub.mu);
			json_decref(j);
			return invalid(out, "kid", avtalegiro ? "no AvtaleGiro agreement" : "no eFaktura agreement");
		}
		if (sub.docs == NULL)
			sub.docs = calloc(GIRO_DOCS, sizeof(*sub.docs));
		if (sub.docs == NULL || sub.n_docs == GIRO_DOCS) {
			pthread_mutex_unlock(&sub.mu);
			json_decref(j);
			return 500;
		}
		struct doc *d = &sub.docs[sub.n_docs];
		d->id = ++sub.n_docs;
		snprintf(d->kid, sizeof(d->kid), "%s", kid);
		snprintf(d->ref, sizeof(d->ref), "%s", ref);
		snprintf(d->due, sizeof(d->due), "%s", due);
		d->amount = json_integer_value(amt);
		d->avtalegiro = avtalegiro;
		int64_t id = d->id;
		pthread_mutex_unlock(&sub.mu);
		if (avtalegiro) {
			/* The bank pays the claim on its due day. */
			char pay_body[160];
			struct buf ignored;
			buf_init(&ignored, 4096);
			int n = snprintf(pay_body, sizeof(pay_body),
					 "{\"kid\":\"%s\",\"amount_ore\":%lld,\"booked\":\"%s\",\"debtor\":\"AvtaleGiro\"}", kid,
					 (long long)json_integer_value(amt), due);
			int paid = pay(pay_body, (size_t)n, &ignored);
			buf_cleanup(&ignored);
			if (paid != 201) {
				json_decref(j);
				return 500;
			}
		}
		buf_printf(out, "{\"id\":%lld}\n", (long long)id);
		status = 201;
	}
	json_decref(j);
	return status;
}

/* The eFaktura invoices the bank holds for a KID (the payer's view). */
static int efaktura_list(const char *kid, struct buf *out)
{
	pthread_mutex_lock(&sub.mu);
	buf_puts(out, "{\"invoices\":[");
	int n = 0;
	for (int i = 0; i < sub.n_docs; i++) {
		const struct doc *d = &sub.docs[i];
		if (d->avtalegiro || (kid && strcmp(d->kid, kid) != 0))
			continue;
		buf_printf(out, "%s{\"id\":%lld,\"kid\":\"%s\",\"ref\":", n++ ? "," : "", (long long)d->id, d->kid);
		buf_put_json_string(out, d->ref);
		buf_printf(out, ",\"due\":\"%s\",\"amount_ore\":%lld}", d->due, (long long)d->amount);
	}
	buf_puts(out, "]}\n");
	pthread_mutex_unlock(&sub.mu);
	return 200;
}

int giro_answer2(const char *method, const char *url, const char *query_kid, const char *query_to, const char *body,
		 size_t len, struct buf *out, int *xml)
{
	*xml = 0;
	int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	if (strcmp(url, "/giro/v1/agreements") == 0 && (get || post))
		return post ? agreement_post(body, len, out) : agreements_list(out);
	if (strcmp(url, "/giro/v1/efaktura") == 0 && (get || post))
		return post ? doc_post(body, len, 0, out) : efaktura_list(query_kid, out);
	if (strcmp(url, "/giro/v1/avtalegiro/claims") == 0 && post)
		return doc_post(body, len, 1, out);
	if (strcmp(url, "/giro/v1/reports/camt054") == 0 && get) {
		date_t d;
		if (query_to != NULL && date_parse(query_to, &d) != 0)
			return invalid(out, "to", "a day as YYYY-MM-DD");
		*xml = 1;
		return report(out, query_to);
	}
	return giro_answer(method, url, body, len, out, xml);
}

int giro_answer(const char *method, const char *url, const char *body, size_t len, struct buf *out, int *xml)
{
	*xml = 0;
	if (strcmp(url, "/giro/v1/payments") == 0) {
		if (strcmp(method, "POST") != 0) {
			buf_puts(out, "{\"error\":\"method-not-allowed\"}\n");
			return 405;
		}
		return pay(body, len, out);
	}
	if (strcmp(url, "/giro/v1/reports/camt054") == 0) {
		if (strcmp(method, "GET") != 0) {
			buf_puts(out, "{\"error\":\"method-not-allowed\"}\n");
			return 405;
		}
		*xml = 1;
		return report(out, NULL);
	}
	buf_puts(out, "{\"error\":\"not-found\",\"url\":");
	buf_put_json_string(out, url);
	buf_puts(out, ",\"method\":");
	buf_put_json_string(out, method);
	buf_puts(out, "}\n");
	return 404;
}
