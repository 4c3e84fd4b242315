-- 0016: the institutions' workspace. The schools and institutions of
-- higher education as the schools register names them, each by its
-- organisation number (9 digits, MOD11 as Brønnøysund's); the facts an
-- institution reports about its own students (admission, semester
-- registration, attendance, credits passed, an interruption), each dated
-- and with its source ("institution:<orgnr>" and the member of staff or the
-- student system's client); and the student systems that report through
-- the API: their registered public keys, the assertions already used (a
-- jti is taken once) and the short-lived access tokens (their hashes).

CREATE TABLE institutions (
	orgnr TEXT PRIMARY KEY CHECK (length(orgnr) = 9),
	name TEXT NOT NULL UNIQUE,
	level TEXT NOT NULL CHECK (level IN ('upper-secondary', 'higher'))
) WITHOUT ROWID;

CREATE TABLE institution_facts (
	id INTEGER PRIMARY KEY,
	orgnr TEXT NOT NULL REFERENCES institutions(orgnr),
	person_id INTEGER NOT NULL REFERENCES persons(id),
	case_id INTEGER REFERENCES cases(id),
	kind TEXT NOT NULL CHECK (kind IN ('admission', 'semester-registration', 'attendance', 'credits',
		'interruption')),
	period TEXT NOT NULL,        -- a school year "2024-2025" or a semester "2024-autumn"
	effective TEXT NOT NULL,     -- the day the fact holds from (an interruption: the day the pupil stopped)
	half_credits INTEGER CHECK (half_credits BETWEEN 0 AND 120), -- credits passed times two
	source TEXT NOT NULL,        -- "institution:<orgnr>"
	staff_id INTEGER REFERENCES staff(id),
	client_id TEXT,              -- the student system that reported it through the API
	reported_at INTEGER NOT NULL,
	CHECK ((kind = 'credits') = (half_credits IS NOT NULL)),
	CHECK ((staff_id IS NULL) <> (client_id IS NULL))
);
CREATE INDEX institution_facts_person ON institution_facts(person_id, kind, period);
CREATE INDEX institution_facts_orgnr ON institution_facts(orgnr, id);
-- A confirmation is given once for a student and period; a second one
-- changes nothing.
CREATE UNIQUE INDEX institution_facts_confirmed ON institution_facts(person_id, orgnr, kind, period)
	WHERE kind IN ('admission', 'semester-registration', 'attendance');

CREATE TABLE institution_clients (
	client_id TEXT PRIMARY KEY,
	orgnr TEXT NOT NULL REFERENCES institutions(orgnr),
	public_key_pem TEXT NOT NULL,
	registered_at INTEGER NOT NULL,
	registered_by INTEGER NOT NULL REFERENCES staff(id),
	revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX institution_clients_orgnr ON institution_clients(orgnr);

CREATE TABLE institution_jtis (
	jti TEXT PRIMARY KEY,
	client_id TEXT NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE institution_tokens (
	hash TEXT PRIMARY KEY,
	client_id TEXT NOT NULL REFERENCES institution_clients(client_id),
	orgnr TEXT NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
