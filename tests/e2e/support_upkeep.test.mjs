// support_upkeep.test.mjs - the support centre's open points of #14 over
// HTTP against the real binary: support agents keep the list of topics and
// management the agencies (add, rename in both languages, retire, restore;
// a retired one is no longer offered but old inquiries keep it; each change
// audited; names checked field by field), and an agent sends an FAQ
// answer's link to a caller: to an identified person's mailbox with the
// usual e-mail notice, in the person's language, or by e-mail over SMTP to
// an anonymous caller; the inquiry records what was sent where.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, run, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ persons: 20, smtp: true }); });
after(async () => { await srv.stop(); });

let nextPerson = 0;

async function csrfOf(c, url) {
  return Client.csrf((await c.get(url)).text);
}

async function staff(username) {
  const c = new Client(srv.base);
  const r = await c.post('/login/test', { staff: username, csrf: await csrfOf(c, '/login') });
  assert.equal(r.status, 303);
  return c;
}

async function person() {
  const c = new Client(srv.base);
  const nin = await c.login(nextPerson++);
  const id = srv.sql(`select id from persons where nin='${nin}'`);
  return { c, nin, id };
}

const audits = (action, object) => Number(srv.sql(`select count(*) from audit where action='${action}' and object='${object}'`));

async function change(c, url, form) {
  return c.post(url, { csrf: await csrfOf(c, url), ...form });
}

