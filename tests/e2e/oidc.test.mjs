// oidc.test.mjs - real login (tracker #13) against the simulator's OpenID
// providers: a citizen logs in through the test ID-porten and a member of
// staff through the agency's provider; a wrong nonce, an expired token, a
// token signed by an unknown key, a forged signature, a replayed code, a
// wrong audience, a wrong issuer and a wrong or foreign state are each
// refused and audited; key rotation is picked up; the level of assurance
// is kept on the session; logout ends the session here and at the provider;
// and without --test-login the test login is gone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, oidcControl, startServer } from '../lib/server.mjs';

let srv;

before(async () => {
  srv = await startServer({ persons: 20, oidc: true, testLogin: false });
});

after(async () => {
  await srv.stop();
});

const refusals = () => Number(srv.sql("SELECT count(*) FROM audit WHERE action = 'login.refused'"));

// A login the provider answers with a token wrong in one way: refused with
// 400, no session, and one more audited refusal naming why.
async function refusedWith(tamper, why) {
  const before = refusals();
  await oidcControl(srv.registersUrl, { next_token: tamper });
  const c = new Client(srv.base);
  const r = await c.loginOidc();
  assert.equal(r.status, 400, r.text);
  assert.match(r.text, /Vi kunne ikke logge deg inn/);
  assert.equal(c.cookies.has('sid'), false);
  assert.equal(refusals(), before + 1);
  const detail = srv.sql("SELECT detail FROM audit WHERE action = 'login.refused' ORDER BY seq DESC LIMIT 1");
  assert.match(detail, why);
  assert.equal((await oidcControl(srv.registersUrl)).tamper_armed, false);
}

