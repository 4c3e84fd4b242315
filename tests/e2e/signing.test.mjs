// signing.test.mjs - the support agreement over HTTP against the real
// binaries: stipend serve wired to the simulator's signing service and its
// test CA. A granted loan gives an agreement (a PDF); "Signer avtalen"
// sends the browser to the service and back; the signature is verified
// against the CA and the person who must sign. A tampered document, another
// signer, an unknown CA and an expired certificate are each refused with
// their own message and leave the agreement unsigned. Under 18 a parent the
// population register names signs, acting for the pupil, until the day the
// pupil turns 18; a power of attorney covers its scopes only; paper goes
// through the print batch and a case worker registers its arrival.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, run, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ persons: 120, registers: true }); });
after(async () => { await srv.stop(); });

const loanApplication = { institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };
const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);

async function csrfOf(c, url = '/login') { return Client.csrf((await c.get(url)).text); }

async function loginNin(nin) {
  const c = new Client(srv.base);
  const r = await c.post('/login/test', { nin, csrf: await csrfOf(c) });
  assert.equal(r.status, 303);
  return c;
}

const personOf = (nin) => srv.sql(`select id from persons where nin='${nin}'`);

// Persons the tests have not used yet: adults without a confidential address.
const used = new Set();
function freshAdults() {
  return srv.sql("select nin from persons where confidential_address = 0 and birth_date < '2006-01-01' order by id")
    .split('\n').filter((n) => !used.has(n));
}

// A person whose application is granted with a loan at once, logged in,
// with their agreement made (by opening "Avtaler").
async function personWithAgreement(exclude = () => false) {
  for (const nin of freshAdults()) {
    if (exclude(nin)) continue;
    used.add(nin);
    const c = await loginNin(nin);
    const r = await c.apply(loanApplication);
    if (r.status !== 303) continue;
    const caseId = r.headers.get('location').split('/').pop();
    const outcome = srv.sql(`select outcome from decisions where case_id=${caseId} and superseded_at is null`);
    if (outcome !== 'granted') continue;
    const page = await c.get('/avtaler');
    assert.equal(page.status, 200, page.text);
    const id = srv.sql(`select id from agreements where case_id=${caseId}`);
    assert.match(id, /^\d+$/, 'no agreement was made for a granted loan');
    return { c, nin, caseId, id, person: personOf(nin) };
  }
  throw new Error('no person in the population was granted a loan');
}

// "Signer avtalen" as the browser does it: to the signing service, sign
// there as nin (with a test fault), and back to stipend. Returns the final
// redirect's location on stipend.
async function sign(c, id, { nin, fault = '', visit = true }) {
  const start = await c.post(`/avtaler/${id}/signer`, { csrf: await csrfOf(c, '/avtaler') });
  assert.equal(start.status, 303, start.text);
  const order = start.headers.get('location');
  assert.ok(order.startsWith(`${srv.registersUrl}/signing/v1/orders/`), order);
  const shown = await fetch(order);
  assert.equal(shown.status, 200);
  assert.match(await shown.text(), /Signer med BankID \(test\)/);
  const signed = await fetch(`${order}/sign`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ nin, fault }) });
  assert.equal(signed.status, 303);
  const back = new URL(signed.headers.get('location'));
  assert.equal(back.origin, srv.base);
  assert.equal(back.pathname, '/avtaler/retur');
  if (!visit) return { returnUrl: back.pathname + back.search };
  const done = await c.get(back.pathname + back.search);
  assert.equal(done.status, 303, done.text);
  return { location: done.headers.get('location'), returnUrl: back.pathname + back.search };
}

const state = (id) => srv.sql(`select state from agreements where id=${id}`);

