-- Review of filings by the receiving unit (107号 四、(二)): accept, or return with a reason.

-- One decision on one submitted version.
CREATE TABLE filing_review (
    filing_review_id TEXT PRIMARY KEY,
    filing_id TEXT NOT NULL REFERENCES filing (filing_id),
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'return')),
    -- required when returning: what the filer must put right
    reason TEXT NOT NULL DEFAULT '',
    -- the receiving unit that decided, and who in it
    reviewer_unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    reviewed_by TEXT NOT NULL REFERENCES app_user (user_id),
    reviewed_at TEXT NOT NULL,
    CHECK (decision = 'accept' OR reason <> '')
);

CREATE INDEX filing_review_by_filing ON filing_review (filing_id, reviewed_at);
