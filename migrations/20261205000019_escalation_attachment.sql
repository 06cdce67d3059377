-- Attachments on escalation replies (issue 14): the sealed, signed paper copy of a 第九条
-- rectification report (or of a reply to any other rung), scanned as PDF or image, kept in
-- the database so that backups carry it. The same rules as a filing version's attachments
-- (`attachment`, migration 15): typed by content, size-limited, offered only as a download;
-- seen by those who see the escalation.
CREATE TABLE escalation_attachment (
    attachment_id TEXT PRIMARY KEY,
    escalation_response_id TEXT NOT NULL REFERENCES escalation_response (escalation_response_id),
    -- the escalation the reply answers, for access (its issuer, its target, those overseeing it)
    escalation_id TEXT NOT NULL REFERENCES escalation (escalation_id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES app_user (user_id),
    uploaded_at TEXT NOT NULL
);

CREATE INDEX escalation_attachment_by_response ON escalation_attachment (escalation_response_id);
