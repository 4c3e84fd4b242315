// loans_fixedrate.test.mjs - the fixed rate's interest loss or gain on
// "Min gjeld" in chromium (#11): a borrower with a running fixed-rate
// agreement reads why an extra payment or ending the agreement gives a loss
// or gain, pays extra in the simulated bank and, once the agency has read
// the bank's camt.054 report, finds the gain listed among the payments with
// its letter; then ends the agreement from the page. axe-core checks the
// page; at 320 px nothing overflows. With STIPEND_SHOTS=DIR the page is
// photographed at 320, 390 and 1280 px into DIR.
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSim } from '../lib/server.mjs';
import { REPO, assertAccessible, launchBrowser, newVisitor, plain, startServer } from './server.mjs';

const iso = (d) => d.toISOString().slice(0, 10);
const now = new Date();
const monthStart = (k, day = 1) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, day));
const dayBefore = (d) => iso(new Date(d - 86400000));

// Rates of the test's own: floating 4 %; new agreements from next month for
// a year at 3 % (3 years), 2 % (5 years), 6 % (10 years).
const param = (key, value, from, to) => `${key}:
  value: ${value}
  unit: thousandths-percent
  valid_from: ${from}
  valid_to: ${to}
  reference: test
  source: test
`;
const from = iso(monthStart(1)), to = dayBefore(monthStart(13));
const rates = param('loan.rate.floating', 4000, '2024-07-01', '2060-12-31') + param('loan.rate.fixed.3', 3000, from, to)
  + param('loan.rate.fixed.5', 2000, from, to) + param('loan.rate.fixed.10', 6000, from, to);

let server;
let browser;
let bank;
let paramsDir;

before(async () => {
  paramsDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-fixedrate-browser-'));
  cpSync(path.join(REPO, 'params/no'), paramsDir, { recursive: true });
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-fixedrate-rates.yaml'), rates);
  server = await startServer({ args: ['--params', paramsDir] });
  bank = await startSim({ persons: 5 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await bank?.stop();
  if (paramsDir) rmSync(paramsDir, { recursive: true, force: true });
});

function stipend(...args) {
  const r = spawnSync(path.join(REPO, 'stipend'), [...args, '--db', server.db], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

async function shoot(page, name) {
  const dir = process.env.STIPEND_SHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const width of [320, 390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('a fixed-rate borrower reads what paying extra does, pays extra, sees the gain listed, and ends the agreement', async (t) => {
  const nin = server.sql("select nin from persons where birth_date < '1990-01-01' and confidential_address = 0 order by id limit 1");
  stipend('loans', 'disburse', '--nin', nin, '--amount', '150000', '--date', '2023-08-15');
  stipend('loans', 'support-ended', '--nin', nin, '--date', dayBefore(monthStart(0)));
  const id = server.sql(`select id from persons where nin = '${nin}'`);
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
    await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
    await page.waitForURL(/\/saker$/);
    await page.goto(`${server.url}/mine-sider/gjeld`);
    await page.getByLabel(/^5 år/).check();
    await page.getByRole('button', { name: 'Velg fast rente' }).click();
    await page.waitForURL(/\?rente=fast$/);
    // The agreement chosen runs from next month; the test's clock cannot
    // move, so its start is moved back three months: it has begun.
    server.sql(`update loan_accounts set fixed_from = '${iso(monthStart(-2))}', fixed_until = '${dayBefore(monthStart(58))}'
      where person_id = ${id}`);

    // An extra payment next month, read from the bank's report.
    const kid = server.sql(`select kid from loan_accounts where person_id = ${id}`);
    const paid = await fetch(`${bank.url}/giro/v1/payments`, {
      method: 'POST', body: JSON.stringify({ kid, amount_ore: 2000000, booked: iso(monthStart(1, 12)) }),
    });
    assert.equal(paid.status, 201);
    assert.match(stipend('loans', 'import', '--bank', bank.url, '--params', paramsDir), /1 posted, 0 waiting/);
    const gain = Number(server.sql(`select adjustment from loan_fixed_adjustments where person_id = ${id}`));
    assert.ok(gain < 0, 'new 4-5 year agreements are dearer than the 2 % agreement: a gain');

    await page.goto(`${server.url}/mine-sider/gjeld`);
    await page.getByRole('heading', { name: 'Avslutt fastrenteavtalen' }).waitFor();
    assert.match(plain(await page.locator('#loan-fixedrate-note').innerText()),
      /beregner vi rentetap eller rentegevinst når du betaler inn ekstra eller avslutter fastrenteavtalen/);
    const row = page.locator(`#loan-fixedrate-table tr[data-adjustment="${gain}"]`);
    assert.match(plain(await row.innerText()), /Ekstra innbetaling/);
    assert.match(plain(await row.innerText()), /rentegevinst/);
    await assertAccessible(t, page, 'Min gjeld with a fixed rate');
    await page.setViewportSize({ width: 320, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `Min gjeld is ${overflow} px too wide at 320 px`);
    await shoot(page, 'min-gjeld-fixed-rate');

    // The letter, from the list.
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Rentetap eller rentegevinst' }).waitFor();
    await assertAccessible(t, page, 'the loss or gain letter');
    await shoot(page, 'letter-fixed-rate');

    // Ending the agreement: floating from next month, the gain on the whole loan.
    await page.goto(`${server.url}/mine-sider/gjeld`);
    await page.getByRole('button', { name: 'Avslutt fast rente' }).click();
    await page.waitForURL(/\?fastrente=avsluttet$/);
    await page.getByText('Fastrenteavtalen er avsluttet.', { exact: false }).waitFor();
    assert.equal(await page.locator('#loan-fixedrate-table tr[data-event="end"]').count(), 1);
    assert.equal(server.sql(`select fixed_until from loan_accounts where person_id = ${id}`), dayBefore(monthStart(1)));
    await assertAccessible(t, page, 'Min gjeld after ending the fixed rate');
    await shoot(page, 'min-gjeld-fixed-rate-ended');
  } finally {
    await context.close();
  }
});
