-- A re-import writes only what changed (issue 15). An import stream is one tool's results of
-- one scan type for one application; `plus_streams` holds its latest import. A finding the
-- latest import of its stream reported (`present`) takes `scan_id` and `last_seen` from
-- the stream when read (and `updated_at` when the import is later than its own); the values
-- on the finding row hold from the moment it left the stream. Rows written before this
-- migration are not present: their stored values were written by every import, so they are
-- right until the first import of their stream marks the reported ones present again.
CREATE TABLE plus_streams (
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id UUID NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    scan_type TEXT NOT NULL,
    tool TEXT NOT NULL,
    scan_id UUID NOT NULL,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (org_id, app_id, scan_type, tool)
);
ALTER TABLE plus_findings ADD COLUMN present BOOLEAN NOT NULL DEFAULT FALSE;
