"""The local controller's choice from claims, and the agent's failure rules."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from trackboard.store.base import SweepClaim, SweepRow
from trackboard.sweep_agent import FailureRules
from trackboard.sweeps.controller import MAX_CRASHES, chooser, grid_size, prior_runs
from trackboard.sweeps.spec import parse_sweep_config

GRID = parse_sweep_config({"method": "grid", "parameters": {"x": {"values": [1, 2, 3]}}})
RANDOM = parse_sweep_config(
    {"method": "random", "run_cap": 2, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
)
SWEEP = SweepRow("e", "p", "s", "method: grid", "running", 0.0, 0.0)


def claim(run_id: str, x: object, state: str) -> SweepClaim:
    return SweepClaim("s", run_id, {"x": x}, state, "a", 0.0, 0.0)


def ids() -> Callable[[], str]:
    counter = itertools.count()
    return lambda: f"r{next(counter)}"


def test_grid_skips_live_and_done_claims_but_reruns_crashed_ones() -> None:
    choose = chooser(GRID, ids(), rng=np.random.default_rng(0))
    taken = [claim("a", 1, "running"), claim("b", 2, "crashed"), claim("c", 3, "failed")]
    assert choose(SWEEP, taken) == ("r0", {"x": 2})
    assert choose(SWEEP, [*taken, claim("d", 2, "finished")]) is None


def test_a_fresh_run_id_never_repeats_a_claimed_one() -> None:
    choose = chooser(GRID, ids())
    chosen = choose(SWEEP, [claim("r0", 1, "finished")])
    assert chosen is not None
    assert chosen[0] == "r1"


def test_random_crashed_claims_count_as_tried_and_metrics_are_attached() -> None:
    claims = [claim("a", 0.5, "crashed"), claim("b", 0.2, "pending")]
    runs = prior_runs(RANDOM, claims, {"b": (0.3, (0.4, 0.3))})
    assert [(r.name, r.state, r.metric, r.history) for r in runs] == [
        ("a", "crashed", None, ()),
        ("b", "running", 0.3, (0.4, 0.3)),
    ]
    assert chooser(RANDOM, ids())(SWEEP, claims) is None


def test_grid_point_is_given_up_after_max_crashes() -> None:
    choose = chooser(GRID, ids())
    done = [claim("a", 1, "finished"), claim("b", 3, "finished")]
    crashed = [claim(f"c{i}", 2, "crashed") for i in range(MAX_CRASHES)]
    assert choose(SWEEP, done + crashed[:-1]) == ("r0", {"x": 2})  # handed out again
    assert choose(SWEEP, done + crashed) is None  # not any more
    runs = prior_runs(GRID, crashed, {})
    assert [(r.name, r.state) for r in runs] == [(f"c{MAX_CRASHES - 1}", "failed")]


def test_crashes_of_other_points_do_not_add_up() -> None:
    crashed = [claim("a", 1, "crashed"), claim("b", 2, "crashed"), claim("c", 1, "crashed")]
    assert chooser(GRID, ids())(SWEEP, crashed) == ("r0", {"x": 1})


def test_grid_size() -> None:
    assert grid_size(GRID) == 3
    assert grid_size(RANDOM) is None


def test_failure_rules() -> None:
    consecutive = FailureRules(max_consecutive=2, flapping=False, started=0.0)
    assert consecutive.record(False, now=100) is None
    assert consecutive.record(True, now=100) is None
    assert consecutive.record(False, now=100) is None
    assert consecutive.record(False, now=100) == "2 consecutive failed runs"
    flapping = FailureRules(started=0.0)
    assert [flapping.record(False, now=10) for _ in range(3)][-1] == (
        "3 failed runs within 60 s (flapping)"
    )
    initial = FailureRules(flapping=False, started=0.0)
    reasons = [initial.record(False, now=100) for _ in range(6)]
    assert reasons == [None] * 5 + ["6 failed runs and none succeeded"]
