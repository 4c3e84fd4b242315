// cli.test.mjs - the operator's commands of the real binary: `params check`
// and `params show` on the built-in parameter folder and on broken copies of
// it, and `test-rules` on case files that pass, fail and cannot be read.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bin, root, run } from '../lib/server.mjs';

let tmp;
before(() => { tmp = mkdtempSync(path.join(os.tmpdir(), 'stipend-cli-')); });
after(() => { rmSync(tmp, { recursive: true, force: true }); });

const paramsDir = path.join(root, 'params/no');

test('params_check_accepts_the_builtin_folder', () => {
  const r = run(['params', 'check', paramsDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /: \d+ values in \d+ files, school years 2023-2024, 2024-2025, 2025-2026: ok\n$/);
});

test('params_check_names_file_and_line_of_a_broken_value', () => {
  const dir = path.join(tmp, 'broken');
  cpSync(paramsDir, dir, { recursive: true });
  const file = path.join(dir, '2024-2025/higher-education.yaml');
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => /^\s+valid_to: 2025-07-31$/.test(l));
  assert.ok(at >= 0);
  lines[at] = lines[at].replace('2025-07-31', '2025-02-30');
  writeFileSync(file, lines.join('\n'));
  const r = run(['params', 'check', dir]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.includes(`higher-education.yaml:${at + 1}:`), r.stderr);
  assert.match(r.stderr, /2025-02-30/);
});

test('params_check_refuses_a_folder_not_named_for_a_school_year', () => {
  const dir = path.join(tmp, 'misnamed');
  cpSync(paramsDir, dir, { recursive: true });
  cpSync(path.join(dir, '2024-2025'), path.join(dir, '2025-26'), { recursive: true });
  rmSync(path.join(dir, '2024-2025'), { recursive: true });
  const r = run(['params', 'check', dir]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /2025-26: a folder must be named for the school year/);
});

test('params_show_gives_the_value_in_force_with_its_reference', () => {
  const r = run(['params', 'show', 'basic_loan.annual', '--date', '2024-09-01']);
  assert.equal(r.status, 0, r.stderr);
  const [first, ref, source, file] = r.stdout.trim().split('\n');
  assert.equal(first, 'basic_loan.annual = 15169000 ore (151 690 kr) valid 2024-08-01..2025-07-31 (both inclusive)');
  assert.equal(ref, 'reference: forskrift om utdanningsstøtte § 72');
  assert.match(source, /^source: https:\/\//);
  assert.match(file, /^file: params\/no\/2024-2025\/higher-education\.yaml:\d+$/);

  const earlier = run(['params', 'show', 'basic_loan.annual', '--date', '2023-09-01']);
  assert.equal(earlier.status, 0, earlier.stderr);
  assert.match(earlier.stdout, /^basic_loan\.annual = 13790700 ore .* valid 2023-08-01\.\.2024-07-31/);

  const other = run(['params', 'show', 'basic_loan.annual', '--date', '2024-09-01', '--params', paramsDir]);
  assert.equal(other.status, 0, other.stderr);
  assert.match(other.stdout, /= 15169000 ore/);
});

test('params_show_refuses_unknown_keys_days_without_a_value_and_non_dates', () => {
  const unknown = run(['params', 'show', 'basic_loan.anual', '--date', '2024-09-01']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown key "basic_loan\.anual"/);
  assert.match(unknown.stderr, /basic_loan\.annual/); // a near key is suggested

  const none = run(['params', 'show', 'basic_loan.annual', '--date', '2019-09-01']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no value in force on 2019-09-01/);

  const bad = run(['params', 'show', 'basic_loan.annual', '--date', '2025-02-29']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /not a date/);
});

test('params_help_names_the_subcommands', () => {
  for (const args of [['params', '--help'], ['params', 'check', '--help'], ['params', 'show', '--help']]) {
    const r = run(args);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: stipend params/);
  }
  assert.equal(run(['params']).status, 2);
  assert.equal(run(['params', 'list']).status, 2);
});

const application = `
    scheme: higher-education
    school_year: 2024-2025
    decision_date: 2024-07-01
    applicant: {birth_date: 2004-05-17, lives_with_parents: false, income: 0}
    education: {level: higher, load_percent: 100, start: 2024-08-15, end: 2025-06-15}`;

test('test_rules_reports_the_failing_case_with_file_and_line', () => {
  const dir = path.join(tmp, 'cases');
  mkdirSync(dir);
  const file = path.join(dir, 'two.yaml');
  writeFileSync(file, `# One right, one deliberately wrong.
- name: full time gives the full basic loan
  reference: forskrift om utdanningsstøtte § 72
  application:${application}
  expect:
    outcome: granted
    awards: [{name: basic-loan, months: 11, amount: 15169000, convertible: 6067600}]

- name: a deliberately wrong amount
  reference: forskrift om utdanningsstøtte § 72
  application:${application}
  expect:
    outcome: granted
    awards: [{name: basic-loan, amount: 15169001}]
`);
  const line = readFileSync(file, 'utf8').split('\n').indexOf('- name: a deliberately wrong amount') + 1;
  const r = run(['test-rules', dir]);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.equal(lines[0], `FAIL ${file}:${line}: a deliberately wrong amount: basic-loan.amount expected 15169001, got 15169000`);
  assert.equal(lines[1], '1 passed, 1 failed');

  const verbose = run(['test-rules', '--verbose', file]);
  assert.equal(verbose.status, 1);
  assert.match(verbose.stdout, new RegExp(`^ok   ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: full time`, 'm'));
});

test('test_rules_refuses_a_case_without_reference_naming_file_and_line', () => {
  const file = path.join(tmp, 'unreadable.yaml');
  writeFileSync(file, `- name: a case that cites nothing
  application:${application}
  expect: {outcome: granted}
`);
  const r = run(['test-rules', file]);
  assert.equal(r.status, 2);
  assert.ok(r.stderr.includes(`${file}:1: the case has no reference`), r.stderr);
  assert.match(r.stdout, /^0 passed, 0 failed\n$/);
});

test('test_rules_types_plain_and_quoted_scalars_apart', () => {
  const file = path.join(tmp, 'typed.yaml');
  writeFileSync(file, `- name: a quoted load is a string and refused
  reference: forskrift om utdanningsstøtte § 72
  application:
    scheme: higher-education
    school_year: "2024-2025"
    decision_date: 2024-07-01
    applicant: {birth_date: 2004-05-17, lives_with_parents: false}
    education: {level: higher, load_percent: "100", start: 2024-08-15, end: 2025-06-15}
  expect: {error_field: education.load_percent}
- name: a plain distance with a point is a number
  reference: forskrift om utdanningsstøtte § 72
  application:${application}
    travel: {distance_km: 40.0, daily_travel_minutes: 60}
  expect: {outcome: granted}
`);
  const r = run(['test-rules', file]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, '2 passed, 0 failed\n');
});

test('test_rules_passes_the_repository_case_files', () => {
  // Without a PATH, test-rules reads tests/rules under the working folder.
  const r = spawnSync(bin, ['test-rules'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const m = r.stdout.match(/^(\d+) passed, 0 failed\n$/m);
  assert.ok(m && Number(m[1]) >= 9, r.stdout);
});
