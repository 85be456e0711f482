"""A run log ingested into PostgreSQL reads back through Api(store=...) as from SQLite."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tests.conftest import run_script

import trackboard
from trackboard.ingest.follow import RootFollower
from trackboard.store.base import Store

pytestmark = pytest.mark.postgres


def test_run_logs_ingest_into_postgres_exactly_once(root: Path, pg_store: Store) -> None:
    run_script(
        """
        import trackboard
        for lr in (0.1, 0.01):
            run = trackboard.init(project="pg", config={"lr": lr}, tags=["a"])
            trackboard.define_metric("loss", summary="min")
            for step in range(5000):
                trackboard.log({"loss": 1.0 / (step + 1) + lr, "acc": step / 5000})
            trackboard.log({"nan": float("nan"), "label": "done"})
            run.finish()
        """,
        root.parent,
    )
    follower = RootFollower(pg_store, root)
    first = follower.poll()
    assert first.records > 10_000
    again = RootFollower(pg_store, root).poll()  # a second ingester replays the same files
    assert again.records == 0

    api = trackboard.Api(store=pg_store)
    runs = api.runs("pg", filters={"config.lr": {"$lt": 0.05}})
    assert len(runs) == 1
    run = runs[0]
    assert run.state == "finished" and run.tags == ["a"]
    assert run.summary["loss"] == {"min": pytest.approx(1.0 / 5000 + 0.01)}
    assert math.isnan(run.summary["nan"]) and run.summary["label"] == "done"
    rows = list(run.scan_history(keys=["loss"], page_size=777))
    assert [r["_step"] for r in rows] == list(range(5000))
    assert rows[10]["loss"] == pytest.approx(1.0 / 11 + 0.01)
    last = list(run.scan_history(min_step=5000))
    assert last[0]["label"] == "done"
