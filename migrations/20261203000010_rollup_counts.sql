-- Roll-up counts kept up to date (issue 13), so that a roll-up page reads tens to thousands
-- of rows instead of every answer of the period. All of them are written in the same
-- transaction as the change they count (`ssr::counts`): a unit's creation, a submission, a
-- review decision. A "cell" is a place in the chain: (county, unit kind, industry, township),
-- '' where a unit has none; every unit sits in exactly one.

-- Units per cell: the expected units of a roll-up.
CREATE TABLE unit_cell (
    county_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    industry TEXT NOT NULL,
    township_id TEXT NOT NULL,
    units BIGINT NOT NULL,
    PRIMARY KEY (county_id, kind, industry, township_id)
);

-- The latest non-draft version of each unit's filing for a period, with the cell it is
-- counted in and what it adds (the facts the roll-ups count; `domain::rollup::Tally`).
CREATE TABLE latest_filing (
    period_key TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    filing_id TEXT NOT NULL REFERENCES filing (filing_id),
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    late BIGINT NOT NULL,
    nil BIGINT NOT NULL,
    unmet_items BIGINT NOT NULL,
    county_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    industry TEXT NOT NULL,
    township_id TEXT NOT NULL,
    PRIMARY KEY (period_key, unit_id)
);
CREATE INDEX latest_filing_by_place ON latest_filing (period_key, county_id, industry, township_id);
CREATE INDEX latest_filing_by_filing ON latest_filing (filing_id);

-- Per period and cell, the sums of every latest filing's tally (t_*), and of the accepted
-- ones only (a_*: what a summary filed upward counts, 107号 四、(二) 审核、汇总后上报).
CREATE TABLE rollup_cell (
    period_key TEXT NOT NULL,
    county_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    industry TEXT NOT NULL,
    township_id TEXT NOT NULL,
    t_on_time BIGINT NOT NULL,
    t_late BIGINT NOT NULL,
    t_returned BIGINT NOT NULL,
    t_accepted BIGINT NOT NULL,
    t_nil BIGINT NOT NULL,
    t_with_unmet BIGINT NOT NULL,
    t_unmet_items BIGINT NOT NULL,
    a_on_time BIGINT NOT NULL,
    a_late BIGINT NOT NULL,
    a_returned BIGINT NOT NULL,
    a_accepted BIGINT NOT NULL,
    a_nil BIGINT NOT NULL,
    a_with_unmet BIGINT NOT NULL,
    a_unmet_items BIGINT NOT NULL,
    PRIMARY KEY (period_key, county_id, kind, industry, township_id)
);

-- Unmet binding rows (不落实) of the latest filings, per period, county, kind, industry and
-- row: all of them, and the accepted filings' only.
CREATE TABLE rollup_row (
    period_key TEXT NOT NULL,
    county_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    industry TEXT NOT NULL,
    row_id TEXT NOT NULL,
    unmet BIGINT NOT NULL,
    unmet_accepted BIGINT NOT NULL,
    PRIMARY KEY (period_key, county_id, kind, industry, row_id)
);

-- The same for enterprises in a township, per township (a township's roll-up).
CREATE TABLE rollup_township_row (
    period_key TEXT NOT NULL,
    county_id TEXT NOT NULL,
    township_id TEXT NOT NULL,
    industry TEXT NOT NULL,
    row_id TEXT NOT NULL,
    unmet BIGINT NOT NULL,
    unmet_accepted BIGINT NOT NULL,
    PRIMARY KEY (period_key, township_id, industry, row_id)
);

-- Whether the counts above have been built from the filings already in the database: a
-- database migrated from before this migration is counted once at the next start
-- (`counts::ensure_built`), in one transaction that claims this row first.
CREATE TABLE rollup_state (
    id BIGINT PRIMARY KEY,
    built BIGINT NOT NULL
);
INSERT INTO rollup_state (id, built) VALUES (1, 0);

-- Drill-down to a row reads the unmet answers of one row by index.
CREATE INDEX filing_answer_by_row ON filing_answer (row_id, answer);
