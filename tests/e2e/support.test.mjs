// support.test.mjs - the support centre (#14) over HTTP against the real
// binary: the inquiry log (a caller identified, an anonymous one, a
// hand-over answered as a letter), a general question without a case, the
// communication history for the person, a case worker and an agent (and
// not for anyone else), the FAQ's prefix search, versions and feedback, the
// monthly cost report shared exactly between two agencies, management's
// dashboard, and /metrics read by a strict parser of the text format.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, nbsp, run, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ persons: 60, smtp: true }); });
after(async () => { await srv.stop(); });

const valid = { institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk', lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };
let nextPerson = 0;

async function csrfOf(c, url = '/login') {
  return Client.csrf((await c.get(url)).text);
}

async function staff(username) {
  const c = new Client(srv.base);
  const r = await c.post('/login/test', { staff: username, csrf: await csrfOf(c) });
  assert.equal(r.status, 303);
  return c;
}

async function person() {
  const c = new Client(srv.base);
  const nin = await c.login(nextPerson++);
  const id = srv.sql(`select id from persons where nin='${nin}'`);
  return { c, nin, id };
}

// "2025-09-03T10:15" minutes before now, as the desk's fields take it:
// Norwegian time (Europe/Oslo).
const osloWall = (ms) => new Date(ms).toLocaleString('sv-SE', { timeZone: 'Europe/Oslo', hour12: false }).replace(' ', 'T').slice(0, 16);
const minutesAgo = (m) => osloWall(Date.now() - m * 60e3);

async function identify(agent, nin) {
  const r = await agent.post('/kundesenter/innringer', { csrf: await csrfOf(agent, '/kundesenter'), nin, confirmed: 'yes' });
  assert.equal(r.status, 303, r.text);
  const m = r.headers.get('location').match(/^\/kundesenter\?person=(\d+)$/);
  assert.ok(m, r.headers.get('location'));
  return m[1];
}

async function log(agent, form) {
  const csrf = await csrfOf(agent, '/kundesenter');
  return agent.post('/kundesenter/henvendelser', {
    csrf, agency: 'lanekassen', channel: 'phone', service: 'application', outcome: 'answered',
    start: minutesAgo(6), end: '', ...form,
  });
}

const lastInquiry = () => srv.sql('select id, channel, outcome, coalesce(person_id, 0), coalesce(message_id, 0), '
  + 'ended_at - started_at from inquiries order by id desc limit 1').split('|');

test('an_agent_logs_a_phone_inquiry_for_an_identified_caller_and_one_for_an_anonymous_caller', async () => {
  const siri = await staff('siri.hauge');
  const p = await person();
  // The number must be confirmed, valid, and somebody's; each refusal names its field.
  const desk = await siri.get('/kundesenter');
  assert.equal(desk.status, 200);
  assert.match(desk.text, /id="nin"[^>]*autofocus/, 'the number field has the focus');
  const unconfirmed = await siri.post('/kundesenter/innringer', { csrf: Client.csrf(desk.text), nin: p.nin });
  assert.equal(unconfirmed.status, 422);
  assert.match(unconfirmed.text, /id="confirmed-error">Innringeren må bekrefte fødselsnummeret\./);
  const wrong = await siri.post('/kundesenter/innringer', { csrf: Client.csrf(desk.text), nin: '12345678901', confirmed: 'yes' });
  assert.equal(wrong.status, 422);
  assert.match(wrong.text, /id="nin-error">/);
  assert.equal(await identify(siri, p.nin), p.id);
  assert.equal(srv.sql(`select count(*) from audit where action='inquiry.caller-identified' and object='person:${p.id}'`), '1');

  const caller = await siri.get(`/kundesenter?person=${p.id}`);
  assert.equal(caller.status, 200);
  assert.match(caller.text, /Ingen tidligere henvendelser\./);
  // A topic is found by its name as the searchable list shows it.
  const r = await log(siri, { person: p.id, topic: 'Borteboer og bostøtte', start: minutesAgo(7), end: minutesAgo(2) });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), `/kundesenter?person=${p.id}&done=logged`);
  const [, channel, outcome, who, msg, seconds] = lastInquiry();
  assert.deepEqual([channel, outcome, who, msg, seconds], ['phone', 'answered', p.id, '0', '300']);
  const again = await siri.get(`/kundesenter?person=${p.id}&done=logged`);
  assert.match(again.text, /Henvendelsen er registrert\./);
  assert.match(again.text, /class="ds-list plain-list caller-recent"><li>[^<]*Telefon, Borteboer og bostøtte – Besvart/);

  // Anonymous, guided to self-service: the link is required and kept.
  const noLink = await log(siri, { topic: 'login', outcome: 'self-service', channel: 'chat' });
  assert.equal(noLink.status, 422);
  assert.match(noLink.text, /id="link-error">/);
  assert.match(noLink.text, /value="chat" selected/, 'the values are kept');
  const anon = await log(siri, { topic: 'login', outcome: 'self-service', channel: 'chat', link: '/faq/1' });
  assert.equal(anon.status, 303, anon.text);
  assert.equal(anon.headers.get('location'), '/kundesenter?done=logged');
  assert.deepEqual(lastInquiry().slice(1, 4), ['chat', 'self-service', '0']);
  // An end before the start is refused, naming the end.
  const backwards = await log(siri, { topic: 'other', start: minutesAgo(1), end: minutesAgo(5) });
  assert.equal(backwards.status, 422);
  assert.match(backwards.text, /id="end-error">/);
  // Nobody but an agent logs: a person is refused, audited.
  const refused = await p.c.post('/kundesenter/henvendelser', { csrf: await csrfOf(p.c, '/mine-sider'), topic: 'other' });
  assert.equal(refused.status, 403);
  assert.equal(srv.sql(`select count(*) from audit where actor='person:${p.id}' and action='inquiry.log.denied'`), '1');
});

