// payout.test.mjs - the money goes out: a granted decision is paid only
// when its three conditions hold (agreement signed, an account of the
// person's own, the school year confirmed by the schools register's feed),
// into one validated pain.001 file per run that the simulated bank answers
// (pain.002) and books (camt.054); a rerun pays nothing twice; a closed
// account holds the payment with a letter until the person registers an
// account the register says is theirs; and over a whole school year the
// payments sum to the awards to the øre, each one a balanced ledger entry.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { Client, run, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ registers: true }); });
after(async () => { await srv.stop(); });

const form = { institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

function payout(date) {
  const r = run(['payout', '--db', srv.db, '--date', date, '--dir', srv.dir, '--registers', srv.registersUrl,
    '--bank', srv.registersUrl, '--now', `${date}T06:00:00Z`]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function control(path, body, status = 200) {
  const r = await fetch(`${srv.registersUrl}/_control/${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, status, await r.text());
}

const confirm = (nin) => control('confirmations', { nin, school_year: '2024-2025', kind: 'semester-registration' }, 201);
// The agreement signed the way that needs no BankID: the person chooses
// paper, a case worker registers the signed paper's arrival (the signing
// room's own test covers electronic signing).
async function sign(c, caseId) {
  const page = await c.get('/avtaler');
  assert.equal(page.status, 200);
  const id = srv.sql(`select id from agreements where case_id = ${caseId} order by id desc limit 1`);
  assert.ok(id, 'the decision has an agreement');
  assert.equal((await c.post(`/avtaler/${id}/papir`, { csrf: Client.csrf(page.text) })).status, 303);
  const sara = new Client(srv.base);
  const login = await sara.get('/login');
  assert.equal((await sara.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(login.text) })).status, 303);
  const list = await sara.get('/saksbehandling/avtaler');
  const ok = await sara.post(`/saksbehandling/avtaler/${id}/mottatt`, { csrf: Client.csrf(list.text) });
  assert.equal(ok.headers.get('location'), '/saksbehandling/avtaler?status=mottatt');
}

async function registerAccount(nin) {
  const r = await fetch(`${srv.registersUrl}/tax/v1/persons/${nin}/account`);
  return (await r.json()).account;
}

// A valid Norwegian account number (MOD11) that nobody has.
function newAccount(seed) {
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  for (let body = seed; ; body++) {
    const ten = `1503${String(body).padStart(6, '0')}`;
    const sum = [...ten].reduce((s, d, i) => s + Number(d) * w[i], 0);
    const k = 11 - (sum % 11);
    if (k === 10) continue;
    return ten + (k === 11 ? 0 : k);
  }
}

// The test login's persons under 50 when a 2024-2025 education ends, in
// place of those over 50: an older student's basic loan waits for the debt
// ceiling (#9).
const YOUNG = [0, 11, 7, 3, 8];

async function applied(index) {
  const c = new Client(srv.base);
  const nin = await c.login(YOUNG[index]);
  const r = await c.apply(form);
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status from cases where id = ${id}`), 'decided');
  return { c, nin, id };
}

const awards = (id) => JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} and superseded_at is null`))
  .awards.filter((a) => a.kind === 'loan' || a.kind === 'grant').reduce((s, a) => s + a.amount, 0);
const paid = (id) => Number(srv.sql(`select coalesce(sum(p.loan_ore + p.grant_ore), 0) from payout_payments p
  where p.state in ('accepted', 'booked') and p.person_id = (select person_id from cases where id = ${id})`));

// The server's job runner works on its own; wait (bounded) until it has.
async function until(what, fn) {
  for (let i = 0; i < 200; i++) {
    if (fn()) return;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('nothing_is_paid_until_signed_confirmed_and_an_account_then_the_first_payout_catches_up', async () => {
  const { c, nin, id } = await applied(0);
  // Planned by month when the decision was stored (its job), before any run.
  await until('the decision\'s plan', () => Number(srv.sql(`select count(*) from payout_lines where case_id = ${id}`)) >= 11);
  let r = payout('2024-09-02');
  assert.equal(r.payments, 0, 'no condition holds yet');
  assert.equal(r.planned, 0, 'the run found nothing left to plan');
  await confirm(nin);
  r = payout('2024-09-02');
  assert.equal(r.payments, 0, 'not signed yet');
  await sign(c, id);
  r = payout('2024-09-02');
  assert.equal(r.payments, 1);
  assert.equal(r.accepted, 1);
  // On the account two or three banking days later: not booked on the day.
  assert.equal(r.booked, 0);
  // The first payout catches up August (paid on the 15th) and September
  // (begun): two months of the plan.
  const months = srv.sql(`select group_concat(distinct month) from payout_lines where case_id = ${id} and payment_id is not null`);
  assert.equal(months, '2024-08,2024-09');
  const file = readFileSync(r.file, 'utf8');
  assert.match(file, /<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">/);
  assert.match(file, /<ReqdExctnDt>2024-09-02<\/ReqdExctnDt>/);
  assert.match(file, new RegExp(`<Id>${await registerAccount(nin)}</Id>`));
  const xmllint = spawnSync('xmllint', ['--noout', r.file], { encoding: 'utf8' });
  assert.equal(xmllint.status, 0, xmllint.stderr);
  // A rerun of the day pays nothing twice.
  const again = payout('2024-09-02');
  assert.equal(again.payments, 0);
  assert.equal(srv.sql(`select count(*) from payout_runs`), '1');
  // Monday 2 September: booked on Wednesday 4th or Thursday 5th, as the
  // bank's camt.054 says, taken by the run of the 5th.
  assert.equal(payout('2024-09-03').booked, 0);
  const booked = payout('2024-09-05');
  assert.equal(booked.booked, 1);
  assert.equal(booked.payments, 0);
  assert.match(srv.sql(`select state || ' ' || booked_on from payout_payments where run_id = ${r.run_id}`),
    /^booked 2024-09-0[45]$/);
  // The ledger: the loan raised the debt, the grant did not; it balances.
  const debt = Number(srv.sql(`select coalesce(sum(amount), 0) from ledger_legs where account = 'loan.principal'
    and person_id = (select person_id from cases where id = ${id})`));
  const loan = Number(srv.sql(`select loan_ore from payout_payments where run_id = ${r.run_id}`));
  assert.equal(debt, loan);
  assert.equal(srv.sql(`select coalesce(sum(amount), 0) from ledger_legs`), '0');
  const check = run(['ledger', 'check', '--db', srv.db]);
  assert.equal(check.status, 0, check.stdout + check.stderr);

  // October's payday is the 15th (a Tuesday): not due on the 14th.
  assert.equal(payout('2024-10-14').payments, 0);
  assert.equal(payout('2024-10-15').payments, 1);
  // The rest of the year, month by month: the sum equals the awards.
  for (const d of ['2024-11-15', '2024-12-13', '2025-01-15', '2025-02-14', '2025-03-14', '2025-04-15', '2025-05-15', '2025-06-13']) payout(d);
  assert.equal(paid(id), awards(id));
  assert.equal(srv.sql(`select count(*) from payout_lines where case_id = ${id} and state = 'planned' and payment_id is null`), '0');
});

test('a_closed_account_holds_the_payment_with_a_letter_until_the_person_registers_their_own', async () => {
  const { c, nin, id } = await applied(1);
  await confirm(nin);
  await sign(c, id);
  const old = await registerAccount(nin);
  await control('accounts', { nin, account: old, state: 'closed' });
  let r = payout('2024-09-03');
  assert.equal(r.rejected, 1);
  assert.equal(srv.sql(`select state || ' ' || reason from payout_payments where person_id = (select person_id from cases where id = ${id})`), 'rejected AC04');
  assert.equal(srv.sql(`select count(*) from letters where kind = 'payout-account-rejected' and person_id = (select person_id from cases where id = ${id})`), '1');
  assert.equal(paid(id), 0);
  // Held: the next run does not pay to the same account again.
  r = payout('2024-09-04');
  assert.equal(r.payments, 0);

  const page = await c.get('/mine-sider/utbetaling');
  assert.equal(page.status, 200);
  const html = page.text;
  assert.match(html, /id="account"/);

  // Not the person's own: refused, naming the field; a bad check digit too.
  const other = await registerAccount((await applied(2)).nin);
  const csrf = Client.csrf(html);
  let post = await c.post('/mine-sider/utbetaling/konto', { csrf, account: other });
  assert.equal(post.status, 422);
  assert.match(post.text, /account-error/);
  const bad = newAccount(4711).slice(0, 10) + String((Number(newAccount(4711)[10]) + 1) % 10);
  post = await c.post('/mine-sider/utbetaling/konto', { csrf, account: bad });
  assert.equal(post.status, 422);

  const mine = newAccount(1234);
  await control('accounts', { nin, account: mine, state: 'open' });
  post = await c.post('/mine-sider/utbetaling/konto', { csrf, account: `${mine.slice(0, 4)} ${mine.slice(4, 6)} ${mine.slice(6)}` });
  assert.equal(post.status, 303);
  const shown = (await c.get('/mine-sider/utbetaling')).text;
  assert.match(shown, new RegExp(`\\*\\*\\*\\*\\.\\*\\*\\.\\*${mine.slice(7)}`), 'the account shown masked');
  assert.doesNotMatch(shown, new RegExp(mine), 'never the whole number');
  r = payout('2024-09-05');
  assert.equal(r.payments, 1);
  assert.equal(r.accepted, 1);
  assert.match(readFileSync(r.file, 'utf8'), new RegExp(`<Id>${mine}</Id>`));
  assert.ok(paid(id) > 0);
  assert.ok(existsSync(r.file));
});

test('a_decision_that_lowers_the_award_after_payouts_claims_the_overpaid_with_a_letter_and_pays_the_rest_as_decided', async () => {
  const { c, nin, id } = await applied(3);
  await confirm(nin);
  await sign(c, id);
  assert.equal(payout('2024-09-02').payments, 1);
  const before = paid(id);
  assert.ok(before > 0);
  // The school reports half-time study; the case is decided again.
  const r = await fetch(`${srv.registersUrl}/_control/corrections`, { method: 'POST',
    body: JSON.stringify({ nin, change: 'enrolment', load_percent: 50 }) });
  assert.equal(r.status, 201, await r.text());
  for (let i = 1; i <= 2; i++) {
    const now = new Date(Date.now() + i * 240 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const w = run(['work', '--once', '--db', srv.db, '--registers', srv.registersUrl, '--now', now]);
    assert.equal(w.status, 0, w.stderr);
  }
  assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '2');
  const after = payout('2024-09-20');
  assert.equal(after.claims >= 1, true, JSON.stringify(after));
  const claimed = Number(srv.sql(`select coalesce(sum(amount_ore), 0) from payout_claims where case_id = ${id}`));
  assert.ok(claimed > 0);
  // Never a silent deduction: a letter for the claim, and an entry on the claims account.
  assert.equal(srv.sql(`select count(*) from letters where case_id = ${id} and kind = 'payout-claim'`), String(
    srv.sql(`select count(*) from payout_claims where case_id = ${id}`)));
  assert.equal(Number(srv.sql(`select coalesce(sum(l.amount), 0) from ledger_legs l join ledger_entries n on n.id = l.entry_id
    where l.account = 'agency.claims' and n.kind = 'claim' and n.person_id = (select person_id from cases where id = ${id})`)), claimed);
  const check = run(['ledger', 'check', '--db', srv.db]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  // What was paid, less the claim, plus what is still planned, is the new award.
  const planned = Number(srv.sql(`select coalesce(sum(amount_ore), 0) from payout_lines where case_id = ${id}
    and state = 'planned' and payment_id is null`));
  assert.equal(paid(id) - claimed + planned, awards(id));
  // The letter reads as a claim, in the person's inbox.
  const letter = srv.sql(`select id from letters where case_id = ${id} and kind = 'payout-claim' order by id limit 1`);
  const page = await c.get(`/innboks/${letter}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /Krav om tilbakebetaling/);
  assert.match(page.text, /for mye i (lån|stipend)/);
  // Its PDF (and so its paper copy) says the same.
  const pdf = await fetch(`${srv.base}/innboks/${letter}/pdf`, { headers: { cookie: c.cookieHeader() } });
  assert.equal(pdf.status, 200);
  const file = `${srv.dir}/claim.pdf`;
  writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
  const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout.replace(/\s+/g, ' '), /for mye i (lån|stipend)/);
});

