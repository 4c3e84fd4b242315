// loan_relief.test.mjs - #11 (helper A): a borrower applies for payment
// deferral or interest relief from "Min gjeld", over HTTP with the
// registers beside the server. The form asks only the months and (relief)
// the ground; the debt and the months already used are the agency's own
// ledger's, the income the tax authority's, each named with its source in
// the decision's trace. The application goes the one way every application
// goes (one per person, scheme and school year; a double POST is the same
// case), is decided at once, and a granted deferral acts on the account by
// itself (the decision-payout job): no term falls due in the months
// deferred, and the plan's last due day moves as many months later.
//
// The server decides with the real clock. The compiled-in parameters end
// with the school year 2024-2025: this test adds the repayment figures of
// 2024-2025 again for the days after them, and a floating rate, both
// marked as the test's own (tests/lib/relief_params.mjs).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { paramsDir as makeParams } from '../lib/relief_params.mjs';
import { Client, nbsp, run, startServer } from '../lib/server.mjs';

let srv;
let paramsDir;
before(async () => {
  paramsDir = makeParams();
  srv = await startServer({ persons: 40, registers: true, params: paramsDir });
});
after(async () => {
  await srv?.stop();
  if (paramsDir) rmSync(paramsDir, { recursive: true, force: true });
});

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
  return r.stdout;
}

// A borrower with 100 000 kr lent in August 2023 and support ended on
// 31 July 2024: a plan from 15 February 2025.
function borrower() {
  const nin = adult();
  loans('disburse', '--nin', nin, '--amount', '100 000', '--date', '2023-08-15', '--cause', 'payout:e2e');
  loans('support-ended', '--nin', nin, '--date', '2024-07-31');
  return { nin, id: personOf(nin) };
}

async function login(nin) {
  const c = new Client(srv.base);
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
  return c;
}

async function form(c, which) {
  const page = await c.get(`/mine-sider/gjeld/${which}`);
  return { page, csrf: Client.csrf(page.text), key: page.text.match(/name="key" value="([0-9a-f]*)"/)?.[1] };
}

async function apply(c, which, answers) {
  const f = await form(c, which);
  assert.equal(f.page.status, 200, f.page.text);
  return c.post(`/mine-sider/gjeld/${which}`, { csrf: f.csrf, key: f.key, ...answers });
}

