// rules-batch.test.mjs - #9: a whole intake from the registers, as the
// issue measures it (`stipend batch --from-registers --persons N`): a run
// that asks for more persons than the population register holds says so
// (it examined fewer persons than asked, in silence, when run against a
// simulator of the default 200 persons), and the rules decide nine in ten
// accepted applications without a person, every manual reason left being
// one a person must judge or a figure the agency's pages do not give.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bin, createDemoDb, startSim } from '../lib/server.mjs';

let tmp;
before(() => { tmp = mkdtempSync(path.join(os.tmpdir(), 'stipend-rules-batch-')); });
after(() => { rmSync(tmp, { recursive: true, force: true }); });

function batch(args) {
  return new Promise((resolve) => {
    const p = spawn(bin, ['batch', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('a_run_asking_for_more_persons_than_the_register_holds_says_so', async () => {
  const held = 120;
  const sim = await startSim({ persons: held });
  try {
    const db = path.join(tmp, 'small.db');
    await createDemoDb(db, { persons: held, sim });
    const r = await batch(['--db', db, '--from-registers', '--persons', '500', '--registers', sim.url, '--json',
      '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.persons, held);
    assert.equal(s.persons_asked, 500);
    assert.equal(s.register_holds, held);
    assert.equal(s.accepted + s.not_enrolled, held);
    assert.match(r.stderr, /asked for 500 persons, but the population register holds only 120/);

    // The text summary says it too.
    const db2 = path.join(tmp, 'small2.db');
    await createDemoDb(db2, { persons: held, sim });
    const t = await batch(['--db', db2, '--from-registers', '--persons', '500', '--registers', sim.url, '--quiet']);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /persons asked for +500: the population register holds only 120/);

    // Asking for no more than it holds: nothing to say.
    const db3 = path.join(tmp, 'small3.db');
    await createDemoDb(db3, { persons: held, sim });
    const f = await batch(['--db', db3, '--from-registers', '--persons', '100', '--registers', sim.url, '--json',
      '--quiet']);
    assert.equal(f.status, 0, f.stderr);
    const fs = JSON.parse(f.stdout);
    assert.equal(fs.persons, 100);
    assert.equal(fs.persons_asked, 100);
    assert.equal(fs.register_holds, null);
    assert.doesNotMatch(f.stderr, /holds only/);
  } finally {
    await sim.stop();
  }
});

// Every manual reason the intake leaves is a person's judgement (facts that
// contradict each other) or a figure the agency's pages do not give, one of
// those the README lists as gaps; nothing is sent to a person for a fact the
// registers hold. (The 90 % aim waits for those figures: README.)
const FIGURES_NOT_GIVEN = new Set([
  'equipment_grant.rate_1', 'equipment_grant.rate_2', 'travel_grant.rate_first_300_km',
  'child_grant.student.spouse_income_limit', 'adult_loan.max_debt',
]);
const isIncomeTable = (p) => /^means_tested_grant\.table_[ab]\.siblings_\d\.band_\d_max$/.test(p);

test('every_manual_reason_of_an_intake_from_the_registers_is_a_judgement_or_a_figure_not_given', async () => {
  const n = 1500;
  const sim = await startSim({ persons: n });
  try {
    const db = path.join(tmp, 'auto.db');
    await createDemoDb(db, { persons: n, sim });
    const r = await batch(['--db', db, '--from-registers', '--persons', String(n), '--registers', sim.url, '--json',
      '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.ok(s.accepted > 500, JSON.stringify(s));
    assert.equal(s.waiting, 0);
    assert.deepEqual(Object.keys(s.manual.reasons).filter((c) => c !== 'parameter-not-in-force' && c !== 'conflicting-facts'), []);
    // The figures each manual case waits for, from the stored decisions.
    const q = spawnSync('sqlite3', [db, "select json_extract(r.value, '$.parameter') from decisions d, "
      + "json_each(json_extract(d.decision_json, '$.manual_reasons')) r "
      + "where json_extract(r.value, '$.code') = 'parameter-not-in-force'"], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    const missing = q.stdout.trim().split('\n').filter(Boolean);
    assert.equal(missing.length, s.manual.reasons['parameter-not-in-force']);
    for (const p of missing) assert.ok(FIGURES_NOT_GIVEN.has(p) || isIncomeTable(p), `not a listed gap: ${p}`);
    // What is decided automatically is most of what the figures allow.
    const decided = s.decided.total;
    assert.equal(decided + s.manual.total, s.accepted);
    assert.ok(decided / (s.accepted - missing.length) > 0.97, JSON.stringify(s));
  } finally {
    await sim.stop();
  }
});
