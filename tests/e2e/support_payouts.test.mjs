// support_payouts.test.mjs - management's figures of the money going out
// (#14 over #10): payments the bank accepted, by week, and payouts held
// now by reason, on the dashboard (chart, table and CSV) and in `stipend
// stats --figures`, from real payout runs against the simulated bank.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, run, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ registers: true }); });
after(async () => { await srv.stop(); });

const form = { institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

function payout(date) {
  const r = run(['payout', '--db', srv.db, '--date', date, '--dir', srv.dir, '--registers', srv.registersUrl,
    '--bank', srv.registersUrl, '--now', `${date}T06:00:00Z`]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function control(path, body, status = 200) {
  const r = await fetch(`${srv.registersUrl}/_control/${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, status, await r.text());
}

const confirm = (nin) => control('confirmations', { nin, school_year: '2024-2025', kind: 'semester-registration' }, 201);

async function staff(username) {
  const c = new Client(srv.base);
  const login = await c.get('/login');
  assert.equal((await c.post('/login/test', { staff: username, csrf: Client.csrf(login.text) })).status, 303);
  return c;
}

// The agreement signed on paper, its arrival registered by a case worker.
async function sign(c, caseId) {
  const page = await c.get('/avtaler');
  const id = srv.sql(`select id from agreements where case_id = ${caseId} order by id desc limit 1`);
  assert.ok(id, 'the decision has an agreement');
  assert.equal((await c.post(`/avtaler/${id}/papir`, { csrf: Client.csrf(page.text) })).status, 303);
  const sara = await staff('sara.berg');
  const list = await sara.get('/saksbehandling/avtaler');
  assert.equal((await sara.post(`/saksbehandling/avtaler/${id}/mottatt`, { csrf: Client.csrf(list.text) })).status, 303);
}

// The test login's persons under 50 when a 2024-2025 education ends: an
// older student's basic loan waits for the debt ceiling (#9).
const YOUNG = [0, 11, 7, 3, 4, 8];

async function applied(index) {
  const c = new Client(srv.base);
  const nin = await c.login(YOUNG[index]);
  const r = await c.apply(form);
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status from cases where id = ${id}`), 'decided');
  return { c, nin, id };
}

// "12 345 kr" or "12 345,50 kr" as øre.
const ore = (text) => {
  const m = text.replace(/[\s\u00a0\u202f]/g, '').match(/^(\d+)(?:,(\d\d))?kr$/);
  assert.ok(m, text);
  return Number(m[1]) * 100 + Number(m[2] ?? 0);
};

test('the_dashboard_shows_payouts_made_by_week_and_held_by_reason_from_real_runs', async () => {
  // One paid (signed, confirmed, an account from the register), one not
  // signed and not confirmed, one whose account the bank rejects.
  const paidCase = await applied(0);
  await confirm(paidCase.nin);
  await sign(paidCase.c, paidCase.id);
  const waiting = await applied(1);
  const closed = await applied(2);
  await confirm(closed.nin);
  await sign(closed.c, closed.id);
  const account = (await (await fetch(`${srv.registersUrl}/tax/v1/persons/${closed.nin}/account`)).json()).account;
  await control('accounts', { nin: closed.nin, account, state: 'closed' });

  const first = payout('2024-09-02'); // a Monday
  assert.equal(first.accepted, 1);
  assert.equal(first.rejected, 1);
  const second = payout('2024-10-15'); // a Tuesday: the week of Monday 14 October
  assert.equal(second.accepted, 1);
  const made = srv.sql(`select r.run_date || ':' || (p.loan_ore + p.grant_ore) from payout_payments p join payout_runs r on r.id = p.run_id
    where p.state in ('accepted', 'booked') order by r.run_date`).split('\n').map((l) => l.split(':'));
  assert.equal(made.length, 2);
  const [sep, oct] = made.map(([, ore]) => Number(ore));

  // What is held on 20 October 2024: lines due by then.
  const heldOre = (caseId) => Number(srv.sql(`select coalesce(sum(amount_ore), 0) from payout_lines where case_id = ${caseId}
    and state = 'planned' and payment_id is null and due <= '2024-10-20'`));
  const cli = run(['stats', '--db', srv.db, '--figures', '--from', '2024-08-01', '--to', '2024-10-31',
    '--now', '2024-10-20T12:00:00Z', '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const p = JSON.parse(cli.stdout).payouts;
  assert.deepEqual(p.made_by_week, [
    { week: '2024-09-02', payments: 1, ore: sep },
    { week: '2024-10-14', payments: 1, ore: oct },
  ]);
  assert.equal(p.made_payments, 2);
  assert.equal(p.made_ore, sep + oct);
  const held = Object.fromEntries(p.held.map((h) => [h.reason, [h.cases, h.ore]]));
  assert.deepEqual(held['no-signature'], [1, heldOre(waiting.id)]);
  assert.deepEqual(held['not-confirmed'], [1, heldOre(waiting.id)]);
  assert.deepEqual(held['rejected-by-bank'], [1, heldOre(closed.id)]);
  assert.deepEqual(held['no-account'], [0, 0]);
  assert.ok(heldOre(waiting.id) > 0 && heldOre(closed.id) > 0);

  // The dashboard: a chart, the table beside it, and the CSV.
  const mona = await staff('mona.vik');
  const d = await mona.get('/ledelse?from=2024-08-01&to=2024-10-31');
  assert.equal(d.status, 200, d.text);
  assert.match(d.text, /id="dash-payouts"/);
  assert.match(d.text, /aria-labelledby="chart-payouts-made-title chart-payouts-made-desc"/);
  assert.match(d.text, /aria-labelledby="chart-payouts-held-title chart-payouts-held-desc"/);
  const row = (week) => new RegExp(`<tr data-week="${week}"><td>[^<]+</td><td class="num">1</td><td class="num">([^<]+)</td></tr>`);
  assert.equal(ore(d.text.match(row('2024-09-02'))[1]), sep);
  assert.match(d.text, row('2024-10-14'));
  assert.match(d.text, /<tr data-reason="no-signature"><td>Avtalen er ikke signert<\/td><td class="num">\d+<\/td>/);
  const csv = await mona.get('/ledelse?from=2024-08-01&to=2024-10-31&csv=payouts');
  assert.equal(csv.status, 200);
  assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  const lines = csv.text.split('\r\n');
  assert.equal(lines[0], 'week,payments_made,made_nok,held_reason,cases_held,held_nok');
  assert.equal(lines[1], `2024-09-02,1,${(sep / 100).toFixed(2)},,,`);
  assert.equal(lines[2], `2024-10-14,1,${(oct / 100).toFixed(2)},,,`);
  assert.deepEqual(lines.slice(3, 7).map((l) => l.split(',')[3]), ['no-signature', 'no-account', 'not-confirmed', 'rejected-by-bank']);
  // A support agent does not read management's figures.
  assert.equal((await (await staff('siri.hauge')).get('/ledelse?csv=payouts')).status, 403);
});
