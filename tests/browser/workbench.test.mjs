// workbench.test.mjs - the case worker's workbench in chromium, against the
// real binary: a pupil applies for upper secondary with special
// circumstances, a case worker finds the case in the queue, filters by the
// reason, opens it, is told what is wrong with a too short justification,
// grants the boarding grant, and the pupil reads the decision letter with
// the justification. axe-core checks every page we stop on; a serious or
// critical finding fails the test.
//
// Modelled on journey.test.mjs: one server for the file (server.mjs), a
// fresh browser context per person, a browser that asks for Norwegian, and
// contexts that bypass the Content-Security-Policy only because playwright
// inlines the axe script.
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { assertAccessible, launchBrowser, newVisitor, plain, startServer, REPO } from './server.mjs';

const OUT = path.join(REPO, 'tests', 'out');

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
  return newVisitor(browser, { bypassCSP: true, ...options });
}

const sql = (query) => server.sql(query);

function nav(page) {
  return page.getByRole('navigation', { name: 'Hovedmeny' });
}

async function mainText(page) {
  return plain(await page.getByRole('main').innerText());
}

// Pupils with youth entitlement (born 2004 or later), one per test.
let nextPupil = 0;
function pupil() {
  const nins = sql("select nin from persons where birth_date between '2004-01-01' and '2008-12-31' "
    + 'and confidential_address = 0 order by id').split('\n').filter(Boolean);
  assert.ok(nextPupil < nins.length, 'the demo population has too few pupils');
  return nins[nextPupil++];
}

async function logInWithNumber(page, nin) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
  await page.waitForURL(/\/saker$/);
}

// The pupil chooses upper secondary, answers, and sends: resolves on the
// case page.
async function applyWithSpecialCircumstances(t, page) {
  await nav(page).getByRole('link', { name: 'Søk om stipend og lån' }).click();
  await page.waitForURL(/\/soknad$/);
  await page.getByRole('radio', { name: 'Videregående opplæring (for elever med ungdomsrett)' }).check();
  await page.getByRole('button', { name: 'Vis spørsmålene' }).click();
  await page.waitForURL(/\/soknad\?scheme=upper-secondary$/);
  await assertAccessible(t, page, 'the upper-secondary application form');
  await page.getByRole('radio', { name: 'Borte fra foreldrene mine' }).check();
  await page.getByLabel('Avstand fra foreldrenes hjem til skolen, i km').fill('12,5');
  await page.getByLabel('Reisetid tur-retur en skoledag, i minutter').fill('90');
  await page.getByLabel('Gange per dag, i km').fill('1,5');
  await page.getByRole('checkbox', { name: 'Jeg har særlige personlige eller sosiale grunner til å bo borte' }).check();
  await namePlace(page);
  await page.getByRole('button', { name: 'Send søknaden' }).click();
  await page.waitForURL(/\/saker\/\d+$/);
  return page.url().split('/').pop();
}

async function logInAsCaseWorker(page, name) {
  await page.goto(`${server.url}/login`);
  await page.getByRole('button', { name: new RegExp(`^${name} \\(saksbehandler`) }).click();
  await page.waitForURL(/\/saksbehandling$/);
  await page.getByRole('heading', { level: 1, name: 'Saker til manuell behandling' }).waitFor();
}

