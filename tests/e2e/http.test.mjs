// http.test.mjs - the real binary over HTTP on 127.0.0.1: the whole journey
// from login to the decision letter, who may read what, validation that
// stores nothing, CSRF, limits and headers, and the decide API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, nbsp, run, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const valid = { scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

test('apply_gets_instant_decision_and_letter_in_inbox', async () => {
  const c = new Client(srv.base);
  await c.login(0);
  const r = await c.apply(valid);
  assert.equal(r.status, 303);
  const loc = r.headers.get('location');
  assert.match(loc, /^\/saker\/\d+$/);
  const page = nbsp((await c.get(loc)).text);
  assert.match(page, /Vedtak: Innvilget/);
  assert.match(page, /151 690 kr/);
  assert.match(page, /60 676 kr/);
  assert.match(page, /forskrift om utdanningsstøtte § 72/);

  const cases = await c.get('/saker');
  assert.match(cases.text, new RegExp(`href="${loc}"`));
  assert.match(cases.text, /Innvilget/);

  const inbox = await c.get('/innboks');
  const letter = inbox.text.match(/href="(\/innboks\/\d+)"/)[1];
  assert.match(inbox.text, />Ulest</);
  const opened = nbsp((await c.get(letter)).text);
  assert.match(opened, /Statens lånekasse for utdanning/);
  assert.match(opened, /151 690 kr/);
  const again = await c.get('/innboks');
  assert.doesNotMatch(again.text, />Ulest</);
  assert.match(again.text, /Lest/);

  const id = letter.split('/').pop();
  const reads = srv.sql(`select count(*) from audit where action='letter.read' and object='letter:${id}'`);
  assert.equal(reads, '1');
  assert.equal(srv.sql(`select count(*) from letters where id=${id} and first_read_at is not null`), '1');
  const decided = srv.sql(`select count(*) from audit where action='case.decided' and object='case:${loc.split('/').pop()}'`);
  assert.equal(decided, '1');
});

test('english_pages_and_explanations', async () => {
  const c = new Client(srv.base);
  await c.login(3);
  // Half time for the 10 months part-time study gets (no June): 68 950 kr.
  const r = await c.apply({ ...valid, lives_with_parents: 'yes', load_percent: '50', months_requested: '10' });
  const page = nbsp((await c.get(`${r.headers.get('location')}?lang=en`)).text);
  assert.match(page, /<html lang="en"/);
  assert.match(page, /Decision: Granted/);
  assert.match(page, /NOK 68,950/);
  assert.match(page, /You live with your parents, so the basic loan cannot become a grant/);
  // The language choice is remembered.
  assert.match((await c.get('/innboks')).text, /Inbox/);
});

test('another_person_cannot_read_case_or_letter', async () => {
  const owner = new Client(srv.base);
  await owner.login(1);
  const r = await owner.apply(valid);
  const caseUrl = r.headers.get('location');
  const letterUrl = (await owner.get('/innboks')).text.match(/href="(\/innboks\/\d+)"/)[1];

  const other = new Client(srv.base);
  await other.login(2);
  const c = await other.get(caseUrl);
  const l = await other.get(letterUrl);
  assert.equal(c.status, 404);
  assert.equal(l.status, 404);
  assert.doesNotMatch(nbsp(c.text + l.text), /151 690 kr/);
  const caseId = caseUrl.split('/').pop();
  const letterId = letterUrl.split('/').pop();
  assert.equal(srv.sql(`select count(*) from audit where action='case.read.denied' and object='case:${caseId}'`), '1');
  assert.equal(srv.sql(`select count(*) from audit where action='letter.read.denied' and object='letter:${letterId}'`), '1');
  // The refused reading did not mark the owner's letter as read.
  assert.equal(srv.sql(`select count(*) from letters where id=${letterId} and first_read_at is null`), '1');

  const anonymous = new Client(srv.base);
  const a = await anonymous.get(caseUrl);
  assert.equal(a.status, 303);
  assert.match(a.headers.get('location'), /^\/login(\?next=|$)/);
});

