// apply_grants.test.mjs - #9: the sickness grant (sykestipend) and the
// parental grant (foreldrestipend) applied for on the portal's application
// form, over HTTP with the registers beside the server: the scheme chosen
// on the form's first step, the contract's questions asked, the
// documentation each needs named, and the application taken the one way
// every application goes (one per person, scheme and school year, decided
// at once). Each decision is the rules' own: an entitled sickness grant
// goes to a case worker for the amount (sickness-grant-amount), a missing
// doctor's confirmation for the documentation
// (sickness-documentation-missing), AAP in the period gives none; an
// entitled parental grant goes to a case worker for the amount, an
// undocumented leave for the school's confirmation. A bad answer is shown
// next to its question with a message naming it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Client, nbsp, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ registers: true, persons: 40 }); });
after(async () => { await srv.stop(); });

const sick = { scheme: 'sickness-grant', sick_from: '02.09.2024', sick_to: '30.11.2024', percent_unable: '100',
  doctor_confirmed: 'yes', applied_before_ill: 'yes', work_assessment_allowance: 'no' };
const birth = { scheme: 'parental-grant', child_date: '10.01.2025', months_in_education_before: '10',
  lives_with_child: 'yes', partner_benefit_percent: '0', leave_documented: 'yes' };

// Each test its own person: one application per person, scheme and year.
let next = 0;
async function person() {
  const nins = srv.sql('select nin from persons order by id').split('\n');
  const nin = nins[next++];
  assert.ok(nin, 'no person left');
  const c = new Client(srv.base);
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
  return c;
}

async function form(c, scheme) {
  const page = await c.get(`/soknad?scheme=${scheme}`);
  assert.equal(page.status, 200, page.text);
  return { text: page.text, csrf: Client.csrf(page.text), key: page.text.match(/name="key" value="([0-9a-f]+)"/)[1] };
}

async function submit(c, answers) {
  const f = await form(c, answers.scheme);
  return c.post('/soknad', { csrf: f.csrf, key: f.key, ...answers });
}

function decisionOf(r) {
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  const row = srv.sql(`select scheme || '|' || school_year from cases where id = ${id}`);
  const d = JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id} order by id desc limit 1`));
  return { id, row, d, codes: d.manual_reasons.map((x) => x.code) };
}

const step = (d, rule) => d.trace.find((x) => x.rule === rule);

test('the_form_offers_both_grants_and_asks_the_sickness_questions_with_the_documentation_needed', async () => {
  const c = await person();
  const first = await c.get('/soknad');
  assert.match(first.text, /value="sickness-grant"/);
  assert.match(first.text, /value="parental-grant"/);
  const f = await form(c, 'sickness-grant');
  for (const id of ['sick_from', 'sick_to', 'percent_unable', 'doctor_confirmed-yes', 'applied_before_ill-no',
    'work_assessment_allowance-yes']) assert.match(f.text, new RegExp(`id="${id}"`));
  assert.match(f.text, /name="scheme" value="sickness-grant"/);
  assert.match(nbsp(f.text), /bekreftelse fra lege/);
  assert.match(f.text, /id="scheme-sickness" name="scheme" value="sickness-grant" checked/);
  // The education's questions are not asked.
  assert.doesNotMatch(f.text, /id="load_percent"/);
});

test('an_entitled_sickness_grant_is_decided_for_its_period_and_goes_to_a_case_worker_for_the_amount', async () => {
  const c = await person();
  const { id, row, d, codes } = decisionOf(await submit(c, sick));
  assert.equal(row, 'sickness-grant|2024-2025');
  assert.equal(d.outcome, 'manual');
  assert.deepEqual(codes, ['sickness-grant-amount']);
  const period = step(d, 'sickness-grant.period');
  assert.equal(period.inputs.grant_from, '2024-09-16'); // from day 15
  assert.equal(period.inputs.grant_to, '2024-11-30');
  assert.equal(period.value, 76);
  // The application stored is the contract's.
  const app = JSON.parse(srv.sql(`select application_json from cases where id = ${id}`));
  assert.deepEqual(app.sickness, { from: '2024-09-02', to: '2024-11-30', percent_unable: 100, doctor_confirmed: true,
    applied_before_ill: true, work_assessment_allowance: false });
  assert.equal(app.education, undefined);
  const page = await c.get(`/saker/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /Sykestipend/);
});

test('without_the_doctors_confirmation_a_case_worker_asks_for_it', async () => {
  const c = await person();
  const { d, codes } = decisionOf(await submit(c, { ...sick, doctor_confirmed: 'no' }));
  assert.equal(d.outcome, 'manual');
  assert.deepEqual(codes, ['sickness-documentation-missing']);
});

test('work_assessment_allowance_in_the_period_gives_no_sickness_grant', async () => {
  const c = await person();
  const { d } = decisionOf(await submit(c, { ...sick, work_assessment_allowance: 'yes' }));
  assert.equal(d.outcome, 'rejected');
  assert.equal(step(d, 'sickness-grant.no-aap').value, false);
});

test('a_parental_grant_is_decided_for_its_period_and_goes_to_a_case_worker_for_the_amount', async () => {
  const c = await person();
  const f = await form(c, 'parental-grant');
  assert.match(nbsp(f.text), /bekreftelse fra lærestedet/);
  assert.match(f.text, /id="partner_benefit_percent"[^>]*value="0"/);
  const { row, d, codes } = decisionOf(await c.post('/soknad', { csrf: f.csrf, key: f.key, ...birth }));
  assert.equal(row, 'parental-grant|2024-2025');
  assert.equal(d.outcome, 'manual');
  assert.deepEqual(codes, ['parental-grant-amount']);
});

