"""wandb's documented transforms of scikit-learn's output, to compare the plot tables with.

These restate ``research/wandb-api.md`` 5.3 and 5.4 directly on scikit-learn's arrays, without
the helpers' code, so a test holds the helpers to the documented behaviour.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics


def roc_rows(y_true: Any, scores: np.ndarray[Any, Any], classes: list[Any]) -> list[list[Any]]:
    """``[class, fpr, tpr]`` rows, class by class, rounded to 3 decimals."""
    rows: list[list[Any]] = []
    for column, cls in enumerate(classes):
        fpr, tpr, _ = metrics.roc_curve(y_true, scores[:, column], pos_label=cls)
        rows += [
            [cls, round(float(f), 3), round(float(t), 3)] for f, t in zip(fpr, tpr, strict=True)
        ]
    return rows


def pr_rows(
    y_true: Any, scores: np.ndarray[Any, Any], classes: list[Any], interp_size: int = 21
) -> list[list[Any]]:
    """``[class, precision, recall]`` rows: running-max precision read at descending recalls."""
    rows: list[list[Any]] = []
    for column, cls in enumerate(classes):
        precision, recall, _ = metrics.precision_recall_curve(
            y_true, scores[:, column], pos_label=cls
        )
        for target in reversed(np.linspace(0, 1, interp_size).tolist()):
            best = max(p for p, r in zip(precision, recall, strict=True) if r >= target)
            rows.append([cls, round(float(best), 3), round(target, 3)])
    return rows


def aucs(y_true: Any, scores: np.ndarray[Any, Any], classes: list[Any]) -> dict[str, float]:
    y = np.asarray(y_true)
    return {str(c): metrics.roc_auc_score(y == c, scores[:, i]) for i, c in enumerate(classes)}


def average_precisions(
    y_true: Any, scores: np.ndarray[Any, Any], classes: list[Any]
) -> dict[str, float]:
    y = np.asarray(y_true)
    return {
        str(c): metrics.average_precision_score(y == c, scores[:, i]) for i, c in enumerate(classes)
    }


def sample(n: int, k: int, seed: int = 0) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``n`` integer labels of ``k`` classes (all present) and scores that lean towards them."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    scores = rng.random((n, k))
    scores[np.arange(n), y] += 0.5
    return y, scores / scores.sum(axis=1, keepdims=True)
