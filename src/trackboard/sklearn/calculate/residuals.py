"""The ``residuals`` chart's table (``wandb/residuals_plot/v1``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import model_selection

from trackboard.media.table import Table
from trackboard.sklearn.chart import cap, make_table

COLUMNS = ("dataset", "y_pred", "residuals", "train_score", "test_score")
PER_SET = 100
"""Rows kept from each of the train and test sets."""


def residuals(regressor: Any, X: Any, y: Any) -> Table:
    """Predicted value against residual (prediction minus truth) on a train/test split.

    ``X, y`` are split 80/20 (``train_test_split(test_size=0.2)``, unseeded as in wandb: seed
    numpy's global generator for a repeatable split) and ``regressor`` is refit on the train
    part. Rows ``["train", y_pred, residual, R² train, R² test]`` for the first 100 train
    samples, then the same for the first 100 test samples.
    """
    x_train, x_test, y_train, y_test = model_selection.train_test_split(
        X, np.asarray(y), test_size=0.2
    )
    regressor.fit(x_train, y_train)
    train_score = float(regressor.score(x_train, y_train))
    test_score = float(regressor.score(x_test, y_test))
    rows: list[list[Any]] = []
    for dataset, features, truth in (("train", x_train, y_train), ("test", x_test, y_test)):
        predicted = regressor.predict(features)
        part = [
            [dataset, float(p), float(p - t), train_score, test_score]
            for p, t in zip(predicted, truth, strict=True)
        ]
        rows.extend(cap(part, "residuals", PER_SET))
    return make_table(COLUMNS, rows)
