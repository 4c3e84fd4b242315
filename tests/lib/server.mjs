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
export async function startSim({ persons = 50, seed, port } = {}) {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['serve', '--persons', String(persons), '--listen', `127.0.0.1:${port}`];
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
export async function startServer({ persons = 50, registers = false, smtp = false, params = null } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-test-'));
  const db = path.join(dir, 't.db');
  const sim = registers ? await startSim({ persons }) : null;
  const registersUrl = sim ? sim.url : null;
  try {
    await createDemoDb(db, { persons, sim });
  } catch (err) {
    if (sim) await sim.stop();
    throw err;
  }
  const port = await freePort();
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--test-login', '--threads', '4'];
  if (registersUrl) args.push('--registers', registersUrl, '--sms', `${registersUrl}/sms/v1/messages`);
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
      const r = spawnSync('sqlite3', [db, query], { encoding: 'utf8' });
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

  async apply(fields) {
    const form = await this.get('/soknad');
    return this.post('/soknad', { csrf: Client.csrf(form.text), ...fields });
  }
}

export const nbsp = (s) => s.replace(/\u00a0/g, ' ');
