// mailbox.test.mjs - the mailbox in chromium, against the real binary: a
// pupil sends documentation from the request's letter with the browser's
// own file input (its multipart body, not a hand-made one), writes to the
// agency from the case page, the case worker answers from "Henvendelser",
// and the pupil finds the answer by filtering the inbox; every page on the
// way is checked with axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertAccessible, launchBrowser, newVisitor, plain, startServer } from './server.mjs';

let server;
let browser;
let dir;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  dir = await mkdtemp(path.join(os.tmpdir(), 'stipend-mailbox-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sql = (query) => server.sql(query);

const nav = (page) => page.getByRole('navigation', { name: 'Hovedmeny' });

test('a_pupil_sends_documentation_and_gets_an_answer_in_the_inbox', async (t) => {
  const pupilContext = await newVisitor(browser, { bypassCSP: true });
  const workerContext = await newVisitor(browser, { bypassCSP: true });
  const pupil = await pupilContext.newPage();
  const worker = await workerContext.newPage();
  try {
    const nin = sql("select nin from persons where birth_date between '2004-01-01' and '2008-12-31' "
      + 'and confidential_address = 0 order by id desc limit 1');
    await pupil.goto(`${server.url}/login`);
    await pupil.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
    await pupil.getByRole('button', { name: 'Logg inn', exact: true }).click();
    await pupil.waitForURL(/\/saker$/);
    await pupil.goto(`${server.url}/soknad?scheme=upper-secondary`);
    await pupil.getByRole('radio', { name: 'Borte fra foreldrene mine' }).check();
    await pupil.getByLabel('Avstand fra foreldrenes hjem til skolen, i km').fill('12,5');
    await pupil.getByLabel('Reisetid tur-retur en skoledag, i minutter').fill('90');
    await pupil.getByLabel('Gange per dag, i km').fill('1,5');
    await pupil.getByRole('checkbox', { name: 'Jeg har særlige personlige eller sosiale grunner til å bo borte' }).check();
    await namePlace(pupil);
    await pupil.getByRole('button', { name: 'Send søknaden' }).click();
    await pupil.waitForURL(/\/saker\/\d+$/);
    const id = pupil.url().split('/').pop();

    // The case worker asks for documentation.
    await worker.goto(`${server.url}/login`);
    await worker.getByRole('button', { name: /^Sara Berg \(saksbehandler/ }).click();
    await worker.waitForURL(/\/saksbehandling$/);
    await worker.goto(`${server.url}/saksbehandling/saker/${id}`);
    await worker.locator('#doc_text').fill('Send en uttalelse fra rådgiveren på skolen.');
    await worker.locator('#deadline').fill(new Date(Date.now() + 14 * 86400e3).toISOString().slice(0, 10));
    await worker.getByRole('button', { name: 'Be om dokumentasjon' }).click();
    await worker.waitForURL(/done=requested$/);

    // The pupil answers the request's letter with a PDF.
    await nav(pupil).getByRole('link', { name: /^Innboks/ }).click();
    await pupil.waitForURL(/\/innboks$/);
    await assertAccessible(t, pupil, 'the inbox with its filters');
    await pupil.getByRole('link', { name: 'Vi trenger mer dokumentasjon' }).click();
    await pupil.waitForURL(/\/innboks\/\d+$/);
    await pupil.getByRole('heading', { name: 'Send dokumentasjon' }).waitFor();
    await assertAccessible(t, pupil, 'the request with its upload form');
    const pdf = path.join(dir, 'uttalelse.pdf');
    const bytes = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');
    await writeFile(pdf, bytes);
    await pupil.getByLabel('Filer').setInputFiles(pdf);
    await pupil.getByLabel('Kommentar (valgfritt)').fill('Signert av rådgiveren.');
    await pupil.getByRole('button', { name: 'Send dokumentasjonen' }).click();
    await pupil.waitForURL(new RegExp(`/saker/${id}\\?received=1$`));
    await pupil.getByText('Vi har fått dokumentasjonen din.').waitFor();
    assert.equal(sql(`select status from cases where id=${id}`), 'manual');
    assert.equal(sql(`select name || ' ' || size || ' ' || media_type from documents where case_id=${id}`),
      `uttalelse.pdf ${bytes.length} application/pdf`);

    // ... and writes to the agency from the case page.
    await pupil.getByRole('textbox', { name: 'Melding' }).fill('Holder det med uttalelsen, eller trenger dere mer?');
    await pupil.getByRole('button', { name: 'Send meldingen' }).click();
    await pupil.waitForURL(new RegExp(`/saker/${id}\\?sent=1#conversation$`));
    await pupil.getByText('Venter på svar').waitFor();
    await assertAccessible(t, pupil, 'the case with its conversation');

    // The case worker sees the documentation, and answers from the list.
    await worker.goto(`${server.url}/saksbehandling`);
    const row = worker.getByRole('row').filter({ has: worker.getByRole('link', { name: `Sak ${id}`, exact: true }) });
    await row.getByText('Dokumentasjon mottatt').waitFor();
    await worker.goto(`${server.url}/saksbehandling/saker/${id}`);
    await worker.getByRole('link', { name: 'uttalelse.pdf' }).waitFor();
    await assertAccessible(t, worker, 'the case with documents and conversation');
    await nav(worker).getByRole('link', { name: 'Henvendelser' }).click();
    await worker.waitForURL(/\/saksbehandling\/henvendelser$/);
    await assertAccessible(t, worker, 'the messages waiting');
    await worker.getByRole('row').filter({ has: worker.getByRole('link', { name: `Sak ${id}`, exact: true }) })
      .getByRole('link', { name: /^Henvendelse \d+$/ }).click();
    await worker.waitForURL(/\/saksbehandling\/henvendelser\/\d+$/);
    await assertAccessible(t, worker, 'a message and its answer form');
    await worker.getByLabel('Svar', { exact: true }).fill('Uttalelsen holder. Du får vedtak snart.');
    await worker.getByRole('button', { name: 'Send svaret' }).click();
    await worker.waitForURL(/done=answered$/);
    await worker.getByText('Svaret er sendt til søkerens innboks.').waitFor();

    // The pupil finds the answer among the unread answers.
    await pupil.goto(`${server.url}/innboks`);
    await pupil.getByLabel('Type brev').selectOption('answer');
    await pupil.getByLabel('Vis').selectOption('unread');
    await pupil.getByRole('button', { name: 'Søk', exact: true }).click();
    await pupil.waitForURL(/type=answer/);
    const items = pupil.getByRole('main').getByRole('listitem').filter({ hasText: 'Svar på henvendelse' });
    assert.equal(await items.count(), 1);
    await items.getByText('Ulest', { exact: true }).waitFor();
    await assertAccessible(t, pupil, 'the filtered inbox');
    await items.getByRole('link', { name: 'Svar på henvendelsen din' }).click();
    await pupil.waitForURL(/\/innboks\/\d+$/);
    const letter = plain(await pupil.getByRole('article').innerText());
    assert.match(letter, /Uttalelsen holder\. Du får vedtak snart\./);
    assert.match(letter, /Holder det med uttalelsen, eller trenger dere mer\?/);
    await assertAccessible(t, pupil, 'the answer letter');

    // English, too.
    await pupil.goto(`${server.url}/innboks/skriv?lang=en`);
    await pupil.getByRole('heading', { level: 1, name: 'Write to us' }).waitFor();
    await assertAccessible(t, pupil, 'the write page in English');
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
