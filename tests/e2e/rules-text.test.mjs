// rules-text.test.mjs - #9's "Wrong today" points that the rule case files
// cannot hold (they compare outcomes and amounts, not sentences or figures
// the pages do not give):
//  - a citizen's sentence carries no code word ("Grunnlaget du har oppgitt:
//    unemployment") and English agrees in number ("1 children");
//  - the wealth reduction of the conversion loan is 2 % a month of the wealth
//    over the single person's limit, 1 % over the married couple's limit for
//    a married applicant. The wealth limits for 2024 are on no page held, so
//    it is decided under a parameter set with limits of the test's own
//    (500 000 kr single, 1 000 000 kr married), as the travel grant's unit
//    test does with rates of its own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bin, root } from '../lib/server.mjs';

let tmp; let params;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'stipend-rules-text-'));
  params = path.join(tmp, 'params');
  cpSync(path.join(root, 'params/no'), params, { recursive: true });
  const file = path.join(params, '2024-2025/higher-education.yaml');
  const limit = (key, value) => `\n${key}:\n  value: ${value}\n  unit: ore\n  valid_from: 2024-01-01\n`
    + '  valid_to: 2024-12-31\n  reference: forskrift om utdanningsstøtte kapittel 12\n'
    + '  source: https://example.invalid/the-tests-own-figure\n';
  writeFileSync(file, readFileSync(file, 'utf8') + limit('conversion.wealth_limit.single', 50000000)
    + limit('conversion.wealth_limit.married', 100000000));
});
after(() => { rmSync(tmp, { recursive: true, force: true }); });

function decide(app, extra = []) {
  const r = spawnSync(bin, ['decide', ...extra], { input: JSON.stringify(app), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const GROUNDS = ['unemployment', 'illness', 'work-assessment-allowance', 'part-time-study', 'low-income-full-time'];

function relief(ground, children) {
  return {
    scheme: 'interest-relief', decision_date: '2024-09-01', relief_ground: ground,
    applicant: { birth_date: '1990-01-01', income: 20000000, family_income: 20000000, married: false,
      children: children.map((birth_date) => ({ birth_date })) },
    loan: { balance: 10000000, months_requested: 3, relief_months_used: 0 },
  };
}

test('no_code_word_in_a_citizens_sentence_in_either_language', () => {
  for (const ground of GROUNDS) {
    for (const lang of ['nb', 'en']) {
      const d = decide(relief(ground, []), ['--lang', lang]);
      // In English "unemployment" and "illness" are the plain words as well
      // as the codes: there only the hyphenated codes are code words.
      const codes = lang === 'nb' ? GROUNDS : GROUNDS.filter((g) => g.includes('-'));
      for (const s of d.trace) {
        for (const code of codes) assert.ok(!s.explanation.includes(code), `${lang} ${s.rule}: ${s.explanation}`);
        assert.doesNotMatch(s.explanation, /\{[a-z_.]+(:[a-z=]+)?\}/, `a placeholder left: ${s.explanation}`);
      }
      for (const r of d.manual_reasons) for (const code of codes) assert.ok(!r.text.includes(code), r.text);
    }
  }
});

test('english_agrees_in_number', () => {
  const one = decide(relief('unemployment', ['2020-01-01']), ['--lang', 'en']);
  const text1 = one.trace.map((s) => s.explanation).join(' ');
  assert.match(text1, /\b1 child\b/);
  assert.doesNotMatch(text1, /\b1 children\b/);
  const two = decide(relief('unemployment', ['2020-01-01', '2018-05-05']), ['--lang', 'en']);
  assert.match(two.trace.map((s) => s.explanation).join(' '), /\b2 children\b/);
  const student = decide({
    scheme: 'higher-education', school_year: '2024-2025', decision_date: '2024-07-01',
    applicant: { birth_date: '2000-01-01', lives_with_parents: false },
    education: { level: 'higher', load_percent: 100, start: '2024-08-15', end: '2024-08-31' },
  }, ['--lang', 'en']);
  const text = student.trace.map((s) => s.explanation).join(' ');
  assert.match(text, /\b1 month\b/);
  assert.doesNotMatch(text, /\b1 months\b/);
});

function wealthy(wealth, married) {
  return {
    scheme: 'higher-education', school_year: '2024-2025', decision_date: '2024-07-01',
    applicant: { birth_date: '2000-01-01', lives_with_parents: false, married, income: 0, wealth },
    education: { level: 'higher', load_percent: 100, start: '2024-08-15', end: '2025-06-15' },
  };
}
const convertible = (d) => d.awards.find((a) => a.name === 'basic-loan').convertible;

test('wealth_over_the_single_limit_reduces_the_conversion_loan_by_2_percent_a_month', () => {
  // 40 % of 151 690 kr = 60 676 kr; 10 000 kr over the limit: 2 % x 11
  // months = 2 200 kr less, 58 476 kr.
  const d = decide(wealthy(51000000, false), ['--params', params]);
  assert.equal(d.outcome, 'granted');
  assert.equal(convertible(d), 5847600);
  assert.equal(convertible(decide(wealthy(50000000, false), ['--params', params])), 6067600);
});

test('a_married_applicant_is_held_against_the_couples_limit_at_1_percent_a_month', () => {
  // Under the couple's limit: nothing less.
  assert.equal(convertible(decide(wealthy(51000000, true), ['--params', params])), 6067600);
  // 10 000 kr over the couple's limit: 1 % x 11 months = 1 100 kr less.
  assert.equal(convertible(decide(wealthy(101000000, true), ['--params', params])), 5957600);
});

test('without_the_wealth_limits_wealth_sends_the_conversion_loan_to_a_person', () => {
  const d = decide(wealthy(100, false));
  assert.equal(d.outcome, 'manual');
  assert.equal(d.manual_reasons[0].parameter, 'conversion.wealth_limit.single');
  assert.ok(d.awards.some((a) => a.name === 'basic-loan'));
});
