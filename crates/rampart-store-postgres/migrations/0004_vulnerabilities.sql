-- Vulnerabilities beyond the groundwork: variances, CVSS vector, the severity rank (so that
-- the default sort, severity DESC, walks an index), change history and comments.

ALTER TABLE vulnerabilities ADD COLUMN severity_rank BIGINT NOT NULL DEFAULT 0;
UPDATE vulnerabilities SET severity_rank = CASE severity
    WHEN 'SAFE' THEN 0 WHEN 'INFORMATIONAL' THEN 1 WHEN 'LOW' THEN 2
    WHEN 'MEDIUM' THEN 3 WHEN 'HIGH' THEN 4 WHEN 'CRITICAL' THEN 5 ELSE 0 END;
ALTER TABLE vulnerabilities ADD COLUMN vector_string TEXT;
-- The variances of the latest scan that found the vulnerability, as a JSON array.
ALTER TABLE vulnerabilities ADD COLUMN variances TEXT NOT NULL DEFAULT '[]';
ALTER TABLE vulnerabilities ADD COLUMN updated_time BIGINT NOT NULL DEFAULT 0;
UPDATE vulnerabilities SET updated_time = last_discovered;

-- GET /vulnerabilities (default sort severity DESC, id ASC).
CREATE INDEX vulnerabilities_org_rank ON vulnerabilities(org_id, severity_rank DESC, id);
-- vulnerability.scans.id = '…': the scan's discoveries, covering the vulnerability id.
DROP INDEX vulnerability_discoveries_scan;
CREATE INDEX vulnerability_discoveries_scan ON vulnerability_discoveries(scan_id, vulnerability_id);
-- A vulnerability's discoveries, newest first.
CREATE INDEX vulnerability_discoveries_vuln ON vulnerability_discoveries(vulnerability_id, discovered);

CREATE TABLE vulnerability_updates (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    vulnerability_id UUID NOT NULL REFERENCES vulnerabilities(id) ON DELETE CASCADE,
    create_time BIGINT NOT NULL,
    source_type TEXT NOT NULL,
    source_id UUID NOT NULL,
    -- JSON array of {field, previous_value, new_value}.
    changes TEXT NOT NULL
);
CREATE INDEX vulnerability_updates_vuln ON vulnerability_updates(vulnerability_id, create_time);

CREATE TABLE vulnerability_comments (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    vulnerability_id UUID NOT NULL REFERENCES vulnerabilities(id) ON DELETE CASCADE,
    author_id UUID NOT NULL,
    last_update_author_id UUID NOT NULL,
    content TEXT NOT NULL,
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL
);
CREATE INDEX vulnerability_comments_vuln ON vulnerability_comments(vulnerability_id, create_time);
