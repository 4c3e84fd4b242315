// relief_params.mjs - #11 (helper A): parameters for tests of payment
// deferral and interest relief decided with the real clock. The
// compiled-in parameters end with the school year 2024-2025; these add
// its repayment figures again from the day after each ends to 2030, and a
// floating rate, all marked as the test's own (reference and source
// "test"). paramsDir() copies params/no with them into a new folder.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './server.mjs';

export function laterRepayment() {
  const src = readFileSync(path.join(root, 'params/no/2024-2025/repayment.yaml'), 'utf8');
  return `${src.split(/\n(?=[a-z_.0-9]+:\n)/).filter((b) => /valid_to:/.test(b)).map((b) => {
    const to = b.match(/valid_to: (\d{4}-\d{2}-\d{2})/)[1];
    const next = new Date(Date.parse(`${to}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
    return b.replace(/valid_from: .*/, `valid_from: ${next}`).replace(/valid_to: .*/, 'valid_to: 2030-12-31')
      .replace(/reference: .*/, 'reference: test').replace(/source: .*/, 'source: test');
  }).join('\n')}\n`;
}

export const rate = `loan.rate.floating:
  value: 4000
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2030-12-31
  reference: test
  source: test
`;

// A new folder with params/no and the figures above; the caller removes it.
export function paramsDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipend-relief-params-'));
  cpSync(path.join(root, 'params/no'), dir, { recursive: true });
  writeFileSync(path.join(dir, '2025-2026', 'test-repayment.yaml'), laterRepayment());
  writeFileSync(path.join(dir, '2024-2025', 'test-loan-rate.yaml'), rate);
  return dir;
}
