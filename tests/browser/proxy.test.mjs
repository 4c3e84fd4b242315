// proxy.test.mjs - a power of attorney (fullmakt) in chromium, tracker #13:
// person A, who has a case and a letter, gives person B a power to read
// letters at /fullmakter; B logs in, chooses "Handle for" A, opens A's inbox
// and reads A's letter under the "Du handler for" line. B cannot change A's
// payout account: /mine-sider/utbetaling offers B no account form, and a
// POST of the form as B (with B's own CSRF token) is refused with the
// account in the database unchanged. A sees at /fullmakter that B holds the
// power and what B did, revokes it, and B can no longer read the letter.
// The pages pass axe; /fullmakter is no wider than a 390 px screen.
//
// Run from the repository root: node --test tests/browser/proxy.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer as startWired } from '../lib/server.mjs';
import { assertAccessible, launchBrowser, newVisitor } from './server.mjs';

let srv;
let browser;

before(async () => {
  srv = await startWired({ persons: 120, registers: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);
const personOf = (nin) => srv.sql(`select id from persons where nin='${nin}'`);
const nameOf = (nin) => srv.sql(`select given_name || ' ' || family_name from persons where nin='${nin}'`);

async function login(page, nin) {
  await page.goto(`${srv.base}/login`);
  await page.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

// Adults without a confidential address, by id.
function adults() {
  return srv.sql("select nin from persons where confidential_address = 0 and birth_date < '2006-01-01' order by id")
    .split('\n').filter(Boolean);
}

test('a_proxy_reads_a_letter_and_cannot_change_the_account', async (t) => {
  // A: an adult who applies in the browser and so has a case and a letter.
  let a = null;
  let letter = '';
  for (const nin of adults().slice(0, 10)) {
    const context = await newVisitor(browser, { bypassCSP: true });
    const page = await context.newPage();
    try {
      await login(page, nin);
      await page.goto(`${srv.base}/soknad`);
      const home = page.getByRole('radio', { name: 'Hjemme hos foreldrene mine' });
      if (await home.count() === 0) continue;
      await home.check();
      await page.getByRole('button', { name: 'Send søknaden' }).click();
      await page.waitForURL(/\/saker\/\d+$/);
      letter = srv.sql(`select id from letters where person_id=${personOf(nin)} order by id limit 1`);
      if (letter !== '') { a = nin; break; }
    } finally {
      await context.close();
    }
  }
  assert.ok(a, 'nobody in the population got a letter from an application');
  const aId = personOf(a);
  const aName = nameOf(a);
  const b = adults().find((n) => n !== a);
  const bName = nameOf(b);
  // A's payout account as it stands (one of A's own, if the registers gave none).
  if (srv.sql(`select count(*) from payout_accounts where person_id=${aId}`) === '0')
    srv.sql(`insert into payout_accounts(person_id, account, source, state, checked_at)
      values (${aId}, '12345678903', 'person', 'ok', strftime('%s','now'))`);
  const accountBefore = srv.sql(`select account || '|' || source || '|' || state || '|' || checked_at
    from payout_accounts where person_id=${aId}`);

  // A gives B a power to read letters, valid for 30 days.
  const ctxA = await newVisitor(browser, { bypassCSP: true, viewport: { width: 390, height: 800 } });
  const pageA = await ctxA.newPage();
  const ctxB = await newVisitor(browser, { bypassCSP: true });
  const pageB = await ctxB.newPage();
  try {
    await login(pageA, a);
    await pageA.goto(`${srv.base}/fullmakter`);
    await pageA.getByRole('heading', { level: 1, name: 'Fullmakter' }).waitFor();
    await assertAccessible(t, pageA, 'the powers of attorney page');
    await pageA.getByLabel('Fødselsnummer til den som skal få fullmakt').fill(b);
    await pageA.getByRole('checkbox', { name: 'Lese brevene dine' }).check();
    await pageA.getByLabel('Gyldig til og med').fill(day(30));
    await pageA.getByRole('button', { name: 'Gi fullmakt', exact: true }).click();
    await pageA.waitForURL(/\/fullmakter\?status=gitt$/);
    await pageA.getByRole('status').getByText('Fullmakten er gitt.').waitFor();
    const proxyId = srv.sql(`select id from proxies where grantor_id=${aId}`);
    assert.match(proxyId, /^\d+$/);
    const given = pageA.locator(`li.proxy[data-id="${proxyId}"]`);
    await given.getByText(bName).waitFor();
    await given.getByText('Lese brevene dine').waitFor();
    assert.equal(await given.getByText('Søke om støtte for deg').count(), 0);
    await assertAccessible(t, pageA, 'the power just given');
    const wide = await pageA.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(wide <= 0, `/fullmakter is ${wide} px wider than a 390 px screen`);

    // B holds it, chooses to act for A and reads A's letter.
    await login(pageB, b);
    await pageB.goto(`${srv.base}/fullmakter`);
    await pageB.locator(`li.proxy[data-id="${proxyId}"]`).getByText(aName).waitFor();
    await pageB.goto(`${srv.base}/handle-for`);
    await assertAccessible(t, pageB, 'the act-for page, for a proxy');
    await pageB.getByRole('button', { name: `Handle for ${aName}` }).click();
    await pageB.waitForURL(/\/mine-sider$|\/handle-for$|\/$/);
    await pageB.goto(`${srv.base}/innboks`);
    await pageB.getByText(`Du handler for ${aName}`).waitFor();
    await pageB.getByText('med fullmakt').first().waitFor();
    await assertAccessible(t, pageB, "A's inbox, as the proxy");
    await pageB.locator(`a[href="/innboks/${letter}"]`).first().click();
    await pageB.waitForURL(new RegExp(`/innboks/${letter}$`));
    await pageB.getByText(`Du handler for ${aName}`).waitFor();
    await assertAccessible(t, pageB, "A's letter, as the proxy");
    const actor = `person:${personOf(b)} for person:${aId}`;
    assert.ok(Number(srv.sql(`select count(*) from audit where action='letter.read' and actor='${actor}'`)) >= 1,
      'the letter read under the power is not in the audit');

    // The payout page offers the proxy no account form ...
    const payout = await pageB.goto(`${srv.base}/mine-sider/utbetaling`);
    assert.equal(await pageB.locator('form[action="/mine-sider/utbetaling/konto"]').count(), 0,
      `the payout page (${payout.status()}) offers the proxy the account form`);
    t.diagnostic(`the payout page answered the proxy ${payout.status()}`);
    if (payout.status() === 200) await assertAccessible(t, pageB, "A's payout page, as the proxy");
    // ... and posting the form anyway, with B's own CSRF token, is refused.
    await pageB.goto(`${srv.base}/innboks`);
    const csrf = await pageB.locator('input[name="csrf"]').first().inputValue();
    assert.ok(csrf, 'no CSRF token on the inbox page');
    const post = await pageB.request.post(`${srv.base}/mine-sider/utbetaling/konto`, {
      form: { csrf, account: '86011117947' }, maxRedirects: 0,
    });
    assert.ok([403, 404].includes(post.status()), `the account change as the proxy answered ${post.status()}`);
    t.diagnostic(`the account change as the proxy answered ${post.status()}`);
    assert.equal(srv.sql(`select account || '|' || source || '|' || state || '|' || checked_at
      from payout_accounts where person_id=${aId}`), accountBefore, "the proxy changed A's account");
    assert.equal(srv.sql(`select count(*) from payout_accounts where person_id=${personOf(b)} and account='86011117947'`), '0');

    // A sees who acted and revokes the power.
    await pageA.goto(`${srv.base}/fullmakter`);
    await pageA.getByRole('table').getByRole('cell', { name: bName }).first().waitFor();
    await assertAccessible(t, pageA, 'who acted for A');
    await pageA.locator(`li.proxy[data-id="${proxyId}"]`).getByRole('button', { name: 'Trekk tilbake' }).click();
    await pageA.waitForURL(/\/fullmakter\?status=tilbakekalt$/);
    await pageA.getByRole('status').getByText('Fullmakten er trukket tilbake.').waitFor();
    assert.equal(await pageA.locator(`li.proxy[data-id="${proxyId}"]`).getByRole('button', { name: 'Trekk tilbake' }).count(), 0);
    assert.notEqual(srv.sql(`select coalesce(revoked_at, '') from proxies where id=${proxyId}`), '');

    // B's next request acts for B: A's letter is gone.
    const again = await pageB.goto(`${srv.base}/innboks/${letter}`);
    assert.equal(again.status(), 404);
    assert.equal(await pageB.getByText(`Du handler for ${aName}`).count(), 0);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