test('GET /login goes to the provider with PKCE (S256), state and nonce', async () => {
  const c = new Client(srv.base);
  const r = await c.get('/login');
  assert.equal(r.status, 303);
  const url = new URL(r.headers.get('location'));
  assert.equal(url.origin + url.pathname, `${srv.registersUrl}/oidc/idporten/authorize`);
  assert.equal(url.searchParams.get('response_type'), 'code');
  assert.equal(url.searchParams.get('client_id'), 'stipend');
  assert.equal(url.searchParams.get('redirect_uri'), `${srv.base}/login/callback`);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.match(url.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(url.searchParams.get('state'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(url.searchParams.get('nonce'), /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(url.searchParams.get('state'), url.searchParams.get('nonce'));
  // The verifier stays on the server: the browser sees only its hash.
  assert.equal(srv.sql(`SELECT count(*) FROM oidc_logins WHERE state = '${url.searchParams.get('state')}'`), '1');
});

test('a citizen logs in through the provider and lands on their cases, at the level chosen', async () => {
  const c = new Client(srv.base);
  const r = await c.loginOidc('/login/idporten', { index: 0 });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/saker');
  assert.ok(c.cookies.has('sid'));
  const cases = await c.get('/saker');
  assert.equal(cases.status, 200);
  const name = srv.sql(`SELECT given_name || ' ' || family_name FROM persons WHERE nin = '${r.pid}'`);
  assert.ok(name.length > 1);
  assert.ok(cases.text.includes(name), 'the header names the person logged in');
  const id = srv.sql(`SELECT id FROM persons WHERE nin = '${r.pid}'`);
  assert.equal(srv.sql(`SELECT acr FROM sessions WHERE person_id = ${id} ORDER BY expires_at DESC LIMIT 1`),
    'idporten-loa-substantial');
  assert.equal(srv.sql(`SELECT count(*) FROM audit WHERE action = 'login' AND actor = 'person:${id}'`), '1');
  // The login under way is spent.
  assert.equal(srv.sql('SELECT count(*) FROM oidc_logins'), '1', 'only the first test\'s unfinished login is left');
});

test('a step-up asks the provider for high assurance and the session keeps it', async () => {
  const c = new Client(srv.base);
  const begin = await c.get('/login/idporten?acr=high&next=/mine-sider');
  const url = new URL(begin.headers.get('location'));
  assert.equal(url.searchParams.get('acr_values'), 'idporten-loa-high');
  const page = await (await fetch(url)).text();
  assert.match(page, /value="idporten-loa-high" checked/, 'the provider offers high first');
  const c2 = new Client(srv.base);
  const r = await c2.loginOidc('/login/idporten?acr=high&next=/mine-sider', { index: 1, acr: 'idporten-loa-high' });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/mine-sider');
  const id = srv.sql(`SELECT id FROM persons WHERE nin = '${r.pid}'`);
  assert.equal(srv.sql(`SELECT acr FROM sessions WHERE person_id = ${id}`), 'idporten-loa-high');
});

test('changing the payout account needs high: a substantial login is sent to step up, and back to the page', async () => {
  const c = new Client(srv.base);
  const r = await c.loginOidc('/login/idporten', { index: 7 });
  assert.equal(r.status, 303);
  const id = srv.sql(`SELECT id FROM persons WHERE nin = '${r.pid}'`);
  const page = await c.get('/mine-sider/utbetaling');
  assert.equal(page.status, 200, 'reading the payout page needs no more than substantial');
  const post = await c.post('/mine-sider/utbetaling/konto', { csrf: Client.csrf(page.text), account: '12345678903' });
  assert.equal(post.status, 303);
  const to = new URL(post.headers.get('location'), srv.base);
  assert.equal(to.pathname, '/login/idporten');
  assert.equal(to.searchParams.get('acr'), 'high');
  assert.equal(to.searchParams.get('next'), '/mine-sider/utbetaling', 'back to the page the form was on');
  assert.equal(srv.sql(`SELECT count(*) FROM audit WHERE actor = 'person:${id}' AND action = 'payout.account.write.denied'`), '1');
  assert.equal(srv.sql(`SELECT count(*) FROM payout_accounts WHERE person_id = ${id}`), '0', 'nothing registered');
});

test('next is a local path only: another site is never where a login leads', async () => {
  const c = new Client(srv.base);
  const r = await c.loginOidc('/login/idporten?next=//evil.example/x', { index: 2 });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/');
});

test('a member of staff logs in through the agency provider with the role from its claim', async () => {
  const c = new Client(srv.base);
  const r = await c.loginOidc('/login/ansatt', { username: 'sara.berg' });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/saksbehandling');
  const wb = await c.get('/saksbehandling');
  assert.equal(wb.status, 200);
  const support = new Client(srv.base);
  const s = await support.loginOidc('/login/ansatt', { username: 'siri.hauge' });
  assert.equal(s.headers.get('location'), '/kundesenter', 'a support agent lands at the support desk');
  assert.equal((await support.get('/saksbehandling')).status, 403, 'a support agent has no queue');
  // Institution staff log in the same way and land in their workspace.
  const school = new Client(srv.base);
  const i = await school.loginOidc('/login/ansatt', { username: 'ingrid.dahl' });
  assert.equal(i.headers.get('location'), '/larested');
  assert.equal((await school.get('/larested')).status, 200);
});

test('a role the provider vouches for that is not the staff record\'s is refused', async () => {
  srv.sql("UPDATE staff SET role = 'support' WHERE username = 'per.lund'");
  try {
    const before = refusals();
    const c = new Client(srv.base);
    const r = await c.loginOidc('/login/ansatt', { username: 'per.lund' });
    assert.equal(r.status, 400, r.text);
    assert.equal(c.cookies.has('sid'), false);
    assert.equal(refusals(), before + 1);
    assert.match(srv.sql("SELECT detail FROM audit WHERE action = 'login.refused' ORDER BY seq DESC LIMIT 1"), /role/);
  } finally {
    srv.sql("UPDATE staff SET role = 'caseworker' WHERE username = 'per.lund'");
  }
});

test('a wrong nonce is refused', async () => {
  await refusedWith({ nonce: 'not-the-nonce-we-sent' }, /nonce/);
});

test('an expired token is refused', async () => {
  await refusedWith({ exp_offset: -3600 }, /expired/);
});

test('a token signed by a key the provider does not publish is refused', async () => {
  await refusedWith({ unknown_key: true }, /key the provider does not publish/);
});

test('a token whose signature is not the named key\'s is refused', async () => {
  await refusedWith({ forged: true }, /signature/);
});

test('a token for another audience is refused', async () => {
  await refusedWith({ aud: 'another-client' }, /audience/);
});

test('a token from another issuer is refused', async () => {
  await refusedWith({ iss: 'http://127.0.0.1:1/oidc/idporten' }, /issuer/);
});

test('a replayed callback is refused, and so is a used code under a fresh state', async () => {
  const c = new Client(srv.base);
  const first = await c.loginOidc('/login/idporten', { index: 3 });
  assert.equal(first.status, 303);
  // The same callback again: its state was taken.
  const again = await c.get(first.callback);
  assert.equal(again.status, 400);
  // The code with the state of a new login: the provider refuses the code.
  const fresh = new URL((await c.get('/login/idporten')).headers.get('location'));
  const code = new URL(first.callback, srv.base).searchParams.get('code');
  const before = refusals();
  const replay = await c.get(`/login/callback?code=${encodeURIComponent(code)}&state=${fresh.searchParams.get('state')}`);
  assert.equal(replay.status, 400);
  assert.equal(refusals(), before + 1);
  assert.match(srv.sql("SELECT detail FROM audit WHERE action = 'login.refused' ORDER BY seq DESC LIMIT 1"),
    /refused the code/);
});

test('a wrong state, or one begun in another browser, is refused', async () => {
  const c = new Client(srv.base);
  assert.equal((await c.get('/login/callback?code=abc&state=made-up-state')).status, 400);
  assert.equal((await c.get('/login/callback?code=abc')).status, 400);
  // B's browser carries A's callback: refused, and A's login is spent.
  const a = new Client(srv.base);
  const b = new Client(srv.base);
  await b.get('/');
  const begin = await a.get('/login/idporten');
  const authorize = new URL(begin.headers.get('location'));
  const html = await (await fetch(authorize)).text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([a-z_]+)" value="([^"]*)">/g)) form.set(m[1], m[2]);
  form.set('pid', html.match(/name="pid" id="p0" value="(\d{11})"/)[1]);
  form.set('acr', 'idporten-loa-substantial');
  const post = await fetch(new URL('/oidc/idporten/authorize', authorize), { method: 'POST', body: form.toString(),
    redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const back = new URL(post.headers.get('location'));
  const stolen = await b.get(back.pathname + back.search);
  assert.equal(stolen.status, 400);
  assert.equal(b.cookies.has('sid'), false);
  assert.equal((await a.get(back.pathname + back.search)).status, 400, 'the state is spent');
});

test('a callback naming another issuer (a mix-up) is refused', async () => {
  const c = new Client(srv.base);
  const begin = await c.get('/login/idporten');
  const authorize = new URL(begin.headers.get('location'));
  const html = await (await fetch(authorize)).text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([a-z_]+)" value="([^"]*)">/g)) form.set(m[1], m[2]);
  form.set('pid', html.match(/name="pid" id="p0" value="(\d{11})"/)[1]);
  form.set('acr', 'idporten-loa-substantial');
  const post = await fetch(new URL('/oidc/idporten/authorize', authorize), { method: 'POST', body: form.toString(),
    redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const back = new URL(post.headers.get('location'));
  assert.equal(back.searchParams.get('iss'), `${srv.registersUrl}/oidc/idporten`);
  back.searchParams.set('iss', 'https://evil.example/oidc');
  const r = await c.get(back.pathname + back.search);
  assert.equal(r.status, 400);
  assert.equal(c.cookies.has('sid'), false);
});

test('the provider refusing or the user cancelling is refused with its error', async () => {
  const c = new Client(srv.base);
  const state = new URL((await c.get('/login/idporten')).headers.get('location')).searchParams.get('state');
  const r = await c.get(`/login/callback?error=access_denied&state=${state}`);
  assert.equal(r.status, 400);
  assert.equal(c.cookies.has('sid'), false);
});

test('a rotation of the provider\'s keys is picked up', async () => {
  const c = new Client(srv.base);
  assert.equal((await c.loginOidc('/login/idporten', { index: 4 })).status, 303);
  const before = (await oidcControl(srv.registersUrl)).kids;
  await oidcControl(srv.registersUrl, { rotate: true });
  const now = (await oidcControl(srv.registersUrl)).kids;
  assert.notEqual(now[0], before[0], 'a new signing key');
  assert.equal(now[1], before[0], 'the old one still published');
  const d = new Client(srv.base);
  const r = await d.loginOidc('/login/idporten', { index: 5 });
  assert.equal(r.status, 303, r.text);
  assert.equal((await d.get('/saker')).status, 200);
});

test('logout ends the session here and at the provider', async () => {
  const c = new Client(srv.base);
  const r = await c.loginOidc('/login/idporten', { index: 6 });
  assert.equal(r.status, 303);
  const logouts = (await oidcControl(srv.registersUrl)).logouts;
  const page = await c.get('/saker');
  const out = await c.post('/logout', { csrf: Client.csrf(page.text) });
  assert.equal(out.status, 303);
  const end = new URL(out.headers.get('location'));
  assert.equal(end.origin + end.pathname, `${srv.registersUrl}/oidc/idporten/endsession`);
  assert.ok(end.searchParams.get('id_token_hint').split('.').length === 3);
  assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${srv.base}/`);
  const back = await fetch(end, { redirect: 'manual' });
  assert.equal(back.status, 302);
  assert.equal(back.headers.get('location'), `${srv.base}/`);
  assert.equal((await oidcControl(srv.registersUrl)).logouts, logouts + 1);
  assert.equal(c.cookies.has('sid'), false);
  const id = srv.sql(`SELECT id FROM persons WHERE nin = '${r.pid}'`);
  assert.equal(srv.sql(`SELECT count(*) FROM sessions WHERE person_id = ${id}`), '0');
  assert.equal(srv.sql('SELECT count(*) FROM oidc_sessions WHERE key_hash NOT IN (SELECT key_hash FROM sessions)'), '0');
});

// A valid synthetic test number (month + 80) that no person of the demo
// population has: born 15 January 1995, individual number from 900.
function strangerNin() {
  const w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]; const w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  for (let i = 900; i < 1000; i++) {
    const d = `158195${i}`.split('').map(Number);
    let k1 = 11 - (d.reduce((s, x, j) => s + x * w1[j], 0) % 11); if (k1 === 11) k1 = 0;
    if (k1 === 10) continue;
    let k2 = 11 - ([...d, k1].reduce((s, x, j) => s + x * w2[j], 0) % 11); if (k2 === 11) k2 = 0;
    if (k2 === 10) continue;
    return `158195${i}${k1}${k2}`;
  }
  throw new Error('no number');
}

test('a person the agency does not know is told so, and no session starts', async () => {
  const nin = strangerNin();
  assert.equal(srv.sql(`SELECT count(*) FROM persons WHERE nin = '${nin}'`), '0');
  const c = new Client(srv.base);
  const r = await c.loginOidc('/login/idporten', { pid: nin });
  assert.equal(r.status, 403, r.text);
  assert.match(r.text, /ingen opplysninger om deg/);
  assert.equal(c.cookies.has('sid'), false);
});

test('without --test-login the test login is not there', async () => {
  const c = new Client(srv.base);
  await c.get('/');
  const r = await c.post('/login/test', { nin: '01010112345', csrf: '0'.repeat(64) });
  assert.ok(r.status === 404 || r.status === 403, `answered ${r.status}`);
  const home = await c.get('/');
  assert.doesNotMatch(home.text, /test-banner/);
});
