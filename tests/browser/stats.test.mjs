// stats.test.mjs - management's statistics of how soon letters are opened,
// in chromium against the real binary: a case worker follows the link from
// the workbench, the SVG chart has its accessible name, the table holds the
// figures as text, and axe-core finds nothing serious or critical. The
// letters are written with known delivery and opening times around now.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
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

const sql = (query) => server.sql(query);

test('case_worker_reads_the_opening_statistics_as_chart_and_table', async (t) => {
  const now = Math.floor(Date.now() / 1000);
  const day = 86400;
  const person = sql('select min(id) from persons');
  for (const [kind, channel, created, read] of [
    ['decision', 'email', now - 9 * day, now - 9 * day + 3600],
    ['decision', 'email', now - 9 * day, null],
    ['decision', 'sms', now - 9 * day, now - 4 * day],
    ['reminder', null, now - 4 * day, now - 2 * day],
  ]) {
    sql('insert into letters(person_id, kind, created_at, first_read_at, notice_channel, notice_status) values '
      + `(${person}, '${kind}', ${created}, ${read ?? 'null'}, ${channel ? `'${channel}'` : 'null'}, '${channel ? 'sent' : 'none'}')`);
  }
  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByRole('button', { name: /\(saksbehandler/ }).first().click();
  await page.waitForURL(/\/saksbehandling$/);
  await page.getByRole('link', { name: 'Statistikk: åpning av brev' }).click();
  await page.waitForURL(/\/saksbehandling\/statistikk$/);
  await page.getByRole('heading', { level: 1, name: 'Hvor raskt blir brev åpnet?' }).waitFor();

  const chart = page.getByRole('img', { name: 'Andel brev åpnet innen 1, 3 og 7 dager' });
  await chart.waitFor();
  const table = page.getByRole('table', { name: 'Andel brev åpnet, etter brevtype og varsel' });
  const row = table.getByRole('row', { name: /Vedtak E-post/ });
  assert.deepEqual((await row.getByRole('cell').allInnerTexts()).map(plain),
    ['E-post', '2', '1 av 2 (50,0 %)', '1 av 2 (50,0 %)', '1 av 2 (50,0 %)']);
  const reminder = table.getByRole('row', { name: /Påminnelse Uten varsel/ });
  assert.match(plain(await reminder.innerText()), /1 av 1 \(100,0 %\)/);
  assert.match(plain(await reminder.innerText()), /ingen brev er så gamle ennå/);

  await assertAccessible(t, page, 'the statistics page');
  await mkdir(path.join(REPO, 'tests', 'out'), { recursive: true });
  await page.screenshot({ path: path.join(REPO, 'tests', 'out', 'stats.png'), fullPage: true });
  await context.close();
});
