// pipeline.test.mjs - facts from the registers, and cases that wait for
// them: with every register answering, an application is decided at once
// on the registers' facts (recorded with their sources); with the tax
// register down or answering nonsense, the application is acknowledged,
// the person sees the case waiting for that register, and once it answers
// again the job runner decides the case and the letter arrives. When the
// commit that would keep an application fails, the person is told so (5xx,
// never the 303 that acknowledges it) and nothing of it is kept.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { Client, nbsp, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ registers: true }); });
after(async () => { await srv.stop(); });

const form = { scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

async function until(what, check, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('facts_from_the_registers_give_the_instant_decision', async () => {
  const c = new Client(srv.base);
  await c.login(0);
  const r = await c.apply(form);
  assert.equal(r.status, 303);
  const id = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status from cases where id = ${id}`), 'decided');
  const facts = JSON.parse(srv.sql(`select facts_json from decisions where case_id = ${id}`));
  assert.equal(facts.applicant.source.register, 'population');
  assert.equal(facts.income.source.register, 'tax');
  assert.ok(facts.income_year >= 2000);
});

// One person each: a person applies once for a scheme and school year (#15).
// Each is under 50 when the education ends: an older student's basic loan
// waits for the debt ceiling (#9, adult students), which is not held.
for (const [mode, who] of [['down', 4], ['malformed', 11], ['error', 7]]) {
  test(`a_${mode}_tax_register_makes_the_case_wait_and_the_job_decides_it_later`, async () => {
    const c = new Client(srv.base);
    await c.login(who);
    await srv.registerMode('tax', mode);
    let id;
    try {
      const r = await c.apply(form);
      assert.equal(r.status, 303, 'the application is acknowledged all the same');
      id = r.headers.get('location').split('/').pop();
      assert.equal(srv.sql(`select status || '/' || waiting_for from cases where id = ${id}`), 'collecting-facts/tax');
      const page = nbsp((await c.get(`/saker/${id}`)).text);
      assert.match(page, /venter på opplysninger fra Skatteetaten/);
      assert.doesNotMatch(page, /Vedtak:/);
      // Still down: the job tries and puts it back; no decision is made on
      // partial facts. Wait until the job has tried (claimed, failed and
      // put back with its error), which is when a decision would show.
      await until('the job to try and put the case back', () =>
        srv.sql(`select state || '/' || attempts || '/' || (last_error is not null) from jobs where kind = 'decide' and subject_id = ${id}`)
          .match(/^ready\/[1-9]\d*\/1$/));
      assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '0');
      assert.equal(srv.sql(`select status from cases where id = ${id}`), 'collecting-facts');
      assert.equal(srv.sql(`select count(*) from letters where case_id = ${id}`), '0');
    } finally {
      await srv.registerMode('tax', 'ok');
    }
    await until('the case to be decided', () => srv.sql(`select status from cases where id = ${id}`) === 'decided');
    const page = nbsp((await c.get(`/saker/${id}`)).text);
    assert.match(page, /Vedtak: Innvilget/);
    assert.match(page, /151 690 kr/);
    assert.equal(srv.sql(`select count(*) from letters where case_id = ${id}`), '1');
    assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '1');
    assert.ok(Number(srv.sql(`select attempts from jobs where kind = 'decide' and subject_id = ${id}`)) >= 1);
  });
}

// SQL beside the running server, waiting for its write lock if need be.
function sqlBeside(query) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, query], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

test('a_failed_commit_answers_5xx_never_303_and_keeps_nothing_of_the_application', async () => {
  const c = new Client(srv.base);
  const nin = await c.login(10);
  const person = srv.sql(`select id from persons where nin = '${nin}'`);
  // A row that breaks a foreign key only when the transaction commits:
  // the case's insert succeeds, its COMMIT fails (a deferred constraint).
  sqlBeside(`create table doom (person_id integer references persons(id) deferrable initially deferred);
    create trigger doom_commit after insert on cases when new.person_id = ${person}
    begin insert into doom values (-1); end;`);
  const count = () => srv.sql(`select (select count(*) from cases where person_id = ${person}) || '/' ||
    (select count(*) from letters where person_id = ${person}) || '/' ||
    (select count(*) from audit where action in ('case.received', 'case.collecting-facts', 'case.decided'))`);
  let r;
  try {
    const page = await c.get('/soknad');
    const before = count();
    r = await c.post('/soknad', { csrf: Client.csrf(page.text), ...form });
    assert.ok(r.status >= 500 && r.status < 600, `a failed commit answers 5xx, not ${r.status}`);
    assert.equal(r.headers.get('location'), null);
    assert.match(srv.log(), /COMMIT: FOREIGN KEY constraint failed/, 'the write itself went through; its commit failed');
    assert.equal(count(), before, 'no case, letter or audit record of the application remains');
    assert.equal(before.split('/').slice(0, 2).join('/'), '0/0');
  } finally {
    sqlBeside('drop trigger doom_commit; drop table doom;');
  }
  // The server goes on: the same application is taken now.
  const again = await c.apply(form);
  assert.equal(again.status, 303);
  assert.equal(srv.sql(`select count(*) from cases where person_id = ${person}`), '1');
});

test('mine_opplysninger_shows_the_facts_with_their_registers_and_audits_the_reading', async () => {
  const c = new Client(srv.base);
  await c.login(8);
  const before = nbsp((await c.get('/mine-opplysninger')).text);
  assert.match(before, /Vi har ennå ikke hentet opplysninger om deg fra registrene/);
  assert.equal((await c.apply(form)).status, 303);
  const page = nbsp((await c.get('/mine-opplysninger')).text);
  assert.match(page, /<h1[^>]*>Mine opplysninger</);
  // Norwegian time, as people read it (#15), not a raw UTC timestamp.
  assert.match(page, /Fra Skatteetaten, hentet \d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d/);
  assert.match(page, /Fra Folkeregisteret, hentet/);
  assert.match(page, /Inntektsår<\/dt><dd>\d{4}/);
  const person = srv.sql("select person_id from cases order by id desc limit 1");
  assert.ok(Number(srv.sql(`select count(*) from audit where action = 'person.read' and object = 'person:${person}'`)) >= 2);
  const anonymous = await new Client(srv.base).get('/mine-opplysninger');
  assert.equal(anonymous.status, 303);
});

test('the_application_form_starts_from_what_the_registers_hold_now', async () => {
  const c = new Client(srv.base);
  const nin = await c.login(6);
  const en = (await (await fetch(`${srv.registersUrl}/schools/v1/persons/${nin}/enrolments?school_year=2024-2025`)).json()).enrolments;
  const who = await (await fetch(`${srv.registersUrl}/population/v1/persons/${nin}`)).json();
  const higher = en.find((x) => x.level === 'higher');
  const upper = en.find((x) => x.level === 'upper-secondary');
  const scheme = higher ? '' : '?scheme=upper-secondary';
  const page = nbsp((await c.get(`/soknad${scheme}`)).text);
  assert.match(page, /Skjemaet er fylt ut med det Folkeregisteret og skolen din har registrert nå/);
  const checked = who.lives_with_parents ? 'lwp-yes' : 'lwp-no';
  assert.match(page, new RegExp(`id="${checked}" name="lives_with_parents" value="(yes|no)" checked`));
  const x = higher || upper;
  if (x) {
    assert.match(page, new RegExp(`name="start"[^>]*value="${x.start}"|value="${x.start}"[^>]*name="start"`));
    assert.ok(page.includes(x.institution), 'the place of study the school reports');
    if (higher) assert.match(page, new RegExp(`value="${higher.load_percent}"`));
    else assert.match(page, new RegExp(`value="${upper.travel.distance_km.toFixed(1)}"`));
  }
  // With the population register down, the form still comes, and says so.
  await srv.registerMode('population', 'down');
  try {
    const down = nbsp((await c.get('/soknad')).text);
    assert.match(down, /Vi fikk ikke hentet opplysninger fra registrene akkurat nå/);
  } finally {
    await srv.registerMode('population', 'ok');
  }
});
