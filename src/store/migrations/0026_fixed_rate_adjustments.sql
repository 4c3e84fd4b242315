-- foreign keys off
-- 0026: the fixed rate's interest loss or gain (rentetap and rentegevinst,
-- issue #11) when a borrower with a fixed-rate agreement pays extra or
-- ends the agreement: two new kinds of ledger entry, and each computation
-- with its figures.
--
-- ledger_entries' CHECK lists its kinds, and SQLite cannot alter a CHECK
-- in place, so the table is rebuilt (create, copy, drop, rename) with
-- foreign keys off (the first line asks the runner for that; its foreign
-- key check proves that ledger_legs, loan_payments, loan_refunds and the
-- rest still point at their entries). Dropping the table drops its
-- triggers and indexes first (so the append-only triggers do not fire):
-- they are made again below, as 0011 and 0020 made them.

CREATE TABLE ledger_entries_rebuilt (
	id INTEGER PRIMARY KEY,
	person_id INTEGER REFERENCES persons(id),
	kind TEXT NOT NULL CHECK (kind IN ('disbursement', 'grant', 'conversion', 'interest', 'payment',
		'deferral', 'relief', 'write-off', 'fee', 'claim',
		'fixed-rate-loss', 'fixed-rate-gain')),
	cause TEXT NOT NULL CHECK (length(cause) > 0),
	effective TEXT NOT NULL,
	created_at INTEGER NOT NULL DEFAULT (unixepoch())
);
INSERT INTO ledger_entries_rebuilt(id, person_id, kind, cause, effective, created_at)
	SELECT id, person_id, kind, cause, effective, created_at FROM ledger_entries;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_rebuilt RENAME TO ledger_entries;
CREATE INDEX ledger_entries_person ON ledger_entries(person_id, effective);
CREATE INDEX ledger_entries_cause ON ledger_entries(cause);
CREATE INDEX ledger_entries_disbursed ON ledger_entries(person_id) WHERE kind = 'disbursement';
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
	BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
	BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

-- One loss or gain computed for an agreement: on an extra payment (cause
-- the payment, "payment:9") or on ending the agreement (cause
-- "fixed-rate-end:<person>:<day>"), effective on `day`; the amount it was
-- computed on (the extra part, or the whole principal), the agreement's
-- rate and end, the months left, the months before the plan's first term
-- (the payment pause) and the plan's terms left, the comparison
-- rate (1/120 thousandths of a percent, src/loans/fixedrate.h) and the
-- loss (> 0) or gain (< 0) in øre, with its ledger entry (none when it came
-- to 0 øre) and letter. `waiting`: no rate of new agreements was known for
-- the day, so nothing was guessed; the monthly run computes and posts it
-- once the parameters hold that day's rates, and until then the case
-- workers' payments page lists it with the missing figure.
CREATE TABLE loan_fixed_adjustments (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	cause TEXT NOT NULL UNIQUE,
	event TEXT NOT NULL CHECK (event IN ('extra-payment', 'end')),
	day TEXT NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	agreement_rate INTEGER NOT NULL,
	fixed_until TEXT NOT NULL,
	months_left INTEGER NOT NULL CHECK (months_left BETWEEN 1 AND 120),
	pause_months INTEGER NOT NULL CHECK (pause_months BETWEEN 0 AND 120),
	terms_left INTEGER NOT NULL CHECK (terms_left >= 1),
	state TEXT NOT NULL CHECK (state IN ('posted', 'waiting')),
	comparison_rate120 INTEGER,
	adjustment INTEGER,
	missing TEXT,
	entry_id INTEGER REFERENCES ledger_entries(id),
	letter_id INTEGER REFERENCES letters(id),
	created_at INTEGER NOT NULL,
	posted_at INTEGER,
	CHECK ((state = 'posted') = (adjustment IS NOT NULL AND comparison_rate120 IS NOT NULL))
);
CREATE INDEX loan_fixed_adjustments_person ON loan_fixed_adjustments(person_id, day);
CREATE INDEX loan_fixed_adjustments_waiting ON loan_fixed_adjustments(id) WHERE state = 'waiting';
