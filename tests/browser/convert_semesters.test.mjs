// convert_semesters.test.mjs - #11, "Min gjeld" in chromium after loan was
// converted to grant by calendar year: a borrower of 2023-2024 whose
// autumn 2023 was converted by `stipend convert --year 2023` and spring
// 2024 by `--year 2024` (against 2023's and 2024's income, from the
// register simulator) reads each conversion's semester and income year on
// Min gjeld, and opens the spring's letter, which says them too. axe-core
// checks both pages; at 320 px Min gjeld does not overflow.
//
// The wealth limits for 2023 and 2024 are not on the pages held; the test
// adds figures of its own (marked as the test's), as tests/e2e/
// convert_semesters.test.mjs does, where the figures are proved to the øre.
//
// Run from the repository root: node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSim } from '../lib/server.mjs';
import { REPO, assertAccessible, launchBrowser, newVisitor, plain, startServer } from './server.mjs';

const wealthLimits = (year) => ['single', 'married'].map((w) => `conversion.wealth_limit.${w}:
  value: 500000000
  unit: ore
  valid_from: ${year}-01-01
  valid_to: ${year}-12-31
  reference: test
  source: test
`).join('');

let server;
let browser;
let sim;
let paramsDir;

before(async () => {
  paramsDir = mkdtempSync(path.join(os.tmpdir(), 'stipend-convert-browser-'));
  cpSync(path.join(REPO, 'params/no'), paramsDir, { recursive: true });
  writeFileSync(path.join(paramsDir, '2023-2024', 'test-conversion-wealth.yaml'), wealthLimits(2023));
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-conversion-wealth.yaml'), wealthLimits(2024));
  server = await startServer({ args: ['--params', paramsDir] });
  // The same population as the server's demo database (tests/browser/server.mjs: 200 persons).
  sim = await startSim({ persons: 200 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sim?.stop();
  if (paramsDir) rmSync(paramsDir, { recursive: true, force: true });
});

function stipend(args, input) {
  const r = spawnSync(path.join(REPO, 'stipend'), [...args, '--db', server.db], { encoding: 'utf8', input });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

async function correct(body) {
  const r = await fetch(`${sim.url}/_control/corrections`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, 201, await r.text());
}

test('Min gjeld and the letter say which semester and which income year each conversion used', async (t) => {
  const nin = server.sql("select nin from persons where birth_date between '1985-01-01' and '2004-12-31' and confidential_address = 0 and id not in (select person_id from cases) order by id limit 1");
  assert.equal((await fetch(`${sim.url}/tax/v1/persons/${nin}/income?year=2024`)).status, 200, 'the simulator knows the person');
  const file = path.join(os.tmpdir(), `stipend-convert-browser-${process.pid}.jsonl`);
  writeFileSync(file, `${JSON.stringify({ nin, application: {
    scheme: 'higher-education', school_year: '2023-2024', decision_date: '2023-07-01',
    applicant: { birth_date: server.sql(`select birth_date from persons where nin = '${nin}'`), lives_with_parents: false,
      married: false, children: [], income: 0 },
    education: { level: 'higher', load_percent: 100, start: '2023-08-15', end: '2024-06-15' },
    loan: { months_requested: 11 },
  } })}\n`);
  stipend(['batch', '--params', paramsDir, '--quiet', file]);
  rmSync(file, { force: true });
  const caseId = server.sql(`select c.id from cases c join persons p on p.id = c.person_id where p.nin = '${nin}'`);
  stipend(['loans', 'disburse', '--nin', nin, '--amount', '137907', '--date', '2023-08-20', '--cause', `decision:${caseId}`]);
  await correct({ nin, change: 'income', year: 2023, income: 10000000 });
  await correct({ nin, change: 'income', year: 2024, income: 12000000 });
  await correct({ nin, change: 'credits', semester: '2023-autumn', credits: 30 });
  await correct({ nin, change: 'credits', semester: '2024-spring', credits: 30 });
  for (const year of [2023, 2024]) {
    const out = stipend(['convert', '--year', String(year), '--registers', sim.url, '--params', paramsDir,
      '--date', `${year + 1}-11-01`]);
    assert.match(out, /^converted: [1-9]\d*, \d+ øre$/m);
  }
  // Under every limit, all credits passed: the semesters' 40 % in full.
  assert.equal(server.sql(`select group_concat(semester || ' ' || year || ' ' || converted, ', ') from
    (select * from loan_conversions where case_id = ${caseId} order by id)`), 'autumn 2023 2507400, spring 2024 3008880');

  const context = await newVisitor(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Fødselsnummer (11 siffer)').fill(nin);
    await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
    await page.waitForURL(/\/saker$/);
    await page.goto(`${server.url}/mine-sider/gjeld`);
    const table = page.getByRole('table', { name: 'Lån gjort om til stipend' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(plain(rows[0]), /^vårsemesteret 2024\s+2024\s+30 088,80 kr/);
    assert.match(plain(rows[1]), /^høstsemesteret 2023\s+2023\s+25 074 kr/);
    await assertAccessible(t, page, 'Min gjeld with conversions');

    await page.setViewportSize({ width: 320, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `Min gjeld is ${overflow} px too wide at 320 px`);
    await page.setViewportSize({ width: 1024, height: 800 });

    // The spring's letter: the semester and the income year.
    await table.locator('tbody tr').first().getByRole('link').click();
    await page.waitForURL(/\/innboks\/\d+$/);
    const result = plain(await page.locator('#conversion-result').innerText());
    assert.match(result, /for vårsemesteret 2024 til stipend/);
    assert.match(plain(await page.locator('main').innerText()), /for inntektsåret 2024/);
    await assertAccessible(t, page, 'the conversion letter');
  } finally {
    await context.close();
  }
});
