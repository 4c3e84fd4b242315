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

static int report(struct buf *out)
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
		return report(out);
	}
	buf_puts(out, "{\"error\":\"not-found\",\"url\":");
	buf_put_json_string(out, url);
	buf_puts(out, ",\"method\":");
	buf_put_json_string(out, method);
	buf_puts(out, "}\n");
	return 404;
}
