// loans_disability.test.mjs - the write-off of debt at permanent disability
// in chromium (#11, helper B): a case worker fills the form "Sletting av
// gjeld ved uførhet" on a borrower's loan account (the registers do not
// answer here, so the income is typed), sees the proposal by the 2020
// table (forskrift om tilbakebetaling av utdanningslån 2020 § 13-1:
// 402 195-439 412 kr gives a new debt of 89 163 kr, a term of 1 009 kr)
// and decides it (plain forms, no script of its own); a field left wrong
// names itself.
// axe-core checks each page; at 320 px none overflows.
//
// With STIPEND_SHOTS=<folder> it also saves the form and the proposal at
// 320, 390 and 1280 px there.
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, assertAccessible, launchBrowser, newVisitor, startServer } from './server.mjs';

// The compiled-in parameters hold the floating rate of May-June 2024 only;
// this test adds a rate of its own from July 2024.
const rates = `loan.rate.floating:
  value: 4000
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2035-12-31
  reference: test
  source: test
`;

let server;
let browser;
let paramsDir;

before(async () => {
  paramsDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-disability-browser-'));
  cpSync(path.join(REPO, 'params/no'), paramsDir, { recursive: true });
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-loan-rates.yaml'), rates);
  server = await startServer({ args: ['--params', paramsDir] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
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

async function shots(page, name) {
  const dir = process.env.STIPEND_SHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const width of [320, 390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('a case worker writes off part of a disabled borrower\'s debt from the loan account page, in two steps', async (t) => {
  const nin = server.sql("select nin from persons where birth_date < '1998-01-01' and confidential_address = 0 order by id limit 1 offset 2");
  const id = server.sql(`select id from persons where nin = '${nin}'`);
  stipend('loans', 'disburse', '--nin', nin, '--amount', '150000', '--date', '2023-08-15');
  stipend('loans', 'support-ended', '--nin', nin, '--date', '2024-12-31');
  stipend('loans', 'run', '--through', '2025-08-01', '--params', paramsDir);

  const worker = await newVisitor(browser, { bypassCSP: true });
  const page = await worker.newPage();
  try {
    await page.goto(`${server.url}/login`);
    await page.getByRole('button', { name: /^Sara Berg \(saksbehandler/ }).click();
    await page.waitForURL(/\/saksbehandling$/);
    await page.goto(`${server.url}/saksbehandling/personer/${id}/gjeld`);
    await page.getByRole('heading', { level: 2, name: 'Sletting av gjeld ved uførhet' }).waitFor();
    await assertAccessible(t, page, 'the loan account with the write-off form');
    await noOverflow(page, 'the loan account with the write-off form');
    await shots(page, 'form');

    // A degree that is no number names its field.
    await page.getByLabel('Søknaden mottatt').fill('01.03.2020');
    await page.getByLabel('Uføregrad (prosent)').fill('seksti');
    await page.getByRole('group', { name: 'Fikk AAP helt fram til vedtaket om uføretrygd' }).getByLabel('Nei').check();
    await page.getByLabel('Person- og kapitalinntekt (kroner)').fill('420 000');
    await page.getByRole('button', { name: 'Beregn forslag' }).click();
    await page.locator('#degree-error').getByText('Skriv uføregraden som et helt tall fra 0 til 100.').waitFor();
    await page.locator('#error-summary').waitFor();
    assert.equal(await page.getByLabel('Person- og kapitalinntekt (kroner)').inputValue(), '420 000');
    await assertAccessible(t, page, 'the form with an error');
    await shots(page, 'form-error');

    await page.getByLabel('Uføregrad (prosent)').fill('60');
    await page.getByRole('button', { name: 'Beregn forslag' }).click();
    const proposal = page.locator('#disability-proposal');
    await proposal.waitFor();
    assert.equal(await proposal.getAttribute('data-outcome'), 'partial');
    assert.equal(await proposal.getAttribute('data-new-debt'), '8916300');
    await proposal.getByText('Gjelden reduseres etter tabellen').waitFor();
    await assertAccessible(t, page, 'the proposal');
    await noOverflow(page, 'the proposal');
    await shots(page, 'proposal');

    await page.getByRole('button', { name: 'Fatt vedtak om sletting' }).click();
    await page.waitForURL(/\/gjeld\?vedtak=\d+$/);
    await page.getByText('Vedtaket er fattet, og brevet er sendt til låntakeren.').waitFor();
    await page.locator('#disability-decisions tr[data-outcome="partial"]').waitFor();
    await assertAccessible(t, page, 'the loan account after the decision');
    await noOverflow(page, 'the loan account after the decision');
    await shots(page, 'decided');
  } finally {
    await worker.close();
  }
  assert.equal(Number(server.sql(`select sum(amount) from ledger_legs where person_id = ${id}`)), 8916300);
  const check = spawnSync(path.join(REPO, 'stipend'), ['ledger', 'check', '--db', server.db], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
});
