"""Console lines: appended with their batch, numbered per run, paged, searched, deleted."""

from __future__ import annotations

import pytest
from store_helpers import changes, cols

from trackboard.errors import InvalidInputError, NotFoundError
from trackboard.store.base import MAX_CONSOLE_PAGE
from trackboard.store.sql import SqlStore


def _print(store: SqlStore, seq: int, *lines: str, stream: str = "stdout", run_id: str = "r1"):
    batch = [(1000.0 + seq + i / 100, stream, text) for i, text in enumerate(lines)]
    return store.append(changes(run_id, seq, console=batch))


def test_console_lines_are_numbered_per_run_in_append_order(store: SqlStore) -> None:
    pk = _print(store, 0, "first", "second").pk
    _print(store, 1, "third", stream="stderr")
    other = _print(store, 0, "elsewhere", run_id="r2").pk

    lines, total = store.console_lines(pk)

    assert total == 3
    assert [(x.n, x.stream, x.text) for x in lines] == [
        (1, "stdout", "first"),
        (2, "stdout", "second"),
        (3, "stderr", "third"),
    ]
    assert lines[0].time == pytest.approx(1000.0)
    assert [(x.n, x.text) for x in store.console_lines(other)[0]] == [(1, "elsewhere")]


def test_console_lines_page_by_offset_and_limit(store: SqlStore) -> None:
    pk = _print(store, 0, *[f"line {i}" for i in range(25)]).pk

    page, total = store.console_lines(pk, offset=10, limit=5)

    assert total == 25
    assert [x.n for x in page] == [11, 12, 13, 14, 15]
    assert store.console_lines(pk, offset=30, limit=5) == ([], 25)


def test_console_search_is_case_insensitive_and_counts_only_matches(store: SqlStore) -> None:
    pk = _print(store, 0, "Epoch 1 loss", "epoch 2 LOSS", "validation", "EPOCH 3").pk

    found, total = store.console_lines(pk, query="epoch")

    assert total == 3
    assert [x.n for x in found] == [1, 2, 4]
    page, total = store.console_lines(pk, query="Loss", offset=1, limit=1)
    assert (total, [x.n for x in page]) == (2, [2])


def test_console_search_takes_like_wildcards_literally(store: SqlStore) -> None:
    pk = _print(store, 0, "100% done", "1000 done", "a_b", "axb", "back\\slash").pk

    assert [x.n for x in store.console_lines(pk, query="0%")[0]] == [1]
    assert [x.n for x in store.console_lines(pk, query="a_b")[0]] == [3]
    assert [x.n for x in store.console_lines(pk, query="k\\s")[0]] == [5]
    assert store.console_lines(pk, query="'; DROP TABLE runs; --") == ([], 0)


def test_console_search_ignores_ansi_sequences_but_lines_keep_them(store: SqlStore) -> None:
    coloured = "\x1b[1mloss\x1b[0m is \x1b[38;5;196mhigh\x1b[0m"
    pk = _print(store, 0, coloured, "plain").pk

    found, total = store.console_lines(pk, query="loss is high")

    assert total == 1
    assert found[0].text == coloured
    assert store.console_lines(pk, query="38;5")[1] == 0


def test_console_text_with_nul_and_unicode_is_stored(store: SqlStore) -> None:
    pk = _print(store, 0, "nul\x00here", "ünïcödé ✓").pk

    lines, _ = store.console_lines(pk)

    assert [x.text for x in lines] == ["nul\ufffdhere", "ünïcödé ✓"]


def test_console_line_with_bad_stream_refuses_the_batch_and_keeps_what_was_stored(
    store: SqlStore,
) -> None:
    pk = _print(store, 0, "kept").pk

    with pytest.raises(InvalidInputError, match="stream"):
        store.append(
            changes(
                "r1",
                1,
                series={"loss": cols([0, 1])},
                console=[(1.0, "stdin", "not a stream")],
            )
        )

    assert store.cursor("e", "p", "r1", "s1") == 0
    assert [x.text for x in store.console_lines(pk)[0]] == ["kept"]
    assert len(store.series(pk, "loss")) == 0


def test_deleting_a_run_deletes_its_console_lines(store: SqlStore) -> None:
    pk = _print(store, 0, "old run").pk

    store.delete_run(pk)
    again = _print(store, 0, "new run").pk

    assert [(x.n, x.text) for x in store.console_lines(again)[0]] == [(1, "new run")]
    with pytest.raises(NotFoundError):
        store.console_lines(pk)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"offset": -1}, "offset"),
        ({"limit": 0}, "limit"),
        ({"limit": MAX_CONSOLE_PAGE + 1}, "limit"),
        ({"query": "x" * 1001}, "search"),
    ],
)
def test_console_lines_refuses_bad_paging(
    store: SqlStore, kwargs: dict[str, object], message: str
) -> None:
    pk = _print(store, 0, "x").pk

    with pytest.raises(InvalidInputError, match=message):
        store.console_lines(pk, **kwargs)  # type: ignore[arg-type]
