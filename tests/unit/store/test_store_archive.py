"""Archiving runs and projects, and deleting a project with everything in it."""

from __future__ import annotations

import pytest
from store_helpers import changes, cols, db_rows

from trackboard.errors import InvalidInputError, NotFoundError
from trackboard.store.sql import SqlStore


def test_runs_start_unarchived_and_archiving_keeps_them_listed(store: SqlStore) -> None:
    row = store.append(changes())
    assert row.archived is False
    archived = store.update_run(row.pk, archived=True)
    assert archived.archived is True
    assert archived.updated_at >= row.updated_at
    assert [r.archived for r in store.runs("e", "p")] == [True]
    assert store.update_run(row.pk, archived=False).archived is False


def test_archived_run_stays_archived_when_it_logs_more(store: SqlStore) -> None:
    pk = store.append(changes(series={"x": cols([0])})).pk
    store.update_run(pk, archived=True)
    row = store.append(changes(seq=1, series={"x": cols([1])}))
    assert row.archived is True


def test_archived_must_be_a_bool(store: SqlStore) -> None:
    pk = store.append(changes()).pk
    with pytest.raises(InvalidInputError, match="archived must be true or false"):
        store.update_run(pk, archived="yes")
    with pytest.raises(InvalidInputError, match="archived must be true or false"):
        store.update_project("e", "p", archived=1)  # type: ignore[arg-type]


def test_archiving_a_project_is_listed_with_it(store: SqlStore) -> None:
    store.append(changes())
    store.append(changes(project="q"))
    row = store.update_project("e", "p", archived=True)
    assert (row.name, row.archived, row.run_count) == ("p", True, 1)
    assert {p.name: p.archived for p in store.projects()} == {"p": True, "q": False}
    assert not store.update_project("e", "p", archived=False).archived


def test_archiving_an_unknown_project_is_not_found(store: SqlStore) -> None:
    with pytest.raises(NotFoundError, match="no project e/nope"):
        store.update_project("e", "nope", archived=True)


def test_deleting_a_project_removes_every_run_and_its_data(store: SqlStore) -> None:
    store.append(changes("r1", series={"x": cols([0, 1])}, other_values=[(0, "t", "a")]))
    store.append(changes("r2", series={"x": cols([0])}))
    kept = store.append(changes("r1", project="q", series={"x": cols([5])}))
    store.delete_project("e", "p")
    assert [p.name for p in store.projects()] == ["q"]
    assert store.runs("e", "p") == []
    with pytest.raises(NotFoundError):
        store.run("e", "p", "r1")
    for table in ("series_chunks", "series_summary", "history_other", "run_keys", "run_cursors"):
        assert db_rows(store, f"SELECT DISTINCT run_pk FROM {table}") in ([], [(kept.pk,)])
    assert store.series(kept.pk, "x").steps.tolist() == [5]


def test_a_deleted_project_can_be_logged_to_again(store: SqlStore) -> None:
    store.append(changes())
    store.delete_project("e", "p")
    row = store.append(changes())
    assert [r.run_id for r in store.runs("e", "p")] == ["r1"]
    assert row.archived is False


def test_deleting_an_unknown_project_is_not_found(store: SqlStore) -> None:
    with pytest.raises(NotFoundError, match="no project e/nope"):
        store.delete_project("e", "nope")
