"""Projects and runs over HTTP: listing, filters, order, detail, edits and the change cursor."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import httpx
from server_helpers import ENTITY, PROJECT, AppClient, log_run, metric

from trackboard.server import create_app
from trackboard.settings import Settings
from trackboard.store.sqlite import SqliteStore

RUNS = f"/api/v1/projects/{ENTITY}/{PROJECT}/runs"
CHANGES = f"/api/v1/projects/{ENTITY}/{PROJECT}/changes"


def three_runs(store: SqliteStore) -> None:
    for i, lr in enumerate((0.1, 0.01, 0.3)):
        log_run(
            store,
            f"run{i}",
            [{"loss": 1.0 / (s + 1)} for s in range(3)],
            name=f"name-{i}",
            config={"lr": lr},
            start_time=1000.0 + i,
        )


def test_projects_lists_project_with_run_count(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    log_run(store, "other", project="second")
    answer = client.get("/api/v1/projects")
    assert answer.status_code == 200
    projects = answer.json()["projects"]
    assert [(p["entity"], p["name"], p["run_count"]) for p in projects] == [
        (ENTITY, PROJECT, 3),
        (ENTITY, "second", 1),
    ]
    assert set(projects[0]) == {
        "entity", "name", "run_count", "created_at", "updated_at", "archived", "visibility",
    }  # fmt: skip


def test_runs_have_every_contract_field(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    answer = client.get(RUNS).json()
    assert set(answer) == {"runs", "cursor"}
    assert set(answer["runs"][0]) == {
        "id", "name", "state", "created_at", "heartbeat_at", "finished_at", "runtime",
        "exit_code", "group", "job_type", "tags", "notes", "host", "program", "args",
        "sweep_id", "stop_reason", "last_step", "config", "summary", "updated_at", "archived",
    }  # fmt: skip
    first = answer["runs"][0]
    assert first["id"] == "run0"
    assert first["state"] == "finished"
    assert first["last_step"] == 2
    assert first["config"] == {"lr": 0.1}
    assert first["summary"]["loss"] == 1.0 / 3


def test_runs_filter_and_order_select_and_sort(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    answer = client.get(
        RUNS,
        params={"filter": json.dumps({"config.lr": {"$gte": 0.1}}), "order": "-config.lr"},
    )
    assert answer.status_code == 200
    assert [r["id"] for r in answer.json()["runs"]] == ["run2", "run0"]


def test_runs_default_order_is_creation_time(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    assert [r["id"] for r in client.get(RUNS).json()["runs"]] == ["run0", "run1", "run2"]


def test_bad_filter_field_is_400_naming_the_field(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    answer = client.get(RUNS, params={"filter": json.dumps({"bogus_field": 1})})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["type"] == "InvalidInputError"
    assert "bogus_field" in error["message"]


def test_filter_that_is_not_json_is_400(client: AppClient) -> None:
    answer = client.get(RUNS, params={"filter": "{not json"})
    assert answer.status_code == 400
    assert "filter" in answer.json()["error"]["message"]


def test_bad_order_field_is_400(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    answer = client.get(RUNS, params={"order": "-nonsense"})
    assert answer.status_code == 400
    assert "nonsense" in answer.json()["error"]["message"]


def test_run_detail_has_metrics_and_keys(store: SqliteStore, client: AppClient) -> None:
    log_run(
        store,
        "r1",
        [{"loss": 0.5, "epoch": 0}, {"loss": 0.25, "epoch": 1}],
        metrics=[metric("loss", step_metric="epoch")],
    )
    answer = client.get(f"{RUNS}/r1")
    assert answer.status_code == 200
    run = answer.json()
    assert run["id"] == "r1"
    assert run["metrics"]["loss"]["step_metric"] == "epoch"
    names = [k["name"] for k in run["keys"]]
    assert names == ["epoch", "loss"]
    assert run["keys"][1]["count"] == 2


def test_unknown_run_is_404_with_error_shape(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    answer = client.get(f"{RUNS}/missing")
    assert answer.status_code == 404
    assert answer.json()["error"]["type"] == "NotFoundError"
    assert "missing" in answer.json()["error"]["message"]


def test_unknown_api_path_is_404_json(client: AppClient) -> None:
    answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.json()["error"]["type"] == "NotFoundError"


def test_patch_renames_and_sets_tags_and_notes(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    answer = client.patch(
        f"{RUNS}/run1", json={"name": "renamed", "tags": ["a", "b"], "notes": "hello"}
    )
    assert answer.status_code == 200
    run = answer.json()
    assert (run["name"], run["tags"], run["notes"]) == ("renamed", ["a", "b"], "hello")
    again = client.get(f"{RUNS}/run1").json()
    assert (again["name"], again["tags"], again["notes"]) == ("renamed", ["a", "b"], "hello")


def test_patch_of_other_fields_is_400(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    answer = client.patch(f"{RUNS}/run1", json={"state": "finished"})
    assert answer.status_code == 400
    assert "state" in answer.json()["error"]["message"]
    bad_tags = client.patch(f"{RUNS}/run1", json={"tags": "not-a-list"})
    assert bad_tags.status_code == 400


def test_patch_of_unknown_run_is_404(client: AppClient) -> None:
    assert client.patch(f"{RUNS}/nope", json={"name": "x"}).status_code == 404


def test_changes_brings_runs_logged_after_the_cursor(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    first = client.get(CHANGES, params={"since": 0}).json()
    assert {r["id"] for r in first["runs"]} == {"run0", "run1", "run2"}
    cursor = first["cursor"]
    log_run(store, "late", [{"loss": 1.0}])
    second = client.get(CHANGES, params={"since": cursor}).json()
    assert "late" in {r["id"] for r in second["runs"]}
    assert second["cursor"] >= cursor


def test_changes_brings_an_edited_run(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    cursor = client.get(RUNS).json()["cursor"]
    client.patch(f"{RUNS}/run0", json={"name": "new-name"})
    changed = client.get(CHANGES, params={"since": cursor}).json()["runs"]
    assert [r["name"] for r in changed if r["id"] == "run0"] == ["new-name"]


def test_changes_with_a_bad_cursor_is_400(client: AppClient) -> None:
    assert client.get(CHANGES, params={"since": "soon"}).status_code == 400
    assert client.get(CHANGES, params={"since": -1}).status_code == 400


def test_nan_and_infinities_travel_as_strings(store: SqliteStore, client: AppClient) -> None:
    log_run(
        store,
        "nan",
        [{"loss": math.nan, "up": math.inf, "down": -math.inf}],
        config={"weird": math.nan},
    )
    text = client.get(f"{RUNS}/nan").text
    run = json.loads(text)  # strict JSON: no bare NaN
    assert run["config"]["weird"] == "NaN"
    assert run["summary"]["loss"] == "NaN"
    assert run["summary"]["up"] == "Infinity"
    assert run["summary"]["down"] == "-Infinity"


def test_html_in_names_comes_back_verbatim_as_json(store: SqliteStore, client: AppClient) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    log_run(store, "xss", [{evil: 1.0}], name=evil, tags=(evil,))
    answer = client.get(RUNS)
    assert answer.headers["content-type"].startswith("application/json")
    run = answer.json()["runs"][0]
    assert run["name"] == evil
    assert run["tags"] == [evil]
    keys = client.get(f"/api/v1/projects/{ENTITY}/{PROJECT}/keys").json()["keys"]
    assert [k["name"] for k in keys] == [evil]


def test_cross_origin_patch_is_refused(store: SqliteStore, client: AppClient) -> None:
    three_runs(store)
    evil = client.patch(
        f"{RUNS}/run0", json={"name": "pwned"}, headers={"origin": "http://evil.example"}
    )
    assert evil.status_code == 403
    assert evil.json()["error"]["type"] == "Forbidden"
    same = client.patch(
        f"{RUNS}/run0", json={"name": "ok"}, headers={"origin": "http://testserver"}
    )
    assert same.status_code == 200
    assert client.get(f"{RUNS}/run0").json()["name"] == "ok"


def test_unexpected_errors_are_500_in_the_error_shape(store: SqliteStore, tmp_path: Path) -> None:
    broken = create_app(store, Settings(root=tmp_path / "root"))
    broken.state.store = None  # every store call now fails with AttributeError

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=broken, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.get("/api/v1/projects")

    answer = asyncio.run(go())
    assert answer.status_code == 500
    assert answer.json()["error"]["type"] == "InternalError"
