// conflict.test.mjs - facts that contradict each other go to a case
// worker: a person the population register lists as living with the
// parents, at an address that is neither parent's, applies through the
// portal; the registers' facts reach the rules as conflicting_facts and the
// case lands in the case workers' queue with reason conflicting-facts
// (forvaltningsloven § 17), found here through the register simulator as a
// real client would find it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ persons: 1000, registers: true }); });
after(async () => { await srv.stop(); });

const get = async (path) => (await fetch(srv.registersUrl + path)).json();
const same = (a, b) => a && b && a.line === b.line && a.postcode === b.postcode;

// Persons registered with their parents at an address no parent has.
async function contradicted() {
  const { persons } = await get('/population/v1/persons?limit=1000');
  const byNin = new Map(persons.map((p) => [p.nin, p]));
  return persons.filter((p) => p.lives_with_parents && p.address && p.parents.length > 0 &&
    p.parents.every((n) => byNin.has(n) && byNin.get(n).address && !same(byNin.get(n).address, p.address)));
}

test('contradicting_register_facts_send_the_application_to_a_case_worker', async () => {
  const found = await contradicted();
  assert.ok(found.length > 0, 'the population has persons whose facts contradict each other');
  const c = new Client(srv.base);
  const login = await c.get('/login');
  const r0 = await c.post('/login/test', { nin: found[0].nin, csrf: Client.csrf(login.text) });
  assert.equal(r0.status, 303);
  const r = await c.apply({ scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'yes', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' });
  assert.equal(r.status, 303);
  const id = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status from cases where id = ${id}`), 'manual');
  const decision = JSON.parse(srv.sql(`select decision_json from decisions where case_id = ${id}`));
  assert.ok(decision.manual_reasons.some((m) => m.code === 'conflicting-facts'), JSON.stringify(decision.manual_reasons));
  const facts = JSON.parse(srv.sql(`select facts_json from decisions where case_id = ${id}`));
  assert.equal(facts.address_conflict, true);

  // The case worker's queue, filtered by the reason, holds it.
  const cw = new Client(srv.base);
  const page = await cw.get('/login');
  const staff = page.text.match(/name="staff" value="([^"]+)"/)[1];
  assert.equal((await cw.post('/login/test', { staff, csrf: Client.csrf(page.text) })).status, 303);
  const queue = await cw.get('/saksbehandling?reason=conflicting-facts');
  assert.equal(queue.status, 200);
  assert.match(queue.text, new RegExp(`/saksbehandling/saker/${id}"`));
});
