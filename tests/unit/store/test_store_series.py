from __future__ import annotations

import math

import numpy as np
import pytest
from store_helpers import append_points, changes, cols, db_rows, random_series, reference_buckets

from trackboard.errors import InvalidInputError
from trackboard.store.base import CHUNK_POINTS, LOD_BLOCKS, MAX_KEY_LENGTH, SeriesColumns
from trackboard.store.sql import SqlStore


def test_series_round_trip_keeps_nan_and_infinities(store: SqlStore) -> None:
    values = [1.5, math.nan, math.inf, -math.inf, -0.0, 1e300]
    walls = [10.0, 11.0, 12.5, 13.0, 14.0, 15.0]
    pk = store.append(changes(series={"x": cols([0, 1, 5, 6, 7, 100], values, walls)})).pk
    got = store.series(pk, "x")
    assert got.steps.dtype == np.int64 and got.values.dtype == np.float64
    assert got.steps.tolist() == [0, 1, 5, 6, 7, 100]
    np.testing.assert_array_equal(got.values, values)
    np.testing.assert_array_equal(got.walls, walls)


def test_series_of_unknown_key_is_empty(store: SqlStore) -> None:
    pk = store.append(changes(series={"x": cols([1])})).pk
    got = store.series(pk, "nope")
    assert len(got) == 0
    assert got.steps.dtype == np.int64 and got.walls.dtype == np.float64


def test_series_step_range_is_inclusive_across_sealed_and_tail_chunks(store: SqlStore) -> None:
    steps, values = random_series(np.random.default_rng(1), 10_000, gaps=True)
    pk, _ = append_points(store, "x", steps, values, flush=777)
    for lo, hi in [
        (None, None),
        (0, 0),
        (100, 5000),
        (None, int(steps[4500])),
        (int(steps[9000]), None),
    ]:
        got = store.series(pk, "x", lo, hi)
        keep = np.ones(len(steps), dtype=bool)
        if lo is not None:
            keep &= steps >= lo
        if hi is not None:
            keep &= steps <= hi
        np.testing.assert_array_equal(got.steps, steps[keep])
        np.testing.assert_array_equal(got.values, values[keep])


def test_many_small_appends_seal_chunks_at_4096_points(store: SqlStore) -> None:
    steps, values = random_series(np.random.default_rng(2), 10_000)
    pk, _ = append_points(store, "x", steps, values, flush=37)
    got = store.series(pk, "x")
    np.testing.assert_array_equal(got.steps, steps)
    np.testing.assert_array_equal(got.values, values)
    chunks = db_rows(
        store, "SELECT sealed, n, step_min, step_max FROM series_chunks WHERE run_pk = ?", (pk,)
    )
    sealed = sorted((row[2], row[3], row[1]) for row in chunks if row[0])
    assert sealed == [(0, 4095, 4096), (4096, 8191, 4096)]
    assert sum(row[1] for row in chunks if not row[0]) == 10_000 - 8192 < CHUNK_POINTS
    lod = db_rows(
        store,
        "SELECT block_size, count(*) FROM series_lod WHERE run_pk = ? GROUP BY block_size",
        (pk,),
    )
    assert sorted(lod) == [(size, 1 if size > 64 else 2) for size in LOD_BLOCKS]
    state = db_rows(store, "SELECT sealed_to, tail_n FROM series_summary WHERE run_pk = ?", (pk,))
    assert state == [(8192, 10_000 - 8192)]


def test_one_large_append_is_split_into_sealed_chunks(store: SqlStore) -> None:
    steps, values = random_series(np.random.default_rng(3), 20_000, gaps=True)
    pk = store.append(changes(series={"x": cols(steps, values)})).pk
    got = store.series(pk, "x")
    np.testing.assert_array_equal(got.values, values)
    sizes = db_rows(store, "SELECT n FROM series_chunks WHERE run_pk = ? AND sealed = 1", (pk,))
    assert sizes and max(n for (n,) in sizes) <= CHUNK_POINTS


