// loans.test.mjs - the loan account over HTTP and the command line, against
// the real binaries: a loan payout and the end of support posted into the
// ledger; the monthly run's interest (worked out here on its own, to the
// øre) and invoices with the borrower's KID as letters and PDFs; "Min gjeld"
// with the debt, the next invoice and the plan as table and chart; a fixed
// rate chosen; an invoice paid in the simulated bank and booked from its
// camt.054 report, once; a payment with an unknown KID left for a case
// worker; and `stipend ledger check` green, then red when a leg is forged.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, nbsp, root, run, startServer } from '../lib/server.mjs';

// The compiled-in parameters hold the floating rate of May and June 2024
// only, and no wealth limits for conversion in 2024 (the pages held do not
// give them): these tests add figures of their own, marked as such.
const rates = `loan.rate.floating:
  value: 4000
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2030-12-31
  reference: test
  source: test
${[3, 5, 10].map((y) => `loan.rate.fixed.${y}:
  value: ${3000 + y * 100}
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2030-12-31
  reference: test
  source: test
`).join('')}${['single', 'married'].map((w) => `conversion.wealth_limit.${w}:
  value: 50000000
  unit: ore
  valid_from: 2024-01-01
  valid_to: 2024-12-31
  reference: test
  source: test
`).join('')}`;

