"""The binary series endpoint, decoded here byte by byte."""

from __future__ import annotations

import math
import time

import numpy as np
from server_helpers import ENTITY, PROJECT, AppClient, decode_series, log_run, run_blocks

from trackboard.store.base import RunChanges, SeriesColumns
from trackboard.store.sqlite import SqliteStore

SERIES = f"/api/v1/projects/{ENTITY}/{PROJECT}/series"


def test_small_run_buckets_equal_the_raw_points(store: SqliteStore, client: AppClient) -> None:
    values = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0]
    log_run(store, "a", [{"loss": v} for v in values])
    answer = client.get(SERIES, params={"key": "loss", "runs": "a"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert "content-encoding" not in answer.headers
    header, blocks = decode_series(answer.content)
    assert header["key"] == "loss"
    assert header["x_axis"] == "_step"
    assert header["approximate"] is False
    assert header["width"] == 1
    assert header["runs"] == [{"id": "a", "offset": 0, "n": 8}]
    assert header["total"] == 8
    np.testing.assert_array_equal(blocks["x"], np.arange(8, dtype=np.float64))
    np.testing.assert_array_equal(blocks["last"], np.float32(values))
    np.testing.assert_array_equal(blocks["min"], np.float32(values))
    np.testing.assert_array_equal(blocks["max"], np.float32(values))
    np.testing.assert_array_equal(blocks["mean"], np.float32(values))
    assert not blocks["flags"].any()


def test_coarse_buckets_hold_last_min_max_mean(store: SqliteStore, client: AppClient) -> None:
    values = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0]
    log_run(store, "a", [{"loss": v} for v in values])
    header, blocks = decode_series(
        client.get(SERIES, params={"key": "loss", "runs": "a", "buckets": 2}).content
    )
    assert header["width"] == 4
    np.testing.assert_array_equal(blocks["x"], [3.0, 7.0])
    np.testing.assert_array_equal(blocks["last"], np.float32([1.5, 6.0]))
    np.testing.assert_array_equal(blocks["min"], np.float32([1.0, 2.0]))
    np.testing.assert_array_equal(blocks["max"], np.float32([4.0, 9.0]))
    np.testing.assert_allclose(blocks["mean"], [2.375, 5.5])


def test_spike_survives_in_max_for_a_large_run(store: SqliteStore, client: AppClient) -> None:
    n = 20_000
    values = np.sin(np.arange(n) / 100.0)
    values[12_345] = 1000.0
    log_run(store, "big", [{"loss": float(v)} for v in values])
    header, blocks = decode_series(
        client.get(SERIES, params={"key": "loss", "runs": "big", "buckets": 100}).content
    )
    width = header["width"]
    assert width == 256  # smallest power of two with <= 100 buckets over 0..19999
    assert header["runs"][0]["n"] == math.ceil(n / width)
    assert blocks["max"].max() == np.float32(1000.0)
    spike_bucket = 12_345 // width
    assert blocks["max"][spike_bucket] == np.float32(1000.0)
    assert blocks["x"][-1] == n - 1  # the last point is in the last bucket
    assert blocks["last"][-1] == np.float32(values[-1])


def test_nan_and_infinities_are_flagged(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"v": 1.0}, {"v": math.nan}, {"v": math.inf}, {"v": -math.inf}])
    _, blocks = decode_series(client.get(SERIES, params={"key": "v", "runs": "a"}).content)
    np.testing.assert_array_equal(blocks["flags"], [0, 1, 2, 4])
    assert math.isnan(blocks["last"][1])
    assert blocks["last"][2] == np.inf
    assert math.isnan(blocks["min"][1])  # no finite value in that bucket
    coarse_header, coarse = decode_series(
        client.get(SERIES, params={"key": "v", "runs": "a", "buckets": 1}).content
    )
    assert coarse_header["total"] == 1
    assert coarse["flags"][0] == 7
    assert coarse["min"][0] == coarse["max"][0] == 1.0
    assert coarse["last"][0] == -np.inf


