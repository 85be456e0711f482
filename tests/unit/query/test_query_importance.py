"""Parameter importance: Pearson's r and the numpy random forest."""

from __future__ import annotations

import numpy as np
import pytest

from trackboard.query.importance import forest_importance, pearson


def test_pearson_of_a_line_is_one_and_of_its_mirror_minus_one() -> None:
    x = np.arange(10, dtype=np.float64)
    assert pearson(x, 3 * x + 1) == pytest.approx(1.0)
    assert pearson(x, -x) == pytest.approx(-1.0)


def test_pearson_is_none_for_a_constant_or_under_two_points() -> None:
    assert pearson(np.ones(5), np.arange(5, dtype=np.float64)) is None
    assert pearson(np.array([1.0]), np.array([2.0])) is None


def test_pearson_refuses_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        pearson(np.ones(3), np.ones(4))


def test_forest_finds_the_feature_the_metric_depends_on() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(60, 3))
    y = np.sin(6 * x[:, 1]) + 0.01 * rng.normal(size=60)  # not monotonic: r misses it
    scores = forest_importance(x, y)
    assert scores.sum() == pytest.approx(1.0)
    assert int(np.argmax(scores)) == 1 and scores[1] > 0.6


def test_forest_is_deterministic_and_zero_without_signal() -> None:
    x = np.arange(12, dtype=np.float64).reshape(6, 2)
    y = np.arange(6, dtype=np.float64)
    assert forest_importance(x, y).tolist() == forest_importance(x, y).tolist()
    assert forest_importance(x, np.ones(6)).tolist() == [0.0, 0.0]
    assert forest_importance(x[:1], y[:1]).tolist() == [0.0, 0.0]


def test_forest_refuses_bad_shapes_and_non_finite_values() -> None:
    with pytest.raises(ValueError, match="rows by features"):
        forest_importance(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="finite"):
        forest_importance(np.array([[1.0], [np.nan]]), np.ones(2))
