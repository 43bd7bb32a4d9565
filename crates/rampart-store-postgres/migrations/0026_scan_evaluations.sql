-- The gate policies' verdicts on each completed scan (issue 15: policies are evaluated on
-- scan completion). A row is written, without a verdict, before the scan completes; the
-- verdict and the scan's `policy.failed` deliveries are written together, once (a
-- compare-and-set on `verdict IS NULL`). A row still without a verdict after a crash is
-- judged by the policy duty once its scan is complete, or dropped when its scan never
-- completed. `scan_id`: an import (`plus_scans`) or an engine scan (`scans`).
CREATE TABLE scan_evaluations (
    scan_id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id UUID NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    verdict TEXT,
    policies TEXT,
    evaluated_at BIGINT
);
CREATE INDEX scan_evaluations_pending ON scan_evaluations(created_at) WHERE verdict IS NULL;
