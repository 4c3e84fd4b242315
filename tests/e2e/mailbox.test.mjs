// mailbox.test.mjs - the mailbox over HTTP against the real binary: the
// inbox's search and filters (and a bad filter's field error), the case
// page's letters and conversation, writing to the agency and the case
// worker's answer arriving as an unread letter, who may read a
// conversation, sending documentation (multipart) that moves the case back
// to the queue with the document for the case worker only, refused files
// that store nothing, an upload refused before its body is read (and the
// server's bounds on uploads in flight), and the documentation deadline
// run with `stipend work --once --now`, never by waiting.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { Client, nbsp, run, startServer } from '../lib/server.mjs';

let srv;
// Pupils with youth entitlement (born 2004 or later) make manual cases.
before(async () => { srv = await startServer({ persons: 400 }); });
after(async () => { await srv.stop(); });

const higher = { scheme: 'higher-education', institution: 'Universitetet i Oslo', programme: 'Bachelor i informatikk',
  lives_with_parents: 'no', load_percent: '100', start: '2024-08-15', end: '2025-06-15', months_requested: '11' };
const special = {
  scheme: 'upper-secondary', institution: 'Oslo katedralskole', programme: 'Studiespesialisering', lives_with_parents: 'no', start: '2024-08-19', end: '2025-06-20',
  distance_km: '12,5', daily_travel_minutes: '90', walking_km: '1.5', special_circumstances: 'yes',
};

async function loginStaff(c, username = 'sara.berg') {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { staff: username, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
  return Number(srv.sql(`select id from staff where username='${username}'`));
}

async function loginNin(c, nin) {
  const page = await c.get('/login');
  const r = await c.post('/login/test', { nin, csrf: Client.csrf(page.text) });
  assert.equal(r.status, 303);
}

// A pupil of their own for each use, so that no test sees another's data.
let nextPupil = 0;
function pupil() {
  const nins = srv.sql("select nin from persons where birth_date between '2004-01-01' and '2008-12-31' "
    + 'and confidential_address = 0 order by id desc').split('\n');
  assert.ok(nextPupil < nins.length, 'the population has too few pupils');
  return nins[nextPupil++];
}

// A logged-in applicant with a manual case: { c, nin, id, person }.
async function applicant() {
  const c = new Client(srv.base);
  const nin = pupil();
  await loginNin(c, nin);
  const r = await c.apply(special);
  assert.equal(r.status, 303, r.text);
  const id = r.headers.get('location').split('/').pop();
  assert.equal(srv.sql(`select status from cases where id=${id}`), 'manual');
  return { c, nin, id, person: srv.sql(`select person_id from cases where id=${id}`) };
}

const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);

// The case worker asks for documentation on case id by deadline.
async function requestDocs(worker, id, deadline = day(14)) {
  const page = await worker.get(`/saksbehandling/saker/${id}`);
  const r = await worker.post(`/saksbehandling/saker/${id}/dokumentasjon`, {
    csrf: Client.csrf(page.text), doc_text: 'Send en uttalelse fra skolen om hvorfor du må bo borte.', deadline,
  });
  assert.equal(r.status, 303, r.text);
  assert.equal(srv.sql(`select status from cases where id=${id}`), 'awaiting-documentation');
  return Number(srv.sql(`select id from documentation_requests where case_id=${id} order by id desc limit 1`));
}

// A multipart/form-data body: the fields before, the files, the fields after.
function multipart(before, files, afterFields = {}) {
  const boundary = `----stipend${randomBytes(8).toString('hex')}`;
  const parts = [];
  const field = (k, v) => parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const [k, v] of Object.entries(before)) field(k, v);
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\n`
      + `Content-Type: ${f.type}\r\n\r\n`));
    parts.push(f.data, Buffer.from('\r\n'));
  }
  for (const [k, v] of Object.entries(afterFields)) field(k, v);
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

async function upload(c, id, csrf, files, note) {
  const m = multipart({ csrf }, files, note === undefined ? {} : { note });
  return c.request('POST', `/saker/${id}/dokumentasjon`, m.body, { 'content-type': m.type });
}

const pdfBytes = () => Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), randomBytes(3000),
  Buffer.from('\n%%EOF\n')]);
const pdfFile = (name = 'uttalelse.pdf') => ({ name, type: 'application/pdf', data: pdfBytes() });

// The ids of the letters an inbox page lists, in order.
const listed = (html) => [...html.matchAll(/<li class="letter-item[^"]*">\s*<a class="ds-link" href="\/innboks\/(\d+)"/g)].map((m) => m[1]);
const letterOf = (id, kind) => srv.sql(`select id from letters where case_id=${id} and kind='${kind}' order by id desc limit 1`);

// Write text to the agency about case id; returns the message's id.
async function write(c, id, text) {
  const form = await c.get(`/innboks/skriv?case=${id}`);
  assert.match(form.text, new RegExp(`<option value="${id}" selected>`));
  const r = await c.post('/innboks/skriv', { csrf: Client.csrf(form.text), case: id, text });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), `/saker/${id}?sent=1#conversation`);
  return srv.sql(`select id from messages where case_id=${id} and direction='in' order by id desc limit 1`);
}