function caseOf(r) {
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').match(/^\/saker\/(\d+)$/)[1];
  return id;
}
const decisionOf = (id) => JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} order by id desc limit 1`));
const sourceOf = (d, fact) => d.trace.find((s) => s.rule === 'facts.source' && s.inputs.fact === fact);

async function until(what, f) {
  for (let i = 0; i < 200; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`waited in vain for ${what}`);
}

// The first of a month n months after today's (UTC), as YYYY-MM.
function monthFromNow(n) {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)).toISOString().slice(0, 7);
}

test('Min gjeld links to both forms, which ask only the months (and the ground) and show what the agency holds', async () => {
  const b = borrower();
  const c = await login(b.nin);
  const page = await c.get('/mine-sider/gjeld');
  assert.equal(page.status, 200);
  assert.match(page.text, /href="\/mine-sider\/gjeld\/utsettelse"[^>]*>Søk om betalingsutsettelse/);
  assert.match(page.text, /href="\/mine-sider\/gjeld\/rentefritak"[^>]*>Søk om rentefritak \/ sletting av renter/);

  const d = await form(c, 'utsettelse');
  assert.equal(d.page.status, 200);
  assert.match(d.key, /^[0-9a-f]{32}$/);
  // The parameters' maximum for one application, and the 36 in all.
  assert.match(nbsp(d.page.text), /inntil 6 måneder/);
  assert.match(nbsp(d.page.text), /0 av 36 måneder/);
  assert.match(d.page.text, /id="relief-balance" data-ore="10000000"/);
  assert.doesNotMatch(d.page.text, /name="balance"|name="income"|name="deferrals_used"/);

  const r = await form(c, 'rentefritak');
  for (const g of ['unemployment', 'illness', 'work-assessment-allowance', 'part-time-study', 'low-income-full-time'])
    assert.match(r.page.text, new RegExp(`id="ground-${g}" name="ground" value="${g}"`));
  // What each ground must document, from the agency's page.
  assert.match(nbsp(r.page.text), /legeerklæring eller sykmelding/);
  assert.match(nbsp(r.page.text), /bekreftelse fra arbeidsgiveren/);
  // In English from the catalogue.
  const en = await c.get('/mine-sider/gjeld/rentefritak?lang=en');
  assert.match(en.text, /Apply for interest relief/);
  assert.match(en.text, /doctor(&#39;|')s statement or sick note/);
});

test('a deferral of 3 months from the form is granted and acts on the account: no term in those months, the plan 3 months longer', async () => {
  const b = borrower();
  const lastDue = srv.sql(`select last_due from loan_accounts where person_id = ${b.id}`);
  const c = await login(b.nin);
  const id = caseOf(await apply(c, 'utsettelse', { months: '3' }));
  assert.equal(srv.sql(`select scheme || '|' || status || '|' || outcome from cases where id = ${id}`),
    'payment-deferral|decided|granted');
  const d = decisionOf(id);
  assert.deepEqual(d.awards.map((a) => [a.name, a.months]), [['deferral', 3]]);
  // The facts are the agency's, named so in the trace.
  assert.equal(sourceOf(d, 'loan.balance').inputs.source, 'agency');
  assert.equal(sourceOf(d, 'loan.balance').value, 10000000);
  assert.equal(sourceOf(d, 'loan.deferrals_used').value, 0);
  const app = JSON.parse(srv.sql(`select application_json from cases where id = ${id}`));
  assert.deepEqual(app.loan, { balance: 10000000, deferrals_used: 0, relief_months_used: 0, months_requested: 3 });

  // The case page shows the decision and its trace.
  const casePage = await c.get(`/saker/${id}`);
  assert.equal(casePage.status, 200);
  assert.match(nbsp(casePage.text), /fra lånekontoen din hos oss/);
  // Months, and no money: no amount, and no agreement to sign before a payout.
  assert.match(casePage.text, /<td class="num">3<\/td><td class="num">–<\/td><td class="num amount">–<\/td>/);
  assert.doesNotMatch(nbsp(casePage.text), /Før utbetaling må avtalen om støtte være signert/);

  // The decision-payout job (the server's runner) grants the months.
  await until('the months on the account', () => srv.sql(`select count(*) from loan_months where person_id = ${b.id}`) === '3');
  const months = [0, 1, 2].map(monthFromNow);
  assert.equal(srv.sql(`select group_concat(month) from (select month from loan_months where person_id = ${b.id} and kind = 'deferral' order by month)`),
    months.join(','));
  const [y, m] = lastDue.split('-').map(Number);
  const moved = new Date(Date.UTC(y, m - 1 + 3, 15)).toISOString().slice(0, 10);
  assert.equal(srv.sql(`select last_due from loan_accounts where person_id = ${b.id}`), moved);

  // The monthly run makes no term in the deferred months.
  const through = `${monthFromNow(4)}-01`;
  loans('run', '--through', through, '--params', paramsDir);
  const dues = srv.sql(`select group_concat(substr(due, 1, 7)) from loan_invoices where person_id = ${b.id}`).split(',');
  for (const month of months) assert.ok(!dues.includes(month), `a term in ${month}: ${dues}`);
  assert.ok(dues.includes(monthFromNow(3)), `no term in ${monthFromNow(3)}: ${dues}`);

  // "Min gjeld" shows the plan's new last due day, and the months used.
  const page = await c.get('/mine-sider/gjeld');
  const [yy, mm, dd] = moved.split('-');
  assert.match(page.text, new RegExp(`${dd}\\.${mm}\\.${yy}`));
  const again = await form(c, 'utsettelse');
  assert.match(nbsp(again.page.text), /3 av 36 måneder/);
});

test('a double POST of the same form lands on the same case; another form the same school year is refused with a link to it', async () => {
  const b = borrower();
  const c = await login(b.nin);
  const f = await form(c, 'utsettelse');
  const first = caseOf(await c.post('/mine-sider/gjeld/utsettelse', { csrf: f.csrf, key: f.key, months: '2' }));
  const second = caseOf(await c.post('/mine-sider/gjeld/utsettelse', { csrf: f.csrf, key: f.key, months: '2' }));
  assert.equal(second, first);
  assert.equal(srv.sql(`select count(*) from cases where person_id = ${b.id} and scheme = 'payment-deferral'`), '1');
  const other = await apply(c, 'utsettelse', { months: '1' });
  assert.equal(other.status, 409);
  assert.match(other.text, new RegExp(`href="/saker/${first}"`));
  // Applied for anew, never changed: no change application is offered.
  assert.doesNotMatch(other.text, /id="change-application"/);
  assert.match(nbsp(other.text), /Du kan sende én slik søknad per skoleår/);
  // The JSON client gets the API's answer.
  const j = await form(c, 'utsettelse');
  const api = await c.request('POST', '/mine-sider/gjeld/utsettelse', { csrf: j.csrf, key: f.key, months: '2' },
    { accept: 'application/json' });
  assert.equal(api.status, 200, api.text);
  assert.deepEqual(JSON.parse(api.text), { case_id: Number(first), case: `/saker/${first}`, outcome: null, repeated: true });
});

test('interest relief on a ground is decided on the tax authority\'s income and the agency\'s ledger, the trace naming both', async () => {
  const b = borrower();
  const c = await login(b.nin);
  const r = await c.request('POST', '/mine-sider/gjeld/rentefritak',
    { csrf: (await form(c, 'rentefritak')).csrf, key: 'ab12', ground: 'illness', months: '2' }, { accept: 'application/json' });
  assert.equal(r.status, 201, r.text);
  const body = JSON.parse(r.text);
  assert.match(body.case, /^\/saker\/\d+$/);
  assert.ok(['granted', 'partly-granted', 'rejected', 'manual'].includes(body.outcome));
  const d = decisionOf(body.case_id);
  const app = JSON.parse(srv.sql(`select application_json from cases where id = ${body.case_id}`));
  assert.equal(app.scheme, 'interest-relief');
  assert.equal(app.relief_ground, 'illness');
  assert.equal(d.trace.find((s) => s.rule === 'interest-relief.ground').inputs.relief_ground, 'illness');
  assert.equal(sourceOf(d, 'loan.balance').inputs.source, 'agency');
  const income = sourceOf(d, 'applicant.income');
  assert.equal(income.inputs.source, 'tax');
  // The income decided on is the register's.
  const facts = JSON.parse(srv.sql(`select facts_json from decisions where case_id = ${body.case_id}`));
  assert.equal(income.value, facts.income.income);
  assert.equal(d.trace.find((s) => s.rule === 'interest-relief.income').inputs.income, facts.income.income);
  // Decided by the rules, or sent to a person with the rule's reason.
  if (body.outcome === 'manual') assert.ok(d.manual_reasons.length > 0);
  else if (body.outcome !== 'rejected') assert.ok(d.awards.some((a) => a.name === 'interest-relief' && a.months >= 1));
});

test('a bad answer is shown next to its field with a message naming it, and nothing is stored', async () => {
  const b = borrower();
  const c = await login(b.nin);
  const tooMany = await apply(c, 'utsettelse', { months: '7' });
  assert.equal(tooMany.status, 422);
  assert.match(nbsp(tooMany.text), /id="months-error">Antall måneder: skriv et helt tall fra 1 til 6\./);
  assert.match(tooMany.text, /id="months"[^>]*value="7"[^>]*aria-invalid="true"/);
  assert.match(tooMany.text, /href="#months"/);
  const none = await apply(c, 'rentefritak', { months: '2' });
  assert.equal(none.status, 422);
  assert.match(nbsp(none.text), /id="ground-error">Situasjon: velg hvorfor du har hatt lav inntekt\./);
  const word = await apply(c, 'rentefritak', { months: 'tre', ground: 'unemployment' });
  assert.equal(word.status, 422);
  assert.match(word.text, /id="ground-unemployment" name="ground" value="unemployment" checked/);
  assert.match(nbsp(word.text), /fra 1 til 12/);
  const bogus = await apply(c, 'rentefritak', { months: '2', ground: 'holiday' });
  assert.equal(bogus.status, 422);
  assert.equal(srv.sql(`select count(*) from cases where person_id = ${b.id}`), '0');
});

test('a person without a loan is refused on the form, and no case is made', async () => {
  const nin = adult();
  const c = await login(nin);
  const page = await c.get('/mine-sider/gjeld/utsettelse');
  assert.equal(page.status, 409);
  assert.match(nbsp(page.text), /Du har ikke studielån hos oss/);
  assert.doesNotMatch(page.text, /name="months"/);
  const r = await c.post('/mine-sider/gjeld/utsettelse', { csrf: Client.csrf(page.text), key: 'cd34', months: '2' });
  assert.equal(r.status, 409);
  assert.match(nbsp(r.text), /Ingen søknad er sendt/);
  const api = await c.request('POST', '/mine-sider/gjeld/rentefritak', { csrf: Client.csrf(page.text), key: 'cd35', months: '2', ground: 'unemployment' },
    { accept: 'application/json' });
  assert.equal(api.status, 409);
  assert.deepEqual(JSON.parse(api.text).field, 'loan');
  assert.equal(srv.sql(`select count(*) from cases where person_id = ${personOf(nin)}`), '0');
});

test('another person cannot apply for you: their post applies for themselves, and a case worker or a visitor is refused', async () => {
  const b = borrower();
  const mine = await login(b.nin);
  const f = await form(mine, 'utsettelse');
  // Another person, with the borrower's form key: the form is theirs.
  const other = adult();
  const c = await login(other);
  const page = await c.get('/mine-sider/gjeld');
  const r = await c.post('/mine-sider/gjeld/utsettelse', { csrf: Client.csrf(page.text), key: f.key, months: '2' });
  assert.equal(r.status, 409);
  assert.equal(srv.sql(`select count(*) from cases where person_id = ${b.id}`), '0');
  // A visitor is sent to log in; a foreign CSRF token is refused.
  const anon = new Client(srv.base);
  const a = await anon.post('/mine-sider/gjeld/utsettelse', { csrf: f.csrf, key: f.key, months: '2' });
  assert.ok([303, 403].includes(a.status), String(a.status));
  const g = await anon.get('/mine-sider/gjeld/utsettelse');
  assert.ok([303, 404].includes(g.status), String(g.status));
  assert.equal(srv.sql(`select count(*) from cases where person_id = ${b.id}`), '0');
});

test('the months used are the ledger\'s, and deciding the application again does not count its own months as used', async () => {
  const b = borrower();
  // 33 of the 36 deferred before (another decision's, January 2023 on).
  loans('grant', '--kind', 'deferral', '--nin', b.nin, '--date', '2023-01-15', '--months', '33', '--cause', 'decision:e2e-before');
  const c = await login(b.nin);
  const f = await form(c, 'utsettelse');
  assert.match(nbsp(f.page.text), /33 av 36 måneder/);
  const id = caseOf(await c.post('/mine-sider/gjeld/utsettelse', { csrf: f.csrf, key: f.key, months: '4' }));
  const d = decisionOf(id);
  assert.equal(sourceOf(d, 'loan.deferrals_used').value, 33);
  assert.equal(srv.sql(`select outcome from cases where id = ${id}`), 'partly-granted');
  assert.deepEqual(d.awards.map((a) => a.months), [3]);
  await until('the months on the account', () => srv.sql(`select count(*) from loan_months where person_id = ${b.id}`) === '36');

  // A case worker has it decided again: the ledger now holds its 3
  // months, which are the application's own, so the decision stands.
  const cw = new Client(srv.base);
  const page = await cw.get('/login');
  assert.equal((await cw.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(page.text) })).status, 303);
  const casePage = await cw.get(`/saksbehandling/saker/${id}`);
  assert.equal((await cw.post(`/saksbehandling/saker/${id}/ny-vurdering`, { csrf: Client.csrf(casePage.text) })).status, 303);
  const audit = () => srv.sql(`select group_concat(action, ' ') from audit where object = 'case:${id}'`);
  await until('the case checked again', () => /case\.rechecked|case\.redecided/.test(audit()));
  assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '1', audit());
  assert.equal(srv.sql(`select outcome from cases where id = ${id}`), 'partly-granted');
});

// A power of attorney the borrower gives (POST /fullmakter) with these
// scopes, chosen by its holder (POST /handle-for): the holder's client.
async function proxyFor(borrowerClient, scopes) {
  const holder = adult();
  const page = await borrowerClient.get('/fullmakter');
  const form = { csrf: Client.csrf(page.text), nin: holder,
    valid_until: new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10) };
  for (const k of scopes) form[k] = '1';
  assert.equal((await borrowerClient.post('/fullmakter', form)).status, 303);
  const proxy = srv.sql(`select max(id) from proxies where proxy_id = ${personOf(holder)}`);
  const c = await login(holder);
  const list = await c.get('/handle-for');
  const subject = srv.sql(`select grantor_id from proxies where id = ${proxy}`);
  const r = await c.post('/handle-for', { csrf: Client.csrf(list.text), person: subject, grant: 'proxy', proxy });
  assert.equal(r.status, 303, r.text);
  return c;
}

test('a proxy with the power to apply applies for the borrower; one without it is refused', async () => {
  const b = borrower();
  const mine = await login(b.nin);
  const letters = await proxyFor(mine, ['letters']);
  const refused = await letters.get('/mine-sider/gjeld/utsettelse');
  assert.equal(refused.status, 404);
  const p = await proxyFor(mine, ['letters', 'apply']);
  const f = await form(p, 'utsettelse');
  assert.equal(f.page.status, 200);
  assert.match(f.page.text, /id="relief-balance" data-ore="10000000"/);
  const id = caseOf(await p.post('/mine-sider/gjeld/utsettelse', { csrf: f.csrf, key: f.key, months: '2' }));
  assert.equal(srv.sql(`select person_id || '|' || outcome from cases where id = ${id}`), `${b.id}|granted`);
  assert.equal(srv.sql(`select count(*) from audit where object = 'person:${b.id}' and action = 'person.read' and detail = 'loan-relief-form'`), '1');
});