test('a_handed_over_inquiry_becomes_a_task_for_a_case_worker_whose_answer_reaches_the_person_as_a_letter', async () => {
  const siri = await staff('siri.hauge');
  const sara = await staff('sara.berg');
  const p = await person();
  // A hand-over needs the caller and a note.
  const anonymous = await log(siri, { topic: 'payout', outcome: 'handed-over', note: 'Hvorfor er utbetalingen forsinket?' });
  assert.equal(anonymous.status, 422);
  assert.match(anonymous.text, /id="person-error">/);
  await identify(siri, p.nin);
  const noNote = await log(siri, { person: p.id, topic: 'payout', outcome: 'handed-over' });
  assert.equal(noNote.status, 422);
  assert.match(noNote.text, /id="note-error">/);
  const note = 'Ringte om utbetalingen i september, som ikke har kommet.';
  const r = await log(siri, { person: p.id, topic: 'payout', outcome: 'handed-over', note });
  assert.equal(r.status, 303, r.text);
  const [inquiry, , , , message] = lastInquiry();
  assert.notEqual(message, '0');
  assert.equal(srv.sql(`select coalesce(case_id, 'none') || '|' || person_id || '|' || direction from messages where id=${message}`),
    `none|${p.id}|in`);

  // The case workers' queue has it, with the agent's note.
  const queue = await sara.get('/saksbehandling/henvendelser');
  assert.match(queue.text, new RegExp(`href="/saksbehandling/henvendelser/${message}"`));
  assert.match(queue.text, new RegExp(`href="/kundesenter/personer/${p.id}/historikk">Generelt spørsmål`));
  const page = await sara.get(`/saksbehandling/henvendelser/${message}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(note));
  assert.ok(page.text.includes('[Kundesenteret, phone, Utbetaling]'));
  const waiting = await siri.get(`/kundesenter?person=${p.id}`);
  assert.match(waiting.text, /Sendt videre til saksbehandler \(venter på svar\)/);

  const answer = 'Utbetalingen går ut fredag.';
  const a = await sara.post(`/saksbehandling/henvendelser/${message}/svar`, { csrf: Client.csrf(page.text), text: answer });
  assert.equal(a.status, 303, a.text);
  const letter = srv.sql(`select id from letters where person_id=${p.id} and kind='answer' and case_id is null`);
  assert.match(letter, /^\d+$/);
  const read = await p.c.get(`/innboks/${letter}`);
  assert.equal(read.status, 200);
  assert.ok(read.text.includes(answer), 'the person reads the answer');
  // The log shows the inquiry closed.
  const closed = await siri.get(`/kundesenter?person=${p.id}`);
  assert.match(closed.text, /Sendt videre til saksbehandler \(besvart\)/);
  const mine = await siri.get('/kundesenter');
  assert.match(mine.text, new RegExp(`data-inquiry="${inquiry}">[\\s\\S]*?\\(besvart\\)`));
});

test('a_person_writes_a_general_question_without_a_case_and_it_lands_in_the_log', async () => {
  const p = await person();
  const form = await p.c.get('/innboks/skriv');
  assert.match(form.text, /<option value="none">Generelt spørsmål \(ingen sak\)<\/option>/);
  const csrf = Client.csrf(form.text);
  // Choosing nothing is still an error naming the case; an empty text names the text.
  const none = await p.c.post('/innboks/skriv', { csrf, case: '', text: 'Hei' });
  assert.equal(none.status, 422);
  assert.match(none.text, /id="case-error">Velg saken du skriver om\./);
  const empty = await p.c.post('/innboks/skriv', { csrf, case: 'none', text: '  ' });
  assert.equal(empty.status, 422);
  assert.match(empty.text, /id="text-error">/);
  const text = 'Kan jeg søke om stipend før jeg har fått studieplass?';
  const r = await p.c.post('/innboks/skriv', { csrf, case: 'none', text });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/mine-sider/historikk?sent=1');
  assert.equal(srv.sql(`select q.channel || '|' || q.outcome || '|' || coalesce(m.case_id, 'none') || '|' || m.text from inquiries q `
    + `join messages m on m.id = q.message_id where q.person_id=${p.id}`), `secure-message|handed-over|none|${text}`);
  const history = await p.c.get('/mine-sider/historikk?sent=1');
  assert.match(history.text, /Meldingen er sendt\./);
  assert.ok(history.text.includes(text));
});

test('the_timeline_shows_a_letter_sent_by_email_and_opened_and_an_inquiry_to_the_person_and_staff_alike', async () => {
  const p = await person();
  srv.sql('insert into contact_preferences(person_id, email, channel, language, updated_at) '
    + `values (${p.id}, 'tidslinje@example.no', 'email', 'nb', 0)`);
  const applied = await p.c.apply(valid);
  assert.equal(applied.status, 303, applied.text);
  const caseId = applied.headers.get('location').split('/').pop();
  const letter = srv.sql(`select id from letters where case_id=${caseId} and kind='decision'`);
  await srv.smtp.waitFor('tidslinje@example.no');
  for (let i = 0; i < 200 && srv.sql(`select notice_status from letters where id=${letter}`) === 'pending'; i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(srv.sql(`select notice_status from letters where id=${letter}`), 'sent');
  assert.equal((await p.c.get(`/innboks/${letter}`)).status, 200); // opened
  const siri = await staff('siri.hauge');
  await identify(siri, p.nin);
  assert.equal((await log(siri, { person: p.id, case: caseId, topic: 'decision', channel: 'phone' })).status, 303);

  const item = (html, type, id) => {
    const m = html.match(new RegExp(`<li class="timeline-item" data-type="${type}" data-id="${id}">([\\s\\S]*?)</li>\\s*(<li class="timeline|</ol>)`));
    assert.ok(m, `no ${type} ${id} in the timeline`);
    return nbsp(m[1]).replace(/\s+/g, ' ');
  };
  const inquiry = srv.sql(`select id from inquiries where person_id=${p.id}`);
  const views = [];
  for (const [who, url] of [[p.c, '/mine-sider/historikk'], [siri, `/kundesenter/personer/${p.id}/historikk`],
    [await staff('per.lund'), `/kundesenter/personer/${p.id}/historikk`]]) {
    const page = await who.get(url);
    assert.equal(page.status, 200, url);
    const l = item(page.text, 'letter', letter);
    assert.match(l, /Varsel sendt på e-post/);
    assert.match(l, /Åpnet \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}/);
    const q = item(page.text, 'inquiry', inquiry);
    assert.match(q, /Henvendelse til kundesenteret/);
    assert.match(q, /Telefon · Vedtak og begrunnelse/);
    assert.match(q, /Besvart/);
    assert.match(item(page.text, 'decision', srv.sql(`select id from decisions where case_id=${caseId}`)), /Vedtak/);
    views.push([l, q]);
  }
  // The same words for all three.
  assert.deepEqual(views[1], views[0]);
  assert.deepEqual(views[2], views[0]);
  // Filtered to letters, only letters.
  const letters = await p.c.get('/mine-sider/historikk?type=letter');
  assert.ok(!/data-type="(inquiry|decision|message)"/.test(letters.text));
  assert.match(letters.text, /data-type="letter"/);
  assert.equal((await p.c.get('/mine-sider/historikk?type=everything')).status, 422);
  // Every reading audited, whoever reads.
  assert.ok(Number(srv.sql(`select count(*) from audit where action='timeline.read' and object='person:${p.id}'`)) >= 4);
});