def test_series_summaries_aggregate_finite_values_and_keep_last(store: SqlStore) -> None:
    steps, values = random_series(np.random.default_rng(4), 9_000)
    values[-1] = math.nan
    pk, _ = append_points(store, "x", steps, values, flush=500)
    other = store.append(changes("r2", series={"x": cols([3, 4], [math.nan, math.inf])})).pk
    store.append(changes("r3", series={"y": cols([1])}))
    got = store.series_summaries("x", [pk, other, 999_999])
    assert got.keys() == {pk, other}
    s = got[pk]
    finite = values[np.isfinite(values)]
    assert (s.count, s.first_step, s.last_step) == (9_000, 0, 8_999)
    assert math.isnan(s.last_value)
    assert s.last_wall == 1000.0 + 8_999 * 0.5
    assert (s.min, s.max, s.finite_count) == (finite.min(), finite.max(), finite.size)
    assert s.sum == pytest.approx(finite.sum(), rel=1e-9)
    assert s.nan_count == int(np.isnan(values).sum())
    t = got[other]
    assert (t.min, t.max, t.sum, t.finite_count, t.nan_count, t.last_value) == (
        None,
        None,
        0.0,
        0,
        1,
        math.inf,
    )
    assert store.series_summaries("nope", [pk]) == {}


@pytest.mark.parametrize("at", [0, 1, 700, 4095, 4096, 4097, 6000, 8191, 8192, 9000, 9999])
def test_rewind_replaces_points_from_that_step_on(store: SqlStore, at: int) -> None:
    rng = np.random.default_rng(at)
    steps, values = random_series(rng, 10_000)
    pk, _ = append_points(store, "x", steps, values, flush=333)
    new_steps = np.arange(at, at + 5_000, dtype=np.int64)
    new_values = rng.normal(size=new_steps.size)
    append_points(store, "x", new_steps, new_values, session="s2", flush=2_500)
    want_steps = np.concatenate([steps[:at], new_steps])
    want_values = np.concatenate([values[:at], new_values])
    got = store.series(pk, "x")
    np.testing.assert_array_equal(got.steps, want_steps)
    np.testing.assert_array_equal(got.values, want_values)
    for width in (1, 64, 512, 4096, 8192, 1 << 16):
        b = store.series_buckets("x", [pk], width)[pk]
        ref = reference_buckets(want_steps, want_values, width)
        np.testing.assert_array_equal(b.first_step, ref.first_step)
        np.testing.assert_array_equal(b.count, ref.count)
        np.testing.assert_array_equal(b.min, ref.min)
        np.testing.assert_array_equal(b.last, ref.last)
    s = store.series_summaries("x", [pk])[pk]
    finite = want_values[np.isfinite(want_values)]
    assert (s.count, s.first_step, s.last_step) == (len(want_steps), 0 if at else at, at + 4_999)
    assert (s.min, s.max, s.finite_count) == (finite.min(), finite.max(), finite.size)
    assert s.sum == pytest.approx(finite.sum(), rel=1e-9)
    assert store.run_by_pk(pk).last_step == at + 4_999


def test_rewind_with_sparse_steps(store: SqlStore) -> None:
    steps = np.arange(0, 300_000, 37, dtype=np.int64)
    values = np.sin(steps / 1000.0)
    pk, _ = append_points(store, "x", steps, values, flush=1000)
    store.append(changes(session="s2", series={"x": cols([150_000, 150_001], [7.0, 8.0])}))
    keep = steps < 150_000
    got = store.series(pk, "x")
    np.testing.assert_array_equal(got.steps, np.append(steps[keep], [150_000, 150_001]))
    b = store.series_buckets("x", [pk], 4096)[pk]
    assert b.last_step[-1] == 150_001 and b.last[-1] == 8.0
    assert b.max[-1] == 8.0


def test_rewind_lowers_run_last_step_only_to_what_remains(store: SqlStore) -> None:
    pk = store.append(changes(series={"a": cols(range(100)), "b": cols(range(50))})).pk
    row = store.append(changes(session="s2", series={"a": cols([10])}))
    assert row.last_step == 49
    assert store.run_by_pk(pk).last_step == 49


def test_other_values_round_trip_in_step_then_key_order(store: SqlStore) -> None:
    values = [
        (5, "table", {"columns": ["a"], "data": [[1]]}),
        (2, "text", "hello"),
        (5, "img", {"path": "media/img_5.png", "caption": None}),
        (2, "list", [1, 2.5, None]),
        (3, "nothing", None),
        (4, "weird", math.nan),
    ]
    pk = store.append(changes(other_values=values)).pk
    got = store.history_values(pk)
    assert [(s, k) for s, k, _ in got] == [
        (2, "list"),
        (2, "text"),
        (3, "nothing"),
        (4, "weird"),
        (5, "img"),
        (5, "table"),
    ]
    assert got[0][2] == [1, 2.5, None] and got[5][2] == {"columns": ["a"], "data": [[1]]}
    assert math.isnan(got[3][2])
    assert [k for _, k, _ in store.history_values(pk, ["img", "text", "missing"])] == [
        "text",
        "img",
    ]
    assert [s for s, _, _ in store.history_values(pk, min_step=3, max_step=4)] == [3, 4]
    assert store.history_values(pk, ["missing"]) == []


