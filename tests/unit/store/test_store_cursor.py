from __future__ import annotations

import pytest
from store_helpers import changes, cols

from trackboard.errors import ConflictError, InvalidInputError
from trackboard.store.sql import SqlStore


def test_cursor_is_minus_one_before_anything_was_applied(store: SqlStore) -> None:
    assert store.cursor("e", "p", "r1", "s1") == -1
    store.append(changes())
    assert store.cursor("e", "p", "r1", "other") == -1


def test_cursor_advances_to_last_seq_of_each_batch(store: SqlStore) -> None:
    store.append(changes(seq=0, last_seq=4))
    assert store.cursor("e", "p", "r1", "s1") == 4
    store.append(changes(seq=5, last_seq=5))
    assert store.cursor("e", "p", "r1", "s1") == 5


def test_replayed_batch_is_refused_and_not_applied(store: SqlStore) -> None:
    store.append(changes(seq=0, series={"loss": cols([0, 1])}, summary_set={"n": 1}))
    with pytest.raises(ConflictError, match="applied up to 0"):
        store.append(changes(seq=0, series={"loss": cols([2, 3])}, summary_set={"n": 2}))
    row = store.run("e", "p", "r1")
    assert row.summary == {"n": 1}
    assert store.series(row.pk, "loss").steps.tolist() == [0, 1]
    assert store.cursor("e", "p", "r1", "s1") == 0


def test_batch_after_a_gap_is_refused(store: SqlStore) -> None:
    store.append(changes(seq=0, last_seq=2))
    with pytest.raises(ConflictError):
        store.append(changes(seq=4, config_set={"x": 1}))
    assert store.run("e", "p", "r1").config == {}


def test_first_batch_of_new_session_must_start_at_zero(store: SqlStore) -> None:
    with pytest.raises(ConflictError, match="applied up to -1"):
        store.append(changes(seq=3))
    store.append(changes())
    with pytest.raises(ConflictError):
        store.append(changes(seq=1, session="s2"))


def test_sessions_of_one_run_have_their_own_cursors(store: SqlStore) -> None:
    store.append(changes(seq=0, last_seq=9, session="a"))
    store.append(changes(seq=0, last_seq=2, session="b"))
    assert store.cursor("e", "p", "r1", "a") == 9
    assert store.cursor("e", "p", "r1", "b") == 2


def test_refused_batch_rolls_back_everything_it_wrote(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trackboard.store.history_keys.MAX_KEYS_PER_RUN", 2)
    store.append(changes(seq=0, series={"a": cols([0])}))
    bad = changes(
        seq=1, series={"a": cols([1]), "b": cols([1]), "c": cols([1])}, config_set={"x": 1}
    )
    with pytest.raises(InvalidInputError, match="'c'"):
        store.append(bad)
    row = store.run("e", "p", "r1")
    assert row.config == {}
    assert [k.name for k in store.keys(row.pk)] == ["a"]
    assert store.series(row.pk, "a").steps.tolist() == [0]
    assert store.cursor("e", "p", "r1", "s1") == 0


def test_refused_first_batch_does_not_create_the_run(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trackboard.store.history_keys.MAX_KEYS_PER_RUN", 1)
    with pytest.raises(InvalidInputError):
        store.append(changes(series={"a": cols([0]), "b": cols([0])}))
    assert store.runs("e", "p") == []
    assert store.cursor("e", "p", "r1", "s1") == -1


@pytest.mark.parametrize(("first", "last"), [(-1, 0), (3, 2)])
def test_bad_seq_range_is_refused(store: SqlStore, first: int, last: int) -> None:
    with pytest.raises(InvalidInputError, match="seq"):
        store.append(changes(seq=first, last_seq=last))
