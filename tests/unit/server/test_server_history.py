"""Exact history rows for hover and CSV export."""

from __future__ import annotations

import json
import math

from server_helpers import ENTITY, PROJECT, AppClient, log_run

from trackboard.store.sqlite import SqliteStore

RUNS = f"/api/v1/projects/{ENTITY}/{PROJECT}/runs"


def test_history_rows_are_exact_float64(store: SqliteStore, client: AppClient) -> None:
    precise = 0.1234567890123456789
    log_run(store, "a", [{"loss": precise, "acc": 0.5}, {"acc": 0.75}, {"loss": 2.0}])
    rows = client.get(f"{RUNS}/a/history").json()["rows"]
    assert [r["_step"] for r in rows] == [0, 1, 2]
    assert rows[0]["loss"] == precise
    assert rows[0]["acc"] == 0.5
    assert "loss" not in rows[1]
    assert set(rows[0]) >= {"_step", "_runtime", "_timestamp"}


def test_history_keys_select_rows_holding_any(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": 1.0}, {"acc": 0.75}, {"other": 1.0}, {"loss": 2.0}])
    rows = client.get(f"{RUNS}/a/history", params={"keys": "loss,acc"}).json()["rows"]
    assert [r["_step"] for r in rows] == [0, 1, 3]
    assert all("other" not in r for r in rows)


def test_history_step_range_and_limit(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": float(s)} for s in range(100)])
    rows = client.get(
        f"{RUNS}/a/history", params={"min_step": 10, "max_step": 50, "limit": 5}
    ).json()["rows"]
    assert [r["_step"] for r in rows] == [10, 11, 12, 13, 14]
    assert [r["loss"] for r in rows] == [10.0, 11.0, 12.0, 13.0, 14.0]


def test_history_non_finite_values_are_strings(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"v": math.nan}, {"v": math.inf}, {"v": -math.inf}])
    text = client.get(f"{RUNS}/a/history").text
    rows = json.loads(text)["rows"]
    assert [r["v"] for r in rows] == ["NaN", "Infinity", "-Infinity"]


def test_history_of_unknown_run_is_404(client: AppClient) -> None:
    assert client.get(f"{RUNS}/ghost/history").status_code == 404


def test_history_bad_limit_is_400(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"v": 1.0}])
    assert client.get(f"{RUNS}/a/history", params={"limit": 0}).status_code == 400
