// apply_right.test.mjs - applying right (#15), over HTTP with the registers
// beside the server, as the new users who found each defect went:
// - a person without an admission anywhere applies for higher education:
//   the decision is made on the stated education and says that nothing is
//   paid until the institution confirms;
// - a post without a chosen scheme is never taken for higher education;
// - a pupil opening the form gets the upper-secondary form first, with the
//   school the schools register knows;
// - an institution the schools register does not list is refused;
// - a second application for the same scheme and school year is refused
//   with 409 and a link to the first (page and JSON), the same form sent
//   twice answers with the first's case, and a change application decides
//   the case again, superseding the first decision;
// - a pupil's stated distance that would give more than the register's
//   sends the case to a case worker, says so on the decision, names both
//   figures in the reason, and the trace names each fact's source;
// - the letter of a case waiting for a case worker says it is received and
//   when to expect an answer, not "Vedtak".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawnSync as spawnBatch } from 'node:child_process';
import { bin, Client, nbsp, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ registers: true, persons: 80 }); });
after(async () => { await srv.stop(); });

const higher = { scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk',
  lives_with_parents: 'no', load_percent: '100', start: '15.08.2024', end: '15.06.2025', months_requested: '11' };

async function loginNin(c, nin) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

// The persons of the database with what the schools register holds of
// them in 2024-2025.
let people;
async function persons() {
  if (people) return people;
  people = [];
  for (const nin of srv.sql('select nin from persons order by id').split('\n')) {
    const r = await fetch(`${srv.registersUrl}/schools/v1/persons/${nin}/enrolments?school_year=2024-2025`);
    const body = r.status === 200 ? await r.json() : { enrolments: [] };
    people.push({ nin, enrolments: body.enrolments ?? [] });
  }
  return people;
}
const used = new Set();
async function person(pred, what) {
  const p = (await persons()).find((x) => !used.has(x.nin) && pred(x));
  assert.ok(p, `no person ${what} in the synthetic population`);
  used.add(p.nin);
  return p;
}
const level = (x, l) => x.enrolments.some((e) => e.level === l);

async function form(c, url = '/soknad') {
  const page = await c.get(url);
  assert.equal(page.status, 200);
  return { text: page.text, csrf: Client.csrf(page.text), key: page.text.match(/name="key" value="([0-9a-f]+)"/)[1] };
}

