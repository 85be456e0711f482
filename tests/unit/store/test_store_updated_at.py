"""``RunRow.updated_at``: every append and every edit moves it forward."""

from __future__ import annotations

from store_helpers import changes, cols

from trackboard.store.sql import SqlStore


def test_append_and_edit_bump_updated_at(store: SqlStore) -> None:
    created = store.append(changes("r1", 0))
    assert created.updated_at >= created.created_at - 1.0
    assert store.run("e", "p", "r1").updated_at == created.updated_at
    appended = store.append(changes("r1", 1, series={"loss": cols([0, 1])}))
    assert appended.updated_at >= created.updated_at
    edited = store.update_run(appended.pk, notes="hello")
    assert edited.updated_at >= appended.updated_at
    assert store.run_by_pk(appended.pk).updated_at == edited.updated_at
    assert [r.updated_at for r in store.runs("e", "p")] == [edited.updated_at]
