-- 0021: indexes for the loan account's speed (#11: a month's run over every
-- account, the ledger check over 25 years of postings).

-- A person's balance on a day and the day-by-day changes of a month are
-- read from the index alone, in day order: the amount is in it, so no
-- posting's row is visited (ledger_legs_person needs a row for each).
CREATE INDEX ledger_legs_person_day ON ledger_legs(person_id, effective, account, amount) WHERE person_id IS NOT NULL;

-- A person's loan balances as the ledger summed them through a day: where
-- a sum of the person's legs through a later day starts, so that it reads
-- only the legs after the mark, not 25 years of them. Not a total kept
-- beside the ledger: a leg posted on or before a mark's day removes the
-- mark (the trigger below), so a mark always equals the sum of the legs it
-- covers; the monthly run sets it again at the end of each month's
-- interest, and `stipend ledger check` proves every mark.
CREATE TABLE loan_balance_marks (
	person_id INTEGER PRIMARY KEY REFERENCES persons(id),
	through TEXT NOT NULL,
	principal INTEGER NOT NULL,
	interest INTEGER NOT NULL
);
CREATE TRIGGER ledger_legs_unmark AFTER INSERT ON ledger_legs WHEN NEW.person_id IS NOT NULL
	BEGIN DELETE FROM loan_balance_marks WHERE person_id = NEW.person_id AND through >= NEW.effective; END;
