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
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Client, nbsp, root, run, startServer } from '../lib/server.mjs';

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

// The case workers' page: the same applications, stored as cases, under the
// basic loan raised to 160 000 kr for 2024-2025 (the one figure changed);
// the rate group 1 pupil stays with a person under both, as no figure is
// given to it here. Loans: A 220 640 kr, B 232 727,25 kr (as above);
// grants 4 122 kr under both; 2 better off (median +6 043,63, the mean of the two, most
// +8 309,95 kr), 2 unchanged; 75,0 % decided without a person under both.
const pageApps = [higher(100, false), higher(50, true), pupil(3), pupil(1)];

async function loginStaff(c, username) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { staff: username, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

// Everything a simulation might write to, as SQL text.
const tables = 'cases decisions jobs audit letters messages deadlines';
// The server holds the database open: wait for its locks.
const sqlite = (srv, q) => spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, q], { encoding: 'utf8' });
const dump = (srv) => {
  const r = sqlite(srv, `.dump ${tables}`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

const insert = (srv, q) => assert.equal(sqlite(srv, q).status, 0);

test('simulate_page_runs_a_change_on_stored_applications_and_writes_nothing', async (t) => {
  const srv = await startServer({ persons: 20 });
  t.after(() => srv.stop());
  // Stored applications, older ones first; one for another school year
  // that "the school year's" scope leaves out and "the last 4" too.
  insert(srv, `insert into cases (person_id, scheme, school_year, status, received_at, application_json) values (1, 'higher-education', '2023-2024', 'decided', 1, '${JSON.stringify({ ...higher(100, false), school_year: '2023-2024', education: { level: 'higher', load_percent: 100, start: '2023-08-15', end: '2024-06-15' } })}')`);
  for (const a of pageApps) {
    insert(srv, `insert into cases (person_id, scheme, school_year, status, received_at, application_json) values (2, '${a.scheme}', '2024-2025', 'decided', 2, '${JSON.stringify(a)}')`);
  }
  const worker = new Client(srv.base);
  await loginStaff(worker, 'sara.berg');
  const form = await worker.get('/saksbehandling/simulering');
  assert.equal(form.status, 200);
  assert.match(form.text, /<option value="2024-2025" selected>/);
  assert.match(form.text, /<option value="basic_loan.annual">/);
  const before = dump(srv);
  const csrf = Client.csrf(form.text);
  const change = { csrf, school_year: '2024-2025', parameter: 'basic_loan.annual', value: '160000', scope: 'last', count: '4' };
  const r = await worker.post('/saksbehandling/simulering', change);
  assert.equal(r.status, 200, r.text);
  const page = nbsp(r.text);
  const cell = (row) => page.match(new RegExp(`<tr data-row="${row}">(.*?)</tr>`))[1];
  assert.match(page, /4 søknader avgjort med/);
  assert.match(cell('rules.sim.row.loans'), /220 640 kr<\/td><td class="num">232 727,25 kr<\/td><td class="num">\+12 087,25 kr/);
  assert.match(cell('rules.sim.row.grants'), /4 122 kr<\/td><td class="num">4 122 kr<\/td><td class="num">0 kr/);
  assert.match(cell('rules.sim.row.convertible'), /60 676 kr<\/td><td class="num">63 999,98 kr/);
  assert.match(cell('better'), /<td class="num">2<\/td><td>median \+6 043,63 kr, mest \+8 309,95 kr/);
  assert.match(cell('worse'), /<td class="num">0<\/td>/);
  assert.match(cell('unchanged'), /<td class="num">2<\/td>/);
  assert.match(cell('automation'), /A 75,0 %, B 75,0 %/);
  // The chart the CLI draws, in the page's language, beside its table.
  assert.match(page, /<svg [^>]*role="img" aria-labelledby="sim-chart-t sim-chart-d">/);
  assert.match(page, /<desc id="sim-chart-d">2 får mer, 0 får mindre, 2 uendret, av 4 avgjort etter begge\.<\/desc>/);
  assert.match(page, /<tr><th scope="row">1000\.\.5000<\/th><td class="num">1<\/td><\/tr>/);
  assert.match(page, /<tr><th scope="row">5000\.\.10000<\/th><td class="num">1<\/td><\/tr>/);
  // The school year's applications: the same four; the last 5 take the
  // 2023-2024 one as well, which the changed 2024-2025 figure leaves alone.
  const year = nbsp((await worker.post('/saksbehandling/simulering', { ...change, scope: 'year', count: '' })).text);
  assert.match(year, /4 søknader avgjort med/);
  const five = nbsp((await worker.post('/saksbehandling/simulering', { ...change, count: '5' })).text);
  assert.match(five, /5 søknader avgjort med/);
  assert.match(five.match(/<tr data-row="unchanged">(.*?)<\/tr>/)[1], /<td class="num">3<\/td>/);
  // In English.
  const en = nbsp((await worker.request('POST', '/saksbehandling/simulering', new URLSearchParams(change).toString(),
    { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' })).text);
  assert.match(en, /<desc id="sim-chart-d">2 better off, 0 worse off, 2 unchanged, of 4 decided under both\.<\/desc>/);
  // A simulation changes nothing: no case, decision, job, letter or audit record.
  assert.equal(dump(srv), before);
});

test('simulate_page_names_each_wrong_field_and_refuses_who_may_not', async (t) => {
  const srv = await startServer({ persons: 10 });
  t.after(() => srv.stop());
  const worker = new Client(srv.base);
  await loginStaff(worker, 'per.lund');
  const form = await worker.get('/saksbehandling/simulering');
  const csrf = Client.csrf(form.text);
  const bad = await worker.post('/saksbehandling/simulering',
    { csrf, school_year: '2024-2025', parameter: 'basic_loan.annual', value: '160 000,123', scope: 'last', count: '0' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="value-error">Skriv den nye verdien som et beløp i kroner/);
  assert.match(bad.text, /id="count-error">Skriv antall søknader som et helt tall/);
  assert.match(bad.text, /href="#value"/);
  assert.match(bad.text, /value="160 000,123"/, 'what was typed stays');
  const whole = await worker.post('/saksbehandling/simulering',
    { csrf, school_year: '2024-2025', parameter: 'basic_loan.months', value: '1,5', scope: 'year' });
  const unknown = await worker.post('/saksbehandling/simulering',
    { csrf, school_year: '2024-2025', parameter: 'no.such', value: '1', scope: 'year' });
  assert.equal(unknown.status, 422);
  assert.match(unknown.text, /id="parameter-error">Velg et tall som gjelder i skoleåret/);
  const year = await worker.post('/saksbehandling/simulering',
    { csrf, school_year: '1999-2000', parameter: 'basic_loan.annual', value: '1', scope: 'sometimes' });
  assert.equal(year.status, 422);
  assert.match(year.text, /id="school_year-error"/);
  assert.match(year.text, /id="scope-error"/);
  assert.equal(whole.status, 422);
  assert.match(whole.text, /id="value-error">Skriv den nye verdien som et helt tall/);
  // A person and the support centre may not; the refusal is audited.
  const support = new Client(srv.base);
  await loginStaff(support, 'siri.hauge');
  assert.equal((await support.get('/saksbehandling/simulering')).status, 403);
  const person = new Client(srv.base);
  await person.login(0);
  assert.equal((await person.get('/saksbehandling/simulering')).status, 403);
  assert.equal(srv.sql("select count(*) from audit where action = 'rules.simulate.denied'"), '2');
  const mgmt = new Client(srv.base);
  await loginStaff(mgmt, 'mona.vik');
  assert.equal((await mgmt.get('/saksbehandling/simulering')).status, 200);
});
