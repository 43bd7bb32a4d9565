-- OAuth 2.0 client credentials (secret stored as a SHA-256 hash), the access-token
-- signing keys (private part sealed with the server's secret key), revoked token ids,
-- and the rate-limit windows every replica shares.
CREATE TABLE oauth_clients (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    principal_id BLOB NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX oauth_clients_org ON oauth_clients(org_id, created_at, id);

CREATE TABLE oauth_signing_keys (
    kid TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sign_until INTEGER NOT NULL,
    verify_until INTEGER NOT NULL
);

CREATE TABLE oauth_revoked_tokens (
    jti TEXT PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

-- One row per bucket (tenant or credential): its current fixed window and hits.
CREATE TABLE rate_limit_windows (
    bucket TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits INTEGER NOT NULL
);
