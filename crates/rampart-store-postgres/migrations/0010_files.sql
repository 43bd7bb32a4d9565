-- App files (reference §3.9, issue 12): metadata and content (NULL until uploaded) in one
-- row; lists and searches never select `content`. Names are unique per app; deleting an
-- app deletes its files. Scan configs name files by name in their options, so deleting a
-- file leaves the options as they are (the config then reports an error).
CREATE TABLE files (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id UUID NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    description TEXT,
    type TEXT NOT NULL,
    locked BOOLEAN NOT NULL,
    owner_id UUID NOT NULL,
    last_updated_by UUID NOT NULL,
    last_updated BIGINT NOT NULL,
    size BIGINT,
    content BYTEA,
    UNIQUE (app_id, name)
);
CREATE INDEX files_org_name ON files(org_id, name, id);
