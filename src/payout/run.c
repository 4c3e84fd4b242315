/* run.c - the daily payout run: plan, fetch the accounts missing, send the
 * bank what it has not answered, write today's file, send it, and take the
 * bank's answers and booked credits.
 *
 * Exactly once: the file is written under a temporary name, synced,
 * renamed to its final name and only then is the transaction committed
 * that binds its payments to the run; a run killed before that commit
 * leaves lines unbound (paid by the next run) and at most a file no run
 * names, which is never sent. A run committed but killed before the bank
 * answered is sent again by the next run: the bank knows a message by its
 * MsgId and answers it again without paying twice, and a payment's answer
 * is taken only while it is "sent". Each accepted payment is posted in the
 * ledger in the transaction that records the acceptance. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "ledger/ledger.h"
#include "mailbox/mailbox.h"
#include "payout/internal.h"
#include "payout/payout.h"
#include "registers/registers.h"
#include "signing/signing.h"
#include "store/payout.h"

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- accounts from the register ---- */

struct accounts_arg {
	const int64_t *ids;
	const char **accounts;
	int n;
	int64_t now, taken;
};

static int accounts_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct accounts_arg *x = arg;
	for (int i = 0; i < x->n; i++) {
		if (x->accounts[i] == NULL)
			continue;
		if (store_payout_account_from_register(tx, x->ids[i], x->accounts[i], x->now, e) != 0)
			return -1;
		x->taken++;
	}
	return 0;
}

static int fetch_accounts(const struct payout_env *env, int64_t now, struct payout_run_result *out, struct err *e)
{
	if (env->registers == NULL)
		return 0;
	struct arena a;
	arena_init(&a, 1 << 16);
	int64_t after = 0, ids[REG_BULK_MAX];
	const char *nins[REG_BULK_MAX], *accounts[REG_BULK_MAX];
	int found[REG_BULK_MAX], rc = 0;
	for (;;) {
		arena_reset(&a);
		int n = store_payout_persons_needing_account(env->store, after, REG_BULK_MAX, ids, nins, &a, e);
		if (n <= 0) {
			rc = n;
			break;
		}
		if (reg_tax_account_many(env->registers, nins, n, accounts, found, &a, e) != 0) {
			rc = -1;
			break;
		}
		struct accounts_arg x = {ids, accounts, n, now, 0};
		if (store_write(env->store, accounts_tx, &x, e) != 0) {
			rc = -1;
			break;
		}
		out->accounts += x.taken;
		after = ids[n - 1];
	}
	arena_cleanup(&a);
	return rc;
}

/* ---- the signed agreement ---- */

struct signed_arg {
	const int64_t *ids;
	int n;
	int64_t now;
};

static int signed_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct signed_arg *x = arg;
	for (int i = 0; i < x->n; i++)
		if (store_payout_signature_put(tx, x->ids[i], x->now, e) != 0)
			return -1;
	return 0;
}

/* Ask the signing room (signing_agreement_signed(): signed electronically,
 * on paper received, or no agreement needed) about each planned case not
 * yet known to be signed, and note the signed ones for the run's join. */
static int sync_signatures(const struct payout_env *env, int64_t now, struct err *e)
{
	int64_t after = 0, ids[512], yes[512];
	for (;;) {
		int n = store_payout_cases_unsigned(env->store, after, 512, ids, e);
		if (n <= 0)
			return n;
		int k = 0;
		for (int i = 0; i < n; i++) {
			int is_signed = 0;
			if (signing_agreement_signed(env->store, ids[i], &is_signed, e) != 0)
				return -1;
			if (is_signed)
				yes[k++] = ids[i];
		}
		struct signed_arg x = {yes, k, now};
		if (k > 0 && store_write(env->store, signed_tx, &x, e) != 0)
			return -1;
		after = ids[n - 1];
	}
}

/* ---- the bank's answers ---- */

