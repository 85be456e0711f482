-- Archived runs and projects (hidden by default, kept whole), and workspace views saved on
-- the server per project. A view's settings are the dashboard's JSON, opaque to the store.

ALTER TABLE projects ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;

ALTER TABLE runs ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;

CREATE TABLE workspace_views (
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (entity, project, name)
) WITHOUT ROWID;
