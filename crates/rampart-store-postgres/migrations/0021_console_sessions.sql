-- Web console sessions (issue 17). The cookie holds a random token; only its SHA-256 is
-- kept. A session signed in with an API key keeps that key's hash, so revoking the key
-- ends the session at its next request. The CSRF token is per session.
CREATE TABLE console_sessions (
    hash TEXT PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    principal_id UUID NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    key_hash TEXT,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_expires ON console_sessions(expires_at);
CREATE INDEX console_sessions_principal ON console_sessions(principal_id);
