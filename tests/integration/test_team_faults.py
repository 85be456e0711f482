"""Online runs survive the team server's bad days with every point stored exactly once.

Real training processes stream to a real ``trackboard server`` on PostgreSQL while something
breaks mid-stream: the server is killed with ``kill -9`` and restarted (on SQLite too),
PostgreSQL (a private cluster, DECISIONS 23) crashes and restarts, a proxy cuts requests and
answers throughout, or the training process itself is killed and ``trackboard sync`` sends the
rest. Each test ends by reading every series back from the store and comparing it with what was
logged: each step once, each value exact. Each test first checks that the fault really hit
mid-stream (part of the points stored, not all), so it cannot pass by the stream being over
before the fault.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from team_faultkit import (
    Fault,
    PrivatePostgres,
    chaos,
    fault_proxy,
    private_postgres,
    server_process,
    wait_until,
)
from team_writers import (
    Load,
    Writers,
    drain,
    exactly_once_problems,
    stored_points,
    writer_env,
)
from tests.conftest import drop_schema, pg_url, require_postgres

from trackboard.errors import StoreError
from trackboard.store import open_store
from trackboard.store.base import RunChanges, SeriesColumns

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WRITERS_S = 120
"""Bound on the writers' exit (their ``finish`` waits a bounded time for the upload)."""
DRAIN_S = 60
"""Bound on the wait for the last points after the writers exit."""


@pytest.fixture
def pg_db() -> Iterator[str]:
    """A store URL on the shared PostgreSQL server, in a schema of its own, dropped afterwards."""
    require_postgres()
    schema = f"tb_faults_{secrets.token_hex(6)}"
    try:
        yield f"{pg_url()}?schema={schema}"
    finally:
        drop_schema(schema)


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as pg:
        yield pg


def wait_mid_stream(db: str, load: Load, what: str) -> int:
    """Wait until part of the load is stored (a fifth), and check the stream is not over."""
    seen = [0]

    def started() -> bool:
        seen[0] = stored_points(db, load)
        return seen[0] >= load.points // 5

    wait_until(started, 60, f"{what}: the first points reaching the store")
    assert seen[0] < load.points, f"{what}: the stream ended before the fault; make it longer"
    return seen[0]