test('a_person_without_an_admission_is_decided_on_the_stated_education_and_paid_nothing_until_confirmed', async () => {
  // Under 50 when the education ends: an older student's basic loan waits
  // for the debt ceiling (#9, adult students), and pays nothing to condition.
  const young = (nin) => srv.sql(`select birth_date >= '1976-01-01' from persons where nin = '${nin}'`) === '1';
  const p = await person((x) => x.enrolments.length === 0 && young(x.nin), 'without an admission');
  const c = new Client(srv.base);
  await loginNin(c, p.nin);
  const f = await form(c, '/soknad?scheme=higher-education');
  const r = await c.post('/soknad', { csrf: f.csrf, key: f.key, ...higher });
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  const decision = JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} order by id desc limit 1`));
  assert.deepEqual(decision.conditions.map((x) => x.code), ['enrolment-unconfirmed']);
  assert.equal(decision.conditions[0].institution, 'Universitetet i Oslo');
  assert.ok(decision.trace.some((s) => s.rule === 'facts.source' && s.inputs.fact === 'education.admission'
    && s.inputs.source === 'application'));
  const page = nbsp((await c.get(`/saker/${id}`)).text);
  assert.match(page, /vi betaler ikke ut penger før lærestedet har bekreftet at du er elev eller student der/);
  assert.match(page, /Opptak: skoleregisteret har ikke registrert opptak\. Vi har brukt utdanningen du oppga \(Universitetet i Oslo\)/);
});

test('a_post_without_a_scheme_is_refused_naming_the_scheme_and_stores_nothing', async () => {
  const p = await person((x) => level(x, 'upper-secondary'), 'at upper secondary school');
  const c = new Client(srv.base);
  await loginNin(c, p.nin);
  const f = await form(c);
  const before = srv.sql('select count(*) from cases');
  const { scheme, ...rest } = higher;
  const r = await c.post('/soknad', { csrf: f.csrf, key: f.key, ...rest });
  assert.equal(r.status, 422);
  assert.match(r.text, /<a class="ds-link" href="#scheme-higher">Velg hva du søker støtte til/);
  assert.equal(srv.sql('select count(*) from cases'), before);
  const json = await c.request('POST', '/soknad', new URLSearchParams({ csrf: f.csrf, ...rest }).toString(),
    { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
  assert.equal(json.status, 422);
  assert.deepEqual(JSON.parse(json.text).field, 'scheme');
});

test('a_pupil_is_shown_the_upper_secondary_form_first_with_the_school_the_register_knows', async () => {
  const p = await person((x) => level(x, 'upper-secondary') && !level(x, 'higher'), 'at upper secondary school');
  const c = new Client(srv.base);
  await loginNin(c, p.nin);
  const f = await form(c);
  assert.match(f.text, /<input type="hidden" name="scheme" value="upper-secondary">/);
  assert.match(f.text, /Avstand fra foreldrenes hjem til skolen, i km/);
  const school = p.enrolments.find((e) => e.level === 'upper-secondary').institution;
  assert.match(f.text, new RegExp(`<option selected>${school}</option>`));
  assert.doesNotMatch(f.text, /<option>Universitetet i Oslo<\/option>/, 'only schools at the level are offered');
  // An institution the register does not list is refused, by its field.
  const r = await c.post('/soknad', { csrf: f.csrf, key: f.key, ...higher, institution: 'Hogwarts' });
  assert.equal(r.status, 422);
  assert.match(nbsp(r.text), /id="institution-error">Skoleregisteret kjenner ikke dette lærestedet/);
});

test('one_application_per_scheme_and_year_a_repeat_answers_with_the_first_and_a_change_decides_again', async () => {
  const p = await person((x) => level(x, 'higher'), 'in higher education');
  const en = p.enrolments.find((e) => e.level === 'higher');
  const c = new Client(srv.base);
  await loginNin(c, p.nin);
  const f = await form(c, '/soknad?scheme=higher-education');
  const answers = { csrf: f.csrf, key: f.key, ...higher, institution: en.institution };
  const first = await c.post('/soknad', answers);
  assert.equal(first.status, 303, first.text);
  const url = first.headers.get('location');
  const id = url.split('/').pop();
  // The same form again (a double click, a retried POST): the first's answer.
  const again = await c.post('/soknad', answers);
  assert.equal(again.status, 303);
  assert.equal(again.headers.get('location'), url);
  // A new form: refused, with a link to the first and to a change application.
  const f2 = await form(c, '/soknad?scheme=higher-education');
  const second = await c.post('/soknad', { ...answers, key: f2.key });
  assert.equal(second.status, 409);
  assert.match(second.text, new RegExp(`href="/saker/${id}" id="first-application"`));
  assert.match(second.text, new RegExp(`href="/soknad\\?endring=${id}"`));
  const json = await c.request('POST', '/soknad', new URLSearchParams({ ...answers, key: f2.key }).toString(),
    { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
  assert.equal(json.status, 409);
  assert.deepEqual(JSON.parse(json.text), {
    error: 'already-applied', field: 'application', message: 'an application for this scheme and school year is made already',
    case_id: Number(id), case: `/saker/${id}`, change: `/soknad?endring=${id}`,
  });
  assert.equal(srv.sql(`select count(*) from cases c join persons p on p.id = c.person_id where p.nin = '${p.nin}'`), '1');
  // Mine saker lists one case.
  const mine = await c.get('/saker');
  assert.equal([...mine.text.matchAll(/href="\/saker\/\d+"/g)].length, 1);

  // The change application: the first's answers, changed, decided again.
  const change = await c.get(`/soknad?endring=${id}`);
  assert.equal(change.status, 200);
  assert.match(change.text, /Endringssøknad for skoleåret 2024-2025/);
  assert.match(change.text, new RegExp(`name="change_of" value="${id}"`));
  assert.match(change.text, /value="15\.08\.2024"/);
  const changed = await c.post('/soknad', { ...answers, csrf: Client.csrf(change.text), change_of: id,
    months_requested: '5' });
  assert.equal(changed.status, 303, changed.text);
  assert.equal(changed.headers.get('location'), url);
  for (let i = 0; i < 100 && srv.sql(`select count(*) from decisions where case_id = ${id}`) !== '2'; i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(srv.sql(`select count(*) from decisions where case_id = ${id}`), '2', 'the new decision supersedes the first');
  const decision = JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} order by id desc limit 1`));
  assert.equal(decision.awards.find((a) => a.name === 'basic-loan').months, 5);
  assert.equal(srv.sql(`select count(*) from audit where action = 'case.change-applied' and object = 'case:${id}'`), '1');
  // Another's case cannot be changed.
  const other = new Client(srv.base);
  await loginNin(other, (await person(() => true, 'at all')).nin);
  assert.equal((await other.get(`/soknad?endring=${id}`)).status, 404);
});

