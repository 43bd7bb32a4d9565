-- Blackouts (quiet windows, issue 12): per app (app_id set, scope APP) or for the whole
-- organization (app_id NULL, scope GLOBAL). The time forms are kept as sent (a zone in
-- brackets included) so occurrences are computed in that zone; `active` is derived at read
-- time and never stored. blackout_pauses remembers which running scans a blackout paused,
-- so the enforcer resumes exactly those after the window, even across a restart.
-- A scan waiting in BLACKED_OUT keeps its job in state HELD (never claimable).

CREATE TABLE blackouts (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id BLOB REFERENCES apps(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    first_start TEXT NOT NULL,
    first_end TEXT NOT NULL,
    last_start TEXT,
    frequency_type TEXT,
    frequency_interval INTEGER,
    rrule TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX blackouts_org_name ON blackouts(org_id, name);
CREATE INDEX blackouts_enabled ON blackouts(enabled, org_id);

CREATE TABLE blackout_pauses (
    scan_id BLOB PRIMARY KEY REFERENCES scans(id) ON DELETE CASCADE,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    paused_at INTEGER NOT NULL
);