static int64_t payment_of(const char *end_to_end)
{
	if (end_to_end == NULL || end_to_end[0] != 'P')
		return 0;
	char *end;
	long long id = strtoll(end_to_end + 1, &end, 10);
	return *end == '\0' && id > 0 ? id : 0;
}

static int post_payment(struct store_tx *tx, const struct payout_payment *p, struct arena *a, struct err *e)
{
	date_t effective;
	if (date_parse(p->run_date, &effective) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "a run without its date");
	const char *cause = arena_printf(a, "payout:%lld", (long long)p->id);
	if (p->loan_ore > 0) {
		const struct ledger_leg legs[2] = {{"loan.principal", p->loan_ore}, {"agency.bank", -p->loan_ore}};
		const struct ledger_entry en = {p->person_id, "disbursement", cause, effective, 2, legs};
		if (ledger_post(tx, &en, NULL, e) != 0)
			return -1;
	}
	if (p->grant_ore > 0) {
		const struct ledger_leg legs[2] = {{"agency.grant-expense", p->grant_ore}, {"agency.bank", -p->grant_ore}};
		const struct ledger_entry en = {p->person_id, "grant", cause, effective, 2, legs};
		if (ledger_post(tx, &en, NULL, e) != 0)
			return -1;
	}
	return 0;
}

struct answers_arg {
	const struct bank_status *st;
	int n;
	int64_t run_id; /* the run answered by a pain.002, 0 for a camt.054 */
	int64_t now;
	struct arena *a;
	int64_t accepted, rejected, booked;
};

static int answer_one(struct store_tx *tx, struct answers_arg *x, const struct bank_status *s, struct err *e)
{
	int64_t id = payment_of(s->end_to_end);
	int changed = 0;
	struct payout_payment p;
	if (id == 0)
		return 0; /* not ours: nothing to take */
	if (strcmp(s->status, "BOOK") == 0) {
		if (store_payout_payment_booked(tx, id, s->booked, x->now, &changed, e) != 0)
			return -1;
		x->booked += changed;
		return 0;
	}
	int accept = strcmp(s->status, "ACCP") == 0 || strcmp(s->status, "ACSC") == 0 || strcmp(s->status, "ACSP") == 0;
	int reject = strcmp(s->status, "RJCT") == 0;
	if (!accept && !reject)
		return 0; /* pending: the next report settles it */
	if (store_payout_payment_get_tx(tx, id, &p, x->a, e) != 0)
		return e->code ? -1 : 0;
	if (x->run_id && p.run_id != x->run_id)
		return 0;
	if (store_payout_payment_answer(tx, id, accept ? "accepted" : "rejected", reject ? s->reason : NULL, x->now,
					&changed, e) != 0)
		return -1;
	if (!changed)
		return 0;
	const char *object = arena_printf(x->a, "person:%lld", (long long)p.person_id);
	if (accept) {
		x->accepted++;
		if (post_payment(tx, &p, x->a, e) != 0)
			return -1;
		return audit_append(tx, x->now, "bank", "payout.accepted", object,
				    arena_printf(x->a, "payment %lld", (long long)id), e);
	}
	/* Held: the account is no good; the person is asked for another, and
	 * the lines are paid by the first run after it is given. */
	x->rejected++;
	int64_t letter_id;
	if (store_payout_account_reject(tx, p.person_id, p.account, e) != 0 ||
	    mbox_deliver(tx, p.person_id, 0, "payout-account-rejected", x->now, &letter_id, e) != 0 ||
	    store_payout_payment_set_letter(tx, id, letter_id, e) != 0)
		return -1;
	return audit_append(tx, x->now, "bank", "payout.rejected", object,
			    arena_printf(x->a, "payment %lld: %s", (long long)id, s->reason ? s->reason : "no reason"), e);
}

#define ANSWERS_PER_TX 2000

static int answers_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct answers_arg *x = arg;
	for (int i = 0; i < x->n; i++)
		if (answer_one(tx, x, &x->st[i], e) != 0)
			return -1;
	return 0;
}

