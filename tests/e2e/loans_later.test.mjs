// loans_later.test.mjs - the loan account's later life (#11, the open
// features), against the real binaries and the register simulator: a
// granted student's loan paid out, support found ended by the decision's
// last month (interest from the next day, the plan seven months on); an
// unpaid invoice's notice left unpaid calls the loan in on the exact day
// and hands it to the collection agency (a status, letters, a handover
// file); and a death in the population register writes the debt off.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, root, run, startServer } from '../lib/server.mjs';

// The compiled-in parameters hold the floating rate of May and June 2024
// only: these tests add a rate of their own from July 2024, marked as such.
const rates = `loan.rate.floating:
  value: 4000
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2030-12-31
  reference: test
  source: test
`;

let srv;
let paramsDir;
let handoverDir;
before(async () => {
  paramsDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-later-params-'));
  handoverDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-later-si-'));
  cpSync(path.join(root, 'params/no'), paramsDir, { recursive: true });
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-loan-rates.yaml'), rates);
  srv = await startServer({ persons: 40, registers: true, params: paramsDir });
});
after(async () => {
  await srv?.stop();
  for (const d of [paramsDir, handoverDir]) if (d) rmSync(d, { recursive: true, force: true });
});

function loans(...args) {
  const r = run(['loans', ...args, '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /every entry balances/);
  return r.stdout;
}
const loansRun = (through, ...more) => loans('run', '--through', through, '--params', paramsDir, ...more);

let nextAdult = 0;
function adult() {
  const nins = srv.sql("select nin from persons where birth_date < '2000-01-01' and confidential_address = 0 and id not in (select person_id from cases) order by id")
    .split('\n');
  assert.ok(nextAdult < nins.length, 'the population has too few adults');
  return nins[nextAdult++];
}
const personOf = (nin) => srv.sql(`select id from persons where nin='${nin}'`);
const debtOn = (id, day) => Number(srv.sql(`select coalesce(sum(amount), 0) from ledger_legs where person_id = ${id} and effective <= '${day}'`));

async function loginNin(c, nin) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

async function control(p, body, status = 201) {
  const r = await fetch(`${srv.registersUrl}/_control/${p}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, status, await r.text());
  return r;
}

// Interest as the regulation's arithmetic gives it: daily on the debt,
// 365 days, each month's sum rounded to whole øre and added.
function monthInterest(debt, days, rate = 4000n) {
  const num = debt * rate * BigInt(days) * 2n, den = 100000n * 365n * 2n;
  return (num + 100000n * 365n) / den;
}

test('a granted student\'s paid-out loan starts interest the day after the decision\'s last month, and gets its plan seven months on', async () => {
  const c = new Client(srv.base);
  const nin = await c.login(3);
  const form = { institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no',
    load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };
  const r = await c.apply(form);
  assert.equal(r.status, 303, r.text);
  const caseId = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status from cases where id = ${caseId}`), 'decided');
  const id = srv.sql(`select person_id from cases where id = ${caseId}`);
  // The payout's three conditions: confirmed by the school, the agreement
  // signed (on paper, registered by a case worker), an account.
  await control('confirmations', { nin, school_year: '2024-2025', kind: 'semester-registration' });
  const agreements = await c.get('/avtaler');
  const agreement = srv.sql(`select id from agreements where case_id = ${caseId} order by id desc limit 1`);
  assert.equal((await c.post(`/avtaler/${agreement}/papir`, { csrf: Client.csrf(agreements.text) })).status, 303);
  const sara = new Client(srv.base);
  const login = await sara.get('/login');
  assert.equal((await sara.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(login.text) })).status, 303);
  const list = await sara.get('/saksbehandling/avtaler');
  assert.equal((await sara.post(`/saksbehandling/avtaler/${agreement}/mottatt`, { csrf: Client.csrf(list.text) })).status, 303);
  const pay = run(['payout', '--db', srv.db, '--date', '2024-09-02', '--dir', srv.dir, '--registers', srv.registersUrl,
    '--bank', srv.registersUrl, '--now', '2024-09-02T06:00:00Z']);
  assert.equal(pay.status, 0, pay.stderr);
  const lent = debtOn(id, '2024-09-02');
  assert.ok(lent > 0, 'a loan was paid out');
  assert.equal(srv.sql(`select max(month) from payout_lines where case_id = ${caseId} and state = 'planned'`), '2025-06');

  // Through June: still supported, no account in repayment.
  let out = loansRun('2025-06-30');
  assert.match(out, /support ended: 0/);
  assert.equal(srv.sql(`select count(*) from loan_accounts where person_id = ${id} and support_ended is not null`), '0');
  // The first of July: support ended on 30 June, interest from 1 July.
  out = loansRun('2025-07-01');
  assert.match(out, /support ended: [1-9]/);
  assert.equal(srv.sql(`select support_ended || ' ' || first_due from loan_accounts where person_id = ${id}`),
    '2025-06-30 2026-01-15');
  assert.equal(srv.sql(`select count(*) from ledger_entries where kind = 'interest' and person_id = ${id}`), '0');
  // Once only.
  assert.match(loansRun('2025-07-02'), /support ended: 0/);
  // July's interest on the debt, to the øre.
  loansRun('2025-08-01');
  assert.equal(srv.sql(`select sum(l.amount) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where e.kind = 'interest' and l.person_id = ${id}`), String(monthInterest(BigInt(lent), 31)));
  // The pause: no invoice before January 2026; then the first term.
  loansRun('2025-12-31');
  assert.equal(srv.sql(`select count(*) from loan_invoices where person_id = ${id}`), '0');
  out = loansRun('2026-01-01');
  assert.equal(srv.sql(`select group_concat(due) from loan_invoices where person_id = ${id}`), '2026-01-15');
});

