from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import (
    append_points,
    assert_buckets_equal,
    changes,
    cols,
    random_series,
    reference_buckets,
)

from trackboard.errors import InvalidInputError
from trackboard.store.sql import SqlStore

WIDTHS = (1, 2, 64, 128, 1024, 8192)


@pytest.mark.parametrize("gaps", [False, True], ids=["contiguous", "gaps"])
def test_buckets_equal_numpy_reference_for_every_width(store: SqlStore, gaps: bool) -> None:
    rng = np.random.default_rng(7)
    data = {}
    for i, n in enumerate((1, 100, 4_096, 6_000, 21_000)):
        steps, values = random_series(rng, n, gaps=gaps)
        pk, _ = append_points(store, "loss", steps, values, run_id=f"r{i}", flush=1_000)
        data[pk] = (steps, values)
    for width in WIDTHS:
        got = store.series_buckets("loss", list(data), width)
        assert got.keys() == data.keys()
        for pk, (steps, values) in data.items():
            assert_buckets_equal(got[pk], reference_buckets(steps, values, width))


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        (0, 0),
        (None, 5_000),
        (4_000, None),
        (4_095, 4_097),
        (8_000, 12_000),
        (30, 90),
        (17_000, 99_999),
    ],
)
@pytest.mark.parametrize("gaps", [False, True], ids=["contiguous", "gaps"])
def test_buckets_with_step_range_hold_whole_overlapping_buckets(
    store: SqlStore, lo: int | None, hi: int | None, gaps: bool
) -> None:
    steps, values = random_series(np.random.default_rng(8), 16_000, gaps=gaps)
    pk, _ = append_points(store, "loss", steps, values, flush=999)
    for width in WIDTHS:
        got = store.series_buckets("loss", [pk], width, lo, hi)
        want = reference_buckets(steps, values, width, lo, hi)
        if not len(want.count):
            assert pk not in got
        else:
            assert_buckets_equal(got[pk], want)


def test_last_point_is_in_last_bucket(store: SqlStore) -> None:
    rng = np.random.default_rng(9)
    pks = {}
    for i, n in enumerate((5, 4_097, 12_345)):
        steps, values = random_series(rng, n, gaps=bool(i % 2), specials=False)
        values[-1] = np.nan
        pk, _ = append_points(store, "loss", steps, values, run_id=f"r{i}", flush=400)
        pks[pk] = steps
    for width in (*WIDTHS, 1 << 20):
        for pk, b in store.series_buckets("loss", list(pks), width).items():
            assert b.last_step[-1] == pks[pk][-1]
            assert np.isnan(b.last[-1])
            assert b.nan_count[-1] == 1


def test_runs_without_the_key_are_absent(store: SqlStore) -> None:
    a = store.append(changes("a", series={"loss": cols([1, 2, 3])})).pk
    b = store.append(changes("b", series={"acc": cols([1, 2, 3])})).pk
    got = store.series_buckets("loss", [a, b, a, 987_654], 2)
    assert list(got) == [a]
    assert got[a].first_step.tolist() == [1, 2]
    assert got[a].count.tolist() == [1, 2]
    assert store.series_buckets("missing", [a, b], 64) == {}
    assert store.series_buckets("loss", [], 64) == {}
    assert store.series_buckets("loss", [a], 64, min_step=64) == {}
    assert store.series_buckets("loss", [a], 64, min_step=10)[a].count.tolist() == [3]
    assert store.series_buckets("loss", [a], 64, min_step=50, max_step=10) == {}


def test_bucket_without_finite_values_has_nan_min_and_max(store: SqlStore) -> None:
    pk = store.append(changes(series={"x": cols([0, 1, 2, 9], [np.nan, np.inf, -np.inf, 3.0])})).pk
    b = store.series_buckets("x", [pk], 8)[pk]
    assert b.count.tolist() == [0, 1]
    assert np.isnan(b.min[0]) and np.isnan(b.max[0]) and b.sum[0] == 0.0
    assert (b.nan_count.tolist(), b.posinf_count.tolist(), b.neginf_count.tolist()) == (
        [1, 0],
        [1, 0],
        [1, 0],
    )
    assert b.last[0] == -np.inf


@pytest.mark.parametrize("width", [0, -4, 3, 100, True])
def test_width_that_is_not_a_power_of_two_is_refused(store: SqlStore, width: int) -> None:
    pk = store.append(changes(series={"x": cols([0])})).pk
    with pytest.raises(InvalidInputError, match="power of two"):
        store.series_buckets("x", [pk], width)
    with pytest.raises(InvalidInputError, match="power of two"):
        store.series_buckets("unknown", [pk], width)


_run_ids = itertools.count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 12_000),
    gaps=st.booleans(),
    flush=st.sampled_from([97, 333, 1_000, 5_000]),
    width_exp=st.integers(0, 14),
    lo=st.none() | st.integers(0, 30_000),
    span=st.none() | st.integers(0, 30_000),
)
def test_buckets_match_reference_on_random_series(
    store: SqlStore,
    seed: int,
    n: int,
    gaps: bool,
    flush: int,
    width_exp: int,
    lo: int | None,
    span: int | None,
) -> None:
    steps, values = random_series(np.random.default_rng(seed), n, gaps=gaps)
    run_id = f"h{next(_run_ids)}"
    pk, _ = append_points(store, "loss", steps, values, run_id=run_id, flush=flush)
    width = 1 << width_exp
    hi = None if span is None else (lo or 0) + span
    got = store.series_buckets("loss", [pk], width, lo, hi)
    want = reference_buckets(steps, values, width, lo, hi)
    if len(want.count):
        assert_buckets_equal(got[pk], want)
    else:
        assert got == {}
