// redecide.test.mjs - a fact changes after the decision: a school reports
// a lower study load to the register, the register announces it in its
// event feed, stipend reads the feed and decides the case again. The new
// decision supersedes the old (both kept), the person gets a new letter;
// a correction that changes nothing the decision rests on leaves the
// decision standing (audited as rechecked), and a case worker can ask for
// a case to be decided again from the workbench.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, nbsp, run, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ registers: true }); });
after(async () => { await srv.stop(); });

const form = { scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

// The job runner as of a moment a few minutes ahead, so that the feed's
// recurring job (and what it enqueues) is due without waiting.
let ahead = 0;
function work() {
  ahead += 120;
  const now = new Date(Date.now() + ahead * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const r = run(['work', '--once', '--db', srv.db, '--registers', srv.registersUrl, '--now', now]);
  assert.equal(r.status, 0, r.stderr);
}

async function correct(body) {
  const r = await fetch(`${srv.registersUrl}/_control/corrections`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, 201, await r.text());
}

const current = (id, col) => srv.sql(`select ${col} from decisions where case_id = ${id} and superseded_at is null`);
const total = (decision) => JSON.parse(decision).awards.reduce((sum, a) => sum + a.amount, 0);

test('a_school_reporting_a_lower_load_has_the_case_decided_again_with_a_new_letter', async () => {
  const c = new Client(srv.base);
  const nin = await c.login(0);
  const r = await c.apply(form);
  const id = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status || '/' || outcome from cases where id = ${id}`), 'decided/granted');
  const before = total(current(id, 'decision_json'));
  assert.equal(srv.sql(`select count(*) from letters where case_id = ${id}`), '1');

  await correct({ nin, change: 'enrolment', load_percent: 50 });
  work(); // reads the feed, queues the case
  work(); // decides it again
  assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '2');
  assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id} and superseded_at is null`), '1');
  const now = current(id, 'decision_json');
  assert.ok(total(now) < before, `the award falls with the load: ${total(now)} < ${before}`);
  assert.equal(JSON.parse(current(id, 'facts_json')).enrolment.load_percent, 50);
  assert.equal(srv.sql(`select count(*) from letters where case_id = ${id} and kind = 'decision'`), '2');
  const audit = srv.sql(`select action || ' ' || coalesce(detail, '') from audit where object = 'case:${id}' order by seq`);
  assert.match(audit, /case\.redecide\.queued register=schools change=enrolment sequence=\d+/);
  assert.match(audit, /case\.redecided outcome=\w+/);
  assert.doesNotMatch(audit, new RegExp(nin), 'no national identity number in the audit details');

  // Each letter keeps saying what it said: the first the old decision,
  // the second the new one.
  const kr = (ore) => `${String(Math.round(ore / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')} kr`;
  const [first, second] = srv.sql(`select id from letters where case_id = ${id} order by id`).split('\n');
  const oldLetter = nbsp((await c.get(`/innboks/${first}`)).text);
  const newLetter = nbsp((await c.get(`/innboks/${second}`)).text);
  assert.ok(oldLetter.includes(kr(before)), `the first letter says ${kr(before)}`);
  assert.ok(!oldLetter.includes(kr(total(now))));
  assert.ok(newLetter.includes(kr(total(now))), `the second letter says ${kr(total(now))}`);

  // An income correction for a student in higher education changes
  // nothing the decision rests on: it stands, no new letter.
  await correct({ nin, change: 'income', year: 2023, income: 12345600 });
  work();
  work();
  assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '2');
  assert.equal(srv.sql(`select count(*) from letters where case_id = ${id}`), '2');
  assert.match(srv.sql(`select group_concat(action, ' ') from audit where object = 'case:${id}'`), /case\.rechecked/);

  // Read again, the feed has nothing new: nothing more is queued.
  const queued = srv.sql(`select count(*) from audit where action = 'case.redecide.queued'`);
  work();
  assert.equal(srv.sql(`select count(*) from audit where action = 'case.redecide.queued'`), queued);
});

test('a_case_worker_asks_for_a_case_to_be_decided_again', async () => {
  const c = new Client(srv.base);
  await c.login(4);
  const r = await c.apply(form);
  const id = r.headers.get('location').split('/').pop();
  const cw = new Client(srv.base);
  const login = await cw.get('/login');
  const staff = [...login.text.matchAll(/name="staff" value="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(staff.length > 0, 'the test login lists case workers');
  assert.equal((await cw.post('/login/test', { staff: staff[0], csrf: Client.csrf(login.text) })).status, 303);
  const page = await cw.get(`/saksbehandling/saker/${id}`);
  assert.match(page.text, /ny-vurdering/);
  const post = await cw.post(`/saksbehandling/saker/${id}/ny-vurdering`, { csrf: Client.csrf(page.text) });
  assert.equal(post.status, 303);
  assert.match(srv.sql(`select group_concat(action || ' ' || actor, '|') from audit where object = 'case:${id}'`),
    /case\.redecide\.queued staff:\d+/);
  // The server's own job runner takes it at once: the facts are as they
  // were, so the decision stands.
  for (let i = 0; i < 100 && !/case\.rechecked/.test(srv.sql(`select group_concat(action, ' ') from audit where object = 'case:${id}'`)); i++)
    await new Promise((res) => setTimeout(res, 100));
  assert.match(srv.sql(`select group_concat(action, ' ') from audit where object = 'case:${id}'`), /case\.rechecked/);
  assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '1');
  const queued = () => srv.sql(`select count(*) from audit where action = 'case.redecide.queued' and object = 'case:${id}'`);
  const was = queued();
  // Without the CSRF token nothing is queued.
  const forged = await cw.post(`/saksbehandling/saker/${id}/ny-vurdering`, {});
  assert.equal(forged.status, 403);
  assert.match(forged.text, /Skjemaet var utløpt eller kom ikke fra oss/);
  assert.equal(queued(), was);
  // A person cannot ask for it, not even for their own case and with a
  // valid CSRF token of their own session (from a form of theirs): the
  // policy refuses, and audits the refusal.
  const person = srv.sql(`select person_id from cases where id = ${id}`);
  const token = Client.csrf((await c.get('/soknad')).text);
  const refused = await c.post(`/saksbehandling/saker/${id}/ny-vurdering`, { csrf: token });
  assert.ok([403, 404].includes(refused.status), `the policy refuses the person: ${refused.status}`);
  assert.doesNotMatch(refused.text, /Skjemaet var utløpt eller kom ikke fra oss/, 'refused by the policy, not by CSRF');
  assert.equal(queued(), was);
  assert.equal(srv.sql(`select count(*) from audit where action = 'case.redecide.denied' and actor = 'person:${person}' and object = 'case:${id}'`), '1');
});
