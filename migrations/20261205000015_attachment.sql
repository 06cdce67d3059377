-- Attachments (issue 14): the sealed, signed paper copy of a filing version (单位（盖章）),
-- scanned as PDF or image, kept in the database so that backups carry them. The type is
-- what the content is (checked on upload); the unit is the filing's, for access.
CREATE TABLE attachment (
    attachment_id TEXT PRIMARY KEY,
    filing_id TEXT NOT NULL REFERENCES filing (filing_id),
    unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES app_user (user_id),
    uploaded_at TEXT NOT NULL
);

CREATE INDEX attachment_by_filing ON attachment (filing_id);
