-- App files (reference §3.9, issue 12): metadata and content (NULL until uploaded) in one
-- row; lists and searches never select `content`. Names are unique per app; deleting an
-- app deletes its files. Scan configs name files by name in their options, so deleting a
-- file leaves the options as they are (the config then reports an error).
CREATE TABLE files (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    app_id BLOB NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    type TEXT NOT NULL,
    locked BOOLEAN NOT NULL,
    owner_id BLOB NOT NULL,
    last_updated_by BLOB NOT NULL,
    last_updated INTEGER NOT NULL,
    size INTEGER,
    content BLOB,
    UNIQUE (app_id, name)
);
CREATE INDEX files_org_name ON files(org_id, name, id);
