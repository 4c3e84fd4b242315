// support.test.mjs - the support centre (#14) in chromium, against the real
// binary: an agent identifies a caller and logs an inquiry with the keyboard
// alone; a visitor finds an answer in the FAQ by a word's beginning and says
// whether it helped; the person reads the history; each page is checked
// with axe, and at 320 px no page of the centre is wider than the window.
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

async function loginStaff(page, username) {
  await page.goto(`${server.url}/login`);
  await page.locator(`button[name="staff"][value="${username}"]`).click();
  await page.waitForURL(/\/(saksbehandling|kundesenter|ledelse)$/); // each role lands where it works
}

test('an_agent_logs_an_inquiry_with_the_keyboard_alone', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    const [id, nin] = sql('select id, nin from persons where confidential_address = 0 order by id limit 1').split('|');
    await loginStaff(page, 'siri.hauge');
    await page.goto(`${server.url}/kundesenter`);
    await assertAccessible(t, page, 'the desk');
    // The number field has the focus: type, tab to the confirmation, tick, submit.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'nin');
    await page.keyboard.type(nin);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'confirmed');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/kundesenter\\?person=${id}$`));
    // Now the topic has the focus; the searchable list takes a topic's code.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'topic');
    await page.keyboard.type('boarding');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/kundesenter\\?person=${id}&done=logged$`));
    await page.getByText('Henvendelsen er registrert.').waitFor();
    await assertAccessible(t, page, 'the desk with the caller');
    assert.equal(sql(`select channel || '|' || outcome || '|' || service from inquiries where person_id=${id}`),
      'phone|answered|application');
    await page.getByRole('link', { name: 'Kommunikasjonshistorikk' }).click();
    await page.waitForURL(new RegExp(`/kundesenter/personer/${id}/historikk$`));
    await page.locator('li.timeline-item[data-type="inquiry"]').first().waitFor();
    await assertAccessible(t, page, 'the history as the agent reads it');
  } finally {
    await context.close();
  }
});

