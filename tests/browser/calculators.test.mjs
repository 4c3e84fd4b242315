// calculators.test.mjs - "Min kalkyl" in chromium, against the real binary:
// the support calculator without JavaScript (an ordinary GET form) and with
// it (static/calculator.js swaps the result in without loading a page), the
// repayment calculator with its table and chart, and axe-core on both.
//
// Modelled on journey.test.mjs: one server for the file (server.mjs), a
// fresh browser context per test, a visitor whose browser asks for
// Norwegian. The tests that run JavaScript keep the real
// Content-Security-Policy, so calculator.js is proved to run under it; only
// the axe contexts bypass it, since playwright inlines the axe script.
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { assertAccessible, launchBrowser, newVisitor, plain, startServer, REPO } from './server.mjs';


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

async function newContext(options = {}) {
  return newVisitor(browser, options);
}

// A page that records whatever the Content-Security-Policy blocks.
async function watchedPage(context) {
  const page = await context.newPage();
  const blocked = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => blocked.push(`${page.url()}: ${err.message}`));
  return { page, blocked };
}

function nav(page) {
  return page.getByRole('navigation', { name: 'Hovedmeny' });
}

function result(page) {
  return page.locator('#calc-result');
}

// The answers of a full-time student in higher education living away.
async function fillFullTimeAway(page) {
  await page.getByLabel('Fødselsdato').fill('2004-05-17');
  await page.getByRole('radio', { name: 'Borte fra foreldrene mine' }).check();
}

async function assertFullTimeAwayEstimate(page) {
  await result(page).getByRole('heading', { name: 'Anslag: Innvilget' }).waitFor();
  const row = plain(await result(page).getByRole('row', { name: /^Basislån/ }).innerText());
  assert.match(row, /151 690 kr/, `the Basislån row reads: ${row}`);
  const text = plain(await result(page).innerText());
  assert.match(text, /Opptil 60 676 kr av lånet kan bli gjort om til stipend\./);
  assert.match(text, /Anslag – ikke et vedtak\./);
}

test('support_calculator_without_javascript', async () => {
  const context = await newContext({ javaScriptEnabled: false });
  const { page, blocked } = await watchedPage(context);
  try {
    await page.goto(`${server.url}/`);
    await nav(page).getByRole('link', { name: 'Kalkulator', exact: true }).click();
    await page.waitForURL(/\/kalkulator$/);
    await page.getByRole('heading', { level: 1, name: 'Min kalkyl' }).waitFor();
    await page.getByRole('link', { name: /^Støttekalkulator/ }).click();
    await page.waitForURL(/\/kalkulator\/stotte$/);
    await page.getByText('Dette er et anslag, ikke et vedtak.', { exact: false }).waitFor();
    // Without JavaScript every question is shown.
    assert.ok(await page.getByRole('group', { name: 'Bare for videregående opplæring' }).isVisible());

    await fillFullTimeAway(page);
    await page.getByRole('button', { name: 'Regn ut' }).click();
    await page.waitForURL(/\/kalkulator\/stotte\?.*load_percent=100/);
    await assertFullTimeAwayEstimate(page);
    // The answers stay in the form, and the address can be shared.
    assert.equal(await page.getByLabel('Fødselsdato').inputValue(), '2004-05-17');
    const shared = page.url();
    const again = await context.newPage();
    await again.goto(shared);
    await assertFullTimeAwayEstimate(again);

    // A wrong answer is named next to its field, with status 422.
    await page.getByLabel('Studiebelastning i prosent').fill('150');
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/kalkulator/stotte'),
      page.getByRole('button', { name: 'Regn ut' }).click(),
    ]);
    assert.equal(response.status(), 422);
    const load = page.getByLabel('Studiebelastning i prosent');
    await page.locator('#load_percent-error').filter({ hasText: 'Studiebelastningen må være et helt tall fra 1 til 100.' }).waitFor();
    assert.equal(await load.getAttribute('aria-invalid'), 'true');
    assert.equal(await result(page).getByRole('heading').count(), 0, 'an estimate is shown for a wrong answer');
    assert.deepEqual(blocked, [], 'the Content-Security-Policy blocked something');
  } finally {
    await context.close();
  }
});

