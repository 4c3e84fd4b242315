-- foreign keys off
-- 0027: conversion of loan to grant by calendar year (#11): a conversion is
-- of one case's SEMESTER, tested against the income and wealth of the
-- calendar year the semester lies in ("vi kontrollerer inntekt og formue
-- per kalenderår", lanekassen.no, "Slik fungerer omgjøring"): the autumn of
-- the school year Y-(Y+1) and the spring of (Y-1)-Y against the year Y.
--
-- loan_conversions gets a semester ('autumn', 'spring'; 'school-year' for
-- the rows written before, which converted a whole school year against
-- the income of its first calendar year: year is that calendar year, so
-- year is the income year in every row), and is keyed by (case_id,
-- semester) instead of case_id. A case converted as a whole school year
-- is converted for both of its semesters: store_loan_conversion_insert()
-- refuses a semester's row beside it (a trigger here would make SQLite
-- keep a statement journal for each insert, walked from its start at
-- each statement: a fifth of a run's CPU), so a run again converts
-- nothing twice.
-- SQLite cannot change a UNIQUE constraint in place: the table is rebuilt
-- (create, copy, drop, rename) with foreign keys off (the first line asks
-- the runner for that); the runner's foreign key check proves every
-- reference still holds.

CREATE TABLE loan_conversions_rebuilt (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
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
	created_at INTEGER NOT NULL,
	semester TEXT NOT NULL DEFAULT 'school-year' CHECK (semester IN ('school-year', 'autumn', 'spring')),
	UNIQUE (case_id, semester)
);
INSERT INTO loan_conversions_rebuilt(id, case_id, person_id, year, convertible, income, wealth, credits_tenths,
	expected_tenths, converted, decision_json, entry_id, letter_id, created_at, semester)
	SELECT id, case_id, person_id, year, convertible, income, wealth, credits_tenths, expected_tenths, converted,
	decision_json, entry_id, letter_id, created_at, 'school-year' FROM loan_conversions;
DROP TABLE loan_conversions;
ALTER TABLE loan_conversions_rebuilt RENAME TO loan_conversions;
CREATE INDEX loan_conversions_letter ON loan_conversions(letter_id);
CREATE INDEX loan_conversions_person ON loan_conversions(person_id, id);

-- The conversion's page asks, for each case, the person's case of the
-- other school year with months in the calendar year (store_loan_conv_cases):
-- on this index it is one search that, for the many who have none, never
-- reads the table (cases_person would read each person's own case).
CREATE INDEX cases_person_year ON cases(person_id, school_year, scheme, status);