def test_other_values_logged_again_at_an_earlier_step_replace_later_ones(store: SqlStore) -> None:
    pk = store.append(changes(other_values=[(s, "img", f"v{s}") for s in range(10)])).pk
    store.append(changes(session="s2", other_values=[(4, "img", "new"), (6, "img", "new6")]))
    got = store.history_values(pk)
    assert [(s, v) for s, _, v in got] == [
        (0, "v0"),
        (1, "v1"),
        (2, "v2"),
        (3, "v3"),
        (4, "new"),
        (6, "new6"),
    ]


def test_other_value_that_is_not_json_is_refused(store: SqlStore) -> None:
    with pytest.raises(InvalidInputError, match="img"):
        store.append(changes(other_values=[(1, "img", object())]))


def test_keys_list_kind_count_and_step_range(store: SqlStore) -> None:
    pk = store.append(
        changes(
            series={"loss": cols([0, 1, 2]), "acc": cols([1, 5]), "mixed": cols([3])},
            other_values=[(2, "img", "a"), (9, "img", "b"), (7, "mixed", "x")],
        )
    ).pk
    keys = store.keys(pk)
    assert [(k.name, k.kind, k.count, k.first_step, k.last_step) for k in keys] == [
        ("acc", "scalar", 2, 1, 5),
        ("img", "other", 2, 2, 9),
        ("loss", "scalar", 3, 0, 2),
        ("mixed", "scalar", 2, 3, 7),
    ]
    assert store.keys(store.append(changes("empty")).pk) == []


def test_key_of_maximum_length_is_accepted_and_longer_refused(store: SqlStore) -> None:
    longest = "k" * MAX_KEY_LENGTH
    pk = store.append(changes(series={longest: cols([0])})).pk
    assert [k.name for k in store.keys(pk)] == [longest]
    with pytest.raises(InvalidInputError, match="kkkk") as err:
        store.append(changes(seq=1, series={longest + "x": cols([1])}))
    assert str(MAX_KEY_LENGTH) in str(err.value)
    with pytest.raises(InvalidInputError, match="kkkk"):
        store.append(changes(seq=1, other_values=[(1, longest + "y", 1)]))


def test_run_may_have_10000_keys_and_no_more(store: SqlStore) -> None:
    names = [f"m/{i:05d}" for i in range(10_000)]
    pk = store.append(changes(other_values=[(0, n, 1) for n in names[:5_000]])).pk
    store.append(changes(seq=1, series={n: cols([0]) for n in names[5_000:]}))
    with pytest.raises(InvalidInputError, match=r"refused the key 'z/extra'$"):
        store.append(changes(seq=2, series={names[1]: cols([1]), "z/extra": cols([1])}))
    with pytest.raises(InvalidInputError, match="refused the key 'a/new' and 1 more"):
        store.append(changes(seq=2, other_values=[(1, "a/new", 1), (1, "b/new", 2)]))
    assert len(store.keys(pk)) == 10_000
    store.append(changes(seq=2, series={names[0]: cols([5])}))


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (cols([0, 2, 1]), "strictly increase"),
        (cols([1, 1]), "strictly increase"),
        (cols([-1, 0]), ">= 0"),
        (SeriesColumns(np.zeros(2, np.int64), np.zeros(3), np.zeros(2)), "one length"),
        (SeriesColumns(np.array([0.5]), np.zeros(1), np.zeros(1)), "integers"),
    ],
)
def test_malformed_series_is_refused(store: SqlStore, series: SeriesColumns, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        store.append(changes(series={"x": series}))


def test_empty_series_and_integer_values_are_accepted(store: SqlStore) -> None:
    empty = SeriesColumns(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    ints = SeriesColumns(np.array([0, 1]), np.array([True, False]), np.array([1, 2]))
    pk = store.append(changes(series={"empty": empty, "flag": ints})).pk
    assert [k.name for k in store.keys(pk)] == ["flag"]
    assert store.series(pk, "flag").values.tolist() == [1.0, 0.0]


def test_history_values_for_more_keys_than_one_condition_holds(store: SqlStore) -> None:
    names = [f"t/{i:04d}" for i in range(700)]
    pk = store.append(changes(other_values=[(i % 7, n, i) for i, n in enumerate(names)])).pk
    got = store.history_values(pk, names[:600])
    assert len(got) == 600
    assert got == sorted(got, key=lambda row: (row[0], row[1]))
    assert {k for _, k, _ in got} == set(names[:600])
