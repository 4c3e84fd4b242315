// pipeline.test.mjs - facts from the registers, and cases that wait for
// them: with every register answering, an application is decided at once
// on the registers' facts (recorded with their sources); with the tax
// register down or answering nonsense, the application is acknowledged,
// the person sees the case waiting for that register, and once it answers
// again the job runner decides the case and the letter arrives.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, nbsp, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ registers: true }); });
after(async () => { await srv.stop(); });

const form = { lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

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

for (const mode of ['down', 'malformed', 'error']) {
  test(`a_${mode}_tax_register_makes_the_case_wait_and_the_job_decides_it_later`, async () => {
    const c = new Client(srv.base);
    await c.login(4);
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
      // partial facts.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '0');
    } finally {
      await srv.registerMode('tax', 'ok');
    }
    await until('the case to be decided', () => srv.sql(`select status from cases where id = ${id}`) === 'decided');
    const page = nbsp((await c.get(`/saker/${id}`)).text);
    assert.match(page, /Vedtak: Innvilget/);
    assert.match(page, /151 690 kr/);
    assert.equal(srv.sql(`select count(*) from letters where case_id = ${id}`), '1');
    assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '1');
    assert.ok(Number(srv.sql(`select attempts from jobs where subject_id = ${id}`)) >= 1);
  });
}

test('mine_opplysninger_shows_the_facts_with_their_registers_and_audits_the_reading', async () => {
  const c = new Client(srv.base);
  await c.login(8);
  const before = nbsp((await c.get('/mine-opplysninger')).text);
  assert.match(before, /Vi har ennå ikke hentet opplysninger om deg fra registrene/);
  assert.equal((await c.apply(form)).status, 303);
  const page = nbsp((await c.get('/mine-opplysninger')).text);
  assert.match(page, /<h1[^>]*>Mine opplysninger</);
  assert.match(page, /Fra Skatteetaten, hentet \d{4}-\d\d-\d\dT/);
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
