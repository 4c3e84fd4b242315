// apply.test.mjs - the application form through the gate, over HTTP against
// the real binary: a visitor who is not logged in is sent to log in and the
// refusal is audited (apply.denied by anonymous), for the form and for a
// submission with a valid CSRF token; a case worker is refused the form and
// the submission (404, audited as theirs) and stores nothing; a person's
// reading of the form is audited as person.read with no personal data in the
// record's detail.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ persons: 20 }); });
after(async () => { await srv.stop(); });

const valid = { scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

const count = (where) => Number(srv.sql(`select count(*) from audit where ${where}`));

test('an_anonymous_visitor_is_sent_to_log_in_and_the_refusal_is_audited', async () => {
  const c = new Client(srv.base);
  const before = count("action='apply.denied' and actor='anonymous'");
  const r = await c.get('/soknad');
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), /^\/login(\?next=|$)/);
  assert.equal(count("action='apply.denied' and actor='anonymous'"), before + 1);
  const upper = await c.get('/soknad?scheme=upper-secondary');
  assert.equal(upper.status, 303);
  assert.equal(count("action='apply.denied' and actor='anonymous'"), before + 2);
  assert.equal(count("action='person.read' and actor='anonymous'"), 0);
});

test('an_anonymous_submission_is_refused_after_the_csrf_check_and_audited', async () => {
  const c = new Client(srv.base);
  const cases = srv.sql('select count(*) from cases');
  // Without a token: the CSRF check comes first.
  const forged = await c.post('/soknad', valid);
  assert.equal(forged.status, 403);
  const before = count("action='apply.denied' and actor='anonymous'");
  // With the visitor's own token: the gate refuses, before any validation.
  const csrf = Client.csrf((await c.get('/login')).text);
  const r = await c.post('/soknad', { ...valid, load_percent: '150', csrf });
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), /^\/login(\?next=|$)/);
  assert.equal(count("action='apply.denied' and actor='anonymous'"), before + 1);
  assert.equal(srv.sql('select count(*) from cases'), cases);
});

test('a_case_worker_is_refused_the_form_and_the_submission_and_both_are_audited', async () => {
  const c = new Client(srv.base);
  const page = await c.get('/login');
  const login = await c.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(page.text) });
  assert.equal(login.status, 303);
  const staff = srv.sql("select id from staff where username='sara.berg'");
  const actor = `actor='staff:${staff}'`;
  const cases = srv.sql('select count(*) from cases');
  const before = count(`action='apply.denied' and ${actor}`);
  const r = await c.get('/soknad');
  assert.equal(r.status, 404);
  assert.doesNotMatch(r.text, /name="lives_with_parents"/);
  assert.equal(count(`action='apply.denied' and ${actor}`), before + 1);
  const csrf = Client.csrf((await c.get('/saksbehandling')).text);
  const post = await c.post('/soknad', { ...valid, csrf });
  assert.equal(post.status, 404);
  assert.equal(count(`action='apply.denied' and ${actor}`), before + 2);
  assert.equal(count(`action='person.read' and ${actor} and detail='application-form'`), 0);
  assert.equal(srv.sql('select count(*) from cases'), cases);
});

test('a_persons_reading_of_the_form_is_audited_without_personal_data', async () => {
  const c = new Client(srv.base);
  const nin = await c.login(2);
  const id = srv.sql(`select id from persons where nin='${nin}'`);
  const name = srv.sql(`select given_name from persons where id=${id}`);
  const reading = `action='person.read' and actor='person:${id}' and object='person:${id}'`;
  const before = count(`${reading} and detail='application-form'`);
  const r = await c.get('/soknad');
  assert.equal(r.status, 200);
  assert.match(r.text, new RegExp(name));
  assert.equal(count(`${reading} and detail='application-form'`), before + 1);
  const details = srv.sql(`select detail from audit where ${reading}`);
  assert.doesNotMatch(details, new RegExp(`${nin}|${name}`));
  // A refused answer shows the form again, read (and audited) again; the
  // applicant's own submission is let through the gate and decided.
  const csrf = Client.csrf(r.text);
  const bad = await c.post('/soknad', { ...valid, months_requested: '12', csrf });
  assert.equal(bad.status, 422);
  assert.equal(count(`${reading} and detail='application-form'`), before + 2);
  const ok = await c.post('/soknad', { ...valid, csrf });
  assert.equal(ok.status, 303);
  assert.match(ok.headers.get('location'), /^\/saker\/\d+$/);
  assert.equal(count("action='apply.denied' and actor='person:" + id + "'"), 0);
});