test('support_agents_keep_the_topics_and_a_retired_topic_is_not_offered_but_old_inquiries_keep_it', async () => {
  const siri = await staff('siri.hauge');
  const page = await siri.get('/kundesenter/temaer');
  assert.equal(page.status, 200);
  assert.match(page.text, /<tr data-code="boarding"><td><code>boarding<\/code><\/td><td>Borteboer og bostøtte<\/td><td>Living away from home<\/td><td>I bruk<\/td><\/tr>/);

  // Each bad field is named, and the values are kept.
  let r = await change(siri, '/kundesenter/temaer', { action: 'add', code: 'Ny Kode', name_nb: 'Stipend i utlandet', name_en: 'Abroad' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="add-code-error">/);
  assert.match(r.text, /id="add-name_nb"[^>]*value="Stipend i utlandet"/);
  r = await change(siri, '/kundesenter/temaer', { action: 'add', code: 'abroad', name_nb: 'Stipend i utlandet', name_en: '' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="add-name_en-error">Skriv navnet på engelsk/);
  assert.match(r.text, /<a class="ds-link" href="#add-name_en">/, 'the summary links to the field');
  r = await change(siri, '/kundesenter/temaer', { action: 'add', code: 'boarding', name_nb: 'X', name_en: 'X' });
  assert.equal(r.status, 422, 'a code taken');
  assert.match(r.text, /id="add-code-error">/);

  // Added, then offered on the desk.
  r = await change(siri, '/kundesenter/temaer', { action: 'add', code: 'abroad', name_nb: 'Stipend i utlandet', name_en: 'Studying abroad' });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/kundesenter/temaer?done=add');
  assert.equal(audits('support.topic.added', 'topic:abroad'), 1);
  assert.match((await siri.get('/kundesenter')).text, /<option value="abroad">Stipend i utlandet<\/option>/);

  // An inquiry logged with it, then renamed: the old inquiry shows the new name.
  const start = new Date(Date.now() - 5 * 60e3).toLocaleString('sv-SE', { timeZone: 'Europe/Oslo' }).replace(' ', 'T').slice(0, 16);
  const log = (topic) => change(siri, '/kundesenter/henvendelser', { agency: 'lanekassen', channel: 'phone', topic,
    service: 'none', outcome: 'answered', start });
  assert.equal((await log('abroad')).status, 303);
  const inquiry = srv.sql("select id from inquiries order by id desc limit 1");
  r = await change(siri, '/kundesenter/temaer', { action: 'rename', code: 'abroad', name_nb: 'Utdanning i utlandet', name_en: 'Education abroad' });
  assert.equal(r.status, 303, r.text);
  assert.equal(audits('support.topic.renamed', 'topic:abroad'), 1);
  assert.match((await siri.get('/kundesenter')).text, new RegExp(`<tr data-inquiry="${inquiry}">.*?Utdanning i utlandet`));
  const rename = await change(siri, '/kundesenter/temaer', { action: 'rename', code: 'abroad', name_nb: 'x'.repeat(101), name_en: 'E' });
  assert.equal(rename.status, 422);
  assert.match(rename.text, /id="change-name_nb-error">/);

  // Retired: no longer offered, refused on the log naming the topic, the old inquiry keeps it.
  r = await change(siri, '/kundesenter/temaer', { action: 'retire', code: 'abroad' });
  assert.equal(r.status, 303, r.text);
  assert.equal(srv.sql("select active || name_nb from support_topics where code='abroad'"), '0Utdanning i utlandet');
  const desk = await siri.get('/kundesenter');
  assert.doesNotMatch(desk.text, /<option value="abroad">/);
  assert.match(desk.text, new RegExp(`<tr data-inquiry="${inquiry}">.*?Utdanning i utlandet`));
  const refused = await log('abroad');
  assert.equal(refused.status, 422);
  assert.match(refused.text, /id="topic-error">/);
  assert.match((await siri.get('/kundesenter/temaer')).text, /<tr data-code="abroad">.*?<td>Trukket tilbake<\/td><\/tr>/);
  assert.equal(audits('support.topic.retired', 'topic:abroad'), 1);
  // Restored.
  assert.equal((await change(siri, '/kundesenter/temaer', { action: 'restore', code: 'abroad' })).status, 303);
  assert.equal((await log('abroad')).status, 303);
  // "other" is where messages without a topic go: it stays.
  const other = await change(siri, '/kundesenter/temaer', { action: 'retire', code: 'other' });
  assert.equal(other.status, 422);
  assert.match(other.text, /id="change-code-error">/);

  // Management may keep topics too; a case worker and a person may not (audited).
  const mona = await staff('mona.vik');
  assert.equal((await mona.get('/kundesenter/temaer')).status, 200);
  const sara = await staff('sara.berg');
  assert.equal((await sara.get('/kundesenter/temaer')).status, 403);
  const p = await person();
  const denied = await p.c.post('/kundesenter/temaer', { csrf: await csrfOf(p.c, '/mine-sider'), action: 'retire', code: 'boarding' });
  assert.equal(denied.status, 403);
  assert.equal(srv.sql(`select count(*) from audit where actor='person:${p.id}' and action='support.topics.manage.denied'`), '1');
  assert.equal(srv.sql("select active from support_topics where code='boarding'"), '1');
});

test('management_keeps_the_agencies_and_a_retired_agency_is_not_offered_but_its_inquiries_stay_in_the_report', async () => {
  const siri = await staff('siri.hauge');
  assert.equal((await siri.get('/kundesenter/etater')).status, 403, 'agencies are management\'s');
  const mona = await staff('mona.vik');
  let r = await change(mona, '/kundesenter/etater', { action: 'add', code: 'husbanken', name_nb: 'Husbanken', name_en: 'The Norwegian State Housing Bank' });
  assert.equal(r.status, 303, r.text);
  assert.equal(audits('support.agency.added', 'agency:husbanken'), 1);
  assert.match((await siri.get('/kundesenter')).text, /<option value="husbanken">Husbanken<\/option>/);
  assert.match((await siri.get('/kundesenter?lang=en')).text, /<option value="husbanken">The Norwegian State Housing Bank<\/option>/);
  // An inquiry for it in September 2025, then it is retired.
  r = await change(siri, '/kundesenter/henvendelser', { agency: 'husbanken', channel: 'chat', topic: 'other', service: 'none',
    outcome: 'answered', start: '2025-09-10T10:00', end: '2025-09-10T10:12' });
  assert.equal(r.status, 303, r.text);
  r = await change(mona, '/kundesenter/etater', { action: 'retire', code: 'husbanken' });
  assert.equal(r.status, 303, r.text);
  assert.doesNotMatch((await siri.get('/kundesenter')).text, /<option value="husbanken">/);
  const refused = await change(siri, '/kundesenter/henvendelser', { agency: 'husbanken', channel: 'chat', topic: 'other',
    service: 'none', outcome: 'answered', start: '2025-09-10T11:00', end: '2025-09-10T11:05' });
  assert.equal(refused.status, 422);
  assert.match(refused.text, /id="agency-error">/);
  const rep = JSON.parse(run(['support', 'report', '--db', srv.db, '--month', '2025-09', '--json']).stdout);
  assert.ok(rep.lines.some((l) => l.agency === 'husbanken' && l.seconds === 720), 'the old inquiry stays in the report');
  // The last agency still served cannot be retired.
  const last = await change(mona, '/kundesenter/etater', { action: 'retire', code: 'lanekassen' });
  assert.equal(last.status, 422);
  assert.match(last.text, /id="change-code-error">/);
  const bad = await change(mona, '/kundesenter/etater', { action: 'rename', code: 'lanekassen', name_nb: 'Lånekassen', name_en: 'a\u0001b' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="change-name_en-error">/);
});

test('an_agent_sends_an_faq_link_to_an_identified_caller_mailbox_with_a_notice_in_their_language', async () => {
  const p = await person();
  srv.sql('insert into contact_preferences(person_id, email, channel, language, updated_at) '
    + `values (${p.id}, 'faq.caller@example.no', 'email', 'en', 0)`);
  const siri = await staff('siri.hauge');
  const desk = await siri.get('/kundesenter');
  const id = await siri.post('/kundesenter/innringer', { csrf: Client.csrf(desk.text), nin: p.nin, confirmed: 'yes' });
  assert.equal(id.status, 303);
  const search = await siri.get(`/kundesenter?person=${p.id}&faq=bortebo`);
  assert.match(search.text, /<form method="post" action="\/kundesenter\/faq-lenke"/);
  const faq = srv.sql("select e.id from faq_entries e join faq_versions v on v.entry_id = e.id and v.version = e.published_version "
    + "where v.question_nb like '%borteboer%' order by e.id limit 1");
  assert.match(search.text, new RegExp(`id="send-faq-${faq}"[^>]*checked`));
  assert.doesNotMatch(search.text, /id="send-email"/, 'an identified caller gets it in the mailbox');
  const r = await siri.post('/kundesenter/faq-lenke', { csrf: Client.csrf(search.text), person: p.id, faq, channel: 'phone', faq_q: 'bortebo' });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), `/kundesenter?person=${p.id}&done=faq-mailbox`);

  // Recorded on the inquiry: what was sent where.
  const [inquiry, outcome, link, topic] = srv.sql(`select q.id, q.outcome, q.link, t.code from inquiries q join support_topics t on t.id = q.topic_id
    where q.person_id = ${p.id} order by q.id desc limit 1`).split('|');
  assert.deepEqual([outcome, link], ['self-service', `/faq/${faq}`]);
  assert.equal(topic, srv.sql(`select t.code from faq_entries e join support_topics t on t.id = e.topic_id where e.id = ${faq}`));
  const [channel, letter, lang, email] = srv.sql(`select channel, letter_id, lang, coalesce(email, '-') from faq_sends where inquiry_id = ${inquiry}`).split('|');
  assert.deepEqual([channel, lang, email], ['mailbox', 'en', '-']);
  assert.equal(audits('faq.sent', `inquiry:${inquiry}`), 1);
  const after = await siri.get(`/kundesenter?person=${p.id}&done=faq-mailbox`);
  assert.match(after.text, /Lenken er sendt til innringerens innboks/);
  assert.match(after.text, /Besvart med selvbetjening · lenke sendt til innboksen|lenke sendt til innboksen/);

  // The person's mailbox has it, with the usual notice by e-mail.
  assert.equal(srv.sql(`select kind || '|' || person_id from letters where id = ${letter}`), `answer|${p.id}`);
  const notice = await srv.smtp.waitFor('faq.caller@example.no');
  assert.match(notice.text, new RegExp(`/innboks/${letter}`));
  const open = await p.c.get(`/innboks/${letter}`);
  assert.equal(open.status, 200);
  const question = srv.sql(`select question_en from faq_versions v join faq_entries e on e.id = v.entry_id and v.version = e.published_version where e.id = ${faq}`);
  assert.ok(open.text.includes(`The support centre promised to send you the answer to the question &quot;${question}&quot;`)
    || open.text.includes(`The support centre promised to send you the answer to the question "${question}"`), 'in English, the person\'s language');
  assert.match(open.text, new RegExp(`/faq/${faq}`));
});

test('an_agent_sends_an_faq_link_by_email_to_an_anonymous_caller_and_a_bad_address_is_named', async () => {
  const siri = await staff('siri.hauge');
  const search = await siri.get('/kundesenter?faq=bortebo');
  assert.match(search.text, /id="send-email"/);
  const faq = srv.sql("select min(id) from faq_entries where published_version is not null");
  const before = srv.sql('select count(*) from faq_sends');
  const bad = await siri.post('/kundesenter/faq-lenke', { csrf: Client.csrf(search.text), faq, email: 'ikke en adresse', lang: 'nb', faq_q: 'bortebo' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="send-email-error">Skriv en gyldig e-postadresse/);
  assert.match(bad.text, /id="send-email"[^>]*value="ikke en adresse"/, 'the value is kept');
  assert.equal(srv.sql('select count(*) from faq_sends'), before, 'nothing recorded');
  const noFaq = await siri.post('/kundesenter/faq-lenke', { csrf: Client.csrf(search.text), faq: '999999', email: 'a@example.no', lang: 'nb', faq_q: 'bortebo' });
  assert.equal(noFaq.status, 422);
  assert.match(noFaq.text, /id="send-faq-error">/);

  const r = await siri.post('/kundesenter/faq-lenke', { csrf: Client.csrf(search.text), faq, email: 'anonym.innringer@example.no', lang: 'nb', channel: 'chat' });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/kundesenter?done=faq-email');
  const mail = await srv.smtp.waitFor('anonym.innringer@example.no');
  assert.match(mail.text, new RegExp(`^http://[^\\s]+/faq/${faq}\r?$`, 'm'), 'the link on a line of its own');
  assert.match(mail.subject, /^Svar fra Lånekassen: /);
  const [channel, email, lang, person] = srv.sql(`select f.channel, f.email, f.lang, coalesce(q.person_id, 0) from faq_sends f
    join inquiries q on q.id = f.inquiry_id order by f.id desc limit 1`).split('|');
  assert.deepEqual([channel, email, lang, person], ['email', 'anonym.innringer@example.no', 'nb', '0']);
  assert.equal(srv.sql('select channel || outcome from inquiries order by id desc limit 1'), 'chatself-service');
  // The address is personal data: never in the log or the audit.
  assert.doesNotMatch(srv.log(), /anonym\.innringer@example\.no/);
  assert.equal(srv.sql("select count(*) from audit where detail like '%anonym.innringer%'"), '0');
  // Only an agent sends.
  const sara = await staff('sara.berg');
  const denied = await sara.post('/kundesenter/faq-lenke', { csrf: await csrfOf(sara, '/saksbehandling'), faq, email: 'x@example.no', lang: 'nb' });
  assert.equal(denied.status, 403);
});
