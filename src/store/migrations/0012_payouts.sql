-- 0012: the money goes out. Payout conditions (the account, the
-- institution's confirmation, the signed agreement as payout sees it), the
-- payout plan of each decision in monthly lines, the daily payout runs with
-- their ISO 20022 files, the payments in them and what the bank said of
-- each, and claims for what was paid too much.

-- The account a person's payments go to: fetched from the tax authority's
-- account register ('register') or registered by the person on Dine sider
-- and found theirs in that register ('person'). state 'rejected' when the
-- bank refused it: nothing is paid to it again until another is given.
CREATE TABLE payout_accounts (
	person_id INTEGER PRIMARY KEY REFERENCES persons(id),
	account TEXT NOT NULL CHECK (length(account) = 11),
	source TEXT NOT NULL CHECK (source IN ('register', 'person')),
	state TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'rejected')),
	checked_at INTEGER NOT NULL
);

-- The institution confirmed admission and semester registration (higher
-- education) or that the pupil turned up (upper secondary), for a school
-- year: from the schools register's event feed or an institution.
CREATE TABLE payout_confirmations (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	school_year TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('semester-registration', 'attendance')),
	source TEXT NOT NULL,
	at INTEGER NOT NULL,
	UNIQUE (person_id, school_year)
);

-- The agreement of a case known to be signed: the run asks the signing
-- room (signing_agreement_signed) about each case not in here and notes
-- the signed, so that a run of half a million joins instead of asking.
-- A new decision of the case forgets it (it may need a new agreement).
CREATE TABLE payout_signatures (
	case_id INTEGER PRIMARY KEY REFERENCES cases(id),
	signed_at INTEGER NOT NULL
);

-- Which decision of a case the case's plan was made from (the case's
-- decided_at): a case whose decision is newer is planned again.
CREATE TABLE payout_plans (
	case_id INTEGER PRIMARY KEY REFERENCES cases(id),
	person_id INTEGER NOT NULL REFERENCES persons(id),
	decided_at INTEGER NOT NULL,
	planned_at INTEGER NOT NULL
);
CREATE INDEX payout_plans_decided ON payout_plans(case_id, decided_at);

-- A run of the payout: one pain.001 file, recorded in the transaction that
-- binds its payments, after the file is on disk under its final name.
-- state: 'written' (on disk, not yet answered by the bank), 'answered'
-- (the bank's pain.002 taken).
CREATE TABLE payout_runs (
	id INTEGER PRIMARY KEY,
	run_date TEXT NOT NULL,
	msg_id TEXT NOT NULL UNIQUE,
	file TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	payments INTEGER NOT NULL,
	total_ore INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('written', 'answered')),
	created_at INTEGER NOT NULL,
	answered_at INTEGER
);

-- One credit transfer to a person in a run: the sum of the person's due
-- lines. state: 'sent' (in a file), 'accepted' (pain.002 ACCP, posted in
-- the ledger), 'rejected' (RJCT: its lines are due again), 'booked'
-- (camt.054: on the person's account).
CREATE TABLE payout_payments (
	id INTEGER PRIMARY KEY,
	run_id INTEGER NOT NULL REFERENCES payout_runs(id),
	person_id INTEGER NOT NULL REFERENCES persons(id),
	account TEXT NOT NULL,
	loan_ore INTEGER NOT NULL CHECK (loan_ore >= 0),
	grant_ore INTEGER NOT NULL CHECK (grant_ore >= 0),
	state TEXT NOT NULL CHECK (state IN ('sent', 'accepted', 'rejected', 'booked')),
	reason TEXT,
	letter_id INTEGER REFERENCES letters(id), -- rejected: the letter asking for an account
	updated_at INTEGER NOT NULL,
	UNIQUE (run_id, person_id)
);
CREATE INDEX payout_payments_person ON payout_payments(person_id, id);

-- A month's amount of a kind in a case's plan, due on its payday. A line
-- is paid when it belongs to a payment not rejected. A line of a plan
-- superseded before it was paid is 'cancelled'.
CREATE TABLE payout_lines (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	person_id INTEGER NOT NULL REFERENCES persons(id),
	school_year TEXT NOT NULL,
	decided_at INTEGER NOT NULL,
	month TEXT NOT NULL,
	due TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('loan', 'grant')),
	amount_ore INTEGER NOT NULL CHECK (amount_ore >= 0),
	state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'cancelled')),
	payment_id INTEGER REFERENCES payout_payments(id)
);
CREATE INDEX payout_lines_case ON payout_lines(case_id, id);
-- The lines not yet paid by month (what a run reads), a run's payments'
-- lines, and whether a case has had its first payout.
CREATE INDEX payout_lines_open ON payout_lines(month, person_id) WHERE state = 'planned' AND payment_id IS NULL;
CREATE INDEX payout_lines_payment ON payout_lines(payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX payout_lines_paid ON payout_lines(case_id) WHERE payment_id IS NOT NULL;

-- What was paid too much under an earlier decision: a claim on the
-- person, with the letter that told them.
CREATE TABLE payout_claims (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	person_id INTEGER NOT NULL REFERENCES persons(id),
	kind TEXT NOT NULL CHECK (kind IN ('loan', 'grant')),
	amount_ore INTEGER NOT NULL CHECK (amount_ore > 0),
	decided_at INTEGER NOT NULL,
	letter_id INTEGER REFERENCES letters(id),
	created_at INTEGER NOT NULL
);
CREATE INDEX payout_claims_case ON payout_claims(case_id);