test('inbox_filters_and_search_find_the_right_letters', async () => {
  const a = await applicant();
  const worker = new Client(srv.base);
  await loginStaff(worker);
  await requestDocs(worker, a.id);
  const message = await write(a.c, a.id, 'Hva slags uttalelse trenger dere?');
  const page = await worker.get(`/saksbehandling/henvendelser/${message}`);
  const answered = await worker.post(`/saksbehandling/henvendelser/${message}/svar`, {
    csrf: Client.csrf(page.text), text: 'En uttalelse fra rådgiveren på skolen holder.',
  });
  assert.equal(answered.status, 303, answered.text);
  // A second case, with its own decision letter: for the other scheme, as
  // one person has one application per scheme and school year (#15).
  const second = await a.c.apply(higher);
  assert.equal(second.status, 303);
  const id2 = second.headers.get('location').split('/').pop();
  // The first case waits for a case worker: its letter is a receipt (#15).
  const receipt = letterOf(a.id, 'receipt');
  const request = letterOf(a.id, 'documentation-request');
  const answer = letterOf(a.id, 'answer');
  const decision2 = letterOf(id2, 'decision');

  const all = await a.c.get('/innboks');
  assert.equal(all.status, 200);
  assert.deepEqual(listed(all.text), [decision2, answer, request, receipt]);
  assert.match(nbsp(all.text), /Fra Lånekassen, saksbehandling · Be om dokumentasjon/);
  assert.match(all.text, /<label class="ds-label" for="sender">Avsender<\/label>/);

  assert.deepEqual(listed((await a.c.get('/innboks?type=decision')).text), [decision2]);
  assert.deepEqual(listed((await a.c.get('/innboks?type=receipt')).text), [receipt]);
  assert.deepEqual(listed((await a.c.get('/innboks?sender=case-processing')).text), [answer, request]);
  assert.deepEqual(listed((await a.c.get(`/innboks?case=${a.id}`)).text), [answer, request, receipt]);
  assert.deepEqual(listed((await a.c.get(`/innboks?case=${id2}&type=decision`)).text), [decision2]);
  assert.deepEqual(listed((await a.c.get(`/innboks?case=${id2}&type=answer`)).text), []);
  assert.match((await a.c.get(`/innboks?case=${id2}&type=answer`)).text, /Ingen brev passer til søket\./);

  // Read state: open the request, then it is no longer unread.
  assert.equal((await a.c.get(`/innboks/${request}`)).status, 200);
  assert.deepEqual(listed((await a.c.get('/innboks?read=unread')).text), [decision2, answer, receipt]);
  assert.deepEqual(listed((await a.c.get('/innboks?read=read')).text), [request]);
  const filtered = await a.c.get(`/innboks?read=unread&sender=student-support&case=${a.id}`);
  assert.deepEqual(listed(filtered.text), [receipt]);
  assert.match(filtered.text, /<option value="student-support" selected>/);
  assert.match(filtered.text, /<option value="unread" selected>/);

  // Free text over titles and senders, in the reader's language.
  assert.deepEqual(listed((await a.c.get('/innboks?q=dokumentasjon')).text), [request]);
  assert.deepEqual(listed((await a.c.get('/innboks?q=VEDTAK%20OM')).text), [decision2]);
  assert.deepEqual(listed((await a.c.get('/innboks?q=mottatt%20s%C3%B8knaden')).text), [receipt]);
  assert.deepEqual(listed((await a.c.get('/innboks?q=saksbehandling')).text), [answer, request]);
  assert.deepEqual(listed((await a.c.get('/innboks?q=l%C3%A5nekassen%2C%20SAKSBEHANDLING')).text), [answer, request]);
  assert.deepEqual(listed((await a.c.get('/innboks?q=documentation&lang=en')).text), [request]);
  assert.deepEqual(listed((await a.c.get('/innboks?q=dokumentasjon&lang=en')).text), []);
  assert.deepEqual(listed((await a.c.get('/innboks?q=zzzz&lang=nb')).text), []);

  // Bad values are field errors, never a 500, and list nothing.
  const cases = [
    ['type=bogus', 'type', /Velg en type brev fra listen\./],
    ['sender=nav', 'sender', /Velg en avsender fra listen\./],
    ['read=maybe', 'read', /Velg alle, uleste eller leste brev\./],
    ['case=abc', 'case', /Velg en av sakene dine fra listen\./],
    ['page=0', 'page', /Sidetallet må være et helt tall/],
    [`q=${'x'.repeat(101)}`, 'q', /Søket kan være høyst 100 tegn/],
  ];
  for (const [query, field, message] of cases) {
    const r = await a.c.get(`/innboks?${query}`);
    assert.equal(r.status, 422, query);
    assert.match(r.text, new RegExp(`href="#${field}"`), query);
    assert.match(r.text, message, query);
    assert.deepEqual(listed(r.text), [], query);
  }
  // Another person's case is not a filter this person may use.
  const other = await applicant();
  const foreign = await a.c.get(`/innboks?case=${other.id}`);
  assert.equal(foreign.status, 422);
  assert.match(foreign.text, /id="case-error"/);
  assert.deepEqual(listed(foreign.text), []);
});

