"""Hyperband early termination: wandb's bands, thresholds and stop decisions."""

from __future__ import annotations

import math

import pytest

from trackboard.errors import SweepConfigError
from trackboard.sweeps.hyperband import (
    compute_bands,
    should_stop,
    stop_decisions,
    thresholds,
)
from trackboard.sweeps.search import PriorRun
from trackboard.sweeps.spec import HyperbandSpec, parse_sweep_config


def _run(name: str, history: list[float], state: str = "running") -> PriorRun:
    return PriorRun(config={}, state=state, history=tuple(history), name=name)


def test_bands_from_max_iter_27_s_2_eta_3_are_3_and_9() -> None:
    assert compute_bands(HyperbandSpec(max_iter=27, s=2, eta=3)) == [3, 9]


def test_bands_from_max_iter_19_s_2_eta_3_are_2_and_6() -> None:
    assert compute_bands(HyperbandSpec(max_iter=19, s=2, eta=3)) == [2, 6]


def test_bands_from_min_iter_3_eta_3_are_powers_of_three_one_hundred_long() -> None:
    bands = compute_bands(HyperbandSpec(min_iter=3, eta=3))
    assert bands[:5] == [3, 9, 27, 81, 243]
    assert len(bands) == 100
    assert bands[-1] == int(3.0 * 3.0**99)


def test_bands_from_min_iter_truncate_a_fractional_eta() -> None:
    assert compute_bands(HyperbandSpec(min_iter=2, eta=2.5))[:4] == [2, 5, 12, 31]


def test_bands_stop_below_one_when_s_is_larger_than_max_iter_allows() -> None:
    assert compute_bands(HyperbandSpec(max_iter=10, s=5, eta=3)) == [1, 3]


def test_bands_come_from_a_parsed_sweep_config() -> None:
    spec = parse_sweep_config(
        {
            "method": "random",
            "metric": {"name": "loss"},
            "parameters": {"x": {"min": 0.0, "max": 1.0}},
            "early_terminate": {"type": "hyperband", "max_iter": 27, "s": 2},
        }
    )
    assert spec.early_terminate is not None
    assert compute_bands(spec.early_terminate) == [3, 9]


def test_no_band_is_an_error_naming_early_terminate() -> None:
    with pytest.raises(SweepConfigError, match="early_terminate"):
        compute_bands(HyperbandSpec(max_iter=2, s=1, eta=3))


def test_threshold_is_the_element_at_n_over_eta_of_the_sorted_band_values() -> None:
    runs = [
        _run("a", [5.0, 4.0, 3.0], state="finished"),
        _run("b", [5.0, 2.0, 1.0], state="killed"),
        _run("c", [5.0, 6.0, 7.0]),
        _run("d", [5.0, 1.0]),
    ]
    # band 3: values 3, 1, 7 -> sorted [1, 3, 7], index int(3 / 3) = 1 -> 3
    # band 9: nobody got there -> +inf
    assert thresholds(HyperbandSpec(min_iter=3, eta=3), runs) == [3.0, math.inf, *[math.inf] * 98]


def test_running_run_worse_than_its_band_threshold_stops() -> None:
    runs = [
        _run("a", [5.0, 4.0, 3.0], state="finished"),
        _run("b", [5.0, 2.0, 1.0], state="finished"),
        _run("c", [5.0, 6.0, 7.0]),
        _run("d", [5.0, 1.0, 2.0, 9.0]),
    ]
    # band 3 values [3, 1, 7, 2] -> sorted [1, 2, 3, 7], index int(4 / 3) = 1 -> threshold 2
    hyperband = HyperbandSpec(min_iter=3, eta=3)
    assert should_stop(hyperband, runs) == ["c"]
    (decision,) = stop_decisions(hyperband, runs)
    assert decision.reason == "Run: c Step: 3 (Band: 3 Metric: 7.0 Threshold: 2.0) STOP"


def test_finished_runs_are_never_stopped_even_when_worst() -> None:
    runs = [_run("a", [1.0, 1.0, 1.0]), _run("b", [9.0, 9.0, 9.0], state="finished")]
    assert should_stop(HyperbandSpec(min_iter=3, eta=3), runs) == []


def test_run_before_its_first_band_keeps_going() -> None:
    runs = [_run("a", [1.0, 1.0, 1.0], state="finished"), _run("b", [9.0, 9.0])]
    assert should_stop(HyperbandSpec(min_iter=3, eta=3), runs) == []


def test_first_run_alone_at_a_band_is_its_own_threshold_and_keeps_going() -> None:
    assert should_stop(HyperbandSpec(min_iter=1, eta=3), [_run("a", [4.0])]) == []


def test_maximize_negates_so_the_lower_run_stops() -> None:
    runs = [_run("hi", [0.9, 0.95, 0.97]), _run("lo", [0.5, 0.55, 0.6])]
    hyperband = HyperbandSpec(min_iter=3, eta=3)
    assert should_stop(hyperband, runs, maximize=True) == ["lo"]
    (decision,) = stop_decisions(hyperband, runs, maximize=True)
    assert (decision.value, decision.threshold) == (0.6, 0.97)


def test_non_strict_mode_compares_the_best_value_so_far() -> None:
    runs = [
        _run("leader", [2.0, 2.0, 2.0], state="finished"),
        _run("dipped", [1.0, 5.0, 5.0]),
    ]
    # band 3: [2, 5] -> threshold index int(2 / 3) = 0 -> 2; dipped's value at band 3 is 5
    assert should_stop(HyperbandSpec(min_iter=3, eta=3, strict=True), runs) == ["dipped"]
    assert should_stop(HyperbandSpec(min_iter=3, eta=3, strict=False), runs) == []


def test_non_finite_values_are_not_iterations() -> None:
    runs = [
        _run("a", [1.0, 1.0, 1.0], state="finished"),
        _run("b", [9.0, math.nan, math.inf, 9.0]),
    ]
    # b has only two finite values: it has not reached band 3
    assert should_stop(HyperbandSpec(min_iter=3, eta=3), runs) == []


def test_run_is_judged_at_the_largest_band_it_reached() -> None:
    leaders = [_run(f"l{i}", [1.0] * 9, state="finished") for i in range(3)]
    late = _run("late", [0.0, 0.0, 0.0, 5, 5, 5, 5, 5, 5])
    # band 3: late is best (0.0); band 9: [1, 1, 1, 5] -> threshold index 1 -> 1.0 < 5
    hyperband = HyperbandSpec(max_iter=27, s=2, eta=3)
    (decision,) = stop_decisions(hyperband, [*leaders, late])
    assert (decision.run_id, decision.band, decision.value, decision.threshold) == (
        "late",
        9,
        5.0,
        1.0,
    )
