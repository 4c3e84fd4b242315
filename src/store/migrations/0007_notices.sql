-- 0007: notices of new letters. Each attempt at sending a letter's notice
-- is kept (when, by which channel, what came of it, and the failure without
-- the address); the letter itself carries the outcome (letters.notice_status)
-- and an attempt with result 'sent' says when it went.
CREATE TABLE notice_attempts (
	letter_id INTEGER NOT NULL REFERENCES letters(id),
	attempt INTEGER NOT NULL CHECK (attempt >= 1),
	at INTEGER NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	result TEXT NOT NULL CHECK (result IN ('sent', 'retry', 'failed', 'bounced')),
	error TEXT,
	PRIMARY KEY (letter_id, attempt)
) WITHOUT ROWID;
