-- Filings: one unit's nine forms for one period (107号 四、五 and the nine tables).

-- One version of a unit's filing for a period. Versions count from 1; a submitted version is
-- never changed again: a change after submission is a new version, the old one kept.
CREATE TABLE filing (
    filing_id TEXT PRIMARY KEY,
    -- the filing unit (申报单位); an office files its government's forms, so this is the government
    unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    -- the period reported on: '2026-Y' (annual, filed January 2027) or '2027-H1' (filed July 2027)
    period_key TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'accepted')),
    -- 1 when submitted after the window under a late-filing exception (不及时, 106号 第七条(五))
    late BIGINT NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    -- the frame of the tables
    principal TEXT NOT NULL DEFAULT '',
    leader_in_charge TEXT NOT NULL DEFAULT '',
    filled_by TEXT NOT NULL DEFAULT '',
    reviewed_by TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    -- 申报时间: the Kunming date of submission, set by the system ('2027-01-05')
    filing_date TEXT,
    -- 1 when no binding row is 不落实 (a nil filing), computed at submission
    nil BIGINT CHECK (nil IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT REFERENCES app_user (user_id),
    submitted_at TEXT,
    submitted_by TEXT REFERENCES app_user (user_id),
    UNIQUE (unit_id, period_key, version)
);

CREATE INDEX filing_by_period ON filing (period_key, status);

-- The answer to one row (落实 / 不落实), with the explanation of an unmet item.
CREATE TABLE filing_answer (
    filing_id TEXT NOT NULL REFERENCES filing (filing_id),
    -- the row's id in the nine forms, e.g. '3.1.2'
    row_id TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('done', 'not_done')),
    -- for 不落实: what is missing and the rectification plan
    explanation TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (filing_id, row_id)
);

-- 申报说明 of one form beyond the explanations of its rows.
CREATE TABLE filing_note (
    filing_id TEXT NOT NULL REFERENCES filing (filing_id),
    form_number BIGINT NOT NULL CHECK (form_number BETWEEN 1 AND 9),
    note TEXT NOT NULL,
    PRIMARY KEY (filing_id, form_number)
);

-- A late-filing exception (补报): the supervisor allows a unit to file a period after its
-- window closed, until a given instant. Granting again replaces the terms (and is audited).
CREATE TABLE late_exception (
    unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    period_key TEXT NOT NULL,
    granted_by TEXT NOT NULL REFERENCES app_user (user_id),
    reason TEXT NOT NULL,
    -- filing is allowed before this instant (the end of the Kunming day chosen)
    valid_until TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, period_key)
);
