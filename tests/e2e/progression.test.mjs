// progression.test.mjs - #9, progression from the registers: a student's
// application for 2024-2025 that carries no progression is decided with the
// credits supported from the agency's own record (the earlier school years
// whose decision gave the basic loan, 60 credits a full-time year) and the
// credits passed that the schools register reports since the first of them
// (the register simulator, with the semesters corrected through its control
// interface). The page "Forsinkelse i utdanningen": more than 60 credits
// behind gives no loan or grant, and the decision says how many to catch up.
//
// The earlier years are stored through `stipend batch` (the intake's own
// path), 2022-2023 under a parameter set that holds that year's figures (a
// copy of 2023-2024's higher-education file a year earlier: the built-in set
// starts at 2023-2024).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bin, Client, root, startServer } from '../lib/server.mjs';

let srv; let params;
before(async () => {
  srv = await startServer({ registers: true, persons: 80 });
  params = path.join(srv.dir, 'params');
  cpSync(path.join(root, 'params/no'), params, { recursive: true });
  mkdirSync(path.join(params, '2022-2023'));
  const text = readFileSync(path.join(params, '2023-2024/higher-education.yaml'), 'utf8')
    .replace(/^( {2}valid_(?:from|to): )(\d{4})/gm, (_, k, y) => `${k}${Number(y) - 1}`);
  writeFileSync(path.join(params, '2022-2023/higher-education.yaml'), text);
});
after(async () => { await srv.stop(); });

async function loginNin(c, nin) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

// Students of the database whom the schools register has at a higher
// education institution in 2024-2025, under 45 (no debt ceiling), without
// a case yet.
let students;
async function student() {
  if (!students) {
    students = [];
    const rows = srv.sql("select nin from persons where birth_date >= '1985-01-01' and id not in (select person_id from cases) order by id");
    for (const nin of rows.split('\n')) {
      const r = await fetch(`${srv.registersUrl}/schools/v1/persons/${nin}/enrolments?school_year=2024-2025`);
      const body = r.status === 200 ? await r.json() : { enrolments: [] };
      const en = (body.enrolments ?? []).find((x) => x.level === 'higher');
      if (en) students.push({ nin, institution: en.institution, programme: en.programme });
    }
  }
  const s = students.shift();
  assert.ok(s, 'no higher-education student left in the synthetic population');
  return s;
}

// An earlier school year, full time, decided on its own facts.
function earlier(nin, year) {
  const [y] = year.split('-').map(Number);
  return JSON.stringify({ nin, application: {
    scheme: 'higher-education', school_year: year, decision_date: `${y}-07-01`,
    applicant: { birth_date: srv.sql(`select birth_date from persons where nin = '${nin}'`), lives_with_parents: false,
      married: false, children: [], income: 0 },
    education: { level: 'higher', load_percent: 100, start: `${y}-08-15`, end: `${y + 1}-06-15` },
    loan: { months_requested: 11 },
  } });
}

function batch(lines) {
  const file = path.join(srv.dir, `earlier-${Date.now()}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const r = spawnSync(bin, ['batch', '--db', srv.db, '--params', params, '--quiet', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

async function credits(nin, semester, n) {
  const r = await fetch(`${srv.registersUrl}/_control/corrections`, { method: 'POST',
    body: JSON.stringify({ nin, change: 'credits', semester, credits: n }) });
  assert.equal(r.status, 201, await r.text());
}

// Apply for 2024-2025 through the portal; the stored decision.
async function apply(s) {
  const c = new Client(srv.base);
  await loginNin(c, s.nin);
  const page = await c.get('/soknad?scheme=higher-education');
  assert.equal(page.status, 200);
  const key = page.text.match(/name="key" value="([0-9a-f]+)"/)[1];
  const r = await c.post('/soknad', { csrf: Client.csrf(page.text), key, scheme: 'higher-education',
    institution: s.institution, programme: s.programme, lives_with_parents: 'no', load_percent: '100',
    start: '15.08.2024', end: '15.06.2025', months_requested: '11' });
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  return { c, id, decision: JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} order by id desc limit 1`)) };
}

