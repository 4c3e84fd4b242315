// loans.test.mjs - "Min gjeld" in chromium, against the real binary and the
// simulated bank: a borrower whose support has ended opens Min gjeld from
// Mine sider, reads the debt, the KID and the plan (table and chart),
// chooses a fixed rate, pays the next invoice in the bank with the KID,
// and after the agency has read the bank's camt.054 report sees the debt
// fall by exactly what was paid. axe-core checks the page; at 320 px it
// does not overflow.
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSim } from '../lib/server.mjs';
import { REPO, assertAccessible, launchBrowser, newVisitor, plain, startServer } from './server.mjs';

// The compiled-in parameters hold the floating rate of May-June 2024 only;
// this test adds rates of its own from July 2024.
const rates = ['floating', 'fixed.3', 'fixed.5', 'fixed.10'].map((k, i) => `loan.rate.${k}:
  value: ${[4000, 3300, 3500, 3900][i]}
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2030-12-31
  reference: test
  source: test
`).join('');

let server;
let browser;
let bank;
let paramsDir;

before(async () => {
  paramsDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-loan-browser-'));
  cpSync(path.join(REPO, 'params/no'), paramsDir, { recursive: true });
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-loan-rates.yaml'), rates);
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

test('a borrower reads Min gjeld, chooses a fixed rate, pays an invoice in the bank and sees the debt fall', async (t) => {
  const nin = server.sql("select nin from persons where birth_date < '1998-01-01' and confidential_address = 0 order by id limit 1");
  stipend('loans', 'disburse', '--nin', nin, '--amount', '150000', '--date', '2023-08-15');
  stipend('loans', 'support-ended', '--nin', nin, '--date', '2025-01-31');
  stipend('loans', 'run', '--through', '2025-08-01', '--params', paramsDir);
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
    await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
    await page.waitForURL(/\/saker$/);
    await page.goto(`${server.url}/mine-sider`);
    await page.getByRole('link', { name: 'Min gjeld' }).click();
    await page.waitForURL(/\/mine-sider\/gjeld$/);
    await page.getByRole('heading', { level: 1, name: 'Min gjeld' }).waitFor();
    const before = Number(await page.locator('#loan-balance').getAttribute('data-ore'));
    assert.equal(String(before), server.sql('select sum(amount) from ledger_legs where person_id is not null'));
    const kid = await page.locator('#loan-kid').innerText();
    assert.match(kid, /^1\d{9}$/);
    await page.getByRole('table', { name: 'Nedbetalingsplan år for år' }).waitFor();
    await page.getByRole('img', { name: 'Balance and interest year by year' }).or(page.locator('svg.calc-chart__svg')).first().waitFor();
    await assertAccessible(t, page, 'Min gjeld');

    // A fixed rate for 5 years.
    await page.getByLabel(/^5 år/).check();
    await page.getByRole('button', { name: 'Velg fast rente' }).click();
    await page.waitForURL(/\/mine-sider\/gjeld\?rente=fast$/);
    await page.getByText('Du har valgt fast rente.').waitFor();
    assert.match(plain(await page.locator('#loan-rate').innerText()), /3,500 %/);

    // The next invoice, paid in the bank with the KID.
    const left = Number(await page.locator('#loan-next').getAttribute('data-left'));
    const paid = await fetch(`${bank.url}/giro/v1/payments`, {
      method: 'POST', body: JSON.stringify({ kid, amount_ore: left, booked: '2025-08-15' }),
    });
    assert.equal(paid.status, 201);
    const out = stipend('loans', 'import', '--bank', bank.url);
    assert.match(out, new RegExp(`matched: 1, ${left} øre`));
    await page.reload();
    assert.equal(Number(await page.locator('#loan-balance').getAttribute('data-ore')), before - left);
    await page.locator('#loan-payment-list').waitFor();

    // A phone's width: nothing overflows.
    await page.setViewportSize({ width: 320, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `Min gjeld is ${overflow} px too wide at 320 px`);
  } finally {
    await context.close();
  }
});