test('inbox_pages_through_many_letters', async () => {
  const a = await applicant();
  // Letters enough for two pages, delivered straight into the database.
  const values = Array.from({ length: 24 }, (_, i) => `(${a.person}, ${a.id}, 'information', ${1700000000 + i}, 'customer-service', 'none')`).join(',');
  srv.sql(`insert into letters(person_id, case_id, kind, created_at, sender_unit, notice_status) values ${values}`);
  const first = await a.c.get('/innboks?sender=customer-service');
  assert.equal(listed(first.text).length, 20);
  assert.match(nbsp(first.text), /Side 1 av 2, 24 brev i alt\./);
  const next = first.text.match(/href="([^"]+)" rel="next"/)[1].replace(/&amp;/g, '&');
  assert.equal(next, '/innboks?sender=customer-service&page=2');
  const second = await a.c.get(next);
  assert.equal(listed(second.text).length, 4);
  assert.doesNotMatch(second.text, /rel="next"/);
  assert.match(second.text, /rel="prev"/);
  assert.equal(new Set([...listed(first.text), ...listed(second.text)]).size, 24);
});

test('case_page_lists_its_letters_and_conversation', async () => {
  const a = await applicant();
  const second = await a.c.apply(higher);
  const id2 = second.headers.get('location').split('/').pop();
  const worker = new Client(srv.base);
  await loginStaff(worker);
  await requestDocs(worker, a.id);
  await write(a.c, a.id, 'Gjelder dette også for neste år?');
  const page = nbsp((await a.c.get(`/saker/${a.id}?sent=1`)).text);
  assert.match(page, /Meldingen din er sendt/);
  for (const kind of ['receipt', 'documentation-request'])
    assert.match(page, new RegExp(`href="/innboks/${letterOf(a.id, kind)}"`));
  assert.doesNotMatch(page, new RegExp(`href="/innboks/${letterOf(id2, 'decision')}"`));
  assert.match(page, /Meldinger i saken/);
  assert.match(page, /Gjelder dette også for neste år\?/);
  assert.match(page, /Venter på svar/);
  assert.match(page, /action="\/innboks\/skriv"/);
  assert.match(page, new RegExp(`action="/saker/${a.id}/dokumentasjon" enctype="multipart/form-data"`));
  const other = nbsp((await a.c.get(`/saker/${id2}`)).text);
  assert.doesNotMatch(other, /Gjelder dette også/);
  assert.match(other, /Du har ikke skrevet til oss om denne saken\./);
});

