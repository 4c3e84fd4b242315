// simulate.test.mjs - the case workers' policy simulation in chromium
// against the real binary: a case worker follows the link from the
// workbench, chooses a figure of the rules in force and a new value, runs
// the change on the school year's stored applications, and reads what it
// costs and whom it touches as a table beside the server-drawn chart; a
// wrong value is named at its field. axe-core finds nothing serious or
// critical, and neither the form nor the result is wider than 320 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { assertAccessible, launchBrowser, newVisitor, plain, startServer } from './server.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// The server holds the database open: wait for its locks.
const sql = (q) => {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', `${server.dir}/t.db`, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

// Two students of 2024-2025, full time away from home and half time at
// home: the basic loan raised to 160 000 kr gives them +8 309,95 and
// +3 777,30 kr (see tests/e2e/simulate.test.mjs).
const higher = (load, home) => ({
  scheme: 'higher-education', school_year: '2024-2025', decision_date: '2024-07-01',
  applicant: { birth_date: '2000-05-17', lives_with_parents: home, income: 0 },
  education: { level: 'higher', load_percent: load, start: '2024-08-15', end: '2025-06-15' },
});

const tooWide = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('case_worker_simulates_a_change_and_reads_its_cost_beside_the_chart', async (t) => {
  const person = sql('select min(id) from persons');
  for (const a of [higher(100, false), higher(50, true)]) {
    sql(`insert into cases (person_id, scheme, school_year, status, received_at, application_json) values (${person}, `
      + `'higher-education', '2024-2025', 'decided', 1, '${JSON.stringify(a)}')`);
  }
  const cases = sql("select count(*) from cases where school_year = '2024-2025'");
  const context = await newVisitor(browser, { bypassCSP: true, viewport: { width: 320, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.locator('button[name="staff"][value="sara.berg"]').click();
  await page.waitForURL(/\/saksbehandling$/);
  await page.getByRole('link', { name: 'Simuler en regelendring' }).click();
  await page.waitForURL(/\/saksbehandling\/simulering$/);
  await page.getByRole('heading', { level: 1, name: 'Simuler en regelendring' }).waitFor();
  assert.ok(await tooWide(page) <= 0, 'the form fits 320 px');
  await assertAccessible(t, page, 'the simulation form at 320 px');

  // A value that is no amount is named at its field, and kept.
  await page.getByLabel('Tall som endres').selectOption('basic_loan.annual');
  await page.getByLabel('Ny verdi').fill('mye');
  await page.getByRole('button', { name: 'Kjør simuleringen' }).click();
  await page.locator('#value-error').waitFor();
  assert.match(await page.locator('#value-error').innerText(), /beløp i kroner/);
  assert.equal(await page.getByLabel('Ny verdi').inputValue(), 'mye');
  await assertAccessible(t, page, 'the simulation form with an error');

  await page.getByLabel('Ny verdi').fill('160000');
  await page.getByRole('radio', { name: 'Alle søknader for skoleåret' }).check();
  await page.getByRole('button', { name: 'Kjør simuleringen' }).click();
  await page.getByRole('heading', { level: 2, name: 'Resultat' }).waitFor();
  assert.match(plain(await page.getByRole('status').first().innerText()), new RegExp(`^${cases} søknader avgjort med`));
  const chart = page.getByRole('img', { name: 'Endring i støtte per person (kr), B mot A' });
  await chart.waitFor();
  const cost = page.getByRole('table', { name: 'Hva endringen koster' });
  const loans = plain(await cost.getByRole('row', { name: /Lån i alt/ }).innerText());
  assert.match(loans, /\+12 087,25 kr/);
  const people = page.getByRole('table', { name: 'Hvem endringen berører, og arbeidsmengden' });
  assert.match(plain(await people.getByRole('row', { name: /Får mer/ }).innerText()), /mest \+8 309,95 kr/);
  assert.ok(await tooWide(page) <= 0, 'the result fits 320 px');
  await assertAccessible(t, page, 'the simulation result at 320 px');
  await context.close();
});