test('a_stated_distance_that_gives_more_than_the_register_goes_to_a_case_worker_and_is_named', async () => {
  const p = await person((x) => x.enrolments.some((e) => e.level === 'upper-secondary' && e.travel
    && e.travel.distance_km < 30), 'at upper secondary school near home');
  const en = p.enrolments.find((e) => e.level === 'upper-secondary');
  const c = new Client(srv.base);
  await loginNin(c, p.nin);
  const f = await form(c, '/soknad?scheme=upper-secondary');
  const r = await c.post('/soknad', {
    csrf: f.csrf, key: f.key, scheme: 'upper-secondary', institution: en.institution, programme: en.programme,
    lives_with_parents: 'no', start: '19.08.2024', end: '20.06.2025', distance_km: '64,5', daily_travel_minutes: '190',
    walking_km: '0',
  });
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status from cases where id = ${id}`), 'manual');
  const d = JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} order by id desc limit 1`));
  const reason = d.manual_reasons.find((x) => x.code === 'answer-differs-from-register');
  assert.ok(reason, JSON.stringify(d.manual_reasons));
  assert.equal(reason.stated, 64.5);
  assert.equal(reason.register, en.travel.distance_km);
  assert.ok(['travel.distance_km', 'travel.daily_travel_minutes'].includes(reason.fact));
  const said = d.discrepancies.find((x) => x.fact === 'travel.distance_km');
  assert.equal(said.stated, 64.5);
  const step = d.trace.find((s) => s.rule === 'facts.source' && s.inputs.fact === 'travel.distance_km');
  assert.equal(step.inputs.source, 'schools');
  assert.equal(step.value, en.travel.distance_km);
  const km = String(en.travel.distance_km).replace('.', ',');
  const page = nbsp((await c.get(`/saker/${id}`)).text);
  assert.match(page, new RegExp(`Du oppga 64,5 km til skolen; skoleregisteret har ${km} km\\. Vi har brukt ${km} km\\.`));
  assert.match(page, /Avstand til skolen: [\d,]+ km, fra skoleregisteret \(du oppga 64,5 km\)/);

  // The letter says received and waiting, with the expected time.
  const letter = srv.sql(`select id from letters where case_id = ${id}`);
  const l = nbsp((await c.get(`/innboks/${letter}`)).text);
  assert.match(l, /<h1[^>]*>Vi har mottatt søknaden din<\/h1>/);
  assert.match(l, /venter nå på det/);
  assert.match(l, /Du kan regne med svar innen \d{2}\.\d{2}\.\d{4}\. Behandlingstiden for søknader som en saksbehandler må se på, er nå inntil 7 uker\./);
  assert.doesNotMatch(l, /Vi har behandlet søknaden din/);
  assert.doesNotMatch(l, /<h1[^>]*>Vedtak/);
  assert.doesNotMatch(l, /Du kan klage/);

  // The case worker reads it in a case worker's words: labels and kroner,
  // the fact and both figures.
  const w = new Client(srv.base);
  const lp = await w.get('/login');
  await w.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(lp.text) });
  const wb = nbsp((await w.get(`/saksbehandling/saker/${id}`)).text);
  assert.match(wb, /<td data-path="enrolment\.travel\.distance_km">Avstand til skolen \(km\)<\/td>/);
  assert.doesNotMatch(wb, />enrolment\.travel\.distance_km</);
  assert.doesNotMatch(wb, />parents\.incomes\[0\]\.income</);
  assert.match(wb, /Inntekt, forelder \(1\)<\/td><td>[\d ]+ kr</);
  assert.match(wb, new RegExp(`Søkeren oppga 64,5 for [a-zæøå ()-]+; skoleregisteret har [\\d,]+\\.`));
  assert.match(wb, /Søkeren har ikke skrevet til oss om denne saken\./);
  assert.doesNotMatch(wb, /Du har ikke skrevet til oss/);
});

