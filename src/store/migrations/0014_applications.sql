-- 0014: one application per person, scheme and school year (#15, applying right).

-- An application made through the portal carries the intake tag
-- "application:<person>:<scheme>:<school year>#<key>", where the key is the
-- idempotency key of the form it was sent from. The tag before '#' may be
-- stored only once: a second application for the same scheme and school
-- year fails in the same transaction that would have stored it, so that two
-- requests at once never make two cases. The key after '#' tells a retried
-- or double-clicked submission of the same form (answered with the first's
-- result) from a new application (refused, with a link to the first).
CREATE UNIQUE INDEX cases_application_once ON cases(substr(intake, 1, instr(intake, '#') - 1))
  WHERE intake LIKE 'application:%';