def finish(db: str, load: Load, writers: Writers) -> None:
    """Writers exit cleanly, the store fills within the drain bound, and holds exactly the
    logged points."""
    writers.wait(WRITERS_S)
    count = drain(db, load, DRAIN_S)
    problems = exactly_once_problems(db, load)
    assert not problems, f"{count} of {load.points} points stored:\n" + "\n".join(problems)


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_server_killed_mid_stream_then_restarted_stores_every_point_once(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    db = request.getfixturevalue("pg_db") if backend == "postgres" else str(tmp_path / "team.db")
    load = Load(f"kill{secrets.token_hex(3)}", runs=3, keys=5, steps=3000, rate=500)
    with server_process(db, tmp_path) as server:
        writers = Writers(load, tmp_path / "writers", writer_env(tmp_path / "root", server.url))
        try:
            wait_mid_stream(db, load, "before kill -9")
            server.kill()
            time.sleep(1.0)  # the writers keep logging while nothing answers
            assert not server.answers()
            server.start()
            finish(db, load, writers)
        finally:
            writers.kill()


def test_postgres_crash_and_restart_mid_stream_stores_every_point_once(
    tmp_path: Path, cluster: PrivatePostgres
) -> None:
    load = Load(f"pgcrash{secrets.token_hex(3)}", runs=3, keys=5, steps=3000, rate=500)
    db = cluster.url
    with server_process(db, tmp_path) as server:
        writers = Writers(load, tmp_path / "writers", writer_env(tmp_path / "root", server.url))
        try:
            wait_mid_stream(db, load, "before the PostgreSQL crash")
            cluster.crash()  # every PostgreSQL process quits at once; recovery on start
            time.sleep(1.0)
            cluster.start()
            finish(db, load, writers)
            assert server.proc is not None and server.proc.poll() is None, server.output()
        finally:
            writers.kill()


def test_postgres_store_drops_dead_connections_after_a_crash(cluster: PrivatePostgres) -> None:
    """After PostgreSQL restarts, each pooled connection fails at most once (the caller
    retries), then the store works again: a dead connection never goes back to the pool; and a
    durable store (the team server's) keeps every batch it acknowledged."""
    store = open_store(cluster.url, durable=True)
    try:
        store.append(batch(0))
        for _ in range(3):  # the store's pooled connections now point at a dead server
            store.cursor("e", "p", "r", "s")
        cluster.crash()
        cluster.start()
        failures = 0
        for _ in range(20):
            try:
                cursor = store.cursor("e", "p", "r", "s")
                break
            except StoreError:
                failures += 1
        else:
            raise AssertionError("the store never reconnected")
        assert failures <= 8  # the pool's size: one failure per dead connection at most
        assert cursor == 9  # acknowledged before the crash, so it survived it
        store.append(batch(1))
        assert store.cursor("e", "p", "r", "s") == 19
    finally:
        store.close()


def batch(index: int) -> RunChanges:
    steps = np.arange(index * 10, index * 10 + 10, dtype=np.int64)
    return RunChanges(
        entity="e",
        project="p",
        run_id="r",
        session="s",
        first_seq=index * 10,
        last_seq=index * 10 + 9,
        start={"name": "r"},
        series={"k": SeriesColumns(steps, steps * np.float64(0.5), steps.astype(np.float64))},
    )


def test_connections_cut_reset_and_refused_throughout_store_every_point_once(
    tmp_path: Path, pg_db: str
) -> None:
    load = Load(f"chaos{secrets.token_hex(3)}", runs=3, keys=5, steps=2000, rate=400)
    with (
        server_process(pg_db, tmp_path) as server,
        fault_proxy(("127.0.0.1", server.port), chaos(seed=23)) as proxy,
    ):
        writers = Writers(load, tmp_path / "writers", writer_env(tmp_path / "root", proxy.url))
        try:
            wait_mid_stream(pg_db, load, "before refusing connections")
            proxy.refuse()
            time.sleep(1.0)
            proxy.accept()
            finish(pg_db, load, writers)
        finally:
            writers.kill()
    # The faults really happened: requests cut in their body, answers cut after the server
    # committed (the client resends; the replay is skipped), resets, a refusal. How many of each
    # depends on how the uploads were batched (the machine's load), so at least one each.
    assert proxy.faults["cut_request"] >= 1, proxy.faults
    assert proxy.faults["cut_response"] >= 1, proxy.faults
    assert proxy.faults["reset"] >= 1, proxy.faults
    assert proxy.faults["refused"] == 1
    assert sum(proxy.faults.values()) >= 5, proxy.faults


def test_training_process_killed_mid_upload_then_sync_sends_the_rest(
    tmp_path: Path, pg_db: str
) -> None:
    load = Load(f"sync{secrets.token_hex(3)}", runs=1, keys=5, steps=4000, rate=1000)
    root = tmp_path / "root"
    with (
        server_process(pg_db, tmp_path) as server,
        fault_proxy(("127.0.0.1", server.port)) as proxy,
    ):
        writers = Writers(load, tmp_path / "writers", writer_env(root, proxy.url), hold=True)
        try:
            wait_mid_stream(pg_db, load, "before the network goes")
            proxy.refuse()  # nothing more reaches the server; the run log keeps growing
            wait_until(writers.all_logged, 60, "the writer logging every step")
            time.sleep(1.5)  # the run log's writer flushes every 0.2 s
        finally:
            writers.kill()
        before = stored_points(pg_db, load)
        assert 0 < before < load.points, "the kill must come with part of the run uploaded"
        proxy.plan = lambda _n: Fault()
        proxy.accept()
        proc = subprocess.run(
            [sys.executable, "-m", "trackboard.cli", "sync", str(run_folder(root, load))],
            env=writer_env(root, proxy.url),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        count = drain(pg_db, load, DRAIN_S)
        problems = exactly_once_problems(pg_db, load)
        assert not problems, f"{count} of {load.points} points stored:\n" + "\n".join(problems)


def run_folder(root: Path, load: Load) -> Path:
    """The run's folder in the training machine's root (under its default entity)."""
    found = list(root.glob(f"*/{load.project}/{load.run_ids[0]}"))
    assert len(found) == 1, f"run folder of {load.run_ids[0]} under {root}: {found}"
    return found[0]
