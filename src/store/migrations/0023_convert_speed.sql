-- 0023: an index for the conversion to grant's speed (#11: a million
-- borrowers in under two minutes).

-- `stipend convert` reads the decided cases of a scheme and school year a
-- page at a time in id order (store_loan_conv_cases). With only
-- cases_status the planner visited every decided case of every year and
-- sorted them for each page: a run over n cases cost n * n / 1000 rows.
-- Here the page is a range of this index (the id is its last column, as
-- the rowid of every index is).
CREATE INDEX cases_scheme_year ON cases(scheme, school_year, status);