test('a_granted_loan_gives_an_agreement_pdf_with_the_awards_and_the_person', async () => {
  const { c, id, caseId, nin } = await personWithAgreement();
  const r = await c.request('GET', `/avtaler/${id}/pdf`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  const stored = srv.sql(`select hex(pdf) from agreements where id=${id}`);
  assert.ok(stored.startsWith(Buffer.from('%PDF-').toString('hex').toUpperCase()));
  assert.equal(srv.sql(`select loan from agreements where id=${id}`), '15169000');
  const page = await c.get('/avtaler');
  assert.match(page.text, /Signer avtalen/);
  assert.match(page.text, new RegExp(`href="/saker/${caseId}"`));
  // The case page says the agreement comes before the payout.
  const casePage = await c.get(`/saker/${caseId}`);
  assert.match(casePage.text.replace(/\u00a0/g, ' '), /Før utbetaling må avtalen om støtte være signert/);
  // The text of the PDF (pdftotext when present) names the person and the loan.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-agreement-'));
  try {
    const file = path.join(dir, 'a.pdf');
    spawnSync('sqlite3', [srv.db, `select writefile('${file}', pdf) from agreements where id=${id}`]);
    const t = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    if (t.status === 0) {
      assert.match(t.stdout, /Avtale om støtte/);
      assert.match(t.stdout, new RegExp(nin));
      assert.match(t.stdout.replace(/\u00a0/g, ' '), /151 690/);
      assert.match(t.stdout, /rentefritt/);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
  // Opening the page again makes no second agreement for the same decision.
  await c.get('/avtaler');
  assert.equal(srv.sql(`select count(*) from agreements where case_id=${caseId}`), '1');
});

test('bad_signatures_are_refused_each_with_its_reason_and_a_valid_one_is_stored_verified', async () => {
  const { c, id, nin, person } = await personWithAgreement();
  const other = freshAdults()[0];
  const cases = [
    { fault: 'bytes', nin, code: 'bytes', text: /gjelder ikke dette dokumentet/ },
    { fault: '', nin: other, code: 'signer', text: /en annen person enn den som skal signere/ },
    { fault: 'ca', nin, code: 'ca', text: /ikke utstedt av en utsteder vi stoler på/ },
    { fault: 'expired', nin, code: 'expired', text: /ikke gyldig da det ble brukt/ },
  ];
  for (const k of cases) {
    const { location } = await sign(c, id, k);
    assert.equal(location, `/avtaler?feil=${k.code}`, `fault ${k.code}`);
    const page = await c.get(location);
    assert.match(page.text, k.text);
    assert.equal(state(id), 'unsigned', `${k.code}: the agreement must stay unsigned`);
    assert.equal(srv.sql(`select count(*) from audit where action='agreement.signature-refused' `
      + `and object='agreement:${id}' and detail='${k.code}'`), '1');
  }
  assert.equal(srv.sql(`select signature is null from agreements where id=${id}`), '1');
  // Signed in a second visit too (another tab): the later return finds it signed.
  const second = await sign(c, id, { nin, visit: false });
  const { location, returnUrl } = await sign(c, id, { nin });
  assert.equal(location, '/avtaler?status=signert');
  assert.equal(state(id), 'signed');
  assert.equal(srv.sql(`select signer_person_id || ' ' || signed_as from agreements where id=${id}`), `${person} self`);
  const v = JSON.parse(srv.sql(`select verification from agreements where id=${id}`));
  assert.equal(v.result, 'verified');
  assert.equal(v.subject_serial, nin);
  assert.equal(v.digest, 'sha-256');
  assert.equal(srv.sql(`select count(*) from audit where action='agreement.signed' and object='agreement:${id}' `
    + `and actor='person:${person}'`), '1');
  // The stored signature verifies with OpenSSL against the CA and the stored bytes.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-sig-'));
  try {
    spawnSync('sqlite3', [srv.db, `select writefile('${dir}/a.pdf', pdf), writefile('${dir}/s.der', signature) from agreements where id=${id}`]);
    const ok = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', `${dir}/s.der`, '-content', `${dir}/a.pdf`,
      '-binary', '-CAfile', path.join(srv.dir, 'ca.pem'), '-out', '/dev/null'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
  } finally { rmSync(dir, { recursive: true, force: true }); }
  assert.equal((await c.get(second.returnUrl)).headers.get('location'), '/avtaler?feil=signed-already');
  assert.equal(srv.sql(`select count(*) from audit where action='agreement.signed' and object='agreement:${id}'`), '1');
  // A reference is used once; a signed agreement is not signed again.
  const again = await c.get(returnUrl);
  assert.equal(again.headers.get('location'), '/avtaler?feil=unknown');
  const twice = await c.post(`/avtaler/${id}/signer`, { csrf: await csrfOf(c, '/avtaler') });
  assert.equal(twice.headers.get('location'), '/avtaler?feil=signed-already');
});

test('cancelling_at_the_service_leaves_the_agreement_unsigned', async () => {
  const { c, id } = await personWithAgreement();
  const start = await c.post(`/avtaler/${id}/signer`, { csrf: await csrfOf(c, '/avtaler') });
  const order = start.headers.get('location');
  const cancel = await fetch(`${order}/cancel`, { method: 'POST', redirect: 'manual' });
  const back = new URL(cancel.headers.get('location'));
  const done = await c.get(back.pathname + back.search);
  assert.equal(done.headers.get('location'), '/avtaler?feil=cancelled');
  assert.equal(state(id), 'unsigned');
});

test('another_person_can_neither_read_nor_sign_an_agreement', async () => {
  const { id } = await personWithAgreement();
  const other = await loginNin(freshAdults()[0]);
  assert.equal((await other.get(`/avtaler/${id}/pdf`)).status, 404);
  const r = await other.post(`/avtaler/${id}/signer`, { csrf: await csrfOf(other, '/avtaler') });
  assert.equal(r.status, 404);
  assert.equal(state(id), 'unsigned');
});

// A household of the register: a student and a parent who are both persons
// the agency knows.
async function household(exclude = new Set()) {
  for (const nin of freshAdults()) {
    if (exclude.has(nin)) continue;
    const r = await fetch(`${srv.registersUrl}/population/v1/persons/${nin}`);
    if (r.status !== 200) continue;
    const p = await r.json();
    const parent = (p.parents || []).find((n) => personOf(n) !== '' && !used.has(n));
    if (parent) return { child: nin, parent, parents: p.parents || [] };
  }
  throw new Error('no student with a parent in the population');
}

// The pupil's birth date set so that they turn 18 `days` days from today
// (0: today is the 18th birthday).
function turns18In(nin, days) {
  srv.sql(`update persons set birth_date = date('now', '-18 years', '${days >= 0 ? '+' : ''}${days} days') where nin='${nin}'`);
}

test('a_parent_signs_for_a_17_year_old_and_loses_the_right_on_the_18th_birthday', async () => {
  const h = await household();
  const child = await personWithAgreement((n) => n !== h.child);
  used.add(h.parent);
  turns18In(h.child, 30);
  // The pupil cannot sign their own agreement while under 18.
  const own = await child.c.get('/avtaler');
  assert.doesNotMatch(own.text, /Signer avtalen/);
  assert.match(own.text, /signeres av en av foreldrene eller vergen/);
  const refused = await child.c.post(`/avtaler/${child.id}/signer`, { csrf: Client.csrf(own.text) });
  assert.equal(refused.headers.get('location'), '/avtaler?feil=guardian-signs');

  const parent = await loginNin(h.parent);
  const parentId = personOf(h.parent);
  const list = await parent.get('/handle-for');
  assert.equal(list.status, 200);
  assert.match(list.text, new RegExp(`name="person" value="${child.person}"`));
  // Choosing acts for the child: the header says so, and the child's letters open.
  const chose = await parent.post('/handle-for', { csrf: Client.csrf(list.text), person: child.person, grant: 'guardian' });
  assert.equal(chose.status, 303);
  const inbox = await parent.get('/innboks');
  assert.equal(inbox.status, 200);
  assert.match(inbox.text, /Du handler for/);
  const letter = srv.sql(`select id from letters where person_id=${child.person} order by id limit 1`);
  assert.equal((await parent.get(`/innboks/${letter}`)).status, 200);
  // The parent applies for the child (a change to the child's application:
  // one application per scheme and school year, #15): the case is the
  // child's, and its records name both.
  const applied = await parent.apply({ ...loanApplication, change_of: child.caseId });
  assert.equal(applied.status, 303, applied.text);
  const newCase = applied.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select person_id from cases where id=${newCase}`), child.person);
  assert.ok(Number(srv.sql(`select count(*) from audit where object='case:${newCase}' `
    + `and actor='person:${parentId} for person:${child.person}'`)) >= 1);
  const page = await parent.get('/avtaler');
  assert.match(page.text, /Signer avtalen/);
  const { location } = await sign(parent, child.id, { nin: h.parent });
  assert.equal(location, '/avtaler?status=signert');
  assert.equal(srv.sql(`select signer_person_id || ' ' || signed_as from agreements where id=${child.id}`), `${parentId} guardian`);
  const actor = `person:${parentId} for person:${child.person}`;
  assert.equal(srv.sql(`select count(*) from audit where action='agreement.signed' and actor='${actor}'`), '1');
  assert.ok(Number(srv.sql(`select count(*) from audit where action='letter.read' and actor='${actor}'`)) >= 1);
  // The child sees who acted for them.
  const seen = await child.c.get('/fullmakter');
  assert.equal(seen.status, 200);
  const parentName = srv.sql(`select given_name || ' ' || family_name from persons where id=${parentId}`);
  assert.match(seen.text, new RegExp(parentName));
  assert.match(seen.text, /agreement\.signed/);

  // A confidential address is never shown to the guardian, only to the child.
  srv.sql(`update persons set confidential_address = 1 where id=${child.person}`);
  const address = srv.sql(`select address from persons where id=${child.person}`);
  const asParent = await parent.get(`/innboks/${letter}`);
  assert.equal(asParent.status, 200);
  assert.ok(!asParent.text.includes(address), 'the guardian saw a confidential address');
  assert.ok((await child.c.get(`/innboks/${letter}`)).text.includes(address));
  srv.sql(`update persons set confidential_address = 0 where id=${child.person}`);

  // The day before the 18th birthday the right holds; on the day it ends.
  turns18In(h.child, 1);
  assert.equal((await parent.get(`/innboks/${letter}`)).status, 200);
  turns18In(h.child, 0);
  const before = Number(srv.sql(`select count(*) from audit where action='letter.read.denied' and actor='person:${parentId}'`));
  assert.equal((await parent.get(`/innboks/${letter}`)).status, 404);
  assert.equal(Number(srv.sql(`select count(*) from audit where action='letter.read.denied' and actor='person:${parentId}'`)), before + 1);
  const after18 = await parent.get('/handle-for');
  assert.match(after18.text, /Fylt 18 år/);
  assert.doesNotMatch(after18.text, new RegExp(`name="person" value="${child.person}"`));
  const again = await parent.post('/handle-for', { csrf: Client.csrf(after18.text), person: child.person, grant: 'guardian' });
  assert.equal(again.status, 404);
  // Someone who is no parent of the child cannot choose them.
  const stranger = await loginNin(freshAdults().find((n) => !h.parents.includes(n)));
  turns18In(h.child, 30);
  const s = await stranger.post('/handle-for', { csrf: await csrfOf(stranger, '/handle-for'), person: child.person, grant: 'guardian' });
  assert.equal(s.status, 404);
});

test('a_proxy_reads_letters_within_the_scope_cannot_sign_and_loses_the_right_when_revoked', async () => {
  const grantor = await personWithAgreement();
  const proxyNin = freshAdults()[0];
  used.add(proxyNin);
  const form = await grantor.c.get('/fullmakter');
  // Bad input names the field and stores nothing.
  const bad = await grantor.c.post('/fullmakter', { csrf: Client.csrf(form.text), nin: proxyNin, valid_until: day(30) });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /Velg minst én ting/);
  const past = await grantor.c.post('/fullmakter', { csrf: Client.csrf(form.text), nin: proxyNin, letters: '1', valid_until: day(-1) });
  assert.equal(past.status, 422);
  assert.equal(srv.sql(`select count(*) from proxies where grantor_id=${grantor.person}`), '0');
  // #15: the end date is a text field for dd.mm.åååå, refused by name.
  assert.match(form.text, /id="valid_until" name="valid_until" type="text" inputmode="numeric"/);
  const noDay = await grantor.c.post('/fullmakter', { csrf: Client.csrf(form.text), nin: proxyNin, letters: '1', valid_until: '31.02.2030' });
  assert.equal(noDay.status, 422);
  assert.match(noDay.text, /id="valid_until-error">Skriv en dato fra i dag til fem år fram, som dd\.mm\.åååå\./);
  assert.match(noDay.text, /value="31\.02\.2030"/);
  const [y30, m30, d30] = day(30).split('-');
  const given = await grantor.c.post('/fullmakter', { csrf: Client.csrf(form.text), nin: proxyNin, letters: '1', valid_until: `${d30}.${m30}.${y30}` });
  assert.equal(given.status, 303);
  const proxyId = srv.sql(`select id from proxies where grantor_id=${grantor.person}`);
  assert.equal(srv.sql(`select valid_until from proxies where id=${proxyId}`), day(30), 'kept as ISO');

  const proxy = await loginNin(proxyNin);
  const list = await proxy.get('/handle-for');
  assert.match(list.text, new RegExp(`name="proxy" value="${proxyId}"`));
  // Visible to both.
  assert.match((await proxy.get('/fullmakter')).text, new RegExp(`data-id="${proxyId}"`));
  const chose = await proxy.post('/handle-for', { csrf: Client.csrf(list.text), person: grantor.person, grant: 'proxy', proxy: proxyId });
  assert.equal(chose.status, 303);
  const letter = srv.sql(`select id from letters where person_id=${grantor.person} order by id limit 1`);
  assert.equal((await proxy.get(`/innboks/${letter}`)).status, 200);
  // Outside the scope: no applying, no agreements, never signing.
  assert.equal((await proxy.get('/soknad')).status, 404);
  assert.equal((await proxy.get('/avtaler')).status, 404);
  const s = await proxy.post(`/avtaler/${grantor.id}/signer`, { csrf: await csrfOf(proxy, '/innboks') });
  assert.equal(s.status, 404);
  assert.equal(state(grantor.id), 'unsigned');
  const actor = `person:${personOf(proxyNin)} for person:${grantor.person}`;
  assert.equal(srv.sql(`select count(*) from audit where action='agreement.sign.denied' and actor='${actor}'`), '1');
  // The proxy cannot give powers in the grantor's name.
  const giving = await proxy.post('/fullmakter', { csrf: await csrfOf(proxy, '/innboks'), nin: proxyNin, letters: '1', valid_until: day(3) });
  assert.equal(giving.status, 404);

  // Revoked: the next request acts for the proxy themself.
  const rv = await grantor.c.post(`/fullmakter/${proxyId}/tilbakekall`, { csrf: await csrfOf(grantor.c, '/fullmakter') });
  assert.equal(rv.status, 303);
  assert.equal((await proxy.get(`/innboks/${letter}`)).status, 404);
  // An expired power is no right either.
  srv.sql(`update proxies set revoked_at = null, valid_until = date('now', '-1 day') where id=${proxyId}`);
  assert.equal((await proxy.get(`/innboks/${letter}`)).status, 404);
});

test('paper_goes_through_the_print_batch_and_a_case_worker_registers_its_arrival', async () => {
  const { c, id } = await personWithAgreement();
  const r = await c.post(`/avtaler/${id}/papir`, { csrf: await csrfOf(c, '/avtaler') });
  assert.equal(r.headers.get('location'), '/avtaler?status=papir');
  assert.equal(state(id), 'paper');
  const out = mkdtempSync(path.join(os.tmpdir(), 'stipend-print-'));
  try {
    const p = run(['print-batch', '--db', srv.db, '--out', out, '--json']);
    assert.equal(p.status, 0, p.stderr);
    assert.ok(JSON.parse(p.stdout).agreements >= 1);
    assert.ok(readdirSync(out).includes(`agreement-${id}.pdf`));
    assert.equal(readFileSync(path.join(out, `agreement-${id}.pdf`)).toString('hex'),
      srv.sql(`select lower(hex(pdf)) from agreements where id=${id}`));
    const again = run(['print-batch', '--db', srv.db, '--out', out, '--json']);
    assert.equal(JSON.parse(again.stdout).agreements, 0);
  } finally { rmSync(out, { recursive: true, force: true }); }
  const sara = new Client(srv.base);
  await sara.post('/login/test', { staff: 'sara.berg', csrf: await csrfOf(sara) });
  const list = await sara.get('/saksbehandling/avtaler');
  assert.equal(list.status, 200);
  assert.match(list.text, new RegExp(`/saksbehandling/avtaler/${id}/mottatt`));
  // The person cannot register it themself.
  const self = await c.post(`/saksbehandling/avtaler/${id}/mottatt`, { csrf: await csrfOf(c, '/avtaler') });
  assert.equal(self.status, 404);
  const ok = await sara.post(`/saksbehandling/avtaler/${id}/mottatt`, { csrf: Client.csrf(list.text) });
  assert.equal(ok.headers.get('location'), '/saksbehandling/avtaler?status=mottatt');
  assert.equal(state(id), 'paper-received');
  const twice = await sara.post(`/saksbehandling/avtaler/${id}/mottatt`, { csrf: Client.csrf(list.text) });
  assert.equal(twice.headers.get('location'), '/saksbehandling/avtaler?status=ikke-papir');
  assert.match((await c.get('/avtaler')).text, /Signert på papir/);
});