test('invalid_form_names_each_field_and_stores_nothing', async () => {
  const before = srv.sql('select count(*) from cases');
  const c = new Client(srv.base);
  await c.login(4);
  const r = await c.apply({ load_percent: '150', start: '2024-02-30', end: '2025-06-15', months_requested: 'x' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="lives_with_parents-error">Velg om du skal bo hjemme eller borte\./);
  assert.match(r.text, /id="load_percent-error">Studiebelastningen må være et helt tall fra 1 til 100\./);
  assert.match(r.text, /id="start-error">Skriv en dato som finnes/);
  assert.match(r.text, /id="months_requested-error">Antall måneder må være et helt tall fra 1 til 11\./);
  assert.match(r.text, /value="150"/, 'the typed value is kept');
  const later = await c.apply({ ...valid, start: '2025-07-01', end: '2025-06-15' });
  assert.equal(later.status, 422);
  assert.match(later.text, /Siste studiedag kan ikke være før første studiedag/);
  assert.equal(srv.sql('select count(*) from cases'), before);
});

test('form_without_csrf_token_is_refused', async () => {
  const before = srv.sql('select count(*) from cases');
  const c = new Client(srv.base);
  await c.login(5);
  const r = await c.post('/soknad', valid);
  assert.equal(r.status, 403);
  const forged = await c.post('/soknad', { ...valid, csrf: 'a'.repeat(64) });
  assert.equal(forged.status, 403);
  assert.equal(srv.sql('select count(*) from cases'), before);
});

test('security_headers_and_limits', async () => {
  const c = new Client(srv.base);
  const r = await c.get('/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.headers.get('set-cookie'), /HttpOnly; SameSite=Lax/);
  const big = await c.request('POST', '/api/v1/decide', Buffer.alloc(70000, 32), { 'content-type': 'application/json' });
  assert.equal(big.status, 413);
  assert.equal((await c.get('/nowhere')).status, 404);
  assert.equal((await c.request('DELETE', '/soknad')).status, 405);
  const css = await c.get('/static/ds.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /text\/css/);
});

const application = {
  scheme: 'higher-education', school_year: '2024-2025', decision_date: '2024-07-01',
  applicant: { birth_date: '2004-05-17', lives_with_parents: false, married: false, children: [{ birth_date: '2023-01-10' }], income: 0, wealth: 0 },
  education: { level: 'higher', load_percent: 100, start: '2024-08-15', end: '2025-06-15', equipment_rate: 0 },
  travel: { distance_km: 55.0, daily_travel_minutes: 120, walking_km: 0.0 },
  parents: [{ income: 450000000 }, { income: 0 }],
  special_circumstances: false,
  loan: { balance: 0, deferrals_used: 0, months_requested: 0 },
};

test('decide_api_answers_as_the_command_line_and_stores_nothing', async () => {
  const before = srv.sql('select count(*) from cases');
  const c = new Client(srv.base);
  const r = await c.request('POST', '/api/v1/decide', JSON.stringify(application), { 'content-type': 'application/json' });
  assert.equal(r.status, 200);
  const d = JSON.parse(r.text);
  assert.equal(d.outcome, 'granted');
  assert.deepEqual(d.awards.map((a) => [a.name, a.kind, a.months, a.monthly, a.amount, a.convertible]),
    [['basic-loan', 'loan', 11, 1379000, 15169000, 6067600],
      // the example's child (born 2023): 2 028 kr a month (tracker #9)
      ['child-grant', 'grant', 11, 202800, 2230800, undefined]]);
  assert.equal(d.rules_version, 'no-2024-2025');
  for (const s of d.trace) {
    assert.ok(s.rule && s.reference && s.explanation, `trace step ${s.rule} is complete`);
  }
  const cli = run(['decide'], JSON.stringify(application));
  assert.equal(cli.status, 0);
  assert.deepEqual(JSON.parse(cli.stdout), d);

  const en = await c.request('POST', '/api/v1/decide?lang=en', JSON.stringify(application));
  assert.match(JSON.parse(en.text).trace[2].explanation, /Full-time study/);

  const bad = { ...application, travel: { distance_km: -1 } };
  const e = await c.request('POST', '/api/v1/decide', JSON.stringify(bad));
  assert.equal(e.status, 422);
  assert.deepEqual(JSON.parse(e.text), { error: 'invalid', field: 'travel.distance_km', message: 'must be a number >= 0' });
  const cliBad = run(['decide'], JSON.stringify(bad));
  assert.equal(cliBad.status, 2);
  assert.equal(cliBad.stdout, '');
  assert.equal(JSON.parse(cliBad.stderr).field, 'travel.distance_km');

  const notJson = await c.request('POST', '/api/v1/decide', '{"scheme":');
  assert.equal(notJson.status, 422);
  const wrongDate = await c.request('POST', '/api/v1/decide', JSON.stringify({ ...application, decision_date: '2025-02-29' }));
  assert.equal(JSON.parse(wrongDate.text).field, 'decision_date');
  assert.equal(srv.sql('select count(*) from cases'), before);
});

test('decide_jsonl_goes_on_after_a_bad_line', () => {
  const lines = [JSON.stringify(application), '{"scheme": 1}', JSON.stringify({ ...application, school_year: '2023-2024', education: { ...application.education, start: '2023-08-15', end: '2024-06-15' } })].join('\n');
  const r = run(['decide', '--jsonl'], `${lines}\n`);
  assert.equal(r.status, 2);
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(out.length, 3);
  assert.equal(out[0].awards[0].amount, 15169000);
  assert.equal(out[1].field, 'scheme');
  assert.equal(out[2].awards[0].amount, 13790700);
});

test('every_command_has_help', () => {
  for (const cmd of ['serve', 'init', 'migrate', 'decide', 'verify', 'work']) {
    const r = run([cmd, '--help']);
    assert.equal(r.status, 0, cmd);
    assert.match(r.stdout, new RegExp(`Usage: stipend ${cmd}`));
  }
  assert.equal(run(['--help']).status, 0);
  assert.equal(run(['nonsense']).status, 2);
  assert.equal(run(['serve']).status, 2);
});

test('audit_chain_verifies_and_detects_tampering', async () => {
  const ok = run(['verify', '--db', srv.db]);
  assert.equal(ok.status, 0);
  assert.match(ok.stdout, /audit chain intact/);
  // The log refuses changes; someone with the file can still drop the guard.
  assert.throws(() => srv.sql("update audit set detail='x' where seq=1"), /append-only/);
  const copy = `${srv.dir}/copy.db`;
  srv.sql(`.backup ${copy}`);
  const r = run(['verify', '--db', copy]);
  assert.equal(r.status, 0);
  const { spawnSync } = await import('node:child_process');
  spawnSync('sqlite3', [copy, "drop trigger audit_no_update; update audit set detail='outcome=rejected' where seq=2"]);
  const broken = run(['verify', '--db', copy]);
  assert.equal(broken.status, 1);
  assert.match(broken.stdout, /broken at record 2/);
});
