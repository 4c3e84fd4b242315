-- 0011: the ledger (double-entry postings in øre) behind every loan
-- account, and the loan accounts' own state: the rate chosen, the plan, the
-- invoices with their KID, and the payments the bank reported.

-- The chart of accounts, fixed: a person's accounts (loan.*) carry the
-- person of the entry; the agency's have none. src/ledger/ledger.c holds the
-- same list; this table lets the database refuse an unknown account too.
CREATE TABLE ledger_accounts (
	name TEXT PRIMARY KEY,
	personal INTEGER NOT NULL CHECK (personal IN (0, 1))
);
INSERT INTO ledger_accounts(name, personal) VALUES
	('loan.principal', 1), ('loan.interest', 1),
	('agency.bank', 0), ('agency.grant-expense', 0), ('agency.interest-income', 0),
	('agency.conversion', 0), ('agency.claims', 0), ('agency.write-off', 0), ('agency.fees', 0);

-- One balanced entry: its legs sum to 0 (ledger_post checks it before the
-- insert, `stipend ledger check` after). person_id is NULL for the agency's
-- own entries. effective is the day it counts from (YYYY-MM-DD); cause names
-- what caused it ("decision:12", "payout:7", "payment:9", "run:convert-2025").
CREATE TABLE ledger_entries (
	id INTEGER PRIMARY KEY,
	person_id INTEGER REFERENCES persons(id),
	kind TEXT NOT NULL CHECK (kind IN ('disbursement', 'grant', 'conversion', 'interest', 'payment',
		'deferral', 'relief', 'write-off', 'fee', 'claim')),
	cause TEXT NOT NULL CHECK (length(cause) > 0),
	effective TEXT NOT NULL,
	created_at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE INDEX ledger_entries_person ON ledger_entries(person_id, effective);
CREATE INDEX ledger_entries_cause ON ledger_entries(cause);

-- A leg of an entry: debit > 0, credit < 0. person_id and effective repeat
-- the entry's (person_id only on a person's account), so that a person's
-- debt on a day is one indexed sum.
CREATE TABLE ledger_legs (
	id INTEGER PRIMARY KEY,
	entry_id INTEGER NOT NULL REFERENCES ledger_entries(id),
	account TEXT NOT NULL REFERENCES ledger_accounts(name),
	person_id INTEGER REFERENCES persons(id),
	effective TEXT NOT NULL,
	amount INTEGER NOT NULL CHECK (amount <> 0)
);
CREATE INDEX ledger_legs_entry ON ledger_legs(entry_id);
CREATE INDEX ledger_legs_person ON ledger_legs(person_id, account, effective) WHERE person_id IS NOT NULL;

-- Postings are never changed or removed: a mistake is put right by another
-- entry, so every balance can be traced back to what caused it.
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
	BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
	BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_legs_no_update BEFORE UPDATE ON ledger_legs
	BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_legs_no_delete BEFORE DELETE ON ledger_legs
	BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

-- A borrower's loan account: its fixed KID, when support ended (interest
-- runs from the next day; NULL while the person receives support), how far
-- interest is posted, the rate (floating, or fixed for 3, 5 or 10 years from
-- fixed_from through fixed_until), and the payment plan (monthly terms due
-- from first_due through last_due). The debt itself is never here: it is
-- the sum of the ledger's legs.
CREATE TABLE loan_accounts (
	person_id INTEGER PRIMARY KEY REFERENCES persons(id),
	kid TEXT NOT NULL UNIQUE,
	support_ended TEXT,
	interest_through TEXT,
	fixed_rate INTEGER,
	fixed_years INTEGER CHECK (fixed_years IN (3, 5, 10)),
	fixed_from TEXT,
	fixed_until TEXT,
	first_due TEXT,
	last_due TEXT,
	paper INTEGER NOT NULL DEFAULT 0 CHECK (paper IN (0, 1)),
	updated_at INTEGER NOT NULL,
	CHECK ((fixed_rate IS NULL) = (fixed_years IS NULL) AND (fixed_rate IS NULL) = (fixed_from IS NULL))
);
CREATE INDEX loan_accounts_repaying ON loan_accounts(person_id) WHERE support_ended IS NOT NULL;

