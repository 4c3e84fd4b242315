// mypages.test.mjs - "Mine sider" over HTTP against the real binary: the
// overview of cases, letters, deadlines and granted support; a request for
// documentation made in the workbench as a deadline on the calendar page and
// in the iCalendar feed at a secret address (without login, revocable, never
// another person's); contact preferences with field errors and a mobile
// number verified by the code the test SMS gateway received, locked after
// five wrong codes; reminders delivered by `stipend work --once --now` at the
// configured offsets, exactly once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, nbsp, run, startServer } from '../lib/server.mjs';

let srv; // the portal alone: cases decided on the application's own facts
let reg; // with the register simulator and its test SMS gateway
before(async () => {
  [srv, reg] = await Promise.all([startServer({ persons: 400 }), startServer({ persons: 60, registers: true })]);
});
after(async () => { await Promise.all([srv?.stop(), reg?.stop()]); });

const special = {
  scheme: 'upper-secondary', institution: 'Oslo katedralskole', programme: 'Studiespesialisering', lives_with_parents: 'no', start: '2024-08-19', end: '2025-06-20',
  distance_km: '12,5', daily_travel_minutes: '90', walking_km: '1.5', special_circumstances: 'yes',
};
const higher = { scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };

// A calendar day counted from today (UTC), "2025-03-20", and as bokmål writes it.
const today = Date.now();
const day = (offset) => new Date(today + offset * 86400e3).toISOString().slice(0, 10);
const nbDate = (iso) => iso.split('-').reverse().join('.');

async function loginNin(c, nin) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

