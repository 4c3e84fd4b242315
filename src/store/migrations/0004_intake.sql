-- 0004: where a case came in from, so that a mass intake can be resumed.

-- A case taken in by `stipend batch` carries its intake tag: the run's key
-- (a hash of the intake file, or the register and school year) and the
-- line or person it came from, "batch:<key>:<line>". The tag is written in
-- the same transaction as the case, and a tag can be stored only once, so
-- that a batch killed and run again skips what is stored and never stores
-- a line twice. Cases from the portal have none.
ALTER TABLE cases ADD COLUMN intake TEXT;
CREATE UNIQUE INDEX cases_intake ON cases(intake) WHERE intake IS NOT NULL;