test('a_message_reaches_the_case_worker_and_the_answer_arrives_as_an_unread_letter', async () => {
  const first = await applicant();
  const a = await applicant();
  // Refused messages store nothing and name the field.
  const form = await a.c.get('/innboks/skriv');
  assert.equal(form.status, 200);
  const csrf = Client.csrf(form.text);
  const blank = await a.c.post('/innboks/skriv', { csrf, case: a.id, text: '   ' });
  assert.equal(blank.status, 422);
  assert.match(blank.text, /id="text-error">Skriv en melding\./);
  const long = await a.c.post('/innboks/skriv', { csrf, case: a.id, text: 'å'.repeat(4001) });
  assert.equal(long.status, 422);
  assert.match(long.text, /Meldingen kan være høyst 4000 tegn/);
  const noCase = await a.c.post('/innboks/skriv', { csrf, case: '', text: 'Hei' });
  assert.equal(noCase.status, 422);
  assert.match(noCase.text, /id="case-error">Velg saken du skriver om\./);
  assert.match(noCase.text, />Hei<\/textarea>/, 'the text is kept');
  assert.equal((await a.c.post('/innboks/skriv', { case: a.id, text: 'Uten nøkkel' })).status, 403);
  assert.equal(srv.sql(`select count(*) from messages where person_id=${a.person}`), '0');

  const older = await write(first.c, first.id, 'Jeg skrev først.');
  const text = 'Når får jeg svar på søknaden?\nJeg flytter i august.';
  const message = await write(a.c, a.id, text);
  assert.equal(srv.sql(`select count(*) from audit where action='message.received' and actor='person:${a.person}' and object='case:${a.id}'`), '1');

  const worker = new Client(srv.base);
  const staffId = await loginStaff(worker);
  const nav = await worker.get('/saksbehandling');
  assert.match(nav.text, /href="\/saksbehandling\/henvendelser">Henvendelser</);
  const list = await worker.get('/saksbehandling/henvendelser');
  assert.equal(list.status, 200);
  const order = [...list.text.matchAll(/href="\/saksbehandling\/henvendelser\/(\d+)"/g)].map((m) => m[1]);
  assert.ok(order.includes(message) && order.includes(older));
  assert.ok(order.indexOf(older) < order.indexOf(message), 'the oldest comes first');

  const page = await worker.get(`/saksbehandling/henvendelser/${message}`);
  assert.equal(page.status, 200);
  assert.ok(nbsp(page.text).includes('Når får jeg svar på søknaden?\nJeg flytter i august.'));
  assert.equal(srv.sql(`select count(*) from audit where action='case.read' and actor='staff:${staffId}' and object='case:${a.id}'`), '1');
  const empty = await worker.post(`/saksbehandling/henvendelser/${message}/svar`, { csrf: Client.csrf(page.text), text: '' });
  assert.equal(empty.status, 422);
  assert.match(empty.text, /id="text-error">Skriv et svar\./);
  const answerText = 'Du får vedtak innen tre uker. Husk å melde flytting til Folkeregisteret.';
  const r = await worker.post(`/saksbehandling/henvendelser/${message}/svar`, { csrf: Client.csrf(page.text), text: answerText });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/saksbehandling/henvendelser?done=answered');
  const again = await worker.post(`/saksbehandling/henvendelser/${message}/svar`, { csrf: Client.csrf(page.text), text: 'En gang til' });
  assert.equal(again.status, 409);
  // A security test found that an empty answer to an answered message was
  // answered 200 with the message's page: it is 409, and nothing is stored.
  const answers = srv.sql(`select count(*) from messages where case_id=${a.id} and direction='out'`);
  for (const text of ['', '   ', undefined]) {
    const form = { csrf: Client.csrf(page.text) };
    if (text !== undefined) form.text = text;
    const emptyAgain = await worker.post(`/saksbehandling/henvendelser/${message}/svar`, form);
    assert.equal(emptyAgain.status, 409, JSON.stringify(text));
    assert.doesNotMatch(emptyAgain.text, /Jeg flytter i august/);
  }
  assert.equal(srv.sql(`select count(*) from messages where case_id=${a.id} and direction='out'`), answers);
  const after = await worker.get('/saksbehandling/henvendelser?done=answered');
  assert.match(after.text, /Svaret er sendt til søkerens innboks\./);
  assert.doesNotMatch(after.text, new RegExp(`href="/saksbehandling/henvendelser/${message}"`));
  assert.match(after.text, new RegExp(`href="/saksbehandling/henvendelser/${older}"`));

  // The answer is an unread letter from case processing.
  const letter = letterOf(a.id, 'answer');
  assert.ok(letter);
  const inbox = await a.c.get('/innboks?read=unread&type=answer');
  assert.deepEqual(listed(inbox.text), [letter]);
  assert.match(nbsp(inbox.text), /Fra Lånekassen, saksbehandling · Svar på henvendelse/);
  const opened = nbsp((await a.c.get(`/innboks/${letter}`)).text);
  assert.ok(opened.includes(answerText));
  assert.match(opened, /Du skrev til oss om saken din\. Her er svaret vårt\./);
  assert.ok(opened.includes('Jeg flytter i august.'), 'the letter quotes the question');
  assert.doesNotMatch(opened, /Du kan klage/, 'an answer is no decision');
  assert.match(opened, /Meldinger i saken/);
  assert.equal(srv.sql(`select count(*) from letters where id=${letter} and first_read_at is not null`), '1');
  // The conversation on both sides.
  const mine = nbsp((await a.c.get(`/saker/${a.id}`)).text);
  assert.ok(mine.includes(answerText));
  assert.doesNotMatch(mine, /Venter på svar/);
  const theirs = nbsp((await worker.get(`/saksbehandling/saker/${a.id}`)).text);
  assert.ok(theirs.includes(answerText));
  assert.ok(theirs.includes('Jeg flytter i august.'));
  assert.match(theirs, /Sara Berg/);

  // Nobody else reads it: another person meets 404, audited.
  const stranger = new Client(srv.base);
  await loginNin(stranger, first.nin);
  assert.equal((await stranger.get(`/saker/${a.id}`)).status, 404);
  assert.equal((await stranger.get(`/innboks/${letter}`)).status, 404);
  assert.equal((await stranger.get(`/saksbehandling/henvendelser/${message}`)).status, 404);
  const forged = await stranger.post('/innboks/skriv', { csrf: Client.csrf((await stranger.get('/innboks/skriv')).text), case: a.id, text: 'Jeg later som' });
  assert.equal(forged.status, 404);
  assert.equal(srv.sql(`select count(*) from messages where case_id=${a.id} and person_id<>${a.person}`), '0');
  const denied = srv.sql(`select group_concat(action, ',') from (select action from audit where actor='person:${first.person}' and action like '%denied' order by seq)`);
  assert.deepEqual(denied.split(','), ['case.read.denied', 'letter.read.denied', 'message.read.denied', 'message.write.denied']);
  const anonymous = new Client(srv.base);
  assert.equal((await anonymous.get(`/saksbehandling/henvendelser/${message}`)).status, 303);
  assert.equal((await anonymous.get('/innboks/skriv')).status, 303);
});