static int run_answered_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct answers_arg *x = arg;
	return store_payout_run_answered(tx, x->run_id, x->now, e);
}

/* Take statuses in transactions of ANSWERS_PER_TX (each answer is taken
 * once, so a batch committed before a crash is not taken again). */
static int take_answers(struct store *s, const struct bank_status *st, int n, int64_t run_id, int64_t now,
			struct arena *a, struct payout_run_result *out, struct err *e)
{
	for (int i = 0; i < n; i += ANSWERS_PER_TX) {
		struct answers_arg x = {st + i, n - i < ANSWERS_PER_TX ? n - i : ANSWERS_PER_TX, run_id, now, a, 0, 0, 0};
		if (store_write(s, answers_tx, &x, e) != 0)
			return -1;
		out->accepted += x.accepted;
		out->rejected += x.rejected;
		out->booked += x.booked;
	}
	if (run_id) {
		struct answers_arg x = {NULL, 0, run_id, now, a, 0, 0, 0};
		return store_write(s, run_answered_tx, &x, e);
	}
	return 0;
}

static int read_file(const char *path, struct buf *b, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return err_set(e, ERR_IO, NULL, "the payment file of a run is missing");
	char chunk[65536];
	size_t k;
	int rc = 0;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, k) != 0) {
			rc = err_set(e, ERR_IO, NULL, "the payment file is too large to send");
			break;
		}
	if (ferror(f))
		rc = err_set(e, ERR_IO, NULL, "cannot read the payment file");
	fclose(f);
	return rc;
}

#define BANK_MAX (1LL << 30)

/* Send a run's file; take the pain.002 it answers. */
static int send_run(const struct payout_env *env, const struct payout_run *r, int64_t now,
		    struct payout_run_result *out, struct err *e)
{
	struct buf file, answer;
	struct arena a;
	long status = 0;
	int rc = -1;
	buf_init(&file, BANK_MAX);
	buf_init(&answer, BANK_MAX);
	arena_init(&a, 1 << 20);
	if (read_file(r->file, &file, e) != 0)
		goto out;
	char *url = arena_printf(&a, "%s/bank/v1/payments", env->bank_url);
	if (payout_http("POST", url, "application/xml", file.p ? file.p : "", file.len, &answer, &status, e) != 0)
		goto out;
	if (status != 200 && status != 201) {
		err_set(e, ERR_IO, NULL, "the bank refused the payment file (%ld)", status);
		goto out;
	}
	struct bank_status *st;
	int n = bank_parse("pain.002", answer.p ? answer.p : "", answer.len, &st, &a, e);
	if (n < 0)
		goto out;
	rc = take_answers(env->store, st, n, r->id, now, &a, out, e);
out:
	arena_cleanup(&a);
	buf_cleanup(&answer);
	buf_cleanup(&file);
	return rc;
}

/* The credits the bank has booked up to date (camt.054). */
static int take_bookings(const struct payout_env *env, date_t date, int64_t now, struct payout_run_result *out,
			 struct err *e)
{
	struct buf answer;
	struct arena a;
	long status = 0;
	char day[11];
	int rc = -1;
	buf_init(&answer, BANK_MAX);
	arena_init(&a, 1 << 20);
	char *url = arena_printf(&a, "%s/bank/v1/notifications?date=%s", env->bank_url, date_format(date, day));
	if (payout_http("GET", url, NULL, NULL, 0, &answer, &status, e) != 0)
		goto out;
	if (status != 200) {
		err_set(e, ERR_IO, NULL, "the bank's notifications answered %ld", status);
		goto out;
	}
	struct bank_status *st;
	int n = bank_parse("camt.054", answer.p ? answer.p : "", answer.len, &st, &a, e);
	if (n < 0)
		goto out;
	rc = take_answers(env->store, st, n, 0, now, &a, out, e);
out:
	arena_cleanup(&a);
	buf_cleanup(&answer);
	return rc;
}

