// rules-adult.test.mjs - #9: the loan reduction by age for adult students
// (src/rules/adult.c), decided through `stipend decide --params DIR` under
// a parameter set that holds a debt ceiling, which the built-in set does
// not (no page held gives it after the 2021 change). The set uses the
// figures of the agency's page "Alder" (the limits before 2021-2022: the
// full loan until 45, repaid before 65, a ceiling of 500 000 kr), so that
// the page's own worked example is decided: a four-year education ending
// at 50 with 100 000 kr owed leaves 500 000 x 15/20 - 100 000 = 275 000
// kr, 68 750 kr a year. Under the built-in set, a student over the limit
// goes to a case worker naming the ceiling (tests/rules/adult-students.yaml).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bin, root } from '../lib/server.mjs';

let tmp; let params;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'stipend-adult-'));
  params = path.join(tmp, 'params');
  cpSync(path.join(root, 'params/no'), params, { recursive: true });
  const file = path.join(params, '2024-2025/higher-education.yaml');
  let text = readFileSync(file, 'utf8');
  text = text.replace(/(adult_loan\.reduction_age:\n  value:) 50/, '$1 45')
    .replace(/(adult_loan\.repaid_by_age:\n  value:) 70/, '$1 65');
  text += '\nadult_loan.max_debt:\n  value: 50000000\n  unit: ore\n  valid_from: 2024-08-01\n'
    + '  valid_to: 2025-07-31\n  reference: forskrift om utdanningsstøtte, aldersgrense for lån\n'
    + '  source: https://lanekassen.no/nn-NO/stipend-og-lan/utdanning-i-utlandet/krav-og-vilkar-for-a-fa-stotte/alder/\n';
  writeFileSync(file, text);
});
after(() => { rmSync(tmp, { recursive: true, force: true }); });

function decide(app, extra = []) {
  const r = spawnSync(bin, ['decide', '--params', params, ...extra], { input: JSON.stringify(app), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// A full-time student whose education ends on 15 June 2025, born so that
// they are `age` then (the birthday in May).
function student(age, { balance = 0, yearsLeft } = {}) {
  const education = { level: 'higher', load_percent: 100, start: '2024-08-15', end: '2025-06-15' };
  if (yearsLeft) education.years_left = yearsLeft;
  return {
    scheme: 'higher-education', school_year: '2024-2025', decision_date: '2024-07-01',
    applicant: { birth_date: `${2025 - age}-05-20`, lives_with_parents: false, married: false, children: [] },
    education, loan: { balance, months_requested: 11 },
  };
}

const loan = (d) => d.awards.find((a) => a.name === 'basic-loan');
const ageStep = (d) => d.trace.find((s) => s.rule === 'basic-loan.age');

test('the_pages_worked_example_gives_68_750_kr_a_year', () => {
  const d = decide(student(50, { balance: 10000000, yearsLeft: 4 }));
  assert.equal(d.outcome, 'partly-granted');
  assert.equal(loan(d).amount, 6875000);
  assert.equal(loan(d).monthly, 625000);
  assert.equal(loan(d).months, 11);
  const s = ageStep(d);
  assert.equal(s.inputs.age_at_end, 50);
  assert.equal(s.inputs.debt_ceiling, 37500000);
  assert.equal(s.value, 6875000);
  assert.match(s.explanation, /50 år/);
  const en = decide(student(50, { balance: 10000000, yearsLeft: 4 }), ['--lang', 'en']);
  assert.match(ageStep(en).explanation, /You are 50 when the education ends/);
  assert.match(ageStep(en).explanation, /4 years more/);
});

test('under_the_age_limit_the_loan_is_whole_and_the_step_absent', () => {
  const d = decide(student(44));
  assert.equal(d.outcome, 'granted');
  assert.equal(loan(d).amount, 15169000);
  assert.equal(ageStep(d), undefined);
});

test('at_the_age_limit_the_whole_ceiling_leaves_the_full_loan', () => {
  const d = decide(student(45));
  assert.equal(d.outcome, 'granted');
  assert.equal(loan(d).amount, 15169000);
  assert.equal(ageStep(d).inputs.debt_ceiling, 50000000);
  assert.match(ageStep(en1()).explanation, /1 year more/);
});

function en1() { return decide(student(45), ['--lang', 'en']); }

test('a_debt_at_the_ceiling_leaves_no_basic_loan', () => {
  const d = decide(student(55, { balance: 25000000 })); // 500 000 x 10/20 = 250 000 owed already
  assert.equal(loan(d), undefined);
  assert.equal(ageStep(d).value, 0);
  assert.equal(d.outcome, 'rejected');
});

test('at_the_repayment_age_nothing_can_be_lent', () => {
  const d = decide(student(65));
  assert.equal(ageStep(d).inputs.debt_ceiling, 0);
  assert.equal(loan(d), undefined);
});
