// payout.test.mjs - a payout run killed with SIGKILL again and again and
// run again on the same database pays every payment exactly once: no line
// in two payments, no payment left unanswered, the bank booking each
// transfer once (a file recorded but not yet sent is sent by the next run,
// and the bank answers a MsgId it has taken without paying again), every
// recorded file valid, and the ledger balancing to what was paid.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { bin, createDemoDb, run, startSim } from '../lib/server.mjs';

const PERSONS = 1500;
const KILLS = 6;

function sql(db, q) {
  const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

test('a_payout_run_killed_and_restarted_pays_exactly_once', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-paycrash-'));
  const db = path.join(dir, 'p.db');
  const sim = await startSim({ persons: PERSONS });
  try {
    await createDemoDb(db, { persons: PERSONS, sim });
    const b = run(['batch', '--db', db, '--from-registers', '--persons', String(PERSONS), '--registers', sim.url, '--quiet']);
    assert.equal(b.status, 0, b.stderr);
    const cases = Number(sql(db, "select count(*) from cases where status = 'decided'"));
    assert.ok(cases > 100, `enough decided cases: ${cases}`);
    // The conditions besides the account (fetched by the run itself): the
    // school year confirmed, and the agreements noted as signed as the run
    // notes what signing_agreement_signed() answers (signing has its own tests).
    sql(db, `insert into payout_confirmations(person_id, school_year, kind, source, at)
      select distinct person_id, school_year, 'semester-registration', 'test', 0 from cases where status = 'decided';
      insert into payout_signatures(case_id, signed_at) select id, 0 from cases where status = 'decided';`);
    const args = ['payout', '--db', db, '--date', '2024-09-02', '--dir', dir, '--registers', sim.url, '--bank', sim.url];
    let killed = 0;
    for (let i = 0; i < KILLS; i++) {
      const p = spawn(bin, args, { stdio: 'ignore' });
      const exited = new Promise((r) => p.once('exit', (code, signal) => r({ code, signal })));
      const delay = 30 + Math.floor(Math.random() * 600);
      const t = setTimeout(() => p.kill('SIGKILL'), delay);
      const { signal } = await exited;
      clearTimeout(t);
      if (signal === 'SIGKILL') killed++;
    }
    const last = run(args);
    assert.equal(last.status, 0, last.stderr);
    const again = JSON.parse(run(args).stdout);
    assert.equal(again.payments, 0, 'a rerun of the day pays nothing');

    const paid = Number(sql(db, "select count(*) from payout_payments where state in ('accepted', 'booked')"));
    assert.ok(paid > 100, `payments made: ${paid} (runs killed: ${killed})`);
    assert.equal(sql(db, "select count(*) from payout_payments where state = 'sent'"), '0', 'every payment answered');
    assert.equal(sql(db, "select count(*) from payout_runs where state <> 'answered'"), '0');
    // Each payment is the sum of its lines, and each person is paid once for the day.
    assert.equal(sql(db, `select count(*) from payout_payments p where loan_ore + grant_ore <>
      (select sum(amount_ore) from payout_lines l where l.payment_id = p.id)`), '0');
    assert.equal(sql(db, `select count(*) from (select person_id from payout_payments where state <> 'rejected'
      group by person_id having count(*) > 1)`), '0');
    // Every recorded file exists and is valid; no run names a missing one.
    for (const f of sql(db, 'select file from payout_runs').split('\n')) {
      assert.ok(existsSync(f), `${f} exists`);
      const v = spawnSync('xmllint', ['--noout', f], { encoding: 'utf8' });
      assert.equal(v.status, 0, v.stderr);
    }
    // The bank booked each transfer once, by Thursday: two or three banking
    // days after Monday's payment date.
    const camt = await (await fetch(`${sim.url}/bank/v1/notifications?date=2024-09-05`)).text();
    const ids = [...camt.matchAll(/<EndToEndId>(P\d+)<\/EndToEndId>/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'no transfer booked twice');
    assert.equal(ids.length, paid);
    // The ledger: the agency's bank account fell by exactly what was paid.
    const total = Number(sql(db, "select sum(loan_ore + grant_ore) from payout_payments where state in ('accepted', 'booked')"));
    assert.equal(Number(sql(db, "select -sum(amount) from ledger_legs where account = 'agency.bank'")), total);
    const check = run(['ledger', 'check', '--db', db]);
    assert.equal(check.status, 0, check.stdout + check.stderr);
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
