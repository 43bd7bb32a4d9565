-- AppSec+ triage policies, SLA breach events and integration connectors (issue 15).
-- `triage_records`: every status change a triage policy made (the audit trail; what the
-- policy's expiry undoes). No foreign key to the policy: the trail outlives it.
CREATE TABLE triage_records (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    policy_id BLOB NOT NULL,
    policy_name TEXT NOT NULL,
    finding_id BLOB NOT NULL,
    previous_status TEXT NOT NULL,
    status TEXT NOT NULL,
    justification TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    ended_at INTEGER,
    end_kind TEXT
);
CREATE INDEX triage_records_policy ON triage_records(org_id, policy_id, applied_at, id);
CREATE INDEX triage_records_open ON triage_records(org_id, policy_id) WHERE ended_at IS NULL;

-- `sla_breaches`: the breaches already announced (`sla.breached` is sent once per finding
-- and due date; a compare-and-set insert, so two replicas cannot both send it).
CREATE TABLE sla_breaches (
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    finding_id BLOB NOT NULL,
    due_at INTEGER NOT NULL,
    noticed_at INTEGER NOT NULL,
    PRIMARY KEY (finding_id, due_at)
);

-- AppSec+ integration connectors (issue 15 item 5; agents are the `engines` table).
-- `config`: the non-secret members (JSON); `secrets_sealed`: the secret members as one
-- JSON object sealed with the server key; `secret_names`: which secret members are set.
CREATE TABLE connectors (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    config TEXT NOT NULL,
    secrets_sealed TEXT,
    secret_names TEXT NOT NULL,
    last_sync_at INTEGER,
    last_error_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX connectors_name ON connectors(org_id, name);
