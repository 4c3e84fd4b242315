/* monthly.c - the loan account's months in turn; see monthly.h. */
#include "loans/monthly.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/loans_bulk.h"

static void add_run(struct loans_months_summary *sum, const struct loans_run_summary *r)
{
	sum->interest_entries += r->interest_entries;
	sum->interest += r->interest;
	sum->invoices += r->invoices;
	sum->invoiced += r->invoiced;
	sum->reminders += r->reminders;
	sum->failed += r->failed;
	sum->waiting_for_rate += r->waiting_for_rate;
	if (sum->missing_rate[0] == '\0' && r->missing_rate[0] != '\0')
		memcpy(sum->missing_rate, r->missing_rate, sizeof(sum->missing_rate));
}

int loans_run_months(struct store *s, const struct params *p, date_t from, date_t through, int64_t now,
		     loans_bank_fn bank, void *bank_ctx, loans_months_progress_fn progress, void *progress_ctx,
		     struct loans_months_summary *sum, struct err *e)
{
	memset(sum, 0, sizeof(*sum));
	for (date_t m = date_month_first(from); m <= through; m = date_months_on(m, 1, 1)) {
		struct loans_run_summary r;
		/* The month's invoices: due this month, made on its first day. */
		if (loans_run(s, p, m, now, &r, e) != 0)
			return -1;
		add_run(sum, &r);
		if (bank) {
			struct arena a;
			char *xml = NULL;
			size_t len = 0;
			struct loans_import_summary paid;
			arena_init(&a, 0);
			int rc = bank(bank_ctx, s, m, &xml, &len, &a, e);
			if (rc == 0 && len > 0)
				rc = loans_import_camt054(s, p, xml, len, now, &paid, e);
			arena_cleanup(&a);
			if (rc != 0)
				return -1;
			if (len > 0) {
				sum->paid.credits += paid.credits;
				sum->paid.matched += paid.matched;
				sum->paid.duplicates += paid.duplicates;
				sum->paid.unknown_kid += paid.unknown_kid;
				sum->paid.overpaid += paid.overpaid;
				sum->paid.matched_ore += paid.matched_ore;
			}
		}
		/* The month's interest and reminders, through its last day. */
		if (loans_run(s, p, date_month_last(m), now, &r, e) != 0)
			return -1;
		add_run(sum, &r);
		sum->account_months += r.accounts;
		sum->months++;
		if (progress)
			progress(progress_ctx, m, sum);
	}
	return 0;
}

int loans_bench_bank(void *ctx, struct store *s, date_t month_first, char **xml, size_t *len, struct arena *a,
		     struct err *e)
{
	const char *dir = ctx;
	struct buf b;
	int full = 0;
	char ym[11], day[11];
	int64_t after_person = 0;
	date_t after_due = 0;
	date_format(month_first, ym);
	ym[7] = '\0';
	buf_init(&b, (size_t)1 << 31);
	full |= buf_puts(&b, "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">"
		     "<BkToCstmrDbtCdtNtfctn><Ntfctn>");
	for (;;) {
		struct arena pa;
		struct loan_open_invoice *v;
		arena_init(&pa, 0);
		int n = store_loan_invoices_open_page(s, after_person, after_due, &v, 2000, &pa, e);
		if (n < 0) {
			arena_cleanup(&pa);
			buf_cleanup(&b);
			return -1;
		}
		for (int i = 0; i < n; i++)
			full |= buf_printf(&b,
				   "<Ntry><Amt Ccy=\"NOK\">%lld.%02lld</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
				   "<BookgDt><Dt>%s</Dt></BookgDt><NtryDtls><TxDtls><Refs><AcctSvcrRef>BENCH-%lld-%s"
				   "</AcctSvcrRef></Refs><RmtInf><Strd><CdtrRefInf><Ref>%s</Ref></CdtrRefInf></Strd></RmtInf>"
				   "</TxDtls></NtryDtls></Ntry>\n",
				   (long long)(v[i].rest / 100), (long long)(v[i].rest % 100), date_format(v[i].due, day),
				   (long long)v[i].id, ym, v[i].kid);
		if (n > 0) {
			after_person = v[n - 1].person_id;
			after_due = v[n - 1].due;
		}
		arena_cleanup(&pa);
		if (n < 2000)
			break;
	}
	full |= buf_puts(&b, "</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n");
	if (full) {
		buf_cleanup(&b);
		return err_set(e, ERR_INTERNAL, "bank", "the month's report does not fit in memory");
	}
	*len = b.len;
	*xml = arena_alloc(a, b.len + 1);
	memcpy(*xml, b.p, b.len);
	(*xml)[b.len] = '\0';
	buf_cleanup(&b);
	if (dir != NULL) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/camt054-%s.xml", dir, ym);
		FILE *f = fopen(path, "wb");
		if (f == NULL || fwrite(*xml, 1, *len, f) != *len || fclose(f) != 0)
			return err_set(e, ERR_IO, "bank", "%s: cannot write", path);
	}
	return 0;
}
