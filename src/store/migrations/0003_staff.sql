-- 0003: the agency's staff (case workers), their sessions, the case
-- worker's queue, and requests to an applicant for documentation.

-- A member of staff logs in (the test login picks one) and acts in their
-- role. may_see_confidential is the authorisation to see a strictly
-- confidential address (sperret adresse); without it the workbench shows
-- that the address is withheld.
CREATE TABLE staff (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('caseworker')),
	may_see_confidential INTEGER NOT NULL DEFAULT 0 CHECK (may_see_confidential IN (0, 1))
);

-- A session is a person's (person_id) or a member of staff's (staff_id).
ALTER TABLE sessions ADD COLUMN staff_id INTEGER REFERENCES staff(id);

-- The case worker's queue: cases by status, oldest first.
CREATE INDEX cases_status ON cases(status, received_at, id);

-- What a case worker asked an applicant to send, and by when. The letter
-- that carried the request shows it; the case waits
-- (awaiting-documentation) until a case worker decides it.
CREATE TABLE documentation_requests (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	letter_id INTEGER NOT NULL REFERENCES letters(id),
	staff_id INTEGER NOT NULL REFERENCES staff(id),
	text TEXT NOT NULL,
	deadline TEXT NOT NULL,
	requested_at INTEGER NOT NULL
);
CREATE INDEX documentation_requests_case ON documentation_requests(case_id, id);
CREATE INDEX documentation_requests_letter ON documentation_requests(letter_id);
