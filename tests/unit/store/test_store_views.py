"""Saved workspace views: per project, opaque settings, one default, clear errors."""

from __future__ import annotations

import pytest
from store_helpers import changes

from trackboard.errors import ConflictError, InvalidInputError, NotFoundError
from trackboard.store.base import MAX_VIEW_BYTES, MAX_VIEW_NAME_LENGTH
from trackboard.store.sql import SqlStore

SETTINGS = {"smoothing": {"kind": "ema", "weight": 0.6}, "hidden": {"r1": True}, "x": "_step"}


def test_saved_view_reads_back_its_settings_unchanged(store: SqlStore) -> None:
    saved = store.save_view("e", "p", "loss only", SETTINGS)
    assert saved.settings == SETTINGS
    assert not saved.is_default
    assert saved.created_at == saved.updated_at
    got = store.view("e", "p", "loss only")
    assert (got.entity, got.project, got.name, got.settings) == ("e", "p", "loss only", SETTINGS)


def test_view_may_be_saved_before_the_project_has_runs(store: SqlStore) -> None:
    store.save_view("e", "empty", "v", {})
    assert [v.name for v in store.views("e", "empty")] == ["v"]
    assert store.projects() == []


def test_views_are_listed_by_name_and_kept_per_project(store: SqlStore) -> None:
    for name in ("b", "a", "c"):
        store.save_view("e", "p", name, {"n": name})
    store.save_view("e", "other", "a", {"n": "other"})
    assert [v.name for v in store.views("e", "p")] == ["a", "b", "c"]
    assert store.view("e", "other", "a").settings == {"n": "other"}
    assert store.views("e", "none") == []


def test_saving_again_replaces_settings_and_keeps_created_at(store: SqlStore) -> None:
    first = store.save_view("e", "p", "v", {"a": 1})
    second = store.save_view("e", "p", "v", {"b": 2})
    assert second.settings == {"b": 2}
    assert second.created_at == first.created_at
    assert second.updated_at >= first.updated_at
    assert len(store.views("e", "p")) == 1


def test_one_default_view_per_project(store: SqlStore) -> None:
    store.save_view("e", "p", "a", {}, is_default=True)
    store.save_view("e", "p", "b", {})
    store.save_view("e", "q", "a", {}, is_default=True)
    store.update_view("e", "p", "b", is_default=True)
    defaults = {v.name: v.is_default for v in store.views("e", "p")}
    assert defaults == {"a": False, "b": True}
    assert store.view("e", "q", "a").is_default
    store.save_view("e", "p", "b", {"changed": True})
    assert store.view("e", "p", "b").is_default, "saving settings keeps the default mark"
    store.update_view("e", "p", "b", is_default=False)
    assert not any(v.is_default for v in store.views("e", "p"))


def test_renaming_a_view_keeps_settings_and_default(store: SqlStore) -> None:
    store.save_view("e", "p", "old", {"a": 1}, is_default=True)
    renamed = store.update_view("e", "p", "old", new_name="new")
    assert (renamed.name, renamed.settings, renamed.is_default) == ("new", {"a": 1}, True)
    with pytest.raises(NotFoundError, match="old"):
        store.view("e", "p", "old")


def test_renaming_onto_an_existing_view_is_a_conflict(store: SqlStore) -> None:
    store.save_view("e", "p", "a", {})
    store.save_view("e", "p", "b", {})
    with pytest.raises(ConflictError, match="'b' already exists"):
        store.update_view("e", "p", "a", new_name="b")


def test_deleting_a_view_and_missing_views(store: SqlStore) -> None:
    store.save_view("e", "p", "v", {})
    store.delete_view("e", "p", "v")
    assert store.views("e", "p") == []
    with pytest.raises(NotFoundError, match="no saved view 'v' in project e/p"):
        store.delete_view("e", "p", "v")
    with pytest.raises(NotFoundError):
        store.view("e", "p", "v")
    with pytest.raises(NotFoundError):
        store.update_view("e", "p", "v", new_name="w")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "non-empty"),
        ("   ", "non-empty"),
        ("x" * (MAX_VIEW_NAME_LENGTH + 1), "at most"),
        ("tab\there", "control characters"),
    ],
)
def test_bad_view_names_are_refused(store: SqlStore, name: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        store.save_view("e", "p", name, {})


def test_settings_must_be_an_object_within_the_size_limit(store: SqlStore) -> None:
    with pytest.raises(InvalidInputError, match="JSON object"):
        store.save_view("e", "p", "v", ["not", "an", "object"])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=f"limit is {MAX_VIEW_BYTES}"):
        store.save_view("e", "p", "v", {"big": "x" * MAX_VIEW_BYTES})
    assert store.views("e", "p") == []


def test_view_names_and_settings_keep_unicode(store: SqlStore) -> None:
    store.save_view("e", "p", "Verlust ü 損失", {"q": "ñ"})
    assert store.view("e", "p", "Verlust ü 損失").settings == {"q": "ñ"}


def test_deleting_a_project_removes_its_views(store: SqlStore) -> None:
    store.append(changes())
    store.save_view("e", "p", "v", {})
    store.save_view("e", "q", "v", {})
    store.delete_project("e", "p")
    assert store.views("e", "p") == []
    assert [v.name for v in store.views("e", "q")] == ["v"]
