/* bank.c - the simulated bank (see bank.h): a pain.001 file read as a
 * stream (libxml2's reader, so a file of half a million transfers is never
 * a tree in memory), each transfer checked against the account register,
 * answered in a pain.002, and booked for the camt.054 notifications two or
 * three banking days after the requested execution date (Norwegian public
 * holidays and weekends are no banking days: core/holidays.h), as a
 * transfer between banks takes; a notification for a day reports what was
 * booked up to it, each entry with its booking day. */
#include "sim/bank.h"

#include <libxml/xmlreader.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/holidays.h"
#include "sim/accounts.h"

#define NS_PAIN001 "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"

struct booking {
	char end_to_end[36];
	char amount[24];
	date_t day;
};

struct taken {
	char msg_id[36];
	char *answer; /* the pain.002 given */
	size_t len;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct booking *bookings;
static size_t n_bookings, cap_bookings;
static struct taken *takens;
static size_t n_takens, cap_takens;

int bank_handles(const char *url)
{
	return strncmp(url, "/bank/", 6) == 0;
}

static int book(const char *e2e, const char *amount, date_t day)
{
	if (n_bookings == cap_bookings) {
		size_t cap = cap_bookings ? cap_bookings * 2 : 1024;
		struct booking *b = realloc(bookings, cap * sizeof(*b));
		if (b == NULL)
			return -1;
		bookings = b;
		cap_bookings = cap;
	}
	struct booking *b = &bookings[n_bookings++];
	snprintf(b->end_to_end, sizeof(b->end_to_end), "%s", e2e);
	snprintf(b->amount, sizeof(b->amount), "%s", amount);
	b->day = day;
	return 0;
}

/* The day a transfer executed on exec reaches the payee's account: two
 * banking days later, or three for about half of them (chosen by the
 * transfer's reference, so that the same file is booked the same way). */
static date_t booking_day(date_t exec, const char *e2e)
{
	unsigned h = 2166136261u;
	for (const char *p = e2e; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	int left = 2 + (int)(h >> 7 & 1);
	date_t d = exec;
	while (left > 0) {
		d++;
		if (holiday_is_banking_day(d))
			left--;
	}
	return d;
}

static void put_ts(struct buf *out, int64_t now)
{
	char ts[21];
	date_format_timestamp(now, ts);
	ts[19] = '\0';
	buf_puts(out, ts);
}

/* One transfer as read from the file. */
struct tx {
	char e2e[36], amount[24], account[36];
};

static int bad_request(struct buf *out, const char *what)
{
	buf_reset(out);
	buf_printf(out, "{\"error\":\"invalid\",\"message\":\"%s\"}\n", what);
	return 400;
}

static int payments(const char *body, size_t len, struct buf *out, int64_t persons, uint64_t seed, int64_t now)
{
	xmlTextReaderPtr r = xmlReaderForMemory(body, (int)len, NULL, NULL, XML_PARSE_NONET);
	if (r == NULL)
		return bad_request(out, "not XML");
	char msg_id[36] = "", exec[16] = "", cur[32] = "", path_last[32] = "";
	int in_tx = 0, in_cdtr_acct = 0, in_grp = 0, ns_ok = 0, ret, n = 0, rejected = 0;
	struct tx t;
	struct buf txs;
	buf_init(&txs, BANK_MAX_BODY);
	pthread_mutex_lock(&mu);
	date_t day = 0;
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		const char *name = (const char *)xmlTextReaderConstLocalName(r);
		if (type == XML_READER_TYPE_ELEMENT) {
			if (strcmp(name, "Document") == 0) {
				const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r);
				ns_ok = ns && strcmp(ns, NS_PAIN001) == 0;
			} else if (strcmp(name, "GrpHdr") == 0) {
				in_grp = 1;
			} else if (strcmp(name, "CdtTrfTxInf") == 0) {
				in_tx = 1;
				memset(&t, 0, sizeof(t));
			} else if (strcmp(name, "CdtrAcct") == 0) {
				in_cdtr_acct = 1;
			}
			snprintf(path_last, sizeof(path_last), "%s", cur);
			snprintf(cur, sizeof(cur), "%s", name);
		} else if (type == XML_READER_TYPE_TEXT) {
			const char *v = (const char *)xmlTextReaderConstValue(r);
			if (in_grp && strcmp(cur, "MsgId") == 0) {
				snprintf(msg_id, sizeof(msg_id), "%s", v);
				/* A file taken before is answered as then. */
				for (size_t i = 0; i < n_takens; i++)
					if (strcmp(takens[i].msg_id, msg_id) == 0) {
						buf_append(out, takens[i].answer, takens[i].len);
						pthread_mutex_unlock(&mu);
						xmlFreeTextReader(r);
						buf_cleanup(&txs);
						return 200;
					}
			} else if (strcmp(cur, "ReqdExctnDt") == 0) {
				snprintf(exec, sizeof(exec), "%s", v);
			} else if (in_tx && strcmp(cur, "EndToEndId") == 0) {
				snprintf(t.e2e, sizeof(t.e2e), "%s", v);
			} else if (in_tx && strcmp(cur, "InstdAmt") == 0) {
				snprintf(t.amount, sizeof(t.amount), "%s", v);
			} else if (in_tx && in_cdtr_acct && strcmp(cur, "Id") == 0 && strcmp(path_last, "Othr") == 0) {
				snprintf(t.account, sizeof(t.account), "%s", v);
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (strcmp(name, "GrpHdr") == 0) {
				in_grp = 0;
			} else if (strcmp(name, "CdtrAcct") == 0) {
				in_cdtr_acct = 0;
			} else if (strcmp(name, "CdtTrfTxInf") == 0) {
				in_tx = 0;
				if (date_parse(exec, &day) != 0 || !t.e2e[0] || !t.amount[0]) {
					ret = -1;
					break;
				}
				const char *state = simacc_state(t.account, persons, seed);
				buf_printf(&txs, "<TxInfAndSts><OrgnlEndToEndId>%s</OrgnlEndToEndId>", t.e2e);
				if (state && strcmp(state, "open") == 0) {
					buf_puts(&txs, "<TxSts>ACCP</TxSts></TxInfAndSts>");
					book(t.e2e, t.amount, booking_day(day, t.e2e));
				} else {
					rejected++;
					buf_printf(&txs, "<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>%s</Cd></Rsn></StsRsnInf>"
							 "</TxInfAndSts>", state ? "AC04" : "AC01");
				}
				n++;
			}
			cur[0] = '\0';
		}
	}
	xmlFreeTextReader(r);
	if (ret != 0 || !ns_ok || !msg_id[0]) {
		pthread_mutex_unlock(&mu);
		buf_cleanup(&txs);
		return bad_request(out, "not a pain.001.001.03 credit transfer");
	}
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\"><CstmrPmtStsRpt><GrpHdr><MsgId>");
	buf_printf(out, "STS-%s</MsgId><CreDtTm>", msg_id);
	put_ts(out, now);
	buf_printf(out, "</CreDtTm></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId>"
			"<OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId><GrpSts>%s</GrpSts></OrgnlGrpInfAndSts>"
			"<OrgnlPmtInfAndSts><OrgnlPmtInfId>%s</OrgnlPmtInfId>",
		   msg_id, rejected == 0 ? "ACCP" : rejected == n ? "RJCT" : "PART", msg_id);
	buf_append(out, txs.p ? txs.p : "", txs.len);
	buf_puts(out, "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n");
	buf_cleanup(&txs);
	if (n_takens == cap_takens) {
		size_t cap = cap_takens ? cap_takens * 2 : 64;
		struct taken *tk = realloc(takens, cap * sizeof(*tk));
		if (tk) {
			takens = tk;
			cap_takens = cap;
		}
	}
	if (n_takens < cap_takens) {
		struct taken *tk = &takens[n_takens];
		tk->answer = malloc(out->len);
		if (tk->answer) {
			memcpy(tk->answer, out->p, out->len);
			tk->len = out->len;
			snprintf(tk->msg_id, sizeof(tk->msg_id), "%s", msg_id);
			n_takens++;
		}
	}
	pthread_mutex_unlock(&mu);
	return 200;
}

