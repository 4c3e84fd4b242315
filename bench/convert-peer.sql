-- convert-peer.sql - the peer of `stipend convert` in bench/convert.sh: the
-- SQL text the sqlite3 shell runs to make the same reads and writes as the
-- run did, statement by statement. Run against the database after the
-- conversion; its output, run by the sqlite3 shell against the database as
-- it was before, writes the same rows with the same ids: for each page of
-- 1000 conversions a transaction and the page's read of the cases, their
-- awards and principals; for each conversion the read of the principal,
-- the entry and its legs, the letter and its audit record, the search for
-- a conversion made before, the conversion and its audit record. Not the registers, nor the rules: only the
-- storage, as SQL text statement by statement (each parsed once, where
-- stipend prepares each once a run). The run's day is the parameter :day
-- (sqlite3 -cmd ".parameter set :day \"'2025-11-01'\""). The run converts the
-- calendar year 2024: the bench's cases are all of 2024-2025, so its rows
-- are the autumn's (the spring's pass, of 2023-2024, reads an empty page),
-- and the page's read asks for each case the person's case of 2023-2024.
WITH conv AS (SELECT row_number() OVER (ORDER BY id) AS rn, * FROM loan_conversions),
last AS (SELECT max(rn) AS m FROM conv)
SELECT line FROM (
	SELECT rn, 0 AS k, 0 AS sub, 'BEGIN IMMEDIATE;' AS line FROM conv WHERE rn % 1000 = 1
	UNION ALL
	SELECT rn, 1, 0, 'SELECT c.id, c.person_id, p.nin, c.application_json, CASE WHEN json_valid(d.decision_json) '
		|| 'AND json_type(d.decision_json, ''$.awards'') = ''array'' THEN json_extract(d.decision_json, ''$.awards'') END, '
		|| '(SELECT coalesce(sum(l.amount), 0) FROM ledger_legs l WHERE l.person_id = c.person_id AND l.effective <= '
		|| quote(:day) || ' AND l.account = ''loan.principal''), '
		|| '(SELECT coalesce(json_extract(c2.application_json, ''$.education.start''), '''') || '' '' || '
		|| 'coalesce((SELECT json_extract(aw.value, ''$.months'') FROM decisions d2, '
		|| 'json_each(d2.decision_json, ''$.awards'') aw WHERE d2.case_id = c2.id AND d2.superseded_at IS NULL '
		|| 'AND json_valid(d2.decision_json) AND json_extract(aw.value, ''$.name'') = ''basic-loan''), 0) '
		|| 'FROM cases c2 INDEXED BY cases_person_year WHERE c2.person_id = c.person_id AND c2.scheme = ''higher-education'' '
		|| 'AND c2.school_year = ''2023-2024'' AND c2.status = ''decided'' AND c2.outcome IN (''granted'', ''partly-granted'') '
		|| 'ORDER BY c2.id DESC LIMIT 1) FROM cases c JOIN decisions d ON d.case_id = c.id '
		|| 'AND d.superseded_at IS NULL JOIN persons p ON p.id = c.person_id WHERE c.scheme = ''higher-education'' '
		|| 'AND c.school_year = ''2024-2025'' AND c.status = ''decided'' AND c.outcome IN (''granted'', ''partly-granted'') '
		|| 'AND c.id >= ' || case_id || ' ORDER BY c.id LIMIT 1000;'
		FROM conv WHERE rn % 1000 = 1
	UNION ALL
	SELECT rn, 2, 0, 'SELECT coalesce(sum(amount), 0) FROM ledger_legs WHERE person_id = ' || person_id
		|| ' AND account = ''loan.principal'' AND effective <= ' || quote(:day) || ';' FROM conv
	UNION ALL
	SELECT c.rn, 3, 0, 'INSERT INTO ledger_entries(id, person_id, kind, cause, effective, created_at) VALUES ('
		|| e.id || ', ' || e.person_id || ', ' || quote(e.kind) || ', ' || quote(e.cause) || ', '
		|| quote(e.effective) || ', ' || e.created_at || ');'
		FROM conv c JOIN ledger_entries e ON e.id = c.entry_id
	UNION ALL
	SELECT c.rn, 4, l.id, 'INSERT INTO ledger_legs(id, entry_id, account, person_id, effective, amount) VALUES ('
		|| l.id || ', ' || l.entry_id || ', ' || quote(l.account) || ', ' || quote(l.person_id) || ', '
		|| quote(l.effective) || ', ' || l.amount || ');'
		FROM conv c JOIN ledger_legs l ON l.entry_id = c.entry_id
	UNION ALL
	SELECT c.rn, 5, 0, 'INSERT INTO letters(id, person_id, case_id, kind, created_at, sender_unit, notice_channel, '
		|| 'notice_status) VALUES (' || t.id || ', ' || t.person_id || ', ' || quote(t.case_id) || ', '
		|| quote(t.kind) || ', ' || t.created_at || ', ' || quote(t.sender_unit) || ', '
		|| quote(t.notice_channel) || ', ' || quote(t.notice_status) || ');'
		FROM conv c JOIN letters t ON t.id = c.letter_id
	UNION ALL
	SELECT c.rn, 6 + 2 * (a.action = 'loan.converted'), 0,
		'INSERT INTO audit(seq, at, actor, action, object, detail, prev_hash, hash) VALUES (' || a.seq || ', '
		|| a.at || ', ' || quote(a.actor) || ', ' || quote(a.action) || ', ' || quote(a.object) || ', '
		|| quote(a.detail) || ', ' || quote(a.prev_hash) || ', ' || quote(a.hash) || ');'
		FROM conv c JOIN audit a ON (a.object = 'letter:' || c.letter_id AND a.action = 'letter.issued')
		OR (a.object = 'case:' || c.case_id AND a.action = 'loan.converted')
	UNION ALL
	SELECT rn, 7, 0, 'SELECT 1 FROM loan_conversions WHERE case_id = ' || case_id || ' AND (semester = ''school-year'' OR '
		|| quote(semester) || ' = ''school-year'') LIMIT 1;' FROM conv
	UNION ALL
	SELECT rn, 7, 1, 'INSERT INTO loan_conversions(id, case_id, person_id, year, convertible, income, wealth, '
		|| 'credits_tenths, expected_tenths, converted, decision_json, entry_id, letter_id, created_at, semester) VALUES ('
		|| id || ', ' || case_id || ', ' || person_id || ', ' || year || ', ' || convertible || ', ' || income
		|| ', ' || wealth || ', ' || credits_tenths || ', ' || expected_tenths || ', ' || converted || ', '
		|| quote(decision_json) || ', ' || quote(entry_id) || ', ' || quote(letter_id) || ', ' || created_at || ', '
		|| quote(semester) || ');'
		FROM conv
	UNION ALL
	SELECT rn, 9, 0, 'COMMIT;' FROM conv, last WHERE rn % 1000 = 0 OR rn = last.m
) ORDER BY rn, k, sub;
