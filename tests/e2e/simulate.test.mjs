// simulate.test.mjs - `stipend simulate`: one intake decided under the
// parameters in force (A) and under a change under study (B), with the cost,
// whom it touches and the workload worked out by hand below.
//
// B raises the basic loan for 2024-2025 from 151 690 kr to 160 000 kr a year
// and gives the equipment grant's rate group 1 a figure (1 360 kr), which A
// does not hold:
//   - full time, living away: A 151 690 kr (13 790 x 11); B 160 000 / 11 =
//     14 545,4545 kr a month, rounded to 14 545,45 kr, x 11 = 159 999,95 kr:
//     +8 309,95 kr. Convertible 40 %: 60 676 kr; 63 999,98 kr.
//   - half time, living at home: no June, 10 months; A 6 895 x 10 = 68 950 kr;
//     B 7 272,725 rounded half up to 7 272,73 kr x 10 = 72 727,30 kr:
//     +3 777,30 kr.
//   - a pupil at home in rate group 3: 4 122 kr under both: unchanged.
//   - a pupil at home in rate group 1: A has no rate and sends the case to a
//     person; B decides it, 1 360 kr: from a case worker under B, +1 360 kr.
//   - one line that is not JSON: not understood under either.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { root, run } from '../lib/server.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-simulate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const higher = (load, home) => ({
  scheme: 'higher-education', school_year: '2024-2025', decision_date: '2024-07-01',
  applicant: { birth_date: '2000-05-17', lives_with_parents: home, income: 0 },
  education: { level: 'higher', load_percent: load, start: '2024-08-15', end: '2025-06-15' },
});
const pupil = (rate) => ({
  scheme: 'upper-secondary', school_year: '2024-2025', decision_date: '2024-06-15',
  applicant: { birth_date: '2007-03-10', lives_with_parents: true },
  education: { level: 'upper-secondary', load_percent: 100, start: '2024-08-19', end: '2025-06-20', equipment_rate: rate },
});

function changedParams() {
  const b = path.join(dir, 'b');
  cpSync(path.join(root, 'params', 'no'), b, { recursive: true });
  const he = path.join(b, '2024-2025', 'higher-education.yaml');
  writeFileSync(he, readFileSync(he, 'utf8').replace(/(basic_loan\.annual:\n  value: )\d+/, '$116000000'));
  const us = path.join(b, '2024-2025', 'upper-secondary.yaml');
  writeFileSync(us, `${readFileSync(us, 'utf8')}
equipment_grant.rate_1:
  value: 136000
  unit: ore
  valid_from: 2024-08-01
  valid_to: 2025-07-31
  reference: a change under study
  source: a change under study
`);
  return b;
}

test('simulate_reports_cost_people_and_workload_of_a_change', () => {
  const intake = path.join(dir, 'intake.jsonl');
  writeFileSync(intake, [higher(100, false), higher(50, true), pupil(3), pupil(1)].map((a) => JSON.stringify(a))
    .concat(['not json']).join('\n') + '\n');
  const svg = path.join(dir, 'change.svg');
  const r = run(['simulate', '--intake', intake, '--params', 'builtin', '--params', changedParams(), '--json',
    '--svg', svg]);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.applications, 5);
  assert.equal(rep.not_understood, 1);
  // Loans: A 151 690 + 68 950 = 220 640 kr; B 159 999,95 + 72 727,30 = 232 727,25 kr.
  assert.equal(rep.under_a.loans, 22064000);
  assert.equal(rep.under_b.loans, 23272725);
  assert.equal(rep.under_a.convertible, 6067600);
  assert.equal(rep.under_b.convertible, 6399998);
  // Grants: A 4 122 kr; B 4 122 + 1 360 = 5 482 kr.
  assert.equal(rep.under_a.grants, 412200);
  assert.equal(rep.under_b.grants, 548200);
  assert.equal(rep.under_a.outcomes.manual, 1);
  assert.equal(rep.under_b.outcomes.manual, 0);
  assert.equal(rep.under_a.automation_rate, 0.75);
  assert.equal(rep.under_b.automation_rate, 1);
  assert.deepEqual(rep.workload, { to_manual: 0, from_manual: 1 });
  // Better off: +8 309,95, +3 777,30 and +1 360 kr; the group-3 pupil unchanged.
  assert.equal(rep.people.better_off, 3);
  assert.equal(rep.people.worse_off, 0);
  assert.equal(rep.people.unchanged, 1);
  assert.equal(rep.people.median_gain, 377730);
  assert.equal(rep.people.largest_gain, 830995);
  const bucket = (kr) => rep.change_kr.find((b) => b.kr === kr).people;
  assert.equal(bucket('0'), 1);
  assert.equal(bucket('1000..5000'), 2);
  assert.equal(bucket('5000..10000'), 1);
  const chart = readFileSync(svg, 'utf8');
  assert.match(chart, /role="img"/);
  assert.match(chart, /<desc id="d">3 better off, 0 worse off, 1 unchanged, of 4 decided under both\.<\/desc>/);
  assert.match(chart, /&lt; -20000/);
});

test('simulate_names_what_is_missing_and_a_set_it_cannot_read', () => {
  assert.equal(run(['simulate', '--intake', '/dev/null']).status, 2);
  const r = run(['simulate', '--intake', path.join(dir, 'none.jsonl'), '--params', 'builtin', '--params', 'builtin']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot read/);
  const bad = run(['simulate', '--intake', '/dev/null', '--params', 'builtin', '--params', path.join(dir, 'nowhere')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /B \(/);
});
