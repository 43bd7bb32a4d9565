-- Organizations administered over the API (issue 14): the operator organization (the
-- first one of an install, which `rampart server` bootstraps as `default`) may create,
-- rename and delete the others. Expired revoked-token rows are pruned by expiry.
ALTER TABLE organizations ADD COLUMN operator INTEGER NOT NULL DEFAULT 0;
UPDATE organizations SET operator = 1 WHERE id = (
    SELECT id FROM organizations ORDER BY (name = 'default') DESC, created_at, id LIMIT 1
);
CREATE INDEX oauth_revoked_tokens_expires ON oauth_revoked_tokens(expires_at);