test('a_case_worker_sees_the_persons_payouts_from_the_case_and_the_reading_is_audited', async () => {
  const { c, id } = await applied(4);
  payout('2024-09-06');
  const sara = new Client(srv.base);
  const login = await sara.get('/login');
  assert.equal((await sara.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(login.text) })).status, 303);
  const page = await sara.get(`/saksbehandling/saker/${id}/utbetaling`);
  assert.equal(page.status, 200);
  assert.match(page.text, /data-month="2024-08"/);
  assert.doesNotMatch(page.text, /action="\/mine-sider\/utbetaling\/konto"/, 'no account form for staff');
  assert.equal(srv.sql(`select count(*) from audit where action = 'payout.examine' and detail = 'case=${id}'`), '1');
  // A person cannot open it, not even their own.
  assert.equal((await c.get(`/saksbehandling/saker/${id}/utbetaling`)).status, 404);
});

test('the_daily_run_is_a_job_that_rearms_itself_and_a_runner_without_a_payout_dir_hands_it_back', async () => {
  const now = '2024-10-15T05:00:00Z';
  let w = run(['work', '--once', '--db', srv.db, '--now', now]);
  assert.equal(w.status, 0, w.stderr);
  const runs = srv.sql('select count(*) from payout_runs');
  w = run(['work', '--once', '--db', srv.db, '--now', now, '--payout-dir', srv.dir, '--registers', srv.registersUrl,
    '--bank', srv.registersUrl]);
  assert.equal(w.status, 0, w.stderr);
  // Armed now, run now: today's run paid October (its payday), and the job
  // waits for tomorrow 05:00 UTC (or, when the test's server, which has no
  // --payout-dir, took it meanwhile, was handed back: never failed).
  assert.ok(Number(srv.sql('select count(*) from payout_runs')) > Number(runs), 'the job ran the day\'s payout');
  const [state, after] = srv.sql("select state || ' ' || run_after from jobs where kind = 'payout'").split(' ');
  assert.equal(state, 'ready');
  assert.ok(Number(after) >= Date.parse('2024-10-16T05:00:00Z') / 1000);
  // A runner without --payout-dir does not fail it: it hands it back.
  w = run(['work', '--once', '--db', srv.db, '--now', '2030-01-01T05:00:00Z']);
  assert.equal(w.status, 0, w.stderr);
  assert.equal(srv.sql("select state from jobs where kind = 'payout'"), 'ready');
  assert.equal(srv.sql("select count(*) from payout_runs where run_date >= '2030-01-01'"), '0');
});

