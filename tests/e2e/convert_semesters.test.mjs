// convert_semesters.test.mjs - #11, conversion of loan to grant by CALENDAR
// year: `stipend convert --year Y` converts the spring of the school year
// (Y-1)-Y and the autumn of Y-(Y+1), each semester against the tax
// authority's income and wealth of Y and Y's limits ("vi kontrollerer
// inntekt og formue per kalenderår", lanekassen.no, "Slik fungerer
// omgjøring"), its share of the convertible part being what was paid for
// its months, in proportion to its credits passed (30 at full load).
//
// The figures, worked out here by hand from the parameters (params/no):
// basic loan 2023-2024 137 907 kr over 11 months (12 537 kr a month),
// 2024-2025 151 690 kr (13 790 kr a month); 40 % convertible
// (conversion.max_percent); income limits 205 579 kr for 2023 (support all
// year), 214 213 kr for 2024 and 535 532 kr for 2024 with support in seven
// months or fewer (conversion.income_limit.full_year / .part_year, source
// lanekassen.no/nb-NO/regelverk/tildeling/del3-kapittel12/slik-fungerer-omgjoring/);
// 5 % of the income over the limit a month of support
// (conversion.income_reduction_percent). A full-time year of 11 months
// from August is 5 months in the autumn and 6 in the spring.
//
// The wealth limits for 2023 and 2024 are not on the pages held (README:
// "Figures the pages held do not give"): without them a borrower with
// wealth goes to a case worker, nothing guessed; the rest of the test adds
// figures of its own, marked as the test's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bin, Client, root, run, startServer } from '../lib/server.mjs';

const wealthLimits = (year) => ['single', 'married'].map((w) => `conversion.wealth_limit.${w}:
  value: 500000000
  unit: ore
  valid_from: ${year}-01-01
  valid_to: ${year}-12-31
  reference: test
  source: test
`).join('');

let srv; let params;
before(async () => {
  srv = await startServer({ registers: true, persons: 80 });
  params = path.join(srv.dir, 'params');
  cpSync(path.join(root, 'params/no'), params, { recursive: true });
  writeFileSync(path.join(params, '2023-2024', 'test-conversion-wealth.yaml'), wealthLimits(2023));
  writeFileSync(path.join(params, '2024-2025', 'test-conversion-wealth.yaml'), wealthLimits(2024));
});
after(async () => { await srv?.stop(); });

async function sim(p, body) {
  const r = await fetch(`${srv.registersUrl}${p}`, body ? { method: 'POST', body: JSON.stringify(body) } : undefined);
  assert.ok(r.status === 200 || r.status === 201, `${p}: ${r.status}`);
  return r.json();
}

// Persons without a case, under 45, with wealth in 2023 and 2024 (so that
// the wealth limit is read).
let pool;
async function person() {
  if (!pool) {
    pool = [];
    const rows = srv.sql("select nin from persons where birth_date between '1985-01-01' and '2004-12-31' and confidential_address = 0 and id not in (select person_id from cases) order by id");
    for (const nin of rows.split('\n')) {
      const a = await sim(`/tax/v1/persons/${nin}/income?year=2023`);
      const b = await sim(`/tax/v1/persons/${nin}/income?year=2024`);
      if (a.wealth > 0 && b.wealth > 0) pool.push(nin);
    }
  }
  const nin = pool.shift();
  assert.ok(nin, 'the population has too few persons with wealth');
  return nin;
}

