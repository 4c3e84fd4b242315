-- 0008: "Mine sider": deadlines and appointments, the secret calendar feed,
-- reminders before a deadline, and the tries at a mobile number's code.

-- A deadline or appointment of a person's, for the calendar and its
-- reminders. Later issues write here through cal_deadline_put() (the loan
-- document's signing, an invoice); a documentation request's deadline is
-- read from documentation_requests instead (see calendar_entries). source
-- names what the deadline belongs to ("loan-document:12"), once.
CREATE TABLE deadlines (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	case_id INTEGER REFERENCES cases(id),
	kind TEXT NOT NULL CHECK (kind IN ('documentation', 'signing', 'invoice', 'appointment')),
	due TEXT NOT NULL,
	what TEXT,
	source TEXT NOT NULL UNIQUE,
	done_at INTEGER,
	created_at INTEGER NOT NULL
);
CREATE INDEX deadlines_person ON deadlines(person_id, due);
CREATE INDEX deadlines_open ON deadlines(due) WHERE done_at IS NULL;

-- Every deadline a person has, whatever wrote it: ref is the calendar's own
-- name for it ("deadline:3", "documentation-request:7"). A request for
-- documentation is done once its case no longer waits for documentation.
CREATE VIEW calendar_entries AS
	SELECT 'deadline:' || d.id AS ref, d.person_id, d.case_id, d.kind, d.due, d.what, d.source,
	       d.done_at IS NOT NULL AS done
	FROM deadlines d
	UNION ALL
	SELECT 'documentation-request:' || r.id, c.person_id, r.case_id, 'documentation', r.deadline, r.text,
	       'documentation-request:' || r.id, c.status <> 'awaiting-documentation'
	FROM documentation_requests r JOIN cases c ON c.id = r.case_id;

-- A person's calendar feed at a secret address. The address's token is
-- derived from secret and generation (src/calendar/feed.c says why); only
-- its hash is looked up. token_hash is NULL while the person has no address
-- (never made, or revoked); making a new one raises the generation.
CREATE TABLE calendar_feeds (
	person_id INTEGER PRIMARY KEY REFERENCES persons(id),
	secret TEXT NOT NULL,
	generation INTEGER NOT NULL,
	token_hash TEXT UNIQUE,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

-- How many days before a deadline a person wants reminding, per case type
-- (a case's scheme, or "other" for a deadline without a case): "7,1", or
-- "" for none. No row: the defaults (cal_default_offsets).
CREATE TABLE reminder_settings (
	person_id INTEGER NOT NULL REFERENCES persons(id),
	case_type TEXT NOT NULL,
	offsets TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (person_id, case_type)
) WITHOUT ROWID;

-- Each reminder once: a deadline (its calendar ref) and an offset in days.
-- letter_id is the reminder letter, NULL for one passed over because a later
-- reminder of the same deadline was due when the job ran.
CREATE TABLE reminders_sent (
	ref TEXT NOT NULL,
	offset_days INTEGER NOT NULL,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	letter_id INTEGER REFERENCES letters(id),
	at INTEGER NOT NULL,
	PRIMARY KEY (ref, offset_days)
) WITHOUT ROWID;
CREATE INDEX reminders_sent_letter ON reminders_sent(letter_id) WHERE letter_id IS NOT NULL;

-- The code sent to a mobile number waiting for verification: wrong tries at
-- it, and the codes sent in the current day's window (both bounded).
CREATE TABLE mobile_verification (
	person_id INTEGER PRIMARY KEY REFERENCES persons(id),
	tries INTEGER NOT NULL DEFAULT 0,
	codes_sent INTEGER NOT NULL DEFAULT 0,
	window_start INTEGER NOT NULL
);
