from __future__ import annotations

import math

import pytest
from store_helpers import changes, cols

from trackboard.errors import InvalidInputError, NotFoundError
from trackboard.store.sql import SqlStore

START = {
    "name": "first",
    "group": "g",
    "job_type": "train",
    "tags": ("a", "b"),
    "notes": "hello",
    "host": "box",
    "pid": 42,
    "program": "train.py",
    "args": ("--lr", "0.1"),
    "sweep_id": None,
    "start_time": 1000.0,
    "resumed": False,
}


def test_append_creates_run_with_start_fields(store: SqlStore) -> None:
    row = store.append(changes(start=START))
    assert row.pk > 0
    assert (row.entity, row.project, row.run_id) == ("e", "p", "r1")
    assert row.name == "first"
    assert row.group == "g"
    assert row.job_type == "train"
    assert row.tags == ("a", "b")
    assert row.notes == "hello"
    assert row.host == "box"
    assert row.pid == 42
    assert row.program == "train.py"
    assert row.args == ("--lr", "0.1")
    assert row.sweep_id is None
    assert row.created_at == 1000.0
    assert row.state == "running"
    assert row.last_step is None
    assert row.config == {} and row.summary == {} and row.metrics == {}
    assert store.run("e", "p", "r1") == row
    assert store.run_by_pk(row.pk) == row


def test_append_creates_run_without_start(store: SqlStore) -> None:
    row = store.append(changes())
    assert row.state == "running"
    assert row.name is None
    assert row.tags == ()
    assert row.created_at > 0


def test_append_creates_run_with_given_state(store: SqlStore) -> None:
    assert store.append(changes(state="finished")).state == "finished"


def test_start_of_later_session_updates_metadata_but_keeps_unset_fields(store: SqlStore) -> None:
    store.append(changes(start=START))
    resumed = {"name": "second", "tags": (), "notes": None, "start_time": 2000.0}
    row = store.append(changes(session="s2", start=resumed))
    assert row.name == "second"
    assert row.tags == ("a", "b")
    assert row.notes == "hello"
    assert row.created_at == 1000.0


def test_meta_changes_name_tags_notes_group_job_type(store: SqlStore) -> None:
    store.append(changes(start=START))
    meta = {"name": "n", "tags": ["x"], "notes": None, "group": "h", "job_type": "eval"}
    row = store.append(changes(seq=1, meta=meta))
    assert (row.name, row.tags, row.notes, row.group, row.job_type) == (
        "n",
        ("x",),
        None,
        "h",
        "eval",
    )


def test_meta_refuses_unknown_field(store: SqlStore) -> None:
    with pytest.raises(InvalidInputError, match="state"):
        store.append(changes(meta={"state": "finished"}))