const step = (d, rule) => d.trace.find((x) => x.rule === rule);
const source = (d, fact) => d.trace.find((x) => x.rule === 'facts.source' && x.inputs.fact === fact);

test('a_second_year_with_60_supported_is_decided_with_the_credits_the_schools_report', async () => {
  const s = await student();
  batch([earlier(s.nin, '2023-2024')]);
  assert.equal(srv.sql(`select outcome from cases join persons p on p.id = cases.person_id where p.nin = '${s.nin}'`), 'granted');
  await credits(s.nin, '2023-autumn', 20);
  await credits(s.nin, '2024-spring', 15);
  const { c, id, decision: d } = await apply(s);
  const delay = step(d, 'progression.delay');
  assert.ok(delay, JSON.stringify(d.trace.map((x) => x.rule)));
  assert.equal(delay.inputs.credits_supported, 60);
  assert.equal(delay.inputs.credits_passed, 35);
  assert.equal(delay.inputs.delay, 25);
  assert.equal(delay.value, true);
  assert.ok(d.awards.some((a) => a.name === 'basic-loan'));
  assert.equal(step(d, 'progression.catch-up'), undefined);
  // Both figures name where they came from.
  assert.equal(source(d, 'progression.credits_supported').inputs.source, 'agency');
  assert.equal(source(d, 'progression.credits_supported').value, 60);
  assert.equal(source(d, 'progression.credits_passed').inputs.source, 'schools');
  assert.equal(source(d, 'progression.credits_passed').value, 35);
  // The application stored is the person's; the facts keep the figures.
  const facts = JSON.parse(srv.sql(`select facts_json from decisions where case_id = ${id} order by id desc limit 1`));
  assert.equal(facts.progression.credits_passed, 35);
  assert.equal(facts.progression.first_supported, '2023-2024');
  assert.ok(facts.credits.semesters.some((x) => x.semester === '2023-autumn' && x.credits === 20));
  const page = await c.get(`/saker/${id}`);
  assert.match(page.text, /bestått siden du fikk støtte første gang: 35/);
  // "Mine opplysninger" shows what the schools reported.
  const mine = await c.get('/mine-opplysninger');
  assert.match(mine.text, /Beståtte studiepoeng i alt<\/dt><dd>\d+(,\d)?<\/dd>/);
});

test('more_than_60_behind_is_refused_with_the_credits_to_catch_up', async () => {
  const s = await student();
  batch([earlier(s.nin, '2022-2023'), earlier(s.nin, '2023-2024')]);
  assert.equal(srv.sql(`select group_concat(outcome) from cases join persons p on p.id = cases.person_id where p.nin = '${s.nin}'`),
    'granted,granted');
  // 120 supported, 55 passed since the autumn of 2022 (the semesters
  // before the first year supported do not count): 65 behind, 5 to catch up.
  await credits(s.nin, '2022-spring', 30);
  await credits(s.nin, '2022-autumn', 20);
  await credits(s.nin, '2023-spring', 10);
  await credits(s.nin, '2023-autumn', 15);
  await credits(s.nin, '2024-spring', 10);
  const { decision: d } = await apply(s);
  assert.equal(d.outcome, 'rejected', JSON.stringify(d.manual_reasons));
  assert.equal(d.awards.length, 0);
  const delay = step(d, 'progression.delay');
  assert.equal(delay.inputs.credits_supported, 120);
  assert.equal(delay.inputs.credits_passed, 55);
  assert.equal(delay.value, false);
  assert.equal(step(d, 'progression.catch-up').inputs.to_catch_up, 5);
});

test('a_person_never_supported_carries_no_progression', async () => {
  const s = await student();
  const { decision: d } = await apply(s);
  assert.equal(step(d, 'progression.delay'), undefined);
  assert.equal(source(d, 'progression.credits_passed'), undefined);
});