/* ---- today's file ---- */

struct bind_arg {
	const struct payout_env *env;
	date_t date;
	int64_t now;
	char msg_id[36], path[4096], tmp[4100];
	struct payout_run_result *out;
	struct pain001_writer *w;
	char remittance[64];
	struct err *e;
	int failed;
	struct timespec done; /* when the transaction's work ended, before its commit */
};

static int add_payment(const struct payout_payment *p, void *arg)
{
	struct bind_arg *x = arg;
	char e2e[24];
	snprintf(e2e, sizeof(e2e), "P%lld", (long long)p->id);
	if (pain001_add(x->w, e2e, p->name, p->account, p->loan_ore + p->grant_ore, x->remittance, x->e) != 0) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

/* Sync the directory, so that the rename is durable before the commit. */
static int sync_dir(const char *path, struct err *e)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ERR_IO, NULL, "cannot open the payment files' directory");
	int rc = fsync(fd);
	close(fd);
	return rc == 0 ? 0 : err_set(e, ERR_IO, NULL, "cannot sync the payment files' directory");
}

static int bind_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct bind_arg *x = arg;
	char day[11], month[16], sha[65];
	struct timespec t0;
	date_format(x->date, day);
	memcpy(month, day, 7);
	month[7] = '\0';
	int64_t run_id, n, total;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_payout_run_bind(tx, day, month, x->msg_id, x->path, x->now, &run_id, &n, &total, e) != 0)
		return -1;
	x->out->ms_bind = ms_since(&t0);
	if (n == 0)
		return 1; /* nothing due: no run, no file */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* The schema's check reads the file as it is written (a thread of its
	 * own); what it finds is known once both are done. */
	struct pain001_check *check = NULL;
	if (x->env->validate && (check = pain001_check_start(e)) == NULL)
		return -1;
	x->w = pain001_open(x->tmp, x->msg_id, x->now, n, total, x->date, check ? pain001_check_fd(check) : -1, e);
	int ok = x->w != NULL;
	x->e = e;
	x->failed = 0;
	if (ok && (store_payout_run_each_payment_tx(tx, run_id, add_payment, x, e) != 0 || x->failed)) {
		pain001_abort(x->w);
		ok = 0;
	}
	if (ok && pain001_close(x->w, sha, e) != 0)
		ok = 0;
	x->out->ms_file = ms_since(&t0);
	if (check != NULL) {
		struct err ce;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (pain001_check_finish(check, &ce) != 0 && ok) {
			*e = ce;
			ok = 0;
		}
		x->out->ms_validate = ms_since(&t0); /* what the check took beyond the writing */
	}
	if (!ok) {
		unlink(x->tmp);
		return -1;
	}
	if (rename(x->tmp, x->path) != 0) {
		unlink(x->tmp);
		return err_set(e, ERR_IO, NULL, "cannot name the payment file");
	}
	if (sync_dir(x->path, e) != 0 || store_payout_run_digest(tx, run_id, sha, e) != 0)
		return -1;
	x->out->run_id = run_id;
	x->out->payments = n;
	x->out->total_ore = total;
	char object[40], detail[64];
	snprintf(object, sizeof(object), "payout-run:%lld", (long long)run_id);
	snprintf(detail, sizeof(detail), "%lld payments, %lld øre", (long long)n, (long long)total);
	if (audit_append(tx, x->now, "system", "payout.run", object, detail, e) != 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &x->done);
	return 0;
}

