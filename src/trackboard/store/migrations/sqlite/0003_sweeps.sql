-- Local sweeps: the sweep with its configuration and state, and the claims by which agents
-- take a run's parameters atomically (one row per run the sweep handed out).

CREATE TABLE sweeps (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    sweep_id TEXT NOT NULL,
    config TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (entity, project, sweep_id)
);

CREATE TABLE sweep_claims (
    sweep_pk INTEGER NOT NULL REFERENCES sweeps (pk),
    run_id TEXT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    heartbeat_at REAL NOT NULL,
    PRIMARY KEY (sweep_pk, run_id)
) WITHOUT ROWID;
