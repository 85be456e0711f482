-- Projects, runs, ingest cursors, the key dictionary, and the series tables: chunks of raw
-- points, the LOD pyramid of block aggregates and one summary row per (run, key).

CREATE TABLE projects (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (entity, name)
);

CREATE TABLE runs (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk INTEGER NOT NULL REFERENCES projects (pk),
    run_id TEXT NOT NULL,
    name TEXT,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    heartbeat_at REAL,
    finished_at REAL,
    runtime REAL NOT NULL,
    exit_code INTEGER,
    run_group TEXT,
    job_type TEXT,
    tags TEXT NOT NULL,
    notes TEXT,
    host TEXT,
    pid INTEGER,
    program TEXT,
    args TEXT NOT NULL,
    sweep_id TEXT,
    last_step INTEGER,
    config TEXT NOT NULL,
    summary TEXT NOT NULL,
    metrics TEXT NOT NULL,
    UNIQUE (project_pk, run_id)
);

CREATE INDEX runs_by_created ON runs (project_pk, created_at, pk);

CREATE TABLE run_cursors (
    run_pk INTEGER NOT NULL,
    session TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (run_pk, session)
) WITHOUT ROWID;

CREATE TABLE history_keys (
    key_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE run_keys (
    run_pk INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    PRIMARY KEY (run_pk, key_id)
) WITHOUT ROWID;

CREATE TABLE series_summary (
    run_pk INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    count INTEGER NOT NULL,
    first_step INTEGER NOT NULL,
    last_step INTEGER NOT NULL,
    last_value REAL,
    last_wall REAL,
    vmin REAL,
    vmax REAL,
    vsum REAL NOT NULL,
    finite_n INTEGER NOT NULL,
    nan_n INTEGER NOT NULL,
    posinf_n INTEGER NOT NULL,
    neginf_n INTEGER NOT NULL,
    sealed_to INTEGER NOT NULL,
    tail_n INTEGER NOT NULL,
    PRIMARY KEY (run_pk, key_id)
) WITHOUT ROWID;

CREATE TABLE series_chunks (
    run_pk INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    step_min INTEGER NOT NULL,
    sealed INTEGER NOT NULL,
    n INTEGER NOT NULL,
    step_max INTEGER NOT NULL,
    wall_min REAL,
    wall_max REAL,
    vmin REAL,
    vmax REAL,
    vsum REAL NOT NULL,
    finite_n INTEGER NOT NULL,
    nan_n INTEGER NOT NULL,
    posinf_n INTEGER NOT NULL,
    neginf_n INTEGER NOT NULL,
    steps BLOB NOT NULL,
    vals BLOB NOT NULL,
    walls BLOB NOT NULL,
    PRIMARY KEY (run_pk, key_id, step_min)
);

CREATE INDEX series_chunks_tail ON series_chunks (run_pk, key_id, step_min) WHERE sealed = 0;

CREATE TABLE series_lod (
    run_pk INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    block_size INTEGER NOT NULL,
    step_min INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (run_pk, key_id, block_size, step_min)
);

CREATE TABLE history_other (
    run_pk INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_pk, key_id, step)
);

CREATE INDEX history_other_by_step ON history_other (run_pk, step);
