// loans_disability.test.mjs - a case worker's write-off of debt at
// permanent disability (#11, helper B, loans/disability.h) over HTTP,
// against the real binaries and the registers' simulator: the form, the
// proposal on the tax register's income, the decision posting ONE
// write-off entry after the interest up to the day (the ledger check green
// after), the same decision twice posting once, the table's term amount on
// the next invoice, the borrower's "Min gjeld" and letter; a refusal;
// errors naming the field; and who may not.
//
// Figures: forskrift om tilbakebetaling av utdanningslån 2020 § 13-1
// (lanekassen.no, "Rett til sletting av gjeld for låntakarar som får
// uføretrygd"): 402 195-439 412 kr gives a new debt of 89 163 kr and a term
// of 1 009 kr; the limits rise by 15 561 kr a child. "Når du er ufør"
// (lanekassen.no/nn-NO/gjeld-og-betaling/ufor/): 50 %, or 40 % with AAP.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, freePort, nbsp, root, run, startServer } from '../lib/server.mjs';

// The compiled-in parameters hold the floating rate of May and June 2024
// only: these tests add a rate of their own, marked as such.
const rates = `loan.rate.floating:
  value: 4000
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2035-12-31
  reference: test
  source: test
`;

let srv;
let paramsDir;
before(async () => {
  paramsDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-disability-params-'));
  cpSync(path.join(root, 'params/no'), paramsDir, { recursive: true });
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-loan-rates.yaml'), rates);
  srv = await startServer({ persons: 40, registers: true, params: paramsDir });
});
after(async () => {
  await srv?.stop();
  if (paramsDir) rmSync(paramsDir, { recursive: true, force: true });
});

