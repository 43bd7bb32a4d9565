-- What a finished scan could not cover, as its engine reported it with its last heartbeat
-- (issue 19): the limits reached with one line each of what they left out, and the pages
-- dropped and attack jobs abandoned for want of an answer, per reason. Reports built from
-- server data read it. The lists and per-reason counts are JSON text (`["max_requests"]`,
-- `{"timeout": 3}`): read whole, never queried inside.
CREATE TABLE scan_coverage (
    scan_id BLOB PRIMARY KEY REFERENCES scans(id) ON DELETE CASCADE,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    limits_reached TEXT NOT NULL,
    limit_details TEXT NOT NULL,
    dropped TEXT NOT NULL,
    abandoned TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
