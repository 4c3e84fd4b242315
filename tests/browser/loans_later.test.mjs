// loans_later.test.mjs - the loan account's open features in chromium
// (#11, helper D), against the real binary and the simulated bank: a case
// worker books a payment with an unknown KID to the borrower by KID from
// the list of payments no account took, and the borrower sees it on Min
// gjeld and chooses the due day. axe-core checks each page; at 320 px
// neither overflows.
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSim } from '../lib/server.mjs';
import { REPO, assertAccessible, launchBrowser, newVisitor, startServer } from './server.mjs';

// The compiled-in parameters hold the floating rate of May-June 2024 only;
// this test adds a rate of its own from July 2024.
const rates = `loan.rate.floating:
  value: 4000
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2030-12-31
  reference: test
  source: test
`;

let server;
let browser;
let bank;
let paramsDir;

before(async () => {
  paramsDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-later-browser-'));
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

async function noOverflow(page, what) {
  await page.setViewportSize({ width: 320, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} is ${overflow} px too wide at 320 px`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('a case worker books a payment with an unknown KID to the borrower; the borrower sees it and chooses the due day', async (t) => {
  const nin = server.sql("select nin from persons where birth_date < '1998-01-01' and confidential_address = 0 order by id limit 1 offset 1");
  const id = server.sql(`select id from persons where nin = '${nin}'`);
  stipend('loans', 'disburse', '--nin', nin, '--amount', '80000', '--date', '2023-08-15');
  stipend('loans', 'support-ended', '--nin', nin, '--date', '2024-04-30');
  stipend('loans', 'run', '--through', '2024-11-01', '--params', paramsDir);
  const kid = server.sql(`select kid from loan_accounts where person_id = ${id}`);
  // The borrower paid with a mistyped KID (a valid check digit, nobody's).
  const paid = await fetch(`${bank.url}/giro/v1/payments`, {
    method: 'POST', body: JSON.stringify({ kid: '1234567897', amount_ore: 250000, booked: '2024-11-15', debtor: 'Feil Kid' }),
  });
  assert.equal(paid.status, 201);
  assert.match(stipend('loans', 'import', '--bank', bank.url), /unknown KID: 1/);
  const debtBefore = Number(server.sql(`select sum(amount) from ledger_legs where person_id = ${id}`));

  const worker = await newVisitor(browser, { bypassCSP: true });
  const page = await worker.newPage();
  try {
    await page.goto(`${server.url}/login`);
    await page.getByRole('button', { name: /^Sara Berg \(saksbehandler/ }).click();
    await page.waitForURL(/\/saksbehandling$/);
    await page.goto(`${server.url}/saksbehandling/innbetalinger`);
    await page.getByRole('heading', { level: 1, name: 'Innbetalinger uten lån' }).waitFor();
    await page.getByRole('table', { name: 'Innbetalinger uten lån' }).getByText('Feil Kid').waitFor();
    await assertAccessible(t, page, 'the payments no account took');
    await noOverflow(page, 'the payments no account took');
    const section = page.locator('section[data-resolve]').first();
    await section.getByLabel('eller KID-nummer').fill(kid);
    await section.getByRole('button', { name: 'Bokfør på lånet' }).click();
    await page.waitForURL(/\/saksbehandling\/innbetalinger\?status=bokfort$/);
    await page.getByText('Innbetalingen er bokført på lånet.').waitFor();
    await page.getByText('Ingen innbetalinger venter.').waitFor();
  } finally {
    await worker.close();
  }
  assert.equal(Number(server.sql(`select sum(amount) from ledger_legs where person_id = ${id}`)), debtBefore - 250000);

  const borrower = await newVisitor(browser, { bypassCSP: true });
  const mine = await borrower.newPage();
  try {
    await mine.goto(`${server.url}/login`);
    await mine.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
    await mine.getByRole('button', { name: 'Logg inn', exact: true }).click();
    await mine.waitForURL(/\/saker$/);
    await mine.goto(`${server.url}/mine-sider/gjeld`);
    await mine.getByRole('heading', { level: 1, name: 'Min gjeld' }).waitFor();
    assert.equal(Number(await mine.locator('#loan-balance').getAttribute('data-ore')), debtBefore - 250000);
    await mine.getByRole('group', { name: 'Forfall hver måned den' }).getByLabel('15.').check();
    await mine.getByRole('button', { name: 'Endre forfallsdato' }).click();
    await mine.waitForURL(/\/mine-sider\/gjeld\?forfall=endret$/);
    await mine.getByText('Forfallsdatoen er endret.').waitFor();
    assert.equal(await mine.locator('#loan-due-day').getAttribute('data-day'), '15');
    await assertAccessible(t, mine, 'Min gjeld with the due day');
    await noOverflow(mine, 'Min gjeld');
  } finally {
    await borrower.close();
  }
  stipend('loans', 'run', '--through', '2024-12-01', '--params', paramsDir);
  assert.equal(server.sql(`select max(due) from loan_invoices where person_id = ${id}`), '2024-12-15');
});