test('a_visitor_finds_an_answer_by_the_beginning_of_a_word_and_says_it_helped', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/faq`);
    await assertAccessible(t, page, 'the FAQ');
    await page.getByLabel('Søk i spørsmål og svar').fill('bortebo');
    await page.getByLabel('Søk i spørsmål og svar').press('Enter');
    await page.waitForURL(/\/faq\?q=bortebo$/);
    await page.getByRole('link', { name: 'Når regnes jeg som borteboer i høyere utdanning?' }).click();
    await page.waitForURL(/\/faq\/\d+$/);
    const entry = page.url().split('/').pop();
    await assertAccessible(t, page, 'an answer');
    await page.getByRole('button', { name: 'Ja' }).click();
    await page.getByText('Takk for svaret ditt.').waitFor();
    assert.equal(sql(`select count(*) from faq_feedback where entry_id=${entry} and helped=1`), '1');
    await page.goto(`${server.url}/faq?lang=en`);
    await page.getByRole('heading', { level: 1, name: 'Questions and answers' }).waitFor();
    await assertAccessible(t, page, 'the FAQ in English');
  } finally {
    await context.close();
  }
});

test('an_agent_adds_and_retires_a_topic_and_management_renames_an_agency', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await loginStaff(page, 'siri.hauge');
    await page.getByRole('link', { name: 'Temaer for henvendelser' }).click();
    await page.waitForURL(/\/kundesenter\/temaer$/);
    await assertAccessible(t, page, 'the topics');
    // A name left out is named, with the typed values kept.
    await page.getByLabel('Kode', { exact: true }).fill('abroad');
    await page.getByLabel('Navn på bokmål', { exact: true }).fill('Utdanning i utlandet');
    await page.getByRole('button', { name: 'Legg til' }).click();
    await page.locator('#add-name_en-error').waitFor();
    assert.equal(await page.getByLabel('Navn på bokmål', { exact: true }).inputValue(), 'Utdanning i utlandet');
    await assertAccessible(t, page, 'the topics with an error');
    await page.getByLabel('Navn på engelsk', { exact: true }).fill('Education abroad');
    await page.getByRole('button', { name: 'Legg til' }).click();
    await page.waitForURL(/\/kundesenter\/temaer\?done=add$/);
    await page.locator('tr[data-code="abroad"]').waitFor();
    // Retired: the desk no longer offers it.
    await page.getByLabel('Hvilken').selectOption('abroad');
    await page.getByLabel('Trekk tilbake (tilbys ikke lenger)').check();
    await page.getByRole('button', { name: 'Lagre endringen' }).click();
    await page.waitForURL(/\/kundesenter\/temaer\?done=retire$/);
    await page.getByText('Trukket tilbake. Den tilbys ikke lenger').waitFor();
    assert.equal(sql("select active from support_topics where code='abroad'"), '0');
    await page.goto(`${server.url}/kundesenter`);
    assert.equal(await page.locator('#topic-list option[value="abroad"]').count(), 0);
  } finally {
    await context.close();
  }
  const mona = await newVisitor(browser, { bypassCSP: true });
  const mpage = await mona.newPage();
  try {
    await loginStaff(mpage, 'mona.vik');
    await mpage.getByRole('link', { name: 'Etater kundesenteret betjener' }).click();
    await mpage.waitForURL(/\/kundesenter\/etater$/);
    await assertAccessible(t, mpage, 'the agencies');
    await mpage.getByLabel('Hvilken').selectOption('lanekassen');
    await mpage.getByLabel('Nytt navn på bokmål').fill('Lånekassen');
    await mpage.getByLabel('Nytt navn på engelsk').fill('The Norwegian State Educational Loan Fund');
    await mpage.getByRole('button', { name: 'Lagre endringen' }).click();
    await mpage.waitForURL(/\/kundesenter\/etater\?done=rename$/);
    assert.equal(sql("select name_en from support_agencies where code='lanekassen'"), 'The Norwegian State Educational Loan Fund');
    await assertAccessible(t, mpage, 'the agencies after a rename');
  } finally {
    await mona.close();
  }
});

test('an_agent_sends_an_faq_answers_link_to_the_callers_mailbox_and_to_an_anonymous_callers_email', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    const [id, nin] = sql('select id, nin from persons where confidential_address = 0 order by id desc limit 1').split('|');
    await loginStaff(page, 'siri.hauge');
    await page.goto(`${server.url}/kundesenter`);
    await page.locator('#nin').fill(nin);
    await page.locator('#confirmed').check();
    await page.getByRole('button', { name: 'Finn innringeren' }).click();
    await page.waitForURL(new RegExp(`/kundesenter\\?person=${id}$`));
    await page.locator('#faq-q').fill('bortebo');
    await page.locator('#faq-q').press('Enter');
    await page.locator('form.faq-send').waitFor();
    await assertAccessible(t, page, 'the desk with answers to send');
    await page.getByRole('button', { name: 'Send lenken' }).click();
    await page.waitForURL(new RegExp(`/kundesenter\\?person=${id}&done=faq-mailbox$`));
    await page.getByText('Lenken er sendt til innringerens innboks').waitFor();
    const letter = sql(`select f.letter_id from faq_sends f join inquiries q on q.id = f.inquiry_id where q.person_id = ${id}`);
    assert.match(letter, /^\d+$/);
    assert.equal(sql(`select person_id || kind from letters where id = ${letter}`), `${id}answer`);
    // Anonymous: by e-mail, the address named when it is wrong.
    await page.goto(`${server.url}/kundesenter?faq=bortebo`);
    await page.getByLabel('Innringerens e-postadresse').fill('ikke-en-adresse');
    await page.getByRole('button', { name: 'Send lenken' }).click();
    await page.locator('#send-email-error').waitFor();
    await assertAccessible(t, page, 'the desk with a wrong address');
  } finally {
    await context.close();
  }
});

test('the_support_centres_pages_fit_320_px', async (t) => {
  const pages = [
    ['siri.hauge', ['/kundesenter', '/kundesenter/faq', '/kundesenter/faq/1', '/kundesenter/rapport?month=2026-01&cost=1000',
      `/kundesenter/personer/${sql('select min(id) from persons')}/historikk`, '/kundesenter/temaer', '/kundesenter?faq=bortebo']],
    ['mona.vik', ['/ledelse', '/kundesenter/etater']],
    [null, ['/faq', '/faq/1']],
  ];
  for (const [who, urls] of pages) {
    const context = await newVisitor(browser, { bypassCSP: true, viewport: { width: 320, height: 800 } });
    const page = await context.newPage();
    try {
      if (who) await loginStaff(page, who);
      for (const url of urls) {
        await page.goto(`${server.url}${url}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${url} at 320 px is ${overflow} px too wide`);
        await assertAccessible(t, page, `${url} at 320 px`);
      }
    } finally {
      await context.close();
    }
  }
});
