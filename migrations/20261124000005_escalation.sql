-- The escalation ladder of 昆政办〔2010〕106号 (警示管理): proposals the system makes from the
-- filings, escalations office staff issue (提示 第四条, 告知 第五条, 告诫 第六条, 公开 第七条,
-- 专报 第八条), the targets' replies and 第九条 rectification reports, and accidents entered by
-- staff (第六条（一）（二）).

-- One escalation: a proposal until staff issue or dismiss it; once issued, a numbered document.
CREATE TABLE escalation (
    escalation_id TEXT PRIMARY KEY,
    -- proposed (by the system, awaiting staff) → issued | dismissed; issued → closed
    status TEXT NOT NULL CHECK (status IN ('proposed', 'dismissed', 'issued', 'closed')),
    -- 'proposal': made by the system from the data; 'manual': issued by staff by hand
    origin TEXT NOT NULL CHECK (origin IN ('proposal', 'manual')),
    -- the rung (domain::ladder::Rung::code)
    rung TEXT NOT NULL CHECK (rung IN ('prompt', 'notification', 'admonition', 'disclosure', 'special_report')),
    -- the safety committee office issuing it (第二条), and the unit it is against
    issuer_unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    target_unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    -- the period whose facts it rests on, if any ('2026-Y')
    period_key TEXT,
    -- the findings, as JSON (a list of domain::ladder::Reason: evidence, clause, key)
    evidence_json TEXT NOT NULL DEFAULT '[]',
    -- the findings' keys, one per line, so that a finding is not escalated twice
    evidence_keys TEXT NOT NULL DEFAULT '',
    -- the wording staff give the document: reasons, and the measures required of the target
    reasons TEXT NOT NULL DEFAULT '',
    measures TEXT NOT NULL DEFAULT '',
    -- the document number once issued (五华区安委办告诫〔2027〕3号), and its parts
    number TEXT UNIQUE,
    number_year BIGINT,
    number_seq BIGINT,
    -- the Kunming date by which the target must reply (for a 告诫, its 第九条 report: issue + 15)
    reply_due TEXT,
    proposed_at TEXT,
    issued_at TEXT,
    issued_by TEXT REFERENCES app_user (user_id),
    acknowledged_at TEXT,
    acknowledged_by TEXT REFERENCES app_user (user_id),
    dismissed_at TEXT,
    dismissed_by TEXT REFERENCES app_user (user_id),
    dismiss_reason TEXT NOT NULL DEFAULT '',
    -- closed by the issuer: answered, report accepted, or (公开) the disclosure lifted
    closed_at TEXT,
    closed_by TEXT REFERENCES app_user (user_id),
    close_reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (issuer_unit_id, rung, number_year, number_seq),
    CHECK (status = 'proposed' OR status = 'dismissed' OR number IS NOT NULL),
    CHECK (status <> 'dismissed' OR dismiss_reason <> '')
);

CREATE INDEX escalation_by_target ON escalation (target_unit_id, status);
CREATE INDEX escalation_by_issuer ON escalation (issuer_unit_id, status);

-- A target's reply to an escalation, or its 第九条 rectification report after a 告诫, and
-- the issuer's decision on it.
CREATE TABLE escalation_response (
    escalation_response_id TEXT PRIMARY KEY,
    escalation_id TEXT NOT NULL REFERENCES escalation (escalation_id),
    -- 'report': the 第九条 report on measures taken; 'reply': an answer to any other rung
    kind TEXT NOT NULL CHECK (kind IN ('reply', 'report')),
    body TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES app_user (user_id),
    -- the issuer's decision: accepted (备案), or more asked for; NULL while waiting
    decision TEXT CHECK (decision IN ('accepted', 'more_requested')),
    decision_note TEXT NOT NULL DEFAULT '',
    decided_at TEXT,
    decided_by TEXT REFERENCES app_user (user_id)
);

CREATE INDEX escalation_response_by_escalation ON escalation_response (escalation_id, submitted_at);

-- An accident in a unit, entered by staff (第六条（一）（二）: one larger accident, or two or more
-- ordinary accidents within a month, call for a 告诫).
CREATE TABLE accident (
    accident_id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    -- the Kunming date it happened
    occurred_on TEXT NOT NULL,
    -- 1: 较大以上 (larger or worse, 国务院令第493号 第三条); 0: 一般 (ordinary)
    larger BIGINT NOT NULL DEFAULT 0 CHECK (larger IN (0, 1)),
    description TEXT NOT NULL,
    entered_by TEXT NOT NULL REFERENCES app_user (user_id),
    entered_at TEXT NOT NULL
);

CREATE INDEX accident_by_unit ON accident (unit_id, occurred_on);

-- When the proposals of an office were last worked out (after a window closes, daily, and on
-- demand), so that the automatic run happens once per Kunming day.
CREATE TABLE proposal_run (
    issuer_unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    -- the Kunming date of the run
    ran_on TEXT NOT NULL,
    ran_at TEXT NOT NULL,
    -- proposals added by the run
    added BIGINT NOT NULL,
    PRIMARY KEY (issuer_unit_id, ran_on)
);