test('a_person_cannot_see_another_persons_timeline_and_the_refusal_is_audited', async () => {
  const a = await person();
  const b = await person();
  const r = await b.c.get(`/kundesenter/personer/${a.id}/historikk`);
  assert.equal(r.status, 404);
  const name = srv.sql(`select family_name from persons where id=${a.id}`);
  assert.ok(!r.text.includes(name));
  assert.equal(srv.sql(`select count(*) from audit where actor='person:${b.id}' and action='timeline.read.denied' `
    + `and object='person:${a.id}'`), '1');
  // Management reads no one's history.
  const mona = await staff('mona.vik');
  assert.equal((await mona.get(`/kundesenter/personer/${a.id}/historikk`)).status, 404);
  // The owner's own page answers.
  assert.equal((await a.c.get('/mine-sider/historikk')).status, 200);
});

test('faq_search_finds_an_answer_by_a_word_prefix_and_agents_keep_versions', async () => {
  const visitor = new Client(srv.base);
  const hits = await visitor.get('/faq?q=bortebo');
  assert.equal(hits.status, 200);
  assert.match(hits.text, /Når regnes jeg som borteboer i høyere utdanning\?/);
  const en = await visitor.get('/faq?q=deferr&lang=en');
  assert.match(en.text, /Can I defer paying a bill\?/);
  // FTS5 syntax from outside is only words.
  const odd = await visitor.get(`/faq?q=${encodeURIComponent('"bortebo* OR NEAR(x')}`);
  assert.equal(odd.status, 200);
  assert.equal((await visitor.get('/faq?q=zzzqqq&lang=nb')).text.includes('Ingen svar funnet.'), true);

  // An agent writes a draft: the public does not see it until it is published.
  const siri = await staff('siri.hauge');
  const form = await siri.get('/kundesenter/faq');
  assert.equal(form.status, 200);
  const draft = {
    csrf: Client.csrf(form.text), topic: 'repayment', question_nb: 'Når starter nedbetalingen av studielånet?',
    answer_nb: 'Nedbetalingen starter sju måneder etter at utdanningen er ferdig.', question_en: 'When does repayment start?',
    answer_en: 'Repayment starts seven months after you finish.', source: '', action: 'save',
  };
  const bad = await siri.post('/kundesenter/faq', { ...draft, question_nb: '' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="question_nb-error">/);
  const saved = await siri.post('/kundesenter/faq', draft);
  assert.equal(saved.status, 303, saved.text);
  const id = saved.headers.get('location').match(/\/kundesenter\/faq\/(\d+)/)[1];
  assert.ok(!(await visitor.get('/faq?q=nedbetal')).text.includes('Når starter nedbetalingen'));
  assert.equal((await visitor.get(`/faq/${id}`)).status, 404);
  const edit = await siri.get(`/kundesenter/faq/${id}`);
  const pub = await siri.post(`/kundesenter/faq/${id}`, { ...draft, csrf: Client.csrf(edit.text), question_nb: 'Når begynner nedbetalingen?', action: 'publish' });
  assert.equal(pub.status, 303);
  assert.match((await visitor.get('/faq?q=nedbet')).text, /Når begynner nedbetalingen\?/);
  // Both versions kept, with who wrote them.
  assert.equal(srv.sql(`select group_concat(version || ':' || s.username) from faq_versions v join staff s on s.id = v.staff_id `
    + `where entry_id=${id}`), '1:siri.hauge,2:siri.hauge');
  const versions = await siri.get(`/kundesenter/faq/${id}`);
  assert.match(versions.text, /data-version="1"[\s\S]*Publiser denne/);

  // "Did this help?": counted, and an answer that fails shows in the agents' view.
  for (const helped of ['no', 'no', 'yes']) {
    const page = await visitor.get(`/faq/${id}`);
    const v = await visitor.post(`/faq/${id}/svar`, { csrf: Client.csrf(page.text), helped });
    assert.equal(v.status, 303);
  }
  const view = await siri.get('/kundesenter/faq');
  assert.match(view.text, new RegExp(`<ul class="ds-list plain-list faq-failing"><li><a class="ds-link" href="/kundesenter/faq/${id}">`));
  // A person may not edit.
  const p = await person();
  assert.equal((await p.c.post('/kundesenter/faq', { ...draft, csrf: await csrfOf(p.c, '/mine-sider') })).status, 403);
});

test('the_cost_report_for_a_month_with_two_agencies_shares_a_known_cost_exactly', async () => {
  const add = run(['support', 'agency', '--db', srv.db, '--add', 'husbanken', '--name', 'Husbanken']);
  assert.equal(add.status, 0, add.stderr);
  const badAgency = run(['support', 'agency', '--db', srv.db, '--add', 'Ugyldig kode', '--name', 'X']);
  assert.equal(badAgency.status, 2);
  assert.equal(JSON.parse(badAgency.stderr).field, 'code');
  const siri = await staff('siri.hauge');
  // 10, 20 and 30 minutes in September 2025: 600, 1 200 and 1 800 seconds.
  for (const [agency, service, channel, from, to] of [
    ['lanekassen', 'application', 'phone', '2025-09-02T10:00', '2025-09-02T10:10'],
    ['lanekassen', 'mailbox', 'chat', '2025-09-03T10:00', '2025-09-03T10:20'],
    ['husbanken', 'application', 'phone', '2025-09-04T10:00', '2025-09-04T10:30'],
  ]) {
    const r = await log(siri, { agency, service, channel, topic: 'other', start: from, end: to });
    assert.equal(r.status, 303, r.text);
  }
  // The desk's times are Norwegian time, both typed and shown: 10:00 in
  // Oslo on 4 September 2025 (summer time) is 08:00 UTC.
  assert.equal(srv.sql("select count(*) from inquiries where agency = 'husbanken' and started_at = 1756972800"), '1');
  assert.match((await siri.get('/kundesenter')).text, /<td>04\.09\.2025 10:00<\/td>/);
  // 1 000,01 kr = 100 001 øre: exact shares 16 666,83, 33 333,67 and 50 000,5;
  // floors 16 666 + 33 333 + 50 000 = 99 999, the two øre left to the two
  // largest remainders (0,83 and 0,67).
  const j = run(['support', 'report', '--db', srv.db, '--month', '2025-09', '--cost', '1000,01', '--json']);
  assert.equal(j.status, 0, j.stderr);
  const rep = JSON.parse(j.stdout);
  const costs = rep.lines.map((l) => [l.agency, l.service, l.seconds, l.cost_ore]);
  assert.deepEqual(costs, [
    ['husbanken', 'application', 1800, 50000],
    ['lanekassen', 'application', 600, 16667],
    ['lanekassen', 'mailbox', 1200, 33334],
  ]);
  assert.equal(rep.lines.reduce((s, l) => s + l.cost_ore, 0), 100001);
  assert.equal(rep.lines[2].channels.chat, 1);
  const csv = run(['support', 'report', '--db', srv.db, '--month', '2025-09', '--cost', '1000,01', '--csv']);
  assert.equal(csv.status, 0);
  assert.match(csv.stdout, /^month,agency,service,phone,chat,email,counter,letter,secure-message,inquiries,seconds,share_percent,cost_nok\r\n/);
  assert.match(csv.stdout, /2025-09,lanekassen,mailbox,0,1,0,0,0,0,1,1200,33\.3333,333\.34\r\n/);
  assert.match(csv.stdout, /2025-09,all,all,2,1,0,0,0,0,3,3600,100\.0000,1000\.01\r\n/);
  const bad = run(['support', 'report', '--db', srv.db, '--month', '2025-13']);
  assert.equal(bad.status, 2);
  assert.equal(JSON.parse(bad.stderr).field, 'month');

  // The same on the web, with the chart and the CSV; management reads it too.
  const page = await siri.get('/kundesenter/rapport?month=2025-09&cost=1000,01');
  assert.equal(page.status, 200);
  assert.match(page.text, /<svg[^>]*role="img"/);
  assert.match(nbsp(page.text), /data-agency="husbanken">[\s\S]*?class="num cost">500 kr</);
  const mona = await staff('mona.vik');
  const web = await mona.get('/kundesenter/rapport?month=2025-09&cost=1000.01&format=csv');
  assert.equal(web.status, 200);
  assert.equal(web.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(web.text, csv.stdout);
  assert.equal((await mona.get('/kundesenter/rapport?month=2025-09&cost=tusen')).status, 422);
  const p = await person();
  assert.equal((await p.c.get('/kundesenter/rapport?month=2025-09')).status, 403);
});

test('management_reads_the_dashboard_with_a_table_and_csv_for_each_chart', async () => {
  const p = await person();
  assert.equal((await p.c.apply(valid)).status, 303);
  const mona = await staff('mona.vik');
  const d = await mona.get('/ledelse');
  assert.equal(d.status, 200, d.text);
  for (const id of ['dash-automation', 'dash-duration', 'dash-queue', 'dash-online', 'dash-paper', 'dash-inquiries'])
    assert.match(d.text, new RegExp(`id="${id}"`));
  assert.match(d.text, /aria-labelledby="chart-automation-title chart-automation-desc"/);
  // The service norm is the parameter the receipt letter promises (7
  // weeks, lanekassen.no "Behandlingstid"), not a number typed in.
  assert.match(d.text, /Innen servicenormen på 7 uker \(49 dager\)/);
  assert.match(d.text, /href="https:\/\/lanekassen.no\/nb-NO\/hjelp-og-kontakt\/behandlingstid2\/"/);
  assert.doesNotMatch(d.text, /id="norm"/);
  const csv = await mona.get('/ledelse?csv=automation');
  assert.equal(csv.status, 200);
  assert.match(csv.text, /^week,scheme,decided,automatic,automatic_percent\r\n\d{4}-\d{2}-\d{2},higher-education,\d+,\d+,\d+\.\d\r\n/);
  assert.equal((await mona.get('/ledelse?csv=nothing')).status, 422);
  // #15: Fra and Til take dd.mm.åååå (and ISO), and show dates so.
  const period = await mona.get('/ledelse?from=01.09.2025&to=2025-09-30');
  assert.equal(period.status, 200, period.text);
  assert.match(period.text, /id="from" name="from" type="text" inputmode="numeric" value="01\.09\.2025"/);
  assert.match(period.text, /id="to" name="to" type="text" inputmode="numeric" value="30\.09\.2025"/);
  assert.doesNotMatch(period.text, /type="date"/);
  const noDay = await mona.get('/ledelse?from=31.02.2025');
  assert.equal(noDay.status, 422);
  assert.match(noDay.text, /id="from-error">Skriv en dato som finnes, som dd\.mm\.åååå\./);
  const cli = run(['stats', '--db', srv.db, '--figures', '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const f = JSON.parse(cli.stdout);
  assert.equal(f.duration.norm_weeks, 7);
  assert.equal(f.duration.norm_days, 49);
  assert.ok(f.duration.within_norm >= 1 && f.duration.within_norm <= f.duration.decided);
  // Before the page gave 7 weeks (07.10.2025) no norm is held: none is compared.
  const before = JSON.parse(run(['stats', '--db', srv.db, '--figures', '--from', '2025-01-01', '--to', '2025-10-06', '--json']).stdout);
  assert.equal(before.duration.norm_weeks, 0);
  assert.match((await mona.get('/ledelse?from=2025-01-01&to=2025-10-06')).text, /Ingen servicenorm er fastsatt for perioden/);
  assert.ok(f.duration.decided >= 1);
  assert.ok(f.applications.all >= f.applications.online);
  // A support agent and a person are refused, audited.
  const siri = await staff('siri.hauge');
  assert.equal((await siri.get('/ledelse')).status, 403);
  assert.equal((await p.c.get('/ledelse')).status, 403);
});

// ---- a strict parser of the Prometheus text format 0.0.4 ----

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseLabels(s, where) {
  const labels = {};
  let i = 0;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    assert.ok(eq > i, `${where}: a label without =`);
    const name = s.slice(i, eq);
    assert.match(name, LABEL, `${where}: label name ${name}`);
    assert.ok(!(name in labels), `${where}: label ${name} twice`);
    assert.equal(s[eq + 1], '"', `${where}: label value not quoted`);
    let j = eq + 2; let v = '';
    for (;;) {
      assert.ok(j < s.length, `${where}: unterminated label value`);
      if (s[j] === '\\') {
        const n = s[j + 1];
        assert.ok(n === '\\' || n === '"' || n === 'n', `${where}: bad escape \\${n}`);
        v += n === 'n' ? '\n' : n; j += 2;
      } else if (s[j] === '"') { j++; break; } else { v += s[j++]; }
    }
    labels[name] = v;
    if (j < s.length) { assert.equal(s[j], ',', `${where}: labels not separated by a comma`); j++; }
    i = j;
  }
  return labels;
}

function parseValue(v, where) {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === 'NaN') return NaN;
  assert.match(v, /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, `${where}: value ${v}`);
  return Number(v);
}

export function parsePrometheus(text) {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line feed');
  const families = new Map();
  let current = null;
  const familyOf = (name) => {
    for (const [f, fam] of families) {
      if (name === f) return fam;
      if (fam.type === 'histogram' && [`${f}_bucket`, `${f}_sum`, `${f}_count`].includes(name)) return fam;
    }
    return null;
  };
  text.slice(0, -1).split('\n').forEach((line, n) => {
    const where = `line ${n + 1}: ${line}`;
    if (line.startsWith('#')) {
      const m = line.match(/^# (HELP|TYPE) (\S+) (.*)$/);
      if (!m) return; // a comment
      const [, kind, name, rest] = m;
      assert.match(name, NAME, where);
      let fam = families.get(name);
      if (!fam) {
        assert.ok(!familyOf(name), `${where}: a family declared after its samples`);
        fam = { name, samples: [], help: null, type: null };
        families.set(name, fam);
      }
      assert.ok(current === null || current === fam || current.samples.length > 0 || current.type, where);
      if (kind === 'HELP') { assert.equal(fam.help, null, `${where}: HELP twice`); fam.help = rest; }
      else {
        assert.equal(fam.type, null, `${where}: TYPE twice`);
        assert.equal(fam.samples.length, 0, `${where}: TYPE after samples`);
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest), where);
        fam.type = rest;
      }
      current = fam;
      return;
    }
    assert.ok(line.length > 0, `${where}: an empty line`);
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/);
    assert.ok(m, `${where}: not a sample`);
    const [, name, , labelText, value] = m;
    const fam = familyOf(name);
    assert.ok(fam && fam.type, `${where}: a sample without its TYPE`);
    assert.equal(fam, current, `${where}: a family's samples are not together`);
    const labels = parseLabels(labelText || '', where);
    const v = parseValue(value, where);
    if (fam.type === 'counter') assert.ok(v >= 0, `${where}: a negative counter`);
    fam.samples.push({ name, labels, value: v });
  });
  for (const fam of families.values()) {
    assert.ok(fam.type, `${fam.name}: no TYPE`);
    assert.ok(fam.help, `${fam.name}: no HELP`);
    if (fam.type !== 'histogram') continue;
    const series = new Map();
    for (const s of fam.samples) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      if (!series.has(key)) series.set(key, { buckets: [], sum: null, count: null });
      const x = series.get(key);
      if (s.name.endsWith('_bucket')) { assert.ok(le !== undefined, `${s.name}: a bucket without le`); x.buckets.push([parseValue(le, s.name), s.value]); }
      else if (s.name.endsWith('_sum')) x.sum = s.value;
      else if (s.name.endsWith('_count')) x.count = s.value;
      else assert.fail(`${s.name}: not a histogram's sample`);
    }
    for (const [key, x] of series) {
      assert.ok(x.buckets.length > 0, `${fam.name}${key}: no buckets`);
      for (let i = 1; i < x.buckets.length; i++) {
        assert.ok(x.buckets[i][0] > x.buckets[i - 1][0], `${fam.name}${key}: le not increasing`);
        assert.ok(x.buckets[i][1] >= x.buckets[i - 1][1], `${fam.name}${key}: buckets not cumulative`);
      }
      assert.equal(x.buckets.at(-1)[0], Infinity, `${fam.name}${key}: no +Inf bucket`);
      assert.equal(x.count, x.buckets.at(-1)[1], `${fam.name}${key}: _count is not the +Inf bucket`);
      assert.ok(x.sum !== null && x.sum >= 0, `${fam.name}${key}: no _sum`);
    }
  }
  return families;
}

