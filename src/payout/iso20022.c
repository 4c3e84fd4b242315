/* iso20022.c - the payment file the agency sends its bank (ISO 20022
 * pain.001.001.03, customer credit transfer initiation) and the bank's
 * answers it reads (pain.002.001.03 status reports, camt.054.001.02 debit
 * and credit notifications), with libxml2.
 *
 * The file is written as a stream (xmlTextWriter over our own output
 * callbacks) so that half a million transfers never sit in memory; the
 * callbacks write to the file descriptor and feed a SHA-256 of the bytes,
 * so the digest recorded with the run is of exactly what is on disk. The
 * schema the file is validated against (pain001_xsd below) is the part of
 * pain.001.001.03 this agency uses, written from the message definition:
 * the elements in the standard's order with their cardinalities and
 * types (Max35Text, ISODate, amounts of at most 5 fraction digits, NOK),
 * so a file that passes it passes the bank's full schema's rules for
 * those elements. Validation streams too (xmlSchemaValidateFile: SAX). */
#include <errno.h>
#include <fcntl.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "payout/internal.h"
#include "payout/payout.h"

#define NS_PAIN001 "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"

static const char pain001_xsd[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns=\"" NS_PAIN001 "\" targetNamespace=\"" NS_PAIN001
    "\" elementFormDefault=\"qualified\">\n"
    "<xs:element name=\"Document\" type=\"Document\"/>\n"
    "<xs:complexType name=\"Document\"><xs:sequence>"
    "<xs:element name=\"CstmrCdtTrfInitn\" type=\"CustomerCreditTransferInitiationV03\"/></xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"CustomerCreditTransferInitiationV03\"><xs:sequence>"
    "<xs:element name=\"GrpHdr\" type=\"GroupHeader32\"/>"
    "<xs:element name=\"PmtInf\" type=\"PaymentInstructionInformation3\" maxOccurs=\"unbounded\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"GroupHeader32\"><xs:sequence>"
    "<xs:element name=\"MsgId\" type=\"Max35Text\"/>"
    "<xs:element name=\"CreDtTm\" type=\"ISODateTime\"/>"
    "<xs:element name=\"NbOfTxs\" type=\"Max15NumericText\"/>"
    "<xs:element name=\"CtrlSum\" type=\"DecimalNumber\" minOccurs=\"0\"/>"
    "<xs:element name=\"InitgPty\" type=\"PartyIdentification32\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"PartyIdentification32\"><xs:sequence>"
    "<xs:element name=\"Nm\" type=\"Max140Text\" minOccurs=\"0\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"PaymentInstructionInformation3\"><xs:sequence>"
    "<xs:element name=\"PmtInfId\" type=\"Max35Text\"/>"
    "<xs:element name=\"PmtMtd\" type=\"PaymentMethod3Code\"/>"
    "<xs:element name=\"BtchBookg\" type=\"xs:boolean\" minOccurs=\"0\"/>"
    "<xs:element name=\"NbOfTxs\" type=\"Max15NumericText\" minOccurs=\"0\"/>"
    "<xs:element name=\"CtrlSum\" type=\"DecimalNumber\" minOccurs=\"0\"/>"
    "<xs:element name=\"PmtTpInf\" type=\"PaymentTypeInformation19\" minOccurs=\"0\"/>"
    "<xs:element name=\"ReqdExctnDt\" type=\"ISODate\"/>"
    "<xs:element name=\"Dbtr\" type=\"PartyIdentification32\"/>"
    "<xs:element name=\"DbtrAcct\" type=\"CashAccount16\"/>"
    "<xs:element name=\"DbtrAgt\" type=\"BranchAndFinancialInstitutionIdentification4\"/>"
    "<xs:element name=\"ChrgBr\" type=\"ChargeBearerType1Code\" minOccurs=\"0\"/>"
    "<xs:element name=\"CdtTrfTxInf\" type=\"CreditTransferTransactionInformation10\" maxOccurs=\"unbounded\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"PaymentTypeInformation19\"><xs:sequence>"
    "<xs:element name=\"InstrPrty\" type=\"Priority2Code\" minOccurs=\"0\"/>"
    "<xs:element name=\"SvcLvl\" type=\"ServiceLevel8Choice\" minOccurs=\"0\"/>"
    "<xs:element name=\"CtgyPurp\" type=\"CategoryPurpose1Choice\" minOccurs=\"0\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"ServiceLevel8Choice\"><xs:choice>"
    "<xs:element name=\"Cd\" type=\"Max4Text\"/><xs:element name=\"Prtry\" type=\"Max35Text\"/>"
    "</xs:choice></xs:complexType>\n"
    "<xs:complexType name=\"CategoryPurpose1Choice\"><xs:choice>"
    "<xs:element name=\"Cd\" type=\"Max4Text\"/><xs:element name=\"Prtry\" type=\"Max35Text\"/>"
    "</xs:choice></xs:complexType>\n"
    "<xs:complexType name=\"CashAccount16\"><xs:sequence>"
    "<xs:element name=\"Id\" type=\"AccountIdentification4Choice\"/>"
    "<xs:element name=\"Ccy\" type=\"ActiveOrHistoricCurrencyCode\" minOccurs=\"0\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"AccountIdentification4Choice\"><xs:choice>"
    "<xs:element name=\"IBAN\" type=\"IBAN2007Identifier\"/>"
    "<xs:element name=\"Othr\" type=\"GenericAccountIdentification1\"/>"
    "</xs:choice></xs:complexType>\n"
    "<xs:complexType name=\"GenericAccountIdentification1\"><xs:sequence>"
    "<xs:element name=\"Id\" type=\"Max34Text\"/>"
    "<xs:element name=\"SchmeNm\" type=\"AccountSchemeName1Choice\" minOccurs=\"0\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"AccountSchemeName1Choice\"><xs:choice>"
    "<xs:element name=\"Cd\" type=\"Max4Text\"/><xs:element name=\"Prtry\" type=\"Max35Text\"/>"
    "</xs:choice></xs:complexType>\n"
    "<xs:complexType name=\"BranchAndFinancialInstitutionIdentification4\"><xs:sequence>"
    "<xs:element name=\"FinInstnId\" type=\"FinancialInstitutionIdentification7\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"FinancialInstitutionIdentification7\"><xs:sequence>"
    "<xs:element name=\"BIC\" type=\"BICIdentifier\" minOccurs=\"0\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"CreditTransferTransactionInformation10\"><xs:sequence>"
    "<xs:element name=\"PmtId\" type=\"PaymentIdentification1\"/>"
    "<xs:element name=\"Amt\" type=\"AmountType3Choice\"/>"
    "<xs:element name=\"Cdtr\" type=\"PartyIdentification32\" minOccurs=\"0\"/>"
    "<xs:element name=\"CdtrAcct\" type=\"CashAccount16\" minOccurs=\"0\"/>"
    "<xs:element name=\"RmtInf\" type=\"RemittanceInformation5\" minOccurs=\"0\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"PaymentIdentification1\"><xs:sequence>"
    "<xs:element name=\"InstrId\" type=\"Max35Text\" minOccurs=\"0\"/>"
    "<xs:element name=\"EndToEndId\" type=\"Max35Text\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"AmountType3Choice\"><xs:choice>"
    "<xs:element name=\"InstdAmt\" type=\"ActiveOrHistoricCurrencyAndAmount\"/>"
    "</xs:choice></xs:complexType>\n"
    "<xs:complexType name=\"ActiveOrHistoricCurrencyAndAmount\"><xs:simpleContent>"
    "<xs:extension base=\"ActiveOrHistoricCurrencyAndAmount_SimpleType\">"
    "<xs:attribute name=\"Ccy\" type=\"ActiveOrHistoricCurrencyCode\" use=\"required\"/>"
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"RemittanceInformation5\"><xs:sequence>"
    "<xs:element name=\"Ustrd\" type=\"Max140Text\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>"
    "</xs:sequence></xs:complexType>\n"
    "<xs:simpleType name=\"ActiveOrHistoricCurrencyAndAmount_SimpleType\"><xs:restriction base=\"xs:decimal\">"
    "<xs:minInclusive value=\"0\"/><xs:fractionDigits value=\"5\"/><xs:totalDigits value=\"18\"/>"
    "</xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"DecimalNumber\"><xs:restriction base=\"xs:decimal\">"
    "<xs:fractionDigits value=\"17\"/><xs:totalDigits value=\"18\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"ActiveOrHistoricCurrencyCode\"><xs:restriction base=\"xs:string\">"
    "<xs:pattern value=\"[A-Z]{3,3}\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"BICIdentifier\"><xs:restriction base=\"xs:string\">"
    "<xs:pattern value=\"[A-Z]{6,6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3,3}){0,1}\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"IBAN2007Identifier\"><xs:restriction base=\"xs:string\">"
    "<xs:pattern value=\"[A-Z]{2,2}[0-9]{2,2}[a-zA-Z0-9]{1,30}\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"ISODate\"><xs:restriction base=\"xs:date\"/></xs:simpleType>\n"
    "<xs:simpleType name=\"ISODateTime\"><xs:restriction base=\"xs:dateTime\"/></xs:simpleType>\n"
    "<xs:simpleType name=\"Max15NumericText\"><xs:restriction base=\"xs:string\">"
    "<xs:pattern value=\"[0-9]{1,15}\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"Max4Text\"><xs:restriction base=\"xs:string\">"
    "<xs:minLength value=\"1\"/><xs:maxLength value=\"4\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"Max34Text\"><xs:restriction base=\"xs:string\">"
    "<xs:minLength value=\"1\"/><xs:maxLength value=\"34\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"Max35Text\"><xs:restriction base=\"xs:string\">"
    "<xs:minLength value=\"1\"/><xs:maxLength value=\"35\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"Max140Text\"><xs:restriction base=\"xs:string\">"
    "<xs:minLength value=\"1\"/><xs:maxLength value=\"140\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"PaymentMethod3Code\"><xs:restriction base=\"xs:string\">"
    "<xs:enumeration value=\"CHK\"/><xs:enumeration value=\"TRF\"/><xs:enumeration value=\"TRA\"/>"
    "</xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"Priority2Code\"><xs:restriction base=\"xs:string\">"
    "<xs:enumeration value=\"HIGH\"/><xs:enumeration value=\"NORM\"/></xs:restriction></xs:simpleType>\n"
    "<xs:simpleType name=\"ChargeBearerType1Code\"><xs:restriction base=\"xs:string\">"
    "<xs:enumeration value=\"DEBT\"/><xs:enumeration value=\"CRED\"/><xs:enumeration value=\"SHAR\"/>"
    "<xs:enumeration value=\"SLEV\"/></xs:restriction></xs:simpleType>\n"
    "</xs:schema>\n";

/* ---- writing ---- */

struct pain001_writer {
	int fd, tee; /* the file, and a validator's pipe (-1: none) */
	int failed_errno;
	crypto_hash_sha256_state sha;
	xmlTextWriterPtr w;
	int64_t n, total;
};

static int out_write(void *ctx, const char *p, int len)
{
	struct pain001_writer *pw = ctx;
	crypto_hash_sha256_update(&pw->sha, (const unsigned char *)p, (unsigned long long)len);
	for (int done = 0; done < len;) {
		ssize_t k = write(pw->fd, p + done, (size_t)(len - done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			pw->failed_errno = k < 0 ? errno : EIO;
			return -1;
		}
		done += (int)k;
	}
	for (int done = 0; pw->tee >= 0 && done < len;) {
		ssize_t k = write(pw->tee, p + done, (size_t)(len - done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			pw->failed_errno = k < 0 ? errno : EIO;
			return -1;
		}
		done += (int)k;
	}
	return len;
}

static int out_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Øre as kroner with two decimals: 1379000 -> "13790.00". */
static void kroner(int64_t ore, char out[32])
{
	snprintf(out, 32, "%lld.%02lld", (long long)(ore / 100), (long long)(ore % 100));
}

#define W(call)                                                                                                \
	do {                                                                                                   \
		if ((call) < 0)                                                                                \
			goto fail;                                                                             \
	} while (0)

static void init_libxml(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, xmlInitParser);
}

struct pain001_writer *pain001_open(const char *path, const char *msg_id, int64_t created_at, int64_t n,
				    int64_t total_ore, date_t exec_date, int tee, struct err *e)
{
	init_libxml();
	struct pain001_writer *pw = calloc(1, sizeof(*pw));
	if (pw == NULL) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	pw->tee = tee;
	pw->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (pw->fd < 0) {
		err_set(e, ERR_IO, NULL, "cannot create the payment file");
		free(pw);
		return NULL;
	}
	crypto_hash_sha256_init(&pw->sha);
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(out_write, out_close, pw, NULL);
	pw->w = ob ? xmlNewTextWriter(ob) : NULL;
	if (pw->w == NULL) {
		if (ob)
			xmlOutputBufferClose(ob);
		close(pw->fd);
		free(pw);
		err_set(e, ERR_INTERNAL, NULL, "cannot start the XML writer");
		return NULL;
	}
	char ts[21], day[11], sum[32], count[24];
	date_format_timestamp(created_at, ts);
	ts[19] = '\0'; /* ISODateTime without the zone: the bank's local time */
	kroner(total_ore, sum);
	snprintf(count, sizeof(count), "%lld", (long long)n);
	xmlTextWriterPtr w = pw->w;
	W(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
	W(xmlTextWriterStartElement(w, BAD_CAST "Document"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST NS_PAIN001));
	W(xmlTextWriterStartElement(w, BAD_CAST "CstmrCdtTrfInitn"));
	W(xmlTextWriterStartElement(w, BAD_CAST "GrpHdr"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "MsgId", BAD_CAST msg_id));
	W(xmlTextWriterWriteElement(w, BAD_CAST "CreDtTm", BAD_CAST ts));
	W(xmlTextWriterWriteElement(w, BAD_CAST "NbOfTxs", BAD_CAST count));
	W(xmlTextWriterWriteElement(w, BAD_CAST "CtrlSum", BAD_CAST sum));
	W(xmlTextWriterStartElement(w, BAD_CAST "InitgPty"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Nm", BAD_CAST PAYOUT_DEBTOR_NAME));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w)); /* GrpHdr */
	W(xmlTextWriterStartElement(w, BAD_CAST "PmtInf"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "PmtInfId", BAD_CAST msg_id));
	W(xmlTextWriterWriteElement(w, BAD_CAST "PmtMtd", BAD_CAST "TRF"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "NbOfTxs", BAD_CAST count));
	W(xmlTextWriterWriteElement(w, BAD_CAST "CtrlSum", BAD_CAST sum));
	W(xmlTextWriterWriteElement(w, BAD_CAST "ReqdExctnDt", BAD_CAST date_format(exec_date, day)));
	W(xmlTextWriterStartElement(w, BAD_CAST "Dbtr"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Nm", BAD_CAST PAYOUT_DEBTOR_NAME));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "DbtrAcct"));
	W(xmlTextWriterStartElement(w, BAD_CAST "Id"));
	W(xmlTextWriterStartElement(w, BAD_CAST "Othr"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Id", BAD_CAST PAYOUT_DEBTOR_ACCOUNT));
	W(xmlTextWriterStartElement(w, BAD_CAST "SchmeNm"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Cd", BAD_CAST "BBAN"));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w)); /* DbtrAcct */
	W(xmlTextWriterStartElement(w, BAD_CAST "DbtrAgt"));
	W(xmlTextWriterStartElement(w, BAD_CAST "FinInstnId"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "BIC", BAD_CAST "DNBANOKK"));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterWriteElement(w, BAD_CAST "ChrgBr", BAD_CAST "SLEV"));
	return pw;
fail:
	err_set(e, ERR_IO, NULL, "cannot write the payment file");
	pain001_abort(pw);
	return NULL;
}

int pain001_add(struct pain001_writer *pw, const char *end_to_end, const char *name, const char *account,
		int64_t amount_ore, const char *remittance, struct err *e)
{
	xmlTextWriterPtr w = pw->w;
	char amount[32];
	kroner(amount_ore, amount);
	W(xmlTextWriterStartElement(w, BAD_CAST "CdtTrfTxInf"));
	W(xmlTextWriterStartElement(w, BAD_CAST "PmtId"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "EndToEndId", BAD_CAST end_to_end));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "Amt"));
	W(xmlTextWriterStartElement(w, BAD_CAST "InstdAmt"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "Ccy", BAD_CAST "NOK"));
	W(xmlTextWriterWriteString(w, BAD_CAST amount));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "Cdtr"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Nm", BAD_CAST name));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "CdtrAcct"));
	W(xmlTextWriterStartElement(w, BAD_CAST "Id"));
	W(xmlTextWriterStartElement(w, BAD_CAST "Othr"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Id", BAD_CAST account));
	W(xmlTextWriterStartElement(w, BAD_CAST "SchmeNm"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Cd", BAD_CAST "BBAN"));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "RmtInf"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Ustrd", BAD_CAST remittance));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w)); /* CdtTrfTxInf */
	pw->n++;
	pw->total += amount_ore;
	return 0;
fail:
	return err_set(e, ERR_IO, NULL, "cannot write the payment file");
}

void pain001_abort(struct pain001_writer *pw)
{
	if (pw == NULL)
		return;
	if (pw->w)
		xmlFreeTextWriter(pw->w);
	if (pw->fd >= 0)
		close(pw->fd);
	free(pw);
}

int pain001_close(struct pain001_writer *pw, char sha256[65], struct err *e)
{
	int rc = 0;
	if (xmlTextWriterEndDocument(pw->w) < 0 || xmlTextWriterFlush(pw->w) < 0 || pw->failed_errno)
		rc = err_set(e, ERR_IO, NULL, "cannot write the payment file");
	xmlFreeTextWriter(pw->w);
	pw->w = NULL;
	if (rc == 0 && fsync(pw->fd) != 0)
		rc = err_set(e, ERR_IO, NULL, "cannot sync the payment file");
	if (close(pw->fd) != 0 && rc == 0)
		rc = err_set(e, ERR_IO, NULL, "cannot close the payment file");
	pw->fd = -1;
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&pw->sha, d);
	sodium_bin2hex(sha256, 65, d, sizeof(d));
	free(pw);
	return rc;
}

/* ---- validation ---- */

struct first_error {
	char text[256];
	int line;
};

static void on_schema_error(void *ctx, xmlErrorPtr err)
{
	struct first_error *fe = ctx;
	if (fe->text[0] != '\0' || err == NULL)
		return;
	snprintf(fe->text, sizeof(fe->text), "%s", err->message ? err->message : "invalid");
	fe->text[strcspn(fe->text, "\n")] = '\0';
	fe->line = err->line;
}

/* The file as it is written, read from a pipe on a thread of its own: on
 * two cores the schema's check costs no time beside the writing. */
struct pain001_check {
	int rfd, wfd;
	pthread_t thread;
	int verdict; /* 0 valid, 1 invalid, -1 the schema did not load */
	struct first_error fe;
};

static void *check_main(void *arg)
{
	struct pain001_check *c = arg;
	char sink[1 << 16];
	c->verdict = -1;
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(pain001_xsd, (int)sizeof(pain001_xsd) - 1);
	xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
	xmlSchemaValidCtxtPtr vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
	/* libxml2 closes the descriptor it reads from: it gets a copy, and
	 * the original is drained below so the writer never waits on a
	 * reader that stopped at the first error. */
	int fd = vc ? dup(c->rfd) : -1;
	xmlParserInputBufferPtr in = fd >= 0 ? xmlParserInputBufferCreateFd(fd, XML_CHAR_ENCODING_NONE) : NULL;
	if (in == NULL && fd >= 0)
		close(fd);
	if (in != NULL) {
		xmlSchemaSetValidStructuredErrors(vc, on_schema_error, &c->fe);
		c->verdict = xmlSchemaValidateStream(vc, in, XML_CHAR_ENCODING_NONE, NULL, NULL) == 0 ? 0 : 1;
	}
	for (;;) {
		ssize_t k = read(c->rfd, sink, sizeof(sink));
		if (k == 0 || (k < 0 && errno != EINTR))
			break;
	}
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	return NULL;
}

struct pain001_check *pain001_check_start(struct err *e)
{
	init_libxml();
	struct pain001_check *c = calloc(1, sizeof(*c));
	int fds[2];
	if (c == NULL || pipe2(fds, O_CLOEXEC) != 0) {
		free(c);
		err_set(e, ERR_INTERNAL, NULL, "cannot start the payment file's check");
		return NULL;
	}
	c->rfd = fds[0];
	c->wfd = fds[1];
	fcntl(c->wfd, F_SETPIPE_SZ, 1 << 20); /* fewer switches between the two; the default 64 KiB works too */
	if (pthread_create(&c->thread, NULL, check_main, c) != 0) {
		close(c->rfd);
		close(c->wfd);
		free(c);
		err_set(e, ERR_INTERNAL, NULL, "cannot start the payment file's check");
		return NULL;
	}
	return c;
}

int pain001_check_fd(const struct pain001_check *c)
{
	return c->wfd;
}

int pain001_check_finish(struct pain001_check *c, struct err *e)
{
	close(c->wfd);
	pthread_join(c->thread, NULL);
	close(c->rfd);
	int rc = 0;
	if (c->verdict < 0)
		rc = err_set(e, ERR_INTERNAL, NULL, "the pain.001 schema does not load");
	else if (c->verdict > 0)
		rc = err_set(e, ERR_INVALID, "file", "the payment file is not valid pain.001.001.03 (line %d): %s",
			     c->fe.line, c->fe.text[0] ? c->fe.text : "unreadable");
	free(c);
	return rc;
}

/* ---- the bank's answers ---- */

/* Read a message as a stream: each transaction's status block
 * (pain.002 TxInfAndSts, camt.054 TxDtls) gives one status from the
 * elements inside it. */
int bank_parse(const char *kind, const char *xml, size_t len, struct bank_status **out, struct arena *a,
	       struct err *e)
{
	init_libxml();
	int camt = strcmp(kind, "camt.054") == 0;
	const char *block = camt ? "TxDtls" : "TxInfAndSts";
	const char *id_elem = camt ? "EndToEndId" : "OrgnlEndToEndId";
	xmlTextReaderPtr r = xmlReaderForMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (r == NULL)
		return err_set(e, ERR_INVALID, "answer", "the bank's %s cannot be read", kind);
	int cap = 64, n = 0, ret, in_block = 0, root_ok = 0;
	struct bank_status *st = arena_zalloc(a, sizeof(*st) * (size_t)cap);
	const char *cur = NULL; /* the element whose text comes next */
	char status_elem_seen = 0;
	/* camt.054: the entry's booking day (BookgDt/Dt), read before its
	 * transactions' details. */
	const char *booked = NULL;
	int in_bookg = 0;
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		const char *name = (const char *)xmlTextReaderConstLocalName(r);
		if (type == XML_READER_TYPE_ELEMENT) {
			if (strcmp(name, camt ? "BkToCstmrDbtCdtNtfctn" : "CstmrPmtStsRpt") == 0)
				root_ok = 1;
			if (camt && strcmp(name, "Ntry") == 0)
				booked = NULL;
			if (camt && strcmp(name, "BookgDt") == 0)
				in_bookg = 1;
			if (strcmp(name, block) == 0) {
				if (n == cap) {
					struct bank_status *bigger = arena_zalloc(a, sizeof(*st) * (size_t)cap * 2);
					memcpy(bigger, st, sizeof(*st) * (size_t)cap);
					st = bigger;
					cap *= 2;
				}
				st[n] = (struct bank_status){NULL, camt ? "BOOK" : NULL, NULL, camt ? booked : NULL};
				in_block = 1;
				status_elem_seen = 0;
			}
			cur = name;
		} else if (type == XML_READER_TYPE_TEXT && in_bookg && cur && strcmp(cur, "Dt") == 0) {
			date_t d;
			const char *v = (const char *)xmlTextReaderConstValue(r);
			booked = v && strlen(v) == 10 && date_parse(v, &d) == 0 ? arena_strdup(a, v) : NULL;
		} else if (type == XML_READER_TYPE_TEXT && in_block && cur) {
			const char *v = (const char *)xmlTextReaderConstValue(r);
			if (strcmp(cur, id_elem) == 0)
				st[n].end_to_end = arena_strdup(a, v);
			else if (!camt && strcmp(cur, "TxSts") == 0)
				st[n].status = arena_strdup(a, v), status_elem_seen = 1;
			else if (!camt && strcmp(cur, "Cd") == 0 && status_elem_seen)
				st[n].reason = arena_strdup(a, v);
		} else if (type == XML_READER_TYPE_END_ELEMENT && strcmp(name, "BookgDt") == 0) {
			in_bookg = 0;
		} else if (type == XML_READER_TYPE_END_ELEMENT && strcmp(name, block) == 0) {
			in_block = 0;
			if (st[n].end_to_end == NULL || st[n].status == NULL) {
				xmlFreeTextReader(r);
				return err_set(e, ERR_INVALID, "answer", "a transaction in the bank's %s lacks %s", kind,
					       st[n].end_to_end ? "its status" : id_elem);
			}
			n++;
		}
	}
	xmlFreeTextReader(r);
	if (ret != 0 || !root_ok)
		return err_set(e, ERR_INVALID, "answer", "the bank's answer is no %s message", kind);
	*out = st;
	return n;
}
