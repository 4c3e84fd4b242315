// payout.test.mjs - "Utbetaling" on Dine sider in chromium, from decision to
// "Utbetalt": a student with a granted decision finds the page from Mine
// sider, sees the conditions not met and the plan held; once the schools
// register confirms the year, the agreement is signed and the daily run
// pays through the simulated bank, the same page shows every condition met
// and the first months "Utbetalt" with the day they will be on the account
// at the latest, and once the bank has booked them, the day they were. The
// account form names a wrong number.
// axe-core checks the page; it fits a 320 px screen.
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { assertAccessible, launchBrowser, newVisitor, plain, startServer } from './server.mjs';
import { bin, Client, startSim } from '../lib/server.mjs';

let server;
let browser;
let sim;

before(async () => {
  server = await startServer();
  // The same population (200 persons of seed 7) as the server's database:
  // the account register, the schools register's feed and the bank.
  sim = await startSim({ persons: 200 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sim?.stop();
  await server?.stop();
});

function payout(date) {
  const r = spawnSync(bin, ['payout', '--db', server.sql('pragma database_list').split('|')[2], '--date', date,
    '--dir', server.dir, '--registers', sim.url, '--bank', sim.url], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('from_a_granted_decision_to_utbetalt_on_dine_sider', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  const first = page.getByRole('button', { name: /\(født .*\d{11}\)$/ }).first();
  const nin = /(\d{11})\)$/.exec((await first.innerText()).trim())[1];
  await first.click();
  await page.waitForURL(/\/saker$/);
  await page.goto(`${server.url}/soknad`);
  await page.getByLabel('Nei', { exact: true }).first().check().catch(() => {});
  // The application as a browser posts it (the apply page has its own test).
  const csrf = await page.locator('input[name="csrf"]').first().inputValue();
  const r = await page.request.post(`${server.url}/soknad`, {
    form: { csrf, scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' },
    maxRedirects: 0,
  });
  assert.equal(r.status(), 303);
  const caseId = r.headers().location.split('/').pop();
  assert.equal(server.sql(`select status from cases where id = ${caseId}`), 'decided');

  // Planned, nothing met but the account once the run has fetched it.
  assert.equal(payout('2024-09-02').payments, 0);
  await page.goto(`${server.url}/mine-sider`);
  await page.getByRole('link', { name: 'Utbetaling' }).click();
  await page.getByRole('heading', { level: 1, name: 'Utbetaling' }).waitFor();
  const conditions = page.locator(`ul[data-case="${caseId}"]`);
  assert.equal(await conditions.locator('[data-condition="signed"]').getAttribute('data-met'), 'no');
  assert.equal(await conditions.locator('[data-condition="confirmed"]').getAttribute('data-met'), 'no');
  assert.equal(await conditions.locator('[data-condition="account"]').getAttribute('data-met'), 'yes');
  assert.match(plain(await page.locator('tr[data-month="2024-08"]').innerText()), /Venter på vilkår/);
  await assertAccessible(t, page, 'the payout page, conditions not met');

  // A number with a wrong check digit is named at the field.
  await page.getByLabel('Annet kontonummer').fill('1234 56 78904');
  await page.getByRole('button', { name: 'Lagre konto' }).click();
  await page.locator('#account-error').waitFor();
  assert.match(await page.locator('#account-error').innerText(), /ikke gyldig/);
  await assertAccessible(t, page, 'the payout page with a wrong account number');

  // The school confirms; the agreement is signed on paper (chosen by the
  // person, its arrival registered by a case worker; electronic signing has
  // its own browser test).
  const c = await fetch(`${sim.url}/_control/confirmations`, { method: 'POST',
    body: JSON.stringify({ nin, school_year: '2024-2025', kind: 'semester-registration' }) });
  assert.equal(c.status, 201);
  await page.goto(`${server.url}/avtaler`);
  const agreement = server.sql(`select id from agreements where case_id = ${caseId} order by id desc limit 1`);
  const token = await page.locator('input[name="csrf"]').first().inputValue();
  const paper = await page.request.post(`${server.url}/avtaler/${agreement}/papir`, { form: { csrf: token }, maxRedirects: 0 });
  assert.equal(paper.status(), 303);
  const sara = new Client(server.url);
  const login = await sara.get('/login');
  assert.equal((await sara.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(login.text) })).status, 303);
  const list = await sara.get('/saksbehandling/avtaler');
  assert.equal((await sara.post(`/saksbehandling/avtaler/${agreement}/mottatt`, { csrf: Client.csrf(list.text) })).status, 303);
  const run = payout('2024-09-02');
  assert.equal(run.payments, 1);
  assert.equal(run.accepted, 1);
  // Two or three banking days to the account: not booked on the day.
  assert.equal(run.booked, 0);

  await page.goto(`${server.url}/mine-sider/utbetaling`);
  for (const cond of ['signed', 'account', 'confirmed'])
    assert.equal(await conditions.locator(`[data-condition="${cond}"]`).getAttribute('data-met'), 'yes', cond);
  // Paid Monday 2 September; on the account by Thursday the 5th at the latest.
  assert.match(plain(await page.locator('tr[data-month="2024-08"]').innerText()),
    /02\.09\.2024.*Utbetalt.*Utbetalt 02\.09\.2024, på kontoen innen 05\.09\.2024/);
  assert.match(plain(await page.locator('tr[data-month="2024-09"]').innerText()), /Utbetalt/);
  await assertAccessible(t, page, 'the payout page, paid and on its way');

  // The bank books it; the next run takes the booking day from its camt.054.
  assert.equal(payout('2024-09-05').booked, 1);
  const bookedOn = server.sql(`select booked_on from payout_payments where run_id = ${run.run_id}`);
  assert.match(bookedOn, /^2024-09-0[45]$/);
  await page.goto(`${server.url}/mine-sider/utbetaling`);
  const august = plain(await page.locator('tr[data-month="2024-08"]').innerText());
  assert.match(august, new RegExp(`Utbetalt 02\\.09\\.2024, på kontoen ${bookedOn.slice(8)}\\.09\\.2024`));
  assert.doesNotMatch(august, /innen/);
  // October is paid on its payday, the 15th (a Tuesday), and not yet.
  const october = plain(await page.locator('tr[data-month="2024-10"]').innerText());
  assert.match(october, /15\.10\.2024/);
  assert.doesNotMatch(october, /Utbetalt/);
  assert.match(plain(await page.locator('#paid-so-far').innerText()), /Utbetalt så langt: [\d ]+ kr av [\d ]+ kr/);
  await assertAccessible(t, page, 'the payout page with payments made');

  // A phone's width: nothing wider than the screen.
  await page.setViewportSize({ width: 320, height: 700 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await context.close();
});
