// security.test.mjs - the findings of issue #12's security test, each with
// the test that would have caught it: a second login ends the first
// session; a planted `pre` cookie is replaced and its CSRF token refused;
// Strict-Transport-Security when the public URL is https, none over http;
// and the audit log anchored by signed checkpoints, so that deleting its
// tail, rewriting it with fresh hashes or forging a checkpoint fails
// `stipend verify`.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bin, Client, createDemoDb, freePort, run } from '../lib/server.mjs';

// A server of our own, on a demo database in dir, with extra options.
async function serve(dir, extra = []) {
  const db = path.join(dir, 't.db');
  if (!existsSync(db)) await createDemoDb(db, { persons: 20 });
  const port = await freePort();
  const proc = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--test-login', '--threads', '4', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch { /* not up yet */ }
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base, db, log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      const code = await new Promise((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.once('exit', r)));
      return code;
    },
  };
}

function sql(db, query, ...flags) {
  const r = spawnSync('sqlite3', [...flags, db, query], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

let dir;
let srv;
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-security-'));
  srv = await serve(dir);
});
after(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a_second_login_in_the_same_browser_ends_the_first_session', async () => {
  const c = new Client(srv.base);
  await c.login(0);
  const first = c.cookies.get('sid');
  assert.equal((await c.get('/saker')).status, 200);
  await c.login(1);
  const second = c.cookies.get('sid');
  assert.notEqual(second, first);
  assert.equal((await c.get('/saker')).status, 200);
  // Someone holding the first cookie is a visitor who is not logged in.
  const old = new Client(srv.base);
  old.cookies.set('sid', first);
  const r = await old.get('/saker');
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), /^\/login/);
  // A case worker's login after a person's ends the person's session too.
  const page = await c.get('/login');
  const staff = await c.post('/login/test', { staff: 'per.lund', csrf: Client.csrf(page.text) });
  assert.equal(staff.status, 303);
  const was = new Client(srv.base);
  was.cookies.set('sid', second);
  assert.equal((await was.get('/saker')).status, 303);
});

test('a_planted_pre_cookie_is_replaced_and_a_form_with_its_csrf_token_refused', async () => {
  // Another site plants a value of the right form (43 characters) ...
  const planted = randomBytes(32).toString('base64url');
  assert.equal(planted.length, 43);
  const attacker = new Client(srv.base);
  attacker.cookies.set('pre', planted);
  const page = await attacker.get('/login');
  assert.equal(page.status, 200);
  const issued = page.headers.getSetCookie().find((c) => c.startsWith('pre='));
  assert.ok(issued, 'a planted pre cookie gets a new one');
  assert.notEqual(attacker.cookies.get('pre'), planted);
  // ... and the CSRF token the server showed to a request bearing it is
  // not the planted value's: a login posted with the planted cookie fails.
  const csrf = Client.csrf(page.text);
  const nin = page.text.match(/name="nin" value="(\d{11})"/)[1];
  const victim = new Client(srv.base);
  victim.cookies.set('pre', planted);
  const forged = await victim.post('/login/test', { nin, csrf });
  assert.equal(forged.status, 403);
  assert.equal(victim.cookies.get('sid'), undefined);
  // The token the server issued is kept as it is, and its form works.
  const again = await attacker.get('/login');
  assert.equal(again.headers.getSetCookie().filter((c) => c.startsWith('pre=')).length, 0);
  assert.equal((await attacker.post('/login/test', { nin, csrf: Client.csrf(again.text) })).status, 303);
});

// Answers of every kind: a page, a static asset, the health check, an error
// and the API.
async function answers(base) {
  return [
    await fetch(`${base}/`),
    await fetch(`${base}/static/app.css`),
    await fetch(`${base}/healthz`),
    await fetch(`${base}/no-such-page`),
    await fetch(`${base}/api/v1/decide`, { method: 'POST', body: '{' }),
  ];
}

test('no_strict_transport_security_over_plain_http', async () => {
  for (const r of await answers(srv.base)) assert.equal(r.headers.get('strict-transport-security'), null, r.url);
});

