-- foreign keys off
-- 0017: the support centre (issue #14): the agencies an installation's
-- support centre serves, the maintained list of topics, the inquiry log,
-- the FAQ with its versions, search index and "did this help?", and a
-- message (e-henvendelse) that need not be about a case.
--
-- messages.case_id loses its NOT NULL: a person may write to the agency
-- without a case, and a support agent may hand a caller's inquiry to the
-- case workers before any case exists. SQLite cannot drop NOT NULL in
-- place, so the table is rebuilt (create, copy, drop, rename) with foreign
-- keys off (the first line asks the runner for that); the runner's foreign
-- key check proves every reference still holds.

CREATE TABLE messages_rebuilt (
	id INTEGER PRIMARY KEY,
	case_id INTEGER REFERENCES cases(id),
	person_id INTEGER NOT NULL REFERENCES persons(id),
	direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	staff_id INTEGER REFERENCES staff(id),
	text TEXT NOT NULL CHECK (length(text) > 0),
	created_at INTEGER NOT NULL,
	answered_at INTEGER,
	answer_id INTEGER REFERENCES messages(id),
	letter_id INTEGER REFERENCES letters(id),
	CHECK ((direction = 'in') = (staff_id IS NULL))
);
INSERT INTO messages_rebuilt(id, case_id, person_id, direction, staff_id, text, created_at, answered_at, answer_id, letter_id)
	SELECT id, case_id, person_id, direction, staff_id, text, created_at, answered_at, answer_id, letter_id FROM messages;
DROP TABLE messages;
ALTER TABLE messages_rebuilt RENAME TO messages;
CREATE INDEX messages_case ON messages(case_id, id);
CREATE INDEX messages_person ON messages(person_id, id);
CREATE INDEX messages_waiting ON messages(created_at, id) WHERE direction = 'in' AND answered_at IS NULL;

-- The agencies whose areas the support centre answers for; an installation
-- adds its own (`stipend support agency --add CODE NAME`).
CREATE TABLE support_agencies (
	code TEXT PRIMARY KEY CHECK (code GLOB '[a-z]*' AND length(code) <= 32),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100)
) WITHOUT ROWID;
INSERT INTO support_agencies(code, name) VALUES ('lanekassen', 'Lånekassen');

-- The maintained list of topics an inquiry is about (and FAQ answers are
-- linked to); a topic no longer offered is kept inactive for old records.
CREATE TABLE support_topics (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name_nb TEXT NOT NULL,
	name_en TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
INSERT INTO support_topics(code, name_nb, name_en) VALUES
	('application', 'Søknad om stipend og lån', 'Applying for grants and loans'),
	('decision', 'Vedtak og begrunnelse', 'Decisions and their reasons'),
	('payout', 'Utbetaling', 'Payments to the student'),
	('boarding', 'Borteboer og bostøtte', 'Living away from home'),
	('conversion', 'Omgjøring av lån til stipend', 'Converting loan to grant'),
	('repayment', 'Tilbakebetaling', 'Repayment'),
	('deferral', 'Betalingsutsettelse', 'Payment deferral'),
	('interest-relief', 'Rentefritak', 'Interest relief'),
	('documentation', 'Dokumentasjon', 'Documentation'),
	('login', 'Innlogging og teknisk hjelp', 'Logging in and technical help'),
	('contact', 'Kontaktopplysninger og varsler', 'Contact details and notices'),
	('other', 'Annet', 'Other');

-- One inquiry to the support centre: by which channel, when (time spent is
-- ended_at - started_at), about what, for which digital service and agency,
-- how it ended, and whose it was when the caller was identified. A
-- hand-over (and a person's secure message) is a message in the case
-- workers' queue (message_id); the inquiry is closed when it is answered.
CREATE TABLE inquiries (
	id INTEGER PRIMARY KEY,
	agency TEXT NOT NULL REFERENCES support_agencies(code),
	channel TEXT NOT NULL CHECK (channel IN ('phone', 'chat', 'email', 'counter', 'letter', 'secure-message')),
	started_at INTEGER NOT NULL,
	ended_at INTEGER NOT NULL,
	topic_id INTEGER NOT NULL REFERENCES support_topics(id),
	service TEXT NOT NULL CHECK (service IN ('application', 'mailbox', 'mypages', 'calculator', 'loan-account', 'login', 'none')),
	outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'self-service', 'handed-over', 'technical-fault')),
	link TEXT,
	note TEXT,
	person_id INTEGER REFERENCES persons(id),
	case_id INTEGER REFERENCES cases(id),
	staff_id INTEGER REFERENCES staff(id),
	message_id INTEGER REFERENCES messages(id),
	created_at INTEGER NOT NULL,
	CHECK (ended_at >= started_at),
	CHECK (outcome <> 'self-service' OR link IS NOT NULL),
	CHECK (case_id IS NULL OR person_id IS NOT NULL)
);
-- The month's report reads only this index (it covers the tallies).
CREATE INDEX inquiries_month ON inquiries(started_at, agency, service, channel, ended_at);
CREATE INDEX inquiries_person ON inquiries(person_id, id) WHERE person_id IS NOT NULL;
CREATE INDEX inquiries_message ON inquiries(message_id) WHERE message_id IS NOT NULL;

-- The FAQ: an answer (entry) with its versions, each version both
-- languages; the published version is the one the public reads and the
-- search index holds. Every version is kept with who wrote it.
CREATE TABLE faq_entries (
	id INTEGER PRIMARY KEY,
	topic_id INTEGER NOT NULL REFERENCES support_topics(id),
	published_version INTEGER,
	created_at INTEGER NOT NULL
);
CREATE TABLE faq_versions (
	entry_id INTEGER NOT NULL REFERENCES faq_entries(id),
	version INTEGER NOT NULL CHECK (version >= 1),
	question_nb TEXT NOT NULL CHECK (length(question_nb) BETWEEN 1 AND 300),
	answer_nb TEXT NOT NULL CHECK (length(answer_nb) BETWEEN 1 AND 8000),
	question_en TEXT NOT NULL CHECK (length(question_en) BETWEEN 1 AND 300),
	answer_en TEXT NOT NULL CHECK (length(answer_en) BETWEEN 1 AND 8000),
	source TEXT,
	staff_id INTEGER REFERENCES staff(id),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (entry_id, version)
) WITHOUT ROWID;
-- The published versions, searchable: one row per entry and language
-- (rowid = entry_id * 2 + (lang = 'en')), prefix search by "word*".
CREATE VIRTUAL TABLE faq_search USING fts5(question, answer, tokenize = 'unicode61');
-- "Did this help?": one row per answer given.
CREATE TABLE faq_feedback (
	id INTEGER PRIMARY KEY,
	entry_id INTEGER NOT NULL REFERENCES faq_entries(id),
	helped INTEGER NOT NULL CHECK (helped IN (0, 1)),
	at INTEGER NOT NULL
);
CREATE INDEX faq_feedback_entry ON faq_feedback(entry_id);
