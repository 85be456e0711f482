"""The change cursor the dashboard polls with (``GET .../changes?since=C``).

A cursor is a run ``updated_at`` time. An answer holds the runs with ``updated_at > since``
and a new cursor: the newest ``updated_at`` seen, but never later than ``now - SETTLE``, so a
write that took its time before committing, or a writer with a slightly different clock, is
not skipped. The price is that a run changed in the last :data:`SETTLE` seconds comes again
in the next answer; clients merge runs by id. The cursor never goes backwards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from trackboard.errors import InvalidInputError
from trackboard.store.base import RunRow

SETTLE = 2.0
"""Seconds a change may take to become visible after its ``updated_at`` time."""


def check_cursor(since: float) -> float:
    if not math.isfinite(since) or since < 0:
        raise InvalidInputError(f"since must be a cursor >= 0, got {since!r}")
    return since


def next_cursor(runs: Sequence[RunRow], since: float, now: float) -> float:
    """The cursor to hand out after an answer computed at ``now`` over ``runs``."""
    newest = max((run.updated_at for run in runs), default=since)
    return max(since, min(newest, now - SETTLE))


def changed_since(runs: Sequence[RunRow], since: float, now: float) -> tuple[float, list[RunRow]]:
    """The runs changed after ``since`` (oldest change first) and the next cursor."""
    check_cursor(since)
    changed = sorted((r for r in runs if r.updated_at > since), key=lambda r: r.updated_at)
    return next_cursor(runs, since, now), changed
