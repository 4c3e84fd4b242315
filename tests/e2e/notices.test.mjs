// notices.test.mjs - notices of new letters against the real binary: a
// decision letter's e-mail reaches a local SMTP server (tests/lib/smtp.mjs)
// and its SMS the register simulator's test SMS gateway, saying nothing
// personal; a person with no channel gets none; a mail server that refuses
// for now is tried again, one that keeps refusing is given up after the
// attempts, one that refuses for good bounces, each shown on the letter;
// and management's statistics of how soon letters are opened, on the page
// (staff only) and from `stipend stats`. Retries are driven by the job
// runner's back-off or by `stipend work --once --now`, never by sleeping.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Client, bin, nbsp, run, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ persons: 100, smtp: true, registers: true }); });
after(async () => { await srv.stop(); });

const valid = { scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

// Each test logs in as a person of its own (the test login's list).
let nextPerson = 0;

// Log in as a new person, set their contact preferences (the page for them
// is another part's; here they are set in the database), apply, and return
// what the test needs to know about the decision letter.
async function applyWith(prefs) {
  // A person of their own whose application is decided at once, with a
  // decision letter: under 50 when the education ends (an older student's
  // basic loan waits for the debt ceiling, #9), and whose answers agree
  // with the registers (else the case waits for a case worker, no letter).
  for (;;) {
    const nin = srv.sql("select nin from persons where birth_date >= '1976-01-01' and confidential_address = 0 "
      + `order by id limit 1 offset ${nextPerson++}`);
    assert.match(nin, /^\d{11}$/, 'the population has too few persons who are decided at once');
    const c = new Client(srv.base);
    const page = await c.get('/login');
    assert.equal((await c.post('/login/test', { nin, csrf: Client.csrf(page.text) })).status, 303);
    const [id, given, family, address, postcode] = srv.sql(
      `select id, given_name, family_name, address, postcode from persons where nin='${nin}'`).split('|');
    if (prefs) {
      const q = (v) => (v === undefined || v === null ? 'null' : `'${v}'`);
      srv.sql('insert into contact_preferences(person_id, email, mobile, mobile_verified_at, channel, language, updated_at) '
        + `values (${id}, ${q(prefs.email)}, ${q(prefs.mobile)}, ${prefs.verified ? 1700000000 : 'null'}, `
        + `'${prefs.channel}', '${prefs.language || 'nb'}', 0)`);
    }
    const r = await c.apply(valid);
    assert.equal(r.status, 303, r.text);
    const caseId = r.headers.get('location').split('/').pop();
    const letterId = srv.sql(`select id from letters where case_id=${caseId} and kind='decision'`);
    if (!/^\d+$/.test(letterId)) continue;
    return { c, nin, personId: id, given, family, address, postcode, caseId, letterId };
  }
}

// Poll the database until the letter's notice has left "pending" (the job
// runner inside serve sends it), at most timeoutMs.
async function noticeSettled(letterId, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = srv.sql(`select notice_status from letters where id=${letterId}`);
    if (status !== 'pending') return status;
    if (Date.now() > deadline) throw new Error(`the notice of letter ${letterId} is still pending`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Wait until the letter's notice has had n attempts and its job is back in
// the queue (the runner inside serve has let go of it), at most timeoutMs.
async function attemptsAtLeast(letterId, n, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (Number(srv.sql(`select count(*) from notice_attempts where letter_id=${letterId}`)) < n
    || srv.sql(`select state from jobs where kind='notice' and subject_id=${letterId}`) === 'running') {
    if (Date.now() > deadline) throw new Error(`letter ${letterId} has had fewer than ${n} attempts`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const results = (letterId) => srv.sql(`select result from notice_attempts where letter_id=${letterId} order by attempt`)
  .split('\n').filter(Boolean);

// The amounts the decision letter shows its reader ("151 690"), digits only.
async function letterAmounts(c, letterId) {
  const page = nbsp((await c.get(`/innboks/${letterId}`)).text);
  return [...page.matchAll(/class="num amount">([^<]+)</g)].map((m) => m[1].replace(/\D/g, ''));
}

// "2025-09-01T12:00:00Z" for a moment hours from now.
const hoursFromNow = (h) => new Date(Date.now() + h * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');

// `stipend work --once --now`, run without blocking this process: the SMTP
// server that the job talks to lives in it.
async function workOnce(now) {
  await promisify(execFile)(bin, ['work', '--db', srv.db, '--once', '--now', now, '--smtp', srv.smtp.url,
    '--public-url', srv.base, '--sms', `${srv.registersUrl}/sms/v1/messages`]);
}

async function loginStaff(c) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { staff: 'sara.berg', csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

test('decision_letter_email_notice_arrives_without_personal_data', async () => {
  const p = await applyWith({ email: 'kari.notice@example.no', channel: 'email' });
  const m = await srv.smtp.waitFor('kari.notice@example.no');
  assert.equal(await noticeSettled(p.letterId), 'sent');

  // The envelope and the headers of a proper RFC 5322 message.
  assert.equal(m.mailFrom, 'ikke-svar@lanekassen.no');
  assert.deepEqual(m.rcptTo, ['kari.notice@example.no']);
  assert.match(m.headers.date, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  assert.match(m.headers['message-id'], /^<[0-9a-f]{32}@lanekassen\.no>$/);
  assert.equal(m.headers['mime-version'], '1.0');
  assert.equal(m.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(m.headers['content-transfer-encoding'], 'quoted-printable');
  assert.equal(m.headers.to, 'kari.notice@example.no');
  assert.match(m.headers.subject, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/, 'the subject with å is RFC 2047 encoded');
  assert.equal(m.subject, 'Nytt brev fra Lånekassen');
  assert.equal(m.from, 'Lånekassen <ikke-svar@lanekassen.no>');
  assert.ok(m.raw.split('\r\n').every((line) => line.length <= 78), 'no line longer than 78 characters');
  assert.ok(!/[^\x00-\x7f]/.test(m.raw), 'the message on the wire is 7-bit');

  // What the person reads: a new letter from the agency, and the link.
  assert.match(m.text, /^Du har fått et nytt brev fra Lånekassen\./);
  assert.ok(m.text.includes(`${srv.base}/innboks/${p.letterId}`), m.text);
  // And nothing else about them.
  const amounts = await letterAmounts(p.c, p.letterId);
  assert.ok(amounts.length > 0, 'the letter shows amounts to look for');
  const digits = m.raw.replace(/\D/g, '');
  for (const a of amounts) assert.ok(!digits.includes(a), `the amount ${a} is not in the mail`);
  for (const s of [p.nin, p.given, p.family, p.address, p.postcode]) {
    assert.ok(!m.raw.includes(s) && !m.text.includes(s) && !m.subject.includes(s), `"${s}" is not in the mail`);
  }
  assert.equal(srv.smtp.to('kari.notice@example.no').length, 1, 'one notice, once');

  // Recorded on the letter, audited with the channel only, shown to the person.
  assert.equal(srv.sql(`select notice_channel from letters where id=${p.letterId}`), 'email');
  assert.deepEqual(results(p.letterId), ['sent']);
  assert.equal(srv.sql(`select detail from audit where action='letter.notice.sent' and object='letter:${p.letterId}'`),
    'channel=email');
  const page = await p.c.get(`/innboks/${p.letterId}`);
  assert.match(page.text, /Varsel sendt på e-post/);
  const en = await p.c.get(`/innboks/${p.letterId}?lang=en`);
  assert.match(en.text, /Notice sent by e-mail/);
});

test('english_speaker_gets_the_notice_in_english', async () => {
  const p = await applyWith({ email: 'ola.en@example.no', channel: 'email', language: 'en' });
  const m = await srv.smtp.waitFor('ola.en@example.no');
  assert.equal(m.subject, 'New letter from Lånekassen');
  assert.match(m.text, /^You have a new letter from Lånekassen\./);
  assert.ok(m.text.includes(`${srv.base}/innboks/${p.letterId}`));
});

test('sms_notice_arrives_at_the_test_gateway_for_a_verified_mobile', async () => {
  const mobile = '+4791234501';
  const p = await applyWith({ mobile, verified: true, channel: 'sms' });
  assert.equal(await noticeSettled(p.letterId), 'sent');
  const sms = await srv.sms(mobile);
  assert.equal(sms.length, 1);
  assert.equal(sms[0].to, mobile);
  assert.match(sms[0].text, /^Du har fått et nytt brev fra Lånekassen\./);
  assert.ok(sms[0].text.endsWith(`${srv.base}/innboks/${p.letterId}`), sms[0].text);
  for (const s of [p.nin, p.given, p.family, p.address]) assert.ok(!sms[0].text.includes(s));
  const amounts = await letterAmounts(p.c, p.letterId);
  for (const a of amounts) assert.ok(!sms[0].text.replace(/\D/g, '').includes(a));
  assert.equal(srv.sql(`select notice_channel from letters where id=${p.letterId}`), 'sms');
  assert.match((await p.c.get(`/innboks/${p.letterId}`)).text, /Varsel sendt på SMS/);
  assert.equal(srv.smtp.messages.filter((m) => m.text.includes(`/innboks/${p.letterId}`)).length, 0, 'no e-mail as well');
});

test('no_channel_means_no_notice_and_no_job', async () => {
  // No preferences at all, and SMS chosen with a number never verified.
  for (const prefs of [null, { mobile: '+4791234502', channel: 'sms' }, { channel: 'none', email: 'x@example.no' }]) {
    const p = await applyWith(prefs);
    assert.equal(srv.sql(`select notice_status from letters where id=${p.letterId}`), 'none');
    assert.equal(srv.sql(`select coalesce(notice_channel, 'null') from letters where id=${p.letterId}`), 'null');
    assert.equal(srv.sql(`select count(*) from jobs where kind='notice' and subject_id=${p.letterId}`), '0');
    const page = await p.c.get(`/innboks/${p.letterId}`);
    assert.doesNotMatch(page.text, /Varsel/);
  }
  assert.equal((await srv.sms('+4791234502')).length, 0);
  assert.equal(srv.smtp.to('x@example.no').length, 0);
});

test('smtp_refusing_for_now_is_retried_and_then_sent', async () => {
  srv.smtp.refuse('retry.once@example.no', 451, 1);
  const p = await applyWith({ email: 'retry.once@example.no', channel: 'email' });
  // The first attempt fails with 451; the runner tries again after its back-off.
  assert.equal(await noticeSettled(p.letterId), 'sent');
  assert.deepEqual(results(p.letterId), ['retry', 'sent']);
  const error = srv.sql(`select error from notice_attempts where letter_id=${p.letterId} and attempt=1`);
  assert.match(error, /451/);
  assert.ok(!error.includes('retry.once@example.no'), 'no address in the recorded error');
  assert.equal(srv.smtp.to('retry.once@example.no').length, 1);
});

test('smtp_always_failing_gives_up_after_the_attempts_and_shows_failed', async () => {
  srv.smtp.refuse('never@example.no', 421);
  const p = await applyWith({ email: 'never@example.no', channel: 'email' });
  await attemptsAtLeast(p.letterId, 1);
  // Drive the retries with the clock as an input: an hour later each time.
  for (let h = 1; h <= 10 && srv.sql(`select notice_status from letters where id=${p.letterId}`) === 'pending'; h++)
    await workOnce(hoursFromNow(h));
  assert.equal(srv.sql(`select notice_status from letters where id=${p.letterId}`), 'failed');
  assert.deepEqual(results(p.letterId), ['retry', 'retry', 'retry', 'retry', 'retry', 'failed']);
  assert.equal(srv.sql(`select state from jobs where kind='notice' and subject_id=${p.letterId}`), 'done');
  assert.equal(srv.sql(`select count(*) from audit where action='letter.notice.failed' and object='letter:${p.letterId}'`), '1');
  assert.equal(srv.smtp.to('never@example.no').length, 0);
  // Shown to the person on the letter, and to a case worker on the case.
  assert.match((await p.c.get(`/innboks/${p.letterId}`)).text, /Varselet kunne ikke sendes/);
  const staff = new Client(srv.base);
  await loginStaff(staff);
  const casePage = await staff.get(`/saksbehandling/saker/${p.caseId}`);
  assert.equal(casePage.status, 200);
  assert.match(casePage.text, /data-notice="notify.status.failed">Varselet kunne ikke sendes/);
});

test('smtp_refusing_for_good_bounces', async () => {
  srv.smtp.refuse('gone@example.no', 550);
  const p = await applyWith({ email: 'gone@example.no', channel: 'email' });
  assert.equal(await noticeSettled(p.letterId), 'bounced');
  assert.deepEqual(results(p.letterId), ['bounced']);
  assert.equal(srv.sql(`select count(*) from audit where action='letter.notice.bounced' and object='letter:${p.letterId}'`), '1');
  assert.match((await p.c.get(`/innboks/${p.letterId}`)).text, /Varselet kunne ikke sendes: e-postadressen ble avvist/);
});

test('sms_gateway_down_is_retried_and_sent_once_it_is_back', async () => {
  const mobile = '+4791234503';
  await srv.registerMode('sms', 'down');
  let p;
  try {
    p = await applyWith({ mobile, verified: true, channel: 'sms' });
    await attemptsAtLeast(p.letterId, 1);
    assert.equal(srv.sql(`select notice_status from letters where id=${p.letterId}`), 'pending');
  } finally {
    await srv.registerMode('sms', 'ok');
  }
  await workOnce(hoursFromNow(1));
  assert.equal(await noticeSettled(p.letterId), 'sent');
  assert.equal(results(p.letterId).at(-1), 'sent');
  assert.equal((await srv.sms(mobile)).length, 1);
});

test('statistics_show_the_shares_opened_within_1_3_and_7_days', async () => {
  // Letters of a kind no other test delivers, with known delivery and
  // opening times around the present (the page reports as of now).
  const now = Math.floor(Date.now() / 1000);
  const day = 86400;
  const person = srv.sql('select id from persons order by id desc limit 1');
  const letters = [
    ['email', now - 10 * day, now - 10 * day + day / 2], // opened within 1 day
    ['email', now - 10 * day, now - 8 * day], // within 3 days
    ['email', now - 10 * day, null], // never
    ['email', now - 2 * day, now - 2 * day + day / 2], // within 1 day; too young for 3 and 7
    ['sms', now - 8 * day, now - 3 * day], // within 7 days only
    [null, now - day / 2, null], // too young for any share
  ];
  for (const [channel, created, read] of letters) {
    srv.sql('insert into letters(person_id, kind, created_at, first_read_at, notice_channel, notice_status) values '
      + `(${person}, 'information', ${created}, ${read ?? 'null'}, ${channel ? `'${channel}'` : 'null'}, `
      + `'${channel ? 'sent' : 'none'}')`);
  }
  const staff = new Client(srv.base);
  await loginStaff(staff);
  const queue = await staff.get('/saksbehandling');
  assert.match(queue.text, /href="\/saksbehandling\/statistikk"/);
  const page = await staff.get('/saksbehandling/statistikk');
  assert.equal(page.status, 200);
  const row = (channel) => {
    const m = page.text.match(new RegExp(`<tr data-kind="information" data-channel="${channel}">(.*?)</tr>`, 's'));
    assert.ok(m, `a row for information by ${channel}`);
    return [...m[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => c[1].replace(/<[^>]+>/g, '').trim());
  };
  assert.deepEqual(row('email'), ['Informasjon', 'E-post', '4', '2 av 4 (50,0 %)', '2 av 3 (66,7 %)', '2 av 3 (66,7 %)']);
  assert.deepEqual(row('sms'), ['Informasjon', 'SMS', '1', '0 av 1 (0,0 %)', '0 av 1 (0,0 %)', '1 av 1 (100,0 %)']);
  assert.deepEqual(row('none'), ['Informasjon', 'Uten varsel', '1', 'ingen brev er så gamle ennå',
    'ingen brev er så gamle ennå', 'ingen brev er så gamle ennå']);
  // The chart, with its accessible name; the table is its text equivalent.
  const svg = page.text.match(/<svg[^>]*role="img"[^>]*>.*?<\/svg>/s);
  assert.ok(svg, 'an SVG chart with role img');
  assert.match(svg[0], /<title id="stats-chart-title">Andel brev åpnet innen 1, 3 og 7 dager<\/title>/);
  assert.match(svg[0], /<desc id="stats-chart-desc">/);
  assert.match(svg[0], /Informasjon · E-post/);
  assert.match(svg[0], /66,7 %/);
  const en = await staff.get('/saksbehandling/statistikk?lang=en');
  assert.match(en.text, /2 of 4 \(50\.0%\)/);
  assert.match(en.text, /Information · E-mail/);

  // The same figures from the command line, as of the same moment.
  const r = run(['stats', '--db', srv.db, '--now', new Date(now * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const stats = JSON.parse(r.stdout);
  const email = stats.rows.find((x) => x.kind === 'information' && x.channel === 'email');
  assert.equal(email.letters, 4);
  assert.deepEqual(email.within.map((w) => [w.days, w.opened, w.eligible, w.percent]),
    [[1, 2, 4, 50], [3, 2, 3, 66.7], [7, 2, 3, 66.7]]);
  const none = stats.rows.find((x) => x.kind === 'information' && x.channel === 'none');
  assert.deepEqual(none.within.map((w) => w.percent), [null, null, null]);
  const text = run(['stats', '--db', srv.db]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /information\s+email\s+4\s+2\/4 50\.0%\s+2\/3 66\.7%\s+2\/3 66\.7%/);
});

test('a_person_cannot_reach_the_statistics', async () => {
  const c = new Client(srv.base);
  const anonymous = await c.get('/saksbehandling/statistikk');
  assert.equal(anonymous.status, 303);
  await c.login(nextPerson++);
  const r = await c.get('/saksbehandling/statistikk');
  assert.equal(r.status, 403);
  assert.doesNotMatch(r.text, /<svg/);
  assert.ok(Number(srv.sql("select count(*) from audit where action='stats.read.denied'")) >= 1);
});
