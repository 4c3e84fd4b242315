-- 0005: jobs about any subject (a case, a letter, a person), the letter's
-- sender, paper copy and notice, and a person's contact preferences.

-- A job's subject is what its kind works on: a case for "decide", a letter
-- for "notice", ... (no foreign key: the kind says which table). Enqueueing
-- a kind for a subject whose job is done or failed arms it again, so that a
-- subject can have the same work more than once (a case decided again).
CREATE TABLE jobs_new (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	subject_id INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('ready', 'running', 'done', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	run_after INTEGER NOT NULL,
	lease_until INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	created_at INTEGER NOT NULL,
	UNIQUE (kind, subject_id)
);
INSERT INTO jobs_new (id, kind, subject_id, state, attempts, run_after, lease_until, last_error, created_at)
	SELECT id, kind, case_id, state, attempts, run_after, lease_until, last_error, created_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_due ON jobs(state, run_after);

-- The unit of the agency that sent a letter ("Seksjon for utdanningsstøtte").
ALTER TABLE letters ADD COLUMN sender_unit TEXT;
-- A letter sent on paper as well: when it joined a print batch, and which.
ALTER TABLE letters ADD COLUMN paper_at INTEGER;
ALTER TABLE letters ADD COLUMN paper_batch INTEGER;
-- The notice of a new letter: the channel it went by (email, sms) and its
-- state (pending, sent, failed, bounced, none: no channel to send by).
ALTER TABLE letters ADD COLUMN notice_channel TEXT;
ALTER TABLE letters ADD COLUMN notice_status TEXT;
CREATE INDEX letters_unread ON letters(kind, created_at) WHERE first_read_at IS NULL AND paper_at IS NULL;

-- How a person wants to hear from the agency. A mobile number is used only
-- once verified by a code sent to it (its hash kept while it waits).
CREATE TABLE contact_preferences (
	person_id INTEGER PRIMARY KEY REFERENCES persons(id),
	email TEXT,
	mobile TEXT,
	mobile_verified_at INTEGER,
	mobile_pending TEXT,
	mobile_code_hash TEXT,
	mobile_code_expires INTEGER,
	channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms', 'none')),
	language TEXT NOT NULL DEFAULT 'nb' CHECK (language IN ('nb', 'en')),
	updated_at INTEGER NOT NULL
);
