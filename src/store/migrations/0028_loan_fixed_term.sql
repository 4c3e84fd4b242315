-- 0028: a term fixed by a decision (the write-off at permanent disability's
-- "Nytt terminbeløp", #11) is the loan account's state, beside its plan's
-- due days: the monthly run and "Min gjeld" read it with the account,
-- rather than looking up the latest decision for every invoice. Accounts
-- with such a decision take its term.
ALTER TABLE loan_accounts ADD COLUMN fixed_term INTEGER NOT NULL DEFAULT 0 CHECK (fixed_term >= 0);
UPDATE loan_accounts SET fixed_term = coalesce((SELECT d.new_term FROM loan_disability_decisions d
	WHERE d.person_id = loan_accounts.person_id AND d.outcome IN ('whole', 'partial', 'manual')
	ORDER BY d.id DESC LIMIT 1), 0);
