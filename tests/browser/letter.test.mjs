// letter.test.mjs - a student reads a decision letter in chromium and
// downloads it as PDF: the download is a real PDF whose text (pdftotext)
// holds the decision's amount exactly as the page shows it; the letter page
// passes axe with no serious or critical findings.
//
// Run from the repository root: node --test tests/browser/letter.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
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

test('read_a_decision_letter_and_download_it_as_pdf', async (t) => {
  const context = await newVisitor(browser, { bypassCSP: true, acceptDownloads: true });
  const page = await context.newPage();
  try {
    // Log in with the test login as the twelfth listed person (the other
    // browser tests use the first ones; the seventh is over 50 when the
    // education ends, and an older student's basic loan waits for the debt
    // ceiling, #9), and apply living at home.
    await page.goto(`${server.url}/login`);
    const people = page.getByRole('button', { name: /\(født .*\d{11}\)$/ });
    const name = (await people.nth(11).innerText()).replace(/\s*\(født.*$/, '').trim();
    await people.nth(11).click();
    await page.waitForURL(/\/saker$/);
    await page.goto(`${server.url}/soknad`);
    await page.getByRole('radio', { name: 'Hjemme hos foreldrene mine' }).check();
    await namePlace(page);
    await page.getByRole('button', { name: 'Send søknaden' }).click();
    await page.waitForURL(/\/saker\/\d+$/);

    // The inbox holds the decision letter; open it.
    await page.goto(`${server.url}/innboks`);
    await page.getByRole('link', { name: 'Vedtak om stipend og lån' }).click();
    await page.waitForURL(/\/innboks\/\d+$/);
    const letterId = page.url().split('/').pop();
    const letter = page.getByRole('article', { name: 'Vedtak om stipend og lån' });
    await letter.getByText(name).waitFor();
    const amountCell = letter.getByRole('row', { name: /^Basislån/ }).locator('td.amount');
    const amount = plain((await amountCell.innerText()).trim());
    assert.match(amount, /^\d[\d ]* kr$/, `the amount reads: ${amount}`);
    await assertAccessible(t, page, 'the letter page');

    // Download it.
    const link = page.getByRole('link', { name: 'Last ned brevet som PDF' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), `brev-${letterId}.pdf`);
    const file = path.join(server.dir, download.suggestedFilename());
    await download.saveAs(file);
    const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /Title:\s+Vedtak om stipend og lån/);
    // A tagged PDF (#15): a screen reader reads its headings and its table.
    assert.match(info.stdout, /Tagged:\s+yes/);
    const tree = spawnSync('pdfinfo', ['-struct-text', file], { encoding: 'utf8' });
    assert.equal(tree.status, 0, tree.stderr);
    assert.match(tree.stdout, /^Document\n\s+H1 \(block\)\n\s+"Vedtak om stipend og lån"/);
    assert.match(tree.stdout, /Table \(block\)\n\s+TR\n\s+TH\n\s+"Støtte"/);
    assert.match(tree.stdout, /TD\n\s+"Basislån"/);
    assert.doesNotMatch(tree.stderr, /wrong type/);
    assert.match(spawnSync('strings', [file], { encoding: 'utf8' }).stdout, /\/Lang \(nb\)/);
    const text = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    assert.equal(text.status, 0, text.stderr);
    const pdf = plain(text.stdout);
    assert.ok(pdf.includes(amount), `the PDF holds ${amount}`);
    assert.ok(pdf.includes(name), 'the PDF is addressed to the reader');
    assert.match(pdf, /Side 1 av \d/);
  } finally {
    await context.close();
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