test('strict_transport_security_on_every_answer_when_the_public_url_is_https', async () => {
  const own = mkdtempSync(path.join(os.tmpdir(), 'stipend-hsts-'));
  const https = await serve(own, ['--public-url', 'https://stipend.example.no']);
  try {
    for (const r of await answers(https.base)) {
      assert.equal(r.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains', r.url);
    }
  } finally {
    await https.stop();
    rmSync(own, { recursive: true, force: true });
  }
});

// ---- the audit log anchored by signed checkpoints ----

// Play the attacker who can write the database: change record seq's detail
// and compute its hash and every later one again, as src/audit/audit.c does.
function rewriteAndRehash(db, seq, detail) {
  const rows = JSON.parse(sql(db, 'select seq, at, actor, action, object, detail, hash from audit order by seq', '-json'));
  const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
  let prev = '';
  const updates = ['drop trigger audit_no_update;'];
  for (const r of rows) {
    if (r.seq < seq) { prev = r.hash; continue; }
    const d = r.seq === seq ? detail : r.detail;
    const hash = createHash('sha256').update(`${prev}\n${r.seq}\n${r.at}\n${r.actor}\n${r.action}\n${r.object}\n${d}`)
      .digest('hex');
    updates.push(`update audit set detail=${q(d)}, prev_hash=${q(prev)}, hash=${q(hash)} where seq=${r.seq};`);
    prev = hash;
  }
  sql(db, updates.join('\n'));
}

test('verify_against_signed_checkpoints_finds_a_removed_tail_a_rewrite_and_a_forgery', async () => {
  const own = mkdtempSync(path.join(os.tmpdir(), 'stipend-anchor-'));
  const key = path.join(own, 'audit.key');
  const cps = path.join(own, 'checkpoints');
  try {
    // The key is made on first use, readable by its owner only.
    const s = await serve(own, ['--audit-key', key, '--checkpoints', cps]);
    const c = new Client(s.base);
    await c.login(0);
    const applied = await c.apply({ scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15',
      months_requested: '11' });
    assert.equal(applied.status, 303);
    assert.equal((await c.get(applied.headers.get('location'))).status, 200);
    assert.equal(await s.stop(), 0, s.log()); // a clean stop signs the head
    assert.equal(statSync(key).mode & 0o777, 0o600);
    const pub = `${key}.pub`;
    const pk = readFileSync(pub, 'utf8').split('\n').find((l) => /^[0-9a-f]{64}$/.test(l));
    assert.ok(pk);
    const records = Number(sql(s.db, 'select max(seq) from audit'));
    assert.ok(records >= 3, `only ${records} audit records`);
    const lines = readFileSync(cps, 'utf8').split('\n').filter((l) => /^\d/.test(l));
    assert.ok(lines.length >= 1);
    assert.match(lines.at(-1), new RegExp(`^${records} [0-9a-f]{64} \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ [0-9a-f]{128}$`));

    // An intact log passes, with the public key as a file or as hex.
    for (const k of [pub, pk]) {
      const ok = run(['verify', '--db', s.db, '--checkpoints', cps, '--audit-public-key', k]);
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, new RegExp(`audit chain intact: ${records} records; .* the newest at record ${records}`));
    }

    const copy = (name) => {
      const f = path.join(own, name);
      sql(s.db, `.backup ${f}`);
      return f;
    };
    // The last rows deleted: the chain alone still looks whole, the
    // checkpoint does not.
    const cut = copy('cut.db');
    sql(cut, `drop trigger audit_no_delete; delete from audit where seq > ${records - 2}`);
    const plainCut = run(['verify', '--db', cut]);
    assert.equal(plainCut.status, 0, plainCut.stdout + plainCut.stderr);
    const removed = run(['verify', '--db', cut, '--checkpoints', cps, '--audit-public-key', pub]);
    assert.equal(removed.status, 1);
    assert.match(removed.stdout, /records were removed/);

    // A row changed and every later hash computed again.
    const rewritten = copy('rewritten.db');
    rewriteAndRehash(rewritten, 2, 'outcome=rejected');
    const plainRewritten = run(['verify', '--db', rewritten]);
    assert.equal(plainRewritten.status, 0, plainRewritten.stdout + plainRewritten.stderr);
    const changed = run(['verify', '--db', rewritten, '--checkpoints', cps, '--audit-public-key', pub]);
    assert.equal(changed.status, 1);
    assert.match(changed.stdout, /the log was rewritten/);

    // A forged checkpoint: a signature altered ...
    const text = readFileSync(cps, 'utf8');
    const forged = path.join(own, 'forged');
    writeFileSync(forged, text.replace(/([0-9a-f])\n$/, (m, d) => `${d === '0' ? '1' : '0'}\n`));
    const bad = run(['verify', '--db', s.db, '--checkpoints', forged, '--audit-public-key', pub]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /bad signature/);
    // ... or the attacker's own key signing the cut log anew.
    const theirs = path.join(own, 'their.key');
    assert.equal(run(['audit-key', '--out', theirs]).status, 0);
    const resigned = path.join(own, 'resigned');
    const w = run(['work', '--db', cut, '--once', '--audit-key', theirs, '--checkpoints', resigned]);
    assert.equal(w.status, 0, w.stderr);
    assert.equal(run(['verify', '--db', cut, '--checkpoints', resigned, '--audit-public-key', theirs + '.pub']).status, 0);
    const refused = run(['verify', '--db', cut, '--checkpoints', resigned, '--audit-public-key', pub]);
    assert.equal(refused.status, 1);
    assert.match(refused.stdout, /bad signature/);
    // A line that is not a checkpoint fails too.
    appendFileSync(forged, 'not a checkpoint\n');
    assert.equal(run(['verify', '--db', s.db, '--checkpoints', forged, '--audit-public-key', pub]).status, 1);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('audit_key_and_checkpoint_options_are_checked', () => {
  const own = mkdtempSync(path.join(os.tmpdir(), 'stipend-anchor-opts-'));
  try {
    const db = path.join(own, 't.db');
    assert.equal(run(['init', '--db', db]).status, 0);
    const key = path.join(own, 'k');
    const made = run(['audit-key', '--out', key]);
    assert.equal(made.status, 0);
    assert.match(made.stdout, /^[0-9a-f]{64}\n$/);
    assert.equal(run(['audit-key', '--out', key]).status, 2); // never overwritten
    assert.equal(run(['audit-key']).status, 2);
    // The two options go together; verify needs the key with the file.
    assert.equal(run(['work', '--db', db, '--once', '--audit-key', key]).status, 2);
    assert.equal(run(['work', '--db', db, '--once', '--checkpoints', path.join(own, 'c')]).status, 2);
    assert.equal(run(['verify', '--db', db, '--checkpoints', path.join(own, 'c')]).status, 2);
    assert.equal(run(['verify', '--db', db, '--audit-public-key', `${key}.pub`]).status, 2);
    // A key others may read is refused.
    chmodSync(key, 0o644);
    const loose = run(['work', '--db', db, '--once', '--audit-key', key, '--checkpoints', path.join(own, 'c')]);
    assert.equal(loose.status, 2);
    assert.match(loose.stderr, /chmod 600/);
    // The options are documented in each command's help.
    for (const cmd of ['serve', 'work']) {
      const h = run([cmd, '--help']).stdout;
      assert.match(h, /--audit-key FILE/);
      assert.match(h, /--checkpoints FILE/);
    }
    assert.match(run(['verify', '--help']).stdout, /--audit-public-key KEY/);
    assert.match(run(['audit-key', '--help']).stdout, /Usage: stipend audit-key --out FILE/);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('the_checkpoint_job_recurs_every_five_minutes', () => {
  const own = mkdtempSync(path.join(os.tmpdir(), 'stipend-anchor-job-'));
  try {
    const db = path.join(own, 't.db');
    const key = path.join(own, 'k');
    const cps = path.join(own, 'c');
    assert.equal(run(['init', '--db', db]).status, 0);
    const times = () => readFileSync(cps, 'utf8').split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(' ')[2]);
    const at = (now) => {
      const r = run(['work', '--db', db, '--once', '--now', now, '--audit-key', key, '--checkpoints', cps]);
      assert.equal(r.status, 0, r.stderr);
    };
    // The first run: the job (armed at once) and the run's end.
    at('2025-09-01T12:00:00Z');
    assert.deepEqual(times(), ['2025-09-01T12:00:00Z', '2025-09-01T12:00:00Z']);
    // Four minutes on the job is not due: only the run's end signs.
    at('2025-09-01T12:04:00Z');
    assert.equal(times().length, 3);
    // Five minutes after the job's run it runs again.
    at('2025-09-01T12:05:00Z');
    assert.deepEqual(times().slice(3), ['2025-09-01T12:05:00Z', '2025-09-01T12:05:00Z']);
    assert.equal(run(['verify', '--db', db, '--checkpoints', cps, '--audit-key', key]).status, 0);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});
