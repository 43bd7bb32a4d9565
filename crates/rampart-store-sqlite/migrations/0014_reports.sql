-- Server-side reports (reference §3.10, issue 13): one row per requested report, its
-- parameters, its status and, once COMPLETE, its content (lists and searches never select
-- `content`). Generation is leased like `scan_jobs`: a replica claims a PROCESSING row
-- whose lease is free or expired (`lease_owner`, `lease_expires_at`, `attempts`), so a
-- report being generated when its server dies is generated again by another (or the
-- restarted) one. `app_id` is the app the report is about (none for all-apps reports);
-- deleting the app deletes its reports.
CREATE TABLE reports (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    format TEXT NOT NULL,
    owner_id BLOB NOT NULL,
    app_id BLOB REFERENCES apps(id) ON DELETE CASCADE,
    scan_id BLOB,
    parameters TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    created_at INTEGER NOT NULL,
    generated_date INTEGER,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    content BLOB
);
CREATE INDEX reports_org_generated ON reports(org_id, generated_date, id);
CREATE INDEX reports_processing ON reports(status, created_at) WHERE status = 'PROCESSING';
