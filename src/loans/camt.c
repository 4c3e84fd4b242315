/* camt.c - the bank's camt.054 report (ISO 20022 "BankToCustomerDebitCredit
 * Notification") read into the credits to book, and its fetching from the
 * bank over HTTP.
 *
 * Only what booking needs is read: each booked credit entry (CdtDbtInd
 * CRDT, status BOOK) and its transactions, each with the bank's own
 * reference (so a report read twice books once), the structured creditor
 * reference (the KID), the amount in NOK and the debtor's name. Elements
 * are matched by local name, so any version of the schema (001.02 ..
 * 001.08) reads alike. The parser never fetches anything the document
 * names (no network, no entities). */
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "loans/account.h"

static xmlNode *child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* The element at the path of local names below n ("BookgDt/Dt"). */
static xmlNode *path(const xmlNode *n, const char *p)
{
	char part[32];
	const xmlNode *at = n;
	while (at && *p) {
		size_t k = strcspn(p, "/");
		if (k >= sizeof(part))
			return NULL;
		memcpy(part, p, k);
		part[k] = '\0';
		at = child(at, part);
		p += k + (p[k] == '/');
	}
	return (xmlNode *)at;
}

static const char *text_at(const xmlNode *n, const char *p, struct arena *a)
{
	xmlNode *x = path(n, p);
	if (x == NULL)
		return NULL;
	xmlChar *t = xmlNodeGetContent(x);
	if (t == NULL)
		return NULL;
	/* Trim the spaces a pretty-printed report has around a value. */
	const char *s = (const char *)t;
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	size_t len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	char *out = arena_strndup(a, s, len);
	xmlFree(t);
	return out;
}

/* "1234", "1234.5" or "1234.50" in NOK into øre; -1 for anything else. */
static int parse_amount(const char *s, int64_t *ore)
{
	int64_t kr = 0;
	int digits = 0, dec = 0, frac = 0;
	if (s == NULL)
		return -1;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (kr > INT64_C(100000000000))
			return -1;
		kr = kr * 10 + (*s - '0');
	}
	if (digits == 0)
		return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, dec++)
			if (dec < 2)
				frac = frac * 10 + (*s - '0');
			else if (*s != '0')
				return -1; /* no fractions of an øre */
		if (dec == 0)
			return -1;
		if (dec == 1)
			frac *= 10;
	}
	if (*s != '\0')
		return -1;
	*ore = kr * 100 + frac;
	return 0;
}

static int add_credit(const xmlNode *ntry, const xmlNode *tx, int index, const char *booked, struct loan_payment **out,
		      int *n, int *cap, struct arena *a, struct err *e)
{
	const xmlNode *src = tx ? tx : ntry;
	const char *amt = text_at(src, "Amt", a);
	if (amt == NULL && tx)
		amt = text_at(ntry, "Amt", a);
	xmlNode *amt_node = path(src, "Amt") ? path(src, "Amt") : path(ntry, "Amt");
	xmlChar *ccy = amt_node ? xmlGetProp(amt_node, (const xmlChar *)"Ccy") : NULL;
	int nok = ccy == NULL || strcmp((const char *)ccy, "NOK") == 0;
	if (ccy)
		xmlFree(ccy);
	int64_t ore;
	if (!nok)
		return err_set(e, ERR_INVALID, "Amt", "only credits in NOK are booked");
	if (parse_amount(amt, &ore) != 0 || ore <= 0)
		return err_set(e, ERR_INVALID, "Amt", "the amount \"%s\" is not an amount in NOK", amt ? amt : "");
	const char *ref = tx ? text_at(tx, "Refs/AcctSvcrRef", a) : NULL;
	if (ref == NULL) {
		const char *base = text_at(ntry, "AcctSvcrRef", a);
		if (base == NULL)
			base = text_at(ntry, "NtryRef", a);
		if (base == NULL)
			return err_set(e, ERR_INVALID, "AcctSvcrRef", "a credit without the bank's reference");
		ref = arena_printf(a, "%s/%d", base, index);
	}
	date_t day;
	if (booked == NULL || strlen(booked) < 10 || date_parse(arena_strndup(a, booked, 10), &day) != 0)
		return err_set(e, ERR_INVALID, "BookgDt", "a credit without its booking day");
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 16;
		struct loan_payment *g = arena_zalloc(a, sizeof(*g) * (size_t)ncap);
		if (*n)
			memcpy(g, *out, sizeof(*g) * (size_t)*n);
		*out = g;
		*cap = ncap;
	}
	struct loan_payment *p = &(*out)[(*n)++];
	memset(p, 0, sizeof(*p));
	p->bank_ref = ref;
	p->kid = tx ? text_at(tx, "RmtInf/Strd/CdtrRefInf/Ref", a) : NULL;
	p->amount = ore;
	p->booked = day;
	p->debtor = tx ? text_at(tx, "RltdPties/Dbtr/Nm", a) : NULL;
	if (p->debtor == NULL && tx)
		p->debtor = text_at(tx, "RltdPties/Dbtr/Pty/Nm", a);
	return 0;
}

/* libxml2 reports some errors (a broken encoding) whatever the options say;
 * a report that does not parse is answered with the error, not on stderr. */
