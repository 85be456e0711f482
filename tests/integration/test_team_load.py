"""The team server under CI-sized load (DECISIONS 23): 50 training processes x 10 keys x 100
steps/s for 10 s, 50,000 points/s, into ``trackboard server`` on PostgreSQL; after a bounded
drain the store holds every point exactly once. Larger loads and the timings live in
``bench/bench_team_server.py``; this asserts behaviour only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from team_faultkit import server_process
from team_writers import Load, Writers, drain, exactly_once_problems, writer_env
from tests.conftest import drop_schema, pg_url, require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def pg_db() -> Iterator[str]:
    require_postgres()
    schema = f"tb_load_{secrets.token_hex(6)}"
    try:
        yield f"{pg_url()}?schema={schema}"
    finally:
        drop_schema(schema)


def test_fifty_writers_at_fifty_thousand_points_a_second_lose_and_duplicate_nothing(
    tmp_path: Path, pg_db: str
) -> None:
    load = Load(f"load{secrets.token_hex(3)}", runs=50, keys=10, steps=1000, rate=100)
    with server_process(pg_db, tmp_path) as server:
        writers = Writers(load, tmp_path / "writers", writer_env(tmp_path / "root", server.url))
        try:
            # Bounds, not targets: 50 interpreters start on 2 cores, then log for 10 s.
            writers.wait(240)
        finally:
            writers.kill()
        count = drain(pg_db, load, 120)
        problems = exactly_once_problems(pg_db, load)
        assert not problems, f"{count} of {load.points} points stored:\n" + "\n".join(problems)
        assert server.proc is not None and server.proc.poll() is None, server.output()
