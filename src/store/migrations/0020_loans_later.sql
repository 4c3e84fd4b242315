-- 0020: the loan account's later life (issue #11, helper D): what becomes
-- of a loan that is not paid (called in, then handed to the state's
-- collection agency, Statens innkrevingssentral) and of a borrower who
-- dies (the debt written off). The account's own row (loan_accounts) is
-- rewritten whole by its owner, so this state is kept beside it.
--
-- status: 'called-in' (the whole debt fell due on called_in), 'collection'
-- (handed to SI on handed_over; handover_file names the file its line was
-- written to, NULL until a run writes it), 'deceased' (the population
-- register gave the date of death, died; the debt written off).
CREATE TABLE loan_account_status (
	person_id INTEGER PRIMARY KEY REFERENCES persons(id),
	status TEXT NOT NULL CHECK (status IN ('called-in', 'collection', 'deceased')),
	called_in TEXT,
	called_in_amount INTEGER,
	called_in_letter INTEGER REFERENCES letters(id),
	handed_over TEXT,
	handover_amount INTEGER,
	handover_letter INTEGER REFERENCES letters(id),
	handover_file TEXT,
	died TEXT,
	written_off INTEGER,
	updated_at INTEGER NOT NULL
);
-- The borrowers (a loan paid out), which each run asks whose support has
-- ended (store/loans2.h, store_loan_support_ends).
CREATE INDEX ledger_entries_disbursed ON ledger_entries(person_id) WHERE kind = 'disbursement';
CREATE INDEX payout_lines_person ON payout_lines(person_id, month);

-- The invoices whose notice of termination is left unpaid (what each run
-- asks about calling in).
CREATE INDEX loan_invoices_noticed ON loan_invoices(person_id)
	WHERE reminders >= 2 AND paid_at IS NULL AND cancelled_at IS NULL;

-- The handovers not yet written to a file (what a run's file takes).
CREATE INDEX loan_account_status_unwritten ON loan_account_status(person_id)
	WHERE status = 'collection' AND handover_file IS NULL;

-- eFaktura and AvtaleGiro: the agreements the bank says the borrowers have
-- (by the KID's person; the bank's list replaces these whole), and the
-- channel an invoice went by, with when the bank took it (NULL: not yet).
-- An invoice with no row went to the mailbox (and on paper when the
-- account has paper invoices).
CREATE TABLE loan_giro_agreements (
	person_id INTEGER PRIMARY KEY REFERENCES persons(id),
	kind TEXT NOT NULL CHECK (kind IN ('efaktura', 'avtalegiro')),
	updated_at INTEGER NOT NULL
);
CREATE TABLE loan_invoice_channels (
	invoice_id INTEGER PRIMARY KEY REFERENCES loan_invoices(id),
	channel TEXT NOT NULL CHECK (channel IN ('efaktura', 'avtalegiro')),
	sent_at INTEGER,
	bank_id INTEGER
);
CREATE INDEX loan_invoice_channels_unsent ON loan_invoice_channels(invoice_id) WHERE sent_at IS NULL;

-- Payments no account took wait on agency.suspense (received, not yet
-- anyone's) until a case worker books them to a borrower or refunds them.
INSERT INTO ledger_accounts(name, personal) VALUES ('agency.suspense', 0);

-- A refund of a payment no account took, back to the payer's account: the
-- record the bank is given (amount, account, the case worker, the ledger
-- entry). One a payment.
CREATE TABLE loan_refunds (
	id INTEGER PRIMARY KEY,
	payment_id INTEGER NOT NULL UNIQUE REFERENCES loan_payments(id),
	amount INTEGER NOT NULL CHECK (amount > 0),
	account TEXT NOT NULL,
	actor TEXT NOT NULL,
	entry_id INTEGER NOT NULL REFERENCES ledger_entries(id),
	refund_day TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

-- The due day the borrower chose (the 5th, 15th or 25th of the month), for
-- the invoices made from then on; none: LOANS_DUE_DAY.
CREATE TABLE loan_due_days (
	person_id INTEGER PRIMARY KEY REFERENCES persons(id),
	day INTEGER NOT NULL CHECK (day IN (5, 15, 25)),
	updated_at INTEGER NOT NULL
);
