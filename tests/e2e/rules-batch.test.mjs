// rules-batch.test.mjs - #9: a whole intake from the registers, as the
// issue measures it (`stipend batch --from-registers --persons N`): a run
// that asks for more persons than the population register holds says so
// (it examined fewer persons than asked, in silence, when run against a
// simulator of the default 200 persons), and the rules decide nine in ten
// accepted applications without a person, every manual reason left being
// one a person must judge or a figure the agency's pages do not give.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
