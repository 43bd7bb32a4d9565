-- Engine groups, remote scan engines and their credentials (issue 6). An engine's
-- status is derived from its last heartbeat and is not stored. scan_jobs gains the
-- engine group a job is assigned to (NULL: CLOUD, the server's embedded engines).

CREATE TABLE engine_groups (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE engines (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- NULL: the conceptual Default group.
    engine_group_id UUID REFERENCES engine_groups(id),
    auto_upgrade BOOLEAN NOT NULL,
    version TEXT,
    last_heartbeat_at BIGINT,
    active_scans INTEGER NOT NULL DEFAULT 0,
    failure_reason TEXT,
    upgrade_requested BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE INDEX engines_org_group ON engines(org_id, engine_group_id);

-- One credential per engine: the SHA-256 of the token, a prefix, and the token sealed
-- with the server's secret key (never the token in clear).
CREATE TABLE engine_credentials (
    engine_id UUID PRIMARY KEY REFERENCES engines(id) ON DELETE CASCADE,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

ALTER TABLE scan_jobs ADD COLUMN engine_group_id UUID;
CREATE INDEX scan_jobs_group ON scan_jobs(engine_group_id, state, enqueued_at);
