// authz.test.mjs - the authorisation matrix and the CSRF table, over HTTP
// against the real binary.
//
// Both walk every route the server has, read from the route table itself
// (`stipend policy --json`), so that a route added without an entry in the
// policy fails here. The matrix asks every route as every kind of user
// (anonymous, the person the things belong to, another person, a case
// worker, a case worker authorised to see confidential addresses) and checks
// the answer against the policy table: what the table allows is answered,
// what it refuses is refused (404 or 403, or the login for a visitor who is
// not logged in), reveals nothing of the person, and leaves exactly one
// `<action>.denied` audit record by that user. The CSRF table posts a valid
// form to every POST route as a user the policy allows, once without the
// token and once with another session's, and checks that each answers 403
// and changes nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Client, run, startServer } from '../lib/server.mjs';

let srv;
let policy;
before(async () => {
  srv = await startServer({ persons: 400 });
  const p = run(['policy', '--json']);
  assert.equal(p.status, 0, p.stderr);
  policy = JSON.parse(p.stdout);
});
after(async () => { await srv.stop(); });

const special = {
  scheme: 'upper-secondary', lives_with_parents: 'no', start: '2024-08-19', end: '2025-06-20',
  distance_km: '12,5', daily_travel_minutes: '90', walking_km: '1.5', special_circumstances: 'yes',
};
const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);

let nextPupil = 0;
function pupil() {
  const nins = srv.sql("select nin from persons where birth_date between '2004-01-01' and '2008-12-31' "
    + 'and confidential_address = 0 order by id').split('\n');
  assert.ok(nextPupil < nins.length, 'the population has too few pupils');
  return nins[nextPupil++];
}

async function csrfOf(c) {
  return Client.csrf((await c.get('/login')).text);
}

async function loginNin(nin) {
  const c = new Client(srv.base);
  const r = await c.post('/login/test', { nin, csrf: await csrfOf(c) });
  assert.equal(r.status, 303);
  return c;
}

async function loginStaff(username) {
  const c = new Client(srv.base);
  const r = await c.post('/login/test', { staff: username, csrf: await csrfOf(c) });
  assert.equal(r.status, 303);
  return c;
}

function multipart(fields, files) {
  const boundary = `----stipend${randomBytes(8).toString('hex')}`;
  const parts = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\n`
      + `Content-Type: ${f.type}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

const pdf = () => ({
  name: 'uttalelse.pdf', type: 'application/pdf',
  data: Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), randomBytes(2000), Buffer.from('\n%%EOF\n')]),
});

// A person's manual case that a case worker has asked documentation for.
async function awaitingCase(sara) {
  const nin = pupil();
  const c = await loginNin(nin);
  const r = await c.apply(special);
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  const page = await sara.get(`/saksbehandling/saker/${id}`);
  const q = await sara.post(`/saksbehandling/saker/${id}/dokumentasjon`, {
    csrf: Client.csrf(page.text), doc_text: 'Send en uttalelse fra skolen.', deadline: day(14),
  });
  assert.equal(q.status, 303, q.text);
  return { c, nin, id, person: srv.sql(`select person_id from cases where id=${id}`) };
}

// The world the matrix walks: a person A with a case, its letters, a
// document A sent and a message A wrote; another person B; two case
// workers; a support agent; management; an anonymous visitor.
async function world() {
  const sara = await loginStaff('sara.berg');
  const per = await loginStaff('per.lund');
  const siri = await loginStaff('siri.hauge');
  const mona = await loginStaff('mona.vik');
  const a = await awaitingCase(sara);
  const form = await a.c.get(`/saker/${a.id}/dokumentasjon`);
  const m = multipart({ csrf: Client.csrf(form.text) }, [pdf()]);
  const up = await a.c.request('POST', `/saker/${a.id}/dokumentasjon`, m.body, { 'content-type': m.type });
  assert.equal(up.status, 303, up.text);
  const w = await a.c.get(`/innboks/skriv?case=${a.id}`);
  const sent = await a.c.post('/innboks/skriv', { csrf: Client.csrf(w.text), case: a.id, text: 'Hei, her er uttalelsen.' });
  assert.equal(sent.status, 303, sent.text);
  const ids = {
    case: a.id,
    letter: srv.sql(`select id from letters where case_id=${a.id} order by id limit 1`),
    message: srv.sql(`select id from messages where case_id=${a.id} and direction='in' limit 1`),
    document: srv.sql(`select id from documents where case_id=${a.id} limit 1`),
  };
  for (const [k, v] of Object.entries(ids)) assert.match(v, /^\d+$/, `no ${k} to test with`);
  const bNin = pupil();
  const b = await loginNin(bNin);
  const bPerson = srv.sql(`select id from persons where nin='${bNin}'`);
  const anon = new Client(srv.base);
  await anon.get('/');
  const name = srv.sql(`select family_name from persons where id=${a.person}`);
  const staffId = (u) => srv.sql(`select id from staff where username='${u}'`);
  const users = [
    { label: 'anonymous', c: anon, actor: 'anonymous', relations: [], person: false },
    { label: 'the owner', c: a.c, actor: `person:${a.person}`, relations: ['self'], person: true, owner: true },
    { label: 'another person', c: b, actor: `person:${bPerson}`, relations: [], person: true },
    { label: 'a case worker', c: per, actor: `staff:${staffId('per.lund')}`, relations: ['caseworker'], person: false },
    { label: 'an authorised case worker', c: sara, actor: `staff:${staffId('sara.berg')}`,
      relations: ['caseworker', 'caseworker+confidential'], person: false },
    { label: 'a support agent', c: siri, actor: `staff:${staffId('siri.hauge')}`, relations: ['support'], person: false },
    { label: 'management', c: mona, actor: `staff:${staffId('mona.vik')}`, relations: ['management'], person: false },
  ];
  return { a, ids, users, name };
}

