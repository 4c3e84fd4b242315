-- foreign keys off
-- 0010: staff in more roles than the case worker's. A support agent
-- (support) logs inquiries for the support centre; management reads the
-- agency's figures; institution staff (institution) act for one school or
-- institution of higher education, named by `institution` (its
-- organisation number in the schools register), and its administrator
-- (admin = 1) adds colleagues. The policy table (src/access/policy.c) says
-- what each role may do.
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt
-- by the documented procedure (create, copy, drop, rename) with foreign
-- keys off (the first line asks the migration runner for that), and the
-- runner's foreign key check proves that the sessions, documentation
-- requests and messages that refer to staff(id) still find every id.

CREATE TABLE staff_rebuilt (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('caseworker', 'support', 'management', 'institution')),
	may_see_confidential INTEGER NOT NULL DEFAULT 0 CHECK (may_see_confidential IN (0, 1)),
	institution TEXT,
	admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
	CHECK ((role = 'institution') = (institution IS NOT NULL)),
	CHECK (may_see_confidential = 0 OR role = 'caseworker')
);
INSERT INTO staff_rebuilt(id, username, name, role, may_see_confidential)
	SELECT id, username, name, role, may_see_confidential FROM staff;
DROP TABLE staff;
ALTER TABLE staff_rebuilt RENAME TO staff;