-- One monthly invoice (a term): what is due on its day, split into interest
-- and principal as the debt stood when it was made, the fees (a paper
-- invoice's, reminders'), the KID, the letter that carried it, and what has
-- been paid.
CREATE TABLE loan_invoices (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	due TEXT NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	interest INTEGER NOT NULL,
	principal INTEGER NOT NULL,
	fee INTEGER NOT NULL DEFAULT 0,
	kid TEXT NOT NULL,
	letter_id INTEGER REFERENCES letters(id),
	paid INTEGER NOT NULL DEFAULT 0,
	paid_at TEXT,
	created_at INTEGER NOT NULL,
	-- Reminders sent while it was unpaid: 1 the reminder (purring), 2 the
	-- notice of termination; the day of the last, and its letter.
	reminders INTEGER NOT NULL DEFAULT 0 CHECK (reminders BETWEEN 0 AND 2),
	reminded_at TEXT,
	reminder_letter_id INTEGER REFERENCES letters(id),
	-- Set when the debt was written off (death, disability): nothing is
	-- owed on it any more, and it is no longer open.
	cancelled_at TEXT,
	UNIQUE (person_id, due)
);
CREATE INDEX loan_invoices_open ON loan_invoices(person_id, due) WHERE paid < amount + fee AND cancelled_at IS NULL;

-- A credit the bank reported (camt.054): its own reference (a report read
-- twice books it once), the KID it came with, amount, booking day, and what
-- became of it: matched to a borrower (with the ledger entry), or waiting
-- for a case worker (unknown KID) until resolved.
CREATE TABLE loan_payments (
	id INTEGER PRIMARY KEY,
	bank_ref TEXT NOT NULL UNIQUE,
	kid TEXT,
	amount INTEGER NOT NULL CHECK (amount > 0),
	booked TEXT NOT NULL,
	debtor TEXT,
	person_id INTEGER REFERENCES persons(id),
	state TEXT NOT NULL CHECK (state IN ('matched', 'unmatched', 'resolved')),
	entry_id INTEGER REFERENCES ledger_entries(id),
	received_at INTEGER NOT NULL
);
CREATE INDEX loan_payments_waiting ON loan_payments(id) WHERE state = 'unmatched';

-- A conversion of loan to grant (omgjøring) for one case's school year:
-- what the rules allowed on the tax authority's figures for the year, the
-- credits passed of those expected, what was converted (the ledger entry),
-- and the letter with the decision's trace. One a case.
CREATE TABLE loan_conversions (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
	person_id INTEGER NOT NULL REFERENCES persons(id),
	year INTEGER NOT NULL,
	convertible INTEGER NOT NULL,
	income INTEGER NOT NULL,
	wealth INTEGER NOT NULL,
	credits_tenths INTEGER NOT NULL,
	expected_tenths INTEGER NOT NULL,
	converted INTEGER NOT NULL,
	decision_json TEXT NOT NULL,
	entry_id INTEGER REFERENCES ledger_entries(id),
	letter_id INTEGER REFERENCES letters(id),
	created_at INTEGER NOT NULL
);
CREATE INDEX loan_conversions_letter ON loan_conversions(letter_id);

-- Months of a loan account under a decision of payment deferral (no term
-- falls due that month; the plan grows by as many months) or of interest
-- relief (the month's interest is cancelled), with the decision that
-- granted them.
CREATE TABLE loan_months (
	person_id INTEGER NOT NULL REFERENCES persons(id),
	month TEXT NOT NULL CHECK (length(month) = 7),
	kind TEXT NOT NULL CHECK (kind IN ('deferral', 'relief')),
	cause TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (person_id, month, kind)
);

-- The annual statement (årsoppgave) of a loan account for a calendar year:
-- the debt at the year's end, the interest charged (less relief), the
-- interest and the principal paid, as the ledger held them when it was made,
-- and its letter. One a person and year.
CREATE TABLE loan_statements (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	year INTEGER NOT NULL,
	debt INTEGER NOT NULL,
	interest_charged INTEGER NOT NULL,
	interest_paid INTEGER NOT NULL,
	principal_paid INTEGER NOT NULL,
	letter_id INTEGER REFERENCES letters(id),
	created_at INTEGER NOT NULL,
	UNIQUE (person_id, year)
);
CREATE INDEX loan_statements_letter ON loan_statements(letter_id);
