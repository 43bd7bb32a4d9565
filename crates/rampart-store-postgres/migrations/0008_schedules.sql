-- Schedules (issue 12): a scan config submitted at every occurrence of a recurrence.
-- `recurrence` is the normalized source (rampart_domain::recurrence::RecurrenceSpec as JSON);
-- `next_run_at` is the next due time, moved by compare-and-set in the transaction that
-- submits the scan (exactly-once firing); NULL while disabled or exhausted. Deleting the
-- scan config keeps the schedule (scan_config_id NULL) so it can be disabled with a reason.
CREATE TABLE schedules (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id UUID NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    scan_config_id UUID REFERENCES scan_configs(id) ON DELETE SET NULL,
    name TEXT COLLATE "C" NOT NULL,
    enabled BOOLEAN NOT NULL,
    recurrence TEXT NOT NULL,
    next_run_at BIGINT,
    last_fired_at BIGINT,
    disabled_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX schedules_org_name ON schedules(org_id, name, id);
CREATE INDEX schedules_scan_config ON schedules(scan_config_id);
CREATE INDEX schedules_due ON schedules(next_run_at) WHERE enabled;