// A borrower of 100 000 kr whose support ended 30 April 2024: the first
// term falls due 15 November 2024 (the due day the agency gives by default).
function borrower() {
  const nin = adult();
  loans('disburse', '--nin', nin, '--amount', '100 000', '--date', '2023-08-15', '--cause', 'payout:e2e');
  loans('support-ended', '--nin', nin, '--date', '2024-04-30');
  return { nin, id: personOf(nin) };
}

test('an unpaid notice calls the loan in on its deadline and hands it to the collection agency, with letters and a handover line', async () => {
  const b = borrower();
  loansRun('2024-11-01');
  assert.equal(srv.sql(`select group_concat(due) from loan_invoices where person_id = ${b.id}`), '2024-11-15');
  loansRun('2024-11-16'); // the reminder, the day after the due day
  assert.equal(srv.sql(`select reminders || ' ' || reminded_at from loan_invoices where person_id = ${b.id} and due = '2024-11-15'`), '1 2024-11-16');
  loansRun('2024-11-30'); // the notice of termination, 14 days on
  assert.equal(srv.sql(`select reminders || ' ' || reminded_at from loan_invoices where person_id = ${b.id} and due = '2024-11-15'`), '2 2024-11-30');
  // The notice's deadline: 14 days; the day before it nothing happens.
  let out = loansRun('2024-12-13', '--handover-dir', handoverDir);
  assert.match(out, /called in: 0/);
  assert.equal(srv.sql(`select count(*) from loan_account_status where person_id = ${b.id}`), '0');
  out = loansRun('2024-12-14', '--handover-dir', handoverDir);
  assert.match(out, /called in: 1/);
  assert.match(out, /handed to the collection agency: 1/);
  const debt = debtOn(b.id, '2024-12-14');
  assert.equal(srv.sql(`select status || ' ' || called_in || ' ' || called_in_amount || ' ' || handed_over || ' ' || handover_amount
    from loan_account_status where person_id = ${b.id}`), `collection 2024-12-14 ${debt} 2024-12-14 ${debt}`);
  assert.equal(srv.sql(`select count(*) from audit where action in ('loan.call-in', 'loan.collection') and object = 'person:${b.id}'`), '2');
  // The handover file: one line, the documented fields.
  const files = readdirSync(handoverDir).filter((f) => f.endsWith('.jsonl'));
  assert.equal(files.length, 1);
  const lines = readFileSync(path.join(handoverDir, files[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const line = lines.find((l) => l.nin === b.nin);
  assert.deepEqual(line, { nin: b.nin, kid: srv.sql(`select kid from loan_accounts where person_id = ${b.id}`),
    creditor: 'Statens lånekasse for utdanning', called_in: '2024-12-14', handed_over: '2024-12-14', amount_ore: debt });
  // Written once: the next run writes no new file and calls in nothing again.
  out = loansRun('2025-01-02', '--handover-dir', handoverDir);
  assert.match(out, /called in: 0/);
  assert.equal(readdirSync(handoverDir).filter((f) => f.endsWith('.jsonl')).length, 1);
  // No invoice after the call-in (January's would be made on 1 January).
  assert.equal(srv.sql(`select count(*) from loan_invoices where person_id = ${b.id} and due > '2024-12-15'`), '0');

  // The borrower reads the letters and sees it on "Min gjeld".
  const c = new Client(srv.base);
  await loginNin(c, b.nin);
  const called = srv.sql(`select called_in_letter from loan_account_status where person_id = ${b.id}`);
  const letter = await c.get(`/innboks/${called}`);
  assert.equal(letter.status, 200);
  assert.match(letter.text, /Vedtak om oppsigelse av studielån/);
  assert.match(letter.text, new RegExp(`id="loan-status-letter" data-kind="called-in" data-ore="${debt}"`));
  const pdf = await c.get(`/innboks/${called}/pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const handed = srv.sql(`select handover_letter from loan_account_status where person_id = ${b.id}`);
  assert.match((await c.get(`/innboks/${handed}`)).text, /Statens innkrevingssentral/);
  const page = await c.get('/mine-sider/gjeld');
  assert.equal(page.status, 200);
  assert.match(page.text, /id="loan-later" data-status="collection"/);
  assert.match(page.text, /data-status="collection">Lånet er overført til Statens innkrevingssentral/);
  assert.doesNotMatch(page.text, /id="loan-fix"/);
});

test('a death in the population register writes the whole debt off once, cancels the invoices, and the account shows it', async () => {
  const b = borrower();
  loansRun('2024-12-01');
  assert.equal(srv.sql(`select count(*) from loan_invoices where person_id = ${b.id} and paid_at is null and cancelled_at is null`), '2');
  // Someone without a loan dies too: nothing to write off.
  const other = adult();
  await control('corrections', { nin: b.nin, change: 'death', date: '2024-12-10' });
  await control('corrections', { nin: other, change: 'death', date: '2024-12-11' });
  const bad = await fetch(`${srv.registersUrl}/_control/corrections`, { method: 'POST', body: JSON.stringify({ nin: b.nin, change: 'death', date: '2024-02-30' }) });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).field, 'date');
  const person = await (await fetch(`${srv.registersUrl}/population/v1/persons/${b.nin}`)).json();
  assert.equal(person.date_of_death, '2024-12-10');

  const before = debtOn(b.id, '2024-12-31');
  assert.ok(before > 10000000);
  let out = loansRun('2024-12-31', '--registers', srv.registersUrl);
  assert.match(out, /written off on death: 1, \d+ øre/);
  const written = Number(out.match(/written off on death: 1, (\d+) øre/)[1]);
  assert.equal(written, before);
  assert.equal(debtOn(b.id, '2030-01-01'), 0);
  // No interest after the death: December's is never charged.
  assert.equal(srv.sql(`select count(*) from ledger_entries where kind = 'interest' and person_id = ${b.id} and effective > '2024-12-10'`), '0');
  assert.equal(srv.sql(`select e.cause || ' ' || e.effective from ledger_entries e where e.kind = 'write-off' and e.person_id = ${b.id}`),
    'death:register 2024-12-10');
  assert.equal(srv.sql(`select count(*) from loan_invoices where person_id = ${b.id} and cancelled_at is null and paid_at is null`), '0');
  assert.equal(srv.sql(`select status || ' ' || died || ' ' || written_off from loan_account_status where person_id = ${b.id}`),
    `deceased 2024-12-10 ${before}`);
  // Read once: the feed goes on from where it stopped.
  out = loansRun('2025-01-31', '--registers', srv.registersUrl);
  assert.match(out, /written off on death: 0/);
  assert.equal(srv.sql(`select count(*) from ledger_entries where kind = 'write-off' and person_id = ${b.id}`), '1');
  assert.equal(srv.sql(`select count(*) from loan_invoices where person_id = ${b.id} and due > '2024-12-15'`), '0');
  const c = new Client(srv.base);
  await loginNin(c, b.nin);
  const page = await c.get('/mine-sider/gjeld');
  assert.match(page.text, /id="loan-later" data-status="deceased"/);
  assert.match(page.text, /id="loan-balance" data-ore="0"/);
});

test('eFaktura goes to the bank without the paper fee; AvtaleGiro is paid by the bank on the due day and booked by KID; paper costs the fee', async () => {
  const [ef, ag, paper] = [borrower(), borrower(), borrower()];
  // All three have asked for paper invoices.
  srv.sql(`update loan_accounts set paper = 1 where person_id in (${ef.id}, ${ag.id}, ${paper.id})`);
  const kid = (b) => srv.sql(`select kid from loan_accounts where person_id = ${b.id}`);
  const agree = async (b, kind) => {
    const r = await fetch(`${srv.registersUrl}/giro/v1/agreements`, { method: 'POST', body: JSON.stringify({ kid: kid(b), kind }) });
    assert.equal(r.status, 201, await r.text());
  };
  await agree(ef, 'efaktura');
  await agree(ag, 'avtalegiro');
  const wrong = await fetch(`${srv.registersUrl}/giro/v1/agreements`, { method: 'POST', body: JSON.stringify({ kid: kid(ef), kind: 'fax' }) });
  assert.equal(wrong.status, 422);

  let out = loansRun('2024-11-01', '--bank', srv.registersUrl);
  assert.match(out, /eFaktura and AvtaleGiro: 2 agreements, 2 invoices sent to the bank/);
  const inv = (b) => srv.sql(`select i.id || ' ' || i.amount || ' ' || i.fee || ' ' || coalesce(c.channel, 'mailbox') || ' ' || (c.sent_at is not null)
    from loan_invoices i left join loan_invoice_channels c on c.invoice_id = i.id where i.person_id = ${b.id} and i.due = '2024-11-15'`).split(' ');
  const [efId, efAmount, efFee, efChannel, efSent] = inv(ef);
  assert.deepEqual([efFee, efChannel, efSent], ['0', 'efaktura', '1']);
  assert.deepEqual(inv(ag).slice(2), ['0', 'avtalegiro', '1']);
  assert.deepEqual(inv(paper).slice(2), ['1800', 'mailbox', '0']);
  assert.equal(srv.sql(`select coalesce(sum(l.amount), 0) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where e.kind = 'fee' and l.account = 'loan.principal' and l.person_id in (${ef.id}, ${ag.id})`), '0');
  assert.equal(srv.sql(`select sum(l.amount) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where e.kind = 'fee' and l.account = 'loan.principal' and l.person_id = ${paper.id}`), '1800');
  // The bank holds the eFaktura, once, with the term and due day.
  const held = await (await fetch(`${srv.registersUrl}/giro/v1/efaktura?kid=${kid(ef)}`)).json();
  assert.deepEqual(held.invoices.map((i) => [i.ref, i.amount_ore, i.due]), [[`invoice:${efId}`, Number(efAmount), '2024-11-15']]);
  out = loansRun('2024-11-01', '--bank', srv.registersUrl);
  assert.match(out, /2 agreements, 0 invoices sent/);
  // Min gjeld says how the invoices come.
  const c = new Client(srv.base);
  await loginNin(c, ef.nin);
  assert.match((await c.get('/mine-sider/gjeld')).text, /id="loan-giro">Regningene kommer som eFaktura/);

  // AvtaleGiro: nothing is paid before the due day; on it, the bank pays
  // and its camt.054 is booked by KID.
  const importTo = (day) => {
    const r = run(['loans', 'import', '--bank', srv.registersUrl, '--date', day, '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    return r.stdout;
  };
  importTo('2024-11-14');
  assert.equal(srv.sql(`select paid || ' ' || coalesce(paid_at, '-') from loan_invoices where person_id = ${ag.id} and due = '2024-11-15'`), '0 -');
  out = importTo('2024-11-15');
  assert.match(out, /matched: 1,/);
  const agAmount = inv(ag)[1];
  assert.equal(srv.sql(`select paid || ' ' || paid_at from loan_invoices where person_id = ${ag.id} and due = '2024-11-15'`), `${agAmount} 2024-11-15`);
  assert.equal(srv.sql(`select debtor from loan_payments where person_id = ${ag.id}`), 'AvtaleGiro');
  // The eFaktura is the payer's to pay: still open.
  assert.equal(srv.sql(`select paid from loan_invoices where id = ${efId}`), '0');
});

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

test('a case worker books a payment with an unknown KID to a borrower, or refunds it; each a ledger entry on agency.suspense, audited', async () => {
  const b = borrower();
  loansRun('2024-11-01');
  const kidOf = srv.sql(`select kid from loan_accounts where person_id = ${b.id}`);
  const pay = async (amount, booked, debtor) => {
    const r = await fetch(`${srv.registersUrl}/giro/v1/payments`, { method: 'POST',
      body: JSON.stringify({ kid: '1234567897', amount_ore: amount, booked, debtor }) });
    assert.equal(r.status, 201);
    return (await r.json()).ref;
  };
  const refs = [await pay(500000, '2024-11-05', 'Feil Kid'), await pay(30000, '2024-11-06', 'Ukjent Betaler'),
    await pay(900000000, '2024-11-07', 'For Mye')];
  const imported = run(['loans', 'import', '--bank', srv.registersUrl, '--db', srv.db]);
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, /unknown KID: 3/);
  const idOf = (ref) => srv.sql(`select id from loan_payments where bank_ref = '${ref}'`);
  const [small, tiny, big] = refs.map(idOf);
  const suspense = () => srv.sql("select coalesce(sum(amount), 0) from ledger_legs where account = 'agency.suspense'");
  // Received, and waiting on agency.suspense.
  assert.equal(suspense(), String(-(500000 + 30000 + 900000000)));

  const sara = new Client(srv.base);
  const login = await sara.get('/login');
  assert.equal((await sara.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(login.text) })).status, 303);
  let page = await sara.get('/saksbehandling/innbetalinger');
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`action="/saksbehandling/innbetalinger/${small}/bokfor"`));
  const csrf = Client.csrf(page.text);

  // Nothing to book it to: the field is named.
  let r = await sara.post(`/saksbehandling/innbetalinger/${small}/bokfor`, { csrf, nin: '', kid: '1000000000' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="wb-payments-error" data-field="kid"/);
  // By KID: booked to the borrower, interest first, the invoice paid.
  const before = debtOn(b.id, '2030-01-01');
  r = await sara.post(`/saksbehandling/innbetalinger/${small}/bokfor`, { csrf, nin: '', kid: kidOf });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/saksbehandling/innbetalinger?status=bokfort');
  assert.equal(srv.sql(`select state || ' ' || person_id from loan_payments where id = ${small}`), `resolved ${b.id}`);
  assert.equal(debtOn(b.id, '2030-01-01'), before - 500000);
  assert.equal(srv.sql(`select count(*) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where e.cause = 'payment:${small}' and e.person_id = ${b.id} and l.account = 'agency.suspense' and l.amount = 500000`), '1');
  assert.equal(srv.sql(`select paid from loan_invoices where person_id = ${b.id} and due = '2024-11-15'`),
    String(Math.min(500000, Number(srv.sql(`select amount + fee from loan_invoices where person_id = ${b.id} and due = '2024-11-15'`)))));
  assert.equal(srv.sql(`select actor from audit where action = 'loan.payment.book' and object = 'payment:${small}'`),
    `staff:${srv.sql("select id from staff where username = 'sara.berg'")}`);
  // Once.
  r = await sara.post(`/saksbehandling/innbetalinger/${small}/bokfor`, { csrf, nin: b.nin });
  assert.equal(r.status, 409);
  // More than the debt: refused, to be refunded.
  r = await sara.post(`/saksbehandling/innbetalinger/${big}/bokfor`, { csrf, nin: b.nin });
  assert.equal(r.status, 409);
  assert.match(r.text, /data-field="amount"/);
  assert.equal(srv.sql(`select state from loan_payments where id = ${big}`), 'unmatched');

  // Refunds: a wrong account is named; a right one makes the record.
  r = await sara.post(`/saksbehandling/innbetalinger/${tiny}/tilbakebetal`, { csrf, account: '12345678901' });
  assert.equal(r.status, 422);
  assert.match(r.text, /data-field="account"/);
  const account = newAccount(4242);
  for (const [id, amount] of [[tiny, 30000], [big, 900000000]]) {
    r = await sara.post(`/saksbehandling/innbetalinger/${id}/tilbakebetal`, { csrf, account: `${account.slice(0, 4)}.${account.slice(4, 6)}.${account.slice(6)}` });
    assert.equal(r.status, 303);
    assert.equal(srv.sql(`select amount || ' ' || account from loan_refunds where payment_id = ${id}`), `${amount} ${account}`);
    assert.equal(srv.sql(`select state from loan_payments where id = ${id}`), 'resolved');
    assert.equal(srv.sql(`select count(*) from audit where action = 'loan.payment.refund' and object = 'payment:${id}'`), '1');
  }
  // Everything resolved: agency.suspense is back at 0, the bank's money
  // out again, and the ledger holds.
  assert.equal(suspense(), '0');
  page = await sara.get('/saksbehandling/innbetalinger');
  for (const id of [small, tiny, big]) assert.doesNotMatch(page.text, new RegExp(`data-payment="${id}"`));
  const check = run(['ledger', 'check', '--db', srv.db]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
});

test('the borrower chooses the due day (5th, 15th or 25th) on Min gjeld; the invoices to come fall due on it', async () => {
  const b = borrower();
  const c = new Client(srv.base);
  await loginNin(c, b.nin);
  let page = await c.get('/mine-sider/gjeld');
  // The text names the day (it once showed its placeholder "{due_day}").
  assert.match(page.text, /id="loan-due-day" data-day="15">[^<]*\b15\./);
  assert.doesNotMatch(page.text, /\{due_day\}/);
  const csrf = Client.csrf(page.text);
  for (const day of ['20', '0', 'x', '']) {
    const r = await c.post('/mine-sider/gjeld/forfall', { csrf, day });
    assert.equal(r.status, 422, `day ${day}`);
  }
  let r = await c.post('/mine-sider/gjeld/forfall', { csrf, day: '5' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/mine-sider/gjeld?forfall=endret');
  page = await c.get('/mine-sider/gjeld?forfall=endret');
  assert.match(page.text, /id="loan-due-day" data-day="5">[^<]*\b5\./);
  assert.match(page.text, /id="due-5" checked/);
  assert.equal(srv.sql(`select count(*) from audit where action = 'loan.due-day' and object = 'person:${b.id}'`), '1');
  loansRun('2024-12-01');
  assert.equal(srv.sql(`select group_concat(due) from loan_invoices where person_id = ${b.id} order by due`), '2024-11-05,2024-12-05');
  // From the next invoice on: the 25th.
  r = await c.post('/mine-sider/gjeld/forfall', { csrf, day: '25' });
  assert.equal(r.status, 303);
  loansRun('2025-01-01');
  assert.equal(srv.sql(`select group_concat(due) from loan_invoices where person_id = ${b.id} order by due`),
    '2024-11-05,2024-12-05,2025-01-25');
  const check = run(['ledger', 'check', '--db', srv.db]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
});

// #11: "by paper when the person has not chosen digital". A borrower who
// has chosen paper (the account's paper flag, the invoices with the fee)
// gets the loan's letters in the next print batch at once, unread or not
// yet read; a borrower who has not chosen paper gets them in the mailbox
// only (the paper fallback's days are for decision letters).
test('a borrower who chose paper gets the invoice and the annual statement on paper at the next print batch; a digital one does not', async () => {
  const [onPaper, digital] = [borrower(), borrower()];
  srv.sql(`update loan_accounts set paper = 1 where person_id = ${onPaper.id}`);
  loansRun('2024-11-01');
  const st = run(['loans', 'statement', '--db', srv.db, '--year', '2024', '--out', path.join(handoverDir, 'tax-2024.jsonl')]);
  assert.equal(st.status, 0, st.stderr + st.stdout);
  const letters = (b, kind) => srv.sql(`select id from letters where person_id = ${b.id} and kind = '${kind}' order by id`).split('\n').filter(Boolean);
  const paperLetters = [...letters(onPaper, 'loan-invoice'), ...letters(onPaper, 'loan-statement')];
  assert.equal(paperLetters.length, 2);
  assert.equal(letters(digital, 'loan-statement').length, 1);

  const out = mkdtempSync(path.join(os.tmpdir(), 'stipend-loan-paper-'));
  try {
    const batch = (now) => {
      const r = run(['print-batch', '--db', srv.db, '--out', out, '--json', '--now', now]);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    // The day after: no fallback days to wait for.
    const summary = batch('2025-01-02T06:00:00Z');
    const inBatches = summary.batches.flatMap((b) => JSON.parse(readFileSync(path.join(out, b.manifest), 'utf8')).letters)
      .map((l) => String(l.letter_id));
    for (const id of paperLetters) assert.ok(inBatches.includes(id), `letter ${id} is on paper`);
    for (const id of [...letters(digital, 'loan-invoice'), ...letters(digital, 'loan-statement')]) {
      assert.ok(!inBatches.includes(id), `letter ${id} of the digital borrower is not on paper`);
    }
    assert.equal(srv.sql(`select count(*) from letters where id in (${paperLetters.join(',')}) and paper_at is not null`), '2');
    // Once: the next run finds none of them again.
    const again = batch('2025-01-03T06:00:00Z');
    const twice = again.batches.flatMap((b) => JSON.parse(readFileSync(path.join(out, b.manifest), 'utf8')).letters)
      .map((l) => String(l.letter_id));
    for (const id of paperLetters) assert.ok(!twice.includes(id), `letter ${id} is printed once`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
