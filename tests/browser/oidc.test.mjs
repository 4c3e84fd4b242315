// oidc.test.mjs - real login in chromium (tracker #13): from the front page
// through the simulator's test ID-porten, choosing a person and the level
// of assurance on the provider's own page, back to "Mine saker"; logout
// through the provider's end-session endpoint; a member of staff through
// the agency's provider into the workbench; and the page a refused login
// gets. The server runs without the test login, as in production. axe-core
// checks each of our pages we stop on (and the provider's login page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertAccessible, launchBrowser, newVisitor, plain } from './server.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ persons: 30, oidc: true, testLogin: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a citizen logs in through the provider\'s page, sees their cases, and logs out at the provider', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/`);
  await page.getByRole('navigation').getByRole('link', { name: 'Logg inn', exact: true }).click();
  // The provider's login page: the synthetic population with what the
  // registers hold about their schooling.
  await page.waitForURL(/\/oidc\/idporten\/authorize/);
  await assertAccessible(t, page, 'the provider\'s login page');
  const row = page.getByRole('row').nth(2);
  const name = (await row.getByRole('cell').nth(1).innerText()).trim();
  assert.match(await row.innerText(), /\d+\s+(student|elev|forelder|barn|ikke i utdanning)/);
  await page.getByLabel(name, { exact: true }).check();
  await page.getByLabel('Høyt (BankID)').check();
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.waitForURL(`${server.base}/saker`).catch(async (err) => {
    throw new Error(`${err.message}; at ${page.url()}: ${(await page.getByRole("main").innerText())}\n${server.log()}`);
  });
  assert.ok(plain(await page.locator('header').innerText()).includes(name), 'the header names the person');
  await assertAccessible(t, page, 'Mine saker after a real login');
  const id = server.sql(`SELECT id FROM persons WHERE given_name || ' ' || family_name = '${name.replace(/'/g, "''")}'`);
  assert.equal(server.sql(`SELECT acr FROM sessions WHERE person_id = ${id}`), 'idporten-loa-high');

  // With the mouse: the logout form's box no longer covers its button.
  await page.getByRole('button', { name: 'Logg ut' }).click();
  await page.waitForURL(`${server.base}/`);
  assert.equal(server.sql(`SELECT count(*) FROM sessions WHERE person_id = ${id}`), '0');
  await page.getByRole('navigation').getByRole('link', { name: 'Logg inn', exact: true }).waitFor();
  await context.close();
});

test('a member of staff logs in through the agency\'s provider into the workbench', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/`);
  await page.getByRole('contentinfo').getByRole('link', { name: 'Logg inn som ansatt' }).click();
  await page.waitForURL(/\/oidc\/agency\/authorize/);
  await page.getByLabel(/Per Lund/).check();
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.waitForURL(`${server.base}/saksbehandling`);
  assert.match(await page.getByRole('main').innerText(), /\S/);
  await assertAccessible(t, page, 'the workbench after the staff login');
  await context.close();
});

test('a refused login says so and offers to log in again', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  const r = await page.goto(`${server.base}/login/callback?state=made-up&code=x`);
  assert.equal(r.status(), 400);
  await page.getByRole('heading', { name: 'Vi kunne ikke logge deg inn' }).waitFor();
  await page.getByRole('link', { name: 'Logg inn på nytt' }).waitFor();
  await assertAccessible(t, page, 'the refused login');
  // 320 px wide: nothing sticks out sideways.
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  assert.equal(overflow, false);
  await context.close();
});