test('an_undocumented_leave_goes_to_a_case_worker_for_the_schools_confirmation', async () => {
  const c = await person();
  const { codes } = decisionOf(await submit(c, { ...birth, leave_documented: 'no' }));
  assert.deepEqual(codes, ['parental-leave-documentation-missing']);
});

test('each_bad_answer_is_named_next_to_its_question_and_nothing_is_stored', async () => {
  const c = await person();
  const before = srv.sql('select count(*) from cases');
  let r = await submit(c, { ...sick, percent_unable: 'mye', sick_to: '01.09.2024', doctor_confirmed: '' });
  assert.equal(r.status, 422);
  const t = nbsp(r.text);
  assert.match(t, /id="percent_unable-error"[^>]*>Skriv hvor mange prosent du ikke kunne studere/);
  assert.match(t, /id="sick_to-error"[^>]*>Den siste dagen du var syk kan ikke være før den første/);
  assert.match(t, /id="doctor_confirmed-error"[^>]*>Svar på om lege har bekreftet/);
  assert.match(t, /href="#doctor_confirmed-yes"/);
  assert.match(r.text, /value="mye"/); // nothing the person wrote is lost
  r = await submit(c, { ...sick, sick_from: '02.09.2023' });
  assert.equal(r.status, 422);
  assert.match(nbsp(r.text), /id="sick_from-error"[^>]*>Sykeperioden må ligge i undervisningsåret/);
  r = await submit(c, { ...birth, child_date: '01.01.2999', partner_benefit_percent: '120' });
  assert.equal(r.status, 422);
  assert.match(nbsp(r.text), /id="child_date-error"[^>]*>Barnets fødselsdato eller adopsjonsdato kan ikke være etter i dag/);
  assert.match(nbsp(r.text), /id="partner_benefit_percent-error"/);
  assert.equal(srv.sql('select count(*) from cases'), before);
  // The API's answer names the contract's field.
  const f = await form(c, 'parental-grant');
  r = await c.request('POST', '/soknad', { csrf: f.csrf, key: f.key, ...birth, lives_with_child: 'maybe' },
    { accept: 'application/json' });
  assert.equal(r.status, 422);
  assert.equal(JSON.parse(r.text).field, 'parental.lives_with_child');
});

test('one_application_per_grant_and_school_year_and_a_change_application_decides_it_again', async () => {
  const c = await person();
  const { id } = decisionOf(await submit(c, { ...sick, doctor_confirmed: 'no' }));
  const again = await submit(c, sick);
  assert.equal(again.status, 409);
  assert.match(again.text, new RegExp(`/saker/${id}`));
  // The change application starts from the first answers.
  const page = await c.get(`/soknad?endring=${id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /id="sick_from"[^>]*value="02.09.2024"/);
  assert.match(page.text, /id="doctor_confirmed-no"[^>]*checked/);
  const r = await c.post('/soknad', { csrf: Client.csrf(page.text), change_of: id, ...sick });
  assert.equal(r.status, 303, r.text);
  // Decided again by the job runner: the doctor's confirmation given.
  let codes;
  for (let i = 0; i < 100; i++) {
    const rows = srv.sql(`select decision_json from decisions where case_id = ${id} order by id`).split('\n');
    codes = JSON.parse(rows.at(-1)).manual_reasons.map((x) => x.code);
    if (rows.length > 1) break;
    await new Promise((res) => { setTimeout(res, 100); });
  }
  assert.deepEqual(codes, ['sickness-grant-amount']);
});

// The documentation: asked for by a case worker on the case the rules sent
// there, and sent by the person from the case's page.
test('the_doctors_confirmation_is_asked_for_by_a_case_worker_and_uploaded_on_the_case', async () => {
  const c = await person();
  const { id, codes } = decisionOf(await submit(c, { ...sick, doctor_confirmed: 'no' }));
  assert.deepEqual(codes, ['sickness-documentation-missing']);
  const worker = new Client(srv.base);
  const login = await worker.get('/login');
  assert.equal((await worker.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(login.text) })).status, 303);
  const page = await worker.get(`/saksbehandling/saker/${id}`);
  assert.equal(page.status, 200);
  const deadline = new Date(Date.now() + 14 * 86400e3).toISOString().slice(0, 10).split('-').reverse().join('.');
  const asked = await worker.post(`/saksbehandling/saker/${id}/dokumentasjon`, { csrf: Client.csrf(page.text),
    doc_text: 'Send bekreftelsen fra legen på hvor mange prosent du ikke kunne studere.', deadline });
  assert.equal(asked.status, 303, asked.text);
  assert.equal(srv.sql(`select status from cases where id = ${id}`), 'awaiting-documentation');
  const form = await c.get(`/saker/${id}/dokumentasjon`);
  assert.equal(form.status, 200);
  const boundary = `----grant${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${Client.csrf(form.text)}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="legeerklaering.pdf"\r\n`
      + 'Content-Type: application/pdf\r\n\r\n'),
    Buffer.from('%PDF-1.4\n', 'latin1'), randomBytes(500), Buffer.from('\n%%EOF\n\r\n'),
    Buffer.from(`--${boundary}--\r\n`)]);
  const up = await c.request('POST', `/saker/${id}/dokumentasjon`, body,
    { 'content-type': `multipart/form-data; boundary=${boundary}` });
  assert.equal(up.status, 303, up.text);
  assert.equal(srv.sql(`select status from cases where id = ${id}`), 'manual');
  assert.equal(srv.sql(`select count(*) from documents where case_id = ${id}`), '1');
});
