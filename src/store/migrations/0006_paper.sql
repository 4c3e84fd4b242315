-- 0006: paper copies of decision letters left unread (the paper fallback).
--
-- A print batch is made in two steps, so that a run killed at any moment is
-- completed by the next: first the batch and its letters are claimed in one
-- transaction (a letter is in at most one batch: print_batch_letters.letter_id
-- is unique), then the PDF and manifest are written and, in one more
-- transaction, each letter records that it went on paper (letters.paper_at =
-- the batch's created_at, letters.paper_batch) and the batch is 'written'. A
-- batch still 'open' is written again, from the same stored data, by the
-- next run.
CREATE TABLE print_batches (
	id INTEGER PRIMARY KEY,
	created_at INTEGER NOT NULL,
	-- Letters delivered at or before this and still unread were due.
	unread_before INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open', 'written')),
	letter_count INTEGER NOT NULL DEFAULT 0,
	page_count INTEGER,
	pdf_sha256 TEXT,
	written_at INTEGER
);

CREATE TABLE print_batch_letters (
	batch_id INTEGER NOT NULL REFERENCES print_batches(id),
	seq INTEGER NOT NULL,
	letter_id INTEGER NOT NULL UNIQUE REFERENCES letters(id),
	-- Set when written: the address it went to (the person's registered
	-- address, or the population register's forwarding address for a person
	-- with a confidential address) and its pages in the batch's PDF.
	address_kind TEXT CHECK (address_kind IN ('registered', 'forwarding')),
	first_page INTEGER,
	page_count INTEGER,
	PRIMARY KEY (batch_id, seq)
) WITHOUT ROWID;

-- Letters kept off paper: their person has a confidential address and no
-- forwarding address was configured. They stay here for an operator and the
-- case worker to see, and go on paper only to a forwarding address once
-- one is set (setting paper.forwarding_address), never to the person's own.
CREATE TABLE paper_withheld (
	letter_id INTEGER PRIMARY KEY REFERENCES letters(id),
	withheld_at INTEGER NOT NULL,
	reason TEXT NOT NULL CHECK (reason IN ('confidential-address'))
);
