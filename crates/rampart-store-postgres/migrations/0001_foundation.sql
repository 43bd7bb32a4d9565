-- Tenancy, principals and credentials.
CREATE TABLE organizations (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Users, service accounts and each organization's own principal (id = org id).
CREATE TABLE principals (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    email TEXT,
    name TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX principals_org_email ON principals(org_id, email);

-- Identity groups (AppSec+): principals belong to groups, groups get app access.
CREATE TABLE identity_groups (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE TABLE group_members (
    org_id UUID NOT NULL,
    group_id UUID NOT NULL REFERENCES identity_groups(id) ON DELETE CASCADE,
    principal_id UUID NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, principal_id)
);

-- Credentials: API keys (and later OAuth client secrets) store a hash and a prefix only.
CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    principal_id UUID NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Inventory.
CREATE TABLE apps (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE INDEX apps_org_name ON apps(org_id, name, id);

-- App access: a principal or an identity group (subject_id) granted on an app.
CREATE TABLE app_members (
    org_id UUID NOT NULL,
    app_id UUID NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    principal_id UUID NOT NULL,
    PRIMARY KEY (app_id, principal_id)
);
CREATE INDEX app_members_principal ON app_members(principal_id, app_id);

CREATE TABLE tags (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    creator_id UUID NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE app_tags (
    org_id UUID NOT NULL,
    app_id UUID NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    tag_id UUID NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (app_id, tag_id)
);

CREATE TABLE targets (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    scanned BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, domain)
);

CREATE TABLE attack_templates (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    system_defined BOOLEAN NOT NULL,
    browser_encoding_enabled BOOLEAN NOT NULL,
    attack_prioritization TEXT NOT NULL,
    advanced_attacks_enabled BOOLEAN NOT NULL,
    false_positive_regex TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE attack_template_modules (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL,
    template_id UUID NOT NULL REFERENCES attack_templates(id) ON DELETE CASCADE,
    module_id UUID NOT NULL,
    enabled BOOLEAN NOT NULL,
    parameter_locations TEXT NOT NULL,
    severity TEXT NOT NULL,
    max_findings BIGINT NOT NULL,
    UNIQUE (template_id, module_id)
);

CREATE TABLE scan_configs (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id UUID NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    attack_template_id UUID NOT NULL REFERENCES attack_templates(id) ON DELETE RESTRICT,
    incremental BOOLEAN NOT NULL,
    assignment_type TEXT NOT NULL,
    assignment_id UUID,
    assignment_environment TEXT NOT NULL,
    options TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX scan_configs_org_app ON scan_configs(org_id, app_id);