test('uploaded_documents_move_the_case_back_and_only_case_workers_download_them', async () => {
  const a = await applicant();
  const worker = new Client(srv.base);
  const staffId = await loginStaff(worker);
  const requestId = await requestDocs(worker, a.id);
  const letter = letterOf(a.id, 'documentation-request');
  const page = await a.c.get(`/innboks/${letter}`);
  assert.match(page.text, new RegExp(`action="/saker/${a.id}/dokumentasjon" enctype="multipart/form-data"`));
  const file = pdfFile('uttalelse fra rådgiver.pdf');
  const r = await upload(a.c, a.id, Client.csrf(page.text), [file], 'Uttalelsen er signert.');
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), `/saker/${a.id}?received=1`);
  assert.equal(srv.sql(`select status from cases where id=${a.id}`), 'manual');
  assert.equal(srv.sql(`select state from documentation_requests where id=${requestId}`), 'received');
  assert.equal(srv.sql(`select count(*) from audit where action='case.documentation-received' and object='case:${a.id}' and actor='person:${a.person}'`), '1');
  const mine = nbsp((await a.c.get(`/saker/${a.id}?received=1`)).text);
  assert.match(mine, /Vi har fått dokumentasjonen din\./);
  assert.doesNotMatch(mine, /enctype="multipart\/form-data"/, 'no upload once received');

  // Back in the queue, marked; the case page offers the document.
  const queue = await worker.get('/saksbehandling');
  const manual = queue.text.slice(0, queue.text.indexOf('id="awaiting-heading"'));
  assert.match(manual, new RegExp(`href="/saksbehandling/saker/${a.id}">Sak ${a.id}</a> <span class="ds-tag" data-color="success" data-docs="mailbox.queue.docs_received">Dokumentasjon mottatt</span>`));
  const casePage = nbsp((await worker.get(`/saksbehandling/saker/${a.id}`)).text);
  const doc = casePage.match(/href="\/saksbehandling\/dokumenter\/(\d+)" download>uttalelse fra rådgiver\.pdf</)[1];
  assert.match(casePage, /Uttalelsen er signert\./);
  const sha = srv.sql(`select sha256 from documents where id=${doc}`);
  assert.ok(casePage.includes(sha));

  const down = await fetch(`${srv.base}/saksbehandling/dokumenter/${doc}`, { headers: { cookie: worker.cookieHeader() } });
  assert.equal(down.status, 200);
  assert.equal(down.headers.get('content-type'), 'application/pdf');
  assert.match(down.headers.get('content-disposition'), new RegExp(`^attachment; filename="dokument-${doc}\\.pdf"; filename\\*=UTF-8''uttalelse%20fra%20r%C3%A5dgiver\\.pdf$`));
  assert.ok(Buffer.from(await down.arrayBuffer()).equals(file.data), 'the bytes are the ones sent');
  assert.equal(srv.sql(`select count(*) from audit where action='document.read' and actor='staff:${staffId}' and object='document:${doc}'`), '1');

  // No one else: not the sender, not another person, not a visitor.
  assert.equal((await a.c.get(`/saksbehandling/dokumenter/${doc}`)).status, 404);
  const stranger = (await applicant()).c;
  assert.equal((await stranger.get(`/saksbehandling/dokumenter/${doc}`)).status, 404);
  assert.equal(srv.sql(`select count(*) from audit where action='document.read.denied' and object='document:${doc}'`), '2');
  assert.equal((await new Client(srv.base).get(`/saksbehandling/dokumenter/${doc}`)).status, 303);
  // Nor may another person send documents to this case.
  const csrf = Client.csrf((await stranger.get('/innboks')).text);
  assert.equal((await upload(stranger, a.id, csrf, [pdfFile()])).status, 404);
  // A second upload is refused: the case no longer waits.
  assert.equal((await upload(a.c, a.id, Client.csrf(page.text), [pdfFile()])).status, 409);
  assert.equal(srv.sql(`select count(*) from documents where case_id=${a.id}`), '1');
});

