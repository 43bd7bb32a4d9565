-- AppSec+ webhooks (issue 15 item 6): subscriptions per tenant and the durable outbox of
-- their deliveries. An event is written as one `webhook_deliveries` row per subscription
-- before anyone sends it; a sender leases a due row (`lease_owner`, `lease_expires_at`,
-- like `reports`) and records each try on it, so the row is both the outbox and the
-- delivery log, and a delivery in flight when its server dies is sent again once the
-- lease expires. `secret_sealed` is the signing secret sealed with the server key.
CREATE TABLE webhooks (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    status TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhooks_org ON webhooks(org_id, name);

CREATE TABLE webhook_deliveries (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    webhook_id UUID NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id UUID NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_attempt_at BIGINT,
    response_status INTEGER,
    last_error TEXT,
    delivered_at BIGINT,
    replay_of UUID,
    lease_owner TEXT,
    lease_expires_at BIGINT
);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(org_id, webhook_id, created_at, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
