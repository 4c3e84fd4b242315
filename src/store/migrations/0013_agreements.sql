-- 0013: the support agreement and its signing, guardians and powers of
-- attorney.
--
-- An agreement ("avtale om støtte") is made for a granted decision that
-- needs one (a loan, or a pupil's first grant). It covers the loan of one
-- person's school year: a new decision in the same school year needs a new
-- agreement only when its loan is larger than the agreement's. The PDF is
-- kept as the exact bytes the signer signs; a signature is a detached
-- CMS (PKCS #7) SignedData over them, kept with what its verification
-- found. An agreement sent on paper is signed when a case worker registers
-- the signed copy's arrival.

CREATE TABLE agreements (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	case_id INTEGER NOT NULL REFERENCES cases(id),
	decision_id INTEGER NOT NULL REFERENCES decisions(id),
	school_year TEXT NOT NULL,
	scheme TEXT NOT NULL,
	loan INTEGER NOT NULL CHECK (loan >= 0),     -- øre of loan it covers
	grants INTEGER NOT NULL CHECK (grants >= 0), -- øre of grants in the decision
	created_at INTEGER NOT NULL,
	pdf BLOB NOT NULL,
	pdf_sha256 TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'unsigned'
		CHECK (state IN ('unsigned', 'paper', 'signed', 'paper-received')),
	-- electronic signing
	signed_at INTEGER,
	signer_person_id INTEGER REFERENCES persons(id),
	signed_as TEXT CHECK (signed_as IN ('self', 'guardian')),
	signature BLOB,
	verification TEXT, -- JSON: subject, serial, issuer, not_after, signing_time
	-- paper
	paper_requested_at INTEGER,
	paper_batch INTEGER,
	paper_received_at INTEGER,
	paper_received_by INTEGER REFERENCES staff(id),
	CHECK ((state = 'signed') = (signature IS NOT NULL AND signed_at IS NOT NULL)),
	CHECK (state <> 'paper-received' OR paper_received_at IS NOT NULL)
);
CREATE UNIQUE INDEX agreements_decision ON agreements(decision_id);
CREATE INDEX agreements_person ON agreements(person_id, school_year, loan);
CREATE INDEX agreements_case ON agreements(case_id);
CREATE INDEX agreements_paper ON agreements(state, paper_batch) WHERE state = 'paper';
CREATE TRIGGER agreements_signed_stay BEFORE UPDATE OF pdf, pdf_sha256, signature ON agreements
	WHEN OLD.state IN ('signed', 'paper-received')
	BEGIN SELECT RAISE(ABORT, 'a signed agreement is never changed'); END;

-- A visit to the signing service: a one-time reference, who is to sign
-- (the person, or a guardian for a person under 18) and who sent them
-- there. Used once; expires.
CREATE TABLE signing_requests (
	ref TEXT PRIMARY KEY,
	agreement_id INTEGER NOT NULL REFERENCES agreements(id),
	signer_person_id INTEGER NOT NULL REFERENCES persons(id),
	actor TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER,
	outcome TEXT
) WITHOUT ROWID;

-- Parents and guardians as the population register names them, kept as
-- the register said when last asked (checked_at). The right to act for a
-- child is this relation and the child's age on the day of the request.
CREATE TABLE guardianships (
	guardian_id INTEGER NOT NULL REFERENCES persons(id),
	child_id INTEGER NOT NULL REFERENCES persons(id),
	checked_at INTEGER NOT NULL,
	PRIMARY KEY (guardian_id, child_id)
) WITHOUT ROWID;

-- Powers of attorney (fullmakt): grantor lets proxy act for them within
-- scopes (a comma-separated list: letters, apply, write) until valid_until
-- (a date, inclusive), unless revoked.
CREATE TABLE proxies (
	id INTEGER PRIMARY KEY,
	grantor_id INTEGER NOT NULL REFERENCES persons(id),
	proxy_id INTEGER NOT NULL REFERENCES persons(id),
	scopes TEXT NOT NULL,
	valid_until TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER,
	revoked_by TEXT,
	CHECK (grantor_id <> proxy_id)
);
CREATE INDEX proxies_grantor ON proxies(grantor_id);
CREATE INDEX proxies_proxy ON proxies(proxy_id);

-- Acting for another person: the session's chosen person and grant
-- ('guardian' or 'proxy' with the power of attorney's id). The right is
-- checked again on every request, so that a revoked power or an 18th
-- birthday ends it at once.
ALTER TABLE sessions ADD COLUMN acting_for INTEGER REFERENCES persons(id);
ALTER TABLE sessions ADD COLUMN acting_grant TEXT CHECK (acting_grant IN ('guardian', 'proxy'));
ALTER TABLE sessions ADD COLUMN acting_proxy INTEGER REFERENCES proxies(id);