test('refused_files_get_a_field_error_and_store_nothing', async () => {
  const a = await applicant();
  const worker = new Client(srv.base);
  await loginStaff(worker);
  await requestDocs(worker, a.id);
  const form = await a.c.get(`/saker/${a.id}/dokumentasjon`);
  assert.equal(form.status, 200);
  const csrf = Client.csrf(form.text);
  const gif = { name: 'bilde.pdf', type: 'application/pdf', data: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1') };
  const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
  big.write('%PDF-1.4\n');
  const tries = [
    [[gif], /Filene må være PDF, JPEG eller PNG\./],
    [[{ name: 'stor.pdf', type: 'application/pdf', data: big }], /En fil kan være høyst 10 MB\./],
    [Array.from({ length: 6 }, () => pdfFile()), /Du kan sende høyst 5 filer om gangen\./],
    [[], /Velg minst én fil\./],
    [[{ name: '', type: 'application/octet-stream', data: Buffer.alloc(0) }], /Velg minst én fil\./],
    [[{ name: 'tom.pdf', type: 'application/pdf', data: Buffer.alloc(0) }], /En av filene er tom\./],
  ];
  for (const [files, message] of tries) {
    const r = await upload(a.c, a.id, csrf, files, 'Notatet beholdes');
    assert.equal(r.status, 422, String(message));
    assert.match(r.text, /id="files-error"/);
    assert.match(r.text, /href="#files"/);
    assert.match(r.text, message);
    assert.match(r.text, /aria-invalid="true"/);
  }
  const longNote = await upload(a.c, a.id, csrf, [pdfFile()], 'n'.repeat(1001));
  assert.equal(longNote.status, 422);
  assert.match(longNote.text, /id="note-error">Kommentaren kan være høyst 1000 tegn\./);
  assert.equal((await upload(a.c, a.id, 'f'.repeat(64), [pdfFile()])).status, 403);
  const garbage = await a.c.request('POST', `/saker/${a.id}/dokumentasjon`, Buffer.from('not multipart'), { 'content-type': 'multipart/form-data; boundary=xyz' });
  assert.equal(garbage.status, 400);
  assert.equal(srv.sql(`select count(*) from documents where case_id=${a.id}`), '0');
  assert.equal(srv.sql(`select count(*) from document_submissions where case_id=${a.id}`), '0');
  assert.equal(srv.sql(`select status from cases where id=${a.id}`), 'awaiting-documentation');
  // Other routes keep the small body limit.
  const huge = await a.c.request('POST', '/innboks/skriv', Buffer.alloc(70 * 1024, 0x61), { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(huge.status, 413);
  // Without a person's session, the upload's gate refuses before the body
  // is read: sent to log in, the refusal audited.
  const anonymous = await new Client(srv.base).request('POST', `/saker/${a.id}/dokumentasjon`, Buffer.alloc(70 * 1024, 0x61),
    { 'content-type': 'multipart/form-data; boundary=xyz' });
  assert.equal(anonymous.status, 303);
  assert.match(anonymous.headers.get('location'), /^\/login(\?next=|$)/);
  assert.equal(srv.sql(`select count(*) from audit where action='case.documentation.denied' and actor='anonymous' and object='case:${a.id}'`), '1');
});

// ---- the upload's bounds: the gate before the body, and what is in flight ----

// The server's resident memory in KiB (VmRSS of /proc/PID/status).
const residentKiB = () => Number(readFileSync(`/proc/${srv.pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)[1]);

// Start an upload to case id with the client's cookies, announcing length
// bytes of body but sending only the headers and first (a Buffer): a
// server that waited for the whole body would never answer. Resolves with
// the answer's status and headers once the connection ended. (No more is
// written after first: a server that answers and closes without reading
// the rest resets the connection, and a client still writing then loses
// the answer.) hold: send the headers only, with "Expect: 100-continue",
// and resolve when the server has taken the upload in (its "100
// Continue": the gate let it in and it counts as in flight) with the
// socket and a promise of the answer.
function rawUpload(c, id, length, { hold = false, first = Buffer.alloc(64 * 1024, 0x61) } = {}) {
  const url = new URL(srv.base);
  const sock = net.connect(Number(url.port), url.hostname);
  let data = Buffer.alloc(0);
  let taken = null;
  const answer = new Promise((resolve) => {
    sock.on('data', (d) => {
      data = Buffer.concat([data, d]);
      if (taken && /^HTTP\/1\.1 100 /.test(data.toString('latin1'))) { taken(); taken = null; }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      const head = data.toString('latin1').replace(/^HTTP\/1\.1 100 [^\r]*\r\n\r\n/, '').split('\r\n\r\n')[0];
      const status = Number((head.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1] || 0);
      const headers = Object.fromEntries(head.split('\r\n').slice(1).map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
      }));
      resolve({ status, headers });
    });
  });
  sock.on('connect', () => {
    sock.write(`POST /saker/${id}/dokumentasjon HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${c.cookieHeader()}\r\n`
      + `Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: ${length}\r\n`
      + `${hold ? 'Expect: 100-continue\r\n' : ''}\r\n`);
    if (!hold) sock.write(first.subarray(0, Math.min(first.length, length)));
  });
  if (hold) return new Promise((resolve) => { taken = () => resolve({ sock, answer }); });
  return answer;
}

const MiB = 1024 * 1024;

test('an_upload_to_another_persons_case_is_refused_before_its_body_is_read', async () => {
  const owner = await applicant();
  const worker = new Client(srv.base);
  await loginStaff(worker);
  await requestDocs(worker, owner.id);
  const stranger = await applicant();
  const denied = () => Number(srv.sql(`select count(*) from audit where action='case.documentation.denied' `
    + `and actor='person:${stranger.person}' and object='case:${owner.id}'`));

  // 50 MiB announced, 64 KiB sent: the answer comes all the same, so the
  // server did not wait for the body; the refusal is audited.
  const one = await rawUpload(stranger.c, owner.id, 50 * MiB);
  assert.equal(one.status, 404);
  assert.equal(denied(), 1);
  // A case that does not exist is refused alike.
  assert.equal((await rawUpload(stranger.c, 99999999, 50 * MiB)).status, 404);

  // Eight at once, each announcing 50 MiB and sending the first MiB: each
  // is answered, and the server's memory does not grow by a body's size.
  const before = residentKiB();
  const answers = await Promise.all(Array.from({ length: 8 },
    () => rawUpload(stranger.c, owner.id, 50 * MiB, { first: Buffer.alloc(MiB, 0x61) })));
  const after = residentKiB();
  assert.deepEqual(answers.map((r) => r.status), Array(8).fill(404));
  assert.ok(after - before < 50 * 1024, `resident memory grew by ${after - before} KiB`);
  assert.equal(denied(), 9);
  assert.equal(srv.sql(`select count(*) from document_submissions where case_id=${owner.id}`), '0');
  assert.equal(srv.sql(`select status from cases where id=${owner.id}`), 'awaiting-documentation');
});

test('uploads_in_flight_are_bounded_per_person_and_in_all', async () => {
  const a = await applicant();
  const worker = new Client(srv.base);
  await loginStaff(worker);
  await requestDocs(worker, a.id);
  // More than the most an upload may be: refused at once.
  assert.equal((await rawUpload(a.c, a.id, 52 * MiB)).status, 413);
  // One person may have 60 MiB in flight: a second 40 MiB upload while the
  // first is under way waits its turn (429 with Retry-After).
  const first = await rawUpload(a.c, a.id, 40 * MiB, { hold: true });
  const second = await rawUpload(a.c, a.id, 40 * MiB);
  assert.equal(second.status, 429);
  assert.ok(Number(second.headers['retry-after']) > 0);
  first.sock.destroy();
  await first.answer;
  // Eight uploads in flight in all (each small, from one person): the
  // ninth is answered 503 with Retry-After, at once.
  const held = [];
  for (let i = 0; i < 8; i++) held.push(await rawUpload(a.c, a.id, MiB, { hold: true }));
  const ninth = await rawUpload(a.c, a.id, MiB);
  assert.equal(ninth.status, 503);
  assert.ok(Number(ninth.headers['retry-after']) > 0);
  for (const h of held) h.sock.destroy();
  await Promise.all(held.map((h) => h.answer));
  // With the uploads gone, the person sends documentation as ever.
  const page = await a.c.get(`/saker/${a.id}/dokumentasjon`);
  assert.equal((await upload(a.c, a.id, Client.csrf(page.text), [pdfFile()])).status, 303);
  assert.equal(srv.sql(`select count(*) from documents where case_id=${a.id}`), '1');
});

test('the_deadline_passing_with_nothing_received_puts_the_case_back_marked', async () => {
  const late = await applicant();
  const inTime = await applicant();
  const worker = new Client(srv.base);
  await loginStaff(worker);
  const deadline = day(3);
  const lateRequest = await requestDocs(worker, late.id, deadline);
  const inTimeRequest = await requestDocs(worker, inTime.id, deadline);
  const job = (request) => srv.sql(`select state || ' ' || run_after from jobs where kind='documentation-deadline' and subject_id=${request}`);
  const end = Date.parse(`${deadline}T00:00:00Z`) / 1000 + 86400;
  assert.equal(job(lateRequest), `ready ${end}`);
  const page = await inTime.c.get(`/saker/${inTime.id}`);
  assert.equal((await upload(inTime.c, inTime.id, Client.csrf(page.text), [pdfFile()])).status, 303);

  // The last second of the deadline day: not yet.
  const work = (now) => run(['work', '--db', srv.db, '--once', '--now', now]);
  let w = work(`${deadline}T23:59:59Z`);
  assert.equal(w.status, 0, w.stderr);
  assert.equal(job(lateRequest), `ready ${end}`);
  assert.equal(srv.sql(`select status from cases where id=${late.id}`), 'awaiting-documentation');

  // The day after: the case goes back to the queue marked overdue.
  const next = new Date(end * 1000).toISOString().replace('.000', '');
  w = work(next);
  assert.equal(w.status, 0, w.stderr);
  assert.equal(job(lateRequest), `done ${end}`);
  assert.equal(srv.sql(`select status from cases where id=${late.id}`), 'manual');
  assert.equal(srv.sql(`select state from documentation_requests where id=${lateRequest}`), 'expired');
  assert.equal(srv.sql(`select count(*) from audit where action='case.documentation-deadline-passed' and actor='system' and object='case:${late.id}'`), '1');
  const queue = await worker.get('/saksbehandling');
  const manual = queue.text.slice(0, queue.text.indexOf('id="awaiting-heading"'));
  assert.match(manual, new RegExp(`Sak ${late.id}</a> <span class="ds-tag" data-color="warning" data-docs="mailbox.queue.deadline_passed">Frist utløpt</span>`));
  const en = await worker.get('/saksbehandling?lang=en');
  assert.match(en.text, new RegExp(`Case ${late.id}</a> <span[^>]*>Deadline passed</span>`));
  assert.match(nbsp((await late.c.get(`/saker/${late.id}`)).text), /gikk ut uten at vi fikk dokumentasjon/);

  // Documents received in time left the job nothing to do.
  assert.equal(job(inTimeRequest), `done ${end}`);
  assert.equal(srv.sql(`select state from documentation_requests where id=${inTimeRequest}`), 'received');
  assert.equal(srv.sql(`select count(*) from audit where action='case.documentation-deadline-passed' and object='case:${inTime.id}'`), '0');
  assert.match(manual, new RegExp(`Sak ${inTime.id}</a> <span[^>]*>Dokumentasjon mottatt</span>`));
});
