"""The keys endpoint: kinds, run counts, max_count and define_metric's hidden / step_metric."""

from __future__ import annotations

from server_helpers import ENTITY, PROJECT, AppClient, log_run, metric

from trackboard.store.sqlite import SqliteStore

KEYS = f"/api/v1/projects/{ENTITY}/{PROJECT}/keys"


def test_keys_count_runs_and_points(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": 1.0}, {"loss": 0.5}, {"loss": 0.2, "final_acc": 0.9}])
    log_run(store, "b", [{"loss": 1.0}, {"final_acc": 0.8, "note": "text"}])
    keys = {k["name"]: k for k in client.get(KEYS).json()["keys"]}
    assert list(keys) == ["final_acc", "loss", "note"]
    assert keys["loss"] == {
        "name": "loss",
        "kind": "scalar",
        "runs": 2,
        "max_count": 3,
        "hidden": False,
        "step_metric": None,
        "media": None,
    }
    assert keys["final_acc"]["max_count"] == 1  # once per run: a bar chart
    assert keys["final_acc"]["runs"] == 2
    assert keys["note"]["kind"] == "other"
    assert keys["note"]["media"] is None  # a plain string is no media


def test_keys_over_named_runs_only(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": 1.0}, {"loss": 0.5}])
    log_run(store, "b", [{"acc": 1.0}])
    keys = client.get(KEYS, params={"runs": "b"}).json()["keys"]
    assert [(k["name"], k["runs"]) for k in keys] == [("acc", 1)]


def test_keys_leave_out_underscore_keys(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": 1.0, "_private": 2.0}])
    assert [k["name"] for k in client.get(KEYS).json()["keys"]] == ["loss"]


def test_keys_carry_define_metric_declarations(store: SqliteStore, client: AppClient) -> None:
    log_run(
        store,
        "a",
        [{"val/loss": 1.0, "epoch": 0.0, "debug": 3.0}],
        metrics=[metric("val/*", step_metric="epoch"), metric("debug", hidden=True)],
    )
    keys = {k["name"]: k for k in client.get(KEYS).json()["keys"]}
    assert keys["val/loss"]["step_metric"] == "epoch"
    assert keys["debug"]["hidden"] is True
    assert keys["epoch"]["step_metric"] is None


def test_keys_of_unknown_run_is_404(store: SqliteStore, client: AppClient) -> None:
    log_run(store, "a", [{"loss": 1.0}])
    assert client.get(KEYS, params={"runs": "a,zzz"}).status_code == 404
