"""Histograms over time re-binned onto one grid, with steps downsampled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from media_runs import log_run

from trackboard.errors import InvalidInputError
from trackboard.query.histograms import (
    histograms_over_time,
    parse_histogram,
    pick_columns,
    rebin,
)
from trackboard.store.sqlite import SqliteStore


def hist(counts: list[float], edges: list[float]) -> dict[str, Any]:
    return {"_type": "histogram", "values": counts, "bins": edges}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "t.db")
    yield opened
    opened.close()


def test_parse_histogram_refuses_malformed_values() -> None:
    assert parse_histogram(hist([1, 2], [0, 1, 2])) is not None
    assert parse_histogram(hist([1, 2], [0, 1])) is None  # edges not one longer
    assert parse_histogram(hist([1], [1, 0])) is None  # decreasing edges
    assert parse_histogram(hist([1], [0, float("nan")])) is None
    assert parse_histogram({"values": [1], "bins": [0, 1]}) is None
    assert parse_histogram("histogram") is None


def test_rebin_keeps_the_total_count_and_spreads_by_overlap() -> None:
    grid = np.linspace(0.0, 4.0, 5)
    out = rebin(np.asarray([4.0, 2.0]), np.asarray([0.0, 2.0, 3.0]), grid)
    assert out.tolist() == [2.0, 2.0, 2.0, 0.0]
    assert out.sum() == 6.0


def test_rebin_puts_a_zero_width_bin_where_its_edge_is() -> None:
    grid = np.linspace(0.0, 4.0, 5)
    assert rebin(np.asarray([3.0]), np.asarray([2.5, 2.5]), grid).tolist() == [0, 0, 3, 0]
    assert rebin(np.asarray([3.0]), np.asarray([4.0, 4.0]), grid).tolist() == [0, 0, 0, 3]


def test_pick_columns_keeps_first_and_last() -> None:
    picked = pick_columns(1000, 10).tolist()
    assert len(picked) == 10 and picked[0] == 0 and picked[-1] == 999
    assert pick_columns(5, 10).tolist() == [0, 1, 2, 3, 4]


def test_histograms_over_time_share_one_grid_over_runs(store: SqliteStore) -> None:
    a = log_run(store, "a", [{"_step": s, "g": hist([1, 1], [0, 1, 2])} for s in range(3)])
    b = log_run(store, "b", [{"_step": 0, "g": hist([5], [-2, 0])}])
    out = histograms_over_time(store, [a, b], "g", bins=4)
    assert out["bins"] == [-2.0, -1.0, 0.0, 1.0, 2.0]
    ra, rb = out["runs"]
    assert ra["steps"] == [0, 1, 2] and ra["total_steps"] == 3
    assert ra["counts"][0] == [0, 0, 1, 1]
    assert rb["counts"] == [[2.5, 2.5, 0, 0]]
    assert rb["max_count"] == 2.5


def test_histograms_over_time_downsample_steps(store: SqliteStore) -> None:
    a = log_run(store, "a", [{"_step": s, "g": hist([s + 1], [0, 1])} for s in range(50)])
    (run,) = histograms_over_time(store, [a], "g", bins=2, max_steps=5)["runs"]
    assert run["steps"][0] == 0 and run["steps"][-1] == 49 and len(run["steps"]) == 5
    assert run["total_steps"] == 50
    assert [sum(c) for c in run["counts"]] == [s + 1 for s in run["steps"]]


def test_histograms_over_time_of_a_key_without_histograms_is_empty(store: SqliteStore) -> None:
    a = log_run(store, "a", [{"note": "text"}])
    out = histograms_over_time(store, [a], "note")
    assert out["bins"] == [] and out["runs"][0]["counts"] == []


def test_histograms_over_time_refuse_bad_sizes(store: SqliteStore) -> None:
    with pytest.raises(InvalidInputError, match="bins must be in"):
        histograms_over_time(store, [], "g", bins=0)
    with pytest.raises(InvalidInputError, match="max_steps must be in"):
        histograms_over_time(store, [], "g", max_steps=100_000)
