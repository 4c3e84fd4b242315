-- 0002: the durable job table, and every decision a case has had.

-- Work that follows an acknowledged request (collecting facts, deciding,
-- letters) runs from here, retried with back-off. A job is enqueued in the
-- same transaction as the state that needs it, and finished in the same
-- transaction as its effect, so that a crash between the two leaves it to
-- run again (its lease runs out) and never half done.
CREATE TABLE jobs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	state TEXT NOT NULL CHECK (state IN ('ready', 'running', 'done', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	run_after INTEGER NOT NULL,
	lease_until INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	created_at INTEGER NOT NULL,
	UNIQUE (kind, case_id)
);
CREATE INDEX jobs_due ON jobs(state, run_after);

-- A case's decisions: the current one has no superseded_at. A case may be
-- decided again when a fact changes; the new decision supersedes the old,
-- and both are kept, each with the facts it was made on (and their sources).
CREATE TABLE decisions (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	decided_at INTEGER NOT NULL,
	outcome TEXT NOT NULL,
	decision_json TEXT NOT NULL,
	facts_json TEXT,
	superseded_at INTEGER
);
CREATE INDEX decisions_case ON decisions(case_id, id);

-- Why a case waits, for the person to read ("waiting for the tax register").
ALTER TABLE cases ADD COLUMN waiting_for TEXT;
