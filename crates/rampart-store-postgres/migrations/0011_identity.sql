-- Identity and access (issue 14): principal status, roles and passwords, key use and
-- revocation, identity groups with their grants of app access by tag.

-- Users and service accounts: a role (a user key never exceeds it; NULL for users made
-- before roles lived on the user), a status (a DISABLED principal's keys stop working)
-- and an optional argon2id password hash (PHC string) for the web console.
ALTER TABLE principals ADD COLUMN role TEXT;
ALTER TABLE principals ADD COLUMN status TEXT NOT NULL DEFAULT 'ACTIVE';
ALTER TABLE principals ADD COLUMN password_hash TEXT;
CREATE UNIQUE INDEX principals_org_service_account ON principals(org_id, name)
    WHERE kind = 'SERVICE_ACCOUNT';

-- When a key last authenticated a request (written at most once a minute per key).
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;
CREATE INDEX api_keys_org_principal ON api_keys(org_id, principal_id);

-- Identity groups: the AppSec+ superset (reference §1.5 C3).
ALTER TABLE identity_groups ADD COLUMN description TEXT;
ALTER TABLE identity_groups ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
ALTER TABLE identity_groups ADD COLUMN external_id TEXT;
ALTER TABLE identity_groups ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX group_members_principal ON group_members(principal_id, group_id);

-- A group granted a tag sees every app carrying that tag, now and later. (A grant of one
-- app is an app_members row whose principal_id is the group's id.)
CREATE TABLE group_tag_grants (
    org_id UUID NOT NULL,
    group_id UUID NOT NULL REFERENCES identity_groups(id) ON DELETE CASCADE,
    tag_id UUID NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, tag_id)
);
CREATE INDEX group_tag_grants_tag ON group_tag_grants(tag_id, group_id);
CREATE INDEX app_tags_tag ON app_tags(tag_id, app_id);
