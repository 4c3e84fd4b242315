// batch.test.mjs - `stipend batch`, a whole intake through the portal's
// pipeline: a JSONL file with a few bad lines gives a summary that matches
// the database and names each refused line by number and field (never the
// number of a person); the same file run again stores nothing new; a run
// killed with SIGKILL partway and started again ends with exactly one
// decided case per line; and --from-registers decides the students of the
// register simulator's population, with facts fetched in bulk that give
// exactly the decisions, facts and letters of the per-person path
// (--per-person), cases that wait for a register that failed the bulk
// lookups and are decided alike later, persons the schools did not
// answer for asked again by the next run, and a bulk run killed partway
// and started again storing each student's application exactly once.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bin, createDemoDb, run, startSim } from '../lib/server.mjs';

let tmp;
before(() => { tmp = mkdtempSync(path.join(os.tmpdir(), 'stipend-batch-')); });
after(() => { rmSync(tmp, { recursive: true, force: true }); });

// A demo database of the simulator's first `persons` persons.
async function initDb(name, persons) {
  const db = path.join(tmp, name);
  await createDemoDb(db, { persons });
  return db;
}

function sql(db, query) {
  const r = spawnSync('sqlite3', [db, query], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

const num = (db, query) => Number(sql(db, query));

// The demo population's persons, as the database holds them.
function persons(db) {
  return sql(db, 'select nin, birth_date from persons order by id').split('\n').map((l) => {
    const [nin, birth] = l.split('|');
    return { nin, birth };
  });
}

// An application for a person; i varies the scheme, the load and the home
// so that the outcomes differ (upper secondary goes to a case worker: the
// parameters lack the year's equipment-grant rates).
function application(p, i) {
  if (i % 5 === 4) {
    return {
      scheme: 'upper-secondary',
      school_year: '2024-2025',
      decision_date: '2025-06-01',
      applicant: { birth_date: p.birth, lives_with_parents: false, married: false, children: [] },
      education: { level: 'upper-secondary', load_percent: 100, start: '2024-08-19', end: '2025-06-20', equipment_rate: 2 },
      travel: { distance_km: 60, daily_travel_minutes: 200, walking_km: 0.5 },
      parents: [{ income: 45000000 }, { income: 30000000 }],
      special_circumstances: i % 10 === 9,
    };
  }
  return {
    scheme: 'higher-education',
    school_year: '2024-2025',
    decision_date: '2025-06-01',
    applicant: { birth_date: p.birth, lives_with_parents: i % 3 === 0, married: false, children: [] },
    education: { level: 'higher', load_percent: [100, 75, 50, 30][i % 4], start: '2024-08-15', end: '2025-06-15' },
    loan: { months_requested: 11 },
  };
}

function intake(people, n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const p = people[i % people.length];
    lines.push(JSON.stringify({ nin: p.nin, application: application(p, i) }));
  }
  return lines;
}

// A valid ordinary national identity number (month not + 80): never one of
// the synthetic population's.
function ordinaryNin() {
  const w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2], w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  for (let ind = 100; ; ind++) {
    const d = `150590${ind}`.split('').map(Number);
    const k1 = (11 - (d.reduce((s, x, i) => s + x * w1[i], 0) % 11)) % 11;
    if (k1 === 10) continue;
    d.push(k1);
    const k2 = (11 - (d.reduce((s, x, i) => s + x * w2[i], 0) % 11)) % 11;
    if (k2 === 10) continue;
    return d.join('') + k2;
  }
}

function batch(args) {
  const r = spawnSync(bin, ['batch', ...args], { encoding: 'utf8' });
  return { ...r, summary: args.includes('--json') && r.stdout ? JSON.parse(r.stdout) : null };
}

const cases = (db, prefix = 'batch:') => num(db, `select count(*) from cases where intake like '${prefix}%'`);

