"""The ``learning_curve`` chart's table (``wandb/learning_curve/v1``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import model_selection

from trackboard.media.table import Table
from trackboard.sklearn.chart import cap, make_table

COLUMNS = ("dataset", "score", "train_size")


def learning_curve(
    model: Any,
    X: Any,
    y: Any,
    cv: Any = None,
    shuffle: bool = False,
    random_state: Any = None,
    train_sizes: Any = None,
    n_jobs: int | None = 1,
    scoring: Any = None,
) -> Table:
    """Mean train and cross-validation scores of ``model`` refit on growing subsets of ``X``.

    ``sklearn.model_selection.learning_curve`` with these arguments (``train_sizes`` defaults to
    ``linspace(0.1, 1.0, 5)``); for each size a ``["train", score, size]`` and a
    ``["test", score, size]`` row, scores averaged over the folds and rounded to 2 places.
    """
    if train_sizes is None:
        train_sizes = np.linspace(0.1, 1.0, 5)
    sizes, train_scores, test_scores = model_selection.learning_curve(
        model,
        X,
        np.asarray(y),
        cv=cv,
        n_jobs=n_jobs,
        train_sizes=train_sizes,
        scoring=scoring,
        shuffle=shuffle,
        random_state=random_state,
    )
    rows: list[list[Any]] = []
    for size, train, test in zip(
        sizes, np.mean(train_scores, axis=1), np.mean(test_scores, axis=1), strict=True
    ):
        rows.append(["train", round(float(train), 2), size])
        rows.append(["test", round(float(test), 2), size])
    return make_table(COLUMNS, cap(rows, "learning_curve"))
