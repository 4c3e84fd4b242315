-- 0009: the conversation about a case (e-henvendelse), the documents a
-- person sends when asked for documentation, and what became of each
-- request for documentation.

-- A message in the secure channel about a case: from the person ("in") or
-- from a case worker ("out", with the staff member and the letter that
-- carried the answer to the person's mailbox). An incoming message waits
-- for an answer until answered_at is set; answer_id is the answer.
CREATE TABLE messages (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	person_id INTEGER NOT NULL REFERENCES persons(id),
	direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	staff_id INTEGER REFERENCES staff(id),
	text TEXT NOT NULL CHECK (length(text) > 0),
	created_at INTEGER NOT NULL,
	answered_at INTEGER,
	answer_id INTEGER REFERENCES messages(id),
	letter_id INTEGER REFERENCES letters(id),
	CHECK ((direction = 'in') = (staff_id IS NULL))
);
CREATE INDEX messages_case ON messages(case_id, id);
-- The case workers' list: unanswered messages, oldest first.
CREATE INDEX messages_waiting ON messages(created_at, id) WHERE direction = 'in' AND answered_at IS NULL;

-- What became of a request for documentation: still open (NULL), the
-- documents were received, or the deadline passed with nothing received.
ALTER TABLE documentation_requests ADD COLUMN state TEXT CHECK (state IN ('received', 'expired'));
ALTER TABLE documentation_requests ADD COLUMN closed_at INTEGER;

-- One upload by the person in answer to a request, with its note.
CREATE TABLE document_submissions (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	person_id INTEGER NOT NULL REFERENCES persons(id),
	request_id INTEGER NOT NULL REFERENCES documentation_requests(id),
	note TEXT,
	received_at INTEGER NOT NULL
);
CREATE INDEX document_submissions_case ON document_submissions(case_id, id);

-- The documents themselves, kept in the database so that they are as
-- durable as the case: type by their first bytes, size, SHA-256 (hex) and
-- the name the person gave the file. The content comes last so that
-- reading the other columns never touches its overflow pages.
CREATE TABLE documents (
	id INTEGER PRIMARY KEY,
	submission_id INTEGER NOT NULL REFERENCES document_submissions(id),
	case_id INTEGER NOT NULL REFERENCES cases(id),
	name TEXT NOT NULL,
	media_type TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
	size INTEGER NOT NULL CHECK (size > 0 AND size <= 10485760),
	sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
	content BLOB NOT NULL,
	CHECK (length(content) = size)
);
CREATE INDEX documents_case ON documents(case_id, id);

-- Letters from before the sender was recorded get the unit that sends
-- their kind (mbox_sender_unit), so that the mailbox filters by sender
-- in SQL alone.
UPDATE letters SET sender_unit = CASE
	WHEN kind IN ('documentation-request', 'answer') THEN 'case-processing'
	WHEN kind IN ('reminder', 'information') THEN 'customer-service'
	ELSE 'student-support' END
WHERE sender_unit IS NULL;