int payout_run(const struct payout_env *env, date_t date, int64_t now, struct payout_run_result *out,
	       struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct timespec t0;
	struct arena a;
	int rc = -1;
	arena_init(&a, 1 << 16);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (payout_follow_confirmations(env, now, NULL, e) != 0 || payout_plan_all(env, now, out, e) != 0 ||
	    fetch_accounts(env, now, out, e) != 0 || sync_signatures(env, now, e) != 0)
		goto out;
	out->ms_plan = ms_since(&t0);
	/* What the bank has not answered yet goes first: a run killed after
	 * its commit is sent now. */
	if (env->bank_url) {
		struct payout_run *runs;
		int n = store_payout_runs_unanswered(env->store, &runs, &a, e);
		if (n < 0)
			goto out;
		for (int i = 0; i < n; i++)
			if (send_run(env, &runs[i], now, out, e) != 0)
				goto out;
	}
	struct bind_arg *x = arena_zalloc(&a, sizeof(*x));
	unsigned char rnd[6];
	char hex[13], day[11];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	date_format(date, day);
	x->env = env;
	x->date = date;
	x->now = now;
	x->out = out;
	snprintf(x->msg_id, sizeof(x->msg_id), "LK%.4s%.2s%.2s-%s", day, day + 5, day + 8, hex);
	snprintf(x->path, sizeof(x->path), "%s/pain001-%s.xml", env->dir ? env->dir : ".", x->msg_id);
	snprintf(x->tmp, sizeof(x->tmp), "%s.tmp", x->path);
	snprintf(x->remittance, sizeof(x->remittance), "Utbetaling fra Lanekassen %s", day);
	/* Foreign keys off: store_payout_run_bind() writes only references it
	 * has just read (see there), and the per-row check doubled the
	 * binding's time at half a million persons. */
	int bound = store_write_bulk(env->store, bind_tx, x, e);
	if (bound < 0)
		goto out;
	if (bound == 0)
		out->ms_commit = ms_since(&x->done);
	if (bound == 0) {
		snprintf(out->file, sizeof(out->file), "%s", x->path);
		log_info("payout: run %lld for %s: %lld payments, %lld øre", (long long)out->run_id, day,
			 (long long)out->payments, (long long)out->total_ore);
		if (env->bank_url) {
			struct payout_run *runs;
			int n = store_payout_runs_unanswered(env->store, &runs, &a, e);
			if (n < 0)
				goto out;
			for (int i = 0; i < n; i++)
				if (send_run(env, &runs[i], now, out, e) != 0)
					goto out;
		}
	}
	err_clear(e);
	if (env->bank_url && take_bookings(env, date, now, out, e) != 0)
		goto out;
	rc = 0;
out:
	arena_cleanup(&a);
	return rc;
}

/* ---- the daily job ---- */

struct finish {
	int64_t job_id, now, next;
};

/* Tomorrow at 05:00 UTC: the day's run goes before the bank's first cut-off. */
static int64_t next_run(int64_t now)
{
	return ((int64_t)payout_day(now) + 1) * 86400 + 5 * 3600;
}

static int finish_tx(struct store_tx *tx, void *arg, struct err *e)
{
	struct finish *f = arg;
	if (store_job_done(tx, f->job_id, e) != 0)
		return -1;
	return store_job_enqueue(tx, PAYOUT_JOB_KIND, 0, f->next, f->now, e);
}

int payout_job_elsewhere(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	(void)ctx;
	struct finish f = {job->id, now, now + 60};
	return store_write(s, finish_tx, &f, e);
}

int payout_job(struct store *s, const struct job_rec *job, int64_t now, void *ctx, struct err *e)
{
	struct payout_env env = *(const struct payout_env *)ctx;
	struct payout_run_result r;
	env.store = s;
	if (payout_run(&env, payout_day(now), now, &r, e) != 0)
		return -1;
	struct finish f = {job->id, now, next_run(now)};
	return store_write(s, finish_tx, &f, e);
}

static int arm_tx(struct store_tx *tx, void *arg, struct err *e)
{
	int64_t now = *(int64_t *)arg;
	return store_job_enqueue(tx, PAYOUT_JOB_KIND, 0, now, now, e);
}

int payout_arm(struct store *s, int64_t now, struct err *e)
{
	return store_write(s, arm_tx, &now, e);
}
