-- Incremental proposals (issue 13): an office's run weighs again only the units whose facts
-- changed since its last completed run, or whose situation turned with the date (a reply
-- falling overdue, an accident's day coming), instead of every unit it looks after.

-- What an office's last completed run weighed: the period, and the instant (the server's
-- clock) before its facts were read. Written in the run's own transaction, with its proposals.
CREATE TABLE proposal_mark (
    issuer_unit_id TEXT PRIMARY KEY REFERENCES unit (unit_id),
    period_key TEXT NOT NULL,
    weighed_at TEXT NOT NULL
);

-- How many units a run weighed (all of the office's on a first run or a new period).
ALTER TABLE proposal_run ADD COLUMN weighed BIGINT NOT NULL DEFAULT 0;

-- The changes a run looks for: filings submitted, saved or reviewed (a review sets the
-- filing's updated_at), issued or closed escalations changed (issue, reply, decision and
-- close all set updated_at), units created.
CREATE INDEX filing_by_change ON filing (period_key, updated_at);
CREATE INDEX escalation_by_change ON escalation (status, updated_at);
CREATE INDEX unit_by_creation ON unit (created_at);

-- Filings found untrue (第七条（五）), read by every run: without it SQLite went through every
-- filing of the period to find the few reviews that say so (0.65 s an office at 100k).
CREATE INDEX filing_review_untrue ON filing_review (filing_id) WHERE untrue = 1;