def test_config_set_replaces_top_level_keys_and_removed_deletes_them(store: SqlStore) -> None:
    store.append(changes(config_set={"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}, "bs": 8}))
    row = store.append(changes(seq=1, config_set={"opt": {"name": "sgd"}}, config_removed=("bs",)))
    assert row.config == {"lr": 0.1, "opt": {"name": "sgd"}}


def test_summary_is_nested_and_keeps_nan_and_infinities(store: SqlStore) -> None:
    summary = {"loss": math.nan, "best": {"acc": math.inf, "at": 3}, "gone": 1, "s": "text"}
    store.append(changes(summary_set=summary))
    row = store.append(
        changes(seq=1, summary_set={"best": {"acc": 0.5}}, summary_removed=("gone",))
    )
    assert math.isnan(row.summary["loss"])
    assert row.summary["best"] == {"acc": 0.5}
    assert "gone" not in row.summary
    again = store.run_by_pk(row.pk)
    assert again.summary["best"] == {"acc": 0.5}
    assert math.isnan(again.summary["loss"])


def test_summary_value_that_is_not_json_is_refused(store: SqlStore) -> None:
    with pytest.raises(InvalidInputError, match="summary"):
        store.append(changes(summary_set={"x": object()}))


def test_metrics_are_stored_by_name(store: SqlStore) -> None:
    store.append(changes(metrics={"loss": {"summary": ["min"], "goal": "minimize"}}))
    row = store.append(changes(seq=1, metrics={"acc": {"step_metric": "epoch"}}))
    assert row.metrics == {
        "loss": {"summary": ["min"], "goal": "minimize"},
        "acc": {"step_metric": "epoch"},
    }


def test_state_and_time_fields_update_when_given(store: SqlStore) -> None:
    store.append(changes())
    row = store.append(changes(seq=1, heartbeat_at=5.0, runtime=4.0))
    assert (row.state, row.heartbeat_at, row.runtime) == ("running", 5.0, 4.0)
    row = store.append(changes(seq=2, state="failed", finished_at=9.0, exit_code=1, runtime=8.0))
    assert (row.state, row.finished_at, row.exit_code, row.runtime) == ("failed", 9.0, 1, 8.0)
    row = store.append(changes(seq=3))
    assert (row.state, row.finished_at, row.exit_code, row.heartbeat_at) == ("failed", 9.0, 1, 5.0)


def test_unknown_state_is_refused(store: SqlStore) -> None:
    with pytest.raises(InvalidInputError, match="state"):
        store.append(changes(state="sleeping"))


def test_last_step_follows_history(store: SqlStore) -> None:
    row = store.append(changes(series={"loss": cols([0, 1, 2])}, other_values=[(7, "img", "a")]))
    assert row.last_step == 7
    row = store.append(changes(seq=1, series={"loss": cols([3, 4])}))
    assert row.last_step == 7


def test_runs_are_ordered_by_creation_time(store: SqlStore) -> None:
    for run_id, created in (("b", 30.0), ("a", 10.0), ("c", 20.0)):
        store.append(changes(run_id, start={"start_time": created}))
    store.append(changes("x", project="other"))
    assert [r.run_id for r in store.runs("e", "p")] == ["a", "c", "b"]
    assert store.runs("e", "missing") == []


def test_projects_count_runs_and_order_by_entity_then_name(store: SqlStore) -> None:
    store.append(changes("r1", entity="zed", project="b"))
    store.append(changes("r1", entity="amy", project="z"))
    store.append(changes("r2", entity="amy", project="z"))
    store.append(changes("r1", entity="amy", project="a"))
    rows = store.projects()
    assert [(p.entity, p.name, p.run_count) for p in rows] == [
        ("amy", "a", 1),
        ("amy", "z", 2),
        ("zed", "b", 1),
    ]
    assert all(p.updated_at >= p.created_at for p in rows)
    assert [p.name for p in store.projects("zed")] == ["b"]
    assert store.projects("nobody") == []


def test_unknown_run_raises_not_found(store: SqlStore) -> None:
    with pytest.raises(NotFoundError):
        store.run("e", "p", "missing")
    with pytest.raises(NotFoundError):
        store.run_by_pk(12345)
    with pytest.raises(NotFoundError):
        store.update_run(12345, name="x")
    with pytest.raises(NotFoundError):
        store.delete_run(12345)
    with pytest.raises(NotFoundError):
        store.keys(12345)
    with pytest.raises(NotFoundError):
        store.series(12345, "loss")
    with pytest.raises(NotFoundError):
        store.history_values(12345)


def test_update_run_sets_fields_and_replaces_config_and_summary(store: SqlStore) -> None:
    pk = store.append(changes(config_set={"a": 1}, summary_set={"s": 1})).pk
    row = store.update_run(
        pk,
        name="renamed",
        tags=("t",),
        notes="n",
        group="g",
        job_type="j",
        state="killed",
        config={"b": 2},
        summary={"best": {"x": 1}},
    )
    assert (row.name, row.tags, row.notes, row.group, row.job_type) == (
        "renamed",
        ("t",),
        "n",
        "g",
        "j",
    )
    assert row.state == "killed"
    assert row.config == {"b": 2}
    assert row.summary == {"best": {"x": 1}}
    assert store.run_by_pk(pk) == row


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"run_id": "x"}, "run_id"),
        ({"state": "nope"}, "state"),
        ({"tags": "abc"}, "tags"),
        ({"config": [1]}, "config"),
        ({"summary": {"x": {1, 2}}}, "summary"),
    ],
)
def test_update_run_refuses_bad_fields(
    store: SqlStore, fields: dict[str, object], message: str
) -> None:
    pk = store.append(changes(start={"name": "keep"})).pk
    with pytest.raises(InvalidInputError, match=message):
        store.update_run(pk, **fields)
    assert store.run_by_pk(pk).name == "keep"


def test_delete_run_removes_it_and_its_data(store: SqlStore) -> None:
    keep = store.append(changes("keep", series={"loss": cols(range(5000))})).pk
    pk = store.append(
        changes("gone", series={"loss": cols(range(5000))}, other_values=[(1, "img", "x")])
    ).pk
    store.delete_run(pk)
    with pytest.raises(NotFoundError):
        store.run_by_pk(pk)
    assert [r.run_id for r in store.runs("e", "p")] == ["keep"]
    assert store.cursor("e", "p", "gone", "s1") == -1
    assert set(store.series_buckets("loss", [keep, pk], 64)) == {keep}
    assert store.series_summaries("loss", [keep, pk]).keys() == {keep}


def test_run_created_again_after_delete_starts_empty(store: SqlStore) -> None:
    pk = store.append(changes(series={"loss": cols([1, 2])}, config_set={"a": 1})).pk
    store.delete_run(pk)
    row = store.append(changes(series={"loss": cols([5])}))
    assert row.pk != pk
    assert row.config == {}
    assert store.series(row.pk, "loss").steps.tolist() == [5]


@pytest.mark.parametrize("field", ["entity", "project", "run_id", "session"])
def test_append_refuses_empty_identity(store: SqlStore, field: str) -> None:
    batch = changes()
    setattr(batch, field, "")
    with pytest.raises(InvalidInputError, match=field):
        store.append(batch)
