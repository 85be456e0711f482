"""The ``outlier_candidates`` chart's table (``wandb/outliers/v1``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from trackboard.media.table import Table
from trackboard.sklearn.chart import cap, make_table

COLUMNS = ("distance", "instance_indicies", "outlier_percentage", "influence_threshold")
"""wandb's column names, its spelling of "indices" included."""


def outlier_candidates(regressor: Any, X: Any, y: Any) -> Table:
    """Cook's distance of each sample: its influence on a linear fit of ``X`` to ``y``.

    ``regressor`` is refit on ``X, y`` (as wandb does). Leverage is the diagonal of the hat
    matrix ``X pinv(X)``; the residuals are studentized with the MSE over ``n - rank(X)``
    degrees of freedom. Every row also holds the share of samples (percent, rounded to 3) at
    or above the rule-of-thumb threshold ``4 / n``, and that threshold. At most 1000 rows.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    regressor.fit(X, y)
    n, p = X.shape
    leverage = (X * np.linalg.pinv(X).T).sum(axis=1)
    residuals = y - regressor.predict(X)
    mse = np.dot(residuals, residuals) / (n - np.linalg.matrix_rank(X))
    studentized = residuals / np.sqrt(mse) / np.sqrt(1 - leverage)
    distance = studentized**2 / p * (leverage / (1 - leverage))
    threshold = 4 / n
    percentage = round(float(np.sum(distance >= threshold)) / n * 100.0, 3)
    rows = [[float(d), i, percentage, threshold] for i, d in enumerate(distance)]
    return make_table(COLUMNS, cap(rows, "outlier_candidates"))