static int notifications(const char *date, struct buf *out, int64_t now)
{
	date_t until;
	if (date == NULL || date_parse(date, &until) != 0)
		return bad_request(out, "date must be YYYY-MM-DD");
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\"><BkToCstmrDbtCdtNtfctn>"
		      "<GrpHdr><MsgId>NTF-");
	buf_printf(out, "%s</MsgId><CreDtTm>", date);
	put_ts(out, now);
	buf_printf(out, "</CreDtTm></GrpHdr><Ntfctn><Id>NTF-%s</Id><CreDtTm>", date);
	put_ts(out, now);
	buf_puts(out, "</CreDtTm><Acct><Id><Othr><Id>76940512057</Id></Othr></Id></Acct>");
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < n_bookings; i++) {
		const struct booking *b = &bookings[i];
		if (b->day > until)
			continue;
		char day[11];
		date_format(b->day, day);
		buf_printf(out, "<Ntry><Amt Ccy=\"NOK\">%s</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>"
				"<BookgDt><Dt>%s</Dt></BookgDt><ValDt><Dt>%s</Dt></ValDt><BkTxCd><Domn><Cd>PMNT</Cd>"
				"<Fmly><Cd>ICDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls>"
				"<Refs><EndToEndId>%s</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>",
			   b->amount, day, day, b->end_to_end);
	}
	pthread_mutex_unlock(&mu);
	buf_puts(out, "</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n");
	return 200;
}

int bank_answer(const char *method, const char *url, const char *date, const char *body, size_t len,
		struct buf *out, int64_t persons, uint64_t seed, int64_t now)
{
	if (strcmp(url, "/bank/v1/payments") == 0)
		return strcmp(method, "POST") == 0 ? payments(body, len, out, persons, seed, now) : 405;
	if (strcmp(url, "/bank/v1/notifications") == 0)
		return strcmp(method, "GET") == 0 ? notifications(date, out, now) : 405;
	buf_puts(out, "{\"error\":\"not-found\"}\n");
	return 404;
}