test('support_calculator_updates_live_with_javascript', async () => {
  const context = await newContext();
  const { page, blocked } = await watchedPage(context);
  try {
    await page.goto(`${server.url}/kalkulator/stotte`);
    // Higher education is chosen: the upper-secondary questions are hidden.
    const upper = page.getByRole('group', { name: 'Bare for videregående opplæring' });
    await upper.waitFor({ state: 'hidden' });
    await result(page).getByText('Fyll ut skjemaet og velg «Regn ut» for å se et anslag.').waitFor();

    // A mark on this document survives only if no page is loaded.
    await page.evaluate(() => { window.stillTheSamePage = true; });
    let loads = 0;
    page.on('load', () => { loads++; });

    await fillFullTimeAway(page);
    await assertFullTimeAwayEstimate(page);

    // A changed answer changes the estimate in place.
    const load = page.getByLabel('Studiebelastning i prosent');
    await load.fill('50');
    await load.press('Tab');
    await result(page).getByRole('row', { name: /^Basislån.*68 950 kr/ }).waitFor();

    // A wrong answer: the message appears next to the field, the
    // estimate gives way, and focus stays where the person is.
    await load.fill('150');
    await load.press('Tab');
    await page.locator('#load_percent-error').filter({ hasText: 'Studiebelastningen må være et helt tall fra 1 til 100.' }).waitFor();
    assert.equal(await load.getAttribute('aria-invalid'), 'true');
    await result(page).getByText('Rett feilene i skjemaet, så regner vi ut på nytt.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'months');

    // Mended, the error goes and the estimate returns.
    await load.fill('100');
    await load.press('Tab');
    await assertFullTimeAwayEstimate(page);
    assert.equal(await page.locator('#load_percent-error').count(), 0);
    assert.equal(await load.getAttribute('aria-invalid'), null);

    // Choosing upper secondary shows its questions.
    await page.getByRole('radio', { name: 'Videregående opplæring' }).check();
    await upper.waitFor({ state: 'visible' });
    await result(page).getByRole('heading', { name: /^Anslag: / }).waitFor();

    assert.equal(await page.evaluate(() => window.stillTheSamePage), true, 'a page was loaded');
    assert.equal(loads, 0, 'a page was loaded');
    // The address follows the answers, so the estimate can be shared. The
    // estimate's heading was there before the change: wait for the address
    // the new answers write (a busy machine takes its time), then assert it.
    await page.waitForFunction(() => /level=upper-secondary/.test(window.location.search)).catch(() => {});
    assert.match(page.url(), /\/kalkulator\/stotte\?.*level=upper-secondary/);
    assert.equal(await result(page).getAttribute('aria-live'), 'polite');
    assert.deepEqual(blocked, [], 'the Content-Security-Policy blocked something or a script failed');
  } finally {
    await context.close();
  }
});

test('repayment_calculator_shows_plan_table_and_chart', async () => {
  const context = await newContext();
  const { page, blocked } = await watchedPage(context);
  try {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: /^Nedbetalingskalkulator/ }).click();
    await page.waitForURL(/\/kalkulator\/nedbetaling$/);
    await page.getByLabel('Lånebeløp i kroner').fill('100 000');
    await page.getByLabel('Årlig rente i prosent').fill('0');
    await page.getByLabel('Nedbetalingstid i år').fill('10');
    await page.getByRole('button', { name: 'Regn ut' }).click();

    const plan = page.getByRole('region', { name: 'Slik blir nedbetalingen' });
    await plan.waitFor();
    const facts = plain(await plan.locator('dl').innerText());
    assert.match(facts, /Hver innbetaling\s+834 kr/);
    assert.match(facts, /Siste innbetaling\s+754 kr/);
    assert.match(facts, /Antall innbetalinger\s+120/);
    assert.match(facts, /Du betaler i alt\s+100 000 kr/);
    const table = plan.getByRole('table', { name: 'Nedbetalingsplan år for år' });
    assert.equal(await table.getByRole('row').count(), 11);
    assert.match(plain(await table.getByRole('row', { name: /^10 / }).innerText()), /0 kr$/);
    const chart = plan.getByRole('img', { name: 'Restgjeld og renter år for år' });
    await chart.waitFor();
    const box = await chart.boundingBox();
    assert.ok(box.width > 200 && box.height > 100, `the chart is ${box.width}x${box.height}`);

    // The rate changes the plan in place.
    const rate = page.getByLabel('Årlig rente i prosent');
    await rate.fill('5,212');
    await rate.press('Tab');
    await plan.locator('dl').filter({ hasText: /Av dette renter\s*[1-9]/ }).waitFor();
    assert.match(page.url(), /rate=5%2C212/);
    assert.deepEqual(blocked, [], 'the Content-Security-Policy blocked something or a script failed');
  } finally {
    await context.close();
  }
});

