from __future__ import annotations

import numpy as np
import pytest
from store_helpers import assert_buckets_equal, random_series, reference_buckets

from trackboard.store.series_codec import (
    BLOCK_DTYPE,
    Aggregates,
    aggregate_points,
    block_pyramid,
    decode_many_steps,
    decode_steps,
    encode_steps,
    group_starts,
    merge,
    point_stats,
)


@pytest.mark.parametrize("gaps", [False, True])
@pytest.mark.parametrize("width", [1, 4, 64, 4096])
def test_aggregate_points_equals_reference(gaps: bool, width: int) -> None:
    steps, values = random_series(np.random.default_rng(width), 5_000, gaps=gaps)
    agg = aggregate_points(steps, values, group_starts(steps // width))
    assert_buckets_equal(agg.to_buckets(), reference_buckets(steps, values, width))


def test_merged_blocks_equal_blocks_of_the_points() -> None:
    steps, values = random_series(np.random.default_rng(0), 20_000, gaps=True)
    l1, l2, l3 = block_pyramid(steps, values, (64, 512, 4096))
    for size, level in ((64, l1), (512, l2), (4096, l3)):
        assert_buckets_equal(level.to_buckets(), reference_buckets(steps, values, size))
    top = merge(l1, group_starts(l1.first_step >> 14))
    assert_buckets_equal(top.to_buckets(), reference_buckets(steps, values, 1 << 14))


def test_aggregates_survive_the_block_encoding() -> None:
    steps, values = random_series(np.random.default_rng(1), 3_000)
    agg = aggregate_points(steps, values, group_starts(steps >> 6))
    data = agg.to_bytes()
    assert len(data) == len(agg) * BLOCK_DTYPE.itemsize == len(agg) * 64
    back = Aggregates.from_bytes(data)
    assert_buckets_equal(back.to_buckets(), agg.to_buckets())
    assert back.count.dtype == np.int64
    assert len(Aggregates.from_bytes(b"")) == 0


def test_contiguous_steps_are_stored_as_an_empty_blob() -> None:
    steps = np.arange(10, 20, dtype=np.int64)
    assert encode_steps(steps) == b""
    np.testing.assert_array_equal(decode_steps(10, 10, b""), steps)
    sparse = np.array([1, 5, 9], dtype=np.int64)
    assert decode_steps(1, 3, encode_steps(sparse)).tolist() == [1, 5, 9]


def test_decode_many_steps_handles_contiguous_and_mixed_chunks() -> None:
    assert decode_many_steps([0, 10, 20], [3, 2, 1], [b"", b"", b""]).tolist() == [
        0,
        1,
        2,
        10,
        11,
        20,
    ]
    sparse = encode_steps(np.array([30, 40], dtype=np.int64))
    assert decode_many_steps([5, 30], [2, 2], [b"", sparse]).tolist() == [5, 6, 30, 40]
    assert decode_many_steps([], [], []).tolist() == []


def test_point_stats_count_non_finite_values_apart() -> None:
    values = np.array([np.nan, np.inf, -np.inf, -np.inf, 2.0, -1.0])
    s = point_stats(values)
    assert (s.vmin, s.vmax, s.vsum, s.finite, s.nan, s.posinf, s.neginf) == (
        -1.0,
        2.0,
        1.0,
        2,
        1,
        1,
        2,
    )
    none = point_stats(np.array([np.nan]))
    assert (none.vmin, none.vmax, none.finite, none.nan) == (None, None, 0, 1)
    assert point_stats(np.array([])).finite == 0


@pytest.mark.parametrize(
    "sizes",
    [[1] * 50, [2] * 40, [3] * 30, [20] * 5, [1, 2, 1, 1, 2, 2, 1], [1, 3, 2, 5, 1], [7]],
    ids=["singles", "pairs-uniform", "threes", "long-uniform", "ones-and-twos", "mixed", "one"],
)
def test_merge_gives_the_same_aggregates_for_every_group_shape(sizes: list[int]) -> None:
    steps, values = random_series(np.random.default_rng(len(sizes)), 4_000, gaps=True)
    blocks = aggregate_points(steps, values, group_starts(steps >> 4))
    n = sum(sizes)
    blocks = blocks.take(slice(0, n))
    starts = np.cumsum([0, *sizes[:-1]])
    merged = merge(blocks, starts)
    for i, (s, size) in enumerate(zip(starts, sizes, strict=True)):
        part = blocks.take(slice(int(s), int(s) + size))
        assert merged.first_step[i] == part.first_step[0]
        assert merged.last_step[i] == part.last_step[-1]
        assert merged.min[i] == part.min.min() and merged.max[i] == part.max.max()
        assert merged.count[i] == part.count.sum() and merged.nan[i] == part.nan.sum()
        assert merged.posinf[i] == part.posinf.sum() and merged.neginf[i] == part.neginf.sum()
        np.testing.assert_array_equal(merged.last[i], part.last[-1])
        assert merged.sum[i] == pytest.approx(part.sum.sum(), rel=1e-12)