static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int loans_camt054_parse(const char *xml, size_t len, struct loan_payment **out, struct arena *a, struct err *e)
{
	int n = 0, cap = 0, rc = -1;
	*out = NULL;
	if (len > INT32_MAX)
		return err_set(e, ERR_INVALID, "camt054", "the report is too large");
	/* The handler is the calling thread's (libxml2 keeps it per thread). */
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "camt054.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
								     XML_PARSE_NOWARNING);
	if (doc == NULL)
		return err_set(e, ERR_INVALID, "camt054", "the report is not well-formed XML");
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *body = root ? child(root, "BkToCstmrDbtCdtNtfctn") : NULL;
	if (body == NULL) {
		err_set(e, ERR_INVALID, "camt054", "not a camt.054 report (no BkToCstmrDbtCdtNtfctn)");
		goto out;
	}
	for (xmlNode *nt = body->children; nt; nt = nt->next) {
		if (nt->type != XML_ELEMENT_NODE || strcmp((const char *)nt->name, "Ntfctn") != 0)
			continue;
		for (xmlNode *en = nt->children; en; en = en->next) {
			if (en->type != XML_ELEMENT_NODE || strcmp((const char *)en->name, "Ntry") != 0)
				continue;
			const char *ind = text_at(en, "CdtDbtInd", a);
			const char *sts = text_at(en, "Sts/Cd", a);
			if (sts == NULL)
				sts = text_at(en, "Sts", a);
			if (ind == NULL || strcmp(ind, "CRDT") != 0 || sts == NULL || strcmp(sts, "BOOK") != 0)
				continue;
			const char *booked = text_at(en, "BookgDt/Dt", a);
			if (booked == NULL)
				booked = text_at(en, "BookgDt/DtTm", a);
			int index = 0;
			for (xmlNode *dt = en->children; dt; dt = dt->next) {
				if (dt->type != XML_ELEMENT_NODE || strcmp((const char *)dt->name, "NtryDtls") != 0)
					continue;
				for (xmlNode *tx = dt->children; tx; tx = tx->next)
					if (tx->type == XML_ELEMENT_NODE && strcmp((const char *)tx->name, "TxDtls") == 0)
						if (add_credit(en, tx, index++, booked, out, &n, &cap, a, e) != 0)
							goto out;
			}
			if (index == 0 && add_credit(en, NULL, 0, booked, out, &n, &cap, a, e) != 0)
				goto out;
		}
	}
	rc = n;
out:
	xmlFreeDoc(doc);
	return rc;
}

/* ---- fetching ---- */

struct sink {
	char *data;
	size_t len, cap;
	struct arena *a;
	int too_big;
};

#define REPORT_MAX (16u << 20)

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t k = size * nmemb;
	if (s->len + k + 1 > REPORT_MAX) {
		s->too_big = 1;
		return 0;
	}
	if (s->len + k + 1 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 65536;
		while (cap < s->len + k + 1)
			cap *= 2;
		char *g = arena_alloc(s->a, cap);
		if (s->len)
			memcpy(g, s->data, s->len);
		s->data = g;
		s->cap = cap;
	}
	memcpy(s->data + s->len, ptr, k);
	s->len += k;
	s->data[s->len] = '\0';
	return k;
}

int loans_bank_call(const char *base_url, const char *path, const char *json_body, long *status, char **body,
		    size_t *len, struct arena *a, struct err *e)
{
	struct sink s = {NULL, 0, 0, a, 0};
	char url[1024];
	snprintf(url, sizeof(url), "%s%s", base_url, path);
	CURL *c = curl_easy_init();
	if (c == NULL)
		return err_set(e, ERR_IO, "bank", "cannot start an HTTP client");
	struct curl_slist *h = NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (json_body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
	}
	CURLcode rc = curl_easy_perform(c);
	*status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (rc != CURLE_OK)
		return err_set(e, ERR_IO, "bank", "the bank did not answer: %s",
			       s.too_big ? "the answer is too large" : curl_easy_strerror(rc));
	*body = s.data ? s.data : arena_strdup(a, "");
	*len = s.len;
	return 0;
}

int loans_bank_fetch_to(const char *base_url, date_t to, char **xml, size_t *len, struct arena *a, struct err *e)
{
	char path[96], day[11];
	long status;
	snprintf(path, sizeof(path), "/giro/v1/reports/camt054?account=%s&to=%s", "76940520300", date_format(to, day));
	if (loans_bank_call(base_url, path, NULL, &status, xml, len, a, e) != 0)
		return -1;
	if (status != 200)
		return err_set(e, ERR_IO, "bank", "the bank answered %ld", status);
	return 0;
}

int loans_bank_fetch(const char *base_url, char **xml, size_t *len, struct arena *a, struct err *e)
{
	struct sink s = {NULL, 0, 0, a, 0};
	char url[512];
	snprintf(url, sizeof(url), "%s/giro/v1/reports/camt054?account=%s", base_url, "76940520300");
	CURL *c = curl_easy_init();
	if (c == NULL)
		return err_set(e, ERR_IO, "bank", "cannot start an HTTP client");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return err_set(e, ERR_IO, "bank", "the bank did not answer: %s",
			       s.too_big ? "the report is too large" : curl_easy_strerror(rc));
	if (status != 200)
		return err_set(e, ERR_IO, "bank", "the bank answered %ld", status);
	*xml = s.data ? s.data : arena_strdup(a, "");
	*len = s.len;
	return 0;
}
