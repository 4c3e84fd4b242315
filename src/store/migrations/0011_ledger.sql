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