function loans(...args) {
  const r = run(['loans', ...args, '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return r.stdout;
}

function ledgerCheck() {
  const r = run(['ledger', 'check', '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /every entry balances/);
}

async function login(c, field, value) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { [field]: value, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}
async function staff(name) {
  const c = new Client(srv.base);
  await login(c, 'staff', name);
  return c;
}

// Adults the population register holds with no children: the limits are
// then the table's own.
let nextAdult = 0;
async function childlessAdult() {
  const nins = srv.sql("select nin from persons where birth_date < '2000-01-01' and confidential_address = 0 order by id")
    .split('\n');
  while (nextAdult < nins.length) {
    const nin = nins[nextAdult++];
    const r = await fetch(`${srv.registersUrl}/population/v1/persons/${nin}`);
    if (r.status !== 200) continue;
    const p = await r.json();
    if ((p.children ?? []).length === 0 && !p.deceased && !p.date_of_death) return nin;
  }
  throw new Error('the population has too few childless adults');
}
const personOf = (nin) => srv.sql(`select id from persons where nin='${nin}'`);
const debtOf = (id) => Number(srv.sql(`select coalesce(sum(amount), 0) from ledger_legs where person_id = ${id}`));

async function setIncome(nin, year, ore) {
  const r = await fetch(`${srv.registersUrl}/_control/corrections`, {
    method: 'POST', body: JSON.stringify({ nin, change: 'income', year, income: ore }),
  });
  assert.ok(r.status < 300, `correction: ${r.status}`);
}

// A borrower with 200 000 kr lent in August 2023, support ended 31 January
// 2025, the monthly run through September 2025 (interest and invoices).
async function borrower() {
  const nin = await childlessAdult();
  loans('disburse', '--nin', nin, '--amount', '200 000', '--date', '2023-08-15', '--cause', 'payout:e2e');
  loans('support-ended', '--nin', nin, '--date', '2025-01-31');
  loans('run', '--through', '2025-09-01', '--params', paramsDir);
  return { nin, id: personOf(nin) };
}

const form = (page, fields) => ({ csrf: Client.csrf(page.text), ...fields });

test('a case worker writes off part of the debt by the 2020 table: one entry, the ledger balances, the borrower sees the new debt and the letter', async () => {
  const b = await borrower();
  await setIncome(b.nin, 2020, 42000000); // 420 000 kr: the third band
  const worker = await staff('sara.berg');
  const url = `/saksbehandling/personer/${b.id}/gjeld`;
  // A case worker finds the loan account from a case of the borrower's (an
  // application for deferral through the file intake, the registers not
  // answering: it waits for its facts).
  const file = path.join(paramsDir, `intake-${b.id}.jsonl`);
  writeFileSync(file, `${JSON.stringify({ nin: b.nin, application: {
    scheme: 'payment-deferral', school_year: '2024-2025', decision_date: '2025-03-10',
    applicant: { birth_date: '1990-04-04' }, loan: { balance: 10000000, deferrals_used: 0, months_requested: 3 } } })}\n`);
  const intake = run(['batch', '--db', srv.db, '--registers', `http://127.0.0.1:${await freePort()}`, '--params', paramsDir,
    '--quiet', file]);
  assert.equal(intake.status, 0, intake.stderr + intake.stdout);
  const caseId = srv.sql(`select id from cases where person_id = ${b.id}`);
  const kase = await worker.get(`/saksbehandling/saker/${caseId}`);
  assert.equal(kase.status, 200);
  assert.match(kase.text, new RegExp(`href="${url}" id="loan-account-link"`));
  const page = await worker.get(url);
  assert.equal(page.status, 200);
  assert.match(page.text, /Sletting av gjeld ved uførhet/);
  // The debt shown is the ledger's with the interest not yet posted up to
  // today: the run posted through August 2025.
  const shown = Number(page.text.match(/id="disability-account" data-debt="(\d+)"/)[1]);
  assert.ok(shown > debtOf(b.id), `${shown} holds the interest since September 2025`);

  const fields = { received: '01.03.2020', degree: '60', aap: 'nei', income: '', children: '' };
  const proposal = await worker.post(`${url}/uforhet`, form(page, { step: 'compute', ...fields }));
  assert.equal(proposal.status, 200);
  assert.match(proposal.text, /id="disability-proposal" data-outcome="partial"/);
  assert.match(proposal.text, /id="disability-income" data-ore="42000000"/);
  assert.match(nbsp(proposal.text), /fra registeret/);
  assert.match(proposal.text, /loan\.disability\.band\.3 2020: 40219500\.\.43941200 øre: new debt 8916300, new term 100900/);
  const proposed = proposal.text.match(/id="disability-proposal" data-outcome="partial" data-written-off="(\d+)" data-new-debt="8916300"/);
  assert.ok(proposed, 'the proposal names what it writes off');
  // Nothing is posted before the confirmation.
  assert.equal(srv.sql(`select count(*) from ledger_entries where person_id = ${b.id} and kind = 'write-off'`), '0');

  const confirm = await worker.post(`${url}/uforhet`, form(proposal, { step: 'confirm', ...fields }));
  assert.equal(confirm.status, 303);
  assert.match(confirm.headers.get('location'), new RegExp(`^/saksbehandling/personer/${b.id}/gjeld\\?vedtak=\\d+$`));
  // The same decision submitted again posts once.
  const again = await worker.post(`${url}/uforhet`, form(proposal, { step: 'confirm', ...fields }));
  assert.equal(again.status, 303);
  assert.equal(srv.sql(`select count(*) from loan_disability_decisions where person_id = ${b.id}`), '1');
  assert.equal(srv.sql(`select count(*) from ledger_entries where person_id = ${b.id} and kind = 'write-off'`), '1');

  // The debt is the table's new debt exactly, after the interest up to the
  // decision's day; the write-off is the difference.
  const [effective, before, written, letter] = srv.sql(`select effective || '|' || debt_before || '|' || written_off || '|' || letter_id
    from loan_disability_decisions where person_id = ${b.id}`).split('|');
  assert.equal(debtOf(b.id), 8916300);
  assert.equal(Number(before) - Number(written), 8916300);
  // What the proposal showed is what was written off (decided the same day).
  assert.equal(written, proposed[1]);
  assert.equal(Number(before), shown);
  assert.equal(srv.sql(`select -sum(l.amount) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where e.person_id = ${b.id} and e.kind = 'write-off' and l.account like 'loan.%'`), written);
  assert.equal(srv.sql(`select effective from ledger_entries where person_id = ${b.id} and kind = 'write-off'`), effective);
  assert.equal(srv.sql(`select interest_through from loan_accounts where person_id = ${b.id}`), effective);
  assert.equal(srv.sql(`select count(*) from loan_invoices where person_id = ${b.id} and paid < amount + fee and cancelled_at is null`), '0');
  assert.equal(srv.sql(`select count(*) from audit where action = 'loan.write-off' and object = 'person:${b.id}'`), '1');
  assert.equal(srv.sql(`select count(*) from audit where action = 'loan.write-off' and object = 'person:${b.id}' and detail like '%42000000%'`), '0');
  ledgerCheck();

  const done = await worker.get(confirm.headers.get('location'));
  assert.equal(done.status, 200);
  assert.match(done.text, /id="disability-flash"/);
  assert.match(done.text, /data-outcome="partial"/);

  // The borrower: "Min gjeld" shows the new balance, the inbox the letter.
  const c = new Client(srv.base);
  await login(c, 'nin', b.nin);
  const mine = await c.get('/mine-sider/gjeld');
  assert.equal(mine.status, 200);
  assert.match(mine.text, /id="loan-balance" data-ore="8916300"/);
  // The plan ahead pays the table's term until the debt is repaid, as the
  // invoices will.
  assert.match(nbsp(mine.text), /Planen regner med \d+ terminer á 1 009 kr/);
  const l = await c.get(`/innboks/${letter}`);
  assert.equal(l.status, 200);
  assert.match(l.text, /Vedtak om sletting av gjeld ved uførhet/);
  assert.match(l.text, new RegExp(`id="disability-letter" data-outcome="partial" data-written-off="${written}" data-new-debt="8916300"`));
  assert.match(nbsp(l.text), /Terminbeløpet ditt blir 1 009 kr i måneden/);
  const pdf = await c.get(`/innboks/${letter}/pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');

  // The next invoice is the table's term amount, not the annuity.
  const [y, m] = effective.split('-').map(Number);
  const next = new Date(Date.UTC(y, m + 1, 2)).toISOString().slice(0, 10);
  loans('run', '--through', next, '--params', paramsDir);
  assert.equal(srv.sql(`select amount from loan_invoices where person_id = ${b.id} and cancelled_at is null order by due desc limit 1`), '100900');
  // The fixed term runs until the debt is repaid: past the plan's last due
  // day the next invoice is the term again, not the whole rest at once.
  const lastDue = srv.sql(`select max(due) from loan_invoices where person_id = ${b.id} and cancelled_at is null`);
  srv.sql(`update loan_accounts set last_due = '${lastDue}' where person_id = ${b.id}`);
  const after = new Date(Date.UTC(y, m + 2, 2)).toISOString().slice(0, 10);
  loans('run', '--through', after, '--params', paramsDir);
  assert.equal(srv.sql(`select count(*) from loan_invoices where person_id = ${b.id} and cancelled_at is null and due > '${lastDue}'`), '1');
  assert.equal(srv.sql(`select amount from loan_invoices where person_id = ${b.id} and cancelled_at is null order by due desc limit 1`), '100900');
  ledgerCheck();
});

test('a refusal is a decision too: 45 % without AAP is refused with its letter, nothing written off; the borrower and support may not use the page', async () => {
  const b = await borrower();
  const debt = debtOf(b.id);
  const worker = await staff('per.lund');
  const url = `/saksbehandling/personer/${b.id}/gjeld`;
  const page = await worker.get(url);
  const fields = { received: '15.02.2024', degree: '45', aap: 'nei' };
  const proposal = await worker.post(`${url}/uforhet`, form(page, { step: 'compute', ...fields }));
  assert.equal(proposal.status, 200);
  assert.match(proposal.text, /data-outcome="refused-degree"/);
  const confirm = await worker.post(`${url}/uforhet`, form(proposal, { step: 'confirm', ...fields }));
  assert.equal(confirm.status, 303);
  assert.equal(srv.sql(`select outcome || '|' || written_off from loan_disability_decisions where person_id = ${b.id}`), 'refused-degree|0');
  assert.equal(srv.sql(`select count(*) from ledger_entries where person_id = ${b.id} and kind = 'write-off'`), '0');
  assert.equal(debtOf(b.id), debt);
  const letter = srv.sql(`select letter_id from loan_disability_decisions where person_id = ${b.id}`);
  const c = new Client(srv.base);
  await login(c, 'nin', b.nin);
  const l = await c.get(`/innboks/${letter}`);
  assert.equal(l.status, 200);
  assert.match(nbsp(l.text), /Uføregraden din er 45 prosent/);

  // With AAP right up to the decision 45 % is enough (40 %): the 2024
  // table is not held, so the case worker is asked for the new debt.
  const aap = await worker.post(`${url}/uforhet`, form(page, { step: 'compute', received: '16.02.2024', degree: '45', aap: 'ja' }));
  assert.equal(aap.status, 200);
  assert.match(aap.text, /data-outcome="manual"/);
  assert.match(aap.text, /loan\.disability\.whole_limit 2024/);

  // Who may not: the borrower, and support.
  assert.ok([403, 404].includes((await c.get(url)).status));
  const mine = await c.get('/mine-sider/gjeld');
  const own = await c.post(`${url}/uforhet`, form(mine, { step: 'confirm', received: '17.02.2024', degree: '100', aap: 'nei', new_debt: '0' }));
  assert.ok([403, 404].includes(own.status));
  const support = await staff('siri.hauge');
  assert.ok([403, 404].includes((await support.get(url)).status));
  assert.equal(srv.sql(`select count(*) from loan_disability_decisions where person_id = ${b.id}`), '1');
  assert.ok(Number(srv.sql(`select count(*) from audit where action = 'loan.write-off.denied'`)) >= 2);
  ledgerCheck();
});

test('each field is validated with a message naming it; a missing figure asks the case worker for the new debt; an unanswered register for the income', async () => {
  const b = await borrower();
  const worker = await staff('sara.berg');
  const url = `/saksbehandling/personer/${b.id}/gjeld`;
  const page = await worker.get(url);
  const bad = await worker.post(`${url}/uforhet`, form(page, { step: 'compute', received: '31.02.2024', degree: 'seksti', aap: '' }));
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="received-error"[^>]*>Skriv datoen søknaden kom inn/);
  assert.match(bad.text, /id="degree-error"[^>]*>Skriv uføregraden som et helt tall/);
  assert.match(bad.text, /id="aap-error"[^>]*>Velg om låntakeren fikk AAP/);
  assert.match(bad.text, /value="seksti"/); // nothing typed is lost

  // 2025: the tax register has no assessment yet: the income is asked for.
  const noIncome = await worker.post(`${url}/uforhet`, form(page, { step: 'compute', received: '10.01.2025', degree: '100', aap: 'nei' }));
  assert.equal(noIncome.status, 422);
  assert.match(noIncome.text, /id="income-error"[^>]*>Skatteetaten svarer ikke/);
  const fields = { received: '10.01.2025', degree: '100', aap: 'nei', income: '250 000' };
  const manual = await worker.post(`${url}/uforhet`, form(page, { step: 'compute', ...fields }));
  assert.equal(manual.status, 200);
  assert.match(manual.text, /data-outcome="manual"/);
  assert.match(manual.text, /oppgitt av saksbehandler/);
  assert.match(manual.text, /id="new_debt"/);
  // Confirmed without the new debt: refused, naming the field, the
  // proposal still shown.
  const missing = await worker.post(`${url}/uforhet`, form(manual, { step: 'confirm', ...fields }));
  assert.equal(missing.status, 422);
  assert.match(missing.text, /id="new_debt-error"[^>]*>Et tall mangler i parameterne/);
  assert.equal(srv.sql(`select count(*) from loan_disability_decisions where person_id = ${b.id}`), '0');
  const ok = await worker.post(`${url}/uforhet`, form(manual, { step: 'confirm', ...fields, new_debt: '0' }));
  assert.equal(ok.status, 303);
  assert.equal(srv.sql(`select outcome || '|' || income_source || '|' || new_debt from loan_disability_decisions where person_id = ${b.id}`),
    'manual|caseworker|0');
  assert.equal(debtOf(b.id), 0);
  ledgerCheck();
});
