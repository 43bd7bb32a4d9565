-- The audit log (issue 14, item 4): one append-only row per mutation on either API, read
-- newest first by keyset (org_id, at, id); purged by age (the server's retention setting).
-- No foreign key on the actor: an entry outlives the key or user that acted.
CREATE TABLE audit_log (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor_id UUID NOT NULL,
    actor_kind TEXT NOT NULL,
    credential TEXT,
    action TEXT NOT NULL,
    method TEXT NOT NULL,
    route TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    status BIGINT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    request_id TEXT NOT NULL,
    changes TEXT
);
CREATE INDEX audit_log_org_at ON audit_log(org_id, at DESC, id DESC);
CREATE INDEX audit_log_at ON audit_log(at);

-- Exports of the audit log (JSONL or CSV), generated when asked and kept until they expire.
CREATE TABLE audit_exports (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    requested_by UUID NOT NULL,
    format TEXT NOT NULL,
    from_at BIGINT,
    to_at BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    content BYTEA NOT NULL
);
CREATE INDEX audit_exports_expires ON audit_exports(expires_at);
