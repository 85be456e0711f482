"""Parameter importance against a metric: Pearson correlation and a random-forest importance.

Pure numpy; no scikit-learn at run time. :func:`forest_importance` grows a small forest of
regression trees, each on a bootstrap sample with a random subset of the features tried at
every split, and scores a feature by the total decrease of squared error its splits bring,
normalised so the scores sum to 1 (0 for every feature when no split helped). It is seeded,
so the same inputs always give the same scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

TREES = 64
MIN_LEAF = 1
MAX_DEPTH = 8


def pearson(x: FloatArray, y: FloatArray) -> float | None:
    """Pearson's r of ``x`` and ``y`` (same length); None under 2 points or for a constant."""
    if x.shape != y.shape:
        raise ValueError(f"x and y differ in length ({x.size} != {y.size})")
    if x.size < 2:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    scale = math.sqrt(float(dx @ dx) * float(dy @ dy))
    if scale == 0.0:
        return None
    return float(dx @ dy) / scale


@dataclass
class _Growth:
    """A forest's shared state while growing: the random source and the gains per feature."""

    rng: np.random.Generator
    gains: FloatArray
    features_per_split: int


def _best_split(x: FloatArray, y: FloatArray) -> tuple[float, float] | None:
    """The (gain, threshold) of the best split of ``y`` on the one feature ``x``, or None."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    n = ys.size
    cum = np.cumsum(ys)
    cum_sq = np.cumsum(ys * ys)
    total, total_sq = cum[-1], cum_sq[-1]
    left_n = np.arange(1, n, dtype=np.float64)
    right_n = n - left_n
    left_sse = cum_sq[:-1] - cum[:-1] ** 2 / left_n
    right_sse = (total_sq - cum_sq[:-1]) - (total - cum[:-1]) ** 2 / right_n
    parent = total_sq - total**2 / n
    gain = parent - (left_sse + right_sse)
    valid = (xs[1:] > xs[:-1]) & (left_n >= MIN_LEAF) & (right_n >= MIN_LEAF)
    if not valid.any():
        return None
    gain = np.where(valid, gain, -np.inf)
    at = int(np.argmax(gain))
    if gain[at] <= 1e-12 * max(abs(parent), 1.0):
        return None
    return float(gain[at]), float((xs[at] + xs[at + 1]) / 2)


def _grow(growth: _Growth, x: FloatArray, y: FloatArray, depth: int) -> None:
    """Split ``(x, y)`` greedily and recursively, adding each split's gain to its feature."""
    if depth >= MAX_DEPTH or y.size < 2 * MIN_LEAF:
        return
    count = x.shape[1]
    tried = growth.rng.choice(count, size=min(growth.features_per_split, count), replace=False)
    best: tuple[float, int, float] | None = None
    for feature in tried:
        split = _best_split(x[:, feature], y)
        if split is not None and (best is None or split[0] > best[0]):
            best = (split[0], int(feature), split[1])
    if best is None:
        return
    gain, feature, threshold = best
    growth.gains[feature] += gain
    left = x[:, feature] <= threshold
    _grow(growth, x[left], y[left], depth + 1)
    _grow(growth, x[~left], y[~left], depth + 1)


def forest_importance(
    x: FloatArray, y: FloatArray, *, trees: int = TREES, seed: int = 0
) -> FloatArray:
    """Each column of ``x`` (runs by features)'s share of the forest's error reduction on ``y``.

    The result has one score per column, each in [0, 1], summing to 1, or all 0 when ``y`` is
    constant, there are under 2 rows, or no column separates the runs. Non-finite values in
    ``x`` or ``y`` are a ValueError (the caller drops or encodes them first)."""
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.size:
        raise ValueError(
            f"x must be rows by features and y one value per row; got {x.shape} and {y.shape}"
        )
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite")
    features = x.shape[1]
    gains = np.zeros(features, dtype=np.float64)
    if y.size < 2 or features == 0:
        return gains
    growth = _Growth(np.random.default_rng(seed), gains, max(1, math.ceil(features / 3)))
    for _ in range(trees):
        sample = growth.rng.integers(0, y.size, size=y.size)
        _grow(growth, x[sample], y[sample], 0)
    total = float(gains.sum())
    return gains / total if total > 0 else gains