// The URL of a route for the world's things.
function urlOf(route, ids) {
  let p = route.pattern;
  if (p.startsWith('/static/')) return '/static/app.css';
  if (p.startsWith('/kalender/')) return `/kalender/${'x'.repeat(43)}.ics`;
  const kind = p.startsWith('/innboks/') ? 'letter'
    : p.startsWith('/saksbehandling/henvendelser/') ? 'message'
      : p.startsWith('/saksbehandling/dokumenter/') ? 'document' : 'case';
  return p.replace(':id', ids[kind]);
}

// Whether the policy lets user do route's action on the world's things.
function allowed(route, user) {
  const act = policy.actions.find((x) => x.name === route.action);
  assert.ok(act, `route ${route.method} ${route.pattern} has no action in the policy`);
  if (act.name === 'public') return true;
  const onThing = route.pattern.includes(':id');
  if (act.about_person) {
    // A thing of A's (:id), or the user's own things (a person's pages).
    const rels = onThing ? user.relations : (user.person ? ['self'] : []);
    if (onThing && !user.owner && user.person) return false;
    return rels.some((r) => act.allowed.includes(r));
  }
  return user.relations.some((r) => act.allowed.includes(r));
}

const denials = (actor, action) =>
  Number(srv.sql(`select count(*) from audit where actor='${actor}' and action='${action}.denied'`));

// Routes the matrix leaves to their own tests: logging out ends the
// session the rest of the walk needs, and the login routes are public.
const skipped = new Set(['POST /logout']);

test('every_route_has_an_action_of_the_policy', () => {
  assert.ok(policy.routes.length > 30);
  const names = new Set(policy.actions.map((a) => a.name));
  for (const r of policy.routes)
    assert.ok(names.has(r.action), `${r.method} ${r.pattern}: action ${r.action} is not in the policy table`);
});

test('authorisation_matrix_every_route_as_every_kind_of_user', async () => {
  const { ids, users, name } = await world();
  const rows = [];
  for (const route of policy.routes) {
    if (skipped.has(`${route.method} ${route.pattern}`)) continue;
    const url = urlOf(route, ids);
    for (const user of users) {
      const expect = allowed(route, user);
      const before = user.actor ? denials(user.actor, route.action) : 0;
      const r = route.method === 'GET' ? await user.c.get(url)
        : await user.c.post(url, { csrf: await csrfOf(user.c) });
      const after = user.actor ? denials(user.actor, route.action) : 0;
      const toLogin = r.status === 303 && /^\/(login)?$/.test(r.headers.get('location') || '');
      const refused = r.status === 403 || r.status === 404 || toLogin;
      const where = `${route.method} ${url} as ${user.label}`;
      rows.push(`${where}: ${r.status} ${expect ? 'allowed' : 'refused'}`);
      if (route.action === 'public') {
        assert.notEqual(r.status, 403, `${where}: a public route refused`);
        continue;
      }
      if (expect) {
        assert.ok(!refused, `${where}: the policy allows it, the server answered ${r.status}`);
        assert.equal(after, before, `${where}: allowed, yet a refusal was audited`);
      } else {
        assert.ok(refused, `${where}: the policy refuses it, the server answered ${r.status}`);
        assert.equal(after, before + 1, `${where}: the refusal was not audited once as ${route.action}.denied`);
        // Nothing of the person leaks to anyone else (the owner's own name
        // is in the page header, rightly).
        if (!user.owner) assert.ok(!r.text.includes(name), `${where}: the refusal shows the person's name`);
      }
    }
  }
  assert.ok(rows.length >= 5 * 30, rows.join('\n'));
});

