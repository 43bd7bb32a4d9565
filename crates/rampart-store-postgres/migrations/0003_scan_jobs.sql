-- Scan events (engine and platform logs), the latest execution counters of each scan,
-- and the vulnerability subset of a specialized scan.

ALTER TABLE scans ADD COLUMN vulnerability_ids TEXT NOT NULL DEFAULT '[]';

CREATE TABLE scan_events (
    seq BIGSERIAL PRIMARY KEY,
    scan_id UUID NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    time BIGINT NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX scan_events_scan ON scan_events(scan_id, kind, time, seq);

CREATE TABLE scan_execution_details (
    scan_id UUID PRIMARY KEY REFERENCES scans(id) ON DELETE CASCADE,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    logged_in BOOLEAN NOT NULL,
    links_in_queue BIGINT NOT NULL,
    links_crawled BIGINT NOT NULL,
    attacks_in_queue BIGINT NOT NULL,
    attacked BIGINT NOT NULL,
    vulnerable BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    failed_requests BIGINT NOT NULL,
    network_speed BIGINT NOT NULL,
    drip_delay BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
