-- 0018: the support centre's upkeep (issue #14, its open points): the
-- agencies get an English name and can be retired like topics (a retired
-- agency or topic is no longer offered, old inquiries keep it), and an
-- FAQ answer's link sent to a caller is recorded with where it went.

ALTER TABLE support_agencies ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE support_agencies ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
UPDATE support_agencies SET name_en = name WHERE name_en = '';

-- An FAQ answer's link an agent sent to a caller: to an identified
-- person's mailbox (a letter, with the usual notice) or to an anonymous
-- caller's e-mail address (sent over SMTP before this row is written), in
-- the language it was written in. The inquiry it belongs to is logged with
-- it (outcome self-service, the link given).
CREATE TABLE faq_sends (
	id INTEGER PRIMARY KEY,
	inquiry_id INTEGER NOT NULL REFERENCES inquiries(id),
	faq_id INTEGER NOT NULL REFERENCES faq_entries(id),
	channel TEXT NOT NULL CHECK (channel IN ('mailbox', 'email')),
	person_id INTEGER REFERENCES persons(id),
	letter_id INTEGER REFERENCES letters(id),
	email TEXT,
	lang TEXT NOT NULL CHECK (lang IN ('nb', 'en')),
	staff_id INTEGER NOT NULL REFERENCES staff(id),
	sent_at INTEGER NOT NULL,
	CHECK ((channel = 'mailbox') = (person_id IS NOT NULL AND letter_id IS NOT NULL AND email IS NULL)),
	CHECK ((channel = 'email') = (email IS NOT NULL AND letter_id IS NULL))
);
CREATE INDEX faq_sends_inquiry ON faq_sends(inquiry_id);
