// mypages.test.mjs - "Mine sider" in chromium, against the real binary: a
// pupil whose case waits for documentation opens Mine sider from the menu,
// finds the deadline, makes the calendar address, and the feed behind "Legg
// til i kalenderen" (its https variant, fetched without the browser's
// session) holds the deadline; the notice settings name a wrong field. axe-
// core checks each page of Mine sider; a serious or critical finding fails.
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, launchBrowser, newVisitor, plain, startServer } from './server.mjs';

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

const nav = (page) => page.getByRole('navigation', { name: 'Hovedmeny' });

// A pupil whose upper-secondary case waits for documentation, asked for by a
// case worker over HTTP (the workbench has its own browser test). Returns
// the pupil's number, the case and the deadline.
async function pupilAwaitingDocumentation() {
  const nin = sql("select nin from persons where birth_date between '2004-01-01' and '2008-12-31' "
    + 'and confidential_address = 0 order by id limit 1');
  const jar = new Map();
  const call = async (method, url, form) => {
    const headers = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const r = await fetch(server.url + url, { method, headers, body, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return { status: r.status, location: r.headers.get('location'), text: await r.text() };
  };
  const csrf = (html) => html.match(/name="csrf" value="([0-9a-f]{64})"/)[1];
  let page = await call('GET', '/login');
  assert.equal((await call('POST', '/login/test', { nin, csrf: csrf(page.text) })).status, 303);
  page = await call('GET', '/soknad');
  const applied = await call('POST', '/soknad', {
    csrf: csrf(page.text), scheme: 'upper-secondary', institution: 'Oslo katedralskole', programme: 'Studiespesialisering', lives_with_parents: 'no', start: '2024-08-19', end: '2025-06-20',
    distance_km: '12,5', daily_travel_minutes: '90', walking_km: '1,5', special_circumstances: 'yes',
  });
  assert.equal(applied.status, 303, applied.text);
  const id = applied.location.split('/').pop();
  jar.clear();
  page = await call('GET', '/login');
  assert.equal((await call('POST', '/login/test', { staff: 'sara.berg', csrf: csrf(page.text) })).status, 303);
  page = await call('GET', `/saksbehandling/saker/${id}`);
  const deadline = new Date(Date.now() + 14 * 86400e3).toISOString().slice(0, 10);
  const asked = await call('POST', `/saksbehandling/saker/${id}/dokumentasjon`, {
    csrf: csrf(page.text), doc_text: 'Send en uttalelse fra skolens rådgiver.', deadline,
  });
  assert.equal(asked.status, 303, asked.text);
  return { nin, id, deadline };
}

test('a_pupil_adds_the_deadline_to_their_own_calendar', async (t) => {
  const { nin, id, deadline } = await pupilAwaitingDocumentation();
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
    await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
    await page.waitForURL(/\/saker$/);

    await nav(page).getByRole('link', { name: 'Mine sider' }).click();
    await page.waitForURL(/\/mine-sider$/);
    await page.getByRole('heading', { level: 1, name: 'Mine sider' }).waitFor();
    const [y, m, d] = deadline.split('-');
    const deadlines = page.getByRole('region', { name: 'Neste frister' });
    await deadlines.getByText(`${d}.${m}.${y}`).waitFor();
    await page.getByRole('region', { name: 'Saker' }).getByRole('link', { name: `Sak ${id}:`, exact: false }).first().waitFor();
    await assertAccessible(t, page, 'Mine sider');

    await deadlines.getByRole('link', { name: 'Se alle frister i kalenderen' }).click();
    await page.waitForURL(/\/mine-sider\/kalender$/);
    const upcoming = page.getByRole('region', { name: 'Kommende frister' });
    const row = upcoming.getByRole('row').filter({ hasText: `${d}.${m}.${y}` });
    await row.getByText('Send dokumentasjon').waitFor();
    await row.getByRole('link', { name: `Sak ${id}` }).waitFor();
    await assertAccessible(t, page, 'the calendar before an address is made');

    await page.getByRole('button', { name: 'Lag kalenderadresse' }).click();
    await page.waitForURL(/\/mine-sider\/kalender\?adresse=ny#adresse$/);
    await page.getByRole('status').filter({ hasText: 'Du har fått en ny kalenderadresse' }).waitFor();
    const address = await page.getByLabel('Kalenderadressen din').inputValue();
    const add = page.getByRole('link', { name: 'Legg til i kalenderen' });
    const webcal = await add.getAttribute('href');
    assert.match(webcal, /^webcal:\/\/127\.0\.0\.1:\d+\/kalender\/[A-Za-z0-9_-]{43}\.ics$/);
    assert.equal(webcal.replace(/^webcal:/, 'http:'), address);
    await assertAccessible(t, page, 'the calendar with its address');

    // The calendar app follows the https variant of the link; here the
    // server speaks http. No cookie goes with it.
    const feed = await fetch(webcal.replace(/^webcal:/, server.url.startsWith('https:') ? 'https:' : 'http:'));
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type'), /^text\/calendar/);
    const ics = (await feed.text()).replace(/\r\n[ \t]/g, '');
    assert.match(ics, new RegExp(`DTSTART;VALUE=DATE:${y}${m}${d}\\r\\n`));
    assert.match(ics, new RegExp(`SUMMARY:Send dokumentasjon \\(sak ${id}\\)\\r\\n`));
    assert.ok(!ics.includes(nin));

    await page.getByRole('link', { name: 'Velg når du vil få påminnelser før en frist' }).click();
    await page.waitForURL(/\/mine-sider\/paminnelser$/);
    const group = page.getByRole('group', { name: 'Søknad om stipend – videregående opplæring' });
    assert.ok(await group.getByRole('checkbox', { name: '7 dager før' }).isChecked());
    assert.ok(await group.getByRole('checkbox', { name: '1 dag før' }).isChecked());
    await assertAccessible(t, page, 'the reminder settings');

    await page.goto(`${server.url}/mine-sider/varsling`);
    await page.getByRole('heading', { level: 1, name: 'Varsling og kontaktinformasjon' }).waitFor();
    await assertAccessible(t, page, 'the notice settings');
    await page.getByLabel('E-postadresse').fill('ikke-en-adresse');
    await page.getByRole('button', { name: 'Lagre', exact: true }).click();
    await page.getByRole('alert').getByRole('link', { name: /Skriv en gyldig e-postadresse/ }).waitFor();
    assert.equal(await page.getByLabel('E-postadresse').getAttribute('aria-invalid'), 'true');
    assert.match(plain(await page.locator('#email-error').innerText()), /Skriv en gyldig e-postadresse/);
    await assertAccessible(t, page, 'the notice settings with an error');
    assert.equal(sql(`select count(*) from contact_preferences c join persons p on p.id = c.person_id where p.nin='${nin}'`), '0');
  } finally {
    await context.close();
  }
});
