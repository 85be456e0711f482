from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest
from store_helpers import append_points, changes, cols, db_rows

from trackboard.errors import InvalidInputError, StoreError
from trackboard.store import open_store
from trackboard.store.sqlite import SqliteStore


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "store.db"


def test_sqlite_file_uses_wal_and_a_long_busy_timeout(path: Path) -> None:
    with SqliteStore(path) as store:
        assert db_rows(store, "PRAGMA journal_mode") == [("wal",)]
        assert db_rows(store, "PRAGMA busy_timeout")[0][0] >= 60_000
        conn = store._writers.acquire()
        try:
            assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 60_000  # type: ignore[attr-defined]
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # type: ignore[attr-defined]
        finally:
            store._writers.release(conn)


def test_threads_share_one_store_and_each_has_its_run(path: Path) -> None:
    errors: list[BaseException] = []
    with SqliteStore(path) as store:

        def work(run_id: str) -> None:
            try:
                steps = np.arange(6_000, dtype=np.int64)
                append_points(store, "x", steps, steps.astype(np.float64), run_id=run_id, flush=250)
                store.series_buckets("x", [store.run("e", "p", run_id).pk], 64)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        for row in store.runs("e", "p"):
            assert store.series_summaries("x", [row.pk])[row.pk].count == 6_000


_WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from trackboard.store.base import RunChanges, SeriesColumns
    from trackboard.store.sqlite import SqliteStore

    path, name = sys.argv[1], sys.argv[2]
    store = SqliteStore(path)
    steps = np.arange(5_000, dtype=np.int64)
    for seq, lo in enumerate(range(0, 5_000, 500)):
        s = steps[lo : lo + 500]
        for run_id, key in ((name, "x"), ("shared", name)):
            store.append(RunChanges("e", "p", run_id, name, seq, seq,
                series={key: SeriesColumns(s, s * 2.0, s * 1.0)}))
    store.close()
    """
)


def test_processes_write_one_file_at_once(path: Path) -> None:
    SqliteStore(path).close()
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"w{i}"]) for i in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    with SqliteStore(path) as store:
        shared = store.run("e", "p", "shared")
        assert [k.name for k in store.keys(shared.pk)] == ["w0", "w1", "w2"]
        for i in range(3):
            own = store.run("e", "p", f"w{i}")
            assert store.series(own.pk, "x").steps.tolist() == list(range(5_000))
            assert store.series_summaries(f"w{i}", [shared.pk])[shared.pk].count == 5_000


def test_checkpoint_truncates_the_wal(path: Path) -> None:
    with SqliteStore(path) as store:
        store.append(changes(series={"x": cols(np.arange(50_000))}))
        wal = Path(str(path) + "-wal")
        assert wal.stat().st_size > 0
        store.checkpoint()
        assert wal.stat().st_size == 0


def test_writer_checkpoints_every_interval(path: Path) -> None:
    with SqliteStore(path, checkpoint_interval_s=0.0) as store:
        store.append(changes(series={"x": cols(np.arange(50_000))}))
        assert Path(str(path) + "-wal").stat().st_size == 0


def test_closed_store_refuses_use(path: Path) -> None:
    store = SqliteStore(path)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.runs("e", "p")


def test_open_store_reads_sqlite_urls_and_paths(path: Path) -> None:
    with open_store(f"sqlite://{path}") as store:  # type: ignore[attr-defined]
        assert isinstance(store, SqliteStore)
        store.append(changes())
    with open_store(path) as store:  # type: ignore[attr-defined]
        assert [r.run_id for r in store.runs("e", "p")] == ["r1"]


@pytest.mark.parametrize("url", ["sqlite://relative.db", "mysql://x/y", ":memory:", ""])
def test_open_store_refuses_what_it_cannot_open(url: str) -> None:
    with pytest.raises(InvalidInputError):
        open_store(url)
