from __future__ import annotations

import numpy as np

from trackboard.query.history import sample_steps


def test_sampling_keeps_everything_when_under_the_limit() -> None:
    steps = np.arange(10, dtype=np.int64)
    assert sample_steps(steps, 500).tolist() == list(range(10))


def test_sampling_keeps_first_last_and_every_one_step_spike() -> None:
    steps = np.arange(100_000, dtype=np.int64)
    values = np.sin(steps / 5000.0)
    spikes = [1234, 45_678, 77_777]
    for s in spikes:
        values[s] = 50.0
    values[90_001] = float("nan")
    picked = sample_steps(steps, 500, values)
    assert picked.size <= 500
    assert picked[0] == 0 and picked[-1] == 99_999
    assert set(spikes) <= set(picked.tolist())
    assert 90_001 in picked.tolist()
    assert np.all(np.diff(picked) > 0)


def test_sampling_is_deterministic() -> None:
    steps = np.arange(0, 50_000, 3, dtype=np.int64)
    values = np.random.default_rng(1).normal(size=steps.size)
    assert sample_steps(steps, 300, values).tolist() == sample_steps(steps, 300, values).tolist()


def test_sampling_without_values_spreads_evenly() -> None:
    picked = sample_steps(np.arange(1000, dtype=np.int64), 10)
    assert picked.size <= 10
    assert picked[0] == 0 and picked[-1] == 999
