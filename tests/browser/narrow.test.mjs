// narrow.test.mjs - no page overflows a phone: every page a visitor, a
// person and a case worker use (#15: the front page, the login, the
// calculators with a result, the form of each scheme and the change
// application, the decision, the letter, the inbox and writing to us, Mine
// sider with its settings, the workbench with its statistics and
// messages), at 320 and 390 px wide and at 1280, in bokmål and English,
// must not be wider than the window (a wide table scrolls inside its own
// region instead), no heading is cut off, and the table regions pass
// axe-core (WCAG 1.4.10 reflow).
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, launchBrowser, newVisitor, startServer } from './server.mjs';

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

const sql = (query) => server.sql(query);

// The elements that reach past the window's right edge, for the message.
const wider = (page) => page.evaluate(() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll'))
  .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 30)}"`));

async function login(page, lang, who) {
  await page.goto(`${server.url}/login?lang=${lang}`);
  if (who.anonymous) return;
  if (who.staff) {
    await page.locator(`button[name="staff"][value="${who.value}"]`).click();
    await page.waitForURL(/\/saksbehandling$/);
  } else {
    await page.locator('input[name="nin"]').fill(who.value);
    await page.locator('input[name="nin"]').press('Enter');
    await page.waitForURL(/\/saker$/);
  }
}

test('no_page_is_wider_than_a_phone', async (t) => {
  const nin = sql("select nin from persons where birth_date between '2004-01-01' and '2008-12-31' "
    + 'and confidential_address = 0 order by id limit 1');
  // A case of the pupil's own, through the form, so that the case pages,
  // the workbench and Mine sider have a table to show.
  const setup = await newVisitor(browser);
  const p0 = await setup.newPage();
  await login(p0, 'nb', { value: nin });
  await p0.goto(`${server.url}/soknad?scheme=upper-secondary`);
  await p0.getByRole('radio', { name: 'Borte fra foreldrene mine' }).check();
  await p0.getByLabel('Avstand fra foreldrenes hjem til skolen, i km').fill('12,5');
  await p0.getByLabel('Reisetid tur-retur en skoledag, i minutter').fill('90');
  await p0.getByLabel('Gange per dag, i km').fill('1,5');
  await p0.getByRole('checkbox', { name: 'Jeg har særlige personlige eller sosiale grunner til å bo borte' }).check();
  await namePlace(p0);
  await p0.getByRole('button', { name: 'Send søknaden' }).click();
  await p0.waitForURL(/\/saker\/\d+/);
  const caseId = p0.url().split('/').pop();
  await setup.close();
  const letterId = sql(`select id from letters where case_id = ${caseId} order by id limit 1`);

  const visitor = { anonymous: true };
  const person = { value: nin };
  const worker = { staff: true, value: 'sara.berg' };
  const support = 'year=2024-2025&level=upper-secondary&birth_date=2008-03-01&lives_with_parents=no&married=no'
    + '&children=0&load_percent=100&months=10&distance_km=55&travel_minutes=120&parents_income=450000&equipment_rate=0';
  const pages = [
    [visitor, '/'], [visitor, '/login'], [visitor, '/kalkulator'], [visitor, `/kalkulator/stotte?${support}`],
    [visitor, '/kalkulator/nedbetaling?amount=300000&rate=5&years=20&per_year=12'],
    [person, '/saker'], [person, `/saker/${caseId}`], [person, '/innboks'], [person, `/innboks/${letterId}`],
    [person, '/innboks/skriv'], [person, '/mine-sider'], [person, '/mine-sider/kalender'],
    [person, '/mine-sider/paminnelser'], [person, '/mine-sider/varsling'], [person, '/mine-opplysninger'],
    [person, '/soknad?scheme=higher-education'], [person, '/soknad?scheme=upper-secondary'],
    [person, `/soknad?endring=${caseId}`],
    [worker, '/saksbehandling'], [worker, `/saksbehandling/saker/${caseId}`], [worker, '/saksbehandling/statistikk'],
    [worker, '/saksbehandling/henvendelser'],
    [person, '/avtaler'], [person, '/handle-for'], [person, '/fullmakter'],
    [worker, '/saksbehandling/avtaler'],
  ];
  for (const width of [320, 390, 1280]) {
    for (const lang of ['nb', 'en']) {
      const context = await newVisitor(browser, { bypassCSP: true, viewport: { width, height: 800 } });
      const page = await context.newPage();
      let as = null;
      for (const [who, url] of pages) {
        if (who !== as) {
          await context.clearCookies();
          await login(page, lang, who);
          as = who;
        }
        await page.goto(`${server.url}${url}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${url} at ${width} px (${lang}) is ${overflow} px too wide: ${await wider(page)}`);
        // A heading (a card's title too) shows all its text.
        const cut = await page.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4, .ds-card *')]
          .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
          .slice(0, 3).map((e) => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 30)}"`));
        assert.deepEqual(cut, [], `${url} at ${width} px (${lang}) cuts off text`);
        if (width === 320 && lang === 'nb') await assertAccessible(t, page, `${url} at 320 px`);
      }
      await context.close();
    }
  }
});

// #15: an application names its place of study. The form fills in what the
// agency knows; for a person it knows none for, the test writes one.
async function namePlace(page) {
  const institution = page.locator('#institution');
  if ((await institution.inputValue()) !== '') return;
  const upper = (await page.locator('input[name="scheme"][type="hidden"]').inputValue()) === 'upper-secondary';
  await institution.fill(upper ? 'Oslo katedralskole' : 'Universitetet i Oslo');
  await page.locator('#programme').fill(upper ? 'Studiespesialisering' : 'Bachelor i informatikk');
}