def test_runs_without_the_key_are_absent(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "has", [{"loss": 1.0}, {"loss": 2.0}])
    log_run(store, "lacks", [{"acc": 1.0}])
    log_run(store, "has2", [{"loss": 5.0}])
    header, blocks = decode_series(
        client.get(SERIES, params={"key": "loss", "runs": "has2,lacks,has"}).content
    )
    assert [r["id"] for r in header["runs"]] == ["has2", "has"]
    assert header["runs"][1]["offset"] == 1
    np.testing.assert_array_equal(run_blocks(header, blocks, "has")["last"], [1.0, 2.0])
    np.testing.assert_array_equal(run_blocks(header, blocks, "has2")["last"], [5.0])


def test_unknown_key_gives_an_empty_body(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": 1.0}])
    header, blocks = decode_series(client.get(SERIES, params={"key": "nope"}).content)
    assert header["runs"] == [] and header["total"] == 0
    assert all(b.size == 0 for b in blocks.values())


def test_zooming_in_gives_a_smaller_width(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": float(s)} for s in range(4096)])
    whole, _ = decode_series(
        client.get(SERIES, params={"key": "loss", "runs": "a", "buckets": 64}).content
    )
    zoomed, blocks = decode_series(
        client.get(
            SERIES,
            params={"key": "loss", "runs": "a", "buckets": 64, "min_step": 1000, "max_step": 1100},
        ).content
    )
    assert whole["width"] == 64
    assert zoomed["width"] == 2
    assert zoomed["width"] < whole["width"]
    assert blocks["x"][0] <= 1001 and blocks["x"][-1] >= 1100
    assert zoomed["runs"][0]["n"] <= 64


def test_many_runs_share_the_budget(store: SqliteStore, client: AppClient) -> None:
    for i in range(3):
        log_run(store, f"r{i}", [{"loss": float(i)}] * 10)
    header, blocks = decode_series(client.get(SERIES, params={"key": "loss"}).content)
    assert [r["offset"] for r in header["runs"]] == [0, 10, 20]
    np.testing.assert_array_equal(run_blocks(header, blocks, "r2")["last"], [2.0] * 10)


def test_other_x_axis_places_buckets_at_its_values(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": float(s), "epoch": s * 10.0} for s in range(5)])
    header, blocks = decode_series(
        client.get(SERIES, params={"key": "loss", "runs": "a", "x_axis": "epoch"}).content
    )
    assert header["approximate"] is True
    np.testing.assert_array_equal(blocks["x"], [0.0, 10.0, 20.0, 30.0, 40.0])


def test_series_bad_requests_are_400_or_404(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": 1.0}])
    assert client.get(SERIES, params={"runs": "a"}).status_code == 400  # no key
    assert client.get(SERIES, params={"key": "loss", "buckets": 0}).status_code == 400
    bad_range = {"key": "loss", "min_step": 10, "max_step": 5}
    assert client.get(SERIES, params=bad_range).status_code == 400
    assert client.get(SERIES, params={"key": "loss", "buckets": "many"}).status_code == 400
    missing = client.get(SERIES, params={"key": "loss", "runs": "a,ghost"})
    assert missing.status_code == 404
    assert "ghost" in missing.json()["error"]["message"]


def test_cached_buckets_follow_new_points_of_a_live_run(
    store: SqliteStore, client: AppClient
) -> None:
    log_run(store, "live", [{"loss": 1.0}, {"loss": 2.0}], finish=False)
    first, _ = decode_series(client.get(SERIES, params={"key": "loss"}).content)
    assert first["runs"][0]["n"] == 2
    store.append(
        RunChanges(
            entity=ENTITY,
            project=PROJECT,
            run_id="live",
            session="s2",
            first_seq=0,
            last_seq=0,
            series={
                "loss": SeriesColumns(
                    np.array([2], np.int64), np.array([7.0]), np.array([time.time()])
                )
            },
        )
    )
    header, blocks = decode_series(client.get(SERIES, params={"key": "loss"}).content)
    assert header["runs"][0]["n"] == 3
    assert blocks["last"][-1] == 7.0


def test_timestamp_x_axis_places_buckets_at_wall_times(
    store: SqliteStore, client: AppClient
) -> None:
    log_run(store, "a", [{"loss": float(s)} for s in range(4)], start_time=5000.0)
    header, blocks = decode_series(
        client.get(SERIES, params={"key": "loss", "runs": "a", "x_axis": "_timestamp"}).content
    )
    assert header["approximate"] is True
    np.testing.assert_array_equal(blocks["x"], [5000.0, 5001.0, 5002.0, 5003.0])
