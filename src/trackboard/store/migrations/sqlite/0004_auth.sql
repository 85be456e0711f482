-- Access for the team server: users and teams share one namespace (a name is an entity, so
-- one table with a kind keeps names unique across both), team members, API keys and dashboard
-- sessions (only SHA-256 hashes of their secrets), and a project's visibility.

CREATE TABLE entities (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);

CREATE TABLE team_members (
    team_pk INTEGER NOT NULL REFERENCES entities (pk),
    user_pk INTEGER NOT NULL REFERENCES entities (pk),
    PRIMARY KEY (team_pk, user_pk)
) WITHOUT ROWID;

CREATE INDEX team_members_by_user ON team_members (user_pk, team_pk);

CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    user_pk INTEGER NOT NULL REFERENCES entities (pk),
    description TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_used_at REAL,
    revoked_at REAL
) WITHOUT ROWID;

CREATE INDEX api_keys_by_user ON api_keys (user_pk, created_at);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_pk INTEGER NOT NULL REFERENCES entities (pk),
    csrf_token TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_by_expiry ON sessions (expires_at);

ALTER TABLE projects ADD COLUMN visibility TEXT NOT NULL DEFAULT 'private';
