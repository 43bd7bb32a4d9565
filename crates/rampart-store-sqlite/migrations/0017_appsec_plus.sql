-- AppSec+ (issue 15): an application's profile lives on the one apps table (an AppSec+
-- application is an /ias/v1 app), imported scans and their findings get their own tables
-- (an imported finding has no engine module and no HTTP root cause, the identity of an
-- /ias/v1 vulnerability).
ALTER TABLE apps ADD COLUMN criticality TEXT NOT NULL DEFAULT 'medium';
ALTER TABLE apps ADD COLUMN owner TEXT;
ALTER TABLE apps ADD COLUMN repo_url TEXT;
ALTER TABLE apps ADD COLUMN service_url TEXT;
ALTER TABLE apps ADD COLUMN language TEXT;
ALTER TABLE apps ADD COLUMN business_unit TEXT;
ALTER TABLE apps ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;

CREATE TABLE plus_scans (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id BLOB NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    scan_type TEXT NOT NULL,
    tools TEXT NOT NULL,
    format TEXT NOT NULL,
    triggered_by TEXT,
    summary TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX plus_scans_app ON plus_scans(org_id, app_id, created_at);

CREATE TABLE plus_findings (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id BLOB NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    scan_id BLOB NOT NULL,
    scan_type TEXT NOT NULL,
    tool TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    severity TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    status TEXT NOT NULL,
    cwe TEXT,
    cve TEXT,
    cvss_score REAL,
    location TEXT,
    remediation TEXT,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (org_id, app_id, scan_type, tool, fingerprint)
);
CREATE INDEX plus_findings_list ON plus_findings(org_id, first_seen, id);
CREATE INDEX plus_findings_app ON plus_findings(org_id, app_id, status);

-- Gate policies: conditions as JSON (rampart_domain::GateConditions).
CREATE TABLE plus_policies (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    action TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    conditions TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (org_id, name)
);
