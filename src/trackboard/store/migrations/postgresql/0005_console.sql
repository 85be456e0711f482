-- Console output: the lines a run printed, numbered from 1 per run. ``text`` is the line as
-- printed (ANSI sequences kept for the dashboard), ``plain`` the same without them (searched).

CREATE TABLE console_lines (
    run_pk BIGINT NOT NULL,
    n BIGINT NOT NULL,
    logged_at DOUBLE PRECISION NOT NULL,
    stream TEXT NOT NULL,
    text TEXT NOT NULL,
    plain TEXT NOT NULL,
    PRIMARY KEY (run_pk, n)
);
