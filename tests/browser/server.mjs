// server.mjs - start a throwaway stipend portal for the browser tests.
//
// startServer() makes a fresh folder under the system's temporary directory,
// creates the synthetic demo population there with `stipend init --demo`
// (taken from a register simulator, stipend-sim, run for the purpose: see
// createDemoDb in tests/lib/server.mjs), serves it with the test login on a free port of 127.0.0.1 and waits until
// /healthz answers. The returned stop() ends the server and removes the
// folder, so a test run leaves nothing behind; sql() reads its database.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoDb } from '../lib/server.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BINARY = path.join(REPO, 'stipend');

// A port nobody listens on right now: the kernel picks one for port 0 and we
// give it back. Another process could take it in between, which is unlikely
// enough on a test machine.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// args are more options for `stipend serve` (the loan account's test: --params).
export async function startServer({ timeoutMs = 10_000, args = [] } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stipend-browser-'));
  const db = path.join(dir, 't.db');
  let child = null;
  let log = '';

  async function stop() {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  }

  try {
    await createDemoDb(db, { persons: 200 });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(BINARY, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--test-login', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Keep the server's log: it is the first thing to read when a test fails.
    child.stdout.on('data', (b) => { log += b; });
    child.stderr.on('data', (b) => { log += b; });
    const spawnError = new Promise((_, reject) => child.once('error', reject));
    spawnError.catch(() => {});

    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`stipend serve exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log}`);
      try {
        const res = await Promise.race([fetch(`${url}/healthz`), spawnError]);
        if (res.status === 200)
          break;
      } catch (err) {
        if (err && err.code === 'ENOENT')
          throw new Error(`${BINARY} not found; run \`make stipend\` first`);
      }
      if (Date.now() > deadline)
        throw new Error(`stipend serve did not answer /healthz within ${timeoutMs} ms:\n${log}`);
      await sleep(100);
    }
    const sql = (query) => {
      const r = spawnSync('sqlite3', [db, query], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    };
    return { url, dir, db, stop, sql, log: () => log };
  } catch (err) {
    await stop();
    throw err;
  }
}

// ---- shared by the browser tests ----

const AXE = path.join(REPO, 'node_modules', 'axe-core', 'axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

// Debian's chromium, headless, with the flags this machine's closed network
// needs (no background connections, no component updates).
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

// A fresh, logged-out visitor whose browser asks for Norwegian, as most of
// the portal's users do (the portal would otherwise follow chromium's en-US
// Accept-Language). A missing element fails a test within ten seconds
// rather than playwright's thirty. Pass bypassCSP: true for a context that
// runs axe.
export async function newVisitor(browser, options = {}) {
  const context = await browser.newContext({ locale: 'nb-NO', ...options });
  context.setDefaultTimeout(10_000);
  return context;
}

// Amounts are written with no-break spaces so they never wrap; compare
// them as ordinary spaces.
export const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

// Runs axe on the page as it stands and fails on serious or critical
// violations, naming each rule and the first element it found, so the
// report is enough to find the template to fix. Lesser findings are only
// reported as test diagnostics. The page's context needs bypassCSP:
// playwright inlines the axe script.
export async function assertAccessible(t, page, what) {
  const { default: assert } = await import('node:assert/strict');
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate((tags) => window.axe.run({ runOnly: tags }), AXE_TAGS);
  const describe = (v) =>
    `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s), first: ${v.nodes[0]?.target.join(' ')}`;
  const blocking = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations.filter((x) => !blocking.includes(x)))
    t.diagnostic(`axe on ${what} (${page.url()}): ${describe(v)}`);
  if (blocking.length > 0)
    assert.fail(`axe found ${blocking.length} serious or critical violation(s) on ${what} (${page.url()}):\n  ` +
      blocking.map(describe).join('\n  '));
}
