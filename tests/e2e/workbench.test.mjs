// workbench.test.mjs - the case worker's workbench over HTTP against the
// real binary: an upper-secondary application with special circumstances
// goes to a case worker, who finds it in the queue (filtered by reason),
// reads it (audited), and grants the boarding grant with a justification
// that reaches the applicant's letter; confidential addresses; requests for
// documentation; who may do what; validation that stores nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, nbsp, startServer } from '../lib/server.mjs';

let srv;
// A population large enough to hold pupils with youth entitlement (born
// 2004 or later) and a few people with confidential addresses.
before(async () => { srv = await startServer({ persons: 400 }); });
after(async () => { await srv.stop(); });

// The upper-secondary application that the rules cannot decide alone: the
// pupil lives away, under 40 km and 3 hours from home, and states special
// personal or social reasons.
const special = {
  scheme: 'upper-secondary', institution: 'Oslo katedralskole', programme: 'Studiespesialisering', lives_with_parents: 'no', start: '2024-08-19', end: '2025-06-20',
  distance_km: '12,5', daily_travel_minutes: '90', walking_km: '1.5', special_circumstances: 'yes',
};

// Log in as a test case worker; returns their staff id.
async function loginStaff(c, username) {
  const page = await c.get('/login');
  assert.match(page.text, new RegExp(`name="staff" value="${username}"`));
  const r = await c.post('/login/test', { staff: username, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/saksbehandling');
  return Number(srv.sql(`select id from staff where username='${username}'`));
}

// Log in as the person with this national identity number, typed.
async function loginNin(c, nin) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/saker');
}

// Pupils with youth entitlement and an ordinary address, one per test so
// that no test sees another's cases.
let nextPupil = 0;
function pupil() {
  const nins = srv.sql("select nin from persons where birth_date between '2004-01-01' and '2008-12-31' "
    + 'and confidential_address = 0 order by id').split('\n');
  assert.ok(nextPupil < nins.length, 'the population has too few pupils');
  return nins[nextPupil++];
}

// A new applicant's manual case: returns its id.
async function manualCase(c, nin, fields = special) {
  await loginNin(c, nin);
  const r = await c.apply(fields);
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status from cases where id=${id}`), 'manual');
  return id;
}

const caseLink = (id) => new RegExp(`href="/saksbehandling/saker/${id}"`);

test('upper_secondary_special_circumstances_is_granted_by_a_case_worker', async () => {
  const applicant = new Client(srv.base);
  const nin = pupil();
  await loginNin(applicant, nin);
  const form = await applicant.get('/soknad?scheme=upper-secondary');
  assert.match(form.text, /Avstand fra foreldrenes hjem til skolen, i km/);
  assert.match(form.text, /Jeg har særlige personlige eller sosiale grunner til å bo borte/);
  assert.match(form.text, /value="19\.08\.2024"/, 'dates as Norwegians write them (#15)');
  assert.doesNotMatch(form.text, /Satsgruppe/, 'the equipment rate group is not asked');
  const r = await applicant.apply(special);
  assert.equal(r.status, 303);
  const caseUrl = r.headers.get('location');
  const id = caseUrl.split('/').pop();
  const mine = nbsp((await applicant.get(caseUrl)).text);
  assert.match(mine, /Til saksbehandling/);
  assert.match(mine, /særlige personlige eller sosiale grunner til å bo borte\. En saksbehandler vurderer dem/);
  const application = JSON.parse(srv.sql(`select application_json from cases where id=${id}`));
  assert.equal(application.education.level, 'upper-secondary');
  assert.deepEqual(application.travel, { distance_km: 12.5, daily_travel_minutes: 90, walking_km: 1.5 });
  assert.equal(application.special_circumstances, true);

  const worker = new Client(srv.base);
  const staffId = await loginStaff(worker, 'sara.berg');
  const queue = nbsp((await worker.get('/saksbehandling')).text);
  assert.match(queue, caseLink(id));
  assert.match(queue, /Særlige grunner til å bo borte/);
  assert.match(queue, /Saker som venter på behandling: \d+\./);
  const filtered = await worker.get('/saksbehandling?reason=special-circumstances');
  assert.match(filtered.text, caseLink(id));
  assert.match(filtered.text, /<option value="special-circumstances" selected>/);
  const other = await worker.get('/saksbehandling?reason=household-facts-missing');
  assert.equal(other.status, 200);
  assert.doesNotMatch(other.text, caseLink(id));

  const before = Number(srv.sql(`select count(*) from audit where action='case.read' and actor='staff:${staffId}' and object='case:${id}'`));
  const page = await worker.get(`/saksbehandling/saker/${id}`);
  assert.equal(page.status, 200);
  const text = nbsp(page.text);
  assert.match(text, /Opplysningene kom fra søknaden\./);
  assert.match(text, /12,5/);
  assert.match(text, /Reglene som ble brukt/);
  assert.match(text, /Det er 12,5 km fra foreldrenes hjem til skolen/);
  assert.match(text, /<code>special-circumstances<\/code>/);
  assert.match(text, /Innvilg borteboerstipend for særlige grunner: 10 måneder à 6 677 kr, til sammen 66 770 kr/);
  assert.equal(Number(srv.sql(`select count(*) from audit where action='case.read' and actor='staff:${staffId}' and object='case:${id}'`)), before + 1);

  const justification = 'Eleven har dokumentert tunge omsorgsoppgaver hjemme som gjør det nødvendig å bo borte.';
  const decided = await worker.post(`/saksbehandling/saker/${id}/vedtak`, {
    csrf: Client.csrf(page.text), outcome: 'granted', grant_boarding: 'yes', justification,
  });
  assert.equal(decided.status, 303, decided.text);
  assert.equal(decided.headers.get('location'), `/saksbehandling/saker/${id}?done=decided`);
  const after = nbsp((await worker.get(decided.headers.get('location'))).text);
  assert.match(after, /Vedtaket er gjort/);
  assert.match(after, /Gjeldende vedtak/);
  assert.match(after, /Erstattet/);
  assert.doesNotMatch(after, /action="\/saksbehandling\/saker\/\d+\/vedtak"/, 'a decided case offers no decision form');

  // Both decisions are kept; the case worker's is the current one.
  assert.equal(srv.sql(`select count(*) from decisions where case_id=${id}`), '2');
  assert.equal(srv.sql(`select count(*) from decisions where case_id=${id} and superseded_at is null and outcome='granted'`), '1');
  const d = JSON.parse(srv.sql(`select decision_json from decisions where case_id=${id} and superseded_at is null`));
  assert.equal(d.outcome, 'granted');
  assert.deepEqual(d.manual_reasons, []);
  assert.deepEqual(d.awards.map((a) => [a.name, a.months, a.monthly, a.amount]), [['boarding-grant', 10, 667700, 6677000]]);
  const last = d.trace.at(-1);
  assert.equal(last.rule, 'caseworker.decision');
  assert.equal(last.reference, 'forvaltningsloven § 25');
  assert.equal(last.inputs.justification, justification);
  assert.equal(last.value, 'granted');
  assert.equal(srv.sql(`select count(*) from audit where action='case.decided-by-caseworker' and actor='staff:${staffId}' and object='case:${id}'`), '1');
  assert.equal(srv.sql(`select status || ' ' || outcome from cases where id=${id}`), 'decided granted');

  // The applicant sees the new decision and has a second letter with it.
  const now = nbsp((await applicant.get(caseUrl)).text);
  assert.match(now, /Vedtak: Innvilget/);
  assert.match(now, /66 770 kr/);
  const inbox = await applicant.get('/innboks');
  const letters = [...inbox.text.matchAll(/href="(\/innboks\/\d+)"/g)].map((m) => m[1]);
  assert.equal(letters.length, 2);
  const letter = nbsp((await applicant.get(letters[0])).text);
  assert.match(letter, /Begrunnelse/);
  assert.match(letter, new RegExp(justification));
  assert.match(letter, /66 770 kr/);
  assert.match(letter, /Vedtaket er gjort av en saksbehandler/);

  // The case has left the queue.
  assert.doesNotMatch((await worker.get('/saksbehandling')).text, caseLink(id));
  // And a second decision is refused.
  const again = await worker.post(`/saksbehandling/saker/${id}/vedtak`, {
    csrf: Client.csrf(page.text), outcome: 'rejected', justification,
  });
  assert.equal(again.status, 409);
  assert.equal(srv.sql(`select count(*) from decisions where case_id=${id}`), '2');
});

test('queue_lists_oldest_first', async () => {
  const first = await manualCase(new Client(srv.base), pupil());
  const second = await manualCase(new Client(srv.base), pupil());
  const worker = new Client(srv.base);
  await loginStaff(worker, 'per.lund');
  const queue = (await worker.get('/saksbehandling')).text;
  const ids = [...queue.matchAll(/href="\/saksbehandling\/saker\/(\d+)"/g)].map((m) => Number(m[1]));
  assert.ok(ids.indexOf(Number(first)) >= 0 && ids.indexOf(Number(first)) < ids.indexOf(Number(second)));
  const received = srv.sql("select id from cases where status='manual' order by received_at, id").split('\n').map(Number);
  assert.deepEqual(ids, received);
});

test('confidential_address_is_shown_only_to_the_authorised_case_worker', async () => {
  // Prefer a pupil (special circumstances); any person's upper-secondary
  // application goes to a case worker anyway, for want of youth entitlement.
  const row = srv.sql("select nin, address from persons where confidential_address = 1 "
    + "order by birth_date >= '2004-01-01' desc, id limit 1");
  assert.ok(row, 'the population has no confidential address');
  const [nin, address] = row.split('|');
  const id = await manualCase(new Client(srv.base), nin);

  const per = new Client(srv.base);
  await loginStaff(per, 'per.lund');
  const withheld = await per.get(`/saksbehandling/saker/${id}`);
  assert.equal(withheld.status, 200);
  assert.match(withheld.text, /Sperret adresse/);
  assert.ok(!withheld.text.includes(address), 'the address reached a case worker without the authorisation');
  const person = srv.sql(`select person_id from cases where id=${id}`);
  assert.equal(srv.sql(`select count(*) from audit where action='person.confidential-address.read' and object='person:${person}'`), '0');

  const sara = new Client(srv.base);
  const saraId = await loginStaff(sara, 'sara.berg');
  const shown = await sara.get(`/saksbehandling/saker/${id}`);
  assert.ok(shown.text.includes(address), 'the authorised case worker does not see the address');
  assert.equal(srv.sql(`select count(*) from audit where action='person.confidential-address.read' and actor='staff:${saraId}' and object='person:${person}'`), '1');
});

test('documentation_request_makes_the_case_wait_with_a_deadline', async () => {
  const applicant = new Client(srv.base);
  const id = await manualCase(applicant, pupil());
  const worker = new Client(srv.base);
  const staffId = await loginStaff(worker, 'sara.berg');
  const page = await worker.get(`/saksbehandling/saker/${id}`);
  const deadline = new Date(Date.now() + 21 * 86400e3).toISOString().slice(0, 10);
  const [y, m, d] = deadline.split('-');
  const text = 'Send en uttalelse fra helsesøster eller PP-tjenesten om hvorfor du må bo borte.';

  const tooLate = new Date(Date.now() + 90 * 86400e3).toISOString().slice(0, 10);
  const refused = await worker.post(`/saksbehandling/saker/${id}/dokumentasjon`, { csrf: Client.csrf(page.text), doc_text: text, deadline: tooLate });
  assert.equal(refused.status, 422);
  assert.match(refused.text, /id="deadline-error">Fristen må være en dato fra i morgen til 60 dager fram/);
  assert.equal(srv.sql(`select count(*) from documentation_requests where case_id=${id}`), '0');
  // The field offers a date as people write it, and reads it back so (#15).
  assert.match(page.text, /id="deadline" name="deadline" value="\d\d\.\d\d\.\d{4}"/);
  assert.doesNotMatch(page.text, /type="date"/);
  const noDay = await worker.post(`/saksbehandling/saker/${id}/dokumentasjon`, { csrf: Client.csrf(page.text), doc_text: text, deadline: '31.02.2027' });
  assert.equal(noDay.status, 422);
  assert.match(noDay.text, /id="deadline-error">Fristen må være en dato fra i morgen til 60 dager fram, skrevet som dd\.mm\.åååå\./);
  assert.match(noDay.text, /value="31\.02\.2027"/);

  const r = await worker.post(`/saksbehandling/saker/${id}/dokumentasjon`, { csrf: Client.csrf(page.text), doc_text: text, deadline: `${d}.${m}.${y}` });
  assert.equal(r.status, 303, r.text);
  assert.equal(srv.sql(`select status from cases where id=${id}`), 'awaiting-documentation');
  assert.equal(srv.sql(`select count(*) from audit where action='case.documentation-requested' and actor='staff:${staffId}' and object='case:${id}'`), '1');

  const queue = await worker.get('/saksbehandling');
  const awaiting = queue.text.slice(queue.text.indexOf('id="awaiting-heading"'));
  assert.match(awaiting, caseLink(id));
  assert.match(awaiting, new RegExp(`${d}\\.${m}\\.${y}`));
  assert.doesNotMatch(queue.text.slice(0, queue.text.indexOf('id="awaiting-heading"')), caseLink(id));

  const mine = nbsp((await applicant.get(`/saker/${id}`)).text);
  assert.match(mine, /Venter på dokumentasjon/);
  assert.match(mine, new RegExp(`Fristen er ${d}\\.${m}\\.${y}`));
  const inbox = await applicant.get('/innboks');
  assert.match(inbox.text, /Vi trenger mer dokumentasjon/);
  const letterUrl = inbox.text.match(/href="(\/innboks\/\d+)">Vi trenger mer dokumentasjon/)[1];
  const letter = nbsp((await applicant.get(letterUrl)).text);
  assert.match(letter, /<h1[^>]*>Vi trenger mer dokumentasjon<\/h1>/);
  assert.ok(letter.includes(text));
  assert.match(letter, new RegExp(`Send dokumentasjonen innen ${d}\\.${m}\\.${y}`));
  const en = nbsp((await applicant.get(`${letterUrl}?lang=en`)).text);
  assert.match(en, /We need more documentation/);

  // The case worker can still decide a case that waits for documentation.
  const again = await worker.get(`/saksbehandling/saker/${id}`);
  assert.match(again.text, /Dokumentasjon er bedt om/);
  const decided = await worker.post(`/saksbehandling/saker/${id}/vedtak`, {
    csrf: Client.csrf(again.text), outcome: 'rejected', justification: 'Vi har ikke fått dokumentasjon innen fristen.',
  });
  assert.equal(decided.status, 303);
  assert.equal(srv.sql(`select status || ' ' || outcome from cases where id=${id}`), 'decided rejected');
});

test('a_person_cannot_use_the_workbench_and_forms_need_csrf', async () => {
  const applicant = new Client(srv.base);
  const id = await manualCase(applicant, pupil());
  const person = srv.sql(`select person_id from cases where id=${id}`);
  // The queue names no one: 403. A case is about a person: the gate
  // answers a refusal as if the case did not exist (404), as the message
  // and document pages do. Each refusal is audited once, by the policy's
  // name for the action.
  assert.equal((await applicant.get('/saksbehandling')).status, 403);
  assert.equal((await applicant.get(`/saksbehandling/saker/${id}`)).status, 404);
  const csrf = Client.csrf((await applicant.get('/saker')).text);
  const post = await applicant.post(`/saksbehandling/saker/${id}/vedtak`, { csrf, outcome: 'granted', grant_boarding: 'yes', justification: 'Jeg innvilger meg selv dette.' });
  assert.equal(post.status, 404);
  const docsByPerson = await applicant.post(`/saksbehandling/saker/${id}/dokumentasjon`, { csrf, doc_text: 'Jeg ber meg selv om noe.', deadline: '2099-01-01' });
  assert.equal(docsByPerson.status, 404);
  const redecideByPerson = await applicant.post(`/saksbehandling/saker/${id}/ny-vurdering`, { csrf });
  assert.equal(redecideByPerson.status, 404);
  const denied = srv.sql(`select group_concat(action, ',') from (select action from audit where actor='person:${person}' and action like '%denied' order by seq)`);
  assert.deepEqual(denied.split(','), ['queue.read.denied', 'case.examine.denied', 'case.decide.denied', 'case.request-docs.denied', 'case.redecide.denied']);
  assert.equal(srv.sql(`select count(*) from audit where actor='person:${person}' and action='case.read' and object='case:${id}'`), '0', 'a refusal is no reading');

  const anonymous = new Client(srv.base);
  const a = await anonymous.get('/saksbehandling');
  assert.equal(a.status, 303);
  assert.match(a.headers.get('location'), /^\/login(\?next=|$)/);
  // A visitor is sent to log in from a case too, and the refusal is
  // audited (it was not, before the gate).
  const count = (action) => Number(srv.sql(`select count(*) from audit where actor='anonymous' and action='${action}'`));
  const examined = count('case.examine.denied');
  const ac = await anonymous.get(`/saksbehandling/saker/${id}`);
  assert.equal(ac.status, 303);
  assert.match(ac.headers.get('location'), /^\/login(\?next=|$)/);
  assert.equal(count('case.examine.denied'), examined + 1);
  const stats = count('stats.read.denied');
  assert.equal((await anonymous.get('/saksbehandling/statistikk')).status, 303);
  assert.equal(count('stats.read.denied'), stats + 1);

  const worker = new Client(srv.base);
  await loginStaff(worker, 'sara.berg');
  const justification = 'Særlige grunner er godt dokumentert i saken.';
  const none = await worker.post(`/saksbehandling/saker/${id}/vedtak`, { outcome: 'granted', grant_boarding: 'yes', justification });
  assert.equal(none.status, 403);
  const forged = await worker.post(`/saksbehandling/saker/${id}/vedtak`, { csrf: 'a'.repeat(64), outcome: 'granted', grant_boarding: 'yes', justification });
  assert.equal(forged.status, 403);
  const docs = await worker.post(`/saksbehandling/saker/${id}/dokumentasjon`, { doc_text: 'Send oss en bekreftelse.', deadline: '2099-01-01' });
  assert.equal(docs.status, 403);
  assert.equal(srv.sql(`select count(*) from decisions where case_id=${id}`), '1');
  assert.equal(srv.sql(`select status from cases where id=${id}`), 'manual');

  // A case worker is no applicant: the person's pages refuse them as a
  // missing page, and the gate audits the refusal.
  const before = srv.sql(`select count(*) from audit where action='case.read.denied' and actor like 'staff:%'`);
  assert.equal((await worker.get('/saker')).status, 404);
  assert.equal(srv.sql(`select count(*) from audit where action='case.read.denied' and actor like 'staff:%'`), String(Number(before) + 1));
});

test('too_short_justification_shows_the_field_error_and_stores_nothing', async () => {
  const id = await manualCase(new Client(srv.base), pupil());
  const worker = new Client(srv.base);
  await loginStaff(worker, 'sara.berg');
  const page = await worker.get(`/saksbehandling/saker/${id}`);
  const letters = srv.sql('select count(*) from letters');
  const r = await worker.post(`/saksbehandling/saker/${id}/vedtak`, {
    csrf: Client.csrf(page.text), outcome: 'granted', grant_boarding: 'yes', justification: '  Ok.  ',
  });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="justification-error">Skriv en begrunnelse på fra 10 til 2000 tegn\./);
  assert.match(r.text, /aria-invalid="true"/);
  assert.match(r.text, /href="#justification">Skriv en begrunnelse/);
  assert.match(r.text, /id="grant_boarding" name="grant_boarding" value="yes" checked/, 'the choice is kept');
  assert.match(r.text, />Ok\.<\/textarea>/, 'the text is kept');
  // Granting nothing is refused too, next to the outcome.
  const nothing = await worker.post(`/saksbehandling/saker/${id}/vedtak`, {
    csrf: Client.csrf(page.text), outcome: 'granted', justification: 'Grunnene er vurdert og godtatt.',
  });
  assert.equal(nothing.status, 422);
  assert.match(nothing.text, /id="outcome-error">Et innvilget vedtak må gi minst én støtte/);
  assert.equal(srv.sql(`select count(*) from decisions where case_id=${id}`), '1');
  assert.equal(srv.sql(`select status from cases where id=${id}`), 'manual');
  assert.equal(srv.sql('select count(*) from letters'), letters);
  assert.equal(srv.sql(`select count(*) from audit where action='case.decided-by-caseworker' and object='case:${id}'`), '0');
});

test('upper_secondary_form_names_each_wrong_field', async () => {
  const c = new Client(srv.base);
  await loginNin(c, pupil());
  const before = srv.sql('select count(*) from cases');
  const r = await c.apply({ ...special, distance_km: '12,345', daily_travel_minutes: '2000', walking_km: 'x', special_circumstances: 'maybe' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="distance_km-error">Skriv avstanden i km/);
  assert.match(r.text, /id="daily_travel_minutes-error">Reisetiden må være et helt antall minutter/);
  assert.match(r.text, /id="walking_km-error">Skriv gangavstanden i km/);
  assert.match(r.text, /id="special_circumstances-error">/);
  assert.match(r.text, /name="scheme" value="upper-secondary"/, 'the form stays the upper-secondary one');
  assert.equal(srv.sql('select count(*) from cases'), before);

  // Far from home: the rules grant the boarding grant at once.
  const far = await c.apply({ ...special, distance_km: '55.5', special_circumstances: '' });
  assert.equal(far.status, 303);
  const page = nbsp((await c.get(far.headers.get('location'))).text);
  assert.match(page, /Vedtak: Innvilget/);
  assert.match(page, /66 770 kr/);
});
