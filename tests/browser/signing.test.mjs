// signing.test.mjs - a parent signs the support agreement for a 17-year-old
// in chromium: the pupil applies and sees that a parent must sign; the
// parent logs in, chooses "Handle for" the pupil, opens "Avtaler", presses
// "Signer avtalen", signs with BankID (test) at the simulator's signing
// service and comes back to a signed agreement; the parent then reads the
// pupil's payout page but cannot change the account. The pages pass axe.
// The day the pupil turns 18 the parent's right is gone.
//
// Run from the repository root: node --test tests/browser/signing.test.mjs

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

// A student of the register whose parent the agency knows too.
async function household() {
  const nins = srv.sql("select nin from persons where confidential_address = 0 and birth_date < '2006-01-01' order by id").split('\n');
  for (const nin of nins) {
    const r = await fetch(`${srv.registersUrl}/population/v1/persons/${nin}`);
    if (r.status !== 200) continue;
    const p = await r.json();
    const parent = (p.parents || []).find((n) => srv.sql(`select id from persons where nin='${n}'`) !== '');
    if (parent) return { child: nin, parent };
  }
  throw new Error('no student with a parent in the population');
}

async function login(page, nin) {
  await page.goto(`${srv.base}/login`);
  await page.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

test('a_parent_signs_the_agreement_for_a_17_year_old', async (t) => {
  let h;
  let agreement = '';
  // A household whose student is granted a loan at once.
  for (let tries = 0; tries < 10 && agreement === ''; tries++) {
    h = await household();
    srv.sql(`update persons set birth_date = date('now', '-17 years') where nin='${h.child}'`);
    const context = await newVisitor(browser, { bypassCSP: true });
    const page = await context.newPage();
    try {
      await login(page, h.child);
      await page.goto(`${srv.base}/soknad`);
      await page.getByRole('radio', { name: 'Hjemme hos foreldrene mine' }).check();
      await page.getByRole('button', { name: 'Send søknaden' }).click();
      await page.waitForURL(/\/saker\/\d+$/);
      await page.goto(`${srv.base}/avtaler`);
      agreement = srv.sql(`select max(id) from agreements where person_id=(select id from persons where nin='${h.child}')`);
      if (agreement === '') {
        // Not granted a loan: try the next household.
        srv.sql(`update persons set birth_date = '1990-01-01' where nin='${h.child}'`);
        continue;
      }
      // The pupil sees the agreement and that a parent signs it.
      await page.getByRole('heading', { name: /Avtale for skoleåret 2024-2025/ }).waitFor();
      await page.getByText('Avtalen signeres av en av foreldrene eller vergen').first().waitFor();
      assert.equal(await page.getByRole('button', { name: 'Signer avtalen' }).count(), 0);
      await assertAccessible(t, page, "the pupil's agreements");
    } finally {
      await context.close();
    }
  }
  assert.notEqual(agreement, '', 'no household was granted a loan');

  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await login(page, h.parent);
    await page.goto(`${srv.base}/handle-for`);
    await assertAccessible(t, page, 'the act-for page');
    const childName = srv.sql(`select given_name || ' ' || family_name from persons where nin='${h.child}'`);
    await page.getByRole('button', { name: `Handle for ${childName}` }).click();
    await page.waitForURL(/\/mine-sider$|\/handle-for$|\/$/);
    await page.goto(`${srv.base}/avtaler`);
    await page.getByText(`Du handler for ${childName}`).waitFor();
    await assertAccessible(t, page, "the child's agreements, as the parent");
    await page.getByRole('button', { name: 'Signer avtalen' }).first().click();
    // At the signing service: the document and "Signer med BankID (test)".
    await page.waitForURL((u) => u.href.startsWith(`${srv.registersUrl}/signing/v1/orders/`));
    await page.getByRole('link', { name: 'avtale.pdf' }).waitFor();
    assert.equal(await page.getByLabel('Fødselsnummer (testidentitet)').inputValue(), h.parent);
    await page.getByRole('button', { name: 'Signer med BankID (test)' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${srv.base}/avtaler?status=signert`));
    await page.getByText('Avtalen er signert. Takk!').waitFor();
    await page.getByText('Signert', { exact: true }).first().waitFor();
    await assertAccessible(t, page, 'the signed agreement');
    assert.equal(srv.sql(`select state || ' ' || signed_as from agreements where id=${agreement}`), 'signed guardian');

    // #10: the parent reads the pupil's payout page, the signed agreement
    // met among its conditions and the plan (made at the decision), but has
    // no form to change the pupil's account, and a posted one is refused.
    const caseId = srv.sql(`select case_id from agreements where id=${agreement}`);
    await page.goto(`${srv.base}/mine-sider/utbetaling`);
    await page.getByRole('heading', { level: 1, name: 'Utbetaling' }).waitFor();
    const conds = page.locator(`ul[data-case="${caseId}"]`);
    assert.equal(await conds.locator('[data-condition="signed"]').getAttribute('data-met'), 'yes');
    await page.locator('#payout-plan tr[data-month]').first().waitFor();
    assert.ok(await page.locator('#payout-plan tr[data-month]').count() >= 1, 'the plan month by month');
    assert.equal(await page.getByLabel('Annet kontonummer').count(), 0, 'no account form for the parent');
    await page.getByText('Bare eleven selv kan registrere en annen konto for utbetalingene.').waitFor();
    await assertAccessible(t, page, "the pupil's payout page, as the parent");
    const before = srv.sql(`select count(*) from payout_accounts where person_id=(select id from persons where nin='${h.child}') and source='person'`);
    await page.goto(`${srv.base}/avtaler`);
    const token = await page.locator('input[name="csrf"]').first().inputValue();
    const refused = await page.request.post(`${srv.base}/mine-sider/utbetaling/konto`,
      { form: { csrf: token, account: '12345678903' }, maxRedirects: 0 });
    assert.notEqual(refused.status(), 303);
    assert.ok(refused.status() >= 400, `refused (${refused.status()})`);
    assert.equal(srv.sql(`select count(*) from payout_accounts where person_id=(select id from persons where nin='${h.child}') and source='person'`), before);

    // The 18th birthday: the right is gone, the parent acts for themself.
    srv.sql(`update persons set birth_date = date('now', '-18 years') where nin='${h.child}'`);
    await page.goto(`${srv.base}/handle-for`);
    await page.getByRole('listitem').filter({ hasText: childName }).getByText('Fylt 18 år: handler selv.').waitFor();
    assert.equal(await page.getByText(`Du handler for ${childName}`).count(), 0);
  } finally {
    await context.close();
  }
});
