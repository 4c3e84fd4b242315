-- 0001: persons, cases, letters, sessions, settings and the audit log.

CREATE TABLE persons (
	id INTEGER PRIMARY KEY,
	nin TEXT NOT NULL UNIQUE,
	given_name TEXT NOT NULL,
	family_name TEXT NOT NULL,
	birth_date TEXT NOT NULL,
	address TEXT NOT NULL,
	postcode TEXT NOT NULL,
	city TEXT NOT NULL,
	confidential_address INTEGER NOT NULL DEFAULT 0,
	institution TEXT,
	programme TEXT
);

CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	scheme TEXT NOT NULL,
	school_year TEXT NOT NULL,
	status TEXT NOT NULL,
	outcome TEXT,
	received_at INTEGER NOT NULL,
	decided_at INTEGER,
	application_json TEXT NOT NULL
);
CREATE INDEX cases_person ON cases(person_id, id);

CREATE TABLE letters (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	case_id INTEGER REFERENCES cases(id),
	kind TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	first_read_at INTEGER
);
CREATE INDEX letters_person ON letters(person_id, id);

CREATE TABLE sessions (
	key_hash TEXT PRIMARY KEY,
	person_id INTEGER REFERENCES persons(id),
	role TEXT NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Installation-wide values such as the secret that CSRF tokens derive from.
CREATE TABLE settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- Append-only: each record's hash covers its fields and the previous hash,
-- so that a changed or removed record breaks the chain (stipend verify).
CREATE TABLE audit (
	seq INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	object TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_object ON audit(object, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
	BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
	BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