test('the_notice_link_returns_to_the_letter_after_login_and_only_to_a_local_page', async () => {
  const p = await person((x) => level(x, 'higher'), 'in higher education');
  const owner = new Client(srv.base);
  await loginNin(owner, p.nin);
  const f = await form(owner, '/soknad?scheme=higher-education');
  const en = p.enrolments.find((e) => e.level === 'higher');
  const r = await owner.post('/soknad', { csrf: f.csrf, key: f.key, ...higher, institution: en.institution });
  const id = r.headers.get('location').split('/').pop();
  const letter = srv.sql(`select id from letters where case_id = ${id}`);
  // The link in the e-mail, opened logged out.
  const c = new Client(srv.base);
  const asked = await c.get(`/innboks/${letter}`);
  assert.equal(asked.status, 303);
  assert.equal(asked.headers.get('location'), `/login?next=%2Finnboks%2F${letter}`);
  const page = await c.get(asked.headers.get('location'));
  assert.match(page.text, new RegExp(`<input type="hidden" name="next" value="/innboks/${letter}">`));
  const in_ = await c.post('/login/test', { nin: p.nin, csrf: Client.csrf(page.text), next: `/innboks/${letter}` });
  assert.equal(in_.status, 303);
  assert.equal(in_.headers.get('location'), `/innboks/${letter}`);
  assert.equal((await c.get(`/innboks/${letter}`)).status, 200);
  // Elsewhere is never a place to return to.
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/x\r\nSet-Cookie: a=b']) {
    const o = new Client(srv.base);
    const lp = await o.get(`/login?next=${encodeURIComponent(next)}`);
    assert.doesNotMatch(lp.text, /name="next"/);
    const done = await o.post('/login/test', { nin: p.nin, csrf: Client.csrf(lp.text), next });
    assert.equal(done.headers.get('location'), '/saker', next);
  }
});

test('a_case_worker_opening_the_inbox_is_told_it_is_the_applicants', async () => {
  const c = new Client(srv.base);
  const page = await c.get('/login');
  assert.equal((await c.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(page.text) })).status, 303);
  const r = await c.get('/innboks');
  assert.equal(r.status, 403);
  assert.match(r.text, /Innboksen er for søkere\. Du er logget inn som ansatt/);
});