async function loginStaff(c, username) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { staff: username, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

// People with an ordinary address, one per use, so that no test sees another's data.
let nextPupil = 0;
function pupil() {
  const nins = srv.sql("select nin from persons where birth_date between '2004-01-01' and '2008-12-31' "
    + 'and confidential_address = 0 order by id').split('\n');
  assert.ok(nextPupil < nins.length, 'the population has too few pupils');
  return nins[nextPupil++];
}
let nextAdult = 0;
function adult(s = srv) {
  // Under 50 when a 2024-2025 education ends: an older student's basic
  // loan waits for the debt ceiling (#9, adult students).
  const nins = s.sql("select nin from persons where birth_date between '1976-01-01' and '2001-12-31' "
    + 'and confidential_address = 0 order by id desc')
    .split('\n');
  assert.ok(nextAdult < nins.length, 'the population has too few adults');
  return nins[nextAdult++];
}
const personOf = (s, nin) => s.sql(`select id from persons where nin='${nin}'`);

// An applicant whose case waits for documentation due `deadline`: returns
// the client (logged in), the case id and the request's text.
async function awaitingDocumentation(deadline) {
  const applicant = new Client(srv.base);
  const nin = pupil();
  await loginNin(applicant, nin);
  const r = await applicant.apply(special);
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status from cases where id=${id}`), 'manual');
  const worker = new Client(srv.base);
  await loginStaff(worker, 'sara.berg');
  const page = await worker.get(`/saksbehandling/saker/${id}`);
  const text = 'Send en uttalelse fra helsesøster om hvorfor du må bo borte.';
  const req = await worker.post(`/saksbehandling/saker/${id}/dokumentasjon`, { csrf: Client.csrf(page.text), doc_text: text, deadline });
  assert.equal(req.status, 303, req.text);
  return { applicant, nin, id, text, person: personOf(srv, nin) };
}

// The feed's addresses shown on the calendar page, or null.
function feedLinks(html) {
  const url = html.match(/id="feed-url" type="text" readonly value="([^"]+)"/);
  const webcal = html.match(/id="feed-add" href="([^"]+)"/);
  return url ? { url: url[1], webcal: webcal[1] } : null;
}

async function feedAddress(c, action = 'create') {
  const cal = await c.get('/mine-sider/kalender');
  const r = await c.post('/mine-sider/kalender/adresse', { csrf: Client.csrf(cal.text), action });
  assert.equal(r.status, 303);
  return feedLinks((await c.get('/mine-sider/kalender')).text);
}

// iCalendar with its folded lines unfolded.
const unfold = (ics) => ics.replace(/\r\n[ \t]/g, '');

test('overview_shows_the_persons_cases_unread_letters_and_granted_support', async () => {
  const c = new Client(srv.base);
  const nin = adult();
  await loginNin(c, nin);
  const applied = await c.apply(higher);
  assert.equal(applied.status, 303, applied.text);
  const id = applied.headers.get('location').split('/').pop();
  const letter = srv.sql(`select id from letters where case_id=${id}`);
  const page = await c.get('/mine-sider');
  assert.equal(page.status, 200);
  const html = nbsp(page.text);
  assert.match(html, /<a class="ds-link" href="\/mine-sider">Mine sider<\/a>/, 'the navigation leads here');
  assert.match(html, new RegExp(`href="/saker/${id}">Sak ${id}</a>`));
  assert.match(html, /Du har 1 uleste brev\./);
  // The page header names the person and counts the unread letter.
  const [given, family] = srv.sql(`select given_name || '|' || family_name from persons where nin='${nin}'`).split('|');
  assert.ok(html.includes(`<p class="site-user">Logget inn som ${given} ${family}</p>`), 'the header does not name the person');
  assert.match(html, /href="\/innboks">Innboks <span class="ds-badge"[^>]* data-count="1"/);
  assert.match(html, new RegExp(`href="/innboks/${letter}">Vedtak om stipend og lån</a>`));
  assert.match(html, /Du har ingen frister framover\./);
  // What the decision grants, from the stored decision, and no invented date.
  const d = JSON.parse(srv.sql(`select decision_json from cases c join decisions d on d.case_id = c.id and d.superseded_at is null where c.id=${id}`));
  const loan = d.awards.filter((a) => a.kind === 'loan').reduce((s, a) => s + a.amount, 0);
  assert.ok(loan > 0, 'the application should be granted a loan');
  const kr = (ore) => `${Math.floor(ore / 100).toLocaleString('nb-NO').replace(/\u00a0/g, ' ')}`;
  const payments = html.slice(html.indexOf('id="mp-payments"'));
  assert.match(payments, /Innvilget støtte for 2024-2025/);
  assert.ok(payments.includes(kr(loan)), `the loan ${kr(loan)} is not shown`);
  assert.match(payments, /Datoene for utbetaling får du når utbetalingen er klar/);
  assert.doesNotMatch(payments, /\d\d\.\d\d\.\d{4}/, 'no payment date may be shown');

  // Read the letter: nothing unread any more.
  await c.get(`/innboks/${letter}`);
  assert.match(nbsp((await c.get('/mine-sider')).text), /Du har 0 uleste brev\./);
  const en = nbsp((await c.get('/mine-sider?lang=en')).text);
  assert.match(en, /You have 0 unread letters\./);
  assert.match(en, /You get the payment dates when the payout is ready/);

  // Only for the person: a visitor is sent to log in, a case worker finds
  // nothing (a refusal looks like a missing thing), each refusal audited
  // with the policy's name.
  const worker = new Client(srv.base);
  await loginStaff(worker, 'per.lund');
  const staff = `staff:${srv.sql("select id from staff where username='per.lund'")}`;
  // A case worker's header gives their name and no mailbox count; a visitor's neither.
  const bench = (await worker.get('/saksbehandling')).text;
  assert.ok(bench.includes('<p class="site-user">Logget inn som Per Lund</p>'), 'the header does not name the case worker');
  assert.doesNotMatch(bench, /data-count=/);
  const front = (await new Client(srv.base).get('/')).text;
  assert.doesNotMatch(front, /class="site-user"|data-count=/);
  const pages = { '/mine-sider': 'mypages.read', '/mine-sider/kalender': 'mypages.read',
    '/mine-sider/varsling': 'preferences.read', '/mine-sider/paminnelser': 'preferences.read' };
  for (const [url, action] of Object.entries(pages)) {
    for (const [who, actor, status] of [[new Client(srv.base), 'anonymous', 303], [worker, staff, 404]]) {
      const before = refusals(actor, `${action}.denied`);
      const r = await who.get(url);
      assert.equal(r.status, status, `${actor} ${url}`);
      if (status === 303) assert.match(r.headers.get('location'), /^\/login(\?next=|$)/);
      assert.equal(refusals(actor, `${action}.denied`), before + 1, `${actor} ${url} is not audited`);
    }
  }
});

// How many refusals of action (a policy name and ".denied") by actor are audited.
const refusals = (actor, action) => Number(srv.sql(`select count(*) from audit where actor='${actor}' and action='${action}'`));

test('post_routes_refuse_a_case_worker_and_a_visitor_audited_and_change_nothing', async () => {
  const c = new Client(srv.base);
  const nin = adult();
  await loginNin(c, nin);
  const person = personOf(srv, nin);
  // The person's own settings, address and preferences, to see that nothing changes.
  const page = await c.get('/mine-sider/paminnelser');
  const mine = new URLSearchParams([['csrf', Client.csrf(page.text)], ['upper-secondary', '3'], ['other', '1']]).toString();
  const saved = await c.request('POST', '/mine-sider/paminnelser', mine, { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(saved.status, 303);
  const pref = await c.post('/mine-sider/varsling', { csrf: Client.csrf(page.text), action: 'save', email: 'kari@example.no', mobile: '', channel: 'email', language: 'nb' });
  assert.equal(pref.status, 303);
  const links = await feedAddress(c);
  const state = () => srv.sql(`select coalesce(group_concat(case_type || '=' || offsets, ' '), '') from (select * from reminder_settings where person_id=${person} order by case_type)`)
    + ' | ' + srv.sql(`select email || ' ' || channel || ' ' || language from contact_preferences where person_id=${person}`)
    + ' | ' + srv.sql(`select generation || ' ' || coalesce(token_hash, '-') from calendar_feeds where person_id=${person}`);
  const was = state();
  assert.match(was, /^higher-education= interest-relief= other=1 payment-deferral= upper-secondary=3 \| kari@example\.no email nb \| 1 [0-9a-f]{64}$/);

  const worker = new Client(srv.base);
  await loginStaff(worker, 'sara.berg');
  const workerCsrf = Client.csrf((await worker.get('/saksbehandling')).text);
  const staff = `staff:${srv.sql("select id from staff where username='sara.berg'")}`;
  const visitor = new Client(srv.base);
  const visitorCsrf = Client.csrf((await visitor.get('/login')).text);
  const posts = [
    ['/mine-sider/paminnelser', { 'upper-secondary': '14', other: '0' }, 'preferences.write'],
    ['/mine-sider/paminnelser', { 'upper-secondary': '5' }, 'preferences.write'], // wrong input: still no 422
    ['/mine-sider/varsling', { action: 'save', email: 'ikke en adresse', mobile: '', channel: 'none', language: 'en' }, 'preferences.write'],
    ['/mine-sider/varsling', { action: 'save', email: 'x@example.no', mobile: '', channel: 'none', language: 'en' }, 'preferences.write'],
    ['/mine-sider/varsling', { action: 'verify', code: '123456' }, 'preferences.write'],
    ['/mine-sider/varsling', { action: 'resend' }, 'preferences.write'],
    ['/mine-sider/kalender/adresse', { action: 'revoke' }, 'calendar.feed.manage'],
    ['/mine-sider/kalender/adresse', { action: 'create' }, 'calendar.feed.manage'],
    ['/mine-sider/kalender/adresse', { action: 'nonsense' }, 'calendar.feed.manage'], // no 400 either
  ];
  for (const [url, form, action] of posts) {
    for (const [who, csrf, actor, status] of [[visitor, visitorCsrf, 'anonymous', 303], [worker, workerCsrf, staff, 404]]) {
      const before = refusals(actor, `${action}.denied`);
      const r = await who.post(url, { csrf, ...form });
      assert.equal(r.status, status, `${actor} ${url} ${JSON.stringify(form)}`);
      if (status === 303) assert.match(r.headers.get('location'), /^\/login(\?next=|$)/);
      assert.equal(refusals(actor, `${action}.denied`), before + 1, `${actor} ${url} is not audited as ${action}.denied`);
    }
  }
  assert.equal(state(), was, 'a refused request changed the person\'s settings');
  assert.equal((await fetch(links.url)).status, 200, 'a refused request revoked the address');
  assert.equal(srv.sql(`select count(*) from audit where object='person:${person}' and actor != 'person:${person}' and action not like '%.read'`), '0');
});

test('documentation_request_is_a_deadline_on_the_calendar_and_in_the_feed', async () => {
  const deadline = day(21);
  const { applicant, nin, id, text, person } = await awaitingDocumentation(deadline);
  const cal = nbsp((await applicant.get('/mine-sider/kalender')).text);
  const upcoming = cal.slice(cal.indexOf('id="upcoming-table"'), cal.indexOf('</table>', cal.indexOf('id="upcoming-table"')));
  assert.ok(upcoming.includes(nbDate(deadline)), 'the deadline date is not listed');
  assert.match(upcoming, /<strong>Send dokumentasjon<\/strong>/);
  assert.ok(upcoming.includes(text));
  assert.match(upcoming, new RegExp(`href="/saker/${id}"`));
  assert.match(upcoming, /Om 21 dager/);
  assert.equal(feedLinks(cal), null, 'no address before one is made');
  const en = nbsp((await applicant.get('/mine-sider/kalender?lang=en')).text);
  const [y, m, dd] = deadline.split('-').map(Number);
  const month = new Date(Date.UTC(y, m - 1, dd)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  assert.ok(en.includes(`${dd} ${month} ${y}`), 'the date in English');
  assert.match(en, /Send documentation/);
  const overview = nbsp((await applicant.get('/mine-sider?lang=nb')).text);
  assert.ok(overview.slice(overview.indexOf('id="mp-deadlines"')).includes(nbDate(deadline)));

  // The address: made, shown with its webcal link, served without login.
  const links = await feedAddress(applicant);
  assert.ok(links, 'the address is shown once made');
  const token = links.url.match(/\/kalender\/([A-Za-z0-9_-]{43})\.ics$/)[1];
  assert.equal(links.webcal, links.url.replace(/^https?:/, 'webcal:'));
  assert.ok(!links.url.includes(nin));
  const feed = await fetch(links.url);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /^text\/calendar/);
  const ics = unfold(await feed.text());
  assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
  assert.match(ics, /\r\nPRODID:/);
  assert.match(ics, /\r\nX-WR-CALNAME:Lånekassen – frister\r\n/);
  assert.equal((ics.match(/BEGIN:VEVENT/g) || []).length, 1);
  assert.match(ics, new RegExp(`DTSTART;VALUE=DATE:${deadline.replaceAll('-', '')}\\r\\n`));
  assert.match(ics, new RegExp(`SUMMARY:Send dokumentasjon \\(sak ${id}\\)`));
  assert.match(ics, /DESCRIPTION:.*\/mine-sider\/kalender/);
  assert.equal((ics.match(/BEGIN:VALARM/g) || []).length, 2, 'the default reminders: 7 days and 1 day before');
  const name = srv.sql(`select given_name || '|' || family_name || '|' || address from persons where nin='${nin}'`).split('|');
  for (const secret of [nin, ...name, 'helsesøster']) assert.ok(!ics.includes(secret), `the feed reveals ${secret}`);
  assert.equal(srv.sql(`select count(*) from audit where action='calendar.feed.read' and object='person:${person}'`), '1');

  // A wrong address is 404; revoked, the old one is 404; a new one works.
  const wrong = links.url.replace(token, token.slice(0, 42) + (token[42] === 'A' ? 'B' : 'A'));
  assert.equal((await fetch(wrong)).status, 404);
  assert.equal((await fetch(links.url.replace(token, 'short'))).status, 404);
  assert.equal((await fetch(`${srv.base}/kalender/${token}`)).status, 404);
  const revoked = await feedAddress(applicant, 'revoke');
  assert.equal(revoked, null, 'no address is shown once revoked');
  assert.equal((await fetch(links.url)).status, 404);
  const renewed = await feedAddress(applicant);
  assert.notEqual(renewed.url, links.url);
  assert.equal((await fetch(links.url)).status, 404);
  const fresh = await fetch(renewed.url);
  assert.equal(fresh.status, 200);
  assert.match(unfold(await fresh.text()), new RegExp(`SUMMARY:Send dokumentasjon \\(sak ${id}\\)`));
  assert.equal(srv.sql(`select count(*) from audit where action='calendar.feed.created' and actor='person:${person}'`), '2');
  assert.equal(srv.sql(`select count(*) from audit where action='calendar.feed.revoked' and actor='person:${person}'`), '1');
  const newToken = renewed.url.split('/').pop().replace('.ics', '');
  assert.equal(srv.sql(`select count(*) from audit where detail like '%${token}%' or detail like '%${newToken}%'`), '0');
  assert.equal(srv.sql(`select count(*) from calendar_feeds where token_hash like '%${newToken}%' or secret like '%${newToken}%'`), '0');

  // Another person never sees the address: their pages show their own.
  const other = new Client(srv.base);
  await loginNin(other, adult());
  const theirs = (await other.get('/mine-sider/kalender')).text;
  assert.ok(!theirs.includes(newToken) && !theirs.includes(text));
  assert.equal(feedLinks(theirs), null);
  const own = await feedAddress(other);
  assert.ok(!own.url.includes(newToken));
  const ownIcs = unfold(await (await fetch(own.url)).text());
  assert.equal((ownIcs.match(/BEGIN:VEVENT/g) || []).length, 0);
  assert.ok(!(await other.get('/mine-sider/kalender')).text.includes(newToken));
  // The forms need the CSRF token.
  const forged = await other.post('/mine-sider/kalender/adresse', { action: 'revoke', csrf: 'a'.repeat(64) });
  assert.equal(forged.status, 403);
  assert.equal((await fetch(own.url)).status, 200);
});

test('reminders_are_delivered_by_work_once_at_the_configured_offsets_exactly_once', async () => {
  const deadline = day(21);
  const { applicant, id, person } = await awaitingDocumentation(deadline);
  const reminders = () => Number(srv.sql(`select count(*) from letters where person_id=${person} and kind='reminder'`));
  const work = (offset, time = '') => {
    const r = run(['work', '--db', srv.db, '--once', '--now', `${day(offset)}${time}`]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  work(13); // 8 days before
  assert.equal(reminders(), 0);
  work(14); // 7 days before (the default)
  assert.equal(reminders(), 1);
  work(14, 'T12:00:00Z');
  work(15);
  assert.equal(reminders(), 1, 'the 7-day reminder came twice');

  // The person wants upper-secondary deadlines 3 days and 1 day before.
  const page = await applicant.get('/mine-sider/paminnelser');
  assert.match(page.text, /id="upper-secondary-7" name="upper-secondary" value="7" checked/);
  const bad = await applicant.post('/mine-sider/paminnelser', { csrf: Client.csrf(page.text), 'upper-secondary': '5' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="upper-secondary-error">Velg blant tidspunktene som er vist/);
  assert.equal(srv.sql(`select count(*) from reminder_settings where person_id=${person}`), '0');
  const body = new URLSearchParams([['csrf', Client.csrf(page.text)], ['upper-secondary', '3'], ['upper-secondary', '1'],
    ['higher-education', '7'], ['higher-education', '1']]).toString();
  const saved = await applicant.request('POST', '/mine-sider/paminnelser', body, { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(saved.status, 303);
  assert.equal(srv.sql(`select offsets from reminder_settings where person_id=${person} and case_type='upper-secondary'`), '3,1');
  assert.match((await applicant.get('/mine-sider/paminnelser?lagret=1')).text, /id="upper-secondary-3" name="upper-secondary" value="3" checked/);

  work(18); // 3 days before
  assert.equal(reminders(), 2);
  work(18, 'T12:00:00Z');
  work(19);
  assert.equal(reminders(), 2);
  work(20); // 1 day before
  assert.equal(reminders(), 3);
  // The feed's alarms follow the settings: 3 days and 1 day before.
  const links = await feedAddress(applicant);
  const ics = unfold(await (await fetch(links.url)).text());
  assert.deepEqual([...ics.matchAll(/TRIGGER:(.*)\r\n/g)].map((x) => x[1]), ['-P2DT15H', '-PT15H']);
  work(21); // the day itself: not chosen
  work(22);
  assert.equal(reminders(), 3);
  assert.equal(srv.sql(`select group_concat(offset_days) from (select offset_days from reminders_sent where ref like 'documentation-request:%' and person_id=${person} order by at)`), '7,3,1');

  // A reminder letter says what and when.
  const letter = srv.sql(`select id from letters where person_id=${person} and kind='reminder' order by id desc limit 1`);
  assert.equal(srv.sql(`select case_id from letters where id=${letter}`), id);
  const shown = nbsp((await applicant.get(`/innboks/${letter}`)).text);
  assert.match(shown, /<h1[^>]*>Påminnelse om frist<\/h1>/);
  assert.ok(shown.includes(nbDate(deadline)));
  assert.match(shown, /Send dokumentasjon/);
  assert.doesNotMatch(shown, /Du kan klage/, 'a reminder is no decision');
  const en = nbsp((await applicant.get(`/innboks/${letter}?lang=en`)).text);
  assert.match(en, /Reminder of a deadline/);
});

test('preferences_with_invalid_email_or_mobile_give_field_errors_and_store_nothing', async () => {
  const c = new Client(srv.base);
  const nin = adult();
  await loginNin(c, nin);
  const person = personOf(srv, nin);
  const page = await c.get('/mine-sider/varsling');
  assert.equal(page.status, 200);
  const csrf = Client.csrf(page.text);
  const r = await c.post('/mine-sider/varsling', { csrf, action: 'save', email: 'ikke en adresse', mobile: '12 34', channel: 'email', language: 'nb' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="email-error">Skriv en gyldig e-postadresse/);
  assert.match(r.text, /id="mobile-error">Skriv et norsk mobilnummer med 8 siffer/);
  assert.match(r.text, /href="#email">Skriv en gyldig e-postadresse/);
  assert.match(r.text, /href="#mobile">Skriv et norsk mobilnummer/);
  assert.match(r.text, /id="email" name="email" type="email" autocomplete="email" value="ikke en adresse" aria-invalid="true"/);
  const sms = await c.post('/mine-sider/varsling', { csrf, action: 'save', email: 'kari@example.no', mobile: '', channel: 'sms', language: 'nb' });
  assert.equal(sms.status, 422);
  assert.match(sms.text, /id="channel-error">For å få varsel på SMS må du først bekrefte mobilnummeret ditt/);
  const lang = await c.post('/mine-sider/varsling', { csrf, action: 'save', email: 'kari@example.no', mobile: '', channel: 'email', language: 'de' });
  assert.equal(lang.status, 422);
  assert.match(lang.text, /id="language-error">/);
  const noEmail = await c.post('/mine-sider/varsling', { csrf, action: 'save', email: '', mobile: '', channel: 'email', language: 'nb' });
  assert.equal(noEmail.status, 422);
  assert.match(noEmail.text, /id="channel-error">For å få varsel på e-post må du skrive inn e-postadressen din/);
  const forged = await c.post('/mine-sider/varsling', { csrf: 'b'.repeat(64), action: 'save', email: 'kari@example.no', mobile: '', channel: 'email', language: 'nb' });
  assert.equal(forged.status, 403);
  assert.equal(srv.sql(`select count(*) from contact_preferences where person_id=${person}`), '0');

  // Valid: stored, audited by the fields' names, never their values.
  const ok = await c.post('/mine-sider/varsling', { csrf, action: 'save', email: ' kari@example.no ', mobile: '', channel: 'none', language: 'en' });
  assert.equal(ok.status, 303);
  assert.equal(srv.sql(`select email || ' ' || channel || ' ' || language from contact_preferences where person_id=${person}`), 'kari@example.no none en');
  assert.equal(srv.sql(`select detail from audit where action='contact.updated' and object='person:${person}'`), 'changed=email,channel,language');
  assert.match((await c.get('/mine-sider/varsling?status=lagret')).text, /Innstillingene er lagret/);
  // Without an SMS gateway a new number cannot be verified: said, nothing stored.
  const noGateway = await c.post('/mine-sider/varsling', { csrf, action: 'save', email: 'kari@example.no', mobile: '91234567', channel: 'none', language: 'en' });
  assert.equal(noGateway.status, 503);
  assert.match(noGateway.text, /id="mobile-error">/);
  assert.equal(srv.sql(`select count(*) from contact_preferences where person_id=${person} and mobile_pending is not null`), '0');
});

// A mobile number of its own for each use: 9 and seven digits.
let nextNumber = 0;
const mobile = () => `9${String(4000000 + process.pid % 1000 * 100 + nextNumber++).padStart(7, '0')}`;

async function askForCode(c, local) {
  const page = await c.get('/mine-sider/varsling');
  const r = await c.post('/mine-sider/varsling', { csrf: Client.csrf(page.text), action: 'save', email: 'ola@example.no', mobile: `${local.slice(0, 3)} ${local.slice(3, 5)} ${local.slice(5)}`, channel: 'email', language: 'nb' });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/mine-sider/varsling?status=kode-sendt#code');
  return Client.csrf(page.text);
}

async function codes(to) {
  const messages = await reg.sms(to);
  return messages.map((m) => {
    const code = m.text.match(/\b(\d{6})\b/);
    assert.ok(code, `no code in ${m.text}`);
    return code[1];
  });
}

test('mobile_number_is_verified_with_the_code_from_the_sms_gateway', async () => {
  const c = new Client(reg.base);
  const nin = adult(reg);
  await loginNin(c, nin);
  const person = personOf(reg, nin);
  const local = mobile();
  const csrf = await askForCode(c, local);
  const pending = (await c.get('/mine-sider/varsling?status=kode-sendt')).text;
  assert.match(pending, /Vi har sendt en kode til det nye mobilnummeret ditt/);
  assert.match(pending, /id="code" name="code"/);
  const [code] = await codes(`+47${local}`);
  const [sms] = await reg.sms(`+47${local}`);
  const name = reg.sql(`select given_name || '|' || family_name from persons where id=${person}`).split('|');
  for (const secret of [nin, ...name]) assert.ok(!sms.text.includes(secret), 'the SMS carries personal data');
  assert.equal(reg.sql(`select mobile_pending || ' ' || coalesce(mobile, '-') from contact_preferences where person_id=${person}`), `+47${local} -`);
  assert.ok(!reg.sql(`select mobile_code_hash from contact_preferences where person_id=${person}`).includes(code));
  // SMS cannot be chosen before the number is verified.
  const early = await c.post('/mine-sider/varsling', { csrf, action: 'save', email: 'ola@example.no', mobile: local, channel: 'sms', language: 'nb' });
  assert.equal(early.status, 422);
  assert.match(early.text, /id="channel-error">/);

  const ok = await c.post('/mine-sider/varsling', { csrf, action: 'verify', code: `${code.slice(0, 3)} ${code.slice(3)}` });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/mine-sider/varsling?status=bekreftet');
  assert.equal(reg.sql(`select mobile || ' ' || (mobile_verified_at is not null) || ' ' || coalesce(mobile_pending, '-') from contact_preferences where person_id=${person}`), `+47${local} 1 -`);
  const shown = nbsp((await c.get('/mine-sider/varsling?status=bekreftet')).text);
  assert.match(shown, /Mobilnummeret er bekreftet/);
  assert.ok(shown.includes(`Bekreftet nummer: +47 ${local.slice(0, 3)} ${local.slice(3, 5)} ${local.slice(5)}`));
  const sms2 = await c.post('/mine-sider/varsling', { csrf, action: 'save', email: 'ola@example.no', mobile: `+47${local}`, channel: 'sms', language: 'nb' });
  assert.equal(sms2.status, 303);
  assert.equal(reg.sql(`select channel from contact_preferences where person_id=${person}`), 'sms');
  assert.equal((await reg.sms(`+47${local}`)).length, 1, 'the verified number got a second code');
  assert.equal(reg.sql(`select count(*) from audit where action='contact.mobile.verified' and object='person:${person}'`), '1');
  const details = reg.sql(`select group_concat(detail, ' ') from audit where object='person:${person}' and action like 'contact.%'`);
  assert.ok(!details.includes(local) && !details.includes('ola@'), 'the audit log holds a value');
});

test('wrong_code_five_times_locks_until_a_new_code_is_sent', async () => {
  const c = new Client(reg.base);
  const nin = adult(reg);
  await loginNin(c, nin);
  const person = personOf(reg, nin);
  const local = mobile();
  const csrf = await askForCode(c, local);
  const [code] = await codes(`+47${local}`);
  const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
  for (let i = 1; i <= 5; i++) {
    const r = await c.post('/mine-sider/varsling', { csrf, action: 'verify', code: wrong });
    assert.equal(r.status, 422);
    if (i < 5) assert.match(r.text, new RegExp(`id="code-error">Koden er feil\\. Du har ${5 - i} forsøk igjen\\.`));
    else assert.match(r.text, /id="code-error">Du har skrevet feil kode for mange ganger\. Be om en ny kode\./);
  }
  const locked = await c.post('/mine-sider/varsling', { csrf, action: 'verify', code });
  assert.equal(locked.status, 422);
  assert.match(locked.text, /for mange ganger/);
  assert.equal(reg.sql(`select coalesce(mobile, '-') from contact_preferences where person_id=${person}`), '-');
  assert.equal(reg.sql(`select count(*) from audit where action='contact.mobile.code-wrong' and object='person:${person}'`), '5');

  // A new code opens it again.
  const resent = await c.post('/mine-sider/varsling', { csrf, action: 'resend' });
  assert.equal(resent.status, 303);
  const all = await codes(`+47${local}`);
  assert.equal(all.length, 2);
  const ok = await c.post('/mine-sider/varsling', { csrf, action: 'verify', code: all[1] });
  assert.equal(ok.status, 303);
  assert.equal(reg.sql(`select mobile from contact_preferences where person_id=${person}`), `+47${local}`);
});
