// institution.test.mjs - the institutions' workspace in chromium against
// the real binary: an upper-secondary school's administrator logs in with
// the test login and lands on the list of the school's pupils who have
// applied; the select-all box (the page's script) ticks every pupil and
// one press confirms their attendance; a CSV file with two bad lines comes
// back with both errors by line and column and nothing stored. axe-core
// finds nothing serious or critical on the list, the upload's errors and a
// pupil's page, and at 320 px no page is wider than the screen.
//
// Tracker #13's journey at full size: a school confirms 500 pupils from a
// CSV with three bad lines in the browser, gets exactly those three back by
// line and column with nothing stored, fixes them, uploads again and has
// 500 confirmed. It needs 500 applicants at one school, so it has a server
// of its own with the register simulator's population of 22,000 and the
// batch intake (as tests/e2e/institution.test.mjs does).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { bin, startServer as startWired } from '../lib/server.mjs';
import { assertAccessible, launchBrowser, newVisitor, startServer } from './server.mjs';

const OSLO = '974600005';
let server;
let browser;
let pupils;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // The school's pupils have applied (a case each, as the portal stores one).
  pupils = server.sql(`select p.id || '|' || p.nin || '|' || p.birth_date from persons p
    join institutions i on i.name = p.institution where i.orgnr = '${OSLO}' order by p.id`)
    .split('\n').filter(Boolean).map((l) => { const [id, nin, birth] = l.split('|'); return { id, nin, birth }; });
  assert.ok(pupils.length >= 3, `only ${pupils.length} pupils at Oslo katedralskole`);
  for (const p of pupils) {
    const application = JSON.stringify({ scheme: 'upper-secondary', school_year: '2024-2025', decision_date: '2024-08-01',
      applicant: { birth_date: p.birth }, education: { level: 'upper-secondary', start: '2024-08-19', end: '2025-06-20' } });
    server.sql(`insert into cases(person_id, scheme, school_year, status, received_at, application_json)
      values (${p.id}, 'upper-secondary', '2024-2025', 'manual', 1722470400, '${application}')`);
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(page) {
  await page.goto(`${server.url}/login`);
  await page.getByRole('button', { name: 'Ingrid Dahl (lærested)' }).click();
  await page.waitForURL(/\/larested$/);
}

test('a_school_selects_all_its_pupils_and_confirms_their_attendance', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  await login(page);
  await page.getByRole('heading', { level: 1, name: 'Oslo katedralskole' }).waitFor();
  const table = page.getByRole('table', { name: 'Elever og studenter som har søkt' });
  assert.equal(await table.locator('tbody tr').count(), pupils.length);
  await assertAccessible(t, page, 'the workspace list');

  const all = page.getByRole('checkbox', { name: 'Velg alle' });
  await all.check();
  for (const box of await page.locator('input.inst-select').all()) assert.equal(await box.isChecked(), true);
  // One pupil cleared: the box says "some".
  await page.locator('input.inst-select').first().uncheck();
  assert.equal(await all.evaluate((el) => el.indeterminate), true);
  await all.check();
  await page.getByRole('button', { name: 'Bekreft de valgte' }).click();
  await page.waitForURL(/\/larested\?confirmed=/);
  await page.getByRole('status').getByText(`Lagret: ${pupils.length} nye bekreftelser`).waitFor();
  assert.equal(await page.locator('[data-confirmed="attendance"]').count(), pupils.length);
  assert.equal(Number(server.sql(`select count(*) from institution_facts where orgnr='${OSLO}' and kind='attendance'`)),
    pupils.length);

  // A pupil's page, with what was reported.
  await page.locator(`a[href="/larested/studenter/${pupils[0].id}"]`).click();
  await page.waitForURL(new RegExp(`/larested/studenter/${pupils[0].id}$`));
  await page.getByRole('table', { name: 'Det lærestedet har rapportert' }).waitFor();
  await assertAccessible(t, page, "a pupil's page");
  await context.close();
});

