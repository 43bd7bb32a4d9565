-- Scans, the job queue the embedded engine's workers lease from, vulnerabilities and
-- their discoveries, and the batch ids that make finding ingestion idempotent.

CREATE TABLE scans (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id BLOB NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    scan_config_id BLOB NOT NULL,
    submitter_type TEXT NOT NULL,
    submitter_id BLOB NOT NULL,
    submit_time INTEGER NOT NULL,
    completion_time INTEGER,
    status TEXT NOT NULL,
    failure_reason TEXT,
    scan_type TEXT NOT NULL,
    parent_scan_id BLOB
);
CREATE INDEX scans_org_app ON scans(org_id, app_id);
CREATE INDEX scans_org_submit ON scans(org_id, submit_time, id);

CREATE TABLE scan_jobs (
    scan_id BLOB PRIMARY KEY REFERENCES scans(id) ON DELETE CASCADE,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    heartbeat_at INTEGER,
    pending_action TEXT,
    checkpoint TEXT,
    enqueued_at INTEGER NOT NULL
);
CREATE INDEX scan_jobs_state ON scan_jobs(state, enqueued_at);

CREATE TABLE vulnerabilities (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id BLOB NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    module_id BLOB NOT NULL,
    root_cause_url TEXT NOT NULL,
    root_cause_parameter TEXT NOT NULL DEFAULT '',
    root_cause_method TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    first_discovered INTEGER NOT NULL,
    last_discovered INTEGER NOT NULL,
    newly_discovered INTEGER NOT NULL,
    vulnerability_score REAL,
    UNIQUE (app_id, module_id, root_cause_url, root_cause_parameter, root_cause_method)
);
CREATE INDEX vulnerabilities_org_app ON vulnerabilities(org_id, app_id);

CREATE TABLE vulnerability_discoveries (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    vulnerability_id BLOB NOT NULL REFERENCES vulnerabilities(id) ON DELETE CASCADE,
    scan_id BLOB NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    discovered INTEGER NOT NULL,
    UNIQUE (vulnerability_id, scan_id)
);
CREATE INDEX vulnerability_discoveries_scan ON vulnerability_discoveries(scan_id);

CREATE TABLE finding_batches (
    scan_id BLOB NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    batch_id TEXT NOT NULL,
    PRIMARY KEY (scan_id, batch_id)
);
