"""The ``summary_metrics`` chart's table (``wandb/metrics/v1``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics
from sklearn.base import is_classifier, is_regressor

from trackboard.media.table import Table
from trackboard.sklearn.chart import make_table

COLUMNS = ("metric_name", "metric_value", "model_name")


def summary_metrics(model: Any, X_test: Any, y_test: Any) -> Table:
    """Scores of ``model``'s predictions on ``X_test``, each rounded to 2 places.

    A classifier gets ``accuracy_score`` and the support-weighted ``precision``, ``recall``
    and ``f1_score``; a regressor ``mae``, ``mse`` and ``r2_score``. Every row names the
    model's class in ``model_name``.
    """
    y_test = np.asarray(y_test)
    y_pred = model.predict(X_test)
    found: dict[str, float] = {}
    if is_classifier(model):
        found["accuracy_score"] = metrics.accuracy_score(y_test, y_pred)
        for name, score in (
            ("precision", metrics.precision_score),
            ("recall", metrics.recall_score),
            ("f1_score", metrics.f1_score),
        ):
            found[name] = score(y_test, y_pred, average="weighted", zero_division=0)
    elif is_regressor(model):
        found["mae"] = metrics.mean_absolute_error(y_test, y_pred)
        found["mse"] = metrics.mean_squared_error(y_test, y_pred)
        found["r2_score"] = metrics.r2_score(y_test, y_pred)
    name = type(model).__name__
    rows = [[metric, round(float(value), 2), name] for metric, value in found.items()]
    return make_table(COLUMNS, rows)
