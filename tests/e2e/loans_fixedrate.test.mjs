// loans_fixedrate.test.mjs - the fixed rate's interest loss or gain
// (rentetap/rentegevinst, #11) against the real binaries: a borrower with a
// fixed rate pays extra through the simulated bank and the camt.054 import,
// and the debt rises by exactly the loss; an extra payment on a day whose
// rates of new agreements are not known is booked, and its loss or gain
// waits (listed for the case workers) until the parameters hold them; ending
// the agreement on "Min gjeld" posts the gain on the whole principal, with a
// letter, and the next month's interest is at the floating rate; `stipend
// ledger check` passes throughout.
//
// The expected figures are worked out here from the rule as README states it
// (lanekassen.no, "Rentetap og rentegevinst"; the formula is ours), in
// floating point, independently of the C code's integer arithmetic.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, nbsp, root, run, startServer } from '../lib/server.mjs';

// ---- dates, relative to today (the server reads the real clock) ----

const iso = (d) => d.toISOString().slice(0, 10);
const now = new Date();
const monthStart = (k, day = 1) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, day));
const lastMonthEnd = iso(new Date(monthStart(0) - 86400000)); // support ended then
const M0 = monthStart(1); // a fixed rate chosen today runs from here
const dayBefore = (d) => iso(new Date(d - 86400000));
function monthsLeft(day, until) {
  const a = new Date(`${day}T00:00:00Z`), b = new Date(`${until}T00:00:00Z`);
  return (b.getUTCFullYear() * 12 + b.getUTCMonth()) - (a.getUTCFullYear() * 12 + a.getUTCMonth()) + 1;
}

// ---- the test's own rates (the compiled-in set holds May-June 2024) ----

const param = (key, value, from, to) => `${key}:
  value: ${value}
  unit: thousandths-percent
  valid_from: ${from}
  valid_to: ${to}
  reference: test
  source: test
`;
const fixedRates = ([r3, r5, r10], from, to) =>
  param('loan.rate.fixed.3', r3, from, to) + param('loan.rate.fixed.5', r5, from, to) + param('loan.rate.fixed.10', r10, from, to);
// Period A (from next month, 3 months): the 5-year rate chosen today is
// 2.000 %, below a 4-9 year comparison; period B: new agreements are cheap,
// so paying extra loses the agency interest; period C is written later.
const A = [3000, 2000, 6000], B = [1000, 1200, 1500], C = [5000, 5200, 5500];
const periodA = [iso(M0), dayBefore(monthStart(4))];
const periodB = [iso(monthStart(4)), dayBefore(monthStart(7))];
const periodC = [iso(monthStart(7)), dayBefore(monthStart(10))];

// ---- the rule, worked out here ----

// The comparison rate in 1/120 thousandths of a percent: the 3-year rate up
// to 36 months, linear by months to 60 (3 to 5 years) and 120 (5 to 10).
function comparison([r3, r5, r10], months) {
  if (months <= 36) return r3 * 120;
  if (months <= 60) return r3 * 120 + (r5 - r3) * (months - 36) * 5;
  return r5 * 120 + (r10 - r5) * (months - 60) * 2;
}
// The present value at the comparison rate of the monthly rate difference
// on the part of the amount the plan (an annuity at the agreement's rate
// over the terms left) would still owe: month k's part is amount * B(j)/B(0),
// j the terms paid before month k (none in the payment pause). Rounded to
// whole øre, half away from zero.
function expected(amount, rate, rate120, months, pause, terms) {
  const i = rate / 1200000, c = rate120 / (1200000 * 120), d = (rate * 120 - rate120) / (1200000 * 120);
  const gT = (1 + i) ** terms;
  let sum = 0;
  for (let k = 1; k <= months && k <= pause + terms; k++) {
    const j = k - 1 - pause; // terms paid before month k: none in the pause
    const share = j < 0 ? 1 : i === 0 ? (terms - j) / terms : (gT - (1 + i) ** j) / (gT - 1);
    sum += (amount * share * d) / (1 + c) ** k;
  }
  return Math.sign(sum) * Math.round(Math.abs(sum));
}
// The plan from a day: the months of the pause before its first term, and
// its terms from then (or from the day) through its last.
function plan(b, day) {
  const pause = day < b.firstDue ? monthsLeft(day, b.firstDue) - 1 : 0;
  return [pause, monthsLeft(day < b.firstDue ? b.firstDue : day, b.lastDue)];
}