test('the_rough_edges_a_new_user_met_are_smoothed', async () => {
  const p = await person((x) => level(x, 'higher'), 'in higher education');
  const c = new Client(srv.base);
  // The test login says who each person is: age, and school where known.
  const login = nbsp((await c.get('/login')).text);
  assert.match(login, /<span class="muted person-facts" id="person-0" data-size="sm">\d+ år · [^<]+<\/span>/);
  assert.match(login, /ingen skole eller studiested registrert|videregående skole|Universitetet|høgskole|NTNU/i);
  await loginNin(c, p.nin);
  // The form's "contact us" is a link.
  const f = await form(c, '/soknad?scheme=higher-education');
  assert.match(f.text, /<a class="ds-link" href="\/innboks\/skriv">skriv til oss<\/a>/);
  // Dates on the form as Norwegians write them, and the hint says so.
  assert.match(f.text, /Skriv datoen som dd\.mm\.åååå, for eksempel 15\.08\.2024\./);
  assert.match(f.text, /id="start" name="start" type="text" inputmode="numeric" value="\d\d\.\d\d\.\d{4}"/);
  // The empty form names each date field in its message.
  const empty = await c.post('/soknad', { csrf: f.csrf, key: f.key, scheme: 'higher-education', institution: '',
    programme: '', start: '', end: '', load_percent: '', months_requested: '' });
  assert.equal(empty.status, 422);
  const summary = nbsp(empty.text.match(/<div class="ds-error-summary"[\s\S]*?<\/div>/)[0]);
  assert.match(summary, /href="#start">Skriv en dato som finnes for første studiedag/);
  assert.match(summary, /href="#end">Skriv en dato som finnes for siste studiedag/);
  assert.match(summary, /href="#institution">Velg lærestedet/);
  // Both ways of writing a date are taken.
  const iso = await c.post('/soknad', { csrf: f.csrf, key: f.key, ...higher, institution: p.enrolments[0].institution,
    start: '2024-08-15', end: '15.6.2025' });
  assert.equal(iso.status, 303, iso.text);
  // "Skriv til oss" names its limit (a person with a case: #11 opens it to everyone).
  const write = nbsp((await c.get('/innboks/skriv')).text);
  assert.doesNotMatch(write, /\{max\}/);
  assert.match(write, /Høyst \d+ tegn/);
  // Times in Norwegian time, as people read them.
  const mine = nbsp((await c.get('/mine-opplysninger')).text);
  assert.doesNotMatch(mine, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
  assert.match(mine, /hentet \d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d/);
});

test('the_letter_pdf_is_tagged_with_its_headings_table_and_language', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const p = await person((x) => level(x, 'higher'), 'in higher education');
  const c = new Client(srv.base);
  await loginNin(c, p.nin);
  const f = await form(c, '/soknad?scheme=higher-education');
  const en = p.enrolments.find((e) => e.level === 'higher');
  const r = await c.post('/soknad', { csrf: f.csrf, key: f.key, ...higher, institution: en.institution });
  const id = r.headers.get('location').split('/').pop();
  const letter = srv.sql(`select id from letters where case_id = ${id}`);
  const res = await fetch(`${srv.base}/innboks/${letter}/pdf`, { headers: { cookie: c.cookieHeader() } });
  assert.equal(res.status, 200);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-pdf-'));
  try {
    const file = path.join(dir, 'l.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
    assert.match(info.stdout, /Tagged:\s+yes/);
    const tree = spawnSync('pdfinfo', ['-struct-text', file], { encoding: 'utf8' });
    assert.match(tree.stdout, /^Document\n\s+H1 \(block\)/);
    assert.match(tree.stdout, /\s+H2 \(block\)\n\s+"Vedtak: /);
    assert.match(tree.stdout, /Table \(block\)\n\s+TR\n\s+TH/);
    assert.doesNotMatch(tree.stderr, /wrong type/);
    const text = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    assert.match(text.stdout, /Vedtak om stipend og lån/, 'the incremental update keeps the PDF readable');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the_first_calendar_address_is_not_said_to_replace_an_older_one', async () => {
  const p = await person(() => true, 'at all');
  const c = new Client(srv.base);
  await loginNin(c, p.nin);
  const page = await c.get('/mine-sider/kalender');
  const first = await c.post('/mine-sider/kalender/adresse', { csrf: Client.csrf(page.text), action: 'create' });
  assert.equal(first.status, 303);
  const shown = nbsp((await c.get(first.headers.get('location').replace(/#.*/, ''))).text);
  assert.match(shown, /Du har fått en ny kalenderadresse\./);
  assert.doesNotMatch(shown, /virker ikke lenger/);
  const again = await c.post('/mine-sider/kalender/adresse', { csrf: Client.csrf(shown), action: 'create' });
  const replaced = nbsp((await c.get(again.headers.get('location').replace(/#.*/, ''))).text);
  assert.match(replaced, /Du har fått en ny kalenderadresse\. Den forrige adressen virker ikke lenger\./);
});

// A batch intake from the registers runs over a person who has applied in
// the portal: the one-application rule holds on every intake path, so the
// batch skips the person (counted as already applied) and there is one
// case; and a person the batch took in who then applies in the portal is
// refused with a link to the batch's case. (Last in the file: the batch
// takes in every student of the population.)
test('a_batch_from_the_registers_skips_a_person_who_applied_in_the_portal', async () => {
  const p = await person((x) => level(x, 'higher') && !level(x, 'upper-secondary')
    && srv.sql(`select count(*) from cases c join persons q on q.id = c.person_id where q.nin = '${x.nin}'`) === '0',
  'in higher education without a case');
  const c = new Client(srv.base);
  await loginNin(c, p.nin);
  const f = await form(c, '/soknad?scheme=higher-education');
  const en = p.enrolments.find((e) => e.level === 'higher');
  const r = await c.post('/soknad', { csrf: f.csrf, key: f.key, ...higher, institution: en.institution });
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();

  const run = spawnBatch(bin, ['batch', '--db', srv.db, '--from-registers', '--persons', '80', '--school-year', '2024-2025',
    '--registers', srv.registersUrl, '--json', '--quiet'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.ok(summary.already_applied >= 1, `already_applied ${summary.already_applied}`);
  assert.ok(summary.accepted >= 1, 'the batch took in the other students');
  const theirs = srv.sql(`select c.id || ' ' || c.intake from cases c join persons q on q.id = c.person_id
    where q.nin = '${p.nin}' and c.scheme = 'higher-education' and c.school_year = '2024-2025'`).split('\n');
  assert.equal(theirs.length, 1, `cases: ${theirs.join(', ')}`);
  assert.match(theirs[0], new RegExp(`^${id} application:`));
  // No person has two applications for a scheme and school year.
  assert.equal(srv.sql(`select count(*) from (select person_id from cases where intake like 'application:%' or intake like 'registers:%'
    group by person_id, scheme, school_year having count(*) > 1)`), '0');

  // The other way: a student the batch took in applies in the portal.
  const taken = await person((x) => level(x, 'higher') && !level(x, 'upper-secondary')
    && srv.sql(`select count(*) from cases c join persons q on q.id = c.person_id
      where q.nin = '${x.nin}' and c.intake like 'registers:%' and c.scheme = 'higher-education'`) === '1',
  'taken in by the batch');
  const first = srv.sql(`select c.id from cases c join persons q on q.id = c.person_id where q.nin = '${taken.nin}'`);
  const t = new Client(srv.base);
  await loginNin(t, taken.nin);
  const tf = await form(t, '/soknad?scheme=higher-education');
  const ten = taken.enrolments.find((e) => e.level === 'higher');
  const again = await t.post('/soknad', { csrf: tf.csrf, key: tf.key, ...higher, institution: ten.institution });
  assert.equal(again.status, 409, again.text);
  assert.match(again.text, new RegExp(`href="/saker/${first}"`));
  assert.equal(srv.sql(`select count(*) from cases c join persons q on q.id = c.person_id where q.nin = '${taken.nin}'`), '1');
});
