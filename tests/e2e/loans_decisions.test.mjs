// loans_decisions.test.mjs - decisions of payment deferral and interest
// relief act on the loan account by themselves (#11): a borrower's
// application comes in through the file intake and waits for its facts
// (the registers do not answer), the job runner decides it by the rules
// (`stipend work --once`, the path every waiting application takes), the
// decision's trigger enqueues 'decision-payout', and that job grants the
// months on the account, once; the next `stipend loans run` makes no term in
// a deferred month, and cancels a relief month's interest. A person without
// an account leaves nothing to act on and the job completes.
//
// No server runs here: its job runner would decide with the real clock. The
// database is the demo's (`stipend init --demo` against the simulator), and
// every command runs with --now.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createDemoDb, freePort, root, run } from '../lib/server.mjs';

// The compiled-in parameters hold the floating rate of May and June 2024
// only: these tests add a rate of their own from July 2024, marked as such.
const rates = `loan.rate.floating:
  value: 4000
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2030-12-31
  reference: test
  source: test
`;

let dir;
let db;
let paramsDir;
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-loan-decisions-'));
  db = path.join(dir, 't.db');
  paramsDir = path.join(dir, 'params');
  cpSync(path.join(root, 'params/no'), paramsDir, { recursive: true });
  writeFileSync(path.join(paramsDir, '2024-2025', 'test-loan-rates.yaml'), rates);
  await createDemoDb(db, { persons: 40 });
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function sql(query) {
  const r = spawnSync('sqlite3', [db, query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function loans(...args) {
  const r = run(['loans', ...args, '--db', db]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /every entry balances/);
  return r.stdout;
}
const loansRun = (through) => loans('run', '--through', through, '--params', paramsDir);

// The job runner once, as of `now`; returns its output.
function work(now) {
  const r = run(['work', '--db', db, '--once', '--now', now, '--params', paramsDir]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return r.stdout + r.stderr;
}

let nextAdult = 0;
function adult() {
  const ids = sql("select id from persons where birth_date < '2000-01-01' and confidential_address = 0 and id not in (select person_id from cases) order by id")
    .split('\n');
  assert.ok(nextAdult < ids.length, 'the population has too few adults');
  return ids[nextAdult++];
}

// A borrower with 100 000 kr lent in August 2023 and support ended on
// 31 July 2024: interest from 1 August, the first term due 15 February 2025.
function borrower() {
  const id = adult();
  loans('disburse', '--person', id, '--amount', '100 000', '--date', '2023-08-15', '--cause', 'payout:e2e');
  loans('support-ended', '--person', id, '--date', '2024-07-31');
  assert.equal(sql(`select first_due from loan_accounts where person_id = ${id}`), '2025-02-15');
  return id;
}

// The person's application through the file intake (`stipend batch`), the
// registers not answering (a closed port): stored waiting for its facts with
// the 'decide' job. The intake stamps the real clock; the case is then
// dated to `at`, the day the test's account needs, the one thing set by hand.
let n = 0;
async function applyWaiting(person, application, at) {
  const nin = sql(`select nin from persons where id = ${person}`);
  const file = path.join(dir, `intake-${++n}.jsonl`);
  writeFileSync(file, `${JSON.stringify({ nin, application })}\n`);
  const closed = `http://127.0.0.1:${await freePort()}`;
  const r = run(['batch', '--db', db, '--registers', closed, '--params', paramsDir, '--quiet', file]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const caseId = sql(`select id from cases where person_id = ${person} and scheme = '${application.scheme}'`);
  assert.equal(sql(`select status || ' ' || kind || ' ' || state from cases join jobs on jobs.subject_id = cases.id
    where cases.id = ${caseId}`), 'collecting-facts decide ready');
  const t = Math.floor(Date.parse(at) / 1000);
  sql(`update cases set received_at = ${t} where id = ${caseId};
    update jobs set run_after = ${t}, created_at = ${t} where kind = 'decide' and subject_id = ${caseId}`);
  return caseId;
}

// Run the jobs until the case's decision-payout job is done (the decide job
// enqueues it in the decision's transaction; one --once run may end first).
function decideAndApply(caseId, now) {
  let out = '';
  for (let i = 0; i < 4; i++) {
    out += work(now);
    if (sql(`select state from jobs where kind = 'decision-payout' and subject_id = ${caseId}`) === 'done') return out;
  }
  assert.fail(`the decision-payout job of case ${caseId}: ${sql(`select state || ' ' || coalesce(last_error, '') from jobs where subject_id = ${caseId}`)}`);
}

const deferral = (months) => ({
  scheme: 'payment-deferral', school_year: '2024-2025', decision_date: '2025-03-10',
  applicant: { birth_date: '1990-04-04' }, loan: { balance: 10000000, deferrals_used: 0, months_requested: months },
});

test('a payment deferral decided by the rules defers its months on the account: no term in them, the plan longer', async () => {
  const id = borrower();
  const lastDue = sql(`select last_due from loan_accounts where person_id = ${id}`);
  loansRun('2025-03-01');
  assert.equal(sql(`select group_concat(due) from (select due from loan_invoices where person_id = ${id} order by due)`),
    '2025-02-15,2025-03-15');

  const caseId = await applyWaiting(id, deferral(3), '2025-03-10T09:00:00Z');
  decideAndApply(caseId, '2025-03-10T10:00:00Z');
  assert.equal(sql(`select status || ' ' || outcome from cases where id = ${caseId}`), 'decided granted');
  const decision = sql(`select id from decisions where case_id = ${caseId}`);
  // March, April and May, by this decision.
  assert.equal(sql(`select group_concat(month || ' ' || kind || ' ' || cause, ',') from
    (select * from loan_months where person_id = ${id} order by month)`),
  `2025-03 deferral decision:${decision},2025-04 deferral decision:${decision},2025-05 deferral decision:${decision}`);
  assert.equal(sql(`select count(*) from audit where action = 'loan.deferral' and object = 'person:${id}'`), '1');
  // The plan is three terms longer.
  const longer = sql(`select last_due from loan_accounts where person_id = ${id}`);
  const [y, m] = lastDue.split('-').map(Number);
  const moved = new Date(Date.UTC(y, m - 1 + 3, 15)).toISOString().slice(0, 10);
  assert.equal(longer, moved);

  // The next runs make no term in April or May; June's comes.
  loansRun('2025-06-01');
  assert.equal(sql(`select group_concat(due) from (select due from loan_invoices where person_id = ${id} order by due)`),
    '2025-02-15,2025-03-15,2025-06-15');

  // The job again (the same decision stored again by a re-decision's
  // path arms it): nothing is granted twice.
  sql(`update jobs set state = 'ready', attempts = 0, lease_until = 0 where kind = 'decision-payout' and subject_id = ${caseId}`);
  decideAndApply(caseId, '2025-06-02T10:00:00Z');
  assert.equal(sql(`select count(*) from loan_months where person_id = ${id}`), '3');
  assert.equal(sql(`select last_due from loan_accounts where person_id = ${id}`), longer);
  assert.equal(sql(`select count(*) from audit where action = 'loan.deferral' and object = 'person:${id}'`), '1');

  // A later decision granting one month (stored as any path stores one:
  // the earlier superseded, the trigger enqueueing the job) takes back no
  // month that has begun: April's and May's terms were left out.
  const t = Math.floor(Date.parse('2025-06-03T10:00:00Z') / 1000);
  const lower = sql(`select decision_json from decisions where id = ${decision}`).replace('"months":3', '"months":1');
  assert.match(lower, /"months":1/);
  sql(`update decisions set superseded_at = ${t} where case_id = ${caseId};
    insert into decisions(case_id, decided_at, outcome, decision_json) values (${caseId}, ${t}, 'granted', '${lower.replaceAll("'", "''")}');
    update cases set decided_at = ${t} where id = ${caseId}`);
  assert.equal(sql(`select state from jobs where kind = 'decision-payout' and subject_id = ${caseId}`), 'ready');
  decideAndApply(caseId, '2025-06-03T11:00:00Z');
  assert.equal(sql(`select count(*) from loan_months where person_id = ${id} and kind = 'deferral'`), '3');
  assert.equal(sql(`select last_due from loan_accounts where person_id = ${id}`), longer);

  // One granting five from the same start adds the two months after.
  const t2 = t + 86400;
  const more = lower.replace('"months":1', '"months":5');
  sql(`update decisions set superseded_at = ${t2} where case_id = ${caseId} and superseded_at is null;
    insert into decisions(case_id, decided_at, outcome, decision_json) values (${caseId}, ${t2}, 'granted', '${more.replaceAll("'", "''")}');
    update cases set decided_at = ${t2} where id = ${caseId}`);
  decideAndApply(caseId, '2025-06-04T11:00:00Z');
  const latest = sql(`select max(id) from decisions where case_id = ${caseId}`);
  assert.equal(sql(`select group_concat(month || ' ' || cause, ',') from
    (select * from loan_months where person_id = ${id} and month >= '2025-05' order by month)`),
  `2025-05 decision:${decision},2025-06 decision:${latest},2025-07 decision:${latest}`);
});

test('interest relief decided by the rules cancels the interest of its months, and no other', async () => {
  const id = borrower();
  // 390 000 kr of income on unemployment: three months by the 2024 table
  // (tests/rules/interest-relief.yaml), two asked for: granted.
  const caseId = await applyWaiting(id, {
    scheme: 'interest-relief', school_year: '2024-2025', decision_date: '2024-09-02', relief_ground: 'unemployment',
    applicant: { birth_date: '1990-04-04', income: 39000000 }, loan: { balance: 10000000, months_requested: 2 },
  }, '2025-04-10T09:00:00Z');
  decideAndApply(caseId, '2025-04-10T10:00:00Z');
  assert.equal(sql(`select outcome from cases where id = ${caseId}`), 'granted');
  const decision = sql(`select id from decisions where case_id = ${caseId}`);
  assert.equal(sql(`select group_concat(month || ' ' || kind || ' ' || cause, ',') from
    (select * from loan_months where person_id = ${id} order by month)`),
  `2025-04 relief decision:${decision},2025-05 relief decision:${decision}`);

  loansRun('2025-06-30');
  // Each month's interest less its relief: none left in April and May,
  // June's whole.
  const net = (ym) => Number(sql(`select coalesce(sum(l.amount), 0) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where l.person_id = ${id} and l.account = 'loan.interest' and e.cause in ('interest:${ym}', 'relief:${ym}')`));
  const charged = (ym) => Number(sql(`select coalesce(sum(l.amount), 0) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where l.person_id = ${id} and l.account = 'loan.interest' and e.cause = 'interest:${ym}'`));
  assert.ok(charged('2025-04') > 0 && charged('2025-05') > 0, 'interest was charged in April and May');
  assert.equal(net('2025-04'), 0);
  assert.equal(net('2025-05'), 0);
  assert.ok(net('2025-06') > 0, 'June has its interest');
  assert.equal(net('2025-03'), charged('2025-03'));
});

// Store a later decision of the case, as any path stores one (the earlier
// superseded, the trigger enqueueing the job): the case's first decision
// with its awards' months changed to `months` (0: rejected, no award).
function redecide(caseId, at, months) {
  const t = Math.floor(Date.parse(at) / 1000);
  const json = JSON.parse(sql(`select decision_json from decisions where case_id = ${caseId} order by id limit 1`));
  if (months > 0) {
    for (const a of json.awards) a.months = months;
  } else {
    json.awards = [];
    json.outcome = 'rejected';
  }
  const text = JSON.stringify(json).replaceAll("'", "''");
  sql(`update decisions set superseded_at = ${t} where case_id = ${caseId} and superseded_at is null;
    insert into decisions(case_id, decided_at, outcome, decision_json) values (${caseId}, ${t}, '${months > 0 ? 'granted' : 'rejected'}', '${text}');
    update cases set decided_at = ${t}, outcome = '${months > 0 ? 'granted' : 'rejected'}' where id = ${caseId}`);
  assert.equal(sql(`select state from jobs where kind = 'decision-payout' and subject_id = ${caseId}`), 'ready');
}

test('a lower re-decision takes back the deferred months not yet begun, and the plan is shorter again', async () => {
  const id = borrower();
  const lastDue = sql(`select last_due from loan_accounts where person_id = ${id}`);
  loansRun('2025-03-01');
  const caseId = await applyWaiting(id, deferral(3), '2025-03-10T09:00:00Z');
  decideAndApply(caseId, '2025-03-10T10:00:00Z');
  assert.equal(sql(`select group_concat(month, ',') from (select month from loan_months where person_id = ${id} order by month)`),
    '2025-03,2025-04,2025-05');

  // On 20 March the case is decided again granting one month: March (begun)
  // stays; April and May come back, and the plan is two terms shorter than
  // the three-month deferral made it: one longer than at first.
  redecide(caseId, '2025-03-20T09:00:00Z', 1);
  decideAndApply(caseId, '2025-03-20T10:00:00Z');
  assert.equal(sql(`select group_concat(month, ',') from (select month from loan_months where person_id = ${id} order by month)`),
    '2025-03');
  const [y, m] = lastDue.split('-').map(Number);
  assert.equal(sql(`select last_due from loan_accounts where person_id = ${id}`),
    new Date(Date.UTC(y, m - 1 + 1, 15)).toISOString().slice(0, 10));
  assert.equal(sql(`select detail from audit where action = 'loan.deferral.withdrawn' and object = 'person:${id}'`),
    `2 months from 2025-04 taken back (case ${caseId})`);
  loansRun('2025-05-01');
  assert.equal(sql(`select group_concat(due) from (select due from loan_invoices where person_id = ${id} order by due)`),
    '2025-02-15,2025-03-15,2025-04-15,2025-05-15');

  // Run again: nothing more is taken back.
  sql(`update jobs set state = 'ready', attempts = 0, lease_until = 0 where kind = 'decision-payout' and subject_id = ${caseId}`);
  decideAndApply(caseId, '2025-05-02T10:00:00Z');
  assert.equal(sql(`select count(*) from audit where action = 'loan.deferral.withdrawn' and object = 'person:${id}'`), '1');
});

test('a rejecting re-decision charges again the interest its relief months had cancelled', async () => {
  const id = borrower();
  const caseId = await applyWaiting(id, {
    scheme: 'interest-relief', school_year: '2024-2025', decision_date: '2024-09-02', relief_ground: 'unemployment',
    applicant: { birth_date: '1990-04-04', income: 39000000 }, loan: { balance: 10000000, months_requested: 2 },
  }, '2025-04-10T09:00:00Z');
  decideAndApply(caseId, '2025-04-10T10:00:00Z');
  loansRun('2025-06-30');
  const charged = (ym) => Number(sql(`select coalesce(sum(l.amount), 0) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where l.person_id = ${id} and l.account = 'loan.interest' and e.cause = 'interest:${ym}'`));
  const net = (ym) => Number(sql(`select coalesce(sum(l.amount), 0) from ledger_legs l join ledger_entries e on e.id = l.entry_id
    where l.person_id = ${id} and l.account = 'loan.interest' and e.cause in ('interest:${ym}', 'relief:${ym}', 'relief-withdrawn:${ym}')`));
  assert.equal(net('2025-04'), 0);
  assert.equal(net('2025-05'), 0);

  // Lowered to one month on 2 July: May's interest is owed again, posted
  // the day after the interest already posted (June's, on 30 June).
  redecide(caseId, '2025-07-02T09:00:00Z', 1);
  decideAndApply(caseId, '2025-07-02T10:00:00Z');
  assert.equal(net('2025-04'), 0);
  assert.equal(net('2025-05'), charged('2025-05'));
  assert.equal(sql(`select effective from ledger_entries where person_id = ${id} and cause = 'relief-withdrawn:2025-05'`), '2025-07-02');
  assert.equal(sql(`select group_concat(month, ',') from loan_months where person_id = ${id}`), '2025-04');

  // Rejected on 3 July: April's too. Then granted two again: both cancelled
  // once more, nothing twice.
  redecide(caseId, '2025-07-03T09:00:00Z', 0);
  decideAndApply(caseId, '2025-07-03T10:00:00Z');
  assert.equal(net('2025-04'), charged('2025-04'));
  assert.equal(sql(`select count(*) from loan_months where person_id = ${id}`), '0');
  redecide(caseId, '2025-07-04T09:00:00Z', 2);
  decideAndApply(caseId, '2025-07-04T10:00:00Z');
  assert.equal(net('2025-04'), 0);
  assert.equal(net('2025-05'), 0);
  const check = run(['ledger', 'check', '--db', db]);
  assert.equal(check.status, 0, check.stderr + check.stdout);
  assert.match(check.stdout, /every debt equals its postings/);
});

test('a deferral for a person without a loan account leaves nothing to act on, and the job completes', async () => {
  const id = adult();
  assert.equal(sql(`select count(*) from loan_accounts where person_id = ${id}`), '0');
  const caseId = await applyWaiting(id, deferral(2), '2025-03-10T09:00:00Z');
  const out = decideAndApply(caseId, '2025-03-10T10:00:00Z');
  assert.equal(sql(`select outcome from cases where id = ${caseId}`), 'granted');
  assert.equal(sql(`select count(*) from loan_months where person_id = ${id}`), '0');
  assert.equal(sql(`select count(*) from loan_accounts where person_id = ${id}`), '0');
  // Done at the first go, not retried.
  assert.equal(sql(`select attempts || ' ' || coalesce(last_error, '-') from jobs where kind = 'decision-payout' and subject_id = ${caseId}`), '1 -');
  // Said in the log, the case by its pseudonym only.
  assert.match(out, /loans: decision of case p:[0-9a-f]+ grants months, but the person has no loan account/);
  assert.doesNotMatch(out, new RegExp(`case:?${caseId}\\b`));
});