test('repayment_calculator_without_javascript', async () => {
  const context = await newContext({ javaScriptEnabled: false });
  const { page, blocked } = await watchedPage(context);
  try {
    await page.goto(`${server.url}/kalkulator/nedbetaling`);
    await page.getByLabel('Lånebeløp i kroner').fill('1000');
    await page.getByLabel('Årlig rente i prosent').fill('10');
    await page.getByLabel('Nedbetalingstid i år').fill('2');
    await page.getByLabel('Innbetalinger i året').selectOption('1');
    await page.getByRole('button', { name: 'Regn ut' }).click();
    await page.waitForURL(/\/kalkulator\/nedbetaling\?/);
    // 1 000 kr at 10 % over two yearly payments: 577 kr, then 575,30 kr.
    const facts = plain(await page.getByRole('region', { name: 'Slik blir nedbetalingen' }).locator('dl').innerText());
    assert.match(facts, /Hver innbetaling\s+577 kr/);
    assert.match(facts, /Siste innbetaling\s+575,30 kr/);
    assert.match(facts, /Av dette renter\s+152,30 kr/);
    await page.getByRole('img', { name: 'Restgjeld og renter år for år' }).waitFor();
    assert.deepEqual(blocked, [], 'the Content-Security-Policy blocked something');
  } finally {
    await context.close();
  }
});

test('calculator_pages_are_accessible', async (t) => {
  const context = await newContext({ bypassCSP: true });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/kalkulator`);
    await assertAccessible(t, page, 'the calculators page');

    await page.goto(`${server.url}/kalkulator/stotte`);
    await assertAccessible(t, page, 'the support calculator');
    await fillFullTimeAway(page);
    await assertFullTimeAwayEstimate(page);
    await assertAccessible(t, page, 'the support calculator with an estimate');

    await page.goto(`${server.url}/kalkulator/stotte?year=2024-2025&level=upper-secondary&load_percent=150`);
    await page.getByRole('alert').filter({ hasText: 'Du må rette dette før du kan sende:' }).waitFor();
    await assertAccessible(t, page, 'the support calculator with errors');

    await page.goto(`${server.url}/kalkulator/nedbetaling?amount=350000&rate=5.212&years=20&per_year=12`);
    await page.getByRole('img', { name: 'Restgjeld og renter år for år' }).waitFor();
    await assertAccessible(t, page, 'the repayment calculator with a plan');

    await page.goto(`${server.url}/kalkulator/nedbetaling?amount=x&rate=&years=0`);
    await assertAccessible(t, page, 'the repayment calculator with errors');
  } finally {
    await context.close();
  }
});