// #10: the agreement and the plan are made when the decision is stored,
// by the decision's job, with no page opened and no run; a new decision of
// the same school year makes a new agreement only when its loan grows.
test('a_decision_makes_its_agreement_and_plan_at_once_and_a_new_one_only_when_the_loan_grows', async () => {
  // Someone in higher education in the schools register with no case yet
  // (the other tests have applied as some), registered at half time
  // before applying.
  let c, nin;
  for (let i = 0; i < 12 && !nin; i++) {
    const k = new Client(srv.base);
    const n = await k.login(i);
    const en = await (await fetch(`${srv.registersUrl}/schools/v1/persons/${n}/enrolments?school_year=2024-2025`)).json();
    if (en.enrolments?.[0]?.level === 'higher' && !srv.sql(`select id from cases where person_id = (select id from persons where nin = '${n}')`)) {
      c = k;
      nin = n;
    }
  }
  assert.ok(nin, 'a student in higher education');
  const half = await fetch(`${srv.registersUrl}/_control/corrections`, { method: 'POST',
    body: JSON.stringify({ nin, change: 'enrolment', load_percent: 50 }) });
  assert.equal(half.status, 201, await half.text());
  const r = await c.apply({ ...form, load_percent: '50' });
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  const agreements = () => srv.sql(`select count(*) || ' ' || coalesce(max(loan), 0) from agreements where case_id = ${id}`);
  const loanOf = () => JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} and superseded_at is null`))
    .awards.filter((a) => a.kind === 'loan').reduce((s, a) => s + a.amount, 0);
  await until('the agreement', () => agreements().startsWith('1 '));
  await until('the plan', () => srv.sql(`select count(*) from payout_plans where case_id = ${id}`) === '1');
  const first = loanOf();
  assert.ok(first > 0);
  assert.equal(agreements(), `1 ${first}`);
  assert.equal(srv.sql(`select count(*) from audit where action = 'agreement.made' and detail like 'case:${id} %'`), '1');
  let step = 0;
  const correct = async (load) => {
    const was = srv.sql(`select count(*) from decisions where case_id = ${id}`);
    const cr = await fetch(`${srv.registersUrl}/_control/corrections`, { method: 'POST',
      body: JSON.stringify({ nin, change: 'enrolment', load_percent: load }) });
    assert.equal(cr.status, 201, await cr.text());
    for (let i = 0; i < 4 && srv.sql(`select count(*) from decisions where case_id = ${id}`) === was; i++) {
      step++;
      // The register feed's job is due when another test's runner left it.
      const due = Number(srv.sql("select coalesce(max(run_after), 0) from jobs where kind = 'register-events'"));
      const at = Math.max(Date.now() + step * 240 * 1000, (due + step) * 1000);
      const now = new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
      const w = run(['work', '--once', '--db', srv.db, '--registers', srv.registersUrl, '--now', now]);
      assert.equal(w.status, 0, w.stderr);
    }
    assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), String(Number(was) + 1), 'decided again');
    // The new decision's job (due at its decision's moment) plans it.
    const due = Number(srv.sql(`select run_after from jobs where kind = 'decision-payout' and subject_id = ${id}`));
    run(['work', '--once', '--db', srv.db, '--now', new Date(Math.max(Date.now(), due * 1000 + 1000)).toISOString().replace(/\.\d+Z$/, 'Z')]);
    await until('the new plan', () => srv.sql(`select p.decided_at = c.decided_at from payout_plans p join cases c on c.id = p.case_id where c.id = ${id}`) === '1');
  };
  // Full time: the loan grows, and so a new agreement covers it.
  await correct(100);
  const grown = loanOf();
  assert.ok(grown > first, `${grown} > ${first}`);
  assert.equal(agreements(), `2 ${grown}`);
  // Half time again: the loan shrinks; the larger agreement covers it.
  await correct(50);
  assert.ok(loanOf() < grown);
  assert.equal(agreements(), `2 ${grown}`);
});
