-- Scan events (engine and platform logs), the latest execution counters of each scan,
-- and the vulnerability subset of a specialized scan.

ALTER TABLE scans ADD COLUMN vulnerability_ids TEXT NOT NULL DEFAULT '[]';

CREATE TABLE scan_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    scan_id BLOB NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    time INTEGER NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX scan_events_scan ON scan_events(scan_id, kind, time, seq);

CREATE TABLE scan_execution_details (
    scan_id BLOB PRIMARY KEY REFERENCES scans(id) ON DELETE CASCADE,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    logged_in INTEGER NOT NULL,
    links_in_queue INTEGER NOT NULL,
    links_crawled INTEGER NOT NULL,
    attacks_in_queue INTEGER NOT NULL,
    attacked INTEGER NOT NULL,
    vulnerable INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    failed_requests INTEGER NOT NULL,
    network_speed INTEGER NOT NULL,
    drip_delay INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
