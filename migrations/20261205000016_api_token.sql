-- Personal access tokens of the open API (issue 14). An administrator creates one for an
-- account, so for that account's unit and its subtree of the reporting chain, limited to the
-- scopes named, valid until an expiry. Only the SHA-256 of the secret is kept; the secret is
-- shown once, when the token is created.
CREATE TABLE api_token (
    token_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES app_user (user_id),
    name TEXT NOT NULL,
    -- the scopes, space-separated ('units:read filings:read')
    scopes TEXT NOT NULL,
    -- hex SHA-256 of the secret part of the token
    secret_hash TEXT NOT NULL,
    -- the administrator who made it; NULL: made on the command line
    created_by TEXT REFERENCES app_user (user_id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT REFERENCES app_user (user_id),
    last_used_at TEXT
);

CREATE INDEX api_token_by_user ON api_token (user_id);
