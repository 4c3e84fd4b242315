-- 0025: a case worker's decision on writing off a borrower's debt at
-- permanent disability (sletting av gjeld ved uførhet, #11): the facts it
-- was made on (degree of disability, AAP before the decision, the year's
-- income and where it came from, the children under 16 supported), what
-- the rules gave (whole, partial, refused, or written by hand when a figure
-- was missing), the figures posted, and the letter.
--
-- One decision for an application: (person_id, received) is unique, so the
-- same decision submitted twice posts once. new_term is the table's new
-- term amount in øre, or 0 when the following terms are the annuity of the
-- new debt over the plan left; the monthly run reads the latest one.
CREATE TABLE loan_disability_decisions (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	staff_id INTEGER,
	received TEXT NOT NULL,
	effective TEXT NOT NULL,
	degree INTEGER NOT NULL CHECK (degree BETWEEN 0 AND 100),
	aap INTEGER NOT NULL CHECK (aap IN (0, 1)),
	income INTEGER NOT NULL CHECK (income >= 0),
	income_source TEXT NOT NULL CHECK (income_source IN ('register', 'caseworker')),
	children INTEGER NOT NULL CHECK (children >= 0),
	children_source TEXT NOT NULL CHECK (children_source IN ('register', 'caseworker')),
	outcome TEXT NOT NULL CHECK (outcome IN ('whole', 'partial', 'refused-degree', 'refused-income', 'manual')),
	income_limit INTEGER NOT NULL,
	band INTEGER NOT NULL DEFAULT 0,
	debt_before INTEGER NOT NULL,
	new_debt INTEGER NOT NULL,
	new_term INTEGER NOT NULL DEFAULT 0,
	written_off INTEGER NOT NULL,
	trace TEXT NOT NULL,
	letter_id INTEGER REFERENCES letters(id),
	created_at INTEGER NOT NULL,
	UNIQUE (person_id, received)
);
CREATE INDEX loan_disability_letter ON loan_disability_decisions(letter_id);