// A fingerprint of everything a request could change, but the audit
// records and jobs of the background runner.
function fingerprint(actors) {
  const tables = ['persons', 'cases', 'decisions', 'letters', 'messages', 'documents', 'document_submissions',
    'documentation_requests', 'deadlines', 'calendar_feeds', 'reminder_settings', 'contact_preferences',
    'mobile_verification', 'sessions'];
  const dump = spawnSync('sqlite3', [srv.db, ...tables.map((t) => `.dump ${t}`)], { encoding: 'utf8' });
  assert.equal(dump.status, 0, dump.stderr);
  const audited = srv.sql(`select count(*) from audit where actor in (${actors.map((a) => `'${a}'`).join(',')}) `
    + "and action not like '%.denied'");
  return `${dump.stdout}\naudited by the users: ${audited}`;
}

test('csrf_every_post_route_refuses_a_missing_or_foreign_token_and_changes_nothing', async () => {
  const sara = await loginStaff('sara.berg');
  const per = await loginStaff('per.lund');
  const a = await awaitingCase(sara);
  const other = await loginNin(pupil());
  const anon = new Client(srv.base);
  await anon.get('/');
  const msgCase = await awaitingCase(sara);
  const w = await msgCase.c.get(`/innboks/skriv?case=${msgCase.id}`);
  assert.equal((await msgCase.c.post('/innboks/skriv', { csrf: Client.csrf(w.text), case: msgCase.id, text: 'Spørsmål' })).status, 303);
  const message = srv.sql(`select id from messages where case_id=${msgCase.id} and direction='in' limit 1`);
  const staffOf = (u) => `staff:${srv.sql(`select id from staff where username='${u}'`)}`;
  const actors = [`person:${a.person}`, `person:${msgCase.person}`, staffOf('sara.berg'), staffOf('per.lund'), 'anonymous'];
  // For each POST route: who may post, a form that would change something
  // if the token were not checked, and how to send it.
  const forms = {
    'POST /login/test': { as: anon, foreign: other, form: { nin: a.nin } },
    'POST /logout': { as: a.c, foreign: other, form: {} },
    'POST /soknad': { as: other, foreign: a.c, form: special },
    'POST /saker/:id/dokumentasjon': { as: a.c, foreign: other, multipart: true, url: `/saker/${a.id}/dokumentasjon` },
    'POST /innboks/skriv': { as: a.c, foreign: other, form: { case: a.id, text: 'Et spørsmål' } },
    'POST /mine-sider/kalender/adresse': { as: a.c, foreign: other, form: { action: 'create' } },
    'POST /mine-sider/paminnelser': { as: a.c, foreign: other, form: { 'upper-secondary': '3', 'higher-education': '14' } },
    'POST /mine-sider/varsling': { as: a.c, foreign: other, form: { email: 'kari@example.no', mobile: '', channel: 'email', language: 'en' } },
    'POST /saksbehandling/saker/:id/vedtak': { as: sara, foreign: per, url: `/saksbehandling/saker/${a.id}/vedtak`,
      form: { outcome: 'rejected', justification: 'Vilkårene for særlige grunner er ikke oppfylt etter en samlet vurdering.' } },
    'POST /saksbehandling/saker/:id/dokumentasjon': { as: sara, foreign: per, url: `/saksbehandling/saker/${a.id}/dokumentasjon`,
      form: { doc_text: 'Send mer.', deadline: day(20) } },
    'POST /saksbehandling/saker/:id/ny-vurdering': { as: sara, foreign: per, url: `/saksbehandling/saker/${a.id}/ny-vurdering`, form: {} },
    'POST /saksbehandling/henvendelser/:id/svar': { as: sara, foreign: per, url: `/saksbehandling/henvendelser/${message}/svar`,
      form: { text: 'Her er svaret.' } },
    // The loan account (#11).
    'POST /mine-sider/gjeld/fastrente': { as: a.c, foreign: other, form: { years: '3' } },
    'POST /mine-sider/gjeld/plan': { as: a.c, foreign: other, form: { years: '2' } },
  };
  // The decision API reads no cookie and stores nothing: a forged request
  // can do no more than anyone may.
  const noSession = new Set(['POST /api/v1/decide']);
  const posts = policy.routes.filter((r) => r.method === 'POST' && !noSession.has(`${r.method} ${r.pattern}`));
  for (const route of posts) {
    const key = `${route.method} ${route.pattern}`;
    const f = forms[key];
    assert.ok(f, `${key}: a POST route the CSRF table does not know; add its form here`);
    const url = f.url || route.pattern;
    for (const token of [null, await csrfOf(f.foreign)]) {
      const before = fingerprint(actors);
      let r;
      if (f.multipart) {
        const m = multipart(token ? { csrf: token } : {}, [pdf()]);
        r = await f.as.request('POST', url, m.body, { 'content-type': m.type });
      } else {
        r = await f.as.post(url, token ? { ...f.form, csrf: token } : f.form);
      }
      const what = `${key} ${token ? "with another session's token" : 'without a token'}`;
      assert.equal(r.status, 403, `${what}: answered ${r.status}`);
      assert.equal(fingerprint(actors), before, `${what}: something changed`);
    }
  }
});