test('a_csv_upload_with_errors_shows_each_by_line_and_column_and_stores_nothing', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true, viewport: { width: 320, height: 800 } });
  const page = await context.newPage();
  await login(page);
  const before = server.sql('select count(*) from institution_facts');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 0, `the list is ${wide} px wider than the screen`);
  await page.getByRole('link', { name: /Last opp en fil/ }).click();
  await page.waitForURL(/\/larested\/fil$/);
  const csv = ['nin;kind;period;date', `${pupils[0].nin};interruption;2024-2025;2024-10-01`,
    `${pupils[1].nin};interruption;2024-2025;2023-10-01`, `12345678901;attendance;2024-2025;`].join('\n');
  await page.getByLabel('Fil').setInputFiles({ name: 'avbrudd.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Last opp' }).click();
  const errors = page.getByRole('table', { name: /Ingenting er lagret/ });
  await errors.waitFor();
  const rows = await errors.locator('tbody tr').all();
  assert.deepEqual(await Promise.all(rows.map((r) => r.getAttribute('data-line'))), ['3', '4']);
  assert.deepEqual(await Promise.all(rows.map((r) => r.getAttribute('data-column'))), ['date', 'nin']);
  assert.match(await rows[0].innerText(), /Datoen må ligge i perioden/);
  assert.equal(server.sql('select count(*) from institution_facts'), before);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the upload page is ${overflow} px wider than the screen`);
  await assertAccessible(t, page, "the upload's errors");
  await context.close();
});

test('a_school_confirms_500_pupils_from_a_csv_after_fixing_its_three_bad_lines', async (t) => {
  const PERSONS = 22000; // enough for more than 500 of Oslo katedralskole's pupils to apply
  const wired = await startWired({ persons: PERSONS, registers: true });
  const context = await newVisitor(browser, { bypassCSP: true });
  try {
    // Every student of the population applies, as the batch intake takes them from the registers.
    const status = await new Promise((resolve) => {
      const p = spawn(bin, ['batch', '--db', wired.db, '--from-registers', '--persons', String(PERSONS),
        '--registers', wired.registersUrl, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
      p.once('close', resolve);
    });
    assert.equal(status, 0, 'the batch intake failed');
    const pupils = wired.sql(`select p.id, p.nin from persons p join institutions i on i.name = p.institution
      where i.orgnr = '${OSLO}' and exists (select 1 from cases c where c.person_id = p.id) order by p.id`)
      .split('\n').filter(Boolean).map((l) => { const [id, nin] = l.split('|'); return { id, nin }; }).slice(0, 500);
    assert.equal(pupils.length, 500, `only ${pupils.length} applicants at Oslo katedralskole`);
    const facts = () => Number(wired.sql(`select count(*) from institution_facts where orgnr='${OSLO}'`));

    const page = await context.newPage();
    await page.goto(`${wired.base}/login`);
    await page.getByRole('button', { name: 'Ingrid Dahl (lærested)' }).click();
    await page.waitForURL(/\/larested$/);
    await page.getByRole('link', { name: /Last opp en fil/ }).click();
    await page.waitForURL(/\/larested\/fil$/);

    const header = 'nin,kind,period,date,credits';
    const lines = pupils.map((p) => `${p.nin},attendance,2024-2025,2024-08-19,`);
    const bad = [...lines];
    // Line numbers count the header as line 1: a wrong check digit, an unknown kind, a wrong period.
    bad[3] = `${pupils[3].nin.slice(0, 10)}${(Number(pupils[3].nin[10]) + 1) % 10},attendance,2024-2025,2024-08-19,`;
    bad[98] = `${pupils[98].nin},attendence,2024-2025,2024-08-19,`;
    bad[299] = `${pupils[299].nin},attendance,2024-2026,2024-08-19,`;
    const file = (rows) => ({ name: 'oppmote.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...rows].join('\r\n')) });

    await page.getByLabel('Fil').setInputFiles(file(bad));
    await page.getByRole('button', { name: 'Last opp' }).click();
    const errors = page.getByRole('table', { name: /Ingenting er lagret/ });
    await errors.waitFor();
    const rows = await errors.locator('tbody tr').all();
    assert.deepEqual(await Promise.all(rows.map(async (r) => [await r.getAttribute('data-line'), await r.getAttribute('data-column')])),
      [['5', 'nin'], ['100', 'kind'], ['301', 'period']]);
    // The line and the column are on the page too, not only in attributes.
    assert.deepEqual(await Promise.all(rows.map(async (r) => (await r.locator('td').nth(0).innerText()).trim())), ['5', '100', '301']);
    assert.deepEqual(await Promise.all(rows.map(async (r) => (await r.locator('td').nth(1).innerText()).trim())), ['nin', 'kind', 'period']);
    assert.equal(facts(), 0, 'a bad file stored something');
    await assertAccessible(t, page, "the 500-line upload's errors");

    // The three lines fixed: the whole file is stored.
    await page.getByLabel('Fil').setInputFiles(file(lines));
    await page.getByRole('button', { name: 'Last opp' }).click();
    await page.waitForURL(/\/larested\/fil\?applied=500$/);
    await page.getByRole('status').getByText('Filen er lagret: 500 linjer.').waitFor();
    assert.equal(await page.getByRole('table', { name: /Ingenting er lagret/ }).count(), 0);
    assert.equal(facts(), 500);
    assert.equal(Number(wired.sql(`select count(*) from institution_facts where orgnr='${OSLO}' and kind='attendance'
      and period='2024-2025' and effective='2024-08-19'`)), 500);
    await assertAccessible(t, page, 'the stored upload');
    // The list shows the 500 confirmed.
    await page.goto(`${wired.base}/larested`);
    await page.getByRole('heading', { level: 1, name: 'Oslo katedralskole' }).waitFor();
    assert.equal(await page.locator('[data-confirmed="attendance"]').count(), 500);
  } finally {
    await context.close();
    await wired.stop();
  }
});