test('case_worker_grants_a_boarding_grant_from_the_queue', async (t) => {
  const pupilContext = await newContext();
  const workerContext = await newContext();
  const pupilPage = await pupilContext.newPage();
  const page = await workerContext.newPage();
  try {
    await logInWithNumber(pupilPage, pupil());
    const id = await applyWithSpecialCircumstances(t, pupilPage);
    await pupilPage.getByText('Til saksbehandling', { exact: true }).first().waitFor();
    await assertAccessible(t, pupilPage, 'the pupil\'s case with a case worker');

    await logInAsCaseWorker(page, 'Sara Berg');
    await nav(page).getByRole('link', { name: 'Saksbehandling' }).waitFor();
    assert.equal(await nav(page).getByRole('link', { name: 'Søk om stipend og lån' }).count(), 0);
    const manual = page.getByRole('region', { name: 'Til behandling' });
    await manual.getByRole('link', { name: `Sak ${id}`, exact: true }).waitFor();
    await assertAccessible(t, page, 'the queue');

    await page.getByLabel('Årsak').selectOption('special-circumstances');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/\?reason=special-circumstances$/);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `Sak ${id}`, exact: true }) });
    await row.getByText('Særlige grunner til å bo borte').waitFor();
    await assertAccessible(t, page, 'the queue filtered by reason');

    await row.getByRole('link', { name: `Sak ${id}`, exact: true }).click();
    await page.waitForURL(new RegExp(`/saksbehandling/saker/${id}$`));
    await page.getByRole('heading', { level: 1, name: `Sak ${id}: Videregående opplæring 2024-2025` }).waitFor();
    const text = await mainText(page);
    assert.match(text, /Opplysningene kom fra søknaden\./);
    assert.match(text, /Det er 12,5 km fra foreldrenes hjem til skolen/);
    await page.getByRole('region', { name: 'Hvorfor regelverket stoppet' }).getByText('special-circumstances').waitFor();
    await mkdir(OUT, { recursive: true });
    await page.screenshot({ path: path.join(OUT, 'workbench-case.png'), fullPage: true });
    await assertAccessible(t, page, 'the case page');

    // A justification too short: the message sits next to the field and
    // in the summary, and nothing is decided.
    const decide = page.getByRole('region', { name: 'Gjør vedtak' });
    await decide.getByRole('radio', { name: 'Innvilget', exact: true }).check();
    await decide.getByRole('checkbox', { name: /^Innvilg borteboerstipend for særlige grunner: 10 måneder/ }).check();
    await decide.getByLabel('Begrunnelse').fill('Ok.');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      decide.getByRole('button', { name: 'Gjør vedtak og send brev' }).click(),
    ]);
    assert.equal(response.status(), 422);
    await page.waitForLoadState();
    const message = 'Skriv en begrunnelse på fra 10 til 2000 tegn.';
    await page.getByRole('alert').getByRole('link', { name: message }).waitFor();
    const field = page.getByRole('region', { name: 'Gjør vedtak' }).getByLabel('Begrunnelse');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await page.locator('#justification-error').filter({ hasText: message }).waitFor();
    await assertAccessible(t, page, 'the decision form with an error');
    assert.equal(sql(`select count(*) from decisions where case_id=${id}`), '1');

    const justification = 'Eleven har dokumentert særlige sosiale grunner til å bo nær skolen.';
    await page.getByRole('alert').getByRole('link', { name: message }).click();
    await field.fill(justification);
    const again = page.getByRole('region', { name: 'Gjør vedtak' });
    assert.ok(await again.getByRole('radio', { name: 'Innvilget', exact: true }).isChecked(), 'the outcome was kept');
    assert.ok(await again.getByRole('checkbox', { name: /^Innvilg borteboerstipend/ }).isChecked(), 'the grant was kept');
    await again.getByRole('button', { name: 'Gjør vedtak og send brev' }).click();
    await page.waitForURL(/\?done=decided$/);
    await page.getByRole('status').filter({ hasText: 'Vedtaket er gjort' }).waitFor();
    const history = page.getByRole('region', { name: 'Vedtak i saken' });
    assert.equal(await history.getByRole('row').count(), 3, 'two decisions and the header');
    await assertAccessible(t, page, 'the decided case');

    await page.getByRole('link', { name: 'Tilbake til køen' }).click();
    await page.waitForURL(/\/saksbehandling$/);
    assert.equal(await page.getByRole('link', { name: `Sak ${id}`, exact: true }).count(), 0);

    // The pupil reads the new decision and its letter.
    await pupilPage.reload();
    await pupilPage.getByRole('heading', { name: 'Vedtak: Innvilget' }).waitFor();
    assert.match(plain(await pupilPage.getByRole('row', { name: /^Borteboerstipend/ }).innerText()), /66 770 kr/);
    await nav(pupilPage).getByRole('link', { name: /^Innboks/ }).click();
    await pupilPage.waitForURL(/\/innboks$/);
    await pupilPage.getByRole('link', { name: 'Vedtak om stipend og lån' }).first().click();
    const letter = pupilPage.getByRole('article', { name: 'Vedtak om stipend og lån' });
    await letter.getByRole('heading', { name: 'Begrunnelse' }).waitFor();
    await letter.getByText(justification).waitFor();
    assert.match(plain(await letter.innerText()), /66 770 kr/);
    await assertAccessible(t, pupilPage, 'the case worker\'s decision letter');
  } finally {
    await pupilContext.close();
    await workerContext.close();
  }
});

test('case_worker_asks_for_documentation', async (t) => {
  const pupilContext = await newContext();
  const workerContext = await newContext();
  const pupilPage = await pupilContext.newPage();
  const page = await workerContext.newPage();
  try {
    await logInWithNumber(pupilPage, pupil());
    const id = await applyWithSpecialCircumstances(t, pupilPage);

    await logInAsCaseWorker(page, 'Per Lund');
    await page.goto(`${server.url}/saksbehandling/saker/${id}`);
    const docs = page.getByRole('region', { name: 'Be om dokumentasjon' });
    await docs.getByLabel('Hva trenger vi?').fill('Send en uttalelse fra skolens rådgiver om hvorfor du må bo borte.');
    // The deadline is offered as people write dates: dd.mm.åååå (#15).
    const deadline = await docs.getByLabel('Frist').inputValue();
    assert.match(deadline, /^\d\d\.\d\d\.\d{4}$/);
    await docs.getByRole('button', { name: 'Be om dokumentasjon' }).click();
    await page.waitForURL(/\?done=requested$/);
    await page.getByText('Dokumentasjon er bedt om').waitFor();
    await assertAccessible(t, page, 'the case waiting for documentation');
    await page.getByRole('link', { name: 'Tilbake til køen' }).click();
    const awaiting = page.getByRole('region', { name: 'Venter på dokumentasjon' });
    await awaiting.getByRole('link', { name: `Sak ${id}`, exact: true }).waitFor();
    const [d, m, y] = deadline.split('.');
    await awaiting.getByText(`${d}.${m}.${y}`).waitFor();
    await assertAccessible(t, page, 'the queue with a case waiting for documentation');

    await nav(pupilPage).getByRole('link', { name: /^Innboks/ }).click();
    await pupilPage.getByRole('link', { name: 'Vi trenger mer dokumentasjon' }).click();
    const letter = pupilPage.getByRole('article', { name: 'Vi trenger mer dokumentasjon' });
    await letter.getByText(`Send dokumentasjonen innen ${d}.${m}.${y}.`).waitFor();
    await assertAccessible(t, pupilPage, 'the letter asking for documentation');
  } finally {
    await pupilContext.close();
    await workerContext.close();
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
