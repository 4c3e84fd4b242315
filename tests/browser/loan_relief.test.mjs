// loan_relief.test.mjs - #11 (helper A): from "Min gjeld", in chromium,
// with the registers beside the server:
// - a borrower in bokmål follows "Søk om betalingsutsettelse", writes too
//   many months and is told so next to the field, corrects it and lands
//   on the case with the decision (granted) and its trace;
// - a borrower in English follows "Apply for interest relief", is told
//   what each ground must document, chooses illness and lands on the case.
// Each page is checked with axe-core and for horizontal overflow at
// 320 px; the forms are photographed at 320, 390 and 1280 px into
// SHOTS (default /work/helpers/r12/shots-a) for a person to look at.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { paramsDir as makeParams } from '../lib/relief_params.mjs';
import { run, startServer } from '../lib/server.mjs';
import { assertAccessible, launchBrowser, newVisitor, plain } from './server.mjs';

const SHOTS = process.env.SHOTS || '/work/helpers/r12/shots-a';

let srv;
let browser;
let paramsDir;
before(async () => {
  paramsDir = makeParams();
  srv = await startServer({ registers: true, persons: 40, params: paramsDir });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  if (paramsDir) rmSync(paramsDir, { recursive: true, force: true });
});

let next = 0;
// A borrower: 100 000 kr lent in August 2023, support ended July 2024.
function borrower() {
  const nins = srv.sql("select nin from persons where birth_date < '2000-01-01' and confidential_address = 0 order by id").split('\n');
  const nin = nins[next++];
  for (const args of [['disburse', '--nin', nin, '--amount', '100 000', '--date', '2023-08-15', '--cause', 'payout:e2e'],
    ['support-ended', '--nin', nin, '--date', '2024-07-31']]) {
    const r = run(['loans', ...args, '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
  }
  return nin;
}

async function login(page, nin) {
  await page.goto(`${srv.base}/login`);
  await page.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
  await page.waitForURL(/\/saker$/);
}

async function noOverflow(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 0, `${what} is ${wide} px wider than the screen`);
}

// The page at the three widths, then back to the phone's.
async function shots(page, name) {
  for (const width of [320, 390, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 320, height: 640 });
}

const mainText = async (page) => plain(await page.getByRole('main').innerText());
const phone = { viewport: { width: 320, height: 640 }, bypassCSP: true };

test('a deferral in bokmål from Min gjeld on a phone', async (t) => {
  const context = await newVisitor(browser, phone);
  const page = await context.newPage();
  try {
    await login(page, borrower());
    await page.goto(`${srv.base}/mine-sider/gjeld`);
    await assertAccessible(t, page, 'Min gjeld with the relief links');
    await noOverflow(page, 'Min gjeld');
    await page.locator('#loan-relief').scrollIntoViewIfNeeded();
    await shots(page, 'min-gjeld');
    await page.getByRole('link', { name: 'Søk om betalingsutsettelse' }).click();
    await page.waitForURL(/\/mine-sider\/gjeld\/utsettelse$/);
    await page.getByRole('heading', { level: 1, name: 'Søk om betalingsutsettelse' }).waitFor();
    assert.match(await mainText(page), /I én søknad kan du utsette inntil 6 måneder/);
    await assertAccessible(t, page, 'the deferral form');
    await noOverflow(page, 'the deferral form');
    await shots(page, 'deferral-nb');

    await page.getByLabel('Hvor mange måneder vil du utsette?').fill('9');
    await page.getByRole('button', { name: 'Send søknaden' }).click();
    await page.locator('#months-error').waitFor();
    assert.match(plain(await page.locator('#months-error').innerText()), /skriv et helt tall fra 1 til 6/);
    assert.equal(await page.getByLabel('Hvor mange måneder vil du utsette?').getAttribute('aria-invalid'), 'true');
    await assertAccessible(t, page, 'the deferral form with an error');
    await noOverflow(page, 'the deferral form with an error');
    await shots(page, 'deferral-nb-error');

    await page.getByLabel('Hvor mange måneder vil du utsette?').fill('3');
    await page.getByRole('button', { name: 'Send søknaden' }).click();
    await page.waitForURL(/\/saker\/\d+$/);
    const text = await mainText(page);
    assert.match(text, /Betalingsutsettelse/);
    assert.match(text, /fra lånekontoen din hos oss/);
    const id = page.url().split('/').pop();
    assert.equal(srv.sql(`select outcome from cases where id = ${id}`), 'granted');
    await assertAccessible(t, page, 'the deferral case');
    await noOverflow(page, 'the deferral case');
    await shots(page, 'deferral-nb-case');
  } finally {
    await context.close();
  }
});

test('interest relief in English from Min gjeld on a phone', async (t) => {
  const context = await newVisitor(browser, phone);
  const page = await context.newPage();
  try {
    await login(page, borrower());
    await page.goto(`${srv.base}/mine-sider/gjeld?lang=en`);
    await page.getByRole('link', { name: 'Apply for interest relief' }).click();
    await page.waitForURL(/\/mine-sider\/gjeld\/rentefritak$/);
    await page.getByRole('heading', { level: 1, name: 'Apply for interest relief' }).waitFor();
    const text = await mainText(page);
    assert.match(text, /doctor's statement or sick note/);
    assert.match(text, /employer's confirmation of the period you worked full time/);
    await assertAccessible(t, page, 'the relief form in English');
    await noOverflow(page, 'the relief form in English');
    await shots(page, 'relief-en');

    await page.getByRole('group', { name: 'Why was your income low?' }).getByRole('radio', { name: 'Ill' }).check();
    await page.getByLabel('How many months do you apply for?').fill('2');
    await page.getByRole('button', { name: 'Send the application' }).click();
    await page.waitForURL(/\/saker\/\d+$/);
    assert.match(await mainText(page), /Interest relief/);
    assert.match(await mainText(page), /from the Tax Administration/);
    const id = page.url().split('/').pop();
    assert.equal(JSON.parse(srv.sql(`select application_json from cases where id = ${id}`)).relief_ground, 'illness');
    await assertAccessible(t, page, 'the relief case in English');
    await noOverflow(page, 'the relief case in English');
    await shots(page, 'relief-en-case');
  } finally {
    await context.close();
  }
});
