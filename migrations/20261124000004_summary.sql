-- Summaries (汇总) filed upward (107号 四、(二) 申报程序): each department and each county-level
-- safety committee office, having reviewed what it received, reports a summary of the accepted
-- filings below it to the office above, beside its own nine forms.

-- One version of a unit's summary for a period. Re-filing adds a version; none is changed.
CREATE TABLE summary (
    summary_id TEXT PRIMARY KEY,
    -- the reporting unit: a department, or a county-level government (filed by its office)
    unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    -- the period's key, e.g. 2026-annual, 2027-h1
    period_key TEXT NOT NULL,
    -- 1, 2, … per unit and period
    version BIGINT NOT NULL,
    -- the roll-up counts at the time of filing, as JSON (domain::rollup::Rollup), built from
    -- the accepted filings only
    content_json TEXT NOT NULL,
    -- free text the reporting unit adds (situation, measures taken)
    remarks TEXT NOT NULL DEFAULT '',
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES app_user (user_id),
    UNIQUE (unit_id, period_key, version)
);
