from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from store_helpers import StoreFactory, changes, cols, reference_buckets

from trackboard.errors import ConflictError
from trackboard.store.sql import SqlStore


def _run_threads(targets: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guard(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except BaseException as exc:
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guard(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_store_objects_append_to_one_series_in_turn(store_factory: StoreFactory) -> None:
    a, b = store_factory(), store_factory()
    rng = np.random.default_rng(5)
    steps = np.arange(20_000, dtype=np.int64)
    values = rng.normal(size=steps.size)
    seq = {"a": 0, "b": 0}
    for i, lo in enumerate(range(0, 20_000, 700)):
        name, store = ("a", a) if i % 2 == 0 else ("b", b)
        part = slice(lo, lo + 700)
        store.append(
            changes(
                seq=seq[name],
                session=name,
                series={"x": cols(steps[part], values[part])},
                config_set={name: i},
            )
        )
        seq[name] += 1
    for store in (a, b):
        row = store.run("e", "p", "r1")
        assert row.config == {"a": 28, "b": 27}
        np.testing.assert_array_equal(store.series(row.pk, "x").values, values)
        got = store.series_buckets("x", [row.pk], 1024)[row.pk]
        np.testing.assert_array_equal(got.max, reference_buckets(steps, values, 1024).max)
    assert b.cursor("e", "p", "r1", "a") == seq["a"] - 1


def test_threads_append_to_their_runs_and_to_one_shared_run(store: SqlStore) -> None:
    def writer(i: int) -> Callable[[], None]:
        def run() -> None:
            for seq, lo in enumerate(range(0, 6_000, 300)):
                s = np.arange(lo, lo + 300)
                store.append(changes(f"own{i}", seq, series={"x": cols(s)}))
                store.append(changes("shared", seq, session=f"s{i}", series={f"k{i}": cols(s)}))

        return run

    assert _run_threads([writer(i) for i in range(4)]) == []
    shared = store.run("e", "p", "shared").pk
    own = [store.run("e", "p", f"own{i}").pk for i in range(4)]
    for i in range(4):
        assert store.series_summaries("x", [own[i]])[own[i]].count == 6_000
        assert store.series(shared, f"k{i}").steps.tolist() == list(range(6_000))
    assert store.run_by_pk(shared).last_step == 5_999


def test_racing_ingesters_apply_every_batch_exactly_once(store_factory: StoreFactory) -> None:
    """Ingesters that read the cursor, append, and retry on conflict, as ingest does."""
    stores = [store_factory() for _ in range(3)]
    batches = [np.arange(lo, lo + 250) for lo in range(0, 10_000, 250)]
    applied: list[int] = []

    def ingester(store: SqlStore) -> Callable[[], None]:
        def run() -> None:
            while True:
                seq = store.cursor("e", "p", "r1", "s1") + 1
                if seq >= len(batches):
                    return
                try:
                    store.append(changes(seq=seq, series={"x": cols(batches[seq])}))
                    applied.append(seq)
                except ConflictError:
                    continue

        return run

    assert _run_threads([ingester(s) for s in stores]) == []
    assert sorted(applied) == list(range(len(batches)))
    pk = stores[0].run("e", "p", "r1").pk
    assert stores[0].series(pk, "x").steps.tolist() == list(range(10_000))
