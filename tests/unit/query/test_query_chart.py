"""Bucket width and budget choices, and the change cursor."""

from __future__ import annotations

import pytest

from trackboard.errors import InvalidInputError
from trackboard.query.chart import TOTAL_BUDGET, bucket_width, per_run_buckets
from trackboard.query.run_changes import SETTLE, changed_since, next_cursor
from trackboard.store.base import RunRow


@pytest.mark.parametrize(
    ("lo", "hi", "buckets", "width"),
    [
        (0, 0, 1000, 1),
        (0, 999, 1000, 1),
        (0, 1000, 1000, 2),
        (0, 9999, 1000, 16),
        (0, 19999, 100, 256),
        (1000, 1100, 64, 2),
        (0, 7, 1, 8),
        (5, 9, 1, 16),  # 5..9 straddles 8: only a width of 16 holds both in one bucket
    ],
)
def test_bucket_width_is_the_smallest_power_of_two_that_fits(
    lo: int, hi: int, buckets: int, width: int
) -> None:
    assert bucket_width(lo, hi, buckets) == width
    assert hi // width - lo // width + 1 <= buckets


def test_bucket_width_refuses_zero_buckets() -> None:
    with pytest.raises(InvalidInputError):
        bucket_width(0, 10, 0)


def test_per_run_buckets_shrink_with_many_runs() -> None:
    assert per_run_buckets(1000, 10) == 1000
    assert per_run_buckets(1000, 4000) == TOTAL_BUDGET // 4000
    assert per_run_buckets(1000, 10_000_000) == 1


def _run(pk: int, updated_at: float) -> RunRow:
    return RunRow(
        pk=pk, entity="e", project="p", run_id=f"r{pk}", name=None, state="running",
        created_at=0.0, heartbeat_at=None, finished_at=None, runtime=0.0, exit_code=None,
        group=None, job_type=None, tags=(), notes=None, host=None, pid=None, program=None,
        args=(), sweep_id=None, last_step=None, config={}, summary={}, metrics={},
        updated_at=updated_at,
    )  # fmt: skip


def test_cursor_is_the_newest_change_once_settled() -> None:
    runs = [_run(1, 100.0), _run(2, 105.0)]
    assert next_cursor(runs, 0.0, now=200.0) == 105.0


def test_cursor_holds_back_for_recent_changes_so_none_is_skipped() -> None:
    runs = [_run(1, 100.0), _run(2, 199.5)]
    assert next_cursor(runs, 0.0, now=200.0) == 200.0 - SETTLE
    cursor, changed = changed_since(runs, 200.0 - SETTLE, now=200.5)
    assert [r.pk for r in changed] == [2]  # sent again: it may have raced a slower writer
    assert cursor == 200.5 - SETTLE


def test_cursor_never_goes_backwards() -> None:
    assert next_cursor([_run(1, 50.0)], 80.0, now=200.0) == 80.0
    assert next_cursor([], 80.0, now=200.0) == 80.0


def test_changed_since_refuses_bad_cursors() -> None:
    with pytest.raises(InvalidInputError):
        changed_since([], -1.0, now=0.0)
    with pytest.raises(InvalidInputError):
        changed_since([], float("nan"), now=0.0)