test('metrics_parse_as_prometheus_text_with_requests_latency_jobs_and_commits', async () => {
  const c = new Client(srv.base);
  await c.get('/faq');
  await c.get('/faq/999999');
  const r = await c.get('/metrics');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const fams = parsePrometheus(r.text);
  const req = fams.get('stipend_http_requests_total');
  assert.equal(req.type, 'counter');
  const faq404 = req.samples.find((s) => s.labels.route === '/faq/:id' && s.labels.status === '404');
  assert.ok(faq404 && faq404.value >= 1, 'a 404 is counted under the route pattern, not the path');
  assert.ok(!req.samples.some((s) => /\d{3,}/.test(s.labels.route)), 'no ids in route labels');
  assert.equal(fams.get('stipend_http_request_duration_seconds').type, 'histogram');
  assert.equal(fams.get('stipend_store_commit_duration_seconds').type, 'histogram');
  assert.ok(fams.get('stipend_store_commit_duration_seconds').samples.find((s) => s.name.endsWith('_count')).value >= 1);
  assert.equal(fams.get('stipend_jobs_waiting').type, 'gauge');
  assert.equal(fams.get('stipend_jobs_oldest_age_seconds').type, 'gauge');
  assert.equal(fams.get('stipend_register_failures_total').type, 'counter');
  // The parser is strict: it refuses what the format does not allow.
  assert.throws(() => parsePrometheus('# TYPE x counter\nx -1\n'));
  assert.throws(() => parsePrometheus('x 1\n'));
  assert.throws(() => parsePrometheus('# HELP h h\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n'));
  assert.throws(() => parsePrometheus('# HELP h h\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'));
});