let srv;
let paramsDir;
before(async () => {
  paramsDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-fixedrate-params-'));
  cpSync(path.join(root, 'params/no'), paramsDir, { recursive: true });
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-floating.yaml'),
    param('loan.rate.floating', 4000, '2024-07-01', '2060-12-31'));
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-fixed-a.yaml'), fixedRates(A, ...periodA));
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-fixed-b.yaml'), fixedRates(B, ...periodB));
  srv = await startServer({ persons: 30, registers: true, params: paramsDir });
});
after(async () => {
  await srv?.stop();
  if (paramsDir) rmSync(paramsDir, { recursive: true, force: true });
});

async function loginNin(c, nin) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

let nextAdult = 0;
function adult() {
  const nins = srv.sql("select nin from persons where birth_date < '1990-01-01' and confidential_address = 0 order by id")
    .split('\n');
  assert.ok(nextAdult < nins.length, 'the population has too few adults');
  return nins[nextAdult++];
}

function loans(...args) {
  const r = run(['loans', ...args, '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /every entry balances/);
  return r.stdout;
}

function ledgerCheck() {
  const r = run(['ledger', 'check', '--db', srv.db]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /every entry balances/);
}

const debtOf = (id, through = '9999-12-31') =>
  Number(srv.sql(`select coalesce(sum(amount), 0) from ledger_legs where person_id = ${id} and effective <= '${through}'`));

// A borrower of 200 000 kr whose support ended last month (in the pause, no
// invoice yet), with a 5-year fixed rate chosen on Min gjeld from next month.
async function fixedBorrower() {
  const nin = adult();
  loans('disburse', '--nin', nin, '--amount', '200 000', '--date', '2023-08-15', '--cause', 'payout:e2e');
  loans('support-ended', '--nin', nin, '--date', lastMonthEnd);
  const id = Number(srv.sql(`select id from persons where nin='${nin}'`));
  const c = new Client(srv.base);
  await loginNin(c, nin);
  const page = await c.get('/mine-sider/gjeld');
  const r = await c.post('/mine-sider/gjeld/fastrente', { csrf: Client.csrf(page.text), years: '5' });
  assert.equal(r.status, 303);
  const [rate, from, until, kid, firstDue, lastDue] = srv.sql(`select fixed_rate || '|' || fixed_from || '|' || fixed_until
    || '|' || kid || '|' || first_due || '|' || last_due from loan_accounts where person_id = ${id}`).split('|');
  assert.equal(rate, String(A[1]));
  assert.equal(from, iso(M0));
  return { nin, id, c, kid, until, firstDue, lastDue };
}

async function pay(kid, amountOre, booked) {
  const r = await fetch(`${srv.registersUrl}/giro/v1/payments`, {
    method: 'POST', body: JSON.stringify({ kid, amount_ore: amountOre, booked, debtor: 'Test Betaler' }),
  });
  assert.equal(r.status, 201);
}

function importBank() {
  const r = run(['loans', 'import', '--db', srv.db, '--bank', srv.registersUrl, '--params', paramsDir]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return r.stdout;
}

test('an extra payment within the fixed rate raises the debt by exactly the interest loss, posted with the payment', async () => {
  const b = await fixedBorrower();
  // Min gjeld tells a fixed-rate borrower what paying extra or ending does.
  const page = await b.c.get('/mine-sider/gjeld');
  assert.match(page.text, /id="loan-fixedrate-note"/);
  assert.match(page.text, /beregner vi rentetap eller rentegevinst når du betaler inn ekstra/);

  const booked = iso(monthStart(4, 10)); // within the agreement, period B's rates
  const before = debtOf(b.id);
  await pay(b.kid, 1000000, booked);
  const out = importBank();
  assert.match(out, /matched: 1, 1000000 øre/);
  assert.match(out, /fixed rate's loss or gain: 1 posted, 0 waiting/);

  // No invoice is open and no interest is posted yet: the whole 10 000 kr is
  // extra. 57 months are left of the agreement (through its last day), so
  // the comparison is 4 3/4 years between period B's 3- and 5-year rates.
  const months = monthsLeft(booked, b.until);
  assert.equal(months, 57);
  const rc = comparison(B, months);
  assert.equal(rc, 141000); // 1.000 % + (1.200 - 1.000) * 21/24 = 1.175 %
  // In the payment pause: the first term is two months after the payment's.
  const [pause, terms] = plan(b, booked);
  assert.equal(pause, 2);
  const loss = expected(1000000, A[1], rc, months, pause, terms);
  assert.ok(loss > 0, `a loss: the agreement's 2 % is above ${rc / 120 / 1000} %`);
  assert.equal(debtOf(b.id), before - 1000000 + loss);

  const paymentId = srv.sql(`select id from loan_payments where kid = '${b.kid}'`);
  assert.equal(srv.sql(`select e.kind || '|' || e.effective || '|' || l.amount from ledger_entries e join ledger_legs l
    on l.entry_id = e.id where e.cause = 'payment:${paymentId}' and e.kind like 'fixed-rate-%' and l.account = 'loan.principal'`),
  `fixed-rate-loss|${booked}|${loss}`);
  assert.equal(srv.sql(`select sum(l.amount) from ledger_entries e join ledger_legs l on l.entry_id = e.id
    where e.cause = 'payment:${paymentId}' and e.kind = 'fixed-rate-loss' and l.account = 'agency.interest-income'`), String(-loss));
  ledgerCheck();

  // The letter says so, in figures, and Min gjeld lists it among the payments.
  const letter = srv.sql(`select letter_id from loan_fixed_adjustments where cause = 'payment:${paymentId}'`);
  const shown = await b.c.get(`/innboks/${letter}`);
  assert.equal(shown.status, 200);
  assert.match(shown.text, /<h1[^>]*>Rentetap eller rentegevinst</);
  assert.match(shown.text, new RegExp(`data-adjustment="${loss}"`));
  assert.match(nbsp(shown.text), /de 57 månedene som var igjen av avtalen: 1,1750 %/);
  assert.match(shown.text, /rentetapet, .* er lagt til gjelden din/);
  const pdf = await b.c.get(`/innboks/${letter}/pdf`);
  assert.equal(pdf.status, 200);
  const after = await b.c.get('/mine-sider/gjeld');
  assert.match(after.text, new RegExp(`<tr data-adjustment="${loss}" data-event="extra-payment">`));
  assert.match(after.text, new RegExp(`id="loan-balance" data-ore="${debtOf(b.id, iso(now))}"`));

  // The same report again books nothing, and posts no second loss.
  assert.match(importBank(), /matched: 0, 0 øre/);
  assert.equal(srv.sql(`select count(*) from ledger_entries where kind like 'fixed-rate-%' and person_id = ${b.id}`), '1');
});

test('an extra payment on a day without known rates is booked, and its loss or gain waits until the rates are there', async () => {
  const b = await fixedBorrower();
  const booked = iso(monthStart(7, 9)); // after period B: no rates of new agreements known
  const before = debtOf(b.id);
  await pay(b.kid, 500000, booked);
  const out = importBank();
  assert.match(out, /fixed rate's loss or gain: 0 posted, 1 waiting/);
  // The payment is booked; nothing is guessed.
  assert.equal(debtOf(b.id), before - 500000);
  assert.equal(srv.sql(`select count(*) from ledger_entries where kind like 'fixed-rate-%' and person_id = ${b.id}`), '0');
  const paymentId = srv.sql(`select id from loan_payments where kid = '${b.kid}'`);
  assert.equal(srv.sql(`select state || '|' || missing from loan_fixed_adjustments where cause = 'payment:${paymentId}'`),
    `waiting|loan.rate.fixed.3 ${booked}`);
  // The case workers see it on the payments page, with what is missing.
  const worker = new Client(srv.base);
  const login = await worker.get('/login');
  assert.equal((await worker.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(login.text) })).status, 303);
  const queue = await worker.get('/saksbehandling/innbetalinger');
  assert.equal(queue.status, 200);
  assert.match(queue.text, new RegExp(`<td>loan.rate.fixed.3 ${booked}</td><td>payment:${paymentId}</td>`));
  // Min gjeld says it waits.
  assert.match((await b.c.get('/mine-sider/gjeld')).text, /data-waiting="true"/);

  // The rates are published: the monthly run posts the gain (new agreements
  // now dearer than the agreement's 2 %), effective on the payment's day.
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-fixed-c.yaml'), fixedRates(C, ...periodC));
  loans('run', '--through', iso(now), '--params', paramsDir);
  const months = monthsLeft(booked, b.until);
  const gain = expected(500000, A[1], comparison(C, months), months, ...plan(b, booked));
  assert.ok(gain < 0, 'a gain');
  assert.equal(srv.sql(`select state || '|' || adjustment from loan_fixed_adjustments where cause = 'payment:${paymentId}'`),
    `posted|${gain}`);
  assert.equal(srv.sql(`select e.kind || '|' || e.effective || '|' || l.amount from ledger_entries e join ledger_legs l
    on l.entry_id = e.id where e.cause = 'payment:${paymentId}' and e.kind like 'fixed-rate-%' and l.account = 'loan.principal'`),
  `fixed-rate-gain|${booked}|${gain}`);
  assert.doesNotMatch((await worker.get('/saksbehandling/innbetalinger')).text, new RegExp(`<td>payment:${paymentId}</td>`));
  ledgerCheck();
});

test('ending the agreement posts the gain on the whole principal from next month, with a letter; then the floating rate', async () => {
  const b = await fixedBorrower();
  // The agreement began three months ago (the test's clock cannot move: its
  // start is moved back instead), so it has run and has 57 months left.
  const began = iso(monthStart(-2));
  const until = dayBefore(monthStart(58));
  srv.sql(`update loan_accounts set fixed_from = '${began}', fixed_until = '${until}' where person_id = ${b.id}`);
  let page = await b.c.get('/mine-sider/gjeld');
  assert.match(page.text, /action="\/mine-sider\/gjeld\/fastrente\/avslutt"/);
  assert.match(nbsp(page.text), /Fast rente, 2,000 %/);
  // Another person has no agreement to end.
  const other = new Client(srv.base);
  await loginNin(other, adult());
  const otherPage = await other.get('/mine-sider/gjeld');
  assert.equal((await other.post('/mine-sider/gjeld/fastrente/avslutt', { csrf: Client.csrf(otherPage.text) })).status, 409);

  const principal = Number(srv.sql(`select sum(amount) from ledger_legs where person_id = ${b.id} and account = 'loan.principal'`));
  const r = await b.c.post('/mine-sider/gjeld/fastrente/avslutt', { csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/mine-sider/gjeld?fastrente=avsluttet');
  assert.equal(srv.sql(`select fixed_until from loan_accounts where person_id = ${b.id}`), dayBefore(M0));

  const months = monthsLeft(iso(M0), until);
  assert.equal(months, 57);
  const rc = comparison(A, months);
  assert.equal(rc, 255000); // 3.000 % + (2.000 - 3.000) * 21/24 = 2.125 %, above the agreement's 2 %
  const gain = expected(principal, A[1], rc, months, ...plan(b, iso(M0)));
  assert.ok(gain < 0);
  assert.equal(srv.sql(`select e.kind || '|' || e.effective || '|' || l.amount from ledger_entries e join ledger_legs l
    on l.entry_id = e.id where e.cause = 'fixed-rate-end:${b.id}:${iso(M0)}' and l.account = 'loan.principal'`),
  `fixed-rate-gain|${iso(M0)}|${gain}`);
  assert.equal(srv.sql(`select count(*) from audit where action = 'loan.fixed-rate.end' and object = 'person:${b.id}'`), '1');
  ledgerCheck();

  const letter = srv.sql(`select letter_id from loan_fixed_adjustments where cause = 'fixed-rate-end:${b.id}:${iso(M0)}'`);
  const shown = await b.c.get(`/innboks/${letter}`);
  assert.match(shown.text, /Du har avsluttet fastrenteavtalen din/);
  assert.match(shown.text, /rentegevinsten, .* er trukket fra gjelden din/);
  page = await b.c.get('/mine-sider/gjeld?fastrente=avsluttet');
  assert.match(page.text, /Fastrenteavtalen er avsluttet/);
  assert.match(page.text, new RegExp(`<tr data-adjustment="${gain}" data-event="end">`));
  assert.doesNotMatch(page.text, /action="\/mine-sider\/gjeld\/fastrente\/avslutt"/);
  // Ended once: a second try finds no agreement running into next month.
  assert.equal((await b.c.post('/mine-sider/gjeld/fastrente/avslutt', { csrf: Client.csrf(page.text) })).status, 409);

  // The month from which it is floating: its interest is the floating
  // 4.000 % a day on the debt (the gain deducted on its first day), summed
  // and rounded once, as the run computes any month.
  const monthEnd = dayBefore(monthStart(2));
  loans('run', '--through', monthEnd, '--params', paramsDir);
  const cause = `interest:${iso(M0).slice(0, 7)}`;
  const charged = Number(srv.sql(`select l.amount from ledger_entries e join ledger_legs l on l.entry_id = e.id
    where e.person_id = ${b.id} and e.cause = '${cause}' and l.account = 'loan.interest'`));
  const balance = BigInt(debtOf(b.id, dayBefore(monthStart(2))) - charged);
  const days = BigInt((monthStart(2) - M0) / 86400000);
  const y = M0.getUTCFullYear(), yearDays = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 366n : 365n;
  const num = balance * 4000n * days, den = 100000n * yearDays;
  assert.equal(BigInt(charged), (2n * num + den) / (2n * den));
  ledgerCheck();
});

test('a payment no account took, booked to a fixed-rate borrower by a case worker, has its loss posted too', async () => {
  const b = await fixedBorrower();
  const booked = iso(monthStart(5, 3)); // period B's rates
  await pay('1234567897', 300000, booked); // a KID that checks, but no account has
  assert.match(importBank(), /unknown KID: 1/);
  const paymentId = srv.sql("select id from loan_payments where kid = '1234567897' and state = 'unmatched'");
  const worker = new Client(srv.base);
  const login = await worker.get('/login');
  assert.equal((await worker.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(login.text) })).status, 303);
  const queue = await worker.get('/saksbehandling/innbetalinger');
  const before = debtOf(b.id);
  const r = await worker.post(`/saksbehandling/innbetalinger/${paymentId}/bokfor`, { csrf: Client.csrf(queue.text), nin: b.nin });
  assert.equal(r.status, 303);
  const months = monthsLeft(booked, b.until);
  const loss = expected(300000, A[1], comparison(B, months), months, ...plan(b, booked));
  assert.ok(loss > 0);
  assert.equal(debtOf(b.id), before - 300000 + loss);
  assert.equal(srv.sql(`select kind || '|' || effective from ledger_entries where cause = 'payment:${paymentId}'
    and kind like 'fixed-rate-%'`), `fixed-rate-loss|${booked}`);
  ledgerCheck();
});
