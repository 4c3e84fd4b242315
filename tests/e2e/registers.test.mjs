// registers.test.mjs - `stipend-sim serve`, the register simulator, as a
// client meets it over HTTP: a person taken from the batch list and then
// looked up in each register, the confidential-address scope, failure
// injection through /_control; `stipend init --demo --registers URL` holding
// the very people the population register lists, in its order, with their
// confidential addresses and places of study, or making no database at all
// when the registers fail; and stipend holding no simulator of its own.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bin, freePort, run, simBin, startSim } from '../lib/server.mjs';

let sim, base, tmp;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'stipend-registers-'));
  sim = await startSim({ persons: 1000, seed: 7 });
  base = sim.url;
});

after(async () => {
  await sim.stop();
  rmSync(tmp, { recursive: true, force: true });
});

// stipend-sim run to its end, as run() runs stipend.
const runSim = (args) => spawnSync(simBin, args, { encoding: 'utf8' });

// stipend init without blocking the event loop (the simulator answers it
// from another process, but a test's control calls need the loop).
function initAsync(args) {
  return new Promise((res) => {
    const p = spawn(bin, ['init', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.once('close', (status) => res({ status, stdout: out, stderr: err }));
  });
}

async function get(url, headers = {}) {
  const r = await fetch(base + url, { headers });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

async function getJson(url, headers) {
  const r = await get(url, headers);
  assert.equal(r.status, 200, `${url}: ${r.text}`);
  assert.equal(r.type, 'application/json');
  return JSON.parse(r.text);
}

async function control(body) {
  const r = await fetch(`${base}/_control`, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

// A national identity number from its first nine digits, or null when no
// check digits exist for them.
function nin(nine) {
  const d = [...nine].map(Number);
  for (const w of [[3, 7, 6, 1, 8, 9, 4, 5, 2], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]]) {
    const k = (11 - (w.reduce((s, x, i) => s + x * d[i], 0) % 11)) % 11;
    if (k === 10) return null;
    d.push(k);
  }
  return d.join('');
}

const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));

test('a_person_from_the_list_is_known_to_every_register', async () => {
  const list = await getJson('/population/v1/persons?offset=0&limit=5');
  assert.equal(list.total, 1000);
  assert.equal(list.persons.length, 5);
  const student = list.persons[0];
  assert.match(student.nin, /^\d{11}$/);
  assert.ok(Number(student.nin.slice(2, 4)) > 80, 'a synthetic test number: month + 80');
  assert.ok(isDate(student.birth_date));

  const person = await getJson(`/population/v1/persons/${student.nin}`);
  assert.deepEqual(person, student);
  for (const key of ['given_name', 'family_name']) assert.ok(person[key].length > 0);
  assert.equal(typeof person.confidential_address, 'boolean');
  assert.equal(typeof person.married, 'boolean');
  assert.ok(Array.isArray(person.parents) && person.parents.length >= 1);
  assert.ok(Array.isArray(person.children));
  // The parents are persons too, with this student among their children.
  const parent = await getJson(`/population/v1/persons/${person.parents[0]}`);
  assert.ok(parent.children.some((c) => c.nin === person.nin));

  const income = await getJson(`/tax/v1/persons/${person.nin}/income?year=2022`);
  assert.equal(income.nin, person.nin);
  assert.equal(income.year, 2022);
  assert.ok(Number.isInteger(income.income) && income.income >= 0);
  assert.ok(Number.isInteger(income.wealth) && income.wealth >= 0);
  const parentIncome = await getJson(`/tax/v1/persons/${parent.nin}/income?year=2022`);
  assert.ok(parentIncome.income <= 150000000, 'parents earn at most 1.5 million kroner');

  const { account } = await getJson(`/tax/v1/persons/${person.nin}/account`);
  assert.match(account, /^\d{11}$/);
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const k = 11 - ([...account.slice(0, 10)].reduce((s, d, i) => s + Number(d) * w[i], 0) % 11);
  assert.equal(Number(account[10]), k === 11 ? 0 : k, 'a valid mod-11 account number');

  const { enrolments } = await getJson(`/schools/v1/persons/${person.nin}/enrolments?school_year=2024-2025`);
  for (const e of enrolments) {
    assert.ok(['upper-secondary', 'higher'].includes(e.level));
    assert.ok(e.institution && e.programme);
    assert.ok(isDate(e.start) && isDate(e.end) && e.start <= e.end);
    assert.equal(e.admitted, true);
    assert.ok(e.travel.distance_km >= 0 && Number.isInteger(e.travel.daily_travel_minutes));
    assert.ok(e.travel.walking_km >= 0 && e.travel.walking_km <= 2);
  }
  const { credits } = await getJson(`/schools/v1/persons/${person.nin}/credits`);
  for (const c of credits) {
    assert.match(c.semester, /^\d{4}-(autumn|spring)$/);
    assert.ok([0, 15, 22.5, 30].includes(c.credits));
  }
  const { benefits } = await getJson(`/welfare/v1/persons/${person.nin}/benefits`);
  for (const b of benefits) {
    assert.ok(['work-assessment-allowance', 'unemployment'].includes(b.kind));
    assert.ok(isDate(b.from) && isDate(b.to) && b.from <= b.to);
  }
  const { institutions } = await getJson('/schools/v1/institutions');
  assert.ok(institutions.some((i) => i.level === 'upper-secondary'));
  assert.ok(institutions.some((i) => i.level === 'higher'));
});

test('unknown_and_invalid_numbers', async () => {
  // A valid number, but an ordinary one: the synthetic population has none.
  let ordinary = null;
  for (let i = 500; !ordinary; i++) ordinary = nin(`010100${i}`);
  const unknown = await get(`/population/v1/persons/${ordinary}`);
  assert.equal(unknown.status, 404);
  assert.deepEqual(JSON.parse(unknown.text), { error: 'not-found' });
  assert.equal((await get(`/tax/v1/persons/${ordinary}/income?year=2022`)).status, 404);
  const invalid = await get('/tax/v1/persons/12345678901/account');
  assert.equal(invalid.status, 400);
  assert.deepEqual(JSON.parse(invalid.text), { error: 'invalid', field: 'nin' });
  const nowhere = await get('/nowhere');
  assert.equal(nowhere.status, 404);
  const list = await get('/population/v1/persons?limit=1001');
  assert.equal(list.status, 400);
  // Past the end of the population.
  const last = await getJson('/population/v1/persons?offset=999&limit=10');
  assert.equal(last.persons.length, 1);
});

test('confidential_address_only_with_the_scope', async () => {
  const { persons } = await getJson('/population/v1/persons?offset=0&limit=1000');
  const found = persons.find((p) => p.confidential_address);
  assert.ok(found, 'about 2 % have a confidential address');
  assert.equal(found.address, null);
  const plain = await getJson(`/population/v1/persons/${found.nin}`);
  assert.equal(plain.address, null);
  const scoped = await getJson(`/population/v1/persons/${found.nin}`, { 'X-Scope': 'confidential-address' });
  assert.equal(scoped.confidential_address, true);
  assert.ok(scoped.address.line && /^\d{4}$/.test(scoped.address.postcode) && scoped.address.city);
});

test('failure_modes_through_control', async () => {
  const { persons } = await getJson('/population/v1/persons?offset=0&limit=1');
  const nin = persons[0].nin;
  try {
    let r = await control({ register: 'tax', mode: 'error' });
    assert.equal(r.status, 200);
    assert.equal(r.body.tax.mode, 'error');
    assert.equal((await get(`/tax/v1/persons/${nin}/account`)).status, 500);
    // Only the tax register fails.
    assert.equal((await get(`/population/v1/persons/${nin}`)).status, 200);

    await control({ register: 'schools', mode: 'malformed' });
    const bad = await get(`/schools/v1/persons/${nin}/credits`);
    assert.equal(bad.status, 200);
    assert.throws(() => JSON.parse(bad.text));

    await control({ register: 'welfare', mode: 'down' });
    await assert.rejects(fetch(`${base}/welfare/v1/persons/${nin}/benefits`));

    await control({ register: 'population', mode: 'slow', delay_ms: 100 });
    assert.equal((await get(`/population/v1/persons/${nin}`)).status, 200);

    const state = await getJson('/_control');
    assert.deepEqual(state, {
      population: { mode: 'slow', delay_ms: 100 },
      tax: { mode: 'error', delay_ms: 0 },
      schools: { mode: 'malformed', delay_ms: 0 },
      welfare: { mode: 'down', delay_ms: 0 },
    });
    // The control and the health check are never affected.
    assert.equal((await get('/health')).status, 200);

    assert.equal((await control({ register: 'tax', mode: 'sideways' })).status, 400);
    assert.equal((await control({ register: 'bank', mode: 'ok' })).status, 400);
    assert.equal((await control({ register: 'all', mode: 'slow', delay_ms: -1 })).status, 400);
  } finally {
    const r = await control({ register: 'all', mode: 'ok' });
    assert.equal(r.status, 200);
  }
  assert.equal((await get(`/tax/v1/persons/${nin}/account`)).status, 200);
  assert.equal((await get(`/welfare/v1/persons/${nin}/benefits`)).status, 200);
});

function sqlRows(db, query) {
  const q = spawnSync('sqlite3', ['-separator', '|', db, query], { encoding: 'utf8' });
  assert.equal(q.status, 0, q.stderr);
  return q.stdout.trim().split('\n').map((l) => l.split('|'));
}

test('init_demo_holds_the_people_the_registers_know', async () => {
  const db = path.join(tmp, 'demo.db');
  const init = await initAsync(['--demo', '--registers', base, '--db', db]);
  assert.equal(init.status, 0, init.stderr);
  assert.match(init.stdout, /with 1000 persons from the population register/);
  // Every person, in the register's order, as the register says with the
  // scope that shows a confidential address; the place of study as the
  // schools report it.
  const scope = { 'x-scope': 'confidential-address' };
  const want = [];
  for (let offset = 0; offset < 1000; offset += 500)
    want.push(...(await getJson(`/population/v1/persons?offset=${offset}&limit=500`, scope)).persons);
  const rows = sqlRows(db, 'select id, nin, given_name, family_name, birth_date, address, postcode, city, ' +
    "confidential_address, coalesce(institution, ''), coalesce(programme, '') from persons order by id");
  assert.equal(rows.length, 1000);
  assert.deepEqual(rows.map((r) => r.slice(0, 9)), want.map((p, i) => [String(i + 1), p.nin, p.given_name,
    p.family_name, p.birth_date, p.address.line, p.address.postcode, p.address.city, p.confidential_address ? '1' : '0']));
  assert.ok(want.some((p) => p.confidential_address), 'the population holds a confidential address');
  for (let i = 0; i < 200; i++) {
    const [first] = (await getJson(`/schools/v1/persons/${want[i].nin}/enrolments?school_year=2024-2025`)).enrolments;
    assert.deepEqual(rows[i].slice(9), first ? [first.institution, first.programme] : ['', ''], `person ${i + 1}`);
  }
  assert.ok(rows.some((r) => r[9] !== ''), 'someone studies');
  assert.ok(rows.some((r) => r[9] === ''), 'someone does not');
  assert.deepEqual(sqlRows(db, 'select username, name, role from staff order by id'),
    [['sara.berg', 'Sara Berg', 'caseworker'], ['per.lund', 'Per Lund', 'caseworker'],
      ['siri.hauge', 'Siri Hauge', 'support'], ['mona.vik', 'Mona Vik', 'management'],
      ['ingrid.dahl', 'Ingrid Dahl', 'institution'], ['hans.moe', 'Hans Moe', 'institution']]);
  // #13: the schools and institutions by organisation number, as the
  // schools register lists them, each number with a valid MOD11 check digit.
  const { institutions } = await getJson('/schools/v1/institutions');
  assert.deepEqual(sqlRows(db, 'select orgnr, name, level from institutions order by orgnr'),
    institutions.map((x) => [x.orgnr, x.name, x.level]).sort((a, b) => a[0].localeCompare(b[0])));
  const mod11 = (n) => {
    const r = 11 - ([3, 2, 7, 6, 5, 4, 3, 2].reduce((s, w, i) => s + w * Number(n[i]), 0) % 11);
    return (r === 11 ? 0 : r) === Number(n[8]);
  };
  assert.ok(institutions.length > 50 && institutions.every((x) => /^\d{9}$/.test(x.orgnr) && mod11(x.orgnr)));
  assert.equal(new Set(institutions.map((x) => x.orgnr)).size, institutions.length);
  assert.deepEqual(sqlRows(db, "select institution, admin from staff where role='institution' order by id"),
    [['974600005', '1'], ['974706865', '1']]);

  // The first N persons only; more than the register holds is refused.
  const few = path.join(tmp, 'few.db');
  assert.equal((await initAsync(['--demo', '--registers', base, '--persons', '30', '--db', few])).status, 0);
  assert.deepEqual(sqlRows(few, 'select nin from persons order by id').flat(), want.slice(0, 30).map((p) => p.nin));
  const many = path.join(tmp, 'many.db');
  const over = await initAsync(['--demo', '--registers', base, '--persons', '1001', '--db', many]);
  assert.equal(over.status, 1);
  assert.match(over.stderr, /holds only 1000 persons/);
  assert.equal(existsSync(many), false, 'no half-made database is left');
});

test('init_demo_makes_no_database_when_the_registers_fail', async () => {
  for (const mode of ['error', 'malformed']) {
    const db = path.join(tmp, `failed-${mode}.db`);
    assert.equal((await control({ register: 'schools', mode })).status, 200);
    try {
      const r = await initAsync(['--demo', '--registers', base, '--persons', '20', '--db', db]);
      assert.equal(r.status, 1, mode);
      assert.match(r.stderr, /schools/, mode);
    } finally {
      assert.equal((await control({ register: 'all', mode: 'ok' })).status, 200);
    }
    assert.equal(existsSync(db), false, mode);
    assert.equal(existsSync(`${db}-wal`), false, mode);
  }
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const db = path.join(tmp, 'nowhere.db');
  const r = await initAsync(['--demo', '--registers', nowhere, '--db', db]);
  assert.equal(r.status, 1);
  assert.equal(existsSync(db), false);
  // --demo takes its people from the registers, and only --demo does.
  assert.equal(run(['init', '--demo', '--db', path.join(tmp, 'x.db')]).status, 2);
  assert.equal(run(['init', '--registers', base, '--db', path.join(tmp, 'x.db')]).status, 2);
  assert.equal(existsSync(path.join(tmp, 'x.db')), false);
});

test('stipend_sim_help_and_bad_options', () => {
  const help = runSim(['serve', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /\/population\/v1\/persons\/\{nin\}/);
  assert.match(help.stdout, /\/sms\/v1\/messages/);
  const usage = runSim(['--help']);
  assert.equal(usage.status, 0);
  assert.match(usage.stdout, /serve/);
  assert.equal(runSim(['serve', '--persons', '0']).status, 2);
  assert.equal(runSim(['serve', '--listen', 'nowhere']).status, 2);
  assert.equal(runSim(['serve', 'extra']).status, 2);
  assert.equal(runSim([]).status, 2);
  assert.equal(runSim(['registers']).status, 2);
});

test('stipend_holds_no_simulator', () => {
  // The binary an agency runs has no command that serves the registers.
  assert.equal(run(['registers', 'serve']).status, 2);
  assert.doesNotMatch(run(['--help']).stdout, /^ {2}registers /m);
});