test('a_file_with_bad_lines_is_taken_in_and_the_summary_matches_the_database', async () => {
  const db = await initDb('file.db', 50);
  const people = persons(db);
  const lines = intake(people, 200);
  const stranger = ordinaryNin();
  lines[4] = 'not json {';
  lines[49] = JSON.stringify({ nin: '12345678901', application: application(people[0], 0) });
  lines[99] = JSON.stringify({ nin: stranger, application: application(people[1], 1) });
  const bad = application(people[2], 2);
  bad.education.load_percent = 150;
  lines[149] = JSON.stringify({ nin: people[2].nin, application: bad });
  lines[179] = JSON.stringify({ nin: people[3].nin });
  const file = path.join(tmp, 'intake.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');

  const r = batch(['--db', db, '--json', file]);
  assert.equal(r.status, 2, r.stderr);
  const s = r.summary;
  assert.equal(s.lines, 200);
  assert.equal(s.refused, 5);
  assert.deepEqual(s.refused_lines.map((x) => [x.line, x.field]), [
    [5, ''], [50, 'nin'], [100, 'nin'], [150, 'application.education.load_percent'], [180, 'application']]);
  assert.match(r.stderr, /^stipend batch: line 5: not valid JSON/m);
  assert.match(r.stderr, /^stipend batch: line 100: nin: no person with this number in the database$/m);
  assert.match(r.stderr, /^stipend batch: line 150: application\.education\.load_percent: /m);
  // No person's number, in any output.
  for (const out of [r.stdout.replaceAll(s.intake, ''), r.stderr]) {
    assert.doesNotMatch(out, /\d{11}/);
    assert.ok(!out.includes(stranger));
  }

  assert.equal(s.accepted, 195);
  assert.equal(cases(db), 195);
  assert.equal(num(db, "select count(*) from cases where intake like 'batch:%' and outcome = 'granted'"), s.decided.granted);
  assert.equal(num(db, "select count(*) from cases where intake like 'batch:%' and outcome = 'partly-granted'"),
    s.decided['partly-granted']);
  assert.equal(num(db, "select count(*) from cases where intake like 'batch:%' and outcome = 'rejected'"), s.decided.rejected);
  assert.equal(num(db, "select count(*) from cases where intake like 'batch:%' and status = 'manual'"), s.manual.total);
  assert.equal(s.decided.total + s.manual.total + s.waiting, s.accepted);
  assert.ok(s.decided.total > 0 && s.manual.total > 0, JSON.stringify(s));
  const reasons = sql(db, "select json_extract(r.value, '$.code'), count(*) from cases c join decisions d on d.case_id = c.id, " +
    "json_each(d.decision_json, '$.manual_reasons') r where c.intake like 'batch:%' group by 1 order by 1");
  const fromDb = Object.fromEntries(reasons.split('\n').filter(Boolean).map((l) => l.split('|')).map(([k, v]) => [k, Number(v)]));
  assert.deepEqual(Object.fromEntries(Object.entries(s.manual.reasons).sort()), fromDb);
  assert.ok(Math.abs(s.automation_rate - s.decided.total / s.accepted) < 1e-5);
  // Each case has its decision, its letter and its place in the intake.
  assert.equal(num(db, "select count(*) from cases c join letters l on l.case_id = c.id where c.intake like 'batch:%'"), 195);
  assert.equal(num(db, `select count(*) from cases where intake = '${s.intake}5' or intake = '${s.intake}50'`), 0);
  assert.equal(num(db, `select count(*) from cases where intake = '${s.intake}1'`), 1);
  assert.equal(run(['verify', '--db', db]).status, 0);

  // The text summary says the same in words.
  const again = batch(['--db', db, file]);
  assert.equal(again.status, 2);
  assert.match(again.stdout, /stored before \(skipped\) +195/);
  assert.match(again.stdout, /automation rate +- \(nothing accepted\)/);

  // Run again: nothing new is stored, the refused lines are refused again.
  const rerun = batch(['--db', db, '--json', file]);
  assert.equal(rerun.status, 2, rerun.stderr);
  assert.equal(rerun.summary.stored_before, 195);
  assert.equal(rerun.summary.accepted, 0);
  assert.equal(rerun.summary.refused, 5);
  assert.equal(cases(db), 195);
  assert.equal(num(db, 'select count(*) from letters'), 195);
});

