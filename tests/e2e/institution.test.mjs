// institution.test.mjs - the institutions' workspace and API over HTTP
// against the real binaries: an upper-secondary school confirms 500 pupils
// from a CSV file with three bad lines and gets exactly those three back by
// line and column with nothing stored, then the corrected file is stored
// whole (and a second upload changes nothing); the school's student system
// registers its key and reports through the API with a signed assertion
// (RS256, made here with node:crypto), while an assertion signed by an
// unknown key, an expired one, a replayed one and one for another audience
// are refused, as are a request without a token and one for another
// institution; an interruption has the case decided again with the
// education ending that day; staff of one institution cannot see or report
// about another institution's students; the administrator adds a colleague
// who is no administrator.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { bin, Client, startServer } from '../lib/server.mjs';

const OSLO = '974600005';   // Oslo katedralskole (ingrid.dahl is its administrator)
const MOLDE = '974706865';  // Høgskolen i Molde (hans.moe)
const PERSONS = 22000;      // enough for more than 500 of Oslo katedralskole's pupils to apply

let srv;
before(async () => {
  srv = await startServer({ persons: PERSONS, registers: true });
  // Every student of the population applies, as the batch intake takes
  // them from the registers.
  const status = await new Promise((resolve) => {
    const p = spawn(bin, ['batch', '--db', srv.db, '--from-registers', '--persons', String(PERSONS),
      '--registers', srv.registersUrl, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.once('close', resolve);
  });
  assert.equal(status, 0, 'the batch intake failed');
});
after(async () => { await srv.stop(); });

async function loginStaff(username) {
  const c = new Client(srv.base);
  const page = await c.get('/login');
  const r = await c.post('/login/test', { staff: username, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
  return c;
}

const staffId = (u) => srv.sql(`select id from staff where username='${u}'`);
const count = (q) => Number(srv.sql(q));

// The applicants of an institution: [{ id, nin }], by id.
function applicants(orgnr) {
  return srv.sql(`select p.id, p.nin from persons p join institutions i on i.name = p.institution
    where i.orgnr = '${orgnr}' and exists (select 1 from cases c where c.person_id = p.id) order by p.id`)
    .split('\n').filter(Boolean).map((l) => { const [id, nin] = l.split('|'); return { id, nin }; });
}

function csvUpload(text) {
  const boundary = `----stipend${randomBytes(8).toString('hex')}`;
  return (csrf) => ({
    body: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n`
      + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="oppmote.csv"\r\n`
      + `Content-Type: text/csv\r\n\r\n${text}\r\n--${boundary}--\r\n`),
    type: `multipart/form-data; boundary=${boundary}`,
  });
}

async function upload(c, text) {
  const form = await c.get('/larested/fil');
  assert.equal(form.status, 200);
  const m = csvUpload(text)(Client.csrf(form.text));
  return c.request('POST', '/larested/fil', m.body, { 'content-type': m.type });
}

// The problems a page lists: [[line, column]].
const problemsOf = (html) => [...html.matchAll(/<tr data-line="(\d+)" data-column="([a-z_.]+)">/g)]
  .map((m) => [Number(m[1]), m[2]]);

test('a_school_confirms_500_pupils_from_a_csv_and_gets_its_three_bad_lines_back_with_nothing_stored', async () => {
  const pupils = applicants(OSLO);
  assert.ok(pupils.length >= 500, `only ${pupils.length} applicants at Oslo katedralskole`);
  const ingrid = await loginStaff('ingrid.dahl');
  const lines = pupils.slice(0, 500).map((p) => `${p.nin},attendance,2024-2025,2024-08-19,`);
  const bad = [...lines];
  // Line numbers count the header as line 1.
  bad[3] = `${pupils[3].nin.slice(0, 10)}${(Number(pupils[3].nin[10]) + 1) % 10},attendance,2024-2025,2024-08-19,`;
  bad[98] = `${pupils[98].nin},attendence,2024-2025,2024-08-19,`;
  bad[299] = `${pupils[299].nin},attendance,2024-2026,2024-08-19,`;
  const header = 'nin,kind,period,date,credits';
  const r = await upload(ingrid, [header, ...bad].join('\r\n'));
  assert.equal(r.status, 422, r.text.slice(0, 500));
  assert.deepEqual(problemsOf(r.text), [[5, 'nin'], [100, 'kind'], [301, 'period']]);
  assert.equal(count(`select count(*) from institution_facts where orgnr='${OSLO}'`), 0, 'a bad file stored something');

  const ok = await upload(ingrid, [header, ...lines].join('\n'));
  assert.equal(ok.status, 303, ok.text.slice(0, 500));
  assert.equal(count(`select count(*) from institution_facts where orgnr='${OSLO}' and kind='attendance'
    and period='2024-2025' and effective='2024-08-19' and source='institution:${OSLO}'
    and staff_id=${staffId('ingrid.dahl')}`), 500);
  assert.equal(count(`select count(*) from audit where action='institution.confirmed'
    and actor='staff:${staffId('ingrid.dahl')}'`), 500);
  // Each is the payout condition of #10 for its school year.
  const ids = pupils.slice(0, 500).map((p) => p.id).join(',');
  assert.equal(count(`select count(*) from payout_confirmations where person_id in (${ids})
    and school_year='2024-2025' and kind='attendance' and source='institution:${OSLO}'`), 500);
  // The list shows them confirmed.
  const list = await ingrid.get('/larested');
  assert.equal(list.status, 200);
  assert.equal([...list.text.matchAll(/data-confirmed="attendance"/g)].length, 500);
  // The same file again changes nothing.
  const again = await upload(ingrid, [header, ...lines].join('\n'));
  assert.equal(again.status, 303);
  assert.equal(count(`select count(*) from institution_facts where orgnr='${OSLO}'`), 500);
});

test('a_csv_without_a_required_column_or_with_a_broken_line_is_refused_whole', async () => {
  const ingrid = await loginStaff('ingrid.dahl');
  const before = count('select count(*) from institution_facts');
  const p = applicants(OSLO)[0];
  const noPeriod = await upload(ingrid, `nin;kind\n${p.nin};attendance\n`);
  assert.equal(noPeriod.status, 422);
  assert.deepEqual(problemsOf(noPeriod.text), [[1, 'period']]);
  const broken = await upload(ingrid, `nin;kind;period\n${p.nin};attendance;2024-2025\n"${p.nin};attendance\n`);
  assert.equal(broken.status, 422);
  assert.deepEqual(problemsOf(broken.text), [[3, 'line']]);
  assert.equal(count('select count(*) from institution_facts'), before);
});

// A signed assertion (RS256) with claims, made with key.
function assertion(key, claims) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

async function token(jwt) {
  const r = await fetch(`${srv.base}/api/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt }),
  });
  return { status: r.status, body: await r.json() };
}

async function api(method, path, tok, body) {
  const headers = { 'content-type': 'application/json' };
  if (tok) headers.authorization = `Bearer ${tok}`;
  const r = await fetch(`${srv.base}${path}`, { method, headers, body: body && JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

test('a_student_system_confirms_through_the_api_with_a_signed_assertion_and_bad_ones_are_refused', async () => {
  const ingrid = await loginStaff('ingrid.dahl');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const page = await ingrid.get('/larested/kolleger');
  assert.equal(page.status, 200);
  // A key that is not RSA PEM is refused naming the field.
  const wrong = await ingrid.post('/larested/nokler', { csrf: Client.csrf(page.text), public_key: 'not a key' });
  assert.equal(wrong.status, 422);
  assert.match(wrong.text, /id="public_key-error"/);
  const reg = await ingrid.post('/larested/nokler', { csrf: Client.csrf(page.text), public_key: pem });
  assert.equal(reg.status, 303, reg.text);
  const clientId = new URL(reg.headers.get('location'), srv.base).searchParams.get('client');
  assert.match(clientId, new RegExp(`^${OSLO}-[0-9a-f]{16}$`));

  const aud = `${srv.base}/api/v1/token`;
  const now = Math.floor(Date.now() / 1000);
  const claims = () => ({ iss: clientId, aud, iat: now, exp: now + 60, jti: randomUUID() });
  const good = assertion(privateKey, claims());
  const t = await token(good);
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal(t.body.token_type, 'Bearer');
  assert.ok(t.body.expires_in > 0 && t.body.expires_in <= 300);

  // Refused: signed by an unknown key, expired, replayed, for another audience.
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const refusals = [
    ['signature', assertion(other, claims())],
    ['exp', assertion(privateKey, { ...claims(), iat: now - 200, exp: now - 100 })],
    ['jti', good],
    ['aud', assertion(privateKey, { ...claims(), aud: 'https://elsewhere.example/token' })],
    ['iss', assertion(privateKey, { ...claims(), iss: `${OSLO}-0000000000000000` })],
    // Another algorithm than RS256 (an HMAC "signed" with anything) is never tried.
    ['alg', `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${
      Buffer.from(JSON.stringify(claims())).toString('base64url')}.${Buffer.from('x'.repeat(32)).toString('base64url')}`],
    ['assertion', 'not.a-jwt'],
  ];
  for (const [field, jwt] of refusals) {
    const r = await token(jwt);
    assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'invalid_grant');
    assert.equal(r.body.field, field);
  }
  assert.ok(count("select count(*) from audit where action='api.token.denied'") >= refusals.length);

  // The token works for its own institution only, and not without it.
  const pupils = applicants(OSLO);
  const none = await api('GET', `/api/v1/institutions/${OSLO}/students`, null);
  assert.equal(none.status, 401);
  const foreign = await api('GET', `/api/v1/institutions/${MOLDE}/students`, t.body.access_token);
  assert.equal(foreign.status, 403);
  assert.ok(count(`select count(*) from audit where actor='client:${clientId}'
    and action='institution.workspace.denied' and object='institution:${MOLDE}'`) === 1);
  const listed = await api('GET', `/api/v1/institutions/${OSLO}/students`, t.body.access_token);
  assert.equal(listed.status, 200);
  assert.equal(listed.body.students.length, pupils.length);

  // A bad item: 422 naming it, nothing stored.
  // A pupil whose case the rules decided (a case worker's decision is left
  // for a case worker).
  const decidedIds = new Set(srv.sql(`select person_id from cases where status='decided'`).split('\n'));
  const stopped = [...pupils].reverse().find((p) => decidedIds.has(p.id));
  const facts = count('select count(*) from institution_facts');
  const badItem = await api('POST', `/api/v1/institutions/${OSLO}/confirmations`, t.body.access_token, {
    confirmations: [
      { nin: stopped.nin, kind: 'interruption', period: '2024-2025', date: '2025-01-31' },
      { nin: pupils[0].nin, kind: 'credits', period: '2024-autumn', credits: 30 },
    ],
  });
  assert.equal(badItem.status, 422, JSON.stringify(badItem.body));
  assert.equal(badItem.body.field, 'confirmations[1].kind');
  assert.equal(count('select count(*) from institution_facts'), facts);

  // An interruption: stored with its source, the case decided again
  // with the education ending on the day the pupil stopped.
  const caseId = srv.sql(`select max(id) from cases where person_id=${stopped.id}`);
  const ok = await api('POST', `/api/v1/institutions/${OSLO}/confirmations`, t.body.access_token, {
    confirmations: [{ nin: stopped.nin, kind: 'interruption', period: '2024-2025', date: '2025-01-31' }],
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body, { applied: 1, unchanged: 0, redecided: 1 });
  assert.equal(srv.sql(`select client_id || ' ' || source || ' ' || effective from institution_facts
    where person_id=${stopped.id} and kind='interruption'`), `${clientId} institution:${OSLO} 2025-01-31`);
  assert.equal(srv.sql(`select json_extract(application_json, '$.education.end') from cases where id=${caseId}`),
    '2025-01-31');
  assert.equal(count(`select count(*) from audit where object='case:${caseId}' and action='case.redecide.queued'`), 1);
  // The job runner decides it again: a new decision over fewer months.
  const decided = () => count(`select count(*) from audit where object='case:${caseId}'
    and action in ('case.redecided', 'case.rechecked', 'case.redecide.skipped')`);
  for (let i = 0; i < 600 && decided() === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(count(`select count(*) from audit where object='case:${caseId}' and action='case.redecided'`), 1,
    'the interrupted case was not decided again');
  // The monthly awards run to January (the month the pupil stopped), no
  // longer to June: no month after the interruption is paid.
  const months = srv.sql(`select max(json_extract(a.value, '$.months')) from decisions d,
    json_each(d.decision_json, '$.awards') a where d.case_id=${caseId} group by d.id order by d.id`).split('\n').map(Number);
  assert.equal(months.length, 2);
  assert.ok(months[1] < months[0], `months ${months}`);
  assert.equal(months[1], 6); // August to January

  // The administrator revokes the key: its token opens nothing at once,
  // and a new assertion it signs is refused.
  const keys = await ingrid.get('/larested/kolleger');
  const revoked = await ingrid.post('/larested/nokler/trekk', { csrf: Client.csrf(keys.text), client_id: clientId });
  assert.equal(revoked.status, 303, revoked.text);
  assert.equal((await api('GET', `/api/v1/institutions/${OSLO}/students`, t.body.access_token)).status, 401);
  const afterRevoke = await token(assertion(privateKey, claims()));
  assert.equal(afterRevoke.status, 400);
  assert.equal(afterRevoke.body.field, 'iss');
  // Another institution's administrator cannot revoke it (nor see it).
  const hans = await loginStaff('hans.moe');
  const hk = await hans.get('/larested/kolleger');
  assert.ok(!hk.text.includes(clientId));
  const foreignRevoke = await hans.post('/larested/nokler/trekk', { csrf: Client.csrf(hk.text), client_id: clientId });
  assert.equal(foreignRevoke.status, 422);
});

test('staff_of_one_institution_cannot_see_or_report_about_another_institutions_students', async () => {
  const hans = await loginStaff('hans.moe');
  const pupil = applicants(OSLO)[0];
  const before = count(`select count(*) from audit where actor='staff:${staffId('hans.moe')}'
    and action='institution.students.read.denied'`);
  const page = await hans.get(`/larested/studenter/${pupil.id}`);
  assert.equal(page.status, 404);
  assert.equal(count(`select count(*) from audit where actor='staff:${staffId('hans.moe')}'
    and action='institution.students.read.denied'`), before + 1);
  const home = await hans.get('/larested');
  assert.equal(home.status, 200);
  assert.ok(!home.text.includes(pupil.nin), 'another institution lists the pupil');
  const rep = await hans.post(`/larested/studenter/${pupil.id}/rapport`,
    { csrf: Client.csrf(home.text), kind: 'interruption', period: '2024-2025' });
  assert.equal(rep.status, 404);
  // By file: the line is refused as an unknown student, nothing stored.
  const facts = count('select count(*) from institution_facts');
  const r = await upload(hans, `nin,kind,period\n${pupil.nin},admission,2024-2025\n`);
  assert.equal(r.status, 422);
  assert.deepEqual(problemsOf(r.text), [[2, 'nin']]);
  assert.equal(count('select count(*) from institution_facts'), facts);
  // Its own student's page is there.
  const own = applicants(MOLDE)[0];
  assert.ok(own, 'Høgskolen i Molde has no applicant');
  assert.equal((await hans.get(`/larested/studenter/${own.id}`)).status, 200);
});

test('a_university_college_reports_credits_and_the_administrator_adds_a_colleague_who_is_no_administrator', async () => {
  const hans = await loginStaff('hans.moe');
  const own = applicants(MOLDE)[0];
  const page = await hans.get(`/larested/studenter/${own.id}`);
  const bad = await hans.post(`/larested/studenter/${own.id}/rapport`,
    { csrf: Client.csrf(page.text), kind: 'credits', period: '2024-autumn', credits: '61' });
  assert.equal(bad.status, 422);
  assert.deepEqual(problemsOf(bad.text), [[1, 'credits']]);
  // #15: the date is typed as dd.mm.åååå (ISO is read too); one that does
  // not exist is a problem named by its field.
  assert.match(page.text, /id="date" name="date" type="text" inputmode="numeric"/);
  const noDay = await hans.post(`/larested/studenter/${own.id}/rapport`,
    { csrf: Client.csrf(page.text), kind: 'credits', period: '2024-autumn', date: '31.02.2025', credits: '22,5' });
  assert.equal(noDay.status, 422);
  assert.deepEqual(problemsOf(noDay.text), [[1, 'date']]);
  const ok = await hans.post(`/larested/studenter/${own.id}/rapport`,
    { csrf: Client.csrf(page.text), kind: 'credits', period: '2024-autumn', date: '20.01.2025', credits: '22,5' });
  assert.equal(ok.status, 303, ok.text);
  assert.equal(srv.sql(`select half_credits from institution_facts where person_id=${own.id} and kind='credits'`), '45');
  assert.equal(srv.sql(`select effective from institution_facts where person_id=${own.id} and kind='credits'`), '2025-01-20');

  const staff = await hans.get('/larested/kolleger');
  assert.equal(staff.status, 200);
  const taken = await hans.post('/larested/kolleger', { csrf: Client.csrf(staff.text), username: 'sara.berg', name: 'Sara' });
  assert.equal(taken.status, 422);
  const added = await hans.post('/larested/kolleger', { csrf: Client.csrf(staff.text), username: 'kari.nord', name: 'Kari Nord' });
  assert.equal(added.status, 303);
  assert.equal(srv.sql("select role || ' ' || institution || ' ' || admin from staff where username='kari.nord'"),
    `institution ${MOLDE} 0`);
  const kari = await loginStaff('kari.nord');
  assert.equal((await kari.get('/larested')).status, 200);
  assert.equal((await kari.get('/larested/kolleger')).status, 403);
  assert.equal((await kari.get(`/larested/studenter/${own.id}`)).status, 200);
});