// A full-time school year from 15 August to 15 June, decided through the
// intake (`stipend batch`), its basic loan paid out on 20 August.
function schoolYear(nin, y) {
  const line = JSON.stringify({ nin, application: {
    scheme: 'higher-education', school_year: `${y}-${y + 1}`, decision_date: `${y}-07-01`,
    applicant: { birth_date: srv.sql(`select birth_date from persons where nin = '${nin}'`), lives_with_parents: false,
      married: false, children: [], income: 0 },
    education: { level: 'higher', load_percent: 100, start: `${y}-08-15`, end: `${y + 1}-06-15` },
    loan: { months_requested: 11 },
  } });
  const file = path.join(srv.dir, `intake-${nin}-${y}.jsonl`);
  writeFileSync(file, `${line}\n`);
  const r = spawnSync(bin, ['batch', '--db', srv.db, '--params', params, '--quiet', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const id = srv.sql(`select c.id from cases c join persons p on p.id = c.person_id where p.nin = '${nin}' and c.school_year = '${y}-${y + 1}'`);
  assert.equal(srv.sql(`select status || ' ' || outcome from cases where id = ${id}`), 'decided granted');
  const award = JSON.parse(srv.sql(`select value from decisions d, json_each(d.decision_json, '$.awards')
    where d.case_id = ${id} and d.superseded_at is null and json_extract(value, '$.name') = 'basic-loan'`));
  const want = y === 2023 ? { months: 11, monthly: 1253700, amount: 13790700, convertible: 5516280 }
    : { months: 11, monthly: 1379000, amount: 15169000, convertible: 6067600 };
  assert.deepEqual({ months: award.months, monthly: award.monthly, amount: award.amount, convertible: award.convertible }, want);
  const d = run(['loans', 'disburse', '--db', srv.db, '--nin', nin, '--amount', String(award.amount / 100),
    '--date', `${y}-08-20`, '--cause', `decision:${id}`]);
  assert.equal(d.status, 0, d.stderr + d.stdout);
  return Number(id);
}

function convert(year, withParams = true) {
  const args = ['convert', '--db', srv.db, '--year', String(year), '--registers', srv.registersUrl,
    '--date', `${year + 1}-11-01`];
  if (withParams) args.push('--params', params);
  const r = run(args);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /every entry balances/);
  return r.stdout;
}

const rows = (caseId) => srv.sql(`select semester || '|' || year || '|' || convertible || '|' || credits_tenths || '|'
  || expected_tenths || '|' || converted || '|' || income from loan_conversions where case_id = ${caseId} order by id`)
  .split('\n').filter(Boolean).map((l) => {
    const [semester, year, convertible, credits, expected, converted, income] = l.split('|');
    return { semester, year: +year, convertible: +convertible, credits: +credits, expected: +expected, converted: +converted, income: +income };
  });

const principal = (nin) => Number(srv.sql(`select coalesce(sum(l.amount), 0) from ledger_legs l join persons p on p.id = l.person_id
  where p.nin = '${nin}' and l.account = 'loan.principal'`));

async function loginNin(c, nin) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

test('each semester is converted against its own calendar year\'s income, to the øre, once', async () => {
  // P: only 2023-2024. 2023: 100 000 kr, under the limit. 2024: 536 532 kr,
  // 1 000 kr over the limit for support in seven months or fewer (P had
  // support in 2024 only from January to June: 6 months).
  const p = await person();
  const pCase = schoolYear(p, 2023);
  await sim('/_control/corrections', { nin: p, change: 'income', year: 2023, income: 10000000 });
  await sim('/_control/corrections', { nin: p, change: 'income', year: 2024, income: 53653200 });
  await sim('/_control/corrections', { nin: p, change: 'credits', semester: '2023-autumn', credits: 30 });
  await sim('/_control/corrections', { nin: p, change: 'credits', semester: '2024-spring', credits: 22.5 });
  // Q: 2023-2024 and 2024-2025, so 11 months of support in 2024 (6 + 5):
  // the limit for support all year, 214 213 kr; 2024 income 2 000 kr over.
  const q = await person();
  const qFirst = schoolYear(q, 2023);
  const qSecond = schoolYear(q, 2024);
  await sim('/_control/corrections', { nin: q, change: 'income', year: 2023, income: 15000000 });
  await sim('/_control/corrections', { nin: q, change: 'income', year: 2024, income: 21621300 });
  for (const s of ['2023-autumn', '2024-spring', '2024-autumn']) {
    await sim('/_control/corrections', { nin: q, change: 'credits', semester: s, credits: 30 });
  }
  // R: a case converted as a whole school year before migration 0027 (a
  // row of the old kind): none of its semesters is converted again.
  const r = await person();
  const rCase = schoolYear(r, 2023);
  srv.sql(`insert into loan_conversions(case_id, person_id, year, convertible, income, wealth, credits_tenths,
    expected_tenths, converted, decision_json, created_at, semester) select id, person_id, 2023, 0, 0, 0, 0, 600, 0, '{}', 1,
    'school-year' from cases where id = ${rCase}`);

  // Without the wealth limits (not held for 2023): a case worker, nothing guessed.
  const manual = convert(2023, false);
  assert.match(manual, /^calendar year 2023 \(the spring of 2022-2023, the autumn of 2023-2024\): \d+ cases$/m);
  assert.ok(Number(manual.match(/^for a case worker: (\d+)$/m)[1]) >= 2, manual);
  assert.match(manual, /^converted: 0, 0 øre$/m);
  assert.deepEqual(rows(pCase), []);

  // 2023: the autumn of 2023-2024 against 2023's income, under the limit:
  // 5 months x 12 537 kr x 40 % = 25 074 kr, 30 of 30 credits.
  const y2023 = convert(2023);
  assert.deepEqual(rows(pCase), [{ semester: 'autumn', year: 2023, convertible: 2507400, credits: 300, expected: 300, converted: 2507400, income: 10000000 }]);
  assert.deepEqual(rows(qFirst), [{ semester: 'autumn', year: 2023, convertible: 2507400, credits: 300, expected: 300, converted: 2507400, income: 15000000 }]);
  assert.deepEqual(rows(qSecond), []);
  assert.deepEqual(rows(rCase).map((x) => x.semester), ['school-year']);
  assert.match(y2023, /^converted before: [1-9]\d*$/m); // R's autumn

  // 2024: P's spring: 6 x 12 537 kr x 40 % = 30 088,80 kr, less 5 % of
  // 1 000 kr for each of its 6 months (300 kr): 29 788,80 kr; 22,5 of 30
  // credits: 22 341,60 kr.
  const y2024 = convert(2024);
  assert.deepEqual(rows(pCase).map((x) => [x.semester, x.year, x.convertible, x.credits, x.converted]),
    [['autumn', 2023, 2507400, 300, 2507400], ['spring', 2024, 2978880, 225, 2234160]]);
  assert.equal(rows(pCase)[1].income, 53653200);
  // Q's spring: 30 088,80 kr less 5 % of 2 000 kr x 6 months (600 kr);
  // Q's autumn of 2024-2025: 5 x 13 790 kr x 40 % = 27 580 kr less 5 % of
  // 2 000 kr x 5 months (500 kr).
  assert.deepEqual(rows(qFirst).map((x) => [x.semester, x.year, x.convertible, x.converted]),
    [['autumn', 2023, 2507400, 2507400], ['spring', 2024, 2948880, 2948880]]);
  assert.deepEqual(rows(qSecond).map((x) => [x.semester, x.year, x.convertible, x.converted]),
    [['autumn', 2024, 2708000, 2708000]]);
  assert.deepEqual(rows(rCase).map((x) => x.semester), ['school-year']);
  // Each traced: the decision again says the semester and the income year.
  const trace = JSON.parse(srv.sql(`select decision_json from loan_conversions where case_id = ${pCase} and semester = 'spring'`))
    .trace.find((x) => x.rule === 'basic-loan.convertible');
  assert.equal(trace.inputs.semester, 'spring');
  assert.equal(trace.inputs.income_year, 2024);
  assert.equal(trace.inputs.months, 6);
  const income = JSON.parse(srv.sql(`select decision_json from loan_conversions where case_id = ${qSecond}`))
    .trace.find((x) => x.rule === 'conversion.income');
  assert.equal(income.inputs.months, 11);
  assert.equal(income.inputs.limit, 21421300);

  // The ledger: each conversion posted off the principal.
  assert.equal(principal(p), 13790700 - 2507400 - 2234160);
  assert.equal(principal(q), 13790700 + 15169000 - 2507400 - 2948880 - 2708000);
  assert.match(y2024, /^calendar year 2024 \(the spring of 2023-2024, the autumn of 2024-2025\): \d+ cases$/m);

  // Again: nothing converted twice.
  const again = convert(2024);
  assert.match(again, /^converted: 0, 0 øre$/m);
  assert.equal(Number(again.match(/^converted before: (\d+)$/m)[1]), Number(y2024.match(/^converted: (\d+),/m)[1])
    + Number(y2024.match(/^converted before: (\d+)$/m)[1]) + Number(y2024.match(/^nothing to convert on the year's figures: (\d+)$/m)[1]));
  assert.match(convert(2023), /^converted: 0, 0 øre$/m);
  assert.equal(principal(p), 13790700 - 2507400 - 2234160);
  const check = run(['ledger', 'check', '--db', srv.db]);
  assert.equal(check.status, 0, check.stdout + check.stderr);

  // The letter and "Min gjeld" say the semester and the income year.
  const c = new Client(srv.base);
  await loginNin(c, p);
  const letter = srv.sql(`select letter_id from loan_conversions where case_id = ${pCase} and semester = 'spring'`);
  const page = await c.get(`/innboks/${letter}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /vårsemesteret 2024/);
  assert.match(page.text, /inntektsåret 2024/);
  const debt = await c.get('/mine-sider/gjeld');
  assert.equal(debt.status, 200);
  assert.match(debt.text, /id="loan-conversion-table"/);
  assert.match(debt.text, /data-semester="spring" data-income-year="2024" data-converted="2234160"/);
  assert.match(debt.text, /data-semester="autumn" data-income-year="2023" data-converted="2507400"/);
  assert.match(debt.text, /høstsemesteret 2023/);
});
