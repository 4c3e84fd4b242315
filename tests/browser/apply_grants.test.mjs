// apply_grants.test.mjs - #9: the sickness and parental grants on the
// application form, in a real browser on a phone's width (320 px), with
// the registers beside the server:
// - a person chooses the sickness grant on the form's first step, is told
//   the doctor's confirmation is what it needs, writes a bad percent and
//   is told so next to the question, corrects it and is sent to the case,
//   which waits for a case worker to settle the amount (bokmål);
// - a person in English chooses the parental grant, is told the school's
//   confirmation of the leave is needed, and applies without it: the case
//   goes to a case worker, who asks for it.
// Each page is checked with axe-core and for horizontal overflow.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { assertAccessible, launchBrowser, newVisitor, plain } from './server.mjs';

let srv;
let browser;
before(async () => {
  srv = await startServer({ registers: true, persons: 40 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const nins = () => srv.sql('select nin from persons where confidential_address = 0 order by id').split('\n');

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

const mainText = async (page) => plain(await page.getByRole('main').innerText());
const phone = { viewport: { width: 320, height: 640 }, bypassCSP: true };

test('a_sickness_grant_in_bokmal_on_a_phone', async (t) => {
  const context = await newVisitor(browser, phone);
  const page = await context.newPage();
  try {
    await login(page, nins()[0]);
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Søk om stipend og lån' }).click();
    await page.waitForURL(/\/soknad$/);
    await page.getByRole('radio', { name: /^Sykestipend/ }).check();
    await page.getByRole('button', { name: 'Vis spørsmålene' }).click();
    await page.waitForURL(/\/soknad\?scheme=sickness-grant$/);
    await page.getByRole('heading', { level: 1, name: /Søk om sykestipend for skoleåret 2024-2025/ }).waitFor();
    assert.match(await mainText(page), /Du trenger en bekreftelse fra lege/);
    await assertAccessible(t, page, 'the sickness grant form');
    await noOverflow(page, 'the sickness grant form');

    await page.getByLabel('Syk fra og med').fill('02.09.2024');
    await page.getByLabel('Syk til og med').fill('30.11.2024');
    await page.getByLabel('Hvor mange prosent kunne du ikke studere?').fill('hundre');
    await page.getByRole('group', { name: 'Har lege bekreftet at du ikke kunne studere?' }).getByRole('radio', { name: 'Ja' }).check();
    await page.getByRole('group', { name: /Søkte du om lån og stipend/ }).getByRole('radio', { name: 'Ja' }).check();
    await page.getByRole('group', { name: /arbeidsavklaringspenger/ }).getByRole('radio', { name: 'Nei' }).check();
    await page.getByRole('button', { name: 'Send søknaden' }).click();
    // Told next to the question, nothing written lost.
    await page.getByText('Skriv hvor mange prosent du ikke kunne studere, som et helt tall fra 0 til 100.').first().waitFor();
    assert.equal(await page.getByLabel('Hvor mange prosent kunne du ikke studere?').inputValue(), 'hundre');
    assert.equal(await page.getByLabel('Syk fra og med').inputValue(), '02.09.2024');
    assert.equal(await page.getByRole('group', { name: /arbeidsavklaringspenger/ }).getByRole('radio', { name: 'Nei' }).isChecked(), true);
    await assertAccessible(t, page, 'the sickness grant form with an error');
    await noOverflow(page, 'the sickness grant form with an error');
    await page.getByLabel('Hvor mange prosent kunne du ikke studere?').fill('100');
    await page.getByRole('button', { name: 'Send søknaden' }).click();
    await page.waitForURL(/\/saker\/\d+$/);
    const text = await mainText(page);
    assert.match(text, /Sykestipend/);
    await assertAccessible(t, page, 'the sickness grant case');
    await noOverflow(page, 'the sickness grant case');
    const id = page.url().split('/').pop();
    const d = JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} order by id desc limit 1`));
    assert.deepEqual(d.manual_reasons.map((x) => x.code), ['sickness-grant-amount']);
  } finally {
    await context.close();
  }
});

test('a_parental_grant_in_english_on_a_phone', async (t) => {
  const context = await newVisitor(browser, phone);
  const page = await context.newPage();
  try {
    await login(page, nins()[1]);
    await page.goto(`${srv.base}/soknad?lang=en`);
    await page.getByRole('radio', { name: /^Parental grant/ }).check();
    await page.getByRole('button', { name: 'Show the questions' }).click();
    await page.waitForURL(/scheme=parental-grant/);
    await page.getByRole('heading', { level: 1, name: /Apply for the parental grant for the school year 2024-2025/ }).waitFor();
    assert.match(await mainText(page), /You need a confirmation from your school or institution that you are on leave/);
    await assertAccessible(t, page, 'the parental grant form in English');
    await noOverflow(page, 'the parental grant form in English');

    await page.getByLabel("The child's date of birth or adoption").fill('10.01.2025');
    await page.getByLabel(/How many months were you in education/).fill('10');
    await page.getByRole('group', { name: 'Do you live with the child?' }).getByRole('radio', { name: 'Yes' }).check();
    assert.equal(await page.getByLabel(/How many percent parental benefit/).inputValue(), '0');
    await page.getByRole('group', { name: /confirmed your leave/ }).getByRole('radio', { name: 'No' }).check();
    await page.getByRole('button', { name: 'Send the application' }).click();
    await page.waitForURL(/\/saker\/\d+$/);
    assert.match(await mainText(page), /Parental grant/);
    await assertAccessible(t, page, 'the parental grant case in English');
    await noOverflow(page, 'the parental grant case in English');
    const id = page.url().split('/').pop();
    const d = JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} order by id desc limit 1`));
    assert.deepEqual(d.manual_reasons.map((x) => x.code), ['parental-leave-documentation-missing']);
  } finally {
    await context.close();
  }
});
