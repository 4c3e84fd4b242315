// server.mjs - start the real stipend binary on 127.0.0.1 for a test, with
// its own demo database in a temporary folder, and speak HTTP to it as a
// browser would (cookies, CSRF tokens from the forms). The simulated world
// (the registers and the test SMS gateway) is a program of its own,
// stipend-sim: startSim() runs it, and createDemoDb() makes a database of its
// synthetic population with `stipend init --demo --registers URL`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSmtp } from './smtp.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = path.join(root, 'stipend');
export const simBin = path.join(root, 'stipend-sim');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function run(args, input) {
  return spawnSync(bin, args, { input, encoding: 'utf8' });
}

async function waitFor(url, what, log) {
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status === 200) return;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`${what} did not start: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Run the register simulator (`stipend-sim serve`) on a free port with the
// first `persons` persons of the synthetic population of seed 7 (or `seed`).
// Resolves to { url, port, proc, stop() }.
// With signingCa (a folder), the signing service's test CA is written there
// as ca.pem and ca.key (the server's --signing-ca reads ca.pem).
export async function startSim({ persons = 50, seed, port, signingCa } = {}) {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['serve', '--persons', String(persons), '--listen', `127.0.0.1:${port}`];
  if (signingCa) args.push('--signing-ca', path.join(signingCa, 'ca.pem'), '--signing-key', path.join(signingCa, 'ca.key'));
  if (seed !== undefined) args.push('--seed', String(seed));
  const proc = spawn(simBin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    await waitFor(`${url}/health`, 'the register simulator', () => log);
  } catch (err) {
    proc.kill('SIGTERM');
    throw err;
  }
  return {
    url, port, proc, log: () => log,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

// Create the demo database db as `stipend init --demo` does, with the
// population of the register simulator sim (from startSim), or of one run
// for the purpose with `persons` persons: the same people in the same order
// as a simulator of that size serves, and the test case workers.
export async function createDemoDb(db, { persons = 50, sim = null } = {}) {
  const own = sim ? null : await startSim({ persons });
  try {
    const init = await new Promise((resolve) => {
      const p = spawn(bin, ['init', '--demo', '--registers', (sim ?? own).url, '--persons', String(persons),
        '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = ''; let stderr = '';
      p.stdout.on('data', (d) => { stdout += d; });
      p.stderr.on('data', (d) => { stderr += d; });
      p.once('close', (status) => resolve({ status, stdout, stderr }));
    });
    if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
    return init;
  } finally {
    if (own) await own.stop();
  }
}

// With registers: true the register simulator runs beside the server with
// the same population, and the server fetches applicants' facts from it and
// sends SMS notices to its test SMS gateway. With smtp: true a local SMTP
// server (tests/lib/smtp.mjs) takes the e-mail notices. params names a
// parameter folder the server reads instead of the compiled-in one.
//
// With oidc: true (real login, tracker #13) the server logs citizens in with
// the simulator's test ID-porten and staff with its agency provider (the
// simulator runs beside it, as with registers: true); testLogin: false
// leaves the test login off, as in production.
export async function startServer({ persons = 50, registers = false, smtp = false, oidc = false, testLogin = true,
  params = null } = {}) {
  if (oidc) registers = true;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-test-'));
  const db = path.join(dir, 't.db');
  const sim = registers ? await startSim({ persons, signingCa: dir }) : null;
  const registersUrl = sim ? sim.url : null;
  try {
    await createDemoDb(db, { persons, sim });
  } catch (err) {
    if (sim) await sim.stop();
    throw err;
  }
  const port = await freePort();
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--threads', '4'];
  if (testLogin) args.push('--test-login');
  if (oidc) args.push(...oidcArgs(registersUrl));
  if (registersUrl) args.push('--registers', registersUrl, '--sms', `${registersUrl}/sms/v1/messages`);
  // The simulator's signing service, trusted through its test CA.
  if (registersUrl) args.push('--signing-url', `${registersUrl}/signing/v1`, '--signing-ca', path.join(dir, 'ca.pem'));
  if (params) args.push('--params', params);
  const mail = smtp ? await startSmtp() : null;
  if (mail) args.push('--smtp', mail.url);
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`, 'the server', () => log);
  return {
    base, db, dir, registersUrl, smtp: mail, log: () => log, pid: proc.pid,
    // The text messages the test SMS gateway received for a number ("+4791234567").
    async sms(to) {
      const r = await fetch(`${registersUrl}/sms/v1/messages?to=${encodeURIComponent(to)}`);
      if (r.status !== 200) throw new Error(`the SMS gateway answered ${r.status}`);
      return (await r.json()).messages;
    },
    // Set a register's failure mode in the simulator: ok, error, slow, malformed, down.
    async registerMode(register, mode) {
      const r = await fetch(`${registersUrl}/_control`, { method: 'POST', body: JSON.stringify({ register, mode }) });
      if (r.status !== 200) throw new Error(`_control answered ${r.status}`);
    },
    sql(query) {
      // The server writes at the same time: wait for its lock rather than
      // fail at once with "database is locked" (the shell waits 0 ms).
      const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', db, query], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      if (sim) await sim.stop();
      if (mail) await mail.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The serve options that wire stipend to the simulator's OpenID providers
// (the simulator's test clients and their secrets, sim/oidc.h).
export function oidcArgs(simUrl) {
  return ['--oidc-issuer', `${simUrl}/oidc/idporten`, '--oidc-client-id', 'stipend',
    '--oidc-client-secret', 'stipend-test-secret',
    '--staff-oidc-issuer', `${simUrl}/oidc/agency`, '--staff-oidc-client-id', 'stipend-staff',
    '--staff-oidc-client-secret', 'stipend-staff-test-secret'];
}

// The simulator's OpenID control (test only): rotate keys, make the next ID
// token wrong ({ next_token: { nonce, aud, iss, exp_offset, unknown_key,
// forged } }), or read its state (GET).
export async function oidcControl(simUrl, body) {
  const r = body === undefined ? await fetch(`${simUrl}/oidc/_control`)
    : await fetch(`${simUrl}/oidc/_control`, { method: 'POST', body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`oidc _control answered ${r.status}`);
  return r.json();
}

// A browser-like client: keeps cookies, reads CSRF tokens from pages.
export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); }

  cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }

  async request(method, url, body, headers = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    if (body !== undefined && typeof body === 'object' && !(body instanceof Buffer)) {
      body = new URLSearchParams(body).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    }
    const r = await fetch(this.base + url, { method, body, headers: h, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i); const v = pair.slice(i + 1);
      if (/Max-Age=0/.test(c)) this.cookies.delete(k); else this.cookies.set(k, v);
    }
    const text = await r.text();
    return { status: r.status, headers: r.headers, text };
  }

  get(url) { return this.request('GET', url); }
  post(url, form) { return this.request('POST', url, form); }

  static csrf(html) {
    const m = html.match(/name="csrf" value="([0-9a-f]{64})"/);
    if (!m) throw new Error('no CSRF token on the page');
    return m[1];
  }

  // Log in with the test login as the person with index i in the list.
  async login(i = 0) {
    const page = await this.get('/login');
    const nins = [...page.text.matchAll(/name="nin" value="(\d{11})"/g)].map((m) => m[1]);
    const r = await this.post('/login/test', { nin: nins[i], csrf: Client.csrf(page.text) });
    if (r.status !== 303) throw new Error(`login answered ${r.status}`);
    return nins[i];
  }

  // Log in through the simulator's provider as a browser would: follow the
  // redirect to its login page, choose there ({ pid } or { username }, and
  // acr), and come back to the callback. start is /login/idporten or
  // /login/ansatt (with ?acr=high&next=...). Resolves to the callback's
  // answer, { status, headers, text, callback } (callback: its path).
  async loginOidc(start = '/login/idporten', { pid, username, acr = 'idporten-loa-substantial', index = 0 } = {}) {
    const begin = await this.get(start);
    if (begin.status !== 303) throw new Error(`${start} answered ${begin.status}`);
    const authorize = begin.headers.get('location');
    const page = await fetch(authorize);
    const html = await page.text();
    if (page.status !== 200) throw new Error(`the provider's login page answered ${page.status}: ${html}`);
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([a-z_]+)" value="([^"]*)">/g)) {
      form.set(m[1], m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
    }
    if (username !== undefined) {
      form.set('username', username);
    } else {
      const pids = [...html.matchAll(/name="pid" id="p\d+" value="(\d{11})"/g)].map((m) => m[1]);
      form.set('pid', pid ?? pids[index]);
    }
    form.set('acr', acr);
    const action = new URL(html.match(/<form method="post" action="([^"]+)"/)[1], authorize);
    const post = await fetch(action, { method: 'POST', body: form.toString(), redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (post.status !== 302) throw new Error(`the provider answered ${post.status}: ${await post.text()}`);
    const back = new URL(post.headers.get('location'));
    const callback = back.pathname + back.search;
    return { ...(await this.get(callback)), callback, pid: form.get('pid') };
  }

  // Apply through the form: its CSRF token and idempotency key, and the
  // scheme named (higher education unless fields say otherwise: the
  // server never guesses it).
  async apply(fields) {
    const form = await this.get(fields.scheme === 'upper-secondary' ? '/soknad?scheme=upper-secondary' : '/soknad');
    const key = form.text.match(/name="key" value="([0-9a-f]+)"/);
    return this.post('/soknad', {
      csrf: Client.csrf(form.text), scheme: 'higher-education', ...(key ? { key: key[1] } : {}), ...fields,
    });
  }
}

export const nbsp = (s) => s.replace(/\u00a0/g, ' ');