let srv;
let paramsDir;
before(async () => {
  paramsDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-loan-params-'));
  cpSync(path.join(root, 'params/no'), paramsDir, { recursive: true });
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-loan-rates.yaml'), rates);
  srv = await startServer({ persons: 40, registers: true, params: paramsDir });
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
  const nins = srv.sql("select nin from persons where birth_date < '2000-01-01' and confidential_address = 0 order by id")
    .split('\n');
  assert.ok(nextAdult < nins.length, 'the population has too few adults');
  return nins[nextAdult++];
}
const personOf = (nin) => srv.sql(`select id from persons where nin='${nin}'`);

function loans(...args) {
  const r = run(['loans', ...args, '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /every entry balances/);
  return r.stdout;
}

// Interest as the regulation's arithmetic gives it: daily on the debt,
// 365 days in 2025, each month's sum rounded to whole øre and added.
function expectedInterest(debt, months) {
  let total = 0n;
  for (const days of months) {
    const num = debt * 4000n * BigInt(days) * 2n, den = 100000n * 365n * 2n;
    const i = (num + 100000n * 365n) / den;
    total += i;
    debt += i;
  }
  return { total, debt };
}

async function pay(kid, amountOre, booked) {
  const r = await fetch(`${srv.registersUrl}/giro/v1/payments`, {
    method: 'POST', body: JSON.stringify({ kid, amount_ore: amountOre, booked, debtor: 'Test Betaler' }),
  });
  return { status: r.status, body: await r.json() };
}

// A borrower with 200 000 kr lent in August 2023, support ended 31 January
// 2025: interest from 1 February, first term due 15 August 2025 (the due
// day the agency gives by default).
function borrower() {
  const nin = adult();
  loans('disburse', '--nin', nin, '--amount', '200 000', '--date', '2023-08-15', '--cause', 'payout:e2e');
  loans('support-ended', '--nin', nin, '--date', '2025-01-31');
  return { nin, id: personOf(nin) };
}

test('the monthly run posts interest to the øre and invoices each term with the KID, in the mailbox and as PDF', async () => {
  const b = borrower();
  const out = loans('run', '--through', '2025-09-01', '--params', paramsDir);
  assert.match(out, /invoices: [1-9]/);
  const { total, debt } = expectedInterest(20000000n, [28, 31, 30, 31, 30, 31, 31]);
  assert.equal(srv.sql(`select sum(l.amount) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where e.kind = 'interest' and l.person_id = ${b.id}`), String(total));
  assert.equal(srv.sql(`select count(*) from ledger_entries where kind = 'interest' and person_id = ${b.id}`), '7');
  assert.equal(srv.sql(`select sum(amount) from ledger_legs where person_id = ${b.id}`), String(debt));
  const invoices = srv.sql(`select due || '|' || kid || '|' || letter_id from loan_invoices where person_id = ${b.id} order by due`)
    .split('\n').map((l) => l.split('|'));
  assert.deepEqual(invoices.map((i) => i[0]), ['2025-08-15', '2025-09-15']);
  assert.match(invoices[0][1], /^1\d{9}$/);
  // The run again does nothing twice.
  const again = loans('run', '--through', '2025-09-01', '--params', paramsDir);
  assert.match(again, /interest: 0 entries/);
  assert.match(again, /invoices: 0,/);

  const c = new Client(srv.base);
  await loginNin(c, b.nin);
  const letter = await c.get(`/innboks/${invoices[0][2]}`);
  assert.equal(letter.status, 200);
  assert.match(letter.text, /Regning på studielån/);
  assert.match(letter.text, new RegExp(`id="invoice-kid">${invoices[0][1]}<`));
  assert.match(letter.text, /7694\.05\.20300/);
  const pdf = await c.get(`/innboks/${invoices[0][2]}/pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
});

test('Min gjeld shows the debt, the next invoice, the plan as table and chart; paying in the bank lowers the debt exactly', async () => {
  const b = borrower();
  loans('run', '--through', '2025-09-01', '--params', paramsDir);
  const c = new Client(srv.base);
  await loginNin(c, b.nin);
  let page = await c.get('/mine-sider/gjeld');
  assert.equal(page.status, 200);
  const debt = Number(srv.sql(`select sum(amount) from ledger_legs where person_id = ${b.id}`));
  assert.match(page.text, new RegExp(`id="loan-balance" data-ore="${debt}"`));
  assert.match(page.text, /<svg class="calc-chart__svg"/);
  assert.match(page.text, /id="loan-plan-table"/);
  assert.match(nbsp(page.text), /Flytende rente, 4,000 %/);
  const kid = page.text.match(/id="loan-kid">(\d+)</)[1];
  const left = Number(page.text.match(/id="loan-next" data-invoice="\d+" data-left="(\d+)"/)[1]);
  assert.equal(String(left), srv.sql(`select amount + fee - paid from loan_invoices where person_id = ${b.id} order by due limit 1`));

  // The bank refuses a KID whose check digit is wrong, as banks do.
  const wrong = kid.slice(0, -1) + String((Number(kid.at(-1)) + 1) % 10);
  assert.equal((await pay(wrong, left, '2025-08-19')).status, 422);
  assert.equal((await pay(kid, left, '2025-08-19')).status, 201);
  // A KID that checks but that no account has.
  assert.equal((await pay('1234567897', 50000, '2025-08-19')).status, 201);
  const imported = run(['loans', 'import', '--db', srv.db, '--bank', srv.registersUrl]);
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, new RegExp(`matched: 1, ${left} øre`));
  assert.match(imported.stdout, /unknown KID: 1/);
  // The report read again books nothing new.
  const twice = run(['loans', 'import', '--db', srv.db, '--bank', srv.registersUrl]);
  assert.equal(twice.status, 0, twice.stderr);
  assert.match(twice.stdout, /matched: 0, 0 øre/);
  assert.match(twice.stdout, /already booked: 2/);
  assert.equal(srv.sql("select count(*) from loan_payments where state = 'unmatched' and kid = '1234567897'"), '1');
  // A report that is no camt.054 is refused whole, naming what is wrong.
  const bad = path.join(paramsDir, 'bad.xml');
  writeFileSync(bad, '<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Ntry><Amt Ccy="NOK">12,50</Amt>'
    + '<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-08-19</Dt></BookgDt><AcctSvcrRef>X</AcctSvcrRef>'
    + '</Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>');
  const refused = run(['loans', 'import', '--db', srv.db, '--camt', bad]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /the amount "12,50" is not an amount in NOK/);
  // The case workers see it, with what the bank said; a borrower may not.
  const worker = new Client(srv.base);
  const login = await worker.get('/login');
  assert.equal((await worker.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(login.text) })).status, 303);
  const queue = await worker.get('/saksbehandling/innbetalinger');
  assert.equal(queue.status, 200);
  assert.match(queue.text, /<td>1234567897<\/td><td>Test Betaler<\/td><td>Ukjent KID-nummer<\/td>/);
  assert.equal((await c.get('/saksbehandling/innbetalinger')).status, 403);

  page = await c.get('/mine-sider/gjeld');
  assert.match(page.text, new RegExp(`id="loan-balance" data-ore="${debt - left}"`));
  assert.match(page.text, /id="loan-payment-list"/);
  assert.equal(srv.sql(`select count(*) from loan_invoices where person_id = ${b.id} and paid_at is not null`), '1');

  // The annual statement: a letter, and the tax authority's file, with the
  // ledger's figures for the year.
  const file = path.join(paramsDir, 'statement-2025.jsonl');
  const st = run(['loans', 'statement', '--db', srv.db, '--year', '2025', '--out', file]);
  assert.equal(st.status, 0, st.stderr + st.stdout);
  const line = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.nin === b.nin);
  assert.ok(line, 'the borrower is in the file');
  assert.equal(String(line.debt), srv.sql(`select sum(amount) from ledger_legs where person_id = ${b.id} and effective <= '2025-12-31'`));
  assert.equal(String(-line.interest_paid), srv.sql(`select coalesce(sum(l.amount), 0) from ledger_legs l join ledger_entries e
    on e.id = l.entry_id where e.kind = 'payment' and l.person_id = ${b.id} and l.account = 'loan.interest'`));
  assert.ok(line.interest_paid > 0);
  const letter = srv.sql(`select letter_id from loan_statements where person_id = ${b.id} and year = 2025`);
  const shown = await c.get(`/innboks/${letter}`);
  assert.match(shown.text, /Årsoppgave for studielån/);
  assert.match(shown.text, new RegExp(`data-ore="${line.interest_paid}"`));
  const again = run(['loans', 'statement', '--db', srv.db, '--year', '2025']);
  assert.match(again.stdout, /statements: 0/);
});

test('a fixed rate is chosen for 3, 5 or 10 years once; Min gjeld is the borrower\'s own', async () => {
  const b = borrower();
  loans('run', '--through', '2025-09-01', '--params', paramsDir);
  const c = new Client(srv.base);
  await loginNin(c, b.nin);
  let page = await c.get('/mine-sider/gjeld');
  assert.match(page.text, /name="years" value="5"/);
  const bad = await c.post('/mine-sider/gjeld/fastrente', { csrf: Client.csrf(page.text), years: '4' });
  assert.equal(bad.status, 422);
  const ok = await c.post('/mine-sider/gjeld/fastrente', { csrf: Client.csrf(page.text), years: '5' });
  assert.equal(ok.status, 303);
  assert.equal(srv.sql(`select fixed_rate || '|' || fixed_years from loan_accounts where person_id = ${b.id}`), '3500|5');
  assert.equal(srv.sql(`select count(*) from audit where action = 'loan.fixed-rate' and object = 'person:${b.id}'`), '1');
  page = await c.get('/mine-sider/gjeld?rente=fast');
  assert.match(nbsp(page.text), /3,500 %/);
  const twice = await c.post('/mine-sider/gjeld/fastrente', { csrf: Client.csrf(page.text), years: '3' });
  assert.equal(twice.status, 409);

  // Pay faster: the plan ends after 2 years of terms from next month's
  // (on the 15th, the due day by default), unless that is not before the month of the 70th birthday.
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 15));
  const last = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 23, 15)).toISOString().slice(0, 10);
  const birth = srv.sql(`select birth_date from persons where id = ${b.id}`);
  const seventy = `${Number(birth.slice(0, 4)) + 70}-${birth.slice(5, 7)}-01`;
  const replan = await c.post('/mine-sider/gjeld/plan', { csrf: Client.csrf(page.text), years: '2' });
  if (last < seventy) {
    assert.equal(replan.status, 303);
    assert.equal(srv.sql(`select last_due from loan_accounts where person_id = ${b.id}`), last);
    assert.equal(srv.sql(`select count(*) from audit where action = 'loan.plan-change' and object = 'person:${b.id}'`), '1');
  } else {
    assert.equal(replan.status, 422);
  }
  assert.equal((await c.post('/mine-sider/gjeld/plan', { csrf: Client.csrf(page.text), years: '21' })).status, 422);

  // Another person sees their own page, with no loan; a visitor goes to the login.
  const other = new Client(srv.base);
  await loginNin(other, adult());
  const theirs = await other.get('/mine-sider/gjeld');
  assert.equal(theirs.status, 200);
  assert.match(theirs.text, /id="loan-none"/);
  assert.doesNotMatch(theirs.text, new RegExp(srv.sql(`select kid from loan_accounts where person_id = ${b.id}`)));
  const anon = await new Client(srv.base).get('/mine-sider/gjeld');
  assert.equal(anon.status, 303);
});

// ---- conversion of loan to grant ----

const higher = { institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

async function simJson(p) {
  const r = await fetch(`${srv.registersUrl}${p}`);
  assert.equal(r.status, 200, p);
  return r.json();
}

test('stipend convert converts in proportion to the credits passed, on the tax authority\'s figures, once, with a letter', async () => {
  // Borrowers of 2024-2025 whose decision has a convertible basic loan, paid out.
  const cases = [];
  for (let i = 0; i < 12 && cases.length < 4; i++) {
    const nin = adult();
    const c = new Client(srv.base);
    await loginNin(c, nin);
    const r = await c.apply(higher);
    if (r.status !== 303) continue;
    const id = r.headers.get('location').split('/').pop();
    const row = srv.sql(`select json_extract(value, '$.amount') || '|' || json_extract(value, '$.convertible')
      from decisions d, json_each(d.decision_json, '$.awards') where d.case_id = ${id} and d.superseded_at is null
      and json_extract(value, '$.name') = 'basic-loan' and (select status from cases where id = ${id}) = 'decided'`);
    if (!row) continue;
    const [amount, convertible] = row.split('|').map(Number);
    if (!(convertible > 0)) continue;
    loans('disburse', '--nin', nin, '--amount', String(amount / 100), '--date', '2024-08-20', '--cause', `decision:${id}`);
    cases.push({ nin, id, person: personOf(nin), amount, c });
  }
  assert.ok(cases.length > 0, 'no borrower with a convertible loan in the population');
  const r = run(['convert', '--db', srv.db, '--year', '2024', '--registers', srv.registersUrl, '--params', paramsDir,
    '--date', '2025-11-01']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /every entry balances/);
  let converted = 0, positive = 0;
  for (const k of cases) {
    // The calendar year 2024 holds the autumn of 2024-2025 (the spring is
    // 2025's): tested against 2024's income, 30 credits expected.
    const row = srv.sql(`select convertible || '|' || income || '|' || credits_tenths || '|' || expected_tenths || '|' || converted
      || '|' || coalesce(letter_id, 0) || '|' || year || '|' || semester from loan_conversions where case_id = ${k.id}`);
    if (!row) continue; // for a case worker: the rules did not settle it on the year's figures
    const [allowed, income, credits, expected, conv, letter, year] = row.split('|').map(Number);
    assert.equal(row.split('|')[7], 'autumn');
    assert.equal(year, 2024);
    const tax = await simJson(`/tax/v1/persons/${k.nin}/income?year=2024`);
    assert.equal(income, tax.income);
    const sem = (await simJson(`/schools/v1/persons/${k.nin}/credits`)).credits
      .filter((x) => x.semester === '2024-autumn')
      .reduce((s, x) => s + Math.round(x.credits * 10), 0);
    assert.equal(credits, sem);
    assert.equal(expected, 300);
    // At most 5 of the 11 months' 40 %: the autumn's share.
    assert.ok(allowed <= Math.round(k.amount / 11 * 5 * 0.4), `case ${k.id}: ${allowed}`);
    const want = Math.min(Math.floor(allowed * Math.min(sem, 300) / 300), k.amount);
    assert.equal(conv, want, `case ${k.id}`);
    const posted = srv.sql(`select coalesce(sum(amount), 0) from ledger_legs l join ledger_entries e on e.id = l.entry_id
      where e.kind = 'conversion' and l.person_id = ${k.person} and l.account = 'loan.principal'`);
    assert.equal(Number(posted) + conv, 0);
    const page = await k.c.get(`/innboks/${letter}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Omgjøring av lån til stipend/);
    assert.match(page.text, /id="conversion-result"/);
    converted++;
    if (conv > 0) positive++;
  }
  assert.ok(positive > 0, `no loan was converted: ${r.stdout} ${r.stderr}`);
  const again = run(['convert', '--db', srv.db, '--year', '2024', '--registers', srv.registersUrl, '--params', paramsDir,
    '--date', '2025-11-01']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /converted: 0, 0 øre/);
  assert.match(again.stdout, new RegExp(`converted before: ${converted}`));
});

// Last: it forges a leg, and every command after it would find it.
test('stipend ledger check is green, and red naming the entry when a leg is forged behind its back', () => {
  borrower();
  const green = run(['ledger', 'check', '--db', srv.db]);
  assert.equal(green.status, 0, green.stdout + green.stderr);
  assert.match(green.stdout, /every entry balances/);
  const entry = srv.sql("select max(id) from ledger_entries where kind = 'disbursement'");
  srv.sql(`insert into ledger_legs(entry_id, account, person_id, effective, amount)
    select id, 'loan.principal', person_id, effective, 1 from ledger_entries where id = ${entry}`);
  const red = run(['ledger', 'check', '--db', srv.db]);
  assert.equal(red.status, 1);
  assert.match(red.stdout, new RegExp(`entry ${entry} \\(person \\d+\\): its 3 legs sum to 1 øre, not 0`));
  assert.match(red.stdout, /the ledger's \d+ legs sum to 1 øre, not 0/);
  // The ledger refuses to lose the forged leg: it is put right by another entry.
  assert.throws(() => srv.sql('delete from ledger_legs'), /append-only/);
});
