"""The ``feature_importances`` chart's table (``wandb/feature_importances/v1``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from trackboard.media.table import Table
from trackboard.sklearn.chart import make_table
from trackboard.sklearn.checks import warn

COLUMNS = ("feature_names", "importances")
ATTRIBUTES = ("feature_importances_", "feature_log_prob_", "coef_")
"""Where a fitted model keeps its importances, in the order wandb looks."""
HELPER = "plot_feature_importances"


def feature_importances(model: Any, feature_names: Any = None) -> Table | None:
    """The model's importances, largest first, each beside its feature's name.

    The first of :data:`ATTRIBUTES` the model has; an array with more than one dimension of
    size above 1 (a multi-class ``coef_``) cannot be drawn and is skipped with a warning, as
    is a model with none of them. Names default to the feature indexes.
    """
    found = next((name for name in ATTRIBUTES if hasattr(model, name)), None)
    if found is None:
        warn(HELPER, f"the model has none of {', '.join(ATTRIBUTES)}; nothing was logged")
        return None
    importances = np.asarray(getattr(model, found))
    if importances.ndim > 1:
        if sum(size > 1 for size in importances.shape) > 1:
            warn(
                HELPER,
                f"{found} has shape {importances.shape}; importances with more than one "
                "dimension cannot be plotted, nothing was logged",
            )
            return None
        importances = importances.reshape(-1)
    order = np.argsort(importances)[::-1]
    if feature_names is None:
        names = list(order)
    else:
        given = np.asarray(feature_names)
        if len(given) != len(importances):
            warn(
                HELPER,
                f"feature_names has {len(given)} names but the model has "
                f"{len(importances)} features; nothing was logged",
            )
            return None
        names = list(given[order])
    rows = [[name, value] for name, value in zip(names, importances[order], strict=True)]
    return make_table(COLUMNS, rows)
