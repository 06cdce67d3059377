-- Drill-down to a row (scope::units_with_unmet_row) reads the answers 不落实 of one row.
-- Index only those: the full (row_id, answer) index of migration 10 put every answer of a
-- filing in its own leaf page, about 15 pages written per submission; most answers are
-- 落实 and never read this way (issue 13, bench: 0.53 → 0.15 ms per filing's answers in
-- SQLite). The query names the answer as a literal, as a partial index needs on both
-- databases.
DROP INDEX filing_answer_by_row;
CREATE INDEX filing_answer_unmet_by_row ON filing_answer (row_id, filing_id) WHERE answer = 'not_done';
