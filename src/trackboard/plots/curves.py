"""Legacy ``ROC`` and ``precision_recall`` (``research/wandb-api.md`` 5.6).

``ROC`` keeps every scikit-learn point of each class (rows ``[class, fpr, tpr]``, rounded to 3
decimals) and stops at :data:`~trackboard.plot.inputs.MAX_ROWS` rows; ``precision_recall``
keeps 20 of scikit-learn's points per class, at indices ``int(len * k / 20)``. Inputs are
checked as :func:`trackboard.plot.roc_curve` checks them; ``plot_micro`` and ``plot_macro``
are accepted and ignored, as wandb ignored them.
"""

from __future__ import annotations

import warnings
from typing import Any

from trackboard.media.table import Table
from trackboard.plot.curves import DIGITS, per_class
from trackboard.plot.custom_chart import Visualize
from trackboard.plot.inputs import MAX_ROWS, sklearn_metrics
from trackboard.plots.deprecation import legacy

PR_POINTS = 20


@legacy("trackboard.plot.roc_curve")
def ROC(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Any = None,
    plot_micro: bool = True,
    plot_macro: bool = True,
    classes_to_plot: Any = None,
) -> Visualize:
    """A ``wandb/roc/v1`` chart of each class's ROC curve."""
    metrics = sklearn_metrics("roc_curve")
    rows: list[list[Any]] = []
    for label, truth, scores, cls in per_class("ROC", y_true, y_probas, labels, classes_to_plot):
        fpr, tpr, _ = metrics.roc_curve(truth, scores, pos_label=cls)
        for f, t in zip(fpr.tolist(), tpr.tolist(), strict=True):
            rows.append([label, round(f, DIGITS), round(t, DIGITS)])
    if len(rows) > MAX_ROWS:
        warnings.warn(
            f"trackboard.plots.ROC: {len(rows)} points; keeping the first {MAX_ROWS}",
            UserWarning,
            stacklevel=3,
        )
        rows = rows[:MAX_ROWS]
    return Visualize("wandb/roc/v1", Table(columns=["class", "fpr", "tpr"], data=rows))


@legacy("trackboard.plot.pr_curve")
def precision_recall(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Any = None,
    plot_micro: bool = True,
    classes_to_plot: Any = None,
) -> Visualize:
    """A ``wandb/pr_curve/v1`` chart: 20 precision-recall points per class."""
    metrics = sklearn_metrics("pr_curve")
    rows: list[list[Any]] = []
    found = per_class("precision_recall", y_true, y_probas, labels, classes_to_plot)
    for label, truth, scores, cls in found:
        precision, recall, _ = metrics.precision_recall_curve(truth, scores, pos_label=cls)
        count = len(precision)
        for k in range(PR_POINTS):
            i = int(count * k / PR_POINTS)
            rows.append(
                [label, round(float(precision[i]), DIGITS), round(float(recall[i]), DIGITS)]
            )
    return Visualize(
        "wandb/pr_curve/v1", Table(columns=["class", "precision", "recall"], data=rows)
    )