test('a_clean_file_exits_0_and_a_changed_file_is_a_new_intake', async () => {
  const db = await initDb('clean.db', 20);
  const lines = intake(persons(db), 30);
  const file = path.join(tmp, 'clean.jsonl');
  writeFileSync(file, lines.join('\n')); // no newline after the last line
  const r = batch(['--db', db, '--json', '--quiet', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.summary.accepted, 30);
  writeFileSync(file, lines.concat(lines.slice(0, 2)).join('\n'));
  const grown = batch(['--db', db, '--json', '--quiet', file]);
  assert.equal(grown.status, 0, grown.stderr);
  assert.notEqual(grown.summary.intake, r.summary.intake);
  assert.equal(grown.summary.accepted, 32);
  assert.equal(cases(db), 62);
});

test('a_batch_killed_partway_and_run_again_stores_each_line_exactly_once', async () => {
  const db = await initDb('kill.db', 200);
  const file = path.join(tmp, 'big.jsonl');
  writeFileSync(file, intake(persons(db), 3000).join('\n') + '\n');

  const proc = spawn(bin, ['batch', '--db', db, file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  // Killed at the first progress line (a tenth done), or after 300 ms.
  const timer = setTimeout(() => proc.kill('SIGKILL'), 300);
  proc.stderr.on('data', (d) => {
    err += d;
    if (/batch: +\d+ %/.test(err)) proc.kill('SIGKILL');
  });
  const [code, signal] = await new Promise((res) => proc.once('exit', (c, s) => res([c, s])));
  clearTimeout(timer);
  assert.equal(signal, 'SIGKILL', `the batch ended before it was killed (exit ${code}): ${err}`);
  const partway = cases(db);
  assert.ok(partway < 3000, `${partway} cases stored before the kill`);

  const r = batch(['--db', db, '--json', '--quiet', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.summary.stored_before, partway);
  assert.equal(r.summary.stored_before + r.summary.accepted, 3000);
  assert.equal(r.summary.stored_in_all, 3000);
  assert.equal(cases(db), 3000);
  assert.equal(num(db, "select count(distinct intake) from cases where intake like 'batch:%'"), 3000);
  assert.equal(num(db, "select count(*) from cases where intake like 'batch:%' and " +
    "(outcome is null or status not in ('decided', 'manual'))"), 0);
  assert.equal(num(db, "select count(*) from cases c where intake like 'batch:%' and " +
    '(select count(*) from decisions d where d.case_id = c.id) != 1 or ' +
    '(select count(*) from letters l where l.case_id = c.id) != 1'), 0);
  assert.equal(run(['verify', '--db', db]).status, 0);
});

test('from_the_registers_the_students_are_decided', async () => {
  const db = await initDb('registers.db', 200);
  const sim = await startSim({ persons: 200 });
  const { url } = sim;
  try {
    const args = ['batch', '--db', db, '--from-registers', '--persons', '200', '--registers', url];
    const r = await new Promise((res) => {
      const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { err += d; });
      p.once('exit', (status) => res({ status, stdout: out, stderr: err }));
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /persons examined +200 of 200/);
    assert.match(r.stdout, /automation rate +\d+\.\d % \(decided automatically \/ accepted\)/);
    const accepted = Number(r.stdout.match(/accepted +(\d+)/)[1]);
    const withoutEnrolment = Number(r.stdout.match(/without an enrolment +(\d+)/)[1]);
    assert.ok(accepted > 20, r.stdout);
    assert.equal(accepted + withoutEnrolment, 200);
    assert.equal(cases(db, 'registers:2024-2025:'), accepted);
    assert.equal(num(db, "select count(*) from cases where intake like 'registers:%' and outcome is null"), 0);
    // Both schemes, each decided on the registers' facts.
    assert.equal(sql(db, "select group_concat(distinct scheme) from (select scheme from cases order by scheme)"),
      'higher-education,upper-secondary');
    const facts = JSON.parse(sql(db, "select facts_json from decisions d join cases c on c.id = d.case_id " +
      "where c.scheme = 'upper-secondary' limit 1"));
    assert.equal(facts.enrolment.source.register, 'schools');
    assert.equal(facts.parents.source.register, 'tax');

    // Once a person's application is stored, a second run skips it.
    const again = spawnSync(bin, [...args, '--json', '--quiet'], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    const s = JSON.parse(again.stdout);
    assert.equal(s.stored_before, accepted);
    assert.equal(s.accepted, 0);
    assert.equal(cases(db, 'registers:'), accepted);
  } finally {
    await sim.stop();
  }
});

// The register simulator for a population of n persons: { url, mode, stop }.
async function startSimulator(n) {
  const sim = await startSim({ persons: n });
  return {
    url: sim.url,
    async mode(register, mode) {
      const r = await fetch(`${sim.url}/_control`, { method: 'POST', body: JSON.stringify({ register, mode }) });
      assert.equal(r.status, 200);
    },
    stop: () => sim.stop(),
  };
}

// stipend batch with the simulator's registers, without blocking the event
// loop the simulator's control calls need.
function batchAsync(args) {
  return new Promise((res) => {
    const p = spawn(bin, ['batch', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.once('exit', (status) => res({ status, stdout: out, stderr: err,
      summary: args.includes('--json') && out ? JSON.parse(out) : null }));
  });
}

// Every case from the registers as the person sees it: the application,
// the decision with its awards and trace, the facts with their registers
// (but not the moment each was fetched) and the letters; by person.
function registerCases(db) {
  const rows = sql(db, "select json_object('nin', p.nin, 'scheme', c.scheme, 'status', c.status, " +
    "'outcome', c.outcome, 'waiting_for', c.waiting_for, 'intake', c.intake, 'application', c.application_json, " +
    "'decisions', (select json_group_array(json_object('outcome', d.outcome, 'decision', d.decision_json, " +
    "'facts', d.facts_json)) from decisions d where d.case_id = c.id), " +
    "'letters', (select group_concat(l.kind) from letters l where l.case_id = c.id)) " +
    "from cases c join persons p on p.id = c.person_id where c.intake like 'registers:%' order by p.nin");
  const drop = (o) => {
    if (o && typeof o === 'object') {
      delete o.fetched_at;
      Object.values(o).forEach(drop);
    }
    return o;
  };
  return rows.split('\n').filter(Boolean).map((l) => {
    const c = JSON.parse(l);
    c.decisions = c.decisions.map((d) => ({ ...d, decision: JSON.parse(d.decision), facts: drop(JSON.parse(d.facts)) }));
    return c;
  });
}

test('from_the_registers_in_bulk_the_decisions_are_those_of_the_per_person_path', async () => {
  const n = 800;
  const bulkDb = await initDb('bulk.db', n), singleDb = await initDb('single.db', n);
  const sim = await startSimulator(n);
  try {
    const args = ['--from-registers', '--persons', String(n), '--registers', sim.url, '--json', '--quiet'];
    const bulk = await batchAsync(['--db', bulkDb, ...args]);
    assert.equal(bulk.status, 0, bulk.stderr);
    const single = await batchAsync(['--db', singleDb, ...args, '--per-person']);
    assert.equal(single.status, 0, single.stderr);
    for (const k of ['persons', 'not_enrolled', 'accepted', 'decided', 'manual', 'waiting', 'refused']) {
      assert.deepEqual(bulk.summary[k], single.summary[k], k);
    }
    const s = bulk.summary;
    assert.equal(s.accepted + s.not_enrolled, n);
    assert.ok(s.decided.granted > 0 && s.manual.total > 0, JSON.stringify(s));
    assert.equal(s.waiting, 0);

    const got = registerCases(bulkDb), want = registerCases(singleDb);
    assert.equal(got.length, s.accepted);
    assert.deepEqual(got, want);
    // What was compared holds what the decisions rest on.
    const upper = got.find((c) => c.scheme === 'upper-secondary' && c.decisions[0].facts.parents.incomes.length > 0);
    assert.ok(upper, 'an upper-secondary case with the parents\' incomes');
    assert.equal(upper.decisions[0].facts.parents.source.register, 'tax');
    assert.ok(got.some((c) => c.decisions[0].decision.awards?.length > 0), 'a decision with awards');
    assert.ok(got.every((c) => c.letters === 'decision' || c.letters?.length > 0));
  } finally {
    await sim.stop();
  }
});

test('a_register_failing_the_bulk_facts_leaves_the_cases_waiting_to_be_decided_alike', async () => {
  const n = 200;
  const bulkDb = await initDb('bulk-wait.db', n), singleDb = await initDb('single-wait.db', n);
  const sim = await startSimulator(n);
  try {
    const args = ['--from-registers', '--persons', String(n), '--registers', sim.url, '--json', '--quiet'];
    await sim.mode('tax', 'error');
    const r = await batchAsync(['--db', bulkDb, ...args]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.summary.accepted > 20);
    assert.equal(r.summary.waiting, r.summary.accepted);
    assert.equal(num(bulkDb, "select count(*) from cases where intake like 'registers:%' and " +
      "status = 'collecting-facts' and waiting_for = 'tax'"), r.summary.accepted);
    assert.equal(num(bulkDb, 'select count(*) from decisions'), 0);

    // The tax authority answers again: the job runner decides them.
    await sim.mode('tax', 'ok');
    const work = run(['work', '--db', bulkDb, '--once', '--registers', sim.url]);
    assert.equal(work.status, 0, work.stderr);
    const single = await batchAsync(['--db', singleDb, ...args, '--per-person']);
    assert.equal(single.status, 0, single.stderr);
    const strip = (cases) => cases.map(({ status, waiting_for: w, ...rest }) => ({ ...rest, status }));
    assert.deepEqual(strip(registerCases(bulkDb)), strip(registerCases(singleDb)));
  } finally {
    await sim.stop();
  }
});

test('persons_the_schools_did_not_answer_for_are_asked_again_by_the_next_run', async () => {
  const n = 200;
  const db = await initDb('unreached.db', n);
  const sim = await startSimulator(n);
  try {
    const args = ['--db', db, '--from-registers', '--persons', String(n), '--registers', sim.url, '--json', '--quiet'];
    await sim.mode('schools', 'error');
    const r = await batchAsync(args);
    assert.equal(r.status, 1);
    assert.equal(r.summary.unreached, n);
    assert.match(r.stderr, new RegExp(`the schools did not answer for ${n} persons`));
    assert.equal(cases(db, 'registers:'), 0);
    await sim.mode('schools', 'ok');
    const again = await batchAsync(args);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.summary.unreached, 0);
    assert.equal(again.summary.accepted + again.summary.not_enrolled, n);
    assert.equal(cases(db, 'registers:'), again.summary.accepted);
  } finally {
    await sim.stop();
  }
});

test('a_bulk_run_from_the_registers_killed_partway_and_run_again_stores_each_application_once', async () => {
  const n = 4000;
  const db = await initDb('kill-registers.db', n);
  const sim = await startSimulator(n);
  try {
    const args = ['batch', '--db', db, '--from-registers', '--persons', String(n), '--registers', sim.url];
    const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), 400);
    proc.stderr.on('data', (d) => {
      err += d;
      if (/batch: +\d+ %/.test(err)) proc.kill('SIGKILL');
    });
    const [code, signal] = await new Promise((res) => proc.once('exit', (c, s) => res([c, s])));
    clearTimeout(timer);
    assert.equal(signal, 'SIGKILL', `the batch ended before it was killed (exit ${code}): ${err}`);
    const partway = cases(db, 'registers:');

    const r = await batchAsync([...args.slice(1), '--json', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.summary.stored_before, partway);
    const students = r.summary.stored_before + r.summary.accepted;
    assert.equal(students + r.summary.not_enrolled, n);
    assert.ok(partway < students, `${partway} of ${students} stored before the kill`);
    assert.equal(r.summary.stored_in_all, students);
    assert.equal(cases(db, 'registers:'), students);
    assert.equal(num(db, "select count(distinct person_id) from cases where intake like 'registers:%'"), students);
    assert.equal(num(db, "select count(*) from cases c where intake like 'registers:%' and (" +
      '(select count(*) from decisions d where d.case_id = c.id) != 1 or ' +
      '(select count(*) from letters l where l.case_id = c.id) != 1)'), 0);
    assert.equal(run(['verify', '--db', db]).status, 0);
  } finally {
    await sim.stop();
  }
});

test('usage_errors_exit_2', async () => {
  const db = await initDb('usage.db', 5);
  assert.equal(batch(['--db', db]).status, 2);
  assert.equal(batch(['--db', db, '--from-registers', '--persons', '5']).status, 2);
  assert.equal(batch(['--db', db, '--per-person', path.join(tmp, 'x.jsonl')]).status, 2);
  assert.equal(batch(['--db', path.join(tmp, 'absent.db'), 'x.jsonl']).status, 2);
  const missing = batch(['--db', db, path.join(tmp, 'absent.jsonl')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /absent\.jsonl/);
  const help = batch(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--from-registers/);
});
